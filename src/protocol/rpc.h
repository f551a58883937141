/*
 * rpc.h - protocol-internal: the service state and the per-call context handlers receive.
 */
#ifndef BG_PROTOCOL_RPC_H
#define BG_PROTOCOL_RPC_H

#include <pthread.h>
#include <stdatomic.h>

#include <protobuf-c/protobuf-c.h>

#include "bluegreen/provider.h"
#include "bluegreen/resource.h"
#include "bluegreen/service.h"
#include "wire.h"

struct bg_service {
    const struct bg_logger *log;
    pthread_mutex_t lock;               /* guards provider publication */
    struct bg_provider *provider;       /* set once by ConfigureProvider */
    atomic_bool stop;                   /* StopProvider */
    struct bg_files_dircache *dircache; /* cluster directory listings, see files.h */
};

struct bg_rpc_ctx {
    struct bg_service *svc;
    struct bg_arena *arena;
    struct bg_diags diags;
    struct bg_call call; /* what resource hooks see */
    bool shutdown;
};

/* A handler gets the unpacked request and returns the response message built in the arena. */
typedef ProtobufCMessage *(*bg_rpc_handler)(struct bg_rpc_ctx *ctx, const ProtobufCMessage *req);

struct bg_rpc_method {
    const char *path;
    const ProtobufCMessageDescriptor *request;
    bg_rpc_handler handler;
    bool quick; /* decodes, checks and answers without I/O: run on the receiving thread */
};

/* Lifecycle handlers (rpc_resource.c). */
ProtobufCMessage *bg_rpc_validate_resource(struct bg_rpc_ctx *ctx, const ProtobufCMessage *req);
ProtobufCMessage *bg_rpc_validate_data(struct bg_rpc_ctx *ctx, const ProtobufCMessage *req);
ProtobufCMessage *bg_rpc_upgrade_state(struct bg_rpc_ctx *ctx, const ProtobufCMessage *req);
ProtobufCMessage *bg_rpc_read_resource(struct bg_rpc_ctx *ctx, const ProtobufCMessage *req);
ProtobufCMessage *bg_rpc_plan(struct bg_rpc_ctx *ctx, const ProtobufCMessage *req);
ProtobufCMessage *bg_rpc_apply(struct bg_rpc_ctx *ctx, const ProtobufCMessage *req);
ProtobufCMessage *bg_rpc_import(struct bg_rpc_ctx *ctx, const ProtobufCMessage *req);
ProtobufCMessage *bg_rpc_read_data(struct bg_rpc_ctx *ctx, const ProtobufCMessage *req);

#endif
