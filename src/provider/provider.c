/*
 * provider.c - the `provider "bluegreen"` block: schema and the configuration shared by every
 * resource call once ConfigureProvider has run.
 */
#include <stdlib.h>
#include <string.h>

#include "bluegreen/files.h"
#include "internal.h"

/* The environment the provider process was started with, for the AWS defaults. */
extern char **environ;

static const int64_t retries_range[2] = {0, 25};
static const char *const generated_files_modes[] = {"write", "verify", NULL};
static const struct bg_validator generated_files_validators[] = {
    {bg_validate_one_of, generated_files_modes, NULL}, {NULL, NULL, NULL}};
static const struct bg_validator max_retries_validators[] = {
    {bg_validate_int_range, retries_range, NULL}, {NULL, NULL, NULL}};
static const int64_t rate_range[2] = {0, 1000};
static const struct bg_validator rate_validators[] = {{bg_validate_int_range, rate_range, NULL},
                                                      {NULL, NULL, NULL}};

/* The default is stated once, in internal.h; clang-format would split the string around the
 * macro over ten lines. */
/* clang-format off */
#define RATE_DESCRIPTION                                                                           \
    "Client-side limit on this provider's AWS API requests, all resources and retries "            \
    "together: each request takes a token from one bucket refilled at this rate and holding as "   \
    "many, so a large walk or many shifts in parallel stay under the API's limits instead of "     \
    "living on throttling retries; 0 turns the limit off. When unset: "                            \
    BG__STR(BG_PROVIDER__REQUESTS_PER_SECOND) ", ELBv2's documented refill rate for Describe "     \
    "calls per account and region."
/* clang-format on */

static const struct bg_attr provider_attrs[] = {
    {
        .name = "repository_root",
        .type = &bg_type_string,
        .flags = BG_OPTIONAL,
        .description = "Root of the Terraform repository. No file is ever read or written "
                       "outside it. Defaults to the git top-level of the working directory, "
                       "else the working directory.",
        .slot = BG_SLOT_STRING(struct bg_provider__config, repository_root),
        .presence = BG_PRESENCE(struct bg_provider__config, repository_root_is),
    },
    {
        .name = "generated_files",
        .type = &bg_type_string,
        .flags = BG_OPTIONAL,
        .description =
            "`\"write\"` (default): plan and apply of `bluegreen_cluster_pair` write and "
            "delete the generated copies. `\"verify\"`: they never write or delete a "
            "file; the repository must already hold exactly the copies the resource "
            "renders, and every missing, stale, extra or edited copy is an error that "
            "names it and prints the `generate` command producing the files (for CI "
            "that plans and applies pull requests). Default: "
            "`BLUEGREEN_GENERATED_FILES`, else `\"write\"`.",
        .validators = generated_files_validators,
        .slot = BG_SLOT_ENUM(struct bg_provider__config, generated_files),
        .presence = BG_PRESENCE(struct bg_provider__config, generated_files_is),
    },
    {.name = "region",
     .type = &bg_type_string,
     .flags = BG_OPTIONAL,
     .description = "AWS region of the target groups. Default: `AWS_REGION`, "
                    "`AWS_DEFAULT_REGION`, then the profile's `region` in `~/.aws/config`.",
     .slot = BG_SLOT_STRING(struct bg_provider__config, aws.region)},
    {.name = "profile",
     .type = &bg_type_string,
     .flags = BG_OPTIONAL,
     .description = "Profile of the shared credentials and config files. Default: "
                    "`AWS_PROFILE`, else `default`. When set, environment keys are ignored.",
     .slot = BG_SLOT_STRING(struct bg_provider__config, aws.profile)},
    {.name = "access_key",
     .type = &bg_type_string,
     .flags = BG_OPTIONAL | BG_SENSITIVE,
     .description = "AWS access key ID. Without it, the credential chain in the AWS SDKs' "
                    "order: `AWS_ACCESS_KEY_ID`, web identity (`AWS_ROLE_ARN` + "
                    "`AWS_WEB_IDENTITY_TOKEN_FILE`), the profile (keys, `role_arn`, "
                    "`credential_process`), container credentials, EC2 instance metadata "
                    "(IMDSv2). See docs/guides/ci.md.",
     .slot = BG_SLOT_STRING(struct bg_provider__config, aws.access_key)},
    {.name = "secret_key",
     .type = &bg_type_string,
     .flags = BG_OPTIONAL | BG_SENSITIVE,
     .description = "AWS secret access key. Default: `AWS_SECRET_ACCESS_KEY`, then the "
                    "profile. Never logged nor stored in state.",
     .slot = BG_SLOT_STRING(struct bg_provider__config, aws.secret_key)},
    {.name = "token",
     .type = &bg_type_string,
     .flags = BG_OPTIONAL | BG_SENSITIVE,
     .description = "AWS session token for temporary credentials. Default: "
                    "`AWS_SESSION_TOKEN` when the keys come from the environment.",
     .slot = BG_SLOT_STRING(struct bg_provider__config, aws.token)},
    {.name = "max_retries",
     .type = &bg_type_number,
     .flags = BG_OPTIONAL,
     .description = "Retries of a throttled (`Throttling`, HTTP 429) or failed (5xx, network) "
                    "AWS call, with jittered exponential backoff. When unset: 3.",
     .validators = max_retries_validators,
     .slot = BG_SLOT_INT(struct bg_provider__config, max_retries),
     .presence = BG_PRESENCE(struct bg_provider__config, max_retries_is)},
    {.name = "requests_per_second",
     .type = &bg_type_number,
     .flags = BG_OPTIONAL,
     /* No default_json: a default would make the attribute computed, which a provider
      * block has no use for; the one constant is in internal.h. */
     .description = RATE_DESCRIPTION,
     .validators = rate_validators,
     .slot = BG_SLOT_INT(struct bg_provider__config, requests_per_second),
     .presence = BG_PRESENCE(struct bg_provider__config, requests_per_second_is)},
};

