/*
 * http.c - the SigV4-signing client for AWS Query and REST JSON APIs (include/bluegreen/aws.h)
 * on the provider's HTTP client (include/bluegreen/http.h).
 *
 * One HTTP client per AWS client keeps the TLS connection alive between calls: a walk makes
 * a few hundred small requests to the same host. Signing is libcurl's CURLOPT_AWS_SIGV4; it
 * signs host, x-amz-date and every header we add ourselves, which is how the session token
 * header ends up among the signed headers as STS requires. Retries, their backoff and the
 * stop flag live here; transfers in flight are aborted by the HTTP client itself.
 */
#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "bluegreen/codec.h"
#include "bluegreen/http.h"
#include "bluegreen/value.h"
#include "creds.h"
#include "internal.h"

struct bg_aws_client {
    struct bg_http_client *http;
    struct bg_arena *arena; /* copies of the configuration */
    struct bg_aws_config cfg;
    struct bg_aws_client_opts opts;
    uint64_t prng;
    struct bg_aws_creds statics;      /* cfg's keys as credentials (access_key NULL: none) */
    struct bg_aws_ratelimit *limiter; /* shared, not owned; NULL: no limit */
};

static const struct bg_aws_service_info services[BG_AWS_NSERVICES] = {
    [BG_AWS_ELBV2] = {"elbv2", "ELASTIC_LOAD_BALANCING_V2", "elasticloadbalancing",
                      "elasticloadbalancing", "2015-12-01"},
    [BG_AWS_STS] = {"sts", "STS", "sts", "sts", "2011-06-15"},
    [BG_AWS_CLOUDWATCH] = {"cloudwatch", "CLOUDWATCH", "monitoring", "monitoring", "2010-08-01"},
    [BG_AWS_AUTOSCALING] = {"autoscaling", "AUTO_SCALING", "autoscaling", "autoscaling",
                            "2011-01-01"},
    [BG_AWS_EKS] = {"eks", "EKS", "eks", "eks", NULL},
};

const struct bg_aws_service_info *bg_aws_service(enum bg_aws_service s)
{
    assert(s >= 0 && s < BG_AWS_NSERVICES);
    return &services[s];
}

