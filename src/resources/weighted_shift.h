/*
 * weighted_shift.h - internals shared by the bluegreen_weighted_shift files: the resource in
 * C, the executor (weighted_shift_run.c) and the world it acts on, which
 * weighted_shift_aws.c wires to ELBv2, CloudWatch and the clock, and unit tests to fakes.
 */
#ifndef BG_RESOURCES_WEIGHTED_SHIFT_H
#define BG_RESOURCES_WEIGHTED_SHIFT_H

#include "bluegreen/aws.h"
#include "bluegreen/clock.h"
#include "bluegreen/resource.h"
#include "bluegreen/weights.h"

/* In the order of the schema's allowed-values lists (the typed layer's BG_C_ENUM). */
enum bg_ws_failure { BG_WS_ROLLBACK_STEP, BG_WS_ROLLBACK_ALL, BG_WS_HALT };
enum bg_ws_destroy { BG_WS_KEEP, BG_WS_RESTORE };

/* One element of `steps`. */
struct bg_ws_step_attr {
    int64_t percent;
};

/* The resource in C: every attribute of the schema (weighted_shift.c's slots), filled by
 * bg_ws__cfg_read from a config, plan or state and turned back into a value by
 * bg_ws__flatten. Computed attributes have presence members, so "unknown until apply"
 * survives a read and a flatten. */
struct bg_ws_cfg {
    const char *id;
    enum bg_presence id_is;
    const char *listener_arn; /* exactly one of listener_arn and rule_arn is set */
    enum bg_presence listener_is;
    const char *rule_arn;
    enum bg_presence rule_is;
    const char *from, *to;
    int64_t percent;
    int64_t *schedule;
    size_t n_schedule;
    const char **alarm_names;
    size_t n_alarms;
    int64_t soak_s, health_timeout_s, poll_s;
    enum bg_ws_failure on_failure;
    enum bg_ws_destroy on_destroy;
    struct bg_ws_step_attr *steps;
    size_t n_steps;
    enum bg_presence steps_is;
    int64_t current_percent;
    enum bg_presence current_percent_is;
    const struct bg_path *unknown; /* first argument not known until apply, or NULL */
};

/* Expands a config, planned or state value into *out (zeroed first; strings borrowed from
 * v, arrays from d->arena; defaults applied); out->unknown is set when an argument is not
 * known yet (plan time). Returns 0, or BG_EINVAL after adding diagnostics. */
int bg_ws__cfg_read(struct bg_ws_cfg *out, struct bg_diags *d, const struct bg_value *v);

/* The value of cfg: its computed attributes onto base (the plan or state it was read from). */
struct bg_value *bg_ws__flatten(struct bg_arena *a, const struct bg_ws_cfg *cfg,
                                const struct bg_value *base);

/* The listener or rule ARN of cfg, and the attribute that holds it. */
const char *bg_ws__subject(const struct bg_ws_cfg *cfg, const char **attr);

/* ---- the world the executor acts on ------------------------------------------------------ */

/* A target group's health, as the gates see it. */
struct bg_ws_health {
    size_t registered; /* every state but draining and unused */
    size_t healthy;
    size_t failing;      /* unhealthy, unavailable, unhealthy.draining */
    const char *example; /* a registered target that is not healthy, "" when none */
    const char *state;   /* its state */
    const char *reason;  /* its reason or description, "" when none */
};

/* The alarms, as the gate sees them: the first of alarm_names in ALARM, if any. */
struct bg_ws_alarms {
    const char *firing; /* NULL when none is in ALARM */
    const char *reason;
};

/* Every function returns 0 or a negative BG_E* code with err set (an AWS failure, a missing
 * alarm, weights changed by someone else). */
struct bg_ws_world {
    void *ctx;
    const struct bg_clock *clock; /* waits and soaks: bg_clock_nap on it */
    const atomic_bool *stop;      /* StopProvider / Ctrl-C; may be NULL */
    int (*health)(void *ctx, const char *target_group_arn, struct bg_ws_health *out,
                  struct bg_error *err);
    int (*alarms)(void *ctx, struct bg_ws_alarms *out, struct bg_error *err);
    /* Reads the actions again and moves the pair from share `expect` to `share`; BG_ECONFLICT
     * when the pair is no longer at expect (changed outside Terraform during the walk). */
    int (*set_share)(void *ctx, int expect, int share, struct bg_error *err);
    /* A progress line (INFO). */
    void (*progress)(void *ctx, const char *fields, const char *message);
};

/* One run of the executor. */
struct bg_ws_run {
    const struct bg_ws_world *w;
    const struct bg_ws_cfg *cfg;
    struct bg_diags *diags;
    struct bg_arena *arena;
    int start;       /* share before this apply */
    int share;       /* out: the share reached (also on error and on stop) */
    bool soak_first; /* start is a share no completed apply left: watch it before moving */
    bool stopped;    /* out: ended early on a stop request */
};

/* Walks through steps[0..n) (shares), each behind its gates and followed by its soak;
 * failures handled per cfg->on_failure (restore: pass halt). Returns 0 when done, BG_ERETRY
 * when a stop cut it short (a warning says so), else the error (diagnostics added). */
int bg_ws__run(struct bg_ws_run *r, const int *steps, size_t n);

/* ---- AWS (weighted_shift_aws.c) ------------------------------------------------------------ */

/* The real world: the call's stop flag, the monotonic clock, ELBv2 and CloudWatch through c.
 * *out and its context come from call->arena. */
void bg_ws__world(struct bg_ws_world *out, struct bg_call *call, struct bg_aws_client *c,
                  const struct bg_ws_cfg *cfg);

/* Borrows a client from the provider; a diagnostic naming what is missing on failure. */
int bg_ws__client(struct bg_aws_client **out, struct bg_call *call);

/* The listener's or rule's actions (quiet: err only; BG_ENOTFOUND when it is gone). */
int bg_ws__describe(struct bg_aws_actions *out, struct bg_arena *a, struct bg_aws_client *c,
                    const struct bg_ws_cfg *cfg, struct bg_error *err);

/* The pair's share now, with a diagnostic on failure (pair not found included). */
int bg_ws__share(int *out, struct bg_call *call, struct bg_aws_client *c,
                 const struct bg_ws_cfg *cfg);

/* Every alarm name exists: one diagnostic per missing name at alarm_names. */
int bg_ws__check_alarms(struct bg_call *call, struct bg_aws_client *c, const struct bg_ws_cfg *cfg);

/* Turns an AWS error of `action` into a diagnostic at the subject's attribute. */
int bg_ws__aws_diag(struct bg_call *call, const struct bg_ws_cfg *cfg, const char *action,
                    const struct bg_error *err);

/* ---- hooks (weighted_shift_ops.c) ---------------------------------------------------------- */
int bg_ws__plan(struct bg_call *call, struct bg_plan_req *req);
int bg_ws__apply(struct bg_call *call, struct bg_apply_req *req);
int bg_ws__destroy(struct bg_call *call, struct bg_apply_req *req);
int bg_ws__read(struct bg_call *call, struct bg_read_req *req);

#endif
