/*
 * paths.c - the repository root and the containment check that keeps every file operation
 * inside it. Paths are canonicalised with realpath(3), so ".." and symlinks are judged by
 * where they really lead, not by how they are spelled.
 */
#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "bluegreen/files.h"
#include "files/internal.h"

/* realpath into the arena, with errno mapped the same way for every caller. */
static int canonical(char **out, struct bg_arena *a, const char *path, const char *what,
                     struct bg_error *err)
{
    char buf[PATH_MAX];
    int e;

    if (realpath(path, buf) != NULL) {
        *out = bg_arena_strdup(a, buf);
        return 0;
    }
    e = errno;
    if (e == ENOENT)
        return bg_error_set(err, BG_ENOTFOUND, "%s \"%s\" does not exist", what, path);
    if (e == ENOTDIR)
        return bg_error_set(err, BG_EINVAL, "%s \"%s\" is not a directory", what, path);
    return bg_files__sys_error(err, BG_EIO, e, "cannot resolve %s \"%s\"", what, path);
}

static int require_dir(const char *abs, const char *what, const char *spelled, struct bg_error *err)
{
    struct stat st;

    if (stat(abs, &st) != 0)
        return bg_files__sys_error(err, BG_EIO, errno, "cannot stat %s \"%s\"", what, spelled);
    if (!S_ISDIR(st.st_mode))
        return bg_error_set(err, BG_EINVAL, "%s \"%s\" is not a directory", what, spelled);
    return 0;
}

static int canonical_dir(char **out, struct bg_arena *a, const char *path, const char *what,
                         struct bg_error *err)
{
    char *abs;
    int rc = canonical(&abs, a, path, what, err);

    if (rc == 0)
        rc = require_dir(abs, what, path, err);
    if (rc == 0)
        *out = abs; /* only on success: callers may rely on out staying untouched */
    return rc;
}

/* Nearest ancestor of cwd (itself included) holding a ".git" entry of any type: a worktree
 * or submodule has a ".git" file rather than a directory. NULL when there is none. */
static char *git_ancestor(struct bg_arena *a, const char *cwd)
{
    size_t len = strcmp(cwd, "/") == 0 ? 0 : strlen(cwd);
    struct stat st;

    for (;;) {
        /* len == 0 stands for "/", so the probe is "/.git" rather than "//.git". */
        char *probe = bg_arena_printf(a, "%.*s/.git", (int)len, cwd);

        if (lstat(probe, &st) == 0)
            return len == 0 ? bg_arena_strdup(a, "/") : bg_arena_strndup(a, cwd, len);
        if (len == 0)
            return NULL;
        while (len > 0 && cwd[len - 1] != '/')
            len--;
        if (len > 0)
            len--; /* drop the slash: "/a/b" -> "/a", "/a" -> "" (the root) */
    }
}

int bg_files_repo_root(char **out, struct bg_arena *a, const char *configured, struct bg_error *err)
{
    char *cwd, *git;
    int rc;

    if (configured != NULL && configured[0] != '\0')
        return canonical_dir(out, a, configured, "repository root", err);
    rc = canonical(&cwd, a, ".", "working directory", err);
    if (rc != 0)
        return rc;
    git = git_ancestor(a, cwd);
    *out = git != NULL ? git : cwd;
    return 0;
}

static bool inside(const char *root, const char *path)
{
    size_t n = strlen(root);

    if (strcmp(root, "/") == 0)
        return true;
    return strncmp(path, root, n) == 0 && (path[n] == '\0' || path[n] == '/');
}

int bg_files_resolve_dir(char **out, struct bg_arena *a, const char *root, const char *directory,
                         struct bg_error *err)
{
    char *croot, *dir;
    int rc;

    if (directory == NULL || directory[0] == '\0')
        return bg_error_set(err, BG_EINVAL, "directory must not be empty");
    if (directory[0] == '/')
        return bg_error_set(err, BG_EINVAL,
                            "directory \"%s\" must be relative to the working directory",
                            directory);
    /* The root is canonicalised again so a caller-built root (e.g. under a symlinked /tmp)
     * compares like for like. */
    rc = canonical(&croot, a, root, "repository root", err);
    if (rc == 0)
        rc = canonical(&dir, a, directory, "directory", err);
    if (rc != 0)
        return rc;
    if (!inside(croot, dir))
        return bg_error_set(err, BG_EINVAL,
                            "directory \"%s\" resolves outside the repository root %s", directory,
                            croot);
    rc = require_dir(dir, "directory", directory, err);
    if (rc == 0)
        *out = dir;
    return rc;
}
