/*
 * bind.c - observation expressions: the bindings of a compiled pattern
 * over many observations, produced lazily in exactly the order of the
 * reference matcher's generators (stix2matcher 3.0), so that the first
 * binding, which decides the match and is what the reference reports, is
 * the same. AND and FOLLOWEDBY interleave their two sides, OR alternates,
 * REPEATS k takes pairwise-disjoint k-combinations as each new binding
 * arrives (with the reference's pruning bound), WITHIN and START/STOP
 * filter. An observed-data with number_observed = n gives n instances,
 * each bound at most once per binding. docs/pattern-eval.md.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "evalpriv.h"

/* Bound on the search over bindings (combinations for REPEATS grow as
 * n choose k): past it the evaluation stops with ALD_E_PATTERN_EVAL rather
 * than run for hours as the reference would. */
#define STEP_BUDGET UINT64_C(300000000)

/* ---- bindings ---------------------------------------------------------------------- */

typedef struct {
    int64_t obs;        /* -1: nothing bound here (the other side of an OR) */
    int64_t inst;
} pinst;

struct run {
    ald_pmatch *m;
    const ald_pobs *obs;
    size_t nobs;
    struct arena ar;
    uint64_t steps;
    struct ald_errpos *err;
};

struct vecb {
    pinst **v;
    size_t n, cap;
};

struct it {
    const struct onode *n;
    size_t w;
    struct it *a, *b;
    /* OBS */
    size_t *ord, nord, i;
    int64_t j;
    /* OR, AND, FOLLOWEDBY */
    pinst *lb, *rb;
    int have_l, have_r, started, phase;
    struct vecb lc, rc;
    size_t k;
    /* REPEATS */
    struct vecb gen;
    pinst *cur;
    int have_cur;
    struct cframe *fr;      /* one per level, repeats - 1 of them */
};

static int vecb_push(struct run *r, struct vecb *v, const pinst *b, size_t w)
{
    if (v->n == v->cap) {
        size_t c = v->cap ? v->cap * 2 : 16;
        pinst **q = realloc(v->v, c * sizeof *q);
        if (!q)
            return -2;
        v->v = q;
        v->cap = c;
    }
    pinst *copy = pm_alloc(&r->ar, w * sizeof *copy);
    if (!copy)
        return -2;
    memcpy(copy, b, w * sizeof *copy);
    v->v[v->n++] = copy;
    return 0;
}

static int disjoint(const pinst *a, size_t aw, const pinst *b, size_t bw)
{
    for (size_t i = 0; i < aw; i++) {
        if (a[i].obs < 0)
            continue;
        for (size_t j = 0; j < bw; j++)
            if (b[j].obs == a[i].obs && b[j].inst == a[i].inst)
                return 0;
    }
    return 1;
}

static int64_t latest_first(const struct run *r, const pinst *b, size_t w)
{
    int64_t t = INT64_MIN;
    for (size_t i = 0; i < w; i++)
        if (b[i].obs >= 0 && r->obs[b[i].obs].first_us > t)
            t = r->obs[b[i].obs].first_us;
    return t;
}

static int64_t earliest_last(const struct run *r, const pinst *b, size_t w)
{
    int64_t t = INT64_MAX;
    for (size_t i = 0; i < w; i++)
        if (b[i].obs >= 0 && r->obs[b[i].obs].last_us < t)
            t = r->obs[b[i].obs].last_us;
    return t;
}

/* The reference asserts first_observed <= last_observed where it compares
 * windows (WITHIN, START/STOP): an observation that breaks it is an error
 * there, and only there. */
static int window_ok(const struct run *r, const pinst *b, size_t w)
{
    for (size_t i = 0; i < w; i++) {
        if (b[i].obs < 0)
            continue;
        const ald_pobs *o = &r->obs[b[i].obs];
        if (o->last_us < o->first_us) {
            pm_seterr(r->err, ALD_E_PATTERN_EVAL, 0,
                   "observed-data #%zu: last_observed is before first_observed", o->pos);
            return 0;
        }
    }
    return 1;
}

