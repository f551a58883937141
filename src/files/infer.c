/*
 * infer.c - literal substitutions that explain how a standby copy differs from its live
 * file after the color swap (import recovers `substitutions` this way).
 *
 * Both texts are split into lines; the lines they share at the start and the end are
 * skipped, and what is left is matched line by line (equal counts) or by a longest common
 * subsequence of lines (bounded). Within each differing line pair a token-level longest
 * common subsequence finds the hunks: tokens are runs of [A-Za-z0-9_.-], runs of blanks, and
 * single other bytes, so "1.15" or "istio-1-4" is one token. A hunk whose both sides are
 * blanks is alignment (terraform fmt) and is skipped; an insertion borrows the token before
 * it. A key the caller found to replace more (or less) than its hunks ("1.15" also inside
 * "1.150") is widened by one more non-blank token on each side, hunk by hunk, until it is
 * not one of those. Nothing is verified here: the caller renders with the result, compares,
 * and tries again avoiding the keys whose replacement counts were off.
 */
#include <stdint.h>
#include <string.h>

#include "bluegreen/files.h"
#include "files/internal.h"

#define MAX_LINE_TOKENS 512u /* per side of a line pair; longer lines are one hunk */
#define MAX_LCS_LINES   2000u

struct span {
    size_t start, len;
};

struct text {
    const char *p;
    size_t len;
};

static bool word_byte(unsigned char c)
{
    return bg_files__is_alnum(c) || c == '_' || c == '.' || c == '-' || c >= 0x80;
}

static bool blank_byte(char c)
{
    return c == ' ' || c == '\t' || c == '\r';
}

static size_t token_end(const char *p, size_t i, size_t end)
{
    if (word_byte((unsigned char)p[i])) {
        while (i < end && word_byte((unsigned char)p[i]))
            i++;
        return i;
    }
    if (blank_byte(p[i])) {
        while (i < end && blank_byte(p[i]))
            i++;
        return i;
    }
    return i + 1;
}

/* Tokens of p[start, end); *n = max + 1 (and nothing stored) when there are more than max. */
static struct span *tokens(size_t *n, struct bg_arena *a, const char *p, size_t start, size_t end,
                           size_t max)
{
    struct span *t;
    size_t i, k = 0;

    for (i = start; i < end && k <= max; k++)
        i = token_end(p, i, end);
    *n = k;
    if (k > max)
        return NULL;
    t = bg_arena_calloc(a, k + 1, sizeof(*t));
    for (i = start, k = 0; i < end; k++) {
        size_t e = token_end(p, i, end);

        t[k] = (struct span){i, e - i};
        i = e;
    }
    return t;
}

static bool same(const struct text *x, const struct span *a, const struct text *y,
                 const struct span *b)
{
    return a->len == b->len && memcmp(x->p + a->start, y->p + b->start, a->len) == 0;
}

static bool all_blank(const char *p, size_t start, size_t end)
{
    for (; start < end; start++) {
        if (!blank_byte(p[start]))
            return false;
    }
    return true;
}

struct acc {
    struct bg_infer *inf;
    struct bg_arena *a;
};

static bool is_key(const char *s, const char *key, size_t klen)
{
    return strlen(s) == klen && memcmp(s, key, klen) == 0;
}

static bool avoided(const struct bg_infer *inf, const char *key, size_t klen)
{
    size_t i;

    for (i = 0; i < inf->navoid; i++) {
        if (is_key(inf->avoid[i], key, klen))
            return true;
    }
    return false;
}

static void conflict(struct acc *acc, const char *key)
{
    struct bg_infer *inf = acc->inf;
    const char **grown = bg_arena_calloc(acc->a, inf->nconflicts + 1, sizeof(*grown));

    if (inf->nconflicts > 0)
        memcpy(grown, inf->conflicts, inf->nconflicts * sizeof(*grown));
    grown[inf->nconflicts++] = key;
    inf->conflicts = grown;
}

static void add(struct acc *acc, const char *key, size_t klen, const char *val, size_t vlen)
{
    struct bg_infer *inf = acc->inf;
    struct bg_subst *grown;
    size_t *hits, i;

    if (memchr(key, '\0', klen) != NULL || memchr(val, '\0', vlen) != NULL)
        return; /* no substitution can hold a NUL byte: that copy stays unexplained */
    for (i = 0; i < inf->n; i++) {
        if (!is_key(inf->subs[i].from, key, klen))
            continue;
        if (!is_key(inf->subs[i].to, val, vlen))
            conflict(acc, inf->subs[i].from); /* one key, two values: not literal */
        inf->hits[i]++;
        return;
    }
    grown = bg_arena_calloc(acc->a, inf->n + 1, sizeof(*grown));
    hits = bg_arena_calloc(acc->a, inf->n + 1, sizeof(*hits));
    if (inf->n > 0) {
        memcpy(grown, inf->subs, inf->n * sizeof(*grown));
        memcpy(hits, inf->hits, inf->n * sizeof(*hits));
    }
    grown[inf->n].from = bg_arena_strndup(acc->a, key, klen);
    grown[inf->n].to = bg_arena_strndup(acc->a, val, vlen);
    hits[inf->n] = 1;
    inf->subs = grown;
    inf->hits = hits;
    inf->n++;
}

