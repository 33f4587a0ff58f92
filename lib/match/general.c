/*
 * general.c - GENERAL indicators (any STIX pattern) over log records, with
 * the pattern evaluator of lib/pattern: single-observation patterns decided
 * line by line, the others over their candidate observations (those
 * matching one of the pattern's [ ... ] parts), in completion order.
 *
 * A record becomes an observation through its observed-data (observed.c):
 * the same objects a sighting refers to are the ones the pattern was
 * evaluated on, so an analyst can check the verdict against the bundle.
 *
 * Several observations, in a stream that may never end (live ingest) as in
 * a file read whole (`alidade match`): a match is reported when the
 * candidate that completes it arrives. ald_general_step finds the shortest
 * prefix of an indicator's candidates that matches (the evaluator is
 * monotone: more observations never undo a match, as STIX has no negation
 * between observations), reports the binding the reference finds in that
 * prefix, and consumes the prefix: every candidate up to the completing one
 * is dropped, so each observation takes part in one match at most and the
 * next match needs the candidates after it. Because the shortest matching
 * prefix does not depend on what comes after it, stepping after every
 * record, after every block or once at the end gives the same matches: the
 * live node and `alidade match` over the same log agree.
 *
 * Bounded: at most max_obs candidates per indicator (the oldest go when a
 * new one comes: a sliding window, counted as truncation), and for a
 * pattern whose whole is qualified WITHIN n SECONDS the candidates older
 * than n seconds before the newest one go too (no later binding can hold
 * them unless records arrive more than n seconds out of order).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "alidade/match_general.h"
#include "alidade/pattern.h"
#include "alidade/pattern_match.h"
#include "alidade/stix.h"

#define DEFAULT_MAX_OBS 100000

/* One observation built from one record, kept while a candidate of some
 * multi-observation indicator (refs counts them). */
struct obs {
    ald_pobs p;
    json_t **objs;
    char **keys;
    char *od_id, *json, *source;
    char *text;                     /* the raw line */
    size_t len;
    int64_t offset;
    uint64_t line;
    size_t refs;
};

struct single {
    size_t ind;
    ald_pmatch *m;
};

struct multi {
    size_t ind;
    ald_pmatch *m;                  /* the whole pattern */
    ald_pattern **leaf_pat;         /* each [ ... ] part on its own */
    ald_pmatch **leaf;
    size_t nleaf;
    struct obs **cand;              /* in input order */
    size_t ncand, capcand;
    size_t checked;                 /* the first `checked` candidates do not match */
    int64_t within_us;              /* the whole pattern WITHIN this; 0: not so */
    int64_t newest_us;              /* newest candidate time */
    size_t dropped;                 /* candidates dropped by max_obs */
};

struct ald_general {
    const ald_iset *set;
    char *identity, *now;
    size_t max_obs;
    struct single *singles;
    size_t nsingle;
    struct multi *multis;
    size_t nmulti;
    size_t pos;                     /* records made observations so far */
};

static void obs_free(struct obs *o)
{
    if (!o)
        return;
    for (size_t i = 0; i < o->p.nobjs; i++) {
        json_decref(o->objs[i]);
        free(o->keys[i]);
    }
    free(o->objs);
    free(o->keys);
    free(o->od_id);
    free(o->json);
    free(o->source);
    free(o->text);
    free(o);
}

static void obs_put(struct obs *o)
{
    if (o && --o->refs == 0)
        obs_free(o);
}

/* The observed-data of a record as an evaluator observation, or NULL with
 * *e = ALD_E_NOT_FOUND (nothing observable) or another error. */
