/*
 * shift_args.c - the validator tables of the gate arguments both shift resources take
 * (shift_args.h).
 */
#include <stdint.h>

#include "alarms.h"
#include "shift_args.h"

static const int64_t soak_range[2] = {0, 86400};
static const int64_t timeout_range[2] = {1, 86400};
static const int64_t poll_range[2] = {1, 3600};
static const char *const failure_modes[] = {"rollback_step", "rollback_all", "halt", NULL};
static const char *const destroy_modes[] = {"keep", "restore", NULL};
static const size_t alarm_count[2] = {0, 100};

const struct bg_validator bg_shift_args__soak_v[] = {{bg_validate_int_range, soak_range, NULL},
                                                     {NULL, NULL, NULL}};
const struct bg_validator bg_shift_args__timeout_v[] = {
    {bg_validate_int_range, timeout_range, NULL}, {NULL, NULL, NULL}};
const struct bg_validator bg_shift_args__poll_v[] = {{bg_validate_int_range, poll_range, NULL},
                                                     {NULL, NULL, NULL}};
const struct bg_validator bg_shift_args__failure_v[] = {{bg_validate_one_of, failure_modes, NULL},
                                                        {NULL, NULL, NULL}};
const struct bg_validator bg_shift_args__destroy_v[] = {{bg_validate_one_of, destroy_modes, NULL},
                                                        {NULL, NULL, NULL}};
const struct bg_validator bg_shift_args__alarms_v[] = {
    {bg_validate_length, alarm_count, NULL},
    {bg_alarms__validate_names, NULL, "Each name 1 to 255 characters, as CloudWatch allows."},
    {NULL, NULL, NULL}};
