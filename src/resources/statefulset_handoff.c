/*
 * statefulset_handoff.c - resource bluegreen_statefulset_handoff: schema table and
 * validation. Lifecycle hooks in statefulset_handoff_ops.c, the world in
 * statefulset_handoff_world.c, the engine in src/handoff.
 *
 * Moves EBS-backed statefulsets (Elasticsearch, Prometheus, Solr...) from one cluster to
 * another: pause the writers, quiesce Elasticsearch, scale down in the old cluster, release
 * the old node group, scale up in the new cluster, wait for health, resume the writers. The
 * observed world is the only record of progress.
 */
#include <string.h>

#include "statefulset_handoff.h"

static const char *const description =
    "Hands EBS-backed statefulsets over from one Kubernetes cluster to another, in the order a "
    "volume allows (it attaches to one node at a time): pause workloads stop in the old "
    "cluster, Elasticsearch shard allocation is limited to primaries and flushed, the "
    "statefulsets stop in the old cluster (reverse order), the old node group goes to 0, the "
    "statefulsets start in the new cluster (list order), allocation comes back once every node "
    "joined, and the pause workloads start in the new cluster once the cluster is green. The "
    "plan lists the steps left; an interrupted apply continues from what the clusters show.";

static const size_t non_empty[2] = {1, 64};
static const size_t name_len[2] = {1, 253};
static const int64_t replicas_range[2] = {1, 10000};
static const int64_t timeout_range[2] = {1, 86400};
static const int64_t poll_range[2] = {1, 3600};
static const char *const schemes[] = {"http", "https", NULL};
static const char *const exec_versions[] = {"client.authentication.k8s.io/v1beta1",
                                            "client.authentication.k8s.io/v1", NULL};

static void check_name(struct bg_diags *d, const struct bg_path *path, const struct bg_value *v,
                       const void *arg);
static void check_service(struct bg_diags *d, const struct bg_path *path, const struct bg_value *v,
                          const void *arg);

static const struct bg_validator list_v[] = {{bg_validate_length, non_empty, NULL},
                                             {NULL, NULL, NULL}};
static const struct bg_validator name_v[] = {
    {bg_validate_length, name_len, NULL},
    {check_name, NULL,
     "A Kubernetes object name: lower case letters, digits, `-` and `.`, starting and ending with "
     "a letter or digit."},
    {NULL, NULL, NULL}};
static const struct bg_validator replicas_v[] = {{bg_validate_int_range, replicas_range, NULL},
                                                 {NULL, NULL, NULL}};
static const struct bg_validator timeout_v[] = {{bg_validate_int_range, timeout_range, NULL},
                                                {NULL, NULL, NULL}};
static const struct bg_validator poll_v[] = {{bg_validate_int_range, poll_range, NULL},
                                             {NULL, NULL, NULL}};
static const struct bg_validator scheme_v[] = {{bg_validate_one_of, schemes, NULL},
                                               {NULL, NULL, NULL}};
static const struct bg_validator exec_version_v[] = {{bg_validate_one_of, exec_versions, NULL},
                                                     {NULL, NULL, NULL}};
static const struct bg_validator service_v[] = {
    {check_service, NULL, "`NAMESPACE/NAME:PORT`, e.g. `elasticsearch/elastic-master:9200`."},
    {NULL, NULL, NULL}};
static const struct bg_validator not_empty_v[] = {{bg_validate_not_empty, NULL, NULL},
                                                  {NULL, NULL, NULL}};

static const struct bg_attr exec_attrs[] = {
    {.name = "api_version",
     .type = &bg_type_string,
     .flags = BG_REQUIRED,
     .validators = exec_version_v,
     .description = "ExecCredential version the plugin speaks: "
                    "`client.authentication.k8s.io/v1beta1` (aws eks get-token) or `/v1`.",
     .slot = BG_SLOT_STRING(struct bg_sho_exec_arg, api_version)},
    {.name = "command",
     .type = &bg_type_string,
     .flags = BG_REQUIRED,
     .validators = not_empty_v,
     .description = "Program to run (no shell), looked up in PATH unless it contains a `/`.",
     .slot = BG_SLOT_STRING(struct bg_sho_exec_arg, command)},
    {.name = "args",
     .type = &bg_type_list_string,
     .flags = BG_OPTIONAL,
     .description = "Its arguments.",
     .slot = BG_SLOT_STRINGS(struct bg_sho_exec_arg, args, n_args)},
    {.name = "env",
     .type = &bg_type_map_string,
     .flags = BG_OPTIONAL,
     .description = "Environment variables added to the provider's for the plugin.",
     .slot = BG_SLOT_PAIRS(struct bg_sho_exec_arg, env, n_env)},
};

