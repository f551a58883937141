/*
 * upgrade_path.c - data source bluegreen_upgrade_path: the shortest supported sequence of
 * in-place EKS + Istio upgrades, its cost across a fleet and the strategy it implies, computed
 * offline from the tables compiled into the provider (include/bluegreen/upgrade.h).
 *
 * Validation runs the whole search as soon as every argument is known, so a bad version or an
 * unsupported pair fails `terraform validate`, not only `terraform plan`.
 */
#include <string.h>
#include <time.h>

#include "bluegreen/upgrade.h"
#include "upgrade_sources.h"

static const char *const description =
    "Plans an EKS (+ Istio) upgrade offline: the shortest sequence of in-place upgrades that "
    "keeps every Kubernetes/Istio pair supported, the upgrades it costs across `clusters`, the "
    "breaking changes on the way, the EKS support calendar, and whether to upgrade in place or "
    "blue-green.";

static void check_date(struct bg_diags *d, const struct bg_path *path, const struct bg_value *v,
                       const void *arg);

static const int64_t clusters_range[2] = {1, 100000};
static const int64_t steps_range[2] = {0, 1000};

static const struct bg_validator k8s_validators[] = {
    {bg_upgrade_check_version, bg_upgrade_eks_minor,
     "A Kubernetes minor EKS has released, `\"1.<minor>\"` (a `.<patch>` suffix is accepted "
     "and means its minor)."},
    {NULL, NULL, NULL}};
static const struct bg_validator istio_validators[] = {
    {bg_upgrade_check_version, bg_upgrade_istio_minor,
     "An Istio minor of the support matrix, `\"1.<minor>\"` (a `.<patch>` suffix is accepted)."},
    {NULL, NULL, NULL}};
static const char *const methods[] = {"canary", "in_place", NULL};
static const struct bg_validator method_validators[] = {{bg_validate_one_of, methods, NULL},
                                                        {NULL, NULL, NULL}};
static const struct bg_validator clusters_validators[] = {
    {bg_validate_int_range, clusters_range, NULL}, {NULL, NULL, NULL}};
static const struct bg_validator steps_validators[] = {{bg_validate_int_range, steps_range, NULL},
                                                       {NULL, NULL, NULL}};
static const struct bg_validator date_validators[] = {
    {check_date, NULL, "A date `\"YYYY-MM-DD\"`."}, {NULL, NULL, NULL}};

/* The data source in C (the typed layer fills and reads it along the slots below): the
 * library's own option and result structs, plus the two numbers whose C types differ. */
struct path_ds {
    struct bg_upgrade_opts opts; /* the arguments but the two numbers */
    enum bg_presence istio_from_is, istio_to_is;
    int64_t clusters, max_in_place_steps;
    struct bg_upgrade_path result; /* steps, breaking changes, strategy, reason, support */
    int64_t step_count, total_upgrades;
};

static const struct bg_attr step_attrs[] = {
    {.name = "component",
     .type = &bg_type_string,
     .flags = BG_COMPUTED,
     .description = "`\"kubernetes\"` or `\"istio\"`.",
     .slot = BG_SLOT_STRING(struct bg_upgrade_step, component)},
    {.name = "from",
     .type = &bg_type_string,
     .flags = BG_COMPUTED,
     .description = "Version before the step, e.g. `\"1.15\"`.",
     .slot = BG_SLOT_STRING(struct bg_upgrade_step, from)},
    {.name = "to",
     .type = &bg_type_string,
     .flags = BG_COMPUTED,
     .description = "Version after the step.",
     .slot = BG_SLOT_STRING(struct bg_upgrade_step, to)},
    {.name = "breaking_changes",
     .type = &bg_type_list_string,
     .flags = BG_COMPUTED,
     .description = "What this step breaks, one sentence each.",
     .slot = BG_SLOT_STRINGS(struct bg_upgrade_step, breaking_changes, breaking_change_count)},
};

