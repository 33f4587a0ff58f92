/*
 * hset.c - the open-addressing hash set of exact indicator values
 * (domains, URLs, e-mail addresses, file and certificate hashes, ports):
 * hash -> entry indexes. See match_int.h for the slot layout and why a slot
 * carries a fingerprint rather than a pointer.
 */
#include <stdlib.h>

#include "match/match_int.h"

#define SLOT(fp, e) (((uint64_t)(fp) << 32) | (uint64_t)((e) + 1))
#define SLOT_FP(s) ((uint32_t)((s) >> 32))
#define SLOT_E(s) ((uint32_t)(s) - 1)

bool mt_hset_init(mt_hset *h, size_t expected)
{
    size_t n = 16;
    /* load factor <= 0.6: a miss probes ~2.5 slots, all in one cache line
     * most of the time */
    while (n * 3 < expected * 5)
        n <<= 1;
    h->slots = calloc(n, sizeof *h->slots);
    h->mask = n - 1;
    h->n = 0;
    return h->slots != NULL;
}

void mt_hset_free(mt_hset *h)
{
    free(h->slots);
    h->slots = NULL;
}

bool mt_hset_put(mt_hset *h, uint64_t hv, uint32_t e)
{
    if ((h->n + 1) * 5 > (h->mask + 1) * 4 || e == UINT32_MAX)
        return false;               /* beyond what init reserved */
    size_t i = (size_t)hv & h->mask;
    while (h->slots[i])
        i = (i + 1) & h->mask;
    h->slots[i] = SLOT(hv >> 32, e);
    h->n++;
    return true;
}

uint32_t mt_hset_next(const mt_hset *h, uint64_t hv, size_t *pos)
{
    uint32_t fp = (uint32_t)(hv >> 32);
    size_t i = ((size_t)hv + *pos) & h->mask;
    for (;;) {
        uint64_t s = h->slots[i];
        if (!s)
            return UINT32_MAX;
        i = (i + 1) & h->mask;
        ++*pos;
        if (SLOT_FP(s) == fp)
            return SLOT_E(s);
    }
}

size_t mt_hset_bytes(const mt_hset *h)
{
    return (h->mask + 1) * sizeof *h->slots;
}
