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
    struct bg_parent_watch w;

    bg_parent_watch_init(&w);
    cr_expect_eq(w.parent, (long)getppid());
    cr_expect_eq(bg_parent_watch_poll(&w), BG_PARENT_PRESENT);
    cr_expect_eq(bg_parent_watch_poll(&w), BG_PARENT_PRESENT);
}

/* The grandchild watches its parent, which exits; it reports what it saw through a pipe:
 * 'G' once gone, then 'S' while stopping. */
static void grandchild(int ready, int report)
{
    struct bg_parent_watch w;
    struct timespec nap = {0, 10 * 1000 * 1000};
    enum bg_parent_event e = BG_PARENT_PRESENT;
    int i;

    bg_parent_watch_init(&w);
    if (write(ready, "r", 1) != 1)
        _exit(2);
    for (i = 0; i < 500 && e == BG_PARENT_PRESENT; i++) {
        nanosleep(&nap, NULL);
        e = bg_parent_watch_poll(&w);
    }
    if (write(report, e == BG_PARENT_GONE ? "G" : "x", 1) != 1)
        _exit(2);
    e = bg_parent_watch_poll(&w);
    if (write(report, e == BG_PARENT_STOPPING ? "S" : "x", 1) != 1)
        _exit(2);
    _exit(0);
}

Test(protocol_parent, notices_a_dead_parent_once_then_reports_stopping)
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
    cr_assert_eq(read(report[0], got, 2), 2);
    cr_expect_str_eq(got, "GS");
    close(ready[0]);
    close(report[0]);
}
