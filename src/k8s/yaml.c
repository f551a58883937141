/*
 * yaml.c - the first document of a YAML text as a small node tree, through libyaml's event
 * parser. The input is untrusted (a kubeconfig from anywhere): the tree is built with an
 * explicit stack of at most BG_K8S__MAX_DEPTH open collections and BG_K8S__MAX_NODES nodes,
 * and aliases are refused (a kubeconfig has no use for them and they are how YAML bombs
 * multiply).
 */
#include <string.h>
#include <yaml.h>

#include "internal.h"

struct builder {
    struct bg_arena *a;
    struct bg_k8s__node *stack[BG_K8S__MAX_DEPTH];
    size_t depth, nodes;
    struct bg_k8s__node *root;
};

static void append(struct bg_arena *a, struct bg_k8s__node *parent, struct bg_k8s__node *child)
{
    if (parent->n == parent->cap) {
        size_t cap = parent->cap > 0 ? 2 * parent->cap : 8;
        struct bg_k8s__node **grown = bg_arena_calloc(a, cap, sizeof(*grown));

        if (parent->n > 0)
            memcpy(grown, parent->items, parent->n * sizeof(*grown));
        parent->items = grown;
        parent->cap = cap;
    }
    parent->items[parent->n++] = child;
}

static int add_node(struct builder *b, struct bg_k8s__node *n, struct bg_error *err)
{
    if (++b->nodes > BG_K8S__MAX_NODES)
        return bg_error_set(err, BG_ELIMIT, "line %zu: more than %d YAML nodes", n->line,
                            BG_K8S__MAX_NODES);
    if (b->depth == 0) {
        if (b->root == NULL)
            b->root = n;
        return 0;
    }
    append(b->a, b->stack[b->depth - 1], n);
    return 0;
}

static int open_node(struct builder *b, enum bg_k8s__kind kind, size_t line, struct bg_error *err)
{
    struct bg_k8s__node *n = bg_arena_calloc(b->a, 1, sizeof(*n));
    int rc;

    n->kind = kind;
    n->line = line;
    rc = add_node(b, n, err);
    if (rc != 0)
        return rc;
    if (b->depth == BG_K8S__MAX_DEPTH)
        return bg_error_set(err, BG_ELIMIT, "line %zu: YAML nested deeper than %d levels", line,
                            BG_K8S__MAX_DEPTH);
    b->stack[b->depth++] = n;
    return 0;
}

static int scalar(struct builder *b, const yaml_event_t *ev, struct bg_error *err)
{
    struct bg_k8s__node *n = bg_arena_calloc(b->a, 1, sizeof(*n));

    n->kind = BG_K8S__SCALAR;
    n->line = ev->start_mark.line + 1;
    n->len = ev->data.scalar.length;
    n->s = bg_arena_strndup(b->a, (const char *)ev->data.scalar.value, n->len);
    n->plain = ev->data.scalar.style == YAML_PLAIN_SCALAR_STYLE;
    return add_node(b, n, err);
}

/* One event; *done is set at the end of the first document. */
static int on_event(struct builder *b, const yaml_event_t *ev, bool *done, struct bg_error *err)
{
    size_t line = ev->start_mark.line + 1;

    switch (ev->type) {
    case YAML_ALIAS_EVENT:
        return bg_error_set(err, BG_EPROTO, "line %zu: YAML aliases are not supported", line);
    case YAML_SCALAR_EVENT:
        return scalar(b, ev, err);
    case YAML_SEQUENCE_START_EVENT:
        return open_node(b, BG_K8S__SEQ, line, err);
    case YAML_MAPPING_START_EVENT:
        return open_node(b, BG_K8S__MAP, line, err);
    case YAML_SEQUENCE_END_EVENT:
    case YAML_MAPPING_END_EVENT:
        if (b->depth > 0)
            b->depth--;
        return 0;
    case YAML_DOCUMENT_END_EVENT:
    case YAML_STREAM_END_EVENT:
        *done = true;
        return 0;
    default:
        return 0;
    }
}

int bg_k8s__yaml_load(struct bg_k8s__node **out, struct bg_arena *a, const char *text, size_t len,
                      struct bg_error *err)
{
    struct builder b;
    yaml_parser_t parser;
    yaml_event_t ev;
    bool done = false;
    int rc = 0;

    *out = NULL;
    memset(&b, 0, sizeof(b));
    b.a = a;
    if (len > BG_K8S_MAX_KUBECONFIG)
        return bg_error_set(err, BG_ELIMIT, "larger than %u bytes", BG_K8S_MAX_KUBECONFIG);
    if (!yaml_parser_initialize(&parser))
        return bg_error_set(err, BG_EIO, "cannot set up the YAML parser");
    yaml_parser_set_input_string(&parser, (const unsigned char *)text, len);
    while (rc == 0 && !done) {
        if (!yaml_parser_parse(&parser, &ev)) {
            rc = bg_error_set(err, BG_EPROTO, "line %zu: %s", parser.problem_mark.line + 1,
                              parser.problem != NULL ? parser.problem : "invalid YAML");
            break;
        }
        rc = on_event(&b, &ev, &done, err);
        yaml_event_delete(&ev);
    }
    yaml_parser_delete(&parser);
    if (rc == 0)
        *out = b.root;
    return rc;
}

const struct bg_k8s__node *bg_k8s__get(const struct bg_k8s__node *m, const char *key)
{
    size_t i;

    if (m == NULL || m->kind != BG_K8S__MAP)
        return NULL;
    for (i = 0; i + 1 < m->n; i += 2) {
        const struct bg_k8s__node *k = m->items[i];

        if (k->kind == BG_K8S__SCALAR && strcmp(k->s, key) == 0)
            return m->items[i + 1];
    }
    return NULL;
}

const char *bg_k8s__str(const struct bg_k8s__node *n)
{
    if (n == NULL || n->kind != BG_K8S__SCALAR)
        return NULL;
    if (n->plain && (strcmp(n->s, "null") == 0 || strcmp(n->s, "~") == 0 || n->len == 0))
        return NULL;
    return n->s;
}
