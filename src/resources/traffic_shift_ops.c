/*
 * traffic_shift_ops.c - bluegreen_traffic_shift's lifecycle: plan (the walk from the
 * refreshed membership), apply (execute it), destroy (keep or restore) and read (membership,
 * drift warnings).
 *
 * `steps` is "the walk this change takes": planned from AWS, kept in state as the walk last
 * taken. `members` and `current_percent` are unknown in a plan that walks (an interrupted
 * walk returns whatever membership it reached without breaking Terraform's consistency
 * rules) and carried over unchanged when there is nothing to do, so the plan is empty.
 */
#include <string.h>

#include "alarms.h"
#include "bluegreen/provider.h"
#include "traffic_shift.h"

/* Membership and the walk from it. */
static int survey(struct bg_shift_members *m, struct bg_walk_plan *walk, struct bg_call *call,
                  const struct bg_shift_env *env, const struct bg_shift_cfg *cfg)
{
    struct bg_error err = BG_ERROR_INIT;
    struct bg_walk_input in;

    if (bg_shift__describe(m, call, &env->elbv2, cfg->arn) != 0)
        return BG_EPROTO;
    bg_shift__walk_input(&in, cfg, m);
    if (bg_walk_plan(walk, call->arena, &in, &err) != 0)
        return bg_diag_from_error(call->diags, NULL, "Cannot plan the walk", &err);
    return 0;
}

/* A to_target registered but never seen healthy (an interrupted health gate) is unfinished
 * work even when no step is left. */
static bool gate_pending(const struct bg_shift_cfg *cfg, const struct bg_shift_members *m)
{
    size_t i;

    for (i = 0; i < cfg->n_to; i++) {
        const struct bg_walk_member *x = bg_shift__member_find(m, &cfg->to[i], NULL);

        if (bg_shift__is_registered(x) && x->health != BG_TARGET_HEALTHY)
            return true;
    }
    return false;
}

static bool is_managed(const struct bg_shift_cfg *cfg, const struct bg_walk_member *x)
{
    struct bg_shift_members one = {(struct bg_walk_member *)x, NULL, 1};
    size_t i;

    for (i = 0; i < cfg->n_from; i++) {
        if (bg_shift__member_find(&one, &cfg->from[i], NULL) != NULL)
            return true;
    }
    for (i = 0; i < cfg->n_to; i++) {
        if (bg_shift__member_find(&one, &cfg->to[i], NULL) != NULL)
            return true;
    }
    return false;
}

static void warn_foreign(struct bg_call *call, const struct bg_shift_cfg *cfg,
                         const struct bg_shift_members *m)
{
    char *list = NULL;
    size_t i;

    for (i = 0; !cfg->exclusive && i < m->n; i++) {
        if (bg_shift__is_registered(&m->items[i]) && !is_managed(cfg, &m->items[i]))
            list = bg_arena_printf(call->arena, "%s%s%s", list != NULL ? list : "",
                                   list != NULL ? ", " : "", m->items[i].id);
    }
    if (list != NULL)
        bg_diag_warn(call->diags, bg_path_attr(call->arena, NULL, "target_group_arn"),
                     "Targets outside from_targets and to_targets",
                     "%s registered in %s but in neither set: left alone and not counted "
                     "towards percent. Set exclusive = true to deregister them.",
                     list, cfg->arn);
}

/* estimated_duration_seconds of walk. The deregistration delay is looked up only when a
 * deregister will wait for draining; if the lookup fails only the soaks are counted. */
static void set_estimate(struct bg_shift_cfg *cfg, struct bg_call *call,
                         const struct bg_shift_env *env, const struct bg_walk_plan *walk)
{
    struct bg_error err = BG_ERROR_INIT;
    int drain = -1;
    size_t i;

    for (i = 0; cfg->wait_for_draining && i < walk->n_steps; i++) {
        if (walk->steps[i].action != BG_WALK_DEREGISTER)
            continue;
        if (env->elbv2.drain_delay(&drain, env->elbv2.ctx, call->arena, cfg->arn, &err) != 0)
            bg_log(call->log, BG_LOG_DEBUG, "traffic_shift", NULL,
                   "deregistration delay of %s unknown (%s): the estimate counts soaks only",
                   cfg->arn, err.msg);
        break;
    }
    cfg->estimate_s = bg_shift__estimate(cfg, walk, drain);
    cfg->estimate_is = BG_PRESENCE_KNOWN;
}

