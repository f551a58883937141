/*
 * client.c - the HTTP(S) client (include/bluegreen/http.h) on a lazily loaded libcurl.
 *
 * The easy handle is reset before every request (curl_easy_reset keeps the connection
 * cache, so a walk's few hundred requests to one host share one TLS connection) and every
 * option is set again from the request: nothing one request set can leak into the next.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "bluegreen/http.h"
#include "bluegreen/lazy.h"

struct bg_http_client {
    const struct bg_curl_api *lib;
    CURL *curl;
    struct bg_http_opts opts;
    char errbuf[CURL_ERROR_SIZE];
};

/* What the callbacks of one transfer write into. */
struct transfer {
    struct bg_http_client *c;
    struct bg_http_response *r;
    struct bg_arena *a;
    char *buf; /* malloc'd body, grown by doubling */
    size_t len, cap, max;
    bool too_big, stopped;
};

int bg_http_client_new(struct bg_http_client **out, const struct bg_http_opts *opts,
                       struct bg_error *err)
{
    static const struct bg_http_opts defaults = BG_HTTP_OPTS_INIT;
    const struct bg_curl_api *lib = bg_lazy_curl(err);
    struct bg_http_client *c;

    *out = NULL;
    if (lib == NULL)
        return BG_EIO;
    /* reference counted and thread-safe since libcurl 7.84; paired in bg_http_client_free */
    if (lib->global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
        return bg_error_set(err, BG_EIO, "curl_global_init failed");
    c = calloc(1, sizeof(*c));
    if (c != NULL)
        c->curl = lib->easy_init();
    if (c == NULL || c->curl == NULL) {
        free(c);
        lib->global_cleanup();
        return bg_error_set(err, BG_EIO, "cannot set up an HTTP client");
    }
    c->lib = lib;
    c->opts = opts != NULL ? *opts : defaults;
    if (c->opts.timeout_ms <= 0)
        c->opts.timeout_ms = 30000;
    if (c->opts.connect_timeout_ms <= 0)
        c->opts.connect_timeout_ms = c->opts.timeout_ms < 10000 ? c->opts.timeout_ms : 10000;
    if (c->opts.low_speed_bytes <= 0)
        c->opts.low_speed_bytes = 1;
    if (c->opts.low_speed_seconds <= 0)
        c->opts.low_speed_seconds = 10;
    if (c->opts.user_agent == NULL)
        c->opts.user_agent = "terraform-provider-bluegreen";
    *out = c;
    return 0;
}

void bg_http_client_free(struct bg_http_client *c)
{
    const struct bg_curl_api *lib;

    if (c == NULL)
        return;
    lib = c->lib;
    lib->easy_cleanup(c->curl);
    free(c);
    lib->global_cleanup();
}

void bg_http_client_set_stop(struct bg_http_client *c, const atomic_bool *stop)
{
    c->opts.stop = stop;
}

static size_t on_body(char *data, size_t size, size_t nmemb, void *userdata)
{
    struct transfer *t = userdata;
    size_t n = size * nmemb;
    char *grown;

    if (t->len + n > t->max) {
        t->too_big = true;
        return 0; /* makes curl fail the transfer with CURLE_WRITE_ERROR */
    }
    if (t->len + n + 1 > t->cap) {
        size_t cap = t->cap ? t->cap : 4096;

        while (cap < t->len + n + 1)
            cap *= 2;
        grown = realloc(t->buf, cap);
        if (grown == NULL)
            return 0;
        t->buf = grown;
        t->cap = cap;
    }
    memcpy(t->buf + t->len, data, n);
    t->len += n;
    return n;
}

/* One header line ("Name: value\r\n"); a status line starts a new answer (after a 100 or a
 * redirect), so only the final answer's headers are kept. */
static size_t on_header(char *data, size_t size, size_t nmemb, void *userdata)
{
    struct transfer *t = userdata;
    size_t n = size * nmemb, k = n;
    const char *colon = memchr(data, ':', n);
    struct bg_http_header *h;

    if (n >= 5 && strncmp(data, "HTTP/", 5) == 0) {
        t->r->n_headers = 0;
        return n;
    }
    if (colon == NULL || t->r->n_headers == BG_HTTP_MAX_HEADERS)
        return n;
    while (k > 0 && (data[k - 1] == '\r' || data[k - 1] == '\n' || data[k - 1] == ' '))
        k--;
    h = &t->r->headers[t->r->n_headers++];
    h->name = bg_arena_strndup(t->a, data, (size_t)(colon - data));
    colon++;
    while (colon < data + k && (*colon == ' ' || *colon == '\t'))
        colon++;
    h->value =
        bg_arena_strndup(t->a, colon, k > (size_t)(colon - data) ? k - (size_t)(colon - data) : 0);
    return n;
}

/* Called by libcurl at least once a second during the whole transfer, connect included. */
static int on_progress(void *userdata, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal,
                       curl_off_t ulnow)
{
    struct transfer *t = userdata;

    (void)dltotal, (void)dlnow, (void)ultotal, (void)ulnow;
    if (t->c->opts.stop != NULL && atomic_load(t->c->opts.stop)) {
        t->stopped = true;
        return 1; /* CURLE_ABORTED_BY_CALLBACK */
    }
    return 0;
}

const char *bg_http_header(const struct bg_http_response *r, const char *name)
{
    for (size_t i = 0; i < r->n_headers; i++) {
        if (strcasecmp(r->headers[i].name, name) == 0)
            return r->headers[i].value;
    }
    return NULL;
}

static struct curl_slist *build_headers(const struct bg_curl_api *lib,
                                        const struct bg_http_request *req, struct bg_arena *a,
                                        bool *failed)
{
    struct curl_slist *list = NULL, *grown;

    *failed = false;
    for (size_t i = 0; i < req->n_headers; i++) {
        /* "Name;" is libcurl's way to send a header with an empty value */
        const char *line =
            req->headers[i].value[0] != '\0'
                ? bg_arena_printf(a, "%s: %s", req->headers[i].name, req->headers[i].value)
                : bg_arena_printf(a, "%s;", req->headers[i].name);

        grown = lib->slist_append(list, line);
        if (grown == NULL) {
            *failed = true;
            return list;
        }
        list = grown;
    }
    return list;
}

static CURLcode set_blob(const struct bg_curl_api *lib, CURL *h, CURLoption opt, const char *pem)
{
    struct curl_blob blob = {(void *)pem, strlen(pem), CURL_BLOB_COPY};

    return lib->easy_setopt(h, opt, &blob);
}

static CURLcode set_tls(struct bg_http_client *c, const struct bg_http_tls *tls)
{
    CURLcode rc = CURLE_OK;

    if (tls == NULL)
        return CURLE_OK;
    if (tls->ca_pem != NULL)
        rc |= set_blob(c->lib, c->curl, CURLOPT_CAINFO_BLOB, tls->ca_pem);
    if (tls->client_cert_pem != NULL && tls->client_key_pem != NULL) {
        rc |= set_blob(c->lib, c->curl, CURLOPT_SSLCERT_BLOB, tls->client_cert_pem);
        rc |= c->lib->easy_setopt(c->curl, CURLOPT_SSLCERTTYPE, "PEM");
        rc |= set_blob(c->lib, c->curl, CURLOPT_SSLKEY_BLOB, tls->client_key_pem);
        rc |= c->lib->easy_setopt(c->curl, CURLOPT_SSLKEYTYPE, "PEM");
    }
    return rc;
}

static CURLcode set_method(struct bg_http_client *c, const struct bg_http_request *req)
{
    const struct bg_curl_api *lib = c->lib;
    CURLcode rc = CURLE_OK;

    if (req->body != NULL) {
        rc |= lib->easy_setopt(c->curl, CURLOPT_POSTFIELDS, req->body);
        rc |= lib->easy_setopt(c->curl, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)req->body_len);
    }
    if (strcmp(req->method, "GET") == 0 && req->body == NULL)
        rc |= lib->easy_setopt(c->curl, CURLOPT_HTTPGET, 1L);
    else if (strcmp(req->method, "POST") != 0 || req->body == NULL)
        rc |= lib->easy_setopt(c->curl, CURLOPT_CUSTOMREQUEST, req->method);
    return rc;
}

