/* Unit tests for the upgrade path search (src/upgrade/path.c, plan.c, support.c). */
#include <string.h>

#include <criterion/criterion.h>

#include "bluegreen/upgrade.h"

struct step_want {
    const char *component, *from, *to;
};

struct path_case {
    const char *name;
    const char *k_from, *k_to, *i_from, *i_to, *method;
    long clusters, max_steps;
    const char *strategy;
    size_t step_count;
    struct step_want steps[12];
};

static const struct path_case path_cases[] = {
    {"reference team: EKS 1.15->1.18 with Istio 1.4->1.8 on 7 clusters",
     "1.15",
     "1.18",
     "1.4",
     "1.8",
     NULL,
     7,
     2,
     "blue_green",
     7,
     {{"istio", "1.4", "1.5"},
      {"istio", "1.5", "1.6"},
      {"kubernetes", "1.15", "1.16"},
      {"istio", "1.6", "1.7"},
      {"istio", "1.7", "1.8"},
      {"kubernetes", "1.16", "1.17"},
      {"kubernetes", "1.17", "1.18"}}},
    {"pure Kubernetes path",
     "1.20",
     "1.23",
     NULL,
     NULL,
     NULL,
     1,
     2,
     "blue_green",
     3,
     {{"kubernetes", "1.20", "1.21"},
      {"kubernetes", "1.21", "1.22"},
      {"kubernetes", "1.22", "1.23"}}},
    {"one quiet Kubernetes minor stays in place",
     "1.26",
     "1.27",
     NULL,
     NULL,
     NULL,
     3,
     2,
     "in_place",
     1,
     {{"kubernetes", "1.26", "1.27"}}},
    {"canary jumps Istio 1.8 -> 1.10 in one step",
     "1.19",
     "1.19",
     "1.8",
     "1.10",
     "canary",
     1,
     2,
     "in_place",
     1,
     {{"istio", "1.8", "1.10"}}},
    {"in-place Istio moves one minor at a time",
     "1.19",
     "1.19",
     "1.8",
     "1.10",
     "in_place",
     1,
     2,
     "in_place",
     2,
     {{"istio", "1.8", "1.9"}, {"istio", "1.9", "1.10"}}},
    {"canary before 1.8 refuses 1.4 -> 1.6 and goes via 1.5",
     "1.15",
     "1.15",
     "1.4",
     "1.6",
     "canary",
     1,
     5,
     "blue_green",
     2,
     {{"istio", "1.4", "1.5"}, {"istio", "1.5", "1.6"}}},
    {"same versions need no step",
     "1.30",
     "1.30",
     "1.22",
     "1.22",
     NULL,
     2,
     0,
     "in_place",
     0,
     {{NULL, NULL, NULL}}},
};

static struct bg_upgrade_opts opts_for(const struct path_case *c)
{
    struct bg_upgrade_opts o = BG_UPGRADE_OPTS_INIT;

    o.kubernetes_from = c->k_from;
    o.kubernetes_to = c->k_to;
    o.istio_from = c->i_from;
    o.istio_to = c->i_to;
    o.istio_method = c->method;
    o.clusters = c->clusters;
    o.max_in_place_steps = c->max_steps;
    o.as_of = "2021-01-01";
    return o;
}

static void check_case(const struct path_case *c)
{
    struct bg_arena *a = bg_arena_new();
    struct bg_upgrade_opts o = opts_for(c);
    struct bg_upgrade_path *p = NULL;
    struct bg_error err = BG_ERROR_INIT;
    const char *attr = "unset";
    int rc = bg_upgrade_path_find(&p, a, &o, &attr, &err);

    cr_assert_eq(rc, 0, "%s: %s", c->name, err.msg);
    cr_assert_null(attr, "%s", c->name);
    cr_assert_eq(p->step_count, c->step_count, "%s: %zu steps", c->name, p->step_count);
    for (size_t i = 0; i < c->step_count; i++) {
        cr_expect_str_eq(p->steps[i].component, c->steps[i].component, "%s #%zu", c->name, i);
        cr_expect_str_eq(p->steps[i].from, c->steps[i].from, "%s #%zu", c->name, i);
        cr_expect_str_eq(p->steps[i].to, c->steps[i].to, "%s #%zu", c->name, i);
    }
    cr_expect_eq(p->total_upgrades, (long)c->step_count * c->clusters, "%s", c->name);
    cr_expect_str_eq(p->strategy, c->strategy, "%s: %s", c->name, p->reason);
    bg_arena_free(a);
}

Test(upgrade_path, finds_the_expected_shortest_sequence_for_every_case)
{
    for (size_t i = 0; i < sizeof(path_cases) / sizeof(path_cases[0]); i++)
        check_case(&path_cases[i]);
}

