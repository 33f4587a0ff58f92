/*
 * iset.c - the indicator set: STIX 2.1 indicator objects loaded from JSON,
 * their patterns sorted into SIMPLE and GENERAL ones, and the simple ones
 * compiled into the hash set of exact values (hset.c) and the address
 * prefix table (iptrie.c) that scan.c probes.
 *
 * A pattern is SIMPLE when it is one observation or an OR of observations
 * (no AND / FOLLOWEDBY between observations, no qualifiers), each a
 * comparison expression whose disjunctive normal form holds only
 *   - single tests `path = 'v'`, `path IN ('a', 'b')`, or for addresses
 *     `path ISSUBSET 'cidr'`, none negated, on ipv4-addr:value,
 *     ipv6-addr:value (address or CIDR: `=` with a CIDR means "inside"),
 *     domain-name:value, url:value, email-addr:value,
 *     file:hashes.MD5 / 'SHA-1' / 'SHA-256' / 'SHA-512',
 *     x509-certificate:hashes.'SHA-1' / 'SHA-256',
 *     network-traffic:dst_port / src_port,
 *     network-traffic:dst_ref.value / src_ref.value (address with a role);
 *   - AND clauses of up to 4 such tests, all on network-traffic paths
 *     (dst_ref.value = X AND dst_port = 443): one record must satisfy every
 *     test of the clause.
 * Everything else is GENERAL: kept with its parsed tree for the general
 * evaluator (ald_iset_general), never compiled here.
 *
 * Memory: a simple indicator keeps its id and name (arena) and its terms;
 * its pattern text and tree are dropped once classified, so 10M indicators
 * fit in a few GB (docs/PERFORMANCE.md has the measured figures).
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include <hs.h>
#include <jansson.h>

#include "core/jerr.h"

#include "alidade/stix.h"
#include "match/match_int.h"

/* ---- string arena: stable pointers, no per-string malloc ---- */

typedef struct arena_blk {
    struct arena_blk *next;
    size_t used, cap;
    char data[];
} arena_blk;

static const char *arena_dup(arena_blk **a, size_t *total, const char *s, size_t n)
{
    arena_blk *b = *a;
    if (!b || b->cap - b->used < n + 1) {
        size_t cap = n + 1 > (1u << 20) ? n + 1 : (1u << 20);
        arena_blk *nb = malloc(sizeof *nb + cap);
        if (!nb)
            return NULL;
        nb->next = b;
        nb->used = 0;
        nb->cap = cap;
        *a = b = nb;
        *total += sizeof *nb + cap;
    }
    char *p = b->data + b->used;
    memcpy(p, s, n);
    p[n] = 0;
    b->used += n + 1;
    return p;
}

static void arena_free(arena_blk *b)
{
    while (b) {
        arena_blk *n = b->next;
        free(b);
        b = n;
    }
}

/* ---- growable arrays ---- */

#define VEC(T) struct { T *v; size_t n, cap; }
#define VEC_PUSH(vec, x, ok)                                                   \
    do {                                                                       \
        if ((vec).n == (vec).cap) {                                            \
            size_t nc_ = (vec).cap ? (vec).cap * 2 : 64;                       \
            void *nv_ = realloc((vec).v, nc_ * sizeof *(vec).v);               \
            if (!nv_) { (ok) = false; break; }                                 \
            (vec).v = nv_;                                                     \
            (vec).cap = nc_;                                                   \
        }                                                                      \
        (vec).v[(vec).n++] = (x);                                              \
        (ok) = true;                                                           \
    } while (0)

/* Gives back the unused capacity of a vector (kept when realloc fails). */
#define SHRINK(vec)                                                            \
    do {                                                                       \
        if ((vec).n && (vec).n < (vec).cap) {                                  \
            void *nv_ = realloc((vec).v, (vec).n * sizeof *(vec).v);           \
            if (nv_) {                                                         \
                (vec).v = nv_;                                                 \
                (vec).cap = (vec).n;                                           \
            }                                                                  \
        }                                                                      \
    } while (0)

/* A value waiting for compile: normalised text in `text`, and the term it
 * belongs to (UINT32_MAX for a prefilter-only value). */
typedef struct rawval {
    uint64_t hash;
    uint32_t text, len;
    uint32_t term;
    uint8_t kind, pre;
} rawval;

typedef struct rawaddr {
    mt_addr a;
    int plen;
    uint32_t term;
} rawaddr;

struct ald_iset {
    VEC(struct ald_indicator) ind;
    VEC(ald_pattern *) asts;        /* owned trees of general indicators */
    VEC(mt_term) terms;
    VEC(rawval) vals;
    VEC(rawaddr) addrs;
    VEC(char) text;                 /* normalised values, NUL-separated */
    VEC(size_t) general;
    arena_blk *arena;
    size_t arena_bytes;
    uint32_t nclauses;
    struct ald_iset_stats st;
    ald_valid_mode vmode;
    int64_t now_us;
    bool compiled, all_lines;
    /* compiled */
    mt_hset hset;
    mt_entry *entries;
    size_t nentries;
    uint32_t *termidx;
    size_t ntermidx;
    uint64_t *filter;
    size_t fmask;
    uint64_t lenmask[4];        /* lengths of the entries (255: 255 or more) */
    /* free text (ald_iset_compile_text) */
    hs_database_t *text_lit, *text_v4;
    bool text_ready;
    mt_iptrie trie;
};

