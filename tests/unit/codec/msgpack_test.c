/* msgpack_test.c - go-cty's msgpack value encoding, both ways, and hostile input. */
#include <criterion/criterion.h>
#include <math.h>
#include <stdint.h>
#include <string.h>

#include "bluegreen/codec.h"
#include "unit/codec/helpers.h"

TestSuite(codec_msgpack, .init = setup, .fini = teardown);

struct scalar_case {
    const char *hex;
    enum bg_kind kind;
    int64_t i;
    double f;
    const char *s;
};

static void check_scalar(const struct scalar_case *c, const struct bg_value *v)
{
    cr_assert_eq(v->kind, c->kind, "%s: kind %d", c->hex, v->kind);
    if (c->kind == BG_INT)
        cr_assert_eq(v->u.i, c->i, "%s: got %lld", c->hex, (long long)v->u.i);
    if (c->kind == BG_BOOL)
        cr_assert_eq(v->u.b, c->i != 0, "%s", c->hex);
    if (c->kind == BG_FLOAT)
        cr_assert_eq(v->u.f, c->f, "%s: got %.17g", c->hex, v->u.f);
    if (c->kind == BG_STRING) {
        cr_assert_eq(v->u.s.len, strlen(c->s), "%s", c->hex);
        cr_assert_str_eq(v->u.s.ptr, c->s, "%s", c->hex);
    }
}

Test(codec_msgpack, decodes_every_scalar_format)
{
    static const struct scalar_case cases[] = {
        {"c0", BG_NULL, 0, 0, NULL},
        {"c2", BG_BOOL, 0, 0, NULL},
        {"c3", BG_BOOL, 1, 0, NULL},
        {"00", BG_INT, 0, 0, NULL},
        {"7f", BG_INT, 127, 0, NULL},
        {"ff", BG_INT, -1, 0, NULL},
        {"e0", BG_INT, -32, 0, NULL},
        {"cc 80", BG_INT, 128, 0, NULL},
        {"cd 01 00", BG_INT, 256, 0, NULL},
        {"ce 00 01 00 00", BG_INT, 65536, 0, NULL},
        {"ce ff ff ff ff", BG_INT, 4294967295, 0, NULL},
        {"cf 00 00 00 01 00 00 00 00", BG_INT, 4294967296, 0, NULL},
        {"cf 7f ff ff ff ff ff ff ff", BG_INT, INT64_MAX, 0, NULL},
        {"d0 80", BG_INT, -128, 0, NULL},
        {"d0 05", BG_INT, 5, 0, NULL},
        {"d1 ff 7f", BG_INT, -129, 0, NULL},
        {"d2 ff ff 7f ff", BG_INT, -32769, 0, NULL},
        {"d3 ff ff ff ff 7f ff ff ff", BG_INT, -2147483649, 0, NULL},
        {"d3 80 00 00 00 00 00 00 00", BG_INT, INT64_MIN, 0, NULL},
        {"cb 3f f8 00 00 00 00 00 00", BG_FLOAT, 0, 1.5, NULL},
        {"cb 7f f0 00 00 00 00 00 00", BG_FLOAT, 0, INFINITY, NULL},
        {"ca 3f c0 00 00", BG_FLOAT, 0, 1.5, NULL},
        {"ca 3d cc cc cd", BG_FLOAT, 0, (double)0.1f, NULL},
        {"a0", BG_STRING, 0, 0, ""},
        {"a3 66 6f 6f", BG_STRING, 0, 0, "foo"},
        {"d9 03 62 61 72", BG_STRING, 0, 0, "bar"},
        {"da 00 02 c3 a9", BG_STRING, 0, 0, "\xc3\xa9"},
        {"db 00 00 00 01 7a", BG_STRING, 0, 0, "z"},
        {"c4 03 62 69 6e", BG_STRING, 0, 0, "bin"},
        {"c5 00 01 78", BG_STRING, 0, 0, "x"},
        {"c6 00 00 00 00", BG_STRING, 0, 0, ""},
        {"a4 f0 9f 8c 8d", BG_STRING, 0, 0, "\xf0\x9f\x8c\x8d"},
    };
    struct bg_error err = BG_ERROR_INIT;
    size_t k;
    int rc;

    for (k = 0; k < sizeof(cases) / sizeof(cases[0]); k++) {
        struct bg_value *v = decode_hex(&rc, &err, cases[k].hex);

        cr_assert_eq(rc, 0, "%s: %s", cases[k].hex, err.msg);
        check_scalar(&cases[k], v);
    }
}

