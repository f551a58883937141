/*
 * cluster_pair_eval.c - compares the configuration with the disk and decides every file
 * operation. Plan and apply both call bg_pair__evaluate, so the `files` hashes a reviewer sees in
 * the plan are the bytes apply writes (rendering is deterministic).
 *
 * Memory: each live file is read and rendered in an arena of its own, freed once its hash
 * is known, and files on disk are hashed in chunks; apply renders each copy again right
 * before writing it. A pair costs one live file and its rendering at a time (about three
 * times the largest live file), whatever the number of files.
 */
#include <string.h>

#include "cluster_pair.h"

static const struct bg_path *path_of(struct bg_call *call, const char *attr)
{
    return bg_path_attr(call->arena, NULL, attr);
}

/* A name both clusters claim (aws-prod-spoon-to-aws-prod-knife-peering.tf) is shared. */
static bool is_shared(const struct bg_pair_cfg *cfg, const char *name)
{
    size_t n = strlen(name);

    return bg_files_has_token(name, n, cfg->live_cluster) &&
           bg_files_has_token(name, n, cfg->standby_cluster);
}

int bg_pair__discover(struct bg_file_list *out, struct bg_call *call, const struct bg_pair_cfg *cfg,
                      const char *cluster)
{
    struct bg_error err = BG_ERROR_INIT;
    int rc = 0;
    size_t i;

    if (bg_files_discover_cached(out, call->arena, call->dircache, cfg->dir_abs, cluster, &err) !=
        0)
        return bg_diag_from_error(call->diags, path_of(call, "directory"),
                                  "Cannot list cluster files", &err);
    for (i = 0; i < out->len; i++) {
        if (bg_files_utf8_valid(out->names[i], strlen(out->names[i])))
            continue;
        bg_diag_error(call->diags, path_of(call, "directory"), "File name is not valid UTF-8",
                      "%s belongs to %s, but its name is not valid UTF-8 (bytes shown as \\xNN), "
                      "and Terraform can only hold UTF-8 text in `files` and `source_files`. "
                      "Rename the file.",
                      bg_files_escape(call->arena, bg_pair__key(call->arena, cfg, out->names[i])),
                      cluster);
        rc = BG_EINVAL;
    }
    return rc;
}

/* Hashes of the files of a cluster as they are on disk (old cluster after a promotion). */
static int hash_cluster(struct bg_value *files, struct bg_call *call, const struct bg_pair_cfg *cfg,
                        const char *cluster)
{
    struct bg_error err = BG_ERROR_INIT;
    struct bg_file_list list;
    char sha[65];
    size_t i;

    if (bg_pair__discover(&list, call, cfg, cluster) != 0)
        return BG_EIO;
    for (i = 0; i < list.len; i++) {
        if (is_shared(cfg, list.names[i]))
            continue;
        if (bg_files_hash(sha, NULL, cfg->dir_abs, list.names[i], &err) != 0)
            return bg_diag_from_error(call->diags, path_of(call, "directory"),
                                      "Cannot read cluster file", &err);
        bg_value_put(call->arena, files, bg_pair__key(call->arena, cfg, list.names[i]),
                     bg_value_string(call->arena, sha));
    }
    return 0;
}

static void push_write(struct bg_pair_eval *ev, struct bg_arena *a, const char *name,
                       const char *source, const char *sha, unsigned mode)
{
    size_t n = ev->nwrites;
    struct bg_file_write *w = bg_arena_calloc(a, n + 1, sizeof(*w));
    const char **src = bg_arena_calloc(a, n + 1, sizeof(*src));
    const char **shas = bg_arena_calloc(a, n + 1, sizeof(*shas));

    if (n > 0) {
        memcpy(w, ev->writes, n * sizeof(*w));
        memcpy(src, ev->write_sources, n * sizeof(*src));
        memcpy(shas, ev->write_shas, n * sizeof(*shas));
    }
    w[n].name = name;
    w[n].mode = mode;
    src[n] = source;
    shas[n] = bg_arena_strdup(a, sha);
    ev->writes = w;
    ev->write_sources = src;
    ev->write_shas = shas;
    ev->nwrites = n + 1;
}

