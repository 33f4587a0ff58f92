/*
 * encode.c - AIS encoder: struct ais_msg -> binary payload (types 1/2/3, 5,
 * 18, 19, 24 A/B of ITU-R M.1371-5) -> 6-bit armour -> NMEA 0183 !xxVDM
 * sentences with checksums, split at SIM_FRAG_CHARS, optionally behind NMEA
 * 4.10 tag blocks (s:, c:, g:). Bit offsets are those of lib/ais/decode.c
 * (the spec's tables), so ais_decode_bits() gives every field back; checked
 * by re-encoding gpsd's real sample sentences (tests/sim/test_encode.c).
 * Built for the scenario generator's hot path: no printf, no allocation.
 */
#include <assert.h>
#include <string.h>

#include "alidade/sim.h"

/* ---- bit writer ---- */

/*
 * Fields are appended in order, MSB first, through a 64-bit accumulator
 * flushed 32 bits at a time (byte stores only: overlapping word
 * read-modify-writes stall on store forwarding). Each call names the field's
 * start bit as in the spec's tables and lib/ais/decode.c; debug builds check
 * it against the writer's position, so a layout slip cannot go unnoticed.
 */
struct bw {
    uint8_t *p;              /* next whole byte to write */
    uint64_t acc;            /* pending bits in the low `n` bits */
    unsigned n;              /* 0..31 between calls */
    size_t pos;              /* bits written so far */
};

/* Appends the low `width` (1..32) bits of v, which start at bit `start`. */
static inline void put(struct bw *w, size_t start, unsigned width, uint64_t v)
{
    assert(start == w->pos && width >= 1 && width <= 32);
    (void)start;
    w->acc = w->acc << width | (v & ((1ULL << width) - 1));
    w->n += width;
    w->pos += width;
    if (w->n >= 32) {
        w->n -= 32;
        uint32_t x = (uint32_t)(w->acc >> w->n);
        w->p[0] = (uint8_t)(x >> 24);
        w->p[1] = (uint8_t)(x >> 16);
        w->p[2] = (uint8_t)(x >> 8);
        w->p[3] = (uint8_t)x;
        w->p += 4;
    }
}

/* Signed field: two's complement, cut to `width` bits. */
static inline void put_s(struct bw *w, size_t start, unsigned width, int v)
{
    put(w, start, width, (uint64_t)(int64_t)v);
}

/* Spare (zero) bits, any number. */
static void put_zero(struct bw *w, size_t start, size_t nbits)
{
    for (size_t done = 0; done < nbits; done += 32)
        put(w, start + done, nbits - done < 32 ? (unsigned)(nbits - done) : 32, 0);
}

/* Writes the last partial bytes and zeroes the rest of the AIS_BITS_BUF
 * buffer that starts at `buf`. Returns the bit count. */
static size_t bw_end(struct bw *w, uint8_t *buf)
{
    unsigned n = w->n;
    uint8_t *p = w->p;
    for (; n >= 8; n -= 8)
        *p++ = (uint8_t)(w->acc >> (n - 8));
    if (n)
        *p++ = (uint8_t)(w->acc << (8 - n));
    memset(p, 0, AIS_BITS_BUF - (size_t)(p - buf));
    return w->pos;
}

/*
 * Six-bit value of an ASCII character: '@'-'_' -> 0-31, ' '-'?' -> 32-63.
 * Lower case is folded to upper case; anything else outside the AIS
 * alphabet becomes '?' (63).
 */
static inline unsigned sixbit_of(unsigned char c)
{
    if (c >= 'a' && c <= 'z')
        c = (unsigned char)(c - 32);
    if (c >= 64 && c <= 95)
        return c - 64u;
    if (c >= 32 && c <= 63)
        return c;
    return 63;
}

/* Text field of `nchars` characters at `start`, padded with '@' (zero). */
static void put_text(struct bw *w, size_t start, size_t nchars, const char *s)
{
    size_t i = 0;
    for (; i < nchars && s[i]; i++)
        put(w, start + 6 * i, 6, sixbit_of((unsigned char)s[i]));
    put_zero(w, start + 6 * i, 6 * (nchars - i));
}

/* Message type, repeat indicator, MMSI: bits 0-37 of every message. */
static void put_header(struct bw *b, const struct ais_msg *m, unsigned type)
{
    put(b, 0, 6, type);
    put(b, 6, 2, m->repeat);
    put(b, 8, 30, m->mmsi);
}

/* ---- message types (offsets as in lib/ais/decode.c) ---- */

