/*
 * render.c - token matching, file renaming and rendering of standby copies.
 *
 * Every rewrite runs twice: once to measure, once to fill a buffer of exactly that size.
 * The arena cannot give memory back, so measuring first keeps a 16 MiB file from costing
 * several growing copies, and it lets the size bound be checked before anything is allocated.
 */
#include <assert.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "bluegreen/files.h"
#include "files/internal.h"

struct sink {
    char *buf; /* NULL while measuring */
    size_t len, max;
    bool over; /* len would have passed max */
};

struct color {
    const char *from, *to;
    size_t from_len, to_len;
};

struct subst_set {
    const struct bg_subst *subs;
    size_t n;
    size_t *from_len, *to_len;
    size_t *counts;  /* NULL or n counters, bumped while filling (not while measuring) */
    bool first[256]; /* some `from` starts with this byte: skips most positions cheaply */
};

typedef void (*pass_fn)(struct sink *s, const char *src, size_t len, const void *ctx);

static void put(struct sink *s, const char *p, size_t n)
{
    if (s->over || n > s->max - s->len) {
        s->over = true;
        return;
    }
    if (s->buf != NULL && n > 0)
        memcpy(s->buf + s->len, p, n);
    s->len += n;
}

/* True when word[0..wlen) (wlen > 0) sits at text[i] bounded by non-alphanumerics or edges. */
static bool token_at(const char *text, size_t len, size_t i, const char *word, size_t wlen)
{
    if (wlen > len - i || memcmp(text + i, word, wlen) != 0)
        return false;
    if (i > 0 && bg_files__is_alnum((unsigned char)text[i - 1]))
        return false;
    return i + wlen == len || !bg_files__is_alnum((unsigned char)text[i + wlen]);
}

/* Offset of the next token occurrence of word at or after i, or len when there is none.
 * memchr on the first byte, not memmem: sanitizers check memmem's whole haystack at every
 * call, which made dense inputs quadratic (an 8 MiB file took minutes under ASan). */
static size_t next_token(const char *text, size_t len, size_t i, const char *word, size_t wlen)
{
    while (i < len) {
        const char *hit = memchr(text + i, word[0], len - i);

        if (hit == NULL)
            return len;
        i = (size_t)(hit - text);
        if (token_at(text, len, i, word, wlen))
            return i;
        i++;
    }
    return len;
}

bool bg_files_has_token(const char *text, size_t len, const char *word)
{
    size_t wlen = word != NULL ? strlen(word) : 0;

    if (wlen == 0 || text == NULL)
        return false;
    return next_token(text, len, 0, word, wlen) < len;
}

static void recolor(struct sink *s, const char *src, size_t len, const void *ctx)
{
    const struct color *c = ctx;
    size_t start = 0, i;

    for (i = next_token(src, len, 0, c->from, c->from_len); i < len;
         i = next_token(src, len, i, c->from, c->from_len)) {
        put(s, src + start, i - start);
        put(s, c->to, c->to_len);
        i += c->from_len;
        start = i;
    }
    put(s, src + start, len - start);
}

/* Index of the longest `from` matching at t[i]; ties go to the earliest entry so the result
 * never depends on anything but the inputs. set->n when none matches. */
static size_t longest_at(const struct subst_set *set, const char *t, size_t len, size_t i)
{
    size_t best = set->n, k;

    for (k = 0; k < set->n; k++) {
        size_t fl = set->from_len[k];

        if (fl > len - i || (best != set->n && fl <= set->from_len[best]))
            continue;
        if (memcmp(t + i, set->subs[k].from, fl) == 0)
            best = k;
    }
    return best;
}

static void substitute(struct sink *s, const char *t, size_t len, const void *ctx)
{
    const struct subst_set *set = ctx;
    size_t start = 0, i = 0, k;

    while (i < len) {
        k = set->first[(unsigned char)t[i]] ? longest_at(set, t, len, i) : set->n;
        if (k == set->n) {
            i++;
            continue;
        }
        put(s, t + start, i - start);
        put(s, set->subs[k].to, set->to_len[k]);
        if (set->counts != NULL && s->buf != NULL)
            set->counts[k]++;
        i += set->from_len[k];
        start = i; /* replaced text is never looked at again */
    }
    put(s, t + start, len - start);
}

