/*
 * scan.c - the scanner: big buffers of log lines against a compiled
 * indicator set, in two stages.
 *
 * 1. The fast path finds CANDIDATE lines without parsing them. For JSON
 *    lines (Suricata EVE, Zeek JSON) it walks the bytes with a 64-byte
 *    bitmap of the structural characters ('"', '\\', '\n'; SSE2 compares
 *    on x86-64), takes every JSON string that is a value (not a key), and
 *    probes it: an address-looking string is parsed and looked up in the
 *    prefix table, any other string is hashed (case folded) and looked up
 *    in the hash set of exact values. For Zeek TSV the values are the
 *    tab-separated fields (and their comma-separated parts). A line is a
 *    candidate when one of its values IS an indicator value (or a
 *    prefilter value: a URL's path, a colon-separated fingerprint), so
 *    "notevil.com" and "10.1.1.10" never make a candidate for "evil.com"
 *    and 10.1.1.1, and the cost per line does not grow with the number of
 *    indicators (one probe per value; see docs/match.md for why this beat
 *    one Vectorscan literal database here).
 * 2. Every candidate line is parsed (logparse.h) and each field of the
 *    record is checked against the set by kind and role: exact equality
 *    after normalisation (mt_normalise), containment for CIDRs, every test
 *    of a conjunction on the same record. That decides the hits; the fast
 *    path only decides what is worth parsing.
 *
 * Free text (ALD_LOG_TEXT) has no reliable value boundaries, and sets with
 * port-only clauses need every record: then every line is parsed (slower,
 * still exact). So is every line when a record callback is set and the set
 * has GENERAL indicators (the evaluator needs every record).
 */
#include <stdlib.h>
#include <hs.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include "match/match_int.h"

enum fast { F_AUTO, F_JSON, F_TSV, F_ALL };

typedef struct match {
    uint32_t term;
    const ald_logfield *f;
} match;

struct ald_scanner {
    const ald_iset *s;
    const mt_hset *hs;
    const mt_entry *ent;
    const char *text;
    const uint32_t *tidx;
    const mt_term *terms;
    const mt_iptrie *trie;
    const uint64_t *filter;
    size_t fmask;
    uint64_t lenmask[4];
    bool has_vals, has_addrs, has_general;
    ald_valid_mode vmode;
    int64_t now_us;
    enum fast fast;
    bool need_all;          /* port-only clauses: every line */
    ald_logparser *lp;
    ald_allow_cb allow;
    void *allow_ctx;
    ald_record_cb rcb;
    void *rctx;
    ald_bad_line_cb bad;
    void *bad_ctx;
    uint64_t line;
    struct ald_scan_stats st;
    match *m;
    size_t mn, mcap;
    uint32_t *done;         /* indicators reported for the current line */
    size_t dn, dcap;
    ald_hit_cb cb;
    void *cbctx;
    bool stop;
    /* free text through Vectorscan (ald_iset_compile_text) */
    const hs_database_t *text_lit, *text_v4;
    hs_scratch_t *scr_lit, *scr_v4;
    size_t *offs;           /* offsets of candidate bytes in the buffer */
    size_t no, ocap;
    size_t v4_end, v6_end;  /* end of the last address token looked up */
    bool offs_nomem, text_dense;
    char tmp[4096];         /* unescaped JSON string / normalised value */
};

ald_scanner *ald_scanner_new(const ald_iset *s, ald_log_format fmt)
{
    if (!s || !mt_iset_compiled(s))
        return NULL;
    ald_scanner *sc = calloc(1, sizeof *sc);
    if (!sc)
        return NULL;
    sc->s = s;
    sc->hs = mt_iset_hset(s);
    sc->ent = mt_iset_entries(s);
    sc->text = mt_iset_text(s);
    sc->tidx = mt_iset_termidx(s);
    sc->terms = mt_iset_terms(s);
    sc->trie = mt_iset_iptrie(s);
    sc->filter = mt_iset_filter(s, &sc->fmask);
    memcpy(sc->lenmask, mt_iset_lenmask(s), sizeof sc->lenmask);
    sc->has_vals = sc->hs->n > 0;
    sc->has_addrs = sc->trie->n > 0;
    size_t ng;
    ald_iset_general(s, &ng);
    sc->has_general = ng > 0;
    sc->vmode = mt_iset_valid_mode(s, &sc->now_us);
    sc->need_all = mt_iset_needs_all_lines(s);
    switch (fmt) {
    case ALD_LOG_EVE:
    case ALD_LOG_ZEEK_JSON:
        sc->fast = F_JSON;
        break;
    case ALD_LOG_ZEEK_TSV:
        sc->fast = F_TSV;
        break;
    case ALD_LOG_TEXT:
        sc->fast = F_ALL;
        break;
    default:
        sc->fast = F_AUTO;
    }
    sc->lp = ald_logparser_new(fmt);
    if (!sc->lp) {
        free(sc);
        return NULL;
    }
    if (mt_iset_text_ready(s)) {
        sc->text_lit = mt_iset_text_lit(s);
        sc->text_v4 = mt_iset_text_v4(s);
        if ((sc->text_lit && hs_alloc_scratch(sc->text_lit, &sc->scr_lit) != HS_SUCCESS) ||
            (sc->text_v4 && hs_alloc_scratch(sc->text_v4, &sc->scr_v4) != HS_SUCCESS)) {
            ald_scanner_free(sc);
            return NULL;
        }
    }
    return sc;
}