/* Types 1, 2, 3: Class A position report, 168 bits. */
static void e_pos123(struct bw *b, const struct ais_pos123 *t)
{
    put(b, 38, 4, t->status);
    put_s(b, 42, 8, t->turn);
    put(b, 50, 10, t->speed);
    put(b, 60, 1, t->accuracy);
    put_s(b, 61, 28, t->lon);
    put_s(b, 89, 27, t->lat);
    put(b, 116, 12, t->course);
    put(b, 128, 9, t->heading);
    put(b, 137, 6, t->second);
    put(b, 143, 2, t->maneuver);
    put_zero(b, 145, 3);
    put(b, 148, 1, t->raim);
    put(b, 149, 19, t->radio);
}

/* Type 5: static and voyage data, 424 bits. */
static void e_static5(struct bw *b, const struct ais_static5 *t)
{
    put(b, 38, 2, t->ais_version);
    put(b, 40, 30, t->imo);
    put_text(b, 70, 7, t->callsign);
    put_text(b, 112, 20, t->shipname);
    put(b, 232, 8, t->shiptype);
    put(b, 240, 9, t->to_bow);
    put(b, 249, 9, t->to_stern);
    put(b, 258, 6, t->to_port);
    put(b, 264, 6, t->to_starboard);
    put(b, 270, 4, t->epfd);
    put(b, 274, 4, t->month);
    put(b, 278, 5, t->day);
    put(b, 283, 5, t->hour);
    put(b, 288, 6, t->minute);
    put(b, 294, 8, t->draught);
    put_text(b, 302, 20, t->destination);
    put(b, 422, 1, t->dte);
    put_zero(b, 423, 1);
}

/* Type 18: Class B position report, 168 bits. */
static void e_classb18(struct bw *b, const struct ais_classb18 *t)
{
    put(b, 38, 8, t->reserved);
    put(b, 46, 10, t->speed);
    put(b, 56, 1, t->accuracy);
    put_s(b, 57, 28, t->lon);
    put_s(b, 85, 27, t->lat);
    put(b, 112, 12, t->course);
    put(b, 124, 9, t->heading);
    put(b, 133, 6, t->second);
    put(b, 139, 2, t->regional);
    put(b, 141, 1, t->cs);
    put(b, 142, 1, t->display);
    put(b, 143, 1, t->dsc);
    put(b, 144, 1, t->band);
    put(b, 145, 1, t->msg22);
    put(b, 146, 1, t->assigned);
    put(b, 147, 1, t->raim);
    put(b, 148, 20, t->radio);
}

/* Type 19: extended Class B report, 312 bits. */
static void e_classb19(struct bw *b, const struct ais_classb19 *t)
{
    put(b, 38, 8, t->reserved);
    put(b, 46, 10, t->speed);
    put(b, 56, 1, t->accuracy);
    put_s(b, 57, 28, t->lon);
    put_s(b, 85, 27, t->lat);
    put(b, 112, 12, t->course);
    put(b, 124, 9, t->heading);
    put(b, 133, 6, t->second);
    put(b, 139, 4, t->regional);
    put_text(b, 143, 20, t->shipname);
    put(b, 263, 8, t->shiptype);
    put(b, 271, 9, t->to_bow);
    put(b, 280, 9, t->to_stern);
    put(b, 289, 6, t->to_port);
    put(b, 295, 6, t->to_starboard);
    put(b, 301, 4, t->epfd);
    put(b, 305, 1, t->raim);
    put(b, 306, 1, t->dte);
    put(b, 307, 1, t->assigned);
    put_zero(b, 308, 4);
}

/* Auxiliary craft of a mother ship carry MMSI 98MIDxxxx (M.585 annex 2). */
static bool is_auxiliary(unsigned mmsi)
{
    return mmsi / 10000000 == 98;
}

/*
 * Type 24 part A (name; 160 bits + 8 spare = 168, as M.1371-5) or part B
 * (168 bits). Part B follows M.1371-5: a 3-character vendor id (bits 48-65),
 * unit model (66-69), serial number (70-89). The decoder reads vendorid as
 * gpsd does, 7 characters over all three, so its characters 4-7 are model
 * and serial seen as text.
 */
static void e_static24(struct bw *b, unsigned mmsi, const struct ais_static24 *t,
                       enum ais_part24 part)
{
    if (part != AIS_PART_B) {
        put(b, 38, 2, 0);
        put_text(b, 40, 20, t->shipname);
        put_zero(b, 160, 8);
        return;
    }
    put(b, 38, 2, 1);
    put(b, 40, 8, t->shiptype);
    put_text(b, 48, 3, t->vendorid);
    put(b, 66, 4, t->model);
    put(b, 70, 20, t->serial);
    put_text(b, 90, 7, t->callsign);
    if (is_auxiliary(mmsi)) {
        put(b, 132, 30, t->mothership_mmsi);
    } else {
        put(b, 132, 9, t->to_bow);
        put(b, 141, 9, t->to_stern);
        put(b, 150, 6, t->to_port);
        put(b, 156, 6, t->to_starboard);
    }
    put_zero(b, 162, 6);
}

