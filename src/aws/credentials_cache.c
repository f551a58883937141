/*
 * credentials_cache.c - the credentials provider every client of one provider configuration
 * shares (include/bluegreen/aws.h): the plan settled at configure time, the current
 * credentials, and their refresh.
 *
 * Credentials are immutable boxes handed out by reference: a refresh publishes a new box and
 * drops the cache's reference to the old one, whose memory is wiped and freed when the last
 * request signing with it is done. One thread refreshes at a time, without the lock held
 * (STS or the metadata endpoint may take seconds); the others go on with the credentials in
 * hand while those are still valid, and only wait when there are none, so a walk's requests
 * never queue behind a refresh and ten concurrent applies cause one STS call, not ten.
 *
 * When to refresh: `margin` seconds before expiry (5 minutes), but never later than halfway
 * through the credentials' lifetime, so short-lived credentials (a 15-minute role session, a
 * metadata stand-in's 60 seconds) are renewed in time without a refresh on every request.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "creds.h"
#include "internal.h"

#define SKEW_S        10 /* a request signed now is at AWS within this */
#define RETRY_AFTER_S 10 /* after a failed refresh, keep valid credentials this long */
#define WAIT_SLICE_MS 100

struct box {
    atomic_int refs;
    struct bg_aws_creds pub;
    time_t refresh_at; /* 0: never */
    size_t size;
    char data[]; /* access key, secret, token, source: NUL-terminated, one after the other */
};

struct bg_aws_credentials {
    pthread_mutex_t lock;
    pthread_cond_t changed; /* a refresh ended */
    struct box *current;    /* NULL until the first success */
    bool refreshing;
    time_t retry_after; /* no new refresh before this after one failed */
    struct bg_arena *arena;
    struct bg_aws__plan plan;
    struct bg_aws_config cfg;     /* region and endpoints for the STS client */
    struct bg_aws_client *client; /* used only by the refreshing thread */
    struct bg_aws_credentials_opts opts;
    long margin;
};

static char *put(char **p, const char *s)
{
    char *start = *p;
    size_t n = s != NULL ? strlen(s) : 0;

    memcpy(start, s != NULL ? s : "", n + 1);
    *p += n + 1;
    return start;
}

static struct box *box_new(const struct bg_aws_sts_creds *c, const char *source, time_t now,
                           long margin)
{
    size_t size = strlen(c->access_key) + strlen(c->secret_key) + strlen(source) + 4 +
                  (c->token != NULL ? strlen(c->token) : 0);
    struct box *b = calloc(1, sizeof(*b) + size);
    char *p;
    long half;

    if (b == NULL)
        abort();
    p = b->data;
    atomic_init(&b->refs, 1);
    b->size = size;
    b->pub.access_key = put(&p, c->access_key);
    b->pub.secret_key = put(&p, c->secret_key);
    b->pub.token = c->token != NULL ? put(&p, c->token) : NULL;
    b->pub.source = put(&p, source);
    b->pub.expires = c->expires;
    half = c->expires > now ? (long)(c->expires - now) / 2 : 0;
    b->refresh_at = c->expires != 0 ? c->expires - (half < margin ? half : margin) : 0;
    return b;
}

static void box_unref(struct box *b)
{
    if (b == NULL || atomic_fetch_sub(&b->refs, 1) != 1)
        return;
    explicit_bzero(b->data, b->size);
    free(b);
}

void bg_aws_creds_release(const struct bg_aws_creds *c)
{
    if (c != NULL)
        box_unref((struct box *)((char *)c - offsetof(struct box, pub)));
}

static time_t clock_now(const struct bg_aws_credentials *p)
{
    return p->opts.now != NULL ? p->opts.now(p->opts.now_ctx) : time(NULL);
}

static bool fresh(const struct box *b, time_t now)
{
    return b != NULL && (b->refresh_at == 0 || now < b->refresh_at);
}

