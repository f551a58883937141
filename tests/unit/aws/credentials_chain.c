/* credentials_chain.c - unit tests of the credential sources that talk to something (IMDSv2,
 * container endpoints, STS, credential_process) and of the refreshing cache, against the
 * scripted server on 127.0.0.1. Every environment here names 127.0.0.1 endpoints and sets the
 * loopback guard: nothing else is ever contacted. */
#include <criterion/criterion.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "aws/creds.h"
#include "support/http_server.h"

struct fixture {
    struct test_server server;
    struct bg_arena *a;
    char dir[64];
    char endpoint[64];
    char env[8][256];
    const char *envp[24];
    size_t n_env;
    struct bg_aws_config cfg;
    struct bg_aws_credentials *p;
    time_t now;
    struct bg_error err;
};

static time_t fake_clock(void *ctx)
{
    return ((struct fixture *)ctx)->now;
}

static void add_env(struct fixture *f, const char *fmt, const char *value)
{
    char *slot = f->env[f->n_env < 8 ? f->n_env : 7];

    snprintf(slot, sizeof(f->env[0]), fmt, value);
    f->envp[f->n_env++] = slot;
}

static void setup(struct fixture *f, const struct test_reply *r, size_t n)
{
    memset(f, 0, sizeof(*f));
    cr_assert_eq(test_server_start(&f->server, r, n), 0);
    snprintf(f->endpoint, sizeof(f->endpoint), "http://127.0.0.1:%d", f->server.port);
    f->a = bg_arena_new();
    strcpy(f->dir, "/tmp/bg_aws_chain_XXXXXX");
    cr_assert(mkdtemp(f->dir) != NULL);
    f->now = time(NULL);
    add_env(f, "HOME=%s", f->dir);
    add_env(f, "AWS_ENDPOINT_URL=%s", f->endpoint);
    add_env(f, "AWS_EC2_METADATA_SERVICE_ENDPOINT=%s", f->endpoint);
    f->envp[f->n_env++] = "AWS_REGION=us-east-1";
    f->envp[f->n_env++] = "BG_AWS_INTERNAL_LOOPBACK_ONLY=1";
}

/* Builds the provider; extra variables (NULL-terminated) go after the fixture's. */
static int provider(struct fixture *f, const struct bg_aws_settings *s, const char *const *extra,
                    bool fake_time)
{
    struct bg_aws_credentials_opts opts = BG_AWS_CREDENTIALS_OPTS_INIT;
    static const struct bg_aws_settings none = BG_AWS_SETTINGS_INIT;

    for (; extra != NULL && *extra != NULL; extra++)
        f->envp[f->n_env++] = *extra;
    f->envp[f->n_env] = NULL;
    s = s != NULL ? s : &none;
    cr_assert_eq(bg_aws_config_resolve(&f->cfg, f->a, s, f->envp, &f->err), 0, "%s", f->err.msg);
    opts.process_timeout_ms = 5000;
    opts.sts.max_delay_ms = 1;
    if (fake_time) {
        opts.now = fake_clock;
        opts.now_ctx = f;
    }
    return bg_aws_credentials_new(&f->p, &f->cfg, s, f->envp, &opts, &f->err);
}

static void teardown(struct fixture *f)
{
    char cmd[128];

    bg_aws_credentials_free(f->p);
    test_server_free(&f->server);
    snprintf(cmd, sizeof(cmd), "rm -rf %s", f->dir);
    cr_expect_eq(system(cmd), 0);
    bg_arena_free(f->a);
}

static const char *file_in(struct fixture *f, const char *name, const char *text)
{
    char *path = bg_arena_printf(f->a, "%s/%s", f->dir, name);
    FILE *fp = fopen(path, "w");

    cr_assert_not_null(fp);
    fputs(text, fp);
    fclose(fp);
    return path;
}

static const char *req(struct fixture *f, size_t i)
{
    cr_assert_lt(i, TEST_SERVER_MAX);
    cr_assert_not_null(f->server.requests[i], "request %zu was never made", i);
    return f->server.requests[i];
}