/* Encodes m with type 24 forced to `part`; returns the bit count or 0. */
static size_t encode_part(const struct ais_msg *m, enum ais_part24 part, uint8_t *bits)
{
    struct bw w = {bits, 0, 0, 0};
    switch (m->type) {
    case 1: case 2: case 3:
        put_header(&w, m, m->type);
        e_pos123(&w, &m->u.t1);
        break;
    case 5:
        put_header(&w, m, 5);
        e_static5(&w, &m->u.t5);
        break;
    case 18:
        put_header(&w, m, 18);
        e_classb18(&w, &m->u.t18);
        break;
    case 19:
        put_header(&w, m, 19);
        e_classb19(&w, &m->u.t19);
        break;
    case 24:
        put_header(&w, m, 24);
        e_static24(&w, m->mmsi, &m->u.t24, part);
        break;
    default:
        memset(bits, 0, AIS_BITS_BUF);
        return 0;
    }
    return bw_end(&w, bits);
}

size_t sim_encode_bits(const struct ais_msg *m, uint8_t *bits)
{
    return encode_part(m, m->type == 24 ? m->u.t24.part : AIS_PART_A, bits);
}

/* ---- armour ---- */

/* Six-bit value -> payload character: 0-39 -> '0'-'W', 40-63 -> '`'-'w'. */
static const char armour_chr[65] =
    "0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVW`abcdefghijklmnopqrstuvw";

size_t sim_armour(const uint8_t *bits, size_t nbits, char *dst, unsigned *fill)
{
    size_t nchars = (nbits + 5) / 6;
    size_t whole = nbits / 24;           /* 3 bytes -> 4 characters */
    char *o = dst;
    for (size_t i = 0; i < whole; i++, bits += 3, o += 4) {
        uint32_t w = (uint32_t)bits[0] << 16 | (uint32_t)bits[1] << 8 | bits[2];
        o[0] = armour_chr[w >> 18];
        o[1] = armour_chr[(w >> 12) & 63];
        o[2] = armour_chr[(w >> 6) & 63];
        o[3] = armour_chr[w & 63];
    }
    /* the last 0-23 bits: read only the bytes that hold them, and zero
     * the bits past nbits (the fill bits) */
    size_t rest = nbits - 24 * whole;
    if (rest) {
        uint32_t w = (uint32_t)bits[0] << 16;
        if (rest > 8)
            w |= (uint32_t)bits[1] << 8;
        if (rest > 16)
            w |= bits[2];
        w &= ~0u << (24 - rest);
        for (size_t k = 0; k < (rest + 5) / 6; k++)
            *o++ = armour_chr[(w >> (18 - 6 * k)) & 63];
    }
    *fill = (unsigned)(nchars * 6 - nbits);
    return nchars;
}

/* ---- NMEA sentences ---- */

/* Bounded output: every append checks the room left; `bad` sticks. */
struct out {
    char *p, *end;
    bool bad;
};

static inline void out_mem(struct out *w, const char *s, size_t n)
{
    if (w->bad || (size_t)(w->end - w->p) < n) {
        w->bad = true;
        return;
    }
    memcpy(w->p, s, n);
    w->p += n;
}

static inline void out_chr(struct out *w, char c)
{
    if (w->bad || w->p == w->end) {
        w->bad = true;
        return;
    }
    *w->p++ = c;
}

static const char digit_pairs[201] =
    "00010203040506070809101112131415161718192021222324252627282930313233343536373839"
    "40414243444546474849505152535455565758596061626364656667686970717273747576777879"
    "8081828384858687888990919293949596979899";

/* Decimal digits of v, written by hand two at a time (no printf on the hot
 * path). */
static void out_u64(struct out *w, uint64_t v)
{
    char tmp[20];
    char *e = tmp + sizeof tmp, *q = e;
    while (v >= 100) {
        unsigned r = (unsigned)(v % 100);
        v /= 100;
        q -= 2;
        memcpy(q, digit_pairs + 2 * r, 2);
    }
    if (v >= 10) {
        q -= 2;
        memcpy(q, digit_pairs + 2 * v, 2);
    } else {
        *--q = (char)('0' + v);
    }
    out_mem(w, q, (size_t)(e - q));
}

static void out_i64(struct out *w, int64_t v)
{
    if (v < 0) {
        out_chr(w, '-');
        out_u64(w, 0 - (uint64_t)v);
    } else {
        out_u64(w, (uint64_t)v);
    }
}

static const char hexdig[16] = "0123456789ABCDEF";

/* XOR of the bytes in [a, b): the NMEA checksum, 8 bytes at a time. */
static unsigned xor_sum(const char *a, const char *b)
{
    uint64_t x = 0;
    for (; b - a >= 8; a += 8) {
        uint64_t w;
        memcpy(&w, a, 8);
        x ^= w;
    }
    x ^= x >> 32;
    x ^= x >> 16;
    x ^= x >> 8;
    unsigned cs = (unsigned)(x & 0xFF);
    for (; a < b; a++)
        cs ^= (unsigned char)*a;
    return cs;
}

