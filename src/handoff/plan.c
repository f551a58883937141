/*
 * plan.c - the hand-off's steps still to take, from an observation alone (the rules are in
 * include/bluegreen/handoff.h). Every step is judged on its own predicate, so a step that
 * looks done is skipped wherever it sits; the predicates of the Elasticsearch steps look at
 * each other so that "allocation is null" means "not yet disabled" before the old cluster
 * goes down and "re-enabled" after.
 */
#include <string.h>

#include "internal.h"

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

/* A step is planned while its intent is not in the world (spec.replicas, the allocation
 * setting, the node group's sizes): what only the hand-off itself changes, so the plan does
 * not move while pods merely converge (terraform plans twice per apply and requires the same
 * known values). Convergence (pods gone or ready, instances gone) is what the executor waits
 * for, before the next step and at the end. */
static const struct bg_handoff_obs *obs_of(const struct bg_handoff_step *st,
                                           const struct bg_handoff_world *w)
{
    if (st->cluster == BG_HANDOFF_FROM)
        return st->pause ? &w->from_pause[st->index] : &w->from_sts[st->index];
    return st->pause ? &w->to_pause[st->index] : &w->to_sts[st->index];
}

static int replicas_of(const struct bg_handoff_step *st, const struct bg_handoff_spec *s)
{
    return st->pause ? s->pause[st->index].replicas : s->statefulsets[st->index].replicas;
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

bool bg_handoff__intent_done(const struct bg_handoff_step *st, const struct bg_handoff_spec *s,
                             const struct bg_handoff_world *w)
{
    switch (st->action) {
    case BG_HANDOFF_SCALE_DOWN:
        return obs_of(st, w)->spec_replicas == 0;
    case BG_HANDOFF_SCALE_UP:
        return obs_of(st, w)->spec_replicas == replicas_of(st, s);
    case BG_HANDOFF_DISABLE_ALLOCATION:
        return disabled_done(s, w);
    case BG_HANDOFF_FLUSH:
        return flush_done(s, w);
    case BG_HANDOFF_SCALE_NODE_GROUP:
        return w->ng_known && w->ng.desired == 0 && w->ng.min == 0;
    case BG_HANDOFF_WAIT_JOINED:
    case BG_HANDOFF_ENABLE_ALLOCATION:
        return enabled_done(s, w);
    case BG_HANDOFF_WAIT_GREEN:
        /* the gate in front of the pause workloads: passed once one of them started; without
         * any, the apply that re-enabled allocation waited for green */
        return enabled_done(s, w) && (pause_started(s, w) || s->n_pause == 0);
    }
    return false;
}

bool bg_handoff__converged(const struct bg_handoff_step *st, const struct bg_handoff_spec *s,
                           const struct bg_handoff_world *w)
{
    const struct bg_handoff_obs *o;

    switch (st->action) {
    case BG_HANDOFF_SCALE_DOWN:
        return obs_of(st, w)->pods == 0;
    case BG_HANDOFF_SCALE_UP:
        o = obs_of(st, w);
        return o->settled && o->ready == replicas_of(st, s) && o->spec_replicas == o->ready;
    case BG_HANDOFF_SCALE_NODE_GROUP:
        return w->ng.instances == 0 && (w->ng.status == NULL || strcmp(w->ng.status, "UPDATING"));
    default:
        return true;
    }
}

struct builder {
    struct bg_arena *a;
    struct bg_handoff_plan *out;
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

static void add_es_up(struct builder *b, const struct bg_handoff_spec *s)
{
    if (s->es_target == NULL)
        return;
    add(b, BG_HANDOFF_WAIT_JOINED, BG_HANDOFF_TO, s->es_target, false, 0);
    add(b, BG_HANDOFF_ENABLE_ALLOCATION, BG_HANDOFF_TO, s->es_target, false, 0);
    add(b, BG_HANDOFF_WAIT_GREEN, BG_HANDOFF_TO, s->es_target, false, 0);
}

void bg_handoff__canonical(struct bg_handoff_plan *out, struct bg_arena *a,
                           const struct bg_handoff_spec *s)
{
    struct builder b = {a, out};
    size_t i;

    out->n = 0;
    out->steps =
        bg_arena_calloc(a, 2 * s->n_pause + 2 * s->n_statefulsets + 7, sizeof(*out->steps));
    for (i = 0; i < s->n_pause; i++)
        add(&b, BG_HANDOFF_SCALE_DOWN, BG_HANDOFF_FROM, name_of(a, &s->pause[i]), true, i);
    if (s->es_target != NULL) {
        add(&b, BG_HANDOFF_DISABLE_ALLOCATION, BG_HANDOFF_FROM, s->es_target, false, 0);
        add(&b, BG_HANDOFF_FLUSH, BG_HANDOFF_FROM, s->es_target, false, 0);
    }
    for (i = s->n_statefulsets; i-- > 0;)
        add(&b, BG_HANDOFF_SCALE_DOWN, BG_HANDOFF_FROM, name_of(a, &s->statefulsets[i]), false, i);
    if (s->node_group != NULL)
        add(&b, BG_HANDOFF_SCALE_NODE_GROUP, BG_HANDOFF_AWS, s->node_group, false, 0);
    for (i = 0; i < s->n_statefulsets; i++)
        add(&b, BG_HANDOFF_SCALE_UP, BG_HANDOFF_TO, name_of(a, &s->statefulsets[i]), false, i);
    add_es_up(&b, s);
    for (i = 0; i < s->n_pause; i++)
        add(&b, BG_HANDOFF_SCALE_UP, BG_HANDOFF_TO, name_of(a, &s->pause[i]), true, i);
}

void bg_handoff_plan(struct bg_handoff_plan *out, struct bg_arena *a,
                     const struct bg_handoff_spec *s, const struct bg_handoff_world *w)
{
    struct bg_handoff_plan all;
    size_t i;

    bg_handoff__canonical(&all, a, s);
    out->n = 0;
    out->steps = all.steps; /* filtered in place: kept steps only move forward */
    for (i = 0; i < all.n; i++) {
        if (!bg_handoff__intent_done(&all.steps[i], s, w))
            out->steps[out->n++] = all.steps[i];
    }
    if (out->n == 0)
        out->steps = NULL;
}
