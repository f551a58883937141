/*
 * traffic_shift_walk.h - internals of the walk executor shared by traffic_shift_walk.c (the
 * steps, gates and rollbacks) and traffic_shift_progress.c (its INFO log lines).
 */
#ifndef BG_RESOURCES_TRAFFIC_SHIFT_WALK_H
#define BG_RESOURCES_TRAFFIC_SHIFT_WALK_H

#include "traffic_shift.h"

/* Positive: not an error, the walk yields to StopProvider at a safe point. */
enum { BG_SHIFT_STOPPED = 1 };

enum bg_shift_wait { BG_SHIFT_WAIT_HEALTHY, BG_SHIFT_WAIT_GONE };

/* A target as the latest snapshot shows it. */
struct bg_shift_seen {
    bool present;                 /* listed by DescribeTargetHealth at all */
    enum bg_target_health health; /* BG_TARGET_UNKNOWN when absent */
    const char *state;            /* ELBv2's word, "gone" when absent */
    const char *reason;           /* description or reason code, "" when none */
};

/* One executor run (forward walk or restore), on the call's thread. */
struct bg_shift_run {
    struct bg_call *call;
    const struct bg_shift_env *env;
    const struct bg_shift_cfg *cfg;
    struct bg_shift_members *m; /* latest snapshot */
    bool fresh;                 /* m reflects every change made so far */
    struct bg_walk_step *done;  /* steps taken by this run, for rollback */
    size_t n_done, cap_done;
    double started;          /* clock time the run began */
    int start_percent;       /* share of to_targets before the run */
    int percent;             /* share of to_targets as last seen */
    size_t step_no, n_steps; /* walk step being taken (1-based) of n_steps; 0 outside a walk */
    size_t healthy_start;    /* healthy members when the run began (the batch guard) */
};

double bg_shift__now(const struct bg_shift_run *r);
struct bg_shift_seen bg_shift__seen(const struct bg_shift_run *r, const struct bg_walk_target *t);
/* Share of to_targets in the snapshot when it is fresh, else fallback. */
int bg_shift__percent_now(const struct bg_shift_run *r, int fallback);

/* Progress at INFO (traffic_shift_progress.c). what: "step", "rollback", "resume"... */
void bg_shift__log_start(const struct bg_shift_run *r, const struct bg_walk_step *s,
                         const char *what, int before);
void bg_shift__log_poll(const struct bg_shift_run *r, const struct bg_walk_target *t,
                        enum bg_shift_wait want, const struct bg_shift_seen *s, double elapsed);
void bg_shift__log_soak(const struct bg_shift_run *r, double left);
/* Also records the share reached as r->percent. */
void bg_shift__log_done(struct bg_shift_run *r, const struct bg_walk_step *s, const char *what,
                        double duration);
void bg_shift__log_end(const struct bg_shift_run *r, int rc);

#endif
