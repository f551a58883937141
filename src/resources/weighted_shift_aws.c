/*
 * weighted_shift_aws.c - the real world of bluegreen_weighted_shift's executor: the system
 * clock, the call's stop flag, and ELBv2 and CloudWatch through one borrowed client.
 *
 * Each poll of a soak works in a scratch arena freed at once, so a walk of many long soaks
 * does not grow the call's arena; only what a diagnostic needs is copied out.
 */
#include <stdio.h>
#include <string.h>

#include "alarms.h"
#include "bluegreen/provider.h"
#include "bluegreen/target.h"
#include "weighted_shift.h"

const char *bg_ws__subject(const struct bg_ws_cfg *cfg, const char **attr)
{
    if (attr != NULL)
        *attr = cfg->listener_arn != NULL ? "listener_arn" : "listener_rule_arn";
    return cfg->listener_arn != NULL ? cfg->listener_arn : cfg->rule_arn;
}

int bg_ws__client(struct bg_aws_client **out, struct bg_call *call)
{
    struct bg_error err = BG_ERROR_INIT;

    if (bg_provider_aws_acquire(out, call->provider, call->log, call->stop, &err) == 0)
        return 0;
    bg_diag_error(call->diags, NULL, "AWS access is not configured",
                  "bluegreen_weighted_shift needs AWS: %s. Set it in the provider block "
                  "(region, profile, access_key/secret_key) or through the AWS environment "
                  "variables and shared files.",
                  err.msg);
    return err.code != 0 ? err.code : BG_EINVAL;
}

int bg_ws__aws_diag(struct bg_call *call, const struct bg_ws_cfg *cfg, const char *action,
                    const struct bg_error *err)
{
    const char *attr = NULL, *arn = bg_ws__subject(cfg, &attr);

    bg_diag_error(call->diags, bg_path_attr(call->arena, NULL, attr),
                  err->code == BG_ENOTFOUND ? "Listener or rule not found" : "AWS call failed",
                  "%s on %s: %s", action, arn, err->msg);
    return err->code != 0 ? err->code : BG_EPROTO;
}

int bg_ws__describe(struct bg_aws_actions *out, struct bg_arena *a, struct bg_aws_client *c,
                    const struct bg_ws_cfg *cfg, struct bg_error *err)
{
    struct bg_aws_listener l;
    struct bg_aws_rule r;
    int rc;

    memset(out, 0, sizeof(*out));
    if (cfg->listener_arn != NULL) {
        rc = bg_aws_elbv2_describe_listener(&l, c, a, cfg->listener_arn, err);
        if (rc == 0)
            *out = l.actions;
        return rc;
    }
    rc = bg_aws_elbv2_describe_rule(&r, c, a, cfg->rule_arn, err);
    if (rc == 0)
        *out = r.actions;
    return rc;
}

int bg_ws__share(int *out, struct bg_call *call, struct bg_aws_client *c,
                 const struct bg_ws_cfg *cfg)
{
    struct bg_error err = BG_ERROR_INIT;
    struct bg_aws_actions acts;
    struct bg_weights_pair p;
    const char *attr = NULL, *arn = bg_ws__subject(cfg, &attr);

    *out = 0;
    if (bg_ws__describe(&acts, call->arena, c, cfg, &err) != 0)
        return bg_ws__aws_diag(call, cfg, cfg->listener_arn ? "DescribeListeners" : "DescribeRules",
                               &err);
    if (bg_weights_find(&p, &acts, cfg->from, cfg->to, &err) != 0) {
        bg_diag_error(call->diags, bg_path_attr(call->arena, NULL, attr),
                      "No forward action to shift",
                      "%s: %s. The walk moves weight between the two target groups of one "
                      "forward action; add from_target_group_arn to it first.",
                      arn, err.msg);
        return err.code;
    }
    *out = p.share;
    return 0;
}

int bg_ws__check_alarms(struct bg_call *call, struct bg_aws_client *c, const struct bg_ws_cfg *cfg)
{
    return bg_alarms__check_exist(call, c, cfg->alarm_names, cfg->n_alarms);
}

/* ---- the world -------------------------------------------------------------------------- */

struct world {
    struct bg_call *call;
    struct bg_aws_client *c;
    const struct bg_ws_cfg *cfg;
};

