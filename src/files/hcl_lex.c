/*
 * hcl_lex.c - the HCL lexer of hcl.h. A mode stack follows quoted templates, interpolations
 * inside them (which hold code, and so more templates) and heredocs; each mode has its own
 * small scanner. Iterative, bounded by BG_HCL_MAX_DEPTH, and never reads past len.
 */
#include <string.h>

#include "files/hcl.h"

enum { MODE_CODE, MODE_QUOTE, MODE_HEREDOC };

void bg_files__hcl_init(struct bg_hcl_lexer *lx, const char *src, size_t len)
{
    memset(lx, 0, sizeof(*lx));
    lx->src = src;
    lx->len = len;
    lx->depth = 1;
    lx->stack[0].kind = MODE_CODE;
}

int bg_files__hcl_bracket(enum bg_hcl_tok type)
{
    switch (type) {
    case BG_HCL_OBRACE:
    case BG_HCL_OPEN:
    case BG_HCL_INTERP:
        return 1;
    case BG_HCL_CBRACE:
    case BG_HCL_CLOSE:
    case BG_HCL_SEQEND:
        return -1;
    default:
        return 0;
    }
}

size_t bg_files__hcl_columns(const char *src, size_t n)
{
    size_t cols = 0, i;

    for (i = 0; i < n; i++)
        cols += ((unsigned char)src[i] & 0xC0) != 0x80;
    return cols;
}

static char at(const struct bg_hcl_lexer *lx, size_t i)
{
    return i < lx->len ? lx->src[i] : '\0';
}

static bool is_ident_start(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c >= 0x80;
}

static bool is_ident(unsigned char c)
{
    return is_ident_start(c) || (c >= '0' && c <= '9') || c == '-';
}

static bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}

static enum bg_hcl_tok emit(struct bg_hcl_lexer *lx, struct bg_hcl_token *t, enum bg_hcl_tok type,
                            size_t len)
{
    t->type = type;
    t->start = lx->pos;
    t->len = len;
    lx->pos += len;
    return type;
}

static enum bg_hcl_tok fail(struct bg_hcl_lexer *lx, struct bg_hcl_token *t)
{
    lx->pos = lx->len;
    lx->depth = 0; /* sticky: every later call fails too */
    t->type = BG_HCL_ERROR;
    t->start = lx->len;
    t->len = 0;
    return BG_HCL_ERROR;
}

static enum bg_hcl_tok push(struct bg_hcl_lexer *lx, struct bg_hcl_token *t, enum bg_hcl_tok type,
                            size_t len, unsigned char kind)
{
    if (lx->depth >= BG_HCL_MAX_DEPTH)
        return fail(lx, t);
    memset(&lx->stack[lx->depth], 0, sizeof(lx->stack[0]));
    lx->stack[lx->depth].kind = kind;
    lx->stack[lx->depth].interp = type == BG_HCL_INTERP;
    lx->depth++;
    return emit(lx, t, type, len);
}

static enum bg_hcl_tok pop(struct bg_hcl_lexer *lx, struct bg_hcl_token *t, enum bg_hcl_tok type,
                           size_t len)
{
    lx->depth--;
    return emit(lx, t, type, len);
}

/* `<<EOT` / `<<-EOT` followed by a newline; 0 when the text at pos is no heredoc opener. */
static size_t heredoc_opener(const struct bg_hcl_lexer *lx, size_t *marker, size_t *mlen)
{
    size_t i = lx->pos + 2;

    if (at(lx, i) == '-')
        i++;
    if (!is_ident_start((unsigned char)at(lx, i)))
        return 0;
    *marker = i;
    while (i < lx->len && is_ident((unsigned char)lx->src[i]))
        i++;
    *mlen = i - *marker;
    if (at(lx, i) == '\r')
        i++;
    return at(lx, i) == '\n' ? i + 1 - lx->pos : 0;
}

static enum bg_hcl_tok open_heredoc(struct bg_hcl_lexer *lx, struct bg_hcl_token *t)
{
    size_t marker = 0, mlen = 0, n = heredoc_opener(lx, &marker, &mlen);

    if (n == 0)
        return emit(lx, t, BG_HCL_OP, 1);
    if (push(lx, t, BG_HCL_OHEREDOC, n, MODE_HEREDOC) == BG_HCL_ERROR)
        return BG_HCL_ERROR;
    lx->stack[lx->depth - 1].marker = marker;
    lx->stack[lx->depth - 1].mlen = mlen;
    lx->line_start = true;
    return BG_HCL_OHEREDOC;
}

