/* rpc.c - the service end to end without gRPC: packed request bytes in, packed response out. */
#include <criterion/criterion.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "bluegreen/arena.h"
#include "bluegreen/codec.h"
#include "bluegreen/log.h"
#include "bluegreen/service.h"
#include "bluegreen/value.h"
#include "plugin.pb-c.h"
#include "protocol/rpc.h"
#include "tfplugin6.pb-c.h"

static const struct bg_logger quiet = {BG_LOG_OFF, 2};
static struct bg_service *svc;
static struct bg_arena *arena;
static struct bg_rpc_result res;

static void setup(void)
{
    cr_assert_eq(bg_service_new(&svc, &quiet), 0);
    arena = bg_arena_new();
    memset(&res, 0, sizeof(res));
}

static void teardown(void)
{
    free(res.body);
    bg_service_free(svc);
    bg_arena_free(arena);
}

TestSuite(protocol_rpc, .init = setup, .fini = teardown);

/* Packs msg into arena memory and calls method; the answer lands in res. */
static void call(const char *method, const ProtobufCMessage *msg)
{
    size_t n = protobuf_c_message_get_packed_size(msg);
    uint8_t *buf = bg_arena_alloc(arena, n);

    protobuf_c_message_pack(msg, buf);
    free(res.body);
    bg_service_handle(svc, method, buf, n, &res);
}

/* The response body as a message of type d (nested response types have no own unpack). */
static void *unpack_body(const ProtobufCMessageDescriptor *d)
{
    cr_assert_not_null(res.body, "a response body");
    return protobuf_c_message_unpack(d, NULL, res.body_len, res.body);
}

Test(protocol_rpc, get_provider_schema_lists_cluster_pair_with_its_attributes)
{
    Tfplugin6__GetProviderSchema__Request req = TFPLUGIN6__GET_PROVIDER_SCHEMA__REQUEST__INIT;
    Tfplugin6__GetProviderSchema__Response *r;
    const Tfplugin6__Schema *pair = NULL;
    static const char *const want[] = {"id",
                                       "directory",
                                       "name",
                                       "colors",
                                       "live",
                                       "standby",
                                       "substitutions",
                                       "live_cluster",
                                       "standby_cluster",
                                       "standby_color",
                                       "source_files",
                                       "files",
                                       "contents",
                                       "substitution_counts",
                                       "generated_color"};
    size_t i, j;

    call("/tfplugin6.Provider/GetProviderSchema", &req.base);
    cr_assert_eq(res.status, BG_RPC_OK);
    cr_assert_not(res.shutdown);
    r = unpack_body(&tfplugin6__get_provider_schema__response__descriptor);
    cr_assert_not_null(r, "the body is a GetProviderSchema.Response");
    cr_assert_not_null(r->provider);
    cr_assert_not_null(r->server_capabilities);
    cr_assert_eq(r->n_diagnostics, 0);
    for (i = 0; i < r->n_resource_schemas; i++) {
        if (strcmp(r->resource_schemas[i]->key, "bluegreen_cluster_pair") == 0)
            pair = r->resource_schemas[i]->value;
    }
    cr_assert_not_null(pair, "bluegreen_cluster_pair is served");
    cr_assert_eq(pair->block->n_attributes, sizeof(want) / sizeof(want[0]));
    for (j = 0; j < sizeof(want) / sizeof(want[0]); j++) {
        const Tfplugin6__Schema__Attribute *a = pair->block->attributes[j];

        cr_expect_str_eq(a->name, want[j]);
        cr_expect(a->required || a->optional || a->computed, "%s has a role", a->name);
    }
    cr_expect(pair->block->attributes[1]->required, "directory is required");
    cr_expect(pair->block->attributes[0]->computed, "id is computed");
    cr_expect(pair->block->attributes[3]->optional && pair->block->attributes[3]->computed,
              "colors has a default");
    cr_expect_eq(memcmp(pair->block->attributes[3]->type.data, "[\"list\",\"string\"]", 17), 0);
    protobuf_c_message_free_unpacked(&r->base, NULL);
}

Test(protocol_rpc, unknown_method_is_unimplemented)
{
    bg_service_handle(svc, "/tfplugin6.Provider/CallFunctionX", NULL, 0, &res);
    cr_assert_eq(res.status, BG_RPC_UNIMPLEMENTED);
    cr_assert_not_null(res.status_detail);
    cr_assert_null(res.body);
    bg_service_handle(svc, "/tfplugin5.Provider/GetProviderSchema", NULL, 0, &res);
    cr_assert_eq(res.status, BG_RPC_UNIMPLEMENTED, "protocol 5 is not served");
}

