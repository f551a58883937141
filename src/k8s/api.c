/*
 * api.c - the API calls the hand-off needs: StatefulSet get, the scale sub-resource (merge
 * patch), pods by label selector, the service proxy, and Status objects into errors. Field
 * names are those of the Kubernetes API reference (apps/v1 StatefulSet, autoscaling/v1 Scale,
 * meta/v1 Status).
 */
#include <cjson/cJSON.h>
#include <stdio.h>
#include <string.h>

#include "internal.h"

#define MAX_NAME 253 /* DNS subdomain: what Kubernetes allows for object names */

static int json_int(const cJSON *o, const char *key, int dflt)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);

    return cJSON_IsNumber(v) && v->valuedouble >= 0 && v->valuedouble < 1e9 ? (int)v->valuedouble
                                                                            : dflt;
}

static int64_t json_i64(const cJSON *o, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);

    return cJSON_IsNumber(v) && v->valuedouble >= 0 && v->valuedouble < 9e15
               ? (int64_t)v->valuedouble
               : 0;
}

int bg_k8s_status_error(const struct bg_k8s_response *r, struct bg_error *err)
{
    cJSON *doc = cJSON_ParseWithLength(r->body, r->len);
    const cJSON *msg = cJSON_GetObjectItemCaseSensitive(doc, "message");
    const cJSON *reason = cJSON_GetObjectItemCaseSensitive(doc, "reason");
    int code = r->status == 404                       ? BG_ENOTFOUND
               : r->status == 429 || r->status >= 500 ? BG_ERETRY
                                                      : BG_EINVAL;

    if (cJSON_IsString(msg))
        bg_error_set(err, code, "%.300s (HTTP %ld %s)", msg->valuestring, r->status,
                     cJSON_IsString(reason) ? reason->valuestring : "");
    else
        bg_error_set(err, code, "HTTP %ld%s%.200s", r->status, r->len > 0 ? ": " : "",
                     r->len > 0 ? r->body : "");
    cJSON_Delete(doc);
    return code;
}

/* Path segments we build must not smuggle "/", "?" or "%": names are DNS labels anyway. */
static int check_name(const char *what, const char *s, struct bg_error *err)
{
    size_t n = strlen(s);

    if (n == 0 || n > MAX_NAME || strspn(s, "abcdefghijklmnopqrstuvwxyz0123456789-.") != n)
        return bg_error_set(err, BG_EINVAL,
                            "%s \"%.80s\" is not a Kubernetes name (lower case "
                            "letters, digits, '-' and '.')",
                            what, s);
    return 0;
}

static char *selector_of(struct bg_arena *a, const cJSON *spec)
{
    const cJSON *labels = cJSON_GetObjectItemCaseSensitive(
        cJSON_GetObjectItemCaseSensitive(spec, "selector"), "matchLabels");
    const cJSON *l;
    char *out = "";

    cJSON_ArrayForEach(l, labels)
    {
        if (cJSON_IsString(l))
            out = bg_arena_printf(a, "%s%s%s=%s", out, *out ? "," : "", l->string, l->valuestring);
    }
    return out;
}

int bg_k8s_parse_statefulset(struct bg_k8s_statefulset *out, struct bg_arena *a, const char *json,
                             size_t len, struct bg_error *err)
{
    cJSON *doc = cJSON_ParseWithLength(json, len);
    const cJSON *spec = cJSON_GetObjectItemCaseSensitive(doc, "spec");
    const cJSON *status = cJSON_GetObjectItemCaseSensitive(doc, "status");
    const cJSON *meta = cJSON_GetObjectItemCaseSensitive(doc, "metadata");
    const cJSON *kind = cJSON_GetObjectItemCaseSensitive(doc, "kind");

    memset(out, 0, sizeof(*out));
    if (!cJSON_IsObject(spec) || !cJSON_IsString(kind) ||
        strcmp(kind->valuestring, "StatefulSet") != 0) {
        cJSON_Delete(doc);
        return bg_error_set(err, BG_EPROTO, "the API server did not answer a StatefulSet");
    }
    /* spec.replicas defaults to 1 when omitted (apps/v1) */
    out->spec_replicas = json_int(spec, "replicas", 1);
    out->generation = json_i64(meta, "generation");
    out->observed_generation = json_i64(status, "observedGeneration");
    out->replicas = json_int(status, "replicas", 0);
    out->ready_replicas = json_int(status, "readyReplicas", 0);
    out->updated_replicas = json_int(status, "updatedReplicas", 0);
    out->available_replicas = json_int(status, "availableReplicas", 0);
    out->selector = selector_of(a, spec);
    out->has_volumes =
        cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(spec, "volumeClaimTemplates")) > 0;
    cJSON_Delete(doc);
    return 0;
}

static int call(struct bg_k8s_response *out, struct bg_k8s_client *c, struct bg_arena *a,
                const char *method, const char *path, const char *ctype, const char *body,
                struct bg_error *err)
{
    int rc = bg_k8s_request(out, c, a, method, path, ctype, body, err);

