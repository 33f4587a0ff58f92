/*
 * eval.c - the STIX pattern evaluator: a parsed pattern compiled once
 * (ald_pmatch_new) and evaluated over observations with the semantics of
 * the OASIS reference matcher, stix2matcher 3.0 (docs/pattern-eval.md).
 *
 * Two levels, as in the reference:
 *  - A comparison expression ([ ... ]) is evaluated per observation, per
 *    "root" object: a property test holds for a root when one of the values
 *    its object path selects from that root (following *_ref and *_refs to
 *    other objects of the same observation) passes the test; AND and OR
 *    combine the tests of the same root (the reference intersects and
 *    unions sets of root ids, which is the same). Every test is evaluated
 *    on every root of every observation, as the reference does, so an
 *    error in the data (a string compared with a timestamp literal that is
 *    not a timestamp) is reported whatever the other branches say.
 *  - Observation expressions produce bindings (tuples of observation
 *    instances: an observed-data with number_observed = n is n instances)
 *    lazily, in exactly the order of the reference's generators: AND and
 *    FOLLOWEDBY interleave their two sides, OR alternates, REPEATS k takes
 *    pairwise-disjoint k-combinations as each new binding arrives, WITHIN
 *    and START/STOP filter. The first binding decides the match and is what
 *    the reference reports; reproducing the order reproduces its answer.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include "alidade/pattern_match.h"
#include "value.h"

/* Bound on the search over bindings (combinations for REPEATS grow as
 * n choose k): past it the evaluation stops with ALD_E_PATTERN_EVAL rather
 * than run for hours as the reference would. */
#define STEP_BUDGET UINT64_C(300000000)

/* ---- scratch memory ------------------------------------------------------- */

struct ablk {
    struct ablk *next;
    size_t used, cap;
    max_align_t data[];
};

struct arena {
    struct ablk *head;
};

static void *aalloc(struct arena *a, size_t n)
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

static void afree(struct arena *a)
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

/* ---- compiled pattern ------------------------------------------------------- */

enum lk { LK_INT, LK_FLOAT, LK_STR, LK_BOOL, LK_BYTES, LK_TS };

struct lit {
    enum lk k;
    int64_t i;
    double f;
    int b;
    const uint8_t *s;       /* STR (UTF-8) or BYTES */
    size_t n;
    uint8_t *lat;           /* STR as Latin-1 when every code point < 256 */
    long nlat;              /* -1 when not convertible */
    int64_t ts;             /* µs */
};

struct ctest {
    const ald_pcexpr *e;
    struct lit lit;
    struct lit *set;        /* IN */
    size_t nset;
    int set_ts;             /* a non-empty set of timestamps */
    const struct lit **sorted;  /* a set of strings only, sorted: binary search */
    pcre2_code *re;         /* LIKE, MATCHES: over (NFC) text */
    pcre2_code *reb;        /* MATCHES over bytes, when bin_ok */
    int bin_ok;             /* every code point of the literal < 256 */
    char *net;              /* ISSUBSET / ISSUPERSET literal, NUL-terminated */
};

struct cnode {
    ald_pce_kind kind;
    size_t idx;
    struct cnode *l, *r;
    struct ctest t;
};

struct onode {
    ald_poe_kind kind;
    struct onode *l, *r;
    struct cnode *cmp;      /* OBS */
    size_t leaf;            /* OBS: 0..nleaves-1, left to right */
    int64_t within_us;
    int64_t repeats;
    int64_t start_us, stop_us;
    size_t w;               /* binding width */
};

struct ald_pmatch {
    const ald_pattern *p;
    struct arena code;          /* compiled nodes and literals */
    struct onode *root;
    struct cnode **cn;          /* every comparison node, by idx */
    size_t ncn, capcn;
    struct onode **leaves;
    size_t nleaves, capleaves;
    pcre2_match_data *md;
    struct arena tmp;           /* per-test scratch */
    struct pv *va, *vb;         /* object path walk */
    size_t capa, capb;
    unsigned char *nodeval;     /* per comparison node, one root */
};

