/*
 * resolve.c - connection settings (and a kubeconfig context) into struct bg_k8s_conn.
 *
 * Precedence is the hashicorp/kubernetes provider's: an explicit setting wins over the
 * kubeconfig context's value. Credentials come as one set: explicit token, explicit
 * certificate + key, explicit exec, else the context user's (token, tokenFile, certificate +
 * key, exec). Files named by a kubeconfig are relative to the kubeconfig's directory.
 */
#include <string.h>

#include "internal.h"

struct resolving {
    struct bg_arena *a;
    const struct bg_k8s_settings *s;
    const char *kc_dir; /* directory of the kubeconfig, for relative paths */
    const char **setting;
    struct bg_error *err;
};

static int fail(struct resolving *r, const char *setting, int code, const char *msg)
{
    *r->setting = setting;
    return bg_error_set(r->err, code, "%s", msg);
}

static const char *env_get(const char *const *envp, const char *name)
{
    size_t n = strlen(name);

    for (; envp != NULL && *envp != NULL; envp++) {
        if (strncmp(*envp, name, n) == 0 && (*envp)[n] == '=')
            return *envp + n + 1;
    }
    return NULL;
}

static const char *expand_home(struct bg_arena *a, const char *path, const char *const *envp)
{
    const char *home = env_get(envp, "HOME");

    if (strncmp(path, "~/", 2) == 0 && home != NULL)
        return bg_arena_printf(a, "%s/%s", home, path + 2);
    return path;
}

static const char *relative_to(struct resolving *r, const char *path)
{
    if (path[0] == '/' || r->kc_dir == NULL)
        return path;
    return bg_arena_printf(r->a, "%s/%s", r->kc_dir, path);
}

/* A file the kubeconfig names (certificate, key, token file), read whole. */
static int kc_file(struct resolving *r, const char **out, const char *path, const char *what)
{
    struct bg_error e = BG_ERROR_INIT;
    char *text = NULL;
    size_t len = 0;

    if (bg_k8s__read_file(&text, &len, r->a, relative_to(r, path), BG_K8S_MAX_KUBECONFIG, &e) !=
        0) {
        *r->setting = "config_path";
        return bg_error_set(r->err, e.code, "kubeconfig %s: %s", what, e.msg);
    }
    *out = text;
    return 0;
}

static const struct bg_k8s_kc_context *find_context(const struct bg_k8s_kubeconfig *kc,
                                                    const char *name)
{
    for (size_t i = 0; name != NULL && i < kc->n_contexts; i++) {
        if (strcmp(kc->contexts[i].name, name) == 0)
            return &kc->contexts[i];
    }
    return NULL;
}

static int load_kubeconfig(struct resolving *r, struct bg_k8s_kubeconfig *kc,
                           const char *const *envp)
{
    const char *path = expand_home(r->a, r->s->config_path, envp);
    struct bg_error e = BG_ERROR_INIT;
    const char *slash = strrchr(path, '/');
    char *text = NULL;
    size_t len = 0;

    r->kc_dir = slash == NULL   ? "."
                : slash == path ? "/"
                                : bg_arena_strndup(r->a, path, (size_t)(slash - path));
    if (bg_k8s__read_file(&text, &len, r->a, path, BG_K8S_MAX_KUBECONFIG, &e) != 0) {
        *r->setting = "config_path";
        return bg_error_set(r->err, e.code, "%s", e.msg);
    }
    if (bg_k8s_kubeconfig_parse(kc, r->a, text, len, &e) != 0) {
        *r->setting = "config_path";
        return bg_error_set(r->err, e.code, "%s is not a usable kubeconfig: %s", path, e.msg);
    }
    return 0;
}

static int use_cluster(struct resolving *r, struct bg_k8s_conn *out,
                       const struct bg_k8s_kubeconfig *kc, const char *name)
{
    for (size_t i = 0; i < kc->n_clusters; i++) {
        const struct bg_k8s_kc_cluster *c = &kc->clusters[i];

        if (strcmp(c->name, name) != 0)
            continue;
        if (c->insecure)
            return fail(r, "config_path", BG_EINVAL,
                        bg_arena_printf(r->a,
                                        "cluster \"%s\" sets insecure-skip-tls-verify; "
                                        "TLS is always verified: give its CA instead",
                                        name));
        out->server = c->server;
        out->ca_pem = c->ca_data;
        if (out->ca_pem == NULL && c->ca_file != NULL)
            return kc_file(r, &out->ca_pem, c->ca_file, "certificate-authority");
        return 0;
    }
    return fail(
        r, "config_context", BG_EINVAL,
        bg_arena_printf(r->a, "the context's cluster \"%s\" is not in the kubeconfig", name));
}

