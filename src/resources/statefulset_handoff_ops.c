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

static struct bg_value *str(struct bg_arena *a, const char *s)
{
    return bg_value_string(a, s);
}

struct bg_value *bg_sho__flatten_steps(struct bg_arena *a, const struct bg_handoff_plan *p)
{
    struct bg_value *list = bg_value_array(a, p->n);

    for (size_t i = 0; i < p->n; i++) {
        struct bg_value *o = bg_value_map(a, 3);

        bg_value_put(a, o, "action", str(a, bg_handoff_action_name(p->steps[i].action)));
        bg_value_put(a, o, "cluster", str(a, bg_handoff_cluster_name(p->steps[i].cluster)));
        bg_value_put(a, o, "target", str(a, p->steps[i].target));
        bg_value_append(a, list, o);
    }
    return list;
}

static void add_observed(struct bg_arena *a, struct bg_value *list, const char *cluster,
                         const struct bg_handoff_workload *w, const struct bg_handoff_obs *o)
{
    struct bg_value *v = bg_value_map(a, 5);

    bg_value_put(a, v, "cluster", str(a, cluster));
    bg_value_put(a, v, "namespace", str(a, w->namespace_));
    bg_value_put(a, v, "name", str(a, w->name));
    bg_value_put(a, v, "replicas", bg_value_int(a, o->spec_replicas));
    bg_value_put(a, v, "ready_replicas", bg_value_int(a, o->ready));
    bg_value_append(a, list, v);
}

struct bg_value *bg_sho__flatten_observed(struct bg_arena *a, const struct bg_sho_cfg *cfg,
                                          const struct bg_handoff_world *w)
{
    struct bg_value *list = bg_value_array(a, 2 * (cfg->n_sts + cfg->n_pause));

    for (size_t i = 0; i < cfg->n_pause; i++)
        add_observed(a, list, "from_cluster", &cfg->pause[i], &w->from_pause[i]);
    for (size_t i = 0; i < cfg->n_sts; i++)
        add_observed(a, list, "from_cluster", &cfg->sts[i], &w->from_sts[i]);
    for (size_t i = 0; i < cfg->n_sts; i++)
        add_observed(a, list, "to_cluster", &cfg->sts[i], &w->to_sts[i]);
    for (size_t i = 0; i < cfg->n_pause; i++)
        add_observed(a, list, "to_cluster", &cfg->pause[i], &w->to_pause[i]);
    return list;
}

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

static const char *id_of(struct bg_arena *a, const struct bg_sho_cfg *cfg)
{
    return bg_arena_printf(a, "%s/%s", cfg->namespace_, cfg->sts[0].name);
}

int bg_sho__plan(struct bg_call *call, struct bg_plan_req *req)
{
    struct bg_arena *a = call->arena;
    struct bg_handoff_world world;
    struct bg_handoff_plan plan;
    struct bg_sho_world w;
    struct bg_sho_cfg cfg;
    int rc;

    if (req->destroy)
        return 0;
    if (!bg_sho__cfg_read(&cfg, a, req->config) || cfg.n_sts == 0) {
        bg_value_put(a, req->planned, "steps", bg_value_unknown(a));
        bg_value_put(a, req->planned, "observed", bg_value_unknown(a));
        return 0;
    }
    bg_value_put(a, req->planned, "id", str(a, id_of(a, &cfg)));
    rc = bg_sho__world_open(&w, call, &cfg);
    if (rc == 0)
        rc = survey(&world, &plan, call, &w, &cfg);
    bg_sho__world_close(&w);
    if (rc != 0)
        return rc;
    if (plan.n == 0 && req->prior != NULL && !bg_value_is_null(req->prior)) {
        bg_value_put(a, req->planned, "steps", bg_value_get(req->prior, "steps"));
        bg_value_put(a, req->planned, "observed", bg_value_get(req->prior, "observed"));
        return 0;
    }
    /* observed is read again after the apply: pods may still be converging now */
    bg_value_put(a, req->planned, "steps", bg_sho__flatten_steps(a, &plan));
    bg_value_put(a, req->planned, "observed", bg_value_unknown(a));
    return 0;
}

/* Every step left must be one the reviewer saw: a world that moved elsewhere since the plan
 * (someone scaled something) is planned again rather than acted on. */
