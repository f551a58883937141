/* value_test.c - the value tree: builders, typed reads, equality by value, clone. */
#include <criterion/criterion.h>
#include <math.h>
#include <stdint.h>
#include <string.h>

#include "bluegreen/value.h"
#include "unit/codec/helpers.h"

TestSuite(codec_value, .init = setup, .fini = teardown);

Test(codec_value, constructors_set_kind_and_payload)
{
    struct bg_value *s = bg_value_stringn(arena, "a\0b", 3);

    cr_assert_eq(bg_value_null(arena)->kind, BG_NULL);
    cr_assert_eq(bg_value_unknown(arena)->kind, BG_UNKNOWN);
    cr_assert_eq(bg_value_bool(arena, true)->u.b, true);
    cr_assert_eq(bg_value_int(arena, INT64_MIN)->u.i, INT64_MIN);
    cr_assert_eq(bg_value_float(arena, 0.25)->u.f, 0.25);
    cr_assert_eq(s->kind, BG_STRING);
    cr_assert_eq(s->u.s.len, 3);
    cr_assert_eq(memcmp(s->u.s.ptr, "a\0b", 4), 0, "copied with a terminating NUL");
    cr_assert_eq(bg_value_array(arena, 0)->kind, BG_ARRAY);
    cr_assert_eq(bg_value_map(arena, 0)->kind, BG_MAP);
}

Test(codec_value, append_grows_past_the_capacity_hint)
{
    struct bg_value *arr = bg_value_array(arena, 1);
    int64_t i, got;

    for (i = 0; i < 100; i++)
        bg_value_append(arena, arr, bg_value_int(arena, i));
    cr_assert_eq(bg_value_len(arr), 100);
    for (i = 0; i < 100; i++) {
        cr_assert_eq(bg_value_as_int(&got, arr->u.arr.items[i]), 0);
        cr_assert_eq(got, i);
    }
}

Test(codec_value, put_replaces_an_existing_key_in_place)
{
    struct bg_value *m = bg_value_map(arena, 0);

    bg_value_put(arena, m, "a", bg_value_int(arena, 1));
    bg_value_put(arena, m, "b", bg_value_int(arena, 2));
    bg_value_put(arena, m, "a", bg_value_int(arena, 3));
    cr_assert_eq(bg_value_len(m), 2);
    cr_assert_str_eq(m->u.map.items[0].key, "a");
    cr_assert_eq(m->u.map.items[0].value->u.i, 3);
    cr_assert_str_eq(m->u.map.items[1].key, "b");
    cr_assert_eq(bg_value_get(m, "b")->u.i, 2);
}

Test(codec_value, get_returns_null_for_missing_keys_and_non_maps)
{
    struct bg_value *m = bg_value_map(arena, 0);

    bg_value_put(arena, m, "a", bg_value_int(arena, 1));
    cr_assert_null(bg_value_get(m, "b"));
    cr_assert_null(bg_value_get(m, ""));
    cr_assert_null(bg_value_get(bg_value_array(arena, 0), "a"));
    cr_assert_null(bg_value_get(NULL, "a"));
}

Test(codec_value, kind_tests_treat_a_null_pointer_as_null)
{
    cr_assert(bg_value_is_null(NULL));
    cr_assert(bg_value_is_null(bg_value_null(arena)));
    cr_assert_not(bg_value_is_null(bg_value_unknown(arena)));
    cr_assert_not(bg_value_is_unknown(NULL));
    cr_assert(bg_value_is_unknown(bg_value_unknown(arena)));
    cr_assert_eq(bg_value_len(NULL), 0);
    cr_assert_eq(bg_value_len(bg_value_string(arena, "abc")), 0);
    cr_assert_null(bg_value_as_string(NULL));
    cr_assert_null(bg_value_as_string(bg_value_int(arena, 1)));
    cr_assert_str_eq(bg_value_as_string(bg_value_string(arena, "x")), "x");
}

Test(codec_value, wholly_known_looks_through_every_level)
{
    struct bg_value *outer = bg_value_map(arena, 0), *list = bg_value_array(arena, 0);
    struct bg_value *inner = bg_value_map(arena, 0);

    bg_value_put(arena, inner, "port", bg_value_int(arena, 80));
    bg_value_append(arena, list, inner);
    bg_value_append(arena, list, bg_value_null(arena));
    bg_value_put(arena, outer, "listener", list);
    cr_assert(bg_value_is_wholly_known(outer));
    cr_assert(bg_value_is_wholly_known(NULL));
    bg_value_put(arena, inner, "arn", bg_value_unknown(arena));
    cr_assert_not(bg_value_is_wholly_known(outer));
    cr_assert_not(bg_value_is_wholly_known(bg_value_unknown(arena)));
}

enum src { S_INT, S_FLOAT, S_STRING, S_BOOL, S_NULL };

struct num_case {
    enum src src;
    int64_t i;
    double f;
    const char *s;
    int rc;
    int64_t want;
};

