/*
 * rpc.c - the service: method table, request decoding, response encoding, and the RPCs that
 * concern the provider as a whole (schema, provider config, stop) plus go-plugin's controller
 * and grpc health. Resource lifecycle RPCs live in rpc_resource.c.
 */
#include <stdlib.h>
#include <string.h>

#include "bluegreen/files.h"
#include "health.pb-c.h"
#include "plugin.pb-c.h"
#include "rpc.h"

static void set_provider(struct bg_service *svc, struct bg_provider *p)
{
    struct bg_provider *old;

    pthread_mutex_lock(&svc->lock);
    old = svc->provider;
    /* Terraform configures a provider process once. Should it configure again, calls still
     * running may hold the old configuration: keep it alive until the service is freed. */
    p->previous = old;
    svc->provider = p;
    pthread_mutex_unlock(&svc->lock);
}

static const struct bg_provider *get_provider(struct bg_service *svc)
{
    const struct bg_provider *p;

    pthread_mutex_lock(&svc->lock);
    p = svc->provider;
    pthread_mutex_unlock(&svc->lock);
    return p;
}

static void add_schema_entries(struct bg_rpc_ctx *ctx, Tfplugin6__GetProviderSchema__Response *r)
{
    size_t n, i;

    for (n = 0; bg_resources[n] != NULL; n++)
        ;
    r->n_resource_schemas = n;
    r->resource_schemas = bg_arena_calloc(ctx->arena, n, sizeof(*r->resource_schemas));
    for (i = 0; i < n; i++) {
        Tfplugin6__GetProviderSchema__Response__ResourceSchemasEntry *e = bg_wire_new(
            ctx->arena,
            &tfplugin6__get_provider_schema__response__resource_schemas_entry__descriptor);
        e->key = (char *)bg_resources[i]->type_name;
        e->value = bg_wire_schema(ctx->arena, bg_resources[i]->schema);
        r->resource_schemas[i] = e;
    }
    for (n = 0; bg_data_sources[n] != NULL; n++)
        ;
    r->n_data_source_schemas = n;
    r->data_source_schemas = bg_arena_calloc(ctx->arena, n, sizeof(*r->data_source_schemas));
    for (i = 0; i < n; i++) {
        Tfplugin6__GetProviderSchema__Response__DataSourceSchemasEntry *e = bg_wire_new(
            ctx->arena,
            &tfplugin6__get_provider_schema__response__data_source_schemas_entry__descriptor);
        e->key = (char *)bg_data_sources[i]->type_name;
        e->value = bg_wire_schema(ctx->arena, bg_data_sources[i]->schema);
        r->data_source_schemas[i] = e;
    }
}

/* No RPC here depends on GetProviderSchema having been called in this process, so terraform
 * may serve the schema from its cache: it then skips the call on its 2nd and 3rd launch. */
static Tfplugin6__ServerCapabilities *capabilities(struct bg_rpc_ctx *ctx)
{
    Tfplugin6__ServerCapabilities *c =
        bg_wire_new(ctx->arena, &tfplugin6__server_capabilities__descriptor);

    c->get_provider_schema_optional = 1;
    return c;
}

static ProtobufCMessage *get_schema(struct bg_rpc_ctx *ctx, const ProtobufCMessage *req)
{
    Tfplugin6__GetProviderSchema__Response *r =
        bg_wire_new(ctx->arena, &tfplugin6__get_provider_schema__response__descriptor);

    (void)req;
    r->provider = bg_wire_schema(ctx->arena, &bg_provider_schema);
    add_schema_entries(ctx, r);
    r->server_capabilities = capabilities(ctx);
    return &r->base;
}

