/*
 * eval.c - the STIX pattern evaluator, first half: a parsed pattern
 * compiled once (ald_pmatch_new: literals converted, regexes compiled with
 * PCRE2, set literals checked) and comparison expressions evaluated on one
 * observation, with the semantics of the OASIS reference matcher,
 * stix2matcher 3.0 (docs/pattern-eval.md). Observation expressions and
 * bindings over many observations are in bind.c.
 *
 * A comparison expression ([ ... ]) is evaluated per observation, per
 * "root" object: a property test holds for a root when one of the values
 * its object path selects from that root (following *_ref and *_refs to
 * other objects of the same observation) passes the test; AND and OR
 * combine the tests of the same root (the reference intersects and unions
 * sets of root ids, which is the same). Every test is evaluated on every
 * root of every observation, as the reference does, so an error in the
 * data (a string compared with a timestamp literal that is not a
 * timestamp) is reported whatever the other branches say.
 */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "evalpriv.h"
#include "value.h"

/* ---- scratch memory ------------------------------------------------------- */

void *pm_alloc(struct arena *a, size_t n)
{
    n = (n + sizeof(max_align_t) - 1) / sizeof(max_align_t) * sizeof(max_align_t);
    if (!n)
        n = sizeof(max_align_t);
    struct ablk *b = a->head;
    if (!b || b->cap - b->used < n) {
        size_t cap = n > 65536 ? n : 65536;
        b = malloc(sizeof *b + cap);
        if (!b)
            return NULL;
        b->next = a->head;
        b->used = 0;
        b->cap = cap;
        a->head = b;
    }
    void *p = (char *)b->data + b->used;
    b->used += n;
    return p;
}

void pm_afree(struct arena *a)
{
    while (a->head) {
        struct ablk *n = a->head->next;
        free(a->head);
        a->head = n;
    }
}

/* ---- values ------------------------------------------------------------------ */

enum vk { VK_NULL, VK_BOOL, VK_INT, VK_FLOAT, VK_STR, VK_BYTES, VK_LIST, VK_DICT, VK_REFLIST };

/* A value an object path selected: JSON, bytes (a *_hex or *_bin property
 * decoded) or the objects a *_refs list resolved to. */
struct pv {
    enum vk k;
    json_t *j;
    const uint8_t *b;       /* STR (UTF-8), BYTES */
    size_t n;               /* STR, BYTES: bytes; REFLIST: objects */
    json_t **objs;          /* REFLIST */
};

static struct pv classify(json_t *j)
{
    struct pv v = {.k = VK_NULL, .j = j};
    switch (json_typeof(j)) {
    case JSON_OBJECT: v.k = VK_DICT; break;
    case JSON_ARRAY: v.k = VK_LIST; break;
    case JSON_STRING:
        v.k = VK_STR;
        v.b = (const uint8_t *)json_string_value(j);
        v.n = json_string_length(j);
        break;
    case JSON_INTEGER: v.k = VK_INT; break;
    case JSON_REAL: v.k = VK_FLOAT; break;
    case JSON_TRUE:
    case JSON_FALSE: v.k = VK_BOOL; break;
    default: break;
    }
    return v;
}

void pm_seterr(struct ald_errpos *err, ald_err code, size_t off, const char *fmt, ...)
{
    if (!err)
        return;
    err->code = code;
    err->offset = off;
    err->line = 1;
    err->col = (unsigned)off + 1;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err->msg, sizeof err->msg, fmt, ap);
    va_end(ap);
}

static int push_ptr(void ***arr, size_t *n, size_t *cap, void *p)
{
    if (*n == *cap) {
        size_t c = *cap ? *cap * 2 : 16;
        void **q = realloc(*arr, c * sizeof *q);
        if (!q)
            return -1;
        *arr = q;
        *cap = c;
    }
    (*arr)[(*n)++] = p;
    return 0;
}

static int lit_from(struct ald_pmatch *m, const ald_pval *v, struct lit *l)
{
    memset(l, 0, sizeof *l);
    l->nlat = -1;
    switch (v->type) {
    case ALD_PV_STRING:
        l->k = LK_STR;
        l->s = (const uint8_t *)v->u.str.p;
        l->n = v->u.str.len;
        l->lat = pm_alloc(&m->code, l->n + 1);
        if (!l->lat)
            return -1;
        l->nlat = pv_utf8_to_latin1(l->s, l->n, l->lat);
        break;
    case ALD_PV_INT:
        l->k = LK_INT;
        l->i = v->u.i;
        break;
    case ALD_PV_FLOAT:
        l->k = LK_FLOAT;
        l->f = v->u.f;
        break;
    case ALD_PV_BOOL:
        l->k = LK_BOOL;
        l->b = v->u.b;
        break;
    case ALD_PV_BINARY:
    case ALD_PV_HEX:
        l->k = LK_BYTES;
        l->s = v->u.bin.p;
        l->n = v->u.bin.len;
        break;
    case ALD_PV_TIMESTAMP:
        l->k = LK_TS;
        /* The reference's datetime keeps microseconds. */
        l->ts = v->u.ts.sec * 1000000 + v->u.ts.nsec / 1000;
        break;
    }
    return 0;
}

