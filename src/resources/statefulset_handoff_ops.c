/*
 * statefulset_handoff_ops.c - bluegreen_statefulset_handoff's lifecycle: plan (the steps left,
 * from what the clusters show), apply (take them), read (what the clusters show, drift
 * warnings), destroy (forget: a hand-off is not undone).
 *
 * `steps` in a plan is what the apply will do; in state it stays the steps the last apply was
 * planned to take. When nothing is left, the plan carries the state's value, so the plan is
 * empty; anything left (an interrupted apply, replicas back in from_cluster) shows as a change.
 */
#include <string.h>

#include "statefulset_handoff.h"

/* Terraform points a diagnostic at the configuration only for a top-level attribute (a path
 * into an object or tuple constructor falls back to the resource block), so the path stops
 * there and the message names the element. */
static const struct bg_path *failure_path(struct bg_arena *a, const struct bg_handoff_failure *f)
{
    return f->attribute != NULL ? bg_path_attr(a, NULL, f->attribute) : NULL;
}

void bg_sho__failure_diag(struct bg_call *call, const struct bg_handoff_failure *f)
{
    const char *where = f->attribute == NULL ? NULL
                        : f->has_index
                            ? bg_arena_printf(call->arena, "%s[%zu]", f->attribute, f->index)
                        : strcmp(f->attribute, "elasticsearch") == 0 ? "elasticsearch.service"
                                                                     : f->attribute;

    bg_diag_error(call->diags, failure_path(call->arena, f),
                  f->summary != NULL ? f->summary : "Hand-off failed", "%s%s%s",
                  where != NULL ? where : "", where != NULL ? ": " : "",
                  f->detail != NULL ? f->detail : "");
}

/* Observes and plans with an open world; a diagnostic on failure. */
static int survey(struct bg_handoff_world *world, struct bg_handoff_plan *plan,
                  struct bg_call *call, struct bg_sho_world *w, const struct bg_sho_cfg *cfg)
{
    struct bg_handoff_failure f;
    int rc = bg_handoff_observe(world, call->arena, &cfg->spec, &w->ops, &f);

    if (rc != 0) {
        bg_sho__failure_diag(call, &f);
        return rc;
    }
    bg_handoff_plan(plan, call->arena, &cfg->spec, world);
    return 0;
}

static void set_id(struct bg_sho_cfg *cfg, struct bg_arena *a)
{
    cfg->id = bg_arena_printf(a, "%s/%s", cfg->namespace_, cfg->sts[0].name);
    cfg->id_is = BG_PRESENCE_KNOWN;
}

/* The steps left, computed attributes for the plan. Nothing left: they keep what the
 * generic plan carried over from state, so the plan is empty. */
static int plan_with(struct bg_sho_cfg *cfg, struct bg_call *call, const struct bg_plan_req *req)
{
    struct bg_handoff_world world;
    struct bg_handoff_plan plan;
    struct bg_sho_world w;
    int rc;

    set_id(cfg, call->arena);
    rc = bg_sho__world_open(&w, call, cfg);
    if (rc == 0)
        rc = survey(&world, &plan, call, &w, cfg);
    bg_sho__world_close(&w);
    if (rc != 0 || (plan.n == 0 && req->prior != NULL && !bg_value_is_null(req->prior)))
        return rc;
    /* observed is read again after the apply: pods may still be converging now */
    bg_sho__set_steps(cfg, call->arena, &plan);
    cfg->observed_is = BG_PRESENCE_UNKNOWN;
    return 0;
}

int bg_sho__plan(struct bg_call *call, struct bg_plan_req *req)
{
    struct bg_sho_cfg cfg;
    int rc;

    if (req->destroy)
        return 0;
    if (bg_sho__cfg_read(&cfg, call->diags, req->planned) != 0)
        return BG_EINVAL;
    if (cfg.unknown != NULL || cfg.n_sts == 0) { /* arguments known only after apply */
        cfg.steps_is = cfg.observed_is = BG_PRESENCE_UNKNOWN;
        req->planned = bg_sho__flatten(call->arena, &cfg, req->planned);
        return 0;
    }
    rc = plan_with(&cfg, call, req);
    if (rc == 0)
        req->planned = bg_sho__flatten(call->arena, &cfg, req->planned);
    return rc;
}

