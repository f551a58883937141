/* plan.c - defaults, the generic plan (computed, use-state, requires-replace) and conforming
 * stored state to the schema. */
#include <criterion/criterion.h>

#include "bluegreen/codec.h"
#include "bluegreen/schema.h"
#include "unit/schema/helpers.h"

TestSuite(schema_plan, .init = setup, .fini = teardown);

/* Asserts v equals the value the JSON text describes (numbers compare by value). */
static void assert_json(const struct bg_value *v, const char *json)
{
    struct bg_value *want = NULL;
    struct bg_error err = BG_ERROR_INIT;
    char *got = NULL;

    cr_assert_eq(bg_json_decode(&want, arena, json, strlen(json), &err), 0, "test JSON: %s",
                 err.msg);
    if (bg_json_encode(&got, arena, v, &err) != 0)
        got = bg_arena_printf(arena, "<not JSON: %s>", err.msg);
    cr_assert(bg_value_equal(v, want), "got %s, want %s", got, json);
}

/* ---- bg_schema_apply_defaults ------------------------------------------------------- */

static const struct bg_attr timeout_attrs[] = {
    {.name = "create", .type = &bg_type_string, .flags = BG_OPTIONAL, .default_json = "\"10m\""},
    {.name = "delete", .type = &bg_type_string, .flags = BG_OPTIONAL},
};
static const struct bg_block timeout_block = {.attrs = timeout_attrs,
                                              .nattrs = BG_COUNT(timeout_attrs)};

static const struct bg_attr default_attrs[] = {
    {.name = "name", .type = &bg_type_string, .flags = BG_REQUIRED},
    {.name = "colors",
     .type = &bg_type_list_string,
     .flags = BG_OPTIONAL,
     .default_json = "[\"spoon\",\"knife\"]"},
    {.name = "standby", .type = &bg_type_bool, .flags = BG_OPTIONAL, .default_json = "true"},
    {.name = "retries", .type = &bg_type_number, .flags = BG_OPTIONAL, .default_json = "3"},
};
static const struct bg_block_type default_blocks[] = {
    {.name = "timeouts", .nesting = BG_NEST_SINGLE, .block = &timeout_block},
    {.name = "extra", .nesting = BG_NEST_LIST, .block = &timeout_block},
};
static const struct bg_block default_block = {.attrs = default_attrs,
                                              .nattrs = BG_COUNT(default_attrs),
                                              .blocks = default_blocks,
                                              .nblocks = BG_COUNT(default_blocks)};

Test(schema_plan, defaults_fill_null_and_missing_attributes)
{
    struct bg_value *config = obj("name", str("web"), "colors", null(), NULL);

    assert_json(bg_schema_apply_defaults(arena, &default_block, config),
                "{\"name\":\"web\",\"colors\":[\"spoon\",\"knife\"],\"standby\":true,"
                "\"retries\":3}");
}

Test(schema_plan, defaults_leave_configured_values_alone_including_false_and_empty)
{
    struct bg_value *config = obj("name", str("web"), "colors", list(NULL), "standby",
                                  bg_value_bool(arena, false), "retries", num(0), NULL);

    assert_json(bg_schema_apply_defaults(arena, &default_block, config),
                "{\"name\":\"web\",\"colors\":[],\"standby\":false,\"retries\":0}");
}

Test(schema_plan, defaults_leave_unknown_values_unknown)
{
    struct bg_value *out =
        bg_schema_apply_defaults(arena, &default_block, obj("standby", unknown(), NULL));

    cr_assert(bg_value_is_unknown(bg_value_get(out, "standby")));
}

Test(schema_plan, defaults_fill_nested_single_blocks)
{
    struct bg_value *config =
        obj("name", str("web"), "timeouts", obj("create", null(), "delete", str("5m"), NULL), NULL);

    assert_json(bg_value_get(bg_schema_apply_defaults(arena, &default_block, config), "timeouts"),
                "{\"create\":\"10m\",\"delete\":\"5m\"}");
}

Test(schema_plan, defaults_do_not_create_an_absent_single_block)
{
    struct bg_value *out = bg_schema_apply_defaults(
        arena, &default_block, obj("name", str("web"), "timeouts", null(), NULL));

    cr_assert(bg_value_is_null(bg_value_get(out, "timeouts")));
}

