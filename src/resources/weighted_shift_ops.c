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

static void set_steps(struct bg_ws_cfg *cfg, struct bg_arena *a, const struct bg_weights_plan *p)
{
    cfg->steps = bg_arena_calloc(a, p->n_steps + 1, sizeof(*cfg->steps));
    for (size_t i = 0; i < p->n_steps; i++)
        cfg->steps[i].percent = p->steps[i];
    cfg->n_steps = p->n_steps;
    cfg->steps_is = BG_PRESENCE_KNOWN;
}

static void set_id(struct bg_ws_cfg *cfg, struct bg_arena *a)
{
    cfg->id = bg_arena_printf(a, "%s,%s,%s", bg_ws__subject(cfg, NULL), cfg->from, cfg->to);
    cfg->id_is = BG_PRESENCE_KNOWN;
}

static void set_share(struct bg_ws_cfg *cfg, int share)
{
    cfg->current_percent = share;
    cfg->current_percent_is = BG_PRESENCE_KNOWN;
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

/* The computed attributes of the plan. Nothing to walk: steps keep what the generic plan
 * carried over from state, so only changed arguments show. */
static int plan_with(struct bg_ws_cfg *cfg, struct bg_call *call, const struct bg_plan_req *req)
{
    struct bg_aws_client *c = NULL;
    struct bg_weights_plan walk;
    int share, rc;

    set_id(cfg, call->arena);
    if (bg_ws__client(&c, call) != 0)
        return BG_EINVAL;
    rc = survey(&share, &walk, call, c, cfg, true);
    bg_provider_aws_release(call->provider, c);
    if (rc != 0)
        return rc;
    if (req->prior == NULL || bg_value_is_null(req->prior) || walk.n_steps > 0)
        set_steps(cfg, call->arena, &walk);
    set_share(cfg, share);
    if (walk.n_steps > 0)
        cfg->current_percent_is = BG_PRESENCE_UNKNOWN;
    return 0;
}

int bg_ws__plan(struct bg_call *call, struct bg_plan_req *req)
{
    struct bg_ws_cfg cfg;
    int rc;

    /* No plan_destroy capability: terraform plans destroys without the provider. */
    if (req->destroy)
        return 0;
    if (bg_ws__cfg_read(&cfg, call->diags, req->planned) != 0)
        return BG_EINVAL;
    if (cfg.unknown != NULL) { /* arguments known only after apply: so is the walk */
        cfg.steps_is = cfg.current_percent_is = BG_PRESENCE_UNKNOWN;
        req->planned = bg_ws__flatten(call->arena, &cfg, req->planned);
        return 0;
    }
    rc = plan_with(&cfg, call, req);
    if (rc == 0)
        req->planned = bg_ws__flatten(call->arena, &cfg, req->planned);
    return rc;
}

static bool same_steps(const struct bg_ws_cfg *cfg, const struct bg_weights_plan *walk)
{
    if (cfg->n_steps != walk->n_steps)
        return false;
    for (size_t i = 0; i < walk->n_steps; i++) {
        if (cfg->steps[i].percent != walk->steps[i])
            return false;
    }
    return true;
}

/* The reviewed walk must be the walk taken: if the weights moved between plan and apply,
 * refuse and let the next plan show the new walk. */
static int check_matches_plan(struct bg_call *call, const struct bg_ws_cfg *cfg,
                              const struct bg_weights_plan *walk)
{
    if (cfg->steps_is != BG_PRESENCE_KNOWN || same_steps(cfg, walk))
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
static bool unwatched(struct bg_call *call, const struct bg_value *prior, int start)
{
    struct bg_diags quiet;
    struct bg_ws_cfg before;

    if (start == 0)
        return false;
    bg_diags_init(&quiet, call->arena);
    return prior == NULL || bg_ws__cfg_read(&before, &quiet, prior) != 0 || before.percent != start;
}

static struct bg_value *state_after(struct bg_ws_cfg *cfg, struct bg_call *call,
                                    const struct bg_value *planned, int share,
                                    const struct bg_weights_plan *walk)
{
    set_id(cfg, call->arena);
    if (cfg->steps_is != BG_PRESENCE_KNOWN)
        set_steps(cfg, call->arena, walk);
    set_share(cfg, share);
    return bg_ws__flatten(call->arena, cfg, planned);
}

static int apply_with(struct bg_ws_cfg *cfg, struct bg_call *call, struct bg_apply_req *req,
                      struct bg_aws_client *c)
{
    struct bg_weights_plan walk;
    struct bg_ws_world world;
    struct bg_ws_run run;
    int share, rc;

    rc = survey(&share, &walk, call, c, cfg, false);
    if (rc == 0)
        rc = check_matches_plan(call, cfg, &walk);
    if (rc != 0)
        return rc;
    bg_ws__world(&world, call, c, cfg);
    run = (struct bg_ws_run){&world, cfg, call->diags, call->arena, share, share, false, false};
    run.soak_first = unwatched(call, req->prior, share);
    rc = bg_ws__run(&run, walk.steps, walk.n_steps);
    /* On error or stop too the state records the weights reached, except for a create that
     * failed: terraform would taint it, and replacing a tainted shift runs on_destroy (maybe
     * a restore walk) before walking forward again. Recording nothing is exact here, since
     * the weights alone decide the next walk. */
    if (!bg_diags_has_errors(call->diags) || req->prior != NULL)
        req->new_state = state_after(cfg, call, req->planned, run.share, &walk);
    return rc;
}

int bg_ws__apply(struct bg_call *call, struct bg_apply_req *req)
{
    struct bg_aws_client *c = NULL;
    struct bg_ws_cfg cfg;
    int rc;

    req->new_state = (struct bg_value *)req->prior; /* until AWS changes */
    if (bg_ws__cfg_read(&cfg, call->diags, req->planned) != 0)
        return BG_EINVAL;
    if (cfg.unknown != NULL) { /* terraform sends a known configuration to apply */
        bg_diag_error(call->diags, cfg.unknown, "Unknown argument at apply",
                      "%s must be known when bluegreen_weighted_shift is applied.",
                      bg_path_string(call->arena, cfg.unknown));
        return BG_EINVAL;
    }
    if (bg_ws__client(&c, call) != 0)
        return BG_EINVAL;
    rc = apply_with(&cfg, call, req, c);
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

    if (bg_ws__cfg_read(&cfg, call->diags, req->prior) != 0)
        return BG_EINVAL;
    if (cfg.on_destroy != BG_WS_RESTORE || bg_ws__subject(&cfg, NULL) == NULL)
        return 0;
    if (bg_ws__client(&c, call) != 0)
        return BG_EINVAL;
    rc = destroy_with(call, c, &cfg);
    bg_provider_aws_release(call->provider, c);
    return rc;
}

static void warn_drift(struct bg_call *call, const struct bg_ws_cfg *cfg, int share)
{
    const char *attr = NULL, *arn = bg_ws__subject(cfg, &attr);

    if (cfg->current_percent_is != BG_PRESENCE_KNOWN || cfg->current_percent == share)
        return;
    bg_diag_warn(call->diags, bg_path_attr(call->arena, NULL, "current_percent"),
                 "Forward weights changed outside Terraform",
                 "%s gives to_target_group_arn %d%% of the pair's weights; the last apply left "
                 "%lld%%. The next plan walks from %d%%.",
                 arn, share, (long long)cfg->current_percent, share);
}

static int read_with(struct bg_ws_cfg *cfg, struct bg_call *call, struct bg_read_req *req,
                     struct bg_aws_client *c)
{
    struct bg_error err = BG_ERROR_INIT;
    struct bg_arena *a = call->arena;
    struct bg_aws_actions acts;
    struct bg_weights_pair p;
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
    warn_drift(call, cfg, p.share);
    set_share(cfg, p.share);
    if (cfg->steps_is == BG_PRESENCE_NULL)
        cfg->steps_is = BG_PRESENCE_KNOWN; /* an empty walk */
    req->new_state = bg_ws__flatten(a, cfg, req->state);
    return 0;
}

int bg_ws__read(struct bg_call *call, struct bg_read_req *req)
{
    struct bg_aws_client *c = NULL;
    struct bg_ws_cfg cfg;
    int rc;

    if (bg_ws__cfg_read(&cfg, call->diags, req->state) != 0)
        return BG_EINVAL;
    if (cfg.unknown != NULL || bg_ws__subject(&cfg, NULL) == NULL || cfg.from == NULL ||
        cfg.to == NULL)
        return 0;
    if (bg_ws__client(&c, call) != 0)
        return BG_EINVAL;
    rc = read_with(&cfg, call, req, c);
    bg_provider_aws_release(call->provider, c);
    return rc;
}
