/* wire.c - protobuf-c messages <-> values, diagnostics and schemas (see wire.h). */
#include <string.h>

#include "bluegreen/codec.h"
#include "wire.h"

void *bg_wire_new(struct bg_arena *a, const ProtobufCMessageDescriptor *d)
{
    void *m = bg_arena_alloc(a, d->sizeof_message);

    protobuf_c_message_init(d, m);
    return m;
}

int bg_wire_value_in(struct bg_value **out, struct bg_diags *d, const Tfplugin6__DynamicValue *dv,
                     const char *what)
{
    struct bg_error err = BG_ERROR_INIT;
    int rc = 0;

    *out = bg_value_null(d->arena);
    if (dv == NULL)
        return 0;
    if (dv->msgpack.len > 0)
        rc = bg_msgpack_decode(out, d->arena, dv->msgpack.data, dv->msgpack.len, &err);
    else if (dv->json.len > 0)
        rc = bg_json_decode(out, d->arena, (const char *)dv->json.data, dv->json.len, &err);
    if (rc != 0)
        bg_diag_error(d, NULL, "Invalid value from Terraform", "Cannot decode %s: %s.", what,
                      err.msg);
    return rc;
}

Tfplugin6__DynamicValue *bg_wire_value_out(struct bg_diags *d, const struct bg_value *v)
{
    Tfplugin6__DynamicValue *dv = bg_arena_alloc(d->arena, sizeof(*dv));
    struct bg_error err = BG_ERROR_INIT;
    uint8_t *buf = NULL;
    size_t len = 0;

    tfplugin6__dynamic_value__init(dv);
    if (bg_msgpack_encode(&buf, &len, d->arena, v, &err) != 0) {
        bg_diag_error(d, NULL, "Provider bug: cannot encode value", "%s.", err.msg);
        return dv;
    }
    dv->msgpack.data = buf;
    dv->msgpack.len = len;
    return dv;
}

Tfplugin6__AttributePath *bg_wire_path(struct bg_arena *a, const struct bg_path *p)
{
    Tfplugin6__AttributePath *ap = bg_arena_alloc(a, sizeof(*ap));
    size_t n = bg_path_depth(p), i = n;

    tfplugin6__attribute_path__init(ap);
    ap->n_steps = n;
    ap->steps = bg_arena_calloc(a, n, sizeof(*ap->steps));
    for (; p != NULL; p = p->parent) {
        Tfplugin6__AttributePath__Step *st = bg_arena_alloc(a, sizeof(*st));

        tfplugin6__attribute_path__step__init(st);
        if (p->kind == BG_STEP_ATTR) {
            st->selector_case = TFPLUGIN6__ATTRIBUTE_PATH__STEP__SELECTOR_ATTRIBUTE_NAME;
            st->attribute_name = (char *)p->name;
        } else if (p->kind == BG_STEP_KEY) {
            st->selector_case = TFPLUGIN6__ATTRIBUTE_PATH__STEP__SELECTOR_ELEMENT_KEY_STRING;
            st->element_key_string = (char *)p->name;
        } else {
            st->selector_case = TFPLUGIN6__ATTRIBUTE_PATH__STEP__SELECTOR_ELEMENT_KEY_INT;
            st->element_key_int = p->index;
        }
        ap->steps[--i] = st;
    }
    return ap;
}

Tfplugin6__Diagnostic **bg_wire_diags(struct bg_arena *a, const struct bg_diags *d, size_t *n)
{
    Tfplugin6__Diagnostic **out = bg_arena_calloc(a, d->count, sizeof(*out));
    const struct bg_diag *g;
    size_t i = 0;

    for (g = d->head; g != NULL; g = g->next) {
        Tfplugin6__Diagnostic *m = bg_arena_alloc(a, sizeof(*m));

        tfplugin6__diagnostic__init(m);
        m->severity = g->severity == BG_SEV_ERROR ? TFPLUGIN6__DIAGNOSTIC__SEVERITY__ERROR
                                                  : TFPLUGIN6__DIAGNOSTIC__SEVERITY__WARNING;
        m->summary = (char *)g->summary;
        m->detail = (char *)(g->detail != NULL ? g->detail : "");
        if (g->path != NULL)
            m->attribute = bg_wire_path(a, g->path);
        out[i++] = m;
    }
    *n = i;
    return out;
}

static Tfplugin6__Schema__Attribute *wire_attr(struct bg_arena *a, const struct bg_attr *attr);

