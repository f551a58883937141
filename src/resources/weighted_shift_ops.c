/*
 * weighted_shift_ops.c - bluegreen_weighted_shift's lifecycle: plan (the walk from the
 * refreshed weights), apply (execute it), destroy (keep or restore) and read (the share now,
 * drift warnings).
 *
 * `steps` is "the walk this change takes": planned from AWS, kept in state as the walk last
 * taken. `current_percent` is unknown in a plan that walks (an interrupted walk returns
 * whatever share it reached) and carried over when there is nothing to do, so the plan is
 * empty.
 */
#include <string.h>

#include "bluegreen/provider.h"
#include "weighted_shift.h"

static struct bg_value *flatten_steps(struct bg_arena *a, const struct bg_weights_plan *p)
{
    struct bg_value *list = bg_value_array(a, p->n_steps);

    for (size_t i = 0; i < p->n_steps; i++) {
        struct bg_value *o = bg_value_map(a, 1);

        bg_value_put(a, o, "percent", bg_value_int(a, p->steps[i]));
        bg_value_append(a, list, o);
    }
    return list;
}

static struct bg_value *id_of(struct bg_arena *a, const struct bg_ws_cfg *cfg)
{
    return bg_value_string(
        a, bg_arena_printf(a, "%s,%s,%s", bg_ws__subject(cfg, NULL), cfg->from, cfg->to));
}

/* The share now and the walk from it, with one borrowed client. */
static int survey(int *share, struct bg_weights_plan *walk, struct bg_call *call,
                  struct bg_aws_client *c, const struct bg_ws_cfg *cfg, bool alarms_too)
{
    struct bg_error err = BG_ERROR_INIT;

    if (bg_ws__share(share, call, c, cfg) != 0)
        return BG_EPROTO;
    if (alarms_too && bg_ws__check_alarms(call, c, cfg) != 0)
        return BG_ENOTFOUND;
    if (bg_weights_plan(walk, call->arena, *share, (int)cfg->percent, cfg->schedule,
                        cfg->n_schedule, &err) != 0)
        return bg_diag_from_error(call->diags, bg_path_attr(call->arena, NULL, "schedule"),
                                  "Cannot plan the walk", &err);
    return 0;
}

int bg_ws__plan(struct bg_call *call, struct bg_plan_req *req)
{
    struct bg_arena *a = call->arena;
    struct bg_aws_client *c = NULL;
    struct bg_weights_plan walk;
    struct bg_ws_cfg cfg;
    int share, rc;

    /* No plan_destroy capability: terraform plans destroys without the provider. */
    if (req->destroy)
        return 0;
    if (!bg_ws__cfg_read(&cfg, a, req->config)) {
        bg_value_put(a, req->planned, "steps", bg_value_unknown(a));
        bg_value_put(a, req->planned, "current_percent", bg_value_unknown(a));
        return 0;
    }
    bg_value_put(a, req->planned, "id", id_of(a, &cfg));
    if (bg_ws__client(&c, call) != 0)
        return BG_EINVAL;
    rc = survey(&share, &walk, call, c, &cfg, true);
    bg_provider_aws_release(call->provider, c);
    if (rc != 0)
        return rc;
    if (req->prior != NULL && !bg_value_is_null(req->prior) && walk.n_steps == 0) {
        /* Nothing to walk: computed values carry over, so only changed arguments show. */
        bg_value_put(a, req->planned, "steps", bg_value_get(req->prior, "steps"));
        bg_value_put(a, req->planned, "current_percent", bg_value_int(a, share));
        return 0;
    }
    bg_value_put(a, req->planned, "steps", flatten_steps(a, &walk));
    bg_value_put(a, req->planned, "current_percent",
                 walk.n_steps > 0 ? bg_value_unknown(a) : bg_value_int(a, share));
    return 0;
}

/* The reviewed walk must be the walk taken: if the weights moved between plan and apply,
 * refuse and let the next plan show the new walk. */
static int check_matches_plan(struct bg_call *call, const struct bg_value *planned,
                              const struct bg_weights_plan *walk)
{
    const struct bg_value *steps = bg_value_get(planned, "steps");

    if (!bg_value_is_wholly_known(steps) || bg_value_equal(steps, flatten_steps(call->arena, walk)))
        return 0;
    bg_diag_error(call->diags, bg_path_attr(call->arena, NULL, "steps"),
                  "Weights changed since the plan",
                  "The forward weights changed after this plan was made, so the planned steps "
                  "are no longer the walk to take. Nothing was changed; run terraform plan "
                  "again.");
    return BG_ECONFLICT;
}

