/*
 * Unit tests for the traffic-shift walk executor (src/resources/traffic_shift_walk.c) against
 * a fake target group and a fake clock: health and draining waits, timeouts, soaks, every
 * on_failure, StopProvider in the middle of a wait and of a soak, and resuming from
 * intermediate memberships. Virtual time makes a 300 s soak take no real time.
 *
 * The fake target group: a registered target reports "initial" for healthy_after seconds,
 * then "healthy" (or "unhealthy" forever when it is the sick one); a deregistered target
 * reports "draining" for drain_s seconds, then is no longer listed.
 */
#include <stdio.h>
#include <string.h>

#include <criterion/criterion.h>

#include "resources/traffic_shift.h"

#define ARN   "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/tg-1/0123456789abcdef"
#define MAX_T 16

struct ftarget {
    const char *id;
    bool registered; /* false: draining until since + drain_s, then gone */
    double since;
};

struct fake {
    double t;
    atomic_bool stop;
    double stop_at; /* sets stop once t reaches it; < 0: never */
    struct ftarget tg[MAX_T];
    size_t n;
    double healthy_after, drain_s;
    const char *sick; /* never becomes healthy */
    int fail_change;  /* fail the change call with this 1-based number; 0: never */
    /* The describe / change call with this 1-based number is cut short by a stop request,
     * as the HTTP client does with a transfer in flight (stop set, BG_ECANCELED); 0: never */
    int cancel_describe, cancel_change;
    int changes, describes;
    char log[512]; /* "+new1 -old1 ..." */
};

struct fixture {
    struct fake f;
    struct bg_arena *a;
    struct bg_diags d;
    struct bg_logger logger;
    FILE *logfile;
    struct bg_call call;
    struct bg_shift_env env;
    struct bg_clock clock;
    struct bg_shift_cfg cfg;
    struct bg_walk_target from[4], to[4];
};

static const char *const OLD[] = {"old1", "old2", "old3"};
static const char *const NEW[] = {"new1", "new2", "new3"};

/* ---- the fake target group ------------------------------------------------------------- */

static struct ftarget *find(struct fake *f, const char *id)
{
    for (size_t i = 0; i < f->n; i++) {
        if (strcmp(f->tg[i].id, id) == 0)
            return &f->tg[i];
    }
    return NULL;
}

static const char *state_at(const struct fake *f, const struct ftarget *x)
{
    if (!x->registered)
        return f->t - x->since < f->drain_s ? "draining" : NULL;
    if (f->sick != NULL && strcmp(x->id, f->sick) == 0)
        return "unhealthy";
    return f->t - x->since < f->healthy_after ? "initial" : "healthy";
}

static int fake_describe(struct bg_aws_target_health_list *out, void *ctx, struct bg_arena *a,
                         const char *arn, struct bg_error *err)
{
    struct fake *f = ctx;

    cr_assert_str_eq(arn, ARN);
    if (++f->describes == f->cancel_describe) {
        atomic_store(&f->stop, true);
        return bg_error_set(err, BG_ECANCELED, "POST 127.0.0.1: stopped on request");
    }
    out->items = bg_arena_calloc(a, MAX_T, sizeof(*out->items));
    out->count = 0;
    for (size_t i = 0; i < f->n; i++) {
        const char *st = state_at(f, &f->tg[i]);
        struct bg_aws_target_health *h = &out->items[out->count];

        if (st == NULL)
            continue;
        h->id = f->tg[i].id;
        h->port = 80;
        h->state = st;
        h->health = bg_target_health_parse(st);
        h->reason = strcmp(st, "initial") == 0 ? "Elb.InitialHealthChecking" : "";
        h->description = "";
        out->count++;
    }
    return 0;
}

static int fake_change(void *ctx, enum bg_walk_action action, const char *arn,
                       const struct bg_aws_target *t, size_t n, struct bg_error *err)
{
    struct fake *f = ctx;

    (void)arn;
    if (++f->changes == f->fail_change)
        return bg_error_set(err, BG_EINVAL, "InvalidTarget: %s cannot be used (HTTP 400)", t->id);
    if (f->changes == f->cancel_change) {
        atomic_store(&f->stop, true);
        return bg_error_set(err, BG_ECANCELED, "POST 127.0.0.1: stopped on request");
    }
    for (size_t i = 0; i < n; i++) {
        struct ftarget *x = find(f, t[i].id);
        size_t len = strlen(f->log);

        if (x == NULL) {
            cr_assert_lt(f->n, MAX_T);
            x = &f->tg[f->n++];
            x->id = t[i].id;
        }
        x->registered = action == BG_WALK_REGISTER;
        x->since = f->t;
        snprintf(f->log + len, sizeof(f->log) - len, "%s%c%s", len > 0 ? " " : "",
                 action == BG_WALK_REGISTER ? '+' : '-', t[i].id);
    }
    return 0;
}

