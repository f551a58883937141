/*
 * signals.c - SIGINT and SIGTERM become a stop request (include/bluegreen/protocol.h).
 *
 * The signals stay blocked in every thread; one watcher thread takes them with sigwait, so
 * the stop is requested from ordinary thread context (a logger write and an atomic store,
 * neither of which would be safe in a signal handler) and no global is needed. SIGUSR1,
 * sent by bg_signal_watch_stop with pthread_kill, ends the watcher.
 */
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "bluegreen/protocol.h"
#include "bluegreen/service.h"

struct bg_signal_watch {
    pthread_t thread;
    struct bg_service *svc;
};

static void watched(sigset_t *set)
{
    sigemptyset(set);
    sigaddset(set, SIGINT);
    sigaddset(set, SIGTERM);
    sigaddset(set, SIGUSR1);
}

int bg_signals_block(struct bg_error *err)
{
    sigset_t set;
    int rc;

    signal(SIGPIPE, SIG_IGN);
    watched(&set);
    rc = pthread_sigmask(SIG_BLOCK, &set, NULL);
    return rc == 0 ? 0 : bg_error_set(err, BG_EIO, "cannot block signals: %s", strerror(rc));
}

static void *watch(void *arg)
{
    struct bg_signal_watch *w = arg;
    sigset_t set;
    int sig = 0;

    watched(&set);
    while (sigwait(&set, &sig) == 0 && sig != SIGUSR1)
        bg_service_request_stop(w->svc, sig == SIGINT ? "SIGINT" : "SIGTERM");
    return NULL;
}

int bg_signal_watch_start(struct bg_signal_watch **out, struct bg_service *svc,
                          struct bg_error *err)
{
    struct bg_signal_watch *w = calloc(1, sizeof(*w));
    int rc;

    *out = NULL;
    if (w == NULL)
        return bg_error_set(err, BG_EIO, "out of memory");
    w->svc = svc;
    rc = pthread_create(&w->thread, NULL, watch, w);
    if (rc != 0) {
        free(w);
        return bg_error_set(err, BG_EIO, "cannot start the signal watcher: %s", strerror(rc));
    }
    *out = w;
    return 0;
}

void bg_signal_watch_stop(struct bg_signal_watch *w)
{
    if (w == NULL)
        return;
    pthread_kill(w->thread, SIGUSR1);
    pthread_join(w->thread, NULL);
    free(w);
}
