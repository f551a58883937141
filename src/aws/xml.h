/*
 * xml.h - internal helpers for AWS XML answers (src/aws only): a hardened read and lookups
 * of element children by local name. Not part of the public surface.
 */
#ifndef BLUEGREEN_AWS_XML_H
#define BLUEGREEN_AWS_XML_H

#include <libxml/tree.h>

#include "bluegreen/aws.h"

/* Parses xml (len bytes, at most BG_AWS_MAX_BODY) without network, DTD or entity
 * substitution; documents carrying a DTD are refused. Free with bg_xml_free. BG_EIO when
 * libxml2 cannot be loaded (include/bluegreen/lazy.h). */
int bg_xml_read(xmlDoc **out, const char *xml, size_t len, struct bg_error *err);

/* Frees a document from bg_xml_read; NULL allowed. */
void bg_xml_free(xmlDoc *doc);

/* First element child of parent whose local name is name; NULL if none or parent is NULL. */
const xmlNode *bg_xml_child(const xmlNode *parent, const char *name);

/* Next element sibling after n with the same local name. */
const xmlNode *bg_xml_next(const xmlNode *n);

/* Follows a chain of child names (NULL-terminated); NULL when a link is missing. */
const xmlNode *bg_xml_path(const xmlNode *from, ...) __attribute__((sentinel));

/* Text content of n (its text and CDATA children only, entity references ignored) copied to
 * the arena; "" when n is NULL. */
const char *bg_xml_text(struct bg_arena *a, const xmlNode *n);

/* Text of n as a non-negative int; dflt when absent or not a number. */
int bg_xml_int(const xmlNode *n, int dflt);

/* Root element whose local name is name, else NULL. */
const xmlNode *bg_xml_root(const xmlDoc *doc, const char *name);

#endif
