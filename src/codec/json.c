/*
 * json.c - JSON (raw state in UpgradeResourceState) <-> struct bg_value, on top of cJSON.
 *
 * cJSON keeps every number only as a double, which would round int64 values above 2^53, and
 * it accepts raw control characters and turns "\u0000" into a silently shortened C string.
 * So a small pre-scan walks the text first: it enforces the depth bound (with an offset, and
 * before cJSON's own recursion can go 1000 deep), rejects what cJSON would mangle, and records
 * each number's text. Numbers appear in the text in the same order as in a depth-first walk
 * of cJSON's tree, so the n-th number node gets the n-th recorded text and parses exactly.
 */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "bluegreen/codec.h"
#include "codec/internal.h"

struct token {
    size_t off, len;
};

struct scan {
    const char *text;
    size_t len;
    struct token *nums;
    size_t count, cap, next;
    struct bg_arena *a;
    struct bg_error *err;
};

static void add_number(struct scan *s, size_t off, size_t len)
{
    if (s->count == s->cap) {
        size_t cap = s->cap < 16 ? 16 : s->cap * 2;
        struct token *p = bg_arena_calloc(s->a, cap, sizeof(*p));

        if (s->count > 0)
            memcpy(p, s->nums, s->count * sizeof(*p));
        s->nums = p;
        s->cap = cap;
    }
    s->nums[s->count].off = off;
    s->nums[s->count].len = len;
    s->count++;
}

/* Skips the string starting at the quote at i; returns the offset after its closing quote
 * (or len when unterminated: cJSON reports that). */
static int skip_string(struct scan *s, size_t *i)
{
    size_t j = *i + 1;

    while (j < s->len && s->text[j] != '"') {
        unsigned char c = (unsigned char)s->text[j];

        if (c < 0x20)
            return bg_error_set(s->err, BG_EPROTO,
                                "json: control character in string at "
                                "offset %zu",
                                j);
        if (c == '\\' && s->len - j >= 6 && memcmp(s->text + j, "\\u0000", 6) == 0)
            return bg_error_set(s->err, BG_EPROTO, "json: \\u0000 in string at offset %zu", j);
        j += c == '\\' ? 2 : 1;
    }
    *i = j < s->len ? j + 1 : s->len;
    return 0;
}

static size_t skip_number(const struct scan *s, size_t i)
{
    while (i < s->len && strchr("0123456789+-.eE", s->text[i]) != NULL && s->text[i] != '\0')
        i++;
    return i;
}

static int prescan(struct scan *s)
{
    size_t i = 0, end;
    int depth = 0, rc;

    while (i < s->len) {
        char c = s->text[i];

        if (c == '"') {
            rc = skip_string(s, &i);
            if (rc != 0)
                return rc;
        } else if (c == '-' || (c >= '0' && c <= '9')) {
            end = skip_number(s, i);
            add_number(s, i, end - i);
            i = end;
        } else {
            if (c == '[' || c == '{')
                depth++;
            else if (c == ']' || c == '}')
                depth--;
            if (depth > BG_CODEC_MAX_DEPTH)
                return bg_error_set(s->err, BG_ELIMIT,
                                    "json: nesting deeper than %d levels "
                                    "at offset %zu",
                                    BG_CODEC_MAX_DEPTH, i);
            i++;
        }
    }
    return 0;
}

static int from_number(struct scan *s, struct bg_value **out, const cJSON *node)
{
    double d = node->valuedouble;
    int64_t i;

    if (s->next < s->count) {
        const struct token *t = &s->nums[s->next++];

        if (bg_codec_parse_int(&i, s->text + t->off, t->len)) {
            *out = bg_value_int(s->a, i);
            return 0;
        }
    }
    if (!isfinite(d))
        return bg_error_set(s->err, BG_EPROTO, "json: number out of range");
    /* "1.0" and "1e3" are integral too; a huge integer stays a (rounded) double. */
    if (bg_codec_double_to_int(&i, d))
        *out = bg_value_int(s->a, i);
    else
        *out = bg_value_float(s->a, d);
    return 0;
}