static const struct bg_attr cluster_attrs[] = {
    {.name = "host",
     .type = &bg_type_string,
     .flags = BG_OPTIONAL,
     .description = "API server URL (`https://...`). Overrides the kubeconfig's.",
     .slot = BG_SLOT_STRING(struct bg_sho_cluster, k8s.host),
     .presence = BG_PRESENCE(struct bg_sho_cluster, host_is)},
    {.name = "cluster_ca_certificate",
     .type = &bg_type_string,
     .flags = BG_OPTIONAL,
     .description = "PEM of the CA that signed the API server's certificate. TLS is always "
                    "verified; without it, the system CAs.",
     .slot = BG_SLOT_STRING(struct bg_sho_cluster, k8s.cluster_ca_certificate)},
    {.name = "token",
     .type = &bg_type_string,
     .flags = BG_OPTIONAL | BG_SENSITIVE,
     .description = "Bearer token.",
     .slot = BG_SLOT_STRING(struct bg_sho_cluster, k8s.token)},
    {.name = "client_certificate",
     .type = &bg_type_string,
     .flags = BG_OPTIONAL,
     .description = "PEM client certificate, with `client_key`.",
     .slot = BG_SLOT_STRING(struct bg_sho_cluster, k8s.client_certificate),
     .presence = BG_PRESENCE(struct bg_sho_cluster, client_certificate_is)},
    {.name = "client_key",
     .type = &bg_type_string,
     .flags = BG_OPTIONAL | BG_SENSITIVE,
     .description = "PEM private key of `client_certificate`.",
     .slot = BG_SLOT_STRING(struct bg_sho_cluster, k8s.client_key),
     .presence = BG_PRESENCE(struct bg_sho_cluster, client_key_is)},
    {.name = "config_path",
     .type = &bg_type_string,
     .flags = BG_OPTIONAL,
     .description = "A kubeconfig file (`~/` is the home directory).",
     .slot = BG_SLOT_STRING(struct bg_sho_cluster, k8s.config_path),
     .presence = BG_PRESENCE(struct bg_sho_cluster, config_path_is)},
    {.name = "config_context",
     .type = &bg_type_string,
     .flags = BG_OPTIONAL,
     .description = "Context of `config_path`; default: its current-context.",
     .slot = BG_SLOT_STRING(struct bg_sho_cluster, k8s.config_context)},
    {.name = "exec",
     .flags = BG_OPTIONAL,
     .nesting = BG_NEST_SINGLE,
     .nested = exec_attrs,
     .nnested = BG_COUNT(exec_attrs),
     .description = "An exec credential plugin (how EKS users authenticate: `aws eks "
                    "get-token`). Run again when its credential nears expiry.",
     .slot = BG_SLOT_OBJECT(struct bg_sho_cluster, exec_arg)},
};

static const struct bg_attr sts_attrs[] = {
    {.name = "name",
     .type = &bg_type_string,
     .flags = BG_REQUIRED,
     .validators = name_v,
     .description = "StatefulSet name, in `namespace`.",
     .slot = BG_SLOT_STRING(struct bg_sho_workload_arg, name)},
    {.name = "replicas",
     .type = &bg_type_number,
     .flags = BG_REQUIRED,
     .validators = replicas_v,
     .description = "Replicas to start in `to_cluster`.",
     .slot = BG_SLOT_INT(struct bg_sho_workload_arg, replicas)},
};

static const struct bg_attr pause_attrs[] = {
    {.name = "namespace",
     .type = &bg_type_string,
     .flags = BG_REQUIRED,
     .validators = name_v,
     .description = "Its namespace.",
     .slot = BG_SLOT_STRING(struct bg_sho_workload_arg, namespace_)},
    {.name = "name",
     .type = &bg_type_string,
     .flags = BG_REQUIRED,
     .validators = name_v,
     .description = "StatefulSet name.",
     .slot = BG_SLOT_STRING(struct bg_sho_workload_arg, name)},
    {.name = "replicas",
     .type = &bg_type_number,
     .flags = BG_REQUIRED,
     .validators = replicas_v,
     .description = "Replicas to start in `to_cluster` at the end.",
     .slot = BG_SLOT_INT(struct bg_sho_workload_arg, replicas)},
};

