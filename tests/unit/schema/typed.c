/* typed.c - the typed layer: expand (value -> C struct) and flatten (C struct -> value) along
 * the slots of an attribute table, the slot check, and the first-unknown path. */
#include <criterion/criterion.h>

#include "bluegreen/codec.h"
#include "bluegreen/provider.h"
#include "bluegreen/resource.h"
#include "bluegreen/schema.h"
#include "unit/schema/helpers.h"

TestSuite(schema_typed, .init = setup, .fini = teardown);

/* ---- a table using every kind of slot ---------------------------------------------- */

enum color { COLOR_RED, COLOR_GREEN, COLOR_BLUE };
static const char *const colors[] = {"red", "green", "blue", NULL};
static const struct bg_validator color_v[] = {{bg_validate_one_of, colors, NULL},
                                              {NULL, NULL, NULL}};

struct port {
    const char *name;
    int64_t number;
    enum bg_presence number_is;
};

struct conn {
    const char *host;
    struct bg_pair *headers;
    size_t nheaders;
};

struct rule {
    const char *match;
    bool deny;
};

struct limits {
    double ratio;
};

struct thing {
    const char *name;
    bool enabled;
    int64_t count;
    double weight;
    enum color color;
    enum color shade;
    enum bg_presence shade_is;
    int64_t maybe;
    enum bg_presence maybe_is;
    const char **tags;
    size_t ntags;
    const char **zones;
    size_t nzones;
    struct bg_pair *labels;
    size_t nlabels;
    struct conn *conn;
    struct port *ports;
    size_t nports;
    struct port *extra;
    size_t nextra;
    struct rule *rules;
    size_t nrules;
    struct limits *limits;
    const char *id;
};

static const struct bg_attr port_attrs[] = {
    {.name = "name",
     .type = &bg_type_string,
     .flags = BG_REQUIRED,
     .slot = BG_SLOT_STRING(struct port, name)},
    {.name = "number",
     .type = &bg_type_number,
     .flags = BG_OPTIONAL,
     .slot = BG_SLOT_INT(struct port, number),
     .presence = BG_PRESENCE(struct port, number_is)},
};

static const struct bg_attr conn_attrs[] = {
    {.name = "host",
     .type = &bg_type_string,
     .flags = BG_REQUIRED,
     .slot = BG_SLOT_STRING(struct conn, host)},
    {.name = "headers",
     .type = &bg_type_map_string,
     .flags = BG_OPTIONAL,
     .slot = BG_SLOT_PAIRS(struct conn, headers, nheaders)},
};

static const struct bg_attr rule_attrs[] = {
    {.name = "match",
     .type = &bg_type_string,
     .flags = BG_REQUIRED,
     .slot = BG_SLOT_STRING(struct rule, match)},
    {.name = "deny",
     .type = &bg_type_bool,
     .flags = BG_OPTIONAL,
     .default_json = "false",
     .slot = BG_SLOT_BOOL(struct rule, deny)},
};
static const struct bg_block rule_block = {.attrs = rule_attrs, .nattrs = BG_COUNT(rule_attrs)};

static const struct bg_attr limits_attrs[] = {
    {.name = "ratio",
     .type = &bg_type_number,
     .flags = BG_OPTIONAL,
     .default_json = "0.5",
     .slot = BG_SLOT_DOUBLE(struct limits, ratio)},
};
static const struct bg_block limits_block = {.attrs = limits_attrs,
                                             .nattrs = BG_COUNT(limits_attrs)};

