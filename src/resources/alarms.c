/*
 * alarms.c - the CloudWatch alarm gate of the shift resources (alarms.h).
 */
#include <string.h>

#include "alarms.h"

const char *bg_alarms__missing(const char *const *names, size_t n,
                               const struct bg_aws_alarm_list *l)
{
    for (size_t i = 0; i < n; i++) {
        size_t k = 0;

        while (k < l->count && strcmp(l->items[k].name, names[i]) != 0)
            k++;
        if (k == l->count)
            return names[i];
    }
    return NULL;
}

static const struct bg_aws_alarm *firing(const char *const *names, size_t n,
                                         const struct bg_aws_alarm_list *l)
{
    for (size_t i = 0; i < n; i++) {
        for (size_t k = 0; k < l->count; k++) {
            if (l->items[k].value == BG_AWS_ALARM_ALARM && strcmp(l->items[k].name, names[i]) == 0)
                return &l->items[k];
        }
    }
    return NULL;
}

int bg_alarms__read(struct bg_alarms_state *out, struct bg_arena *keep, struct bg_aws_client *c,
                    const char *const *names, size_t n, struct bg_error *err)
{
    struct bg_arena *scratch = bg_arena_new();
    const struct bg_aws_alarm *hot;
    struct bg_aws_alarm_list l;
    const char *gone;
    int rc;

    memset(out, 0, sizeof(*out));
    rc = bg_aws_cloudwatch_describe_alarms(&l, c, scratch, names, n, err);
    gone = rc == 0 ? bg_alarms__missing(names, n, &l) : NULL;
    if (gone != NULL)
        rc = bg_error_set(err, BG_ENOTFOUND, "CloudWatch alarm \"%s\" no longer exists", gone);
    hot = rc == 0 ? firing(names, n, &l) : NULL;
    if (hot != NULL) {
        out->firing = bg_arena_strdup(keep, hot->name);
        out->reason = bg_arena_strdup(keep, hot->reason);
    }
    bg_arena_free(scratch);
    return rc;
}

int bg_alarms__check_exist(struct bg_call *call, struct bg_aws_client *c, const char *const *names,
                           size_t n)
{
    struct bg_error err = BG_ERROR_INIT;
    struct bg_aws_alarm_list l;
    const char *gone;

    if (n == 0)
        return 0;
    if (bg_aws_cloudwatch_describe_alarms(&l, c, call->arena, names, n, &err) != 0)
        return bg_diag_from_error(call->diags, bg_path_attr(call->arena, NULL, "alarm_names"),
                                  "Cannot read the CloudWatch alarms", &err);
    gone = bg_alarms__missing(names, n, &l);
    if (gone == NULL)
        return 0;
    bg_diag_error(call->diags, bg_path_attr(call->arena, NULL, "alarm_names"),
                  "CloudWatch alarm not found",
                  "No metric or composite alarm is named \"%s\" in %s: a gate on an alarm that "
                  "does not exist would never close.",
                  gone, bg_aws_client_region(c));
    return BG_ENOTFOUND;
}

void bg_alarms__validate_names(struct bg_diags *d, const struct bg_path *path,
                               const struct bg_value *v, const void *arg)
{
    (void)arg;
    for (size_t i = 0; i < bg_value_len(v); i++) {
        const char *s = bg_value_as_string(v->u.arr.items[i]);
        size_t len = s != NULL ? strlen(s) : 0;

        if (s != NULL && (len == 0 || len > 255))
            bg_diag_error(d, path, "Invalid alarm name",
                          "\"%s\" is not a CloudWatch alarm name (1 to 255 characters).", s);
    }
}