static int fake_drain_delay(int *out, void *ctx, struct bg_arena *a, const char *arn,
                            struct bg_error *err)
{
    (void)a, (void)arn, (void)err;
    *out = (int)((struct fake *)ctx)->drain_s;
    return 0;
}

static double fake_now(void *ctx)
{
    return ((struct fake *)ctx)->t;
}

static void fake_sleep(void *ctx, double s)
{
    struct fake *f = ctx;

    f->t += s;
    if (f->stop_at >= 0 && f->t >= f->stop_at)
        atomic_store(&f->stop, true);
}

/* ---- fixture --------------------------------------------------------------------------- */

/* n_from old targets registered and healthy since long ago; n_to new ones declared. */
static void setup(struct fixture *x, size_t n_from, size_t n_to)
{
    memset(x, 0, sizeof(*x));
    x->f.stop_at = -1;
    atomic_init(&x->f.stop, false);
    for (size_t i = 0; i < n_from; i++) {
        x->f.tg[x->f.n++] = (struct ftarget){OLD[i], true, -1e6};
        x->from[i] = (struct bg_walk_target){OLD[i], 0};
    }
    for (size_t i = 0; i < n_to; i++)
        x->to[i] = (struct bg_walk_target){NEW[i], 0};
    x->a = bg_arena_new();
    bg_diags_init(&x->d, x->a);
    x->logfile = tmpfile();
    cr_assert_not_null(x->logfile);
    x->logger = (struct bg_logger){BG_LOG_INFO, fileno(x->logfile)};
    x->call = (struct bg_call){x->a, &x->d, NULL, &x->logger, &x->f.stop, NULL};
    x->clock = (struct bg_clock){fake_now, fake_sleep, &x->f};
    x->env.elbv2 = (struct bg_shift_elbv2){fake_describe, fake_change, fake_drain_delay, &x->f};
    x->env.clock = &x->clock;
    x->cfg = (struct bg_shift_cfg){.arn = ARN,
                                   .from = x->from,
                                   .to = x->to,
                                   .n_from = n_from,
                                   .n_to = n_to,
                                   .percent = 100,
                                   .soak_s = 0,
                                   .health_timeout_s = 600,
                                   .poll_s = 5,
                                   .wait_for_draining = true,
                                   .on_failure = BG_SHIFT_ROLLBACK_STEP,
                                   .on_destroy = BG_SHIFT_KEEP,
                                   .batch_size = 1};
}

static void teardown(struct fixture *x)
{
    fclose(x->logfile);
    bg_arena_free(x->a);
}

/* Plans from the fake's membership as the resource does, then runs the walk. */
static int walk(struct fixture *x, struct bg_shift_members *m)
{
    struct bg_error err = BG_ERROR_INIT;
    struct bg_walk_input in;
    struct bg_walk_plan p;

    cr_assert_eq(bg_shift__describe(m, &x->call, &x->env.elbv2, ARN), 0);
    bg_shift__walk_input(&in, &x->cfg, m);
    cr_assert_eq(bg_walk_plan(&p, x->a, &in, &err), 0, "%s", err.msg);
    return bg_shift__run_forward(m, &x->call, &x->env, &x->cfg, &p);
}

static char *log_text(struct fixture *x)
{
    long n;
    char *s;

    fflush(x->logfile);
    n = ftell(x->logfile);
    s = bg_arena_alloc(x->a, (size_t)n + 1);
    rewind(x->logfile);
    cr_assert_eq(fread(s, 1, (size_t)n, x->logfile), (size_t)n);
    s[n] = '\0';
    fseek(x->logfile, 0, SEEK_END);
    return s;
}

static int count(const char *hay, const char *needle)
{
    int n = 0;

    for (const char *p = strstr(hay, needle); p != NULL; p = strstr(p + 1, needle))
        n++;
    return n;
}

static bool diag_has(const struct fixture *x, const char *text)
{
    for (const struct bg_diag *d = x->d.head; d != NULL; d = d->next) {
        if (strstr(d->summary, text) != NULL || (d->detail && strstr(d->detail, text) != NULL))
            return true;
    }
    return false;
}

