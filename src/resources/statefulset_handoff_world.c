/*
 * statefulset_handoff_world.c - the world bluegreen_statefulset_handoff acts on, as the
 * engine's ops table (include/bluegreen/handoff.h): StatefulSets and their pods through each
 * cluster's API server, Elasticsearch through the API server's service proxy, the old node
 * group through the provider's AWS client.
 */
#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bluegreen/provider.h"
#include "statefulset_handoff.h"

extern char **environ;

#define ALLOCATION "cluster.routing.allocation.enable"

static const char *cluster_attr(enum bg_handoff_cluster c)
{
    return c == BG_HANDOFF_FROM ? "from_cluster" : "to_cluster";
}

/* ---- Kubernetes -------------------------------------------------------------------------- */

static int workload(void *ctx, struct bg_handoff_obs *out, enum bg_handoff_cluster c,
                    const struct bg_handoff_workload *wl, struct bg_error *err)
{
    struct bg_sho_world *w = ctx;
    struct bg_k8s_statefulset s;
    size_t pods = 0, terminating = 0;
    int rc;

    memset(out, 0, sizeof(*out));
    rc = bg_k8s_statefulset_get(&s, w->k8s[c], w->call->arena, wl->namespace_, wl->name, err);
    if (rc == 0 && s.selector[0] != '\0')
        rc = bg_k8s_pods_count(&pods, &terminating, w->k8s[c], w->call->arena, wl->namespace_,
                               s.selector, err);
    if (rc != 0)
        return rc;
    out->found = true;
    out->spec_replicas = s.spec_replicas;
    out->ready = s.ready_replicas;
    /* a pod not counted in status yet still holds (or will hold) its volume */
    out->pods = (int)pods > s.replicas ? (int)pods : s.replicas;
    out->settled = s.observed_generation >= s.generation;
    return 0;
}

static int scale(void *ctx, enum bg_handoff_cluster c, const struct bg_handoff_workload *wl,
                 int replicas, struct bg_error *err)
{
    struct bg_sho_world *w = ctx;

    return bg_k8s_scale_patch(w->k8s[c], w->call->arena, wl->namespace_, wl->name, replicas, err);
}

/* ---- Elasticsearch through the service proxy ------------------------------------------------ */

/* A non-2xx answer: the API server's own Status (no endpoints, no such service) or an
 * Elasticsearch error document. */
static int es_error(const struct bg_k8s_response *r, struct bg_error *err)
{
    cJSON *doc = cJSON_ParseWithLength(r->body, r->len);
    const cJSON *e = cJSON_GetObjectItemCaseSensitive(doc, "error");
    const cJSON *type = cJSON_GetObjectItemCaseSensitive(e, "type");
    const cJSON *reason = cJSON_GetObjectItemCaseSensitive(e, "reason");
    int code = r->status == 404 ? BG_ENOTFOUND : r->status >= 500 ? BG_ERETRY : BG_EINVAL;

    if (!cJSON_IsString(type)) {
        cJSON_Delete(doc);
        code = bg_k8s_status_error(r, err);
        /* The API server's own 503: endpoints not there yet (pods just became ready) is
         * worth waiting for; any other failure to reach the service (connection refused, a
         * wrong port) is BG_EIO, which the hand-off reports rather than waits out at plan. */
        if (code == BG_ERETRY && strstr(err->msg, "no endpoints available") == NULL)
            code = err->code = BG_EIO;
        return code;
    }
    bg_error_set(err, code, "Elasticsearch: %s%s%.200s (HTTP %ld)%s", type->valuestring,
                 cJSON_IsString(reason) ? ": " : "",
                 cJSON_IsString(reason) ? reason->valuestring : "", r->status,
                 r->status == 401 ? "; the API server's service proxy removes the Authorization "
                                    "header, so Elasticsearch must allow these calls without "
                                    "credentials (an anonymous role with the cluster privileges "
                                    "monitor and manage)"
                                  : "");
    cJSON_Delete(doc);
    return code;
}

static int es_call(cJSON **doc, struct bg_sho_world *w, enum bg_handoff_cluster c,
                   const char *method, const char *path, const char *body, struct bg_error *err)
{
    struct bg_k8s_proxy_request req = {
        method, w->cfg->es.namespace_, w->cfg->es.service, w->cfg->es.scheme, path, body};
    struct bg_k8s_response r;
    int rc = bg_k8s_proxy(&r, w->k8s[c], w->call->arena, &req, err);

    *doc = NULL;
    if (rc != 0)
        return rc;
    if (r.status < 200 || r.status > 299)
        return es_error(&r, err);
    *doc = cJSON_ParseWithLength(r.body, r.len);
    if (*doc == NULL)
        return bg_error_set(err, BG_EPROTO, "%s %s: the answer is not JSON", method, path);
    return 0;
}

