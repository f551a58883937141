/* Unit tests for the manifest scanner (src/upgrade/scan*.c). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <criterion/criterion.h>

#include "bluegreen/upgrade.h"

#define REPO BG_TEST_DATA "/upgrade/repo"

static struct bg_scan_result scan(struct bg_arena *a, enum bg_scan_format f, const char *text,
                                  int target)
{
    struct bg_scan_result r;

    memset(&r, 0, sizeof(r));
    bg_scan_buffer(&r, a, "test", f, text, strlen(text), target);
    return r;
}

/* One fixture per removal row, in each format, generated from the table itself. */
static const char *fixture(char *buf, size_t n, enum bg_scan_format f,
                           const struct bg_upgrade_removal *row)
{
    if (f == BG_SCAN_YAML)
        snprintf(buf, n, "apiVersion: %s\nkind: %s\nmetadata:\n  name: x\n", row->api_version,
                 row->kind);
    else if (f == BG_SCAN_JSON)
        snprintf(buf, n, "{\n  \"apiVersion\": \"%s\",\n  \"kind\": \"%s\"\n}\n", row->api_version,
                 row->kind);
    else
        snprintf(buf, n,
                 "resource \"kubernetes_manifest\" \"x\" {\n  manifest = {\n"
                 "    apiVersion = \"%s\"\n    kind = \"%s\"\n  }\n}\n",
                 row->api_version, row->kind);
    return buf;
}

static void check_row(const struct bg_upgrade_removal *row, enum bg_scan_format f, long line)
{
    struct bg_arena *a = bg_arena_new();
    char text[512];
    struct bg_scan_result r = scan(a, f, fixture(text, sizeof(text), f, row), row->removed_in);
    struct bg_scan_result before = scan(a, f, text, row->removed_in - 1);

    cr_assert_eq(r.count, 1, "%s %s format %d", row->api_version, row->kind, (int)f);
    cr_expect_eq(r.findings[0].line, line, "%s %s", row->api_version, row->kind);
    cr_expect_str_eq(r.findings[0].api_version, row->api_version);
    cr_expect_str_eq(r.findings[0].kind, row->kind);
    cr_expect_str_eq(r.findings[0].removed_in, row->removed_in_text);
    cr_expect_str_eq(r.findings[0].replacement, row->replacement);
    cr_expect_eq(before.count, 0, "%s %s is still served before %s", row->api_version, row->kind,
                 row->removed_in_text);
    bg_arena_free(a);
}

Test(upgrade_scan, finds_every_removal_row_at_its_version_and_not_before)
{
    size_t checked = 0;

    for (size_t i = 0; i < bg_upgrade_removal_count; i++) {
        const struct bg_upgrade_removal *row = &bg_upgrade_removal_table[i];

        if (row->removed_in == 0)
            continue;
        check_row(row, BG_SCAN_YAML, 1);
        check_row(row, BG_SCAN_JSON, 2);
        check_row(row, BG_SCAN_HCL, 3);
        checked++;
    }
    cr_expect_gt(checked, 80);
}

Test(upgrade_scan, never_reports_apis_without_a_removal_version)
{
    for (size_t i = 0; i < bg_upgrade_removal_count; i++) {
        const struct bg_upgrade_removal *row = &bg_upgrade_removal_table[i];
        struct bg_arena *a = bg_arena_new();
        char text[512];

        if (row->removed_in == 0) {
            fixture(text, sizeof(text), BG_SCAN_YAML, row);
            cr_expect_eq(scan(a, BG_SCAN_YAML, text, 99).count, 0, "%s", row->api_version);
        }
        bg_arena_free(a);
    }
}

struct text_case {
    const char *name;
    enum bg_scan_format format;
    const char *text;
    size_t count;
    long line; /* of the first finding */
};