static int is_ascii(const uint8_t *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (s[i] & 0x80)
            return 0;
    return 1;
}

static pcre2_code *re_compile(const uint8_t *pat, size_t n, uint32_t opts, size_t pos,
                              struct ald_errpos *err)
{
    int ec;
    PCRE2_SIZE eo;
    pcre2_compile_context *cc = pcre2_compile_context_create(NULL);
    if (!cc) {
        pm_seterr(err, ALD_E_NOMEM, pos, "out of memory");
        return NULL;
    }
    /* Python's '.' stops at '\n' only, and '$' also matches before a final
     * '\n': PCRE2's defaults with LF as the newline. */
    pcre2_set_newline(cc, PCRE2_NEWLINE_LF);
    pcre2_code *re = pcre2_compile(pat, n, opts, &ec, &eo, cc);
    pcre2_compile_context_free(cc);
    /* JIT when the platform has it (3-4x faster matching); the
     * interpreter otherwise. */
    if (re)
        (void)pcre2_jit_compile(re, PCRE2_JIT_COMPLETE);
    if (!re) {
        PCRE2_UCHAR buf[80];
        pcre2_get_error_message(ec, buf, sizeof buf);
        pm_seterr(err, ALD_E_PATTERN_EVAL, pos, "regular expression: %s at offset %zu",
               (const char *)buf, (size_t)eo);
        return NULL;
    }
    return re;
}

/* LIKE to a regex: % any run, _ one character, anything else literally,
 * anchored at both ends, as the reference's _like_to_regex. */
static pcre2_code *like_compile(struct ald_pmatch *m, const uint8_t *s, size_t n, size_t pos,
                                int *bin_ok, struct ald_errpos *err)
{
    uint8_t *buf = pm_alloc(&m->tmp, n * 10 + 8);
    if (!buf) {
        pm_seterr(err, ALD_E_NOMEM, pos, "out of memory");
        return NULL;
    }
    size_t o = 0;
    int ok = 1;
    buf[o++] = '^';
    for (size_t i = 0; i < n;) {
        uint32_t cp;
        int l = pv_utf8_next(s + i, n - i, &cp);
        if (l < 0) {
            pm_seterr(err, ALD_E_PATTERN_EVAL, pos, "LIKE operand is not UTF-8");
            return NULL;
        }
        i += (size_t)l;
        if (cp > 0xFF)
            ok = 0;
        if (cp == '%') {
            buf[o++] = '.';
            buf[o++] = '*';
        } else if (cp == '_') {
            buf[o++] = '.';
        } else if ((cp >= '0' && cp <= '9') || (cp >= 'a' && cp <= 'z') ||
                   (cp >= 'A' && cp <= 'Z')) {
            buf[o++] = (uint8_t)cp;
        } else {
            o += (size_t)sprintf((char *)buf + o, "\\x{%x}", (unsigned)cp);
        }
    }
    buf[o++] = '$';
    *bin_ok = ok;
    return re_compile(buf, o, PCRE2_UTF | PCRE2_UCP, pos, err);
}

static int cmp_str(const uint8_t *a, size_t an, const uint8_t *b, size_t bn)
{
    int c = memcmp(a, b, an < bn ? an : bn);
    return c ? c : (an > bn) - (an < bn);
}

static int cmp_litp(const void *a, const void *b)
{
    const struct lit *x = *(const struct lit *const *)a, *y = *(const struct lit *const *)b;
    return cmp_str(x->s, x->n, y->s, y->n);
}

