/*
 * typed.c - the typed layer (include/bluegreen/schema.h): expands a value tree into the
 * resource's own C struct along the table's slots and flattens the struct back. Recursion
 * follows the table, never the value, so no value can make it deeper than the schema.
 */
#include <math.h>
#include <string.h>

#include "internal.h"

#define MEMBER(obj, off)  ((void *)((char *)(obj) + (off)))
#define CMEMBER(obj, off) ((const void *)((const char *)(obj) + (off)))

/* The path being expanded, kept on the stack and turned into a bg_path only when a
 * diagnostic needs one: a clean expand allocates nothing for paths. */
struct where {
    const struct where *up;
    const char *name; /* NULL: a list index */
    int64_t index;
};

/* What a slot expands: an attribute or a block type, seen the same way. */
struct node {
    const struct bg_slot *slot;
    size_t presence;
    const struct bg_attr *attr; /* NULL for a block type */
    struct bg_block inner;      /* OBJECT, OBJECTS: the nested struct's table */
    bool set;                   /* elements have no index a diagnostic could name */
};

static struct node attr_node(const struct bg_attr *attr)
{
    bool set =
        attr->nesting == BG_NEST_SET ||
        (attr->nesting == BG_NEST_NONE && attr->type != NULL && attr->type->kind == BG_TYPE_SET);
    struct node n = {&attr->slot, attr->presence, attr, bg_schema__nested_block(attr), set};

    return n;
}

static struct node block_node(const struct bg_block_type *bt)
{
    struct node n = {&bt->slot, bt->presence, NULL, *bt->block, bt->nesting == BG_NEST_SET};

    return n;
}

static const struct bg_path *path_of(struct bg_arena *a, const struct where *w)
{
    const struct bg_path *up;

    if (w == NULL)
        return NULL;
    up = path_of(a, w->up);
    return w->name != NULL ? bg_path_attr(a, up, w->name) : bg_path_index(a, up, w->index);
}

static int misfit(struct bg_diags *d, const struct where *w, const char *what)
{
    const struct bg_path *p = path_of(d->arena, w);

    bg_diag_error(d, p, "Invalid value", "%s must be %s.", bg_path_string(d->arena, p), what);
    return BG_EINVAL;
}

/* ---- expand ------------------------------------------------------------------------- */

static int expand_block(struct bg_diags *d, const struct where *up, const struct bg_block *b,
                        void *obj, const struct bg_value *v);

/* At least one element, so that a known empty collection is a non-NULL pointer. */
static void *alloc_items(struct bg_arena *a, size_t n, size_t size)
{
    return bg_arena_calloc(a, n > 0 ? n : 1, size);
}

static int expand_enum(struct bg_diags *d, const struct where *w, const struct bg_attr *attr,
                       void *member, const struct bg_value *v)
{
    const char *const *allowed = bg_schema__one_of(attr);
    const char *s = bg_value_as_string(v);
    char *list = bg_arena_strdup(d->arena, "");
    int i;

    for (i = 0; allowed != NULL && allowed[i] != NULL; i++) {
        if (s != NULL && strcmp(s, allowed[i]) == 0) {
            memcpy(member, &i, sizeof(i)); /* any int-sized enum type (BG_SLOT_ENUM) */
            return 0;
        }
        list = bg_arena_printf(d->arena, "%s%s\"%s\"", list, i > 0 ? ", " : "", allowed[i]);
    }
    return misfit(d, w, bg_arena_printf(d->arena, "one of %s", list));
}

static int expand_leaf(struct bg_diags *d, const struct where *w, const struct bg_attr *attr,
                       void *obj, const struct bg_value *v)
{
    void *m = MEMBER(obj, attr->slot.offset);

    switch (attr->slot.ctype) {
    case BG_C_STRING:
        *(const char **)m = bg_value_as_string(v);
        return *(const char **)m != NULL ? 0 : misfit(d, w, "a string");
    case BG_C_BOOL:
        return bg_value_as_bool(m, v) == 0 ? 0 : misfit(d, w, "true or false");
    case BG_C_INT:
        return bg_value_as_int(m, v) == 0 ? 0 : misfit(d, w, "a whole number");
    case BG_C_DOUBLE: /* terraform numbers are never NaN */
        return bg_value_as_double(m, v) == 0 && !isnan(*(double *)m) ? 0 : misfit(d, w, "a number");
    case BG_C_ENUM:
        return expand_enum(d, w, attr, m, v);
    default:
        return 0;
    }
}

