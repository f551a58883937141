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

#include "bluegreen/files.h"
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

/* Length of the well-formed UTF-8 sequence at s[0..n), 0 when there is none (RFC 3629's
 * table: no overlong forms, no surrogates, nothing past U+10FFFF). */
static size_t utf8_seq(const unsigned char *s, size_t n)
{
    size_t len, i;
    unsigned char lo = 0x80, hi = 0xbf;

    if (s[0] < 0x80)
        return 1;
    if (s[0] >= 0xc2 && s[0] <= 0xdf)
        len = 2;
    else if (s[0] >= 0xe0 && s[0] <= 0xef)
        len = 3;
    else if (s[0] >= 0xf0 && s[0] <= 0xf4)
        len = 4;
    else
        return 0;
    if (len > n)
        return 0;
    if (s[0] == 0xe0)
        lo = 0xa0;
    else if (s[0] == 0xed)
        hi = 0x9f;
    else if (s[0] == 0xf0)
        lo = 0x90;
    else if (s[0] == 0xf4)
        hi = 0x8f;
    if (s[1] < lo || s[1] > hi)
        return 0;
    for (i = 2; i < len; i++) {
        if (s[i] < 0x80 || s[i] > 0xbf)
            return 0;
    }
    return len;
}

bool bg_files_utf8_valid(const char *s, size_t n)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t i = 0, k;

    while (i < n) {
        k = utf8_seq(p + i, n - i);
        if (k == 0)
            return false;
        i += k;
    }
    return true;
}

char *bg_files_escape(struct bg_arena *a, const char *s)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t n = strlen(s), i = 0, o = 0, k;
    char *out = bg_arena_alloc(a, 4 * n + 1); /* "\xNN" is the longest form of a byte */

    while (i < n) {
        k = utf8_seq(p + i, n - i);
        if (k == 0 || p[i] < 0x20 || p[i] == 0x7f || p[i] == '\\') {
            snprintf(out + o, 5, "\\x%02x", p[i]);
            o += 4;
            i++;
            continue;
        }
        memcpy(out + o, p + i, k);
        o += k;
        i += k;
    }
    out[o] = '\0';
    return out;
}