static const struct text_case text_cases[] = {
    {"YAML comments are not findings", BG_SCAN_YAML,
     "# apiVersion: extensions/v1beta1\n# kind: Deployment\napiVersion: v1 # apps/v1beta1\n"
     "kind: Service\n",
     0, 0},
    {"kind may come before apiVersion", BG_SCAN_YAML,
     "kind: Deployment\nmetadata: {}\napiVersion: extensions/v1beta1\n", 1, 3},
    {"quoted values are read", BG_SCAN_YAML, "apiVersion: \"apps/v1beta2\"\nkind: 'DaemonSet'\n", 1,
     1},
    {"documents do not pair across ---", BG_SCAN_YAML,
     "apiVersion: apps/v1beta1\n---\nkind: Deployment\n", 0, 0},
    {"multi-document file reports each document", BG_SCAN_YAML,
     "apiVersion: apps/v1\nkind: Deployment\n---\napiVersion: batch/v1beta1\nkind: CronJob\n"
     "...\n---\napiVersion: policy/v1beta1\nkind: PodSecurityPolicy\n",
     2, 4},
    {"nested objects pair at their own indentation", BG_SCAN_YAML,
     "apiVersion: autoscaling/v2\nkind: HorizontalPodAutoscaler\nspec:\n  scaleTargetRef:\n"
     "    apiVersion: extensions/v1beta1\n    kind: Deployment\n",
     1, 5},
    {"a parent key does not pair with a child's", BG_SCAN_YAML,
     "apiVersion: extensions/v1beta1\nspec:\n  kind: Deployment\n", 0, 0},
    {"block scalars are text, not objects", BG_SCAN_YAML,
     "data:\n  x: |-\n    apiVersion: batch/v1beta1\n    kind: CronJob\nkind: ConfigMap\n", 0, 0},
    {"templated values are skipped, the rest is read", BG_SCAN_YAML,
     "{{- if .Values.x }}\napiVersion: {{ .Values.api }}\nkind: CronJob\n{{- end }}\n---\n"
     "apiVersion: batch/v1beta1\n{{- /* comment */}}\nkind: CronJob\n",
     1, 6},
    {"CRLF line endings", BG_SCAN_YAML, "apiVersion: batch/v1beta1\r\nkind: CronJob\r\n", 1, 1},
    {"JSON arrays of manifests", BG_SCAN_JSON,
     "[{\"apiVersion\": \"v1\", \"kind\": \"Pod\"},\n {\"kind\": \"CronJob\",\n"
     "  \"apiVersion\": \"batch/v1beta1\"}]",
     1, 3},
    {"JSON strings that look like keys do not shift lines", BG_SCAN_JSON,
     "{\"a\": \"apiVersion\",\n \"b\": \"x\\\"apiVersion\\\": \",\n"
     "\"apiVersion\": \"batch/v1beta1\",\n \"kind\": \"CronJob\"}",
     1, 3},
    {"invalid JSON falls back to the line scanner", BG_SCAN_JSON,
     "{\n  \"apiVersion\": \"batch/v1beta1\",\n  \"kind\": \"CronJob\",\n  {{ .extra }}\n}\n", 1,
     2},
    {"HCL comments are not findings", BG_SCAN_HCL,
     "# apiVersion = \"batch/v1beta1\"\n// kind = \"CronJob\"\n/* apiVersion = \"batch/v1beta1\"\n"
     "kind = \"CronJob\" */ x = 1\nurl = \"https://example.com\" // kind = \"CronJob\"\n",
     0, 0},
    {"HCL object with colons and quoted keys", BG_SCAN_HCL,
     "manifest = jsonencode({\n  \"apiVersion\": \"batch/v1beta1\",\n  \"kind\": \"CronJob\"\n"
     "})\n",
     1, 2},
    {"HCL interpolated kind is unreadable", BG_SCAN_HCL,
     "m = {\n  apiVersion = \"batch/v1beta1\"\n  kind = \"${var.kind}\"\n}\n", 0, 0},
    {"HCL sibling objects do not pair", BG_SCAN_HCL,
     "a = { apiVersion = \"batch/v1beta1\" }\nb = { kind = \"CronJob\" }\n", 0, 0},
    {"HCL heredoc YAML", BG_SCAN_HCL,
     "m = yamldecode(<<EOT\n# kind: Deployment\napiVersion: batch/v1beta1\nkind: CronJob\nEOT\n)\n"
     "kind = \"CronJob\"\n",
     1, 3},
    {"HCL one-line YAML string", BG_SCAN_HCL,
     "x = \"apiVersion: batch/v1beta1\\nkind: CronJob\\n\"\n", 1, 1},
};

