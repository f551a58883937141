/*
 * weighted_shift.c - resource bluegreen_weighted_shift: schema table, validators and import.
 * The lifecycle hooks live in weighted_shift_ops.c, the executor in weighted_shift_run.c,
 * AWS in weighted_shift_aws.c; the typed layer reads and writes struct bg_ws_cfg along the
 * table's slots.
 *
 * Moves an ALB listener's (or listener rule's) forward weights from one target group to
 * another through a schedule of shares, each step behind health and alarm gates and followed
 * by a watched soak. The weights are the only record of progress: any interrupted walk
 * continues from what the listener says.
 */
#include <string.h>

#include "alarms.h"
#include "shift_args.h"
#include "weighted_shift.h"

#define ELB "elasticloadbalancing"

static const char *const description =
    "Moves an ALB listener's or listener rule's forward weights from one target group to "
    "another through a schedule of shares. Before each step every registered target of the "
    "group gaining weight must be healthy (and there must be one) and no alarm of "
    "`alarm_names` may be in ALARM; a soak watched by the same gates follows each step. The "
    "plan shows the steps; weights changed by hand show as drift; an interrupted walk "
    "continues from the listener's real weights. Every other part of the actions is kept.";

static void check_tg_arn(struct bg_diags *d, const struct bg_path *path, const struct bg_value *v,
                         const void *arg);
static void check_subject_arn(struct bg_diags *d, const struct bg_path *path,
                              const struct bg_value *v, const void *arg);
static void check_schedule(struct bg_diags *d, const struct bg_path *path, const struct bg_value *v,
                           const void *arg);

static const int64_t percent_range[2] = {0, 100};

static const struct bg_validator listener_v[] = {
    {check_subject_arn, "listener",
     "A listener ARN: "
     "`arn:<partition>:elasticloadbalancing:<region>:<account>:listener/app/<lb>/<id>/<id>`."},
    {NULL, NULL, NULL}};
static const struct bg_validator rule_v[] = {
    {check_subject_arn, "listener-rule",
     "A listener rule ARN: `arn:<partition>:elasticloadbalancing:<region>:<account>:"
     "listener-rule/app/<lb>/<id>/<id>/<id>`."},
    {NULL, NULL, NULL}};
static const struct bg_validator tg_v[] = {
    {check_tg_arn, NULL,
     "A target group ARN: "
     "`arn:<partition>:elasticloadbalancing:<region>:<account>:targetgroup/<name>/<id>`."},
    {NULL, NULL, NULL}};
static const struct bg_validator percent_v[] = {{bg_validate_int_range, percent_range, NULL},
                                                {NULL, NULL, NULL}};
static const struct bg_validator schedule_v[] = {
    {check_schedule, NULL, "Whole numbers from 1 to 100, strictly increasing."},
    {NULL, NULL, NULL}};

static const struct bg_type list_number = {BG_TYPE_LIST, &bg_type_number, NULL, 0};

/* `steps` is a list(object) type rather than a nested attribute, so that terraform shows a
 * changed walk as steps added and removed (schema.h, the typed layer). */
static const struct bg_attr step_attrs[] = {
    {.name = "percent",
     .type = &bg_type_number,
     .flags = BG_COMPUTED,
     .slot = BG_SLOT_INT(struct bg_ws_step_attr, percent)},
};
static const struct bg_field step_fields[] = {{"percent", &bg_type_number}};
static const struct bg_type step_type = BG_TYPE_OBJECT_OF(step_fields);
static const struct bg_type steps_type = {BG_TYPE_LIST, &step_type, NULL, 0};

