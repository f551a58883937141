/*
 * client.c - the Kubernetes API client: one HTTP client, the resolved connection, and the
 * credential. A static token or certificate is used as given; an exec plugin is run on first
 * use, again when its credential nears expiry (a hand-off outlasts EKS's 15-minute tokens),
 * and once more after a 401 (the credential may have been revoked early).
 *
 * The connection and credential live in the client's own arena; credential text is wiped
 * when replaced and when the client is freed.
 */
#include <stdlib.h>
#include <string.h>

#include "internal.h"

struct bg_k8s_client {
    struct bg_http_client *http;
    struct bg_arena *arena; /* connection copy */
    struct bg_k8s_conn conn;
    struct bg_k8s_client_opts opts;
    struct bg_arena *cred_arena; /* the current exec credential; replaced on refresh */
    struct bg_k8s_credential cred;
    time_t cred_obtained;
    bool have_cred;
    unsigned exec_runs;
};

static const char *dup_or_null(struct bg_arena *a, const char *s)
{
    return s != NULL ? bg_arena_strdup(a, s) : NULL;
}

static void copy_exec(struct bg_arena *a, struct bg_k8s_exec *dst, const struct bg_k8s_exec *src)
{
    const char **args = bg_arena_calloc(a, src->n_args + 1, sizeof(*args));
    struct bg_k8s_env *env = bg_arena_calloc(a, src->n_env + 1, sizeof(*env));

    for (size_t i = 0; i < src->n_args; i++)
        args[i] = bg_arena_strdup(a, src->args[i]);
    for (size_t i = 0; i < src->n_env; i++) {
        env[i].name = bg_arena_strdup(a, src->env[i].name);
        env[i].value = bg_arena_strdup(a, src->env[i].value);
    }
    dst->api_version = dup_or_null(a, src->api_version);
    dst->command = dup_or_null(a, src->command);
    dst->args = args;
    dst->n_args = src->n_args;
    dst->env = env;
    dst->n_env = src->n_env;
}

static void copy_conn(struct bg_k8s_client *c, const struct bg_k8s_conn *conn)
{
    struct bg_arena *a = c->arena;

    c->conn.server = dup_or_null(a, conn->server);
    c->conn.ca_pem = dup_or_null(a, conn->ca_pem);
    c->conn.token = dup_or_null(a, conn->token);
    c->conn.client_cert_pem = dup_or_null(a, conn->client_cert_pem);
    c->conn.client_key_pem = dup_or_null(a, conn->client_key_pem);
    c->conn.namespace_ = dup_or_null(a, conn->namespace_);
    c->conn.has_exec = conn->has_exec;
    if (conn->has_exec)
        copy_exec(a, &c->conn.exec, &conn->exec);
}

int bg_k8s_client_new(struct bg_k8s_client **out, const struct bg_k8s_conn *conn,
                      const struct bg_k8s_client_opts *opts, struct bg_error *err)
{
    static const struct bg_k8s_client_opts defaults = BG_K8S_CLIENT_OPTS_INIT;
    struct bg_http_opts hopts = BG_HTTP_OPTS_INIT;
    struct bg_k8s_client *c = calloc(1, sizeof(*c));
    int rc;

    *out = NULL;
    if (c == NULL)
        return bg_error_set(err, BG_EIO, "out of memory");
    c->opts = opts != NULL ? *opts : defaults;
    hopts.timeout_ms = c->opts.timeout_ms > 0 ? c->opts.timeout_ms : 30000;
    hopts.stop = c->opts.stop;
    rc = bg_http_client_new(&c->http, &hopts, err);
    if (rc != 0) {
        free(c);
        return rc;
    }
    c->arena = bg_arena_new();
    copy_conn(c, conn);
    *out = c;
    return 0;
}

/* Credential text is secret: overwrite it before the memory goes back. */
static void wipe_credential(struct bg_k8s_client *c)
{
    const char *parts[] = {c->cred.token, c->cred.client_cert_pem, c->cred.client_key_pem};

    for (size_t i = 0; i < sizeof(parts) / sizeof(parts[0]); i++) {
        if (parts[i] != NULL)
            explicit_bzero((char *)parts[i], strlen(parts[i]));
    }
    bg_arena_free(c->cred_arena);
    c->cred_arena = NULL;
    memset(&c->cred, 0, sizeof(c->cred));
    c->have_cred = false;
}