/* Registered (not draining) targets of the fake, in order, as "a b c". */
static const char *members_now(struct fixture *x)
{
    char *s = bg_arena_strdup(x->a, "");

    for (size_t i = 0; i < x->f.n; i++) {
        if (x->f.tg[i].registered)
            s = bg_arena_printf(x->a, "%s%s%s", s, *s ? " " : "", x->f.tg[i].id);
    }
    return s;
}

/* ---- waits ------------------------------------------------------------------------------ */

Test(resources_traffic_shift_walk, waits_for_health_polling_until_the_target_is_healthy)
{
    struct fixture x;
    struct bg_shift_members m;
    const char *log;

    setup(&x, 1, 1);
    x.f.healthy_after = 12; /* polls at 0, 5, 10 see initial, 15 sees healthy */
    cr_expect_eq(walk(&x, &m), 0);
    cr_expect_str_eq(x.f.log, "+new1 -old1");
    cr_expect_str_eq(members_now(&x), "new1");
    cr_expect_float_eq(x.f.t, 15, 1e-6, "virtual time %f", x.f.t);
    cr_expect_eq(x.d.errors, 0);
    log = log_text(&x);
    cr_expect_eq(count(log, "waiting for new1 to be healthy: initial (Elb.InitialHealthChecking)"),
                 3, "%s", log);
    cr_expect(strstr(log, "10 s of 600 s") != NULL, "%s", log);
    cr_expect(strstr(log, "step 1/2: register new1, 0% -> 50% on to_targets") != NULL, "%s", log);
    cr_expect(strstr(log, "step register new1: healthy, 50% on to_targets after 15 s") != NULL,
              "%s", log);
    cr_expect(strstr(log, "walk finished after 15 s: 100% on to_targets") != NULL, "%s", log);
    teardown(&x);
}

Test(resources_traffic_shift_walk, health_timeout_fails_the_step_after_health_timeout_seconds)
{
    struct fixture x;
    struct bg_shift_members m;

    setup(&x, 1, 1);
    x.f.sick = "new1";
    x.cfg.health_timeout_s = 20;
    x.cfg.on_failure = BG_SHIFT_HALT;
    cr_expect_lt(walk(&x, &m), 0);
    cr_expect(diag_has(&x, "Health gate failed"));
    cr_expect(diag_has(&x, "new1 was still unhealthy"));
    cr_expect(diag_has(&x, "after 20 s"));
    cr_expect_str_eq(x.f.log, "+new1", "halt: nothing undone, old1 never left");
    cr_expect_geq(x.f.t, 20);
    cr_expect_leq(x.f.t, 25, "gave up on the first poll past the deadline: %f", x.f.t);
    teardown(&x);
}

Test(resources_traffic_shift_walk, waits_for_draining_to_end_before_the_next_step)
{
    struct fixture x;
    struct bg_shift_members m;
    const char *log;

    setup(&x, 2, 1);
    x.f.drain_s = 7;
    x.cfg.poll_s = 2;
    /* 2 old, 1 new: +new1 -old1 -old2; each deregister drains 7 s (polls at 0,2,4,6 see
     * draining, 8 sees it gone) */
    cr_expect_eq(walk(&x, &m), 0);
    cr_expect_str_eq(x.f.log, "+new1 -old1 -old2");
    cr_expect_float_eq(x.f.t, 16, 1e-6, "%f", x.f.t);
    log = log_text(&x);
    cr_expect_eq(count(log, "waiting for old1 to finish draining: draining"), 4, "%s", log);
    cr_expect_eq(count(log, "\"phase\":\"drain_wait\""), 8, "%s", log);
    teardown(&x);
}

Test(resources_traffic_shift_walk, draining_past_the_timeout_fails_and_wait_for_draining_skips_it)
{
    struct fixture x;
    struct bg_shift_members m;

    setup(&x, 1, 1);
    x.f.drain_s = 1000;
    x.cfg.health_timeout_s = 10;
    cr_expect_lt(walk(&x, &m), 0);
    cr_expect(diag_has(&x, "Draining did not end"));
    cr_expect(diag_has(&x, "old1 was still draining after 10 s"));
    teardown(&x);

    setup(&x, 1, 1);
    x.f.drain_s = 1000;
    x.cfg.wait_for_draining = false;
    cr_expect_eq(walk(&x, &m), 0);
    cr_expect_float_eq(x.f.t, 0, 1e-9, "no wait at all: %f", x.f.t);
    teardown(&x);
}

