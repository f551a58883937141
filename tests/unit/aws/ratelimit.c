/* ratelimit.c - unit tests for src/aws/ratelimit.c: the token bucket shared by the provider's
 * AWS clients, with a fake clock (time moves only when a taker sleeps). */
#include <criterion/criterion.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "bluegreen/aws.h"
#include "support/http_server.h"

/* Shared by threads: guarded, so concurrent sleepers each advance it. */
struct fake_clock {
    pthread_mutex_t lock;
    double t;
    atomic_bool *stop_when_sleeping;
};

static double f_now(void *ctx)
{
    struct fake_clock *f = ctx;
    double t;

    pthread_mutex_lock(&f->lock);
    t = f->t;
    pthread_mutex_unlock(&f->lock);
    return t;
}

static void f_sleep(void *ctx, double s)
{
    struct fake_clock *f = ctx;

    cr_assert(s > 0 && s <= 0.05 + 1e-9, "sleeps in short slices: %f", s);
    pthread_mutex_lock(&f->lock);
    f->t += s;
    pthread_mutex_unlock(&f->lock);
    if (f->stop_when_sleeping != NULL)
        atomic_store(f->stop_when_sleeping, true);
}

static struct bg_aws_ratelimit *limiter(struct fake_clock *f, double rate, double burst)
{
    struct bg_aws_clock clock = {f_now, f_sleep, f};
    struct bg_aws_ratelimit *rl = NULL;
    struct bg_error err = BG_ERROR_INIT;

    memset(f, 0, sizeof(*f));
    pthread_mutex_init(&f->lock, NULL);
    cr_assert_eq(bg_aws_ratelimit_new(&rl, rate, burst, &clock, &err), 0, "%s", err.msg);
    return rl;
}

Test(aws_ratelimit, serves_a_full_bucket_at_once_then_one_token_per_interval)
{
    struct fake_clock f;
    struct bg_aws_ratelimit *rl = limiter(&f, 2, 5);
    double waited;

    for (int i = 0; i < 5; i++) {
        cr_assert_eq(bg_aws_ratelimit_take(rl, NULL, &waited), 0);
        cr_expect_eq(waited, 0, "token %d of the burst waited %f", i, waited);
    }
    cr_assert_eq(bg_aws_ratelimit_take(rl, NULL, &waited), 0);
    cr_expect(waited > 0.49 && waited < 0.51, "the 6th waits half a second: %f", waited);
    cr_assert_eq(bg_aws_ratelimit_take(rl, NULL, &waited), 0);
    cr_expect(waited > 0.49 && waited < 0.51, "%f", waited);
    cr_expect(f.t > 0.99 && f.t < 1.01, "7 tokens at 2/s after a burst of 5: %f s", f.t);
    bg_aws_ratelimit_free(rl);
}

Test(aws_ratelimit, refills_while_idle_up_to_the_burst_only)
{
    struct fake_clock f;
    struct bg_aws_ratelimit *rl = limiter(&f, 1, 3);
    double waited;
    int immediate = 0;

    for (int i = 0; i < 3; i++)
        bg_aws_ratelimit_take(rl, NULL, NULL);
    f.t += 100; /* idle long enough to refill far more than the burst */
    for (int i = 0; i < 5; i++) {
        bg_aws_ratelimit_take(rl, NULL, &waited);
        immediate += waited == 0;
    }
    cr_expect_eq(immediate, 3, "a full bucket holds 3 tokens, not 100");
    bg_aws_ratelimit_free(rl);
}

struct taker {
    struct bg_aws_ratelimit *rl;
    int n;
};

static void *take_n(void *arg)
{
    struct taker *t = arg;

    for (int i = 0; i < t->n; i++)
        cr_assert_eq(bg_aws_ratelimit_take(t->rl, NULL, NULL), 0);
    return NULL;
}

Test(aws_ratelimit, threads_sharing_a_bucket_never_exceed_its_rate)
{
    struct fake_clock f;
    struct bg_aws_ratelimit *rl = limiter(&f, 10, 1);
    struct taker t = {rl, 10};
    pthread_t th[4];

    for (int i = 0; i < 4; i++)
        pthread_create(&th[i], NULL, take_n, &t);
    for (int i = 0; i < 4; i++)
        pthread_join(th[i], NULL);
    /* 40 tokens at 10/s after one in the bucket: 3.9 s of the shared clock at least; each
     * sleeper advances the shared clock, so the figure is an upper bound on the real rate */
    cr_expect(f.t >= 3.9 - 1e-6, "40 takes done by t = %f", f.t);
    bg_aws_ratelimit_free(rl);
}

