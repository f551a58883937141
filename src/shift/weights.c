/*
 * weights.c - the weighted-shift planner and the forward-weight arithmetic
 * (include/bluegreen/weights.h).
 */
#include <string.h>

#include "bluegreen/weights.h"

#define MAX_WEIGHT 999

int bg_weights_check_schedule(const int64_t *schedule, size_t n, struct bg_error *err)
{
    for (size_t i = 0; i < n; i++) {
        if (schedule[i] < 1 || schedule[i] > 100)
            return bg_error_set(err, BG_EINVAL, "schedule[%zu] = %lld is not between 1 and 100", i,
                                (long long)schedule[i]);
        if (i > 0 && schedule[i] <= schedule[i - 1])
            return bg_error_set(err, BG_EINVAL,
                                "schedule[%zu] = %lld does not increase on schedule[%zu] = %lld", i,
                                (long long)schedule[i], i - 1, (long long)schedule[i - 1]);
    }
    return 0;
}

int bg_weights_plan(struct bg_weights_plan *out, struct bg_arena *a, int current, int goal,
                    const int64_t *schedule, size_t n, struct bg_error *err)
{
    int rc = bg_weights_check_schedule(schedule, n, err);

    memset(out, 0, sizeof(*out));
    if (rc != 0)
        return rc;
    if (current < 0 || current > 100 || goal < 0 || goal > 100)
        return bg_error_set(err, BG_EINVAL, "shares must be between 0 and 100, got %d and %d",
                            current, goal);
    out->start = out->end = current;
    if (current == goal)
        return 0;
    out->steps = bg_arena_calloc(a, n + 1, sizeof(*out->steps));
    for (size_t k = 0; k < n; k++) {
        /* walking down visits the entries from the top */
        int e = (int)(goal > current ? schedule[k] : schedule[n - 1 - k]);

        if ((goal > current && e > current && e < goal) ||
            (goal < current && e < current && e > goal))
            out->steps[out->n_steps++] = e;
    }
    out->steps[out->n_steps++] = goal;
    out->end = goal;
    return 0;
}

int bg_weights_share(int from_w, int to_w)
{
    long f = from_w > 0 ? from_w : 0, t = to_w > 0 ? to_w : 0;

    if (f + t == 0)
        return 0;
    return (int)((200 * t + f + t) / (2 * (f + t)));
}

/* The groups of a forward action: its ForwardConfig, or the plain TargetGroupArn as one group
 * of weight 1. *n is 0 for anything else. */
static const struct bg_aws_tg_weight *groups_of(const struct bg_aws_action *act, size_t *n,
                                                struct bg_aws_tg_weight *plain)
{
    *n = 0;
    if (strcmp(act->type, "forward") != 0)
        return NULL;
    if (act->forward_config) {
        *n = act->n_groups;
        return act->groups;
    }
    if (act->target_group_arn == NULL || act->target_group_arn[0] == '\0')
        return NULL;
    plain->arn = act->target_group_arn;
    plain->weight = 1;
    *n = 1;
    return plain;
}

static void tally(struct bg_weights_pair *p, const struct bg_aws_tg_weight *g, size_t n,
                  const char *from, const char *to)
{
    for (size_t i = 0; i < n; i++) {
        if (!p->from_in && strcmp(g[i].arn, from) == 0) {
            p->from_in = true;
            p->from_w = g[i].weight;
        } else if (!p->to_in && strcmp(g[i].arn, to) == 0) {
            p->to_in = true;
            p->to_w = g[i].weight;
        } else {
            p->others += g[i].weight;
            p->n_others++;
        }
    }
}

int bg_weights_find(struct bg_weights_pair *out, const struct bg_aws_actions *actions,
                    const char *from, const char *to, struct bg_error *err)
{
    bool found = false;

    memset(out, 0, sizeof(*out));
    for (size_t i = 0; i < actions->count; i++) {
        struct bg_weights_pair p = {i, 0, 0, false, false, 0, 0, 0};
        struct bg_aws_tg_weight plain;
        size_t n;
        const struct bg_aws_tg_weight *g = groups_of(&actions->items[i], &n, &plain);

        tally(&p, g, n, from, to);
        if (!p.from_in && !p.to_in)
            continue;
        if (found)
            return bg_error_set(err, BG_EINVAL,
                                "more than one forward action sends traffic to %s or %s", from, to);
        *out = p;
        found = true;
    }
    if (!found)
        return bg_error_set(err, BG_ENOTFOUND, "no forward action sends traffic to %s or %s", from,
                            to);
    out->share = bg_weights_share(out->from_w, out->to_w);
    return 0;
}

static int pair_total(const struct bg_weights_pair *p)
{
    int t = (p->from_w > 0 ? p->from_w : 0) + (p->to_w > 0 ? p->to_w : 0);

    if (t < 100)
        return 100;
    return t > MAX_WEIGHT ? MAX_WEIGHT : t;
}

/* The rewritten groups: the originals in order with the pair's weights replaced, then the
 * pair members that were missing. */
static struct bg_aws_tg_weight *new_groups(size_t *n_out, struct bg_arena *a,
                                           const struct bg_aws_action *act,
                                           const struct bg_weights_pair *p, const char *from,
                                           const char *to, int share)
{
    struct bg_aws_tg_weight plain, *g;
    size_t n, k = 0;
    const struct bg_aws_tg_weight *old = groups_of(act, &n, &plain);
    int total = pair_total(p), to_w = (total * share + 50) / 100;
    bool seen_from = false, seen_to = false;

    g = bg_arena_calloc(a, n + 3, sizeof(*g));
    for (size_t i = 0; i < n; i++) {
        g[k] = old[i];
        if (!seen_from && strcmp(old[i].arn, from) == 0) {
            g[k].weight = total - to_w;
            seen_from = true;
        } else if (!seen_to && strcmp(old[i].arn, to) == 0) {
            g[k].weight = to_w;
            seen_to = true;
        }
        k++;
    }
    if (!seen_from)
        g[k++] = (struct bg_aws_tg_weight){from, total - to_w};
    if (!seen_to)
        g[k++] = (struct bg_aws_tg_weight){to, to_w};
    *n_out = k;
    return g;
}

int bg_weights_apply(struct bg_aws_actions *out, struct bg_arena *a,
                     const struct bg_aws_actions *actions, const char *from, const char *to,
                     int share, struct bg_error *err)
{
    struct bg_weights_pair p;
    struct bg_aws_action *act;
    int rc;

    memset(out, 0, sizeof(*out));
    if (share < 0 || share > 100)
        return bg_error_set(err, BG_EINVAL, "share %d is not between 0 and 100", share);
    rc = bg_weights_find(&p, actions, from, to, err);
    if (rc != 0)
        return rc;
    out->items = bg_arena_calloc(a, actions->count + 1, sizeof(*out->items));
    memcpy(out->items, actions->items, actions->count * sizeof(*out->items));
    out->count = actions->count;
    act = &out->items[p.action];
    act->groups = new_groups(&act->n_groups, a, &actions->items[p.action], &p, from, to, share);
    act->forward_config = true;
    return 0;
}
