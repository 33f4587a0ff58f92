/*
 * parse.c - recursive-descent parser of the STIX 2.1 patterning language
 * (OASIS STIXPattern.g4) into the tree of alidade/pattern.h, with the
 * semantic checks the OASIS validator (cti-pattern-validator) makes on top
 * of the grammar: no qualifier twice directly on one observation, hash
 * values that fit their algorithm. docs/pattern.md lists every rule and
 * where it comes from.
 *
 * Chains of one operator (a OR b OR c ...) are collected on a stack and
 * built as balanced trees: AND, OR and FOLLOWEDBY are associative, and a
 * feed's thousand-hash OR must not become a thousand-deep tree that every
 * consumer walks recursively. Brackets and parentheses nest at most
 * ALD_PATTERN_MAX_DEPTH deep, and so does the tree, so the parser's and
 * its consumers' recursion is bounded.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

typedef struct {
    const void *node;
    int depth;
} stk_ent;

typedef struct {
    const char *src;
    size_t len;
    pat_lexer lx;
    pat_token cur;
    pat_arena *ar;
    pat_err *err;
    unsigned flags;             /* ALD_PATTERN_LENIENT */
    int nest;                   /* open brackets and parentheses */
    stk_ent *stk;               /* operands of the chains being parsed */
    size_t nstk, capstk;
    ald_pstep *steps;           /* scratch: the path being parsed */
    size_t nsteps, capsteps;
    ald_pval *vals;             /* scratch: the IN list being parsed */
    size_t nvals, capvals;
    /* first elements of the scratch vectors: no malloc for usual patterns */
    stk_ent stk_inl[32];
    ald_pstep steps_inl[16];
    ald_pval vals_inl[8];
} parser;

/* ---- helpers --------------------------------------------------------------- */

static int nomem(parser *P)
{
    if (!P->err->set) {
        pat_fail(P->err, P->cur.pos, "out of memory");
        P->err->nomem = 1;
    }
    return -1;
}

static int advance(parser *P)
{
    return pat_lex(&P->lx, &P->cur);
}

/* "expected <what>, found <current token>" */
static int expected(parser *P, const char *what)
{
    char found[48];
    pat_tok_describe(P->src, &P->cur, found, sizeof found);
    return pat_fail(P->err, P->cur.pos, "expected %s, found %s", what, found);
}

static void *alloc0(parser *P, size_t n)
{
    void *p = pat_alloc(P->ar, n);
    if (p)
        memset(p, 0, n);
    return p;
}

static char *copy_text(parser *P, const char *s, size_t n)
{
    char *p = pat_alloc(P->ar, n + 1);
    if (!p)
        return NULL;
    memcpy(p, s, n);
    p[n] = '\0';
    return p;
}

/* Grows a scratch vector: it starts in the parser (inl), moves to the heap
 * when that is full and is freed at the end of the parse. */
static int reserve(void **v, size_t *cap, size_t need, size_t elem, void *inl)
{
    if (need <= *cap)
        return 0;
    size_t nc = *cap * 2;
    while (nc < need)
        nc *= 2;
    if (nc > SIZE_MAX / elem)
        return -1;
    void *p;
    if (*v == inl) {
        p = malloc(nc * elem);
        if (p)
            memcpy(p, inl, *cap * elem);
    } else {
        p = realloc(*v, nc * elem);
    }
    if (!p)
        return -1;
    *v = p;
    *cap = nc;
    return 0;
}

static int push(parser *P, const void *node, int depth)
{
    if (reserve((void **)&P->stk, &P->capstk, P->nstk + 1, sizeof *P->stk, P->stk_inl) < 0)
        return nomem(P);
    P->stk[P->nstk].node = node;
    P->stk[P->nstk].depth = depth;
    P->nstk++;
    return 0;
}

static int open_nest(parser *P)
{
    if (++P->nest > ALD_PATTERN_MAX_DEPTH)
        return pat_fail(P->err, P->cur.pos, "nesting deeper than %d levels",
                        ALD_PATTERN_MAX_DEPTH);
    return 0;
}

static int too_deep(parser *P, size_t pos)
{
    return pat_fail(P->err, pos, "expression nested deeper than %d levels",
                    ALD_PATTERN_MAX_DEPTH);
}

/* ---- literals ---------------------------------------------------------------- */

static int b64val(unsigned char c)
{
    if (c >= 'A' && c <= 'Z')
        return c - 'A';
    if (c >= 'a' && c <= 'z')
        return c - 'a' + 26;
    if (c >= '0' && c <= '9')
        return c - '0' + 52;
    return c == '+' ? 62 : 63;
}

static int hexval(unsigned char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    return (c | 0x20) - 'a' + 10;
}

