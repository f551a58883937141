/*
 * msgpack.c - go-cty's msgpack encoding <-> struct bg_value.
 *
 * Decoding is hand-written rather than msgpack-c's unpacker: msgpack_unpack_next sizes its
 * arrays from the header's claimed count (a 5-byte header can ask for 2^32 objects) and caps
 * nesting at its own compile-time stack of 32, below the 64 levels we promise. Here every
 * claimed length is checked against the bytes left before anything is allocated, and
 * containers grow as items actually arrive, so memory stays proportional to the input.
 * Encoding uses msgpack-c's packer, which already picks the smallest integer format, writing
 * into an arena buffer so the result needs no free.
 */
#include <assert.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include <msgpack.h>

#include "bluegreen/codec.h"
#include "codec/internal.h"

struct reader {
    const uint8_t *buf;
    size_t len, pos;
    struct bg_arena *a;
    struct bg_error *err;
};

/* Formats 0xc0..0xdf: what follows the first byte and how wide its size or value field is. */
enum format {
    F_NIL,
    F_NEVER,
    F_FALSE,
    F_TRUE,
    F_STR,
    F_EXT,
    F_FLOAT32,
    F_FLOAT64,
    F_UINT,
    F_INT,
    F_FIXEXT,
    F_ARRAY,
    F_MAP,
};

static const struct {
    unsigned char format, width;
} formats[32] = {
    {F_NIL, 0},     {F_NEVER, 0},   {F_FALSE, 0},  {F_TRUE, 0},   /* c0 - c3 */
    {F_STR, 1},     {F_STR, 2},     {F_STR, 4},                   /* c4 - c6 bin */
    {F_EXT, 1},     {F_EXT, 2},     {F_EXT, 4},                   /* c7 - c9 */
    {F_FLOAT32, 4}, {F_FLOAT64, 8},                               /* ca - cb */
    {F_UINT, 1},    {F_UINT, 2},    {F_UINT, 4},   {F_UINT, 8},   /* cc - cf */
    {F_INT, 1},     {F_INT, 2},     {F_INT, 4},    {F_INT, 8},    /* d0 - d3 */
    {F_FIXEXT, 1},  {F_FIXEXT, 2},  {F_FIXEXT, 4}, {F_FIXEXT, 8}, /* d4 - d7 */
    {F_FIXEXT, 16},                                               /* d8 */
    {F_STR, 1},     {F_STR, 2},     {F_STR, 4},                   /* d9 - db str */
    {F_ARRAY, 2},   {F_ARRAY, 4},   {F_MAP, 2},    {F_MAP, 4},    /* dc - df */
};

static int read_value(struct reader *r, struct bg_value **out, int depth);

static size_t left(const struct reader *r)
{
    return r->len - r->pos;
}

static int need(struct reader *r, size_t n, size_t at)
{
    if (left(r) < n)
        return bg_error_set(r->err, BG_EPROTO, "msgpack: truncated value at offset %zu", at);
    return 0;
}

/* Big-endian field of width 0..8 at the read position; the caller checked it is there. */
static uint64_t take(struct reader *r, size_t width)
{
    uint64_t n = 0;
    size_t i;

    for (i = 0; i < width; i++)
        n = n << 8 | r->buf[r->pos + i];
    r->pos += width;
    return n;
}

static int read_string(struct reader *r, struct bg_value **out, uint64_t n, size_t at)
{
    const char *s = (const char *)r->buf + r->pos;

    if (n > left(r))
        return bg_error_set(r->err, BG_EPROTO,
                            "msgpack: string of %" PRIu64 " bytes at offset %zu exceeds the "
                            "%zu bytes left",
                            n, at, left(r));
    if (!bg_codec_utf8_valid(s, (size_t)n))
        return bg_error_set(r->err, BG_EPROTO, "msgpack: invalid UTF-8 in string at offset %zu",
                            at);
    *out = bg_value_stringn(r->a, s, (size_t)n);
    r->pos += (size_t)n;
    return 0;
}

