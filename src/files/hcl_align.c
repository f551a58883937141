/*
 * hcl_align.c - re-aligns the `=` of consecutive attribute lines and the trailing comments
 * of consecutive lines, the way terraform fmt (hclwrite) lays out its "cells":
 *
 *   - a line's tokens end at a newline or at a `#`/`//` comment (which holds the newline);
 *     a heredoc belongs to the line that opens it;
 *   - a line's last token is its comment cell when it is such a comment and not alone;
 *   - a line's assign cell starts at its first `=` after the first token, when the brackets
 *     from there to the end of the line balance (`x = {` opens a multi-line value: no cell);
 *   - in a run of consecutive lines that all have an assign cell, each `=` gets
 *     (widest text before an `=`) - (this line's) + 1 spaces before it; then comment cells
 *     are aligned the same way over runs of lines that have one.
 *
 * So a copy whose color names or substitutions changed the length of some names is laid out
 * again exactly as terraform fmt would, and a formatted source gives a formatted copy. Only
 * the whitespace right before a cell ever changes. Chains are read twice (widest first, then
 * emitted) by copying the lexer, so memory is the output only, whatever the chain length.
 */
#include <string.h>

#include "bluegreen/files.h"
#include "files/hcl.h"

enum cell { CELL_ASSIGN, CELL_COMMENT };

struct line {
    size_t start, end; /* [start, end): the line, its terminator included */
    bool has_cell;
    size_t before; /* end of the last token before the cell */
    size_t cell;   /* start of the cell's first token */
    size_t width;  /* columns of [start, before) */
};

struct sink {
    char *buf; /* NULL while measuring */
    size_t len;
    bool changed; /* some cell moved */
};

static void put(struct sink *s, const char *p, size_t n)
{
    if (s->buf != NULL && n > 0)
        memcpy(s->buf + s->len, p, n);
    s->len += n;
}

static void put_spaces(struct sink *s, size_t n)
{
    if (s->buf != NULL)
        memset(s->buf + s->len, ' ', n);
    s->len += n;
}

static bool ends_line(const struct bg_hcl_lexer *lx, const struct bg_hcl_token *t)
{
    return t->type == BG_HCL_NEWLINE ||
           (t->type == BG_HCL_LCOMMENT && lx->src[t->start + t->len - 1] == '\n');
}

/* The assign cell: first `=` at token index >= 1 whose rest of line balances. Tokens are
 * read again from the saved lexer: a line is short, and nothing has to be stored. */
static void find_assign(struct line *l, struct bg_hcl_lexer lx, size_t ntok, size_t nlead)
{
    struct bg_hcl_token t;
    size_t i, prev_end = l->start;
    int net = 0;
    bool found = false;

    for (i = 0; i < ntok; i++) {
        bg_files__hcl_next(&lx, &t);
        if (!found && i >= 1 && i < nlead && t.type == BG_HCL_EQUAL) {
            found = true;
            l->before = prev_end;
            l->cell = t.start;
        }
        if (found && i < nlead)
            net += bg_files__hcl_bracket(t.type);
        prev_end = t.start + t.len;
    }
    l->has_cell = found && net == 0;
}

/* Reads one line from *lx. Returns false at the end of the text; *error on a lexer error. */
static bool read_line(struct line *l, struct bg_hcl_lexer *lx, enum cell kind, bool *error)
{
    struct bg_hcl_lexer start = *lx;
    struct bg_hcl_token t, last = {BG_HCL_EOF, 0, 0, 0};
    size_t ntok = 0, prev_end = lx->pos, before_last = lx->pos;

    memset(l, 0, sizeof(*l));
    l->start = lx->pos;
    for (;;) {
        bg_files__hcl_next(lx, &t);
        if (t.type == BG_HCL_ERROR)
            *error = true;
        if (t.type == BG_HCL_EOF || t.type == BG_HCL_ERROR)
            break;
        before_last = prev_end;
        prev_end = t.start + t.len;
        last = t;
        ntok++;
        if (ends_line(lx, &t))
            break;
    }
    l->end = lx->pos; /* at the end of the text, trailing whitespace included */
    if (ntok == 0)
        return false;
    if (kind == CELL_COMMENT || last.type == BG_HCL_LCOMMENT) {
        bool comment = last.type == BG_HCL_LCOMMENT && ntok > 1;

        if (kind == CELL_COMMENT) {
            l->has_cell = comment;
            l->before = before_last;
            l->cell = last.start;
        } else {
            find_assign(l, start, ntok, comment ? ntok - 1 : ntok);
        }
    } else {
        find_assign(l, start, ntok, ntok);
    }
    if (l->has_cell)
        l->width = bg_files__hcl_columns(lx->src + l->start, l->before - l->start);
    return true;
}

