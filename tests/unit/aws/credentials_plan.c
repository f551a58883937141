/* credentials_plan.c - unit tests for src/aws/credentials_plan.c and credentials_util.c: which
 * source the chain settles on (profiles and their role chains, credential_source, web
 * identity, container, instance metadata, the provider's blocks), and the small parsers. No
 * network: plans are only built here. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "aws/creds.h"

struct fixture {
    struct bg_arena *a;
    char dir[64];
    char cred_env[128], config_env[128], home_env[128];
    struct bg_aws__plan plan;
    struct bg_error err;
};

static void write_file(const char *dir, const char *name, const char *text)
{
    char path[160];
    FILE *f;

    snprintf(path, sizeof(path), "%s/%s", dir, name);
    f = fopen(path, "w");
    cr_assert(f != NULL);
    fputs(text, f);
    fclose(f);
}

static void setup(struct fixture *f, const char *credentials, const char *config)
{
    memset(f, 0, sizeof(*f));
    f->a = bg_arena_new();
    strcpy(f->dir, "/tmp/bg_aws_plan_XXXXXX");
    cr_assert(mkdtemp(f->dir) != NULL);
    write_file(f->dir, "credentials", credentials != NULL ? credentials : "");
    write_file(f->dir, "config", config != NULL ? config : "");
    snprintf(f->cred_env, sizeof(f->cred_env), "AWS_SHARED_CREDENTIALS_FILE=%s/credentials",
             f->dir);
    snprintf(f->config_env, sizeof(f->config_env), "AWS_CONFIG_FILE=%s/config", f->dir);
    snprintf(f->home_env, sizeof(f->home_env), "HOME=%s", f->dir);
}

static void teardown(struct fixture *f)
{
    char path[160];

    bg_aws__wipe_all(&f->plan.secrets);
    snprintf(path, sizeof(path), "%s/credentials", f->dir);
    unlink(path);
    snprintf(path, sizeof(path), "%s/config", f->dir);
    unlink(path);
    rmdir(f->dir);
    bg_arena_free(f->a);
}

/* Builds the plan with the fixture's files plus extra (NULL-terminated) variables. */
static int build(struct fixture *f, const struct bg_aws_settings *s, const char *const *extra)
{
    const char *envp[32] = {f->cred_env, f->config_env, f->home_env};
    size_t n = 3;

    for (; extra != NULL && *extra != NULL && n < 31; extra++)
        envp[n++] = *extra;
    envp[n] = NULL;
    return bg_aws__plan_build(&f->plan, f->a, s, envp, "http://127.0.0.1:9", &f->err);
}

static const char *const no_imds[] = {"AWS_EC2_METADATA_DISABLED=true", NULL};

/* ---- profiles -------------------------------------------------------------------------- */

static const char chain_config[] = "[profile deploy]\n"
                                   "role_arn = arn:aws:iam::111111111111:role/deploy\n"
                                   "source_profile = hop\n"
                                   "external_id = ext-1\n"
                                   "role_session_name = ci-run\n"
                                   "duration_seconds = 1800\n"
                                   "[profile hop]\n"
                                   "role_arn = arn:aws:iam::222222222222:role/hop\n"
                                   "source_profile = base\n"
                                   "[profile self]\n"
                                   "role_arn = arn:aws:iam::333333333333:role/self\n"
                                   "source_profile = self\n"
                                   "[profile loop-a]\n"
                                   "role_arn = arn:aws:iam::1:role/a\n"
                                   "source_profile = loop-b\n"
                                   "[profile loop-b]\n"
                                   "role_arn = arn:aws:iam::1:role/b\n"
                                   "source_profile = loop-a\n"
                                   "[profile from-env]\n"
                                   "role_arn = arn:aws:iam::444444444444:role/env\n"
                                   "credential_source = Environment\n"
                                   "[profile from-ecs]\n"
                                   "role_arn = arn:aws:iam::444444444444:role/ecs\n"
                                   "credential_source = EcsContainer\n"
                                   "[profile bad-source]\n"
                                   "role_arn = arn:aws:iam::1:role/x\n"
                                   "credential_source = Somewhere\n"
                                   "[profile oidc]\n"
                                   "role_arn = arn:aws:iam::555555555555:role/oidc\n"
                                   "web_identity_token_file = /var/run/token\n"
                                   "[profile helper]\n"
                                   "credential_process = /opt/bin/creds --role 'a b' \"c\\\"d\"\n"
                                   "[profile sso]\n"
                                   "sso_session = corp\n"
                                   "sso_account_id = 1\n"
                                   "[profile region-only]\n"
                                   "region = eu-west-1\n"
                                   "[profile orphan]\n"
                                   "role_arn = arn:aws:iam::1:role/orphan\n";