/* Any extension is an unknown value. Refinements (ext 12) are skipped, not parsed: the
 * provider may ignore them, and skipping cannot misread them. */
static int skip_extension(struct reader *r, struct bg_value **out, uint64_t n, size_t at)
{
    if (left(r) < 1 || n > left(r) - 1)
        return bg_error_set(r->err, BG_EPROTO,
                            "msgpack: extension at offset %zu exceeds the "
                            "%zu bytes left",
                            at, left(r));
    r->pos += 1 + (size_t)n;
    *out = bg_value_unknown(r->a);
    return 0;
}

static int check_depth(struct reader *r, int depth, size_t at)
{
    if (depth >= BG_CODEC_MAX_DEPTH)
        return bg_error_set(r->err, BG_ELIMIT,
                            "msgpack: nesting deeper than %d levels at "
                            "offset %zu",
                            BG_CODEC_MAX_DEPTH, at);
    return 0;
}

static int read_array(struct reader *r, struct bg_value **out, uint64_t n, size_t at, int depth)
{
    struct bg_value *arr, *item = NULL;
    uint64_t i;
    int rc = check_depth(r, depth, at);

    if (rc != 0)
        return rc;
    /* Each item takes at least one byte. */
    if (n > left(r))
        return bg_error_set(r->err, BG_EPROTO,
                            "msgpack: array of %" PRIu64 " items at offset "
                            "%zu exceeds the %zu bytes left",
                            n, at, left(r));
    arr = bg_value_array(r->a, n < 16 ? (size_t)n : 16);
    for (i = 0; i < n; i++) {
        rc = read_value(r, &item, depth + 1);
        if (rc != 0)
            return rc;
        bg_value_append(r->a, arr, item);
    }
    *out = arr;
    return 0;
}

/* Keys are strings; go-cty reads them with DecodeString, which also takes bin. */
static int read_key(struct reader *r, struct bg_value **out)
{
    size_t at = r->pos;
    uint8_t c;

    if (need(r, 1, at) != 0)
        return BG_EPROTO;
    c = r->buf[r->pos];
    if ((c & 0xe0) == 0xa0 || (c >= 0xc4 && c <= 0xc6) || (c >= 0xd9 && c <= 0xdb))
        return read_value(r, out, 0);
    return bg_error_set(r->err, BG_EPROTO, "msgpack: map key at offset %zu is not a string", at);
}

static int read_map(struct reader *r, struct bg_value **out, uint64_t n, size_t at, int depth)
{
    struct bg_value *map, *key = NULL, *value = NULL;
    const struct bg_member *dup;
    uint64_t i;
    int rc = check_depth(r, depth, at);

    if (rc != 0)
        return rc;
    /* Each member takes at least two bytes. */
    if (n > left(r) / 2)
        return bg_error_set(r->err, BG_EPROTO,
                            "msgpack: map of %" PRIu64 " members at offset "
                            "%zu exceeds the %zu bytes left",
                            n, at, left(r));
    map = bg_value_map(r->a, n < 16 ? (size_t)n : 16);
    for (i = 0; i < n; i++) {
        rc = read_key(r, &key);
        if (rc == 0)
            rc = read_value(r, &value, depth + 1);
        if (rc != 0)
            return rc;
        bg_codec_map_append(r->a, map, key->u.s.ptr, key->u.s.len, value);
    }
    dup = bg_codec_find_duplicate(r->a, map);
    if (dup != NULL)
        return bg_error_set(r->err, BG_EPROTO,
                            "msgpack: duplicate key \"%s\" in map at "
                            "offset %zu",
                            bg_codec_printable(r->a, dup->key, 64), at);
    *out = map;
    return 0;
}

static int read_int(struct reader *r, struct bg_value **out, uint64_t n, size_t width)
{
    int64_t v;

    /* Sign-extend the field from its width. */
    if (width == 1)
        v = (int8_t)(uint8_t)n;
    else if (width == 2)
        v = (int16_t)(uint16_t)n;
    else if (width == 4)
        v = (int32_t)(uint32_t)n;
    else
        v = (int64_t)n;
    *out = bg_value_int(r->a, v);
    return 0;
}

