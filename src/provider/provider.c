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
static const struct bg_validator max_retries_validators[] = {{bg_validate_int_range, retries_range},
                                                             {NULL, NULL}};

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
     .description = "AWS access key ID. Default: `AWS_ACCESS_KEY_ID`, then the profile."},
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

static const struct bg_attr endpoint_attrs[] = {
    {.name = "elbv2",
     .type = &bg_type_string,
     .flags = BG_OPTIONAL,
     .description = "ELBv2 endpoint URL, e.g. `http://127.0.0.1:5000`. Default: "
                    "`AWS_ENDPOINT_URL_ELASTIC_LOAD_BALANCING_V2`, `AWS_ENDPOINT_URL`, else "
                    "the regional AWS endpoint."},
};

static const struct bg_block endpoints_block = {
    .description = "Custom service endpoints (tests, VPC endpoints, proxies).",
    .attrs = endpoint_attrs,
    .nattrs = BG_COUNT(endpoint_attrs),
};

static const struct bg_block_type provider_blocks[] = {
    /* NestingSingle requires min_items == max_items; 0/0 makes the block optional. */
    {.name = "endpoints",
     .nesting = BG_NEST_SINGLE,
     .block = &endpoints_block,
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
