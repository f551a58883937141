/*
 * Unit tests for bluegreen_weighted_shift's validation and import
 * (src/resources/weighted_shift.c), run the way the protocol layer runs them, without AWS,
 * and for the reading of its arguments (weighted_shift_aws.c). The walk is covered by
 * weighted_shift_run.c here and tests/e2e/test_weighted_shift.py.
 */
#include <stdio.h>
#include <string.h>

#include <criterion/criterion.h>

#include "bluegreen/codec.h"
#include "resources/weighted_shift.h"

#define ACCT "arn:aws:elasticloadbalancing:us-east-1:123456789012:"
#define LSN  ACCT "listener/app/lb/40d68a902370e5de/674bed709ea8c007"
#define RULE ACCT "listener-rule/app/lb/40d68a902370e5de/674bed709ea8c007/72c62ad36028777d"
#define TG_A ACCT "targetgroup/blue/0123456789abcdef"
#define TG_B ACCT "targetgroup/green/fedcba9876543210"

struct run {
    struct bg_arena *a;
    struct bg_diags d;
    struct bg_value *config;
};

static struct run validate(const char *json)
{
    const struct bg_resource *r = bg_resource_find("bluegreen_weighted_shift");
    struct bg_error err = BG_ERROR_INIT;
    struct bg_logger log = {BG_LOG_OFF, 2};
    struct run run;
    struct bg_call call;

    cr_assert_not_null(r);
    run.a = bg_arena_new();
    bg_diags_init(&run.d, run.a);
    cr_assert_eq(bg_json_decode(&run.config, run.a, json, strlen(json), &err), 0, "%s", err.msg);
    run.config = bg_schema_apply_defaults(run.a, &r->schema->block, run.config);
    call = (struct bg_call){run.a, &run.d, NULL, &log, NULL, NULL};
    bg_schema_validate(&run.d, &r->schema->block, run.config);
    r->validate(&call, run.config);
    return run;
}

static bool mentions(const struct run *run, const char *text)
{
    for (const struct bg_diag *x = run->d.head; x != NULL; x = x->next) {
        if (strstr(x->summary, text) != NULL || (x->detail && strstr(x->detail, text) != NULL))
            return true;
    }
    return false;
}

static void done(struct run *run)
{
    bg_arena_free(run->a);
}

Test(resources_weighted_shift, accepts_a_listener_or_a_rule_with_two_groups)
{
    struct run l = validate("{\"listener_arn\":\"" LSN "\",\"from_target_group_arn\":\"" TG_A
                            "\",\"to_target_group_arn\":\"" TG_B "\"}");
    struct run r = validate("{\"listener_rule_arn\":\"" RULE "\",\"from_target_group_arn\":\"" TG_A
                            "\",\"to_target_group_arn\":\"" TG_B "\",\"alarm_names\":[\"5xx\"]}");

    cr_expect_eq(l.d.count, 0);
    cr_expect_eq(r.d.count, 0);
    done(&l);
    done(&r);
}

Test(resources_weighted_shift, wants_exactly_one_subject_and_two_different_groups)
{
    struct run both =
        validate("{\"listener_arn\":\"" LSN "\",\"listener_rule_arn\":\"" RULE
                 "\",\"from_target_group_arn\":\"" TG_A "\",\"to_target_group_arn\":\"" TG_B "\"}");
    struct run none =
        validate("{\"from_target_group_arn\":\"" TG_A "\",\"to_target_group_arn\":\"" TG_A "\"}");

    cr_expect(mentions(&both, "both are set"));
    cr_expect(mentions(&none, "neither is set"));
    cr_expect(mentions(&none, "Same target group twice"));
    done(&both);
    done(&none);
}

Test(resources_weighted_shift, checks_arn_shapes_schedule_ranges_and_alarm_names)
{
    struct run run = validate("{\"listener_arn\":\"" RULE "\",\"from_target_group_arn\":\"" LSN
                              "\",\"to_target_group_arn\":\"" TG_B "\",\"schedule\":[10,50,25],"
                              "\"percent\":101,\"alarm_names\":[\"\"],\"on_failure\":\"retry\"}");

    cr_expect(mentions(&run, "Invalid listener ARN"));
    cr_expect(mentions(&run, "Invalid target group ARN"));
    cr_expect(mentions(&run, "schedule[2] = 25 does not increase on schedule[1] = 50"));
    cr_expect(mentions(&run, "percent"));
    cr_expect(mentions(&run, "Invalid alarm name"));
    cr_expect(mentions(&run, "rollback_step"));
    cr_expect_eq(run.d.errors, 6);
    done(&run);
}

