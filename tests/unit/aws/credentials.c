/* credentials.c - unit tests for src/aws/credentials.c and the static sources of the chain
 * (src/aws/credentials_plan.c): precedence, files, profiles, errors. No test here reaches the
 * network: every chain runs with the instance metadata disabled. */
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

/* envp plus what keeps a chain off the network. From the fixture's arena. */
static const char *const *safe(struct fixture *f, const char *const *envp)
{
    size_t n = 0;
    const char **out;

    while (envp[n] != NULL)
        n++;
    out = bg_arena_calloc(f->arena, n + 3, sizeof(*out));
    memcpy(out, envp, n * sizeof(*out));
    out[n] = "AWS_EC2_METADATA_DISABLED=true";
    out[n + 1] = "BG_AWS_INTERNAL_LOOPBACK_ONLY=1";
    return out;
}

/* Resolves cfg and the chain, and takes the credentials (static sources: no network). */
static int chain(const struct bg_aws_creds **out, struct fixture *f, struct bg_aws_config *cfg,
                 const struct bg_aws_settings *s, const char *const *envp, struct bg_error *err)
{
    struct bg_aws_credentials *p = NULL;
    const struct bg_aws_creds *c = NULL;
    int rc;

    *out = NULL;
    envp = safe(f, envp);
    rc = bg_aws_config_resolve(cfg, f->arena, s, envp, err);
    if (rc == 0)
        rc = bg_aws_credentials_new(&p, cfg, s, envp, NULL, err);
    if (rc == 0)
        rc = bg_aws_credentials_get(&c, p, NULL, err);
    if (rc == 0) {
        /* a copy outlives the provider, for the assertions */
        struct bg_aws_creds *copy = bg_arena_alloc(f->arena, sizeof(*copy));

        copy->access_key = bg_arena_strdup(f->arena, c->access_key);
        copy->secret_key = bg_arena_strdup(f->arena, c->secret_key);
        copy->token = c->token != NULL ? bg_arena_strdup(f->arena, c->token) : NULL;
        copy->source = bg_arena_strdup(f->arena, c->source);
        copy->expires = c->expires;
        *out = copy;
    }
    bg_aws_creds_release(c);
    bg_aws_credentials_free(p);
    return rc;
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
    const struct bg_aws_creds *c;

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
    cr_assert_eq(chain(&c, &f, &cfg, &s, envp, &err), 0, "%s", err.msg);
    cr_expect_str_eq(cfg.region, "sa-east-1");
    cr_expect_str_eq(c->access_key, "AKIDSET");
    cr_expect_str_eq(c->secret_key, "setsecret");
    cr_expect_str_eq(c->token, "settoken");
    cr_expect_eq(c->expires, 0, "static keys never expire");
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
    const struct bg_aws_creds *c;

    setup(&f, cred_file, config_file);
    const char *envp[] = {f.cred_env,
                          f.config_env,
                          "AWS_DEFAULT_REGION=us-west-2",
                          "AWS_REGION=",
                          "AWS_ACCESS_KEY_ID=AKIDENV",
                          "AWS_SECRET_ACCESS_KEY=envsecret",
                          "AWS_SESSION_TOKEN=envtoken",
                          NULL};
    cr_assert_eq(chain(&c, &f, &cfg, &s, envp, &err), 0, "%s", err.msg);
    cr_expect_str_eq(cfg.region, "us-west-2", "an empty AWS_REGION counts as unset");
    cr_expect_str_eq(c->access_key, "AKIDENV");
    cr_expect_str_eq(c->token, "envtoken");
    cr_expect_str_eq(c->source, "environment (AWS_ACCESS_KEY_ID)");
    cr_expect_str_eq(cfg.profile, "default");
    cr_expect_eq(cfg.max_retries, 3);
    cr_expect_str_eq(cfg.endpoints[BG_AWS_ELBV2],
                     "https://elasticloadbalancing.us-west-2.amazonaws.com");
    cr_expect_str_eq(cfg.endpoints[BG_AWS_STS], "https://sts.us-west-2.amazonaws.com",
                     "regional STS");
    teardown(&f);
}

Test(aws_credentials, reads_the_default_profile_from_the_shared_files)
{
    struct fixture f;
    struct bg_aws_config cfg;
    struct bg_aws_settings s = BG_AWS_SETTINGS_INIT;
    struct bg_error err = BG_ERROR_INIT;
    const struct bg_aws_creds *c;

    setup(&f, cred_file, config_file);
    const char *envp[] = {f.cred_env, f.config_env, NULL};
    cr_assert_eq(chain(&c, &f, &cfg, &s, envp, &err), 0, "%s", err.msg);
    cr_expect_str_eq(cfg.region, "eu-west-1");
    cr_expect_str_eq(c->access_key, "AKIDFILE");
    cr_expect_str_eq(c->secret_key, "filesecret");
    cr_expect_null(c->token);
    teardown(&f);
}

Test(aws_credentials, uses_aws_profile_with_crlf_lines_and_the_profile_prefix)
{
    struct fixture f;
    struct bg_aws_config cfg;
    struct bg_aws_settings s = BG_AWS_SETTINGS_INIT;
    struct bg_error err = BG_ERROR_INIT;
    const struct bg_aws_creds *c;

    setup(&f, cred_file, config_file);
    const char *envp[] = {f.cred_env, f.config_env, "AWS_PROFILE=blue", NULL};
    cr_assert_eq(chain(&c, &f, &cfg, &s, envp, &err), 0, "%s", err.msg);
    cr_expect_str_eq(cfg.profile, "blue");
    cr_expect_str_eq(cfg.region, "us-east-2");
    cr_expect_str_eq(c->access_key, "AKIDBLUE");
    cr_expect_str_eq(c->secret_key, "bluesecret");
    cr_expect_str_eq(c->token, "bluetoken");
    teardown(&f);
}

