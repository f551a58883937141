/*
 * path.c - shortest in-place upgrade sequence over (Kubernetes minor, Istio minor) states.
 *
 * Versions only move up, so the state graph is a DAG over the box [k_from..k_to] x
 * [i_from..i_to]; with unit step costs a reverse dynamic program over that box gives the same
 * distances as a breadth-first search, without a queue. The forward walk then picks, among
 * moves that stay on a shortest path, the first in preference order (Istio first, bigger jump
 * first), which makes the result deterministic.
 */
#include <stdio.h>
#include <string.h>

#include "upgrade/internal.h"

struct search {
    int kf, kt, if_, it; /* minors; if_ == it == 0 when Istio is not managed */
    bool istio, canary;
    int *dist; /* steps to the goal, -1 when the goal cannot be reached */
};

struct move {
    int k, i;
};

static const char *known_range_k8s(char *buf, size_t n)
{
    snprintf(buf, n, "1.%d to 1.%d", bg_upgrade_eks_table[0].minor,
             bg_upgrade_eks_table[bg_upgrade_eks_count - 1].minor);
    return buf;
}

static int parse_k8s(int *out, const char *version, const char *attr, const char **attribute,
                     struct bg_error *err)
{
    char range[32];

    *attribute = attr;
    if (version == NULL)
        return bg_error_set(err, BG_EINVAL, "%s is required", attr);
    if (bg_upgrade_version_parse(out, version, err) != 0)
        return BG_EINVAL;
    if (bg_upgrade_eks_find(*out) == NULL)
        return bg_error_set(err, BG_EINVAL,
                            "unknown Kubernetes version %s: the EKS tables "
                            "know %s",
                            version, known_range_k8s(range, sizeof(range)));
    *attribute = NULL;
    return 0;
}

static int parse_istio(int *out, const char *version, const char *attr, const char **attribute,
                       struct bg_error *err)
{
    *attribute = attr;
    if (bg_upgrade_version_parse(out, version, err) != 0)
        return BG_EINVAL;
    if (bg_upgrade_istio_find(*out) == NULL)
        return bg_error_set(err, BG_EINVAL,
                            "unknown Istio version %s: the tables know 1.%d to "
                            "1.%d",
                            version, bg_upgrade_istio_table[0].minor,
                            bg_upgrade_istio_table[bg_upgrade_istio_count - 1].minor);
    *attribute = NULL;
    return 0;
}

static bool supports(const struct search *s, int k, int i)
{
    const struct bg_upgrade_istio *row;

    if (!s->istio)
        return true;
    row = bg_upgrade_istio_find(i);
    return row != NULL && k >= row->k8s_min && k <= row->k8s_max;
}

/* Names the Istio minors that support Kubernetes 1.k, so the error says what would work. */
static void istio_for_k8s(char *buf, size_t n, int k)
{
    int lo = 0, hi = 0;

    for (size_t j = 0; j < bg_upgrade_istio_count; j++) {
        const struct bg_upgrade_istio *r = &bg_upgrade_istio_table[j];

        if (k >= r->k8s_min && k <= r->k8s_max) {
            lo = lo == 0 ? r->minor : lo;
            hi = r->minor;
        }
    }
    if (lo == 0)
        snprintf(buf, n, "no Istio release in the tables supports it");
    else
        snprintf(buf, n, "Kubernetes 1.%d needs Istio 1.%d to 1.%d", k, lo, hi);
}

static int check_pair(const struct search *s, int k, int i, const char *attr,
                      const char **attribute, struct bg_error *err)
{
    const struct bg_upgrade_istio *row = bg_upgrade_istio_find(i);
    char hint[96];

    if (supports(s, k, i))
        return 0;
    *attribute = attr;
    istio_for_k8s(hint, sizeof(hint), k);
    return bg_error_set(err, BG_EINVAL,
                        "Istio 1.%d supports Kubernetes 1.%d to 1.%d, not 1.%d "
                        "(%s)",
                        i, row->k8s_min, row->k8s_max, k, hint);
}

