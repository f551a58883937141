/*
 * weights.h - the weighted-shift planner: the steps from the share to_target_group has now to
 * the goal `percent` through the schedule, and the forward weights that give a share. Pure:
 * no I/O; bluegreen_weighted_shift executes the steps (gates, soaks) and re-plans from the
 * listener's real weights after any interruption.
 *
 * Rules (also the contract the unit tests check):
 * - The pair is from_target_group and to_target_group inside one forward action (a plain
 *   forward's TargetGroupArn counts as one group of weight 1). Other target groups of that
 *   action are not counted and keep their weights.
 * - share = round(100 * to / (from + to)), half up; 0 when both weights are 0.
 * - The walk visits the schedule entries strictly between the current share and the goal, in
 *   walking order, then the goal itself: 0 -> 60 over [10, 25, 50, 75, 100] is 10, 25, 50, 60;
 *   lowering 60 -> 0 is 50, 25, 10, 0. A goal already met gives no steps. The rule looks at
 *   the current share only, so planning again from any share the walk passed through yields
 *   exactly the remaining steps (a resumed walk does nothing twice).
 * - Weights for share p: the pair keeps its total T = from + to when 100 <= T <= 999 (so the
 *   other groups keep their share of the traffic), else takes 100 (T < 100: enough steps for
 *   every whole percent) or 999 (the API's largest weight); to = round(T * p / 100), from =
 *   T - to, so reading the weights back gives p again. A group missing from the action is
 *   added after the others (from, then to); a plain forward becomes a ForwardConfig.
 */
#ifndef BLUEGREEN_WEIGHTS_H
#define BLUEGREEN_WEIGHTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "arena.h"
#include "aws.h"
#include "common.h"

struct bg_weights_plan {
    int *steps; /* shares after each step, from the arena; NULL when n_steps == 0 */
    size_t n_steps;
    int start; /* share before the first step */
    int end;   /* share after the last (= start without steps) */
};

/* Entries 1..100, strictly increasing (empty is allowed: straight to the goal). BG_EINVAL
 * with a message naming the first bad entry (0-based index). */
int bg_weights_check_schedule(const int64_t *schedule, size_t n, struct bg_error *err);

/* The walk from current to goal (both 0..100) over a checked schedule. */
int bg_weights_plan(struct bg_weights_plan *out, struct bg_arena *a, int current, int goal,
                    const int64_t *schedule, size_t n, struct bg_error *err);

/* round(100 * to / (from + to)); 0 when both are 0 (negative weights count as 0). */
int bg_weights_share(int from_w, int to_w);

/* Where the pair stands among a listener's or rule's actions. */
struct bg_weights_pair {
    size_t action; /* index of the forward action holding from or to */
    int from_w;    /* 0 when from is not in it (from_in false) */
    int to_w;      /* 0 when to is not in it */
    bool from_in, to_in;
    int others; /* sum of the weights of the action's other target groups */
    size_t n_others;
    int share; /* bg_weights_share(from_w, to_w) */
};

/* Finds the one forward action that holds from or to. BG_ENOTFOUND when none does, BG_EINVAL
 * when more than one does; err names the ARNs. */
int bg_weights_find(struct bg_weights_pair *out, const struct bg_aws_actions *actions,
                    const char *from, const char *to, struct bg_error *err);

/* *out = actions with the pair's forward action rewritten for share (0..100), every other
 * action and field shared unchanged; see the rules above. New arrays from the arena. */
int bg_weights_apply(struct bg_aws_actions *out, struct bg_arena *a,
                     const struct bg_aws_actions *actions, const char *from, const char *to,
                     int share, struct bg_error *err);

#endif
