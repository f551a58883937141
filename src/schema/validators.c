/* validators.c - stock attribute validators; each names the attribute through its path. */
#include <inttypes.h>
#include <stdbool.h>
#include <string.h>

#include "bluegreen/schema.h"

static char *quoted_list(struct bg_arena *a, const char *const *allowed)
{
    char *s = bg_arena_strdup(a, "");
    size_t i;

    for (i = 0; allowed[i] != NULL; i++)
        s = bg_arena_printf(a, "%s%s\"%s\"", s, i > 0 ? ", " : "", allowed[i]);
    return s;
}

void bg_validate_one_of(struct bg_diags *d, const struct bg_path *path, const struct bg_value *v,
                        const void *arg)
{
    const char *const *allowed = arg;
    const char *s = bg_value_as_string(v);
    size_t i;

    for (i = 0; s != NULL && allowed[i] != NULL; i++) {
        if (strcmp(s, allowed[i]) == 0)
            return;
    }
    bg_diag_error(d, path, "Invalid value", "%s must be one of %s, got \"%s\".",
                  bg_path_string(d->arena, path), quoted_list(d->arena, allowed),
                  s != NULL ? s : "");
}

void bg_validate_int_range(struct bg_diags *d, const struct bg_path *path, const struct bg_value *v,
                           const void *arg)
{
    const int64_t *range = arg;
    const char *shown = bg_value_as_string(v);
    int64_t i = 0;
    double x = 0;

    /* Exact integer comparison: doubles would round bounds and values beyond 2^53. */
    if (bg_value_as_int(&i, v) == 0 && i >= range[0] && i <= range[1])
        return;
    if (v->kind == BG_INT)
        shown = bg_arena_printf(d->arena, "%" PRId64, v->u.i);
    else if (shown == NULL && bg_value_as_double(&x, v) == 0)
        shown = bg_arena_printf(d->arena, "%.17g", x);
    bg_diag_error(d, path, "Value out of range",
                  "%s must be a whole number from %" PRId64 " to %" PRId64 ", got %s.",
                  bg_path_string(d->arena, path), range[0], range[1],
                  shown != NULL ? shown : "a non-number");
}

static size_t utf8_length(const char *s, size_t len)
{
    size_t i, n = 0;

    for (i = 0; i < len; i++) {
        if (((unsigned char)s[i] & 0xc0) != 0x80)
            n++;
    }
    return n;
}

void bg_validate_length(struct bg_diags *d, const struct bg_path *path, const struct bg_value *v,
                        const void *arg)
{
    const size_t *range = arg;
    bool text = v->kind == BG_STRING;
    size_t n = text ? utf8_length(v->u.s.ptr, v->u.s.len) : bg_value_len(v);
    const char *unit = text ? "characters" : "elements";

    if (n >= range[0] && n <= range[1])
        return;
    if (range[0] == range[1])
        bg_diag_error(d, path, "Invalid length", "%s must have exactly %zu %s, got %zu.",
                      bg_path_string(d->arena, path), range[0], unit, n);
    else
        bg_diag_error(d, path, "Invalid length", "%s must have %zu to %zu %s, got %zu.",
                      bg_path_string(d->arena, path), range[0], range[1], unit, n);
}

void bg_validate_not_empty(struct bg_diags *d, const struct bg_path *path, const struct bg_value *v,
                           const void *arg)
{
    (void)arg;
    if (v->kind == BG_STRING && v->u.s.len > 0)
        return;
    bg_diag_error(d, path, "Empty value", "%s must not be empty.", bg_path_string(d->arena, path));
}
