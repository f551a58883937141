/*
 * target.h - identity and health of a load-balancer target, the one place that says when two
 * targets are the same, which health states count as a member of the group, and how ELBv2
 * spells each state. Used by the walk planner (src/shift/walk.c), bluegreen_traffic_shift
 * and the ELBv2 parser. Pure functions, no allocation, thread safe.
 */
#ifndef BLUEGREEN_TARGET_H
#define BLUEGREEN_TARGET_H

#include <stdbool.h>

/* ELBv2 TargetHealth.State (API 2015-12-01). The raw string is kept next to the enum for
 * messages; states added to the API later parse as BG_TARGET_UNKNOWN. */
enum bg_target_health {
    BG_TARGET_UNKNOWN = 0, /* not reported (NULL, "") or a state this provider does not know */
    BG_TARGET_INITIAL,
    BG_TARGET_HEALTHY,
    BG_TARGET_UNHEALTHY,
    BG_TARGET_UNHEALTHY_DRAINING, /* "unhealthy.draining": unhealthy, still registered */
    BG_TARGET_UNUSED,
    BG_TARGET_DRAINING,
    BG_TARGET_UNAVAILABLE,
};

/* The enum for an ELBv2 state string; NULL, "" and unknown strings are BG_TARGET_UNKNOWN. */
enum bg_target_health bg_target_health_parse(const char *state);

/* ELBv2's spelling ("healthy", "unhealthy.draining"...); "unknown" for BG_TARGET_UNKNOWN. */
const char *bg_target_health_name(enum bg_target_health health);

/* Whether a target in this state is a member of the group: everything but draining (leaving
 * already) and unused (receives no traffic, e.g. its AZ is not enabled). An unknown state
 * counts as registered, so a state the API adds later never makes a target invisible. */
bool bg_target_is_registered(enum bg_target_health health);

/* Whether two targets are the same member: equal ids and equal ports, where port 0 means
 * "the target group's port" and matches any port. ids must not be NULL. */
bool bg_target_same(const char *id_a, int port_a, const char *id_b, int port_b);

#endif
