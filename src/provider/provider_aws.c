/*
 * provider_aws.c - the provider's AWS settings (region, profile, keys, roles, endpoints,
 * max_retries, requests_per_second): resolved once at ConfigureProvider, reported only when
 * used, one credentials provider (the chain and its refreshing cache) and one request-rate
 * bucket shared by every client of the configuration, and a small pool of clients so that
 * concurrent calls each get their own CURL handle while sequential calls reuse one connection.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "internal.h"

/* Terraform runs at most -parallelism (default 10) operations at once; more idle clients
 * than that would only hold sockets open. */
#define POOL_MAX 10

struct bg_provider_aws {
    struct bg_arena *arena; /* the resolved configuration's strings */
    struct bg_aws_config cfg;
    struct bg_aws_credentials *creds;      /* shared by every client below; thread safe */
    struct bg_aws_ratelimit *limiter;      /* requests_per_second, shared; NULL: no limit */
    _Atomic(const struct bg_logger *) log; /* the service's logger, known from the first call */
    bool resolved;
    struct bg_error why;  /* when !resolved: what is missing; never a secret */
    pthread_mutex_t lock; /* guards idle and nidle */
    struct bg_aws_client *idle[POOL_MAX];
    size_t nidle;
};

/* A block's `duration` ("1h"); the schema validated it, this only converts. */
static long duration_of(const char *duration)
{
    long seconds = 0;

    if (duration != NULL)
        bg_aws_parse_duration(&seconds, duration, NULL);
    return seconds;
}

/* The role blocks in the AWS module's types: the strings are already in place. */
static void read_roles(struct bg_aws_settings *s, struct bg_arena *a,
                       const struct bg_provider__config *cfg)
{
    const struct bg_provider__assume_role *ar = cfg->assume_role;
    const struct bg_provider__web_identity *wi = cfg->web_identity;

    if (ar != NULL) {
        struct bg_aws_assume_role *r = bg_arena_memdup(a, &ar->role, sizeof(*r));
        struct bg_aws_param *tags = bg_arena_calloc(a, ar->ntags + 1, sizeof(*tags));

        for (size_t i = 0; i < ar->ntags; i++)
            tags[i] = (struct bg_aws_param){ar->tags[i].key, ar->tags[i].value};
        r->tags = tags;
        r->n_tags = ar->ntags;
        r->duration_s = duration_of(ar->duration);
        s->assume_role = r;
    }
    if (wi != NULL) {
        struct bg_aws_web_identity *w = bg_arena_memdup(a, &wi->role, sizeof(*w));

        w->duration_s = duration_of(wi->duration);
        s->web_identity = w;
    }
}

/* The provider block's AWS settings; strings stay in the configuration tree (a). */
static int read_settings(struct bg_aws_settings *s, struct bg_arena *a,
                         const struct bg_provider__config *cfg, struct bg_error *err)
{
    if (cfg->unknown != NULL)
        return bg_error_set(err, BG_EINVAL, "provider setting %s is not known until apply",
                            bg_path_string(a, cfg->unknown));
    *s = cfg->aws;
    for (int i = 0; cfg->endpoints != NULL && i < BG_AWS_NSERVICES; i++)
        s->endpoints[i] = cfg->endpoints->url[i];
    s->max_retries = cfg->max_retries_is == BG_PRESENCE_KNOWN ? (int)cfg->max_retries : -1;
    read_roles(s, a, cfg);
    return 0;
}

static const char *keep(struct bg_arena *a, const char *s)
{
    return s != NULL ? bg_arena_strdup(a, s) : NULL;
}

/* Copies the resolution into the provider's own arena: the call arena dies with the call. */
static void keep_config(struct bg_provider_aws *aws, const struct bg_aws_config *c)
{
    aws->cfg = *c;
    aws->cfg.region = keep(aws->arena, c->region);
    aws->cfg.profile = keep(aws->arena, c->profile);
    for (int i = 0; i < BG_AWS_NSERVICES; i++)
        aws->cfg.endpoints[i] = keep(aws->arena, c->endpoints[i]);
    aws->resolved = true;
}

static void log_retry(void *ctx, const char *action, int retry, long delay_ms,
                      const struct bg_error *why)
{
    char fields[128];

    snprintf(fields, sizeof(fields), "\"action\":\"%s\",\"retry\":%d,\"delay_ms\":%ld", action,
             retry, delay_ms);
    bg_log(ctx, BG_LOG_WARN, "aws", fields, "%s: retry %d in %ld ms after %s", action, retry,
           delay_ms, why->msg);
}

/* The credentials provider's STS client logs through the logger of whichever call comes
 * first (the provider block is configured before any call names one). */
static void log_sts_retry(void *ctx, const char *action, int retry, long delay_ms,
                          const struct bg_error *why)
{
    const struct bg_logger *log = atomic_load(&((struct bg_provider_aws *)ctx)->log);

    if (log != NULL)
        log_retry((void *)log, action, retry, delay_ms, why);
}

static void log_credentials(void *ctx, const char *source, time_t expires)
{
    const struct bg_logger *log = atomic_load(&((struct bg_provider_aws *)ctx)->log);
    char until[32] = "never";
    struct tm tm;

    if (log == NULL)
        return;
    if (expires != 0 && gmtime_r(&expires, &tm) != NULL)
        strftime(until, sizeof(until), "%Y-%m-%dT%H:%M:%SZ", &tm);
    bg_log(log, BG_LOG_INFO, "aws", NULL, "AWS credentials from %s, expire %s", source, until);
}

