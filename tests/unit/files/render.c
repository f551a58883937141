/* render.c - tests for src/files/render.c: tokens, renames and standby rendering. */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "bluegreen/files.h"

static struct bg_arena *arena;

static void setup(void)
{
    arena = bg_arena_new();
}

static void teardown(void)
{
    bg_arena_free(arena);
}

TestSuite(files_render, .init = setup, .fini = teardown);

#define N(a) (sizeof(a) / sizeof((a)[0]))

struct token_case {
    const char *text, *word;
    bool want;
};

Test(files_render, finds_a_word_only_when_bounded_by_non_alphanumerics_or_the_edges)
{
    static const struct token_case cases[] = {
        {"eks_spoon", "spoon", true},
        {"module.spoon.id", "spoon", true},
        {"\"aws-prod-spoon\"", "spoon", true},
        {"spoon", "spoon", true},
        {"spoonful", "spoon", false},
        {"spoon2", "spoon", false},
        {"teaspoon", "spoon", false},
        {"Spoon", "spoon", false},
        {"spoonful spoon", "spoon", true},
        {"aws-prod-spoon.tf", "aws-prod-spoon", true},
        {"aws-prod-spoonful.tf", "aws-prod-spoon", false},
        {"xaws-prod-spoon.tf", "aws-prod-spoon", false},
        {"", "spoon", false},
        {"spoon", "", false},
    };
    size_t i;

    for (i = 0; i < N(cases); i++)
        cr_expect_eq(bg_files_has_token(cases[i].text, strlen(cases[i].text), cases[i].word),
                     cases[i].want, "\"%s\" in \"%s\"", cases[i].word, cases[i].text);
}

Test(files_render, looks_only_at_the_given_length)
{
    cr_assert(!bg_files_has_token("spoonful", 5, "spoonf"));
    cr_assert(bg_files_has_token("spoonful", 5, "spoon"));
}

struct rename_case {
    const char *name, *want;
};

Test(files_render, renames_cluster_files_by_token)
{
    static const struct rename_case cases[] = {
        {"aws-prod-spoon.tf", "aws-prod-knife.tf"},
        {"aws-prod-spoon-nodes.tf", "aws-prod-knife-nodes.tf"},
        {"iam_aws-prod-spoon.tf", "iam_aws-prod-knife.tf"},
        {"aws-prod-spoonful.tf", "aws-prod-spoonful.tf"},
        {"aws-prod-spoon_aws-prod-spoon.tf", "aws-prod-knife_aws-prod-knife.tf"},
    };
    size_t i;

    for (i = 0; i < N(cases); i++)
        cr_expect_str_eq(bg_files_rename(arena, cases[i].name, "aws-prod-spoon", "aws-prod-knife"),
                         cases[i].want);
}

struct render_case {
    const char *src, *want;
};

static void expect_render(const struct render_case *c, const char *from, const char *to,
                          const struct bg_subst *subs, size_t nsubs)
{
    struct bg_error err = BG_ERROR_INIT;
    char *out = NULL;
    size_t out_len = 0;
    int rc =
        bg_files_render(&out, &out_len, arena, c->src, strlen(c->src), from, to, subs, nsubs, &err);

    cr_expect_eq(rc, 0, "\"%s\": %s", c->src, err.msg);
    if (rc != 0)
        return;
    cr_expect_eq(out_len, strlen(c->want), "\"%s\" -> \"%s\"", c->src, out);
    cr_expect_eq(memcmp(out, c->want, out_len + 1), 0, "\"%s\" -> \"%s\", want \"%s\"", c->src, out,
                 c->want);
}

Test(files_render, rewrites_color_bounded_by_underscore_dot_quote_and_dash)
{
    static const struct render_case cases[] = {
        {"eks_spoon", "eks_knife"},
        {"module.spoon.cluster_id", "module.knife.cluster_id"},
        {"name = \"aws-prod-spoon\"", "name = \"aws-prod-knife\""},
        {"spoonful spoon2 teaspoon Spoon", "spoonful spoon2 teaspoon Spoon"},
        {"spoon", "knife"},
        {"spoon at the start", "knife at the start"},
        {"at the end spoon", "at the end knife"},
        {"spoon-spoon_spoon.spoon", "knife-knife_knife.knife"},
        {"spoonspoon", "spoonspoon"},
        {"spoonful-spoon", "spoonful-knife"},
        {"\xc3\xa9spoon\n", "\xc3\xa9knife\n"},
        {"", ""},
    };
    size_t i;

    for (i = 0; i < N(cases); i++)
        expect_render(&cases[i], "spoon", "knife", NULL, 0);
}

Test(files_render, rewrites_to_a_color_of_different_length)
{
    static const struct render_case c = {"eks_spoon spoon", "eks_fork fork"};

    expect_render(&c, "spoon", "fork", NULL, 0);
}

Test(files_render, keeps_nul_bytes_and_reports_length_without_the_terminator)
{
    static const char src[] = "a\0spoon\0b";
    struct bg_error err = BG_ERROR_INIT;
    char *out = NULL;
    size_t out_len = 0;

    cr_assert_eq(bg_files_render(&out, &out_len, arena, src, sizeof(src) - 1, "spoon", "knife",
                                 NULL, 0, &err),
                 0);
    cr_assert_eq(out_len, sizeof(src) - 1);
    cr_assert_eq(memcmp(out, "a\0knife\0b", out_len + 1), 0);
}