static int use_user(struct resolving *r, struct bg_k8s_conn *out,
                    const struct bg_k8s_kubeconfig *kc, const char *name)
{
    for (size_t i = 0; i < kc->n_users; i++) {
        const struct bg_k8s_kc_user *u = &kc->users[i];
        int rc = 0;

        if (strcmp(u->name, name) != 0)
            continue;
        out->token = u->token;
        out->client_cert_pem = u->cert_data;
        out->client_key_pem = u->key_data;
        out->has_exec = u->has_exec;
        out->exec = u->exec;
        if (out->token == NULL && u->token_file != NULL)
            rc = kc_file(r, &out->token, u->token_file, "tokenFile");
        if (rc == 0 && out->client_cert_pem == NULL && u->cert_file != NULL)
            rc = kc_file(r, &out->client_cert_pem, u->cert_file, "client-certificate");
        if (rc == 0 && out->client_key_pem == NULL && u->key_file != NULL)
            rc = kc_file(r, &out->client_key_pem, u->key_file, "client-key");
        if (rc == 0 && out->has_exec && strchr(out->exec.command, '/') != NULL)
            out->exec.command = relative_to(r, out->exec.command);
        if (rc == 0 && u->unsupported != NULL && out->token == NULL && !out->has_exec &&
            out->client_cert_pem == NULL)
            rc = fail(r, "config_path", BG_EINVAL,
                      bg_arena_printf(r->a,
                                      "user \"%s\" authenticates with %s, which this "
                                      "provider does not support: use a token, a client "
                                      "certificate or exec",
                                      name, u->unsupported));
        return rc;
    }
    return fail(r, "config_context", BG_EINVAL,
                bg_arena_printf(r->a, "the context's user \"%s\" is not in the kubeconfig", name));
}

static int from_kubeconfig(struct resolving *r, struct bg_k8s_conn *out, const char *const *envp)
{
    struct bg_k8s_kubeconfig kc;
    const struct bg_k8s_kc_context *ctx;
    const char *want;
    int rc = load_kubeconfig(r, &kc, envp);

    if (rc != 0)
        return rc;
    want = r->s->config_context != NULL ? r->s->config_context : kc.current_context;
    ctx = find_context(&kc, want);
    if (ctx == NULL)
        return fail(r, r->s->config_context != NULL ? "config_context" : "config_path", BG_EINVAL,
                    want != NULL
                        ? bg_arena_printf(r->a, "no context \"%s\" in %s", want, r->s->config_path)
                        : bg_arena_printf(r->a, "%s has no current-context: set config_context",
                                          r->s->config_path));
    out->namespace_ = ctx->namespace_;
    rc = ctx->cluster != NULL ? use_cluster(r, out, &kc, ctx->cluster)
                              : fail(r, "config_context", BG_EINVAL, "the context has no cluster");
    if (rc == 0 && ctx->user != NULL)
        rc = use_user(r, out, &kc, ctx->user);
    return rc;
}

/* Explicit credentials replace the kubeconfig user's as a set. */
static void explicit_credentials(struct bg_k8s_conn *out, const struct bg_k8s_settings *s)
{
    if (s->token == NULL && s->client_certificate == NULL && s->exec == NULL)
        return;
    out->token = s->token;
    out->client_cert_pem = s->client_certificate;
    out->client_key_pem = s->client_key;
    out->has_exec = s->exec != NULL;
    if (s->exec != NULL)
        out->exec = *s->exec;
}

static int check(struct resolving *r, struct bg_k8s_conn *out)
{
    size_t n;

    if (out->server == NULL)
        return fail(r, "host", BG_EINVAL,
                    "no API server: set host, or config_path with a "
                    "context whose cluster has a server");
    if (strncmp(out->server, "https://", 8) != 0)
        return fail(r, "host", BG_EINVAL,
                    bg_arena_printf(r->a,
                                    "\"%s\" is not an https:// URL (TLS is always "
                                    "verified)",
                                    out->server));
    n = strlen(out->server);
    while (n > 8 && out->server[n - 1] == '/')
        n--;
    out->server = bg_arena_strndup(r->a, out->server, n);
    if ((out->client_cert_pem == NULL) != (out->client_key_pem == NULL))
        return fail(r, out->client_key_pem == NULL ? "client_key" : "client_certificate", BG_EINVAL,
                    "client_certificate and client_key go together");
    if (out->has_exec && out->exec.api_version == NULL)
        return fail(r, "exec", BG_EINVAL, "exec needs api_version");
    if (out->has_exec && strcmp(out->exec.api_version, "client.authentication.k8s.io/v1beta1") &&
        strcmp(out->exec.api_version, "client.authentication.k8s.io/v1"))
        return fail(r, "exec", BG_EINVAL,
                    bg_arena_printf(r->a,
                                    "exec api_version \"%s\" is not supported: use "
                                    "client.authentication.k8s.io/v1beta1 or /v1",
                                    out->exec.api_version));
    if (out->token == NULL && out->client_cert_pem == NULL && !out->has_exec)
        return fail(r, "token", BG_EINVAL,
                    "no credentials: set token, client_certificate and "
                    "client_key, exec, or a kubeconfig user");
    return 0;
}

int bg_k8s_resolve(struct bg_k8s_conn *out, struct bg_arena *a, const struct bg_k8s_settings *s,
                   const char *const *envp, const char **setting, struct bg_error *err)
{
    struct resolving r = {a, s, NULL, setting, err};
    int rc = 0;

    memset(out, 0, sizeof(*out));
    *setting = NULL;
    if (s->config_path != NULL)
        rc = from_kubeconfig(&r, out, envp);
    else if (s->config_context != NULL)
        rc = fail(&r, "config_context", BG_EINVAL, "config_context needs config_path");
    if (rc != 0)
        return rc;
    if (s->host != NULL)
        out->server = s->host;
    if (s->cluster_ca_certificate != NULL)
        out->ca_pem = s->cluster_ca_certificate;
    explicit_credentials(out, s);
    return check(&r, out);
}