static ProtobufCMessage *get_metadata(struct bg_rpc_ctx *ctx, const ProtobufCMessage *req)
{
    Tfplugin6__GetMetadata__Response *r =
        bg_wire_new(ctx->arena, &tfplugin6__get_metadata__response__descriptor);
    size_t n, i;

    (void)req;
    r->server_capabilities = capabilities(ctx);
    for (n = 0; bg_resources[n] != NULL; n++)
        ;
    r->n_resources = n;
    r->resources = bg_arena_calloc(ctx->arena, n, sizeof(*r->resources));
    for (i = 0; i < n; i++) {
        r->resources[i] =
            bg_wire_new(ctx->arena, &tfplugin6__get_metadata__resource_metadata__descriptor);
        r->resources[i]->type_name = (char *)bg_resources[i]->type_name;
    }
    for (n = 0; bg_data_sources[n] != NULL; n++)
        ;
    r->n_data_sources = n;
    r->data_sources = bg_arena_calloc(ctx->arena, n, sizeof(*r->data_sources));
    for (i = 0; i < n; i++) {
        r->data_sources[i] =
            bg_wire_new(ctx->arena, &tfplugin6__get_metadata__data_source_metadata__descriptor);
        r->data_sources[i]->type_name = (char *)bg_data_sources[i]->type_name;
    }
    return &r->base;
}

static ProtobufCMessage *validate_provider(struct bg_rpc_ctx *ctx, const ProtobufCMessage *req)
{
    const Tfplugin6__ValidateProviderConfig__Request *q = (const void *)req;
    Tfplugin6__ValidateProviderConfig__Response *r =
        bg_wire_new(ctx->arena, &tfplugin6__validate_provider_config__response__descriptor);
    struct bg_value *config;

    if (bg_wire_value_in(&config, &ctx->diags, q->config, "provider configuration") == 0)
        bg_schema_validate(&ctx->diags, &bg_provider_schema.block, config);
    r->diagnostics = bg_wire_diags(ctx->arena, &ctx->diags, &r->n_diagnostics);
    return &r->base;
}

static ProtobufCMessage *configure_provider(struct bg_rpc_ctx *ctx, const ProtobufCMessage *req)
{
    const Tfplugin6__ConfigureProvider__Request *q = (const void *)req;
    Tfplugin6__ConfigureProvider__Response *r =
        bg_wire_new(ctx->arena, &tfplugin6__configure_provider__response__descriptor);
    struct bg_value *config;
    struct bg_provider *p = NULL;

    if (bg_wire_value_in(&config, &ctx->diags, q->config, "provider configuration") == 0) {
        config = bg_schema_apply_defaults(ctx->arena, &bg_provider_schema.block, config);
        if (bg_provider_new(&p, &ctx->diags, config, q->terraform_version) == 0)
            set_provider(ctx->svc, p);
    }
    r->diagnostics = bg_wire_diags(ctx->arena, &ctx->diags, &r->n_diagnostics);
    return &r->base;
}

static ProtobufCMessage *stop_provider(struct bg_rpc_ctx *ctx, const ProtobufCMessage *req)
{
    Tfplugin6__StopProvider__Response *r =
        bg_wire_new(ctx->arena, &tfplugin6__stop_provider__response__descriptor);

    (void)req;
    bg_service_request_stop(ctx->svc, "StopProvider");
    r->error = (char *)"";
    return &r->base;
}

static ProtobufCMessage *unsupported_with_diags(struct bg_rpc_ctx *ctx, const ProtobufCMessage *req)
{
    /* Ephemeral resources, functions, moves: none exist; answer with a clear diagnostic
     * in the response shape every one of these requests shares (diagnostics only). */
    Tfplugin6__ValidateEphemeralResourceConfig__Response *r = bg_wire_new(
        ctx->arena, &tfplugin6__validate_ephemeral_resource_config__response__descriptor);

    (void)req;
    bg_diag_error(&ctx->diags, NULL, "Not supported by this provider",
                  "The bluegreen provider has no ephemeral resources.");
    r->diagnostics = bg_wire_diags(ctx->arena, &ctx->diags, &r->n_diagnostics);
    return &r->base;
}

static ProtobufCMessage *move_state(struct bg_rpc_ctx *ctx, const ProtobufCMessage *req)
{
    Tfplugin6__MoveResourceState__Response *r =
        bg_wire_new(ctx->arena, &tfplugin6__move_resource_state__response__descriptor);

    (void)req;
    bg_diag_error(&ctx->diags, NULL, "Move not supported",
                  "bluegreen resources cannot be moved from another resource type.");
    r->diagnostics = bg_wire_diags(ctx->arena, &ctx->diags, &r->n_diagnostics);
    return &r->base;
}

