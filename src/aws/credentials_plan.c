/*
 * credentials_plan.c - settles which credential source applies (creds.h), in the AWS SDKs'
 * order: the provider block, the environment keys, web identity from the environment, the
 * shared profile with its role chain, the container endpoint, the instance metadata. No
 * network here: ConfigureProvider builds the plan, the first AWS call runs it.
 *
 * A source that is configured is the one used, even when it later fails: passing over a
 * broken web identity to try the instance metadata would hide the real problem behind a
 * timeout (the SDKs behave the same way). Sources passed over are remembered with the reason,
 * so a failure can list every source in order.
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "creds.h"

#define MAX_PROFILE_DEPTH 8

struct builder {
    struct bg_aws__plan *plan;
    struct bg_arena *a;
    const struct bg_aws_settings *s;
    const char *const *envp;
    struct bg_aws__files files;
    const char *home;
};

/* One profile's settings, each from the credentials file first, then the config file. */
struct profile {
    const char *name;
    bool exists;
    const char *access_key, *secret_key, *token;
    const char *role_arn, *source_profile, *credential_source;
    const char *external_id, *session_name, *duration;
    const char *web_identity_token_file, *credential_process;
    bool sso;
};

static const char *env(const struct builder *b, const char *name)
{
    return bg_aws_env(b->envp, name);
}

static void passed_over(struct builder *b, const char *source, const char *why)
{
    b->plan->tried = bg_arena_printf(b->a, "%s%s%s: %s", b->plan->tried,
                                     b->plan->tried[0] != '\0' ? "; " : "", source, why);
}

static const char *copy(struct builder *b, const char *s)
{
    return s != NULL ? bg_arena_strdup(b->a, s) : NULL;
}

static const char *copy_secret(struct builder *b, const char *s)
{
    return s != NULL ? bg_aws__secret(&b->plan->secrets, bg_arena_strdup(b->a, s)) : NULL;
}

/* A path for messages: $HOME shortened to ~ (keeps the list within one error message). */
static const char *show_path(const struct builder *b, const char *path)
{
    size_t n = b->home != NULL ? strlen(b->home) : 0;

    if (path == NULL)
        return "(HOME unset)";
    if (n > 0 && strncmp(path, b->home, n) == 0 && path[n] == '/')
        return bg_arena_printf(b->a, "~%s", path + n);
    return path;
}

static void set_static(struct builder *b, const char *name, const char *id, const char *secret,
                       const char *token)
{
    struct bg_aws__source *src = &b->plan->base;

    src->kind = BG_AWS__STATIC;
    src->name = name;
    src->access_key = copy(b, id);
    src->secret_key = copy_secret(b, secret);
    src->token = token != NULL && token[0] != '\0' ? copy_secret(b, token) : NULL;
}

static int from_provider_keys(struct builder *b, bool *done, struct bg_error *err)
{
    const struct bg_aws_settings *s = b->s;

    if (s->access_key == NULL && s->secret_key == NULL) {
        passed_over(b, "provider access_key/secret_key", "not set");
        return 0;
    }
    if (s->access_key == NULL || s->secret_key == NULL)
        return bg_error_set(err, BG_EINVAL, "%s is set in the provider block but %s is not",
                            s->access_key ? "access_key" : "secret_key",
                            s->access_key ? "secret_key" : "access_key");
    set_static(b, "provider access_key/secret_key", s->access_key, s->secret_key, s->token);
    *done = true;
    return 0;
}

static bool env_keys(const struct builder *b, const char **id, const char **secret)
{
    *id = env(b, "AWS_ACCESS_KEY_ID");
    *secret = env(b, "AWS_SECRET_ACCESS_KEY");
    return *id != NULL && *secret != NULL;
}

