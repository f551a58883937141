/* http.c - unit tests for src/aws/http.c: body encoding, retry policy, SigV4 on the wire. */
#include <criterion/criterion.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/sha.h>
#include <stdio.h>
#include <string.h>

#include "aws/internal.h"
#include "support/http_server.h"

static const char throttled[] =
    "<ErrorResponse xmlns=\"http://elasticloadbalancing.amazonaws.com/doc/2015-12-01/\">"
    "<Error><Type>Sender</Type><Code>Throttling</Code><Message>Rate exceeded</Message></Error>"
    "<RequestId>r-1</RequestId></ErrorResponse>";
static const char not_found[] =
    "<ErrorResponse><Error><Type>Sender</Type><Code>TargetGroupNotFound</Code>"
    "<Message>One or more target groups not found</Message></Error></ErrorResponse>";
static const char ok_body[] = "<DescribeTargetHealthResponse><DescribeTargetHealthResult/>"
                              "</DescribeTargetHealthResponse>";

struct sleeps {
    long ms[16];
    int n;
    int retries;
    char why[512];
};

static void record_retry(void *ctx, const char *action, int retry, long delay_ms,
                         const struct bg_error *why)
{
    struct sleeps *s = ctx;

    cr_expect_str_eq(action, "DescribeTargetHealth");
    cr_expect_eq(retry, s->retries + 1);
    cr_expect_geq(delay_ms, 0);
    s->retries++;
    snprintf(s->why, sizeof(s->why), "%s", why->msg);
}

static void record_sleep(void *ctx, long ms)
{
    struct sleeps *s = ctx;

    if (s->n < 16)
        s->ms[s->n] = ms;
    s->n++;
}

struct fixture {
    struct test_server server;
    struct bg_aws_client *client;
    struct bg_arena *arena;
    struct sleeps sleeps;
    struct bg_error err;
};

static void setup(struct fixture *f, const struct test_reply *r, size_t n, const char *token,
                  int max_retries)
{
    struct bg_aws_client_opts opts = BG_AWS_CLIENT_OPTS_INIT;
    struct bg_aws_config cfg = {.region = "us-east-1",
                                .access_key = "AKIDEXAMPLE",
                                .secret_key = "s3cr3t/Key+",
                                .token = token,
                                .profile = "default",
                                .max_retries = max_retries,
                                .timeout_ms = 5000};
    char endpoint[64];

    memset(f, 0, sizeof(*f));
    cr_assert_eq(test_server_start(&f->server, r, n), 0);
    snprintf(endpoint, sizeof(endpoint), "http://127.0.0.1:%d", f->server.port);
    for (int i = 0; i < BG_AWS_NSERVICES; i++)
        cfg.endpoints[i] = endpoint; /* never a real AWS host from a unit test */
    opts.sleep = record_sleep;
    opts.sleep_ctx = &f->sleeps;
    opts.on_retry = record_retry;
    opts.seed = 42;
    cr_assert_eq(bg_aws_client_new(&f->client, &cfg, &opts, &f->err), 0, "%s", f->err.msg);
    f->arena = bg_arena_new();
}

static void teardown(struct fixture *f)
{
    bg_aws_client_free(f->client);
    test_server_free(&f->server);
    bg_arena_free(f->arena);
}

static int call(struct fixture *f, struct bg_aws_response *r)
{
    static const struct bg_aws_param p[] = {{"TargetGroupArn", "arn:aws:x"}};
    const struct bg_aws_request req = {
        .action = "DescribeTargetHealth", .params = p, .n_params = 1, .service = BG_AWS_ELBV2};

    return bg_aws_client_call(r, f->client, f->arena, &req, &f->err);
}

