/*
 * internal.h - helpers shared by the src/schema files; not part of the public surface.
 */
#ifndef BLUEGREEN_SCHEMA_INTERNAL_H
#define BLUEGREEN_SCHEMA_INTERNAL_H

#include "bluegreen/schema.h"

/* The attribute's default_json decoded into a (attr->default_json must be set). Defaults
 * are compile-time constants: a malformed one is a programming error and gives null. */
struct bg_value *bg_schema__default(struct bg_arena *a, const struct bg_attr *attr);

/* The NULL-terminated allowed values of the attribute's bg_validate_one_of, or NULL. */
const char *const *bg_schema__one_of(const struct bg_attr *attr);

/* The block made of a nested attribute's attributes (no description, no blocks). */
static inline struct bg_block bg_schema__nested_block(const struct bg_attr *attr)
{
    struct bg_block b = {NULL, attr->nested, attr->nnested, NULL, 0};

    return b;
}

#endif