static const struct bg_attr es_attrs[] = {
    {.name = "service",
     .type = &bg_type_string,
     .flags = BG_REQUIRED,
     .validators = service_v,
     .description = "`NAMESPACE/NAME:PORT` of the Elasticsearch HTTP service, reached through "
                    "each cluster's API server service proxy.",
     .slot = BG_SLOT_STRING(struct bg_sho_es_arg, service)},
    {.name = "scheme",
     .type = &bg_type_string,
     .flags = BG_OPTIONAL,
     .validators = scheme_v,
     .description = "The service's own protocol; unset: `http`.",
     .slot = BG_SLOT_STRING(struct bg_sho_es_arg, scheme)},
    {.name = "username",
     .type = &bg_type_string,
     .flags = BG_OPTIONAL | BG_SENSITIVE,
     .description = "Refused: see the documentation (the service proxy removes Authorization).",
     .slot = BG_SLOT_STRING(struct bg_sho_es_arg, username),
     .presence = BG_PRESENCE(struct bg_sho_es_arg, username_is)},
    {.name = "password",
     .type = &bg_type_string,
     .flags = BG_OPTIONAL | BG_SENSITIVE,
     .description = "Refused, as `username`.",
     .slot = BG_SLOT_STRING(struct bg_sho_es_arg, password),
     .presence = BG_PRESENCE(struct bg_sho_es_arg, password_is)},
    {.name = "api_key",
     .type = &bg_type_string,
     .flags = BG_OPTIONAL | BG_SENSITIVE,
     .description = "Refused, as `username`.",
     .slot = BG_SLOT_STRING(struct bg_sho_es_arg, api_key),
     .presence = BG_PRESENCE(struct bg_sho_es_arg, api_key_is)},
};

static const struct bg_attr eks_attrs[] = {
    {.name = "cluster_name",
     .type = &bg_type_string,
     .flags = BG_REQUIRED,
     .validators = not_empty_v,
     .description = "EKS cluster of the node group.",
     .slot = BG_SLOT_STRING(struct bg_sho_eks_arg, cluster_name)},
    {.name = "nodegroup_name",
     .type = &bg_type_string,
     .flags = BG_REQUIRED,
     .validators = not_empty_v,
     .description = "Managed node group name.",
     .slot = BG_SLOT_STRING(struct bg_sho_eks_arg, nodegroup_name)},
};

static const struct bg_attr ng_attrs[] = {
    {.name = "autoscaling_group_name",
     .type = &bg_type_string,
     .flags = BG_OPTIONAL,
     .validators = not_empty_v,
     .description = "The old node group's Auto Scaling group.",
     .slot = BG_SLOT_STRING(struct bg_sho_ng_arg, autoscaling_group_name),
     .presence = BG_PRESENCE(struct bg_sho_ng_arg, asg_is)},
    {.name = "eks",
     .flags = BG_OPTIONAL,
     .nesting = BG_NEST_SINGLE,
     .nested = eks_attrs,
     .nnested = BG_COUNT(eks_attrs),
     .description = "Or an EKS managed node group.",
     .slot = BG_SLOT_OBJECT(struct bg_sho_ng_arg, eks),
     .presence = BG_PRESENCE(struct bg_sho_ng_arg, eks_is)},
};

/* `steps` and `observed` are list(object) types rather than nested attributes, so that
 * terraform shows the steps left as added and removed ones (schema.h, the typed layer);
 * these name the objects' fields, in the types' order, for the slots. */
static const struct bg_attr step_attrs[] = {
    {.name = "action",
     .type = &bg_type_string,
     .flags = BG_COMPUTED,
     .slot = BG_SLOT_STRING(struct bg_sho_step_attr, action)},
    {.name = "cluster",
     .type = &bg_type_string,
     .flags = BG_COMPUTED,
     .slot = BG_SLOT_STRING(struct bg_sho_step_attr, cluster)},
    {.name = "target",
     .type = &bg_type_string,
     .flags = BG_COMPUTED,
     .slot = BG_SLOT_STRING(struct bg_sho_step_attr, target)},
};
static const struct bg_field step_fields[] = {
    {"action", &bg_type_string}, {"cluster", &bg_type_string}, {"target", &bg_type_string}};
static const struct bg_type step_type = BG_TYPE_OBJECT_OF(step_fields);
static const struct bg_type steps_type = {BG_TYPE_LIST, &step_type, NULL, 0};