Test(protocol_rpc, undecodable_request_bytes_are_invalid_argument)
{
    /* Field 1 (type_name) claims 127 bytes; one follows. */
    static const uint8_t garbage[] = {0x0a, 0x7f, 'x'};

    bg_service_handle(svc, "/tfplugin6.Provider/ValidateResourceConfig", garbage, sizeof(garbage),
                      &res);
    cr_assert_eq(res.status, BG_RPC_INVALID);
    cr_assert_not_null(res.status_detail);
    cr_assert_null(res.body);
    cr_assert_not(res.shutdown);
}

Test(protocol_rpc, controller_shutdown_asks_the_process_to_exit)
{
    Plugin__Empty req = PLUGIN__EMPTY__INIT;

    call("/plugin.GRPCController/Shutdown", &req.base);
    cr_assert_eq(res.status, BG_RPC_OK);
    cr_assert(res.shutdown);
    cr_assert_not_null(res.body, "an Empty message, even if zero bytes long");
}

Test(protocol_rpc, other_methods_do_not_ask_for_shutdown)
{
    Tfplugin6__StopProvider__Request req = TFPLUGIN6__STOP_PROVIDER__REQUEST__INIT;

    call("/tfplugin6.Provider/StopProvider", &req.base);
    cr_assert_not(res.shutdown);
}

Test(protocol_rpc, stop_provider_answers_with_an_empty_error_and_sets_the_stop_flag)
{
    Tfplugin6__StopProvider__Request req = TFPLUGIN6__STOP_PROVIDER__REQUEST__INIT;
    Tfplugin6__StopProvider__Response *r;

    cr_assert_not(atomic_load(&svc->stop));
    call("/tfplugin6.Provider/StopProvider", &req.base);
    cr_assert_eq(res.status, BG_RPC_OK);
    r = unpack_body(&tfplugin6__stop_provider__response__descriptor);
    cr_assert_not_null(r);
    cr_assert_str_eq(r->error, "");
    protobuf_c_message_free_unpacked(&r->base, NULL);
    cr_assert(atomic_load(&svc->stop), "running operations see the stop request");
}

Test(protocol_rpc, streams_are_recognised_by_method)
{
    cr_assert(bg_service_is_stream("/plugin.GRPCStdio/StreamStdio"));
    cr_assert(bg_service_is_stream("/plugin.GRPCBroker/StartStream"));
    cr_assert(bg_service_is_stream("/grpc.health.v1.Health/Watch"));
    cr_assert_not(bg_service_is_stream("/grpc.health.v1.Health/Check"));
    cr_assert_not(bg_service_is_stream("/tfplugin6.Provider/GetProviderSchema"));
}

/* A bluegreen_cluster_pair configuration as terraform sends it: every attribute present, and
 * the absent single block teardown_guard as null. */
static struct bg_value *pair_config(struct bg_value *colors, const char *live)
{
    struct bg_value *c = bg_value_map(arena, 13);

    bg_value_put(arena, c, "id", bg_value_null(arena));
    bg_value_put(arena, c, "directory", bg_value_string(arena, "clusters"));
    bg_value_put(arena, c, "name", bg_value_string(arena, "aws-prod"));
    bg_value_put(arena, c, "colors", colors);
    bg_value_put(arena, c, "live", bg_value_string(arena, live));
    bg_value_put(arena, c, "standby", bg_value_bool(arena, true));
    bg_value_put(arena, c, "substitutions", bg_value_null(arena));
    bg_value_put(arena, c, "live_cluster", bg_value_null(arena));
    bg_value_put(arena, c, "standby_cluster", bg_value_null(arena));
    bg_value_put(arena, c, "standby_color", bg_value_null(arena));
    bg_value_put(arena, c, "source_files", bg_value_null(arena));
    bg_value_put(arena, c, "files", bg_value_null(arena));
    bg_value_put(arena, c, "teardown_guard", bg_value_null(arena));
    return c;
}

static Tfplugin6__ValidateResourceConfig__Response *validate_pair(struct bg_value *config)
{
    Tfplugin6__ValidateResourceConfig__Request req =
        TFPLUGIN6__VALIDATE_RESOURCE_CONFIG__REQUEST__INIT;
    Tfplugin6__DynamicValue dv = TFPLUGIN6__DYNAMIC_VALUE__INIT;
    struct bg_error err = BG_ERROR_INIT;
    Tfplugin6__ValidateResourceConfig__Response *r;

    cr_assert_eq(bg_msgpack_encode(&dv.msgpack.data, &dv.msgpack.len, arena, config, &err), 0, "%s",
                 err.msg);
    req.type_name = (char *)"bluegreen_cluster_pair";
    req.config = &dv;
    call("/tfplugin6.Provider/ValidateResourceConfig", &req.base);
    cr_assert_eq(res.status, BG_RPC_OK);
    r = unpack_body(&tfplugin6__validate_resource_config__response__descriptor);
    cr_assert_not_null(r);
    return r;
}

