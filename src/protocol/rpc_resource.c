/*
 * rpc_resource.c - the resource and data-source lifecycle RPCs: decode the values, run the
 * schema machinery, call the resource's hooks, encode the answer with its diagnostics.
 */
#include <string.h>

#include "bluegreen/codec.h"
#include "rpc.h"

static const struct bg_resource *find_resource(struct bg_rpc_ctx *ctx, const char *type_name)
{
    const struct bg_resource *r = bg_resource_find(type_name);

    if (r == NULL)
        bg_diag_error(&ctx->diags, NULL, "Unknown resource type",
                      "The bluegreen provider has no resource type \"%s\".", type_name);
    return r;
}

static struct bg_private private_in(ProtobufCBinaryData b)
{
    struct bg_private p = {b.data, b.len};

    return p;
}

static ProtobufCBinaryData private_out(struct bg_private p)
{
    ProtobufCBinaryData b = {p.len, (uint8_t *)p.data};

    return b;
}

ProtobufCMessage *bg_rpc_validate_resource(struct bg_rpc_ctx *ctx, const ProtobufCMessage *req)
{
    const Tfplugin6__ValidateResourceConfig__Request *q = (const void *)req;
    Tfplugin6__ValidateResourceConfig__Response *r =
        bg_wire_new(ctx->arena, &tfplugin6__validate_resource_config__response__descriptor);
    const struct bg_resource *res = find_resource(ctx, q->type_name);
    struct bg_value *config;

    if (res != NULL && bg_wire_value_in(&config, &ctx->diags, q->config, "configuration") == 0) {
        bg_schema_validate(&ctx->diags, &res->schema->block, config);
        if (res->validate != NULL)
            res->validate(&ctx->call, config);
    }
    r->diagnostics = bg_wire_diags(ctx->arena, &ctx->diags, &r->n_diagnostics);
    return &r->base;
}

ProtobufCMessage *bg_rpc_validate_data(struct bg_rpc_ctx *ctx, const ProtobufCMessage *req)
{
    const Tfplugin6__ValidateDataResourceConfig__Request *q = (const void *)req;
    Tfplugin6__ValidateDataResourceConfig__Response *r =
        bg_wire_new(ctx->arena, &tfplugin6__validate_data_resource_config__response__descriptor);
    const struct bg_data_source *ds = bg_data_source_find(q->type_name);
    struct bg_value *config;

    if (ds == NULL)
        bg_diag_error(&ctx->diags, NULL, "Unknown data source",
                      "The bluegreen provider has no data source \"%s\".", q->type_name);
    else if (bg_wire_value_in(&config, &ctx->diags, q->config, "configuration") == 0) {
        bg_schema_validate(&ctx->diags, &ds->schema->block, config);
        if (ds->validate != NULL)
            ds->validate(&ctx->call, config);
    }
    r->diagnostics = bg_wire_diags(ctx->arena, &ctx->diags, &r->n_diagnostics);
    return &r->base;
}

ProtobufCMessage *bg_rpc_upgrade_state(struct bg_rpc_ctx *ctx, const ProtobufCMessage *req)
{
    const Tfplugin6__UpgradeResourceState__Request *q = (const void *)req;
    Tfplugin6__UpgradeResourceState__Response *r =
        bg_wire_new(ctx->arena, &tfplugin6__upgrade_resource_state__response__descriptor);
    const struct bg_resource *res = find_resource(ctx, q->type_name);
    struct bg_error err = BG_ERROR_INIT;
    struct bg_value *state = NULL;

    if (res != NULL && q->raw_state != NULL && q->raw_state->json.len > 0) {
        if (bg_json_decode(&state, ctx->arena, (const char *)q->raw_state->json.data,
                           q->raw_state->json.len, &err) != 0)
            bg_diag_from_error(&ctx->diags, NULL, "Cannot read stored state", &err);
        else
            /* Members added or removed since the state was written are reconciled here. */
            r->upgraded_state = bg_wire_value_out(
                &ctx->diags, bg_schema_conform(ctx->arena, &res->schema->block, state));
    } else if (res != NULL) {
        bg_diag_error(&ctx->diags, NULL, "Unsupported state format",
                      "The stored state of %s is in the legacy flatmap format.", q->type_name);
    }
    r->diagnostics = bg_wire_diags(ctx->arena, &ctx->diags, &r->n_diagnostics);
    return &r->base;
}

