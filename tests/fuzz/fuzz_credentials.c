/*
 * fuzz_credentials.c - libFuzzer target for what the credential sources read from peers and
 * files: STS answers (XML), the JSON credential documents of instance metadata, container
 * endpoints and credential_process, their timestamps and durations.
 * Each must reject or accept any input without crashing, leaking or reading out of bounds.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "bluegreen/aws.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct bg_arena *a = bg_arena_new();
    char *text = bg_arena_strndup(a, (const char *)data, size); /* NUL-terminated copy */
    struct bg_error err = BG_ERROR_INIT;
    struct bg_aws_sts_creds c;
    time_t t;
    long d;

    bg_aws_sts_parse_credentials(&c, a, "AssumeRole", (const char *)data, size, &err);
    bg_aws_sts_parse_credentials(&c, a, "AssumeRoleWithWebIdentity", (const char *)data, size,
                                 &err);
    bg_aws_parse_json_credentials(&c, a, (const char *)data, size, false, &err);
    bg_aws_parse_json_credentials(&c, a, (const char *)data, size, true, &err);
    bg_aws_parse_time(&t, text, &err);
    bg_aws_parse_duration(&d, text, &err);
    bg_arena_free(a);
    return 0;
}