/* The value of the literal token t (checked by the lexer) into *v. */
static int literal(parser *P, const pat_token *t, ald_pval *v)
{
    memset(v, 0, sizeof *v);
    v->pos = t->pos;
    const char *s = P->src + t->pos;
    switch (t->t) {
    case T_STRING: {
        size_t n = t->len - 2;
        char *d = pat_alloc(P->ar, n + 1);
        if (!d)
            return nomem(P);
        size_t o = 0;
        for (size_t i = 1; i <= n; i++) {
            if (s[i] == '\\')
                i++;            /* \' or \\ (the lexer allows no other) */
            d[o++] = s[i];
        }
        d[o] = '\0';
        v->type = ALD_PV_STRING;
        v->u.str.p = d;
        v->u.str.len = o;
        return 0;
    }
    case T_INT:
        v->type = ALD_PV_INT;
        v->u.i = t->i;
        return 0;
    case T_FLOAT: {
        char *tmp = pat_alloc(P->ar, t->len + 1);
        if (!tmp)
            return nomem(P);
        double f = pat_strtod(s, t->len, tmp, t->len + 1);
        if (!isfinite(f))
            return pat_fail(P->err, t->pos, "number '%.*s...' is too large for a double",
                            (int)(t->len > 20 ? 20 : t->len), s);
        v->type = ALD_PV_FLOAT;
        v->u.f = f;
        return 0;
    }
    case T_TRUE:
    case T_FALSE:
        v->type = ALD_PV_BOOL;
        v->u.b = t->t == T_TRUE;
        return 0;
    case T_BINARY: {
        const char *b = s + 2;
        size_t n = t->len - 3;
        uint8_t *d = pat_alloc(P->ar, n / 4 * 3 + 1);
        if (!d)
            return nomem(P);
        size_t o = 0;
        for (size_t i = 0; i + 4 <= n; i += 4) {
            uint32_t w = 0;
            int pad = 0;
            for (int k = 0; k < 4; k++) {
                unsigned char c = (unsigned char)b[i + (size_t)k];
                if (c == '=')
                    pad++;
                w = w << 6 | (uint32_t)(c == '=' ? 0 : b64val(c));
            }
            d[o++] = (uint8_t)(w >> 16);
            if (pad < 2)
                d[o++] = (uint8_t)(w >> 8);
            if (pad < 1)
                d[o++] = (uint8_t)w;
        }
        v->type = ALD_PV_BINARY;
        v->u.bin.p = d;
        v->u.bin.len = o;
        return 0;
    }
    case T_HEX: {
        const char *b = s + 2;
        size_t n = t->len - 3;
        uint8_t *d = pat_alloc(P->ar, n / 2 + 1);
        if (!d)
            return nomem(P);
        for (size_t i = 0; i < n / 2; i++)
            d[i] = (uint8_t)(hexval((unsigned char)b[2 * i]) << 4 |
                             hexval((unsigned char)b[2 * i + 1]));
        v->type = ALD_PV_HEX;
        v->u.bin.p = d;
        v->u.bin.len = n / 2;
        return 0;
    }
    case T_TIMESTAMP:
        v->type = ALD_PV_TIMESTAMP;
        v->u.ts.sec = t->sec;
        v->u.ts.nsec = t->nsec;
        return 0;
    default:
        return pat_fail(P->err, t->pos, "internal: not a literal");
    }
}

static int is_literal(pat_tok t)
{
    return t == T_STRING || t == T_INT || t == T_FLOAT || t == T_TRUE || t == T_FALSE ||
           t == T_BINARY || t == T_HEX || t == T_TIMESTAMP;
}

/* ---- object paths -------------------------------------------------------------- */

static int add_step(parser *P, ald_pstep st)
{
    if (reserve((void **)&P->steps, &P->capsteps, P->nsteps + 1, sizeof *P->steps,
                P->steps_inl) < 0)
        return nomem(P);
    P->steps[P->nsteps++] = st;
    return 0;
}

/* A property name (IDENT without hyphen or string) at the current token. */
static int key_step(parser *P, const char *after)
{
    ald_pstep st = {.kind = ALD_PSTEP_KEY};
    if (P->cur.t == T_IDENT && P->cur.hyphen) {
        return pat_fail(P->err, P->cur.pos, "property name '%.*s' has a '-': quote it ('%.*s')",
                        (int)(P->cur.len > 24 ? 24 : P->cur.len), P->src + P->cur.pos,
                        (int)(P->cur.len > 24 ? 24 : P->cur.len), P->src + P->cur.pos);
    } else if (P->cur.t == T_IDENT) {
        st.key = copy_text(P, P->src + P->cur.pos, P->cur.len);
        st.keylen = P->cur.len;
        if (!st.key)
            return nomem(P);
    } else if (P->cur.t == T_STRING) {
        ald_pval v;
        if (literal(P, &P->cur, &v) < 0)
            return -1;
        st.key = v.u.str.p;
        st.keylen = v.u.str.len;
    } else {
        char what[48];
        snprintf(what, sizeof what, "a property name after '%s'", after);
        return expected(P, what);
    }
    if (add_step(P, st) < 0)
        return -1;
    return advance(P);
}

