/*
 * k8s.h - a small Kubernetes API client: connection settings as the hashicorp/kubernetes
 * provider takes them (host, cluster_ca_certificate, token or client certificate, a
 * kubeconfig file and context, or an exec credential plugin), StatefulSets, their `scale`
 * sub-resource, pods by label selector, and the service proxy
 * (/api/v1/namespaces/NS/services/[SCHEME:]NAME:PORT/proxy/...).
 *
 * Transport is include/bluegreen/http.h: TLS is always verified (an `insecure-skip-tls-verify`
 * kubeconfig is refused), transfers stop when the stop flag is set. Secrets (tokens, keys)
 * never appear in messages.
 *
 * Threads: a struct bg_k8s_client is used by one thread at a time. The parsers are pure.
 */
#ifndef BLUEGREEN_K8S_H
#define BLUEGREEN_K8S_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "arena.h"
#include "common.h"
#include "http.h"

#define BG_K8S_MAX_KUBECONFIG  (1u << 20) /* bytes of a kubeconfig file */
#define BG_K8S_MAX_EXEC_OUTPUT (1u << 20) /* bytes an exec plugin may print */

/* ---- settings -------------------------------------------------------------------------- */

struct bg_k8s_env {
    const char *name;
    const char *value;
};

/* An exec credential plugin (client.authentication.k8s.io ExecCredential), run without a
 * shell: command is looked up in PATH unless it contains a slash. */
struct bg_k8s_exec {
    const char *api_version; /* client.authentication.k8s.io/v1beta1 or /v1 */
    const char *command;
    const char *const *args;
    size_t n_args;
    const struct bg_k8s_env *env; /* added to the provider's environment */
    size_t n_env;
};

/* One cluster connection as configured; NULL means "not set". Explicit settings win over
 * what the kubeconfig context says, as in the hashicorp/kubernetes provider. */
struct bg_k8s_settings {
    const char *host;                   /* https://host[:port][/prefix] */
    const char *cluster_ca_certificate; /* PEM */
    const char *token;
    const char *client_certificate; /* PEM, with client_key */
    const char *client_key;
    const char *config_path;    /* kubeconfig file; "~/" is $HOME */
    const char *config_context; /* NULL: the file's current-context */
    const struct bg_k8s_exec *exec;
};

/* The resolved connection; strings from the arena given to bg_k8s_resolve. */
struct bg_k8s_conn {
    const char *server; /* scheme://host[:port][/prefix], no trailing slash */
    const char *ca_pem; /* NULL: the system store */
    const char *token;  /* NULL: none (certificate or exec) */
    const char *client_cert_pem;
    const char *client_key_pem;
    bool has_exec;
    struct bg_k8s_exec exec;
    const char *namespace_; /* the kubeconfig context's namespace, NULL when none */
};

/* Resolves s (reading the kubeconfig when config_path is set) into out. envp (NULL-terminated
 * "NAME=value", may be NULL) gives HOME for "~/". On failure BG_EINVAL (or BG_EIO for an
 * unreadable file) with *setting naming the field at fault ("host", "config_context",
 * "client_key"...) and a message that says what is wrong. */
int bg_k8s_resolve(struct bg_k8s_conn *out, struct bg_arena *a, const struct bg_k8s_settings *s,
                   const char *const *envp, const char **setting, struct bg_error *err);

/* ---- kubeconfig ------------------------------------------------------------------------ */

struct bg_k8s_kc_cluster {
    const char *name;
    const char *server;
    const char *ca_data; /* decoded certificate-authority-data (PEM), or NULL */
    const char *ca_file; /* certificate-authority, or NULL */
    bool insecure;       /* insecure-skip-tls-verify: true */
};

struct bg_k8s_kc_user {
    const char *name;
    const char *token, *token_file;
    const char *cert_data, *cert_file; /* client-certificate(-data) */
    const char *key_data, *key_file;   /* client-key(-data) */
    bool has_exec;
    struct bg_k8s_exec exec;
    const char *unsupported; /* "auth-provider", "username": a method this client lacks */
};

struct bg_k8s_kc_context {
    const char *name, *cluster, *user, *namespace_;
};

struct bg_k8s_kubeconfig {
    const char *current_context; /* NULL when absent */
    struct bg_k8s_kc_cluster *clusters;
    size_t n_clusters;
    struct bg_k8s_kc_user *users;
    size_t n_users;
    struct bg_k8s_kc_context *contexts;
    size_t n_contexts;
};

/* Parses kubeconfig YAML (untrusted: at most BG_K8S_MAX_KUBECONFIG bytes, nesting depth and
 * node count bounded, aliases refused, no recursion on the input). Unknown keys are ignored.
 * BG_EPROTO with the line of the problem when the text is not a kubeconfig. */
int bg_k8s_kubeconfig_parse(struct bg_k8s_kubeconfig *out, struct bg_arena *a, const char *yaml,
                            size_t len, struct bg_error *err);

/* ---- exec credentials -------------------------------------------------------------------- */

struct bg_k8s_credential {
    const char *token;           /* NULL when the plugin gave a certificate */
    const char *client_cert_pem; /* with client_key_pem */
    const char *client_key_pem;
    time_t expires; /* 0: no expirationTimestamp */
};

