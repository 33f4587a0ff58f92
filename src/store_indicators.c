/*
 * store_indicators.c - every indicator a node holds as one set
 * (store_indicators.h): with one collection a single pass; with several,
 * a first pass notes for each id the collection holding its latest
 * version (ids and times only: a store may hold millions of indicators,
 * their texts are not kept), a second adds exactly those versions.
 */
#include "store_indicators.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

struct best {
    char *id;
    uint64_t hash;
    int64_t version_us;
    size_t coll;
};

struct ids {
    struct best *v;                  /* open addressing, power of two */
    size_t cap, n;
};

static uint64_t fnv1a(const char *s)
{
    uint64_t h = 1469598103934665603ULL;
    for (; *s; s++) {
        h ^= (unsigned char)*s;
        h *= 1099511628211ULL;
    }
    return h;
}

static struct best *find(struct ids *m, const char *id, uint64_t h)
{
    size_t j = h & (m->cap - 1);
    while (m->v[j].id && (m->v[j].hash != h || strcmp(m->v[j].id, id) != 0))
        j = (j + 1) & (m->cap - 1);
    return &m->v[j];
}

static bool grow(struct ids *m)
{
    struct ids n = {.cap = m->cap ? m->cap * 2 : 1024};
    n.v = calloc(n.cap, sizeof *n.v);
    if (!n.v)
        return false;
    for (size_t i = 0; i < m->cap; i++)
        if (m->v[i].id)
            *find(&n, m->v[i].id, m->v[i].hash) = m->v[i];
    n.n = m->n;
    free(m->v);
    *m = n;
    return true;
}

static void ids_free(struct ids *m)
{
    for (size_t i = 0; i < m->cap; i++)
        free(m->v[i].id);
    free(m->v);
}

struct pass {
    struct ids *m;
    size_t coll;
    const char *coll_id;
    ald_iset *set;
    store_indicators_bad_fn bad;
    void *ctx;
    struct store_indicators *out;
    bool oom;
};

/* first pass: the collection of each id's latest version */
static int note(void *ctx, const struct store_row *r)
{
    struct pass *p = ctx;
    p->out->rows++;
    if ((p->m->n + 1) * 4 > p->m->cap * 3 && !grow(p->m)) {
        p->oom = true;
        return 1;
    }
    uint64_t h = fnv1a(r->id);
    struct best *b = find(p->m, r->id, h);
    if (!b->id) {
        if (!(b->id = strdup(r->id))) {
            p->oom = true;
            return 1;
        }
        b->hash = h;
        b->version_us = r->version_us;
        b->coll = p->coll;
        p->m->n++;
        return 0;
    }
    p->out->duplicates++;
    if (r->version_us > b->version_us) {
        b->version_us = r->version_us;
        b->coll = p->coll;
    }
    return 0;
}

static int add(void *ctx, const struct store_row *r)
{
    struct pass *p = ctx;
    if (p->m) {
        struct best *b = find(p->m, r->id, fnv1a(r->id));
        if (!b->id || b->coll != p->coll || b->version_us != r->version_us)
            return 0;               /* a later version is in another collection */
    } else {
        p->out->rows++;
    }
    if (r->date_added > p->out->max_added)
        p->out->max_added = r->date_added;
    struct ald_errpos e = {0};
    if (ald_iset_add_json(p->set, r->json, r->len, &e) == ALD_E_NOMEM) {
        p->oom = true;
        return 1;
    }
    if (e.code != ALD_E_OK) {
        p->out->bad++;
        if (p->bad)
            p->bad(p->ctx, p->coll_id, p->out->added + p->out->bad - 1, &e);
    } else {
        p->out->added++;
    }
    return 0;
}

static const char *const types[] = {"indicator"};

static ald_err each(store *s, const char *coll, struct pass *p, store_row_fn fn)
{
    struct store_filter f = {.added_after = INT64_MIN, .types = types, .ntypes = 1};
    struct store_page page;
    ald_err e = store_query(s, coll, &f, NULL, NULL, fn, p, &page);
    if (p->oom)
        return ALD_E_NOMEM;
    return e;
}

ald_err store_indicators_load(store *s, const char *collection, ald_iset *set,
                              store_indicators_bad_fn bad, void *ctx,
                              struct store_indicators *out)
{
    memset(out, 0, sizeof *out);
    out->max_added = INT64_MIN;
    struct pass p = {.set = set, .bad = bad, .ctx = ctx, .out = out};
    if (collection) {
        out->collections = 1;
        p.coll_id = collection;
        return each(s, collection, &p, add);
    }
    struct store_collection *cols = NULL;
    size_t ncol = 0;
    ald_err e = store_collections(s, &cols, &ncol);
    if (e != ALD_E_OK)
        return e;
    out->collections = ncol;
    struct ids m = {0};
    if (ncol > 1) {
        if (!grow(&m)) {
            free(cols);
            return ALD_E_NOMEM;
        }
        p.m = &m;
        for (size_t i = 0; e == ALD_E_OK && i < ncol; i++) {
            p.coll = i;
            p.coll_id = cols[i].id;
            e = each(s, cols[i].id, &p, note);
        }
    }
    for (size_t i = 0; e == ALD_E_OK && i < ncol; i++) {
        p.coll = i;
        p.coll_id = cols[i].id;
        e = each(s, cols[i].id, &p, add);
    }
    ids_free(&m);
    free(cols);
    return e;
}

static int no_row(void *ctx, const struct store_row *r)
{
    (void)ctx;
    (void)r;
    return 0;
}

bool store_indicators_changed(store *s, const char *collection, int64_t after)
{
    struct store_collection *cols = NULL;
    size_t ncol = 0;
    if (!collection && store_collections(s, &cols, &ncol) != ALD_E_OK)
        return false;
    bool changed = false;
    for (size_t i = 0; !changed && i < (collection ? 1 : ncol); i++) {
        struct store_filter f = {.added_after = after, .types = types, .ntypes = 1,
                                 .limit = 1};
        struct store_page page;
        changed = store_query(s, collection ? collection : cols[i].id, &f, NULL, NULL, no_row,
                              NULL, &page) == ALD_E_OK && page.count > 0;
    }
    free(cols);
    return changed;
}
