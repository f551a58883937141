/*
 * internal.h - seams shared by the src/k8s files: the YAML node tree the kubeconfig parser
 * builds, base64 decoding, and small JSON helpers over cJSON.
 */
#ifndef BG_K8S_INTERNAL_H
#define BG_K8S_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>

#include "bluegreen/k8s.h"

enum bg_k8s__kind { BG_K8S__SCALAR, BG_K8S__MAP, BG_K8S__SEQ };

/* A YAML node: a scalar, a mapping (items alternate key, value) or a sequence. */
struct bg_k8s__node {
    enum bg_k8s__kind kind;
    const char *s; /* scalar text, NUL-terminated */
    size_t len;
    bool plain; /* scalar was unquoted (so `null`/`~` mean null, `true` means true) */
    struct bg_k8s__node **items;
    size_t n, cap;
    size_t line; /* 1-based, for messages */
};

#define BG_K8S__MAX_DEPTH 32
#define BG_K8S__MAX_NODES 100000

/* Builds the tree of the first YAML document of text (bounds above; aliases refused). */
int bg_k8s__yaml_load(struct bg_k8s__node **out, struct bg_arena *a, const char *text, size_t len,
                      struct bg_error *err);

/* Value of key in a mapping, NULL when absent or m is not a mapping. */
const struct bg_k8s__node *bg_k8s__get(const struct bg_k8s__node *m, const char *key);

/* Scalar text of a node, NULL for a non-scalar or a plain null/~ scalar. */
const char *bg_k8s__str(const struct bg_k8s__node *n);

/* Standard base64 (padding optional, whitespace skipped) into a NUL-terminated arena copy.
 * BG_EINVAL on any other character. */
int bg_k8s__base64_decode(char **out, size_t *out_len, struct bg_arena *a, const char *in,
                          size_t len);

/* Standard base64 with padding, NUL-terminated, from the arena. */
char *bg_k8s__base64_encode(struct bg_arena *a, const void *in, size_t len);

/* Reads a whole regular file of at most max bytes into the arena (NUL-terminated). */
int bg_k8s__read_file(char **out, size_t *len, struct bg_arena *a, const char *path, size_t max,
                      struct bg_error *err);

#endif