    if (rc == 0 && (out->status < 200 || out->status > 299))
        rc = bg_k8s_status_error(out, err);
    return rc;
}

int bg_k8s_statefulset_get(struct bg_k8s_statefulset *out, struct bg_k8s_client *c,
                           struct bg_arena *a, const char *ns, const char *name,
                           struct bg_error *err)
{
    struct bg_k8s_response r;
    int rc = check_name("namespace", ns, err);

    if (rc == 0)
        rc = check_name("statefulset", name, err);
    if (rc == 0)
        rc = call(&r, c, a, "GET",
                  bg_arena_printf(a, "/apis/apps/v1/namespaces/%s/statefulsets/%s", ns, name), NULL,
                  NULL, err);
    return rc != 0 ? rc : bg_k8s_parse_statefulset(out, a, r.body, r.len, err);
}

int bg_k8s_scale_patch(struct bg_k8s_client *c, struct bg_arena *a, const char *ns,
                       const char *name, int replicas, struct bg_error *err)
{
    struct bg_k8s_response r;
    int rc = check_name("namespace", ns, err);

    if (rc == 0)
        rc = check_name("statefulset", name, err);
    if (rc != 0)
        return rc;
    return call(&r, c, a, "PATCH",
                bg_arena_printf(a, "/apis/apps/v1/namespaces/%s/statefulsets/%s/scale", ns, name),
                "application/merge-patch+json",
                bg_arena_printf(a, "{\"spec\":{\"replicas\":%d}}", replicas), err);
}

/* Selector characters are percent-encoded for the query string. */
static char *query_escape(struct bg_arena *a, const char *s)
{
    char *out = bg_arena_alloc(a, 3 * strlen(s) + 1), *p = out;

    for (; *s; s++) {
        unsigned char ch = (unsigned char)*s;

        if ((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
            strchr("-._~", ch) != NULL)
            *p++ = (char)ch;
        else
            p += sprintf(p, "%%%02X", ch);
    }
    *p = '\0';
    return out;
}

int bg_k8s_pods_count(size_t *out, size_t *terminating, struct bg_k8s_client *c, struct bg_arena *a,
                      const char *ns, const char *selector, struct bg_error *err)
{
    struct bg_k8s_response r;
    const cJSON *item;
    cJSON *doc;
    int rc = check_name("namespace", ns, err);

    *out = *terminating = 0;
    if (rc == 0)
        rc = call(&r, c, a, "GET",
                  bg_arena_printf(a, "/api/v1/namespaces/%s/pods?labelSelector=%s", ns,
                                  query_escape(a, selector)),
                  NULL, NULL, err);
    if (rc != 0)
        return rc;
    doc = cJSON_ParseWithLength(r.body, r.len);
    if (!cJSON_IsArray(cJSON_GetObjectItemCaseSensitive(doc, "items"))) {
        cJSON_Delete(doc);
        return bg_error_set(err, BG_EPROTO, "the API server did not answer a PodList");
    }
    cJSON_ArrayForEach(item, cJSON_GetObjectItemCaseSensitive(doc, "items"))
    {
        const cJSON *meta = cJSON_GetObjectItemCaseSensitive(item, "metadata");

        (*out)++;
        if (cJSON_GetObjectItemCaseSensitive(meta, "deletionTimestamp") != NULL)
            (*terminating)++;
    }
    cJSON_Delete(doc);
    return 0;
}

static int check_service(const char *s, struct bg_error *err)
{
    const char *colon = strchr(s, ':');
    char name[MAX_NAME + 1];
    size_t n = colon != NULL ? (size_t)(colon - s) : strlen(s);

    if (n == 0 || n > MAX_NAME || colon == NULL || colon[1] == '\0' ||
        strspn(colon + 1, "abcdefghijklmnopqrstuvwxyz0123456789-") != strlen(colon + 1))
        return bg_error_set(err, BG_EINVAL, "service \"%.80s\" is not NAME:PORT", s);
    memcpy(name, s, n);
    name[n] = '\0';
    return check_name("service", name, err);
}

int bg_k8s_proxy(struct bg_k8s_response *out, struct bg_k8s_client *c, struct bg_arena *a,
                 const struct bg_k8s_proxy_request *req, struct bg_error *err)
{
    int rc = check_name("namespace", req->namespace_, err);
    const char *scheme = req->scheme != NULL && strcmp(req->scheme, "https") == 0 ? "https:" : "";

    if (rc == 0)
        rc = check_service(req->service, err);
    if (rc == 0 && req->path[0] != '/')
        rc = bg_error_set(err, BG_EINVAL, "proxy path must start with /");
    if (rc != 0)
        return rc;
    return bg_k8s_request(out, c, a, req->method,
                          bg_arena_printf(a, "/api/v1/namespaces/%s/services/%s%s/proxy%s",
                                          req->namespace_, scheme, req->service, req->path),
                          req->body != NULL ? "application/json" : NULL, req->body, err);
}