#define ENDPOINT(service_, key_, env_, what_)                                                      \
    {                                                                                              \
        .name = key_, .type = &bg_type_string, .flags = BG_OPTIONAL,                               \
        .description = what_ " endpoint URL, e.g. `http://127.0.0.1:5000`. Default: "              \
                             "`AWS_ENDPOINT_URL_" env_ "`, `AWS_ENDPOINT_URL`, else the "          \
                             "regional AWS endpoint.",                                             \
        .slot = BG_SLOT_STRING(struct bg_provider__endpoints, url[service_])                       \
    }

static const struct bg_attr endpoint_attrs[] = {
    ENDPOINT(BG_AWS_ELBV2, "elbv2", "ELASTIC_LOAD_BALANCING_V2", "ELBv2"),
    ENDPOINT(BG_AWS_STS, "sts", "STS", "STS (assume_role, web identity)"),
    ENDPOINT(BG_AWS_CLOUDWATCH, "cloudwatch", "CLOUDWATCH", "CloudWatch"),
    ENDPOINT(BG_AWS_AUTOSCALING, "autoscaling", "AUTO_SCALING", "Auto Scaling"),
    ENDPOINT(BG_AWS_EKS, "eks", "EKS", "EKS"),
};

static const struct bg_block endpoints_block = {
    .description = "Custom service endpoints (tests, VPC endpoints, proxies).",
    .attrs = endpoint_attrs,
    .nattrs = BG_COUNT(endpoint_attrs),
};

/* "15m" .. "12h", as STS accepts for a role session. */
static void validate_duration(struct bg_diags *d, const struct bg_path *path,
                              const struct bg_value *v, const void *arg)
{
    struct bg_error err = BG_ERROR_INIT;
    long seconds = 0;

    (void)arg;
    if (bg_aws_parse_duration(&seconds, bg_value_as_string(v), &err) != 0)
        bg_diag_error(d, path, "Invalid duration", "%s: %s.", bg_path_string(d->arena, path),
                      err.msg);
    else if (seconds < 900 || seconds > 43200)
        bg_diag_error(d, path, "Invalid duration",
                      "%s must be from 15m to 12h (what STS allows for a role session), got "
                      "\"%s\".",
                      bg_path_string(d->arena, path), bg_value_as_string(v));
}

static const struct bg_validator duration_validators[] = {
    {.fn = validate_duration, .description = "From `\"15m\"` to `\"12h\"`."}, {.fn = NULL}};
static const struct bg_validator not_empty[] = {{.fn = bg_validate_not_empty}, {.fn = NULL}};

/* The attributes both role blocks have; T is the block's struct (internal.h). */
#define ROLE_ARN(T, what_)                                                                         \
    {                                                                                              \
        .name = "role_arn", .type = &bg_type_string, .flags = BG_REQUIRED,                         \
        .description = "ARN of the role to assume" what_ ".", .validators = not_empty,             \
        .slot = BG_SLOT_STRING(T, role.role_arn)                                                   \
    }