Test(aws_http, builds_a_percent_encoded_query_body)
{
    struct bg_arena *a = bg_arena_new();
    const struct bg_aws_param p[] = {
        {"TargetGroupArn", "arn:aws:elasticloadbalancing:us-east-1:1:targetgroup/tg/ab"},
        {"Targets.member.1.Id", "i-1 &=+/~é"},
    };
    const struct bg_aws_request req = {
        .action = "RegisterTargets", .params = p, .n_params = 2, .service = BG_AWS_ELBV2};

    cr_expect_str_eq(bg_aws_query_body(a, &req),
                     "Action=RegisterTargets&Version=2015-12-01"
                     "&TargetGroupArn=arn%3Aaws%3Aelasticloadbalancing%3Aus-east-1%3A1%3A"
                     "targetgroup%2Ftg%2Fab"
                     "&Targets.member.1.Id=i-1%20%26%3D%2B%2F~%C3%A9");
    bg_arena_free(a);
}

Test(aws_http, keeps_every_backoff_within_half_to_full_of_its_doubling_cap)
{
    struct bg_aws_client_opts o = BG_AWS_CLIENT_OPTS_INIT;
    static const long caps[] = {200, 400, 800, 1600, 3200, 6400, 12800, 20000, 20000};
    uint64_t prng = 7;

    for (int round = 0; round < 200; round++) {
        for (int i = 0; i < 9; i++) {
            long d = bg_aws_backoff_ms(&prng, &o, i);

            cr_assert(d >= caps[i] / 2 && d <= caps[i], "attempt %d: %ld not in [%ld, %ld]", i, d,
                      caps[i] / 2, caps[i]);
        }
    }
}

Test(aws_http, draws_jitter_from_the_per_client_seed)
{
    struct bg_aws_client_opts o = BG_AWS_CLIENT_OPTS_INIT;
    uint64_t a = 1, b = 1, c = 2;
    int same = 0, differ = 0;

    for (int i = 0; i < 20; i++) {
        long x = bg_aws_backoff_ms(&a, &o, 5), y = bg_aws_backoff_ms(&b, &o, 5);

        same += x == y;
        differ += x != bg_aws_backoff_ms(&c, &o, 5);
    }
    cr_expect_eq(same, 20, "same seed, same delays");
    cr_expect_gt(differ, 10, "another seed, other delays");
}

Test(aws_http, retries_only_throttling_429_and_5xx_answers)
{
    static const struct {
        long status;
        const char *code;
        bool retry;
    } cases[] = {
        {400, "Throttling", true},
        {400, "ThrottlingException", true},
        {400, "RequestLimitExceeded", true},
        {429, "", true},
        {500, "InternalFailure", true},
        {503, "", true},
        {400, "ValidationError", false},
        {400, "TargetGroupNotFound", false},
        {403, "InvalidClientTokenId", false},
        {404, "", false},
    };

    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
        cr_expect_eq(bg_aws_should_retry(cases[i].status, cases[i].code), cases[i].retry, "%ld %s",
                     cases[i].status, cases[i].code);
}

Test(aws_http, retries_throttling_and_server_errors_then_succeeds)
{
    const struct test_reply r[] = {
        {400, throttled, 0, 0, NULL}, {503, "", 0, 0, NULL}, {200, ok_body, 0, 0, NULL}};
    struct fixture f;
    struct bg_aws_response resp;

    setup(&f, r, 3, NULL, 3);
    cr_assert_eq(call(&f, &resp), 0, "%s", f.err.msg);
    cr_expect_eq(resp.attempts, 3);
    cr_expect_eq(resp.status, 200);
    cr_expect_str_eq(resp.body, ok_body);
    cr_expect_eq(f.sleeps.n, 2);
    cr_expect_eq(f.sleeps.retries, 2, "the retry hook sees every retry");
    cr_expect(strstr(f.sleeps.why, "HTTP 503") != NULL, "%s", f.sleeps.why);
    cr_expect(f.sleeps.ms[0] >= 100 && f.sleeps.ms[0] <= 200, "%ld", f.sleeps.ms[0]);
    cr_expect(f.sleeps.ms[1] >= 200 && f.sleeps.ms[1] <= 400, "%ld", f.sleeps.ms[1]);
    teardown(&f);
}

