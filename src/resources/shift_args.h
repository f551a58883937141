/*
 * shift_args.h - the gate arguments bluegreen_traffic_shift and bluegreen_weighted_shift share
 * (soak_seconds, health_timeout_seconds, poll_interval_seconds, on_failure, on_destroy,
 * alarm_names), validated by one set of tables so both resources accept the same values.
 * The on_failure and on_destroy lists also give their enum slots' indices: both resources'
 * C enums follow this order.
 */
#ifndef BG_RESOURCES_SHIFT_ARGS_H
#define BG_RESOURCES_SHIFT_ARGS_H

#include "bluegreen/schema.h"

extern const struct bg_validator bg_shift_args__soak_v[];
extern const struct bg_validator bg_shift_args__timeout_v[];
extern const struct bg_validator bg_shift_args__poll_v[];
extern const struct bg_validator bg_shift_args__failure_v[]; /* rollback_step, rollback_all, halt */
extern const struct bg_validator bg_shift_args__destroy_v[]; /* keep, restore */
extern const struct bg_validator bg_shift_args__alarms_v[];

#endif
