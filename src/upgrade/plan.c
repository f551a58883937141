/*
 * plan.c - what a found path means for a reviewer: the breaking changes each step crosses,
 * the strategy and the one-sentence reason.
 *
 * Strategy rule (docs/data-sources/upgrade_path.md): blue_green when the path needs more
 * sequential upgrades per cluster than max_in_place_steps, or when it crosses a disruptive
 * change - one that alters the running data plane (container runtime, pod security, volume
 * driver, mesh control plane) and so cannot be rolled back by undoing the upgrade. API
 * removals alone are not disruptive: bluegreen_deprecated_apis finds them before the upgrade.
 */
#include <string.h>

#include "upgrade/internal.h"

/* Does the step (component, from -> to) bring the change? A canary jump 1.8 -> 1.10 brings
 * the changes of 1.9 and 1.10. */
static bool crosses(const struct bg_upgrade_change *c, const char *component, int from, int to)
{
    return strcmp(c->component, component) == 0 && c->minor > from && c->minor <= to;
}

static void fill_step(struct bg_upgrade_step *st, struct bg_arena *a, size_t *disruptive)
{
    int from = 0, to = 0;
    size_t n = 0;

    bg_upgrade_version_parse(&from, st->from, NULL);
    bg_upgrade_version_parse(&to, st->to, NULL);
    for (size_t i = 0; i < bg_upgrade_change_count; i++)
        n += crosses(&bg_upgrade_change_table[i], st->component, from, to);
    st->breaking_changes = bg_arena_calloc(a, n, sizeof(*st->breaking_changes));
    for (size_t i = 0; i < bg_upgrade_change_count; i++) {
        const struct bg_upgrade_change *c = &bg_upgrade_change_table[i];

        if (!crosses(c, st->component, from, to))
            continue;
        st->breaking_changes[st->breaking_change_count++] = c->text;
        *disruptive += c->disruptive;
    }
}

static void collect(struct bg_upgrade_path *p, struct bg_arena *a)
{
    size_t n = 0;

    for (size_t i = 0; i < p->step_count; i++) {
        fill_step(&p->steps[i], a, &p->disruptive_count);
        n += p->steps[i].breaking_change_count;
    }
    p->breaking_changes = bg_arena_calloc(a, n, sizeof(*p->breaking_changes));
    for (size_t i = 0; i < p->step_count; i++) {
        const struct bg_upgrade_step *st = &p->steps[i];

        memcpy(p->breaking_changes + p->breaking_change_count, st->breaking_changes,
               st->breaking_change_count * sizeof(*st->breaking_changes));
        p->breaking_change_count += st->breaking_change_count;
    }
}

static const char *plural(size_t n, const char *one, const char *many)
{
    return n == 1 ? one : many;
}

/* " (49 upgrades across 7 clusters)" or "" for one cluster. */
static const char *fleet(struct bg_arena *a, const struct bg_upgrade_path *p, long clusters)
{
    if (clusters == 1)
        return "";
    return bg_arena_printf(a, " (%ld upgrades across %ld clusters)", p->total_upgrades, clusters);
}

static const char *reason(struct bg_arena *a, const struct bg_upgrade_path *p,
                          const struct bg_upgrade_opts *o)
{
    size_t n = p->step_count, b = p->breaking_change_count, d = p->disruptive_count;
    const char *f = fleet(a, p, o->clusters);

    if (n == 0)
        return "Already at the target versions: nothing to upgrade";
    if ((long)n > o->max_in_place_steps)
        return bg_arena_printf(a,
                               "%zu sequential in-place %s per cluster%s exceed "
                               "max_in_place_steps = %ld and cross %zu breaking %s (%zu "
                               "disruptive): build a new cluster and shift traffic instead",
                               n, plural(n, "upgrade", "upgrades"), f, o->max_in_place_steps, b,
                               plural(b, "change", "changes"), d);
    if (d > 0)
        return bg_arena_printf(a,
                               "%zu in-place %s per cluster%s %s within max_in_place_steps "
                               "= %ld but cross %zu disruptive %s that cannot be rolled back "
                               "in place: build a new cluster and shift traffic instead",
                               n, plural(n, "upgrade", "upgrades"), f, plural(n, "is", "are"),
                               o->max_in_place_steps, d, plural(d, "change", "changes"));
    return bg_arena_printf(a,
                           "%zu in-place %s per cluster%s %s within max_in_place_steps = "
                           "%ld and cross%s %zu breaking %s, none disruptive: upgrade in place",
                           n, plural(n, "upgrade", "upgrades"), f, plural(n, "is", "are"),
                           o->max_in_place_steps, plural(n, "es", ""), b,
                           plural(b, "change", "changes"));
}

void bg_upgrade_plan_finish(struct bg_upgrade_path *p, struct bg_arena *a,
                            const struct bg_upgrade_opts *opts)
{
    collect(p, a);
    p->total_upgrades = (long)p->step_count * opts->clusters;
    if ((long)p->step_count > opts->max_in_place_steps || p->disruptive_count > 0)
        p->strategy = "blue_green";
    else
        p->strategy = "in_place";
    p->reason = reason(a, p, opts);
}
