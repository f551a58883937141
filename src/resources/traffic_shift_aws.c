/*
 * traffic_shift_aws.c - bluegreen_traffic_shift's conversions: DescribeTargetHealth into
 * the planner's shape, AWS errors into diagnostics, and the snapshot and the walk into the
 * resource's `members` and `steps` (the typed layer turns those into values).
 */
#include <string.h>

#include "alarms.h"
#include "bluegreen/provider.h"
#include "traffic_shift.h"

int bg_shift__client(struct bg_aws_client **out, struct bg_call *call)
{
    struct bg_error err = BG_ERROR_INIT;

    if (bg_provider_aws_acquire(out, call->provider, call->log, call->stop, &err) == 0)
        return 0;
    if (err.code == BG_ECANCELED) { /* Ctrl-C while credentials were being fetched */
        bg_diag_error(call->diags, NULL, "Stopped before AWS answered", "%s.", err.msg);
        return err.code;
    }
    bg_diag_error(call->diags, NULL, "AWS access is not configured",
                  "bluegreen_traffic_shift needs AWS: %s. Set it in the provider block "
                  "(region, profile, access_key/secret_key) or through the AWS environment "
                  "variables and shared files.",
                  err.msg);
    return err.code != 0 ? err.code : BG_EINVAL;
}

static const char *summary_of(const struct bg_error *err)
{
    if (bg_aws_error_is(err, "TargetGroupNotFound"))
        return "Target group not found";
    if (bg_aws_error_is(err, "InvalidTarget"))
        return "Invalid target";
    if (err->code == BG_ERETRY)
        return "AWS call failed after retries";
    if (err->code == BG_ECANCELED)
        return "Stopped before AWS answered";
    return "AWS call failed";
}

/* A target group in another region than the provider's is the usual reason for "not found". */
static const char *region_hint(struct bg_call *call, const char *arn)
{
    const char *provider_region = bg_provider_aws_region(call->provider);
    char arn_region[64];

    if (provider_region == NULL || !bg_aws_arn_region(arn_region, sizeof(arn_region), arn) ||
        strcmp(arn_region, provider_region) == 0)
        return "";
    return bg_arena_printf(call->arena,
                           ". The target group ARN is in region %s but the provider uses region "
                           "%s: set region = \"%s\" in the provider block (or use a provider "
                           "alias for that region)",
                           arn_region, provider_region, arn_region);
}

int bg_shift__aws_diag(struct bg_call *call, const char *action, const char *arn,
                       const struct bg_error *err)
{
    const struct bg_path *path = bg_path_attr(call->arena, NULL, "target_group_arn");

    bg_diag_error(call->diags, path, summary_of(err), "%s on %s: %s%s", action, arn, err->msg,
                  err->code == BG_ECANCELED
                      ? ". The target group's membership is the record of progress: the next "
                        "apply continues from it."
                      : region_hint(call, arn));
    return err->code != 0 ? err->code : BG_EPROTO;
}

/* ---- ELBv2 through a real client ------------------------------------------------------- */

static int aws_describe(struct bg_aws_target_health_list *out, void *ctx, struct bg_arena *a,
                        const char *arn, struct bg_error *err)
{
    return bg_aws_elbv2_describe_target_health(out, ctx, a, arn, err);
}

/* Targets per RegisterTargets/DeregisterTargets request. */
#define CHUNK 200

static int aws_change(void *ctx, enum bg_walk_action action, const char *arn,
                      const struct bg_aws_target *targets, size_t n, struct bg_error *err)
{
    int rc = 0;

    for (size_t k = 0; k < n && rc == 0; k += CHUNK) {
        size_t m = n - k < CHUNK ? n - k : CHUNK;

        rc = action == BG_WALK_REGISTER
                 ? bg_aws_elbv2_register_targets(ctx, arn, targets + k, m, err)
                 : bg_aws_elbv2_deregister_targets(ctx, arn, targets + k, m, err);
    }
    return rc;
}

static int aws_alarms(const char **firing, const char **reason, void *ctx, struct bg_arena *a,
                      const char *const *names, size_t n, struct bg_error *err)
{
    struct bg_alarms_state st;
    int rc = bg_alarms__read(&st, a, ctx, names, n, err);

    *firing = st.firing;
    *reason = st.reason;
    return rc;
}

static int aws_drain_delay(int *out, void *ctx, struct bg_arena *a, const char *arn,
                           struct bg_error *err)
{
    struct bg_aws_target_group g;
    int rc = bg_aws_elbv2_describe_target_group(&g, ctx, a, arn, err);

    *out = rc == 0 ? g.deregistration_delay : -1;
    return rc;
}

