/*
 * arn.c - the shape of the ELBv2 ARNs the resources accept (include/bluegreen/aws.h), so a
 * typo is a diagnostic at validate time instead of an AWS error at apply.
 */
#include <ctype.h>
#include <string.h>

#include "bluegreen/aws.h"

/* n characters of s, each alphanumeric or in extra; n > 0. */
static bool all_of(const char *s, size_t n, const char *extra)
{
    if (n == 0)
        return false;
    for (size_t i = 0; i < n; i++) {
        if (!isalnum((unsigned char)s[i]) && (extra == NULL || strchr(extra, s[i]) == NULL))
            return false;
    }
    return true;
}

static bool all_digits(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (!isdigit((unsigned char)s[i]))
            return false;
    }
    return n > 0;
}

/* resource = <type>/<name>(/<name>){parts-1} */
static bool resource_ok(const char *r, const char *type, int parts)
{
    size_t tl = strlen(type);
    const char *p;
    int n = 0;

    if (strncmp(r, type, tl) != 0 || r[tl] != '/')
        return false;
    for (p = r + tl + 1;; n++) {
        size_t k = strcspn(p, "/");

        if (!all_of(p, k, "-"))
            return false;
        if (p[k] == '\0')
            return n + 1 == parts;
        p += k + 1;
    }
}

bool bg_aws_arn_is(const char *s, const char *service, const char *resource_type, int parts)
{
    const char *f[6];
    size_t len[6];

    if (s == NULL)
        return false;
    for (int i = 0; i < 6; i++) {
        const char *colon = i < 5 ? strchr(s, ':') : s + strlen(s);

        if (colon == NULL)
            return false;
        f[i] = s;
        len[i] = (size_t)(colon - s);
        s = colon + (i < 5);
    }
    return len[0] == 3 && strncmp(f[0], "arn", 3) == 0 && all_of(f[1], len[1], "-") &&
           len[2] == strlen(service) && strncmp(f[2], service, len[2]) == 0 &&
           all_of(f[3], len[3], "-") && len[4] == 12 && all_digits(f[4], 12) &&
           resource_ok(f[5], resource_type, parts);
}