/* A share no completed apply left behind: an interrupted walk, or weights set by hand. The
 * prior state's `percent` is the goal of the last apply that recorded its end. */
static bool unwatched(const struct bg_value *prior, int start)
{
    int64_t goal;

    if (start == 0)
        return false;
    return prior == NULL || bg_value_as_int(&goal, bg_value_get(prior, "percent")) != 0 ||
           goal != start;
}

static struct bg_value *state_after(struct bg_call *call, const struct bg_value *planned,
                                    const struct bg_ws_cfg *cfg, int share,
                                    const struct bg_weights_plan *walk)
{
    struct bg_arena *a = call->arena;
    struct bg_value *state = bg_value_copy_map(a, planned);

    bg_value_put(a, state, "id", id_of(a, cfg));
    if (!bg_value_is_wholly_known(bg_value_get(state, "steps")))
        bg_value_put(a, state, "steps", flatten_steps(a, walk));
    bg_value_put(a, state, "current_percent", bg_value_int(a, share));
    return state;
}

static int apply_with(struct bg_call *call, struct bg_apply_req *req, struct bg_aws_client *c,
                      const struct bg_ws_cfg *cfg)
{
    struct bg_weights_plan walk;
    struct bg_ws_world world;
    struct bg_ws_run run;
    int share, rc;

    rc = survey(&share, &walk, call, c, cfg, false);
    if (rc == 0)
        rc = check_matches_plan(call, req->planned, &walk);
    if (rc != 0)
        return rc;
    bg_ws__world(&world, call, c, cfg);
    run = (struct bg_ws_run){&world, cfg, call->diags, call->arena, share, share, false, false};
    run.soak_first = unwatched(req->prior, share);
    rc = bg_ws__run(&run, walk.steps, walk.n_steps);
    /* On error or stop too the state records the weights reached, except for a create that
     * failed: terraform would taint it, and replacing a tainted shift runs on_destroy (maybe
     * a restore walk) before walking forward again. Recording nothing is exact here, since
     * the weights alone decide the next walk. */
    if (!bg_diags_has_errors(call->diags) || req->prior != NULL)
        req->new_state = state_after(call, req->planned, cfg, run.share, &walk);
    return rc;
}

int bg_ws__apply(struct bg_call *call, struct bg_apply_req *req)
{
    struct bg_aws_client *c = NULL;
    struct bg_ws_cfg cfg;
    int rc;

    req->new_state = (struct bg_value *)req->prior; /* until AWS changes */
    if (!bg_ws__cfg_read(&cfg, call->arena, req->planned)) {
        bg_diag_error(call->diags, NULL, "Unknown arguments at apply",
                      "The listener or rule, both target groups, percent, schedule and "
                      "alarm_names must be known when bluegreen_weighted_shift is applied.");
        return BG_EINVAL;
    }
    if (bg_ws__client(&c, call) != 0)
        return BG_EINVAL;
    rc = apply_with(call, req, c, &cfg);
    bg_provider_aws_release(call->provider, c);
    return rc;
}

/* The share now without a diagnostic: BG_ENOTFOUND when the listener, the rule or the pair
 * is gone (nothing left to restore or to read). */
static int share_quiet(int *out, struct bg_arena *a, struct bg_aws_client *c,
                       const struct bg_ws_cfg *cfg, struct bg_error *err)
{
    struct bg_aws_actions acts;
    struct bg_weights_pair p;
    int rc = bg_ws__describe(&acts, a, c, cfg, err);

    if (rc == 0)
        rc = bg_weights_find(&p, &acts, cfg->from, cfg->to, err);
    *out = rc == 0 ? p.share : 0;
    return rc;
}

