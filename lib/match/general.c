/*
 * general.c - GENERAL indicators (any STIX pattern) over log records, with
 * the pattern evaluator of lib/pattern: single-observation patterns decided
 * line by line, the others at the end of the stream over their candidate
 * observations (those matching one of the pattern's [ ... ] parts).
 *
 * A record becomes an observation through its observed-data (observed.c):
 * the same objects a sighting refers to are the ones the pattern was
 * evaluated on, so an analyst can check the verdict against the bundle.
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

/* One observation built from one record, kept while a candidate. */
struct obs {
    ald_pobs p;
    json_t **objs;
    char **keys;
    char *od_id, *json, *source;
    uint64_t line;
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
    size_t *cand;                   /* indexes into g->obs */
    size_t ncand, capcand;
    int truncated;
};

struct ald_general {
    const ald_iset *set;
    char *identity, *now;
    size_t max_obs;
    struct single *singles;
    size_t nsingle;
    struct multi *multis;
    size_t nmulti;
    struct obs **obs;               /* candidates of any multi indicator */
    size_t nobs, capobs;
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
    free(o);
}

/* The observed-data of a record as an evaluator observation, or NULL with
 * *e = ALD_E_NOT_FOUND (nothing observable) or another error. */
static struct obs *obs_build(const ald_general *g, const ald_logrec *rec, const char *source,
                             uint64_t line, ald_err *e)
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
        !(o->keys = calloc(nlines, sizeof *o->keys))) {
        free(json);
        obs_free(o);
        *e = ALD_E_NOMEM;
        return NULL;
    }
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
        free(mu->cand);
    }
    for (size_t i = 0; i < g->nobs; i++)
        obs_free(g->obs[i]);
    free(g->obs);
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
    const char *ids[64], *json[64], *src[64];
    int64_t t[64];
    uint64_t lines[64];
    if (n > 64)
        n = 64;     /* REPEATS n can bind more: a sighting keeps at most 50 refs anyway */
    for (size_t i = 0; i < n; i++) {
        ids[i] = os[i]->od_id;
        json[i] = os[i]->json;
        src[i] = os[i]->source;
        t[i] = os[i]->p.first_us;
        lines[i] = os[i]->line;
    }
    ald_general_hit h = {.indicator = ind, .id = ald_iset_get(g->set, ind)->id, .nobs = n,
                         .od_ids = ids, .times_us = t, .od_json = json, .sources = src,
                         .lines = lines};
    return cb(ctx, &h);
}

ald_err ald_general_record(ald_general *g, const ald_logrec *rec, const char *source,
                           uint64_t line, ald_general_cb cb, void *ctx)
{
    if (g->nsingle == 0 && g->nmulti == 0)
        return ALD_E_OK;
    ald_err e;
    struct obs *o = obs_build(g, rec, source, line, &e);
    if (!o)
        return e == ALD_E_NOMEM ? e : ALD_E_OK;
    o->p.pos = g->nobs + 1;
    ald_err rc = ALD_E_OK;
    for (size_t i = 0; i < g->nsingle && rc == ALD_E_OK; i++) {
        int matched = 0;
        struct ald_errpos pe = {0};
        /* a data error (a value the pattern cannot compare) is no match */
        if (ald_pmatch_one(g->singles[i].m, &o->p, &matched, &pe) == ALD_E_OK && matched &&
            report(g, g->singles[i].ind, &o, 1, cb, ctx) != 0)
            rc = ALD_E_ARG;
    }
    int kept = 0;
    for (size_t i = 0; i < g->nmulti && rc == ALD_E_OK; i++) {
        struct multi *mu = &g->multis[i];
        int any = 0;
        for (size_t j = 0; j < mu->nleaf && !any; j++) {
            struct ald_errpos pe = {0};
            if (ald_pmatch_one(mu->leaf[j], &o->p, &any, &pe) != ALD_E_OK)
                any = 0;
        }
        if (!any)
            continue;
        if (mu->ncand >= g->max_obs) {
            mu->truncated = 1;
            continue;
        }
        if (!kept) {
            if (g->nobs == g->capobs) {
                size_t nc = g->capobs ? g->capobs * 2 : 256;
                struct obs **no = realloc(g->obs, nc * sizeof *no);
                if (!no) {
                    rc = ALD_E_NOMEM;
                    break;
                }
                g->obs = no;
                g->capobs = nc;
            }
            g->obs[g->nobs++] = o;
            kept = 1;
        }
        if (mu->ncand == mu->capcand) {
            size_t nc = mu->capcand ? mu->capcand * 2 : 64;
            size_t *ncd = realloc(mu->cand, nc * sizeof *ncd);
            if (!ncd) {
                rc = ALD_E_NOMEM;
                break;
            }
            mu->cand = ncd;
            mu->capcand = nc;
        }
        mu->cand[mu->ncand++] = g->nobs - 1;
    }
    if (!kept)
        obs_free(o);
    return rc;
}

ald_err ald_general_finish(ald_general *g, ald_general_cb cb, void *ctx, size_t *truncated)
{
    size_t trunc = 0;
    ald_err rc = ALD_E_OK;
    for (size_t i = 0; i < g->nmulti && rc == ALD_E_OK; i++) {
        struct multi *mu = &g->multis[i];
        trunc += (size_t)mu->truncated;
        if (mu->ncand == 0)
            continue;
        ald_pobs *v = malloc(mu->ncand * sizeof *v);
        if (!v)
            return ALD_E_NOMEM;
        for (size_t k = 0; k < mu->ncand; k++) {
            v[k] = g->obs[mu->cand[k]]->p;
            v[k].pos = k + 1;
        }
        ald_pmatch_result res = {0};
        struct ald_errpos pe = {0};
        ald_err e = ald_pmatch_run(mu->m, v, mu->ncand, &res, &pe);
        if (e == ALD_E_NOMEM)
            rc = e;
        if (e == ALD_E_OK && res.matched) {
            size_t idx[64];
            size_t n = ald_pmatch_reference_sdos(&res, idx, 64);
            struct obs *os[64];
            for (size_t k = 0; k < n && k < 64; k++)
                os[k] = g->obs[mu->cand[idx[k]]];
            if (report(g, mu->ind, os, n < 64 ? n : 64, cb, ctx) != 0)
                rc = ALD_E_ARG;
        }
        ald_pmatch_result_clear(&res);
        free(v);
    }
    if (truncated)
        *truncated = trunc;
    return rc;
}