Test(schema_plan, defaults_leave_the_original_config_untouched)
{
    struct bg_value *timeouts = obj("create", null(), NULL);
    struct bg_value *config = obj("name", str("web"), "colors", null(), "timeouts", timeouts, NULL);
    struct bg_value *out = bg_schema_apply_defaults(arena, &default_block, config);

    cr_assert_neq(out, config);
    assert_json(config, "{\"name\":\"web\",\"colors\":null,\"timeouts\":{\"create\":null}}");
    cr_assert_eq(bg_value_get(config, "timeouts"), timeouts);
    cr_assert_str_eq(bg_value_as_string(bg_value_get(bg_value_get(out, "timeouts"), "create")),
                     "10m");
}

Test(schema_plan, defaults_return_a_config_that_is_not_an_object_as_is)
{
    struct bg_value *n = null(), *u = unknown();

    cr_assert_eq(bg_schema_apply_defaults(arena, &default_block, n), n);
    cr_assert_eq(bg_schema_apply_defaults(arena, &default_block, u), u);
    cr_assert_null(bg_schema_apply_defaults(arena, &default_block, NULL));
}

/* ---- bg_schema_plan ----------------------------------------------------------------- */

static const struct bg_attr plan_attrs[] = {
    {.name = "id", .type = &bg_type_string, .flags = BG_COMPUTED | BG_USE_STATE},
    {.name = "name", .type = &bg_type_string, .flags = BG_REQUIRED | BG_FORCE_NEW},
    {.name = "zone", .type = &bg_type_string, .flags = BG_OPTIONAL | BG_FORCE_NEW},
    {.name = "size",
     .type = &bg_type_number,
     .flags = BG_OPTIONAL | BG_FORCE_NEW,
     .default_json = "3"},
    {.name = "note", .type = &bg_type_string, .flags = BG_OPTIONAL},
    {.name = "arn", .type = &bg_type_string, .flags = BG_COMPUTED},
    {.name = "label", .type = &bg_type_string, .flags = BG_OPTIONAL | BG_COMPUTED},
};
static const struct bg_block plan_block = {.attrs = plan_attrs, .nattrs = BG_COUNT(plan_attrs)};

struct plan_result {
    struct bg_value *planned;
    const struct bg_path **replace;
    size_t nreplace;
};

static struct plan_result plan(struct bg_value *prior, struct bg_value *proposed,
                               struct bg_value *config)
{
    struct plan_result r;

    r.planned =
        bg_schema_plan(arena, &plan_block, prior, proposed, config, &r.replace, &r.nreplace);
    return r;
}

/* The configuration every plan test starts from, as terraform would send it. */
static struct bg_value *base_config(void)
{
    return obj("id", null(), "name", str("web"), "zone", str("a"), "size", null(), "note",
               str("hi"), "arn", null(), "label", null(), NULL);
}

static struct bg_value *base_prior(void)
{
    return obj("id", str("i-prior"), "name", str("web"), "zone", str("a"), "size", num(3), "note",
               str("hi"), "arn", str("arn:prior"), "label", str("l-prior"), NULL);
}

/* What terraform proposes on update: config merged with prior computed values. Different
 * strings from the prior state let a test tell where a planned value came from. */
static struct bg_value *base_proposed(void)
{
    return obj("id", str("i-proposed"), "name", str("web"), "zone", str("a"), "size", num(3),
               "note", str("hi"), "arn", str("arn:proposed"), "label", str("l-proposed"), NULL);
}

Test(schema_plan, create_keeps_configured_values_fills_defaults_and_leaves_computed_unknown)
{
    struct bg_value *config = base_config();
    struct plan_result r = plan(null(), config, config);

    cr_assert_str_eq(bg_value_as_string(bg_value_get(r.planned, "name")), "web");
    cr_assert_str_eq(bg_value_as_string(bg_value_get(r.planned, "note")), "hi");
    assert_json(bg_value_get(r.planned, "size"), "3");
    cr_assert(bg_value_is_unknown(bg_value_get(r.planned, "id")), "computed + use-state");
    cr_assert(bg_value_is_unknown(bg_value_get(r.planned, "arn")), "computed");
    cr_assert(bg_value_is_unknown(bg_value_get(r.planned, "label")), "optional + computed");
    cr_assert_eq(bg_value_len(r.planned), BG_COUNT(plan_attrs));
}

