/*
 * Unit tests for bluegreen_weighted_shift's executor (src/resources/weighted_shift_run.c)
 * with a fake clock and a scripted world: gates, soaks, every on_failure, stop and resume.
 * Time only moves when the executor sleeps, so each test runs in microseconds.
 */
#include <criterion/criterion.h>
#include <string.h>

#include "resources/weighted_shift.h"

#define FROM "arn:tg/from"
#define TO   "arn:tg/to"

/* A group's health over time: registered targets, all healthy from healthy_at, one of them
 * failing from failing_at. */
struct script {
    size_t registered;
    double healthy_at, failing_at;
};

struct fake {
    double t, stop_at, alarm_at;
    atomic_bool stop;
    int share;
    int sets[32];
    size_t n_sets;
    struct script from, to;
    bool conflict;
    double cancel_at; /* health reads answer BG_ECANCELED from then on (a stop in flight) */
};

static double f_now(void *ctx)
{
    return ((struct fake *)ctx)->t;
}

/* Time moves only here; a stop request arrives once the clock reaches stop_at. */
static void f_sleep(void *ctx, double s)
{
    struct fake *f = ctx;

    cr_assert(s > 0 && s <= BG_CLOCK_SLICE + 1e-9, "sleeps in slices: %f s", s);
    f->t += s;
    if (f->stop_at >= 0 && f->t >= f->stop_at)
        atomic_store(&f->stop, true);
}

static int f_health(void *ctx, const char *tg, struct bg_ws_health *out, struct bg_error *err)
{
    struct fake *f = ctx;
    const struct script *s = strcmp(tg, TO) == 0 ? &f->to : &f->from;

    memset(out, 0, sizeof(*out));
    out->example = out->state = out->reason = "";
    if (f->cancel_at >= 0 && f->t >= f->cancel_at) {
        atomic_store(&f->stop, true);
        return bg_error_set(err, BG_ECANCELED, "POST: stopped on request before an answer");
    }
    out->registered = s->registered;
    if (f->t >= s->failing_at && s->registered > 0) {
        out->failing = 1;
        out->healthy = s->registered - 1;
        out->example = "10.0.1.2";
        out->state = "unhealthy";
    } else if (f->t >= s->healthy_at) {
        out->healthy = s->registered;
    } else if (s->registered > 0) {
        out->example = "10.0.1.1";
        out->state = "initial";
    }
    return 0;
}

static int f_alarms(void *ctx, struct bg_ws_alarms *out, struct bg_error *err)
{
    struct fake *f = ctx;

    (void)err;
    out->firing = f->alarm_at >= 0 && f->t >= f->alarm_at ? "five-xx" : NULL;
    out->reason = "Threshold Crossed";
    return 0;
}

static int f_set(void *ctx, int expect, int share, struct bg_error *err)
{
    struct fake *f = ctx;

    if (f->conflict || expect != f->share)
        return bg_error_set(err, BG_ECONFLICT, "someone else changed them");
    cr_assert_lt(f->n_sets, 32);
    f->sets[f->n_sets++] = share;
    f->share = share;
    return 0;
}

static void f_progress(void *ctx, const char *fields, const char *message)
{
    (void)ctx;
    cr_assert_not_null(fields);
    cr_assert_not_null(message);
}

struct harness {
    struct fake f;
    struct bg_clock clock;
    struct bg_ws_world w;
    struct bg_ws_cfg cfg;
    struct bg_arena *a;
    struct bg_diags d;
    struct bg_ws_run r;
};

static const char *const alarm_names[] = {"five-xx"};

static void setup(struct harness *h, enum bg_ws_failure on_failure)
{
    memset(h, 0, sizeof(*h));
    h->f.stop_at = -1;
    h->f.alarm_at = -1;
    h->f.cancel_at = -1;
    h->f.from = (struct script){2, 0, 1e9};
    h->f.to = (struct script){2, 0, 1e9};
    h->clock = (struct bg_clock){f_now, f_sleep, &h->f};
    h->w =
        (struct bg_ws_world){&h->f, &h->clock, &h->f.stop, f_health, f_alarms, f_set, f_progress};
    h->cfg.from = FROM;
    h->cfg.to = TO;
    h->cfg.listener_arn = "arn:listener";
    h->cfg.alarm_names = (const char **)alarm_names;
    h->cfg.n_alarms = 1;
    h->cfg.soak_s = 10;
    h->cfg.health_timeout_s = 30;
    h->cfg.poll_s = 2;
    h->cfg.on_failure = on_failure;
    h->a = bg_arena_new();
    bg_diags_init(&h->d, h->a);
    h->r = (struct bg_ws_run){&h->w, &h->cfg, &h->d, h->a, 0, 0, false, false};
}

