/*
 * cluster_pair_infer.c - `terraform import` recovers `substitutions` from the files: for each
 * standby copy on disk, the differences from its live file after the color swap suggest
 * literal replacements (src/files/infer.c); one set must reproduce every copy exactly (or as
 * terraform fmt would lay it out), so the candidates of all copies are merged, and each copy
 * is rendered with them and compared. A key whose replacements (counted while rendering)
 * are not exactly the differences it came from also matches where it must not ("1.15"
 * inside "1.150"): the next round avoids it, taking more context around those differences
 * only, up to MAX_CONTEXT tokens. Each copy is read twice per round, one at a time.
 */
#include <string.h>

#include "cluster_pair.h"

#define MAX_CONTEXT 3u
#define MAX_ROUNDS  8

struct attempt {
    struct bg_infer inf;
    size_t ok;            /* copies reproduced */
    const char **failing; /* copies not reproduced */
    size_t nfailing;
};

/* Live file and copy of one source, the live one with the colors swapped only. */
static int load(const char **live, size_t *live_len, const char **copy, size_t *copy_len,
                struct bg_arena *scratch, const struct bg_pair_cfg *cfg, const char *source,
                const char *target)
{
    struct bg_error err = BG_ERROR_INIT;
    char *src = NULL, *out = NULL, *disk = NULL;
    size_t len = 0;

    if (bg_files_read(&src, &len, scratch, cfg->dir_abs, source, &err) != 0 ||
        bg_files_read(&disk, copy_len, scratch, cfg->dir_abs, target, &err) != 0 ||
        bg_files_render(&out, live_len, scratch, src, len, cfg->live, cfg->standby_color, NULL, 0,
                        &err) != 0)
        return BG_EIO;
    *live = out;
    *copy = disk;
    return 0;
}

/* Text a state string can hold: UTF-8 without NUL. */
static bool holdable(const struct bg_subst *subs, size_t n)
{
    size_t i;

    for (i = 0; i < n; i++) {
        if (!bg_files_utf8_valid(subs[i].from, strlen(subs[i].from)) ||
            !bg_files_utf8_valid(subs[i].to, strlen(subs[i].to)))
            return false;
    }
    return true;
}

static bool reproduces(const struct bg_pair_cfg *cfg, const struct bg_infer *inf, size_t *counts,
                       const char *source, const char *target)
{
    struct bg_arena *scratch = bg_arena_new();
    struct bg_render_opts o = {cfg->live, cfg->standby_color,          inf->subs, inf->n,
                               counts,    bg_files_is_hcl_name(target)};
    struct bg_error err = BG_ERROR_INIT;
    char *src = NULL, *out = NULL, *disk = NULL;
    size_t len = 0, out_len = 0, disk_len = 0;
    bool ok = bg_files_read(&src, &len, scratch, cfg->dir_abs, source, &err) == 0 &&
              bg_files_read(&disk, &disk_len, scratch, cfg->dir_abs, target, &err) == 0 &&
              bg_files_render_with(&out, &out_len, scratch, src, len, &o, &err) == 0 &&
              ((out_len == disk_len && memcmp(out, disk, out_len) == 0) ||
               (o.align && bg_files_hcl_equivalent(scratch, out, out_len, disk, disk_len)));

    bg_arena_free(scratch);
    return ok;
}

static void collect(struct attempt *at, struct bg_call *call, const struct bg_pair_cfg *cfg,
                    const struct bg_file_list *src, const char *const *targets)
{
    size_t i;

    for (i = 0; i < src->len; i++) {
        struct bg_arena *scratch = bg_arena_new();
        const char *live = NULL, *copy = NULL;
        size_t live_len = 0, copy_len = 0;

        if (targets[i] != NULL &&
            load(&live, &live_len, &copy, &copy_len, scratch, cfg, src->names[i], targets[i]) == 0)
            bg_files_infer_substitutions(&at->inf, call->arena, live, live_len, copy, copy_len);
        bg_arena_free(scratch);
    }
}

/* One round: candidates, then each copy rendered with them. *off gets the keys whose
 * replacement count is not their number of differences. */
static void round_of(struct attempt *at, struct bg_call *call, const struct bg_pair_cfg *cfg,
                     const struct bg_file_list *src, const char *const *targets, const char **avoid,
                     size_t navoid, const char ***off, size_t *noff)
{
    size_t *counts, i;

    memset(at, 0, sizeof(*at));
    at->inf.avoid = avoid;
    at->inf.navoid = navoid;
    at->inf.max_context = MAX_CONTEXT;
    collect(at, call, cfg, src, targets);
    counts = bg_arena_calloc(call->arena, at->inf.n, sizeof(*counts));
    at->failing = bg_arena_calloc(call->arena, src->len, sizeof(*at->failing));
    *off = bg_arena_calloc(call->arena, at->inf.n + at->inf.nconflicts, sizeof(**off));
    *noff = 0;
    for (i = 0; i < at->inf.nconflicts; i++)
        (*off)[(*noff)++] = at->inf.conflicts[i];
    for (i = 0; i < src->len; i++) {
        if (targets[i] == NULL)
            continue;
        if (at->inf.nconflicts == 0 && holdable(at->inf.subs, at->inf.n) &&
            reproduces(cfg, &at->inf, counts, src->names[i], targets[i]))
            at->ok++;
        else
            at->failing[at->nfailing++] = targets[i];
    }
    for (i = 0; i < at->inf.n && at->inf.nconflicts == 0; i++) {
        if (counts[i] != at->inf.hits[i])
            (*off)[(*noff)++] = at->inf.subs[i].from;
    }
}

