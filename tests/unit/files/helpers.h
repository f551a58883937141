/*
 * helpers.h - scratch directories and file fixtures for the src/files tests. Each test runs
 * in its own criterion process, so the fixture state below is per test, not shared.
 */
#ifndef BG_TEST_FILES_HELPERS_H
#define BG_TEST_FILES_HELPERS_H

#include <stddef.h>

/* Canonical path of a fresh mkdtemp directory under /tmp (malloc'd). Aborts on failure. */
char *tmp_dir_new(void);

/* Removes dir recursively (never following symlinks) and frees the string. NULL allowed. */
void tmp_dir_remove(char *dir);

/* dir/name joined (malloc'd). */
char *path_join(const char *dir, const char *name);

/* Creates or truncates dir/name with exactly len bytes of data. Aborts on failure. */
void put_file(const char *dir, const char *name, const char *data, size_t len);
void put_text(const char *dir, const char *name, const char *text);
void make_dir(const char *dir, const char *name);
void make_link(const char *dir, const char *name, const char *target);

/* Contents of dir/name (malloc'd, NUL-terminated), NULL when it cannot be opened. Follows
 * nothing special: tests use it on regular files only. */
char *get_file(const char *dir, const char *name, size_t *len);

/* Entries of dir other than "." and "..". */
size_t count_entries(const char *dir);

#endif
