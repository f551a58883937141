/*
 * traffic_shift_walk.c - executes a traffic-shift walk against ELBv2: each register waits for
 * the target to be healthy, each deregister for draining to end, then the soak; failures are
 * handled per on_failure; StopProvider ends the walk at the next safe point.
 *
 * Nothing here remembers progress: AWS membership is the record. A walk cut short (error,
 * stop, killed process) is continued by planning again from the refreshed membership; the
 * only state carried over is a registered target that was never seen healthy, which the next
 * run gates before taking any new step (resume_gate).
 *
 * ELBv2 and time come from the env (struct bg_shift_env): the resource passes the real client
 * and the system clock, unit tests a fake target group and a fake clock. Progress is logged
 * at INFO (traffic_shift_progress.c) so a walk with minutes of soak is never silent.
 */
#include <string.h>

#include "traffic_shift_walk.h"

static bool stop_requested(const struct bg_shift_run *r)
{
    return r->call->stop != NULL && atomic_load(r->call->stop);
}

double bg_shift__now(const struct bg_shift_run *r)
{
    return r->env->clock->now(r->env->clock->ctx);
}

static int nap(const struct bg_shift_run *r, double seconds)
{
    return bg_clock_nap(r->env->clock, seconds, r->call->stop) != 0 ? BG_SHIFT_STOPPED : 0;
}

/* An AWS call cut short by a stop request (BG_ECANCELED: the HTTP client aborts transfers in
 * flight) is a pause at a safe point, like a stop between steps: no error diagnostic and no
 * rollback. Whether an aborted RegisterTargets reached AWS is unknown here; the next plan
 * reads the membership again and resume_gate gates such a target. */
static int aws_failed(struct bg_shift_run *r, const char *action, const struct bg_error *err)
{
    if (err->code == BG_ECANCELED || stop_requested(r))
        return BG_SHIFT_STOPPED;
    return bg_shift__aws_diag(r->call, action, r->cfg->arn, err);
}

static int refresh(struct bg_shift_run *r)
{
    struct bg_error err = BG_ERROR_INIT;
    int rc = bg_shift__describe_quiet(r->m, r->call->arena, &r->env->elbv2, r->cfg->arn, &err);

    r->fresh = rc == 0;
    return rc == 0 ? 0 : aws_failed(r, "DescribeTargetHealth", &err);
}

struct bg_shift_seen bg_shift__seen(const struct bg_shift_run *r, const struct bg_walk_target *t)
{
    struct bg_shift_seen s = {false, BG_TARGET_UNKNOWN, "gone", ""};
    size_t i = 0;
    const struct bg_walk_member *x = bg_shift__member_find(r->m, t, &i);

    if (x == NULL)
        return s;
    s.present = true;
    s.health = x->health;
    s.state = x->state != NULL && *x->state != '\0' ? x->state : bg_target_health_name(x->health);
    s.reason = r->m->reasons[i] != NULL ? r->m->reasons[i] : "";
    return s;
}

static void wait_failed(struct bg_shift_run *r, const struct bg_walk_target *t,
                        enum bg_shift_wait want, const struct bg_shift_seen *s)
{
    const char *why = *s->reason != '\0' ? s->reason : "no reason given";

    if (want == BG_SHIFT_WAIT_GONE)
        bg_diag_error(r->call->diags, NULL, "Draining did not end",
                      "%s was still %s after %lld s (health_timeout_seconds).", t->id, s->state,
                      (long long)r->cfg->health_timeout_s);
    else if (!s->present)
        bg_diag_error(r->call->diags, NULL, "Health gate failed",
                      "%s was deregistered by someone else while waiting for it to be healthy.",
                      t->id);
    else
        bg_diag_error(r->call->diags, NULL, "Health gate failed",
                      "%s was still %s (%s) after %lld s (health_timeout_seconds); only "
                      "\"healthy\" passes the gate.",
                      t->id, s->state, why, (long long)r->cfg->health_timeout_s);
}

