/*
 * http_server.h - a tiny scripted HTTP/1.1 server on 127.0.0.1 for the unit tests. It answers
 * requests in order from a reply table (keep-alive, Content-Length framing) and records
 * every request it saw, so tests check what the client really sent.
 */
#ifndef BG_TEST_SUPPORT_HTTP_SERVER_H
#define BG_TEST_SUPPORT_HTTP_SERVER_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>

#define TEST_SERVER_MAX 16

struct test_reply {
    int status;
    const char *body;    /* NULL: "" */
    int drop;            /* close the connection without answering */
    int hang;            /* read the request, then never answer (until the server stops) */
    const char *headers; /* extra header lines, each ending "\r\n"; NULL: none */
};

struct test_server {
    int fd, port;
    pthread_t thread;
    atomic_bool stop;
    const struct test_reply *replies;
    size_t n_replies;
    size_t served;                   /* requests answered (or dropped) */
    size_t accepted;                 /* connections accepted */
    char *requests[TEST_SERVER_MAX]; /* raw header block + body, malloc'd */
};

/* Listens on 127.0.0.1:<ephemeral> and serves replies in order; after the table is used up
 * every request gets 500. Returns 0 or -1. */
int test_server_start(struct test_server *s, const struct test_reply *replies, size_t n);

/* Stops the thread (idempotent); recorded requests stay readable. */
void test_server_stop(struct test_server *s);

/* Stops if needed and frees the recorded requests. */
void test_server_free(struct test_server *s);

/* The value of header name (case-insensitive) in a recorded request, copied into out. */
int test_header(const char *request, const char *name, char *out, size_t out_size);

/* The body of a recorded request (after the blank line). */
const char *test_body(const char *request);

#endif
