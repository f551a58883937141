/*
 * autoscaling.c - the two Auto Scaling calls of bluegreen_statefulset_handoff: describe one
 * group, and set its desired and minimum size to 0 (include/bluegreen/aws.h). Query API
 * 2011-01-01: <DescribeAutoScalingGroupsResponse><DescribeAutoScalingGroupsResult>
 * <AutoScalingGroups><member>...</member></AutoScalingGroups>.
 */
#include <string.h>

#include "bluegreen/aws.h"
#include "xml.h"

static bool gone(const char *state)
{
    return strcmp(state, "Terminated") == 0 || strcmp(state, "Terminating:Proceed") == 0;
}

int bg_aws_autoscaling_parse_group(struct bg_aws_asg *out, struct bg_arena *a, const char *xml,
                                   size_t len, struct bg_error *err)
{
    const xmlNode *root, *group, *m;
    xmlDoc *doc = NULL;
    int rc;

    memset(out, 0, sizeof(*out));
    rc = bg_xml_read(&doc, xml, len, err);
    if (rc != 0)
        return rc;
    root = bg_xml_root(doc, "DescribeAutoScalingGroupsResponse");
    group =
        bg_xml_path(root, "DescribeAutoScalingGroupsResult", "AutoScalingGroups", "member", NULL);
    if (root == NULL) {
        rc = bg_error_set(err, BG_EPROTO, "expected a DescribeAutoScalingGroupsResponse");
    } else if (group == NULL) {
        rc = bg_error_set(err, BG_ENOTFOUND, "no such Auto Scaling group");
    } else {
        out->min = bg_xml_int(bg_xml_child(group, "MinSize"), -1);
        out->max = bg_xml_int(bg_xml_child(group, "MaxSize"), -1);
        out->desired = bg_xml_int(bg_xml_child(group, "DesiredCapacity"), -1);
        for (m = bg_xml_child(bg_xml_child(group, "Instances"), "member"); m != NULL;
             m = bg_xml_next(m))
            out->instances += !gone(bg_xml_text(a, bg_xml_child(m, "LifecycleState")));
        if (out->min < 0 || out->desired < 0)
            rc = bg_error_set(err, BG_EPROTO,
                              "Auto Scaling group without MinSize or "
                              "DesiredCapacity");
    }
    bg_xml_free(doc);
    return rc;
}

int bg_aws_autoscaling_describe(struct bg_aws_asg *out, struct bg_aws_client *c, struct bg_arena *a,
                                const char *name, struct bg_error *err)
{
    const struct bg_aws_param params[] = {{"AutoScalingGroupNames.member.1", name}};
    struct bg_aws_request req = {.action = "DescribeAutoScalingGroups",
                                 .params = params,
                                 .n_params = 1,
                                 .service = BG_AWS_AUTOSCALING};
    struct bg_aws_response resp;
    int rc = bg_aws_client_call(&resp, c, a, &req, err);

    if (rc != 0)
        return rc;
    rc = bg_aws_autoscaling_parse_group(out, a, resp.body, resp.len, err);
    if (rc == BG_ENOTFOUND)
        bg_error_set(err, rc, "Auto Scaling group \"%s\" not found in %s", name,
                     bg_aws_client_region(c));
    return rc;
}

int bg_aws_autoscaling_zero(struct bg_aws_client *c, struct bg_arena *a, const char *name,
                            struct bg_error *err)
{
    const struct bg_aws_param params[] = {
        {"AutoScalingGroupName", name}, {"MinSize", "0"}, {"DesiredCapacity", "0"}};
    struct bg_aws_request req = {.action = "UpdateAutoScalingGroup",
                                 .params = params,
                                 .n_params = 3,
                                 .service = BG_AWS_AUTOSCALING};

    return bg_aws_client_call(NULL, c, a, &req, err);
}
