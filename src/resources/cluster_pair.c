/*
 * cluster_pair.c - resource bluegreen_cluster_pair: schema table and lifecycle hooks.
 *
 * The standby cluster's files are duplicated from the live cluster's by naming convention
 * (cluster_pair_eval.c decides what to write or remove); promotion swaps roles without
 * touching a file; standby = false tears the non-live color's files down. What this resource
 * wrote is recorded twice, in private state and in the state's `files` and `generated_color`
 * (cluster_pair_own.c), so it never overwrites a hand edit nor deletes a file it does not own,
 * and a killed apply (which loses the private state) is finished by the next one.
 */
#include <string.h>

#include "cluster_pair.h"

static const char *const description =
    "Duplicates an EKS cluster's Terraform files under the standby color of a blue-green pair "
    "(`aws-prod-spoon` -> `aws-prod-knife`), promotes the standby color to live, and removes "
    "the old color's files (teardown) so that the next apply destroys the old cluster.";

static const size_t two[2] = {2, 2};
static const struct bg_type map_number = {BG_TYPE_MAP, &bg_type_number, NULL, 0};
static void check_colors(struct bg_diags *d, const struct bg_path *path, const struct bg_value *v,
                         const void *arg);
static void check_name(struct bg_diags *d, const struct bg_path *path, const struct bg_value *v,
                       const void *arg);
static void check_directory(struct bg_diags *d, const struct bg_path *path,
                            const struct bg_value *v, const void *arg);

static const struct bg_validator directory_validators[] = {
    {bg_validate_not_empty, NULL, NULL},
    {check_directory, NULL, "A relative path."},
    {NULL, NULL, NULL}};
static const struct bg_validator name_validators[] = {
    {check_name, NULL, "Letters, digits, `-`, `_` and `.`, not starting with `.` or `-`."},
    {NULL, NULL, NULL}};
static const struct bg_validator colors_validators[] = {
    {bg_validate_length, two, NULL},
    {check_colors, NULL, "Two distinct names of lowercase letters and digits."},
    {NULL, NULL, NULL}};
static const struct bg_validator live_validators[] = {{bg_validate_not_empty, NULL, NULL},
                                                      {NULL, NULL, NULL}};

