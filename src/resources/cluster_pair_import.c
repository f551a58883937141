/*
 * cluster_pair_import.c - `terraform import bluegreen_cluster_pair.x <directory>:<name>`.
 *
 * Import records the pair as it is on disk and marks the existing standby files as adopted,
 * so the first plan after import compares them with a fresh rendering instead of refusing
 * them as foreign files.
 */
#include <string.h>

#include "cluster_pair.h"

static int split_id(struct bg_call *call, const char *id, char **dir, char **name)
{
    const char *colon = strrchr(id, ':');

    if (colon == NULL || colon == id || colon[1] == '\0' || strchr(colon + 1, '/') != NULL) {
        bg_diag_error(call->diags, NULL, "Invalid import ID",
                      "Expected \"<directory>:<name>\", e.g. \"clusters:aws-prod\", got \"%s\".",
                      id);
        return BG_EINVAL;
    }
    *dir = bg_arena_strndup(call->arena, id, (size_t)(colon - id));
    *name = bg_arena_strdup(call->arena, colon + 1);
    return 0;
}

static size_t count_files(struct bg_call *call, const struct bg_pair_cfg *cfg, const char *color)
{
    struct bg_file_list list = {NULL, 0};
    const char *cluster = bg_arena_printf(call->arena, "%s-%s", cfg->name, color);

    if (bg_files_discover(&list, call->arena, cfg->dir_abs, cluster, NULL) != 0)
        return 0;
    return list.len;
}

/* The arguments of an imported pair: the table's defaults (colors among them), the ID's
 * directory and name, live the color of index `live`. */
static struct bg_value *initial_state(struct bg_call *call, const char *dir, const char *name,
                                      size_t live, bool standby)
{
    struct bg_pair_cfg args;

    bg_pair__cfg_expand(&args, call->diags, bg_value_map(call->arena, 0));
    args.directory = dir;
    args.name = name;
    args.live = args.ncolors == 2 ? args.color_list[live] : NULL;
    args.standby = standby;
    return bg_pair__flatten(call->arena, &args, NULL);
}

/* The recovered substitutions as the argument's slot holds them (none: null). */
static void set_sub_pairs(struct bg_arena *a, struct bg_pair_cfg *cfg)
{
    size_t i;

    cfg->nsub_pairs = cfg->nsubs;
    cfg->sub_pairs =
        cfg->nsubs > 0 ? bg_arena_calloc(a, cfg->nsubs, sizeof(*cfg->sub_pairs)) : NULL;
    for (i = 0; i < cfg->nsubs; i++) {
        cfg->sub_pairs[i].key = cfg->subs[i].from;
        cfg->sub_pairs[i].value = cfg->subs[i].to;
    }
}

/* Import records what exists: a copy the recovered substitutions do not reproduce is shown
 * with its hash and text on disk, so the first plan shows its rewrite. */
static void disk_copies(struct bg_call *call, const struct bg_pair_cfg *cfg,
                        const struct bg_pair_eval *ev)
{
    struct bg_error err = BG_ERROR_INIT;
    struct bg_arena *a = call->arena;
    char *text = NULL, sha[65];
    size_t i, len = 0;

    for (i = 0; i < ev->nwrites; i++) {
        const char *key = bg_pair__key(a, cfg, ev->writes[i].name);

        bg_value_put(a, ev->files, key, bg_value_null(a));
        bg_value_put(a, ev->contents, key, bg_value_null(a));
        if (bg_files_read(&text, &len, a, cfg->dir_abs, ev->writes[i].name, &err) != 0)
            continue; /* missing: the plan creates it */
        bg_files_sha256_hex(sha, text, len);
        bg_value_put(a, ev->files, key, bg_value_string(a, sha));
        bg_value_put(a, ev->contents, key,
                     len <= BG_PAIR_CONTENTS_MAX_FILE && bg_files_utf8_valid(text, len) &&
                             memchr(text, '\0', len) == NULL
                         ? bg_value_stringn(a, text, len)
                         : bg_value_string(a, bg_arena_printf(a, "(not shown: sha256 %s)", sha)));
    }
}

/* Entries set to null above are dropped (a missing copy is not in the state). */
static struct bg_value *without_nulls(struct bg_arena *a, const struct bg_value *m)
{
    struct bg_value *out = bg_value_map(a, bg_value_len(m));
    size_t i;

    for (i = 0; i < bg_value_len(m); i++) {
        if (!bg_value_is_null(m->u.map.items[i].value))
            bg_value_put(a, out, m->u.map.items[i].key, m->u.map.items[i].value);
    }
    return out;
}

int bg_cluster_pair_import(struct bg_call *call, const char *id, struct bg_value **state,
                           struct bg_private *private_out)
{
    struct bg_pair_own own = {NULL, NULL, NULL, true};
    struct bg_pair_cfg cfg, shown;
    struct bg_pair_eval ev;
    char *dir = NULL, *name = NULL;
    size_t spoon, knife;

    if (split_id(call, id, &dir, &name) != 0)
        return BG_EINVAL;
    *state = initial_state(call, dir, name, 0, true);
    if (bg_pair__cfg_read(&cfg, call, *state, true) != 0)
        return BG_EINVAL;
    spoon = count_files(call, &cfg, cfg.colors[0]);
    knife = count_files(call, &cfg, cfg.colors[1]);
    if (spoon == 0 && knife == 0) {
        bg_diag_error(call->diags, NULL, "Nothing to import",
                      "No file in %s belongs to %s-%s or %s-%s.", dir, name, cfg.colors[0], name,
                      cfg.colors[1]);
        return BG_ENOTFOUND;
    }
    /* With one color on disk that color is live; with both, the configuration says which. */
    *state = initial_state(call, dir, name, spoon > 0 ? 0 : 1, spoon > 0 && knife > 0);
    bg_pair__cfg_read(&cfg, call, *state, true);
    cfg.verify = false; /* import reads; whether it may write is for the plan to say */
    if (cfg.standby)
        bg_pair__infer(call, &cfg);
    set_sub_pairs(call->arena, &cfg);
    shown = cfg;
    shown.directory = dir; /* as the ID has it, so that id is the ID */
    *state = bg_pair__flatten(call->arena, &shown, NULL);
    own.written = bg_value_map(call->arena, 0);
    own.recorded = bg_value_map(call->arena, 0);
    if (bg_pair__evaluate(&ev, call, &cfg, &own) != 0)
        return BG_EINVAL;
    if (ev.phase == BG_PAIR_GENERATE)
        disk_copies(call, &cfg, &ev);
    ev.files = without_nulls(call->arena, ev.files);
    if (ev.contents != NULL)
        ev.contents = without_nulls(call->arena, ev.contents);
    /* The standby copies are adopted as generated ones. */
    ev.own_after.generated = cfg.standby_color;
    *state = bg_pair__set_computed(call->arena, *state, &shown, &ev, NULL);
    *private_out = bg_pair__own_write(call->arena, &own);
    return 0;
}
