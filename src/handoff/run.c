/*
 * run.c - the hand-off executor: observe, plan, take the first step still to take, wait for
 * it, and again, until the plan is empty. Nothing is remembered across runs: a run cut short
 * (StopProvider, a killed provider) is continued by the next one from what it observes. Within
 * a run, a step already completed is not taken again even where its effect cannot be
 * observed (flush, the waits).
 *
 * A failed step stops the run where it is: nothing is undone (scaling back up in from_cluster
 * could fight the volumes the new pods hold). The failure says what was seen.
 */
#include <stdio.h>
#include <string.h>

#include "internal.h"

struct run {
    struct bg_arena *a;
    const struct bg_handoff_spec *spec;
    const struct bg_handoff_ops *ops;
    const struct bg_clock *clock;
    const atomic_bool *stop;
    struct bg_handoff_failure *fail;
    struct bg_handoff_step *done; /* completed by this run */
    size_t n_done, cap_done;
    const char *last_shards; /* wait_joined: the previous poll's shard counts */
};

/* A probe looks once: *met when the step's wait is over, *seen says what it saw. A probe
 * error that is not final (BG_ERETRY, BG_EIO: a proxy 503 while masters start) is kept as
 * what was seen and the wait goes on. */
typedef int (*probe_fn)(struct run *r, const struct bg_handoff_step *s, bool *met,
                        const char **seen);

static const struct bg_handoff_workload *workload_of(const struct run *r,
                                                     const struct bg_handoff_step *s)
{
    return s->pause ? &r->spec->pause[s->index] : &r->spec->statefulsets[s->index];
}

static void log_step(struct run *r, const struct bg_handoff_step *s, const char *event,
                     const char *detail)
{
    if (r->ops->log != NULL)
        r->ops->log(r->ops->ctx, s, event, detail);
}

static int step_failed(struct run *r, const struct bg_handoff_step *s, int rc, const char *summary,
                       const char *seen)
{
    const char *attr = s->action == BG_HANDOFF_SCALE_NODE_GROUP ? "node_group"
                       : s->action == BG_HANDOFF_SCALE_DOWN || s->action == BG_HANDOFF_SCALE_UP
                           ? (s->pause ? "pause" : "statefulsets")
                           : "elasticsearch";
    bool indexed = s->action == BG_HANDOFF_SCALE_DOWN || s->action == BG_HANDOFF_SCALE_UP;

    bg_handoff__fail(r->fail, r->a, s, attr, indexed ? &s->index : NULL, summary,
                     bg_arena_printf(r->a,
                                     "Step %s in %s on %s: %s. Nothing was undone; the clusters "
                                     "stay as they are. Fix the cause, then run terraform apply "
                                     "again: the hand-off continues from this step.",
                                     bg_handoff_action_name(s->action),
                                     bg_handoff_cluster_name(s->cluster), s->target, seen));
    return rc;
}

static bool final_error(int rc)
{
    return rc == BG_EINVAL || rc == BG_ENOTFOUND || rc == BG_ECONFLICT || rc == BG_ELIMIT;
}

/* Polls start quick and back off to poll_interval_seconds: most waits (a pod that stops, a
 * setting that is acknowledged) are over within a second, a few take minutes. */
static double next_delay(const struct run *r, int attempt)
{
    double d = 0.25;

    for (int i = 0; i < attempt && d < r->spec->poll_s; i++)
        d *= 2;
    return d < r->spec->poll_s ? d : r->spec->poll_s;
}

static int wait_for(struct run *r, const struct bg_handoff_step *s, probe_fn probe,
                    const char *summary)
{
    double deadline = r->clock->now(r->clock->ctx) + r->spec->health_timeout_s;
    const char *seen = "nothing yet";
    int attempt = 0;
    bool met;

    for (;;) {
        int rc = probe(r, s, &met, &seen);

        if (rc == BG_ECANCELED)
            return rc;
        if (final_error(rc))
            return step_failed(r, s, rc, summary, seen);
        if (rc == 0 && met)
            return 0;
        if (r->clock->now(r->clock->ctx) >= deadline)
            return step_failed(r, s, BG_ERETRY, summary,
                               bg_arena_printf(r->a, "after %.0f s (health_timeout_seconds): %s",
                                               r->spec->health_timeout_s, seen));
        log_step(r, s, "wait", seen);
        if (bg_clock_nap(r->clock, next_delay(r, attempt++), r->stop) != 0)
            return BG_ECANCELED;
    }
}

