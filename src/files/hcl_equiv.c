/*
 * hcl_equiv.c - whether two HCL files differ only as `terraform fmt` would change one of
 * them, so that formatting a generated copy (a pre-commit hook, an editor) is not an edit.
 *
 * Both files go through the same normalizer and the token streams are compared; whitespace
 * between tokens never reaches the comparison (indentation, spacing, alignment), newlines
 * and comments do, exactly. The normalizer also applies terraform fmt's rewrites:
 *   - an attribute whose whole value is one interpolation, `x = "${a}"`, is `x = a`
 *     (wrapped in parentheses when it spans lines and has none);
 *   - in a `variable` block, `type = list` (map, set) is `list(any)`, and the quoted legacy
 *     types "string", "list", "map" are string, list(string), map(string);
 *   - unquoted block labels (`resource aws_s3_bucket "b"`) are quoted.
 * Memory: a bounded look-ahead per attribute value (LOOKAHEAD tokens), nothing else.
 */
#include <string.h>

#include "bluegreen/files.h"
#include "files/hcl.h"

#define LOOKAHEAD 1024
#define MAX_NEST  256

struct ntok {
    enum bg_hcl_tok type;
    const char *p;
    size_t n;
};

struct norm {
    struct bg_hcl_lexer lx;
    bool error;
    /* open brackets: 0 for a block's brace, 1 for anything in an expression */
    unsigned char kinds[MAX_NEST];
    const char *block_name[MAX_NEST]; /* the block type, for the variable/type rule */
    size_t block_len[MAX_NEST];
    size_t depth, expr, blocks; /* entries, entries that are expressions, blocks */
    bool item_start, item_eq;   /* at the first token of an item; its `=` was seen */
    struct ntok item_name;
    struct ntok buf[LOOKAHEAD + 8];
    size_t head, len;
};

enum action { PASS, LABEL, ATTR };

static void opened(struct norm *n, unsigned char kind)
{
    if (n->depth >= MAX_NEST) {
        n->error = true;
        return;
    }
    n->kinds[n->depth] = kind;
    n->block_name[n->depth] = kind == 0 ? n->item_name.p : NULL;
    n->block_len[n->depth] = kind == 0 ? n->item_name.n : 0;
    n->depth++;
    n->expr += kind;
    n->blocks += kind == 0;
}

static void closed(struct norm *n)
{
    if (n->depth == 0)
        return; /* unbalanced input: compared as it is */
    n->depth--;
    n->expr -= n->kinds[n->depth];
    n->blocks -= n->kinds[n->depth] == 0;
}

static void new_item(struct norm *n)
{
    n->item_start = true;
    n->item_eq = false;
    n->item_name.p = NULL;
    n->item_name.n = 0;
}

static bool ends_line(const struct ntok *t)
{
    return t->type == BG_HCL_NEWLINE || (t->type == BG_HCL_LCOMMENT && t->p[t->n - 1] == '\n');
}

/* Body-level bookkeeping: blocks, items, labels, an attribute's `=`. */
static enum action body(struct norm *n, const struct ntok *t)
{
    bool start = n->item_start;

    if (t->type == BG_HCL_BCOMMENT)
        return PASS; /* a comment before a name: the name still starts the item */
    n->item_start = false;
    if (t->type == BG_HCL_IDENT && start)
        n->item_name = *t;
    else if (t->type == BG_HCL_IDENT && !n->item_eq)
        return LABEL;
    if (t->type == BG_HCL_EQUAL && !n->item_eq) {
        n->item_eq = true;
        return ATTR;
    }
    if (t->type == BG_HCL_OBRACE && !n->item_eq) {
        opened(n, 0);
        new_item(n);
    } else if (t->type == BG_HCL_CBRACE) {
        closed(n);
    } else if (bg_files__hcl_bracket(t->type) > 0 || t->type == BG_HCL_OQUOTE ||
               t->type == BG_HCL_OHEREDOC) {
        opened(n, 1);
    }
    if (ends_line(t))
        new_item(n);
    return PASS;
}