static const struct bg_attr attrs[] = {
    {.name = "id",
     .type = &bg_type_string,
     .flags = BG_COMPUTED | BG_USE_STATE,
     .description = "`<listener or rule ARN>,<from ARN>,<to ARN>`, also the import ID.",
     .slot = BG_SLOT_STRING(struct bg_ws_cfg, id),
     .presence = BG_PRESENCE(struct bg_ws_cfg, id_is)},
    {.name = "listener_arn",
     .type = &bg_type_string,
     .flags = BG_OPTIONAL | BG_FORCE_NEW,
     .validators = listener_v,
     .description = "ARN of the ALB listener whose default forward action is shifted. Exactly "
                    "one of `listener_arn` and `listener_rule_arn`.",
     .slot = BG_SLOT_STRING(struct bg_ws_cfg, listener_arn),
     .presence = BG_PRESENCE(struct bg_ws_cfg, listener_is)},
    {.name = "listener_rule_arn",
     .type = &bg_type_string,
     .flags = BG_OPTIONAL | BG_FORCE_NEW,
     .validators = rule_v,
     .description = "ARN of the listener rule whose forward action is shifted; its conditions, "
                    "priority and other actions are kept.",
     .slot = BG_SLOT_STRING(struct bg_ws_cfg, rule_arn),
     .presence = BG_PRESENCE(struct bg_ws_cfg, rule_is)},
    {.name = "from_target_group_arn",
     .type = &bg_type_string,
     .flags = BG_REQUIRED | BG_FORCE_NEW,
     .validators = tg_v,
     .description = "The old cluster's target group; it loses weight.",
     .slot = BG_SLOT_STRING(struct bg_ws_cfg, from)},
    {.name = "to_target_group_arn",
     .type = &bg_type_string,
     .flags = BG_REQUIRED | BG_FORCE_NEW,
     .validators = tg_v,
     .description = "The new cluster's target group; it gains weight. Added to the forward "
                    "action if missing.",
     .slot = BG_SLOT_STRING(struct bg_ws_cfg, to)},
    {.name = "percent",
     .type = &bg_type_number,
     .flags = BG_OPTIONAL,
     .default_json = "100",
     .validators = percent_v,
     .description = "`to_target_group_arn`'s share of the two groups' forward weights when "
                    "the apply ends.",
     .slot = BG_SLOT_INT(struct bg_ws_cfg, percent)},
    {.name = "schedule",
     .type = &list_number,
     .flags = BG_OPTIONAL,
     .default_json = "[10,25,50,75,100]",
     .validators = schedule_v,
     .description = "Shares the walk stops at: it visits the entries between the current share "
                    "and `percent`, then `percent`; lowering `percent` walks back down the same "
                    "entries.",
     .slot = BG_SLOT_INTS(struct bg_ws_cfg, schedule, n_schedule)},
    {.name = "alarm_names",
     .type = &bg_type_set_string,
     .flags = BG_OPTIONAL,
     .validators = bg_shift_args__alarms_v,
     .description = "CloudWatch metric or composite alarms checked before each step and "
                    "through each soak: any in `ALARM` fails the step. Each must exist.",
     .slot = BG_SLOT_STRINGS(struct bg_ws_cfg, alarm_names, n_alarms)},
    {.name = "soak_seconds",
     .type = &bg_type_number,
     .flags = BG_OPTIONAL,
     .default_json = "300",
     .validators = bg_shift_args__soak_v,
     .description = "How long each step is watched (health and alarms) before the next one.",
     .slot = BG_SLOT_INT(struct bg_ws_cfg, soak_s)},
    {.name = "health_timeout_seconds",
     .type = &bg_type_number,
     .flags = BG_OPTIONAL,
     .default_json = "600",
     .validators = bg_shift_args__timeout_v,
     .description = "How long the group about to gain weight may take until every registered "
                    "target is healthy before the step fails.",
     .slot = BG_SLOT_INT(struct bg_ws_cfg, health_timeout_s)},
    {.name = "poll_interval_seconds",
     .type = &bg_type_number,
     .flags = BG_OPTIONAL,
     .default_json = "5",
     .validators = bg_shift_args__poll_v,
     .description = "Interval between health and alarm checks while waiting and soaking.",
     .slot = BG_SLOT_INT(struct bg_ws_cfg, poll_s)},
    {.name = "on_failure",
     .type = &bg_type_string,
     .flags = BG_OPTIONAL,
     .default_json = "\"rollback_step\"",
     .validators = bg_shift_args__failure_v,
     .description = "When a step fails: `rollback_step` puts the weights back to the share "
                    "before the failed step, `rollback_all` back to the share before this "
                    "apply (one change), `halt` leaves them. The apply fails in every case.",
     .slot = BG_SLOT_ENUM(struct bg_ws_cfg, on_failure)},
    {.name = "on_destroy",
     .type = &bg_type_string,
     .flags = BG_OPTIONAL,
     .default_json = "\"keep\"",
     .validators = bg_shift_args__destroy_v,
     .description = "`keep` forgets the resource and leaves the weights; `restore` walks back "
                    "to 0 through the same schedule and gates first.",
     .slot = BG_SLOT_ENUM(struct bg_ws_cfg, on_destroy)},
    {.name = "steps",
     .type = &steps_type,
     .flags = BG_COMPUTED,
     .nested = step_attrs,
     .nnested = BG_COUNT(step_attrs),
     .description = "The walk: in a plan, the shares the apply will set, from the listener's "
                    "refreshed weights; in state, the walk the last apply took. Each is "
                    "`{ percent }`.",
     .slot = BG_SLOT_OBJECTS(struct bg_ws_cfg, steps, n_steps),
     .presence = BG_PRESENCE(struct bg_ws_cfg, steps_is)},
    {.name = "current_percent",
     .type = &bg_type_number,
     .flags = BG_COMPUTED,
     .description = "`to_target_group_arn`'s share of the two groups' forward weights now.",
     .slot = BG_SLOT_INT(struct bg_ws_cfg, current_percent),
     .presence = BG_PRESENCE(struct bg_ws_cfg, current_percent_is)},
};

