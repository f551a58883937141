/*
 * deprecated_apis.c - data source bluegreen_deprecated_apis: every manifest in the repository
 * whose apiVersion/kind a target Kubernetes version no longer serves, found offline by the
 * scanner of include/bluegreen/upgrade.h so the pull request that declares the upgrade shows
 * (or, with fail_on_findings, fails on) what must be migrated first.
 */
#include <string.h>

#include "bluegreen/files.h"
#include "bluegreen/provider.h"
#include "bluegreen/upgrade.h"
#include "upgrade_sources.h"

/* With fail_on_findings, one error per finding up to this many, then one that counts the
 * rest: a 10,000-line diagnostic list helps nobody and slows terraform's rendering. */
#define MAX_FINDING_ERRORS 100
/* Findings named in the summary warning when fail_on_findings is false. */
#define MAX_WARNING_LINES 10
/* Skipped files named in one diagnostic; `skipped` lists every recorded one. */
#define MAX_SKIP_LINES 50

static const char *const description =
    "Finds every Kubernetes object in a directory of the repository (YAML, Helm templates, "
    "JSON, `kubernetes_manifest` and YAML strings in `.tf`) whose `apiVersion`/`kind` is no "
    "longer served by a target Kubernetes version - offline, in `terraform plan`.";

static void check_include(struct bg_diags *d, const struct bg_path *path, const struct bg_value *v,
                          const void *arg);
static void check_directory(struct bg_diags *d, const struct bg_path *path,
                            const struct bg_value *v, const void *arg);

static const size_t include_len[2] = {1, 256};

static const struct bg_validator directory_validators[] = {
    {bg_validate_not_empty, NULL, NULL},
    {check_directory, NULL, "Not starting with `~` (it is not expanded)."},
    {NULL, NULL, NULL}};
static const struct bg_validator version_validators[] = {
    {bg_upgrade_check_version, bg_upgrade_any_minor,
     "A version `1.<minor>` (a `.<patch>` suffix is accepted)."},
    {NULL, NULL, NULL}};
static const struct bg_validator include_validators[] = {{bg_validate_length, include_len, NULL},
                                                         {check_include, NULL, "No empty pattern."},
                                                         {NULL, NULL, NULL}};

static const struct bg_field finding_fields[] = {
    {"file", &bg_type_string}, {"line", &bg_type_number},       {"api_version", &bg_type_string},
    {"kind", &bg_type_string}, {"removed_in", &bg_type_string}, {"replacement", &bg_type_string},
};
static const struct bg_type finding_type = BG_TYPE_OBJECT_OF(finding_fields);
static const struct bg_type findings_type = {BG_TYPE_LIST, &finding_type, NULL, 0};

static const struct bg_field skip_fields[] = {
    {"path", &bg_type_string}, {"reason", &bg_type_string}, {"directory", &bg_type_bool}};
static const struct bg_type skip_type = BG_TYPE_OBJECT_OF(skip_fields);
static const struct bg_type skips_type = {BG_TYPE_LIST, &skip_type, NULL, 0};