Test(codec_msgpack, decodes_uint64_beyond_int64_as_a_decimal_string)
{
    struct bg_error err = BG_ERROR_INIT;
    struct bg_value *v;
    int rc;

    v = decode_hex(&rc, &err, "cf ff ff ff ff ff ff ff ff");
    cr_assert_eq(rc, 0, "%s", err.msg);
    cr_assert_eq(v->kind, BG_STRING);
    cr_assert_str_eq(v->u.s.ptr, "18446744073709551615");
    v = decode_hex(&rc, &err, "cf 80 00 00 00 00 00 00 00");
    cr_assert_eq(rc, 0, "%s", err.msg);
    cr_assert_str_eq(bg_value_as_string(v), "9223372036854775808");
}

Test(codec_msgpack, decodes_0_1_sent_as_a_string_into_a_usable_number)
{
    struct bg_error err = BG_ERROR_INIT;
    struct bg_value *v;
    double d = 0;
    int rc;

    v = decode_hex(&rc, &err, "a3 30 2e 31");
    cr_assert_eq(rc, 0, "%s", err.msg);
    cr_assert_eq(v->kind, BG_STRING);
    cr_assert_eq(bg_value_as_double(&d, v), 0);
    cr_assert_eq(d, 0.1);
    cr_assert(bg_value_equal(v, bg_value_float(arena, 0.1)));
}

Test(codec_msgpack, decodes_any_extension_as_unknown)
{
    static const char *const cases[] = {
        "d4 00 00",
        "d4 05 ff",
        "d5 01 00 00",
        "d6 ff 01 02 03 04",
        "d7 7f 00 00 00 00 00 00 00 00",
        "d8 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00",
        "c7 00 0c",
        "c7 02 0c 80 80",
        "c8 00 01 03 00",
        "c9 00 00 00 02 04 c0 c0",
    };
    struct bg_error err = BG_ERROR_INIT;
    size_t k;
    int rc;

    for (k = 0; k < sizeof(cases) / sizeof(cases[0]); k++) {
        struct bg_value *v = decode_hex(&rc, &err, cases[k]);

        cr_assert_eq(rc, 0, "%s: %s", cases[k], err.msg);
        cr_assert_eq(v->kind, BG_UNKNOWN, "%s", cases[k]);
    }
}

/* A refined unknown (ext 12): payload map {1: true (not null), 2: "ami-" (string prefix)}. */
#define REFINED_UNKNOWN "c7 09 0c 82 01 c3 02 a4 61 6d 69 2d"

Test(codec_msgpack, decodes_a_refined_unknown_and_keeps_reading_after_it)
{
    struct bg_error err = BG_ERROR_INIT;
    struct bg_value *v;
    int rc;

    /* {"id": <refined unknown>, "name": "web"} */
    v = decode_hex(&rc, &err, "82 a2 69 64 " REFINED_UNKNOWN " a4 6e 61 6d 65 a3 77 65 62");
    cr_assert_eq(rc, 0, "%s", err.msg);
    cr_assert_eq(bg_value_len(v), 2);
    cr_assert(bg_value_is_unknown(bg_value_get(v, "id")));
    cr_assert_str_eq(bg_value_as_string(bg_value_get(v, "name")), "web");
    cr_assert_not(bg_value_is_wholly_known(v));
    cr_assert_str_eq(encode_hex(v), "82 a2 69 64 d4 00 00 a4 6e 61 6d 65 a3 77 65 62");
}

/* A terraform object: {"name": "blue", "port": 8080, "tags": {"env": "prod"},
 * "targets": ["a", "b"], "weight": null, "listener": [{"arn": unknown, "rules": []}]} */
#define TF_OBJECT                                                                                  \
    "86 a4 6e 61 6d 65 a4 62 6c 75 65 a4 70 6f 72 74 cd 1f 90 a4 74 61 67 73 81 a3 65 6e 76"       \
    " a4 70 72 6f 64 a7 74 61 72 67 65 74 73 92 a1 61 a1 62 a6 77 65 69 67 68 74 c0 a8 6c"         \
    " 69 73 74 65 6e 65 72 91 82 a3 61 72 6e d4 00 00 a5 72 75 6c 65 73 90"

