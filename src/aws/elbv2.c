/*
 * elbv2.c - the ELBv2 calls of bluegreen_traffic_shift and their XML answers
 * (include/bluegreen/aws.h). Shapes follow the 2015-12-01 API:
 * <XResponse><XResult>...</XResult><ResponseMetadata/></XResponse>, lists as <member>.
 */
#include <stdio.h>
#include <string.h>

#include "bluegreen/aws.h"
#include "internal.h"
#include "xml.h"

static int health_entry(void *item, struct bg_arena *a, const xmlNode *m, struct bg_error *err)
{
    struct bg_aws_target_health *h = item;
    const xmlNode *target = bg_xml_child(m, "Target");
    const xmlNode *health = bg_xml_child(m, "TargetHealth");

    h->id = bg_xml_text(a, bg_xml_child(target, "Id"));
    if (h->id[0] == '\0')
        return bg_error_set(err, BG_EPROTO, "DescribeTargetHealth entry without a target Id");
    h->port = bg_xml_int(bg_xml_child(target, "Port"), 0);
    h->state = bg_xml_text(a, bg_xml_child(health, "State"));
    h->health = bg_target_health_parse(h->state);
    h->reason = bg_xml_text(a, bg_xml_child(health, "Reason"));
    h->description = bg_xml_text(a, bg_xml_child(health, "Description"));
    return 0;
}

int bg_aws_elbv2_parse_target_health(struct bg_aws_target_health_list *out, struct bg_arena *a,
                                     const char *xml, size_t len, struct bg_error *err)
{
    const struct bg_xml_list_spec spec = {"DescribeTargetHealth", "TargetHealthDescriptions",
                                          sizeof(*out->items), health_entry};
    void *items;
    int rc = bg_xml_parse_list(&items, &out->count, a, &spec, xml, len, err);

    out->items = items;
    return rc;
}

static int group_entry(void *item, struct bg_arena *a, const xmlNode *m, struct bg_error *err)
{
    struct bg_aws_target_group *g = item;

    g->arn = bg_xml_text(a, bg_xml_child(m, "TargetGroupArn"));
    g->name = bg_xml_text(a, bg_xml_child(m, "TargetGroupName"));
    g->protocol = bg_xml_text(a, bg_xml_child(m, "Protocol"));
    g->target_type = bg_xml_text(a, bg_xml_child(m, "TargetType"));
    g->port = bg_xml_int(bg_xml_child(m, "Port"), 0);
    g->deregistration_delay = -1;
    if (g->arn[0] == '\0')
        return bg_error_set(err, BG_EPROTO, "DescribeTargetGroups entry without an ARN");
    return 0;
}

int bg_aws_elbv2_parse_target_groups(struct bg_aws_target_group_list *out, struct bg_arena *a,
                                     const char *xml, size_t len, struct bg_error *err)
{
    const struct bg_xml_list_spec spec = {"DescribeTargetGroups", "TargetGroups",
                                          sizeof(*out->items), group_entry};
    void *items;
    int rc = bg_xml_parse_list(&items, &out->count, a, &spec, xml, len, err);

    out->items = items;
    return rc;
}

int bg_aws_elbv2_parse_deregistration_delay(int *out, const char *xml, size_t len,
                                            struct bg_error *err)
{
    struct bg_arena *a = bg_arena_new();
    const xmlNode *result, *m;
    xmlDoc *doc = NULL;
    int rc;

    *out = -1;
    rc = bg_xml_open_answer(&doc, &result, "DescribeTargetGroupAttributes", xml, len, err);
    if (rc != 0)
        goto done;
    m = bg_xml_child(bg_xml_child(result, "Attributes"), "member");
    for (; m != NULL; m = bg_xml_next(m)) {
        const char *key = bg_xml_text(a, bg_xml_child(m, "Key"));

        if (strcmp(key, "deregistration_delay.timeout_seconds") == 0)
            *out = bg_xml_int(bg_xml_child(m, "Value"), -1);
    }
    bg_xml_free(doc);
done:
    bg_arena_free(a);
    return rc;
}

int bg_aws_elbv2_parse_ack(const char *action, const char *xml, size_t len, struct bg_error *err)
{
    const xmlNode *result;
    xmlDoc *doc = NULL;
    int rc = bg_xml_open_answer(&doc, &result, action, xml, len, err);

    bg_xml_free(doc);
    return rc;
}

