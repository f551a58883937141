/*
 * Unit tests for the upgrade planning data sources (src/resources/upgrade_path.c,
 * deprecated_apis.c, upgrade_sources.c): the hooks are called the way the protocol layer calls
 * them (defaults applied, one arena per call), and the state and diagnostics they return are
 * checked directly - the flattening and the diagnostic paths without terraform in the loop.
 */
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <ftw.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <criterion/criterion.h>

#include "bluegreen/provider.h"
#include "bluegreen/resource.h"

struct call_fixture {
    struct bg_arena *a;
    struct bg_diags diags;
    struct bg_logger log;
    struct bg_provider provider;
    struct bg_call call;
};

static struct call_fixture *call_new(const char *root)
{
    struct call_fixture *f = calloc(1, sizeof(*f));

    cr_assert_not_null(f);
    f->a = bg_arena_new();
    bg_diags_init(&f->diags, f->a);
    f->log.min_level = BG_LOG_OFF;
    f->log.fd = 2;
    f->provider.repository_root = (char *)root;
    f->call =
        (struct bg_call){f->a, &f->diags, root != NULL ? &f->provider : NULL, &f->log, NULL, NULL};
    return f;
}

static void call_free(struct call_fixture *f)
{
    bg_arena_free(f->a);
    free(f);
}

/* A configuration from "name", "json value" pairs, NULL terminated, with the data source's
 * defaults applied as the protocol layer does before read. */
static struct bg_value *config(struct call_fixture *f, const struct bg_data_source *ds, ...)
{
    struct bg_value *v = bg_value_map(f->a, 8);
    const char *name;
    va_list ap;

    va_start(ap, ds);
    while ((name = va_arg(ap, const char *)) != NULL) {
        const char *val = va_arg(ap, const char *);

        if (val[0] == '"')
            bg_value_put(f->a, v, name, bg_value_stringn(f->a, val + 1, strlen(val) - 2));
        else if (strcmp(val, "true") == 0 || strcmp(val, "false") == 0)
            bg_value_put(f->a, v, name, bg_value_bool(f->a, val[0] == 't'));
        else if (strcmp(val, "?") == 0)
            bg_value_put(f->a, v, name, bg_value_unknown(f->a));
        else
            bg_value_put(f->a, v, name, bg_value_int(f->a, atoll(val)));
    }
    va_end(ap);
    return bg_schema_apply_defaults(f->a, &ds->schema->block, v);
}

static const struct bg_data_source *path_ds(void)
{
    const struct bg_data_source *ds = bg_data_source_find("bluegreen_upgrade_path");

    cr_assert_not_null(ds);
    return ds;
}

static const struct bg_data_source *apis_ds(void)
{
    const struct bg_data_source *ds = bg_data_source_find("bluegreen_deprecated_apis");

    cr_assert_not_null(ds);
    return ds;
}

static const char *str(const struct bg_value *v, const char *key)
{
    return bg_value_as_string(bg_value_get(v, key));
}

static int64_t num(const struct bg_value *v, const char *key)
{
    int64_t n = -1;

    cr_assert_eq(bg_value_as_int(&n, bg_value_get(v, key)), 0, "%s is not a number", key);
    return n;
}

static size_t count_severity(const struct bg_diags *d, enum bg_severity sev)
{
    size_t n = 0;

    for (const struct bg_diag *g = d->head; g != NULL; g = g->next)
        n += g->severity == sev;
    return n;
}

static const struct bg_diag *first(const struct bg_diags *d, enum bg_severity sev)
{
    for (const struct bg_diag *g = d->head; g != NULL; g = g->next) {
        if (g->severity == sev)
            return g;
    }
    cr_assert_fail("no diagnostic of severity %d", (int)sev);
    return NULL;
}

static void expect_at(struct call_fixture *f, const struct bg_diag *g, const char *path)
{
    cr_expect_str_eq(bg_path_string(f->a, g->path), path, "diagnostic \"%s\" at %s", g->summary,
                     bg_path_string(f->a, g->path));
}

/* ---- bluegreen_upgrade_path ----------------------------------------------------------- */

static struct bg_value *reference(struct call_fixture *f)
{
    return config(f, path_ds(), "kubernetes_from", "\"1.15\"", "kubernetes_to", "\"1.18\"",
                  "istio_from", "\"1.4\"", "istio_to", "\"1.8\"", "clusters", "7", "as_of",
                  "\"2020-06-01\"", NULL);
}