static struct obs *obs_build(const ald_general *g, const ald_logrec *rec, const char *source,
                             uint64_t line, const char *text, size_t len, ald_err *e)
{
    struct ald_observed_opts oo = {.identity_id = g->identity, .source_name = source,
                                   .line_no = line, .now = g->now};
    char *json = NULL;
    *e = ald_logrec_observed_data_ex(rec, &oo, &json);
    if (*e != ALD_E_OK)
        return NULL;
    struct obs *o = calloc(1, sizeof *o);
    size_t nlines = 0;
    for (const char *p = json; *p; p++)
        nlines += *p == '\n';
    if (!o || nlines == 0 || !(o->objs = calloc(nlines, sizeof *o->objs)) ||
        !(o->keys = calloc(nlines, sizeof *o->keys)) || !(o->text = malloc(len + 1))) {
        free(json);
        obs_free(o);
        *e = ALD_E_NOMEM;
        return NULL;
    }
    if (len)
        memcpy(o->text, text, len);
    o->text[len] = '\0';
    o->len = len;
    o->json = json;
    o->line = line;
    o->source = strdup(source ? source : "");
    const char *p = json;
    int first = 1;
    while (*p) {
        const char *nl = strchr(p, '\n');
        json_error_t je;
        json_t *v = json_loadb(p, (size_t)(nl - p), 0, &je);
        p = nl + 1;
        if (!v)
            continue;   /* observed.c writes JSON; cannot happen */
        const char *id = json_string_value(json_object_get(v, "id"));
        if (first) {
            first = 0;
            o->od_id = strdup(id ? id : "");
            const char *t = json_string_value(json_object_get(v, "first_observed"));
            int64_t us = 0;
            if (t)
                ald_pts_parse(t, strlen(t), &us);
            o->p.first_us = o->p.last_us = us;
            json_decref(v);
            continue;
        }
        o->objs[o->p.nobjs] = v;
        o->keys[o->p.nobjs] = strdup(id ? id : "");
        o->p.nobjs++;
    }
    o->p.id = o->od_id;
    o->p.number_observed = 1;
    o->p.v21 = 1;
    o->p.objs = o->objs;
    o->p.keys = (const char *const *)o->keys;
    if (!o->od_id || !o->source) {
        obs_free(o);
        *e = ALD_E_NOMEM;
        return NULL;
    }
    return o;
}

/* Every OBS node under e, in the pattern's order. */
static size_t collect_leaves(const ald_poexpr *e, const ald_poexpr **out, size_t cap, size_t n)
{
    if (!e)
        return n;
    if (e->kind == ALD_POE_OBS) {
        if (n < cap)
            out[n] = e;
        return n + 1;
    }
    n = collect_leaves(e->l, out, cap, n);
    return collect_leaves(e->r, out, cap, n);
}

static int add_multi(ald_general *g, size_t ind, const ald_pattern *ast, ald_pmatch *m,
                     void (*warn)(void *, const char *, const char *), void *ctx)
{
    const ald_poexpr *leaves[64];
    size_t n = collect_leaves(ald_pattern_root(ast), leaves, 64, 0);
    const struct ald_indicator *in = ald_iset_get(g->set, ind);
    if (n > 64) {
        if (warn)
            warn(ctx, in->id, "more than 64 observation expressions: not evaluated");
        ald_pmatch_free(m);
        return 0;
    }
    struct multi mu = {.ind = ind, .m = m, .nleaf = n};
    const ald_poexpr *root = ald_pattern_root(ast);
    if (root && root->kind == ALD_POE_WITHIN && root->within_s > 0)
        mu.within_us = (int64_t)(root->within_s * 1e6) + 1;
    mu.leaf_pat = calloc(n, sizeof *mu.leaf_pat);
    mu.leaf = calloc(n, sizeof *mu.leaf);
    if (!mu.leaf_pat || !mu.leaf)
        goto oom;
    for (size_t i = 0; i < n; i++) {
        char text[8192];
        size_t len = ald_pattern_format_obs(leaves[i], text, sizeof text);
        struct ald_errpos e = {0};
        if (len == 0 || len >= sizeof text ||
            ald_pattern_parse(text, len, &mu.leaf_pat[i], &e) != ALD_E_OK ||
            ald_pmatch_new(mu.leaf_pat[i], &mu.leaf[i], &e) != ALD_E_OK) {
            /* the whole pattern compiled, so its parts do: say so if not */
            if (warn)
                warn(ctx, in->id, "an observation expression cannot be evaluated alone");
            for (size_t j = 0; j <= i; j++) {
                ald_pmatch_free(mu.leaf[j]);
                ald_pattern_free(mu.leaf_pat[j]);
            }
            free(mu.leaf);
            free(mu.leaf_pat);
            ald_pmatch_free(m);
            return 0;
        }
    }
    struct multi *nm = realloc(g->multis, (g->nmulti + 1) * sizeof *nm);
    if (!nm)
        goto oom;
    g->multis = nm;
    g->multis[g->nmulti++] = mu;
    return 0;
oom:
    free(mu.leaf);
    free(mu.leaf_pat);
    ald_pmatch_free(m);
    return -1;
}