ald_iset *ald_iset_new(void)
{
    ald_iset *s = calloc(1, sizeof *s);
    if (!s)
        return NULL;
    mt_iptrie_init(&s->trie);
    s->vmode = ALD_VALID_NOW;
    s->now_us = (int64_t)time(NULL) * 1000000;
    return s;
}

void ald_iset_free(ald_iset *s)
{
    if (!s)
        return;
    for (size_t i = 0; i < s->asts.n; i++)
        ald_pattern_free(s->asts.v[i]);
    free(s->asts.v);
    free(s->ind.v);
    free(s->terms.v);
    free(s->vals.v);
    free(s->addrs.v);
    free(s->text.v);
    free(s->general.v);
    arena_free(s->arena);
    mt_hset_free(&s->hset);
    free(s->entries);
    free(s->termidx);
    free(s->filter);
    hs_free_database(s->text_lit);
    hs_free_database(s->text_v4);
    mt_iptrie_free(&s->trie);
    free(s);
}

void ald_iset_set_validity(ald_iset *s, ald_valid_mode mode, int64_t now_us)
{
    s->vmode = mode;
    s->now_us = now_us;
}

const char *ald_ind_status_name(ald_ind_status st)
{
    static const char *const names[ALD_IND__COUNT] = {
        "simple", "general", "expired", "revoked", "unsupported", "invalid"};
    return (unsigned)st < ALD_IND__COUNT ? names[st] : "?";
}

/* ---- normalisation ---- */

static char lower(char c)
{
    return c >= 'A' && c <= 'Z' ? (char)(c + 32) : c;
}

size_t mt_normalise(int kind, const char *v, size_t n, char *out, size_t cap)
{
    if (n == 0 || n > cap)
        return (size_t)-1;
    if (kind == ALD_OBS_PORT) {
        unsigned long p = 0;
        size_t i = 0;
        for (; i < n; i++) {
            if (v[i] < '0' || v[i] > '9' || i > 5)
                return (size_t)-1;
            p = p * 10 + (unsigned long)(v[i] - '0');
        }
        if (p > 65535)
            return (size_t)-1;
        return (size_t)snprintf(out, cap, "%lu", p);
    }
    if (kind == ALD_OBS_URL) {
        /* scheme and host are case-insensitive (RFC 3986 3.1, 3.2.2); the
         * rest is compared as is */
        size_t i = 0, end_host = n;
        const char *sep = NULL;
        for (size_t j = 0; j + 2 < n; j++)
            if (v[j] == ':' && v[j + 1] == '/' && v[j + 2] == '/') {
                sep = v + j;
                break;
            }
        if (sep) {
            size_t hs = (size_t)(sep - v) + 3;
            end_host = hs;
            while (end_host < n && v[end_host] != '/' && v[end_host] != '?' &&
                   v[end_host] != '#')
                end_host++;
        } else {
            end_host = 0;
        }
        for (; i < end_host; i++)
            out[i] = lower(v[i]);
        memcpy(out + i, v + i, n - i);
        return n;
    }
    if (!mt_kind_caseless(kind)) {
        memcpy(out, v, n);
        return n;
    }
    for (size_t i = 0; i < n; i++)
        out[i] = lower(v[i]);
    if (kind == ALD_OBS_DOMAIN && n > 1 && out[n - 1] == '.')
        n--;    /* "evil.com." is "evil.com" */
    return n;
}

/* ---- classification: the DNF of a comparison expression ---- */

#define CL_MAX_TESTS 4
#define DNF_MAX 1024

typedef struct ptest {
    uint8_t kind, role, nt;   /* nt: a network-traffic path */
    const char *v;
    size_t len;
    int64_t port;
} ptest;

typedef struct pclause {
    ptest t[CL_MAX_TESTS];
    int n;
} pclause;

typedef VEC(pclause) pdnf;

static bool key_is(const ald_pstep *st, const char *k)
{
    return st->kind == ALD_PSTEP_KEY && strlen(k) == st->keylen &&
           strncasecmp(st->key, k, st->keylen) == 0;
}

/* The observable kind and role a path tests, or -1 when unsupported. The
 * kind of a network-traffic *_ref.value is IPV4 until the value says. */