static bool still_valid(const struct box *b, time_t now)
{
    return b != NULL && (b->pub.expires == 0 || now + SKEW_S < b->pub.expires);
}

/* ---- creation ------------------------------------------------------------------------------- */

static const char *keep(struct bg_arena *a, const char *s)
{
    return s != NULL ? bg_arena_strdup(a, s) : NULL;
}

static void copy_config(struct bg_aws_config *to, struct bg_arena *a,
                        const struct bg_aws_config *from)
{
    memset(to, 0, sizeof(*to));
    to->region = keep(a, from->region);
    to->profile = keep(a, from->profile);
    for (int i = 0; i < BG_AWS_NSERVICES; i++)
        to->endpoints[i] = keep(a, from->endpoints[i]);
    to->max_retries = from->max_retries;
    to->timeout_ms = from->timeout_ms;
}

static long margin_of(const struct bg_aws_credentials_opts *o, const char *const *envp)
{
    const char *v = bg_aws_env(envp, "BG_AWS_INTERNAL_REFRESH_MARGIN_SECONDS");
    long m = v != NULL ? strtol(v, NULL, 10) : 0;

    if (o->refresh_margin_s > 0)
        return o->refresh_margin_s;
    return m > 0 ? m : BG_AWS__DEFAULT_MARGIN;
}

int bg_aws_credentials_new(struct bg_aws_credentials **out, const struct bg_aws_config *cfg,
                           const struct bg_aws_settings *settings, const char *const *envp,
                           const struct bg_aws_credentials_opts *opts, struct bg_error *err)
{
    static const struct bg_aws_credentials_opts defaults = BG_AWS_CREDENTIALS_OPTS_INIT;
    struct bg_aws_credentials *p = calloc(1, sizeof(*p));
    pthread_condattr_t ca;
    int rc;

    *out = NULL;
    if (p == NULL)
        abort();
    p->arena = bg_arena_new();
    p->opts = opts != NULL ? *opts : defaults;
    p->opts.sts.credentials = NULL;
    p->margin = margin_of(&p->opts, envp);
    copy_config(&p->cfg, p->arena, cfg);
    rc = bg_aws__plan_build(&p->plan, p->arena, settings, envp, p->cfg.endpoints[BG_AWS_STS], err);
    if (rc != 0) {
        bg_aws__wipe_all(&p->plan.secrets);
        bg_arena_free(p->arena);
        free(p);
        return rc;
    }
    pthread_mutex_init(&p->lock, NULL);
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&p->changed, &ca);
    pthread_condattr_destroy(&ca);
    *out = p;
    return 0;
}

void bg_aws_credentials_free(struct bg_aws_credentials *p)
{
    if (p == NULL)
        return;
    bg_aws_client_free(p->client);
    box_unref(p->current);
    bg_aws__wipe_all(&p->plan.secrets);
    bg_arena_free(p->arena);
    pthread_cond_destroy(&p->changed);
    pthread_mutex_destroy(&p->lock);
    free(p);
}

const char *bg_aws_credentials_source(const struct bg_aws_credentials *p)
{
    return p->plan.base.name;
}

/* ---- refresh -------------------------------------------------------------------------------- */

/* Runs the plan (lock not held; only the refreshing thread gets here). */
static int obtain(struct box **out, struct bg_aws_credentials *p, const atomic_bool *stop,
                  struct bg_error *err)
{
    struct bg_aws__run run = {0};
    struct bg_aws_sts_creds c;
    const char *source = NULL;
    int rc = 0;

