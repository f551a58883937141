/*
 * traffic_shift_aws.c - bluegreen_traffic_shift's conversions: arguments from values,
 * DescribeTargetHealth into the planner's shape, AWS errors into diagnostics, and the
 * computed attributes `members` and `steps` back into values.
 */
#include <string.h>

#include "alarms.h"
#include "bluegreen/provider.h"
#include "traffic_shift.h"

static int64_t int_of(const struct bg_value *v, int64_t fallback)
{
    int64_t n;

    return bg_value_as_int(&n, v) == 0 ? n : fallback;
}

static bool bool_of(const struct bg_value *v, bool fallback)
{
    bool b;

    return bg_value_as_bool(&b, v) == 0 ? b : fallback;
}

static bool str_is(const struct bg_value *v, const char *s)
{
    const char *x = bg_value_as_string(v);

    return x != NULL && strcmp(x, s) == 0;
}

/* A set of {id, port} objects; null port = the group's port (0). */
void bg_shift__read_targets(struct bg_walk_target **out, size_t *n, struct bg_arena *a,
                            const struct bg_value *set)
{
    size_t i, len = set != NULL && set->kind == BG_ARRAY ? set->u.arr.len : 0;

    *out = bg_arena_calloc(a, len + 1, sizeof(**out));
    *n = 0;
    for (i = 0; i < len; i++) {
        const struct bg_value *o = set->u.arr.items[i];
        const char *id = bg_value_as_string(bg_value_get(o, "id"));

        if (id == NULL)
            continue;
        (*out)[*n].id = id;
        (*out)[(*n)++].port = (int)int_of(bg_value_get(o, "port"), 0);
    }
}

static void read_alarms(struct bg_shift_cfg *out, struct bg_arena *a, const struct bg_value *v)
{
    size_t n = bg_value_len(v);

    out->alarm_names = bg_arena_calloc(a, n + 1, sizeof(*out->alarm_names));
    for (size_t i = 0; v != NULL && v->kind == BG_ARRAY && i < n; i++) {
        const char *s = bg_value_as_string(v->u.arr.items[i]);

        if (s != NULL)
            out->alarm_names[out->n_alarms++] = s;
    }
}

bool bg_shift__cfg_read(struct bg_shift_cfg *out, struct bg_arena *a, const struct bg_value *v)
{
    static const char *const walk_args[] = {"target_group_arn", "from_targets", "to_targets",
                                            "percent",          "exclusive",    "batch_size",
                                            "alarm_names"};
    const char *fail;
    size_t i;

    for (i = 0; i < BG_COUNT(walk_args); i++) {
        if (!bg_value_is_wholly_known(bg_value_get(v, walk_args[i])))
            return false;
    }
    memset(out, 0, sizeof(*out));
    out->arn = bg_value_as_string(bg_value_get(v, "target_group_arn"));
    bg_shift__read_targets(&out->from, &out->n_from, a, bg_value_get(v, "from_targets"));
    bg_shift__read_targets(&out->to, &out->n_to, a, bg_value_get(v, "to_targets"));
    out->percent = (int)int_of(bg_value_get(v, "percent"), 100);
    out->soak_s = int_of(bg_value_get(v, "soak_seconds"), 300);
    out->health_timeout_s = int_of(bg_value_get(v, "health_timeout_seconds"), 600);
    out->poll_s = int_of(bg_value_get(v, "poll_interval_seconds"), 5);
    out->wait_for_draining = bool_of(bg_value_get(v, "wait_for_draining"), true);
    out->exclusive = bool_of(bg_value_get(v, "exclusive"), false);
    out->restore_on_destroy = str_is(bg_value_get(v, "on_destroy"), "restore");
    out->batch_size = int_of(bg_value_get(v, "batch_size"), 1);
    read_alarms(out, a, bg_value_get(v, "alarm_names"));
    fail = bg_value_as_string(bg_value_get(v, "on_failure"));
    out->on_failure = BG_SHIFT_ROLLBACK_STEP;
    if (fail != NULL && strcmp(fail, "rollback_all") == 0)
        out->on_failure = BG_SHIFT_ROLLBACK_ALL;
    else if (fail != NULL && strcmp(fail, "halt") == 0)
        out->on_failure = BG_SHIFT_HALT;
    return out->arn != NULL;
}

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
    in.percent = cfg->percent;
    in.exclusive = cfg->exclusive;
    in.batch = cfg->batch_size > 1 ? (size_t)cfg->batch_size : 1;
    *out = in;
}

static struct bg_value *port_value(struct bg_arena *a, int port)
{
    return port > 0 ? bg_value_int(a, port) : bg_value_null(a);
}

struct bg_value *bg_shift__flatten_members(struct bg_arena *a, const struct bg_shift_members *m)
{
    struct bg_value *set = bg_value_array(a, m->n);
    size_t i;

    for (i = 0; i < m->n; i++) {
        struct bg_value *o = bg_value_map(a, 3);

        bg_value_put(a, o, "id", bg_value_string(a, m->items[i].id));
        bg_value_put(a, o, "port", port_value(a, m->items[i].port));
        bg_value_put(a, o, "state",
                     bg_value_string(a, m->items[i].state != NULL ? m->items[i].state : ""));
        bg_value_append(a, set, o);
    }
    return set;
}

struct bg_value *bg_shift__flatten_steps(struct bg_arena *a, const struct bg_walk_plan *p)
{
    struct bg_value *list = bg_value_array(a, p->n_steps);
    size_t i;

    for (i = 0; i < p->n_steps; i++) {
        struct bg_value *o = bg_value_map(a, 3);

        bg_value_put(a, o, "action", bg_value_string(a, bg_walk_action_name(p->steps[i].action)));
        bg_value_put(a, o, "target", bg_value_string(a, p->steps[i].target.id));
        bg_value_put(a, o, "percent", bg_value_int(a, p->steps[i].percent));
        bg_value_append(a, list, o);
    }
    return list;
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
