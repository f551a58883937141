/*
 * elbv2_actions.c - listener and rule actions (include/bluegreen/aws.h, struct
 * bg_aws_action): read from an answer's <member> with every field kept, and written back as
 * Query parameters.
 *
 * Only what a weighted shift changes is parsed (Type, Order, TargetGroupArn, the forward
 * weights). Everything else is turned into parameters generically, by the Query protocol's
 * own naming: an element is a name, a list item `member.N`, a map entry `entry.N` with `key`
 * and `value`. So redirect, fixed-response and authenticate-* actions, stickiness and any
 * field added to the API later go back to AWS unchanged, without a table of shapes here.
 * The walk over the subtree is a loop with an explicit, bounded depth: no recursion.
 */
#include <stdio.h>
#include <string.h>

#include "xml.h"

#define MAX_DEPTH  16
#define MAX_FIELDS 1024

/* Lists and maps that may come back empty (`<Values/>`): sending them as "" would be a
 * different request, so an empty one is left out. Every other empty leaf is a string that
 * may legitimately be empty (a redirect's Query "" drops the query string) and is sent. */
static const char *const containers[] = {
    "TargetGroups", "Values", "AuthenticationRequestExtraParams", "AdditionalClaims", "Conditions"};

struct fields {
    struct bg_aws_param *items;
    size_t n, cap;
};

static const xmlNode *first_element(const xmlNode *n)
{
    for (const xmlNode *c = n->children; c != NULL; c = c->next) {
        if (c->type == XML_ELEMENT_NODE)
            return c;
    }
    return NULL;
}

static const xmlNode *next_element(const xmlNode *n)
{
    for (const xmlNode *s = n->next; s != NULL; s = s->next) {
        if (s->type == XML_ELEMENT_NODE)
            return s;
    }
    return NULL;
}

static const char *name_of(const xmlNode *n)
{
    return (const char *)n->name;
}

static bool is_container(const char *name)
{
    for (size_t i = 0; i < sizeof(containers) / sizeof(containers[0]); i++) {
        if (strcmp(name, containers[i]) == 0)
            return true;
    }
    return false;
}

/* The parameter name step for n: its name, or `member.N` / `entry.N` for list and map items
 * (*index counts the items seen at this level). */
static const char *step_of(struct bg_arena *a, const xmlNode *n, int *index)
{
    const char *name = name_of(n);

    if (strcmp(name, "member") != 0 && strcmp(name, "entry") != 0)
        return name;
    return bg_arena_printf(a, "%s.%d", name, ++*index);
}

static int push(struct fields *f, struct bg_arena *a, const char *name, const char *value,
                struct bg_error *err)
{
    if (f->n == MAX_FIELDS)
        return bg_error_set(err, BG_EPROTO, "action with more than %d fields", MAX_FIELDS);
    if (f->n == f->cap) {
        size_t cap = f->cap > 0 ? 2 * f->cap : 8;
        struct bg_aws_param *grown = bg_arena_calloc(a, cap, sizeof(*grown));

        if (f->n > 0)
            memcpy(grown, f->items, f->n * sizeof(*grown));
        f->items = grown;
        f->cap = cap;
    }
    f->items[f->n++] = (struct bg_aws_param){name, value};
    return 0;
}

static char *join(struct bg_arena *a, const char *prefix, const char *const *steps, int depth)
{
    size_t len = strlen(prefix), off;
    char *s;

    for (int i = 0; i <= depth; i++)
        len += strlen(steps[i]) + 1;
    s = bg_arena_alloc(a, len + 1);
    off = strlen(prefix);
    memcpy(s, prefix, off);
    for (int i = 0; i <= depth; i++) {
        size_t k = strlen(steps[i]);

        if (i > 0)
            s[off++] = '.';
        memcpy(s + off, steps[i], k);
        off += k;
    }
    s[off] = '\0';
    return s;
}

static int leaf(struct fields *f, struct bg_arena *a, const char *prefix, const char *const *steps,
                int depth, const xmlNode *n, struct bg_error *err)
{
    const char *text = bg_xml_text(a, n);

    if (text[0] == '\0' && is_container(name_of(n)))
        return 0;
    return push(f, a, join(a, prefix, steps, depth), text, err);
}

/* Every leaf below top (top included) as prefix + "A.B.member.1.C" = text, depth first in
 * document order. */
static int flatten(struct fields *f, struct bg_arena *a, const char *prefix, const xmlNode *top,
                   struct bg_error *err)
{
    const char *steps[MAX_DEPTH];
    int index[MAX_DEPTH] = {0};
    const xmlNode *n = top, *child;
    int d = 0, rc;

    steps[0] = step_of(a, top, &index[0]);
    for (;;) {
        child = first_element(n);
        if (child != NULL) {
            if (d + 1 >= MAX_DEPTH)
                return bg_error_set(err, BG_EPROTO, "action nested deeper than %d levels",
                                    MAX_DEPTH);
            n = child;
            index[++d] = 0;
            steps[d] = step_of(a, n, &index[d]);
            continue;
        }
        rc = leaf(f, a, prefix, steps, d, n, err);
        if (rc != 0)
            return rc;
        while (d > 0 && next_element(n) == NULL) {
            n = n->parent;
            d--;
        }
        if (d == 0)
            return 0;
        n = next_element(n);
        steps[d] = step_of(a, n, &index[d]);
    }
}

static int parse_groups(struct bg_aws_action *out, struct bg_arena *a, const xmlNode *list,
                        struct bg_error *err)
{
    size_t i = 0;

