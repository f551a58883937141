/*
 * provider.h - the provider block: schema, validation and the configuration built by
 * ConfigureProvider. A struct bg_provider is immutable once built and shared read-only by all
 * concurrent calls; bg_provider_free releases it (NULL allowed).
 *
 * AWS access is lazy: ConfigureProvider resolves the AWS settings (provider block, then the
 * environment and the shared files) but a missing region or missing credentials is only
 * reported when a resource actually asks for a client, so configurations that use no AWS
 * resource need no AWS setup. Clients come from a small mutex-guarded pool owned by the
 * provider: each call borrows one (exclusive use, one thread) and gives it back, so the
 * HTTP connection inside is reused across calls of the same provider process.
 */
#ifndef BLUEGREEN_PROVIDER_H
#define BLUEGREEN_PROVIDER_H

#include "aws.h"
#include "diag.h"
#include "log.h"
#include "schema.h"
#include "value.h"

struct bg_provider_aws; /* resolved AWS configuration and the client pool (provider_aws.c) */

/* The environment variable that sets generated_files when the provider block does not. */
#define BG_GENERATED_FILES_ENV "BLUEGREEN_GENERATED_FILES"

struct bg_provider {
    char *repository_root; /* absolute, canonical; malloc-owned */
    bool verify_files;     /* generated_files = "verify": cluster files are never written */
    char *terraform_version;
    struct bg_provider_aws *aws;  /* never NULL once built */
    struct bg_provider *previous; /* an earlier configuration, freed with this one */
};

/* The provider block's table; its slots describe struct bg_provider__config
 * (src/provider/internal.h). */
extern const struct bg_schema bg_provider_schema;

/* Builds the configuration from the decoded provider block (defaults applied); the AWS
 * defaults come from the process environment (`environ`). On failure adds diagnostics and
 * returns a negative code; *out is NULL then. */
int bg_provider_new(struct bg_provider **out, struct bg_diags *d, const struct bg_value *config,
                    const char *terraform_version);
void bg_provider_free(struct bg_provider *p);

/* Borrows an AWS client: an idle pooled one or a new one. p may be NULL (provider not
 * configured). Fails with BG_EINVAL and a message naming what is missing (region,
 * credentials) when the AWS configuration could not be resolved, or with the credential
 * chain's error (each source tried and why it failed) when no credentials can be obtained;
 * credentials are fetched on the first call and cached for all clients of p. log (shared,
 * read-only, lives as long as the process) receives a WARN line per retry. stop (may be NULL; the
 * service's StopProvider flag) aborts the client's transfers and retries once set. Thread
 * safe. */
int bg_provider_aws_acquire(struct bg_aws_client **out, const struct bg_provider *p,
                            const struct bg_logger *log, const atomic_bool *stop,
                            struct bg_error *err);

/* The provider's AWS region (for messages such as a region mismatch hint); NULL when the AWS
 * settings could not be resolved or p is NULL. */
const char *bg_provider_aws_region(const struct bg_provider *p);

/* Gives a borrowed client back (NULL allowed); it is pooled for the next call, or freed
 * when the pool is full. curl reconnects by itself should the kept connection have died.
 * Thread safe. */
void bg_provider_aws_release(const struct bg_provider *p, struct bg_aws_client *c);

#endif