static const struct bg_attr support_attrs[] = {
    {.name = "version",
     .type = &bg_type_string,
     .flags = BG_COMPUTED,
     .description = "The Kubernetes minor, e.g. `\"1.16\"`.",
     .slot = BG_SLOT_STRING(struct bg_upgrade_support, version)},
    {.name = "end_of_standard_support",
     .type = &bg_type_string,
     .flags = BG_COMPUTED,
     .description = "Date EKS standard support ends (ended).",
     .slot = BG_SLOT_STRING(struct bg_upgrade_support, end_of_standard_support)},
    {.name = "end_of_extended_support",
     .type = &bg_type_string,
     .flags = BG_COMPUTED,
     .description = "Date EKS extended support ends (ended); null for versions that never had "
                    "it (before 1.21).",
     .slot = BG_SLOT_STRING(struct bg_upgrade_support, end_of_extended_support)},
    {.name = "standard_support",
     .type = &bg_type_string,
     .flags = BG_COMPUTED,
     .description = "Standard support relative to `as_of`: `\"412 days remaining\"` or "
                    "`\"ended 2022-03-31\"`.",
     .slot = BG_SLOT_STRING(struct bg_upgrade_support, standard)},
    {.name = "extended_support",
     .type = &bg_type_string,
     .flags = BG_COMPUTED,
     .description = "Extended support relative to `as_of`, or `\"not offered\"`.",
     .slot = BG_SLOT_STRING(struct bg_upgrade_support, extended)},
};

