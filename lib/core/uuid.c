/*
 * uuid.c - SHA-1 (FIPS 180-4) and version 5 UUIDs (RFC 9562 section 5.5,
 * formerly RFC 4122). SHA-1 is used here only as the RFC prescribes for
 * name-based ids, not for security. Checked in tests/core/test_uuid.c
 * against the FIPS 180 vectors, RFC 9562's UUIDv5 example and values from
 * Python's uuid.uuid5 (names of any length, split at every block edge).
 */
#include "core/uuid.h"

#include <string.h>

static uint32_t rol(uint32_t x, int n)
{
    return (x << n) | (x >> (32 - n));
}

static void block(uint32_t h[5], const uint8_t *p)
{
    uint32_t w[80];
    for (int i = 0; i < 16; i++)
        w[i] = (uint32_t)p[4 * i] << 24 | (uint32_t)p[4 * i + 1] << 16 |
               (uint32_t)p[4 * i + 2] << 8 | p[4 * i + 3];
    for (int i = 16; i < 80; i++)
        w[i] = rol(w[i - 3] ^ w[i - 8] ^ w[i - 14] ^ w[i - 16], 1);
    uint32_t a = h[0], b = h[1], c = h[2], d = h[3], e = h[4];
    for (int i = 0; i < 80; i++) {
        uint32_t f, k;
        if (i < 20) {
            f = (b & c) | (~b & d);
            k = 0x5A827999;
        } else if (i < 40) {
            f = b ^ c ^ d;
            k = 0x6ED9EBA1;
        } else if (i < 60) {
            f = (b & c) | (b & d) | (c & d);
            k = 0x8F1BBCDC;
        } else {
            f = b ^ c ^ d;
            k = 0xCA62C1D6;
        }
        uint32_t t = rol(a, 5) + f + e + k + w[i];
        e = d;
        d = c;
        c = rol(b, 30);
        b = a;
        a = t;
    }
    h[0] += a; h[1] += b; h[2] += c; h[3] += d; h[4] += e;
}

void ald_sha1_init(struct ald_sha1 *c)
{
    static const uint32_t h0[5] = {0x67452301, 0xEFCDAB89, 0x98BADCFE, 0x10325476, 0xC3D2E1F0};
    memcpy(c->h, h0, sizeof h0);
    c->n = 0;
}

void ald_sha1_update(struct ald_sha1 *c, const void *data, size_t n)
{
    const uint8_t *p = data;
    size_t used = (size_t)(c->n % 64);
    c->n += n;
    if (used) {
        size_t k = 64 - used < n ? 64 - used : n;
        memcpy(c->buf + used, p, k);
        p += k;
        n -= k;
        if (used + k < 64)
            return;
        block(c->h, c->buf);
    }
    for (; n >= 64; p += 64, n -= 64)
        block(c->h, p);
    memcpy(c->buf, p, n);
}

void ald_sha1_final(struct ald_sha1 *c, uint8_t out[20])
{
    /* padding: 0x80, zeros to 56 mod 64, then the length in bits */
    uint64_t bits = c->n * 8;
    uint8_t pad[72] = {0x80};
    size_t used = (size_t)(c->n % 64);
    size_t k = used < 56 ? 56 - used : 120 - used;
    for (int i = 0; i < 8; i++)
        pad[k + (size_t)i] = (uint8_t)(bits >> (56 - 8 * i));
    ald_sha1_update(c, pad, k + 8);
    for (int i = 0; i < 5; i++) {
        out[4 * i] = (uint8_t)(c->h[i] >> 24);
        out[4 * i + 1] = (uint8_t)(c->h[i] >> 16);
        out[4 * i + 2] = (uint8_t)(c->h[i] >> 8);
        out[4 * i + 3] = (uint8_t)c->h[i];
    }
}

void ald_sha1(const void *data, size_t n, uint8_t out[20])
{
    struct ald_sha1 c;
    ald_sha1_init(&c);
    ald_sha1_update(&c, data, n);
    ald_sha1_final(&c, out);
}

void ald_uuid5(const uint8_t ns[16], const char *name, size_t n, char out[37])
{
    static const char hex[] = "0123456789abcdef";
    uint8_t d[20];
    struct ald_sha1 c;
    ald_sha1_init(&c);
    ald_sha1_update(&c, ns, 16);
    ald_sha1_update(&c, name, n);
    ald_sha1_final(&c, d);
    d[6] = (uint8_t)((d[6] & 0x0F) | 0x50);   /* version 5 */
    d[8] = (uint8_t)((d[8] & 0x3F) | 0x80);   /* RFC 9562 variant (10xx) */
    char *o = out;
    for (int i = 0; i < 16; i++) {
        if (i == 4 || i == 6 || i == 8 || i == 10)
            *o++ = '-';
        *o++ = hex[d[i] >> 4];
        *o++ = hex[d[i] & 15];
    }
    *o = '\0';
}

const uint8_t ald_uuid_ns[16] = {0xf2, 0xc3, 0x50, 0xda, 0xec, 0x4b, 0x41, 0x6a,
                                 0xa9, 0xb3, 0xdb, 0x14, 0x21, 0xe0, 0xd7, 0xd2};
