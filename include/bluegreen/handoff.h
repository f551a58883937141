/*
 * handoff.h - the statefulset hand-off engine behind bluegreen_statefulset_handoff: moves
 * EBS-backed statefulsets (an Elasticsearch cluster, Prometheus, Solr...) from one Kubernetes
 * cluster to another. A volume attaches to one instance at a time, so the old pods must be
 * gone before the new ones can start.
 *
 * Order (create), each step waited for:
 *   1. scale_down         from_cluster  each pause workload (e.g. the indexer), in list order
 *   2. disable_allocation from_cluster  Elasticsearch cluster.routing.allocation.enable =
 *                                       "primaries"            (elasticsearch set)
 *   3. flush              from_cluster  POST _flush            (elasticsearch set)
 *   4. scale_down         from_cluster  each statefulset, in reverse list order
 *   5. scale_node_group   aws           the old node group's desired and min size to 0
 *   6. scale_up           to_cluster    each statefulset, in list order, to its replicas
 *   7. wait_joined        to_cluster    yellow or green, every node joined, shard counts
 *                                       per node stable across two polls
 *   8. enable_allocation  to_cluster    the setting back to null
 *   9. wait_green         to_cluster    health green
 *  10. scale_up           to_cluster    each pause workload back to its replicas
 *
 * The record of progress is the observed world (replicas, pods, the allocation setting,
 * health, the node group): bg_handoff_plan is a pure function from an observation to the
 * steps still to take, so a run cut short anywhere (StopProvider, SIGKILL) is continued by
 * observing again. A step is left out of the plan once its intent is in the world, judged
 * on what only the hand-off changes (terraform plans twice per apply and requires the same
 * steps, while pods keep converging in between):
 *   scale_down:         spec.replicas 0
 *   disable_allocation: the setting is "primaries", or no Elasticsearch pod is ready in
 *                       from_cluster (nothing left there to protect)
 *   flush:              as disable_allocation's second clause, or the first statefulset to go
 *                       down (the last listed) is already at 0
 *   scale_node_group:   desired 0 and min 0
 *   scale_up:           spec.replicas at the declared replicas
 *   wait_joined, enable_allocation: disable_allocation is done and the setting is null/all
 *   wait_green:         enable_allocation is done and a pause workload was started in
 *                       to_cluster (or there are none)
 * Convergence (pods gone, pods ready, instances gone) is waited for by the executor: after
 * each step, and for every earlier step before the next one (a run interrupted while old pods
 * were terminating first waits for them).
 * Safety rules the executor enforces whatever the plan says: nothing is scaled up in
 * to_cluster while pods of the same workload exist in from_cluster; the node group is scaled
 * to 0 only when no statefulset has a pod left in from_cluster.
 */
#ifndef BLUEGREEN_HANDOFF_H
#define BLUEGREEN_HANDOFF_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>

#include "arena.h"
#include "clock.h"
#include "common.h"

enum bg_handoff_cluster { BG_HANDOFF_FROM, BG_HANDOFF_TO, BG_HANDOFF_AWS };

enum bg_handoff_action {
    BG_HANDOFF_SCALE_DOWN,
    BG_HANDOFF_DISABLE_ALLOCATION,
    BG_HANDOFF_FLUSH,
    BG_HANDOFF_SCALE_NODE_GROUP,
    BG_HANDOFF_SCALE_UP,
    BG_HANDOFF_WAIT_JOINED,
    BG_HANDOFF_ENABLE_ALLOCATION,
    BG_HANDOFF_WAIT_GREEN,
};

struct bg_handoff_workload {
    const char *namespace_;
    const char *name;
    int replicas;
};

struct bg_handoff_spec {
    const struct bg_handoff_workload *statefulsets; /* list order = start order */
    size_t n_statefulsets;
    const struct bg_handoff_workload *pause;
    size_t n_pause;
    const char *es_target;   /* "NS/NAME:PORT" for display; NULL: no elasticsearch */
    const char *node_group;  /* display name; NULL: no node_group */
    double health_timeout_s; /* bound of every wait */
    double poll_s;           /* longest interval between polls (they start at 0.25 s) */
};

/* One workload as seen in one cluster. */
struct bg_handoff_obs {
    bool found;
    int spec_replicas;
    int ready;
    int pods;     /* existing pods, terminating ones included */
    bool settled; /* status.observedGeneration >= metadata.generation */
};

struct bg_handoff_health {
    const char *status; /* green | yellow | red */
    int nodes;
    int unassigned;
    const char *shards; /* "node=count,..." sorted by node: compared across polls */
};

