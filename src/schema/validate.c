/*
 * validate.c - walks a configuration value along its schema and runs attribute validators.
 * Validators only see wholly known, non-null values: unknowns are checked again at plan time,
 * when Terraform knows more.
 */
#include "bluegreen/schema.h"

static void validate_attrs(struct bg_diags *d, const struct bg_path *parent,
                           const struct bg_attr *attrs, size_t n, const struct bg_value *obj);

static void run_validators(struct bg_diags *d, const struct bg_path *path,
                           const struct bg_attr *attr, const struct bg_value *v)
{
    const struct bg_validator *val;

    if (attr->validators == NULL || !bg_value_is_wholly_known(v))
        return;
    for (val = attr->validators; val->fn != NULL; val++)
        val->fn(d, path, v, val->arg);
}

static void validate_nested(struct bg_diags *d, const struct bg_path *path,
                            const struct bg_attr *attr, const struct bg_value *v)
{
    struct bg_arena *a = d->arena;
    size_t i;

    if (attr->nesting == BG_NEST_SINGLE) {
        validate_attrs(d, path, attr->nested, attr->nnested, v);
    } else if (v->kind == BG_ARRAY) {
        for (i = 0; i < v->u.arr.len; i++) {
            /* Set elements have no index a diagnostic could name: report on the set. */
            const struct bg_path *p =
                attr->nesting == BG_NEST_LIST ? bg_path_index(a, path, (int64_t)i) : path;
            validate_attrs(d, p, attr->nested, attr->nnested, v->u.arr.items[i]);
        }
    } else if (v->kind == BG_MAP) {
        for (i = 0; i < v->u.map.len; i++) {
            validate_attrs(d, bg_path_key(a, path, v->u.map.items[i].key), attr->nested,
                           attr->nnested, v->u.map.items[i].value);
        }
    }
}

static void validate_attrs(struct bg_diags *d, const struct bg_path *parent,
                           const struct bg_attr *attrs, size_t n, const struct bg_value *obj)
{
    size_t i;

    for (i = 0; i < n; i++) {
        const struct bg_value *v = bg_value_get(obj, attrs[i].name);
        const struct bg_path *path;

        if (bg_value_is_null(v) || bg_value_is_unknown(v))
            continue;
        path = bg_path_attr(d->arena, parent, attrs[i].name);
        run_validators(d, path, &attrs[i], v);
        if (attrs[i].nesting != BG_NEST_NONE)
            validate_nested(d, path, &attrs[i], v);
    }
}

static void validate_block(struct bg_diags *d, const struct bg_path *parent,
                           const struct bg_block *b, const struct bg_value *obj)
{
    size_t i, j;

    validate_attrs(d, parent, b->attrs, b->nattrs, obj);
    for (i = 0; i < b->nblocks; i++) {
        const struct bg_block_type *bt = &b->blocks[i];
        const struct bg_value *v = bg_value_get(obj, bt->name);
        const struct bg_path *path = bg_path_attr(d->arena, parent, bt->name);

        if (bg_value_is_null(v) || bg_value_is_unknown(v))
            continue;
        if (bt->nesting == BG_NEST_SINGLE) {
            validate_block(d, path, bt->block, v);
            continue;
        }
        for (j = 0; j < bg_value_len(v) && v->kind == BG_ARRAY; j++)
            validate_block(d, bg_path_index(d->arena, path, (int64_t)j), bt->block,
                           v->u.arr.items[j]);
    }
}

void bg_schema_validate(struct bg_diags *d, const struct bg_block *b, const struct bg_value *config)
{
    validate_block(d, NULL, b, config);
}
