/*
 * clock.h - time as an injectable interface, so long-running executors (statefulset hand-off,
 * walks) are unit-tested with a fake clock that advances instantly.
 *
 * now() is monotonic seconds; sleep() waits up to `seconds` and returns early with
 * BG_ECANCELED as soon as *stop is true (stop may be NULL), else 0. The system clock sleeps
 * in slices of at most 100 ms so a stop request is noticed promptly. Thread-safe.
 */
#ifndef BLUEGREEN_CLOCK_H
#define BLUEGREEN_CLOCK_H

#include <stdatomic.h>

struct bg_clock {
    double (*now)(void *ctx);
    int (*sleep)(void *ctx, double seconds, const atomic_bool *stop);
    void *ctx;
};

/* CLOCK_MONOTONIC and nanosleep. */
extern const struct bg_clock bg_clock_system;

#endif
