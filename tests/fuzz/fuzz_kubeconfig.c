/*
 * fuzz_kubeconfig.c - libFuzzer target for the kubeconfig parser (untrusted files from
 * anywhere on disk): the same bytes as a kubeconfig and as an ExecCredential. Every entry
 * that parses must have its name, and exec entries their command.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "bluegreen/k8s.h"

/* Not assert(): release builds define NDEBUG and the corpus replay must still check. */
static void check(bool ok, const char *what)
{
    if (!ok) {
        fprintf(stderr, "fuzz_kubeconfig: %s\n", what);
        abort();
    }
}

static void check_config(const struct bg_k8s_kubeconfig *kc)
{
    for (size_t i = 0; i < kc->n_clusters; i++)
        check(kc->clusters[i].name != NULL, "cluster without a name");
    for (size_t i = 0; i < kc->n_users; i++) {
        check(kc->users[i].name != NULL, "user without a name");
        check(!kc->users[i].has_exec || kc->users[i].exec.command != NULL, "exec without command");
        for (size_t j = 0; kc->users[i].has_exec && j < kc->users[i].exec.n_args; j++)
            check(kc->users[i].exec.args[j] != NULL, "NULL exec argument");
    }
    for (size_t i = 0; i < kc->n_contexts; i++)
        check(kc->contexts[i].name != NULL, "context without a name");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct bg_arena *a = bg_arena_new();
    struct bg_error err = BG_ERROR_INIT;
    struct bg_k8s_kubeconfig kc;
    struct bg_k8s_credential cred;

    if (bg_k8s_kubeconfig_parse(&kc, a, (const char *)data, size, &err) == 0)
        check_config(&kc);
    else
        check(err.msg[0] != '\0', "an error without a message");
    if (bg_k8s_exec_parse(&cred, a, "client.authentication.k8s.io/v1", (const char *)data, size,
                          &err) == 0)
        check(cred.token != NULL || (cred.client_cert_pem && cred.client_key_pem),
              "a credential without token or certificate");
    bg_arena_free(a);
    return 0;
}