static bool planned_step(const struct bg_sho_cfg *cfg, const struct bg_handoff_step *s)
{
    const char *action = bg_handoff_action_name(s->action);
    const char *cluster = bg_handoff_cluster_name(s->cluster);

    for (size_t j = 0; j < cfg->n_steps; j++) {
        const struct bg_sho_step_attr *p = &cfg->steps[j];

        if (p->action != NULL && p->cluster != NULL && p->target != NULL &&
            strcmp(p->action, action) == 0 && strcmp(p->cluster, cluster) == 0 &&
            strcmp(p->target, s->target) == 0)
            return true;
    }
    return false;
}

/* Every step left must be one the reviewer saw: a world that moved elsewhere since the plan
 * (someone scaled something) is planned again rather than acted on. */
static int check_matches_plan(struct bg_call *call, const struct bg_sho_cfg *cfg,
                              const struct bg_handoff_plan *plan)
{
    if (cfg->steps_is != BG_PRESENCE_KNOWN)
        return 0;
    for (size_t i = 0; i < plan->n; i++) {
        if (planned_step(cfg, &plan->steps[i]))
            continue;
        bg_diag_error(call->diags, bg_path_attr(call->arena, NULL, "steps"),
                      "The clusters changed since the plan",
                      "Step %s in %s on %s is needed now but was not in the plan. Nothing was "
                      "changed; run terraform plan again.",
                      bg_handoff_action_name(plan->steps[i].action),
                      bg_handoff_cluster_name(plan->steps[i].cluster), plan->steps[i].target);
        return BG_ECONFLICT;
    }
    return 0;
}

static void report(struct bg_call *call, int rc, const struct bg_handoff_failure *f)
{
    if (rc == BG_ECANCELED)
        bg_diag_warn(call->diags, NULL, "Hand-off paused",
                     "Terraform asked the provider to stop. The hand-off stopped at a safe "
                     "point (between polls, or a request cut short); run terraform apply again to "
                     "continue from what the clusters show.");
    else if (rc != 0)
        bg_sho__failure_diag(call, f);
}

static int apply_with(struct bg_sho_cfg *cfg, struct bg_call *call, struct bg_apply_req *req,
                      struct bg_sho_world *w)
{
    struct bg_arena *a = call->arena;
    struct bg_handoff_world world;
    struct bg_handoff_failure f;
    struct bg_handoff_plan plan;
    size_t taken = 0;
    int rc = survey(&world, &plan, call, w, cfg);

    if (rc == 0)
        rc = check_matches_plan(call, cfg, &plan);
    if (rc != 0)
        return rc;
    rc = bg_handoff_run(&taken, a, &cfg->spec, &w->ops, bg_clock_system(), call->stop, &f);
    report(call, rc, &f);
    /* A failed create records nothing: the clusters alone decide the next plan, and a
     * tainted resource would be shown as a replacement. */
    if (bg_diags_has_errors(call->diags) && req->prior == NULL)
        return rc;
    set_id(cfg, a);
    if (cfg->steps_is != BG_PRESENCE_KNOWN)
        bg_sho__set_steps(cfg, a, &plan);
    /* what the clusters show now; if even that read fails, nothing (the next refresh
     * fills it), never an unknown value in state */
    if (bg_handoff_observe(&world, a, &cfg->spec, &w->ops, &f) == 0) {
        bg_sho__set_observed(cfg, a, &world);
    } else {
        cfg->n_observed = 0;
        cfg->observed_is = BG_PRESENCE_KNOWN;
    }
    req->new_state = bg_sho__flatten(a, cfg, req->planned);
    return rc;
}

