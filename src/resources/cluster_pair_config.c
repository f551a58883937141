/*
 * cluster_pair_config.c - bluegreen_cluster_pair's arguments: what the typed layer expands
 * (cluster_pair.c's slots) and what is derived from it (the standby color, the substitutions
 * in the files engine's shape, the cluster names, the resolved directory).
 */
#include <string.h>

#include "bluegreen/provider.h"
#include "cluster_pair.h"

static const struct bg_path *attr_path(struct bg_call *call, const char *name)
{
    return bg_path_attr(call->arena, NULL, name);
}

/* colors (validated: two distinct names) and the color that is not live. */
static int derive_colors(struct bg_pair_cfg *out, struct bg_call *call)
{
    if (out->ncolors != 2 || out->color_list[0] == NULL || out->color_list[1] == NULL)
        return BG_EINVAL;
    out->colors[0] = out->color_list[0];
    out->colors[1] = out->color_list[1];
    if (strcmp(out->live, out->colors[0]) == 0) {
        out->standby_color = out->colors[1];
    } else if (strcmp(out->live, out->colors[1]) == 0) {
        out->standby_color = out->colors[0];
    } else {
        bg_diag_error(call->diags, attr_path(call, "live"), "Live color is not one of colors",
                      "live = \"%s\" must be one of colors (\"%s\", \"%s\").", out->live,
                      out->colors[0], out->colors[1]);
        return BG_EINVAL;
    }
    return 0;
}

/* substitutions, in the files engine's shape; an empty key or a null value replaces nothing. */
static void derive_subs(struct bg_pair_cfg *out, struct bg_call *call)
{
    size_t i;

    out->subs = bg_arena_calloc(call->arena, out->nsub_pairs + 1, sizeof(*out->subs));
    out->nsubs = 0;
    for (i = 0; i < out->nsub_pairs; i++) {
        if (out->sub_pairs[i].key[0] == '\0' || out->sub_pairs[i].value == NULL)
            continue;
        out->subs[out->nsubs].from = out->sub_pairs[i].key;
        out->subs[out->nsubs++].to = out->sub_pairs[i].value;
    }
}

static char *trim_directory(struct bg_arena *a, const char *d)
{
    size_t n = strlen(d);

    while (n > 1 && d[n - 1] == '/')
        n--;
    return bg_arena_strndup(a, d, n);
}

int bg_pair__cfg_resolve(struct bg_pair_cfg *out, struct bg_call *call, bool report)
{
    struct bg_error err = BG_ERROR_INIT;
    const char *root = call->provider != NULL ? call->provider->repository_root : NULL;
    char *fallback = NULL;

    if (root == NULL) {
        if (bg_files_repo_root(&fallback, call->arena, NULL, &err) != 0)
            return report ? bg_diag_from_error(call->diags, NULL, "Cannot find the repository root",
                                               &err)
                          : err.code;
        root = fallback;
    }
    if (bg_files_resolve_dir(&out->dir_abs, call->arena, root, out->directory, &err) != 0)
        return !report ? err.code
                       : bg_diag_from_error(call->diags, attr_path(call, "directory"),
                                            err.code == BG_ENOTFOUND ? "Directory not found"
                                                                     : "Invalid directory",
                                            &err);
    return 0;
}

int bg_pair__cfg_read(struct bg_pair_cfg *out, struct bg_call *call, const struct bg_value *v,
                      bool resolve_dir)
{
    if (bg_pair__cfg_expand(out, call->diags, v) != 0)
        return BG_EINVAL;
    /* Derived below, whatever a plan or state holds for them. */
    out->standby_color = out->live_cluster = out->standby_cluster = NULL;
    if (out->unknown != NULL)
        return 0;
    if (out->directory == NULL || out->name == NULL || out->live == NULL)
        return BG_EINVAL;
    out->directory = trim_directory(call->arena, out->directory);
    if (derive_colors(out, call) != 0)
        return BG_EINVAL;
    derive_subs(out, call);
    out->verify = call->provider != NULL && call->provider->verify_files;
    out->live_cluster = bg_arena_printf(call->arena, "%s-%s", out->name, out->live);
    out->standby_cluster = bg_arena_printf(call->arena, "%s-%s", out->name, out->standby_color);
    return resolve_dir ? bg_pair__cfg_resolve(out, call, true) : 0;
}

char *bg_pair__key(struct bg_arena *a, const struct bg_pair_cfg *cfg, const char *file_name)
{
    if (strcmp(cfg->directory, ".") == 0)
        return bg_arena_strdup(a, file_name);
    if (strcmp(cfg->directory, "/") == 0)
        return bg_arena_printf(a, "/%s", file_name);
    return bg_arena_printf(a, "%s/%s", cfg->directory, file_name);
}

const char *bg_pair__key_file(const char *key)
{
    const char *slash = strrchr(key, '/');

    return slash != NULL ? slash + 1 : key;
}