static Tfplugin6__Schema__Object *wire_object(struct bg_arena *a, const struct bg_attr *attr)
{
    static const Tfplugin6__Schema__Object__NestingMode modes[] = {
        [BG_NEST_SINGLE] = TFPLUGIN6__SCHEMA__OBJECT__NESTING_MODE__SINGLE,
        [BG_NEST_LIST] = TFPLUGIN6__SCHEMA__OBJECT__NESTING_MODE__LIST,
        [BG_NEST_SET] = TFPLUGIN6__SCHEMA__OBJECT__NESTING_MODE__SET,
        [BG_NEST_MAP] = TFPLUGIN6__SCHEMA__OBJECT__NESTING_MODE__MAP,
    };
    Tfplugin6__Schema__Object *o = bg_arena_alloc(a, sizeof(*o));
    size_t i;

    tfplugin6__schema__object__init(o);
    o->nesting = modes[attr->nesting];
    o->n_attributes = attr->nnested;
    o->attributes = bg_arena_calloc(a, attr->nnested, sizeof(*o->attributes));
    for (i = 0; i < attr->nnested; i++)
        o->attributes[i] = wire_attr(a, &attr->nested[i]);
    return o;
}

static Tfplugin6__Schema__Attribute *wire_attr(struct bg_arena *a, const struct bg_attr *attr)
{
    Tfplugin6__Schema__Attribute *m = bg_arena_alloc(a, sizeof(*m));
    char *type;

    tfplugin6__schema__attribute__init(m);
    m->name = (char *)attr->name;
    if (attr->nesting != BG_NEST_NONE) {
        m->nested_type = wire_object(a, attr);
    } else {
        type = bg_type_json(a, attr->type);
        m->type.data = (uint8_t *)type;
        m->type.len = strlen(type);
    }
    /* The table's description plus its validators' and default's sentences: what the docs
     * generator (scripts/gen_docs.py) reads from `terraform providers schema -json`. */
    m->description = bg_schema_describe(a, attr);
    m->description_kind = TFPLUGIN6__STRING_KIND__MARKDOWN;
    m->required = (attr->flags & BG_REQUIRED) != 0;
    /* A default is filled in by the provider, so Terraform must allow a computed value. */
    m->optional = (attr->flags & BG_OPTIONAL) != 0 || attr->default_json != NULL;
    m->computed = (attr->flags & BG_COMPUTED) != 0 || attr->default_json != NULL;
    m->sensitive = (attr->flags & BG_SENSITIVE) != 0;
    return m;
}

static Tfplugin6__Schema__Block *wire_block(struct bg_arena *a, const struct bg_block *b);

static Tfplugin6__Schema__NestedBlock *wire_nested_block(struct bg_arena *a,
                                                         const struct bg_block_type *bt)
{
    Tfplugin6__Schema__NestedBlock *m = bg_arena_alloc(a, sizeof(*m));

    tfplugin6__schema__nested_block__init(m);
    m->type_name = (char *)bt->name;
    m->block = wire_block(a, bt->block);
    m->nesting = bt->nesting == BG_NEST_SINGLE
                     ? TFPLUGIN6__SCHEMA__NESTED_BLOCK__NESTING_MODE__SINGLE
                     : TFPLUGIN6__SCHEMA__NESTED_BLOCK__NESTING_MODE__LIST;
    m->min_items = bt->min_items;
    m->max_items = bt->max_items;
    return m;
}

static Tfplugin6__Schema__Block *wire_block(struct bg_arena *a, const struct bg_block *b)
{
    Tfplugin6__Schema__Block *m = bg_arena_alloc(a, sizeof(*m));
    size_t i;

    tfplugin6__schema__block__init(m);
    m->description = (char *)(b->description != NULL ? b->description : "");
    m->description_kind = TFPLUGIN6__STRING_KIND__MARKDOWN;
    m->n_attributes = b->nattrs;
    m->attributes = bg_arena_calloc(a, b->nattrs, sizeof(*m->attributes));
    for (i = 0; i < b->nattrs; i++)
        m->attributes[i] = wire_attr(a, &b->attrs[i]);
    m->n_block_types = b->nblocks;
    m->block_types = bg_arena_calloc(a, b->nblocks, sizeof(*m->block_types));
    for (i = 0; i < b->nblocks; i++)
        m->block_types[i] = wire_nested_block(a, &b->blocks[i]);
    return m;
}

Tfplugin6__Schema *bg_wire_schema(struct bg_arena *a, const struct bg_schema *s)
{
    Tfplugin6__Schema *m = bg_arena_alloc(a, sizeof(*m));

    tfplugin6__schema__init(m);
    m->version = s->version;
    m->block = wire_block(a, &s->block);
    return m;
}
