/*
 * check.c - questions about a table rather than about one value's content: does every slot
 * fit its attribute (bg_schema_check, run by the tests over every registered table), and
 * where is the first unknown of a value (bg_schema_unknown_path).
 */
#include <stdio.h>
#include <string.h>

#include "internal.h"

static const char *const ctype_names[] = {
    [BG_C_NONE] = "none",       [BG_C_STRING] = "STRING", [BG_C_BOOL] = "BOOL",
    [BG_C_INT] = "INT",         [BG_C_DOUBLE] = "DOUBLE", [BG_C_ENUM] = "ENUM",
    [BG_C_STRINGS] = "STRINGS", [BG_C_PAIRS] = "PAIRS",   [BG_C_OBJECT] = "OBJECT",
    [BG_C_OBJECTS] = "OBJECTS", [BG_C_INTS] = "INTS",     [BG_C_COUNTS] = "COUNTS",
};

static bool is_kind(const struct bg_type *t, enum bg_type_kind kind)
{
    return t != NULL && t->kind == kind;
}

static bool collection_of(const struct bg_type *t, enum bg_type_kind elem)
{
    return (is_kind(t, BG_TYPE_LIST) || is_kind(t, BG_TYPE_SET)) && is_kind(t->elem, elem);
}

/* A `type = list(object(...))` (or set) attribute with a slot: .nested names the object's
 * fields, in the type's order, each of the field's type kind. */
static bool fields_match(const struct bg_attr *attr)
{
    const struct bg_type *obj = attr->type != NULL ? attr->type->elem : NULL;
    size_t i;

    if (!(is_kind(attr->type, BG_TYPE_LIST) || is_kind(attr->type, BG_TYPE_SET)) ||
        !is_kind(obj, BG_TYPE_OBJECT) || attr->nnested != obj->nfields)
        return false;
    for (i = 0; i < obj->nfields; i++) {
        const struct bg_attr *f = &attr->nested[i];

        if (strcmp(f->name, obj->fields[i].name) != 0 || f->nesting != BG_NEST_NONE ||
            !is_kind(f->type, obj->fields[i].type->kind))
            return false;
    }
    return true;
}

static bool attr_fits(const struct bg_attr *attr)
{
    const struct bg_slot *s = &attr->slot;
    bool plain = attr->nesting == BG_NEST_NONE;

    switch (s->ctype) {
    case BG_C_NONE:
        return true;
    case BG_C_STRING:
    case BG_C_ENUM:
        return plain && is_kind(attr->type, BG_TYPE_STRING);
    case BG_C_BOOL:
        return plain && is_kind(attr->type, BG_TYPE_BOOL);
    case BG_C_INT:
    case BG_C_DOUBLE:
        return plain && is_kind(attr->type, BG_TYPE_NUMBER);
    case BG_C_STRINGS:
        return plain && collection_of(attr->type, BG_TYPE_STRING);
    case BG_C_INTS:
        return plain && collection_of(attr->type, BG_TYPE_NUMBER);
    case BG_C_PAIRS:
        return plain && is_kind(attr->type, BG_TYPE_MAP) &&
               is_kind(attr->type->elem, BG_TYPE_STRING);
    case BG_C_COUNTS:
        return plain && is_kind(attr->type, BG_TYPE_MAP) &&
               is_kind(attr->type->elem, BG_TYPE_NUMBER);
    case BG_C_OBJECT:
        return attr->nesting == BG_NEST_SINGLE && s->elem_size > 0;
    case BG_C_OBJECTS:
        return (attr->nesting == BG_NEST_LIST || attr->nesting == BG_NEST_SET ||
                (plain && fields_match(attr))) &&
               s->elem_size > 0;
    }
    return false;
}

/* An optional scalar without a default expands null to 0/false: only a presence member
 * lets flatten give the null back (Terraform requires it to equal the configuration). */
static bool needs_presence(const struct bg_attr *attr)
{
    enum bg_ctype c = attr->slot.ctype;

    return (attr->flags & BG_OPTIONAL) && !(attr->flags & BG_COMPUTED) &&
           attr->default_json == NULL &&
           (c == BG_C_BOOL || c == BG_C_INT || c == BG_C_DOUBLE || c == BG_C_ENUM);
}

static bool has_slots(const struct bg_block *b)
{
    size_t i;

    for (i = 0; i < b->nattrs; i++) {
        if (b->attrs[i].slot.ctype != BG_C_NONE)
            return true;
    }
    for (i = 0; i < b->nblocks; i++) {
        if (b->blocks[i].slot.ctype != BG_C_NONE)
            return true;
    }
    return false;
}

static int check_block(struct bg_error *err, const char *prefix, const struct bg_block *b);

static int check_inner(struct bg_error *err, const char *name, const struct bg_slot *slot,
                       const struct bg_block *inner)
{
    if (slot->ctype == BG_C_NONE && has_slots(inner))
        return bg_error_set(err, BG_EINVAL, "%s: nested slots under an unslotted attribute", name);
    return check_block(err, name, inner);
}