static void from_env_keys(struct builder *b, bool *done)
{
    const char *id, *secret;

    if (b->s->profile != NULL) {
        passed_over(b, "AWS_ACCESS_KEY_ID", "skipped (profile set in the provider block)");
        return;
    }
    if (!env_keys(b, &id, &secret)) {
        passed_over(b, "AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY",
                    id != NULL || secret != NULL ? "only one of the pair set" : "not set");
        return;
    }
    set_static(b, "environment (AWS_ACCESS_KEY_ID)", id, secret,
               b->s->token != NULL ? b->s->token : env(b, "AWS_SESSION_TOKEN"));
    *done = true;
}

static void set_web_identity(struct builder *b, const char *name, const char *arn,
                             const char *session, const char *file, long duration)
{
    struct bg_aws__source *src = &b->plan->base;

    src->kind = BG_AWS__WEB_IDENTITY;
    src->name = name;
    src->wi.role_arn = copy(b, arn);
    src->wi.session_name = copy(b, session);
    src->wi.token_file = copy(b, file);
    src->wi.duration_s = duration;
}

static int from_env_web_identity(struct builder *b, bool *done, struct bg_error *err)
{
    const char *arn = env(b, "AWS_ROLE_ARN"), *file = env(b, "AWS_WEB_IDENTITY_TOKEN_FILE");

    if (b->s->profile != NULL) {
        passed_over(b, "AWS_WEB_IDENTITY_TOKEN_FILE", "skipped (profile set)");
        return 0;
    }
    if (file == NULL) {
        passed_over(b, "AWS_ROLE_ARN/AWS_WEB_IDENTITY_TOKEN_FILE", "not set");
        return 0;
    }
    if (arn == NULL)
        return bg_error_set(err, BG_EINVAL,
                            "AWS_WEB_IDENTITY_TOKEN_FILE is set but AWS_ROLE_ARN is not: web "
                            "identity needs the role to assume");
    set_web_identity(b,
                     bg_arena_printf(b->a, "web identity (AWS_ROLE_ARN %s, token file %s)", arn,
                                     show_path(b, file)),
                     arn, env(b, "AWS_ROLE_SESSION_NAME"), file, 0);
    *done = true;
    return 0;
}

/* ---- shared profiles ------------------------------------------------------------------- */

static const char *profile_get(struct builder *b, const char *profile, const char *key)
{
    const char *v = bg_aws__ini_get(b->a, b->files.cred_text, profile, key, 0);

    if (v == NULL || v[0] == '\0')
        v = bg_aws__ini_get(b->a, b->files.config_text, profile, key, 1);
    return v != NULL && v[0] != '\0' ? v : NULL;
}

static void read_profile(struct profile *p, struct builder *b, const char *name)
{
    memset(p, 0, sizeof(*p));
    p->name = name;
    p->exists = bg_aws__ini_has(b->a, b->files.cred_text, name, 0) ||
                bg_aws__ini_has(b->a, b->files.config_text, name, 1);
    p->access_key = profile_get(b, name, "aws_access_key_id");
    p->secret_key = profile_get(b, name, "aws_secret_access_key");
    p->token = profile_get(b, name, "aws_session_token");
    p->role_arn = profile_get(b, name, "role_arn");
    p->source_profile = profile_get(b, name, "source_profile");
    p->credential_source = profile_get(b, name, "credential_source");
    p->external_id = profile_get(b, name, "external_id");
    p->session_name = profile_get(b, name, "role_session_name");
    p->duration = profile_get(b, name, "duration_seconds");
    p->web_identity_token_file = profile_get(b, name, "web_identity_token_file");
    p->credential_process = profile_get(b, name, "credential_process");
    p->sso = profile_get(b, name, "sso_start_url") != NULL ||
             profile_get(b, name, "sso_session") != NULL ||
             profile_get(b, name, "sso_account_id") != NULL;
}

static bool has_keys(const struct profile *p)
{
    return p->access_key != NULL && p->secret_key != NULL;
}