Test(upgrade_scan, reads_each_format_as_documented)
{
    for (size_t i = 0; i < sizeof(text_cases) / sizeof(text_cases[0]); i++) {
        const struct text_case *c = &text_cases[i];
        struct bg_arena *a = bg_arena_new();
        struct bg_scan_result r = scan(a, c->format, c->text, 30);

        cr_expect_eq(r.count, c->count, "%s: %zu findings", c->name, r.count);
        if (r.count > 0 && c->count > 0)
            cr_expect_eq(r.findings[0].line, c->line, "%s: line %ld", c->name, r.findings[0].line);
        bg_arena_free(a);
    }
}

Test(upgrade_scan, stops_recording_at_max_findings)
{
    struct bg_arena *a = bg_arena_new();
    struct bg_scan_result r;
    const char *doc = "apiVersion: batch/v1beta1\nkind: CronJob\n---\n";
    char text[4096] = "";

    memset(&r, 0, sizeof(r));
    r.max_findings = 3;
    for (int i = 0; i < 10; i++)
        strcat(text, doc);
    bg_scan_buffer(&r, a, "f.yaml", BG_SCAN_YAML, text, strlen(text), 30);
    cr_expect_eq(r.count, 3);
    cr_expect(r.truncated);
    bg_arena_free(a);
}

struct want {
    const char *file;
    long line;
    const char *api_version, *kind;
};

static void expect_findings(const struct bg_scan_result *r, const struct want *w, size_t n)
{
    for (size_t i = 0; i < r->count && i < n; i++) {
        cr_expect_str_eq(r->findings[i].file, w[i].file, "#%zu", i);
        cr_expect_eq(r->findings[i].line, w[i].line, "#%zu %s", i, w[i].file);
        cr_expect_str_eq(r->findings[i].api_version, w[i].api_version, "#%zu", i);
        cr_expect_str_eq(r->findings[i].kind, w[i].kind, "#%zu", i);
    }
    cr_expect_eq(r->count, n, "%zu findings", r->count);
}

static struct bg_scan_result *scan_dir(struct bg_arena *a, const char *root, const char *dir,
                                       int target)
{
    struct bg_scan_opts o = BG_SCAN_OPTS_INIT;
    struct bg_scan_result *r = NULL;
    struct bg_error err = BG_ERROR_INIT;
    const char *attr = NULL;

    o.root = root;
    o.directory = dir;
    o.target = target;
    cr_assert_eq(bg_scan_directory(&r, a, &o, &attr, &err), 0, "%s", err.msg);
    return r;
}

Test(upgrade_scan, scans_a_repository_tree_in_name_order)
{
    static const struct want want[] = {
        {"manifests/app.yaml", 9, "extensions/v1beta1", "Ingress"},
        {"manifests/app.yaml", 25, "policy/v1beta1", "PodDisruptionBudget"},
        {"manifests/crd.json", 2, "apiextensions.k8s.io/v1beta1", "CustomResourceDefinition"},
        {"manifests/crd.json", 8, "networking.k8s.io/v1beta1", "Ingress"},
        {"manifests/main.tf", 8, "autoscaling/v2beta2", "HorizontalPodAutoscaler"},
        {"manifests/main.tf", 19, "batch/v1beta1", "CronJob"},
        {"manifests/main.tf", 28, "policy/v1beta1", "PodSecurityPolicy"},
        {"manifests/chart/templates/_helpers.tpl", 3, "policy/v1beta1", "PodDisruptionBudget"},
        {"manifests/chart/templates/deployment.yaml", 16, "batch/v1beta1", "CronJob"},
    };
    struct bg_arena *a = bg_arena_new();
    struct bg_scan_result *r = scan_dir(a, REPO, REPO "/manifests", 26);

    expect_findings(r, want, sizeof(want) / sizeof(want[0]));
    cr_expect_eq(r->files_scanned, 5, "README.md is not included by default");
    bg_arena_free(a);
}

Test(upgrade_scan, reports_only_what_is_removed_by_the_target)
{
    static const struct want want[] = {
        {"manifests/app.yaml", 9, "extensions/v1beta1", "Ingress"},
        {"manifests/crd.json", 2, "apiextensions.k8s.io/v1beta1", "CustomResourceDefinition"},
        {"manifests/crd.json", 8, "networking.k8s.io/v1beta1", "Ingress"},
    };
    struct bg_arena *a = bg_arena_new();
    struct bg_scan_result *r = scan_dir(a, REPO, REPO "/manifests", 22);

    expect_findings(r, want, sizeof(want) / sizeof(want[0]));
    bg_arena_free(a);
}

