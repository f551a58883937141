/*
 * cluster_pair_guard.c - bluegreen_cluster_pair's teardown_guard: refuse to remove the old
 * cluster's files while any of its ingress targets is still in the ALB target group, or, for
 * a weighted shift, while the old cluster's target group still has weight in the listener or
 * rule or still has healthy targets, so the cluster cannot be destroyed while it still serves
 * (or drains) traffic.
 */
#include <string.h>

#include "bluegreen/provider.h"
#include "bluegreen/weights.h"
#include "cluster_pair.h"

#define ELB "elasticloadbalancing"

static void check_subject(struct bg_diags *d, const struct bg_path *path, const struct bg_value *v,
                          const void *arg)
{
    const char *s = bg_value_as_string(v), *type = arg;

    if (!bg_aws_arn_is(s, ELB, type, strcmp(type, "listener") == 0 ? 4 : 5))
        bg_diag_error(d, path, "Invalid ARN", "\"%s\" is not a %s ARN.", s != NULL ? s : "", type);
}

static const struct bg_validator listener_v[] = {{check_subject, "listener", "A listener ARN."},
                                                 {NULL, NULL, NULL}};
static const struct bg_validator rule_v[] = {
    {check_subject, "listener-rule", "A listener rule ARN."}, {NULL, NULL, NULL}};

static const struct bg_attr guard_attrs[] = {
    {.name = "target_group_arn",
     .type = &bg_type_string,
     .flags = BG_REQUIRED,
     .description = "The target group the old cluster's ingress targets served in.",
     .slot = BG_SLOT_STRING(struct bg_pair_guard, target_group_arn),
     .presence = BG_PRESENCE(struct bg_pair_guard, arn_is)},
    {.name = "targets",
     .type = &bg_type_set_string,
     .flags = BG_OPTIONAL,
     .description = "Target IDs of the cluster being torn down; while any of them is "
                    "registered (any state, draining included), teardown is refused.",
     .slot = BG_SLOT_STRINGS(struct bg_pair_guard, targets, ntargets),
     .presence = BG_PRESENCE(struct bg_pair_guard, targets_is)},
    {.name = "listener_arn",
     .type = &bg_type_string,
     .flags = BG_OPTIONAL,
     .validators = listener_v,
     .description = "For a weighted shift (bluegreen_weighted_shift): the listener whose "
                    "default forward action sends traffic to target_group_arn. Teardown is "
                    "refused while target_group_arn has weight there, or has a registered "
                    "healthy target. Needs `targets`, `listener_arn` or `listener_rule_arn`.",
     .slot = BG_SLOT_STRING(struct bg_pair_guard, listener_arn),
     .presence = BG_PRESENCE(struct bg_pair_guard, listener_is)},
    {.name = "listener_rule_arn",
     .type = &bg_type_string,
     .flags = BG_OPTIONAL,
     .validators = rule_v,
     .description = "As `listener_arn`, for a listener rule's forward action.",
     .slot = BG_SLOT_STRING(struct bg_pair_guard, rule_arn),
     .presence = BG_PRESENCE(struct bg_pair_guard, rule_is)},
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
    .slot = BG_SLOT_OBJECT(struct bg_pair_cfg, guard),
};

static bool listed(const struct bg_pair_guard *g, const char *id)
{
    for (size_t i = 0; i < g->ntargets; i++) {
        if (g->targets[i] != NULL && strcmp(g->targets[i], id) == 0)
            return true;
    }
    return false;
}

/* Names every listed target still in the group; "unused" means not registered. */
static int check_members(struct bg_call *call, const struct bg_pair_guard *g,
                         const struct bg_aws_target_health_list *m)
{
    const struct bg_path *path = bg_path_attr(call->arena, NULL, "teardown_guard");
    int rc = 0;
    size_t i;

    for (i = 0; i < m->count; i++) {
        if (m->items[i].health == BG_TARGET_UNUSED || !listed(g, m->items[i].id))
            continue;
        bg_diag_error(call->diags, path, "Teardown refused: the old cluster still serves",
                      "Target %s is still registered in %s (state %s). Move the traffic away "
                      "first (bluegreen_traffic_shift), then tear down.",
                      m->items[i].id, g->target_group_arn, m->items[i].state);
        rc = BG_ECONFLICT;
    }
    return rc;
}

