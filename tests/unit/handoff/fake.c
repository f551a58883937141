/* fake.c - the fake world of fake.h. */
#include <stdio.h>
#include <string.h>

#include "fake.h"

static const struct bg_handoff_workload sts[] = {
    {"elasticsearch", "elastic-master", 3},
    {"elasticsearch", "elastic-data", 4},
    {"elasticsearch", "elastic-coordinating", 2},
};
static const struct bg_handoff_workload pause[] = {{"logstash", "logstash-kubernetes", 2}};

void fake_spec(struct bg_handoff_spec *s, bool with_es, bool with_ng)
{
    memset(s, 0, sizeof(*s));
    s->statefulsets = sts;
    s->n_statefulsets = 3;
    s->pause = with_es ? pause : NULL;
    s->n_pause = with_es ? 1 : 0;
    s->es_target = with_es ? "elasticsearch/elastic-master:9200" : NULL;
    s->node_group = with_ng ? "aws-tools-spoon-elastic" : NULL;
    s->health_timeout_s = 60;
    s->poll_s = 1;
}

struct fake_wl *fake_find(struct fake *f, enum bg_handoff_cluster c, const char *name)
{
    for (size_t i = 0; i < f->n; i++) {
        if (strcmp(f->wl[c][i].name, name) == 0)
            return &f->wl[c][i];
    }
    return NULL;
}

static void note(struct fake *f, const char *line)
{
    if (f->n_log < FAKE_LOG)
        snprintf(f->log[f->n_log++], sizeof(f->log[0]), "%s", line);
    f->mutations++;
    if (f->stop_after > 0 && f->mutations >= f->stop_after)
        atomic_store(&f->stop, true);
}

static const char *cl(enum bg_handoff_cluster c)
{
    return c == BG_HANDOFF_FROM ? "from" : "to";
}

void fake_tick(struct fake *f)
{
    for (int c = 0; c < 2; c++) {
        for (size_t i = 0; i < f->n; i++) {
            struct fake_wl *w = &f->wl[c][i], *other = &f->wl[1 - c][i];

            if (w->pods > w->spec && !w->stuck) {
                w->pods--;
                if (w->ready > w->pods)
                    w->ready = w->pods;
            } else if (w->pods < w->spec && w->ready == w->pods) {
                w->pods++; /* OrderedReady: the next ordinal once the others are ready */
            } else if (w->ready < w->pods && other->pods == 0) {
                w->ready++; /* the EBS rule: only once the old pod released the volume */
            }
        }
    }
    if (f->ng_instances > f->ng_desired)
        f->ng_instances--;
}

static int workload(void *ctx, struct bg_handoff_obs *out, enum bg_handoff_cluster c,
                    const struct bg_handoff_workload *w, struct bg_error *err)
{
    struct fake *f = ctx;
    struct fake_wl *x = fake_find(f, c, w->name);

    memset(out, 0, sizeof(*out));
    if (x == NULL)
        return bg_error_set(err, BG_ENOTFOUND, "statefulsets.apps \"%s\" not found", w->name);
    out->found = true;
    out->spec_replicas = x->spec;
    out->pods = x->pods;
    out->ready = x->ready;
    out->settled = true;
    return 0;
}

static int scale(void *ctx, enum bg_handoff_cluster c, const struct bg_handoff_workload *w,
                 int replicas, struct bg_error *err)
{
    struct fake *f = ctx;

    (void)err;
    fake_find(f, c, w->name)->spec = replicas;
    note(f, bg_arena_printf(f->arena, "scale %s %s %d", cl(c), w->name, replicas));
    return 0;
}

/* Elasticsearch answers where its statefulsets have a ready pod. */
static int es_reachable(struct fake *f, enum bg_handoff_cluster c, struct bg_error *err)
{
    int ready = 0;

    for (size_t i = 0; i < f->n_es; i++)
        ready += fake_find(f, c, f->es_names[i])->ready;
    if (f->proxy_down)
        return bg_error_set(err, BG_EIO,
                            "error trying to reach service: dial tcp 10.0.0.10:9200: connect: "
                            "connection refused (HTTP 503 ServiceUnavailable)");
    if (ready == 0)
        return bg_error_set(err, BG_ERETRY,
                            "no endpoints available for service "
                            "\"elastic-master\" (HTTP 503 ServiceUnavailable)");
    return 0;
}

