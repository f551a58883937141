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

/* The planned copies as they are on disk: import records what exists, not a rendering made
 * without the configuration's substitutions. */
static struct bg_value *disk_files(struct bg_call *call, const struct bg_pair_cfg *cfg,
                                   const struct bg_value *planned)
{
    struct bg_value *out = bg_value_map(call->arena, bg_value_len(planned));
    struct bg_error err = BG_ERROR_INIT;
    char sha[65];
    size_t i;

    for (i = 0; i < bg_value_len(planned); i++) {
        const char *key = planned->u.map.items[i].key;

        if (bg_files_hash(sha, NULL, cfg->dir_abs, bg_pair__key_file(key), &err) == 0)
            bg_value_put(call->arena, out, key, bg_value_string(call->arena, sha));
    }
    return out;
}

int bg_cluster_pair_import(struct bg_call *call, const char *id, struct bg_value **state,
                           struct bg_private *private_out)
{
    struct bg_pair_own own = {NULL, NULL, NULL, true};
    struct bg_pair_cfg cfg;
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
    own.written = bg_value_map(call->arena, 0);
    if (bg_pair__evaluate(&ev, call, &cfg, &own) != 0)
        return BG_EINVAL;
    bg_value_put(call->arena, *state, "id", bg_value_string(call->arena, id));
    bg_value_put(call->arena, *state, "live_cluster",
                 bg_value_string(call->arena, cfg.live_cluster));
    bg_value_put(call->arena, *state, "standby_cluster",
                 bg_value_string(call->arena, cfg.standby_cluster));
    bg_value_put(call->arena, *state, "standby_color",
                 bg_value_string(call->arena, cfg.standby_color));
    bg_value_put(call->arena, *state, "source_files", ev.source_files);
    bg_value_put(call->arena, *state, "files", disk_files(call, &cfg, ev.files));
    /* The standby copies are adopted as generated ones. */
    bg_value_put(call->arena, *state, "generated_color",
                 bg_value_string(call->arena, cfg.standby_color));
    *private_out = bg_pair__own_write(call->arena, &own);
    return 0;
}