static int path_kind(const ald_ppath *p, uint8_t *role, uint8_t *nt)
{
    const char *t = p->object_type;
    const ald_pstep *s = p->steps;
    *role = ALD_ROLE_NONE;
    *nt = 0;
    if (p->nsteps == 1 && key_is(&s[0], "value")) {
        if (!strcmp(t, "ipv4-addr"))
            return ALD_OBS_IPV4;
        if (!strcmp(t, "ipv6-addr"))
            return ALD_OBS_IPV6;
        if (!strcmp(t, "domain-name"))
            return ALD_OBS_DOMAIN;
        if (!strcmp(t, "url"))
            return ALD_OBS_URL;
        if (!strcmp(t, "email-addr"))
            return ALD_OBS_EMAIL;
        return -1;
    }
    if (p->nsteps == 2 && key_is(&s[0], "hashes") && s[1].kind == ALD_PSTEP_KEY) {
        if (!strcmp(t, "file")) {
            if (key_is(&s[1], "MD5"))
                return ALD_OBS_MD5;
            if (key_is(&s[1], "SHA-1"))
                return ALD_OBS_SHA1;
            if (key_is(&s[1], "SHA-256"))
                return ALD_OBS_SHA256;
            if (key_is(&s[1], "SHA-512"))
                return ALD_OBS_SHA512;
        } else if (!strcmp(t, "x509-certificate")) {
            if (key_is(&s[1], "SHA-1"))
                return ALD_OBS_X509_SHA1;
            if (key_is(&s[1], "SHA-256"))
                return ALD_OBS_X509_SHA256;
        }
        return -1;
    }
    if (strcmp(t, "network-traffic"))
        return -1;
    *nt = 1;
    if (p->nsteps == 1 && (key_is(&s[0], "dst_port") || key_is(&s[0], "src_port"))) {
        *role = key_is(&s[0], "dst_port") ? ALD_ROLE_DST : ALD_ROLE_SRC;
        return ALD_OBS_PORT;
    }
    if (p->nsteps == 2 && key_is(&s[1], "value") &&
        (key_is(&s[0], "dst_ref") || key_is(&s[0], "src_ref"))) {
        *role = key_is(&s[0], "dst_ref") ? ALD_ROLE_DST : ALD_ROLE_SRC;
        return ALD_OBS_IPV4;
    }
    return -1;
}

/* One value of a test as a ptest; false when it does not fit the kind. */
static bool make_test(int kind, uint8_t role, uint8_t nt, const ald_pval *v, ptest *out)
{
    memset(out, 0, sizeof *out);
    out->role = role;
    out->nt = nt;
    if (kind == ALD_OBS_PORT) {
        if (v->type != ALD_PV_INT || v->u.i < 0 || v->u.i > 65535)
            return false;
        out->kind = ALD_OBS_PORT;
        out->port = v->u.i;
        return true;
    }
    /* (longer values than the normalisation buffer: left to the general
     * evaluator) */
    if (v->type != ALD_PV_STRING || v->u.str.len == 0 || v->u.str.len > 4000)
        return false;
    out->v = v->u.str.p;
    out->len = v->u.str.len;
    if (kind == ALD_OBS_IPV4 || kind == ALD_OBS_IPV6) {
        mt_addr a;
        int plen;
        if (!mt_addr_parse(out->v, out->len, &a, &plen))
            return false;
        if (kind == ALD_OBS_IPV6 && !a.v6)
            return false;
        if (kind == ALD_OBS_IPV4 && a.v6 && !nt)
            return false;   /* ipv4-addr:value = '::1' never matches */
        out->kind = a.v6 ? ALD_OBS_IPV6 : ALD_OBS_IPV4;
        return true;
    }
    out->kind = (uint8_t)kind;
    return true;
}

static bool dnf_test(const ald_pcexpr *c, pdnf *out)
{
    uint8_t role, nt;
    int kind = path_kind(&c->path, &role, &nt);
    if (kind < 0 || c->negated)
        return false;
    bool ok = true;
    if (c->op == ALD_POP_EQ || (c->op == ALD_POP_ISSUBSET &&
                                (kind == ALD_OBS_IPV4 || kind == ALD_OBS_IPV6))) {
        if (c->nvals != 1)
            return false;
        pclause cl = {.n = 1};
        if (!make_test(kind, role, nt, &c->vals[0], &cl.t[0]))
            return false;
        if (c->op == ALD_POP_ISSUBSET && !memchr(cl.t[0].v, '/', cl.t[0].len))
            return false;
        VEC_PUSH(*out, cl, ok);
        return ok;
    }
    if (c->op == ALD_POP_IN) {
        if (c->nvals == 0 || c->nvals > DNF_MAX)
            return false;
        for (size_t i = 0; i < c->nvals; i++) {
            pclause cl = {.n = 1};
            if (!make_test(kind, role, nt, &c->vals[i], &cl.t[0]))
                return false;
            VEC_PUSH(*out, cl, ok);
            if (!ok)
                return false;
        }
        return true;
    }
    return false;
}

static bool dnf(const ald_pcexpr *c, pdnf *out)
{
    if (c->kind == ALD_PCE_TEST)
        return dnf_test(c, out);
    if (c->kind == ALD_PCE_OR)
        return dnf(c->l, out) && dnf(c->r, out) && out->n <= DNF_MAX;
    /* AND: every clause of the left times every clause of the right, only
     * network-traffic tests, at most CL_MAX_TESTS per clause */
    pdnf l = {0}, r = {0};
    bool ok = dnf(c->l, &l) && dnf(c->r, &r) && l.n * r.n <= DNF_MAX;
    for (size_t i = 0; ok && i < l.n; i++) {
        for (size_t j = 0; ok && j < r.n; j++) {
            pclause m = l.v[i];
            const pclause *b = &r.v[j];
            if (m.n + b->n > CL_MAX_TESTS) {
                ok = false;
                break;
            }
            for (int k = 0; k < b->n; k++)
                m.t[m.n++] = b->t[k];
            for (int k = 0; k < m.n; k++)
                if (!m.t[k].nt)
                    ok = false;
            if (ok)
                VEC_PUSH(*out, m, ok);
        }
    }
    free(l.v);
    free(r.v);
    return ok;
}

