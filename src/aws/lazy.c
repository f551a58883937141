/*
 * lazy.c - libcurl and libxml2 are loaded on first use, not at process start.
 *
 * Terraform launches the provider 3-4 times per command and most launches never talk to AWS
 * (schema, validation, cluster_pair plans). Linking libcurl and libxml2 normally makes the
 * dynamic loader map ~30 more shared objects (GnuTLS, Kerberos, LDAP, ICU...) at every
 * launch, which more than doubled the time to the handshake line (bench/provider_bench.py).
 * So the few entry points src/aws uses are defined here and forward to the real libraries,
 * opened with dlopen the first time one is called.
 *
 * The table of resolved functions is written once under pthread_once and read-only after
 * that; it is the only process-wide state in this module.
 */
#include <dlfcn.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>

/* curl.h wraps these two in type-checking macros, which would rename our definitions. */
#define CURL_DISABLE_TYPECHECK
#include <curl/curl.h>
#include <libxml/parser.h>
#include <libxml/tree.h>

struct lazy_api {
    CURLcode (*global_init)(long);
    void (*global_cleanup)(void);
    CURL *(*easy_init)(void);
    void (*easy_cleanup)(CURL *);
    CURLcode (*easy_perform)(CURL *);
    CURLcode (*easy_setopt)(CURL *, CURLoption, ...);
    CURLcode (*easy_getinfo)(CURL *, CURLINFO, ...);
    const char *(*easy_strerror)(CURLcode);
    struct curl_slist *(*slist_append)(struct curl_slist *, const char *);
    void (*slist_free_all)(struct curl_slist *);
    xmlDocPtr (*read_memory)(const char *, int, const char *, const char *, int);
    void (*free_doc)(xmlDocPtr);
    xmlNodePtr (*doc_root)(const xmlDoc *);
    int curl_ok, xml_ok;
};

static struct lazy_api api;
static pthread_once_t api_once = PTHREAD_ONCE_INIT;

static void *open_lib(const char *soname)
{
    void *h = dlopen(soname, RTLD_NOW | RTLD_LOCAL);

    if (h == NULL)
        fprintf(stderr, "{\"@level\":\"error\",\"@message\":\"cannot load %s: %s\"}\n", soname,
                dlerror());
    return h;
}

#define BIND(h, field, sym) (*(void **)&api.field = dlsym(h, sym), api.field != NULL)

static void load(void)
{
    void *c = open_lib("libcurl.so.4"), *x = open_lib("libxml2.so.2");

    api.curl_ok =
        c != NULL && BIND(c, global_init, "curl_global_init") &&
        BIND(c, global_cleanup, "curl_global_cleanup") && BIND(c, easy_init, "curl_easy_init") &&
        BIND(c, easy_cleanup, "curl_easy_cleanup") && BIND(c, easy_perform, "curl_easy_perform") &&
        BIND(c, easy_setopt, "curl_easy_setopt") && BIND(c, easy_getinfo, "curl_easy_getinfo") &&
        BIND(c, easy_strerror, "curl_easy_strerror") &&
        BIND(c, slist_append, "curl_slist_append") &&
        BIND(c, slist_free_all, "curl_slist_free_all");
    api.xml_ok = x != NULL && BIND(x, read_memory, "xmlReadMemory") &&
                 BIND(x, free_doc, "xmlFreeDoc") && BIND(x, doc_root, "xmlDocGetRootElement");
    /* The handles stay open for the life of the process, as a linked library would. */
}

static const struct lazy_api *curl_api(void)
{
    pthread_once(&api_once, load);
    return api.curl_ok ? &api : NULL;
}

static const struct lazy_api *xml_api(void)
{
    pthread_once(&api_once, load);
    return api.xml_ok ? &api : NULL;
}

CURLcode curl_global_init(long flags)
{
    return curl_api() != NULL ? api.global_init(flags) : CURLE_FAILED_INIT;
}

void curl_global_cleanup(void)
{
    if (curl_api() != NULL)
        api.global_cleanup();
}

CURL *curl_easy_init(void)
{
    return curl_api() != NULL ? api.easy_init() : NULL;
}

void curl_easy_cleanup(CURL *h)
{
    if (curl_api() != NULL)
        api.easy_cleanup(h);
}

CURLcode curl_easy_perform(CURL *h)
{
    return curl_api() != NULL ? api.easy_perform(h) : CURLE_FAILED_INIT;
}

/* The option number says the argument's type, the way libcurl reads its own varargs. */
CURLcode curl_easy_setopt(CURL *h, CURLoption opt, ...)
{
    va_list ap;
    CURLcode rc;

    if (curl_api() == NULL)
        return CURLE_FAILED_INIT;
    va_start(ap, opt);
    if (opt < CURLOPTTYPE_OBJECTPOINT)
        rc = api.easy_setopt(h, opt, va_arg(ap, long));
    else if (opt >= CURLOPTTYPE_OFF_T && opt < CURLOPTTYPE_BLOB)
        rc = api.easy_setopt(h, opt, va_arg(ap, curl_off_t));
    else
        rc = api.easy_setopt(h, opt, va_arg(ap, void *));
    va_end(ap);
    return rc;
}

/* Every CURLINFO takes a pointer to where the answer goes. */
CURLcode curl_easy_getinfo(CURL *h, CURLINFO info, ...)
{
    va_list ap;
    CURLcode rc;

    if (curl_api() == NULL)
        return CURLE_FAILED_INIT;
    va_start(ap, info);
    rc = api.easy_getinfo(h, info, va_arg(ap, void *));
    va_end(ap);
    return rc;
}

const char *curl_easy_strerror(CURLcode code)
{
    return curl_api() != NULL ? api.easy_strerror(code) : "libcurl.so.4 could not be loaded";
}

struct curl_slist *curl_slist_append(struct curl_slist *list, const char *s)
{
    return curl_api() != NULL ? api.slist_append(list, s) : NULL;
}

void curl_slist_free_all(struct curl_slist *list)
{
    if (curl_api() != NULL)
        api.slist_free_all(list);
}

xmlDocPtr xmlReadMemory(const char *buf, int size, const char *url, const char *enc, int opts)
{
    return xml_api() != NULL ? api.read_memory(buf, size, url, enc, opts) : NULL;
}

void xmlFreeDoc(xmlDocPtr doc)
{
    if (xml_api() != NULL)
        api.free_doc(doc);
}

xmlNodePtr xmlDocGetRootElement(const xmlDoc *doc)
{
    return xml_api() != NULL ? api.doc_root(doc) : NULL;
}