static char *json_creds(struct bg_arena *a, const char *key, time_t expires)
{
    struct tm tm;
    char when[32];

    gmtime_r(&expires, &tm);
    strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm);
    return bg_arena_printf(a,
                           "{\"Code\":\"Success\",\"AccessKeyId\":\"%s\",\"SecretAccessKey\":"
                           "\"secret-%s\",\"Token\":\"token-%s\",\"Expiration\":\"%s\"}",
                           key, key, key, when);
}

/* ---- instance metadata -------------------------------------------------------------------- */

Test(aws_credentials_chain, fetches_imdsv2_credentials_with_a_session_token)
{
    struct bg_arena *a = bg_arena_new();
    struct test_reply r[] = {{200, "IMDSTOKEN-1", 0, 0, NULL},
                             {200, "ci-runner-role\n", 0, 0, NULL},
                             {200, json_creds(a, "ASIAIMDS", time(NULL) + 3600), 0, 0, NULL}};
    const struct bg_aws_creds *c = NULL;
    struct fixture f;
    char v[128];

    setup(&f, r, 3);
    cr_assert_eq(provider(&f, NULL, NULL, false), 0, "%s", f.err.msg);
    cr_assert_eq(bg_aws_credentials_get(&c, f.p, NULL, &f.err), 0, "%s", f.err.msg);
    cr_expect_str_eq(c->access_key, "ASIAIMDS");
    cr_expect_str_eq(c->token, "token-ASIAIMDS");
    cr_expect_gt(c->expires, time(NULL) + 3000);
    cr_expect(strncmp(req(&f, 0), "PUT /latest/api/token HTTP/1.1", 30) == 0, "%s", req(&f, 0));
    cr_assert_eq(test_header(req(&f, 0), "X-aws-ec2-metadata-token-ttl-seconds", v, sizeof(v)), 0);
    cr_expect_str_eq(v, "21600");
    cr_expect(strncmp(req(&f, 1), "GET /latest/meta-data/iam/security-credentials/ HTTP", 52) == 0);
    cr_assert_eq(test_header(req(&f, 1), "X-aws-ec2-metadata-token", v, sizeof(v)), 0);
    cr_expect_str_eq(v, "IMDSTOKEN-1");
    cr_expect(strncmp(req(&f, 2), "GET /latest/meta-data/iam/security-credentials/ci-runner-role ",
                      62) == 0,
              "%s", req(&f, 2));
    bg_aws_creds_release(c);
    teardown(&f);
    bg_arena_free(a);
}

Test(aws_credentials_chain, names_every_source_and_the_metadata_failure_when_nothing_works)
{
    const struct test_reply r[] = {{200, "T", 0, 0, NULL}, {404, "", 0, 0, NULL}};
    const struct bg_aws_creds *c = NULL;
    struct fixture f;

    setup(&f, r, 2);
    cr_assert_eq(provider(&f, NULL, NULL, false), 0, "%s", f.err.msg);
    cr_expect_eq(bg_aws_credentials_get(&c, f.p, NULL, &f.err), BG_ENOTFOUND);
    cr_expect_null(c);
    cr_expect(strstr(f.err.msg, "no AWS credentials: provider access_key/secret_key: not set; ") ==
                  f.err.msg,
              "%s", f.err.msg);
    cr_expect(strstr(f.err.msg, "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI/FULL_URI: not set; EC2 "
                                "instance metadata (IMDSv2 at http://127.0.0.1:") != NULL,
              "%s", f.err.msg);
    cr_expect(strstr(f.err.msg, "the instance has no IAM role attached") != NULL, "%s", f.err.msg);
    teardown(&f);
}

/* ---- container ---------------------------------------------------------------------------- */

