/*
 * test_iptrie.c - the address prefix tables (lib/match/iptrie.c): address
 * and CIDR parsing, all-prefix lookup (longest first, duplicates kept, IPv4
 * and IPv6 apart, /0), and 3,000 random prefixes against a brute-force
 * containment check on 30,000 addresses drawn near them.
 */
#include "testutil.h"

#include <stdlib.h>
#include <string.h>

#include "match/match_int.h"

static bool parse(const char *s, mt_addr *a, int *plen)
{
    return mt_addr_parse(s, strlen(s), a, plen);
}

static void addr_parse(void **state)
{
    (void)state;
    mt_addr a;
    int pl;
    assert_true(parse("10.1.1.1", &a, &pl));
    assert_int_equal(a.v6, 0);
    assert_int_equal(pl, -1);
    assert_int_equal(a.b[0], 10);
    assert_int_equal(a.b[3], 1);
    assert_true(parse("192.168.0.0/16", &a, &pl));
    assert_int_equal(pl, 16);
    assert_true(parse("0.0.0.0/0", &a, &pl));
    assert_int_equal(pl, 0);
    assert_true(parse("2001:db8::1", &a, &pl));
    assert_int_equal(a.v6, 1);
    assert_int_equal(a.b[0], 0x20);
    assert_int_equal(a.b[15], 1);
    assert_true(parse("::ffff:1.2.3.4", &a, &pl));
    assert_true(parse("2001:db8::/32", &a, &pl));
    assert_int_equal(pl, 32);
    /* refused: what inet_pton refuses, lengths out of range, junk */
    const char *bad[] = {"", "10.1.1", "10.1.1.256", "10.01.1.1", "1.2.3.4.5", "10.1.1.1/33",
                         "10.1.1.1/", "10.1.1.1/-1", "10.1.1.1/1a", "2001:db8::1/129",
                         "2001:db8:::1", "evil.com", "10.1.1.1 ", "1.2.3.4/0032"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
        assert_false(parse(bad[i], &a, &pl));
}

struct got {
    uint32_t v[4096];
    int plen[4096];
    size_t n;
};

static int collect(void *ctx, uint32_t v, int plen)
{
    struct got *g = ctx;
    if (g->n < 4096) {
        g->v[g->n] = v;
        g->plen[g->n] = plen;
        g->n++;
    }
    return 0;
}

static void add(mt_iptrie *t, const char *s, uint32_t v)
{
    mt_addr a;
    int pl;
    assert_true(parse(s, &a, &pl));
    assert_true(mt_iptrie_add(t, &a, pl, v));
}

static struct got find(const mt_iptrie *t, const char *s)
{
    mt_addr a;
    int pl;
    struct got g = {.n = 0};
    assert_true(parse(s, &a, &pl));
    size_t n = mt_iptrie_find(t, &a, collect, &g);
    assert_int_equal(n, g.n);
    assert_int_equal(mt_iptrie_any(t, &a), n > 0);
    return g;
}

static int cmp_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return x < y ? -1 : x > y;
}

