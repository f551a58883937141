/*
 * cluster_pair_guard.c - bluegreen_cluster_pair's teardown_guard: refuse to remove the old
 * cluster's files while any of its ingress targets is still in the ALB target group, so the
 * cluster cannot be destroyed while it still serves (or drains) traffic.
 */
#include <string.h>

#include "bluegreen/provider.h"
#include "cluster_pair.h"

static const struct bg_attr guard_attrs[] = {
    {.name = "target_group_arn",
     .type = &bg_type_string,
     .flags = BG_REQUIRED,
     .description = "The target group the old cluster's ingress targets served in."},
    {.name = "targets",
     .type = &bg_type_set_string,
     .flags = BG_REQUIRED,
     .description = "Target IDs of the cluster being torn down; while any of them is "
                    "registered (any state, draining included), teardown is refused."},
};

static const struct bg_block guard_block = {
    .description = "Refuse teardown (`standby = false`) while the old cluster is in a target "
                   "group. Needs the provider's AWS settings.",
    .attrs = guard_attrs,
    .nattrs = BG_COUNT(guard_attrs),
};

const struct bg_block_type bg_pair__guard_block_type = {
    .name = "teardown_guard",
    .nesting = BG_NEST_SINGLE,
    .block = &guard_block,
    .min_items = 0,
    .max_items = 0, /* NestingSingle: both 0 (optional) */
};

static bool listed(const struct bg_value *targets, const char *id)
{
    size_t i;

    for (i = 0; targets != NULL && targets->kind == BG_ARRAY && i < targets->u.arr.len; i++) {
        const char *t = bg_value_as_string(targets->u.arr.items[i]);

        if (t != NULL && strcmp(t, id) == 0)
            return true;
    }
    return false;
}

/* Names every listed target still in the group; "unused" means not registered. */
static int check_members(struct bg_call *call, const char *arn, const struct bg_value *targets,
                         const struct bg_aws_target_health_list *m)
{
    const struct bg_path *path = bg_path_attr(call->arena, NULL, "teardown_guard");
    int rc = 0;
    size_t i;

    for (i = 0; i < m->count; i++) {
        if (m->items[i].health == BG_TARGET_UNUSED || !listed(targets, m->items[i].id))
            continue;
        bg_diag_error(call->diags, path, "Teardown refused: the old cluster still serves",
                      "Target %s is still registered in %s (state %s). Move the traffic away "
                      "first (bluegreen_traffic_shift), then tear down.",
                      m->items[i].id, arn, m->items[i].state);
        rc = BG_ECONFLICT;
    }
    return rc;
}

int bg_pair__guard_teardown(struct bg_call *call, const struct bg_value *v, bool removes)
{
    const struct bg_value *guard = bg_value_get(v, "teardown_guard");
    const char *arn = bg_value_as_string(bg_value_get(guard, "target_group_arn"));
    struct bg_aws_target_health_list m;
    struct bg_error err = BG_ERROR_INIT;
    struct bg_aws_client *c = NULL;
    int rc;

    if (!removes || bg_value_is_null(guard) || !bg_value_is_wholly_known(guard) || arn == NULL)
        return 0; /* unknown at plan time: apply checks again with known values */
    if (bg_provider_aws_acquire(&c, call->provider, call->log, call->stop, &err) != 0) {
        bg_diag_error(call->diags, bg_path_attr(call->arena, NULL, "teardown_guard"),
                      "AWS access is not configured", "teardown_guard needs AWS to check %s: %s.",
                      arn, err.msg);
        return BG_EINVAL;
    }
    rc = bg_aws_elbv2_describe_target_health(&m, c, call->arena, arn, &err);
    bg_provider_aws_release(call->provider, c);
    if (rc != 0)
        return bg_diag_from_error(call->diags, bg_path_attr(call->arena, NULL, "teardown_guard"),
                                  "Cannot check teardown_guard", &err);
    return check_members(call, arn, bg_value_get(guard, "targets"), &m);
}
