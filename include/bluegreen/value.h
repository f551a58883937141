/*
 * value.h - the value tree Terraform values are decoded into and encoded from.
 *
 * The tree mirrors the msgpack wire shape rather than cty types: objects and maps are both
 * BG_MAP, lists, sets and tuples are all BG_ARRAY. The schema gives meaning to a shape.
 * A number arrives as BG_INT, BG_FLOAT or (for values float64 cannot hold exactly) as a
 * decimal BG_STRING; bg_value_as_int/as_double accept all three.
 *
 * All nodes and strings live in a struct bg_arena; a tree is immutable once built except
 * through the builder functions below, and subtrees may be shared between trees of the same
 * arena. Accessors accept NULL and treat it like a null value.
 */
#ifndef BLUEGREEN_VALUE_H
#define BLUEGREEN_VALUE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "arena.h"

enum bg_kind {
    BG_NULL = 0,
    BG_UNKNOWN, /* not known until apply; any msgpack extension, refinements dropped */
    BG_BOOL,
    BG_INT,
    BG_FLOAT,
    BG_STRING,
    BG_ARRAY,
    BG_MAP,
};

struct bg_member;

struct bg_value {
    enum bg_kind kind;
    union {
        bool b;
        int64_t i;
        double f;
        struct {
            const char *ptr; /* NUL-terminated, may contain NULs before len */
            size_t len;
        } s;
        struct {
            struct bg_value **items;
            size_t len, cap;
        } arr;
        struct {
            struct bg_member *items; /* insertion order; keys unique */
            size_t len, cap;
        } map;
    } u;
};

struct bg_member {
    const char *key; /* NUL-terminated */
    size_t key_len;
    struct bg_value *value;
};

/* Constructors: never return NULL. */
struct bg_value *bg_value_null(struct bg_arena *a);
struct bg_value *bg_value_unknown(struct bg_arena *a);
struct bg_value *bg_value_bool(struct bg_arena *a, bool b);
struct bg_value *bg_value_int(struct bg_arena *a, int64_t i);
struct bg_value *bg_value_float(struct bg_arena *a, double f);
struct bg_value *bg_value_string(struct bg_arena *a, const char *s);            /* copies */
struct bg_value *bg_value_stringn(struct bg_arena *a, const char *s, size_t n); /* copies */
struct bg_value *bg_value_array(struct bg_arena *a, size_t cap_hint);
struct bg_value *bg_value_map(struct bg_arena *a, size_t cap_hint);

/* Appends item (not copied) to an array value. */
void bg_value_append(struct bg_arena *a, struct bg_value *arr, struct bg_value *item);

/* Sets key to v in a map value, replacing an existing entry with that key. key is copied. */
void bg_value_put(struct bg_arena *a, struct bg_value *map, const char *key, struct bg_value *v);

/* Member lookup in a map; NULL when v is not a map or has no such key. */
struct bg_value *bg_value_get(const struct bg_value *v, const char *key);

/* Kind tests; NULL counts as null. */
bool bg_value_is_null(const struct bg_value *v);
bool bg_value_is_unknown(const struct bg_value *v);
/* True when v and everything below it is known (null counts as known). */
bool bg_value_is_wholly_known(const struct bg_value *v);

/* Typed reads. Return 0, or BG_EINVAL when v is not of (or convertible to) that type. */
int bg_value_as_int(int64_t *out, const struct bg_value *v);
int bg_value_as_double(double *out, const struct bg_value *v);
int bg_value_as_bool(bool *out, const struct bg_value *v);
/* Borrowed pointer into the tree, or NULL when v is not a string. */
const char *bg_value_as_string(const struct bg_value *v);

/* Number of items of an array or members of a map; 0 otherwise. */
size_t bg_value_len(const struct bg_value *v);

/* Deep structural equality. Numbers compare by value across BG_INT/BG_FLOAT/decimal string;
 * unknown equals only unknown; map member order is irrelevant. Array order matters. */
bool bg_value_equal(const struct bg_value *x, const struct bg_value *y);

/* A new map with the same members (values shared, not copied), so members can be replaced
 * without touching v. Anything but a map gives an empty map. */
struct bg_value *bg_value_copy_map(struct bg_arena *a, const struct bg_value *v);

/* Deep copy into arena a (for moving values between arenas). */
struct bg_value *bg_value_clone(struct bg_arena *a, const struct bg_value *v);

#endif
