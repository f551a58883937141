/*
 * scan_yaml.c - line-oriented YAML scanner. It does not parse YAML: it pairs `apiVersion:`
 * and `kind:` scalars found at the same indentation inside one document, which is what a
 * manifest object is. That keeps Helm templates readable ({{ ... }} lines are skipped,
 * templated values are unreadable, never fatal) and memory constant per line.
 */
#include <string.h>

#include "upgrade/internal.h"

static int indent_of(const char *s, size_t n)
{
    size_t i = 0;

    while (i < n && (s[i] == ' ' || s[i] == '\t'))
        i++;
    /* Lines are bounded by the file size limit, far below INT_MAX. */
    return (int)i;
}

/* Length of `key:` (bare or quoted, spaces before the colon allowed) at s, or 0. */
static size_t match_key(const char *s, size_t n, const char *key)
{
    size_t k = strlen(key), i = 0;
    char q = 0;

    if (n > 0 && (s[0] == '"' || s[0] == '\'')) {
        q = s[0];
        i = 1;
    }
    if (n - i < k || memcmp(s + i, key, k) != 0)
        return 0;
    i += k;
    if (q != 0 && (i >= n || s[i++] != q))
        return 0;
    while (i < n && s[i] == ' ')
        i++;
    if (i >= n || s[i] != ':')
        return 0;
    i++;
    if (i < n && s[i] != ' ' && s[i] != '\t')
        return 0;
    return i;
}

static bool templated(const char *s, size_t n)
{
    for (size_t i = 0; i + 1 < n; i++) {
        if ((s[i] == '{' && s[i + 1] == '{') || ((s[i] == '$' || s[i] == '%') && s[i + 1] == '{'))
            return true;
    }
    return false;
}

/* The scalar value in s into out ("" when unreadable); *block when it opens | or >. */
static void scalar(char out[BG_SCAN_VALUE_MAX], const char *s, size_t n, bool *block)
{
    size_t i = 0, end;

    out[0] = '\0';
    *block = false;
    while (i < n && (s[i] == ' ' || s[i] == '\t'))
        i++;
    if (i >= n)
        return;
    if (s[i] == '|' || s[i] == '>') {
        *block = true;
        return;
    }
    if (s[i] == '"' || s[i] == '\'') {
        char q = s[i++];

        for (end = i; end < n && s[end] != q; end++)
            ;
        if (end >= n)
            return;
    } else {
        /* A comment starts at a '#' that begins the value or follows a blank. */
        for (end = i; end < n; end++) {
            if (s[end] == '#' && (end == i || s[end - 1] == ' ' || s[end - 1] == '\t'))
                break;
        }
        while (end > i && (s[end - 1] == ' ' || s[end - 1] == '\t' || s[end - 1] == ','))
            end--;
    }
    if (end - i >= BG_SCAN_VALUE_MAX || templated(s + i, end - i))
        return;
    memcpy(out, s + i, end - i);
    out[end - i] = '\0';
}

/* Does a `key: |` / `key: >-` line open a block scalar whose lines must be skipped? */
static bool opens_block(const char *s, size_t n)
{
    while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t'))
        n--;
    while (n > 0 && (s[n - 1] == '-' || s[n - 1] == '+' || (s[n - 1] >= '0' && s[n - 1] <= '9')))
        n--;
    if (n < 3 || (s[n - 1] != '|' && s[n - 1] != '>') || s[n - 2] != ' ')
        return false;
    return memchr(s, ':', n - 2) != NULL;
}

static void key_line(struct bg_scan_yaml *y, struct bg_scan_ctx *c, const char *t, size_t m,
                     int indent, long line)
{
    char value[BG_SCAN_VALUE_MAX];
    size_t k = match_key(t, m, "apiVersion");
    bool is_api = k != 0, block;

    bg_scan_pairer_close(&y->pairs, indent);
    if (k == 0)
        k = match_key(t, m, "kind");
    if (k == 0) {
        if (opens_block(t, m)) {
            y->in_block = true;
            y->block_indent = indent;
        }
        return;
    }
    scalar(value, t + k, m - k, &block);
    if (block) {
        y->in_block = true;
        y->block_indent = indent;
        value[0] = '\0';
    }
    bg_scan_pairer_set(&y->pairs, c, indent, is_api, value, line);
}

void bg_scan_yaml_line(struct bg_scan_yaml *y, struct bg_scan_ctx *c, const char *s, size_t n,
                       long line)
{
    int indent = indent_of(s, n);
    const char *t = s + indent;
    size_t m = n - (size_t)indent;

    if (m == 0)
        return;
    if (y->in_block) {
        if (indent > y->block_indent)
            return;
        y->in_block = false;
    }
    if (t[0] == '#')
        return;
    if (indent == 0 && m >= 3 && (memcmp(t, "---", 3) == 0 || memcmp(t, "...", 3) == 0)) {
        y->pairs.n = 0;
        return;
    }
    /* Template directives ({{ if }}, %{ for }) are not YAML; skipping them keeps the rest. */
    if (m >= 2 && (t[0] == '{' || t[0] == '%') && t[1] == '{')
        return;
    /* Each "- " opens a new mapping in a sequence: the previous item's pairs end. */
    while (m > 0 && t[0] == '-' && (m == 1 || t[1] == ' ')) {
        bg_scan_pairer_close(&y->pairs, indent);
        do {
            t++;
            m--;
            indent++;
        } while (m > 0 && t[0] == ' ');
    }
    if (m > 0)
        key_line(y, c, t, m, indent, line);
}

void bg_scan_yaml_buffer(struct bg_scan_ctx *c, const char *buf, size_t len, long fixed_line)
{
    struct bg_scan_yaml y;
    size_t pos = 0, n;
    const char *s;
    long line = 0;

    memset(&y, 0, sizeof(y));
    y.pairs.fixed_line = fixed_line;
    while (bg_scan_next_line(buf, len, &pos, &s, &n))
        bg_scan_yaml_line(&y, c, s, n, ++line);
}