/* WITHIN: some window of the duration starting at the earliest
 * last_observed meets every observation's [first, last] (reference:
 * _timestamp_intervals_within). 1/0, -1 error. */
static int within_ok(const struct run *r, const pinst *b, size_t w, int64_t dur)
{
    if (!window_ok(r, b, w))
        return -1;
    int64_t el = earliest_last(r, b, w);
    for (size_t i = 0; i < w; i++)
        if (b[i].obs >= 0 && r->obs[b[i].obs].first_us > el + dur)
            return 0;
    return 1;
}

/* START/STOP: each window overlaps [start, stop), touching stop excluded. */
static int startstop_ok(const struct run *r, const pinst *b, size_t w, int64_t start, int64_t stop)
{
    if (!window_ok(r, b, w))
        return -1;
    for (size_t i = 0; i < w; i++) {
        if (b[i].obs < 0)
            continue;
        const ald_pobs *o = &r->obs[b[i].obs];
        if (!(o->first_us < stop && start <= o->last_us))
            return 0;
    }
    return 1;
}

static int it_next(struct run *r, struct it *it, pinst *out);

static int budget(struct run *r)
{
    if (++r->steps > STEP_BUDGET) {
        pm_seterr(r->err, ALD_E_PATTERN_EVAL, 0,
               "too many candidate bindings (more than %llu steps)",
               (unsigned long long)STEP_BUDGET);
        return -1;
    }
    return 0;
}

static int next_obs(struct run *r, struct it *it, pinst *out)
{
    while (it->i < it->nord) {
        size_t o = it->ord[it->i];
        if (it->j < r->obs[o].number_observed) {
            /* number_observed may be huge: every instance counts */
            if (it->j > 0 && budget(r))
                return -1;
            out[0] = (pinst){(int64_t)o, it->j++};
            return 1;
        }
        it->i++;
        it->j = 0;
        if (budget(r))
            return -1;
    }
    return 0;
}

static void put_none(pinst *p, size_t w)
{
    for (size_t i = 0; i < w; i++)
        p[i] = (pinst){-1, -1};
}

static int next_or(struct run *r, struct it *it, pinst *out)
{
    size_t lw = it->a->w, rw = it->b->w;
    if (!it->started) {
        it->started = 1;
        it->have_l = it_next(r, it->a, it->lb);
        if (it->have_l < 0)
            return it->have_l;
        it->have_r = it_next(r, it->b, it->rb);
        if (it->have_r < 0)
            return it->have_r;
    }
    for (;;) {
        if (!it->have_l && !it->have_r)
            return 0;
        if (it->phase == 0) {
            it->phase = 1;
            if (it->have_l) {
                memcpy(out, it->lb, lw * sizeof *out);
                put_none(out + lw, rw);
                it->have_l = it_next(r, it->a, it->lb);
                return it->have_l < 0 ? it->have_l : 1;
            }
        } else {
            it->phase = 0;
            if (it->have_r) {
                put_none(out, lw);
                memcpy(out + lw, it->rb, rw * sizeof *out);
                it->have_r = it_next(r, it->b, it->rb);
                return it->have_r < 0 ? it->have_r : 1;
            }
        }
    }
}

/* AND and FOLLOWEDBY: the reference's interleaved join. Each new right
 * binding meets the cached left ones, then each new left binding the
 * cached right ones. */
