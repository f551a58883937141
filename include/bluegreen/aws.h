/*
 * aws.h - the AWS access behind the provider's resources: configuration, the credential chain
 * (static keys, web identity, shared profiles with role chains and credential_process,
 * container and instance metadata credentials, assume_role on top) behind a thread-safe
 * refreshing cache, a SigV4-signing client for Query and REST JSON APIs with retries (on
 * include/bluegreen/http.h), STS, and the ELBv2 calls we need.
 *
 * Threads: a struct bg_aws_client owns one CURL handle and one PRNG state; use it from one
 * thread at a time (one per provider process, or one per concurrent RPC). A struct
 * bg_aws_credentials is shared by every client of a provider configuration and is thread
 * safe. Everything else is pure or works only on its arguments.
 *
 * Secrets (secret key, session token, web identity and container tokens) never appear in any
 * message this module produces, and the copies it owns are wiped before their memory is
 * freed.
 */
#ifndef BLUEGREEN_AWS_H
#define BLUEGREEN_AWS_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "arena.h"
#include "common.h"
#include "target.h"

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

struct bg_aws_param {
    const char *name;
    const char *value;
};

/* The provider block's `assume_role { ... }`: STS AssumeRole signed with the credentials the
 * chain found. NULL strings are not sent; duration_s 0: STS's default (1 hour). */
struct bg_aws_assume_role {
    const char *role_arn; /* required */
    const char *session_name;
    const char *external_id;
    const char *policy; /* an IAM policy document (JSON) */
    const char *source_identity;
    long duration_s;
    const struct bg_aws_param *tags; /* session tags: name = Key, value = Value */
    size_t n_tags;
};

/* The provider block's `assume_role_with_web_identity { ... }`: the base credentials come
 * from STS AssumeRoleWithWebIdentity (unsigned) instead of the chain. token is the OIDC token
 * itself (secret); token_file a file holding it, read again at every refresh (CI runners and
 * EKS rotate it). One of them is required. */
struct bg_aws_web_identity {
    const char *role_arn; /* required */
    const char *session_name;
    const char *token;
    const char *token_file;
    long duration_s;
};

/* The provider block's explicit settings. NULL (or -1 for numbers) means "not set": fall back
 * to the environment and the shared files. */
struct bg_aws_settings {
    const char *region;
    const char *profile;
    const char *access_key;
    const char *secret_key;
    const char *token;
    const char *endpoints[BG_AWS_NSERVICES];        /* endpoints { elbv2 = ..., sts = ... } */
    int max_retries;                                /* -1: default 3 */
    long timeout_ms;                                /* -1: default 30000 (per attempt) */
    const struct bg_aws_assume_role *assume_role;   /* NULL: no assume_role block */
    const struct bg_aws_web_identity *web_identity; /* NULL: no such block */
};

#define BG_AWS_SETTINGS_INIT                                                                       \
    {                                                                                              \
        .max_retries = -1, .timeout_ms = -1                                                        \
    }

/* The resolved configuration; strings come from the arena passed to bg_aws_config_resolve.
 * The keys are static credentials for a client made without a credentials provider
 * (bg_aws_client_opts.credentials NULL); bg_aws_config_resolve leaves them NULL (the chain
 * is bg_aws_credentials_new's). token is NULL when there is none. */
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

/* Resolves region, profile, endpoints, retries and timeout (not the credentials: see
 * bg_aws_credentials_new). Precedence per field: explicit setting, then the environment, then
 * the shared files of the profile (explicit profile, else AWS_PROFILE, else "default"):
 * - region: AWS_REGION, AWS_DEFAULT_REGION, `region` in the config file;
 * - files: AWS_SHARED_CREDENTIALS_FILE (default $HOME/.aws/credentials), AWS_CONFIG_FILE
 *   (default $HOME/.aws/config); a missing file is not an error.
 * - endpoints, per service (bg_aws_service): the setting, AWS_ENDPOINT_URL_<env>,
 *   AWS_ENDPOINT_URL, else https://<host_prefix>.<region>.amazonaws.com (amazonaws.com.cn in
 *   the cn- regions); STS is always the regional endpoint.
 * envp is the process environment as a NULL-terminated "NAME=value" array (pass `environ`;
 * tests pass their own); NULL means empty. Missing region: BG_EINVAL with a message naming
 * where it was looked for. */
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