Test(aws_credentials_chain, sends_the_container_authorization_token_read_from_its_file)
{
    struct bg_arena *a = bg_arena_new();
    struct test_reply r[] = {{200, json_creds(a, "ASIAPOD", time(NULL) + 900), 0, 0, NULL}};
    const struct bg_aws_creds *c = NULL;
    const char *extra[3];
    struct fixture f;
    char v[128];

    setup(&f, r, 1);
    extra[0] =
        bg_arena_printf(f.a, "AWS_CONTAINER_CREDENTIALS_FULL_URI=%s/v1/credentials", f.endpoint);
    extra[1] = bg_arena_printf(f.a, "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE=%s",
                               file_in(&f, "pod-token", "eks-pod-identity-token\n"));
    extra[2] = NULL;
    cr_assert_eq(provider(&f, NULL, extra, false), 0, "%s", f.err.msg);
    cr_assert_eq(bg_aws_credentials_get(&c, f.p, NULL, &f.err), 0, "%s", f.err.msg);
    cr_expect_str_eq(c->access_key, "ASIAPOD");
    cr_expect(strncmp(req(&f, 0), "GET /v1/credentials HTTP/1.1", 28) == 0, "%s", req(&f, 0));
    cr_assert_eq(test_header(req(&f, 0), "Authorization", v, sizeof(v)), 0);
    cr_expect_str_eq(v, "eks-pod-identity-token", "trailing newline dropped");
    bg_aws_creds_release(c);
    teardown(&f);
    bg_arena_free(a);
}

/* ---- STS ------------------------------------------------------------------------------------ */

static char *sts_answer(struct bg_arena *a, const char *action, const char *key)
{
    return bg_arena_printf(
        a,
        "<%sResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\"><%sResult>"
        "<Credentials><AccessKeyId>%s</AccessKeyId><SecretAccessKey>secret-%s</SecretAccessKey>"
        "<SessionToken>token-%s</SessionToken><Expiration>2099-01-01T00:00:00Z</Expiration>"
        "</Credentials></%sResult></%sResponse>",
        action, action, key, key, key, action, action);
}

Test(aws_credentials_chain, assumes_a_role_with_web_identity_unsigned)
{
    struct bg_arena *a = bg_arena_new();
    struct test_reply r[] = {
        {200, sts_answer(a, "AssumeRoleWithWebIdentity", "ASIAOIDC"), 0, 0, NULL}};
    const struct bg_aws_creds *c = NULL;
    const char *extra[4];
    struct fixture f;
    char v[64];

    setup(&f, r, 1);
    extra[0] = "AWS_ROLE_ARN=arn:aws:iam::123456789012:role/gha";
    extra[1] = bg_arena_printf(f.a, "AWS_WEB_IDENTITY_TOKEN_FILE=%s",
                               file_in(&f, "oidc", "header.payload.signature\n"));
    extra[2] = "AWS_ROLE_SESSION_NAME=run-7";
    extra[3] = NULL;
    cr_assert_eq(provider(&f, NULL, extra, false), 0, "%s", f.err.msg);
    cr_assert_eq(bg_aws_credentials_get(&c, f.p, NULL, &f.err), 0, "%s", f.err.msg);
    cr_expect_str_eq(c->access_key, "ASIAOIDC");
    cr_expect_str_eq(c->token, "token-ASIAOIDC");
    cr_expect_neq(test_header(req(&f, 0), "Authorization", v, sizeof(v)), 0, "unsigned");
    cr_expect_str_eq(test_body(req(&f, 0)),
                     "Action=AssumeRoleWithWebIdentity&Version=2011-06-15&RoleArn=arn%3Aaws%3Aiam"
                     "%3A%3A123456789012%3Arole%2Fgha&RoleSessionName=run-7&WebIdentityToken="
                     "header.payload.signature");
    bg_aws_creds_release(c);
    teardown(&f);
    bg_arena_free(a);
}

static const char chain_config[] = "[profile deploy]\n"
                                   "role_arn = arn:aws:iam::111111111111:role/deploy\n"
                                   "source_profile = hop\n"
                                   "external_id = ext-1\n"
                                   "[profile hop]\n"
                                   "role_arn = arn:aws:iam::222222222222:role/hop\n"
                                   "source_profile = base\n";
