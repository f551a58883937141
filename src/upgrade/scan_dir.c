/*
 * scan_dir.c - walks a directory inside the repository root, one file at a time.
 *
 * Memory: the directory stack and each file's contents are malloc'd and freed as the walk
 * goes; only findings go to the caller's arena. The walk is iterative (no recursion on
 * untrusted trees) and sorted by name so plans are stable. Symlinks: a link to a file inside
 * the root is read; links leaving the root and links to directories are skipped (the latter
 * also rules out cycles).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bluegreen/files.h"
#include "upgrade/internal.h"

#define GLOB_MAX   256
#define GLOB_STARS 8

const char *const bg_scan_default_include[] = {
    "*.yaml", "*.yml", "*.json", "*.tf", "**/templates/**/*.tpl",
};
const size_t bg_scan_default_include_count =
    sizeof(bg_scan_default_include) / sizeof(bg_scan_default_include[0]);

struct walker {
    const struct bg_scan_opts *opts;
    struct bg_scan_result *res;
    struct bg_arena *a;
    const char *const *include;
    size_t include_count;
    char *root, *dir;    /* realpath()s, malloc'd */
    const char *display; /* the directory relative to the root, "" for the root */
};

static bool glob(const char *p, const char *s)
{
    while (*p != '\0') {
        if (p[0] == '*' && p[1] == '*') {
            p += 2;
            if (*p == '/') {
                /* "**" + "/" matches zero or more whole directories. */
                for (p++;; s++) {
                    if (glob(p, s))
                        return true;
                    s = strchr(s, '/');
                    if (s == NULL)
                        return false;
                }
            }
            for (;; s++) {
                if (glob(p, s))
                    return true;
                if (*s == '\0')
                    return false;
            }
        }
        if (*p == '*') {
            for (p++;; s++) {
                if (glob(p, s))
                    return true;
                if (*s == '\0' || *s == '/')
                    return false;
            }
        }
        if (*s == '\0' || (*p == '?' ? *s == '/' : *p != *s))
            return false;
        p++;
        s++;
    }
    return *s == '\0';
}

bool bg_scan_glob_match(const char *pattern, const char *path)
{
    const char *base = strrchr(path, '/');

    if (strchr(pattern, '/') == NULL)
        return glob(pattern, base != NULL ? base + 1 : path);
    return glob(pattern, path);
}

/* Long patterns with many stars make backtracking exponential: refuse them up front. */
static int check_globs(const char *const *include, size_t n, const char **attribute,
                       struct bg_error *err)
{
    for (size_t i = 0; i < n; i++) {
        const char *p = include[i];
        size_t stars = 0;

        for (const char *q = p; q != NULL && *q != '\0'; q++)
            stars += *q == '*';
        if (p == NULL || *p == '\0' || strlen(p) >= GLOB_MAX || stars > GLOB_STARS) {
            *attribute = "include";
            return bg_error_set(err, BG_EINVAL,
                                "include pattern \"%s\" must be non-empty, "
                                "shorter than %d characters and have at most %d '*'",
                                p != NULL ? p : "", GLOB_MAX, GLOB_STARS);
        }
    }
    return 0;
}

static bool included(const struct walker *w, const char *rel)
{
    for (size_t i = 0; i < w->include_count; i++) {
        if (bg_scan_glob_match(w->include[i], rel))
            return true;
    }
    return false;
}

static bool inside(const char *root, const char *path)
{
    size_t n = strlen(root);

    if (strcmp(root, "/") == 0)
        return true;
    return strncmp(root, path, n) == 0 && (path[n] == '\0' || path[n] == '/');
}

/* strerror is not thread safe, and data sources are read on concurrent threads. */
static const char *errtext(int e, char buf[128])
{
    return strerror_r(e, buf, 128);
}

/* Records what was not scanned; the first BG_SCAN_MAX_SKIPPED are named. */
static void skip(struct walker *w, const char *rel, bool directory, const char *fmt, ...)
    BG_PRINTF(4, 5);