void ald_scanner_free(ald_scanner *sc)
{
    if (!sc)
        return;
    ald_logparser_free(sc->lp);
    hs_free_scratch(sc->scr_lit);
    hs_free_scratch(sc->scr_v4);
    free(sc->offs);
    free(sc->m);
    free(sc->done);
    free(sc);
}

void ald_scanner_set_allow(ald_scanner *sc, ald_allow_cb allow, void *ctx)
{
    sc->allow = allow;
    sc->allow_ctx = ctx;
}

void ald_scanner_set_record_cb(ald_scanner *sc, ald_record_cb cb, void *ctx)
{
    sc->rcb = cb;
    sc->rctx = ctx;
}

void ald_scanner_set_bad_line_cb(ald_scanner *sc, ald_bad_line_cb cb, void *ctx)
{
    sc->bad = cb;
    sc->bad_ctx = ctx;
}

void ald_scanner_set_parse_all(ald_scanner *sc, int on)
{
    if (on)
        sc->need_all = true;
}

ald_log_format ald_scanner_format(const ald_scanner *sc)
{
    return ald_logparser_format(sc->lp);
}

void ald_scanner_stats(const ald_scanner *sc, struct ald_scan_stats *st)
{
    *st = sc->st;
}

/* ---- stage 2: a record against the set ---- */

static bool push_match(ald_scanner *sc, uint32_t term, const ald_logfield *f)
{
    if (sc->mn == sc->mcap) {
        size_t nc = sc->mcap ? sc->mcap * 2 : 32;
        match *nm = realloc(sc->m, nc * sizeof *nm);
        if (!nm)
            return false;
        sc->m = nm;
        sc->mcap = nc;
    }
    sc->m[sc->mn++] = (match){term, f};
    return true;
}

static bool role_ok(const mt_term *t, const ald_logfield *f)
{
    return t->role == ALD_ROLE_NONE || t->role == f->role;
}

struct addr_ctx {
    ald_scanner *sc;
    const ald_logfield *f;
    bool nomem;
};

static int addr_found(void *vctx, uint32_t term, int plen)
{
    struct addr_ctx *c = vctx;
    (void)plen;
    if (role_ok(&c->sc->terms[term], c->f) && !push_match(c->sc, term, c->f)) {
        c->nomem = true;
        return 1;
    }
    return 0;
}

/* Collects every (term, field) pair of rec into sc->m. */
static bool collect(ald_scanner *sc, const ald_logrec *rec)
{
    sc->mn = 0;
    for (size_t i = 0; i < rec->nfields; i++) {
        const ald_logfield *f = &rec->fields[i];
        if (f->kind == ALD_OBS_IPV4 || f->kind == ALD_OBS_IPV6) {
            mt_addr a;
            int plen;
            if (!sc->has_addrs || !mt_addr_parse(f->v, f->len, &a, &plen) || plen >= 0)
                continue;
            struct addr_ctx c = {sc, f, false};
            mt_iptrie_find(sc->trie, &a, addr_found, &c);
            if (c.nomem)
                return false;
            continue;
        }
        if (!sc->has_vals)
            continue;
        size_t n = mt_normalise(f->kind, f->v, f->len, sc->tmp, sizeof sc->tmp);
        if (n == (size_t)-1)
            continue;
        uint64_t h = mt_hash_fold(sc->tmp, n);
        size_t pos = 0;
        for (uint32_t e; (e = mt_hset_next(sc->hs, h, &pos)) != UINT32_MAX;) {
            const mt_entry *en = &sc->ent[e];
            if (en->hash != h || en->pre || en->kind != f->kind || en->len != n ||
                memcmp(sc->text + en->text, sc->tmp, n))
                continue;
            for (uint32_t k = 0; k < en->nterm; k++) {
                uint32_t t = sc->tidx[en->term0 + k];
                if (role_ok(&sc->terms[t], f) && !push_match(sc, t, f))
                    return false;
            }
        }
    }
    return true;
}