static const char chain_credentials[] = "[base]\n"
                                        "aws_access_key_id = AKIDBASE\n"
                                        "aws_secret_access_key = basesecret\n"
                                        "[self]\n"
                                        "aws_access_key_id = AKIDSELF\n"
                                        "aws_secret_access_key = selfsecret\n";

Test(aws_credentials_plan, follows_a_source_profile_chain_innermost_role_first)
{
    struct bg_aws_settings s = BG_AWS_SETTINGS_INIT;
    struct fixture f;

    setup(&f, chain_credentials, chain_config);
    s.profile = "deploy";
    cr_assert_eq(build(&f, &s, no_imds), 0, "%s", f.err.msg);
    cr_expect_eq(f.plan.base.kind, BG_AWS__STATIC);
    cr_expect_str_eq(f.plan.base.access_key, "AKIDBASE");
    cr_expect_str_eq(f.plan.base.name, "profile \"base\" keys");
    cr_assert_eq(f.plan.n_roles, 2);
    cr_expect_str_eq(f.plan.roles[0].role_arn, "arn:aws:iam::222222222222:role/hop");
    cr_expect_str_eq(f.plan.role_via[0], "profile \"hop\"");
    cr_expect_str_eq(f.plan.roles[1].role_arn, "arn:aws:iam::111111111111:role/deploy");
    cr_expect_str_eq(f.plan.roles[1].external_id, "ext-1");
    cr_expect_str_eq(f.plan.roles[1].session_name, "ci-run");
    cr_expect_eq(f.plan.roles[1].duration_s, 1800);
    teardown(&f);
}

Test(aws_credentials_plan, uses_a_profiles_own_keys_when_it_is_its_own_source)
{
    struct bg_aws_settings s = BG_AWS_SETTINGS_INIT;
    struct fixture f;

    setup(&f, chain_credentials, chain_config);
    s.profile = "self";
    cr_assert_eq(build(&f, &s, no_imds), 0, "%s", f.err.msg);
    cr_expect_str_eq(f.plan.base.access_key, "AKIDSELF");
    cr_assert_eq(f.plan.n_roles, 1);
    cr_expect_str_eq(f.plan.roles[0].role_arn, "arn:aws:iam::333333333333:role/self");
    teardown(&f);
}

Test(aws_credentials_plan, refuses_source_profile_loops_and_dangling_roles)
{
    struct bg_aws_settings s = BG_AWS_SETTINGS_INIT;
    struct fixture f;

    setup(&f, chain_credentials, chain_config);
    s.profile = "loop-a";
    cr_expect_eq(build(&f, &s, no_imds), BG_EINVAL);
    cr_expect(strstr(f.err.msg, "deeper than 8") != NULL, "%s", f.err.msg);
    s.profile = "orphan";
    cr_expect_eq(build(&f, &s, no_imds), BG_EINVAL);
    cr_expect(strstr(f.err.msg, "no source_profile, credential_source") != NULL, "%s", f.err.msg);
    s.profile = "bad-source";
    cr_expect_eq(build(&f, &s, no_imds), BG_EINVAL);
    cr_expect(strstr(f.err.msg, "\"Somewhere\" is not Environment") != NULL, "%s", f.err.msg);
    s.profile = "nope";
    cr_expect_eq(build(&f, &s, no_imds), BG_EINVAL);
    cr_expect(strstr(f.err.msg, "profile \"nope\": not found in ~/credentials") != NULL, "%s",
              f.err.msg);
    teardown(&f);
}