static void skip(struct walker *w, const char *rel, bool directory, const char *fmt, ...)
{
    struct bg_scan_result *r = w->res;
    struct bg_scan_skip *s;
    va_list ap;

    if (directory)
        r->dirs_skipped++;
    else
        r->files_skipped++;
    if (r->skipped_count == BG_SCAN_MAX_SKIPPED)
        return;
    if (r->skipped_count == r->skipped_capacity) {
        size_t cap = r->skipped_capacity != 0 ? r->skipped_capacity * 2 : 8;
        struct bg_scan_skip *grown = bg_arena_calloc(w->a, cap, sizeof(*grown));

        if (r->skipped_count > 0)
            memcpy(grown, r->skipped, r->skipped_count * sizeof(*grown));
        r->skipped = grown;
        r->skipped_capacity = cap;
    }
    s = &r->skipped[r->skipped_count++];
    if (*rel == '\0')
        s->path = bg_files_escape(w->a, *w->display != '\0' ? w->display : ".");
    else
        s->path = bg_files_escape(
            w->a, bg_arena_printf(w->a, "%s%s%s", w->display, *w->display != '\0' ? "/" : "", rel));
    s->directory = directory;
    va_start(ap, fmt);
    s->reason = bg_arena_vprintf(w->a, fmt, ap);
    va_end(ap);
}

/* 0, or -1 with the reason recorded. */
static int read_all(struct walker *w, char **out, size_t *len, const char *path, const char *rel)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
    char ebuf[128];
    struct stat st;
    char *buf = NULL;
    ssize_t got = 0;
    size_t n = 0;

    if (fd < 0) {
        skip(w, rel, false, "cannot be read: %s", errtext(errno, ebuf));
        return -1;
    }
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        skip(w, rel, false, "is not a regular file");
        goto fail;
    }
    if (st.st_size > BG_SCAN_MAX_FILE_SIZE) {
        skip(w, rel, false, "is larger than the %u MiB limit (%lld bytes)",
             BG_SCAN_MAX_FILE_SIZE >> 20, (long long)st.st_size);
        goto fail;
    }
    buf = malloc((size_t)st.st_size + 1);
    if (buf == NULL) {
        skip(w, rel, false, "cannot be read: out of memory");
        goto fail;
    }
    /* Read what is there now: a file growing under us is scanned up to its old size. */
    while (n < (size_t)st.st_size) {
        got = read(fd, buf + n, (size_t)st.st_size - n);
        if (got < 0 && errno == EINTR)
            continue;
        if (got <= 0)
            break;
        n += (size_t)got;
    }
    if (got < 0) {
        skip(w, rel, false, "cannot be read: %s", errtext(errno, ebuf));
        goto fail;
    }
    close(fd);
    *out = buf;
    *len = n;
    return 0;
fail:
    free(buf);
    close(fd);
    return -1;
}

/* The scanners read text; a NUL byte means binary data or UTF-16/UTF-32, which would be
 * read as garbage and report nothing. */
static const char *undecodable(const char *buf, size_t len)
{
    if (len >= 2 && (((unsigned char)buf[0] == 0xff && (unsigned char)buf[1] == 0xfe) ||
                     ((unsigned char)buf[0] == 0xfe && (unsigned char)buf[1] == 0xff)))
        return "is UTF-16 or UTF-32 text, which the scanner cannot decode";
    if (memchr(buf, '\0', len) != NULL)
        return "is not text (it holds NUL bytes: binary, UTF-16 or UTF-32) and cannot be "
               "decoded";
    return NULL;
}

/* Scans the bytes of one file, unless the scanners could not decode them. */
static void scan_bytes(struct walker *w, const char *shown, const char *rel, const char *buf,
                       size_t len)
{
    const char *why = undecodable(buf, len);

    if (why != NULL) {
        skip(w, rel, false, "%s", why);
        return;
    }
    bg_scan_buffer(w->res, w->a, shown, bg_scan_format_for(rel), buf, len, w->opts->target);
    w->res->files_scanned++;
}