/* ---- soak ------------------------------------------------------------------------------- */

Test(resources_traffic_shift_walk, soaks_between_steps_and_reports_time_left_every_30_s)
{
    struct fixture x;
    struct bg_shift_members m;
    const char *log, *p;

    setup(&x, 3, 3);
    x.cfg.soak_s = 300;
    cr_expect_eq(walk(&x, &m), 0);
    cr_expect_str_eq(x.f.log, "+new1 -old1 +new2 -old2 +new3 -old3");
    cr_expect_float_eq(x.f.t, 5 * 300, 1e-6, "soaks between the 6 steps only: %f", x.f.t);
    log = log_text(&x);
    /* 300 s left, 270 s, ... 30 s: ten lines per soak, never more than 30 s apart */
    cr_expect_eq(count(log, "\"phase\":\"soak\""), 5 * 10, "%s", log);
    cr_expect(strstr(log, "soak before step 2/6: 300 s of 300 s left") != NULL, "%s", log);
    cr_expect(strstr(log, "soak before step 6/6: 30 s of 300 s left") != NULL, "%s", log);
    p = strstr(log, "soak before step 2/6: 30 s of 300 s left");
    cr_expect(p != NULL && strstr(p, "step 2/6: deregister old1, 25% -> 33%") != NULL, "%s", log);
    teardown(&x);
}

Test(resources_traffic_shift_walk, a_short_soak_still_reports_at_least_twice)
{
    struct fixture x;
    struct bg_shift_members m;
    const char *log;

    setup(&x, 1, 1);
    x.cfg.soak_s = 12;
    cr_expect_eq(walk(&x, &m), 0);
    log = log_text(&x);
    cr_expect_geq(count(log, "soak before step 2/2"), 2, "%s", log);
    cr_expect(strstr(log, "12 s of 12 s left") != NULL, "%s", log);
    cr_expect(strstr(log, "8 s of 12 s left") != NULL, "%s", log);
    teardown(&x);
}

/* ---- on_failure ------------------------------------------------------------------------- */

static void fail_second_new(struct fixture *x, enum bg_shift_failure mode)
{
    struct bg_shift_members m;

    setup(x, 3, 3);
    x->f.sick = "new2";
    x->cfg.health_timeout_s = 10;
    x->cfg.on_failure = mode;
    cr_expect_lt(walk(x, &m), 0);
    cr_expect(diag_has(x, "Health gate failed"));
    cr_expect(diag_has(x, "Traffic shift stopped after a failed step"));
}

Test(resources_traffic_shift_walk, rollback_step_removes_the_failed_target_and_restores_the_old_one)
{
    struct fixture x;

    fail_second_new(&x, BG_SHIFT_ROLLBACK_STEP);
    cr_expect_str_eq(x.f.log, "+new1 -old1 +new2 -new2 +old1");
    cr_expect_str_eq(members_now(&x), "old1 old2 old3 new1");
    cr_expect(diag_has(&x, "rollback_step\": 2 step(s) undone; 25%"));
    cr_expect(strstr(log_text(&x), "rollback register old1: healthy, 25% on to_targets") != NULL);
    teardown(&x);
}

Test(resources_traffic_shift_walk, rollback_all_walks_back_to_the_membership_before_the_apply)
{
    struct fixture x;

    fail_second_new(&x, BG_SHIFT_ROLLBACK_ALL);
    cr_expect_str_eq(x.f.log, "+new1 -old1 +new2 -new2 +old1 -new1");
    cr_expect_str_eq(members_now(&x), "old1 old2 old3");
    cr_expect(diag_has(&x, "3 step(s) undone; 0%"));
    teardown(&x);
}

Test(resources_traffic_shift_walk, halt_stops_where_it_is)
{
    struct fixture x;

    fail_second_new(&x, BG_SHIFT_HALT);
    cr_expect_str_eq(x.f.log, "+new1 -old1 +new2");
    cr_expect_str_eq(members_now(&x), "old2 old3 new1 new2");
    cr_expect(diag_has(&x, "0 step(s) undone; 50%"));
    teardown(&x);
}