Test(aws_credentials_plan, takes_the_credential_source_from_environment_or_container)
{
    static const char *const env[] = {"AWS_ACCESS_KEY_ID=AKIDENV", "AWS_SECRET_ACCESS_KEY=e",
                                      "AWS_CONTAINER_CREDENTIALS_FULL_URI=http://127.0.0.1:7/c",
                                      "AWS_CONTAINER_AUTHORIZATION_TOKEN=tok", NULL};
    struct bg_aws_settings s = BG_AWS_SETTINGS_INIT;
    struct fixture f;

    setup(&f, NULL, chain_config);
    s.profile = "from-env";
    cr_assert_eq(build(&f, &s, env), 0, "%s", f.err.msg);
    cr_expect_eq(f.plan.base.kind, BG_AWS__STATIC);
    cr_expect_str_eq(f.plan.base.access_key, "AKIDENV",
                     "a profile set skips env keys, but "
                     "credential_source = Environment uses them");
    cr_expect_eq(f.plan.n_roles, 1);
    s.profile = "from-ecs";
    cr_assert_eq(build(&f, &s, env), 0, "%s", f.err.msg);
    cr_expect_eq(f.plan.base.kind, BG_AWS__CONTAINER);
    cr_expect_str_eq(f.plan.base.url, "http://127.0.0.1:7/c");
    cr_expect_str_eq(f.plan.base.auth, "tok");
    cr_expect_str_eq(f.plan.roles[0].role_arn, "arn:aws:iam::444444444444:role/ecs");
    teardown(&f);
}

Test(aws_credentials_plan, reads_web_identity_and_credential_process_profiles)
{
    struct bg_aws_settings s = BG_AWS_SETTINGS_INIT;
    struct fixture f;

    setup(&f, NULL, chain_config);
    s.profile = "oidc";
    cr_assert_eq(build(&f, &s, no_imds), 0, "%s", f.err.msg);
    cr_expect_eq(f.plan.base.kind, BG_AWS__WEB_IDENTITY);
    cr_expect_str_eq(f.plan.base.wi.role_arn, "arn:aws:iam::555555555555:role/oidc");
    cr_expect_str_eq(f.plan.base.wi.token_file, "/var/run/token");
    cr_expect_eq(f.plan.n_roles, 0, "the web identity role is the base itself");
    s.profile = "helper";
    cr_assert_eq(build(&f, &s, no_imds), 0, "%s", f.err.msg);
    cr_expect_eq(f.plan.base.kind, BG_AWS__PROCESS);
    cr_expect_str_eq(f.plan.base.argv[0], "/opt/bin/creds");
    cr_expect_str_eq(f.plan.base.argv[1], "--role");
    cr_expect_str_eq(f.plan.base.argv[2], "a b");
    cr_expect_str_eq(f.plan.base.argv[3], "c\"d");
    cr_expect_null(f.plan.base.argv[4]);
    cr_expect_not_null(f.plan.base.envp, "the helper gets the environment");
    teardown(&f);
}

Test(aws_credentials_plan, refuses_an_sso_profile_and_says_what_to_use)
{
    struct bg_aws_settings s = BG_AWS_SETTINGS_INIT;
    struct fixture f;

    setup(&f, NULL, chain_config);
    s.profile = "sso";
    cr_expect_eq(build(&f, &s, no_imds), BG_EINVAL);
    cr_expect(strstr(f.err.msg, "IAM Identity Center") != NULL, "%s", f.err.msg);
    cr_expect(strstr(f.err.msg, "export-credentials --profile sso --format process") != NULL, "%s",
              f.err.msg);
    teardown(&f);
}

Test(aws_credentials_plan, passes_over_a_profile_without_credentials_to_the_metadata)
{
    static const char *const env[] = {
        "AWS_PROFILE=region-only", "AWS_EC2_METADATA_SERVICE_ENDPOINT=http://127.0.0.1:5/", NULL};
    struct bg_aws_settings s = BG_AWS_SETTINGS_INIT;
    struct fixture f;

    setup(&f, NULL, chain_config);
    cr_assert_eq(build(&f, &s, env), 0, "%s", f.err.msg);
    cr_expect_eq(f.plan.base.kind, BG_AWS__IMDS);
    cr_expect_str_eq(f.plan.base.endpoint, "http://127.0.0.1:5");
    cr_expect(strstr(f.plan.tried, "profile \"region-only\": no credentials in it") != NULL, "%s",
              f.plan.tried);
    teardown(&f);
}

