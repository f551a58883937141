/* io.c - tests for src/files/io.c, write.c and hash.c: reads, atomic writes, removal. */
#include <criterion/criterion.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bluegreen/files.h"
#include "helpers.h"

static char *dir, *outside;
static struct bg_arena *arena;

static void setup(void)
{
    dir = tmp_dir_new();
    outside = tmp_dir_new();
    arena = bg_arena_new();
}

static void teardown(void)
{
    bg_arena_free(arena);
    tmp_dir_remove(dir);
    tmp_dir_remove(outside);
}

TestSuite(files_io, .init = setup, .fini = teardown);

Test(files_io, hashes_with_lower_case_hex_sha256)
{
    char hex[65];

    bg_files_sha256_hex(hex, "", 0);
    cr_assert_str_eq(hex, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    bg_files_sha256_hex(hex, "abc", 3);
    cr_assert_str_eq(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

Test(files_io, reads_exact_bytes_including_nul)
{
    struct bg_error err = BG_ERROR_INIT;
    char *out = NULL;
    size_t len = 0;

    put_file(dir, "a.tf", "x\0y\n", 4);
    cr_assert_eq(bg_files_read(&out, &len, arena, dir, "a.tf", &err), 0, "%s", err.msg);
    cr_assert_eq(len, 4);
    cr_assert_eq(memcmp(out, "x\0y\n", 5), 0);
}

Test(files_io, reads_an_empty_file)
{
    struct bg_error err = BG_ERROR_INIT;
    char *out = NULL;
    size_t len = 99;

    put_text(dir, "empty.tf", "");
    cr_assert_eq(bg_files_read(&out, &len, arena, dir, "empty.tf", &err), 0);
    cr_assert_eq(len, 0);
    cr_assert_str_eq(out, "");
}

Test(files_io, refuses_to_read_symlinks_directories_fifos_and_missing_files)
{
    struct bg_error err = BG_ERROR_INIT;
    char *out = NULL, *fifo = path_join(dir, "pipe.tf");
    size_t len = 0;

    put_text(dir, "real.tf", "secret");
    make_link(dir, "link.tf", "real.tf");
    make_dir(dir, "sub.tf");
    cr_assert_eq(mkfifo(fifo, 0644), 0);
    free(fifo);
    cr_expect_eq(bg_files_read(&out, &len, arena, dir, "link.tf", &err), BG_EINVAL);
    cr_expect_not_null(strstr(err.msg, "link.tf is a symlink"), "%s", err.msg);
    cr_expect_eq(bg_files_read(&out, &len, arena, dir, "sub.tf", &err), BG_EINVAL);
    cr_expect_not_null(strstr(err.msg, "not a regular file"), "%s", err.msg);
    cr_expect_eq(bg_files_read(&out, &len, arena, dir, "pipe.tf", &err), BG_EINVAL);
    cr_expect_eq(bg_files_read(&out, &len, arena, dir, "gone.tf", &err), BG_ENOTFOUND);
    cr_expect_eq(bg_files_read(&out, &len, arena, dir, "../x", &err), BG_EINVAL);
    cr_expect_null(out);
}

static void make_sized(const char *name, off_t size)
{
    char *p = path_join(dir, name);
    int fd = open(p, O_WRONLY | O_CREAT | O_TRUNC, 0644);

    /* Sparse: costs no disk however large. */
    cr_assert(fd >= 0 && ftruncate(fd, size) == 0 && close(fd) == 0);
    free(p);
}

Test(files_io, reads_up_to_the_size_limit_and_refuses_beyond)
{
    struct bg_error err = BG_ERROR_INIT;
    char *out = NULL;
    size_t len = 0;

    make_sized("max.tf", BG_FILES_MAX_SIZE);
    make_sized("over.tf", BG_FILES_MAX_SIZE + 1);
    cr_assert_eq(bg_files_read(&out, &len, arena, dir, "max.tf", &err), 0, "%s", err.msg);
    cr_assert_eq(len, BG_FILES_MAX_SIZE);
    cr_assert_eq(bg_files_read(&out, &len, arena, dir, "over.tf", &err), BG_ELIMIT);
}

static void expect_file_in(const char *d, const char *name, const char *want)
{
    size_t len = 0;
    char *got = get_file(d, name, &len);

    cr_expect_not_null(got, "%s missing", name);
    if (got == NULL)
        return;
    cr_expect_eq(len, strlen(want), "%s", name);
    cr_expect_str_eq(got, want, "%s", name);
    free(got);
}

static void expect_file(const char *name, const char *want)
{
    expect_file_in(dir, name, want);
}

Test(files_io, writes_new_and_existing_files_with_mode_0644)
{
    struct bg_error err = BG_ERROR_INIT;
    struct bg_file_write w[] = {
        {"a.tf", "alpha\n", 6, 0}, {"b.tf", "be", 2, 0}, {"c.tf", "", 0, 0}};
    struct stat st;
    char *p = path_join(dir, "a.tf");

    put_text(dir, "b.tf", "old contents of b");
    umask(077); /* the contract says 0644 whatever the umask */
    cr_assert_eq(bg_files_write_all(dir, w, 3, &err), 0, "%s", err.msg);
    expect_file("a.tf", "alpha\n");
    expect_file("b.tf", "be");
    expect_file("c.tf", "");
    cr_assert_eq(stat(p, &st), 0);
    cr_assert_eq(st.st_mode & 07777, 0644);
    cr_assert_eq(count_entries(dir), 3, "temporaries left behind");
    free(p);
}

/* a.tf exists, b.tf is bad, c.tf is new: nothing may change and no temporary may remain. */
static void expect_nothing_written(const char *bad_msg)
{
    struct bg_error err = BG_ERROR_INIT;
    struct bg_file_write w[] = {
        {"a.tf", "new a", 5, 0}, {"b.tf", "new b", 5, 0}, {"c.tf", "c", 1, 0}};
    size_t before = count_entries(dir);

    cr_assert_eq(bg_files_write_all(dir, w, 3, &err), BG_EINVAL);
    cr_expect_not_null(strstr(err.msg, bad_msg), "%s", err.msg);
    expect_file("a.tf", "old a");
    cr_expect_null(get_file(dir, "c.tf", NULL));
    cr_expect_eq(count_entries(dir), before, "temporaries left behind");
}

Test(files_io, refuses_a_symlink_target_before_renaming_anything)
{
    char *target = path_join(outside, "victim");

    put_text(dir, "a.tf", "old a");
    put_text(outside, "victim", "untouched");
    make_link(dir, "b.tf", target);
    expect_nothing_written("b.tf: it is a symlink");
    expect_file_in(outside, "victim", "untouched");
    free(target);
}

Test(files_io, refuses_a_directory_target_before_renaming_anything)
{
    put_text(dir, "a.tf", "old a");
    make_dir(dir, "b.tf");
    expect_nothing_written("b.tf: not a regular file");
}

Test(files_io, removes_every_temporary_when_a_write_fails)
{
    struct bg_error err = BG_ERROR_INIT;
    char big[4096];
    struct bg_file_write w[] = {{"a.tf", "small", 5, 0}, {"b.tf", big, sizeof(big), 0}};
    struct rlimit lim = {1024, 1024};

    /* RLIMIT_FSIZE makes the second temporary's write fail with EFBIG (the signal that
     * would kill us is ignored), after the first temporary was complete. */
    memset(big, 'x', sizeof(big));
    put_text(dir, "a.tf", "old a");
    signal(SIGXFSZ, SIG_IGN);
    cr_assert_eq(setrlimit(RLIMIT_FSIZE, &lim), 0);
    cr_assert_eq(bg_files_write_all(dir, w, 2, &err), BG_EIO);
    cr_expect_not_null(strstr(err.msg, "b.tf"), "%s", err.msg);
    expect_file("a.tf", "old a");
    cr_expect_eq(count_entries(dir), 1, "temporaries left behind");
}

Test(files_io, refuses_duplicate_and_multi_component_names_without_writing)
{
    struct bg_error err = BG_ERROR_INIT;
    struct bg_file_write dup[] = {{"a.tf", "1", 1, 0}, {"a.tf", "2", 1, 0}};
    struct bg_file_write sub[] = {{"../a.tf", "1", 1, 0}};
    struct bg_file_write dot[] = {{"..", "1", 1, 0}};

    cr_expect_eq(bg_files_write_all(dir, dup, 2, &err), BG_EINVAL);
    cr_expect_eq(bg_files_write_all(dir, sub, 1, &err), BG_EINVAL);
    cr_expect_eq(bg_files_write_all(dir, dot, 1, &err), BG_EINVAL);
    cr_expect_eq(count_entries(dir), 0);
}

Test(files_io, writes_nothing_for_an_empty_set)
{
    struct bg_error err = BG_ERROR_INIT;

    cr_assert_eq(bg_files_write_all(dir, NULL, 0, &err), 0, "%s", err.msg);
    cr_assert_eq(count_entries(dir), 0);
}

Test(files_io, removes_listed_files_and_tolerates_missing_ones)
{
    struct bg_error err = BG_ERROR_INIT;
    const char *names[] = {"a.tf", "gone.tf", "b.tf", 0};

    put_text(dir, "a.tf", "a");
    put_text(dir, "b.tf", "b");
    put_text(dir, "keep.tf", "k");
    cr_assert_eq(bg_files_remove_all(dir, names, 3, &err), 0, "%s", err.msg);
    cr_assert_eq(count_entries(dir), 1);
    expect_file("keep.tf", "k");
}

Test(files_io, removes_a_symlink_but_not_its_target)
{
    struct bg_error err = BG_ERROR_INIT;
    const char *names[] = {"link.tf"};
    char *target = path_join(outside, "victim");

    put_text(outside, "victim", "v");
    make_link(dir, "link.tf", target);
    cr_assert_eq(bg_files_remove_all(dir, names, 1, &err), 0, "%s", err.msg);
    cr_assert_eq(count_entries(dir), 0);
    expect_file_in(outside, "victim", "v");
    free(target);
}

Test(files_io, treats_a_missing_directory_as_already_removed_but_refuses_a_subdirectory)
{
    struct bg_error err = BG_ERROR_INIT;
    const char *names[] = {"sub"};
    char *missing = path_join(dir, "missing");

    cr_expect_eq(bg_files_remove_all(missing, names, 1, &err), 0);
    make_dir(dir, "sub");
    cr_expect_eq(bg_files_remove_all(dir, names, 1, &err), BG_EINVAL);
    free(missing);
}
