/* run.c - unit tests for the hand-off planner and executor (src/handoff) on a fake world and
 * a fake clock: order, resume after a stop at every mutation, safety guards, timeouts. */
#include <criterion/criterion.h>
#include <string.h>

#include "bluegreen/handoff.h"
#include "bluegreen/schema.h"
#include "fake.h"

static const char *const full_order[] = {
    "scale from logstash-kubernetes 0",
    "allocation primaries",
    "flush from",
    "scale from elastic-coordinating 0",
    "scale from elastic-data 0",
    "scale from elastic-master 0",
    "node_group 0",
    "scale to elastic-master 3",
    "scale to elastic-data 4",
    "scale to elastic-coordinating 2",
    "allocation null",
    "scale to logstash-kubernetes 2",
};

static const char *const full_plan[] = {
    "scale_down from_cluster logstash/logstash-kubernetes",
    "disable_allocation from_cluster elasticsearch/elastic-master:9200",
    "flush from_cluster elasticsearch/elastic-master:9200",
    "scale_down from_cluster elasticsearch/elastic-coordinating",
    "scale_down from_cluster elasticsearch/elastic-data",
    "scale_down from_cluster elasticsearch/elastic-master",
    "scale_node_group aws aws-tools-spoon-elastic",
    "scale_up to_cluster elasticsearch/elastic-master",
    "scale_up to_cluster elasticsearch/elastic-data",
    "scale_up to_cluster elasticsearch/elastic-coordinating",
    "wait_joined to_cluster elasticsearch/elastic-master:9200",
    "enable_allocation to_cluster elasticsearch/elastic-master:9200",
    "wait_green to_cluster elasticsearch/elastic-master:9200",
    "scale_up to_cluster logstash/logstash-kubernetes",
};

static char **plan_lines(struct fake *f, const struct bg_handoff_spec *spec, size_t *n)
{
    struct bg_handoff_failure fail;
    struct bg_handoff_world w;
    struct bg_handoff_plan p;
    char **out;

    cr_assert_eq(bg_handoff_observe(&w, f->arena, spec, &f->ops, &fail), 0, "%s", fail.detail);
    bg_handoff_plan(&p, f->arena, spec, &w);
    out = bg_arena_calloc(f->arena, p.n + 1, sizeof(*out));
    for (size_t i = 0; i < p.n; i++)
        out[i] = bg_arena_printf(f->arena, "%s %s %s", bg_handoff_action_name(p.steps[i].action),
                                 bg_handoff_cluster_name(p.steps[i].cluster), p.steps[i].target);
    *n = p.n;
    return out;
}

static int run(struct fake *f, const struct bg_handoff_spec *spec, struct bg_handoff_failure *fail)
{
    size_t taken;

    return bg_handoff_run(&taken, f->arena, spec, &f->ops, &f->clock, &f->stop, fail);
}

Test(handoff_run, plans_the_documented_order_from_a_fresh_world)
{
    struct bg_arena *a = bg_arena_new();
    struct bg_handoff_spec spec;
    struct fake f;
    size_t n;
    char **lines;

    fake_init(&f, a);
    fake_spec(&spec, true, true);
    lines = plan_lines(&f, &spec, &n);
    cr_assert_eq(n, BG_COUNT(full_plan));
    for (size_t i = 0; i < n; i++)
        cr_expect_str_eq(lines[i], full_plan[i]);
    bg_arena_free(a);
}

Test(handoff_run, takes_every_step_in_order_and_leaves_nothing_to_do)
{
    struct bg_arena *a = bg_arena_new();
    struct bg_handoff_failure fail;
    struct bg_handoff_spec spec;
    struct fake f;
    size_t n;

    fake_init(&f, a);
    fake_spec(&spec, true, true);
    cr_assert_eq(run(&f, &spec, &fail), 0, "%s", fail.detail);
    cr_assert_eq(f.n_log, BG_COUNT(full_order));
    for (size_t i = 0; i < f.n_log; i++)
        cr_expect_str_eq(f.log[i], full_order[i]);
    plan_lines(&f, &spec, &n);
    cr_expect_eq(n, (size_t)0);
    cr_expect_eq(fake_find(&f, BG_HANDOFF_TO, "elastic-data")->ready, 4);
    bg_arena_free(a);
}

