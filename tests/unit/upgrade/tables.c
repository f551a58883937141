/* Unit tests for the generated fact tables (src/upgrade/tables.c, lookup.c). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>

#include "bluegreen/upgrade.h"

#define SRC BG_TEST_DATA "/../.."

Test(upgrade_tables, committed_tables_match_the_csv_data)
{
    /* The generator's --check mode regenerates in memory and compares with the committed
     * file, so a CSV edit without a regeneration fails here. */
    char cmd[1024];

    snprintf(cmd, sizeof(cmd),
             "python3 '%s/scripts/gen_upgrade_tables.py' --data '%s/data' "
             "--output '%s/src/upgrade/tables.c' --check",
             SRC, SRC, SRC);
    cr_expect_eq(system(cmd), 0, "run scripts/gen_upgrade_tables.py and commit tables.c");
}

Test(upgrade_tables, every_istio_minor_supports_a_known_kubernetes_range)
{
    for (size_t i = 0; i < bg_upgrade_istio_count; i++) {
        const struct bg_upgrade_istio *r = &bg_upgrade_istio_table[i];

        cr_expect_leq(r->k8s_min, r->k8s_max, "Istio 1.%d", r->minor);
        if (i > 0)
            cr_expect_eq(r->minor, bg_upgrade_istio_table[i - 1].minor + 1);
    }
    cr_expect_eq(bg_upgrade_istio_find(8)->k8s_min, 16);
    cr_expect_eq(bg_upgrade_istio_find(8)->k8s_max, 19);
    cr_expect_null(bg_upgrade_istio_find(3));
}

Test(upgrade_tables, eks_rows_have_parseable_end_dates)
{
    for (size_t i = 0; i < bg_upgrade_eks_count; i++) {
        const struct bg_upgrade_eks *r = &bg_upgrade_eks_table[i];
        long d;

        cr_expect_eq(bg_upgrade_date_parse(&d, r->end_of_standard, NULL), 0, "1.%d", r->minor);
        if (r->end_of_extended != NULL)
            cr_expect_eq(bg_upgrade_date_parse(&d, r->end_of_extended, NULL), 0);
    }
    cr_expect_str_eq(bg_upgrade_eks_find(15)->end_of_standard, "2021-05-03");
    cr_expect_null(bg_upgrade_eks_find(15)->end_of_extended);
}

Test(upgrade_tables, removal_lookup_respects_the_target_version)
{
    cr_expect_null(bg_upgrade_removal_find("batch/v1beta1", "CronJob", 24));
    cr_expect_not_null(bg_upgrade_removal_find("batch/v1beta1", "CronJob", 25));
    cr_expect_null(bg_upgrade_removal_find("batch/v1", "CronJob", 99));
    cr_expect_null(bg_upgrade_removal_find("batch/v1beta1", "cronjob", 99));
}

Test(upgrade_tables, carries_the_corrections_to_the_research_data)
{
    const struct bg_upgrade_removal *r;

    /* pluto says 1.29; the deprecation guide (authoritative) says 1.26. */
    r = bg_upgrade_removal_find("flowcontrol.apiserver.k8s.io/v1beta1", "FlowSchema", 26);
    cr_assert_not_null(r);
    cr_expect_str_eq(r->replacement, "flowcontrol.apiserver.k8s.io/v1beta3");
    /* Kinds kubent misses are in the table. */
    cr_expect_not_null(bg_upgrade_removal_find("events.k8s.io/v1beta1", "Event", 25));
    cr_expect_not_null(
        bg_upgrade_removal_find("authorization.k8s.io/v1beta1", "SelfSubjectRulesReview", 22));
    cr_expect_not_null(bg_upgrade_removal_find("admissionregistration.k8s.io/v1alpha1",
                                               "ValidatingAdmissionPolicy", 32));
    cr_expect_null(
        bg_upgrade_removal_find("flowcontrol.apiserver.k8s.io/v1beta1", "FlowControl", 99));
}
