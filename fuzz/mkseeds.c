/*
 * mkseeds.c - turns real NMEA AIS captures (stdin) into seed corpora for the
 * fuzz targets; run by scripts/fuzz.sh, not part of the library.
 *
 *   mkseeds stream DIR N PREFIX   chunks of N lines -> DIR/PREFIX-000001...,
 *                                 each led by a fuzz_stream configuration byte
 *                                 (a few combinations in rotation)
 *   mkseeds bits DIR PREFIX       every reassembled payload -> one fuzz_bits
 *                                 record (2-byte header + bytes), at most 4
 *                                 per (type, bit length, DAC/FI or part);
 *                                 consecutive type 24 payloads also as pairs
 * Sentences are parsed loosely (no checksum check): seeds only need variety.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alidade/ais.h"

#define LINE_MAX_LEN 4096
#define SEEN_SLOTS 65536

struct payload {
    uint8_t bits[AIS_BITS_BUF];
    size_t bitlen;
    int chan;
};

struct seeds {
    const char *dir, *prefix;
    unsigned long nfile;
    uint8_t *seen;               /* SEEN_SLOTS counters, hashed keys */
    struct payload prev;         /* previous payload if it was a type 24 */
    bool have_prev;
};

static bool write_file(struct seeds *s, const uint8_t *a, size_t na, const uint8_t *b, size_t nb)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s-%06lu", s->dir, s->prefix, ++s->nfile);
    FILE *f = fopen(path, "wb");
    if (!f) {
        perror(path);
        return false;
    }
    bool ok = fwrite(a, 1, na, f) == na && (nb == 0 || fwrite(b, 1, nb, f) == nb);
    return fclose(f) == 0 && ok;
}

static int stream_mode(const char *dir, long n, const char *prefix)
{
    static const uint8_t cfg[] = {0x00, 0x01, 0x16, 0x84, 0x03, 0x04};
    struct seeds s = {.dir = dir, .prefix = prefix};
    char line[LINE_MAX_LEN];
    char *chunk = NULL;
    size_t len = 0, cap = 0;
    long lines = 0;
    bool eof = false;
    while (!eof) {
        eof = fgets(line, sizeof line, stdin) == NULL;
        if (!eof) {
            size_t l = strlen(line);
            if (len + l + 1 > cap) {
                cap = (len + l + 1) * 2;
                char *c = realloc(chunk, cap);
                if (!c)
                    return 2;
                chunk = c;
            }
            if (len == 0)
                chunk[len++] = (char)cfg[s.nfile % sizeof cfg];
            memcpy(chunk + len, line, l);
            len += l;
            lines++;
        }
        if ((eof && len) || lines == n) {
            if (!write_file(&s, (const uint8_t *)chunk, len, NULL, 0))
                return 2;
            len = 0;
            lines = 0;
        }
    }
    free(chunk);
    return 0;
}

/* Appends the 6-bit armoured characters of p[0..n) at *pos. */
static bool dearmour(struct payload *pl, const char *p, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        unsigned c = (unsigned char)p[i], v;
        if (c >= 48 && c <= 87)
            v = c - 48;
        else if (c >= 96 && c <= 119)
            v = c - 56;
        else
            return false;
        if (pl->bitlen + 6 > AIS_MAX_BITS)
            return false;
        for (int k = 5; k >= 0; k--, pl->bitlen++)
            if ((v >> k) & 1)
                pl->bits[pl->bitlen / 8] |= (uint8_t)(0x80u >> (pl->bitlen % 8));
    }
    return true;
}

static size_t record(const struct payload *pl, uint8_t *out)
{
    size_t nb = (pl->bitlen + 7) / 8;
    unsigned v = (unsigned)pl->bitlen | (unsigned)pl->chan << 11;
    out[0] = (uint8_t)(v >> 8);
    out[1] = (uint8_t)v;
    memcpy(out + 2, pl->bits, nb);
    return nb + 2;
}