/* ---- probes ---------------------------------------------------------------------------- */

static int probe_workload(struct run *r, const struct bg_handoff_step *s, bool *met,
                          const char **seen)
{
    const struct bg_handoff_workload *w = workload_of(r, s);
    struct bg_error err = BG_ERROR_INIT;
    struct bg_handoff_obs o;
    int rc = r->ops->workload(r->ops->ctx, &o, s->cluster, w, &err);

    *met = false;
    if (rc != 0) {
        *seen = bg_arena_printf(r->a, "reading %s/%s failed: %s", w->namespace_, w->name, err.msg);
        return rc;
    }
    if (s->action == BG_HANDOFF_SCALE_DOWN) {
        *met = o.spec_replicas == 0 && o.pods == 0;
        *seen = bg_arena_printf(r->a, "%d pod(s) left, spec.replicas %d", o.pods, o.spec_replicas);
    } else {
        *met = o.settled && o.spec_replicas == w->replicas && o.ready == w->replicas;
        *seen = bg_arena_printf(r->a, "%d of %d pod(s) ready", o.ready, w->replicas);
    }
    return 0;
}

static int expected_nodes(const struct run *r)
{
    int n = 0;

    for (size_t i = 0; i < r->spec->n_statefulsets; i++)
        n += r->spec->statefulsets[i].replicas;
    return n;
}

static int probe_health(struct run *r, const struct bg_handoff_step *s, bool *met,
                        const char **seen)
{
    struct bg_error err = BG_ERROR_INIT;
    struct bg_handoff_health h;
    int rc = r->ops->es_health(r->ops->ctx, &h, s->cluster, &err), want = expected_nodes(r);
    bool joined;

    *met = false;
    if (rc != 0) {
        *seen = bg_arena_printf(r->a, "_cluster/health failed: %s", err.msg);
        return final_error(rc) || rc == BG_ECANCELED ? rc : 0;
    }
    *seen = bg_arena_printf(r->a, "status %s, %d of %d node(s) joined, %d unassigned shard(s)",
                            h.status, h.nodes, want, h.unassigned);
    if (s->action == BG_HANDOFF_WAIT_GREEN) {
        *met = strcmp(h.status, "green") == 0;
        return 0;
    }
    joined = (strcmp(h.status, "green") == 0 || strcmp(h.status, "yellow") == 0) && h.nodes >= want;
    /* stable: the same per-node shard counts in two polls in a row */
    *met = joined && h.shards != NULL && r->last_shards != NULL &&
           strcmp(h.shards, r->last_shards) == 0;
    r->last_shards = joined ? h.shards : NULL;
    return 0;
}

static int probe_node_group(struct run *r, const struct bg_handoff_step *s, bool *met,
                            const char **seen)
{
    struct bg_error err = BG_ERROR_INIT;
    struct bg_handoff_ng ng;
    int rc = r->ops->node_group(r->ops->ctx, &ng, &err);

    (void)s;
    *met = false;
    if (rc != 0) {
        *seen = bg_arena_printf(r->a, "describing the node group failed: %s", err.msg);
        return rc;
    }
    *met =
        ng.desired == 0 && ng.min == 0 && ng.instances == 0 && strcmp(ng.status, "UPDATING") != 0;
    *seen = bg_arena_printf(r->a, "desired %d, min %d, %d instance(s)%s%s", ng.desired, ng.min,
                            ng.instances, *ng.status ? ", status " : "", ng.status);
    return 0;
}

/* ---- actions --------------------------------------------------------------------------- */

static int op_error(struct run *r, const struct bg_handoff_step *s, int rc, const char *what,
                    const struct bg_error *err)
{
    if (rc == BG_ECANCELED)
        return rc;
    return step_failed(r, s, rc, "Hand-off step failed",
                       bg_arena_printf(r->a, "%s failed: %s", what, err->msg));
}

/* Never scale up in to_cluster while the same workload has pods in from_cluster: their
 * volumes are still attached there. */
