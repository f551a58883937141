/*
 * value.c - the value tree (include/bluegreen/value.h) and the number rules shared by the
 * codecs. Recursion here (equal, clone, is_wholly_known) follows the tree, whose depth the
 * decoders cap at BG_CODEC_MAX_DEPTH; trees built by code are as deep as the code makes them.
 */
#include <assert.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "bluegreen/codec.h"
#include "bluegreen/value.h"
#include "codec/internal.h"

static struct bg_value *new_value(struct bg_arena *a, enum bg_kind kind)
{
    struct bg_value *v = bg_arena_alloc(a, sizeof(*v));

    v->kind = kind;
    return v;
}

struct bg_value *bg_value_null(struct bg_arena *a)
{
    return new_value(a, BG_NULL);
}

struct bg_value *bg_value_unknown(struct bg_arena *a)
{
    return new_value(a, BG_UNKNOWN);
}

struct bg_value *bg_value_bool(struct bg_arena *a, bool b)
{
    struct bg_value *v = new_value(a, BG_BOOL);

    v->u.b = b;
    return v;
}

struct bg_value *bg_value_int(struct bg_arena *a, int64_t i)
{
    struct bg_value *v = new_value(a, BG_INT);

    v->u.i = i;
    return v;
}

struct bg_value *bg_value_float(struct bg_arena *a, double f)
{
    struct bg_value *v = new_value(a, BG_FLOAT);

    v->u.f = f;
    return v;
}

struct bg_value *bg_value_string(struct bg_arena *a, const char *s)
{
    return bg_value_stringn(a, s, strlen(s));
}

struct bg_value *bg_value_stringn(struct bg_arena *a, const char *s, size_t n)
{
    struct bg_value *v = new_value(a, BG_STRING);

    v->u.s.ptr = bg_arena_strndup(a, s, n);
    v->u.s.len = n;
    return v;
}

struct bg_value *bg_value_array(struct bg_arena *a, size_t cap_hint)
{
    struct bg_value *v = new_value(a, BG_ARRAY);

    v->u.arr.items = bg_arena_calloc(a, cap_hint, sizeof(*v->u.arr.items));
    v->u.arr.cap = cap_hint;
    return v;
}

struct bg_value *bg_value_map(struct bg_arena *a, size_t cap_hint)
{
    struct bg_value *v = new_value(a, BG_MAP);

    v->u.map.items = bg_arena_calloc(a, cap_hint, sizeof(*v->u.map.items));
    v->u.map.cap = cap_hint;
    return v;
}

/* Doubling keeps the arena's dead copies below the size of the final array. */
static void *grow(struct bg_arena *a, void *items, size_t len, size_t *cap, size_t size)
{
    size_t ncap = *cap < 4 ? 4 : *cap * 2;
    void *p = bg_arena_calloc(a, ncap, size);

    if (len > 0)
        memcpy(p, items, len * size);
    *cap = ncap;
    return p;
}

void bg_value_append(struct bg_arena *a, struct bg_value *arr, struct bg_value *item)
{
    assert(arr != NULL && arr->kind == BG_ARRAY);
    if (arr->u.arr.len == arr->u.arr.cap)
        arr->u.arr.items =
            grow(a, arr->u.arr.items, arr->u.arr.len, &arr->u.arr.cap, sizeof(*arr->u.arr.items));
    arr->u.arr.items[arr->u.arr.len++] = item;
}

void bg_codec_map_append(struct bg_arena *a, struct bg_value *map, const char *key, size_t key_len,
                         struct bg_value *v)
{
    struct bg_member *m;

    assert(map != NULL && map->kind == BG_MAP);
    if (map->u.map.len == map->u.map.cap)
        map->u.map.items =
            grow(a, map->u.map.items, map->u.map.len, &map->u.map.cap, sizeof(*map->u.map.items));
    m = &map->u.map.items[map->u.map.len++];
    m->key = key;
    m->key_len = key_len;
    m->value = v;
}

static struct bg_member *find(const struct bg_value *map, const char *key, size_t key_len)
{
    size_t i;

    for (i = 0; i < map->u.map.len; i++) {
        struct bg_member *m = &map->u.map.items[i];

        if (m->key_len == key_len && memcmp(m->key, key, key_len) == 0)
            return m;
    }
    return NULL;
}