static bool in_window(const ald_scanner *sc, const struct ald_indicator *in,
                      const ald_logrec *rec)
{
    if (sc->vmode != ALD_VALID_RECORD)
        return true;
    int64_t t = rec->has_ts ? rec->ts_sec * 1000000 + rec->ts_nsec / 1000 : sc->now_us;
    return in->valid_from_us <= t && t < in->valid_until_us;
}

/* Reports indicator `ind` once per line; false when out of memory. */
static bool emit(ald_scanner *sc, uint32_t ind, const ald_logfield *const *fields, size_t nf,
                 const ald_logrec *rec, uint64_t line, const char *text, size_t len)
{
    for (size_t i = 0; i < sc->dn; i++)
        if (sc->done[i] == ind)
            return true;
    const struct ald_indicator *in = ald_iset_get(sc->s, ind);
    if (!in_window(sc, in, rec)) {
        sc->st.out_of_window++;
    } else {
        for (size_t i = 0; i < nf; i++)
            if (sc->allow && !sc->allow(sc->allow_ctx, fields[i]->kind, fields[i]->v,
                                        fields[i]->len)) {
                /* another value of the line may still hit */
                sc->st.vetoed++;
                return true;
            }
        ald_hit h = {.indicator = ind, .id = in->id, .line = line, .text = text,
                     .len = len, .rec = rec, .nfields = nf};
        for (size_t i = 0; i < nf; i++)
            h.fields[i] = fields[i];
        sc->st.hits++;
        if (sc->cb && sc->cb(sc->cbctx, &h))
            sc->stop = true;
    }
    if (sc->dn == sc->dcap) {
        size_t nc = sc->dcap ? sc->dcap * 2 : 16;
        uint32_t *nd = realloc(sc->done, nc * sizeof *nd);
        if (!nd)
            return false;
        sc->done = nd;
        sc->dcap = nc;
    }
    sc->done[sc->dn++] = ind;
    return true;
}

static ald_err check_rec(ald_scanner *sc, const ald_logrec *rec, uint64_t line,
                         const char *text, size_t len, bool cand)
{
    if (!collect(sc, rec))
        return ALD_E_NOMEM;
    sc->dn = 0;
    uint64_t before = sc->st.hits;
    for (size_t i = 0; i < sc->mn && !sc->stop; i++) {
        const mt_term *t = &sc->terms[sc->m[i].term];
        const ald_logfield *fs[ALD_HIT_FIELDS_MAX];
        if (t->nterms == 1) {
            fs[0] = sc->m[i].f;
            if (!emit(sc, t->ind, fs, 1, rec, line, text, len))
                return ALD_E_NOMEM;
            continue;
        }
        /* a conjunction: every test of the clause on this record */
        size_t have = 0;
        for (int k = 0; k < t->nterms && k < ALD_HIT_FIELDS_MAX; k++) {
            fs[k] = NULL;
            for (size_t j = 0; j < sc->mn; j++) {
                const mt_term *u = &sc->terms[sc->m[j].term];
                if (u->clause == t->clause && u->idx == k) {
                    fs[k] = sc->m[j].f;
                    have++;
                    break;
                }
            }
        }
        if (have == t->nterms && !emit(sc, t->ind, fs, have, rec, line, text, len))
            return ALD_E_NOMEM;
    }
    if (cand && sc->st.hits == before)
        sc->st.false_candidates++;
    return sc->stop ? ALD_E_ARG : ALD_E_OK;
}

ald_err ald_scanner_check(ald_scanner *sc, const ald_logrec *rec, uint64_t line,
                          const char *text, size_t len, ald_hit_cb cb, void *ctx)
{
    sc->cb = cb;
    sc->cbctx = ctx;
    sc->stop = false;
    return check_rec(sc, rec, line, text, len, false);
}

/* One line: parse, give the record to the general hook, verify. */
static ald_err verify_line(ald_scanner *sc, const char *line, size_t len, bool cand)
{
    if (len && line[len - 1] == '\r')
        len--;
    ald_logrec rec;
    struct ald_errpos err;
    ald_err r = ald_logparser_line(sc->lp, line, len, &rec, &err);
    sc->st.parsed++;
    if (r == ALD_E_LOG_LINE) {
        sc->st.bad_lines++;
        if (sc->bad)
            sc->bad(sc->bad_ctx, sc->line, &err);
        return ALD_E_OK;
    }
    if (r != ALD_E_OK)
        return r;
    if (sc->rcb && sc->has_general && rec.type &&
        sc->rcb(sc->rctx, sc->line, line, len, &rec))
        return ALD_E_ARG;
    if (!rec.nfields)
        return ALD_E_OK;
    if (cand)
        sc->st.candidates++;
    return check_rec(sc, &rec, sc->line, line, len, cand);
}