static void warn_failing(struct bg_call *call, const struct bg_pair_cfg *cfg,
                         const struct attempt *best)
{
    char *list = bg_arena_strdup(call->arena, "");
    size_t i;

    for (i = 0; i < best->nfailing; i++)
        list = bg_arena_printf(call->arena, "%s\n  - %s", list,
                               bg_pair__key(call->arena, cfg, best->failing[i]));
    bg_diag_warn(call->diags, bg_path_attr(call->arena, NULL, "substitutions"),
                 "Substitutions not recovered for every copy",
                 "No set of literal replacements turns the live files of %s into these copies "
                 "exactly:%s\nsubstitutions is set to the %zu replacement(s) that reproduce "
                 "the other %zu copies; the next plan shows how each file above differs from "
                 "its rendering. Adjust substitutions (or the copy) before applying.",
                 cfg->live_cluster, list, best->ok > 0 ? best->inf.n : 0, best->ok);
}

/* The copy each live file renders to, when it is on disk (shared files and missing copies
 * say nothing). */
static const char **copies_on_disk(struct bg_call *call, const struct bg_pair_cfg *cfg,
                                   const struct bg_file_list *src)
{
    const char **targets = bg_arena_calloc(call->arena, src->len, sizeof(*targets));
    struct bg_error err = BG_ERROR_INIT;
    struct bg_file_info info;
    size_t i;

    for (i = 0; i < src->len; i++) {
        const char *t =
            bg_files_rename(call->arena, src->names[i], cfg->live_cluster, cfg->standby_cluster);

        if (!bg_files_has_token(src->names[i], strlen(src->names[i]), cfg->standby_cluster) &&
            bg_files_stat(&info, cfg->dir_abs, t, &err) == 0)
            targets[i] = t;
    }
    return targets;
}

static const char **grow(struct bg_arena *a, const char **list, size_t n, const char *const *more,
                         size_t nmore)
{
    const char **out = bg_arena_calloc(a, n + nmore, sizeof(*out));

    if (n > 0)
        memcpy(out, list, n * sizeof(*out));
    if (nmore > 0)
        memcpy(out + n, more, nmore * sizeof(*out));
    return out;
}

/* Rounds until every copy is reproduced or no key can be made more specific; the attempt
 * that reproduced the most copies. */
static void search(struct attempt *best, struct bg_call *call, const struct bg_pair_cfg *cfg,
                   const struct bg_file_list *src, const char *const *targets)
{
    const char **avoid = NULL, **off = NULL;
    size_t navoid = 0, noff = 0;
    struct attempt at;
    int r;

    memset(best, 0, sizeof(*best));
    for (r = 0; r < MAX_ROUNDS; r++) {
        round_of(&at, call, cfg, src, targets, avoid, navoid, &off, &noff);
        if (r == 0 || at.ok > best->ok)
            *best = at;
        if (at.nfailing == 0 || noff == 0)
            break;
        avoid = grow(call->arena, avoid, navoid, off, noff);
        navoid += noff;
    }
}

void bg_pair__infer(struct bg_call *call, struct bg_pair_cfg *cfg)
{
    struct bg_error err = BG_ERROR_INIT;
    struct attempt best, others;
    struct bg_file_list src;
    const char **targets, **rest;
    size_t i, j;

    cfg->subs = NULL;
    cfg->nsubs = 0;
    if (bg_files_discover(&src, call->arena, cfg->dir_abs, cfg->live_cluster, &err) != 0)
        return;
    targets = copies_on_disk(call, cfg, &src);
    search(&best, call, cfg, &src, targets);
    if (best.nfailing > 0) {
        /* The copies nothing reproduces must not lend their guesses to the others. */
        rest = grow(call->arena, targets, src.len, NULL, 0);
        for (i = 0; i < src.len; i++) {
            for (j = 0; rest[i] != NULL && j < best.nfailing; j++)
                rest[i] = strcmp(rest[i], best.failing[j]) == 0 ? NULL : rest[i];
        }
        search(&others, call, cfg, &src, rest);
        if (others.nfailing == 0) {
            others.failing = best.failing;
            others.nfailing = best.nfailing;
            best = others;
        }
    }
    if (best.ok > 0) { /* nothing reproduced: guesses would only mislead */
        cfg->subs = best.inf.subs;
        cfg->nsubs = best.inf.n;
    }
    if (best.nfailing > 0)
        warn_failing(call, cfg, &best);
}
