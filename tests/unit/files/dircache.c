/* dircache.c - tests for src/files/dircache.c: listings reused only while provably current. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bluegreen/files.h"
#include "files/internal.h"
#include "helpers.h"

static char *dir;
static struct bg_arena *arena;
static struct bg_files_dircache *cache;

static void setup(void)
{
    dir = tmp_dir_new();
    arena = bg_arena_new();
    cr_assert_eq(bg_files_dircache_new(&cache), 0);
    /* 0.2 s whatever the filesystem's timestamps: the tests need not know which it is */
    bg_files__dircache_settle(cache, 0.2, 0.2);
    put_text(dir, "aws-prod-spoon.tf", "a");
    put_text(dir, "iam_aws-prod-spoon.tf", "b");
    put_text(dir, "aws-prod-knife.tf", "c");
    put_text(dir, ".aws-prod-spoon.tf", "hidden");
    put_text(dir, "aws-prod-spoon.tf~", "backup");
    put_text(dir, "aws-prod-spoonful.tf", "not a token");
    make_dir(dir, "aws-prod-spoon.d");
    make_link(dir, "aws-prod-spoon-link.tf", "aws-prod-knife.tf");
}

static void teardown(void)
{
    bg_files_dircache_free(cache);
    bg_arena_free(arena);
    tmp_dir_remove(dir);
}

TestSuite(files_dircache, .init = setup, .fini = teardown);

/* "a b c" of the cached discovery, checked against a plain scan. */
static const char *found(const char *cluster)
{
    struct bg_file_list cached, plain;
    struct bg_error err = BG_ERROR_INIT;
    char *s = bg_arena_strdup(arena, "");

    cr_assert_eq(bg_files_discover_cached(&cached, arena, cache, dir, cluster, &err), 0, "%s",
                 err.msg);
    cr_assert_eq(bg_files_discover(&plain, arena, dir, cluster, &err), 0, "%s", err.msg);
    cr_assert_eq(cached.len, plain.len);
    for (size_t i = 0; i < cached.len; i++) {
        cr_assert_str_eq(cached.names[i], plain.names[i]);
        s = bg_arena_printf(arena, "%s%s%s", s, i ? " " : "", cached.names[i]);
    }
    return s;
}

static void counts(size_t *hits, size_t *scans)
{
    bg_files__dircache_counts(hits, scans, cache);
}

/* Waits until the directory's last change is older than the window setup gave the cache. */
static void settle(void)
{
    struct timespec t = {0, 300000000};

    nanosleep(&t, NULL);
}

Test(files_dircache, answers_exactly_like_a_plain_scan)
{
    cr_expect_str_eq(found("aws-prod-spoon"), "aws-prod-spoon.tf iam_aws-prod-spoon.tf");
    cr_expect_str_eq(found("aws-prod-knife"), "aws-prod-knife.tf");
    cr_expect_str_eq(found("aws-dev-spoon"), "");
}

Test(files_dircache, a_recently_changed_directory_is_read_every_time)
{
    size_t hits, scans;

    bg_files__dircache_settle(cache, 3600, 3600); /* however slow this run is */
    found("aws-prod-spoon");
    found("aws-prod-spoon");
    found("aws-prod-knife");
    counts(&hits, &scans);
    cr_expect_eq(hits, 0, "its ctime is too recent to prove a later change would show");
    cr_expect_eq(scans, 3);
}

Test(files_dircache, reuses_a_settled_listing_and_sees_every_entry_change_at_once)
{
    size_t hits, scans;
    char *from, *to;

    settle();
    cr_expect_str_eq(found("aws-prod-spoon"), "aws-prod-spoon.tf iam_aws-prod-spoon.tf");
    cr_expect_str_eq(found("aws-prod-knife"), "aws-prod-knife.tf");
    cr_expect_str_eq(found("aws-prod-spoon"), "aws-prod-spoon.tf iam_aws-prod-spoon.tf");
    counts(&hits, &scans);
    cr_expect_eq(scans, 1);
    cr_expect_eq(hits, 2);

    /* within the same second as the reads above: a new file, a removal, a rename, and a
     * regular file replaced by a symlink are all seen by the very next call */
    put_text(dir, "aws-prod-spoon-nodes.tf", "d");
    cr_expect_str_eq(found("aws-prod-spoon"),
                     "aws-prod-spoon-nodes.tf aws-prod-spoon.tf iam_aws-prod-spoon.tf");
    from = path_join(dir, "iam_aws-prod-spoon.tf");
    cr_assert_eq(unlink(from), 0);
    cr_expect_str_eq(found("aws-prod-spoon"), "aws-prod-spoon-nodes.tf aws-prod-spoon.tf");
    to = path_join(dir, "aws-prod-spoon-vpc.tf");
    free(from);
    from = path_join(dir, "aws-prod-spoon-nodes.tf");
    cr_assert_eq(rename(from, to), 0);
    cr_expect_str_eq(found("aws-prod-spoon"), "aws-prod-spoon-vpc.tf aws-prod-spoon.tf");
    make_link(dir, "tmp-link", "aws-prod-knife.tf");
    free(from);
    from = path_join(dir, "tmp-link");
    cr_assert_eq(rename(from, to), 0);
    cr_expect_str_eq(found("aws-prod-spoon"), "aws-prod-spoon.tf");
    counts(&hits, &scans);
    cr_expect_geq(scans, 5, "each change made the next call read the directory");
    free(from);
    free(to);
}