Test(aws_http, gives_up_after_max_retries_with_the_aws_code_and_message)
{
    const struct test_reply r[] = {{400, throttled, 0, 0, NULL},
                                   {400, throttled, 0, 0, NULL},
                                   {400, throttled, 0, 0, NULL},
                                   {200, ok_body, 0, 0, NULL}};
    struct fixture f;
    struct bg_aws_response resp;

    setup(&f, r, 4, NULL, 2);
    cr_expect_eq(call(&f, &resp), BG_ERETRY);
    cr_expect_eq(resp.attempts, 3, "1 + max_retries attempts");
    cr_expect_eq(f.sleeps.n, 2);
    cr_expect_str_eq(f.err.msg, "Throttling: Rate exceeded (HTTP 400)");
    cr_expect(bg_aws_error_is(&f.err, "Throttling"));
    teardown(&f);
}

Test(aws_http, fails_at_once_on_a_client_error_with_its_code)
{
    const struct test_reply r[] = {{400, not_found, 0, 0, NULL}};
    struct fixture f;
    struct bg_aws_response resp;

    setup(&f, r, 1, NULL, 3);
    cr_expect_eq(call(&f, &resp), BG_ENOTFOUND);
    cr_expect_eq(resp.attempts, 1);
    cr_expect_eq(f.sleeps.n, 0);
    cr_expect_str_eq(f.err.msg,
                     "TargetGroupNotFound: One or more target groups not found (HTTP 400)");
    cr_expect(bg_aws_error_is(&f.err, "TargetGroupNotFound"));
    cr_expect_not(bg_aws_error_is(&f.err, "TargetGroup"));
    teardown(&f);
}

Test(aws_http, reports_an_answer_that_is_not_an_aws_error_document)
{
    const struct test_reply r[] = {{403, "<html>denied</html>", 0, 0, NULL}};
    struct fixture f;

    setup(&f, r, 1, NULL, 3);
    cr_expect_eq(call(&f, NULL), BG_EPROTO);
    cr_expect(strstr(f.err.msg, "HTTP 403") != NULL, "%s", f.err.msg);
    teardown(&f);
}

Test(aws_http, retries_dropped_connections_and_reuses_one_connection)
{
    const struct test_reply r[] = {
        {0, NULL, 1, 0, NULL}, {200, ok_body, 0, 0, NULL}, {200, ok_body, 0, 0, NULL}};
    struct fixture f;
    struct bg_aws_response resp;

    setup(&f, r, 3, NULL, 3);
    cr_expect_eq(call(&f, &resp), 0, "%s", f.err.msg);
    cr_expect_eq(resp.attempts, 2);
    cr_expect_eq(call(&f, &resp), 0, "%s", f.err.msg);
    test_server_stop(&f.server);
    cr_expect_eq(f.server.accepted, 2, "one for the dropped attempt, one for both calls");
    teardown(&f);
}

Test(aws_http, retries_refused_connections_up_to_the_bound)
{
    struct fixture f;
    struct bg_aws_response resp;
    struct bg_aws_config cfg = {.region = "us-east-1",
                                .access_key = "AKID",
                                .secret_key = "topsecret",
                                .profile = "default",
                                .endpoints = {[BG_AWS_ELBV2] = "http://127.0.0.1:1"},
                                .max_retries = 4,
                                .timeout_ms = 2000};
    struct bg_aws_client_opts opts = BG_AWS_CLIENT_OPTS_INIT;
    const struct bg_aws_request req = {
        .action = "DescribeTargetGroups", .params = NULL, .n_params = 0, .service = BG_AWS_ELBV2};

    memset(&f, 0, sizeof(f));
    opts.sleep = record_sleep;
    opts.sleep_ctx = &f.sleeps;
    f.arena = bg_arena_new();
    cr_assert_eq(bg_aws_client_new(&f.client, &cfg, &opts, &f.err), 0);
    cr_expect_eq(bg_aws_client_call(&resp, f.client, f.arena, &req, &f.err), BG_ERETRY);
    cr_expect_eq(resp.attempts, 5);
    cr_expect_eq(f.sleeps.n, 4);
    cr_expect(strstr(f.err.msg, "127.0.0.1:1") != NULL, "%s", f.err.msg);
    cr_expect(strstr(f.err.msg, "topsecret") == NULL);
    bg_aws_client_free(f.client);
    bg_arena_free(f.arena);
}