static const struct bg_schema schema = {
    .version = 0,
    .block = {.description = description, .attrs = attrs, .nattrs = BG_COUNT(attrs)},
};

static void check_tg_arn(struct bg_diags *d, const struct bg_path *path, const struct bg_value *v,
                         const void *arg)
{
    const char *s = bg_value_as_string(v);

    (void)arg;
    if (bg_aws_arn_is(s, ELB, "targetgroup", 2))
        return;
    bg_diag_error(d, path, "Invalid target group ARN",
                  "\"%s\" is not a target group ARN: expected arn:<partition>:"
                  "elasticloadbalancing:<region>:<account>:targetgroup/<name>/<id>.",
                  s != NULL ? s : "");
}

static void check_subject_arn(struct bg_diags *d, const struct bg_path *path,
                              const struct bg_value *v, const void *arg)
{
    const char *s = bg_value_as_string(v), *type = arg;
    bool rule = strcmp(type, "listener-rule") == 0;

    if (bg_aws_arn_is(s, ELB, type, rule ? 5 : 4))
        return;
    bg_diag_error(d, path, rule ? "Invalid listener rule ARN" : "Invalid listener ARN",
                  "\"%s\" is not a %s ARN: expected arn:<partition>:elasticloadbalancing:"
                  "<region>:<account>:%s/app/<load balancer>/<id>/<id>%s.",
                  s != NULL ? s : "", rule ? "listener rule" : "listener", type,
                  rule ? "/<id>" : "");
}

static void check_schedule(struct bg_diags *d, const struct bg_path *path, const struct bg_value *v,
                           const void *arg)
{
    struct bg_error err = BG_ERROR_INIT;
    size_t n = bg_value_len(v);
    int64_t *s = bg_arena_calloc(d->arena, n + 1, sizeof(*s));

    (void)arg;
    for (size_t i = 0; i < n; i++) {
        if (bg_value_is_unknown(v->u.arr.items[i]))
            return;
        if (bg_value_as_int(&s[i], v->u.arr.items[i]) != 0) {
            bg_diag_error(d, bg_path_index(d->arena, path, (int64_t)i), "Invalid schedule",
                          "Each entry must be a whole number between 1 and 100.");
            return;
        }
    }
    if (bg_weights_check_schedule(s, n, &err) != 0)
        bg_diag_error(d, path, "Invalid schedule",
                      "%s: entries are shares from 1 to 100 in "
                      "strictly increasing order.",
                      err.msg);
}

