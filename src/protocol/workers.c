/*
 * workers.c - the handler threads (workers.h).
 *
 * Each thread has its own slot: the dispatcher takes an idle thread off the idle stack and
 * assigns it the job directly, so no job ever sits in a queue behind a busy thread.
 */
#include <assert.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>

#include "bluegreen/common.h"
#include "workers.h"

struct worker {
    struct bg_workers *pool;
    pthread_t thread;
    pthread_cond_t wake;
    void *job;                       /* assigned, not yet taken */
    struct worker *next_idle, *next; /* idle stack; every worker */
};

struct bg_workers {
    bg_workers_fn fn;
    pthread_mutex_t lock;
    struct worker *idle, *all;
    size_t threads;
    bool stopping;
};

static void *worker_main(void *arg)
{
    struct worker *self = arg;
    struct bg_workers *w = self->pool;
    void *job;

    pthread_mutex_lock(&w->lock);
    for (;;) {
        while (self->job == NULL && !w->stopping)
            pthread_cond_wait(&self->wake, &w->lock);
        if (self->job == NULL)
            break;
        job = self->job;
        self->job = NULL;
        pthread_mutex_unlock(&w->lock);
        w->fn(job);
        pthread_mutex_lock(&w->lock);
        self->next_idle = w->idle;
        w->idle = self;
    }
    pthread_mutex_unlock(&w->lock);
    return NULL;
}

int bg_protocol__workers_new(struct bg_workers **out, bg_workers_fn fn)
{
    struct bg_workers *w = calloc(1, sizeof(*w));

    *out = NULL;
    if (w == NULL)
        return BG_EIO;
    w->fn = fn;
    pthread_mutex_init(&w->lock, NULL);
    *out = w;
    return 0;
}

/* A new thread with job already assigned; called with the lock held. */
static int start_worker(struct bg_workers *w, void *job)
{
    struct worker *x = calloc(1, sizeof(*x));

    if (x == NULL)
        return BG_EIO;
    x->pool = w;
    x->job = job;
    pthread_cond_init(&x->wake, NULL);
    if (pthread_create(&x->thread, NULL, worker_main, x) != 0) {
        pthread_cond_destroy(&x->wake);
        free(x);
        return BG_EIO;
    }
    x->next = w->all;
    w->all = x;
    w->threads++;
    return 0;
}

int bg_protocol__workers_run(struct bg_workers *w, void *job)
{
    struct worker *x;
    int rc = 0;

    assert(job != NULL); /* NULL is "no job" in a worker's slot */
    pthread_mutex_lock(&w->lock);
    x = w->idle;
    if (x != NULL) {
        w->idle = x->next_idle;
        x->job = job;
        pthread_cond_signal(&x->wake);
    } else {
        rc = start_worker(w, job);
    }
    pthread_mutex_unlock(&w->lock);
    return rc;
}

size_t bg_protocol__workers_threads(struct bg_workers *w)
{
    size_t n;

    pthread_mutex_lock(&w->lock);
    n = w->threads;
    pthread_mutex_unlock(&w->lock);
    return n;
}

void bg_protocol__workers_free(struct bg_workers *w)
{
    struct worker *x, *next;

    if (w == NULL)
        return;
    pthread_mutex_lock(&w->lock);
    w->stopping = true;
    for (x = w->all; x != NULL; x = x->next)
        pthread_cond_signal(&x->wake);
    pthread_mutex_unlock(&w->lock);
    /* a thread still running a job finishes it, then sees stopping */
    for (x = w->all; x != NULL; x = next) {
        next = x->next;
        pthread_join(x->thread, NULL);
        pthread_cond_destroy(&x->wake);
        free(x);
    }
    pthread_mutex_destroy(&w->lock);
    free(w);
}
