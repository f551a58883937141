/*
 * floor_provider.c - the measuring floor for bench/provider_bench.py: this provider's own
 * protocol layer (handshake, mTLS, gRPC server, msgpack codec, schema machinery) serving one
 * resource shaped like terraform_data (`input`, computed `id`) whose hooks do nothing.
 *
 * Linked against libbg_core.a with this file's registry in place of src/resources/registry.c,
 * so `plan of N bluegreen_floor` minus `plan of N terraform_data` is what any resource of a
 * plugin costs terraform and us, and `N cluster pairs` minus `N bluegreen_floor` is what the
 * cluster pair itself adds. Never installed; built only by the bench.
 *
 * Built a second time with BG_FLOOR_WIDE (bench_wide_provider): the same resource with 16
 * more computed string attributes, so the pair's width (17 attributes and a block) can be
 * told apart from what its hooks do: terraform's own cost per attribute per resource.
 */
#include <string.h>

#include "bluegreen/resource.h"

#define WIDE(X)                                                                                    \
    X(c00)                                                                                         \
    X(c01)                                                                                         \
    X(c02)                                                                                         \
    X(c03)                                                                                         \
    X(c04)                                                                                         \
    X(c05)                                                                                         \
    X(c06)                                                                                         \
    X(c07)                                                                                         \
    X(c08)                                                                                         \
    X(c09)                                                                                         \
    X(c10)                                                                                         \
    X(c11)                                                                                         \
    X(c12)                                                                                         \
    X(c13)                                                                                         \
    X(c14)                                                                                         \
    X(c15)
#define WIDE_ATTR(n)                                                                               \
    {.name = #n,                                                                                   \
     .type = &bg_type_string,                                                                      \
     .flags = BG_COMPUTED | BG_USE_STATE,                                                          \
     .description = "Set on create."},
#define WIDE_PUT(n) bg_value_put(call->arena, req->planned, #n, value);

static const struct bg_attr floor_attrs[] = {
    {.name = "id",
     .type = &bg_type_string,
     .flags = BG_COMPUTED | BG_USE_STATE,
     .description = "Fixed."},
    {.name = "input", .type = &bg_type_string, .flags = BG_OPTIONAL, .description = "Kept."},
#ifdef BG_FLOOR_WIDE
    WIDE(WIDE_ATTR)
#endif
};

static const struct bg_schema floor_schema = {
    .version = 0,
    .block = {.description = "A resource that does nothing.",
              .attrs = floor_attrs,
              .nattrs = BG_COUNT(floor_attrs)},
};

static int floor_plan(struct bg_call *call, struct bg_plan_req *req)
{
    struct bg_value *value = bg_value_string(call->arena, "aws-env1-knife");

    if (req->prior != NULL && !bg_value_is_null(req->prior))
        return 0;
    bg_value_put(call->arena, req->planned, "id", bg_value_string(call->arena, "floor"));
#ifdef BG_FLOOR_WIDE
    WIDE(WIDE_PUT)
#else
    (void)value;
#endif
    return 0;
}

static int floor_apply(struct bg_call *call, struct bg_apply_req *req)
{
    (void)call;
    req->new_state = (struct bg_value *)req->planned;
    return 0;
}

static int floor_destroy(struct bg_call *call, struct bg_apply_req *req)
{
    req->new_state = bg_value_null(call->arena);
    return 0;
}

static int floor_read(struct bg_call *call, struct bg_read_req *req)
{
    (void)call;
    req->new_state = (struct bg_value *)req->state;
    return 0;
}

static const struct bg_resource floor_resource = {
    .type_name = "bluegreen_floor",
    .schema = &floor_schema,
    .plan = floor_plan,
    .create = floor_apply,
    .update = floor_apply,
    .destroy = floor_destroy,
    .read = floor_read,
};

const struct bg_resource *const bg_resources[] = {&floor_resource, NULL};
const struct bg_data_source *const bg_data_sources[] = {NULL};

const struct bg_resource *bg_resource_find(const char *type_name)
{
    return strcmp(type_name, floor_resource.type_name) == 0 ? &floor_resource : NULL;
}

const struct bg_data_source *bg_data_source_find(const char *type_name)
{
    (void)type_name;
    return NULL;
}
