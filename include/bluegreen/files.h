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
    const char *data;
    size_t len;
};

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
 * a ctime that was already 2 s old then (any entry added, removed or renamed afterwards
 * stamps a newer ctime, whatever the timestamp granularity). cache NULL: a plain scan. */
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

/* Lower-case hex SHA-256 of buf, NUL-terminated in out. */
void bg_files_sha256_hex(char out[65], const void *buf, size_t len);

/* Reads a regular file (O_NOFOLLOW) of at most BG_FILES_MAX_SIZE bytes. BG_ENOTFOUND when
 * absent, BG_EINVAL when not a regular file, BG_ELIMIT when too large, BG_EIO otherwise. */
int bg_files_read(char **out, size_t *out_len, struct bg_arena *a, const char *dir_abs,
                  const char *name, struct bg_error *err);

/* Writes every file or none, as far as the OS allows: each is first written to a temporary
 * file in dir_abs (mode 0644, fsync), and only when all temporaries exist are they renamed
 * over their targets (then the directory is fsynced). A failure before the renames unlinks the
 * temporaries and leaves every target untouched. Refuses a target that is a symlink. */
int bg_files_write_all(const char *dir_abs, const struct bg_file_write *files, size_t n,
                       struct bg_error *err);

/* Unlinks each name in dir_abs; a missing file is not an error; a symlink is unlinked, never
 * followed. */
int bg_files_remove_all(const char *dir_abs, const char *const *names, size_t n,
                        struct bg_error *err);

#endif
