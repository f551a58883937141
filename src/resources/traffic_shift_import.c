/*
 * traffic_shift_import.c - `terraform import bluegreen_traffic_shift.x <id>`, with an ID that
 * gives a configuration valid as it is (`import {}` + `terraform plan
 * -generate-config-out`):
 *
 *   <target group ARN>                      to_targets = the targets registered now (the
 *                                           group is taken as shifted onto them), from_targets
 *                                           empty: nothing left to walk
 *   <ARN>;from=<id>[:<port>],...;to=...     the sets as given (either may be omitted: from
 *                                           empty, to the registered targets)
 *
 * AWS keeps no record of which targets were the old cluster's, hence the second form.
 */
#include <stdlib.h>
#include <string.h>

#include "bluegreen/provider.h"
#include "traffic_shift.h"

static struct bg_value *target_value(struct bg_arena *a, const char *id, size_t id_len, int port)
{
    struct bg_value *t = bg_value_map(a, 2);

    bg_value_put(a, t, "id", bg_value_stringn(a, id, id_len));
    bg_value_put(a, t, "port", port > 0 ? bg_value_int(a, port) : bg_value_null(a));
    return t;
}

/* "<id>[:<port>]": a trailing ":<digits>" is the port, except in an ARN (Lambda targets
 * have no port, and their ARNs hold colons). */
static int parse_target(struct bg_value *set, struct bg_call *call, const char *s, size_t n)
{
    const char *colon = NULL;
    size_t i;
    long port = 0;

    for (i = n; i > 0 && s[i - 1] >= '0' && s[i - 1] <= '9';)
        i--;
    if (i > 0 && i < n && s[i - 1] == ':' && strncmp(s, "arn:", 4) != 0) {
        colon = s + i - 1;
        port = strtol(colon + 1, NULL, 10);
    }
    if (n == 0 || colon == s || (colon != NULL && (port < 1 || port > 65535))) {
        bg_diag_error(call->diags, NULL, "Invalid import ID",
                      "\"%.*s\" is not a target: expected <id> or <id>:<port> (port 1-65535).",
                      (int)n, s);
        return BG_EINVAL;
    }
    bg_value_append(
        call->arena, set,
        target_value(call->arena, s, colon != NULL ? (size_t)(colon - s) : n, (int)port));
    return 0;
}

static int parse_set(struct bg_value **out, struct bg_call *call, const char *s, size_t n)
{
    size_t start = 0, i;

    *out = bg_value_array(call->arena, 4);
    for (i = 0; i <= n; i++) {
        if (i < n && s[i] != ',')
            continue;
        if (parse_target(*out, call, s + start, i - start) != 0)
            return BG_EINVAL;
        start = i + 1;
    }
    return 0;
}

/* Splits "<arn>;from=...;to=..." into the ARN (from the arena) and the sets (NULL when not
 * given). */
static int split(char **arn, struct bg_value **from, struct bg_value **to, struct bg_call *call,
                 const char *id)
{
    const char *p = strchr(id, ';');

    *from = *to = NULL;
    *arn = bg_arena_strndup(call->arena, id, p != NULL ? (size_t)(p - id) : strlen(id));
    while (p != NULL) {
        const char *part = p + 1, *next = strchr(part, ';');
        size_t n = next != NULL ? (size_t)(next - part) : strlen(part);
        struct bg_value **set = strncmp(part, "from=", 5) == 0 ? from
                                : strncmp(part, "to=", 3) == 0 ? to
                                                               : NULL;

        if (set == NULL || *set != NULL) {
            bg_diag_error(call->diags, NULL, "Invalid import ID",
                          "Expected \"<target group ARN>\" or \"<ARN>;from=<id>[:<port>],...;"
                          "to=<id>[:<port>],...\", got \"%s\".",
                          id);
            return BG_EINVAL;
        }
        if (parse_set(set, call, part + (set == from ? 5 : 3), n - (set == from ? 5 : 3)) != 0)
            return BG_EINVAL;
        p = next;
    }
    return 0;
}

/* The targets registered in the group now (draining and unused ones are leaving). */
static int registered(struct bg_value **out, struct bg_call *call, const char *arn)
{
    struct bg_aws_client *c = NULL;
    struct bg_shift_members m;
    struct bg_shift_env env;
    size_t i;
    int rc;

    if (bg_shift__client(&c, call) != 0)
        return BG_EINVAL;
    bg_shift__env_aws(&env, c);
    rc = bg_shift__describe(&m, call, &env.elbv2, arn);
    bg_provider_aws_release(call->provider, c);
    if (rc != 0)
        return rc;
    *out = bg_value_array(call->arena, m.n);
    for (i = 0; i < m.n; i++) {
        if (bg_shift__is_registered(&m.items[i]))
            bg_value_append(
                call->arena, *out,
                target_value(call->arena, m.items[i].id, strlen(m.items[i].id), m.items[i].port));
    }
    if (bg_value_len(*out) > 0)
        return 0;
    bg_diag_error(call->diags, NULL, "Nothing registered to import",
                  "%s has no registered target, so to_targets cannot be read from it. Give "
                  "the sets in the import ID: \"%s;from=<id>[:<port>],...;to=<id>[:<port>],...\".",
                  arn, arn);
    return BG_ENOTFOUND;
}

int bg_shift__import_sets(struct bg_value *state, struct bg_call *call, const char *id, char **arn)
{
    struct bg_value *from = NULL, *to = NULL;

    if (split(arn, &from, &to, call, id) != 0)
        return BG_EINVAL;
    if (to == NULL && registered(&to, call, *arn) != 0)
        return BG_EINVAL;
    bg_value_put(call->arena, state, "from_targets",
                 from != NULL ? from : bg_value_array(call->arena, 0));
    bg_value_put(call->arena, state, "to_targets", to);
    return 0;
}
