/*
 * xml.c - hardened reading of AWS XML answers and lookups by local element name.
 *
 * libxml2 keeps the local name in node->name and the namespace apart, so comparing
 * node->name ignores namespaces, which AWS sets on the root and moto sometimes omits. Every
 * lookup is a loop over one level: no recursion, whatever the document's depth.
 */
#include <limits.h>
#include <stdarg.h>
#include <string.h>

#include <libxml/parser.h>

#include "bluegreen/lazy.h"
#include "xml.h"

/* The document's root element, as xmlDocGetRootElement finds it: the first element child. */
static const xmlNode *root_element(const xmlDoc *doc)
{
    for (const xmlNode *n = doc != NULL ? doc->children : NULL; n != NULL; n = n->next) {
        if (n->type == XML_ELEMENT_NODE)
            return n;
    }
    return NULL;
}

int bg_xml_read(xmlDoc **out, const char *xml, size_t len, struct bg_error *err)
{
    /* NONET: no fetching; no NOENT/DTDLOAD/DTDATTR: entities stay unexpanded references */
    const int opts = XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING | XML_PARSE_NOBLANKS;
    const struct bg_xml_api *x;
    xmlDoc *doc;

    *out = NULL;
    if (len > BG_AWS_MAX_BODY)
        return bg_error_set(err, BG_ELIMIT, "AWS answer of %zu bytes exceeds the %u byte limit",
                            len, BG_AWS_MAX_BODY);
    if (xml == NULL || len == 0)
        return bg_error_set(err, BG_EPROTO, "empty AWS answer");
    x = bg_lazy_xml(err);
    if (x == NULL)
        return BG_EIO;
    doc = x->read_memory(xml, (int)len, "aws.xml", NULL, opts);
    if (doc == NULL)
        return bg_error_set(err, BG_EPROTO, "AWS answer is not well-formed XML");
    if (doc->intSubset != NULL || root_element(doc) == NULL) {
        x->free_doc(doc);
        return bg_error_set(err, BG_EPROTO, "AWS answer carries a DTD or has no root element");
    }
    *out = doc;
    return 0;
}

static int named(const xmlNode *n, const char *name)
{
    return n->type == XML_ELEMENT_NODE && strcmp((const char *)n->name, name) == 0;
}

const xmlNode *bg_xml_child(const xmlNode *parent, const char *name)
{
    if (parent == NULL)
        return NULL;
    for (const xmlNode *n = parent->children; n != NULL; n = n->next) {
        if (named(n, name))
            return n;
    }
    return NULL;
}

const xmlNode *bg_xml_next(const xmlNode *n)
{
    for (const xmlNode *s = n->next; s != NULL; s = s->next) {
        if (named(s, (const char *)n->name))
            return s;
    }
    return NULL;
}

const xmlNode *bg_xml_path(const xmlNode *from, ...)
{
    const char *name;
    va_list ap;

    va_start(ap, from);
    while (from != NULL && (name = va_arg(ap, const char *)) != NULL)
        from = bg_xml_child(from, name);
    va_end(ap);
    return from;
}

const char *bg_xml_text(struct bg_arena *a, const xmlNode *n)
{
    size_t len = 0, off = 0;
    char *s;

    if (n == NULL)
        return "";
    for (const xmlNode *c = n->children; c != NULL; c = c->next) {
        if ((c->type == XML_TEXT_NODE || c->type == XML_CDATA_SECTION_NODE) && c->content)
            len += strlen((const char *)c->content);
    }
    s = bg_arena_alloc(a, len + 1);
    for (const xmlNode *c = n->children; c != NULL; c = c->next) {
        if ((c->type == XML_TEXT_NODE || c->type == XML_CDATA_SECTION_NODE) && c->content) {
            size_t k = strlen((const char *)c->content);

            memcpy(s + off, c->content, k);
            off += k;
        }
    }
    s[off] = '\0';
    return s;
}

int bg_xml_int(const xmlNode *n, int dflt)
{
    long v = 0;
    int digits = 0;

    if (n == NULL)
        return dflt;
    for (const xmlNode *c = n->children; c != NULL; c = c->next) {
        if (c->type != XML_TEXT_NODE || c->content == NULL)
            continue;
        for (const xmlChar *p = c->content; *p; p++) {
            if (*p == ' ' || *p == '\n' || *p == '\t' || *p == '\r')
                continue;
            if (*p < '0' || *p > '9' || v > INT_MAX / 10)
                return dflt;
            v = v * 10 + (*p - '0');
            digits++;
        }
    }
    return digits > 0 && v <= INT_MAX ? (int)v : dflt;
}

void bg_xml_free(xmlDoc *doc)
{
    /* A document exists only if bg_xml_read loaded the library, so the table is there. */
    if (doc != NULL)
        bg_lazy_xml(NULL)->free_doc(doc);
}

const xmlNode *bg_xml_root(const xmlDoc *doc, const char *name)
{
    const xmlNode *root = root_element(doc);

    return root != NULL && named(root, name) ? root : NULL;
}

/* Both layouts name the request id differently: RequestId (ErrorResponse), RequestID. */
static const char *request_id(struct bg_arena *a, const xmlNode *root)
{
    const xmlNode *id = bg_xml_child(root, "RequestId");

    return bg_xml_text(a, id != NULL ? id : bg_xml_child(root, "RequestID"));
}

int bg_aws_parse_error(struct bg_aws_api_error *out, struct bg_arena *a, const char *xml,
                       size_t len, struct bg_error *err)
{
    const xmlNode *root, *e;
    xmlDoc *doc = NULL;
    int rc;

    memset(out, 0, sizeof(*out));
    rc = bg_xml_read(&doc, xml, len, err);
    if (rc != 0)
        return rc;
    root = bg_xml_root(doc, "ErrorResponse");
    e = bg_xml_child(root, "Error");
    if (root == NULL) {
        root = bg_xml_root(doc, "Response");
        e = bg_xml_path(root, "Errors", "Error", NULL);
    }
    if (e == NULL) {
        rc = bg_error_set(err, BG_EPROTO, "AWS answer is not an error document");
        goto done;
    }
    out->type = bg_xml_text(a, bg_xml_child(e, "Type"));
    out->code = bg_xml_text(a, bg_xml_child(e, "Code"));
    out->message = bg_xml_text(a, bg_xml_child(e, "Message"));
    out->request_id = request_id(a, root);
    if (out->code[0] == '\0')
        rc = bg_error_set(err, BG_EPROTO, "AWS error document without a Code");
done:
    bg_xml_free(doc);
    return rc;
}