static int destroy_with(struct bg_call *call, struct bg_aws_client *c, const struct bg_ws_cfg *cfg)
{
    struct bg_error err = BG_ERROR_INIT;
    struct bg_ws_cfg halt = *cfg;
    struct bg_weights_plan walk;
    struct bg_ws_world world;
    struct bg_ws_run run;
    int share, rc;

    rc = share_quiet(&share, call->arena, c, cfg, &err);
    if (rc == BG_ENOTFOUND)
        return 0; /* nothing left to restore */
    if (rc != 0)
        return bg_ws__aws_diag(call, cfg, "Reading the forward weights", &err);
    if (bg_weights_plan(&walk, call->arena, share, 0, cfg->schedule, cfg->n_schedule, &err) != 0)
        return bg_diag_from_error(call->diags, NULL, "Cannot plan the restore walk", &err);
    /* Rolling back a restore would walk forward again: a failed restore just stops. */
    halt.on_failure = BG_WS_HALT;
    bg_ws__world(&world, call, c, &halt);
    run = (struct bg_ws_run){&world, &halt, call->diags, call->arena, share, share, false, false};
    rc = bg_ws__run(&run, walk.steps, walk.n_steps);
    if (rc != 0 && !bg_diags_has_errors(call->diags))
        bg_diag_error(call->diags, NULL, "Destroy interrupted",
                      "The restore walk stopped at %d%% before the weights were back on "
                      "from_target_group_arn; the resource stays in state. Run terraform "
                      "destroy again to finish.",
                      run.share);
    return rc;
}

/* on_destroy = "keep" forgets the resource; "restore" walks back to 0 first. */
int bg_ws__destroy(struct bg_call *call, struct bg_apply_req *req)
{
    struct bg_aws_client *c = NULL;
    struct bg_ws_cfg cfg;
    int rc;

    if (!bg_ws__cfg_read(&cfg, call->arena, req->prior) || cfg.on_destroy != BG_WS_RESTORE)
        return 0;
    if (bg_ws__client(&c, call) != 0)
        return BG_EINVAL;
    rc = destroy_with(call, c, &cfg);
    bg_provider_aws_release(call->provider, c);
    return rc;
}

static void warn_drift(struct bg_call *call, const struct bg_value *state,
                       const struct bg_ws_cfg *cfg, int share)
{
    int64_t recorded;
    const char *attr = NULL, *arn = bg_ws__subject(cfg, &attr);

    if (bg_value_as_int(&recorded, bg_value_get(state, "current_percent")) != 0 ||
        recorded == share)
        return;
    bg_diag_warn(call->diags, bg_path_attr(call->arena, NULL, "current_percent"),
                 "Forward weights changed outside Terraform",
                 "%s gives to_target_group_arn %d%% of the pair's weights; the last apply left "
                 "%lld%%. The next plan walks from %d%%.",
                 arn, share, (long long)recorded, share);
}

static int read_with(struct bg_call *call, struct bg_read_req *req, struct bg_aws_client *c,
                     const struct bg_ws_cfg *cfg)
{
    struct bg_error err = BG_ERROR_INIT;
    struct bg_arena *a = call->arena;
    struct bg_aws_actions acts;
    struct bg_weights_pair p;
    struct bg_value *state;
    const char *attr = NULL;

    if (bg_ws__describe(&acts, a, c, cfg, &err) != 0) {
        if (err.code != BG_ENOTFOUND)
            return bg_ws__aws_diag(call, cfg, "Reading the forward weights", &err);
        req->new_state = NULL; /* the listener or rule is gone, and with it this shift */
        return 0;
    }
    if (bg_weights_find(&p, &acts, cfg->from, cfg->to, &err) != 0) {
        bg_ws__subject(cfg, &attr);
        bg_diag_warn(call->diags, bg_path_attr(a, NULL, attr), "No forward action to shift", "%s.",
                     err.msg);
        p.share = 0;
    }
    warn_drift(call, req->state, cfg, p.share);
    state = bg_value_copy_map(a, req->state);
    bg_value_put(a, state, "current_percent", bg_value_int(a, p.share));
    if (bg_value_is_null(bg_value_get(state, "steps")))
        bg_value_put(a, state, "steps", bg_value_array(a, 0));
    req->new_state = state;
    return 0;
}

int bg_ws__read(struct bg_call *call, struct bg_read_req *req)
{
    struct bg_aws_client *c = NULL;
    struct bg_ws_cfg cfg;
    int rc;

    if (!bg_ws__cfg_read(&cfg, call->arena, req->state))
        return 0;
    if (bg_ws__client(&c, call) != 0)
        return BG_EINVAL;
    rc = read_with(call, req, c, &cfg);
    bg_provider_aws_release(call->provider, c);
    return rc;
}
