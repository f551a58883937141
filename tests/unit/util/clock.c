/* clock.c - unit tests for the stop-aware nap (src/util/clock.c) with a fake clock. */
#include <criterion/criterion.h>

#include "bluegreen/clock.h"

struct fake {
    double t;
    int sleeps;
    double longest;
    atomic_bool *stop;
    double stop_at; /* sets *stop once t reaches it (< 0: never) */
};

static double fake_now(void *ctx)
{
    return ((struct fake *)ctx)->t;
}

static void fake_sleep(void *ctx, double s)
{
    struct fake *f = ctx;

    f->t += s;
    f->sleeps++;
    if (s > f->longest)
        f->longest = s;
    if (f->stop != NULL && f->stop_at >= 0 && f->t >= f->stop_at)
        atomic_store(f->stop, true);
}

Test(util_clock, nap_sleeps_the_full_time_in_short_slices)
{
    struct fake f = {100.0, 0, 0, NULL, -1};
    struct bg_clock c = {fake_now, fake_sleep, &f};

    cr_expect_eq(bg_clock_nap(&c, 2.5, NULL), 0);
    cr_expect_float_eq(f.t, 102.5, 1e-9);
    cr_expect_leq(f.longest, BG_CLOCK_SLICE + 1e-12);
    cr_expect_geq(f.sleeps, 25);
}

Test(util_clock, nap_returns_within_a_slice_of_a_stop_request)
{
    atomic_bool stop = false;
    struct fake f = {0, 0, 0, &stop, 1.0};
    struct bg_clock c = {fake_now, fake_sleep, &f};

    cr_expect_eq(bg_clock_nap(&c, 300, &stop), 1);
    cr_expect_leq(f.t, 1.0 + BG_CLOCK_SLICE + 1e-9, "noticed at %f", f.t);
}

Test(util_clock, nap_does_not_sleep_when_stop_is_already_set)
{
    atomic_bool stop = true;
    struct fake f = {0, 0, 0, NULL, -1};
    struct bg_clock c = {fake_now, fake_sleep, &f};

    cr_expect_eq(bg_clock_nap(&c, 10, &stop), 1);
    cr_expect_eq(f.sleeps, 0);
    cr_expect_eq(bg_clock_nap(&c, 0, NULL), 0);
}

Test(util_clock, system_clock_is_monotonic_and_sleeps)
{
    const struct bg_clock *c = bg_clock_system();
    double t0 = c->now(c->ctx);

    cr_expect_eq(bg_clock_nap(c, 0.02, NULL), 0);
    cr_expect_geq(c->now(c->ctx) - t0, 0.02);
}