static int parse_method(struct search *s, const char *method, const char **attribute,
                        struct bg_error *err)
{
    if (method == NULL || strcmp(method, "canary") == 0) {
        s->canary = true;
        return 0;
    }
    if (strcmp(method, "in_place") == 0) {
        s->canary = false;
        return 0;
    }
    *attribute = "istio_method";
    return bg_error_set(err, BG_EINVAL,
                        "istio_method must be \"canary\" or \"in_place\", not "
                        "\"%s\"",
                        method);
}

static int parse_kubernetes_pair(struct search *s, const struct bg_upgrade_opts *o,
                                 const char **attribute, struct bg_error *err)
{
    if (parse_k8s(&s->kf, o->kubernetes_from, "kubernetes_from", attribute, err) != 0 ||
        parse_k8s(&s->kt, o->kubernetes_to, "kubernetes_to", attribute, err) != 0)
        return BG_EINVAL;
    if (s->kt < s->kf) {
        *attribute = "kubernetes_to";
        return bg_error_set(err, BG_EINVAL,
                            "kubernetes_to %s is below kubernetes_from %s: "
                            "EKS cannot downgrade",
                            o->kubernetes_to, o->kubernetes_from);
    }
    return 0;
}

static int parse_istio_pair(struct search *s, const struct bg_upgrade_opts *o,
                            const char **attribute, struct bg_error *err)
{
    if ((o->istio_from == NULL) != (o->istio_to == NULL)) {
        *attribute = o->istio_from == NULL ? "istio_from" : "istio_to";
        return bg_error_set(err, BG_EINVAL, "istio_from and istio_to must be set together");
    }
    if (parse_method(s, o->istio_method, attribute, err) != 0)
        return BG_EINVAL;
    s->istio = o->istio_from != NULL;
    if (!s->istio)
        return 0;
    if (parse_istio(&s->if_, o->istio_from, "istio_from", attribute, err) != 0 ||
        parse_istio(&s->it, o->istio_to, "istio_to", attribute, err) != 0)
        return BG_EINVAL;
    if (s->it < s->if_) {
        *attribute = "istio_to";
        return bg_error_set(err, BG_EINVAL, "istio_to %s is below istio_from %s", o->istio_to,
                            o->istio_from);
    }
    if (check_pair(s, s->kf, s->if_, "istio_from", attribute, err) != 0 ||
        check_pair(s, s->kt, s->it, "istio_to", attribute, err) != 0)
        return BG_EINVAL;
    return 0;
}

static int *dist_at(const struct search *s, int k, int i)
{
    size_t width = (size_t)(s->it - s->if_ + 1);

    return &s->dist[(size_t)(k - s->kf) * width + (size_t)(i - s->if_)];
}

/* Next states in preference order; returns how many. */
static size_t moves(struct move out[3], const struct search *s, int k, int i)
{
    size_t n = 0;

    /* Canary skips one minor from 1.8 on (the 1.8 -> 1.10 direct upgrade); in place never. */
    if (s->istio && s->canary && i >= 8 && i + 2 <= s->it && supports(s, k, i + 2))
        out[n++] = (struct move){k, i + 2};
    if (s->istio && i + 1 <= s->it && supports(s, k, i + 1))
        out[n++] = (struct move){k, i + 1};
    if (k + 1 <= s->kt && supports(s, k + 1, i))
        out[n++] = (struct move){k + 1, i};
    return n;
}

static void compute_distances(struct search *s, struct bg_arena *a)
{
    size_t cells = (size_t)(s->kt - s->kf + 1) * (size_t)(s->it - s->if_ + 1);

    s->dist = bg_arena_calloc(a, cells, sizeof(*s->dist));
    /* Every move increases k or i, so visiting both downwards sees successors first. */
    for (int k = s->kt; k >= s->kf; k--) {
        for (int i = s->it; i >= s->if_; i--) {
            struct move m[3];
            size_t n = moves(m, s, k, i);
            int best = -1;

            for (size_t j = 0; j < n; j++) {
                int d = *dist_at(s, m[j].k, m[j].i);

                if (d >= 0 && (best < 0 || d + 1 < best))
                    best = d + 1;
            }
            *dist_at(s, k, i) = (k == s->kt && i == s->it) ? 0 : best;
        }
    }
}