/* cfg's computed attributes for the plan. Nothing to do: they keep what the generic plan
 * carried over from state, so the plan stays empty. */
static int plan_with(struct bg_shift_cfg *cfg, struct bg_call *call, const struct bg_plan_req *req,
                     const struct bg_shift_env *env)
{
    struct bg_walk_plan walk;
    struct bg_shift_members m;
    int rc = survey(&m, &walk, call, env, cfg);

    if (rc != 0)
        return rc;
    warn_foreign(call, cfg, &m);
    if (req->prior != NULL && !bg_value_is_null(req->prior) && walk.n_steps == 0 &&
        !gate_pending(cfg, &m))
        return 0;
    bg_shift__set_steps(cfg, call->arena, &walk);
    set_estimate(cfg, call, env, &walk);
    cfg->members_is = BG_PRESENCE_UNKNOWN;
    cfg->current_percent_is = BG_PRESENCE_UNKNOWN;
    return 0;
}

int bg_shift__plan(struct bg_call *call, struct bg_plan_req *req)
{
    struct bg_aws_client *c = NULL;
    struct bg_shift_env env;
    struct bg_shift_cfg cfg;
    int rc;

    /* Terraform plans a destroy through the provider only when it advertises plan_destroy,
     * which this provider does not: nothing to add here. */
    if (req->destroy)
        return 0;
    if (bg_shift__cfg_read(&cfg, call->diags, req->planned) != 0)
        return BG_EINVAL;
    if (cfg.unknown != NULL) { /* arguments known only after apply: so is the walk */
        cfg.steps_is = cfg.members_is = BG_PRESENCE_UNKNOWN;
        cfg.current_percent_is = cfg.estimate_is = BG_PRESENCE_UNKNOWN;
        req->planned = bg_shift__flatten(call->arena, &cfg, req->planned);
        return 0;
    }
    cfg.id = cfg.arn;
    cfg.id_is = BG_PRESENCE_KNOWN;
    if (bg_shift__client(&c, call) != 0)
        return BG_EINVAL;
    bg_shift__env_aws(&env, c);
    rc = plan_with(&cfg, call, req, &env);
    if (rc == 0)
        rc = bg_alarms__check_exist(call, c, cfg.alarm_names, cfg.n_alarms);
    bg_provider_aws_release(call->provider, c);
    req->planned = bg_shift__flatten(call->arena, &cfg, req->planned);
    return rc;
}

/* The state after a walk: the membership reached, and the walk and its estimate unless the
 * plan already holds them. */
static struct bg_value *state_after(struct bg_shift_cfg *cfg, struct bg_call *call,
                                    const struct bg_apply_req *req, const struct bg_shift_env *env,
                                    const struct bg_shift_members *m,
                                    const struct bg_walk_plan *walk)
{
    struct bg_walk_input in;

    bg_shift__walk_input(&in, cfg, m);
    cfg->id = cfg->arn;
    cfg->id_is = BG_PRESENCE_KNOWN;
    if (cfg->steps_is != BG_PRESENCE_KNOWN)
        bg_shift__set_steps(cfg, call->arena, walk);
    if (cfg->estimate_is != BG_PRESENCE_KNOWN)
        set_estimate(cfg, call, env, walk);
    bg_shift__set_members(cfg, call->arena, m);
    cfg->current_percent = bg_walk_percent(&in);
    cfg->current_percent_is = BG_PRESENCE_KNOWN;
    return bg_shift__flatten(call->arena, cfg, req->planned);
}

static bool same_steps(const struct bg_shift_cfg *cfg, const struct bg_walk_plan *walk)
{
    size_t i;

    if (cfg->n_steps != walk->n_steps)
        return false;
    for (i = 0; i < walk->n_steps; i++) {
        const struct bg_shift_step_attr *s = &cfg->steps[i];

        if (s->action != walk->steps[i].action || s->percent != walk->steps[i].percent ||
            s->target == NULL || strcmp(s->target, walk->steps[i].target.id) != 0)
            return false;
    }
    return true;
}

/* The reviewed walk must be the walk taken: if the membership moved between plan and apply,
 * refuse and let the next plan show the new walk. */
static int check_matches_plan(struct bg_call *call, const struct bg_shift_cfg *cfg,
                              const struct bg_walk_plan *walk)
{
    if (cfg->steps_is != BG_PRESENCE_KNOWN || same_steps(cfg, walk))
        return 0;
    bg_diag_error(call->diags, bg_path_attr(call->arena, NULL, "steps"),
                  "Target group changed since the plan",
                  "The target group's membership changed after this plan was made, so the "
                  "planned steps are no longer the walk to take. Nothing was changed; run "
                  "terraform plan again.");
    return BG_ECONFLICT;
}

