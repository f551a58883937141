/* elbv2_listeners.c - unit tests for src/aws/elbv2_listeners.c and elbv2_actions.c: listener
 * and rule answers, every action field kept, and the Query parameters written back. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "bluegreen/aws.h"
#include "fixture.h"
#include "support/http_server.h"

#define NS     "xmlns=\"http://elasticloadbalancing.amazonaws.com/doc/2015-12-01/\""
#define META   "<ResponseMetadata><RequestId>r-1</RequestId></ResponseMetadata>"
#define LEN(s) (sizeof(s) - 1)
#define TG_A   "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/a/0000000000000001"
#define TG_B   "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/b/0000000000000002"
#define TG_C   "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/c/0000000000000003"
#define LSN    "arn:aws:elasticloadbalancing:us-east-1:123456789012:listener/app/lb/1/2"

/* As real AWS answers a plain forward: the TargetGroupArn and its one-group ForwardConfig. */
static const char plain[] =
    "<DescribeListenersResponse " NS "><DescribeListenersResult><Listeners><member>"
    "<ListenerArn>" LSN "</ListenerArn><Port>443</Port><Protocol>HTTPS</Protocol>"
    "<Certificates><member><CertificateArn>arn:cert</CertificateArn></member></Certificates>"
    "<DefaultActions><member><Type>forward</Type><TargetGroupArn>" TG_A "</TargetGroupArn>"
    "<ForwardConfig><TargetGroups><member><TargetGroupArn>" TG_A "</TargetGroupArn>"
    "<Weight>1</Weight></member></TargetGroups><TargetGroupStickinessConfig>"
    "<Enabled>false</Enabled></TargetGroupStickinessConfig></ForwardConfig></member>"
    "</DefaultActions></member></Listeners></DescribeListenersResult>" META
    "</DescribeListenersResponse>";

/* Every action type, stickiness, a map, an empty list, an empty string and a field this code
 * has never heard of (nested lists of objects with lists inside). */
static const char rich[] =
    "<DescribeRulesResponse " NS "><DescribeRulesResult><Rules><member>"
    "<RuleArn>arn:rule/1</RuleArn><Priority>10</Priority><IsDefault>false</IsDefault>"
    "<Conditions><member><Field>path-pattern</Field></member></Conditions><Actions>"
    "<member><Type>authenticate-oidc</Type><Order>1</Order><AuthenticateOidcConfig>"
    "<Issuer>https://i</Issuer><ClientId>c</ClientId><SessionTimeout>604800</SessionTimeout>"
    "<AuthenticationRequestExtraParams><entry><key>k1</key><value>v1</value></entry>"
    "<entry><key>k2</key><value>v2</value></entry></AuthenticationRequestExtraParams>"
    "</AuthenticateOidcConfig></member>"
    "<member><Type>jwt-validation</Type><Order>2</Order><JwtValidationConfig>"
    "<Issuer>https://j</Issuer><AdditionalClaims><member><Name>scope</Name><Values>"
    "<member>read</member><member>write</member></Values></member></AdditionalClaims>"
    "</JwtValidationConfig></member>"
    "<member><Type>forward</Type><Order>3</Order><ForwardConfig><TargetGroups>"
    "<member><TargetGroupArn>" TG_A "</TargetGroupArn><Weight>90</Weight></member>"
    "<member><TargetGroupArn>" TG_B "</TargetGroupArn><Weight>10</Weight></member>"
    "<member><TargetGroupArn>" TG_C "</TargetGroupArn></member>"
    "</TargetGroups><TargetGroupStickinessConfig><Enabled>true</Enabled>"
    "<DurationSeconds>300</DurationSeconds></TargetGroupStickinessConfig></ForwardConfig>"
    "</member></Actions></member>"
    "<member><RuleArn>arn:rule/2</RuleArn><Priority>default</Priority><IsDefault>true</IsDefault>"
    "<Actions><member><Type>redirect</Type><RedirectConfig><Protocol>HTTPS</Protocol>"
    "<Port>443</Port><Host>#{host}</Host><Path>/#{path}</Path><Query></Query>"
    "<StatusCode>HTTP_301</StatusCode></RedirectConfig></member>"
    "<member><Type>fixed-response</Type><FixedResponseConfig><MessageBody>no &amp; way"
    "</MessageBody><StatusCode>503</StatusCode><ContentType>text/plain</ContentType>"
    "</FixedResponseConfig><Values/></member></Actions></member>"
    "</Rules></DescribeRulesResult>" META "</DescribeRulesResponse>";

