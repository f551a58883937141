/*
 * observe.c - reads the world the hand-off plan depends on: every workload in both clusters,
 * the Elasticsearch allocation setting and health (through whichever cluster runs it), and
 * the node group.
 */
#include <string.h>

#include "internal.h"

void bg_handoff__fail(struct bg_handoff_failure *f, struct bg_arena *a,
                      const struct bg_handoff_step *step, const char *attribute,
                      const size_t *index, const char *summary, const char *detail)
{
    memset(f, 0, sizeof(*f));
    if (step != NULL) {
        f->has_step = true;
        f->step = *step;
    }
    f->attribute = attribute;
    if (index != NULL) {
        f->has_index = true;
        f->index = *index;
    }
    f->summary = summary;
    f->detail = bg_arena_strdup(a, detail);
}

static const char *what_failed(int code)
{
    switch (code) {
    case BG_ENOTFOUND:
        return "Statefulset not found";
    case BG_ECANCELED:
        return "Stopped on request";
    default:
        return "Cannot read the cluster";
    }
}

static int observe_list(struct bg_handoff_obs **out, struct bg_arena *a,
                        const struct bg_handoff_ops *ops, enum bg_handoff_cluster c,
                        const struct bg_handoff_workload *w, size_t n, const char *attribute,
                        struct bg_handoff_failure *fail)
{
    struct bg_error err = BG_ERROR_INIT;
    size_t i;

    *out = bg_arena_calloc(a, n + 1, sizeof(**out));
    for (i = 0; i < n; i++) {
        int rc = ops->workload(ops->ctx, &(*out)[i], c, &w[i], &err);

        if (rc == BG_ENOTFOUND)
            bg_handoff__fail(fail, a, NULL, attribute, &i, what_failed(rc),
                             bg_arena_printf(a,
                                             "%s/%s does not exist in %s: %s. Check the name "
                                             "and namespace, and that both clusters run it "
                                             "(the new cluster's Helm release deploys it "
                                             "with 0 replicas).",
                                             w[i].namespace_, w[i].name, bg_handoff_cluster_name(c),
                                             err.msg));
        else if (rc != 0)
            bg_handoff__fail(fail, a, NULL, bg_handoff_cluster_name(c), NULL, what_failed(rc),
                             bg_arena_printf(a, "Reading %s/%s in %s: %s", w[i].namespace_,
                                             w[i].name, bg_handoff_cluster_name(c), err.msg));
        if (rc != 0)
            return rc;
    }
    return 0;
}

static int ready_in(const struct bg_handoff_obs *o, size_t n)
{
    int ready = 0;

    for (size_t i = 0; i < n; i++)
        ready += o[i].ready;
    return ready;
}

/* Elasticsearch runs where its statefulsets have ready pods; to_cluster first. */
static int observe_es(struct bg_handoff_world *w, struct bg_arena *a,
                      const struct bg_handoff_spec *spec, const struct bg_handoff_ops *ops,
                      struct bg_handoff_failure *fail)
{
    struct bg_error err = BG_ERROR_INIT;
    enum bg_handoff_cluster c;
    int rc;

    if (ready_in(w->to_sts, spec->n_statefulsets) > 0)
        c = BG_HANDOFF_TO;
    else if (ready_in(w->from_sts, spec->n_statefulsets) > 0)
        c = BG_HANDOFF_FROM;
    else
        return 0; /* no node anywhere: unknown, which the plan reads as "not done" */
    rc = ops->es_allocation(ops->ctx, &w->allocation, c, &err);
    if (rc == 0)
        w->alloc_known = true;
    if (rc == 0 && ops->es_health(ops->ctx, &w->health, c, &err) == 0)
        w->health_known = true;
    /* BG_ERETRY: Elasticsearch answered but is not ready (no elected master yet), or the
     * service has no endpoints yet: unknown, which the plan reads as "not done" */
    if (rc == 0 || rc == BG_ECANCELED || rc == BG_ERETRY)
        return rc == BG_ERETRY ? 0 : rc;
    bg_handoff__fail(fail, a, NULL, "elasticsearch", NULL, "Elasticsearch is not reachable",
                     bg_arena_printf(a,
                                     "Elasticsearch statefulsets have ready pods in %s, but "
                                     "GET _cluster/settings through its API server's service "
                                     "proxy (%s) failed: %s. Check elasticsearch.service "
                                     "(NAMESPACE/NAME:PORT) and scheme.",
                                     bg_handoff_cluster_name(c), spec->es_target, err.msg));
    return rc;
}

static int observe_node_group(struct bg_handoff_world *w, struct bg_arena *a,
                              const struct bg_handoff_spec *spec, const struct bg_handoff_ops *ops,
                              struct bg_handoff_failure *fail)
{
    struct bg_error err = BG_ERROR_INIT;
    int rc;

    if (spec->node_group == NULL)
        return 0;
    rc = ops->node_group(ops->ctx, &w->ng, &err);
    if (rc == 0) {
        w->ng_known = true;
        return 0;
    }
    bg_handoff__fail(fail, a, NULL, "node_group", NULL,
                     rc == BG_ENOTFOUND ? "Node group not found" : "Cannot read the node group",
                     bg_arena_printf(a, "%s: %s", spec->node_group, err.msg));
    return rc;
}

int bg_handoff_observe(struct bg_handoff_world *out, struct bg_arena *a,
                       const struct bg_handoff_spec *spec, const struct bg_handoff_ops *ops,
                       struct bg_handoff_failure *fail)
{
    int rc;

    memset(out, 0, sizeof(*out));
    rc = observe_list(&out->from_pause, a, ops, BG_HANDOFF_FROM, spec->pause, spec->n_pause,
                      "pause", fail);
    if (rc == 0)
        rc = observe_list(&out->from_sts, a, ops, BG_HANDOFF_FROM, spec->statefulsets,
                          spec->n_statefulsets, "statefulsets", fail);
    if (rc == 0)
        rc = observe_list(&out->to_sts, a, ops, BG_HANDOFF_TO, spec->statefulsets,
                          spec->n_statefulsets, "statefulsets", fail);
    if (rc == 0)
        rc = observe_list(&out->to_pause, a, ops, BG_HANDOFF_TO, spec->pause, spec->n_pause,
                          "pause", fail);
    if (rc == 0 && spec->es_target != NULL)
        rc = observe_es(out, a, spec, ops, fail);
    if (rc == 0)
        rc = observe_node_group(out, a, spec, ops, fail);
    return rc;
}