static struct bg_value *make(enum src src, int64_t i, double f, const char *s)
{
    switch (src) {
    case S_INT:
        return bg_value_int(arena, i);
    case S_FLOAT:
        return bg_value_float(arena, f);
    case S_STRING:
        return bg_value_string(arena, s);
    case S_BOOL:
        return bg_value_bool(arena, true);
    default:
        return bg_value_null(arena);
    }
}

Test(codec_value, as_int_accepts_ints_integral_floats_and_integer_strings)
{
    static const struct num_case cases[] = {
        {S_INT, 5, 0, NULL, 0, 5},
        {S_INT, INT64_MIN, 0, NULL, 0, INT64_MIN},
        {S_FLOAT, 0, 5.0, NULL, 0, 5},
        {S_FLOAT, 0, -0.0, NULL, 0, 0},
        {S_FLOAT, 0, -9223372036854775808.0, NULL, 0, INT64_MIN},
        {S_FLOAT, 0, 5.5, NULL, BG_EINVAL, 0},
        {S_FLOAT, 0, 9223372036854775808.0, NULL, BG_EINVAL, 0},
        {S_FLOAT, 0, INFINITY, NULL, BG_EINVAL, 0},
        {S_STRING, 0, 0, "42", 0, 42},
        {S_STRING, 0, 0, "-9223372036854775808", 0, INT64_MIN},
        {S_STRING, 0, 0, "9223372036854775807", 0, INT64_MAX},
        {S_STRING, 0, 0, "9223372036854775808", BG_EINVAL, 0},
        {S_STRING, 0, 0, "18446744073709551615", BG_EINVAL, 0},
        {S_STRING, 0, 0, "4.2", BG_EINVAL, 0},
        {S_STRING, 0, 0, "+1", BG_EINVAL, 0},
        {S_STRING, 0, 0, " 1", BG_EINVAL, 0},
        {S_STRING, 0, 0, "-", BG_EINVAL, 0},
        {S_STRING, 0, 0, "", BG_EINVAL, 0},
        {S_STRING, 0, 0, "web", BG_EINVAL, 0},
        {S_BOOL, 0, 0, NULL, BG_EINVAL, 0},
        {S_NULL, 0, 0, NULL, BG_EINVAL, 0},
    };
    size_t k;

    for (k = 0; k < sizeof(cases) / sizeof(cases[0]); k++) {
        const struct num_case *c = &cases[k];
        int64_t got = -7;
        int rc = bg_value_as_int(&got, make(c->src, c->i, c->f, c->s));

        cr_assert_eq(rc, c->rc, "case %zu: rc %d", k, rc);
        if (c->rc == 0)
            cr_assert_eq(got, c->want, "case %zu: got %lld", k, (long long)got);
    }
    cr_assert_eq(bg_value_as_int(&(int64_t){0}, NULL), BG_EINVAL);
}

Test(codec_value, as_double_accepts_numbers_and_decimal_strings_only)
{
    static const struct {
        const char *s;
        int rc;
        double want;
    } cases[] = {
        {"0.1", 0, 0.1},       {"-2.5e-3", 0, -2.5e-3}, {"1E3", 0, 1000.0},
        {"42", 0, 42.0},       {"0x10", BG_EINVAL, 0},  {"inf", BG_EINVAL, 0},
        {"nan", BG_EINVAL, 0}, {"1e999", BG_EINVAL, 0}, {"1.", BG_EINVAL, 0},
        {".5", BG_EINVAL, 0},  {"1e", BG_EINVAL, 0},    {" 1", BG_EINVAL, 0},
    };
    double d;
    size_t k;

    for (k = 0; k < sizeof(cases) / sizeof(cases[0]); k++) {
        d = -7;
        cr_assert_eq(bg_value_as_double(&d, bg_value_string(arena, cases[k].s)), cases[k].rc,
                     "case %s", cases[k].s);
        if (cases[k].rc == 0)
            cr_assert_eq(d, cases[k].want, "case %s: got %.17g", cases[k].s, d);
    }
    cr_assert_eq(bg_value_as_double(&d, bg_value_int(arena, -3)), 0);
    cr_assert_eq(d, -3.0);
    cr_assert_eq(bg_value_as_double(&d, bg_value_float(arena, 2.5)), 0);
    cr_assert_eq(d, 2.5);
    cr_assert_eq(bg_value_as_double(&d, bg_value_bool(arena, true)), BG_EINVAL);
}

Test(codec_value, as_bool_accepts_only_bools)
{
    bool b = false;

    cr_assert_eq(bg_value_as_bool(&b, bg_value_bool(arena, true)), 0);
    cr_assert_eq(b, true);
    cr_assert_eq(bg_value_as_bool(&b, bg_value_int(arena, 1)), BG_EINVAL);
    cr_assert_eq(bg_value_as_bool(&b, bg_value_string(arena, "true")), BG_EINVAL);
    cr_assert_eq(bg_value_as_bool(&b, NULL), BG_EINVAL);
}

