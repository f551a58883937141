/*
 * traffic_shift.c - resource bluegreen_traffic_shift: schema table, validators and import.
 * The lifecycle hooks live in traffic_shift_ops.c, the walk executor in traffic_shift_walk.c.
 *
 * Moves an ALB target group from the old cluster's ingress targets (from_targets) to the new
 * cluster's (to_targets) one health-gated step at a time. AWS membership is the only record
 * of progress, so any interrupted walk continues from what AWS reports.
 */
#include <ctype.h>
#include <stdint.h>
#include <string.h>

#include "alarms.h"
#include "shift_args.h"
#include "traffic_shift.h"

static const char *const description =
    "Moves an ALB target group from one cluster's ingress targets to another's, one target at "
    "a time: each new target must be healthy before an old one leaves, draining is awaited, "
    "and a soak period follows each step. The plan shows the walk; an interrupted walk "
    "continues from the target group's real membership; drift is shown and repaired.";

static void check_arn(struct bg_diags *d, const struct bg_path *path, const struct bg_value *v,
                      const void *arg);
static void check_unique_targets(struct bg_diags *d, const struct bg_path *path,
                                 const struct bg_value *v, const void *arg);

static const size_t non_empty[2] = {1, SIZE_MAX};
static const int64_t percent_range[2] = {0, 100};
static const int64_t port_range[2] = {1, 65535};
static const int64_t batch_range[2] = {1, 1000};

static const struct bg_validator arn_v[] = {
    {check_arn, NULL,
     "A target group ARN: "
     "`arn:<partition>:elasticloadbalancing:<region>:<account>:targetgroup/<name>/<id>`."},
    {NULL, NULL, NULL}};
static const struct bg_validator set_v[] = {
    {bg_validate_length, non_empty, NULL},
    {check_unique_targets, NULL, "No target twice (a missing port matches any port)."},
    {NULL, NULL, NULL}};
static const struct bg_validator from_v[] = {
    {check_unique_targets, NULL, "No target twice (a missing port matches any port)."},
    {NULL, NULL, NULL}};
static const struct bg_validator id_v[] = {{bg_validate_not_empty, NULL, NULL}, {NULL, NULL, NULL}};
static const struct bg_validator port_v[] = {{bg_validate_int_range, port_range, NULL},
                                             {NULL, NULL, NULL}};
static const struct bg_validator percent_v[] = {{bg_validate_int_range, percent_range, NULL},
                                                {NULL, NULL, NULL}};
static const struct bg_validator batch_v[] = {{bg_validate_int_range, batch_range, NULL},
                                              {NULL, NULL, NULL}};

static const char *const actions[] = {"register", "deregister", NULL}; /* bg_walk_action */
static const struct bg_validator action_v[] = {{bg_validate_one_of, actions, NULL},
                                               {NULL, NULL, NULL}};

static const struct bg_attr target_attrs[] = {
    {.name = "id",
     .type = &bg_type_string,
     .flags = BG_REQUIRED,
     .validators = id_v,
     .description = "Target ID: an instance ID, an IP address or a Lambda ARN, as the target "
                    "group's target type requires.",
     .slot = BG_SLOT_STRING(struct bg_shift_target_arg, id)},
    {.name = "port",
     .type = &bg_type_number,
     .flags = BG_OPTIONAL,
     .validators = port_v,
     .description = "Target port; omitted: the target group's port.",
     .slot = BG_SLOT_INT(struct bg_shift_target_arg, port),
     .presence = BG_PRESENCE(struct bg_shift_target_arg, port_is)},
};

static const struct bg_block target_block = {NULL, target_attrs, BG_COUNT(target_attrs), NULL, 0};

/* `steps` and `members` are list/set(object) types rather than nested attributes, so that
 * terraform shows a changed walk as steps added and removed (schema.h, the typed layer);
 * these name the objects' fields, in the types' order, for the slots. */
static const struct bg_attr step_attrs[] = {
    {.name = "action",
     .type = &bg_type_string,
     .flags = BG_COMPUTED,
     .validators = action_v,
     .slot = BG_SLOT_ENUM(struct bg_shift_step_attr, action)},
    {.name = "target",
     .type = &bg_type_string,
     .flags = BG_COMPUTED,
     .slot = BG_SLOT_STRING(struct bg_shift_step_attr, target)},
    {.name = "percent",
     .type = &bg_type_number,
     .flags = BG_COMPUTED,
     .slot = BG_SLOT_INT(struct bg_shift_step_attr, percent)},
};
static const struct bg_field step_fields[] = {
    {"action", &bg_type_string}, {"target", &bg_type_string}, {"percent", &bg_type_number}};