static const struct bg_attr attrs[] = {
    {.name = "id",
     .type = &bg_type_string,
     .flags = BG_COMPUTED | BG_USE_STATE,
     .description = "`<directory>:<name>`, also the import ID.",
     .slot = BG_SLOT_STRING(struct bg_pair_cfg, id)},
    {.name = "directory",
     .type = &bg_type_string,
     .flags = BG_REQUIRED | BG_FORCE_NEW,
     .description = "Folder holding the cluster files, relative to the working directory. "
                    "It must lie inside the provider's `repository_root`.",
     .validators = directory_validators,
     .slot = BG_SLOT_STRING(struct bg_pair_cfg, directory)},
    {.name = "name",
     .type = &bg_type_string,
     .flags = BG_REQUIRED | BG_FORCE_NEW,
     .description = "Cluster base name: the two clusters are `<name>-<color>`, e.g. "
                    "`aws-prod` gives `aws-prod-spoon` and `aws-prod-knife`.",
     .validators = name_validators,
     .slot = BG_SLOT_STRING(struct bg_pair_cfg, name)},
    {.name = "colors",
     .type = &bg_type_list_string,
     .flags = BG_OPTIONAL | BG_FORCE_NEW,
     .default_json = "[\"spoon\",\"knife\"]",
     .description = "The two color names: distinct, lowercase letters and digits.",
     .validators = colors_validators,
     .slot = BG_SLOT_STRINGS(struct bg_pair_cfg, color_list, ncolors)},
    {.name = "live",
     .type = &bg_type_string,
     .flags = BG_REQUIRED,
     .description = "The color that serves production; one of `colors`. Changing it to the "
                    "standby color promotes the standby cluster and changes no file.",
     .validators = live_validators,
     .slot = BG_SLOT_STRING(struct bg_pair_cfg, live)},
    {.name = "standby",
     .type = &bg_type_bool,
     .flags = BG_OPTIONAL,
     .default_json = "true",
     .description = "Whether the non-live color's files exist. `false` removes them "
                    "(teardown), so the next apply destroys that cluster.",
     .slot = BG_SLOT_BOOL(struct bg_pair_cfg, standby)},
    {.name = "substitutions",
     .type = &bg_type_map_string,
     .flags = BG_OPTIONAL,
     .description = "Extra literal replacements applied to generated copies after the color "
                    "swap, e.g. `{ \"1.15\" = \"1.18\" }`. At each position the longest key "
                    "wins; replaced text is not scanned again.",
     .slot = BG_SLOT_PAIRS(struct bg_pair_cfg, sub_pairs, nsub_pairs)},
    {.name = "live_cluster",
     .type = &bg_type_string,
     .flags = BG_COMPUTED,
     .description = "The live cluster's name, e.g. `aws-prod-spoon`.",
     .slot = BG_SLOT_STRING(struct bg_pair_cfg, live_cluster)},
    {.name = "standby_cluster",
     .type = &bg_type_string,
     .flags = BG_COMPUTED,
     .description = "The standby cluster's name, e.g. `aws-prod-knife`.",
     .slot = BG_SLOT_STRING(struct bg_pair_cfg, standby_cluster)},
    {.name = "standby_color",
     .type = &bg_type_string,
     .flags = BG_COMPUTED,
     .description = "The color that is not live.",
     .slot = BG_SLOT_STRING(struct bg_pair_cfg, standby_color)},
    {.name = "source_files",
     .type = &bg_type_list_string,
     .flags = BG_COMPUTED,
     .description = "The live files the copies are rendered from (`<directory>/<file>`), "
                    "sorted. Kept by a promotion, empty after teardown.",
     .slot = BG_SLOT_STRINGS(struct bg_pair_cfg, source_list, nsource)},
    {.name = "files",
     .type = &bg_type_map_string,
     .flags = BG_COMPUTED,
     .description = "Every file of both clusters (`<directory>/<file>`, shared files aside) "
                    "and the sha256 hex of its content after apply: the live files as they "
                    "are, the standby copies as apply will write them. Planned exactly before "
                    "anything is written; a promotion changes none, a teardown lists each "
                    "file it deletes with its hash.",
     .slot = BG_SLOT_PAIRS(struct bg_pair_cfg, file_pairs, nfile_pairs)},
    {.name = "contents",
     .type = &bg_type_map_string,
     .flags = BG_COMPUTED,
     .description = "Each generated copy (`<directory>/<file>`) and its full text after "
                    "apply, so the plan shows what will be written (as text on create, as a "
                    "line diff on change). A copy over 1 MiB, past 8 MiB for all copies, or "
                    "not UTF-8 is shown as a one-line note with its size and sha256. Kept "
                    "unchanged by promotion and teardown. Costs its size once more in the "
                    "state.",
     .slot = BG_SLOT_PAIRS(struct bg_pair_cfg, content_pairs, ncontent_pairs)},
    {.name = "substitution_counts",
     .type = &map_number,
     .flags = BG_COMPUTED,
     .description = "Each `substitutions` key and the replacements it made in all copies. "
                    "A key that made none is also named in a warning.",
     .slot = BG_SLOT_COUNTS(struct bg_pair_cfg, counts, ncounts)},
    {.name = "generated_color",
     .type = &bg_type_string,
     .flags = BG_COMPUTED,
     .description = "The color whose files this resource generated: the standby color until "
                    "a promotion, the live color after it, null after teardown. With `files` it "
                    "records which copies are bluegreen's, so an interrupted apply is finished "
                    "by the next one.",
     .slot = BG_SLOT_STRING(struct bg_pair_cfg, generated_color)},
};

static const struct bg_schema schema = {
    .version = 0,
    .block = {.description = description,
              .attrs = attrs,
              .nattrs = BG_COUNT(attrs),
              .blocks = &bg_pair__guard_block_type,
              .nblocks = 1},
};

static bool is_lower_alnum(const char *s)
{
    for (; *s != '\0'; s++) {
        if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9')))
            return false;
    }
    return true;
}

