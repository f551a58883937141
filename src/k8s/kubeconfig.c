/*
 * kubeconfig.c - a kubeconfig file (clientcmd's v1 Config) into struct bg_k8s_kubeconfig:
 * clusters, users (token, certificates, exec) and contexts. Field names are those of the
 * kubeconfig format; unknown keys are ignored, wrong shapes are errors with a line number.
 */
#include <string.h>

#include "internal.h"

static const char *str_at(const struct bg_k8s__node *m, const char *key)
{
    return bg_k8s__str(bg_k8s__get(m, key));
}

static int shape_error(struct bg_error *err, const struct bg_k8s__node *n, const char *what)
{
    return bg_error_set(err, BG_EPROTO, "line %zu: %s", n != NULL ? n->line : (size_t)1, what);
}

/* "-data" fields hold base64 of PEM text. */
static int data_field(const char **out, struct bg_arena *a, const struct bg_k8s__node *m,
                      const char *key, struct bg_error *err)
{
    const struct bg_k8s__node *n = bg_k8s__get(m, key);
    const char *s = bg_k8s__str(n);
    char *pem = NULL;
    size_t len = 0;

    *out = NULL;
    if (s == NULL)
        return 0;
    if (bg_k8s__base64_decode(&pem, &len, a, s, strlen(s)) != 0 || strlen(pem) != len)
        return bg_error_set(err, BG_EPROTO, "line %zu: %s is not base64-encoded PEM", n->line, key);
    *out = pem;
    return 0;
}

static bool is_true(const struct bg_k8s__node *n)
{
    const char *s = bg_k8s__str(n);

    return s != NULL && (strcmp(s, "true") == 0 || strcmp(s, "True") == 0);
}

/* Each entry of a named list is {name: x, <inner>: {...}}; returns the inner mapping. */
static int entry(const char **name, const struct bg_k8s__node **inner, const struct bg_k8s__node *e,
                 const char *inner_key, struct bg_error *err)
{
    if (e->kind != BG_K8S__MAP)
        return shape_error(err, e, "expected a mapping with name and the entry's fields");
    *name = str_at(e, "name");
    if (*name == NULL)
        return shape_error(err, e, "entry without a name");
    *inner = bg_k8s__get(e, inner_key);
    if (*inner != NULL && (*inner)->kind != BG_K8S__MAP)
        return shape_error(err, *inner, "expected a mapping");
    return 0;
}

static int one_cluster(struct bg_k8s_kc_cluster *c, struct bg_arena *a,
                       const struct bg_k8s__node *e, struct bg_error *err)
{
    const struct bg_k8s__node *m;
    int rc = entry(&c->name, &m, e, "cluster", err);

    if (rc != 0)
        return rc;
    c->server = str_at(m, "server");
    c->ca_file = str_at(m, "certificate-authority");
    c->insecure = is_true(bg_k8s__get(m, "insecure-skip-tls-verify"));
    return data_field(&c->ca_data, a, m, "certificate-authority-data", err);
}

static int string_list(const char *const **out, size_t *n, struct bg_arena *a,
                       const struct bg_k8s__node *seq, struct bg_error *err)
{
    const char **items;
    size_t i;

    *out = NULL;
    *n = 0;
    if (seq == NULL || (seq->kind == BG_K8S__SCALAR && bg_k8s__str(seq) == NULL))
        return 0;
    if (seq->kind != BG_K8S__SEQ)
        return shape_error(err, seq, "expected a list of strings");
    items = bg_arena_calloc(a, seq->n + 1, sizeof(*items));
    for (i = 0; i < seq->n; i++) {
        items[i] = bg_k8s__str(seq->items[i]);
        if (items[i] == NULL)
            return shape_error(err, seq->items[i], "expected a string");
    }
    *out = items;
    *n = seq->n;
    return 0;
}

static int exec_env(struct bg_k8s_exec *x, struct bg_arena *a, const struct bg_k8s__node *seq,
                    struct bg_error *err)
{
    struct bg_k8s_env *env;
    size_t i;

    if (seq == NULL || (seq->kind == BG_K8S__SCALAR && bg_k8s__str(seq) == NULL))
        return 0;
    if (seq->kind != BG_K8S__SEQ)
        return shape_error(err, seq, "exec env: expected a list of {name, value}");
    env = bg_arena_calloc(a, seq->n + 1, sizeof(*env));
    for (i = 0; i < seq->n; i++) {
        env[i].name = str_at(seq->items[i], "name");
        env[i].value = str_at(seq->items[i], "value");
        if (env[i].name == NULL)
            return shape_error(err, seq->items[i], "exec env: entry without a name");
        if (env[i].value == NULL)
            env[i].value = "";
    }
    x->env = env;
    x->n_env = seq->n;
    return 0;
}

static int user_exec(struct bg_k8s_kc_user *u, struct bg_arena *a, const struct bg_k8s__node *m,
                     struct bg_error *err)
{
    int rc;