static void new_credentials(struct bg_provider_aws *aws, const struct bg_aws_settings *settings,
                            const char *const *envp)
{
    struct bg_aws_credentials_opts opts = BG_AWS_CREDENTIALS_OPTS_INIT;

    opts.on_credentials = log_credentials;
    opts.on_credentials_ctx = aws;
    opts.sts.on_retry = log_sts_retry;
    opts.sts.sleep_ctx = aws;
    if (bg_aws_credentials_new(&aws->creds, &aws->cfg, settings, envp, &opts, &aws->why) != 0)
        aws->resolved = false;
}

/* One bucket for every client of this configuration; a rate of 0 means no limit. */
static void new_limiter(struct bg_provider_aws *aws, const struct bg_provider__config *config)
{
    int64_t rate = config->requests_per_second_is == BG_PRESENCE_KNOWN
                       ? config->requests_per_second
                       : BG_PROVIDER__REQUESTS_PER_SECOND;

    if (rate > 0 &&
        bg_aws_ratelimit_new(&aws->limiter, (double)rate, (double)rate, NULL, NULL) != 0)
        aws->limiter = NULL;
}

struct bg_provider_aws *bg_provider__aws_new(struct bg_diags *d,
                                             const struct bg_provider__config *config,
                                             const char *const *envp)
{
    struct bg_aws_settings settings = BG_AWS_SETTINGS_INIT;
    struct bg_provider_aws *aws = calloc(1, sizeof(*aws));
    struct bg_aws_config cfg;

    if (aws == NULL)
        abort();
    aws->arena = bg_arena_new();
    atomic_init(&aws->log, NULL);
    pthread_mutex_init(&aws->lock, NULL);
    /* Failures are kept, not reported: only a resource that needs AWS reports them. The
     * chain is settled here without network; credentials are fetched on first use. */
    if (read_settings(&settings, d->arena, config, &aws->why) == 0 &&
        bg_aws_config_resolve(&cfg, d->arena, &settings, envp, &aws->why) == 0) {
        keep_config(aws, &cfg);
        new_credentials(aws, &settings, envp);
        new_limiter(aws, config);
    }
    return aws;
}

void bg_provider__aws_free(struct bg_provider_aws *aws)
{
    size_t i;

    if (aws == NULL)
        return;
    for (i = 0; i < aws->nidle; i++)
        bg_aws_client_free(aws->idle[i]);
    bg_aws_credentials_free(aws->creds); /* after its clients */
    bg_aws_ratelimit_free(aws->limiter);
    pthread_mutex_destroy(&aws->lock);
    bg_arena_free(aws->arena);
    free(aws);
}

static struct bg_aws_client *pop_idle(struct bg_provider_aws *aws)
{
    struct bg_aws_client *c = NULL;

    pthread_mutex_lock(&aws->lock);
    if (aws->nidle > 0)
        c = aws->idle[--aws->nidle];
    pthread_mutex_unlock(&aws->lock);
    return c;
}

static int check_credentials(struct bg_provider_aws *aws, const atomic_bool *stop,
                             struct bg_error *err)
{
    const struct bg_aws_creds *c = NULL;
    int rc = bg_aws_credentials_get(&c, aws->creds, stop, err);

    bg_aws_creds_release(c);
    return rc;
}

const char *bg_provider_aws_region(const struct bg_provider *p)
{
    return p != NULL && p->aws != NULL && p->aws->resolved ? p->aws->cfg.region : NULL;
}

int bg_provider_aws_acquire(struct bg_aws_client **out, const struct bg_provider *p,
                            const struct bg_logger *log, const atomic_bool *stop,
                            struct bg_error *err)
{
    struct bg_aws_client_opts opts = BG_AWS_CLIENT_OPTS_INIT;
    int rc;

    *out = NULL;
    if (p == NULL || p->aws == NULL)
        return bg_error_set(err, BG_EINVAL, "the provider is not configured");
    if (!p->aws->resolved)
        return bg_error_set(err, p->aws->why.code, "%s", p->aws->why.msg);
    if (log != NULL)
        atomic_store(&p->aws->log, log);
    /* Credentials are obtained (or taken from the cache) now, so that a chain that finds none
     * is reported as the configuration problem it is, before any AWS call. */
    rc = check_credentials(p->aws, stop, err);
    if (rc != 0)
        return rc;
    *out = pop_idle(p->aws);
    if (*out != NULL) {
        bg_aws_client_set_stop(*out, stop);
        return 0;
    }
    opts.on_retry = log != NULL ? log_retry : NULL;
    opts.sleep_ctx = (void *)log; /* on_retry logs to it */
    opts.stop = stop;
    opts.credentials = p->aws->creds;
    rc = bg_aws_client_new(out, &p->aws->cfg, &opts, err);
    if (rc == 0)
        bg_aws_client_set_limiter(*out, p->aws->limiter);
    return rc;
}

void bg_provider_aws_release(const struct bg_provider *p, struct bg_aws_client *c)
{
    struct bg_provider_aws *aws = p != NULL ? p->aws : NULL;

    if (c == NULL)
        return;
    if (aws != NULL) {
        pthread_mutex_lock(&aws->lock);
        if (aws->nidle < POOL_MAX) {
            aws->idle[aws->nidle++] = c;
            c = NULL;
        }
        pthread_mutex_unlock(&aws->lock);
    }
    bg_aws_client_free(c);
}
