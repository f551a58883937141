/*
 * lookup.c - version parsing and lookups in the generated fact tables (tables.c).
 * The tables are tiny (a few dozen rows), so linear search keeps this obviously correct.
 */
#include <stdlib.h>
#include <string.h>

#include "bluegreen/upgrade.h"

/* Reads a run of digits; returns the number of digits consumed, 0 on none or overflow. */
static size_t digits(int *out, const char *s)
{
    size_t n = 0;
    int v = 0;

    while (s[n] >= '0' && s[n] <= '9') {
        if (n >= 4)
            return 0;
        v = v * 10 + (s[n] - '0');
        n++;
    }
    *out = v;
    return n;
}

int bg_upgrade_version_parse(int *out, const char *version, struct bg_error *err)
{
    const char *p = version;
    int minor, patch;
    size_t n;

    if (p == NULL || strncmp(p, "1.", 2) != 0)
        goto bad;
    n = digits(&minor, p + 2);
    if (n == 0)
        goto bad;
    p += 2 + n;
    /* A patch release ("1.15.3") names the same minor: accept it, the minor is what counts. */
    if (*p == '.') {
        n = digits(&patch, p + 1);
        if (n == 0)
            goto bad;
        p += 1 + n;
    }
    if (*p != '\0')
        goto bad;
    *out = minor;
    return 0;
bad:
    return bg_error_set(err, BG_EINVAL, "version \"%s\" is not of the form 1.<minor>",
                        version != NULL ? version : "(null)");
}

const struct bg_upgrade_eks *bg_upgrade_eks_find(int minor)
{
    for (size_t i = 0; i < bg_upgrade_eks_count; i++) {
        if (bg_upgrade_eks_table[i].minor == minor)
            return &bg_upgrade_eks_table[i];
    }
    return NULL;
}

const struct bg_upgrade_istio *bg_upgrade_istio_find(int minor)
{
    for (size_t i = 0; i < bg_upgrade_istio_count; i++) {
        if (bg_upgrade_istio_table[i].minor == minor)
            return &bg_upgrade_istio_table[i];
    }
    return NULL;
}

const struct bg_upgrade_removal *bg_upgrade_removal_find(const char *api_version, const char *kind,
                                                         int target)
{
    for (size_t i = 0; i < bg_upgrade_removal_count; i++) {
        const struct bg_upgrade_removal *r = &bg_upgrade_removal_table[i];

        if (r->removed_in == 0 || r->removed_in > target)
            continue;
        if (strcmp(r->api_version, api_version) == 0 && strcmp(r->kind, kind) == 0)
            return r;
    }
    return NULL;
}