Test(aws_http, refuses_an_oversized_answer)
{
    static char big[BG_AWS_MAX_BODY + 16];
    struct test_reply r[] = {{200, big, 0, 0, NULL}};
    struct fixture f;

    memset(big, 'x', sizeof(big) - 1);
    setup(&f, r, 1, NULL, 3);
    cr_expect_eq(call(&f, NULL), BG_ELIMIT);
    teardown(&f);
}

/* ---- SigV4, checked independently with OpenSSL ------------------------------------------ */

static void hex(char *out, const unsigned char *d, size_t n)
{
    for (size_t i = 0; i < n; i++)
        sprintf(out + 2 * i, "%02x", d[i]);
}

static void hmac(unsigned char out[32], const void *key, size_t klen, const char *msg)
{
    unsigned int len = 32;

    HMAC(EVP_sha256(), key, (int)klen, (const unsigned char *)msg, strlen(msg), out, &len);
}

static void sha256_hex(char out[65], const char *s)
{
    unsigned char d[32];

    SHA256((const unsigned char *)s, strlen(s), d);
    hex(out, d, 32);
}

/* The canonical request of AWS SigV4 for our POST to "/" with no query string. */
static char *canonical_request(const char *request, const char *signed_headers)
{
    static char out[8192];
    char names[512], value[1024], body_hash[65];
    size_t off;

    off = (size_t)snprintf(out, sizeof(out), "POST\n/\n\n");
    snprintf(names, sizeof(names), "%s", signed_headers);
    for (char *save = NULL, *n = strtok_r(names, ";", &save); n; n = strtok_r(NULL, ";", &save)) {
        cr_assert_eq(test_header(request, n, value, sizeof(value)), 0, "no %s header", n);
        off += (size_t)snprintf(out + off, sizeof(out) - off, "%s:%s\n", n, value);
    }
    sha256_hex(body_hash, test_body(request));
    snprintf(out + off, sizeof(out) - off, "\n%s\n%s", signed_headers, body_hash);
    return out;
}

static void expected_signature(char out[65], const char *secret, const char *date,
                               const char *amz_date, const char *scope, const char *canonical)
{
    unsigned char k[32];
    char key[128], sts[1024], creq_hash[65];

    snprintf(key, sizeof(key), "AWS4%s", secret);
    hmac(k, key, strlen(key), date);
    hmac(k, k, 32, "us-east-1");
    hmac(k, k, 32, "elasticloadbalancing");
    hmac(k, k, 32, "aws4_request");
    sha256_hex(creq_hash, canonical);
    snprintf(sts, sizeof(sts), "AWS4-HMAC-SHA256\n%s\n%s\n%s", amz_date, scope, creq_hash);
    hmac(k, k, 32, sts);
    hex(out, k, 32);
}

static void check_signature(const char *request, const char *secret, bool with_token)
{
    char auth[1024], amz_date[32], date[9], scope[128], signed_headers[256], sig[65], want[65];

    cr_assert_eq(test_header(request, "Authorization", auth, sizeof(auth)), 0);
    cr_assert_eq(test_header(request, "X-Amz-Date", amz_date, sizeof(amz_date)), 0);
    snprintf(date, sizeof(date), "%.8s", amz_date);
    snprintf(scope, sizeof(scope), "%s/us-east-1/elasticloadbalancing/aws4_request", date);
    cr_assert_eq(sscanf(auth,
                        "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/%*[^,], "
                        "SignedHeaders=%255[^,], Signature=%64s",
                        signed_headers, sig),
                 2, "Authorization: %s", auth);
    cr_expect(strstr(auth, scope) != NULL, "scope %s in %s", scope, auth);
    cr_expect(strstr(signed_headers, "host") != NULL, "%s", signed_headers);
    cr_expect(strstr(signed_headers, "x-amz-date") != NULL, "%s", signed_headers);
    cr_expect_eq(strstr(signed_headers, "x-amz-security-token") != NULL, with_token, "%s",
                 signed_headers);
    expected_signature(want, secret, date, amz_date, scope,
                       canonical_request(request, signed_headers));
    cr_expect_str_eq(sig, want, "signature over %s", signed_headers);
}