static int read_uint(struct reader *r, struct bg_value **out, uint64_t n)
{
    char text[24];

    if (n <= INT64_MAX) {
        *out = bg_value_int(r->a, (int64_t)n);
        return 0;
    }
    /* Beyond int64: keep every digit as go-cty's decimal-string form of a number. */
    snprintf(text, sizeof(text), "%" PRIu64, n);
    *out = bg_value_string(r->a, text);
    return 0;
}

static int read_float(struct reader *r, struct bg_value **out, uint64_t bits, size_t width,
                      size_t at)
{
    double d;

    if (width == 4) {
        uint32_t b32 = (uint32_t)bits;
        float f;

        memcpy(&f, &b32, sizeof(f));
        d = f;
    } else {
        memcpy(&d, &bits, sizeof(d));
    }
    /* cty numbers have infinities but no NaN (go-cty panics on one). */
    if (isnan(d))
        return bg_error_set(r->err, BG_EPROTO, "msgpack: NaN at offset %zu", at);
    *out = bg_value_float(r->a, d);
    return 0;
}

/* Everything starting with 0xc0..0xdf. */
static int read_typed(struct reader *r, struct bg_value **out, uint8_t c, size_t at, int depth)
{
    unsigned format = formats[c - 0xc0].format, width = formats[c - 0xc0].width;
    uint64_t n;

    if (format == F_FIXEXT)
        return skip_extension(r, out, width, at);
    if (need(r, width, at) != 0)
        return BG_EPROTO;
    n = take(r, width);
    switch (format) {
    case F_NIL:
        *out = bg_value_null(r->a);
        return 0;
    case F_FALSE:
    case F_TRUE:
        *out = bg_value_bool(r->a, format == F_TRUE);
        return 0;
    case F_STR:
        return read_string(r, out, n, at);
    case F_EXT:
        return skip_extension(r, out, n, at);
    case F_FLOAT32:
    case F_FLOAT64:
        return read_float(r, out, n, width, at);
    case F_UINT:
        return read_uint(r, out, n);
    case F_INT:
        return read_int(r, out, n, width);
    case F_ARRAY:
        return read_array(r, out, n, at, depth);
    case F_MAP:
        return read_map(r, out, n, at, depth);
    default:
        return bg_error_set(r->err, BG_EPROTO, "msgpack: invalid byte 0x%02x at offset %zu", c, at);
    }
}

static int read_value(struct reader *r, struct bg_value **out, int depth)
{
    size_t at = r->pos;
    uint8_t c;

    if (need(r, 1, at) != 0)
        return BG_EPROTO;
    c = r->buf[r->pos++];
    if (c <= 0x7f || c >= 0xe0) {
        *out = bg_value_int(r->a, (int8_t)c);
        return 0;
    }
    if (c <= 0x8f)
        return read_map(r, out, c & 0x0f, at, depth);
    if (c <= 0x9f)
        return read_array(r, out, c & 0x0f, at, depth);
    if (c <= 0xbf)
        return read_string(r, out, c & 0x1f, at);
    return read_typed(r, out, c, at, depth);
}

int bg_msgpack_decode(struct bg_value **out, struct bg_arena *a, const uint8_t *buf, size_t len,
                      struct bg_error *err)
{
    struct reader r = {buf, len, 0, a, err};
    struct bg_value *v = NULL;
    int rc;

    *out = NULL;
    if (len > BG_CODEC_MAX_INPUT)
        return bg_error_set(err, BG_ELIMIT,
                            "msgpack: input of %zu bytes exceeds the limit of "
                            "%u",
                            len, BG_CODEC_MAX_INPUT);
    if (len == 0) {
        *out = bg_value_null(a);
        return 0;
    }
    rc = read_value(&r, &v, 0);
    if (rc != 0)
        return rc;
    if (r.pos != len)
        return bg_error_set(err, BG_EPROTO, "msgpack: %zu trailing bytes at offset %zu",
                            len - r.pos, r.pos);
    *out = v;
    return 0;
}

