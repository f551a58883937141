/*
 * http.h - one HTTP(S) client for everything the provider talks to: AWS APIs (signed with
 * SigV4 by the aws module on top of this), instance metadata and container credential
 * endpoints, Kubernetes API servers.
 *
 * Every transfer can be cut short: by the stop flag (StopProvider, or terraform gone), checked
 * by libcurl's progress callback at least once a second whatever the peer does; by a stall
 * (fewer than low_speed_bytes per second for low_speed_seconds); and by a total timeout.
 * TLS is always verified; a private CA, a client certificate and key can be given as PEM in
 * memory (never written to disk).
 *
 * Threads: a struct bg_http_client owns one libcurl easy handle (and its kept-alive
 * connections); use it from one thread at a time. libcurl is loaded on first use
 * (include/bluegreen/lazy.h).
 */
#ifndef BLUEGREEN_HTTP_H
#define BLUEGREEN_HTTP_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>

#include "arena.h"
#include "common.h"

#define BG_HTTP_MAX_BODY    (4u << 20) /* default bound of an answer's body */
#define BG_HTTP_MAX_HEADERS 64         /* response headers kept (the rest are dropped) */

struct bg_http_opts {
    long timeout_ms;         /* whole transfer; <= 0: 30000 */
    long connect_timeout_ms; /* <= 0: min(timeout_ms, 10000) */
    long low_speed_bytes;    /* a transfer slower than this many bytes/s ... (<= 0: 1) */
    long low_speed_seconds;  /* ... for this many seconds is a stall (<= 0: 10) */
    const atomic_bool *stop; /* when it becomes true, transfers abort; NULL: never */
    const char *user_agent;  /* NULL: "terraform-provider-bluegreen" */
};

#define BG_HTTP_OPTS_INIT                                                                          \
    {                                                                                              \
        0, 0, 0, 0, NULL, NULL                                                                     \
    }

struct bg_http_header {
    const char *name;
    const char *value;
};

/* libcurl's built-in AWS Signature Version 4: it signs host, x-amz-date and every header
 * the request sets itself (so X-Amz-Security-Token is signed, as STS requires). */
struct bg_http_sigv4 {
    const char *provider; /* "aws:amz:<region>:<signing name>" */
    const char *access_key;
    const char *secret_key;
};

struct bg_http_tls {
    const char *ca_pem;          /* trust only these CAs; NULL: the system store */
    const char *client_cert_pem; /* with client_key_pem: present a client certificate */
    const char *client_key_pem;
};

struct bg_http_request {
    const char *method; /* "GET", "POST", "PUT", "PATCH", "DELETE" */
    const char *url;    /* http:// or https:// only */
    const struct bg_http_header *headers;
    size_t n_headers;
    const char *body; /* may be NULL (no body) */
    size_t body_len;
    const struct bg_http_sigv4 *sigv4; /* NULL: not signed */
    const struct bg_http_tls *tls;     /* NULL: system CAs, no client certificate */
    size_t max_body;                   /* 0: BG_HTTP_MAX_BODY */
    long timeout_ms;                   /* > 0: overrides the client's for this request */
};

struct bg_http_response {
    long status; /* 0 when no answer arrived */
    char *body;  /* NUL-terminated, from the arena; "" when empty */
    size_t len;
    struct bg_http_header headers[BG_HTTP_MAX_HEADERS]; /* of the final answer, arena */
    size_t n_headers;
    bool transient; /* on a transport error: worth retrying (refused, reset, timeout) */
};

struct bg_http_client;

/* opts may be NULL for the defaults (copied). BG_EIO when libcurl cannot be loaded (the
 * message names the library and package). Free with bg_http_client_free. */
int bg_http_client_new(struct bg_http_client **out, const struct bg_http_opts *opts,
                       struct bg_error *err);
void bg_http_client_free(struct bg_http_client *c); /* NULL allowed */

/* Replaces the stop flag (e.g. per borrowing call); NULL: never stop. */
void bg_http_client_set_stop(struct bg_http_client *c, const atomic_bool *stop);

/* Performs one request; any status is success at this level (out->status says it).
 * Errors: BG_ECANCELED when the stop flag cut it short; BG_ELIMIT when the body exceeds
 * max_body; BG_EIO for transport failures (refused, reset, DNS, TLS verification, timeout,
 * stall: the message says which and names the host, never a header value), with
 * out->transient set where retrying may help; BG_EINVAL for a URL that is not http(s).
 * out is filled as far as the transfer got, also on error. */
int bg_http_do(struct bg_http_response *out, struct bg_http_client *c, struct bg_arena *a,
               const struct bg_http_request *req, struct bg_error *err);

/* Value of a response header (case-insensitive name), NULL when absent. */
const char *bg_http_header(const struct bg_http_response *r, const char *name);

#endif