#define SESSION_NAME(T)                                                                            \
    {                                                                                              \
        .name = "session_name", .type = &bg_type_string, .flags = BG_OPTIONAL,                     \
        .description = "Role session name (CloudTrail shows it). Default: "                        \
                       "`terraform-provider-bluegreen-<unix time>`.",                              \
        .slot = BG_SLOT_STRING(T, role.session_name)                                               \
    }
#define DURATION(T)                                                                                \
    {                                                                                              \
        .name = "duration", .type = &bg_type_string, .flags = BG_OPTIONAL,                         \
        .description = "Session duration, e.g. `\"1h\"` or `\"1h30m\"` (at most the role's "       \
                       "maximum session duration). Default: 1h. Sessions are renewed before "      \
                       "they expire, so a walk may outlast one.",                                  \
        .validators = duration_validators, .slot = BG_SLOT_STRING(T, duration)                     \
    }

static const struct bg_attr assume_role_attrs[] = {
    ROLE_ARN(struct bg_provider__assume_role, " with the credentials the chain found"),
    SESSION_NAME(struct bg_provider__assume_role),
    {.name = "external_id",
     .type = &bg_type_string,
     .flags = BG_OPTIONAL,
     .description = "External ID the role's trust policy requires.",
     .slot = BG_SLOT_STRING(struct bg_provider__assume_role, role.external_id)},
    DURATION(struct bg_provider__assume_role),
    {.name = "policy",
     .type = &bg_type_string,
     .flags = BG_OPTIONAL,
     .description = "IAM policy (JSON) further restricting the session.",
     .slot = BG_SLOT_STRING(struct bg_provider__assume_role, role.policy)},
    {.name = "source_identity",
     .type = &bg_type_string,
     .flags = BG_OPTIONAL,
     .description = "Source identity carried by the session (CloudTrail).",
     .slot = BG_SLOT_STRING(struct bg_provider__assume_role, role.source_identity)},
    {.name = "tags",
     .type = &bg_type_map_string,
     .flags = BG_OPTIONAL,
     .description = "Session tags.",
     .slot = BG_SLOT_PAIRS(struct bg_provider__assume_role, tags, ntags)},
};

static const struct bg_block assume_role_block = {
    .description = "Assume this role (STS AssumeRole) on top of whichever credentials the chain "
                   "found: keys, web identity, profile, container or instance metadata.",
    .attrs = assume_role_attrs,
    .nattrs = BG_COUNT(assume_role_attrs),
};

static const struct bg_attr web_identity_attrs[] = {
    ROLE_ARN(struct bg_provider__web_identity, " with the web identity token"),
    SESSION_NAME(struct bg_provider__web_identity),
    {.name = "web_identity_token",
     .type = &bg_type_string,
     .flags = BG_OPTIONAL | BG_SENSITIVE,
     .description = "The OIDC token itself. Conflicts with `web_identity_token_file`.",
     .slot = BG_SLOT_STRING(struct bg_provider__web_identity, role.token)},
    {.name = "web_identity_token_file",
     .type = &bg_type_string,
     .flags = BG_OPTIONAL,
     .description = "File holding the OIDC token, read again at every renewal (CI runners and "
                    "EKS rotate it).",
     .slot = BG_SLOT_STRING(struct bg_provider__web_identity, role.token_file)},
    DURATION(struct bg_provider__web_identity),
};

static const struct bg_block web_identity_block = {
    .description = "Base credentials from STS AssumeRoleWithWebIdentity (GitHub Actions OIDC, "
                   "EKS IRSA) instead of the credential chain.",
    .attrs = web_identity_attrs,
    .nattrs = BG_COUNT(web_identity_attrs),
};

static const struct bg_block_type provider_blocks[] = {
    /* NestingSingle requires min_items == max_items; 0/0 makes the block optional. */
    {.name = "endpoints",
     .nesting = BG_NEST_SINGLE,
     .block = &endpoints_block,
     .min_items = 0,
     .max_items = 0,
     .slot = BG_SLOT_OBJECT(struct bg_provider__config, endpoints)},
    {.name = "assume_role",
     .nesting = BG_NEST_SINGLE,
     .block = &assume_role_block,
     .min_items = 0,
     .max_items = 0,
     .slot = BG_SLOT_OBJECT(struct bg_provider__config, assume_role)},
    {.name = "assume_role_with_web_identity",
     .nesting = BG_NEST_SINGLE,
     .block = &web_identity_block,
     .min_items = 0,
     .max_items = 0,
     .slot = BG_SLOT_OBJECT(struct bg_provider__config, web_identity)},
};