Test(upgrade_scan, include_globs_select_files)
{
    static const char *const only_json[] = {"*.json"};
    struct bg_scan_opts o = BG_SCAN_OPTS_INIT;
    struct bg_arena *a = bg_arena_new();
    struct bg_scan_result *r = NULL;
    const char *attr = NULL;

    o.root = REPO;
    o.directory = REPO;
    o.include = only_json;
    o.include_count = 1;
    o.target = 26;
    cr_assert_eq(bg_scan_directory(&r, a, &o, &attr, NULL), 0);
    cr_expect_eq(r->files_scanned, 1);
    cr_expect_eq(r->count, 2);
    bg_arena_free(a);
}

Test(upgrade_scan, glob_matching_follows_the_documented_rules)
{
    static const struct {
        const char *pattern, *path;
        bool match;
    } cases[] = {
        {"*.yaml", "a/b/c.yaml", true},
        {"*.yaml", "c.yml", false},
        {"k8s/*.yaml", "k8s/a.yaml", true},
        {"k8s/*.yaml", "k8s/x/a.yaml", false},
        {"k8s/**/*.yaml", "k8s/a.yaml", true},
        {"k8s/**/*.yaml", "k8s/x/y/a.yaml", true},
        {"**/templates/**/*.tpl", "chart/templates/_h.tpl", true},
        {"**/templates/**/*.tpl", "templates/sub/_h.tpl", true},
        {"**/templates/**/*.tpl", "chart/_h.tpl", false},
        {"?.tf", "a.tf", true},
        {"a?b", "a/b", false},
        {"**", "any/thing", true},
    };

    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
        cr_expect_eq(bg_scan_glob_match(cases[i].pattern, cases[i].path), cases[i].match,
                     "%s vs %s", cases[i].pattern, cases[i].path);
}

static void write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");

    cr_assert_not_null(f, "%s", path);
    fputs(text, f);
    fclose(f);
}

Test(upgrade_scan, does_not_follow_symlinks_that_leave_the_root)
{
    char tmp[] = "/tmp/bg-scan-XXXXXX", path[512], target[512];
    const char *cron = "apiVersion: batch/v1beta1\nkind: CronJob\n";
    struct bg_arena *a = bg_arena_new();
    struct bg_scan_result *r;

    cr_assert_not_null(mkdtemp(tmp));
    snprintf(path, sizeof(path), "%s/repo", tmp);
    mkdir(path, 0700);
    snprintf(path, sizeof(path), "%s/repo/k8s", tmp);
    mkdir(path, 0700);
    snprintf(path, sizeof(path), "%s/outside.yaml", tmp);
    write_file(path, cron);
    snprintf(path, sizeof(path), "%s/repo/inside.yaml", tmp);
    write_file(path, cron);
    snprintf(target, sizeof(target), "%s/outside.yaml", tmp);
    snprintf(path, sizeof(path), "%s/repo/k8s/escape.yaml", tmp);
    cr_assert_eq(symlink(target, path), 0);
    snprintf(path, sizeof(path), "%s/repo/k8s/link.yaml", tmp);
    cr_assert_eq(symlink("../inside.yaml", path), 0);
    snprintf(path, sizeof(path), "%s/repo/k8s/loop", tmp);
    cr_assert_eq(symlink("..", path), 0);
    snprintf(path, sizeof(path), "%s/repo", tmp);
    snprintf(target, sizeof(target), "%s/repo/k8s", tmp);
    r = scan_dir(a, path, target, 30);
    cr_assert_eq(r->count, 1);
    cr_expect_str_eq(r->findings[0].file, "k8s/link.yaml");
    cr_expect_eq(r->files_skipped, 1, "escape.yaml skipped");
    bg_arena_free(a);
    snprintf(path, sizeof(path), "rm -rf '%s'", tmp);
    cr_expect_eq(system(path), 0);
}

Test(upgrade_scan, refuses_a_directory_outside_the_root)
{
    struct bg_scan_opts o = BG_SCAN_OPTS_INIT;
    struct bg_arena *a = bg_arena_new();
    struct bg_scan_result *r = NULL;
    struct bg_error err = BG_ERROR_INIT;
    const char *attr = NULL;

    o.root = REPO "/manifests";
    o.directory = REPO "/manifests/..";
    cr_expect_eq(bg_scan_directory(&r, a, &o, &attr, &err), BG_EINVAL);
    cr_expect_str_eq(attr, "directory");
    cr_expect_not_null(strstr(err.msg, "outside the repository root"), "%s", err.msg);
    o.directory = REPO "/manifests/missing";
    cr_expect_eq(bg_scan_directory(&r, a, &o, &attr, &err), BG_ENOTFOUND);
    cr_expect_str_eq(attr, "directory");
    bg_arena_free(a);
}