static void all_prefixes(void **state)
{
    (void)state;
    mt_iptrie t;
    mt_iptrie_init(&t);
    add(&t, "10.0.0.0/8", 1);
    add(&t, "10.1.0.0/16", 2);
    add(&t, "10.1.1.1", 3);
    add(&t, "10.1.1.1/32", 4);      /* the same host again: both kept */
    add(&t, "0.0.0.0/0", 5);
    add(&t, "10.1.7.9/16", 8);      /* host bits are cleared: 10.1.0.0/16 */
    add(&t, "2001:db8::/32", 6);
    add(&t, "2001:db8::1", 7);
    assert_int_equal(t.n, 8);

    struct got g = find(&t, "10.1.1.1");
    assert_int_equal(g.n, 6);
    /* longest first */
    for (size_t i = 1; i < g.n; i++)
        assert_true(g.plen[i - 1] >= g.plen[i]);
    qsort(g.v, g.n, sizeof *g.v, cmp_u32);
    uint32_t want[] = {1, 2, 3, 4, 5, 8};
    assert_memory_equal(g.v, want, sizeof want);

    g = find(&t, "10.1.1.10");      /* shares the text prefix, not the host */
    qsort(g.v, g.n, sizeof *g.v, cmp_u32);
    uint32_t want2[] = {1, 2, 5, 8};
    assert_int_equal(g.n, 4);
    assert_memory_equal(g.v, want2, sizeof want2);

    g = find(&t, "11.0.0.1");
    assert_int_equal(g.n, 1);
    assert_int_equal(g.v[0], 5);

    g = find(&t, "2001:db8::1");
    assert_int_equal(g.n, 2);
    assert_int_equal(g.v[0], 7);
    assert_int_equal(g.v[1], 6);
    g = find(&t, "2001:db8:ffff::2");
    assert_int_equal(g.n, 1);
    g = find(&t, "2001:db9::1");
    assert_int_equal(g.n, 0);
    /* an IPv4-mapped address is IPv6 here: /0 of IPv4 does not hold it */
    g = find(&t, "::ffff:10.1.1.1");
    assert_int_equal(g.n, 0);
    assert_true(mt_iptrie_bytes(&t) > 0);
    mt_iptrie_free(&t);
}

/* ---- random prefixes against brute force ---- */

static uint64_t rnd_state = 88172645463325252ull;
static uint64_t rnd(void)
{
    rnd_state ^= rnd_state << 13;
    rnd_state ^= rnd_state >> 7;
    rnd_state ^= rnd_state << 17;
    return rnd_state;
}

static bool contains(const mt_addr *p, int plen, const mt_addr *a)
{
    if (p->v6 != a->v6)
        return false;
    for (int i = 0; i < plen; i++) {
        int bit = 7 - (i & 7);
        if (((p->b[i >> 3] >> bit) & 1) != ((a->b[i >> 3] >> bit) & 1))
            return false;
    }
    return true;
}

#define NPFX 3000
#define NQ 30000

static void random_vs_brute_force(void **state)
{
    (void)state;
    static mt_addr pfx[NPFX];
    static int plen[NPFX];
    mt_iptrie t;
    mt_iptrie_init(&t);
    for (uint32_t i = 0; i < NPFX; i++) {
        mt_addr *p = &pfx[i];
        memset(p, 0, sizeof *p);
        p->v6 = (rnd() % 4) == 0;
        /* few distinct high bytes so that prefixes nest and overlap */
        for (int k = 0; k < 16; k++)
            p->b[k] = (uint8_t)(k < 2 ? rnd() % 3 : rnd());
        int maxl = p->v6 ? 128 : 32;
        plen[i] = rnd() % 3 == 0 ? maxl : (int)(rnd() % (unsigned)(maxl + 1));
        assert_true(mt_iptrie_add(&t, p, plen[i], i));
    }
    size_t total = 0;
    for (int q = 0; q < NQ; q++) {
        mt_addr a = pfx[rnd() % NPFX];
        /* flip a few low bits: inside some prefixes, outside others */
        int maxl = a.v6 ? 128 : 32;
        for (int k = 0; k < 3; k++) {
            int bit = (int)(rnd() % (unsigned)maxl);
            a.b[bit >> 3] ^= (uint8_t)(1u << (7 - (bit & 7)));
        }
        if (!a.v6)
            memset(a.b + 4, 0, 12);
        struct got g = {.n = 0};
        uint32_t want[4096];
        size_t nw = 0;
        for (uint32_t i = 0; i < NPFX; i++)
            if (contains(&pfx[i], plen[i], &a) && nw < 4096)
                want[nw++] = i;
        size_t n = mt_iptrie_find(&t, &a, collect, &g);
        assert_int_equal(n, nw);
        qsort(g.v, g.n, sizeof *g.v, cmp_u32);
        assert_memory_equal(g.v, want, nw * sizeof *want);
        total += n;
    }
    assert_true(total > NQ);    /* the draw does exercise containment */
    mt_iptrie_free(&t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(addr_parse),
        cmocka_unit_test(all_prefixes),
        cmocka_unit_test(random_vs_brute_force),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
