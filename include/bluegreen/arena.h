/*
 * arena.h - region allocator. Every RPC call owns one arena, freed in its last step; decoded
 * values, strings and response fields come from it.
 *
 * Allocation failure aborts the process (like redis' zmalloc): decoders bound every size by
 * the input length before allocating, so only real memory exhaustion reaches that path.
 * An arena is not thread safe; one call uses it from one thread at a time.
 */
#ifndef BLUEGREEN_ARENA_H
#define BLUEGREEN_ARENA_H

#include <stdarg.h>
#include <stddef.h>

#include "common.h"

struct bg_arena;

/* Creates an empty arena. Free with bg_arena_free. Never fails (aborts on OOM). */
struct bg_arena *bg_arena_new(void);

/* Releases every block of the arena. NULL allowed. */
void bg_arena_free(struct bg_arena *a);

/* Zero-filled memory aligned for any type, valid until bg_arena_free. n may be 0. */
void *bg_arena_alloc(struct bg_arena *a, size_t n);

/* Array allocation with overflow check (aborts on overflow). */
void *bg_arena_calloc(struct bg_arena *a, size_t count, size_t size);

/* NUL-terminated copy of the first n bytes of s (s need not be terminated). */
char *bg_arena_strndup(struct bg_arena *a, const char *s, size_t n);
char *bg_arena_strdup(struct bg_arena *a, const char *s);
void *bg_arena_memdup(struct bg_arena *a, const void *p, size_t n);

char *bg_arena_printf(struct bg_arena *a, const char *fmt, ...) BG_PRINTF(2, 3);
char *bg_arena_vprintf(struct bg_arena *a, const char *fmt, va_list ap);

/* Total bytes handed out so far (for tests and limits). */
size_t bg_arena_used(const struct bg_arena *a);

#endif