static int es_allocation(void *ctx, const char **value, enum bg_handoff_cluster c,
                         struct bg_error *err)
{
    struct bg_sho_world *w = ctx;
    const cJSON *v;
    cJSON *doc;
    int rc = es_call(&doc, w, c, "GET", "/_cluster/settings?flat_settings=true", NULL, err);

    *value = NULL;
    if (rc != 0)
        return rc;
    v = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(doc, "persistent"),
                                         ALLOCATION);
    if (cJSON_IsString(v))
        *value = bg_arena_strdup(w->call->arena, v->valuestring);
    cJSON_Delete(doc);
    return 0;
}

static int es_set_allocation(void *ctx, enum bg_handoff_cluster c, const char *value,
                             struct bg_error *err)
{
    struct bg_sho_world *w = ctx;
    char *body =
        value != NULL
            ? bg_arena_printf(w->call->arena, "{\"persistent\":{\"" ALLOCATION "\":\"%s\"}}", value)
            : "{\"persistent\":{\"" ALLOCATION "\":null}}";
    const cJSON *ack;
    cJSON *doc;
    int rc = es_call(&doc, w, c, "PUT", "/_cluster/settings", body, err);

    if (rc != 0)
        return rc;
    ack = cJSON_GetObjectItemCaseSensitive(doc, "acknowledged");
    if (!cJSON_IsTrue(ack))
        rc = bg_error_set(err, BG_ERETRY, "Elasticsearch did not acknowledge the setting");
    cJSON_Delete(doc);
    return rc;
}

static int es_flush(void *ctx, enum bg_handoff_cluster c, struct bg_error *err)
{
    cJSON *doc;
    /* no body: Elasticsearch refuses one on APIs that take none */
    int rc = es_call(&doc, ctx, c, "POST", "/_flush", "", err);

    cJSON_Delete(doc);
    return rc;
}

static int by_node(const void *x, const void *y)
{
    return strcmp(*(const char *const *)x, *(const char *const *)y);
}

/* "node=shards,..." sorted by node name, the UNASSIGNED row left out. */
static const char *shard_signature(struct bg_arena *a, const cJSON *rows)
{
    size_t n = (size_t)cJSON_GetArraySize(rows), k = 0;
    const char **parts = bg_arena_calloc(a, n + 1, sizeof(*parts));
    const cJSON *row;
    char *out = "";

    cJSON_ArrayForEach(row, rows)
    {
        const cJSON *node = cJSON_GetObjectItemCaseSensitive(row, "node");
        const cJSON *shards = cJSON_GetObjectItemCaseSensitive(row, "shards");

        if (cJSON_IsString(node) && strcmp(node->valuestring, "UNASSIGNED") != 0 &&
            cJSON_IsString(shards))
            parts[k++] = bg_arena_printf(a, "%s=%s", node->valuestring, shards->valuestring);
    }
    qsort(parts, k, sizeof(*parts), by_node);
    for (size_t i = 0; i < k; i++)
        out = bg_arena_printf(a, "%s%s%s", out, i > 0 ? "," : "", parts[i]);
    return out;
}

static int es_health(void *ctx, struct bg_handoff_health *out, enum bg_handoff_cluster c,
                     struct bg_error *err)
{
    struct bg_sho_world *w = ctx;
    const cJSON *status;
    cJSON *doc, *rows;
    int rc = es_call(&doc, w, c, "GET", "/_cluster/health", NULL, err);

    memset(out, 0, sizeof(*out));
    if (rc != 0)
        return rc;
    status = cJSON_GetObjectItemCaseSensitive(doc, "status");
    out->status =
        bg_arena_strdup(w->call->arena, cJSON_IsString(status) ? status->valuestring : "unknown");
    out->nodes = cJSON_GetObjectItemCaseSensitive(doc, "number_of_nodes") != NULL
                     ? cJSON_GetObjectItemCaseSensitive(doc, "number_of_nodes")->valueint
                     : 0;
    out->unassigned = cJSON_GetObjectItemCaseSensitive(doc, "unassigned_shards") != NULL
                          ? cJSON_GetObjectItemCaseSensitive(doc, "unassigned_shards")->valueint
                          : 0;
    cJSON_Delete(doc);
    rc = es_call(&rows, w, c, "GET", "/_cat/allocation?format=json&h=shards,node", NULL, err);
    if (rc != 0)
        return rc;
    out->shards = shard_signature(w->call->arena, rows);
    cJSON_Delete(rows);
    return 0;
}

/* ---- the node group ------------------------------------------------------------------------ */

static int aws_client(struct bg_sho_world *w, struct bg_error *err)
{
    if (w->aws != NULL)
        return 0;
    return bg_provider_aws_acquire(&w->aws, w->call->provider, w->call->log, w->call->stop, err);
}