    *out = NULL;
    if (p->client == NULL)
        rc = bg_aws_client_new(&p->client, &p->cfg, &p->opts.sts, err);
    if (rc != 0)
        return rc;
    bg_aws_client_set_stop(p->client, stop);
    run.a = bg_arena_new();
    run.secrets.a = run.a;
    run.client = p->client;
    run.stop = stop;
    run.process_timeout_ms = p->opts.process_timeout_ms;
    rc = bg_aws__resolve(&c, &source, &run, &p->plan, err);
    if (rc == 0)
        *out = box_new(&c, source, clock_now(p), p->margin);
    bg_aws__wipe_all(&run.secrets);
    bg_arena_free(run.a);
    bg_aws_client_set_stop(p->client, NULL);
    if (rc == 0 && p->opts.on_credentials != NULL)
        p->opts.on_credentials(p->opts.on_credentials_ctx, (*out)->pub.source, (*out)->pub.expires);
    return rc;
}

/* Called and returns with the lock held; drops it while obtaining. */
static int refresh(struct bg_aws_credentials *p, const atomic_bool *stop, struct bg_error *err)
{
    struct box *b = NULL, *old;
    int rc;

    p->refreshing = true;
    pthread_mutex_unlock(&p->lock);
    rc = obtain(&b, p, stop, err);
    pthread_mutex_lock(&p->lock);
    p->refreshing = false;
    if (rc == 0) {
        old = p->current;
        p->current = b;
        box_unref(old);
    } else {
        p->retry_after = clock_now(p) + RETRY_AFTER_S;
    }
    pthread_cond_broadcast(&p->changed);
    return rc;
}

/* Waits (lock held) up to one slice for a refresh to end. 1: look again; BG_ECANCELED. */
static int wait_refresh(struct bg_aws_credentials *p, const atomic_bool *stop, struct bg_error *err)
{
    struct timespec ts;

    if (stop != NULL && atomic_load(stop))
        return bg_error_set(err, BG_ECANCELED,
                            "stopped on request (Ctrl-C or StopProvider) while waiting for AWS "
                            "credentials");
    clock_gettime(CLOCK_MONOTONIC, &ts);
    ts.tv_nsec += WAIT_SLICE_MS * 1000000L;
    if (ts.tv_nsec >= 1000000000L) {
        ts.tv_sec++;
        ts.tv_nsec -= 1000000000L;
    }
    pthread_cond_timedwait(&p->changed, &p->lock, &ts);
    return 1;
}

/* One look at the cache (lock held): 0 with *take set, 1 to look again, or an error. */
static int look(bool *take, struct bg_aws_credentials *p, const atomic_bool *stop,
                struct bg_error *err)
{
    time_t now = clock_now(p);
    int rc;

    *take = false;
    if (fresh(p->current, now) || (still_valid(p->current, now) && now < p->retry_after)) {
        *take = true;
        return 0;
    }
    if (p->refreshing) {
        if (still_valid(p->current, now)) {
            *take = true;
            return 0;
        }
        return wait_refresh(p, stop, err);
    }
    rc = refresh(p, stop, err);
    /* a failed refresh: credentials still valid serve on, the next look tries again */
    if (rc == 0 || (rc != BG_ECANCELED && still_valid(p->current, clock_now(p))))
        *take = p->current != NULL;
    return *take ? 0 : rc;
}

int bg_aws_credentials_get(const struct bg_aws_creds **out, struct bg_aws_credentials *p,
                           const atomic_bool *stop, struct bg_error *err)
{
    bool take = false;
    int rc = 1;

    *out = NULL;
    pthread_mutex_lock(&p->lock);
    while (rc == 1)
        rc = look(&take, p, stop, err);
    if (rc == 0 && take) {
        atomic_fetch_add(&p->current->refs, 1);
        *out = &p->current->pub;
    }
    pthread_mutex_unlock(&p->lock);
    return rc;
}

void bg_aws_credentials_expire(struct bg_aws_credentials *p, const struct bg_aws_creds *c)
{
    struct box *old = NULL;

    pthread_mutex_lock(&p->lock);
    if (p->current != NULL && &p->current->pub == c) {
        old = p->current;
        p->current = NULL;
        p->retry_after = 0;
    }
    pthread_mutex_unlock(&p->lock);
    box_unref(old);
}
