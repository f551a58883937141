/* walk.c - unit tests for the walk planner (src/shift/walk.c). */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "bluegreen/walk.h"

#define MAX_SIDE 8

struct fixture {
    struct bg_arena *arena;
    struct bg_walk_target from[MAX_SIDE], to[MAX_SIDE];
    struct bg_walk_member members[2 * MAX_SIDE + 2];
    char names[2 * MAX_SIDE][32];
    struct bg_walk_input in;
};

/* from = old1..oldN, to = new1..newM, membership = all from targets registered. */
static void setup(struct fixture *f, size_t n_from, size_t n_to)
{
    memset(f, 0, sizeof(*f));
    f->arena = bg_arena_new();
    for (size_t i = 0; i < n_from; i++) {
        snprintf(f->names[i], sizeof(f->names[i]), "old%zu", i + 1);
        f->from[i] = (struct bg_walk_target){f->names[i], 0};
        f->members[i] = (struct bg_walk_member){f->names[i], 80, BG_TARGET_HEALTHY, "healthy"};
    }
    for (size_t i = 0; i < n_to; i++) {
        snprintf(f->names[MAX_SIDE + i], sizeof(f->names[0]), "new%zu", i + 1);
        f->to[i] = (struct bg_walk_target){f->names[MAX_SIDE + i], 0};
    }
    f->in = (struct bg_walk_input)BG_WALK_INPUT_INIT;
    f->in.members = f->members;
    f->in.n_members = n_from;
    f->in.from = f->from;
    f->in.n_from = n_from;
    f->in.to = f->to;
    f->in.n_to = n_to;
}

static void teardown(struct fixture *f)
{
    bg_arena_free(f->arena);
}

/* Applies steps[0..n) to the fixture's membership, as AWS would after each call. */
static void apply(struct fixture *f, const struct bg_walk_step *steps, size_t n)
{
    for (size_t s = 0; s < n; s++) {
        const struct bg_walk_step *st = &steps[s];
        size_t k;

        if (st->action == BG_WALK_REGISTER) {
            f->members[f->in.n_members++] =
                (struct bg_walk_member){st->target.id, 80, BG_TARGET_HEALTHY, "healthy"};
            continue;
        }
        for (k = 0; k < f->in.n_members; k++) {
            if (strcmp(f->members[k].id, st->target.id) == 0)
                break;
        }
        cr_assert(k < f->in.n_members, "deregistered %s which is not a member", st->target.id);
        memmove(&f->members[k], &f->members[k + 1],
                (f->in.n_members - k - 1) * sizeof(f->members[0]));
        f->in.n_members--;
    }
}

/* Renders a plan as "+new1:25 -old1:33 ..." for exact comparisons. */
static const char *render(struct bg_arena *a, const struct bg_walk_plan *p)
{
    char *s = bg_arena_strdup(a, "");

    for (size_t i = 0; i < p->n_steps; i++) {
        s = bg_arena_printf(a, "%s%s%c%s:%d", s, i ? " " : "",
                            p->steps[i].action == BG_WALK_REGISTER ? '+' : '-',
                            p->steps[i].target.id, p->steps[i].percent);
    }
    return s;
}

static const char *plan_str(struct fixture *f, int percent)
{
    struct bg_walk_plan p;
    struct bg_error err = BG_ERROR_INIT;

    f->in.percent = percent;
    cr_assert_eq(bg_walk_plan(&p, f->arena, &f->in, &err), 0, "%s", err.msg);
    return render(f->arena, &p);
}

struct exact_case {
    size_t n_from, n_to;
    int percent;
    const char *want;
};

static const struct exact_case exact_cases[] = {
    {3, 3, 100, "+new1:25 -old1:33 +new2:50 -old2:66 +new3:75 -old3:100"},
    {1, 1, 100, "+new1:50 -old1:100"},
    {2, 3, 100, "+new1:33 +new2:50 -old1:66 +new3:75 -old2:100"},
    {3, 2, 100, "+new1:25 -old1:33 +new2:50 -old2:66 -old3:100"},
    {3, 3, 50, "+new1:25 -old1:33 +new2:50"},
    {3, 3, 0, ""},
    {3, 3, 26, "+new1:25 -old1:33"},
    {1, 3, 100, "+new1:50 +new2:66 +new3:75 -old1:100"},
};

