/*
 * fuzz_scan.c - libFuzzer target for the manifest scanner: the same bytes are scanned as
 * YAML, JSON and .tf, and every finding must point inside the input and at a table row.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bluegreen/upgrade.h"

/* Not assert(): release builds define NDEBUG and the corpus replay must still check. */
static void check(bool ok, const char *what)
{
    if (!ok) {
        fprintf(stderr, "fuzz_scan: %s\n", what);
        abort();
    }
}

static size_t count_lines(const uint8_t *data, size_t size)
{
    size_t n = 1;

    for (size_t i = 0; i < size; i++)
        n += data[i] == '\n';
    return n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const enum bg_scan_format formats[] = {BG_SCAN_YAML, BG_SCAN_JSON, BG_SCAN_HCL};
    size_t lines = count_lines(data, size);
    struct bg_arena *a = bg_arena_new();

    for (size_t f = 0; f < sizeof(formats) / sizeof(formats[0]); f++) {
        struct bg_scan_result r;

        memset(&r, 0, sizeof(r));
        bg_scan_buffer(&r, a, "fuzz", formats[f], (const char *)data, size, 99);
        for (size_t i = 0; i < r.count; i++) {
            const struct bg_scan_finding *x = &r.findings[i];

            check(x->line >= 1 && (size_t)x->line <= lines, "line outside the input");
            check(bg_upgrade_removal_find(x->api_version, x->kind, 99) != NULL, "not a row");
            check(i == 0 || x->line >= r.findings[i - 1].line, "findings out of line order");
        }
    }
    bg_arena_free(a);
    return 0;
}
