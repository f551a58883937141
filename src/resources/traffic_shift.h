/*
 * traffic_shift.h - internals shared by the bluegreen_traffic_shift files: the parsed
 * resource in C (the typed layer reads and writes it), the membership snapshot, conversions
 * between AWS answers and walk structures, and the walk executor (traffic_shift_walk.c) behind
 * create, update and destroy.
 */
#ifndef BG_RESOURCES_TRAFFIC_SHIFT_H
#define BG_RESOURCES_TRAFFIC_SHIFT_H

#include "bluegreen/aws.h"
#include "bluegreen/clock.h"
#include "bluegreen/resource.h"
#include "bluegreen/walk.h"

/* In the order of the schema's allowed values (the typed layer maps them by index). */
enum bg_shift_failure { BG_SHIFT_ROLLBACK_STEP, BG_SHIFT_ROLLBACK_ALL, BG_SHIFT_HALT };
enum bg_shift_on_destroy { BG_SHIFT_KEEP, BG_SHIFT_RESTORE };

/* One element of from_targets or to_targets as the typed layer expands it. */
struct bg_shift_target_arg {
    const char *id;
    int64_t port;
    enum bg_presence port_is; /* null: the target group's port */
};

/* One element of `members` (DescribeTargetHealth). */
struct bg_shift_member_attr {
    const char *id;
    int64_t port;
    enum bg_presence port_is; /* null: the target group's port (AWS reported none) */
    const char *state;        /* ELBv2's own string */
};

/* One element of `steps`; action in the order of enum bg_walk_action. */
struct bg_shift_step_attr {
    enum bg_walk_action action;
    const char *target;
    int64_t percent;
};

/* The resource in C: every attribute of the schema (traffic_shift.c's slots), filled by
 * bg_shift__cfg_read from a config, plan or state and turned back into a value by
 * bg_shift__flatten. The computed attributes have presence members, so that "unknown until
 * apply" survives a read and a flatten. */
struct bg_shift_cfg {
    const char *id;
    enum bg_presence id_is;
    const char *arn;
    struct bg_shift_target_arg *from_targets, *to_targets;
    enum bg_presence from_targets_is; /* known (an empty set is known), null or unknown */
    struct bg_walk_target *from, *to; /* the same in the walk's shape (n_from, n_to) */
    size_t n_from, n_to;
    int64_t percent;
    int64_t soak_s, health_timeout_s, poll_s;
    bool wait_for_draining, exclusive;
    enum bg_shift_failure on_failure;
    enum bg_shift_on_destroy on_destroy;
    int64_t batch_size;       /* targets per RegisterTargets/DeregisterTargets call */
    const char **alarm_names; /* alarm_names */
    size_t n_alarms;
    struct bg_shift_step_attr *steps;
    size_t n_steps;
    enum bg_presence steps_is;
    struct bg_shift_member_attr *members;
    size_t n_members;
    enum bg_presence members_is;
    int64_t current_percent;
    enum bg_presence current_percent_is;
    int64_t estimate_s; /* estimated_duration_seconds */
    enum bg_presence estimate_is;
    const struct bg_path *unknown; /* first argument not known until apply, or NULL */
};

/* One DescribeTargetHealth answer, in the planner's shape (reason kept for messages). */
struct bg_shift_members {
    struct bg_walk_member *items;
    const char **reasons;
    size_t n;
};

/* ELBv2 as the resource and its walk executor use it: the real calls through a borrowed AWS
 * client (bg_shift__env_aws), or a fake target group in unit tests. Each returns 0, or a
 * BG_E* code with err set the way bg_aws_client_call sets it ("<Code>: <Message>"). */
struct bg_shift_elbv2 {
    int (*describe)(struct bg_aws_target_health_list *out, void *ctx, struct bg_arena *a,
                    const char *arn, struct bg_error *err);
    /* RegisterTargets/DeregisterTargets of targets[0..n), n >= 1: one request (chunks of
     * 200 for larger batches) */
    int (*change)(void *ctx, enum bg_walk_action action, const char *arn,
                  const struct bg_aws_target *targets, size_t n, struct bg_error *err);
    /* *out = deregistration_delay.timeout_seconds, -1 when unknown */
    int (*drain_delay)(int *out, void *ctx, struct bg_arena *a, const char *arn,
                       struct bg_error *err);
    void *ctx;
};

/* The alarm gate's reading of alarm_names: *firing (and *reason) of the first in ALARM, NULL
 * when none is; BG_ENOTFOUND when a name no longer exists. Strings from a. */
struct bg_shift_cloudwatch {
    int (*alarms)(const char **firing, const char **reason, void *ctx, struct bg_arena *a,
                  const char *const *names, size_t n, struct bg_error *err);
    void *ctx;
};

/* What hooks and the walk run against: ELBv2, CloudWatch (NULL alarms: none read) and time. */
struct bg_shift_env {
    struct bg_shift_elbv2 elbv2;
    const struct bg_clock *clock;
    struct bg_shift_cloudwatch cloudwatch;
};

/* ELBv2 through c (which must outlive the env) and the system clock. */
void bg_shift__env_aws(struct bg_shift_env *out, struct bg_aws_client *c);

/* Expands a config, planned or state value into *out (zeroed first): defaults applied,
 * from/to in the walk's shape, out->unknown set when an argument is not known yet (plan
 * time). Returns 0, or BG_EINVAL after adding diagnostics (a value that does not fit). */