ProtobufCMessage *bg_rpc_read_resource(struct bg_rpc_ctx *ctx, const ProtobufCMessage *req)
{
    const Tfplugin6__ReadResource__Request *q = (const void *)req;
    Tfplugin6__ReadResource__Response *r =
        bg_wire_new(ctx->arena, &tfplugin6__read_resource__response__descriptor);
    const struct bg_resource *res = find_resource(ctx, q->type_name);
    struct bg_read_req rr;
    struct bg_value *state;

    memset(&rr, 0, sizeof(rr));
    if (res != NULL &&
        bg_wire_value_in(&state, &ctx->diags, q->current_state, "current state") == 0) {
        rr.state = state;
        rr.private_in = private_in(q->private_);
        rr.private_out = rr.private_in;
        rr.new_state = state;
        if (res->read != NULL && !bg_value_is_null(state))
            res->read(&ctx->call, &rr);
        r->new_state = bg_wire_value_out(&ctx->diags, rr.new_state);
        r->private_ = private_out(rr.private_out);
    }
    r->diagnostics = bg_wire_diags(ctx->arena, &ctx->diags, &r->n_diagnostics);
    return &r->base;
}

static Tfplugin6__AttributePath **wire_paths(struct bg_arena *a, const struct bg_path **paths,
                                             size_t n)
{
    Tfplugin6__AttributePath **out = bg_arena_calloc(a, n, sizeof(*out));
    size_t i;

    for (i = 0; i < n; i++)
        out[i] = bg_wire_path(a, paths[i]);
    return out;
}

static void plan_change(struct bg_rpc_ctx *ctx, const struct bg_resource *res,
                        const Tfplugin6__PlanResourceChange__Request *q,
                        Tfplugin6__PlanResourceChange__Response *r)
{
    struct bg_value *prior, *proposed, *config;
    const struct bg_path **replace = NULL;
    struct bg_plan_req pr;
    size_t nreplace = 0;

    if (bg_wire_value_in(&prior, &ctx->diags, q->prior_state, "prior state") != 0 ||
        bg_wire_value_in(&proposed, &ctx->diags, q->proposed_new_state, "proposed state") != 0 ||
        bg_wire_value_in(&config, &ctx->diags, q->config, "configuration") != 0)
        return;
    memset(&pr, 0, sizeof(pr));
    pr.prior = prior;
    pr.prior_private = private_in(q->prior_private);
    pr.planned_private = pr.prior_private;
    pr.destroy = bg_value_is_null(proposed);
    if (!pr.destroy) {
        config = bg_schema_apply_defaults(ctx->arena, &res->schema->block, config);
        pr.config = config;
        pr.planned = bg_schema_plan(ctx->arena, &res->schema->block, prior, proposed, config,
                                    &replace, &nreplace);
    }
    if (res->plan != NULL && !bg_diags_has_errors(&ctx->diags))
        res->plan(&ctx->call, &pr);
    r->planned_state = bg_wire_value_out(&ctx->diags, pr.destroy ? NULL : pr.planned);
    r->planned_private = private_out(pr.planned_private);
    r->requires_replace = wire_paths(ctx->arena, replace, nreplace);
    r->n_requires_replace = nreplace;
}

ProtobufCMessage *bg_rpc_plan(struct bg_rpc_ctx *ctx, const ProtobufCMessage *req)
{
    const Tfplugin6__PlanResourceChange__Request *q = (const void *)req;
    Tfplugin6__PlanResourceChange__Response *r =
        bg_wire_new(ctx->arena, &tfplugin6__plan_resource_change__response__descriptor);
    const struct bg_resource *res = find_resource(ctx, q->type_name);

    if (res != NULL)
        plan_change(ctx, res, q, r);
    r->diagnostics = bg_wire_diags(ctx->arena, &ctx->diags, &r->n_diagnostics);
    return &r->base;
}