static int compile_test(struct ald_pmatch *m, const ald_pcexpr *e, struct ctest *t,
                        struct ald_errpos *err)
{
    t->e = e;
    switch (e->op) {
    case ALD_POP_EQ: case ALD_POP_NE: case ALD_POP_LT: case ALD_POP_LE:
    case ALD_POP_GT: case ALD_POP_GE:
        if (e->nvals < 1)
            goto bad;
        return lit_from(m, &e->vals[0], &t->lit) ? ALD_E_NOMEM : ALD_E_OK;
    case ALD_POP_EXISTS:
        return ALD_E_OK;
    case ALD_POP_IN: {
        t->nset = e->nvals;
        t->set = pm_alloc(&m->code, (e->nvals ? e->nvals : 1) * sizeof *t->set);
        if (!t->set)
            return ALD_E_NOMEM;
        int numbers = 1, same = 1;
        for (size_t i = 0; i < e->nvals; i++) {
            if (lit_from(m, &e->vals[i], &t->set[i]))
                return ALD_E_NOMEM;
            enum lk k = t->set[i].k;
            if (k != LK_INT && k != LK_FLOAT)
                numbers = 0;
            if (k != t->set[0].k)
                same = 0;
        }
        /* The reference refuses sets of mixed types (ints with floats
         * excepted) whatever the data: exitSetLiteral. */
        if (!same && !numbers) {
            pm_seterr(err, ALD_E_PATTERN_EVAL, e->vals[0].pos,
                   "set literal mixes types (only integers and floats may be mixed)");
            return ALD_E_PATTERN_EVAL;
        }
        t->set_ts = e->nvals > 0 && t->set[0].k == LK_TS;
        if (same && e->nvals > 8 && t->set[0].k == LK_STR) {
            /* Long lists of strings (indicator values) are searched. */
            t->sorted = pm_alloc(&m->code, e->nvals * sizeof *t->sorted);
            if (!t->sorted)
                return ALD_E_NOMEM;
            for (size_t i = 0; i < e->nvals; i++)
                t->sorted[i] = &t->set[i];
            qsort(t->sorted, e->nvals, sizeof *t->sorted, cmp_litp);
        }
        return ALD_E_OK;
    }
    case ALD_POP_LIKE:
    case ALD_POP_MATCHES:
    case ALD_POP_ISSUBSET:
    case ALD_POP_ISSUPERSET:
        break;
    }
    if (e->nvals < 1 || e->vals[0].type != ALD_PV_STRING)
        goto bad;
    if (lit_from(m, &e->vals[0], &t->lit))
        return ALD_E_NOMEM;
    size_t pos = e->vals[0].pos;
    if (e->op == ALD_POP_ISSUBSET || e->op == ALD_POP_ISSUPERSET) {
        t->net = pm_alloc(&m->code, t->lit.n + 1);
        if (!t->net)
            return ALD_E_NOMEM;
        memcpy(t->net, t->lit.s, t->lit.n);
        t->net[t->lit.n] = 0;
        return ALD_E_OK;
    }
    /* The reference normalises LIKE and MATCHES operands to NFC. */
    uint8_t *nfc;
    size_t nn;
    if (pv_nfc(t->lit.s, t->lit.n, &nfc, &nn)) {
        pm_seterr(err, ALD_E_PATTERN_EVAL, pos, "operand is not UTF-8");
        return ALD_E_PATTERN_EVAL;
    }
    ald_err rc = ALD_E_OK;
    if (e->op == ALD_POP_LIKE) {
        t->re = like_compile(m, nfc, nn, pos, &t->bin_ok, err);
        if (!t->re)
            rc = err && err->code == ALD_E_NOMEM ? ALD_E_NOMEM : ALD_E_PATTERN_EVAL;
    } else {
        t->re = re_compile(nfc, nn, PCRE2_UTF | PCRE2_UCP, pos, err);
        if (!t->re) {
            rc = ALD_E_PATTERN_EVAL;
        } else {
            uint8_t *lat = malloc(nn + 1);
            long nl = lat ? pv_utf8_to_latin1(nfc, nn, lat) : -1;
            if (!lat) {
                rc = ALD_E_NOMEM;
            } else if (nl >= 0) {
                /* Bytes are searched with the same regex read as Latin-1
                 * (a Python bytes regex: no UTF, ASCII classes). */
                t->bin_ok = 1;
                t->reb = re_compile(lat, (size_t)nl, 0, pos, err);
                if (!t->reb)
                    rc = ALD_E_PATTERN_EVAL;
            }
            free(lat);
        }
    }
    free(nfc);
    return rc;
bad:
    pm_seterr(err, ALD_E_PATTERN_EVAL, e->path.pos, "operator without a usable operand");
    return ALD_E_PATTERN_EVAL;
}

static ald_err compile_cexpr(struct ald_pmatch *m, const ald_pcexpr *e, struct cnode **out,
                             struct ald_errpos *err)
{
    struct cnode *n = pm_alloc(&m->code, sizeof *n);
    if (!n)
        return ALD_E_NOMEM;
    memset(n, 0, sizeof *n);
    n->kind = e->kind;
    n->idx = m->ncn;
    if (push_ptr((void ***)&m->cn, &m->ncn, &m->capcn, n))
        return ALD_E_NOMEM;
    *out = n;
    if (e->kind == ALD_PCE_TEST)
        return compile_test(m, e, &n->t, err);
    ald_err rc = compile_cexpr(m, e->l, &n->l, err);
    if (rc == ALD_E_OK)
        rc = compile_cexpr(m, e->r, &n->r, err);
    return rc;
}