static const char *param(const struct bg_aws_param *p, size_t n, const char *name)
{
    for (size_t i = 0; i < n; i++) {
        if (strcmp(p[i].name, name) == 0)
            return p[i].value;
    }
    return NULL;
}

#define expect_param(p, n, name, want)                                                             \
    do {                                                                                           \
        const char *got_ = param(p, n, name);                                                      \
        cr_expect(got_ != NULL && strcmp(got_, want) == 0, "%s = %s, want %s", name,               \
                  got_ != NULL ? got_ : "(absent)", want);                                         \
    } while (0)

Test(aws_elbv2_listeners, parses_a_plain_forward_with_its_echoed_forward_config)
{
    struct bg_arena *a = bg_arena_new();
    struct bg_aws_listener_list l;
    struct bg_error err = BG_ERROR_INIT;
    const struct bg_aws_action *act;

    cr_assert_eq(bg_aws_elbv2_parse_listeners(&l, a, "DescribeListeners", plain, LEN(plain), &err),
                 0, "%s", err.msg);
    cr_assert_eq(l.count, 1);
    cr_expect_str_eq(l.items[0].arn, LSN);
    cr_expect_eq(l.items[0].port, 443);
    cr_assert_eq(l.items[0].actions.count, 1);
    act = &l.items[0].actions.items[0];
    cr_expect_str_eq(act->type, "forward");
    cr_expect_eq(act->order, -1);
    cr_expect_str_eq(act->target_group_arn, TG_A);
    cr_expect(act->forward_config);
    cr_assert_eq(act->n_groups, 1);
    cr_expect_eq(act->groups[0].weight, 1);
    cr_assert_eq(act->n_fields, 1, "only the stickiness is left over");
    cr_expect_str_eq(act->fields[0].name, "ForwardConfig.TargetGroupStickinessConfig.Enabled");
    bg_arena_free(a);
}

Test(aws_elbv2_listeners, keeps_every_field_of_every_action_type)
{
    struct bg_arena *a = bg_arena_new();
    struct bg_aws_rule_list l;
    struct bg_error err = BG_ERROR_INIT;
    const struct bg_aws_action *oidc, *jwt, *fwd;

    cr_assert_eq(bg_aws_elbv2_parse_rules(&l, a, "DescribeRules", rich, LEN(rich), &err), 0, "%s",
                 err.msg);
    cr_assert_eq(l.count, 2);
    cr_expect_str_eq(l.items[0].priority, "10");
    cr_expect_not(l.items[0].is_default);
    cr_expect(l.items[1].is_default);
    cr_assert_eq(l.items[0].actions.count, 3);
    oidc = &l.items[0].actions.items[0];
    jwt = &l.items[0].actions.items[1];
    fwd = &l.items[0].actions.items[2];
    cr_expect_eq(oidc->order, 1);
    expect_param(oidc->fields, oidc->n_fields, "AuthenticateOidcConfig.SessionTimeout", "604800");
    expect_param(oidc->fields, oidc->n_fields,
                 "AuthenticateOidcConfig.AuthenticationRequestExtraParams.entry.2.value", "v2");
    expect_param(jwt->fields, jwt->n_fields,
                 "JwtValidationConfig.AdditionalClaims.member.1.Values.member.2", "write");
    expect_param(jwt->fields, jwt->n_fields, "JwtValidationConfig.AdditionalClaims.member.1.Name",
                 "scope");
    cr_assert_eq(fwd->n_groups, 3);
    cr_expect_eq(fwd->groups[1].weight, 10);
    cr_expect_eq(fwd->groups[2].weight, 1, "an absent Weight is the API's default 1");
    cr_expect_null(fwd->target_group_arn);
    expect_param(fwd->fields, fwd->n_fields,
                 "ForwardConfig.TargetGroupStickinessConfig.DurationSeconds", "300");
    bg_arena_free(a);
}