static const struct bg_attr attrs[] = {
    {.name = "directory",
     .type = &bg_type_string,
     .flags = BG_REQUIRED,
     .description = "Directory scanned recursively, relative to the working directory (or "
                    "absolute). It must resolve inside the provider's `repository_root`; `..` "
                    "or symlinks leading out of it are refused.",
     .validators = directory_validators},
    {.name = "kubernetes_version",
     .type = &bg_type_string,
     .flags = BG_REQUIRED,
     .description = "Target Kubernetes minor, e.g. `\"1.25\"`: objects whose API is removed "
                    "at or before it are reported.",
     .validators = version_validators},
    {.name = "include",
     .type = &bg_type_list_string,
     .flags = BG_OPTIONAL | BG_COMPUTED,
     .description = "Globs selecting files, matched against the path relative to "
                    "`directory`: `*` and `?` stop at `/`, `**` crosses directories, a pattern "
                    "without `/` matches the file name anywhere. Default (returned here when "
                    "unset): `[\"*.yaml\", \"*.yml\", \"*.json\", \"*.tf\", "
                    "\"**/templates/**/*.tpl\"]`.",
     .validators = include_validators},
    {.name = "fail_on_findings",
     .type = &bg_type_bool,
     .flags = BG_OPTIONAL,
     .default_json = "false",
     .description = "When `true`, every finding is an error diagnostic starting with "
                    "`file:line:`, so the plan of the pull request fails and names the place; "
                    "so is every file or folder that could not be scanned (see `skipped`), "
                    "since what it holds is unknown."},
    {.name = "findings",
     .type = &findings_type,
     .flags = BG_COMPUTED,
     .description = "Objects using a removed API, in file then line order: `file` (relative "
                    "to the repository root), `line` (of the `apiVersion` key), "
                    "`api_version`, `kind`, `removed_in` (the Kubernetes minor that stopped "
                    "serving it) and `replacement`."},
    {.name = "skipped",
     .type = &skips_type,
     .flags = BG_COMPUTED,
     .description = "Files matching `include` and folders that were not scanned, in walk order: "
                    "`path` (relative to the repository root), `reason` (larger than 8 MiB, "
                    "deeper than 64 folder levels, unreadable, not decodable as text, name not "
                    "UTF-8, symlink leaving the root) and `directory`. At most 1000 are listed."},
    /* Issue 4 named this `count`, but Terraform reserves that name for the meta-argument:
     * `data.x.count` and `self.count` are rejected ("Invalid resource count attribute"). */
    {.name = "finding_count",
     .type = &bg_type_number,
     .flags = BG_COMPUTED,
     .description = "Number of `findings` (`length(findings)`). Not named `count`: "
                    "Terraform reserves that name for the meta-argument."},
};

static const struct bg_schema schema = {
    .version = 0,
    .block = {.description = description, .attrs = attrs, .nattrs = BG_COUNT(attrs)},
};

static void check_include(struct bg_diags *d, const struct bg_path *path, const struct bg_value *v,
                          const void *arg)
{
    size_t i;

    (void)arg;
    for (i = 0; v->kind == BG_ARRAY && i < v->u.arr.len; i++) {
        const struct bg_value *item = v->u.arr.items[i];
        const char *s = bg_value_as_string(item);

        if (bg_value_is_unknown(item) || (s != NULL && *s != '\0'))
            continue;
        bg_diag_error(d, bg_path_index(d->arena, path, (int64_t)i), "Invalid include pattern",
                      "include[%zu] must be a non-empty glob such as \"*.yaml\".", i);
    }
}

/* Absolute paths are fine as long as they lie inside the root (path.cwd, path.root); a
 * leading "~" is not expanded by anyone and would only produce a confusing "not found". */
static void check_directory(struct bg_diags *d, const struct bg_path *path,
                            const struct bg_value *v, const void *arg)
{
    const char *s = bg_value_as_string(v);

    (void)arg;
    if (s != NULL && s[0] == '~')
        bg_diag_error(d, path, "Invalid directory",
                      "directory = \"%s\": \"~\" is not expanded; give the directory relative "
                      "to the working directory.",
                      s);
}

static const struct bg_path *attr_path(struct bg_call *call, const char *name)
{
    return bg_path_attr(call->arena, NULL, name);
}

/* The configured root; before ConfigureProvider (validate-only runs) the same default the
 * provider would pick: the nearest ancestor of the working directory holding .git. */
static int repository_root(const char **out, struct bg_call *call)
{
    struct bg_error err = BG_ERROR_INIT;
    char *root = NULL;

    if (call->provider != NULL && call->provider->repository_root != NULL) {
        *out = call->provider->repository_root;
        return 0;
    }
    if (bg_files_repo_root(&root, call->arena, NULL, &err) != 0)
        return bg_diag_from_error(call->diags, NULL, "Cannot find the repository root", &err);
    *out = root;
    return 0;
}

static int expand(struct bg_scan_opts *o, struct bg_call *call, const struct bg_value *config)
{
    const struct bg_value *include = bg_value_get(config, "include");
    const char *version = bg_value_as_string(bg_value_get(config, "kubernetes_version"));
    struct bg_error err = BG_ERROR_INIT;
    const char **globs;
    size_t i;

    if (repository_root(&o->root, call) != 0)
        return BG_EINVAL;
    o->directory = bg_value_as_string(bg_value_get(config, "directory"));
    if (bg_upgrade_version_parse(&o->target, version, &err) != 0)
        return bg_upgrade_diag(call, "kubernetes_version", "Invalid version", &err);
    if (bg_value_is_null(include))
        return 0; /* the library's default globs */
    globs = bg_arena_calloc(call->arena, bg_value_len(include), sizeof(*globs));
    for (i = 0; i < bg_value_len(include); i++)
        globs[i] = bg_value_as_string(include->u.arr.items[i]);
    o->include = globs;
    o->include_count = bg_value_len(include);
    return 0;
}

