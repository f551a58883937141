/*
 * statefulset_handoff.h - internals shared by the bluegreen_statefulset_handoff files: the
 * resource in C (the typed layer fills it along statefulset_handoff.c's slots; what the
 * engine needs is derived in statefulset_handoff_expand.c), the world the engine acts on
 * (statefulset_handoff_world.c: Kubernetes clients, Elasticsearch through the service proxy,
 * the node group in AWS), and the lifecycle hooks (statefulset_handoff_ops.c).
 */
#ifndef BG_RESOURCES_STATEFULSET_HANDOFF_H
#define BG_RESOURCES_STATEFULSET_HANDOFF_H

#include "bluegreen/aws.h"
#include "bluegreen/handoff.h"
#include "bluegreen/k8s.h"
#include "bluegreen/resource.h"

/* exec = { ... } as the typed layer expands it; bg_sho__cfg_read turns it into the k8s
 * module's struct bg_k8s_exec. */
struct bg_sho_exec_arg {
    const char *api_version, *command;
    const char **args;
    size_t n_args;
    struct bg_pair *env;
    size_t n_env;
};

/* from_cluster / to_cluster: the connection settings go straight into the k8s module's
 * struct; the presence members are what validation needs to tell unset from unknown. */
struct bg_sho_cluster {
    struct bg_k8s_settings k8s;
    enum bg_presence host_is, config_path_is, client_certificate_is, client_key_is;
    struct bg_sho_exec_arg *exec_arg; /* NULL: no exec block */
    struct bg_k8s_exec exec;          /* k8s.exec points here when exec_arg is set */
};

/* statefulsets = [{name, replicas}] and pause = [{namespace, name, replicas}]. */
struct bg_sho_workload_arg {
    const char *namespace_, *name;
    int64_t replicas;
};

struct bg_sho_es_arg {
    const char *service, *scheme;
    const char *username, *password, *api_key; /* refused when set (or unknown) */
    enum bg_presence username_is, password_is, api_key_is;
};

struct bg_sho_eks_arg {
    const char *cluster_name, *nodegroup_name;
};

struct bg_sho_ng_arg {
    const char *autoscaling_group_name;
    enum bg_presence asg_is;
    struct bg_sho_eks_arg *eks;
    enum bg_presence eks_is;
};

/* The computed attributes' elements. */
struct bg_sho_step_attr {
    const char *action, *cluster, *target;
};

struct bg_sho_observed_attr {
    const char *cluster, *namespace_, *name;
    int64_t replicas, ready_replicas;
};

struct bg_sho_es {
    const char *namespace_, *service; /* "elasticsearch", "elastic-master:9200" */
    const char *scheme;               /* "http" or "https" */
};

struct bg_sho_node_group {
    const char *asg;                         /* autoscaling_group_name, or NULL */
    const char *eks_cluster, *eks_nodegroup; /* eks = { ... }, or NULL */
};

/* The resource in C. The first part is the schema's own (statefulset_handoff.c's slots,
 * filled and read by the typed layer); the second is derived from it by bg_sho__cfg_read in
 * the shapes the engine and the world take. */
struct bg_sho_cfg {
    const char *id;
    enum bg_presence id_is;
    struct bg_sho_cluster *from, *to; /* NULL only while unknown */
    const char *namespace_;
    struct bg_sho_workload_arg *sts_arg, *pause_arg;
    size_t n_sts, n_pause;
    struct bg_sho_es_arg *es_arg; /* NULL: no elasticsearch */
    struct bg_sho_ng_arg *ng_arg; /* NULL: no node_group */
    int64_t health_timeout_s, poll_s;
    struct bg_sho_step_attr *steps;
    size_t n_steps;
    enum bg_presence steps_is;
    struct bg_sho_observed_attr *observed;
    size_t n_observed;
    enum bg_presence observed_is;
    const struct bg_path *unknown; /* first argument not known until apply, or NULL */

    struct bg_handoff_workload *sts, *pause; /* n_sts, n_pause */
    bool has_es, has_ng;
    struct bg_sho_es es;
    struct bg_sho_node_group ng;
    struct bg_handoff_spec spec; /* points into the above */
};

/* The typed layer's part of bg_sho__cfg_read (statefulset_handoff.c, where the table is):
 * *out zeroed, v expanded along the slots, out->unknown set. */
int bg_sho__cfg_expand(struct bg_sho_cfg *out, struct bg_diags *d, const struct bg_value *v);

/* Expands a config, planned or state value into *out (zeroed first; defaults applied) and
 * derives the engine's shapes when every argument is known (out->unknown NULL). Returns 0, or
 * BG_EINVAL after adding diagnostics (a value that does not fit). */
int bg_sho__cfg_read(struct bg_sho_cfg *out, struct bg_diags *d, const struct bg_value *v);

/* The value of cfg: its computed attributes onto base (the plan or state it was read from). */
struct bg_value *bg_sho__flatten(struct bg_arena *a, const struct bg_sho_cfg *cfg,
                                 const struct bg_value *base);

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

/* cfg's `steps` and `observed` (KNOWN) from a plan and an observed world. */
void bg_sho__set_steps(struct bg_sho_cfg *cfg, struct bg_arena *a, const struct bg_handoff_plan *p);
void bg_sho__set_observed(struct bg_sho_cfg *cfg, struct bg_arena *a,
                          const struct bg_handoff_world *w);

int bg_sho__plan(struct bg_call *call, struct bg_plan_req *req);
int bg_sho__apply(struct bg_call *call, struct bg_apply_req *req);
int bg_sho__destroy(struct bg_call *call, struct bg_apply_req *req);
int bg_sho__read(struct bg_call *call, struct bg_read_req *req);

#endif
