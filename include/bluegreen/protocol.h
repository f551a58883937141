/*
 * protocol.h - the plugin side of hashicorp/go-plugin as Terraform 1.x drives it: handshake
 * environment, TLS certificate, and the gRPC server that serves tfplugin6 plus go-plugin's
 * controller/stdio/broker and grpc health.
 *
 * Threading model (design/architecture.md): one thread polls the completion queue and never
 * runs provider code; each received request is handled on its own short-lived thread, so a
 * long ApplyResourceChange never delays StopProvider or the other parallel operations.
 */
#ifndef BLUEGREEN_PROTOCOL_H
#define BLUEGREEN_PROTOCOL_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>

#include "common.h"
#include "log.h"

#define BG_MAGIC_COOKIE_KEY   "TF_PLUGIN_MAGIC_COOKIE"
#define BG_MAGIC_COOKIE_VALUE "d602bf8f470bc67ca7faa0386276bbdd4330efaf76d1a219cb4d6991ca9872b2"

/* ---- handshake ------------------------------------------------------------------------ */

struct bg_handshake {
    int protocol_version;  /* negotiated app protocol (6) */
    char *client_cert_pem; /* PLUGIN_CLIENT_CERT (malloc-owned) or NULL: plaintext */
};

/* Checks the magic cookie and negotiates the protocol version from the environment given by
 * env (NULL = getenv). BG_EINVAL with an explanation when launched by hand or when terraform
 * offers no version we speak. */
int bg_handshake_read(struct bg_handshake *out, const char *(*env)(const char *name),
                      struct bg_error *err);
void bg_handshake_clear(struct bg_handshake *h);

/* Formats the single stdout line `1|6|tcp|127.0.0.1:PORT|grpc|CERT\n` into buf. cert_b64 may
 * be NULL (plaintext). Returns the line length or BG_ELIMIT when buf is too small. */
int bg_handshake_line(char *buf, size_t size, int protocol_version, const char *network,
                      const char *address, const char *cert_b64);

/* ---- TLS ------------------------------------------------------------------------------ */

struct bg_tls_identity {
    char *cert_pem; /* self-signed, SAN DNS:localhost, P-256 */
    char *key_pem;
    char *cert_der_b64; /* base64 standard alphabet without padding (Go RawStdEncoding) */
};

/* Generates a fresh key and certificate valid from one minute ago for ten years. */
int bg_tls_identity_new(struct bg_tls_identity *out, struct bg_error *err);
void bg_tls_identity_clear(struct bg_tls_identity *id);

/* ---- parent watch (parent.c) ---------------------------------------------------------- */

struct bg_service;
struct bg_parent_watch;

/* True when the process that started us is no longer our parent (it died: we were handed to
 * a reaper). parent is getppid() as it was at start. */
bool bg_parent_is_gone(long parent);

/* Starts a thread that checks once a second whether terraform (our parent) is gone. When it
 * is, the thread sets svc's stop flag (as StopProvider does), waits for *active (calls whose
 * hooks are running) to reach 0, at most 5 s, then _exit()s. Stop it with
 * bg_parent_watch_stop before svc is freed. BG_EIO when the thread cannot start. */
int bg_parent_watch_start(struct bg_parent_watch **out, struct bg_service *svc,
                          const struct bg_logger *log, const atomic_int *active);
/* Ends and joins the thread at once, frees w. NULL allowed. */
void bg_parent_watch_stop(struct bg_parent_watch *w);

/* ---- server --------------------------------------------------------------------------- */

struct bg_server;

struct bg_server_options {
    const struct bg_logger *log;
    const struct bg_tls_identity *identity; /* NULL: plaintext */
    const char *client_ca_pem;              /* required client cert (terraform's) or NULL */
    const char *listen;                     /* "127.0.0.1:0" or "unix:/path" */
    /* bg_server_run returns as soon as the Shutdown answer is sent when no other call is being
     * handled, without shutting the server down: for a process that exits right away. */
    bool prompt_exit;
};

/* Creates and starts the server; *port receives the bound TCP port (0 for unix sockets). */
int bg_server_new(struct bg_server **out, const struct bg_server_options *opts, int *port,
                  struct bg_error *err);
/* Serves until go-plugin's controller asks the process to shut down (see prompt_exit). */
void bg_server_run(struct bg_server *s);
/* Waits for handler threads, shuts gRPC down, frees everything. NULL allowed. */
void bg_server_free(struct bg_server *s);

struct bg_service;

/* The service the server dispatches to (owned by the server). */
struct bg_service *bg_server_service(struct bg_server *s);

/* ---- signals -------------------------------------------------------------------------- */

/* SIGINT and SIGTERM mean "stop at a safe point", as StopProvider does: a Ctrl-C in a
 * terminal (or a CI runner cancelling a job) signals terraform's whole process group, and
 * during the plan phase of `terraform apply` terraform itself sends no StopProvider, so the
 * signal is the only way a long wait learns of it. Terraform ends the provider with Shutdown
 * (or SIGKILL) when it is done, never with these signals.
 *
 * bg_signals_block blocks them (and SIGPIPE is ignored) in the calling thread, so call it in
 * main before any thread starts: every thread inherits the mask and only the watcher thread
 * receives them, with sigwait. */
int bg_signals_block(struct bg_error *err);

struct bg_signal_watch;

/* Starts the watcher thread: each SIGINT/SIGTERM calls bg_service_request_stop(svc). */
int bg_signal_watch_start(struct bg_signal_watch **out, struct bg_service *svc,
                          struct bg_error *err);
/* Ends and joins the watcher; NULL allowed. */
void bg_signal_watch_stop(struct bg_signal_watch *w);

#endif