/* ---- stage 1: candidate lines ---- */

static char lower(char c)
{
    return c >= 'A' && c <= 'Z' ? (char)(c + 32) : c;
}

static bool fold_eq(const char *a, const char *b, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (lower(a[i]) != lower(b[i]))
            return false;
    return true;
}

/* A dotted-quad IPv4 address exactly as inet_pton reads it (no leading
 * zeros), without copying: most tokens fail on their first bytes. */
static bool ipv4_fast(const char *t, size_t n, mt_addr *a)
{
    size_t i = 0;
    for (int o = 0; o < 4; o++) {
        if (o) {
            if (i >= n || t[i] != '.')
                return false;
            i++;
        }
        unsigned v = 0;
        size_t d = 0;
        while (i < n && t[i] >= '0' && t[i] <= '9' && d < 4) {
            v = v * 10 + (unsigned)(t[i] - '0');
            i++;
            d++;
        }
        if (d == 0 || d > 3 || v > 255 || (d > 1 && t[i - d] == '0'))
            return false;
        a->b[o] = (uint8_t)v;
    }
    return i == n;
}

/* Whether t may be an IPv6 address: only hex digits, ':' and '.', at
 * least two ':'. */
static bool maybe_ipv6(const char *t, size_t n)
{
    if (n < 2 || n > 45)
        return false;
    int colons = 0;
    for (size_t i = 0; i < n; i++) {
        char c = t[i];
        if (c == ':')
            colons++;
        else if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F') ||
                   c == '.'))
            return false;
    }
    return colons >= 2;
}

/* Whether t is an address inside some stored prefix. */
static bool probe_addr(const ald_scanner *sc, const char *t, size_t n)
{
    mt_addr a;
    int plen;
    a.v6 = 0;
    if (n >= 7 && n <= 15 && t[0] >= '0' && t[0] <= '9' && ipv4_fast(t, n, &a))
        return mt_iptrie_any(sc->trie, &a);
    if (maybe_ipv6(t, n) && mt_addr_parse(t, n, &a, &plen) && plen < 0)
        return mt_iptrie_any(sc->trie, &a);
    return false;
}

static bool probe(const ald_scanner *sc, const char *t, size_t n);

/* Whether some value of the hash set has t's length. */
static inline bool len_ok(const ald_scanner *sc, size_t n)
{
    size_t l = n < 255 ? n : 255;
    return sc->lenmask[l >> 6] >> (l & 63) & 1;
}

/* Whether t (or a variant of it, below) may be a value: its length is one
 * of the set's, or it ends like a variant. */
static inline bool worth_probing(const ald_scanner *sc, const char *t, size_t n)
{
    return len_ok(sc, n) || t[n - 1] == '>' || t[n - 1] == '.';
}

/* Whether t, whose quick hash is q, is an exact or prefilter value. */
static bool probe_vals(const ald_scanner *sc, const char *t, size_t n, uint64_t q)
{
    if (len_ok(sc, n) && mt_filter_maybe(sc->filter, sc->fmask, q)) {
        uint64_t h = mt_hash_fold(t, n);
        size_t pos = 0;
        for (uint32_t e; (e = mt_hset_next(sc->hs, h, &pos)) != UINT32_MAX;) {
            const mt_entry *en = &sc->ent[e];
            if (en->hash == h && en->len == n && fold_eq(sc->text + en->text, t, n))
                return true;
        }
    }
    /* what the log parser makes of some values: "Name <a@example.com>"
     * (SMTP, e-mail headers) is the address inside the last <>, a domain's
     * final '.' is dropped */
    if (n > 2 && t[n - 1] == '>') {
        const char *lt = memrchr(t, '<', n - 1);
        if (lt) {
            const char *a = lt + 1, *e = t + n - 1;
            while (a < e && (*a == ' ' || *a == '\t'))
                a++;
            while (e > a && (e[-1] == ' ' || e[-1] == '\t'))
                e--;
            return probe(sc, a, (size_t)(e - a));
        }
    }
    if (n > 1 && t[n - 1] == '.')
        return probe(sc, t, n - 1);
    return false;
}