void bg_value_put(struct bg_arena *a, struct bg_value *map, const char *key, struct bg_value *v)
{
    size_t n = strlen(key);
    struct bg_member *m;

    assert(map != NULL && map->kind == BG_MAP);
    m = find(map, key, n);
    if (m != NULL)
        m->value = v;
    else
        bg_codec_map_append(a, map, bg_arena_strndup(a, key, n), n, v);
}

static int compare_members(const void *x, const void *y)
{
    const struct bg_member *const *p = x, *const *q = y;
    size_t n = (*p)->key_len < (*q)->key_len ? (*p)->key_len : (*q)->key_len;
    int c = memcmp((*p)->key, (*q)->key, n);

    if (c != 0)
        return c;
    return ((*p)->key_len > (*q)->key_len) - ((*p)->key_len < (*q)->key_len);
}

const char *bg_codec_printable(struct bg_arena *a, const char *s, size_t max)
{
    static const char hex[] = "0123456789abcdef";
    size_t n = strnlen(s, max), o = 0;
    char *out = bg_arena_alloc(a, 4 * n + 1);

    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];

        if (c >= 0x20 && c < 0x7f && c != '\\') {
            out[o++] = (char)c;
            continue;
        }
        out[o++] = '\\';
        out[o++] = 'x';
        out[o++] = hex[c >> 4];
        out[o++] = hex[c & 15];
    }
    out[o] = '\0';
    return out;
}

const struct bg_member *bg_codec_find_duplicate(struct bg_arena *a, const struct bg_value *map)
{
    size_t i, n = map->u.map.len;
    const struct bg_member **sorted;

    if (n < 2)
        return NULL;
    sorted = bg_arena_calloc(a, n, sizeof(*sorted));
    for (i = 0; i < n; i++)
        sorted[i] = &map->u.map.items[i];
    qsort(sorted, n, sizeof(*sorted), compare_members);
    for (i = 1; i < n; i++) {
        if (compare_members(&sorted[i - 1], &sorted[i]) == 0)
            return sorted[i];
    }
    return NULL;
}

struct bg_value *bg_value_get(const struct bg_value *v, const char *key)
{
    struct bg_member *m;

    if (v == NULL || v->kind != BG_MAP)
        return NULL;
    m = find(v, key, strlen(key));
    return m != NULL ? m->value : NULL;
}

bool bg_value_is_null(const struct bg_value *v)
{
    return v == NULL || v->kind == BG_NULL;
}

bool bg_value_is_unknown(const struct bg_value *v)
{
    return v != NULL && v->kind == BG_UNKNOWN;
}

bool bg_value_is_wholly_known(const struct bg_value *v)
{
    size_t i;

    if (v == NULL)
        return true;
    switch (v->kind) {
    case BG_UNKNOWN:
        return false;
    case BG_ARRAY:
        for (i = 0; i < v->u.arr.len; i++) {
            if (!bg_value_is_wholly_known(v->u.arr.items[i]))
                return false;
        }
        return true;
    case BG_MAP:
        for (i = 0; i < v->u.map.len; i++) {
            if (!bg_value_is_wholly_known(v->u.map.items[i].value))
                return false;
        }
        return true;
    default:
        return true;
    }
}

bool bg_codec_double_to_int(int64_t *out, double f)
{
    /* Both bounds are powers of two, so exact as doubles; the upper one is exclusive. */
    if (!isfinite(f) || f != trunc(f) || f < -9223372036854775808.0 || f >= 9223372036854775808.0)
        return false;
    *out = (int64_t)f;
    return true;
}

bool bg_codec_parse_int(int64_t *out, const char *s, size_t len)
{
    bool neg = len > 0 && s[0] == '-';
    size_t i = neg ? 1 : 0;
    uint64_t acc = 0, limit = neg ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX;

    if (i == len)
        return false;
    for (; i < len; i++) {
        unsigned d = (unsigned char)s[i] - '0';

        if (d > 9 || acc > (limit - d) / 10)
            return false;
        acc = acc * 10 + d;
    }
    /* Negating in unsigned arithmetic avoids overflow for INT64_MIN. */
    *out = neg ? (int64_t)(0 - acc) : (int64_t)acc;
    return true;
}

static size_t skip_digits(const char *s, size_t i, size_t len)
{
    while (i < len && s[i] >= '0' && s[i] <= '9')
        i++;
    return i;
}