Test(aws_http, signs_with_sigv4_for_elasticloadbalancing)
{
    const struct test_reply r[] = {{200, ok_body, 0, 0, NULL}};
    struct fixture f;
    char ctype[128];

    setup(&f, r, 1, NULL, 0);
    cr_assert_eq(call(&f, NULL), 0, "%s", f.err.msg);
    test_server_stop(&f.server);
    cr_assert_not_null(f.server.requests[0]);
    cr_expect(strncmp(f.server.requests[0], "POST / HTTP/1.1\r\n", 17) == 0);
    cr_expect_str_eq(test_body(f.server.requests[0]),
                     "Action=DescribeTargetHealth&Version=2015-12-01&TargetGroupArn=arn%3Aaws%3Ax");
    cr_assert_eq(test_header(f.server.requests[0], "Content-Type", ctype, sizeof(ctype)), 0);
    cr_expect(strncmp(ctype, "application/x-www-form-urlencoded", 33) == 0, "%s", ctype);
    check_signature(f.server.requests[0], "s3cr3t/Key+", false);
    teardown(&f);
}

Test(aws_http, signs_the_session_token_header)
{
    const struct test_reply r[] = {{200, ok_body, 0, 0, NULL}};
    struct fixture f;
    char token[128];

    setup(&f, r, 1, "FwoGZXIvYXdzEToken==", 0);
    cr_assert_eq(call(&f, NULL), 0, "%s", f.err.msg);
    test_server_stop(&f.server);
    cr_assert_eq(test_header(f.server.requests[0], "X-Amz-Security-Token", token, sizeof(token)),
                 0);
    cr_expect_str_eq(token, "FwoGZXIvYXdzEToken==");
    check_signature(f.server.requests[0], "s3cr3t/Key+", true);
    teardown(&f);
}

/* ---- stop and REST JSON ----------------------------------------------------------------- */

struct stop_on_sleep {
    atomic_bool stop;
    int sleeps;
};

/* The injected sleep plays StopProvider arriving during the backoff. */
static void sleep_then_stop(void *ctx, long ms)
{
    struct stop_on_sleep *s = ctx;

    (void)ms;
    s->sleeps++;
    atomic_store(&s->stop, true);
}

Test(aws_http, stops_retrying_as_soon_as_stop_is_set_during_a_backoff)
{
    const struct test_reply r[] = {{503, "", 0, 0, NULL}, {200, ok_body, 0, 0, NULL}};
    struct bg_aws_client_opts opts = BG_AWS_CLIENT_OPTS_INIT;
    struct bg_aws_config cfg = {.region = "us-east-1",
                                .access_key = "AKID",
                                .secret_key = "x",
                                .max_retries = 5,
                                .timeout_ms = 5000};
    const struct bg_aws_request req = {
        .action = "DescribeTargetGroups", .params = NULL, .n_params = 0, .service = BG_AWS_ELBV2};
    struct stop_on_sleep st = {.sleeps = 0};
    struct fixture f;
    char endpoint[64];

    memset(&f, 0, sizeof(f));
    cr_assert_eq(test_server_start(&f.server, r, 2), 0);
    snprintf(endpoint, sizeof(endpoint), "http://127.0.0.1:%d", f.server.port);
    cfg.endpoints[BG_AWS_ELBV2] = endpoint;
    atomic_init(&st.stop, false);
    opts.stop = &st.stop;
    opts.sleep = sleep_then_stop;
    opts.sleep_ctx = &st;
    f.arena = bg_arena_new();
    cr_assert_eq(bg_aws_client_new(&f.client, &cfg, &opts, &f.err), 0, "%s", f.err.msg);
    cr_expect_eq(bg_aws_client_call(NULL, f.client, f.arena, &req, &f.err), BG_ECANCELED);
    cr_expect_eq(st.sleeps, 1);
    cr_expect_eq(f.server.served, 1, "no attempt after the stop");
    cr_expect(strstr(f.err.msg, "HTTP 503") != NULL, "the last failure is kept: %s", f.err.msg);
    teardown(&f);
}