Test(codec_msgpack, decodes_a_nested_terraform_object)
{
    struct bg_error err = BG_ERROR_INIT;
    struct bg_value *v, *listener;
    int rc;

    v = decode_hex(&rc, &err, TF_OBJECT);
    cr_assert_eq(rc, 0, "%s", err.msg);
    cr_assert_eq(v->kind, BG_MAP);
    cr_assert_eq(bg_value_len(v), 6);
    cr_assert_str_eq(v->u.map.items[0].key, "name", "member order is kept");
    cr_assert_str_eq(bg_value_as_string(bg_value_get(v, "name")), "blue");
    cr_assert_eq(bg_value_get(v, "port")->u.i, 8080);
    cr_assert_str_eq(bg_value_as_string(bg_value_get(bg_value_get(v, "tags"), "env")), "prod");
    cr_assert_eq(bg_value_len(bg_value_get(v, "targets")), 2);
    cr_assert_str_eq(bg_value_as_string(bg_value_get(v, "targets")->u.arr.items[1]), "b");
    cr_assert_eq(bg_value_get(v, "weight")->kind, BG_NULL);
    listener = bg_value_get(v, "listener")->u.arr.items[0];
    cr_assert(bg_value_is_unknown(bg_value_get(listener, "arn")));
    cr_assert_eq(bg_value_get(listener, "rules")->kind, BG_ARRAY);
    cr_assert_eq(bg_value_len(bg_value_get(listener, "rules")), 0);
}

Test(codec_msgpack, decodes_an_empty_buffer_as_null)
{
    struct bg_error err = BG_ERROR_INIT;
    struct bg_value *v = NULL;

    cr_assert_eq(bg_msgpack_decode(&v, arena, NULL, 0, &err), 0);
    cr_assert_eq(v->kind, BG_NULL);
}

Test(codec_msgpack, encodes_unknown_as_exactly_d4_00_00)
{
    cr_assert_str_eq(encode_hex(bg_value_unknown(arena)), "d4 00 00");
}

Test(codec_msgpack, encodes_ints_in_the_smallest_format)
{
    static const struct {
        int64_t i;
        const char *hex;
    } cases[] = {
        {0, "00"},
        {127, "7f"},
        {128, "cc 80"},
        {255, "cc ff"},
        {256, "cd 01 00"},
        {65535, "cd ff ff"},
        {65536, "ce 00 01 00 00"},
        {4294967296, "cf 00 00 00 01 00 00 00 00"},
        {INT64_MAX, "cf 7f ff ff ff ff ff ff ff"},
        {-1, "ff"},
        {-32, "e0"},
        {-33, "d0 df"},
        {-128, "d0 80"},
        {-129, "d1 ff 7f"},
        {-32768, "d1 80 00"},
        {-32769, "d2 ff ff 7f ff"},
        {-2147483649, "d3 ff ff ff ff 7f ff ff ff"},
        {INT64_MIN, "d3 80 00 00 00 00 00 00 00"},
    };
    size_t k;

    for (k = 0; k < sizeof(cases) / sizeof(cases[0]); k++)
        cr_assert_str_eq(encode_hex(bg_value_int(arena, cases[k].i)), cases[k].hex, "%lld",
                         (long long)cases[k].i);
}

Test(codec_msgpack, encodes_floats_as_cb_unless_they_are_exact_int64s)
{
    static const struct {
        double f;
        const char *hex;
    } cases[] = {
        {3.0, "03"},
        {-0.0, "00"},
        {-200.0, "d1 ff 38"},
        {1e18, "cf 0d e0 b6 b3 a7 64 00 00"},
        {1.5, "cb 3f f8 00 00 00 00 00 00"},
        {0.1, "cb 3f b9 99 99 99 99 99 9a"},
        {9223372036854775808.0, "cb 43 e0 00 00 00 00 00 00"},
        {-INFINITY, "cb ff f0 00 00 00 00 00 00"},
    };
    size_t k;

    for (k = 0; k < sizeof(cases) / sizeof(cases[0]); k++)
        cr_assert_str_eq(encode_hex(bg_value_float(arena, cases[k].f)), cases[k].hex, "%g",
                         cases[k].f);
}

