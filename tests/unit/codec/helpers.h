/* helpers.h - shared by the codec unit tests: an arena per test and hex byte literals. */
#ifndef BG_TEST_CODEC_HELPERS_H
#define BG_TEST_CODEC_HELPERS_H

#include <criterion/criterion.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "bluegreen/arena.h"
#include "bluegreen/codec.h"
#include "bluegreen/value.h"

/* Each criterion test runs in its own process, so one arena per file is per test. */
static struct bg_arena *arena;

static inline void setup(void)
{
    arena = bg_arena_new();
}

static inline void teardown(void)
{
    bg_arena_free(arena);
    arena = NULL;
}

/* Bytes of a hex string ("d4 00 00"; spaces ignored), allocated from the test arena. */
static inline uint8_t *unhex(size_t *len, const char *hex)
{
    uint8_t *out = bg_arena_alloc(arena, strlen(hex) / 2 + 1);
    size_t n = 0;
    unsigned byte;

    while (*hex != '\0') {
        if (*hex == ' ') {
            hex++;
            continue;
        }
        cr_assert(sscanf(hex, "%2x", &byte) == 1, "bad hex in test: %s", hex);
        out[n++] = (uint8_t)byte;
        hex += 2;
    }
    *len = n;
    return out;
}

/* Lower-case hex of bytes, space separated, for readable failure messages. */
static inline char *tohex(const uint8_t *buf, size_t len)
{
    char *out = bg_arena_alloc(arena, len * 3 + 1);
    size_t i;

    for (i = 0; i < len; i++)
        sprintf(out + i * 3, i + 1 < len ? "%02x " : "%02x", buf[i]);
    return out;
}

static inline struct bg_value *decode_hex(int *rc, struct bg_error *err, const char *hex)
{
    struct bg_value *v = NULL;
    size_t len;
    uint8_t *buf = unhex(&len, hex);

    *rc = bg_msgpack_decode(&v, arena, buf, len, err);
    return v;
}

static inline char *encode_hex(const struct bg_value *v)
{
    struct bg_error err = BG_ERROR_INIT;
    uint8_t *buf = NULL;
    size_t len = 0;
    int rc = bg_msgpack_encode(&buf, &len, arena, v, &err);

    cr_assert_eq(rc, 0, "encode failed: %s", err.msg);
    return tohex(buf, len);
}

#endif
