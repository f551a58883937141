/* cloudwatch.c - unit tests for src/aws/cloudwatch.c: DescribeAlarms answers, states, paging
 * and batching of names. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "bluegreen/aws.h"
#include "fixture.h"
#include "support/http_server.h"

#define NS     "xmlns=\"http://monitoring.amazonaws.com/doc/2010-08-01/\""
#define LEN(s) (sizeof(s) - 1)

static const char two[] =
    "<DescribeAlarmsResponse " NS "><DescribeAlarmsResult><CompositeAlarms><member>"
    "<AlarmName>any-5xx</AlarmName><StateValue>OK</StateValue></member></CompositeAlarms>"
    "<MetricAlarms><member><AlarmName>five-xx</AlarmName><StateValue>ALARM</StateValue>"
    "<StateReason>Threshold Crossed</StateReason><Dimensions/></member>"
    "<member><AlarmName>latency</AlarmName><StateValue>INSUFFICIENT_DATA</StateValue></member>"
    "</MetricAlarms></DescribeAlarmsResult><ResponseMetadata><RequestId>r</RequestId>"
    "</ResponseMetadata></DescribeAlarmsResponse>";

Test(aws_cloudwatch, parses_metric_and_composite_alarms_with_their_states)
{
    struct bg_arena *a = bg_arena_new();
    struct bg_aws_alarm_list l;
    struct bg_error err = BG_ERROR_INIT;

    cr_assert_eq(bg_aws_cloudwatch_parse_alarms(&l, a, two, LEN(two), &err), 0, "%s", err.msg);
    cr_assert_eq(l.count, 3);
    cr_expect_str_eq(l.items[0].name, "five-xx");
    cr_expect_str_eq(l.items[0].kind, "MetricAlarm");
    cr_expect_eq(l.items[0].value, BG_AWS_ALARM_ALARM);
    cr_expect_str_eq(l.items[0].reason, "Threshold Crossed");
    cr_expect_eq(l.items[1].value, BG_AWS_ALARM_INSUFFICIENT_DATA);
    cr_expect_str_eq(l.items[2].kind, "CompositeAlarm");
    cr_expect_eq(l.items[2].value, BG_AWS_ALARM_OK);
    cr_expect_null(l.next_token);
    bg_arena_free(a);
}

Test(aws_cloudwatch, maps_state_values_and_unknown_ones)
{
    cr_expect_eq(bg_aws_alarm_state_parse("OK"), BG_AWS_ALARM_OK);
    cr_expect_eq(bg_aws_alarm_state_parse("ALARM"), BG_AWS_ALARM_ALARM);
    cr_expect_eq(bg_aws_alarm_state_parse("INSUFFICIENT_DATA"), BG_AWS_ALARM_INSUFFICIENT_DATA);
    cr_expect_eq(bg_aws_alarm_state_parse("alarm"), BG_AWS_ALARM_UNKNOWN);
    cr_expect_eq(bg_aws_alarm_state_parse(""), BG_AWS_ALARM_UNKNOWN);
    cr_expect_eq(bg_aws_alarm_state_parse(NULL), BG_AWS_ALARM_UNKNOWN);
}

Test(aws_cloudwatch, rejects_other_documents_and_nameless_alarms)
{
    static const char *const bad[] = {
        "<DescribeAlarmsResponse><DescribeAlarmsResult><MetricAlarms><member><StateValue>OK"
        "</StateValue></member></MetricAlarms></DescribeAlarmsResult></DescribeAlarmsResponse>",
        "<DescribeListenersResponse/>",
        "<DescribeAlarmsResponse><unclosed>",
    };
    struct bg_arena *a = bg_arena_new();
    struct bg_aws_alarm_list l;
    struct bg_error err = BG_ERROR_INIT;

    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        cr_expect_eq(bg_aws_cloudwatch_parse_alarms(&l, a, bad[i], strlen(bad[i]), &err), BG_EPROTO,
                     "case %zu", i);
        cr_expect_eq(l.count, 0);
    }
    bg_arena_free(a);
}

Test(aws_cloudwatch, asks_for_both_alarm_types_and_follows_next_tokens)
{
    static const char page1[] =
        "<DescribeAlarmsResponse><DescribeAlarmsResult><MetricAlarms><member><AlarmName>a"
        "</AlarmName><StateValue>OK</StateValue></member></MetricAlarms><NextToken>t/2"
        "</NextToken></DescribeAlarmsResult></DescribeAlarmsResponse>";
    static const char page2[] =
        "<DescribeAlarmsResponse><DescribeAlarmsResult><MetricAlarms><member><AlarmName>b"
        "</AlarmName><StateValue>ALARM</StateValue></member></MetricAlarms>"
        "</DescribeAlarmsResult></DescribeAlarmsResponse>";
    const struct test_reply r[] = {{200, page1, 0, 0, NULL}, {200, page2, 0, 0, NULL}};
    const char *const names[] = {"a", "b"};
    struct bg_aws_alarm_list l;
    struct aws_fixture f;

    aws_fixture_setup(&f, BG_AWS_CLOUDWATCH, r, 2);
    cr_assert_eq(bg_aws_cloudwatch_describe_alarms(&l, f.client, f.arena, names, 2, &f.err), 0,
                 "%s", f.err.msg);
    cr_assert_eq(l.count, 2);
    cr_expect_str_eq(l.items[1].name, "b");
    cr_expect_eq(l.items[1].value, BG_AWS_ALARM_ALARM);
    test_server_stop(&f.server);
    cr_expect_str_eq(test_body(f.server.requests[0]),
                     "Action=DescribeAlarms&Version=2010-08-01&AlarmTypes.member.1=CompositeAlarm"
                     "&AlarmTypes.member.2=MetricAlarm&MaxRecords=100&AlarmNames.member.1=a"
                     "&AlarmNames.member.2=b");
    cr_expect(strstr(test_body(f.server.requests[1]), "&NextToken=t%2F2") != NULL, "%s",
              test_body(f.server.requests[1]));
    aws_fixture_teardown(&f);
}

Test(aws_cloudwatch, sends_at_most_one_hundred_names_per_request)
{
    static const char empty[] = "<DescribeAlarmsResponse><DescribeAlarmsResult>"
                                "</DescribeAlarmsResult></DescribeAlarmsResponse>";
    const struct test_reply r[] = {{200, empty, 0, 0, NULL}, {200, empty, 0, 0, NULL}};
    const char *names[150];
    struct bg_aws_alarm_list l;
    struct aws_fixture f;

    aws_fixture_setup(&f, BG_AWS_CLOUDWATCH, r, 2);
    for (int i = 0; i < 150; i++)
        names[i] = bg_arena_printf(f.arena, "alarm-%d", i);
    cr_assert_eq(bg_aws_cloudwatch_describe_alarms(&l, f.client, f.arena, names, 150, &f.err), 0,
                 "%s", f.err.msg);
    cr_expect_eq(l.count, 0);
    test_server_stop(&f.server);
    cr_expect_eq(f.server.served, 2);
    cr_expect(strstr(test_body(f.server.requests[0]), "AlarmNames.member.100=alarm-99") != NULL);
    cr_expect(strstr(test_body(f.server.requests[0]), "AlarmNames.member.101") == NULL);
    cr_expect(strstr(test_body(f.server.requests[1]), "AlarmNames.member.50=alarm-149") != NULL);
    aws_fixture_teardown(&f);
}
