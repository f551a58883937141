/*
 * support.c - calendar arithmetic for EKS support windows: days between as_of and the end of
 * standard / extended support. Dates are civil (proleptic Gregorian) days since 1970-01-01,
 * so no time zone or libc locale is involved.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "upgrade/internal.h"

/* Howard Hinnant's days_from_civil: exact for every Gregorian date, no tables. */
static long days_from_civil(long y, unsigned m, unsigned d)
{
    long era;
    unsigned yoe, doy, doe;

    y -= m <= 2;
    era = (y >= 0 ? y : y - 399) / 400;
    yoe = (unsigned)(y - era * 400);
    doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + (long)doe - 719468;
}

static unsigned month_days(long y, unsigned m)
{
    static const unsigned days[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;

    return m == 2 && leap ? 29 : days[m - 1];
}

int bg_upgrade_date_parse(long *out, const char *date, struct bg_error *err)
{
    unsigned y = 0, m = 0, d = 0;

    if (date == NULL || strlen(date) != 10 || date[4] != '-' || date[7] != '-')
        goto bad;
    for (int i = 0; i < 10; i++) {
        if (i != 4 && i != 7 && (date[i] < '0' || date[i] > '9'))
            goto bad;
    }
    sscanf(date, "%4u-%2u-%2u", &y, &m, &d);
    if (y < 1970 || m < 1 || m > 12 || d < 1 || d > month_days(y, m))
        goto bad;
    *out = days_from_civil(y, m, d);
    return 0;
bad:
    return bg_error_set(err, BG_EINVAL, "date \"%s\" is not a valid YYYY-MM-DD date",
                        date != NULL ? date : "(null)");
}

long bg_upgrade_today(void)
{
    return (long)(time(NULL) / 86400);
}

static const char *describe(struct bg_arena *a, const char *end, long days)
{
    if (end == NULL)
        return "not offered";
    if (days < 0)
        return bg_arena_printf(a, "ended %s", end);
    return bg_arena_printf(a, "%ld day%s remaining", days, days == 1 ? "" : "s");
}

void bg_upgrade_support_fill(struct bg_upgrade_support *out, struct bg_arena *a,
                             const struct bg_upgrade_eks *row, long as_of)
{
    long end = 0;

    out->version = bg_arena_printf(a, "1.%d", row->minor);
    out->end_of_standard_support = row->end_of_standard;
    out->end_of_extended_support = row->end_of_extended;
    /* The generator guarantees full dates in both end columns, so the fallback is dead code
     * kept only so a hand-edited table cannot produce garbage. */
    if (bg_upgrade_date_parse(&end, row->end_of_standard, NULL) != 0)
        end = as_of;
    out->standard_days = end - as_of;
    out->standard = describe(a, row->end_of_standard, out->standard_days);
    out->extended_days = 0;
    if (row->end_of_extended != NULL &&
        bg_upgrade_date_parse(&end, row->end_of_extended, NULL) == 0)
        out->extended_days = end - as_of;
    out->extended = describe(a, row->end_of_extended, out->extended_days);
}