static int parse_path(parser *P, ald_ppath *pa)
{
    pa->pos = P->cur.pos;
    if (P->cur.t != T_IDENT)
        return expected(P, "an object path (type:property)");
    size_t tlen = P->cur.len;
    pa->object_type = copy_text(P, P->src + P->cur.pos, tlen);
    if (!pa->object_type)
        return nomem(P);
    if (advance(P) < 0)
        return -1;
    if (P->cur.t != T_COLON) {
        char what[64];
        snprintf(what, sizeof what, "':' after object type '%.*s'", (int)(tlen > 24 ? 24 : tlen),
                 pa->object_type);
        return expected(P, what);
    }
    if (advance(P) < 0)
        return -1;
    P->nsteps = 0;
    if (key_step(P, ":") < 0)
        return -1;
    for (;;) {
        if (P->cur.t == T_DOT) {
            if (advance(P) < 0 || key_step(P, ".") < 0)
                return -1;
        } else if (P->cur.t == T_LBRACK) {
            if (advance(P) < 0)
                return -1;
            ald_pstep st = {.kind = ALD_PSTEP_ANY};
            if (P->cur.t == T_INT) {
                st.kind = ALD_PSTEP_INDEX;
                st.index = P->cur.i;
            } else if (P->cur.t != T_ASTERISK) {
                return expected(P, "an index or '*' after '['");
            }
            if (add_step(P, st) < 0 || advance(P) < 0)
                return -1;
            if (P->cur.t != T_RBRACK)
                return expected(P, "']' after the index");
            if (advance(P) < 0)
                return -1;
        } else {
            break;
        }
    }
    ald_pstep *steps = pat_alloc(P->ar, P->nsteps * sizeof *steps);
    if (!steps)
        return nomem(P);
    memcpy(steps, P->steps, P->nsteps * sizeof *steps);
    pa->steps = steps;
    pa->nsteps = P->nsteps;
    return 0;
}

/* ---- hash values (cti-pattern-validator object_validator) ---------------------- */

static const struct hashdef {
    const char *norm;           /* upper case, without '-' */
    const char *name;
    unsigned hexlen[6];         /* accepted lengths in hex digits; 0 ends */
} hashdefs[] = {
    {"MD5", "MD5", {32}},
    {"MD6", "MD6", {32, 40, 56, 64, 96, 128}},
    {"RIPEMD160", "RIPEMD-160", {40}},
    {"SHA1", "SHA-1", {40}},
    {"SHA224", "SHA-224", {56}},
    {"SHA256", "SHA-256", {64}},
    {"SHA384", "SHA-384", {96}},
    {"SHA512", "SHA-512", {128}},
    {"SHA3224", "SHA3-224", {56}},
    {"SHA3256", "SHA3-256", {64}},
    {"SHA3384", "SHA3-384", {96}},
    {"SHA3512", "SHA3-512", {128}},
    {"SSDEEP", "SSDEEP", {0}},
    {"WHIRLPOOL", "WHIRLPOOL", {128}},
};

static int hash_ok(const struct hashdef *h, const char *s, size_t n)
{
    if (h->hexlen[0] == 0) {
        /* SSDEEP: [a-zA-Z0-9/+:.]{1,128} */
        if (n < 1 || n > 128)
            return 0;
        for (size_t i = 0; i < n; i++) {
            unsigned char c = (unsigned char)s[i];
            if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                  c == '/' || c == '+' || c == ':' || c == '.'))
                return 0;
        }
        return 1;
    }
    int lenok = 0;
    for (int k = 0; k < 6 && h->hexlen[k]; k++)
        lenok |= n == h->hexlen[k];
    if (!lenok)
        return 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (!((c >= '0' && c <= '9') || ((c | 0x20) >= 'a' && (c | 0x20) <= 'f')))
            return 0;
    }
    return 1;
}

/* `x:...hashes...NAME = 'value'`: the value must fit the algorithm NAME when
 * NAME is one the validator knows (any case, '-' ignored). */
