/*
 * provider.c - the `provider "bluegreen"` block: schema and the configuration shared by every
 * resource call once ConfigureProvider has run.
 */
#include <stdlib.h>
#include <string.h>

#include "bluegreen/files.h"
#include "bluegreen/provider.h"

/* The environment the provider process was started with, for the AWS defaults. */
extern char **environ;

static const int64_t retries_range[2] = {0, 25};
static const struct bg_validator max_retries_validators[] = {
    {bg_validate_int_range, retries_range, NULL}, {NULL, NULL, NULL}};

static const struct bg_attr provider_attrs[] = {
    {
        .name = "repository_root",
        .type = &bg_type_string,
        .flags = BG_OPTIONAL,
        .description = "Root of the Terraform repository. No file is ever read or written "
                       "outside it. Defaults to the git top-level of the working directory, "
                       "else the working directory.",
    },
    {.name = "region",
     .type = &bg_type_string,
     .flags = BG_OPTIONAL,
     .description = "AWS region of the target groups. Default: `AWS_REGION`, "
                    "`AWS_DEFAULT_REGION`, then the profile's `region` in `~/.aws/config`."},
    {.name = "profile",
     .type = &bg_type_string,
     .flags = BG_OPTIONAL,
     .description = "Profile of the shared credentials and config files. Default: "
                    "`AWS_PROFILE`, else `default`. When set, environment keys are ignored."},
    {.name = "access_key",
     .type = &bg_type_string,
     .flags = BG_OPTIONAL | BG_SENSITIVE,
     .description = "AWS access key ID. Without it, the credential chain in the AWS SDKs' "
                    "order: `AWS_ACCESS_KEY_ID`, web identity (`AWS_ROLE_ARN` + "
                    "`AWS_WEB_IDENTITY_TOKEN_FILE`), the profile (keys, `role_arn`, "
                    "`credential_process`), container credentials, EC2 instance metadata "
                    "(IMDSv2). See docs/guides/ci.md."},
    {.name = "secret_key",
     .type = &bg_type_string,
     .flags = BG_OPTIONAL | BG_SENSITIVE,
     .description = "AWS secret access key. Default: `AWS_SECRET_ACCESS_KEY`, then the "
                    "profile. Never logged nor stored in state."},
    {.name = "token",
     .type = &bg_type_string,
     .flags = BG_OPTIONAL | BG_SENSITIVE,
     .description = "AWS session token for temporary credentials. Default: "
                    "`AWS_SESSION_TOKEN` when the keys come from the environment."},
    {.name = "max_retries",
     .type = &bg_type_number,
     .flags = BG_OPTIONAL,
     .description = "Retries of a throttled (`Throttling`, HTTP 429) or failed (5xx, network) "
                    "AWS call, with jittered exponential backoff. Default 3.",
     .validators = max_retries_validators},
};

#define ENDPOINT(key_, env_, what_)                                                                \
    {                                                                                              \
        .name = key_, .type = &bg_type_string, .flags = BG_OPTIONAL,                               \
        .description = what_ " endpoint URL, e.g. `http://127.0.0.1:5000`. Default: "              \
                             "`AWS_ENDPOINT_URL_" env_ "`, `AWS_ENDPOINT_URL`, else the "          \
                             "regional AWS endpoint."                                              \
    }

