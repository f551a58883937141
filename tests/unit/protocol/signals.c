/* signals.c - unit tests for src/protocol/signals.c: SIGINT/SIGTERM become a stop request. */
#include <criterion/criterion.h>
#include <pthread.h>
#include <signal.h>
#include <time.h>

#include "bluegreen/protocol.h"
#include "bluegreen/service.h"

static bool wait_stopping(const struct bg_service *svc)
{
    for (int i = 0; i < 200 && !bg_service_stopping(svc); i++) {
        struct timespec ts = {0, 10 * 1000000L};

        nanosleep(&ts, NULL);
    }
    return bg_service_stopping(svc);
}

static void check_signal_requests_stop(int sig)
{
    const struct bg_logger quiet = {BG_LOG_OFF, 2};
    struct bg_signal_watch *w = NULL;
    struct bg_error err = BG_ERROR_INIT;
    struct bg_service *svc = NULL;

    /* criterion runs each test in its own process: blocking here affects this test only */
    cr_assert_eq(bg_signals_block(&err), 0, "%s", err.msg);
    cr_assert_eq(bg_service_new(&svc, &quiet), 0);
    cr_assert_eq(bg_signal_watch_start(&w, svc, &err), 0, "%s", err.msg);
    cr_expect_not(bg_service_stopping(svc));
    kill(getpid(), sig); /* process-directed, as a terminal's Ctrl-C is */
    cr_expect(wait_stopping(svc), "signal %d did not request a stop", sig);
    kill(getpid(), sig); /* a second one changes nothing and does not kill us */
    bg_signal_watch_stop(w);
    bg_service_free(svc);
}

Test(protocol_signals, sigint_requests_a_stop_instead_of_killing_the_provider)
{
    check_signal_requests_stop(SIGINT);
}

Test(protocol_signals, sigterm_requests_a_stop_instead_of_killing_the_provider)
{
    check_signal_requests_stop(SIGTERM);
}

Test(protocol_signals, the_watcher_ends_cleanly_without_any_signal)
{
    const struct bg_logger quiet = {BG_LOG_OFF, 2};
    struct bg_signal_watch *w = NULL;
    struct bg_error err = BG_ERROR_INIT;
    struct bg_service *svc = NULL;

    cr_assert_eq(bg_signals_block(&err), 0, "%s", err.msg);
    cr_assert_eq(bg_service_new(&svc, &quiet), 0);
    cr_assert_eq(bg_signal_watch_start(&w, svc, &err), 0, "%s", err.msg);
    bg_signal_watch_stop(w);
    cr_expect_not(bg_service_stopping(svc));
    bg_signal_watch_stop(NULL);
    bg_service_free(svc);
}
