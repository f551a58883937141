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

/* Every step of the hand-off in order, whatever the world (plan.c). */
void bg_handoff__canonical(struct bg_handoff_plan *out, struct bg_arena *a,
                           const struct bg_handoff_spec *spec);

/* The step's intent is in the world (what the plan leaves out), and its effect has
 * converged (what the executor waits for before the next step). */
bool bg_handoff__intent_done(const struct bg_handoff_step *st, const struct bg_handoff_spec *s,
                             const struct bg_handoff_world *w);
bool bg_handoff__converged(const struct bg_handoff_step *st, const struct bg_handoff_spec *s,
                           const struct bg_handoff_world *w);

#endif
