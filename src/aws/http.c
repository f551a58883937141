/*
 * http.c - the SigV4-signing Query API client (include/bluegreen/aws.h).
 *
 * One CURL easy handle per client keeps the TLS connection alive between calls: a walk makes
 * a few hundred small requests to the same host. Signing is libcurl's CURLOPT_AWS_SIGV4; it
 * signs host, x-amz-date and every header we add ourselves, which is how the session token
 * header ends up among the signed headers as STS requires.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "bluegreen/lazy.h"
#include "internal.h"

struct bg_aws_client {
    const struct bg_curl_api *lib; /* libcurl, loaded on first use */
    CURL *curl;
    struct curl_slist *headers;
    struct bg_arena *arena; /* copies of the configuration */
    struct bg_aws_config cfg;
    struct bg_aws_client_opts opts;
    uint64_t prng;
    char errbuf[CURL_ERROR_SIZE];
};

struct sink {
    char *buf;
    size_t len, cap;
    bool too_big;
};

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

static void sleep_ms(void *ctx, long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};

    (void)ctx;
    nanosleep(&ts, NULL);
}

static size_t on_body(char *data, size_t size, size_t nmemb, void *userdata)
{
    struct sink *s = userdata;
    size_t n = size * nmemb;
    char *grown;

    if (s->len + n > BG_AWS_MAX_BODY) {
        s->too_big = true;
        return 0; /* makes curl fail the transfer with CURLE_WRITE_ERROR */
    }
    if (s->len + n + 1 > s->cap) {
        size_t cap = s->cap ? s->cap : 4096;

        while (cap < s->len + n + 1)
            cap *= 2;
        grown = realloc(s->buf, cap);
        if (grown == NULL)
            return 0;
        s->buf = grown;
        s->cap = cap;
    }
    memcpy(s->buf + s->len, data, n);
    s->len += n;
    s->buf[s->len] = '\0';
    return n;
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
    c->cfg.endpoint = dup_or_null(c->arena, cfg->endpoint);
    c->cfg.max_retries = cfg->max_retries < 0 ? 0 : cfg->max_retries;
    c->cfg.timeout_ms = cfg->timeout_ms > 0 ? cfg->timeout_ms : 30000;
}

static int build_headers(struct bg_aws_client *c)
{
    struct curl_slist *h;
    char *token;

    h = c->lib->slist_append(NULL, "Content-Type: application/x-www-form-urlencoded; "
                                   "charset=utf-8");
    if (h == NULL)
        return -1;
    c->headers = h;
    if (c->cfg.token == NULL)
        return 0;
    token = bg_arena_printf(c->arena, "X-Amz-Security-Token: %s", c->cfg.token);
    h = c->lib->slist_append(c->headers, token);
    if (h == NULL)
        return -1;
    c->headers = h;
    return 0;
}

static int set_options(struct bg_aws_client *c)
{
    const char *sigv4 = bg_arena_printf(c->arena, "aws:amz:%s:elasticloadbalancing", c->cfg.region);
    long connect_ms = c->cfg.timeout_ms < 10000 ? c->cfg.timeout_ms : 10000;
    CURLcode rc = CURLE_OK;

    rc |= c->lib->easy_setopt(c->curl, CURLOPT_URL,
                              bg_arena_printf(c->arena, "%s/", c->cfg.endpoint));
    rc |= c->lib->easy_setopt(c->curl, CURLOPT_PROTOCOLS_STR, "http,https");
    rc |= c->lib->easy_setopt(c->curl, CURLOPT_AWS_SIGV4, sigv4);
    rc |= c->lib->easy_setopt(c->curl, CURLOPT_USERNAME, c->cfg.access_key);
    rc |= c->lib->easy_setopt(c->curl, CURLOPT_PASSWORD, c->cfg.secret_key);
    rc |= c->lib->easy_setopt(c->curl, CURLOPT_HTTPHEADER, c->headers);
    rc |= c->lib->easy_setopt(c->curl, CURLOPT_TIMEOUT_MS, c->cfg.timeout_ms);
    rc |= c->lib->easy_setopt(c->curl, CURLOPT_CONNECTTIMEOUT_MS, connect_ms);
    rc |= c->lib->easy_setopt(c->curl, CURLOPT_NOSIGNAL, 1L); /* threads: no SIGALRM */
    rc |= c->lib->easy_setopt(c->curl, CURLOPT_ERRORBUFFER, c->errbuf);
    rc |= c->lib->easy_setopt(c->curl, CURLOPT_WRITEFUNCTION, on_body);
    rc |= c->lib->easy_setopt(c->curl, CURLOPT_USERAGENT, "terraform-provider-bluegreen");
    return rc == CURLE_OK ? 0 : -1;
}