/* Parses an ExecCredential document: its apiVersion must equal api_version and it must
 * carry status.token or status.clientCertificateData + clientKeyData. */
int bg_k8s_exec_parse(struct bg_k8s_credential *out, struct bg_arena *a, const char *api_version,
                      const char *json, size_t len, struct bg_error *err);

/* Runs the plugin (no shell, stdin /dev/null, KUBERNETES_EXEC_INFO set, at most
 * BG_K8S_MAX_EXEC_OUTPUT bytes read, killed after timeout_ms or when *stop becomes true)
 * and parses what it printed. Errors name the command and quote the start of its stderr. */
int bg_k8s_exec_run(struct bg_k8s_credential *out, struct bg_arena *a, const struct bg_k8s_exec *x,
                    long timeout_ms, const atomic_bool *stop, struct bg_error *err);

/* RFC 3339 "2006-01-02T15:04:05Z" / "...+01:00" (fraction ignored) to a time_t. */
int bg_k8s_parse_time(time_t *out, const char *s);

/* ---- client ------------------------------------------------------------------------------ */

struct bg_k8s_client;

struct bg_k8s_client_opts {
    const atomic_bool *stop;  /* aborts transfers, exec runs and retries; NULL: never */
    long timeout_ms;          /* per request; <= 0: 30000 */
    long exec_timeout_ms;     /* <= 0: 30000 */
    time_t (*now)(void *ctx); /* wall clock for credential expiry; NULL: time() */
    void *now_ctx;
};

#define BG_K8S_CLIENT_OPTS_INIT                                                                    \
    {                                                                                              \
        NULL, 0, 0, NULL, NULL                                                                     \
    }

/* conn is copied. Free with bg_k8s_client_free (NULL allowed). */
int bg_k8s_client_new(struct bg_k8s_client **out, const struct bg_k8s_conn *conn,
                      const struct bg_k8s_client_opts *opts, struct bg_error *err);
void bg_k8s_client_free(struct bg_k8s_client *c);

/* How many times the exec plugin ran (tests, logs). */
unsigned bg_k8s_client_exec_runs(const struct bg_k8s_client *c);

struct bg_k8s_response {
    long status;
    const char *body; /* NUL-terminated, arena */
    size_t len;
    const char *content_type; /* NULL when absent */
};

/* One API request: path is absolute ("/apis/apps/v1/..."), already percent-encoded.
 * Any HTTP status is success here (out->status says it); transport failures are BG_EIO,
 * BG_ECANCELED on stop. The credential is refreshed first when it nears expiry, and once
 * more after a 401 when it came from an exec plugin. */
int bg_k8s_request(struct bg_k8s_response *out, struct bg_k8s_client *c, struct bg_arena *a,
                   const char *method, const char *path, const char *content_type, const char *body,
                   struct bg_error *err);

/* Turns a non-2xx answer into err: "<Status message> (HTTP 404 NotFound)" and a code:
 * BG_ENOTFOUND 404, BG_EINVAL 401/403/4xx, BG_ERETRY 429/5xx. Returns the code. */
int bg_k8s_status_error(const struct bg_k8s_response *r, struct bg_error *err);

struct bg_k8s_statefulset {
    int64_t generation, observed_generation;
    int spec_replicas;
    int replicas, ready_replicas, updated_replicas, available_replicas;
    const char *selector; /* spec.selector.matchLabels as "k=v,k2=v2" (arena) */
    bool has_volumes;     /* spec.volumeClaimTemplates is not empty */
};

int bg_k8s_parse_statefulset(struct bg_k8s_statefulset *out, struct bg_arena *a, const char *json,
                             size_t len, struct bg_error *err);

/* GET the StatefulSet; BG_ENOTFOUND when it does not exist. */
int bg_k8s_statefulset_get(struct bg_k8s_statefulset *out, struct bg_k8s_client *c,
                           struct bg_arena *a, const char *ns, const char *name,
                           struct bg_error *err);

/* PATCH .../statefulsets/NAME/scale with {"spec":{"replicas":N}} (merge patch). */
int bg_k8s_scale_patch(struct bg_k8s_client *c, struct bg_arena *a, const char *ns,
                       const char *name, int replicas, struct bg_error *err);

/* Pods of ns matching a label selector ("k=v,..."): how many, and how many are terminating
 * (deletionTimestamp set). */
int bg_k8s_pods_count(size_t *out, size_t *terminating, struct bg_k8s_client *c, struct bg_arena *a,
                      const char *ns, const char *selector, struct bg_error *err);

/* A request through the service proxy: service is "NAME:PORT", scheme "http" or "https",
 * path starts with "/" and may carry a query. headers are passed on (the API server removes
 * Authorization before proxying, so it cannot carry the backend's credentials). */
struct bg_k8s_proxy_request {
    const char *method;
    const char *namespace_;
    const char *service;
    const char *scheme;
    const char *path;
    const char *body; /* NULL: none; sent as application/json */
};

int bg_k8s_proxy(struct bg_k8s_response *out, struct bg_k8s_client *c, struct bg_arena *a,
                 const struct bg_k8s_proxy_request *req, struct bg_error *err);

#endif
