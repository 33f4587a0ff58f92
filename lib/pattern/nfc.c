/*
 * nfc.c - Unicode Normalization Form C (UAX #15) of UTF-8 text, for LIKE
 * and MATCHES: the reference matcher normalises both the operand and the
 * data to NFC before matching (unicodedata.normalize("NFC", ...)).
 *
 * Full canonical decomposition (tables in nfc_tab.h, generated from the
 * Unicode Character Database by gen_nfc.py; Hangul syllables
 * algorithmically), canonical ordering of combining marks, then canonical
 * composition of primary composites with the blocking rule.
 */
#include <stdlib.h>
#include <string.h>

#include "value.h"

#include "nfc_tab.h"

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

enum {
    S_BASE = 0xAC00, L_BASE = 0x1100, V_BASE = 0x1161, T_BASE = 0x11A7,
    L_COUNT = 19, V_COUNT = 21, T_COUNT = 28, N_COUNT = V_COUNT * T_COUNT,
    S_COUNT = L_COUNT * N_COUNT
};

static int ccc_of(uint32_t cp)
{
    size_t lo = 0, hi = NELEM(nfc_ccc);
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (cp < nfc_ccc[mid].lo)
            hi = mid;
        else if (cp > nfc_ccc[mid].hi)
            lo = mid + 1;
        else
            return nfc_ccc[mid].ccc;
    }
    return 0;
}

static long find_decomp(uint32_t cp)
{
    size_t lo = 0, hi = NELEM(nfc_decomp);
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (cp < nfc_decomp[mid].cp)
            hi = mid;
        else if (cp > nfc_decomp[mid].cp)
            lo = mid + 1;
        else
            return (long)mid;
    }
    return -1;
}

static uint32_t compose(uint32_t a, uint32_t b)
{
    if (a >= L_BASE && a < L_BASE + L_COUNT && b >= V_BASE && b < V_BASE + V_COUNT)
        return S_BASE + ((a - L_BASE) * V_COUNT + (b - V_BASE)) * T_COUNT;
    if (a >= S_BASE && a < S_BASE + S_COUNT && (a - S_BASE) % T_COUNT == 0 &&
        b > T_BASE && b < T_BASE + T_COUNT)
        return a + (b - T_BASE);
    size_t lo = 0, hi = NELEM(nfc_comp);
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (a < nfc_comp[mid].a || (a == nfc_comp[mid].a && b < nfc_comp[mid].b))
            hi = mid;
        else if (a > nfc_comp[mid].a || b > nfc_comp[mid].b)
            lo = mid + 1;
        else
            return nfc_comp[mid].c;
    }
    return 0;
}

struct cpbuf {
    uint32_t *v;
    size_t n, cap;
};

static int put(struct cpbuf *b, uint32_t cp)
{
    if (b->n == b->cap) {
        size_t c = b->cap ? b->cap * 2 : 64;
        uint32_t *q = realloc(b->v, c * sizeof *q);
        if (!q)
            return -1;
        b->v = q;
        b->cap = c;
    }
    b->v[b->n++] = cp;
    return 0;
}

/* Full canonical decomposition of cp (decompositions nest a few levels). */
static int decompose(struct cpbuf *b, uint32_t cp, int depth)
{
    if (cp >= S_BASE && cp < S_BASE + S_COUNT) {
        uint32_t s = cp - S_BASE;
        if (put(b, L_BASE + s / N_COUNT) || put(b, V_BASE + (s % N_COUNT) / T_COUNT))
            return -1;
        if (s % T_COUNT && put(b, T_BASE + s % T_COUNT))
            return -1;
        return 0;
    }
    long i = depth < 8 ? find_decomp(cp) : -1;
    if (i < 0)
        return put(b, cp);
    if (decompose(b, nfc_decomp[i].d1, depth + 1))
        return -1;
    if (nfc_decomp[i].d2 && decompose(b, nfc_decomp[i].d2, depth + 1))
        return -1;
    return 0;
}

static size_t utf8_put(uint8_t *o, uint32_t cp)
{
    if (cp < 0x80) {
        o[0] = (uint8_t)cp;
        return 1;
    }
    if (cp < 0x800) {
        o[0] = (uint8_t)(0xC0 | cp >> 6);
        o[1] = (uint8_t)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        o[0] = (uint8_t)(0xE0 | cp >> 12);
        o[1] = (uint8_t)(0x80 | ((cp >> 6) & 0x3F));
        o[2] = (uint8_t)(0x80 | (cp & 0x3F));
        return 3;
    }
    o[0] = (uint8_t)(0xF0 | cp >> 18);
    o[1] = (uint8_t)(0x80 | ((cp >> 12) & 0x3F));
    o[2] = (uint8_t)(0x80 | ((cp >> 6) & 0x3F));
    o[3] = (uint8_t)(0x80 | (cp & 0x3F));
    return 4;
}

int pv_nfc(const uint8_t *s, size_t n, uint8_t **out, size_t *outlen)
{
    struct cpbuf b = {0};
    *out = NULL;
    for (size_t i = 0; i < n;) {
        uint32_t cp;
        int l = pv_utf8_next(s + i, n - i, &cp);
        if (l < 0 || decompose(&b, cp, 0)) {
            free(b.v);
            return -1;
        }
        i += (size_t)l;
    }
    /* Canonical ordering: a stable sort of each run of non-starters by
     * combining class (runs are short: insertion sort). */
    for (size_t i = 1; i < b.n; i++) {
        int c = ccc_of(b.v[i]);
        if (!c)
            continue;
        size_t j = i;
        uint32_t cp = b.v[i];
        while (j > 0) {
            int pc = ccc_of(b.v[j - 1]);
            if (pc <= c)
                break;
            b.v[j] = b.v[j - 1];
            j--;
        }
        b.v[j] = cp;
    }
    /* Canonical composition: each character joins the last starter when
     * nothing between them blocks it (a mark of the same or higher class,
     * or a starter). */
    size_t o = 0;
    if (b.n) {
        size_t sp = 0;
        uint32_t sc = b.v[0];
        int last = ccc_of(sc);
        int have = last == 0;       /* no starter yet: nothing to compose onto */
        o = 1;
        for (size_t i = 1; i < b.n; i++) {
            uint32_t ch = b.v[i];
            int c = ccc_of(ch);
            uint32_t comp = have ? compose(sc, ch) : 0;
            if (comp && (last < c || last == 0)) {
                b.v[sp] = comp;
                sc = comp;
                continue;
            }
            if (c == 0) {
                sp = o;
                sc = ch;
                have = 1;
            }
            last = c;
            b.v[o++] = ch;
        }
    }
    uint8_t *r = malloc(o * 4 + 1);
    if (!r) {
        free(b.v);
        return -1;
    }
    size_t len = 0;
    for (size_t i = 0; i < o; i++)
        len += utf8_put(r + len, b.v[i]);
    r[len] = 0;
    free(b.v);
    *out = r;
    *outlen = len;
    return 0;
}
