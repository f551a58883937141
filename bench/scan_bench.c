/*
 * scan_bench.c - times bg_scan_directory over a tree and prints files/second.
 * usage: scan_bench ROOT TARGET_MINOR [RUNS]. Built by bench/scan_bench.sh.
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "bluegreen/upgrade.h"

static double now(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
    struct bg_scan_opts o = BG_SCAN_OPTS_INIT;
    int runs = argc > 3 ? atoi(argv[3]) : 3;
    double best = 0;

    if (argc < 3) {
        fprintf(stderr, "usage: %s ROOT TARGET_MINOR [RUNS]\n", argv[0]);
        return 2;
    }
    o.root = o.directory = argv[1];
    o.target = atoi(argv[2]);
    for (int i = 0; i < runs; i++) {
        struct bg_arena *a = bg_arena_new();
        struct bg_scan_result *r = NULL;
        struct bg_error err = BG_ERROR_INIT;
        const char *attr = NULL;
        double t0 = now(), dt;

        if (bg_scan_directory(&r, a, &o, &attr, &err) != 0) {
            fprintf(stderr, "scan failed: %s\n", err.msg);
            return 1;
        }
        dt = now() - t0;
        printf("run %d: %zu files, %zu findings, %.3f s, %.0f files/s, arena %zu KiB\n", i + 1,
               r->files_scanned, r->count, dt, (double)r->files_scanned / dt,
               bg_arena_used(a) / 1024);
        if ((double)r->files_scanned / dt > best)
            best = (double)r->files_scanned / dt;
        bg_arena_free(a);
    }
    printf("best: %.0f files/s\n", best);
    return 0;
}
