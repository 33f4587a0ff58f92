/*
 * fuzz_bits.c - libFuzzer target for ais_decode_bits(): the input is one or
 * more binary payloads, decoded with one shared type 24 cache (so part A then
 * part B of a ship are merged) and written as JSON both ways and as CSV.
 *
 * Input: a sequence of records, each
 *   2 bytes, big-endian v:  bitlen = (v & 0x7ff) mod (AIS_MAX_BITS + 1),
 *                           channel = bit 11, `raw` = bit 12
 *   then the payload bytes, copied into a zeroed AIS_BITS_BUF heap buffer:
 *     raw:  all the rest of the input, up to AIS_MAX_BYTES (so bits past
 *           bitlen hold data, which the API allows)
 *     else: ceil(bitlen / 8) bytes, bits past bitlen cleared (what the
 *           stream decoder hands over); the next record follows.
 * Every payload is decoded twice, into a message pre-filled with 0x00 and
 * one pre-filled with 0xA5, each with its own copy of the cache: results and
 * outputs must be identical, which catches fields the decoder leaves unset.
 * The CSV receive time comes from payload bytes 8-15 (any int64) on channel A.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "alidade/ais.h"
#include "fuzz_check.h"

static void fz_same_cache(const struct ais_t24_cache *a, const struct ais_t24_cache *b)
{
    for (int c = 0; c < 2; c++) {
        FZ_CHECK(a->next[c] == b->next[c], "t24 cache: next differs");
        for (int i = 0; i < AIS_T24_SLOTS; i++) {
            FZ_CHECK(a->ship[c][i].mmsi == b->ship[c][i].mmsi, "t24 cache: mmsi differs");
            FZ_CHECK(memchr(a->ship[c][i].shipname, 0, sizeof a->ship[c][i].shipname),
                     "t24 cache: shipname not terminated");
            FZ_CHECK(strcmp(a->ship[c][i].shipname, b->ship[c][i].shipname) == 0,
                     "t24 cache: shipname differs");
        }
    }
}

static void fz_one(const uint8_t *bits, size_t bitlen, int chan, int delta,
                   struct ais_t24_cache *cache, char *out_a, char *out_b)
{
    struct ais_msg *a = malloc(sizeof *a), *b = malloc(sizeof *b);
    struct ais_t24_cache *cache_b = malloc(sizeof *cache_b);
    FZ_CHECK(a && b && cache_b, "out of memory");
    memset(a, 0x00, sizeof *a);
    memset(b, 0xA5, sizeof *b);
    memcpy(cache_b, cache, sizeof *cache);

    ald_err ea = ais_decode_bits(bits, bitlen, a, cache, chan);
    ald_err eb = ais_decode_bits(bits, bitlen, b, cache_b, chan);
    FZ_CHECK(ea == eb, "decode result depends on the output's old contents");
    FZ_CHECK(ea == ALD_E_OK || ea == ALD_E_AIS_LENGTH || ea == ALD_E_AIS_TYPE ||
             ea == ALD_E_AIS_SUBTYPE, "ais_decode_bits: undocumented error code");
    fz_same_cache(cache, cache_b);

    if (ea == ALD_E_OK) {
        FZ_CHECK(a->type >= 1 && a->type <= 27, "decoded type out of 1-27");
        FZ_CHECK(a->type == b->type && a->mmsi == b->mmsi && a->repeat == b->repeat,
                 "header fields differ");
        for (int scaled = 0; scaled < 2; scaled++) {
            size_t na = fz_check_json(a, scaled, scaled ? "stdin" : NULL, out_a, delta);
            size_t nb = ais_json(b, scaled, scaled ? "stdin" : NULL, out_b, AIS_LINE_MAX);
            if (na != nb || memcmp(out_a, out_b, na) != 0) {
                fprintf(stderr, "0x00-filled: %.*s\n0xA5-filled: %.*s\n", (int)na, out_a,
                        (int)nb, out_b);
                FZ_CHECK(0, "JSON depends on fields the decoder did not set");
            }
        }
        uint64_t t = 0;                 /* any receive time, from payload bytes 8-15 */
        for (int i = 8; i < 16; i++)
            t = t << 8 | bits[i];
        struct ais_meta meta = {
            .time_ms = chan ? AIS_TIME_NONE : (int64_t)t,
            .source = chan ? NULL : "fuzz",
            .channel = chan ? 'B' : 'A',
            .talker = "AI",
            .line_no = 1,
            .nfrags = 1,
        };
        if (meta.time_ms != AIS_TIME_NONE) {
            char ts[40];
            size_t nt = ais_format_time(meta.time_ms, ts, sizeof ts);
            FZ_CHECK(nt == 0 || (nt < sizeof ts && ts[nt] == '\0'), "ais_format_time");
        }
        size_t na = fz_check_csv(a, &meta, out_a, delta);
        size_t nb = ais_csv(b, &meta, out_b, AIS_LINE_MAX);
        FZ_CHECK(na == nb && memcmp(out_a, out_b, na) == 0,
                 "CSV depends on fields the decoder did not set");
    }
    free(a);
    free(b);
    free(cache_b);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct ais_t24_cache *cache = calloc(1, sizeof *cache);
    uint8_t *bits = malloc(AIS_BITS_BUF);   /* exact size: ASan sees over-reads */
    char *out_a = malloc(AIS_LINE_MAX), *out_b = malloc(AIS_LINE_MAX);
    FZ_CHECK(cache && bits && out_a && out_b, "out of memory");

    size_t pos = 0;
    while (size - pos >= 2) {
        unsigned v = (unsigned)data[pos] << 8 | data[pos + 1];
        pos += 2;
        size_t bitlen = (v & 0x7ff) % (AIS_MAX_BITS + 1);
        int chan = (v >> 11) & 1;
        bool raw = (v >> 12) & 1;
        int delta = (int)((v >> 13) % 3) - 1;
        size_t want = raw ? AIS_MAX_BYTES : (bitlen + 7) / 8;
        size_t n = size - pos < want ? size - pos : want;
        memset(bits, 0, AIS_BITS_BUF);
        memcpy(bits, data + pos, n);
        pos += n;
        if (!raw && (bitlen & 7) && n == want)
            bits[bitlen / 8] &= (uint8_t)(0xFF00u >> (bitlen & 7));
        fz_one(bits, bitlen, chan, delta, cache, out_a, out_b);

        /* legends take any value */
        FZ_CHECK(ais_nav_status_text(v) && ais_ship_type_text(v) && ais_epfd_text(v) &&
                 ais_nav_status_text(v & 31) && ais_ship_type_text(v & 255) &&
                 ais_epfd_text(v & 31), "legend returned NULL");
    }
    free(cache);
    free(bits);
    free(out_a);
    free(out_b);
    return 0;
}