int bg_sho__apply(struct bg_call *call, struct bg_apply_req *req)
{
    struct bg_sho_world w;
    struct bg_sho_cfg cfg;
    int rc;

    req->new_state = (struct bg_value *)req->prior;
    if (bg_sho__cfg_read(&cfg, call->diags, req->planned) != 0)
        return BG_EINVAL;
    if (cfg.unknown != NULL || cfg.n_sts == 0) { /* terraform applies a known configuration */
        bg_diag_error(call->diags, cfg.unknown, "Unknown argument at apply",
                      "%s must be known when bluegreen_statefulset_handoff is applied.",
                      cfg.unknown != NULL ? bg_path_string(call->arena, cfg.unknown)
                                          : "statefulsets");
        return BG_EINVAL;
    }
    rc = bg_sho__world_open(&w, call, &cfg);
    if (rc == 0)
        rc = apply_with(&cfg, call, req, &w);
    bg_sho__world_close(&w);
    return rc;
}

/* A hand-off is not undone by destroy: moving the data back is another hand-off. */
int bg_sho__destroy(struct bg_call *call, struct bg_apply_req *req)
{
    (void)call;
    (void)req;
    return 0;
}

/* The replicas the last read saw for wl in cluster, -1 when it has none. */
static int replicas_in(const struct bg_sho_cfg *old, const char *cluster,
                       const struct bg_handoff_workload *wl)
{
    for (size_t i = 0; i < old->n_observed; i++) {
        const struct bg_sho_observed_attr *o = &old->observed[i];

        if (o->cluster != NULL && o->namespace_ != NULL && o->name != NULL &&
            strcmp(o->cluster, cluster) == 0 && strcmp(o->namespace_, wl->namespace_) == 0 &&
            strcmp(o->name, wl->name) == 0)
            return (int)o->replicas;
    }
    return -1;
}

/* Replicas back in from_cluster after they were 0 there: someone started the old copy. */
static void warn_drift(struct bg_call *call, const struct bg_sho_cfg *cfg,
                       const struct bg_handoff_world *w)
{
    char *list = NULL;

    for (size_t i = 0; i < cfg->n_sts + cfg->n_pause; i++) {
        bool pause = i >= cfg->n_sts;
        const struct bg_handoff_workload *wl = pause ? &cfg->pause[i - cfg->n_sts] : &cfg->sts[i];
        const struct bg_handoff_obs *o = pause ? &w->from_pause[i - cfg->n_sts] : &w->from_sts[i];

        if (replicas_in(cfg, "from_cluster", wl) == 0 && o->spec_replicas > 0)
            list = bg_arena_printf(call->arena, "%s%s%s/%s (%d)", list != NULL ? list : "",
                                   list != NULL ? ", " : "", wl->namespace_, wl->name,
                                   o->spec_replicas);
    }
    if (list != NULL)
        bg_diag_warn(call->diags, bg_path_attr(call->arena, NULL, "observed"),
                     "Replicas back in from_cluster",
                     "%s scaled up again in from_cluster outside Terraform. Their volumes belong "
                     "to the pods in to_cluster; the next plan shows the scale-down that repairs "
                     "it.",
                     list);
}

int bg_sho__read(struct bg_call *call, struct bg_read_req *req)
{
    struct bg_handoff_world world;
    struct bg_handoff_failure f;
    struct bg_sho_world w;
    struct bg_sho_cfg cfg;
    int rc;

    if (bg_sho__cfg_read(&cfg, call->diags, req->state) != 0)
        return BG_EINVAL;
    if (cfg.unknown != NULL || cfg.n_sts == 0 || cfg.sts == NULL)
        return 0;
    rc = bg_sho__world_open(&w, call, &cfg);
    if (rc == 0) {
        rc = bg_handoff_observe(&world, call->arena, &cfg.spec, &w.ops, &f);
        if (rc != 0)
            bg_sho__failure_diag(call, &f);
    }
    bg_sho__world_close(&w);
    if (rc != 0)
        return rc;
    warn_drift(call, &cfg, &world); /* cfg.observed: the last read's, from state */
    bg_sho__set_observed(&cfg, call->arena, &world);
    req->new_state = bg_sho__flatten(call->arena, &cfg, req->state);
    return 0;
}
