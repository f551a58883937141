/* credentials.c - unit tests for src/aws/credentials.c: precedence, files, errors. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bluegreen/aws.h"

struct fixture {
    struct bg_arena *arena;
    char dir[64];
    char cred_env[128], config_env[128], home_env[128];
};

static void write_file(const char *dir, const char *name, const char *text)
{
    char path[128];
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
    f->arena = bg_arena_new();
    strcpy(f->dir, "/tmp/bg_aws_cred_XXXXXX");
    cr_assert(mkdtemp(f->dir) != NULL);
    if (credentials)
        write_file(f->dir, "credentials", credentials);
    if (config)
        write_file(f->dir, "config", config);
    snprintf(f->cred_env, sizeof(f->cred_env), "AWS_SHARED_CREDENTIALS_FILE=%s/credentials",
             f->dir);
    snprintf(f->config_env, sizeof(f->config_env), "AWS_CONFIG_FILE=%s/config", f->dir);
    snprintf(f->home_env, sizeof(f->home_env), "HOME=%s/nohome", f->dir);
}

static void teardown(struct fixture *f)
{
    char path[128];

    snprintf(path, sizeof(path), "%s/credentials", f->dir);
    unlink(path);
    snprintf(path, sizeof(path), "%s/config", f->dir);
    unlink(path);
    rmdir(f->dir);
    bg_arena_free(f->arena);
}

static const char cred_file[] = "# comment\n"
                                "[default]\n"
                                "aws_access_key_id = AKIDFILE\n"
                                "aws_secret_access_key = filesecret\n"
                                "\n"
                                "[blue]\r\n"
                                "aws_access_key_id=AKIDBLUE\r\n"
                                "aws_secret_access_key=bluesecret\r\n"
                                "aws_session_token = bluetoken\r\n";

static const char config_file[] = "[default]\n"
                                  "region = eu-west-1\n"
                                  "[profile blue]\n"
                                  "region = us-east-2\n"
                                  "[green]\n"
                                  "region = wrong-because-config-needs-the-profile-prefix\n"
                                  "[profile cfgonly]\n"
                                  "region = ap-south-1\n"
                                  "aws_access_key_id = AKIDCFG\n"
                                  "aws_secret_access_key = cfgsecret\n";

Test(aws_credentials, prefers_explicit_settings_over_environment_and_files)
{
    struct fixture f;
    struct bg_aws_config cfg;
    struct bg_aws_settings s = BG_AWS_SETTINGS_INIT;
    struct bg_error err = BG_ERROR_INIT;

    setup(&f, cred_file, config_file);
    const char *envp[] = {f.cred_env,
                          f.config_env,
                          "AWS_REGION=us-west-1",
                          "AWS_ACCESS_KEY_ID=AKIDENV",
                          "AWS_SECRET_ACCESS_KEY=envsecret",
                          NULL};
    s.region = "sa-east-1";
    s.access_key = "AKIDSET";
    s.secret_key = "setsecret";
    s.token = "settoken";
    s.endpoints[BG_AWS_ELBV2] = "http://127.0.0.1:4566/";
    s.max_retries = 7;
    cr_assert_eq(bg_aws_config_resolve(&cfg, f.arena, &s, envp, &err), 0, "%s", err.msg);
    cr_expect_str_eq(cfg.region, "sa-east-1");
    cr_expect_str_eq(cfg.access_key, "AKIDSET");
    cr_expect_str_eq(cfg.secret_key, "setsecret");
    cr_expect_str_eq(cfg.token, "settoken");
    cr_expect_str_eq(cfg.endpoints[BG_AWS_ELBV2], "http://127.0.0.1:4566",
                     "trailing slash dropped");
    cr_expect_eq(cfg.max_retries, 7);
    cr_expect_eq(cfg.timeout_ms, 30000);
    teardown(&f);
}

Test(aws_credentials, takes_keys_and_region_from_the_environment_before_files)
{
    struct fixture f;
    struct bg_aws_config cfg;
    struct bg_aws_settings s = BG_AWS_SETTINGS_INIT;
    struct bg_error err = BG_ERROR_INIT;

    setup(&f, cred_file, config_file);
    const char *envp[] = {f.cred_env,
                          f.config_env,
                          "AWS_DEFAULT_REGION=us-west-2",
                          "AWS_REGION=",
                          "AWS_ACCESS_KEY_ID=AKIDENV",
                          "AWS_SECRET_ACCESS_KEY=envsecret",
                          "AWS_SESSION_TOKEN=envtoken",
                          NULL};
    cr_assert_eq(bg_aws_config_resolve(&cfg, f.arena, &s, envp, &err), 0, "%s", err.msg);
    cr_expect_str_eq(cfg.region, "us-west-2", "an empty AWS_REGION counts as unset");
    cr_expect_str_eq(cfg.access_key, "AKIDENV");
    cr_expect_str_eq(cfg.token, "envtoken");
    cr_expect_str_eq(cfg.profile, "default");
    cr_expect_eq(cfg.max_retries, 3);
    cr_expect_str_eq(cfg.endpoints[BG_AWS_ELBV2],
                     "https://elasticloadbalancing.us-west-2.amazonaws.com");
    teardown(&f);
}

Test(aws_credentials, reads_the_default_profile_from_the_shared_files)
{
    struct fixture f;
    struct bg_aws_config cfg;
    struct bg_aws_settings s = BG_AWS_SETTINGS_INIT;
    struct bg_error err = BG_ERROR_INIT;

    setup(&f, cred_file, config_file);
    const char *envp[] = {f.cred_env, f.config_env, NULL};
    cr_assert_eq(bg_aws_config_resolve(&cfg, f.arena, &s, envp, &err), 0, "%s", err.msg);
    cr_expect_str_eq(cfg.region, "eu-west-1");
    cr_expect_str_eq(cfg.access_key, "AKIDFILE");
    cr_expect_str_eq(cfg.secret_key, "filesecret");
    cr_expect_null(cfg.token);
    teardown(&f);
}

Test(aws_credentials, uses_aws_profile_with_crlf_lines_and_the_profile_prefix)
{
    struct fixture f;
    struct bg_aws_config cfg;
    struct bg_aws_settings s = BG_AWS_SETTINGS_INIT;
    struct bg_error err = BG_ERROR_INIT;

    setup(&f, cred_file, config_file);
    const char *envp[] = {f.cred_env, f.config_env, "AWS_PROFILE=blue", NULL};
    cr_assert_eq(bg_aws_config_resolve(&cfg, f.arena, &s, envp, &err), 0, "%s", err.msg);
    cr_expect_str_eq(cfg.profile, "blue");
    cr_expect_str_eq(cfg.region, "us-east-2");
    cr_expect_str_eq(cfg.access_key, "AKIDBLUE");
    cr_expect_str_eq(cfg.secret_key, "bluesecret");
    cr_expect_str_eq(cfg.token, "bluetoken");
    teardown(&f);
}

Test(aws_credentials, lets_an_explicit_profile_win_over_environment_keys)
{
    struct fixture f;
    struct bg_aws_config cfg;
    struct bg_aws_settings s = BG_AWS_SETTINGS_INIT;
    struct bg_error err = BG_ERROR_INIT;

    setup(&f, cred_file, config_file);
    const char *envp[] = {f.cred_env,
                          f.config_env,
                          "AWS_PROFILE=blue",
                          "AWS_ACCESS_KEY_ID=AKIDENV",
                          "AWS_SECRET_ACCESS_KEY=envsecret",
                          NULL};
    s.profile = "cfgonly";
    cr_assert_eq(bg_aws_config_resolve(&cfg, f.arena, &s, envp, &err), 0, "%s", err.msg);
    cr_expect_str_eq(cfg.profile, "cfgonly");
    cr_expect_str_eq(cfg.region, "ap-south-1");
    cr_expect_str_eq(cfg.access_key, "AKIDCFG", "keys from the config file");
    teardown(&f);
}

Test(aws_credentials, honours_the_endpoint_variables_in_order)
{
    struct fixture f;
    struct bg_aws_config cfg;
    struct bg_aws_settings s = BG_AWS_SETTINGS_INIT;
    struct bg_error err = BG_ERROR_INIT;

    setup(&f, NULL, NULL);
    const char *both[] = {f.home_env,
                          "AWS_REGION=r",
                          "AWS_ACCESS_KEY_ID=a",
                          "AWS_SECRET_ACCESS_KEY=b",
                          "AWS_ENDPOINT_URL=http://127.0.0.1:1",
                          "AWS_ENDPOINT_URL_ELASTIC_LOAD_BALANCING_V2=http://127.0.0.1:2",
                          NULL};
    cr_assert_eq(bg_aws_config_resolve(&cfg, f.arena, &s, both, &err), 0, "%s", err.msg);
    cr_expect_str_eq(cfg.endpoints[BG_AWS_ELBV2], "http://127.0.0.1:2");
    both[5] = NULL;
    cr_assert_eq(bg_aws_config_resolve(&cfg, f.arena, &s, both, &err), 0, "%s", err.msg);
    cr_expect_str_eq(cfg.endpoints[BG_AWS_ELBV2], "http://127.0.0.1:1");
    s.endpoints[BG_AWS_ELBV2] = "ftp://127.0.0.1";
    cr_expect_eq(bg_aws_config_resolve(&cfg, f.arena, &s, both, &err), BG_EINVAL);
    teardown(&f);
}

Test(aws_credentials, names_what_is_missing_and_where_it_looked)
{
    struct fixture f;
    struct bg_aws_config cfg;
    struct bg_aws_settings s = BG_AWS_SETTINGS_INIT;
    struct bg_error err = BG_ERROR_INIT;

    setup(&f, NULL, NULL);
    const char *none[] = {f.cred_env, f.config_env, NULL};
    cr_expect_eq(bg_aws_config_resolve(&cfg, f.arena, &s, none, &err), BG_EINVAL);
    cr_expect(strstr(err.msg, "no AWS region") != NULL, "%s", err.msg);
    cr_expect(strstr(err.msg, "AWS_DEFAULT_REGION") != NULL, "%s", err.msg);
    cr_expect(strstr(err.msg, f.dir) != NULL, "names the config file: %s", err.msg);

    const char *region_only[] = {f.cred_env, f.config_env, "AWS_REGION=r",
                                 "AWS_SECRET_ACCESS_KEY=topsecret", NULL};
    cr_expect_eq(bg_aws_config_resolve(&cfg, f.arena, &s, region_only, &err), BG_EINVAL);
    cr_expect(strstr(err.msg, "no AWS credentials") != NULL, "%s", err.msg);
    cr_expect(strstr(err.msg, "AWS_ACCESS_KEY_ID") != NULL, "%s", err.msg);
    cr_expect(strstr(err.msg, "/credentials") != NULL, "%s", err.msg);
    cr_expect(strstr(err.msg, "topsecret") == NULL, "never prints a secret");
    teardown(&f);
}

Test(aws_credentials, rejects_half_of_an_explicit_key_pair_without_echoing_it)
{
    struct fixture f;
    struct bg_aws_config cfg;
    struct bg_aws_settings s = BG_AWS_SETTINGS_INIT;
    struct bg_error err = BG_ERROR_INIT;

    setup(&f, NULL, NULL);
    const char *envp[] = {"AWS_REGION=r", NULL};
    s.secret_key = "topsecret";
    cr_expect_eq(bg_aws_config_resolve(&cfg, f.arena, &s, envp, &err), BG_EINVAL);
    cr_expect_str_eq(err.msg, "secret_key is set in the provider block but access_key is not");
    teardown(&f);
}

Test(aws_credentials, looks_up_environment_entries_exactly)
{
    const char *envp[] = {"AWS_REGIONX=no", "AWS_REGION=yes", "EMPTY=", NULL};

    cr_expect_str_eq(bg_aws_env(envp, "AWS_REGION"), "yes");
    cr_expect_null(bg_aws_env(envp, "AWS_REG"));
    cr_expect_null(bg_aws_env(envp, "EMPTY"));
    cr_expect_null(bg_aws_env(NULL, "AWS_REGION"));
}