static const struct bg_attr thing_attrs[] = {
    {.name = "name",
     .type = &bg_type_string,
     .flags = BG_REQUIRED,
     .slot = BG_SLOT_STRING(struct thing, name)},
    {.name = "enabled",
     .type = &bg_type_bool,
     .flags = BG_OPTIONAL,
     .default_json = "true",
     .slot = BG_SLOT_BOOL(struct thing, enabled)},
    {.name = "count",
     .type = &bg_type_number,
     .flags = BG_OPTIONAL,
     .default_json = "3",
     .slot = BG_SLOT_INT(struct thing, count)},
    {.name = "weight",
     .type = &bg_type_number,
     .flags = BG_OPTIONAL,
     .default_json = "1.25",
     .slot = BG_SLOT_DOUBLE(struct thing, weight)},
    {.name = "color",
     .type = &bg_type_string,
     .flags = BG_OPTIONAL,
     .default_json = "\"green\"",
     .validators = color_v,
     .slot = BG_SLOT_ENUM(struct thing, color)},
    {.name = "shade",
     .type = &bg_type_string,
     .flags = BG_OPTIONAL,
     .validators = color_v,
     .slot = BG_SLOT_ENUM(struct thing, shade),
     .presence = BG_PRESENCE(struct thing, shade_is)},
    {.name = "maybe",
     .type = &bg_type_number,
     .flags = BG_OPTIONAL,
     .slot = BG_SLOT_INT(struct thing, maybe),
     .presence = BG_PRESENCE(struct thing, maybe_is)},
    {.name = "tags",
     .type = &bg_type_list_string,
     .flags = BG_OPTIONAL,
     .slot = BG_SLOT_STRINGS(struct thing, tags, ntags)},
    {.name = "zones",
     .type = &bg_type_set_string,
     .flags = BG_OPTIONAL,
     .default_json = "[\"a\",\"b\"]",
     .slot = BG_SLOT_STRINGS(struct thing, zones, nzones)},
    {.name = "labels",
     .type = &bg_type_map_string,
     .flags = BG_OPTIONAL,
     .slot = BG_SLOT_PAIRS(struct thing, labels, nlabels)},
    {.name = "conn",
     .flags = BG_OPTIONAL,
     .nesting = BG_NEST_SINGLE,
     .nested = conn_attrs,
     .nnested = BG_COUNT(conn_attrs),
     .slot = BG_SLOT_OBJECT(struct thing, conn)},
    {.name = "ports",
     .flags = BG_OPTIONAL,
     .nesting = BG_NEST_LIST,
     .nested = port_attrs,
     .nnested = BG_COUNT(port_attrs),
     .slot = BG_SLOT_OBJECTS(struct thing, ports, nports)},
    {.name = "extra",
     .flags = BG_OPTIONAL,
     .nesting = BG_NEST_SET,
     .nested = port_attrs,
     .nnested = BG_COUNT(port_attrs),
     .slot = BG_SLOT_OBJECTS(struct thing, extra, nextra)},
    {.name = "id",
     .type = &bg_type_string,
     .flags = BG_COMPUTED,
     .slot = BG_SLOT_STRING(struct thing, id)},
    {.name = "note", .type = &bg_type_string, .flags = BG_OPTIONAL}, /* no slot */
};

static const struct bg_block_type thing_blocks[] = {
    {.name = "rule",
     .nesting = BG_NEST_LIST,
     .block = &rule_block,
     .slot = BG_SLOT_OBJECTS(struct thing, rules, nrules)},
    {.name = "limits",
     .nesting = BG_NEST_SINGLE,
     .block = &limits_block,
     .slot = BG_SLOT_OBJECT(struct thing, limits)},
};

static const struct bg_block thing = {
    .attrs = thing_attrs,
    .nattrs = BG_COUNT(thing_attrs),
    .blocks = thing_blocks,
    .nblocks = BG_COUNT(thing_blocks),
};

static struct bg_value *json(const char *text)
{
    struct bg_value *v = NULL;
    struct bg_error err = BG_ERROR_INIT;

    cr_assert_eq(bg_json_decode(&v, arena, text, strlen(text), &err), 0, "test JSON: %s", err.msg);
    return v;
}

static const char *show(const struct bg_value *v)
{
    struct bg_error err = BG_ERROR_INIT;
    char *out = NULL;

    return bg_json_encode(&out, arena, v, &err) == 0 ? out : "<not JSON: holds an unknown>";
}

static void assert_same(const struct bg_value *got, const struct bg_value *want)
{
    cr_assert(bg_value_equal(got, want), "got %s\nwant %s", show(got), show(want));
}

static const char *const full_json =
    "{\"name\":\"n\",\"enabled\":false,\"count\":7,\"weight\":2.5,\"color\":\"blue\","
    "\"shade\":\"red\",\"maybe\":0,\"tags\":[\"x\",\"y\"],\"zones\":[\"z\"],"
    "\"labels\":{\"k\":\"v\",\"k2\":\"v2\"},"
    "\"conn\":{\"host\":\"h\",\"headers\":{\"a\":\"1\"}},"
    "\"ports\":[{\"name\":\"http\",\"number\":80},{\"name\":\"any\",\"number\":null}],"
    "\"extra\":[{\"name\":\"e\",\"number\":9}],\"id\":\"the-id\",\"note\":null,"
    "\"rule\":[{\"match\":\"/a\",\"deny\":true},{\"match\":\"/b\",\"deny\":false}],"
    "\"limits\":{\"ratio\":0.75}}";

