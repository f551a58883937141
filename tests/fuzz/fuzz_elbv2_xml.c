/*
 * fuzz_elbv2_xml.c - libFuzzer target for the AWS XML answer parsers: every input goes
 * through each parser, which must reject or accept it without crashing, leaking or reading
 * out of bounds.
 */
#include <stddef.h>
#include <stdint.h>

#include "bluegreen/aws.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct bg_arena *a = bg_arena_new();
    const char *xml = (const char *)data;
    struct bg_aws_target_health_list health;
    struct bg_aws_target_group_list groups;
    struct bg_aws_api_error api;
    struct bg_error err = BG_ERROR_INIT;
    int delay;

    bg_aws_elbv2_parse_target_health(&health, a, xml, size, &err);
    bg_aws_elbv2_parse_target_groups(&groups, a, xml, size, &err);
    bg_aws_elbv2_parse_deregistration_delay(&delay, xml, size, &err);
    bg_aws_elbv2_parse_ack("RegisterTargets", xml, size, &err);
    bg_aws_parse_error(&api, a, xml, size, &err);
    bg_arena_free(a);
    return 0;
}