static int scan(struct bg_scan_result **out, struct bg_call *call, const struct bg_scan_opts *o)
{
    struct bg_error err = BG_ERROR_INIT;
    const char *attribute = NULL, *summary = "Cannot scan the directory";

    if (bg_scan_directory(out, call->arena, o, &attribute, &err) == 0) {
        bg_log(call->log, BG_LOG_DEBUG, "deprecated_apis", NULL,
               "%s: %zu file(s) scanned, %zu file(s) and %zu folder(s) skipped, %zu finding(s)",
               o->directory, (*out)->files_scanned, (*out)->files_skipped, (*out)->dirs_skipped,
               (*out)->count);
        return 0;
    }
    if (attribute != NULL && strcmp(attribute, "include") == 0)
        summary = "Invalid include pattern";
    else if (err.code == BG_ENOTFOUND)
        summary = "Directory not found";
    else if (attribute != NULL)
        summary = "Invalid directory";
    return bg_upgrade_diag(call, attribute, summary, &err);
}

static struct bg_value *flatten_findings(struct bg_arena *a, const struct bg_scan_result *res)
{
    struct bg_value *list = bg_value_array(a, res->count);
    size_t i;

    for (i = 0; i < res->count; i++) {
        const struct bg_scan_finding *f = &res->findings[i];
        struct bg_value *obj = bg_value_map(a, BG_COUNT(finding_fields));

        bg_value_put(a, obj, "file", bg_value_string(a, f->file));
        bg_value_put(a, obj, "line", bg_value_int(a, f->line));
        bg_value_put(a, obj, "api_version", bg_value_string(a, f->api_version));
        bg_value_put(a, obj, "kind", bg_value_string(a, f->kind));
        bg_value_put(a, obj, "removed_in", bg_value_string(a, f->removed_in));
        bg_value_put(a, obj, "replacement", bg_value_string(a, f->replacement));
        bg_value_append(a, list, obj);
    }
    return list;
}

/* "k8s/app.yaml:3: extensions/v1beta1 Deployment is removed in Kubernetes 1.16; replacement:
 * apps/v1": file:line first, the form editors and CI annotations recognise. The replacement
 * is free text for APIs without one, hence "replacement:" rather than "use". */
static const char *describe(struct bg_arena *a, const struct bg_scan_finding *f)
{
    return bg_arena_printf(a, "%s:%ld: %s %s is removed in Kubernetes %s; replacement: %s", f->file,
                           f->line, f->api_version, f->kind, f->removed_in, f->replacement);
}

static void fail_findings(struct bg_call *call, const struct bg_scan_result *res,
                          const char *version)
{
    const struct bg_path *path = attr_path(call, "directory");
    size_t i, shown = res->count < MAX_FINDING_ERRORS ? res->count : MAX_FINDING_ERRORS;

    for (i = 0; i < shown; i++)
        bg_diag_error(call->diags, path,
                      bg_arena_printf(call->arena, "Kubernetes API not served by %s", version),
                      "%s.", describe(call->arena, &res->findings[i]));
    if (shown < res->count || res->truncated)
        bg_diag_error(call->diags, path, "More removed Kubernetes APIs",
                      "%s%zu more finding(s) are not listed; set fail_on_findings = false to "
                      "list them in the findings attribute.",
                      res->truncated ? "at least " : "", res->count - shown);
}

/* Without fail_on_findings the findings are data for the configuration, but a plan that
 * silently carries them would hide them from the reviewer: one warning names the first few. */
