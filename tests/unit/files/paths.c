/* paths.c - tests for src/files/paths.c: repository root and directory containment. */
#include <criterion/criterion.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bluegreen/files.h"
#include "helpers.h"

/* Layout: <tmp>/repo is the root and the working directory; <tmp>/outside lies beyond it. */
static char *tmp, *repo;
static struct bg_arena *arena;

static void setup(void)
{
    tmp = tmp_dir_new();
    make_dir(tmp, "repo");
    make_dir(tmp, "outside");
    repo = path_join(tmp, "repo");
    cr_assert_eq(chdir(repo), 0);
    arena = bg_arena_new();
}

static void teardown(void)
{
    cr_assert_eq(chdir("/"), 0);
    bg_arena_free(arena);
    free(repo);
    tmp_dir_remove(tmp);
}

TestSuite(files_paths, .init = setup, .fini = teardown);

Test(files_paths, resolves_the_root_itself)
{
    struct bg_error err = BG_ERROR_INIT;
    char *out = NULL;

    cr_assert_eq(bg_files_resolve_dir(&out, arena, repo, ".", &err), 0, "%s", err.msg);
    cr_assert_str_eq(out, repo);
}

Test(files_paths, resolves_a_nested_directory_to_its_canonical_path)
{
    struct bg_error err = BG_ERROR_INIT;
    char *out = NULL, *want = path_join(repo, "envs/prod");

    make_dir(repo, "envs");
    make_dir(repo, "envs/prod");
    cr_assert_eq(bg_files_resolve_dir(&out, arena, repo, "envs/./prod/", &err), 0, "%s", err.msg);
    cr_assert_str_eq(out, want);
    free(want);
}

Test(files_paths, follows_a_symlink_that_stays_inside_the_root)
{
    struct bg_error err = BG_ERROR_INIT;
    char *out = NULL, *want = path_join(repo, "real");

    make_dir(repo, "real");
    make_link(repo, "alias", "real");
    cr_assert_eq(bg_files_resolve_dir(&out, arena, repo, "alias", &err), 0, "%s", err.msg);
    cr_assert_str_eq(out, want);
    free(want);
}

struct refusal {
    const char *directory;
    int code;
    const char *msg_part;
};

Test(files_paths, refuses_directories_that_are_empty_absolute_outside_missing_or_files)
{
    static const struct refusal cases[] = {
        {"", BG_EINVAL, "must not be empty"},
        {"..", BG_EINVAL, "resolves outside the repository root"},
        {"../outside", BG_EINVAL, "resolves outside the repository root"},
        {"a/../../outside", BG_EINVAL, "resolves outside the repository root"},
        {"escape", BG_EINVAL, "resolves outside the repository root"},
        {"/etc", BG_EINVAL, "must be relative to the working directory"},
        {"/", BG_EINVAL, "must be relative to the working directory"},
        {"missing", BG_ENOTFOUND, "does not exist"},
        {"a/missing/..", BG_ENOTFOUND, "does not exist"},
        {"main.tf", BG_EINVAL, "is not a directory"},
        {"main.tf/", BG_EINVAL, "is not a directory"},
    };
    size_t i;

    make_dir(repo, "a");
    make_link(repo, "escape", "../outside");
    put_text(repo, "main.tf", "");
    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct bg_error err = BG_ERROR_INIT;
        char *out = NULL;
        int rc = bg_files_resolve_dir(&out, arena, repo, cases[i].directory, &err);

        cr_expect_eq(rc, cases[i].code, "\"%s\": rc %d (%s)", cases[i].directory, rc, err.msg);
        cr_expect_eq(err.code, cases[i].code, "\"%s\"", cases[i].directory);
        cr_expect_not_null(strstr(err.msg, cases[i].msg_part), "\"%s\": %s", cases[i].directory,
                           err.msg);
        cr_expect_null(out, "\"%s\"", cases[i].directory);
    }
}

Test(files_paths, names_the_directory_and_the_root_when_refusing_an_escape)
{
    struct bg_error err = BG_ERROR_INIT;
    char *out = NULL, want[PATH_MAX + 100];

    snprintf(want, sizeof(want), "directory \"../outside\" resolves outside the repository root %s",
             repo);
    cr_assert_eq(bg_files_resolve_dir(&out, arena, repo, "../outside", &err), BG_EINVAL);
    cr_assert_str_eq(err.msg, want);
}

Test(files_paths, does_not_mistake_a_sibling_sharing_the_root_prefix_for_inside)
{
    struct bg_error err = BG_ERROR_INIT;
    char *out = NULL;

    /* <tmp>/repo-evil starts with the string <tmp>/repo but is not beneath it. */
    make_dir(tmp, "repo-evil");
    cr_assert_eq(bg_files_resolve_dir(&out, arena, repo, "../repo-evil", &err), BG_EINVAL);
}

Test(files_paths, takes_the_configured_root_relative_to_the_working_directory)
{
    struct bg_error err = BG_ERROR_INIT;
    char *out = NULL, *want = path_join(repo, "sub");

    make_dir(repo, "sub");
    cr_assert_eq(bg_files_repo_root(&out, arena, "sub", &err), 0, "%s", err.msg);
    cr_assert_str_eq(out, want);
    free(want);
}

Test(files_paths, refuses_a_configured_root_that_is_missing_or_a_file)
{
    struct bg_error err = BG_ERROR_INIT;
    char *out = NULL;

    put_text(repo, "file", "x");
    cr_assert_eq(bg_files_repo_root(&out, arena, "nope", &err), BG_ENOTFOUND);
    cr_assert_str_eq(err.msg, "repository root \"nope\" does not exist");
    cr_assert_eq(bg_files_repo_root(&out, arena, "file", &err), BG_EINVAL);
    cr_assert_str_eq(err.msg, "repository root \"file\" is not a directory");
    cr_assert_null(out);
}

Test(files_paths, finds_the_nearest_ancestor_holding_a_git_directory)
{
    struct bg_error err = BG_ERROR_INIT;
    char *out = NULL;

    make_dir(repo, ".git");
    make_dir(repo, "a");
    make_dir(repo, "a/b");
    cr_assert_eq(chdir("a/b"), 0);
    cr_assert_eq(bg_files_repo_root(&out, arena, NULL, &err), 0, "%s", err.msg);
    cr_assert_str_eq(out, repo);
    out = NULL;
    cr_assert_eq(bg_files_repo_root(&out, arena, "", &err), 0, "%s", err.msg);
    cr_assert_str_eq(out, repo);
}

Test(files_paths, accepts_a_git_file_as_worktrees_and_submodules_have)
{
    struct bg_error err = BG_ERROR_INIT;
    char *out = NULL;

    put_text(repo, ".git", "gitdir: /elsewhere\n");
    make_dir(repo, "a");
    cr_assert_eq(chdir("a"), 0);
    cr_assert_eq(bg_files_repo_root(&out, arena, NULL, &err), 0, "%s", err.msg);
    cr_assert_str_eq(out, repo);
}

Test(files_paths, falls_back_to_the_working_directory_without_git)
{
    struct bg_error err = BG_ERROR_INIT;
    char *out = NULL, *want = path_join(repo, "a");

    make_dir(repo, "a");
    cr_assert_eq(chdir("a"), 0);
    cr_assert_eq(bg_files_repo_root(&out, arena, NULL, &err), 0, "%s", err.msg);
    cr_assert_str_eq(out, want);
    free(want);
}