static enum action track(struct norm *n, const struct ntok *t)
{
    if (n->expr == 0)
        return body(n, t);
    if (bg_files__hcl_bracket(t->type) > 0 || t->type == BG_HCL_OQUOTE ||
        t->type == BG_HCL_OHEREDOC)
        opened(n, 1);
    else if (bg_files__hcl_bracket(t->type) < 0 || t->type == BG_HCL_CQUOTE ||
             t->type == BG_HCL_CHEREDOC)
        closed(n);
    return PASS;
}

static enum action raw(struct norm *n, struct ntok *out)
{
    struct bg_hcl_token t;

    bg_files__hcl_next(&n->lx, &t);
    out->type = t.type;
    out->p = n->lx.src + t.start;
    out->n = t.len;
    if (t.type == BG_HCL_ERROR)
        n->error = true;
    if (t.type == BG_HCL_EOF || t.type == BG_HCL_ERROR)
        return PASS;
    return track(n, out);
}

static void push(struct norm *n, enum bg_hcl_tok type, const char *p, size_t len)
{
    struct ntok *t = &n->buf[n->len++];

    t->type = type;
    t->p = p;
    t->n = len;
}

static bool is(const struct ntok *t, enum bg_hcl_tok type, const char *text)
{
    return t->type == type &&
           (text == NULL || (t->n == strlen(text) && memcmp(t->p, text, t->n) == 0));
}

/* The value of the attribute whose `=` was just read, up to and including the token that
 * ends it (a newline, a comment, the end, the brace closing a one-line block). */
static size_t collect(struct norm *n, struct ntok *v)
{
    size_t k = 0, blocks = n->blocks;

    while (k < LOOKAHEAD) {
        raw(n, &v[k]);
        k++;
        if (v[k - 1].type == BG_HCL_EOF || v[k - 1].type == BG_HCL_ERROR)
            break;
        if (n->expr == 0 && (ends_line(&v[k - 1]) || n->blocks < blocks))
            break;
    }
    return k;
}

static bool type_rule(struct norm *n, const struct ntok *v, size_t k)
{
    static const char *const any[] = {"list", "map", "set"};
    size_t i;

    if (k == 2 && v[0].type == BG_HCL_IDENT) {
        for (i = 0; i < 3; i++) {
            if (!is(&v[0], BG_HCL_IDENT, any[i]))
                continue;
            push(n, BG_HCL_IDENT, v[0].p, v[0].n);
            push(n, BG_HCL_OPEN, "(", 1);
            push(n, BG_HCL_IDENT, "any", 3);
            push(n, BG_HCL_CLOSE, ")", 1);
            push(n, v[1].type, v[1].p, v[1].n);
            return true;
        }
    }
    if (k != 4 || !is(&v[0], BG_HCL_OQUOTE, NULL) || !is(&v[2], BG_HCL_CQUOTE, NULL))
        return false;
    if (is(&v[1], BG_HCL_QLIT, "string")) {
        push(n, BG_HCL_IDENT, "string", 6);
    } else if (is(&v[1], BG_HCL_QLIT, "list") || is(&v[1], BG_HCL_QLIT, "map")) {
        push(n, BG_HCL_IDENT, v[1].p, v[1].n);
        push(n, BG_HCL_OPEN, "(", 1);
        push(n, BG_HCL_IDENT, "string", 6);
        push(n, BG_HCL_CLOSE, ")", 1);
    } else {
        return false;
    }
    push(n, v[3].type, v[3].p, v[3].n);
    return true;
}