static size_t number_len(const struct bg_hcl_lexer *lx)
{
    size_t i = lx->pos;

    while (is_digit(at(lx, i)))
        i++;
    if (at(lx, i) == '.' && is_digit(at(lx, i + 1))) {
        i++;
        while (is_digit(at(lx, i)))
            i++;
    }
    if ((at(lx, i) == 'e' || at(lx, i) == 'E') &&
        (is_digit(at(lx, i + 1)) ||
         ((at(lx, i + 1) == '+' || at(lx, i + 1) == '-') && is_digit(at(lx, i + 2))))) {
        i += 2;
        while (is_digit(at(lx, i)))
            i++;
    }
    return i - lx->pos;
}

static enum bg_hcl_tok block_comment(struct bg_hcl_lexer *lx, struct bg_hcl_token *t)
{
    size_t i = lx->pos + 2;

    while (i + 1 < lx->len && !(lx->src[i] == '*' && lx->src[i + 1] == '/'))
        i++;
    if (i + 1 >= lx->len)
        return fail(lx, t);
    return emit(lx, t, BG_HCL_BCOMMENT, i + 2 - lx->pos);
}

static enum bg_hcl_tok line_comment(struct bg_hcl_lexer *lx, struct bg_hcl_token *t)
{
    const char *nl = memchr(lx->src + lx->pos, '\n', lx->len - lx->pos);
    size_t end = nl != NULL ? (size_t)(nl - lx->src) + 1 : lx->len;

    return emit(lx, t, BG_HCL_LCOMMENT, end - lx->pos);
}

static enum bg_hcl_tok brace(struct bg_hcl_lexer *lx, struct bg_hcl_token *t, char c)
{
    struct bg_hcl_mode *m = &lx->stack[lx->depth - 1];

    if (c == '{') {
        m->braces += m->interp;
        return emit(lx, t, BG_HCL_OBRACE, 1);
    }
    if (m->interp && m->braces == 0)
        return pop(lx, t, BG_HCL_SEQEND, 1);
    m->braces -= m->interp;
    return emit(lx, t, BG_HCL_CBRACE, 1);
}

/* Two- and three-byte operators are single tokens so that spacing never splits them. */
static size_t op_len(const struct bg_hcl_lexer *lx, char c)
{
    char d = at(lx, lx->pos + 1);

    if (c == '.' && d == '.' && at(lx, lx->pos + 2) == '.')
        return 3;
    if ((c == '=' || c == '!' || c == '<' || c == '>') && d == '=')
        return 2;
    if ((c == '=' && d == '>') || (c == '&' && d == '&') || (c == '|' && d == '|'))
        return 2;
    return 1;
}

static enum bg_hcl_tok code_punct(struct bg_hcl_lexer *lx, struct bg_hcl_token *t, char c)
{
    size_t n;

    switch (c) {
    case '\n':
        return emit(lx, t, BG_HCL_NEWLINE, 1);
    case '"':
        return push(lx, t, BG_HCL_OQUOTE, 1, MODE_QUOTE);
    case '{':
    case '}':
        return brace(lx, t, c);
    case '(':
    case '[':
        return emit(lx, t, BG_HCL_OPEN, 1);
    case ')':
    case ']':
        return emit(lx, t, BG_HCL_CLOSE, 1);
    case '#':
        return line_comment(lx, t);
    default:
        break;
    }
    if (c == '/' && at(lx, lx->pos + 1) == '/')
        return line_comment(lx, t);
    if (c == '/' && at(lx, lx->pos + 1) == '*')
        return block_comment(lx, t);
    if (c == '<' && at(lx, lx->pos + 1) == '<')
        return open_heredoc(lx, t);
    n = op_len(lx, c);
    return emit(lx, t, c == '=' && n == 1 ? BG_HCL_EQUAL : BG_HCL_OP, n);
}

static enum bg_hcl_tok code(struct bg_hcl_lexer *lx, struct bg_hcl_token *t)
{
    char c;
    size_t i;