static void real_progress(void *ctx, const char *fields, const char *message)
{
    const struct world *w = ctx;

    bg_log(w->call->log, BG_LOG_INFO, "weighted_shift", fields, "%s", message);
}

static bool is_failing(enum bg_target_health h)
{
    return h == BG_TARGET_UNHEALTHY || h == BG_TARGET_UNAVAILABLE ||
           h == BG_TARGET_UNHEALTHY_DRAINING;
}

static void tally(struct bg_ws_health *out, struct bg_arena *keep,
                  const struct bg_aws_target_health *t)
{
    enum bg_target_health h = bg_target_health_parse(t->state);

    if (!bg_target_is_registered(h))
        return;
    out->registered++;
    if (h == BG_TARGET_HEALTHY) {
        out->healthy++;
        return;
    }
    out->failing += is_failing(h);
    /* name a failing target rather than one still in its initial checks */
    if (out->example[0] == '\0' || is_failing(h)) {
        out->example = bg_arena_strdup(keep, t->id);
        out->state = bg_arena_strdup(keep, t->state);
        out->reason = bg_arena_strdup(keep, t->description[0] != '\0' ? t->description : t->reason);
    }
}

static int real_health(void *ctx, const char *tg, struct bg_ws_health *out, struct bg_error *err)
{
    const struct world *w = ctx;
    struct bg_arena *scratch = bg_arena_new();
    struct bg_aws_target_health_list l;
    int rc;

    memset(out, 0, sizeof(*out));
    out->example = out->state = out->reason = "";
    rc = bg_aws_elbv2_describe_target_health(&l, w->c, scratch, tg, err);
    for (size_t i = 0; rc == 0 && i < l.count; i++)
        tally(out, w->call->arena, &l.items[i]);
    bg_arena_free(scratch);
    return rc;
}

static int real_alarms(void *ctx, struct bg_ws_alarms *out, struct bg_error *err)
{
    const struct world *w = ctx;
    struct bg_alarms_state st;
    int rc = bg_alarms__read(&st, w->call->arena, w->c, w->cfg->alarm_names, w->cfg->n_alarms, err);

    out->firing = st.firing;
    out->reason = st.reason;
    return rc;
}

/* Read, check, rewrite, write: ModifyListener/ModifyRule replace every action, so the
 * actions written are the ones just read with only the pair's weights changed. */
static int real_set_share(void *ctx, int expect, int share, struct bg_error *err)
{
    const struct world *w = ctx;
    struct bg_arena *scratch = bg_arena_new();
    struct bg_aws_actions now, next;
    struct bg_weights_pair p;
    const char *arn = bg_ws__subject(w->cfg, NULL);
    int rc;

    rc = bg_ws__describe(&now, scratch, w->c, w->cfg, err);
    if (rc == 0)
        rc = bg_weights_find(&p, &now, w->cfg->from, w->cfg->to, err);
    if (rc == 0 && p.share != expect)
        rc = bg_error_set(err, BG_ECONFLICT,
                          "%s gives to_target_group_arn %d%% of the pair's weights, the walk "
                          "left %d%%; someone else changed them. Nothing was changed; run "
                          "terraform plan again",
                          arn, p.share, expect);
    if (rc == 0)
        rc = bg_weights_apply(&next, scratch, &now, w->cfg->from, w->cfg->to, share, err);
    if (rc == 0 && w->cfg->listener_arn != NULL)
        rc = bg_aws_elbv2_modify_listener(NULL, w->c, scratch, arn, &next, err);
    else if (rc == 0)
        rc = bg_aws_elbv2_modify_rule(NULL, w->c, scratch, arn, &next, err);
    bg_arena_free(scratch);
    return rc;
}

void bg_ws__world(struct bg_ws_world *out, struct bg_call *call, struct bg_aws_client *c,
                  const struct bg_ws_cfg *cfg)
{
    struct world *w = bg_arena_calloc(call->arena, 1, sizeof(*w));

    w->call = call;
    w->c = c;
    w->cfg = cfg;
    *out = (struct bg_ws_world){w,           bg_clock_system(), call->stop,   real_health,
                                real_alarms, real_set_share,    real_progress};
}
