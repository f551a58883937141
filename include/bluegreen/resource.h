/*
 * resource.h - the interface every managed resource and data source implements, and the
 * per-call context handed to it.
 *
 * A resource is a const table of functions (curl's Curl_handler, the plugin framework's
 * Resource). The protocol layer decodes the wire values, runs the schema machinery (validators,
 * defaults, generic plan, conform) and then calls these hooks; hooks add diagnostics to
 * call->diags and return 0 or a negative BG_E* code (the diagnostics say why). Every value a
 * hook returns must come from call->arena. Hooks run concurrently on different threads for
 * different resources: they share only the read-only provider configuration.
 */
#ifndef BLUEGREEN_RESOURCE_H
#define BLUEGREEN_RESOURCE_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>

#include "arena.h"
#include "diag.h"
#include "log.h"
#include "schema.h"
#include "value.h"

struct bg_provider;       /* provider.h: configuration shared by all calls */
struct bg_files_dircache; /* files.h: directory listings shared by all calls */

struct bg_call {
    struct bg_arena *arena;
    struct bg_diags *diags;
    const struct bg_provider *provider; /* NULL before ConfigureProvider */
    const struct bg_logger *log;
    const atomic_bool *stop; /* set by StopProvider: finish the current step, then return */
    struct bg_files_dircache *dircache; /* may be NULL: scan every time */
};

/* Private bytes travel plan -> apply -> state -> read -> plan untouched by terraform. */
struct bg_private {
    const unsigned char *data;
    size_t len;
};

struct bg_plan_req {
    const struct bg_value *prior;  /* null on create */
    const struct bg_value *config; /* defaults applied */
    struct bg_value *planned;      /* generic plan result; the hook may change computed members */
    struct bg_private prior_private;
    struct bg_private planned_private; /* out */
    bool destroy;                      /* planned is null: the resource is being destroyed */
};

struct bg_apply_req {
    const struct bg_value *prior;   /* null on create */
    const struct bg_value *planned; /* null on delete */
    const struct bg_value *config;
    struct bg_private private_in;
    struct bg_value *new_state;    /* out: on error, the partial state reached so far */
    struct bg_private private_out; /* out */
};

struct bg_read_req {
    const struct bg_value *state;
    struct bg_private private_in;
    struct bg_value *new_state; /* out: NULL or null value = gone */
    struct bg_private private_out;
};

struct bg_resource {
    const char *type_name;
    const struct bg_schema *schema;
    /* Cross-attribute checks at validate time (config may hold unknowns). May be NULL. */
    int (*validate)(struct bg_call *call, const struct bg_value *config);
    /* Fills computed attributes of req->planned. May be NULL. */
    int (*plan)(struct bg_call *call, struct bg_plan_req *req);
    int (*create)(struct bg_call *call, struct bg_apply_req *req);
    int (*update)(struct bg_call *call, struct bg_apply_req *req);
    int (*destroy)(struct bg_call *call, struct bg_apply_req *req);
    int (*read)(struct bg_call *call, struct bg_read_req *req);
    /* Builds the state for `terraform import`; terraform then calls read. May be NULL. */
    int (*import)(struct bg_call *call, const char *id, struct bg_value **state,
                  struct bg_private *private_out);
};

struct bg_data_source {
    const char *type_name;
    const struct bg_schema *schema;
    int (*validate)(struct bg_call *call, const struct bg_value *config);
    /* config has defaults applied; *state is the full object with computed members. */
    int (*read)(struct bg_call *call, const struct bg_value *config, struct bg_value **state);
};

/* The registry (src/resources/registry.c): NULL-terminated const arrays. */
extern const struct bg_resource *const bg_resources[];
extern const struct bg_data_source *const bg_data_sources[];

const struct bg_resource *bg_resource_find(const char *type_name);
const struct bg_data_source *bg_data_source_find(const char *type_name);

#endif
