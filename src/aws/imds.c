/*
 * imds.c - EC2 instance metadata credentials, IMDSv2 (creds.h): PUT /latest/api/token for a
 * session token, then the role name under /latest/meta-data/iam/security-credentials/ and its
 * credentials document.
 *
 * Timeouts are short: off EC2 nothing answers at 169.254.169.254 and the chain should say so
 * within seconds, not after the client's 30 s default.
 */
#include <string.h>

#include "creds.h"

#define IMDS_TIMEOUT_MS 2000
#define CREDS_PATH      "/latest/meta-data/iam/security-credentials/"

/* The path of url, for messages (the host is in the source's name already). */
static const char *path_of(const char *url)
{
    const char *p = strstr(url, "://");
    const char *slash = p != NULL ? strchr(p + 3, '/') : NULL;

    return slash != NULL ? slash : url;
}

static int imds_get(struct bg_http_response *h, struct bg_aws__run *r, const char *method,
                    const char *url, const struct bg_http_header *hdr, struct bg_error *err)
{
    struct bg_http_request req = {0};
    int rc;

    req.method = method;
    req.url = url;
    req.headers = hdr;
    req.n_headers = 1;
    req.body = strcmp(method, "PUT") == 0 ? "" : NULL; /* Content-Length: 0 */
    req.timeout_ms = IMDS_TIMEOUT_MS;
    req.max_body = 64u << 10;
    rc = bg_http_do(h, bg_aws__client_http(r->client), r->a, &req, err);
    if (rc == 0 && h->status != 200)
        rc = bg_error_set(err, BG_EIO, "%s %s: HTTP %ld", method, path_of(url), h->status);
    return rc;
}

static int session_token(const char **out, struct bg_aws__run *r, const char *endpoint,
                         struct bg_error *err)
{
    const struct bg_http_header ttl = {"X-aws-ec2-metadata-token-ttl-seconds", "21600"};
    struct bg_http_response h;
    int rc =
        imds_get(&h, r, "PUT", bg_arena_printf(r->a, "%s/latest/api/token", endpoint), &ttl, err);

    *out = rc == 0 ? bg_aws__secret(&r->secrets, h.body) : NULL;
    if (rc == 0 && (h.len == 0 || strpbrk(h.body, "\r\n") != NULL))
        rc = bg_error_set(err, BG_EPROTO, "IMDSv2 token answer is not a token");
    return rc;
}

/* The first line of the role listing: an instance profile has exactly one role. */
static int role_name(const char **out, struct bg_aws__run *r, const char *endpoint,
                     const struct bg_http_header *auth, struct bg_error *err)
{
    struct bg_http_response h;
    int rc = imds_get(&h, r, "GET", bg_arena_printf(r->a, "%s" CREDS_PATH, endpoint), auth, err);
    size_t n;

    if (rc != 0)
        return h.status == 404
                   ? bg_error_set(err, BG_ENOTFOUND, "the instance has no IAM role attached")
                   : rc;
    n = strcspn(h.body, "\r\n");
    while (n > 0 && h.body[n - 1] == ' ')
        n--;
    if (n == 0 || memchr(h.body, '/', n) != NULL)
        return bg_error_set(err, BG_EPROTO, "the instance has no IAM role attached");
    *out = bg_arena_strndup(r->a, h.body, n);
    return 0;
}

int bg_aws__imds_fetch(struct bg_aws_sts_creds *out, struct bg_aws__run *r, const char *endpoint,
                       struct bg_error *err)
{
    struct bg_http_header auth = {"X-aws-ec2-metadata-token", NULL};
    struct bg_http_response h;
    const char *role = "";
    int rc = session_token(&auth.value, r, endpoint, err);

    memset(out, 0, sizeof(*out));
    if (rc == 0)
        rc = role_name(&role, r, endpoint, &auth, err);
    if (rc == 0)
        rc = imds_get(&h, r, "GET", bg_arena_printf(r->a, "%s" CREDS_PATH "%s", endpoint, role),
                      &auth, err);
    if (rc != 0)
        return rc;
    bg_aws__secret(&r->secrets, h.body);
    rc = bg_aws_parse_json_credentials(out, r->a, h.body, h.len, false, err);
    bg_aws__secret(&r->secrets, out->secret_key);
    bg_aws__secret(&r->secrets, out->token);
    if (rc != 0)
        return bg_aws__error_prefix(err, rc, "role %s", role);
    return 0;
}
