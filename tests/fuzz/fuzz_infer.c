/*
 * fuzz_infer.c - libFuzzer target for bg_files_infer_substitutions (src/files/infer.c), which
 * import runs over every live file and standby copy in the repository.
 *
 * Input: "<from>\n\0\n<to>" (without the separator, to is from with "1.15" replaced by
 * "1.18"); the first byte's low two bits also pick max_context, and the first candidate
 * found is then avoided in a second run (as a later import round does).
 *
 * Invariants checked (abort on violation):
 *   - identical texts give no candidate;
 *   - every key is non-empty and occurs in from, every value occurs in to, every hit count
 *     is at least one, and no key appears twice;
 *   - the same inputs give the same candidates (deterministic);
 *   - rendering from with the candidates never fails for a size reason below the limit.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "bluegreen/files.h"

#define CHECK(cond)                                                                                \
    do {                                                                                           \
        if (!(cond))                                                                               \
            abort();                                                                               \
    } while (0)

static bool occurs(const char *hay, size_t n, const char *needle)
{
    size_t k = strlen(needle);

    return k == 0 || memmem(hay, n, needle, k) != NULL;
}

static void check_candidates(const struct bg_infer *inf, const char *from, size_t fn,
                             const char *to, size_t tn)
{
    size_t i, j;

    for (i = 0; i < inf->n; i++) {
        CHECK(inf->subs[i].from[0] != '\0');
        CHECK(occurs(from, fn, inf->subs[i].from));
        CHECK(occurs(to, tn, inf->subs[i].to));
        CHECK(inf->hits[i] >= 1);
        for (j = i + 1; j < inf->n; j++)
            CHECK(strcmp(inf->subs[i].from, inf->subs[j].from) != 0);
    }
}

static void run(struct bg_infer *inf, struct bg_arena *a, const char *from, size_t fn,
                const char *to, size_t tn, unsigned ctx, const char *const *avoid, size_t navoid)
{
    memset(inf, 0, sizeof(*inf));
    inf->max_context = ctx;
    inf->avoid = avoid;
    inf->navoid = navoid;
    bg_files_infer_substitutions(inf, a, from, fn, to, tn);
}

static bool same_set(const struct bg_infer *x, const struct bg_infer *y)
{
    size_t i;

    if (x->n != y->n)
        return false;
    for (i = 0; i < x->n; i++) {
        if (strcmp(x->subs[i].from, y->subs[i].from) != 0 ||
            strcmp(x->subs[i].to, y->subs[i].to) != 0 || x->hits[i] != y->hits[i])
            return false;
    }
    return true;
}

static void check(struct bg_arena *a, const char *from, size_t fn, const char *to, size_t tn,
                  unsigned ctx)
{
    struct bg_render_opts o = {"spoon", "knife", NULL, 0, NULL, true};
    struct bg_error err = BG_ERROR_INIT;
    struct bg_infer inf, again;
    char *out = NULL;
    size_t out_len = 0;
    const char *avoid[1];

    run(&inf, a, from, fn, to, tn, ctx, NULL, 0);
    check_candidates(&inf, from, fn, to, tn);
    if (fn == tn && memcmp(from, to, fn) == 0)
        CHECK(inf.n == 0);
    run(&again, a, from, fn, to, tn, ctx, NULL, 0);
    CHECK(same_set(&inf, &again));
    o.subs = inf.subs;
    o.nsubs = inf.n;
    CHECK(bg_files_render_with(&out, &out_len, a, from, fn, &o, &err) == 0 ||
          err.code == BG_ELIMIT);
    if (inf.n == 0)
        return;
    avoid[0] = inf.subs[0].from;
    run(&again, a, from, fn, to, tn, ctx, avoid, 1);
    check_candidates(&again, from, fn, to, tn);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct bg_arena *a = bg_arena_new();
    const char *from = (const char *)data, *sep = memmem(data, size, "\n\0\n", 3);
    size_t fn = sep != NULL ? (size_t)(sep - from) : size, tn = 0, i;
    unsigned ctx = size > 0 ? data[0] & 3u : 0;
    char *to;

    if (sep != NULL) {
        tn = size - fn - 3;
        to = bg_arena_strndup(a, sep + 3, tn);
    } else {
        to = bg_arena_alloc(a, size + 1);
        memcpy(to, from, size);
        for (i = 0; i + 4 <= size; i++) {
            if (memcmp(to + i, "1.15", 4) == 0)
                to[i + 3] = '8';
        }
        tn = size;
    }
    check(a, from, fn, to, tn, ctx);
    bg_arena_free(a);
    return 0;
}
