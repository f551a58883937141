/* kubeconfig.c - unit tests for the kubeconfig parser (src/k8s/kubeconfig.c, yaml.c). */
#include <criterion/criterion.h>
#include <string.h>

#include "bluegreen/k8s.h"

static const char sample[] =
    "apiVersion: v1\n"
    "kind: Config\n"
    "current-context: spoon\n"
    "clusters:\n"
    "- name: spoon\n"
    "  cluster:\n"
    "    server: https://spoon.example:6443\n"
    "    certificate-authority-data: LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0tCg==\n"
    "- name: knife\n"
    "  cluster: {server: \"https://knife.example\", certificate-authority: ca.pem}\n"
    "users:\n"
    "- name: ci\n"
    "  user:\n"
    "    token: abc.def\n"
    "- name: eks\n"
    "  user:\n"
    "    exec:\n"
    "      apiVersion: client.authentication.k8s.io/v1beta1\n"
    "      command: aws\n"
    "      args: [eks, get-token, --cluster-name, knife]\n"
    "      env:\n"
    "      - name: AWS_PROFILE\n"
    "        value: prod\n"
    "contexts:\n"
    "- name: spoon\n"
    "  context: {cluster: spoon, user: ci, namespace: logging}\n"
    "- name: knife\n"
    "  context:\n"
    "    cluster: knife\n"
    "    user: eks\n";

static int parse(struct bg_k8s_kubeconfig *kc, struct bg_arena *a, const char *text,
                 struct bg_error *err)
{
    return bg_k8s_kubeconfig_parse(kc, a, text, strlen(text), err);
}

Test(k8s_kubeconfig, reads_clusters_users_with_exec_and_contexts)
{
    struct bg_arena *a = bg_arena_new();
    struct bg_error err = BG_ERROR_INIT;
    struct bg_k8s_kubeconfig kc;

    cr_assert_eq(parse(&kc, a, sample, &err), 0, "%s", err.msg);
    cr_expect_str_eq(kc.current_context, "spoon");
    cr_assert_eq(kc.n_clusters, 2);
    cr_expect_str_eq(kc.clusters[0].server, "https://spoon.example:6443");
    cr_expect_str_eq(kc.clusters[0].ca_data, "-----BEGIN CERTIFICATE-----\n");
    cr_expect_str_eq(kc.clusters[1].ca_file, "ca.pem");
    cr_assert_eq(kc.n_users, 2);
    cr_expect_str_eq(kc.users[0].token, "abc.def");
    cr_assert(kc.users[1].has_exec);
    cr_expect_str_eq(kc.users[1].exec.command, "aws");
    cr_assert_eq(kc.users[1].exec.n_args, 4);
    cr_expect_str_eq(kc.users[1].exec.args[3], "knife");
    cr_assert_eq(kc.users[1].exec.n_env, 1);
    cr_expect_str_eq(kc.users[1].exec.env[0].value, "prod");
    cr_assert_eq(kc.n_contexts, 2);
    cr_expect_str_eq(kc.contexts[0].namespace_, "logging");
    cr_expect_str_eq(kc.contexts[1].user, "eks");
    bg_arena_free(a);
}

Test(k8s_kubeconfig, refuses_aliases_deep_nesting_and_non_mappings_with_a_line)
{
    static const char *const bad[] = {
        "a: &x [1]\nb: *x\n",
        "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]\n",
        "- just\n- a list\n",
        "clusters: 3\n",
        "clusters:\n- cluster: {server: x}\n",
        "users:\n- name: u\n  user:\n    client-key-data: '!!notbase64'\n",
        "key: [unclosed\n",
    };
    struct bg_arena *a = bg_arena_new();

    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        struct bg_error err = BG_ERROR_INIT;
        struct bg_k8s_kubeconfig kc;

        cr_expect_neq(parse(&kc, a, bad[i], &err), 0, "case %zu accepted", i);
        cr_expect(strncmp(err.msg, "line ", 5) == 0, "case %zu: %s", i, err.msg);
    }
    bg_arena_free(a);
}

Test(k8s_kubeconfig, null_and_empty_lists_are_empty_and_unknown_keys_are_ignored)
{
    struct bg_arena *a = bg_arena_new();
    struct bg_error err = BG_ERROR_INIT;
    struct bg_k8s_kubeconfig kc;

    cr_assert_eq(parse(&kc, a,
                       "apiVersion: v1\nclusters: null\nusers: ~\npreferences: {}\n"
                       "extensions: [{name: x}]\n",
                       &err),
                 0, "%s", err.msg);
    cr_expect_eq(kc.n_clusters + kc.n_users + kc.n_contexts, 0);
    cr_expect_null(kc.current_context);
    bg_arena_free(a);
}

Test(k8s_kubeconfig, marks_insecure_clusters_and_unsupported_auth)
{
    struct bg_arena *a = bg_arena_new();
    struct bg_error err = BG_ERROR_INIT;
    struct bg_k8s_kubeconfig kc;

    cr_assert_eq(parse(&kc, a,
                       "clusters:\n- name: c\n  cluster:\n    server: https://x\n"
                       "    insecure-skip-tls-verify: true\nusers:\n- name: u\n"
                       "  user:\n    auth-provider: {name: gcp}\n",
                       &err),
                 0, "%s", err.msg);
    cr_expect(kc.clusters[0].insecure);
    cr_expect_str_eq(kc.users[0].unsupported, "auth-provider");
    bg_arena_free(a);
}
