/*
 * service.h - what the gRPC server serves: method path + request bytes -> response bytes.
 *
 * The service holds the provider state shared by concurrent calls: the configuration built
 * by ConfigureProvider (published once, read-only afterwards) and the StopProvider flag.
 * bg_service_handle is thread safe and may block for as long as the operation takes.
 */
#ifndef BLUEGREEN_SERVICE_H
#define BLUEGREEN_SERVICE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "log.h"

struct bg_service;

enum bg_rpc_status {
    BG_RPC_OK = 0,      /* gRPC OK */
    BG_RPC_INVALID = 3, /* INVALID_ARGUMENT: undecodable request */
    BG_RPC_UNIMPLEMENTED = 12,
    BG_RPC_INTERNAL = 13,
};

struct bg_rpc_result {
    enum bg_rpc_status status;
    const char *status_detail; /* static string or NULL */
    uint8_t *body;             /* malloc-owned response message, freed by the caller */
    size_t body_len;
    bool shutdown; /* go-plugin asked the process to exit */
};

int bg_service_new(struct bg_service **out, const struct bg_logger *log);
void bg_service_free(struct bg_service *svc);

/* True for methods whose handlers only decode, check and answer (schema, validation, state
 * upgrade): no file, network or clock, so they may run on the thread that received them
 * instead of waking a worker. */
bool bg_service_is_quick(const char *method);

/* True for methods that are streams we answer at once with a status and no message. */
bool bg_service_is_stream(const char *method);

/* Sets the stop flag every running hook checks (StopProvider, a signal, terraform gone): they
 * finish their current step safely and return the state reached; new calls see it too. why
 * names the cause in the one INFO line logged. Thread safe (async-signal-safe it is not:
 * call it from a thread, see include/bluegreen/protocol.h's signal watcher). */
void bg_service_request_stop(struct bg_service *svc, const char *why);

/* Whether a stop was requested. Thread safe. */
bool bg_service_stopping(const struct bg_service *svc);

void bg_service_handle(struct bg_service *svc, const char *method, const uint8_t *req,
                       size_t req_len, struct bg_rpc_result *out);

#endif
