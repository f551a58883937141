/*
 * credentials.c - resolves region, profile and endpoints (include/bluegreen/aws.h), and reads
 * the shared files for the credential chain (creds.h).
 *
 * The environment is an explicit envp array rather than getenv() so tests can run in
 * parallel with their own environments and nothing here reads process state.
 */
#include <stdio.h>
#include <string.h>

#include "creds.h"

#define MAX_INI_SIZE (1u << 20) /* shared files are small; refuse to slurp anything huge */

const char *bg_aws_env(const char *const *envp, const char *name)
{
    size_t n = strlen(name);

    if (envp == NULL)
        return NULL;
    for (; *envp != NULL; envp++) {
        if (strncmp(*envp, name, n) == 0 && (*envp)[n] == '=')
            return (*envp)[n + 1] != '\0' ? *envp + n + 1 : NULL;
    }
    return NULL;
}

static const char *first_set(const char *a, const char *b)
{
    return a != NULL && a[0] != '\0' ? a : b;
}

static char *read_file(struct bg_arena *a, const char *path)
{
    FILE *f;
    char *buf = NULL;
    long size;
    size_t n;

    if (path == NULL)
        return NULL;
    f = fopen(path, "r");
    if (f == NULL)
        return NULL;
    if (fseek(f, 0, SEEK_END) != 0)
        goto done;
    size = ftell(f);
    if (size < 0 || size > (long)MAX_INI_SIZE || fseek(f, 0, SEEK_SET) != 0)
        goto done;
    buf = bg_arena_alloc(a, (size_t)size + 1);
    n = fread(buf, 1, (size_t)size, f);
    buf[n] = '\0';
done:
    fclose(f);
    return buf;
}

static const char *trim(char *s, char **end)
{
    while (*s == ' ' || *s == '\t')
        s++;
    *end = s + strlen(s);
    while (*end > s && strchr(" \t\r", (*end)[-1]) != NULL)
        *--*end = '\0';
    return s;
}

/* Does "[ name ]" or "[profile name]" (per want_prefix) name section? */
static int is_section(const char *line, const char *section, int want_prefix)
{
    char name[256];
    size_t n = strlen(line);

    if (n < 2 || line[0] != '[' || line[n - 1] != ']' || n - 2 >= sizeof(name))
        return 0;
    memcpy(name, line + 1, n - 2);
    name[n - 2] = '\0';
    if (want_prefix && strncmp(name, "profile ", 8) == 0)
        return strcmp(name + 8 + strspn(name + 8, " "), section) == 0;
    /* the config file names every profile but the default one "[profile x]" */
    if (want_prefix && strcmp(section, "default") != 0)
        return 0;
    return strcmp(name, section) == 0;
}

/* Value of key in [section] of INI text; config files use [profile x] except for default.
 * key NULL: "" when the section exists at all. */