Test(resources_upgrade_sources, flattens_the_reference_path_into_the_full_object)
{
    struct call_fixture *f = call_new(NULL);
    struct bg_value *state = NULL, *step, *support;

    cr_assert_eq(path_ds()->read(&f->call, reference(f), &state), 0);
    cr_assert_eq(f->diags.count, 0);
    cr_expect_eq(num(state, "step_count"), 7);
    cr_expect_eq(num(state, "total_upgrades"), 49);
    cr_expect_str_eq(str(state, "strategy"), "blue_green");
    cr_expect_str_eq(str(state, "istio_method"), "canary", "defaults are echoed");
    cr_expect_eq(num(state, "clusters"), 7);
    cr_assert_eq(bg_value_len(bg_value_get(state, "steps")), 7);
    step = bg_value_get(state, "steps")->u.arr.items[2];
    cr_expect_eq(bg_value_len(step), 4, "component, from, to, breaking_changes");
    cr_expect_str_eq(str(step, "component"), "kubernetes");
    cr_expect_str_eq(str(step, "from"), "1.15");
    cr_expect_str_eq(str(step, "to"), "1.16");
    cr_expect_eq(bg_value_len(bg_value_get(step, "breaking_changes")), 3);
    cr_expect_eq(bg_value_len(bg_value_get(state, "breaking_changes")), 7);
    cr_assert_eq(bg_value_len(bg_value_get(state, "support")), 4);
    support = bg_value_get(state, "support")->u.arr.items[0];
    cr_expect_eq(bg_value_len(support), 5, "every member present, even when null");
    cr_expect_str_eq(str(support, "version"), "1.15");
    cr_expect_str_eq(str(support, "end_of_standard_support"), "2021-05-03");
    cr_expect(bg_value_get(support, "end_of_extended_support") != NULL &&
              bg_value_is_null(bg_value_get(support, "end_of_extended_support")));
    cr_expect_str_eq(str(support, "standard_support"), "336 days remaining");
    cr_expect_str_eq(str(support, "extended_support"), "not offered");
    call_free(f);
}

Test(resources_upgrade_sources, returns_the_date_it_used_when_as_of_is_unset)
{
    struct call_fixture *f = call_new(NULL);
    struct bg_value *state = NULL;
    time_t now = time(NULL);
    char today[16];

    strftime(today, sizeof(today), "%Y-%m-%d", gmtime(&now));
    cr_assert_eq(path_ds()->read(&f->call,
                                 config(f, path_ds(), "kubernetes_from", "\"1.30\"",
                                        "kubernetes_to", "\"1.30\"", NULL),
                                 &state),
                 0);
    cr_expect_str_eq(str(state, "as_of"), today);
    cr_expect_eq(num(state, "step_count"), 0);
    cr_expect_str_eq(str(state, "strategy"), "in_place");
    call_free(f);
}

struct bad_path_case {
    const char *k_from, *k_to, *i_from, *i_to;
    const char *path, *detail;
};

static const struct bad_path_case bad_paths[] = {
    {"\"1.18\"", "\"1.16\"", NULL, NULL, "kubernetes_to",
     "kubernetes_to 1.16 is below kubernetes_from 1.18: EKS cannot downgrade."},
    {"\"1.18\"", "\"1.22\"", "\"1.8\"", "\"1.8\"", "istio_to",
     "Istio 1.8 supports Kubernetes 1.16 to 1.19, not 1.22 (Kubernetes 1.22 needs Istio 1.11 "
     "to 1.16)."},
    {"\"1.18\"", "\"1.19\"", "\"1.4\"", "\"1.8\"", "istio_from",
     "Istio 1.4 supports Kubernetes 1.13 to 1.15, not 1.18 (Kubernetes 1.18 needs Istio 1.6 "
     "to 1.11)."},
    {"\"1.15\"", "\"1.99\"", NULL, NULL, "kubernetes_to", "unknown Kubernetes version 1.99"},
    {"\"1.15\"", "\"1.16\"", "\"1.8\"", "\"1.2\"", "istio_to", "unknown Istio version 1.2"},
};

Test(resources_upgrade_sources, library_errors_become_errors_at_the_blamed_attribute)
{
    for (size_t i = 0; i < BG_COUNT(bad_paths); i++) {
        const struct bad_path_case *c = &bad_paths[i];
        struct call_fixture *f = call_new(NULL);
        struct bg_value *state = NULL;
        const struct bg_value *cfg =
            c->i_from == NULL
                ? config(f, path_ds(), "kubernetes_from", c->k_from, "kubernetes_to", c->k_to, NULL)
                : config(f, path_ds(), "kubernetes_from", c->k_from, "kubernetes_to", c->k_to,
                         "istio_from", c->i_from, "istio_to", c->i_to, NULL);

        cr_expect_neq(path_ds()->read(&f->call, cfg, &state), 0, "case %zu", i);
        cr_expect_null(state, "case %zu: no state on error", i);
        cr_assert_eq(f->diags.errors, 1, "case %zu", i);
        expect_at(f, first(&f->diags, BG_SEV_ERROR), c->path);
        cr_expect(strstr(first(&f->diags, BG_SEV_ERROR)->detail, c->detail) != NULL, "case %zu: %s",
                  i, first(&f->diags, BG_SEV_ERROR)->detail);
        call_free(f);
    }
}