static int check_hash(parser *P, const ald_pcexpr *n)
{
    if (n->op != ALD_POP_EQ && n->op != ALD_POP_NE && n->op != ALD_POP_IN)
        return 0;
    const ald_ppath *pa = &n->path;
    int has = 0;
    for (size_t i = 0; i < pa->nsteps; i++)
        if (pa->steps[i].kind == ALD_PSTEP_KEY && pa->steps[i].keylen == 6 &&
            memcmp(pa->steps[i].key, "hashes", 6) == 0)
            has = 1;
    const ald_pstep *last = &pa->steps[pa->nsteps - 1];
    if (!has || last->kind != ALD_PSTEP_KEY)
        return 0;
    char norm[16];
    size_t o = 0;
    for (size_t i = 0; i < last->keylen; i++) {
        char c = last->key[i];
        if (c == '-' || c == '\'')
            continue;
        if (o + 1 >= sizeof norm)
            return 0;
        norm[o++] = c >= 'a' && c <= 'z' ? (char)(c - 32) : c;
    }
    norm[o] = '\0';
    const struct hashdef *h = NULL;
    for (size_t i = 0; i < sizeof hashdefs / sizeof hashdefs[0]; i++)
        if (strcmp(hashdefs[i].norm, norm) == 0)
            h = &hashdefs[i];
    if (!h)
        return 0;
    for (size_t i = 0; i < n->nvals; i++) {
        const ald_pval *v = &n->vals[i];
        if (v->type != ALD_PV_STRING)
            return pat_fail(P->err, v->pos, "%s hash values must be string literals", h->name);
        if (!hash_ok(h, v->u.str.p, v->u.str.len)) {
            size_t m = v->u.str.len > 40 ? 40 : v->u.str.len;
            while (m > 0 && m < v->u.str.len && ((unsigned char)v->u.str.p[m] & 0xC0) == 0x80)
                m--;
            return pat_fail(P->err, v->pos, "'%.*s%s' is not a valid %s hash", (int)m,
                            v->u.str.p, m < v->u.str.len ? "..." : "", h->name);
        }
    }
    return 0;
}

/* ---- comparison expressions ------------------------------------------------------ */

static int parse_cor(parser *P, const ald_pcexpr **out, int *depth);

static const char *op_text(pat_tok t)
{
    switch (t) {
    case T_EQ: return "=";
    case T_NE: return "!=";
    case T_LT: return "<";
    case T_LE: return "<=";
    case T_GT: return ">";
    case T_GE: return ">=";
    default: return pat_keyword(t);
    }
}

