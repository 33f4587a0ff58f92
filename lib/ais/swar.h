/*
 * swar.h - eight bytes at a time: byte-class masks over a 64-bit word
 * ("SIMD within a register") for the NMEA scanners and the de-armouring.
 *
 * A word is loaded so that byte k of the word (bits 8k..8k+7) is p[k] on
 * any host; the masks set the high bit (0x80) of each byte that matches and
 * are exact per byte (no borrow or carry crosses bytes: each test first
 * clears the high bit, then adds at most 0x7F + 0x7F), so the first match
 * is ctz(mask) / 8. Callers load only where 8 bytes are inside their
 * buffer; the byte loops they fall back to near the end stay the reference.
 */
#ifndef ALD_AIS_SWAR_H
#define ALD_AIS_SWAR_H

#include <stdint.h>
#include <string.h>

#define SWAR_ONES 0x0101010101010101ULL
#define SWAR_LOW7 0x7F7F7F7F7F7F7F7FULL
#define SWAR_HIGH 0x8080808080808080ULL

/* p[0..7] as a word, p[0] in the low byte. */
static inline uint64_t swar_load(const char *p)
{
    uint64_t w;
    memcpy(&w, p, 8);
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
    w = __builtin_bswap64(w);
#endif
    return w;
}

/* Bytes equal to zero. */
static inline uint64_t swar_zero(uint64_t w)
{
    return ~(((w & SWAR_LOW7) + SWAR_LOW7) | w | SWAR_LOW7);
}

/* Bytes equal to c. */
static inline uint64_t swar_eq(uint64_t w, unsigned char c)
{
    return swar_zero(w ^ (SWAR_ONES * c));
}

/* Bytes below n (1 <= n <= 128), as unsigned values. */
static inline uint64_t swar_below(uint64_t w, unsigned n)
{
    return ~(((w & SWAR_LOW7) + SWAR_ONES * (0x80 - n)) | w) & SWAR_HIGH;
}

/* Bytes above c (c <= 127), as unsigned values. */
static inline uint64_t swar_above(uint64_t w, unsigned c)
{
    return (((w & SWAR_LOW7) + SWAR_ONES * (0x7F - c)) | w) & SWAR_HIGH;
}

/* Index of the first matching byte of a non-zero mask. */
static inline unsigned swar_first(uint64_t mask)
{
    return (unsigned)__builtin_ctzll(mask) >> 3;
}

/* The first k bytes (k <= 7) of a word, the others zeroed. */
static inline uint64_t swar_head(uint64_t w, unsigned k)
{
    return w & ((1ULL << (8 * k)) - 1);
}

/* XOR of the eight bytes of a word. */
static inline unsigned swar_xor_fold(uint64_t w)
{
    w ^= w >> 32;
    w ^= w >> 16;
    w ^= w >> 8;
    return (unsigned)(w & 0xFF);
}

/* XOR of the bytes in [p, e) (the NMEA checksum). From 8 bytes on, the
 * last e - p mod 8 bytes come from one load ending at e, shifted down to
 * them (the fold does not care where a byte sits in the word). */
static inline unsigned swar_xor(const char *p, const char *e)
{
    uint64_t acc = 0;
    unsigned cs = 0;
    if (e - p >= 8) {
        unsigned tail = (unsigned)((e - p) & 7);
        uint64_t last = swar_load(e - 8);
        acc = tail ? last >> (64 - 8 * tail) : 0;
        for (; e - p >= 8; p += 8)
            acc ^= swar_load(p);
        return swar_xor_fold(acc);
    }
    for (; p < e; p++)
        cs ^= (unsigned char)*p;
    return cs;
}

/* First c in [p, e), or NULL (memchr without the call, for short fields). */
static inline const char *swar_find(const char *p, const char *e, unsigned char c)
{
    for (; e - p >= 8; p += 8) {
        uint64_t m = swar_eq(swar_load(p), c);
        if (m)
            return p + swar_first(m);
    }
    for (; p < e; p++)
        if ((unsigned char)*p == c)
            return p;
    return NULL;
}

#endif
