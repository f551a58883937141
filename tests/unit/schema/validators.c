/* validators.c - the stock validators: what passes, and the exact words of what fails. */
#include <criterion/criterion.h>
#include <stdint.h>

#include "bluegreen/schema.h"
#include "unit/schema/helpers.h"

TestSuite(schema_validators, .init = setup, .fini = teardown);

typedef void validator_fn(struct bg_diags *, const struct bg_path *, const struct bg_value *,
                          const void *);

/* Runs fn on v at path `name` with fresh diagnostics; returns the detail or NULL if none. */
static const char *run(validator_fn *fn, const void *arg, const char *name, struct bg_value *v)
{
    const struct bg_path *path = bg_path_attr(arena, NULL, name);

    bg_diags_init(&diags, arena);
    fn(&diags, path, v, arg);
    if (diags.count == 0)
        return NULL;
    cr_assert_eq(diags.count, 1, "a validator reports one diagnostic");
    cr_assert_eq(diag_at(0)->severity, BG_SEV_ERROR);
    cr_assert_eq(diag_at(0)->path, path, "reported at the path it was given");
    return diag_at(0)->detail;
}

#define cr_expect_passes(detail, label)                                                            \
    cr_expect_null((detail), "%s: unexpected diagnostic \"%s\"", (label), (detail))

static const char *const modes[] = {"blue", "green", NULL};

Test(schema_validators, one_of_accepts_each_allowed_string)
{
    cr_expect_passes(run(bg_validate_one_of, modes, "mode", str("blue")), "blue");
    cr_expect_passes(run(bg_validate_one_of, modes, "mode", str("green")), "green");
}

Test(schema_validators, one_of_names_the_path_the_allowed_values_and_the_value)
{
    static const struct {
        const char *value;
        const char *detail;
    } cases[] = {
        {"red", "mode must be one of \"blue\", \"green\", got \"red\"."},
        {"Blue", "mode must be one of \"blue\", \"green\", got \"Blue\"."},
        {"", "mode must be one of \"blue\", \"green\", got \"\"."},
        {"blue ", "mode must be one of \"blue\", \"green\", got \"blue \"."},
    };
    size_t i;

    for (i = 0; i < BG_COUNT(cases); i++) {
        cr_expect_str_eq(run(bg_validate_one_of, modes, "mode", str(cases[i].value)),
                         cases[i].detail, "case %zu", i);
        cr_expect_str_eq(diag_at(0)->summary, "Invalid value");
    }
}

Test(schema_validators, one_of_rejects_a_value_that_is_not_a_string)
{
    cr_assert_str_eq(run(bg_validate_one_of, modes, "mode", num(1)),
                     "mode must be one of \"blue\", \"green\", got \"\".");
}

Test(schema_validators, one_of_renders_the_full_path_of_a_nested_attribute)
{
    const struct bg_path *p =
        bg_path_attr(arena, bg_path_index(arena, bg_path_attr(arena, NULL, "rules"), 2), "mode");

    bg_validate_one_of(&diags, p, str("x"), modes);
    cr_assert_str_eq(diag_at(0)->detail,
                     "rules[2].mode must be one of \"blue\", \"green\", got \"x\".");
}

static const int64_t one_to_ten[2] = {1, 10};

Test(schema_validators, int_range_accepts_whole_numbers_within_the_bounds)
{
    cr_expect_passes(run(bg_validate_int_range, one_to_ten, "count", num(1)), "int 1");
    cr_expect_passes(run(bg_validate_int_range, one_to_ten, "count", num(10)), "int 10");
    cr_expect_passes(run(bg_validate_int_range, one_to_ten, "count", bg_value_float(arena, 3.0)),
                     "float 3.0");
    cr_expect_passes(run(bg_validate_int_range, one_to_ten, "count", str("7")), "decimal string 7");
    cr_expect_passes(run(bg_validate_int_range, one_to_ten, "count", str("10")),
                     "decimal string 10");
}

Test(schema_validators, int_range_rejects_values_outside_the_bounds_or_not_whole)
{
    const struct {
        struct bg_value *v;
        const char *detail;
    } cases[] = {
        {num(0), "count must be a whole number from 1 to 10, got 0."},
        {num(11), "count must be a whole number from 1 to 10, got 11."},
        {num(-3), "count must be a whole number from 1 to 10, got -3."},
        {num(INT64_MIN), "count must be a whole number from 1 to 10, got -9223372036854775808."},
        {bg_value_float(arena, 2.5), "count must be a whole number from 1 to 10, got 2.5."},
        {bg_value_float(arena, 0.5), "count must be a whole number from 1 to 10, got 0.5."},
        {str("11"), "count must be a whole number from 1 to 10, got 11."},
        {str("2.25"), "count must be a whole number from 1 to 10, got 2.25."},
        {str("123456789012345678901234567890"),
         "count must be a whole number from 1 to 10, got 123456789012345678901234567890."},
    };
    size_t i;

    for (i = 0; i < BG_COUNT(cases); i++) {
        cr_expect_str_eq(run(bg_validate_int_range, one_to_ten, "count", cases[i].v),
                         cases[i].detail, "case %zu", i);
        cr_expect_str_eq(diag_at(0)->summary, "Value out of range");
    }
}

Test(schema_validators, int_range_with_negative_bounds_accepts_the_inclusive_ends)
{
    static const int64_t range[2] = {-5, -1};

    cr_expect_passes(run(bg_validate_int_range, range, "offset", num(-5)), "-5");
    cr_expect_passes(run(bg_validate_int_range, range, "offset", num(-1)), "-1");
    cr_expect_str_eq(run(bg_validate_int_range, range, "offset", num(0)),
                     "offset must be a whole number from -5 to -1, got 0.");
}

