/*
 * cluster_pair_eval.c - compares the configuration with the disk and decides every file
 * operation. Plan and apply both call bg_pair__evaluate, so the `files` hashes a reviewer sees in
 * the plan are the bytes apply writes (rendering is deterministic).
 */
#include <string.h>

#include "cluster_pair.h"

int bg_pair__disk_sha(char out[65], struct bg_arena *a, const char *dir_abs, const char *name,
                      struct bg_error *err)
{
    char *data = NULL;
    size_t len = 0;
    int rc = bg_files_read(&data, &len, a, dir_abs, name, err);

    if (rc == 0)
        bg_files_sha256_hex(out, data, len);
    return rc;
}

static const struct bg_path *path_of(struct bg_call *call, const char *attr)
{
    return bg_path_attr(call->arena, NULL, attr);
}

static int discover(struct bg_file_list *out, struct bg_call *call, const struct bg_pair_cfg *cfg,
                    const char *cluster)
{
    struct bg_error err = BG_ERROR_INIT;

    if (bg_files_discover_cached(out, call->arena, call->dircache, cfg->dir_abs, cluster, &err) !=
        0)
        return bg_diag_from_error(call->diags, path_of(call, "directory"),
                                  "Cannot list cluster files", &err);
    return 0;
}

/* Hashes of the files of a cluster as they are on disk (old cluster after a promotion). */
static int hash_cluster(struct bg_value *files, struct bg_call *call, const struct bg_pair_cfg *cfg,
                        const char *cluster)
{
    struct bg_error err = BG_ERROR_INIT;
    struct bg_file_list list;
    char sha[65];
    size_t i;

    if (discover(&list, call, cfg, cluster) != 0)
        return BG_EIO;
    for (i = 0; i < list.len; i++) {
        if (bg_pair__disk_sha(sha, call->arena, cfg->dir_abs, list.names[i], &err) != 0)
            return bg_diag_from_error(call->diags, path_of(call, "directory"),
                                      "Cannot read cluster file", &err);
        bg_value_put(call->arena, files, bg_pair__key(call->arena, cfg, list.names[i]),
                     bg_value_string(call->arena, sha));
    }
    return 0;
}

static void push_write(struct bg_pair_eval *ev, struct bg_arena *a, const char *name,
                       const char *data, size_t len)
{
    struct bg_file_write *grown = bg_arena_calloc(a, ev->nwrites + 1, sizeof(*grown));

    if (ev->nwrites > 0)
        memcpy(grown, ev->writes, ev->nwrites * sizeof(*grown));
    grown[ev->nwrites].name = name;
    grown[ev->nwrites].data = data;
    grown[ev->nwrites++].len = len;
    ev->writes = grown;
}

static void push_remove(struct bg_pair_eval *ev, struct bg_arena *a, const char *name)
{
    const char **grown = bg_arena_calloc(a, ev->nremoves + 1, sizeof(*grown));

    if (ev->nremoves > 0)
        memcpy(grown, ev->removes, ev->nremoves * sizeof(*grown));
    grown[ev->nremoves++] = name;
    ev->removes = grown;
}

static int teardown(struct bg_pair_eval *ev, struct bg_call *call, const struct bg_pair_cfg *cfg)
{
    struct bg_file_list list;
    size_t i;

    if (discover(&list, call, cfg, cfg->standby_cluster) != 0)
        return BG_EIO;
    for (i = 0; i < list.len; i++)
        push_remove(ev, call->arena, list.names[i]);
    ev->own_after.generated = NULL;
    ev->own_after.written = bg_value_map(call->arena, 0);
    return 0;
}