static int guard_from_empty(struct run *r, const struct bg_handoff_step *s,
                            const struct bg_handoff_workload *w)
{
    struct bg_error err = BG_ERROR_INIT;
    struct bg_handoff_obs o;
    int rc = r->ops->workload(r->ops->ctx, &o, BG_HANDOFF_FROM, w, &err);

    if (rc != 0)
        return op_error(r, s, rc, "reading from_cluster", &err);
    if (o.pods == 0 && o.spec_replicas == 0)
        return 0;
    return step_failed(r, s, BG_ECONFLICT, "Refusing to scale up while the old pods exist",
                       bg_arena_printf(r->a,
                                       "%s/%s still has %d pod(s) (spec.replicas %d) in "
                                       "from_cluster, whose volumes would not attach in "
                                       "to_cluster; scale it to 0 there first",
                                       w->namespace_, w->name, o.pods, o.spec_replicas));
}

static int scale_to(struct run *r, const struct bg_handoff_step *s, int replicas)
{
    const struct bg_handoff_workload *w = workload_of(r, s);
    struct bg_error err = BG_ERROR_INIT;
    struct bg_handoff_obs o;
    int rc = r->ops->workload(r->ops->ctx, &o, s->cluster, w, &err);

    if (rc == 0 && o.spec_replicas != replicas)
        rc = r->ops->scale(r->ops->ctx, s->cluster, w, replicas, &err);
    if (rc != 0)
        return op_error(
            r, s, rc,
            bg_arena_printf(r->a, "scaling %s/%s to %d", w->namespace_, w->name, replicas), &err);
    return wait_for(r, s, probe_workload,
                    replicas == 0 ? "Scale-down did not finish" : "Pods did not become ready");
}

static int scale_up(struct run *r, const struct bg_handoff_step *s)
{
    const struct bg_handoff_workload *w = workload_of(r, s);
    int rc = guard_from_empty(r, s, w);

    return rc != 0 ? rc : scale_to(r, s, w->replicas);
}

static int node_group_zero(struct run *r, const struct bg_handoff_step *s)
{
    struct bg_error err = BG_ERROR_INIT;
    struct bg_handoff_ng ng;
    int rc = 0;

    for (size_t i = 0; rc == 0 && i < r->spec->n_statefulsets; i++) {
        struct bg_handoff_obs o;

        rc = r->ops->workload(r->ops->ctx, &o, BG_HANDOFF_FROM, &r->spec->statefulsets[i], &err);
        if (rc == 0 && o.pods > 0)
            return step_failed(r, s, BG_ECONFLICT, "Refusing to scale the node group to 0",
                               bg_arena_printf(r->a, "%s/%s still has %d pod(s) in from_cluster",
                                               r->spec->statefulsets[i].namespace_,
                                               r->spec->statefulsets[i].name, o.pods));
    }
    if (rc == 0)
        rc = r->ops->node_group(r->ops->ctx, &ng, &err);
    /* already asked for (an earlier run was cut short in the wait): only wait */
    if (rc == 0 && (ng.desired != 0 || ng.min != 0))
        rc = r->ops->node_group_zero(r->ops->ctx, &err);
    if (rc != 0)
        return op_error(r, s, rc, "scaling the node group to 0", &err);
    return wait_for(r, s, probe_node_group, "Node group did not scale to 0");
}

static int allocation(struct run *r, const struct bg_handoff_step *s, const char *value)
{
    struct bg_error err = BG_ERROR_INIT;
    int rc = r->ops->es_set_allocation(r->ops->ctx, s->cluster, value, &err);

    if (rc != 0)
        return op_error(r, s, rc,
                        bg_arena_printf(r->a,
                                        "PUT _cluster/settings "
                                        "cluster.routing.allocation.enable = %s",
                                        value != NULL ? value : "null"),
                        &err);
    return 0;
}

static int take(struct run *r, const struct bg_handoff_step *s)
{
    struct bg_error err = BG_ERROR_INIT;
    int rc;

    switch (s->action) {
    case BG_HANDOFF_SCALE_DOWN:
        return scale_to(r, s, 0);
    case BG_HANDOFF_SCALE_UP:
        return scale_up(r, s);
    case BG_HANDOFF_DISABLE_ALLOCATION:
        return allocation(r, s, "primaries");
    case BG_HANDOFF_ENABLE_ALLOCATION:
        return allocation(r, s, NULL);
    case BG_HANDOFF_FLUSH:
        rc = r->ops->es_flush(r->ops->ctx, s->cluster, &err);
        return rc != 0 ? op_error(r, s, rc, "POST _flush", &err) : 0;
    case BG_HANDOFF_SCALE_NODE_GROUP:
        return node_group_zero(r, s);
    case BG_HANDOFF_WAIT_JOINED:
        r->last_shards = NULL;
        return wait_for(r, s, probe_health, "Elasticsearch nodes did not all join");
    case BG_HANDOFF_WAIT_GREEN:
        return wait_for(r, s, probe_health, "Elasticsearch did not turn green");
    }
    return BG_EINVAL;
}