/* ---- environment, container, metadata -------------------------------------------------- */

Test(aws_credentials_plan, takes_web_identity_from_the_environment_after_the_keys)
{
    static const char *const env[] = {"AWS_ROLE_ARN=arn:aws:iam::1:role/gha",
                                      "AWS_WEB_IDENTITY_TOKEN_FILE=/tmp/gha-token",
                                      "AWS_ROLE_SESSION_NAME=run-42", NULL};
    static const char *const no_arn[] = {"AWS_WEB_IDENTITY_TOKEN_FILE=/tmp/gha-token", NULL};
    struct bg_aws_settings s = BG_AWS_SETTINGS_INIT;
    struct fixture f;

    setup(&f, NULL, NULL);
    cr_assert_eq(build(&f, &s, env), 0, "%s", f.err.msg);
    cr_expect_eq(f.plan.base.kind, BG_AWS__WEB_IDENTITY);
    cr_expect_str_eq(f.plan.base.wi.session_name, "run-42");
    cr_expect_str_eq(f.plan.base.wi.token_file, "/tmp/gha-token");
    cr_expect(strstr(f.plan.tried, "AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY: not set") != NULL);
    cr_expect_eq(build(&f, &s, no_arn), BG_EINVAL);
    cr_expect(strstr(f.err.msg, "AWS_ROLE_ARN is not") != NULL, "%s", f.err.msg);
    teardown(&f);
}

Test(aws_credentials_plan, prefers_the_relative_container_uri_and_checks_full_ones)
{
    static const char *const rel[] = {"AWS_CONTAINER_CREDENTIALS_RELATIVE_URI=/v2/creds/abc",
                                      "AWS_CONTAINER_CREDENTIALS_FULL_URI=http://127.0.0.1:1/x",
                                      "BG_AWS_INTERNAL_CONTAINER_HOST=http://127.0.0.1:8",
                                      "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE=/run/token", NULL};
    static const char *const plain_http[] = {
        "AWS_CONTAINER_CREDENTIALS_FULL_URI=http://198.51.100.7/creds", NULL};
    static const char *const pod_identity[] = {
        "AWS_CONTAINER_CREDENTIALS_FULL_URI=http://169.254.170.23/v1/credentials", NULL};
    struct bg_aws_settings s = BG_AWS_SETTINGS_INIT;
    struct fixture f;

    setup(&f, NULL, NULL);
    cr_assert_eq(build(&f, &s, rel), 0, "%s", f.err.msg);
    cr_expect_eq(f.plan.base.kind, BG_AWS__CONTAINER);
    cr_expect_str_eq(f.plan.base.url, "http://127.0.0.1:8/v2/creds/abc");
    cr_expect_str_eq(f.plan.base.auth_file, "/run/token");
    cr_expect_eq(build(&f, &s, plain_http), BG_EINVAL, "plain http to a remote host");
    cr_expect(strstr(f.err.msg, "must be https") != NULL, "%s", f.err.msg);
    cr_assert_eq(build(&f, &s, pod_identity), 0, "%s", f.err.msg);
    cr_expect_str_eq(f.plan.base.url, "http://169.254.170.23/v1/credentials");
    teardown(&f);
}

Test(aws_credentials_plan, never_plans_a_metadata_address_under_the_loopback_guard)
{
    static const char *const guarded[] = {"BG_AWS_INTERNAL_LOOPBACK_ONLY=1", NULL};
    static const char *const ecs[] = {"BG_AWS_INTERNAL_LOOPBACK_ONLY=1",
                                      "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI=/v2/creds", NULL};
    struct bg_aws_settings s = BG_AWS_SETTINGS_INIT;
    struct fixture f;

    setup(&f, NULL, NULL);
    cr_expect_eq(build(&f, &s, guarded), BG_EINVAL);
    cr_expect(strstr(f.err.msg, "EC2 instance metadata: http://169.254.169.254 not tried") != NULL,
              "%s", f.err.msg);
    cr_expect_eq(build(&f, &s, ecs), BG_EINVAL);
    cr_expect(strstr(f.err.msg, "169.254.170.2/v2/creds refused") != NULL, "%s", f.err.msg);
    teardown(&f);
}

