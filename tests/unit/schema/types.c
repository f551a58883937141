/* types.c - cty type JSON for every type kind, and attribute lookup in a block. */
#include <criterion/criterion.h>

#include "bluegreen/schema.h"
#include "unit/schema/helpers.h"

TestSuite(schema_types, .init = setup, .fini = teardown);

static const struct bg_type list_number = {BG_TYPE_LIST, &bg_type_number, NULL, 0};
static const struct bg_type map_bool = {BG_TYPE_MAP, &bg_type_bool, NULL, 0};
static const struct bg_type set_map_bool = {BG_TYPE_SET, &map_bool, NULL, 0};

static const struct bg_field one_field[] = {{"id", &bg_type_string}};
static const struct bg_type object_one = BG_TYPE_OBJECT_OF(one_field);

static const struct bg_field target_fields[] = {
    {"name", &bg_type_string},
    {"ports", &list_number},
    {"tags", &bg_type_map_string},
    {"healthy", &bg_type_bool},
};
static const struct bg_type target = BG_TYPE_OBJECT_OF(target_fields);
static const struct bg_type list_target = {BG_TYPE_LIST, &target, NULL, 0};

static const struct bg_field outer_fields[] = {{"targets", &list_target}, {"n", &bg_type_number}};
static const struct bg_type outer = BG_TYPE_OBJECT_OF(outer_fields);

static const struct bg_type empty_object = {BG_TYPE_OBJECT, NULL, NULL, 0};

Test(schema_types, renders_each_type_kind_as_cty_json)
{
    static const struct {
        const struct bg_type *type;
        const char *json;
    } cases[] = {
        {&bg_type_string, "\"string\""},
        {&bg_type_number, "\"number\""},
        {&bg_type_bool, "\"bool\""},
        {&bg_type_list_string, "[\"list\",\"string\"]"},
        {&bg_type_set_string, "[\"set\",\"string\"]"},
        {&bg_type_map_string, "[\"map\",\"string\"]"},
        {&list_number, "[\"list\",\"number\"]"},
        {&set_map_bool, "[\"set\",[\"map\",\"bool\"]]"},
        {&object_one, "[\"object\",{\"id\":\"string\"}]"},
        {&empty_object, "[\"object\",{}]"},
    };
    size_t i;

    for (i = 0; i < BG_COUNT(cases); i++)
        cr_expect_str_eq(bg_type_json(arena, cases[i].type), cases[i].json, "case %zu", i);
}

Test(schema_types, renders_a_list_of_objects_with_fields_in_table_order)
{
    cr_assert_str_eq(bg_type_json(arena, &list_target),
                     "[\"list\",[\"object\",{\"name\":\"string\",\"ports\":[\"list\",\"number\"],"
                     "\"tags\":[\"map\",\"string\"],\"healthy\":\"bool\"}]]");
}

Test(schema_types, renders_an_object_nesting_a_list_of_objects)
{
    cr_assert_str_eq(bg_type_json(arena, &outer),
                     "[\"object\",{\"targets\":[\"list\",[\"object\",{\"name\":\"string\","
                     "\"ports\":[\"list\",\"number\"],\"tags\":[\"map\",\"string\"],"
                     "\"healthy\":\"bool\"}]],\"n\":\"number\"}]");
}

Test(schema_types, block_attr_finds_an_attribute_by_name_or_returns_null)
{
    static const struct bg_attr attrs[] = {
        {.name = "a", .type = &bg_type_string},
        {.name = "ab", .type = &bg_type_number},
    };
    static const struct bg_block block = {.attrs = attrs, .nattrs = BG_COUNT(attrs)};

    cr_assert_eq(bg_block_attr(&block, "a"), &attrs[0]);
    cr_assert_eq(bg_block_attr(&block, "ab"), &attrs[1]);
    cr_assert_null(bg_block_attr(&block, "b"));
    cr_assert_null(bg_block_attr(&block, ""));
}