    if (m->kind != BG_K8S__MAP)
        return shape_error(err, m, "exec: expected a mapping");
    u->has_exec = true;
    u->exec.api_version = str_at(m, "apiVersion");
    u->exec.command = str_at(m, "command");
    if (u->exec.command == NULL)
        return shape_error(err, m, "exec without a command");
    rc = string_list(&u->exec.args, &u->exec.n_args, a, bg_k8s__get(m, "args"), err);
    return rc != 0 ? rc : exec_env(&u->exec, a, bg_k8s__get(m, "env"), err);
}

static int one_user(struct bg_k8s_kc_user *u, struct bg_arena *a, const struct bg_k8s__node *e,
                    struct bg_error *err)
{
    const struct bg_k8s__node *m, *x;
    int rc = entry(&u->name, &m, e, "user", err);

    if (rc != 0 || m == NULL)
        return rc;
    u->token = str_at(m, "token");
    u->token_file = str_at(m, "tokenFile");
    u->cert_file = str_at(m, "client-certificate");
    u->key_file = str_at(m, "client-key");
    if (bg_k8s__get(m, "auth-provider") != NULL)
        u->unsupported = "auth-provider";
    else if (str_at(m, "username") != NULL)
        u->unsupported = "username/password";
    rc = data_field(&u->cert_data, a, m, "client-certificate-data", err);
    if (rc == 0)
        rc = data_field(&u->key_data, a, m, "client-key-data", err);
    x = bg_k8s__get(m, "exec");
    if (rc == 0 && x != NULL && !(x->kind == BG_K8S__SCALAR && bg_k8s__str(x) == NULL))
        rc = user_exec(u, a, x, err);
    return rc;
}

static int one_context(struct bg_k8s_kc_context *c, struct bg_arena *a,
                       const struct bg_k8s__node *e, struct bg_error *err)
{
    const struct bg_k8s__node *m;
    int rc = entry(&c->name, &m, e, "context", err);

    (void)a;
    if (rc != 0)
        return rc;
    c->cluster = str_at(m, "cluster");
    c->user = str_at(m, "user");
    c->namespace_ = str_at(m, "namespace");
    return 0;
}

/* A named list (clusters, users, contexts); absent or null is empty. */
static const struct bg_k8s__node *list_of(const struct bg_k8s__node *root, const char *key,
                                          struct bg_error *err, int *rc)
{
    const struct bg_k8s__node *n = bg_k8s__get(root, key);

    *rc = 0;
    if (n == NULL || (n->kind == BG_K8S__SCALAR && bg_k8s__str(n) == NULL))
        return NULL;
    if (n->kind != BG_K8S__SEQ)
        *rc = bg_error_set(err, BG_EPROTO, "line %zu: %s must be a list", n->line, key);
    return n;
}

static int parse_lists(struct bg_k8s_kubeconfig *out, struct bg_arena *a,
                       const struct bg_k8s__node *root, struct bg_error *err)
{
    const struct bg_k8s__node *cl, *us, *cx;
    size_t i;
    int rc = 0, r1, r2, r3;

    cl = list_of(root, "clusters", err, &r1);
    us = list_of(root, "users", err, &r2);
    cx = list_of(root, "contexts", err, &r3);
    if (r1 != 0 || r2 != 0 || r3 != 0)
        return BG_EPROTO;
    out->n_clusters = cl != NULL ? cl->n : 0;
    out->n_users = us != NULL ? us->n : 0;
    out->n_contexts = cx != NULL ? cx->n : 0;
    out->clusters = bg_arena_calloc(a, out->n_clusters + 1, sizeof(*out->clusters));
    out->users = bg_arena_calloc(a, out->n_users + 1, sizeof(*out->users));
    out->contexts = bg_arena_calloc(a, out->n_contexts + 1, sizeof(*out->contexts));
    for (i = 0; rc == 0 && i < out->n_clusters; i++)
        rc = one_cluster(&out->clusters[i], a, cl->items[i], err);
    for (i = 0; rc == 0 && i < out->n_users; i++)
        rc = one_user(&out->users[i], a, us->items[i], err);
    for (i = 0; rc == 0 && i < out->n_contexts; i++)
        rc = one_context(&out->contexts[i], a, cx->items[i], err);
    return rc;
}

int bg_k8s_kubeconfig_parse(struct bg_k8s_kubeconfig *out, struct bg_arena *a, const char *yaml,
                            size_t len, struct bg_error *err)
{
    struct bg_k8s__node *root = NULL;
    int rc;

    memset(out, 0, sizeof(*out));
    rc = bg_k8s__yaml_load(&root, a, yaml, len, err);
    if (rc != 0)
        return rc;
    if (root == NULL || root->kind != BG_K8S__MAP)
        return shape_error(err, root,
                           "a kubeconfig is a mapping (apiVersion, clusters, users, "
                           "contexts)");
    out->current_context = str_at(root, "current-context");
    rc = parse_lists(out, a, root, err);
    if (rc != 0)
        memset(out, 0, sizeof(*out));
    return rc;
}