Test(aws_credentials_plan, falls_back_to_the_default_metadata_endpoint_only_without_overrides)
{
    static const char *const ipv6[] = {"AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE=IPv6", NULL};
    struct bg_aws_settings s = BG_AWS_SETTINGS_INIT;
    struct fixture f;

    setup(&f, NULL, NULL);
    cr_assert_eq(build(&f, &s, NULL), 0, "%s", f.err.msg);
    cr_expect_eq(f.plan.base.kind, BG_AWS__IMDS, "planned only: nothing is contacted here");
    cr_expect_str_eq(f.plan.base.endpoint, "http://169.254.169.254");
    cr_assert_eq(build(&f, &s, ipv6), 0, "%s", f.err.msg);
    cr_expect_str_eq(f.plan.base.endpoint, "http://[fd00:ec2::254]");
    teardown(&f);
}

/* ---- the provider block ---------------------------------------------------------------- */

Test(aws_credentials_plan, puts_assume_role_on_top_of_whatever_base_was_found)
{
    static const char *const env[] = {"AWS_ACCESS_KEY_ID=AKIDENV", "AWS_SECRET_ACCESS_KEY=e", NULL};
    const struct bg_aws_param tags[] = {{"team", "platform"}, {"run", "42"}};
    struct bg_aws_assume_role role = {.role_arn = "arn:aws:iam::9:role/apply",
                                      .external_id = "x",
                                      .duration_s = 900,
                                      .tags = tags,
                                      .n_tags = 2};
    struct bg_aws_settings s = BG_AWS_SETTINGS_INIT;
    struct fixture f;

    setup(&f, chain_credentials, chain_config);
    s.assume_role = &role;
    cr_assert_eq(build(&f, &s, env), 0, "%s", f.err.msg);
    cr_expect_str_eq(f.plan.base.access_key, "AKIDENV");
    cr_assert_eq(f.plan.n_roles, 1);
    cr_expect_str_eq(f.plan.role_via[0], "assume_role");
    cr_expect_str_eq(f.plan.roles[0].tags[1].value, "42");
    s.profile = "deploy";
    cr_assert_eq(build(&f, &s, env), 0, "%s", f.err.msg);
    cr_assert_eq(f.plan.n_roles, 3, "the profile's chain, then the block's role");
    cr_expect_str_eq(f.plan.roles[2].role_arn, "arn:aws:iam::9:role/apply");
    role.role_arn = NULL;
    cr_expect_eq(build(&f, &s, env), BG_EINVAL);
    cr_expect_str_eq(f.err.msg, "assume_role: role_arn is required");
    teardown(&f);
}

Test(aws_credentials_plan, lets_assume_role_with_web_identity_replace_the_chain)
{
    static const char *const env[] = {"AWS_ACCESS_KEY_ID=AKIDENV", "AWS_SECRET_ACCESS_KEY=e", NULL};
    struct bg_aws_web_identity wi = {.role_arn = "arn:aws:iam::9:role/oidc",
                                     .token = "eyJ.secret.token"};
    struct bg_aws_settings s = BG_AWS_SETTINGS_INIT;
    struct fixture f;

    setup(&f, NULL, NULL);
    s.web_identity = &wi;
    cr_assert_eq(build(&f, &s, env), 0, "%s", f.err.msg);
    cr_expect_eq(f.plan.base.kind, BG_AWS__WEB_IDENTITY);
    cr_expect_str_eq(f.plan.base.wi.token, "eyJ.secret.token");
    cr_expect(strstr(f.plan.base.name, "eyJ") == NULL, "the token is never in a name");
    wi.token_file = "/tmp/t";
    cr_expect_eq(build(&f, &s, env), BG_EINVAL, "token and token file both set");
    teardown(&f);
}

