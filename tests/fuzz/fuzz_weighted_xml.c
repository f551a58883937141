/*
 * fuzz_weighted_xml.c - libFuzzer target for the answers behind weighted shifts and alarm
 * gates: listeners and rules (every action field kept, then written back as Query
 * parameters) and CloudWatch alarms. Each input goes through every parser, which must reject
 * or accept it without crashing, leaking or reading out of bounds; an accepted listener or
 * rule is serialized again.
 */
#include <stddef.h>
#include <stdint.h>

#include "bluegreen/aws.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void write_back(struct bg_arena *a, const struct bg_aws_actions *acts)
{
    size_t n;

    bg_aws_elbv2_action_params(&n, a, "Actions", acts);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char *const listener_docs[] = {"DescribeListeners", "ModifyListener"};
    static const char *const rule_docs[] = {"DescribeRules", "ModifyRule"};
    struct bg_arena *a = bg_arena_new();
    const char *xml = (const char *)data;
    struct bg_aws_listener_list listeners;
    struct bg_aws_rule_list rules;
    struct bg_aws_alarm_list alarms;
    struct bg_error err = BG_ERROR_INIT;

    for (int k = 0; k < 2; k++) {
        if (bg_aws_elbv2_parse_listeners(&listeners, a, listener_docs[k], xml, size, &err) == 0)
            for (size_t i = 0; i < listeners.count; i++)
                write_back(a, &listeners.items[i].actions);
        if (bg_aws_elbv2_parse_rules(&rules, a, rule_docs[k], xml, size, &err) == 0)
            for (size_t i = 0; i < rules.count; i++)
                write_back(a, &rules.items[i].actions);
    }
    bg_aws_cloudwatch_parse_alarms(&alarms, a, xml, size, &err);
    bg_arena_free(a);
    return 0;
}
