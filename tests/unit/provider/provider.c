/*
 * Unit tests for the provider block (src/provider/provider.c): the typed layer reads every
 * setting from the one table, unknown settings are named, and a bad value is a diagnostic at
 * its attribute.
 */
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>

#include "bluegreen/codec.h"
#include "provider/internal.h"

/* No instance metadata, loopback only: a chain that finds nothing never leaves the host. */
static const char *const no_env[] = {"HOME=/nonexistent-bluegreen-test",
                                     "AWS_EC2_METADATA_DISABLED=true",
                                     "BG_AWS_INTERNAL_LOOPBACK_ONLY=1", NULL};

static struct bg_arena *arena;
static struct bg_diags diags;

static void setup(void)
{
    arena = bg_arena_new();
    bg_diags_init(&diags, arena);
}

static void teardown(void)
{
    bg_arena_free(arena);
}

TestSuite(provider_provider, .init = setup, .fini = teardown);

static struct bg_value *json(const char *text)
{
    struct bg_error err = BG_ERROR_INIT;
    struct bg_value *v = NULL;

    cr_assert_eq(bg_json_decode(&v, arena, text, strlen(text), &err), 0, "%s", err.msg);
    return v;
}

/* The message bg_provider_aws_acquire gives for this configuration (NULL: it succeeded). */
static const char *acquire_error(const struct bg_value *config, const char *const *envp)
{
    static struct bg_error err;
    struct bg_provider__config cfg;
    struct bg_aws_client *c = NULL;
    struct bg_provider p = {0};
    const char *msg = NULL;

    bg_error_clear(&err);
    cr_assert_eq(bg_provider__config_read(&cfg, &diags, config), 0);
    p.aws = bg_provider__aws_new(&diags, &cfg, envp);
    if (bg_provider_aws_acquire(&c, &p, NULL, NULL, &err) != 0)
        msg = err.msg;
    bg_provider_aws_release(&p, c);
    bg_provider__aws_free(p.aws);
    return msg;
}

Test(provider_provider, every_setting_is_read_from_the_block)
{
    struct bg_provider__config cfg;

    cr_assert_eq(bg_provider__config_read(
                     &cfg, &diags,
                     json("{\"repository_root\":\"/r\",\"region\":\"eu-west-1\",\"profile\":\"p\","
                          "\"access_key\":\"AK\",\"secret_key\":\"SK\",\"token\":\"T\","
                          "\"max_retries\":0,\"requests_per_second\":0,\"endpoints\":{\"elbv2\":"
                          "\"http://127.0.0.1:9\"},"
                          "\"assume_role\":{\"role_arn\":\"arn:r\",\"duration\":\"1h\","
                          "\"tags\":{\"team\":\"x\"}},"
                          "\"assume_role_with_web_identity\":{\"role_arn\":\"arn:w\","
                          "\"web_identity_token_file\":\"/t\"}}")),
                 0);
    cr_assert_str_eq(cfg.repository_root, "/r");
    cr_assert_eq(cfg.repository_root_is, BG_PRESENCE_KNOWN);
    cr_assert_str_eq(cfg.aws.region, "eu-west-1");
    cr_assert_str_eq(cfg.aws.profile, "p");
    cr_assert_str_eq(cfg.aws.access_key, "AK");
    cr_assert_str_eq(cfg.aws.secret_key, "SK");
    cr_assert_str_eq(cfg.aws.token, "T");
    cr_assert_eq(cfg.max_retries, 0);
    cr_assert_eq(cfg.max_retries_is, BG_PRESENCE_KNOWN, "0 retries is a setting, not unset");
    cr_assert_eq(cfg.requests_per_second, 0);
    cr_assert_eq(cfg.requests_per_second_is, BG_PRESENCE_KNOWN, "0 turns the limit off");
    cr_assert_str_eq(cfg.endpoints->url[BG_AWS_ELBV2], "http://127.0.0.1:9");
    cr_assert_null(cfg.endpoints->url[BG_AWS_STS]);
    cr_assert_str_eq(cfg.assume_role->role.role_arn, "arn:r");
    cr_assert_str_eq(cfg.assume_role->duration, "1h");
    cr_assert_eq(cfg.assume_role->ntags, 1);
    cr_assert_str_eq(cfg.assume_role->tags[0].value, "x");
    cr_assert_str_eq(cfg.web_identity->role.role_arn, "arn:w");
    cr_assert_str_eq(cfg.web_identity->role.token_file, "/t");
    cr_assert_null(cfg.web_identity->role.token);
    cr_assert_null(cfg.unknown);
}

Test(provider_provider, an_empty_block_leaves_every_setting_unset)
{
    struct bg_provider__config cfg;

    cr_assert_eq(bg_provider__config_read(&cfg, &diags, json("{}")), 0);
    cr_assert_null(cfg.repository_root);
    cr_assert_null(cfg.aws.region);
    cr_assert_eq(cfg.aws.max_retries, -1);
    cr_assert_eq(cfg.aws.timeout_ms, -1);
    cr_assert_eq(cfg.max_retries_is, BG_PRESENCE_NULL);
    cr_assert_eq(cfg.requests_per_second_is, BG_PRESENCE_NULL, "unset: the default rate");
    cr_assert_null(cfg.endpoints);
    cr_assert_null(cfg.assume_role);
    cr_assert_null(cfg.web_identity);
}