Test(codec_msgpack, encodes_every_other_kind)
{
    struct bg_value *m = bg_value_map(arena, 0), *arr = bg_value_array(arena, 0);
    char long_str[33];

    memset(long_str, 'x', 32);
    long_str[32] = '\0';
    cr_assert_str_eq(encode_hex(NULL), "c0");
    cr_assert_str_eq(encode_hex(bg_value_null(arena)), "c0");
    cr_assert_str_eq(encode_hex(bg_value_bool(arena, false)), "c2");
    cr_assert_str_eq(encode_hex(bg_value_bool(arena, true)), "c3");
    cr_assert_str_eq(encode_hex(bg_value_string(arena, "foo")), "a3 66 6f 6f");
    cr_assert_eq(strncmp(encode_hex(bg_value_string(arena, long_str)), "d9 20 78", 8), 0);
    cr_assert_str_eq(encode_hex(bg_value_stringn(arena, "a\0", 2)), "a2 61 00");
    cr_assert_str_eq(encode_hex(arr), "90");
    cr_assert_str_eq(encode_hex(m), "80");
    bg_value_append(arena, arr, NULL);
    bg_value_put(arena, m, "k", arr);
    cr_assert_str_eq(encode_hex(m), "81 a1 6b 91 c0");
}

Test(codec_msgpack, round_trips_canonical_messages_byte_for_byte)
{
    static const char *const cases[] = {
        TF_OBJECT,        "c0",
        "93 c3 c2 c0",    "92 cb 3f b9 99 99 99 99 99 9a a3 30 2e 31",
        "81 a0 80",       "82 a1 61 d4 00 00 a1 62 92 d4 00 00 cf 7f ff ff ff ff ff ff ff",
        "91 91 91 91 90",
    };
    struct bg_error err = BG_ERROR_INIT;
    struct bg_value *v;
    size_t k, len;
    int rc;

    for (k = 0; k < sizeof(cases) / sizeof(cases[0]); k++) {
        v = decode_hex(&rc, &err, cases[k]);
        cr_assert_eq(rc, 0, "%s: %s", cases[k], err.msg);
        unhex(&len, cases[k]);
        cr_assert_str_eq(encode_hex(v), tohex(unhex(&len, cases[k]), len));
    }
}

Test(codec_msgpack, round_trips_non_canonical_input_to_an_equal_value)
{
    static const char *const cases[] = {
        "cb 40 08 00 00 00 00 00 00", /* 3.0 -> 03 */
        "c4 02 68 69",                /* bin -> str */
        "d0 05",                      /* int8 5 -> fixint */
        "c7 09 0c 82 01 c3 02 a4 61 6d 69 2d",
        "cf ff ff ff ff ff ff ff ff",
        "ca 3d cc cc cd",
    };
    struct bg_error err = BG_ERROR_INIT;
    struct bg_value *v, *again = NULL;
    uint8_t *buf = NULL;
    size_t k, len = 0;
    int rc;

    for (k = 0; k < sizeof(cases) / sizeof(cases[0]); k++) {
        v = decode_hex(&rc, &err, cases[k]);
        cr_assert_eq(rc, 0, "%s: %s", cases[k], err.msg);
        cr_assert_eq(bg_msgpack_encode(&buf, &len, arena, v, &err), 0, "%s", err.msg);
        cr_assert_eq(bg_msgpack_decode(&again, arena, buf, len, &err), 0, "%s", err.msg);
        cr_assert(bg_value_equal(v, again), "%s", cases[k]);
    }
}

Test(codec_msgpack, rejects_every_truncation_of_a_valid_message)
{
    struct bg_error err = BG_ERROR_INIT;
    struct bg_value *v;
    size_t len, n;
    /* {"o": <TF_OBJECT>, "r": <refined unknown>}: every kind of header gets cut somewhere. */
    uint8_t *buf = unhex(&len, "82 a1 6f " TF_OBJECT " a1 72 " REFINED_UNKNOWN);
    for (n = 1; n < len; n++) {
        v = (struct bg_value *)1;
        bg_error_clear(&err);
        cr_assert_eq(bg_msgpack_decode(&v, arena, buf, n, &err), BG_EPROTO, "prefix %zu", n);
        cr_assert_null(v, "prefix %zu", n);
        cr_assert_eq(err.code, BG_EPROTO);
        cr_assert_neq(err.msg[0], '\0');
        cr_assert_null(strchr(err.msg, '\n'));
    }
    cr_assert_eq(bg_msgpack_decode(&v, arena, buf, len, &err), 0, "%s", err.msg);
}