Test(aws_elbv2_listeners, writes_actions_back_exactly_as_described)
{
    struct bg_arena *a = bg_arena_new();
    struct bg_aws_rule_list l;
    struct bg_error err = BG_ERROR_INIT;
    struct bg_aws_param *p;
    size_t n;

    cr_assert_eq(bg_aws_elbv2_parse_rules(&l, a, "DescribeRules", rich, LEN(rich), &err), 0);
    p = bg_aws_elbv2_action_params(&n, a, "Actions", &l.items[0].actions);
    expect_param(p, n, "Actions.member.1.Type", "authenticate-oidc");
    expect_param(p, n, "Actions.member.1.Order", "1");
    expect_param(p, n, "Actions.member.1.AuthenticateOidcConfig.Issuer", "https://i");
    expect_param(p, n, "Actions.member.1.AuthenticateOidcConfig.UseExistingClientSecret", "true");
    expect_param(p, n,
                 "Actions.member.1.AuthenticateOidcConfig.AuthenticationRequestExtraParams"
                 ".entry.1.key",
                 "k1");
    expect_param(p, n,
                 "Actions.member.2.JwtValidationConfig.AdditionalClaims.member.1.Values"
                 ".member.1",
                 "read");
    expect_param(p, n, "Actions.member.3.ForwardConfig.TargetGroups.member.3.TargetGroupArn", TG_C);
    expect_param(p, n, "Actions.member.3.ForwardConfig.TargetGroups.member.1.Weight", "90");
    expect_param(p, n, "Actions.member.3.ForwardConfig.TargetGroupStickinessConfig.Enabled",
                 "true");
    cr_expect_null(param(p, n, "Actions.member.3.TargetGroupArn"));
    cr_expect_eq(n, 26, "nothing invented, nothing lost: %zu parameters", n);

    p = bg_aws_elbv2_action_params(&n, a, "Actions", &l.items[1].actions);
    expect_param(p, n, "Actions.member.1.RedirectConfig.Query", "");
    expect_param(p, n, "Actions.member.1.RedirectConfig.Host", "#{host}");
    expect_param(p, n, "Actions.member.2.FixedResponseConfig.StatusCode", "503");
    cr_expect_null(param(p, n, "Actions.member.2.Values"), "an empty list is not a string");
    cr_expect_null(param(p, n, "Actions.member.1.Order"), "no Order invented");
    bg_arena_free(a);
}

Test(aws_elbv2_listeners, sends_the_target_group_arn_only_when_aws_accepts_it)
{
    struct bg_arena *a = bg_arena_new();
    struct bg_aws_tg_weight two[] = {{TG_A, 90}, {TG_B, 10}};
    struct bg_aws_action act = {"forward", -1, TG_A, false, NULL, 0, NULL, 0};
    struct bg_aws_actions acts = {&act, 1};
    struct bg_aws_param *p;
    size_t n;

    p = bg_aws_elbv2_action_params(&n, a, "DefaultActions", &acts);
    cr_expect_eq(n, 2);
    expect_param(p, n, "DefaultActions.member.1.TargetGroupArn", TG_A);
    act.forward_config = true;
    act.groups = two;
    act.n_groups = 2;
    p = bg_aws_elbv2_action_params(&n, a, "DefaultActions", &acts);
    cr_expect_null(param(p, n, "DefaultActions.member.1.TargetGroupArn"),
                   "a weighted ForwardConfig replaces the plain forward");
    expect_param(p, n, "DefaultActions.member.1.ForwardConfig.TargetGroups.member.2.Weight", "10");
    act.n_groups = 1;
    p = bg_aws_elbv2_action_params(&n, a, "DefaultActions", &acts);
    expect_param(p, n, "DefaultActions.member.1.TargetGroupArn", TG_A);
    bg_arena_free(a);
}

Test(aws_elbv2_listeners, keeps_a_given_client_secret_instead_of_reusing_the_stored_one)
{
    struct bg_arena *a = bg_arena_new();
    struct bg_aws_param f[] = {{"AuthenticateOidcConfig.ClientSecret", "s"},
                               {"AuthenticateOidcConfig.UseExistingClientSecret", "false"}};
    struct bg_aws_action act = {"authenticate-oidc", 1, NULL, false, NULL, 0, f, 2};
    struct bg_aws_actions acts = {&act, 1};
    struct bg_aws_param *p;
    size_t n;

    p = bg_aws_elbv2_action_params(&n, a, "Actions", &acts);
    expect_param(p, n, "Actions.member.1.AuthenticateOidcConfig.UseExistingClientSecret", "false");
    cr_expect_eq(n, 4);
    bg_arena_free(a);
}