static CURLcode set_limits(struct bg_http_client *c, const struct bg_http_request *req)
{
    const struct bg_curl_api *lib = c->lib;
    long timeout = req->timeout_ms > 0 ? req->timeout_ms : c->opts.timeout_ms;
    long connect = c->opts.connect_timeout_ms < timeout ? c->opts.connect_timeout_ms : timeout;
    CURLcode rc = CURLE_OK;

    rc |= lib->easy_setopt(c->curl, CURLOPT_TIMEOUT_MS, timeout);
    rc |= lib->easy_setopt(c->curl, CURLOPT_CONNECTTIMEOUT_MS, connect);
    rc |= lib->easy_setopt(c->curl, CURLOPT_LOW_SPEED_LIMIT, c->opts.low_speed_bytes);
    rc |= lib->easy_setopt(c->curl, CURLOPT_LOW_SPEED_TIME, c->opts.low_speed_seconds);
    rc |= lib->easy_setopt(c->curl, CURLOPT_NOSIGNAL, 1L); /* threads: no SIGALRM */
    return rc;
}

static CURLcode set_options(struct bg_http_client *c, const struct bg_http_request *req,
                            struct curl_slist *headers, struct transfer *t)
{
    const struct bg_curl_api *lib = c->lib;
    CURLcode rc = CURLE_OK;

