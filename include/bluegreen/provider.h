/*
 * provider.h - the provider block: schema, validation and the configuration built by
 * ConfigureProvider. A struct bg_provider is immutable once built and shared read-only by all
 * concurrent calls; bg_provider_free releases it (NULL allowed).
 */
#ifndef BLUEGREEN_PROVIDER_H
#define BLUEGREEN_PROVIDER_H

#include "diag.h"
#include "schema.h"
#include "value.h"

struct bg_provider {
    char *repository_root; /* absolute, canonical; malloc-owned */
    char *terraform_version;
    struct bg_provider *previous; /* an earlier configuration, freed with this one */
};

extern const struct bg_schema bg_provider_schema;

/* Builds the configuration from the decoded provider block (defaults applied). On failure
 * adds diagnostics and returns a negative code; *out is NULL then. */
int bg_provider_new(struct bg_provider **out, struct bg_diags *d, const struct bg_value *config,
                    const char *terraform_version);
void bg_provider_free(struct bg_provider *p);

#endif
