/* validators.c - stock attribute validators; each names the attribute through its path. */
#include <inttypes.h>
#include <stdbool.h>
#include <string.h>

#include "internal.h"

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

/* ---- descriptions for the docs ---------------------------------------------------------- */

const char *const *bg_schema__one_of(const struct bg_attr *attr)
{
    const struct bg_validator *v;

    for (v = attr->validators; v != NULL && v->fn != NULL; v++) {
        if (v->fn == bg_validate_one_of)
            return v->arg;
    }
    return NULL;
}

static char *describe_one_of(struct bg_arena *a, const char *const *allowed)
{
    char *s = bg_arena_strdup(a, "");
    size_t i;

    for (i = 0; allowed[i] != NULL; i++)
        s = bg_arena_printf(a, "%s%s`%s`", s, i > 0 ? ", " : "", allowed[i]);
    return bg_arena_printf(a, "One of %s.", s);
}

static char *describe_int_range(struct bg_arena *a, const int64_t *range)
{
    if (range[0] == INT64_MIN && range[1] == INT64_MAX)
        return NULL;
    if (range[1] == INT64_MAX)
        return bg_arena_printf(a, "A whole number, at least %" PRId64 ".", range[0]);
    if (range[0] == INT64_MIN)
        return bg_arena_printf(a, "A whole number, at most %" PRId64 ".", range[1]);
    return bg_arena_printf(a, "A whole number from %" PRId64 " to %" PRId64 ".", range[0],
                           range[1]);
}

static char *describe_length(struct bg_arena *a, const size_t *range, const struct bg_attr *attr)
{
    bool text = attr->type != NULL && attr->type->kind == BG_TYPE_STRING;
    const char *unit = text ? "character" : "element";

    if (range[1] == SIZE_MAX)
        return bg_arena_printf(a, "At least %zu %s%s.", range[0], unit, range[0] == 1 ? "" : "s");
    if (range[0] == range[1])
        return bg_arena_printf(a, "Exactly %zu %s%s.", range[0], unit, range[0] == 1 ? "" : "s");
    return bg_arena_printf(a, "%zu to %zu %ss.", range[0], range[1], unit);
}

char *bg_validator_describe(struct bg_arena *a, const struct bg_validator *v,
                            const struct bg_attr *attr)
{
    if (v->description != NULL)
        return bg_arena_strdup(a, v->description);
    if (v->fn == bg_validate_one_of)
        return describe_one_of(a, v->arg);
    if (v->fn == bg_validate_int_range)
        return describe_int_range(a, v->arg);
    if (v->fn == bg_validate_length)
        return describe_length(a, v->arg, attr);
    if (v->fn == bg_validate_not_empty)
        return bg_arena_strdup(a, "Not empty.");
    return NULL;
}

static char *join(struct bg_arena *a, char *s, const char *more)
{
    if (more == NULL || *more == '\0')
        return s;
    return *s == '\0' ? bg_arena_strdup(a, more) : bg_arena_printf(a, "%s %s", s, more);
}

char *bg_schema_describe(struct bg_arena *a, const struct bg_attr *attr)
{
    char *s = bg_arena_strdup(a, attr->description != NULL ? attr->description : "");
    const struct bg_validator *v;

    for (v = attr->validators; v != NULL && v->fn != NULL; v++)
        s = join(a, s, bg_validator_describe(a, v, attr));
    /* The Schema message has no field for plan modifiers: the reviewer learns it here. */
    if (attr->flags & BG_FORCE_NEW)
        s = join(a, s, "Changing it replaces the resource.");
    if (attr->default_json != NULL)
        s = join(a, s, bg_arena_printf(a, "Default: `%s`.", attr->default_json));
    return s;
}