static const char chain_credentials[] = "[base]\n"
                                        "aws_access_key_id = AKIDBASE\n"
                                        "aws_secret_access_key = basesecret\n";

Test(aws_credentials_chain, signs_each_assume_role_with_the_previous_credentials)
{
    struct bg_arena *a = bg_arena_new();
    struct test_reply r[] = {{200, sts_answer(a, "AssumeRole", "ASIAHOP"), 0, 0, NULL},
                             {200, sts_answer(a, "AssumeRole", "ASIADEPLOY"), 0, 0, NULL},
                             {200, sts_answer(a, "AssumeRole", "ASIAAPPLY"), 0, 0, NULL}};
    const struct bg_aws_param tags[] = {{"team", "platform"}};
    struct bg_aws_assume_role role = {.role_arn = "arn:aws:iam::9:role/apply",
                                      .session_name = "apply-1",
                                      .duration_s = 900,
                                      .source_identity = "alice",
                                      .tags = tags,
                                      .n_tags = 1};
    struct bg_aws_settings s = BG_AWS_SETTINGS_INIT;
    const struct bg_aws_creds *c = NULL;
    const char *extra[3];
    struct fixture f;
    char v[512];

    setup(&f, r, 3);
    extra[0] = bg_arena_printf(f.a, "AWS_CONFIG_FILE=%s", file_in(&f, "config", chain_config));
    extra[1] = bg_arena_printf(f.a, "AWS_SHARED_CREDENTIALS_FILE=%s",
                               file_in(&f, "credentials", chain_credentials));
    extra[2] = NULL;
    s.profile = "deploy";
    s.assume_role = &role;
    cr_assert_eq(provider(&f, &s, extra, false), 0, "%s", f.err.msg);
    cr_assert_eq(bg_aws_credentials_get(&c, f.p, NULL, &f.err), 0, "%s", f.err.msg);
    cr_expect_str_eq(c->access_key, "ASIAAPPLY");
    cr_expect(strstr(c->source,
                     "role arn:aws:iam::111111111111:role/deploy (profile \"deploy\")") != NULL,
              "%s", c->source);
    cr_assert_eq(test_header(req(&f, 0), "Authorization", v, sizeof(v)), 0);
    cr_expect(strstr(v, "Credential=AKIDBASE/") != NULL && strstr(v, "/sts/aws4_request") != NULL,
              "%s", v);
    cr_expect_neq(test_header(req(&f, 0), "X-Amz-Security-Token", v, sizeof(v)), 0);
    cr_assert_eq(test_header(req(&f, 1), "Authorization", v, sizeof(v)), 0);
    cr_expect(strstr(v, "Credential=ASIAHOP/") != NULL, "%s", v);
    cr_assert_eq(test_header(req(&f, 1), "X-Amz-Security-Token", v, sizeof(v)), 0);
    cr_expect_str_eq(v, "token-ASIAHOP");
    cr_expect(strstr(test_body(req(&f, 1)), "&ExternalId=ext-1") != NULL);
    cr_expect_str_eq(test_body(req(&f, 2)),
                     "Action=AssumeRole&Version=2011-06-15&RoleArn=arn%3Aaws%3Aiam%3A%3A9%3Arole"
                     "%2Fapply&RoleSessionName=apply-1&DurationSeconds=900&SourceIdentity=alice&"
                     "Tags.member.1.Key=team&Tags.member.1.Value=platform");
    bg_aws_creds_release(c);
    teardown(&f);
    bg_arena_free(a);
}