static bool wait_met(enum bg_shift_wait want, const struct bg_shift_seen *s)
{
    if (want == BG_SHIFT_WAIT_HEALTHY)
        return s->present && s->health == BG_TARGET_HEALTHY;
    return !s->present || s->health == BG_TARGET_UNUSED;
}

/* Polls DescribeTargetHealth every poll_interval_seconds until every target of t[0..n) is
 * healthy (WAIT_HEALTHY: initial and unhealthy keep waiting) or has left the group
 * (WAIT_GONE: draining ended), for at most health_timeout_seconds: one poll covers a whole
 * batch. Every poll that keeps waiting is logged, naming the first target still waited for. */
static int wait_targets(struct bg_shift_run *r, const struct bg_walk_target *t, size_t n,
                        enum bg_shift_wait want)
{
    double start = bg_shift__now(r), deadline = start + (double)r->cfg->health_timeout_s;
    struct bg_shift_seen s;
    size_t i;
    int rc;

    for (;;) {
        rc = refresh(r);
        if (rc != 0)
            return rc;
        for (i = 0; i < n; i++) {
            s = bg_shift__seen(r, &t[i]);
            if (!wait_met(want, &s))
                break;
        }
        if (i == n)
            return 0;
        bg_shift__log_poll(r, &t[i], want, &s, bg_shift__now(r) - start);
        if ((want == BG_SHIFT_WAIT_HEALTHY && !s.present) || bg_shift__now(r) >= deadline)
            break;
        rc = nap(r, (double)r->cfg->poll_s);
        if (rc != 0)
            return rc;
    }
    wait_failed(r, &t[i], want, &s);
    return BG_ERETRY;
}

static int wait_target(struct bg_shift_run *r, const struct bg_walk_target *t,
                       enum bg_shift_wait want)
{
    return wait_targets(r, t, 1, want);
}

/* The last healthy target is never deregistered: with no other healthy target the load
 * balancer would fail open and send traffic to everything. */
static int guard_last_healthy(struct bg_shift_run *r, const struct bg_walk_target *t)
{
    size_t i, self = (size_t)-1;

    if (!r->fresh) {
        int rc = refresh(r);

        if (rc != 0)
            return rc;
    }
    bg_shift__member_find(r->m, t, &self);
    for (i = 0; i < r->m->n; i++) {
        if (i != self && r->m->items[i].health == BG_TARGET_HEALTHY)
            return 0;
    }
    bg_diag_error(r->call->diags, NULL, "Refusing to deregister the last healthy target",
                  "Deregistering %s would leave %s without a healthy target.", t->id, r->cfg->arn);
    return BG_ECONFLICT;
}

/* One AWS call for the targets of s[0..n) (a batch, or one target). */
static int call_aws(struct bg_shift_run *r, enum bg_walk_action action,
                    const struct bg_walk_step *s, size_t n)
{
    struct bg_aws_target *at = bg_arena_calloc(r->call->arena, n + 1, sizeof(*at));
    struct bg_error err = BG_ERROR_INIT;

    for (size_t i = 0; i < n; i++)
        at[i] = (struct bg_aws_target){s[i].target.id, s[i].target.port};
    if (r->env->elbv2.change(r->env->elbv2.ctx, action, r->cfg->arn, at, n, &err) != 0)
        return aws_failed(r, action == BG_WALK_REGISTER ? "RegisterTargets" : "DeregisterTargets",
                          &err);
    r->fresh = false;
    return 0;
}

static void record(struct bg_shift_run *r, const struct bg_walk_step *s)
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

static struct bg_walk_target *targets_of(struct bg_shift_run *r, const struct bg_walk_step *s,
                                         size_t n)
{
    struct bg_walk_target *t = bg_arena_calloc(r->call->arena, n + 1, sizeof(*t));

    for (size_t i = 0; i < n; i++)
        t[i] = s[i].target;
    return t;
}

/* Before targets leave: the last healthy one never does, and a batch never takes the healthy
 * count below where the walk started. */