static int check_matches_plan(struct bg_call *call, const struct bg_value *planned,
                              const struct bg_handoff_plan *plan)
{
    const struct bg_value *steps = bg_value_get(planned, "steps");
    struct bg_handoff_plan one;

    if (!bg_value_is_wholly_known(steps))
        return 0;
    for (size_t i = 0; i < plan->n; i++) {
        struct bg_value *want;
        bool found = false;

        one.steps = &plan->steps[i];
        one.n = 1;
        want = bg_sho__flatten_steps(call->arena, &one)->u.arr.items[0];
        for (size_t j = 0; j < bg_value_len(steps) && !found; j++)
            found = bg_value_equal(steps->u.arr.items[j], want);
        if (found)
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

static int apply_with(struct bg_call *call, struct bg_apply_req *req, struct bg_sho_world *w,
                      const struct bg_sho_cfg *cfg)
{
    struct bg_arena *a = call->arena;
    struct bg_handoff_world world;
    struct bg_handoff_failure f;
    struct bg_handoff_plan plan;
    struct bg_value *state;
    size_t taken = 0;
    int rc = survey(&world, &plan, call, w, cfg);

    if (rc == 0)
        rc = check_matches_plan(call, req->planned, &plan);
    if (rc != 0)
        return rc;
    rc = bg_handoff_run(&taken, a, &cfg->spec, &w->ops, bg_clock_system(), call->stop, &f);
    report(call, rc, &f);
    /* A failed create records nothing: the clusters alone decide the next plan, and a
     * tainted resource would be shown as a replacement. */
    if (bg_diags_has_errors(call->diags) && req->prior == NULL)
        return rc;
    state = bg_value_copy_map(a, req->planned);
    if (!bg_value_is_wholly_known(bg_value_get(state, "steps")))
        bg_value_put(a, state, "steps", bg_sho__flatten_steps(a, &plan));
    /* what the clusters show now; if even that read fails, nothing (the next refresh
     * fills it), never an unknown value in state */
    if (bg_handoff_observe(&world, a, &cfg->spec, &w->ops, &f) == 0)
        bg_value_put(a, state, "observed", bg_sho__flatten_observed(a, cfg, &world));
    else
        bg_value_put(a, state, "observed", bg_value_array(a, 0));
    req->new_state = state;
    return rc;
}

int bg_sho__apply(struct bg_call *call, struct bg_apply_req *req)
{
    struct bg_sho_world w;
    struct bg_sho_cfg cfg;
    int rc;

    req->new_state = (struct bg_value *)req->prior;
    if (!bg_sho__cfg_read(&cfg, call->arena, req->planned) || cfg.n_sts == 0) {
        bg_diag_error(call->diags, NULL, "Unknown arguments at apply",
                      "Every argument of bluegreen_statefulset_handoff must be known when it is "
                      "applied.");
        return BG_EINVAL;
    }
    rc = bg_sho__world_open(&w, call, &cfg);
    if (rc == 0)
        rc = apply_with(call, req, &w, &cfg);
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

static int replicas_in(const struct bg_value *observed, const char *cluster,
                       const struct bg_handoff_workload *wl)
{
    for (size_t i = 0; observed != NULL && observed->kind == BG_ARRAY && i < observed->u.arr.len;
         i++) {
        const struct bg_value *o = observed->u.arr.items[i];
        const char *c = bg_value_as_string(bg_value_get(o, "cluster"));
        const char *ns = bg_value_as_string(bg_value_get(o, "namespace"));
        const char *n = bg_value_as_string(bg_value_get(o, "name"));
        int64_t r = -1;

        if (c != NULL && ns != NULL && n != NULL && strcmp(c, cluster) == 0 &&
            strcmp(ns, wl->namespace_) == 0 && strcmp(n, wl->name) == 0 &&
            bg_value_as_int(&r, bg_value_get(o, "replicas")) == 0)
            return (int)r;
    }
    return -1;
}

/* Replicas back in from_cluster after they were 0 there: someone started the old copy. */
static void warn_drift(struct bg_call *call, const struct bg_value *old,
                       const struct bg_sho_cfg *cfg, const struct bg_handoff_world *w)
{
    char *list = NULL;

    for (size_t i = 0; i < cfg->n_sts + cfg->n_pause; i++) {
        bool pause = i >= cfg->n_sts;
        const struct bg_handoff_workload *wl = pause ? &cfg->pause[i - cfg->n_sts] : &cfg->sts[i];
        const struct bg_handoff_obs *o = pause ? &w->from_pause[i - cfg->n_sts] : &w->from_sts[i];

        if (replicas_in(old, "from_cluster", wl) == 0 && o->spec_replicas > 0)
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
    struct bg_value *state;
    int rc;

    if (!bg_sho__cfg_read(&cfg, call->arena, req->state) || cfg.n_sts == 0)
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
    warn_drift(call, bg_value_get(req->state, "observed"), &cfg, &world);
    state = bg_value_copy_map(call->arena, req->state);
    bg_value_put(call->arena, state, "observed",
                 bg_sho__flatten_observed(call->arena, &cfg, &world));
    req->new_state = state;
    return 0;
}
