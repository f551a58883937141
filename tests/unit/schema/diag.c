/* diag.c - attribute path rendering and diagnostic bookkeeping. */
#include <criterion/criterion.h>
#include <stdio.h>

#include "bluegreen/common.h"
#include "bluegreen/diag.h"
#include "unit/schema/helpers.h"

TestSuite(schema_diag, .init = setup, .fini = teardown);

Test(schema_diag, renders_attributes_indices_and_keys)
{
    const struct bg_path *a = bg_path_attr(arena, NULL, "a");
    const struct bg_path *ab = bg_path_attr(arena, a, "b");
    const struct bg_path *ab1 = bg_path_index(arena, ab, 1);
    const struct bg_path *ab1k = bg_path_key(arena, ab1, "k");
    const struct {
        const struct bg_path *path;
        const char *want;
        size_t depth;
    } cases[] = {
        {NULL, "", 0},
        {a, "a", 1},
        {ab, "a.b", 2},
        {ab1, "a.b[1]", 3},
        {ab1k, "a.b[1][\"k\"]", 4},
        {bg_path_attr(arena, ab1k, "c"), "a.b[1][\"k\"].c", 5},
        {bg_path_index(arena, a, -2), "a[-2]", 2},
        {bg_path_index(arena, bg_path_index(arena, a, 0), 12345678901LL), "a[0][12345678901]", 3},
        {bg_path_key(arena, a, ""), "a[\"\"]", 2},
    };
    size_t i;

    for (i = 0; i < BG_COUNT(cases); i++) {
        cr_expect_str_eq(bg_path_string(arena, cases[i].path), cases[i].want, "case %zu", i);
        cr_expect_eq(bg_path_depth(cases[i].path), cases[i].depth, "case %zu", i);
    }
}

Test(schema_diag, paths_share_parents_without_changing_them)
{
    const struct bg_path *root = bg_path_attr(arena, NULL, "colors");
    const struct bg_path *first = bg_path_index(arena, root, 0);
    const struct bg_path *second = bg_path_index(arena, root, 1);

    cr_assert_str_eq(bg_path_string(arena, first), "colors[0]");
    cr_assert_str_eq(bg_path_string(arena, second), "colors[1]");
    cr_assert_str_eq(bg_path_string(arena, root), "colors");
    cr_assert_eq(first->parent, root);
    cr_assert_eq(second->parent, root);
}

Test(schema_diag, counts_errors_and_warnings_separately)
{
    const struct bg_path *p = bg_path_attr(arena, NULL, "live");

    cr_assert_eq(diags.count, 0);
    cr_assert_not(bg_diags_has_errors(&diags));
    bg_diag_warn(&diags, NULL, "First warning", "w%d", 1);
    cr_assert_eq(diags.count, 1);
    cr_assert_eq(diags.errors, 0);
    cr_assert_not(bg_diags_has_errors(&diags), "a warning is not an error");
    bg_diag_error(&diags, p, "An error", "%s = \"%s\"", "live", "x");
    bg_diag_warn(&diags, p, "Second warning", NULL);
    bg_diag_add(&diags, BG_SEV_ERROR, NULL, "Another error", NULL);
    cr_assert_eq(diags.count, 4);
    cr_assert_eq(diags.errors, 2);
    cr_assert(bg_diags_has_errors(&diags));
}

Test(schema_diag, keeps_diagnostics_in_order_with_formatted_detail_and_path)
{
    bg_diag_warn(&diags, NULL, "One", "n=%d", 1);
    bg_diag_error(&diags, bg_path_attr(arena, NULL, "live"), "Two", "%s = \"%s\"", "live", "x");
    bg_diag_warn(&diags, NULL, "Three", NULL);

    cr_assert_eq(diag_at(0)->severity, BG_SEV_WARNING);
    cr_assert_str_eq(diag_at(0)->summary, "One");
    cr_assert_str_eq(diag_at(0)->detail, "n=1");
    cr_assert_null(diag_at(0)->path);
    cr_assert_eq(diag_at(1)->severity, BG_SEV_ERROR);
    cr_assert_str_eq(diag_at(1)->detail, "live = \"x\"");
    cr_assert_str_eq(diag_path(1), "live");
    cr_assert_null(diag_at(2)->detail, "a NULL format leaves no detail");
    cr_assert_eq(diags.tail, diag_at(2));
    cr_assert_null(diags.tail->next);
}

Test(schema_diag, copies_the_summary_into_the_arena)
{
    char summary[32];

    snprintf(summary, sizeof(summary), "%s", "Original");
    bg_diag_error(&diags, NULL, summary, NULL);
    snprintf(summary, sizeof(summary), "%s", "Overwritten");
    cr_assert_str_eq(diag_at(0)->summary, "Original");
}

Test(schema_diag, from_error_adds_an_error_with_the_message_verbatim_and_returns_its_code)
{
    struct bg_error err = BG_ERROR_INIT;
    const struct bg_path *p = bg_path_attr(arena, NULL, "directory");
    int rc;

    bg_error_set(&err, BG_ENOTFOUND, "no such directory: 100%% %s", "sure");
    rc = bg_diag_from_error(&diags, p, "Cannot read the cluster files", &err);
    cr_assert_eq(rc, BG_ENOTFOUND);
    cr_assert_eq(diags.count, 1);
    cr_assert_eq(diags.errors, 1);
    cr_assert_eq(diag_at(0)->severity, BG_SEV_ERROR);
    cr_assert_str_eq(diag_at(0)->summary, "Cannot read the cluster files");
    cr_assert_str_eq(diag_at(0)->detail, "no such directory: 100% sure",
                     "the message is not used as a format");
    cr_assert_str_eq(diag_path(0), "directory");
}

Test(schema_diag, from_error_without_a_code_returns_einval)
{
    struct bg_error err = BG_ERROR_INIT;

    snprintf(err.msg, sizeof(err.msg), "%s", "%s%s%n");
    cr_assert_eq(bg_diag_from_error(&diags, NULL, "Failed", &err), BG_EINVAL);
    cr_assert_str_eq(diag_at(0)->detail, "%s%s%n");
    cr_assert(bg_diags_has_errors(&diags));
}
