/* wire.c - protobuf-c messages built from paths, diagnostics, schemas and values. */
#include <criterion/criterion.h>
#include <string.h>

#include "bluegreen/arena.h"
#include "bluegreen/codec.h"
#include "bluegreen/diag.h"
#include "bluegreen/schema.h"
#include "protocol/wire.h"
#include "tfplugin6.pb-c.h"

static struct bg_arena *arena;
static struct bg_diags diags;

static void setup(void)
{
    arena = bg_arena_new();
    bg_diags_init(&diags, arena);
}

static void teardown(void)
{
    bg_arena_free(arena);
}

TestSuite(protocol_wire, .init = setup, .fini = teardown);

/* ---- paths and diagnostics ---------------------------------------------------------- */

Test(protocol_wire, path_steps_come_root_first_with_their_kinds)
{
    const struct bg_path *p = bg_path_attr(arena, NULL, "rules");
    Tfplugin6__AttributePath *ap;

    p = bg_path_index(arena, p, 2);
    p = bg_path_attr(arena, p, "targets");
    p = bg_path_key(arena, p, "blue");
    p = bg_path_attr(arena, p, "weight");
    ap = bg_wire_path(arena, p);
    cr_assert_eq(ap->n_steps, 5);
    cr_assert_eq(ap->steps[0]->selector_case,
                 TFPLUGIN6__ATTRIBUTE_PATH__STEP__SELECTOR_ATTRIBUTE_NAME);
    cr_assert_str_eq(ap->steps[0]->attribute_name, "rules");
    cr_assert_eq(ap->steps[1]->selector_case,
                 TFPLUGIN6__ATTRIBUTE_PATH__STEP__SELECTOR_ELEMENT_KEY_INT);
    cr_assert_eq(ap->steps[1]->element_key_int, 2);
    cr_assert_eq(ap->steps[2]->selector_case,
                 TFPLUGIN6__ATTRIBUTE_PATH__STEP__SELECTOR_ATTRIBUTE_NAME);
    cr_assert_str_eq(ap->steps[2]->attribute_name, "targets");
    cr_assert_eq(ap->steps[3]->selector_case,
                 TFPLUGIN6__ATTRIBUTE_PATH__STEP__SELECTOR_ELEMENT_KEY_STRING);
    cr_assert_str_eq(ap->steps[3]->element_key_string, "blue");
    cr_assert_str_eq(ap->steps[4]->attribute_name, "weight");
}

Test(protocol_wire, path_survives_packing_and_unpacking)
{
    const struct bg_path *p = bg_path_key(arena, bg_path_attr(arena, NULL, "files"), "a/b.tf");
    Tfplugin6__AttributePath *ap = bg_wire_path(arena, p), *back;
    size_t n = tfplugin6__attribute_path__get_packed_size(ap);
    uint8_t *buf = bg_arena_alloc(arena, n);

    tfplugin6__attribute_path__pack(ap, buf);
    back = tfplugin6__attribute_path__unpack(NULL, n, buf);
    cr_assert_not_null(back);
    cr_assert_eq(back->n_steps, 2);
    cr_assert_str_eq(back->steps[0]->attribute_name, "files");
    cr_assert_eq(back->steps[1]->selector_case,
                 TFPLUGIN6__ATTRIBUTE_PATH__STEP__SELECTOR_ELEMENT_KEY_STRING);
    cr_assert_str_eq(back->steps[1]->element_key_string, "a/b.tf");
    tfplugin6__attribute_path__free_unpacked(back, NULL);
}

Test(protocol_wire, null_path_has_no_steps)
{
    cr_assert_eq(bg_wire_path(arena, NULL)->n_steps, 0);
}

