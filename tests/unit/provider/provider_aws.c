/*
 * Unit tests for the provider's AWS settings (src/provider/provider_aws.c): resolution is
 * lazy (a missing region or missing credentials is reported only when a client is asked
 * for), the messages name what is missing and never a secret, and clients are pooled.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <criterion/criterion.h>

#include "bluegreen/codec.h"
#include "provider/internal.h"
#include "support/http_server.h"

/* Every environment here disables the instance metadata (and refuses any non-loopback
 * credential endpoint): a chain that finds nothing else must never reach 169.254.169.254. */
static const char *const no_env[] = {"HOME=/nonexistent-bluegreen-test",
                                     "AWS_EC2_METADATA_DISABLED=true",
                                     "BG_AWS_INTERNAL_LOOPBACK_ONLY=1", NULL};

struct fixture {
    struct bg_arena *a;
    struct bg_diags d;
    struct bg_provider p;
};

static void setup(struct fixture *f, const char *json, const char *const *envp)
{
    struct bg_error err = BG_ERROR_INIT;
    struct bg_provider__config cfg;
    struct bg_value *config = NULL;

    f->a = bg_arena_new();
    bg_diags_init(&f->d, f->a);
    cr_assert_eq(bg_json_decode(&config, f->a, json, strlen(json), &err), 0, "%s", err.msg);
    memset(&f->p, 0, sizeof(f->p));
    cr_assert_eq(bg_provider__config_read(&cfg, &f->d, config), 0);
    f->p.aws = bg_provider__aws_new(&f->d, &cfg, envp);
    cr_assert_not_null(f->p.aws);
    cr_assert_eq(f->d.count, 0, "configuring must not report anything");
}

static void teardown(struct fixture *f)
{
    bg_provider__aws_free(f->p.aws);
    bg_arena_free(f->a);
}

Test(provider_aws, missing_region_is_reported_only_when_a_client_is_needed)
{
    struct bg_error err = BG_ERROR_INIT;
    struct bg_aws_client *c = NULL;
    struct fixture f;

    setup(&f, "{\"access_key\":\"AKID\",\"secret_key\":\"s3cr3t-value\"}", no_env);
    cr_assert_neq(bg_provider_aws_acquire(&c, &f.p, NULL, NULL, &err), 0);
    cr_assert_null(c);
    cr_assert_not_null(strstr(err.msg, "region"), "%s", err.msg);
    cr_assert_null(strstr(err.msg, "s3cr3t-value"), "a secret leaked: %s", err.msg);
    teardown(&f);
}

Test(provider_aws, missing_credentials_are_named)
{
    struct bg_error err = BG_ERROR_INIT;
    struct bg_aws_client *c = NULL;
    struct fixture f;

    setup(&f, "{\"region\":\"us-east-1\"}", no_env);
    cr_assert_neq(bg_provider_aws_acquire(&c, &f.p, NULL, NULL, &err), 0);
    cr_assert_not_null(strstr(err.msg, "credentials"), "%s", err.msg);
    teardown(&f);
}

Test(provider_aws, environment_fills_what_the_block_leaves_out)
{
    static const char *const env[] = {"AWS_REGION=eu-west-1", "AWS_ACCESS_KEY_ID=AKID",
                                      "AWS_SECRET_ACCESS_KEY=secret",
                                      "AWS_EC2_METADATA_DISABLED=true", NULL};
    struct bg_error err = BG_ERROR_INIT;
    struct bg_aws_client *c = NULL;
    struct fixture f;

    setup(&f, "{\"endpoints\":{\"elbv2\":\"http://127.0.0.1:9\"}}", env);
    cr_assert_eq(bg_provider_aws_acquire(&c, &f.p, NULL, NULL, &err), 0, "%s", err.msg);
    bg_provider_aws_release(&f.p, c);
    teardown(&f);
}

Test(provider_aws, a_released_client_is_reused_and_concurrent_borrowers_get_their_own)
{
    struct bg_error err = BG_ERROR_INIT;
    struct bg_aws_client *c1 = NULL, *c2 = NULL, *again = NULL;
    struct fixture f;

    setup(&f,
          "{\"region\":\"us-east-1\",\"access_key\":\"AKID\",\"secret_key\":\"x\","
          "\"max_retries\":1}",
          no_env);
    cr_assert_eq(bg_provider_aws_acquire(&c1, &f.p, NULL, NULL, &err), 0, "%s", err.msg);
    cr_assert_eq(bg_provider_aws_acquire(&c2, &f.p, NULL, NULL, &err), 0, "%s", err.msg);
    cr_assert_neq(c1, c2);
    bg_provider_aws_release(&f.p, c1);
    cr_assert_eq(bg_provider_aws_acquire(&again, &f.p, NULL, NULL, &err), 0, "%s", err.msg);
    cr_assert_eq(again, c1, "the idle client (and its connection) is reused");
    bg_provider_aws_release(&f.p, again);
    bg_provider_aws_release(&f.p, c2);
    teardown(&f);
}