Test(codec_msgpack, reports_truncation_with_the_offset_of_the_cut_value)
{
    struct bg_error err = BG_ERROR_INIT;
    int rc;

    decode_hex(&rc, &err, "92 01 cd 01");
    cr_assert_eq(rc, BG_EPROTO);
    cr_assert_str_eq(err.msg, "msgpack: truncated value at offset 2");
}

static char *nested_arrays(size_t depth)
{
    char *hex = bg_arena_alloc(arena, depth * 3 + 3);
    size_t i;

    for (i = 0; i < depth; i++)
        memcpy(hex + i * 3, "91 ", 3);
    memcpy(hex + depth * 3, "c0", 3);
    return hex;
}

Test(codec_msgpack, accepts_exactly_64_levels_of_nesting)
{
    struct bg_error err = BG_ERROR_INIT;
    struct bg_value *v;
    int rc;

    v = decode_hex(&rc, &err, nested_arrays(64));
    cr_assert_eq(rc, 0, "%s", err.msg);
    cr_assert_eq(v->kind, BG_ARRAY);
    decode_hex(&rc, &err, nested_arrays(65));
    cr_assert_eq(rc, BG_ELIMIT);
    cr_assert_str_eq(err.msg, "msgpack: nesting deeper than 64 levels at offset 64");
}

Test(codec_msgpack, rejects_a_depth_bomb_of_1000_arrays)
{
    struct bg_error err = BG_ERROR_INIT;
    struct bg_value *v;
    int rc;

    v = decode_hex(&rc, &err, nested_arrays(1000));
    cr_assert_eq(rc, BG_ELIMIT);
    cr_assert_null(v);
    cr_assert_str_eq(err.msg, "msgpack: nesting deeper than 64 levels at offset 64");
    /* Maps count towards the same bound: {"a": {"a": ...}} */
    decode_hex(&rc, &err,
               "81 a1 61 81 a1 61 81 a1 61 81 a1 61 81 a1 61 81 a1 61 81 a1 61 81 a1"
               " 61 81 a1 61 81 a1 61 81 a1 61 81 a1 61 81 a1 61 81 a1 61 81 a1 61 81"
               " a1 61 81 a1 61 81 a1 61 81 a1 61 81 a1 61 81 a1 61 81 a1 61 81 a1 61"
               " 81 a1 61 81 a1 61 81 a1 61 81 a1 61 81 a1 61 81 a1 61 81 a1 61 81 a1"
               " 61 81 a1 61 81 a1 61 81 a1 61 81 a1 61 81 a1 61 81 a1 61 81 a1 61 81"
               " a1 61 81 a1 61 81 a1 61 81 a1 61 81 a1 61 81 a1 61 81 a1 61 81 a1 61"
               " 81 a1 61 81 a1 61 81 a1 61 81 a1 61 81 a1 61 81 a1 61 81 a1 61 81 a1"
               " 61 81 a1 61 81 a1 61 81 a1 61 81 a1 61 81 a1 61 81 a1 61 81 a1 61 81"
               " a1 61 81 a1 61 81 a1 61 81 a1 61 81 a1 61 81 a1 61 81 a1 61 81 a1 61"
               " 81 a1 61 81 a1 61 81 a1 61 81 a1 61 81 a1 61 81 a1 61 81 a1 61 c0");
    cr_assert_eq(rc, BG_ELIMIT, "%s", err.msg);
}

