/*
 * walk.h - the traffic-shift walk planner: a pure function from the target group's current
 * membership and the declared from/to target sets to the ordered list of register/deregister
 * steps. No I/O; the resource executes the steps (health gate, draining, soak) one by one and
 * re-plans from the refreshed membership after any interruption.
 *
 * Rules (also the contract the unit tests check):
 * - Targets are compared by id and port; a port of 0 means "the group's default" and matches
 *   any port (bg_target_same, include/bluegreen/target.h).
 * - Only managed targets (in from or to) count towards percent:
 *   percent = floor(100 * to_registered / (from_registered + to_registered)), 0 when neither
 *   is registered. Foreign targets (in neither set) are left alone, unless exclusive, in which
 *   case they are deregistered after the walk, never leaving the group empty.
 * - Each step is decided from the current state alone (registers left r, deregisters left d,
 *   managed size s, floor f = |from|):
 *     r == 0 -> deregister; d == 0 -> register; r >= d -> register (extra new targets join
 *     first, so capacity grows before anything leaves); s - 1 < f -> register; else deregister.
 *   Hence the managed size never drops below min(starting size, final size), the last target
 *   is never deregistered, and because the rule is memoryless, planning again from any state
 *   the walk passed through yields exactly the remaining steps (resume does nothing twice).
 *   3 old + 3 new gives register, deregister, ... with percents 25, 33, 50, 66, 75, 100.
 * - The walk stops after the first step whose percent is >= the goal; a goal already met gives
 *   no walk steps. Registers follow to_targets order, deregisters follow from_targets order.
 * - Draining and unused members count as not registered (bg_target_is_registered).
 * - Batches (batch > 1): the same steps, grouped. Each batch takes, in walk order, the longest
 *   run of steps holding at most `batch` registers and at most `batch` deregisters, and lists
 *   its registers first, then its deregisters: one RegisterTargets call, then one
 *   DeregisterTargets call. Moving a register earlier or a deregister later only adds
 *   capacity, so the size rule above still holds; the end state is the unbatched walk's. A
 *   step's percent and size are then those after the call that carries it. With batch 0 or 1
 *   every step is its own batch.
 */
#ifndef BLUEGREEN_WALK_H
#define BLUEGREEN_WALK_H

#include <stdbool.h>
#include <stddef.h>

#include "arena.h"
#include "common.h"
#include "target.h"

enum bg_walk_action {
    BG_WALK_REGISTER,
    BG_WALK_DEREGISTER,
};

struct bg_walk_target {
    const char *id;
    int port; /* 0 = the target group's port */
};

/* One entry of DescribeTargetHealth. health decides membership; state is ELBv2's own string,
 * kept for messages and the `members` attribute (NULL when not reported). */
struct bg_walk_member {
    const char *id;
    int port;
    enum bg_target_health health;
    const char *state;
};

struct bg_walk_input {
    const struct bg_walk_member *members;
    size_t n_members;
    const struct bg_walk_target *from;
    size_t n_from;
    const struct bg_walk_target *to;
    size_t n_to;
    int percent;    /* goal 0..100 */
    bool exclusive; /* also deregister foreign targets after the walk */
    size_t batch;   /* targets per RegisterTargets/DeregisterTargets call; 0 or 1: one */
};

#define BG_WALK_INPUT_INIT                                                                         \
    {                                                                                              \
        NULL, 0, NULL, 0, NULL, 0, 100, false, 1                                                   \
    }

struct bg_walk_step {
    enum bg_walk_action action;
    struct bg_walk_target target; /* id points into the input (members, from or to) */
    int percent;                  /* share of to_targets after the step, see above */
    size_t size;                  /* registered targets (managed and foreign) after the step */
    size_t batch;                 /* 0-based; steps of one batch and action go in one call */
};

struct bg_walk_plan {
    struct bg_walk_step *steps; /* from the arena; NULL when n_steps == 0 */
    size_t n_steps;
    int start_percent; /* percent before the first step */
    int end_percent;   /* percent after the last step (= start_percent without steps) */
};

/* Plans the forward walk towards in->percent. Steps are allocated from a; their target ids
 * point into in's arrays, which must outlive the plan. Returns BG_EINVAL when from and to
 * overlap, a set is empty, or the goal is out of 0..100. */
int bg_walk_plan(struct bg_walk_plan *out, struct bg_arena *a, const struct bg_walk_input *in,
                 struct bg_error *err);

/* Plans the walk back to from_targets only (rollback_all, on_destroy = "restore"): the same
 * rules with the roles swapped, ignoring in->percent; step percents still report the share of
 * to_targets, so they decrease to 0. */
int bg_walk_plan_reverse(struct bg_walk_plan *out, struct bg_arena *a,
                         const struct bg_walk_input *in, struct bg_error *err);

/* Share of to_targets among the registered managed targets of members (the formula above). */
int bg_walk_percent(const struct bg_walk_input *in);

/* "register" / "deregister" */
const char *bg_walk_action_name(enum bg_walk_action action);

#endif
