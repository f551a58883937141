/* util.c - error formatting, name checks and directory opening shared by src/files. */
#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "files/internal.h"

int bg_files__sys_error(struct bg_error *err, int code, int e, const char *fmt, ...)
{
    char what[384], ebuf[128];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(what, sizeof(what), fmt, ap);
    va_end(ap);
    /* GNU strerror_r (we build with _GNU_SOURCE): strerror itself is not thread safe. */
    return bg_error_set(err, code, "%s: %s", what, strerror_r(e, ebuf, sizeof(ebuf)));
}

int bg_files__check_name(const char *name, struct bg_error *err)
{
    if (name == NULL || name[0] == '\0')
        return bg_error_set(err, BG_EINVAL, "file name must not be empty");
    if (strchr(name, '/') != NULL || strcmp(name, ".") == 0 || strcmp(name, "..") == 0)
        return bg_error_set(err, BG_EINVAL, "file name \"%s\" is not a single path component",
                            name);
    return 0;
}

/* openat2 with RESOLVE_NO_SYMLINKS refuses a symlink anywhere in the path; dir_abs is
 * canonical, so a symlink there means someone swapped a component after resolution. */
static int open_no_symlinks(const char *dir_abs)
{
    struct open_how how = {
        .flags = O_RDONLY | O_DIRECTORY | O_CLOEXEC,
        .resolve = RESOLVE_NO_SYMLINKS,
    };
    long fd = syscall(SYS_openat2, AT_FDCWD, dir_abs, &how, sizeof(how));

    /* Old kernels (ENOSYS) and some seccomp profiles (EPERM) lack openat2: fall back to
     * refusing a symlink in the last component only. */
    if (fd < 0 && (errno == ENOSYS || errno == EPERM))
        fd = open(dir_abs, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
    return (int)fd;
}

int bg_files__open_dir(int *out, const char *dir_abs, struct bg_error *err)
{
    int fd = open_no_symlinks(dir_abs);
    int e = errno;
    struct stat st;

    *out = -1;
    if (fd >= 0) {
        *out = fd;
        return 0;
    }
    if (e == ENOENT)
        return bg_error_set(err, BG_ENOTFOUND, "directory %s does not exist", dir_abs);
    /* The O_NOFOLLOW fallback reports a symlinked last component as ENOTDIR. */
    if (e == ENOTDIR && lstat(dir_abs, &st) == 0 && S_ISLNK(st.st_mode))
        e = ELOOP;
    if (e == ENOTDIR)
        return bg_error_set(err, BG_EINVAL, "%s is not a directory", dir_abs);
    if (e == ELOOP)
        return bg_error_set(err, BG_EINVAL, "directory %s is reached through a symlink", dir_abs);
    return bg_files__sys_error(err, BG_EIO, e, "cannot open directory %s", dir_abs);
}