/* Measures, allocates, fills. BG_ELIMIT when the result would exceed max bytes. */
static int run_pass(char **out, size_t *out_len, struct bg_arena *a, pass_fn fn, const char *src,
                    size_t len, const void *ctx, size_t max)
{
    struct sink s = {NULL, 0, max, false};

    fn(&s, src, len, ctx);
    if (s.over)
        return BG_ELIMIT;
    s.buf = bg_arena_alloc(a, s.len + 1);
    s.len = 0;
    fn(&s, src, len, ctx);
    s.buf[s.len] = '\0';
    *out = s.buf;
    *out_len = s.len;
    return 0;
}

char *bg_files_rename(struct bg_arena *a, const char *file_name, const char *from_cluster,
                      const char *to_cluster)
{
    struct color c = {from_cluster, to_cluster, strlen(from_cluster), strlen(to_cluster)};
    size_t len = strlen(file_name), out_len;
    char *out = NULL;

    /* SIZE_MAX as the bound: a name is far shorter than memory, so the pass cannot fail. */
    if (c.from_len == 0 || run_pass(&out, &out_len, a, recolor, file_name, len, &c, SIZE_MAX))
        return bg_arena_strdup(a, file_name);
    return out;
}

static int subst_set_init(struct subst_set *set, struct bg_arena *a, const struct bg_subst *subs,
                          size_t n, struct bg_error *err)
{
    size_t k;

    memset(set, 0, sizeof(*set));
    set->subs = subs;
    set->n = n;
    set->from_len = bg_arena_calloc(a, n, sizeof(size_t));
    set->to_len = bg_arena_calloc(a, n, sizeof(size_t));
    for (k = 0; k < n; k++) {
        if (subs[k].from == NULL || subs[k].from[0] == '\0')
            return bg_error_set(err, BG_EINVAL, "substitution %zu has an empty \"from\"", k);
        set->from_len[k] = strlen(subs[k].from);
        set->to_len[k] = subs[k].to != NULL ? strlen(subs[k].to) : 0;
        set->first[(unsigned char)subs[k].from[0]] = true;
    }
    return 0;
}

static int too_large(struct bg_error *err)
{
    return bg_error_set(err, BG_ELIMIT, "rendered file would exceed the limit of %u bytes",
                        BG_FILES_MAX_SIZE);
}

int bg_files_render(char **out, size_t *out_len, struct bg_arena *a, const char *src, size_t len,
                    const char *from_color, const char *to_color, const struct bg_subst *subs,
                    size_t nsubs, struct bg_error *err)
{
    struct bg_render_opts o = {from_color, to_color, subs, nsubs, NULL, false};

    return bg_files_render_with(out, out_len, a, src, len, &o, err);
}

/* Alignment never grows a line by more than its cell's new indentation; a file that would
 * pass the size bound that way is refused like any other too large rendering. */
static int align(char **out, size_t *out_len, struct bg_arena *a, struct bg_error *err)
{
    char *aligned = NULL;
    size_t n = 0;

    if (bg_files_hcl_align(&aligned, &n, a, *out, *out_len) != 0 || aligned == NULL)
        return 0; /* not HCL after all, or already aligned: left as rendered */
    if (n > BG_FILES_MAX_SIZE)
        return too_large(err);
    *out = aligned;
    *out_len = n;
    return 0;
}

int bg_files_render_with(char **out, size_t *out_len, struct bg_arena *a, const char *src,
                         size_t len, const struct bg_render_opts *o, struct bg_error *err)
{
    struct color c;
    struct subst_set set;
    char *mid;
    size_t mid_len;
    int rc;

    assert(o->to_color != NULL);
    if (o->from_color == NULL || o->from_color[0] == '\0')
        return bg_error_set(err, BG_EINVAL, "the color to replace must not be empty");
    if (len > BG_FILES_MAX_SIZE)
        return too_large(err);
    c = (struct color){o->from_color, o->to_color, strlen(o->from_color), strlen(o->to_color)};
    rc = subst_set_init(&set, a, o->subs, o->nsubs, err);
    if (rc != 0)
        return rc;
    set.counts = o->counts;
    rc = run_pass(&mid, &mid_len, a, recolor, len > 0 ? src : "", len, &c, BG_FILES_MAX_SIZE);
    if (rc == 0 && o->nsubs == 0) {
        *out = mid;
        *out_len = mid_len;
    } else if (rc == 0) {
        rc = run_pass(out, out_len, a, substitute, mid, mid_len, &set, BG_FILES_MAX_SIZE);
    }
    if (rc != 0)
        return too_large(err);
    return o->align ? align(out, out_len, a, err) : 0;
}
