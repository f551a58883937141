/*
 * hcl.h - a lexer for the HCL native syntax (Terraform's .tf files), internal to src/files.
 *
 * Just enough of HCL to lay a file out as `terraform fmt` does (hcl_align.c) and to tell
 * whether two files differ only in layout (hcl_equiv.c): comments, quoted templates with
 * nested interpolations, heredocs, brackets, and the single `=` of an attribute. Tokens are
 * spans of the source; nothing is allocated. Nesting deeper than BG_HCL_MAX_DEPTH, an
 * unterminated string, comment or heredoc, and a newline inside a quoted string are errors:
 * callers then leave the text alone.
 */
#ifndef BLUEGREEN_FILES_HCL_H
#define BLUEGREEN_FILES_HCL_H

#include <stdbool.h>
#include <stddef.h>

enum bg_hcl_tok {
    BG_HCL_EOF,
    BG_HCL_ERROR,
    BG_HCL_NEWLINE,
    BG_HCL_LCOMMENT, /* `#` or `//` to the end of the line, its newline included */
    BG_HCL_BCOMMENT, /* `/ * ... * /` */
    BG_HCL_EQUAL,    /* a lone `=` (not `==`, `=>`, `<=`, `>=`, `!=`) */
    BG_HCL_OBRACE,
    BG_HCL_CBRACE,
    BG_HCL_OPEN,   /* ( [ */
    BG_HCL_CLOSE,  /* ) ] */
    BG_HCL_INTERP, /* ${ or %{ */
    BG_HCL_SEQEND, /* the } that ends an interpolation */
    BG_HCL_OQUOTE,
    BG_HCL_CQUOTE,
    BG_HCL_QLIT,     /* literal text of a quoted template */
    BG_HCL_OHEREDOC, /* <<EOT or <<-EOT, with its newline */
    BG_HCL_HLIT,     /* heredoc text up to a newline (included) or an interpolation */
    BG_HCL_CHEREDOC, /* the closing marker (indentation before it is whitespace) */
    BG_HCL_IDENT,
    BG_HCL_NUMBER,
    BG_HCL_OP, /* any other punctuation */
};

struct bg_hcl_token {
    enum bg_hcl_tok type;
    size_t ws;    /* offset where the whitespace before the token begins */
    size_t start; /* offset of the token */
    size_t len;
};

#define BG_HCL_MAX_DEPTH 32

struct bg_hcl_mode {
    unsigned char kind;  /* code, quoted template, heredoc */
    bool interp;         /* code inside ${ } */
    unsigned braces;     /* code: `{` open inside the interpolation */
    size_t marker, mlen; /* heredoc: the closing marker */
};

/* Plain data: copying the struct saves the position (hcl_align.c reads chains twice). */
struct bg_hcl_lexer {
    const char *src;
    size_t len, pos;
    bool line_start; /* heredoc: at the start of a body line */
    size_t depth;
    struct bg_hcl_mode stack[BG_HCL_MAX_DEPTH];
};

void bg_files__hcl_init(struct bg_hcl_lexer *lx, const char *src, size_t len);

/* The next token (also stored in *t). After BG_HCL_EOF or BG_HCL_ERROR, the same again. */
enum bg_hcl_tok bg_files__hcl_next(struct bg_hcl_lexer *lx, struct bg_hcl_token *t);

/* +1 for tokens that open a bracket (also ${), -1 for those that close one, else 0: what
 * terraform fmt counts to decide whether a line's `=` starts a whole expression. */
int bg_files__hcl_bracket(enum bg_hcl_tok type);

/* Columns of src[0..n): UTF-8 code points, as terraform fmt counts them. */
size_t bg_files__hcl_columns(const char *src, size_t n);

#endif
