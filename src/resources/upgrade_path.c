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

static const char *const methods[] = {"canary", "in_place", NULL};
static const int64_t clusters_range[2] = {1, 100000};
static const int64_t steps_range[2] = {0, 1000};

static const struct bg_validator k8s_validators[] = {
    {bg_upgrade_check_version, bg_upgrade_eks_minor}, {NULL, NULL}};
static const struct bg_validator istio_validators[] = {
    {bg_upgrade_check_version, bg_upgrade_istio_minor}, {NULL, NULL}};
static const struct bg_validator method_validators[] = {{bg_validate_one_of, methods},
                                                        {NULL, NULL}};
static const struct bg_validator clusters_validators[] = {{bg_validate_int_range, clusters_range},
                                                          {NULL, NULL}};
static const struct bg_validator steps_validators[] = {{bg_validate_int_range, steps_range},
                                                       {NULL, NULL}};
static const struct bg_validator date_validators[] = {{check_date, NULL}, {NULL, NULL}};

static const struct bg_field step_fields[] = {
    {"component", &bg_type_string},
    {"from", &bg_type_string},
    {"to", &bg_type_string},
    {"breaking_changes", &bg_type_list_string},
};
static const struct bg_type step_type = BG_TYPE_OBJECT_OF(step_fields);
static const struct bg_type steps_type = {BG_TYPE_LIST, &step_type, NULL, 0};

static const struct bg_field support_fields[] = {
    {"version", &bg_type_string},
    {"end_of_standard_support", &bg_type_string},
    {"end_of_extended_support", &bg_type_string},
    {"standard_support", &bg_type_string},
    {"extended_support", &bg_type_string},
};
static const struct bg_type support_type = BG_TYPE_OBJECT_OF(support_fields);
static const struct bg_type supports_type = {BG_TYPE_LIST, &support_type, NULL, 0};

