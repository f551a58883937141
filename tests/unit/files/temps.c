/* temps.c - tests for src/files/temps.c, the mode and producer parts of write.c, streamed
 * hashing (hash.c, io.c) and the UTF-8 helpers of util.c. */
#include <criterion/criterion.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bluegreen/files.h"
#include "helpers.h"

static char *dir;

static void setup(void)
{
    dir = tmp_dir_new();
}

static void teardown(void)
{
    tmp_dir_remove(dir);
}

TestSuite(files_temps, .init = setup, .fini = teardown);

static unsigned mode_of(const char *name)
{
    char *p = path_join(dir, name);
    struct stat st;

    cr_assert_eq(stat(p, &st), 0, "%s", name);
    free(p);
    return (unsigned)st.st_mode & 07777;
}

/* Lists the hidden entries of dir, to find temporaries. */
static size_t count_hidden(void)
{
    char cmd[512];
    FILE *f;
    size_t n = 0;
    int c;

    snprintf(cmd, sizeof(cmd), "ls -A '%s' | grep '^\\.' ", dir);
    f = popen(cmd, "r");
    cr_assert_not_null(f);
    while ((c = fgetc(f)) != EOF)
        n += c == '\n';
    pclose(f);
    return n;
}

Test(files_temps, writes_each_file_with_the_mode_asked_for_whatever_the_umask)
{
    struct bg_error err = BG_ERROR_INIT;
    struct bg_file_write w[] = {
        {"secret.tf", "s", 1, 0600}, {"group.tf", "g", 1, 0640}, {"plain.tf", "p", 1, 0}};
    char *p;

    umask(0);
    cr_assert_eq(bg_files_write_all(dir, w, 3, &err), 0, "%s", err.msg);
    cr_expect_eq(mode_of("secret.tf"), 0600);
    cr_expect_eq(mode_of("group.tf"), 0640);
    cr_expect_eq(mode_of("plain.tf"), 0644);
    put_text(dir, "secret.tf", "old");
    p = path_join(dir, "secret.tf");
    chmod(p, 0644);
    free(p);
    cr_assert_eq(bg_files_write_all(dir, w, 1, &err), 0, "%s", err.msg);
    cr_expect_eq(mode_of("secret.tf"), 0600, "a rewrite gets the mode asked for");
}

struct counter {
    int calls;
    int fail_at;
};

static int produce(const char **data, size_t *len, struct bg_arena *a, void *ctx, size_t i,
                   struct bg_error *err)
{
    struct counter *c = ctx;

    c->calls++;
    if ((int)i == c->fail_at)
        return bg_error_set(err, BG_ECONFLICT, "source %zu changed", i);
    *data = bg_arena_printf(a, "content %zu\n", i);
    *len = strlen(*data);
    return 0;
}

Test(files_temps, producer_is_called_once_per_file_and_its_bytes_are_written)
{
    struct bg_error err = BG_ERROR_INIT;
    struct bg_file_write w[] = {{"a.tf", NULL, 0, 0}, {"b.tf", NULL, 0, 0600}};
    struct counter c = {0, -1};
    char *got;

    cr_assert_eq(bg_files_write_all_from(dir, w, 2, produce, &c, &err), 0, "%s", err.msg);
    cr_expect_eq(c.calls, 2);
    got = get_file(dir, "b.tf", NULL);
    cr_expect_str_eq(got, "content 1\n");
    free(got);
    cr_expect_eq(mode_of("b.tf"), 0600);
    cr_expect_eq(count_entries(dir), 2, "temporaries left behind");
}

Test(files_temps, producer_error_writes_nothing_and_leaves_no_temporary)
{
    struct bg_error err = BG_ERROR_INIT;
    struct bg_file_write w[] = {{"a.tf", NULL, 0, 0}, {"b.tf", NULL, 0, 0}};
    struct counter c = {0, 1};

    char *got;

    put_text(dir, "a.tf", "old a");
    cr_assert_eq(bg_files_write_all_from(dir, w, 2, produce, &c, &err), BG_ECONFLICT);
    cr_expect_not_null(strstr(err.msg, "source 1 changed"), "%s", err.msg);
    got = get_file(dir, "a.tf", NULL);
    cr_expect_str_eq(got, "old a");
    free(got);
    cr_expect_eq(count_entries(dir), 1);
}

Test(files_temps, hashes_a_file_in_chunks_like_the_buffer_hash)
{
    struct bg_error err = BG_ERROR_INIT;
    struct bg_file_info info;
    size_t n = 300 * 1024 + 7, i;
    char *big = malloc(n), *p = path_join(dir, "big.tf"), a[65], b[65];

    for (i = 0; i < n; i++)
        big[i] = (char)(i * 31 + 7);
    put_file(dir, "big.tf", big, n);
    chmod(p, 0640);
    free(p);
    cr_assert_eq(bg_files_hash(a, &info, dir, "big.tf", &err), 0, "%s", err.msg);
    bg_files_sha256_hex(b, big, n);
    cr_expect_str_eq(a, b);
    cr_expect_eq(info.mode, 0640);
    cr_expect_eq(info.nlink, 1);
    cr_expect_eq(info.size, n);
    cr_expect_eq(bg_files_hash(a, NULL, dir, "gone.tf", &err), BG_ENOTFOUND);
    free(big);
}

