/*
 * bits.h - MSB-first bit-field readers over an AIS payload buffer.
 *
 * Buffers are AIS_BITS_BUF bytes: reads never leave them. A field that
 * would cross AIS_MAX_BITS reads as zero, so a decoder indexing past the
 * end of a short message sees zeros (as gpsd's zero-filled buffer does).
 */
#ifndef ALD_AIS_BITS_H
#define ALD_AIS_BITS_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "alidade/ais.h"

/* Unsigned field of `width` (1..57) bits starting at bit `start`. */
static inline uint64_t ais_ubits(const uint8_t *buf, size_t start, unsigned width)
{
    if (width == 0 || width > 57 || start + width > AIS_MAX_BITS)
        return 0;
    uint64_t w;
    /* 8 bytes from start/8 are inside the AIS_BITS_BUF buffer */
    memcpy(&w, buf + (start >> 3), 8);
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    w = __builtin_bswap64(w);
#endif
    unsigned shift = 64 - (unsigned)(start & 7) - width;
    return (w >> shift) & ((1ULL << width) - 1);
}

/* Two's-complement signed field. */
static inline int64_t ais_sbits(const uint8_t *buf, size_t start, unsigned width)
{
    uint64_t v = ais_ubits(buf, start, width);
    if (width > 0 && (v >> (width - 1)) & 1)
        return (int64_t)(v | ~((1ULL << width) - 1));
    return (int64_t)v;
}

/*
 * Unpacks `count` six-bit characters at `start` into `to` (size to_sz),
 * stopping at the first '@' (0), then trims trailing spaces and '@'.
 * Returns the number of characters kept.
 */
size_t ais_sixbit(const uint8_t *buf, size_t start, size_t count,
                  char *to, size_t to_sz, int trim);

#endif
