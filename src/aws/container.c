/*
 * container.c - container credentials (creds.h): ECS task roles, CodeBuild, EKS Pod Identity.
 * A GET on the endpoint with the Authorization header from
 * AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE (read again at each refresh: EKS rotates it) or
 * AWS_CONTAINER_AUTHORIZATION_TOKEN; the answer is the usual JSON credentials document.
 */
#include <string.h>

#include "creds.h"

#define CONTAINER_TIMEOUT_MS 5000

static int auth_header(const char **out, struct bg_aws__run *r, const struct bg_aws__source *src,
                       struct bg_error *err)
{
    const char *token = src->auth;
    int rc;

    *out = NULL;
    if (src->auth_file != NULL) {
        rc = bg_aws__read_token(&token, r->a, src->auth_file,
                                "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE", err);
        if (rc != 0)
            return rc;
        bg_aws__secret(&r->secrets, token);
    }
    if (token != NULL && strpbrk(token, "\r\n") != NULL)
        return bg_error_set(err, BG_EINVAL, "the container authorization token holds a line break");
    *out = token;
    return 0;
}

int bg_aws__container_fetch(struct bg_aws_sts_creds *out, struct bg_aws__run *r,
                            const struct bg_aws__source *src, struct bg_error *err)
{
    struct bg_http_header hdr = {"Authorization", NULL};
    struct bg_http_request req = {0};
    struct bg_http_response h;
    int rc = auth_header(&hdr.value, r, src, err);

    memset(out, 0, sizeof(*out));
    if (rc != 0)
        return rc;
    req.method = "GET";
    req.url = src->url;
    req.headers = &hdr;
    req.n_headers = hdr.value != NULL ? 1 : 0;
    req.timeout_ms = CONTAINER_TIMEOUT_MS;
    req.max_body = 64u << 10;
    rc = bg_http_do(&h, bg_aws__client_http(r->client), r->a, &req, err);
    bg_aws__secret(&r->secrets, h.body);
    if (rc == 0 && h.status != 200)
        rc = bg_aws_parse_json_credentials(out, r->a, h.body, h.len, false, err) != 0
                 ? bg_aws__error_prefix(err, BG_EIO, "HTTP %ld", h.status)
                 : bg_error_set(err, BG_EIO, "HTTP %ld", h.status);
    else if (rc == 0)
        rc = bg_aws_parse_json_credentials(out, r->a, h.body, h.len, false, err);
    bg_aws__secret(&r->secrets, out->secret_key);
    bg_aws__secret(&r->secrets, out->token);
    return rc;
}
