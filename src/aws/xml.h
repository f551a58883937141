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

/* Opens an <action>Response document and its <action>Result child (*result NULL when the
 * answer has none). On success the caller frees *doc with bg_xml_free; on failure *doc is
 * NULL and err says why (BG_EPROTO for another document). src/aws/xml_answer.c. */
int bg_xml_open_answer(xmlDoc **doc, const xmlNode **result, const char *action, const char *xml,
                       size_t len, struct bg_error *err);

/* Element children of parent named "member" (one level). */
size_t bg_xml_count_members(const xmlNode *parent);

/* Reads one <member> into item, an element of the array bg_xml_parse_list allocates. */
typedef int (*bg_xml_member_fn)(void *item, struct bg_arena *a, const xmlNode *member,
                                struct bg_error *err);

/* What a list answer looks like: <action>Response/<action>Result/<list>/member... */
struct bg_xml_list_spec {
    const char *action;
    const char *list;
    size_t item_size;
    bg_xml_member_fn parse;
};

/* Parses a list answer into *items: count + 1 zeroed elements of item_size from the arena,
 * each member read by spec->parse in document order. On failure *items is NULL, *count 0
 * and err says why (the first member parse that failed, or the envelope). */
int bg_xml_parse_list(void **items, size_t *count, struct bg_arena *a,
                      const struct bg_xml_list_spec *spec, const char *xml, size_t len,
                      struct bg_error *err);

/* The <member> actions of list (a DefaultActions or Actions element; NULL: none) into *out,
 * from the arena (src/aws/elbv2_actions.c). */
int bg_aws__parse_actions(struct bg_aws_actions *out, struct bg_arena *a, const xmlNode *list,
                          struct bg_error *err);

#endif