static int parse_test(parser *P, const ald_pcexpr **out, int *depth)
{
    if (P->cur.t == T_LPAREN) {
        if (open_nest(P) < 0 || advance(P) < 0)
            return -1;
        if (parse_cor(P, out, depth) < 0)
            return -1;
        if (P->cur.t != T_RPAREN)
            return expected(P, "AND, OR or ')' to close '('");
        P->nest--;
        return advance(P);
    }
    ald_pcexpr *n = alloc0(P, sizeof *n);
    if (!n)
        return nomem(P);
    n->kind = ALD_PCE_TEST;
    *out = n;
    *depth = 1;
    if (P->cur.t == T_NOT) {
        if (advance(P) < 0)
            return -1;
        if (P->cur.t != T_EXISTS)
            return expected(P, "EXISTS after a leading NOT");
        n->negated = 1;
    }
    if (P->cur.t == T_EXISTS) {
        n->op = ALD_POP_EXISTS;
        if (advance(P) < 0)
            return -1;
        return parse_path(P, &n->path);
    }
    if (parse_path(P, &n->path) < 0)
        return -1;
    if (P->cur.t == T_NOT) {
        n->negated = 1;
        if (advance(P) < 0)
            return -1;
    }
    pat_tok op = P->cur.t;
    enum { ANY, ORDERABLE, STRING_ONLY, SET } want;
    switch (op) {
    case T_EQ: n->op = ALD_POP_EQ; want = ANY; break;
    case T_NE: n->op = ALD_POP_NE; want = ANY; break;
    case T_LT: n->op = ALD_POP_LT; want = ORDERABLE; break;
    case T_LE: n->op = ALD_POP_LE; want = ORDERABLE; break;
    case T_GT: n->op = ALD_POP_GT; want = ORDERABLE; break;
    case T_GE: n->op = ALD_POP_GE; want = ORDERABLE; break;
    case T_IN: n->op = ALD_POP_IN; want = SET; break;
    case T_LIKE: n->op = ALD_POP_LIKE; want = STRING_ONLY; break;
    case T_MATCHES: n->op = ALD_POP_MATCHES; want = STRING_ONLY; break;
    case T_ISSUBSET: n->op = ALD_POP_ISSUBSET; want = STRING_ONLY; break;
    case T_ISSUPERSET: n->op = ALD_POP_ISSUPERSET; want = STRING_ONLY; break;
    default:
        return expected(P, n->negated ? "a comparison operator after NOT"
                                      : "a comparison operator after the object path");
    }
    if (advance(P) < 0)
        return -1;
    char what[64];
    if (want == SET) {
        if (P->cur.t != T_LPAREN)
            return expected(P, "'(' to start the IN list");
        if (advance(P) < 0)
            return -1;
        P->nvals = 0;
        if (P->cur.t != T_RPAREN) {
            for (;;) {
                if (!is_literal(P->cur.t))
                    return expected(P, "a value in the IN list");
                if (reserve((void **)&P->vals, &P->capvals, P->nvals + 1, sizeof *P->vals,
                            P->vals_inl) < 0)
                    return nomem(P);
                if (literal(P, &P->cur, &P->vals[P->nvals]) < 0)
                    return -1;
                P->nvals++;
                if (advance(P) < 0)
                    return -1;
                if (P->cur.t == T_RPAREN)
                    break;
                if (P->cur.t != T_COMMA)
                    return expected(P, "',' or ')' in the IN list");
                if (advance(P) < 0)
                    return -1;
            }
        }
        ald_pval *vals = pat_alloc(P->ar, (P->nvals ? P->nvals : 1) * sizeof *vals);
        if (!vals)
            return nomem(P);
        if (P->nvals)
            memcpy(vals, P->vals, P->nvals * sizeof *vals);
        n->vals = vals;
        n->nvals = P->nvals;
    } else {
        int ok = want == STRING_ONLY ? P->cur.t == T_STRING
               : want == ORDERABLE   ? is_literal(P->cur.t) && P->cur.t != T_TRUE &&
                                         P->cur.t != T_FALSE
                                     : is_literal(P->cur.t);
        if (!ok) {
            int sym = op < T_AND;
            snprintf(what, sizeof what, "%s after %s%s%s",
                     want == STRING_ONLY ? "a string literal"
                     : want == ORDERABLE ? "a number, string, binary or timestamp"
                                         : "a value",
                     sym ? "'" : "", op_text(op), sym ? "'" : "");
            return expected(P, what);
        }
        ald_pval *v = pat_alloc(P->ar, sizeof *v);
        if (!v)
            return nomem(P);
        if (literal(P, &P->cur, v) < 0)
            return -1;
        n->vals = v;
        n->nvals = 1;
    }
    if (check_hash(P, n) < 0)
        return -1;
    return advance(P);
}

/* Balanced tree of kind k over the n operands it[]. */
static const ald_pcexpr *build_ce(parser *P, ald_pce_kind k, const stk_ent *it, size_t n,
                                  int *depth)
{
    if (n == 1) {
        *depth = it[0].depth;
        return it[0].node;
    }
    size_t h = (n + 1) / 2;
    int dl, dr;
    const ald_pcexpr *l = build_ce(P, k, it, h, &dl);
    if (!l)
        return NULL;
    const ald_pcexpr *r = build_ce(P, k, it + h, n - h, &dr);
    if (!r)
        return NULL;
    ald_pcexpr *c = alloc0(P, sizeof *c);
    if (!c) {
        nomem(P);
        return NULL;
    }
    c->kind = k;
    c->l = l;
    c->r = r;
    *depth = 1 + (dl > dr ? dl : dr);
    if (*depth > ALD_PATTERN_MAX_DEPTH) {
        too_deep(P, P->cur.pos);
        return NULL;
    }
    return c;
}

static int chain_ce(parser *P, pat_tok optok, ald_pce_kind k,
                    int (*sub)(parser *, const ald_pcexpr **, int *),
                    const ald_pcexpr **out, int *depth)
{
    size_t base = P->nstk;
    const ald_pcexpr *e;
    int d;
    if (sub(P, &e, &d) < 0 || push(P, e, d) < 0)
        return -1;
    while (P->cur.t == optok) {
        if (advance(P) < 0 || sub(P, &e, &d) < 0 || push(P, e, d) < 0)
            return -1;
    }
    *out = build_ce(P, k, P->stk + base, P->nstk - base, depth);
    P->nstk = base;
    return *out ? 0 : -1;
}

static int parse_cand(parser *P, const ald_pcexpr **out, int *depth)
{
    return chain_ce(P, T_AND, ALD_PCE_AND, parse_test, out, depth);
}

static int parse_cor(parser *P, const ald_pcexpr **out, int *depth)
{
    return chain_ce(P, T_OR, ALD_PCE_OR, parse_cand, out, depth);
}

/* ---- observation expressions ------------------------------------------------------ */

static int parse_fb(parser *P, const ald_poexpr **out, int *depth);

