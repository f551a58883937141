/*
 * diag.h - attribute paths and Terraform diagnostics collected during one RPC.
 *
 * A diagnostic list belongs to one call and allocates from that call's arena. Paths are
 * immutable linked steps from the root ("directory", "colors"[1], "from_targets"...), shared
 * freely; bg_path_string renders one for messages (`colors[1]`).
 */
#ifndef BLUEGREEN_DIAG_H
#define BLUEGREEN_DIAG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "arena.h"
#include "common.h"

enum bg_step_kind { BG_STEP_ATTR, BG_STEP_KEY, BG_STEP_INDEX };

struct bg_path {
    const struct bg_path *parent; /* NULL for a first step */
    enum bg_step_kind kind;
    const char *name; /* ATTR and KEY */
    int64_t index;    /* INDEX */
};

/* A new step below parent (NULL = root). name is not copied: pass arena or static strings. */
const struct bg_path *bg_path_attr(struct bg_arena *a, const struct bg_path *parent,
                                   const char *name);
const struct bg_path *bg_path_key(struct bg_arena *a, const struct bg_path *parent,
                                  const char *key);
const struct bg_path *bg_path_index(struct bg_arena *a, const struct bg_path *parent,
                                    int64_t index);
/* Number of steps from the root. */
size_t bg_path_depth(const struct bg_path *p);
/* `a.b[1]["k"]`, allocated from the arena; "" for NULL. */
char *bg_path_string(struct bg_arena *a, const struct bg_path *p);

enum bg_severity { BG_SEV_ERROR = 1, BG_SEV_WARNING = 2 };

struct bg_diag {
    enum bg_severity severity;
    const char *summary;
    const char *detail;
    const struct bg_path *path; /* may be NULL */
    struct bg_diag *next;
};

struct bg_diags {
    struct bg_arena *arena;
    struct bg_diag *head, *tail;
    size_t count, errors;
};

void bg_diags_init(struct bg_diags *d, struct bg_arena *a);
/* Appends a diagnostic; detail is printf-formatted (may be NULL fmt for none). */
void bg_diag_add(struct bg_diags *d, enum bg_severity sev, const struct bg_path *path,
                 const char *summary, const char *fmt, ...) BG_PRINTF(5, 6);
#define bg_diag_error(d, path, summary, ...)                                                       \
    bg_diag_add(d, BG_SEV_ERROR, path, summary, __VA_ARGS__)
#define bg_diag_warn(d, path, summary, ...)                                                        \
    bg_diag_add(d, BG_SEV_WARNING, path, summary, __VA_ARGS__)
/* Turns err into an error diagnostic with the given summary and path; returns err->code. */
int bg_diag_from_error(struct bg_diags *d, const struct bg_path *path, const char *summary,
                       const struct bg_error *err);
bool bg_diags_has_errors(const struct bg_diags *d);

#endif
