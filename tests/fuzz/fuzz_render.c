/*
 * fuzz_render.c - libFuzzer target for bg_files_render, bg_files_rename and
 * bg_files_has_token.
 *
 * Input layout (text, so seeds are easy to write by hand):
 *   <from color>\n<to color>\n<from>=<to>\n...\n\n<content>
 * The header ends at the first blank line; without one the whole input is content rendered
 * from "spoon" to "knife". At most MAX_SUBS substitution lines are used.
 *
 * Invariants checked (abort on violation):
 *   - empty colors or substitution keys are refused with BG_EINVAL, anything else renders;
 *   - rendering twice gives identical bytes, NUL-terminated;
 *   - the output equals a naive byte-by-byte reference implementation;
 *   - no substitutions and equal-length colors: output length equals input length;
 *   - no substitutions, alphanumeric colors, to_color not a token of the input: rendering
 *     back restores the input, and from_color no longer occurs as a token;
 *   - bg_files_rename agrees with bg_files_render on NUL-free content.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "bluegreen/files.h"

#define MAX_SUBS 8

struct input {
    char *header; /* owned; lines NUL-terminated in place */
    const char *from, *to;
    struct bg_subst subs[MAX_SUBS];
    size_t nsubs;
    bool empty_key;
    const char *content;
    size_t len;
};

#define CHECK(cond)                                                                                \
    do {                                                                                           \
        if (!(cond))                                                                               \
            abort();                                                                               \
    } while (0)

