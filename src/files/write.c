/*
 * write.c - all-or-nothing writes of a set of cluster files.
 *
 * Phase 1 checks every name and target; phase 2 writes each file to a hidden temporary in
 * the same directory (same filesystem, so rename is atomic) and fsyncs it; phase 3 renames
 * them all and fsyncs the directory. Any failure before phase 3 unlinks the temporaries and
 * leaves every target as it was. Temporaries start with "." so discovery never picks them up,
 * and carry the writer's pid (".<name>.bg-<pid>-<16 hex>.tmp") so that the temporaries of a
 * killed writer can be told from those of a running one (bg_files_clean_temps, temps.c).
 *
 * Contents come from a producer called once per file, right before its temporary is written,
 * with an arena freed right after: only one file's bytes are in memory at a time.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h> /* renameat */
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <time.h>
#include <unistd.h>

#include "bluegreen/files.h"
#include "files/internal.h"

#define TEMP_TRIES 64

struct source {
    const struct bg_file_write *files;
    bg_files_produce_fn produce;
    void *ctx;
};

static int check_writes(const struct bg_file_write *files, size_t n, bool in_memory,
                        struct bg_error *err)
{
    size_t i, j;
    int rc;

    if (n > BG_FILES_MAX_COUNT)
        return bg_error_set(err, BG_ELIMIT, "%zu files exceed the limit of %u per cluster", n,
                            BG_FILES_MAX_COUNT);
    for (i = 0; i < n; i++) {
        rc = bg_files__check_name(files[i].name, err);
        if (rc != 0)
            return rc;
        if (in_memory && files[i].len > BG_FILES_MAX_SIZE)
            return bg_error_set(err, BG_ELIMIT, "file %s is larger than the limit of %u bytes",
                                files[i].name, BG_FILES_MAX_SIZE);
        /* Quadratic, but n is at most BG_FILES_MAX_COUNT and names are short. */
        for (j = 0; j < i; j++)
            if (strcmp(files[i].name, files[j].name) == 0)
                return bg_error_set(err, BG_EINVAL, "file %s is listed twice", files[i].name);
    }
    return 0;
}

/* A target may be absent or a regular file; anything else is refused before any write. */
static int check_target(int dfd, const char *dir_abs, const char *name, struct bg_error *err)
{
    struct stat st;

    if (fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW) != 0) {
        if (errno == ENOENT)
            return 0;
        return bg_files__sys_error(err, BG_EIO, errno, "cannot stat %s/%s", dir_abs, name);
    }
    if (S_ISLNK(st.st_mode))
        return bg_error_set(err, BG_EINVAL, "refusing to write %s/%s: it is a symlink", dir_abs,
                            name);
    if (!S_ISREG(st.st_mode))
        return bg_error_set(err, BG_EINVAL, "refusing to write %s/%s: not a regular file", dir_abs,
                            name);
    return 0;
}

static uint64_t random_u64(unsigned attempt)
{
    uint64_t r;

    if (getrandom(&r, sizeof(r), GRND_NONBLOCK) == (ssize_t)sizeof(r))
        return r;
    /* No entropy yet (early boot): O_EXCL still guarantees uniqueness, this only has to make
     * collisions unlikely enough that TEMP_TRIES suffices. */
    return ((uint64_t)getpid() << 32) ^ (uint64_t)time(NULL) ^ (uint64_t)clock() ^
           ((uint64_t)attempt * 0x9e3779b97f4a7c15u) ^ (uint64_t)(uintptr_t)&r;
}

static int write_fully(int fd, const char *data, size_t len)
{
    size_t done = 0;

    while (done < len) {
        ssize_t w = write(fd, data + done, len - done);

        if (w < 0 && errno == EINTR)
            continue;
        if (w < 0)
            return -1;
        done += (size_t)w;
    }
    return 0;
}

/* Creates the temporary with O_EXCL; *out is set as soon as it exists so the caller can
 * unlink it whatever happens next. */