static const char *ini_lookup(struct bg_arena *a, const char *text, const char *section,
                              const char *key, int config_file)
{
    char *copy, *line, *save = NULL, *end, *eq;
    const char *l, *k;
    int in_section = 0;

    if (text == NULL)
        return NULL;
    copy = bg_arena_strdup(a, text);
    for (line = strtok_r(copy, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        l = trim(line, &end);
        if (l[0] == '#' || l[0] == ';' || l[0] == '\0')
            continue;
        if (l[0] == '[') {
            in_section = is_section(l, section, config_file);
            if (in_section && key == NULL)
                return "";
            continue;
        }
        eq = strchr(l, '=');
        if (!in_section || eq == NULL || key == NULL)
            continue;
        *eq = '\0';
        k = trim((char *)l, &end);
        if (strcmp(k, key) == 0)
            return bg_arena_strdup(a, trim(eq + 1, &end));
    }
    return NULL;
}

const char *bg_aws__ini_get(struct bg_arena *a, const char *text, const char *profile,
                            const char *key, int config_file)
{
    return ini_lookup(a, text, profile, key, config_file);
}

int bg_aws__ini_has(struct bg_arena *a, const char *text, const char *profile, int config_file)
{
    return ini_lookup(a, text, profile, NULL, config_file) != NULL;
}

void bg_aws__files_load(struct bg_aws__files *f, struct bg_arena *a, const char *const *envp)
{
    const char *home = bg_aws_env(envp, "HOME");

    f->credentials = bg_aws_env(envp, "AWS_SHARED_CREDENTIALS_FILE");
    f->config = bg_aws_env(envp, "AWS_CONFIG_FILE");
    if (f->credentials == NULL && home != NULL)
        f->credentials = bg_arena_printf(a, "%s/.aws/credentials", home);
    if (f->config == NULL && home != NULL)
        f->config = bg_arena_printf(a, "%s/.aws/config", home);
    f->cred_text = read_file(a, f->credentials);
    f->config_text = read_file(a, f->config);
}

static int resolve_region(struct bg_aws_config *out, struct bg_arena *a,
                          const struct bg_aws_settings *s, const char *const *envp,
                          const struct bg_aws__files *f, struct bg_error *err)
{
    out->region = first_set(s->region, bg_aws_env(envp, "AWS_REGION"));
    out->region = first_set(out->region, bg_aws_env(envp, "AWS_DEFAULT_REGION"));
    if (out->region == NULL)
        out->region = ini_lookup(a, f->config_text, out->profile, "region", 1);
    if (out->region != NULL && out->region[0] != '\0')
        return 0;
    return bg_error_set(err, BG_EINVAL,
                        "no AWS region: looked for region in the provider block, AWS_REGION, "
                        "AWS_DEFAULT_REGION and profile \"%s\" in %s",
                        out->profile, f->config ? f->config : "(no config file: HOME unset)");
}

/* One service's endpoint: setting, AWS_ENDPOINT_URL_<env>, AWS_ENDPOINT_URL, else AWS's. */
static int resolve_endpoint(struct bg_aws_config *out, struct bg_arena *a,
                            const struct bg_aws_settings *s, const char *const *envp,
                            enum bg_aws_service service, struct bg_error *err)
{
    const struct bg_aws_service_info *info = bg_aws_service(service);
    const char *env = bg_arena_printf(a, "AWS_ENDPOINT_URL_%s", info->env);
    const char *e = first_set(s->endpoints[service], bg_aws_env(envp, env));
    size_t n;

    e = first_set(e, bg_aws_env(envp, "AWS_ENDPOINT_URL"));
    if (e == NULL) {
        /* the China partition has its own DNS suffix; STS is always regional here */
        out->endpoints[service] =
            bg_arena_printf(a, "https://%s.%s.amazonaws.com%s", info->host_prefix, out->region,
                            strncmp(out->region, "cn-", 3) == 0 ? ".cn" : "");
        return 0;
    }
    if (strncmp(e, "https://", 8) != 0 && strncmp(e, "http://", 7) != 0)
        return bg_error_set(err, BG_EINVAL, "endpoint %s (%s): must start with https:// or http://",
                            e, info->key);
    n = strlen(e);
    while (n > 0 && e[n - 1] == '/')
        n--;
    out->endpoints[service] = bg_arena_strndup(a, e, n);
    return 0;
}

static int resolve_endpoints(struct bg_aws_config *out, struct bg_arena *a,
                             const struct bg_aws_settings *s, const char *const *envp,
                             struct bg_error *err)
{
    for (int i = 0; i < BG_AWS_NSERVICES; i++) {
        int rc = resolve_endpoint(out, a, s, envp, (enum bg_aws_service)i, err);

        if (rc != 0)
            return rc;
    }
    return 0;
}

int bg_aws_config_resolve(struct bg_aws_config *out, struct bg_arena *a,
                          const struct bg_aws_settings *settings, const char *const *envp,
                          struct bg_error *err)
{
    struct bg_aws__files f;
    int rc;

    memset(out, 0, sizeof(*out));
    bg_aws__files_load(&f, a, envp);
    out->profile = first_set(settings->profile, bg_aws_env(envp, "AWS_PROFILE"));
    out->profile = first_set(out->profile, "default");
    rc = resolve_region(out, a, settings, envp, &f, err);
    if (rc == 0)
        rc = resolve_endpoints(out, a, settings, envp, err);
    out->max_retries = settings->max_retries >= 0 ? settings->max_retries : 3;
    out->timeout_ms = settings->timeout_ms > 0 ? settings->timeout_ms : 30000;
    return rc;
}
