/*
 * generate.h - `terraform-provider-bluegreen generate`: writes and deletes a
 * bluegreen_cluster_pair's generated files exactly as the resource renders them, outside
 * Terraform. It reads no state and needs no credentials, so an author runs it before
 * committing, and a provider with generated_files = "verify" prints the very invocation its
 * errors ask for.
 *
 *   terraform-provider-bluegreen generate --directory DIR --name NAME --live COLOR
 *       [--colors C0,C1] [--standby true|false] [--substitution FROM TO]...
 *       [--remove FILE]... [--repository-root DIR]
 *
 * With standby true (the default) every live file's copy is written unless the disk already
 * holds it (byte for byte, or differing only as terraform fmt would change it); with
 * standby false every file of the non-live color is deleted. --remove deletes a copy whose
 * live file is gone (the provider names them). Files are written atomically, only inside
 * the repository root (the git top-level of the working directory unless given), and never
 * through a symlink. One line per file written or deleted on out, diagnostics on err.
 */
#ifndef BLUEGREEN_GENERATE_H
#define BLUEGREEN_GENERATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "arena.h"
#include "common.h"
#include "files.h"

struct bg_generate_args {
    const char *directory, *name, *live;
    const char *colors[2]; /* NULL: "spoon", "knife" */
    bool standby;
    struct bg_subst *subs;
    size_t nsubs;
    const char **removes;
    size_t nremoves;
    const char *repository_root; /* NULL: the default */
};

/* Parses argv[1..argc) (argv[0] is "generate") into *out, strings borrowed from argv.
 * BG_EINVAL with a one-line message naming the bad option. */
int bg_generate_parse(struct bg_generate_args *out, struct bg_arena *a, int argc, char *const *argv,
                      struct bg_error *err);

/* Writes and deletes the files; 0, or BG_EINVAL / BG_ECONFLICT / BG_EIO once the reasons
 * are printed on err. */
int bg_generate_run(const struct bg_generate_args *args, FILE *out, FILE *err);

/* The sub-command: parse, run, exit status (0 done, 1 refused or failed, 2 usage). */
int bg_generate_main(int argc, char *const *argv, FILE *out, FILE *err);

#endif