static int run(struct harness *h, const int *steps, size_t n)
{
    return bg_ws__run(&h->r, steps, n);
}

static bool mentions(const struct harness *h, const char *text)
{
    for (const struct bg_diag *x = h->d.head; x != NULL; x = x->next) {
        if (strstr(x->summary, text) != NULL || (x->detail && strstr(x->detail, text) != NULL))
            return true;
    }
    return false;
}

static void expect_sets(const struct harness *h, const int *want, size_t n)
{
    cr_assert_eq(h->f.n_sets, n, "%zu weight changes, want %zu", h->f.n_sets, n);
    for (size_t i = 0; i < n; i++)
        cr_expect_eq(h->f.sets[i], want[i], "change %zu: %d%%, want %d%%", i, h->f.sets[i],
                     want[i]);
}

static const int walk[] = {10, 25, 50, 75, 100};

static void done(struct harness *h)
{
    bg_arena_free(h->a);
}

Test(resources_weighted_shift_run, takes_every_step_and_soaks_after_each)
{
    struct harness h;

    setup(&h, BG_WS_ROLLBACK_STEP);
    cr_expect_eq(run(&h, walk, 5), 0);
    expect_sets(&h, walk, 5);
    cr_expect_eq(h.r.share, 100);
    cr_expect_eq(h.d.errors, 0);
    cr_expect(h.f.t >= 50 && h.f.t < 51, "five soaks of 10 s, took %f", h.f.t);
    done(&h);
}

Test(resources_weighted_shift_run, waits_for_every_target_of_the_gaining_group_to_be_healthy)
{
    struct harness h;

    setup(&h, BG_WS_ROLLBACK_STEP);
    h.f.to.healthy_at = 7;
    h.cfg.soak_s = 0;
    cr_expect_eq(run(&h, walk, 1), 0);
    expect_sets(&h, walk, 1);
    cr_expect(h.f.t >= 7 && h.f.t < 9, "stepped at %f", h.f.t);
    done(&h);
}

Test(resources_weighted_shift_run, never_gives_weight_to_an_unhealthy_or_empty_group)
{
    struct harness h;

    setup(&h, BG_WS_ROLLBACK_STEP);
    h.f.to.healthy_at = 1e9;
    cr_expect_lt(run(&h, walk, 5), 0);
    expect_sets(&h, NULL, 0);
    cr_expect(mentions(&h, "Health gate failed"));
    cr_expect(mentions(&h, "10.0.1.1 is initial"));
    cr_expect(h.f.t >= 30 && h.f.t < 33, "gave up after health_timeout_seconds: %f", h.f.t);
    done(&h);
    setup(&h, BG_WS_ROLLBACK_STEP);
    h.f.to.registered = 0;
    cr_expect_lt(run(&h, walk, 5), 0);
    expect_sets(&h, NULL, 0);
    cr_expect(mentions(&h, "an empty target group never gets weight"));
    done(&h);
}

/* The alarm fires at t = 25, during the soak after the step to 50% (t 20..30). */
Test(resources_weighted_shift_run, an_alarm_in_the_soak_is_handled_per_on_failure)
{
    static const struct {
        enum bg_ws_failure mode;
        int want[5];
        size_t n;
    } cases[] = {
        {BG_WS_ROLLBACK_STEP, {10, 25, 50, 25}, 4},
        {BG_WS_ROLLBACK_ALL, {10, 25, 50, 0}, 4},
        {BG_WS_HALT, {10, 25, 50}, 3},
    };

    for (size_t i = 0; i < BG_COUNT(cases); i++) {
        struct harness h;

        setup(&h, cases[i].mode);
        h.f.alarm_at = 25;
        cr_expect_eq(run(&h, walk, 5), BG_ECONFLICT);
        expect_sets(&h, cases[i].want, cases[i].n);
        cr_expect_eq(h.r.share, cases[i].want[cases[i].n - 1]);
        cr_expect(mentions(&h, "\"five-xx\" is in ALARM (Threshold Crossed) during the soak at "
                               "50%"));
        cr_expect(mentions(&h, "Weighted shift stopped after a failed step"));
        done(&h);
    }
}

Test(resources_weighted_shift_run, rollback_all_returns_to_the_share_the_apply_began_at)
{
    static const int up[] = {75, 100};
    struct harness h;

    setup(&h, BG_WS_ROLLBACK_ALL);
    h.f.share = h.r.start = 50;
    h.f.alarm_at = 15;
    run(&h, up, 2);
    expect_sets(&h, (const int[]){75, 100, 50}, 3);
    done(&h);
}

Test(resources_weighted_shift_run, an_alarm_already_firing_blocks_the_first_step)
{
    struct harness h;

    setup(&h, BG_WS_ROLLBACK_ALL);
    h.f.alarm_at = 0;
    cr_expect_lt(run(&h, walk, 5), 0);
    expect_sets(&h, NULL, 0);
    cr_expect(mentions(&h, "before the step to 10%"));
    cr_expect(mentions(&h, "weights left as they were"));
    done(&h);
}