Test(aws_elbv2_listeners, rejects_actions_without_type_group_arns_or_too_deep)
{
    static const char *const bad[] = {
        "<DescribeListenersResponse><DescribeListenersResult><Listeners><member>"
        "<ListenerArn>x</ListenerArn><DefaultActions><member><Order>1</Order></member>"
        "</DefaultActions></member></Listeners></DescribeListenersResult>"
        "</DescribeListenersResponse>",
        "<DescribeListenersResponse><DescribeListenersResult><Listeners><member>"
        "<ListenerArn>x</ListenerArn><DefaultActions><member><Type>forward</Type><ForwardConfig>"
        "<TargetGroups><member><Weight>1</Weight></member></TargetGroups></ForwardConfig>"
        "</member></DefaultActions></member></Listeners></DescribeListenersResult>"
        "</DescribeListenersResponse>",
        "<DescribeListenersResponse><DescribeListenersResult><Listeners><member><Port>80</Port>"
        "</member></Listeners></DescribeListenersResult></DescribeListenersResponse>",
        "<DescribeListenersResponse><DescribeListenersResult><Listeners><member>"
        "<ListenerArn>x</ListenerArn><DefaultActions><member><Type>t</Type>"
        "<a><b><c><d><e><f><g><h><i><j><k><l><m><n><o><p><q>deep</q></p></o></n></m></l></k>"
        "</j></i></h></g></f></e></d></c></b></a></member></DefaultActions></member>"
        "</Listeners></DescribeListenersResult></DescribeListenersResponse>",
        "<DescribeRulesResponse/>",
    };
    struct bg_arena *a = bg_arena_new();
    struct bg_aws_listener_list l;
    struct bg_error err = BG_ERROR_INIT;

    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        cr_expect_eq(
            bg_aws_elbv2_parse_listeners(&l, a, "DescribeListeners", bad[i], strlen(bad[i]), &err),
            BG_EPROTO, "case %zu", i);
        cr_expect_eq(l.count, 0);
    }
    bg_arena_free(a);
}

Test(aws_elbv2_listeners, bounds_the_fields_of_one_action)
{
    struct bg_arena *a = bg_arena_new();
    struct bg_aws_listener_list l;
    struct bg_error err = BG_ERROR_INIT;
    char *doc = bg_arena_printf(a, "%s",
                                "<DescribeListenersResponse><DescribeListenersResult>"
                                "<Listeners><member><ListenerArn>x</ListenerArn>"
                                "<DefaultActions><member><Type>t</Type><X>");

    for (int i = 0; i < 1100; i++)
        doc = bg_arena_printf(a, "%s<member>%d</member>", doc, i);
    doc = bg_arena_printf(a,
                          "%s</X></member></DefaultActions></member></Listeners>"
                          "</DescribeListenersResult></DescribeListenersResponse>",
                          doc);
    cr_expect_eq(bg_aws_elbv2_parse_listeners(&l, a, "DescribeListeners", doc, strlen(doc), &err),
                 BG_EPROTO);
    cr_expect(strstr(err.msg, "fields") != NULL, "%s", err.msg);
    bg_arena_free(a);
}

/* ---- calls against the scripted server ------------------------------------------------- */

static const char modified[] =
    "<ModifyListenerResponse " NS "><ModifyListenerResult><Listeners><member>"
    "<ListenerArn>" LSN "</ListenerArn><DefaultActions><member><Type>forward</Type>"
    "<ForwardConfig><TargetGroups><member><TargetGroupArn>" TG_A "</TargetGroupArn>"
    "<Weight>75</Weight></member><member><TargetGroupArn>" TG_B "</TargetGroupArn>"
    "<Weight>25</Weight></member></TargetGroups></ForwardConfig></member></DefaultActions>"
    "</member></Listeners></ModifyListenerResult>" META "</ModifyListenerResponse>";