Test(provider_aws, unconfigured_provider_is_an_error_not_a_crash)
{
    struct bg_error err = BG_ERROR_INIT;
    struct bg_aws_client *c = NULL;

    cr_assert_neq(bg_provider_aws_acquire(&c, NULL, NULL, NULL, &err), 0);
    cr_assert_null(c);
    bg_provider_aws_release(NULL, NULL);
}

/* ---- roles and endpoints from the provider block --------------------------------------- */

static const char sts_ok[] =
    "<AssumeRoleResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\"><AssumeRoleResult>"
    "<Credentials><AccessKeyId>ASIAROLE</AccessKeyId><SecretAccessKey>role-secret"
    "</SecretAccessKey><SessionToken>role-token</SessionToken><Expiration>2099-01-01T00:00:00Z"
    "</Expiration></Credentials></AssumeRoleResult></AssumeRoleResponse>";

Test(provider_aws, assume_role_block_is_applied_on_top_of_the_chain_through_endpoints_sts)
{
    const struct test_reply r[] = {{200, sts_ok, 0, 0, NULL}};
    static const char *const env[] = {
        "HOME=/nonexistent-bluegreen-test",  "AWS_EC2_METADATA_DISABLED=true",
        "BG_AWS_INTERNAL_LOOPBACK_ONLY=1",   "AWS_ACCESS_KEY_ID=AKIDBASE",
        "AWS_SECRET_ACCESS_KEY=base-secret", NULL};
    struct bg_error err = BG_ERROR_INIT;
    struct bg_aws_client *c = NULL;
    struct test_server server;
    struct fixture f;
    char json[1024], auth[512];

    cr_assert_eq(test_server_start(&server, r, 1), 0);
    snprintf(json, sizeof(json),
             "{\"region\":\"us-east-1\",\"endpoints\":{\"sts\":\"http://127.0.0.1:%d\"},"
             "\"assume_role\":{\"role_arn\":\"arn:aws:iam::1:role/deploy\",\"duration\":"
             "\"1h30m\",\"external_id\":\"ext\",\"tags\":{\"team\":\"platform\"}}}",
             server.port);
    setup(&f, json, env);
    cr_assert_eq(bg_provider_aws_acquire(&c, &f.p, NULL, NULL, &err), 0, "%s", err.msg);
    test_server_stop(&server);
    cr_assert_not_null(server.requests[0], "STS was asked when the client was acquired");
    cr_expect(strncmp(test_body(server.requests[0]),
                      "Action=AssumeRole&Version=2011-06-15&RoleArn=arn%3Aaws%3Aiam%3A%3A1%3Arole"
                      "%2Fdeploy&RoleSessionName=terraform-provider-bluegreen-",
                      129) == 0,
              "%s", test_body(server.requests[0]));
    cr_assert_eq(test_header(server.requests[0], "Authorization", auth, sizeof(auth)), 0);
    cr_expect(strstr(auth, "Credential=AKIDBASE/") != NULL, "signed with the base keys: %s", auth);
    cr_expect(strstr(test_body(server.requests[0]), "&DurationSeconds=5400&ExternalId=ext&") !=
                  NULL,
              "%s", test_body(server.requests[0]));
    cr_expect(strstr(test_body(server.requests[0]), "Tags.member.1.Key=team&Tags.member.1.Value="
                                                    "platform") != NULL);
    bg_provider_aws_release(&f.p, c);
    test_server_free(&server);
    teardown(&f);
}

Test(provider_aws, web_identity_block_without_a_token_is_reported_when_a_client_is_needed)
{
    struct bg_error err = BG_ERROR_INIT;
    struct bg_aws_client *c = NULL;
    struct fixture f;

    setup(&f,
          "{\"region\":\"us-east-1\",\"assume_role_with_web_identity\":{\"role_arn\":"
          "\"arn:aws:iam::1:role/oidc\"}}",
          no_env);
    cr_assert_neq(bg_provider_aws_acquire(&c, &f.p, NULL, NULL, &err), 0);
    cr_expect_str_eq(err.msg, "assume_role_with_web_identity: set exactly one of "
                              "web_identity_token and web_identity_token_file");
    teardown(&f);
}

