/* types.c - cty type descriptions and their JSON form (include/bluegreen/schema.h). */
#include <string.h>

#include "bluegreen/schema.h"

const struct bg_type bg_type_string = {BG_TYPE_STRING, NULL, NULL, 0};
const struct bg_type bg_type_number = {BG_TYPE_NUMBER, NULL, NULL, 0};
const struct bg_type bg_type_bool = {BG_TYPE_BOOL, NULL, NULL, 0};
const struct bg_type bg_type_list_string = {BG_TYPE_LIST, &bg_type_string, NULL, 0};
const struct bg_type bg_type_set_string = {BG_TYPE_SET, &bg_type_string, NULL, 0};
const struct bg_type bg_type_map_string = {BG_TYPE_MAP, &bg_type_string, NULL, 0};

static const char *const kind_names[] = {
    [BG_TYPE_STRING] = "string", [BG_TYPE_NUMBER] = "number", [BG_TYPE_BOOL] = "bool",
    [BG_TYPE_LIST] = "list",     [BG_TYPE_SET] = "set",       [BG_TYPE_MAP] = "map",
    [BG_TYPE_OBJECT] = "object",
};

static char *object_json(struct bg_arena *a, const struct bg_type *t)
{
    char *members = bg_arena_strdup(a, "");
    size_t i;

    for (i = 0; i < t->nfields; i++) {
        members = bg_arena_printf(a, "%s%s\"%s\":%s", members, i > 0 ? "," : "", t->fields[i].name,
                                  bg_type_json(a, t->fields[i].type));
    }
    return bg_arena_printf(a, "[\"object\",{%s}]", members);
}

char *bg_type_json(struct bg_arena *a, const struct bg_type *t)
{
    switch (t->kind) {
    case BG_TYPE_STRING:
    case BG_TYPE_NUMBER:
    case BG_TYPE_BOOL:
        return bg_arena_printf(a, "\"%s\"", kind_names[t->kind]);
    case BG_TYPE_LIST:
    case BG_TYPE_SET:
    case BG_TYPE_MAP:
        return bg_arena_printf(a, "[\"%s\",%s]", kind_names[t->kind], bg_type_json(a, t->elem));
    case BG_TYPE_OBJECT:
        return object_json(a, t);
    }
    return bg_arena_strdup(a, "\"dynamic\"");
}

const struct bg_attr *bg_block_attr(const struct bg_block *b, const char *name)
{
    size_t i;

    for (i = 0; i < b->nattrs; i++) {
        if (strcmp(b->attrs[i].name, name) == 0)
            return &b->attrs[i];
    }
    return NULL;
}
