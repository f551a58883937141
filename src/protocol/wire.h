/*
 * wire.h - conversions between protobuf-c messages and our types (protocol-internal).
 * Every message built here is allocated from the call's arena: nothing is freed piecemeal.
 */
#ifndef BG_PROTOCOL_WIRE_H
#define BG_PROTOCOL_WIRE_H

#include "bluegreen/diag.h"
#include "bluegreen/schema.h"
#include "bluegreen/value.h"
#include "tfplugin6.pb-c.h"

/* A zero-initialised message of the given type from the arena. */
void *bg_wire_new(struct bg_arena *a, const ProtobufCMessageDescriptor *d);

/* DynamicValue -> tree; a missing message or empty payload is null. Errors become
 * diagnostics naming what (e.g. "config") could not be decoded. */
int bg_wire_value_in(struct bg_value **out, struct bg_diags *d, const Tfplugin6__DynamicValue *dv,
                     const char *what);
/* tree -> DynamicValue (msgpack). */
Tfplugin6__DynamicValue *bg_wire_value_out(struct bg_diags *d, const struct bg_value *v);

/* Diagnostics -> repeated Diagnostic. */
Tfplugin6__Diagnostic **bg_wire_diags(struct bg_arena *a, const struct bg_diags *d, size_t *n);
Tfplugin6__AttributePath *bg_wire_path(struct bg_arena *a, const struct bg_path *p);

/* Schema tables -> Schema message. */
Tfplugin6__Schema *bg_wire_schema(struct bg_arena *a, const struct bg_schema *s);

#endif
