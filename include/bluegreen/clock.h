/*
 * clock.h - time as executors see it: a monotonic clock and a sleep, behind a small table of
 * functions so unit tests can drive waits, soaks, timeouts and StopProvider with a fake clock
 * instead of real time.
 *
 * Long-running executors (the traffic-shift walk, later the stateful hand-off) take a
 * `const struct bg_clock *` and never call clock_gettime or nanosleep themselves. The table
 * is read-only; whether now/sleep are thread safe is up to the implementation (the system
 * clock is; a test's fake belongs to one test).
 */
#ifndef BLUEGREEN_CLOCK_H
#define BLUEGREEN_CLOCK_H

#include <stdatomic.h>

struct bg_clock {
    double (*now)(void *ctx);                 /* seconds on a monotonic clock */
    void (*sleep)(void *ctx, double seconds); /* may return early; seconds > 0 */
    void *ctx;
};

/* CLOCK_MONOTONIC and nanosleep. Static storage, never freed. */
const struct bg_clock *bg_clock_system(void);

/* Longest single sleep of bg_clock_nap: the delay before a stop request is noticed. */
#define BG_CLOCK_SLICE 0.1

/* Sleeps `seconds` in slices of at most BG_CLOCK_SLICE and returns 1 as soon as *stop is set
 * (checked before the first slice and after each), 0 once the full time has passed. stop may
 * be NULL; seconds <= 0 only checks stop. */
int bg_clock_nap(const struct bg_clock *c, double seconds, const atomic_bool *stop);

#endif
