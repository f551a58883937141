/*
 * elbv2_listeners.c - DescribeListeners, DescribeRules, ModifyListener and ModifyRule
 * (include/bluegreen/aws.h) for weighted forwarding: the listener's default actions or a
 * rule's actions are read, one forward action's weights changed, and the whole list written
 * back, since both Modify calls replace every action at once.
 */
#include <string.h>

#include "internal.h"
#include "xml.h"

static int parse_listener(void *item, struct bg_arena *a, const xmlNode *m, struct bg_error *err)
{
    struct bg_aws_listener *l = item;

    l->arn = bg_xml_text(a, bg_xml_child(m, "ListenerArn"));
    l->load_balancer_arn = bg_xml_text(a, bg_xml_child(m, "LoadBalancerArn"));
    l->protocol = bg_xml_text(a, bg_xml_child(m, "Protocol"));
    l->port = bg_xml_int(bg_xml_child(m, "Port"), 0);
    if (l->arn[0] == '\0')
        return bg_error_set(err, BG_EPROTO, "listener without a ListenerArn");
    return bg_aws__parse_actions(&l->actions, a, bg_xml_child(m, "DefaultActions"), err);
}

int bg_aws_elbv2_parse_listeners(struct bg_aws_listener_list *out, struct bg_arena *a,
                                 const char *action, const char *xml, size_t len,
                                 struct bg_error *err)
{
    const struct bg_xml_list_spec spec = {action, "Listeners", sizeof(*out->items), parse_listener};
    void *items;
    int rc = bg_xml_parse_list(&items, &out->count, a, &spec, xml, len, err);

    out->items = items;
    return rc;
}

static int parse_rule(void *item, struct bg_arena *a, const xmlNode *m, struct bg_error *err)
{
    struct bg_aws_rule *r = item;

    r->arn = bg_xml_text(a, bg_xml_child(m, "RuleArn"));
    r->priority = bg_xml_text(a, bg_xml_child(m, "Priority"));
    r->is_default = strcmp(bg_xml_text(a, bg_xml_child(m, "IsDefault")), "true") == 0;
    if (r->arn[0] == '\0')
        return bg_error_set(err, BG_EPROTO, "rule without a RuleArn");
    return bg_aws__parse_actions(&r->actions, a, bg_xml_child(m, "Actions"), err);
}

int bg_aws_elbv2_parse_rules(struct bg_aws_rule_list *out, struct bg_arena *a, const char *action,
                             const char *xml, size_t len, struct bg_error *err)
{
    const struct bg_xml_list_spec spec = {action, "Rules", sizeof(*out->items), parse_rule};
    void *items;
    int rc = bg_xml_parse_list(&items, &out->count, a, &spec, xml, len, err);

    out->items = items;
    return rc;
}

/* ---- calls ------------------------------------------------------------------------------ */

/* `name`=value first, then the actions as `list`.member.N.* */
static struct bg_aws_param *modify_params(size_t *n, struct bg_arena *a, const char *name,
                                          const char *value, const char *list,
                                          const struct bg_aws_actions *actions)
{
    size_t k = 0;
    struct bg_aws_param *acts = bg_aws_elbv2_action_params(&k, a, list, actions);
    struct bg_aws_param *p = bg_arena_calloc(a, k + 1, sizeof(*p));

    p[0] = (struct bg_aws_param){name, value};
    if (k > 0)
        memcpy(p + 1, acts, k * sizeof(*p));
    *n = k + 1;
    return p;
}

int bg_aws_elbv2_describe_listener(struct bg_aws_listener *out, struct bg_aws_client *c,
                                   struct bg_arena *a, const char *listener_arn,
                                   struct bg_error *err)
{
    const struct bg_aws_param p[] = {{"ListenerArns.member.1", listener_arn}};
    struct bg_aws_listener_list list;
    struct bg_aws_response r;
    int rc;

    memset(out, 0, sizeof(*out));
    rc = bg_aws__elbv2_call(&r, c, a, "DescribeListeners", p, 1, err);
    if (rc == 0)
        rc = bg_aws_elbv2_parse_listeners(&list, a, "DescribeListeners", r.body, r.len, err);
    if (rc != 0)
        return rc;
    if (list.count == 0)
        return bg_error_set(err, BG_ENOTFOUND, "ListenerNotFound: %s", listener_arn);
    *out = list.items[0];
    return 0;
}

int bg_aws_elbv2_describe_rule(struct bg_aws_rule *out, struct bg_aws_client *c, struct bg_arena *a,
                               const char *rule_arn, struct bg_error *err)
{
    const struct bg_aws_param p[] = {{"RuleArns.member.1", rule_arn}};
    struct bg_aws_rule_list list;
    struct bg_aws_response r;
    int rc;

    memset(out, 0, sizeof(*out));
    rc = bg_aws__elbv2_call(&r, c, a, "DescribeRules", p, 1, err);
    if (rc == 0)
        rc = bg_aws_elbv2_parse_rules(&list, a, "DescribeRules", r.body, r.len, err);
    if (rc != 0)
        return rc;
    if (list.count == 0)
        return bg_error_set(err, BG_ENOTFOUND, "RuleNotFound: %s", rule_arn);
    *out = list.items[0];
    return 0;
}

int bg_aws_elbv2_modify_listener(struct bg_aws_listener *out, struct bg_aws_client *c,
                                 struct bg_arena *a, const char *listener_arn,
                                 const struct bg_aws_actions *actions, struct bg_error *err)
{
    struct bg_aws_listener_list list;
    struct bg_aws_response r;
    struct bg_aws_param *p;
    size_t n;
    int rc;

    p = modify_params(&n, a, "ListenerArn", listener_arn, "DefaultActions", actions);
    rc = bg_aws__elbv2_call(&r, c, a, "ModifyListener", p, n, err);
    if (rc == 0)
        rc = bg_aws_elbv2_parse_listeners(&list, a, "ModifyListener", r.body, r.len, err);
    if (rc == 0 && out != NULL) {
        memset(out, 0, sizeof(*out));
        if (list.count > 0)
            *out = list.items[0];
    }
    return rc;
}

int bg_aws_elbv2_modify_rule(struct bg_aws_rule *out, struct bg_aws_client *c, struct bg_arena *a,
                             const char *rule_arn, const struct bg_aws_actions *actions,
                             struct bg_error *err)
{
    struct bg_aws_rule_list list;
    struct bg_aws_response r;
    struct bg_aws_param *p;
    size_t n;
    int rc;

    p = modify_params(&n, a, "RuleArn", rule_arn, "Actions", actions);
    rc = bg_aws__elbv2_call(&r, c, a, "ModifyRule", p, n, err);
    if (rc == 0)
        rc = bg_aws_elbv2_parse_rules(&list, a, "ModifyRule", r.body, r.len, err);
    if (rc == 0 && out != NULL) {
        memset(out, 0, sizeof(*out));
        if (list.count > 0)
            *out = list.items[0];
    }
    return rc;
}