static const struct bg_attr endpoint_attrs[] = {
    ENDPOINT("elbv2", "ELASTIC_LOAD_BALANCING_V2", "ELBv2"),
    ENDPOINT("sts", "STS", "STS (assume_role, web identity)"),
    ENDPOINT("cloudwatch", "CLOUDWATCH", "CloudWatch"),
    ENDPOINT("autoscaling", "AUTO_SCALING", "Auto Scaling"),
    ENDPOINT("eks", "EKS", "EKS"),
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

static const struct bg_validator duration_validators[] = {{.fn = validate_duration}, {.fn = NULL}};
static const struct bg_validator not_empty[] = {{.fn = bg_validate_not_empty}, {.fn = NULL}};

#define ROLE_ARN(what_)                                                                            \
    {                                                                                              \
        .name = "role_arn", .type = &bg_type_string, .flags = BG_REQUIRED,                         \
        .description = "ARN of the role to assume" what_ ".", .validators = not_empty              \
    }
#define SESSION_NAME                                                                               \
    {                                                                                              \
        .name = "session_name", .type = &bg_type_string, .flags = BG_OPTIONAL,                     \
        .description = "Role session name (CloudTrail shows it). Default: "                        \
                       "`terraform-provider-bluegreen-<unix time>`."                               \
    }
#define DURATION                                                                                   \
    {                                                                                              \
        .name = "duration", .type = &bg_type_string, .flags = BG_OPTIONAL,                         \
        .description = "Session duration, e.g. `\"1h\"` or `\"1h30m\"` (15m to 12h, at most the "  \
                       "role's maximum session duration). Default: 1h. Sessions are renewed "      \
                       "before they expire, so a walk may outlast one.",                           \
        .validators = duration_validators                                                          \
    }

static const struct bg_attr assume_role_attrs[] = {
    ROLE_ARN(" with the credentials the chain found"),
    SESSION_NAME,
    {.name = "external_id",
     .type = &bg_type_string,
     .flags = BG_OPTIONAL,
     .description = "External ID the role's trust policy requires."},
    DURATION,
    {.name = "policy",
     .type = &bg_type_string,
     .flags = BG_OPTIONAL,
     .description = "IAM policy (JSON) further restricting the session."},
    {.name = "source_identity",
     .type = &bg_type_string,
     .flags = BG_OPTIONAL,
     .description = "Source identity carried by the session (CloudTrail)."},
    {.name = "tags",
     .type = &bg_type_map_string,
     .flags = BG_OPTIONAL,
     .description = "Session tags."},
};

static const struct bg_block assume_role_block = {
    .description = "Assume this role (STS AssumeRole) on top of whichever credentials the chain "
                   "found: keys, web identity, profile, container or instance metadata.",
    .attrs = assume_role_attrs,
    .nattrs = BG_COUNT(assume_role_attrs),
};

static const struct bg_attr web_identity_attrs[] = {
    ROLE_ARN(" with the web identity token"),
    SESSION_NAME,
    {.name = "web_identity_token",
     .type = &bg_type_string,
     .flags = BG_OPTIONAL | BG_SENSITIVE,
     .description = "The OIDC token itself. Conflicts with `web_identity_token_file`."},
    {.name = "web_identity_token_file",
     .type = &bg_type_string,
     .flags = BG_OPTIONAL,
     .description = "File holding the OIDC token, read again at every renewal (CI runners and "
                    "EKS rotate it)."},
    DURATION,
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
     .max_items = 0},
    {.name = "assume_role",
     .nesting = BG_NEST_SINGLE,
     .block = &assume_role_block,
     .min_items = 0,
     .max_items = 0},
    {.name = "assume_role_with_web_identity",
     .nesting = BG_NEST_SINGLE,
     .block = &web_identity_block,
     .min_items = 0,
     .max_items = 0},
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

int bg_provider_new(struct bg_provider **out, struct bg_diags *d, const struct bg_value *config,
                    const char *terraform_version)
{
    const struct bg_value *rv = bg_value_get(config, "repository_root");
    struct bg_error err = BG_ERROR_INIT;
    struct bg_provider *p;
    char *root = NULL;

    *out = NULL;
    if (bg_value_is_unknown(rv)) {
        bg_diag_error(d, bg_path_attr(d->arena, NULL, "repository_root"), "Unknown repository root",
                      "repository_root must be known at plan time; use a literal or a variable.");
        return BG_EINVAL;
    }
    if (bg_files_repo_root(&root, d->arena, bg_value_as_string(rv), &err) != 0)
        return bg_diag_from_error(d, bg_path_attr(d->arena, NULL, "repository_root"),
                                  "Invalid repository root", &err);
    p = calloc(1, sizeof(*p));
    if (p == NULL)
        abort();
    p->repository_root = xstrdup(root);
    p->terraform_version = xstrdup(terraform_version);
    p->aws = bg_provider_aws_new(d, config, (const char *const *)environ);
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
    bg_provider_aws_free(p->aws);
    free(p);
}
