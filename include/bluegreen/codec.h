/*
 * codec.h - Terraform's value wire formats <-> struct bg_value.
 *
 * msgpack (go-cty's DynamicValue encoding) both ways; JSON one way (raw state given to
 * UpgradeResourceState). Input is untrusted: depth is bounded by BG_CODEC_MAX_DEPTH, sizes
 * by the input length, and garbage yields BG_EPROTO or BG_ELIMIT with a message, never a crash.
 */
#ifndef BLUEGREEN_CODEC_H
#define BLUEGREEN_CODEC_H

#include <stddef.h>
#include <stdint.h>

#include "arena.h"
#include "common.h"
#include "value.h"

#define BG_CODEC_MAX_DEPTH 64
#define BG_CODEC_MAX_INPUT (256u * 1024u * 1024u)

/* Decodes exactly one msgpack value filling buf[0..len). Trailing bytes are an error.
 * An empty buffer decodes as null. Any extension type decodes as BG_UNKNOWN. */
int bg_msgpack_decode(struct bg_value **out, struct bg_arena *a, const uint8_t *buf, size_t len,
                      struct bg_error *err);

/* Encodes v. The buffer is allocated from a. BG_UNKNOWN encodes as d4 00 00.
 * A NULL v encodes as nil. */
int bg_msgpack_encode(uint8_t **out, size_t *out_len, struct bg_arena *a, const struct bg_value *v,
                      struct bg_error *err);

/* Decodes a JSON document (integral numbers within int64 become BG_INT, others BG_FLOAT). */
int bg_json_decode(struct bg_value **out, struct bg_arena *a, const char *text, size_t len,
                   struct bg_error *err);

/* Encodes v as compact JSON (unknown is an error: JSON cannot express it). */
int bg_json_encode(char **out, struct bg_arena *a, const struct bg_value *v, struct bg_error *err);

#endif