static int expand_strings(struct bg_diags *d, const struct where *w, const struct bg_slot *slot,
                          void *obj, const struct bg_value *v)
{
    const char **items;
    size_t i;

    if (v->kind != BG_ARRAY)
        return misfit(d, w, "a list of strings");
    items = alloc_items(d->arena, v->u.arr.len, sizeof(*items));
    for (i = 0; i < v->u.arr.len; i++) {
        items[i] = bg_value_as_string(v->u.arr.items[i]); /* a null element stays NULL */
        if (items[i] == NULL && !bg_value_is_null(v->u.arr.items[i]))
            return misfit(d, w, "a list of strings");
    }
    *(const char ***)MEMBER(obj, slot->offset) = items;
    *(size_t *)MEMBER(obj, slot->count) = v->u.arr.len;
    return 0;
}

static int expand_ints(struct bg_diags *d, const struct where *w, const struct bg_slot *slot,
                       void *obj, const struct bg_value *v)
{
    int64_t *items;
    size_t i;

    if (v->kind != BG_ARRAY)
        return misfit(d, w, "a list of whole numbers");
    items = alloc_items(d->arena, v->u.arr.len, sizeof(*items));
    for (i = 0; i < v->u.arr.len; i++) {
        if (bg_value_as_int(&items[i], v->u.arr.items[i]) != 0) /* a null element too */
            return misfit(d, w, "a list of whole numbers");
    }
    *(int64_t **)MEMBER(obj, slot->offset) = items;
    *(size_t *)MEMBER(obj, slot->count) = v->u.arr.len;
    return 0;
}

static int expand_pairs(struct bg_diags *d, const struct where *w, const struct bg_slot *slot,
                        void *obj, const struct bg_value *v)
{
    struct bg_pair *items;
    size_t i;

    if (v->kind != BG_MAP)
        return misfit(d, w, "a map of strings");
    items = alloc_items(d->arena, v->u.map.len, sizeof(*items));
    for (i = 0; i < v->u.map.len; i++) {
        items[i].key = v->u.map.items[i].key;
        items[i].value = bg_value_as_string(v->u.map.items[i].value);
        if (items[i].value == NULL && !bg_value_is_null(v->u.map.items[i].value))
            return misfit(d, w, "a map of strings");
    }
    *(struct bg_pair **)MEMBER(obj, slot->offset) = items;
    *(size_t *)MEMBER(obj, slot->count) = v->u.map.len;
    return 0;
}

static int expand_counts(struct bg_diags *d, const struct where *w, const struct bg_slot *slot,
                         void *obj, const struct bg_value *v)
{
    struct bg_count *items;
    size_t i;

    if (v->kind != BG_MAP)
        return misfit(d, w, "a map of whole numbers");
    items = alloc_items(d->arena, v->u.map.len, sizeof(*items));
    for (i = 0; i < v->u.map.len; i++) {
        items[i].key = v->u.map.items[i].key;
        if (bg_value_as_int(&items[i].value, v->u.map.items[i].value) != 0) /* null too */
            return misfit(d, w, "a map of whole numbers");
    }
    *(struct bg_count **)MEMBER(obj, slot->offset) = items;
    *(size_t *)MEMBER(obj, slot->count) = v->u.map.len;
    return 0;
}

static int expand_objects(struct bg_diags *d, const struct where *w, const struct node *n,
                          void *obj, const struct bg_value *v)
{
    char *items;
    size_t i;
    int rc = 0;

    if (n->slot->ctype == BG_C_OBJECT) {
        if (v->kind != BG_MAP)
            return misfit(d, w, "an object");
        items = alloc_items(d->arena, 1, n->slot->elem_size);
        rc = expand_block(d, w, &n->inner, items, v);
    } else {
        if (v->kind != BG_ARRAY)
            return misfit(d, w, "a list of objects");
        items = alloc_items(d->arena, v->u.arr.len, n->slot->elem_size);
        for (i = 0; i < v->u.arr.len; i++) {
            struct where e = {w, NULL, (int64_t)i};

            if (expand_block(d, n->set ? w : &e, &n->inner, items + i * n->slot->elem_size,
                             v->u.arr.items[i]) != 0)
                rc = BG_EINVAL;
        }
        *(size_t *)MEMBER(obj, n->slot->count) = v->u.arr.len;
    }
    memcpy(MEMBER(obj, n->slot->offset), &items, sizeof(items)); /* a struct x * member */
    return rc;
}