static int ts_of(const ald_pval *v, int64_t *us)
{
    if (v->type == ALD_PV_TIMESTAMP) {
        *us = v->u.ts.sec * 1000000 + v->u.ts.nsec / 1000;
        return 0;
    }
    if (v->type == ALD_PV_STRING)   /* STIX 2.0's START '...' STOP '...' */
        return ald_pts_parse(v->u.str.p, v->u.str.len, us);
    return -1;
}

static ald_err compile_oexpr(struct ald_pmatch *m, const ald_poexpr *e, struct onode **out,
                             struct ald_errpos *err)
{
    struct onode *n = pm_alloc(&m->code, sizeof *n);
    if (!n)
        return ALD_E_NOMEM;
    memset(n, 0, sizeof *n);
    n->kind = e->kind;
    *out = n;
    ald_err rc = ALD_E_OK;
    switch (e->kind) {
    case ALD_POE_OBS:
        n->leaf = m->nleaves;
        if (push_ptr((void ***)&m->leaves, &m->nleaves, &m->capleaves, n))
            return ALD_E_NOMEM;
        n->w = 1;
        return compile_cexpr(m, e->cmp, &n->cmp, err);
    case ALD_POE_AND:
    case ALD_POE_OR:
    case ALD_POE_FOLLOWEDBY:
        rc = compile_oexpr(m, e->l, &n->l, err);
        if (rc == ALD_E_OK)
            rc = compile_oexpr(m, e->r, &n->r, err);
        if (rc == ALD_E_OK)
            n->w = n->l->w + n->r->w;
        return rc;
    case ALD_POE_WITHIN:
        if (!(e->within_s > 0)) {
            pm_seterr(err, ALD_E_PATTERN_EVAL, e->pos, "WITHIN must be positive");
            return ALD_E_PATTERN_EVAL;
        }
        /* Past 10^12 s (31,700 years) every STIX timestamp is within:
         * saturate, so that adding it to a time cannot overflow. */
        n->within_us = e->within_s > 1e12 ? INT64_C(1000000000000000000)
                                          : llround(e->within_s * 1e6);
        break;
    case ALD_POE_REPEATS:
        if (e->repeats < 1) {
            pm_seterr(err, ALD_E_PATTERN_EVAL, e->pos, "REPEATS must be at least 1");
            return ALD_E_PATTERN_EVAL;
        }
        n->repeats = e->repeats;
        break;
    case ALD_POE_STARTSTOP:
        if (ts_of(&e->start, &n->start_us) || ts_of(&e->stop, &n->stop_us)) {
            pm_seterr(err, ALD_E_PATTERN_EVAL, e->start.pos, "START/STOP needs timestamps");
            return ALD_E_PATTERN_EVAL;
        }
        break;
    }
    rc = compile_oexpr(m, e->l, &n->l, err);
    if (rc != ALD_E_OK)
        return rc;
    n->w = n->l->w;
    if (e->kind == ALD_POE_REPEATS) {
        /* Bindings this wide are beyond any real use; the combination
         * search recurses once per repetition. */
        if ((uint64_t)n->repeats > 65536 / n->w) {
            pm_seterr(err, ALD_E_PATTERN_EVAL, e->pos, "REPEATS is too large");
            return ALD_E_PATTERN_EVAL;
        }
        n->w *= (size_t)n->repeats;
    }
    return ALD_E_OK;
}

ald_err ald_pmatch_new(const ald_pattern *p, ald_pmatch **out, struct ald_errpos *err)
{
    *out = NULL;
    ald_pmatch *m = calloc(1, sizeof *m);
    if (!m)
        return ALD_E_NOMEM;
    m->p = p;
    ald_err rc = compile_oexpr(m, ald_pattern_root(p), &m->root, err);
    pm_afree(&m->tmp);
    if (rc == ALD_E_OK) {
        m->md = pcre2_match_data_create(1, NULL);
        m->nodeval = calloc(m->ncn ? m->ncn : 1, 1);
        if (!m->md || !m->nodeval)
            rc = ALD_E_NOMEM;
    }
    if (rc != ALD_E_OK) {
        if (rc == ALD_E_NOMEM)
            pm_seterr(err, ALD_E_NOMEM, 0, "out of memory");
        ald_pmatch_free(m);
        return rc;
    }
    *out = m;
    return ALD_E_OK;
}

void ald_pmatch_free(ald_pmatch *m)
{
    if (!m)
        return;
    for (size_t i = 0; i < m->ncn; i++) {
        pcre2_code_free(m->cn[i]->t.re);
        pcre2_code_free(m->cn[i]->t.reb);
    }
    pcre2_match_data_free(m->md);
    pm_afree(&m->code);
    pm_afree(&m->tmp);
    free(m->cn);
    free(m->leaves);
    free(m->va);
    free(m->vb);
    free(m->nodeval);
    free(m);
}

