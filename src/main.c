/*
 * main.c - read the environment, create the server, print the handshake line, serve, free.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <grpc/grpc.h>
#if defined(__has_include)
#if __has_include(<valgrind/valgrind.h>)
#include <valgrind/valgrind.h>
#endif
#endif

#include "bluegreen/log.h"
#include "bluegreen/protocol.h"
#include "bluegreen/version.h"

/* Whether to free everything before exiting: leak checkers (ASan/LSan builds, valgrind) report
 * what is still allocated at exit, and BG_FULL_TEARDOWN=1 asks for the same elsewhere. */
static bool full_teardown(void)
{
    const char *v = getenv("BG_FULL_TEARDOWN");

#if defined(__SANITIZE_ADDRESS__)
    return true;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(leak_sanitizer)
    return true;
#endif
#endif
#if defined(RUNNING_ON_VALGRIND)
    if (RUNNING_ON_VALGRIND)
        return true;
#endif
    return v != NULL && *v != '\0' && strcmp(v, "0") != 0;
}

static int threads_alive(void)
{
    FILE *f = fopen("/proc/self/status", "r");
    char line[256];
    int n = 0;

    while (f != NULL && fgets(line, sizeof(line), f) != NULL) {
        if (sscanf(line, "Threads: %d", &n) == 1)
            break;
    }
    if (f != NULL)
        fclose(f);
    return n;
}

/* gRPC's event-engine and timer threads can still be on their way out when
 * grpc_shutdown_blocking returns; a leak checker would then report their thread-local blocks
 * as possibly lost. Only for a full teardown: wait, at most one second, to be alone. */
static void wait_for_grpc_threads(void)
{
    struct timespec pause = {0, 5 * 1000 * 1000};

    for (int i = 0; i < 200 && threads_alive() > 1; i++)
        nanosleep(&pause, NULL);
}

static int serve(const struct bg_logger *log, const struct bg_handshake *hs)
{
    struct bg_tls_identity id;
    struct bg_server_options opts = {log, NULL, hs->client_cert_pem, "127.0.0.1:0", false};
    struct bg_server *server = NULL;
    struct bg_signal_watch *signals = NULL;
    struct bg_error err = BG_ERROR_INIT;
    char address[64], line[2048];
    int port = 0, rc = 1;

    memset(&id, 0, sizeof(id));
    opts.prompt_exit = !full_teardown();
    if (hs->client_cert_pem != NULL && bg_tls_identity_new(&id, &err) != 0)
        goto done;
    opts.identity = hs->client_cert_pem != NULL ? &id : NULL;
    if (bg_server_new(&server, &opts, &port, &err) != 0 ||
        bg_signal_watch_start(&signals, bg_server_service(server), &err) != 0)
        goto done;
    snprintf(address, sizeof(address), "127.0.0.1:%d", port);
    if (bg_handshake_line(line, sizeof(line), hs->protocol_version, "tcp", address,
                          opts.identity != NULL ? id.cert_der_b64 : NULL) < 0)
        goto done;
    /* stdout carries exactly this line; terraform discards anything after it. */
    fputs(line, stdout);
    fflush(stdout);
    bg_log(log, BG_LOG_DEBUG, "protocol", NULL, "serving tfplugin6 on %s (tls %s)", address,
           opts.identity != NULL ? "on" : "off");
    bg_server_run(server);
    /* Every call has finished and terraform is waiting for this process to end (it launches
     * the provider 3-4 times per command). Tearing gRPC, OpenSSL and the C++ runtime down
     * would only delay that: the kernel reclaims memory, threads and sockets at once. */
    if (opts.prompt_exit)
        _exit(0);
    rc = 0;
done:
    if (rc != 0)
        fprintf(stderr, "terraform-provider-bluegreen: %s\n", err.msg);
    bg_signal_watch_stop(signals);
    bg_server_free(server);
    bg_tls_identity_clear(&id);
    return rc;
}

int main(int argc, char **argv)
{
    struct bg_handshake hs;
    struct bg_error err = BG_ERROR_INIT;
    struct bg_logger log;
    int rc;

    if (argc > 1 && (strcmp(argv[1], "--version") == 0 || strcmp(argv[1], "-v") == 0)) {
        printf("%s %s\n", BG_BINARY_NAME, BG_VERSION);
        return 0;
    }
    if (bg_handshake_read(&hs, NULL, &err) != 0) {
        fprintf(stderr, "%s\n", err.msg);
        return 1;
    }
    /* Before any thread exists, so all of them inherit the mask (SIGINT/SIGTERM: stop). */
    if (bg_signals_block(&err) != 0) {
        fprintf(stderr, "%s\n", err.msg);
        return 1;
    }
    bg_log_init(&log, 2, NULL);
    grpc_init();
    rc = serve(&log, &hs);
    /* The blocking variant joins gRPC's executor threads, so their per-thread OpenSSL state
     * is released before exit (the plain call returns first and leak checkers notice). */
    grpc_shutdown_blocking();
    wait_for_grpc_threads();
    bg_handshake_clear(&hs);
    return rc;
}