static int next_join(struct run *r, struct it *it, pinst *out)
{
    size_t lw = it->a->w, rw = it->b->w;
    int fb = it->n->kind == ALD_POE_FOLLOWEDBY;
    if (!it->started) {
        it->started = 1;
        it->have_r = it_next(r, it->b, it->rb);
        if (it->have_r < 0)
            return it->have_r;
        it->have_l = it_next(r, it->a, it->lb);
        if (it->have_l < 0)
            return it->have_l;
        if (!it->have_r || !it->have_l) {
            it->have_r = it->have_l = 0;
            return 0;
        }
        it->phase = 0;
        it->k = 0;
    }
    for (;;) {
        if (!it->have_r && !it->have_l)
            return 0;
        if (it->phase == 0) {
            if (it->have_r) {
                int64_t erl = fb ? earliest_last(r, it->rb, rw) : 0;
                while (it->k < it->lc.n) {
                    const pinst *l = it->lc.v[it->k++];
                    if (budget(r))
                        return -1;
                    if (!disjoint(l, lw, it->rb, rw))
                        continue;
                    if (fb && latest_first(r, l, lw) > erl)
                        continue;
                    memcpy(out, l, lw * sizeof *out);
                    memcpy(out + lw, it->rb, rw * sizeof *out);
                    return 1;
                }
                int rc = vecb_push(r, &it->rc, it->rb, rw);
                if (rc)
                    return rc;
                it->have_r = it_next(r, it->b, it->rb);
                if (it->have_r < 0)
                    return it->have_r;
            }
            it->phase = 1;
            it->k = 0;
        } else {
            if (it->have_l) {
                int64_t llf = fb ? latest_first(r, it->lb, lw) : 0;
                while (it->k < it->rc.n) {
                    const pinst *rr = it->rc.v[it->k++];
                    if (budget(r))
                        return -1;
                    if (!disjoint(it->lb, lw, rr, rw))
                        continue;
                    if (fb && llf > earliest_last(r, rr, rw))
                        continue;
                    memcpy(out, it->lb, lw * sizeof *out);
                    memcpy(out + lw, rr, rw * sizeof *out);
                    return 1;
                }
                int rc = vecb_push(r, &it->lc, it->lb, lw);
                if (rc)
                    return rc;
                it->have_l = it_next(r, it->a, it->lb);
                if (it->have_l < 0)
                    return it->have_l;
            }
            it->phase = 0;
            it->k = 0;
        }
    }
}

/*
 * REPEATS k (the reference's _filtered_combinations): for each new binding
 * v after the first k-1, the pairwise-disjoint (k-1)-combinations of the
 * earlier bindings that are disjoint from v, each followed by v. The
 * combinations come from a recursive generator over a list (the
 * reference's _filtered_combinations_from_list), emulated here with one
 * frame per level and the same pruning: an upper bound on how many
 * disjoint bindings a list can give ("not enough values") and the early
 * stop it allows. Same order, same first binding.
 */
struct cframe {
    size_t *L;              /* indices into it->gen */
    size_t n, capL;
    long c;                 /* combination size wanted from L */
    long i;
    int state;              /* 0 start, 1 choosing L[i], 2 inside the child */
    int yielded;
};

enum { F_YIELD = 1, F_DONE = 0, F_NEV = -3 };

static size_t tuple_size(const pinst *b, size_t w)
{
    size_t n = 0;
    for (size_t i = 0; i < w; i++)
        n += b[i].obs >= 0;
    return n;
}

struct inst_sz {
    int64_t obs, inst;
    size_t sz;
};

static int cmp_inst(const void *a, const void *b)
{
    const struct inst_sz *x = a, *y = b;
    if (x->obs != y->obs)
        return x->obs < y->obs ? -1 : 1;
    if (x->inst != y->inst)
        return x->inst < y->inst ? -1 : 1;
    return (x->sz > y->sz) - (x->sz < y->sz);
}

/* The reference's _bound_largest_combination: each instance counts in the
 * smallest binding size it occurs in; sizes below the largest round up. */