static const struct bg_attr attrs[] = {
    {.name = "kubernetes_from",
     .type = &bg_type_string,
     .flags = BG_REQUIRED,
     .description = "Current EKS Kubernetes minor, e.g. `\"1.15\"`.",
     .validators = k8s_validators,
     .slot = BG_SLOT_STRING(struct path_ds, opts.kubernetes_from)},
    {.name = "kubernetes_to",
     .type = &bg_type_string,
     .flags = BG_REQUIRED,
     .description = "Target Kubernetes minor; not below `kubernetes_from`.",
     .validators = k8s_validators,
     .slot = BG_SLOT_STRING(struct path_ds, opts.kubernetes_to)},
    {.name = "istio_from",
     .type = &bg_type_string,
     .flags = BG_OPTIONAL,
     .description = "Current Istio minor, e.g. `\"1.4\"`. Set together with `istio_to`, or "
                    "leave both unset for a Kubernetes-only path.",
     .validators = istio_validators,
     .slot = BG_SLOT_STRING(struct path_ds, opts.istio_from),
     .presence = BG_PRESENCE(struct path_ds, istio_from_is)},
    {.name = "istio_to",
     .type = &bg_type_string,
     .flags = BG_OPTIONAL,
     .description = "Target Istio minor; not below `istio_from`, and it must support "
                    "`kubernetes_to`.",
     .validators = istio_validators,
     .slot = BG_SLOT_STRING(struct path_ds, opts.istio_to),
     .presence = BG_PRESENCE(struct path_ds, istio_to_is)},
    {.name = "istio_method",
     .type = &bg_type_string,
     .flags = BG_OPTIONAL,
     .default_json = "\"canary\"",
     .description = "How far Istio moves in one step: `\"canary\"` may skip one minor from 1.8 "
                    "on (the 1.8 -> 1.10 direct upgrade); `\"in_place\"` moves one minor per "
                    "step.",
     .validators = method_validators,
     .slot = BG_SLOT_STRING(struct path_ds, opts.istio_method)},
    {.name = "clusters",
     .type = &bg_type_number,
     .flags = BG_OPTIONAL,
     .default_json = "1",
     .description = "Clusters upgraded the same way; `total_upgrades` is `step_count` x "
                    "`clusters`.",
     .validators = clusters_validators,
     .slot = BG_SLOT_INT(struct path_ds, clusters)},
    {.name = "max_in_place_steps",
     .type = &bg_type_number,
     .flags = BG_OPTIONAL,
     .default_json = "2",
     .description = "The most sequential upgrades per cluster you accept doing in place; "
                    "a longer path makes `strategy` `\"blue_green\"`.",
     .validators = steps_validators,
     .slot = BG_SLOT_INT(struct path_ds, max_in_place_steps)},
    {.name = "as_of",
     .type = &bg_type_string,
     .flags = BG_OPTIONAL | BG_COMPUTED,
     .description = "Date the EKS support windows are measured from. When unset: today (UTC), "
                    "and the date used is returned here. Set it to keep plans reproducible.",
     .validators = date_validators,
     .slot = BG_SLOT_STRING(struct path_ds, opts.as_of)},
    {.name = "steps",
     .flags = BG_COMPUTED,
     .nesting = BG_NEST_LIST,
     .nested = step_attrs,
     .nnested = BG_COUNT(step_attrs),
     .description = "A shortest valid sequence of in-place upgrades, in order.",
     .slot = BG_SLOT_OBJECTS(struct path_ds, result.steps, result.step_count)},
    {.name = "step_count",
     .type = &bg_type_number,
     .flags = BG_COMPUTED,
     .description = "Sequential upgrades per cluster (the length of `steps`).",
     .slot = BG_SLOT_INT(struct path_ds, step_count)},
    {.name = "total_upgrades",
     .type = &bg_type_number,
     .flags = BG_COMPUTED,
     .description = "`step_count` x `clusters`: the maintenance windows an in-place upgrade "
                    "of the whole fleet costs.",
     .slot = BG_SLOT_INT(struct path_ds, total_upgrades)},
    {.name = "breaking_changes",
     .type = &bg_type_list_string,
     .flags = BG_COMPUTED,
     .description = "Every breaking change the path crosses, in step order: beta/alpha API "
                    "removals (one sentence per removed apiVersion, naming the kinds and their "
                    "replacement), dockershim removal (1.24), PodSecurityPolicy removal (1.25), "
                    "EBS CSI migration (EKS 1.23), the istiod monolith (Istio 1.5), Helm "
                    "installer removal and no skip-level upgrade (Istio 1.6), Mixer removal "
                    "(Istio 1.8).",
     .slot =
         BG_SLOT_STRINGS(struct path_ds, result.breaking_changes, result.breaking_change_count)},
    {.name = "strategy",
     .type = &bg_type_string,
     .flags = BG_COMPUTED,
     .description = "`\"in_place\"` or `\"blue_green\"` (more steps than "
                    "`max_in_place_steps`, or a disruptive change on the path).",
     .slot = BG_SLOT_STRING(struct path_ds, result.strategy)},
    {.name = "reason",
     .type = &bg_type_string,
     .flags = BG_COMPUTED,
     .description = "One sentence with the counts behind `strategy`, for the reviewer.",
     .slot = BG_SLOT_STRING(struct path_ds, result.reason)},
    {.name = "support",
     .flags = BG_COMPUTED,
     .nesting = BG_NEST_LIST,
     .nested = support_attrs,
     .nnested = BG_COUNT(support_attrs),
     .description = "The EKS support calendar of each Kubernetes minor from `kubernetes_from` "
                    "to `kubernetes_to`.",
     .slot = BG_SLOT_OBJECTS(struct path_ds, result.support, result.support_count)},
};

static const struct bg_schema schema = {
    .version = 0,
    .block = {.description = description, .attrs = attrs, .nattrs = BG_COUNT(attrs)},
};

static void check_date(struct bg_diags *d, const struct bg_path *path, const struct bg_value *v,
                       const void *arg)
{
    struct bg_error err = BG_ERROR_INIT;
    long days;

    (void)arg;
    if (bg_upgrade_date_parse(&days, bg_value_as_string(v), &err) != 0)
        bg_diag_error(d, path, "Invalid date", "%s.", err.msg);
}

/* "YYYY-MM-DD" of today in UTC, the default for as_of: computed here rather than left to the
 * library so that the state shows the date the support windows were measured from. */
static const char *today(struct bg_arena *a)
{
    time_t now = time(NULL);
    struct tm tm;
    char buf[16];

    if (gmtime_r(&now, &tm) == NULL || strftime(buf, sizeof(buf), "%Y-%m-%d", &tm) == 0)
        return NULL; /* the library falls back to its own clock */
    return bg_arena_strdup(a, buf);
}