Test(resources_upgrade_sources, warns_at_kubernetes_to_only_when_out_of_standard_support)
{
    static const char *const dates[] = {"\"2022-03-31\"", "\"2022-04-01\""};

    for (size_t i = 0; i < BG_COUNT(dates); i++) {
        struct call_fixture *f = call_new(NULL);
        struct bg_value *state = NULL;

        cr_assert_eq(path_ds()->read(&f->call,
                                     config(f, path_ds(), "kubernetes_from", "\"1.17\"",
                                            "kubernetes_to", "\"1.18\"", "as_of", dates[i], NULL),
                                     &state),
                     0);
        cr_expect_not_null(state, "a warning still returns the state");
        cr_expect_eq(count_severity(&f->diags, BG_SEV_WARNING), i, "as_of %s", dates[i]);
        if (i == 1) {
            expect_at(f, first(&f->diags, BG_SEV_WARNING), "kubernetes_to");
            cr_expect(strstr(first(&f->diags, BG_SEV_WARNING)->detail,
                             "Kubernetes 1.18 ended 2022-03-31 (as of 2022-04-01)") != NULL);
        }
        call_free(f);
    }
}

static void validate(struct call_fixture *f, const struct bg_data_source *ds,
                     const struct bg_value *cfg)
{
    bg_schema_validate(f->call.diags, &ds->schema->block, cfg);
    if (ds->validate != NULL)
        ds->validate(&f->call, cfg);
}

Test(resources_upgrade_sources, validate_runs_the_search_once_every_argument_is_known)
{
    struct call_fixture *f = call_new(NULL);

    validate(f, path_ds(),
             config(f, path_ds(), "kubernetes_from", "\"1.18\"", "kubernetes_to", "\"1.22\"",
                    "istio_from", "\"1.8\"", "istio_to", "\"1.8\"", NULL));
    cr_assert_eq(f->diags.errors, 1);
    expect_at(f, first(&f->diags, BG_SEV_ERROR), "istio_to");
    call_free(f);
    f = call_new(NULL);
    validate(f, path_ds(),
             config(f, path_ds(), "kubernetes_from", "\"1.18\"", "kubernetes_to", "\"1.22\"",
                    "istio_from", "\"1.8\"", "istio_to", "?", NULL));
    cr_expect_eq(f->diags.count, 0, "an unknown argument postpones the search to read");
    call_free(f);
}

Test(resources_upgrade_sources, validate_reports_a_bad_value_once)
{
    struct call_fixture *f = call_new(NULL);

    validate(
        f, path_ds(),
        config(f, path_ds(), "kubernetes_from", "\"1.15\"", "kubernetes_to", "\"1.99\"", NULL));
    cr_assert_eq(f->diags.count, 1, "the attribute validator, not the search again");
    expect_at(f, first(&f->diags, BG_SEV_ERROR), "kubernetes_to");
    cr_expect_str_eq(first(&f->diags, BG_SEV_ERROR)->summary, "Unknown Kubernetes version");
    call_free(f);
}

Test(resources_upgrade_sources, validate_points_at_the_lone_istio_version_even_if_unknown)
{
    struct call_fixture *f = call_new(NULL);

    validate(f, path_ds(),
             config(f, path_ds(), "kubernetes_from", "\"1.15\"", "kubernetes_to", "\"1.18\"",
                    "istio_to", "?", NULL));
    cr_assert_eq(f->diags.errors, 1);
    expect_at(f, first(&f->diags, BG_SEV_ERROR), "istio_to");
    call_free(f);
}