    lib->easy_reset(c->curl);
    rc |= lib->easy_setopt(c->curl, CURLOPT_URL, req->url);
    rc |= lib->easy_setopt(c->curl, CURLOPT_PROTOCOLS_STR, "http,https");
    rc |= lib->easy_setopt(c->curl, CURLOPT_USERAGENT, c->opts.user_agent);
    rc |= lib->easy_setopt(c->curl, CURLOPT_ERRORBUFFER, c->errbuf);
    rc |= lib->easy_setopt(c->curl, CURLOPT_HTTPHEADER, headers);
    rc |= lib->easy_setopt(c->curl, CURLOPT_WRITEFUNCTION, on_body);
    rc |= lib->easy_setopt(c->curl, CURLOPT_WRITEDATA, t);
    rc |= lib->easy_setopt(c->curl, CURLOPT_HEADERFUNCTION, on_header);
    rc |= lib->easy_setopt(c->curl, CURLOPT_HEADERDATA, t);
    rc |= lib->easy_setopt(c->curl, CURLOPT_NOPROGRESS, 0L);
    rc |= lib->easy_setopt(c->curl, CURLOPT_XFERINFOFUNCTION, on_progress);
    rc |= lib->easy_setopt(c->curl, CURLOPT_XFERINFODATA, t);
    rc |= set_limits(c, req);
    rc |= set_method(c, req);
    rc |= set_tls(c, req->tls);
    if (req->sigv4 != NULL) {
        rc |= lib->easy_setopt(c->curl, CURLOPT_AWS_SIGV4, req->sigv4->provider);
        rc |= lib->easy_setopt(c->curl, CURLOPT_USERNAME, req->sigv4->access_key);
        rc |= lib->easy_setopt(c->curl, CURLOPT_PASSWORD, req->sigv4->secret_key);
    }
    return rc;
}

static bool transient(CURLcode rc)
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

/* The host part of url, for messages: never the path or query, which may carry secrets. */
static const char *host_of(struct bg_arena *a, const char *url)
{
    const char *p = strstr(url, "://"), *end;

    p = p != NULL ? p + 3 : url;
    end = p + strcspn(p, "/?#");
    return bg_arena_printf(a, "%.*s", (int)(end - p), p);
}

static int transfer_error(struct transfer *t, const struct bg_http_request *req, CURLcode rc,
                          struct bg_error *err)
{
    struct bg_http_client *c = t->c;
    const char *host = host_of(t->a, req->url);

    if (t->stopped)
        return bg_error_set(err, BG_ECANCELED,
                            "%s %s: stopped on request (Ctrl-C or StopProvider) before an answer",
                            req->method, host);
    if (t->too_big)
        return bg_error_set(err, BG_ELIMIT, "answer from %s exceeds %zu bytes", host, t->max);
    t->r->transient = transient(rc);
    /* libcurl reports a stall (LOW_SPEED) and a timeout with the same code; its message
     * says which ("Operation too slow" or "Operation timed out"). */
    return bg_error_set(err, BG_EIO, "%s %s: %s%s%s", req->method, host, c->lib->easy_strerror(rc),
                        c->errbuf[0] ? ": " : "", c->errbuf);
}

int bg_http_do(struct bg_http_response *out, struct bg_http_client *c, struct bg_arena *a,
               const struct bg_http_request *req, struct bg_error *err)
{
    struct transfer t = {c, out, a, NULL, 0, 0, 0, false, false};
    struct curl_slist *headers;
    bool failed;
    CURLcode rc;
    int ret = 0;

    memset(out, 0, sizeof(*out));
    out->body = "";
    if (strncmp(req->url, "https://", 8) != 0 && strncmp(req->url, "http://", 7) != 0)
        return bg_error_set(err, BG_EINVAL, "URL must start with https:// or http://");
    if (c->opts.stop != NULL && atomic_load(c->opts.stop))
        return bg_error_set(err, BG_ECANCELED, "%s %s: stopped on request (Ctrl-C or StopProvider)",
                            req->method, host_of(a, req->url));
    t.max = req->max_body > 0 ? req->max_body : BG_HTTP_MAX_BODY;
    c->errbuf[0] = '\0';
    headers = build_headers(c->lib, req, a, &failed);
    if (failed || set_options(c, req, headers, &t) != CURLE_OK) {
        ret = bg_error_set(err, BG_EIO, "cannot set up the HTTP request");
        goto done;
    }
    rc = c->lib->easy_perform(c->curl);
    c->lib->easy_getinfo(c->curl, CURLINFO_RESPONSE_CODE, &out->status);
    out->body = bg_arena_strndup(a, t.buf != NULL ? t.buf : "", t.len);
    out->len = t.len;
    if (rc != CURLE_OK)
        ret = transfer_error(&t, req, rc, err);
done:
    /* the handle keeps pointers to the list until the next reset: drop them first */
    c->lib->easy_setopt(c->curl, CURLOPT_HTTPHEADER, NULL);
    c->lib->slist_free_all(headers);
    free(t.buf);
    return ret;
}
