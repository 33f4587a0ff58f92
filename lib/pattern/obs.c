/*
 * obs.c - observations for the pattern evaluator: STIX JSON text in, one
 * ald_pobs per observed-data out (its time window, number_observed and its
 * cyber-observable objects).
 *
 * Input: JSON values one after the other (a document or JSON lines), each a
 * bundle, an observed-data, an SCO or an array of those. Objects are found
 * as the reference matcher finds them: an observed-data with object_refs
 * (STIX 2.1) takes the objects it names, looked up by id in its bundle (or,
 * outside a bundle, among the top-level objects of the input), and only
 * those (an unreferenced object of the same bundle is not part of the
 * observation); without object_refs, its embedded `objects` dictionary
 * (STIX 2.0), whose keys are what references name. The reference refuses
 * an observed-data without first_observed, last_observed or
 * number_observed, with a timestamp it cannot read or with
 * number_observed < 1: so do we (ALD_E_PATTERN_EVAL).
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alidade/pattern_match.h"

struct ald_obsset {
    json_t **roots;             /* every top-level value, owned */
    size_t nroots, caproots;
    ald_pobs *obs;
    size_t nobs, capobs;
};

/* An observed-data seen in phase 1, resolved in phase 2. */
struct pending {
    json_t *od;
    json_t *bundle;             /* NULL outside a bundle */
    json_t *pool;               /* outside a bundle: the top-level objects by id */
};

struct loader {
    ald_obsset *set;
    struct pending *pend;
    size_t npend, cappend;
    json_t *toppool;            /* top-level objects by id */
    struct ald_errpos *err;
};

static void seterr(struct ald_errpos *err, ald_err code, size_t off, unsigned line,
                   unsigned col, const char *fmt, ...) __attribute__((format(printf, 6, 7)));

static void seterr(struct ald_errpos *err, ald_err code, size_t off, unsigned line,
                   unsigned col, const char *fmt, ...)
{
    if (!err)
        return;
    err->code = code;
    err->offset = off;
    err->line = line;
    err->col = col;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err->msg, sizeof err->msg, fmt, ap);
    va_end(ap);
}

static int grow(void **p, size_t *cap, size_t need, size_t elem)
{
    if (need <= *cap)
        return 0;
    size_t n = *cap ? *cap * 2 : 16;
    while (n < need)
        n *= 2;
    void *q = realloc(*p, n * elem);
    if (!q)
        return -1;
    *p = q;
    *cap = n;
    return 0;
}

static const char *type_of(json_t *o)
{
    return json_is_object(o) ? json_string_value(json_object_get(o, "type")) : NULL;
}

static int add_pending(struct loader *L, json_t *od, json_t *bundle, json_t *pool)
{
    if (grow((void **)&L->pend, &L->cappend, L->npend + 1, sizeof *L->pend))
        return -1;
    L->pend[L->npend++] = (struct pending){od, bundle, pool};
    return 0;
}

/* Bundles up to this many objects resolve references by a scan; larger
 * ones get an id -> object table, built once. */
#define SCAN_MAX 32

static int take_bundle(struct loader *L, json_t *b)
{
    json_t *objs = json_object_get(b, "objects");
    if (!json_is_array(objs))
        return 0;
    size_t i;
    json_t *o;
    json_array_foreach(objs, i, o) {
        const char *t = type_of(o);
        if (t && strcmp(t, "observed-data") == 0 && add_pending(L, o, b, NULL))
            return -1;
    }
    return 0;
}

/* The object with id `rid` in bundle b (NULL: not there). */
static json_t *in_bundle(json_t *b, const char *rid, int *oom)
{
    json_t *objs = json_object_get(b, "objects");
    size_t n = json_array_size(objs);
    if (n <= SCAN_MAX) {
        for (size_t i = 0; i < n; i++) {
            json_t *o = json_array_get(objs, i);
            const char *id = json_string_value(json_object_get(o, "id"));
            if (id && strcmp(id, rid) == 0 && json_is_object(o))
                return o;
        }
        return NULL;
    }
    /* The table belongs to the bundle, under a key no STIX property uses,
     * so it is freed with it. */
    json_t *pool = json_object_get(b, "\x01pool");
    if (!pool) {
        pool = json_object();
        if (!pool || json_object_set_new(b, "\x01pool", pool)) {
            *oom = 1;
            return NULL;
        }
        for (size_t i = 0; i < n; i++) {
            json_t *o = json_array_get(objs, i);
            const char *id = json_string_value(json_object_get(o, "id"));
            if (id && json_is_object(o) && json_object_set(pool, id, o)) {
                *oom = 1;
                return NULL;
            }
        }
    }
    return json_object_get(pool, rid);
}

