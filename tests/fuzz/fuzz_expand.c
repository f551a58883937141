/*
 * fuzz_expand.c - libFuzzer target for the schema machinery on untrusted values: msgpack
 * bytes (as terraform sends configuration, plan and state) decoded and run through every
 * registered table: validate, defaults, conform, the first unknown, and the typed layer.
 *
 * Nothing may crash or read out of bounds, and the typed layer must be stable: when a value
 * expands, its flattening w expands again and flattens to w (flatten o expand is a fixed
 * point). Mismatches abort so libFuzzer records the input.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bluegreen/codec.h"
#include "bluegreen/provider.h"
#include "bluegreen/resource.h"
#include "bluegreen/schema.h"

/* Larger than any resource's struct; expand writes only inside the table's own struct. */
union any_struct {
    max_align_t align;
    char bytes[1 << 16];
};

static void fail(const char *what, const char *table)
{
    fprintf(stderr, "fuzz_expand: %s: %s\n", table, what);
    abort();
}

static void typed_round_trip(struct bg_arena *a, const char *name, const struct bg_block *b,
                             const struct bg_value *v, union any_struct *obj)
{
    struct bg_value *w, *again;
    struct bg_diags d;

    bg_diags_init(&d, a);
    memset(obj, 0, sizeof(*obj));
    if (bg_schema_expand(obj, &d, b, v) != 0)
        return;
    w = bg_schema_flatten(a, b, obj, NULL);
    (void)bg_schema_flatten(a, b, obj, v);
    memset(obj, 0, sizeof(*obj));
    if (bg_schema_expand(obj, &d, b, w) != 0)
        fail("a flattened value does not expand", name);
    again = bg_schema_flatten(a, b, obj, NULL);
    if (!bg_value_equal(w, again))
        fail("flatten(expand(flatten(expand(v)))) differs from flatten(expand(v))", name);
}

static void run_table(struct bg_arena *a, const char *name, const struct bg_block *b,
                      const struct bg_value *v, union any_struct *obj)
{
    struct bg_diags d;

    bg_diags_init(&d, a);
    bg_schema_validate(&d, b, v);
    (void)bg_schema_apply_defaults(a, b, v);
    (void)bg_schema_conform(a, b, v);
    (void)bg_schema_unknown_path(a, b, v);
    typed_round_trip(a, name, b, v, obj);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static union any_struct obj;
    struct bg_arena *a = bg_arena_new();
    struct bg_error err = BG_ERROR_INIT;
    struct bg_value *v = NULL;
    size_t i;

    if (bg_msgpack_decode(&v, a, data, size, &err) == 0) {
        run_table(a, "provider", &bg_provider_schema.block, v, &obj);
        for (i = 0; bg_resources[i] != NULL; i++)
            run_table(a, bg_resources[i]->type_name, &bg_resources[i]->schema->block, v, &obj);
        for (i = 0; bg_data_sources[i] != NULL; i++)
            run_table(a, bg_data_sources[i]->type_name, &bg_data_sources[i]->schema->block, v,
                      &obj);
    }
    bg_arena_free(a);
    return 0;
}