Test(aws_elbv2_listeners, modifies_a_listener_with_the_whole_list_of_actions)
{
    const struct test_reply r[] = {{200, plain, 0, 0, NULL}, {200, modified, 0, 0, NULL}};
    struct bg_aws_tg_weight two[] = {{TG_A, 75}, {TG_B, 25}};
    struct bg_aws_listener l, after;
    struct aws_fixture f;
    const char *body;

    aws_fixture_setup(&f, BG_AWS_ELBV2, r, 2);
    cr_assert_eq(bg_aws_elbv2_describe_listener(&l, f.client, f.arena, LSN, &f.err), 0, "%s",
                 f.err.msg);
    l.actions.items[0].groups = two;
    l.actions.items[0].n_groups = 2;
    cr_assert_eq(bg_aws_elbv2_modify_listener(&after, f.client, f.arena, LSN, &l.actions, &f.err),
                 0, "%s", f.err.msg);
    cr_expect_eq(after.actions.items[0].groups[1].weight, 25);
    test_server_stop(&f.server);
    cr_expect(strstr(test_body(f.server.requests[0]),
                     "Action=DescribeListeners&Version=2015-12-01&ListenerArns.member.1=") != NULL);
    body = test_body(f.server.requests[1]);
    cr_expect(strstr(body, "Action=ModifyListener&Version=2015-12-01&ListenerArn=arn%3Aaws") !=
              NULL);
    cr_expect(strstr(body, "&DefaultActions.member.1.Type=forward&") != NULL, "%s", body);
    cr_expect(strstr(body, "DefaultActions.member.1.ForwardConfig.TargetGroups.member.2.Weight="
                           "25") != NULL,
              "%s", body);
    cr_expect(strstr(body, "DefaultActions.member.1.ForwardConfig.TargetGroupStickinessConfig."
                           "Enabled=false") != NULL,
              "%s", body);
    cr_expect(strstr(body, "Certificates") == NULL, "certificates are left alone: %s", body);
    aws_fixture_teardown(&f);
}

Test(aws_elbv2_listeners, reports_missing_listeners_and_rules_as_not_found)
{
    static const char none[] = "<DescribeRulesResponse><DescribeRulesResult><Rules/>"
                               "</DescribeRulesResult></DescribeRulesResponse>";
    static const char gone[] = "<ErrorResponse><Error><Type>Sender</Type>"
                               "<Code>ListenerNotFound</Code><Message>One or more listeners not "
                               "found</Message></Error></ErrorResponse>";
    const struct test_reply r[] = {{400, gone, 0, 0, NULL}, {200, none, 0, 0, NULL}};
    struct bg_aws_listener l;
    struct bg_aws_rule rule;
    struct aws_fixture f;

    aws_fixture_setup(&f, BG_AWS_ELBV2, r, 2);
    cr_expect_eq(bg_aws_elbv2_describe_listener(&l, f.client, f.arena, LSN, &f.err), BG_ENOTFOUND);
    cr_expect(bg_aws_error_is(&f.err, "ListenerNotFound"), "%s", f.err.msg);
    cr_expect_eq(bg_aws_elbv2_describe_rule(&rule, f.client, f.arena, "arn:r", &f.err),
                 BG_ENOTFOUND);
    cr_expect(bg_aws_error_is(&f.err, "RuleNotFound"), "%s", f.err.msg);
    aws_fixture_teardown(&f);
}

Test(aws_elbv2_listeners, modifies_only_the_actions_of_a_rule)
{
    static const char ok[] = "<ModifyRuleResponse><ModifyRuleResult><Rules><member>"
                             "<RuleArn>arn:rule/1</RuleArn><Actions/></member></Rules>"
                             "</ModifyRuleResult></ModifyRuleResponse>";
    const struct test_reply r[] = {{200, rich, 0, 0, NULL}, {200, ok, 0, 0, NULL}};
    struct bg_aws_rule rule;
    struct aws_fixture f;
    const char *body;

    aws_fixture_setup(&f, BG_AWS_ELBV2, r, 2);
    cr_assert_eq(bg_aws_elbv2_describe_rule(&rule, f.client, f.arena, "arn:rule/1", &f.err), 0,
                 "%s", f.err.msg);
    cr_assert_eq(bg_aws_elbv2_modify_rule(NULL, f.client, f.arena, rule.arn, &rule.actions, &f.err),
                 0, "%s", f.err.msg);
    test_server_stop(&f.server);
    body = test_body(f.server.requests[1]);
    cr_expect(strncmp(body, "Action=ModifyRule&Version=2015-12-01&RuleArn=arn%3Arule%2F1&", 60) ==
                  0,
              "%s", body);
    cr_expect(strstr(body, "Conditions") == NULL, "conditions stay as they are: %s", body);
    cr_expect(strstr(body, "Priority") == NULL, "%s", body);
    cr_expect(strstr(body, "Actions.member.3.ForwardConfig.TargetGroups.member.1.Weight=90") !=
              NULL);
    aws_fixture_teardown(&f);
}