static int take_value(struct loader *L, json_t *v, int depth)
{
    const char *t = type_of(v);
    if (t && strcmp(t, "bundle") == 0)
        return take_bundle(L, v);
    if (t && strcmp(t, "observed-data") == 0)
        return add_pending(L, v, NULL, L->toppool);
    if (t) {
        const char *id = json_string_value(json_object_get(v, "id"));
        if (id && json_object_set(L->toppool, id, v))
            return -1;
        return 0;
    }
    if (json_is_array(v) && depth == 0) {
        size_t i;
        json_t *e;
        json_array_foreach(v, i, e) {
            if (take_value(L, e, 1))
                return -1;
        }
    }
    return 0;
}

/* Line and column (1-based) of byte `off` of text. */
static void linecol(const char *text, size_t off, unsigned *line, unsigned *col)
{
    unsigned l = 1, c = 1;
    for (size_t i = 0; i < off; i++) {
        if (text[i] == '\n') {
            l++;
            c = 1;
        } else {
            c++;
        }
    }
    *line = l;
    *col = c;
}

static ald_err build_one(struct loader *L, const struct pending *p, size_t pos)
{
    json_t *od = p->od;
    const char *odid = json_string_value(json_object_get(od, "id"));
    char where[80];
    if (odid)
        snprintf(where, sizeof where, "%.79s", odid);
    else
        snprintf(where, sizeof where, "observed-data #%zu", pos);

    json_t *jf = json_object_get(od, "first_observed");
    json_t *jl = json_object_get(od, "last_observed");
    json_t *jn = json_object_get(od, "number_observed");
    if (!jf || !jl || !jn) {
        seterr(L->err, ALD_E_PATTERN_EVAL, 0, 0, 0,
               "%s: needs first_observed, last_observed and number_observed", where);
        return ALD_E_PATTERN_EVAL;
    }
    int64_t f, l;
    const char *sf = json_string_value(jf), *sl = json_string_value(jl);
    if (!sf || ald_pts_parse(sf, strlen(sf), &f)) {
        seterr(L->err, ALD_E_PATTERN_EVAL, 0, 0, 0, "%s: first_observed is not a timestamp", where);
        return ALD_E_PATTERN_EVAL;
    }
    if (!sl || ald_pts_parse(sl, strlen(sl), &l)) {
        seterr(L->err, ALD_E_PATTERN_EVAL, 0, 0, 0, "%s: last_observed is not a timestamp", where);
        return ALD_E_PATTERN_EVAL;
    }
    if (!json_is_integer(jn) || json_integer_value(jn) < 1) {
        seterr(L->err, ALD_E_PATTERN_EVAL, 0, 0, 0,
               "%s: number_observed must be an integer >= 1", where);
        return ALD_E_PATTERN_EVAL;
    }

    json_t *refs = json_object_get(od, "object_refs");
    json_t *emb = json_object_get(od, "objects");
    size_t n = 0, cap = 0;
    json_t **objs = NULL;
    const char **keys = NULL;
    int v21 = 0;
    if (json_is_array(refs)) {
        v21 = 1;
        cap = json_array_size(refs);
        objs = calloc(cap ? cap : 1, sizeof *objs);
        keys = calloc(cap ? cap : 1, sizeof *keys);
        if (!objs || !keys)
            goto nomem;
        size_t i;
        json_t *r;
        json_array_foreach(refs, i, r) {
            const char *rid = json_string_value(r);
            int oom = 0;
            json_t *o = !rid ? NULL : p->bundle ? in_bundle(p->bundle, rid, &oom)
                                                : json_object_get(p->pool, rid);
            if (oom)
                goto nomem;
            if (!json_is_object(o))
                continue;
            objs[n] = o;
            keys[n] = json_string_value(json_object_get(o, "id"));
            n++;
        }
    } else if (json_is_object(emb)) {
        cap = json_object_size(emb);
        objs = calloc(cap ? cap : 1, sizeof *objs);
        keys = calloc(cap ? cap : 1, sizeof *keys);
        if (!objs || !keys)
            goto nomem;
        const char *k;
        json_t *o;
        json_object_foreach(emb, k, o) {
            if (!json_is_object(o))
                continue;
            objs[n] = o;
            keys[n] = k;
            n++;
        }
    }

    ald_obsset *s = L->set;
    if (grow((void **)&s->obs, &s->capobs, s->nobs + 1, sizeof *s->obs))
        goto nomem;
    s->obs[s->nobs++] = (ald_pobs){
        .id = odid,
        .container_id = p->bundle ? json_string_value(json_object_get(p->bundle, "id")) : NULL,
        .pos = pos,
        .first_us = f,
        .last_us = l,
        .number_observed = json_integer_value(jn),
        .v21 = v21,
        .nobjs = n,
        .objs = objs,
        .keys = keys,
    };
    return ALD_E_OK;
nomem:
    free(objs);
    free(keys);
    return ALD_E_NOMEM;
}