static int from_string(struct scan *s, struct bg_value **out, const char *str)
{
    size_t n = strlen(str);

    if (!bg_codec_utf8_valid(str, n))
        return bg_error_set(s->err, BG_EPROTO, "json: invalid UTF-8 in string");
    *out = bg_value_stringn(s->a, str, n);
    return 0;
}

static int from_cjson(struct scan *s, struct bg_value **out, const cJSON *node);

static int from_object(struct scan *s, struct bg_value **out, const cJSON *node)
{
    struct bg_value *map = bg_value_map(s->a, 0), *key = NULL, *value = NULL;
    const struct bg_member *dup;
    const cJSON *child;
    int rc;

    cJSON_ArrayForEach(child, node)
    {
        rc = from_string(s, &key, child->string);
        if (rc == 0)
            rc = from_cjson(s, &value, child);
        if (rc != 0)
            return rc;
        bg_codec_map_append(s->a, map, key->u.s.ptr, key->u.s.len, value);
    }
    dup = bg_codec_find_duplicate(s->a, map);
    if (dup != NULL)
        return bg_error_set(s->err, BG_EPROTO, "json: duplicate key \"%s\"",
                            bg_codec_printable(s->a, dup->key, 64));
    *out = map;
    return 0;
}

static int from_cjson(struct scan *s, struct bg_value **out, const cJSON *node)
{
    struct bg_value *arr, *item = NULL;
    const cJSON *child;
    int rc;

    if (cJSON_IsNull(node)) {
        *out = bg_value_null(s->a);
    } else if (cJSON_IsBool(node)) {
        *out = bg_value_bool(s->a, cJSON_IsTrue(node));
    } else if (cJSON_IsNumber(node)) {
        return from_number(s, out, node);
    } else if (cJSON_IsString(node)) {
        return from_string(s, out, node->valuestring);
    } else if (cJSON_IsObject(node)) {
        return from_object(s, out, node);
    } else {
        /* The pre-scan bounded the depth, so this recursion is bounded too. */
        arr = bg_value_array(s->a, 0);
        cJSON_ArrayForEach(child, node)
        {
            rc = from_cjson(s, &item, child);
            if (rc != 0)
                return rc;
            bg_value_append(s->a, arr, item);
        }
        *out = arr;
    }
    return 0;
}

static bool is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

int bg_json_decode(struct bg_value **out, struct bg_arena *a, const char *text, size_t len,
                   struct bg_error *err)
{
    struct scan s = {.text = text, .len = len, .a = a, .err = err};
    const char *end = NULL;
    cJSON *root;
    int rc;

    *out = NULL;
    if (len > BG_CODEC_MAX_INPUT)
        return bg_error_set(err, BG_ELIMIT, "json: input of %zu bytes exceeds the limit of %u", len,
                            BG_CODEC_MAX_INPUT);
    rc = prescan(&s);
    if (rc != 0)
        return rc;
    root = cJSON_ParseWithLengthOpts(text, len, &end, 0);
    if (root == NULL)
        return bg_error_set(err, BG_EPROTO, "json: syntax error at offset %zu",
                            end != NULL ? (size_t)(end - text) : 0);
    while (end < text + len && is_space(*end))
        end++;
    if (end != text + len)
        rc = bg_error_set(err, BG_EPROTO, "json: trailing characters at offset %zu",
                          (size_t)(end - text));
    else
        rc = from_cjson(&s, out, root);
    cJSON_Delete(root);
    if (rc != 0)
        *out = NULL;
    return rc;
}

/* --- encoding ------------------------------------------------------------------------- */

/* cJSON returns NULL only when malloc fails; treat that like the arena does. */
static cJSON *checked(cJSON *node)
{
    if (node == NULL) {
        fputs("bluegreen: out of memory\n", stderr);
        abort();
    }
    return node;
}

/* Numbers go in as raw text: cJSON_CreateNumber would pass an int64 through a double. The
 * shortest of %.15g..%.17g that reads back exactly keeps 0.1 as "0.1". */