Test(provider_provider, an_unknown_setting_is_named_when_aws_is_needed)
{
    struct bg_value *config = json("{\"access_key\":\"AK\",\"secret_key\":\"SK\"}");
    struct bg_value *ep = bg_value_map(arena, 1);
    const char *msg;

    bg_value_put(arena, config, "region", bg_value_unknown(arena));
    msg = acquire_error(config, no_env);
    cr_assert_not_null(msg);
    cr_assert_str_eq(msg, "provider setting region is not known until apply");

    bg_value_put(arena, config, "region", bg_value_string(arena, "us-east-1"));
    bg_value_put(arena, config, "requests_per_second", bg_value_unknown(arena));
    msg = acquire_error(config, no_env);
    cr_assert_not_null(msg);
    cr_assert_str_eq(msg, "provider setting requests_per_second is not known until apply");
    bg_value_put(arena, config, "requests_per_second", bg_value_int(arena, 10));
    bg_value_put(arena, ep, "elbv2", bg_value_unknown(arena));
    bg_value_put(arena, config, "endpoints", ep);
    msg = acquire_error(config, no_env);
    cr_assert_not_null(msg);
    cr_assert_str_eq(msg, "provider setting endpoints.elbv2 is not known until apply");
    bg_value_put(arena, ep, "elbv2", bg_value_string(arena, "http://127.0.0.1:9"));
    bg_value_put(arena, config, "assume_role",
                 json("{\"role_arn\":\"arn:r\",\"tags\":{\"team\":\"x\"}}"));
    bg_value_put(arena, bg_value_get(bg_value_get(config, "assume_role"), "tags"), "team",
                 bg_value_unknown(arena));
    msg = acquire_error(config, no_env);
    cr_assert_not_null(msg);
    cr_assert_str_eq(msg, "provider setting assume_role.tags is not known until apply");
    cr_assert_eq(diags.count, 0, "unknowns are reported lazily, not at configure time");
}

Test(provider_provider, known_settings_resolve_a_client)
{
    cr_assert_null(acquire_error(json("{\"region\":\"us-east-1\",\"access_key\":\"AK\","
                                      "\"secret_key\":\"SK\",\"max_retries\":2}"),
                                 no_env));
}

Test(provider_provider, an_unknown_repository_root_is_an_error_at_the_attribute)
{
    struct bg_value *config = bg_value_map(arena, 1);
    struct bg_provider *p = NULL;

    bg_value_put(arena, config, "repository_root", bg_value_unknown(arena));
    cr_assert_eq(bg_provider_new(&p, &diags, config, "1.11.4"), BG_EINVAL);
    cr_assert_null(p);
    cr_assert_eq(diags.errors, 1);
    cr_assert_str_eq(diags.head->summary, "Unknown repository root");
    cr_assert_str_eq(bg_path_string(arena, diags.head->path), "repository_root");
}

Test(provider_provider, a_fractional_max_retries_is_an_error_at_the_attribute)
{
    struct bg_provider__config cfg;

    cr_assert_eq(bg_provider__config_read(&cfg, &diags, json("{\"max_retries\":1.5}")), BG_EINVAL);
    cr_assert_str_eq(bg_path_string(arena, diags.head->path), "max_retries");
}

Test(provider_provider, the_repository_root_defaults_to_an_existing_directory)
{
    struct bg_provider *p = NULL;

    cr_assert_eq(bg_provider_new(&p, &diags, json("{\"region\":\"us-east-1\"}"), "1.11.4"), 0);
    cr_assert_not_null(p);
    cr_assert_eq(p->repository_root[0], '/');
    cr_assert_str_eq(p->terraform_version, "1.11.4");
    bg_provider_free(p);
}

/* generated_files as ConfigureProvider resolves it (-1: refused). */
static int verify_mode(const char *config, const char *env)
{
    struct bg_provider *p = NULL;
    int verify;

    if (env != NULL)
        setenv(BG_GENERATED_FILES_ENV, env, 1);
    else
        unsetenv(BG_GENERATED_FILES_ENV);
    if (bg_provider_new(&p, &diags, json(config), "1.11.4") != 0)
        return -1;
    verify = p->verify_files;
    bg_provider_free(p);
    return verify;
}

Test(provider_provider, generated_files_comes_from_the_block_then_the_environment)
{
    cr_expect_eq(verify_mode("{}", NULL), 0, "write by default");
    cr_expect_eq(verify_mode("{}", "verify"), 1);
    cr_expect_eq(verify_mode("{}", "write"), 0);
    cr_expect_eq(verify_mode("{}", ""), 0, "an empty variable is unset");
    cr_expect_eq(verify_mode("{\"generated_files\":\"verify\"}", NULL), 1);
    cr_expect_eq(verify_mode("{\"generated_files\":\"write\"}", "verify"), 0,
                 "the block wins over the environment");
    cr_expect_eq(diags.errors, 0);
}

Test(provider_provider, a_bad_generated_files_variable_names_itself)
{
    cr_expect_eq(verify_mode("{}", "Verify"), -1);
    cr_assert_eq(diags.errors, 1);
    cr_expect_str_eq(bg_path_string(arena, diags.head->path), "generated_files");
    cr_expect(strstr(diags.head->detail, "BLUEGREEN_GENERATED_FILES = \"Verify\"") != NULL, "%s",
              diags.head->detail);
}