    while (lx->pos < lx->len &&
           (at(lx, lx->pos) == ' ' || at(lx, lx->pos) == '\t' || at(lx, lx->pos) == '\r'))
        lx->pos++;
    t->start = lx->pos;
    if (lx->pos >= lx->len)
        return lx->depth == 1 ? emit(lx, t, BG_HCL_EOF, 0) : fail(lx, t);
    c = lx->src[lx->pos];
    if (is_ident_start((unsigned char)c)) {
        for (i = lx->pos; i < lx->len && is_ident((unsigned char)lx->src[i]);)
            i++;
        return emit(lx, t, BG_HCL_IDENT, i - lx->pos);
    }
    if (is_digit(c))
        return emit(lx, t, BG_HCL_NUMBER, number_len(lx));
    return code_punct(lx, t, c);
}

/* `${` or `%{` at i, not escaped as `$${` / `%%{` (the caller skips escapes). */
static bool interp_at(const struct bg_hcl_lexer *lx, size_t i)
{
    return (at(lx, i) == '$' || at(lx, i) == '%') && at(lx, i + 1) == '{';
}

static bool escape_at(const struct bg_hcl_lexer *lx, size_t i)
{
    return (at(lx, i) == '$' || at(lx, i) == '%') && at(lx, i + 1) == at(lx, i) &&
           at(lx, i + 2) == '{';
}

static enum bg_hcl_tok quoted(struct bg_hcl_lexer *lx, struct bg_hcl_token *t)
{
    size_t i = lx->pos;

    t->start = lx->pos;
    if (at(lx, i) == '"')
        return pop(lx, t, BG_HCL_CQUOTE, 1);
    if (interp_at(lx, i))
        return push(lx, t, BG_HCL_INTERP, 2, MODE_CODE);
    while (i < lx->len && lx->src[i] != '"' && lx->src[i] != '\n' && !interp_at(lx, i)) {
        if (lx->src[i] == '\\' && i + 1 < lx->len && lx->src[i + 1] != '\n')
            i += 2;
        else
            i += escape_at(lx, i) ? 3 : 1;
    }
    if (i >= lx->len || lx->src[i] == '\n')
        return fail(lx, t); /* a quoted string ends on its own line */
    return emit(lx, t, BG_HCL_QLIT, i - lx->pos);
}

/* The closing marker: the whole line, indentation aside, then a newline or the end. */
static size_t closing_marker(const struct bg_hcl_lexer *lx, const struct bg_hcl_mode *m,
                             size_t *start)
{
    size_t i = lx->pos;
    char c;

    while (at(lx, i) == ' ' || at(lx, i) == '\t')
        i++;
    if (m->mlen > lx->len - i || memcmp(lx->src + i, lx->src + m->marker, m->mlen) != 0)
        return 0;
    *start = i;
    c = at(lx, i + m->mlen);
    if (c == '\r')
        c = at(lx, i + m->mlen + 1);
    return i + m->mlen == lx->len || c == '\n' ? m->mlen : 0;
}

static enum bg_hcl_tok heredoc(struct bg_hcl_lexer *lx, struct bg_hcl_token *t)
{
    const struct bg_hcl_mode *m = &lx->stack[lx->depth - 1];
    size_t i = lx->pos, start = 0, n;

    t->start = lx->pos;
    if (lx->line_start && (n = closing_marker(lx, m, &start)) > 0) {
        lx->pos = start;
        lx->line_start = false;
        return pop(lx, t, BG_HCL_CHEREDOC, n);
    }
    if (i >= lx->len)
        return fail(lx, t);
    if (interp_at(lx, i)) {
        lx->line_start = false;
        return push(lx, t, BG_HCL_INTERP, 2, MODE_CODE);
    }
    while (i < lx->len && lx->src[i] != '\n' && !interp_at(lx, i))
        i += escape_at(lx, i) ? 3 : 1;
    i += i < lx->len && lx->src[i] == '\n';
    lx->line_start = lx->src[i - 1] == '\n';
    return emit(lx, t, BG_HCL_HLIT, i - lx->pos);
}

enum bg_hcl_tok bg_files__hcl_next(struct bg_hcl_lexer *lx, struct bg_hcl_token *t)
{
    if (lx->depth == 0)
        return fail(lx, t);
    if (lx->pos > lx->len)
        lx->pos = lx->len;
    t->ws = lx->pos;
    switch (lx->stack[lx->depth - 1].kind) {
    case MODE_QUOTE:
        return quoted(lx, t);
    case MODE_HEREDOC:
        return heredoc(lx, t);
    default:
        return code(lx, t);
    }
}
