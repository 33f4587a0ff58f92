/*
 * match_int.h - internals of the indicator matcher shared by iset.c (which
 * builds them), scan.c (which probes them) and the tests: the value hash,
 * the hash set of exact values (hset.c), the address prefix table
 * (iptrie.c) and the compiled set's layout.
 */
#ifndef ALD_MATCH_INT_H
#define ALD_MATCH_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "alidade/match.h"

/* ---- value hash ---------------------------------------------------------
 * 64-bit hash of a byte string with every byte OR 0x20 first ("folded"):
 * upper-case letters hash like lower-case ones, so one probe serves the
 * case-insensitive kinds (domains, hex hashes, e-mail) and the
 * case-sensitive ones alike; the few other bytes the fold merges ('@' and
 * '`', '[' and '{' ...) only cost a text comparison. Words of 8 bytes,
 * multiply-xorshift mixing, a final avalanche. */
static inline uint64_t mt_mix(uint64_t h)
{
    h ^= h >> 33;
    h *= UINT64_C(0xff51afd7ed558ccd);
    h ^= h >> 33;
    h *= UINT64_C(0xc4ceb9fe1a85ec53);
    h ^= h >> 33;
    return h;
}

static inline uint64_t mt_load_fold(const char *s, size_t n)
{
    uint64_t w;
    if (n >= 8) {
        memcpy(&w, s, 8);
    } else if (n >= 4) {
        uint32_t a, b;
        memcpy(&a, s, 4);
        memcpy(&b, s + n - 4, 4);
        w = (uint64_t)a << 32 | b;
    } else {
        w = (uint64_t)(uint8_t)s[0] << 16 | (uint64_t)(uint8_t)s[n / 2] << 8 |
            (uint8_t)s[n - 1];
    }
    return w | UINT64_C(0x2020202020202020);
}

static inline uint64_t mt_hash_fold(const char *s, size_t n)
{
    uint64_t h = UINT64_C(0x9e3779b97f4a7c15) ^ (n * UINT64_C(0x100000001b3));
    if (n == 0)
        return mt_mix(h);
    /* whole words, then the last 8 bytes (overlapping the previous word)
     * or a short tail read with two overlapping loads: no byte loop */
    size_t i = 0;
    while (n - i > 8) {
        h = (h ^ mt_load_fold(s + i, 8)) * UINT64_C(0x9fb21c651e98df25);
        h ^= h >> 29;
        i += 8;
    }
    h = (h ^ mt_load_fold(n >= 8 ? s + n - 8 : s, n >= 8 ? 8 : n)) *
        UINT64_C(0x9fb21c651e98df25);
    h ^= h >> 29;
    return mt_mix(h);
}

/* A cheaper hash for the fast path's bit filter: the first and the last 8
 * bytes (folded) and the length, whatever the length, so that a long log
 * value (a user agent, a certificate subject) costs two loads and two
 * multiplications to reject; the full hash is computed only for the few
 * values that pass the filter. */
static inline uint64_t mt_qhash_fold(const char *s, size_t n)
{
    uint64_t a = mt_load_fold(s, n), b = n > 8 ? mt_load_fold(s + n - 8, 8) : 0;
    uint64_t h = (a ^ (n * UINT64_C(0x9e3779b97f4a7c15))) * UINT64_C(0xff51afd7ed558ccd);
    h = (h ^ (h >> 29) ^ b) * UINT64_C(0xc4ceb9fe1a85ec53);
    return h ^ (h >> 32);
}

/* ---- the hash set (hset.c) ---------------------------------------------
 * Open addressing, linear probing, power-of-two size, load <= 0.6. A slot
 * is 8 bytes: the high 32 bits of the key's hash (a fingerprint) and the
 * index+1 of the entry it names (0: empty). Probing compares fingerprints
 * in the slot array only, so a miss (the common case: most log values are
 * in no indicator) touches one cache line. Keys are hashes computed by the
 * caller (mt_hash_fold); several entries may share a hash and are all
 * returned by the iteration. Built once, then read-only. */
typedef struct mt_hset {
    uint64_t *slots;
    size_t mask;            /* nslots - 1 */
    size_t n;
} mt_hset;

bool mt_hset_init(mt_hset *h, size_t expected);
void mt_hset_free(mt_hset *h);
/* Adds entry index `e` (< UINT32_MAX) under hash `hv`. Never fails (the
 * size was reserved by init); returns false when more than `expected`. */
bool mt_hset_put(mt_hset *h, uint64_t hv, uint32_t e);
/* Iteration over the entries stored under hv: start with *pos = 0;
 * returns the next entry index or UINT32_MAX at the end. */
uint32_t mt_hset_next(const mt_hset *h, uint64_t hv, size_t *pos);
size_t mt_hset_bytes(const mt_hset *h);

/* ---- addresses (iptrie.c) ----------------------------------------------
 * IPv4 and IPv6 prefixes, all-prefix matching: every stored prefix that
 * contains an address. One hash table per prefix length present (IPv4 at
 * most 33, IPv6 at most 129), probed longest first: with 10M addresses a
 * binary radix tree costs one cache miss per level (20-30 per lookup); this
 * costs one per distinct length in the set, one when all are hosts. */
typedef struct mt_addr {
    int v6;                 /* 0: IPv4 in b[0..3], 1: IPv6 in b[0..15] */
    uint8_t b[16];
} mt_addr;

/* Parses a textual address, optionally with "/len". Accepts dotted-quad
 * IPv4 (no leading zeros beyond "0", as inet_pton), IPv6 (RFC 4291
 * forms incl. "::" and a trailing dotted quad), without surrounding
 * space. plen = -1 when there is no "/len". */
