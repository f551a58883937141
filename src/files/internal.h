/*
 * internal.h - helpers shared by the src/files modules; not part of the public surface.
 * Names carry the files_ prefix so they cannot be mistaken for the bg_files_ contract.
 */
#ifndef BLUEGREEN_FILES_INTERNAL_H
#define BLUEGREEN_FILES_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>

#include "bluegreen/common.h"

/* Temporary file name after its leading '.': target name (cut to 200 bytes so the whole stays
 * under NAME_MAX), writer pid, 64 random bits. temps.c parses what write.c formats. */
#define BG_FILES_TEMP_FORMAT "%.200s.bg-%ld-%016llx.tmp"

/* True for [A-Za-z0-9]; locale independent on purpose, unlike isalnum(3). */
static inline bool bg_files__is_alnum(unsigned char c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

/* Sets err to "<formatted>: <strerror(e)>" with code and returns code. Thread safe. */
int bg_files__sys_error(struct bg_error *err, int code, int e, const char *fmt, ...)
    BG_PRINTF(4, 5);

/* BG_EINVAL unless name is a single path component (non-empty, no '/', not "." or ".."). */
int bg_files__check_name(const char *name, struct bg_error *err);

/* Opens dir_abs as a directory fd (O_CLOEXEC) without following any symlink on the way, so
 * a directory swapped for a symlink after bg_files_resolve_dir is refused. BG_ENOTFOUND when
 * absent, BG_EINVAL when not a directory or reached through a symlink, BG_EIO otherwise. */
int bg_files__open_dir(int *out, const char *dir_abs, struct bg_error *err);

/* SHA-256 of what is left to read from fd, in 64 KiB chunks; BG_ELIMIT past max bytes,
 * BG_EIO on a read error (message names dir_abs/name). */
int bg_files__sha256_fd(char out[65], int fd, size_t max, const char *dir_abs, const char *name,
                        struct bg_error *err);

/* Unlinks dir_abs/name (open as dfd) when it is a temporary of one of clusters[0..n) whose
 * writer is gone, counting it in *removed; anything else is left alone (temps.c). */
int bg_files__remove_temp(size_t *removed, int dfd, const char *name, const char *dir_abs,
                          const char *const *clusters, size_t n, struct bg_error *err);

struct bg_files_dircache;

/* How many bg_files_discover_cached calls were answered from the cache and how many read the
 * directory (dircache.c; for tests). */
void bg_files__dircache_counts(size_t *hits, size_t *scans, struct bg_files_dircache *c);
/* How old a directory's ctime must be before its listing is kept, for a ctime with and one
 * without nanoseconds (defaults 0.1 s and 2 s; for tests). Before any call. */
void bg_files__dircache_settle(struct bg_files_dircache *c, double fine_s, double coarse_s);

#endif
