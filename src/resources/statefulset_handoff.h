/*
 * statefulset_handoff.h - internals shared by the bluegreen_statefulset_handoff files: the
 * arguments (read from a value by one small function per object, statefulset_handoff_expand.c,
 * until the typed schema layer lands), the world the engine acts on (statefulset_handoff_world.c:
 * Kubernetes clients, Elasticsearch through the service proxy, the node group in AWS), and the
 * lifecycle hooks (statefulset_handoff_ops.c).
 */
#ifndef BG_RESOURCES_STATEFULSET_HANDOFF_H
#define BG_RESOURCES_STATEFULSET_HANDOFF_H

#include "bluegreen/aws.h"
#include "bluegreen/handoff.h"
#include "bluegreen/k8s.h"
#include "bluegreen/resource.h"

struct bg_sho_cluster {
    struct bg_k8s_settings k8s;
    struct bg_k8s_exec exec; /* k8s.exec points here when set */
};

struct bg_sho_es {
    const char *namespace_, *service; /* "elasticsearch", "elastic-master:9200" */
    const char *scheme;               /* "http" or "https" */
    bool has_credentials;             /* username, password or api_key set */
};

struct bg_sho_node_group {
    const char *asg;                         /* autoscaling_group_name, or NULL */
    const char *eks_cluster, *eks_nodegroup; /* eks = { ... }, or NULL */
};

struct bg_sho_cfg {
    struct bg_sho_cluster from, to;
    const char *namespace_;
    struct bg_handoff_workload *sts, *pause;
    size_t n_sts, n_pause;
    bool has_es, has_ng;
    struct bg_sho_es es;
    struct bg_sho_node_group ng;
    int64_t health_timeout_s, poll_s;
    struct bg_handoff_spec spec; /* points into the above */
};

/* Reads a config, planned or state value. False when an argument is still unknown. */
bool bg_sho__cfg_read(struct bg_sho_cfg *out, struct bg_arena *a, const struct bg_value *v);

/* What the engine acts on for one call; clients are created on first use. */
struct bg_sho_world {
    struct bg_call *call;
    const struct bg_sho_cfg *cfg;
    struct bg_k8s_client *k8s[2]; /* BG_HANDOFF_FROM, BG_HANDOFF_TO */
    struct bg_aws_client *aws;
    struct bg_handoff_ops ops;
};

/* Resolves both cluster connections and creates their clients; diagnostics at
 * from_cluster.<setting> / to_cluster.<setting> on failure. */
int bg_sho__world_open(struct bg_sho_world *w, struct bg_call *call, const struct bg_sho_cfg *cfg);
void bg_sho__world_close(struct bg_sho_world *w);

/* A failure of the engine as a diagnostic at the attribute it names. */
void bg_sho__failure_diag(struct bg_call *call, const struct bg_handoff_failure *f);

/* The computed values: steps = [{action, cluster, target}], observed = [{cluster,
 * namespace, name, replicas, ready_replicas}]. */
struct bg_value *bg_sho__flatten_steps(struct bg_arena *a, const struct bg_handoff_plan *p);
struct bg_value *bg_sho__flatten_observed(struct bg_arena *a, const struct bg_sho_cfg *cfg,
                                          const struct bg_handoff_world *w);

int bg_sho__plan(struct bg_call *call, struct bg_plan_req *req);
int bg_sho__apply(struct bg_call *call, struct bg_apply_req *req);
int bg_sho__destroy(struct bg_call *call, struct bg_apply_req *req);
int bg_sho__read(struct bg_call *call, struct bg_read_req *req);

#endif
