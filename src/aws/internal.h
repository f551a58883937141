/*
 * internal.h - seams of the HTTP client that unit tests reach directly, and the one ELBv2 call
 * shape the elbv2*.c files share (src/aws only).
 */
#ifndef BLUEGREEN_AWS_INTERNAL_H
#define BLUEGREEN_AWS_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>

#include "bluegreen/aws.h"

/* The backoff before retry number attempt (0-based): uniformly drawn from [cap/2, cap] with
 * cap = min(max_delay_ms, base_delay_ms * 2^attempt). Advances the PRNG state. */
long bg_aws_backoff_ms(uint64_t *prng, const struct bg_aws_client_opts *opts, int attempt);

/* Is this AWS error code a throttling answer worth retrying? */
bool bg_aws_is_throttling(const char *code);

/* Retry policy for an HTTP answer: 429, 5xx, or a throttling code. code may be "". */
bool bg_aws_should_retry(long status, const char *code);

/* One ELBv2 Query call: bg_aws_client_call with the client's own credentials. */
int bg_aws__elbv2_call(struct bg_aws_response *r, struct bg_aws_client *c, struct bg_arena *a,
                       const char *action, const struct bg_aws_param *params, size_t n,
                       struct bg_error *err);

#endif
