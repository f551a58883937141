/*
 * schema.h - attribute tables that describe a provider, resource or data source, and the
 * generic machinery driven by them: the tfplugin6 Schema message, validation with attribute
 * paths, defaults, planning (computed, use-state-for-unknown, requires-replace) and
 * conforming stored state to the current schema.
 *
 * Tables are `static const` data owned by the module that defines the resource; nothing here
 * allocates outside the caller's arena.
 */
#ifndef BLUEGREEN_SCHEMA_H
#define BLUEGREEN_SCHEMA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "arena.h"
#include "diag.h"
#include "value.h"

/* ---- types (cty) ---------------------------------------------------------------------- */

enum bg_type_kind {
    BG_TYPE_STRING,
    BG_TYPE_NUMBER,
    BG_TYPE_BOOL,
    BG_TYPE_LIST,
    BG_TYPE_SET,
    BG_TYPE_MAP,
    BG_TYPE_OBJECT,
};

struct bg_field;

struct bg_type {
    enum bg_type_kind kind;
    const struct bg_type *elem;    /* LIST, SET, MAP */
    const struct bg_field *fields; /* OBJECT */
    size_t nfields;
};

struct bg_field {
    const char *name;
    const struct bg_type *type;
};

extern const struct bg_type bg_type_string;
extern const struct bg_type bg_type_number;
extern const struct bg_type bg_type_bool;
extern const struct bg_type bg_type_list_string;
extern const struct bg_type bg_type_set_string;
extern const struct bg_type bg_type_map_string;

#define BG_COUNT(arr) (sizeof(arr) / sizeof((arr)[0]))
#define BG_TYPE_OBJECT_OF(f)                                                                       \
    {                                                                                              \
        BG_TYPE_OBJECT, NULL, (f), BG_COUNT(f)                                                     \
    }

/* cty type JSON (`"string"`, `["list","string"]`, `["object",{"id":"string"}]`). */
char *bg_type_json(struct bg_arena *a, const struct bg_type *t);

/* ---- attributes, blocks, schemas ------------------------------------------------------ */

enum bg_attr_flag {
    BG_REQUIRED = 1u << 0,
    BG_OPTIONAL = 1u << 1,
    BG_COMPUTED = 1u << 2,
    BG_SENSITIVE = 1u << 3,
    BG_FORCE_NEW = 1u << 4, /* plan modifier: a change requires replacement */
    BG_USE_STATE = 1u << 5, /* plan modifier: computed value carries over from state */
};

enum bg_nesting {
    BG_NEST_NONE = 0, /* plain attribute with a type */
    BG_NEST_SINGLE,
    BG_NEST_LIST,
    BG_NEST_SET,
    BG_NEST_MAP,
};

struct bg_attr;

/* A validator sees a known, non-null value and adds diagnostics at path. arg is the
 * validator's own constant data (allowed strings, bounds). */
struct bg_validator {
    void (*fn)(struct bg_diags *d, const struct bg_path *path, const struct bg_value *v,
               const void *arg);
    const void *arg;
};

struct bg_attr {
    const char *name;
    const struct bg_type *type; /* NULL when nesting != BG_NEST_NONE */
    unsigned flags;
    const char *description;               /* markdown */
    const char *default_json;              /* optional default as JSON; implies optional+computed */
    const struct bg_validator *validators; /* terminated by {NULL}; may be NULL */
    enum bg_nesting nesting;
    const struct bg_attr *nested; /* nested attributes (nesting != NONE) */
    size_t nnested;
};

struct bg_block;

struct bg_block_type {
    const char *name;
    enum bg_nesting nesting; /* SINGLE or LIST */
    const struct bg_block *block;
    int64_t min_items, max_items;
};

struct bg_block {
    const char *description;
    const struct bg_attr *attrs;
    size_t nattrs;
    const struct bg_block_type *blocks;
    size_t nblocks;
};

struct bg_schema {
    int64_t version;
    struct bg_block block;
};

const struct bg_attr *bg_block_attr(const struct bg_block *b, const char *name);

/* ---- generic operations --------------------------------------------------------------- */

/* Runs attribute validators over config (recursing into nested attributes and blocks);
 * unknown values are skipped. Type and required checks are Terraform's job. */
void bg_schema_validate(struct bg_diags *d, const struct bg_block *b,
                        const struct bg_value *config);

/* Returns config with defaults filled in where config is null (nested too). */
struct bg_value *bg_schema_apply_defaults(struct bg_arena *a, const struct bg_block *b,
                                          const struct bg_value *config);

/* Generic plan: configured values as configured, defaults where config is null; computed
 * attributes that are null in config become unknown on create and keep the proposed (prior)
 * value on update (BG_USE_STATE: the prior value itself), for the resource's plan hook to
 * recompute. Adds a path to *replace for every BG_FORCE_NEW attribute whose value changed
 * (update only). */
struct bg_value *bg_schema_plan(struct bg_arena *a, const struct bg_block *b,
                                const struct bg_value *prior, const struct bg_value *proposed,
                                const struct bg_value *config, const struct bg_path ***replace,
                                size_t *nreplace);

/* Returns v reshaped to the block: every attribute and block present (null when missing),
 * members unknown to the schema dropped. Used for state written by older versions. */
struct bg_value *bg_schema_conform(struct bg_arena *a, const struct bg_block *b,
                                   const struct bg_value *v);

/* ---- stock validators (arg types in comments) ----------------------------------------- */
void bg_validate_one_of(struct bg_diags *, const struct bg_path *, const struct bg_value *,
                        const void *arg /* const char *const[] NULL-terminated */);
void bg_validate_int_range(struct bg_diags *, const struct bg_path *, const struct bg_value *,
                           const void *arg /* const int64_t[2] inclusive */);
/* Elements of a list/set/map, or characters (UTF-8 code points) of a string. */
void bg_validate_length(struct bg_diags *, const struct bg_path *, const struct bg_value *,
                        const void *arg /* const size_t[2] inclusive */);
/* Strings only: a non-empty string. */
void bg_validate_not_empty(struct bg_diags *, const struct bg_path *, const struct bg_value *,
                           const void *arg /* unused */);

#endif
