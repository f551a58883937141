/* json_test.c - JSON raw state <-> value tree, exact numbers, hostile input. */
#include <criterion/criterion.h>
#include <math.h>
#include <stdint.h>
#include <string.h>

#include "bluegreen/codec.h"
#include "unit/codec/helpers.h"

TestSuite(codec_json, .init = setup, .fini = teardown);

static struct bg_value *decode(int *rc, struct bg_error *err, const char *text)
{
    struct bg_value *v = (struct bg_value *)1;

    *rc = bg_json_decode(&v, arena, text, strlen(text), err);
    return v;
}

static char *encode(const struct bg_value *v)
{
    struct bg_error err = BG_ERROR_INIT;
    char *text = NULL;

    cr_assert_eq(bg_json_encode(&text, arena, v, &err), 0, "%s", err.msg);
    return text;
}

Test(codec_json, decodes_every_scalar_kind)
{
    static const struct {
        const char *text;
        enum bg_kind kind;
        int64_t i;
        double f;
        const char *s;
    } cases[] = {
        {"null", BG_NULL, 0, 0, NULL},
        {"true", BG_BOOL, 1, 0, NULL},
        {"false", BG_BOOL, 0, 0, NULL},
        {"0", BG_INT, 0, 0, NULL},
        {"-5", BG_INT, -5, 0, NULL},
        {"9223372036854775807", BG_INT, INT64_MAX, 0, NULL},
        {"-9223372036854775808", BG_INT, INT64_MIN, 0, NULL},
        {"9007199254740993", BG_INT, 9007199254740993, 0, NULL},
        {"1.0", BG_INT, 1, 0, NULL},
        {"1e3", BG_INT, 1000, 0, NULL},
        {"-0", BG_INT, 0, 0, NULL},
        {"1.5", BG_FLOAT, 0, 1.5, NULL},
        {"0.1", BG_FLOAT, 0, 0.1, NULL},
        {"1e19", BG_FLOAT, 0, 1e19, NULL},
        {"9223372036854775808", BG_FLOAT, 0, 9223372036854775808.0, NULL},
        {" \"web\" ", BG_STRING, 0, 0, "web"},
        {"\"\\u00e9\\n\\\"\"", BG_STRING, 0, 0, "\xc3\xa9\n\""},
        {"\"\"", BG_STRING, 0, 0, ""},
    };
    struct bg_error err = BG_ERROR_INIT;
    struct bg_value *v;
    size_t k;
    int rc;

    for (k = 0; k < sizeof(cases) / sizeof(cases[0]); k++) {
        v = decode(&rc, &err, cases[k].text);
        cr_assert_eq(rc, 0, "%s: %s", cases[k].text, err.msg);
        cr_assert_eq(v->kind, cases[k].kind, "%s: kind %d", cases[k].text, v->kind);
        if (v->kind == BG_INT)
            cr_assert_eq(v->u.i, cases[k].i, "%s: %lld", cases[k].text, (long long)v->u.i);
        if (v->kind == BG_BOOL)
            cr_assert_eq(v->u.b, cases[k].i != 0, "%s", cases[k].text);
        if (v->kind == BG_FLOAT)
            cr_assert_eq(v->u.f, cases[k].f, "%s: %.17g", cases[k].text, v->u.f);
        if (v->kind == BG_STRING)
            cr_assert_str_eq(v->u.s.ptr, cases[k].s, "%s", cases[k].text);
    }
}

Test(codec_json, decodes_nested_raw_state_keeping_member_order)
{
    static const char text[] = "{\"name\":\"blue\",\"port\":8080,\"listener\":[{\"arn\":null,"
                               "\"rules\":[]}],\"tags\":{\"env\":\"prod\"},\"ids\":[1,2.5,"
                               "9007199254740993]}";
    struct bg_error err = BG_ERROR_INIT;
    struct bg_value *v, *ids;
    int rc;

    v = decode(&rc, &err, text);
    cr_assert_eq(rc, 0, "%s", err.msg);
    cr_assert_eq(bg_value_len(v), 5);
    cr_assert_str_eq(v->u.map.items[2].key, "listener");
    cr_assert_eq(bg_value_get(v, "port")->u.i, 8080);
    cr_assert(bg_value_is_null(bg_value_get(bg_value_get(v, "listener")->u.arr.items[0], "arn")));
    cr_assert_str_eq(bg_value_as_string(bg_value_get(bg_value_get(v, "tags"), "env")), "prod");
    ids = bg_value_get(v, "ids");
    cr_assert_eq(ids->u.arr.items[0]->u.i, 1);
    cr_assert_eq(ids->u.arr.items[1]->u.f, 2.5);
    cr_assert_eq(ids->u.arr.items[2]->u.i, 9007199254740993, "numbers matched to their text");
    cr_assert_str_eq(encode(v), text);
}