void bg_shift__env_aws(struct bg_shift_env *out, struct bg_aws_client *c)
{
    out->elbv2.describe = aws_describe;
    out->elbv2.change = aws_change;
    out->elbv2.drain_delay = aws_drain_delay;
    out->elbv2.ctx = c;
    out->clock = bg_clock_system();
    out->cloudwatch.alarms = aws_alarms;
    out->cloudwatch.ctx = c;
}

int bg_shift__describe(struct bg_shift_members *out, struct bg_call *call,
                       const struct bg_shift_elbv2 *e, const char *arn)
{
    struct bg_error err = BG_ERROR_INIT;

    if (bg_shift__describe_quiet(out, call->arena, e, arn, &err) != 0)
        return bg_shift__aws_diag(call, "DescribeTargetHealth", arn, &err);
    return 0;
}

int bg_shift__describe_quiet(struct bg_shift_members *out, struct bg_arena *a,
                             const struct bg_shift_elbv2 *e, const char *arn, struct bg_error *err)
{
    struct bg_aws_target_health_list list;
    size_t i;

    memset(out, 0, sizeof(*out));
    if (e->describe(&list, e->ctx, a, arn, err) != 0)
        return err->code != 0 ? err->code : BG_EPROTO;
    out->items = bg_arena_calloc(a, list.count + 1, sizeof(*out->items));
    out->reasons = bg_arena_calloc(a, list.count + 1, sizeof(*out->reasons));
    for (i = 0; i < list.count; i++) {
        out->items[i].id = list.items[i].id;
        out->items[i].port = list.items[i].port;
        out->items[i].health = list.items[i].health;
        out->items[i].state = list.items[i].state;
        out->reasons[i] =
            *list.items[i].description != '\0' ? list.items[i].description : list.items[i].reason;
    }
    out->n = list.count;
    return 0;
}

int64_t bg_shift__estimate(const struct bg_shift_cfg *cfg, const struct bg_walk_plan *walk,
                           int drain_s)
{
    int64_t total = walk->n_steps > 1 ? (int64_t)(walk->n_steps - 1) * cfg->soak_s : 0;
    size_t i;

    for (i = 0; cfg->wait_for_draining && drain_s > 0 && i < walk->n_steps; i++) {
        if (walk->steps[i].action == BG_WALK_DEREGISTER)
            total += drain_s;
    }
    return total;
}

void bg_shift__walk_input(struct bg_walk_input *out, const struct bg_shift_cfg *cfg,
                          const struct bg_shift_members *m)
{
    struct bg_walk_input in = BG_WALK_INPUT_INIT;

    in.members = m->items;
    in.n_members = m->n;
    in.from = cfg->from;
    in.n_from = cfg->n_from;
    in.to = cfg->to;
    in.n_to = cfg->n_to;
    in.percent = (int)cfg->percent; /* 0..100 (validated) */
    in.exclusive = cfg->exclusive;
    in.batch = cfg->batch_size > 1 ? (size_t)cfg->batch_size : 1;
    *out = in;
}

void bg_shift__set_members(struct bg_shift_cfg *cfg, struct bg_arena *a,
                           const struct bg_shift_members *m)
{
    size_t i;

    cfg->members = bg_arena_calloc(a, m->n + 1, sizeof(*cfg->members));
    for (i = 0; i < m->n; i++) {
        struct bg_shift_member_attr *x = &cfg->members[i];

        x->id = m->items[i].id;
        x->port = m->items[i].port;
        x->port_is = m->items[i].port > 0 ? BG_PRESENCE_KNOWN : BG_PRESENCE_NULL;
        x->state = m->items[i].state != NULL ? m->items[i].state : "";
    }
    cfg->n_members = m->n;
    cfg->members_is = BG_PRESENCE_KNOWN;
}

void bg_shift__set_steps(struct bg_shift_cfg *cfg, struct bg_arena *a, const struct bg_walk_plan *p)
{
    size_t i;

    cfg->steps = bg_arena_calloc(a, p->n_steps + 1, sizeof(*cfg->steps));
    for (i = 0; i < p->n_steps; i++) {
        cfg->steps[i].action = p->steps[i].action;
        cfg->steps[i].target = p->steps[i].target.id;
        cfg->steps[i].percent = p->steps[i].percent;
    }
    cfg->n_steps = p->n_steps;
    cfg->steps_is = BG_PRESENCE_KNOWN;
}

const struct bg_walk_member *bg_shift__member_find(const struct bg_shift_members *m,
                                                   const struct bg_walk_target *t, size_t *index)
{
    size_t i;

    for (i = 0; i < m->n; i++) {
        const struct bg_walk_member *x = &m->items[i];

        if (bg_target_same(x->id, x->port, t->id, t->port)) {
            if (index != NULL)
                *index = i;
            return x;
        }
    }
    return NULL;
}

bool bg_shift__is_registered(const struct bg_walk_member *m)
{
    return m != NULL && bg_target_is_registered(m->health);
}