static ProtobufCMessage *get_functions(struct bg_rpc_ctx *ctx, const ProtobufCMessage *req)
{
    (void)req;
    return bg_wire_new(ctx->arena, &tfplugin6__get_functions__response__descriptor);
}

static ProtobufCMessage *controller_shutdown(struct bg_rpc_ctx *ctx, const ProtobufCMessage *req)
{
    (void)req;
    ctx->shutdown = true;
    return bg_wire_new(ctx->arena, &plugin__empty__descriptor);
}

static ProtobufCMessage *health_check(struct bg_rpc_ctx *ctx, const ProtobufCMessage *req)
{
    Grpc__Health__V1__HealthCheckResponse *r =
        bg_wire_new(ctx->arena, &grpc__health__v1__health_check_response__descriptor);

    (void)req;
    r->status = GRPC__HEALTH__V1__HEALTH_CHECK_RESPONSE__SERVING_STATUS__SERVING;
    return &r->base;
}

#define P6(name) "/tfplugin6.Provider/" name
static const struct bg_rpc_method methods[] = {
    {P6("GetProviderSchema"), &tfplugin6__get_provider_schema__request__descriptor, get_schema,
     true},
    {P6("GetMetadata"), &tfplugin6__get_metadata__request__descriptor, get_metadata, true},
    {P6("ValidateProviderConfig"), &tfplugin6__validate_provider_config__request__descriptor,
     validate_provider, false},
    {P6("ValidateResourceConfig"), &tfplugin6__validate_resource_config__request__descriptor,
     bg_rpc_validate_resource, true},
    {P6("ValidateDataResourceConfig"),
     &tfplugin6__validate_data_resource_config__request__descriptor, bg_rpc_validate_data, true},
    {P6("UpgradeResourceState"), &tfplugin6__upgrade_resource_state__request__descriptor,
     bg_rpc_upgrade_state, true},
    {P6("ConfigureProvider"), &tfplugin6__configure_provider__request__descriptor,
     configure_provider, false},
    {P6("ReadResource"), &tfplugin6__read_resource__request__descriptor, bg_rpc_read_resource,
     false},
    {P6("PlanResourceChange"), &tfplugin6__plan_resource_change__request__descriptor, bg_rpc_plan,
     false},
    {P6("ApplyResourceChange"), &tfplugin6__apply_resource_change__request__descriptor,
     bg_rpc_apply, false},
    {P6("ImportResourceState"), &tfplugin6__import_resource_state__request__descriptor,
     bg_rpc_import, false},
    {P6("ReadDataSource"), &tfplugin6__read_data_source__request__descriptor, bg_rpc_read_data,
     false},
    {P6("MoveResourceState"), &tfplugin6__move_resource_state__request__descriptor, move_state,
     false},
    {P6("ValidateEphemeralResourceConfig"),
     &tfplugin6__validate_ephemeral_resource_config__request__descriptor, unsupported_with_diags,
     false},
    {P6("OpenEphemeralResource"), &tfplugin6__open_ephemeral_resource__request__descriptor,
     unsupported_with_diags, false},
    {P6("CloseEphemeralResource"), &tfplugin6__close_ephemeral_resource__request__descriptor,
     unsupported_with_diags, false},
    {P6("GetFunctions"), &tfplugin6__get_functions__request__descriptor, get_functions, true},
    {P6("StopProvider"), &tfplugin6__stop_provider__request__descriptor, stop_provider, false},
    {"/plugin.GRPCController/Shutdown", &plugin__empty__descriptor, controller_shutdown, false},
    {"/grpc.health.v1.Health/Check", &grpc__health__v1__health_check_request__descriptor,
     health_check, true},
};

static const struct bg_rpc_method *find_method(const char *path);

bool bg_service_is_quick(const char *method)
{
    const struct bg_rpc_method *m = find_method(method);

    return m != NULL && m->quick;
}

