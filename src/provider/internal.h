/*
 * internal.h - what provider.c and provider_aws.c share; not part of the public surface.
 */
#ifndef BLUEGREEN_PROVIDER_INTERNAL_H
#define BLUEGREEN_PROVIDER_INTERNAL_H

#include "bluegreen/provider.h"

/* endpoints { elbv2 = ..., sts = ... }: one URL per service, by enum bg_aws_service. */
struct bg_provider__endpoints {
    const char *url[BG_AWS_NSERVICES];
};

/* assume_role { ... }: the strings go straight into the AWS module's struct; the duration
 * ("1h") and the tags are converted when the settings are read (provider_aws.c). */
struct bg_provider__assume_role {
    struct bg_aws_assume_role role;
    const char *duration;
    struct bg_pair *tags;
    size_t ntags;
};

/* assume_role_with_web_identity { ... }, likewise. */
struct bg_provider__web_identity {
    struct bg_aws_web_identity role;
    const char *duration;
};

/* requests_per_second when not set: the refill rate ELBv2 documents for Describe calls. */
#define BG_PROVIDER__REQUESTS_PER_SECOND 10
#define BG__STR(x)                       BG__STR_(x)
#define BG__STR_(x)                      #x

/* The provider block in C, filled by the typed layer along bg_provider_schema's slots.
 * Strings are borrowed from the configuration value (the ConfigureProvider call's arena). */
/* generated_files, the index into its validator's list */
enum bg_provider__generated_files { BG_PROVIDER__WRITE, BG_PROVIDER__VERIFY };

struct bg_provider__config {
    const char *repository_root;
    enum bg_presence repository_root_is;
    enum bg_provider__generated_files generated_files;
    enum bg_presence generated_files_is;
    struct bg_aws_settings aws; /* region, profile, keys; the rest from the members below */
    int64_t max_retries;
    enum bg_presence max_retries_is;
    int64_t requests_per_second; /* 0: no limit */
    enum bg_presence requests_per_second_is;
    struct bg_provider__endpoints *endpoints;       /* NULL: no endpoints block */
    struct bg_provider__assume_role *assume_role;   /* NULL: no assume_role block */
    struct bg_provider__web_identity *web_identity; /* NULL: no such block */
    const struct bg_path *unknown; /* first setting not known until apply, or NULL */
};

/* Expands the decoded provider block (defaults applied or not) into *out. Returns 0, or
 * BG_EINVAL after adding diagnostics for a value that does not fit its attribute. */
int bg_provider__config_read(struct bg_provider__config *out, struct bg_diags *d,
                             const struct bg_value *config);

/* The AWS part of ConfigureProvider: resolves the settings against envp once. Never NULL;
 * a failure (unknown setting, missing region or credentials) is kept for
 * bg_provider_aws_acquire to report, not added to d. */
struct bg_provider_aws *bg_provider__aws_new(struct bg_diags *d,
                                             const struct bg_provider__config *cfg,
                                             const char *const *envp);
void bg_provider__aws_free(struct bg_provider_aws *aws);

#endif