static const struct bg_attr attrs[] = {
    {.name = "kubernetes_from",
     .type = &bg_type_string,
     .flags = BG_REQUIRED,
     .description = "Current EKS Kubernetes minor, e.g. `\"1.15\"` (`\"1.15.3\"` means its "
                    "minor).",
     .validators = k8s_validators},
    {.name = "kubernetes_to",
     .type = &bg_type_string,
     .flags = BG_REQUIRED,
     .description = "Target Kubernetes minor; not below `kubernetes_from`.",
     .validators = k8s_validators},
    {.name = "istio_from",
     .type = &bg_type_string,
     .flags = BG_OPTIONAL,
     .description = "Current Istio minor, e.g. `\"1.4\"`. Set together with `istio_to`, or "
                    "leave both unset for a Kubernetes-only path.",
     .validators = istio_validators},
    {.name = "istio_to",
     .type = &bg_type_string,
     .flags = BG_OPTIONAL,
     .description = "Target Istio minor; not below `istio_from`, and it must support "
                    "`kubernetes_to`.",
     .validators = istio_validators},
    {.name = "istio_method",
     .type = &bg_type_string,
     .flags = BG_OPTIONAL,
     .default_json = "\"canary\"",
     .description = "`\"canary\"` (default): Istio may skip one minor from 1.8 on (the 1.8 -> "
                    "1.10 direct upgrade); `\"in_place\"`: one minor per step.",
     .validators = method_validators},
    {.name = "clusters",
     .type = &bg_type_number,
     .flags = BG_OPTIONAL,
     .default_json = "1",
     .description = "Clusters upgraded the same way; `total_upgrades` is `step_count` x "
                    "`clusters`.",
     .validators = clusters_validators},
    {.name = "max_in_place_steps",
     .type = &bg_type_number,
     .flags = BG_OPTIONAL,
     .default_json = "2",
     .description = "The most sequential upgrades per cluster you accept doing in place; "
                    "a longer path makes `strategy` `\"blue_green\"`.",
     .validators = steps_validators},
    {.name = "as_of",
     .type = &bg_type_string,
     .flags = BG_OPTIONAL | BG_COMPUTED,
     .description = "Date `\"YYYY-MM-DD\"` the EKS support windows are measured from. Default: "
                    "today (UTC), and the date used is returned here. Set it to keep plans "
                    "reproducible.",
     .validators = date_validators},
    {.name = "steps",
     .type = &steps_type,
     .flags = BG_COMPUTED,
     .description = "A shortest valid sequence of in-place upgrades, in order: `component` "
                    "(`\"kubernetes\"` or `\"istio\"`), `from`, `to` and the "
                    "`breaking_changes` that step crosses."},
    {.name = "step_count",
     .type = &bg_type_number,
     .flags = BG_COMPUTED,
     .description = "Sequential upgrades per cluster (the length of `steps`)."},
    {.name = "total_upgrades",
     .type = &bg_type_number,
     .flags = BG_COMPUTED,
     .description = "`step_count` x `clusters`: the maintenance windows an in-place upgrade "
                    "of the whole fleet costs."},
    {.name = "breaking_changes",
     .type = &bg_type_list_string,
     .flags = BG_COMPUTED,
     .description = "Every breaking change the path crosses, in step order: API removals, "
                    "dockershim, PodSecurityPolicy, EBS CSI migration, istiod, Mixer, no "
                    "skip-level upgrade..."},
    {.name = "strategy",
     .type = &bg_type_string,
     .flags = BG_COMPUTED,
     .description = "`\"in_place\"` or `\"blue_green\"` (more steps than "
                    "`max_in_place_steps`, or a disruptive change on the path)."},
    {.name = "reason",
     .type = &bg_type_string,
     .flags = BG_COMPUTED,
     .description = "One sentence with the counts behind `strategy`, for the reviewer."},
    {.name = "support",
     .type = &supports_type,
     .flags = BG_COMPUTED,
     .description = "For each Kubernetes minor from `kubernetes_from` to `kubernetes_to`: "
                    "`version`, the EKS `end_of_standard_support` and "
                    "`end_of_extended_support` dates (extended is null when never offered), "
                    "and `standard_support` / `extended_support` relative to `as_of` "
                    "(`\"412 days remaining\"`, `\"ended 2022-03-31\"`, `\"not offered\"`)."},
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

static const char *string_arg(const struct bg_value *config, const char *name)
{
    return bg_value_as_string(bg_value_get(config, name));
}

/* Numbers were range-checked at validate time; the defaults make them non-null. */
static int expand(struct bg_upgrade_opts *o, struct bg_call *call, const struct bg_value *config)
{
    static const char *const numbers[] = {"clusters", "max_in_place_steps"};
    int64_t n[2];
    size_t i;

    for (i = 0; i < BG_COUNT(numbers); i++) {
        if (bg_value_as_int(&n[i], bg_value_get(config, numbers[i])) != 0) {
            bg_diag_error(call->diags, bg_path_attr(call->arena, NULL, numbers[i]),
                          "Invalid number", "%s must be a whole number.", numbers[i]);
            return BG_EINVAL;
        }
    }
    o->kubernetes_from = string_arg(config, "kubernetes_from");
    o->kubernetes_to = string_arg(config, "kubernetes_to");
    o->istio_from = string_arg(config, "istio_from");
    o->istio_to = string_arg(config, "istio_to");
    o->istio_method = string_arg(config, "istio_method");
    o->clusters = (long)n[0];
    o->max_in_place_steps = (long)n[1];
    o->as_of = string_arg(config, "as_of");
    if (o->as_of == NULL)
        o->as_of = today(call->arena);
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
static int check_istio_pair(struct bg_call *call, const struct bg_value *config)
{
    bool from = !bg_value_is_null(bg_value_get(config, "istio_from"));
    bool to = !bg_value_is_null(bg_value_get(config, "istio_to"));

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
    struct bg_upgrade_opts o = BG_UPGRADE_OPTS_INIT;
    struct bg_upgrade_path *p;
    const struct bg_value *full;

    if (check_istio_pair(call, config) != 0)
        return BG_EINVAL;
    /* The attribute validators already explained any bad value: do not repeat it. */
    if (bg_diags_has_errors(call->diags) || !bg_value_is_wholly_known(config))
        return 0;
    full = bg_schema_apply_defaults(call->arena, &schema.block, config);
    if (expand(&o, call, full) != 0)
        return BG_EINVAL;
    return find(&p, call, &o);
}

static struct bg_value *flatten_steps(struct bg_arena *a, const struct bg_upgrade_path *p)
{
    struct bg_value *list = bg_value_array(a, p->step_count);
    size_t i;

    for (i = 0; i < p->step_count; i++) {
        const struct bg_upgrade_step *st = &p->steps[i];
        struct bg_value *obj = bg_value_map(a, BG_COUNT(step_fields));

        bg_value_put(a, obj, "component", bg_value_string(a, st->component));
        bg_value_put(a, obj, "from", bg_value_string(a, st->from));
        bg_value_put(a, obj, "to", bg_value_string(a, st->to));
        bg_value_put(a, obj, "breaking_changes",
                     bg_upgrade_string_list(a, st->breaking_changes, st->breaking_change_count));
        bg_value_append(a, list, obj);
    }
    return list;
}

static struct bg_value *string_or_null(struct bg_arena *a, const char *s)
{
    return s != NULL ? bg_value_string(a, s) : bg_value_null(a);
}

static struct bg_value *flatten_support(struct bg_arena *a, const struct bg_upgrade_path *p)
{
    struct bg_value *list = bg_value_array(a, p->support_count);
    size_t i;

    for (i = 0; i < p->support_count; i++) {
        const struct bg_upgrade_support *s = &p->support[i];
        struct bg_value *obj = bg_value_map(a, BG_COUNT(support_fields));

        bg_value_put(a, obj, "version", bg_value_string(a, s->version));
        bg_value_put(a, obj, "end_of_standard_support",
                     string_or_null(a, s->end_of_standard_support));
        bg_value_put(a, obj, "end_of_extended_support",
                     string_or_null(a, s->end_of_extended_support));
        bg_value_put(a, obj, "standard_support", bg_value_string(a, s->standard));
        bg_value_put(a, obj, "extended_support", bg_value_string(a, s->extended));
        bg_value_append(a, list, obj);
    }
    return list;
}

static void flatten(struct bg_value *state, struct bg_arena *a, const struct bg_upgrade_path *p)
{
    bg_value_put(a, state, "steps", flatten_steps(a, p));
    bg_value_put(a, state, "step_count", bg_value_int(a, (int64_t)p->step_count));
    bg_value_put(a, state, "total_upgrades", bg_value_int(a, p->total_upgrades));
    bg_value_put(a, state, "breaking_changes",
                 bg_upgrade_string_list(a, p->breaking_changes, p->breaking_change_count));
    bg_value_put(a, state, "strategy", bg_value_string(a, p->strategy));
    bg_value_put(a, state, "reason", bg_value_string(a, p->reason));
    bg_value_put(a, state, "support", flatten_support(a, p));
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
    struct bg_upgrade_opts o = BG_UPGRADE_OPTS_INIT;
    struct bg_upgrade_path *p;

    if (check_istio_pair(call, config) != 0 || expand(&o, call, config) != 0 ||
        find(&p, call, &o) != 0)
        return BG_EINVAL;
    *state = bg_upgrade_state_from(call->arena, config);
    if (o.as_of != NULL)
        bg_value_put(call->arena, *state, "as_of", bg_value_string(call->arena, o.as_of));
    flatten(*state, call->arena, p);
    warn_support(call, p, &o);
    return 0;
}

const struct bg_data_source bg_upgrade_path_data_source = {
    .type_name = "bluegreen_upgrade_path",
    .schema = &schema,
    .validate = path_validate,
    .read = path_read,
};
