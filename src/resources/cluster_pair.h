/*
 * cluster_pair.h - internals shared by the bluegreen_cluster_pair files: the parsed
 * configuration, the ownership record kept in private state, and the evaluation that plan
 * and apply share so that what the plan shows is exactly what apply does.
 */
#ifndef BG_RESOURCES_CLUSTER_PAIR_H
#define BG_RESOURCES_CLUSTER_PAIR_H

#include "bluegreen/files.h"
#include "bluegreen/resource.h"

struct bg_pair_cfg {
    const char *directory; /* as configured, trailing '/' removed */
    const char *name, *live, *standby_color;
    const char *colors[2];
    bool standby;
    struct bg_subst *subs;
    size_t nsubs;
    char *dir_abs; /* resolved inside the repository root */
    char *live_cluster, *standby_cluster;
};

/* What this resource wrote, kept in private state: plan -> apply -> state -> read. */
struct bg_pair_own {
    const char *generated;    /* color whose files we generated, or NULL */
    struct bg_value *written; /* map file name -> sha256 of what we wrote */
    bool adopt;               /* imported: take existing standby files as ours */
};

/* The result of comparing the configuration with the disk. */
struct bg_pair_eval {
    struct bg_value *source_files; /* list of keys */
    struct bg_value *files;        /* map key -> sha256, the planned standby files */
    struct bg_file_write *writes;  /* files whose content must change */
    size_t nwrites;
    const char **removes; /* file names to unlink */
    size_t nremoves;
    struct bg_pair_own own_after;
};

/* Reads the arguments from a config or state value. resolve: also resolve the directory
 * against the repository root. Errors are diagnostics at the attribute's path. */
int bg_pair__cfg_read(struct bg_pair_cfg *out, struct bg_call *call, const struct bg_value *v,
                      bool resolve);
/* Resolves cfg->directory inside the repository root into cfg->dir_abs; report: add the
 * error as a diagnostic on `directory`. */
int bg_pair__cfg_resolve(struct bg_pair_cfg *out, struct bg_call *call, bool report);
/* "directory/file" as shown in `files` and `source_files`. */
char *bg_pair__key(struct bg_arena *a, const struct bg_pair_cfg *cfg, const char *file_name);
/* The file name part of a key. */
const char *bg_pair__key_file(const char *key);

int bg_pair__own_read(struct bg_pair_own *out, struct bg_arena *a, struct bg_private p);
struct bg_private bg_pair__own_write(struct bg_arena *a, const struct bg_pair_own *own);

/* Decides every file operation from the configuration, the disk and what we own (the disk,
 * not the prior state, is the truth). Conflicts and hand edits become error diagnostics. */
int bg_pair__evaluate(struct bg_pair_eval *out, struct bg_call *call, const struct bg_pair_cfg *cfg,
                      const struct bg_pair_own *own);

/* sha256 of a file on disk: 0, or BG_ENOTFOUND when absent. */
int bg_pair__disk_sha(char out[65], struct bg_arena *a, const char *dir_abs, const char *name,
                      struct bg_error *err);

/* teardown_guard (cluster_pair_guard.c): its block type, and the check run at plan and at
 * apply when removes (the evaluation deletes files of a teardown). v is the config or the
 * planned value. Error diagnostics name every target still registered. */
extern const struct bg_block_type bg_pair__guard_block_type;
int bg_pair__guard_teardown(struct bg_call *call, const struct bg_value *v, bool removes);

/* `terraform import` with id "<directory>:<name>" (cluster_pair_import.c). */
int bg_cluster_pair_import(struct bg_call *call, const char *id, struct bg_value **state,
                           struct bg_private *private_out);

#endif
