/*
 * dircache.c - directory listings reused across calls while provably unchanged (files.h).
 *
 * A plan of N cluster pairs in one directory scans that directory N times, and each scan of
 * a directory of N clusters costs O(N): a 500-pair plan read 500 directory entries 500 times.
 * A directory's mtime and ctime change whenever an entry is added, removed or renamed (its
 * ctime also on any change of its own metadata, and ctime cannot be set by utimes), so a
 * listing read after the directory was stat'ed describes it for as long as dev, inode,
 * mtime and ctime stay the same. Coarse timestamp granularity could hide a second change in
 * the same clock tick as the one before the scan, so a listing is kept only when the
 * directory's ctime was already older than one tick when it was stat'ed: a change made after
 * the scan then always stamps a time the directory has never had. A filesystem that keeps
 * nanoseconds (ext4, xfs, btrfs, tmpfs) stamps from the kernel's coarse clock, one jiffy
 * (<= 10 ms) a tick: SETTLED_FINE_S is ten of those, so a plan right after an apply is
 * answered from cache too. A ctime with no nanoseconds may come from a filesystem counting
 * seconds (FAT counts two): SETTLED_COARSE_S.
 *
 * Only names and types are cached, never contents: callers read and hash every file they
 * use. A listing also keeps the names of the directory's temporaries (hidden, so never cluster
 * files), so the sweep for a killed writer's litter looks at those alone. The cache lives for
 * one provider process (one terraform command).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "bluegreen/files.h"
#include "files/internal.h"

#define MAX_DIRS         16
#define MAX_ENTRIES      8192 /* larger directories are scanned every time */
#define SETTLED_FINE_S   0.1
#define SETTLED_COARSE_S 2.0

struct listing {
    char *dir; /* dir_abs, malloc; NULL: free slot */
    struct stat st;
    char **names; /* regular files that pass the name filter, sorted; malloc */
    size_t n;
    char **temps; /* names bg_files_is_temp accepts; malloc */
    size_t ntemps;
    bool overflow; /* more than MAX_ENTRIES: not listed */
    uint64_t used;
};

struct bg_files_dircache {
    pthread_mutex_t lock;
    struct listing dirs[MAX_DIRS];
    uint64_t tick;
    size_t hits, scans;
    double settled_fine_s, settled_coarse_s;
};

int bg_files_dircache_new(struct bg_files_dircache **out)
{
    struct bg_files_dircache *c = calloc(1, sizeof(*c));

    *out = c;
    if (c == NULL)
        return BG_EIO;
    pthread_mutex_init(&c->lock, NULL);
    c->settled_fine_s = SETTLED_FINE_S;
    c->settled_coarse_s = SETTLED_COARSE_S;
    return 0;
}

static void listing_clear(struct listing *l)
{
    for (size_t i = 0; i < l->n; i++)
        free(l->names[i]);
    free(l->names);
    for (size_t i = 0; i < l->ntemps; i++)
        free(l->temps[i]);
    free(l->temps);
    free(l->dir);
    memset(l, 0, sizeof(*l));
}

void bg_files_dircache_free(struct bg_files_dircache *c)
{
    if (c == NULL)
        return;
    for (size_t i = 0; i < MAX_DIRS; i++)
        listing_clear(&c->dirs[i]);
    pthread_mutex_destroy(&c->lock);
    free(c);
}

static bool same_time(struct timespec a, struct timespec b)
{
    return a.tv_sec == b.tv_sec && a.tv_nsec == b.tv_nsec;
}

static bool unchanged(const struct stat *a, const struct stat *b)
{
    return a->st_dev == b->st_dev && a->st_ino == b->st_ino && same_time(a->st_mtim, b->st_mtim) &&
           same_time(a->st_ctim, b->st_ctim);
}

static bool settled(const struct bg_files_dircache *c, const struct stat *st,
                    const struct timespec *now)
{
    double age = (double)(now->tv_sec - st->st_ctim.tv_sec) +
                 (double)(now->tv_nsec - st->st_ctim.tv_nsec) / 1e9;

    return age > (st->st_ctim.tv_nsec != 0 ? c->settled_fine_s : c->settled_coarse_s);
}

/* The cluster's files out of a full listing, copied into the arena (already sorted). */
static int pick(struct bg_file_list *out, struct bg_arena *a, char *const *names, size_t n,
                const char *dir_abs, const char *cluster, struct bg_error *err)
{
    out->names = bg_arena_calloc(a, BG_FILES_MAX_COUNT, sizeof(char *));
    out->len = 0;
    for (size_t i = 0; i < n; i++) {
        if (!bg_files_has_token(names[i], strlen(names[i]), cluster))
            continue;
        if (out->len == BG_FILES_MAX_COUNT) {
            out->len = 0;
            return bg_error_set(err, BG_ELIMIT, "more than %u files of cluster %s in %s",
                                BG_FILES_MAX_COUNT, cluster, dir_abs);
        }
        out->names[out->len++] = bg_arena_strdup(a, names[i]);
    }
    return 0;
}

