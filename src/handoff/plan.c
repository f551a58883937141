/*
 * plan.c - the hand-off's steps still to take, from an observation alone (the rules are in
 * include/bluegreen/handoff.h). Every step is judged on its own predicate, so a step that
 * looks done is skipped wherever it sits; the predicates of the Elasticsearch steps look at
 * each other so that "allocation is null" means "not yet disabled" before the old cluster
 * goes down and "re-enabled" after.
 */
#include <string.h>

#include "bluegreen/handoff.h"

static const char *const action_names[] = {
    [BG_HANDOFF_SCALE_DOWN] = "scale_down",
    [BG_HANDOFF_DISABLE_ALLOCATION] = "disable_allocation",
    [BG_HANDOFF_FLUSH] = "flush",
    [BG_HANDOFF_SCALE_NODE_GROUP] = "scale_node_group",
    [BG_HANDOFF_SCALE_UP] = "scale_up",
    [BG_HANDOFF_WAIT_JOINED] = "wait_joined",
    [BG_HANDOFF_ENABLE_ALLOCATION] = "enable_allocation",
    [BG_HANDOFF_WAIT_GREEN] = "wait_green",
};

const char *bg_handoff_action_name(enum bg_handoff_action a)
{
    return action_names[a];
}

const char *bg_handoff_cluster_name(enum bg_handoff_cluster c)
{
    return c == BG_HANDOFF_FROM ? "from_cluster" : c == BG_HANDOFF_TO ? "to_cluster" : "aws";
}

bool bg_handoff_step_equal(const struct bg_handoff_step *x, const struct bg_handoff_step *y)
{
    return x->action == y->action && x->cluster == y->cluster && strcmp(x->target, y->target) == 0;
}

static bool is_down(const struct bg_handoff_obs *o)
{
    return o->found && o->spec_replicas == 0 && o->pods == 0;
}

static bool is_up(const struct bg_handoff_obs *o, int replicas)
{
    return o->found && o->settled && o->spec_replicas == replicas && o->ready == replicas;
}

/* No Elasticsearch pod is ready in from_cluster: nothing there for allocation to protect. */
static bool from_idle(const struct bg_handoff_spec *s, const struct bg_handoff_world *w)
{
    for (size_t i = 0; i < s->n_statefulsets; i++) {
        if (w->from_sts[i].ready > 0)
            return false;
    }
    return true;
}

static bool allocation_enabled(const struct bg_handoff_world *w)
{
    return w->alloc_known && (w->allocation == NULL || strcmp(w->allocation, "all") == 0);
}

static bool disabled_done(const struct bg_handoff_spec *s, const struct bg_handoff_world *w)
{
    return (w->alloc_known && w->allocation != NULL && strcmp(w->allocation, "primaries") == 0) ||
           from_idle(s, w);
}

static bool flush_done(const struct bg_handoff_spec *s, const struct bg_handoff_world *w)
{
    return from_idle(s, w) ||
           (s->n_statefulsets > 0 && w->from_sts[s->n_statefulsets - 1].spec_replicas == 0);
}

static bool enabled_done(const struct bg_handoff_spec *s, const struct bg_handoff_world *w)
{
    return disabled_done(s, w) && allocation_enabled(w);
}

static bool pause_started(const struct bg_handoff_spec *s, const struct bg_handoff_world *w)
{
    for (size_t i = 0; i < s->n_pause; i++) {
        if (w->to_pause[i].spec_replicas > 0)
            return true;
    }
    return false;
}

static bool green_done(const struct bg_handoff_spec *s, const struct bg_handoff_world *w)
{
    bool green =
        w->health_known && w->health.status != NULL && strcmp(w->health.status, "green") == 0;

    return enabled_done(s, w) && (green || pause_started(s, w));
}

static bool node_group_done(const struct bg_handoff_world *w)
{
    return w->ng_known && w->ng.desired == 0 && w->ng.min == 0 && w->ng.instances == 0;
}

struct builder {
    struct bg_arena *a;
    struct bg_handoff_plan *out;
    size_t cap;
};

static void add(struct builder *b, enum bg_handoff_action act, enum bg_handoff_cluster c,
                const char *target, bool pause, size_t index)
{
    struct bg_handoff_step *s = &b->out->steps[b->out->n++];

    s->action = act;
    s->cluster = c;
    s->target = target;
    s->pause = pause;
    s->index = index;
}

static const char *name_of(struct bg_arena *a, const struct bg_handoff_workload *w)
{
    return bg_arena_printf(a, "%s/%s", w->namespace_, w->name);
}

static void plan_es_up(struct builder *b, const struct bg_handoff_spec *s,
                       const struct bg_handoff_world *w)
{
    if (s->es_target == NULL)
        return;
    if (!enabled_done(s, w)) {
        add(b, BG_HANDOFF_WAIT_JOINED, BG_HANDOFF_TO, s->es_target, false, 0);
        add(b, BG_HANDOFF_ENABLE_ALLOCATION, BG_HANDOFF_TO, s->es_target, false, 0);
    }
    if (!green_done(s, w))
        add(b, BG_HANDOFF_WAIT_GREEN, BG_HANDOFF_TO, s->es_target, false, 0);
}

void bg_handoff_plan(struct bg_handoff_plan *out, struct bg_arena *a,
                     const struct bg_handoff_spec *s, const struct bg_handoff_world *w)
{
    struct builder b = {a, out, 2 * s->n_pause + 2 * s->n_statefulsets + 6};
    size_t i;

    out->n = 0;
    out->steps = bg_arena_calloc(a, b.cap, sizeof(*out->steps));
    for (i = 0; i < s->n_pause; i++) {
        if (!is_down(&w->from_pause[i]))
            add(&b, BG_HANDOFF_SCALE_DOWN, BG_HANDOFF_FROM, name_of(a, &s->pause[i]), true, i);
    }
    if (s->es_target != NULL && !disabled_done(s, w))
        add(&b, BG_HANDOFF_DISABLE_ALLOCATION, BG_HANDOFF_FROM, s->es_target, false, 0);
    if (s->es_target != NULL && !flush_done(s, w))
        add(&b, BG_HANDOFF_FLUSH, BG_HANDOFF_FROM, s->es_target, false, 0);
    for (i = s->n_statefulsets; i-- > 0;) {
        if (!is_down(&w->from_sts[i]))
            add(&b, BG_HANDOFF_SCALE_DOWN, BG_HANDOFF_FROM, name_of(a, &s->statefulsets[i]), false,
                i);
    }
    if (s->node_group != NULL && !node_group_done(w))
        add(&b, BG_HANDOFF_SCALE_NODE_GROUP, BG_HANDOFF_AWS, s->node_group, false, 0);
    for (i = 0; i < s->n_statefulsets; i++) {
        if (!is_up(&w->to_sts[i], s->statefulsets[i].replicas))
            add(&b, BG_HANDOFF_SCALE_UP, BG_HANDOFF_TO, name_of(a, &s->statefulsets[i]), false, i);
    }
    plan_es_up(&b, s, w);
    for (i = 0; i < s->n_pause; i++) {
        if (!is_up(&w->to_pause[i], s->pause[i].replicas))
            add(&b, BG_HANDOFF_SCALE_UP, BG_HANDOFF_TO, name_of(a, &s->pause[i]), true, i);
    }
    if (out->n == 0)
        out->steps = NULL;
}