static const struct bg_attr observed_attrs[] = {
    {.name = "cluster",
     .type = &bg_type_string,
     .flags = BG_COMPUTED,
     .slot = BG_SLOT_STRING(struct bg_sho_observed_attr, cluster)},
    {.name = "namespace",
     .type = &bg_type_string,
     .flags = BG_COMPUTED,
     .slot = BG_SLOT_STRING(struct bg_sho_observed_attr, namespace_)},
    {.name = "name",
     .type = &bg_type_string,
     .flags = BG_COMPUTED,
     .slot = BG_SLOT_STRING(struct bg_sho_observed_attr, name)},
    {.name = "replicas",
     .type = &bg_type_number,
     .flags = BG_COMPUTED,
     .slot = BG_SLOT_INT(struct bg_sho_observed_attr, replicas)},
    {.name = "ready_replicas",
     .type = &bg_type_number,
     .flags = BG_COMPUTED,
     .slot = BG_SLOT_INT(struct bg_sho_observed_attr, ready_replicas)},
};
static const struct bg_field observed_fields[] = {{"cluster", &bg_type_string},
                                                  {"namespace", &bg_type_string},
                                                  {"name", &bg_type_string},
                                                  {"replicas", &bg_type_number},
                                                  {"ready_replicas", &bg_type_number}};
static const struct bg_type observed_type = BG_TYPE_OBJECT_OF(observed_fields);
static const struct bg_type observed_list = {BG_TYPE_LIST, &observed_type, NULL, 0};

static const struct bg_attr attrs[] = {
    {.name = "id",
     .type = &bg_type_string,
     .flags = BG_COMPUTED | BG_USE_STATE,
     .description = "`NAMESPACE/first statefulset`.",
     .slot = BG_SLOT_STRING(struct bg_sho_cfg, id),
     .presence = BG_PRESENCE(struct bg_sho_cfg, id_is)},
    {.name = "from_cluster",
     .flags = BG_REQUIRED,
     .nesting = BG_NEST_SINGLE,
     .nested = cluster_attrs,
     .nnested = BG_COUNT(cluster_attrs),
     .description = "The old cluster, as the hashicorp/kubernetes provider takes a connection.",
     .slot = BG_SLOT_OBJECT(struct bg_sho_cfg, from)},
    {.name = "to_cluster",
     .flags = BG_REQUIRED,
     .nesting = BG_NEST_SINGLE,
     .nested = cluster_attrs,
     .nnested = BG_COUNT(cluster_attrs),
     .description = "The new cluster, where the same statefulsets are deployed with 0 replicas.",
     .slot = BG_SLOT_OBJECT(struct bg_sho_cfg, to)},
    {.name = "namespace",
     .type = &bg_type_string,
     .flags = BG_REQUIRED,
     .validators = name_v,
     .description = "Namespace of `statefulsets`.",
     .slot = BG_SLOT_STRING(struct bg_sho_cfg, namespace_)},
    {.name = "statefulsets",
     .flags = BG_REQUIRED,
     .nesting = BG_NEST_LIST,
     .nested = sts_attrs,
     .nnested = BG_COUNT(sts_attrs),
     .validators = list_v,
     .description = "Started in list order in `to_cluster`, stopped in reverse order in "
                    "`from_cluster`. With `elasticsearch`, every pod of them is an Elasticsearch "
                    "node that must join.",
     .slot = BG_SLOT_OBJECTS(struct bg_sho_cfg, sts_arg, n_sts)},
    {.name = "pause",
     .flags = BG_OPTIONAL,
     .nesting = BG_NEST_LIST,
     .nested = pause_attrs,
     .nnested = BG_COUNT(pause_attrs),
     .description = "Statefulsets stopped first in `from_cluster` and started last in "
                    "`to_cluster` (writers such as Logstash, which buffer in Kafka meanwhile).",
     .slot = BG_SLOT_OBJECTS(struct bg_sho_cfg, pause_arg, n_pause)},
    {.name = "elasticsearch",
     .flags = BG_OPTIONAL,
     .nesting = BG_NEST_SINGLE,
     .nested = es_attrs,
     .nnested = BG_COUNT(es_attrs),
     .description = "The statefulsets form an Elasticsearch cluster: allocation and health "
                    "steps are added.",
     .slot = BG_SLOT_OBJECT(struct bg_sho_cfg, es_arg)},
    {.name = "node_group",
     .flags = BG_OPTIONAL,
     .nesting = BG_NEST_SINGLE,
     .nested = ng_attrs,
     .nnested = BG_COUNT(ng_attrs),
     .description = "The old cluster's node group of these pods: desired and min size to 0 once "
                    "they are gone, which releases their EBS volumes. Uses the provider's AWS "
                    "settings.",
     .slot = BG_SLOT_OBJECT(struct bg_sho_cfg, ng_arg)},
    {.name = "health_timeout_seconds",
     .type = &bg_type_number,
     .flags = BG_OPTIONAL,
     .default_json = "1800",
     .validators = timeout_v,
     .description = "How long each wait (pods gone, pods ready, nodes joined, green) may take.",
     .slot = BG_SLOT_INT(struct bg_sho_cfg, health_timeout_s)},
    {.name = "poll_interval_seconds",
     .type = &bg_type_number,
     .flags = BG_OPTIONAL,
     .default_json = "10",
     .validators = poll_v,
     .description = "Interval between polls while waiting.",
     .slot = BG_SLOT_INT(struct bg_sho_cfg, poll_s)},
    {.name = "steps",
     .type = &steps_type,
     .flags = BG_COMPUTED,
     .nested = step_attrs,
     .nnested = BG_COUNT(step_attrs),
     .slot = BG_SLOT_OBJECTS(struct bg_sho_cfg, steps, n_steps),
     .presence = BG_PRESENCE(struct bg_sho_cfg, steps_is),
     .description = "In a plan: the steps the apply will take, from what the clusters show now "
                    "(`{ action, cluster, target }`); in state: the steps the last apply was "
                    "planned to take."},
    {.name = "observed",
     .type = &observed_list,
     .flags = BG_COMPUTED,
     .nested = observed_attrs,
     .nnested = BG_COUNT(observed_attrs),
     .slot = BG_SLOT_OBJECTS(struct bg_sho_cfg, observed, n_observed),
     .presence = BG_PRESENCE(struct bg_sho_cfg, observed_is),
     .description = "Replicas and ready replicas of every workload in both clusters, as last "
                    "read."},
};