Test(aws_ratelimit, a_stop_ends_the_wait_and_gives_the_token_back)
{
    struct fake_clock f;
    struct bg_aws_ratelimit *rl = limiter(&f, 0.1, 1);
    atomic_bool stop = false;
    double waited;

    cr_assert_eq(bg_aws_ratelimit_take(rl, &stop, NULL), 0);
    f.stop_when_sleeping = &stop;
    cr_expect_eq(bg_aws_ratelimit_take(rl, &stop, NULL), BG_ECANCELED);
    cr_expect(f.t < 0.1, "stopped within a slice: %f", f.t);
    f.stop_when_sleeping = NULL;
    atomic_store(&stop, false);
    cr_assert_eq(bg_aws_ratelimit_take(rl, &stop, &waited), 0);
    cr_expect(waited < 10.1, "the abandoned reservation does not delay the next taker: %f", waited);
    bg_aws_ratelimit_free(rl);
}

Test(aws_ratelimit, refuses_a_rate_or_burst_that_cannot_serve)
{
    struct bg_aws_ratelimit *rl = NULL;
    struct bg_error err = BG_ERROR_INIT;

    cr_expect_eq(bg_aws_ratelimit_new(&rl, 0, 5, NULL, &err), BG_EINVAL);
    cr_expect_eq(bg_aws_ratelimit_new(&rl, 5, 0.5, NULL, &err), BG_EINVAL);
    cr_expect_null(rl);
    cr_expect_eq(bg_aws_ratelimit_take(NULL, NULL, NULL), 0, "no limiter: no limit");
}

Test(aws_ratelimit, every_attempt_of_a_client_takes_a_token)
{
    static const char throttled[] = "<ErrorResponse><Error><Code>Throttling</Code><Message>Rate "
                                    "exceeded</Message></Error></ErrorResponse>";
    static const char ok[] = "<DescribeTargetHealthResponse><DescribeTargetHealthResult/>"
                             "</DescribeTargetHealthResponse>";
    const struct test_reply r[] = {
        {400, throttled, 0, 0, NULL}, {200, ok, 0, 0, NULL}, {200, ok, 0, 0, NULL}};
    struct bg_aws_config cfg = {.region = "us-east-1",
                                .access_key = "AKID",
                                .secret_key = "secret",
                                .max_retries = 2,
                                .timeout_ms = 5000};
    struct bg_aws_client_opts opts = BG_AWS_CLIENT_OPTS_INIT;
    struct bg_aws_target_health_list l;
    struct bg_error err = BG_ERROR_INIT;
    struct bg_aws_client *c = NULL;
    struct bg_arena *a = bg_arena_new();
    struct test_server server;
    struct fake_clock f;
    struct bg_aws_ratelimit *rl = limiter(&f, 1, 1);
    char endpoint[64];

    cr_assert_eq(test_server_start(&server, r, 3), 0);
    snprintf(endpoint, sizeof(endpoint), "http://127.0.0.1:%d", server.port);
    cfg.endpoints[BG_AWS_ELBV2] = endpoint;
    opts.base_delay_ms = opts.max_delay_ms = 1;
    cr_assert_eq(bg_aws_client_new(&c, &cfg, &opts, &err), 0);
    bg_aws_client_set_limiter(c, rl);
    cr_expect_eq(bg_aws_elbv2_describe_target_health(&l, c, a, "arn:tg", &err), 0, "%s", err.msg);
    cr_expect_eq(bg_aws_elbv2_describe_target_health(&l, c, a, "arn:tg", &err), 0, "%s", err.msg);
    cr_expect(f.t > 1.99 && f.t < 2.01, "3 attempts at 1/s, the retry included: %f s", f.t);
    bg_aws_client_free(c);
    test_server_free(&server);
    bg_aws_ratelimit_free(rl);
    bg_arena_free(a);
}
