/*
 * io.c - reading and removing cluster files. Every operation goes through a directory fd
 * opened once, so the checked directory cannot be swapped between two steps, and no file
 * name is ever resolved through a symlink.
 */
#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "bluegreen/files.h"
#include "files/internal.h"

static int open_error(struct bg_error *err, int e, const char *dir_abs, const char *name)
{
    if (e == ENOENT)
        return bg_error_set(err, BG_ENOTFOUND, "file %s/%s does not exist", dir_abs, name);
    /* O_NOFOLLOW reports a symlink as ELOOP; sockets report ENXIO. */
    if (e == ELOOP)
        return bg_error_set(err, BG_EINVAL, "file %s/%s is a symlink", dir_abs, name);
    if (e == ENXIO)
        return bg_error_set(err, BG_EINVAL, "%s/%s is not a regular file", dir_abs, name);
    return bg_files__sys_error(err, BG_EIO, e, "cannot open %s/%s", dir_abs, name);
}

static int read_fully(char **out, size_t *out_len, struct bg_arena *a, int fd, size_t size,
                      const char *dir_abs, const char *name, struct bg_error *err)
{
    char *buf = bg_arena_alloc(a, size + 1);
    size_t got = 0;

    /* A file that shrinks while we read is returned as it was at the end; one that grows
     * is cut at the size fstat saw. Either way the hash describes the bytes returned. */
    while (got < size) {
        ssize_t r = read(fd, buf + got, size - got);

        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0)
            return bg_files__sys_error(err, BG_EIO, errno, "cannot read %s/%s", dir_abs, name);
        if (r == 0)
            break;
        got += (size_t)r;
    }
    buf[got] = '\0';
    *out = buf;
    *out_len = got;
    return 0;
}

/* Checks the opened fd, not the name, so nothing can change between check and read. */
static int check_fd(struct bg_file_info *info, int fd, const char *dir_abs, const char *name,
                    struct bg_error *err)
{
    struct stat st;

    if (fstat(fd, &st) != 0)
        return bg_files__sys_error(err, BG_EIO, errno, "cannot stat %s/%s", dir_abs, name);
    if (!S_ISREG(st.st_mode))
        return bg_error_set(err, BG_EINVAL, "%s/%s is not a regular file", dir_abs, name);
    if ((unsigned long long)st.st_size > BG_FILES_MAX_SIZE)
        return bg_error_set(err, BG_ELIMIT, "file %s/%s is larger than the limit of %u bytes",
                            dir_abs, name, BG_FILES_MAX_SIZE);
    info->mode = (unsigned)st.st_mode & 0777u;
    info->nlink = (unsigned long)st.st_nlink;
    info->size = (unsigned long long)st.st_size;
    info->written_sha[0] = '\0';
    return 0;
}

/* The stamp write.c leaves; anything but 64 bytes (absent, unsupported, foreign) is none. */
static void read_stamp(struct bg_file_info *info, int fd)
{
    ssize_t n = fgetxattr(fd, BG_FILES_XATTR, info->written_sha, 64);

    info->written_sha[n == 64 ? 64 : 0] = '\0';
}