static int guard_leaving(struct bg_shift_run *r, const struct bg_walk_step *s, size_t n)
{
    int rc = 0;

    if (n == 1)
        return guard_last_healthy(r, &s->target);
    if (!r->fresh)
        rc = refresh(r);
    return rc != 0 ? rc : bg_shift__batch_guard(r->call, r->cfg, r->m, s, n, r->healthy_start);
}

/* The AWS call of s[0..n) (guarded for a deregister), then its gate: health for a register,
 * draining for a deregister when wait_for_draining. *called says whether AWS was changed. */
static int change_and_gate(struct bg_shift_run *r, const struct bg_walk_step *s, size_t n,
                           bool *called)
{
    int rc = 0;

    *called = false;
    if (s->action == BG_WALK_DEREGISTER)
        rc = guard_leaving(r, s, n);
    if (rc == 0)
        rc = call_aws(r, s->action, s, n);
    if (rc != 0)
        return rc;
    *called = true;
    if (s->action == BG_WALK_REGISTER)
        return wait_targets(r, targets_of(r, s, n), n, BG_SHIFT_WAIT_HEALTHY);
    return r->cfg->wait_for_draining ? wait_targets(r, targets_of(r, s, n), n, BG_SHIFT_WAIT_GONE)
                                     : 0;
}

/* One walk step: the alarm gate, then one AWS call for the n targets of s (a batch, or one
 * target) and its gate. Steps whose call succeeded are recorded even if the gate fails. */
static int take_step(struct bg_shift_run *r, const struct bg_walk_step *s, size_t n)
{
    double start = bg_shift__now(r);
    bool called;
    int rc = bg_shift__alarm_gate(r->call, r->env, r->cfg, "before the step");

    if (rc != 0)
        return rc;
    for (size_t i = 0; i < n; i++)
        bg_shift__log_start(r, &s[i], "step", r->percent);
    rc = change_and_gate(r, s, n, &called);
    for (size_t i = 0; called && i < n; i++)
        record(r, &s[i]);
    for (size_t i = 0; rc == 0 && i < n; i++)
        bg_shift__log_done(r, &s[i], "step", bg_shift__now(r) - start);
    return rc;
}

int bg_shift__percent_now(const struct bg_shift_run *r, int fallback)
{
    struct bg_walk_input in;

    if (!r->fresh)
        return fallback;
    bg_shift__walk_input(&in, r->cfg, r->m);
    return bg_walk_percent(&in);
}

/* Undoes the recorded steps done[k..k+n) of one call through the same gates (a re-registered
 * target must be healthy), in one call again. */
static int undo(struct bg_shift_run *r, size_t k, size_t n)
{
    struct bg_walk_step *u = bg_arena_calloc(r->call->arena, n + 1, sizeof(*u));
    double start = bg_shift__now(r);
    bool called;
    int rc;

    for (size_t i = 0; i < n; i++) {
        u[i] = r->done[k + i];
        u[i].action = u[i].action == BG_WALK_REGISTER ? BG_WALK_DEREGISTER : BG_WALK_REGISTER;
        /* undoing the call at k restores the share from before it */
        u[i].percent = k > 0 ? r->done[k - 1].percent : r->start_percent;
        bg_shift__log_start(r, &u[i], "rollback", r->percent);
    }
    rc = change_and_gate(r, u, n, &called);
    for (size_t i = 0; rc == 0 && i < n; i++)
        bg_shift__log_done(r, &u[i], "rollback", bg_shift__now(r) - start);
    return rc;
}

/* How many recorded steps survive the rollback: rollback_step undoes the failed step (the
 * whole call of a batch) and, for a failed register, the deregister call just before it;
 * rollback_all undoes them all. */
/* How many of the recorded steps ending at done[end) one call took: same batch and action. */
static size_t last_call(const struct bg_shift_run *r, size_t end)
{
    size_t k = end;

    while (k > 0 && r->done[k - 1].batch == r->done[end - 1].batch &&
           r->done[k - 1].action == r->done[end - 1].action)
        k--;
    return end - k;
}