static int es_allocation(void *ctx, const char **value, enum bg_handoff_cluster c,
                         struct bg_error *err)
{
    struct fake *f = ctx;
    int rc = es_reachable(f, c, err);

    *value = rc == 0 && f->alloc[0] ? bg_arena_strdup(f->arena, f->alloc) : NULL;
    return rc;
}

static int es_set_allocation(void *ctx, enum bg_handoff_cluster c, const char *value,
                             struct bg_error *err)
{
    struct fake *f = ctx;
    int rc = es_reachable(f, c, err);

    if (rc != 0)
        return rc;
    snprintf(f->alloc, sizeof(f->alloc), "%s", value != NULL ? value : "");
    note(f, bg_arena_printf(f->arena, "allocation %s", value != NULL ? value : "null"));
    return 0;
}

static int es_flush(void *ctx, enum bg_handoff_cluster c, struct bg_error *err)
{
    struct fake *f = ctx;
    int rc = es_reachable(f, c, err);

    if (rc == 0)
        note(f, bg_arena_printf(f->arena, "flush %s", cl(c)));
    return rc;
}

static int es_health(void *ctx, struct bg_handoff_health *out, enum bg_handoff_cluster c,
                     struct bg_error *err)
{
    struct fake *f = ctx;
    int rc = es_reachable(f, c, err), nodes = 0, want = 0;

    memset(out, 0, sizeof(*out));
    if (rc != 0)
        return rc;
    for (size_t i = 0; i < f->n_es; i++) {
        nodes += fake_find(f, c, f->es_names[i])->ready;
        want += fake_find(f, c, f->es_names[i])->spec;
    }
    out->nodes = nodes;
    out->shards = bg_arena_printf(f->arena, "data=%d", fake_find(f, c, "elastic-data")->ready);
    out->status = nodes < want ? "red" : f->alloc[0] || f->never_green ? "yellow" : "green";
    out->unassigned = strcmp(out->status, "green") == 0 ? 0 : 2;
    return 0;
}

static int node_group(void *ctx, struct bg_handoff_ng *out, struct bg_error *err)
{
    struct fake *f = ctx;

    (void)err;
    out->desired = f->ng_desired;
    out->min = f->ng_min;
    out->instances = f->ng_instances;
    out->status = "";
    return 0;
}

static int node_group_zero(void *ctx, struct bg_error *err)
{
    struct fake *f = ctx;

    (void)err;
    f->ng_desired = f->ng_min = 0;
    note(f, "node_group 0");
    return 0;
}

static double now(void *ctx)
{
    return ((struct fake *)ctx)->now;
}

/* bg_clock_nap checks the stop flag around each slice it sleeps. */
static void fake_sleep(void *ctx, double seconds)
{
    struct fake *f = ctx;

    f->now += seconds;
    fake_tick(f);
}

void fake_init(struct fake *f, struct bg_arena *a)
{
    static const char *const names[] = {"logstash-kubernetes", "elastic-master", "elastic-data",
                                        "elastic-coordinating"};
    static const int replicas[] = {2, 3, 4, 2};

    memset(f, 0, sizeof(*f));
    f->arena = a;
    f->n = 4;
    for (size_t i = 0; i < f->n; i++) {
        f->wl[BG_HANDOFF_FROM][i] =
            (struct fake_wl){names[i], replicas[i], replicas[i], replicas[i], false};
        f->wl[BG_HANDOFF_TO][i] = (struct fake_wl){names[i], 0, 0, 0, false};
    }
    f->es_names[0] = "elastic-master";
    f->es_names[1] = "elastic-data";
    f->es_names[2] = "elastic-coordinating";
    f->n_es = 3;
    f->ng_desired = f->ng_instances = 3;
    f->ng_min = 2;
    f->ops =
        (struct bg_handoff_ops){f,        workload,  scale,      es_allocation,   es_set_allocation,
                                es_flush, es_health, node_group, node_group_zero, NULL};
    f->clock = (struct bg_clock){now, fake_sleep, f};
}