ald_general *ald_general_new(const ald_iset *s, const struct ald_general_opts *o,
                             void (*warn)(void *ctx, const char *id, const char *why),
                             void *ctx)
{
    ald_general *g = calloc(1, sizeof *g);
    if (!g)
        return NULL;
    g->set = s;
    g->identity = o->identity_id ? strdup(o->identity_id) : NULL;
    g->now = o->now ? strdup(o->now) : NULL;
    g->max_obs = o->max_obs ? o->max_obs : DEFAULT_MAX_OBS;
    if ((o->identity_id && !g->identity) || (o->now && !g->now))
        goto oom;
    size_t n;
    const size_t *idx = ald_iset_general(s, &n);
    g->singles = calloc(n ? n : 1, sizeof *g->singles);
    if (!g->singles)
        goto oom;
    for (size_t i = 0; i < n; i++) {
        const struct ald_indicator *in = ald_iset_get(s, idx[i]);
        if (!in || !in->ast)
            continue;
        ald_pmatch *m = NULL;
        struct ald_errpos e = {0};
        if (ald_pmatch_new(in->ast, &m, &e) != ALD_E_OK) {
            if (e.code == ALD_E_NOMEM)
                goto oom;
            if (warn)
                warn(ctx, in->id, e.msg[0] ? e.msg : "cannot be evaluated");
            continue;
        }
        if (ald_pmatch_is_single(m)) {
            g->singles[g->nsingle].ind = idx[i];
            g->singles[g->nsingle].m = m;
            g->nsingle++;
        } else if (add_multi(g, idx[i], in->ast, m, warn, ctx) != 0) {
            goto oom;
        }
    }
    return g;
oom:
    ald_general_free(g);
    return NULL;
}

void ald_general_free(ald_general *g)
{
    if (!g)
        return;
    for (size_t i = 0; i < g->nsingle; i++)
        ald_pmatch_free(g->singles[i].m);
    for (size_t i = 0; i < g->nmulti; i++) {
        struct multi *mu = &g->multis[i];
        ald_pmatch_free(mu->m);
        for (size_t j = 0; j < mu->nleaf; j++) {
            ald_pmatch_free(mu->leaf[j]);
            ald_pattern_free(mu->leaf_pat[j]);
        }
        free(mu->leaf);
        free(mu->leaf_pat);
        for (size_t k = 0; k < mu->ncand; k++)
            obs_put(mu->cand[k]);
        free(mu->cand);
    }
    free(g->singles);
    free(g->multis);
    free(g->identity);
    free(g->now);
    free(g);
}

void ald_general_counts(const ald_general *g, size_t *single, size_t *multi)
{
    *single = g->nsingle;
    *multi = g->nmulti;
}

static int report(const ald_general *g, size_t ind, struct obs *const *os, size_t n,
                  ald_general_cb cb, void *ctx)
{
    const char *ids[64], *json[64], *src[64], *text[64];
    size_t lens[64];
    int64_t t[64], offs[64];
    uint64_t lines[64];
    if (n > 64)
        n = 64;     /* REPEATS n can bind more: a sighting keeps at most 50 refs anyway */
    for (size_t i = 0; i < n; i++) {
        ids[i] = os[i]->od_id;
        json[i] = os[i]->json;
        src[i] = os[i]->source;
        t[i] = os[i]->p.first_us;
        lines[i] = os[i]->line;
        text[i] = os[i]->text;
        lens[i] = os[i]->len;
        offs[i] = os[i]->offset;
    }
    ald_general_hit h = {.indicator = ind, .id = ald_iset_get(g->set, ind)->id, .nobs = n,
                         .od_ids = ids, .times_us = t, .od_json = json, .sources = src,
                         .lines = lines, .texts = text, .lens = lens, .offsets = offs};
    return cb(ctx, &h);
}

/* Drops the first n candidates of mu. */
static void consume(struct multi *mu, size_t n)
{
    if (n > mu->ncand)
        n = mu->ncand;
    if (n == 0)
        return;                     /* (cand may still be NULL) */
    for (size_t k = 0; k < n; k++)
        obs_put(mu->cand[k]);
    memmove(mu->cand, mu->cand + n, (mu->ncand - n) * sizeof *mu->cand);
    mu->ncand -= n;
    mu->checked = mu->checked > n ? mu->checked - n : 0;
}

static ald_err step_one(ald_general *g, struct multi *mu, ald_general_cb cb, void *ctx);

