/*
 * weighted_shift_run.c - executes a weighted walk: before each step the group about to gain
 * weight must have every registered target healthy (at least one), waited for up to
 * health_timeout_seconds, and no alarm of alarm_names may be in ALARM; the step moves the
 * forward weights; the soak that follows watches the same group (no target unhealthy, one
 * healthy at least) and the alarms every poll_interval_seconds. A failed step is handled
 * per on_failure; a stop request ends the walk at the next poll.
 *
 * Nothing here remembers progress: the listener's weights are the record. Everything outside
 * (AWS, clock, sleeping) comes through struct bg_ws_world, so unit tests drive the executor
 * with a fake clock and a scripted world.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "weighted_shift.h"

enum { STOPPED = 1 }; /* positive: not an error, the walk yields to a stop request */

static const char *const failure_names[] = {"rollback_step", "rollback_all", "halt"};

/* The group that gains weight when the share moves from -> to. */
static const char *gaining(const struct bg_ws_run *r, int from, int to)
{
    return to > from ? r->cfg->to : r->cfg->from;
}

static const char *side_of(const struct bg_ws_run *r, const char *tg)
{
    return tg == r->cfg->to ? "to_target_group_arn" : "from_target_group_arn";
}

static const struct bg_path *attr(const struct bg_ws_run *r, const char *name)
{
    return bg_path_attr(r->arena, NULL, name);
}

static double now(const struct bg_ws_run *r)
{
    return r->w->clock->now(r->w->clock->ctx);
}

static int nap(const struct bg_ws_run *r, double seconds)
{
    return bg_clock_nap(r->w->clock, seconds, r->w->stop) != 0 ? STOPPED : 0;
}

static bool stop_requested(const struct bg_ws_run *r)
{
    return r->w->stop != NULL && atomic_load(r->w->stop);
}

static void progress(const struct bg_ws_run *r, const char *phase, int from, int share,
                     const char *fmt, ...) BG_PRINTF(5, 6);

static void progress(const struct bg_ws_run *r, const char *phase, int from, int share,
                     const char *fmt, ...)
{
    char fields[128], msg[256];
    va_list ap;

    if (from >= 0)
        snprintf(fields, sizeof(fields), "\"phase\":\"%s\",\"from_percent\":%d,\"percent\":%d",
                 phase, from, share);
    else
        snprintf(fields, sizeof(fields), "\"phase\":\"%s\",\"percent\":%d", phase, share);
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    r->w->progress(r->w->ctx, fields, msg);
}

/* An AWS call that failed. One cut short by the stop request is the stop itself (the walk
 * pauses where it is, nothing rolled back); anything else is an error diagnostic. */
static int world_failed(const struct bg_ws_run *r, const char *what, const struct bg_error *err)
{
    if (err->code == BG_ECANCELED)
        return STOPPED;
    bg_diag_error(r->diags, NULL, "AWS call failed",
                  "%s: %s. The listener's weights are the record of progress: the next apply "
                  "continues from them.",
                  what, err->msg);
    return err->code != 0 ? err->code : BG_EPROTO;
}

static int read_health(const struct bg_ws_run *r, const char *tg, struct bg_ws_health *h)
{
    struct bg_error err = BG_ERROR_INIT;

    if (r->w->health(r->w->ctx, tg, h, &err) != 0)
        return world_failed(r, "DescribeTargetHealth", &err);
    return 0;
}

static int check_alarms(const struct bg_ws_run *r, const char *when, int share)
{
    struct bg_error err = BG_ERROR_INIT;
    struct bg_ws_alarms al;

    if (r->cfg->n_alarms == 0)
        return 0;
    if (r->w->alarms(r->w->ctx, &al, &err) != 0)
        return world_failed(r, "DescribeAlarms", &err);
    if (al.firing == NULL)
        return 0;
    bg_diag_error(r->diags, attr(r, "alarm_names"), "Alarm gate failed",
                  "CloudWatch alarm \"%s\" is in ALARM (%s) %s %d%%.", al.firing,
                  al.reason != NULL && al.reason[0] != '\0' ? al.reason : "no reason given", when,
                  share);
    return BG_ECONFLICT;
}

static bool all_healthy(const struct bg_ws_health *h)
{
    return h->registered > 0 && h->healthy == h->registered;
}

static bool serving(const struct bg_ws_health *h)
{
    return h->healthy > 0 && h->failing == 0;
}

static void health_failed(const struct bg_ws_run *r, const char *tg, const struct bg_ws_health *h,
                          const char *when, int share)
{
    const char *why = h->reason != NULL && h->reason[0] != '\0' ? h->reason : "no reason given";

    if (h->registered == 0)
        bg_diag_error(r->diags, attr(r, side_of(r, tg)), "Health gate failed",
                      "%s has no registered target %s %d%%: an empty target group never gets "
                      "weight.",
                      tg, when, share);
    else
        bg_diag_error(r->diags, attr(r, side_of(r, tg)), "Health gate failed",
                      "%s has %zu of %zu registered targets healthy %s %d%%: %s is %s (%s).", tg,
                      h->healthy, h->registered, when, share, h->example, h->state, why);
}

/* Before a step: every registered target of tg healthy and at least one, within
 * health_timeout_seconds; then no alarm in ALARM. */