    out->forward_config = true;
    out->n_groups = bg_xml_count_members(list);
    out->groups = bg_arena_calloc(a, out->n_groups + 1, sizeof(*out->groups));
    for (const xmlNode *m = bg_xml_child(list, "member"); m != NULL; m = bg_xml_next(m), i++) {
        out->groups[i].arn = bg_xml_text(a, bg_xml_child(m, "TargetGroupArn"));
        out->groups[i].weight = bg_xml_int(bg_xml_child(m, "Weight"), 1);
        if (out->groups[i].arn[0] == '\0')
            return bg_error_set(err, BG_EPROTO, "ForwardConfig target group without an ARN");
    }
    return 0;
}

static int parse_forward(struct bg_aws_action *out, struct fields *f, struct bg_arena *a,
                         const xmlNode *fc, struct bg_error *err)
{
    int rc = 0;

    for (const xmlNode *c = first_element(fc); c != NULL && rc == 0; c = next_element(c)) {
        if (strcmp(name_of(c), "TargetGroups") == 0)
            rc = parse_groups(out, a, c, err);
        else
            rc = flatten(f, a, "ForwardConfig.", c, err);
    }
    return rc;
}

static int parse_action(struct bg_aws_action *out, struct bg_arena *a, const xmlNode *m,
                        struct bg_error *err)
{
    struct fields f = {NULL, 0, 0};
    int rc = 0;

    memset(out, 0, sizeof(*out));
    out->order = -1;
    for (const xmlNode *c = first_element(m); c != NULL && rc == 0; c = next_element(c)) {
        const char *name = name_of(c);

        if (strcmp(name, "Type") == 0)
            out->type = bg_xml_text(a, c);
        else if (strcmp(name, "Order") == 0)
            out->order = bg_xml_int(c, -1);
        else if (strcmp(name, "TargetGroupArn") == 0)
            out->target_group_arn = bg_xml_text(a, c);
        else if (strcmp(name, "ForwardConfig") == 0)
            rc = parse_forward(out, &f, a, c, err);
        else
            rc = flatten(&f, a, "", c, err);
    }
    out->fields = f.items;
    out->n_fields = f.n;
    if (rc == 0 && (out->type == NULL || out->type[0] == '\0'))
        rc = bg_error_set(err, BG_EPROTO, "listener action without a Type");
    return rc;
}

/* The <member> actions of list (DefaultActions or Actions); none when list is NULL. */
int bg_aws__parse_actions(struct bg_aws_actions *out, struct bg_arena *a, const xmlNode *list,
                          struct bg_error *err)
{
    size_t i = 0;
    int rc = 0;

    out->count = bg_xml_count_members(list);
    out->items = bg_arena_calloc(a, out->count + 1, sizeof(*out->items));
    for (const xmlNode *m = bg_xml_child(list, "member"); m != NULL && rc == 0; m = bg_xml_next(m))
        rc = parse_action(&out->items[i++], a, m, err);
    return rc;
}

/* ---- writing back ------------------------------------------------------------------------ */

static bool has_field(const struct bg_aws_action *act, const char *name)
{
    for (size_t i = 0; i < act->n_fields; i++) {
        if (strcmp(act->fields[i].name, name) == 0)
            return true;
    }
    return false;
}

static bool sends_arn(const struct bg_aws_action *act)
{
    if (act->target_group_arn == NULL || act->target_group_arn[0] == '\0')
        return false;
    return !act->forward_config ||
           (act->n_groups == 1 && strcmp(act->groups[0].arn, act->target_group_arn) == 0);
}

static void put(struct bg_aws_param *p, size_t *k, struct bg_arena *a, const char *prefix,
                const char *name, const char *value)
{
    p[(*k)++] = (struct bg_aws_param){bg_arena_printf(a, "%s%s", prefix, name), value};
}

static void action_params(struct bg_aws_param *p, size_t *k, struct bg_arena *a, const char *prefix,
                          const struct bg_aws_action *act)
{
    static const char keep_secret[] = "AuthenticateOidcConfig.UseExistingClientSecret";
    bool oidc = strcmp(act->type, "authenticate-oidc") == 0 &&
                !has_field(act, "AuthenticateOidcConfig.ClientSecret");

    put(p, k, a, prefix, "Type", act->type);
    if (act->order >= 0)
        put(p, k, a, prefix, "Order", bg_arena_printf(a, "%d", act->order));
    if (sends_arn(act))
        put(p, k, a, prefix, "TargetGroupArn", act->target_group_arn);
    for (size_t g = 0; act->forward_config && g < act->n_groups; g++) {
        char *tg = bg_arena_printf(a, "%sForwardConfig.TargetGroups.member.%zu.", prefix, g + 1);

        put(p, k, a, tg, "TargetGroupArn", act->groups[g].arn);
        put(p, k, a, tg, "Weight", bg_arena_printf(a, "%d", act->groups[g].weight));
    }
    for (size_t i = 0; i < act->n_fields; i++) {
        if (!oidc || strcmp(act->fields[i].name, keep_secret) != 0)
            put(p, k, a, prefix, act->fields[i].name, act->fields[i].value);
    }
    if (oidc)
        put(p, k, a, prefix, keep_secret, "true");
}

struct bg_aws_param *bg_aws_elbv2_action_params(size_t *n, struct bg_arena *a, const char *list,
                                                const struct bg_aws_actions *actions)
{
    struct bg_aws_param *p;
    size_t cap = 1, k = 0;

    for (size_t i = 0; i < actions->count; i++)
        cap += 4 + 2 * actions->items[i].n_groups + actions->items[i].n_fields;
    p = bg_arena_calloc(a, cap, sizeof(*p));
    for (size_t i = 0; i < actions->count; i++)
        action_params(p, &k, a, bg_arena_printf(a, "%s.member.%zu.", list, i + 1),
                      &actions->items[i]);
    *n = k;
    return p;
}
