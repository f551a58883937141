/*
 * aws.h - the AWS access behind the provider's resources: configuration and credentials, a
 * SigV4-signing client for Query and REST JSON APIs with retries (on include/bluegreen/http.h),
 * and the ELBv2 calls we need.
 *
 * Threads: a struct bg_aws_client owns one CURL handle and one PRNG state; use it from one
 * thread at a time (one per provider process, or one per concurrent RPC). Everything else is
 * pure or works only on its arguments.
 *
 * Secrets (secret key, session token) never appear in any message this module produces.
 */
#ifndef BLUEGREEN_AWS_H
#define BLUEGREEN_AWS_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "arena.h"
#include "common.h"

/* ---- services ------------------------------------------------------------------------ */

/* The AWS APIs the provider calls. Each has its own endpoint (provider `endpoints { <key> }`,
 * AWS_ENDPOINT_URL_<env>, AWS_ENDPOINT_URL, else https://<host_prefix>.<region>.amazonaws.com)
 * and its own SigV4 signing name. */
enum bg_aws_service {
    BG_AWS_ELBV2 = 0,   /* Query API 2015-12-01 */
    BG_AWS_STS,         /* Query API 2011-06-15, regional endpoint */
    BG_AWS_CLOUDWATCH,  /* Query API 2010-08-01 */
    BG_AWS_AUTOSCALING, /* Query API 2011-01-01 */
    BG_AWS_EKS,         /* REST JSON */
    BG_AWS_NSERVICES
};

struct bg_aws_service_info {
    const char *key;          /* "elbv2": the name in the provider's endpoints block */
    const char *env;          /* "ELASTIC_LOAD_BALANCING_V2": AWS_ENDPOINT_URL_<env> */
    const char *signing_name; /* "elasticloadbalancing" */
    const char *host_prefix;  /* "elasticloadbalancing" */
    const char *api_version;  /* Query APIs: "2015-12-01"; NULL for REST APIs */
};

/* Static description of s (never NULL for a valid s). */
const struct bg_aws_service_info *bg_aws_service(enum bg_aws_service s);

/* ---- configuration --------------------------------------------------------------------- */

/* The provider block's explicit settings. NULL (or -1 for numbers) means "not set": fall back
 * to the environment and the shared files. */
struct bg_aws_settings {
    const char *region;
    const char *profile;
    const char *access_key;
    const char *secret_key;
    const char *token;
    const char *endpoints[BG_AWS_NSERVICES]; /* endpoints { elbv2 = ..., sts = ... } */
    int max_retries;                         /* -1: default 3 */
    long timeout_ms;                         /* -1: default 30000 (per attempt) */
};

#define BG_AWS_SETTINGS_INIT                                                                       \
    {                                                                                              \
        .max_retries = -1, .timeout_ms = -1                                                        \
    }

/* The resolved configuration; strings come from the arena passed to bg_aws_config_resolve.
 * token is NULL when there is none. */
struct bg_aws_config {
    const char *region;
    const char *access_key;
    const char *secret_key;
    const char *token;
    const char *profile;                     /* the profile used, "default" when none named */
    const char *endpoints[BG_AWS_NSERVICES]; /* scheme://host[:port], no trailing slash */
    int max_retries;
    long timeout_ms;
};

/* Resolves every field. Precedence per field: explicit setting, then the environment, then
 * the shared files of the profile (explicit profile, else AWS_PROFILE, else "default"):
 * - region: AWS_REGION, AWS_DEFAULT_REGION, `region` in the config file;
 * - keys: AWS_ACCESS_KEY_ID + AWS_SECRET_ACCESS_KEY (+ AWS_SESSION_TOKEN), else the
 *   credentials file [profile], else the config file [profile x] ([default] for default).
 *   Keys are taken as a pair from one source; a token only from the source of the keys.
 *   When a profile is named explicitly (setting), the environment keys are skipped.
 * - files: AWS_SHARED_CREDENTIALS_FILE (default $HOME/.aws/credentials), AWS_CONFIG_FILE
 *   (default $HOME/.aws/config); a missing file is not an error.
 * - endpoints, per service (bg_aws_service): the setting, AWS_ENDPOINT_URL_<env>,
 *   AWS_ENDPOINT_URL, else https://<host_prefix>.<region>.amazonaws.com.
 * envp is the process environment as a NULL-terminated "NAME=value" array (pass `environ`;
 * tests pass their own); NULL means empty. Missing region or credentials: BG_EINVAL with a
 * message naming what is missing and where it was looked for. */
int bg_aws_config_resolve(struct bg_aws_config *out, struct bg_arena *a,
                          const struct bg_aws_settings *settings, const char *const *envp,
                          struct bg_error *err);

