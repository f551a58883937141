/* parent.c - tests for src/protocol/parent.c: noticing that the process that started us is
 * gone, the way a provider sees terraform being SIGKILLed. */
#include <criterion/criterion.h>
#include <signal.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "bluegreen/protocol.h"

TestSuite(protocol_parent);

Test(protocol_parent, reports_present_while_the_parent_lives)
{
    cr_expect_not(bg_parent_is_gone((long)getppid()));
    cr_expect(bg_parent_is_gone((long)getppid() + 1));
}

Test(protocol_parent, a_watch_on_a_living_parent_stops_at_once_and_exits_nothing)
{
    struct bg_parent_watch *w = NULL;
    atomic_int active = 0;

    cr_assert_eq(bg_parent_watch_start(&w, NULL, NULL, &active), 0);
    cr_assert_not_null(w);
    bg_parent_watch_stop(w); /* joins the thread: the test would hang if it did not end */
    bg_parent_watch_stop(NULL);
}

/* The grandchild notes its parent, which then exits; it reports through a pipe: 'P' while
 * the parent lived, 'G' once it was seen gone. */
static void grandchild(int ready, int report)
{
    struct timespec nap = {0, 10 * 1000 * 1000};
    long parent = (long)getppid();
    bool gone = bg_parent_is_gone(parent);
    int i;

    if (write(report, gone ? "x" : "P", 1) != 1 || write(ready, "r", 1) != 1)
        _exit(2);
    for (i = 0; i < 500 && !gone; i++) {
        nanosleep(&nap, NULL);
        gone = bg_parent_is_gone(parent);
    }
    if (write(report, gone ? "G" : "x", 1) != 1)
        _exit(2);
    _exit(0);
}

Test(protocol_parent, notices_that_the_parent_died)
{
    int ready[2], report[2];
    char got[3] = {0, 0, 0}, c;
    pid_t child;

    cr_assert_eq(pipe(ready), 0);
    cr_assert_eq(pipe(report), 0);
    child = fork();
    cr_assert_neq(child, -1);
    if (child == 0) {
        if (fork() == 0)
            grandchild(ready[1], report[1]);
        /* Like a SIGKILLed terraform: gone as soon as the watcher is set up. */
        if (read(ready[0], &c, 1) != 1)
            _exit(2);
        _exit(0);
    }
    close(ready[1]);
    close(report[1]);
    waitpid(child, NULL, 0);
    /* The two bytes come at different times; EOF once the grandchild exited. */
    for (size_t n = 0; n < 2 && read(report[0], got + n, 1) == 1;)
        n++;
    cr_expect_str_eq(got, "PG");
    close(ready[0]);
    close(report[0]);
}
