/*
 * target.c - target identity and health (include/bluegreen/target.h).
 */
#include <string.h>

#include "bluegreen/target.h"

static const char *const names[] = {
    [BG_TARGET_UNKNOWN] = "unknown",
    [BG_TARGET_INITIAL] = "initial",
    [BG_TARGET_HEALTHY] = "healthy",
    [BG_TARGET_UNHEALTHY] = "unhealthy",
    [BG_TARGET_UNHEALTHY_DRAINING] = "unhealthy.draining",
    [BG_TARGET_UNUSED] = "unused",
    [BG_TARGET_DRAINING] = "draining",
    [BG_TARGET_UNAVAILABLE] = "unavailable",
};

enum bg_target_health bg_target_health_parse(const char *state)
{
    size_t i;

    if (state == NULL)
        return BG_TARGET_UNKNOWN;
    /* "unknown" is our word, not an ELBv2 state: start after it */
    for (i = BG_TARGET_UNKNOWN + 1; i < sizeof(names) / sizeof(names[0]); i++) {
        if (strcmp(state, names[i]) == 0)
            return (enum bg_target_health)i;
    }
    return BG_TARGET_UNKNOWN;
}

const char *bg_target_health_name(enum bg_target_health health)
{
    if ((size_t)health >= sizeof(names) / sizeof(names[0]))
        return names[BG_TARGET_UNKNOWN];
    return names[health];
}

bool bg_target_is_registered(enum bg_target_health health)
{
    return health != BG_TARGET_DRAINING && health != BG_TARGET_UNUSED;
}

bool bg_target_same(const char *id_a, int port_a, const char *id_b, int port_b)
{
    if (strcmp(id_a, id_b) != 0)
        return false;
    return port_a == port_b || port_a == 0 || port_b == 0;
}