static int node_group(void *ctx, struct bg_handoff_ng *out, struct bg_error *err)
{
    struct bg_sho_world *w = ctx;
    const struct bg_sho_node_group *ng = &w->cfg->ng;
    int rc = aws_client(w, err);

    memset(out, 0, sizeof(*out));
    out->status = "";
    if (rc == 0 && ng->asg != NULL) {
        struct bg_aws_asg g;

        rc = bg_aws_autoscaling_describe(&g, w->aws, w->call->arena, ng->asg, err);
        if (rc == 0)
            *out = (struct bg_handoff_ng){g.desired, g.min, g.instances, ""};
    } else if (rc == 0) {
        struct bg_aws_nodegroup g;

        rc = bg_aws_eks_describe_nodegroup(&g, w->aws, w->call->arena, ng->eks_cluster,
                                           ng->eks_nodegroup, err);
        /* EKS reports no instances: a node group at 0 that is ACTIVE again has none */
        if (rc == 0)
            *out = (struct bg_handoff_ng){g.desired, g.min, g.desired, g.status};
    }
    return rc;
}

static int node_group_zero(void *ctx, struct bg_error *err)
{
    struct bg_sho_world *w = ctx;
    const struct bg_sho_node_group *ng = &w->cfg->ng;
    struct bg_aws_nodegroup g;
    int rc = aws_client(w, err);

    if (rc == 0 && ng->asg != NULL)
        return bg_aws_autoscaling_zero(w->aws, w->call->arena, ng->asg, err);
    if (rc == 0)
        rc = bg_aws_eks_describe_nodegroup(&g, w->aws, w->call->arena, ng->eks_cluster,
                                           ng->eks_nodegroup, err);
    if (rc == 0)
        rc = bg_aws_eks_nodegroup_zero(w->aws, w->call->arena, ng->eks_cluster, ng->eks_nodegroup,
                                       g.max, err);
    return rc;
}

static void log_step(void *ctx, const struct bg_handoff_step *s, const char *event,
                     const char *detail)
{
    struct bg_sho_world *w = ctx;
    char target[256], seen[512], fields[1024];

    bg_log_escape(target, sizeof(target), s->target);
    bg_log_escape(seen, sizeof(seen), detail);
    snprintf(fields, sizeof(fields),
             "\"action\":\"%s\",\"cluster\":\"%s\",\"target\":\"%s\",\"event\":\"%s\"",
             bg_handoff_action_name(s->action), bg_handoff_cluster_name(s->cluster), target, event);
    bg_log(w->call->log, strcmp(event, "wait") == 0 ? BG_LOG_DEBUG : BG_LOG_INFO,
           "statefulset_handoff", fields, "%s %s %s %s: %s", event,
           bg_handoff_action_name(s->action), bg_handoff_cluster_name(s->cluster), s->target,
           detail);
}

/* ---- opening and closing ------------------------------------------------------------------ */

static int open_cluster(struct bg_sho_world *w, enum bg_handoff_cluster c,
                        const struct bg_sho_cluster *cfg)
{
    struct bg_k8s_client_opts opts = BG_K8S_CLIENT_OPTS_INIT;
    struct bg_error err = BG_ERROR_INIT;
    const char *setting = NULL;
    struct bg_k8s_conn conn;
    struct bg_arena *a = w->call->arena;

    if (bg_k8s_resolve(&conn, a, &cfg->k8s, (const char *const *)environ, &setting, &err) != 0) {
        bg_diag_error(w->call->diags, bg_path_attr(a, NULL, cluster_attr(c)),
                      "Invalid cluster connection", "%s%s%s: %s", cluster_attr(c),
                      setting != NULL ? "." : "", setting != NULL ? setting : "", err.msg);
        return err.code != 0 ? err.code : BG_EINVAL;
    }
    opts.stop = w->call->stop;
    if (bg_k8s_client_new(&w->k8s[c], &conn, &opts, &err) != 0)
        return bg_diag_from_error(w->call->diags, bg_path_attr(a, NULL, cluster_attr(c)),
                                  "Cannot set up the Kubernetes client", &err);
    return 0;
}

int bg_sho__world_open(struct bg_sho_world *w, struct bg_call *call, const struct bg_sho_cfg *cfg)
{
    int rc;

    memset(w, 0, sizeof(*w));
    w->call = call;
    w->cfg = cfg;
    w->ops =
        (struct bg_handoff_ops){w,        workload,  scale,      es_allocation,   es_set_allocation,
                                es_flush, es_health, node_group, node_group_zero, log_step};
    rc = open_cluster(w, BG_HANDOFF_FROM, cfg->from);
    if (rc == 0)
        rc = open_cluster(w, BG_HANDOFF_TO, cfg->to);
    if (rc != 0)
        bg_sho__world_close(w);
    return rc;
}

void bg_sho__world_close(struct bg_sho_world *w)
{
    bg_k8s_client_free(w->k8s[BG_HANDOFF_FROM]);
    bg_k8s_client_free(w->k8s[BG_HANDOFF_TO]);
    w->k8s[BG_HANDOFF_FROM] = w->k8s[BG_HANDOFF_TO] = NULL;
    if (w->aws != NULL)
        bg_provider_aws_release(w->call->provider, w->aws);
    w->aws = NULL;
}
