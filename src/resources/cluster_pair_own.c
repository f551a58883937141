/*
 * cluster_pair_own.c - which standby copies are bluegreen's.
 *
 * Two records say what this resource wrote: the private state (file name -> sha256 of what
 * the last apply wrote, and the color it generated) and the state's own `files` and
 * `generated_color`. Terraform keeps the private state only when ApplyResourceChange
 * answers: a provider killed mid-apply loses it, while the prior state survives. A copy is
 * ours when its content is exactly what one of the records says we wrote, so a copy left
 * by a killed apply (old content, or the new content the plan showed) is recognised, and a
 * hand edit (content nobody recorded) never is.
 *
 * `files` is a record only while it lists copies we generated: after a promotion it lists
 * the old cluster's own files, which we never wrote (generated_color is then the live color).
 */
#include <string.h>

#include "bluegreen/codec.h"
#include "cluster_pair.h"

static void read_private(struct bg_pair_own *out, struct bg_arena *a, struct bg_private p,
                         bool *present)
{
    struct bg_value *v = NULL;
    bool adopt = false;

    *present = false;
    /* Empty or unreadable private data only means "no record": never an error. */
    if (p.len == 0 || bg_json_decode(&v, a, (const char *)p.data, p.len, NULL) != 0 || v == NULL ||
        v->kind != BG_MAP)
        return;
    *present = true;
    out->generated = bg_value_as_string(bg_value_get(v, "generated"));
    if (bg_value_get(v, "written") != NULL && bg_value_get(v, "written")->kind == BG_MAP)
        out->written = bg_value_get(v, "written");
    bg_value_as_bool(&adopt, bg_value_get(v, "adopt"));
    out->adopt = adopt;
}

/* Whether name is a file of the standby cluster alone (`files` also lists the live files,
 * which are never ours). A state without the cluster names lists copies only. */
static bool standby_file(const struct bg_value *prior, const char *name)
{
    const char *live = bg_value_as_string(bg_value_get(prior, "live_cluster"));
    const char *standby = bg_value_as_string(bg_value_get(prior, "standby_cluster"));
    size_t n = strlen(name);

    if (live == NULL || standby == NULL)
        return true;
    return bg_files_has_token(name, n, standby) && !bg_files_has_token(name, n, live);
}

/* The prior state's copies as name -> sha256, when they are copies we generated. */
static void read_prior(struct bg_pair_own *out, struct bg_arena *a, const struct bg_value *prior,
                       const char *generated)
{
    const char *standby = bg_value_as_string(bg_value_get(prior, "standby_color"));
    const struct bg_value *files = bg_value_get(prior, "files");
    size_t i;

    if (generated == NULL || standby == NULL || strcmp(generated, standby) != 0 || files == NULL ||
        files->kind != BG_MAP)
        return;
    out->recorded = bg_value_map(a, files->u.map.len);
    for (i = 0; i < files->u.map.len; i++) {
        const char *sha = bg_value_as_string(files->u.map.items[i].value);
        const char *name = bg_pair__key_file(files->u.map.items[i].key);

        if (sha != NULL && standby_file(prior, name))
            bg_value_put(a, out->recorded, bg_pair__key_file(files->u.map.items[i].key),
                         bg_value_string(a, sha));
    }
}

void bg_pair__own_read(struct bg_pair_own *out, struct bg_arena *a, struct bg_private p,
                       const struct bg_value *prior)
{
    const char *prior_generated = bg_value_as_string(bg_value_get(prior, "generated_color"));
    bool present = false;

    memset(out, 0, sizeof(*out));
    out->written = bg_value_map(a, 0);
    out->recorded = bg_value_map(a, 0);
    read_private(out, a, p, &present);
    /* The private record is the newer one when both exist (same apply wrote both). */
    if (!present)
        out->generated = prior_generated;
    read_prior(out, a, prior, prior_generated);
}

struct bg_private bg_pair__own_write(struct bg_arena *a, const struct bg_pair_own *own)
{
    struct bg_value *v = bg_value_map(a, 4);
    struct bg_private p = {NULL, 0};
    char *json = NULL;

    bg_value_put(a, v, "v", bg_value_int(a, 1));
    bg_value_put(a, v, "generated",
                 own->generated != NULL ? bg_value_string(a, own->generated) : bg_value_null(a));
    bg_value_put(a, v, "written", own->written != NULL ? own->written : bg_value_map(a, 0));
    if (own->adopt)
        bg_value_put(a, v, "adopt", bg_value_bool(a, true));
    if (bg_json_encode(&json, a, v, NULL) == 0) {
        p.data = (const unsigned char *)json;
        p.len = strlen(json);
    }
    return p;
}

const char *bg_pair__own_record(const struct bg_pair_own *own, const char *name)
{
    const char *w = bg_value_as_string(bg_value_get(own->written, name));

    return w != NULL ? w : bg_value_as_string(bg_value_get(own->recorded, name));
}

bool bg_pair__own_has(const struct bg_pair_own *own, const char *name, const char *disk_sha)
{
    const char *w = bg_value_as_string(bg_value_get(own->written, name));
    const char *r = bg_value_as_string(bg_value_get(own->recorded, name));

    return own->adopt || (w != NULL && strcmp(w, disk_sha) == 0) ||
           (r != NULL && strcmp(r, disk_sha) == 0);
}
