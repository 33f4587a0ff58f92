/*
 * iptrie.c - IPv4 and IPv6 prefixes (CIDRs and single addresses) with
 * all-prefix matching: every stored prefix that contains an address.
 *
 * Not a pointer tree: one open-addressing hash table per prefix length
 * present, keyed by the address masked to that length, probed from the
 * longest length to the shortest. A lookup costs one probe (usually one
 * cache miss) per DISTINCT length in the set: one when every indicator is
 * a host address, a handful for real feeds (/32, /24, /16...), at most 33
 * (IPv4) or 129 (IPv6). A binary radix tree over 10M addresses would cost a
 * miss per level, 20-30 per lookup, and 30-40 bytes per node. A prefix
 * stored several times (several indicators) keeps every value: the tables
 * allow duplicate keys and a lookup visits all of them.
 */
#include <arpa/inet.h>
#include <stdlib.h>

#include "match/match_int.h"

/* IPv4 slot: key in the high 32 bits, value+1 in the low ones (0: empty).
 * IPv6 slot: the two key halves and value+1. */
typedef struct { uint64_t hi, lo; uint32_t v1; } slot6;

struct mt_ptab {
    int v6;
    size_t mask, n;
    uint64_t *s4;
    slot6 *s6;
};

bool mt_addr_parse(const char *s, size_t n, mt_addr *a, int *plen)
{
    char buf[64];
    *plen = -1;
    const char *slash = memchr(s, '/', n);
    size_t alen = slash ? (size_t)(slash - s) : n;
    if (alen == 0 || alen >= sizeof buf)
        return false;
    memcpy(buf, s, alen);
    buf[alen] = 0;
    memset(a, 0, sizeof *a);
    if (memchr(buf, ':', alen)) {
        if (inet_pton(AF_INET6, buf, a->b) != 1)
            return false;
        a->v6 = 1;
    } else if (inet_pton(AF_INET, buf, a->b) != 1) {
        return false;
    }
    if (slash) {
        size_t i = alen + 1;
        int v = 0;
        if (i >= n || n - i > 3)
            return false;
        for (; i < n; i++) {
            if (s[i] < '0' || s[i] > '9')
                return false;
            v = v * 10 + (s[i] - '0');
        }
        if (v > (a->v6 ? 128 : 32))
            return false;
        *plen = v;
    }
    return true;
}

/* ---- keys ---- */

static uint32_t key4(const mt_addr *a, int len)
{
    uint32_t k = (uint32_t)a->b[0] << 24 | (uint32_t)a->b[1] << 16 |
                 (uint32_t)a->b[2] << 8 | a->b[3];
    return len == 0 ? 0 : k & (UINT32_MAX << (32 - len));
}

static void key6(const mt_addr *a, int len, uint64_t *hi, uint64_t *lo)
{
    uint64_t h = 0, l = 0;
    for (int i = 0; i < 8; i++) {
        h = h << 8 | a->b[i];
        l = l << 8 | a->b[8 + i];
    }
    if (len <= 64) {
        l = 0;
        h = len == 0 ? 0 : h & (UINT64_MAX << (64 - len));
    } else if (len < 128) {
        l &= UINT64_MAX << (128 - len);
    }
    *hi = h;
    *lo = l;
}

static size_t hash4(uint32_t k)
{
    return (size_t)mt_mix(k ^ UINT64_C(0x5bd1e9955bd1e995));
}

static size_t hash6(uint64_t hi, uint64_t lo)
{
    return (size_t)mt_mix(hi ^ mt_mix(lo + UINT64_C(0x27d4eb2f165667c5)));
}

/* ---- tables ---- */

static mt_ptab *ptab_new(int v6)
{
    mt_ptab *t = calloc(1, sizeof *t);
    if (!t)
        return NULL;
    t->v6 = v6;
    t->mask = 15;
    if (v6)
        t->s6 = calloc(16, sizeof *t->s6);
    else
        t->s4 = calloc(16, sizeof *t->s4);
    if (!t->s4 && !t->s6) {
        free(t);
        return NULL;
    }
    return t;
}

static void ptab_free(mt_ptab *t)
{
    if (!t)
        return;
    free(t->s4);
    free(t->s6);
    free(t);
}

static void put4(uint64_t *s, size_t mask, uint64_t slot)
{
    size_t i = hash4((uint32_t)(slot >> 32)) & mask;
    while (s[i])
        i = (i + 1) & mask;
    s[i] = slot;
}

static void put6(slot6 *s, size_t mask, const slot6 *x)
{
    size_t i = hash6(x->hi, x->lo) & mask;
    while (s[i].v1)
        i = (i + 1) & mask;
    s[i] = *x;
}

/* Doubles the table when it is 0.6 full. */
static bool ptab_grow(mt_ptab *t)
{
    if ((t->n + 1) * 5 <= (t->mask + 1) * 3)
        return true;
    size_t nn = (t->mask + 1) * 2, nm = nn - 1;
    if (t->v6) {
        slot6 *ns = calloc(nn, sizeof *ns);
        if (!ns)
            return false;
        for (size_t i = 0; i <= t->mask; i++)
            if (t->s6[i].v1)
                put6(ns, nm, &t->s6[i]);
        free(t->s6);
        t->s6 = ns;
    } else {
        uint64_t *ns = calloc(nn, sizeof *ns);
        if (!ns)
            return false;
        for (size_t i = 0; i <= t->mask; i++)
            if (t->s4[i])
                put4(ns, nm, t->s4[i]);
        free(t->s4);
        t->s4 = ns;
    }
    t->mask = nm;
    return true;
}