struct bg_aws_credentials;

struct bg_aws_client_opts {
    bg_aws_sleep_fn sleep;    /* NULL: a sleep that ends early when *stop becomes true */
    void *sleep_ctx;          /* also passed to on_retry */
    uint64_t seed;            /* jitter PRNG seed; 0: from the clock and pid */
    long base_delay_ms;       /* first backoff cap; doubles per attempt */
    long max_delay_ms;        /* upper bound of any single backoff */
    bg_aws_retry_fn on_retry; /* NULL: none */
    const atomic_bool *stop;  /* true: abort the transfer in flight and stop retrying */
    long low_speed_seconds;   /* an answer stalled this long fails the attempt; 0: 10 */
    /* Asked for credentials before every attempt (so a long walk signs with refreshed keys);
     * shared, must outlive the client. NULL: the static keys of the configuration. */
    struct bg_aws_credentials *credentials;
};

#define BG_AWS_CLIENT_OPTS_INIT                                                                    \
    {                                                                                              \
        NULL, NULL, 0, 200, 20000, NULL, NULL, 0, NULL                                             \
    }

/* Creates a client for cfg (copied: cfg and its arena may go away). opts may be NULL for
 * the defaults. Without opts->credentials and static keys in cfg, only unsigned requests and
 * requests carrying their own credentials can be made. Free with bg_aws_client_free. BG_EIO
 * when libcurl cannot be loaded. */
int bg_aws_client_new(struct bg_aws_client **out, const struct bg_aws_config *cfg,
                      const struct bg_aws_client_opts *opts, struct bg_error *err);
void bg_aws_client_free(struct bg_aws_client *c); /* NULL allowed */

/* Replaces the stop flag given in the options (a pooled client serves many calls). */
void bg_aws_client_set_stop(struct bg_aws_client *c, const atomic_bool *stop);

/* The region and endpoint of a service, as the client uses them (for messages). */
const char *bg_aws_client_region(const struct bg_aws_client *c);
const char *bg_aws_client_endpoint(const struct bg_aws_client *c, enum bg_aws_service s);

struct bg_aws_creds;