Test(files_render, applies_substitutions_after_the_color_with_longest_match_winning)
{
    static const struct bg_subst subs[] = {{"1", "X"}, {"1.15", "1.18"}, {"1.1", "Y"}};
    static const struct render_case cases[] = {
        {"version = \"1.15\"", "version = \"1.18\""},
        {"1.15 1.1 1", "1.18 Y X"},
        {"v1.150", "v1.180"}, /* substitutions are plain text, not tokens */
        {"eks_spoon_1.15", "eks_knife_1.18"},
    };
    size_t i;

    for (i = 0; i < N(cases); i++)
        expect_render(&cases[i], "spoon", "knife", subs, N(subs));
}

Test(files_render, does_not_rescan_replaced_text)
{
    static const struct bg_subst subs[] = {{"a", "b"}, {"b", "c"}};
    static const struct render_case c = {"ab ba aab", "bc cb bbc"};

    expect_render(&c, "spoon", "knife", subs, N(subs));
}

Test(files_render, gives_the_same_result_whatever_the_order_of_substitutions)
{
    static const struct bg_subst fwd[] = {{"1.1", "Y"}, {"1.15", "1.18"}, {"x", ""}};
    static const struct bg_subst rev[] = {{"x", ""}, {"1.15", "1.18"}, {"1.1", "Y"}};
    static const struct render_case c = {"1.15x 1.1", "1.18 Y"};

    expect_render(&c, "spoon", "knife", fwd, N(fwd));
    expect_render(&c, "spoon", "knife", rev, N(rev));
}

Test(files_render, sees_the_standby_color_when_substituting)
{
    static const struct bg_subst subs[] = {{"knife", "fork"}};
    static const struct render_case c = {"eks_spoon", "eks_fork"};

    expect_render(&c, "spoon", "knife", subs, N(subs));
}

Test(files_render, renders_the_same_bytes_every_time)
{
    static const struct bg_subst subs[] = {{"1.15", "1.18"}, {"t3", "m5"}};
    const char *src = "module \"spoon\" { source = \"./eks_spoon\" version = \"1.15\" }\n";
    struct bg_error err = BG_ERROR_INIT;
    char *a = NULL, *b = NULL, ha[65], hb[65];
    size_t la = 0, lb = 0;

    cr_assert_eq(bg_files_render(&a, &la, arena, src, strlen(src), "spoon", "knife", subs, 2, &err),
                 0);
    cr_assert_eq(bg_files_render(&b, &lb, arena, src, strlen(src), "spoon", "knife", subs, 2, &err),
                 0);
    cr_assert_neq(a, b);
    cr_assert_eq(la, lb);
    cr_assert_eq(memcmp(a, b, la), 0);
    bg_files_sha256_hex(ha, a, la);
    bg_files_sha256_hex(hb, b, lb);
    cr_assert_str_eq(ha, hb);
}

Test(files_render, refuses_an_empty_color_or_substitution)
{
    static const struct bg_subst bad[] = {{"1.15", "1.18"}, {"", "x"}};
    struct bg_error err = BG_ERROR_INIT;
    char *out = NULL;
    size_t out_len = 0;

    cr_assert_eq(bg_files_render(&out, &out_len, arena, "x", 1, "", "knife", NULL, 0, &err),
                 BG_EINVAL);
    cr_assert_eq(bg_files_render(&out, &out_len, arena, "x", 1, "spoon", "knife", bad, 2, &err),
                 BG_EINVAL);
    cr_assert_str_eq(err.msg, "substitution 1 has an empty \"from\"");
    cr_assert_null(out);
}

Test(files_render, refuses_input_or_output_beyond_the_size_limit)
{
    size_t big = BG_FILES_MAX_SIZE / 2;
    char *src = malloc(big), *out = NULL;
    struct bg_error err = BG_ERROR_INIT;
    size_t out_len = 0, i;

    cr_assert_not_null(src);
    /* "s s s ...": every "s" is a token, so a 4-byte color triples the size. */
    for (i = 0; i < big; i++)
        src[i] = i % 2 == 0 ? 's' : ' ';
    cr_expect_eq(bg_files_render(&out, &out_len, arena, src, big, "s", "four", NULL, 0, &err),
                 BG_ELIMIT);
    cr_expect_eq(err.code, BG_ELIMIT);
    cr_expect_eq(bg_files_render(&out, &out_len, arena, src, BG_FILES_MAX_SIZE + 1u, "s", "t", NULL,
                                 0, &err),
                 BG_ELIMIT);
    cr_expect_eq(bg_files_render(&out, &out_len, arena, src, big, "s", "t", NULL, 0, &err), 0);
    cr_expect_eq(out_len, big);
    free(src);
}

Test(files_render, lets_the_first_of_two_identical_keys_win)
{
    static const struct bg_subst subs[] = {{"1.15", "first"}, {"1.15", "second"}};
    static const struct render_case c = {"1.15", "first"};

    expect_render(&c, "spoon", "knife", subs, N(subs));
}
