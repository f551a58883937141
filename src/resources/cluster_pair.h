/*
 * cluster_pair.h - internals shared by the bluegreen_cluster_pair files: the parsed
 * configuration, the ownership record kept in private state, and the evaluation that plan
 * and apply share so that what the plan shows is exactly what apply does.
 */
#ifndef BG_RESOURCES_CLUSTER_PAIR_H
#define BG_RESOURCES_CLUSTER_PAIR_H

#include "bluegreen/files.h"
#include "bluegreen/resource.h"

/* teardown_guard { ... } as the typed layer expands it (cluster_pair_guard.c's slots). */
struct bg_pair_guard {
    const char *target_group_arn;
    enum bg_presence arn_is;
    const char **targets;
    size_t ntargets;
    enum bg_presence targets_is;
    const char *listener_arn;
    enum bg_presence listener_is;
    const char *rule_arn;
    enum bg_presence rule_is;
};

struct bg_pair_cfg {
    /* The arguments, filled by the typed layer along cluster_pair.c's slots. */
    const char *directory; /* as configured, trailing '/' removed */
    const char *name, *live;
    const char **color_list; /* colors (the table's default when unset) */
    size_t ncolors;
    bool standby;
    struct bg_pair *sub_pairs; /* substitutions */
    size_t nsub_pairs;
    struct bg_pair_guard *guard;   /* NULL: no teardown_guard (or not known yet) */
    const struct bg_path *unknown; /* first argument not known yet (teardown_guard aside) */
    /* Derived by bg_pair__cfg_read. */
    const char *standby_color;
    const char *colors[2];
    struct bg_subst *subs;
    size_t nsubs;
    char *dir_abs;                              /* resolved inside the repository root */
    const char *live_cluster, *standby_cluster; /* also computed attributes */
    bool verify; /* the provider's generated_files = "verify": never write or delete */
    /* The other computed attributes along cluster_pair.c's slots: expanded from a plan or
     * state, flattened by bg_pair__set_computed (standby_color above is one too). */
    const char *id;
    const char **source_list; /* source_files */
    size_t nsource;
    struct bg_pair *file_pairs; /* files */
    size_t nfile_pairs;
    struct bg_pair *content_pairs; /* contents */
    size_t ncontent_pairs;
    struct bg_count *counts; /* substitution_counts */
    size_t ncounts;
    const char *generated_color;
};

/* `contents` holds each copy's text up to this size, and all copies' up to the total; a
 * larger or non-UTF-8 copy is shown as a one-line note with its size and sha256. */
#define BG_PAIR_CONTENTS_MAX_FILE  (1024u * 1024u)
#define BG_PAIR_CONTENTS_MAX_TOTAL (8u * 1024u * 1024u)

enum bg_pair_phase {
    BG_PAIR_GENERATE, /* standby = true, the standby color is (to be) our copies */
    BG_PAIR_PROMOTED, /* the copies became live: nothing is rendered */
    BG_PAIR_TEARDOWN, /* standby = false: the non-live color's files go */
};

/* Verify mode: why the repository does not hold what the resource renders. */
enum bg_pair_issue_kind {
    BG_PAIR_MISSING, /* a copy is not on disk */
    BG_PAIR_STALE,   /* a copy holds an earlier rendering of ours */
    BG_PAIR_EDITED,  /* a copy holds something else (hand edit, other arguments) */
    BG_PAIR_EXTRA,   /* a file that must be deleted (teardown, a copy whose source is gone) */
};

struct bg_pair_issue {
    enum bg_pair_issue_kind kind;
    const char *name;   /* file name in the directory */
    const char *source; /* the live file it renders, NULL for EXTRA */
    const char *disk;   /* sha256 on disk, NULL when missing */
    const char *want;   /* sha256 of the rendering, NULL for EXTRA */
};

/* Who owns which copy. A copy on disk is ours when its sha256 equals one of the records:
 * `written` (private state: what the last successful apply wrote) or `recorded` (the prior
 * state's `files`, when those are copies we generated). Terraform drops private state when an
 * apply fails without an answer (provider killed), but keeps the prior state, so `recorded`
 * and the state's generated_color carry ownership across a killed apply. */
struct bg_pair_own {
    const char *generated;     /* color whose files we generated, or NULL */
    struct bg_value *written;  /* map file name -> sha256, from private state */
    struct bg_value *recorded; /* map file name -> sha256, from the prior state */
    bool adopt;                /* imported: take existing standby files as ours */
};

/* The result of comparing the configuration with the disk. Writes are rendered again when
 * apply writes them (one file in memory at a time) and must hash to write_shas[i]. */
struct bg_pair_eval {
    enum bg_pair_phase phase;
    struct bg_value *source_files; /* list of keys */
    struct bg_value *files;        /* map key -> sha256: both colors' files after apply */
    struct bg_value *contents;     /* generate phase: copy key -> its text after apply */
    size_t contents_total;         /* bytes of text in contents */
    size_t *sub_counts;            /* generate phase: replacements per cfg->subs entry */
    struct bg_file_write *writes;  /* files whose content must change (data unused) */
    const char **write_sources;    /* the live file each write renders */
    const char **write_shas;       /* the sha256 each write must have */
    size_t nwrites;
    const char **removes; /* file names to unlink */
    const char **remove_shas;
    size_t nremoves;
    const char **shared; /* names holding both clusters' names: never touched */
    size_t nshared;
    const char **recreated; /* write mode: copies we wrote earlier that are missing now */
    size_t nrecreated;
    struct bg_pair_issue *issues; /* verify mode: what the repository lacks */
    size_t nissues;
    struct bg_pair_own own_after;
};

