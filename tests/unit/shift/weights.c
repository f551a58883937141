/* weights.c - unit tests for src/shift/weights.c: schedules, walks up and down, resume from
 * any share, and the forward weights for a share. */
#include <criterion/criterion.h>
#include <string.h>

#include "bluegreen/weights.h"

static const int64_t dflt[] = {10, 25, 50, 75, 100};

#define TG_FROM "arn:tg/from"
#define TG_TO   "arn:tg/to"
#define TG_X    "arn:tg/other"

static void expect_walk(int current, int goal, const int *want, size_t n)
{
    struct bg_arena *a = bg_arena_new();
    struct bg_error err = BG_ERROR_INIT;
    struct bg_weights_plan p;

    cr_assert_eq(bg_weights_plan(&p, a, current, goal, dflt, 5, &err), 0, "%s", err.msg);
    cr_expect_eq(p.start, current);
    cr_expect_eq(p.end, n > 0 ? want[n - 1] : current);
    cr_assert_eq(p.n_steps, n, "%d -> %d: %zu steps, want %zu", current, goal, p.n_steps, n);
    for (size_t i = 0; i < n; i++)
        cr_expect_eq(p.steps[i], want[i], "%d -> %d step %zu: %d, want %d", current, goal, i,
                     p.steps[i], want[i]);
    bg_arena_free(a);
}

Test(shift_weights, walks_up_through_the_schedule_then_the_goal)
{
    expect_walk(0, 100, (const int[]){10, 25, 50, 75, 100}, 5);
    expect_walk(0, 60, (const int[]){10, 25, 50, 60}, 4);
    expect_walk(0, 5, (const int[]){5}, 1);
    expect_walk(30, 100, (const int[]){50, 75, 100}, 3);
}

Test(shift_weights, walks_down_the_same_entries_when_the_goal_is_lower)
{
    expect_walk(100, 0, (const int[]){75, 50, 25, 10, 0}, 5);
    expect_walk(60, 0, (const int[]){50, 25, 10, 0}, 4);
    expect_walk(80, 50, (const int[]){75, 50}, 2);
}

Test(shift_weights, a_goal_already_met_gives_no_steps)
{
    expect_walk(50, 50, NULL, 0);
    expect_walk(0, 0, NULL, 0);
}

Test(shift_weights, planning_again_from_any_share_passed_gives_the_remaining_steps)
{
    struct bg_arena *a = bg_arena_new();
    struct bg_weights_plan full, rest;

    for (int goal = 0; goal <= 100; goal += 5) {
        for (int start = 0; start <= 100; start += 7) {
            cr_assert_eq(bg_weights_plan(&full, a, start, goal, dflt, 5, NULL), 0);
            for (size_t k = 0; k < full.n_steps; k++) {
                cr_assert_eq(bg_weights_plan(&rest, a, full.steps[k], goal, dflt, 5, NULL), 0);
                cr_assert_eq(rest.n_steps, full.n_steps - k - 1, "%d->%d resumed at %d", start,
                             goal, full.steps[k]);
                if (rest.n_steps > 0)
                    cr_expect_arr_eq(rest.steps, full.steps + k + 1, rest.n_steps * sizeof(int));
            }
        }
    }
    bg_arena_free(a);
}

Test(shift_weights, an_empty_schedule_goes_straight_to_the_goal)
{
    struct bg_arena *a = bg_arena_new();
    struct bg_weights_plan p;

    cr_assert_eq(bg_weights_plan(&p, a, 20, 90, NULL, 0, NULL), 0);
    cr_assert_eq(p.n_steps, 1);
    cr_expect_eq(p.steps[0], 90);
    bg_arena_free(a);
}

Test(shift_weights, rejects_schedules_out_of_range_or_not_increasing)
{
    static const int64_t zero[] = {0, 50}, big[] = {50, 101}, flat[] = {10, 10}, down[] = {50, 25};
    struct bg_error err = BG_ERROR_INIT;

    cr_expect_eq(bg_weights_check_schedule(dflt, 5, &err), 0);
    cr_expect_eq(bg_weights_check_schedule(zero, 2, &err), BG_EINVAL);
    cr_expect_str_eq(err.msg, "schedule[0] = 0 is not between 1 and 100");
    cr_expect_eq(bg_weights_check_schedule(big, 2, &err), BG_EINVAL);
    cr_expect_eq(bg_weights_check_schedule(flat, 2, &err), BG_EINVAL);
    cr_expect_eq(bg_weights_check_schedule(down, 2, &err), BG_EINVAL);
    cr_expect_str_eq(err.msg, "schedule[1] = 25 does not increase on schedule[0] = 50");
    cr_expect_eq(bg_weights_plan(&(struct bg_weights_plan){0}, NULL, 0, 101, dflt, 5, &err),
                 BG_EINVAL);
}

Test(shift_weights, share_rounds_half_up_and_is_zero_without_weight)
{
    cr_expect_eq(bg_weights_share(90, 10), 10);
    cr_expect_eq(bg_weights_share(2, 1), 33);
    cr_expect_eq(bg_weights_share(1, 2), 67);
    cr_expect_eq(bg_weights_share(1, 1), 50);
    cr_expect_eq(bg_weights_share(0, 0), 0);
    cr_expect_eq(bg_weights_share(0, 5), 100);
    cr_expect_eq(bg_weights_share(199, 1), 1, "0.5 rounds up");
}