static bool simple_obs(const ald_poexpr *e, pdnf *out)
{
    if (e->kind == ALD_POE_OBS)
        return dnf(e->cmp, out) && out->n <= DNF_MAX;
    if (e->kind == ALD_POE_OR)
        return simple_obs(e->l, out) && simple_obs(e->r, out);
    return false;
}

/* ---- adding ---- */

static void seterr(struct ald_errpos *err, ald_err code, size_t off, const char *fmt,
                   const char *arg)
{
    if (!err)
        return;
    memset(err, 0, sizeof *err);
    err->code = code;
    err->offset = off;
    snprintf(err->msg, sizeof err->msg, fmt, arg ? arg : "");
}

static bool add_text(ald_iset *s, const char *v, size_t n, uint32_t *off)
{
    if (s->text.n + n + 1 > UINT32_MAX)
        return false;
    if (s->text.n + n + 1 > s->text.cap) {
        size_t nc = s->text.cap ? s->text.cap : 4096;
        while (nc < s->text.n + n + 1)
            nc *= 2;
        char *nv = realloc(s->text.v, nc);
        if (!nv)
            return false;
        s->text.v = nv;
        s->text.cap = nc;
    }
    *off = (uint32_t)s->text.n;
    memcpy(s->text.v + s->text.n, v, n);
    s->text.v[s->text.n + n] = 0;
    s->text.n += n + 1;
    return true;
}

static bool add_val(ald_iset *s, int kind, const char *v, size_t n, uint32_t term, int pre)
{
    char buf[4096];
    size_t m = mt_normalise(kind, v, n, buf, sizeof buf);
    if (m == (size_t)-1)
        return false;
    rawval rv = {.hash = mt_hash_fold(buf, m), .len = (uint32_t)m, .term = term,
                 .kind = (uint8_t)kind, .pre = (uint8_t)pre};
    if (!add_text(s, buf, m, &rv.text))
        return false;
    bool ok;
    VEC_PUSH(s->vals, rv, ok);
    if (ok)
        s->st.values[kind] += !pre;
    return ok;
}

/* Extra fast-path values for one value: what a log shows of it when the log
 * does not print it whole (see docs/match.md). */
static bool add_prefilter(ald_iset *s, const ptest *t)
{
    if (t->kind == ALD_OBS_URL) {
        /* EVE and Zeek http print host and path as two fields: the path
         * (with query) finds the line, or the host when the path is "/" */
        const char *v = t->v, *e = v + t->len, *p = NULL;
        for (const char *q = v; q + 2 < e; q++)
            if (q[0] == ':' && q[1] == '/' && q[2] == '/') {
                p = q + 3;
                break;
            }
        if (!p)
            return true;
        const char *h = p;
        while (p < e && *p != '/')
            p++;
        if (e - p > 1)
            return add_val(s, ALD_OBS_URL, p, (size_t)(e - p), UINT32_MAX, 1);
        return add_val(s, ALD_OBS_URL, h, (size_t)(p - h), UINT32_MAX, 1);
    }
    if (t->kind == ALD_OBS_X509_SHA1 && t->len == 40) {
        /* Suricata's tls.fingerprint: "aa:bb:..." */
        char buf[60];
        size_t k = 0;
        for (size_t i = 0; i < 40; i += 2) {
            if (i)
                buf[k++] = ':';
            buf[k++] = t->v[i];
            buf[k++] = t->v[i + 1];
        }
        return add_val(s, ALD_OBS_X509_SHA1, buf, k, UINT32_MAX, 1);
    }
    return true;
}

static bool add_clauses(ald_iset *s, uint32_t ind, const pdnf *d)
{
    bool ok = true;
    for (size_t i = 0; i < d->n && ok; i++) {
        const pclause *c = &d->v[i];
        uint32_t clause = s->nclauses++;
        bool ports_only = true;
        if (c->n > 1)
            s->st.conjunctions++;
        for (int k = 0; k < c->n && ok; k++) {
            const ptest *t = &c->t[k];
            mt_term term = {.ind = ind, .clause = clause, .kind = t->kind, .role = t->role,
                            .idx = (uint8_t)k, .nterms = (uint8_t)c->n};
            if (s->terms.n >= UINT32_MAX - 1)
                return false;
            uint32_t tid = (uint32_t)s->terms.n;
            VEC_PUSH(s->terms, term, ok);
            if (!ok)
                break;
            if (t->kind == ALD_OBS_PORT) {
                char pb[8];
                int pn = snprintf(pb, sizeof pb, "%d", (int)t->port);
                ok = add_val(s, ALD_OBS_PORT, pb, (size_t)pn, tid, 0);
                continue;
            }
            ports_only = false;
            if (t->kind == ALD_OBS_IPV4 || t->kind == ALD_OBS_IPV6) {
                rawaddr ra = {.term = tid};
                ok = mt_addr_parse(t->v, t->len, &ra.a, &ra.plen);
                if (ok)
                    VEC_PUSH(s->addrs, ra, ok);
                if (ok) {
                    s->st.values[t->kind]++;
                    if (ra.plen >= 0 && ra.plen < (ra.a.v6 ? 128 : 32))
                        s->st.cidrs++;
                }
                continue;
            }
            ok = add_val(s, t->kind, t->v, t->len, tid, 0) && add_prefilter(s, t);
        }
        if (ports_only)
            s->all_lines = true;
    }
    return ok;
}