static int check_attr(struct bg_error *err, const char *name, const struct bg_attr *attr)
{
    struct bg_block inner = bg_schema__nested_block(attr);

    if (!attr_fits(attr))
        return bg_error_set(err, BG_EINVAL, "%s: a %s slot does not fit the attribute", name,
                            ctype_names[attr->slot.ctype]);
    if (attr->slot.ctype == BG_C_ENUM && bg_schema__one_of(attr) == NULL)
        return bg_error_set(err, BG_EINVAL, "%s: an ENUM slot needs a bg_validate_one_of validator",
                            name);
    if (needs_presence(attr) && attr->presence == 0)
        return bg_error_set(err, BG_EINVAL,
                            "%s: optional without a default: it needs a presence member", name);
    return attr->nesting != BG_NEST_NONE || attr->nested != NULL
               ? check_inner(err, name, &attr->slot, &inner)
               : 0;
}

static int check_block_type(struct bg_error *err, const char *name, const struct bg_block_type *bt)
{
    enum bg_ctype c = bt->slot.ctype;
    bool fits = c == BG_C_NONE || (c == BG_C_OBJECT && bt->nesting == BG_NEST_SINGLE) ||
                (c == BG_C_OBJECTS && bt->nesting != BG_NEST_SINGLE);

    if (!fits || (c != BG_C_NONE && bt->slot.elem_size == 0))
        return bg_error_set(err, BG_EINVAL, "%s: a %s slot does not fit the block", name,
                            ctype_names[c]);
    return check_inner(err, name, &bt->slot, bt->block);
}

static int check_block(struct bg_error *err, const char *prefix, const struct bg_block *b)
{
    char name[256];
    size_t i;

    for (i = 0; i < b->nattrs; i++) {
        snprintf(name, sizeof(name), "%s%s%s", prefix, *prefix ? "." : "", b->attrs[i].name);
        if (check_attr(err, name, &b->attrs[i]) != 0)
            return BG_EINVAL;
    }
    for (i = 0; i < b->nblocks; i++) {
        snprintf(name, sizeof(name), "%s%s%s", prefix, *prefix ? "." : "", b->blocks[i].name);
        if (check_block_type(err, name, &b->blocks[i]) != 0)
            return BG_EINVAL;
    }
    return 0;
}

int bg_schema_check(struct bg_error *err, const struct bg_block *b)
{
    return check_block(err, "", b);
}

/* ---- unknowns ----------------------------------------------------------------------- */

static const struct bg_path *unknown_in(struct bg_arena *a, const struct bg_path *up,
                                        const struct bg_block *b, const struct bg_value *v,
                                        bool args_only);

/* An attribute a configuration cannot set: its unknown in a plan is the provider's own. */
static bool computed_only(const struct bg_attr *attr)
{
    return (attr->flags & BG_COMPUTED) && !(attr->flags & (BG_OPTIONAL | BG_REQUIRED)) &&
           attr->default_json == NULL;
}

/* The member's own path, or a deeper one when it is a single object whose unknown can be
 * named more precisely (`endpoints.elbv2`). */
static const struct bg_path *unknown_member(struct bg_arena *a, const struct bg_path *up,
                                            const char *name, const struct bg_block *single,
                                            const struct bg_value *m)
{
    const struct bg_path *p, *deeper;

    if (bg_value_is_wholly_known(m))
        return NULL;
    p = bg_path_attr(a, up, name);
    if (single == NULL || m->kind != BG_MAP)
        return p;
    deeper = unknown_in(a, p, single, m, false);
    return deeper != NULL ? deeper : p;
}

static const struct bg_path *unknown_in(struct bg_arena *a, const struct bg_path *up,
                                        const struct bg_block *b, const struct bg_value *v,
                                        bool args_only)
{
    const struct bg_path *p = NULL;
    size_t i;

    for (i = 0; p == NULL && i < b->nattrs; i++) {
        const struct bg_attr *attr = &b->attrs[i];
        struct bg_block inner = bg_schema__nested_block(attr);

        if (args_only && computed_only(attr))
            continue;
        p = unknown_member(a, up, attr->name, attr->nesting == BG_NEST_SINGLE ? &inner : NULL,
                           bg_value_get(v, attr->name));
    }
    for (i = 0; p == NULL && i < b->nblocks; i++) {
        const struct bg_block_type *bt = &b->blocks[i];

        p = unknown_member(a, up, bt->name, bt->nesting == BG_NEST_SINGLE ? bt->block : NULL,
                           bg_value_get(v, bt->name));
    }
    return p;
}

const struct bg_path *bg_schema_unknown_path(struct bg_arena *a, const struct bg_block *b,
                                             const struct bg_value *v)
{
    return unknown_in(a, NULL, b, v, false);
}

const struct bg_path *bg_schema_unknown_arg_path(struct bg_arena *a, const struct bg_block *b,
                                                 const struct bg_value *v)
{
    return unknown_in(a, NULL, b, v, true);
}