Test(aws_credentials_chain, names_the_role_that_sts_refused)
{
    const struct test_reply r[] = {
        {403,
         "<ErrorResponse><Error><Type>Sender</Type><Code>AccessDenied</Code><Message>not "
         "authorized to perform sts:AssumeRole</Message></Error></ErrorResponse>",
         0, 0, NULL}};
    struct bg_aws_assume_role role = {.role_arn = "arn:aws:iam::9:role/apply"};
    static const char *const keys[] = {"AWS_ACCESS_KEY_ID=AKIDENV",
                                       "AWS_SECRET_ACCESS_KEY=never-shown", NULL};
    struct bg_aws_settings s = BG_AWS_SETTINGS_INIT;
    const struct bg_aws_creds *c = NULL;
    struct fixture f;

    setup(&f, r, 1);
    s.assume_role = &role;
    cr_assert_eq(provider(&f, &s, keys, false), 0, "%s", f.err.msg);
    cr_expect_eq(bg_aws_credentials_get(&c, f.p, NULL, &f.err), BG_EINVAL);
    cr_expect(strstr(f.err.msg,
                     "AWS credentials from environment (AWS_ACCESS_KEY_ID), but the "
                     "role of assume_role: STS AssumeRole (arn:aws:iam::9:role/apply)") != NULL,
              "%s", f.err.msg);
    cr_expect(strstr(f.err.msg, "AccessDenied") != NULL, "%s", f.err.msg);
    cr_expect(strstr(f.err.msg, "never-shown") == NULL);
    teardown(&f);
}

/* ---- credential_process --------------------------------------------------------------------- */

static int process_provider(struct fixture *f, const char *command)
{
    const char *extra[3];

    extra[0] = bg_arena_printf(
        f->a, "AWS_CONFIG_FILE=%s",
        file_in(f, "config",
                bg_arena_printf(f->a, "[default]\ncredential_process = %s\n", command)));
    extra[1] = "AWS_EC2_METADATA_DISABLED=true";
    extra[2] = NULL;
    return provider(f, NULL, extra, false);
}

Test(aws_credentials_chain, runs_credential_process_without_a_shell)
{
    const struct bg_aws_creds *c = NULL;
    struct fixture f;

    setup(&f, NULL, 0);
    cr_assert_eq(process_provider(&f, "printf '{\"Version\": 1, \"AccessKeyId\": \"$HOME\", "
                                      "\"SecretAccessKey\": \"s;rm -rf x\", \"SessionToken\": "
                                      "\"t\", \"Expiration\": \"2099-01-01T00:00:00Z\"}'"),
                 0, "%s", f.err.msg);
    cr_assert_eq(bg_aws_credentials_get(&c, f.p, NULL, &f.err), 0, "%s", f.err.msg);
    cr_expect_str_eq(c->access_key, "$HOME", "no expansion: no shell");
    cr_expect_str_eq(c->secret_key, "s;rm -rf x");
    cr_expect_str_eq(c->token, "t");
    cr_expect_eq(c->expires, 4070908800);
    cr_expect(strstr(c->source, "credential_process (printf)") != NULL, "%s", c->source);
    bg_aws_creds_release(c);
    teardown(&f);
}

Test(aws_credentials_chain, reports_a_failing_credential_process_with_its_last_stderr_line)
{
    const struct bg_aws_creds *c = NULL;
    struct fixture f;

    setup(&f, NULL, 0);
    cr_assert_eq(process_provider(&f, "sh -c 'echo starting >&2; echo \"session expired: run "
                                      "login\" >&2; exit 3'"),
                 0, "%s", f.err.msg);
    cr_expect_eq(bg_aws_credentials_get(&c, f.p, NULL, &f.err), BG_EIO);
    cr_expect(strstr(f.err.msg, "credential_process sh exited with status 3: session expired: "
                                "run login") != NULL,
              "%s", f.err.msg);
    teardown(&f);
    setup(&f, NULL, 0);
    cr_assert_eq(process_provider(&f, "/nonexistent/helper --x"), 0, "%s", f.err.msg);
    cr_expect_eq(bg_aws_credentials_get(&c, f.p, NULL, &f.err), BG_EIO);
    /* posix_spawnp reports the failed exec; under valgrind it is an exit status 127 */
    cr_expect(strstr(f.err.msg, "cannot run /nonexistent/helper") != NULL ||
                  strstr(f.err.msg, "/nonexistent/helper exited with status 127: cannot run") !=
                      NULL,
              "%s", f.err.msg);
    teardown(&f);
}