int ald_pmatch_is_single(const ald_pmatch *m)
{
    return m && m->root->kind == ALD_POE_OBS;
}

/* ---- object paths ------------------------------------------------------------- */

static int vpush(struct pv **arr, size_t *n, size_t *cap, struct pv v)
{
    if (*n == *cap) {
        size_t c = *cap ? *cap * 2 : 32;
        struct pv *q = realloc(*arr, c * sizeof *q);
        if (!q)
            return -1;
        *arr = q;
        *cap = c;
    }
    (*arr)[(*n)++] = v;
    return 0;
}

static int ends_with(const char *s, size_t n, const char *suf)
{
    size_t l = strlen(suf);
    return n >= l && memcmp(s + n - l, suf, l) == 0;
}

static json_t *resolve(const ald_pobs *o, const uint8_t *id, size_t n)
{
    for (size_t i = 0; i < o->nobjs; i++) {
        const char *k = o->keys ? o->keys[i]
                                : json_string_value(json_object_get(o->objs[i], "id"));
        if (k && strlen(k) == n && memcmp(k, id, n) == 0)
            return o->objs[i];
    }
    return NULL;
}

/* One key step on value v into the next list. */
static int step_key(ald_pmatch *m, const ald_pobs *o, const ald_pstep *st, struct pv v,
                    struct pv **nx, size_t *nn, size_t *ncap, struct ald_errpos *err)
{
    if (v.k != VK_DICT)
        return 0;
    json_t *cj = json_object_get(v.j, st->key);
    if (!cj)
        return 0;
    struct pv c = classify(cj);
    int hex = ends_with(st->key, st->keylen, "_hex");
    if (hex || ends_with(st->key, st->keylen, "_bin")) {
        /* Suffixed properties hold binary data (reference:
         * _process_prop_suffix); what is not decodable is an error. */
        if (c.k != VK_STR) {
            pm_seterr(err, ALD_E_PATTERN_EVAL, 0, "property '%s' is not a string", st->key);
            return -1;
        }
        uint8_t *b = pm_alloc(&m->tmp, c.n + 4);
        if (!b)
            return -2;
        long l = hex ? pv_unhex((const char *)c.b, c.n, b)
                     : pv_unbase64((const char *)c.b, c.n, b);
        if (l < 0) {
            pm_seterr(err, ALD_E_PATTERN_EVAL, 0, "property '%s' is not valid %s", st->key,
                   hex ? "hex" : "base64");
            return -1;
        }
        c.k = VK_BYTES;
        c.b = b;
        c.n = (size_t)l;
    }
    if (ends_with(st->key, st->keylen, "_ref")) {
        if (c.k != VK_STR) {
            pm_seterr(err, ALD_E_PATTERN_EVAL, 0,
                   "the value of reference property '%s' is not a string", st->key);
            return -1;
        }
        json_t *t = resolve(o, c.b, c.n);
        if (!t)
            return 0;
        return vpush(nx, nn, ncap, classify(t)) ? -2 : 0;
    }
    if (ends_with(st->key, st->keylen, "_refs")) {
        if (c.k != VK_LIST) {
            pm_seterr(err, ALD_E_PATTERN_EVAL, 0,
                   "the value of reference list property '%s' is not a list", st->key);
            return -1;
        }
        size_t cnt = json_array_size(c.j), got = 0;
        json_t **objs = pm_alloc(&m->tmp, (cnt ? cnt : 1) * sizeof *objs);
        if (!objs)
            return -2;
        for (size_t i = 0; i < cnt; i++) {
            json_t *r = json_array_get(c.j, i);
            if (!json_is_string(r)) {
                pm_seterr(err, ALD_E_PATTERN_EVAL, 0,
                       "a value of reference property '%s' is not a string", st->key);
                return -1;
            }
            json_t *t = resolve(o, (const uint8_t *)json_string_value(r), json_string_length(r));
            if (t)
                objs[got++] = t;
        }
        if (!got)
            return 0;
        struct pv rl = {.k = VK_REFLIST, .objs = objs, .n = got};
        return vpush(nx, nn, ncap, rl) ? -2 : 0;
    }
    return vpush(nx, nn, ncap, c) ? -2 : 0;
}