static const char *jstr(json_t *o, const char *k, size_t *n)
{
    json_t *v = json_object_get(o, k);
    if (!json_is_string(v))
        return NULL;
    if (n)
        *n = json_string_length(v);
    return json_string_value(v);
}

/* The id of a broken object for the error callback, when there is one. */
static void copy_id(json_t *o, char *id, size_t cap)
{
    const char *v = json_is_object(o) ? jstr(o, "id", NULL) : NULL;
    if (id && cap)
        snprintf(id, cap, "%s", v ? v : "");
}

static ald_err add_obj(ald_iset *s, json_t *o, struct ald_errpos *err, char *idbuf,
                       size_t idcap)
{
    copy_id(o, idbuf, idcap);
    if (!json_is_object(o)) {
        s->st.status[ALD_IND_INVALID]++;
        seterr(err, ALD_E_STIX_INVALID, 0, "not a JSON object%s", NULL);
        return ALD_E_STIX_INVALID;
    }
    const char *type = jstr(o, "type", NULL);
    if (!type || strcmp(type, "indicator")) {
        s->st.other_objects++;
        return ALD_E_OK;
    }
    struct ald_indicator ind = {.valid_from_us = INT64_MIN, .valid_until_us = INT64_MAX};
    size_t idlen = 0, plen = 0, nlen = 0;
    const char *id = jstr(o, "id", &idlen);
    const char *pattern = jstr(o, "pattern", &plen);
    const char *ptype = jstr(o, "pattern_type", NULL);
    const char *vf = jstr(o, "valid_from", NULL), *vu = jstr(o, "valid_until", NULL);
    const char *name = jstr(o, "name", &nlen);
    json_t *rev = json_object_get(o, "revoked");
    const char *bad = NULL;
    if (!id || strncmp(id, "indicator--", 11))
        bad = "id";
    else if (!pattern)
        bad = "pattern";
    else if (!ptype)
        bad = "pattern_type";
    else if (!vf || !stix_time_parse(vf, strlen(vf), &ind.valid_from_us))
        bad = "valid_from";
    else if (json_object_get(o, "valid_until") &&
             (!vu || !stix_time_parse(vu, strlen(vu), &ind.valid_until_us) ||
              ind.valid_until_us <= ind.valid_from_us))
        bad = "valid_until";
    else if (rev && !json_is_boolean(rev))
        bad = "revoked";
    if (bad) {
        s->st.status[ALD_IND_INVALID]++;
        seterr(err, ALD_E_STIX_INVALID, 0,
               strcmp(bad, "valid_until") ? "indicator: '%s' missing or invalid"
                                          : "indicator: '%s' invalid or not after valid_from",
               bad);
        return ALD_E_STIX_INVALID;
    }
    if (rev && json_is_true(rev))
        ind.status = ALD_IND_REVOKED;
    else if (strcmp(ptype, "stix"))
        ind.status = ALD_IND_UNSUPPORTED;

    ald_pattern *ast = NULL;
    pdnf d = {0};
    if (ind.status == ALD_IND_SIMPLE) {
        struct ald_errpos pe;
        memset(&pe, 0, sizeof pe);
        ald_err e = ald_pattern_parse(pattern, plen, &ast, &pe);
        if (e != ALD_E_OK) {
            s->st.status[ALD_IND_INVALID]++;
            if (err) {
                *err = pe;
                err->code = e;
            }
            return e;
        }
        if (!simple_obs(ald_pattern_root(ast), &d))
            ind.status = ALD_IND_GENERAL;
    }

    bool ok = true;
    if (s->ind.n >= UINT32_MAX - 1)
        ok = false;
    uint32_t idx = (uint32_t)s->ind.n;
    if (ok) {
        ind.id = arena_dup(&s->arena, &s->arena_bytes, id, idlen);
        ind.name = name ? arena_dup(&s->arena, &s->arena_bytes, name, nlen) : NULL;
        ok = ind.id && (!name || ind.name);
    }
    if (ok && ind.status == ALD_IND_GENERAL) {
        ind.pattern = arena_dup(&s->arena, &s->arena_bytes, pattern, plen);
        ind.ast = ast;
        ok = ind.pattern != NULL;
        if (ok)
            VEC_PUSH(s->asts, ast, ok);
        if (ok) {
            ast = NULL;
            size_t gi = idx;
            VEC_PUSH(s->general, gi, ok);
        }
    }
    if (ok && ind.status == ALD_IND_SIMPLE)
        ok = add_clauses(s, idx, &d);
    if (ok)
        VEC_PUSH(s->ind, ind, ok);
    free(d.v);
    ald_pattern_free(ast);
    if (!ok) {
        seterr(err, ALD_E_NOMEM, 0, "out of memory%s", NULL);
        return ALD_E_NOMEM;
    }
    s->st.status[ind.status]++;
    return ALD_E_OK;
}

