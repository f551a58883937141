/*
 * server.c - gRPC core server: one completion-queue thread, each request handled on a thread
 * of its own (workers.c reuses idle threads instead of starting one per request).
 *
 * Every accepted call is a struct call whose address is the completion tag; `step` says which
 * batch just completed. The queue thread never runs provider code, so StopProvider is
 * answered while applies run, and Terraform's ten parallel operations run in parallel.
 * A handler only touches its call until its final batch has been started (then it sets
 * `released`); the queue thread frees the call when that batch completes and the handler has
 * let go of it.
 */
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include <grpc/byte_buffer.h>
#include <grpc/byte_buffer_reader.h>
#include <grpc/grpc.h>
#include <grpc/grpc_security.h>
#include <grpc/support/alloc.h>
#include <grpc/support/time.h>

#include "bluegreen/protocol.h"
#include "bluegreen/service.h"
#include "workers.h"

#define ARMED_REQUESTS 4
#define MAX_MESSAGE    (256 * 1024 * 1024)

enum step { STEP_REQUESTED, STEP_RECEIVED, STEP_FINISHED, STEP_SHUTDOWN };

struct bg_server;

struct call {
    enum step step;
    struct bg_server *server;
    grpc_call *call;
    grpc_call_details details;
    grpc_metadata_array metadata;
    grpc_byte_buffer *request;
    grpc_byte_buffer *response;
    grpc_slice status_detail;
    int cancelled;
    bool dispatched, shutdown_after;
    atomic_bool released; /* the handler will not touch the call again */
};

struct bg_server {
    grpc_server *srv;
    grpc_completion_queue *cq;
    struct bg_service *service;
    const struct bg_logger *log;
    struct bg_workers *workers;
    size_t live_calls;
    size_t handlers; /* dispatched calls not yet freed */
    bool shutting_down, shutdown_done;
    bool prompt_exit, exit_now;
    struct call shutdown_tag;
    atomic_int active;              /* handler threads inside bg_service_handle */
    struct bg_parent_watch *parent; /* exits when terraform is gone (parent.c) */
};

static void call_free(struct call *c)
{
    if (c->dispatched) {
        /* The final batch completed, but its grpc_call_start_batch may still be returning
         * on the handler's thread: wait for it (a few instructions at most). */
        while (!atomic_load_explicit(&c->released, memory_order_acquire))
            sched_yield();
        c->server->handlers--;
    }
    if (c->call != NULL)
        grpc_call_unref(c->call);
    grpc_call_details_destroy(&c->details);
    grpc_metadata_array_destroy(&c->metadata);
    if (c->request != NULL)
        grpc_byte_buffer_destroy(c->request);
    if (c->response != NULL)
        grpc_byte_buffer_destroy(c->response);
    grpc_slice_unref(c->status_detail);
    c->server->live_calls--;
    free(c);
}

static void arm_request(struct bg_server *s)
{
    struct call *c = calloc(1, sizeof(*c));

    if (c == NULL)
        abort();
    c->server = s;
    c->step = STEP_REQUESTED;
    atomic_init(&c->released, false);
    c->status_detail = grpc_empty_slice();
    grpc_call_details_init(&c->details);
    grpc_metadata_array_init(&c->metadata);
    s->live_calls++;
    if (grpc_server_request_call(s->srv, &c->call, &c->details, &c->metadata, s->cq, s->cq, c) !=
        GRPC_CALL_OK) {
        c->call = NULL;
        call_free(c);
    }
}

/* Sends status (and the response message, when there is one) and waits for the close. */
static void finish_call(struct call *c, grpc_status_code status, const char *detail)
{
    grpc_op ops[4];
    size_t n = 0;

    memset(ops, 0, sizeof(ops));
    ops[n++].op = GRPC_OP_SEND_INITIAL_METADATA;
    if (c->response != NULL) {
        ops[n].op = GRPC_OP_SEND_MESSAGE;
        ops[n++].data.send_message.send_message = c->response;
    }
    c->status_detail = grpc_slice_from_copied_string(detail != NULL ? detail : "");
    ops[n].op = GRPC_OP_SEND_STATUS_FROM_SERVER;
    ops[n].data.send_status_from_server.status = status;
    ops[n++].data.send_status_from_server.status_details = &c->status_detail;
    ops[n].op = GRPC_OP_RECV_CLOSE_ON_SERVER;
    ops[n++].data.recv_close_on_server.cancelled = &c->cancelled;
    c->step = STEP_FINISHED;
    if (grpc_call_start_batch(c->call, ops, n, c, NULL) != GRPC_CALL_OK)
        abort(); /* only misuse of the API gets here */
}

