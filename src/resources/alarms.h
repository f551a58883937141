/*
 * alarms.h - the CloudWatch alarm gate shared by bluegreen_traffic_shift and
 * bluegreen_weighted_shift (alarm_names): existence checked at plan time, the first alarm in
 * ALARM found at each gate and soak poll.
 */
#ifndef BG_RESOURCES_ALARMS_H
#define BG_RESOURCES_ALARMS_H

#include "bluegreen/aws.h"
#include "bluegreen/resource.h"

/* What a gate needs to know: the first of the names in ALARM, if any. */
struct bg_alarms_state {
    const char *firing; /* NULL when none is in ALARM */
    const char *reason; /* its StateReason */
};

/* The first name of names[0..n) that l does not hold, or NULL. */
const char *bg_alarms__missing(const char *const *names, size_t n,
                               const struct bg_aws_alarm_list *l);

/* One DescribeAlarms: *out names the first alarm in ALARM, in the order of names (strings
 * copied to keep, the answer freed at once). A name CloudWatch no longer knows is an error
 * (BG_ENOTFOUND): a gate on a missing alarm would never close. */
int bg_alarms__read(struct bg_alarms_state *out, struct bg_arena *keep, struct bg_aws_client *c,
                    const char *const *names, size_t n, struct bg_error *err);

/* Validator of alarm_names (a set of strings): each name 1 to 255 characters. */
void bg_alarms__validate_names(struct bg_diags *d, const struct bg_path *path,
                               const struct bg_value *v, const void *arg);

/* Plan time: every name exists, else an error diagnostic at alarm_names naming it. */
int bg_alarms__check_exist(struct bg_call *call, struct bg_aws_client *c, const char *const *names,
                           size_t n);

#endif