static const struct bg_schema schema = {
    .version = 0,
    .block = {.description = description, .attrs = attrs, .nattrs = BG_COUNT(attrs)},
};

static bool is_name(const char *s, size_t n)
{
    return n > 0 && strspn(s, "abcdefghijklmnopqrstuvwxyz0123456789-.") == n && s[0] != '-' &&
           s[0] != '.' && s[n - 1] != '-' && s[n - 1] != '.';
}

static void check_name(struct bg_diags *d, const struct bg_path *path, const struct bg_value *v,
                       const void *arg)
{
    const char *s = bg_value_as_string(v);

    (void)arg;
    if (s != NULL && !is_name(s, strlen(s)))
        bg_diag_error(d, path, "Invalid Kubernetes name",
                      "\"%s\" is not a Kubernetes object name: lower case letters, digits, '-' "
                      "and '.', starting and ending with a letter or digit.",
                      s);
}

/* NAMESPACE/NAME:PORT, PORT a number or a port name */
static void check_service(struct bg_diags *d, const struct bg_path *path, const struct bg_value *v,
                          const void *arg)
{
    const char *s = bg_value_as_string(v), *slash, *colon;

    (void)arg;
    if (s == NULL)
        return;
    slash = strchr(s, '/');
    colon = slash != NULL ? strchr(slash, ':') : NULL;
    if (slash != NULL && colon != NULL && is_name(s, (size_t)(slash - s)) &&
        is_name(slash + 1, (size_t)(colon - slash - 1)) && is_name(colon + 1, strlen(colon + 1)))
        return;
    bg_diag_error(d, path, "Invalid Elasticsearch service",
                  "\"%s\" is not NAMESPACE/NAME:PORT (e.g. \"elasticsearch/elastic-master:9200\").",
                  s);
}

int bg_sho__cfg_expand(struct bg_sho_cfg *out, struct bg_diags *d, const struct bg_value *v)
{
    memset(out, 0, sizeof(*out));
    if (bg_schema_expand(out, d, &schema.block, v) != 0)
        return BG_EINVAL;
    out->unknown = bg_schema_unknown_arg_path(d->arena, &schema.block, v);
    return 0;
}

struct bg_value *bg_sho__flatten(struct bg_arena *a, const struct bg_sho_cfg *cfg,
                                 const struct bg_value *base)
{
    return bg_schema_flatten(a, &schema.block, cfg, base);
}

