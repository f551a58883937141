/* client.c - unit tests for src/http/client.c against the scripted server on 127.0.0.1. */
#include <criterion/criterion.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "bluegreen/http.h"
#include "support/http_server.h"

struct fixture {
    struct test_server server;
    struct bg_http_client *client;
    struct bg_arena *arena;
    struct bg_error err;
    char url[96];
};

static void setup(struct fixture *f, const struct test_reply *r, size_t n,
                  const struct bg_http_opts *opts)
{
    memset(f, 0, sizeof(*f));
    cr_assert_eq(test_server_start(&f->server, r, n), 0);
    snprintf(f->url, sizeof(f->url), "http://127.0.0.1:%d/api/v1/x?y=1", f->server.port);
    cr_assert_eq(bg_http_client_new(&f->client, opts, &f->err), 0, "%s", f->err.msg);
    f->arena = bg_arena_new();
}

static void teardown(struct fixture *f)
{
    bg_http_client_free(f->client);
    test_server_free(&f->server);
    bg_arena_free(f->arena);
}

static double now_s(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

Test(http_client, sends_method_headers_and_body_and_keeps_the_answer_headers)
{
    const struct test_reply r[] = {
        {201, "{\"ok\":true}", 0, 0, "X-Request-Id: abc\r\nRetry-After: 3\r\n"}};
    const struct bg_http_header h[] = {{"Authorization", "Bearer t0k"},
                                       {"Content-Type", "application/merge-patch+json"}};
    struct bg_http_request req = {
        .method = "PATCH", .headers = h, .n_headers = 2, .body = "{\"spec\":{}}", .body_len = 11};
    struct bg_http_response resp;
    struct fixture f;
    char v[128];

    setup(&f, r, 1, NULL);
    req.url = f.url;
    cr_assert_eq(bg_http_do(&resp, f.client, f.arena, &req, &f.err), 0, "%s", f.err.msg);
    cr_expect_eq(resp.status, 201);
    cr_expect_str_eq(resp.body, "{\"ok\":true}");
    cr_expect_str_eq(bg_http_header(&resp, "x-request-id"), "abc");
    cr_expect_str_eq(bg_http_header(&resp, "RETRY-AFTER"), "3");
    cr_expect_str_eq(bg_http_header(&resp, "content-type"), "text/xml");
    cr_expect_null(bg_http_header(&resp, "X-Absent"));
    cr_expect(strncmp(f.server.requests[0], "PATCH /api/v1/x?y=1 HTTP/1.1", 28) == 0);
    cr_expect_eq(test_header(f.server.requests[0], "Authorization", v, sizeof(v)), 0);
    cr_expect_str_eq(v, "Bearer t0k");
    cr_expect_str_eq(test_body(f.server.requests[0]), "{\"spec\":{}}");
    teardown(&f);
}

Test(http_client, reuses_the_connection_and_forgets_the_previous_request_options)
{
    const struct test_reply r[] = {{200, "a", 0, 0, NULL}, {204, NULL, 0, 0, NULL}};
    const struct bg_http_header h[] = {{"X-Only-First", "1"}};
    struct bg_http_request first = {
        .method = "PUT", .headers = h, .n_headers = 1, .body = "x", .body_len = 1};
    struct bg_http_request second = {.method = "GET"};
    struct bg_http_response resp;
    struct fixture f;
    char v[16];

    setup(&f, r, 2, NULL);
    first.url = second.url = f.url;
    cr_assert_eq(bg_http_do(&resp, f.client, f.arena, &first, &f.err), 0, "%s", f.err.msg);
    cr_assert_eq(bg_http_do(&resp, f.client, f.arena, &second, &f.err), 0, "%s", f.err.msg);
    cr_expect_eq(resp.status, 204);
    cr_expect_str_eq(resp.body, "");
    cr_expect_eq(f.server.accepted, 1, "one kept-alive connection");
    cr_expect(strncmp(f.server.requests[1], "GET /api", 8) == 0, "%s", f.server.requests[1]);
    cr_expect_neq(test_header(f.server.requests[1], "X-Only-First", v, sizeof(v)), 0);
    teardown(&f);
}

struct stopper {
    atomic_bool *flag;
    long after_ms;
};

static void *stop_later(void *arg)
{
    struct stopper *s = arg;
    struct timespec ts = {s->after_ms / 1000, (s->after_ms % 1000) * 1000000L};

    nanosleep(&ts, NULL);
    atomic_store(s->flag, true);
    return NULL;
}

Test(http_client, aborts_a_transfer_the_peer_never_answers_when_stop_is_set)
{
    const struct test_reply r[] = {{0, NULL, 0, 1, NULL}};
    struct bg_http_opts opts = BG_HTTP_OPTS_INIT;
    struct bg_http_request req = {.method = "GET"};
    struct bg_http_response resp;
    struct stopper s;
    atomic_bool stop;
    struct fixture f;
    pthread_t t;
    double t0;

    atomic_init(&stop, false);
    opts.stop = &stop;
    opts.timeout_ms = 60000;
    opts.low_speed_seconds = 60;
    setup(&f, r, 1, &opts);
    req.url = f.url;
    s = (struct stopper){&stop, 300};
    pthread_create(&t, NULL, stop_later, &s);
    t0 = now_s();
    cr_expect_eq(bg_http_do(&resp, f.client, f.arena, &req, &f.err), BG_ECANCELED);
    /* libcurl calls the progress callback at least once a second: well under the 60 s */
    cr_expect_lt(now_s() - t0, 5.0, "took %.1f s", now_s() - t0);
    cr_expect(strstr(f.err.msg, "stopped") != NULL, "%s", f.err.msg);
    pthread_join(t, NULL);
    /* once set, nothing more is sent */
    cr_expect_eq(bg_http_do(&resp, f.client, f.arena, &req, &f.err), BG_ECANCELED);
    cr_expect_eq(f.server.served, 1);
    teardown(&f);
}

Test(http_client, detects_a_stalled_answer_by_its_speed_not_only_the_total_timeout)
{
    const struct test_reply r[] = {{0, NULL, 0, 1, NULL}};
    struct bg_http_opts opts = BG_HTTP_OPTS_INIT;
    struct bg_http_request req = {.method = "GET"};
    struct bg_http_response resp;
    struct fixture f;
    double t0;

    opts.timeout_ms = 120000;
    opts.low_speed_seconds = 1;
    setup(&f, r, 1, &opts);
    req.url = f.url;
    t0 = now_s();
    cr_expect_eq(bg_http_do(&resp, f.client, f.arena, &req, &f.err), BG_EIO);
    cr_expect_lt(now_s() - t0, 30.0, "took %.1f s", now_s() - t0);
    cr_expect(strstr(f.err.msg, "too slow") != NULL, "%s", f.err.msg);
    cr_expect(resp.transient, "a stall is worth a retry");
    cr_expect(strstr(f.err.msg, "/api") == NULL, "no path in messages: %s", f.err.msg);
    teardown(&f);
}

Test(http_client, refuses_an_answer_larger_than_max_body)
{
    static char big[8193];
    const struct test_reply r[] = {{200, big, 0, 0, NULL}};
    struct bg_http_request req = {.method = "GET", .max_body = 4096};
    struct bg_http_response resp;
    struct fixture f;

    memset(big, 'a', sizeof(big) - 1);
    setup(&f, r, 1, NULL);
    req.url = f.url;
    cr_expect_eq(bg_http_do(&resp, f.client, f.arena, &req, &f.err), BG_ELIMIT);
    cr_expect(strstr(f.err.msg, "4096") != NULL, "%s", f.err.msg);
    teardown(&f);
}

Test(http_client, refuses_urls_that_are_not_http)
{
    struct bg_http_request req = {.method = "GET", .url = "file:///etc/passwd"};
    struct bg_http_client *c = NULL;
    struct bg_arena *a = bg_arena_new();
    struct bg_http_response resp;
    struct bg_error err = BG_ERROR_INIT;

    cr_assert_eq(bg_http_client_new(&c, NULL, &err), 0, "%s", err.msg);
    cr_expect_eq(bg_http_do(&resp, c, a, &req, &err), BG_EINVAL);
    bg_http_client_free(c);
    bg_arena_free(a);
}

Test(http_client, reports_a_refused_connection_as_transient_naming_only_the_host)
{
    struct bg_http_request req = {.method = "GET", .url = "http://127.0.0.1:1/secret?token=x"};
    struct bg_http_client *c = NULL;
    struct bg_arena *a = bg_arena_new();
    struct bg_http_response resp;
    struct bg_error err = BG_ERROR_INIT;

    cr_assert_eq(bg_http_client_new(&c, NULL, &err), 0, "%s", err.msg);
    cr_expect_eq(bg_http_do(&resp, c, a, &req, &err), BG_EIO);
    cr_expect(resp.transient);
    cr_expect(strstr(err.msg, "127.0.0.1:1") != NULL, "%s", err.msg);
    cr_expect(strstr(err.msg, "token") == NULL, "%s", err.msg);
    bg_http_client_free(c);
    bg_arena_free(a);
}
