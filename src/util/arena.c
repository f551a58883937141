/*
 * arena.c - region allocator: a list of blocks, bump allocation inside the newest one.
 * Large requests get a block of their own so a big string does not waste a whole block.
 */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bluegreen/arena.h"

#define BLOCK_SIZE 8192u
#define ALIGN      _Alignof(max_align_t)

struct block {
    struct block *next;
    size_t size, used;
    _Alignas(max_align_t) unsigned char data[];
};

struct bg_arena {
    struct block *head;
    size_t total;
};

static void *xmalloc(size_t n)
{
    void *p = malloc(n);

    if (p == NULL) {
        fputs("bluegreen: out of memory\n", stderr);
        abort();
    }
    return p;
}

struct bg_arena *bg_arena_new(void)
{
    struct bg_arena *a = xmalloc(sizeof(*a));

    a->head = NULL;
    a->total = 0;
    return a;
}

void bg_arena_free(struct bg_arena *a)
{
    struct block *b, *next;

    if (a == NULL)
        return;
    for (b = a->head; b != NULL; b = next) {
        next = b->next;
        free(b);
    }
    free(a);
}

static struct block *new_block(size_t size)
{
    struct block *b;

    if (size > SIZE_MAX - sizeof(*b)) {
        fputs("bluegreen: allocation size overflow\n", stderr);
        abort();
    }
    b = xmalloc(sizeof(*b) + size);
    b->size = size;
    b->used = 0;
    b->next = NULL;
    return b;
}

void *bg_arena_alloc(struct bg_arena *a, size_t n)
{
    size_t need = (n + ALIGN - 1) & ~(size_t)(ALIGN - 1);
    struct block *b = a->head;
    void *p;

    if (need < n)
        abort();
    if (b == NULL || b->size - b->used < need) {
        if (need > BLOCK_SIZE / 4) {
            /* Own block, linked behind the head so the head keeps its free space. */
            b = new_block(need);
            if (a->head != NULL) {
                b->next = a->head->next;
                a->head->next = b;
            } else {
                a->head = b;
            }
        } else {
            b = new_block(BLOCK_SIZE);
            b->next = a->head;
            a->head = b;
        }
    }
    p = b->data + b->used;
    b->used += need;
    a->total += need;
    memset(p, 0, n);
    return p;
}

void *bg_arena_calloc(struct bg_arena *a, size_t count, size_t size)
{
    if (size != 0 && count > SIZE_MAX / size) {
        fputs("bluegreen: allocation size overflow\n", stderr);
        abort();
    }
    return bg_arena_alloc(a, count * size);
}

char *bg_arena_strndup(struct bg_arena *a, const char *s, size_t n)
{
    char *p = bg_arena_alloc(a, n + 1);

    if (n > 0)
        memcpy(p, s, n);
    p[n] = '\0';
    return p;
}

char *bg_arena_strdup(struct bg_arena *a, const char *s)
{
    return bg_arena_strndup(a, s, strlen(s));
}

void *bg_arena_memdup(struct bg_arena *a, const void *p, size_t n)
{
    void *q = bg_arena_alloc(a, n);

    if (n > 0)
        memcpy(q, p, n);
    return q;
}

char *bg_arena_vprintf(struct bg_arena *a, const char *fmt, va_list ap)
{
    va_list copy;
    int n;
    char *p;

    va_copy(copy, ap);
    n = vsnprintf(NULL, 0, fmt, copy);
    va_end(copy);
    if (n < 0)
        return bg_arena_strdup(a, "");
    p = bg_arena_alloc(a, (size_t)n + 1);
    vsnprintf(p, (size_t)n + 1, fmt, ap);
    return p;
}

char *bg_arena_printf(struct bg_arena *a, const char *fmt, ...)
{
    va_list ap;
    char *p;

    va_start(ap, fmt);
    p = bg_arena_vprintf(a, fmt, ap);
    va_end(ap);
    return p;
}

size_t bg_arena_used(const struct bg_arena *a)
{
    return a->total;
}
