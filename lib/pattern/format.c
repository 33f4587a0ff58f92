/*
 * format.c - canonical text of a parsed pattern (ald_pattern_format). Used
 * by the tests and the fuzz target as a round-trip oracle
 * (parse(format(parse(x))) formats the same) and by callers that want to
 * show one sub-expression of a pattern in a message.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "internal.h"

/* Counts everything, stores what fits (snprintf-like). */
typedef struct {
    char *buf;
    size_t cap, n;
} wr;

static void put(wr *w, const char *s, size_t n)
{
    if (w->n < w->cap) {
        size_t room = w->cap - w->n;
        memcpy(w->buf + w->n, s, n < room ? n : room);
    }
    w->n += n;
}

static void puts_(wr *w, const char *s) { put(w, s, strlen(s)); }

static void putc_(wr *w, char c) { put(w, &c, 1); }

static size_t finish(wr *w)
{
    if (w->cap > 0)
        w->buf[w->n < w->cap ? w->n : w->cap - 1] = '\0';
    return w->n;
}

/* ---- literals ------------------------------------------------------------ */

static void quoted(wr *w, const char *s, size_t n)
{
    putc_(w, '\'');
    size_t from = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '\'' || s[i] == '\\') {
            put(w, s + from, i - from);
            putc_(w, '\\');
            from = i;
        }
    }
    put(w, s + from, n - from);
    putc_(w, '\'');
}

static void civil(int64_t days, int64_t *y, unsigned *m, unsigned *d)
{
    days += 719468;
    int64_t era = (days >= 0 ? days : days - 146096) / 146097;
    int64_t doe = days - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    *d = (unsigned)(doy - (153 * mp + 2) / 5 + 1);
    *m = (unsigned)(mp < 10 ? mp + 3 : mp - 9);
    *y = yoe + era * 400 + (*m <= 2);
}

static void timestamp(wr *w, int64_t sec, int32_t nsec)
{
    int64_t days = sec >= 0 ? sec / 86400 : -((-sec + 86399) / 86400);
    int64_t rem = sec - days * 86400;
    int64_t y;
    unsigned m, d;
    civil(days, &y, &m, &d);
    char b[64];
    int n = snprintf(b, sizeof b, "t'%04" PRId64 "-%02u-%02uT%02d:%02d:%02d", y, m, d,
                     (int)(rem / 3600), (int)(rem / 60 % 60), (int)(rem % 60));
    put(w, b, (size_t)n);
    if (nsec > 0) {
        char f[16];
        snprintf(f, sizeof f, ".%09d", (int)nsec);
        size_t fl = 10;
        while (f[fl - 1] == '0')
            fl--;
        put(w, f, fl);
    }
    put(w, "Z'", 2);
}