static const struct bg_type step_type = BG_TYPE_OBJECT_OF(step_fields);
static const struct bg_type steps_type = {BG_TYPE_LIST, &step_type, NULL, 0};

static const struct bg_attr member_attrs[] = {
    {.name = "id",
     .type = &bg_type_string,
     .flags = BG_COMPUTED,
     .slot = BG_SLOT_STRING(struct bg_shift_member_attr, id)},
    {.name = "port",
     .type = &bg_type_number,
     .flags = BG_COMPUTED,
     .slot = BG_SLOT_INT(struct bg_shift_member_attr, port),
     .presence = BG_PRESENCE(struct bg_shift_member_attr, port_is)},
    {.name = "state",
     .type = &bg_type_string,
     .flags = BG_COMPUTED,
     .slot = BG_SLOT_STRING(struct bg_shift_member_attr, state)},
};
static const struct bg_field member_fields[] = {
    {"id", &bg_type_string}, {"port", &bg_type_number}, {"state", &bg_type_string}};
static const struct bg_type member_type = BG_TYPE_OBJECT_OF(member_fields);
static const struct bg_type members_type = {BG_TYPE_SET, &member_type, NULL, 0};

static const struct bg_attr attrs[] = {
    {.name = "id",
     .type = &bg_type_string,
     .flags = BG_COMPUTED | BG_USE_STATE,
     .description = "The target group ARN, also the import ID.",
     .slot = BG_SLOT_STRING(struct bg_shift_cfg, id),
     .presence = BG_PRESENCE(struct bg_shift_cfg, id_is)},
    {.name = "target_group_arn",
     .type = &bg_type_string,
     .flags = BG_REQUIRED | BG_FORCE_NEW,
     .validators = arn_v,
     .description = "ARN of the ALB target group whose membership is shifted.",
     .slot = BG_SLOT_STRING(struct bg_shift_cfg, arn)},
    {.name = "from_targets",
     .flags = BG_REQUIRED,
     .nesting = BG_NEST_SET,
     .nested = target_attrs,
     .nnested = BG_COUNT(target_attrs),
     .validators = from_v,
     .description = "The old cluster's ingress targets; they leave the group. May be empty "
                    "(`[]`): the walk then only registers `to_targets` (an imported shift "
                    "starts so).",
     .slot = BG_SLOT_OBJECTS(struct bg_shift_cfg, from_targets, n_from),
     .presence = BG_PRESENCE(struct bg_shift_cfg, from_targets_is)},
    {.name = "to_targets",
     .flags = BG_REQUIRED,
     .nesting = BG_NEST_SET,
     .nested = target_attrs,
     .nnested = BG_COUNT(target_attrs),
     .validators = set_v,
     .description = "The new cluster's ingress targets; they join the group. Disjoint from "
                    "`from_targets`.",
     .slot = BG_SLOT_OBJECTS(struct bg_shift_cfg, to_targets, n_to)},
    {.name = "percent",
     .type = &bg_type_number,
     .flags = BG_OPTIONAL,
     .default_json = "100",
     .validators = percent_v,
     .description = "Share of the registered managed targets that must be `to_targets` when "
                    "the apply ends; the walk stops at the first state at or above it.",
     .slot = BG_SLOT_INT(struct bg_shift_cfg, percent)},
    {.name = "soak_seconds",
     .type = &bg_type_number,
     .flags = BG_OPTIONAL,
     .default_json = "300",
     .validators = bg_shift_args__soak_v,
     .description = "Pause after each step before the next one.",
     .slot = BG_SLOT_INT(struct bg_shift_cfg, soak_s)},
    {.name = "health_timeout_seconds",
     .type = &bg_type_number,
     .flags = BG_OPTIONAL,
     .default_json = "600",
     .validators = bg_shift_args__timeout_v,
     .description = "How long a new target may stay `initial` or `unhealthy` (and a leaving "
                    "target `draining`) before the step fails.",
     .slot = BG_SLOT_INT(struct bg_shift_cfg, health_timeout_s)},
    {.name = "poll_interval_seconds",
     .type = &bg_type_number,
     .flags = BG_OPTIONAL,
     .default_json = "5",
     .validators = bg_shift_args__poll_v,
     .description = "Interval between DescribeTargetHealth calls while waiting.",
     .slot = BG_SLOT_INT(struct bg_shift_cfg, poll_s)},
    {.name = "wait_for_draining",
     .type = &bg_type_bool,
     .flags = BG_OPTIONAL,
     .default_json = "true",
     .description = "Wait for a deregistered target to finish draining before going on.",
     .slot = BG_SLOT_BOOL(struct bg_shift_cfg, wait_for_draining)},
    {.name = "on_failure",
     .type = &bg_type_string,
     .flags = BG_OPTIONAL,
     .default_json = "\"rollback_step\"",
     .validators = bg_shift_args__failure_v,
     .description = "When a step fails: `rollback_step` deregisters the failed target and "
                    "re-registers the old target removed just before it, `rollback_all` walks "
                    "back to the membership before this apply, `halt` stops where it is. The "
                    "apply fails in every case.",
     .slot = BG_SLOT_ENUM(struct bg_shift_cfg, on_failure)},
    {.name = "on_destroy",
     .type = &bg_type_string,
     .flags = BG_OPTIONAL,
     .default_json = "\"keep\"",
     .validators = bg_shift_args__destroy_v,
     .description = "`keep` forgets the resource and leaves the membership; `restore` walks "
                    "back to `from_targets` only, through the same health gates.",
     .slot = BG_SLOT_ENUM(struct bg_shift_cfg, on_destroy)},
    {.name = "exclusive",
     .type = &bg_type_bool,
     .flags = BG_OPTIONAL,
     .default_json = "false",
     .description = "Deregister targets that are in neither set at the end of the walk. When "
                    "false they are left alone and named in a warning.",
     .slot = BG_SLOT_BOOL(struct bg_shift_cfg, exclusive)},
    {.name = "batch_size",
     .type = &bg_type_number,
     .flags = BG_OPTIONAL,
     .default_json = "1",
     .validators = batch_v,
     .description = "Targets per step: each batch registers up to this many new targets in one "
                    "RegisterTargets call (chunks of 200 targets), waits until all are healthy, "
                    "then deregisters up to as many old ones in one DeregisterTargets call; with "
                    "more than 1 the healthy count never drops below the one the walk started "
                    "with.",
     .slot = BG_SLOT_INT(struct bg_shift_cfg, batch_size)},
    {.name = "alarm_names",
     .type = &bg_type_set_string,
     .flags = BG_OPTIONAL,
     .validators = bg_shift_args__alarms_v,
     .description = "CloudWatch metric or composite alarms checked before each step and every "
                    "`poll_interval_seconds` of each soak: any in `ALARM` fails the step "
                    "(`on_failure` applies). Each must exist.",
     .slot = BG_SLOT_STRINGS(struct bg_shift_cfg, alarm_names, n_alarms)},
    {.name = "steps",
     .type = &steps_type,
     .flags = BG_COMPUTED,
     .nested = step_attrs,
     .nnested = BG_COUNT(step_attrs),
     .description = "The walk: in a plan, the steps the apply will take, computed from the "
                    "refreshed membership; in state, the walk the last apply took. Each is "
                    "`{ action = \"register\" | \"deregister\", target, percent }` (`percent`: "
                    "the share of `to_targets` after the step).",
     .slot = BG_SLOT_OBJECTS(struct bg_shift_cfg, steps, n_steps),
     .presence = BG_PRESENCE(struct bg_shift_cfg, steps_is)},
    {.name = "members",
     .type = &members_type,
     .flags = BG_COMPUTED,
     .nested = member_attrs,
     .nnested = BG_COUNT(member_attrs),
     .description = "The target group's membership from DescribeTargetHealth: "
                    "`{ id, port, state }` (`port` null when AWS reports none).",
     .slot = BG_SLOT_OBJECTS(struct bg_shift_cfg, members, n_members),
     .presence = BG_PRESENCE(struct bg_shift_cfg, members_is)},
    {.name = "current_percent",
     .type = &bg_type_number,
     .flags = BG_COMPUTED,
     .description = "Share of the registered managed targets that are `to_targets` now.",
     .slot = BG_SLOT_INT(struct bg_shift_cfg, current_percent),
     .presence = BG_PRESENCE(struct bg_shift_cfg, current_percent_is)},
    {.name = "estimated_duration_seconds",
     .type = &bg_type_number,
     .flags = BG_COMPUTED,
     .description = "Seconds the planned walk waits by design: `soak_seconds` between "
                    "consecutive steps plus, with `wait_for_draining`, the target group's "
                    "deregistration delay for each deregister (draining ends sooner for a "
                    "target without open connections). Health checks come on top. In state: "
                    "the estimate of the last walk planned.",
     .slot = BG_SLOT_INT(struct bg_shift_cfg, estimate_s),
     .presence = BG_PRESENCE(struct bg_shift_cfg, estimate_is)},
};