static ald_err add_text_obj(ald_iset *s, const char *json, size_t len,
                            struct ald_errpos *err, char *idbuf, size_t idcap)
{
    if (idbuf && idcap)
        idbuf[0] = 0;
    if (s->compiled) {
        seterr(err, ALD_E_ARG, 0, "indicator set already compiled%s", NULL);
        return ALD_E_ARG;
    }
    json_t *o = ald_json_loadb(json ? json : "", json ? len : 0, err);
    if (!o) {
        s->st.status[ALD_IND_INVALID]++;
        return ALD_E_JSON;
    }
    ald_err e = add_obj(s, o, err, idbuf, idcap);
    json_decref(o);
    return e;
}

ald_err ald_iset_add_json(ald_iset *s, const char *json, size_t len, struct ald_errpos *err)
{
    return add_text_obj(s, json, len, err, NULL, 0);
}

struct bundle_ctx {
    ald_iset *s;
    ald_iset_err_cb cb;
    void *ctx;
    ald_err fatal;
};

static int bundle_obj(void *vctx, const char *obj, size_t len, size_t index)
{
    struct bundle_ctx *b = vctx;
    struct ald_errpos e;
    char id[STIX_ID_MAX];
    memset(&e, 0, sizeof e);
    ald_err r = add_text_obj(b->s, obj, len, &e, id, sizeof id);
    if (r == ALD_E_NOMEM || r == ALD_E_ARG) {
        b->fatal = r;
        return 1;
    }
    if (r != ALD_E_OK && b->cb)
        b->cb(b->ctx, index, id, &e);
    return 0;
}

ald_err ald_iset_add_bundle(ald_iset *s, const char *text, size_t len, ald_iset_err_cb cb,
                            void *ctx, struct ald_errpos *err)
{
    struct bundle_ctx b = {s, cb, ctx, ALD_E_OK};
    char msg[200];
    msg[0] = 0;
    int r = stix_split(text, len, bundle_obj, &b, msg, sizeof msg);
    if (b.fatal != ALD_E_OK) {
        seterr(err, b.fatal, 0, "%s", b.fatal == ALD_E_NOMEM ? "out of memory"
                                                             : "indicator set already compiled");
        return b.fatal;
    }
    if (r < 0) {
        seterr(err, ALD_E_JSON, 0, "%s", msg);
        return ALD_E_JSON;
    }
    return ALD_E_OK;
}

/* ---- compile ---- */

static bool valid_now(const ald_iset *s, const struct ald_indicator *in)
{
    return s->vmode != ALD_VALID_NOW ||
           (in->valid_from_us <= s->now_us && s->now_us < in->valid_until_us);
}

static int cmp_val(const void *a, const void *b, void *ctx)
{
    const rawval *x = a, *y = b;
    const char *text = ctx;
    if (x->hash != y->hash)
        return x->hash < y->hash ? -1 : 1;
    if (x->kind != y->kind)
        return x->kind - y->kind;
    if (x->pre != y->pre)
        return x->pre - y->pre;
    if (x->len != y->len)
        return x->len < y->len ? -1 : 1;
    int c = memcmp(text + x->text, text + y->text, x->len);
    if (c)
        return c;
    return x->term < y->term ? -1 : x->term > y->term;
}

