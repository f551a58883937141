/*
 * schema.h - attribute tables that describe a provider, resource or data source, and the
 * generic machinery driven by them: the tfplugin6 Schema message, validation with attribute
 * paths, defaults, planning (computed, use-state-for-unknown, requires-replace), conforming
 * stored state to the current schema, and the typed layer (expand/flatten between value trees
 * and the resource's own C struct, see the section near the end).
 *
 * One table states everything about an attribute once: its name, type, flags, description,
 * default, validators (which also describe themselves for the docs) and the C struct member
 * it expands into. Tables are `static const` data owned by the module that defines the
 * resource; nothing here allocates outside the caller's arena.
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
 * validator's own constant data (allowed strings, bounds). description is one markdown
 * sentence for the docs ("A date `YYYY-MM-DD`."); the stock validators below describe
 * themselves from arg when it is NULL, a custom validator without one adds nothing. */
struct bg_validator {
    void (*fn)(struct bg_diags *d, const struct bg_path *path, const struct bg_value *v,
               const void *arg);
    const void *arg;
    const char *description;
};

/* ---- slots: where an attribute lives in the resource's C struct (typed layer) ---------- */

/* What kind of C member an attribute expands into. */
enum bg_ctype {
    BG_C_NONE = 0, /* no member: expand skips the attribute, flatten takes it from base */
    BG_C_STRING,   /* const char *; NULL is null */
    BG_C_BOOL,     /* bool */
    BG_C_INT,      /* int64_t; the value must be a whole number */
    BG_C_DOUBLE,   /* double */
    BG_C_ENUM,     /* an enum (int-sized): index into the attribute's bg_validate_one_of list */
    BG_C_STRINGS,  /* const char **items + size_t count: list or set of strings */
    BG_C_PAIRS,    /* struct bg_pair *items + size_t count: map of strings */
    BG_C_OBJECT,   /* struct x *: single nested attribute or block; NULL is null */
    BG_C_OBJECTS,  /* struct x *items + size_t count: list or set nested attribute or block */
    BG_C_INTS,     /* int64_t *items + size_t count: list or set of whole numbers */
    BG_C_COUNTS,   /* struct bg_count *items + size_t count: map of whole numbers */
};

struct bg_slot {
    enum bg_ctype ctype;
    size_t offset;    /* of the member */
    size_t count;     /* STRINGS, INTS, PAIRS, OBJECTS: offset of the size_t element count */
    size_t elem_size; /* OBJECT, OBJECTS: sizeof the nested struct */
};

/* One member of a map of strings (BG_C_PAIRS). */
struct bg_pair {
    const char *key;
    const char *value;
};

/* One member of a map of whole numbers (BG_C_COUNTS). */
struct bg_count {
    const char *key;
    int64_t value;
};

/* Null or unknown, for a hook that must tell them apart from a value (BG_PRESENCE). */
enum bg_presence {
    BG_PRESENCE_NULL = 0,
    BG_PRESENCE_KNOWN,
    BG_PRESENCE_UNKNOWN,
};

/* Slot initializers: `.slot = BG_SLOT_INT(struct shift, percent)`. Each checks at compile
 * time that the member has the C type its kind needs (a mismatch fails to compile). */
#define BG__MEMBER(T, m, ctype) _Generic(((T *)0)->m, ctype : offsetof(T, m))
#define BG__INT_SIZED(T, m)                                                                        \
    (offsetof(T, m) + 0 * sizeof(char[sizeof(((T *)0)->m) == sizeof(int) ? 1 : -1]))
#define BG_SLOT_STRING(T, m)                                                                       \
    {                                                                                              \
        BG_C_STRING, BG__MEMBER(T, m, const char *), 0, 0                                          \
    }
#define BG_SLOT_BOOL(T, m)                                                                         \
    {                                                                                              \
        BG_C_BOOL, BG__MEMBER(T, m, bool), 0, 0                                                    \
    }
#define BG_SLOT_INT(T, m)                                                                          \
    {                                                                                              \
        BG_C_INT, BG__MEMBER(T, m, int64_t), 0, 0                                                  \
    }
#define BG_SLOT_DOUBLE(T, m)                                                                       \
    {                                                                                              \
        BG_C_DOUBLE, BG__MEMBER(T, m, double), 0, 0                                                \
    }
#define BG_SLOT_ENUM(T, m)                                                                         \
    {                                                                                              \
        BG_C_ENUM, BG__INT_SIZED(T, m), 0, 0                                                       \
    }
#define BG_SLOT_STRINGS(T, m, n)                                                                   \
    {                                                                                              \
        BG_C_STRINGS, BG__MEMBER(T, m, const char **), BG__MEMBER(T, n, size_t), 0                 \
    }
