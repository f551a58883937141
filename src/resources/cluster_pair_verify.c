/*
 * cluster_pair_verify.c - generated_files = "verify": the repository must already hold what
 * the resource renders, because in CI a plan reads the configuration before any provider
 * could write a file (a copy written by apply would be missing from the next checkout, and
 * Terraform would plan to destroy what it declares). Each difference is an error naming the
 * file and why, and one more error prints the command that produces exactly those files:
 * this binary's `generate` sub-command (src/resources/cluster_pair_generate.c), which needs
 * no credentials and no state.
 */
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "bluegreen/provider.h"
#include "bluegreen/version.h"
#include "cluster_pair.h"

/* s quoted for sh when it holds anything but plainly safe characters. */
static char *sh_quote(struct bg_arena *a, const char *s)
{
    static const char safe[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
                               "_-.,/:=@%+";
    char *out, *p;
    size_t n = 2, i;

    if (*s != '\0' && strspn(s, safe) == strlen(s))
        return bg_arena_strdup(a, s);
    for (i = 0; s[i] != '\0'; i++)
        n += s[i] == '\'' ? 4 : 1;
    out = p = bg_arena_alloc(a, n + 1);
    *p++ = '\'';
    for (i = 0; s[i] != '\0'; i++) {
        if (s[i] == '\'') {
            memcpy(p, "'\\''", 4);
            p += 4;
        } else {
            *p++ = s[i];
        }
    }
    *p++ = '\'';
    *p = '\0';
    return out;
}

/* path relative to base when it lies below it ("." for base itself), else NULL. */
static const char *below(const char *path, const char *base)
{
    size_t n = strlen(base);

    if (strcmp(base, "/") == 0)
        return path[1] != '\0' ? path + 1 : ".";
    if (strncmp(path, base, n) != 0 || (path[n] != '/' && path[n] != '\0'))
        return NULL;
    return path[n] == '\0' ? "." : path + n + 1;
}

/* root as the author can pass it from the working directory: "../.." when it is an
 * ancestor, the absolute path otherwise. */
static const char *root_arg(struct bg_arena *a, const char *root, const char *cwd)
{
    const char *rel = below(cwd, root), *p;
    char *up;

    if (rel == NULL)
        return root;
    if (strcmp(rel, ".") == 0)
        return ".";
    up = bg_arena_strdup(a, "..");
    for (p = strchr(rel, '/'); p != NULL; p = strchr(p + 1, '/'))
        up = bg_arena_printf(a, "%s/..", up);
    return up;
}

static const char *platform(void)
{
    struct utsname u;

    if (uname(&u) != 0)
        return "linux_amd64";
    if (strcmp(u.machine, "x86_64") == 0)
        return "linux_amd64";
    if (strcmp(u.machine, "aarch64") == 0)
        return "linux_arm64";
    return "linux_386";
}

/* The binary as the author can run it: where `terraform init` installs it under the working
 * directory (the same path on every machine), else this process's own executable. */
static const char *binary(struct bg_arena *a, const char *cwd)
{
    const char *installed =
        bg_arena_printf(a, ".terraform/providers/%s/%s/%s/%s_v%s", BG_PROVIDER_ADDRESS, BG_VERSION,
                        platform(), BG_BINARY_NAME, BG_VERSION);
    char self[PATH_MAX];
    ssize_t n;
    struct stat st;
    const char *rel;

    if (stat(installed, &st) == 0)
        return installed;
    n = readlink("/proc/self/exe", self, sizeof(self) - 1);
    if (n <= 0)
        return BG_BINARY_NAME;
    self[n] = '\0';
    rel = cwd != NULL ? below(self, cwd) : NULL;
    return rel != NULL ? bg_arena_printf(a, "./%s", rel) : bg_arena_strdup(a, self);
}

static char *arg(struct bg_arena *a, char *cmd, const char *flag, const char *value)
{
    return bg_arena_printf(a, "%s %s %s", cmd, flag, sh_quote(a, value));
}

char *bg_pair__generate_command(struct bg_arena *a, const struct bg_pair_cfg *cfg, const char *root,
                                const char *const *extras, size_t nextras)
{
    char cwd[PATH_MAX], *cmd, *def = NULL;
    struct bg_error err = BG_ERROR_INIT;
    size_t i;

    if (getcwd(cwd, sizeof(cwd)) == NULL)
        cwd[0] = '\0';
    cmd = bg_arena_printf(a, "%s generate", sh_quote(a, binary(a, cwd[0] != '\0' ? cwd : NULL)));
    cmd = arg(a, cmd, "--directory", cfg->directory);
    cmd = arg(a, cmd, "--name", cfg->name);
    cmd = arg(a, cmd, "--live", cfg->live);
    if (strcmp(cfg->colors[0], "spoon") != 0 || strcmp(cfg->colors[1], "knife") != 0)
        cmd = arg(a, cmd, "--colors", bg_arena_printf(a, "%s,%s", cfg->colors[0], cfg->colors[1]));
    if (!cfg->standby)
        cmd = arg(a, cmd, "--standby", "false");
    for (i = 0; i < cfg->nsubs; i++)
        cmd = bg_arena_printf(a, "%s --substitution %s %s", cmd, sh_quote(a, cfg->subs[i].from),
                              sh_quote(a, cfg->subs[i].to));
    for (i = 0; i < nextras; i++)
        cmd = arg(a, cmd, "--remove", extras[i]);
    /* The default root is the git top-level: only a configured other one is spelled out. */
    if (root != NULL && (bg_files_repo_root(&def, a, NULL, &err) != 0 || strcmp(def, root) != 0))
        cmd = arg(a, cmd, "--repository-root", root_arg(a, root, cwd));
    return cmd;
}

static const char *why(struct bg_arena *a, const struct bg_pair_cfg *cfg,
                       const struct bg_pair_issue *is)
{
    switch (is->kind) {
    case BG_PAIR_MISSING:
        return bg_arena_printf(a,
                               "is the copy of %s this configuration renders, and it is not "
                               "in the repository.",
                               bg_pair__key(a, cfg, is->source));
    case BG_PAIR_STALE:
        return bg_arena_printf(a,
                               "holds an earlier rendering of %s (sha256 %s; this "
                               "configuration renders %s): the live file or substitutions "
                               "changed since it was generated.",
                               bg_pair__key(a, cfg, is->source), is->disk, is->want);
    case BG_PAIR_EDITED:
        return bg_arena_printf(a,
                               "differs from the copy of %s this configuration renders, and "
                               "not only in formatting (sha256 %s on disk, %s rendered): it "
                               "was edited by hand or generated from other arguments. Make the "
                               "change in the live cluster's files or in substitutions; the "
                               "command below overwrites the copy.",
                               bg_pair__key(a, cfg, is->source), is->disk, is->want);
    default:
        return bg_arena_printf(a, "(sha256 %s) must be deleted: %s.", is->disk,
                               cfg->standby ? "its live file is gone"
                                            : "standby = false removes the old cluster's files");
    }
}

static const char *const summaries[] = {"Generated file missing", "Generated file out of date",
                                        "Generated file differs from its rendering",
                                        "Generated file must be deleted"};

int bg_pair__verify_report(struct bg_call *call, const struct bg_pair_cfg *cfg,
                           const struct bg_pair_eval *ev)
{
    struct bg_arena *a = call->arena;
    const struct bg_path *path = bg_path_attr(a, NULL, "files");
    const char **extras = bg_arena_calloc(a, ev->nissues, sizeof(*extras));
    const char *root = call->provider != NULL ? call->provider->repository_root : NULL;
    size_t i, nextras = 0;

    if (ev->nissues == 0)
        return 0;
    for (i = 0; i < ev->nissues; i++) {
        const struct bg_pair_issue *is = &ev->issues[i];

        bg_diag_error(call->diags, path, summaries[is->kind],
                      "%s %s\n\ngenerated_files = \"verify\": plan and apply never write or "
                      "delete a file.",
                      bg_pair__key(a, cfg, is->name), why(a, cfg, is));
        if (is->kind == BG_PAIR_EXTRA && cfg->standby)
            extras[nextras++] = is->name;
    }
    bg_diag_error(call->diags, path, "Generate the files, then commit them",
                  "The repository must hold exactly the files this bluegreen_cluster_pair "
                  "(%s:%s) renders. This command writes and deletes exactly the %zu file(s) "
                  "named above (no credentials, no state); run it from the directory where "
                  "terraform runs, then commit the result:\n\n  %s\n",
                  cfg->directory, cfg->name, ev->nissues,
                  bg_pair__generate_command(a, cfg, root, extras, nextras));
    return BG_ECONFLICT;
}