/* terraform fmt's test: nothing but one interpolation at the template's top level. */
static bool unwrappable(const struct ntok *v, size_t k)
{
    int quotes = 0;
    size_t i;

    if (k < 6 || v[0].type != BG_HCL_OQUOTE || v[1].type != BG_HCL_INTERP ||
        v[k - 3].type != BG_HCL_SEQEND || v[k - 2].type != BG_HCL_CQUOTE)
        return false;
    for (i = 2; i < k - 3; i++) {
        if (v[i].type == BG_HCL_OQUOTE || v[i].type == BG_HCL_CQUOTE) {
            quotes += v[i].type == BG_HCL_OQUOTE ? 1 : -1;
            continue;
        }
        if (quotes == 0 &&
            (v[i].type == BG_HCL_INTERP || v[i].type == BG_HCL_SEQEND || v[i].type == BG_HCL_QLIT))
            return false;
    }
    return true;
}

static void unwrap(struct norm *n, const struct ntok *v, size_t k)
{
    size_t first = 2, last = k - 3, i; /* inner: [first, last) */
    bool multi = false, parens;

    while (first < last && v[first].type == BG_HCL_NEWLINE)
        first++;
    while (last > first && v[last - 1].type == BG_HCL_NEWLINE)
        last--;
    for (i = first; i < last; i++)
        multi |= v[i].type == BG_HCL_NEWLINE;
    parens = last > first && is(&v[first], BG_HCL_OPEN, "(") && is(&v[last - 1], BG_HCL_CLOSE, ")");
    if (multi && !parens)
        push(n, BG_HCL_OPEN, "(", 1);
    for (i = first; i < last; i++)
        push(n, v[i].type, v[i].p, v[i].n);
    if (multi && !parens)
        push(n, BG_HCL_CLOSE, ")", 1);
    push(n, v[k - 1].type, v[k - 1].p, v[k - 1].n);
}

static void attribute_value(struct norm *n)
{
    struct ntok *v = n->buf + 8; /* room for the few tokens a rule adds in front */
    bool typed = n->blocks == 1 && n->depth == 1 && n->block_name[0] != NULL &&
                 n->block_len[0] == 8 && memcmp(n->block_name[0], "variable", 8) == 0 &&
                 is(&n->item_name, BG_HCL_IDENT, "type");
    size_t k = collect(n, v), i;

    n->head = 0;
    n->len = 0;
    if (typed && type_rule(n, v, k))
        return;
    if (!typed && unwrappable(v, k)) {
        unwrap(n, v, k);
        return;
    }
    for (i = 0; i < k; i++)
        n->buf[n->len++] = v[i]; /* n->len <= i: never overwrites what is still to copy */
}

static void next(struct norm *n, struct ntok *out)
{
    enum action act;

    if (n->head < n->len) {
        *out = n->buf[n->head++];
        return;
    }
    n->head = n->len = 0;
    act = raw(n, out);
    if (act == LABEL) {
        push(n, BG_HCL_QLIT, out->p, out->n);
        push(n, BG_HCL_CQUOTE, "\"", 1);
        out->type = BG_HCL_OQUOTE;
        out->p = "\"";
        out->n = 1;
    } else if (act == ATTR) {
        attribute_value(n);
    }
}

bool bg_files_hcl_equivalent(struct bg_arena *a, const char *x, size_t xlen, const char *y,
                             size_t ylen)
{
    struct norm *n = bg_arena_calloc(a, 2, sizeof(*n));
    struct ntok s, t;

    if (xlen == ylen && memcmp(x, y, xlen) == 0)
        return true;
    bg_files__hcl_init(&n[0].lx, x, xlen);
    bg_files__hcl_init(&n[1].lx, y, ylen);
    new_item(&n[0]);
    new_item(&n[1]);
    for (;;) {
        next(&n[0], &s);
        next(&n[1], &t);
        if (n[0].error || n[1].error || s.type != t.type || s.n != t.n ||
            memcmp(s.p, t.p, s.n) != 0)
            return false;
        if (s.type == BG_HCL_EOF)
            return true;
    }
}