/* Looks name up in envp (NULL-terminated "NAME=value"); NULL when absent or envp is NULL. An
 * empty value counts as absent, as in the AWS SDKs. */
const char *bg_aws_env(const char *const *envp, const char *name);

/* ---- HTTP client --------------------------------------------------------------------- */

struct bg_aws_client;

/* Sleeps for ms milliseconds; injected by tests so retries do not really wait. */
typedef void (*bg_aws_sleep_fn)(void *ctx, long ms);

/* Called before each backoff sleep (e.g. to log under TF_LOG): the action, the retry number
 * (1-based), the delay about to be slept and why the attempt failed (never a secret). */
typedef void (*bg_aws_retry_fn)(void *ctx, const char *action, int retry, long delay_ms,
                                const struct bg_error *why);

struct bg_aws_client_opts {
    bg_aws_sleep_fn sleep;    /* NULL: a sleep that ends early when *stop becomes true */
    void *sleep_ctx;          /* also passed to on_retry */
    uint64_t seed;            /* jitter PRNG seed; 0: from the clock and pid */
    long base_delay_ms;       /* first backoff cap; doubles per attempt */
    long max_delay_ms;        /* upper bound of any single backoff */
    bg_aws_retry_fn on_retry; /* NULL: none */
    const atomic_bool *stop;  /* true: abort the transfer in flight and stop retrying */
    long low_speed_seconds;   /* an answer stalled this long fails the attempt; 0: 10 */
};

#define BG_AWS_CLIENT_OPTS_INIT                                                                    \
    {                                                                                              \
        NULL, NULL, 0, 200, 20000, NULL, NULL, 0                                                   \
    }

/* Creates a client for cfg (copied: cfg and its arena may go away). opts may be NULL for
 * the defaults. Free with bg_aws_client_free. BG_EIO when libcurl cannot be loaded. */
int bg_aws_client_new(struct bg_aws_client **out, const struct bg_aws_config *cfg,
                      const struct bg_aws_client_opts *opts, struct bg_error *err);
void bg_aws_client_free(struct bg_aws_client *c); /* NULL allowed */

/* Replaces the stop flag given in the options (a pooled client serves many calls). */
void bg_aws_client_set_stop(struct bg_aws_client *c, const atomic_bool *stop);

/* The region and endpoint of a service, as the client uses them (for messages). */
const char *bg_aws_client_region(const struct bg_aws_client *c);
const char *bg_aws_client_endpoint(const struct bg_aws_client *c, enum bg_aws_service s);

struct bg_aws_param {
    const char *name;
    const char *value;
};

struct bg_aws_request {
    const char *action; /* "DescribeTargetHealth" */
    const struct bg_aws_param *params;
    size_t n_params;
    enum bg_aws_service service; /* a Query API; BG_AWS_ELBV2 when left 0 */
};

/* The body of a Query API request: Action=...&Version=<the service's>&name=value..., every
 * name and value percent-encoded (RFC 3986 unreserved characters kept). From the arena. */
char *bg_aws_query_body(struct bg_arena *a, const struct bg_aws_request *req);

struct bg_aws_response {
    long status; /* HTTP status of the final attempt */
    char *body;  /* NUL-terminated, from the arena */
    size_t len;
    int attempts; /* 1 + retries made */
};

/* POSTs req to the service's endpoint, signed with SigV4, retrying throttling (Throttling,
 * ThrottlingException, RequestLimitExceeded), HTTP 429/5xx and connection errors (refused,
 * reset, timed out, stalled) with jittered exponential backoff up to max_retries times.
 * Success is HTTP 2xx. An AWS error answer becomes err "<Code>: <Message> (HTTP <status>)"
 * with BG_ENOTFOUND for *NotFound codes, BG_ERETRY when retries ran out on a transient
 * failure, BG_EINVAL for other 4xx, BG_EPROTO otherwise; network failures are BG_EIO
 * (BG_ERETRY after retries); BG_ECANCELED as soon as the stop flag is set (in flight or
 * during a backoff). out may be NULL; when set it is filled on errors too (body = the error
 * document). Bodies larger than BG_AWS_MAX_BODY are BG_ELIMIT. */
int bg_aws_client_call(struct bg_aws_response *out, struct bg_aws_client *c, struct bg_arena *a,
                       const struct bg_aws_request *req, struct bg_error *err);

/* A REST JSON API call (EKS): method and path (with query) on the service's endpoint, an
 * optional JSON body, signed and retried like bg_aws_client_call. Errors read the
 * x-amzn-ErrorType header and the JSON "message"; the same codes as above. action names the
 * call in messages and retry logs ("UpdateNodegroupConfig"). */
