/*
 * xml_answer.c - the envelope every AWS Query answer shares, <XResponse><XResult>..., for the
 * parsers added after elbv2.c (listeners, rules, CloudWatch alarms).
 */
#include <stdio.h>

#include "xml.h"

int bg_xml_open_answer(xmlDoc **doc, const xmlNode **result, const char *action, const char *xml,
                       size_t len, struct bg_error *err)
{
    char root_name[96], result_name[96];
    const xmlNode *root;
    int rc;

    *result = NULL;
    snprintf(root_name, sizeof(root_name), "%sResponse", action);
    snprintf(result_name, sizeof(result_name), "%sResult", action);
    rc = bg_xml_read(doc, xml, len, err);
    if (rc != 0)
        return rc;
    root = bg_xml_root(*doc, root_name);
    if (root == NULL) {
        bg_xml_free(*doc);
        *doc = NULL;
        return bg_error_set(err, BG_EPROTO, "expected a %s document", root_name);
    }
    *result = bg_xml_child(root, result_name);
    return 0;
}

size_t bg_xml_count_members(const xmlNode *parent)
{
    size_t n = 0;

    for (const xmlNode *m = bg_xml_child(parent, "member"); m != NULL; m = bg_xml_next(m))
        n++;
    return n;
}