Test(aws_credentials_chain, kills_a_credential_process_that_outlives_its_bound)
{
    struct bg_aws_credentials_opts opts = BG_AWS_CREDENTIALS_OPTS_INIT;
    static const struct bg_aws_settings none = BG_AWS_SETTINGS_INIT;
    const struct bg_aws_creds *c = NULL;
    struct fixture f;
    time_t t0;

    setup(&f, NULL, 0);
    cr_assert_eq(process_provider(&f, "sleep 30"), 0, "%s", f.err.msg);
    bg_aws_credentials_free(f.p);
    opts.process_timeout_ms = 300;
    cr_assert_eq(bg_aws_credentials_new(&f.p, &f.cfg, &none, f.envp, &opts, &f.err), 0);
    t0 = time(NULL);
    cr_expect_eq(bg_aws_credentials_get(&c, f.p, NULL, &f.err), BG_EIO);
    cr_expect(strstr(f.err.msg, "no answer within 300 ms") != NULL, "%s", f.err.msg);
    cr_expect_lt(time(NULL) - t0, 20, "killed, not waited for");
    teardown(&f);
}

/* ---- the cache --------------------------------------------------------------------------------
 */

static void container_env(struct fixture *f, const char **extra)
{
    extra[0] = bg_arena_printf(f->a, "AWS_CONTAINER_CREDENTIALS_FULL_URI=%s/creds", f->endpoint);
    extra[1] = NULL;
}

static const char *key_now(struct fixture *f, int want_rc)
{
    const struct bg_aws_creds *c = NULL;
    const char *key;
    int rc = bg_aws_credentials_get(&c, f->p, NULL, &f->err);

    cr_assert_eq(rc, want_rc, "%s", f->err.msg);
    if (c == NULL)
        return NULL;
    key = bg_arena_strdup(f->a, c->access_key);
    bg_aws_creds_release(c);
    return key;
}

Test(aws_credentials_chain, serves_from_the_cache_until_five_minutes_before_expiry)
{
    struct bg_arena *a = bg_arena_new();
    time_t t = time(NULL);
    struct test_reply r[] = {{200, json_creds(a, "ASIAONE", t + 3600), 0, 0, NULL},
                             {200, json_creds(a, "ASIATWO", t + 7200), 0, 0, NULL}};
    const char *extra[2];
    struct fixture f;

    setup(&f, r, 2);
    f.now = t;
    container_env(&f, extra);
    cr_assert_eq(provider(&f, NULL, extra, true), 0, "%s", f.err.msg);
    cr_expect_str_eq(key_now(&f, 0), "ASIAONE");
    f.now = t + 3600 - 301;
    cr_expect_str_eq(key_now(&f, 0), "ASIAONE");
    cr_expect_eq(f.server.served, 1, "cached: no second fetch");
    f.now = t + 3600 - 299;
    cr_expect_str_eq(key_now(&f, 0), "ASIATWO", "refreshed within the 5 minute margin");
    cr_expect_eq(f.server.served, 2);
    teardown(&f);
    bg_arena_free(a);
}

Test(aws_credentials_chain, renews_short_lived_credentials_halfway_through_their_life)
{
    struct bg_arena *a = bg_arena_new();
    time_t t = time(NULL);
    struct test_reply r[] = {{200, json_creds(a, "ASIA60A", t + 60), 0, 0, NULL},
                             {200, json_creds(a, "ASIA60B", t + 91), 0, 0, NULL}};
    const char *extra[2];
    struct fixture f;

    setup(&f, r, 2);
    f.now = t;
    container_env(&f, extra);
    cr_assert_eq(provider(&f, NULL, extra, true), 0, "%s", f.err.msg);
    cr_expect_str_eq(key_now(&f, 0), "ASIA60A");
    f.now = t + 29;
    cr_expect_str_eq(key_now(&f, 0), "ASIA60A");
    f.now = t + 31;
    cr_expect_str_eq(key_now(&f, 0), "ASIA60B");
    cr_expect_eq(f.server.served, 2, "one fetch per half lifetime, not one per request");
    teardown(&f);
    bg_arena_free(a);
}