static void warn_findings(struct bg_call *call, const struct bg_scan_result *res,
                          const char *version)
{
    char *list = bg_arena_strdup(call->arena, "");
    size_t i;

    if (res->count == 0)
        return;
    for (i = 0; i < res->count && i < MAX_WARNING_LINES; i++)
        list = bg_arena_printf(call->arena, "%s\n  - %s", list,
                               describe(call->arena, &res->findings[i]));
    if (res->count > MAX_WARNING_LINES)
        list = bg_arena_printf(call->arena, "%s\n  ... and %zu more (see findings)", list,
                               res->count - MAX_WARNING_LINES);
    bg_diag_warn(call->diags, attr_path(call, "directory"),
                 "Manifests use Kubernetes APIs removed by the target version",
                 "%zu object(s) use an API that Kubernetes %s no longer serves%s:%s", res->count,
                 version, res->truncated ? " (only the first are listed)" : "", list);
}

static struct bg_value *flatten_skipped(struct bg_arena *a, const struct bg_scan_result *res)
{
    struct bg_value *list = bg_value_array(a, res->skipped_count);
    size_t i;

    for (i = 0; i < res->skipped_count; i++) {
        const struct bg_scan_skip *k = &res->skipped[i];
        struct bg_value *obj = bg_value_map(a, BG_COUNT(skip_fields));

        bg_value_put(a, obj, "path", bg_value_string(a, k->path));
        bg_value_put(a, obj, "reason", bg_value_string(a, k->reason));
        bg_value_put(a, obj, "directory", bg_value_bool(a, k->directory));
        bg_value_append(a, list, obj);
    }
    return list;
}

/* Every skipped file or folder, named with its reason: one warning, or (fail_on_findings) one
 * error, since a manifest nobody read may hold exactly the API the gate is about. */
static void report_skipped(struct bg_call *call, const struct bg_scan_result *res, bool fail)
{
    size_t total = res->files_skipped + res->dirs_skipped, i;
    char *list = bg_arena_strdup(call->arena, "");

    if (total == 0)
        return;
    for (i = 0; i < res->skipped_count && i < MAX_SKIP_LINES; i++)
        list = bg_arena_printf(call->arena, "%s\n  - %s%s %s", list, res->skipped[i].path,
                               res->skipped[i].directory ? "/" : "", res->skipped[i].reason);
    if (total > i)
        list = bg_arena_printf(call->arena, "%s\n  ... and %zu more%s", list, total - i,
                               res->skipped_count > i ? " (see skipped)" : "");
    if (fail)
        bg_diag_error(call->diags, attr_path(call, "directory"), "Manifests were not scanned",
                      "fail_on_findings = true, but %zu file(s) and %zu folder(s) could not be "
                      "scanned, so they may use removed APIs. Fix or exclude them (include):%s",
                      res->files_skipped, res->dirs_skipped, list);
    else
        bg_diag_warn(call->diags, attr_path(call, "directory"), "Manifests were not scanned",
                     "%zu file(s) and %zu folder(s) could not be scanned; any removed API they "
                     "use is not in findings:%s",
                     res->files_skipped, res->dirs_skipped, list);
}

static int apis_read(struct bg_call *call, const struct bg_value *config, struct bg_value **state)
{
    const char *version = bg_value_as_string(bg_value_get(config, "kubernetes_version"));
    struct bg_scan_opts o = BG_SCAN_OPTS_INIT;
    struct bg_scan_result *res;
    bool fail = false;

    if (expand(&o, call, config) != 0 || scan(&res, call, &o) != 0)
        return BG_EINVAL;
    bg_value_as_bool(&fail, bg_value_get(config, "fail_on_findings"));
    report_skipped(call, res, fail);
    if (fail && res->count > 0)
        fail_findings(call, res, version);
    if (fail && (res->count > 0 || res->files_skipped + res->dirs_skipped > 0))
        return BG_EINVAL;
    if (!fail)
        warn_findings(call, res, version);
    *state = bg_upgrade_state_from(call->arena, config);
    if (o.include == NULL)
        bg_value_put(call->arena, *state, "include",
                     bg_upgrade_string_list(call->arena, bg_scan_default_include,
                                            bg_scan_default_include_count));
    bg_value_put(call->arena, *state, "findings", flatten_findings(call->arena, res));
    bg_value_put(call->arena, *state, "skipped", flatten_skipped(call->arena, res));
    bg_value_put(call->arena, *state, "finding_count",
                 bg_value_int(call->arena, (int64_t)res->count));
    return 0;
}

const struct bg_data_source bg_deprecated_apis_data_source = {
    .type_name = "bluegreen_deprecated_apis",
    .schema = &schema,
    .validate = NULL,
    .read = apis_read,
};