static int apply_with(struct bg_shift_cfg *cfg, struct bg_call *call, struct bg_apply_req *req,
                      const struct bg_shift_env *env)
{
    struct bg_walk_plan walk;
    struct bg_shift_members m;
    int rc;

    rc = survey(&m, &walk, call, env, cfg);
    if (rc == 0)
        rc = check_matches_plan(call, cfg, &walk);
    if (rc != 0)
        return rc;
    if (walk.n_steps == 0 && !gate_pending(cfg, &m) && cfg->members_is == BG_PRESENCE_KNOWN) {
        req->new_state = bg_value_copy_map(call->arena, req->planned);
        return 0; /* only non-walk arguments changed */
    }
    rc = bg_shift__run_forward(&m, call, env, cfg, &walk);
    /* On error or stop too the state records what AWS holds and the next plan continues.
     * Except a create that failed: terraform would taint it, and replacing a tainted shift
     * runs on_destroy (maybe a restore walk) before walking forward again. Recording nothing
     * is exact here, because AWS membership alone decides the next walk. */
    if (!bg_diags_has_errors(call->diags) || req->prior != NULL)
        req->new_state = state_after(cfg, call, req, env, &m, &walk);
    return rc;
}

int bg_shift__apply(struct bg_call *call, struct bg_apply_req *req)
{
    struct bg_aws_client *c = NULL;
    struct bg_shift_env env;
    struct bg_shift_cfg cfg;
    int rc;

    req->new_state = (struct bg_value *)req->prior; /* until AWS changes */
    if (bg_shift__cfg_read(&cfg, call->diags, req->planned) != 0)
        return BG_EINVAL;
    if (cfg.unknown != NULL) { /* terraform sends a known configuration to apply */
        bg_diag_error(call->diags, cfg.unknown, "Unknown argument at apply",
                      "%s must be known when bluegreen_traffic_shift is applied.",
                      bg_path_string(call->arena, cfg.unknown));
        return BG_EINVAL;
    }
    if (bg_shift__client(&c, call) != 0)
        return BG_EINVAL;
    bg_shift__env_aws(&env, c);
    rc = apply_with(&cfg, call, req, &env);
    bg_provider_aws_release(call->provider, c);
    return rc;
}

static int destroy_with(struct bg_call *call, const struct bg_shift_env *env,
                        const struct bg_shift_cfg *cfg)
{
    struct bg_error err = BG_ERROR_INIT;
    struct bg_shift_members m;
    int rc;

    if (bg_shift__describe_quiet(&m, call->arena, &env->elbv2, cfg->arn, &err) != 0) {
        if (bg_aws_error_is(&err, "TargetGroupNotFound"))
            return 0; /* nothing left to restore */
        return bg_shift__aws_diag(call, "DescribeTargetHealth", cfg->arn, &err);
    }
    rc = bg_shift__run_restore(&m, call, env, cfg);
    if (rc != 0 && !bg_diags_has_errors(call->diags))
        bg_diag_error(call->diags, NULL, "Destroy interrupted",
                      "The restore walk stopped before from_targets alone were registered; "
                      "the resource stays in state. Run terraform destroy again to finish.");
    return rc;
}

/* on_destroy = "keep" forgets the resource; "restore" walks back to from_targets first. */
int bg_shift__destroy(struct bg_call *call, struct bg_apply_req *req)
{
    struct bg_aws_client *c = NULL;
    struct bg_shift_env env;
    struct bg_shift_cfg cfg;
    int rc;

    if (bg_shift__cfg_read(&cfg, call->diags, req->prior) != 0)
        return BG_EINVAL;
    if (cfg.on_destroy != BG_SHIFT_RESTORE || cfg.arn == NULL)
        return 0;
    if (bg_shift__client(&c, call) != 0)
        return BG_EINVAL;
    bg_shift__env_aws(&env, c);
    rc = destroy_with(call, &env, &cfg);
    bg_provider_aws_release(call->provider, c);
    return rc;
}

static struct bg_walk_member member_of(const struct bg_shift_member_attr *o)
{
    struct bg_walk_member y = {o->id, o->port_is == BG_PRESENCE_KNOWN ? (int)o->port : 0,
                               bg_target_health_parse(o->state), o->state};

