/*
 * fuzz_msgpack.c - libFuzzer target for the msgpack decoder (untrusted bytes from terraform).
 *
 * Any input must decode or fail cleanly. A decoded value must re-encode, decode to an equal
 * value, and re-encode to the same bytes (the encoding is canonical). A wholly known value
 * must also survive a trip through JSON unless JSON cannot express it (NUL in a string,
 * infinity). Mismatches abort so libFuzzer records the input.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bluegreen/arena.h"
#include "bluegreen/codec.h"
#include "bluegreen/value.h"

static void fail(const char *what, const struct bg_error *err)
{
    fprintf(stderr, "fuzz_msgpack: %s: %s\n", what, err->msg);
    abort();
}

static void check_json(struct bg_arena *a, const struct bg_value *v)
{
    struct bg_error err = BG_ERROR_INIT;
    struct bg_value *back = NULL;
    char *text = NULL;

    if (!bg_value_is_wholly_known(v) || bg_json_encode(&text, a, v, &err) != 0)
        return;
    if (bg_json_decode(&back, a, text, strlen(text), &err) != 0)
        fail("JSON we wrote does not decode", &err);
    if (!bg_value_equal(v, back))
        fail("JSON round trip changed the value", &err);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct bg_arena *a = bg_arena_new();
    struct bg_error err = BG_ERROR_INIT;
    struct bg_value *v = NULL, *again = NULL;
    uint8_t *buf = NULL, *buf2 = NULL;
    size_t len = 0, len2 = 0;

    if (bg_msgpack_decode(&v, a, data, size, &err) != 0) {
        if (v != NULL || err.msg[0] == '\0' || strchr(err.msg, '\n') != NULL)
            fail("bad failure report", &err);
        goto done;
    }
    if (bg_msgpack_encode(&buf, &len, a, v, &err) != 0)
        fail("decoded value does not encode", &err);
    if (bg_msgpack_decode(&again, a, buf, len, &err) != 0)
        fail("encoded value does not decode", &err);
    if (!bg_value_equal(v, again) || !bg_value_equal(again, v))
        fail("round trip changed the value", &err);
    if (bg_msgpack_encode(&buf2, &len2, a, again, &err) != 0)
        fail("re-decoded value does not encode", &err);
    if (len != len2 || memcmp(buf, buf2, len) != 0)
        fail("encoding is not canonical", &err);
    check_json(a, v);
done:
    bg_arena_free(a);
    return 0;
}
