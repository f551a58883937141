/*
 * upgrade_sources.h - what the bluegreen_upgrade_path and bluegreen_deprecated_apis data
 * sources share: version validators and copying the configuration into the state they return.
 * Both files are thin layers over include/bluegreen/upgrade.h: they turn values into library
 * options (expand), library results into values (flatten) and library errors into
 * diagnostics at the attribute the library blames.
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

/* A new object holding every member of config (the arguments echoed into the state); the
 * data source then puts its computed members. Never NULL. */
struct bg_value *bg_upgrade_state_from(struct bg_arena *a, const struct bg_value *config);

/* A list(string) value holding copies of the n strings. */
struct bg_value *bg_upgrade_string_list(struct bg_arena *a, const char *const *s, size_t n);

/* The error diagnostic for a failed library call: at the attribute the library blamed
 * (NULL: no path) with the library's message as detail. Returns err->code. */
int bg_upgrade_diag(struct bg_call *call, const char *attribute, const char *summary,
                    const struct bg_error *err);

#endif
