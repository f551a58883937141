/* helpers.h - shared by the schema unit tests: an arena and diagnostics per test, and terse
 * builders for values on top of value.h. */
#ifndef BG_TEST_SCHEMA_HELPERS_H
#define BG_TEST_SCHEMA_HELPERS_H

#include <criterion/criterion.h>
#include <stdarg.h>
#include <stdint.h>
#include <string.h>

#include "bluegreen/arena.h"
#include "bluegreen/diag.h"
#include "bluegreen/schema.h"
#include "bluegreen/value.h"

/* Each criterion test runs in its own process, so one arena per file is per test. */
static struct bg_arena *arena;
static struct bg_diags diags;

static inline void setup(void)
{
    arena = bg_arena_new();
    bg_diags_init(&diags, arena);
}

static inline void teardown(void)
{
    bg_arena_free(arena);
    arena = NULL;
}

static inline struct bg_value *str(const char *s)
{
    return bg_value_string(arena, s);
}

static inline struct bg_value *num(int64_t i)
{
    return bg_value_int(arena, i);
}

static inline struct bg_value *null(void)
{
    return bg_value_null(arena);
}

static inline struct bg_value *unknown(void)
{
    return bg_value_unknown(arena);
}

/* obj("k1", v1, "k2", v2, NULL): a map value with the members in that order. */
static inline struct bg_value *obj(const char *key, ...)
{
    struct bg_value *m = bg_value_map(arena, 0);
    va_list ap;

    va_start(ap, key);
    for (; key != NULL; key = va_arg(ap, const char *))
        bg_value_put(arena, m, key, va_arg(ap, struct bg_value *));
    va_end(ap);
    return m;
}

/* list(v1, v2, NULL): an array value; list(NULL) is the empty list. */
static inline struct bg_value *list(struct bg_value *first, ...)
{
    struct bg_value *arr = bg_value_array(arena, 0), *v;
    va_list ap;

    va_start(ap, first);
    for (v = first; v != NULL; v = va_arg(ap, struct bg_value *))
        bg_value_append(arena, arr, v);
    va_end(ap);
    return arr;
}

/* The i-th diagnostic collected so far (fails the test when there are fewer). */
static inline const struct bg_diag *diag_at(size_t i)
{
    const struct bg_diag *g = diags.head;

    cr_assert_lt(i, diags.count, "wanted diagnostic %zu, have %zu", i, diags.count);
    while (i-- > 0)
        g = g->next;
    return g;
}

static inline const char *diag_path(size_t i)
{
    return bg_path_string(arena, diag_at(i)->path);
}

#endif
