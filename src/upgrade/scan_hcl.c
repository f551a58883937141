/*
 * scan_hcl.c - .tf files: kubernetes_manifest objects written in HCL
 * (`apiVersion = "apps/v1"` inside braces, paired by brace depth), YAML heredocs
 * (`<<EOT ... EOT`, fed to the YAML line scanner) and YAML in one-line strings
 * ("apiVersion: v1\nkind: Pod", reported at the string's line). Comments (#, //, block
 * comments) are skipped. A tokenizer per line is enough: HCL strings cannot span lines.
 */
#include <stdlib.h>
#include <string.h>

#include "upgrade/internal.h"

#define MARKER_MAX 64

enum key { KEY_NONE, KEY_API, KEY_KIND };

struct hcl {
    struct bg_scan_pairer pairs; /* level = brace depth */
    int depth;
    bool in_comment; /* inside a block comment */
    bool in_heredoc, heredoc_next;
    char marker[MARKER_MAX];
    struct bg_scan_yaml yaml; /* the current heredoc's document */
    enum key key;             /* last token was this key ... */
    bool assigned;            /* ... followed by = or : */
};

static bool ident_char(char ch)
{
    return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
           ch == '_' || ch == '-' || ch == '.';
}

static enum key key_of(const char *s, size_t n)
{
    if (n == 10 && memcmp(s, "apiVersion", 10) == 0)
        return KEY_API;
    if (n == 4 && memcmp(s, "kind", 4) == 0)
        return KEY_KIND;
    return KEY_NONE;
}

/* End of the string starting at s[i] == '"' (index after the closing quote, or n). */
static size_t string_end(const char *s, size_t n, size_t i, bool *special)
{
    *special = false;
    for (i++; i < n; i++) {
        if (s[i] == '\\') {
            *special = true;
            i++;
        } else if (s[i] == '"') {
            return i + 1;
        } else if ((s[i] == '$' || s[i] == '%') && i + 1 < n && s[i + 1] == '{') {
            /* Interpolation may hold quotes of its own: skip to the matching brace. */
            int depth = 0;

            *special = true;
            for (i++; i < n && !(s[i] == '}' && --depth == 0); i++)
                depth += s[i] == '{';
        }
    }
    return n;
}

/* Decodes the escapes of a string body (\n, \t, \", \\) and scans it as YAML. */
static void scan_yaml_string(struct bg_scan_ctx *c, const char *s, size_t n, long line)
{
    char *buf = malloc(n + 1);
    size_t len = 0;

    if (buf == NULL)
        return;
    for (size_t i = 0; i < n; i++) {
        char ch = s[i];

        if (ch == '\\' && i + 1 < n) {
            ch = s[++i];
            ch = ch == 'n' ? '\n' : ch == 't' ? '\t' : ch;
        }
        buf[len++] = ch;
    }
    bg_scan_yaml_buffer(c, buf, len, line);
    free(buf);
}

static bool contains(const char *s, size_t n, const char *needle)
{
    size_t k = strlen(needle);

    for (size_t i = 0; i + k <= n; i++) {
        if (memcmp(s + i, needle, k) == 0)
            return true;
    }
    return false;
}

static void string_token(struct hcl *h, struct bg_scan_ctx *c, const char *s, size_t n, long line)
{
    char value[BG_SCAN_VALUE_MAX];
    bool special;
    size_t end = string_end(s, n, 0, &special);
    size_t body = end >= 2 && s[end - 1] == '"' ? end - 2 : end - 1;

    if (h->key != KEY_NONE && h->assigned) {
        /* Interpolated or escaped values cannot be read: pair them with an empty value. */
        size_t k = special || body >= BG_SCAN_VALUE_MAX ? 0 : body;

        memcpy(value, s + 1, k);
        value[k] = '\0';
        bg_scan_pairer_set(&h->pairs, c, h->depth, h->key == KEY_API, value, line);
        h->key = KEY_NONE;
        return;
    }
    h->key = key_of(s + 1, body);
    h->assigned = false;
    if (h->key == KEY_NONE && contains(s + 1, body, "\\n") && contains(s + 1, body, "apiVersion"))
        scan_yaml_string(c, s + 1, body, line);
}