/* --- encoding ------------------------------------------------------------------------- */

struct writer {
    struct bg_arena *a;
    uint8_t *data;
    size_t len, cap;
};

/* msgpack_packer callback: append to an arena buffer, doubling it as needed. */
static int write_bytes(void *data, const char *buf, size_t len)
{
    struct writer *w = data;

    if (w->cap - w->len < len) {
        size_t cap = w->cap * 2 > w->len + len ? w->cap * 2 : w->len + len;
        uint8_t *p = bg_arena_alloc(w->a, cap);

        if (w->len > 0)
            memcpy(p, w->data, w->len);
        w->data = p;
        w->cap = cap;
    }
    memcpy(w->data + w->len, buf, len);
    w->len += len;
    return 0;
}

static int write_value(msgpack_packer *pk, const struct bg_value *v, int depth,
                       struct bg_error *err);

static int write_float(msgpack_packer *pk, double f, struct bg_error *err)
{
    int64_t i;

    if (isnan(f))
        return bg_error_set(err, BG_EINVAL, "msgpack: cannot encode NaN");
    /* go-cty sends a number that is an exact int64 as an int, whatever its origin. */
    if (bg_codec_double_to_int(&i, f))
        return msgpack_pack_int64(pk, i);
    return msgpack_pack_double(pk, f);
}

static int write_container(msgpack_packer *pk, const struct bg_value *v, int depth,
                           struct bg_error *err)
{
    size_t i;
    int rc = 0;

    if (depth >= BG_CODEC_MAX_DEPTH)
        return bg_error_set(err, BG_ELIMIT, "msgpack: value nests deeper than %d levels",
                            BG_CODEC_MAX_DEPTH);
    if (v->kind == BG_ARRAY) {
        msgpack_pack_array(pk, v->u.arr.len);
        for (i = 0; i < v->u.arr.len && rc == 0; i++)
            rc = write_value(pk, v->u.arr.items[i], depth + 1, err);
        return rc;
    }
    msgpack_pack_map(pk, v->u.map.len);
    for (i = 0; i < v->u.map.len && rc == 0; i++) {
        const struct bg_member *m = &v->u.map.items[i];

        msgpack_pack_str_with_body(pk, m->key, m->key_len);
        rc = write_value(pk, m->value, depth + 1, err);
    }
    return rc;
}

/* Packer calls cannot fail: the arena writer aborts rather than return an error. */
static int write_value(msgpack_packer *pk, const struct bg_value *v, int depth,
                       struct bg_error *err)
{
    if (v == NULL)
        return msgpack_pack_nil(pk);
    switch (v->kind) {
    case BG_NULL:
        return msgpack_pack_nil(pk);
    case BG_UNKNOWN:
        /* Exactly what terraform itself sends: fixext 1, type 0, payload 0. */
        return msgpack_pack_ext_with_body(pk, "\0", 1, 0);
    case BG_BOOL:
        return v->u.b ? msgpack_pack_true(pk) : msgpack_pack_false(pk);
    case BG_INT:
        return msgpack_pack_int64(pk, v->u.i);
    case BG_FLOAT:
        return write_float(pk, v->u.f, err);
    case BG_STRING:
        return msgpack_pack_str_with_body(pk, v->u.s.ptr, v->u.s.len);
    case BG_ARRAY:
    case BG_MAP:
        return write_container(pk, v, depth, err);
    }
    assert(!"unreachable: bad value kind");
    return BG_EINVAL;
}

int bg_msgpack_encode(uint8_t **out, size_t *out_len, struct bg_arena *a, const struct bg_value *v,
                      struct bg_error *err)
{
    struct writer w = {a, NULL, 0, 0};
    msgpack_packer pk;
    int rc;

    *out = NULL;
    *out_len = 0;
    msgpack_packer_init(&pk, &w, write_bytes);
    rc = write_value(&pk, v, 0, err);
    if (rc != 0)
        return rc;
    *out = w.data;
    *out_len = w.len;
    return 0;
}