Test(protocol_wire, diagnostics_keep_order_severity_summary_detail_and_attribute)
{
    Tfplugin6__Diagnostic **out;
    size_t n = 99;

    bg_diag_error(&diags, bg_path_index(arena, bg_path_attr(arena, NULL, "colors"), 1),
                  "Invalid color", "colors[%d] is bad.", 1);
    bg_diag_warn(&diags, NULL, "Heads up", NULL);
    out = bg_wire_diags(arena, &diags, &n);
    cr_assert_eq(n, 2);
    cr_assert_eq(out[0]->severity, TFPLUGIN6__DIAGNOSTIC__SEVERITY__ERROR);
    cr_assert_str_eq(out[0]->summary, "Invalid color");
    cr_assert_str_eq(out[0]->detail, "colors[1] is bad.");
    cr_assert_not_null(out[0]->attribute);
    cr_assert_eq(out[0]->attribute->n_steps, 2);
    cr_assert_str_eq(out[0]->attribute->steps[0]->attribute_name, "colors");
    cr_assert_eq(out[0]->attribute->steps[1]->element_key_int, 1);
    cr_assert_eq(out[1]->severity, TFPLUGIN6__DIAGNOSTIC__SEVERITY__WARNING);
    cr_assert_str_eq(out[1]->summary, "Heads up");
    cr_assert_str_eq(out[1]->detail, "", "no detail is sent as the empty string");
    cr_assert_null(out[1]->attribute, "no path, no attribute");
}

Test(protocol_wire, no_diagnostics_give_an_empty_list)
{
    size_t n = 99;

    bg_wire_diags(arena, &diags, &n);
    cr_assert_eq(n, 0);
}

/* ---- schema ------------------------------------------------------------------------- */

static const struct bg_attr rule_attrs[] = {
    {.name = "port", .type = &bg_type_number, .flags = BG_REQUIRED},
    {.name = "labels", .type = &bg_type_map_string, .flags = BG_OPTIONAL},
};
static const struct bg_attr attrs[] = {
    {.name = "id", .type = &bg_type_string, .flags = BG_COMPUTED, .description = "The `id`."},
    {.name = "name", .type = &bg_type_string, .flags = BG_REQUIRED | BG_FORCE_NEW},
    {.name = "colors",
     .type = &bg_type_list_string,
     .flags = BG_OPTIONAL,
     .default_json = "[\"spoon\",\"knife\"]"},
    {.name = "token", .type = &bg_type_string, .flags = BG_OPTIONAL | BG_SENSITIVE},
    {.name = "rules",
     .flags = BG_OPTIONAL,
     .nesting = BG_NEST_LIST,
     .nested = rule_attrs,
     .nnested = BG_COUNT(rule_attrs)},
    {.name = "by_name",
     .flags = BG_OPTIONAL | BG_COMPUTED,
     .nesting = BG_NEST_MAP,
     .nested = rule_attrs,
     .nnested = BG_COUNT(rule_attrs)},
};
static const struct bg_attr timeout_attrs[] = {
    {.name = "create", .type = &bg_type_string, .flags = BG_OPTIONAL},
};
static const struct bg_block timeout_block = {
    .description = "Timeouts.", .attrs = timeout_attrs, .nattrs = BG_COUNT(timeout_attrs)};
static const struct bg_block_type blocks[] = {
    {.name = "timeouts", .nesting = BG_NEST_SINGLE, .block = &timeout_block, .max_items = 1},
    {.name = "listener",
     .nesting = BG_NEST_LIST,
     .block = &timeout_block,
     .min_items = 1,
     .max_items = 3},
};
static const struct bg_schema schema = {
    .version = 2,
    .block = {.description = "A *thing*.",
              .attrs = attrs,
              .nattrs = BG_COUNT(attrs),
              .blocks = blocks,
              .nblocks = BG_COUNT(blocks)},
};

static const char *type_of(const Tfplugin6__Schema__Attribute *m)
{
    return bg_arena_strndup(arena, (const char *)m->type.data, m->type.len);
}

Test(protocol_wire, schema_carries_version_descriptions_and_markdown_kind)
{
    Tfplugin6__Schema *s = bg_wire_schema(arena, &schema);

    cr_assert_eq(s->version, 2);
    cr_assert_str_eq(s->block->description, "A *thing*.");
    cr_assert_eq(s->block->description_kind, TFPLUGIN6__STRING_KIND__MARKDOWN);
    cr_assert_eq(s->block->n_attributes, BG_COUNT(attrs));
    cr_assert_str_eq(s->block->attributes[0]->description, "The `id`.");
    cr_assert_eq(s->block->attributes[0]->description_kind, TFPLUGIN6__STRING_KIND__MARKDOWN);
    /* The table's flags and default speak for themselves (bg_schema_describe). */
    cr_assert_str_eq(s->block->attributes[1]->description, "Changing it replaces the resource.");
    cr_assert_eq(s->block->attributes[1]->description_kind, TFPLUGIN6__STRING_KIND__MARKDOWN);
    cr_assert_str_eq(s->block->attributes[2]->description, "Default: `[\"spoon\",\"knife\"]`.");
    cr_assert_str_eq(s->block->attributes[3]->description, "", "no description is empty");
}

