/*
 * fake.h - a fake world for the hand-off engine's unit tests: two clusters of workloads that
 * converge one pod per tick (with the EBS rule: a pod stays unready while the other cluster
 * has a pod of the same workload), an Elasticsearch whose health follows the ready pods and
 * the allocation setting, a node group, and a fake clock whose sleep advances time and ticks
 * the world. Every mutating call is logged as one line.
 */
#ifndef BG_TEST_HANDOFF_FAKE_H
#define BG_TEST_HANDOFF_FAKE_H

#include <stdatomic.h>
#include <stdbool.h>

#include "bluegreen/handoff.h"

#define FAKE_MAX 8
#define FAKE_LOG 128

struct fake_wl {
    const char *name;
    int spec, pods, ready;
    bool stuck; /* pods never go away */
};

struct fake {
    struct fake_wl wl[2][FAKE_MAX]; /* [cluster][i], same order in both clusters */
    size_t n;
    const char *es_names[FAKE_MAX];
    size_t n_es;
    char alloc[16]; /* "" = null */
    bool never_green, proxy_down;
    int ng_desired, ng_min, ng_instances;
    double now;
    int mutations, stop_after; /* stop_after > 0: set stop after that many mutations */
    atomic_bool stop;
    char log[FAKE_LOG][64];
    size_t n_log;
    struct bg_arena *arena;
    struct bg_handoff_ops ops;
    struct bg_clock clock;
};

/* The documented Elasticsearch case, small: logstash 2 (pause), master 3, data 4,
 * coordinating 2, all running in from_cluster, 0 in to_cluster; node group 3 instances. */
void fake_init(struct fake *f, struct bg_arena *a);
void fake_spec(struct bg_handoff_spec *s, bool with_es, bool with_ng);
struct fake_wl *fake_find(struct fake *f, enum bg_handoff_cluster c, const char *name);
void fake_tick(struct fake *f);

#endif