static void push_name(const char ***list, size_t *n, struct bg_arena *a, const char *name)
{
    const char **grown = bg_arena_calloc(a, *n + 1, sizeof(*grown));

    if (*n > 0)
        memcpy(grown, *list, *n * sizeof(*grown));
    grown[(*n)++] = name;
    *list = grown;
}

static int teardown(struct bg_pair_eval *ev, struct bg_call *call, const struct bg_pair_cfg *cfg)
{
    struct bg_file_list list;
    size_t i;

    if (bg_pair__discover(&list, call, cfg, cfg->standby_cluster) != 0)
        return BG_EIO;
    for (i = 0; i < list.len; i++) {
        if (is_shared(cfg, list.names[i]))
            push_name(&ev->shared, &ev->nshared, call->arena, list.names[i]);
        else
            push_name(&ev->removes, &ev->nremoves, call->arena, list.names[i]);
    }
    ev->own_after.generated = NULL;
    ev->own_after.written = bg_value_map(call->arena, 0);
    return 0;
}

/* An existing target whose content differs: ours to overwrite, or a refusal. Besides the
 * records, the stamp the files engine put on what it wrote counts while it matches the
 * content: a copy renamed into place by an apply killed before it answered is in no record. */
static int check_overwrite(struct bg_call *call, const struct bg_pair_cfg *cfg,
                           const struct bg_pair_own *own, const char *target, const char *disk_sha,
                           const char *stamp)
{
    const char *record = bg_pair__own_record(own, target);
    const char *key = bg_pair__key(call->arena, cfg, target);

    if (bg_pair__own_has(own, target, disk_sha) || strcmp(stamp, disk_sha) == 0)
        return 0;
    if (record != NULL) {
        bg_diag_error(call->diags, path_of(call, "files"), "Standby file edited by hand",
                      "%s was changed after bluegreen wrote it (sha256 %s on disk, %s written) "
                      "and bluegreen never overwrites such edits. To keep the change, make it "
                      "in the live cluster's files or in `substitutions`, then delete %s and "
                      "plan again; to drop it, delete %s (or restore it with git) and plan "
                      "again.",
                      key, disk_sha, record, key, key);
        return BG_ECONFLICT;
    }
    bg_diag_error(call->diags, path_of(call, "name"), "Standby file already exists",
                  "%s exists but was not written by this bluegreen_cluster_pair, so it is not "
                  "overwritten and nothing is written. Remove or rename it, or adopt the pair "
                  "with `terraform import` (id \"%s:%s\").",
                  key, cfg->directory, cfg->name);
    return BG_ECONFLICT;
}

/* Reads a live file and renders its copy into a. A live file with more than one hard link
 * is refused: its bytes may be a file outside the repository, or someone's secrets. */
static int render_source(const char **out, size_t *out_len, struct bg_file_info *info,
                         struct bg_arena *a, const struct bg_pair_cfg *cfg, const char *source,
                         struct bg_error *err)
{
    char *src = NULL, *rendered = NULL;
    size_t len = 0;
    int rc = bg_files_read_info(&src, &len, info, a, cfg->dir_abs, source, err);

    if (rc == 0 && info->nlink > 1)
        return bg_error_set(err, BG_EINVAL,
                            "%s/%s has %lu hard links: its content is also another file, "
                            "possibly outside the repository, so it is not copied. Replace "
                            "the link with a copy of its own (cp --remove-destination).",
                            cfg->directory, source, info->nlink);
    if (rc == 0)
        rc = bg_files_render(&rendered, out_len, a, src, len, cfg->live, cfg->standby_color,
                             cfg->subs, cfg->nsubs, err);
    *out = rendered;
    return rc;
}

/* The sha256 of a live file's copy, and the live file's permission bits. */
static int render_sha(char sha[65], unsigned *mode, struct bg_call *call,
                      const struct bg_pair_cfg *cfg, const char *source)
{
    struct bg_error err = BG_ERROR_INIT;
    struct bg_arena *scratch = bg_arena_new();
    struct bg_file_info info = {0, 0, 0, ""};
    const char *out = NULL;
    size_t out_len = 0;
    int rc = render_source(&out, &out_len, &info, scratch, cfg, source, &err);

    if (rc == 0)
        bg_files_sha256_hex(sha, out, out_len);
    *mode = info.mode;
    bg_arena_free(scratch);
    if (rc != 0)
        return bg_diag_from_error(
            call->diags, path_of(call, "directory"),
            err.code == BG_EINVAL ? "Live file refused" : "Cannot render standby file", &err);
    return 0;
}