Test(protocol_wire, schema_attribute_flags_follow_the_table)
{
    static const struct {
        const char *name, *type;
        bool required, optional, computed, sensitive;
    } want[] = {
        {"id", "\"string\"", false, false, true, false},
        {"name", "\"string\"", true, false, false, false},
        {"colors", "[\"list\",\"string\"]", false, true, true, false}, /* default */
        {"token", "\"string\"", false, true, false, true},
    };
    Tfplugin6__Schema *s = bg_wire_schema(arena, &schema);
    size_t i;

    for (i = 0; i < BG_COUNT(want); i++) {
        const Tfplugin6__Schema__Attribute *m = s->block->attributes[i];

        cr_expect_str_eq(m->name, want[i].name);
        cr_expect_str_eq(type_of(m), want[i].type, "%s", want[i].name);
        cr_expect_eq(m->required, want[i].required, "%s required", want[i].name);
        cr_expect_eq(m->optional, want[i].optional, "%s optional", want[i].name);
        cr_expect_eq(m->computed, want[i].computed, "%s computed", want[i].name);
        cr_expect_eq(m->sensitive, want[i].sensitive, "%s sensitive", want[i].name);
        cr_expect_null(m->nested_type, "%s", want[i].name);
    }
}

Test(protocol_wire, schema_nested_attributes_become_nested_types_without_a_type)
{
    Tfplugin6__Schema *s = bg_wire_schema(arena, &schema);
    const Tfplugin6__Schema__Attribute *rules = s->block->attributes[4];
    const Tfplugin6__Schema__Attribute *by_name = s->block->attributes[5];

    cr_assert_str_eq(rules->name, "rules");
    cr_assert_eq(rules->type.len, 0);
    cr_assert_not_null(rules->nested_type);
    cr_assert_eq(rules->nested_type->nesting, TFPLUGIN6__SCHEMA__OBJECT__NESTING_MODE__LIST);
    cr_assert_eq(rules->nested_type->n_attributes, 2);
    cr_assert_str_eq(rules->nested_type->attributes[0]->name, "port");
    cr_assert_str_eq(type_of(rules->nested_type->attributes[0]), "\"number\"");
    cr_assert(rules->nested_type->attributes[0]->required);
    cr_assert_str_eq(rules->nested_type->attributes[1]->name, "labels");
    cr_assert_str_eq(type_of(rules->nested_type->attributes[1]), "[\"map\",\"string\"]");
    cr_assert(rules->nested_type->attributes[1]->optional);
    cr_assert(rules->optional);
    cr_assert_eq(by_name->nested_type->nesting, TFPLUGIN6__SCHEMA__OBJECT__NESTING_MODE__MAP);
    cr_assert(by_name->optional && by_name->computed);
}

Test(protocol_wire, schema_blocks_become_block_types_with_nesting_and_bounds)
{
    Tfplugin6__Schema *s = bg_wire_schema(arena, &schema);
    const Tfplugin6__Schema__NestedBlock *t, *l;

    cr_assert_eq(s->block->n_block_types, 2);
    t = s->block->block_types[0];
    l = s->block->block_types[1];
    cr_assert_str_eq(t->type_name, "timeouts");
    cr_assert_eq(t->nesting, TFPLUGIN6__SCHEMA__NESTED_BLOCK__NESTING_MODE__SINGLE);
    cr_assert_eq(t->max_items, 1);
    cr_assert_str_eq(t->block->description, "Timeouts.");
    cr_assert_eq(t->block->n_attributes, 1);
    cr_assert_str_eq(t->block->attributes[0]->name, "create");
    cr_assert_str_eq(l->type_name, "listener");
    cr_assert_eq(l->nesting, TFPLUGIN6__SCHEMA__NESTED_BLOCK__NESTING_MODE__LIST);
    cr_assert_eq(l->min_items, 1);
    cr_assert_eq(l->max_items, 3);
}

Test(protocol_wire, schema_message_packs)
{
    Tfplugin6__Schema *s = bg_wire_schema(arena, &schema), *back;
    size_t n = tfplugin6__schema__get_packed_size(s);
    uint8_t *buf = bg_arena_alloc(arena, n);

    cr_assert_eq(tfplugin6__schema__pack(s, buf), n);
    back = tfplugin6__schema__unpack(NULL, n, buf);
    cr_assert_not_null(back);
    cr_assert_eq(back->block->n_attributes, BG_COUNT(attrs));
    cr_assert_eq(back->block->attributes[4]->nested_type->n_attributes, 2);
    tfplugin6__schema__free_unpacked(back, NULL);
}

