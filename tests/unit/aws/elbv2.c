/* elbv2.c - unit tests for src/aws/elbv2.c and the error parser: every answer shape. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bluegreen/aws.h"
#include "fixture.h"
#include "support/http_server.h"

#define NS   "xmlns=\"http://elasticloadbalancing.amazonaws.com/doc/2015-12-01/\""
#define META "<ResponseMetadata><RequestId>r-1</RequestId></ResponseMetadata>"

static const char health3[] =
    "<DescribeTargetHealthResponse " NS "><DescribeTargetHealthResult><TargetHealthDescriptions>"
    "<member><Target><Id>i-old1</Id><Port>80</Port></Target><HealthCheckPort>80</HealthCheckPort>"
    "<TargetHealth><State>healthy</State></TargetHealth></member>"
    "<member><HealthCheckPort>traffic-port</HealthCheckPort><TargetHealth><State>initial</State>"
    "<Reason>Elb.InitialHealthChecking</Reason><Description>Initial health checks in progress"
    "</Description></TargetHealth><Target><Port>8080</Port>"
    "<AvailabilityZone>all</AvailabilityZone>"
    "<Id>10.0.0.7</Id></Target><AnomalyDetection><Result>normal</Result></AnomalyDetection></"
    "member>"
    "<member><Target><Id>i-old2</Id></Target><TargetHealth><State>draining</State>"
    "<Reason>Target.DeregistrationInProgress</Reason></TargetHealth></member>"
    "</TargetHealthDescriptions></DescribeTargetHealthResult>" META
    "</DescribeTargetHealthResponse>";

static const char groups[] =
    "<DescribeTargetGroupsResponse " NS "><DescribeTargetGroupsResult><TargetGroups><member>"
    "<TargetGroupArn>arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/tg/fa3f"
    "</TargetGroupArn><TargetGroupName>tg</TargetGroupName><Protocol>HTTP</Protocol><Port>80</Port>"
    "<Matcher><HttpCode>200</HttpCode></Matcher><LoadBalancerArns/><TargetType>ip</TargetType>"
    "</member></TargetGroups></DescribeTargetGroupsResult>" META "</DescribeTargetGroupsResponse>";

static const char attributes[] =
    "<DescribeTargetGroupAttributesResponse " NS "><DescribeTargetGroupAttributesResult>"
    "<Attributes><member><Key>stickiness.enabled</Key><Value>false</Value></member>"
    "<member><Key>deregistration_delay.timeout_seconds</Key><Value>2</Value></member>"
    "</Attributes></DescribeTargetGroupAttributesResult>" META
    "</DescribeTargetGroupAttributesResponse>";

static const char registered[] =
    "<RegisterTargetsResponse " NS "><RegisterTargetsResult/>" META "</RegisterTargetsResponse>";
static const char deregistered[] =
    "<DeregisterTargetsResponse " NS "><DeregisterTargetsResult/>" META
    "</DeregisterTargetsResponse>";

static const char not_found[] =
    "<ErrorResponse " NS "><Error><Type>Sender</Type><Code>TargetGroupNotFound</Code>"
    "<Message>One or more target groups not found</Message></Error><RequestId>r-2</RequestId>"
    "</ErrorResponse>";

#define LEN(s) (sizeof(s) - 1)

Test(aws_elbv2, parses_every_target_with_state_reason_and_port_in_any_element_order)
{
    struct bg_arena *a = bg_arena_new();
    struct bg_aws_target_health_list l;
    struct bg_error err = BG_ERROR_INIT;

    cr_assert_eq(bg_aws_elbv2_parse_target_health(&l, a, health3, LEN(health3), &err), 0, "%s",
                 err.msg);
    cr_assert_eq(l.count, 3);
    cr_expect_str_eq(l.items[0].id, "i-old1");
    cr_expect_eq(l.items[0].port, 80);
    cr_expect_str_eq(l.items[0].state, "healthy");
    cr_expect_eq(l.items[0].health, BG_TARGET_HEALTHY);
    cr_expect_str_eq(l.items[0].reason, "");
    cr_expect_str_eq(l.items[1].id, "10.0.0.7");
    cr_expect_eq(l.items[1].port, 8080);
    cr_expect_str_eq(l.items[1].state, "initial");
    cr_expect_eq(l.items[1].health, BG_TARGET_INITIAL);
    cr_expect_str_eq(l.items[1].reason, "Elb.InitialHealthChecking");
    cr_expect_str_eq(l.items[1].description, "Initial health checks in progress");
    cr_expect_eq(l.items[2].port, 0, "absent port");
    cr_expect_str_eq(l.items[2].state, "draining");
    cr_expect_eq(l.items[2].health, BG_TARGET_DRAINING);
    bg_arena_free(a);
}

Test(aws_elbv2, parses_empty_and_absent_member_lists_as_no_targets)
{
    static const char *const docs[] = {
        "<DescribeTargetHealthResponse " NS "><DescribeTargetHealthResult>"
        "<TargetHealthDescriptions/></DescribeTargetHealthResult>" META
        "</DescribeTargetHealthResponse>",
        "<DescribeTargetHealthResponse><DescribeTargetHealthResult/>"
        "</DescribeTargetHealthResponse>",
        "<DescribeTargetHealthResponse/>",
    };
    struct bg_arena *a = bg_arena_new();
    struct bg_aws_target_health_list l;

    for (size_t i = 0; i < 3; i++) {
        cr_expect_eq(bg_aws_elbv2_parse_target_health(&l, a, docs[i], strlen(docs[i]), NULL), 0);
        cr_expect_eq(l.count, 0, "doc %zu", i);
    }
    bg_arena_free(a);
}

Test(aws_elbv2, matches_local_names_whatever_the_namespace_prefix)
{
    static const char doc[] =
        "<e:DescribeTargetHealthResponse xmlns:e=\"urn:x\"><e:DescribeTargetHealthResult>"
        "<e:TargetHealthDescriptions><e:member><e:Target><e:Id>i-1</e:Id></e:Target>"
        "<e:TargetHealth><e:State><![CDATA[unhealthy]]></e:State></e:TargetHealth></e:member>"
        "</e:TargetHealthDescriptions></e:DescribeTargetHealthResult>"
        "</e:DescribeTargetHealthResponse>";
    struct bg_arena *a = bg_arena_new();
    struct bg_aws_target_health_list l;

    cr_assert_eq(bg_aws_elbv2_parse_target_health(&l, a, doc, LEN(doc), NULL), 0);
    cr_assert_eq(l.count, 1);
    cr_expect_str_eq(l.items[0].state, "unhealthy");
    bg_arena_free(a);
}

Test(aws_elbv2, rejects_malformed_wrong_or_idless_answers)
{
    static const char *const docs[] = {
        "",
        "<DescribeTargetHealthResponse><DescribeTargetHealthResult>",
        "not xml at all",
        "<DescribeTargetGroupsResponse/>",
        "<DescribeTargetHealthResponse><DescribeTargetHealthResult><TargetHealthDescriptions>"
        "<member><Target><Port>80</Port></Target></member></TargetHealthDescriptions>"
        "</DescribeTargetHealthResult></DescribeTargetHealthResponse>",
    };
    struct bg_arena *a = bg_arena_new();
    struct bg_aws_target_health_list l;
    struct bg_error err = BG_ERROR_INIT;

    for (size_t i = 0; i < sizeof(docs) / sizeof(docs[0]); i++) {
        cr_expect_eq(bg_aws_elbv2_parse_target_health(&l, a, docs[i], strlen(docs[i]), &err),
                     BG_EPROTO, "doc %zu", i);
        cr_expect_eq(l.count, 0);
    }
    bg_arena_free(a);
}

Test(aws_elbv2, refuses_documents_with_a_dtd_or_entities)
{
    static const char doc[] =
        "<?xml version=\"1.0\"?><!DOCTYPE d [<!ENTITY a \"aaaaaaaaaa\"><!ENTITY b \"&a;&a;&a;\">]>"
        "<DescribeTargetHealthResponse><DescribeTargetHealthResult><TargetHealthDescriptions>"
        "<member><Target><Id>&b;</Id></Target></member></TargetHealthDescriptions>"
        "</DescribeTargetHealthResult></DescribeTargetHealthResponse>";
    static const char ext[] = "<!DOCTYPE d SYSTEM \"http://127.0.0.1:1/x.dtd\"><d/>";
    struct bg_arena *a = bg_arena_new();
    struct bg_aws_target_health_list l;

    cr_expect_eq(bg_aws_elbv2_parse_target_health(&l, a, doc, LEN(doc), NULL), BG_EPROTO);
    cr_expect_eq(bg_aws_elbv2_parse_target_health(&l, a, ext, LEN(ext), NULL), BG_EPROTO);
    bg_arena_free(a);
}

Test(aws_elbv2, refuses_an_oversized_answer_before_parsing)
{
    struct bg_arena *a = bg_arena_new();
    struct bg_aws_target_health_list l;
    struct bg_error err = BG_ERROR_INIT;
    size_t n = BG_AWS_MAX_BODY + 1;
    char *big = calloc(1, n + 1);

    memset(big, ' ', n);
    cr_expect_eq(bg_aws_elbv2_parse_target_health(&l, a, big, n, &err), BG_ELIMIT);
    cr_expect(strstr(err.msg, "limit") != NULL, "%s", err.msg);
    free(big);
    bg_arena_free(a);
}

Test(aws_elbv2, parses_target_groups_and_the_deregistration_delay)
{
    struct bg_arena *a = bg_arena_new();
    struct bg_aws_target_group_list l;
    int delay = 0;

    cr_assert_eq(bg_aws_elbv2_parse_target_groups(&l, a, groups, LEN(groups), NULL), 0);
    cr_assert_eq(l.count, 1);
    cr_expect_str_eq(l.items[0].name, "tg");
    cr_expect_str_eq(l.items[0].protocol, "HTTP");
    cr_expect_str_eq(l.items[0].target_type, "ip");
    cr_expect_eq(l.items[0].port, 80);
    cr_expect_eq(l.items[0].deregistration_delay, -1);
    cr_expect_eq(bg_aws_elbv2_parse_deregistration_delay(&delay, attributes, LEN(attributes), NULL),
                 0);
    cr_expect_eq(delay, 2);
    cr_expect_eq(bg_aws_elbv2_parse_deregistration_delay(
                     &delay, "<DescribeTargetGroupAttributesResponse/>", 40, NULL),
                 0);
    cr_expect_eq(delay, -1, "absent attribute");
    bg_arena_free(a);
}

Test(aws_elbv2, accepts_only_the_acknowledgement_of_the_same_action)
{
    cr_expect_eq(bg_aws_elbv2_parse_ack("RegisterTargets", registered, LEN(registered), NULL), 0);
    cr_expect_eq(bg_aws_elbv2_parse_ack("DeregisterTargets", deregistered, LEN(deregistered), NULL),
                 0);
    cr_expect_eq(bg_aws_elbv2_parse_ack("DeregisterTargets", registered, LEN(registered), NULL),
                 BG_EPROTO);
}

Test(aws_elbv2, parses_both_error_layouts)
{
    static const char response_layout[] =
        "<Response><Errors><Error><Code>Throttling</Code><Message>Rate exceeded</Message>"
        "</Error></Errors><RequestID>r-9</RequestID></Response>";
    struct bg_arena *a = bg_arena_new();
    struct bg_aws_api_error e;

    cr_assert_eq(bg_aws_parse_error(&e, a, not_found, LEN(not_found), NULL), 0);
    cr_expect_str_eq(e.type, "Sender");
    cr_expect_str_eq(e.code, "TargetGroupNotFound");
    cr_expect_str_eq(e.message, "One or more target groups not found");
    cr_expect_str_eq(e.request_id, "r-2");
    cr_assert_eq(bg_aws_parse_error(&e, a, response_layout, LEN(response_layout), NULL), 0);
    cr_expect_str_eq(e.code, "Throttling");
    cr_expect_str_eq(e.type, "");
    cr_expect_str_eq(e.request_id, "r-9");
    cr_expect_eq(bg_aws_parse_error(&e, a, registered, LEN(registered), NULL), BG_EPROTO);
    cr_expect_eq(bg_aws_parse_error(&e, a, "<ErrorResponse><Error/></ErrorResponse>", 38, NULL),
                 BG_EPROTO, "no Code");
    bg_arena_free(a);
}

/* ---- the calls, against the scripted server --------------------------------------------- */

