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

/* A growing array of targets. */
struct targets {
    struct bg_shift_target_arg *items;
    size_t n;
    bool given;
};

static void push(struct targets *t, struct bg_arena *a, const char *id, size_t id_len, int port)
{
    struct bg_shift_target_arg *grown = bg_arena_calloc(a, t->n + 1, sizeof(*grown));

    if (t->n > 0)
        memcpy(grown, t->items, t->n * sizeof(*grown));
    grown[t->n].id = bg_arena_strndup(a, id, id_len);
    grown[t->n].port = port;
    grown[t->n].port_is = port > 0 ? BG_PRESENCE_KNOWN : BG_PRESENCE_NULL;
    t->items = grown;
    t->n++;
}

/* "<id>[:<port>]": a trailing ":<digits>" is the port, except in an ARN (Lambda targets
 * have no port, and their ARNs hold colons). */
static int parse_target(struct targets *set, struct bg_call *call, const char *s, size_t n)
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
    push(set, call->arena, s, colon != NULL ? (size_t)(colon - s) : n, (int)port);
    return 0;
}

static int parse_set(struct targets *out, struct bg_call *call, const char *s, size_t n)
{
    size_t start = 0, i;

    out->given = true;
    for (i = 0; i <= n; i++) {
        if (i < n && s[i] != ',')
            continue;
        if (parse_target(out, call, s + start, i - start) != 0)
            return BG_EINVAL;
        start = i + 1;
    }
    return 0;
}

/* The ";from=..." and ";to=..." parts after the ARN. */
static int split(struct targets *from, struct targets *to, struct bg_call *call, const char *id)
{
    const char *p = strchr(id, ';');

    while (p != NULL) {
        const char *part = p + 1, *next = strchr(part, ';');
        size_t n = next != NULL ? (size_t)(next - part) : strlen(part);
        struct targets *set = strncmp(part, "from=", 5) == 0 ? from
                              : strncmp(part, "to=", 3) == 0 ? to
                                                             : NULL;
        size_t skip = set == from ? 5 : 3;

        if (set == NULL || set->given) {
            bg_diag_error(call->diags, NULL, "Invalid import ID",
                          "Expected \"<target group ARN>\" or \"<ARN>;from=<id>[:<port>],...;"
                          "to=<id>[:<port>],...\", got \"%s\".",
                          id);
            return BG_EINVAL;
        }
        if (parse_set(set, call, part + skip, n - skip) != 0)
            return BG_EINVAL;
        p = next;
    }
    return 0;
}

/* The targets registered in the group now (draining and unused ones are leaving). */
static int registered(struct targets *out, struct bg_call *call, const char *arn)
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
    for (i = 0; i < m.n; i++) {
        if (bg_shift__is_registered(&m.items[i]))
            push(out, call->arena, m.items[i].id, strlen(m.items[i].id), m.items[i].port);
    }
    if (out->n > 0)
        return 0;
    bg_diag_error(call->diags, NULL, "Nothing registered to import",
                  "%s has no registered target, so to_targets cannot be read from it. Give "
                  "the sets in the import ID: \"%s;from=<id>[:<port>],...;to=<id>[:<port>],...\".",
                  arn, arn);
    return BG_ENOTFOUND;
}

int bg_shift__import_sets(struct bg_shift_cfg *cfg, struct bg_call *call, const char *id,
                          const char *arn)
{
    struct targets from = {NULL, 0, false}, to = {NULL, 0, false};

    if (split(&from, &to, call, id) != 0)
        return BG_EINVAL;
    if (!to.given && registered(&to, call, arn) != 0)
        return BG_EINVAL;
    cfg->from_targets = from.items; /* NULL when empty: known and empty, not null */
    cfg->from_targets_is = BG_PRESENCE_KNOWN;
    cfg->n_from = from.n;
    cfg->to_targets = to.items;
    cfg->n_to = to.n;
    return 0;
}