static uint64_t next_random(uint64_t *state)
{
    /* splitmix64: tiny, good enough for jitter, and per client (no rand() global) */
    uint64_t z = (*state += 0x9e3779b97f4a7c15ULL);

    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

long bg_aws_backoff_ms(uint64_t *prng, const struct bg_aws_client_opts *opts, int attempt)
{
    long cap = opts->base_delay_ms;

    for (int i = 0; i < attempt && cap < opts->max_delay_ms; i++)
        cap *= 2;
    if (cap > opts->max_delay_ms)
        cap = opts->max_delay_ms;
    if (cap <= 0)
        return 0;
    return cap / 2 + (long)(next_random(prng) % (uint64_t)(cap - cap / 2 + 1));
}

bool bg_aws_is_throttling(const char *code)
{
    static const char *const codes[] = {"Throttling", "ThrottlingException", "RequestLimitExceeded",
                                        "TooManyRequestsException", "RequestThrottled"};

    for (size_t i = 0; i < sizeof(codes) / sizeof(codes[0]); i++) {
        if (strcmp(code, codes[i]) == 0)
            return true;
    }
    return false;
}

bool bg_aws_should_retry(long status, const char *code)
{
    return status == 429 || status >= 500 || bg_aws_is_throttling(code);
}

static bool stopped(const struct bg_aws_client *c)
{
    return c->opts.stop != NULL && atomic_load(c->opts.stop);
}

/* The default backoff sleep: 50 ms slices, so a stop request ends it within that. */
static void sleep_ms(struct bg_aws_client *c, long ms)
{
    while (ms > 0 && !stopped(c)) {
        long slice = ms < 50 ? ms : 50;
        struct timespec ts = {0, slice * 1000000L};

        nanosleep(&ts, NULL);
        ms -= slice;
    }
}

static const char *dup_or_null(struct bg_arena *a, const char *s)
{
    return s != NULL ? bg_arena_strdup(a, s) : NULL;
}

static void copy_config(struct bg_aws_client *c, const struct bg_aws_config *cfg)
{
    c->cfg.region = dup_or_null(c->arena, cfg->region);
    c->cfg.access_key = dup_or_null(c->arena, cfg->access_key);
    c->cfg.secret_key = dup_or_null(c->arena, cfg->secret_key);
    c->cfg.token = dup_or_null(c->arena, cfg->token);
    c->cfg.profile = dup_or_null(c->arena, cfg->profile);
    /* a configuration built by hand (tests) may name only some endpoints */
    for (int i = 0; i < BG_AWS_NSERVICES; i++)
        c->cfg.endpoints[i] =
            cfg->endpoints[i] != NULL
                ? bg_arena_strdup(c->arena, cfg->endpoints[i])
                : bg_arena_printf(c->arena, "https://%s.%s.amazonaws.com%s",
                                  services[i].host_prefix, cfg->region,
                                  strncmp(cfg->region, "cn-", 3) == 0 ? ".cn" : "");
    c->cfg.max_retries = cfg->max_retries < 0 ? 0 : cfg->max_retries;
    c->cfg.timeout_ms = cfg->timeout_ms > 0 ? cfg->timeout_ms : 30000;
    if (c->cfg.access_key != NULL && c->cfg.secret_key != NULL)
        c->statics = (struct bg_aws_creds){c->cfg.access_key, c->cfg.secret_key, c->cfg.token, 0,
                                           "configuration"};
}

static uint64_t default_seed(const void *c)
{
    return (uint64_t)time(NULL) ^ ((uint64_t)getpid() << 32) ^ (uint64_t)(uintptr_t)c;
}

static int new_http(struct bg_aws_client *c, struct bg_error *err)
{
    struct bg_http_opts h = BG_HTTP_OPTS_INIT;

    h.timeout_ms = c->cfg.timeout_ms;
    h.low_speed_seconds = c->opts.low_speed_seconds;
    h.stop = c->opts.stop;
    return bg_http_client_new(&c->http, &h, err);
}

int bg_aws_client_new(struct bg_aws_client **out, const struct bg_aws_config *cfg,
                      const struct bg_aws_client_opts *opts, struct bg_error *err)
{
    static const struct bg_aws_client_opts defaults = BG_AWS_CLIENT_OPTS_INIT;
    struct bg_aws_client *c;
    int rc;

    *out = NULL;
    if (cfg->region == NULL)
        return bg_error_set(err, BG_EINVAL, "incomplete AWS configuration: no region");
    c = calloc(1, sizeof(*c));
    if (c == NULL)
        return bg_error_set(err, BG_EIO, "out of memory");
    c->arena = bg_arena_new();
    copy_config(c, cfg);
    c->opts = opts != NULL ? *opts : defaults;
    c->prng = c->opts.seed != 0 ? c->opts.seed : default_seed(c);
    rc = new_http(c, err);
    if (rc != 0) {
        bg_aws_client_free(c);
        return rc;
    }
    *out = c;
    return 0;
}

void bg_aws_client_free(struct bg_aws_client *c)
{
    if (c == NULL)
        return;
    bg_http_client_free(c->http);
    /* the secret and the token live in the arena: wipe them before giving memory back */
    if (c->cfg.secret_key != NULL)
        explicit_bzero((char *)c->cfg.secret_key, strlen(c->cfg.secret_key));
    if (c->cfg.token != NULL)
        explicit_bzero((char *)c->cfg.token, strlen(c->cfg.token));
    bg_arena_free(c->arena);
    free(c);
}

void bg_aws_client_set_stop(struct bg_aws_client *c, const atomic_bool *stop)
{
    c->opts.stop = stop;
    bg_http_client_set_stop(c->http, stop);
}

struct bg_http_client *bg_aws__client_http(struct bg_aws_client *c)
{
    return c->http;
}

void bg_aws_client_set_limiter(struct bg_aws_client *c, struct bg_aws_ratelimit *rl)
{
    c->limiter = rl;
}

const char *bg_aws_client_region(const struct bg_aws_client *c)
{
    return c->cfg.region;
}

const char *bg_aws_client_endpoint(const struct bg_aws_client *c, enum bg_aws_service s)
{
    return c->cfg.endpoints[s];
}

static bool unreserved(unsigned char ch)
{
    return (ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') ||
           ch == '-' || ch == '_' || ch == '.' || ch == '~';
}

static char *encode(struct bg_arena *a, const char *s)
{
    static const char hex[] = "0123456789ABCDEF";
    char *out = bg_arena_alloc(a, 3 * strlen(s) + 1), *p = out;

    for (const unsigned char *q = (const unsigned char *)s; *q; q++) {
        if (unreserved(*q)) {
            *p++ = (char)*q;
            continue;
        }
        *p++ = '%';
        *p++ = hex[*q >> 4];
        *p++ = hex[*q & 15];
    }
    *p = '\0';
    return out;
}

char *bg_aws_query_body(struct bg_arena *a, const struct bg_aws_request *req)
{
    char *body = bg_arena_printf(a, "Action=%s&Version=%s", encode(a, req->action),
                                 services[req->service].api_version);

    for (size_t i = 0; i < req->n_params; i++) {
        body = bg_arena_printf(a, "%s&%s=%s", body, encode(a, req->params[i].name),
                               encode(a, req->params[i].value));
    }
    return body;
}

bool bg_aws_error_is(const struct bg_error *err, const char *aws_code)
{
    size_t n = strlen(aws_code);

    return err != NULL && err->code != 0 && strncmp(err->msg, aws_code, n) == 0 &&
           err->msg[n] == ':';
}

/* An HTTP answer that is not 2xx: "<Code>: <Message> (HTTP n)" and whether to retry. */
static int error_code_for(const char *code, long status)
{
    size_t n = strlen(code);

    if (n >= 8 && strcmp(code + n - 8, "NotFound") == 0)
        return BG_ENOTFOUND;
    if (n >= 17 && strcmp(code + n - 17, "NotFoundException") == 0)
        return BG_ENOTFOUND;
    return status >= 400 && status < 500 ? BG_EINVAL : BG_EPROTO;
}

static int query_failure(const char *endpoint, struct bg_arena *a, const struct bg_http_response *h,
                         bool *retry, struct bg_error *err)
{
    struct bg_aws_api_error e;

    if (bg_aws_parse_error(&e, a, h->body, h->len, NULL) != 0) {
        *retry = bg_aws_should_retry(h->status, "");
        return bg_error_set(err, h->status >= 500 ? BG_EIO : BG_EPROTO,
                            "HTTP %ld from %s without an AWS error document", h->status, endpoint);
    }
    *retry = bg_aws_should_retry(h->status, e.code);
    return bg_error_set(err, error_code_for(e.code, h->status), "%s: %s (HTTP %ld)", e.code,
                        e.message, h->status);
}

/* REST JSON errors: the code in x-amzn-ErrorType ("Code:details") or the body's "__type",
 * the text in "message" (or "Message"). */
static int rest_failure(const char *endpoint, struct bg_arena *a, const struct bg_http_response *h,
                        bool *retry, struct bg_error *err)
{
    const char *type = bg_http_header(h, "x-amzn-ErrorType");
    const char *code = "", *message = "";
    struct bg_value *doc = NULL;

    if (bg_json_decode(&doc, a, h->body, h->len, NULL) == 0) {
        const char *m = bg_value_as_string(bg_value_get(doc, "message"));

        message = m != NULL ? m : bg_value_as_string(bg_value_get(doc, "Message"));
        code = bg_value_as_string(bg_value_get(doc, "__type"));
    }
    if (type != NULL)
        code = bg_arena_strndup(a, type, strcspn(type, ":"));
    if (code != NULL && strchr(code, '#') != NULL) /* "namespace#Code" */
        code = strchr(code, '#') + 1;
    if (code == NULL)
        code = "";
    *retry = bg_aws_should_retry(h->status, code);
    if (code[0] == '\0')
        return bg_error_set(err, h->status >= 500 ? BG_EIO : BG_EPROTO,
                            "HTTP %ld from %s without an AWS error", h->status, endpoint);
    return bg_error_set(err, error_code_for(code, h->status), "%s: %s (HTTP %ld)", code,
                        message != NULL ? message : "", h->status);
}

/* What one attempt sends: the request in http terms, how to sign it, how to read a failure. */
struct attempt_spec {
    const char *action;
    const char *endpoint;
    enum bg_aws_service service;
    const char *content_type;
    bool anonymous;
    const struct bg_aws_creds *creds; /* the request's own; NULL: the client's */
    struct bg_http_request http;
    int (*failure)(const char *endpoint, struct bg_arena *a, const struct bg_http_response *h,
                   bool *retry, struct bg_error *err);
};

/* The credentials of one attempt: the request's own, the provider's current ones (a
 * reference in *held, released after the attempt), or the configuration's keys. */
static int credentials_for(const struct bg_aws_creds **out, const struct bg_aws_creds **held,
                           struct bg_aws_client *c, const struct attempt_spec *spec,
                           struct bg_error *err)
{
    *held = NULL;
    *out = spec->creds;
    if (*out != NULL)
        return 0;
    if (c->opts.credentials != NULL) {
        int rc = bg_aws_credentials_get(held, c->opts.credentials, c->opts.stop, err);

        *out = *held;
        return rc;
    }
    if (c->statics.access_key == NULL)
        return bg_error_set(err, BG_EINVAL, "%s: no AWS credentials configured", spec->action);
    *out = &c->statics;
    return 0;
}

/* Signs (or not) one attempt: libcurl signs host, x-amz-date and every header we add, so the
 * session token header is among the signed ones, as STS requires. */
static void sign(struct bg_http_request *h, struct bg_http_header headers[2],
                 struct bg_http_sigv4 *s, struct bg_arena *a, const struct bg_aws_client *c,
                 const struct attempt_spec *spec, const struct bg_aws_creds *creds)
{
    h->headers = headers;
    h->n_headers = 0;
    headers[h->n_headers++] = (struct bg_http_header){"Content-Type", spec->content_type};
    h->sigv4 = NULL;
    if (creds == NULL)
        return;
    if (creds->token != NULL)
        headers[h->n_headers++] = (struct bg_http_header){"X-Amz-Security-Token", creds->token};
    s->provider =
        bg_arena_printf(a, "aws:amz:%s:%s", c->cfg.region, services[spec->service].signing_name);
    s->access_key = creds->access_key;
    s->secret_key = creds->secret_key;
    h->sigv4 = s;
}

static bool expired_token(const struct bg_error *err)
{
    return bg_aws_error_is(err, "ExpiredToken") || bg_aws_error_is(err, "ExpiredTokenException");
}

static int attempt(struct bg_aws_response *r, struct bg_aws_client *c, struct bg_arena *a,
                   const struct attempt_spec *spec, bool *retry, struct bg_error *err)
{
    struct bg_http_request req = spec->http;
    const struct bg_aws_creds *creds = NULL, *held = NULL;
    struct bg_http_header headers[2];
    struct bg_http_response h;
    struct bg_http_sigv4 sigv4;
    int rc = 0;

    *retry = false;
    if (!spec->anonymous)
        rc = credentials_for(&creds, &held, c, spec, err);
    if (rc != 0)
        return rc; /* the chain's own message: which source, why */
    sign(&req, headers, &sigv4, a, c, spec, creds);
    rc = bg_http_do(&h, c->http, a, &req, err);
    r->status = h.status;
    r->body = h.body;
    r->len = h.len;
    if (rc == BG_ELIMIT)
        rc = bg_error_set(err, BG_ELIMIT, "AWS answer from %s exceeds %u bytes", spec->endpoint,
                          BG_AWS_MAX_BODY);
    else if (rc != 0)
        *retry = rc == BG_EIO && h.transient;
    else if (h.status < 200 || h.status > 299)
        rc = spec->failure(spec->endpoint, a, &h, retry, err);
    /* credentials AWS calls expired (clock skew, a revoked session): drop them from the cache
     * so the caller's immediate retry signs with new ones */
    if (rc != 0 && held != NULL && expired_token(err))
        bg_aws_credentials_expire(c->opts.credentials, held);
    bg_aws_creds_release(held);
    return rc;
}

static void backoff(struct bg_aws_client *c, const char *action, int i, const struct bg_error *why)
{
    long delay = bg_aws_backoff_ms(&c->prng, &c->opts, i);

    if (c->opts.on_retry != NULL)
        c->opts.on_retry(c->opts.sleep_ctx, action, i + 1, delay, why);
    if (c->opts.sleep != NULL)
        c->opts.sleep(c->opts.sleep_ctx, delay);
    else
        sleep_ms(c, delay);
}

static int stopped_retrying(struct bg_error *err, const char *action, const struct bg_error *why)
{
    return bg_error_set(
        err, BG_ECANCELED,
        "%s: stopped on request (Ctrl-C or StopProvider) while waiting to retry after: %s", action,
        why->msg);
}

static int run(struct bg_aws_response *out, struct bg_aws_client *c, struct bg_arena *a,
               const struct attempt_spec *spec, struct bg_error *err)
{
    struct bg_aws_response local;
    struct bg_aws_response *r = out != NULL ? out : &local;
    struct bg_error why = BG_ERROR_INIT;
    bool retry = false, renewed = false;
    int rc = 0;

    memset(r, 0, sizeof(*r));
    for (int i = 0; i <= c->cfg.max_retries; i++) {
        r->attempts++;
        if (bg_aws_ratelimit_take(c->limiter, c->opts.stop, NULL) != 0)
            return bg_error_set(err, BG_ECANCELED,
                                "%s: stopped on request while waiting for "
                                "the provider's request rate limit",
                                spec->action);
        rc = attempt(r, c, a, spec, &retry, &why);
        if (rc != 0 && !renewed && c->opts.credentials != NULL && spec->creds == NULL &&
            expired_token(&why)) {
            renewed = true; /* once, at once, not counted as a retry */
            i--;
            continue;
        }
        if (rc == 0 || !retry || i == c->cfg.max_retries)
            break;
        backoff(c, spec->action, i, &why);
        if (stopped(c))
            return stopped_retrying(err, spec->action, &why);
    }
    if (rc != 0 && err != NULL)
        *err = why;
    if (rc == 0 || !retry)
        return rc;
    /* keep the last message, which names the AWS code or the network failure */
    if (err != NULL)
        err->code = BG_ERETRY;
    return BG_ERETRY;
}

int bg_aws_client_call(struct bg_aws_response *out, struct bg_aws_client *c, struct bg_arena *a,
                       const struct bg_aws_request *req, struct bg_error *err)
{
    struct attempt_spec spec = {req->action,
                                c->cfg.endpoints[req->service],
                                req->service,
                                "application/x-www-form-urlencoded; charset=utf-8",
                                req->anonymous,
                                req->creds,
                                {0},
                                query_failure};
    char *body;
    int rc;

    assert(services[req->service].api_version != NULL); /* a Query API */
    body = bg_aws_query_body(a, req);
    spec.http.method = "POST";
    spec.http.url = bg_arena_printf(a, "%s/", spec.endpoint);
    spec.http.body = body;
    spec.http.body_len = strlen(body);
    spec.http.max_body = BG_AWS_MAX_BODY;
    rc = run(out, c, a, &spec, err);
    if (req->service == BG_AWS_STS)
        explicit_bzero(body, spec.http.body_len); /* web identity tokens, policies */
    return rc;
}

int bg_aws_client_rest(struct bg_aws_response *out, struct bg_aws_client *c, struct bg_arena *a,
                       const struct bg_aws_rest_request *req, struct bg_error *err)
{
    struct attempt_spec spec = {req->action,  c->cfg.endpoints[req->service],
                                req->service, "application/json",
                                false,        NULL,
                                {0},          rest_failure};

    spec.http.method = req->method;
    spec.http.url = bg_arena_printf(a, "%s%s", spec.endpoint, req->path);
    spec.http.body = req->json;
    spec.http.body_len = req->json != NULL ? strlen(req->json) : 0;
    spec.http.max_body = BG_AWS_MAX_BODY;
    return run(out, c, a, &spec, err);
}

int bg_aws__elbv2_call(struct bg_aws_response *r, struct bg_aws_client *c, struct bg_arena *a,
                       const char *action, const struct bg_aws_param *params, size_t n,
                       struct bg_error *err)
{
    const struct bg_aws_request req = {
        .action = action, .params = params, .n_params = n, .service = BG_AWS_ELBV2};

    return bg_aws_client_call(r, c, a, &req, err);
}