static struct bg_upgrade_path *reference(struct bg_arena *a, const char *as_of)
{
    struct bg_upgrade_opts o = opts_for(&path_cases[0]);
    struct bg_upgrade_path *p = NULL;
    struct bg_error err = BG_ERROR_INIT;
    const char *attr = NULL;

    o.as_of = as_of;
    cr_assert_eq(bg_upgrade_path_find(&p, a, &o, &attr, &err), 0, "%s", err.msg);
    return p;
}

Test(upgrade_path, reference_case_gives_49_upgrades_and_explains_blue_green)
{
    struct bg_arena *a = bg_arena_new();
    struct bg_upgrade_path *p = reference(a, "2021-01-01");

    cr_assert_eq(p->total_upgrades, 49);
    cr_expect_str_eq(p->strategy, "blue_green");
    cr_expect_not_null(strstr(p->reason, "7 sequential in-place upgrades per cluster"), "%s",
                       p->reason);
    cr_expect_not_null(strstr(p->reason, "49 upgrades across 7 clusters"), "%s", p->reason);
    cr_expect_not_null(strstr(p->reason, "max_in_place_steps = 2"), "%s", p->reason);
    bg_arena_free(a);
}

Test(upgrade_path, reference_case_crosses_istiod_mixer_and_the_1_16_removals)
{
    struct bg_arena *a = bg_arena_new();
    struct bg_upgrade_path *p = reference(a, "2021-01-01");
    size_t total = 0;

    for (size_t i = 0; i < p->step_count; i++)
        total += p->steps[i].breaking_change_count;
    cr_expect_eq(p->breaking_change_count, total);
    cr_expect_eq(p->breaking_change_count, 7, "%zu", p->breaking_change_count);
    cr_expect_eq(p->disruptive_count, 2);
    cr_expect_not_null(strstr(p->steps[0].breaking_changes[0], "istiod"));
    cr_expect_eq(p->steps[2].breaking_change_count, 3, "1.16 removes three API groups");
    cr_expect_not_null(strstr(p->steps[4].breaking_changes[0], "Mixer"));
    cr_expect_not_null(strstr(p->reason, "7 breaking changes (2 disruptive)"), "%s", p->reason);
    bg_arena_free(a);
}

Test(upgrade_path, canary_jump_reports_the_changes_of_both_minors)
{
    struct bg_arena *a = bg_arena_new();
    struct bg_upgrade_opts o = BG_UPGRADE_OPTS_INIT;
    struct bg_upgrade_path *p = NULL;
    const char *attr = NULL;

    o.kubernetes_from = o.kubernetes_to = "1.16";
    o.istio_from = "1.6";
    o.istio_to = "1.8";
    o.as_of = "2021-01-01";
    cr_assert_eq(bg_upgrade_path_find(&p, a, &o, &attr, NULL), 0);
    cr_assert_eq(p->step_count, 2, "1.6 -> 1.8 cannot skip before the 1.8 -> 1.10 canary");
    cr_expect_str_eq(p->strategy, "blue_green", "Mixer removal is disruptive: %s", p->reason);
    bg_arena_free(a);
}

Test(upgrade_path, support_counts_days_to_the_end_of_eks_support)
{
    struct bg_arena *a = bg_arena_new();
    struct bg_upgrade_path *p = reference(a, "2021-01-01");

    cr_assert_eq(p->support_count, 4);
    cr_expect_str_eq(p->support[0].version, "1.15");
    cr_expect_str_eq(p->support[0].end_of_standard_support, "2021-05-03");
    cr_expect_eq(p->support[0].standard_days, 122);
    cr_expect_str_eq(p->support[0].standard, "122 days remaining");
    cr_expect_null(p->support[0].end_of_extended_support);
    cr_expect_str_eq(p->support[0].extended, "not offered");
    cr_expect_str_eq(p->support[3].version, "1.18");
    cr_expect_not(p->target_out_of_standard_support);
    bg_arena_free(a);
}

Test(upgrade_path, support_says_ended_when_as_of_is_past_the_date)
{
    struct bg_arena *a = bg_arena_new();
    struct bg_upgrade_path *p = reference(a, "2024-01-01");

    cr_expect_str_eq(p->support[3].standard, "ended 2022-03-31");
    cr_expect_lt(p->support[3].standard_days, 0);
    cr_expect(p->target_out_of_standard_support);
    bg_arena_free(a);
}

struct error_case {
    const char *name;
    const char *k_from, *k_to, *i_from, *i_to, *method, *as_of;
    long clusters;
    int code;
    const char *attribute, *message;
};

