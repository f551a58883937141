/*
 * upgrade_sources.c - helpers shared by the upgrade planning data sources (upgrade_path.c,
 * deprecated_apis.c).
 */
#include "upgrade_sources.h"

#include "bluegreen/upgrade.h"

const char bg_upgrade_any_minor[] = "any";
const char bg_upgrade_eks_minor[] = "eks";
const char bg_upgrade_istio_minor[] = "istio";

/* The same wording as the library's read-time errors, so `terraform validate` and
 * `terraform plan` say the same thing. */
static void check_known(struct bg_diags *d, const struct bg_path *path, const char *version,
                        int minor, const void *table)
{
    if (table == bg_upgrade_eks_minor && bg_upgrade_eks_find(minor) == NULL)
        bg_diag_error(d, path, "Unknown Kubernetes version",
                      "unknown Kubernetes version %s: the EKS tables know 1.%d to 1.%d.", version,
                      bg_upgrade_eks_table[0].minor,
                      bg_upgrade_eks_table[bg_upgrade_eks_count - 1].minor);
    else if (table == bg_upgrade_istio_minor && bg_upgrade_istio_find(minor) == NULL)
        bg_diag_error(d, path, "Unknown Istio version",
                      "unknown Istio version %s: the tables know 1.%d to 1.%d.", version,
                      bg_upgrade_istio_table[0].minor,
                      bg_upgrade_istio_table[bg_upgrade_istio_count - 1].minor);
}

void bg_upgrade_check_version(struct bg_diags *d, const struct bg_path *path,
                              const struct bg_value *v, const void *arg)
{
    struct bg_error err = BG_ERROR_INIT;
    const char *s = bg_value_as_string(v);
    int minor = 0;

    if (bg_upgrade_version_parse(&minor, s, &err) != 0) {
        bg_diag_error(d, path, "Invalid version", "%s = \"%s\" is not a version like \"1.15\".",
                      bg_path_string(d->arena, path), s != NULL ? s : "");
        return;
    }
    check_known(d, path, s, minor, arg);
}

int bg_upgrade_diag(struct bg_call *call, const char *attribute, const char *summary,
                    const struct bg_error *err)
{
    const struct bg_path *path = NULL;

    if (attribute != NULL)
        path = bg_path_attr(call->arena, NULL, attribute);
    bg_diag_error(call->diags, path, summary, "%s.", err->msg);
    return err->code != 0 ? err->code : BG_EINVAL;
}