static int push_role(struct builder *b, const struct profile *p, struct bg_error *err)
{
    struct bg_aws__plan *plan = b->plan;
    struct bg_aws_assume_role *r;
    long seconds = 0;

    if (plan->n_roles == BG_AWS__MAX_ROLES)
        return bg_error_set(err, BG_EINVAL, "profile \"%s\": role chain too long", p->name);
    if (p->duration != NULL && sscanf(p->duration, "%ld", &seconds) != 1)
        return bg_error_set(err, BG_EINVAL, "profile \"%s\": duration_seconds is not a number",
                            p->name);
    r = &plan->roles[plan->n_roles];
    memset(r, 0, sizeof(*r));
    r->role_arn = copy(b, p->role_arn);
    r->session_name = copy(b, p->session_name);
    r->external_id = copy(b, p->external_id);
    r->duration_s = seconds;
    plan->role_via[plan->n_roles++] = bg_arena_printf(b->a, "profile \"%s\"", p->name);
    return 0;
}

static int sso_refused(const struct profile *p, struct bg_error *err)
{
    return bg_error_set(err, BG_EINVAL,
                        "profile \"%s\" uses IAM Identity Center (sso_*), which this provider "
                        "does not read: run `aws sso login`, then use a profile with "
                        "credential_process = aws configure export-credentials --profile %s "
                        "--format process, or a role (web identity in CI)",
                        p->name, p->name);
}

static int container_source(struct builder *b, bool *done, struct bg_error *err);
static void imds_source(struct builder *b, bool *done);

static int from_credential_source(struct builder *b, const struct profile *p, struct bg_error *err)
{
    const char *cs = p->credential_source, *id, *secret;
    bool done = false;
    int rc = 0;

    if (strcmp(cs, "Environment") == 0) {
        if (!env_keys(b, &id, &secret))
            return bg_error_set(err, BG_EINVAL,
                                "profile \"%s\": credential_source = Environment but "
                                "AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY are not set",
                                p->name);
        set_static(b, "environment (credential_source)", id, secret, env(b, "AWS_SESSION_TOKEN"));
        return 0;
    }
    if (strcmp(cs, "Ec2InstanceMetadata") == 0)
        imds_source(b, &done);
    else if (strcmp(cs, "EcsContainer") == 0)
        rc = container_source(b, &done, err);
    else
        return bg_error_set(err, BG_EINVAL,
                            "profile \"%s\": credential_source \"%s\" is not Environment, "
                            "Ec2InstanceMetadata or EcsContainer",
                            p->name, cs);
    if (rc == 0 && !done)
        rc = bg_error_set(err, BG_EINVAL, "profile \"%s\": credential_source = %s: %s", p->name, cs,
                          b->plan->tried);
    return rc;
}

static int profile_chain(struct builder *b, const char *name, int depth, bool *done,
                         struct bg_error *err);

/* role_arn in a profile: the base comes from source_profile, credential_source or a web
 * identity token file, then the role is assumed with it. */
static int profile_role(struct builder *b, const struct profile *p, int depth, struct bg_error *err)
{
    bool done = false;
    int rc;

    if (p->web_identity_token_file != NULL && p->source_profile == NULL &&
        p->credential_source == NULL) {
        set_web_identity(b,
                         bg_arena_printf(b->a, "profile \"%s\" web_identity_token_file", p->name),
                         p->role_arn, p->session_name, p->web_identity_token_file, 0);
        return 0;
    }
    if (p->source_profile != NULL && strcmp(p->source_profile, p->name) == 0) {
        if (!has_keys(p))
            return bg_error_set(err, BG_EINVAL,
                                "profile \"%s\" is its own source_profile but has no keys",
                                p->name);
        set_static(b, bg_arena_printf(b->a, "profile \"%s\" keys", p->name), p->access_key,
                   p->secret_key, p->token);
        rc = 0;
    } else if (p->source_profile != NULL) {
        rc = profile_chain(b, p->source_profile, depth + 1, &done, err);
    } else if (p->credential_source != NULL) {
        rc = from_credential_source(b, p, err);
    } else {
        return bg_error_set(err, BG_EINVAL,
                            "profile \"%s\" has role_arn but no source_profile, "
                            "credential_source or web_identity_token_file",
                            p->name);
    }
    return rc != 0 ? rc : push_role(b, p, err);
}