/* The plan from any world the run passed through is the rest of the full plan. */
Test(handoff_run, after_a_stop_at_every_mutation_a_new_run_redoes_nothing)
{
    for (int k = 1; k <= (int)BG_COUNT(full_order); k++) {
        struct bg_arena *a = bg_arena_new();
        struct bg_handoff_failure fail;
        struct bg_handoff_spec spec;
        struct fake f;
        size_t flushes = 0, j = 0;

        fake_init(&f, a);
        fake_spec(&spec, true, true);
        f.stop_after = k;
        cr_assert_eq(run(&f, &spec, &fail), BG_ECANCELED, "stop after %d", k);
        f.stop_after = 0;
        atomic_store(&f.stop, false);
        fake_tick(&f); /* the world goes on while nobody watches */
        cr_assert_eq(run(&f, &spec, &fail), 0, "k=%d: %s", k, fail.detail);
        /* every mutation once, in order; only the unobservable flush may repeat, and only
         * when the stop fell between it and the first scale-down */
        for (size_t i = 0; i < f.n_log; i++) {
            if (strcmp(f.log[i], "flush from") == 0 && flushes++ > 0)
                continue;
            cr_assert(j < BG_COUNT(full_order), "k=%d: extra %s", k, f.log[i]);
            cr_expect_str_eq(f.log[i], full_order[j], "k=%d, mutation %zu", k, i);
            j++;
        }
        cr_expect_eq(j, BG_COUNT(full_order), "k=%d", k);
        cr_expect_leq(flushes, (size_t)2);
        if (flushes == 2)
            cr_expect_eq((size_t)k, (size_t)3, "flush repeated after a stop at mutation %d", k);
        bg_arena_free(a);
    }
}

Test(handoff_run, never_scales_up_in_to_cluster_while_from_cluster_keeps_pods)
{
    struct bg_arena *a = bg_arena_new();
    struct bg_handoff_failure fail;
    struct bg_handoff_spec spec;
    struct fake f;

    fake_init(&f, a);
    fake_spec(&spec, true, true);
    spec.health_timeout_s = 5;
    fake_find(&f, BG_HANDOFF_FROM, "elastic-data")->stuck = true;
    cr_assert_eq(run(&f, &spec, &fail), BG_ERETRY);
    cr_expect(fail.has_step);
    cr_expect_eq(fail.step.action, BG_HANDOFF_SCALE_DOWN);
    cr_expect_str_eq(fail.attribute, "statefulsets");
    cr_expect_eq(fail.index, (size_t)1);
    cr_expect(strstr(fail.detail, "pod(s) left") != NULL, "%s", fail.detail);
    cr_expect(strstr(fail.detail, "continues from this step") != NULL, "%s", fail.detail);
    for (size_t i = 0; i < f.n_log; i++)
        cr_expect(strncmp(f.log[i], "scale to", 8) != 0 && strcmp(f.log[i], "node_group 0"), "%s",
                  f.log[i]);
    bg_arena_free(a);
}

Test(handoff_run, refuses_a_scale_up_whose_workload_still_has_pods_in_from_cluster)
{
    struct bg_arena *a = bg_arena_new();
    struct bg_handoff_failure fail;
    struct bg_handoff_spec spec;
    struct fake f;

    fake_init(&f, a);
    fake_spec(&spec, false, false); /* Prometheus-style: no Elasticsearch, no node group */
    spec.n_statefulsets = 1;        /* elastic-master only */
    /* someone else drives from_cluster: its pods come back between observe and act */
    cr_assert_eq(run(&f, &spec, &fail), 0, "%s", fail.detail);
    fake_find(&f, BG_HANDOFF_TO, "elastic-master")->spec = 0;
    fake_find(&f, BG_HANDOFF_TO, "elastic-master")->pods = 0;
    fake_find(&f, BG_HANDOFF_TO, "elastic-master")->ready = 0;
    fake_find(&f, BG_HANDOFF_FROM, "elastic-master")->pods = 1;
    fake_find(&f, BG_HANDOFF_FROM, "elastic-master")->stuck = true;
    spec.health_timeout_s = 3;
    cr_assert_neq(run(&f, &spec, &fail), 0);
    cr_expect_eq(fail.step.action, BG_HANDOFF_SCALE_DOWN);
    cr_expect_eq(fake_find(&f, BG_HANDOFF_TO, "elastic-master")->spec, 0);
    bg_arena_free(a);
}

Test(handoff_run, a_cluster_that_never_turns_green_fails_wait_green_after_the_timeout)
{
    struct bg_arena *a = bg_arena_new();
    struct bg_handoff_failure fail;
    struct bg_handoff_spec spec;
    struct fake f;
    double started;

    fake_init(&f, a);
    fake_spec(&spec, true, true);
    f.never_green = true;
    spec.health_timeout_s = 30;
    cr_assert_eq(run(&f, &spec, &fail), BG_ERETRY);
    cr_expect_eq(fail.step.action, BG_HANDOFF_WAIT_GREEN);
    cr_expect_str_eq(fail.attribute, "elasticsearch");
    cr_expect(strstr(fail.detail, "status yellow") != NULL, "%s", fail.detail);
    cr_expect(strstr(fail.detail, "after 30 s (health_timeout_seconds)") != NULL, "%s",
              fail.detail);
    /* allocation is back on, logstash stays stopped: the run stopped at the failed step */
    cr_expect_str_eq(f.alloc, "");
    cr_expect_eq(fake_find(&f, BG_HANDOFF_TO, "logstash-kubernetes")->spec, 0);
    started = f.now;
    f.never_green = false;
    cr_assert_eq(run(&f, &spec, &fail), 0, "%s", fail.detail);
    cr_expect_str_eq(f.log[f.n_log - 1], "scale to logstash-kubernetes 2");
    cr_expect_lt(f.now - started, 30);
    bg_arena_free(a);
}

