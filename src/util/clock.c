/*
 * clock.c - the system clock and the stop-aware nap (include/bluegreen/clock.h).
 */
#include <time.h>

#include "bluegreen/clock.h"

static double system_now(void *ctx)
{
    struct timespec ts;

    (void)ctx;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void system_sleep(void *ctx, double seconds)
{
    struct timespec ts;

    (void)ctx;
    ts.tv_sec = (time_t)seconds;
    ts.tv_nsec = (long)((seconds - (double)ts.tv_sec) * 1e9);
    nanosleep(&ts, NULL);
}

static const struct bg_clock system_clock = {system_now, system_sleep, NULL};

const struct bg_clock *bg_clock_system(void)
{
    return &system_clock;
}

static int stopped(const atomic_bool *stop)
{
    return stop != NULL && atomic_load(stop) ? 1 : 0;
}

int bg_clock_nap(const struct bg_clock *c, double seconds, const atomic_bool *stop)
{
    double end = c->now(c->ctx) + seconds, left;

    if (stopped(stop))
        return 1;
    for (left = seconds; left > 0; left = end - c->now(c->ctx)) {
        c->sleep(c->ctx, left < BG_CLOCK_SLICE ? left : BG_CLOCK_SLICE);
        if (stopped(stop))
            return 1;
    }
    return 0;
}