/* ---- the loop ---------------------------------------------------------------------------- */

static bool done_before(const struct run *r, const struct bg_handoff_step *s)
{
    for (size_t i = 0; i < r->n_done; i++) {
        if (bg_handoff_step_equal(&r->done[i], s))
            return true;
    }
    return false;
}

static void record(struct run *r, const struct bg_handoff_step *s)
{
    if (r->n_done == r->cap_done) {
        size_t cap = r->cap_done > 0 ? 2 * r->cap_done : 16;
        struct bg_handoff_step *grown = bg_arena_calloc(r->a, cap, sizeof(*grown));

        if (r->n_done > 0)
            memcpy(grown, r->done, r->n_done * sizeof(*grown));
        r->done = grown;
        r->cap_done = cap;
    }
    r->done[r->n_done++] = *s;
}

static bool stopped(const struct run *r)
{
    return r->stop != NULL && atomic_load(r->stop);
}

/* Waits for the effect of every step before `upto` (all steps when NULL) whose intent is in
 * the world but has not converged yet: the pods of a scale-down an earlier run started, the
 * instances of a node group already at 0. */
static int settle(struct run *r, const struct bg_handoff_world *w,
                  const struct bg_handoff_step *upto)
{
    struct bg_handoff_plan all;

    bg_handoff__canonical(&all, r->a, r->spec);
    for (size_t i = 0; i < all.n; i++) {
        const struct bg_handoff_step *t = &all.steps[i];
        int rc = 0;

        if (upto != NULL && bg_handoff_step_equal(t, upto))
            break;
        if (!bg_handoff__intent_done(t, r->spec, w) || bg_handoff__converged(t, r->spec, w))
            continue;
        if (t->action == BG_HANDOFF_SCALE_NODE_GROUP)
            rc = wait_for(r, t, probe_node_group, "Node group did not scale to 0");
        else if (t->action == BG_HANDOFF_SCALE_DOWN)
            rc = wait_for(r, t, probe_workload, "Scale-down did not finish");
        else if (t->action == BG_HANDOFF_SCALE_UP)
            rc = wait_for(r, t, probe_workload, "Pods did not become ready");
        if (rc != 0)
            return rc;
    }
    return 0;
}

/* The first planned step this run has not completed yet (NULL when none is left), once what
 * came before it has converged. */
static const struct bg_handoff_step *next_step(struct run *r, int *rc)
{
    struct bg_handoff_world w;
    struct bg_handoff_plan plan;
    const struct bg_handoff_step *s = NULL;

    *rc = bg_handoff_observe(&w, r->a, r->spec, r->ops, r->fail);
    if (*rc != 0)
        return NULL;
    bg_handoff_plan(&plan, r->a, r->spec, &w);
    for (size_t i = 0; i < plan.n && s == NULL; i++) {
        if (!done_before(r, &plan.steps[i]))
            s = &plan.steps[i];
    }
    *rc = settle(r, &w, s);
    return *rc == 0 ? s : NULL;
}

int bg_handoff_run(size_t *taken, struct bg_arena *a, const struct bg_handoff_spec *spec,
                   const struct bg_handoff_ops *ops, const struct bg_clock *clock,
                   const atomic_bool *stop, struct bg_handoff_failure *fail)
{
    struct run r = {a, spec, ops, clock, stop, fail, NULL, 0, 0, NULL};
    const struct bg_handoff_step *s;
    int rc = 0;

    memset(fail, 0, sizeof(*fail));
    *taken = 0;
    while (rc == 0) {
        if (stopped(&r))
            return BG_ECANCELED;
        s = next_step(&r, &rc);
        if (s == NULL)
            break;
        log_step(&r, s, "start", "");
        rc = take(&r, s);
        if (rc == 0) {
            record(&r, s);
            (*taken)++;
            log_step(&r, s, "done", "");
        }
    }
    if (rc != 0 && stopped(&r))
        rc = BG_ECANCELED;
    return rc;
}