/* Whether the value t IS an indicator value (or a prefilter value): an
 * address in a stored prefix, or a value of the hash set (an address may
 * also be a URL's host there). */
static bool probe(const ald_scanner *sc, const char *t, size_t n)
{
    if (n == 0 || n > 4096)
        return false;
    if (sc->has_addrs && probe_addr(sc, t, n))
        return true;
    return sc->has_vals && probe_vals(sc, t, n, mt_qhash_fold(t, n));
}

/* A JSON string body with escapes, decoded into sc->tmp (\uXXXX of the
 * BMP as UTF-8, surrogates as '?': only the fast path sees this text).
 * Returns the length, 0 when it does not fit. */
static size_t unescape(ald_scanner *sc, const char *s, size_t n)
{
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        if (k + 4 > sizeof sc->tmp)
            return 0;
        char c = s[i];
        if (c != '\\' || i + 1 >= n) {
            sc->tmp[k++] = c;
            continue;
        }
        c = s[++i];
        switch (c) {
        case 'n': sc->tmp[k++] = '\n'; break;
        case 't': sc->tmp[k++] = '\t'; break;
        case 'r': sc->tmp[k++] = '\r'; break;
        case 'b': sc->tmp[k++] = '\b'; break;
        case 'f': sc->tmp[k++] = '\f'; break;
        case 'u': {
            unsigned v = 0;
            if (i + 4 >= n)
                return 0;
            for (int j = 1; j <= 4; j++) {
                char d = s[i + j];
                v = v * 16 + (unsigned)(d >= '0' && d <= '9' ? d - '0'
                                        : (lower(d) >= 'a' && lower(d) <= 'f') ? lower(d) - 'a' + 10
                                                                                : 0);
            }
            i += 4;
            if (v < 0x80) {
                sc->tmp[k++] = (char)v;
            } else if (v < 0x800) {
                sc->tmp[k++] = (char)(0xc0 | v >> 6);
                sc->tmp[k++] = (char)(0x80 | (v & 0x3f));
            } else if (v >= 0xd800 && v < 0xe000) {
                sc->tmp[k++] = '?';
            } else {
                sc->tmp[k++] = (char)(0xe0 | v >> 12);
                sc->tmp[k++] = (char)(0x80 | ((v >> 6) & 0x3f));
                sc->tmp[k++] = (char)(0x80 | (v & 0x3f));
            }
            break;
        }
        default: sc->tmp[k++] = c;     /* \" \\ \/ */
        }
    }
    return k;
}

/* Positions of up to three byte values in 64 bytes at p, as a bit mask. */
static inline uint64_t mask64(const char *p, char a, char b, char c)
{
#ifdef __SSE2__
    const __m128i va = _mm_set1_epi8(a), vb = _mm_set1_epi8(b), vc = _mm_set1_epi8(c);
    uint64_t m = 0;
    for (int i = 0; i < 4; i++) {
        __m128i x = _mm_loadu_si128((const __m128i *)(const void *)(p + 16 * i));
        __m128i e = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(x, va), _mm_cmpeq_epi8(x, vb)),
                                 _mm_cmpeq_epi8(x, vc));
        m |= (uint64_t)(uint32_t)_mm_movemask_epi8(e) << (16 * i);
    }
    return m;
#else
    uint64_t m = 0;
    for (int i = 0; i < 64; i++)
        if (p[i] == a || p[i] == b || p[i] == c)
            m |= UINT64_C(1) << i;
    return m;
#endif
}

/* Next position >= from of one of three special bytes in b[0..n). */
typedef struct spit {
    const char *b;
    size_t n, base;
    uint64_t m;
    char c0, c1, c2;
} spit;

static size_t sp_next(spit *it, size_t from)
{
    for (;;) {
        if (from >= it->n)
            return it->n;
        if (from < it->base || from - it->base >= 64) {
            it->base = from;
            if (it->n - from >= 64) {
                it->m = mask64(it->b + from, it->c0, it->c1, it->c2);
            } else {
                char pad[64];
                memset(pad, 0, sizeof pad);
                memcpy(pad, it->b + from, it->n - from);
                it->m = mask64(pad, it->c0, it->c1, it->c2);
            }
        }
        uint64_t m = it->m & (UINT64_MAX << (from - it->base));
        if (m)
            return it->base + (size_t)__builtin_ctzll(m);
        from = it->base + 64;
    }
}

static size_t eol(const char *b, size_t n, size_t p)
{
    const char *q = p < n ? memchr(b + p, '\n', n - p) : NULL;
    return q ? (size_t)(q - b) : n;
}