Test(shift_walk, produces_the_documented_exact_sequences)
{
    for (size_t i = 0; i < sizeof(exact_cases) / sizeof(exact_cases[0]); i++) {
        const struct exact_case *c = &exact_cases[i];
        struct fixture f;

        setup(&f, c->n_from, c->n_to);
        cr_expect_str_eq(plan_str(&f, c->percent), c->want, "%zu+%zu to %d", c->n_from, c->n_to,
                         c->percent);
        teardown(&f);
    }
}

static void check_invariants(size_t n_from, size_t n_to)
{
    struct fixture f;
    struct bg_walk_plan p;
    struct bg_error err = BG_ERROR_INIT;
    size_t final_size = n_to, start = n_from;
    size_t floor_size = start < final_size ? start : final_size;
    int last = 0;

    setup(&f, n_from, n_to);
    cr_assert_eq(bg_walk_plan(&p, f.arena, &f.in, &err), 0, "%s", err.msg);
    cr_assert_eq(p.n_steps, n_from + n_to, "%zu+%zu: every target moves once", n_from, n_to);
    for (size_t i = 0; i < p.n_steps; i++) {
        cr_expect_geq(p.steps[i].percent, last, "%zu+%zu step %zu not monotone", n_from, n_to, i);
        cr_expect_geq(p.steps[i].size, floor_size, "%zu+%zu step %zu below start size", n_from,
                      n_to, i);
        cr_expect_geq(p.steps[i].size, 1, "%zu+%zu step %zu empties the group", n_from, n_to, i);
        last = p.steps[i].percent;
    }
    cr_expect_eq(last, 100, "%zu+%zu ends at %d", n_from, n_to, last);
    cr_expect_eq(p.end_percent, 100);
    apply(&f, p.steps, p.n_steps);
    cr_expect_eq(f.in.n_members, n_to, "%zu+%zu ends with only the new targets", n_from, n_to);
    teardown(&f);
}

Test(shift_walk, keeps_invariants_for_every_count_from_one_to_five_each_side)
{
    for (size_t n_from = 1; n_from <= 5; n_from++) {
        for (size_t n_to = 1; n_to <= 5; n_to++)
            check_invariants(n_from, n_to);
    }
}

/* Walks 3+3 one step at a time; a re-plan from each state is the rest of the original. */
Test(shift_walk, resumes_from_each_intermediate_state_with_only_the_remaining_steps)
{
    const char *full = "+new1:25 -old1:33 +new2:50 -old2:66 +new3:75 -old3:100";
    struct fixture f;
    struct bg_walk_plan p;
    struct bg_error err = BG_ERROR_INIT;
    const char *rest = full;

    setup(&f, 3, 3);
    for (int done = 0; done <= 6; done++) {
        cr_assert_eq(bg_walk_plan(&p, f.arena, &f.in, &err), 0);
        cr_expect_str_eq(render(f.arena, &p), rest, "after %d steps", done);
        if (p.n_steps == 0)
            break;
        apply(&f, p.steps, 1);
        rest = strchr(rest, ' ') ? strchr(rest, ' ') + 1 : "";
    }
    cr_expect_eq(p.n_steps, 0, "a completed walk plans nothing");
    teardown(&f);
}

Test(shift_walk, continues_a_walk_to_fifty_percent_towards_one_hundred)
{
    struct fixture f;
    struct bg_walk_plan p;

    setup(&f, 3, 3);
    f.in.percent = 50;
    cr_assert_eq(bg_walk_plan(&p, f.arena, &f.in, NULL), 0);
    apply(&f, p.steps, p.n_steps);
    cr_expect_str_eq(plan_str(&f, 50), "", "the goal is already met");
    cr_expect_str_eq(plan_str(&f, 100), "-old2:66 +new3:75 -old3:100");
    teardown(&f);
}

Test(shift_walk, counts_draining_members_as_gone)
{
    struct fixture f;

    setup(&f, 2, 2);
    f.members[1].health = BG_TARGET_DRAINING;
    f.members[1].state = "draining";
    cr_expect_str_eq(plan_str(&f, 100), "+new1:50 +new2:66 -old1:100");
    teardown(&f);
}