struct numbers {
    int64_t *levels;
    size_t nlevels;
};
static const struct bg_type list_number = {BG_TYPE_LIST, &bg_type_number, NULL, 0};
static const struct bg_attr number_attrs[] = {
    {.name = "levels",
     .type = &list_number,
     .flags = BG_OPTIONAL,
     .default_json = "[10,25]",
     .slot = BG_SLOT_INTS(struct numbers, levels, nlevels)},
};
static const struct bg_block numbers = {.attrs = number_attrs, .nattrs = BG_COUNT(number_attrs)};

struct tallies {
    struct bg_count *counts;
    size_t ncounts;
};
static const struct bg_type map_number = {BG_TYPE_MAP, &bg_type_number, NULL, 0};
static const struct bg_attr tally_attrs[] = {
    {.name = "counts",
     .type = &map_number,
     .flags = BG_COMPUTED,
     .slot = BG_SLOT_COUNTS(struct tallies, counts, ncounts)},
};
static const struct bg_block tallies = {.attrs = tally_attrs, .nattrs = BG_COUNT(tally_attrs)};

/* ---- expand and flatten ------------------------------------------------------------- */

Test(schema_typed, every_attribute_kind_expands_into_its_member)
{
    struct thing t = {0};

    cr_assert_eq(bg_schema_expand(&t, &diags, &thing, json(full_json)), 0);
    cr_assert_eq(diags.count, 0);
    cr_assert_str_eq(t.name, "n");
    cr_assert(!t.enabled);
    cr_assert_eq(t.count, 7);
    cr_assert_float_eq(t.weight, 2.5, 1e-12);
    cr_assert_eq(t.color, COLOR_BLUE);
    cr_assert_eq(t.shade, COLOR_RED);
    cr_assert_eq(t.shade_is, BG_PRESENCE_KNOWN);
    cr_assert_eq(t.maybe, 0);
    cr_assert_eq(t.maybe_is, BG_PRESENCE_KNOWN, "0 is a value, not null");
    cr_assert_eq(t.ntags, 2);
    cr_assert_str_eq(t.tags[1], "y");
    cr_assert_eq(t.nzones, 1);
    cr_assert_eq(t.nlabels, 2);
    cr_assert_str_eq(t.labels[1].key, "k2");
    cr_assert_str_eq(t.labels[1].value, "v2");
    cr_assert_not_null(t.conn);
    cr_assert_str_eq(t.conn->host, "h");
    cr_assert_eq(t.conn->nheaders, 1);
    cr_assert_eq(t.nports, 2);
    cr_assert_str_eq(t.ports[0].name, "http");
    cr_assert_eq(t.ports[0].number, 80);
    cr_assert_eq(t.ports[1].number_is, BG_PRESENCE_NULL);
    cr_assert_eq(t.nextra, 1);
    cr_assert_eq(t.extra[0].number, 9);
    cr_assert_eq(t.nrules, 2);
    cr_assert(t.rules[0].deny);
    cr_assert_str_eq(t.rules[1].match, "/b");
    cr_assert_not_null(t.limits);
    cr_assert_float_eq(t.limits->ratio, 0.75, 1e-12);
    cr_assert_str_eq(t.id, "the-id");
}

Test(schema_typed, flatten_of_an_expanded_struct_gives_the_value_back)
{
    struct bg_value *v = json(full_json);
    struct thing t = {0};

    cr_assert_eq(bg_schema_expand(&t, &diags, &thing, v), 0);
    assert_same(bg_schema_flatten(arena, &thing, &t, NULL), v);
}

