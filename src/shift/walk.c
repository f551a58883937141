/*
 * walk.c - the traffic-shift walk planner (include/bluegreen/walk.h).
 *
 * The planner simulates the membership step by step. The next step depends only on the
 * simulated state, never on how it was reached: that is what makes a re-plan after an
 * interruption continue the very same walk.
 */
#include <assert.h>
#include <string.h>

#include "bluegreen/walk.h"

struct state {
    const struct bg_walk_input *in;
    bool *from_on, *to_on; /* currently registered? */
    int *from_port;        /* the port a registered from target really has */
    bool *foreign_on;      /* per member: registered and in neither set */
    size_t n_from_on, n_to_on, n_foreign_on;
    bool reverse;
};

static long find(const struct bg_walk_target *set, size_t n, const char *id, int port)
{
    for (size_t i = 0; i < n; i++) {
        if (bg_target_same(set[i].id, set[i].port, id, port))
            return (long)i;
    }
    return -1;
}

static int validate(const struct bg_walk_input *in, struct bg_error *err)
{
    if (in->n_from == 0 || in->n_to == 0)
        return bg_error_set(err, BG_EINVAL, "from_targets and to_targets must not be empty");
    if (in->percent < 0 || in->percent > 100)
        return bg_error_set(err, BG_EINVAL, "percent must be between 0 and 100, got %d",
                            in->percent);
    for (size_t i = 0; i < in->n_to; i++) {
        assert(in->to[i].id != NULL);
        if (find(in->from, in->n_from, in->to[i].id, in->to[i].port) >= 0)
            return bg_error_set(err, BG_EINVAL, "target %s is in both from_targets and to_targets",
                                in->to[i].id);
    }
    return 0;
}

static void load_member(struct state *st, size_t k)
{
    const struct bg_walk_member *m = &st->in->members[k];
    long i;

    if (!bg_target_is_registered(m->health))
        return;
    i = find(st->in->from, st->in->n_from, m->id, m->port);
    if (i >= 0) {
        st->n_from_on += !st->from_on[i];
        st->from_on[i] = true;
        st->from_port[i] = m->port;
        return;
    }
    i = find(st->in->to, st->in->n_to, m->id, m->port);
    if (i >= 0) {
        st->n_to_on += !st->to_on[i];
        st->to_on[i] = true;
        return;
    }
    st->foreign_on[k] = true;
    st->n_foreign_on++;
}

static void load(struct state *st, struct bg_arena *a, const struct bg_walk_input *in)
{
    memset(st, 0, sizeof(*st));
    st->in = in;
    st->from_on = bg_arena_calloc(a, in->n_from, sizeof(bool));
    st->to_on = bg_arena_calloc(a, in->n_to, sizeof(bool));
    st->from_port = bg_arena_calloc(a, in->n_from, sizeof(int));
    st->foreign_on = bg_arena_calloc(a, in->n_members + 1, sizeof(bool));
    for (size_t i = 0; i < in->n_from; i++)
        st->from_port[i] = in->from[i].port;
    for (size_t k = 0; k < in->n_members; k++)
        load_member(st, k);
}

static int percent_of(const struct state *st)
{
    size_t managed = st->n_from_on + st->n_to_on;

    if (managed == 0)
        return 0;
    return (int)(100 * st->n_to_on / managed);
}

int bg_walk_percent(const struct bg_walk_input *in)
{
    struct bg_arena *a = bg_arena_new();
    struct state st;
    int p;

    load(&st, a, in);
    p = percent_of(&st);
    bg_arena_free(a);
    return p;
}

/* The joining and leaving sides: to/from forward, from/to in reverse. */
static void sides(const struct state *st, size_t *joins_left, size_t *leaves_left, size_t *floor)
{
    const struct bg_walk_input *in = st->in;

    if (st->reverse) {
        *joins_left = in->n_from - st->n_from_on;
        *leaves_left = st->n_to_on;
        *floor = in->n_to;
    } else {
        *joins_left = in->n_to - st->n_to_on;
        *leaves_left = st->n_from_on;
        *floor = in->n_from;
    }
}

static bool goal_met(const struct state *st)
{
    size_t r, d, f;

    sides(st, &r, &d, &f);
    if (st->reverse || st->in->percent == 100)
        return r == 0 && d == 0;
    return percent_of(st) >= st->in->percent;
}

/* The memoryless rule of walk.h: true to register next, false to deregister. */
static bool register_next(const struct state *st)
{
    size_t r, d, f, size = st->n_from_on + st->n_to_on;

    sides(st, &r, &d, &f);
    if (r == 0)
        return false;
    if (d == 0 || r >= d)
        return true;
    return size - 1 < f;
}

static size_t first(const bool *on, size_t n, bool want)
{
    size_t i = 0;

    while (i < n && on[i] != want)
        i++;
    assert(i < n);
    return i;
}

static struct bg_walk_target join_one(struct state *st)
{
    const struct bg_walk_input *in = st->in;
    size_t i;

    if (st->reverse) {
        i = first(st->from_on, in->n_from, false);
        st->from_on[i] = true;
        st->n_from_on++;
        return in->from[i];
    }
    i = first(st->to_on, in->n_to, false);
    st->to_on[i] = true;
    st->n_to_on++;
    return in->to[i];
}

static struct bg_walk_target leave_one(struct state *st)
{
    const struct bg_walk_input *in = st->in;
    struct bg_walk_target t;
    size_t i;