static void scan_file(struct walker *w, const char *path, const char *rel)
{
    char *buf = NULL, *shown;
    size_t len = 0;

    /* malloc'd, not from the arena: a clean file costs no arena memory (bg_scan_report
     * copies the name on the first finding). */
    shown = malloc(strlen(w->display) + strlen(rel) + 2);
    if (shown == NULL) {
        skip(w, rel, false, "cannot be read: out of memory");
        return;
    }
    sprintf(shown, "%s%s%s", w->display, *w->display != '\0' ? "/" : "", rel);
    if (!bg_files_utf8_valid(shown, strlen(shown)))
        skip(w, rel, false, "has a name that is not valid UTF-8 (Terraform cannot show it)");
    else if (read_all(w, &buf, &len, path, rel) == 0)
        scan_bytes(w, shown, rel, buf, len);
    free(buf);
    free(shown);
}

/* A symlink: read it only when it resolves to a regular file inside the root. */
static void scan_link(struct walker *w, const char *path, const char *rel)
{
    char *target = realpath(path, NULL), ebuf[128];
    struct stat st;

    if (target == NULL)
        skip(w, rel, false, "is a symlink that cannot be resolved: %s", errtext(errno, ebuf));
    else if (!inside(w->root, target))
        skip(w, rel, false, "is a symlink leading outside the repository root");
    else if (stat(target, &st) != 0 || !S_ISREG(st.st_mode))
        skip(w, rel, false, "is a symlink to something other than a file (not followed)");
    else
        scan_file(w, target, rel);
    free(target);
}

struct stack {
    char **v; /* directories still to visit, relative to the scanned directory */
    size_t n, cap;
};

static int push(struct stack *s, const char *rel)
{
    char *copy = strdup(rel);

    if (copy == NULL)
        return BG_EIO;
    if (s->n == s->cap) {
        size_t cap = s->cap != 0 ? s->cap * 2 : 32;
        char **v = realloc(s->v, cap * sizeof(*v));

        if (v == NULL) {
            free(copy);
            return BG_EIO;
        }
        s->v = v;
        s->cap = cap;
    }
    s->v[s->n++] = copy;
    return 0;
}

static int by_name(const struct dirent **x, const struct dirent **y)
{
    /* strcmp, not alphasort's strcoll: the order must not depend on the locale. */
    return strcmp((*x)->d_name, (*y)->d_name);
}

static size_t depth_of(const char *rel)
{
    size_t d = *rel != '\0';

    for (; *rel != '\0'; rel++)
        d += *rel == '/';
    return d;
}

/* Files are scanned right away; subdirectories are pushed when dirs is true. */
static void visit_entry(struct walker *w, struct stack *st, const char *rel, const char *name,
                        bool dirs)
{
    char child[PATH_MAX], path[PATH_MAX];
    struct stat sb;
    int n1 = snprintf(child, sizeof(child), "%s%s%s", rel, *rel != '\0' ? "/" : "", name);
    int n2 = snprintf(path, sizeof(path), "%s/%s", w->dir, child);

    if (n1 < 0 || n2 < 0 || (size_t)n2 >= sizeof(path)) {
        if (!dirs)
            skip(w, name, false, "has a path longer than %d bytes", PATH_MAX);
        return;
    }
    if (lstat(path, &sb) != 0)
        return; /* gone since the directory was listed */
    if (dirs) {
        if (!S_ISDIR(sb.st_mode))
            return;
        if (depth_of(child) >= BG_SCAN_MAX_DEPTH)
            skip(w, child, true, "is deeper than %d folder levels and was not entered",
                 BG_SCAN_MAX_DEPTH);
        else if (push(st, child) != 0)
            skip(w, child, true, "was not entered: out of memory");
        return;
    }
    if ((!S_ISREG(sb.st_mode) && !S_ISLNK(sb.st_mode)) || !included(w, child))
        return;
    if (S_ISLNK(sb.st_mode))
        scan_link(w, path, child);
    else
        scan_file(w, path, child);
}