/* Ends the line [ls, le): counts it, verifies it when it is a candidate. */
static ald_err line_done(ald_scanner *sc, const char *b, size_t ls, size_t le, bool cand)
{
    sc->line++;
    sc->st.lines++;
    if (!cand)
        return ALD_E_OK;
    return verify_line(sc, b + ls, le - ls, true);
}

/* Values of one line held for probing at its end (more are probed at
 * once). */
#define TOK_BATCH 64

/* Probes one JSON string [s0, e) of b that may hold escapes. */
static bool probe_json(ald_scanner *sc, const char *b, size_t s0, size_t e, bool esc)
{
    if (!esc)
        return probe(sc, b + s0, e - s0);
    size_t m = unescape(sc, b + s0, e - s0);
    return m && probe(sc, sc->tmp, m);
}

/* The JSON fast path: one pass over 64-byte blocks of structural bits,
 * a string state and the current line; see the top comment. */
static ald_err scan_json(ald_scanner *sc, const char *b, size_t n)
{
    size_t ls = 0, s0 = 0, skip = SIZE_MAX, base = 0, nt = 0;
    bool cand = false, in_str = false, esc = false;
    struct { size_t off, len; uint64_t h; } toks[TOK_BATCH];
    ald_err r;
    while (base < n) {
        uint64_t m;
        if (n - base >= 64) {
            m = mask64(b + base, '"', '\\', '\n');
        } else {
            char pad[64];
            memset(pad, 0, sizeof pad);
            memcpy(pad, b + base, n - base);
            m = mask64(pad, '"', '\\', '\n');
        }
        size_t next = base + 64;
        while (m) {
            size_t i = base + (size_t)__builtin_ctzll(m);
            m &= m - 1;
            char c = b[i];
            bool is_nl = c == '\n';
            if (i == skip && !is_nl)
                continue;               /* the byte after a backslash */
            if (is_nl) {
                for (size_t t = 0; t < nt && !cand; t++)
                    cand = probe_vals(sc, b + toks[t].off, toks[t].len, toks[t].h);
                nt = 0;
                if ((r = line_done(sc, b, ls, i, cand)) != ALD_E_OK)
                    return r;
                ls = i + 1;
                cand = in_str = false;
                continue;
            }
            bool is_bs = c == '\\';
            if (!in_str) {
                if (!is_bs) {
                    in_str = true;
                    esc = false;
                    s0 = i + 1;
                }
                continue;
            }
            if (is_bs) {
                esc = true;
                skip = i + 1;
                continue;
            }
            /* the closing quote of [s0, i): a key when ':' follows */
            in_str = false;
            size_t k = i + 1;
            while (k < n && b[k] == ' ')
                k++;
            if (k < n && b[k] == ':')
                continue;
            /* addresses and escaped strings are probed now; the others
             * are hashed now, their filter word prefetched, and probed at
             * the end of the line: the filter's cache misses overlap */
            bool hit = false;
            if (esc) {
                hit = probe_json(sc, b, s0, i, esc);
            } else if (i > s0 && i - s0 <= 4096) {
                const char *t = b + s0;
                size_t tn = i - s0;
                hit = sc->has_addrs && probe_addr(sc, t, tn);
                if (!hit && sc->has_vals && worth_probing(sc, t, tn)) {
                    uint64_t h = mt_qhash_fold(t, tn);
                    __builtin_prefetch(&sc->filter[(h >> 12) & sc->fmask]);
                    if (nt == TOK_BATCH) {
                        hit = probe_vals(sc, t, tn, h);
                    } else {
                        toks[nt].off = s0;
                        toks[nt].len = tn;
                        toks[nt].h = h;
                        nt++;
                    }
                }
            }
            if (hit) {
                /* the rest of the line cannot add to it: its newline */
                cand = true;
                nt = 0;
                next = eol(b, n, i + 1);
                break;
            }
        }
        base = next;
    }
    for (size_t t = 0; t < nt && !cand; t++)
        cand = probe_vals(sc, b + toks[t].off, toks[t].len, toks[t].h);
    if (ls < n && (r = line_done(sc, b, ls, n, cand)) != ALD_E_OK)
        return r;
    return ALD_E_OK;
}

/* One TSV field: the whole of it, then its comma-separated parts (Zeek
 * sets and vectors). */
static bool probe_field(const ald_scanner *sc, const char *t, size_t n)
{
    if (n && t[n - 1] == '\r')
        n--;
    if (probe(sc, t, n))
        return true;
    const char *c = memchr(t, ',', n);
    if (!c)
        return false;
    const char *s = t, *e = t + n;
    while (s <= e) {
        const char *x = memchr(s, ',', (size_t)(e - s));
        if (!x)
            x = e;
        if (probe(sc, s, (size_t)(x - s)))
            return true;
        s = x + 1;
    }
    return false;
}