struct bg_aws_request {
    const char *action; /* "DescribeTargetHealth" */
    const struct bg_aws_param *params;
    size_t n_params;
    enum bg_aws_service service;      /* a Query API; BG_AWS_ELBV2 when left 0 */
    bool anonymous;                   /* sent unsigned (STS AssumeRoleWithWebIdentity) */
    const struct bg_aws_creds *creds; /* sign with these instead of the client's */
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
 * With a credentials provider, each attempt asks it for the current credentials, and an
 * ExpiredToken answer makes it drop them and retry once at once with fresh ones; a failure
 * to get credentials is returned as it is (not retried).
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

/* The region field of an ARN ("arn:aws:elasticloadbalancing:eu-west-1:...") into out; false
 * when arn has no such field or it does not fit. */
bool bg_aws_arn_region(char *out, size_t size, const char *arn);

/* True when err came from an AWS error answer with that Code (e.g. "TargetGroupNotFound"). */
bool bg_aws_error_is(const struct bg_error *err, const char *aws_code);

/* ---- credentials ----------------------------------------------------------------------- */

/* One set of credentials. Immutable and shared by reference: bg_aws_credentials_get hands
 * out a reference, bg_aws_creds_release gives it back; the last reference wipes the secret
 * and the token before the memory is freed. */
struct bg_aws_creds {
    const char *access_key;
    const char *secret_key;
    const char *token;  /* NULL for long-term keys */
    time_t expires;     /* wall clock, seconds since the epoch (UTC); 0: never */
    const char *source; /* where they came from, for messages ("web identity", ...) */
};

/* Wall clock for the cache (tests inject one); NULL: time(NULL). */
typedef time_t (*bg_aws_clock_fn)(void *ctx);

/* Called each time new credentials were obtained (logging): their source and expiry. */
typedef void (*bg_aws_creds_fn)(void *ctx, const char *source, time_t expires);

struct bg_aws_credentials_opts {
    /* Temporary credentials are refreshed when fewer than this many seconds are left; <= 0:
     * 300, or BG_AWS_INTERNAL_REFRESH_MARGIN_SECONDS from envp (internal: for tests whose
     * stand-ins issue short-lived credentials). */
    long refresh_margin_s;
    bg_aws_clock_fn now;
    void *now_ctx;
    bg_aws_creds_fn on_credentials;
    void *on_credentials_ctx;
    long process_timeout_ms;       /* credential_process run time bound; <= 0: 60000 */
    struct bg_aws_client_opts sts; /* options of the client that calls STS and the metadata
                                      endpoints (retries, logging); credentials ignored */
};

#define BG_AWS_CREDENTIALS_OPTS_INIT                                                               \
    {                                                                                              \
        .sts = BG_AWS_CLIENT_OPTS_INIT                                                             \
    }

/* Builds the credential chain of a provider configuration without any network access: it
 * reads the settings, envp and the shared files now and settles which source applies. The
 * sources, in the AWS SDKs' order (names as in terraform-provider-aws):
 *  1. the provider block's access_key/secret_key (+ token);
 *  2. AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY (+ AWS_SESSION_TOKEN), unless a profile is set
 *     in the provider block;
 *  3. web identity: AWS_ROLE_ARN + AWS_WEB_IDENTITY_TOKEN_FILE (+ AWS_ROLE_SESSION_NAME),
 *     STS AssumeRoleWithWebIdentity (unsigned), same exception;
 *  4. the profile (provider profile, AWS_PROFILE, else "default") of the shared files: keys;
 *     role_arn with source_profile (chains followed, at most 8 deep) or credential_source
 *     (Environment, Ec2InstanceMetadata, EcsContainer); role_arn with
 *     web_identity_token_file; credential_process (run without a shell, JSON Version 1).
 *     An IAM Identity Center (sso_*) profile is refused with what to use instead;
 *  5. container credentials: AWS_CONTAINER_CREDENTIALS_RELATIVE_URI (on 169.254.170.2), else
 *     AWS_CONTAINER_CREDENTIALS_FULL_URI (https, or http to a loopback or the ECS/EKS
 *     addresses) with AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE or _TOKEN (ECS, CodeBuild, EKS
 *     Pod Identity);
 *  6. EC2 instance metadata, IMDSv2 (AWS_EC2_METADATA_SERVICE_ENDPOINT, else
 *     http://169.254.169.254); skipped when AWS_EC2_METADATA_DISABLED=true.
 * The first source that is configured is the one used (a failure there is not passed over).
 * settings->web_identity replaces the chain; settings->assume_role is applied on top of
 * whichever base was found. STS is cfg's endpoint for BG_AWS_STS, in cfg's region.
 * Internal, for tests: BG_AWS_INTERNAL_LOOPBACK_ONLY=1 refuses any metadata, container or STS
 * endpoint that is not on 127.0.0.0/8 or localhost, and BG_AWS_INTERNAL_CONTAINER_HOST
 * replaces http://169.254.170.2 under a relative URI.
 * Errors: BG_EINVAL when the settings or files are contradictory (half a key pair, an SSO
 * profile, a missing source_profile...) or no source is configured at all; the message lists
 * each source in order and why it does not apply, never a secret. opts may be NULL. */
int bg_aws_credentials_new(struct bg_aws_credentials **out, const struct bg_aws_config *cfg,
                           const struct bg_aws_settings *settings, const char *const *envp,
                           const struct bg_aws_credentials_opts *opts, struct bg_error *err);

/* Wipes every secret held and frees; no reference may be outstanding (NULL allowed). */
void bg_aws_credentials_free(struct bg_aws_credentials *p);

/* Current credentials: from the cache while more than the refresh margin is left, else
 * obtained again first (STS, metadata, process...). One caller refreshes at a time; the
 * others keep using the cached credentials while they are still valid, or wait for the
 * refresh. stop (may be NULL) aborts a refresh in flight or the wait: BG_ECANCELED. A failed
 * refresh keeps still-valid credentials in use; otherwise its error says which source was
 * tried and why it failed. Release *out with bg_aws_creds_release. Thread safe. */
int bg_aws_credentials_get(const struct bg_aws_creds **out, struct bg_aws_credentials *p,
                           const atomic_bool *stop, struct bg_error *err);

/* Gives a reference back; NULL allowed. Thread safe. */
void bg_aws_creds_release(const struct bg_aws_creds *c);

/* AWS answered ExpiredToken for c: the cache drops c (if it still holds it) so that the next
 * get obtains new credentials. Thread safe. */
void bg_aws_credentials_expire(struct bg_aws_credentials *p, const struct bg_aws_creds *c);

/* What the chain settled on, for messages: "web identity (AWS_ROLE_ARN ...)" and the like. */
const char *bg_aws_credentials_source(const struct bg_aws_credentials *p);

/* "2024-05-01T12:00:00Z", with optional fraction and a Z or +hh:mm / -hh:mm offset, into *out
 * (seconds since the epoch). BG_EINVAL on anything else. */
int bg_aws_parse_time(time_t *out, const char *s, struct bg_error *err);

/* A terraform-provider-aws duration ("1h", "15m", "1h30m", "900s") into seconds; BG_EINVAL
 * with a message naming the accepted form otherwise. */
int bg_aws_parse_duration(long *out, const char *s, struct bg_error *err);

/* ---- STS ----------------------------------------------------------------------------------- */

/* Temporary credentials from an STS answer; strings from the arena (wipe them when done). */
struct bg_aws_sts_creds {
    const char *access_key;
    const char *secret_key;
    const char *token;
    time_t expires;
};

/* AssumeRole signed with base (required), on the client's STS endpoint. */
int bg_aws_sts_assume_role(struct bg_aws_sts_creds *out, struct bg_aws_client *c,
                           struct bg_arena *a, const struct bg_aws_assume_role *role,
                           const struct bg_aws_creds *base, struct bg_error *err);

/* AssumeRoleWithWebIdentity, unsigned; token is the OIDC token itself. */
int bg_aws_sts_assume_role_with_web_identity(struct bg_aws_sts_creds *out, struct bg_aws_client *c,
                                             struct bg_arena *a,
                                             const struct bg_aws_web_identity *wi,
                                             const char *token, struct bg_error *err);

/* Parses the <action>Response of AssumeRole / AssumeRoleWithWebIdentity (untrusted input,
 * as the ELBv2 parsers). BG_EPROTO when a credential field is missing. */
int bg_aws_sts_parse_credentials(struct bg_aws_sts_creds *out, struct bg_arena *a,
                                 const char *action, const char *xml, size_t len,
                                 struct bg_error *err);

/* Reads {"AccessKeyId", "SecretAccessKey", "Token" or "SessionToken", "Expiration"} JSON (the
 * shape of instance metadata, container endpoints and credential_process). version1: the
 * credential_process form ("Version": 1 required, expiration optional). */
int bg_aws_parse_json_credentials(struct bg_aws_sts_creds *out, struct bg_arena *a,
                                  const char *json, size_t len, bool version1,
                                  struct bg_error *err);

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
    int port;                     /* 0 when absent */
    enum bg_target_health health; /* state parsed; BG_TARGET_UNKNOWN for a state we do not know */
    const char *state;            /* as AWS spelled it, for messages; "" when absent */
    const char *reason;           /* "" when absent */
    const char *description;      /* "" when absent */
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

/* ---- node groups (src/aws/autoscaling.c, src/aws/eks.c) ------------------------------ */

/* An Auto Scaling group's sizes and its instances that are not terminated. */
struct bg_aws_asg {
    int min, max, desired;
    int instances; /* lifecycle state other than Terminated / Terminating:Proceed */
};

/* DescribeAutoScalingGroups for one name; BG_ENOTFOUND when there is no such group. */
int bg_aws_autoscaling_describe(struct bg_aws_asg *out, struct bg_aws_client *c, struct bg_arena *a,
                                const char *name, struct bg_error *err);

/* UpdateAutoScalingGroup MinSize=0 DesiredCapacity=0 (MaxSize left as it is). */
int bg_aws_autoscaling_zero(struct bg_aws_client *c, struct bg_arena *a, const char *name,
                            struct bg_error *err);

/* An EKS managed node group's scaling config and status (ACTIVE, UPDATING...). */
struct bg_aws_nodegroup {
    int min, max, desired;
    const char *status;
};

/* DescribeNodegroup; BG_ENOTFOUND when the cluster or node group does not exist. */
int bg_aws_eks_describe_nodegroup(struct bg_aws_nodegroup *out, struct bg_aws_client *c,
                                  struct bg_arena *a, const char *cluster, const char *nodegroup,
                                  struct bg_error *err);

/* UpdateNodegroupConfig scalingConfig {minSize 0, desiredSize 0, maxSize max} (EKS requires
 * maxSize >= 1, so the current one is passed back). */
int bg_aws_eks_nodegroup_zero(struct bg_aws_client *c, struct bg_arena *a, const char *cluster,
                              const char *nodegroup, int max, struct bg_error *err);

/* The parsers behind them, for tests and fuzzing (untrusted input, BG_EPROTO on anything
 * else). */
int bg_aws_autoscaling_parse_group(struct bg_aws_asg *out, struct bg_arena *a, const char *xml,
                                   size_t len, struct bg_error *err);
int bg_aws_eks_parse_nodegroup(struct bg_aws_nodegroup *out, struct bg_arena *a, const char *json,
                               size_t len, struct bg_error *err);
/* ---- ELBv2 listeners and rules (src/aws/elbv2_listeners.c) -------------------------------- */

/* One target group of a forward action's ForwardConfig. */
struct bg_aws_tg_weight {
    const char *arn;
    int weight; /* 0..999; an absent Weight reads as 1, the API's default */
};

/* One action of a listener (DefaultActions) or a rule (Actions). What a weighted shift
 * changes is parsed: Type, Order, the plain forward's TargetGroupArn and
 * ForwardConfig.TargetGroups. Every other field the answer holds is kept verbatim as Query
 * parameters relative to the action, in document order: "RedirectConfig.Host",
 * "ForwardConfig.TargetGroupStickinessConfig.DurationSeconds",
 * "AuthenticateOidcConfig.AuthenticationRequestExtraParams.entry.1.key"... so an action
 * written back sends what AWS described, including fields newer than this code. */
struct bg_aws_action {
    const char *type;             /* "forward", "redirect", "fixed-response", "authenticate-oidc" */
    int order;                    /* -1 when absent */
    const char *target_group_arn; /* plain forward (and AWS's echo of it); NULL when absent */
    bool forward_config;          /* ForwardConfig.TargetGroups present / to be sent */
    struct bg_aws_tg_weight *groups;
    size_t n_groups;
    struct bg_aws_param *fields; /* the rest, see above */
    size_t n_fields;
};

struct bg_aws_actions {
    struct bg_aws_action *items; /* from the arena */
    size_t count;
};

struct bg_aws_listener {
    const char *arn;
    const char *load_balancer_arn; /* "" when absent */
    const char *protocol;          /* "" when absent */
    int port;                      /* 0 when absent */
    struct bg_aws_actions actions; /* DefaultActions */
};

struct bg_aws_listener_list {
    struct bg_aws_listener *items;
    size_t count;
};

/* Conditions are not parsed: ModifyRule without Conditions leaves them as they are. */
struct bg_aws_rule {
    const char *arn;
    const char *priority; /* "10", or "default" for a listener's default rule */
    bool is_default;
    struct bg_aws_actions actions;
};

struct bg_aws_rule_list {
    struct bg_aws_rule *items;
    size_t count;
};

/* DescribeListeners / DescribeRules for one ARN. BG_ENOTFOUND ("ListenerNotFound: ...",
 * "RuleNotFound: ...") when AWS says so or answers an empty list. Results from the arena. */
int bg_aws_elbv2_describe_listener(struct bg_aws_listener *out, struct bg_aws_client *c,
                                   struct bg_arena *a, const char *listener_arn,
                                   struct bg_error *err);
int bg_aws_elbv2_describe_rule(struct bg_aws_rule *out, struct bg_aws_client *c, struct bg_arena *a,
                               const char *rule_arn, struct bg_error *err);

/* ModifyListener (DefaultActions) / ModifyRule (Actions only, so conditions, priority, port,
 * protocol and certificates stay) with the complete list of actions, serialized by
 * bg_aws_elbv2_action_params. out (may be NULL) receives the listener or rule as AWS answered
 * it, from the arena. */
int bg_aws_elbv2_modify_listener(struct bg_aws_listener *out, struct bg_aws_client *c,
                                 struct bg_arena *a, const char *listener_arn,
                                 const struct bg_aws_actions *actions, struct bg_error *err);
int bg_aws_elbv2_modify_rule(struct bg_aws_rule *out, struct bg_aws_client *c, struct bg_arena *a,
                             const char *rule_arn, const struct bg_aws_actions *actions,
                             struct bg_error *err);

/* The Query parameters of a list of actions ("DefaultActions" or "Actions" as list): per
 * action `<list>.member.N.` + Type, Order, TargetGroupArn, ForwardConfig.TargetGroups.member.K.
 * {TargetGroupArn,Weight} and every kept field. TargetGroupArn is sent only when no
 * ForwardConfig is, or when the ForwardConfig holds that one group alone (AWS refuses both
 * otherwise). An authenticate-oidc action without its ClientSecret (Describe never returns
 * it) gets UseExistingClientSecret=true, as ModifyListener requires. From the arena. */
struct bg_aws_param *bg_aws_elbv2_action_params(size_t *n, struct bg_arena *a, const char *list,
                                                const struct bg_aws_actions *actions);

/* Parsers of the <action>Response documents above ("DescribeListeners", "ModifyListener";
 * "DescribeRules", "ModifyRule"), same hardening as the other parsers; an action nested
 * deeper than 16 levels or holding more than 1024 fields is BG_EPROTO. */
int bg_aws_elbv2_parse_listeners(struct bg_aws_listener_list *out, struct bg_arena *a,
                                 const char *action, const char *xml, size_t len,
                                 struct bg_error *err);
int bg_aws_elbv2_parse_rules(struct bg_aws_rule_list *out, struct bg_arena *a, const char *action,
                             const char *xml, size_t len, struct bg_error *err);

/* ---- CloudWatch alarms (src/aws/cloudwatch.c) --------------------------------------------- */

enum bg_aws_alarm_state {
    BG_AWS_ALARM_UNKNOWN = 0, /* a StateValue this code does not know, or none */
    BG_AWS_ALARM_OK,
    BG_AWS_ALARM_ALARM,
    BG_AWS_ALARM_INSUFFICIENT_DATA,
};

/* "OK", "ALARM", "INSUFFICIENT_DATA" -> the enum; anything else BG_AWS_ALARM_UNKNOWN. */
enum bg_aws_alarm_state bg_aws_alarm_state_parse(const char *s);

struct bg_aws_alarm {
    const char *name;
    const char *kind;  /* "MetricAlarm" or "CompositeAlarm" */
    const char *state; /* StateValue as AWS spelled it, "" when absent */
    enum bg_aws_alarm_state value;
    const char *reason; /* StateReason, "" when absent */
};

struct bg_aws_alarm_list {
    struct bg_aws_alarm *items; /* from the arena */
    size_t count;
    const char *next_token; /* NULL on the last page */
};

/* DescribeAlarms by AlarmNames for metric and composite alarms alike (without AlarmTypes AWS
 * returns metric alarms only), at most 100 names per request, every NextToken page followed.
 * Names AWS does not know are simply absent from *out: compare to find them. */
int bg_aws_cloudwatch_describe_alarms(struct bg_aws_alarm_list *out, struct bg_aws_client *c,
                                      struct bg_arena *a, const char *const *names, size_t n,
                                      struct bg_error *err);

/* The parser behind it (one page; MetricAlarms then CompositeAlarms), for tests and fuzzing. */
int bg_aws_cloudwatch_parse_alarms(struct bg_aws_alarm_list *out, struct bg_arena *a,
                                   const char *xml, size_t len, struct bg_error *err);

/* ---- ARNs (src/aws/arn.c) ------------------------------------------------------------------- */

/* Whether s is arn:<partition>:<service>:<region>:<12-digit account>:<resource> with a
 * resource that starts with resource_type + "/" followed by exactly `parts` non-empty
 * '/'-separated names ("targetgroup" 2: tg/<name>/<id>; "listener" 4:
 * listener/app/<lb>/<id>/<id>; "listener-rule" 5). Names are letters, digits and '-'. */
bool bg_aws_arn_is(const char *s, const char *service, const char *resource_type, int parts);

/* ---- client-side request rate limit (src/aws/ratelimit.c) --------------------------------- */

/* A token bucket shared by every client of a provider, so that a large walk or many shifts in
 * parallel stay under the API's own limits (ELBv2 throttles per account and region with
 * token buckets too) instead of living on throttling retries. Each attempt of a call, retries
 * included, takes one token; a caller finding none reserves the next one and sleeps until it
 * is due (so waiters are served in order), in slices that end early on stop. Thread safe. */
struct bg_aws_ratelimit;

/* Time for the limiter; tests inject a fake one. */
struct bg_aws_clock {
    double (*now)(void *ctx);              /* monotonic seconds */
    void (*sleep)(void *ctx, double secs); /* at most secs */
    void *ctx;
};

/* per_second > 0 tokens are added each second up to burst (>= 1) held at most; the bucket
 * starts full. clock NULL: the monotonic clock and nanosleep. Free with
 * bg_aws_ratelimit_free (NULL allowed). */
int bg_aws_ratelimit_new(struct bg_aws_ratelimit **out, double per_second, double burst,
                         const struct bg_aws_clock *clock, struct bg_error *err);
void bg_aws_ratelimit_free(struct bg_aws_ratelimit *rl);

/* Takes one token, waiting as long as needed. 0, or BG_ECANCELED as soon as *stop is true
 * (stop may be NULL). *waited (may be NULL) receives the seconds slept. rl NULL: no limit. */
int bg_aws_ratelimit_take(struct bg_aws_ratelimit *rl, const atomic_bool *stop, double *waited);

/* Makes every attempt of c take a token of rl first (NULL: no limit). rl must outlive c's
 * use of it; pooled clients of one provider share the provider's bucket. */
void bg_aws_client_set_limiter(struct bg_aws_client *c, struct bg_aws_ratelimit *rl);

#endif