Test(aws_credentials_chain, keeps_valid_credentials_when_a_refresh_fails_but_not_expired_ones)
{
    struct bg_arena *a = bg_arena_new();
    time_t t = time(NULL);
    struct test_reply r[] = {{200, json_creds(a, "ASIAOLD", t + 3600), 0, 0, NULL},
                             {500, "", 0, 0, NULL},
                             {500, "", 0, 0, NULL}};
    const char *extra[2];
    struct fixture f;

    setup(&f, r, 3);
    f.now = t;
    container_env(&f, extra);
    cr_assert_eq(provider(&f, NULL, extra, true), 0, "%s", f.err.msg);
    cr_expect_str_eq(key_now(&f, 0), "ASIAOLD");
    f.now = t + 3400;
    cr_expect_str_eq(key_now(&f, 0), "ASIAOLD", "the endpoint failed, the keys are still good");
    cr_expect_eq(f.server.served, 2);
    f.now = t + 3405;
    cr_expect_str_eq(key_now(&f, 0), "ASIAOLD");
    cr_expect_eq(f.server.served, 2, "no new attempt for 10 s after a failure");
    f.now = t + 3595;
    cr_expect_null(key_now(&f, BG_EIO), "expired keys are never handed out");
    cr_expect(strstr(f.err.msg, "HTTP 500") != NULL, "%s", f.err.msg);
    teardown(&f);
    bg_arena_free(a);
}

struct racer {
    struct bg_aws_credentials *p;
    const char *key;
    int rc;
    char msg[512];
};

static void *race(void *arg)
{
    struct racer *r = arg;
    struct bg_error err = BG_ERROR_INIT;
    const struct bg_aws_creds *c = NULL;

    r->rc = bg_aws_credentials_get(&c, r->p, NULL, &err);
    r->key = c != NULL && strcmp(c->access_key, "AKIDSLOW") == 0 ? "AKIDSLOW" : NULL;
    snprintf(r->msg, sizeof(r->msg), "%s", err.msg);
    bg_aws_creds_release(c);
    return NULL;
}

Test(aws_credentials_chain, concurrent_callers_share_one_refresh)
{
    struct racer racers[8];
    pthread_t threads[8];
    struct fixture f;
    const char *count;
    char cmd[512];
    FILE *fp;
    int runs = 0;

    setup(&f, NULL, 0);
    count = file_in(&f, "runs", "");
    snprintf(cmd, sizeof(cmd),
             "sh -c 'echo run >> %s; sleep 0.3; printf \"{\\\"Version\\\": 1, "
             "\\\"AccessKeyId\\\": \\\"AKIDSLOW\\\", \\\"SecretAccessKey\\\": \\\"s\\\"}\"'",
             count);
    cr_assert_eq(process_provider(&f, cmd), 0, "%s", f.err.msg);
    for (int i = 0; i < 8; i++) {
        racers[i] = (struct racer){f.p, NULL, 1, ""};
        pthread_create(&threads[i], NULL, race, &racers[i]);
    }
    for (int i = 0; i < 8; i++) {
        pthread_join(threads[i], NULL);
        cr_expect_eq(racers[i].rc, 0, "%s", racers[i].msg);
        cr_expect_str_eq(racers[i].key, "AKIDSLOW");
    }
    fp = fopen(count, "r");
    cr_assert_not_null(fp);
    while (fgets(cmd, sizeof(cmd), fp) != NULL)
        runs++;
    fclose(fp);
    cr_expect_eq(runs, 1, "8 callers, one credential_process run");
    teardown(&f);
}

struct stopper {
    atomic_bool stop;
};

static void *stop_soon(void *arg)
{
    struct timespec ts = {0, 200 * 1000000L};

    nanosleep(&ts, NULL);
    atomic_store(&((struct stopper *)arg)->stop, true);
    return NULL;
}

