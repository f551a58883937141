/* helpers.c - scratch directories and file fixtures for the src/files tests. */
#define _XOPEN_SOURCE 700 /* nftw */
#include <dirent.h>
#include <ftw.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "helpers.h"

static void die(const char *what, const char *path)
{
    fprintf(stderr, "test fixture: %s %s failed\n", what, path);
    abort();
}

char *tmp_dir_new(void)
{
    char tmpl[] = "/tmp/bg-files-test-XXXXXX";
    char *canon;

    if (mkdtemp(tmpl) == NULL)
        die("mkdtemp", tmpl);
    /* Canonical so tests can compare it with what the engine returns. */
    canon = realpath(tmpl, NULL);
    if (canon == NULL)
        die("realpath", tmpl);
    return canon;
}

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st;
    (void)flag;
    (void)ftw;
    return remove(path);
}

void tmp_dir_remove(char *dir)
{
    if (dir == NULL)
        return;
    /* Tests may leave a directory unwritable; the owner can still restore it. */
    chmod(dir, 0700);
    nftw(dir, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
    free(dir);
}

char *path_join(const char *dir, const char *name)
{
    size_t n = strlen(dir) + strlen(name) + 2;
    char *p = malloc(n);

    if (p == NULL)
        abort();
    snprintf(p, n, "%s/%s", dir, name);
    return p;
}

void put_file(const char *dir, const char *name, const char *data, size_t len)
{
    char *p = path_join(dir, name);
    FILE *f = fopen(p, "wb");

    if (f == NULL || fwrite(data, 1, len, f) != len || fclose(f) != 0)
        die("write", p);
    free(p);
}

void put_text(const char *dir, const char *name, const char *text)
{
    put_file(dir, name, text, strlen(text));
}

void make_dir(const char *dir, const char *name)
{
    char *p = path_join(dir, name);

    if (mkdir(p, 0755) != 0)
        die("mkdir", p);
    free(p);
}

void make_link(const char *dir, const char *name, const char *target)
{
    char *p = path_join(dir, name);

    if (symlink(target, p) != 0)
        die("symlink", p);
    free(p);
}

char *get_file(const char *dir, const char *name, size_t *len)
{
    char *p = path_join(dir, name), *buf = NULL;
    FILE *f = fopen(p, "rb");
    long size;

    free(p);
    if (f == NULL)
        return NULL;
    if (fseek(f, 0, SEEK_END) != 0)
        abort();
    size = ftell(f);
    if (size < 0 || fseek(f, 0, SEEK_SET) != 0)
        abort();
    buf = malloc((size_t)size + 1);
    if (buf == NULL || fread(buf, 1, (size_t)size, f) != (size_t)size)
        abort();
    buf[size] = '\0';
    fclose(f);
    if (len != NULL)
        *len = (size_t)size;
    return buf;
}

size_t count_entries(const char *dir)
{
    DIR *d = opendir(dir);
    struct dirent *de;
    size_t n = 0;

    if (d == NULL)
        die("opendir", dir);
    while ((de = readdir(d)) != NULL)
        if (strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") != 0)
            n++;
    closedir(d);
    return n;
}