/* Writes '*hh' for the bytes from `from` (after the start mark) to here. */
static void out_checksum(struct out *w, char *from)
{
    if (w->bad)
        return;
    unsigned cs = xor_sum(from, w->p);
    char t[3] = {'*', hexdig[cs >> 4], hexdig[cs & 15]};
    out_mem(w, t, 3);
}

/*
 * Tag block of fragment `i` (1-based) of `n`, or nothing when there is
 * nothing to say. Fields in the order s:, c:, g:; every fragment carries
 * all of them. c: is written as given, sign included: readers (ours too)
 * take 9 to 11 digits as UNIX seconds, i.e. 1973-03-03 onwards.
 */
static void out_tagblock(struct out *w, const struct sim_nmea *o, unsigned i, unsigned n)
{
    bool group = o->group && n > 1;
    if (!o->source && o->time_s == SIM_NO_TIME && !group)
        return;
    out_chr(w, '\\');
    char *from = w->p;
    bool comma = false;
    if (o->source) {
        out_mem(w, "s:", 2);
        out_mem(w, o->source, strlen(o->source));
        comma = true;
    }
    if (o->time_s != SIM_NO_TIME) {
        out_mem(w, comma ? ",c:" : "c:", comma ? 3 : 2);
        out_i64(w, o->time_s);
        comma = true;
    }
    if (group) {
        char g[6] = {',', 'g', ':', (char)('0' + i), '-', (char)('0' + n)};
        out_mem(w, comma ? g : g + 1, comma ? 6 : 5);
        out_chr(w, '-');
        out_u64(w, o->group_id);
    }
    out_checksum(w, from);
    out_chr(w, '\\');
}

/*
 * Writes the sentence(s) of one armoured payload: !ttVDM,n,i,seq,chan,
 * <up to SIM_FRAG_CHARS characters>,fill*hh. Only the last fragment carries
 * the fill bits; single sentences leave the sequence id empty.
 */
static void out_message(struct out *w, const struct sim_nmea *o,
                        const char *payload, size_t nchars, unsigned fill)
{
    unsigned n = (unsigned)((nchars + SIM_FRAG_CHARS - 1) / SIM_FRAG_CHARS);
    const char *talker = o->talker ? o->talker : "AI";
    if (n == 0)
        n = 1;
    for (unsigned i = 1; i <= n; i++) {
        size_t off = (size_t)(i - 1) * SIM_FRAG_CHARS;
        size_t len = nchars - off < SIM_FRAG_CHARS ? nchars - off : SIM_FRAG_CHARS;
        out_tagblock(w, o, i, n);
        out_chr(w, '!');
        char *from = w->p;
        char head[10] = {talker[0], talker[1], 'V', 'D', 'M', ',',
                         (char)('0' + n), ',', (char)('0' + i), ','};
        out_mem(w, head, 10);
        if (n > 1)
            out_chr(w, (char)('0' + o->seqid % 10));
        out_chr(w, ',');
        if (o->channel)
            out_chr(w, o->channel);
        out_chr(w, ',');
        out_mem(w, payload + off, len);
        out_chr(w, ',');
        out_chr(w, (char)('0' + (i == n ? fill : 0)));
        out_checksum(w, from);
        out_chr(w, '\n');
    }
}

/* Encodes and writes one message with type 24 forced to `part`. */
static bool out_part(struct out *w, const struct ais_msg *m, enum ais_part24 part,
                     const struct sim_nmea *o)
{
    uint8_t bits[AIS_BITS_BUF];
    char payload[(AIS_MAX_BITS + 5) / 6];
    unsigned fill;
    size_t nbits = encode_part(m, part, bits);
    if (nbits == 0)
        return false;
    size_t nchars = sim_armour(bits, nbits, payload, &fill);
    out_message(w, o, payload, nchars, fill);
    return !w->bad;
}

size_t sim_nmea(const struct ais_msg *m, const struct sim_nmea *o,
                char *dst, size_t cap)
{
    static const struct sim_nmea defaults = {.time_s = SIM_NO_TIME};
    struct out w = {dst, dst + cap, false};
    if (!o)
        o = &defaults;
    if (m->type == 24 && m->u.t24.part == AIS_PART_BOTH) {
        if (!out_part(&w, m, AIS_PART_A, o) || !out_part(&w, m, AIS_PART_B, o))
            return 0;
    } else if (!out_part(&w, m, m->type == 24 ? m->u.t24.part : AIS_PART_A, o)) {
        return 0;
    }
    return (size_t)(w.p - dst);
}
