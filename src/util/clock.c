/*
 * clock.c - the system clock behind include/bluegreen/clock.h.
 */
#include <time.h>

#include "bluegreen/clock.h"
#include "bluegreen/common.h"

static double system_now(void *ctx)
{
    struct timespec ts;

    (void)ctx;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int system_sleep(void *ctx, double seconds, const atomic_bool *stop)
{
    double end = system_now(ctx) + seconds;

    for (;;) {
        double left = end - system_now(ctx);
        struct timespec ts = {0, 0};

        if (stop != NULL && atomic_load(stop))
            return BG_ECANCELED;
        if (left <= 0)
            return 0;
        ts.tv_nsec = (long)((left < 0.1 ? left : 0.1) * 1e9);
        nanosleep(&ts, NULL);
    }
}

const struct bg_clock bg_clock_system = {system_now, system_sleep, NULL};