/* ---- calls ------------------------------------------------------------------------------ */

int bg_aws_elbv2_describe_target_health(struct bg_aws_target_health_list *out,
                                        struct bg_aws_client *c, struct bg_arena *a,
                                        const char *target_group_arn, struct bg_error *err)
{
    const struct bg_aws_param p[] = {{"TargetGroupArn", target_group_arn}};
    struct bg_aws_response r;
    int rc;

    memset(out, 0, sizeof(*out));
    rc = bg_aws__elbv2_call(&r, c, a, "DescribeTargetHealth", p, 1, err);
    if (rc != 0)
        return rc;
    return bg_aws_elbv2_parse_target_health(out, a, r.body, r.len, err);
}

/* TargetGroupArn plus Targets.member.N.Id / .Port (1-based, as the Query API wants). */
static struct bg_aws_param *target_params(struct bg_arena *a, const char *arn,
                                          const struct bg_aws_target *t, size_t n, size_t *count)
{
    struct bg_aws_param *p = bg_arena_calloc(a, 1 + 2 * n, sizeof(*p));
    size_t k = 0;

    p[k++] = (struct bg_aws_param){"TargetGroupArn", arn};
    for (size_t i = 0; i < n; i++) {
        p[k++] = (struct bg_aws_param){bg_arena_printf(a, "Targets.member.%zu.Id", i + 1), t[i].id};
        if (t[i].port > 0)
            p[k++] = (struct bg_aws_param){bg_arena_printf(a, "Targets.member.%zu.Port", i + 1),
                                           bg_arena_printf(a, "%d", t[i].port)};
    }
    *count = k;
    return p;
}

static int change_targets(struct bg_aws_client *c, const char *action, const char *arn,
                          const struct bg_aws_target *targets, size_t n, struct bg_error *err)
{
    struct bg_arena *a = bg_arena_new();
    struct bg_aws_response r;
    struct bg_aws_param *p;
    size_t count;
    int rc;

    p = target_params(a, arn, targets, n, &count);
    rc = bg_aws__elbv2_call(&r, c, a, action, p, count, err);
    if (rc == 0)
        rc = bg_aws_elbv2_parse_ack(action, r.body, r.len, err);
    bg_arena_free(a);
    return rc;
}

int bg_aws_elbv2_register_targets(struct bg_aws_client *c, const char *target_group_arn,
                                  const struct bg_aws_target *targets, size_t n,
                                  struct bg_error *err)
{
    return change_targets(c, "RegisterTargets", target_group_arn, targets, n, err);
}

int bg_aws_elbv2_deregister_targets(struct bg_aws_client *c, const char *target_group_arn,
                                    const struct bg_aws_target *targets, size_t n,
                                    struct bg_error *err)
{
    return change_targets(c, "DeregisterTargets", target_group_arn, targets, n, err);
}

int bg_aws_elbv2_describe_target_group(struct bg_aws_target_group *out, struct bg_aws_client *c,
                                       struct bg_arena *a, const char *target_group_arn,
                                       struct bg_error *err)
{
    const struct bg_aws_param groups[] = {{"TargetGroupArns.member.1", target_group_arn}};
    const struct bg_aws_param attrs[] = {{"TargetGroupArn", target_group_arn}};
    struct bg_aws_target_group_list list;
    struct bg_aws_response r;
    int rc;

    memset(out, 0, sizeof(*out));
    rc = bg_aws__elbv2_call(&r, c, a, "DescribeTargetGroups", groups, 1, err);
    if (rc == 0)
        rc = bg_aws_elbv2_parse_target_groups(&list, a, r.body, r.len, err);
    if (rc != 0)
        return rc;
    if (list.count == 0)
        return bg_error_set(err, BG_ENOTFOUND, "TargetGroupNotFound: %s", target_group_arn);
    *out = list.items[0];
    /* informative only: a failure here must not fail the existence check */
    if (bg_aws__elbv2_call(&r, c, a, "DescribeTargetGroupAttributes", attrs, 1, NULL) == 0)
        bg_aws_elbv2_parse_deregistration_delay(&out->deregistration_delay, r.body, r.len, NULL);
    return 0;
}