Test(handoff_run, a_stop_during_a_wait_returns_at_the_next_poll)
{
    struct bg_arena *a = bg_arena_new();
    struct bg_handoff_failure fail;
    struct bg_handoff_spec spec;
    struct fake f;

    fake_init(&f, a);
    fake_spec(&spec, true, true);
    spec.poll_s = 10;
    f.stop_after = 1; /* right after scaling logstash down, inside its wait */
    cr_assert_eq(run(&f, &spec, &fail), BG_ECANCELED);
    cr_expect_leq(f.now, 10.0);
    cr_expect_eq(f.n_log, (size_t)1);
    bg_arena_free(a);
}

Test(handoff_run, replicas_back_in_from_cluster_after_the_hand_off_plan_one_scale_down)
{
    struct bg_arena *a = bg_arena_new();
    struct bg_handoff_failure fail;
    struct bg_handoff_spec spec;
    struct fake f;
    size_t n;
    char **lines;

    fake_init(&f, a);
    fake_spec(&spec, true, true);
    cr_assert_eq(run(&f, &spec, &fail), 0, "%s", fail.detail);
    fake_find(&f, BG_HANDOFF_FROM, "elastic-data")->spec = 2;
    fake_tick(&f);
    fake_tick(&f);
    lines = plan_lines(&f, &spec, &n);
    cr_assert_eq(n, (size_t)1);
    cr_expect_str_eq(lines[0], "scale_down from_cluster elasticsearch/elastic-data");
    bg_arena_free(a);
}

Test(handoff_run, without_elasticsearch_and_node_group_only_scales)
{
    static const char *const want[] = {
        "scale_down from_cluster elasticsearch/elastic-coordinating",
        "scale_down from_cluster elasticsearch/elastic-data",
        "scale_down from_cluster elasticsearch/elastic-master",
        "scale_up to_cluster elasticsearch/elastic-master",
        "scale_up to_cluster elasticsearch/elastic-data",
        "scale_up to_cluster elasticsearch/elastic-coordinating",
    };
    struct bg_arena *a = bg_arena_new();
    struct bg_handoff_spec spec;
    struct fake f;
    size_t n;
    char **lines;

    fake_init(&f, a);
    fake_spec(&spec, false, false);
    lines = plan_lines(&f, &spec, &n);
    cr_assert_eq(n, BG_COUNT(want));
    for (size_t i = 0; i < n; i++)
        cr_expect_str_eq(lines[i], want[i]);
    bg_arena_free(a);
}

Test(handoff_run, a_missing_statefulset_is_named_with_its_index)
{
    static const struct bg_handoff_workload typo[] = {{"elasticsearch", "elastic-dta", 3}};
    struct bg_arena *a = bg_arena_new();
    struct bg_handoff_failure fail;
    struct bg_handoff_world w;
    struct bg_handoff_spec spec;
    struct fake f;

    fake_init(&f, a);
    fake_spec(&spec, false, false);
    spec.statefulsets = typo;
    spec.n_statefulsets = 1;
    cr_assert_eq(bg_handoff_observe(&w, a, &spec, &f.ops, &fail), BG_ENOTFOUND);
    cr_expect_str_eq(fail.attribute, "statefulsets");
    cr_expect(fail.has_index && fail.index == 0);
    cr_expect(strstr(fail.detail, "elasticsearch/elastic-dta does not exist in from_cluster"), "%s",
              fail.detail);
    bg_arena_free(a);
}

Test(handoff_run, an_unreachable_proxy_where_pods_are_ready_is_an_elasticsearch_error)
{
    struct bg_arena *a = bg_arena_new();
    struct bg_handoff_failure fail;
    struct bg_handoff_world w;
    struct bg_handoff_spec spec;
    struct fake f;

    fake_init(&f, a);
    fake_spec(&spec, true, true);
    f.proxy_down = true;
    cr_assert_neq(bg_handoff_observe(&w, a, &spec, &f.ops, &fail), 0);
    cr_expect_str_eq(fail.attribute, "elasticsearch");
    cr_expect(strstr(fail.detail, "HTTP 503") != NULL, "%s", fail.detail);
    bg_arena_free(a);
}