Test(protocol_rpc, validate_cluster_pair_accepts_a_good_configuration)
{
    struct bg_value *colors = bg_value_array(arena, 2);
    Tfplugin6__ValidateResourceConfig__Response *r;

    bg_value_append(arena, colors, bg_value_string(arena, "blue"));
    bg_value_append(arena, colors, bg_value_string(arena, "green"));
    r = validate_pair(pair_config(colors, "blue"));
    cr_expect_eq(r->n_diagnostics, 0, "first: %s",
                 r->n_diagnostics > 0 ? r->diagnostics[0]->detail : "");
    protobuf_c_message_free_unpacked(&r->base, NULL);
}

Test(protocol_rpc, validate_cluster_pair_reports_equal_colors_on_the_colors_attribute)
{
    struct bg_value *colors = bg_value_array(arena, 2);
    Tfplugin6__ValidateResourceConfig__Response *r;
    const Tfplugin6__Diagnostic *d;

    bg_value_append(arena, colors, bg_value_string(arena, "a"));
    bg_value_append(arena, colors, bg_value_string(arena, "a"));
    r = validate_pair(pair_config(colors, "a"));
    cr_assert_eq(r->n_diagnostics, 1, "first: %s",
                 r->n_diagnostics > 0 ? r->diagnostics[0]->detail : "");
    d = r->diagnostics[0];
    cr_assert_eq(d->severity, TFPLUGIN6__DIAGNOSTIC__SEVERITY__ERROR);
    cr_assert_str_eq(d->summary, "Colors must differ");
    cr_assert_not_null(d->attribute);
    cr_assert_eq(d->attribute->n_steps, 1);
    cr_assert_eq(d->attribute->steps[0]->selector_case,
                 TFPLUGIN6__ATTRIBUTE_PATH__STEP__SELECTOR_ATTRIBUTE_NAME);
    cr_assert_str_eq(d->attribute->steps[0]->attribute_name, "colors");
    protobuf_c_message_free_unpacked(&r->base, NULL);
}

Test(protocol_rpc, validate_of_an_unknown_resource_type_is_a_diagnostic_not_a_failure)
{
    Tfplugin6__ValidateResourceConfig__Request req =
        TFPLUGIN6__VALIDATE_RESOURCE_CONFIG__REQUEST__INIT;
    Tfplugin6__ValidateResourceConfig__Response *r;

    req.type_name = (char *)"bluegreen_nothing";
    call("/tfplugin6.Provider/ValidateResourceConfig", &req.base);
    cr_assert_eq(res.status, BG_RPC_OK);
    r = unpack_body(&tfplugin6__validate_resource_config__response__descriptor);
    cr_assert_eq(r->n_diagnostics, 1);
    cr_assert_eq(r->diagnostics[0]->severity, TFPLUGIN6__DIAGNOSTIC__SEVERITY__ERROR);
    cr_assert_str_eq(r->diagnostics[0]->summary, "Unknown resource type");
    protobuf_c_message_free_unpacked(&r->base, NULL);
}

Test(protocol_rpc, validate_with_garbage_config_reports_one_decode_error)
{
    static uint8_t garbage[] = {0xc1};
    Tfplugin6__ValidateResourceConfig__Request req =
        TFPLUGIN6__VALIDATE_RESOURCE_CONFIG__REQUEST__INIT;
    Tfplugin6__DynamicValue dv = TFPLUGIN6__DYNAMIC_VALUE__INIT;
    Tfplugin6__ValidateResourceConfig__Response *r;

    dv.msgpack.data = garbage;
    dv.msgpack.len = sizeof(garbage);
    req.type_name = (char *)"bluegreen_cluster_pair";
    req.config = &dv;
    call("/tfplugin6.Provider/ValidateResourceConfig", &req.base);
    cr_assert_eq(res.status, BG_RPC_OK);
    r = unpack_body(&tfplugin6__validate_resource_config__response__descriptor);
    cr_assert_eq(r->n_diagnostics, 1);
    cr_assert_str_eq(r->diagnostics[0]->summary, "Invalid value from Terraform");
    protobuf_c_message_free_unpacked(&r->base, NULL);
}