static long bound_largest(struct it *it, const size_t *L, size_t n, size_t cw, int *oom)
{
    if (!n)
        return 0;
    size_t tot = 0, maxs = 0;
    for (size_t j = 0; j < n; j++) {
        size_t t = tuple_size(it->gen.v[L[j]], cw);
        tot += t;
        if (t > maxs)
            maxs = t;
    }
    if (!maxs)
        return 0;
    struct inst_sz *a = malloc((tot ? tot : 1) * sizeof *a);
    size_t *cnt = calloc(maxs + 1, sizeof *cnt);
    if (!a || !cnt) {
        free(a);
        free(cnt);
        *oom = 1;
        return 0;
    }
    size_t k = 0;
    for (size_t j = 0; j < n; j++) {
        const pinst *b = it->gen.v[L[j]];
        size_t t = tuple_size(b, cw);
        for (size_t q = 0; q < cw; q++)
            if (b[q].obs >= 0)
                a[k++] = (struct inst_sz){b[q].obs, b[q].inst, t};
    }
    qsort(a, k, sizeof *a, cmp_inst);
    for (size_t j = 0; j < k; j++)
        if (j == 0 || a[j].obs != a[j - 1].obs || a[j].inst != a[j - 1].inst)
            cnt[a[j].sz]++;
    long comb = 0;
    for (size_t sz = 1; sz < maxs; sz++)
        comb += (long)((cnt[sz] + sz - 1) / sz);
    comb += (long)(cnt[maxs] / maxs);
    free(a);
    free(cnt);
    return comb;
}

static int frame_setlist(struct cframe *f, size_t n)
{
    if (n > f->capL || !f->L) {
        size_t c = n ? n : 1;
        size_t *q = realloc(f->L, c * sizeof *q);
        if (!q)
            return -2;
        f->L = q;
        f->capL = c;
    }
    f->n = 0;
    return 0;
}

/* Next combination of frame d: F_YIELD (the choices of frames d.. are
 * set), F_DONE, F_NEV (*missing set), or <0 (-1 error, -2 memory). */
static int frame_next(struct run *r, struct it *it, long d, long *missing)
{
    struct cframe *f = &it->fr[d];
    size_t cw = it->a->w;
    if (f->c == 1) {
        if (f->state == 0) {
            f->state = 1;
            f->i = -1;
        }
        if (++f->i < (long)f->n)
            return F_YIELD;
        return F_DONE;
    }
    for (;;) {
        if (budget(r))
            return -1;
        if (f->state == 0) {
            int oom = 0;
            long b = bound_largest(it, f->L, f->n, cw, &oom);
            if (oom)
                return -2;
            if (b < f->c) {
                *missing = f->c - b;
                return F_NEV;
            }
            f->i = 0;
            f->state = 1;
        }
        if (f->state == 1) {
            if (f->i > (long)f->n - f->c)
                return F_DONE;
            struct cframe *ch = &it->fr[d + 1];
            if (frame_setlist(ch, f->n - (size_t)f->i - 1))
                return -2;
            const pinst *li = it->gen.v[f->L[f->i]];
            for (size_t j = (size_t)f->i + 1; j < f->n; j++)
                if (disjoint(li, cw, it->gen.v[f->L[j]], cw))
                    ch->L[ch->n++] = f->L[j];
            ch->c = f->c - 1;
            ch->state = 0;
            f->yielded = 0;
            f->state = 2;
        }
        long m = 0;
        int rc = frame_next(r, it, d + 1, &m);
        if (rc < 0 && rc != F_NEV)
            return rc;
        if (rc == F_YIELD) {
            f->yielded = 1;
            return F_YIELD;
        }
        if (rc == F_NEV && !f->yielded) {
            /* Removing L[i]'s overlaps can cost at most this many values. */
            long removed = (long)(f->n - (size_t)f->i - 1) - (long)it->fr[d + 1].n;
            long size_i = (long)tuple_size(it->gen.v[f->L[f->i]], cw);
            long max_add = removed < size_i ? removed : size_i;
            long expected = m + 1 - max_add;
            if (expected > 0) {
                if (f->i == 0) {
                    *missing = expected;
                    return F_NEV;
                }
                return F_DONE;
            }
        }
        f->i++;
        f->state = 1;
    }
}