static const struct bg_schema schema = {
    .version = 0,
    .block = {.description = description, .attrs = attrs, .nattrs = BG_COUNT(attrs)},
};

static bool all_of(const char *s, size_t n, int (*is)(int), const char *extra)
{
    size_t i;

    for (i = 0; i < n; i++) {
        if (!is((unsigned char)s[i]) && (extra == NULL || strchr(extra, s[i]) == NULL))
            return false;
    }
    return n > 0;
}

static int is_lower(int c)
{
    return c >= 'a' && c <= 'z';
}

/* arn:<partition>:elasticloadbalancing:<region>:<12 digits>:targetgroup/<name>/<16 hex> */
static bool arn_ok(const char *s)
{
    const char *f[6], *name, *hash;
    size_t len[6], i;

    for (i = 0; i < 6; i++) {
        const char *colon = i < 5 ? strchr(s, ':') : s + strlen(s);

        if (colon == NULL)
            return false;
        f[i] = s;
        len[i] = (size_t)(colon - s);
        s = colon + (i < 5);
    }
    if (len[0] != 3 || strncmp(f[0], "arn", 3) != 0 || !all_of(f[1], len[1], is_lower, "-") ||
        len[2] != 20 || strncmp(f[2], "elasticloadbalancing", 20) != 0 ||
        !all_of(f[3], len[3], isalnum, "-") || len[4] != 12 || !all_of(f[4], 12, isdigit, NULL) ||
        strncmp(f[5], "targetgroup/", 12) != 0)
        return false;
    name = f[5] + 12;
    hash = strchr(name, '/');
    return hash != NULL && hash - name <= 32 && all_of(name, (size_t)(hash - name), isalnum, "-") &&
           strlen(hash + 1) == 16 && all_of(hash + 1, 16, isxdigit, NULL);
}

