/* nodegroup.c - unit tests for the Auto Scaling and EKS node group parsers
 * (src/aws/autoscaling.c, src/aws/eks.c). */
#include <criterion/criterion.h>
#include <string.h>

#include "bluegreen/aws.h"

#define ASG_NS "xmlns=\"http://autoscaling.amazonaws.com/doc/2011-01-01/\""

Test(aws_nodegroup, reads_an_auto_scaling_group_and_counts_live_instances)
{
    static const char xml[] =
        "<DescribeAutoScalingGroupsResponse " ASG_NS "><DescribeAutoScalingGroupsResult>"
        "<AutoScalingGroups><member><AutoScalingGroupName>g</AutoScalingGroupName>"
        "<MinSize>2</MinSize><MaxSize>6</MaxSize><DesiredCapacity>3</DesiredCapacity>"
        "<Instances><member><LifecycleState>InService</LifecycleState></member>"
        "<member><LifecycleState>Terminating:Wait</LifecycleState></member>"
        "<member><LifecycleState>Terminated</LifecycleState></member></Instances>"
        "</member></AutoScalingGroups></DescribeAutoScalingGroupsResult>"
        "</DescribeAutoScalingGroupsResponse>";
    struct bg_arena *a = bg_arena_new();
    struct bg_error err = BG_ERROR_INIT;
    struct bg_aws_asg g;

    cr_assert_eq(bg_aws_autoscaling_parse_group(&g, a, xml, strlen(xml), &err), 0, "%s", err.msg);
    cr_expect_eq(g.min, 2);
    cr_expect_eq(g.max, 6);
    cr_expect_eq(g.desired, 3);
    cr_expect_eq(g.instances, 2);
    bg_arena_free(a);
}

Test(aws_nodegroup, an_empty_group_list_is_not_found_and_other_documents_are_refused)
{
    static const char empty[] = "<DescribeAutoScalingGroupsResponse " ASG_NS
                                "><DescribeAutoScalingGroupsResult><AutoScalingGroups/>"
                                "</DescribeAutoScalingGroupsResult>"
                                "</DescribeAutoScalingGroupsResponse>";
    static const char other[] = "<Other/>";
    struct bg_arena *a = bg_arena_new();
    struct bg_error err = BG_ERROR_INIT;
    struct bg_aws_asg g;

    cr_expect_eq(bg_aws_autoscaling_parse_group(&g, a, empty, strlen(empty), &err), BG_ENOTFOUND);
    cr_expect_eq(bg_aws_autoscaling_parse_group(&g, a, other, strlen(other), &err), BG_EPROTO);
    bg_arena_free(a);
}

Test(aws_nodegroup, reads_an_eks_node_group_scaling_config_and_status)
{
    static const char json[] = "{\"nodegroup\":{\"nodegroupName\":\"elastic\",\"status\":"
                               "\"UPDATING\",\"scalingConfig\":{\"minSize\":0,\"maxSize\":5,"
                               "\"desiredSize\":0}}}";
    static const char bad[] = "{\"nodegroup\":{\"status\":\"ACTIVE\"}}";
    struct bg_arena *a = bg_arena_new();
    struct bg_error err = BG_ERROR_INIT;
    struct bg_aws_nodegroup g;

    cr_assert_eq(bg_aws_eks_parse_nodegroup(&g, a, json, strlen(json), &err), 0, "%s", err.msg);
    cr_expect_eq(g.max, 5);
    cr_expect_eq(g.desired, 0);
    cr_expect_str_eq(g.status, "UPDATING");
    cr_expect_eq(bg_aws_eks_parse_nodegroup(&g, a, bad, strlen(bad), &err), BG_EPROTO);
    bg_arena_free(a);
}