static int next_repeats(struct run *r, struct it *it, pinst *out)
{
    size_t cw = it->a->w;
    long k1 = (long)it->n->repeats - 1;
    if (!it->started) {
        it->started = 1;
        for (long i = 0; i < k1; i++) {
            int rc = it_next(r, it->a, it->cur);
            if (rc <= 0) {
                it->phase = 2;      /* fewer than k-1: nothing */
                return rc;
            }
            if ((rc = vecb_push(r, &it->gen, it->cur, cw)))
                return rc;
        }
    }
    if (it->phase == 2)
        return 0;
    for (;;) {
        if (!it->have_cur) {
            int rc = it_next(r, it->a, it->cur);
            if (rc <= 0) {
                it->phase = 2;
                return rc;
            }
            it->have_cur = 1;
            struct cframe *f0 = &it->fr[0];
            if (frame_setlist(f0, it->gen.n))
                return -2;
            for (size_t g = 0; g < it->gen.n; g++)
                if (disjoint(it->gen.v[g], cw, it->cur, cw))
                    f0->L[f0->n++] = g;
            f0->c = k1;
            f0->state = 0;
        }
        long m = 0;
        int rc = frame_next(r, it, 0, &m);
        if (rc < 0 && rc != F_NEV)
            return rc;
        if (rc == F_YIELD) {
            for (long d = 0; d < k1; d++)
                memcpy(out + (size_t)d * cw, it->gen.v[it->fr[d].L[it->fr[d].i]],
                       cw * sizeof *out);
            memcpy(out + (size_t)k1 * cw, it->cur, cw * sizeof *out);
            return 1;
        }
        /* exhausted (or "not enough values"): v joins the earlier ones */
        int e = vecb_push(r, &it->gen, it->cur, cw);
        if (e)
            return e;
        it->have_cur = 0;
    }
}

static int it_next(struct run *r, struct it *it, pinst *out)
{
    const struct onode *n = it->n;
    switch (n->kind) {
    case ALD_POE_OBS:
        return next_obs(r, it, out);
    case ALD_POE_OR:
        return next_or(r, it, out);
    case ALD_POE_AND:
    case ALD_POE_FOLLOWEDBY:
        return next_join(r, it, out);
    case ALD_POE_REPEATS:
        if (n->repeats == 1)
            return it_next(r, it->a, out);
        return next_repeats(r, it, out);
    case ALD_POE_WITHIN:
    case ALD_POE_STARTSTOP:
        if (n->kind == ALD_POE_STARTSTOP && n->start_us >= n->stop_us)
            return 0;
        for (;;) {
            int rc = it_next(r, it->a, out);
            if (rc <= 0)
                return rc;
            int ok = n->kind == ALD_POE_WITHIN ? within_ok(r, out, n->w, n->within_us)
                                               : startstop_ok(r, out, n->w, n->start_us,
                                                              n->stop_us);
            if (ok)
                return ok;      /* 1, or -1: an error */
            if (budget(r))
                return -1;
        }
    }
    return 0;
}

/* ---- the whole pattern ------------------------------------------------------------- */

/* Membership of every comparison node for every observation, then the
 * order the reference lists the observations a leaf matched in (dict
 * order: a test lists them in input order, AND keeps its left side's
 * order, OR appends the right side's new ones). */
struct leafsets {
    unsigned char *mem;     /* [node - base][nobs], the nodes of one leaf */
    size_t base;
    size_t nobs;
};

static int order_of(const struct cnode *n, const struct leafsets *ls, size_t *out)
{
    const unsigned char *mine = ls->mem + (n->idx - ls->base) * ls->nobs;
    if (n->kind == ALD_PCE_TEST) {
        size_t k = 0;
        for (size_t o = 0; o < ls->nobs; o++)
            if (mine[o])
                out[k++] = o;
        return (int)k;
    }
    int k = order_of(n->l, ls, out);
    if (n->kind == ALD_PCE_AND) {
        int w = 0;
        for (int i = 0; i < k; i++)
            if (mine[out[i]])
                out[w++] = out[i];
        return w;
    }
    const unsigned char *lm = ls->mem + (n->l->idx - ls->base) * ls->nobs;
    size_t *tmp = out + k;
    int kr = order_of(n->r, ls, tmp);
    int w = k;
    for (int i = 0; i < kr; i++)
        if (!lm[tmp[i]])
            out[w++] = tmp[i];
    return w;
}