/* An existing target whose content differs: ours to overwrite, or a refusal. */
static int check_overwrite(struct bg_call *call, const struct bg_pair_cfg *cfg,
                           const struct bg_pair_own *own, const char *target, const char *disk_sha)
{
    const char *written = bg_value_as_string(bg_value_get(own->written, target));
    const char *key = bg_pair__key(call->arena, cfg, target);

    if (own->adopt || (written != NULL && strcmp(written, disk_sha) == 0))
        return 0;
    if (written != NULL) {
        bg_diag_error(call->diags, path_of(call, "files"), "Standby file edited by hand",
                      "%s was changed after bluegreen wrote it (sha256 %s on disk, %s written) "
                      "and bluegreen never overwrites such edits. To keep the change, make it "
                      "in the live cluster's files or in `substitutions`, then delete %s and "
                      "plan again; to drop it, delete %s (or restore it with git) and plan "
                      "again.",
                      key, disk_sha, written, key, key);
        return BG_ECONFLICT;
    }
    bg_diag_error(call->diags, path_of(call, "name"), "Standby file already exists",
                  "%s exists but was not written by this bluegreen_cluster_pair, so it is not "
                  "overwritten and nothing is written. Remove or rename it, or adopt the pair "
                  "with `terraform import` (id \"%s:%s\").",
                  key, cfg->directory, cfg->name);
    return BG_ECONFLICT;
}

static int render_one(struct bg_pair_eval *ev, struct bg_call *call, const struct bg_pair_cfg *cfg,
                      const struct bg_pair_own *own, const char *source)
{
    struct bg_error err = BG_ERROR_INIT;
    char *src = NULL, *out = NULL, disk[65], sha[65];
    size_t len = 0, out_len = 0;
    const char *target =
        bg_files_rename(call->arena, source, cfg->live_cluster, cfg->standby_cluster);
    int rc;

    if (bg_files_read(&src, &len, call->arena, cfg->dir_abs, source, &err) != 0 ||
        bg_files_render(&out, &out_len, call->arena, src, len, cfg->live, cfg->standby_color,
                        cfg->subs, cfg->nsubs, &err) != 0)
        return bg_diag_from_error(call->diags, path_of(call, "directory"),
                                  "Cannot render standby file", &err);
    bg_files_sha256_hex(sha, out, out_len);
    rc = bg_pair__disk_sha(disk, call->arena, cfg->dir_abs, target, &err);
    if (rc != 0 && rc != BG_ENOTFOUND)
        return bg_diag_from_error(call->diags, path_of(call, "files"), "Cannot read standby file",
                                  &err);
    if (rc == BG_ENOTFOUND || strcmp(disk, sha) != 0) {
        if (rc == 0 && check_overwrite(call, cfg, own, target, disk) != 0)
            return BG_ECONFLICT;
        push_write(ev, call->arena, target, out, out_len);
    }
    bg_value_put(call->arena, ev->files, bg_pair__key(call->arena, cfg, target),
                 bg_value_string(call->arena, sha));
    bg_value_put(call->arena, ev->own_after.written, target, bg_value_string(call->arena, sha));
    return 0;
}

/* Copies we wrote earlier whose live source is gone are ours to remove. */
static void drop_orphans(struct bg_pair_eval *ev, struct bg_call *call,
                         const struct bg_pair_own *own)
{
    size_t i;

    for (i = 0; own->written != NULL && i < bg_value_len(own->written); i++) {
        const char *name = own->written->u.map.items[i].key;

        if (bg_value_get(ev->own_after.written, name) == NULL)
            push_remove(ev, call->arena, name);
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
    if (own->generated != NULL && strcmp(own->generated, cfg->standby_color) == 0)
        drop_orphans(ev, call, own);
    return rc;
}

int bg_pair__evaluate(struct bg_pair_eval *out, struct bg_call *call, const struct bg_pair_cfg *cfg,
                      const struct bg_pair_own *own)
{
    struct bg_file_list sources;
    size_t i;

    memset(out, 0, sizeof(*out));
    out->own_after = *own;
    out->own_after.adopt = false;
    out->files = bg_value_map(call->arena, 0);
    if (discover(&sources, call, cfg, cfg->live_cluster) != 0)
        return BG_EIO;
    if (sources.len == 0) {
        bg_diag_error(call->diags, path_of(call, "live"), "No live cluster files",
                      "No file in %s has \"%s\" in its name, so there is nothing to duplicate. "
                      "Check directory, name and live.",
                      cfg->directory, cfg->live_cluster);
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
