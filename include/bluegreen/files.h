/*
 * files.h - cluster file duplication: repository root, path containment, discovery by naming
 * convention, token rewriting, hashing, atomic writes.
 *
 * Naming convention: a cluster is "<name>-<color>" (aws-prod-spoon). A *token* occurrence of a
 * word is one bounded on both sides by a non-alphanumeric byte or the text's edge: in
 * "eks_spoon", "module.spoon" and "aws-prod-spoon" the word "spoon" is a token; in "spoonful"
 * and "spoon2" it is not. '_', '-', '.', '"' and all other non [A-Za-z0-9] bytes bound tokens.
 *
 * Every path argument named dir_abs is an absolute, canonical directory that the caller has
 * already checked to lie inside the repository root (bg_files_resolve_dir). File names are
 * single path components (no '/'). Nothing here follows a symlink when reading or writing a
 * cluster file. Functions are thread safe (no shared state); memory comes from the arena.
 */
#ifndef BLUEGREEN_FILES_H
#define BLUEGREEN_FILES_H

#include <stdbool.h>
#include <stddef.h>

#include "arena.h"
#include "common.h"

#define BG_FILES_MAX_SIZE  (16u * 1024u * 1024u) /* larger cluster files are refused */
#define BG_FILES_MAX_COUNT 1000u                 /* files per cluster */

struct bg_subst {
    const char *from; /* non-empty */
    const char *to;
};

struct bg_file_list {
    char **names; /* sorted by strcmp, arena-owned */
    size_t len;
};

struct bg_file_write {
    const char *name; /* single component */
    const char *data; /* the content, for bg_files_write_all (ignored with a producer) */
    size_t len;
    unsigned mode; /* permission bits of the written file (& 0777); 0 means 0644 */
};

/* What fstat said about a file that was read or hashed (the opened file, not its name). */
struct bg_file_info {
    unsigned mode;       /* permission bits, & 0777 */
    unsigned long nlink; /* hard links: more than 1 means the bytes are also elsewhere */
    unsigned long long size;
    /* bg_files_hash only: the sha256 bg_files_write_all stamped on the file when it wrote it
     * (extended attribute BG_FILES_XATTR), "" when there is none (another writer, a git
     * checkout, a filesystem without user xattrs). It survives a rename and an in-place edit,
     * so it proves authorship only when it equals the hash of the content. */
    char written_sha[65];
};

#define BG_FILES_XATTR "user.bluegreen.sha256"

/* Produces the content of files[index] for bg_files_write_all_from. *data must stay valid
 * until the producer is called again or the write returns; a is an arena freed as soon as
 * that file's temporary is written. Returns 0 or a BG_E* code with err set. */
typedef int (*bg_files_produce_fn)(const char **data, size_t *len, struct bg_arena *a, void *ctx,
                                   size_t index, struct bg_error *err);

/* Repository root as an absolute canonical path. configured (may be NULL or "") wins, taken
 * relative to the working directory; otherwise the nearest ancestor of the working directory
 * holding a ".git" entry; otherwise the working directory. BG_ENOTFOUND when configured does
 * not exist, BG_EINVAL when it is not a directory. */
int bg_files_repo_root(char **out, struct bg_arena *a, const char *configured,
                       struct bg_error *err);

/* Resolves directory (relative to the working directory) to an absolute canonical path that
 * must lie inside root (root itself allowed). Errors (message says which):
 *   BG_EINVAL    empty, absolute, resolves outside root (via ".." or a symlink), not a dir
 *   BG_ENOTFOUND does not exist */
int bg_files_resolve_dir(char **out, struct bg_arena *a, const char *root, const char *directory,
                         struct bg_error *err);

/* True when word occurs in text[0..len) as a token (see above). */
bool bg_files_has_token(const char *text, size_t len, const char *word);

/* Regular files (lstat: symlinks, directories and others are skipped) directly in dir_abs
 * whose name contains cluster as a token, sorted. Hidden files ("." prefix) and editor
 * leftovers ending in "~" are skipped. BG_ELIMIT past BG_FILES_MAX_COUNT. */
int bg_files_discover(struct bg_file_list *out, struct bg_arena *a, const char *dir_abs,
                      const char *cluster, struct bg_error *err);

/* Directory listings shared by the calls of one provider process (bg_files_discover_cached).
 * Thread safe; holds names only, never file contents. _free accepts NULL. */
struct bg_files_dircache;
int bg_files_dircache_new(struct bg_files_dircache **out);
void bg_files_dircache_free(struct bg_files_dircache *cache);