static int render_one(struct bg_pair_eval *ev, struct bg_call *call, const struct bg_pair_cfg *cfg,
                      const struct bg_pair_own *own, const char *source)
{
    struct bg_error err = BG_ERROR_INIT;
    const char *target =
        bg_files_rename(call->arena, source, cfg->live_cluster, cfg->standby_cluster);
    struct bg_file_info info;
    char disk[65], sha[65];
    unsigned mode = 0;
    int rc;

    if (render_sha(sha, &mode, call, cfg, source) != 0)
        return BG_EINVAL;
    rc = bg_files_hash(disk, &info, cfg->dir_abs, target, &err);
    if (rc != 0 && rc != BG_ENOTFOUND)
        return bg_diag_from_error(call->diags, path_of(call, "files"), "Cannot read standby file",
                                  &err);
    if (rc == BG_ENOTFOUND || strcmp(disk, sha) != 0) {
        if (rc == 0 && check_overwrite(call, cfg, own, target, disk, info.written_sha) != 0)
            return BG_ECONFLICT;
        push_write(ev, call->arena, target, source, sha, mode);
    }
    bg_value_put(call->arena, ev->files, bg_pair__key(call->arena, cfg, target),
                 bg_value_string(call->arena, sha));
    bg_value_put(call->arena, ev->own_after.written, target, bg_value_string(call->arena, sha));
    return 0;
}

/* A record's copy whose live source is gone: removed when it is still exactly what we
 * wrote; an edited one is kept (and named). */
static void drop_orphan(struct bg_pair_eval *ev, struct bg_call *call,
                        const struct bg_pair_cfg *cfg, const struct bg_pair_own *own,
                        const char *name)
{
    struct bg_error err = BG_ERROR_INIT;
    char disk[65];

    if (bg_value_get(ev->own_after.written, name) != NULL || is_shared(cfg, name) ||
        bg_files_hash(disk, NULL, cfg->dir_abs, name, &err) != 0)
        return;
    if (bg_pair__own_has(own, name, disk) && !own->adopt)
        push_name(&ev->removes, &ev->nremoves, call->arena, name);
    else
        bg_diag_warn(call->diags, path_of(call, "files"), "Edited copy kept",
                     "%s has no live file any more, but it was edited after bluegreen wrote "
                     "it, so it is left in place; delete it by hand if it is not needed.",
                     bg_pair__key(call->arena, cfg, name));
}

static void drop_orphans(struct bg_pair_eval *ev, struct bg_call *call,
                         const struct bg_pair_cfg *cfg, const struct bg_pair_own *own)
{
    const struct bg_value *maps[2] = {own->written, own->recorded};
    size_t i, k;

    for (k = 0; k < 2; k++) {
        for (i = 0; maps[k] != NULL && i < bg_value_len(maps[k]); i++) {
            const char *name = maps[k]->u.map.items[i].key;
            size_t j;
            bool seen = false;

            for (j = 0; j < ev->nremoves && !seen; j++)
                seen = strcmp(ev->removes[j], name) == 0;
            if (!seen)
                drop_orphan(ev, call, cfg, own, name);
        }
    }
}

static int generate(struct bg_pair_eval *ev, struct bg_call *call, const struct bg_pair_cfg *cfg,
                    const struct bg_file_list *sources, const struct bg_pair_own *own)
{
    size_t i;
    int rc = 0;

    ev->own_after.generated = cfg->standby_color;
    ev->own_after.written = bg_value_map(call->arena, sources->len);
    for (i = 0; i < sources->len; i++) {
        if (render_one(ev, call, cfg, own, sources->names[i]) != 0)
            rc = BG_ECONFLICT; /* keep going: report every conflicting file at once */
    }
    if (rc == 0 && own->generated != NULL && strcmp(own->generated, cfg->standby_color) == 0)
        drop_orphans(ev, call, cfg, own);
    return rc;
}

