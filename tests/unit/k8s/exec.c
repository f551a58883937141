/* exec.c - unit tests for exec credential plugins and times (src/k8s/exec.c, util.c). */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "bluegreen/k8s.h"

#define V1B1 "client.authentication.k8s.io/v1beta1"

Test(k8s_exec, parses_a_token_credential_with_its_expiry)
{
    static const char doc[] = "{\"apiVersion\":\"" V1B1 "\",\"kind\":\"ExecCredential\","
                              "\"status\":{\"token\":\"k8s-aws-v1.x\","
                              "\"expirationTimestamp\":\"2024-01-02T03:04:05Z\"}}";
    struct bg_arena *a = bg_arena_new();
    struct bg_error err = BG_ERROR_INIT;
    struct bg_k8s_credential c;

    cr_assert_eq(bg_k8s_exec_parse(&c, a, V1B1, doc, strlen(doc), &err), 0, "%s", err.msg);
    cr_expect_str_eq(c.token, "k8s-aws-v1.x");
    cr_expect_eq(c.expires, (time_t)1704164645);
    bg_arena_free(a);
}

Test(k8s_exec, refuses_other_kinds_versions_and_empty_status)
{
    static const char *const bad[] = {
        "not json",
        "{\"apiVersion\":\"" V1B1 "\",\"kind\":\"Pod\",\"status\":{\"token\":\"x\"}}",
        "{\"apiVersion\":\"client.authentication.k8s.io/v1\",\"kind\":\"ExecCredential\","
        "\"status\":{\"token\":\"x\"}}",
        "{\"apiVersion\":\"" V1B1 "\",\"kind\":\"ExecCredential\",\"status\":{}}",
        "{\"apiVersion\":\"" V1B1 "\",\"kind\":\"ExecCredential\",\"status\":{\"token\":\"x\","
        "\"expirationTimestamp\":\"tomorrow\"}}",
    };
    struct bg_arena *a = bg_arena_new();

    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        struct bg_error err = BG_ERROR_INIT;
        struct bg_k8s_credential c;

        cr_expect_eq(bg_k8s_exec_parse(&c, a, V1B1, bad[i], strlen(bad[i]), &err), BG_EPROTO,
                     "case %zu", i);
    }
    bg_arena_free(a);
}

Test(k8s_exec, runs_the_command_without_a_shell_with_env_and_exec_info)
{
    static const char *const args[] = {
        "-c",
        "test -n \"$KUBERNETES_EXEC_INFO\" || exit 3; printf "
        "'{\"apiVersion\":\"%s\",\"kind\":\"ExecCredential\",\"status\":{\"token\":\"%s;%s\"}}' "
        "\"" V1B1 "\" \"$TOKEN_PREFIX\" \"$1\"",
        "sh", "arg with spaces; not a shell"};
    static const struct bg_k8s_env env[] = {{"TOKEN_PREFIX", "tok"}};
    struct bg_k8s_exec x = {V1B1, "sh", args, 4, env, 1};
    struct bg_arena *a = bg_arena_new();
    struct bg_error err = BG_ERROR_INIT;
    struct bg_k8s_credential c;

    cr_assert_eq(bg_k8s_exec_run(&c, a, &x, 10000, NULL, &err), 0, "%s", err.msg);
    cr_expect_str_eq(c.token, "tok;arg with spaces; not a shell");
    bg_arena_free(a);
}

Test(k8s_exec, a_failing_or_hanging_or_missing_command_is_an_error_naming_it)
{
    static const char *const fail_args[] = {"-c", "echo 'cluster not found' >&2; exit 4"};
    static const char *const hang_args[] = {"-c", "sleep 30"};
    struct bg_k8s_exec fails = {V1B1, "sh", fail_args, 2, NULL, 0};
    struct bg_k8s_exec hangs = {V1B1, "sh", hang_args, 2, NULL, 0};
    struct bg_k8s_exec missing = {V1B1, "/nonexistent/get-token", NULL, 0, NULL, 0};
    struct bg_arena *a = bg_arena_new();
    struct bg_error err = BG_ERROR_INIT;
    struct bg_k8s_credential c;
    time_t t0;

    cr_expect_eq(bg_k8s_exec_run(&c, a, &fails, 10000, NULL, &err), BG_EINVAL);
    cr_expect(strstr(err.msg, "\"sh\" failed (exit status 4): cluster not found") != NULL, "%s",
              err.msg);
    t0 = time(NULL);
    cr_expect_eq(bg_k8s_exec_run(&c, a, &hangs, 300, NULL, &err), BG_EIO);
    cr_expect(strstr(err.msg, "did not finish in time") != NULL, "%s", err.msg);
    cr_expect_lt(time(NULL) - t0, 20); /* killed, not waited for */
    cr_expect_neq(bg_k8s_exec_run(&c, a, &missing, 1000, NULL, &err), 0);
    cr_expect(strstr(err.msg, "/nonexistent/get-token") != NULL, "%s", err.msg);
    bg_arena_free(a);
}

Test(k8s_exec, a_stop_request_kills_the_plugin)
{
    static const char *const args[] = {"-c", "sleep 30"};
    struct bg_k8s_exec x = {V1B1, "sh", args, 2, NULL, 0};
    struct bg_arena *a = bg_arena_new();
    struct bg_error err = BG_ERROR_INIT;
    struct bg_k8s_credential c;
    atomic_bool stop = true;

    cr_expect_eq(bg_k8s_exec_run(&c, a, &x, 30000, &stop, &err), BG_ECANCELED);
    bg_arena_free(a);
}

Test(k8s_exec, parses_rfc3339_times_with_offsets_and_fractions)
{
    time_t t;

    cr_assert_eq(bg_k8s_parse_time(&t, "2024-01-02T03:04:05Z"), 0);
    cr_expect_eq(t, (time_t)1704164645);
    cr_assert_eq(bg_k8s_parse_time(&t, "2024-01-02T04:04:05.123456+01:00"), 0);
    cr_expect_eq(t, (time_t)1704164645);
    cr_expect_neq(bg_k8s_parse_time(&t, "2024-13-02T03:04:05Z"), 0);
    cr_expect_neq(bg_k8s_parse_time(&t, "2024-01-02 03:04:05"), 0);
    cr_expect_neq(bg_k8s_parse_time(&t, "2024-01-02T03:04:05+0100"), 0);
}