static grpc_slice read_request(struct call *c)
{
    grpc_byte_buffer_reader reader;
    grpc_slice all;

    if (c->request == NULL || !grpc_byte_buffer_reader_init(&reader, c->request))
        return grpc_empty_slice();
    all = grpc_byte_buffer_reader_readall(&reader);
    grpc_byte_buffer_reader_destroy(&reader);
    return all;
}

static void handle(void *arg)
{
    struct call *c = arg;
    struct bg_rpc_result res;
    grpc_slice in = read_request(c), out;
    char *method = grpc_slice_to_c_string(c->details.method);

    memset(&res, 0, sizeof(res));
    bg_service_handle(c->server->service, method, GRPC_SLICE_START_PTR(in), GRPC_SLICE_LENGTH(in),
                      &res);
    atomic_fetch_sub(&c->server->active, 1);
    grpc_slice_unref(in);
    gpr_free(method);
    if (res.status == BG_RPC_OK) {
        out = grpc_slice_from_copied_buffer((const char *)res.body, res.body_len);
        c->response = grpc_raw_byte_buffer_create(&out, 1);
        grpc_slice_unref(out);
    }
    free(res.body);
    c->shutdown_after = res.shutdown;
    finish_call(c, (grpc_status_code)res.status, res.status_detail);
    atomic_store_explicit(&c->released, true, memory_order_release);
}

static void on_requested(struct bg_server *s, struct call *c, bool ok)
{
    char *method;
    grpc_op op;

    if (!ok) { /* server shutting down: the armed request is returned unused */
        call_free(c);
        return;
    }
    if (!s->shutting_down)
        arm_request(s);
    method = grpc_slice_to_c_string(c->details.method);
    if (bg_service_is_stream(method)) {
        /* go-plugin's stdio and broker streams: answer at once, never wait to receive. */
        finish_call(c, GRPC_STATUS_UNIMPLEMENTED, "not used by this provider");
    } else {
        memset(&op, 0, sizeof(op));
        op.op = GRPC_OP_RECV_MESSAGE;
        op.data.recv_message.recv_message = &c->request;
        c->step = STEP_RECEIVED;
        if (grpc_call_start_batch(c->call, &op, 1, c, NULL) != GRPC_CALL_OK)
            abort();
    }
    gpr_free(method);
}

/* A quick method (schema, validation, state upgrade: no I/O) is answered on this thread:
 * handing it to a worker would cost more thread wake-ups than the handler takes. */
static bool quick(const struct call *c)
{
    char *method = grpc_slice_to_c_string(c->details.method);
    bool yes = bg_service_is_quick(method);

    gpr_free(method);
    return yes;
}

static void on_received(struct call *c, bool ok)
{
    if (!ok || c->request == NULL) {
        finish_call(c, GRPC_STATUS_CANCELLED, "no request message");
        return;
    }
    atomic_fetch_add(&c->server->active, 1); /* the parent watch waits for running hooks */
    if (quick(c)) {
        handle(c);
        return;
    }
    c->dispatched = true;
    if (bg_protocol__workers_run(c->server->workers, c) != 0)
        c->dispatched = false;
    c->server->handlers += c->dispatched;
    if (!c->dispatched) {
        atomic_fetch_sub(&c->server->active, 1);
        finish_call(c, GRPC_STATUS_RESOURCE_EXHAUSTED, "cannot start a handler thread");
    }
}

static void begin_shutdown(struct bg_server *s)
{
    if (s->shutting_down)
        return;
    s->shutting_down = true;
    s->shutdown_tag.step = STEP_SHUTDOWN;
    grpc_server_shutdown_and_notify(s->srv, s->cq, &s->shutdown_tag);
    grpc_server_cancel_all_calls(s->srv);
}

static void on_finished(struct bg_server *s, struct call *c)
{
    bool shutdown = c->shutdown_after;

    call_free(c);
    if (!shutdown)
        return;
    bg_log(s->log, BG_LOG_DEBUG, "protocol", NULL, "shutdown requested by terraform");
    /* Nothing else runs: the answer is on its way and the process may end now. */
    if (s->prompt_exit && s->handlers == 0)
        s->exit_now = true;
    else
        begin_shutdown(s);
}

