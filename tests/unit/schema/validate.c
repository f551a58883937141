/* validate.c - bg_schema_validate: which values validators see and the paths they report. */
#include <criterion/criterion.h>

#include "bluegreen/schema.h"
#include "unit/schema/helpers.h"

TestSuite(schema_validate, .init = setup, .fini = teardown);

/* Reports every value it is shown as a warning "seen" at the path it was given. */
static void record(struct bg_diags *d, const struct bg_path *path, const struct bg_value *v,
                   const void *arg)
{
    (void)arg;
    bg_diag_warn(d, path, "seen", "kind %d", (int)v->kind);
}

static const struct bg_validator recorders[] = {{record, NULL, NULL}, {NULL, NULL, NULL}};

/* Two validators on one attribute both run, in table order. */
static void record_second(struct bg_diags *d, const struct bg_path *path, const struct bg_value *v,
                          const void *arg)
{
    (void)v;
    (void)arg;
    bg_diag_error(d, path, "second", NULL);
}

static const struct bg_validator two_recorders[] = {
    {record, NULL, NULL}, {record_second, NULL, NULL}, {NULL, NULL, NULL}};

static const struct bg_attr leaf_attrs[] = {
    {.name = "port", .type = &bg_type_number, .flags = BG_OPTIONAL, .validators = recorders},
    {.name = "note", .type = &bg_type_string, .flags = BG_OPTIONAL},
};

static const struct bg_attr top_attrs[] = {
    {.name = "name", .type = &bg_type_string, .flags = BG_REQUIRED, .validators = recorders},
    {.name = "colors", .type = &bg_type_list_string, .flags = BG_OPTIONAL, .validators = recorders},
    {.name = "plain", .type = &bg_type_string, .flags = BG_OPTIONAL},
    {.name = "both", .type = &bg_type_string, .flags = BG_OPTIONAL, .validators = two_recorders},
    {.name = "single",
     .flags = BG_OPTIONAL,
     .nesting = BG_NEST_SINGLE,
     .nested = leaf_attrs,
     .nnested = BG_COUNT(leaf_attrs)},
    {.name = "rules",
     .flags = BG_OPTIONAL,
     .nesting = BG_NEST_LIST,
     .nested = leaf_attrs,
     .nnested = BG_COUNT(leaf_attrs),
     .validators = recorders},
    {.name = "tags",
     .flags = BG_OPTIONAL,
     .nesting = BG_NEST_SET,
     .nested = leaf_attrs,
     .nnested = BG_COUNT(leaf_attrs)},
    {.name = "targets",
     .flags = BG_OPTIONAL,
     .nesting = BG_NEST_MAP,
     .nested = leaf_attrs,
     .nnested = BG_COUNT(leaf_attrs)},
};

static const struct bg_block inner_block = {.attrs = leaf_attrs, .nattrs = BG_COUNT(leaf_attrs)};
static const struct bg_block_type deep_blocks[] = {
    {.name = "check", .nesting = BG_NEST_LIST, .block = &inner_block},
};
static const struct bg_block middle_block = {.attrs = leaf_attrs,
                                             .nattrs = BG_COUNT(leaf_attrs),
                                             .blocks = deep_blocks,
                                             .nblocks = BG_COUNT(deep_blocks)};
static const struct bg_block_type top_blocks[] = {
    {.name = "timeouts", .nesting = BG_NEST_SINGLE, .block = &inner_block},
    {.name = "listener", .nesting = BG_NEST_LIST, .block = &middle_block},
};

static const struct bg_block schema = {.attrs = top_attrs,
                                       .nattrs = BG_COUNT(top_attrs),
                                       .blocks = top_blocks,
                                       .nblocks = BG_COUNT(top_blocks)};

/* The paths of all diagnostics, joined with " | " (easy to compare, readable on failure). */
static const char *seen_paths(void)
{
    char *s = bg_arena_strdup(arena, "");
    const struct bg_diag *g;

    for (g = diags.head; g != NULL; g = g->next)
        s = bg_arena_printf(arena, "%s%s%s", s, g == diags.head ? "" : " | ",
                            bg_path_string(arena, g->path));
    return s;
}

Test(schema_validate, runs_validators_on_a_known_attribute_at_its_path)
{
    bg_schema_validate(&diags, &schema, obj("name", str("web"), "plain", str("x"), NULL));
    cr_assert_eq(diags.count, 1);
    cr_assert_str_eq(diag_path(0), "name");
    cr_assert_str_eq(diag_at(0)->detail, "kind 5", "validator saw the string");
}