static size_t steps_kept(const struct bg_shift_run *r, const struct bg_walk_step *failed,
                         bool taken)
{
    size_t keep = r->n_done;

    if (r->cfg->on_failure == BG_SHIFT_HALT)
        return keep;
    if (r->cfg->on_failure == BG_SHIFT_ROLLBACK_ALL)
        return 0;
    if (taken && keep > 0)
        keep -= last_call(r, keep);
    if (failed->action == BG_WALK_REGISTER && keep > 0 &&
        r->done[keep - 1].action == BG_WALK_DEREGISTER)
        keep -= last_call(r, keep);
    return keep;
}

static void fail(struct bg_shift_run *r, const struct bg_walk_step *failed, bool taken)
{
    static const char *const names[] = {"rollback_step", "rollback_all", "halt"};
    size_t keep = steps_kept(r, failed, taken), undone = 0;
    int rc = 0;

    while (rc == 0 && r->n_done > keep) {
        size_t n = last_call(r, r->n_done);

        if (n > r->n_done - keep)
            n = r->n_done - keep;
        rc = undo(r, r->n_done - n, n);
        if (rc == 0) {
            r->n_done -= n;
            undone += n;
        }
    }
    if (rc == 0 && !r->fresh)
        rc = refresh(r);
    bg_diag_warn(r->call->diags, NULL, "Traffic shift stopped after a failed step",
                 "on_failure = \"%s\": %zu step(s) undone%s; %d%% of the managed targets are "
                 "to_targets now. The next plan starts from this membership.",
                 names[r->cfg->on_failure], undone,
                 rc != 0 ? " before the rollback itself failed" : "",
                 bg_shift__percent_now(r, failed->percent));
}

/* Gates to_targets that an earlier, interrupted run registered but never saw healthy:
 * continuing past them would skip their health gate. */
static int resume_gate(struct bg_shift_run *r)
{
    size_t i;
    int rc;

    for (i = 0; i < r->cfg->n_to; i++) {
        const struct bg_walk_member *x = bg_shift__member_find(r->m, &r->cfg->to[i], NULL);
        struct bg_walk_step s = {BG_WALK_REGISTER, {NULL, 0}, 0, 0, 0};
        double start = bg_shift__now(r);

        if (!bg_shift__is_registered(x) || x->health == BG_TARGET_HEALTHY)
            continue;
        s.target.id = x->id;
        s.target.port = x->port;
        s.percent = bg_shift__percent_now(r, 0);
        bg_shift__log_start(r, &s, "resume", s.percent);
        rc = wait_target(r, &s.target, BG_SHIFT_WAIT_HEALTHY);
        if (rc < 0) {
            record(r, &s);
            fail(r, &s, true);
        }
        if (rc != 0)
            return rc;
        bg_shift__log_done(r, &s, "resumed", bg_shift__now(r) - start);
    }
    return 0;
}

/* Sleeps soak_seconds before the next step, saying how much is left at least three times
 * per soak and at least every 30 s; with alarm_names, reads them every poll_interval_seconds
 * (an alarm in ALARM ends the soak with an error). */
static int soak(struct bg_shift_run *r)
{
    double total = (double)r->cfg->soak_s, start = bg_shift__now(r), left, nap_s;
    double every = total / 3 < 30 ? total / 3 : 30;
    bool watch = r->cfg->n_alarms > 0;
    int rc;

    for (;;) {
        rc = watch ? bg_shift__alarm_gate(r->call, r->env, r->cfg, "during the soak") : 0;
        left = total - (bg_shift__now(r) - start);
        if (rc != 0 || left < 1e-3)
            return rc;
        bg_shift__log_soak(r, left);
        nap_s = left < every ? left : every;
        if (watch && nap_s > (double)r->cfg->poll_s)
            nap_s = (double)r->cfg->poll_s;
        rc = nap(r, nap_s);
        if (rc != 0)
            return rc;
    }
}

/* Each step is one AWS call (a batch's registers, or its deregisters). The soak comes between
 * steps: after the last one the apply ends and nothing follows that the soak would protect. */