/* Index moved back over `count` non-blank tokens (and the blanks between them). */
static size_t back(const struct text *t, const struct span *tok, size_t i, unsigned count)
{
    while (i > 0 && count > 0) {
        i--;
        if (!all_blank(t->p, tok[i].start, tok[i].start + tok[i].len))
            count--;
    }
    return i;
}

static size_t forward(const struct text *t, const struct span *tok, size_t n, size_t i,
                      unsigned count)
{
    while (i < n && count > 0) {
        if (!all_blank(t->p, tok[i].start, tok[i].start + tok[i].len))
            count--;
        i++;
    }
    return i;
}

struct side {
    const struct text *t;
    const struct span *tok;
    size_t n;
};

/* The key and value of a hunk x[i0, i1) -> y[j0, j1) widened by ctx tokens. */
static void widen(struct span *key, struct span *val, const struct side *x, size_t i0, size_t i1,
                  const struct side *y, size_t j0, size_t j1, unsigned ctx)
{
    unsigned left = i0 == i1 && ctx == 0 ? 1 : ctx; /* an insertion replaces something */

    i0 = back(x->t, x->tok, i0, left);
    j0 = back(y->t, y->tok, j0, left);
    i1 = forward(x->t, x->tok, x->n, i1, ctx);
    j1 = forward(y->t, y->tok, y->n, j1, ctx);
    if (i0 == i1) { /* an insertion at the very start: borrow the token after it */
        i1 = forward(x->t, x->tok, x->n, i1, 1);
        j1 = forward(y->t, y->tok, y->n, j1, 1);
    }
    key->start = i0 < x->n ? x->tok[i0].start : x->t->len;
    key->len = i1 > i0 ? x->tok[i1 - 1].start + x->tok[i1 - 1].len - key->start : 0;
    val->start = j0 < y->n ? y->tok[j0].start : y->t->len;
    val->len = j1 > j0 ? y->tok[j1 - 1].start + y->tok[j1 - 1].len - val->start : 0;
}

/* One hunk: x tokens [i0, i1) became y tokens [j0, j1). The least context whose key is not
 * one the caller found to match too much. */
static void hunk(struct acc *acc, const struct side *x, size_t i0, size_t i1, const struct side *y,
                 size_t j0, size_t j1)
{
    struct span key, val;
    unsigned ctx = 0;

    if (i0 == i1 && j0 == j1)
        return;
    if ((i0 == i1 ||
         all_blank(x->t->p, x->tok[i0].start, x->tok[i1 - 1].start + x->tok[i1 - 1].len)) &&
        (j0 == j1 ||
         all_blank(y->t->p, y->tok[j0].start, y->tok[j1 - 1].start + y->tok[j1 - 1].len)))
        return; /* layout only */
    for (;;) {
        widen(&key, &val, x, i0, i1, y, j0, j1, ctx);
        if (ctx >= acc->inf->max_context || !avoided(acc->inf, x->t->p + key.start, key.len))
            break;
        ctx++;
    }
    if (key.len > 0)
        add(acc, x->t->p + key.start, key.len, y->t->p + val.start, val.len);
}

/* Longest common subsequence table, filled from the end: lcs[i][j] for x[i..], y[j..]. */
static uint16_t *lcs_table(struct bg_arena *a, const struct text *x, const struct span *xt,
                           size_t xn, const struct text *y, const struct span *yt, size_t yn)
{
    uint16_t *l = bg_arena_calloc(a, (xn + 1) * (yn + 1), sizeof(*l));
    size_t i, j, w = yn + 1;

    for (i = xn; i-- > 0;) {
        for (j = yn; j-- > 0;) {
            if (same(x, &xt[i], y, &yt[j]))
                l[i * w + j] = (uint16_t)(l[(i + 1) * w + j + 1] + 1);
            else
                l[i * w + j] =
                    l[(i + 1) * w + j] > l[i * w + j + 1] ? l[(i + 1) * w + j] : l[i * w + j + 1];
        }
    }
    return l;
}

/* Hunks between two token sequences (one line pair, or one block of lines). */
static void diff_tokens(struct acc *acc, struct bg_arena *scratch, const struct text *x,
                        struct span xr, const struct text *y, struct span yr)
{
    size_t xn, yn, i = 0, j = 0, hi = 0, hj = 0, w;
    struct span *xt = tokens(&xn, scratch, x->p, xr.start, xr.start + xr.len, MAX_LINE_TOKENS);
    struct span *yt = tokens(&yn, scratch, y->p, yr.start, yr.start + yr.len, MAX_LINE_TOKENS);
    struct side xs = {x, xt, xn}, ys = {y, yt, yn};
    uint16_t *l;