static uint64_t default_seed(const void *c)
{
    return (uint64_t)time(NULL) ^ ((uint64_t)getpid() << 32) ^ (uint64_t)(uintptr_t)c;
}

int bg_aws_client_new(struct bg_aws_client **out, const struct bg_aws_config *cfg,
                      const struct bg_aws_client_opts *opts, struct bg_error *err)
{
    static const struct bg_aws_client_opts defaults = BG_AWS_CLIENT_OPTS_INIT;
    const struct bg_curl_api *lib;
    struct bg_aws_client *c;

    *out = NULL;
    if (cfg->region == NULL || cfg->access_key == NULL || cfg->secret_key == NULL ||
        cfg->endpoint == NULL)
        return bg_error_set(err, BG_EINVAL, "incomplete AWS configuration");
    lib = bg_lazy_curl(err);
    if (lib == NULL)
        return BG_EIO;
    /* reference counted and thread-safe since libcurl 7.84; paired in bg_aws_client_free */
    if (lib->global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
        return bg_error_set(err, BG_EIO, "curl_global_init failed");
    c = calloc(1, sizeof(*c));
    if (c == NULL) {
        lib->global_cleanup();
        return bg_error_set(err, BG_EIO, "out of memory");
    }
    c->lib = lib;
    c->arena = bg_arena_new();
    copy_config(c, cfg);
    c->opts = opts != NULL ? *opts : defaults;
    if (c->opts.sleep == NULL)
        c->opts.sleep = sleep_ms;
    c->prng = c->opts.seed != 0 ? c->opts.seed : default_seed(c);
    c->curl = c->lib->easy_init();
    if (c->curl == NULL || build_headers(c) != 0 || set_options(c) != 0) {
        bg_aws_client_free(c);
        return bg_error_set(err, BG_EIO, "cannot set up the HTTP client");
    }
    *out = c;
    return 0;
}

void bg_aws_client_free(struct bg_aws_client *c)
{
    const struct bg_curl_api *lib;

    if (c == NULL)
        return;
    lib = c->lib;
    c->lib->easy_cleanup(c->curl);
    c->lib->slist_free_all(c->headers);
    /* the secret and the token live in the arena: wipe them before giving memory back */
    if (c->cfg.secret_key != NULL)
        explicit_bzero((char *)c->cfg.secret_key, strlen(c->cfg.secret_key));
    if (c->cfg.token != NULL)
        explicit_bzero((char *)c->cfg.token, strlen(c->cfg.token));
    bg_arena_free(c->arena);
    free(c);
    lib->global_cleanup();
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
    char *body = bg_arena_printf(a, "Action=%s&Version=2015-12-01", encode(a, req->action));

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

static bool transient_network(CURLcode rc)
{
    switch (rc) {
    case CURLE_COULDNT_CONNECT:
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_OPERATION_TIMEDOUT:
    case CURLE_SEND_ERROR:
    case CURLE_RECV_ERROR:
    case CURLE_GOT_NOTHING:
    case CURLE_PARTIAL_FILE:
    case CURLE_SSL_CONNECT_ERROR:
        return true;
    default:
        return false;
    }
}

/* An HTTP answer that is not 2xx: "<Code>: <Message> (HTTP n)" and whether to retry. */
static int http_failure(struct bg_aws_client *c, struct bg_arena *a, long status,
                        const struct sink *s, bool *retry, struct bg_error *err)
{
    struct bg_aws_api_error e;
    size_t n;
    int code;

    if (bg_aws_parse_error(&e, a, s->buf, s->len, NULL) != 0) {
        *retry = bg_aws_should_retry(status, "");
        return bg_error_set(err, status >= 500 ? BG_EIO : BG_EPROTO,
                            "HTTP %ld from %s without an AWS error document", status,
                            c->cfg.endpoint);
    }
    *retry = bg_aws_should_retry(status, e.code);
    n = strlen(e.code);
    if (n >= 8 && strcmp(e.code + n - 8, "NotFound") == 0)
        code = BG_ENOTFOUND;
    else if (status >= 400 && status < 500)
        code = BG_EINVAL;
    else
        code = BG_EPROTO;
    return bg_error_set(err, code, "%s: %s (HTTP %ld)", e.code, e.message, status);
}

static int attempt(struct bg_aws_response *r, struct bg_aws_client *c, struct bg_arena *a,
                   const char *body, bool *retry, struct bg_error *err)
{
    struct sink s = {NULL, 0, 0, false};
    CURLcode rc;
    int ret = 0;

    *retry = false;
    c->errbuf[0] = '\0';
    c->lib->easy_setopt(c->curl, CURLOPT_POSTFIELDS, body);
    c->lib->easy_setopt(c->curl, CURLOPT_POSTFIELDSIZE, (long)strlen(body));
    c->lib->easy_setopt(c->curl, CURLOPT_WRITEDATA, &s);
    rc = c->lib->easy_perform(c->curl);
    r->status = 0;
    c->lib->easy_getinfo(c->curl, CURLINFO_RESPONSE_CODE, &r->status);
    r->body = bg_arena_strndup(a, s.buf ? s.buf : "", s.len);
    r->len = s.len;
    if (s.too_big) {
        ret = bg_error_set(err, BG_ELIMIT, "AWS answer from %s exceeds %u bytes", c->cfg.endpoint,
                           BG_AWS_MAX_BODY);
    } else if (rc != CURLE_OK) {
        *retry = transient_network(rc);
        ret = bg_error_set(err, BG_EIO, "POST %s: %s%s%s", c->cfg.endpoint,
                           c->lib->easy_strerror(rc), c->errbuf[0] ? ": " : "", c->errbuf);
    } else if (r->status < 200 || r->status > 299) {
        ret = http_failure(c, a, r->status, &s, retry, err);
    }
    free(s.buf);
    return ret;
}

int bg_aws_client_call(struct bg_aws_response *out, struct bg_aws_client *c, struct bg_arena *a,
                       const struct bg_aws_request *req, struct bg_error *err)
{
    struct bg_aws_response local;
    struct bg_aws_response *r = out != NULL ? out : &local;
    const char *body = bg_aws_query_body(a, req);
    struct bg_error why = BG_ERROR_INIT;
    bool retry = false;
    long delay;
    int rc = 0;

    memset(r, 0, sizeof(*r));
    for (int i = 0; i <= c->cfg.max_retries; i++) {
        r->attempts = i + 1;
        rc = attempt(r, c, a, body, &retry, &why);
        if (rc == 0 || !retry || i == c->cfg.max_retries)
            break;
        delay = bg_aws_backoff_ms(&c->prng, &c->opts, i);
        if (c->opts.on_retry != NULL)
            c->opts.on_retry(c->opts.sleep_ctx, req->action, i + 1, delay, &why);
        c->opts.sleep(c->opts.sleep_ctx, delay);
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