    return y;
}

/* Whether the `members` of the last state list x as registered (not draining, not unused). */
static bool state_has_registered(const struct bg_shift_cfg *old, const struct bg_walk_member *x)
{
    size_t i;

    for (i = 0; i < old->n_members; i++) {
        struct bg_walk_member y = member_of(&old->members[i]);

        if (y.id != NULL && strcmp(y.id, x->id) == 0 && y.port == x->port &&
            bg_shift__is_registered(&y))
            return true;
    }
    return false;
}

static bool snapshot_has_registered(const struct bg_shift_members *m,
                                    const struct bg_walk_member *y)
{
    size_t i;

    for (i = 0; i < m->n; i++) {
        if (strcmp(m->items[i].id, y->id) == 0 && m->items[i].port == y->port)
            return bg_shift__is_registered(&m->items[i]);
    }
    return false;
}

static char *append(struct bg_arena *a, char *list, const char *id)
{
    return bg_arena_printf(a, "%s%s%s", list != NULL ? list : "", list != NULL ? ", " : "", id);
}

/* Membership changes since the last apply or refresh were made outside Terraform: name them.
 * Health changes (initial -> healthy, draining -> gone) are not registrations. */
static void warn_drift(struct bg_call *call, const struct bg_shift_cfg *old,
                       const struct bg_shift_members *m)
{
    char *added = NULL, *removed = NULL;
    size_t i;

    if (old->members_is != BG_PRESENCE_KNOWN)
        return;
    for (i = 0; i < m->n; i++) {
        if (bg_shift__is_registered(&m->items[i]) && !state_has_registered(old, &m->items[i]))
            added = append(call->arena, added, m->items[i].id);
    }
    for (i = 0; i < old->n_members; i++) {
        struct bg_walk_member y = member_of(&old->members[i]);

        if (y.id != NULL && bg_shift__is_registered(&y) && !snapshot_has_registered(m, &y))
            removed = append(call->arena, removed, y.id);
    }
    if (added != NULL || removed != NULL)
        bg_diag_warn(call->diags, bg_path_attr(call->arena, NULL, "members"),
                     "Target group changed outside Terraform",
                     "%s%s%s%s%s. The next apply restores the declared membership through the "
                     "same health-gated steps.",
                     old->arn, added != NULL ? ": registered " : "", added != NULL ? added : "",
                     removed != NULL ? (added != NULL ? "; deregistered " : ": deregistered ") : "",
                     removed != NULL ? removed : "");
}

static int read_with(struct bg_shift_cfg *cfg, struct bg_call *call, struct bg_read_req *req,
                     const struct bg_shift_elbv2 *e)
{
    struct bg_error err = BG_ERROR_INIT;
    struct bg_walk_input in;
    struct bg_shift_members m;

    if (bg_shift__describe_quiet(&m, call->arena, e, cfg->arn, &err) != 0) {
        if (!bg_aws_error_is(&err, "TargetGroupNotFound"))
            return bg_shift__aws_diag(call, "DescribeTargetHealth", cfg->arn, &err);
        req->new_state = NULL; /* the group is gone, and with it what this resource shifts */
        return 0;
    }
    warn_drift(call, cfg, &m);
    bg_shift__walk_input(&in, cfg, &m);
    bg_shift__set_members(cfg, call->arena, &m);
    cfg->current_percent = bg_walk_percent(&in);
    cfg->current_percent_is = BG_PRESENCE_KNOWN;
    if (cfg->steps_is == BG_PRESENCE_NULL)
        cfg->steps_is = BG_PRESENCE_KNOWN; /* an imported shift has walked nothing yet */
    req->new_state = bg_shift__flatten(call->arena, cfg, req->state);
    return 0;
}

int bg_shift__read(struct bg_call *call, struct bg_read_req *req)
{
    struct bg_aws_client *c = NULL;
    struct bg_shift_env env;
    struct bg_shift_cfg cfg;
    int rc;

    if (bg_shift__cfg_read(&cfg, call->diags, req->state) != 0)
        return BG_EINVAL;
    if (cfg.unknown != NULL || cfg.arn == NULL)
        return 0;
    if (bg_shift__client(&c, call) != 0)
        return BG_EINVAL;
    bg_shift__env_aws(&env, c);
    rc = read_with(&cfg, call, req, &env.elbv2);
    bg_provider_aws_release(call->provider, c);
    return rc;
}