Test(files_dircache, content_changes_need_no_rescan_because_only_names_are_kept)
{
    struct bg_file_list l;
    struct bg_error err = BG_ERROR_INIT;
    char *data;
    size_t len;

    settle();
    found("aws-prod-spoon");
    put_text(dir, "aws-prod-spoon.tf", "changed in place");
    cr_assert_eq(bg_files_discover_cached(&l, arena, cache, dir, "aws-prod-spoon", &err), 0);
    cr_assert_eq(l.len, 2);
    cr_assert_eq(bg_files_read(&data, &len, arena, dir, l.names[0], &err), 0);
    cr_expect_str_eq(data, "changed in place", "callers read the file itself");
}

Test(files_dircache, without_a_cache_or_a_directory_it_behaves_like_discover)
{
    struct bg_file_list l;
    struct bg_error err = BG_ERROR_INIT;
    char *gone = path_join(dir, "nope");

    cr_expect_eq(bg_files_discover_cached(&l, arena, NULL, dir, "aws-prod-spoon", &err), 0);
    cr_expect_eq(l.len, 2);
    cr_expect_eq(bg_files_discover_cached(&l, arena, cache, gone, "aws-prod-spoon", &err),
                 BG_ENOTFOUND);
    cr_expect_eq(bg_files_discover_cached(&l, arena, cache, dir, "", &err), BG_EINVAL);
    free(gone);
}

/* A pid no process has: a child that has exited and been reaped. */
static long gone_pid(void)
{
    pid_t p = fork();

    if (p == 0)
        _exit(0);
    cr_assert_gt(p, 0);
    cr_assert_eq(waitpid(p, NULL, 0), p);
    return (long)p;
}

static size_t sweep(void)
{
    const char *clusters[] = {"aws-prod-spoon", "aws-prod-knife"};
    struct bg_error err = BG_ERROR_INIT;
    size_t removed = 99;

    cr_assert_eq(bg_files_clean_temps_cached(&removed, cache, dir, clusters, 2, &err), 0, "%s",
                 err.msg);
    return removed;
}

Test(files_dircache, the_temporary_sweep_reads_a_settled_directory_once_and_misses_no_new_litter)
{
    char dead[128], live[128], other[128], *kept;
    size_t hits, scans;

    snprintf(dead, sizeof(dead), ".aws-prod-knife.tf.bg-%ld-0123456789abcdef.tmp", gone_pid());
    snprintf(live, sizeof(live), ".aws-prod-spoon.tf.bg-%ld-0123456789abcdef.tmp", (long)getppid());
    snprintf(other, sizeof(other), ".aws-dev-knife.tf.bg-%ld-0123456789abcdef.tmp", gone_pid());
    put_text(dir, live, "a running writer's");
    put_text(dir, other, "another pair's");
    settle();
    cr_expect_eq(sweep(), 0);
    cr_expect_eq(sweep(), 0);
    cr_expect_str_eq(found("aws-prod-spoon"), "aws-prod-spoon.tf iam_aws-prod-spoon.tf");
    counts(&hits, &scans);
    cr_expect_eq(scans, 1, "one read of the directory answers the sweeps and the discovery");
    cr_expect_eq(hits, 2);

    /* a killed apply's temporary appears right after: the next sweep sees it and removes it */
    put_text(dir, dead, "left by a killed apply");
    cr_expect_eq(sweep(), 1);
    cr_expect_null(get_file(dir, dead, NULL));
    kept = get_file(dir, live, NULL);
    cr_expect_not_null(kept, "the running writer keeps its temporary");
    free(kept);
    kept = get_file(dir, other, NULL);
    cr_expect_not_null(kept, "another pair's litter is not ours");
    free(kept);
    cr_expect_eq(sweep(), 0);
    counts(&hits, &scans);
    cr_expect_eq(scans, 3, "the new entry and the removal each made the next call read again");
}

Test(files_dircache, the_temporary_sweep_without_a_cache_is_the_plain_sweep)
{
    const char *clusters[] = {"aws-prod-knife"};
    struct bg_error err = BG_ERROR_INIT;
    char dead[128];
    size_t removed = 0;

    snprintf(dead, sizeof(dead), ".aws-prod-knife.tf.bg-%ld-0123456789abcdef.tmp", gone_pid());
    put_text(dir, dead, "x");
    cr_assert_eq(bg_files_clean_temps_cached(&removed, NULL, dir, clusters, 1, &err), 0);
    cr_expect_eq(removed, 1);
    cr_expect_null(get_file(dir, dead, NULL));
}