struct bg_aws_rest_request {
    const char *action;
    enum bg_aws_service service;
    const char *method;
    const char *path; /* "/clusters/x/node-groups/y", already percent-encoded */
    const char *json; /* NULL: no body */
};

int bg_aws_client_rest(struct bg_aws_response *out, struct bg_aws_client *c, struct bg_arena *a,
                       const struct bg_aws_rest_request *req, struct bg_error *err);

#define BG_AWS_MAX_BODY (4u << 20)

/* True when err came from an AWS error answer with that Code (e.g. "TargetGroupNotFound"). */
bool bg_aws_error_is(const struct bg_error *err, const char *aws_code);

/* ---- XML answers ----------------------------------------------------------------------- */

/* Both error layouts: <ErrorResponse><Error>..</Error><RequestId/></ErrorResponse> and
 * <Response><Errors><Error>..</Error></Errors><RequestID/></Response>. Missing fields are
 * "" (never NULL). BG_EPROTO when xml is not an error document. */
struct bg_aws_api_error {
    const char *type;
    const char *code;
    const char *message;
    const char *request_id;
};

int bg_aws_parse_error(struct bg_aws_api_error *out, struct bg_arena *a, const char *xml,
                       size_t len, struct bg_error *err);

/* ---- ELBv2 --------------------------------------------------------------------------------- */

struct bg_aws_target {
    const char *id;
    int port; /* 0: not sent, AWS uses the target group's port */
};

struct bg_aws_target_health {
    const char *id;
    int port;                /* 0 when absent */
    const char *state;       /* initial|healthy|unhealthy|unused|draining|unavailable|... */
    const char *reason;      /* "" when absent */
    const char *description; /* "" when absent */
};

struct bg_aws_target_health_list {
    struct bg_aws_target_health *items; /* from the arena */
    size_t count;
};

struct bg_aws_target_group {
    const char *arn;
    const char *name;
    const char *protocol;     /* "" when absent */
    const char *target_type;  /* "" when absent */
    int port;                 /* 0 when absent */
    int deregistration_delay; /* seconds; -1 when unknown */
};

struct bg_aws_target_group_list {
    struct bg_aws_target_group *items; /* from the arena */
    size_t count;
};

/* Every target of the group with its health (DescribeTargetHealth). BG_ENOTFOUND with the
 * AWS message when the group does not exist. Results from the arena. */
int bg_aws_elbv2_describe_target_health(struct bg_aws_target_health_list *out,
                                        struct bg_aws_client *c, struct bg_arena *a,
                                        const char *target_group_arn, struct bg_error *err);

/* RegisterTargets / DeregisterTargets for n targets (n >= 1). */
int bg_aws_elbv2_register_targets(struct bg_aws_client *c, const char *target_group_arn,
                                  const struct bg_aws_target *targets, size_t n,
                                  struct bg_error *err);
int bg_aws_elbv2_deregister_targets(struct bg_aws_client *c, const char *target_group_arn,
                                    const struct bg_aws_target *targets, size_t n,
                                    struct bg_error *err);

/* DescribeTargetGroups for one ARN (existence check: BG_ENOTFOUND when gone), then
 * DescribeTargetGroupAttributes for deregistration_delay.timeout_seconds (left -1 if that
 * second call fails: it is informative only). */
int bg_aws_elbv2_describe_target_group(struct bg_aws_target_group *out, struct bg_aws_client *c,
                                       struct bg_arena *a, const char *target_group_arn,
                                       struct bg_error *err);

/* The parsers behind the calls, exposed for tests and fuzzing. Input is untrusted: size
 * bounded by BG_AWS_MAX_BODY, no DTD, no entity expansion, no network. Element names are
 * matched by local name, namespaces ignored, unknown elements skipped. BG_EPROTO on anything
 * that is not the expected answer. */
int bg_aws_elbv2_parse_target_health(struct bg_aws_target_health_list *out, struct bg_arena *a,
                                     const char *xml, size_t len, struct bg_error *err);
int bg_aws_elbv2_parse_target_groups(struct bg_aws_target_group_list *out, struct bg_arena *a,
                                     const char *xml, size_t len, struct bg_error *err);
/* *out = deregistration_delay.timeout_seconds, -1 when the attribute is absent. */
int bg_aws_elbv2_parse_deregistration_delay(int *out, const char *xml, size_t len,
                                            struct bg_error *err);
/* Checks that xml is the <action>Response document (RegisterTargets, DeregisterTargets). */
int bg_aws_elbv2_parse_ack(const char *action, const char *xml, size_t len, struct bg_error *err);

#endif
