/* diag.c - attribute paths and diagnostics (include/bluegreen/diag.h). */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "bluegreen/diag.h"

static const struct bg_path *new_step(struct bg_arena *a, const struct bg_path *parent,
                                      enum bg_step_kind kind, const char *name, int64_t index)
{
    struct bg_path *p = bg_arena_alloc(a, sizeof(*p));

    p->parent = parent;
    p->kind = kind;
    p->name = name;
    p->index = index;
    return p;
}

const struct bg_path *bg_path_attr(struct bg_arena *a, const struct bg_path *parent,
                                   const char *name)
{
    return new_step(a, parent, BG_STEP_ATTR, name, 0);
}

const struct bg_path *bg_path_key(struct bg_arena *a, const struct bg_path *parent, const char *key)
{
    return new_step(a, parent, BG_STEP_KEY, key, 0);
}

const struct bg_path *bg_path_index(struct bg_arena *a, const struct bg_path *parent, int64_t index)
{
    return new_step(a, parent, BG_STEP_INDEX, NULL, index);
}

size_t bg_path_depth(const struct bg_path *p)
{
    size_t n = 0;

    for (; p != NULL; p = p->parent)
        n++;
    return n;
}

static size_t render_step(char *buf, size_t size, const struct bg_path *p, bool first)
{
    switch (p->kind) {
    case BG_STEP_ATTR:
        return (size_t)snprintf(buf, size, "%s%s", first ? "" : ".", p->name);
    case BG_STEP_KEY:
        return (size_t)snprintf(buf, size, "[\"%s\"]", p->name);
    case BG_STEP_INDEX:
        return (size_t)snprintf(buf, size, "[%" PRId64 "]", p->index);
    }
    return 0;
}

char *bg_path_string(struct bg_arena *a, const struct bg_path *p)
{
    size_t depth = bg_path_depth(p), i, len = 0, total;
    const struct bg_path **steps;
    char *out;

    if (depth == 0)
        return bg_arena_strdup(a, "");
    steps = bg_arena_calloc(a, depth, sizeof(*steps));
    for (i = depth; p != NULL; p = p->parent)
        steps[--i] = p;
    for (i = 0; i < depth; i++)
        len += render_step(NULL, 0, steps[i], i == 0);
    out = bg_arena_alloc(a, len + 1);
    total = len + 1;
    len = 0;
    for (i = 0; i < depth; i++)
        len += render_step(out + len, total - len, steps[i], i == 0);
    return out;
}

void bg_diags_init(struct bg_diags *d, struct bg_arena *a)
{
    memset(d, 0, sizeof(*d));
    d->arena = a;
}

void bg_diag_add(struct bg_diags *d, enum bg_severity sev, const struct bg_path *path,
                 const char *summary, const char *fmt, ...)
{
    struct bg_diag *g = bg_arena_alloc(d->arena, sizeof(*g));
    va_list ap;

    g->severity = sev;
    g->summary = bg_arena_strdup(d->arena, summary);
    g->path = path;
    if (fmt != NULL) {
        va_start(ap, fmt);
        g->detail = bg_arena_vprintf(d->arena, fmt, ap);
        va_end(ap);
    }
    if (d->tail != NULL)
        d->tail->next = g;
    else
        d->head = g;
    d->tail = g;
    d->count++;
    if (sev == BG_SEV_ERROR)
        d->errors++;
}

int bg_diag_from_error(struct bg_diags *d, const struct bg_path *path, const char *summary,
                       const struct bg_error *err)
{
    bg_diag_add(d, BG_SEV_ERROR, path, summary, "%s", err->msg);
    return err->code != 0 ? err->code : BG_EINVAL;
}

bool bg_diags_has_errors(const struct bg_diags *d)
{
    return d->errors > 0;
}