/* A decimal number as go-cty writes it: -?d+(.d+)?([eE][+-]?d+)?. strtod alone would also
 * take hex, "inf", "nan" and leading blanks, none of which is a cty number. */
static bool parse_decimal(double *out, const char *s, size_t len)
{
    size_t i = (len > 0 && s[0] == '-') ? 1 : 0, j;

    j = skip_digits(s, i, len);
    if (j == i)
        return false;
    if (j < len && s[j] == '.') {
        i = j + 1;
        j = skip_digits(s, i, len);
        if (j == i)
            return false;
    }
    if (j < len && (s[j] == 'e' || s[j] == 'E')) {
        i = j + 1;
        if (i < len && (s[i] == '+' || s[i] == '-'))
            i++;
        j = skip_digits(s, i, len);
        if (j == i)
            return false;
    }
    if (j != len)
        return false;
    /* s is NUL-terminated at len (all strings in the tree are), so strtod stops there.
     * Underflow to zero is accepted; overflow to infinity is not a usable double. */
    *out = strtod(s, NULL);
    return isfinite(*out);
}

int bg_value_as_int(int64_t *out, const struct bg_value *v)
{
    if (v == NULL)
        return BG_EINVAL;
    switch (v->kind) {
    case BG_INT:
        *out = v->u.i;
        return 0;
    case BG_FLOAT:
        return bg_codec_double_to_int(out, v->u.f) ? 0 : BG_EINVAL;
    case BG_STRING:
        return bg_codec_parse_int(out, v->u.s.ptr, v->u.s.len) ? 0 : BG_EINVAL;
    default:
        return BG_EINVAL;
    }
}

int bg_value_as_double(double *out, const struct bg_value *v)
{
    if (v == NULL)
        return BG_EINVAL;
    switch (v->kind) {
    case BG_INT:
        *out = (double)v->u.i;
        return 0;
    case BG_FLOAT:
        *out = v->u.f;
        return 0;
    case BG_STRING:
        return parse_decimal(out, v->u.s.ptr, v->u.s.len) ? 0 : BG_EINVAL;
    default:
        return BG_EINVAL;
    }
}

int bg_value_as_bool(bool *out, const struct bg_value *v)
{
    if (v == NULL || v->kind != BG_BOOL)
        return BG_EINVAL;
    *out = v->u.b;
    return 0;
}

const char *bg_value_as_string(const struct bg_value *v)
{
    return v != NULL && v->kind == BG_STRING ? v->u.s.ptr : NULL;
}

size_t bg_value_len(const struct bg_value *v)
{
    if (v == NULL)
        return 0;
    if (v->kind == BG_ARRAY)
        return v->u.arr.len;
    if (v->kind == BG_MAP)
        return v->u.map.len;
    return 0;
}

/* Compares a number of any kind with an int exactly, without a lossy cast to double. */
static bool number_equals_int(const struct bg_value *x, int64_t i)
{
    int64_t k;

    /* A non-integral value (or an integer string beyond int64) never equals an int64. */
    return bg_value_as_int(&k, x) == 0 && k == i;
}

/* Numbers compare by value: exactly when one side is an integer, otherwise as doubles, which
 * is how "0.1" (go-cty's text for a decimal that is not a binary fraction) meets 0.1. */
static bool numbers_equal(const struct bg_value *x, const struct bg_value *y)
{
    double dx, dy;

    if (x->kind == BG_INT)
        return number_equals_int(y, x->u.i);
    if (y->kind == BG_INT)
        return number_equals_int(x, y->u.i);
    if (bg_value_as_double(&dx, x) != 0 || bg_value_as_double(&dy, y) != 0)
        return false;
    return dx == dy;
}

static bool is_number_like(enum bg_kind k)
{
    return k == BG_INT || k == BG_FLOAT || k == BG_STRING;
}

static bool maps_equal(const struct bg_value *x, const struct bg_value *y)
{
    size_t i;

    if (x->u.map.len != y->u.map.len)
        return false;
    /* Quadratic, but keys are unique and Terraform objects have tens of attributes. */
    for (i = 0; i < x->u.map.len; i++) {
        const struct bg_member *m = &x->u.map.items[i];
        const struct bg_member *n = find(y, m->key, m->key_len);

        if (n == NULL || !bg_value_equal(m->value, n->value))
            return false;
    }
    return true;
}