#define BG_SLOT_INTS(T, m, n)                                                                      \
    {                                                                                              \
        BG_C_INTS, BG__MEMBER(T, m, int64_t *), BG__MEMBER(T, n, size_t), 0                        \
    }
#define BG_SLOT_PAIRS(T, m, n)                                                                     \
    {                                                                                              \
        BG_C_PAIRS, BG__MEMBER(T, m, struct bg_pair *), BG__MEMBER(T, n, size_t), 0                \
    }
#define BG_SLOT_COUNTS(T, m, n)                                                                    \
    {                                                                                              \
        BG_C_COUNTS, BG__MEMBER(T, m, struct bg_count *), BG__MEMBER(T, n, size_t), 0              \
    }
#define BG_SLOT_OBJECT(T, m)                                                                       \
    {                                                                                              \
        BG_C_OBJECT, offsetof(T, m), 0, sizeof(*((T *)0)->m)                                       \
    }
#define BG_SLOT_OBJECTS(T, m, n)                                                                   \
    {                                                                                              \
        BG_C_OBJECTS, offsetof(T, m), BG__MEMBER(T, n, size_t), sizeof(*((T *)0)->m)               \
    }
/* `.presence = BG_PRESENCE(struct shift, percent_is)`: an enum bg_presence member that
 * expand fills and flatten obeys. Stored as offset + 1 so that 0 means "none". */
#define BG_PRESENCE(T, m) (BG__MEMBER(T, m, enum bg_presence) + 1)

struct bg_attr {
    const char *name;
    const struct bg_type *type; /* NULL when nesting != BG_NEST_NONE */
    unsigned flags;
    const char *description;               /* markdown */
    const char *default_json;              /* optional default as JSON; implies optional+computed */
    const struct bg_validator *validators; /* terminated by {NULL}; may be NULL */
    enum bg_nesting nesting;
    const struct bg_attr *nested; /* nested attributes (nesting != NONE), or the fields of a
                                   * slotted list(object) type (see the typed layer below) */
    size_t nnested;
    struct bg_slot slot; /* the C member it expands into; {0}: none (typed layer) */
    size_t presence;     /* BG_PRESENCE(...), or 0 */
};

struct bg_block;