int bg_shift__cfg_read(struct bg_shift_cfg *out, struct bg_diags *d, const struct bg_value *v);

/* The value of cfg: its computed attributes onto base (the plan or state it was read from,
 * whose arguments stay exactly as they are). */
struct bg_value *bg_shift__flatten(struct bg_arena *a, const struct bg_shift_cfg *cfg,
                                   const struct bg_value *base);

/* Borrows a client from the provider; a diagnostic naming what is missing on failure. */
int bg_shift__client(struct bg_aws_client **out, struct bg_call *call);

/* DescribeTargetHealth into *out; a diagnostic with the AWS Code and Message on failure. */
int bg_shift__describe(struct bg_shift_members *out, struct bg_call *call,
                       const struct bg_shift_elbv2 *e, const char *arn);

/* The same without a diagnostic (Read treats TargetGroupNotFound as "gone"). */
int bg_shift__describe_quiet(struct bg_shift_members *out, struct bg_arena *a,
                             const struct bg_shift_elbv2 *e, const char *arn, struct bg_error *err);

/* The waits the walk will at least take, in seconds (estimated_duration_seconds): a soak
 * between consecutive steps, and with wait_for_draining the group's deregistration delay per
 * deregister when drain_s >= 0 (-1: unknown, not counted). */
int64_t bg_shift__estimate(const struct bg_shift_cfg *cfg, const struct bg_walk_plan *walk,
                           int drain_s);

/* Turns an AWS error of `action` on arn into a diagnostic; returns err->code. */
int bg_shift__aws_diag(struct bg_call *call, const char *action, const char *arn,
                       const struct bg_error *err);

void bg_shift__walk_input(struct bg_walk_input *out, const struct bg_shift_cfg *cfg,
                          const struct bg_shift_members *m);
/* cfg's `members` and `steps` (KNOWN) from a snapshot and a walk; strings stay borrowed. */
void bg_shift__set_members(struct bg_shift_cfg *cfg, struct bg_arena *a,
                           const struct bg_shift_members *m);
void bg_shift__set_steps(struct bg_shift_cfg *cfg, struct bg_arena *a,
                         const struct bg_walk_plan *p);

/* The member matching t (bg_target_same), or NULL. */
const struct bg_walk_member *bg_shift__member_find(const struct bg_shift_members *m,
                                                   const struct bg_walk_target *t, size_t *index);
/* m is in the group (bg_target_is_registered); false for NULL. */
bool bg_shift__is_registered(const struct bg_walk_member *m);

/* The walk executor. run_forward: the steps of walk (create, update); run_restore: back to
 * from_targets only (destroy with on_destroy = "restore"). *members is in: the snapshot the
 * walk was planned from; out: the membership reached (also on error and on stop). Return 0
 * when done, BG_ERETRY when StopProvider cut it short (a warning says so), else the error
 * (diagnostics added). Progress goes to call->log at INFO: each step's start, every poll of
 * a health or draining wait, the soak, each step's end with its duration. All waiting goes
 * through env->clock and checks call->stop at least every BG_CLOCK_SLICE. */
int bg_shift__run_forward(struct bg_shift_members *members, struct bg_call *call,
                          const struct bg_shift_env *env, const struct bg_shift_cfg *cfg,
                          const struct bg_walk_plan *walk);
int bg_shift__run_restore(struct bg_shift_members *members, struct bg_call *call,
                          const struct bg_shift_env *env, const struct bg_shift_cfg *cfg);

/* Import (traffic_shift_import.c): the sets of the ID "<arn>[;from=...][;to=...]" into cfg
 * (from_targets empty unless given; to_targets as given, else the targets of arn registered
 * now). Diagnostics on failure. */
int bg_shift__import_sets(struct bg_shift_cfg *cfg, struct bg_call *call, const char *id,
                          const char *arn);

/* Batches and alarm gates (traffic_shift_gates.c). */

/* Members in state healthy. */
size_t bg_shift__healthy_count(const struct bg_shift_members *m);

/* Before a batch of n > 1 leaves: the healthy targets left must be at least the healthy
 * count the walk started with (or all that stay registered, if fewer). A diagnostic and
 * BG_ECONFLICT otherwise. m must be fresh. */
int bg_shift__batch_guard(struct bg_call *call, const struct bg_shift_cfg *cfg,
                          const struct bg_shift_members *m, const struct bg_walk_step *s, size_t n,
                          size_t healthy_start);

/* The alarm gate: an error diagnostic and BG_ECONFLICT when an alarm of alarm_names is in
 * ALARM (when: "before the step", "during the soak"); 0 without alarms; BG_SHIFT_STOPPED
 * (traffic_shift_walk.h) when a stop request cut the read short. */
int bg_shift__alarm_gate(struct bg_call *call, const struct bg_shift_env *env,
                         const struct bg_shift_cfg *cfg, const char *when);

/* The lifecycle hooks (traffic_shift_ops.c) and import (traffic_shift.c). */
int bg_shift__plan(struct bg_call *call, struct bg_plan_req *req);
int bg_shift__apply(struct bg_call *call, struct bg_apply_req *req);
int bg_shift__destroy(struct bg_call *call, struct bg_apply_req *req);
int bg_shift__read(struct bg_call *call, struct bg_read_req *req);

#endif