static const struct error_case error_cases[] = {
    {"unsupported target pair names the Istio range", "1.19", "1.22", "1.8", "1.8", NULL, NULL, 1,
     BG_EINVAL, "istio_to", "Istio 1.8 supports Kubernetes 1.16 to 1.19, not 1.22"},
    {"unsupported start pair", "1.18", "1.19", "1.4", "1.8", NULL, NULL, 1, BG_EINVAL, "istio_from",
     "Istio 1.4 supports Kubernetes 1.13 to 1.15, not 1.18"},
    {"unknown Kubernetes version", "1.9", "1.18", NULL, NULL, NULL, NULL, 1, BG_EINVAL,
     "kubernetes_from", "unknown Kubernetes version 1.9"},
    {"unknown Istio version", "1.15", "1.18", "1.4", "1.99", NULL, NULL, 1, BG_EINVAL, "istio_to",
     "unknown Istio version 1.99"},
    {"malformed version", "1.15", "latest", NULL, NULL, NULL, NULL, 1, BG_EINVAL, "kubernetes_to",
     "not of the form 1.<minor>"},
    {"target below source", "1.18", "1.15", NULL, NULL, NULL, NULL, 1, BG_EINVAL, "kubernetes_to",
     "below kubernetes_from"},
    {"Istio target below source", "1.18", "1.18", "1.7", "1.6", NULL, NULL, 1, BG_EINVAL,
     "istio_to", "below istio_from"},
    {"istio_from without istio_to", "1.15", "1.16", "1.4", NULL, NULL, NULL, 1, BG_EINVAL,
     "istio_to", "set together"},
    {"unknown method", "1.15", "1.16", NULL, NULL, "rolling", NULL, 1, BG_EINVAL, "istio_method",
     "\"rolling\""},
    {"impossible as_of date", "1.15", "1.16", NULL, NULL, NULL, "2021-02-30", 1, BG_EINVAL, "as_of",
     "not a valid YYYY-MM-DD"},
    {"zero clusters", "1.15", "1.16", NULL, NULL, NULL, NULL, 0, BG_EINVAL, "clusters",
     "at least 1"},
};

Test(upgrade_path, rejects_bad_input_naming_the_attribute)
{
    for (size_t i = 0; i < sizeof(error_cases) / sizeof(error_cases[0]); i++) {
        const struct error_case *c = &error_cases[i];
        struct bg_arena *a = bg_arena_new();
        struct bg_upgrade_opts o = {c->k_from, c->k_to,     c->i_from, c->i_to,
                                    c->method, c->clusters, 2,         c->as_of};
        struct bg_upgrade_path *p = (void *)1;
        struct bg_error err = BG_ERROR_INIT;
        const char *attr = NULL;

        cr_expect_eq(bg_upgrade_path_find(&p, a, &o, &attr, &err), c->code, "%s", c->name);
        cr_expect_null(p, "%s", c->name);
        cr_expect_str_eq(attr != NULL ? attr : "(null)", c->attribute, "%s", c->name);
        cr_expect_not_null(strstr(err.msg, c->message), "%s: %s", c->name, err.msg);
        bg_arena_free(a);
    }
}

Test(upgrade_path, unsupported_pair_message_says_which_istio_fits)
{
    struct bg_upgrade_opts o = {"1.19", "1.22", "1.8", "1.8", NULL, 1, 2, "2021-01-01"};
    struct bg_arena *a = bg_arena_new();
    struct bg_upgrade_path *p = NULL;
    struct bg_error err = BG_ERROR_INIT;
    const char *attr = NULL;

    bg_upgrade_path_find(&p, a, &o, &attr, &err);
    cr_expect_not_null(strstr(err.msg, "Kubernetes 1.22 needs Istio 1.11 to 1.16"), "%s", err.msg);
    bg_arena_free(a);
}

Test(upgrade_path, parses_versions_and_dates_strictly)
{
    int minor = 0;
    long days = 0;

    cr_expect_eq(bg_upgrade_version_parse(&minor, "1.15", NULL), 0);
    cr_expect_eq(minor, 15);
    cr_expect_eq(bg_upgrade_version_parse(&minor, "1.15.3", NULL), 0);
    cr_expect_eq(minor, 15);
    cr_expect_eq(bg_upgrade_version_parse(&minor, "v1.15", NULL), BG_EINVAL);
    cr_expect_eq(bg_upgrade_version_parse(&minor, "1.", NULL), BG_EINVAL);
    cr_expect_eq(bg_upgrade_version_parse(&minor, "1.15x", NULL), BG_EINVAL);
    cr_expect_eq(bg_upgrade_version_parse(&minor, "2.1", NULL), BG_EINVAL);
    cr_expect_eq(bg_upgrade_version_parse(&minor, NULL, NULL), BG_EINVAL);
    cr_expect_eq(bg_upgrade_date_parse(&days, "1970-01-02", NULL), 0);
    cr_expect_eq(days, 1);
    cr_expect_eq(bg_upgrade_date_parse(&days, "2024-02-29", NULL), 0);
    cr_expect_eq(bg_upgrade_date_parse(&days, "2023-02-29", NULL), BG_EINVAL);
    cr_expect_eq(bg_upgrade_date_parse(&days, "2023-1-01", NULL), BG_EINVAL);
}
