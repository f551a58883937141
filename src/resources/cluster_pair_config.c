/*
 * cluster_pair_config.c - reading bluegreen_cluster_pair arguments and the ownership record.
 */
#include <string.h>

#include "bluegreen/provider.h"
#include "cluster_pair.h"

static const struct bg_path *attr_path(struct bg_call *call, const char *name)
{
    return bg_path_attr(call->arena, NULL, name);
}

static int read_colors(struct bg_pair_cfg *out, struct bg_call *call, const struct bg_value *v)
{
    const struct bg_value *colors = bg_value_get(v, "colors");

    out->colors[0] = "spoon";
    out->colors[1] = "knife";
    if (bg_value_len(colors) == 2) {
        out->colors[0] = bg_value_as_string(colors->u.arr.items[0]);
        out->colors[1] = bg_value_as_string(colors->u.arr.items[1]);
    }
    if (out->colors[0] == NULL || out->colors[1] == NULL)
        return BG_EINVAL;
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

static void read_subs(struct bg_pair_cfg *out, struct bg_call *call, const struct bg_value *v)
{
    const struct bg_value *m = bg_value_get(v, "substitutions");
    size_t i, n = bg_value_len(m);

    out->subs = bg_arena_calloc(call->arena, n, sizeof(*out->subs));
    out->nsubs = 0;
    for (i = 0; m != NULL && m->kind == BG_MAP && i < n; i++) {
        const char *to = bg_value_as_string(m->u.map.items[i].value);

        if (m->u.map.items[i].key_len == 0 || to == NULL)
            continue;
        out->subs[out->nsubs].from = m->u.map.items[i].key;
        out->subs[out->nsubs++].to = to;
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
    const char *dir = bg_value_as_string(bg_value_get(v, "directory"));
    bool standby = true;

    memset(out, 0, sizeof(*out));
    out->name = bg_value_as_string(bg_value_get(v, "name"));
    out->live = bg_value_as_string(bg_value_get(v, "live"));
    if (dir == NULL || out->name == NULL || out->live == NULL)
        return BG_EINVAL;
    out->directory = trim_directory(call->arena, dir);
    if (read_colors(out, call, v) != 0)
        return BG_EINVAL;
    bg_value_as_bool(&standby, bg_value_get(v, "standby"));
    out->standby = standby;
    read_subs(out, call, v);
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
