/*
 * eks.c - the EKS managed node group calls of bluegreen_statefulset_handoff: DescribeNodegroup
 * and UpdateNodegroupConfig (REST JSON, include/bluegreen/aws.h).
 */
#include <cjson/cJSON.h>
#include <string.h>

#include "bluegreen/aws.h"

/* EKS names are letters, digits, '-' and '_': nothing to percent-encode in a path. */
static int check_name(const char *what, const char *s, struct bg_error *err)
{
    size_t n = strlen(s);

    if (n == 0 || n > 100 ||
        strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_") != n)
        return bg_error_set(err, BG_EINVAL, "%s \"%.100s\" is not an EKS name", what, s);
    return 0;
}

static int json_size(const cJSON *o, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);

    return cJSON_IsNumber(v) && v->valuedouble >= 0 && v->valuedouble < 1e6 ? (int)v->valuedouble
                                                                            : -1;
}

int bg_aws_eks_parse_nodegroup(struct bg_aws_nodegroup *out, struct bg_arena *a, const char *json,
                               size_t len, struct bg_error *err)
{
    cJSON *doc = cJSON_ParseWithLength(json, len);
    const cJSON *ng = cJSON_GetObjectItemCaseSensitive(doc, "nodegroup");
    const cJSON *sc = cJSON_GetObjectItemCaseSensitive(ng, "scalingConfig");
    const cJSON *st = cJSON_GetObjectItemCaseSensitive(ng, "status");
    int rc = 0;

    memset(out, 0, sizeof(*out));
    out->min = json_size(sc, "minSize");
    out->max = json_size(sc, "maxSize");
    out->desired = json_size(sc, "desiredSize");
    out->status = bg_arena_strdup(a, cJSON_IsString(st) ? st->valuestring : "");
    if (!cJSON_IsObject(sc) || out->min < 0 || out->desired < 0 || out->max < 0)
        rc = bg_error_set(err, BG_EPROTO, "DescribeNodegroup answer without scalingConfig");
    cJSON_Delete(doc);
    return rc;
}

int bg_aws_eks_describe_nodegroup(struct bg_aws_nodegroup *out, struct bg_aws_client *c,
                                  struct bg_arena *a, const char *cluster, const char *nodegroup,
                                  struct bg_error *err)
{
    struct bg_aws_rest_request req = {
        .action = "DescribeNodegroup", .service = BG_AWS_EKS, .method = "GET"};
    struct bg_aws_response resp;
    int rc = check_name("cluster_name", cluster, err);

    if (rc == 0)
        rc = check_name("nodegroup_name", nodegroup, err);
    if (rc != 0)
        return rc;
    req.path = bg_arena_printf(a, "/clusters/%s/node-groups/%s", cluster, nodegroup);
    rc = bg_aws_client_rest(&resp, c, a, &req, err);
    return rc != 0 ? rc : bg_aws_eks_parse_nodegroup(out, a, resp.body, resp.len, err);
}

int bg_aws_eks_nodegroup_zero(struct bg_aws_client *c, struct bg_arena *a, const char *cluster,
                              const char *nodegroup, int max, struct bg_error *err)
{
    struct bg_aws_rest_request req = {
        .action = "UpdateNodegroupConfig", .service = BG_AWS_EKS, .method = "POST"};
    int rc = check_name("cluster_name", cluster, err);

    if (rc == 0)
        rc = check_name("nodegroup_name", nodegroup, err);
    if (rc != 0)
        return rc;
    req.path = bg_arena_printf(a, "/clusters/%s/node-groups/%s/update-config", cluster, nodegroup);
    req.json = bg_arena_printf(a,
                               "{\"scalingConfig\":{\"minSize\":0,\"desiredSize\":0,"
                               "\"maxSize\":%d}}",
                               max > 0 ? max : 1);
    return bg_aws_client_rest(NULL, c, a, &req, err);
}
