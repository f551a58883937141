/*
 * sts.c - STS AssumeRole and AssumeRoleWithWebIdentity (include/bluegreen/aws.h): the Query
 * requests (API 2011-06-15) and their <action>Response/<action>Result/Credentials answers.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "creds.h"
#include "xml.h"

#define MAX_STS_PARAMS (8 + 2 * 50) /* AssumeRole fields + up to 50 session tags */

/* A session name when none is configured: AWS allows [\w+=,.@-]{2,64}. */
static const char *session_name(struct bg_arena *a, const char *configured)
{
    if (configured != NULL && configured[0] != '\0')
        return configured;
    return bg_arena_printf(a, "terraform-provider-bluegreen-%lld", (long long)time(NULL));
}

static void add(struct bg_aws_param *p, size_t *n, const char *name, const char *value)
{
    if (value != NULL && value[0] != '\0')
        p[(*n)++] = (struct bg_aws_param){name, value};
}

static void add_duration(struct bg_aws_param *p, size_t *n, struct bg_arena *a, long seconds)
{
    if (seconds > 0)
        add(p, n, "DurationSeconds", bg_arena_printf(a, "%ld", seconds));
}

static const char *text_of(struct bg_arena *a, const xmlNode *creds, const char *name)
{
    const char *t = bg_xml_text(a, bg_xml_child(creds, name));

    return t[0] != '\0' ? t : NULL;
}

int bg_aws_sts_parse_credentials(struct bg_aws_sts_creds *out, struct bg_arena *a,
                                 const char *action, const char *xml, size_t len,
                                 struct bg_error *err)
{
    char root_name[96], result_name[96];
    const xmlNode *creds;
    xmlDoc *doc = NULL;
    int rc;

    memset(out, 0, sizeof(*out));
    snprintf(root_name, sizeof(root_name), "%sResponse", action);
    snprintf(result_name, sizeof(result_name), "%sResult", action);
    rc = bg_xml_read(&doc, xml, len, err);
    if (rc != 0)
        return rc;
    creds = bg_xml_path(bg_xml_root(doc, root_name), result_name, "Credentials", NULL);
    out->access_key = text_of(a, creds, "AccessKeyId");
    out->secret_key = text_of(a, creds, "SecretAccessKey");
    out->token = text_of(a, creds, "SessionToken");
    if (out->access_key == NULL || out->secret_key == NULL || out->token == NULL)
        rc = bg_error_set(err, BG_EPROTO, "%s answer without credentials", action);
    else
        rc = bg_aws_parse_time(&out->expires, text_of(a, creds, "Expiration"), err);
    bg_xml_free(doc);
    if (rc != 0)
        memset(out, 0, sizeof(*out));
    return rc;
}

static int call_sts(struct bg_aws_sts_creds *out, struct bg_aws_client *c, struct bg_arena *a,
                    struct bg_aws_request *req, const char *role_arn, struct bg_error *err)
{
    struct bg_aws_response r;
    int rc;

    req->service = BG_AWS_STS;
    rc = bg_aws_client_call(&r, c, a, req, err);
    if (rc == 0)
        rc = bg_aws_sts_parse_credentials(out, a, req->action, r.body, r.len, err);
    if (rc != 0)
        bg_aws__error_prefix(err, rc, "STS %s (%s) at %s", req->action, role_arn,
                             bg_aws_client_endpoint(c, BG_AWS_STS));
    if (r.body != NULL)
        explicit_bzero(r.body, r.len); /* the answer carries the secret and the token */
    return rc;
}

int bg_aws_sts_assume_role(struct bg_aws_sts_creds *out, struct bg_aws_client *c,
                           struct bg_arena *a, const struct bg_aws_assume_role *role,
                           const struct bg_aws_creds *base, struct bg_error *err)
{
    struct bg_aws_param p[MAX_STS_PARAMS];
    struct bg_aws_request req = {.action = "AssumeRole", .params = p, .creds = base};
    size_t n = 0;

    add(p, &n, "RoleArn", role->role_arn);
    add(p, &n, "RoleSessionName", session_name(a, role->session_name));
    add_duration(p, &n, a, role->duration_s);
    add(p, &n, "ExternalId", role->external_id);
    add(p, &n, "Policy", role->policy);
    add(p, &n, "SourceIdentity", role->source_identity);
    for (size_t i = 0; i < role->n_tags && i < 50; i++) {
        add(p, &n, bg_arena_printf(a, "Tags.member.%zu.Key", i + 1), role->tags[i].name);
        add(p, &n, bg_arena_printf(a, "Tags.member.%zu.Value", i + 1), role->tags[i].value);
    }
    req.n_params = n;
    return call_sts(out, c, a, &req, role->role_arn, err);
}

int bg_aws_sts_assume_role_with_web_identity(struct bg_aws_sts_creds *out, struct bg_aws_client *c,
                                             struct bg_arena *a,
                                             const struct bg_aws_web_identity *wi,
                                             const char *token, struct bg_error *err)
{
    struct bg_aws_param p[4];
    struct bg_aws_request req = {
        .action = "AssumeRoleWithWebIdentity", .params = p, .anonymous = true};
    size_t n = 0;

    add(p, &n, "RoleArn", wi->role_arn);
    add(p, &n, "RoleSessionName", session_name(a, wi->session_name));
    add(p, &n, "WebIdentityToken", token);
    add_duration(p, &n, a, wi->duration_s);
    req.n_params = n;
    return call_sts(out, c, a, &req, wi->role_arn, err);
}
