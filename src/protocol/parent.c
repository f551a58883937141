/*
 * parent.c - noticing that terraform is gone.
 *
 * Terraform starts the provider as its child and ends it with go-plugin's Shutdown call. A
 * terraform that is SIGKILLed (a cancelled CI job) never sends it, and the provider would
 * wait on its socket forever: orphans pile up on long-lived runners. When the parent dies,
 * the kernel hands its children to a reaper (init or a subreaper), so getppid() changes; the
 * server's queue thread polls that once a second (bg_parent_watch_poll) and then stops like
 * Ctrl-C does: the stop flag lets running hooks finish their current step, the server shuts
 * down, and the process exits once they returned, or after a grace period if one hangs.
 *
 * Not PR_SET_PDEATHSIG: it fires when the parent *thread* that forked us exits, and Go runs
 * terraform on many threads, any of which may have started us, so it would kill healthy
 * providers. Not the socket either: terraform may legitimately keep no call open for a while.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "bluegreen/protocol.h"
#include "bluegreen/service.h"

#define GRACE_SECONDS 5

static double now_seconds(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

void bg_parent_watch_init(struct bg_parent_watch *w)
{
    w->parent = (long)getppid();
    w->gone_at = 0;
}

enum bg_parent_event bg_parent_watch_poll(struct bg_parent_watch *w)
{
    /* A parent of 1 at start (terraform as a container's init) never changes: its death
     * ends the whole container, us included. */
    if (w->gone_at == 0) {
        if ((long)getppid() == w->parent)
            return BG_PARENT_PRESENT;
        w->gone_at = now_seconds();
        return BG_PARENT_GONE;
    }
    return now_seconds() - w->gone_at > GRACE_SECONDS ? BG_PARENT_OVERDUE : BG_PARENT_STOPPING;
}

bool bg_parent_watch_tick(struct bg_parent_watch *w, struct bg_service *svc,
                          const struct bg_logger *log)
{
    enum bg_parent_event e = bg_parent_watch_poll(w);
    struct bg_rpc_result res;

    if (e == BG_PARENT_OVERDUE) {
        /* Every file write is atomic and a traffic walk resumes from the observed state, so
         * abandoning a hung hook loses nothing a kill would not. */
        bg_log(log, BG_LOG_ERROR, "protocol", NULL,
               "terraform is gone and an operation did not stop within %d s: exiting",
               GRACE_SECONDS);
        _exit(1);
    }
    if (e != BG_PARENT_GONE)
        return false;
    bg_log(log, BG_LOG_WARN, "protocol", NULL,
           "terraform (pid %ld) is gone: stopping running operations, then exiting", w->parent);
    /* Exactly what terraform's own StopProvider does: running hooks see the stop flag. */
    memset(&res, 0, sizeof(res));
    bg_service_handle(svc, "/tfplugin6.Provider/StopProvider", NULL, 0, &res);
    free(res.body);
    return true;
}