/* The values path p selects from root object `root` into m->va[0..*nout). */
static int walk(ald_pmatch *m, const ald_pobs *o, const ald_ppath *p, json_t *root,
                size_t *nout, struct ald_errpos *err)
{
    size_t na = 0, nb;
    if (vpush(&m->va, &na, &m->capa, classify(root)))
        return -2;
    for (size_t s = 0; s < p->nsteps && na; s++) {
        const ald_pstep *st = &p->steps[s];
        nb = 0;
        for (size_t i = 0; i < na; i++) {
            struct pv v = m->va[i];
            if (st->kind == ALD_PSTEP_KEY) {
                int rc = step_key(m, o, st, v, &m->vb, &nb, &m->capb, err);
                if (rc)
                    return rc;
                continue;
            }
            size_t cnt = v.k == VK_LIST ? json_array_size(v.j) : v.k == VK_REFLIST ? v.n : 0;
            if (v.k != VK_LIST && v.k != VK_REFLIST)
                continue;
            size_t from = 0, to = cnt;
            if (st->kind == ALD_PSTEP_INDEX) {
                /* 3.0: a negative index selects nothing. */
                if (st->index < 0 || (uint64_t)st->index >= cnt)
                    continue;
                from = (size_t)st->index;
                to = from + 1;
            }
            for (size_t k = from; k < to; k++) {
                struct pv e = v.k == VK_LIST ? classify(json_array_get(v.j, k))
                                             : classify(v.objs[k]);
                if (vpush(&m->vb, &nb, &m->capb, e))
                    return -2;
            }
        }
        struct pv *t = m->va;
        size_t tc = m->capa;
        m->va = m->vb;
        m->capa = m->capb;
        m->vb = t;
        m->capb = tc;
        na = nb;
    }
    *nout = na;
    return 0;
}

/* ---- property tests ------------------------------------------------------------- */

static int cmp3(double a, double b)
{
    return (a > b) - (a < b);
}

static int cmpbytes(const uint8_t *a, size_t an, const uint8_t *b, size_t bn)
{
    int c = memcmp(a, b, an < bn ? an : bn);
    if (c)
        return c < 0 ? -1 : 1;
    return (an > bn) - (an < bn);
}

/* A value as the reference's Python value: `ts` when it was converted to a
 * timestamp because the literal is one. */
struct val {
    struct pv v;
    int is_ts;
    int64_t ts;
};

enum { CMP_NONE = -100, CMP_VERR = -101 };

/* The reference's _COMPARE_ORDER_FUNCS / _COMPARE_EQ_FUNCS, symmetric:
 * returns -1/0/1, CMP_NONE when the types do not compare, CMP_VERR for a
 * string with a code point >= 256 against bytes. `eq` adds bool == bool. */
static int compare(ald_pmatch *m, const struct lit *l, const struct val *x, int eq)
{
    const struct pv *v = &x->v;
    if (x->is_ts)
        return l->k == LK_TS ? (x->ts > l->ts) - (x->ts < l->ts) : CMP_NONE;
    switch (l->k) {
    case LK_INT:
        if (v->k == VK_INT) {
            json_int_t a = json_integer_value(v->j);
            return (a > l->i) - (a < l->i);
        }
        if (v->k == VK_FLOAT)
            return cmp3(json_real_value(v->j), (double)l->i);
        return CMP_NONE;
    case LK_FLOAT:
        if (v->k == VK_INT)
            return cmp3((double)json_integer_value(v->j), l->f);
        if (v->k == VK_FLOAT)
            return cmp3(json_real_value(v->j), l->f);
        return CMP_NONE;
    case LK_BOOL:
        if (eq && v->k == VK_BOOL)
            return json_is_true(v->j) == (l->b != 0) ? 0 : 1;
        return CMP_NONE;
    case LK_STR:
        if (v->k == VK_STR)
            return cmpbytes(v->b, v->n, l->s, l->n);
        if (v->k == VK_BYTES) {
            if (l->nlat < 0)
                return CMP_VERR;
            return cmpbytes(v->b, v->n, l->lat, (size_t)l->nlat);
        }
        return CMP_NONE;
    case LK_BYTES:
        if (v->k == VK_BYTES)
            return cmpbytes(v->b, v->n, l->s, l->n);
        if (v->k == VK_STR) {
            uint8_t *lat = pm_alloc(&m->tmp, v->n + 1);
            if (!lat)
                return CMP_NONE;
            long nl = pv_utf8_to_latin1(v->b, v->n, lat);
            if (nl < 0)
                return CMP_VERR;
            return cmpbytes(lat, (size_t)nl, l->s, l->n);
        }
        return CMP_NONE;
    case LK_TS:
        return CMP_NONE;
    }
    return CMP_NONE;
}

/* Python's `value in set`: numbers (bools as 0/1) by value, strings,
 * bytes and timestamps by equality; lists, dicts and null never. */