Test(aws_credentials_plan, refuses_a_non_loopback_sts_endpoint_under_the_guard)
{
    static const char *const env[] = {"BG_AWS_INTERNAL_LOOPBACK_ONLY=1",
                                      "AWS_ACCESS_KEY_ID=AKIDENV", "AWS_SECRET_ACCESS_KEY=e", NULL};
    const char *envp[] = {env[0], env[1], env[2], NULL};
    struct bg_aws_assume_role role = {.role_arn = "arn:aws:iam::9:role/apply"};
    struct bg_aws_settings s = BG_AWS_SETTINGS_INIT;
    struct fixture f;

    setup(&f, NULL, NULL);
    s.assume_role = &role;
    cr_expect_eq(
        bg_aws__plan_build(&f.plan, f.a, &s, envp, "https://sts.us-east-1.amazonaws.com", &f.err),
        BG_EINVAL);
    cr_expect(strstr(f.err.msg, "STS endpoint https://sts.us-east-1.amazonaws.com refused") != NULL,
              "%s", f.err.msg);
    teardown(&f);
}

/* ---- parsers ------------------------------------------------------------------------------- */

Test(aws_credentials_plan, splits_command_lines_like_a_shell_without_expanding)
{
    static const struct {
        const char *line;
        const char *words[5];
    } cases[] = {
        {"a b\tc", {"a", "b", "c", NULL}},
        {"'$HOME' \"x y\" z\\ w", {"$HOME", "x y", "z w", NULL}},
        {"p '' q", {"p", "", "q", NULL}},
        {"a\"b\"'c'", {"abc", NULL}},
        {"\"a\\$b\\\\\"", {"a$b\\", NULL}},
    };
    struct bg_arena *a = bg_arena_new();
    struct bg_error err = BG_ERROR_INIT;
    const char **argv;
    size_t argc;

    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        cr_assert_eq(bg_aws__split_command(&argv, &argc, a, cases[i].line, &err), 0, "%s",
                     cases[i].line);
        for (size_t w = 0; cases[i].words[w] != NULL; w++)
            cr_expect_str_eq(argv[w], cases[i].words[w], "%s word %zu", cases[i].line, w);
    }
    cr_expect_eq(bg_aws__split_command(&argv, &argc, a, "a 'b", &err), BG_EINVAL);
    cr_expect_eq(bg_aws__split_command(&argv, &argc, a, "   ", &err), BG_EINVAL);
    bg_arena_free(a);
}

Test(aws_credentials_plan, parses_iso_times_and_terraform_durations)
{
    struct bg_error err = BG_ERROR_INIT;
    time_t t;
    long d;

    cr_assert_eq(bg_aws_parse_time(&t, "2024-05-01T12:00:00Z", &err), 0);
    cr_expect_eq(t, 1714564800);
    cr_assert_eq(bg_aws_parse_time(&t, "2024-05-01T12:00:00.123Z", &err), 0);
    cr_expect_eq(t, 1714564800);
    cr_assert_eq(bg_aws_parse_time(&t, "2024-05-01T14:00:00+02:00", &err), 0);
    cr_expect_eq(t, 1714564800);
    cr_expect_eq(bg_aws_parse_time(&t, "2024-05-01 12:00:00", &err), BG_EINVAL);
    cr_expect_eq(bg_aws_parse_time(&t, "2024-13-01T12:00:00Z", &err), BG_EINVAL);
    cr_expect_eq(bg_aws_parse_time(&t, "2024-05-01T12:00:00Zjunk", &err), BG_EINVAL);
    cr_assert_eq(bg_aws_parse_duration(&d, "1h30m", &err), 0);
    cr_expect_eq(d, 5400);
    cr_assert_eq(bg_aws_parse_duration(&d, "900s", &err), 0);
    cr_expect_eq(d, 900);
    cr_expect_eq(bg_aws_parse_duration(&d, "15", &err), BG_EINVAL);
    cr_expect_eq(bg_aws_parse_duration(&d, "1d", &err), BG_EINVAL);
    cr_expect_eq(bg_aws_parse_duration(&d, "", &err), BG_EINVAL);
}