ald_err ald_obsset_parse(const char *text, size_t len, ald_obsset **out,
                         struct ald_errpos *err)
{
    *out = NULL;
    ald_obsset *s = calloc(1, sizeof *s);
    struct loader L = {.set = s, .err = err};
    ald_err rc = ALD_E_NOMEM;
    if (!s || !(L.toppool = json_object()))
        goto fail;

    size_t off = 0;
    for (;;) {
        while (off < len && (text[off] == ' ' || text[off] == '\t' || text[off] == '\r' ||
                             text[off] == '\n'))
            off++;
        if (off >= len)
            break;
        json_error_t je;
        json_t *v = json_loadb(text + off, len - off, JSON_DISABLE_EOF_CHECK, &je);
        if (!v) {
            unsigned line, col;
            size_t at = off + (je.position > 0 ? (size_t)je.position : 0);
            if (at > len)
                at = len;
            linecol(text, at, &line, &col);
            seterr(err, ALD_E_JSON, at, line, col, "%.90s", je.text);
            rc = ALD_E_JSON;
            goto fail;
        }
        if (grow((void **)&s->roots, &s->caproots, s->nroots + 1, sizeof *s->roots)) {
            json_decref(v);
            goto fail;
        }
        s->roots[s->nroots++] = v;
        if (take_value(&L, v, 0))
            goto fail;
        off += (size_t)je.position;
        if (je.position <= 0)
            break;      /* defensive: jansson always consumes a value */
    }
    for (size_t i = 0; i < L.npend; i++) {
        rc = build_one(&L, &L.pend[i], i + 1);
        if (rc != ALD_E_OK)
            goto fail;
    }
    free(L.pend);
    /* The top-level pool's references are not needed any more: the objects
     * stay alive through their roots. */
    json_decref(L.toppool);
    *out = s;
    return ALD_E_OK;
fail:
    if (rc == ALD_E_NOMEM)
        seterr(err, ALD_E_NOMEM, 0, 0, 0, "out of memory");
    free(L.pend);
    json_decref(L.toppool);
    ald_obsset_free(s);
    return rc;
}

size_t ald_obsset_count(const ald_obsset *s)
{
    return s ? s->nobs : 0;
}

const ald_pobs *ald_obsset_get(const ald_obsset *s, size_t i)
{
    return s && i < s->nobs ? &s->obs[i] : NULL;
}

void ald_obsset_free(ald_obsset *s)
{
    if (!s)
        return;
    for (size_t i = 0; i < s->nobs; i++) {
        free((void *)s->obs[i].objs);
        free((void *)s->obs[i].keys);
    }
    free(s->obs);
    for (size_t i = 0; i < s->nroots; i++)
        json_decref(s->roots[i]);
    free(s->roots);
    free(s);
}
