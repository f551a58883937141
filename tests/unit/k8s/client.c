/* client.c - unit tests for the Kubernetes client (src/k8s/client.c, api.c) against the
 * scripted HTTP server: headers, paths and bodies sent, Status errors, exec credentials
 * refreshed near expiry and after a 401. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "bluegreen/k8s.h"
#include "support/http_server.h"

#define V1B1 "client.authentication.k8s.io/v1beta1"

static const char sts_json[] =
    "{\"kind\":\"StatefulSet\",\"apiVersion\":\"apps/v1\",\"metadata\":{\"name\":\"elastic-data\","
    "\"generation\":7},\"spec\":{\"replicas\":12,\"selector\":{\"matchLabels\":{\"app\":\"es\","
    "\"role\":\"data\"}},\"volumeClaimTemplates\":[{\"metadata\":{\"name\":\"data\"}}]},"
    "\"status\":{\"observedGeneration\":7,\"replicas\":12,\"readyReplicas\":11}}";

struct fixture {
    struct test_server server;
    struct bg_k8s_client *client;
    struct bg_arena *arena;
    struct bg_error err;
};

static void setup(struct fixture *f, const struct test_reply *r, size_t n, struct bg_k8s_conn *conn,
                  struct bg_k8s_client_opts *opts)
{
    memset(f, 0, sizeof(*f));
    f->arena = bg_arena_new();
    cr_assert_eq(test_server_start(&f->server, r, n), 0);
    conn->server = bg_arena_printf(f->arena, "http://127.0.0.1:%d", f->server.port);
    cr_assert_eq(bg_k8s_client_new(&f->client, conn, opts, &f->err), 0, "%s", f->err.msg);
}

static void teardown(struct fixture *f)
{
    bg_k8s_client_free(f->client);
    test_server_free(&f->server);
    bg_arena_free(f->arena);
}

static char *header(const char *req, const char *name)
{
    static char v[256];

    v[0] = '\0';
    test_header(req, name, v, sizeof(v));
    return v;
}

Test(k8s_client, gets_a_statefulset_and_its_pods_with_the_bearer_token)
{
    const struct test_reply r[] = {
        {200, sts_json, 0, 0, NULL},
        {200,
         "{\"kind\":\"PodList\",\"items\":[{\"metadata\":{\"name\":\"a\"}},"
         "{\"metadata\":{\"name\":\"b\",\"deletionTimestamp\":\"2024-01-01T00:00:00Z\"}}]}",
         0, 0, NULL}};
    struct bg_k8s_conn conn = {.token = "s3cret-token"};
    struct bg_k8s_statefulset s;
    size_t pods, terminating;
    struct fixture f;

    setup(&f, r, 2, &conn, NULL);
    cr_assert_eq(bg_k8s_statefulset_get(&s, f.client, f.arena, "logging", "elastic-data", &f.err),
                 0, "%s", f.err.msg);
    cr_expect_eq(s.spec_replicas, 12);
    cr_expect_eq(s.ready_replicas, 11);
    cr_expect_eq(s.generation, 7);
    cr_expect(s.has_volumes);
    cr_expect_str_eq(s.selector, "app=es,role=data");
    cr_assert_eq(
        bg_k8s_pods_count(&pods, &terminating, f.client, f.arena, "logging", s.selector, &f.err), 0,
        "%s", f.err.msg);
    cr_expect_eq(pods, 2);
    cr_expect_eq(terminating, 1);
    cr_expect(strncmp(f.server.requests[0],
                      "GET /apis/apps/v1/namespaces/logging/statefulsets/elastic-data HTTP",
                      66) == 0);
    cr_expect_str_eq(header(f.server.requests[0], "Authorization"), "Bearer s3cret-token");
    cr_expect_str_eq(header(f.server.requests[0], "Accept"), "application/json");
    cr_expect(strncmp(f.server.requests[1],
                      "GET /api/v1/namespaces/logging/pods?labelSelector=app%3Des%2Crole%3Ddata ",
                      72) == 0,
              "%.100s", f.server.requests[1]);
    teardown(&f);
}

Test(k8s_client, scales_with_a_merge_patch_on_the_scale_subresource)
{
    const struct test_reply r[] = {{200, "{\"kind\":\"Scale\"}", 0, 0, NULL}};
    struct bg_k8s_conn conn = {.token = "t"};
    struct fixture f;

    setup(&f, r, 1, &conn, NULL);
    cr_assert_eq(bg_k8s_scale_patch(f.client, f.arena, "logging", "elastic-data", 0, &f.err), 0,
                 "%s", f.err.msg);
    cr_expect(strncmp(f.server.requests[0],
                      "PATCH /apis/apps/v1/namespaces/logging/statefulsets/elastic-data/scale ",
                      71) == 0);
    cr_expect_str_eq(header(f.server.requests[0], "Content-Type"), "application/merge-patch+json");
    cr_expect_str_eq(test_body(f.server.requests[0]), "{\"spec\":{\"replicas\":0}}");
    teardown(&f);
}

Test(k8s_client, status_objects_become_errors_with_their_message_and_code)
{
    const struct test_reply r[] = {
        {404,
         "{\"kind\":\"Status\",\"status\":\"Failure\",\"message\":\"statefulsets.apps "
         "\\\"elastic-dta\\\" not found\",\"reason\":\"NotFound\",\"code\":404}",
         0, 0, NULL},
        {401, "{\"kind\":\"Status\",\"message\":\"Unauthorized\",\"reason\":\"Unauthorized\"}", 0,
         0, NULL},
        {503, "upstream down", 0, 0, NULL}};
    struct bg_k8s_conn conn = {.token = "t"};
    struct bg_k8s_statefulset s;
    struct fixture f;

    setup(&f, r, 3, &conn, NULL);
    cr_expect_eq(bg_k8s_statefulset_get(&s, f.client, f.arena, "es", "elastic-dta", &f.err),
                 BG_ENOTFOUND);
    cr_expect_str_eq(f.err.msg, "statefulsets.apps \"elastic-dta\" not found (HTTP 404 NotFound)");
    cr_expect_eq(bg_k8s_statefulset_get(&s, f.client, f.arena, "es", "x", &f.err), BG_EINVAL);
    cr_expect_str_eq(f.err.msg, "Unauthorized (HTTP 401 Unauthorized)");
    cr_expect_eq(bg_k8s_statefulset_get(&s, f.client, f.arena, "es", "x", &f.err), BG_ERETRY);
    cr_expect_str_eq(f.err.msg, "HTTP 503: upstream down");
    cr_expect_eq(bg_k8s_statefulset_get(&s, f.client, f.arena, "es", "../x", &f.err), BG_EINVAL);
    teardown(&f);
}

Test(k8s_client, proxies_to_a_service_with_its_scheme)
{
    const struct test_reply r[] = {{200, "{\"status\":\"green\"}", 0, 0, NULL}};
    struct bg_k8s_proxy_request req = {"PUT",   "elasticsearch",      "elastic-master:9200",
                                       "https", "/_cluster/settings", "{}"};
    struct bg_k8s_conn conn = {.token = "t"};
    struct bg_k8s_response resp;
    struct fixture f;

    setup(&f, r, 1, &conn, NULL);
    cr_assert_eq(bg_k8s_proxy(&resp, f.client, f.arena, &req, &f.err), 0, "%s", f.err.msg);
    cr_expect_eq(resp.status, 200);
    cr_expect(strncmp(f.server.requests[0],
                      "PUT /api/v1/namespaces/elasticsearch/services/https:elastic-master:9200/"
                      "proxy/_cluster/settings HTTP",
                      96) == 0,
              "%.120s", f.server.requests[0]);
    cr_expect_str_eq(header(f.server.requests[0], "Content-Type"), "application/json");
    req.service = "elastic-master";
    cr_expect_eq(bg_k8s_proxy(&resp, f.client, f.arena, &req, &f.err), BG_EINVAL);
    teardown(&f);
}

static time_t fake_now(void *ctx)
{
    return *(time_t *)ctx;
}

/* The plugin prints a token numbered by how often it ran (a file counts). */
static struct bg_k8s_exec counting_plugin(struct bg_arena *a, const char *counter, int life)
{
    struct bg_k8s_exec x = {V1B1, "sh", NULL, 2, NULL, 0};
    const char **args = bg_arena_calloc(a, 3, sizeof(*args));