static int member(const struct lit *l, const struct val *x)
{
    const struct pv *v = &x->v;
    if (x->is_ts)
        return l->k == LK_TS && l->ts == x->ts;
    if (v->k == VK_INT || v->k == VK_FLOAT || v->k == VK_BOOL) {
        double a = v->k == VK_INT ? (double)json_integer_value(v->j)
                 : v->k == VK_FLOAT ? json_real_value(v->j) : (json_is_true(v->j) ? 1 : 0);
        if (v->k == VK_INT && l->k == LK_INT)
            return json_integer_value(v->j) == l->i;
        if (l->k == LK_INT)
            return a == (double)l->i;
        if (l->k == LK_FLOAT)
            return a == l->f;
        if (l->k == LK_BOOL)
            return a == (l->b ? 1 : 0);
        return 0;
    }
    if (v->k == VK_STR && l->k == LK_STR)
        return v->n == l->n && memcmp(v->b, l->s, l->n) == 0;
    if (v->k == VK_BYTES && l->k == LK_BYTES)
        return v->n == l->n && memcmp(v->b, l->s, l->n) == 0;
    return 0;
}

/* 1 found, 0 not, -1 when PCRE2 gave up (its match or depth limit: a
 * regex that backtracks without end, where Python would run forever). */
static int re_search(ald_pmatch *m, pcre2_code *re, const uint8_t *s, size_t n, int utf,
                     struct ald_errpos *err)
{
    int rc = pcre2_match(re, s, n, 0, utf ? PCRE2_NO_UTF_CHECK : 0, m->md, NULL);
    if (rc >= 0)
        return 1;
    if (rc == PCRE2_ERROR_NOMATCH)
        return 0;
    PCRE2_UCHAR buf[80];
    pcre2_get_error_message(rc, buf, sizeof buf);
    pm_seterr(err, ALD_E_PATTERN_EVAL, 0, "regular expression: %s", (const char *)buf);
    return -1;
}

/* Text normalised to NFC into the scratch arena (ASCII needs nothing). */
static int nfc_tmp(ald_pmatch *m, const uint8_t *s, size_t n, const uint8_t **out, size_t *on)
{
    if (is_ascii(s, n)) {
        *out = s;
        *on = n;
        return 0;
    }
    uint8_t *t;
    size_t tn;
    if (pv_nfc(s, n, &t, &tn))
        return -1;
    uint8_t *c = pm_alloc(&m->tmp, tn + 1);
    if (!c) {
        free(t);
        return -1;
    }
    memcpy(c, t, tn + 1);
    free(t);
    *out = c;
    *on = tn;
    return 0;
}

/* Does value v pass test t? 1/0, -1 error (err set), -2 out of memory. */
static int pred(ald_pmatch *m, const struct ctest *t, const struct pv *v, struct ald_errpos *err)
{
    const ald_pcexpr *e = t->e;
    int neg = e->negated != 0;
    struct val x = {.v = *v};
    int want_ts = (e->op <= ALD_POP_GE && t->lit.k == LK_TS) || (e->op == ALD_POP_IN && t->set_ts);
    if (want_ts && v->k == VK_STR) {
        /* The reference reads a string compared with a timestamp literal
         * as a timestamp, and refuses one that is not. */
        if (ald_pts_parse((const char *)v->b, v->n, &x.ts)) {
            pm_seterr(err, ALD_E_PATTERN_EVAL, 0, "invalid timestamp in the data: %.60s",
                   (const char *)v->b);
            return -1;
        }
        x.is_ts = 1;
    }
    int r;
    switch (e->op) {
    case ALD_POP_EQ:
    case ALD_POP_NE: {
        int c = compare(m, &t->lit, &x, 1);
        r = c == 0;
        if (e->op == ALD_POP_NE)
            r = !r;
        return r ^ neg;
    }
    case ALD_POP_LT: case ALD_POP_LE: case ALD_POP_GT: case ALD_POP_GE: {
        int c = compare(m, &t->lit, &x, 0);
        if (c == CMP_NONE)
            return 0;   /* no ordering for these types: false, even under NOT */
        if (c == CMP_VERR)
            r = 0;
        else
            r = e->op == ALD_POP_LT ? c < 0 : e->op == ALD_POP_LE ? c <= 0
              : e->op == ALD_POP_GT ? c > 0 : c >= 0;
        return r ^ neg;
    }
    case ALD_POP_IN:
        r = 0;
        if (t->sorted && v->k == VK_STR) {
            size_t lo = 0, hi = t->nset;
            while (lo < hi && !r) {
                size_t mid = (lo + hi) / 2;
                int c = cmp_str(v->b, v->n, t->sorted[mid]->s, t->sorted[mid]->n);
                if (c == 0)
                    r = 1;
                else if (c < 0)
                    hi = mid;
                else
                    lo = mid + 1;
            }
            return r ^ neg;
        }
        for (size_t i = 0; i < t->nset && !r; i++)
            r = member(&t->set[i], &x);
        return r ^ neg;
    case ALD_POP_LIKE:
    case ALD_POP_MATCHES: {
        const uint8_t *s = v->b;
        size_t n = v->n;
        r = 0;
        if (v->k == VK_BYTES && e->op == ALD_POP_MATCHES) {
            if (t->bin_ok && (r = re_search(m, t->reb, s, n, 0, err)) < 0)
                return r;
        } else if (v->k == VK_STR || (v->k == VK_BYTES && t->bin_ok)) {
            /* LIKE reads bytes as UTF-8 text (3.0), an error if they are not. */
            if (v->k == VK_BYTES && !pv_utf8_valid(s, n)) {
                pm_seterr(err, ALD_E_PATTERN_EVAL, 0, "binary value is not UTF-8 text");
                return -1;
            }
            if (nfc_tmp(m, s, n, &s, &n))
                return -2;
            if ((r = re_search(m, t->re, s, n, 1, err)) < 0)
                return r;
        }
        return r ^ neg;
    }
    case ALD_POP_ISSUBSET:
    case ALD_POP_ISSUPERSET: {
        r = 0;
        if (v->k == VK_STR) {
            char *s = pm_alloc(&m->tmp, v->n + 1);
            if (!s)
                return -2;
            memcpy(s, v->b, v->n);
            s[v->n] = 0;
            char msg[96];
            r = e->op == ALD_POP_ISSUBSET ? pv_in_subnet(s, t->net, msg, sizeof msg)
                                          : pv_in_subnet(t->net, s, msg, sizeof msg);
            if (r < 0) {
                pm_seterr(err, ALD_E_PATTERN_EVAL, e->vals[0].pos, "%s", msg);
                return -1;
            }
        }
        return r ^ neg;
    }
    case ALD_POP_EXISTS:
        return 1 ^ neg;
    }
    return 0;
}