/* The helper's environment: a copy (tests pass arrays on their stack), wiped on free since
 * it may hold keys. */
static const char *const *copy_env(struct builder *b)
{
    size_t n = 0;
    const char **out;

    while (b->envp != NULL && b->envp[n] != NULL)
        n++;
    out = bg_arena_calloc(b->a, n + 1, sizeof(*out));
    for (size_t i = 0; i < n; i++)
        out[i] = copy_secret(b, b->envp[i]);
    return out;
}

static int profile_base(struct builder *b, const struct profile *p, bool *done,
                        struct bg_error *err)
{
    const char **argv;
    size_t argc;
    int rc;

    *done = true;
    if (has_keys(p)) {
        set_static(b, bg_arena_printf(b->a, "profile \"%s\" keys", p->name), p->access_key,
                   p->secret_key, p->token);
        return 0;
    }
    if (p->sso)
        return sso_refused(p, err);
    if (p->credential_process != NULL) {
        rc = bg_aws__split_command(&argv, &argc, b->a, p->credential_process, err);
        if (rc != 0)
            return bg_aws__error_prefix(err, rc, "profile \"%s\": credential_process", p->name);
        b->plan->base.kind = BG_AWS__PROCESS;
        b->plan->base.name =
            bg_arena_printf(b->a, "profile \"%s\" credential_process (%s)", p->name, argv[0]);
        b->plan->base.argv = argv;
        b->plan->base.envp = copy_env(b);
        return 0;
    }
    *done = false;
    return 0;
}

static int profile_chain(struct builder *b, const char *name, int depth, bool *done,
                         struct bg_error *err)
{
    struct profile p;
    int rc;

    if (depth > MAX_PROFILE_DEPTH)
        return bg_error_set(err, BG_EINVAL,
                            "profile \"%s\": source_profile chain deeper than %d (a loop?)", name,
                            MAX_PROFILE_DEPTH);
    read_profile(&p, b, name);
    if (!p.exists)
        return bg_error_set(err, BG_EINVAL,
                            "profile \"%s\" (a source_profile) not found in %s or %s", name,
                            show_path(b, b->files.credentials), show_path(b, b->files.config));
    if (p.role_arn != NULL) {
        *done = true;
        return profile_role(b, &p, depth, err);
    }
    rc = profile_base(b, &p, done, err);
    if (rc == 0 && !*done)
        rc = bg_error_set(err, BG_EINVAL, "profile \"%s\" (a source_profile) has no credentials",
                          name);
    return rc;
}

static int from_profile(struct builder *b, bool *done, struct bg_error *err)
{
    const char *name = b->s->profile != NULL ? b->s->profile : env(b, "AWS_PROFILE");
    bool named = name != NULL;
    struct profile p;
    const char *label;
    int rc;

    name = named ? name : "default";
    label = bg_arena_printf(b->a, "profile \"%s\"", name);
    read_profile(&p, b, name);
    if (!p.exists && named)
        return bg_error_set(err, BG_EINVAL, "%s: not found in %s or %s", label,
                            show_path(b, b->files.credentials), show_path(b, b->files.config));
    if (!p.exists) {
        passed_over(b, label,
                    bg_arena_printf(b->a, "not in %s or %s", show_path(b, b->files.credentials),
                                    show_path(b, b->files.config)));
        return 0;
    }
    if (p.role_arn != NULL) {
        *done = true;
        return profile_role(b, &p, 0, err);
    }
    rc = profile_base(b, &p, done, err);
    if (rc == 0 && !*done)
        passed_over(b, label, "no credentials in it");
    return rc;
}

/* ---- container and instance metadata ------------------------------------------------------- */