Test(upgrade_scan, rejects_pathological_globs)
{
    static const char *const bad[] = {"*a*a*a*a*a*a*a*a*a*b"};
    struct bg_scan_opts o = BG_SCAN_OPTS_INIT;
    struct bg_arena *a = bg_arena_new();
    struct bg_scan_result *r = NULL;
    const char *attr = NULL;

    o.root = REPO;
    o.directory = REPO;
    o.include = bad;
    o.include_count = 1;
    cr_expect_eq(bg_scan_directory(&r, a, &o, &attr, NULL), BG_EINVAL);
    cr_expect_str_eq(attr, "include");
    bg_arena_free(a);
}

static const struct bg_scan_skip *skipped_entry(const struct bg_scan_result *r, const char *path)
{
    for (size_t i = 0; i < r->skipped_count; i++) {
        if (strcmp(r->skipped[i].path, path) == 0)
            return &r->skipped[i];
    }
    return NULL;
}

static void expect_reason(const struct bg_scan_result *r, const char *path, const char *reason,
                          bool directory)
{
    const struct bg_scan_skip *s = skipped_entry(r, path);

    cr_assert_not_null(s, "%s not in skipped", path);
    cr_expect_not_null(strstr(s->reason, reason), "%s: %s", path, s->reason);
    cr_expect_eq(s->directory, directory, "%s", path);
}

Test(upgrade_scan, names_every_file_and_folder_it_did_not_scan_with_the_reason)
{
    char tmp[] = "/tmp/bg-scan-XXXXXX", path[4096], *big;
    const char *ingress = "apiVersion: extensions/v1beta1\nkind: Ingress\n";
    struct bg_arena *a = bg_arena_new();
    struct bg_scan_result *r;
    size_t n = BG_SCAN_MAX_FILE_SIZE + 1, off;
    FILE *f;

    cr_assert_not_null(mkdtemp(tmp));
    snprintf(path, sizeof(path), "%s/ok.yaml", tmp);
    write_file(path, ingress);
    snprintf(path, sizeof(path), "%s/big.yaml", tmp);
    big = malloc(n);
    memset(big, '#', n);
    memcpy(big, ingress, strlen(ingress));
    f = fopen(path, "w");
    fwrite(big, 1, n, f);
    fclose(f);
    free(big);
    snprintf(path, sizeof(path), "%s/bin.json", tmp);
    f = fopen(path, "w");
    fwrite("{\"a\"\0:1}", 1, 8, f);
    fclose(f);
    snprintf(path, sizeof(path), "%s/caf\xe9.yaml", tmp);
    write_file(path, ingress);
    off = (size_t)snprintf(path, sizeof(path), "%s", tmp);
    for (int i = 0; i < BG_SCAN_MAX_DEPTH; i++) {
        off += (size_t)snprintf(path + off, sizeof(path) - off, "/d");
        mkdir(path, 0700);
    }
    snprintf(path + off, sizeof(path) - off, "/deep.yaml");
    write_file(path, ingress);
    r = scan_dir(a, tmp, tmp, 22);
    cr_expect_eq(r->count, 1, "only ok.yaml was read");
    cr_expect_eq(r->files_scanned, 1);
    cr_expect_eq(r->files_skipped, 3);
    cr_expect_eq(r->dirs_skipped, 1);
    cr_assert_eq(r->skipped_count, 4);
    expect_reason(r, "big.yaml", "larger than the 8 MiB limit", false);
    expect_reason(r, "bin.json", "cannot be decoded", false);
    expect_reason(r, "caf\\xe9.yaml", "not valid UTF-8", false);
    snprintf(path, sizeof(path), "d");
    for (int i = 1; i < BG_SCAN_MAX_DEPTH; i++)
        strcat(path, "/d");
    expect_reason(r, path, "deeper than 64 folder levels", true);
    bg_arena_free(a);
    snprintf(path, sizeof(path), "rm -rf '%s'", tmp);
    cr_expect_eq(system(path), 0);
}
