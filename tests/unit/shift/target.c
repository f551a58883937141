/* target.c - unit tests for target identity and health (src/shift/target.c). */
#include <criterion/criterion.h>

#include "bluegreen/target.h"

struct health_case {
    const char *state;
    enum bg_target_health health;
    bool registered;
};

static const struct health_case health_cases[] = {
    {"initial", BG_TARGET_INITIAL, true},
    {"healthy", BG_TARGET_HEALTHY, true},
    {"unhealthy", BG_TARGET_UNHEALTHY, true},
    {"unhealthy.draining", BG_TARGET_UNHEALTHY_DRAINING, true},
    {"unavailable", BG_TARGET_UNAVAILABLE, true},
    {"unused", BG_TARGET_UNUSED, false},
    {"draining", BG_TARGET_DRAINING, false},
};

Test(shift_target, parses_every_elbv2_state_and_spells_it_back)
{
    for (size_t i = 0; i < sizeof(health_cases) / sizeof(health_cases[0]); i++) {
        const struct health_case *c = &health_cases[i];
        enum bg_target_health h = bg_target_health_parse(c->state);

        cr_expect_eq(h, c->health, "%s", c->state);
        cr_expect_str_eq(bg_target_health_name(h), c->state);
        cr_expect_eq(bg_target_is_registered(h), c->registered, "%s", c->state);
    }
}

Test(shift_target, unknown_absent_and_miscased_states_are_unknown_and_registered)
{
    static const char *const odd[] = {NULL, "", "Healthy", "standby", "healthy ", "unknown"};

    for (size_t i = 0; i < sizeof(odd) / sizeof(odd[0]); i++) {
        cr_expect_eq(bg_target_health_parse(odd[i]), BG_TARGET_UNKNOWN, "%s",
                     odd[i] ? odd[i] : "(null)");
    }
    cr_expect(bg_target_is_registered(BG_TARGET_UNKNOWN));
    cr_expect_str_eq(bg_target_health_name(BG_TARGET_UNKNOWN), "unknown");
    cr_expect_str_eq(bg_target_health_name((enum bg_target_health)99), "unknown");
}

Test(shift_target, port_zero_matches_any_port_of_the_same_id)
{
    cr_expect(bg_target_same("i-1", 0, "i-1", 8080));
    cr_expect(bg_target_same("i-1", 8080, "i-1", 0));
    cr_expect(bg_target_same("i-1", 80, "i-1", 80));
    cr_expect(bg_target_same("i-1", 0, "i-1", 0));
    cr_expect_not(bg_target_same("i-1", 80, "i-1", 8080));
    cr_expect_not(bg_target_same("i-1", 0, "i-2", 0));
    cr_expect_not(bg_target_same("10.0.0.1", 80, "10.0.0.10", 80));
}