static void check_arn(struct bg_diags *d, const struct bg_path *path, const struct bg_value *v,
                      const void *arg)
{
    const char *s = bg_value_as_string(v);

    (void)arg;
    if (s != NULL && arn_ok(s))
        return;
    bg_diag_error(d, path, "Invalid target group ARN",
                  "\"%s\" is not a target group ARN: expected "
                  "arn:<partition>:elasticloadbalancing:<region>:<account>:targetgroup/<name>/"
                  "<id>.",
                  s != NULL ? s : "");
}

/* An element known enough to compare: an unknown id or port may turn out to differ. */
static bool comparable(const struct bg_shift_target_arg *t)
{
    return t->id != NULL && t->port_is != BG_PRESENCE_UNKNOWN;
}

static bool targets_clash(const struct bg_shift_target_arg *a, const struct bg_shift_target_arg *b)
{
    return comparable(a) && comparable(b) &&
           bg_target_same(a->id, a->port_is == BG_PRESENCE_KNOWN ? (int)a->port : 0, b->id,
                          b->port_is == BG_PRESENCE_KNOWN ? (int)b->port : 0);
}

/* Within one set, {id = "x"} and {id = "x", port = 80} would name the same member twice. */
static void check_unique_targets(struct bg_diags *d, const struct bg_path *path,
                                 const struct bg_value *v, const void *arg)
{
    size_t n = v->kind == BG_ARRAY ? v->u.arr.len : 0, i, j;
    struct bg_shift_target_arg *t = bg_arena_calloc(d->arena, n + 1, sizeof(*t));
    struct bg_diags quiet; /* a value that does not fit is the schema's to report */

    (void)arg;
    bg_diags_init(&quiet, d->arena);
    for (i = 0; i < n; i++)
        bg_schema_expand(&t[i], &quiet, &target_block, v->u.arr.items[i]);
    for (i = 0; i < n; i++) {
        for (j = i + 1; j < n; j++) {
            if (targets_clash(&t[i], &t[j]))
                bg_diag_error(d, path, "Duplicate target",
                              "Target \"%s\" is listed twice (a missing port matches any "
                              "port).",
                              t[i].id);
        }
    }
}