Test(resources_traffic_shift_walk, a_refused_aws_call_is_a_diagnostic_with_the_aws_code)
{
    struct fixture x;
    struct bg_shift_members m;

    setup(&x, 3, 3);
    x.f.fail_change = 3; /* the register of new2 */
    cr_expect_lt(walk(&x, &m), 0);
    cr_expect(diag_has(&x, "RegisterTargets on " ARN ": InvalidTarget"));
    /* rollback_step: new2 was never registered, so only old1 comes back */
    cr_expect_str_eq(x.f.log, "+new1 -old1 +old1");
    teardown(&x);
}

/* ---- stop and resume -------------------------------------------------------------------- */

Test(resources_traffic_shift_walk, stop_during_a_health_wait_pauses_and_the_next_run_gates_first)
{
    struct fixture x;
    struct bg_shift_members m;
    const char *log;

    setup(&x, 3, 3);
    x.f.healthy_after = 30;
    x.f.stop_at = 10;
    cr_expect_eq(walk(&x, &m), BG_ERETRY);
    cr_expect(diag_has(&x, "Traffic shift paused"));
    cr_expect_eq(x.d.errors, 0, "a stop is not an error");
    cr_expect_str_eq(x.f.log, "+new1");
    cr_expect_leq(x.f.t, 10 + BG_CLOCK_SLICE + 1e-9, "noticed within a slice: %f", x.f.t);
    log = log_text(&x);
    cr_expect(strstr(log, "walk paused") != NULL, "%s", log);

    /* the next apply: new1 is registered but was never seen healthy */
    atomic_store(&x.f.stop, false);
    x.f.stop_at = -1;
    cr_expect_eq(walk(&x, &m), 0);
    cr_expect_str_eq(x.f.log, "+new1 -old1 +new2 -old2 +new3 -old3", "nothing done twice");
    cr_expect_geq(x.f.t, 30, "new1 was gated before old1 left: %f", x.f.t);
    log = log_text(&x);
    cr_expect(strstr(log, "resume: register new1, 25% -> 25% on to_targets") != NULL, "%s", log);
    cr_expect(strstr(log, "resumed register new1: healthy") != NULL, "%s", log);
    teardown(&x);
}

Test(resources_traffic_shift_walk, a_stop_that_cuts_a_health_poll_short_pauses_without_rollback)
{
    struct fixture x;
    struct bg_shift_members m;

    setup(&x, 3, 3);
    x.f.healthy_after = 30;
    x.f.cancel_describe = 3; /* 1: the plan's, 2: the first poll, 3: a later poll */
    cr_expect_eq(walk(&x, &m), BG_ERETRY);
    cr_expect(diag_has(&x, "Traffic shift paused"));
    cr_expect_not(diag_has(&x, "failed step"), "a stop is no failure: no rollback");
    cr_expect_eq(x.d.errors, 0, "a stop is not an error");
    cr_expect_str_eq(x.f.log, "+new1", "new1 stays registered for the next run to gate");
    cr_expect_eq(x.f.describes, 3, "nothing is asked of AWS after the stop");

    atomic_store(&x.f.stop, false);
    cr_expect_eq(walk(&x, &m), 0);
    cr_expect_str_eq(x.f.log, "+new1 -old1 +new2 -old2 +new3 -old3", "nothing done twice");
    teardown(&x);
}

Test(resources_traffic_shift_walk, a_stop_that_cuts_a_register_call_short_pauses_and_resumes)
{
    struct fixture x;
    struct bg_shift_members m;

    setup(&x, 3, 3);
    x.f.cancel_change = 3; /* +new1 -old1, then the call for +new2 is cut short */
    cr_expect_eq(walk(&x, &m), BG_ERETRY);
    cr_expect(diag_has(&x, "Traffic shift paused"));
    cr_expect_eq(x.d.errors, 0, "%s", x.d.head != NULL ? x.d.head->summary : "");
    cr_expect_str_eq(x.f.log, "+new1 -old1");

    atomic_store(&x.f.stop, false);
    cr_expect_eq(walk(&x, &m), 0);
    cr_expect_str_eq(x.f.log, "+new1 -old1 +new2 -old2 +new3 -old3");
    cr_expect_str_eq(members_now(&x), "new1 new2 new3");
    teardown(&x);
}