Test(files_temps, counts_hard_links_of_a_file_read)
{
    struct bg_error err = BG_ERROR_INIT;
    struct bg_arena *a = bg_arena_new();
    struct bg_file_info info;
    char *p = path_join(dir, "one.tf"), *q = path_join(dir, "two.tf"), *out = NULL;
    size_t len = 0;

    put_text(dir, "one.tf", "x");
    cr_assert_eq(link(p, q), 0);
    cr_assert_eq(bg_files_read_info(&out, &len, &info, a, dir, "one.tf", &err), 0, "%s", err.msg);
    cr_expect_eq(info.nlink, 2);
    cr_assert_eq(bg_files_stat(&info, dir, "two.tf", &err), 0, "%s", err.msg);
    cr_expect_eq(info.nlink, 2);
    cr_expect_eq(bg_files_stat(&info, dir, "three.tf", &err), BG_ENOTFOUND);
    bg_arena_free(a);
    free(p);
    free(q);
}

Test(files_temps, recognises_temporary_names_and_their_writer)
{
    long pid = -1;
    size_t len = 0;

    cr_expect(bg_files_is_temp(".aws-prod-knife.tf.bg-1234-0123456789abcdef.tmp", &pid, &len));
    cr_expect_eq(pid, 1234);
    cr_expect_eq(len, strlen("aws-prod-knife.tf"));
    cr_expect(bg_files_is_temp(".a.tf.bg-0123456789abcdef", &pid, &len), "earlier form");
    cr_expect_eq(pid, 0);
    cr_expect_not(bg_files_is_temp("aws.tf.bg-1-0123456789abcdef.tmp", NULL, NULL), "not hidden");
    cr_expect_not(bg_files_is_temp(".a.tf.bg-1-0123456789abcdeg.tmp", NULL, NULL), "not hex");
    cr_expect_not(bg_files_is_temp(".a.tf.bg-x-0123456789abcdef.tmp", NULL, NULL), "no pid");
    cr_expect_not(bg_files_is_temp(".a.tf.bg-1-0123456789abcdef", NULL, NULL), "no .tmp");
    cr_expect_not(bg_files_is_temp(".bg-1-0123456789abcdef.tmp", NULL, NULL), "no file");
    cr_expect_not(bg_files_is_temp(".gitignore", NULL, NULL));
}

/* A pid that no process has: a child that already exited and was reaped. */
static long dead_pid(void)
{
    pid_t p = fork();

    if (p == 0)
        _exit(0);
    waitpid(p, NULL, 0);
    return (long)p;
}

Test(files_temps, removes_only_the_pairs_temporaries_whose_writer_is_gone)
{
    struct bg_error err = BG_ERROR_INIT;
    const char *clusters[] = {"aws-prod-spoon", "aws-prod-knife"};
    char dead[128], live[128], other[128];
    size_t removed = 0;

    snprintf(dead, sizeof(dead), ".aws-prod-knife.tf.bg-%ld-0123456789abcdef.tmp", dead_pid());
    snprintf(live, sizeof(live), ".aws-prod-knife.tf.bg-%ld-0123456789abcdef.tmp", (long)getppid());
    snprintf(other, sizeof(other), ".aws-stage-knife.tf.bg-%ld-0123456789abcdef.tmp", dead_pid());
    put_text(dir, dead, "x");
    put_text(dir, live, "x");
    put_text(dir, other, "x");
    put_text(dir, ".aws-prod-spoon.tf.bg-00112233445566ff", "x");
    put_text(dir, ".aws-prod-knife.tf.swp", "x");
    put_text(dir, "aws-prod-knife.tf", "x");
    cr_assert_eq(bg_files_clean_temps(&removed, dir, clusters, 2, &err), 0, "%s", err.msg);
    cr_expect_eq(removed, 2);
    cr_expect_null(get_file(dir, dead, NULL));
    cr_expect_eq(count_hidden(), 3, "running writer, other pair and the editor file stay");
    cr_expect_eq(count_entries(dir), 4);
}

Test(files_temps, checks_utf8_strictly)
{
    static const struct {
        const char *s;
        bool ok;
    } cases[] = {
        {"aws-prod-spoon.tf", true}, {"caf\xc3\xa9.tf", true},
        {"\xe2\x82\xac", true},      {"\xf0\x9f\x98\x80", true},
        {"caf\xe9.tf", false},       {"\xc0\xaf", false},
        {"\xed\xa0\x80", false},     {"\xf4\x90\x80\x80", false},
        {"\xe2\x82", false},         {"\xff", false},
    };
    size_t i;

    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
        cr_expect_eq(bg_files_utf8_valid(cases[i].s, strlen(cases[i].s)), cases[i].ok, "case %zu",
                     i);
}

Test(files_temps, escapes_what_is_not_utf8_and_control_characters)
{
    struct bg_arena *a = bg_arena_new();

    cr_expect_str_eq(bg_files_escape(a, "caf\xe9.tf"), "caf\\xe9.tf");
    cr_expect_str_eq(bg_files_escape(a, "caf\xc3\xa9.tf"), "caf\xc3\xa9.tf");
    cr_expect_str_eq(bg_files_escape(a, "a\nb\\c"), "a\\x0ab\\x5cc");
    cr_expect(bg_files_utf8_valid(bg_files_escape(a, "\xff\xfe"), 8));
    bg_arena_free(a);
}