Test(shift_walk, counts_unused_members_as_gone_and_unknown_states_as_registered)
{
    struct fixture f;

    setup(&f, 2, 2);
    f.members[1].health = BG_TARGET_UNUSED;
    cr_expect_str_eq(plan_str(&f, 100), "+new1:50 +new2:66 -old1:100");
    f.members[1].health = BG_TARGET_UNKNOWN; /* a state the API adds later */
    f.members[1].state = "standby";
    cr_expect_str_eq(plan_str(&f, 100), "+new1:33 -old1:50 +new2:66 -old2:100");
    teardown(&f);
}

Test(shift_walk, leaves_foreign_targets_alone_unless_exclusive)
{
    struct fixture f;

    setup(&f, 1, 1);
    f.members[f.in.n_members++] =
        (struct bg_walk_member){"stray", 80, BG_TARGET_HEALTHY, "healthy"};
    cr_expect_str_eq(plan_str(&f, 100), "+new1:50 -old1:100");
    f.in.exclusive = true;
    cr_expect_str_eq(plan_str(&f, 100), "+new1:50 -old1:100 -stray:100");
    teardown(&f);
}

Test(shift_walk, never_deregisters_the_last_target_even_when_exclusive)
{
    struct fixture f;

    setup(&f, 1, 1);
    f.members[0] = (struct bg_walk_member){"stray", 80, BG_TARGET_HEALTHY, "healthy"};
    f.in.exclusive = true;
    cr_expect_str_eq(plan_str(&f, 0), "");
    teardown(&f);
}

Test(shift_walk, deregisters_with_the_port_aws_reports)
{
    struct fixture f;
    struct bg_walk_plan p;

    setup(&f, 1, 1);
    f.members[0].port = 8443;
    cr_assert_eq(bg_walk_plan(&p, f.arena, &f.in, NULL), 0);
    cr_assert_eq(p.n_steps, 2);
    cr_expect_eq(p.steps[1].target.port, 8443);
    teardown(&f);
}

Test(shift_walk, walks_back_to_the_old_targets_in_reverse)
{
    struct fixture f;
    struct bg_walk_plan p;

    setup(&f, 3, 3);
    cr_assert_eq(bg_walk_plan(&p, f.arena, &f.in, NULL), 0);
    apply(&f, p.steps, 4); /* +new1 -old1 +new2 -old2: old3 new1 new2 */
    cr_assert_eq(bg_walk_plan_reverse(&p, f.arena, &f.in, NULL), 0);
    cr_expect_str_eq(render(f.arena, &p), "+old1:50 -new1:33 +old2:25 -new2:0");
    cr_expect_eq(p.end_percent, 0);
    teardown(&f);
}

Test(shift_walk, rejects_overlapping_or_empty_sets_and_bad_goals)
{
    struct fixture f;
    struct bg_walk_plan p;
    struct bg_error err = BG_ERROR_INIT;

    setup(&f, 2, 2);
    f.to[1] = f.from[0];
    cr_expect_eq(bg_walk_plan(&p, f.arena, &f.in, &err), BG_EINVAL);
    cr_expect(strstr(err.msg, "old1") != NULL, "%s", err.msg);
    f.to[1].id = "new2";
    f.in.percent = 101;
    cr_expect_eq(bg_walk_plan(&p, f.arena, &f.in, &err), BG_EINVAL);
    f.in.percent = 100;
    f.in.n_to = 0;
    cr_expect_eq(bg_walk_plan(&p, f.arena, &f.in, &err), BG_EINVAL);
    teardown(&f);
}

Test(shift_walk, computes_the_share_of_new_targets)
{
    struct fixture f;

    setup(&f, 3, 3);
    cr_expect_eq(bg_walk_percent(&f.in), 0);
    f.members[0].id = "new1";
    cr_expect_eq(bg_walk_percent(&f.in), 33);
    cr_expect_str_eq(bg_walk_action_name(BG_WALK_DEREGISTER), "deregister");
    teardown(&f);
}

/* ---- batches -------------------------------------------------------------------------------- */

