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

/* The data source in C, filled and read by the typed layer along the slots below: the
 * arguments, then the scanner's own result arrays. */
struct apis_ds {
    const char *directory, *kubernetes_version;
    const char **include; /* NULL: unset, the scanner's default globs */
    size_t include_count;
    bool fail_on_findings;
    struct bg_scan_finding *findings;
    size_t finding_total;
    struct bg_scan_skip *skipped;
    size_t skipped_count;
    int64_t finding_count;
};

static const struct bg_attr finding_attrs[] = {
    {.name = "file",
     .type = &bg_type_string,
     .flags = BG_COMPUTED,
     .description = "Relative to the repository root.",
     .slot = BG_SLOT_STRING(struct bg_scan_finding, file)},
    {.name = "line",
     .type = &bg_type_number,
     .flags = BG_COMPUTED,
     .description = "Line of the `apiVersion` key.",
     .slot = BG_SLOT_INT(struct bg_scan_finding, line)},
    {.name = "api_version",
     .type = &bg_type_string,
     .flags = BG_COMPUTED,
     .description = "The removed `apiVersion`, e.g. `\"extensions/v1beta1\"`.",
     .slot = BG_SLOT_STRING(struct bg_scan_finding, api_version)},
    {.name = "kind",
     .type = &bg_type_string,
     .flags = BG_COMPUTED,
     .description = "The object's `kind`.",
     .slot = BG_SLOT_STRING(struct bg_scan_finding, kind)},
    {.name = "removed_in",
     .type = &bg_type_string,
     .flags = BG_COMPUTED,
     .description = "The Kubernetes minor that stopped serving it.",
     .slot = BG_SLOT_STRING(struct bg_scan_finding, removed_in)},
    {.name = "replacement",
     .type = &bg_type_string,
     .flags = BG_COMPUTED,
     .description = "What to migrate to (an `apiVersion`, or a sentence for APIs without one).",
     .slot = BG_SLOT_STRING(struct bg_scan_finding, replacement)},
};

static const struct bg_attr skip_attrs[] = {
    {.name = "path",
     .type = &bg_type_string,
     .flags = BG_COMPUTED,
     .description = "Relative to the repository root; bytes that are not UTF-8 as `\\xNN`.",
     .slot = BG_SLOT_STRING(struct bg_scan_skip, path)},
    {.name = "reason",
     .type = &bg_type_string,
     .flags = BG_COMPUTED,
     .description = "Why it was not scanned, e.g. `\"larger than the 8 MiB limit\"`.",
     .slot = BG_SLOT_STRING(struct bg_scan_skip, reason)},
    {.name = "directory",
     .type = &bg_type_bool,
     .flags = BG_COMPUTED,
     .description = "A folder, not a file.",
     .slot = BG_SLOT_BOOL(struct bg_scan_skip, directory)},
};

