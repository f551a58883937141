/*
 * cluster_pair_eval.c - compares the configuration with the disk and decides every file
 * operation. Plan and apply both call bg_pair__evaluate, so the `files` hashes and the
 * `contents` a reviewer sees in the plan are the bytes apply writes (rendering is
 * deterministic). In verify mode nothing is planned for writing: what would be written or
 * removed becomes an issue (cluster_pair_verify.c reports them).
 *
 * Memory: each live file is read and rendered in an arena of its own, freed once its hash
 * is known (the text is kept for `contents` only within its limits), and files on disk are
 * hashed in chunks; apply renders each copy again right before writing it. A pair costs one
 * live file and its rendering at a time (about three times the largest live file), plus
 * `contents` (at most BG_PAIR_CONTENTS_MAX_TOTAL), whatever the number of files.
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

static void push_name(const char ***list, size_t *n, struct bg_arena *a, const char *name)
{
    const char **grown = bg_arena_calloc(a, *n + 1, sizeof(*grown));

    if (*n > 0)
        memcpy(grown, *list, *n * sizeof(*grown));
    grown[(*n)++] = name;
    *list = grown;
}

/* Hashes of a cluster's files as they are on disk; with removes, they are also the files
 * the apply deletes (teardown). */
static int hash_cluster(struct bg_pair_eval *ev, struct bg_call *call,
                        const struct bg_pair_cfg *cfg, const char *cluster, bool removes)
{
    struct bg_error err = BG_ERROR_INIT;
    struct bg_file_list list;
    char sha[65];
    size_t i, n;

    if (bg_pair__discover(&list, call, cfg, cluster) != 0)
        return BG_EIO;
    for (i = 0; i < list.len; i++) {
        if (is_shared(cfg, list.names[i])) {
            if (removes)
                push_name(&ev->shared, &ev->nshared, call->arena, list.names[i]);
            continue;
        }
        if (bg_files_hash(sha, NULL, cfg->dir_abs, list.names[i], &err) != 0)
            return bg_diag_from_error(call->diags, path_of(call, "directory"),
                                      "Cannot read cluster file", &err);
        if (removes) {
            n = ev->nremoves;
            push_name(&ev->remove_shas, &n, call->arena, bg_arena_strdup(call->arena, sha));
            push_name(&ev->removes, &ev->nremoves, call->arena, list.names[i]);
        } else {
            bg_value_put(call->arena, ev->files, bg_pair__key(call->arena, cfg, list.names[i]),
                         bg_value_string(call->arena, sha));
        }
    }
    return 0;
}

static void push_issue(struct bg_pair_eval *ev, struct bg_arena *a,
                       const struct bg_pair_issue *issue)
{
    struct bg_pair_issue *grown = bg_arena_calloc(a, ev->nissues + 1, sizeof(*grown));

    if (ev->nissues > 0)
        memcpy(grown, ev->issues, ev->nissues * sizeof(*grown));
    grown[ev->nissues++] = *issue;
    ev->issues = grown;
}

/* Files to delete: unlinked by apply, or issues in verify mode. */
static void plan_remove(struct bg_pair_eval *ev, struct bg_call *call,
                        const struct bg_pair_cfg *cfg, const char *name, const char *sha)
{
    struct bg_pair_issue issue = {BG_PAIR_EXTRA, name, NULL, sha, NULL};
    size_t n = ev->nremoves;

    if (cfg->verify) {
        push_issue(ev, call->arena, &issue);
        return;
    }
    push_name(&ev->remove_shas, &n, call->arena, sha);
    push_name(&ev->removes, &ev->nremoves, call->arena, name);
}