Test(resources_weighted_shift, refuses_schedule_entries_outside_one_to_a_hundred)
{
    struct run run = validate("{\"listener_arn\":\"" LSN "\",\"from_target_group_arn\":\"" TG_A
                              "\",\"to_target_group_arn\":\"" TG_B "\",\"schedule\":[0,50]}");

    cr_expect(mentions(&run, "schedule[0] = 0 is not between 1 and 100"));
    done(&run);
}

Test(resources_weighted_shift, reads_arguments_with_the_table_defaults)
{
    struct run run =
        validate("{\"listener_rule_arn\":\"" RULE "\",\"from_target_group_arn\":\"" TG_A
                 "\",\"to_target_group_arn\":\"" TG_B
                 "\",\"on_failure\":\"halt\",\"alarm_names\":[\"a\",\"b\"]}");
    struct bg_ws_cfg cfg;
    const char *attr = NULL;

    cr_assert_eq(bg_ws__cfg_read(&cfg, &run.d, run.config), 0);
    cr_expect_null(cfg.unknown);
    cr_expect_null(cfg.listener_arn);
    cr_expect_str_eq(bg_ws__subject(&cfg, &attr), RULE);
    cr_expect_str_eq(attr, "listener_rule_arn");
    cr_expect_eq(cfg.percent, 100);
    cr_assert_eq(cfg.n_schedule, 5);
    cr_expect_eq(cfg.schedule[4], 100);
    cr_expect_eq(cfg.n_alarms, 2);
    cr_expect_eq(cfg.soak_s, 300);
    cr_expect_eq(cfg.health_timeout_s, 600);
    cr_expect_eq(cfg.poll_s, 5);
    cr_expect_eq(cfg.on_failure, BG_WS_HALT);
    cr_expect_eq(cfg.on_destroy, BG_WS_KEEP);
    done(&run);
}

static struct bg_value *import(struct run *run, const char *id)
{
    const struct bg_resource *r = bg_resource_find("bluegreen_weighted_shift");
    struct bg_logger log = {BG_LOG_OFF, 2};
    struct bg_call call;
    struct bg_private priv = {NULL, 0};
    struct bg_value *state = NULL;

    run->a = bg_arena_new();
    bg_diags_init(&run->d, run->a);
    call = (struct bg_call){run->a, &run->d, NULL, &log, NULL, NULL};
    return r->import(&call, id, &state, &priv) == 0 ? state : NULL;
}

Test(resources_weighted_shift, imports_listener_or_rule_with_both_groups)
{
    struct run run;
    struct bg_value *s = import(&run, RULE "," TG_A "," TG_B);

    cr_assert_not_null(s);
    cr_expect_str_eq(bg_value_as_string(bg_value_get(s, "listener_rule_arn")), RULE);
    cr_expect(bg_value_is_null(bg_value_get(s, "listener_arn")));
    cr_expect_str_eq(bg_value_as_string(bg_value_get(s, "to_target_group_arn")), TG_B);
    cr_expect_str_eq(bg_value_as_string(bg_value_get(s, "id")), RULE "," TG_A "," TG_B);
    cr_expect_str_eq(bg_value_as_string(bg_value_get(s, "on_destroy")), "keep");
    done(&run);
}

Test(resources_weighted_shift, refuses_malformed_import_ids)
{
    static const char *const bad[] = {
        LSN, LSN "," TG_A, LSN "," TG_A "," TG_B ",x", TG_A "," TG_A "," TG_B, LSN "," TG_A ",",
        ",,"};

    for (size_t i = 0; i < BG_COUNT(bad); i++) {
        struct run run;

        cr_expect_null(import(&run, bad[i]), "%s", bad[i]);
        cr_expect(mentions(&run, "Invalid import ID"));
        done(&run);
    }
}
