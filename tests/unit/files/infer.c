/* infer.c - tests for src/files/infer.c: substitutions recovered from a copy's differences. */
#include <criterion/criterion.h>
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

TestSuite(files_infer, .init = setup, .fini = teardown);

static struct bg_infer infer(const char *from, const char *to, const char *const *avoid,
                             size_t navoid)
{
    struct bg_infer inf;

    memset(&inf, 0, sizeof(inf));
    inf.avoid = avoid;
    inf.navoid = navoid;
    inf.max_context = 3;
    bg_files_infer_substitutions(&inf, arena, from, strlen(from), to, strlen(to));
    return inf;
}

Test(files_infer, each_changed_word_is_one_substitution_with_its_count)
{
    struct bg_infer inf = infer("v = \"1.15\"\nw = \"1.15\"\nc = \"10.1.0.0/16\"\n",
                                "v = \"1.18\"\nw = \"1.18\"\nc = \"10.2.0.0/16\"\n", NULL, 0);

    cr_assert_eq(inf.n, 2);
    cr_expect_str_eq(inf.subs[0].from, "1.15");
    cr_expect_str_eq(inf.subs[0].to, "1.18");
    cr_expect_eq(inf.hits[0], 2);
    cr_expect_str_eq(inf.subs[1].from, "10.1.0.0");
    cr_expect_str_eq(inf.subs[1].to, "10.2.0.0");
    cr_expect_eq(inf.nconflicts, 0);
}

Test(files_infer, alignment_alone_is_no_substitution)
{
    struct bg_infer inf = infer("a = 1\nbbbbbb = 2\n", "a      = 1\nbbbbbb = 2\n", NULL, 0);

    cr_expect_eq(inf.n, 0);
    inf = infer("same\n", "same\n", NULL, 0);
    cr_expect_eq(inf.n, 0);
}

Test(files_infer, an_avoided_key_takes_context_from_around_its_difference)
{
    static const char *const avoid[] = {"1.15"};
    struct bg_infer inf =
        infer("v = \"1.15\"\nx = \"1.150\"\n", "v = \"1.18\"\nx = \"1.150\"\n", avoid, 1);

    cr_assert_eq(inf.n, 1);
    cr_expect_str_eq(inf.subs[0].from, "\"1.15\"");
    cr_expect_str_eq(inf.subs[0].to, "\"1.18\"");
}

Test(files_infer, one_key_with_two_values_is_a_conflict)
{
    struct bg_infer inf = infer("a = x\nb = x\n", "a = y\nb = z\n", NULL, 0);

    cr_expect_eq(inf.nconflicts, 1);
    cr_expect_str_eq(inf.conflicts[0], "x");
}

Test(files_infer, an_insertion_replaces_the_token_before_it)
{
    struct bg_infer inf = infer("list = [a]\n", "list = [a, b]\n", NULL, 0);

    cr_assert_eq(inf.n, 1);
    cr_expect_str_eq(inf.subs[0].from, "a");
    cr_expect_str_eq(inf.subs[0].to, "a, b");
}

/* What import does (src/resources/cluster_pair_infer.c): infer, render counting, avoid the
 * keys whose count is off, again. */
static const char *rounds(const char *from, const char *to)
{
    const char **avoid = bg_arena_calloc(arena, 64, sizeof(*avoid));
    size_t navoid = 0, r, i, n = 0, *counts;
    struct bg_error err = BG_ERROR_INIT;
    char *out = NULL;

    for (r = 0; r < 8; r++) {
        struct bg_infer inf = infer(from, to, avoid, navoid);
        struct bg_render_opts o = {"spoon", "knife", inf.subs, inf.n, NULL, false};
        size_t off = 0;

        counts = bg_arena_calloc(arena, inf.n, sizeof(*counts));
        o.counts = counts;
        cr_assert_eq(bg_files_render_with(&out, &n, arena, from, strlen(from), &o, &err), 0);
        for (i = 0; i < inf.n && navoid < 64; i++) {
            if (counts[i] != inf.hits[i]) {
                avoid[navoid++] = inf.subs[i].from;
                off++;
            }
        }
        if (off == 0)
            break;
    }
    return out;
}

Test(files_infer, added_lines_and_over_matching_keys_are_settled_in_rounds)
{
    cr_expect_str_eq(rounds("one\ntwo\nthree\n", "one\ntwo\nextra\nthree\n"),
                     "one\ntwo\nextra\nthree\n");
    cr_expect_str_eq(rounds("v = \"1.15\"\nx = \"1.150\"\n", "v = \"1.18\"\nx = \"1.150\"\n"),
                     "v = \"1.18\"\nx = \"1.150\"\n");
    cr_expect_str_eq(rounds("a\nb\nc\nd\n", "a\nc\nd\n"), "a\nc\nd\n", "a removed line");
}