static struct bg_aws_actions one(struct bg_aws_action *act)
{
    return (struct bg_aws_actions){act, 1};
}

Test(shift_weights, converts_a_plain_forward_into_a_weighted_forward_config)
{
    struct bg_arena *a = bg_arena_new();
    struct bg_aws_action act = {"forward", -1, TG_FROM, false, NULL, 0, NULL, 0};
    struct bg_aws_actions in = one(&act), out;
    struct bg_weights_pair p;

    cr_assert_eq(bg_weights_find(&p, &in, TG_FROM, TG_TO, NULL), 0);
    cr_expect(p.from_in);
    cr_expect_not(p.to_in);
    cr_expect_eq(p.from_w, 1);
    cr_expect_eq(p.share, 0);
    cr_assert_eq(bg_weights_apply(&out, a, &in, TG_FROM, TG_TO, 10, NULL), 0);
    cr_expect(out.items[0].forward_config);
    cr_assert_eq(out.items[0].n_groups, 2);
    cr_expect_str_eq(out.items[0].groups[0].arn, TG_FROM);
    cr_expect_eq(out.items[0].groups[0].weight, 90);
    cr_expect_str_eq(out.items[0].groups[1].arn, TG_TO);
    cr_expect_eq(out.items[0].groups[1].weight, 10);
    cr_expect_not(act.forward_config, "the input is not changed");
    bg_arena_free(a);
}

Test(shift_weights, keeps_other_groups_order_fields_and_actions)
{
    struct bg_arena *a = bg_arena_new();
    struct bg_aws_tg_weight g[] = {{TG_X, 300}, {TG_TO, 0}, {TG_FROM, 300}};
    struct bg_aws_param sticky[] = {{"ForwardConfig.TargetGroupStickinessConfig.Enabled", "true"}};
    struct bg_aws_action acts[] = {{"authenticate-oidc", 1, NULL, false, NULL, 0, NULL, 0},
                                   {"forward", 2, NULL, true, g, 3, sticky, 1}};
    struct bg_aws_actions in = {acts, 2}, out;
    struct bg_weights_pair p;

    cr_assert_eq(bg_weights_find(&p, &in, TG_FROM, TG_TO, NULL), 0);
    cr_expect_eq(p.action, 1);
    cr_expect_eq(p.others, 300);
    cr_assert_eq(bg_weights_apply(&out, a, &in, TG_FROM, TG_TO, 25, NULL), 0);
    cr_expect_eq(out.items[0].type, acts[0].type);
    cr_expect_eq(out.items[1].order, 2);
    cr_expect_eq(out.items[1].fields, sticky);
    cr_assert_eq(out.items[1].n_groups, 3);
    cr_expect_eq(out.items[1].groups[0].weight, 300, "the other group keeps its weight");
    cr_expect_eq(out.items[1].groups[1].weight, 75, "the pair keeps its total of 300");
    cr_expect_eq(out.items[1].groups[2].weight, 225);
    cr_expect_eq(g[1].weight, 0, "the input is not changed");
    bg_arena_free(a);
}

Test(shift_weights, weights_read_back_as_the_share_written_for_every_total)
{
    struct bg_arena *a = bg_arena_new();

    for (int total = 0; total <= 1200; total += total < 120 ? 1 : 7) {
        for (int share = 0; share <= 100; share++) {
            struct bg_aws_tg_weight g[] = {{TG_FROM, total - total / 3}, {TG_TO, total / 3}};
            struct bg_aws_action act = {"forward", -1, NULL, true, g, 2, NULL, 0};
            struct bg_aws_actions in = one(&act), out;
            const struct bg_aws_tg_weight *w;

            cr_assert_eq(bg_weights_apply(&out, a, &in, TG_FROM, TG_TO, share, NULL), 0);
            w = out.items[0].groups;
            cr_assert(w[0].weight >= 0 && w[0].weight <= 999 && w[1].weight <= 999);
            cr_assert_eq(bg_weights_share(w[0].weight, w[1].weight), share,
                         "total %d share %d: %d/%d", total, share, w[0].weight, w[1].weight);
        }
    }
    bg_arena_free(a);
}

Test(shift_weights, refuses_actions_without_the_pair_or_with_it_twice)
{
    struct bg_aws_tg_weight g[] = {{TG_X, 1}};
    struct bg_aws_action acts[] = {{"forward", 1, NULL, true, g, 1, NULL, 0},
                                   {"redirect", 2, NULL, false, NULL, 0, NULL, 0},
                                   {"forward", 3, TG_TO, false, NULL, 0, NULL, 0},
                                   {"forward", 4, TG_FROM, false, NULL, 0, NULL, 0}};
    struct bg_aws_actions none = {acts, 2}, twice = {acts, 4};
    struct bg_error err = BG_ERROR_INIT;
    struct bg_weights_pair p;

    cr_expect_eq(bg_weights_find(&p, &none, TG_FROM, TG_TO, &err), BG_ENOTFOUND);
    cr_expect(strstr(err.msg, TG_FROM) != NULL && strstr(err.msg, TG_TO) != NULL, "%s", err.msg);
    cr_expect_eq(bg_weights_find(&p, &twice, TG_FROM, TG_TO, &err), BG_EINVAL);
}