static bool emit_payload(struct seeds *s, const struct payload *pl)
{
    if (pl->bitlen < 6)
        return true;
    unsigned type = pl->bits[0] >> 2;
    uint32_t key = type * 2654435761u ^ (uint32_t)pl->bitlen * 40503u;
    if (type == 6 || type == 8)   /* DAC/FI: application-specific layouts */
        key ^= ((uint32_t)pl->bits[type == 6 ? 9 : 5] << 8 | pl->bits[type == 6 ? 10 : 6]) * 97u;
    if (type == 24)
        key ^= (uint32_t)(pl->bits[4] & 0x03) * 7919u;   /* part number, bits 38-39 */
    uint8_t *seen = &s->seen[key % SEEN_SLOTS];
    uint8_t a[2 + AIS_BITS_BUF], b[2 + AIS_BITS_BUF];
    size_t na = record(pl, a);
    if (*seen < 4) {
        (*seen)++;
        if (!write_file(s, a, na, NULL, 0))
            return false;
    }
    if (type == 24) {
        if (s->have_prev && *seen < 8) {
            size_t nb = record(&s->prev, b);
            if (!write_file(s, b, nb, a, na))
                return false;
        }
        s->prev = *pl;
        s->have_prev = true;
    }
    return true;
}

static int bits_mode(const char *dir, const char *prefix)
{
    struct seeds s = {.dir = dir, .prefix = prefix, .seen = calloc(SEEN_SLOTS, 1)};
    struct payload cur;
    int want = 0, seq = -1;          /* next fragment number expected, 0: none */
    char line[LINE_MAX_LEN];
    if (!s.seen)
        return 2;
    while (fgets(line, sizeof line, stdin)) {
        char *p = strstr(line, "VDM,");
        if (!p)
            p = strstr(line, "VDO,");
        if (!p || p - line < 3 || p[-3] != '!')
            continue;
        char *f[7];
        int nf = 0;
        f[nf++] = p + 4;
        for (char *q = p + 4; *q && nf < 7; q++)
            if (*q == ',')
                f[nf++] = q + 1;
        if (nf < 6)
            continue;
        int count = atoi(f[0]), num = atoi(f[1]);
        int sq = *f[2] == ',' ? -1 : atoi(f[2]);
        size_t plen = (size_t)(f[5] - f[4] - 1);
        int fill = atoi(f[5]);
        if (count < 1 || count > 9 || num < 1 || num > count || fill < 0 || fill > 5)
            continue;
        if (num == 1) {
            memset(&cur, 0, sizeof cur);
            cur.chan = *f[3] == 'B' || *f[3] == '2';
            seq = sq;
        } else if (num != want || sq != seq) {
            want = 0;
            continue;
        }
        if (!dearmour(&cur, f[4], plen)) {
            want = 0;
            continue;
        }
        want = num + 1;
        if (num == count) {
            want = 0;
            cur.bitlen = cur.bitlen >= (size_t)fill ? cur.bitlen - (size_t)fill : 0;
            if (cur.bitlen % 8)
                cur.bits[cur.bitlen / 8] &= (uint8_t)(0xFF00u >> (cur.bitlen % 8));
            for (size_t i = (cur.bitlen + 7) / 8; i < sizeof cur.bits; i++)
                cur.bits[i] = 0;
            if (!emit_payload(&s, &cur))
                return 2;
        }
    }
    free(s.seen);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc == 5 && strcmp(argv[1], "stream") == 0 && atol(argv[3]) > 0)
        return stream_mode(argv[2], atol(argv[3]), argv[4]);
    if (argc == 4 && strcmp(argv[1], "bits") == 0)
        return bits_mode(argv[2], argv[3]);
    fprintf(stderr, "usage: mkseeds stream DIR N PREFIX < nmea\n"
                    "       mkseeds bits DIR PREFIX < nmea\n");
    return 2;
}