bool mt_addr_parse(const char *s, size_t n, mt_addr *a, int *plen);

typedef struct mt_ptab mt_ptab;
typedef struct mt_iptrie {
    mt_ptab *tab[2][129];       /* [v6][len] or NULL */
    uint8_t lens[2][129];       /* the lengths present, longest first */
    int nlens[2];
    size_t n;
    /* IPv4: one bit per /16 holding a stored prefix of length >= 16 (8 KiB,
     * stays in L1): most log addresses are rejected without touching a
     * table */
    uint64_t v4_16[1024];
} mt_iptrie;

void mt_iptrie_init(mt_iptrie *t);
void mt_iptrie_free(mt_iptrie *t);
/* Stores value `v` (< UINT32_MAX) under prefix a/plen (host bits are
 * cleared). A prefix stored twice keeps both values. */
bool mt_iptrie_add(mt_iptrie *t, const mt_addr *a, int plen, uint32_t v);
/* Calls cb for every value whose prefix contains a, longest prefix first;
 * cb returns non-zero to stop. Returns the number of values visited. */
size_t mt_iptrie_find(const mt_iptrie *t, const mt_addr *a,
                      int (*cb)(void *ctx, uint32_t v, int plen), void *ctx);
/* Whether any prefix contains a (cheap prefilter). */
bool mt_iptrie_any(const mt_iptrie *t, const mt_addr *a);
size_t mt_iptrie_bytes(const mt_iptrie *t);
/* Calls cb with every stored IPv4 host (/32), as a host-order integer. */
void mt_iptrie_each_host4(const mt_iptrie *t, void (*cb)(void *ctx, uint32_t a), void *ctx);

/* ---- the compiled set -------------------------------------------------- */

/* One test of a simple indicator: a value of a kind (and role, for
 * network-traffic paths) inside clause `clause` of indicator `ind`. A
 * clause holds `nterms` tests that must all hold on one record (1 for the
 * usual single test, 2-4 for network-traffic conjunctions). */
typedef struct mt_term {
    uint32_t ind;
    uint32_t clause;        /* global clause number */
    uint8_t kind;           /* ald_obs_kind */
    uint8_t role;           /* ald_obs_role; NONE: any */
    uint8_t idx;            /* position in the clause */
    uint8_t nterms;         /* tests in the clause */
} mt_term;

/* An exact value: (kind, text) and the terms that test it. CIDR and
 * address terms live in the iptrie instead. Entries flagged `pre` exist
 * only for the fast path (a URL's path, a colon-separated fingerprint):
 * finding one makes the line a candidate, it never makes a hit. */
typedef struct mt_entry {
    uint64_t hash;
    uint32_t text;          /* offset in the text arena */
    uint32_t len;
    uint32_t term0, nterm;  /* range in the term-index array */
    uint8_t kind;
    uint8_t pre;
} mt_entry;

/* Kinds compared without regard to case (ASCII). */
static inline bool mt_kind_caseless(int kind)
{
    return kind != ALD_OBS_URL && kind != ALD_OBS_FILE_NAME;
}

/* Normalises a value of `kind` into out (cap bytes): lower-case for the
 * case-insensitive kinds, a domain's final '.' dropped, a URL's scheme and
 * host lower-cased, a port without leading zeros. Returns the length, or
 * (size_t)-1 when it does not fit or is not a valid value of the kind. */
size_t mt_normalise(int kind, const char *v, size_t n, char *out, size_t cap);

/* The fast path's first filter: a bit array in which each exact value
 * (and prefilter value) sets two bits of one 64-bit word chosen by its
 * quick hash (mt_qhash_fold). ~16 bits per value (a false pass ~1-2%), small enough to stay in
 * the L2 cache up to a few 100k values, where the hash set would not. */
static inline bool mt_filter_maybe(const uint64_t *words, size_t wmask, uint64_t h)
{
    uint64_t w = words[(h >> 12) & wmask];
    uint64_t b = (UINT64_C(1) << (h & 63)) | (UINT64_C(1) << ((h >> 6) & 63));
    return (w & b) == b;
}

/* Accessors scan.c uses on a compiled set (iset.c). */
const uint64_t *mt_iset_filter(const ald_iset *s, size_t *wmask);
/* 256 bits: the lengths of the hash set's values (bit 255: 255 or more). */
const uint64_t *mt_iset_lenmask(const ald_iset *s);
const mt_hset *mt_iset_hset(const ald_iset *s);
const mt_entry *mt_iset_entries(const ald_iset *s);
const char *mt_iset_text(const ald_iset *s);
const uint32_t *mt_iset_termidx(const ald_iset *s);
const mt_term *mt_iset_terms(const ald_iset *s);
const mt_iptrie *mt_iset_iptrie(const ald_iset *s);
/* Whether some clause cannot be found by the fast path (ports only):
 * then every line is parsed. */
bool mt_iset_needs_all_lines(const ald_iset *s);
ald_valid_mode mt_iset_valid_mode(const ald_iset *s, int64_t *now_us);
bool mt_iset_compiled(const ald_iset *s);
/* The free-text databases of ald_iset_compile_text (hs_database_t *, NULL
 * when absent) and whether text must be parsed line by line anyway. */
const void *mt_iset_text_lit(const ald_iset *s);
const void *mt_iset_text_v4(const ald_iset *s);
bool mt_iset_text_ready(const ald_iset *s);

#endif
