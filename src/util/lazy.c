/*
 * lazy.c - dlopen of libcurl and libxml2 on first use (include/bluegreen/lazy.h).
 *
 * The two tables and their load results are written once under pthread_once and read-only
 * after that: the only process-wide state in this module, and it never changes once set.
 */
#include <dlfcn.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>

#include "bluegreen/lazy.h"

struct lib_state {
    bool ok;
    char why[300]; /* why loading failed, for the caller's error */
};

static struct bg_curl_api curl_api;
static struct bg_xml_api xml_api;
static struct lib_state curl_state, xml_state;
static pthread_once_t curl_once = PTHREAD_ONCE_INIT, xml_once = PTHREAD_ONCE_INIT;

static void *open_lib(struct lib_state *st, const char *soname, const char *package)
{
    void *h = dlopen(soname, RTLD_NOW | RTLD_LOCAL);

    if (h == NULL)
        snprintf(st->why, sizeof(st->why), "cannot load %s (Debian package %s): %s", soname,
                 package, dlerror());
    return h;
}

/* Resolves sym into *slot; false (and the reason in st) when the library lacks it. */
static bool bind_sym(struct lib_state *st, void *h, void *slot, const char *sym)
{
    void *p = dlsym(h, sym);

    if (p == NULL) {
        snprintf(st->why, sizeof(st->why), "symbol %s missing from the loaded library", sym);
        return false;
    }
    *(void **)slot = p;
    return true;
}

static void load_curl(void)
{
    struct bg_curl_api *a = &curl_api;
    void *h = open_lib(&curl_state, "libcurl.so.4", "libcurl4");

    /* The handle stays open for the life of the process, as a linked library would. */
    curl_state.ok = h != NULL && bind_sym(&curl_state, h, &a->global_init, "curl_global_init") &&
                    bind_sym(&curl_state, h, &a->global_cleanup, "curl_global_cleanup") &&
                    bind_sym(&curl_state, h, &a->easy_init, "curl_easy_init") &&
                    bind_sym(&curl_state, h, &a->easy_cleanup, "curl_easy_cleanup") &&
                    bind_sym(&curl_state, h, &a->easy_reset, "curl_easy_reset") &&
                    bind_sym(&curl_state, h, &a->easy_perform, "curl_easy_perform") &&
                    bind_sym(&curl_state, h, &a->easy_setopt, "curl_easy_setopt") &&
                    bind_sym(&curl_state, h, &a->easy_getinfo, "curl_easy_getinfo") &&
                    bind_sym(&curl_state, h, &a->easy_strerror, "curl_easy_strerror") &&
                    bind_sym(&curl_state, h, &a->slist_append, "curl_slist_append") &&
                    bind_sym(&curl_state, h, &a->slist_free_all, "curl_slist_free_all");
}

static void load_xml(void)
{
    struct bg_xml_api *a = &xml_api;
    void *h = open_lib(&xml_state, "libxml2.so.2", "libxml2");

    xml_state.ok = h != NULL && bind_sym(&xml_state, h, &a->read_memory, "xmlReadMemory") &&
                   bind_sym(&xml_state, h, &a->free_doc, "xmlFreeDoc");
}

const struct bg_curl_api *bg_lazy_curl(struct bg_error *err)
{
    pthread_once(&curl_once, load_curl);
    if (curl_state.ok)
        return &curl_api;
    bg_error_set(err, BG_EIO, "%s", curl_state.why);
    return NULL;
}

const struct bg_xml_api *bg_lazy_xml(struct bg_error *err)
{
    pthread_once(&xml_once, load_xml);
    if (xml_state.ok)
        return &xml_api;
    bg_error_set(err, BG_EIO, "%s", xml_state.why);
    return NULL;
}
