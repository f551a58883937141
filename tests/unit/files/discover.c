/* discover.c - tests for src/files/discover.c: finding a cluster's files by name. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "bluegreen/files.h"
#include "helpers.h"

static char *dir;
static struct bg_arena *arena;

static void setup(void)
{
    dir = tmp_dir_new();
    arena = bg_arena_new();
}

static void teardown(void)
{
    bg_arena_free(arena);
    tmp_dir_remove(dir);
}

TestSuite(files_discover, .init = setup, .fini = teardown);

Test(files_discover, lists_regular_files_naming_the_cluster_as_a_token_sorted)
{
    static const char *const present[] = {
        "iam_aws-prod-spoon.tf",
        "aws-prod-spoon.tf",
        "aws-prod-spoon-nodes.tf",
        "aws-prod-spoonful.tf", /* longer word */
        "xaws-prod-spoon.tf",   /* glued on the left */
        "aws-prod-knife.tf",    /* the other color */
        ".aws-prod-spoon.tf",   /* hidden */
        "aws-prod-spoon.tf~",   /* editor backup */
        "main.tf",
    };
    struct bg_error err = BG_ERROR_INIT;
    struct bg_file_list list = {0};
    char *fifo = path_join(dir, "aws-prod-spoon.pipe");
    size_t i;

    for (i = 0; i < sizeof(present) / sizeof(present[0]); i++)
        put_text(dir, present[i], "x");
    make_dir(dir, "aws-prod-spoon.d");
    make_link(dir, "aws-prod-spoon-link.tf", "aws-prod-spoon.tf");
    cr_assert_eq(mkfifo(fifo, 0644), 0);
    free(fifo);

    cr_assert_eq(bg_files_discover(&list, arena, dir, "aws-prod-spoon", &err), 0, "%s", err.msg);
    cr_assert_eq(list.len, 3);
    cr_expect_str_eq(list.names[0], "aws-prod-spoon-nodes.tf");
    cr_expect_str_eq(list.names[1], "aws-prod-spoon.tf");
    cr_expect_str_eq(list.names[2], "iam_aws-prod-spoon.tf");
}

Test(files_discover, returns_an_empty_list_when_nothing_matches)
{
    struct bg_error err = BG_ERROR_INIT;
    struct bg_file_list list = {0};

    put_text(dir, "aws-prod-knife.tf", "x");
    cr_assert_eq(bg_files_discover(&list, arena, dir, "aws-prod-spoon", &err), 0);
    cr_assert_eq(list.len, 0);
}

Test(files_discover, refuses_a_missing_directory_an_empty_cluster_and_a_symlinked_directory)
{
    struct bg_error err = BG_ERROR_INIT;
    struct bg_file_list list = {0};
    char *missing = path_join(dir, "missing"), *link = path_join(dir, "link");

    cr_expect_eq(bg_files_discover(&list, arena, missing, "c", &err), BG_ENOTFOUND);
    cr_expect_eq(bg_files_discover(&list, arena, dir, "", &err), BG_EINVAL);
    make_dir(dir, "real");
    make_link(dir, "link", "real");
    cr_expect_eq(bg_files_discover(&list, arena, link, "c", &err), BG_EINVAL);
    cr_expect_not_null(strstr(err.msg, "symlink"), "%s", err.msg);
    free(missing);
    free(link);
}

static void make_cluster_files(size_t n)
{
    char name[64];
    size_t i;

    for (i = 0; i < n; i++) {
        snprintf(name, sizeof(name), "c-%04zu.tf", i);
        put_text(dir, name, "");
    }
}

Test(files_discover, accepts_exactly_the_maximum_count)
{
    struct bg_error err = BG_ERROR_INIT;
    struct bg_file_list list = {0};

    make_cluster_files(BG_FILES_MAX_COUNT);
    cr_assert_eq(bg_files_discover(&list, arena, dir, "c", &err), 0, "%s", err.msg);
    cr_assert_eq(list.len, BG_FILES_MAX_COUNT);
    cr_assert_str_eq(list.names[0], "c-0000.tf");
    cr_assert_str_eq(list.names[BG_FILES_MAX_COUNT - 1], "c-0999.tf");
}

Test(files_discover, refuses_more_than_the_maximum_count)
{
    struct bg_error err = BG_ERROR_INIT;
    struct bg_file_list list = {0};

    make_cluster_files(BG_FILES_MAX_COUNT + 1);
    cr_assert_eq(bg_files_discover(&list, arena, dir, "c", &err), BG_ELIMIT);
    cr_assert_eq(list.len, 0);
}