Test(schema_typed, a_struct_built_in_c_flattens_to_the_value_it_describes)
{
    static const char *tags[] = {"t"};
    struct port ports[] = {{"p", 443, BG_PRESENCE_KNOWN}};
    struct rule rules[] = {{"/x", true}};
    struct limits limits = {0.1};
    struct thing t = {.name = "built",
                      .enabled = true,
                      .count = 1,
                      .color = COLOR_RED,
                      .tags = tags,
                      .ntags = 1,
                      .ports = ports,
                      .nports = 1,
                      .rules = rules,
                      .nrules = 1,
                      .limits = &limits,
                      .id = "i"};

    assert_same(bg_schema_flatten(arena, &thing, &t, NULL),
                json("{\"name\":\"built\",\"enabled\":true,\"count\":1,\"weight\":0,"
                     "\"color\":\"red\",\"shade\":null,\"maybe\":null,\"tags\":[\"t\"],"
                     "\"zones\":null,\"labels\":null,\"conn\":null,"
                     "\"ports\":[{\"name\":\"p\",\"number\":443}],\"extra\":null,\"id\":\"i\","
                     "\"note\":null,\"rule\":[{\"match\":\"/x\",\"deny\":true}],"
                     "\"limits\":{\"ratio\":0.1}}"));
}

Test(schema_typed, defaults_from_the_table_fill_null_attributes_at_every_depth)
{
    struct thing t = {0};

    cr_assert_eq(bg_schema_expand(&t, &diags, &thing,
                                  json("{\"name\":\"n\",\"rule\":[{\"match\":\"/a\"}],"
                                       "\"limits\":{}}")),
                 0);
    cr_assert(t.enabled);
    cr_assert_eq(t.count, 3);
    cr_assert_float_eq(t.weight, 1.25, 1e-12);
    cr_assert_eq(t.color, COLOR_GREEN);
    cr_assert_eq(t.nzones, 2);
    cr_assert_str_eq(t.zones[0], "a");
    cr_assert(!t.rules[0].deny);
    cr_assert_float_eq(t.limits->ratio, 0.5, 1e-12);
}

Test(schema_typed, enums_map_to_the_index_of_the_one_of_list_and_back)
{
    size_t i;

    for (i = 0; colors[i] != NULL; i++) {
        struct thing t = {0};
        struct bg_value *v = obj("name", str("n"), "color", str(colors[i]), NULL);

        cr_assert_eq(bg_schema_expand(&t, &diags, &thing, v), 0);
        cr_assert_eq((size_t)t.color, i);
        cr_assert_str_eq(
            bg_value_as_string(bg_value_get(bg_schema_flatten(arena, &thing, &t, NULL), "color")),
            colors[i]);
    }
}

Test(schema_typed, a_value_outside_the_enum_is_an_error_at_its_path)
{
    struct thing t = {0};

    cr_assert_eq(bg_schema_expand(&t, &diags, &thing, obj("color", str("pink"), NULL)), BG_EINVAL);
    cr_assert_eq(diags.errors, 1);
    cr_assert_str_eq(diag_path(0), "color");
    cr_assert_not_null(strstr(diag_at(0)->detail, "\"red\", \"green\", \"blue\""), "%s",
                       diag_at(0)->detail);
}

Test(schema_typed, values_that_do_not_fit_are_errors_naming_nested_paths_and_the_rest_expands)
{
    struct thing t = {0};
    struct bg_value *v = json("{\"name\":\"n\",\"count\":1.5,"
                              "\"ports\":[{\"name\":\"a\",\"number\":1},"
                              "{\"name\":\"b\",\"number\":\"x\"}],"
                              "\"extra\":[{\"name\":\"e\",\"number\":2.5}]}");

    cr_assert_eq(bg_schema_expand(&t, &diags, &thing, v), BG_EINVAL);
    cr_assert_eq(diags.errors, 3);
    cr_assert_str_eq(diag_path(0), "count");
    cr_assert_str_eq(diag_at(0)->detail, "count must be a whole number.");
    cr_assert_str_eq(diag_path(1), "ports[1].number");
    /* Set elements have no index Terraform could show: the path stops at the set. */
    cr_assert_str_eq(diag_path(2), "extra.number");
    cr_assert_str_eq(t.name, "n", "the rest is still expanded");
    cr_assert_eq(t.ports[0].number, 1);
}