Test(resources_upgrade_sources, version_validator_checks_shape_and_table)
{
    static const struct {
        const char *attr, *value;
        size_t errors;
    } cases[] = {
        {"kubernetes_from", "\"1.15.3\"", 0}, {"kubernetes_from", "\"v1.15\"", 1},
        {"kubernetes_from", "\"1.\"", 1},     {"kubernetes_from", "\"1.9\"", 1},
        {"istio_from", "\"1.31\"", 0},        {"istio_from", "\"1.3\"", 1},
    };

    for (size_t i = 0; i < BG_COUNT(cases); i++) {
        struct call_fixture *f = call_new(NULL);
        const struct bg_value *cfg =
            strcmp(cases[i].attr, "istio_from") == 0
                ? config(f, path_ds(), "kubernetes_from", "?", "kubernetes_to", "?", "istio_from",
                         cases[i].value, "istio_to", "?", NULL)
                : config(f, path_ds(), cases[i].attr, cases[i].value, "kubernetes_to", "?", NULL);

        validate(f, path_ds(), cfg);
        cr_expect_eq(f->diags.errors, cases[i].errors, "%s = %s", cases[i].attr, cases[i].value);
        call_free(f);
    }
}

/* ---- bluegreen_deprecated_apis -------------------------------------------------------- */

struct repo {
    char root[PATH_MAX];
    char k8s[PATH_MAX + 8];
};

static void write_file(const char *dir, const char *name, const char *text)
{
    char path[PATH_MAX + 64];
    FILE *fp;

    snprintf(path, sizeof(path), "%s/%s", dir, name);
    fp = fopen(path, "w");
    cr_assert_not_null(fp, "%s", path);
    fputs(text, fp);
    fclose(fp);
}

/* A repository (".git" marks its root) with a k8s/ directory; realpath'd like the provider's
 * repository_root. */
static void repo_new(struct repo *r)
{
    char tmp[] = "/tmp/bg-upgrade-sources-XXXXXX";
    char git[PATH_MAX + 8];

    cr_assert_not_null(mkdtemp(tmp));
    cr_assert_not_null(realpath(tmp, r->root));
    snprintf(git, sizeof(git), "%s/.git", r->root);
    snprintf(r->k8s, sizeof(r->k8s), "%s/k8s", r->root);
    cr_assert_eq(mkdir(git, 0700), 0);
    cr_assert_eq(mkdir(r->k8s, 0700), 0);
}

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st;
    (void)flag;
    (void)ftw;
    return remove(path);
}

