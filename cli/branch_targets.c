/* The addresses control may reach other than by falling through, gathered while the
 * text is decoded, then matched against the windows. There are a few hundred thousand
 * targets in a large Go binary and a few dozen windows, so the windows are sorted and
 * each target looked up among them, rather than the other way round. */
#include <stdlib.h>

#include "site_scan.h"

#define WINDOW_MAX 16

void branch_targets_add(struct branch_targets *b, uint64_t addr)
{
    if (b->failed)
        return;
    if (b->n == b->cap) {
        size_t cap = b->cap ? 2 * b->cap : 4096;
        uint64_t *v = realloc(b->v, cap * sizeof *v);
        if (!v) {
            b->failed = 1;
            return;
        }
        b->v = v;
        b->cap = cap;
    }
    b->v[b->n++] = addr;
}

void branch_targets_free(struct branch_targets *b)
{
    free(b->v);
    b->v = NULL;
    b->n = b->cap = 0;
}

struct window {
    uint64_t lo, hi;
    size_t site;
};

static int compare_windows(const void *a, const void *b)
{
    uint64_t x = ((const struct window *)a)->lo, y = ((const struct window *)b)->lo;
    return x < y ? -1 : x > y;
}

/* Traps the sites whose windows hold t strictly after their start. A window is at most
 * WINDOW_MAX bytes, so only windows starting in (t - WINDOW_MAX, t) can; windows may
 * overlap here (functions that overlap are decoded twice). */
static void hit(struct site_list *sites, const struct window *w, size_t nw, uint64_t t)
{
    uint64_t from = t > WINDOW_MAX ? t - WINDOW_MAX : 0;
    size_t l = 0, r = nw;
    while (l < r) { /* the first window with lo > from */
        size_t m = l + (r - l) / 2;
        if (w[m].lo <= from)
            l = m + 1;
        else
            r = m;
    }
    for (; l < nw && w[l].lo < t; l++) {
        struct patch_site *s = &sites->v[w[l].site].site;
        if (t < w[l].hi && s->kind != PATCH_SITE_TRAPPED)
            site_make_trapped(s, PATCH_REASON_BRANCH_INTO);
    }
}

void sites_check_targets(struct site_list *sites, const struct branch_targets *targets)
{
    size_t nw = 0;
    struct window *w = malloc((sites->n ? sites->n : 1) * sizeof *w);
    if (!w || targets->failed) {
        /* Nothing proven: every window stays unpatched. */
        for (size_t i = 0; i < sites->n; i++)
            if (sites->v[i].site.kind != PATCH_SITE_TRAPPED)
                site_make_trapped(&sites->v[i].site, PATCH_REASON_BRANCH_INTO);
        free(w);
        return;
    }
    for (size_t i = 0; i < sites->n; i++) {
        const struct patch_site *s = &sites->v[i].site;
        if (s->kind != PATCH_SITE_TRAPPED)
            w[nw++] = (struct window){s->vaddr, s->vaddr + s->len, i};
    }
    qsort(w, nw, sizeof *w, compare_windows);
    for (size_t i = 0; nw && i < targets->n; i++)
        hit(sites, w, nw, targets->v[i]);
    free(w);
}