/* The arguments into ds->opts (defaults applied by the layer); as_of defaults to today. */
static int expand(struct path_ds *ds, struct bg_diags *d, struct bg_arena *a,
                  const struct bg_value *config)
{
    if (bg_schema_expand(ds, d, &schema.block, config) != 0)
        return BG_EINVAL;
    ds->opts.clusters = (long)ds->clusters; /* range-checked by the validators */
    ds->opts.max_in_place_steps = (long)ds->max_in_place_steps;
    if (ds->opts.as_of == NULL)
        ds->opts.as_of = today(a);
    return 0;
}

static int find(struct bg_upgrade_path **out, struct bg_call *call, const struct bg_upgrade_opts *o)
{
    struct bg_error err = BG_ERROR_INIT;
    const char *attribute = NULL;

    if (bg_upgrade_path_find(out, call->arena, o, &attribute, &err) == 0)
        return 0;
    return bg_upgrade_diag(
        call, attribute,
        err.code == BG_ENOTFOUND ? "No supported upgrade path" : "Cannot plan the upgrade", &err);
}

/* One istio_* without the other: caught here even when the set one is unknown. The
 * diagnostic points at the one that is set: the missing one has no line to show. */
static int check_istio_pair(struct bg_call *call, const struct path_ds *ds)
{
    bool from = ds->istio_from_is != BG_PRESENCE_NULL, to = ds->istio_to_is != BG_PRESENCE_NULL;

    if (from == to)
        return 0;
    bg_diag_error(call->diags, bg_path_attr(call->arena, NULL, from ? "istio_from" : "istio_to"),
                  "istio_from and istio_to must be set together",
                  "%s is set but %s is not: set both for an upgrade that includes Istio, or "
                  "neither for a Kubernetes-only path.",
                  from ? "istio_from" : "istio_to", from ? "istio_to" : "istio_from");
    return BG_EINVAL;
}

static int path_validate(struct bg_call *call, const struct bg_value *config)
{
    struct path_ds ds = {0};
    struct bg_upgrade_path *p;
    struct bg_diags quiet;
    int rc;

    /* The attribute validators already explain any bad value: expand without repeating it. */
    bg_diags_init(&quiet, call->arena);
    rc = expand(&ds, &quiet, call->arena, config);
    if (check_istio_pair(call, &ds) != 0)
        return BG_EINVAL;
    if (rc != 0 || bg_diags_has_errors(call->diags) || !bg_value_is_wholly_known(config))
        return 0;
    return find(&p, call, &ds.opts);
}

/* Planning an upgrade onto a version EKS already stopped supporting is legal (extended
 * support, or a plan for an old fleet) but rarely intended: warn, do not fail. */
static void warn_support(struct bg_call *call, const struct bg_upgrade_path *p,
                         const struct bg_upgrade_opts *o)
{
    const struct bg_upgrade_support *s = &p->support[p->support_count - 1];

    if (!p->target_out_of_standard_support)
        return;
    bg_diag_warn(call->diags, bg_path_attr(call->arena, NULL, "kubernetes_to"),
                 "Target version is out of EKS standard support",
                 "EKS standard support for Kubernetes %s %s (as of %s); extended support: %s. "
                 "Consider a newer kubernetes_to.",
                 s->version, s->standard, o->as_of != NULL ? o->as_of : "today", s->extended);
}

static int path_read(struct bg_call *call, const struct bg_value *config, struct bg_value **state)
{
    struct path_ds ds = {0};
    struct bg_upgrade_path *p;

    if (expand(&ds, call->diags, call->arena, config) != 0 || check_istio_pair(call, &ds) != 0 ||
        find(&p, call, &ds.opts) != 0)
        return BG_EINVAL;
    ds.result = *p;
    ds.step_count = (int64_t)p->step_count;
    ds.total_upgrades = p->total_upgrades;
    /* Arguments come back from config; as_of and the results from ds. */
    *state = bg_schema_flatten(call->arena, &schema.block, &ds, config);
    warn_support(call, p, &ds.opts);
    return 0;
}

const struct bg_data_source bg_upgrade_path_data_source = {
    .type_name = "bluegreen_upgrade_path",
    .schema = &schema,
    .validate = path_validate,
    .read = path_read,
};
