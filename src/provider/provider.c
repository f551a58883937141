/*
 * provider.c - the `provider "bluegreen"` block: schema and the configuration shared by every
 * resource call once ConfigureProvider has run.
 */
#include <stdlib.h>
#include <string.h>

#include "bluegreen/files.h"
#include "bluegreen/provider.h"

static const struct bg_attr provider_attrs[] = {
    {
        .name = "repository_root",
        .type = &bg_type_string,
        .flags = BG_OPTIONAL,
        .description = "Root of the Terraform repository. No file is ever read or written "
                       "outside it. Defaults to the git top-level of the working directory, "
                       "else the working directory.",
    },
};

const struct bg_schema bg_provider_schema = {
    .version = 0,
    .block =
        {
            .description = "Declarative blue-green upgrades of EKS clusters kept in one "
                           "Terraform repository.",
            .attrs = provider_attrs,
            .nattrs = BG_COUNT(provider_attrs),
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
        bg_diag_error(d, bg_path_attr(d->arena, NULL, "repository_root"),
                      "Unknown repository root",
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
    free(p);
}