Test(codec_value, equal_compares_numbers_by_value_across_kinds)
{
    static const struct {
        enum src xs, ys;
        int64_t xi, yi;
        double xf, yf;
        const char *xstr, *ystr;
        bool want;
    } cases[] = {
        {S_INT, S_FLOAT, 1, 0, 0, 1.0, NULL, NULL, true},
        {S_INT, S_FLOAT, 9007199254740993, 0, 0, 9007199254740992.0, NULL, NULL, false},
        {S_INT, S_FLOAT, INT64_MAX, 0, 0, 9223372036854775808.0, NULL, NULL, false},
        {S_FLOAT, S_STRING, 0, 0, 0.1, 0, NULL, "0.1", true},
        {S_FLOAT, S_STRING, 0, 0, 0.1, 0, NULL, "0.2", false},
        {S_INT, S_STRING, 5, 0, 0, 0, NULL, "5", true},
        {S_INT, S_STRING, 5, 0, 0, 0, NULL, "5.5", false},
        {S_INT, S_STRING, 5, 0, 0, 0, NULL, "five", false},
        {S_STRING, S_STRING, 0, 0, 0, 0, "5", "5.0", false},
        {S_FLOAT, S_FLOAT, 0, 0, 0.0, -0.0, NULL, NULL, true},
        {S_INT, S_BOOL, 1, 0, 0, 0, NULL, NULL, false},
        {S_NULL, S_INT, 0, 0, 0, 0, NULL, NULL, false},
        {S_STRING, S_NULL, 0, 0, 0, 0, "", NULL, false},
    };
    size_t k;

    for (k = 0; k < sizeof(cases) / sizeof(cases[0]); k++) {
        struct bg_value *x = make(cases[k].xs, cases[k].xi, cases[k].xf, cases[k].xstr);
        struct bg_value *y = make(cases[k].ys, cases[k].yi, cases[k].yf, cases[k].ystr);

        cr_assert_eq(bg_value_equal(x, y), cases[k].want, "case %zu", k);
        cr_assert_eq(bg_value_equal(y, x), cases[k].want, "case %zu reversed", k);
    }
}

Test(codec_value, equal_treats_unknown_null_and_strings_exactly)
{
    cr_assert(bg_value_equal(bg_value_unknown(arena), bg_value_unknown(arena)));
    cr_assert_not(bg_value_equal(bg_value_unknown(arena), bg_value_null(arena)));
    cr_assert(bg_value_equal(NULL, bg_value_null(arena)));
    cr_assert(bg_value_equal(NULL, NULL));
    cr_assert_not(bg_value_equal(bg_value_stringn(arena, "a\0b", 3), bg_value_string(arena, "a")));
    cr_assert(
        bg_value_equal(bg_value_stringn(arena, "a\0b", 3), bg_value_stringn(arena, "a\0b", 3)));
}

static struct bg_value *pair_map(const char *k1, int64_t v1, const char *k2, int64_t v2)
{
    struct bg_value *m = bg_value_map(arena, 0);

    bg_value_put(arena, m, k1, bg_value_int(arena, v1));
    bg_value_put(arena, m, k2, bg_value_int(arena, v2));
    return m;
}

Test(codec_value, equal_ignores_map_order_but_not_array_order)
{
    struct bg_value *a1 = bg_value_array(arena, 0), *a2 = bg_value_array(arena, 0);

    cr_assert(bg_value_equal(pair_map("a", 1, "b", 2), pair_map("b", 2, "a", 1)));
    cr_assert_not(bg_value_equal(pair_map("a", 1, "b", 2), pair_map("a", 1, "c", 2)));
    cr_assert_not(bg_value_equal(pair_map("a", 1, "b", 2), pair_map("a", 1, "b", 3)));
    bg_value_append(arena, a1, bg_value_int(arena, 1));
    bg_value_append(arena, a1, bg_value_int(arena, 2));
    bg_value_append(arena, a2, bg_value_int(arena, 2));
    bg_value_append(arena, a2, bg_value_int(arena, 1));
    cr_assert_not(bg_value_equal(a1, a2));
    bg_value_append(arena, a1, bg_value_int(arena, 3));
    cr_assert_not(bg_value_equal(a1, a2), "different lengths");
}

Test(codec_value, clone_is_deep_and_outlives_the_source_arena)
{
    struct bg_arena *src = bg_arena_new();
    struct bg_value *m = bg_value_map(src, 0), *list = bg_value_array(src, 0), *copy, *orig;

    bg_value_append(src, list, bg_value_string(src, "10.0.0.1"));
    bg_value_append(src, list, bg_value_unknown(src));
    bg_value_put(src, m, "targets", list);
    bg_value_put(src, m, "weight", bg_value_float(src, 0.5));
    copy = bg_value_clone(arena, m);
    orig = bg_value_clone(arena, m);
    bg_arena_free(src);
    cr_assert(bg_value_equal(copy, orig));
    cr_assert_str_eq(bg_value_as_string(bg_value_get(copy, "targets")->u.arr.items[0]), "10.0.0.1");
    cr_assert_eq(bg_value_get(copy, "weight")->u.f, 0.5);
    cr_assert_eq(bg_value_clone(arena, NULL)->kind, BG_NULL);
}