static int parse_primary(parser *P, const ald_poexpr **out, int *depth)
{
    if (P->cur.t == T_LBRACK) {
        ald_poexpr *n = alloc0(P, sizeof *n);
        if (!n)
            return nomem(P);
        n->kind = ALD_POE_OBS;
        n->pos = P->cur.pos;
        if (open_nest(P) < 0 || advance(P) < 0)
            return -1;
        int d;
        if (parse_cor(P, &n->cmp, &d) < 0)
            return -1;
        if (P->cur.t != T_RBRACK)
            return expected(P, "AND, OR or ']' to close the observation");
        P->nest--;
        *out = n;
        *depth = d + 1;
        if (*depth > ALD_PATTERN_MAX_DEPTH)
            return too_deep(P, n->pos);
        return advance(P);
    }
    if (P->cur.t == T_LPAREN) {
        if (open_nest(P) < 0 || advance(P) < 0)
            return -1;
        if (parse_fb(P, out, depth) < 0)
            return -1;
        if (P->cur.t != T_RPAREN)
            return expected(P, "an operator, a qualifier or ')' to close '('");
        P->nest--;
        return advance(P);
    }
    return expected(P, "'[' or '(' to start an observation");
}

enum { Q_WITHIN = 1, Q_REPEATS = 2, Q_STARTSTOP = 4 };

/* Lenient mode: START/STOP followed by a plain string holding a timestamp
 * (STIX 2.0 syntax, which the OASIS matcher still evaluates) is read as the
 * timestamp literal it means. */
static int lenient_ts(parser *P)
{
    if (!(P->flags & ALD_PATTERN_LENIENT) || P->cur.t != T_STRING || P->cur.len < 2)
        return 0;
    pat_token t = P->cur;
    if (pat_lex_timestamp(&P->lx, &t, P->cur.pos + 1, P->cur.len - 2) < 0)
        return -1;
    t.t = T_TIMESTAMP;
    P->cur = t;
    return 0;
}

static int parse_qualified(parser *P, const ald_poexpr **out, int *depth)
{
    /* the validator refuses a qualifier type twice directly on a bracketed
     * observation, not on a parenthesised group */
    int simple = P->cur.t == T_LBRACK;
    unsigned seen = 0;
    if (parse_primary(P, out, depth) < 0)
        return -1;
    for (;;) {
        pat_tok q = P->cur.t;
        if (q != T_WITHIN && q != T_REPEATS && q != T_START)
            return 0;
        ald_poexpr *n = alloc0(P, sizeof *n);
        if (!n)
            return nomem(P);
        n->pos = P->cur.pos;
        n->l = *out;
        unsigned bit;
        if (advance(P) < 0)
            return -1;
        if (q == T_WITHIN) {
            bit = Q_WITHIN;
            n->kind = ALD_POE_WITHIN;
            if ((P->cur.t != T_INT && P->cur.t != T_FLOAT) || P->cur.neg)
                return expected(P, "a positive number of seconds after WITHIN");
            ald_pval v;
            if (literal(P, &P->cur, &v) < 0)
                return -1;
            n->within_s = v.type == ALD_PV_INT ? (double)v.u.i : v.u.f;
            if (!(n->within_s > 0))
                return pat_fail(P->err, P->cur.pos, "WITHIN needs more than 0 seconds");
            if (advance(P) < 0)
                return -1;
            if (P->cur.t != T_SECONDS)
                return expected(P, "SECONDS after WITHIN n");
        } else if (q == T_REPEATS) {
            bit = Q_REPEATS;
            n->kind = ALD_POE_REPEATS;
            if (P->cur.t != T_INT || P->cur.neg)
                return expected(P, "a positive integer after REPEATS");
            n->repeats = P->cur.i;
            if (n->repeats <= 0)
                return pat_fail(P->err, P->cur.pos, "REPEATS needs at least 1 time");
            if (advance(P) < 0)
                return -1;
            if (P->cur.t != T_TIMES)
                return expected(P, "TIMES after REPEATS n");
        } else {
            bit = Q_STARTSTOP;
            n->kind = ALD_POE_STARTSTOP;
            if (lenient_ts(P) < 0)
                return -1;
            if (P->cur.t != T_TIMESTAMP)
                return expected(P, "a timestamp t'...' after START");
            if (literal(P, &P->cur, &n->start) < 0 || advance(P) < 0)
                return -1;
            if (P->cur.t != T_STOP)
                return expected(P, "STOP after START t'...'");
            if (advance(P) < 0)
                return -1;
            if (lenient_ts(P) < 0)
                return -1;
            if (P->cur.t != T_TIMESTAMP)
                return expected(P, "a timestamp t'...' after STOP");
            /* STOP at or before START is accepted, as by the validator and
             * the OASIS matcher: the window is empty and matches nothing */
            if (literal(P, &P->cur, &n->stop) < 0)
                return -1;
        }
        if (simple && !(P->flags & ALD_PATTERN_LENIENT)) {
            if (seen & bit)
                return pat_fail(P->err, n->pos,
                                "%s used twice on one observation (add parentheses)",
                                q == T_START ? "START/STOP" : pat_keyword(q));
            seen |= bit;
        }
        if (advance(P) < 0)
            return -1;
        *out = n;
        if (++*depth > ALD_PATTERN_MAX_DEPTH)
            return too_deep(P, n->pos);
    }
}