struct bg_handoff_ng {
    int desired, min, instances;
    const char *status; /* EKS node group status, "" for an Auto Scaling group */
};

struct bg_handoff_world {
    struct bg_handoff_obs *from_sts, *to_sts;     /* by statefulsets index */
    struct bg_handoff_obs *from_pause, *to_pause; /* by pause index */
    bool alloc_known;
    const char *allocation; /* NULL: unset (null) */
    bool health_known;
    struct bg_handoff_health health;
    bool ng_known;
    struct bg_handoff_ng ng;
};

struct bg_handoff_step {
    enum bg_handoff_action action;
    enum bg_handoff_cluster cluster;
    const char *target; /* "NS/NAME", the Elasticsearch target, or the node group */
    bool pause;         /* scale steps: a pause workload (index into spec->pause) */
    size_t index;
};

struct bg_handoff_plan {
    struct bg_handoff_step *steps; /* arena; NULL when n == 0 */
    size_t n;
};

/* What a failed step saw and what to do; the resource turns it into a diagnostic. */
struct bg_handoff_failure {
    bool has_step;
    struct bg_handoff_step step;
    const char *attribute; /* "statefulsets", "pause", "from_cluster", "to_cluster",
                              "elasticsearch", "node_group" (with index where it applies) */
    bool has_index;
    size_t index;
    const char *summary;
    const char *detail; /* what was seen, and how to proceed */
};

/* The world as the executor reaches it; every function returns 0 or a BG_E* code with err
 * set (BG_ENOTFOUND for a missing statefulset, BG_ECANCELED on stop). Strings they return
 * come from their own arena (ctx). */
struct bg_handoff_ops {
    void *ctx;
    int (*workload)(void *ctx, struct bg_handoff_obs *out, enum bg_handoff_cluster c,
                    const struct bg_handoff_workload *w, struct bg_error *err);
    int (*scale)(void *ctx, enum bg_handoff_cluster c, const struct bg_handoff_workload *w,
                 int replicas, struct bg_error *err);
    int (*es_allocation)(void *ctx, const char **value, enum bg_handoff_cluster c,
                         struct bg_error *err);
    int (*es_set_allocation)(void *ctx, enum bg_handoff_cluster c, const char *value,
                             struct bg_error *err);
    int (*es_flush)(void *ctx, enum bg_handoff_cluster c, struct bg_error *err);
    int (*es_health)(void *ctx, struct bg_handoff_health *out, enum bg_handoff_cluster c,
                     struct bg_error *err);
    int (*node_group)(void *ctx, struct bg_handoff_ng *out, struct bg_error *err);
    int (*node_group_zero)(void *ctx, struct bg_error *err);
    /* Progress for logs: event is "start", "done" or "wait"; detail says what was seen. */
    void (*log)(void *ctx, const struct bg_handoff_step *s, const char *event, const char *detail);
};

/* Observes everything the plan depends on. A workload missing in either cluster fails with
 * its attribute and index. The Elasticsearch setting and health are read through the cluster
 * whose statefulsets have ready pods (to_cluster first); when neither has, they are unknown.
 * A proxy error where pods are ready fails (attribute "elasticsearch"), except BG_ERETRY
 * (Elasticsearch answered it is not ready, or the service has no endpoints yet). */
int bg_handoff_observe(struct bg_handoff_world *out, struct bg_arena *a,
                       const struct bg_handoff_spec *spec, const struct bg_handoff_ops *ops,
                       struct bg_handoff_failure *fail);

/* The steps still to take from w (pure). */
void bg_handoff_plan(struct bg_handoff_plan *out, struct bg_arena *a,
                     const struct bg_handoff_spec *spec, const struct bg_handoff_world *w);

/* Observes, plans, takes the first step and waits for it, again until nothing is left.
 * Returns 0 when done, BG_ECANCELED when *stop became true (at a safe point: between polls,
 * or an aborted request), else the error with *fail filled. *taken counts the steps this
 * run completed. */
int bg_handoff_run(size_t *taken, struct bg_arena *a, const struct bg_handoff_spec *spec,
                   const struct bg_handoff_ops *ops, const struct bg_clock *clock,
                   const atomic_bool *stop, struct bg_handoff_failure *fail);

/* "scale_down", "disable_allocation"... and "from_cluster", "to_cluster", "aws". */
const char *bg_handoff_action_name(enum bg_handoff_action a);
const char *bg_handoff_cluster_name(enum bg_handoff_cluster c);

/* Whether two steps are the same action on the same target in the same cluster. */
bool bg_handoff_step_equal(const struct bg_handoff_step *x, const struct bg_handoff_step *y);

#endif