Test(schema_plan, create_never_requires_replacement)
{
    struct bg_value *config = base_config();
    struct plan_result r = plan(null(), config, config);

    cr_assert_eq(r.nreplace, 0);
    cr_assert_null(r.replace);
}

Test(schema_plan, unset_optional_attribute_stays_null)
{
    struct bg_value *config = base_config();
    struct plan_result r;

    bg_value_put(arena, config, "note", null());
    r = plan(null(), config, config);
    cr_assert(bg_value_is_null(bg_value_get(r.planned, "note")));
    cr_assert_not(bg_value_is_unknown(bg_value_get(r.planned, "note")));
}

Test(schema_plan, configured_value_of_a_computed_attribute_is_kept)
{
    struct bg_value *config = base_config();
    struct plan_result r;

    bg_value_put(arena, config, "label", str("mine"));
    r = plan(null(), config, config);
    cr_assert_str_eq(bg_value_as_string(bg_value_get(r.planned, "label")), "mine");
    r = plan(base_prior(), base_proposed(), config);
    cr_assert_str_eq(bg_value_as_string(bg_value_get(r.planned, "label")), "mine");
}

Test(schema_plan, update_keeps_the_prior_value_of_a_use_state_attribute)
{
    struct plan_result r = plan(base_prior(), base_proposed(), base_config());

    cr_assert_str_eq(bg_value_as_string(bg_value_get(r.planned, "id")), "i-prior");
}

Test(schema_plan, update_keeps_the_proposed_value_of_other_computed_attributes)
{
    struct plan_result r = plan(base_prior(), base_proposed(), base_config());

    cr_assert_str_eq(bg_value_as_string(bg_value_get(r.planned, "arn")), "arn:proposed");
    cr_assert_str_eq(bg_value_as_string(bg_value_get(r.planned, "label")), "l-proposed");
}

Test(schema_plan, update_without_changes_requires_no_replacement)
{
    struct plan_result r = plan(base_prior(), base_proposed(), base_config());

    cr_assert_eq(r.nreplace, 0, "a defaulted size equal to the prior one is no change either");
}

Test(schema_plan, update_requires_replacement_only_for_changed_force_new_attributes)
{
    struct bg_value *config = base_config(), *proposed = base_proposed();
    struct plan_result r;

    bg_value_put(arena, config, "name", str("api"));
    bg_value_put(arena, proposed, "name", str("api"));
    bg_value_put(arena, config, "note", str("changed, but not force-new"));
    bg_value_put(arena, proposed, "note", str("changed, but not force-new"));
    bg_value_put(arena, config, "size", num(5));
    bg_value_put(arena, proposed, "size", num(5));
    r = plan(base_prior(), proposed, config);
    cr_assert_eq(r.nreplace, 2);
    cr_assert_str_eq(bg_path_string(arena, r.replace[0]), "name");
    cr_assert_str_eq(bg_path_string(arena, r.replace[1]), "size");
    cr_assert_str_eq(bg_value_as_string(bg_value_get(r.planned, "name")), "api");
}

Test(schema_plan, update_counts_removing_a_force_new_value_as_a_change)
{
    struct bg_value *config = base_config(), *proposed = base_proposed();
    struct plan_result r;

    bg_value_put(arena, config, "zone", null());
    bg_value_put(arena, proposed, "zone", null());
    r = plan(base_prior(), proposed, config);
    cr_assert_eq(r.nreplace, 1);
    cr_assert_str_eq(bg_path_string(arena, r.replace[0]), "zone");
}

Test(schema_plan, update_compares_force_new_numbers_by_value)
{
    struct bg_value *config = base_config();
    struct plan_result r;

    bg_value_put(arena, config, "size", bg_value_float(arena, 3.0));
    r = plan(base_prior(), base_proposed(), config);
    cr_assert_eq(r.nreplace, 0, "3.0 planned against a prior 3");
}

Test(schema_plan, plan_leaves_the_proposed_value_untouched)
{
    struct bg_value *config = base_config(), *proposed = base_config();

    plan(null(), proposed, config);
    assert_json(proposed, "{\"id\":null,\"name\":\"web\",\"zone\":\"a\",\"size\":null,"
                          "\"note\":\"hi\",\"arn\":null,\"label\":null}");
}