Test(schema_typed, unknown_values_are_visible_through_presence_and_flatten_back_unknown)
{
    struct thing t = {.maybe = 42};
    struct bg_value *v = obj("name", unknown(), "maybe", unknown(), "shade", unknown(), "tags",
                             list(str("a"), unknown(), NULL), "ports",
                             list(obj("name", str("p"), "number", unknown(), NULL), NULL), "limits",
                             unknown(), NULL);
    struct bg_value *flat;

    cr_assert_eq(bg_schema_expand(&t, &diags, &thing, v), 0);
    cr_assert_null(t.name);
    cr_assert_eq(t.maybe_is, BG_PRESENCE_UNKNOWN);
    cr_assert_eq(t.maybe, 42, "an unknown leaves the member as it was");
    cr_assert_eq(t.shade_is, BG_PRESENCE_UNKNOWN);
    cr_assert_null(t.tags, "a list with an unknown element is unknown as a whole");
    cr_assert_eq(t.ports[0].number_is, BG_PRESENCE_UNKNOWN);
    cr_assert_null(t.limits);
    flat = bg_schema_flatten(arena, &thing, &t, NULL);
    cr_assert(bg_value_is_unknown(bg_value_get(flat, "maybe")));
    cr_assert(bg_value_is_unknown(bg_value_get(flat, "shade")));
    cr_assert(
        bg_value_is_unknown(bg_value_get(bg_value_get(flat, "ports")->u.arr.items[0], "number")));
}

Test(schema_typed, nulls_stay_null_and_known_empty_collections_stay_empty)
{
    struct thing t = {0};
    struct bg_value *v = json("{\"name\":\"n\",\"tags\":[],\"labels\":{},\"ports\":[],"
                              "\"maybe\":null,\"conn\":null,\"limits\":null}");
    struct bg_value *flat;

    cr_assert_eq(bg_schema_expand(&t, &diags, &thing, v), 0);
    cr_assert_not_null(t.tags, "known and empty: a pointer, count 0");
    cr_assert_eq(t.ntags, 0);
    cr_assert_not_null(t.labels);
    cr_assert_not_null(t.ports);
    cr_assert_eq(t.maybe_is, BG_PRESENCE_NULL);
    cr_assert_null(t.conn);
    cr_assert_null(t.limits);
    flat = bg_schema_flatten(arena, &thing, &t, NULL);
    assert_same(bg_value_get(flat, "tags"), json("[]"));
    assert_same(bg_value_get(flat, "labels"), json("{}"));
    assert_same(bg_value_get(flat, "ports"), json("[]"));
    cr_assert(bg_value_is_null(bg_value_get(flat, "maybe")));
    cr_assert(bg_value_is_null(bg_value_get(flat, "conn")));
    cr_assert(bg_value_is_null(bg_value_get(flat, "extra")));
    cr_assert(bg_value_is_null(bg_value_get(flat, "limits")));
}

Test(schema_typed, null_elements_of_string_collections_round_trip)
{
    struct bg_value *v = json("{\"tags\":[\"a\",null],\"labels\":{\"k\":null}}");
    struct thing t = {0};

    cr_assert_eq(bg_schema_expand(&t, &diags, &thing, v), 0);
    cr_assert_null(t.tags[1]);
    cr_assert_null(t.labels[0].value);
    assert_same(bg_value_get(bg_schema_flatten(arena, &thing, &t, NULL), "tags"),
                json("[\"a\",null]"));
}

Test(schema_typed, flatten_onto_a_base_takes_only_computed_attributes_from_the_struct)
{
    struct bg_value *planned = obj("name", unknown(), "count", num(5), "id", unknown(), "note",
                                   str("kept"), "rule", list(NULL), NULL);
    struct thing t = {.name = "not used", .count = 99, .id = "new-id"};
    struct bg_value *out = bg_schema_flatten(arena, &thing, &t, planned);

    cr_assert(bg_value_is_unknown(bg_value_get(out, "name")), "configured unknown kept");
    assert_same(bg_value_get(out, "count"), num(5));
    assert_same(bg_value_get(out, "note"), str("kept"));
    assert_same(bg_value_get(out, "id"), str("new-id"));
    assert_same(bg_value_get(out, "rule"), json("[]"));
    cr_assert(bg_value_is_null(bg_value_get(out, "limits")));
}

Test(schema_typed, a_presence_member_set_known_flattens_a_null_array_as_empty)
{
    static const struct bg_attr attrs[] = {
        {.name = "items",
         .type = &bg_type_list_string,
         .flags = BG_COMPUTED,
         .slot = BG_SLOT_STRINGS(struct thing, tags, ntags),
         .presence = BG_PRESENCE(struct thing, maybe_is)},
    };
    static const struct bg_block b = {.attrs = attrs, .nattrs = BG_COUNT(attrs)};
    struct thing t = {.maybe_is = BG_PRESENCE_KNOWN};

    assert_same(bg_value_get(bg_schema_flatten(arena, &b, &t, NULL), "items"), json("[]"));
    t.maybe_is = BG_PRESENCE_NULL;
    cr_assert(bg_value_is_null(bg_value_get(bg_schema_flatten(arena, &b, &t, NULL), "items")));
}