    if (xn > MAX_LINE_TOKENS || yn > MAX_LINE_TOKENS) {
        if (xr.len > 0) /* one long line: the whole of it is the difference */
            add(acc, x->p + xr.start, xr.len, y->p + yr.start, yr.len);
        return;
    }
    l = lcs_table(scratch, x, xt, xn, y, yt, yn);
    w = yn + 1;
    while (i < xn && j < yn) {
        if (same(x, &xt[i], y, &yt[j])) {
            hunk(acc, &xs, hi, i, &ys, hj, j);
            hi = ++i;
            hj = ++j;
        } else if (l[(i + 1) * w + j] >= l[i * w + j + 1]) {
            i++;
        } else {
            j++;
        }
    }
    hunk(acc, &xs, hi, xn, &ys, hj, yn);
}

/* Lines of t as spans, the newline included. */
static struct span *lines(size_t *n, struct bg_arena *a, const struct text *t)
{
    size_t count = 1, i, k = 0, start = 0;
    struct span *l;

    for (i = 0; i < t->len; i++)
        count += t->p[i] == '\n';
    l = bg_arena_calloc(a, count, sizeof(*l));
    for (i = 0; i < t->len; i++) {
        if (t->p[i] == '\n') {
            l[k++] = (struct span){start, i + 1 - start};
            start = i + 1;
        }
    }
    if (start < t->len)
        l[k++] = (struct span){start, t->len - start};
    *n = k;
    return l;
}

/* Lines [from, to) of l (n lines, text of len bytes) as one span. */
static struct span join(const struct span *l, size_t n, size_t from, size_t to, size_t len)
{
    if (from == to)
        return (struct span){from < n ? l[from].start : len, 0};
    return (struct span){l[from].start, l[to - 1].start + l[to - 1].len - l[from].start};
}

struct block {
    const struct text *t;
    const struct span *l;
    size_t n; /* lines of the whole text */
};

/* A gap between matched lines: paired line by line when both sides have as many. */
static void gap(struct acc *acc, struct bg_arena *scratch, const struct block *x, size_t x0,
                size_t x1, const struct block *y, size_t y0, size_t y1)
{
    size_t k;

    if (x0 == x1 && y0 == y1)
        return;
    if (x0 == x1 && x0 > 0 && y0 > 0) { /* lines added: the line before them is the key */
        x0--;
        y0--;
    } else if (x0 == x1 && x1 < x->n && y1 < y->n) {
        x1++;
        y1++;
    }
    if (x1 - x0 != y1 - y0) {
        diff_tokens(acc, scratch, x->t, join(x->l, x->n, x0, x1, x->t->len), y->t,
                    join(y->l, y->n, y0, y1, y->t->len));
        return;
    }
    for (k = 0; k < x1 - x0; k++)
        diff_tokens(acc, scratch, x->t, x->l[x0 + k], y->t, y->l[y0 + k]);
}

/* Lines [x0, x1) against [y0, y1): an LCS of whole lines, then the gaps (bounded). */
static void diff_lines(struct acc *acc, struct bg_arena *scratch, const struct block *x, size_t x0,
                       size_t x1, const struct block *y, size_t y0, size_t y1)
{
    size_t xn = x1 - x0, yn = y1 - y0, i = 0, j = 0, hi = 0, hj = 0, w = yn + 1;
    uint16_t *l;

    if (xn > MAX_LCS_LINES || yn > MAX_LCS_LINES || xn == yn) {
        gap(acc, scratch, x, x0, x1, y, y0, y1);
        return;
    }
    l = lcs_table(scratch, x->t, x->l + x0, xn, y->t, y->l + y0, yn);
    while (i < xn && j < yn) {
        if (same(x->t, &x->l[x0 + i], y->t, &y->l[y0 + j])) {
            gap(acc, scratch, x, x0 + hi, x0 + i, y, y0 + hj, y0 + j);
            hi = ++i;
            hj = ++j;
        } else if (l[(i + 1) * w + j] >= l[i * w + j + 1]) {
            i++;
        } else {
            j++;
        }
    }
    gap(acc, scratch, x, x0 + hi, x1, y, y0 + hj, y1);
}

void bg_files_infer_substitutions(struct bg_infer *inf, struct bg_arena *a, const char *from,
                                  size_t from_len, const char *to, size_t to_len)
{
    struct bg_arena *scratch = bg_arena_new();
    struct text x = {from, from_len}, y = {to, to_len};
    struct acc acc = {inf, a};
    size_t xn, yn, p = 0, s = 0;
    struct span *xl = lines(&xn, scratch, &x), *yl = lines(&yn, scratch, &y);

    struct block xb = {&x, xl, xn}, yb = {&y, yl, yn};

    while (p < xn && p < yn && same(&x, &xl[p], &y, &yl[p]))
        p++;
    while (s < xn - p && s < yn - p && same(&x, &xl[xn - 1 - s], &y, &yl[yn - 1 - s]))
        s++;
    diff_lines(&acc, scratch, &xb, p, xn - s, &yb, p, yn - s);
    bg_arena_free(scratch);
}