    if (st->reverse) {
        i = first(st->to_on, in->n_to, true);
        st->to_on[i] = false;
        st->n_to_on--;
        return in->to[i];
    }
    i = first(st->from_on, in->n_from, true);
    st->from_on[i] = false;
    st->n_from_on--;
    t.id = in->from[i].id;
    t.port = st->from_port[i];
    return t;
}

static void push(struct bg_walk_plan *out, const struct state *st, enum bg_walk_action action,
                 struct bg_walk_target t)
{
    struct bg_walk_step *s = &out->steps[out->n_steps++];

    s->action = action;
    s->target = t;
    s->percent = percent_of(st);
    s->size = st->n_from_on + st->n_to_on + st->n_foreign_on;
    s->batch = out->n_steps - 1;
}

static void deregister_foreign(struct bg_walk_plan *out, struct state *st)
{
    const struct bg_walk_member *m;

    for (size_t k = 0; k < st->in->n_members; k++) {
        if (!st->foreign_on[k])
            continue;
        /* never leave the group empty, even for a target we do not manage */
        if (st->n_from_on + st->n_to_on + st->n_foreign_on <= 1)
            return;
        m = &st->in->members[k];
        st->foreign_on[k] = false;
        st->n_foreign_on--;
        push(out, st, BG_WALK_DEREGISTER, (struct bg_walk_target){m->id, m->port});
    }
}

/* Replays one planned step on the state (the target is in the joining set for a register,
 * in the leaving set or foreign for a deregister). */
static void replay(struct state *st, const struct bg_walk_step *s)
{
    const struct bg_walk_input *in = st->in;
    bool reg = s->action == BG_WALK_REGISTER, to_side = reg != st->reverse;
    long i = to_side ? find(in->to, in->n_to, s->target.id, s->target.port)
                     : find(in->from, in->n_from, s->target.id, s->target.port);
    bool *on = to_side ? st->to_on : st->from_on;
    size_t *count = to_side ? &st->n_to_on : &st->n_from_on;

    if (i >= 0) {
        *count += reg ? !on[i] : -(size_t)on[i];
        on[i] = reg;
        return;
    }
    for (size_t k = 0; k < in->n_members; k++) {
        if (st->foreign_on[k] && strcmp(in->members[k].id, s->target.id) == 0 &&
            in->members[k].port == s->target.port) {
            st->foreign_on[k] = false;
            st->n_foreign_on--;
            return;
        }
    }
}

/* Copies the steps of [from, to) with the given action into out, replayed, then gives them
 * the percent and size after the call that carries them all. */
static void emit_half(struct bg_walk_step *out, size_t *n, struct state *st,
                      const struct bg_walk_step *s, size_t from, size_t to,
                      enum bg_walk_action action, size_t batch)
{
    size_t first = *n;

    for (size_t i = from; i < to; i++) {
        if (s[i].action != action)
            continue;
        replay(st, &s[i]);
        out[*n] = s[i];
        out[(*n)++].batch = batch;
    }
    for (size_t i = first; i < *n; i++) {
        out[i].percent = percent_of(st);
        out[i].size = st->n_from_on + st->n_to_on + st->n_foreign_on;
    }
}

/* Groups the one-at-a-time walk into batches (walk.h). */
static void batch_steps(struct bg_walk_plan *out, struct bg_arena *a,
                        const struct bg_walk_input *in, bool reverse)
{
    struct bg_walk_step *grouped = bg_arena_calloc(a, out->n_steps + 1, sizeof(*grouped));
    size_t i = 0, n = 0, batch = 0;
    struct state st;

    load(&st, a, in);
    st.reverse = reverse;
    while (i < out->n_steps) {
        size_t j = i, regs = 0, deregs = 0;

        while (j < out->n_steps) {
            size_t *k = out->steps[j].action == BG_WALK_REGISTER ? &regs : &deregs;

            if (*k == in->batch)
                break;
            (*k)++;
            j++;
        }
        emit_half(grouped, &n, &st, out->steps, i, j, BG_WALK_REGISTER, batch);
        emit_half(grouped, &n, &st, out->steps, i, j, BG_WALK_DEREGISTER, batch);
        batch++;
        i = j;
    }
    out->steps = grouped;
}

static int plan(struct bg_walk_plan *out, struct bg_arena *a, const struct bg_walk_input *in,
                bool reverse, struct bg_error *err)
{
    struct state st;
    int rc;

    memset(out, 0, sizeof(*out));
    rc = validate(in, err);
    if (rc != 0)
        return rc;
    load(&st, a, in);
    st.reverse = reverse;
    out->steps = bg_arena_calloc(a, in->n_from + in->n_to + in->n_members + 1, sizeof(*out->steps));
    out->start_percent = percent_of(&st);
    while (!goal_met(&st)) {
        if (register_next(&st))
            push(out, &st, BG_WALK_REGISTER, join_one(&st));
        else
            push(out, &st, BG_WALK_DEREGISTER, leave_one(&st));
    }
    if (in->exclusive)
        deregister_foreign(out, &st);
    out->end_percent = percent_of(&st);
    if (out->n_steps == 0)
        out->steps = NULL;
    else if (in->batch > 1)
        batch_steps(out, a, in, reverse);
    return 0;
}

int bg_walk_plan(struct bg_walk_plan *out, struct bg_arena *a, const struct bg_walk_input *in,
                 struct bg_error *err)
{
    return plan(out, a, in, false, err);
}

int bg_walk_plan_reverse(struct bg_walk_plan *out, struct bg_arena *a,
                         const struct bg_walk_input *in, struct bg_error *err)
{
    return plan(out, a, in, true, err);
}

const char *bg_walk_action_name(enum bg_walk_action action)
{
    return action == BG_WALK_REGISTER ? "register" : "deregister";
}
