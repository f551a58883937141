/*
 * plan.c - the schema-driven parts of planning: defaults, computed values, requires-replace,
 * and conforming old state to the current schema. Resource hooks refine the result.
 */
#include <string.h>

#include "bluegreen/codec.h"
#include "internal.h"

struct bg_value *bg_schema__default(struct bg_arena *a, const struct bg_attr *attr)
{
    struct bg_value *v = NULL;
    struct bg_error err = BG_ERROR_INIT;

    /* Defaults are compile-time constants: a bad one is a programming error. */
    if (bg_json_decode(&v, a, attr->default_json, strlen(attr->default_json), &err) != 0)
        return bg_value_null(a);
    return v;
}

struct bg_value *bg_schema_apply_defaults(struct bg_arena *a, const struct bg_block *b,
                                          const struct bg_value *config)
{
    struct bg_value *out;
    size_t i;

    if (config == NULL || config->kind != BG_MAP)
        return (struct bg_value *)config;
    out = bg_value_copy_map(a, config);
    for (i = 0; i < b->nattrs; i++) {
        const struct bg_attr *attr = &b->attrs[i];

        if (attr->default_json != NULL && bg_value_is_null(bg_value_get(out, attr->name)))
            bg_value_put(a, out, attr->name, bg_schema__default(a, attr));
    }
    for (i = 0; i < b->nblocks; i++) {
        const struct bg_block_type *bt = &b->blocks[i];
        struct bg_value *v = bg_value_get(out, bt->name);

        if (bt->nesting == BG_NEST_SINGLE && v != NULL && v->kind == BG_MAP)
            bg_value_put(a, out, bt->name, bg_schema_apply_defaults(a, bt->block, v));
    }
    return out;
}

static struct bg_value *plan_attr(struct bg_arena *a, const struct bg_attr *attr,
                                  const struct bg_value *prior, const struct bg_value *proposed,
                                  const struct bg_value *config)
{
    const struct bg_value *cv = bg_value_get(config, attr->name);
    struct bg_value *pv = bg_value_get(proposed, attr->name);

    /* config arrives with defaults applied: a configured or defaulted value is the plan. */
    if (!bg_value_is_null(cv))
        return (struct bg_value *)cv;
    if (attr->default_json != NULL)
        return bg_schema__default(a, attr);
    if (!(attr->flags & BG_COMPUTED))
        return pv;
    if (bg_value_is_null(prior))
        return bg_value_unknown(a);
    if (attr->flags & BG_USE_STATE)
        return bg_value_get(prior, attr->name);
    return pv;
}

static void add_replace(struct bg_arena *a, const struct bg_path ***replace, size_t *n,
                        const char *name)
{
    const struct bg_path **grown = bg_arena_calloc(a, *n + 1, sizeof(*grown));

    if (*n > 0)
        memcpy(grown, *replace, *n * sizeof(*grown));
    grown[(*n)++] = bg_path_attr(a, NULL, name);
    *replace = grown;
}

struct bg_value *bg_schema_plan(struct bg_arena *a, const struct bg_block *b,
                                const struct bg_value *prior, const struct bg_value *proposed,
                                const struct bg_value *config, const struct bg_path ***replace,
                                size_t *nreplace)
{
    struct bg_value *planned = bg_value_copy_map(a, proposed);
    size_t i;

    *replace = NULL;
    *nreplace = 0;
    for (i = 0; i < b->nattrs; i++) {
        const struct bg_attr *attr = &b->attrs[i];
        struct bg_value *v = plan_attr(a, attr, prior, proposed, config);

        bg_value_put(a, planned, attr->name, v != NULL ? v : bg_value_null(a));
        if ((attr->flags & BG_FORCE_NEW) && !bg_value_is_null(prior) &&
            !bg_value_equal(bg_value_get(prior, attr->name), v))
            add_replace(a, replace, nreplace, attr->name);
    }
    return planned;
}