static bool same_kind_equal(const struct bg_value *x, const struct bg_value *y)
{
    size_t i;

    switch (x->kind) {
    case BG_NULL:
    case BG_UNKNOWN:
        return true;
    case BG_BOOL:
        return x->u.b == y->u.b;
    case BG_INT:
        return x->u.i == y->u.i;
    case BG_FLOAT:
        return x->u.f == y->u.f;
    case BG_STRING:
        return x->u.s.len == y->u.s.len && memcmp(x->u.s.ptr, y->u.s.ptr, x->u.s.len) == 0;
    case BG_ARRAY:
        if (x->u.arr.len != y->u.arr.len)
            return false;
        for (i = 0; i < x->u.arr.len; i++) {
            if (!bg_value_equal(x->u.arr.items[i], y->u.arr.items[i]))
                return false;
        }
        return true;
    case BG_MAP:
        return maps_equal(x, y);
    }
    return false;
}

bool bg_value_equal(const struct bg_value *x, const struct bg_value *y)
{
    static const struct bg_value null_value = {.kind = BG_NULL};

    if (x == NULL)
        x = &null_value;
    if (y == NULL)
        y = &null_value;
    if (x->kind == y->kind)
        return same_kind_equal(x, y);
    return is_number_like(x->kind) && is_number_like(y->kind) && numbers_equal(x, y);
}

struct bg_value *bg_value_clone(struct bg_arena *a, const struct bg_value *v)
{
    struct bg_value *c;
    size_t i;

    if (v == NULL)
        return bg_value_null(a);
    switch (v->kind) {
    case BG_STRING:
        return bg_value_stringn(a, v->u.s.ptr, v->u.s.len);
    case BG_ARRAY:
        c = bg_value_array(a, v->u.arr.len);
        for (i = 0; i < v->u.arr.len; i++)
            bg_value_append(a, c, bg_value_clone(a, v->u.arr.items[i]));
        return c;
    case BG_MAP:
        c = bg_value_map(a, v->u.map.len);
        for (i = 0; i < v->u.map.len; i++) {
            const struct bg_member *m = &v->u.map.items[i];

            bg_codec_map_append(a, c, bg_arena_strndup(a, m->key, m->key_len), m->key_len,
                                bg_value_clone(a, m->value));
        }
        return c;
    default:
        c = new_value(a, v->kind);
        c->u = v->u;
        return c;
    }
}

/* Number of continuation bytes after lead byte c, and the range its first continuation byte
 * must fall in: narrowing that range rejects overlongs, surrogates and code points past
 * U+10FFFF (RFC 3629 table). -1 for a byte that cannot start a character. */
static int utf8_lead(unsigned char c, unsigned char *lo, unsigned char *hi)
{
    *lo = 0x80;
    *hi = 0xbf;
    if (c >= 0xc2 && c <= 0xdf)
        return 1;
    if (c >= 0xe0 && c <= 0xef) {
        if (c == 0xe0)
            *lo = 0xa0;
        else if (c == 0xed)
            *hi = 0x9f;
        return 2;
    }
    if (c >= 0xf0 && c <= 0xf4) {
        if (c == 0xf0)
            *lo = 0x90;
        else if (c == 0xf4)
            *hi = 0x8f;
        return 3;
    }
    return -1;
}

bool bg_codec_utf8_valid(const char *str, size_t len)
{
    const unsigned char *s = (const unsigned char *)str;
    size_t i = 0;
    int n, k;

    while (i < len) {
        unsigned char lo, hi;

        if (s[i] < 0x80) {
            i++;
            continue;
        }
        n = utf8_lead(s[i], &lo, &hi);
        if (n < 0 || len - i - 1 < (size_t)n || s[i + 1] < lo || s[i + 1] > hi)
            return false;
        for (k = 2; k <= n; k++) {
            if (s[i + k] < 0x80 || s[i + k] > 0xbf)
                return false;
        }
        i += (size_t)n + 1;
    }
    return true;
}

struct bg_value *bg_value_copy_map(struct bg_arena *a, const struct bg_value *v)
{
    struct bg_value *out = bg_value_map(a, bg_value_len(v));
    size_t i;

    for (i = 0; v != NULL && v->kind == BG_MAP && i < v->u.map.len; i++)
        bg_value_put(a, out, v->u.map.items[i].key, v->u.map.items[i].value);
    return out;
}