struct bg_block_type {
    const char *name;
    enum bg_nesting nesting; /* SINGLE or LIST */
    const struct bg_block *block;
    int64_t min_items, max_items;
    struct bg_slot slot; /* BG_SLOT_OBJECT (SINGLE) or BG_SLOT_OBJECTS (LIST, SET), or {0} */
    size_t presence;     /* BG_PRESENCE(...), or 0 */
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

/* First attribute (table order, depth first) whose value in v is unknown or holds an unknown:
 * its path, or NULL when v is wholly known. For "X must be known at plan time" messages. */
const struct bg_path *bg_schema_unknown_path(struct bg_arena *a, const struct bg_block *b,
                                             const struct bg_value *v);

/* The same over the arguments only (attributes a configuration can set), for hooks reading a
 * plan, where computed-only attributes are unknown by design. */
const struct bg_path *bg_schema_unknown_arg_path(struct bg_arena *a, const struct bg_block *b,
                                                 const struct bg_value *v);

/* The attribute's description as the Schema message (and so the docs) shows it: the table's
 * description, then each validator's sentence, "Changing it replaces the resource." for
 * BG_FORCE_NEW, then "Default: `<default>`." */
char *bg_schema_describe(struct bg_arena *a, const struct bg_attr *attr);

/* ---- the typed layer: expand and flatten along the slots -------------------------------
 *
 * A table whose attributes carry slots describes a C struct of the resource's own, so hooks
 * read and write plain C members instead of value trees with literal keys; names, defaults
 * and allowed values stay stated once, in the table. A worked example (a resource with an
 * enum, a default, an optional number whose null matters, and a list of nested objects):
 *
 *     enum mode { MODE_FAST, MODE_SAFE };          // the order of modes[]
 *     static const char *const modes[] = {"fast", "safe", NULL};
 *     static const struct bg_validator mode_v[] = {{bg_validate_one_of, modes, NULL},
 *                                                {NULL, NULL, NULL}};
 *
 *     struct target {
 *         const char *id;
 *         int64_t port;
 *         enum bg_presence port_is;                // null (use the group's port) or set
 *     };
 *     struct widget {
 *         const char *name;
 *         enum mode mode;
 *         struct target *targets;
 *         size_t ntargets;
 *         const char *id;                          // computed
 *     };
 *
 *     static const struct bg_attr target_attrs[] = {
 *         {.name = "id", .type = &bg_type_string, .flags = BG_REQUIRED,
 *          .slot = BG_SLOT_STRING(struct target, id)},
 *         {.name = "port", .type = &bg_type_number, .flags = BG_OPTIONAL,
 *          .slot = BG_SLOT_INT(struct target, port),
 *          .presence = BG_PRESENCE(struct target, port_is)},
 *     };
 *     static const struct bg_attr attrs[] = {
 *         {.name = "name", .type = &bg_type_string, .flags = BG_REQUIRED,
 *          .slot = BG_SLOT_STRING(struct widget, name)},
 *         {.name = "mode", .type = &bg_type_string, .flags = BG_OPTIONAL,
 *          .default_json = "\"safe\"", .validators = mode_v,
 *          .slot = BG_SLOT_ENUM(struct widget, mode)},
 *         {.name = "targets", .flags = BG_REQUIRED, .nesting = BG_NEST_LIST,
 *          .nested = target_attrs, .nnested = BG_COUNT(target_attrs),
 *          .slot = BG_SLOT_OBJECTS(struct widget, targets, ntargets)},
 *         {.name = "id", .type = &bg_type_string, .flags = BG_COMPUTED | BG_USE_STATE,
 *          .slot = BG_SLOT_STRING(struct widget, id)},
 *     };
 *
 *     static int widget_create(struct bg_call *call, struct bg_apply_req *req)
 *     {
 *         struct widget w = {0};
 *
 *         if (bg_schema_expand(&w, call->diags, &schema.block, req->planned) != 0)
 *             return BG_EINVAL;
 *         ... use w.mode, w.targets[i].port_is ...; w.id = "...";
 *         req->new_state = bg_schema_flatten(call->arena, &schema.block, &w, req->planned);
 *         return 0;
 *     }
 *
 * Blocks map the same way: `.slot` on a bg_block_type (BG_SLOT_OBJECT for NestingSingle,
 * BG_SLOT_OBJECTS for lists and sets), its bg_block's attributes slotted into the nested
 * struct. Maps of nested objects (BG_NEST_MAP) have no slot. A `type = list(object(...))`
 * (or set) attribute takes BG_SLOT_OBJECTS when .nested lists the object's fields in the
 * type's order, each with its slot (nesting stays BG_NEST_NONE, so the Schema message keeps
 * the type): terraform diffs such a list as a list of values, matching unchanged elements,
 * where a nested attribute (BG_NEST_LIST + .nested) is diffed element by element; computed
 * results a reviewer reads as a sequence (a walk's steps) read better the first way, while
 * nested attributes give each field a description in the docs. bg_schema_check (run over
 * every registered table by tests/unit/schema/typed.c) catches a slot that does not fit its
 * attribute.
 */

/* Expands v (an object of block b: configuration, plan or state) into *out, normally a
 * zeroed struct (`struct widget w = {0}`).
 * - A null value takes the table's default when there is one; otherwise the member is left
 *   as it was (zero/NULL, or an "unset" value of the caller's). An unknown value leaves it
 *   too; a list, set or map of strings or numbers with an unknown element counts as unknown
 *   as a whole.
 *   A presence member, when the attribute names one, records which it was (KNOWN for a
 *   default).
 * - Strings are borrowed from v (they live as long as v's arena); arrays, nested structs and
 *   string maps come from d->arena. A known empty list gives a non-NULL pointer, count 0.
 * - A known value that does not fit its slot (1.5 for an INT, a string not in the enum's
 *   list) is an error diagnostic at the attribute's path; the rest is still expanded.
 * Returns 0, or BG_EINVAL after adding diagnostics. Nesting depth is the table's, whatever
 * the value holds. */
int bg_schema_expand(void *out, struct bg_diags *d, const struct bg_block *b,
                     const struct bg_value *v);

/* The object of block b built from obj, for state, plan or data source results:
 * - base NULL: every attribute and block from obj (unslotted ones are null);
 * - base given: attributes flagged BG_COMPUTED that have a slot come from obj, everything
 *   else from base. Terraform requires every other attribute to equal the configuration, so
 *   passing req->planned (or the data source's config) keeps configured values, unknowns
 *   included, exactly as they were.
 * Member rules: a presence member, when named, decides null and unknown (KNOWN with a NULL
 * array is an empty list); otherwise NULL pointers are null and any pointer, even with count
 * 0, a collection. Strings are copied into a. */
struct bg_value *bg_schema_flatten(struct bg_arena *a, const struct bg_block *b, const void *obj,
                                   const struct bg_value *base);

/* Checks that every slot of b (nested attributes and blocks included) fits its attribute:
 * kind against type and nesting, an enum against a bg_validate_one_of list, and a presence
 * member on every optional scalar without a default (its null must survive a round trip).
 * Returns 0, or BG_EINVAL with a message naming the attribute's path. */
int bg_schema_check(struct bg_error *err, const struct bg_block *b);

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

/* The validator's sentence for the docs: its description, else the stock validator's own
 * from arg (attr tells characters from elements); NULL when it has none. */
char *bg_validator_describe(struct bg_arena *a, const struct bg_validator *v,
                            const struct bg_attr *attr);

#endif