static int gate(const struct bg_ws_run *r, const char *tg, int next)
{
    double deadline = now(r) + (double)r->cfg->health_timeout_s;
    struct bg_ws_health h;
    int rc;

    for (;;) {
        rc = read_health(r, tg, &h);
        if (rc != 0)
            return rc;
        if (all_healthy(&h))
            break;
        if (now(r) >= deadline) {
            health_failed(r, tg, &h, "after health_timeout_seconds, before the step to", next);
            return BG_ERETRY;
        }
        rc = nap(r, (double)r->cfg->poll_s);
        if (rc != 0)
            return rc;
    }
    return check_alarms(r, "before the step to", next);
}

/* After a step: tg keeps serving (no target failing, one healthy at least) and no alarm
 * fires, checked every poll_interval_seconds for soak_seconds (once when 0). */
static int soak(const struct bg_ws_run *r, const char *tg)
{
    double end = now(r) + (double)r->cfg->soak_s, report = now(r) + 30, t;
    struct bg_ws_health h;
    int rc;

    if (r->cfg->soak_s > 0)
        progress(r, "soak", -1, r->share, "soak of %lld s at %d%% begins",
                 (long long)r->cfg->soak_s, r->share);
    for (;;) {
        rc = read_health(r, tg, &h);
        if (rc == 0 && !serving(&h)) {
            health_failed(r, tg, &h, "during the soak at", r->share);
            rc = BG_ERETRY;
        }
        if (rc == 0)
            rc = check_alarms(r, "during the soak at", r->share);
        t = now(r);
        if (rc != 0 || t >= end)
            return rc;
        if (t >= report) {
            progress(r, "soak", -1, r->share, "soaking at %d%%, %.0f s left", r->share, end - t);
            report += 30;
        }
        rc = nap(r, end - t < (double)r->cfg->poll_s ? end - t : (double)r->cfg->poll_s);
        if (rc != 0)
            return rc;
    }
}

static int move(struct bg_ws_run *r, int share)
{
    struct bg_error err = BG_ERROR_INIT;
    const char *attr_name = NULL;

    if (r->w->set_share(r->w->ctx, r->share, share, &err) != 0) {
        if (err.code != BG_ECONFLICT)
            return world_failed(r, "Setting the forward weights", &err);
        bg_ws__subject(r->cfg, &attr_name);
        bg_diag_error(r->diags, attr(r, attr_name), "Weights changed during the walk", "%s.",
                      err.msg);
        return BG_ECONFLICT;
    }
    r->share = share;
    progress(r, "weights", -1, share, "forward weights set: %d%% to to_target_group_arn", share);
    return 0;
}

/* Gives the weight back to target_share, if the group gaining it can serve (checked once:
 * a rollback must be quick, and the group served before this step). */
static int rollback(struct bg_ws_run *r, int target_share)
{
    const char *tg = gaining(r, r->share, target_share);
    struct bg_ws_health h;
    int rc = read_health(r, tg, &h);

    if (rc != 0)
        return rc;
    if (!serving(&h)) {
        health_failed(r, tg, &h, "for the rollback to", target_share);
        return BG_ERETRY;
    }
    return move(r, target_share);
}

static void fail(struct bg_ws_run *r, int before)
{
    int target = r->share, from = r->share, rc = 0;

    if (r->cfg->on_failure == BG_WS_ROLLBACK_STEP)
        target = before;
    else if (r->cfg->on_failure == BG_WS_ROLLBACK_ALL)
        target = r->start;
    if (target != r->share)
        rc = rollback(r, target);
    bg_diag_warn(r->diags, NULL, "Weighted shift stopped after a failed step",
                 "on_failure = \"%s\": %s; to_target_group_arn has %d%% of the pair's weights "
                 "now. The next plan starts from these weights.",
                 failure_names[r->cfg->on_failure],
                 target == from ? "weights left as they were"
                 : rc == 0      ? bg_arena_printf(r->arena, "weights moved back from %d%%", from)
                                : "the rollback itself failed",
                 r->share);
}

static int step(struct bg_ws_run *r, int next, size_t i, size_t n)
{
    int before = r->share, rc;
    const char *tg = gaining(r, before, next);

    if (stop_requested(r))
        return STOPPED;
    progress(r, "step", before, next, "step %zu/%zu: %d%% -> %d%% to to_target_group_arn", i + 1, n,
             before, next);
    rc = gate(r, tg, next);
    if (rc == 0)
        rc = move(r, next);
    else if (rc < 0)
        fail(r, before);
    if (rc != 0)
        return rc;
    rc = soak(r, tg);
    if (rc < 0)
        fail(r, before);
    return rc;
}

static int finish(struct bg_ws_run *r, int rc)
{
    if (rc != STOPPED)
        return rc;
    r->stopped = true;
    bg_diag_warn(r->diags, NULL, "Weighted shift paused",
                 "Terraform asked the provider to stop. The walk ended at a safe point with %d%% "
                 "of the pair's weights on to_target_group_arn; run terraform apply again to "
                 "continue from the listener's real weights.",
                 r->share);
    return BG_ERETRY;
}

int bg_ws__run(struct bg_ws_run *r, const int *steps, size_t n)
{
    int rc = 0;

    r->share = r->start;
    r->stopped = false;
    /* A share no completed apply left (an interrupted walk, weights set by hand) was never
     * watched through a whole soak: watch it before moving on. Nothing of this apply is
     * undone if that fails. */
    if (r->soak_first && n > 0) {
        progress(r, "resume", -1, r->share, "watching %d%% before the next step", r->share);
        rc = soak(r, gaining(r, r->share, steps[0]));
        if (rc < 0)
            fail(r, r->share);
    }
    for (size_t i = 0; rc == 0 && i < n; i++)
        rc = step(r, steps[i], i, n);
    return finish(r, rc);
}