Test(codec_json, numbers_inside_strings_do_not_shift_the_exact_ints)
{
    struct bg_error err = BG_ERROR_INIT;
    struct bg_value *v;
    int rc;

    v = decode(&rc, &err, "{\"a-1\":\"12 \\\"34\\\" -5\",\"b\":[9007199254740993,-1e2]}");
    cr_assert_eq(rc, 0, "%s", err.msg);
    cr_assert_str_eq(bg_value_as_string(bg_value_get(v, "a-1")), "12 \"34\" -5");
    cr_assert_eq(bg_value_get(v, "b")->u.arr.items[0]->u.i, 9007199254740993);
    cr_assert_eq(bg_value_get(v, "b")->u.arr.items[1]->u.i, -100);
}

static char *nested(size_t depth)
{
    char *text = bg_arena_alloc(arena, depth * 2 + 1);

    memset(text, '[', depth);
    memset(text + depth, ']', depth);
    return text;
}

Test(codec_json, accepts_64_levels_and_rejects_a_depth_bomb)
{
    struct bg_error err = BG_ERROR_INIT;
    struct bg_value *v;
    int rc;

    v = decode(&rc, &err, nested(64));
    cr_assert_eq(rc, 0, "%s", err.msg);
    cr_assert_eq(v->kind, BG_ARRAY);
    v = decode(&rc, &err, nested(65));
    cr_assert_eq(rc, BG_ELIMIT);
    cr_assert_null(v);
    cr_assert_str_eq(err.msg, "json: nesting deeper than 64 levels at offset 64");
    decode(&rc, &err, nested(100000));
    cr_assert_eq(rc, BG_ELIMIT);
    decode(&rc, &err, "[\"[[[[\", {\"a\": {}}]");
    cr_assert_eq(rc, 0, "brackets inside strings do not count: %s", err.msg);
}

Test(codec_json, rejects_malformed_documents)
{
    static const struct {
        const char *text, *msg;
    } cases[] = {
        {"", "json: syntax error at offset 0"},
        {"{", "json: syntax error at offset 0"},
        {"[1,]", "json: syntax error at offset 3"},
        {"1 2", "json: trailing characters at offset 2"},
        {"{} x", "json: trailing characters at offset 3"},
        {"\"a\\u0000b\"", "json: \\u0000 in string at offset 2"},
        {"\"a\tb\"", "json: control character in string at offset 2"},
        {"{\"a\":1,\"a\":2}", "json: duplicate key \"a\""},
        {"{\"\\n\\\\\":1,\"\\n\\\\\":2}", "json: duplicate key \"\\x0a\\x5c\""},
        {"\"\xff\"", "json: invalid UTF-8 in string"},
        {"{\"\xc0\x80\":1}", "json: invalid UTF-8 in string"},
        {"1e999", "json: number out of range"},
    };
    struct bg_error err = BG_ERROR_INIT;
    struct bg_value *v;
    size_t k;
    int rc;

    for (k = 0; k < sizeof(cases) / sizeof(cases[0]); k++) {
        v = decode(&rc, &err, cases[k].text);
        cr_assert_eq(rc, BG_EPROTO, "%s: rc %d", cases[k].text, rc);
        cr_assert_null(v, "%s", cases[k].text);
        cr_assert_str_eq(err.msg, cases[k].msg);
    }
}