static void add_step(struct bg_upgrade_path *p, struct bg_arena *a, const char *component, int from,
                     int to)
{
    struct bg_upgrade_step *st = &p->steps[p->step_count++];

    st->component = component;
    st->from = bg_arena_printf(a, "1.%d", from);
    st->to = bg_arena_printf(a, "1.%d", to);
}

static void walk(struct bg_upgrade_path *p, struct bg_arena *a, const struct search *s)
{
    int k = s->kf, i = s->if_;
    int left = *dist_at(s, k, i);

    p->steps = bg_arena_calloc(a, (size_t)left, sizeof(*p->steps));
    while (left > 0) {
        struct move m[3];
        size_t n = moves(m, s, k, i), j;

        for (j = 0; j < n; j++) {
            if (*dist_at(s, m[j].k, m[j].i) == left - 1)
                break;
        }
        if (m[j].k != k)
            add_step(p, a, "kubernetes", k, m[j].k);
        else
            add_step(p, a, "istio", i, m[j].i);
        k = m[j].k;
        i = m[j].i;
        left--;
    }
}

static int parse_counts(const struct bg_upgrade_opts *o, long *as_of, const char **attribute,
                        struct bg_error *err)
{
    if (o->clusters < 1) {
        *attribute = "clusters";
        return bg_error_set(err, BG_EINVAL, "clusters must be at least 1, not %ld", o->clusters);
    }
    if (o->max_in_place_steps < 0) {
        *attribute = "max_in_place_steps";
        return bg_error_set(err, BG_EINVAL, "max_in_place_steps must not be negative");
    }
    *as_of = bg_upgrade_today();
    if (o->as_of != NULL && bg_upgrade_date_parse(as_of, o->as_of, err) != 0) {
        *attribute = "as_of";
        return BG_EINVAL;
    }
    return 0;
}

static void fill_support(struct bg_upgrade_path *p, struct bg_arena *a, const struct search *s,
                         long as_of)
{
    p->support_count = (size_t)(s->kt - s->kf + 1);
    p->support = bg_arena_calloc(a, p->support_count, sizeof(*p->support));
    for (int k = s->kf; k <= s->kt; k++)
        bg_upgrade_support_fill(&p->support[k - s->kf], a, bg_upgrade_eks_find(k), as_of);
    p->target_out_of_standard_support = p->support[p->support_count - 1].standard_days < 0;
}

int bg_upgrade_path_find(struct bg_upgrade_path **out, struct bg_arena *a,
                         const struct bg_upgrade_opts *opts, const char **attribute,
                         struct bg_error *err)
{
    struct search s = {0};
    struct bg_upgrade_path *p;
    long as_of;

    *out = NULL;
    *attribute = NULL;
    if (parse_kubernetes_pair(&s, opts, attribute, err) != 0 ||
        parse_istio_pair(&s, opts, attribute, err) != 0 ||
        parse_counts(opts, &as_of, attribute, err) != 0)
        return BG_EINVAL;
    compute_distances(&s, a);
    if (*dist_at(&s, s.kf, s.if_) < 0)
        return bg_error_set(err, BG_ENOTFOUND,
                            "no sequence of supported Kubernetes/Istio pairs "
                            "leads from 1.%d/1.%d to 1.%d/1.%d",
                            s.kf, s.if_, s.kt, s.it);
    p = bg_arena_alloc(a, sizeof(*p));
    walk(p, a, &s);
    fill_support(p, a, &s, as_of);
    bg_upgrade_plan_finish(p, a, opts);
    *out = p;
    return 0;
}
