/*
 * cluster_pair_generate.c - the `generate` sub-command (include/bluegreen/generate.h).
 *
 * It runs the resource's own evaluation (cluster_pair_eval.c) on arguments from the command
 * line, with every existing copy treated as adopted (there is no state to say whose it is:
 * the command is an explicit request to make the files what the configuration renders), and
 * then the resource's own atomic writes. Validation is the resource's too, so a bad name or
 * color is refused here exactly as at plan time.
 */
#include <stdlib.h>
#include <string.h>

#include "bluegreen/generate.h"
#include "bluegreen/provider.h"
#include "cluster_pair.h"

extern const struct bg_resource bg_cluster_pair_resource;

static const char usage[] =
    "usage: terraform-provider-bluegreen generate --directory DIR --name NAME --live COLOR\n"
    "           [--colors C0,C1] [--standby true|false] [--substitution FROM TO]...\n"
    "           [--remove FILE]... [--repository-root DIR]\n";

static int push_sub(struct bg_generate_args *out, struct bg_arena *a, const char *from,
                    const char *to)
{
    struct bg_subst *grown = bg_arena_calloc(a, out->nsubs + 1, sizeof(*grown));

    if (out->nsubs > 0)
        memcpy(grown, out->subs, out->nsubs * sizeof(*grown));
    grown[out->nsubs].from = from;
    grown[out->nsubs++].to = to;
    out->subs = grown;
    return 0;
}

static void push_remove(struct bg_generate_args *out, struct bg_arena *a, const char *name)
{
    const char **grown = bg_arena_calloc(a, out->nremoves + 1, sizeof(*grown));

    if (out->nremoves > 0)
        memcpy(grown, out->removes, out->nremoves * sizeof(*grown));
    grown[out->nremoves++] = name;
    out->removes = grown;
}

static int set_colors(struct bg_generate_args *out, struct bg_arena *a, const char *v,
                      struct bg_error *err)
{
    const char *comma = strchr(v, ',');

    if (comma == NULL || strchr(comma + 1, ',') != NULL)
        return bg_error_set(err, BG_EINVAL, "--colors wants two names, e.g. blue,green");
    out->colors[0] = bg_arena_strndup(a, v, (size_t)(comma - v));
    out->colors[1] = comma + 1;
    return 0;
}

static int set_standby(struct bg_generate_args *out, const char *v, struct bg_error *err)
{
    if (strcmp(v, "true") != 0 && strcmp(v, "false") != 0)
        return bg_error_set(err, BG_EINVAL, "--standby wants true or false, got \"%s\"", v);
    out->standby = strcmp(v, "true") == 0;
    return 0;
}

/* One option with its values at argv[*i]; *i moves past them. */
static int option(struct bg_generate_args *out, struct bg_arena *a, int argc, char *const *argv,
                  int *i, struct bg_error *err)
{
    const char *o = argv[*i];
    int need = strcmp(o, "--substitution") == 0 ? 2 : 1;

    if (*i + need >= argc)
        return bg_error_set(err, BG_EINVAL, "%s needs %s", o,
                            need == 2 ? "two values: FROM TO" : "a value");
    *i += need;
    if (strcmp(o, "--directory") == 0)
        out->directory = argv[*i];
    else if (strcmp(o, "--name") == 0)
        out->name = argv[*i];
    else if (strcmp(o, "--live") == 0)
        out->live = argv[*i];
    else if (strcmp(o, "--repository-root") == 0)
        out->repository_root = argv[*i];
    else if (strcmp(o, "--remove") == 0)
        push_remove(out, a, argv[*i]);
    else if (strcmp(o, "--colors") == 0)
        return set_colors(out, a, argv[*i], err);
    else if (strcmp(o, "--standby") == 0)
        return set_standby(out, argv[*i], err);
    else if (need == 2)
        return push_sub(out, a, argv[*i - 1], argv[*i]);
    else
        return bg_error_set(err, BG_EINVAL, "unknown option %s", o);
    return 0;
}

int bg_generate_parse(struct bg_generate_args *out, struct bg_arena *a, int argc, char *const *argv,
                      struct bg_error *err)
{
    int i;

    memset(out, 0, sizeof(*out));
    out->standby = true;
    for (i = 1; i < argc; i++) {
        if (option(out, a, argc, argv, &i, err) != 0)
            return BG_EINVAL;
    }
    if (out->directory == NULL || out->name == NULL || out->live == NULL)
        return bg_error_set(err, BG_EINVAL, "--directory, --name and --live are required");
    return 0;
}

/* The arguments as the resource's configuration value (no --colors: the table's default). */
static struct bg_value *config_of(struct bg_arena *a, const struct bg_generate_args *args)
{
    struct bg_pair_cfg c;
    size_t i;

    memset(&c, 0, sizeof(c));
    c.directory = args->directory;
    c.name = args->name;
    c.live = args->live;
    c.standby = args->standby;
    if (args->colors[0] != NULL && args->colors[1] != NULL) {
        c.color_list = bg_arena_calloc(a, 2, sizeof(*c.color_list));
        c.color_list[0] = args->colors[0];
        c.color_list[1] = args->colors[1];
        c.ncolors = 2;
    }
    c.sub_pairs = bg_arena_calloc(a, args->nsubs + 1, sizeof(*c.sub_pairs));
    for (i = 0; i < args->nsubs; i++) {
        c.sub_pairs[i].key = args->subs[i].from;
        c.sub_pairs[i].value = args->subs[i].to;
    }
    c.nsub_pairs = args->nsubs;
    return bg_pair__flatten(a, &c, NULL);
}