Test(schema_typed, lists_of_whole_numbers_round_trip_take_their_default_and_refuse_fractions)
{
    struct bg_value *v = json("{\"levels\":[1,50,100]}");
    struct numbers n = {0};
    struct bg_error err = BG_ERROR_INIT;

    cr_assert_eq(bg_schema_check(&err, &numbers), 0, "%s", err.msg);
    cr_assert_eq(bg_schema_expand(&n, &diags, &numbers, v), 0);
    cr_assert_eq(n.nlevels, 3);
    cr_assert_eq(n.levels[1], 50);
    assert_same(bg_schema_flatten(arena, &numbers, &n, NULL), v);

    memset(&n, 0, sizeof(n));
    cr_assert_eq(bg_schema_expand(&n, &diags, &numbers, json("{}")), 0);
    cr_assert_eq(n.nlevels, 2, "the default");
    cr_assert_eq(n.levels[0], 10);

    memset(&n, 0, sizeof(n));
    cr_assert_eq(
        bg_schema_expand(&n, &diags, &numbers, obj("levels", list(num(1), unknown(), NULL), NULL)),
        0);
    cr_assert_null(n.levels, "a list with an unknown element is unknown as a whole");
    cr_assert(
        bg_value_is_null(bg_value_get(bg_schema_flatten(arena, &numbers, &n, NULL), "levels")),
        "without a presence member a NULL array flattens as null");

    cr_assert_eq(bg_schema_expand(&n, &diags, &numbers, json("{\"levels\":[1.5]}")), BG_EINVAL);
    cr_assert_str_eq(diag_path(0), "levels");
}

Test(schema_typed, maps_of_whole_numbers_round_trip_and_refuse_fractions_and_nulls)
{
    struct bg_value *v = json("{\"counts\":{\"1.15\":3,\"eu\":0}}");
    struct tallies t = {0};
    struct bg_error err = BG_ERROR_INIT;

    cr_assert_eq(bg_schema_check(&err, &tallies), 0, "%s", err.msg);
    cr_assert_eq(bg_schema_expand(&t, &diags, &tallies, v), 0);
    cr_assert_eq(t.ncounts, 2);
    cr_assert_str_eq(t.counts[0].key, "1.15");
    cr_assert_eq(t.counts[0].value, 3);
    cr_assert_eq(t.counts[1].value, 0);
    assert_same(bg_schema_flatten(arena, &tallies, &t, NULL), v);

    memset(&t, 0, sizeof(t));
    cr_assert_eq(bg_schema_expand(&t, &diags, &tallies, json("{\"counts\":{}}")), 0);
    cr_assert_not_null(t.counts, "a known empty map");
    assert_same(bg_value_get(bg_schema_flatten(arena, &tallies, &t, NULL), "counts"),
                bg_value_map(arena, 0));

    memset(&t, 0, sizeof(t));
    cr_assert_eq(bg_schema_expand(&t, &diags, &tallies,
                                  obj("counts", obj("a", num(1), "b", unknown(), NULL), NULL)),
                 0);
    cr_assert_null(t.counts, "a map with an unknown member is unknown as a whole");

    cr_assert_eq(bg_schema_expand(&t, &diags, &tallies, json("{\"counts\":{\"a\":0.5}}")),
                 BG_EINVAL);
    cr_assert_str_eq(diag_path(0), "counts");
    cr_assert_eq(bg_schema_expand(&t, &diags, &tallies, json("{\"counts\":{\"a\":null}}")),
                 BG_EINVAL);
}

Test(schema_typed, expanding_a_deep_value_follows_the_table_not_the_value)
{
    struct bg_value *deep = str("leaf");
    struct thing t = {0};
    int i;

    /* A hostile value much deeper than the schema: only the table's levels are visited. */
    for (i = 0; i < 10000; i++)
        deep = obj("host", deep, NULL);
    cr_assert_eq(bg_schema_expand(&t, &diags, &thing, obj("conn", deep, NULL)), BG_EINVAL);
    cr_assert_str_eq(diag_path(0), "conn.host");
}

