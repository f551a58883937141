/*
 * cloudwatch.c - DescribeAlarms by name (include/bluegreen/aws.h): the alarm gate of the
 * traffic shifts. CloudWatch's Query API 2010-08-01: <DescribeAlarmsResponse>
 * <DescribeAlarmsResult><MetricAlarms|CompositeAlarms><member>..., NextToken for more pages.
 */
#include <stdio.h>
#include <string.h>

#include "xml.h"

/* The API takes at most 100 names per request and returns at most 100 alarms per page. */
#define NAMES_PER_CALL 100
/* A hostile endpoint could hand out NextTokens forever: pages beyond what 100 names can
 * fill are a protocol error. */
#define MAX_PAGES 8

enum bg_aws_alarm_state bg_aws_alarm_state_parse(const char *s)
{
    if (s == NULL)
        return BG_AWS_ALARM_UNKNOWN;
    if (strcmp(s, "OK") == 0)
        return BG_AWS_ALARM_OK;
    if (strcmp(s, "ALARM") == 0)
        return BG_AWS_ALARM_ALARM;
    if (strcmp(s, "INSUFFICIENT_DATA") == 0)
        return BG_AWS_ALARM_INSUFFICIENT_DATA;
    return BG_AWS_ALARM_UNKNOWN;
}

static int alarm_entry(struct bg_aws_alarm *al, struct bg_arena *a, const xmlNode *m,
                       const char *kind, struct bg_error *err)
{
    al->name = bg_xml_text(a, bg_xml_child(m, "AlarmName"));
    al->kind = kind;
    al->state = bg_xml_text(a, bg_xml_child(m, "StateValue"));
    al->value = bg_aws_alarm_state_parse(al->state);
    al->reason = bg_xml_text(a, bg_xml_child(m, "StateReason"));
    if (al->name[0] == '\0')
        return bg_error_set(err, BG_EPROTO, "DescribeAlarms entry without an AlarmName");
    return 0;
}

int bg_aws_cloudwatch_parse_alarms(struct bg_aws_alarm_list *out, struct bg_arena *a,
                                   const char *xml, size_t len, struct bg_error *err)
{
    static const char *const kinds[] = {"MetricAlarm", "CompositeAlarm"};
    const xmlNode *result, *lists[2];
    xmlDoc *doc = NULL;
    size_t i = 0;
    int rc;

    memset(out, 0, sizeof(*out));
    rc = bg_xml_open_answer(&doc, &result, "DescribeAlarms", xml, len, err);
    if (rc != 0)
        return rc;
    lists[0] = bg_xml_child(result, "MetricAlarms");
    lists[1] = bg_xml_child(result, "CompositeAlarms");
    out->count = bg_xml_count_members(lists[0]) + bg_xml_count_members(lists[1]);
    out->items = bg_arena_calloc(a, out->count + 1, sizeof(*out->items));
    for (int k = 0; k < 2; k++) {
        for (const xmlNode *m = bg_xml_child(lists[k], "member"); m != NULL && rc == 0;
             m = bg_xml_next(m))
            rc = alarm_entry(&out->items[i++], a, m, kinds[k], err);
    }
    if (rc == 0 && bg_xml_child(result, "NextToken") != NULL)
        out->next_token = bg_xml_text(a, bg_xml_child(result, "NextToken"));
    if (out->next_token != NULL && out->next_token[0] == '\0')
        out->next_token = NULL;
    if (rc != 0)
        memset(out, 0, sizeof(*out));
    bg_xml_free(doc);
    return rc;
}

/* Appends page to out (both from the arena). */
static void append(struct bg_aws_alarm_list *out, struct bg_arena *a,
                   const struct bg_aws_alarm_list *page)
{
    struct bg_aws_alarm *items = bg_arena_calloc(a, out->count + page->count + 1, sizeof(*items));

    if (out->count > 0)
        memcpy(items, out->items, out->count * sizeof(*items));
    if (page->count > 0)
        memcpy(items + out->count, page->items, page->count * sizeof(*items));
    out->items = items;
    out->count += page->count;
}

/* One request for names[0..n) (n <= 100), following NextToken pages. */
static int describe_batch(struct bg_aws_alarm_list *out, struct bg_aws_client *c,
                          struct bg_arena *a, const char *const *names, size_t n,
                          struct bg_error *err)
{
    struct bg_aws_param *p = bg_arena_calloc(a, n + 4, sizeof(*p));
    const char *token = NULL;
    size_t k = 0;
    int rc = 0;

    p[k++] = (struct bg_aws_param){"AlarmTypes.member.1", "CompositeAlarm"};
    p[k++] = (struct bg_aws_param){"AlarmTypes.member.2", "MetricAlarm"};
    p[k++] = (struct bg_aws_param){"MaxRecords", "100"};
    for (size_t i = 0; i < n; i++)
        p[k++] =
            (struct bg_aws_param){bg_arena_printf(a, "AlarmNames.member.%zu", i + 1), names[i]};
    for (int page = 0; rc == 0; page++) {
        const struct bg_aws_request req = {.action = "DescribeAlarms",
                                           .params = p,
                                           .n_params = k + (token != NULL),
                                           .service = BG_AWS_CLOUDWATCH};
        struct bg_aws_alarm_list got;
        struct bg_aws_response r;

        if (page == MAX_PAGES)
            return bg_error_set(err, BG_EPROTO, "DescribeAlarms: more than %d pages", MAX_PAGES);
        p[k] = (struct bg_aws_param){"NextToken", token};
        rc = bg_aws_client_call(&r, c, a, &req, err);
        if (rc == 0)
            rc = bg_aws_cloudwatch_parse_alarms(&got, a, r.body, r.len, err);
        if (rc == 0)
            append(out, a, &got);
        if (rc != 0 || got.next_token == NULL)
            break;
        token = got.next_token;
    }
    return rc;
}

int bg_aws_cloudwatch_describe_alarms(struct bg_aws_alarm_list *out, struct bg_aws_client *c,
                                      struct bg_arena *a, const char *const *names, size_t n,
                                      struct bg_error *err)
{
    int rc = 0;

    memset(out, 0, sizeof(*out));
    for (size_t i = 0; i < n && rc == 0; i += NAMES_PER_CALL)
        rc = describe_batch(out, c, a, names + i, n - i < NAMES_PER_CALL ? n - i : NAMES_PER_CALL,
                            err);
    if (rc != 0)
        memset(out, 0, sizeof(*out));
    return rc;
}