static const size_t exactly_two[2] = {2, 2};
static const size_t one_to_three[2] = {1, 3};

Test(schema_validators, length_accepts_lists_maps_and_strings_within_the_bounds)
{
    cr_expect_passes(run(bg_validate_length, exactly_two, "colors", list(str("a"), str("b"), NULL)),
                     "list of 2");
    cr_expect_passes(run(bg_validate_length, one_to_three, "subs", obj("a", str("b"), NULL)),
                     "map of 1");
    cr_expect_passes(run(bg_validate_length, one_to_three, "code", str("abc")), "string of 3");
}

Test(schema_validators, length_says_exactly_when_both_bounds_are_equal)
{
    cr_assert_str_eq(run(bg_validate_length, exactly_two, "colors", list(str("a"), NULL)),
                     "colors must have exactly 2 elements, got 1.");
    cr_assert_str_eq(diag_at(0)->summary, "Invalid length");
    cr_assert_str_eq(
        run(bg_validate_length, exactly_two, "colors", list(str("a"), str("b"), str("c"), NULL)),
        "colors must have exactly 2 elements, got 3.");
    cr_assert_str_eq(run(bg_validate_length, exactly_two, "colors", list(NULL)),
                     "colors must have exactly 2 elements, got 0.");
}

Test(schema_validators, length_gives_the_range_for_lists_maps_and_strings)
{
    const struct {
        struct bg_value *v;
        const char *detail;
    } cases[] = {
        {list(NULL), "x must have 1 to 3 elements, got 0."},
        {list(num(1), num(2), num(3), num(4), NULL), "x must have 1 to 3 elements, got 4."},
        {bg_value_map(arena, 0), "x must have 1 to 3 elements, got 0."},
        {obj("a", null(), "b", null(), "c", null(), "d", null(), NULL),
         "x must have 1 to 3 elements, got 4."},
        {str(""), "x must have 1 to 3 characters, got 0."},
        {str("abcd"), "x must have 1 to 3 characters, got 4."},
        {str("\xc3\xa9t\xc3\xa9s"), "x must have 1 to 3 characters, got 4."},
    };
    size_t i;

    for (i = 0; i < BG_COUNT(cases); i++)
        cr_expect_str_eq(run(bg_validate_length, one_to_three, "x", cases[i].v), cases[i].detail,
                         "case %zu", i);
}

Test(schema_validators, not_empty_accepts_a_non_empty_string)
{
    cr_assert_null(run(bg_validate_not_empty, NULL, "directory", str(".")));
    cr_assert_null(run(bg_validate_not_empty, NULL, "directory", str(" ")));
}

Test(schema_validators, not_empty_rejects_the_empty_string)
{
    cr_assert_str_eq(run(bg_validate_not_empty, NULL, "directory", str("")),
                     "directory must not be empty.");
    cr_assert_str_eq(diag_at(0)->summary, "Empty value");
}

/* ---- descriptions (the sentences the docs show) ------------------------------------- */

static const char *describe(validator_fn *fn, const void *arg, const struct bg_type *type)
{
    const struct bg_validator v = {fn, arg, NULL};
    const struct bg_attr attr = {.name = "x", .type = type};

    return bg_validator_describe(arena, &v, &attr);
}

Test(schema_validators, stock_validators_describe_themselves_from_their_argument)
{
    static const char *const ends[] = {"keep", "restore", NULL};
    static const int64_t range[2] = {0, 25}, at_least[2] = {1, INT64_MAX};
    static const int64_t at_most[2] = {INT64_MIN, 9}, any[2] = {INT64_MIN, INT64_MAX};
    static const size_t two[2] = {2, 2}, one_up[2] = {1, SIZE_MAX}, span[2] = {1, 255};

    cr_expect_str_eq(describe(bg_validate_one_of, ends, &bg_type_string),
                     "One of `keep`, `restore`.");
    cr_expect_str_eq(describe(bg_validate_int_range, range, &bg_type_number),
                     "A whole number from 0 to 25.");
    cr_expect_str_eq(describe(bg_validate_int_range, at_least, &bg_type_number),
                     "A whole number, at least 1.");
    cr_expect_str_eq(describe(bg_validate_int_range, at_most, &bg_type_number),
                     "A whole number, at most 9.");
    cr_expect_null(describe(bg_validate_int_range, any, &bg_type_number));
    cr_expect_str_eq(describe(bg_validate_length, two, &bg_type_list_string),
                     "Exactly 2 elements.");
    cr_expect_str_eq(describe(bg_validate_length, one_up, &bg_type_set_string),
                     "At least 1 element.");
    cr_expect_str_eq(describe(bg_validate_length, span, &bg_type_string), "1 to 255 characters.");
    cr_expect_str_eq(describe(bg_validate_not_empty, NULL, &bg_type_string), "Not empty.");
}

static void custom(struct bg_diags *d, const struct bg_path *p, const struct bg_value *v,
                   const void *arg)
{
    (void)d, (void)p, (void)v, (void)arg;
}

Test(schema_validators, a_validator_description_wins_and_a_custom_one_without_adds_nothing)
{
    const struct bg_validator described = {bg_validate_not_empty, NULL, "A name."};
    const struct bg_validator silent = {custom, NULL, NULL};
    const struct bg_attr attr = {.name = "x", .type = &bg_type_string};

    cr_expect_str_eq(bg_validator_describe(arena, &described, &attr), "A name.");
    cr_expect_null(bg_validator_describe(arena, &silent, &attr));
}