/* ---- bg_schema_check ---------------------------------------------------------------- */

Test(schema_typed, the_test_table_and_every_registered_table_pass_the_slot_check)
{
    struct bg_error err = BG_ERROR_INIT;
    size_t i;

    cr_assert_eq(bg_schema_check(&err, &thing), 0, "%s", err.msg);
    cr_assert_eq(bg_schema_check(&err, &bg_provider_schema.block), 0, "provider: %s", err.msg);
    for (i = 0; bg_resources[i] != NULL; i++)
        cr_assert_eq(bg_schema_check(&err, &bg_resources[i]->schema->block), 0, "%s: %s",
                     bg_resources[i]->type_name, err.msg);
    for (i = 0; bg_data_sources[i] != NULL; i++)
        cr_assert_eq(bg_schema_check(&err, &bg_data_sources[i]->schema->block), 0, "%s: %s",
                     bg_data_sources[i]->type_name, err.msg);
}

static const char *check_message(const struct bg_attr *attr)
{
    struct bg_block b = {.attrs = attr, .nattrs = 1};
    static struct bg_error err;

    bg_error_clear(&err);
    cr_assert_eq(bg_schema_check(&err, &b), BG_EINVAL, "the check should refuse it");
    return err.msg;
}

Test(schema_typed, the_slot_check_refuses_slots_that_do_not_fit)
{
    const struct bg_attr string_on_number = {.name = "n",
                                             .type = &bg_type_number,
                                             .flags = BG_REQUIRED,
                                             .slot = BG_SLOT_STRING(struct thing, name)};
    const struct bg_attr enum_without_list = {.name = "e",
                                              .type = &bg_type_string,
                                              .flags = BG_REQUIRED,
                                              .slot = BG_SLOT_ENUM(struct thing, color)};
    const struct bg_attr optional_int_without_presence = {.name = "o",
                                                          .type = &bg_type_number,
                                                          .flags = BG_OPTIONAL,
                                                          .slot = BG_SLOT_INT(struct thing, count)};
    const struct bg_attr objects_on_single = {.name = "s",
                                              .flags = BG_OPTIONAL,
                                              .nesting = BG_NEST_SINGLE,
                                              .nested = port_attrs,
                                              .nnested = BG_COUNT(port_attrs),
                                              .slot = BG_SLOT_OBJECTS(struct thing, ports, nports)};
    const struct bg_attr ints_on_strings = {.name = "i",
                                            .type = &bg_type_list_string,
                                            .flags = BG_OPTIONAL,
                                            .slot = BG_SLOT_INTS(struct numbers, levels, nlevels)};
    const struct bg_attr unslotted_parent = {.name = "p",
                                             .flags = BG_OPTIONAL,
                                             .nesting = BG_NEST_LIST,
                                             .nested = port_attrs,
                                             .nnested = BG_COUNT(port_attrs)};

    cr_assert_str_eq(check_message(&string_on_number),
                     "n: a STRING slot does not fit the attribute");
    cr_assert_not_null(strstr(check_message(&enum_without_list), "bg_validate_one_of"));
    cr_assert_not_null(strstr(check_message(&optional_int_without_presence), "presence"));
    cr_assert_not_null(strstr(check_message(&objects_on_single), "OBJECTS"));
    cr_assert_not_null(strstr(check_message(&unslotted_parent), "unslotted"));
    cr_assert_str_eq(check_message(&ints_on_strings), "i: a INTS slot does not fit the attribute");
}

struct pair_item {
    const char *key;
    int64_t n;
};
struct pairs {
    struct pair_item *items;
    size_t nitems;
};
static const struct bg_attr pair_item_attrs[] = {
    {.name = "key", .type = &bg_type_string, .slot = BG_SLOT_STRING(struct pair_item, key)},
    {.name = "n", .type = &bg_type_number, .slot = BG_SLOT_INT(struct pair_item, n)},
};
static const struct bg_field pair_fields[] = {{"key", &bg_type_string}, {"n", &bg_type_number}};
static const struct bg_type pair_type = BG_TYPE_OBJECT_OF(pair_fields);
static const struct bg_type pair_list = {BG_TYPE_LIST, &pair_type, NULL, 0};