/* Candidates at the front older than the window before `newest`. */
static size_t too_old(const struct multi *mu, int64_t newest)
{
    size_t k = 0;
    while (k < mu->ncand && mu->cand[k]->p.first_us < newest - mu->within_us)
        k++;
    return k;
}

/* Makes o a candidate of mu. Before anything is dropped (window, max_obs)
 * the matches the candidates already complete are taken (step_one): what is
 * dropped then is the same whenever the caller steps, so the matches stay
 * independent of it. */
static ald_err add_candidate(ald_general *g, struct multi *mu, struct obs *o,
                             ald_general_cb cb, void *ctx)
{
    ald_err rc = ALD_E_OK;
    if (mu->within_us && o->p.first_us > mu->newest_us) {
        /* nothing older than the window before the newest can bind with
         * what comes (records in time order) */
        mu->newest_us = o->p.first_us;
        if (too_old(mu, mu->newest_us) && (rc = step_one(g, mu, cb, ctx)) != ALD_E_OK)
            return rc;
        consume(mu, too_old(mu, mu->newest_us));
    }
    if (mu->ncand >= g->max_obs) {
        if ((rc = step_one(g, mu, cb, ctx)) != ALD_E_OK)
            return rc;
        if (mu->ncand >= g->max_obs) {
            mu->dropped++;
            consume(mu, 1);         /* a sliding window: the oldest goes */
        }
    }
    if (mu->ncand == mu->capcand) {
        size_t nc = mu->capcand ? mu->capcand * 2 : 64;
        struct obs **ncd = realloc(mu->cand, nc * sizeof *ncd);
        if (!ncd)
            return ALD_E_NOMEM;
        mu->cand = ncd;
        mu->capcand = nc;
    }
    mu->cand[mu->ncand++] = o;
    o->refs++;
    return ALD_E_OK;
}

ald_err ald_general_record(ald_general *g, const ald_logrec *rec, const char *source,
                           uint64_t line, const char *text, size_t len, int64_t offset,
                           ald_general_cb cb, void *ctx)
{
    if (g->nsingle == 0 && g->nmulti == 0)
        return ALD_E_OK;
    ald_err e;
    struct obs *o = obs_build(g, rec, source, line, text, len, &e);
    if (!o)
        return e == ALD_E_NOMEM ? e : ALD_E_OK;
    o->p.pos = ++g->pos;
    o->offset = offset;
    o->refs = 1;                    /* ours, while here */
    ald_err rc = ALD_E_OK;
    for (size_t i = 0; i < g->nsingle && rc == ALD_E_OK; i++) {
        int matched = 0;
        struct ald_errpos pe = {0};
        /* a data error (a value the pattern cannot compare) is no match */
        if (ald_pmatch_one(g->singles[i].m, &o->p, &matched, &pe) == ALD_E_OK && matched &&
            report(g, g->singles[i].ind, &o, 1, cb, ctx) != 0)
            rc = ALD_E_ARG;
    }
    for (size_t i = 0; i < g->nmulti && rc == ALD_E_OK; i++) {
        struct multi *mu = &g->multis[i];
        int any = 0;
        for (size_t j = 0; j < mu->nleaf && !any; j++) {
            struct ald_errpos pe = {0};
            if (ald_pmatch_one(mu->leaf[j], &o->p, &any, &pe) != ALD_E_OK)
                any = 0;
        }
        if (any)
            rc = add_candidate(g, mu, o, cb, ctx);
    }
    obs_put(o);
    return rc;
}

/* Whether the first n candidates of mu match; the binding in *res. */
static ald_err run_prefix(struct multi *mu, ald_pobs *v, size_t n, ald_pmatch_result *res)
{
    for (size_t k = 0; k < n; k++) {
        v[k] = mu->cand[k]->p;
        v[k].pos = k + 1;
    }
    ald_pmatch_result_clear(res);
    memset(res, 0, sizeof *res);
    struct ald_errpos pe = {0};
    ald_err e = ald_pmatch_run(mu->m, v, n, res, &pe);
    if (e == ALD_E_NOMEM)
        return e;
    if (e != ALD_E_OK)
        res->matched = 0;           /* a data error is no match */
    return ALD_E_OK;
}

/* Every match of one indicator its candidates now complete, in order. The
 * shortest matching prefix is found by galloping from the part known not
 * to match (prefixes of 1, 2, 4... more candidates), then bisecting: a
 * match costs evaluations over about as many candidates as it took, not
 * over all those held. */
