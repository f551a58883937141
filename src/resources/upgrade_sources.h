/*
 * upgrade_sources.h - what the bluegreen_upgrade_path and bluegreen_deprecated_apis data
 * sources share: version validators and library errors as diagnostics. Both files are thin
 * layers over include/bluegreen/upgrade.h: the typed layer (include/bluegreen/schema.h) turns
 * values into the library's options and its results back into values; these helpers turn
 * library errors into diagnostics at the attribute the library blames.
 */
#ifndef BG_RESOURCES_UPGRADE_SOURCES_H
#define BG_RESOURCES_UPGRADE_SOURCES_H

#include "bluegreen/resource.h"

/* Validator args for bg_upgrade_check_version: which table must know the version. */
extern const char bg_upgrade_any_minor[];   /* shape "1.<minor>" only */
extern const char bg_upgrade_eks_minor[];   /* also a Kubernetes minor EKS has released */
extern const char bg_upgrade_istio_minor[]; /* also an Istio minor of the support matrix */

/* Validator: v is a version "1.<minor>" (a ".<patch>" suffix is accepted), known to the
 * table arg names. */
void bg_upgrade_check_version(struct bg_diags *d, const struct bg_path *path,
                              const struct bg_value *v, const void *arg);

/* The error diagnostic for a failed library call: at the attribute the library blamed
 * (NULL: no path) with the library's message as detail. Returns err->code. */
int bg_upgrade_diag(struct bg_call *call, const char *attribute, const char *summary,
                    const struct bg_error *err);

#endif