/* Weight target_group_arn has in the listener's or rule's forward action (0 when absent). */
static int check_weight(struct bg_call *call, struct bg_aws_client *c, const char *arn,
                        const char *listener, const char *rule)
{
    const struct bg_path *path = bg_path_attr(call->arena, NULL, "teardown_guard");
    struct bg_error err = BG_ERROR_INIT;
    struct bg_aws_listener l;
    struct bg_aws_rule r;
    struct bg_weights_pair p;
    int rc;

    rc = listener != NULL ? bg_aws_elbv2_describe_listener(&l, c, call->arena, listener, &err)
                          : bg_aws_elbv2_describe_rule(&r, c, call->arena, rule, &err);
    if (rc != 0)
        return bg_diag_from_error(call->diags, path, "Cannot check teardown_guard", &err);
    /* "" matches no group: only the old group's own weight is looked at */
    rc = bg_weights_find(&p, listener != NULL ? &l.actions : &r.actions, arn, "", &err);
    if (rc == BG_ENOTFOUND || (rc == 0 && p.from_w <= 0))
        return 0;
    if (rc != 0)
        return bg_diag_from_error(call->diags, path, "Cannot check teardown_guard", &err);
    bg_diag_error(call->diags, path, "Teardown refused: the old cluster still has weight",
                  "%s forwards to %s with weight %d. Move the weights away first "
                  "(bluegreen_weighted_shift), then tear down.",
                  listener != NULL ? listener : rule, arn, p.from_w);
    return BG_ECONFLICT;
}

/* A registered healthy target still receives traffic from any rule forwarding to the group. */
static int check_healthy(struct bg_call *call, const char *arn,
                         const struct bg_aws_target_health_list *m)
{
    size_t healthy = 0, first = 0;

    for (size_t i = 0; i < m->count; i++) {
        if (m->items[i].health == BG_TARGET_HEALTHY && healthy++ == 0)
            first = i;
    }
    if (healthy == 0)
        return 0;
    bg_diag_error(call->diags, bg_path_attr(call->arena, NULL, "teardown_guard"),
                  "Teardown refused: the old cluster still has healthy targets",
                  "%zu target(s) of %s are registered and healthy (%s first). Take the old "
                  "cluster's ingress out of the group (scale it to zero or deregister it), then "
                  "tear down.",
                  healthy, arn, m->items[first].id);
    return BG_ECONFLICT;
}

static int guard_with(struct bg_call *call, struct bg_aws_client *c, const struct bg_pair_guard *g)
{
    const char *arn = g->target_group_arn;
    struct bg_aws_target_health_list m;
    struct bg_error err = BG_ERROR_INIT;
    int rc = 0;

    if (bg_aws_elbv2_describe_target_health(&m, c, call->arena, arn, &err) != 0)
        return bg_diag_from_error(call->diags, bg_path_attr(call->arena, NULL, "teardown_guard"),
                                  "Cannot check teardown_guard", &err);
    if (g->targets_is == BG_PRESENCE_KNOWN)
        rc = check_members(call, g, &m);
    if (g->listener_arn != NULL || g->rule_arn != NULL) {
        if (check_weight(call, c, arn, g->listener_arn, g->rule_arn) != 0)
            rc = BG_ECONFLICT;
        if (check_healthy(call, arn, &m) != 0)
            rc = BG_ECONFLICT;
    }
    return rc;
}

static bool known(const struct bg_pair_guard *g)
{
    return g->arn_is != BG_PRESENCE_UNKNOWN && g->targets_is != BG_PRESENCE_UNKNOWN &&
           g->listener_is != BG_PRESENCE_UNKNOWN && g->rule_is != BG_PRESENCE_UNKNOWN;
}

/* A guard that names nothing to watch would never refuse anything. */
static int check_shape(struct bg_call *call, const struct bg_pair_guard *g)
{
    if (g->targets_is != BG_PRESENCE_NULL || g->listener_is != BG_PRESENCE_NULL ||
        g->rule_is != BG_PRESENCE_NULL || !known(g))
        return 0;
    bg_diag_error(call->diags, bg_path_attr(call->arena, NULL, "teardown_guard"),
                  "teardown_guard watches nothing",
                  "Set targets (the old cluster's target IDs), or listener_arn or "
                  "listener_rule_arn (a weighted shift between two target groups).");
    return BG_EINVAL;
}

int bg_pair__guard_teardown(struct bg_call *call, const struct bg_pair_cfg *cfg, bool removes)
{
    const struct bg_pair_guard *g = cfg->guard;
    struct bg_error err = BG_ERROR_INIT;
    struct bg_aws_client *c = NULL;
    int rc;

    if (g != NULL && check_shape(call, g) != 0)
        return BG_EINVAL;
    if (!removes || g == NULL || !known(g) || g->target_group_arn == NULL)
        return 0; /* unknown at plan time: apply checks again with known values */
    if (bg_provider_aws_acquire(&c, call->provider, call->log, call->stop, &err) != 0) {
        bg_diag_error(call->diags, bg_path_attr(call->arena, NULL, "teardown_guard"),
                      "AWS access is not configured", "teardown_guard needs AWS to check %s: %s.",
                      g->target_group_arn, err.msg);
        return BG_EINVAL;
    }
    rc = guard_with(call, c, g);
    bg_provider_aws_release(call->provider, c);
    return rc;
}
