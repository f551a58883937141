/* resolve.c - unit tests for connection settings and kubeconfig contexts (src/k8s/resolve.c). */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bluegreen/k8s.h"

struct dir {
    char path[64];
};

static void write_file(const char *dir, const char *name, const char *text)
{
    char p[256];
    FILE *f;

    snprintf(p, sizeof(p), "%s/%s", dir, name);
    f = fopen(p, "w");
    cr_assert_not_null(f);
    fputs(text, f);
    fclose(f);
}

static void make_dir(struct dir *d)
{
    snprintf(d->path, sizeof(d->path), "/tmp/bg-k8s-resolve-XXXXXX");
    cr_assert_not_null(mkdtemp(d->path));
    write_file(d->path, "ca.pem", "CA PEM\n");
    write_file(d->path, "config",
               "current-context: old\n"
               "clusters:\n"
               "- {name: spoon, cluster: {server: 'https://spoon:6443/', certificate-authority: "
               "ca.pem}}\n"
               "- {name: bad, cluster: {server: 'https://bad', insecure-skip-tls-verify: true}}\n"
               "users:\n"
               "- {name: ci, user: {token: kc-token}}\n"
               "- {name: eks, user: {exec: {apiVersion: client.authentication.k8s.io/v1beta1, "
               "command: ./bin/get-token}}}\n"
               "contexts:\n"
               "- {name: old, context: {cluster: spoon, user: ci, namespace: logging}}\n"
               "- {name: new, context: {cluster: spoon, user: eks}}\n"
               "- {name: insecure, context: {cluster: bad, user: ci}}\n"
               "- {name: ghost, context: {cluster: nowhere, user: ci}}\n");
}

static void drop_dir(struct dir *d)
{
    char p[256];

    snprintf(p, sizeof(p), "%s/ca.pem", d->path);
    unlink(p);
    snprintf(p, sizeof(p), "%s/config", d->path);
    unlink(p);
    rmdir(d->path);
}

Test(k8s_resolve, a_kubeconfig_context_gives_server_ca_file_and_token)
{
    struct bg_arena *a = bg_arena_new();
    struct bg_error err = BG_ERROR_INIT;
    struct bg_k8s_settings s = {0};
    struct bg_k8s_conn c;
    const char *setting;
    struct dir d;
    char path[128];

    make_dir(&d);
    snprintf(path, sizeof(path), "%s/config", d.path);
    s.config_path = path;
    cr_assert_eq(bg_k8s_resolve(&c, a, &s, NULL, &setting, &err), 0, "%s", err.msg);
    cr_expect_str_eq(c.server, "https://spoon:6443");
    cr_expect_str_eq(c.ca_pem, "CA PEM\n");
    cr_expect_str_eq(c.token, "kc-token");
    cr_expect_str_eq(c.namespace_, "logging");
    s.config_context = "new";
    cr_assert_eq(bg_k8s_resolve(&c, a, &s, NULL, &setting, &err), 0, "%s", err.msg);
    cr_expect(c.has_exec);
    cr_expect(strstr(c.exec.command, "/./bin/get-token") != NULL, "%s", c.exec.command);
    cr_expect(strncmp(c.exec.command, d.path, strlen(d.path)) == 0);
    drop_dir(&d);
    bg_arena_free(a);
}

Test(k8s_resolve, explicit_settings_win_over_the_kubeconfig_as_one_set)
{
    struct bg_arena *a = bg_arena_new();
    struct bg_error err = BG_ERROR_INIT;
    struct bg_k8s_settings s = {0};
    struct bg_k8s_conn c;
    const char *setting;
    struct dir d;
    char path[128];

    make_dir(&d);
    snprintf(path, sizeof(path), "%s/config", d.path);
    s.config_path = path;
    s.host = "https://override";
    s.client_certificate = "CERT";
    s.client_key = "KEY";
    cr_assert_eq(bg_k8s_resolve(&c, a, &s, NULL, &setting, &err), 0, "%s", err.msg);
    cr_expect_str_eq(c.server, "https://override");
    cr_expect_null(c.token); /* the kubeconfig's token is not mixed with the certificate */
    cr_expect_str_eq(c.client_key_pem, "KEY");
    drop_dir(&d);
    bg_arena_free(a);
}

Test(k8s_resolve, names_the_setting_at_fault)
{
    static const struct {
        const char *host, *token, *cert, *context;
        const char *want_setting, *want_text;
    } cases[] = {
        {NULL, "t", NULL, NULL, "host", "no API server"},
        {"http://plain", "t", NULL, NULL, "host", "not an https:// URL"},
        {"https://x", NULL, NULL, NULL, "token", "no credentials"},
        {"https://x", NULL, "CERT", NULL, "client_key", "go together"},
        {NULL, NULL, NULL, "nope", "config_context", "no context \"nope\""},
        {NULL, NULL, NULL, "insecure", "config_path", "insecure-skip-tls-verify"},
        {NULL, NULL, NULL, "ghost", "config_context", "cluster \"nowhere\" is not in"},
    };
    struct bg_arena *a = bg_arena_new();
    struct dir d;
    char path[128];

    make_dir(&d);
    snprintf(path, sizeof(path), "%s/config", d.path);
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct bg_error err = BG_ERROR_INIT;
        struct bg_k8s_settings s = {0};
        struct bg_k8s_conn c;
        const char *setting = NULL;

        s.host = cases[i].host;
        s.token = cases[i].token;
        s.client_certificate = cases[i].cert;
        if (cases[i].context != NULL) {
            s.config_path = path;
            s.config_context = cases[i].context;
        }
        cr_expect_neq(bg_k8s_resolve(&c, a, &s, NULL, &setting, &err), 0, "case %zu", i);
        cr_expect_str_eq(setting != NULL ? setting : "(none)", cases[i].want_setting, "case %zu",
                         i);
        cr_expect(strstr(err.msg, cases[i].want_text) != NULL, "case %zu: %s", i, err.msg);
    }
    drop_dir(&d);
    bg_arena_free(a);
}

Test(k8s_resolve, expands_home_in_config_path_and_reports_a_missing_file)
{
    static const char *const envp[] = {"HOME=/nonexistent-home", NULL};
    struct bg_arena *a = bg_arena_new();
    struct bg_error err = BG_ERROR_INIT;
    struct bg_k8s_settings s = {0};
    struct bg_k8s_conn c;
    const char *setting;

    s.config_path = "~/.kube/config";
    cr_assert_neq(bg_k8s_resolve(&c, a, &s, envp, &setting, &err), 0);
    cr_expect_str_eq(setting, "config_path");
    cr_expect(strstr(err.msg, "/nonexistent-home/.kube/config") != NULL, "%s", err.msg);
    bg_arena_free(a);
}