Test(aws_elbv2, describes_target_health_of_a_group)
{
    const struct test_reply r[] = {{200, health3, 0, 0, NULL}};
    struct aws_fixture f;
    struct bg_aws_target_health_list l;

    aws_fixture_setup(&f, BG_AWS_ELBV2, r, 1);
    cr_assert_eq(bg_aws_elbv2_describe_target_health(&l, f.client, f.arena, "arn:tg", &f.err), 0,
                 "%s", f.err.msg);
    cr_expect_eq(l.count, 3);
    test_server_stop(&f.server);
    cr_expect_str_eq(test_body(f.server.requests[0]),
                     "Action=DescribeTargetHealth&Version=2015-12-01&TargetGroupArn=arn%3Atg");
    aws_fixture_teardown(&f);
}

Test(aws_elbv2, registers_and_deregisters_targets_with_optional_ports)
{
    const struct test_reply r[] = {{200, registered, 0, 0, NULL}, {200, deregistered, 0, 0, NULL}};
    const struct bg_aws_target t[] = {{"i-1", 0}, {"10.0.0.2", 8080}};
    struct aws_fixture f;

    aws_fixture_setup(&f, BG_AWS_ELBV2, r, 2);
    cr_expect_eq(bg_aws_elbv2_register_targets(f.client, "arn:tg", t, 2, &f.err), 0, "%s",
                 f.err.msg);
    cr_expect_eq(bg_aws_elbv2_deregister_targets(f.client, "arn:tg", t + 1, 1, &f.err), 0, "%s",
                 f.err.msg);
    test_server_stop(&f.server);
    cr_expect_str_eq(test_body(f.server.requests[0]),
                     "Action=RegisterTargets&Version=2015-12-01&TargetGroupArn=arn%3Atg"
                     "&Targets.member.1.Id=i-1&Targets.member.2.Id=10.0.0.2"
                     "&Targets.member.2.Port=8080");
    cr_expect_str_eq(test_body(f.server.requests[1]),
                     "Action=DeregisterTargets&Version=2015-12-01&TargetGroupArn=arn%3Atg"
                     "&Targets.member.1.Id=10.0.0.2&Targets.member.1.Port=8080");
    aws_fixture_teardown(&f);
}

