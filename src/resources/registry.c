/*
 * registry.c - every resource type and data source this provider serves. Adding one is a
 * line here plus its own file in this directory.
 */
#include <string.h>

#include "bluegreen/resource.h"

extern const struct bg_resource bg_cluster_pair_resource;
extern const struct bg_resource bg_traffic_shift_resource;
extern const struct bg_resource bg_statefulset_handoff_resource;
extern const struct bg_resource bg_weighted_shift_resource;
extern const struct bg_data_source bg_upgrade_path_data_source;
extern const struct bg_data_source bg_deprecated_apis_data_source;

const struct bg_resource *const bg_resources[] = {
    &bg_cluster_pair_resource,
    &bg_traffic_shift_resource,
    &bg_statefulset_handoff_resource,
    &bg_weighted_shift_resource,
    NULL,
};

const struct bg_data_source *const bg_data_sources[] = {
    &bg_upgrade_path_data_source,
    &bg_deprecated_apis_data_source,
    NULL,
};

const struct bg_resource *bg_resource_find(const char *type_name)
{
    size_t i;

    for (i = 0; bg_resources[i] != NULL; i++) {
        if (strcmp(bg_resources[i]->type_name, type_name) == 0)
            return bg_resources[i];
    }
    return NULL;
}

const struct bg_data_source *bg_data_source_find(const char *type_name)
{
    size_t i;

    for (i = 0; bg_data_sources[i] != NULL; i++) {
        if (strcmp(bg_data_sources[i]->type_name, type_name) == 0)
            return bg_data_sources[i];
    }
    return NULL;
}
