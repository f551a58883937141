/* hcl.c - tests for src/files/hcl_*.c: terraform fmt's alignment and layout equivalence.
 * The expected texts are what terraform fmt 1.11 prints for the inputs. */
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

TestSuite(files_hcl, .init = setup, .fini = teardown);

#define N(a) (sizeof(a) / sizeof((a)[0]))

/* The aligned text, or the input itself when nothing moved. */
static const char *align(const char *src)
{
    char *out = NULL;
    size_t n = 0;

    cr_assert_eq(bg_files_hcl_align(&out, &n, arena, src, strlen(src)), 0, "%s", src);
    if (out == NULL)
        return src;
    cr_assert_eq(strlen(out), n);
    return out;
}

struct align_case {
    const char *in, *want;
};

Test(files_hcl, aligns_equals_signs_of_consecutive_attributes_as_terraform_fmt)
{
    static const struct align_case cases[] = {
        {"a = 1\nbbbbb = 2\n", "a     = 1\nbbbbb = 2\n"},
        /* a blank line, a comment line or a block line ends the group */
        {"a = 1\n\ncc = 3\n", "a = 1\n\ncc = 3\n"},
        {"a = 1\n# c\ncc = 3\n", "a = 1\n# c\ncc = 3\n"},
        /* a multi-line value does not take part, its inner lines are a group of their own */
        {"cc = 3\ntags = {\n  x = 1\n  yyy = 2\n}\nz = 1\n",
         "cc = 3\ntags = {\n  x   = 1\n  yyy = 2\n}\nz = 1\n"},
        /* a heredoc stays on the line that opens it; its text is never touched */
        {"x = 1\nzz = <<EOT\n  q = 1\n  qqq = 2\nEOT\nw = 1\n",
         "x  = 1\nzz = <<EOT\n  q = 1\n  qqq = 2\nEOT\nw  = 1\n"},
        /* columns are code points: "é" is one */
        {"m = {\n  \"é\" = 1\n  ab = 2\n}\n", "m = {\n  \"é\" = 1\n  ab  = 2\n}\n"},
        /* `=` inside strings, `==` and `=>` are no cells */
        {"x = \"a=b\"\nyyy = a == b\n", "x   = \"a=b\"\nyyy = a == b\n"},
        /* one-line blocks and objects count as single-line values */
        {"a = { b = 1 }\nccc = 2\n", "a   = { b = 1 }\nccc = 2\n"},
        /* CRLF line ends */
        {"a = 1\r\nbb = 2\r\n", "a  = 1\r\nbb = 2\r\n"},
        /* over-wide gaps shrink */
        {"a      = 1\nbb     = 2\n", "a  = 1\nbb = 2\n"},
    };
    size_t i;

    for (i = 0; i < N(cases); i++)
        cr_expect_str_eq(align(cases[i].in), cases[i].want, "case %zu", i);
}

Test(files_hcl, aligns_trailing_comments_after_the_equals_signs)
{
    cr_expect_str_eq(align("z = 4 # c\nzzzzz = 5 # cc\n"), "z     = 4 # c\nzzzzz = 5 # cc\n");
    cr_expect_str_eq(align("x = \"a\" # c\nyy = \"#\" # d\n"), "x  = \"a\" # c\nyy = \"#\" # d\n");
    cr_expect_str_eq(align("a = 1 // x\nlong = 22 /* y */\n"), "a    = 1 // x\nlong = 22 /* y */\n",
                     "a block comment is no comment cell");
    cr_expect_str_eq(align("resource \"x\" \"y\" { # c\n  a = 1 # d\n}\n"),
                     "resource \"x\" \"y\" { # c\n  a = 1            # d\n}\n");
}

Test(files_hcl, an_aligned_text_is_returned_as_null_without_a_copy)
{
    const char *src = "a     = 1\nbbbbb = 2 # c\n";
    char *out = (char *)"unset";
    size_t n = 7;

    cr_assert_eq(bg_files_hcl_align(&out, &n, arena, src, strlen(src)), 0);
    cr_expect_null(out);
    cr_expect_eq(n, 0);
}

Test(files_hcl, text_that_does_not_lex_is_refused_and_left_alone)
{
    static const char *const bad[] = {
        "a = \"unterminated\n",
        "a = /* open comment\n",
        "a = <<EOT\nno end\n",
        "a = \"${b\n",
        "a = \"${ \"${ \"${ \"${ \"${ \"${ \"${ \"${ \"${ \"${ \"${ \"${ "
        "\"${ \"${ \"${ \"${ \"${ x",
    };
    size_t i;

    for (i = 0; i < N(bad); i++) {
        char *out = NULL;
        size_t n = 0;

        cr_expect_eq(bg_files_hcl_align(&out, &n, arena, bad[i], strlen(bad[i])), BG_EINVAL, "%s",
                     bad[i]);
        cr_expect_null(out);
    }
}