/* The typed layer's part of bg_pair__cfg_read (cluster_pair.c, where the table is): *out
 * zeroed, v expanded along the slots, out->unknown set. */
int bg_pair__cfg_expand(struct bg_pair_cfg *out, struct bg_diags *d, const struct bg_value *v);

/* The value of cfg's arguments (and null computed attributes) when base is NULL; onto base,
 * base with cfg's slotted computed attributes. */
struct bg_value *bg_pair__flatten(struct bg_arena *a, const struct bg_pair_cfg *cfg,
                                  const struct bg_value *base);

/* Reads the arguments from a config, planned or state value. When an argument is unknown
 * (out->unknown) it returns 0 with nothing derived. resolve: also resolve the directory
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

/* Ownership from private state p and the prior state (NULL or null on create); see struct
 * bg_pair_own. Never fails: unreadable records mean "we own nothing". */
void bg_pair__own_read(struct bg_pair_own *out, struct bg_arena *a, struct bg_private p,
                       const struct bg_value *prior);
struct bg_private bg_pair__own_write(struct bg_arena *a, const struct bg_pair_own *own);
/* The sha256 some record holds for name (written first), or NULL. */
const char *bg_pair__own_record(const struct bg_pair_own *own, const char *name);
/* True when a copy with this content is ours (see struct bg_pair_own). */
bool bg_pair__own_has(const struct bg_pair_own *own, const char *name, const char *disk_sha);

/* Decides every file operation from the configuration, the disk and what we own (the disk,
 * not the prior state, is the truth). Conflicts and hand edits become error diagnostics.
 * Memory: one live file and its rendering at a time, whatever the number of files. */
int bg_pair__evaluate(struct bg_pair_eval *out, struct bg_call *call, const struct bg_pair_cfg *cfg,
                      const struct bg_pair_own *own);

/* Verify mode (cluster_pair_verify.c): one error per issue of ev, naming the file and why,
 * and one more with the `generate` command that produces exactly what the configuration
 * renders. BG_ECONFLICT when there was an issue, else 0. */
int bg_pair__verify_report(struct bg_call *call, const struct bg_pair_cfg *cfg,
                           const struct bg_pair_eval *ev);

/* The shell command (a `generate` invocation of this binary, quoted for sh) that writes and
 * removes what the configuration wants, removing also the given extra files. From a. */
char *bg_pair__generate_command(struct bg_arena *a, const struct bg_pair_cfg *cfg, const char *root,
                                const char *const *extras, size_t nextras);

/* A plan or state value expanded along the slots (arguments and computed attributes) with
 * its diagnostics dropped: what the hooks read of a prior state. v may be NULL (all zero). */
void bg_pair__expand_quiet(struct bg_pair_cfg *out, struct bg_arena *a, const struct bg_value *v);

/* The pairs of a map of strings (keys and strings borrowed from m; non-string values NULL). */
struct bg_pair *bg_pair__pairs_of(struct bg_arena *a, size_t *n, const struct bg_value *m);

/* obj (a plan or state value) with its computed attributes from the evaluation
 * (cluster_pair.c). Promotion and teardown render nothing: `contents` and
 * `substitution_counts` keep prior's (what the copies were generated with), and a promotion
 * keeps `source_files`, so that its plan shows no file change. prior may be NULL. */
struct bg_value *bg_pair__set_computed(struct bg_arena *a, const struct bg_value *obj,
                                       const struct bg_pair_cfg *cfg, const struct bg_pair_eval *ev,
                                       const struct bg_value *prior);

/* Import (cluster_pair_infer.c): the substitutions that reproduce the standby copies on disk
 * from the live files, set in cfg (arena-owned). A copy no set of literal replacements
 * reproduces is named in a warning; cfg then gets the set that reproduces the most copies. */
void bg_pair__infer(struct bg_call *call, struct bg_pair_cfg *cfg);

/* Writes ev's files (all or none), rendering each again and refusing one whose rendering
 * no longer hashes to what the evaluation saw. Errors in err. */
int bg_pair__write(const struct bg_pair_cfg *cfg, const struct bg_pair_eval *ev,
                   struct bg_error *err);

/* Removes temporaries that a killed apply of this pair left in its directory (logged). */
void bg_pair__clean_temps(struct bg_call *call, const struct bg_pair_cfg *cfg);

/* Discovers cluster's files in the pair's directory, refusing names Terraform cannot hold
 * (not UTF-8): error diagnostics, BG_EIO / BG_EINVAL. */
int bg_pair__discover(struct bg_file_list *out, struct bg_call *call, const struct bg_pair_cfg *cfg,
                      const char *cluster);

/* teardown_guard (cluster_pair_guard.c): its block type, and the check run at plan and at
 * apply when removes (the evaluation deletes files of a teardown), on the guard of the
 * config or the plan (cfg->guard). Error diagnostics name every target still registered. */
extern const struct bg_block_type bg_pair__guard_block_type;
int bg_pair__guard_teardown(struct bg_call *call, const struct bg_pair_cfg *cfg, bool removes);

/* `terraform import` with id "<directory>:<name>" (cluster_pair_import.c). */
int bg_cluster_pair_import(struct bg_call *call, const char *id, struct bg_value **state,
                           struct bg_private *private_out);

#endif