static void print_diags(FILE *f, const struct bg_diags *d)
{
    const struct bg_diag *x;

    for (x = d->head; x != NULL; x = x->next)
        fprintf(f, "%s: %s\n%s%s%s\n", x->severity == BG_SEV_ERROR ? "Error" : "Warning",
                x->summary, x->detail != NULL ? "  " : "", x->detail != NULL ? x->detail : "",
                x->detail != NULL ? "\n" : "");
}

/* A --remove name must be a copy of the standby cluster (never a live or shared file). */
static int check_removes(struct bg_call *call, const struct bg_pair_cfg *cfg,
                         const struct bg_generate_args *args)
{
    size_t i;
    int rc = 0;

    for (i = 0; i < args->nremoves; i++) {
        const char *n = args->removes[i];
        size_t len = strlen(n);

        if (strchr(n, '/') == NULL && bg_files_has_token(n, len, cfg->standby_cluster) &&
            !bg_files_has_token(n, len, cfg->live_cluster) && cfg->standby)
            continue;
        bg_diag_error(call->diags, NULL, "Refusing --remove",
                      "--remove %s: only a file of %s in %s (a file name, no '/') can be "
                      "removed, and only while standby is true.",
                      n, cfg->standby_cluster, cfg->directory);
        rc = BG_EINVAL;
    }
    return rc;
}

static int apply_files(FILE *out, struct bg_call *call, const struct bg_pair_cfg *cfg,
                       const struct bg_pair_eval *ev, const struct bg_generate_args *args)
{
    struct bg_error err = BG_ERROR_INIT;
    size_t i;

    if (ev->nwrites > 0 && bg_pair__write(cfg, ev, &err) != 0)
        return bg_diag_from_error(call->diags, NULL, "Cannot write the copies", &err);
    for (i = 0; i < ev->nwrites; i++)
        fprintf(out, "wrote %s\n", bg_pair__key(call->arena, cfg, ev->writes[i].name));
    if ((ev->nremoves > 0 && bg_files_remove_all(cfg->dir_abs, ev->removes, ev->nremoves, &err)) ||
        (args->nremoves > 0 &&
         bg_files_remove_all(cfg->dir_abs, args->removes, args->nremoves, &err)))
        return bg_diag_from_error(call->diags, NULL, "Cannot delete files", &err);
    for (i = 0; i < ev->nremoves; i++)
        fprintf(out, "deleted %s\n", bg_pair__key(call->arena, cfg, ev->removes[i]));
    for (i = 0; i < args->nremoves; i++)
        fprintf(out, "deleted %s\n", bg_pair__key(call->arena, cfg, args->removes[i]));
    if (ev->nwrites + ev->nremoves + args->nremoves == 0)
        fprintf(out, "%s: the files are up to date\n", cfg->directory);
    return 0;
}

static int run(FILE *out, struct bg_call *call, const struct bg_generate_args *args)
{
    const struct bg_resource *r = &bg_cluster_pair_resource;
    struct bg_value *config = config_of(call->arena, args);
    struct bg_pair_own own = {NULL, NULL, NULL, true};
    struct bg_pair_cfg cfg;
    struct bg_pair_eval ev;

    bg_schema_validate(call->diags, &r->schema->block, config);
    if (bg_diags_has_errors(call->diags) || r->validate(call, config) != 0 ||
        bg_pair__cfg_read(&cfg, call, config, true) != 0 || check_removes(call, &cfg, args) != 0)
        return BG_EINVAL;
    own.written = bg_value_map(call->arena, 0);
    own.recorded = bg_value_map(call->arena, 0);
    bg_pair__clean_temps(call, &cfg);
    if (bg_pair__evaluate(&ev, call, &cfg, &own) != 0)
        return BG_ECONFLICT;
    return apply_files(out, call, &cfg, &ev, args);
}

int bg_generate_run(const struct bg_generate_args *args, FILE *out, FILE *errf)
{
    struct bg_arena *a = bg_arena_new();
    struct bg_error err = BG_ERROR_INIT;
    struct bg_logger log = {BG_LOG_OFF, 2};
    struct bg_provider prov;
    struct bg_diags diags;
    struct bg_call call;
    char *root = NULL;
    int rc;

    memset(&prov, 0, sizeof(prov));
    memset(&call, 0, sizeof(call));
    bg_diags_init(&diags, a);
    rc = bg_files_repo_root(&root, a, args->repository_root, &err);
    if (rc != 0)
        bg_diag_from_error(&diags, NULL, "Invalid repository root", &err);
    prov.repository_root = root;
    call = (struct bg_call){a, &diags, &prov, &log, NULL, NULL};
    if (rc == 0)
        rc = run(out, &call, args);
    print_diags(errf, &diags);
    bg_arena_free(a);
    return rc;
}

int bg_generate_main(int argc, char *const *argv, FILE *out, FILE *errf)
{
    struct bg_arena *a = bg_arena_new();
    struct bg_error err = BG_ERROR_INIT;
    struct bg_generate_args args;
    int status = 0;

    if (bg_generate_parse(&args, a, argc, argv, &err) != 0) {
        fprintf(errf, "generate: %s\n%s", err.msg, usage);
        status = 2;
    } else if (bg_generate_run(&args, out, errf) != 0) {
        status = 1;
    }
    bg_arena_free(a);
    return status;
}