Test(codec_json, rejects_every_truncation_of_a_valid_document)
{
    static const char text[] = "{\"a\":[1,-2.5e3,true,null,\"x\\\"y\"],\"b\":{\"c\":false}}";
    struct bg_error err = BG_ERROR_INIT;
    struct bg_value *v = NULL;
    size_t n;

    for (n = 0; n < sizeof(text) - 1; n++) {
        v = (struct bg_value *)1;
        cr_assert_eq(bg_json_decode(&v, arena, text, n, &err), BG_EPROTO, "prefix %zu", n);
        cr_assert_null(v);
    }
    cr_assert_eq(bg_json_decode(&v, arena, text, n, &err), 0, "%s", err.msg);
}

Test(codec_json, encodes_every_kind_compactly)
{
    struct bg_value *m = bg_value_map(arena, 0), *arr = bg_value_array(arena, 0);

    bg_value_append(arena, arr, bg_value_bool(arena, true));
    bg_value_append(arena, arr, NULL);
    bg_value_append(arena, arr, bg_value_string(arena, "a\"b\n\xc3\xa9"));
    bg_value_put(arena, m, "list", arr);
    bg_value_put(arena, m, "max", bg_value_int(arena, INT64_MAX));
    bg_value_put(arena, m, "min", bg_value_int(arena, INT64_MIN));
    bg_value_put(arena, m, "tenth", bg_value_float(arena, 0.1));
    bg_value_put(arena, m, "three", bg_value_float(arena, 3.0));
    bg_value_put(arena, m, "big", bg_value_float(arena, 1e300));
    bg_value_put(arena, m, "third", bg_value_float(arena, 1.0 / 3));
    bg_value_put(arena, m, "empty", bg_value_map(arena, 0));
    cr_assert_str_eq(encode(m), "{\"list\":[true,null,\"a\\\"b\\n\xc3\xa9\"],"
                                "\"max\":9223372036854775807,\"min\":-9223372036854775808,"
                                "\"tenth\":0.1,\"three\":3,\"big\":1e+300,"
                                "\"third\":0.3333333333333333,\"empty\":{}}");
    cr_assert_str_eq(encode(NULL), "null");
}

Test(codec_json, refuses_what_json_cannot_express)
{
    struct bg_error err = BG_ERROR_INIT;
    struct bg_value *m = bg_value_map(arena, 0);
    char *text = NULL;

    bg_value_put(arena, m, "arn", bg_value_unknown(arena));
    cr_assert_eq(bg_json_encode(&text, arena, m, &err), BG_EINVAL);
    cr_assert_str_eq(err.msg, "json: cannot encode an unknown value");
    cr_assert_null(text);
    cr_assert_eq(bg_json_encode(&text, arena, bg_value_float(arena, INFINITY), &err), BG_EINVAL);
    cr_assert_str_eq(err.msg, "json: cannot encode an infinite number");
    cr_assert_eq(bg_json_encode(&text, arena, bg_value_float(arena, NAN), &err), BG_EINVAL);
    cr_assert_str_eq(err.msg, "json: cannot encode NaN");
    cr_assert_eq(bg_json_encode(&text, arena, bg_value_stringn(arena, "a\0b", 3), &err), BG_EINVAL);
    cr_assert_str_eq(err.msg, "json: cannot encode a string containing NUL");
}

Test(codec_json, round_trips_a_decoded_msgpack_object)
{
    struct bg_error err = BG_ERROR_INIT;
    struct bg_value *v, *back = NULL;
    char *text;
    int rc;

    /* {"name": "blue", "weights": [0.25, "0.1", 7], "ok": true} */
    v = decode_hex(&rc, &err,
                   "83 a4 6e 61 6d 65 a4 62 6c 75 65 a7 77 65 69 67 68 74 73 93 cb 3f"
                   " d0 00 00 00 00 00 00 a3 30 2e 31 07 a2 6f 6b c3");
    cr_assert_eq(rc, 0, "%s", err.msg);
    text = encode(v);
    cr_assert_str_eq(text, "{\"name\":\"blue\",\"weights\":[0.25,\"0.1\",7],\"ok\":true}");
    cr_assert_eq(bg_json_decode(&back, arena, text, strlen(text), &err), 0, "%s", err.msg);
    cr_assert(bg_value_equal(v, back));
}