    args[0] = "-c";
    args[1] =
        bg_arena_printf(a,
                        "n=$(($(cat %s 2>/dev/null || echo 0) + 1)); echo $n > %s; "
                        "exp=$(date -u -d @$(( $(date +%%s) + %d )) +%%Y-%%m-%%dT%%H:%%M:%%SZ); "
                        "printf '{\"apiVersion\":\"%s\",\"kind\":\"ExecCredential\",\"status\":"
                        "{\"token\":\"tok-%%s\",\"expirationTimestamp\":\"%%s\"}}' $n $exp",
                        counter, counter, life, V1B1);
    x.args = args;
    return x;
}

Test(k8s_client, runs_exec_once_then_again_near_expiry_and_after_a_401)
{
    const struct test_reply r[] = {
        {200, sts_json, 0, 0, NULL},
        {200, sts_json, 0, 0, NULL},
        {200, sts_json, 0, 0, NULL},
        {401, "{\"kind\":\"Status\",\"message\":\"Unauthorized\"}", 0, 0, NULL},
        {200, sts_json, 0, 0, NULL}};
    struct bg_k8s_client_opts opts = BG_K8S_CLIENT_OPTS_INIT;
    struct bg_arena *a = bg_arena_new();
    struct bg_k8s_statefulset s;
    struct bg_k8s_conn conn = {0};
    char counter[64];
    struct fixture f;
    time_t now = time(NULL);

    snprintf(counter, sizeof(counter), "/tmp/bg-k8s-exec-%d", (int)getpid());
    unlink(counter);
    conn.has_exec = true;
    conn.exec = counting_plugin(a, counter, 900);
    opts.now = fake_now;
    opts.now_ctx = &now;
    setup(&f, r, 5, &conn, &opts);
    cr_assert_eq(bg_k8s_statefulset_get(&s, f.client, f.arena, "es", "x", &f.err), 0, "%s",
                 f.err.msg);
    cr_assert_eq(bg_k8s_statefulset_get(&s, f.client, f.arena, "es", "x", &f.err), 0, "%s",
                 f.err.msg);
    cr_expect_eq(bg_k8s_client_exec_runs(f.client), 1); /* still fresh */
    cr_expect_str_eq(header(f.server.requests[1], "Authorization"), "Bearer tok-1");
    now += 900 - 30; /* within the last minute of a 15-minute token */
    cr_assert_eq(bg_k8s_statefulset_get(&s, f.client, f.arena, "es", "x", &f.err), 0, "%s",
                 f.err.msg);
    cr_expect_eq(bg_k8s_client_exec_runs(f.client), 2);
    cr_expect_str_eq(header(f.server.requests[2], "Authorization"), "Bearer tok-2");
    cr_assert_eq(bg_k8s_statefulset_get(&s, f.client, f.arena, "es", "x", &f.err), 0, "%s",
                 f.err.msg); /* 401, re-run, retried */
    cr_expect_eq(bg_k8s_client_exec_runs(f.client), 3);
    cr_expect_str_eq(header(f.server.requests[4], "Authorization"), "Bearer tok-3");
    unlink(counter);
    teardown(&f);
    bg_arena_free(a);
}