static void visit_dir(struct walker *w, struct stack *st, const char *rel)
{
    char path[PATH_MAX], ebuf[128];
    struct dirent **names = NULL;
    int n, len = snprintf(path, sizeof(path), "%s%s%s", w->dir, *rel != '\0' ? "/" : "", rel);

    if (len < 0 || (size_t)len >= sizeof(path))
        return;
    n = scandir(path, &names, NULL, by_name);
    if (n < 0) {
        skip(w, rel, true, "cannot be listed: %s", errtext(errno, ebuf));
        return;
    }
    for (int i = 0; i < n; i++) {
        if (strcmp(names[i]->d_name, ".") != 0 && strcmp(names[i]->d_name, "..") != 0)
            visit_entry(w, st, rel, names[i]->d_name, false);
    }
    /* Pushed in reverse so that they are popped, and visited, in name order. */
    for (int i = n - 1; i >= 0; i--) {
        if (strcmp(names[i]->d_name, ".") != 0 && strcmp(names[i]->d_name, "..") != 0)
            visit_entry(w, st, rel, names[i]->d_name, true);
        free(names[i]);
    }
    free(names);
}

static int walk_tree(struct walker *w, struct bg_error *err)
{
    struct stack st = {0};
    int rc = push(&st, "");

    while (rc == 0 && st.n > 0) {
        char *rel = st.v[--st.n];

        visit_dir(w, &st, rel);
        free(rel);
    }
    while (st.n > 0)
        free(st.v[--st.n]);
    free(st.v);
    if (rc != 0)
        return bg_error_set(err, BG_EIO, "out of memory walking the directory");
    return 0;
}

/* The scanned directory relative to the root ("" for the root itself): findings name files
 * the way a pull request shows them, whatever form the user gave the directory in. */
static const char *display_name(struct bg_arena *a, const char *root, const char *dir)
{
    const char *rel = dir + (strcmp(root, "/") == 0 ? 0 : strlen(root));

    while (*rel == '/')
        rel++;
    return bg_arena_strdup(a, rel);
}

static int open_dirs(struct walker *w, const struct bg_scan_opts *o, const char **attribute,
                     struct bg_error *err)
{
    struct stat st;

    w->root = realpath(o->root != NULL ? o->root : ".", NULL);
    if (w->root == NULL)
        return bg_error_set(err, BG_EIO, "repository root %s: %s", o->root, strerror(errno));
    *attribute = "directory";
    if (o->directory == NULL || *o->directory == '\0')
        return bg_error_set(err, BG_EINVAL, "directory is required");
    w->dir = realpath(o->directory, NULL);
    if (w->dir == NULL)
        return bg_error_set(err, errno == ENOENT ? BG_ENOTFOUND : BG_EIO, "directory %s: %s",
                            o->directory, strerror(errno));
    if (!inside(w->root, w->dir))
        return bg_error_set(err, BG_EINVAL, "directory %s is outside the repository root %s",
                            o->directory, w->root);
    if (stat(w->dir, &st) != 0 || !S_ISDIR(st.st_mode))
        return bg_error_set(err, BG_EINVAL, "directory %s is not a directory", o->directory);
    *attribute = NULL;
    return 0;
}

int bg_scan_directory(struct bg_scan_result **out, struct bg_arena *a,
                      const struct bg_scan_opts *opts, const char **attribute, struct bg_error *err)
{
    struct walker w = {0};
    int rc;

    *out = NULL;
    *attribute = NULL;
    w.opts = opts;
    w.a = a;
    w.include = opts->include != NULL ? opts->include : bg_scan_default_include;
    w.include_count = opts->include != NULL ? opts->include_count : bg_scan_default_include_count;
    rc = check_globs(w.include, w.include_count, attribute, err);
    if (rc == 0)
        rc = open_dirs(&w, opts, attribute, err);
    if (rc == 0) {
        w.display = display_name(a, w.root, w.dir);
        w.res = bg_arena_alloc(a, sizeof(*w.res));
        w.res->max_findings = opts->max_findings;
        rc = walk_tree(&w, err);
    }
    if (rc == 0)
        *out = w.res;
    free(w.root);
    free(w.dir);
    return rc;
}