/* Exactly one subject, and two different target groups. */
static int ws_validate(struct bg_call *call, const struct bg_value *config)
{
    struct bg_diags quiet; /* the validators explain a bad value */
    struct bg_ws_cfg cfg;
    int rc = 0;

    bg_diags_init(&quiet, call->arena);
    bg_ws__cfg_read(&cfg, &quiet, config);
    if (cfg.listener_is != BG_PRESENCE_UNKNOWN && cfg.rule_is != BG_PRESENCE_UNKNOWN &&
        (cfg.listener_is == BG_PRESENCE_NULL) == (cfg.rule_is == BG_PRESENCE_NULL)) {
        bg_diag_error(call->diags, bg_path_attr(call->arena, NULL, "listener_arn"),
                      "Exactly one of listener_arn and listener_rule_arn",
                      "Set listener_arn to shift a listener's default action, or "
                      "listener_rule_arn to shift a rule's; %s.",
                      cfg.listener_is == BG_PRESENCE_NULL ? "neither is set" : "both are set");
        rc = BG_EINVAL;
    }
    if (cfg.from != NULL && cfg.to != NULL && strcmp(cfg.from, cfg.to) == 0) {
        bg_diag_error(call->diags, bg_path_attr(call->arena, NULL, "to_target_group_arn"),
                      "Same target group twice",
                      "from_target_group_arn and to_target_group_arn are both %s.", cfg.to);
        rc = BG_EINVAL;
    }
    return rc;
}

int bg_ws__cfg_read(struct bg_ws_cfg *out, struct bg_diags *d, const struct bg_value *v)
{
    memset(out, 0, sizeof(*out));
    if (bg_schema_expand(out, d, &schema.block, v) != 0)
        return BG_EINVAL;
    out->unknown = bg_schema_unknown_arg_path(d->arena, &schema.block, v);
    return 0;
}

struct bg_value *bg_ws__flatten(struct bg_arena *a, const struct bg_ws_cfg *cfg,
                                const struct bg_value *base)
{
    return bg_schema_flatten(a, &schema.block, cfg, base);
}

/* The three ARNs of an import ID, each checked; NULL (and a diagnostic) when malformed. */
static char **split_id(struct bg_call *call, const char *id)
{
    const char *c1 = strchr(id, ','), *c2 = c1 != NULL ? strchr(c1 + 1, ',') : NULL;
    char **part = bg_arena_calloc(call->arena, 3, sizeof(*part));

    if (c2 != NULL && strchr(c2 + 1, ',') == NULL) {
        part[0] = bg_arena_strndup(call->arena, id, (size_t)(c1 - id));
        part[1] = bg_arena_strndup(call->arena, c1 + 1, (size_t)(c2 - c1 - 1));
        part[2] = bg_arena_strdup(call->arena, c2 + 1);
        if (bg_aws_arn_is(part[1], ELB, "targetgroup", 2) &&
            bg_aws_arn_is(part[2], ELB, "targetgroup", 2) &&
            (bg_aws_arn_is(part[0], ELB, "listener", 4) ||
             bg_aws_arn_is(part[0], ELB, "listener-rule", 5)))
            return part;
    }
    bg_diag_error(call->diags, NULL, "Invalid import ID",
                  "\"%s\" is not <listener or rule ARN>,<from target group ARN>,<to target "
                  "group ARN>.",
                  id);
    return NULL;
}

/* Import: the subject and the pair from the ID, defaults for the rest; Read then fills
 * current_percent from the listener's weights. */
static int ws_import(struct bg_call *call, const char *id, struct bg_value **state,
                     struct bg_private *private_out)
{
    struct bg_arena *a = call->arena;
    char **part = split_id(call, id);
    struct bg_ws_cfg cfg;

    (void)private_out;
    if (part == NULL ||
        bg_ws__cfg_read(&cfg, call->diags,
                        bg_schema_apply_defaults(a, &schema.block, bg_value_map(a, 0))) != 0)
        return BG_EINVAL;
    cfg.id = id;
    if (bg_aws_arn_is(part[0], ELB, "listener", 4)) {
        cfg.listener_arn = part[0];
        cfg.listener_is = BG_PRESENCE_KNOWN;
    } else {
        cfg.rule_arn = part[0];
        cfg.rule_is = BG_PRESENCE_KNOWN;
    }
    cfg.from = part[1];
    cfg.to = part[2];
    cfg.id_is = cfg.steps_is = BG_PRESENCE_KNOWN; /* an empty walk */
    *state = bg_schema_flatten(a, &schema.block, &cfg, NULL);
    return 0;
}

const struct bg_resource bg_weighted_shift_resource = {
    .type_name = "bluegreen_weighted_shift",
    .schema = &schema,
    .validate = ws_validate,
    .plan = bg_ws__plan,
    .create = bg_ws__apply,
    .update = bg_ws__apply,
    .destroy = bg_ws__destroy,
    .read = bg_ws__read,
    .import = ws_import,
};
