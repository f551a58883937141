/*
 * ratelimit.c - the provider's client-side request rate limit (include/bluegreen/aws.h): a
 * token bucket behind a mutex held only to do the arithmetic, never while sleeping.
 *
 * A taker that finds the bucket empty still takes its token, driving the count negative:
 * that is its reservation, and the count tells the next taker how far behind it stands. So
 * there is no polling loop and no thundering herd; every waiter sleeps exactly until its own
 * token is due.
 */
#include <pthread.h>
#include <stdlib.h>
#include <time.h>

#include "bluegreen/aws.h"

struct bg_aws_ratelimit {
    pthread_mutex_t lock; /* guards tokens and last */
    double per_second, burst;
    double tokens; /* may be negative: tokens reserved by waiters */
    double last;   /* clock time of the last refill */
    struct bg_aws_clock clock;
};

static double mono_now(void *ctx)
{
    struct timespec ts;

    (void)ctx;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void mono_sleep(void *ctx, double secs)
{
    struct timespec ts;

    (void)ctx;
    if (secs <= 0)
        return;
    ts.tv_sec = (time_t)secs;
    ts.tv_nsec = (long)((secs - (double)ts.tv_sec) * 1e9);
    nanosleep(&ts, NULL);
}

int bg_aws_ratelimit_new(struct bg_aws_ratelimit **out, double per_second, double burst,
                         const struct bg_aws_clock *clock, struct bg_error *err)
{
    struct bg_aws_ratelimit *rl;

    *out = NULL;
    if (!(per_second > 0) || !(burst >= 1))
        return bg_error_set(err, BG_EINVAL,
                            "rate limit needs a positive rate and a burst of 1 "
                            "or more, got %g/s and %g",
                            per_second, burst);
    rl = calloc(1, sizeof(*rl));
    if (rl == NULL)
        return bg_error_set(err, BG_EIO, "out of memory");
    pthread_mutex_init(&rl->lock, NULL);
    rl->per_second = per_second;
    rl->burst = burst;
    rl->clock = clock != NULL ? *clock : (struct bg_aws_clock){mono_now, mono_sleep, NULL};
    rl->tokens = burst;
    rl->last = rl->clock.now(rl->clock.ctx);
    *out = rl;
    return 0;
}

void bg_aws_ratelimit_free(struct bg_aws_ratelimit *rl)
{
    if (rl == NULL)
        return;
    pthread_mutex_destroy(&rl->lock);
    free(rl);
}

/* Takes a token; returns how long from now until it is due (0: at once). */
static double reserve(struct bg_aws_ratelimit *rl, double now)
{
    double wait;

    pthread_mutex_lock(&rl->lock);
    if (now > rl->last) {
        rl->tokens += (now - rl->last) * rl->per_second;
        if (rl->tokens > rl->burst)
            rl->tokens = rl->burst;
        rl->last = now;
    }
    rl->tokens -= 1;
    wait = rl->tokens >= 0 ? 0 : -rl->tokens / rl->per_second;
    pthread_mutex_unlock(&rl->lock);
    return wait;
}

/* A waiter that gives up hands its reservation back, so it does not delay the others. */
static void give_back(struct bg_aws_ratelimit *rl)
{
    pthread_mutex_lock(&rl->lock);
    rl->tokens += 1;
    pthread_mutex_unlock(&rl->lock);
}

static bool stopped(const atomic_bool *stop)
{
    return stop != NULL && atomic_load(stop);
}

int bg_aws_ratelimit_take(struct bg_aws_ratelimit *rl, const atomic_bool *stop, double *waited)
{
    double start, due, now;

    if (waited != NULL)
        *waited = 0;
    if (rl == NULL)
        return 0;
    start = rl->clock.now(rl->clock.ctx);
    due = start + reserve(rl, start);
    for (now = start; now < due; now = rl->clock.now(rl->clock.ctx)) {
        if (stopped(stop)) {
            give_back(rl);
            return BG_ECANCELED;
        }
        /* 50 ms slices: the backoff sleeps of src/aws/http.c notice a stop as quickly */
        rl->clock.sleep(rl->clock.ctx, due - now < 0.05 ? due - now : 0.05);
    }
    if (waited != NULL)
        *waited = now - start;
    return 0;
}