static const ald_poexpr *build_oe(parser *P, ald_poe_kind k, const stk_ent *it, size_t n,
                                  int *depth)
{
    if (n == 1) {
        *depth = it[0].depth;
        return it[0].node;
    }
    size_t h = (n + 1) / 2;
    int dl, dr;
    const ald_poexpr *l = build_oe(P, k, it, h, &dl);
    if (!l)
        return NULL;
    const ald_poexpr *r = build_oe(P, k, it + h, n - h, &dr);
    if (!r)
        return NULL;
    ald_poexpr *c = alloc0(P, sizeof *c);
    if (!c) {
        nomem(P);
        return NULL;
    }
    c->kind = k;
    c->l = l;
    c->r = r;
    c->pos = l->pos;
    *depth = 1 + (dl > dr ? dl : dr);
    if (*depth > ALD_PATTERN_MAX_DEPTH) {
        too_deep(P, c->pos);
        return NULL;
    }
    return c;
}

static int chain_oe(parser *P, pat_tok optok, ald_poe_kind k,
                    int (*sub)(parser *, const ald_poexpr **, int *),
                    const ald_poexpr **out, int *depth)
{
    size_t base = P->nstk;
    const ald_poexpr *e;
    int d;
    if (sub(P, &e, &d) < 0 || push(P, e, d) < 0)
        return -1;
    while (P->cur.t == optok) {
        if (advance(P) < 0 || sub(P, &e, &d) < 0 || push(P, e, d) < 0)
            return -1;
    }
    *out = build_oe(P, k, P->stk + base, P->nstk - base, depth);
    P->nstk = base;
    return *out ? 0 : -1;
}

static int parse_oand(parser *P, const ald_poexpr **out, int *depth)
{
    return chain_oe(P, T_AND, ALD_POE_AND, parse_qualified, out, depth);
}

static int parse_oor(parser *P, const ald_poexpr **out, int *depth)
{
    return chain_oe(P, T_OR, ALD_POE_OR, parse_oand, out, depth);
}

static int parse_fb(parser *P, const ald_poexpr **out, int *depth)
{
    return chain_oe(P, T_FOLLOWEDBY, ALD_POE_FOLLOWEDBY, parse_oor, out, depth);
}

/* ---- entry points ------------------------------------------------------------------- */

/* Offset of the first byte that is not valid UTF-8, or len. */
static size_t utf8_invalid(const unsigned char *s, size_t len)
{
    size_t i = 0;
    while (i < len) {
        unsigned char c = s[i];
        if (c < 0x80) {
            i++;
            continue;
        }
        size_t n;
        uint32_t cp;
        if (c >= 0xC2 && c <= 0xDF) {
            n = 2;
            cp = c & 0x1F;
        } else if (c >= 0xE0 && c <= 0xEF) {
            n = 3;
            cp = c & 0x0F;
        } else if (c >= 0xF0 && c <= 0xF4) {
            n = 4;
            cp = c & 0x07;
        } else {
            return i;
        }
        if (len - i < n)
            return i;
        for (size_t k = 1; k < n; k++) {
            if ((s[i + k] & 0xC0) != 0x80)
                return i;
            cp = cp << 6 | (s[i + k] & 0x3F);
        }
        if ((n == 3 && cp < 0x800) || (n == 4 && (cp < 0x10000 || cp > 0x10FFFF)) ||
            (cp >= 0xD800 && cp <= 0xDFFF))
            return i;
        i += n;
    }
    return len;
}

/* One parse of src into a fresh arena whose first chunk has `first` bytes:
 * the pattern (the struct, a copy of the text, the tree) or NULL with e set. */
