/*
 * Unit tests for src/resources/traffic_shift_gates.c: the healthy-count guard of a batch
 * that leaves the target group.
 */
#include <string.h>

#include <criterion/criterion.h>

#include "resources/traffic_shift.h"

struct run {
    struct bg_arena *a;
    struct bg_diags d;
    struct bg_call call;
    struct bg_logger log;
};

static void setup(struct run *r)
{
    r->a = bg_arena_new();
    bg_diags_init(&r->d, r->a);
    r->log = (struct bg_logger){BG_LOG_OFF, 2};
    r->call = (struct bg_call){r->a, &r->d, NULL, &r->log, NULL, NULL};
}

static struct bg_walk_step leave(const char *id)
{
    return (struct bg_walk_step){BG_WALK_DEREGISTER, {id, 0}, 0, 0, 0};
}

Test(resources_traffic_shift_gates, a_batch_may_leave_when_the_new_targets_replace_it)
{
    struct bg_walk_member m[] = {{"old1", 80, BG_TARGET_HEALTHY, "healthy"},
                                 {"old2", 80, BG_TARGET_HEALTHY, "healthy"},
                                 {"new1", 80, BG_TARGET_HEALTHY, "healthy"},
                                 {"new2", 80, BG_TARGET_HEALTHY, "healthy"}};
    struct bg_shift_members members = {m, NULL, 4};
    struct bg_walk_step s[] = {leave("old1"), leave("old2")};
    struct bg_shift_cfg cfg = {.arn = "arn:tg"};
    struct run r;

    setup(&r);
    cr_expect_eq(bg_shift__healthy_count(&members), 4);
    cr_expect_eq(bg_shift__batch_guard(&r.call, &cfg, &members, s, 2, 2), 0);
    bg_arena_free(r.a);
}

Test(resources_traffic_shift_gates, a_batch_never_takes_the_healthy_count_below_its_start)
{
    struct bg_walk_member m[] = {
        {"old1", 80, BG_TARGET_HEALTHY, "healthy"},     {"old2", 80, BG_TARGET_HEALTHY, "healthy"},
        {"old3", 80, BG_TARGET_UNHEALTHY, "unhealthy"}, {"old4", 80, BG_TARGET_HEALTHY, "healthy"},
        {"new1", 80, BG_TARGET_HEALTHY, "healthy"},     {"new2", 80, BG_TARGET_HEALTHY, "healthy"}};
    struct bg_shift_members members = {m, NULL, 6};
    struct bg_walk_step s[] = {leave("old1"), leave("old2")};
    struct bg_shift_cfg cfg = {.arn = "arn:tg"};
    struct run r;

    setup(&r);
    cr_expect_eq(bg_shift__batch_guard(&r.call, &cfg, &members, s, 2, 4), BG_ECONFLICT);
    cr_expect_str_eq(r.d.head->summary, "Refusing to deregister the batch");
    cr_expect(strstr(r.d.head->detail, "leave 3 healthy") != NULL, "%s", r.d.head->detail);
    bg_arena_free(r.a);
}

Test(resources_traffic_shift_gates, a_walk_ending_smaller_may_go_down_to_what_stays)
{
    /* 4 old -> 2 new: the last batch leaves 2 registered, all healthy */
    struct bg_walk_member m[] = {{"old3", 80, BG_TARGET_HEALTHY, "healthy"},
                                 {"old4", 80, BG_TARGET_HEALTHY, "healthy"},
                                 {"new1", 80, BG_TARGET_HEALTHY, "healthy"},
                                 {"new2", 80, BG_TARGET_HEALTHY, "healthy"},
                                 {"gone", 80, BG_TARGET_DRAINING, "draining"}};
    struct bg_shift_members members = {m, NULL, 5};
    struct bg_walk_step s[] = {leave("old3"), leave("old4")};
    struct bg_shift_cfg cfg = {.arn = "arn:tg"};
    struct run r;

    setup(&r);
    cr_expect_eq(bg_shift__batch_guard(&r.call, &cfg, &members, s, 2, 4), 0);
    bg_arena_free(r.a);
}