void bg_server_run(struct bg_server *s)
{
    while (!s->exit_now && !(s->shutdown_done && s->live_calls == 0)) {
        grpc_event ev = grpc_completion_queue_next(s->cq, gpr_inf_future(GPR_CLOCK_REALTIME), NULL);
        struct call *c = ev.tag;

        if (ev.type != GRPC_OP_COMPLETE)
            break;
        if (c == &s->shutdown_tag) {
            s->shutdown_done = true;
            continue;
        }
        if (c->step == STEP_REQUESTED)
            on_requested(s, c, ev.success);
        else if (c->step == STEP_RECEIVED)
            on_received(c, ev.success);
        else
            on_finished(s, c);
    }
}

static grpc_server_credentials *make_credentials(const struct bg_server_options *opts)
{
    grpc_ssl_pem_key_cert_pair pair;

    if (opts->identity == NULL)
        return grpc_insecure_server_credentials_create();
    pair.private_key = opts->identity->key_pem;
    pair.cert_chain = opts->identity->cert_pem;
    if (opts->client_ca_pem == NULL)
        return grpc_ssl_server_credentials_create_ex(
            NULL, &pair, 1, GRPC_SSL_DONT_REQUEST_CLIENT_CERTIFICATE, NULL);
    /* go-plugin's AutoMTLS: terraform's certificate is the only accepted client. */
    return grpc_ssl_server_credentials_create_ex(
        opts->client_ca_pem, &pair, 1, GRPC_SSL_REQUEST_AND_REQUIRE_CLIENT_CERTIFICATE_AND_VERIFY,
        NULL);
}

static grpc_server *make_grpc_server(void)
{
    grpc_arg args[3];
    grpc_channel_args channel_args = {3, args};

    /* An orphaned provider must never share our port. */
    args[0].type = GRPC_ARG_INTEGER;
    args[0].key = (char *)GRPC_ARG_ALLOW_REUSEPORT;
    args[0].value.integer = 0;
    args[1].type = GRPC_ARG_INTEGER;
    args[1].key = (char *)GRPC_ARG_MAX_RECEIVE_MESSAGE_LENGTH;
    args[1].value.integer = MAX_MESSAGE;
    args[2].type = GRPC_ARG_INTEGER;
    args[2].key = (char *)GRPC_ARG_MAX_SEND_MESSAGE_LENGTH;
    args[2].value.integer = MAX_MESSAGE;
    return grpc_server_create(&channel_args, NULL);
}

int bg_server_new(struct bg_server **out, const struct bg_server_options *opts, int *port,
                  struct bg_error *err)
{
    struct bg_server *s = calloc(1, sizeof(*s));
    grpc_server_credentials *creds;
    int i;

    *out = NULL;
    if (s == NULL)
        return bg_error_set(err, BG_EIO, "out of memory");
    s->log = opts->log;
    s->prompt_exit = opts->prompt_exit;
    if (bg_service_new(&s->service, opts->log) != 0 ||
        bg_protocol__workers_new(&s->workers, handle) != 0) {
        bg_service_free(s->service);
        free(s);
        return bg_error_set(err, BG_EIO, "cannot create the provider service");
    }
    if (bg_parent_watch_start(&s->parent, s->service, s->log, &s->active) != 0)
        bg_log(s->log, BG_LOG_WARN, "protocol", NULL, "cannot watch for terraform's exit");
    s->cq = grpc_completion_queue_create_for_next(NULL);
    s->srv = make_grpc_server();
    grpc_server_register_completion_queue(s->srv, s->cq, NULL);
    creds = make_credentials(opts);
    *port = grpc_server_add_http2_port(s->srv, opts->listen, creds);
    grpc_server_credentials_release(creds);
    if (*port == 0 && strncmp(opts->listen, "unix:", 5) != 0) {
        bg_server_free(s);
        return bg_error_set(err, BG_EIO, "cannot listen on %s", opts->listen);
    }
    grpc_server_start(s->srv);
    for (i = 0; i < ARMED_REQUESTS; i++)
        arm_request(s);
    *out = s;
    return 0;
}

struct bg_service *bg_server_service(struct bg_server *s)
{
    return s->service;
}

void bg_server_free(struct bg_server *s)
{
    grpc_event ev;

    if (s == NULL)
        return;
    s->exit_now = false; /* a full teardown after all */
    if (!s->shutting_down) {
        begin_shutdown(s);
        bg_server_run(s);
    }
    grpc_completion_queue_shutdown(s->cq);
    do {
        ev = grpc_completion_queue_next(s->cq, gpr_inf_future(GPR_CLOCK_REALTIME), NULL);
    } while (ev.type != GRPC_QUEUE_SHUTDOWN);
    grpc_server_destroy(s->srv);
    grpc_completion_queue_destroy(s->cq);
    bg_parent_watch_stop(s->parent);
    bg_protocol__workers_free(s->workers);
    bg_service_free(s->service);
    free(s);
}
