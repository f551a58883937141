/*
 * traffic_shift_progress.c - the walk's INFO lines, so a walk with minutes of health checks,
 * draining and soak can be watched under TF_LOG_PROVIDER=INFO: when each step starts (action,
 * target, share before -> after), every poll of a wait (state, elapsed of timeout), the soak
 * (time left), when each step ends (state reached, duration) and when the walk ends.
 *
 * Every line also carries the same facts as fields ("phase", "target", "percent"...), which
 * terraform prints as key=value pairs, for tools that filter the log.
 */
#include <stdio.h>

#include "traffic_shift_walk.h"

/* "step 2/6" inside a walk, else just what. */
static const char *label(char *buf, size_t n, const struct bg_shift_run *r, const char *what)
{
    if (r->step_no > 0 && r->n_steps > 0)
        snprintf(buf, n, "%s %zu/%zu", what, r->step_no, r->n_steps);
    else
        snprintf(buf, n, "%s", what);
    return buf;
}

static void info(const struct bg_shift_run *r, const char *fields, const char *msg)
{
    bg_log(r->call->log, BG_LOG_INFO, "traffic_shift", fields, "%s", msg);
}

void bg_shift__log_start(const struct bg_shift_run *r, const struct bg_walk_step *s,
                         const char *what, int before)
{
    char id[256], fields[512], msg[512], l[64];

    bg_log_escape(id, sizeof(id), s->target.id);
    snprintf(fields, sizeof(fields),
             "\"phase\":\"start\",\"step\":%zu,\"steps\":%zu,\"action\":\"%s\",\"target\":\"%s\","
             "\"percent_before\":%d,\"percent\":%d",
             r->step_no, r->n_steps, bg_walk_action_name(s->action), id, before, s->percent);
    snprintf(msg, sizeof(msg), "%s: %s %s, %d%% -> %d%% on to_targets",
             label(l, sizeof(l), r, what), bg_walk_action_name(s->action), s->target.id, before,
             s->percent);
    info(r, fields, msg);
}

void bg_shift__log_poll(const struct bg_shift_run *r, const struct bg_walk_target *t,
                        enum bg_shift_wait want, const struct bg_shift_seen *s, double elapsed)
{
    char id[256], state[64], fields[512], msg[768];

    bg_log_escape(id, sizeof(id), t->id);
    bg_log_escape(state, sizeof(state), s->state);
    snprintf(fields, sizeof(fields),
             "\"phase\":\"%s\",\"target\":\"%s\",\"state\":\"%s\",\"elapsed_s\":%.0f,"
             "\"timeout_s\":%lld",
             want == BG_SHIFT_WAIT_HEALTHY ? "health_wait" : "drain_wait", id, state, elapsed,
             (long long)r->cfg->health_timeout_s);
    snprintf(msg, sizeof(msg), "waiting for %s to %s: %s%s%s%s, %.0f s of %lld s", t->id,
             want == BG_SHIFT_WAIT_HEALTHY ? "be healthy" : "finish draining", s->state,
             *s->reason != '\0' ? " (" : "", s->reason, *s->reason != '\0' ? ")" : "", elapsed,
             (long long)r->cfg->health_timeout_s);
    info(r, fields, msg);
}

void bg_shift__log_soak(const struct bg_shift_run *r, double left)
{
    char fields[256], msg[256], l[64];

    snprintf(fields, sizeof(fields),
             "\"phase\":\"soak\",\"step\":%zu,\"left_s\":%.0f,\"soak_s\":%lld", r->step_no, left,
             (long long)r->cfg->soak_s);
    snprintf(msg, sizeof(msg), "soak before %s: %.0f s of %lld s left",
             label(l, sizeof(l), r, "step"), left, (long long)r->cfg->soak_s);
    info(r, fields, msg);
}

void bg_shift__log_done(struct bg_shift_run *r, const struct bg_walk_step *s, const char *what,
                        double duration)
{
    const char *state = r->fresh ? bg_shift__seen(r, &s->target).state : "unknown";
    char id[256], st[64], fields[512], msg[512];
    int percent = bg_shift__percent_now(r, s->percent);

    bg_log_escape(id, sizeof(id), s->target.id);
    bg_log_escape(st, sizeof(st), state);
    snprintf(fields, sizeof(fields),
             "\"phase\":\"done\",\"step\":%zu,\"action\":\"%s\",\"target\":\"%s\",\"state\":\"%s\","
             "\"percent\":%d,\"duration_s\":%.1f",
             r->step_no, bg_walk_action_name(s->action), id, st, percent, duration);
    snprintf(msg, sizeof(msg), "%s %s %s: %s, %d%% on to_targets after %.0f s", what,
             bg_walk_action_name(s->action), s->target.id, state, percent, duration);
    info(r, fields, msg);
    r->percent = percent;
}

void bg_shift__log_end(const struct bg_shift_run *r, int rc)
{
    const char *how = rc == 0 ? "finished" : rc == BG_SHIFT_STOPPED ? "paused" : "stopped";
    double took = bg_shift__now(r) - r->started;
    int percent = bg_shift__percent_now(r, r->percent);
    char fields[256], msg[256];

    snprintf(fields, sizeof(fields),
             "\"phase\":\"end\",\"result\":\"%s\",\"percent\":%d,"
             "\"duration_s\":%.1f",
             how, percent, took);
    snprintf(msg, sizeof(msg), "walk %s after %.0f s: %d%% on to_targets", how, took, percent);
    info(r, fields, msg);
}