Test(files_hcl, knows_the_file_names_terraform_fmt_formats)
{
    cr_expect(bg_files_is_hcl_name("aws-prod-spoon.tf"));
    cr_expect(bg_files_is_hcl_name("aws-prod-spoon.auto.tfvars"));
    cr_expect(bg_files_is_hcl_name("x.tftest.hcl"));
    cr_expect_not(bg_files_is_hcl_name("aws-prod-spoon.tf.json"));
    cr_expect_not(bg_files_is_hcl_name("aws-prod-spoon.yaml"));
    cr_expect_not(bg_files_is_hcl_name(".tf"));
}

struct equiv_case {
    const char *x, *y;
    bool want;
};

static bool equivalent(const char *x, const char *y)
{
    return bg_files_hcl_equivalent(arena, x, strlen(x), y, strlen(y));
}

Test(files_hcl, layouts_that_terraform_fmt_produces_from_each_other_are_equivalent)
{
    static const struct equiv_case cases[] = {
        {"a = 1\nbbbbb = 2\n", "a     = 1\nbbbbb = 2\n", true},
        {"  a=1\n", "a = 1\n", true},
        {"x = f( 1,2 )\n", "x = f(1, 2)\n", true},
        {"x = \"${var.a}\" # c\n", "x = var.a # c\n", true},
        {"x = \"${\n  b ? c : d\n}\"\n", "x = b ? c : d\n", true},
        {"resource aws_s3_bucket b {\n}\n", "resource \"aws_s3_bucket\" \"b\" {\n}\n", true},
        {"variable \"v\" {\n  type = \"string\"\n}\n", "variable \"v\" {\n  type = string\n}\n",
         true},
        {"variable \"v\" {\n  type = list\n}\n", "variable \"v\" {\n  type = list(any)\n}\n", true},
        {"variable \"v\" {\n  type = \"map\"\n}\n", "variable \"v\" {\n  type = map(string)\n}\n",
         true},
        {"a = 1\r\n", "a = 1\n", true},
        /* differences that are edits */
        {"a = 1\n", "a = 2\n", false},
        {"a = \"x y\"\n", "a = \"x  y\"\n", false},
        {"a = 1\n", "a = 1\n\n", false},
        {"a = 1 # c\n", "a = 1 # c \n", false},
        {"a = <<EOT\n x\nEOT\n", "a = <<EOT\nx\nEOT\n", false},
        {"a-1 = 2\n", "a - 1 = 2\n", false},
        {"x = \"${a}${b}\"\n", "x = a b\n", false},
        {"x = \"${a}-b\"\n", "x = a-b\n", false},
        {"locals {\n  type = \"string\"\n}\n", "locals {\n  type = string\n}\n", false},
        {"a = \"unterminated\n", "a = \"unterminated \n", false},
    };
    size_t i;

    for (i = 0; i < N(cases); i++) {
        cr_expect_eq(equivalent(cases[i].x, cases[i].y), cases[i].want, "case %zu", i);
        cr_expect_eq(equivalent(cases[i].y, cases[i].x), cases[i].want, "case %zu reversed", i);
    }
}

Test(files_hcl, rendering_counts_replacements_and_aligns_hcl)
{
    static const struct bg_subst subs[] = {{"1.15", "1.18"}, {"1.51", "1.81"}};
    const char *src = "eks_spoon = \"1.15\"\nn = \"1.15\"\n";
    struct bg_render_opts o = {"spoon", "green", subs, 2, NULL, true};
    struct bg_error err = BG_ERROR_INIT;
    size_t counts[2] = {0, 0}, n = 0;
    char *out = NULL;

    o.counts = counts;
    cr_assert_eq(bg_files_render_with(&out, &n, arena, src, strlen(src), &o, &err), 0, "%s",
                 err.msg);
    cr_expect_str_eq(out, "eks_green = \"1.18\"\nn         = \"1.18\"\n");
    cr_expect_eq(counts[0], 2);
    cr_expect_eq(counts[1], 0);
    o.align = false;
    cr_assert_eq(bg_files_render_with(&out, &n, arena, src, strlen(src), &o, &err), 0);
    cr_expect_str_eq(out, "eks_green = \"1.18\"\nn = \"1.18\"\n");
    cr_expect_eq(counts[0], 4, "counters add up over renderings");
}
