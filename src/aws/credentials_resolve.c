/*
 * credentials_resolve.c - runs a credential plan (creds.h): the base source, then each role
 * to assume, every AssumeRole signed with what the step before produced. Called by the cache
 * (credentials_cache.c) without its lock held, by one thread at a time.
 */
#include <string.h>

#include "creds.h"

static int web_identity(struct bg_aws_sts_creds *out, struct bg_aws__run *r,
                        const struct bg_aws__source *src, struct bg_error *err)
{
    const char *token = src->wi.token;
    int rc;

    if (token == NULL) {
        /* read at every refresh: CI runners and EKS write a new token before the old expires */
        rc = bg_aws__read_token(&token, r->a, src->wi.token_file, "web identity token file", err);
        if (rc != 0)
            return rc;
        bg_aws__secret(&r->secrets, token);
    }
    return bg_aws_sts_assume_role_with_web_identity(out, r->client, r->a, &src->wi, token, err);
}

static int base_creds(struct bg_aws_sts_creds *out, struct bg_aws__run *r,
                      const struct bg_aws__source *src, struct bg_error *err)
{
    memset(out, 0, sizeof(*out));
    switch (src->kind) {
    case BG_AWS__STATIC:
        out->access_key = src->access_key;
        out->secret_key = src->secret_key;
        out->token = src->token;
        return 0;
    case BG_AWS__WEB_IDENTITY:
        return web_identity(out, r, src, err);
    case BG_AWS__PROCESS:
        return bg_aws__process_run(out, r, src->argv, src->envp, err);
    case BG_AWS__CONTAINER:
        return bg_aws__container_fetch(out, r, src, err);
    case BG_AWS__IMDS:
        return bg_aws__imds_fetch(out, r, src->endpoint, err);
    case BG_AWS__NONE:
        break;
    }
    return bg_error_set(err, BG_EINVAL, "no credential source");
}

static void record(struct bg_aws__run *r, const struct bg_aws_sts_creds *c)
{
    bg_aws__secret(&r->secrets, c->secret_key);
    bg_aws__secret(&r->secrets, c->token);
}

static int base_failed(const struct bg_aws__plan *plan, const struct bg_error *why,
                       struct bg_error *err)
{
    if (why->code == BG_ECANCELED) /* not a missing credential: say what was interrupted */
        return bg_error_set(err, BG_ECANCELED, "getting AWS credentials from %s: %s",
                            plan->base.name, why->msg);
    return bg_error_set(err, why->code, "no AWS credentials: %s%s%s: %s", plan->tried,
                        plan->tried[0] != '\0' ? "; " : "", plan->base.name, why->msg);
}

int bg_aws__resolve(struct bg_aws_sts_creds *out, const char **source, struct bg_aws__run *r,
                    const struct bg_aws__plan *plan, struct bg_error *err)
{
    struct bg_error why = BG_ERROR_INIT;
    struct bg_aws_sts_creds cur, next;
    const char *desc = plan->base.name;
    int rc = base_creds(&cur, r, &plan->base, &why);

    memset(out, 0, sizeof(*out));
    if (rc != 0)
        return base_failed(plan, &why, err);
    for (size_t i = 0; i < plan->n_roles; i++) {
        const struct bg_aws_creds signer = {cur.access_key, cur.secret_key, cur.token, cur.expires,
                                            desc};

        rc = bg_aws_sts_assume_role(&next, r->client, r->a, &plan->roles[i], &signer, &why);
        if (rc != 0)
            return bg_error_set(err, rc, "AWS credentials from %s, but the role of %s: %s", desc,
                                plan->role_via[i], why.msg);
        record(r, &next);
        cur = next;
        desc = bg_arena_printf(r->a, "%s, role %s (%s)", desc, plan->roles[i].role_arn,
                               plan->role_via[i]);
    }
    *out = cur;
    *source = desc;
    return 0;
}