const struct bg_schema bg_provider_schema = {
    .version = 0,
    .block =
        {
            .description = "Declarative blue-green upgrades of EKS clusters kept in one "
                           "Terraform repository.",
            .attrs = provider_attrs,
            .nattrs = BG_COUNT(provider_attrs),
            .blocks = provider_blocks,
            .nblocks = BG_COUNT(provider_blocks),
        },
};

static char *xstrdup(const char *s)
{
    char *p = strdup(s != NULL ? s : "");

    if (p == NULL)
        abort();
    return p;
}

/* generated_files, else BLUEGREEN_GENERATED_FILES (CI sets it once for every root module),
 * else "write". The variable is checked here, as the argument is by its validator. */
static int read_generated_files(bool *verify, struct bg_diags *d,
                                const struct bg_provider__config *cfg, const char *const *envp)
{
    const struct bg_path *path = bg_path_attr(d->arena, NULL, "generated_files");
    const char *mode = NULL;
    size_t i, n = strlen(BG_GENERATED_FILES_ENV);

    if (cfg->generated_files_is == BG_PRESENCE_UNKNOWN) {
        bg_diag_error(d, path, "Unknown generated_files",
                      "generated_files must be known at plan time; use a literal or a variable.");
        return BG_EINVAL;
    }
    if (cfg->generated_files_is == BG_PRESENCE_KNOWN) {
        *verify = cfg->generated_files == BG_PROVIDER__VERIFY;
        return 0;
    }
    for (i = 0; envp != NULL && envp[i] != NULL; i++) {
        if (strncmp(envp[i], BG_GENERATED_FILES_ENV, n) == 0 && envp[i][n] == '=' &&
            envp[i][n + 1] != '\0')
            mode = envp[i] + n + 1;
    }
    *verify = mode != NULL && strcmp(mode, "verify") == 0;
    if (mode == NULL || *verify || strcmp(mode, "write") == 0)
        return 0;
    bg_diag_error(d, path, "Invalid generated_files",
                  "%s = \"%s\": expected \"write\" or \"verify\".", BG_GENERATED_FILES_ENV, mode);
    return BG_EINVAL;
}

int bg_provider__config_read(struct bg_provider__config *out, struct bg_diags *d,
                             const struct bg_value *config)
{
    struct bg_aws_settings unset = BG_AWS_SETTINGS_INIT;

    memset(out, 0, sizeof(*out));
    out->aws = unset; /* what the AWS module reads as "not set" where the block says nothing */
    if (bg_schema_expand(out, d, &bg_provider_schema.block, config) != 0)
        return BG_EINVAL;
    out->unknown = bg_schema_unknown_path(d->arena, &bg_provider_schema.block, config);
    return 0;
}

int bg_provider_new(struct bg_provider **out, struct bg_diags *d, const struct bg_value *config,
                    const char *terraform_version)
{
    const struct bg_path *root_path = bg_path_attr(d->arena, NULL, "repository_root");
    struct bg_error err = BG_ERROR_INIT;
    struct bg_provider__config cfg;
    struct bg_provider *p;
    char *root = NULL;
    bool verify = false;

    *out = NULL;
    if (bg_provider__config_read(&cfg, d, config) != 0)
        return BG_EINVAL;
    if (cfg.repository_root_is == BG_PRESENCE_UNKNOWN) {
        bg_diag_error(d, root_path, "Unknown repository root",
                      "repository_root must be known at plan time; use a literal or a variable.");
        return BG_EINVAL;
    }
    if (read_generated_files(&verify, d, &cfg, (const char *const *)environ) != 0)
        return BG_EINVAL;
    if (bg_files_repo_root(&root, d->arena, cfg.repository_root, &err) != 0)
        return bg_diag_from_error(d, root_path, "Invalid repository root", &err);
    p = calloc(1, sizeof(*p));
    if (p == NULL)
        abort();
    p->repository_root = xstrdup(root);
    p->terraform_version = xstrdup(terraform_version);
    p->verify_files = verify;
    p->aws = bg_provider__aws_new(d, &cfg, (const char *const *)environ);
    *out = p;
    return 0;
}

void bg_provider_free(struct bg_provider *p)
{
    if (p == NULL)
        return;
    bg_provider_free(p->previous);
    free(p->repository_root);
    free(p->terraform_version);
    bg_provider__aws_free(p->aws);
    free(p);
}
