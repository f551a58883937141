/*
 * scan_json.c - JSON manifests through cJSON. cJSON keeps no positions, so a tokenizer pass
 * records the line of every "apiVersion" key in text order; walking the tree in the same
 * order hands the n-th line to the n-th key. Text cJSON refuses (templated JSON, comments)
 * goes to the YAML line scanner, which reads quoted keys too.
 */
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "upgrade/internal.h"

struct lines {
    long *v;
    size_t n, cap;
    bool broken; /* allocation failed: lines are unreliable */
};

static void push(struct lines *l, long line)
{
    if (l->n == l->cap) {
        size_t cap = l->cap != 0 ? l->cap * 2 : 16;
        long *v = realloc(l->v, cap * sizeof(*v));

        if (v == NULL) {
            l->broken = true;
            return;
        }
        l->v = v;
        l->cap = cap;
    }
    l->v[l->n++] = line;
}

/* Index after the string starting at buf[i] == '"'; counts the newlines it skips. */
static size_t skip_string(const char *buf, size_t len, size_t i, long *line)
{
    for (i++; i < len && buf[i] != '"'; i++) {
        if (buf[i] == '\\')
            i++;
        else if (buf[i] == '\n')
            (*line)++;
    }
    return i + 1;
}

static void key_lines(struct lines *l, const char *buf, size_t len)
{
    long line = 1;
    size_t i = 0;

    while (i < len) {
        size_t start = i, j;
        long at = line;

        if (buf[i] != '"') {
            line += buf[i++] == '\n';
            continue;
        }
        i = skip_string(buf, len, i, &line);
        for (j = i;
             j < len && (buf[j] == ' ' || buf[j] == '\t' || buf[j] == '\r' || buf[j] == '\n'); j++)
            ;
        if (j < len && buf[j] == ':' && i - start == 12 &&
            memcmp(buf + start, "\"apiVersion\"", 12) == 0)
            push(l, at);
    }
}

struct walk {
    struct bg_scan_ctx *c;
    const struct lines *lines;
    size_t next; /* index of the next apiVersion key in text order */
};

static long next_line(struct walk *w)
{
    size_t i = w->next++;

    /* Keys spelled with escapes ("apiVers\u0069on") desynchronise the count: line 1. */
    if (w->lines->broken || i >= w->lines->n)
        return 1;
    return w->lines->v[i];
}

/* Depth is bounded by cJSON's own nesting limit (CJSON_NESTING_LIMIT), checked on parse. */
static void walk(struct walk *w, const cJSON *node)
{
    const cJSON *api = NULL, *kind = NULL;
    long line = 1;

    for (const cJSON *ch = node->child; ch != NULL; ch = ch->next) {
        if (cJSON_IsObject(node) && ch->string != NULL && strcmp(ch->string, "apiVersion") == 0) {
            api = ch;
            line = next_line(w);
        } else if (cJSON_IsObject(node) && ch->string != NULL && strcmp(ch->string, "kind") == 0) {
            kind = ch;
        }
        if (cJSON_IsObject(ch) || cJSON_IsArray(ch))
            walk(w, ch);
    }
    if (cJSON_IsString(api) && cJSON_IsString(kind))
        bg_scan_report(w->c, line, api->valuestring, kind->valuestring);
}

void bg_scan_json_buffer(struct bg_scan_ctx *c, const char *buf, size_t len)
{
    cJSON *root = cJSON_ParseWithLength(buf, len);
    struct lines l = {0};
    struct walk w = {c, &l, 0};

    if (root == NULL) {
        bg_scan_yaml_buffer(c, buf, len, 0);
        return;
    }
    key_lines(&l, buf, len);
    walk(&w, root);
    cJSON_Delete(root);
    free(l.v);
}
