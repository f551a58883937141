/*
 * fuzz_hcl.c - libFuzzer target for the HCL layout code: bg_files_hcl_align and
 * bg_files_hcl_equivalent (src/files/hcl_*.c), which read every generated .tf copy.
 *
 * Input: any bytes. The first "\n\x00\n" (if any) splits it into x and y, the second text
 * for the equivalence checks; otherwise y is x with its spaces doubled.
 *
 * Invariants checked (abort on violation):
 *   - alignment either refuses (BG_EINVAL, no output), changes nothing (NULL), or returns a
 *     NUL-terminated text that differs from x in blanks only, is equivalent to x, and that
 *     a second alignment leaves unchanged (idempotent);
 *   - equivalence is reflexive and symmetric, and never crashes on either order.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "bluegreen/files.h"

#define CHECK(cond)                                                                                \
    do {                                                                                           \
        if (!(cond))                                                                               \
            abort();                                                                               \
    } while (0)

static bool blank(char c)
{
    return c == ' ' || c == '\t' || c == '\r';
}

/* x and y are equal once every blank (space, tab, CR: the lexer's whitespace) is dropped. */
static bool same_but_spaces(const char *x, size_t xn, const char *y, size_t yn)
{
    size_t i = 0, j = 0;

    for (;;) {
        while (i < xn && blank(x[i]))
            i++;
        while (j < yn && blank(y[j]))
            j++;
        if (i == xn || j == yn)
            return i == xn && j == yn;
        if (x[i++] != y[j++])
            return false;
    }
}

static void check_align(struct bg_arena *a, const char *x, size_t n)
{
    char *out = NULL, *again = NULL;
    size_t out_len = 0, again_len = 0;
    int rc = bg_files_hcl_align(&out, &out_len, a, x, n);

    if (rc != 0) {
        CHECK(rc == BG_EINVAL && out == NULL);
        return;
    }
    if (out == NULL)
        return;
    CHECK(out[out_len] == '\0');
    CHECK(same_but_spaces(x, n, out, out_len));
    CHECK(bg_files_hcl_equivalent(a, x, n, out, out_len));
    CHECK(bg_files_hcl_align(&again, &again_len, a, out, out_len) == 0 && again == NULL);
}

static void check_equivalence(struct bg_arena *a, const char *x, size_t xn, const char *y,
                              size_t yn)
{
    CHECK(bg_files_hcl_equivalent(a, x, xn, x, xn));
    CHECK(bg_files_hcl_equivalent(a, x, xn, y, yn) == bg_files_hcl_equivalent(a, y, yn, x, xn));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct bg_arena *a = bg_arena_new();
    const char *x = (const char *)data, *sep = memmem(data, size, "\n\0\n", 3);
    size_t xn = sep != NULL ? (size_t)(sep - x) : size, yn = 0, i;
    char *y;

    if (sep != NULL) {
        yn = size - xn - 3;
        y = bg_arena_strndup(a, sep + 3, yn);
    } else {
        y = bg_arena_alloc(a, 2 * size + 1);
        for (i = 0; i < size; i++) {
            y[yn++] = x[i];
            if (x[i] == ' ')
                y[yn++] = ' ';
        }
    }
    check_align(a, x, xn);
    check_equivalence(a, x, xn, y, yn);
    bg_arena_free(a);
    return 0;
}