static ald_err step_one(ald_general *g, struct multi *mu, ald_general_cb cb, void *ctx)
{
    ald_err rc = ALD_E_OK;
    ald_pobs *v = NULL;
    if (mu->ncand > mu->checked && !(v = malloc(mu->ncand * sizeof *v)))
        return ALD_E_NOMEM;
    while (rc == ALD_E_OK && mu->ncand > mu->checked) {
        ald_pmatch_result res = {0};
        size_t lo = mu->checked, hi = 0, stride = 1;
        for (;;) {                  /* lo: a prefix that does not match */
            size_t probe = mu->ncand - lo > stride ? lo + stride : mu->ncand;
            if ((rc = run_prefix(mu, v, probe, &res)) != ALD_E_OK)
                break;
            if (res.matched) {
                hi = probe;
                break;
            }
            lo = probe;
            if (probe == mu->ncand)
                break;
            stride *= 2;
        }
        if (rc != ALD_E_OK || !hi) {
            if (rc == ALD_E_OK)
                mu->checked = mu->ncand;
            ald_pmatch_result_clear(&res);
            break;
        }
        while (rc == ALD_E_OK && hi - lo > 1) {
            size_t mid = lo + (hi - lo) / 2;
            rc = run_prefix(mu, v, mid, &res);
            if (res.matched)
                hi = mid;
            else
                lo = mid;
        }
        if (rc == ALD_E_OK)
            rc = run_prefix(mu, v, hi, &res);
        if (rc == ALD_E_OK && res.matched) {
            size_t idx[64];
            size_t n = ald_pmatch_reference_sdos(&res, idx, 64);
            struct obs *os[64];
            for (size_t k = 0; k < n && k < 64; k++)
                os[k] = mu->cand[idx[k]];
            if (report(g, mu->ind, os, n < 64 ? n : 64, cb, ctx) != 0)
                rc = ALD_E_ARG;
        }
        ald_pmatch_result_clear(&res);
        consume(mu, hi);            /* each observation in one match at most */
        mu->checked = 0;
    }
    free(v);
    return rc;
}

ald_err ald_general_step(ald_general *g, ald_general_cb cb, void *ctx)
{
    ald_err rc = ALD_E_OK;
    for (size_t i = 0; i < g->nmulti && rc == ALD_E_OK; i++)
        rc = step_one(g, &g->multis[i], cb, ctx);
    return rc;
}

ald_err ald_general_finish(ald_general *g, ald_general_cb cb, void *ctx, size_t *truncated)
{
    ald_err rc = ald_general_step(g, cb, ctx);
    size_t trunc = 0;
    for (size_t i = 0; i < g->nmulti; i++)
        trunc += g->multis[i].dropped > 0;
    if (truncated)
        *truncated = trunc;
    return rc;
}

size_t ald_general_pending(const ald_general *g)
{
    size_t n = 0;
    for (size_t i = 0; i < g->nmulti; i++)
        n += g->multis[i].ncand;
    return n;
}

void ald_general_adopt(ald_general *to, ald_general *from)
{
    if (!to || !from)
        return;
    for (size_t i = 0; i < to->nmulti; i++) {
        struct multi *t = &to->multis[i];
        const struct ald_indicator *ti = ald_iset_get(to->set, t->ind);
        for (size_t j = 0; j < from->nmulti; j++) {
            struct multi *f = &from->multis[j];
            const struct ald_indicator *fi = ald_iset_get(from->set, f->ind);
            if (!ti || !fi || !ti->pattern || !fi->pattern || strcmp(ti->id, fi->id) != 0 ||
                strcmp(ti->pattern, fi->pattern) != 0 || f->ncand == 0)
                continue;
            /* the same indicator and pattern: its candidates and where the
             * search stands move over as they are */
            struct obs **c = t->cand;
            size_t nc = t->ncand, cc = t->capcand;
            t->cand = f->cand;
            t->ncand = f->ncand;
            t->capcand = f->capcand;
            t->checked = f->checked;
            t->newest_us = f->newest_us;
            t->dropped = f->dropped;
            f->cand = c;
            f->ncand = nc;
            f->capcand = cc;
            f->checked = 0;
            break;
        }
    }
    if (from->pos > to->pos)
        to->pos = from->pos;
}