/* The end of the call starting at steps[i]: same batch, same action. */
static size_t call_end(const struct bg_walk_plan *walk, size_t i)
{
    size_t j = i + 1;

    while (j < walk->n_steps && walk->steps[j].batch == walk->steps[i].batch &&
           walk->steps[j].action == walk->steps[i].action)
        j++;
    return j;
}

static int walk_steps(struct bg_shift_run *r, const struct bg_walk_plan *walk)
{
    size_t i, end, prev = 0, before;
    int rc = 0;

    r->n_steps = walk->n_steps;
    for (i = 0; i < walk->n_steps; prev = i, i = end) {
        end = call_end(walk, i);
        r->step_no = i + 1;
        if (i > 0 && r->cfg->soak_s > 0)
            rc = soak(r);
        else if (stop_requested(r))
            rc = BG_SHIFT_STOPPED;
        if (rc < 0)
            fail(r, &walk->steps[prev], true); /* an alarm during the soak of that step */
        if (rc != 0)
            return rc;
        before = r->n_done;
        rc = take_step(r, &walk->steps[i], end - i);
        if (rc < 0)
            fail(r, &walk->steps[i], r->n_done > before);
        if (rc != 0)
            return rc;
    }
    return 0;
}

static int finish(struct bg_shift_run *r, int rc)
{
    struct bg_shift_members last = *r->m;

    /* The state must show what AWS holds now; if even that fails, the last snapshot will
     * do: the next refresh corrects it. After a stop nothing more is asked of AWS (the
     * request would be cut short at once). */
    if (!r->fresh && rc != BG_SHIFT_STOPPED && refresh(r) != 0)
        *r->m = last;
    bg_shift__log_end(r, rc);
    if (rc != BG_SHIFT_STOPPED)
        return rc;
    bg_diag_warn(r->call->diags, NULL, "Traffic shift paused",
                 "Terraform asked the provider to stop. The walk ended at a safe point with "
                 "%d%% of the managed targets on to_targets; run terraform apply again to "
                 "continue from the real membership.",
                 bg_shift__percent_now(r, 0));
    return BG_ERETRY;
}

static void run_init(struct bg_shift_run *r, struct bg_shift_members *members, struct bg_call *call,
                     const struct bg_shift_env *env, const struct bg_shift_cfg *cfg)
{
    memset(r, 0, sizeof(*r));
    r->call = call;
    r->env = env;
    r->cfg = cfg;
    r->m = members;
    r->fresh = true;
    r->started = bg_shift__now(r);
    r->start_percent = bg_shift__percent_now(r, 0);
    r->percent = r->start_percent;
    r->healthy_start = bg_shift__healthy_count(members);
}

int bg_shift__run_forward(struct bg_shift_members *members, struct bg_call *call,
                          const struct bg_shift_env *env, const struct bg_shift_cfg *cfg,
                          const struct bg_walk_plan *walk)
{
    struct bg_shift_run r;
    int rc;

    run_init(&r, members, call, env, cfg);
    rc = resume_gate(&r);
    if (rc == 0)
        rc = walk_steps(&r, walk);
    return finish(&r, rc);
}

int bg_shift__run_restore(struct bg_shift_members *members, struct bg_call *call,
                          const struct bg_shift_env *env, const struct bg_shift_cfg *cfg)
{
    struct bg_shift_cfg halt = *cfg;
    struct bg_error err = BG_ERROR_INIT;
    struct bg_walk_input in;
    struct bg_walk_plan walk;
    struct bg_shift_run r;

    /* Rolling back a restore would walk forward again: a failed restore just stops. */
    halt.on_failure = BG_SHIFT_HALT;
    bg_shift__walk_input(&in, &halt, members);
    if (bg_walk_plan_reverse(&walk, call->arena, &in, &err) != 0)
        return bg_diag_from_error(call->diags, NULL, "Cannot plan the restore walk", &err);
    run_init(&r, members, call, env, &halt);
    return finish(&r, walk_steps(&r, &walk));
}