static int cmp_names(const void *x, const void *y)
{
    return strcmp(*(char *const *)x, *(char *const *)y);
}

/* 1 regular, 0 anything else or vanished, <0 error; d_type spares the stat on most systems. */
static int regular(int dfd, const struct dirent *de, const char *dir_abs, struct bg_error *err)
{
    struct stat st;

    if (de->d_type != DT_UNKNOWN)
        return de->d_type == DT_REG;
    if (fstatat(dfd, de->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0)
        return errno == ENOENT ? 0
                               : bg_files__sys_error(err, BG_EIO, errno, "cannot stat %s/%s",
                                                     dir_abs, de->d_name);
    return S_ISREG(st.st_mode);
}

/* Appends a copy of name to list (capacity MAX_ENTRIES); false when full or out of memory. */
static bool add_name(char **list, size_t *n, const char *name, bool *overflow)
{
    if (*n == MAX_ENTRIES) {
        *overflow = true;
        return false;
    }
    list[*n] = strdup(name);
    if (list[*n] == NULL)
        return false;
    (*n)++;
    return true;
}

/* One directory entry into l: a temporary, a cluster file candidate, or nothing. */
static int take_entry(struct listing *l, int dfd, const struct dirent *de, const char *dir_abs,
                      struct bg_error *err)
{
    size_t len = strlen(de->d_name);
    int rc;

    if (de->d_name[0] == '.') {
        if (bg_files_is_temp(de->d_name, NULL, NULL) &&
            !add_name(l->temps, &l->ntemps, de->d_name, &l->overflow) && !l->overflow)
            return bg_error_set(err, BG_EIO, "out of memory");
        return 0;
    }
    if (de->d_name[len - 1] == '~')
        return 0;
    rc = regular(dfd, de, dir_abs, err);
    if (rc <= 0)
        return rc;
    if (!add_name(l->names, &l->n, de->d_name, &l->overflow) && !l->overflow)
        return bg_error_set(err, BG_EIO, "out of memory");
    return 0;
}

/* Every regular, non-hidden, non-backup file of the directory open as d, sorted, and every
 * temporary, malloc'd. Past MAX_ENTRIES of either it stops and sets l->overflow: the caller
 * then works without the cache. */
static int read_all(struct listing *l, DIR *d, const char *dir_abs, struct bg_error *err)
{
    struct dirent *de;
    int rc = 0;

    l->names = malloc(MAX_ENTRIES * sizeof(char *));
    l->temps = malloc(MAX_ENTRIES * sizeof(char *));
    if (l->names == NULL || l->temps == NULL)
        return bg_error_set(err, BG_EIO, "out of memory");
    for (errno = 0; rc == 0 && !l->overflow && (de = readdir(d)) != NULL; errno = 0)
        rc = take_entry(l, dirfd(d), de, dir_abs, err);
    if (rc == 0 && errno != 0)
        rc = bg_files__sys_error(err, BG_EIO, errno, "cannot list directory %s", dir_abs);
    if (rc == 0)
        qsort(l->names, l->n, sizeof(char *), cmp_names);
    return rc;
}

/* A fresh listing of the directory open as dfd (left open). */
static int scan(struct listing *l, int dfd, const char *dir_abs, struct bg_error *err)
{
    int own = fcntl(dfd, F_DUPFD_CLOEXEC, 0);
    DIR *d = own < 0 ? NULL : fdopendir(own);
    int rc;

    if (d == NULL) {
        rc = bg_files__sys_error(err, BG_EIO, errno, "cannot list directory %s", dir_abs);
        if (own >= 0)
            close(own);
        return rc;
    }
    rc = read_all(l, d, dir_abs, err);
    closedir(d);
    return rc;
}

/* What a caller does with a current listing of the directory open as dfd. */
typedef int (*use_fn)(const struct listing *l, int dfd, void *arg, struct bg_error *err);

/* Runs use over the cached listing for dir_abs when it is current (under the lock, so the
 * listing cannot be replaced meanwhile); true when it did. A stale entry is dropped. */
static bool lookup(int *rc, struct bg_files_dircache *c, const struct stat *st, int dfd,
                   const char *dir_abs, use_fn use, void *arg, struct bg_error *err)
{
    bool hit = false;

    pthread_mutex_lock(&c->lock);
    for (size_t i = 0; i < MAX_DIRS && !hit; i++) {
        struct listing *l = &c->dirs[i];

        if (l->dir == NULL || strcmp(l->dir, dir_abs) != 0)
            continue;
        hit = unchanged(&l->st, st);
        if (hit) {
            c->hits++;
            l->used = ++c->tick;
            *rc = use(l, dfd, arg, err);
        } else {
            listing_clear(l);
        }
    }
    if (!hit)
        c->scans++;
    pthread_mutex_unlock(&c->lock);
    return hit;
}

/* Keeps l (taking its memory) in the least recently used slot. */
static void store(struct bg_files_dircache *c, struct listing *l, const char *dir_abs)
{
    struct listing *slot = &c->dirs[0];

    l->dir = strdup(dir_abs);
    if (l->dir == NULL) {
        listing_clear(l);
        return;
    }
    pthread_mutex_lock(&c->lock);
    for (size_t i = 0; i < MAX_DIRS; i++) {
        /* a concurrent call may have stored the same directory: one entry is enough */
        if (c->dirs[i].dir != NULL && strcmp(c->dirs[i].dir, dir_abs) == 0)
            listing_clear(&c->dirs[i]);
    }
    for (size_t i = 0; i < MAX_DIRS; i++) {
        if (c->dirs[i].dir == NULL || c->dirs[i].used < slot->used)
            slot = &c->dirs[i];
        if (c->dirs[i].dir == NULL)
            break;
    }
    listing_clear(slot);
    *slot = *l;
    slot->used = ++c->tick;
    pthread_mutex_unlock(&c->lock);
    memset(l, 0, sizeof(*l));
}

/* Runs use over a current listing of dir_abs: the cached one, or a fresh scan (kept when the
 * directory has settled). *overflow: the directory is too large to list, use did not run. */
static int with_listing(bool *overflow, struct bg_files_dircache *c, const char *dir_abs,
                        use_fn use, void *arg, struct bg_error *err)
{
    struct listing fresh = {.n = 0};
    struct timespec now;
    int dfd, rc = 0;

    *overflow = false;
    rc = bg_files__open_dir(&dfd, dir_abs, err);
    if (rc != 0)
        return rc;
    clock_gettime(CLOCK_REALTIME, &now);
    if (fstat(dfd, &fresh.st) != 0) {
        rc = bg_files__sys_error(err, BG_EIO, errno, "cannot stat directory %s", dir_abs);
    } else if (!lookup(&rc, c, &fresh.st, dfd, dir_abs, use, arg, err)) {
        rc = scan(&fresh, dfd, dir_abs, err);
        *overflow = rc == 0 && fresh.overflow;
        if (rc == 0 && !*overflow)
            rc = use(&fresh, dfd, arg, err);
        if (rc == 0 && !*overflow && settled(c, &fresh.st, &now))
            store(c, &fresh, dir_abs);
        listing_clear(&fresh);
    }
    close(dfd);
    return rc;
}

struct pick_args {
    struct bg_file_list *out;
    struct bg_arena *a;
    const char *dir_abs, *cluster;
};

static int use_pick(const struct listing *l, int dfd, void *arg, struct bg_error *err)
{
    struct pick_args *p = arg;

    (void)dfd;
    return pick(p->out, p->a, l->names, l->n, p->dir_abs, p->cluster, err);
}

int bg_files_discover_cached(struct bg_file_list *out, struct bg_arena *a,
                             struct bg_files_dircache *c, const char *dir_abs, const char *cluster,
                             struct bg_error *err)
{
    struct pick_args p = {out, a, dir_abs, cluster};
    bool overflow;
    int rc;

    out->names = NULL;
    out->len = 0;
    if (c == NULL || cluster == NULL || cluster[0] == '\0')
        return bg_files_discover(out, a, dir_abs, cluster, err);
    rc = with_listing(&overflow, c, dir_abs, use_pick, &p, err);
    return overflow ? bg_files_discover(out, a, dir_abs, cluster, err) : rc;
}

struct sweep_args {
    size_t removed;
    const char *dir_abs;
    const char *const *clusters;
    size_t n;
};

static int use_sweep(const struct listing *l, int dfd, void *arg, struct bg_error *err)
{
    struct sweep_args *s = arg;
    int rc = 0;

    for (size_t i = 0; rc == 0 && i < l->ntemps; i++)
        rc = bg_files__remove_temp(&s->removed, dfd, l->temps[i], s->dir_abs, s->clusters, s->n,
                                   err);
    return rc;
}

int bg_files_clean_temps_cached(size_t *removed, struct bg_files_dircache *c, const char *dir_abs,
                                const char *const *clusters, size_t n, struct bg_error *err)
{
    struct sweep_args s = {0, dir_abs, clusters, n};
    bool overflow;
    int rc;

    if (removed != NULL)
        *removed = 0;
    if (c == NULL)
        return bg_files_clean_temps(removed, dir_abs, clusters, n, err);
    rc = with_listing(&overflow, c, dir_abs, use_sweep, &s, err);
    if (overflow)
        return bg_files_clean_temps(removed, dir_abs, clusters, n, err);
    if (removed != NULL)
        *removed = s.removed;
    return rc;
}

void bg_files__dircache_settle(struct bg_files_dircache *c, double fine_s, double coarse_s)
{
    c->settled_fine_s = fine_s;
    c->settled_coarse_s = coarse_s;
}

void bg_files__dircache_counts(size_t *hits, size_t *scans, struct bg_files_dircache *c)
{
    pthread_mutex_lock(&c->lock);
    *hits = c->hits;
    *scans = c->scans;
    pthread_mutex_unlock(&c->lock);
}
