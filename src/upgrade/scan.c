/*
 * scan.c - the parts every manifest format shares: recording findings, pairing apiVersion
 * with kind inside one object, splitting lines, choosing a format for a file.
 */
#include <string.h>

#include "upgrade/internal.h"

void bg_scan_report(struct bg_scan_ctx *c, long line, const char *api_version, const char *kind)
{
    struct bg_scan_result *r = c->res;
    const struct bg_upgrade_removal *row = bg_upgrade_removal_find(api_version, kind, c->target);
    size_t max = r->max_findings != 0 ? r->max_findings : BG_SCAN_MAX_FINDINGS;
    struct bg_scan_finding *f;

    if (row == NULL)
        return;
    if (r->count >= max) {
        r->truncated = true;
        return;
    }
    if (r->count == r->capacity) {
        size_t cap = r->capacity != 0 ? r->capacity * 2 : 16;
        struct bg_scan_finding *grown = bg_arena_calloc(c->a, cap, sizeof(*grown));

        if (r->count > 0)
            memcpy(grown, r->findings, r->count * sizeof(*grown));
        r->findings = grown;
        r->capacity = cap;
    }
    if (c->file_copy == NULL)
        c->file_copy = bg_arena_strdup(c->a, c->file);
    f = &r->findings[r->count++];
    f->file = c->file_copy;
    f->line = line;
    f->api_version = row->api_version;
    f->kind = row->kind;
    f->removed_in = row->removed_in_text;
    f->replacement = row->replacement;
}

void bg_scan_pairer_close(struct bg_scan_pairer *p, int level)
{
    while (p->n > 0 && p->slots[p->n - 1].level > level)
        p->n--;
}

static void copy_value(char dst[BG_SCAN_VALUE_MAX], const char *value)
{
    size_t n = strlen(value);

    /* Truncating could turn a long value into a table entry: treat it as unreadable. */
    if (n >= BG_SCAN_VALUE_MAX)
        n = 0;
    memcpy(dst, value, n);
    dst[n] = '\0';
}

void bg_scan_pairer_set(struct bg_scan_pairer *p, struct bg_scan_ctx *c, int level, bool is_api,
                        const char *value, long line)
{
    struct bg_scan_slot *s;

    bg_scan_pairer_close(p, level);
    if (p->n == 0 || p->slots[p->n - 1].level != level) {
        if (p->n == BG_SCAN_LEVELS)
            return;
        s = &p->slots[p->n++];
        s->level = level;
        s->has_api = s->has_kind = false;
    } else {
        s = &p->slots[p->n - 1];
    }
    if (is_api) {
        copy_value(s->api, value);
        s->has_api = true;
        s->line = p->fixed_line != 0 ? p->fixed_line : line;
    } else {
        copy_value(s->kind, value);
        s->has_kind = true;
    }
    if (s->has_api && s->has_kind) {
        if (s->api[0] != '\0' && s->kind[0] != '\0')
            bg_scan_report(c, s->line, s->api, s->kind);
        p->n--;
    }
}

bool bg_scan_next_line(const char *buf, size_t len, size_t *pos, const char **s, size_t *n)
{
    const char *start, *nl;

    if (*pos >= len)
        return false;
    start = buf + *pos;
    nl = memchr(start, '\n', len - *pos);
    *n = nl != NULL ? (size_t)(nl - start) : len - *pos;
    *pos += *n + (nl != NULL);
    if (*n > 0 && start[*n - 1] == '\r')
        (*n)--;
    *s = start;
    return true;
}

static bool ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);

    return n >= m && strcmp(s + n - m, suffix) == 0;
}

enum bg_scan_format bg_scan_format_for(const char *path)
{
    if (ends_with(path, ".json"))
        return BG_SCAN_JSON;
    if (ends_with(path, ".tf"))
        return BG_SCAN_HCL;
    return BG_SCAN_YAML;
}

/* Findings of one file in line order (JSON reports inner objects first). Insertion sort:
 * stable, and a file has a handful of findings. */
static void sort_by_line(struct bg_scan_finding *f, size_t n)
{
    for (size_t i = 1; i < n; i++) {
        struct bg_scan_finding x = f[i];
        size_t j = i;

        for (; j > 0 && f[j - 1].line > x.line; j--)
            f[j] = f[j - 1];
        f[j] = x;
    }
}

void bg_scan_buffer(struct bg_scan_result *res, struct bg_arena *a, const char *file,
                    enum bg_scan_format format, const char *buf, size_t len, int target)
{
    struct bg_scan_ctx c = {res, a, file, NULL, target};
    size_t first = res->count;

    if (format == BG_SCAN_JSON)
        bg_scan_json_buffer(&c, buf, len);
    else if (format == BG_SCAN_HCL)
        bg_scan_hcl_buffer(&c, buf, len);
    else
        bg_scan_yaml_buffer(&c, buf, len, 0);
    if (res->count > first)
        sort_by_line(res->findings + first, res->count - first);
}