static void seterr(struct ald_errpos *err, ald_err code, size_t off, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static void seterr(struct ald_errpos *err, ald_err code, size_t off, const char *fmt, ...)
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
        l->lat = aalloc(&m->code, l->n + 1);
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
        seterr(err, ALD_E_NOMEM, pos, "out of memory");
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
        seterr(err, ALD_E_PATTERN_EVAL, pos, "regular expression: %s at offset %zu",
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
    uint8_t *buf = aalloc(&m->tmp, n * 10 + 8);
    if (!buf) {
        seterr(err, ALD_E_NOMEM, pos, "out of memory");
        return NULL;
    }
    size_t o = 0;
    int ok = 1;
    buf[o++] = '^';
    for (size_t i = 0; i < n;) {
        uint32_t cp;
        int l = pv_utf8_next(s + i, n - i, &cp);
        if (l < 0) {
            seterr(err, ALD_E_PATTERN_EVAL, pos, "LIKE operand is not UTF-8");
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
        t->set = aalloc(&m->code, (e->nvals ? e->nvals : 1) * sizeof *t->set);
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
            seterr(err, ALD_E_PATTERN_EVAL, e->vals[0].pos,
                   "set literal mixes types (only integers and floats may be mixed)");
            return ALD_E_PATTERN_EVAL;
        }
        t->set_ts = e->nvals > 0 && t->set[0].k == LK_TS;
        if (same && e->nvals > 8 && t->set[0].k == LK_STR) {
            /* Long lists of strings (indicator values) are searched. */
            t->sorted = aalloc(&m->code, e->nvals * sizeof *t->sorted);
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
        t->net = aalloc(&m->code, t->lit.n + 1);
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
        seterr(err, ALD_E_PATTERN_EVAL, pos, "operand is not UTF-8");
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
    seterr(err, ALD_E_PATTERN_EVAL, e->path.pos, "operator without a usable operand");
    return ALD_E_PATTERN_EVAL;
}

static ald_err compile_cexpr(struct ald_pmatch *m, const ald_pcexpr *e, struct cnode **out,
                             struct ald_errpos *err)
{
    struct cnode *n = aalloc(&m->code, sizeof *n);
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
    struct onode *n = aalloc(&m->code, sizeof *n);
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
            seterr(err, ALD_E_PATTERN_EVAL, e->pos, "WITHIN must be positive");
            return ALD_E_PATTERN_EVAL;
        }
        /* Past 10^12 s (31,700 years) every STIX timestamp is within:
         * saturate, so that adding it to a time cannot overflow. */
        n->within_us = e->within_s > 1e12 ? INT64_C(1000000000000000000)
                                          : llround(e->within_s * 1e6);
        break;
    case ALD_POE_REPEATS:
        if (e->repeats < 1) {
            seterr(err, ALD_E_PATTERN_EVAL, e->pos, "REPEATS must be at least 1");
            return ALD_E_PATTERN_EVAL;
        }
        n->repeats = e->repeats;
        break;
    case ALD_POE_STARTSTOP:
        if (ts_of(&e->start, &n->start_us) || ts_of(&e->stop, &n->stop_us)) {
            seterr(err, ALD_E_PATTERN_EVAL, e->start.pos, "START/STOP needs timestamps");
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
            seterr(err, ALD_E_PATTERN_EVAL, e->pos, "REPEATS is too large");
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
    afree(&m->tmp);
    if (rc == ALD_E_OK) {
        m->md = pcre2_match_data_create(1, NULL);
        m->nodeval = calloc(m->ncn ? m->ncn : 1, 1);
        if (!m->md || !m->nodeval)
            rc = ALD_E_NOMEM;
    }
    if (rc != ALD_E_OK) {
        if (rc == ALD_E_NOMEM)
            seterr(err, ALD_E_NOMEM, 0, "out of memory");
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
    afree(&m->code);
    afree(&m->tmp);
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
            seterr(err, ALD_E_PATTERN_EVAL, 0, "property '%s' is not a string", st->key);
            return -1;
        }
        uint8_t *b = aalloc(&m->tmp, c.n + 4);
        if (!b)
            return -2;
        long l = hex ? pv_unhex((const char *)c.b, c.n, b)
                     : pv_unbase64((const char *)c.b, c.n, b);
        if (l < 0) {
            seterr(err, ALD_E_PATTERN_EVAL, 0, "property '%s' is not valid %s", st->key,
                   hex ? "hex" : "base64");
            return -1;
        }
        c.k = VK_BYTES;
        c.b = b;
        c.n = (size_t)l;
    }
    if (ends_with(st->key, st->keylen, "_ref")) {
        if (c.k != VK_STR) {
            seterr(err, ALD_E_PATTERN_EVAL, 0,
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
            seterr(err, ALD_E_PATTERN_EVAL, 0,
                   "the value of reference list property '%s' is not a list", st->key);
            return -1;
        }
        size_t cnt = json_array_size(c.j), got = 0;
        json_t **objs = aalloc(&m->tmp, (cnt ? cnt : 1) * sizeof *objs);
        if (!objs)
            return -2;
        for (size_t i = 0; i < cnt; i++) {
            json_t *r = json_array_get(c.j, i);
            if (!json_is_string(r)) {
                seterr(err, ALD_E_PATTERN_EVAL, 0,
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
            uint8_t *lat = aalloc(&m->tmp, v->n + 1);
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
    seterr(err, ALD_E_PATTERN_EVAL, 0, "regular expression: %s", (const char *)buf);
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
    uint8_t *c = aalloc(&m->tmp, tn + 1);
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
            seterr(err, ALD_E_PATTERN_EVAL, 0, "invalid timestamp in the data: %.60s",
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
                seterr(err, ALD_E_PATTERN_EVAL, 0, "binary value is not UTF-8 text");
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
            char *s = aalloc(&m->tmp, v->n + 1);
            if (!s)
                return -2;
            memcpy(s, v->b, v->n);
            s[v->n] = 0;
            char msg[96];
            r = e->op == ALD_POP_ISSUBSET ? pv_in_subnet(s, t->net, msg, sizeof msg)
                                          : pv_in_subnet(t->net, s, msg, sizeof msg);
            if (r < 0) {
                seterr(err, ALD_E_PATTERN_EVAL, e->vals[0].pos, "%s", msg);
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
    afree(&m->tmp);
    if (rc == -2)
        seterr(err, ALD_E_NOMEM, 0, "out of memory");
    return rc;
}

/* Every node of the comparison tree on one root (no short cut: the
 * reference evaluates every test). Values land in m->nodeval. */
static int eval_cnode(ald_pmatch *m, const struct cnode *n, const ald_pobs *o, json_t *root,
                      struct ald_errpos *err)
{
    int r;
    if (n->kind == ALD_PCE_TEST) {
        r = test_root(m, &n->t, o, root, err);
    } else {
        int a = eval_cnode(m, n->l, o, root, err);
        if (a < 0)
            return a;
        int b = eval_cnode(m, n->r, o, root, err);
        if (b < 0)
            return b;
        r = n->kind == ALD_PCE_AND ? (a && b) : (a || b);
    }
    if (r >= 0)
        m->nodeval[n->idx] = (unsigned char)r;
    return r;
}

static ald_err errcode(int rc)
{
    return rc == -2 ? ALD_E_NOMEM : ALD_E_PATTERN_EVAL;
}

ald_err ald_pmatch_one(ald_pmatch *m, const ald_pobs *o, int *matched, struct ald_errpos *err)
{
    *matched = 0;
    if (!ald_pmatch_is_single(m)) {
        seterr(err, ALD_E_ARG, 0, "not a single-observation pattern");
        return ALD_E_ARG;
    }
    const struct cnode *c = m->root->cmp;
    for (size_t i = 0; i < o->nobjs; i++) {
        int r = eval_cnode(m, c, o, o->objs[i], err);
        if (r < 0)
            return errcode(r);
        if (r) {
            *matched = 1;
            return ALD_E_OK;
        }
    }
    return ALD_E_OK;
}

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
    pinst *copy = aalloc(&r->ar, w * sizeof *copy);
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
            seterr(r->err, ALD_E_PATTERN_EVAL, 0,
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
        seterr(r->err, ALD_E_PATTERN_EVAL, 0,
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
    struct it *it = aalloc(&r->ar, sizeof *it);
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
    it->lb = aalloc(&r->ar, (it->a->w + 1) * sizeof(pinst));
    it->rb = aalloc(&r->ar, ((it->b ? it->b->w : 0) + 1) * sizeof(pinst));
    it->cur = aalloc(&r->ar, (it->a->w + 1) * sizeof(pinst));
    if (n->kind == ALD_POE_REPEATS) {
        size_t nf = (size_t)(n->repeats > 0 ? n->repeats : 1);
        it->fr = aalloc(&r->ar, nf * sizeof *it->fr);
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
                int v = eval_cnode(m, c, &obs[o], obs[o].objs[i], err);
                if (v < 0) {
                    rc = errcode(v);
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
        seterr(err, ALD_E_NOMEM, 0, "out of memory");
    free_it(root);
    afree(&r.ar);
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
        seterr(err, ALD_E_NOMEM, 0, "out of memory");
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