void bg_k8s_client_free(struct bg_k8s_client *c)
{
    if (c == NULL)
        return;
    wipe_credential(c);
    if (c->conn.token != NULL)
        explicit_bzero((char *)c->conn.token, strlen(c->conn.token));
    if (c->conn.client_key_pem != NULL)
        explicit_bzero((char *)c->conn.client_key_pem, strlen(c->conn.client_key_pem));
    bg_http_client_free(c->http);
    bg_arena_free(c->arena);
    free(c);
}

unsigned bg_k8s_client_exec_runs(const struct bg_k8s_client *c)
{
    return c->exec_runs;
}

static time_t now_of(const struct bg_k8s_client *c)
{
    return c->opts.now != NULL ? c->opts.now(c->opts.now_ctx) : time(NULL);
}

/* Refresh when a quarter of the credential's lifetime (at most a minute) is left. */
static bool needs_refresh(const struct bg_k8s_client *c)
{
    time_t now, life, margin;

    if (!c->have_cred)
        return true;
    if (c->cred.expires == 0)
        return false;
    now = now_of(c);
    life = c->cred.expires - c->cred_obtained;
    margin = life / 4 < 60 ? life / 4 : 60;
    return now >= c->cred.expires - margin;
}

static int run_exec(struct bg_k8s_client *c, struct bg_error *err)
{
    struct bg_arena *a = bg_arena_new();
    struct bg_k8s_credential cred;
    int rc = bg_k8s_exec_run(&cred, a, &c->conn.exec, c->opts.exec_timeout_ms, c->opts.stop, err);

    c->exec_runs++;
    if (rc != 0) {
        bg_arena_free(a);
        return rc;
    }
    wipe_credential(c);
    c->cred = cred;
    c->cred_arena = a; /* owns cred's strings */
    c->cred_obtained = now_of(c);
    c->have_cred = true;
    return 0;
}

struct auth {
    struct bg_http_header header;
    struct bg_http_tls tls;
    bool has_header;
};

static void current_auth(struct auth *out, struct bg_k8s_client *c, struct bg_arena *a)
{
    const char *token = c->conn.has_exec ? c->cred.token : c->conn.token;

    memset(out, 0, sizeof(*out));
    out->tls.ca_pem = c->conn.ca_pem;
    out->tls.client_cert_pem = c->conn.has_exec ? c->cred.client_cert_pem : c->conn.client_cert_pem;
    out->tls.client_key_pem = c->conn.has_exec ? c->cred.client_key_pem : c->conn.client_key_pem;
    if (token != NULL) {
        out->header.name = "Authorization";
        out->header.value = bg_arena_printf(a, "Bearer %s", token);
        out->has_header = true;
    }
}

static int send_once(struct bg_k8s_response *out, struct bg_k8s_client *c, struct bg_arena *a,
                     const char *method, const char *path, const char *content_type,
                     const char *body, struct bg_error *err)
{
    struct bg_http_header headers[3];
    struct bg_http_request req;
    struct bg_http_response resp;
    struct auth auth;
    size_t n = 0;
    int rc;

    current_auth(&auth, c, a);
    headers[n++] = (struct bg_http_header){"Accept", "application/json"};
    if (auth.has_header)
        headers[n++] = auth.header;
    if (content_type != NULL)
        headers[n++] = (struct bg_http_header){"Content-Type", content_type};
    memset(&req, 0, sizeof(req));
    req.method = method;
    req.url = bg_arena_printf(a, "%s%s", c->conn.server, path);
    req.headers = headers;
    req.n_headers = n;
    req.body = body;
    req.body_len = body != NULL ? strlen(body) : 0;
    req.tls = &auth.tls;
    rc = bg_http_do(&resp, c->http, a, &req, err);
    if (auth.has_header)
        explicit_bzero((char *)auth.header.value, strlen(auth.header.value));
    out->status = resp.status;
    out->body = resp.body;
    out->len = resp.len;
    out->content_type = bg_http_header(&resp, "Content-Type");
    return rc;
}

int bg_k8s_request(struct bg_k8s_response *out, struct bg_k8s_client *c, struct bg_arena *a,
                   const char *method, const char *path, const char *content_type, const char *body,
                   struct bg_error *err)
{
    int rc;

    memset(out, 0, sizeof(*out));
    out->body = "";
    if (c->conn.has_exec && needs_refresh(c)) {
        rc = run_exec(c, err);
        if (rc != 0)
            return rc;
    }
    rc = send_once(out, c, a, method, path, content_type, body, err);
    if (rc == 0 && out->status == 401 && c->conn.has_exec) {
        rc = run_exec(c, err);
        if (rc == 0)
            rc = send_once(out, c, a, method, path, content_type, body, err);
    }
    return rc;
}
