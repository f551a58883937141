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
static bool standby_file(const struct bg_pair_cfg *prior, const char *name)
{
    size_t n = strlen(name);

    if (prior->live_cluster == NULL || prior->standby_cluster == NULL)
        return true;
    return bg_files_has_token(name, n, prior->standby_cluster) &&
           !bg_files_has_token(name, n, prior->live_cluster);
}

/* The prior state's copies as name -> sha256, when they are copies we generated. */
static void read_prior(struct bg_pair_own *out, struct bg_arena *a, const struct bg_pair_cfg *prior)
{
    const char *generated = prior->generated_color, *standby = prior->standby_color;
    size_t i;

    if (generated == NULL || standby == NULL || strcmp(generated, standby) != 0 ||
        prior->file_pairs == NULL)
        return;
    out->recorded = bg_value_map(a, prior->nfile_pairs);
    for (i = 0; i < prior->nfile_pairs; i++) {
        const char *sha = prior->file_pairs[i].value;
        const char *name = bg_pair__key_file(prior->file_pairs[i].key);

        if (sha != NULL && standby_file(prior, name))
            bg_value_put(a, out->recorded, name, bg_value_string(a, sha));
    }
}

void bg_pair__own_read(struct bg_pair_own *out, struct bg_arena *a, struct bg_private p,
                       const struct bg_value *prior)
{
    struct bg_pair_cfg st; /* the prior state's computed attributes */
    bool present = false;

    bg_pair__expand_quiet(&st, a, prior);
    memset(out, 0, sizeof(*out));
    out->written = bg_value_map(a, 0);
    out->recorded = bg_value_map(a, 0);
    read_private(out, a, p, &present);
    /* The private record is the newer one when both exist (same apply wrote both). */
    if (!present)
        out->generated = st.generated_color;
    read_prior(out, a, &st);
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