/* The test on one root object: 1/0, <0 error. */
static int test_root(ald_pmatch *m, const struct ctest *t, const ald_pobs *o, json_t *root,
                     struct ald_errpos *err)
{
    const ald_ppath *p = &t->e->path;
    const char *type = json_string_value(json_object_get(root, "type"));
    if (!type || strcmp(type, p->object_type) != 0)
        return 0;
    /* 3.0 on STIX 2.1 data: these two types are never matched. */
    if (o->v21 && (strcmp(type, "observed-data") == 0 || strcmp(type, "identity") == 0))
        return 0;
    size_t n;
    int rc = walk(m, o, p, root, &n, err);
    if (rc)
        goto out;
    if (t->e->op == ALD_POP_EXISTS) {
        rc = (n > 0) ^ (t->e->negated != 0);
        goto out;
    }
    for (size_t i = 0; i < n; i++) {
        rc = pred(m, t, &m->va[i], err);
        if (rc)
            break;
    }
out:
    pm_afree(&m->tmp);
    if (rc == -2)
        pm_seterr(err, ALD_E_NOMEM, 0, "out of memory");
    return rc;
}

/* Every node of the comparison tree on one root (no short cut: the
 * reference evaluates every test). Values land in m->nodeval. */
int pm_eval_cnode(ald_pmatch *m, const struct cnode *n, const ald_pobs *o, json_t *root,
                  struct ald_errpos *err)
{
    int r;
    if (n->kind == ALD_PCE_TEST) {
        r = test_root(m, &n->t, o, root, err);
    } else {
        int a = pm_eval_cnode(m, n->l, o, root, err);
        if (a < 0)
            return a;
        int b = pm_eval_cnode(m, n->r, o, root, err);
        if (b < 0)
            return b;
        r = n->kind == ALD_PCE_AND ? (a && b) : (a || b);
    }
    if (r >= 0)
        m->nodeval[n->idx] = (unsigned char)r;
    return r;
}

ald_err pm_errcode(int rc)
{
    return rc == -2 ? ALD_E_NOMEM : ALD_E_PATTERN_EVAL;
}

ald_err ald_pmatch_one(ald_pmatch *m, const ald_pobs *o, int *matched, struct ald_errpos *err)
{
    *matched = 0;
    if (!ald_pmatch_is_single(m)) {
        pm_seterr(err, ALD_E_ARG, 0, "not a single-observation pattern");
        return ALD_E_ARG;
    }
    const struct cnode *c = m->root->cmp;
    for (size_t i = 0; i < o->nobjs; i++) {
        int r = pm_eval_cnode(m, c, o, o->objs[i], err);
        if (r < 0)
            return pm_errcode(r);
        if (r) {
            *matched = 1;
            return ALD_E_OK;
        }
    }
    return ALD_E_OK;
}
