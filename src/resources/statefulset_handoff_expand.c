/*
 * statefulset_handoff_expand.c - bluegreen_statefulset_handoff's arguments from a value into
 * struct bg_sho_cfg, one small function per object (cluster, exec, workloads, elasticsearch,
 * node_group), so each can be swapped for the typed schema layer's generic expand when it
 * lands. Assumes validation passed; returns false while anything the hand-off needs is
 * unknown.
 */
#include <string.h>

#include "statefulset_handoff.h"

static const char *str_of(const struct bg_value *o, const char *key)
{
    return bg_value_as_string(bg_value_get(o, key));
}

static int64_t int_of(const struct bg_value *v, int64_t fallback)
{
    int64_t n;

    return bg_value_as_int(&n, v) == 0 ? n : fallback;
}

static void expand_exec(struct bg_k8s_exec *x, struct bg_arena *a, const struct bg_value *v)
{
    const struct bg_value *args = bg_value_get(v, "args"), *env = bg_value_get(v, "env");
    size_t n_args = bg_value_len(args), n_env = bg_value_len(env);
    const char **argv = bg_arena_calloc(a, n_args + 1, sizeof(*argv));
    struct bg_k8s_env *e = bg_arena_calloc(a, n_env + 1, sizeof(*e));

    for (size_t i = 0; args != NULL && args->kind == BG_ARRAY && i < n_args; i++)
        argv[i] = bg_value_as_string(args->u.arr.items[i]);
    for (size_t i = 0; env != NULL && env->kind == BG_MAP && i < n_env; i++) {
        e[i].name = env->u.map.items[i].key;
        e[i].value = bg_value_as_string(env->u.map.items[i].value);
        if (e[i].value == NULL)
            e[i].value = "";
    }
    x->api_version = str_of(v, "api_version");
    x->command = str_of(v, "command");
    x->args = argv;
    x->n_args = n_args;
    x->env = e;
    x->n_env = n_env;
}

static void expand_cluster(struct bg_sho_cluster *c, struct bg_arena *a, const struct bg_value *v)
{
    const struct bg_value *exec = bg_value_get(v, "exec");

    memset(c, 0, sizeof(*c));
    c->k8s.host = str_of(v, "host");
    c->k8s.cluster_ca_certificate = str_of(v, "cluster_ca_certificate");
    c->k8s.token = str_of(v, "token");
    c->k8s.client_certificate = str_of(v, "client_certificate");
    c->k8s.client_key = str_of(v, "client_key");
    c->k8s.config_path = str_of(v, "config_path");
    c->k8s.config_context = str_of(v, "config_context");
    if (!bg_value_is_null(exec)) {
        expand_exec(&c->exec, a, exec);
        c->k8s.exec = &c->exec;
    }
}

/* statefulsets = [{name, replicas}] take the resource's namespace; pause entries name theirs. */
static void expand_workloads(struct bg_handoff_workload **out, size_t *n, struct bg_arena *a,
                             const struct bg_value *list, const char *ns)
{
    size_t len = bg_value_len(list);

    *out = bg_arena_calloc(a, len + 1, sizeof(**out));
    *n = 0;
    for (size_t i = 0; list != NULL && list->kind == BG_ARRAY && i < len; i++) {
        const struct bg_value *o = list->u.arr.items[i];
        struct bg_handoff_workload *w = &(*out)[(*n)++];

        w->namespace_ = ns != NULL ? ns : str_of(o, "namespace");
        w->name = str_of(o, "name");
        w->replicas = (int)int_of(bg_value_get(o, "replicas"), 0);
    }
}

/* service = "NAMESPACE/NAME:PORT" */
static void expand_es(struct bg_sho_es *es, struct bg_arena *a, const struct bg_value *v)
{
    const char *service = str_of(v, "service"),
               *slash = service != NULL ? strchr(service, '/') : NULL;
    const char *scheme = str_of(v, "scheme");

    memset(es, 0, sizeof(*es));
    if (slash != NULL) {
        es->namespace_ = bg_arena_strndup(a, service, (size_t)(slash - service));
        es->service = slash + 1;
    }
    es->scheme = scheme != NULL ? scheme : "http";
    es->has_credentials = str_of(v, "username") != NULL || str_of(v, "password") != NULL ||
                          str_of(v, "api_key") != NULL;
}

static void expand_node_group(struct bg_sho_node_group *ng, const struct bg_value *v)
{
    const struct bg_value *eks = bg_value_get(v, "eks");

    memset(ng, 0, sizeof(*ng));
    ng->asg = str_of(v, "autoscaling_group_name");
    if (!bg_value_is_null(eks)) {
        ng->eks_cluster = str_of(eks, "cluster_name");
        ng->eks_nodegroup = str_of(eks, "nodegroup_name");
    }
}

static void fill_spec(struct bg_sho_cfg *c, struct bg_arena *a)
{
    struct bg_handoff_spec *s = &c->spec;

    s->statefulsets = c->sts;
    s->n_statefulsets = c->n_sts;
    s->pause = c->pause;
    s->n_pause = c->n_pause;
    s->es_target = c->has_es ? bg_arena_printf(a, "%s/%s", c->es.namespace_, c->es.service) : NULL;
    s->node_group = !c->has_ng ? NULL
                    : c->ng.asg
                        ? c->ng.asg
                        : bg_arena_printf(a, "%s/%s", c->ng.eks_cluster, c->ng.eks_nodegroup);
    s->health_timeout_s = (double)c->health_timeout_s;
    s->poll_s = (double)c->poll_s;
}

bool bg_sho__cfg_read(struct bg_sho_cfg *out, struct bg_arena *a, const struct bg_value *v)
{
    static const char *const needed[] = {"from_cluster",
                                         "to_cluster",
                                         "namespace",
                                         "statefulsets",
                                         "pause",
                                         "elasticsearch",
                                         "node_group",
                                         "health_timeout_seconds",
                                         "poll_interval_seconds"};
    const struct bg_value *es = bg_value_get(v, "elasticsearch"),
                          *ng = bg_value_get(v, "node_group");

    for (size_t i = 0; i < BG_COUNT(needed); i++) {
        if (!bg_value_is_wholly_known(bg_value_get(v, needed[i])))
            return false;
    }
    memset(out, 0, sizeof(*out));
    out->namespace_ = str_of(v, "namespace");
    if (out->namespace_ == NULL)
        return false;
    expand_cluster(&out->from, a, bg_value_get(v, "from_cluster"));
    expand_cluster(&out->to, a, bg_value_get(v, "to_cluster"));
    expand_workloads(&out->sts, &out->n_sts, a, bg_value_get(v, "statefulsets"), out->namespace_);
    expand_workloads(&out->pause, &out->n_pause, a, bg_value_get(v, "pause"), NULL);
    out->has_es = !bg_value_is_null(es);
    if (out->has_es)
        expand_es(&out->es, a, es);
    out->has_ng = !bg_value_is_null(ng);
    if (out->has_ng)
        expand_node_group(&out->ng, ng);
    out->health_timeout_s = int_of(bg_value_get(v, "health_timeout_seconds"), 1800);
    out->poll_s = int_of(bg_value_get(v, "poll_interval_seconds"), 10);
    fill_spec(out, a);
    return true;
}