static size_t cdepth(const struct cnode *n)
{
    if (n->kind == ALD_PCE_TEST)
        return 1;
    size_t a = cdepth(n->l), b = cdepth(n->r);
    return 1 + (a > b ? a : b);
}

static struct it *build_it(struct run *r, const struct onode *n, const size_t *const *ords,
                           const size_t *nords)
{
    struct it *it = pm_alloc(&r->ar, sizeof *it);
    if (!it)
        return NULL;
    memset(it, 0, sizeof *it);
    it->n = n;
    it->w = n->w;
    if (n->kind == ALD_POE_OBS) {
        it->ord = (size_t *)ords[n->leaf];
        it->nord = nords[n->leaf];
        return it;
    }
    if (!(it->a = build_it(r, n->l, ords, nords)))
        return NULL;
    if (n->r && !(it->b = build_it(r, n->r, ords, nords)))
        return NULL;
    it->lb = pm_alloc(&r->ar, (it->a->w + 1) * sizeof(pinst));
    it->rb = pm_alloc(&r->ar, ((it->b ? it->b->w : 0) + 1) * sizeof(pinst));
    it->cur = pm_alloc(&r->ar, (it->a->w + 1) * sizeof(pinst));
    if (n->kind == ALD_POE_REPEATS) {
        size_t nf = (size_t)(n->repeats > 0 ? n->repeats : 1);
        it->fr = pm_alloc(&r->ar, nf * sizeof *it->fr);
        if (it->fr)
            memset(it->fr, 0, nf * sizeof *it->fr);
    }
    if (!it->lb || !it->rb || !it->cur || (n->kind == ALD_POE_REPEATS && !it->fr))
        return NULL;
    return it;
}

static void free_it(struct it *it)
{
    if (!it)
        return;
    free_it(it->a);
    free_it(it->b);
    free(it->lc.v);
    free(it->rc.v);
    free(it->gen.v);
    if (it->fr)
        for (int64_t i = 0; i < it->n->repeats; i++)
            free(it->fr[i].L);
}

ald_err ald_pmatch_each(ald_pmatch *m, const ald_pobs *obs, size_t nobs, size_t max,
                        ald_pbinding_cb cb, void *ctx, size_t *count, struct ald_errpos *err)
{
    if (count)
        *count = 0;
    ald_err rc = ALD_E_NOMEM;
    struct leafsets ls = {.nobs = nobs};
    size_t **ords = calloc(m->nleaves, sizeof *ords);
    size_t *nords = calloc(m->nleaves, sizeof *nords);
    struct run r = {.m = m, .obs = obs, .nobs = nobs, .err = err};
    struct it *root = NULL;
    pinst *out = NULL;
    ald_pbound *b = NULL;
    if (!ords || !nords)
        goto done;

    /* Every test on every root of every observation, leaf by leaf. */
    for (size_t L = 0; L < m->nleaves; L++) {
        const struct cnode *c = m->leaves[L]->cmp;
        /* The leaf's nodes are numbered from c->idx up to the next leaf's
         * first node. */
        size_t lo = c->idx, hi = L + 1 < m->nleaves ? m->leaves[L + 1]->cmp->idx : m->ncn;
        free(ls.mem);
        ls.base = lo;
        ls.mem = calloc((hi - lo) * (nobs ? nobs : 1), 1);
        if (!ls.mem)
            goto done;
        for (size_t o = 0; o < nobs; o++) {
            for (size_t i = 0; i < obs[o].nobjs; i++) {
                int v = pm_eval_cnode(m, c, &obs[o], obs[o].objs[i], err);
                if (v < 0) {
                    rc = pm_errcode(v);
                    goto done;
                }
                for (size_t k = lo; k < hi; k++)
                    ls.mem[(k - lo) * nobs + o] |= m->nodeval[k];
            }
        }
        /* order_of keeps a left list while it builds the right one: one
         * list of observations per level of the tree. */
        size_t depth = cdepth(c) + 1;
        ords[L] = calloc((nobs ? nobs : 1) * depth, sizeof **ords);
        if (!ords[L])
            goto done;
        nords[L] = (size_t)order_of(c, &ls, ords[L]);
    }

    root = build_it(&r, m->root, (const size_t *const *)ords, nords);
    out = malloc((m->root->w + 1) * sizeof *out);
    b = malloc((m->root->w + 1) * sizeof *b);
    if (!root || !out || !b)
        goto done;
    rc = ALD_E_OK;
    for (size_t got = 0; max == 0 || got < max; got++) {
        int g = it_next(&r, root, out);
        if (g < 0) {
            rc = g == -2 ? ALD_E_NOMEM : ALD_E_PATTERN_EVAL;
            goto done;
        }
        if (!g)
            break;
        size_t n = 0;
        for (size_t i = 0; i < m->root->w; i++)
            if (out[i].obs >= 0)
                b[n++] = (ald_pbound){(size_t)out[i].obs, out[i].inst};
        if (count)
            (*count)++;
        if (cb && cb(ctx, b, n))
            break;
    }
done:
    if (rc == ALD_E_NOMEM)
        pm_seterr(err, ALD_E_NOMEM, 0, "out of memory");
    free_it(root);
    pm_afree(&r.ar);
    free(out);
    free(b);
    if (ords)
        for (size_t L = 0; L < m->nleaves; L++)
            free(ords[L]);
    free(ords);
    free(nords);
    free(ls.mem);
    return rc;
}