/* ---- values ------------------------------------------------------------------------- */

Test(protocol_wire, value_round_trips_through_a_dynamic_value)
{
    struct bg_value *v = bg_value_map(arena, 0), *colors = bg_value_array(arena, 2), *back;
    Tfplugin6__DynamicValue *dv;

    bg_value_append(arena, colors, bg_value_string(arena, "spoon"));
    bg_value_append(arena, colors, bg_value_unknown(arena));
    bg_value_put(arena, v, "colors", colors);
    bg_value_put(arena, v, "n", bg_value_int(arena, -7));
    bg_value_put(arena, v, "f", bg_value_float(arena, 0.5));
    bg_value_put(arena, v, "ok", bg_value_bool(arena, true));
    bg_value_put(arena, v, "none", bg_value_null(arena));
    dv = bg_wire_value_out(&diags, v);
    cr_assert_eq(diags.count, 0);
    cr_assert_gt(dv->msgpack.len, 0);
    cr_assert_eq(dv->json.len, 0);
    cr_assert_eq(bg_wire_value_in(&back, &diags, dv, "config"), 0);
    cr_assert_eq(diags.count, 0);
    cr_assert(bg_value_equal(back, v));
    cr_assert(bg_value_is_unknown(bg_value_get(back, "colors")->u.arr.items[1]));
}

Test(protocol_wire, missing_or_empty_dynamic_value_is_null)
{
    Tfplugin6__DynamicValue empty = TFPLUGIN6__DYNAMIC_VALUE__INIT;
    struct bg_value *v = NULL;

    cr_assert_eq(bg_wire_value_in(&v, &diags, NULL, "config"), 0);
    cr_assert(v != NULL && v->kind == BG_NULL);
    v = NULL;
    cr_assert_eq(bg_wire_value_in(&v, &diags, &empty, "config"), 0);
    cr_assert(v != NULL && v->kind == BG_NULL);
    cr_assert_eq(diags.count, 0);
}

Test(protocol_wire, json_dynamic_value_is_decoded)
{
    static const char json[] = "{\"name\":\"web\",\"n\":2}";
    Tfplugin6__DynamicValue dv = TFPLUGIN6__DYNAMIC_VALUE__INIT;
    struct bg_value *v = NULL;
    int64_t n = 0;

    dv.json.data = (uint8_t *)json;
    dv.json.len = strlen(json);
    cr_assert_eq(bg_wire_value_in(&v, &diags, &dv, "raw state"), 0);
    cr_assert_str_eq(bg_value_as_string(bg_value_get(v, "name")), "web");
    cr_assert_eq(bg_value_as_int(&n, bg_value_get(v, "n")), 0);
    cr_assert_eq(n, 2);
}

Test(protocol_wire, garbage_msgpack_gives_one_error_diagnostic_naming_what)
{
    static const uint8_t cases[][3] = {
        {0xc1, 0, 0},     /* never used */
        {0x92, 0x01, 0},  /* array of two, one element given */
        {0xa5, 'a', 'b'}, /* str of five, two bytes */
    };
    static const size_t lens[] = {1, 2, 3};
    size_t i;

    for (i = 0; i < BG_COUNT(cases); i++) {
        Tfplugin6__DynamicValue dv = TFPLUGIN6__DYNAMIC_VALUE__INIT;
        struct bg_value *v = NULL;
        const char *prefix = "Cannot decode config: ";

        bg_diags_init(&diags, arena);
        dv.msgpack.data = (uint8_t *)cases[i];
        dv.msgpack.len = lens[i];
        cr_expect_neq(bg_wire_value_in(&v, &diags, &dv, "config"), 0, "case %zu", i);
        cr_expect_eq(diags.count, 1, "case %zu", i);
        cr_expect_eq(diags.errors, 1, "case %zu", i);
        cr_expect_str_eq(diags.head->summary, "Invalid value from Terraform");
        cr_expect_eq(strncmp(diags.head->detail, prefix, strlen(prefix)), 0, "case %zu: %s", i,
                     diags.head->detail);
        cr_expect_null(diags.head->path);
    }
}