/* bg_files_discover (same result, same errors), answered from cache while the directory is
 * provably unchanged: same device, inode, mtime and ctime as when its listing was read, and
 * a ctime that was already older than the filesystem's timestamp tick then (0.1 s when the
 * ctime has nanoseconds, else 2 s), so any entry added, removed or renamed afterwards stamps
 * a newer ctime. cache NULL: a plain scan. */
int bg_files_discover_cached(struct bg_file_list *out, struct bg_arena *a,
                             struct bg_files_dircache *cache, const char *dir_abs,
                             const char *cluster, struct bg_error *err);

/* file_name with every token occurrence of from_cluster replaced by to_cluster. */
char *bg_files_rename(struct bg_arena *a, const char *file_name, const char *from_cluster,
                      const char *to_cluster);

/* Renders a standby copy: every token occurrence of from_color becomes to_color, then the
 * substitutions are applied in one left-to-right pass (at each position the longest matching
 * `from` wins; replaced text is not rescanned). Deterministic: same input, same bytes.
 * The output is NUL-terminated for convenience; *out_len excludes the NUL. */
int bg_files_render(char **out, size_t *out_len, struct bg_arena *a, const char *src, size_t len,
                    const char *from_color, const char *to_color, const struct bg_subst *subs,
                    size_t nsubs, struct bg_error *err);

/* What a rendering does besides the color swap (bg_files_render_with). */
struct bg_render_opts {
    const char *from_color, *to_color; /* as for bg_files_render */
    const struct bg_subst *subs;
    size_t nsubs;
    size_t *counts; /* NULL, or nsubs counters: each gets the replacements its key made */
    bool align;     /* HCL: re-align `=` and trailing comments as terraform fmt does */
};

/* bg_files_render with the options above. With align, a text that does not lex as HCL is
 * left as the substitutions made it (only whitespace before a cell ever changes). */
int bg_files_render_with(char **out, size_t *out_len, struct bg_arena *a, const char *src,
                         size_t len, const struct bg_render_opts *opts, struct bg_error *err);

/* True for the names terraform fmt formats: *.tf, *.tfvars, *.tftest.hcl. */
bool bg_files_is_hcl_name(const char *name);

/* src laid out again as terraform fmt aligns attribute groups: in every run of consecutive
 * single-line attributes the `=` signs line up one space after the widest name, and trailing
 * comments of consecutive lines line up one space after the widest line (src/files/
 * hcl_align.c has the exact rules). Only whitespace before an `=` or a comment changes, so a
 * file terraform fmt accepts stays byte for byte the same. *out is a new NUL-terminated text
 * from a, or NULL when nothing moves (no copy made). BG_EINVAL (*out NULL) when src does not
 * lex as HCL (unterminated string, comment or heredoc; nesting past 32). */
int bg_files_hcl_align(char **out, size_t *out_len, struct bg_arena *a, const char *src,
                       size_t len);

/* True when x and y are the same bytes, or both lex as HCL and differ only as terraform fmt
 * would change one of them: whitespace between tokens (indentation, spacing, alignment),
 * an attribute that is one interpolation (`"${a}"` -> `a`), legacy variable types
 * (`"string"`, `list`), unquoted block labels. Newlines, comments, strings and heredoc text
 * must be identical. Scratch memory (about 50 KiB) from a; no recursion. */
bool bg_files_hcl_equivalent(struct bg_arena *a, const char *x, size_t xlen, const char *y,
                             size_t ylen);

/* Substitutions inferred from copies (bg_files_infer_substitutions), accumulated over the
 * files of a pair. Start zeroed, with avoid/max_context set. */
struct bg_infer {
    struct bg_subst *subs; /* candidates, from the arena */
    size_t n;
    size_t *hits;             /* differences behind each candidate: its expected count */
    const char *const *avoid; /* keys that replaced more or less than their hits */
    size_t navoid;
    unsigned max_context;   /* widen an avoided key by up to this many tokens each side */
    const char **conflicts; /* keys that would need two values */
    size_t nconflicts;
};

/* Adds to inf the literal replacements that explain how `to` (a standby copy) differs from
 * `from` (its live file after the color swap): each differing part found by a line, then
 * token, diff (tokens: runs of [A-Za-z0-9_.-], runs of blanks, single other bytes).
 * Differences in blanks alone (alignment) are skipped; a key in inf->avoid is widened by
 * context tokens. Nothing is verified: render with the result and compare, checking each
 * key's replacement count against its hits (src/files/infer.c). */