/* Terraform shows the configuration only for top-level attribute paths: the message names
 * the nested one. */
static const struct bg_path *top(struct bg_arena *a, const char *attribute)
{
    return bg_path_attr(a, NULL, attribute);
}

static int validate_es(struct bg_call *call, const struct bg_sho_es_arg *es)
{
    const enum bg_presence set[] = {es->username_is, es->password_is, es->api_key_is};
    static const char *const creds[] = {"username", "password", "api_key"};
    int rc = 0;

    for (size_t i = 0; i < BG_COUNT(creds); i++) {
        if (set[i] == BG_PRESENCE_NULL)
            continue;
        bg_diag_error(call->diags, top(call->arena, "elasticsearch"),
                      "Elasticsearch credentials cannot pass the service proxy",
                      "elasticsearch.%s: Elasticsearch is reached through the API server's service "
                      "proxy, which "
                      "authenticates the request with its own Authorization header and removes "
                      "that header before proxying (kubernetes/kubernetes#38775), so no "
                      "username, password or API key can reach Elasticsearch this way. Remove "
                      "%s and let Elasticsearch allow _cluster/settings, _flush, _cluster/health "
                      "and _cat/allocation without credentials (an anonymous role with the "
                      "cluster privileges monitor and manage), or leave out the elasticsearch "
                      "block and manage allocation yourself.",
                      creds[i], creds[i]);
        rc = BG_EINVAL;
    }
    return rc;
}

static int validate_node_group(struct bg_call *call, const struct bg_sho_ng_arg *ng)
{
    if (ng->asg_is == BG_PRESENCE_UNKNOWN || ng->eks_is == BG_PRESENCE_UNKNOWN ||
        (ng->asg_is == BG_PRESENCE_NULL) != (ng->eks_is == BG_PRESENCE_NULL))
        return 0;
    bg_diag_error(call->diags, top(call->arena, "node_group"), "Invalid node group",
                  "Set exactly one of autoscaling_group_name and eks.");
    return BG_EINVAL;
}

/* A connection needs a way to the API server and one set of credentials; settings not
 * known yet are checked at the next validation. */
static int validate_cluster(struct bg_call *call, const char *name, const struct bg_sho_cluster *c)
{
    if (c == NULL)
        return 0;
    if (c->client_certificate_is != BG_PRESENCE_UNKNOWN &&
        c->client_key_is != BG_PRESENCE_UNKNOWN &&
        (c->client_certificate_is == BG_PRESENCE_NULL) != (c->client_key_is == BG_PRESENCE_NULL)) {
        bg_diag_error(call->diags, top(call->arena, name), "Incomplete client certificate",
                      "%s: client_certificate and client_key go together.", name);
        return BG_EINVAL;
    }
    if (c->host_is == BG_PRESENCE_NULL && c->config_path_is == BG_PRESENCE_NULL) {
        bg_diag_error(call->diags, top(call->arena, name), "No API server",
                      "%s: set host (with cluster_ca_certificate and credentials), or "
                      "config_path.",
                      name);
        return BG_EINVAL;
    }
    return 0;
}

static int handoff_validate(struct bg_call *call, const struct bg_value *config)
{
    struct bg_diags quiet; /* the validators explain a bad value */
    struct bg_sho_cfg cfg;
    int rc = 0;

    bg_diags_init(&quiet, call->arena);
    bg_sho__cfg_expand(&cfg, &quiet, config);
    if (validate_cluster(call, "from_cluster", cfg.from) != 0)
        rc = BG_EINVAL;
    if (validate_cluster(call, "to_cluster", cfg.to) != 0)
        rc = BG_EINVAL;
    if (cfg.es_arg != NULL && validate_es(call, cfg.es_arg) != 0)
        rc = BG_EINVAL;
    if (cfg.ng_arg != NULL && validate_node_group(call, cfg.ng_arg) != 0)
        rc = BG_EINVAL;
    return rc;
}

const struct bg_resource bg_statefulset_handoff_resource = {
    .type_name = "bluegreen_statefulset_handoff",
    .schema = &schema,
    .validate = handoff_validate,
    .plan = bg_sho__plan,
    .create = bg_sho__apply,
    .update = bg_sho__apply,
    .destroy = bg_sho__destroy,
    .read = bg_sho__read,
    .import = NULL, /* nothing remote to import: a new resource plans no step once handed off */
};