/* Opens dir_abs/name for reading, never through a symlink; *fd is -1 on failure. */
static int open_file(int *fd, const char *dir_abs, const char *name, struct bg_error *err)
{
    int dfd = -1, rc;

    *fd = -1;
    rc = bg_files__check_name(name, err);
    if (rc == 0)
        rc = bg_files__open_dir(&dfd, dir_abs, err);
    if (rc != 0)
        return rc;
    /* O_NONBLOCK: opening a FIFO for reading would otherwise wait for a writer forever. */
    *fd = openat(dfd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
    if (*fd < 0)
        rc = open_error(err, errno, dir_abs, name);
    close(dfd);
    return rc;
}

int bg_files_read_info(char **out, size_t *out_len, struct bg_file_info *info, struct bg_arena *a,
                       const char *dir_abs, const char *name, struct bg_error *err)
{
    struct bg_file_info scratch;
    int fd = -1, rc;

    rc = open_file(&fd, dir_abs, name, err);
    if (rc == 0)
        rc = check_fd(info != NULL ? info : &scratch, fd, dir_abs, name, err);
    if (rc == 0)
        rc = read_fully(out, out_len, a, fd, (size_t)(info != NULL ? info : &scratch)->size,
                        dir_abs, name, err);
    if (fd >= 0)
        close(fd);
    return rc;
}

int bg_files_read(char **out, size_t *out_len, struct bg_arena *a, const char *dir_abs,
                  const char *name, struct bg_error *err)
{
    return bg_files_read_info(out, out_len, NULL, a, dir_abs, name, err);
}

int bg_files_hash(char out[65], struct bg_file_info *info, const char *dir_abs, const char *name,
                  struct bg_error *err)
{
    struct bg_file_info scratch;
    int fd = -1, rc;

    rc = open_file(&fd, dir_abs, name, err);
    if (rc == 0)
        rc = check_fd(info != NULL ? info : &scratch, fd, dir_abs, name, err);
    if (rc == 0)
        read_stamp(info != NULL ? info : &scratch, fd);
    if (rc == 0)
        rc = bg_files__sha256_fd(out, fd, BG_FILES_MAX_SIZE, dir_abs, name, err);
    if (fd >= 0)
        close(fd);
    return rc;
}

static int remove_one(int dfd, const char *dir_abs, const char *name, struct bg_error *err)
{
    int rc = bg_files__check_name(name, err);

    if (rc != 0)
        return rc;
    /* unlinkat never follows a symlink: the link goes, its target stays. */
    if (unlinkat(dfd, name, 0) == 0 || errno == ENOENT)
        return 0;
    if (errno == EISDIR)
        return bg_error_set(err, BG_EINVAL, "%s/%s is a directory", dir_abs, name);
    return bg_files__sys_error(err, BG_EIO, errno, "cannot remove %s/%s", dir_abs, name);
}

int bg_files_remove_all(const char *dir_abs, const char *const *names, size_t n,
                        struct bg_error *err)
{
    int dfd = -1, rc;
    size_t i;

    rc = bg_files__open_dir(&dfd, dir_abs, err);
    if (rc == BG_ENOTFOUND) {
        /* The directory is gone, so are its files: deleting what is gone succeeds. */
        bg_error_clear(err);
        return 0;
    }
    if (rc != 0)
        return rc;
    for (i = 0; i < n && rc == 0; i++)
        rc = remove_one(dfd, dir_abs, names[i], err);
    /* Make the removals durable; a filesystem that cannot sync directories says EINVAL. */
    if (rc == 0 && fsync(dfd) != 0 && errno != EINVAL)
        rc = bg_files__sys_error(err, BG_EIO, errno, "cannot sync directory %s", dir_abs);
    close(dfd);
    return rc;
}

int bg_files_stat(struct bg_file_info *out, const char *dir_abs, const char *name,
                  struct bg_error *err)
{
    struct stat st;
    int dfd = -1, rc;

    rc = bg_files__check_name(name, err);
    if (rc == 0)
        rc = bg_files__open_dir(&dfd, dir_abs, err);
    if (rc != 0)
        return rc;
    if (fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW) != 0)
        rc = errno == ENOENT
                 ? bg_error_set(err, BG_ENOTFOUND, "file %s/%s does not exist", dir_abs, name)
                 : bg_files__sys_error(err, BG_EIO, errno, "cannot stat %s/%s", dir_abs, name);
    else if (!S_ISREG(st.st_mode))
        rc = bg_error_set(err, BG_EINVAL, "%s/%s is not a regular file", dir_abs, name);
    close(dfd);
    if (rc == 0) {
        out->mode = (unsigned)st.st_mode & 0777u;
        out->nlink = (unsigned long)st.st_nlink;
        out->size = (unsigned long long)st.st_size;
        out->written_sha[0] = '\0';
    }
    return rc;
}
