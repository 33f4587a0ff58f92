/*
 * uuid.c - SHA-1 (FIPS 180-4) and RFC 4122 version 5 UUIDs. SHA-1 is used
 * here only as RFC 4122 prescribes for name-based ids, not for security.
 * Checked against the FIPS test vectors and RFC 4122's DNS example in
 * tests/core/test_uuid.c.
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

void ald_sha1(const void *data, size_t n, uint8_t out[20])
{
    uint32_t h[5] = {0x67452301, 0xEFCDAB89, 0x98BADCFE, 0x10325476, 0xC3D2E1F0};
    const uint8_t *p = data;
    size_t left = n;
    while (left >= 64) {
        block(h, p);
        p += 64;
        left -= 64;
    }
    uint8_t last[128] = {0};
    memcpy(last, p, left);
    last[left] = 0x80;
    size_t len = left < 56 ? 64 : 128;
    uint64_t bits = (uint64_t)n * 8;
    for (int i = 0; i < 8; i++)
        last[len - 1 - i] = (uint8_t)(bits >> (8 * i));
    block(h, last);
    if (len == 128)
        block(h, last + 64);
    for (int i = 0; i < 5; i++) {
        out[4 * i] = (uint8_t)(h[i] >> 24);
        out[4 * i + 1] = (uint8_t)(h[i] >> 16);
        out[4 * i + 2] = (uint8_t)(h[i] >> 8);
        out[4 * i + 3] = (uint8_t)h[i];
    }
}

void ald_uuid5(const uint8_t ns[16], const char *name, size_t n, char out[37])
{
    static const char hex[] = "0123456789abcdef";
    uint8_t buf[16 + 512], d[20];
    if (n > 512)
        n = 512;    /* callers' names are short; longer ones are cut */
    memcpy(buf, ns, 16);
    memcpy(buf + 16, name, n);
    ald_sha1(buf, 16 + n, d);
    d[6] = (uint8_t)((d[6] & 0x0F) | 0x50);   /* version 5 */
    d[8] = (uint8_t)((d[8] & 0x3F) | 0x80);   /* RFC 4122 variant */
    char *o = out;
    for (int i = 0; i < 16; i++) {
        if (i == 4 || i == 6 || i == 8 || i == 10)
            *o++ = '-';
        *o++ = hex[d[i] >> 4];
        *o++ = hex[d[i] & 15];
    }
    *o = '\0';
}