static enum bg_presence presence_of(const struct bg_slot *slot, const struct bg_value *v)
{
    if (bg_value_is_null(v))
        return BG_PRESENCE_NULL;
    if (bg_value_is_unknown(v))
        return BG_PRESENCE_UNKNOWN;
    /* A partly known collection of scalars has no C form element by element. */
    if ((slot->ctype == BG_C_STRINGS || slot->ctype == BG_C_INTS || slot->ctype == BG_C_PAIRS ||
         slot->ctype == BG_C_COUNTS) &&
        !bg_value_is_wholly_known(v))
        return BG_PRESENCE_UNKNOWN;
    return BG_PRESENCE_KNOWN;
}

static int expand_node(struct bg_diags *d, const struct where *w, const struct node *n, void *obj,
                       const struct bg_value *v)
{
    enum bg_presence p;

    if (n->slot->ctype == BG_C_NONE)
        return 0;
    if (bg_value_is_null(v) && n->attr != NULL && n->attr->default_json != NULL)
        v = bg_schema__default(d->arena, n->attr);
    p = presence_of(n->slot, v);
    if (n->presence != 0)
        *(enum bg_presence *)MEMBER(obj, n->presence - 1) = p;
    if (p != BG_PRESENCE_KNOWN)
        return 0;
    switch (n->slot->ctype) {
    case BG_C_STRINGS:
        return expand_strings(d, w, n->slot, obj, v);
    case BG_C_INTS:
        return expand_ints(d, w, n->slot, obj, v);
    case BG_C_PAIRS:
        return expand_pairs(d, w, n->slot, obj, v);
    case BG_C_COUNTS:
        return expand_counts(d, w, n->slot, obj, v);
    case BG_C_OBJECT:
    case BG_C_OBJECTS:
        return expand_objects(d, w, n, obj, v);
    default:
        return expand_leaf(d, w, n->attr, obj, v);
    }
}

static int expand_block(struct bg_diags *d, const struct where *up, const struct bg_block *b,
                        void *obj, const struct bg_value *v)
{
    int rc = 0;
    size_t i;

    for (i = 0; i < b->nattrs; i++) {
        struct where w = {up, b->attrs[i].name, 0};
        struct node n = attr_node(&b->attrs[i]);

        if (expand_node(d, &w, &n, obj, bg_value_get(v, b->attrs[i].name)) != 0)
            rc = BG_EINVAL;
    }
    for (i = 0; i < b->nblocks; i++) {
        struct where w = {up, b->blocks[i].name, 0};
        struct node n = block_node(&b->blocks[i]);

        if (expand_node(d, &w, &n, obj, bg_value_get(v, b->blocks[i].name)) != 0)
            rc = BG_EINVAL;
    }
    return rc;
}

int bg_schema_expand(void *out, struct bg_diags *d, const struct bg_block *b,
                     const struct bg_value *v)
{
    return expand_block(d, NULL, b, out, v);
}

/* ---- flatten ------------------------------------------------------------------------ */

static struct bg_value *flatten_block(struct bg_arena *a, const struct bg_block *b, const void *obj,
                                      const struct bg_value *base);

/* The allowed value an enum member holds; NULL when out of range (a programming error). */
static const char *enum_name(const struct bg_attr *attr, int i)
{
    const char *const *allowed = bg_schema__one_of(attr);
    int k;

    for (k = 0; allowed != NULL && allowed[k] != NULL; k++) {
        if (k == i)
            return allowed[k];
    }
    return NULL;
}

static struct bg_value *flatten_leaf(struct bg_arena *a, const struct node *n, const void *obj)
{
    const void *m = CMEMBER(obj, n->slot->offset);
    const char *s;
    int i;

    switch (n->slot->ctype) {
    case BG_C_STRING:
        s = *(const char *const *)m;
        return s != NULL ? bg_value_string(a, s) : bg_value_null(a);
    case BG_C_BOOL:
        return bg_value_bool(a, *(const bool *)m);
    case BG_C_INT:
        return bg_value_int(a, *(const int64_t *)m);
    case BG_C_DOUBLE:
        return bg_value_float(a, *(const double *)m);
    default: /* BG_C_ENUM */
        memcpy(&i, m, sizeof(i));
        s = enum_name(n->attr, i);
        return s != NULL ? bg_value_string(a, s) : bg_value_null(a);
    }
}