void mt_iptrie_init(mt_iptrie *t)
{
    memset(t, 0, sizeof *t);
}

void mt_iptrie_free(mt_iptrie *t)
{
    for (int f = 0; f < 2; f++)
        for (int l = 0; l <= 128; l++)
            ptab_free(t->tab[f][l]);
    memset(t, 0, sizeof *t);
}

bool mt_iptrie_add(mt_iptrie *t, const mt_addr *a, int plen, uint32_t v)
{
    int f = a->v6 ? 1 : 0, maxl = f ? 128 : 32;
    if (plen < 0)
        plen = maxl;
    if (plen > maxl || v == UINT32_MAX)
        return false;
    mt_ptab *tb = t->tab[f][plen];
    if (!tb) {
        tb = t->tab[f][plen] = ptab_new(f);
        if (!tb)
            return false;
        /* keep the lengths present sorted, longest first */
        int i = t->nlens[f]++;
        while (i > 0 && t->lens[f][i - 1] < plen) {
            t->lens[f][i] = t->lens[f][i - 1];
            i--;
        }
        t->lens[f][i] = (uint8_t)plen;
    }
    if (!ptab_grow(tb))
        return false;
    if (f) {
        slot6 x;
        key6(a, plen, &x.hi, &x.lo);
        x.v1 = v + 1;
        put6(tb->s6, tb->mask, &x);
    } else {
        uint32_t k = key4(a, plen);
        put4(tb->s4, tb->mask, (uint64_t)k << 32 | (uint64_t)(v + 1));
        if (plen >= 16)
            t->v4_16[k >> 22] |= UINT64_C(1) << ((k >> 16) & 63);
    }
    tb->n++;
    t->n++;
    return true;
}

size_t mt_iptrie_find(const mt_iptrie *t, const mt_addr *a,
                      int (*cb)(void *ctx, uint32_t v, int plen), void *ctx)
{
    int f = a->v6 ? 1 : 0;
    size_t seen = 0;
    uint32_t a4 = f ? 0 : key4(a, 32);
    bool in16 = !f && (t->v4_16[a4 >> 22] >> ((a4 >> 16) & 63) & 1);
    for (int li = 0; li < t->nlens[f]; li++) {
        int len = t->lens[f][li];
        const mt_ptab *tb = t->tab[f][len];
        if (!f && len >= 16 && !in16)
            continue;
        if (f) {
            uint64_t hi, lo;
            key6(a, len, &hi, &lo);
            for (size_t i = hash6(hi, lo) & tb->mask; tb->s6[i].v1; i = (i + 1) & tb->mask) {
                if (tb->s6[i].hi == hi && tb->s6[i].lo == lo) {
                    seen++;
                    if (cb && cb(ctx, tb->s6[i].v1 - 1, len))
                        return seen;
                }
            }
        } else {
            uint32_t k = key4(a, len);
            for (size_t i = hash4(k) & tb->mask; tb->s4[i]; i = (i + 1) & tb->mask) {
                if ((uint32_t)(tb->s4[i] >> 32) == k) {
                    seen++;
                    if (cb && cb(ctx, (uint32_t)tb->s4[i] - 1, len))
                        return seen;
                }
            }
        }
    }
    return seen;
}

bool mt_iptrie_any(const mt_iptrie *t, const mt_addr *a)
{
    if (a->v6)
        return mt_iptrie_find(t, a, NULL, NULL) > 0;
    /* the hot case of the fast path (IPv4 strings of every log line):
     * no callback, stop at the first stored prefix */
    uint32_t a4 = key4(a, 32);
    bool in16 = t->v4_16[a4 >> 22] >> ((a4 >> 16) & 63) & 1;
    for (int li = 0; li < t->nlens[0]; li++) {
        int len = t->lens[0][li];
        if (len >= 16 && !in16)
            continue;       /* the lengths are sorted: a later one may be < 16 */
        const mt_ptab *tb = t->tab[0][len];
        uint32_t k = key4(a, len);
        for (size_t i = hash4(k) & tb->mask; tb->s4[i]; i = (i + 1) & tb->mask)
            if ((uint32_t)(tb->s4[i] >> 32) == k)
                return true;
    }
    return false;
}

size_t mt_iptrie_bytes(const mt_iptrie *t)
{
    size_t b = 0;
    for (int f = 0; f < 2; f++)
        for (int l = 0; l <= 128; l++)
            if (t->tab[f][l])
                b += sizeof(mt_ptab) + (t->tab[f][l]->mask + 1) *
                     (f ? sizeof(slot6) : sizeof(uint64_t));
    return b;
}

void mt_iptrie_each_host4(const mt_iptrie *t, void (*cb)(void *ctx, uint32_t a), void *ctx)
{
    const mt_ptab *tb = t->tab[0][32];
    if (!tb)
        return;
    for (size_t i = 0; i <= tb->mask; i++)
        if (tb->s4[i])
            cb(ctx, (uint32_t)(tb->s4[i] >> 32));
}