/* `<<EOT` or `<<-EOT` at s: remembers the marker; returns the length consumed. */
static size_t heredoc_start(struct hcl *h, const char *s, size_t n)
{
    size_t i = 2, start;

    if (i < n && s[i] == '-')
        i++;
    start = i;
    while (i < n && ident_char(s[i]))
        i++;
    if (i == start || i - start >= MARKER_MAX)
        return 2;
    memcpy(h->marker, s + start, i - start);
    h->marker[i - start] = '\0';
    h->heredoc_next = true;
    return i;
}

static void punct(struct hcl *h, char ch, char next)
{
    if (ch == '{') {
        h->depth++;
    } else if (ch == '}') {
        h->depth -= h->depth > 0;
        bg_scan_pairer_close(&h->pairs, h->depth);
    } else if ((ch == '=' || ch == ':') && h->key != KEY_NONE && !h->assigned && next != '=') {
        h->assigned = true;
        return;
    }
    h->key = KEY_NONE;
}

/* Consumes one token at s[i]; returns the index after it. */
static size_t token(struct hcl *h, struct bg_scan_ctx *c, const char *s, size_t n, size_t i,
                    long line)
{
    char next = i + 1 < n ? s[i + 1] : '\0';
    size_t j = i;
    bool special;

    if (s[i] == '"') {
        j = string_end(s, n, i, &special);
        string_token(h, c, s + i, j - i, line);
        return j;
    }
    if (s[i] == '<' && next == '<')
        return i + heredoc_start(h, s + i, n - i);
    if (ident_char(s[i])) {
        while (j < n && ident_char(s[j]))
            j++;
        h->key = key_of(s + i, j - i);
        h->assigned = false;
        return j;
    }
    punct(h, s[i], next);
    return i + 1;
}

static void hcl_line(struct hcl *h, struct bg_scan_ctx *c, const char *s, size_t n, long line)
{
    size_t i = 0;

    while (i < n) {
        if (h->in_comment) {
            for (; i + 1 < n && !(s[i] == '*' && s[i + 1] == '/'); i++)
                ;
            h->in_comment = i + 1 >= n;
            i += 2;
        } else if (s[i] == ' ' || s[i] == '\t') {
            i++;
        } else if (s[i] == '#' || (s[i] == '/' && i + 1 < n && s[i + 1] == '/')) {
            break;
        } else if (s[i] == '/' && i + 1 < n && s[i + 1] == '*') {
            h->in_comment = true;
            i += 2;
        } else {
            i = token(h, c, s, n, i, line);
        }
    }
    h->key = KEY_NONE;
}

static bool heredoc_end(const struct hcl *h, const char *s, size_t n)
{
    size_t i = 0, k = strlen(h->marker);

    while (i < n && (s[i] == ' ' || s[i] == '\t'))
        i++;
    while (n > i && (s[n - 1] == ' ' || s[n - 1] == '\t'))
        n--;
    return n - i == k && memcmp(s + i, h->marker, k) == 0;
}

void bg_scan_hcl_buffer(struct bg_scan_ctx *c, const char *buf, size_t len)
{
    struct hcl *h = calloc(1, sizeof(*h));
    size_t pos = 0, n;
    const char *s;
    long line = 0;

    if (h == NULL)
        return;
    while (bg_scan_next_line(buf, len, &pos, &s, &n)) {
        line++;
        if (h->in_heredoc) {
            if (heredoc_end(h, s, n))
                h->in_heredoc = false;
            else
                bg_scan_yaml_line(&h->yaml, c, s, n, line);
            continue;
        }
        hcl_line(h, c, s, n, line);
        if (h->heredoc_next) {
            h->heredoc_next = false;
            h->in_heredoc = true;
            memset(&h->yaml, 0, sizeof(h->yaml));
        }
    }
    free(h);
}
