/*
 * internal.h - helpers shared by the files of src/upgrade/ (not part of the public surface).
 */
#ifndef BLUEGREEN_UPGRADE_INTERNAL_H
#define BLUEGREEN_UPGRADE_INTERNAL_H

#include "bluegreen/upgrade.h"

/* Today as days since 1970-01-01 (UTC). */
long bg_upgrade_today(void);

/* Fills out for one EKS row relative to as_of (days since 1970-01-01); strings from a. */
void bg_upgrade_support_fill(struct bg_upgrade_support *out, struct bg_arena *a,
                             const struct bg_upgrade_eks *row, long as_of);

/* Fills steps[i].breaking_changes, the path-wide list, strategy and reason. */
void bg_upgrade_plan_finish(struct bg_upgrade_path *p, struct bg_arena *a,
                            const struct bg_upgrade_opts *opts);

/* One file being scanned: where findings go. file_copy is the arena copy of file, made on
 * the first finding so clean files cost no arena memory. */
struct bg_scan_ctx {
    struct bg_scan_result *res;
    struct bg_arena *a;
    const char *file, *file_copy;
    int target;
};

/* Longest apiVersion / kind value kept; longer values cannot be in the tables. */
#define BG_SCAN_VALUE_MAX 128
/* Nesting levels tracked per document; deeper pairs are ignored. */
#define BG_SCAN_LEVELS 32

/* apiVersion / kind pairs at the same nesting level (YAML indent, HCL brace depth). */
struct bg_scan_slot {
    int level;
    long line;
    bool has_api, has_kind;
    char api[BG_SCAN_VALUE_MAX], kind[BG_SCAN_VALUE_MAX];
};

struct bg_scan_pairer {
    struct bg_scan_slot slots[BG_SCAN_LEVELS]; /* a stack, levels ascending */
    size_t n;
    long fixed_line; /* non-zero: report every pair at this line (YAML inside a .tf string) */
};

/* Per-document YAML state fed one line at a time (files, .tf heredocs, .tf strings). */
struct bg_scan_yaml {
    struct bg_scan_pairer pairs;
    bool in_block;    /* inside a | or > block scalar */
    int block_indent; /* indent of the key that opened it */
};

/* Drops pairs nested deeper than level (their object ended). */
void bg_scan_pairer_close(struct bg_scan_pairer *p, int level);

/* Records an apiVersion (is_api) or kind value seen at level; reports a complete pair.
 * An empty value (templated, too long, not a scalar) completes a pair that never matches. */
void bg_scan_pairer_set(struct bg_scan_pairer *p, struct bg_scan_ctx *c, int level, bool is_api,
                        const char *value, long line);

void bg_scan_yaml_line(struct bg_scan_yaml *y, struct bg_scan_ctx *c, const char *s, size_t n,
                       long line);
void bg_scan_yaml_buffer(struct bg_scan_ctx *c, const char *buf, size_t len, long fixed_line);
void bg_scan_hcl_buffer(struct bg_scan_ctx *c, const char *buf, size_t len);
void bg_scan_json_buffer(struct bg_scan_ctx *c, const char *buf, size_t len);

/* Next line of buf at *pos (without '\n' or a trailing '\r'); false at the end. */
bool bg_scan_next_line(const char *buf, size_t len, size_t *pos, const char **s, size_t *n);

/* Records one finding when apiVersion/kind is removed at or before c->target. */
void bg_scan_report(struct bg_scan_ctx *c, long line, const char *api_version, const char *kind);

#endif