static ald_err scan_tsv(ald_scanner *sc, const char *b, size_t n)
{
    spit it = {.b = b, .n = n, .base = SIZE_MAX, .c0 = '\t', .c1 = '\n', .c2 = '\n'};
    size_t ls = 0, fs = 0;
    bool cand = ls < n && b[ls] == '#';     /* headers go to the parser */
    ald_err r;
    for (;;) {
        size_t q = cand ? eol(b, n, fs) : sp_next(&it, fs);
        if (!cand && probe_field(sc, b + fs, q - fs)) {
            cand = true;
            q = eol(b, n, q);
        }
        if (q >= n) {
            if (ls < n && (r = line_done(sc, b, ls, n, cand)) != ALD_E_OK)
                return r;
            return ALD_E_OK;
        }
        if (b[q] == '\n') {
            if ((r = line_done(sc, b, ls, q, cand)) != ALD_E_OK)
                return r;
            ls = q + 1;
            cand = ls < n && b[ls] == '#';
        }
        fs = q + 1;
    }
}

static ald_err scan_all(ald_scanner *sc, const char *b, size_t n)
{
    size_t ls = 0;
    while (ls < n) {
        size_t le = eol(b, n, ls);
        sc->line++;
        sc->st.lines++;
        ald_err r = verify_line(sc, b + ls, le - ls, false);
        if (r != ALD_E_OK)
            return r;
        ls = le + 1;
    }
    return ALD_E_OK;
}

/* ---- free text: Vectorscan finds the candidate bytes ---- */

static int push_off(ald_scanner *sc, size_t off)
{
    if (sc->no == sc->ocap) {
        size_t nc = sc->ocap ? sc->ocap * 2 : 1024;
        size_t *no = realloc(sc->offs, nc * sizeof *no);
        if (!no) {
            sc->offs_nomem = true;
            return 1;
        }
        sc->offs = no;
        sc->ocap = nc;
    }
    sc->offs[sc->no++] = off;
    return 0;
}

struct text_ctx {
    ald_scanner *sc;
    const char *b;
    size_t n;
};

static int on_lit(unsigned id, unsigned long long from, unsigned long long to, unsigned flags,
                  void *ctx)
{
    struct text_ctx *t = ctx;
    (void)id;
    (void)from;
    (void)flags;
    /* the literal's last byte: literals hold no newline */
    return push_off(t->sc, (size_t)to - 1);
}

/* A dotted quad ends at `to`: the whole run of digits and dots around it
 * is the token the text parser would see; looked up once. */