static void base64(wr *w, const uint8_t *p, size_t n)
{
    static const char a[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    put(w, "b'", 2);
    for (size_t i = 0; i < n; i += 3) {
        uint32_t v = (uint32_t)p[i] << 16;
        if (i + 1 < n)
            v |= (uint32_t)p[i + 1] << 8;
        if (i + 2 < n)
            v |= p[i + 2];
        char q[4] = {a[v >> 18 & 63], a[v >> 12 & 63], i + 1 < n ? a[v >> 6 & 63] : '=',
                     i + 2 < n ? a[v & 63] : '='};
        put(w, q, 4);
    }
    putc_(w, '\'');
}

static void value(wr *w, const ald_pval *v)
{
    char b[1200];
    switch (v->type) {
    case ALD_PV_STRING:
        quoted(w, v->u.str.p, v->u.str.len);
        break;
    case ALD_PV_INT:
        snprintf(b, sizeof b, "%" PRId64, v->u.i);
        puts_(w, b);
        break;
    case ALD_PV_FLOAT:
        put(w, b, pat_format_double(v->u.f, b, sizeof b));
        break;
    case ALD_PV_BOOL:
        puts_(w, v->u.b ? "true" : "false");
        break;
    case ALD_PV_BINARY:
        base64(w, v->u.bin.p, v->u.bin.len);
        break;
    case ALD_PV_HEX:
        put(w, "h'", 2);
        for (size_t i = 0; i < v->u.bin.len; i++) {
            static const char hx[] = "0123456789abcdef";
            char q[2] = {hx[v->u.bin.p[i] >> 4], hx[v->u.bin.p[i] & 15]};
            put(w, q, 2);
        }
        putc_(w, '\'');
        break;
    case ALD_PV_TIMESTAMP:
        timestamp(w, v->u.ts.sec, v->u.ts.nsec);
        break;
    }
}

/* ---- comparison expressions ------------------------------------------------- */

static void key(wr *w, const ald_pstep *s)
{
    if (pat_bare_key(s->key, s->keylen))
        put(w, s->key, s->keylen);
    else
        quoted(w, s->key, s->keylen);
}

static void path(wr *w, const ald_ppath *pa)
{
    puts_(w, pa->object_type);
    putc_(w, ':');
    for (size_t i = 0; i < pa->nsteps; i++) {
        const ald_pstep *s = &pa->steps[i];
        char b[32];
        switch (s->kind) {
        case ALD_PSTEP_KEY:
            if (i > 0)
                putc_(w, '.');
            key(w, s);
            break;
        case ALD_PSTEP_INDEX:
            snprintf(b, sizeof b, "[%" PRId64 "]", s->index);
            puts_(w, b);
            break;
        case ALD_PSTEP_ANY:
            put(w, "[*]", 3);
            break;
        }
    }
}

static const char *const op_names[] = {
    [ALD_POP_EQ] = "=", [ALD_POP_NE] = "!=", [ALD_POP_LT] = "<", [ALD_POP_LE] = "<=",
    [ALD_POP_GT] = ">", [ALD_POP_GE] = ">=", [ALD_POP_IN] = "IN", [ALD_POP_LIKE] = "LIKE",
    [ALD_POP_MATCHES] = "MATCHES", [ALD_POP_ISSUBSET] = "ISSUBSET",
    [ALD_POP_ISSUPERSET] = "ISSUPERSET", [ALD_POP_EXISTS] = "EXISTS",
};

static int cprec(const ald_pcexpr *c)
{
    return c->kind == ALD_PCE_OR ? 1 : c->kind == ALD_PCE_AND ? 2 : 3;
}

static void cmp(wr *w, const ald_pcexpr *c, int minprec)
{
    int p = cprec(c);
    if (p < minprec)
        putc_(w, '(');
    if (c->kind == ALD_PCE_TEST) {
        if (c->op == ALD_POP_EXISTS) {
            puts_(w, c->negated ? "NOT EXISTS " : "EXISTS ");
            path(w, &c->path);
        } else {
            path(w, &c->path);
            puts_(w, c->negated ? " NOT " : " ");
            puts_(w, op_names[c->op]);
            if (c->op == ALD_POP_IN) {
                put(w, " (", 2);
                for (size_t i = 0; i < c->nvals; i++) {
                    if (i)
                        put(w, ", ", 2);
                    value(w, &c->vals[i]);
                }
                putc_(w, ')');
            } else {
                putc_(w, ' ');
                value(w, &c->vals[0]);
            }
        }
    } else {
        cmp(w, c->l, p);
        puts_(w, c->kind == ALD_PCE_OR ? " OR " : " AND ");
        cmp(w, c->r, p);
    }
    if (p < minprec)
        putc_(w, ')');
}

/* ---- observation expressions ---------------------------------------------------- */

static int is_qual(const ald_poexpr *e)
{
    return e->kind == ALD_POE_WITHIN || e->kind == ALD_POE_REPEATS ||
           e->kind == ALD_POE_STARTSTOP;
}

static int oprec(const ald_poexpr *e)
{
    switch (e->kind) {
    case ALD_POE_FOLLOWEDBY: return 1;
    case ALD_POE_OR: return 2;
    case ALD_POE_AND: return 3;
    default: return 4;
    }
}

static unsigned qbit(const ald_poexpr *e)
{
    return e->kind == ALD_POE_WITHIN ? 1u : e->kind == ALD_POE_REPEATS ? 2u : 4u;
}

/* The qualifiers directly on a bracketed observation once e is printed
 * bare (a bit set), or -1 when e ends in a parenthesised group, where the
 * parser does not look for duplicates. */
static int qstate(const ald_poexpr *e)
{
    if (e->kind == ALD_POE_OBS)
        return 0;
    if (!is_qual(e))
        return -1;
    int s = qstate(e->l);
    if (s < 0 || (s & (int)qbit(e)))
        return -1;          /* e->l is printed in parentheses */
    return s | (int)qbit(e);
}

static void obs(wr *w, const ald_poexpr *e, int minprec)
{
    int p = oprec(e);
    if (p < minprec)
        putc_(w, '(');
    if (e->kind == ALD_POE_OBS) {
        putc_(w, '[');
        cmp(w, e->cmp, 0);
        putc_(w, ']');
    } else if (is_qual(e)) {
        int s = qstate(e->l);
        int wrap = e->l->kind != ALD_POE_OBS && (!is_qual(e->l) || (s >= 0 && (s & (int)qbit(e))));
        if (wrap)
            putc_(w, '(');
        obs(w, e->l, wrap ? 0 : 4);
        if (wrap)
            putc_(w, ')');
        char b[1200];
        if (e->kind == ALD_POE_WITHIN) {
            put(w, " WITHIN ", 8);
            double v = e->within_s;
            if (v <= 9007199254740992.0 && v == (double)(int64_t)v) {
                snprintf(b, sizeof b, "%" PRId64, (int64_t)v);
                puts_(w, b);
            } else {
                put(w, b, pat_format_double(v, b, sizeof b));
            }
            put(w, " SECONDS", 8);
        } else if (e->kind == ALD_POE_REPEATS) {
            snprintf(b, sizeof b, " REPEATS %" PRId64 " TIMES", e->repeats);
            puts_(w, b);
        } else {
            put(w, " START ", 7);
            value(w, &e->start);
            put(w, " STOP ", 6);
            value(w, &e->stop);
        }
    } else {
        obs(w, e->l, p);
        puts_(w, e->kind == ALD_POE_FOLLOWEDBY ? " FOLLOWEDBY "
                 : e->kind == ALD_POE_OR       ? " OR "
                                               : " AND ");
        obs(w, e->r, p);
    }
    if (p < minprec)
        putc_(w, ')');
}

size_t ald_pattern_format_obs(const ald_poexpr *e, char *buf, size_t cap)
{
    wr w = {buf, cap, 0};
    if (e)
        obs(&w, e, 0);
    return finish(&w);
}

size_t ald_pattern_format_cmp(const ald_pcexpr *c, char *buf, size_t cap)
{
    wr w = {buf, cap, 0};
    if (c)
        cmp(&w, c, 0);
    return finish(&w);
}

size_t ald_pattern_format(const ald_pattern *p, char *buf, size_t cap)
{
    return ald_pattern_format_obs(p ? p->root : NULL, buf, cap);
}