static void check_colors(struct bg_diags *d, const struct bg_path *path, const struct bg_value *v,
                         const void *arg)
{
    const char *c[2];
    size_t i;

    (void)arg;
    if (bg_value_len(v) != 2)
        return;
    for (i = 0; i < 2; i++) {
        c[i] = bg_value_as_string(v->u.arr.items[i]);
        if (c[i] == NULL || *c[i] == '\0' || !is_lower_alnum(c[i]))
            bg_diag_error(d, bg_path_index(d->arena, path, (int64_t)i), "Invalid color",
                          "colors[%zu] = \"%s\" must be lowercase letters and digits.", i,
                          c[i] != NULL ? c[i] : "");
    }
    if (c[0] != NULL && c[1] != NULL && strcmp(c[0], c[1]) == 0)
        bg_diag_error(d, path, "Colors must differ",
                      "colors = [\"%s\", \"%s\"]: the two colors must be distinct.", c[0], c[1]);
}

static void check_name(struct bg_diags *d, const struct bg_path *path, const struct bg_value *v,
                       const void *arg)
{
    const char *s = bg_value_as_string(v), *p;

    (void)arg;
    for (p = s; p != NULL && *p != '\0'; p++) {
        bool ok = (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
                  (*p >= '0' && *p <= '9') || *p == '-' || *p == '_' || *p == '.';
        if (!ok || (p == s && (*p == '.' || *p == '-')))
            break;
    }
    if (s != NULL && *s != '\0' && *p == '\0')
        return;
    bg_diag_error(d, path, "Invalid cluster name",
                  "name = \"%s\" must be a file-name fragment: letters, digits, '-', '_' and "
                  "'.', not starting with '.' or '-' (no '/' or spaces).",
                  s != NULL ? s : "");
}

static void check_directory(struct bg_diags *d, const struct bg_path *path,
                            const struct bg_value *v, const void *arg)
{
    const char *s = bg_value_as_string(v);

    (void)arg;
    if (s != NULL && s[0] == '/')
        bg_diag_error(d, path, "Directory must be relative",
                      "directory = \"%s\" is absolute; give it relative to the working "
                      "directory, inside the repository root.",
                      s);
}

int bg_pair__cfg_expand(struct bg_pair_cfg *out, struct bg_diags *d, const struct bg_value *v)
{
    /* teardown_guard may name a target group created in the same apply: its unknowns wait
     * for apply (bg_pair__guard_teardown), they do not make the files unknown. */
    struct bg_block args = schema.block;

    args.nblocks = 0;
    memset(out, 0, sizeof(*out));
    if (bg_schema_expand(out, d, &schema.block, v) != 0)
        return BG_EINVAL;
    out->unknown = bg_schema_unknown_arg_path(d->arena, &args, v);
    return 0;
}

struct bg_value *bg_pair__flatten(struct bg_arena *a, const struct bg_pair_cfg *cfg,
                                  const struct bg_value *base)
{
    return bg_schema_flatten(a, &schema.block, cfg, base);
}

/* Cross-attribute check that needs no disk: live must name one of the colors. */
static int pair_validate(struct bg_call *call, const struct bg_value *config)
{
    struct bg_diags quiet; /* the validators explain a bad value */
    struct bg_pair_cfg cfg;

    bg_diags_init(&quiet, call->arena);
    bg_pair__cfg_expand(&cfg, &quiet, config);
    if (cfg.live == NULL || cfg.ncolors != 2 || cfg.color_list[0] == NULL ||
        cfg.color_list[1] == NULL || strcmp(cfg.live, cfg.color_list[0]) == 0 ||
        strcmp(cfg.live, cfg.color_list[1]) == 0)
        return 0; /* unknown, or fine */
    bg_diag_error(call->diags, bg_path_attr(call->arena, NULL, "live"),
                  "Live color is not one of colors",
                  "live = \"%s\" must be one of colors (\"%s\", \"%s\").", cfg.live,
                  cfg.color_list[0], cfg.color_list[1]);
    return BG_EINVAL;
}

void bg_pair__expand_quiet(struct bg_pair_cfg *out, struct bg_arena *a, const struct bg_value *v)
{
    struct bg_diags quiet;

    bg_diags_init(&quiet, a);
    memset(out, 0, sizeof(*out));
    if (v != NULL)
        bg_schema_expand(out, &quiet, &schema.block, v);
}

struct bg_pair *bg_pair__pairs_of(struct bg_arena *a, size_t *n, const struct bg_value *m)
{
    struct bg_pair *out;
    size_t i;

    *n = m != NULL && m->kind == BG_MAP ? m->u.map.len : 0;
    out = bg_arena_calloc(a, *n + 1, sizeof(*out));
    for (i = 0; i < *n; i++) {
        out[i].key = m->u.map.items[i].key;
        out[i].value = bg_value_as_string(m->u.map.items[i].value);
    }
    return out;
}

static const char **strings_of(struct bg_arena *a, size_t *n, const struct bg_value *list)
{
    const char **out;
    size_t i;

    *n = list != NULL && list->kind == BG_ARRAY ? list->u.arr.len : 0;
    out = bg_arena_calloc(a, *n + 1, sizeof(*out));
    for (i = 0; i < *n; i++)
        out[i] = bg_value_as_string(list->u.arr.items[i]);
    return out;
}

static struct bg_count *counts_of(struct bg_arena *a, const struct bg_pair_cfg *cfg,
                                  const struct bg_pair_eval *ev)
{
    struct bg_count *out = bg_arena_calloc(a, cfg->nsubs + 1, sizeof(*out));
    size_t i;

    for (i = 0; i < cfg->nsubs; i++) {
        out[i].key = cfg->subs[i].from;
        out[i].value = (int64_t)ev->sub_counts[i];
    }
    return out;
}

/* A collection of the prior state (wholly known) a phase that renders nothing keeps: its
 * items, or a known empty one where prior has none. */
static void *kept(struct bg_arena *a, void *items)
{
    return items != NULL ? items : bg_arena_calloc(a, 1, sizeof(struct bg_pair));
}

struct bg_value *bg_pair__set_computed(struct bg_arena *a, const struct bg_value *obj,
                                       const struct bg_pair_cfg *cfg, const struct bg_pair_eval *ev,
                                       const struct bg_value *prior)
{
    struct bg_pair_cfg c = *cfg, p;

    bg_pair__expand_quiet(&p, a, prior);
    c.id = bg_arena_printf(a, "%s:%s", cfg->directory, cfg->name);
    c.file_pairs = bg_pair__pairs_of(a, &c.nfile_pairs, ev->files);
    c.generated_color = ev->own_after.generated;
    if (ev->phase == BG_PAIR_GENERATE) {
        c.source_list = strings_of(a, &c.nsource, ev->source_files);
        c.content_pairs = bg_pair__pairs_of(a, &c.ncontent_pairs, ev->contents);
        c.counts = counts_of(a, cfg, ev);
        c.ncounts = cfg->nsubs;
        return bg_pair__flatten(a, &c, obj);
    }
    c.content_pairs = kept(a, p.content_pairs);
    c.ncontent_pairs = p.ncontent_pairs;
    c.counts = kept(a, p.counts);
    c.ncounts = p.ncounts;
    c.source_list = kept(a, ev->phase == BG_PAIR_PROMOTED ? p.source_list : NULL);
    c.nsource = ev->phase == BG_PAIR_PROMOTED ? p.nsource : 0;
    return bg_pair__flatten(a, &c, obj);
}

static void warn_shared(struct bg_call *call, const struct bg_pair_cfg *cfg,
                        const struct bg_pair_eval *ev)
{
    char *list = bg_arena_strdup(call->arena, "");
    size_t i;

    if (ev->nshared == 0)
        return;
    for (i = 0; i < ev->nshared; i++)
        list = bg_arena_printf(call->arena, "%s\n  - %s", list,
                               bg_pair__key(call->arena, cfg, ev->shared[i]));
    bg_diag_warn(call->diags, bg_path_attr(call->arena, NULL, "directory"),
                 "Files shared by both clusters are left alone",
                 "%zu file(s) name both %s and %s, so they belong to neither color alone and are "
                 "treated as shared: never copied, rewritten or deleted by duplication, "
                 "promotion, teardown or destroy:%s",
                 ev->nshared, cfg->live_cluster, cfg->standby_cluster, list);
}

static void warn_removals(struct bg_call *call, const struct bg_pair_cfg *cfg,
                          const struct bg_pair_eval *ev)
{
    char *list = bg_arena_strdup(call->arena, "");
    size_t i;

    if (ev->nremoves == 0)
        return;
    for (i = 0; i < ev->nremoves; i++)
        list = bg_arena_printf(call->arena, "%s\n  - %s (sha256 %s)", list,
                               bg_pair__key(call->arena, cfg, ev->removes[i]), ev->remove_shas[i]);
    bg_diag_warn(call->diags, bg_path_attr(call->arena, NULL, "files"), "Files will be deleted",
                 "Applying this plan deletes %zu file(s) of %s:%s", ev->nremoves,
                 cfg->standby ? cfg->live_cluster : cfg->standby_cluster, list);
}

/* Write mode in CI: a copy written by an earlier apply is not in this checkout, so Terraform
 * loaded the configuration without it and plans to destroy what it declares. */
static void warn_recreated(struct bg_call *call, const struct bg_pair_cfg *cfg,
                           const struct bg_pair_eval *ev)
{
    char *list = bg_arena_strdup(call->arena, "");
    size_t i;

    if (ev->nrecreated == 0)
        return;
    for (i = 0; i < ev->nrecreated; i++)
        list = bg_arena_printf(call->arena, "%s\n  - %s", list,
                               bg_pair__key(call->arena, cfg, ev->recreated[i]));
    bg_diag_warn(call->diags, bg_path_attr(call->arena, NULL, "files"),
                 "Generated files missing from the working directory",
                 "An earlier apply wrote these copies, but they are not here:%s\nThis plan "
                 "writes them again, yet Terraform read the configuration without them: "
                 "anything they declare is planned for destruction in this same run. Commit "
                 "the generated files with the change that generates them, and set "
                 "generated_files = \"verify\" (or BLUEGREEN_GENERATED_FILES=verify) in CI.",
                 list);
}

/* Whether standby = false still removes the old cluster: its files are on disk, or the
 * prior state still lists them (verify mode: the change deleted them already). */
static bool tearing_down(struct bg_call *call, const struct bg_pair_cfg *cfg,
                         const struct bg_pair_eval *ev, const struct bg_value *prior)
{
    struct bg_pair_cfg p;
    size_t i;

    if (cfg->standby)
        return false;
    if (ev->nremoves > 0 || ev->nissues > 0)
        return true;
    bg_pair__expand_quiet(&p, call->arena, prior);
    for (i = 0; i < p.nfile_pairs; i++) {
        const char *name = bg_pair__key_file(p.file_pairs[i].key);

        if (bg_files_has_token(name, strlen(name), cfg->standby_cluster) &&
            !bg_files_has_token(name, strlen(name), cfg->live_cluster))
            return true;
    }
    return false;
}

static int pair_plan(struct bg_call *call, struct bg_plan_req *req)
{
    struct bg_pair_cfg cfg;
    struct bg_pair_own own;
    struct bg_pair_eval ev;

    if (req->destroy)
        return 0;
    if (bg_pair__cfg_read(&cfg, call, req->config, true) != 0)
        return BG_EINVAL;
    if (cfg.unknown != NULL)
        return 0; /* unknown arguments: computed values stay unknown until apply */
    bg_pair__clean_temps(call, &cfg);
    bg_pair__own_read(&own, call->arena, req->prior_private, req->prior);
    if (bg_pair__evaluate(&ev, call, &cfg, &own) != 0)
        return BG_EINVAL;
    if (bg_pair__guard_teardown(call, &cfg, tearing_down(call, &cfg, &ev, req->prior)) != 0)
        return BG_ECONFLICT;
    if (bg_pair__verify_report(call, &cfg, &ev) != 0)
        return BG_ECONFLICT;
    req->planned = bg_pair__set_computed(call->arena, req->planned, &cfg, &ev, req->prior);
    warn_shared(call, &cfg, &ev);
    warn_removals(call, &cfg, &ev);
    warn_recreated(call, &cfg, &ev);
    return 0;
}

/* Apply re-evaluates the disk: if a live file changed after the plan, the hashes differ and
 * nothing is written (the reviewed plan would no longer describe the apply). */
static int check_matches_plan(struct bg_call *call, const struct bg_pair_cfg *planned,
                              const struct bg_pair_eval *ev)
{
    struct bg_value *files = bg_value_map(call->arena, planned->nfile_pairs);
    size_t i;

    if (planned->file_pairs == NULL) /* unknown in the plan */
        return 0;
    for (i = 0; i < planned->nfile_pairs; i++)
        bg_value_put(call->arena, files, planned->file_pairs[i].key,
                     planned->file_pairs[i].value != NULL
                         ? bg_value_string(call->arena, planned->file_pairs[i].value)
                         : bg_value_null(call->arena));
    if (bg_value_equal(files, ev->files))
        return 0;
    bg_diag_error(call->diags, bg_path_attr(call->arena, NULL, "files"),
                  "Cluster files changed since the plan",
                  "The live cluster's files or the standby files changed after this plan was "
                  "made, so applying it would write something nobody reviewed. Nothing was "
                  "written; run terraform plan again.");
    return BG_ECONFLICT;
}

/* Writes first (all or nothing), then removals. */
static int execute(struct bg_call *call, const struct bg_pair_cfg *cfg,
                   const struct bg_pair_eval *ev, bool *wrote)
{
    struct bg_error err = BG_ERROR_INIT;

    *wrote = false;
    if (ev->nwrites > 0 && bg_pair__write(cfg, ev, &err) != 0)
        return bg_diag_from_error(call->diags, bg_path_attr(call->arena, NULL, "files"),
                                  "Cannot write standby files", &err);
    *wrote = true;
    if (ev->nremoves > 0 && bg_files_remove_all(cfg->dir_abs, ev->removes, ev->nremoves, &err) != 0)
        return bg_diag_from_error(call->diags, bg_path_attr(call->arena, NULL, "files"),
                                  "Cannot remove files", &err);
    bg_log(call->log, BG_LOG_INFO, "cluster_pair", NULL, "%s: wrote %zu file(s), removed %zu",
           cfg->standby_cluster, ev->nwrites, ev->nremoves);
    return 0;
}

static int pair_apply(struct bg_call *call, struct bg_apply_req *req)
{
    struct bg_pair_cfg cfg;
    struct bg_pair_own own;
    struct bg_pair_eval ev;
    bool wrote = false;
    int rc;

    req->new_state = (struct bg_value *)req->prior; /* until something changes on disk */
    if (bg_pair__cfg_read(&cfg, call, req->planned, true) != 0)
        return BG_EINVAL;
    if (cfg.unknown != NULL) { /* terraform applies a known configuration */
        bg_diag_error(call->diags, cfg.unknown, "Unknown argument at apply",
                      "%s must be known when bluegreen_cluster_pair is applied.",
                      bg_path_string(call->arena, cfg.unknown));
        return BG_EINVAL;
    }
    bg_pair__clean_temps(call, &cfg);
    bg_pair__own_read(&own, call->arena, req->private_in, req->prior);
    if (bg_pair__evaluate(&ev, call, &cfg, &own) != 0 ||
        bg_pair__verify_report(call, &cfg, &ev) != 0 || check_matches_plan(call, &cfg, &ev) != 0 ||
        bg_pair__guard_teardown(call, &cfg, tearing_down(call, &cfg, &ev, req->prior)) != 0)
        return BG_EINVAL;
    rc = execute(call, &cfg, &ev, &wrote);
    if (!wrote)
        return rc;
    /* Written files are ours from now on, even if a removal failed: record them. */
    req->new_state = bg_pair__set_computed(call->arena, req->planned, &cfg, &ev, req->prior);
    req->private_out = bg_pair__own_write(call->arena, &ev.own_after);
    return rc;
}

/* A record's copy, still exactly as we wrote it: destroy may remove it. */
static bool removable(struct bg_call *call, const struct bg_pair_cfg *cfg,
                      const struct bg_pair_own *own, const char *name)
{
    struct bg_error err = BG_ERROR_INIT;
    size_t n = strlen(name);
    char disk[65];

    if ((bg_files_has_token(name, n, cfg->live_cluster) &&
         bg_files_has_token(name, n, cfg->standby_cluster)) ||
        bg_files_hash(disk, NULL, cfg->dir_abs, name, &err) != 0)
        return false; /* shared, gone or unreadable: left alone */
    if (bg_pair__own_has(own, name, disk))
        return true;
    bg_diag_warn(call->diags, NULL, "Edited copy kept",
                 "%s was edited after bluegreen wrote it and is left in place.",
                 bg_pair__key(call->arena, cfg, name));
    return false;
}

/* Verify mode deletes nothing, not even on destroy: the repository holds the copies. */
static int kept_in_repository(struct bg_call *call, const struct bg_pair_cfg *cfg)
{
    bg_diag_warn(call->diags, NULL, "Generated files left in the repository",
                 "generated_files = \"verify\" deletes no file, so the copies of %s stay in "
                 "%s: delete them in the change that removes the pair (they declare the %s "
                 "cluster).",
                 cfg->standby_cluster, cfg->directory, cfg->standby_cluster);
    return 0;
}

/* Destroy removes only copies this resource generated and that nobody edited since; after a
 * promotion the generated files are the live cluster's, so nothing is removed. */
static int pair_destroy(struct bg_call *call, struct bg_apply_req *req)
{
    struct bg_error err = BG_ERROR_INIT;
    struct bg_pair_cfg cfg;
    struct bg_pair_own own;
    const struct bg_value *maps[2];
    const char **names;
    size_t i, k, n = 0;

    if (bg_pair__cfg_read(&cfg, call, req->prior, true) != 0 || cfg.unknown != NULL)
        return bg_diags_has_errors(call->diags) ? BG_EINVAL : 0;
    bg_pair__own_read(&own, call->arena, req->private_in, req->prior);
    own.adopt = false; /* adopted files are only ours to rewrite, never to delete */
    if (own.generated == NULL || strcmp(own.generated, cfg.standby_color) != 0)
        return 0;
    if (cfg.verify)
        return kept_in_repository(call, &cfg);
    maps[0] = own.written;
    maps[1] = own.recorded;
    names =
        bg_arena_calloc(call->arena, bg_value_len(maps[0]) + bg_value_len(maps[1]), sizeof(*names));
    for (k = 0; k < 2; k++) {
        for (i = 0; i < bg_value_len(maps[k]); i++) {
            const char *name = maps[k]->u.map.items[i].key;

            if ((k == 0 || bg_value_get(maps[0], name) == NULL) &&
                removable(call, &cfg, &own, name))
                names[n++] = name;
        }
    }
    if (n > 0 && bg_files_remove_all(cfg.dir_abs, names, n, &err) != 0)
        return bg_diag_from_error(call->diags, NULL, "Cannot remove standby files", &err);
    return 0;
}

/* The hash refresh reports for one file of `files`: the recorded one while the disk matches
 * it or holds content nobody recorded (a hand edit, which the plan then refuses by name), the
 * disk's when the disk holds other content of ours (left by a killed apply): the plan then
 * shows the rewrite it needs. NULL when the file is gone or unreadable. */
static const char *refreshed(struct bg_call *call, const struct bg_pair_cfg *cfg,
                             const struct bg_pair_own *own, const char *name, const char *rec)
{
    const char *written = bg_value_as_string(bg_value_get(own->written, name));
    struct bg_error err = BG_ERROR_INIT;
    struct bg_file_info info;
    char disk[65];

    if (bg_files_hash(disk, &info, cfg->dir_abs, name, &err) != 0)
        return NULL;
    if (rec != NULL && strcmp(rec, disk) == 0)
        return rec;
    if (strcmp(info.written_sha, disk) == 0 || (written != NULL && strcmp(written, disk) == 0))
        return bg_arena_strdup(call->arena, disk);
    return rec;
}

enum file_class { OTHER, LIVE, STANDBY };

static enum file_class classify(const struct bg_pair_cfg *cfg, const char *name)
{
    size_t n = strlen(name);
    bool live = bg_files_has_token(name, n, cfg->live_cluster);
    bool standby = bg_files_has_token(name, n, cfg->standby_cluster);

    return live == standby ? OTHER : live ? LIVE : STANDBY;
}

/* Puts the disk hash of each file of cluster (shared and unreadable ones aside). */
static void hash_disk(struct bg_value *fresh, struct bg_call *call, const struct bg_pair_cfg *cfg,
                      const char *cluster)
{
    struct bg_error err = BG_ERROR_INIT;
    struct bg_file_list list = {NULL, 0};
    char sha[65];
    size_t i;

    if (bg_files_discover_cached(&list, call->arena, call->dircache, cfg->dir_abs, cluster, &err) !=
        0)
        return;
    for (i = 0; i < list.len; i++) {
        if (classify(cfg, list.names[i]) != OTHER &&
            bg_files_utf8_valid(list.names[i], strlen(list.names[i])) &&
            bg_files_hash(sha, NULL, cfg->dir_abs, list.names[i], &err) == 0)
            bg_value_put(call->arena, fresh, bg_pair__key(call->arena, cfg, list.names[i]),
                         bg_value_string(call->arena, sha));
    }
}

/* One entry of the state's `files` that names a standby-color file. Our copies keep their
 * record (see refreshed); other files (the old cluster after a promotion) show the disk, and
 * one already deleted keeps its last hash, so a teardown whose change deleted the files
 * still lists them. */
static void refresh_standby(struct bg_value *fresh, struct bg_call *call,
                            const struct bg_pair_cfg *cfg, const struct bg_pair_own *own,
                            const struct bg_pair *m, bool copies)
{
    struct bg_error err = BG_ERROR_INIT;
    const char *name = bg_pair__key_file(m->key);
    const char *v = NULL;
    char sha[65];

    if (copies)
        v = refreshed(call, cfg, own, name, m->value);
    else if (bg_files_hash(sha, NULL, cfg->dir_abs, name, &err) == 0)
        v = sha;
    else if (err.code == BG_ENOTFOUND)
        v = m->value;
    if (v != NULL)
        bg_value_put(call->arena, fresh, m->key, bg_value_string(call->arena, v));
}

/* Refresh: `files` as the disk has it. The live color's files are listed again from the
 * directory; our copies keep the hash recorded when they were written, since that is the
 * record of what we wrote (cluster_pair_own.c) and re-hashing would make a hand edit look
 * like our own content: only a copy proven ours (stamp, private record) shows its new hash,
 * and a deleted one drops out so that the next plan re-creates it. */
static int pair_read(struct bg_call *call, struct bg_read_req *req)
{
    struct bg_value *fresh;
    struct bg_pair_cfg cfg, st;
    struct bg_pair_own own;
    bool copies;
    size_t i;

    bg_pair__expand_quiet(&st, call->arena, req->state);
    /* A directory that is gone (or no longer valid) means every file is gone. */
    if (bg_pair__cfg_read(&cfg, call, req->state, false) != 0 || cfg.unknown != NULL ||
        bg_pair__cfg_resolve(&cfg, call, false) != 0)
        cfg.dir_abs = NULL;
    bg_pair__own_read(&own, call->arena, req->private_in, req->state);
    copies = own.generated != NULL && cfg.standby_color != NULL &&
             strcmp(own.generated, cfg.standby_color) == 0;
    fresh = bg_value_map(call->arena, st.nfile_pairs);
    for (i = 0; cfg.dir_abs != NULL && i < st.nfile_pairs; i++) {
        if (classify(&cfg, bg_pair__key_file(st.file_pairs[i].key)) == STANDBY)
            refresh_standby(fresh, call, &cfg, &own, &st.file_pairs[i], copies);
    }
    if (cfg.dir_abs != NULL) {
        hash_disk(fresh, call, &cfg, cfg.live_cluster);
        if (!copies)
            hash_disk(fresh, call, &cfg, cfg.standby_cluster);
    }
    st.file_pairs = bg_pair__pairs_of(call->arena, &st.nfile_pairs, fresh);
    req->new_state = bg_pair__flatten(call->arena, &st, req->state);
    return 0;
}

const struct bg_resource bg_cluster_pair_resource = {
    .type_name = "bluegreen_cluster_pair",
    .schema = &schema,
    .validate = pair_validate,
    .plan = pair_plan,
    .create = pair_apply,
    .update = pair_apply,
    .destroy = pair_destroy,
    .read = pair_read,
    .import = bg_cluster_pair_import,
};