Test(schema_validate, skips_null_unknown_and_partly_unknown_values)
{
    static const struct {
        const char *label;
        struct bg_value *(*make)(void);
    } cases[] = {
        {"null", null},
        {"unknown", unknown},
    };
    size_t i;

    for (i = 0; i < BG_COUNT(cases); i++) {
        bg_diags_init(&diags, arena);
        bg_schema_validate(&diags, &schema,
                           obj("name", cases[i].make(), "colors", cases[i].make(), NULL));
        cr_expect_eq(diags.count, 0, "%s values are not validated", cases[i].label);
    }
    bg_diags_init(&diags, arena);
    bg_schema_validate(&diags, &schema, obj("colors", list(str("a"), unknown(), NULL), NULL));
    cr_expect_eq(diags.count, 0, "a list with an unknown element is not validated: %s",
                 seen_paths());
}

Test(schema_validate, skips_attributes_missing_from_the_config_and_non_map_configs)
{
    bg_schema_validate(&diags, &schema, obj("plain", str("x"), NULL));
    bg_schema_validate(&diags, &schema, null());
    bg_schema_validate(&diags, &schema, unknown());
    bg_schema_validate(&diags, &schema, NULL);
    cr_assert_eq(diags.count, 0);
}

Test(schema_validate, runs_every_validator_of_an_attribute_in_order)
{
    bg_schema_validate(&diags, &schema, obj("both", str(""), NULL));
    cr_assert_eq(diags.count, 2);
    cr_assert_str_eq(diag_at(0)->summary, "seen");
    cr_assert_str_eq(diag_at(1)->summary, "second");
    cr_assert_str_eq(seen_paths(), "both | both");
}

Test(schema_validate, validates_a_collection_attribute_as_a_whole_at_its_own_path)
{
    bg_schema_validate(&diags, &schema, obj("colors", list(str("a"), str("b"), NULL), NULL));
    cr_assert_eq(diags.count, 1);
    cr_assert_str_eq(diag_path(0), "colors");
    cr_assert_str_eq(diag_at(0)->detail, "kind 6", "validator saw the array");
}

Test(schema_validate, reports_nested_single_attributes_below_the_parent)
{
    bg_schema_validate(&diags, &schema, obj("single", obj("port", num(1), NULL), NULL));
    cr_assert_str_eq(seen_paths(), "single.port");
}

Test(schema_validate, reports_nested_list_attributes_with_the_element_index)
{
    struct bg_value *rules = list(obj("port", num(1), NULL), obj("note", str("n"), NULL),
                                  obj("port", num(3), NULL), NULL);

    bg_schema_validate(&diags, &schema, obj("rules", rules, NULL));
    cr_assert_str_eq(seen_paths(), "rules | rules[0].port | rules[2].port");
}

Test(schema_validate, validates_known_elements_of_a_list_that_is_partly_unknown)
{
    struct bg_value *rules =
        list(obj("port", unknown(), NULL), obj("port", num(99), NULL), unknown(), NULL);

    bg_schema_validate(&diags, &schema, obj("rules", rules, NULL));
    cr_assert_str_eq(seen_paths(), "rules[1].port",
                     "the list's own validators wait, known elements are checked");
}

Test(schema_validate, reports_set_elements_on_the_set_path_without_an_index)
{
    struct bg_value *tags = list(obj("port", num(1), NULL), obj("port", num(2), NULL), NULL);

    bg_schema_validate(&diags, &schema, obj("tags", tags, NULL));
    cr_assert_str_eq(seen_paths(), "tags.port | tags.port");
}

Test(schema_validate, reports_nested_map_attributes_under_the_element_key)
{
    struct bg_value *targets =
        obj("blue", obj("port", num(80), NULL), "green", obj("port", num(81), NULL), NULL);

    bg_schema_validate(&diags, &schema, obj("targets", targets, NULL));
    cr_assert_str_eq(seen_paths(), "targets[\"blue\"].port | targets[\"green\"].port");
}

Test(schema_validate, reports_attributes_of_nested_blocks)
{
    struct bg_value *listener =
        list(obj("port", num(443), "check", list(obj("port", num(8080), NULL), NULL), NULL),
             obj("note", str("no port"), "check",
                 list(obj("port", null(), NULL), obj("port", num(9090), NULL), NULL), NULL),
             NULL);

    bg_schema_validate(&diags, &schema,
                       obj("timeouts", obj("port", num(30), NULL), "listener", listener, NULL));
    cr_assert_str_eq(seen_paths(), "timeouts.port | listener[0].port | listener[0].check[0].port | "
                                   "listener[1].check[1].port");
}

Test(schema_validate, skips_null_and_unknown_nested_blocks)
{
    bg_schema_validate(&diags, &schema, obj("timeouts", null(), "listener", unknown(), NULL));
    bg_schema_validate(&diags, &schema, obj("timeouts", unknown(), "listener", null(), NULL));
    cr_assert_eq(diags.count, 0);
}