void bg_files_infer_substitutions(struct bg_infer *inf, struct bg_arena *a, const char *from,
                                  size_t from_len, const char *to, size_t to_len);

/* Lower-case hex SHA-256 of buf, NUL-terminated in out. */
void bg_files_sha256_hex(char out[65], const void *buf, size_t len);

/* Reads a regular file (O_NOFOLLOW) of at most BG_FILES_MAX_SIZE bytes. BG_ENOTFOUND when
 * absent, BG_EINVAL when not a regular file, BG_ELIMIT when too large, BG_EIO otherwise. */
int bg_files_read(char **out, size_t *out_len, struct bg_arena *a, const char *dir_abs,
                  const char *name, struct bg_error *err);
/* The same, also filling *info (NULL allowed) from the opened file. */
int bg_files_read_info(char **out, size_t *out_len, struct bg_file_info *info, struct bg_arena *a,
                       const char *dir_abs, const char *name, struct bg_error *err);

/* What lstat says of dir_abs/name: BG_ENOTFOUND when absent, BG_EINVAL when not a regular
 * file (a symlink is not followed), BG_EIO otherwise. */
int bg_files_stat(struct bg_file_info *out, const char *dir_abs, const char *name,
                  struct bg_error *err);

/* Lower-case hex SHA-256 of a regular file (O_NOFOLLOW), read in 64 KiB chunks: no memory
 * proportional to its size. *info (NULL allowed) as for bg_files_read_info. Same errors as
 * bg_files_read. */
int bg_files_hash(char out[65], struct bg_file_info *info, const char *dir_abs, const char *name,
                  struct bg_error *err);

/* Writes every file or none, as far as the OS allows: each is first written to a temporary
 * file in dir_abs (created 0600; given files[i].mode, stamped with the sha256 of its content
 * in BG_FILES_XATTR where the filesystem allows, and fsynced once complete), and only
 * when all temporaries exist are they renamed over their targets (then the directory is
 * fsynced). A failure before the renames unlinks the temporaries and leaves every target
 * untouched. A killed process leaves its temporaries behind: bg_files_clean_temps removes
 * them. Refuses a target that is a symlink. */
int bg_files_write_all(const char *dir_abs, const struct bg_file_write *files, size_t n,
                       struct bg_error *err);
/* The same with each file's content made by produce(ctx, i) right before its temporary is
 * written, so memory holds one file at a time; files[i].data is ignored. A producer error
 * is a failure before the renames. */
int bg_files_write_all_from(const char *dir_abs, const struct bg_file_write *files, size_t n,
                            bg_files_produce_fn produce, void *ctx, struct bg_error *err);

/* True when name is a temporary file of bg_files_write_all: ".<file>.bg-<pid>-<16 hex>.tmp"
 * (or ".<file>.bg-<16 hex>", the form of earlier versions). *pid (NULL allowed) gets the
 * writer's pid, 0 for the earlier form; *file_len the length of <file>. */
bool bg_files_is_temp(const char *name, long *pid, size_t *file_len);

/* Unlinks the temporaries in dir_abs whose <file> contains one of clusters[0..n) as a token
 * and whose writer is gone (a killed apply): those of a running process, this one included,
 * are in use and kept. *removed (NULL allowed) counts the files removed. Nothing else in the
 * directory is ever touched. */
int bg_files_clean_temps(size_t *removed, const char *dir_abs, const char *const *clusters,
                         size_t n, struct bg_error *err);
/* The same, answered from cache (see bg_files_discover_cached): a listing records the
 * directory's temporaries too, so while the directory is unchanged only those are looked at
 * instead of every entry. cache NULL: bg_files_clean_temps. */
int bg_files_clean_temps_cached(size_t *removed, struct bg_files_dircache *cache,
                                const char *dir_abs, const char *const *clusters, size_t n,
                                struct bg_error *err);

/* True when s[0..n) is well-formed UTF-8 (no overlong forms, surrogates or code points past
 * U+10FFFF), as Terraform requires of every string in state and diagnostics. */
bool bg_files_utf8_valid(const char *s, size_t n);

/* s with each byte that is not part of valid UTF-8, each control character and the backslash
 * written as \xNN: safe to show in a diagnostic. From the arena. */
char *bg_files_escape(struct bg_arena *a, const char *s);

/* Unlinks each name in dir_abs; a missing file is not an error; a symlink is unlinked, never
 * followed. */
int bg_files_remove_all(const char *dir_abs, const char *const *names, size_t n,
                        struct bg_error *err);

#endif