static int teardown(struct bg_pair_eval *ev, struct bg_call *call, const struct bg_pair_cfg *cfg)
{
    size_t i;

    ev->phase = BG_PAIR_TEARDOWN;
    if (hash_cluster(ev, call, cfg, cfg->live_cluster, false) != 0 ||
        hash_cluster(ev, call, cfg, cfg->standby_cluster, true) != 0)
        return BG_EIO;
    if (cfg->verify) { /* what hash_cluster listed for removal becomes issues */
        for (i = 0; i < ev->nremoves; i++)
            plan_remove(ev, call, cfg, ev->removes[i], ev->remove_shas[i]);
        ev->nremoves = 0;
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

/* Reads a live file and renders its copy target into a (counts: NULL or cfg->nsubs
 * counters). A live file with more than one hard link is refused: its bytes may be a file
 * outside the repository, or someone's secrets. *live_sha (NULL allowed): the live file's. */
static int render_source(const char **out, size_t *out_len, struct bg_file_info *info,
                         char *live_sha, struct bg_arena *a, const struct bg_pair_cfg *cfg,
                         const char *source, const char *target, size_t *counts,
                         struct bg_error *err)
{
    struct bg_render_opts o = {cfg->live, cfg->standby_color,          cfg->subs, cfg->nsubs,
                               counts,    bg_files_is_hcl_name(target)};
    char *src = NULL, *rendered = NULL;
    size_t len = 0;
    int rc = bg_files_read_info(&src, &len, info, a, cfg->dir_abs, source, err);

    if (rc == 0 && info->nlink > 1)
        return bg_error_set(err, BG_EINVAL,
                            "%s/%s has %lu hard links: its content is also another file, "
                            "possibly outside the repository, so it is not copied. Replace "
                            "the link with a copy of its own (cp --remove-destination).",
                            cfg->directory, source, info->nlink);
    if (rc == 0 && live_sha != NULL)
        bg_files_sha256_hex(live_sha, src, len);
    if (rc == 0)
        rc = bg_files_render_with(&rendered, out_len, a, src, len, &o, err);
    *out = rendered;
    return rc;
}

/* A copy being evaluated: its rendering lives in scratch until the copy is decided. */
struct copy {
    const char *source, *target;
    const char *text; /* the rendering */
    size_t len;
    char sha[65], live_sha[65];
    unsigned mode;
    struct bg_arena *scratch;
};

static int render_copy(struct copy *c, struct bg_call *call, const struct bg_pair_cfg *cfg,
                       size_t *counts)
{
    struct bg_error err = BG_ERROR_INIT;
    struct bg_file_info info = {0, 0, 0, ""};
    int rc = render_source(&c->text, &c->len, &info, c->live_sha, c->scratch, cfg, c->source,
                           c->target, counts, &err);

    c->mode = info.mode;
    if (rc != 0)
        return bg_diag_from_error(
            call->diags, path_of(call, "directory"),
            err.code == BG_EINVAL ? "Live file refused" : "Cannot render standby file", &err);
    bg_files_sha256_hex(c->sha, c->text, c->len);
    return 0;
}

/* What `contents` shows for a copy: its text, or a note within the limits. */
static void put_contents(struct bg_pair_eval *ev, struct bg_call *call, const char *key,
                         const char *text, size_t len, const char *sha)
{
    struct bg_arena *a = call->arena;
    const char *shown;

    if (!bg_files_utf8_valid(text, len) || memchr(text, '\0', len) != NULL)
        shown = bg_arena_printf(a, "(not shown: not UTF-8 text; %zu bytes, sha256 %s)", len, sha);
    else if (len > BG_PAIR_CONTENTS_MAX_FILE)
        shown = bg_arena_printf(a,
                                "(not shown: %zu bytes, over the %u-byte limit of contents; "
                                "sha256 %s)",
                                len, BG_PAIR_CONTENTS_MAX_FILE, sha);
    else if (len > BG_PAIR_CONTENTS_MAX_TOTAL - ev->contents_total)
        shown = bg_arena_printf(a,
                                "(not shown: contents holds at most %u bytes of all copies; "
                                "%zu bytes, sha256 %s)",
                                BG_PAIR_CONTENTS_MAX_TOTAL, len, sha);
    else
        shown = NULL;
    if (shown == NULL)
        ev->contents_total += len;
    bg_value_put(a, ev->contents, key,
                 shown != NULL ? bg_value_string(a, shown) : bg_value_stringn(a, text, len));
}

/* A copy on disk that differs from the rendering only as terraform fmt would change it is
 * kept as it is: formatting a copy is no edit. *sha becomes the disk's. */
static bool formatted_copy(struct copy *c, const struct bg_pair_cfg *cfg, const char *disk_sha,
                           const char **text, size_t *len)
{
    struct bg_error err = BG_ERROR_INIT;
    char *disk = NULL;
    size_t n = 0;

    if (!bg_files_is_hcl_name(c->target) ||
        bg_files_read(&disk, &n, c->scratch, cfg->dir_abs, c->target, &err) != 0 ||
        !bg_files_hcl_equivalent(c->scratch, disk, n, c->text, c->len))
        return false;
    bg_files_sha256_hex(c->sha, disk, n);
    if (strcmp(c->sha, disk_sha) != 0) { /* changed since it was hashed: not what we saw */
        bg_files_sha256_hex(c->sha, c->text, c->len);
        return false;
    }
    *text = disk;
    *len = n;
    return true;
}

static void push_write(struct bg_pair_eval *ev, struct bg_arena *a, const struct copy *c)
{
    size_t n = ev->nwrites, k = ev->nwrites;
    struct bg_file_write *w = bg_arena_calloc(a, n + 1, sizeof(*w));

    if (n > 0)
        memcpy(w, ev->writes, n * sizeof(*w));
    w[n].name = c->target;
    w[n].mode = c->mode;
    ev->writes = w;
    push_name(&ev->write_sources, &k, a, c->source);
    k = n;
    push_name(&ev->write_shas, &k, a, bg_arena_strdup(a, c->sha));
    ev->nwrites = n + 1;
}

/* The copy differs from the disk (rc: what hashing the target said). */
static int differs(struct bg_pair_eval *ev, struct bg_call *call, const struct bg_pair_cfg *cfg,
                   const struct bg_pair_own *own, const struct copy *c, int rc, const char *disk,
                   const char *stamp)
{
    struct bg_pair_issue issue = {BG_PAIR_MISSING, c->target, c->source, NULL, NULL};

    if (cfg->verify) {
        issue.want = bg_arena_strdup(call->arena, c->sha);
        if (rc == 0) {
            issue.disk = bg_arena_strdup(call->arena, disk);
            issue.kind = bg_pair__own_has(own, c->target, disk) || strcmp(stamp, disk) == 0
                             ? BG_PAIR_STALE
                             : BG_PAIR_EDITED;
        }
        push_issue(ev, call->arena, &issue);
        return 0;
    }
    if (rc == 0 && check_overwrite(call, cfg, own, c->target, disk, stamp) != 0)
        return BG_ECONFLICT;
    if (rc != 0 && bg_pair__own_record(own, c->target) != NULL)
        push_name(&ev->recreated, &ev->nrecreated, call->arena, c->target);
    push_write(ev, call->arena, c);
    return 0;
}

static int decide(struct bg_pair_eval *ev, struct bg_call *call, const struct bg_pair_cfg *cfg,
                  const struct bg_pair_own *own, struct copy *c)
{
    struct bg_error err = BG_ERROR_INIT;
    struct bg_file_info info;
    const char *text = c->text;
    size_t len = c->len;
    char disk[65];
    int rc = bg_files_hash(disk, &info, cfg->dir_abs, c->target, &err);

    if (rc != 0 && rc != BG_ENOTFOUND)
        return bg_diag_from_error(call->diags, path_of(call, "files"), "Cannot read standby file",
                                  &err);
    if ((rc == BG_ENOTFOUND || strcmp(disk, c->sha) != 0) &&
        (rc != 0 || !formatted_copy(c, cfg, disk, &text, &len)) &&
        differs(ev, call, cfg, own, c, rc, disk, info.written_sha) != 0)
        return BG_ECONFLICT;
    put_contents(ev, call, bg_pair__key(call->arena, cfg, c->target), text, len, c->sha);
    return 0;
}

static int render_one(struct bg_pair_eval *ev, struct bg_call *call, const struct bg_pair_cfg *cfg,
                      const struct bg_pair_own *own, const char *source)
{
    struct copy c;
    int rc;

    memset(&c, 0, sizeof(c));
    c.source = source;
    c.target = bg_files_rename(call->arena, source, cfg->live_cluster, cfg->standby_cluster);
    c.scratch = bg_arena_new();
    rc = render_copy(&c, call, cfg, ev->sub_counts);
    if (rc == 0)
        rc = decide(ev, call, cfg, own, &c);
    if (rc == 0) {
        bg_value_put(call->arena, ev->files, bg_pair__key(call->arena, cfg, source),
                     bg_value_string(call->arena, c.live_sha));
        bg_value_put(call->arena, ev->files, bg_pair__key(call->arena, cfg, c.target),
                     bg_value_string(call->arena, c.sha));
        bg_value_put(call->arena, ev->own_after.written, c.target,
                     bg_value_string(call->arena, c.sha));
    }
    bg_arena_free(c.scratch);
    return rc == 0 ? 0 : BG_ECONFLICT;
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
        plan_remove(ev, call, cfg, name, bg_arena_strdup(call->arena, disk));
    else
        bg_diag_warn(call->diags, path_of(call, "files"), "Edited copy kept",
                     "%s has no live file any more, but it was edited after bluegreen wrote "
                     "it, so it is left in place; delete it by hand if it is not needed.",
                     bg_pair__key(call->arena, cfg, name));
}

static bool planned_removal(const struct bg_pair_eval *ev, const char *name)
{
    size_t i;

    for (i = 0; i < ev->nremoves; i++) {
        if (strcmp(ev->removes[i], name) == 0)
            return true;
    }
    for (i = 0; i < ev->nissues; i++) {
        if (ev->issues[i].kind == BG_PAIR_EXTRA && strcmp(ev->issues[i].name, name) == 0)
            return true;
    }
    return false;
}

static void drop_orphans(struct bg_pair_eval *ev, struct bg_call *call,
                         const struct bg_pair_cfg *cfg, const struct bg_pair_own *own)
{
    const struct bg_value *maps[2] = {own->written, own->recorded};
    size_t i, k;

    for (k = 0; k < 2; k++) {
        for (i = 0; maps[k] != NULL && i < bg_value_len(maps[k]); i++) {
            const char *name = maps[k]->u.map.items[i].key;

            if (!planned_removal(ev, name))
                drop_orphan(ev, call, cfg, own, name);
        }
    }
}

/* A key that replaced nothing in any live file is most likely a typo ("1.51" for "1.15"). */
static void warn_unmatched(struct bg_call *call, const struct bg_pair_cfg *cfg,
                           const struct bg_pair_eval *ev)
{
    size_t i;

    for (i = 0; i < cfg->nsubs; i++) {
        if (ev->sub_counts[i] > 0)
            continue;
        bg_diag_warn(call->diags,
                     bg_path_key(call->arena, path_of(call, "substitutions"), cfg->subs[i].from),
                     "Substitution matched nothing",
                     "substitutions[\"%s\"] matched no text in any of %s's files (after the "
                     "color swap), so it changes nothing. Check the key for a typo.",
                     bg_files_escape(call->arena, cfg->subs[i].from), cfg->live_cluster);
    }
}

static int generate(struct bg_pair_eval *ev, struct bg_call *call, const struct bg_pair_cfg *cfg,
                    const struct bg_file_list *sources, const struct bg_pair_own *own)
{
    size_t i;
    int rc = 0;

    ev->phase = BG_PAIR_GENERATE;
    ev->own_after.generated = cfg->standby_color;
    ev->own_after.written = bg_value_map(call->arena, sources->len);
    ev->contents = bg_value_map(call->arena, sources->len);
    ev->sub_counts = bg_arena_calloc(call->arena, cfg->nsubs, sizeof(size_t));
    for (i = 0; i < sources->len; i++) {
        if (render_one(ev, call, cfg, own, sources->names[i]) != 0)
            rc = BG_ECONFLICT; /* keep going: report every conflicting file at once */
    }
    if (rc == 0 && own->generated != NULL && strcmp(own->generated, cfg->standby_color) == 0)
        drop_orphans(ev, call, cfg, own);
    if (rc == 0)
        warn_unmatched(call, cfg, ev);
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
    if (own->generated != NULL && strcmp(own->generated, cfg->live) == 0) {
        /* Promoted: both clusters' files stay exactly as they are. */
        out->phase = BG_PAIR_PROMOTED;
        if (hash_cluster(out, call, cfg, cfg->live_cluster, false) != 0 ||
            hash_cluster(out, call, cfg, cfg->standby_cluster, false) != 0)
            return BG_EIO;
        return 0;
    }
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
    int rc = render_source(data, len, &info, NULL, a, p->cfg, p->ev->write_sources[i],
                           p->ev->writes[i].name, NULL, err);

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

    if (cfg->verify)
        return; /* verify mode deletes nothing, not even litter */
    /* Litter only: a failure is logged, never a reason to refuse the plan. */
    if (bg_files_clean_temps_cached(&removed, call->dircache, cfg->dir_abs, clusters, 2, &err) != 0)
        bg_log(call->log, BG_LOG_WARN, "cluster_pair", NULL, "%s", err.msg);
    else if (removed > 0)
        bg_log(call->log, BG_LOG_INFO, "cluster_pair", NULL,
               "%s: removed %zu temporary file(s) left by an interrupted apply", cfg->directory,
               removed);
}