static bool alnum(unsigned char c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static bool all_alnum(const char *s)
{
    for (; *s != '\0'; s++)
        if (!alnum((unsigned char)*s))
            return false;
    return true;
}

/* Splits the NUL-separated header into colors and "from=to" lines. A NUL byte inside the
 * original header simply starts a new line, which is fine for fuzzing. */
static void parse_header(struct input *in, size_t hlen)
{
    char *p = in->header, *end = in->header + hlen, *lines[MAX_SUBS + 2], *eq;
    size_t n = 0, i;

    while (n < MAX_SUBS + 2) {
        lines[n++] = p;
        p += strlen(p);
        if (p >= end)
            break;
        p++;
    }
    in->from = lines[0];
    in->to = n > 1 ? lines[1] : "";
    for (i = 2; i < n; i++) {
        eq = strchr(lines[i], '=');
        if (eq == NULL)
            continue;
        *eq = '\0';
        in->subs[in->nsubs].from = lines[i];
        in->subs[in->nsubs].to = eq + 1;
        in->empty_key |= lines[i][0] == '\0';
        in->nsubs++;
    }
}

static void parse(struct input *in, const uint8_t *data, size_t size)
{
    const uint8_t *sep = memmem(data, size, "\n\n", 2);
    size_t hlen, i;

    memset(in, 0, sizeof(*in));
    in->from = "spoon";
    in->to = "knife";
    in->content = (const char *)data;
    in->len = size;
    if (sep == NULL)
        return;
    hlen = (size_t)(sep - data);
    in->header = malloc(hlen + 1);
    if (in->header == NULL)
        abort();
    memcpy(in->header, data, hlen);
    in->header[hlen] = '\0';
    for (i = 0; i < hlen; i++)
        if (in->header[i] == '\n')
            in->header[i] = '\0';
    parse_header(in, hlen);
    in->content = (const char *)sep + 2;
    in->len = size - hlen - 2;
}

static bool token_at(const char *t, size_t len, size_t i, const char *w, size_t wl)
{
    return wl <= len - i && memcmp(t + i, w, wl) == 0 && (i == 0 || !alnum(t[i - 1])) &&
           (i + wl == len || !alnum(t[i + wl]));
}

/* Reference: the contract spelled out as directly as possible, quadratic and allocation
 * heavy on purpose. Returns a malloc'd buffer. */
static char *naive_render(size_t *out_len, const struct input *in, const char *src, size_t len)
{
    size_t fl = strlen(in->from), tl = strlen(in->to), cap = len * (tl + 1) + 1, n = 0, i, k;
    char *mid = malloc(cap), *out;

    for (i = 0; i < len;) {
        if (token_at(src, len, i, in->from, fl)) {
            memcpy(mid + n, in->to, tl);
            n += tl;
            i += fl;
        } else {
            mid[n++] = src[i++];
        }
    }
    len = n;
    cap = 1;
    for (k = 0; k < in->nsubs; k++)
        cap += strlen(in->subs[k].to);
    out = malloc(len * cap + 1);
    for (n = 0, i = 0; i < len;) {
        size_t best = in->nsubs, best_len = 0;

        for (k = 0; k < in->nsubs; k++) {
            size_t l = strlen(in->subs[k].from);

            if (l > best_len && l <= len - i && memcmp(mid + i, in->subs[k].from, l) == 0) {
                best = k;
                best_len = l;
            }
        }
        if (best == in->nsubs) {
            out[n++] = mid[i++];
            continue;
        }
        memcpy(out + n, in->subs[best].to, strlen(in->subs[best].to));
        n += strlen(in->subs[best].to);
        i += best_len;
    }
    free(mid);
    *out_len = n;
    return out;
}

static void check_against_reference(const struct input *in, const char *out, size_t out_len)
{
    size_t ref_len;
    char *ref = naive_render(&ref_len, in, in->content, in->len);

    CHECK(ref_len == out_len);
    CHECK(memcmp(ref, out, out_len) == 0);
    free(ref);
}

static void check_round_trip(struct bg_arena *a, const struct input *in, const char *out,
                             size_t out_len)
{
    struct bg_error err = BG_ERROR_INIT;
    char *back = NULL;
    size_t back_len = 0;

    if (in->nsubs != 0 || in->to[0] == '\0' || !all_alnum(in->from) || !all_alnum(in->to))
        return;
    if (bg_files_has_token(in->content, in->len, in->to))
        return;
    CHECK(bg_files_render(&back, &back_len, a, out, out_len, in->to, in->from, NULL, 0, &err) == 0);
    CHECK(back_len == in->len && memcmp(back, in->content, in->len) == 0);
    if (strcmp(in->from, in->to) != 0)
        CHECK(!bg_files_has_token(out, out_len, in->from));
}

static void check_rename(struct bg_arena *a, const struct input *in, const char *out,
                         size_t out_len)
{
    char *name;

    if (in->nsubs != 0 || memchr(in->content, '\0', in->len) != NULL)
        return;
    name = bg_files_rename(a, bg_arena_strndup(a, in->content, in->len), in->from, in->to);
    CHECK(strlen(name) == out_len && memcmp(name, out, out_len) == 0);
}

static void check(struct bg_arena *a, const struct input *in)
{
    struct bg_error err = BG_ERROR_INIT;
    char *out = NULL, *again = NULL;
    size_t out_len = 0, again_len = 0;
    int rc = bg_files_render(&out, &out_len, a, in->content, in->len, in->from, in->to, in->subs,
                             in->nsubs, &err);

    if (in->from[0] == '\0' || in->empty_key) {
        CHECK(rc == BG_EINVAL && err.code == BG_EINVAL);
        return;
    }
    if (rc == BG_ELIMIT)
        return; /* only reachable with inputs far beyond the default -max_len */
    CHECK(rc == 0 && out != NULL && out[out_len] == '\0');
    CHECK(bg_files_render(&again, &again_len, a, in->content, in->len, in->from, in->to, in->subs,
                          in->nsubs, &err) == 0);
    CHECK(again_len == out_len && memcmp(again, out, out_len) == 0);
    if (in->nsubs == 0 && strlen(in->from) == strlen(in->to))
        CHECK(out_len == in->len);
    check_against_reference(in, out, out_len);
    check_round_trip(a, in, out, out_len);
    check_rename(a, in, out, out_len);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct bg_arena *a = bg_arena_new();
    struct input in;

    parse(&in, data, size);
    check(a, &in);
    free(in.header);
    bg_arena_free(a);
    return 0;
}