static struct bg_value *conform_type(struct bg_arena *a, const struct bg_type *t,
                                     const struct bg_value *v);

static struct bg_value *conform_object(struct bg_arena *a, const struct bg_field *fields, size_t n,
                                       const struct bg_value *v)
{
    struct bg_value *out = bg_value_map(a, n);
    size_t i;

    for (i = 0; i < n; i++)
        bg_value_put(a, out, fields[i].name,
                     conform_type(a, fields[i].type, bg_value_get(v, fields[i].name)));
    return out;
}

static struct bg_value *conform_type(struct bg_arena *a, const struct bg_type *t,
                                     const struct bg_value *v)
{
    struct bg_value *out;
    size_t i;

    if (bg_value_is_null(v))
        return bg_value_null(a);
    if (t->kind == BG_TYPE_OBJECT)
        return v->kind == BG_MAP ? conform_object(a, t->fields, t->nfields, v) : bg_value_null(a);
    if ((t->kind == BG_TYPE_LIST || t->kind == BG_TYPE_SET) && v->kind == BG_ARRAY &&
        t->elem->kind == BG_TYPE_OBJECT) {
        out = bg_value_array(a, v->u.arr.len);
        for (i = 0; i < v->u.arr.len; i++)
            bg_value_append(a, out, conform_type(a, t->elem, v->u.arr.items[i]));
        return out;
    }
    return (struct bg_value *)v;
}

static struct bg_value *conform_nested(struct bg_arena *a, const struct bg_attr *attr,
                                       const struct bg_value *v)
{
    struct bg_block inner = bg_schema__nested_block(attr);
    struct bg_value *out;
    size_t i;

    if (bg_value_is_null(v))
        return bg_value_null(a);
    if (attr->nesting == BG_NEST_SINGLE)
        return bg_schema_conform(a, &inner, v);
    if (v->kind == BG_MAP) {
        out = bg_value_map(a, v->u.map.len);
        for (i = 0; i < v->u.map.len; i++)
            bg_value_put(a, out, v->u.map.items[i].key,
                         bg_schema_conform(a, &inner, v->u.map.items[i].value));
        return out;
    }
    out = bg_value_array(a, bg_value_len(v));
    for (i = 0; v->kind == BG_ARRAY && i < v->u.arr.len; i++)
        bg_value_append(a, out, bg_schema_conform(a, &inner, v->u.arr.items[i]));
    return out;
}

static struct bg_value *conform_block_value(struct bg_arena *a, const struct bg_block_type *bt,
                                            const struct bg_value *v)
{
    struct bg_value *out;
    size_t i;

    if (bt->nesting == BG_NEST_SINGLE)
        return bg_value_is_null(v) ? bg_value_null(a) : bg_schema_conform(a, bt->block, v);
    out = bg_value_array(a, bg_value_len(v));
    for (i = 0; v != NULL && v->kind == BG_ARRAY && i < v->u.arr.len; i++)
        bg_value_append(a, out, bg_schema_conform(a, bt->block, v->u.arr.items[i]));
    return out;
}

struct bg_value *bg_schema_conform(struct bg_arena *a, const struct bg_block *b,
                                   const struct bg_value *v)
{
    struct bg_value *out = bg_value_map(a, b->nattrs + b->nblocks);
    size_t i;

    for (i = 0; i < b->nattrs; i++) {
        const struct bg_attr *attr = &b->attrs[i];
        const struct bg_value *m = bg_value_get(v, attr->name);

        bg_value_put(a, out, attr->name,
                     attr->nesting != BG_NEST_NONE ? conform_nested(a, attr, m)
                                                   : conform_type(a, attr->type, m));
    }
    for (i = 0; i < b->nblocks; i++)
        bg_value_put(a, out, b->blocks[i].name,
                     conform_block_value(a, &b->blocks[i], bg_value_get(v, b->blocks[i].name)));
    return out;
}