static const struct bg_attr attrs[] = {
    {.name = "directory",
     .type = &bg_type_string,
     .flags = BG_REQUIRED,
     .description = "Directory scanned recursively, relative to the working directory (or "
                    "absolute). It must resolve inside the provider's `repository_root`; `..` "
                    "or symlinks leading out of it are refused.",
     .validators = directory_validators,
     .slot = BG_SLOT_STRING(struct apis_ds, directory)},
    {.name = "kubernetes_version",
     .type = &bg_type_string,
     .flags = BG_REQUIRED,
     .description = "Target Kubernetes minor, e.g. `\"1.25\"`: objects whose API is removed "
                    "at or before it are reported.",
     .validators = version_validators,
     .slot = BG_SLOT_STRING(struct apis_ds, kubernetes_version)},
    {.name = "include",
     .type = &bg_type_list_string,
     .flags = BG_OPTIONAL | BG_COMPUTED,
     .description = "Globs selecting files, matched against the path relative to "
                    "`directory`: `*` and `?` stop at `/`, `**` crosses directories, a pattern "
                    "without `/` matches the file name anywhere. Default (returned here when "
                    "unset): `[\"*.yaml\", \"*.yml\", \"*.json\", \"*.tf\", "
                    "\"**/templates/**/*.tpl\"]`.",
     .validators = include_validators,
     .slot = BG_SLOT_STRINGS(struct apis_ds, include, include_count)},
    {.name = "fail_on_findings",
     .type = &bg_type_bool,
     .flags = BG_OPTIONAL,
     .default_json = "false",
     .description = "When `true`, every finding is an error diagnostic starting with "
                    "`file:line:`, so the plan of the pull request fails and names the place; "
                    "so is every file or folder that could not be scanned (see `skipped`), "
                    "since what it holds is unknown.",
     .slot = BG_SLOT_BOOL(struct apis_ds, fail_on_findings)},
    {.name = "findings",
     .flags = BG_COMPUTED,
     .nesting = BG_NEST_LIST,
     .nested = finding_attrs,
     .nnested = BG_COUNT(finding_attrs),
     .description = "Objects using a removed API, in file then line order.",
     .slot = BG_SLOT_OBJECTS(struct apis_ds, findings, finding_total)},
    {.name = "skipped",
     .flags = BG_COMPUTED,
     .nesting = BG_NEST_LIST,
     .nested = skip_attrs,
     .nnested = BG_COUNT(skip_attrs),
     .description = "Files matching `include` and folders that were not scanned, in walk order: "
                    "larger than 8 MiB, deeper than 64 folder levels, unreadable, not decodable "
                    "as text, name not UTF-8, symlink leaving the root. At most 1000 are listed.",
     .slot = BG_SLOT_OBJECTS(struct apis_ds, skipped, skipped_count)},
    /* Issue 4 named this `count`, but Terraform reserves that name for the meta-argument:
     * `data.x.count` and `self.count` are rejected ("Invalid resource count attribute"). */
    {.name = "finding_count",
     .type = &bg_type_number,
     .flags = BG_COMPUTED,
     .description = "Number of `findings` (`length(findings)`). Not named `count`: "
                    "Terraform reserves that name for the meta-argument.",
     .slot = BG_SLOT_INT(struct apis_ds, finding_count)},
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

/* The arguments into ds (fail_on_findings' default applied by the layer) and the scan
 * options they give. */
static int expand(struct apis_ds *ds, struct bg_scan_opts *o, struct bg_call *call,
                  const struct bg_value *config)
{
    struct bg_error err = BG_ERROR_INIT;

    if (repository_root(&o->root, call) != 0 ||
        bg_schema_expand(ds, call->diags, &schema.block, config) != 0)
        return BG_EINVAL;
    o->directory = ds->directory;
    if (bg_upgrade_version_parse(&o->target, ds->kubernetes_version, &err) != 0)
        return bg_upgrade_diag(call, "kubernetes_version", "Invalid version", &err);
    o->include = ds->include; /* NULL: the library's default globs */
    o->include_count = ds->include_count;
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
    struct bg_scan_opts o = BG_SCAN_OPTS_INIT;
    struct bg_scan_result *res;
    struct apis_ds ds = {0};
    bool fail;

    if (expand(&ds, &o, call, config) != 0 || scan(&res, call, &o) != 0)
        return BG_EINVAL;
    fail = ds.fail_on_findings;
    report_skipped(call, res, fail);
    if (fail && res->count > 0)
        fail_findings(call, res, ds.kubernetes_version);
    if (fail && (res->count > 0 || res->files_skipped + res->dirs_skipped > 0))
        return BG_EINVAL;
    if (!fail)
        warn_findings(call, res, ds.kubernetes_version);
    if (ds.include == NULL) { /* the globs used are returned (include is computed too) */
        ds.include = (const char **)bg_scan_default_include;
        ds.include_count = bg_scan_default_include_count;
    }
    ds.findings = res->findings;
    ds.finding_total = res->count;
    ds.skipped = res->skipped;
    ds.skipped_count = res->skipped_count;
    ds.finding_count = (int64_t)res->count;
    *state = bg_schema_flatten(call->arena, &schema.block, &ds, config);
    return 0;
}

const struct bg_data_source bg_deprecated_apis_data_source = {
    .type_name = "bluegreen_deprecated_apis",
    .schema = &schema,
    .validate = NULL,
    .read = apis_read,
};