Test(aws_credentials_chain, stop_aborts_a_fetch_that_hangs)
{
    const struct test_reply r[] = {{200, "", 0, 1, NULL}};
    struct stopper s;
    const struct bg_aws_creds *c = NULL;
    const char *extra[2];
    struct fixture f;
    pthread_t t;
    time_t t0;

    setup(&f, r, 1);
    container_env(&f, extra);
    cr_assert_eq(provider(&f, NULL, extra, false), 0, "%s", f.err.msg);
    atomic_init(&s.stop, false);
    pthread_create(&t, NULL, stop_soon, &s);
    t0 = time(NULL);
    cr_expect_eq(bg_aws_credentials_get(&c, f.p, &s.stop, &f.err), BG_ECANCELED, "%s", f.err.msg);
    cr_expect_lt(time(NULL) - t0, 4, "the 5 s container timeout was not waited for");
    cr_expect(strstr(f.err.msg, "getting AWS credentials from container credentials") == f.err.msg,
              "a stop is not reported as missing credentials: %s", f.err.msg);
    pthread_join(t, NULL);
    teardown(&f);
}

/* ---- the AWS client with a credentials provider ------------------------------------------------
 */

Test(aws_credentials_chain, signs_with_the_providers_keys_and_renews_them_on_expired_token)
{
    struct bg_arena *a = bg_arena_new();
    time_t t = time(NULL);
    struct test_reply creds[] = {{200, json_creds(a, "ASIAFIRST", t + 3600), 0, 0, NULL},
                                 {200, json_creds(a, "ASIASECOND", t + 3600), 0, 0, NULL}};
    const struct test_reply elbv2[] = {
        {400,
         "<ErrorResponse><Error><Type>Sender</Type><Code>ExpiredToken</Code><Message>The "
         "security token included in the request is expired</Message></Error></ErrorResponse>",
         0, 0, NULL},
        {200, "<DescribeTargetGroupsResponse/>", 0, 0, NULL}};
    struct bg_aws_client_opts opts = BG_AWS_CLIENT_OPTS_INIT;
    const struct bg_aws_request call = {.action = "DescribeTargetGroups", .service = BG_AWS_ELBV2};
    struct bg_aws_response out;
    struct bg_aws_client *client = NULL;
    struct test_server api;
    const char *extra[2];
    struct fixture f;
    char v[512];

    setup(&f, creds, 2);
    cr_assert_eq(test_server_start(&api, elbv2, 2), 0);
    container_env(&f, extra);
    cr_assert_eq(provider(&f, NULL, extra, false), 0, "%s", f.err.msg);
    f.cfg.endpoints[BG_AWS_ELBV2] = bg_arena_printf(f.a, "http://127.0.0.1:%d", api.port);
    opts.credentials = f.p;
    f.cfg.max_retries = 0; /* the renewal is not a retry */
    cr_assert_eq(bg_aws_client_new(&client, &f.cfg, &opts, &f.err), 0, "%s", f.err.msg);
    cr_assert_eq(bg_aws_client_call(&out, client, f.a, &call, &f.err), 0, "%s", f.err.msg);
    cr_expect_eq(out.attempts, 2);
    cr_assert_eq(test_header(api.requests[0], "Authorization", v, sizeof(v)), 0);
    cr_expect(strstr(v, "Credential=ASIAFIRST/") != NULL, "%s", v);
    cr_assert_eq(test_header(api.requests[0], "X-Amz-Security-Token", v, sizeof(v)), 0);
    cr_expect_str_eq(v, "token-ASIAFIRST");
    cr_assert_eq(test_header(api.requests[1], "Authorization", v, sizeof(v)), 0);
    cr_expect(strstr(v, "Credential=ASIASECOND/") != NULL, "%s", v);
    cr_assert_eq(test_header(api.requests[1], "X-Amz-Security-Token", v, sizeof(v)), 0);
    cr_expect_str_eq(v, "token-ASIASECOND");
    bg_aws_client_free(client);
    test_server_free(&api);
    teardown(&f);
    bg_arena_free(a);
}