static struct bg_value *flatten_items(struct bg_arena *a, const struct node *n, const void *items,
                                      size_t count)
{
    bool map = n->slot->ctype == BG_C_PAIRS || n->slot->ctype == BG_C_COUNTS;
    struct bg_value *out = map ? bg_value_map(a, count) : bg_value_array(a, count);
    const struct bg_count *counts = items;
    const struct bg_pair *pairs = items;
    const char *const *strings = items;
    const int64_t *ints = items;
    size_t i;

    for (i = 0; items != NULL && i < count; i++) {
        if (n->slot->ctype == BG_C_INTS)
            bg_value_append(a, out, bg_value_int(a, ints[i]));
        else if (n->slot->ctype == BG_C_STRINGS)
            bg_value_append(a, out,
                            strings[i] != NULL ? bg_value_string(a, strings[i]) : bg_value_null(a));
        else if (n->slot->ctype == BG_C_PAIRS)
            bg_value_put(a, out, pairs[i].key,
                         pairs[i].value != NULL ? bg_value_string(a, pairs[i].value)
                                                : bg_value_null(a));
        else if (n->slot->ctype == BG_C_COUNTS)
            bg_value_put(a, out, counts[i].key, bg_value_int(a, counts[i].value));
        else
            bg_value_append(
                a, out,
                flatten_block(a, &n->inner, (const char *)items + i * n->slot->elem_size, NULL));
    }
    return out;
}

static struct bg_value *flatten_node(struct bg_arena *a, const struct node *n, const void *obj)
{
    enum bg_presence p = BG_PRESENCE_KNOWN;
    const void *items;

    if (n->presence != 0)
        p = *(const enum bg_presence *)CMEMBER(obj, n->presence - 1);
    if (p != BG_PRESENCE_KNOWN)
        return p == BG_PRESENCE_UNKNOWN ? bg_value_unknown(a) : bg_value_null(a);
    switch (n->slot->ctype) {
    case BG_C_STRINGS:
    case BG_C_INTS:
    case BG_C_PAIRS:
    case BG_C_COUNTS:
    case BG_C_OBJECTS:
        memcpy(&items, CMEMBER(obj, n->slot->offset), sizeof(items));
        /* Without a presence member a NULL array is null; with one it says KNOWN here. */
        if (items == NULL && n->presence == 0)
            return bg_value_null(a);
        return flatten_items(a, n, items, *(const size_t *)CMEMBER(obj, n->slot->count));
    case BG_C_OBJECT:
        memcpy(&items, CMEMBER(obj, n->slot->offset), sizeof(items));
        return items != NULL ? flatten_block(a, &n->inner, items, NULL) : bg_value_null(a);
    default:
        return flatten_leaf(a, n, obj);
    }
}

static struct bg_value *member_or_null(struct bg_arena *a, struct bg_value *v)
{
    return v != NULL ? v : bg_value_null(a);
}

static struct bg_value *flatten_block(struct bg_arena *a, const struct bg_block *b, const void *obj,
                                      const struct bg_value *base)
{
    struct bg_value *out = bg_value_map(a, b->nattrs + b->nblocks);
    size_t i;

    for (i = 0; i < b->nattrs; i++) {
        const struct bg_attr *attr = &b->attrs[i];
        struct node n = attr_node(attr);
        bool mine = attr->slot.ctype != BG_C_NONE && (base == NULL || (attr->flags & BG_COMPUTED));

        bg_value_put(a, out, attr->name,
                     mine ? flatten_node(a, &n, obj)
                          : member_or_null(a, bg_value_get(base, attr->name)));
    }
    for (i = 0; i < b->nblocks; i++) {
        const struct bg_block_type *bt = &b->blocks[i];
        struct node n = block_node(bt);
        bool mine = bt->slot.ctype != BG_C_NONE && base == NULL;

        bg_value_put(a, out, bt->name,
                     mine ? flatten_node(a, &n, obj)
                          : member_or_null(a, bg_value_get(base, bt->name)));
    }
    return out;
}

struct bg_value *bg_schema_flatten(struct bg_arena *a, const struct bg_block *b, const void *obj,
                                   const struct bg_value *base)
{
    return flatten_block(a, b, obj, base);
}
