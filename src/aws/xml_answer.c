/*
 * xml_answer.c - the envelope every AWS Query answer shares, <XResponse><XResult>..., for the
 * list answers every ELBv2 and CloudWatch parser reads.
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

int bg_xml_parse_list(void **items, size_t *count, struct bg_arena *a,
                      const struct bg_xml_list_spec *spec, const char *xml, size_t len,
                      struct bg_error *err)
{
    const xmlNode *result, *list;
    xmlDoc *doc = NULL;
    unsigned char *arr;
    size_t i = 0;
    int rc;

    *items = NULL;
    *count = 0;
    rc = bg_xml_open_answer(&doc, &result, spec->action, xml, len, err);
    if (rc != 0)
        return rc;
    list = bg_xml_child(result, spec->list);
    *count = bg_xml_count_members(list);
    arr = bg_arena_calloc(a, *count + 1, spec->item_size);
    for (const xmlNode *m = bg_xml_child(list, "member"); m != NULL && rc == 0; m = bg_xml_next(m))
        rc = spec->parse(arr + spec->item_size * i++, a, m, err);
    bg_xml_free(doc);
    if (rc != 0) {
        *count = 0;
        return rc;
    }
    *items = arr;
    return 0;
}