/* ---- bg_schema_conform -------------------------------------------------------------- */

static const struct bg_attr leaf_attrs[] = {
    {.name = "port", .type = &bg_type_number, .flags = BG_OPTIONAL},
    {.name = "proto", .type = &bg_type_string, .flags = BG_OPTIONAL},
};

static const struct bg_field target_fields[] = {{"name", &bg_type_string},
                                                {"weight", &bg_type_number}};
static const struct bg_type target_type = BG_TYPE_OBJECT_OF(target_fields);
static const struct bg_type list_target = {BG_TYPE_LIST, &target_type, NULL, 0};
static const struct bg_type set_target = {BG_TYPE_SET, &target_type, NULL, 0};

static const struct bg_attr conform_attrs[] = {
    {.name = "name", .type = &bg_type_string, .flags = BG_REQUIRED},
    {.name = "tags", .type = &bg_type_map_string, .flags = BG_OPTIONAL},
    {.name = "colors", .type = &bg_type_list_string, .flags = BG_OPTIONAL},
    {.name = "single",
     .flags = BG_OPTIONAL,
     .nesting = BG_NEST_SINGLE,
     .nested = leaf_attrs,
     .nnested = BG_COUNT(leaf_attrs)},
    {.name = "rules",
     .flags = BG_OPTIONAL,
     .nesting = BG_NEST_LIST,
     .nested = leaf_attrs,
     .nnested = BG_COUNT(leaf_attrs)},
    {.name = "ruleset",
     .flags = BG_OPTIONAL,
     .nesting = BG_NEST_SET,
     .nested = leaf_attrs,
     .nnested = BG_COUNT(leaf_attrs)},
    {.name = "rulemap",
     .flags = BG_OPTIONAL,
     .nesting = BG_NEST_MAP,
     .nested = leaf_attrs,
     .nnested = BG_COUNT(leaf_attrs)},
    {.name = "target", .type = &target_type, .flags = BG_OPTIONAL},
    {.name = "targets", .type = &list_target, .flags = BG_OPTIONAL},
    {.name = "target_set", .type = &set_target, .flags = BG_OPTIONAL},
};
static const struct bg_block leaf_block = {.attrs = leaf_attrs, .nattrs = BG_COUNT(leaf_attrs)};
static const struct bg_block_type conform_blocks[] = {
    {.name = "timeouts", .nesting = BG_NEST_SINGLE, .block = &leaf_block},
    {.name = "listener", .nesting = BG_NEST_LIST, .block = &leaf_block},
};
static const struct bg_block conform_block = {.attrs = conform_attrs,
                                              .nattrs = BG_COUNT(conform_attrs),
                                              .blocks = conform_blocks,
                                              .nblocks = BG_COUNT(conform_blocks)};

#define ALL_NULL                                                                                   \
    "\"tags\":null,\"colors\":null,\"single\":null,\"rules\":null,\"ruleset\":null,"               \
    "\"rulemap\":null,\"target\":null,\"targets\":null,\"target_set\":null,\"timeouts\":null,"     \
    "\"listener\":[]"

Test(schema_plan, conform_adds_missing_attributes_as_null_and_drops_unknown_members)
{
    struct bg_value *out =
        bg_schema_conform(arena, &conform_block, obj("legacy", str("x"), "name", str("web"), NULL));

    assert_json(out, "{\"name\":\"web\"," ALL_NULL "}");
    cr_assert_null(bg_value_get(out, "legacy"));
    cr_assert_eq(bg_value_len(out), BG_COUNT(conform_attrs) + BG_COUNT(conform_blocks));
}

Test(schema_plan, conform_orders_members_as_the_schema_does)
{
    struct bg_value *out = bg_schema_conform(
        arena, &conform_block, obj("listener", list(NULL), "tags", null(), "name", str("a"), NULL));

    cr_assert_str_eq(out->u.map.items[0].key, "name");
    cr_assert_str_eq(out->u.map.items[1].key, "tags");
    cr_assert_str_eq(out->u.map.items[out->u.map.len - 1].key, "listener");
}

Test(schema_plan, conform_of_null_state_is_an_object_of_nulls)
{
    assert_json(bg_schema_conform(arena, &conform_block, null()), "{\"name\":null," ALL_NULL "}");
    assert_json(bg_schema_conform(arena, &conform_block, NULL), "{\"name\":null," ALL_NULL "}");
}