Test(codec_msgpack, rejects_length_claims_beyond_the_input_without_allocating_them)
{
    static const struct {
        const char *hex, *msg;
    } cases[] = {
        {"dd ff ff ff ff c0",
         "msgpack: array of 4294967295 items at offset 0 exceeds the 1 bytes left"},
        {"dc ff ff", "msgpack: array of 65535 items at offset 0 exceeds the 0 bytes left"},
        {"df ff ff ff ff a1 61 c0",
         "msgpack: map of 4294967295 members at offset 0 exceeds the 3 bytes left"},
        {"81 a1 61", "msgpack: truncated value at offset 3"},
        {"db ff ff ff ff 61",
         "msgpack: string of 4294967295 bytes at offset 0 exceeds the 1 bytes left"},
        {"c6 ff ff ff ff",
         "msgpack: string of 4294967295 bytes at offset 0 exceeds the 0 bytes left"},
        {"c9 ff ff ff ff 05", "msgpack: extension at offset 0 exceeds the 1 bytes left"},
        {"d8 00 00", "msgpack: extension at offset 0 exceeds the 2 bytes left"},
        {"91 dd 00 01 00 00", "msgpack: array of 65536 items at offset 1 exceeds the 0 bytes left"},
    };
    struct bg_error err = BG_ERROR_INIT;
    size_t k;
    int rc;

    for (k = 0; k < sizeof(cases) / sizeof(cases[0]); k++) {
        size_t before = bg_arena_used(arena);

        cr_assert_null(decode_hex(&rc, &err, cases[k].hex));
        cr_assert_eq(rc, BG_EPROTO, "%s", cases[k].hex);
        cr_assert_str_eq(err.msg, cases[k].msg);
        cr_assert_lt(bg_arena_used(arena) - before, 1024, "%s", cases[k].hex);
    }
}

Test(codec_msgpack, rejects_malformed_values)
{
    static const struct {
        const char *hex, *msg;
    } cases[] = {
        {"c0 c0", "msgpack: 1 trailing bytes at offset 1"},
        {"81 01 02", "msgpack: map key at offset 1 is not a string"},
        {"81 c0 02", "msgpack: map key at offset 1 is not a string"},
        {"81 90 02", "msgpack: map key at offset 1 is not a string"},
        {"82 a1 61 01 a1 61 02", "msgpack: duplicate key \"a\" in map at offset 0"},
        /* found by fuzz_msgpack: a key's raw bytes never reach the message (a diagnostic is
         * one line of valid UTF-8) */
        {"82 a1 0a 01 a1 0a 02", "msgpack: duplicate key \"\\x0a\" in map at offset 0"},
        {"82 a2 c3 a9 01 a2 c3 a9 02", "msgpack: duplicate key \"\\xc3\\xa9\" in map at offset 0"},
        {"a1 ff", "msgpack: invalid UTF-8 in string at offset 0"},
        {"92 c0 a2 c0 80", "msgpack: invalid UTF-8 in string at offset 2"},
        {"a3 ed a0 80", "msgpack: invalid UTF-8 in string at offset 0"},
        {"a4 f4 90 80 80", "msgpack: invalid UTF-8 in string at offset 0"},
        {"81 a1 ff 01", "msgpack: invalid UTF-8 in string at offset 1"},
        {"c1", "msgpack: invalid byte 0xc1 at offset 0"},
        {"cb 7f f8 00 00 00 00 00 00", "msgpack: NaN at offset 0"},
        {"ca 7f c0 00 00", "msgpack: NaN at offset 0"},
    };
    struct bg_error err = BG_ERROR_INIT;
    size_t k;
    int rc;

    for (k = 0; k < sizeof(cases) / sizeof(cases[0]); k++) {
        cr_assert_null(decode_hex(&rc, &err, cases[k].hex));
        cr_assert_eq(rc, BG_EPROTO, "%s", cases[k].hex);
        cr_assert_str_eq(err.msg, cases[k].msg);
    }
}

Test(codec_msgpack, refuses_to_encode_nan_or_trees_deeper_than_the_decoder_accepts)
{
    struct bg_error err = BG_ERROR_INIT;
    struct bg_value *root = bg_value_array(arena, 0), *cur = root;
    uint8_t *buf = NULL;
    size_t len = 0;
    int i;

    cr_assert_eq(bg_msgpack_encode(&buf, &len, arena, bg_value_float(arena, NAN), &err), BG_EINVAL);
    cr_assert_str_eq(err.msg, "msgpack: cannot encode NaN");
    for (i = 1; i < 64; i++) {
        struct bg_value *next = bg_value_array(arena, 0);

        bg_value_append(arena, cur, next);
        cur = next;
    }
    cr_assert_eq(bg_msgpack_encode(&buf, &len, arena, root, &err), 0, "64 levels: %s", err.msg);
    cr_assert_eq(len, 64);
    bg_value_append(arena, cur, bg_value_array(arena, 0));
    cr_assert_eq(bg_msgpack_encode(&buf, &len, arena, root, &err), BG_ELIMIT);
    cr_assert_str_eq(err.msg, "msgpack: value nests deeper than 64 levels");
    cr_assert_null(buf);
}
