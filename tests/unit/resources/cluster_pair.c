/*
 * Unit tests for bluegreen_cluster_pair's ownership records (src/resources/cluster_pair_own.c):
 * which copies are ours once Terraform dropped the private state of a killed apply. The file
 * operations themselves are covered by tests/e2e/test_cluster_pair.py and
 * tests/e2e/test_failure_paths.py.
 */
#include <string.h>

#include <criterion/criterion.h>

#include "bluegreen/codec.h"
#include "resources/cluster_pair.h"

static struct bg_arena *a;

static void setup(void)
{
    a = bg_arena_new();
}

static void teardown(void)
{
    bg_arena_free(a);
}

TestSuite(resources_cluster_pair, .init = setup, .fini = teardown);

static struct bg_value *json(const char *text)
{
    struct bg_error err = BG_ERROR_INIT;
    struct bg_value *v = NULL;

    cr_assert_eq(bg_json_decode(&v, a, text, strlen(text), &err), 0, "%s", err.msg);
    return v;
}

static struct bg_private priv(const char *text)
{
    struct bg_private p = {(const unsigned char *)text, text != NULL ? strlen(text) : 0};

    return p;
}

#define GENERATED_PRIOR                                                                            \
    "{\"standby_color\":\"knife\",\"generated_color\":\"knife\","                                  \
    "\"files\":{\"clusters/aws-prod-knife.tf\":\"aaa\"}}"

Test(resources_cluster_pair, prior_state_files_are_a_record_when_private_state_was_dropped)
{
    struct bg_pair_own own;

    bg_pair__own_read(&own, a, priv(NULL), json(GENERATED_PRIOR));
    cr_expect_str_eq(own.generated, "knife");
    cr_expect(bg_pair__own_has(&own, "aws-prod-knife.tf", "aaa"));
    cr_expect_not(bg_pair__own_has(&own, "aws-prod-knife.tf", "edited"));
    cr_expect_str_eq(bg_pair__own_record(&own, "aws-prod-knife.tf"), "aaa");
    cr_expect_null(bg_pair__own_record(&own, "aws-prod-knife-nodes.tf"));
}

Test(resources_cluster_pair, after_a_promotion_the_old_clusters_files_are_never_ours)
{
    const char *prior = "{\"standby_color\":\"spoon\",\"generated_color\":\"knife\","
                        "\"files\":{\"clusters/aws-prod-spoon.tf\":\"old\"}}";
    struct bg_pair_own own;

    bg_pair__own_read(&own, a, priv(NULL), json(prior));
    cr_expect_str_eq(own.generated, "knife", "promoted: generated is the live color");
    cr_expect_not(bg_pair__own_has(&own, "aws-prod-spoon.tf", "old"));
}

Test(resources_cluster_pair, private_state_and_prior_state_both_count)
{
    const char *p = "{\"v\":1,\"generated\":\"knife\",\"written\":{\"aws-prod-knife.tf\":\"new\"}}";
    struct bg_pair_own own;

    bg_pair__own_read(&own, a, priv(p), json(GENERATED_PRIOR));
    cr_expect(bg_pair__own_has(&own, "aws-prod-knife.tf", "new"));
    cr_expect(bg_pair__own_has(&own, "aws-prod-knife.tf", "aaa"));
    cr_expect_str_eq(bg_pair__own_record(&own, "aws-prod-knife.tf"), "new", "private first");
}

Test(resources_cluster_pair, nothing_is_ours_on_create_or_with_unreadable_records)
{
    struct bg_pair_own own;

    bg_pair__own_read(&own, a, priv("not json"), NULL);
    cr_expect_null(own.generated);
    cr_expect_not(own.adopt);
    cr_expect_not(bg_pair__own_has(&own, "aws-prod-knife.tf", "aaa"));
    bg_pair__own_read(&own, a, priv(NULL),
                      json("{\"standby_color\":\"knife\",\"generated_color\":null,"
                           "\"files\":{\"clusters/aws-prod-knife.tf\":\"aaa\"}}"));
    cr_expect_not(bg_pair__own_has(&own, "aws-prod-knife.tf", "aaa"),
                  "a state from before generated_color is no record");
}

Test(resources_cluster_pair, records_round_trip_through_private_state)
{
    struct bg_pair_own own, back;

    bg_pair__own_read(&own, a, priv(NULL), json(GENERATED_PRIOR));
    own.written = json("{\"aws-prod-knife.tf\":\"bbb\"}");
    bg_pair__own_read(&back, a, bg_pair__own_write(a, &own), NULL);
    cr_expect_str_eq(back.generated, "knife");
    cr_expect(bg_pair__own_has(&back, "aws-prod-knife.tf", "bbb"));
}

Test(resources_cluster_pair, the_generate_command_quotes_every_argument_for_sh)
{
    struct bg_subst subs[] = {{"1.15", "1.18"}, {"a b", "it's"}, {"x=\"1\"", ""}};
    const char *extras[] = {"aws-prod-knife-old.tf"};
    struct bg_pair_cfg cfg;
    char *cmd;

    memset(&cfg, 0, sizeof(cfg));
    cfg.directory = "clusters/prod env";
    cfg.name = "aws-prod";
    cfg.live = "blue";
    cfg.colors[0] = "blue";
    cfg.colors[1] = "green";
    cfg.standby = true;
    cfg.subs = subs;
    cfg.nsubs = 3;
    cmd = bg_pair__generate_command(a, &cfg, NULL, extras, 1);
    cr_expect(strstr(cmd, " generate --directory 'clusters/prod env' --name aws-prod --live blue "
                          "--colors blue,green --substitution 1.15 1.18 --substitution 'a b' "
                          "'it'\\''s' --substitution 'x=\"1\"' '' --remove "
                          "aws-prod-knife-old.tf") != NULL,
              "%s", cmd);
    cfg.standby = false;
    cfg.nsubs = 0;
    cmd = bg_pair__generate_command(a, &cfg, NULL, NULL, 0);
    cr_expect(strstr(cmd, "--standby false") != NULL, "%s", cmd);
}
