/*
 * traffic_shift_walk.c - executes a traffic-shift walk against ELBv2: each register waits for
 * the target to be healthy, each deregister for draining to end, then the soak; failures are
 * handled per on_failure; StopProvider ends the walk at the next safe point.
 *
 * Nothing here remembers progress: AWS membership is the record. A walk cut short (error,
 * stop, killed process) is continued by planning again from the refreshed membership; the
 * only state carried over is a registered target that was never seen healthy, which the next
 * run gates before taking any new step (resume_gate).
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "traffic_shift.h"

enum { STOPPED = 1 }; /* positive: not an error, the walk yields to StopProvider */
enum wait_for { WAIT_HEALTHY, WAIT_GONE };

struct run {
    struct bg_call *call;
    struct bg_aws_client *c;
    const struct bg_shift_cfg *cfg;
    struct bg_shift_members *m; /* latest snapshot */
    bool fresh;                 /* m reflects every change made so far */
    struct bg_walk_step *done;  /* steps taken by this run, for rollback */
    size_t n_done, cap_done;
};

static double now_s(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static bool stop_requested(const struct run *r)
{
    return r->call->stop != NULL && atomic_load(r->call->stop);
}

/* Sleeps up to seconds in short slices so StopProvider is noticed within 100 ms. */
static int nap(const struct run *r, double seconds)
{
    double end = now_s() + seconds;

    while (now_s() < end) {
        double left = end - now_s();
        long ns = (long)((left < 0.1 ? left : 0.1) * 1e9);
        struct timespec ts = {0, ns > 0 ? ns : 0};

        if (stop_requested(r))
            return STOPPED;
        nanosleep(&ts, NULL);
    }
    return stop_requested(r) ? STOPPED : 0;
}

static int refresh(struct run *r)
{
    int rc = bg_shift__describe(r->m, r->call, r->c, r->cfg->arn);

    r->fresh = rc == 0;
    return rc;
}

static const char *state_of(const struct run *r, const struct bg_walk_target *t,
                            const char **reason)
{
    size_t i = 0;
    const struct bg_walk_member *x = bg_shift__member_find(r->m, t, &i);

    *reason = x != NULL ? r->m->reasons[i] : "";
    return x != NULL && x->state != NULL ? x->state : "gone";
}

static void log_step(const struct run *r, const struct bg_walk_step *s, const char *state,
                     const char *what)
{
    char id[256], fields[512];

    bg_log_escape(id, sizeof(id), s->target.id);
    snprintf(fields, sizeof(fields),
             "\"action\":\"%s\",\"target\":\"%s\",\"state\":\"%s\",\"percent\":%d",
             bg_walk_action_name(s->action), id, state, s->percent);
    bg_log(r->call->log, BG_LOG_INFO, "traffic_shift", fields, "%s %s %s: %s, %d%% on to_targets",
           what, bg_walk_action_name(s->action), s->target.id, state, s->percent);
}

static void wait_failed(struct run *r, const struct bg_walk_target *t, enum wait_for want,
                        const char *state, const char *reason)
{
    const char *why = *reason != '\0' ? reason : "no reason given";

    if (want == WAIT_GONE)
        bg_diag_error(r->call->diags, NULL, "Draining did not end",
                      "%s was still %s after %lld s (health_timeout_seconds).", t->id, state,
                      (long long)r->cfg->health_timeout_s);
    else if (strcmp(state, "gone") == 0)
        bg_diag_error(r->call->diags, NULL, "Health gate failed",
                      "%s was deregistered by someone else while waiting for it to be healthy.",
                      t->id);
    else
        bg_diag_error(r->call->diags, NULL, "Health gate failed",
                      "%s was still %s (%s) after %lld s (health_timeout_seconds); only "
                      "\"healthy\" passes the gate.",
                      t->id, state, why, (long long)r->cfg->health_timeout_s);
}

static bool wait_met(enum wait_for want, const char *state)
{
    if (want == WAIT_HEALTHY)
        return strcmp(state, "healthy") == 0;
    return strcmp(state, "gone") == 0 || strcmp(state, "unused") == 0;
}

/* Polls DescribeTargetHealth every poll_interval_seconds until t is healthy (WAIT_HEALTHY:
 * initial and unhealthy keep waiting) or has left the group (WAIT_GONE: draining ended),
 * for at most health_timeout_seconds. */
static int wait_target(struct run *r, const struct bg_walk_target *t, enum wait_for want)
{
    double deadline = now_s() + (double)r->cfg->health_timeout_s;
    const char *state, *reason;
    int rc;

    for (;;) {
        rc = refresh(r);
        if (rc != 0)
            return rc;
        state = state_of(r, t, &reason);
        if (wait_met(want, state))
            return 0;
        if ((want == WAIT_HEALTHY && strcmp(state, "gone") == 0) || now_s() >= deadline)
            break;
        rc = nap(r, (double)r->cfg->poll_s);
        if (rc != 0)
            return rc;
    }
    wait_failed(r, t, want, state, reason);
    return BG_ERETRY;
}

/* The last healthy target is never deregistered: with no other healthy target the load
 * balancer would fail open and send traffic to everything. */
static int guard_last_healthy(struct run *r, const struct bg_walk_target *t)
{
    size_t i, self = (size_t)-1;

    if (!r->fresh && refresh(r) != 0)
        return BG_EPROTO;
    bg_shift__member_find(r->m, t, &self);
    for (i = 0; i < r->m->n; i++) {
        const char *st = r->m->items[i].state;

        if (i != self && st != NULL && strcmp(st, "healthy") == 0)
            return 0;
    }
    bg_diag_error(r->call->diags, NULL, "Refusing to deregister the last healthy target",
                  "Deregistering %s would leave %s without a healthy target.", t->id, r->cfg->arn);
    return BG_ECONFLICT;
}

static int call_aws(struct run *r, enum bg_walk_action action, const struct bg_walk_target *t)
{
    struct bg_aws_target at = {t->id, t->port};
    struct bg_error err = BG_ERROR_INIT;
    int rc;

    if (action == BG_WALK_REGISTER)
        rc = bg_aws_elbv2_register_targets(r->c, r->cfg->arn, &at, 1, &err);
    else
        rc = bg_aws_elbv2_deregister_targets(r->c, r->cfg->arn, &at, 1, &err);
    if (rc != 0)
        return bg_shift__aws_diag(
            r->call, action == BG_WALK_REGISTER ? "RegisterTargets" : "DeregisterTargets",
            r->cfg->arn, &err);
    r->fresh = false;
    return 0;
}

static void record(struct run *r, const struct bg_walk_step *s)
{
    if (r->n_done == r->cap_done) {
        size_t cap = r->cap_done > 0 ? 2 * r->cap_done : 8;
        struct bg_walk_step *grown = bg_arena_calloc(r->call->arena, cap, sizeof(*grown));

        if (r->n_done > 0)
            memcpy(grown, r->done, r->n_done * sizeof(*grown));
        r->done = grown;
        r->cap_done = cap;
    }
    r->done[r->n_done++] = *s;
}

/* One step: the AWS call, then its gate (health for a register, draining for a
 * deregister). A step whose call succeeded is recorded even if its gate fails. */
static int take_step(struct run *r, const struct bg_walk_step *s)
{
    int rc = 0;

    if (s->action == BG_WALK_DEREGISTER)
        rc = guard_last_healthy(r, &s->target);
    if (rc == 0)
        rc = call_aws(r, s->action, &s->target);
    if (rc != 0)
        return rc;
    record(r, s);
    if (s->action == BG_WALK_REGISTER)
        return wait_target(r, &s->target, WAIT_HEALTHY);
    return r->cfg->wait_for_draining ? wait_target(r, &s->target, WAIT_GONE) : 0;
}

static int percent_now(const struct run *r, int fallback)
{
    struct bg_walk_input in;

    if (!r->fresh)
        return fallback;
    bg_shift__walk_input(&in, r->cfg, r->m);
    return bg_walk_percent(&in);
}

static void log_done(const struct run *r, const struct bg_walk_step *s, const char *what)
{
    struct bg_walk_step shown = *s;
    const char *reason;

    shown.percent = percent_now(r, s->percent);
    log_step(r, &shown, r->fresh ? state_of(r, &s->target, &reason) : "unknown", what);
}

/* Undoes a recorded step through the same gates (a re-registered target must be healthy). */
static int undo(struct run *r, const struct bg_walk_step *s)
{
    struct bg_walk_step u = *s;
    int rc = 0;

    u.action = s->action == BG_WALK_REGISTER ? BG_WALK_DEREGISTER : BG_WALK_REGISTER;
    if (u.action == BG_WALK_DEREGISTER)
        rc = guard_last_healthy(r, &u.target);
    if (rc == 0)
        rc = call_aws(r, u.action, &u.target);
    if (rc == 0 && u.action == BG_WALK_REGISTER)
        rc = wait_target(r, &u.target, WAIT_HEALTHY);
    else if (rc == 0 && r->cfg->wait_for_draining)
        rc = wait_target(r, &u.target, WAIT_GONE);
    if (rc == 0)
        log_done(r, &u, "rollback");
    return rc;
}

/* How many recorded steps survive the rollback: rollback_step undoes the failed step and,
 * for a failed register, the deregister just before it; rollback_all undoes them all. */
static size_t steps_kept(const struct run *r, const struct bg_walk_step *failed, bool taken)
{
    size_t keep = r->n_done;

    if (r->cfg->on_failure == BG_SHIFT_HALT)
        return keep;
    if (r->cfg->on_failure == BG_SHIFT_ROLLBACK_ALL)
        return 0;
    if (taken)
        keep--;
    if (failed->action == BG_WALK_REGISTER && keep > 0 &&
        r->done[keep - 1].action == BG_WALK_DEREGISTER)
        keep--;
    return keep;
}

static void fail(struct run *r, const struct bg_walk_step *failed, bool taken)
{
    static const char *const names[] = {"rollback_step", "rollback_all", "halt"};
    size_t keep = steps_kept(r, failed, taken), undone = 0;
    int rc = 0;

    while (rc == 0 && r->n_done > keep) {
        rc = undo(r, &r->done[r->n_done - 1]);
        if (rc == 0) {
            r->n_done--;
            undone++;
        }
    }
    if (rc == 0 && !r->fresh)
        rc = refresh(r);
    bg_diag_warn(r->call->diags, NULL, "Traffic shift stopped after a failed step",
                 "on_failure = \"%s\": %zu step(s) undone%s; %d%% of the managed targets are "
                 "to_targets now. The next plan starts from this membership.",
                 names[r->cfg->on_failure], undone,
                 rc != 0 ? " before the rollback itself failed" : "",
                 percent_now(r, failed->percent));
}

/* Gates to_targets that an earlier, interrupted run registered but never saw healthy:
 * continuing past them would skip their health gate. */
static int resume_gate(struct run *r)
{
    size_t i;
    int rc;

    for (i = 0; i < r->cfg->n_to; i++) {
        const struct bg_walk_member *x = bg_shift__member_find(r->m, &r->cfg->to[i], NULL);
        struct bg_walk_step s = {BG_WALK_REGISTER, {NULL, 0}, 0, 0};

        if (!bg_shift__is_registered(x) || (x->state != NULL && strcmp(x->state, "healthy") == 0))
            continue;
        s.target.id = x->id;
        s.target.port = x->port;
        s.percent = percent_now(r, 0);
        rc = wait_target(r, &s.target, WAIT_HEALTHY);
        if (rc < 0) {
            record(r, &s);
            fail(r, &s, true);
        }
        if (rc != 0)
            return rc;
        log_done(r, &s, "resumed");
    }
    return 0;
}

/* The soak comes between steps: after the last one the apply ends and nothing follows that
 * the soak would protect. */
static int walk_steps(struct run *r, const struct bg_walk_plan *walk)
{
    size_t i, before;
    int rc = 0;

    for (i = 0; i < walk->n_steps; i++) {
        if (i > 0 && r->cfg->soak_s > 0)
            rc = nap(r, (double)r->cfg->soak_s);
        else if (stop_requested(r))
            rc = STOPPED;
        if (rc != 0)
            return rc;
        before = r->n_done;
        rc = take_step(r, &walk->steps[i]);
        if (rc < 0)
            fail(r, &walk->steps[i], r->n_done > before);
        if (rc != 0)
            return rc;
        log_done(r, &walk->steps[i], "step");
    }
    return 0;
}

static int finish(struct run *r, int rc)
{
    struct bg_shift_members last = *r->m;

    /* The state must show what AWS holds now; if even that fails, the last snapshot will
     * do: the next refresh corrects it. */
    if (!r->fresh && refresh(r) != 0)
        *r->m = last;
    if (rc != STOPPED)
        return rc;
    bg_diag_warn(r->call->diags, NULL, "Traffic shift paused",
                 "Terraform asked the provider to stop. The walk ended at a safe point with "
                 "%d%% of the managed targets on to_targets; run terraform apply again to "
                 "continue from the real membership.",
                 percent_now(r, 0));
    return BG_ERETRY;
}

int bg_shift__run_forward(struct bg_shift_members *members, struct bg_call *call,
                          struct bg_aws_client *c, const struct bg_shift_cfg *cfg,
                          const struct bg_walk_plan *walk)
{
    struct run r;
    int rc;

    memset(&r, 0, sizeof(r));
    r.call = call;
    r.c = c;
    r.cfg = cfg;
    r.m = members;
    r.fresh = true;
    rc = resume_gate(&r);
    if (rc == 0)
        rc = walk_steps(&r, walk);
    return finish(&r, rc);
}

int bg_shift__run_restore(struct bg_shift_members *members, struct bg_call *call,
                          struct bg_aws_client *c, const struct bg_shift_cfg *cfg)
{
    struct bg_shift_cfg halt = *cfg;
    struct bg_error err = BG_ERROR_INIT;
    struct bg_walk_input in;
    struct bg_walk_plan walk;
    struct run r;

    /* Rolling back a restore would walk forward again: a failed restore just stops. */
    halt.on_failure = BG_SHIFT_HALT;
    bg_shift__walk_input(&in, &halt, members);
    if (bg_walk_plan_reverse(&walk, call->arena, &in, &err) != 0)
        return bg_diag_from_error(call->diags, NULL, "Cannot plan the restore walk", &err);
    memset(&r, 0, sizeof(r));
    r.call = call;
    r.c = c;
    r.cfg = &halt;
    r.m = members;
    r.fresh = true;
    return finish(&r, walk_steps(&r, &walk));
}
