/*
 * Unit tests for the provider's AWS settings (src/provider/provider_aws.c): resolution is
 * lazy (a missing region or missing credentials is reported only when a client is asked
 * for), the messages name what is missing and never a secret, and clients are pooled.
 */
#include <string.h>

#include <criterion/criterion.h>

#include "bluegreen/codec.h"
#include "bluegreen/provider.h"

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
    struct bg_value *config = NULL;

    f->a = bg_arena_new();
    bg_diags_init(&f->d, f->a);
    cr_assert_eq(bg_json_decode(&config, f->a, json, strlen(json), &err), 0, "%s", err.msg);
    memset(&f->p, 0, sizeof(f->p));
    f->p.aws = bg_provider_aws_new(&f->d, config, envp);
    cr_assert_not_null(f->p.aws);
    cr_assert_eq(f->d.count, 0, "configuring must not report anything");
}

static void teardown(struct fixture *f)
{
    bg_provider_aws_free(f->p.aws);
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