static int keep_first(void *ctx, const ald_pbound *b, size_t n)
{
    ald_pmatch_result *res = ctx;
    res->binding = malloc((n ? n : 1) * sizeof *b);
    if (!res->binding)
        return 1;
    memcpy(res->binding, b, n * sizeof *b);
    res->nbinding = n;
    res->matched = 1;
    return 1;
}

ald_err ald_pmatch_run(ald_pmatch *m, const ald_pobs *obs, size_t nobs, ald_pmatch_result *res,
                       struct ald_errpos *err)
{
    memset(res, 0, sizeof *res);
    size_t count = 0;
    ald_err rc = ald_pmatch_each(m, obs, nobs, 1, keep_first, res, &count, err);
    if (rc == ALD_E_OK && count && !res->matched) {
        pm_seterr(err, ALD_E_NOMEM, 0, "out of memory");
        return ALD_E_NOMEM;
    }
    if (rc != ALD_E_OK)
        ald_pmatch_result_clear(res);
    return rc;
}

ald_err ald_pmatch_observations(ald_pmatch *m, const ald_obsset *s, ald_pmatch_result *res,
                                struct ald_errpos *err)
{
    size_t n = ald_obsset_count(s);
    return ald_pmatch_run(m, n ? ald_obsset_get(s, 0) : NULL, n, res, err);
}

void ald_pmatch_result_clear(ald_pmatch_result *res)
{
    free(res->binding);
    memset(res, 0, sizeof *res);
}

size_t ald_pmatch_reference_sdos(const ald_pmatch_result *res, size_t *out, size_t cap)
{
    /* Distinct observations of instance-0 entries, ascending. */
    size_t n = 0;
    for (size_t i = 0; i < res->nbinding; i++) {
        if (res->binding[i].inst != 0)
            continue;
        size_t o = res->binding[i].obs;
        size_t k = 0;
        int dup = 0;
        for (; k < n && k < cap; k++)
            if (out[k] == o)
                dup = 1;
        if (dup)
            continue;
        if (n < cap)
            out[n] = o;
        n++;
    }
    /* insertion sort: bindings are short */
    size_t m = n < cap ? n : cap;
    for (size_t i = 1; i < m; i++) {
        size_t v = out[i], j = i;
        while (j > 0 && out[j - 1] > v) {
            out[j] = out[j - 1];
            j--;
        }
        out[j] = v;
    }
    return n;
}
