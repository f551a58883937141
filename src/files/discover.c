/* discover.c - finding a cluster's files by the naming convention (see files.h). */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bluegreen/files.h"
#include "files/internal.h"

static int cmp_names(const void *x, const void *y)
{
    return strcmp(*(char *const *)x, *(char *const *)y);
}

/* Name-only filter, cheap enough to run before any stat. */
static bool wanted_name(const char *name, const char *cluster)
{
    size_t len = strlen(name);

    if (name[0] == '.' || name[len - 1] == '~')
        return false;
    return bg_files_has_token(name, len, cluster);
}

/* 1 for a regular file, 0 to skip (symlink, directory, vanished since readdir), <0 error. */
static int is_regular(int dfd, const char *dir_abs, const char *name, struct bg_error *err)
{
    struct stat st;

    if (fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW) != 0) {
        if (errno == ENOENT)
            return 0;
        return bg_files__sys_error(err, BG_EIO, errno, "cannot stat %s/%s", dir_abs, name);
    }
    return S_ISREG(st.st_mode) ? 1 : 0;
}

static int scan(struct bg_file_list *out, struct bg_arena *a, DIR *d, const char *dir_abs,
                const char *cluster, struct bg_error *err)
{
    struct dirent *de;
    int rc;

    out->names = bg_arena_calloc(a, BG_FILES_MAX_COUNT, sizeof(char *));
    out->len = 0;
    for (errno = 0; (de = readdir(d)) != NULL; errno = 0) {
        if (!wanted_name(de->d_name, cluster))
            continue;
        rc = is_regular(dirfd(d), dir_abs, de->d_name, err);
        if (rc < 0)
            return rc;
        if (rc == 0)
            continue;
        if (out->len == BG_FILES_MAX_COUNT)
            return bg_error_set(err, BG_ELIMIT, "more than %u files of cluster %s in %s",
                                BG_FILES_MAX_COUNT, cluster, dir_abs);
        out->names[out->len++] = bg_arena_strdup(a, de->d_name);
    }
    if (errno != 0)
        return bg_files__sys_error(err, BG_EIO, errno, "cannot list directory %s", dir_abs);
    return 0;
}

int bg_files_discover(struct bg_file_list *out, struct bg_arena *a, const char *dir_abs,
                      const char *cluster, struct bg_error *err)
{
    DIR *d;
    int dfd, rc;

    out->names = NULL;
    out->len = 0;
    if (cluster == NULL || cluster[0] == '\0')
        return bg_error_set(err, BG_EINVAL, "cluster name must not be empty");
    rc = bg_files__open_dir(&dfd, dir_abs, err);
    if (rc != 0)
        return rc;
    d = fdopendir(dfd);
    if (d == NULL) {
        rc = bg_files__sys_error(err, BG_EIO, errno, "cannot list directory %s", dir_abs);
        close(dfd);
        return rc;
    }
    rc = scan(out, a, d, dir_abs, cluster, err);
    closedir(d); /* also closes dfd */
    if (rc != 0) {
        out->len = 0;
        return rc;
    }
    qsort(out->names, out->len, sizeof(char *), cmp_names);
    return 0;
}