/* from_targets and to_targets must be disjoint: a target cannot both leave and join. */
static int shift_validate(struct bg_call *call, const struct bg_value *config)
{
    struct bg_shift_cfg cfg;
    struct bg_diags quiet; /* the validators explain a bad value */
    size_t i, j;
    int rc = 0;

    bg_diags_init(&quiet, call->arena);
    bg_shift__cfg_read(&cfg, &quiet, config);
    if (cfg.n_from == 0 && cfg.on_destroy == BG_SHIFT_RESTORE &&
        cfg.from_targets_is == BG_PRESENCE_KNOWN) {
        bg_diag_error(call->diags, bg_path_attr(call->arena, NULL, "on_destroy"),
                      "Nothing to restore",
                      "on_destroy = \"restore\" walks back to from_targets, which is empty: it "
                      "would deregister every target. Give from_targets or use \"keep\".");
        rc = BG_EINVAL;
    }
    for (i = 0; i < cfg.n_from; i++) {
        for (j = 0; j < cfg.n_to; j++) {
            if (!targets_clash(&cfg.from_targets[i], &cfg.to_targets[j]))
                continue;
            bg_diag_error(call->diags, bg_path_attr(call->arena, NULL, "to_targets"),
                          "Overlapping target sets",
                          "Target \"%s\" is in both from_targets and to_targets; the sets "
                          "must be disjoint.",
                          cfg.to_targets[j].id);
            rc = BG_EINVAL;
        }
    }
    return rc;
}

/* The walk's targets: a null port is the group's port (0). Unknown ids are left out; a read
 * with an unknown argument never reaches the walk (out->unknown). */
static struct bg_walk_target *walk_targets(size_t *n, struct bg_arena *a,
                                           const struct bg_shift_target_arg *in, size_t count)
{
    struct bg_walk_target *out = bg_arena_calloc(a, count + 1, sizeof(*out));
    size_t i;

    *n = 0;
    for (i = 0; i < count; i++) {
        if (in[i].id == NULL)
            continue;
        out[*n].id = in[i].id;
        out[(*n)++].port = in[i].port_is == BG_PRESENCE_KNOWN ? (int)in[i].port : 0;
    }
    return out;
}

int bg_shift__cfg_read(struct bg_shift_cfg *out, struct bg_diags *d, const struct bg_value *v)
{
    memset(out, 0, sizeof(*out));
    if (bg_schema_expand(out, d, &schema.block, v) != 0)
        return BG_EINVAL;
    out->unknown = bg_schema_unknown_arg_path(d->arena, &schema.block, v);
    out->from = walk_targets(&out->n_from, d->arena, out->from_targets, out->n_from);
    out->to = walk_targets(&out->n_to, d->arena, out->to_targets, out->n_to);
    return 0;
}

struct bg_value *bg_shift__flatten(struct bg_arena *a, const struct bg_shift_cfg *cfg,
                                   const struct bg_value *base)
{
    return bg_schema_flatten(a, &schema.block, cfg, base);
}

/* Import by target group ARN. The sets are unknown to AWS, so they start null and the first
 * plan after import shows them being set; Read fills members. */
/* Import by target group ARN, optionally with the sets (traffic_shift_import.c), so that the
 * state is a valid configuration as it is; Read fills members. */
static int shift_import(struct bg_call *call, const char *id, struct bg_value **state,
                        struct bg_private *private_out)
{
    struct bg_arena *a = call->arena;
    struct bg_shift_cfg cfg;
    char *arn = bg_arena_strndup(a, id, strcspn(id, ";"));

    (void)private_out;
    if (!arn_ok(arn)) {
        bg_diag_error(call->diags, NULL, "Invalid import ID",
                      "\"%s\" does not start with a target group ARN; import "
                      "bluegreen_traffic_shift with the ARN of its target group (optionally "
                      "followed by \";from=<id>[:<port>],...;to=<id>[:<port>],...\").",
                      id);
        return BG_EINVAL;
    }
    /* The defaults, the ARN, the sets and an empty walk; everything else null. */
    if (bg_shift__cfg_read(&cfg, call->diags,
                           bg_schema_apply_defaults(a, &schema.block, bg_value_map(a, 0))) != 0 ||
        bg_shift__import_sets(&cfg, call, id, arn) != 0)
        return BG_EINVAL;
    cfg.id = cfg.arn = arn;
    cfg.id_is = cfg.steps_is = BG_PRESENCE_KNOWN;
    *state = bg_schema_flatten(a, &schema.block, &cfg, NULL);
    return 0;
}

const struct bg_resource bg_traffic_shift_resource = {
    .type_name = "bluegreen_traffic_shift",
    .schema = &schema,
    .validate = shift_validate,
    .plan = bg_shift__plan,
    .create = bg_shift__apply,
    .update = bg_shift__apply,
    .destroy = bg_shift__destroy,
    .read = bg_shift__read,
    .import = shift_import,
};