Test(aws_credentials_plan, reads_json_credentials_in_each_shape)
{
    static const char imds[] = "{\"Code\":\"Success\",\"Type\":\"AWS-HMAC\",\"AccessKeyId\":"
                               "\"ASIAIMDS\",\"SecretAccessKey\":\"s\",\"Token\":\"t\","
                               "\"Expiration\":\"2030-01-01T00:00:00Z\"}";
    static const char proc[] =
        "{\"Version\":1,\"AccessKeyId\":\"AKIDP\",\"SecretAccessKey\":\"s\"}";
    static const char proc_v2[] = "{\"Version\":2,\"AccessKeyId\":\"A\",\"SecretAccessKey\":\"s\"}";
    static const char refused[] = "{\"code\":\"AccessDenied\",\"message\":\"not for you\"}";
    struct bg_arena *a = bg_arena_new();
    struct bg_error err = BG_ERROR_INIT;
    struct bg_aws_sts_creds c;

    cr_assert_eq(bg_aws_parse_json_credentials(&c, a, imds, strlen(imds), false, &err), 0, "%s",
                 err.msg);
    cr_expect_str_eq(c.access_key, "ASIAIMDS");
    cr_expect_eq(c.expires, 1893456000);
    cr_assert_eq(bg_aws_parse_json_credentials(&c, a, proc, strlen(proc), true, &err), 0, "%s",
                 err.msg);
    cr_expect_eq(c.expires, 0, "a process may hand out long-term keys");
    cr_expect_null(c.token);
    cr_expect_eq(bg_aws_parse_json_credentials(&c, a, proc_v2, strlen(proc_v2), true, &err),
                 BG_EPROTO);
    cr_expect_eq(bg_aws_parse_json_credentials(&c, a, proc, strlen(proc), false, &err), BG_EPROTO,
                 "temporary credentials must expire");
    cr_expect_eq(bg_aws_parse_json_credentials(&c, a, refused, strlen(refused), false, &err),
                 BG_EPROTO);
    cr_expect(strstr(err.msg, "AccessDenied: not for you") != NULL, "%s", err.msg);
    bg_arena_free(a);
}

Test(aws_credentials_plan, parses_sts_answers_and_refuses_incomplete_ones)
{
    static const char ok[] =
        "<AssumeRoleResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\">"
        "<AssumeRoleResult><Credentials><AccessKeyId>ASIASTS</AccessKeyId>"
        "<SecretAccessKey>sec</SecretAccessKey><SessionToken>tok</SessionToken>"
        "<Expiration>2030-01-01T00:00:00Z</Expiration></Credentials></AssumeRoleResult>"
        "</AssumeRoleResponse>";
    static const char no_token[] =
        "<AssumeRoleResponse><AssumeRoleResult><Credentials><AccessKeyId>A</AccessKeyId>"
        "<SecretAccessKey>s</SecretAccessKey><Expiration>2030-01-01T00:00:00Z</Expiration>"
        "</Credentials></AssumeRoleResult></AssumeRoleResponse>";
    struct bg_arena *a = bg_arena_new();
    struct bg_error err = BG_ERROR_INIT;
    struct bg_aws_sts_creds c;

    cr_assert_eq(bg_aws_sts_parse_credentials(&c, a, "AssumeRole", ok, strlen(ok), &err), 0, "%s",
                 err.msg);
    cr_expect_str_eq(c.access_key, "ASIASTS");
    cr_expect_str_eq(c.token, "tok");
    cr_expect_eq(c.expires, 1893456000);
    cr_expect_eq(
        bg_aws_sts_parse_credentials(&c, a, "AssumeRoleWithWebIdentity", ok, strlen(ok), &err),
        BG_EPROTO, "another action's answer");
    cr_expect_eq(
        bg_aws_sts_parse_credentials(&c, a, "AssumeRole", no_token, strlen(no_token), &err),
        BG_EPROTO);
    bg_arena_free(a);
}

Test(aws_credentials_plan, reads_the_region_field_of_an_arn)
{
    char r[16];

    cr_assert(bg_aws_arn_region(r, sizeof(r),
                                "arn:aws:elasticloadbalancing:eu-west-1:1:targetgroup/x/y"));
    cr_expect_str_eq(r, "eu-west-1");
    cr_expect(!bg_aws_arn_region(r, sizeof(r), "arn:aws:iam::1:role/x"), "IAM has no region");
    cr_expect(!bg_aws_arn_region(r, sizeof(r), "not-an-arn"));
    cr_expect(!bg_aws_arn_region(r, 4, "arn:aws:elasticloadbalancing:eu-west-1:1:tg"));
}
