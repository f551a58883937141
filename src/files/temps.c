/*
 * temps.c - recognising and removing the temporary files of a killed writer.
 *
 * bg_files_write_all writes ".<file>.bg-<pid>-<16 hex>.tmp" next to each target and renames
 * it over the target once every temporary is complete. A SIGKILL before the renames leaves
 * the temporaries behind; they are hidden (so discovery never takes them for cluster files)
 * but they are litter, and a file of secrets could linger in them. The next plan or apply of
 * the pair removes those whose writer is gone. A writer that still runs (another apply of
 * this provider, or another terraform on the same checkout) keeps its own.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bluegreen/files.h"
#include "files/internal.h"

static bool all_of(const char *s, size_t n, const char *set)
{
    size_t i;

    for (i = 0; i < n; i++) {
        if (s[i] == '\0' || strchr(set, s[i]) == NULL)
            return false;
    }
    return true;
}

static const char *find_last(const char *s, const char *needle)
{
    const char *hit = NULL, *p = s;

    while ((p = strstr(p, needle)) != NULL)
        hit = p++;
    return hit;
}

bool bg_files_is_temp(const char *name, long *pid, size_t *file_len)
{
    static const char digits[] = "0123456789", hex[] = "0123456789abcdef";
    size_t n = strlen(name), tail;
    const char *bg = find_last(name, ".bg-"), *t, *dash;

    if (name[0] != '.' || bg == NULL || bg <= name + 1)
        return false;
    t = bg + 4;
    tail = n - (size_t)(t - name);
    if (pid != NULL)
        *pid = 0;
    if (file_len != NULL)
        *file_len = (size_t)(bg - name - 1);
    if (tail == 16 && all_of(t, 16, hex))
        return true; /* ".<file>.bg-<16 hex>", written by earlier versions */
    dash = strchr(t, '-');
    if (dash == NULL || dash == t || dash - t > 10 || !all_of(t, (size_t)(dash - t), digits) ||
        strlen(dash + 1) != 20 || !all_of(dash + 1, 16, hex) || strcmp(dash + 17, ".tmp") != 0)
        return false;
    if (pid != NULL)
        *pid = strtol(t, NULL, 10);
    return true;
}

/* A writer is gone when no process has its pid; EPERM means one exists (not ours to signal). */
static bool writer_running(long pid)
{
    if (pid <= 0)
        return false;
    if (pid == (long)getpid())
        return true;
    return kill((pid_t)pid, 0) == 0 || errno == EPERM;
}

static bool of_clusters(const char *file, size_t len, const char *const *clusters, size_t n)
{
    size_t i;

    for (i = 0; i < n; i++) {
        if (bg_files_has_token(file, len, clusters[i]))
            return true;
    }
    return false;
}

int bg_files__remove_temp(size_t *removed, int dfd, const char *name, const char *dir_abs,
                          const char *const *clusters, size_t n, struct bg_error *err)
{
    size_t file_len;
    long pid;

    if (!bg_files_is_temp(name, &pid, &file_len) || !of_clusters(name + 1, file_len, clusters, n) ||
        writer_running(pid))
        return 0;
    /* unlinkat never follows a symlink, and refuses a directory (flag 0). */
    if (unlinkat(dfd, name, 0) == 0)
        (*removed)++;
    else if (errno != ENOENT && errno != EISDIR)
        return bg_files__sys_error(err, BG_EIO, errno, "cannot remove %s/%s", dir_abs, name);
    return 0;
}

static int sweep(size_t *removed, DIR *d, const char *dir_abs, const char *const *clusters,
                 size_t n, struct bg_error *err)
{
    struct dirent *de;
    int rc = 0;

    for (errno = 0; rc == 0 && (de = readdir(d)) != NULL; errno = 0)
        rc = bg_files__remove_temp(removed, dirfd(d), de->d_name, dir_abs, clusters, n, err);
    if (rc == 0 && errno != 0)
        return bg_files__sys_error(err, BG_EIO, errno, "cannot list directory %s", dir_abs);
    return rc;
}

int bg_files_clean_temps(size_t *removed, const char *dir_abs, const char *const *clusters,
                         size_t n, struct bg_error *err)
{
    size_t count = 0;
    DIR *d;
    int dfd, rc;

    if (removed != NULL)
        *removed = 0;
    rc = bg_files__open_dir(&dfd, dir_abs, err);
    if (rc != 0)
        return rc;
    d = fdopendir(dfd);
    if (d == NULL) {
        rc = bg_files__sys_error(err, BG_EIO, errno, "cannot list directory %s", dir_abs);
        close(dfd);
        return rc;
    }
    rc = sweep(&count, d, dir_abs, clusters, n, err);
    closedir(d);
    if (removed != NULL)
        *removed = count;
    return rc;
}