Test(aws_credentials, lets_an_explicit_profile_win_over_environment_keys)
{
    struct fixture f;
    struct bg_aws_config cfg;
    struct bg_aws_settings s = BG_AWS_SETTINGS_INIT;
    struct bg_error err = BG_ERROR_INIT;
    const struct bg_aws_creds *c;

    setup(&f, cred_file, config_file);
    const char *envp[] = {f.cred_env,
                          f.config_env,
                          "AWS_PROFILE=blue",
                          "AWS_ACCESS_KEY_ID=AKIDENV",
                          "AWS_SECRET_ACCESS_KEY=envsecret",
                          NULL};
    s.profile = "cfgonly";
    cr_assert_eq(chain(&c, &f, &cfg, &s, envp, &err), 0, "%s", err.msg);
    cr_expect_str_eq(cfg.profile, "cfgonly");
    cr_expect_str_eq(cfg.region, "ap-south-1");
    cr_expect_str_eq(c->access_key, "AKIDCFG", "keys from the config file");
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
                          "AWS_ENDPOINT_URL=http://127.0.0.1:1",
                          "AWS_ENDPOINT_URL_ELASTIC_LOAD_BALANCING_V2=http://127.0.0.1:2",
                          "AWS_ENDPOINT_URL_STS=http://127.0.0.1:3/",
                          NULL};
    cr_assert_eq(bg_aws_config_resolve(&cfg, f.arena, &s, both, &err), 0, "%s", err.msg);
    cr_expect_str_eq(cfg.endpoints[BG_AWS_ELBV2], "http://127.0.0.1:2");
    cr_expect_str_eq(cfg.endpoints[BG_AWS_STS], "http://127.0.0.1:3");
    cr_expect_str_eq(cfg.endpoints[BG_AWS_EKS], "http://127.0.0.1:1");
    both[3] = NULL;
    cr_assert_eq(bg_aws_config_resolve(&cfg, f.arena, &s, both, &err), 0, "%s", err.msg);
    cr_expect_str_eq(cfg.endpoints[BG_AWS_ELBV2], "http://127.0.0.1:1");
    s.endpoints[BG_AWS_STS] = "http://127.0.0.1:4";
    cr_assert_eq(bg_aws_config_resolve(&cfg, f.arena, &s, both, &err), 0, "%s", err.msg);
    cr_expect_str_eq(cfg.endpoints[BG_AWS_STS], "http://127.0.0.1:4", "endpoints { sts } wins");
    s.endpoints[BG_AWS_ELBV2] = "ftp://127.0.0.1";
    cr_expect_eq(bg_aws_config_resolve(&cfg, f.arena, &s, both, &err), BG_EINVAL);
    teardown(&f);
}

Test(aws_credentials, uses_the_china_dns_suffix_in_cn_regions)
{
    struct fixture f;
    struct bg_aws_config cfg;
    struct bg_aws_settings s = BG_AWS_SETTINGS_INIT;
    struct bg_error err = BG_ERROR_INIT;

    setup(&f, NULL, NULL);
    const char *envp[] = {f.home_env, "AWS_REGION=cn-north-1", NULL};
    cr_assert_eq(bg_aws_config_resolve(&cfg, f.arena, &s, envp, &err), 0, "%s", err.msg);
    cr_expect_str_eq(cfg.endpoints[BG_AWS_STS], "https://sts.cn-north-1.amazonaws.com.cn");
    teardown(&f);
}

Test(aws_credentials, names_the_missing_region_and_where_it_looked)
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
    teardown(&f);
}

Test(aws_credentials, lists_every_source_in_order_when_none_applies_without_a_secret)
{
    struct fixture f;
    struct bg_aws_config cfg;
    struct bg_aws_settings s = BG_AWS_SETTINGS_INIT;
    struct bg_error err = BG_ERROR_INIT;
    const struct bg_aws_creds *c;
    static const char *const order[] = {"provider access_key/secret_key: not set",
                                        "AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY: only one",
                                        "AWS_ROLE_ARN/AWS_WEB_IDENTITY_TOKEN_FILE: not set",
                                        "profile \"default\": not in",
                                        "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI/FULL_URI: not set",
                                        "EC2 instance metadata: disabled"};
    const char *at;

    setup(&f, NULL, NULL);
    const char *envp[] = {f.cred_env, f.config_env, "AWS_REGION=r",
                          "AWS_SECRET_ACCESS_KEY=topsecret", NULL};
    cr_expect_eq(chain(&c, &f, &cfg, &s, envp, &err), BG_EINVAL);
    cr_expect(strncmp(err.msg, "no AWS credentials: ", 20) == 0, "%s", err.msg);
    at = err.msg;
    for (size_t i = 0; i < sizeof(order) / sizeof(order[0]); i++) {
        const char *next = strstr(at, order[i]);

        cr_expect(next != NULL, "\"%s\" after the previous source in: %s", order[i], err.msg);
        at = next != NULL ? next : at;
    }
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
    const struct bg_aws_creds *c;

    setup(&f, NULL, NULL);
    const char *envp[] = {"AWS_REGION=r", NULL};
    s.secret_key = "topsecret";
    cr_expect_eq(chain(&c, &f, &cfg, &s, envp, &err), BG_EINVAL);
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
