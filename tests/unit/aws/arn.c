/* arn.c - unit tests for src/aws/arn.c: the ELBv2 ARN shapes the resources accept. */
#include <criterion/criterion.h>

#include "bluegreen/aws.h"

#define ELB "elasticloadbalancing"

Test(aws_arn, accepts_target_group_listener_and_rule_arns)
{
    cr_expect(bg_aws_arn_is("arn:aws:" ELB
                            ":us-east-1:123456789012:targetgroup/tg-1/0123456789abcdef",
                            ELB, "targetgroup", 2));
    cr_expect(bg_aws_arn_is("arn:aws-cn:" ELB ":cn-north-1:123456789012:listener/app/lb/"
                            "40d68a902370e5de/674bed709ea8c007",
                            ELB, "listener", 4));
    cr_expect(bg_aws_arn_is("arn:aws:" ELB ":us-east-1:123456789012:listener-rule/app/lb/"
                            "40d68a902370e5de/674bed709ea8c007/140352156290256",
                            ELB, "listener-rule", 5));
}

Test(aws_arn, rejects_other_services_types_accounts_and_shapes)
{
    static const char *const bad[] = {
        "arn:aws:s3:::bucket",
        "arn:aws:" ELB ":us-east-1:12345678901:listener/app/lb/1/2",
        "arn:aws:" ELB ":us-east-1:123456789012:listener-rule/app/lb/1/2/3",
        "arn:aws:" ELB ":us-east-1:123456789012:listener/app/lb/1",
        "arn:aws:" ELB ":us-east-1:123456789012:listener/app/lb/1/2/",
        "arn:aws:" ELB ":us-east-1:123456789012:listener/app//1/2",
        "arn:aws:" ELB ":us-east-1:123456789012:listener/app/lb_x/1/2",
        "arn:aws:" ELB ":us-east-1:123456789012:listenerx/app/lb/1/2",
        "arn:aws:" ELB ":us-east-1:123456789012",
        "",
        "listener/app/lb/1/2",
    };

    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        cr_expect_not(bg_aws_arn_is(bad[i], ELB, "listener", 4), "%s", bad[i]);
    cr_expect_not(bg_aws_arn_is(NULL, ELB, "listener", 4));
}
