/*
 * workers.h - protocol-internal: the threads that run request handlers.
 *
 * A job is handed to an idle thread, or to a new thread when none is idle, so a job never
 * waits for another (a minutes-long apply must not delay StopProvider or the other parallel
 * operations), while the thousands of short calls of a large plan reuse a few threads instead
 * of starting one each. Threads stay until the pool is freed; their number is the peak
 * number of jobs that ran at once.
 */
#ifndef BG_PROTOCOL_WORKERS_H
#define BG_PROTOCOL_WORKERS_H

#include <stddef.h>

struct bg_workers;

typedef void (*bg_workers_fn)(void *job);

/* A pool running fn on each job. 0, or BG_EIO when out of memory. */
int bg_protocol__workers_new(struct bg_workers **out, bg_workers_fn fn);

/* Runs fn(job) on an idle thread, or starts one. job must not be NULL. 0, or BG_EIO when no
 * thread could be started (the job was not run). Thread safe. */
int bg_protocol__workers_run(struct bg_workers *w, void *job);

/* Threads started so far (for tests and logs). */
size_t bg_protocol__workers_threads(struct bg_workers *w);

/* Waits for the running jobs to return, ends and joins every thread, frees the pool. NULL
 * allowed. Must not be called from a job. */
void bg_protocol__workers_free(struct bg_workers *w);

#endif