static double mono(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

ald_err ald_iset_compile(ald_iset *s, struct ald_errpos *err)
{
    if (s->compiled) {
        seterr(err, ALD_E_ARG, 0, "indicator set already compiled%s", NULL);
        return ALD_E_ARG;
    }
    double t0 = mono();
    /* validity at `now` */
    for (size_t i = 0; i < s->ind.n; i++) {
        struct ald_indicator *in = &s->ind.v[i];
        if ((in->status == ALD_IND_SIMPLE || in->status == ALD_IND_GENERAL) &&
            !valid_now(s, in)) {
            s->st.status[in->status]--;
            in->status = ALD_IND_EXPIRED;
            s->st.status[ALD_IND_EXPIRED]++;
        }
    }
    size_t gn = 0;
    for (size_t i = 0; i < s->general.n; i++)
        if (s->ind.v[s->general.v[i]].status == ALD_IND_GENERAL)
            s->general.v[gn++] = s->general.v[i];
    s->general.n = gn;

    /* exact values: sort, group equal (kind, pre, text) into entries */
    if (s->vals.n)
        qsort_r(s->vals.v, s->vals.n, sizeof *s->vals.v, cmp_val, s->text.v);
    s->entries = malloc((s->vals.n ? s->vals.n : 1) * sizeof *s->entries);
    s->termidx = malloc((s->vals.n ? s->vals.n : 1) * sizeof *s->termidx);
    if (!s->entries || !s->termidx || !mt_hset_init(&s->hset, s->vals.n))
        goto nomem;
    for (size_t i = 0; i < s->vals.n;) {
        const rawval *r = &s->vals.v[i];
        mt_entry e = {.hash = r->hash, .text = r->text, .len = r->len, .kind = r->kind,
                      .pre = r->pre, .term0 = (uint32_t)s->ntermidx};
        size_t j = i;
        for (; j < s->vals.n; j++) {
            const rawval *q = &s->vals.v[j];
            if (q->hash != r->hash || q->kind != r->kind || q->pre != r->pre ||
                q->len != r->len || memcmp(s->text.v + q->text, s->text.v + r->text, r->len))
                break;
            if (q->term != UINT32_MAX &&
                s->ind.v[s->terms.v[q->term].ind].status == ALD_IND_SIMPLE)
                s->termidx[s->ntermidx++] = q->term;
        }
        e.nterm = (uint32_t)(s->ntermidx - e.term0);
        i = j;
        if (!e.pre && e.nterm == 0)
            continue;       /* every indicator of it expired */
        s->entries[s->nentries] = e;
        mt_hset_put(&s->hset, e.hash, (uint32_t)s->nentries);
        s->nentries++;
    }
    free(s->vals.v);
    s->vals.v = NULL;
    s->vals.n = s->vals.cap = 0;

    /* the fast path's bit filter: 16 bits per entry, at least 64 words */
    size_t words = 64;
    while (words * 4 < s->nentries)
        words <<= 1;
    s->filter = calloc(words, sizeof *s->filter);
    if (!s->filter)
        goto nomem;
    s->fmask = words - 1;
    for (size_t i = 0; i < s->nentries; i++) {
        uint64_t h = mt_qhash_fold(s->text.v + s->entries[i].text, s->entries[i].len);
        s->filter[(h >> 12) & s->fmask] |= (UINT64_C(1) << (h & 63)) |
                                           (UINT64_C(1) << ((h >> 6) & 63));
        size_t l = s->entries[i].len < 255 ? s->entries[i].len : 255;
        s->lenmask[l >> 6] |= UINT64_C(1) << (l & 63);
    }

    /* addresses */
    for (size_t i = 0; i < s->addrs.n; i++) {
        const rawaddr *a = &s->addrs.v[i];
        if (s->ind.v[s->terms.v[a->term].ind].status != ALD_IND_SIMPLE)
            continue;
        if (!mt_iptrie_add(&s->trie, &a->a, a->plen, a->term))
            goto nomem;
    }
    free(s->addrs.v);
    s->addrs.v = NULL;
    s->addrs.n = s->addrs.cap = 0;

    /* the arrays grew by doubling: give the slack back (up to half of
     * them at 10M indicators) */
    SHRINK(s->ind);
    SHRINK(s->terms);
    SHRINK(s->text);
    SHRINK(s->general);
    if (s->nentries) {
        void *p = realloc(s->entries, s->nentries * sizeof *s->entries);
        if (p)
            s->entries = p;
    }
    if (s->ntermidx) {
        void *p = realloc(s->termidx, s->ntermidx * sizeof *s->termidx);
        if (p)
            s->termidx = p;
    }
    s->compiled = true;
    s->st.compile_s = mono() - t0;
    return ALD_E_OK;
nomem:
    seterr(err, ALD_E_NOMEM, 0, "out of memory%s", NULL);
    return ALD_E_NOMEM;
}

/* ---- free text: Vectorscan ---- */

struct lits {
    const char **p;
    size_t *len;
    unsigned *flags, *ids;
    size_t n, cap;
    char *hosts;                /* "a.b.c.d\0" x 16 bytes */
    size_t nhosts;
    bool nomem;
};

static void lit_push(struct lits *l, const char *p, size_t len)
{
    if (l->n == l->cap) {
        size_t nc = l->cap ? l->cap * 2 : 1024;
        const char **np = realloc(l->p, nc * sizeof *np);
        size_t *nl = np ? realloc(l->len, nc * sizeof *nl) : NULL;
        unsigned *nf = nl ? realloc(l->flags, nc * sizeof *nf) : NULL;
        unsigned *ni = nf ? realloc(l->ids, nc * sizeof *ni) : NULL;
        if (np)
            l->p = np;
        if (nl)
            l->len = nl;
        if (nf)
            l->flags = nf;
        if (!ni) {
            l->nomem = true;
            return;
        }
        l->ids = ni;
        l->cap = nc;
    }
    l->p[l->n] = p;
    l->len[l->n] = len;
    /* a superset is all the prefilter needs: every literal without case */
    l->flags[l->n] = HS_FLAG_CASELESS;
    /* distinct ids: Vectorscan compiles thousands of literals sharing one id
     * into one huge report (minutes, GBs) */
    l->ids[l->n] = (unsigned)l->n;
    l->n++;
}

static void count_host(void *ctx, uint32_t a)
{
    (void)a;
    ++*(size_t *)ctx;
}

static void host_text(void *ctx, uint32_t a)
{
    struct lits *l = ctx;
    char *t = l->hosts + 16 * l->nhosts++;
    snprintf(t, 16, "%u.%u.%u.%u", a >> 24, (a >> 16) & 255, (a >> 8) & 255, a & 255);
}

ald_err ald_iset_compile_text(ald_iset *s, struct ald_errpos *err)
{
    if (!s->compiled) {
        seterr(err, ALD_E_ARG, 0, "indicator set not compiled%s", NULL);
        return ALD_E_ARG;
    }
    if (s->text_ready)
        return ALD_E_OK;
    struct lits l = {0};
    size_t nh = 0;
    mt_iptrie_each_host4(&s->trie, count_host, &nh);
    bool cidr4 = s->trie.nlens[0] > (s->trie.tab[0][32] ? 1 : 0);
    ald_err rc = ALD_E_OK;
    l.hosts = malloc(16 * (nh ? nh : 1));
    if (!l.hosts)
        goto nomem;
    for (size_t i = 0; i < s->nentries; i++)
        lit_push(&l, s->text.v + s->entries[i].text, s->entries[i].len);
    mt_iptrie_each_host4(&s->trie, host_text, &l);
    for (size_t i = 0; i < l.nhosts; i++)
        lit_push(&l, l.hosts + 16 * i, strlen(l.hosts + 16 * i));
    if (l.nomem)
        goto nomem;
    hs_compile_error_t *ce = NULL;
    if (l.n && hs_compile_lit_multi(l.p, l.flags, l.ids, l.len, (unsigned)l.n, HS_MODE_BLOCK,
                                    NULL, &s->text_lit, &ce) != HS_SUCCESS) {
        seterr(err, ALD_E_PATTERN, 0, "Vectorscan: %s", ce ? ce->message : "?");
        hs_free_compile_error(ce);
        rc = ALD_E_PATTERN;
        goto out;
    }
    /* addresses the literals cannot stand for: every dotted quad when there
     * are IPv4 CIDRs (id 1), every run of hex digits and colons when there
     * are IPv6 values, whose spellings vary (id 2); scan.c parses them and
     * looks them up in the prefix tables */
    const char *apat[2];
    unsigned aflags[2] = {0, 0}, aids[2];
    unsigned na = 0;
    if (cidr4) {
        apat[na] = "[0-9]{1,3}\\.[0-9]{1,3}\\.[0-9]{1,3}\\.[0-9]{1,3}";
        aids[na++] = 1;
    }
    if (s->trie.nlens[1] > 0) {
        apat[na] = "[0-9A-Fa-f]{0,4}:[0-9A-Fa-f]{0,4}:[0-9A-Fa-f:.]*";
        aids[na++] = 2;
    }
    if (na && hs_compile_multi(apat, aflags, aids, na, HS_MODE_BLOCK, NULL, &s->text_v4, &ce) !=
                  HS_SUCCESS) {
        seterr(err, ALD_E_PATTERN, 0, "Vectorscan: %s", ce ? ce->message : "?");
        hs_free_compile_error(ce);
        rc = ALD_E_PATTERN;
        goto out;
    }
    s->text_ready = true;
    size_t b;
    if (s->text_lit && hs_database_size(s->text_lit, &b) == HS_SUCCESS)
        s->st.db_bytes += b;
    if (s->text_v4 && hs_database_size(s->text_v4, &b) == HS_SUCCESS)
        s->st.db_bytes += b;
    s->st.literals = l.n;
    goto out;
nomem:
    seterr(err, ALD_E_NOMEM, 0, "out of memory%s", NULL);
    rc = ALD_E_NOMEM;
out:
    free(l.p);
    free(l.len);
    free(l.flags);
    free(l.ids);
    free(l.hosts);
    return rc;
}

/* ---- queries ---- */

size_t ald_iset_count(const ald_iset *s)
{
    return s->ind.n;
}

const struct ald_indicator *ald_iset_get(const ald_iset *s, size_t index)
{
    return index < s->ind.n ? &s->ind.v[index] : NULL;
}

void ald_iset_stats(const ald_iset *s, struct ald_iset_stats *st)
{
    *st = s->st;
    st->mem_bytes = sizeof *s + s->ind.cap * sizeof *s->ind.v +
                    s->terms.cap * sizeof *s->terms.v + s->text.cap +
                    s->general.cap * sizeof(size_t) + s->arena_bytes +
                    s->vals.cap * sizeof(rawval) + s->addrs.cap * sizeof(rawaddr);
    if (s->compiled)
        st->mem_bytes += mt_hset_bytes(&s->hset) + s->nentries * sizeof(mt_entry) +
                         s->ntermidx * sizeof(uint32_t) + mt_iptrie_bytes(&s->trie) +
                         (s->fmask + 1) * sizeof(uint64_t) + s->st.db_bytes;
}

const size_t *ald_iset_general(const ald_iset *s, size_t *n)
{
    *n = s->general.n;
    return s->general.v;
}

const mt_hset *mt_iset_hset(const ald_iset *s) { return &s->hset; }
const uint64_t *mt_iset_lenmask(const ald_iset *s)
{
    return s->lenmask;
}

const uint64_t *mt_iset_filter(const ald_iset *s, size_t *wmask)
{
    *wmask = s->fmask;
    return s->filter;
}
const mt_entry *mt_iset_entries(const ald_iset *s) { return s->entries; }
const char *mt_iset_text(const ald_iset *s) { return s->text.v; }
const uint32_t *mt_iset_termidx(const ald_iset *s) { return s->termidx; }
const mt_term *mt_iset_terms(const ald_iset *s) { return s->terms.v; }
const mt_iptrie *mt_iset_iptrie(const ald_iset *s) { return &s->trie; }
bool mt_iset_needs_all_lines(const ald_iset *s) { return s->all_lines; }
bool mt_iset_compiled(const ald_iset *s) { return s->compiled; }
const void *mt_iset_text_lit(const ald_iset *s) { return s->text_lit; }
const void *mt_iset_text_v4(const ald_iset *s) { return s->text_v4; }
bool mt_iset_text_ready(const ald_iset *s) { return s->text_ready; }

ald_valid_mode mt_iset_valid_mode(const ald_iset *s, int64_t *now_us)
{
    *now_us = s->now_us;
    return s->vmode;
}
