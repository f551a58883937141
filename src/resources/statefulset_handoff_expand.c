/*
 * statefulset_handoff_expand.c - bluegreen_statefulset_handoff in C: the typed layer expands
 * a value along the schema's slots (statefulset_handoff.c), and this file derives what the
 * engine and the world take from that (the k8s module's exec struct, workloads with their
 * namespace, the Elasticsearch target, the node group's name, the hand-off spec), and fills
 * the computed `steps` and `observed` from a plan and an observed world.
 */
#include <string.h>

#include "statefulset_handoff.h"

/* An Elasticsearch served without TLS unless the configuration says https. */
static const char default_scheme[] = "http";

static void derive_exec(struct bg_sho_cluster *c, struct bg_arena *a)
{
    const struct bg_sho_exec_arg *x = c->exec_arg;
    struct bg_k8s_env *env = bg_arena_calloc(a, x->n_env + 1, sizeof(*env));

    for (size_t i = 0; i < x->n_env; i++) {
        env[i].name = x->env[i].key;
        env[i].value = x->env[i].value != NULL ? x->env[i].value : "";
    }
    c->exec.api_version = x->api_version;
    c->exec.command = x->command;
    c->exec.args = x->args;
    c->exec.n_args = x->n_args;
    c->exec.env = env;
    c->exec.n_env = x->n_env;
    c->k8s.exec = &c->exec;
}

/* statefulsets take the resource's namespace; pause entries name theirs. */
static struct bg_handoff_workload *
derive_workloads(struct bg_arena *a, const struct bg_sho_workload_arg *in, size_t n, const char *ns)
{
    struct bg_handoff_workload *out = bg_arena_calloc(a, n + 1, sizeof(*out));

    for (size_t i = 0; i < n; i++) {
        out[i].namespace_ = ns != NULL ? ns : in[i].namespace_;
        out[i].name = in[i].name;
        out[i].replicas = (int)in[i].replicas; /* 1..10000 (validated) */
    }
    return out;
}

/* service = "NAMESPACE/NAME:PORT" */
static void derive_es(struct bg_sho_es *es, struct bg_arena *a, const struct bg_sho_es_arg *in)
{
    const char *slash = in->service != NULL ? strchr(in->service, '/') : NULL;

    memset(es, 0, sizeof(*es));
    if (slash != NULL) {
        es->namespace_ = bg_arena_strndup(a, in->service, (size_t)(slash - in->service));
        es->service = slash + 1;
    }
    es->scheme = in->scheme != NULL ? in->scheme : default_scheme;
}

static void derive_node_group(struct bg_sho_node_group *ng, const struct bg_sho_ng_arg *in)
{
    memset(ng, 0, sizeof(*ng));
    ng->asg = in->autoscaling_group_name;
    if (in->eks != NULL) {
        ng->eks_cluster = in->eks->cluster_name;
        ng->eks_nodegroup = in->eks->nodegroup_name;
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

/* Assumes validation passed and every argument is known. */
static void derive(struct bg_sho_cfg *c, struct bg_arena *a)
{
    if (c->from->exec_arg != NULL)
        derive_exec(c->from, a);
    if (c->to->exec_arg != NULL)
        derive_exec(c->to, a);
    c->sts = derive_workloads(a, c->sts_arg, c->n_sts, c->namespace_);
    c->pause = derive_workloads(a, c->pause_arg, c->n_pause, NULL);
    c->has_es = c->es_arg != NULL;
    if (c->has_es)
        derive_es(&c->es, a, c->es_arg);
    c->has_ng = c->ng_arg != NULL;
    if (c->has_ng)
        derive_node_group(&c->ng, c->ng_arg);
    fill_spec(c, a);
}

int bg_sho__cfg_read(struct bg_sho_cfg *out, struct bg_diags *d, const struct bg_value *v)
{
    if (bg_sho__cfg_expand(out, d, v) != 0)
        return BG_EINVAL;
    if (out->unknown == NULL && out->from != NULL && out->to != NULL && out->namespace_ != NULL)
        derive(out, d->arena);
    return 0;
}

void bg_sho__set_steps(struct bg_sho_cfg *cfg, struct bg_arena *a, const struct bg_handoff_plan *p)
{
    cfg->steps = bg_arena_calloc(a, p->n + 1, sizeof(*cfg->steps));
    for (size_t i = 0; i < p->n; i++) {
        cfg->steps[i].action = bg_handoff_action_name(p->steps[i].action);
        cfg->steps[i].cluster = bg_handoff_cluster_name(p->steps[i].cluster);
        cfg->steps[i].target = p->steps[i].target;
    }
    cfg->n_steps = p->n;
    cfg->steps_is = BG_PRESENCE_KNOWN;
}

static void add_observed(struct bg_sho_cfg *cfg, enum bg_handoff_cluster c,
                         const struct bg_handoff_workload *w, const struct bg_handoff_obs *o)
{
    struct bg_sho_observed_attr *x = &cfg->observed[cfg->n_observed++];

    x->cluster = bg_handoff_cluster_name(c);
    x->namespace_ = w->namespace_;
    x->name = w->name;
    x->replicas = o->spec_replicas;
    x->ready_replicas = o->ready;
}

/* from_cluster's pause workloads and statefulsets, then to_cluster's statefulsets and pause
 * workloads: the order of the hand-off. */
void bg_sho__set_observed(struct bg_sho_cfg *cfg, struct bg_arena *a,
                          const struct bg_handoff_world *w)
{
    cfg->observed = bg_arena_calloc(a, 2 * (cfg->n_sts + cfg->n_pause) + 1, sizeof(*cfg->observed));
    cfg->n_observed = 0;
    for (size_t i = 0; i < cfg->n_pause; i++)
        add_observed(cfg, BG_HANDOFF_FROM, &cfg->pause[i], &w->from_pause[i]);
    for (size_t i = 0; i < cfg->n_sts; i++)
        add_observed(cfg, BG_HANDOFF_FROM, &cfg->sts[i], &w->from_sts[i]);
    for (size_t i = 0; i < cfg->n_sts; i++)
        add_observed(cfg, BG_HANDOFF_TO, &cfg->sts[i], &w->to_sts[i]);
    for (size_t i = 0; i < cfg->n_pause; i++)
        add_observed(cfg, BG_HANDOFF_TO, &cfg->pause[i], &w->to_pause[i]);
    cfg->observed_is = BG_PRESENCE_KNOWN;
}