Test(schema_typed, a_list_of_object_type_expands_through_the_fields_it_names)
{
    const struct bg_attr attrs[] = {{.name = "items",
                                     .type = &pair_list,
                                     .flags = BG_COMPUTED,
                                     .nested = pair_item_attrs,
                                     .nnested = BG_COUNT(pair_item_attrs),
                                     .slot = BG_SLOT_OBJECTS(struct pairs, items, nitems)}};
    const struct bg_block b = {.attrs = attrs, .nattrs = 1};
    /* The same fields in another order than the type's: refused. */
    const struct bg_attr swapped[] = {pair_item_attrs[1], pair_item_attrs[0]};
    const struct bg_attr wrong = {.name = "items",
                                  .type = &pair_list,
                                  .flags = BG_COMPUTED,
                                  .nested = swapped,
                                  .nnested = 2,
                                  .slot = BG_SLOT_OBJECTS(struct pairs, items, nitems)};
    struct bg_value *v = json("{\"items\":[{\"key\":\"a\",\"n\":1},{\"key\":\"b\",\"n\":2}]}");
    struct bg_error err = BG_ERROR_INIT;
    struct pairs p = {0};

    cr_assert_eq(bg_schema_check(&err, &b), 0, "%s", err.msg);
    cr_assert_eq(bg_schema_expand(&p, &diags, &b, v), 0);
    cr_assert_eq(p.nitems, 2);
    cr_assert_str_eq(p.items[1].key, "b");
    cr_assert_eq(p.items[1].n, 2);
    assert_same(bg_schema_flatten(arena, &b, &p, NULL), v);
    cr_assert_str_eq(check_message(&wrong), "items: a OBJECTS slot does not fit the attribute");
}

/* ---- bg_schema_unknown_path --------------------------------------------------------- */

Test(schema_typed, the_first_unknown_is_named_down_into_single_objects)
{
    cr_assert_null(bg_schema_unknown_path(arena, &thing, json(full_json)));
    cr_assert_str_eq(
        bg_path_string(
            arena, bg_schema_unknown_path(
                       arena, &thing, obj("name", str("n"), "tags", list(unknown(), NULL), NULL))),
        "tags");
    cr_assert_str_eq(
        bg_path_string(arena, bg_schema_unknown_path(
                                  arena, &thing, obj("conn", obj("host", unknown(), NULL), NULL))),
        "conn.host");
    cr_assert_str_eq(bg_path_string(arena, bg_schema_unknown_path(
                                               arena, &thing,
                                               obj("limits", obj("ratio", unknown(), NULL), NULL))),
                     "limits.ratio");
}

Test(schema_typed, the_first_unknown_argument_skips_computed_only_attributes)
{
    const struct bg_value *planned = obj("id", unknown(), "name", str("n"), NULL);

    cr_assert_str_eq(bg_path_string(arena, bg_schema_unknown_path(arena, &thing, planned)), "id");
    cr_assert_null(bg_schema_unknown_arg_path(arena, &thing, planned),
                   "a computed id unknown in a plan is the provider's to fill");
    cr_assert_str_eq(
        bg_path_string(
            arena, bg_schema_unknown_arg_path(
                       arena, &thing, obj("id", unknown(), "tags", list(unknown(), NULL), NULL))),
        "tags");
}

/* ---- bg_schema_describe ------------------------------------------------------------- */

Test(schema_typed, descriptions_add_validator_sentences_and_the_default)
{
    static const int64_t range[2] = {1, 10};
    static const size_t at_least_one[2] = {1, SIZE_MAX};
    static const struct bg_validator v[] = {{bg_validate_int_range, range, NULL},
                                            {bg_validate_length, at_least_one, NULL},
                                            {bg_validate_not_empty, NULL, "Custom rule."},
                                            {NULL, NULL, NULL}};
    const struct bg_attr count = {.name = "count",
                                  .type = &bg_type_number,
                                  .flags = BG_OPTIONAL | BG_FORCE_NEW,
                                  .description = "How many.",
                                  .default_json = "3",
                                  .validators = v};

    cr_assert_str_eq(bg_schema_describe(arena, &count),
                     "How many. A whole number from 1 to 10. At least 1 element. Custom rule. "
                     "Changing it replaces the resource. Default: `3`.");
    cr_assert_str_eq(bg_schema_describe(arena, &thing_attrs[4]),
                     "One of `red`, `green`, `blue`. Default: `\"green\"`.");
    cr_assert_str_eq(bg_schema_describe(arena, &thing_attrs[0]), "");
}