Test(resources_traffic_shift_walk, stop_during_a_soak_pauses_between_steps_and_resume_finishes)
{
    struct fixture x;
    struct bg_shift_members m;

    setup(&x, 3, 3);
    x.cfg.soak_s = 100;
    x.f.stop_at = 150; /* in the soak after step 2 */
    cr_expect_eq(walk(&x, &m), BG_ERETRY);
    cr_expect_str_eq(x.f.log, "+new1 -old1");
    cr_expect_leq(x.f.t, 150 + BG_CLOCK_SLICE + 1e-9, "%f", x.f.t);
    cr_expect(diag_has(&x, "33% of the managed targets on to_targets"));

    atomic_store(&x.f.stop, false);
    x.f.stop_at = -1;
    cr_expect_eq(walk(&x, &m), 0);
    cr_expect_str_eq(x.f.log, "+new1 -old1 +new2 -old2 +new3 -old3");
    cr_expect_str_eq(members_now(&x), "new1 new2 new3");
    teardown(&x);
}

Test(resources_traffic_shift_walk, stop_before_the_first_step_changes_nothing)
{
    struct fixture x;
    struct bg_shift_members m;

    setup(&x, 1, 1);
    atomic_store(&x.f.stop, true);
    cr_expect_eq(walk(&x, &m), BG_ERETRY);
    cr_expect_str_eq(x.f.log, "");
    teardown(&x);
}

Test(resources_traffic_shift_walk, resumes_from_an_intermediate_membership_with_only_what_is_left)
{
    struct fixture x;
    struct bg_shift_members m;
    const char *log;

    /* an earlier apply got as far as +new1 -old1 +new2 (new2 healthy) and was killed */
    setup(&x, 3, 3);
    x.f.tg[0].registered = false;
    x.f.tg[0].since = -1e6; /* old1 drained long ago */
    x.f.tg[x.f.n++] = (struct ftarget){"new1", true, -1e6};
    x.f.tg[x.f.n++] = (struct ftarget){"new2", true, -1e6};
    cr_expect_eq(walk(&x, &m), 0);
    cr_expect_str_eq(x.f.log, "-old2 +new3 -old3");
    log = log_text(&x);
    cr_expect(strstr(log, "step 1/3: deregister old2, 50% -> 66% on to_targets") != NULL, "%s",
              log);
    cr_expect_eq(count(log, "resume:"), 0, "healthy targets need no gate");
    teardown(&x);
}

Test(resources_traffic_shift_walk, restore_walks_back_to_from_targets_through_the_gates)
{
    struct fixture x;
    struct bg_shift_members m;

    setup(&x, 2, 2);
    x.f.tg[0].registered = false;
    x.f.tg[x.f.n++] = (struct ftarget){"new1", true, -1e6};
    x.f.tg[x.f.n++] = (struct ftarget){"new2", true, -1e6};
    x.f.healthy_after = 3;
    cr_assert_eq(bg_shift__describe(&m, &x.call, &x.env.elbv2, ARN), 0);
    cr_expect_eq(bg_shift__run_restore(&m, &x.call, &x.env, &x.cfg), 0);
    /* the planner's rule in reverse: the group never shrinks below |to_targets| = 2 */
    cr_expect_str_eq(x.f.log, "-new1 +old1 -new2");
    cr_expect_str_eq(members_now(&x), "old1 old2");
    cr_expect_geq(x.f.t, 3, "old1 had to be healthy before new2 left");
    teardown(&x);
}

/* ---- estimate --------------------------------------------------------------------------- */

Test(resources_traffic_shift_walk, estimate_counts_soaks_between_steps_and_known_drain_delays)
{
    struct fixture x;
    struct bg_shift_members m;
    struct bg_error err = BG_ERROR_INIT;
    struct bg_walk_input in;
    struct bg_walk_plan p;

    setup(&x, 3, 3);
    x.cfg.soak_s = 300;
    cr_assert_eq(bg_shift__describe(&m, &x.call, &x.env.elbv2, ARN), 0);
    bg_shift__walk_input(&in, &x.cfg, &m);
    cr_assert_eq(bg_walk_plan(&p, x.a, &in, &err), 0);
    cr_expect_eq(bg_shift__estimate(&x.cfg, &p, 60), 5 * 300 + 3 * 60);
    cr_expect_eq(bg_shift__estimate(&x.cfg, &p, -1), 5 * 300, "unknown delay: soaks only");
    x.cfg.wait_for_draining = false;
    cr_expect_eq(bg_shift__estimate(&x.cfg, &p, 60), 5 * 300);
    p.n_steps = 1;
    cr_expect_eq(bg_shift__estimate(&x.cfg, &p, 60), 0, "one step: no soak");
    p.n_steps = 0;
    cr_expect_eq(bg_shift__estimate(&x.cfg, &p, 60), 0);
    teardown(&x);
}