Test(aws_elbv2, describes_a_target_group_with_its_deregistration_delay)
{
    const struct test_reply r[] = {{200, groups, 0, 0, NULL}, {200, attributes, 0, 0, NULL}};
    struct aws_fixture f;
    struct bg_aws_target_group g;

    aws_fixture_setup(&f, BG_AWS_ELBV2, r, 2);
    cr_assert_eq(bg_aws_elbv2_describe_target_group(&g, f.client, f.arena, "arn:tg", &f.err), 0,
                 "%s", f.err.msg);
    cr_expect_str_eq(g.name, "tg");
    cr_expect_eq(g.deregistration_delay, 2);
    aws_fixture_teardown(&f);
}

Test(aws_elbv2, reports_a_missing_target_group_as_not_found)
{
    static const char empty[] = "<DescribeTargetGroupsResponse><DescribeTargetGroupsResult>"
                                "<TargetGroups/></DescribeTargetGroupsResult>"
                                "</DescribeTargetGroupsResponse>";
    const struct test_reply r[] = {{400, not_found, 0, 0, NULL}, {200, empty, 0, 0, NULL}};
    struct aws_fixture f;
    struct bg_aws_target_group g;

    aws_fixture_setup(&f, BG_AWS_ELBV2, r, 2);
    cr_expect_eq(bg_aws_elbv2_describe_target_group(&g, f.client, f.arena, "arn:tg", &f.err),
                 BG_ENOTFOUND);
    cr_expect(bg_aws_error_is(&f.err, "TargetGroupNotFound"), "%s", f.err.msg);
    cr_expect_eq(bg_aws_elbv2_describe_target_group(&g, f.client, f.arena, "arn:tg", &f.err),
                 BG_ENOTFOUND);
    cr_expect(bg_aws_error_is(&f.err, "TargetGroupNotFound"), "%s", f.err.msg);
    aws_fixture_teardown(&f);
}

Test(aws_elbv2, passes_invalid_target_errors_through)
{
    static const char invalid[] =
        "<ErrorResponse><Error><Type>Sender</Type><Code>InvalidTarget</Code>"
        "<Message>The following targets are not in a running state: i-1</Message></Error>"
        "</ErrorResponse>";
    const struct test_reply r[] = {{400, invalid, 0, 0, NULL}};
    const struct bg_aws_target t[] = {{"i-1", 0}};
    struct aws_fixture f;

    aws_fixture_setup(&f, BG_AWS_ELBV2, r, 1);
    cr_expect_eq(bg_aws_elbv2_register_targets(f.client, "arn:tg", t, 1, &f.err), BG_EINVAL);
    cr_expect_str_eq(f.err.msg, "InvalidTarget: The following targets are not in a running "
                                "state: i-1 (HTTP 400)");
    aws_fixture_teardown(&f);
}
