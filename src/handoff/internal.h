/*
 * internal.h - seams shared by the src/handoff files.
 */
#ifndef BG_HANDOFF_INTERNAL_H
#define BG_HANDOFF_INTERNAL_H

#include "bluegreen/handoff.h"

/* Fills *f (detail copied to the arena); step and index may be NULL. */
void bg_handoff__fail(struct bg_handoff_failure *f, struct bg_arena *a,
                      const struct bg_handoff_step *step, const char *attribute,
                      const size_t *index, const char *summary, const char *detail);

#endif