static bool hexc(char c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

/* An IPv6-looking run ends at `to`: the whole run of hex digits, colons
 * and dots around it, looked up once. */
static int on_v6(struct text_ctx *t, size_t to)
{
    ald_scanner *sc = t->sc;
    size_t s = to, e = to;
    while (e < t->n && (hexc(t->b[e]) || t->b[e] == ':' || t->b[e] == '.'))
        e++;
    if (e == sc->v6_end)
        return 0;
    sc->v6_end = e;
    while (s > 0 && to - s < 64 && (hexc(t->b[s - 1]) || t->b[s - 1] == ':' || t->b[s - 1] == '.'))
        s--;
    size_t ee = e;
    while (ee > s && t->b[ee - 1] == '.')
        ee--;
    mt_addr a;
    int plen;
    if (ee - s >= 2 && ee - s <= 45 && mt_addr_parse(t->b + s, ee - s, &a, &plen) && a.v6 &&
        mt_iptrie_any(sc->trie, &a))
        return push_off(sc, s);
    return 0;
}

static int on_v4(unsigned id, unsigned long long from, unsigned long long to, unsigned flags,
                 void *ctx)
{
    struct text_ctx *t = ctx;
    ald_scanner *sc = t->sc;
    (void)from;
    (void)flags;
    if (id == 2)
        return on_v6(t, (size_t)to);
    size_t s = (size_t)to, e = (size_t)to;
    while (e < t->n && ((t->b[e] >= '0' && t->b[e] <= '9') || t->b[e] == '.'))
        e++;
    if (e == sc->v4_end)
        return 0;           /* a shorter match inside the same token */
    sc->v4_end = e;
    while (s > 0 && s > (size_t)to - 16 &&
           ((t->b[s - 1] >= '0' && t->b[s - 1] <= '9') || t->b[s - 1] == '.'))
        s--;
    /* a trailing '.' ends a sentence, not the address */
    size_t ee = e;
    while (ee > s && t->b[ee - 1] == '.')
        ee--;
    mt_addr a;
    a.v6 = 0;
    if (ee - s >= 7 && ee - s <= 15 && ipv4_fast(t->b + s, ee - s, &a) &&
        mt_iptrie_any(sc->trie, &a))
        return push_off(sc, s);
    return 0;
}

static int cmp_size(const void *a, const void *b)
{
    size_t x = *(const size_t *)a, y = *(const size_t *)b;
    return x < y ? -1 : x > y;
}

/* One piece of free text (< 4 GiB, whole lines): both databases, then
 * the lines that hold a candidate byte are parsed and checked. */
static ald_err scan_text_piece(ald_scanner *sc, const char *b, size_t n)
{
    struct text_ctx t = {sc, b, n};
    sc->no = 0;
    sc->v4_end = sc->v6_end = SIZE_MAX;
    if (sc->text_lit &&
        hs_scan(sc->text_lit, b, (unsigned)n, 0, sc->scr_lit, on_lit, &t) != HS_SUCCESS &&
        !sc->offs_nomem)
        return ALD_E_NOMEM;
    if (sc->text_v4 &&
        hs_scan(sc->text_v4, b, (unsigned)n, 0, sc->scr_v4, on_v4, &t) != HS_SUCCESS &&
        !sc->offs_nomem)
        return ALD_E_NOMEM;
    if (sc->offs_nomem) {
        sc->offs_nomem = false;
        return ALD_E_NOMEM;
    }
    qsort(sc->offs, sc->no, sizeof *sc->offs, cmp_size);
    size_t ls = 0, oi = 0, lines = 0, cands = 0;
    while (ls < n) {
        size_t le = eol(b, n, ls);
        bool cand = false;
        while (oi < sc->no && sc->offs[oi] < le + 1) {
            if (sc->offs[oi] >= ls)
                cand = true;
            oi++;
        }
        lines++;
        cands += cand;
        ald_err r = line_done(sc, b, ls, le, cand);
        if (r != ALD_E_OK)
            return r;
        ls = le + 1;
    }
    /* substrings of common log values (a parent domain of the log's own
     * names) make most lines candidates: then scanning costs more than
     * parsing every line, which the next buffers do */
    if (lines >= 1000 && cands * 2 > lines)
        sc->text_dense = true;
    return ALD_E_OK;
}

static ald_err scan_text(ald_scanner *sc, const char *b, size_t n)
{
    /* hs_scan takes an unsigned length: pieces of at most 1 GiB, cut after
     * a newline */
    const size_t max = (size_t)1 << 30;
    while (n > 0) {
        size_t k = n;
        if (k > max) {
            const char *nl = memrchr(b, '\n', max);
            k = nl ? (size_t)(nl - b) + 1 : max;
        }
        ald_err r = scan_text_piece(sc, b, k);
        if (r != ALD_E_OK)
            return r;
        b += k;
        n -= k;
    }
    return ALD_E_OK;
}

static ald_err count_only(ald_scanner *sc, const char *b, size_t n)
{
    size_t ls = 0;
    while (ls < n) {
        ls = eol(b, n, ls) + 1;
        sc->line++;
        sc->st.lines++;
    }
    return ALD_E_OK;
}

ald_err ald_scanner_feed(ald_scanner *sc, const char *buf, size_t len, int last,
                         ald_hit_cb cb, void *ctx)
{
    (void)last;
    sc->cb = cb;
    sc->cbctx = ctx;
    sc->stop = false;
    sc->st.bytes += len;
    if (sc->fast == F_AUTO) {
        /* the first line that is not empty says JSON, Zeek TSV or text */
        size_t i = 0;
        while (i < len && (buf[i] == '\n' || buf[i] == '\r' || buf[i] == ' ' || buf[i] == '\t'))
            i++;
        if (i < len)
            sc->fast = buf[i] == '{' ? F_JSON : buf[i] == '#' ? F_TSV : F_ALL;
    }
    bool general = sc->rcb && sc->has_general;
    if (!general && !sc->has_vals && !sc->has_addrs)
        return count_only(sc, buf, len);
    if (!general && !sc->need_all && sc->fast == F_ALL && (sc->text_lit || sc->text_v4) &&
        !sc->text_dense)
        return scan_text(sc, buf, len);
    if (general || sc->need_all || sc->fast == F_ALL || sc->fast == F_AUTO)
        return scan_all(sc, buf, len);
    if (sc->fast == F_TSV)
        return scan_tsv(sc, buf, len);
    return scan_json(sc, buf, len);
}