Test(aws_http, reads_rest_json_errors_from_the_error_type_header_and_message)
{
    static const char body[] = "{\"message\":\"No node group found for name: ng-1.\"}";
    const struct test_reply r[] = {
        {404, body, 0, 0, "x-amzn-ErrorType: ResourceNotFoundException:http://internal/\r\n"},
        {200, "{\"nodegroup\":{}}", 0, 0, NULL}};
    const struct bg_aws_rest_request req = {"DescribeNodegroup", BG_AWS_EKS, "GET",
                                            "/clusters/c/node-groups/ng-1", NULL};
    struct fixture f;
    struct bg_aws_response resp;

    setup(&f, r, 2, NULL, 3);
    cr_expect_eq(bg_aws_client_rest(&resp, f.client, f.arena, &req, &f.err), BG_ENOTFOUND);
    cr_expect_str_eq(f.err.msg, "ResourceNotFoundException: No node group found for name: "
                                "ng-1. (HTTP 404)");
    cr_expect(bg_aws_error_is(&f.err, "ResourceNotFoundException"));
    cr_expect_eq(resp.attempts, 1);
    cr_expect(strncmp(f.server.requests[0], "GET /clusters/c/node-groups/ng-1 HTTP/1.1", 41) == 0);
    teardown(&f);
}

Test(aws_http, signs_rest_calls_for_their_service_and_sends_the_json_body)
{
    const struct test_reply r[] = {{200, "{\"update\":{\"id\":\"u-1\"}}", 0, 0, NULL}};
    const struct bg_aws_rest_request req = {"UpdateNodegroupConfig", BG_AWS_EKS, "POST",
                                            "/clusters/c/node-groups/ng-1/update-config",
                                            "{\"scalingConfig\":{\"desiredSize\":0}}"};
    struct fixture f;
    struct bg_aws_response resp;
    char auth[1024], ctype[64];

    setup(&f, r, 1, NULL, 0);
    cr_assert_eq(bg_aws_client_rest(&resp, f.client, f.arena, &req, &f.err), 0, "%s", f.err.msg);
    cr_expect_str_eq(resp.body, "{\"update\":{\"id\":\"u-1\"}}");
    test_server_stop(&f.server);
    cr_assert_eq(test_header(f.server.requests[0], "Authorization", auth, sizeof(auth)), 0);
    cr_expect(strstr(auth, "/us-east-1/eks/aws4_request") != NULL, "%s", auth);
    cr_assert_eq(test_header(f.server.requests[0], "Content-Type", ctype, sizeof(ctype)), 0);
    cr_expect_str_eq(ctype, "application/json");
    cr_expect_str_eq(test_body(f.server.requests[0]), "{\"scalingConfig\":{\"desiredSize\":0}}");
    teardown(&f);
}

Test(aws_http, uses_each_query_service_version_and_signing_name)
{
    struct bg_arena *a = bg_arena_new();
    const struct bg_aws_request sts = {
        .action = "GetCallerIdentity", .params = NULL, .n_params = 0, .service = BG_AWS_STS};
    const struct bg_aws_request cw = {
        .action = "DescribeAlarms", .params = NULL, .n_params = 0, .service = BG_AWS_CLOUDWATCH};
    const struct bg_aws_request asg = {.action = "DescribeAutoScalingGroups",
                                       .params = NULL,
                                       .n_params = 0,
                                       .service = BG_AWS_AUTOSCALING};

    cr_expect_str_eq(bg_aws_query_body(a, &sts), "Action=GetCallerIdentity&Version=2011-06-15");
    cr_expect_str_eq(bg_aws_query_body(a, &cw), "Action=DescribeAlarms&Version=2010-08-01");
    cr_expect_str_eq(bg_aws_query_body(a, &asg),
                     "Action=DescribeAutoScalingGroups&Version=2011-01-01");
    cr_expect_str_eq(bg_aws_service(BG_AWS_CLOUDWATCH)->signing_name, "monitoring");
    cr_expect_str_eq(bg_aws_service(BG_AWS_AUTOSCALING)->env, "AUTO_SCALING");
    bg_arena_free(a);
}