Test(provider_aws, every_service_endpoint_is_read_from_the_endpoints_block)
{
    static const char *const env[] = {"AWS_ACCESS_KEY_ID=AKID", "AWS_SECRET_ACCESS_KEY=x",
                                      "AWS_EC2_METADATA_DISABLED=true", NULL};
    struct bg_error err = BG_ERROR_INIT;
    struct bg_aws_client *c = NULL;
    struct fixture f;

    setup(&f,
          "{\"region\":\"us-east-1\",\"endpoints\":{\"elbv2\":\"http://127.0.0.1:1\",\"sts\":"
          "\"http://127.0.0.1:2\",\"cloudwatch\":\"http://127.0.0.1:3\",\"autoscaling\":"
          "\"http://127.0.0.1:4/\",\"eks\":\"http://127.0.0.1:5\"}}",
          env);
    cr_assert_eq(bg_provider_aws_acquire(&c, &f.p, NULL, NULL, &err), 0, "%s", err.msg);
    cr_expect_str_eq(bg_aws_client_endpoint(c, BG_AWS_ELBV2), "http://127.0.0.1:1");
    cr_expect_str_eq(bg_aws_client_endpoint(c, BG_AWS_STS), "http://127.0.0.1:2");
    cr_expect_str_eq(bg_aws_client_endpoint(c, BG_AWS_CLOUDWATCH), "http://127.0.0.1:3");
    cr_expect_str_eq(bg_aws_client_endpoint(c, BG_AWS_AUTOSCALING), "http://127.0.0.1:4");
    cr_expect_str_eq(bg_aws_client_endpoint(c, BG_AWS_EKS), "http://127.0.0.1:5");
    cr_expect_str_eq(bg_provider_aws_region(&f.p), "us-east-1");
    bg_provider_aws_release(&f.p, c);
    teardown(&f);
}

Test(provider_aws, durations_outside_what_sts_allows_are_named_by_path)
{
    static const char *const bad[] = {"\"1d\"", "\"10m\"", "\"13h\""};
    const struct bg_block_type *ar = NULL;
    struct bg_error err = BG_ERROR_INIT;

    for (size_t i = 0; i < bg_provider_schema.block.nblocks; i++) {
        if (strcmp(bg_provider_schema.block.blocks[i].name, "assume_role") == 0)
            ar = &bg_provider_schema.block.blocks[i];
    }
    cr_assert_not_null(ar);
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        struct bg_arena *a = bg_arena_new();
        struct bg_value *config = NULL;
        struct bg_diags d;
        char json[256];

        bg_diags_init(&d, a);
        snprintf(json, sizeof(json),
                 "{\"assume_role\":{\"role_arn\":\"arn:aws:iam::1:role/x\",\"duration\":%s}}",
                 bad[i]);
        cr_assert_eq(bg_json_decode(&config, a, json, strlen(json), &err), 0);
        bg_schema_validate(&d, &bg_provider_schema.block, config);
        cr_expect_eq(d.count, 1, "%s", bad[i]);
        cr_expect(d.count == 1 && strstr(d.head->detail, "assume_role.duration") != NULL, "%s: %s",
                  bad[i], d.count ? d.head->detail : "");
        bg_arena_free(a);
    }
}

static double mono(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Two clients borrowed at once share one bucket: 12 requests at 5/s with a bucket of 5
 * need at least 1.4 s whichever client sends them (a lower bound, safe on a loaded machine).
 * The server closes each connection, so the two clients can take turns on it. */
Test(provider_aws, concurrent_clients_share_the_providers_request_rate_limit)
{
    static const char ok[] = "<DescribeTargetHealthResponse><DescribeTargetHealthResult/>"
                             "</DescribeTargetHealthResponse>";
    struct test_reply r[12];
    struct bg_error err = BG_ERROR_INIT;
    struct bg_aws_client *c[2] = {NULL, NULL};
    struct bg_aws_target_health_list l;
    struct test_server server;
    struct fixture f;
    char json[256];
    double t0;

    for (size_t i = 0; i < 12; i++)
        r[i] = (struct test_reply){200, ok, 0, 0, "Connection: close\r\n"};
    cr_assert_eq(test_server_start(&server, r, 12), 0);
    snprintf(json, sizeof(json),
             "{\"region\":\"us-east-1\",\"access_key\":\"AKID\",\"secret_key\":\"x\","
             "\"requests_per_second\":5,\"endpoints\":{\"elbv2\":\"http://127.0.0.1:%d\"}}",
             server.port);
    setup(&f, json, no_env);
    cr_assert_eq(bg_provider_aws_acquire(&c[0], &f.p, NULL, NULL, &err), 0, "%s", err.msg);
    cr_assert_eq(bg_provider_aws_acquire(&c[1], &f.p, NULL, NULL, &err), 0, "%s", err.msg);
    t0 = mono();
    for (int i = 0; i < 12; i++)
        cr_assert_eq(bg_aws_elbv2_describe_target_health(&l, c[i % 2], f.a, "arn:tg", &err), 0,
                     "%s", err.msg);
    cr_expect_geq(mono() - t0, 1.35, "12 requests took %f s", mono() - t0);
    bg_provider_aws_release(&f.p, c[0]);
    bg_provider_aws_release(&f.p, c[1]);
    test_server_free(&server);
    teardown(&f);
}