bool bg_service_is_stream(const char *method)
{
    return strcmp(method, "/plugin.GRPCStdio/StreamStdio") == 0 ||
           strcmp(method, "/plugin.GRPCBroker/StartStream") == 0 ||
           strcmp(method, "/grpc.health.v1.Health/Watch") == 0;
}

static const struct bg_rpc_method *find_method(const char *path)
{
    size_t i;

    for (i = 0; i < sizeof(methods) / sizeof(methods[0]); i++) {
        if (strcmp(methods[i].path, path) == 0)
            return &methods[i];
    }
    return NULL;
}

static void pack_response(struct bg_rpc_result *out, const ProtobufCMessage *resp)
{
    size_t n = protobuf_c_message_get_packed_size(resp);

    out->body = malloc(n > 0 ? n : 1);
    if (out->body == NULL) {
        out->status = BG_RPC_INTERNAL;
        out->status_detail = "out of memory";
        return;
    }
    out->body_len = protobuf_c_message_pack(resp, out->body);
}

static void run_method(struct bg_service *svc, const struct bg_rpc_method *m, const uint8_t *in,
                       size_t len, struct bg_rpc_result *out)
{
    struct bg_rpc_ctx ctx;
    ProtobufCMessage *req = protobuf_c_message_unpack(m->request, NULL, len, in);

    if (req == NULL) {
        out->status = BG_RPC_INVALID;
        out->status_detail = "cannot decode the request message";
        return;
    }
    memset(&ctx, 0, sizeof(ctx));
    ctx.svc = svc;
    ctx.arena = bg_arena_new();
    bg_diags_init(&ctx.diags, ctx.arena);
    ctx.call.arena = ctx.arena;
    ctx.call.diags = &ctx.diags;
    ctx.call.provider = get_provider(svc);
    ctx.call.log = svc->log;
    ctx.call.stop = &svc->stop;
    ctx.call.dircache = svc->dircache;
    pack_response(out, m->handler(&ctx, req));
    out->shutdown = ctx.shutdown;
    protobuf_c_message_free_unpacked(req, NULL);
    bg_arena_free(ctx.arena);
}

void bg_service_handle(struct bg_service *svc, const char *method, const uint8_t *req,
                       size_t req_len, struct bg_rpc_result *out)
{
    const struct bg_rpc_method *m = find_method(method);

    memset(out, 0, sizeof(*out));
    if (m == NULL) {
        bg_log(svc->log, BG_LOG_DEBUG, "protocol", NULL, "unimplemented method %s", method);
        out->status = BG_RPC_UNIMPLEMENTED;
        out->status_detail = "method not implemented by terraform-provider-bluegreen";
        return;
    }
    bg_log(svc->log, BG_LOG_TRACE, "protocol", NULL, "%s", method);
    run_method(svc, m, req, req_len, out);
}

int bg_service_new(struct bg_service **out, const struct bg_logger *log)
{
    struct bg_service *svc = calloc(1, sizeof(*svc));

    *out = NULL;
    if (svc == NULL)
        return BG_EIO;
    svc->log = log;
    if (bg_files_dircache_new(&svc->dircache) != 0) {
        free(svc);
        return BG_EIO;
    }
    pthread_mutex_init(&svc->lock, NULL);
    atomic_init(&svc->stop, false);
    *out = svc;
    return 0;
}

void bg_service_request_stop(struct bg_service *svc, const char *why)
{
    if (atomic_exchange(&svc->stop, true))
        return; /* logged once, by whoever asked first */
    bg_log(svc->log, BG_LOG_INFO, "protocol", NULL,
           "stop requested (%s): running operations finish their current step and return", why);
}

bool bg_service_stopping(const struct bg_service *svc)
{
    return atomic_load(&svc->stop);
}

void bg_service_free(struct bg_service *svc)
{
    if (svc == NULL)
        return;
    bg_provider_free(svc->provider);
    bg_files_dircache_free(svc->dircache);
    pthread_mutex_destroy(&svc->lock);
    free(svc);
}