static void apply_change(struct bg_rpc_ctx *ctx, const struct bg_resource *res,
                         const Tfplugin6__ApplyResourceChange__Request *q,
                         Tfplugin6__ApplyResourceChange__Response *r)
{
    struct bg_value *prior, *planned, *config;
    struct bg_apply_req ar;

    if (bg_wire_value_in(&prior, &ctx->diags, q->prior_state, "prior state") != 0 ||
        bg_wire_value_in(&planned, &ctx->diags, q->planned_state, "planned state") != 0 ||
        bg_wire_value_in(&config, &ctx->diags, q->config, "configuration") != 0)
        return;
    memset(&ar, 0, sizeof(ar));
    ar.prior = bg_value_is_null(prior) ? NULL : prior;
    ar.planned = bg_value_is_null(planned) ? NULL : planned;
    ar.config = bg_schema_apply_defaults(ctx->arena, &res->schema->block, config);
    ar.private_in = private_in(q->planned_private);
    ar.private_out = ar.private_in;
    if (ar.planned == NULL) {
        ar.new_state = prior; /* kept by terraform if destroy fails */
        if (res->destroy(&ctx->call, &ar) == 0)
            ar.new_state = NULL;
    } else if (ar.prior == NULL) {
        res->create(&ctx->call, &ar);
    } else {
        res->update(&ctx->call, &ar);
    }
    r->new_state = bg_wire_value_out(&ctx->diags, ar.new_state);
    r->private_ = private_out(ar.private_out);
}

ProtobufCMessage *bg_rpc_apply(struct bg_rpc_ctx *ctx, const ProtobufCMessage *req)
{
    const Tfplugin6__ApplyResourceChange__Request *q = (const void *)req;
    Tfplugin6__ApplyResourceChange__Response *r =
        bg_wire_new(ctx->arena, &tfplugin6__apply_resource_change__response__descriptor);
    const struct bg_resource *res = find_resource(ctx, q->type_name);

    if (res != NULL)
        apply_change(ctx, res, q, r);
    r->diagnostics = bg_wire_diags(ctx->arena, &ctx->diags, &r->n_diagnostics);
    return &r->base;
}

ProtobufCMessage *bg_rpc_import(struct bg_rpc_ctx *ctx, const ProtobufCMessage *req)
{
    const Tfplugin6__ImportResourceState__Request *q = (const void *)req;
    Tfplugin6__ImportResourceState__Response *r =
        bg_wire_new(ctx->arena, &tfplugin6__import_resource_state__response__descriptor);
    const struct bg_resource *res = find_resource(ctx, q->type_name);
    Tfplugin6__ImportResourceState__ImportedResource *ir;
    struct bg_private priv = {NULL, 0};
    struct bg_value *state = NULL;

    if (res != NULL && res->import == NULL)
        bg_diag_error(&ctx->diags, NULL, "Import not supported", "%s cannot be imported.",
                      q->type_name);
    else if (res != NULL && res->import(&ctx->call, q->id, &state, &priv) == 0) {
        ir = bg_wire_new(ctx->arena,
                         &tfplugin6__import_resource_state__imported_resource__descriptor);
        ir->type_name = q->type_name;
        ir->state = bg_wire_value_out(&ctx->diags,
                                      bg_schema_conform(ctx->arena, &res->schema->block, state));
        ir->private_ = private_out(priv);
        r->imported_resources = bg_arena_calloc(ctx->arena, 1, sizeof(ir));
        r->imported_resources[0] = ir;
        r->n_imported_resources = 1;
    }
    r->diagnostics = bg_wire_diags(ctx->arena, &ctx->diags, &r->n_diagnostics);
    return &r->base;
}

ProtobufCMessage *bg_rpc_read_data(struct bg_rpc_ctx *ctx, const ProtobufCMessage *req)
{
    const Tfplugin6__ReadDataSource__Request *q = (const void *)req;
    Tfplugin6__ReadDataSource__Response *r =
        bg_wire_new(ctx->arena, &tfplugin6__read_data_source__response__descriptor);
    const struct bg_data_source *ds = bg_data_source_find(q->type_name);
    struct bg_value *config, *state = NULL;

    if (ds == NULL)
        bg_diag_error(&ctx->diags, NULL, "Unknown data source",
                      "The bluegreen provider has no data source \"%s\".", q->type_name);
    else if (bg_wire_value_in(&config, &ctx->diags, q->config, "configuration") == 0) {
        config = bg_schema_apply_defaults(ctx->arena, &ds->schema->block, config);
        if (ds->read(&ctx->call, config, &state) == 0)
            r->state = bg_wire_value_out(&ctx->diags,
                                         bg_schema_conform(ctx->arena, &ds->schema->block, state));
    }
    r->diagnostics = bg_wire_diags(ctx->arena, &ctx->diags, &r->n_diagnostics);
    return &r->base;
}
