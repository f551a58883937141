/*
 * traffic_shift_gates.c - the gates batches and alarm_names add to the walk executor
 * (traffic_shift_walk.c): the healthy-count guard of a batch that leaves, and the CloudWatch
 * alarm gate.
 */
#include <string.h>

#include "traffic_shift_walk.h"

static bool healthy(const struct bg_walk_member *x)
{
    return x != NULL && x->health == BG_TARGET_HEALTHY;
}

size_t bg_shift__healthy_count(const struct bg_shift_members *m)
{
    size_t n = 0;

    for (size_t i = 0; i < m->n; i++)
        n += healthy(&m->items[i]);
    return n;
}

int bg_shift__batch_guard(struct bg_call *call, const struct bg_shift_cfg *cfg,
                          const struct bg_shift_members *m, const struct bg_walk_step *s, size_t n,
                          size_t healthy_start)
{
    size_t registered = 0, left_healthy = bg_shift__healthy_count(m), need;

    for (size_t i = 0; i < m->n; i++)
        registered += bg_shift__is_registered(&m->items[i]);
    for (size_t i = 0; i < n; i++) {
        const struct bg_walk_member *x = bg_shift__member_find(m, &s[i].target, NULL);

        left_healthy -= healthy(x);
        registered -= bg_shift__is_registered(x);
    }
    /* when the walk ends smaller than it began, its last batches may go below the start */
    need = healthy_start < registered ? healthy_start : registered;
    if (left_healthy >= need && left_healthy > 0)
        return 0;
    bg_diag_error(call->diags, NULL, "Refusing to deregister the batch",
                  "Deregistering %zu targets (%s first) would leave %zu healthy targets in %s, "
                  "fewer than the %zu the walk started with.",
                  n, s[0].target.id, left_healthy, cfg->arn, need);
    return BG_ECONFLICT;
}

int bg_shift__alarm_gate(struct bg_call *call, const struct bg_shift_env *env,
                         const struct bg_shift_cfg *cfg, const char *when)
{
    const struct bg_path *path = bg_path_attr(call->arena, NULL, "alarm_names");
    struct bg_error err = BG_ERROR_INIT;
    const char *firing = NULL, *reason = NULL;

    if (cfg->n_alarms == 0 || env->cloudwatch.alarms == NULL)
        return 0;
    if (env->cloudwatch.alarms(&firing, &reason, env->cloudwatch.ctx, call->arena, cfg->alarm_names,
                               cfg->n_alarms, &err) != 0)
        return bg_diag_from_error(call->diags, path, "Cannot read the CloudWatch alarms", &err);
    if (firing == NULL)
        return 0;
    bg_diag_error(call->diags, path, "Alarm gate failed",
                  "CloudWatch alarm \"%s\" is in ALARM (%s) %s.", firing,
                  reason != NULL && reason[0] != '\0' ? reason : "no reason given", when);
    return BG_ECONFLICT;
}