static ald_pattern *run(const char *src, size_t len, size_t first, unsigned flags, pat_err *e)
{
    pat_arena ar;
    /* every token makes a bounded number of nodes: 4 KiB + 256 bytes per
     * input byte is far above what a pattern needs, and bounds a hostile one */
    size_t limit = len < (SIZE_MAX - 4096) / 256 ? 4096 + len * 256 : SIZE_MAX;
    pat_arena_init(&ar, first, limit);
    parser P = {.src = src, .len = len, .ar = &ar, .err = e, .flags = flags};
    P.stk = P.stk_inl;
    P.capstk = sizeof P.stk_inl / sizeof P.stk_inl[0];
    P.steps = P.steps_inl;
    P.capsteps = sizeof P.steps_inl / sizeof P.steps_inl[0];
    P.vals = P.vals_inl;
    P.capvals = sizeof P.vals_inl / sizeof P.vals_inl[0];
    P.lx.src = src;
    P.lx.len = len;
    P.lx.err = e;
    ald_pattern *p = pat_alloc(&ar, sizeof *p);
    char *text = pat_alloc(&ar, len + 1);
    const ald_poexpr *root = NULL;
    int d = 0;
    if (!p || !text) {
        nomem(&P);
    } else if (advance(&P) == 0 && parse_fb(&P, &root, &d) == 0) {
        if (P.cur.t != T_EOF)
            expected(&P, "an operator, a qualifier or end of pattern");
    }
    if (P.stk != P.stk_inl)
        free(P.stk);
    if (P.steps != P.steps_inl)
        free(P.steps);
    if (P.vals != P.vals_inl)
        free(P.vals);
    if (e->set) {
        pat_arena_free(&ar);
        return NULL;
    }
    memcpy(text, src, len);
    text[len] = '\0';
    p->text = text;
    p->len = len;
    p->root = root;
    p->arena = ar;      /* after the last allocation: the chunks own p itself */
    return p;
}

ald_err ald_pattern_parse(const char *src, size_t len, ald_pattern **out,
                          struct ald_errpos *err)
{
    return ald_pattern_parse_ex(src, len, 0, out, err);
}

ald_err ald_pattern_parse_ex(const char *src, size_t len, unsigned flags, ald_pattern **out,
                             struct ald_errpos *err)
{
    if (out)
        *out = NULL;
    if (err) {
        memset(err, 0, sizeof *err);
        err->code = ALD_E_OK;
    }
    if (!out || (!src && len)) {
        if (err) {
            err->code = ALD_E_ARG;
            snprintf(err->msg, sizeof err->msg, "no pattern given");
        }
        return ALD_E_ARG;
    }
    if (!src)
        src = "";
    pat_err e = {0};
    ald_pattern *p = NULL;
    size_t bad = utf8_invalid((const unsigned char *)src, len);
    size_t comment = bad < len ? len : pat_leading_comment(src, len);
    if (bad < len) {
        pat_fail(&e, bad, "byte 0x%02X is not valid UTF-8", (unsigned char)src[bad]);
    } else if (comment < len) {
        /* the validator requires '[' first, after blanks and '(' only
         * (stix2patterns helpers.brackets_check), though the grammar skips
         * comments anywhere */
        pat_fail(&e, comment, "a comment may not come before the first '['");
    } else {
        /* a pattern needs about 300 + 8 bytes per byte of text (measured on
         * the spec examples); when the estimate was short the parse is run
         * again into one chunk of the exact size (parsing is deterministic),
         * so that millions of loaded patterns carry no arena slack */
        size_t first = 320 + (len < (SIZE_MAX - 320) / 8 ? len * 8 : 0);
        if (first > ((size_t)1 << 20))
            first = (size_t)1 << 20;
        p = run(src, len, first, flags, &e);
        size_t nchunks = 0, used = p ? pat_arena_used(&p->arena, &nchunks) : 0;
        if (p && nchunks > 1) {
            ald_pattern_free(p);
            p = run(src, len, used, flags, &e);
        }
    }
    if (!p) {
        ald_err code = e.nomem ? ALD_E_NOMEM : ALD_E_PATTERN;
        if (err) {
            err->code = code;
            err->offset = e.off;
            err->line = 1;
            /* column in characters, like the reference's ANTLR messages */
            unsigned col = 1;
            for (size_t i = 0; i < e.off && i < len; i++)
                col += ((unsigned char)src[i] & 0xC0) != 0x80;
            err->col = col;
            memcpy(err->msg, e.msg, sizeof err->msg);
        }
        return code;
    }
    *out = p;
    return ALD_E_OK;
}

const ald_poexpr *ald_pattern_root(const ald_pattern *p)
{
    return p ? p->root : NULL;
}

const char *ald_pattern_text(const ald_pattern *p)
{
    return p ? p->text : NULL;
}

void ald_pattern_free(ald_pattern *p)
{
    if (!p)
        return;
    pat_arena a = p->arena;     /* p lives in one of the chunks */
    pat_arena_free(&a);
}