Test(resources_weighted_shift_run, a_target_turning_unhealthy_in_the_soak_fails_the_step)
{
    struct harness h;

    setup(&h, BG_WS_ROLLBACK_STEP);
    h.f.to.failing_at = 15;
    cr_expect_lt(run(&h, walk, 5), 0);
    expect_sets(&h, (const int[]){10, 25, 10}, 3);
    cr_expect(mentions(&h, "during the soak at 25%: 10.0.1.2 is unhealthy"));
    done(&h);
}

Test(resources_weighted_shift_run, a_rollback_never_gives_weight_to_a_group_that_cannot_serve)
{
    struct harness h;

    setup(&h, BG_WS_ROLLBACK_STEP);
    h.f.alarm_at = 25;
    h.f.from.failing_at = 22;
    h.f.from.registered = 1; /* its one target fails: nothing healthy left */
    run(&h, walk, 5);
    expect_sets(&h, (const int[]){10, 25, 50}, 3);
    cr_expect(mentions(&h, "for the rollback to 25%"));
    cr_expect(mentions(&h, "the rollback itself failed"));
    done(&h);
}

Test(resources_weighted_shift_run, walking_down_gates_on_the_from_group)
{
    static const int down[] = {25, 0};
    struct harness h;

    setup(&h, BG_WS_HALT);
    h.f.share = h.r.start = 50;
    h.f.from.registered = 0;
    cr_expect_lt(run(&h, down, 2), 0);
    expect_sets(&h, NULL, 0);
    cr_expect(mentions(&h, FROM " has no registered target"));
    done(&h);
}

Test(resources_weighted_shift_run, a_stop_in_the_soak_ends_the_walk_at_that_share)
{
    struct harness h;

    setup(&h, BG_WS_ROLLBACK_ALL);
    h.f.stop_at = 15;
    cr_expect_eq(run(&h, walk, 5), BG_ERETRY);
    expect_sets(&h, walk, 2);
    cr_expect(h.r.stopped);
    cr_expect_eq(h.r.share, 25);
    cr_expect_eq(h.d.errors, 0, "a stop is not a failure: nothing rolled back");
    cr_expect(mentions(&h, "Weighted shift paused"));
    done(&h);
}

Test(resources_weighted_shift_run, a_resumed_walk_watches_the_unwatched_share_first)
{
    static const int rest[] = {50, 75, 100};
    struct harness h;

    setup(&h, BG_WS_ROLLBACK_STEP);
    h.f.share = h.r.start = 25;
    h.r.soak_first = true;
    cr_expect_eq(run(&h, rest, 3), 0);
    expect_sets(&h, rest, 3);
    cr_expect(h.f.t >= 40 && h.f.t < 41, "a soak before the first step: %f", h.f.t);
    done(&h);
    setup(&h, BG_WS_ROLLBACK_ALL);
    h.f.share = h.r.start = 25;
    h.r.soak_first = true;
    h.f.alarm_at = 5;
    cr_expect_lt(run(&h, rest, 3), 0);
    expect_sets(&h, NULL, 0);
    cr_expect(mentions(&h, "during the soak at 25%"));
    done(&h);
}

Test(resources_weighted_shift_run, weights_changed_during_the_walk_stop_it_without_rollback)
{
    struct harness h;

    setup(&h, BG_WS_ROLLBACK_ALL);
    h.f.conflict = true;
    cr_expect_eq(run(&h, walk, 5), BG_ECONFLICT);
    expect_sets(&h, NULL, 0);
    cr_expect(mentions(&h, "Weights changed during the walk"));
    done(&h);
}

Test(resources_weighted_shift_run, without_alarm_names_no_alarm_is_read)
{
    struct harness h;

    setup(&h, BG_WS_ROLLBACK_STEP);
    h.cfg.n_alarms = 0;
    h.f.alarm_at = 0;
    cr_expect_eq(run(&h, walk, 5), 0);
    expect_sets(&h, walk, 5);
    done(&h);
}

Test(resources_weighted_shift_run, a_stop_that_cuts_an_aws_call_short_pauses_the_walk)
{
    struct harness h;

    setup(&h, BG_WS_ROLLBACK_ALL);
    h.f.cancel_at = 15;
    cr_expect_eq(run(&h, walk, 5), BG_ERETRY);
    expect_sets(&h, walk, 2);
    cr_expect(h.r.stopped);
    cr_expect_eq(h.d.errors, 0, "a stop is not a failure, even in flight");
    cr_expect(mentions(&h, "Weighted shift paused"));
    done(&h);
}