static const char *render_batches(struct bg_arena *a, const struct bg_walk_plan *p)
{
    char *s = bg_arena_strdup(a, "");

    for (size_t i = 0; i < p->n_steps; i++) {
        bool first = i == 0 || p->steps[i].batch != p->steps[i - 1].batch ||
                     p->steps[i].action != p->steps[i - 1].action;

        s = bg_arena_printf(a, "%s%s%s%s", s, first && i ? " | " : (i ? "," : ""),
                            first ? (p->steps[i].action == BG_WALK_REGISTER ? "+" : "-") : "",
                            p->steps[i].target.id);
        if (i + 1 == p->n_steps || p->steps[i + 1].batch != p->steps[i].batch ||
            p->steps[i + 1].action != p->steps[i].action)
            s = bg_arena_printf(a, "%s:%d", s, p->steps[i].percent);
    }
    return s;
}

Test(shift_walk, batches_register_then_deregister_up_to_the_batch_size)
{
    struct fixture f;
    struct bg_walk_plan p;

    setup(&f, 4, 4);
    f.in.batch = 2;
    cr_assert_eq(bg_walk_plan(&p, f.arena, &f.in, NULL), 0);
    cr_expect_str_eq(render_batches(f.arena, &p), "+new1,new2:33 | -old1,old2:50 | "
                                                  "+new3,new4:66 | -old3,old4:100");
    cr_expect_eq(p.steps[0].size, 6, "capacity grows before anything leaves");
    cr_expect_eq(p.steps[3].batch, 0);
    cr_expect_eq(p.steps[4].batch, 1, "a batch is a register call and a deregister call");
    cr_expect_eq(p.end_percent, 100);
    teardown(&f);
}

Test(shift_walk, batches_take_the_same_steps_as_the_one_at_a_time_walk)
{
    for (size_t n_from = 1; n_from <= MAX_SIDE; n_from++) {
        for (size_t n_to = 1; n_to <= MAX_SIDE; n_to++) {
            for (size_t batch = 2; batch <= 5; batch++) {
                for (int goal = 0; goal <= 100; goal += 25) {
                    struct fixture f;
                    struct bg_walk_plan one, many;
                    size_t floor = n_from < n_to ? n_from : n_to;

                    setup(&f, n_from, n_to);
                    f.in.percent = goal;
                    cr_assert_eq(bg_walk_plan(&one, f.arena, &f.in, NULL), 0);
                    f.in.batch = batch;
                    cr_assert_eq(bg_walk_plan(&many, f.arena, &f.in, NULL), 0);
                    cr_assert_eq(many.n_steps, one.n_steps);
                    cr_expect_eq(many.end_percent, one.end_percent);
                    for (size_t i = 0; i < many.n_steps; i++)
                        cr_assert_geq(many.steps[i].size, floor, "%zu+%zu batch %zu goal %d",
                                      n_from, n_to, batch, goal);
                    if (many.n_steps > 0)
                        cr_expect_eq(many.steps[many.n_steps - 1].percent,
                                     one.steps[one.n_steps - 1].percent);
                    teardown(&f);
                }
            }
        }
    }
}

Test(shift_walk, batch_of_one_is_the_walk_of_today)
{
    struct fixture f;
    struct bg_walk_plan p;

    setup(&f, 3, 3);
    f.in.batch = 1;
    cr_assert_eq(bg_walk_plan(&p, f.arena, &f.in, NULL), 0);
    cr_expect_str_eq(render(f.arena, &p), "+new1:25 -old1:33 +new2:50 -old2:66 +new3:75 -old3:100");
    for (size_t i = 0; i < p.n_steps; i++)
        cr_expect_eq(p.steps[i].batch, i, "every step its own call");
    teardown(&f);
}

Test(shift_walk, a_batched_walk_resumed_after_any_call_does_nothing_twice)
{
    struct fixture f;
    struct bg_walk_plan full, rest;
    size_t done = 0;

    setup(&f, 6, 6);
    f.in.batch = 4;
    cr_assert_eq(bg_walk_plan(&full, f.arena, &f.in, NULL), 0);
    while (done < full.n_steps) {
        size_t end = done;

        while (end < full.n_steps && full.steps[end].batch == full.steps[done].batch &&
               full.steps[end].action == full.steps[done].action)
            end++;
        apply(&f, full.steps + done, end - done);
        cr_assert_eq(bg_walk_plan(&rest, f.arena, &f.in, NULL), 0);
        cr_assert_eq(rest.n_steps, full.n_steps - end, "after %zu of %zu steps", end, full.n_steps);
        done = end;
    }
    teardown(&f);
}