Test(schema_plan, conform_keeps_primitive_and_collection_values_as_they_are)
{
    struct bg_value *tags = obj("env", str("prod"), "old", str("kept: a map is data"), NULL);
    struct bg_value *colors = list(str("a"), str("b"), NULL);
    struct bg_value *out =
        bg_schema_conform(arena, &conform_block, obj("tags", tags, "colors", colors, NULL));

    cr_assert(bg_value_equal(bg_value_get(out, "tags"), tags));
    cr_assert(bg_value_equal(bg_value_get(out, "colors"), colors));
}

Test(schema_plan, conform_reshapes_nested_attributes_of_every_nesting_mode)
{
    struct bg_value *v =
        obj("single", obj("port", num(1), "gone", num(0), NULL), "rules",
            list(obj("port", num(2), NULL), obj("proto", str("tcp"), "gone", num(0), NULL), NULL),
            "ruleset", list(obj("gone", num(0), NULL), NULL), "rulemap",
            obj("blue", obj("port", num(3), "gone", num(0), NULL), NULL), NULL);
    struct bg_value *out = bg_schema_conform(arena, &conform_block, v);

    assert_json(bg_value_get(out, "single"), "{\"port\":1,\"proto\":null}");
    assert_json(bg_value_get(out, "rules"),
                "[{\"port\":2,\"proto\":null},{\"port\":null,\"proto\":\"tcp\"}]");
    assert_json(bg_value_get(out, "ruleset"), "[{\"port\":null,\"proto\":null}]");
    assert_json(bg_value_get(out, "rulemap"), "{\"blue\":{\"port\":3,\"proto\":null}}");
}

Test(schema_plan, conform_keeps_null_nested_attributes_null)
{
    struct bg_value *out = bg_schema_conform(
        arena, &conform_block,
        obj("single", null(), "rules", null(), "ruleset", null(), "rulemap", null(), NULL));

    cr_assert(bg_value_is_null(bg_value_get(out, "single")));
    cr_assert(bg_value_is_null(bg_value_get(out, "rules")));
    cr_assert(bg_value_is_null(bg_value_get(out, "ruleset")));
    cr_assert(bg_value_is_null(bg_value_get(out, "rulemap")));
}

Test(schema_plan, conform_reshapes_single_and_list_blocks)
{
    struct bg_value *v =
        obj("timeouts", obj("proto", str("udp"), "gone", num(0), NULL), "listener",
            list(obj("port", num(80), NULL), obj("gone", num(1), NULL), NULL), NULL);
    struct bg_value *out = bg_schema_conform(arena, &conform_block, v);

    assert_json(bg_value_get(out, "timeouts"), "{\"port\":null,\"proto\":\"udp\"}");
    assert_json(bg_value_get(out, "listener"),
                "[{\"port\":80,\"proto\":null},{\"port\":null,\"proto\":null}]");
}

Test(schema_plan, conform_reshapes_objects_in_object_and_list_of_object_types)
{
    struct bg_value *v =
        obj("target", obj("name", str("t"), "gone", num(0), NULL), "targets",
            list(obj("weight", num(1), NULL), obj("name", str("b"), "old", null(), NULL), NULL),
            "target_set", list(obj("name", str("s"), "weight", num(2), "gone", num(0), NULL), NULL),
            NULL);
    struct bg_value *out = bg_schema_conform(arena, &conform_block, v);

    assert_json(bg_value_get(out, "target"), "{\"name\":\"t\",\"weight\":null}");
    assert_json(bg_value_get(out, "targets"),
                "[{\"name\":null,\"weight\":1},{\"name\":\"b\",\"weight\":null}]");
    assert_json(bg_value_get(out, "target_set"), "[{\"name\":\"s\",\"weight\":2}]");
}

Test(schema_plan, conform_leaves_the_input_untouched)
{
    struct bg_value *single = obj("port", num(1), "gone", num(0), NULL);
    struct bg_value *v = obj("legacy", str("x"), "single", single, NULL);

    bg_schema_conform(arena, &conform_block, v);
    assert_json(v, "{\"legacy\":\"x\",\"single\":{\"port\":1,\"gone\":0}}");
}