static void emit_line(struct sink *s, const char *src, const struct line *l, size_t widest)
{
    size_t spaces = widest - l->width + 1, i;

    if (!l->has_cell) {
        put(s, src + l->start, l->end - l->start);
        return;
    }
    for (i = l->before; i < l->cell && !s->changed; i++)
        s->changed = src[i] != ' ';
    s->changed |= l->cell - l->before != spaces;
    put(s, src + l->start, l->before - l->start);
    put_spaces(s, spaces);
    put(s, src + l->cell, l->end - l->cell);
}

/* A chain starting with line first (already read): find its widest line, then go back and
 * emit it. *lx ends after the chain, before the line that ended it. */
static void chain(struct sink *s, struct bg_hcl_lexer *lx, const struct line *first, enum cell kind,
                  bool *error)
{
    struct bg_hcl_lexer rewind = *lx, after;
    struct line l;
    size_t widest = first->width, n = 1, i;
    bool more = false;

    for (;;) {
        after = *lx;
        more = read_line(&l, lx, kind, error);
        if (!more || !l.has_cell)
            break;
        widest = l.width > widest ? l.width : widest;
        n++;
    }
    emit_line(s, lx->src, first, widest);
    *lx = rewind;
    for (i = 1; i < n; i++) {
        read_line(&l, lx, kind, error);
        emit_line(s, lx->src, &l, widest);
    }
    *lx = after;
}

static void align_pass(struct sink *s, const char *src, size_t len, enum cell kind, bool *error)
{
    struct bg_hcl_lexer lx;
    struct line l;

    bg_files__hcl_init(&lx, src, len);
    while (!*error && read_line(&l, &lx, kind, error)) {
        if (l.has_cell)
            chain(s, &lx, &l, kind, error);
        else
            put(s, src + l.start, l.end - l.start);
    }
    if (!*error)
        put(s, src + l.start, len - l.start); /* whitespace after the last line */
}

/* Measure, allocate, fill (as render.c does). BG_EINVAL when the text does not lex; *out
 * stays NULL when no cell moves (no copy is made). */
static int run(char **out, size_t *out_len, struct bg_arena *a, const char *src, size_t len,
               enum cell kind)
{
    struct sink s = {NULL, 0, false};
    bool error = false;

    *out = NULL;
    align_pass(&s, src, len, kind, &error);
    if (error)
        return BG_EINVAL;
    if (!s.changed)
        return 0;
    s.buf = bg_arena_alloc(a, s.len + 1);
    s.len = 0;
    align_pass(&s, src, len, kind, &error);
    s.buf[s.len] = '\0';
    *out = s.buf;
    *out_len = s.len;
    return 0;
}

bool bg_files_is_hcl_name(const char *name)
{
    static const char *const exts[] = {".tf", ".tfvars", ".tftest.hcl"};
    size_t n = strlen(name), i;

    for (i = 0; i < sizeof(exts) / sizeof(exts[0]); i++) {
        size_t e = strlen(exts[i]);

        if (n > e && strcmp(name + n - e, exts[i]) == 0)
            return true;
    }
    return false;
}

int bg_files_hcl_align(char **out, size_t *out_len, struct bg_arena *a, const char *src, size_t len)
{
    char *mid = NULL;
    size_t mid_len = 0;

    *out = NULL;
    *out_len = 0;
    if (run(&mid, &mid_len, a, src, len, CELL_ASSIGN) != 0)
        return BG_EINVAL;
    /* Moving `=` signs cannot break the lexing, so the comment pass cannot fail. */
    if (run(out, out_len, a, mid != NULL ? mid : src, mid != NULL ? mid_len : len, CELL_COMMENT) !=
        0)
        return BG_EINVAL;
    if (*out == NULL && mid != NULL) {
        *out = mid;
        *out_len = mid_len;
    }
    return 0;
}
