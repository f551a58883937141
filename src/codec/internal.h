/*
 * internal.h - helpers shared by value.c, msgpack.c and json.c; not part of the public API.
 */
#ifndef BLUEGREEN_CODEC_INTERNAL_H
#define BLUEGREEN_CODEC_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bluegreen/arena.h"
#include "bluegreen/value.h"

/* Appends a member without looking for an existing key, taking key (already in arena a) as
 * is. Decoders use it so a map of n members costs O(n log n) (see bg_codec_find_duplicate)
 * rather than the O(n^2) of n calls to bg_value_put. */
void bg_codec_map_append(struct bg_arena *a, struct bg_value *map, const char *key, size_t key_len,
                         struct bg_value *v);

/* Returns a key that occurs more than once in map, or NULL when all keys are unique. */
const struct bg_member *bg_codec_find_duplicate(struct bg_arena *a, const struct bg_value *map);

/* s (NUL-terminated) as it may stand in an error message that ends up in a Terraform
 * diagnostic: printable ASCII kept, every other byte (controls, DEL, anything past 0x7e,
 * so also invalid UTF-8) written as \xNN, at most max bytes of s; in arena a. */
const char *bg_codec_printable(struct bg_arena *a, const char *s, size_t max);

/* True when s[0..len) is well-formed UTF-8 (no overlongs, surrogates or values past U+10FFFF). */
bool bg_codec_utf8_valid(const char *s, size_t len);

/* Converts f to int64 when it is integral and in range (so -0.0 gives 0). */
bool bg_codec_double_to_int(int64_t *out, double f);

/* Parses s[0..len) as an optional '-' followed by decimal digits, without overflow. */
bool bg_codec_parse_int(int64_t *out, const char *s, size_t len);

#endif