static int refuse_non_loopback(struct builder *b, const char *what, const char *url,
                               struct bg_error *err)
{
    if (!b->plan->loopback_only || bg_aws__url_is_loopback(url))
        return 0;
    return bg_error_set(err, BG_EINVAL,
                        "%s %s refused: not a loopback address (BG_AWS_INTERNAL_LOOPBACK_ONLY)",
                        what, url);
}

static int container_url(const char **out, struct builder *b, struct bg_error *err)
{
    const char *rel = env(b, "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI");
    const char *full = env(b, "AWS_CONTAINER_CREDENTIALS_FULL_URI");
    const char *host = env(b, "BG_AWS_INTERNAL_CONTAINER_HOST");

    *out = NULL;
    if (rel != NULL) {
        *out = bg_arena_printf(b->a, "%s%s%s", host != NULL ? host : BG_AWS__ECS_DEFAULT,
                               rel[0] == '/' ? "" : "/", rel);
    } else if (full != NULL) {
        if (!bg_aws__container_url_ok(full))
            return bg_error_set(err, BG_EINVAL,
                                "AWS_CONTAINER_CREDENTIALS_FULL_URI must be https, or http to a "
                                "loopback address, 169.254.170.2 or 169.254.170.23");
        *out = full;
    }
    return 0;
}

static int container_source(struct builder *b, bool *done, struct bg_error *err)
{
    struct bg_aws__source *src = &b->plan->base;
    const char *url;
    int rc = container_url(&url, b, err);

    if (rc != 0)
        return rc;
    if (url == NULL) {
        passed_over(b, "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI/FULL_URI", "not set");
        return 0;
    }
    rc = refuse_non_loopback(b, "container credentials endpoint", url, err);
    if (rc != 0)
        return rc;
    src->kind = BG_AWS__CONTAINER;
    src->url = copy(b, url);
    src->auth_file = copy(b, env(b, "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE"));
    src->auth =
        src->auth_file == NULL ? copy_secret(b, env(b, "AWS_CONTAINER_AUTHORIZATION_TOKEN")) : NULL;
    src->name = env(b, "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI") != NULL
                    ? "container credentials (AWS_CONTAINER_CREDENTIALS_RELATIVE_URI)"
                    : "container credentials (AWS_CONTAINER_CREDENTIALS_FULL_URI)";
    *done = true;
    return 0;
}

static const char *imds_endpoint(struct builder *b)
{
    const char *e = env(b, "AWS_EC2_METADATA_SERVICE_ENDPOINT");
    const char *mode = env(b, "AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE");
    size_t n;

    if (e == NULL)
        return mode != NULL && strcasecmp(mode, "IPv6") == 0 ? "http://[fd00:ec2::254]"
                                                             : BG_AWS__IMDS_DEFAULT;
    n = strlen(e);
    while (n > 0 && e[n - 1] == '/')
        n--;
    return bg_arena_strndup(b->a, e, n);
}

static void imds_source(struct builder *b, bool *done)
{
    const char *disabled = env(b, "AWS_EC2_METADATA_DISABLED");
    const char *endpoint;

    if (disabled != NULL && strcasecmp(disabled, "true") == 0) {
        passed_over(b, "EC2 instance metadata", "disabled (AWS_EC2_METADATA_DISABLED)");
        return;
    }
    endpoint = imds_endpoint(b);
    if (b->plan->loopback_only && !bg_aws__url_is_loopback(endpoint)) {
        passed_over(
            b, "EC2 instance metadata",
            bg_arena_printf(b->a, "%s not tried (BG_AWS_INTERNAL_LOOPBACK_ONLY)", endpoint));
        return;
    }
    b->plan->base.kind = BG_AWS__IMDS;
    b->plan->base.endpoint = endpoint;
    b->plan->base.name = bg_arena_printf(b->a, "EC2 instance metadata (IMDSv2 at %s)", endpoint);
    *done = true;
}

/* ---- the provider's own blocks -------------------------------------------------------------- */