static int number_text(char *buf, size_t size, const struct bg_value *v, struct bg_error *err)
{
    int64_t i;
    int prec;

    if (v->kind == BG_INT || bg_codec_double_to_int(&i, v->u.f)) {
        snprintf(buf, size, "%" PRId64, v->kind == BG_INT ? v->u.i : i);
        return 0;
    }
    if (!isfinite(v->u.f))
        return bg_error_set(err, BG_EINVAL, "json: cannot encode %s",
                            isnan(v->u.f) ? "NaN" : "an infinite number");
    for (prec = 15; prec <= 17; prec++) {
        snprintf(buf, size, "%.*g", prec, v->u.f);
        if (strtod(buf, NULL) == v->u.f)
            break;
    }
    return 0;
}

static int to_cjson(cJSON **out, const struct bg_value *v, int depth, struct bg_error *err);

static int string_text(const char **out, const char *s, size_t len, struct bg_error *err)
{
    /* cJSON takes C strings: an embedded NUL would silently end the text. */
    if (memchr(s, '\0', len) != NULL)
        return bg_error_set(err, BG_EINVAL, "json: cannot encode a string containing NUL");
    *out = s;
    return 0;
}

static int to_container(cJSON **out, const struct bg_value *v, int depth, struct bg_error *err)
{
    cJSON *node, *child = NULL;
    const char *key = NULL;
    size_t i;
    int rc = 0;

    if (depth >= BG_CODEC_MAX_DEPTH)
        return bg_error_set(err, BG_ELIMIT, "json: value nests deeper than %d levels",
                            BG_CODEC_MAX_DEPTH);
    node = checked(v->kind == BG_ARRAY ? cJSON_CreateArray() : cJSON_CreateObject());
    for (i = 0; i < bg_value_len(v) && rc == 0; i++) {
        if (v->kind == BG_ARRAY) {
            rc = to_cjson(&child, v->u.arr.items[i], depth + 1, err);
            if (rc == 0)
                cJSON_AddItemToArray(node, child);
            continue;
        }
        rc = string_text(&key, v->u.map.items[i].key, v->u.map.items[i].key_len, err);
        if (rc == 0)
            rc = to_cjson(&child, v->u.map.items[i].value, depth + 1, err);
        if (rc == 0 && !cJSON_AddItemToObject(node, key, child))
            abort(); /* fails only on malloc failure */
    }
    if (rc != 0)
        cJSON_Delete(node);
    else
        *out = node;
    return rc;
}

static int to_cjson(cJSON **out, const struct bg_value *v, int depth, struct bg_error *err)
{
    const char *s = NULL;
    char num[32];
    int rc;

    if (v == NULL || v->kind == BG_NULL) {
        *out = checked(cJSON_CreateNull());
        return 0;
    }
    switch (v->kind) {
    case BG_UNKNOWN:
        return bg_error_set(err, BG_EINVAL, "json: cannot encode an unknown value");
    case BG_BOOL:
        *out = checked(cJSON_CreateBool(v->u.b));
        return 0;
    case BG_INT:
    case BG_FLOAT:
        rc = number_text(num, sizeof(num), v, err);
        if (rc == 0)
            *out = checked(cJSON_CreateRaw(num));
        return rc;
    case BG_STRING:
        rc = string_text(&s, v->u.s.ptr, v->u.s.len, err);
        if (rc == 0)
            *out = checked(cJSON_CreateString(s));
        return rc;
    default:
        return to_container(out, v, depth, err);
    }
}

int bg_json_encode(char **out, struct bg_arena *a, const struct bg_value *v, struct bg_error *err)
{
    cJSON *root = NULL;
    char *text;
    int rc;

    *out = NULL;
    rc = to_cjson(&root, v, 0, err);
    if (rc != 0)
        return rc;
    text = cJSON_PrintUnformatted(root);
    cJSON_Delete(root);
    if (text == NULL) {
        fputs("bluegreen: out of memory\n", stderr);
        abort();
    }
    /* Copied so the caller frees nothing: cJSON's buffer goes back to cJSON's allocator. */
    *out = bg_arena_strdup(a, text);
    cJSON_free(text);
    return 0;
}
