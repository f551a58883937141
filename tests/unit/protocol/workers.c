/* workers.c - the handler threads (src/protocol/workers.c): no job waits for another, idle
 * threads are reused, freeing waits for running jobs. */
#include <criterion/criterion.h>
#include <pthread.h>
#include <stdatomic.h>
#include <time.h>

#include "protocol/workers.h"

#define N 6

struct gate {
    pthread_mutex_t lock;
    pthread_cond_t cv;
    int started, release;
    atomic_int done;
};

static struct gate g = {PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, 0, 0, 0};

/* Blocks until the test releases it (or 10 s pass: then the test fails on its counts). */
static void blocking_job(void *arg)
{
    struct timespec until;

    (void)arg;
    clock_gettime(CLOCK_REALTIME, &until);
    until.tv_sec += 10;
    pthread_mutex_lock(&g.lock);
    g.started++;
    pthread_cond_broadcast(&g.cv);
    while (!g.release && pthread_cond_timedwait(&g.cv, &g.lock, &until) == 0)
        ;
    pthread_mutex_unlock(&g.lock);
    atomic_fetch_add(&g.done, 1);
}

static void quick_job(void *arg)
{
    atomic_fetch_add((atomic_int *)arg, 1);
}

static int wait_started(int n)
{
    struct timespec until;
    int got;

    clock_gettime(CLOCK_REALTIME, &until);
    until.tv_sec += 10;
    pthread_mutex_lock(&g.lock);
    while (g.started < n && pthread_cond_timedwait(&g.cv, &g.lock, &until) == 0)
        ;
    got = g.started;
    pthread_mutex_unlock(&g.lock);
    return got;
}

Test(protocol_workers, every_job_runs_at_once_even_while_others_block)
{
    struct bg_workers *w = NULL;

    cr_assert_eq(bg_protocol__workers_new(&w, blocking_job), 0);
    for (int i = 0; i < N; i++)
        cr_assert_eq(bg_protocol__workers_run(w, &g), 0);
    cr_expect_eq(wait_started(N), N, "a job waited behind a blocked one");
    cr_expect_eq(bg_protocol__workers_threads(w), N);
    pthread_mutex_lock(&g.lock);
    g.release = 1;
    pthread_cond_broadcast(&g.cv);
    pthread_mutex_unlock(&g.lock);
    bg_protocol__workers_free(w);
    cr_expect_eq(atomic_load(&g.done), N, "free waited for the running jobs");
}

Test(protocol_workers, sequential_jobs_reuse_one_thread)
{
    struct bg_workers *w = NULL;
    atomic_int count = 0;
    struct timespec pause = {0, 1000000};

    cr_assert_eq(bg_protocol__workers_new(&w, quick_job), 0);
    for (int i = 0; i < 200; i++) {
        int before = atomic_load(&count);

        cr_assert_eq(bg_protocol__workers_run(w, &count), 0);
        while (atomic_load(&count) == before)
            nanosleep(&pause, NULL);
        /* the job has run; give its thread the moment it needs to park again */
        nanosleep(&pause, NULL);
    }
    cr_expect_leq(bg_protocol__workers_threads(w), 2, "%zu threads for 200 one-at-a-time jobs",
                  bg_protocol__workers_threads(w));
    bg_protocol__workers_free(w);
    bg_protocol__workers_free(NULL);
    cr_expect_eq(atomic_load(&count), 200);
}