/* The live cluster's files, without the shared ones (which go to ev->shared). */
static int live_sources(struct bg_file_list *out, struct bg_pair_eval *ev, struct bg_call *call,
                        const struct bg_pair_cfg *cfg)
{
    struct bg_file_list all;
    size_t i;

    if (bg_pair__discover(&all, call, cfg, cfg->live_cluster) != 0)
        return BG_EIO;
    out->names = bg_arena_calloc(call->arena, all.len, sizeof(char *));
    out->len = 0;
    for (i = 0; i < all.len; i++) {
        if (is_shared(cfg, all.names[i]))
            push_name(&ev->shared, &ev->nshared, call->arena, all.names[i]);
        else
            out->names[out->len++] = all.names[i];
    }
    return 0;
}

int bg_pair__evaluate(struct bg_pair_eval *out, struct bg_call *call, const struct bg_pair_cfg *cfg,
                      const struct bg_pair_own *own)
{
    struct bg_file_list sources;
    size_t i;

    memset(out, 0, sizeof(*out));
    out->own_after = *own;
    out->own_after.adopt = false;
    out->own_after.recorded = NULL;
    out->files = bg_value_map(call->arena, 0);
    if (live_sources(&sources, out, call, cfg) != 0)
        return BG_EIO;
    if (sources.len == 0) {
        bg_diag_error(call->diags, path_of(call, "live"), "No live cluster files",
                      "No file in %s has \"%s\" in its name (other than files shared with %s), "
                      "so there is nothing to duplicate. Check directory, name and live.",
                      cfg->directory, cfg->live_cluster, cfg->standby_cluster);
        return BG_ENOTFOUND;
    }
    out->source_files = bg_value_array(call->arena, sources.len);
    for (i = 0; i < sources.len; i++)
        bg_value_append(
            call->arena, out->source_files,
            bg_value_string(call->arena, bg_pair__key(call->arena, cfg, sources.names[i])));
    if (!cfg->standby)
        return teardown(out, call, cfg);
    if (own->generated != NULL && strcmp(own->generated, cfg->live) == 0)
        /* Promoted: the standby color is the old cluster, left exactly as it is. */
        return hash_cluster(out->files, call, cfg, cfg->standby_cluster);
    return generate(out, call, cfg, &sources, own);
}

struct producer {
    const struct bg_pair_cfg *cfg;
    const struct bg_pair_eval *ev;
};

/* Called by the files engine right before file i's temporary is written. */
static int produce(const char **data, size_t *len, struct bg_arena *a, void *ctx, size_t i,
                   struct bg_error *err)
{
    const struct producer *p = ctx;
    struct bg_file_info info = {0, 0, 0, ""};
    char sha[65];
    int rc = render_source(data, len, &info, a, p->cfg, p->ev->write_sources[i], err);

    if (rc != 0)
        return rc;
    bg_files_sha256_hex(sha, *data, *len);
    if (strcmp(sha, p->ev->write_shas[i]) != 0)
        return bg_error_set(err, BG_ECONFLICT,
                            "%s/%s changed while its copy was being written; nothing was "
                            "written, run terraform plan again",
                            p->cfg->directory, p->ev->write_sources[i]);
    return 0;
}

int bg_pair__write(const struct bg_pair_cfg *cfg, const struct bg_pair_eval *ev,
                   struct bg_error *err)
{
    struct producer p = {cfg, ev};

    return bg_files_write_all_from(cfg->dir_abs, ev->writes, ev->nwrites, produce, &p, err);
}

void bg_pair__clean_temps(struct bg_call *call, const struct bg_pair_cfg *cfg)
{
    const char *clusters[2] = {cfg->live_cluster, cfg->standby_cluster};
    struct bg_error err = BG_ERROR_INIT;
    size_t removed = 0;

    /* Litter only: a failure is logged, never a reason to refuse the plan. */
    if (bg_files_clean_temps(&removed, cfg->dir_abs, clusters, 2, &err) != 0)
        bg_log(call->log, BG_LOG_WARN, "cluster_pair", NULL, "%s", err.msg);
    else if (removed > 0)
        bg_log(call->log, BG_LOG_INFO, "cluster_pair", NULL,
               "%s: removed %zu temporary file(s) left by an interrupted apply", cfg->directory,
               removed);
}