static void repo_free(struct repo *r)
{
    nftw(r->root, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
}

/* n Deployments of a removed API in one multi-document file: apiVersion on lines 1, 4, ... */
static void write_deployments(const char *dir, size_t n)
{
    char *text = calloc(n, 64);
    size_t len = 0;

    cr_assert_not_null(text);
    for (size_t i = 0; i < n; i++)
        len += (size_t)sprintf(text + len, "apiVersion: extensions/v1beta1\nkind: Deployment\n"
                                           "---\n");
    write_file(dir, "a.yaml", text);
    free(text);
}

static struct bg_value *apis_config(struct call_fixture *f, const char *directory, const char *fail)
{
    return config(f, apis_ds(), "directory", directory, "kubernetes_version", "\"1.25\"",
                  "fail_on_findings", fail, NULL);
}

static const char *quoted(struct call_fixture *f, const char *s)
{
    return bg_arena_printf(f->a, "\"%s\"", s);
}

Test(resources_upgrade_sources, flattens_findings_and_returns_the_default_include)
{
    struct repo r;
    struct call_fixture *f;
    struct bg_value *state = NULL, *finding;

    repo_new(&r);
    write_file(r.k8s, "a.yaml",
               "# apiVersion: apps/v1beta1\napiVersion: apps/v1beta1\n"
               "kind: Deployment\n");
    f = call_new(r.root);
    cr_assert_eq(apis_ds()->read(&f->call, apis_config(f, quoted(f, r.k8s), "false"), &state), 0);
    cr_expect_eq(num(state, "finding_count"), 1);
    cr_assert_eq(bg_value_len(bg_value_get(state, "findings")), 1);
    finding = bg_value_get(state, "findings")->u.arr.items[0];
    cr_expect_eq(bg_value_len(finding), 6);
    cr_expect_str_eq(str(finding, "file"), "k8s/a.yaml");
    cr_expect_eq(num(finding, "line"), 2);
    cr_expect_str_eq(str(finding, "api_version"), "apps/v1beta1");
    cr_expect_str_eq(str(finding, "kind"), "Deployment");
    cr_expect_str_eq(str(finding, "removed_in"), "1.16");
    cr_expect_str_eq(str(finding, "replacement"), "apps/v1");
    cr_expect_eq(bg_value_len(bg_value_get(state, "include")), 5);
    cr_expect(bg_value_get(state, "fail_on_findings")->kind == BG_BOOL);
    call_free(f);
    repo_free(&r);
}

Test(resources_upgrade_sources, fail_on_findings_gives_one_error_per_finding_up_to_a_cap)
{
    static const size_t sizes[] = {2, 120};
    static const size_t errors[] = {2, 101}; /* 100 findings and one that counts the rest */

    for (size_t i = 0; i < BG_COUNT(sizes); i++) {
        struct repo r;
        struct call_fixture *f;
        struct bg_value *state = NULL;

        repo_new(&r);
        write_deployments(r.k8s, sizes[i]);
        f = call_new(r.root);
        cr_expect_neq(apis_ds()->read(&f->call, apis_config(f, quoted(f, r.k8s), "true"), &state),
                      0);
        cr_expect_eq(f->diags.errors, errors[i], "%zu findings", sizes[i]);
        cr_expect_str_eq(first(&f->diags, BG_SEV_ERROR)->detail,
                         "k8s/a.yaml:1: extensions/v1beta1 Deployment is removed in Kubernetes "
                         "1.16; replacement: apps/v1.");
        cr_expect(strncmp(f->diags.head->next->detail, "k8s/a.yaml:4: ", 14) == 0, "%s",
                  f->diags.head->next->detail);
        expect_at(f, first(&f->diags, BG_SEV_ERROR), "directory");
        if (sizes[i] > 100)
            cr_expect(strstr(f->diags.tail->detail, "20 more finding(s)") != NULL, "%s",
                      f->diags.tail->detail);
        call_free(f);
        repo_free(&r);
    }
}

Test(resources_upgrade_sources, without_fail_on_findings_one_warning_names_the_first_ten)
{
    struct repo r;
    struct call_fixture *f;
    struct bg_value *state = NULL;
    const struct bg_diag *w;

    repo_new(&r);
    write_deployments(r.k8s, 12);
    f = call_new(r.root);
    cr_assert_eq(apis_ds()->read(&f->call, apis_config(f, quoted(f, r.k8s), "false"), &state), 0);
    cr_expect_eq(num(state, "finding_count"), 12);
    cr_assert_eq(f->diags.count, 1);
    w = first(&f->diags, BG_SEV_WARNING);
    cr_expect(strstr(w->detail, "\n  - k8s/a.yaml:28: ") != NULL, "%s", w->detail);
    cr_expect(strstr(w->detail, "k8s/a.yaml:31:") == NULL, "the eleventh is not listed");
    cr_expect(strstr(w->detail, "... and 2 more") != NULL, "%s", w->detail);
    call_free(f);
    repo_free(&r);
}

Test(resources_upgrade_sources, refuses_a_directory_outside_the_repository_root)
{
    struct repo r;
    struct call_fixture *f;
    struct bg_value *state = NULL;

    repo_new(&r);
    f = call_new(r.k8s); /* the root is k8s/, the directory its parent */
    cr_expect_neq(apis_ds()->read(&f->call, apis_config(f, quoted(f, r.root), "false"), &state), 0);
    cr_assert_eq(f->diags.errors, 1);
    expect_at(f, first(&f->diags, BG_SEV_ERROR), "directory");
    cr_expect_str_eq(first(&f->diags, BG_SEV_ERROR)->summary, "Invalid directory");
    call_free(f);
    repo_free(&r);
}

/* Before ConfigureProvider there is no repository_root: the nearest .git above the working
 * directory is the root, and the directory is relative to the working directory. Criterion
 * runs each test in its own process, so chdir does not leak into other tests. */
Test(resources_upgrade_sources, finds_the_root_from_the_working_directory_before_configure)
{
    struct repo r;
    struct call_fixture *f;
    struct bg_value *state = NULL;

    repo_new(&r);
    write_deployments(r.k8s, 1);
    cr_assert_eq(chdir(r.k8s), 0);
    f = call_new(NULL);
    cr_assert_eq(apis_ds()->read(&f->call, apis_config(f, "\".\"", "false"), &state), 0);
    cr_assert_eq(num(state, "finding_count"), 1);
    cr_expect_str_eq(str(bg_value_get(state, "findings")->u.arr.items[0], "file"), "k8s/a.yaml");
    call_free(f);
    repo_free(&r);
}

Test(resources_upgrade_sources, refuses_empty_include_patterns_at_validate_time)
{
    struct call_fixture *f = call_new(NULL);
    struct bg_value *cfg = apis_config(f, "\"k8s\"", "false");
    struct bg_value *include = bg_value_array(f->a, 2);

    bg_value_append(f->a, include, bg_value_string(f->a, "*.yaml"));
    bg_value_append(f->a, include, bg_value_string(f->a, ""));
    bg_value_put(f->a, cfg, "include", include);
    validate(f, apis_ds(), cfg);
    cr_assert_eq(f->diags.errors, 1);
    expect_at(f, first(&f->diags, BG_SEV_ERROR), "include[1]");
    call_free(f);
}