static int create_temp(char **out, int *fd_out, struct bg_arena *a, int dfd, const char *dir_abs,
                       const char *name, struct bg_error *err)
{
    unsigned attempt;
    char *tmp;
    int fd;

    /* Name cut to 200 bytes so the whole stays under NAME_MAX (255). Created 0600 and only
     * given its final mode once complete: a secret never sits world-readable in a temporary. */
    for (attempt = 0; attempt < TEMP_TRIES; attempt++) {
        tmp = bg_arena_printf(a, "." BG_FILES_TEMP_FORMAT, name, (long)getpid(),
                              (unsigned long long)random_u64(attempt));
        fd = openat(dfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
        if (fd >= 0) {
            *out = tmp;
            *fd_out = fd;
            return 0;
        }
        if (errno != EEXIST)
            return bg_files__sys_error(err, BG_EIO, errno, "cannot create a temporary file in %s",
                                       dir_abs);
    }
    return bg_error_set(err, BG_EIO, "cannot create a unique temporary file in %s", dir_abs);
}

static unsigned mode_of(const struct bg_file_write *f)
{
    return f->mode != 0 ? f->mode & 0777u : 0644u;
}

/* The content of file i: the producer's, or the in-memory data. */
static int produce_one(const char **data, size_t *len, struct bg_arena *a, const struct source *src,
                       size_t i, struct bg_error *err)
{
    if (src->produce == NULL) {
        *data = src->files[i].data;
        *len = src->files[i].len;
        return 0;
    }
    *data = NULL;
    *len = 0;
    return src->produce(data, len, a, src->ctx, i, err);
}

static void stamp(int fd, const char *data, size_t len)
{
    char sha[65];

    bg_files_sha256_hex(sha, data, len);
    (void)fsetxattr(fd, BG_FILES_XATTR, sha, 64, 0);
}

static int write_temp(char **out, struct bg_arena *a, int dfd, const char *dir_abs,
                      const struct source *src, size_t i, struct bg_error *err)
{
    const struct bg_file_write *f = &src->files[i];
    struct bg_arena *scratch = bg_arena_new(); /* this file's bytes only */
    const char *data = NULL;
    size_t len = 0;
    int fd = -1, rc;

    rc = produce_one(&data, &len, scratch, src, i, err);
    if (rc == 0 && len > BG_FILES_MAX_SIZE)
        rc = bg_error_set(err, BG_ELIMIT, "file %s is larger than the limit of %u bytes", f->name,
                          BG_FILES_MAX_SIZE);
    if (rc == 0)
        rc = create_temp(out, &fd, a, dfd, dir_abs, f->name, err);
    if (rc != 0)
        goto done;
    /* fchmod: the mode asked for whatever the umask, set before the fsync makes it durable.
     * The stamp is best effort (filesystems without user xattrs): it is extra evidence of
     * authorship for a copy whose records a killed apply lost (bg_file_info). */
    stamp(fd, data, len);
    if (write_fully(fd, data, len) != 0 || fchmod(fd, mode_of(f)) != 0 || fsync(fd) != 0)
        rc = bg_files__sys_error(err, BG_EIO, errno, "cannot write a temporary file for %s/%s",
                                 dir_abs, f->name);
    /* close can report a delayed write error (NFS); it counts as a failed write. */
    if (close(fd) != 0 && rc == 0)
        rc = bg_files__sys_error(err, BG_EIO, errno, "cannot write a temporary file for %s/%s",
                                 dir_abs, f->name);
done:
    bg_arena_free(scratch);
    return rc;
}

/* Phase 3. *renamed counts the temporaries that became targets (and so need no unlink). */
static int rename_all(size_t *renamed, int dfd, const char *dir_abs, char **temps,
                      const struct bg_file_write *files, size_t n, struct bg_error *err)
{
    for (*renamed = 0; *renamed < n; (*renamed)++) {
        const char *name = files[*renamed].name;

        /* rename replaces a symlink that appeared since check_target, it never follows it. */
        if (renameat(dfd, temps[*renamed], dfd, name) != 0)
            return bg_files__sys_error(err, BG_EIO, errno,
                                       "cannot replace %s/%s (%zu of %zu files already written)",
                                       dir_abs, name, *renamed, n);
    }
    if (fsync(dfd) != 0 && errno != EINVAL)
        return bg_files__sys_error(err, BG_EIO, errno, "cannot sync directory %s", dir_abs);
    return 0;
}

static int write_phases(int dfd, struct bg_arena *a, const char *dir_abs, const struct source *src,
                        size_t n, struct bg_error *err)
{
    const struct bg_file_write *files = src->files;
    char **temps = bg_arena_calloc(a, n, sizeof(*temps));
    size_t i, made = 0, renamed = 0;
    int rc = 0;

    for (i = 0; i < n && rc == 0; i++)
        rc = check_target(dfd, dir_abs, files[i].name, err);
    for (i = 0; i < n && rc == 0; i++) {
        rc = write_temp(&temps[i], a, dfd, dir_abs, src, i, err);
        made = temps[i] != NULL ? i + 1 : i;
    }
    if (rc == 0)
        rc = rename_all(&renamed, dfd, dir_abs, temps, files, n, err);
    /* Temporaries not renamed are ours alone; the targets' fate was decided above. */
    for (i = renamed; i < made; i++)
        unlinkat(dfd, temps[i], 0);
    return rc;
}

static int write_all(const char *dir_abs, const struct source *src, size_t n, struct bg_error *err)
{
    struct bg_arena *a = NULL;
    int dfd = -1, rc;

    rc = check_writes(src->files, n, src->produce == NULL, err);
    if (rc == 0)
        rc = bg_files__open_dir(&dfd, dir_abs, err);
    if (rc != 0)
        return rc;
    a = bg_arena_new(); /* the signature has no arena: temporary names live in our own */
    rc = write_phases(dfd, a, dir_abs, src, n, err);
    bg_arena_free(a);
    close(dfd);
    return rc;
}

int bg_files_write_all(const char *dir_abs, const struct bg_file_write *files, size_t n,
                       struct bg_error *err)
{
    struct source src = {files, NULL, NULL};

    return write_all(dir_abs, &src, n, err);
}

int bg_files_write_all_from(const char *dir_abs, const struct bg_file_write *files, size_t n,
                            bg_files_produce_fn produce, void *ctx, struct bg_error *err)
{
    struct source src = {files, produce, ctx};

    return write_all(dir_abs, &src, n, err);
}
