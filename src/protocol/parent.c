/*
 * parent.c - noticing that terraform is gone.
 *
 * Terraform starts the provider as its child and ends it with go-plugin's Shutdown call. A
 * terraform that is SIGKILLed (a cancelled CI job) never sends it, and the provider would
 * wait on its socket forever: orphans pile up on long-lived runners. When the parent dies,
 * the kernel hands its children to a reaper (init or a subreaper), so getppid() changes. A
 * small thread polls that once a second; when it changes, it stops the provider the way
 * Ctrl-C does (the StopProvider flag: running hooks finish their current step and return),
 * waits for the running calls to return (at most GRACE_SECONDS, in case one hangs), then
 * exits. Nobody is left to answer, and every file write is atomic, so exiting then is safe.
 *
 * Not PR_SET_PDEATHSIG: it fires when the parent *thread* that forked us exits, and Go runs
 * terraform on many threads, any of which may have started us, so it would kill healthy
 * providers. Not a deadline on the completion queue either: gRPC timers start thread pools
 * that outlive grpc_shutdown and are reported by leak checkers.
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "bluegreen/protocol.h"
#include "bluegreen/service.h"

#define GRACE_SECONDS 5

struct bg_parent_watch {
    long parent; /* getppid() at start */
    struct bg_service *svc;
    const struct bg_logger *log;
    const atomic_int *active; /* calls whose hooks are running */
    pthread_mutex_t lock;
    pthread_cond_t wake; /* CLOCK_MONOTONIC; signalled by bg_parent_watch_stop */
    bool quit;
    pthread_t thread;
};

bool bg_parent_is_gone(long parent)
{
    return (long)getppid() != parent;
}

/* Stop as StopProvider does, let the running hooks return, exit. Never returns. */
static void stop_and_exit(struct bg_parent_watch *w)
{
    struct timespec nap = {0, 100 * 1000 * 1000};
    struct bg_rpc_result res;
    int i;

    bg_log(w->log, BG_LOG_WARN, "protocol", NULL,
           "terraform (pid %ld) is gone: stopping running operations, then exiting", w->parent);
    memset(&res, 0, sizeof(res));
    bg_service_handle(w->svc, "/tfplugin6.Provider/StopProvider", NULL, 0, &res);
    free(res.body);
    for (i = 0; i < GRACE_SECONDS * 10 && atomic_load(w->active) > 0; i++)
        nanosleep(&nap, NULL);
    if (atomic_load(w->active) > 0)
        bg_log(w->log, BG_LOG_ERROR, "protocol", NULL,
               "%d operation(s) did not stop within %d s: exiting anyway", atomic_load(w->active),
               GRACE_SECONDS);
    _exit(atomic_load(w->active) > 0 ? 1 : 0);
}

static void *watch(void *arg)
{
    struct bg_parent_watch *w = arg;
    struct timespec until;

    pthread_mutex_lock(&w->lock);
    while (!w->quit) {
        clock_gettime(CLOCK_MONOTONIC, &until);
        until.tv_sec += 1;
        while (!w->quit && pthread_cond_timedwait(&w->wake, &w->lock, &until) != ETIMEDOUT)
            ;
        if (!w->quit && bg_parent_is_gone(w->parent)) {
            pthread_mutex_unlock(&w->lock);
            stop_and_exit(w);
        }
    }
    pthread_mutex_unlock(&w->lock);
    return NULL;
}

int bg_parent_watch_start(struct bg_parent_watch **out, struct bg_service *svc,
                          const struct bg_logger *log, const atomic_int *active)
{
    struct bg_parent_watch *w = calloc(1, sizeof(*w));
    pthread_condattr_t attr;

    *out = NULL;
    if (w == NULL)
        return BG_EIO;
    w->parent = (long)getppid();
    w->svc = svc;
    w->log = log;
    w->active = active;
    pthread_mutex_init(&w->lock, NULL);
    pthread_condattr_init(&attr);
    pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
    pthread_cond_init(&w->wake, &attr);
    pthread_condattr_destroy(&attr);
    if (pthread_create(&w->thread, NULL, watch, w) != 0) {
        pthread_cond_destroy(&w->wake);
        pthread_mutex_destroy(&w->lock);
        free(w);
        return BG_EIO;
    }
    *out = w;
    return 0;
}

void bg_parent_watch_stop(struct bg_parent_watch *w)
{
    if (w == NULL)
        return;
    pthread_mutex_lock(&w->lock);
    w->quit = true;
    pthread_cond_signal(&w->wake);
    pthread_mutex_unlock(&w->lock);
    pthread_join(w->thread, NULL);
    pthread_cond_destroy(&w->wake);
    pthread_mutex_destroy(&w->lock);
    free(w);
}