static int from_web_identity_block(struct builder *b, struct bg_error *err)
{
    const struct bg_aws_web_identity *wi = b->s->web_identity;
    struct bg_aws__source *src = &b->plan->base;

    if (wi->role_arn == NULL || wi->role_arn[0] == '\0')
        return bg_error_set(err, BG_EINVAL, "assume_role_with_web_identity: role_arn is required");
    if ((wi->token == NULL) == (wi->token_file == NULL))
        return bg_error_set(err, BG_EINVAL,
                            "assume_role_with_web_identity: set exactly one of "
                            "web_identity_token and web_identity_token_file");
    set_web_identity(b, bg_arena_printf(b->a, "assume_role_with_web_identity (%s)", wi->role_arn),
                     wi->role_arn, wi->session_name, wi->token_file, wi->duration_s);
    src->wi.token = copy_secret(b, wi->token);
    return 0;
}

static int push_assume_role_block(struct builder *b, struct bg_error *err)
{
    const struct bg_aws_assume_role *in = b->s->assume_role;
    struct bg_aws__plan *plan = b->plan;
    struct bg_aws_assume_role *r = &plan->roles[plan->n_roles];
    struct bg_aws_param *tags;

    if (in->role_arn == NULL || in->role_arn[0] == '\0')
        return bg_error_set(err, BG_EINVAL, "assume_role: role_arn is required");
    if (plan->n_roles == BG_AWS__MAX_ROLES)
        return bg_error_set(err, BG_EINVAL, "assume_role: role chain too long");
    *r = *in;
    r->role_arn = copy(b, in->role_arn);
    r->session_name = copy(b, in->session_name);
    r->external_id = copy(b, in->external_id);
    r->policy = copy(b, in->policy);
    r->source_identity = copy(b, in->source_identity);
    tags = bg_arena_calloc(b->a, in->n_tags + 1, sizeof(*tags));
    for (size_t i = 0; i < in->n_tags; i++) {
        tags[i].name = copy(b, in->tags[i].name);
        tags[i].value = copy(b, in->tags[i].value);
    }
    r->tags = tags;
    plan->role_via[plan->n_roles++] = "assume_role";
    return 0;
}

/* The chain proper, stopping at the first configured source. */
static int chain(struct builder *b, struct bg_error *err)
{
    bool done = false;
    int rc = from_provider_keys(b, &done, err);

    if (rc == 0 && !done)
        from_env_keys(b, &done);
    if (rc == 0 && !done)
        rc = from_env_web_identity(b, &done, err);
    if (rc == 0 && !done)
        rc = from_profile(b, &done, err);
    if (rc == 0 && !done)
        rc = container_source(b, &done, err);
    if (rc == 0 && !done)
        imds_source(b, &done);
    if (rc == 0 && !done)
        rc = bg_error_set(err, BG_EINVAL, "no AWS credentials: %s", b->plan->tried);
    return rc;
}

static bool needs_sts(const struct bg_aws__plan *p)
{
    return p->n_roles > 0 || p->base.kind == BG_AWS__WEB_IDENTITY;
}

int bg_aws__plan_build(struct bg_aws__plan *out, struct bg_arena *a,
                       const struct bg_aws_settings *s, const char *const *envp,
                       const char *sts_endpoint, struct bg_error *err)
{
    struct builder b = {out, a, s, envp, {0}, bg_aws_env(envp, "HOME")};
    const char *lo = bg_aws_env(envp, "BG_AWS_INTERNAL_LOOPBACK_ONLY");
    int rc;

    memset(out, 0, sizeof(*out));
    out->tried = "";
    out->secrets.a = a;
    out->loopback_only = lo != NULL && strcmp(lo, "0") != 0;
    bg_aws__files_load(&b.files, a, envp);
    rc = s->web_identity != NULL ? from_web_identity_block(&b, err) : chain(&b, err);
    if (rc == 0 && s->assume_role != NULL)
        rc = push_assume_role_block(&b, err);
    if (rc == 0 && needs_sts(out))
        rc = refuse_non_loopback(&b, "STS endpoint", sts_endpoint, err);
    return rc;
}
