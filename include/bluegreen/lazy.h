/*
 * lazy.h - libcurl and libxml2, loaded on first use instead of at process start.
 *
 * Terraform launches the provider 3-4 times per command and most launches never open a
 * connection (schema, validation, cluster_pair plans). Linking libcurl and libxml2 makes the
 * dynamic loader map ~30 more shared objects (GnuTLS, Kerberos, LDAP, ICU...) at every launch,
 * which more than doubled the time to the handshake line (bench/provider_bench.py). So the
 * entry points we use are reached through these tables, filled by dlopen/dlsym the first time
 * one is asked for. Our names only: the libraries' own symbols are never defined here.
 *
 * Thread safety: the tables are filled once (pthread_once) and read-only afterwards; the
 * pointers returned stay valid for the life of the process.
 */
#ifndef BLUEGREEN_LAZY_H
#define BLUEGREEN_LAZY_H

#include <curl/curl.h>
#include <libxml/tree.h>

#include "common.h"

/* The libcurl functions src/ uses, with their real prototypes: easy_setopt and easy_getinfo
 * are libcurl's own variadic functions, so arguments pass exactly as in a direct call. */
struct bg_curl_api {
    CURLcode (*global_init)(long flags);
    void (*global_cleanup)(void);
    CURL *(*easy_init)(void);
    void (*easy_cleanup)(CURL *h);
    void (*easy_reset)(CURL *h);
    CURLcode (*easy_perform)(CURL *h);
    CURLcode (*easy_setopt)(CURL *h, CURLoption opt, ...);
    CURLcode (*easy_getinfo)(CURL *h, CURLINFO info, ...);
    const char *(*easy_strerror)(CURLcode code);
    struct curl_slist *(*slist_append)(struct curl_slist *list, const char *s);
    void (*slist_free_all)(struct curl_slist *list);
};

struct bg_xml_api {
    xmlDocPtr (*read_memory)(const char *buf, int size, const char *url, const char *enc, int opts);
    void (*free_doc)(xmlDocPtr doc);
};

/* The loaded table, or NULL with err saying which library or symbol could not be loaded
 * (e.g. "cannot load libcurl.so.4: ...: install Debian's libcurl4"). err may be NULL. */
const struct bg_curl_api *bg_lazy_curl(struct bg_error *err);
const struct bg_xml_api *bg_lazy_xml(struct bg_error *err);

#endif
