/*
 * test_encode.c - the AIS encoder (lib/sim/encode.c): round trips through
 * ais_decode_bits() for every encoded type (extremes, "not available" values
 * and thousands of seeded random messages), 6-bit armour, re-encoding of
 * gpsd's real sample sentences (../shared/data/ais/gpsd) to the identical
 * payload and fill bits (or a checked reason why not), NMEA lines byte for
 * byte against real ones (checksums of sentence and tag block), the stream
 * decoder on our output (multipart type 5, tag blocks, groups, type 24 A+B),
 * too-small buffers, and the encode rate.
 */
#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "alidade/sim.h"

/* ---- helpers independent of the library ---- */

static const char sixchr[65] =
    "@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\\]^_ !\"#$%&'()*+,-./0123456789:;<=>?";

/* De-armours n payload characters into bits (AIS_BITS_BUF, zeroed first):
 * '0'-'W' -> 0-39, '`'-'w' -> 40-63. Returns the number of bits. */
static size_t unarmour(const char *p, size_t n, uint8_t *bits)
{
    memset(bits, 0, AIS_BITS_BUF);
    size_t bit = 0;
    for (size_t k = 0; k < n; k++) {
        unsigned v = (unsigned)(p[k] - 48);
        if (v > 40)
            v -= 8;
        assert_true(v < 64);
        for (int i = 5; i >= 0; i--, bit++)
            if ((v >> i) & 1)
                bits[bit / 8] |= (uint8_t)(0x80u >> (bit % 8));
    }
    return bit;
}

static unsigned getbit(const uint8_t *bits, size_t i)
{
    return (bits[i / 8] >> (7 - i % 8)) & 1u;
}

static unsigned getbits(const uint8_t *bits, size_t start, unsigned width)
{
    unsigned v = 0;
    for (unsigned i = 0; i < width; i++)
        v = v << 1 | getbit(bits, start + i);
    return v;
}

/* NMEA checksum: XOR of the bytes in [a, b). */
static unsigned xor_of(const char *a, const char *b)
{
    unsigned cs = 0;
    for (; a < b; a++)
        cs ^= (unsigned char)*a;
    return cs;
}

/* splitmix64: seeded, so every run tests the same messages. */
static uint64_t rnd(uint64_t *s)
{
    uint64_t z = (*s += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

/* Random value of an unsigned / signed field of `w` bits (its whole range). */
static unsigned ru(uint64_t *s, unsigned w)
{
    return (unsigned)(rnd(s) & ((1ULL << w) - 1));
}

static int rs(uint64_t *s, unsigned w)
{
    return (int)ru(s, w) - (1 << (w - 1));
}

/* Random text of 0..max characters of the AIS alphabet without '@' and
 * without trailing spaces (the decoder trims them). */
static void rtext(uint64_t *s, char *dst, size_t max)
{
    size_t n = (size_t)(rnd(s) % (max + 1));
    for (size_t i = 0; i < n; i++)
        dst[i] = sixchr[1 + rnd(s) % 63];
    while (n > 0 && dst[n - 1] == ' ')
        n--;
    dst[n] = '\0';
}

/* Full text of `max` characters, none of them '@' or a trailing space. */
static void fulltext(char *dst, size_t max, unsigned first)
{
    for (size_t i = 0; i < max; i++)
        dst[i] = sixchr[1 + (first + i) % 63];
    if (dst[max - 1] == ' ')
        dst[max - 1] = 'X';
    dst[max] = '\0';
}

/* Encodes m, checks the length, decodes it back into *out (no cache). */
static void round_trip(const struct ais_msg *m, size_t want_bits, struct ais_msg *out)
{
    uint8_t bits[AIS_BITS_BUF];
    memset(bits, 0xFF, sizeof bits);        /* sim_encode_bits zeroes it */
    size_t n = sim_encode_bits(m, bits);
    assert_int_equal(n, want_bits);
    for (size_t i = n; i < 8 * sizeof bits; i++)
        assert_int_equal(getbit(bits, i), 0);
    memset(out, 0x5A, sizeof *out);
    assert_int_equal(ais_decode_bits(bits, n, out, NULL, 0), ALD_E_OK);
    assert_int_equal(out->type, m->type);
    assert_int_equal(out->repeat, m->repeat);
    assert_int_equal(out->mmsi, m->mmsi);
}

/* Extremes of a field: MIN all zero (most negative when signed), MAX all
 * ones (most positive), NA the "not available" values, RANDOM anything. */
enum fill_mode { F_MIN, F_MAX, F_NA, F_RANDOM };

static unsigned pick_u(enum fill_mode f, uint64_t *s, unsigned w, unsigned na)
{
    switch (f) {
    case F_MIN: return 0;
    case F_MAX: return (unsigned)((1ULL << w) - 1);
    case F_NA:  return na;
    default:    return ru(s, w);
    }
}

static int pick_s(enum fill_mode f, uint64_t *s, unsigned w, int na)
{
    switch (f) {
    case F_MIN: return -(1 << (w - 1));
    case F_MAX: return (1 << (w - 1)) - 1;
    case F_NA:  return na;
    default:    return rs(s, w);
    }
}

static void pick_text(enum fill_mode f, uint64_t *s, char *dst, size_t max)
{
    switch (f) {
    case F_MIN: dst[0] = '\0'; break;
    case F_MAX: fulltext(dst, max, (unsigned)max); break;
    case F_NA:  dst[0] = '\0'; break;
    default:    rtext(s, dst, max); break;
    }
}

#define LON_NA (181 * 600000)
#define LAT_NA (91 * 600000)

static void header(struct ais_msg *m, unsigned type, enum fill_mode f, uint64_t *s)
{
    memset(m, 0, sizeof *m);
    m->type = type;
    m->repeat = pick_u(f, s, 2, 0);
    m->mmsi = pick_u(f, s, 30, 0);
}

/* ---- round trips, one per type ---- */

static void fill_t1(struct ais_msg *m, unsigned type, enum fill_mode f, uint64_t *s)
{
    header(m, type, f, s);
    struct ais_pos123 *t = &m->u.t1;
    t->status = pick_u(f, s, 4, 15);
    t->turn = pick_s(f, s, 8, -128);
    t->speed = pick_u(f, s, 10, 1023);
    t->accuracy = pick_u(f, s, 1, 0);
    t->lon = pick_s(f, s, 28, LON_NA);
    t->lat = pick_s(f, s, 27, LAT_NA);
    t->course = pick_u(f, s, 12, 3600);
    t->heading = pick_u(f, s, 9, 511);
    t->second = pick_u(f, s, 6, 60);
    t->maneuver = pick_u(f, s, 2, 0);
    t->raim = pick_u(f, s, 1, 0);
    t->radio = pick_u(f, s, 19, 0);
}

/* Compares m with `dec` field by field, or with its own round trip when
 * dec is NULL. */
static void check_t1(const struct ais_msg *m, const struct ais_msg *dec)
{
    struct ais_msg o;
    if (dec)
        o = *dec;
    else
        round_trip(m, 168, &o);
    const struct ais_pos123 *a = &m->u.t1, *b = &o.u.t1;
    assert_int_equal(b->status, a->status);
    assert_int_equal(b->turn, a->turn);
    assert_int_equal(b->speed, a->speed);
    assert_int_equal(b->accuracy, a->accuracy);
    assert_int_equal(b->lon, a->lon);
    assert_int_equal(b->lat, a->lat);
    assert_int_equal(b->course, a->course);
    assert_int_equal(b->heading, a->heading);
    assert_int_equal(b->second, a->second);
    assert_int_equal(b->maneuver, a->maneuver);
    assert_int_equal(b->raim, a->raim);
    assert_int_equal(b->radio, a->radio);
}

static void fill_t5(struct ais_msg *m, enum fill_mode f, uint64_t *s)
{
    header(m, 5, f, s);
    struct ais_static5 *t = &m->u.t5;
    t->ais_version = pick_u(f, s, 2, 0);
    t->imo = pick_u(f, s, 30, 0);
    pick_text(f, s, t->callsign, 7);
    pick_text(f, s, t->shipname, 20);
    t->shiptype = pick_u(f, s, 8, 0);
    t->to_bow = pick_u(f, s, 9, 0);
    t->to_stern = pick_u(f, s, 9, 0);
    t->to_port = pick_u(f, s, 6, 0);
    t->to_starboard = pick_u(f, s, 6, 0);
    t->epfd = pick_u(f, s, 4, 0);
    t->month = pick_u(f, s, 4, 0);
    t->day = pick_u(f, s, 5, 0);
    t->hour = pick_u(f, s, 5, 24);
    t->minute = pick_u(f, s, 6, 60);
    t->draught = pick_u(f, s, 8, 0);
    pick_text(f, s, t->destination, 20);
    t->dte = pick_u(f, s, 1, 1);
}

static void check_t5(const struct ais_msg *m, const struct ais_msg *dec)
{
    struct ais_msg o;
    if (dec)
        o = *dec;
    else
        round_trip(m, 424, &o);
    const struct ais_static5 *a = &m->u.t5, *b = &o.u.t5;
    assert_int_equal(b->ais_version, a->ais_version);
    assert_int_equal(b->imo, a->imo);
    assert_string_equal(b->callsign, a->callsign);
    assert_string_equal(b->shipname, a->shipname);
    assert_int_equal(b->shiptype, a->shiptype);
    assert_int_equal(b->to_bow, a->to_bow);
    assert_int_equal(b->to_stern, a->to_stern);
    assert_int_equal(b->to_port, a->to_port);
    assert_int_equal(b->to_starboard, a->to_starboard);
    assert_int_equal(b->epfd, a->epfd);
    assert_int_equal(b->month, a->month);
    assert_int_equal(b->day, a->day);
    assert_int_equal(b->hour, a->hour);
    assert_int_equal(b->minute, a->minute);
    assert_int_equal(b->draught, a->draught);
    assert_string_equal(b->destination, a->destination);
    assert_int_equal(b->dte, a->dte);
}

static void fill_t18(struct ais_msg *m, enum fill_mode f, uint64_t *s)
{
    header(m, 18, f, s);
    struct ais_classb18 *t = &m->u.t18;
    t->reserved = pick_u(f, s, 8, 0);
    t->speed = pick_u(f, s, 10, 1023);
    t->accuracy = pick_u(f, s, 1, 0);
    t->lon = pick_s(f, s, 28, LON_NA);
    t->lat = pick_s(f, s, 27, LAT_NA);
    t->course = pick_u(f, s, 12, 3600);
    t->heading = pick_u(f, s, 9, 511);
    t->second = pick_u(f, s, 6, 60);
    t->regional = pick_u(f, s, 2, 0);
    t->cs = pick_u(f, s, 1, 1);
    t->display = pick_u(f, s, 1, 0);
    t->dsc = pick_u(f, s, 1, 0);
    t->band = pick_u(f, s, 1, 0);
    t->msg22 = pick_u(f, s, 1, 0);
    t->assigned = pick_u(f, s, 1, 0);
    t->raim = pick_u(f, s, 1, 0);
    t->radio = pick_u(f, s, 20, 0);
}

static void check_t18(const struct ais_msg *m, const struct ais_msg *dec)
{
    struct ais_msg o;
    if (dec)
        o = *dec;
    else
        round_trip(m, 168, &o);
    const struct ais_classb18 *a = &m->u.t18, *b = &o.u.t18;
    assert_int_equal(b->reserved, a->reserved);
    assert_int_equal(b->speed, a->speed);
    assert_int_equal(b->accuracy, a->accuracy);
    assert_int_equal(b->lon, a->lon);
    assert_int_equal(b->lat, a->lat);
    assert_int_equal(b->course, a->course);
    assert_int_equal(b->heading, a->heading);
    assert_int_equal(b->second, a->second);
    assert_int_equal(b->regional, a->regional);
    assert_int_equal(b->cs, a->cs);
    assert_int_equal(b->display, a->display);
    assert_int_equal(b->dsc, a->dsc);
    assert_int_equal(b->band, a->band);
    assert_int_equal(b->msg22, a->msg22);
    assert_int_equal(b->assigned, a->assigned);
    assert_int_equal(b->raim, a->raim);
    assert_int_equal(b->radio, a->radio);
}

static void fill_t19(struct ais_msg *m, enum fill_mode f, uint64_t *s)
{
    header(m, 19, f, s);
    struct ais_classb19 *t = &m->u.t19;
    t->reserved = pick_u(f, s, 8, 0);
    t->speed = pick_u(f, s, 10, 1023);
    t->accuracy = pick_u(f, s, 1, 0);
    t->lon = pick_s(f, s, 28, LON_NA);
    t->lat = pick_s(f, s, 27, LAT_NA);
    t->course = pick_u(f, s, 12, 3600);
    t->heading = pick_u(f, s, 9, 511);
    t->second = pick_u(f, s, 6, 60);
    t->regional = pick_u(f, s, 4, 0);
    pick_text(f, s, t->shipname, 20);
    t->shiptype = pick_u(f, s, 8, 0);
    t->to_bow = pick_u(f, s, 9, 0);
    t->to_stern = pick_u(f, s, 9, 0);
    t->to_port = pick_u(f, s, 6, 0);
    t->to_starboard = pick_u(f, s, 6, 0);
    t->epfd = pick_u(f, s, 4, 0);
    t->raim = pick_u(f, s, 1, 0);
    t->dte = pick_u(f, s, 1, 1);
    t->assigned = pick_u(f, s, 1, 0);
}

static void check_t19(const struct ais_msg *m, const struct ais_msg *dec)
{
    struct ais_msg o;
    if (dec)
        o = *dec;
    else
        round_trip(m, 312, &o);
    const struct ais_classb19 *a = &m->u.t19, *b = &o.u.t19;
    assert_int_equal(b->reserved, a->reserved);
    assert_int_equal(b->speed, a->speed);
    assert_int_equal(b->accuracy, a->accuracy);
    assert_int_equal(b->lon, a->lon);
    assert_int_equal(b->lat, a->lat);
    assert_int_equal(b->course, a->course);
    assert_int_equal(b->heading, a->heading);
    assert_int_equal(b->second, a->second);
    assert_int_equal(b->regional, a->regional);
    assert_string_equal(b->shipname, a->shipname);
    assert_int_equal(b->shiptype, a->shiptype);
    assert_int_equal(b->to_bow, a->to_bow);
    assert_int_equal(b->to_stern, a->to_stern);
    assert_int_equal(b->to_port, a->to_port);
    assert_int_equal(b->to_starboard, a->to_starboard);
    assert_int_equal(b->epfd, a->epfd);
    assert_int_equal(b->raim, a->raim);
    assert_int_equal(b->dte, a->dte);
    assert_int_equal(b->assigned, a->assigned);
}

/* Type 24: part A, part B of a ship (dimensions) or of an auxiliary craft
 * (mother ship MMSI). */
static void fill_t24(struct ais_msg *m, enum ais_part24 part, bool aux,
                     enum fill_mode f, uint64_t *s)
{
    header(m, 24, f, s);
    if (aux)
        m->mmsi = 980000000 + pick_u(f, s, 20, 0) % 10000000;
    else if (m->mmsi / 10000000 == 98)
        m->mmsi -= 10000000;         /* a ship, not an auxiliary craft */
    struct ais_static24 *t = &m->u.t24;
    t->part = part;
    if (part != AIS_PART_B) {
        pick_text(f, s, t->shipname, 20);
        return;
    }
    t->shiptype = pick_u(f, s, 8, 0);
    pick_text(f, s, t->vendorid, 3);
    t->model = pick_u(f, s, 4, 0);
    t->serial = pick_u(f, s, 20, 0);
    pick_text(f, s, t->callsign, 7);
    if (aux) {
        t->mothership_mmsi = pick_u(f, s, 30, 0);
    } else {
        t->to_bow = pick_u(f, s, 9, 0);
        t->to_stern = pick_u(f, s, 9, 0);
        t->to_port = pick_u(f, s, 6, 0);
        t->to_starboard = pick_u(f, s, 6, 0);
    }
}

/*
 * What the decoder makes of part B's vendor id: the 3 characters we wrote
 * and model + serial read as 4 more characters (gpsd's 7-character field),
 * cut at the first '@' and trimmed of trailing spaces.
 */
static void vendorid_seen(const struct ais_static24 *t, char out[8])
{
    size_t n = strlen(t->vendorid);
    unsigned tail = t->model << 20 | t->serial;
    for (size_t i = 0; i < 3; i++)
        out[i] = i < n ? t->vendorid[i] : '@';
    for (size_t i = 0; i < 4; i++)
        out[3 + i] = sixchr[(tail >> (18 - 6 * i)) & 63];
    out[7] = '\0';
    char *at = strchr(out, '@');
    if (at)
        *at = '\0';
    n = strlen(out);
    while (n > 0 && out[n - 1] == ' ')
        out[--n] = '\0';
}

static void check_t24(const struct ais_msg *m)
{
    struct ais_msg o;
    round_trip(m, 168, &o);
    const struct ais_static24 *a = &m->u.t24, *b = &o.u.t24;
    if (a->part != AIS_PART_B) {
        assert_int_equal(b->part, AIS_PART_A);
        assert_string_equal(b->shipname, a->shipname);
        return;
    }
    char vid[8];
    vendorid_seen(a, vid);
    assert_int_equal(b->part, AIS_PART_B);
    assert_int_equal(b->shiptype, a->shiptype);
    assert_string_equal(b->vendorid, vid);
    assert_int_equal(b->model, a->model);
    assert_int_equal(b->serial, a->serial);
    assert_string_equal(b->callsign, a->callsign);
    assert_int_equal(b->mothership_mmsi, a->mothership_mmsi);
    assert_int_equal(b->to_bow, a->to_bow);
    assert_int_equal(b->to_stern, a->to_stern);
    assert_int_equal(b->to_port, a->to_port);
    assert_int_equal(b->to_starboard, a->to_starboard);
}

#define N_RANDOM 3000

static void round_trip_pos123(void **state)
{
    (void)state;
    uint64_t s = 1;
    struct ais_msg m;
    for (unsigned type = 1; type <= 3; type++) {
        for (int f = F_MIN; f <= F_RANDOM; f++) {
            for (int i = 0; i < (f == F_RANDOM ? N_RANDOM : 1); i++) {
                fill_t1(&m, type, (enum fill_mode)f, &s);
                check_t1(&m, NULL);
            }
        }
    }
}

static void round_trip_static5(void **state)
{
    (void)state;
    uint64_t s = 5;
    struct ais_msg m;
    for (int f = F_MIN; f <= F_RANDOM; f++) {
        for (int i = 0; i < (f == F_RANDOM ? N_RANDOM : 1); i++) {
            fill_t5(&m, (enum fill_mode)f, &s);
            check_t5(&m, NULL);
        }
    }
}

static void round_trip_classb(void **state)
{
    (void)state;
    uint64_t s = 18;
    struct ais_msg m;
    for (int f = F_MIN; f <= F_RANDOM; f++) {
        for (int i = 0; i < (f == F_RANDOM ? N_RANDOM : 1); i++) {
            fill_t18(&m, (enum fill_mode)f, &s);
            check_t18(&m, NULL);
            fill_t19(&m, (enum fill_mode)f, &s);
            check_t19(&m, NULL);
        }
    }
}

static void round_trip_static24(void **state)
{
    (void)state;
    uint64_t s = 24;
    struct ais_msg m;
    for (int f = F_MIN; f <= F_RANDOM; f++) {
        for (int i = 0; i < (f == F_RANDOM ? N_RANDOM : 1); i++) {
            fill_t24(&m, AIS_PART_A, false, (enum fill_mode)f, &s);
            check_t24(&m);
            fill_t24(&m, AIS_PART_B, false, (enum fill_mode)f, &s);
            check_t24(&m);
            fill_t24(&m, AIS_PART_B, true, (enum fill_mode)f, &s);
            check_t24(&m);
        }
    }
    /* AIS_PART_BOTH is encoded as part A */
    fill_t24(&m, AIS_PART_BOTH, false, F_MAX, &s);
    struct ais_msg o;
    round_trip(&m, 168, &o);
    assert_int_equal(o.u.t24.part, AIS_PART_A);
    assert_string_equal(o.u.t24.shipname, m.u.t24.shipname);
}

/* Bits at fixed places, read back without the decoder: the layout of the
 * spare bits, text padding and values cut to their width. */
static void layout_and_text(void **state)
{
    (void)state;
    uint8_t bits[AIS_BITS_BUF];
    struct ais_msg m;
    memset(&m, 0, sizeof m);
    m.type = 1;
    m.mmsi = 0xFFFFFFFFu;                  /* cut to 30 bits */
    m.u.t1.turn = -1;                      /* 8 ones */
    m.u.t1.radio = 0xFFFFFFFFu;            /* cut to 19 bits */
    assert_int_equal(sim_encode_bits(&m, bits), 168);
    assert_int_equal(getbits(bits, 0, 6), 1);
    assert_int_equal(getbits(bits, 8, 30), (1u << 30) - 1);
    assert_int_equal(getbits(bits, 38, 4), 0);
    assert_int_equal(getbits(bits, 42, 8), 255);
    assert_int_equal(getbits(bits, 50, 10), 0);
    assert_int_equal(getbits(bits, 145, 4), 0);   /* spare + RAIM */
    assert_int_equal(getbits(bits, 149, 19), (1u << 19) - 1);

    /* text: lower case folded, characters outside the alphabet -> '?',
     * padding '@' (zero bits), and nothing past the field's width */
    memset(&m, 0, sizeof m);
    m.type = 5;
    strcpy(m.u.t5.callsign, "ab\x01~");
    strcpy(m.u.t5.shipname, "Zz 9");
    strcpy(m.u.t5.destination, "ABCDEFGHIJKLMNOPQRST");
    m.u.t5.draught = 255;
    assert_int_equal(sim_encode_bits(&m, bits), 424);
    assert_int_equal(getbits(bits, 70, 6), 1);       /* A */
    assert_int_equal(getbits(bits, 76, 6), 2);       /* B */
    assert_int_equal(getbits(bits, 82, 6), 63);      /* ? */
    assert_int_equal(getbits(bits, 88, 6), 63);      /* ? */
    assert_int_equal(getbits(bits, 94, 18), 0);      /* @@@ */
    assert_int_equal(getbits(bits, 112, 6), 26);     /* Z */
    assert_int_equal(getbits(bits, 118, 6), 26);     /* z -> Z */
    assert_int_equal(getbits(bits, 124, 6), 32);     /* space */
    assert_int_equal(getbits(bits, 130, 6), 57);     /* 9 */
    assert_int_equal(getbits(bits, 294, 8), 255);
    assert_int_equal(getbits(bits, 302, 6), 1);
    assert_int_equal(getbits(bits, 416, 6), 20);     /* T */
    assert_int_equal(getbits(bits, 422, 2), 0);      /* dte, spare */
    struct ais_msg o;
    assert_int_equal(ais_decode_bits(bits, 424, &o, NULL, 0), ALD_E_OK);
    assert_string_equal(o.u.t5.callsign, "AB??");
    assert_string_equal(o.u.t5.shipname, "ZZ 9");

    /* type 24 part B: vendor id is 3 characters, then model and serial */
    memset(&m, 0, sizeof m);
    m.type = 24;
    m.mmsi = 338123456;
    m.u.t24.part = AIS_PART_B;
    strcpy(m.u.t24.vendorid, "SRTXYZ");
    m.u.t24.model = 9;
    m.u.t24.serial = 0xABCDE;
    m.u.t24.mothership_mmsi = 123;          /* not an auxiliary craft: unused */
    m.u.t24.to_bow = 511;
    m.u.t24.to_starboard = 63;
    assert_int_equal(sim_encode_bits(&m, bits), 168);
    assert_int_equal(getbits(bits, 38, 2), 1);
    assert_int_equal(getbits(bits, 48, 6), 19);      /* S */
    assert_int_equal(getbits(bits, 60, 6), 20);      /* T */
    assert_int_equal(getbits(bits, 66, 4), 9);
    assert_int_equal(getbits(bits, 70, 20), 0xABCDE);
    assert_int_equal(getbits(bits, 132, 9), 511);
    assert_int_equal(getbits(bits, 141, 15), 0);
    assert_int_equal(getbits(bits, 156, 6), 63);
    assert_int_equal(getbits(bits, 162, 6), 0);

    /* types it does not encode */
    static const unsigned others[] = {0, 4, 6, 8, 9, 11, 14, 21, 27, 63};
    for (size_t i = 0; i < sizeof others / sizeof others[0]; i++) {
        m.type = others[i];
        assert_int_equal(sim_encode_bits(&m, bits), 0);
        char line[SIM_NMEA_MAX];
        assert_int_equal(sim_nmea(&m, NULL, line, sizeof line), 0);
    }
}

/* ---- armour ---- */

static void armour(void **state)
{
    (void)state;
    uint8_t bits[AIS_BITS_BUF];
    char out[256];
    unsigned fill = 99;

    /* every six-bit value once: 64 characters from 384 bits */
    memset(bits, 0, sizeof bits);
    for (unsigned v = 0; v < 64; v++)
        for (unsigned i = 0; i < 6; i++)
            if ((v >> (5 - i)) & 1)
                bits[(6 * v + i) / 8] |= (uint8_t)(0x80u >> ((6 * v + i) % 8));
    assert_int_equal(sim_armour(bits, 384, out, &fill), 64);
    assert_int_equal(fill, 0);
    assert_memory_equal(out, "0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVW"
                             "`abcdefghijklmnopqrstuvw", 64);

    /* every length 0..30 bits of an all-ones buffer: the bits past nbits
     * are read as zero (the fill bits) */
    memset(bits, 0xFF, sizeof bits);
    for (size_t n = 0; n <= 30; n++) {
        memset(out, '#', sizeof out);
        size_t nc = sim_armour(bits, n, out, &fill);
        assert_int_equal(nc, (n + 5) / 6);
        assert_int_equal(fill, nc * 6 - n);
        for (size_t k = 0; k < nc; k++) {
            size_t ones = n - 6 * k >= 6 ? 6 : n - 6 * k;
            unsigned v = (0x3Fu << (6 - ones)) & 0x3F;
            char want = (char)(v < 40 ? v + 48 : v + 56);
            assert_int_equal(out[k], want);
        }
        assert_int_equal(out[nc], '#');
    }

    /* a real payload through our de-armour and back (gpsd sample.aivdm) */
    const char *p = "15M67FC000G?ufbE`FepT@3n00Sa";
    size_t nb = unarmour(p, strlen(p), bits);
    assert_int_equal(sim_armour(bits, nb, out, &fill), 28);
    assert_memory_equal(out, p, 28);
    assert_int_equal(fill, 0);
}

/* ---- real sentences: decode, re-encode, compare ---- */

/* Why a real payload can differ after a round trip. */
enum why {
    SAME = 0,
    LENGTH = 1,      /* not the standard length (e.g. 160-bit type 24 A) */
    TEXT_TAIL = 2,   /* text after its end as decoded: trailing spaces or
                        characters after an '@' terminator */
    SPARE = 4,       /* non-zero spare bits */
    FILL = 8,        /* non-zero fill bits (same message bits) */
};

struct span { unsigned start, len; };

/* Text fields (start bit, characters) and spare bits of each type as the
 * decoder reads them; part is 0 (A) or 1 (B) for type 24. */
static size_t text_fields(unsigned type, unsigned part, struct span *f)
{
    size_t n = 0;
    if (type == 5) {
        f[n++] = (struct span){70, 7};
        f[n++] = (struct span){112, 20};
        f[n++] = (struct span){302, 20};
    } else if (type == 19) {
        f[n++] = (struct span){143, 20};
    } else if (type == 24 && part == 0) {
        f[n++] = (struct span){40, 20};
    } else if (type == 24) {
        f[n++] = (struct span){48, 7};
        f[n++] = (struct span){90, 7};
    }
    return n;
}

static struct span spare_bits(unsigned type, unsigned part)
{
    switch (type) {
    case 1: case 2: case 3: return (struct span){145, 3};
    case 5:  return (struct span){423, 1};
    case 19: return (struct span){308, 4};
    case 24: return part == 0 ? (struct span){160, 8} : (struct span){162, 6};
    default: return (struct span){0, 0};
    }
}

/* Characters the decoder keeps of a text field: up to the first '@', less
 * trailing spaces. */
static unsigned text_kept(const uint8_t *bits, struct span f)
{
    unsigned n = 0;
    while (n < f.len && getbits(bits, f.start + 6 * n, 6) != 0)
        n++;
    while (n > 0 && getbits(bits, f.start + 6 * (n - 1), 6) == 32)
        n--;
    return n;
}

/* Explains every bit where `enc` differs from the original `orig`. */
static unsigned explain(const uint8_t *orig, size_t olen, const uint8_t *enc, size_t elen,
                        unsigned type)
{
    if (olen != elen)
        return LENGTH;
    unsigned part = getbits(orig, 38, 2);
    struct span tf[3];
    size_t ntf = text_fields(type, part, tf);
    struct span sp = spare_bits(type, part);
    unsigned why = SAME;
    for (size_t i = 0; i < olen; i++) {
        if (getbit(orig, i) == getbit(enc, i))
            continue;
        unsigned w = 0;
        if (i >= sp.start && i < sp.start + sp.len)
            w = SPARE;
        for (size_t k = 0; k < ntf; k++)
            if (i >= tf[k].start && i < tf[k].start + 6 * tf[k].len &&
                (i - tf[k].start) / 6 >= text_kept(orig, tf[k]))
                w = TEXT_TAIL;
        assert_int_not_equal(w, 0);       /* a difference nobody explains */
        why |= w;
    }
    return why;
}

/* Results over one file. */
struct recode {
    unsigned msgs;            /* messages of the encoded types */
    unsigned same;            /* identical payload and fill bits */
    unsigned nmea_same;       /* of those, sentences written byte for byte
                                 (fragments of 60 characters, talker AI) */
    unsigned nmea_tried;
    unsigned n_exc;
    struct { unsigned line; unsigned type; unsigned why; } exc[64];
    unsigned by_why[16];      /* exceptions by reason set */
};

/* One pending multipart message per channel (A/B/other) and sequence id. */
struct pend {
    unsigned line, nfrags, have;
    bool split60;             /* every fragment but the last has 60 chars */
    char payload[512];
    size_t len;
    char text[1024];          /* the sentences as they were, '\n' after each */
    size_t text_len;
};

static bool encoded_type(unsigned t)
{
    return t == 1 || t == 2 || t == 3 || t == 5 || t == 18 || t == 19 || t == 24;
}

/* A complete message: decode, re-encode, compare; `p` holds its payload and
 * its original lines. */
static void recode_one(struct recode *r, const struct pend *p, unsigned fill,
                       char chan, unsigned seq)
{
    uint8_t orig[AIS_BITS_BUF], enc[AIS_BITS_BUF];
    size_t olen = unarmour(p->payload, p->len, orig);
    assert_true(olen >= fill);
    olen -= fill;
    /* the fill bits themselves are not part of the message */
    bool fill_set = false;
    for (size_t i = olen; i < olen + fill; i++) {
        fill_set |= getbit(orig, i) != 0;
        orig[i / 8] &= (uint8_t)~(0x80u >> (i % 8));
    }
    struct ais_msg m;
    memset(&m, 0, sizeof m);
    if (ais_decode_bits(orig, olen, &m, NULL, 0) != ALD_E_OK || !encoded_type(m.type))
        return;
    r->msgs++;
    size_t elen = sim_encode_bits(&m, enc);
    char out[256];
    unsigned efill;
    size_t nc = sim_armour(enc, elen, out, &efill);
    if (nc == p->len && efill == fill && memcmp(out, p->payload, nc) == 0) {
        r->same++;
        /* the whole sentences, checksums included */
        if (p->split60 && strncmp(p->text, "!AIVDM", 6) == 0) {
            struct sim_nmea o = {.channel = chan, .seqid = seq, .time_s = SIM_NO_TIME};
            char line[SIM_NMEA_MAX];
            size_t n = sim_nmea(&m, &o, line, sizeof line);
            r->nmea_tried++;
            if (n == p->text_len && memcmp(line, p->text, n) == 0)
                r->nmea_same++;
            else
                print_message("line %u: %.*s != %.*s", p->line, (int)n, line,
                              (int)p->text_len, p->text);
        }
        return;
    }
    unsigned why = explain(orig, olen, enc, elen, m.type);
    if (nc == p->len && efill == fill && fill_set)
        why |= FILL;
    assert_int_not_equal(why, SAME);
    r->by_why[why]++;
    if (r->n_exc < 64) {
        r->exc[r->n_exc].line = p->line;
        r->exc[r->n_exc].type = m.type;
        r->exc[r->n_exc].why = why;
        r->n_exc++;
    }
}

/* Splits "!AIVDM,n,i,seq,chan,payload,fill*hh" into its fields. */
static bool split_sentence(const char *s, const char *end, const char *f[7], size_t fl[7])
{
    size_t k = 0;
    const char *a = s;
    for (const char *q = s; q <= end && k < 7; q++) {
        if (q == end || *q == ',' || *q == '*') {
            f[k] = a;
            fl[k++] = (size_t)(q - a);
            a = q + 1;
            if (q < end && *q == '*')
                break;
        }
    }
    return k == 7;
}

/* Feeds the lines of a gpsd file (comments skipped) through recode_one(),
 * reassembling multipart messages per channel and sequence id. */
static void recode_file(const char *path, struct recode *r)
{
    size_t len;
    char *text = tu_read_file(path, &len);
    assert_non_null(text);
    memset(r, 0, sizeof *r);
    struct pend *pend = calloc(3 * 10, sizeof *pend);
    assert_non_null(pend);
    unsigned line_no = 0;
    for (char *l = text, *nl; l < text + len; l = nl + 1) {
        nl = memchr(l, '\n', (size_t)(text + len - l));
        if (!nl)
            nl = text + len;
        line_no++;
        const char *e = nl;
        if (e > l && e[-1] == '\r')
            e--;
        if (e - l < 7 || l[0] != '!' || memcmp(l + 3, "VDM,", 4) != 0)
            continue;
        const char *f[7];
        size_t fl[7];
        if (!split_sentence(l, e, f, fl) || fl[1] != 1 || fl[2] != 1 || fl[6] != 1)
            continue;
        unsigned n = (unsigned)(f[1][0] - '0'), i = (unsigned)(f[2][0] - '0');
        unsigned seq = fl[3] ? (unsigned)(f[3][0] - '0') % 10 : 0;
        char chan = fl[4] ? f[4][0] : 0;
        struct pend *p = &pend[(chan == 'A' ? 0 : chan == 'B' ? 1 : 2) * 10 + seq];
        if (i == 1) {
            memset(p, 0, sizeof *p);
            p->line = line_no;
            p->nfrags = n;
            p->split60 = true;
        }
        if (i != p->have + 1 || p->len + fl[5] > sizeof p->payload ||
            p->text_len + (size_t)(e - l) + 1 > sizeof p->text)
            continue;
        p->have = i;
        if (i < n && fl[5] != SIM_FRAG_CHARS)
            p->split60 = false;
        memcpy(p->payload + p->len, f[5], fl[5]);
        p->len += fl[5];
        memcpy(p->text + p->text_len, l, (size_t)(e - l));
        p->text_len += (size_t)(e - l);
        p->text[p->text_len++] = '\n';
        if (i == n)
            recode_one(r, p, (unsigned)(f[6][0] - '0'), chan, seq);
    }
    free(pend);
    free(text);
}

static void print_exceptions(const char *name, const struct recode *r)
{
    print_message("%s: %u messages of types 1/2/3/5/18/19/24, %u identical, "
                  "%u/%u NMEA lines byte for byte\n",
                  name, r->msgs, r->same, r->nmea_same, r->nmea_tried);
    for (unsigned i = 0; i < r->n_exc; i++)
        print_message("  line %u type %u:%s%s%s%s\n", r->exc[i].line, r->exc[i].type,
                      r->exc[i].why & LENGTH ? " length" : "",
                      r->exc[i].why & TEXT_TAIL ? " text-tail" : "",
                      r->exc[i].why & SPARE ? " spare" : "",
                  r->exc[i].why & FILL ? " fill" : "");
}

/*
 * gpsd's sample.aivdm: every message of the encoded types comes back
 * identical except these, each for the reason its comment in the file gives
 * or that the bits show:
 *   124  type 5 padded with spaces, not '@' (callsign, name, destination)
 *   904, 992, 996  type 24 part A of 160 bits (M.1371-3; -5 has 168)
 *   1012 (channel A) and 1011 (channel B)  the same type 5 whose name
 *        ends in spaces; the A copy (64-character first fragment) also
 *        has its 2 fill bits set (last character '2')
 *   1098 type 1 of 163 bits ("type=1 length=163" in the file)
 */
static void gpsd_sample_recode(void **state)
{
    (void)state;
    TU_NEED_SHARED(path, "ais/gpsd/sample.aivdm");
    struct recode r;
    recode_file(path, &r);
    print_exceptions("sample.aivdm", &r);
    static const struct { unsigned line, type, why; } want[] = {
        {124, 5, TEXT_TAIL},
        {904, 24, LENGTH},
        {992, 24, LENGTH},
        {996, 24, LENGTH},
        {1012, 5, TEXT_TAIL | FILL},
        {1011, 5, TEXT_TAIL},
        {1098, 1, LENGTH},
    };
    size_t nwant = sizeof want / sizeof want[0];
    assert_int_equal(r.n_exc, nwant);
    for (size_t i = 0; i < nwant; i++) {
        assert_int_equal(r.exc[i].line, want[i].line);
        assert_int_equal(r.exc[i].type, want[i].type);
        assert_int_equal(r.exc[i].why, want[i].why);
    }
    assert_int_equal(r.msgs, r.same + nwant);
    assert_int_equal(r.same, 13);
    assert_int_equal(r.nmea_tried, 13);
    assert_int_equal(r.nmea_same, r.nmea_tried);
}

/* ---- NMEA sentences ---- */

/* Checks every line of out[0..n): '\n' at the end, tag block and sentence
 * checksums right (recomputed here). Returns the number of lines. */
static unsigned check_lines(const char *out, size_t n)
{
    unsigned lines = 0;
    assert_true(n > 0);
    assert_int_equal(out[n - 1], '\n');
    for (const char *l = out, *nl; l < out + n; l = nl + 1, lines++) {
        nl = memchr(l, '\n', (size_t)(out + n - l));
        assert_non_null(nl);
        const char *s = l;
        if (*s == '\\') {
            const char *close = memchr(s + 1, '\\', (size_t)(nl - s - 1));
            assert_non_null(close);
            assert_int_equal(close[-3], '*');
            char hh[3];
            snprintf(hh, sizeof hh, "%02X", xor_of(s + 1, close - 3));
            assert_memory_equal(close - 2, hh, 2);
            s = close + 1;
        }
        assert_int_equal(*s, '!');
        assert_true(nl - s > 3);
        assert_int_equal(nl[-3], '*');
        char hh[3];
        snprintf(hh, sizeof hh, "%02X", xor_of(s + 1, nl - 3));
        assert_memory_equal(nl - 2, hh, 2);
    }
    return lines;
}

/* Formats one expected line: optional tag block body and sentence body,
 * checksums computed here (snprintf: the test's own, slow way). */
static size_t expect_line(char *dst, size_t cap, const char *tag, const char *body)
{
    int n;
    if (tag)
        n = snprintf(dst, cap, "\\%s*%02X\\!%s*%02X\n", tag,
                     xor_of(tag, tag + strlen(tag)), body,
                     xor_of(body, body + strlen(body)));
    else
        n = snprintf(dst, cap, "!%s*%02X\n", body, xor_of(body, body + strlen(body)));
    assert_true(n > 0 && (size_t)n < cap);
    return (size_t)n;
}

/* Decodes an armoured payload into m (no cache). */
static void decode_payload(const char *payload, unsigned fill, struct ais_msg *m)
{
    uint8_t bits[AIS_BITS_BUF];
    size_t n = unarmour(payload, strlen(payload), bits) - fill;
    memset(m, 0, sizeof *m);
    assert_int_equal(ais_decode_bits(bits, n, m, NULL, 0), ALD_E_OK);
}

/* Real lines written again byte for byte, checksums included. */
static void nmea_real_lines(void **state)
{
    (void)state;
    struct ais_msg m;
    char out[SIM_NMEA_MAX];

    /* gfw-ais-tools/sample.nmea (Spire): type 3 with a tag block */
    decode_payload("36=nR7OP0>69WMN3Gt:mu?w02000", 0, &m);
    struct sim_nmea o = {.channel = 'A', .source = "66", .time_s = 1661782474};
    size_t n = sim_nmea(&m, &o, out, sizeof out);
    const char *want =
        "\\s:66,c:1661782474*36\\!AIVDM,1,1,,A,36=nR7OP0>69WMN3Gt:mu?w02000,0*07\n";
    assert_int_equal(n, strlen(want));
    assert_memory_equal(out, want, n);

    /* gpsd sample.aivdm line 10: type 1, channel B, no tag block */
    decode_payload("15M67FC000G?ufbE`FepT@3n00Sa", 0, &m);
    struct sim_nmea ob = {.channel = 'B', .time_s = SIM_NO_TIME};
    n = sim_nmea(&m, &ob, out, sizeof out);
    want = "!AIVDM,1,1,,B,15M67FC000G?ufbE`FepT@3n00Sa,0*5C\n";
    assert_int_equal(n, strlen(want));
    assert_memory_equal(out, want, n);

    /* gpsd ais-nmea-type6-fid55.log lines 243-244: type 5 over two
     * sentences, sequence id 5, channel B */
    decode_payload("53Ee2`425NMhF0>0>0lqDEHv19Dl8t000000000N1p>34654N7UhC5RDp0PF"
                   "@0000000000", 2, &m);
    struct sim_nmea o5 = {.channel = 'B', .seqid = 5, .time_s = SIM_NO_TIME};
    n = sim_nmea(&m, &o5, out, sizeof out);
    want = "!AIVDM,2,1,5,B,53Ee2`425NMhF0>0>0lqDEHv19Dl8t000000000N1p>34654N7UhC5RDp0PF,0*44\n"
           "!AIVDM,2,2,5,B,@0000000000,2*52\n";
    assert_int_equal(n, strlen(want));
    assert_memory_equal(out, want, n);
}

/* Every option: talker, empty channel, tag block fields alone or together,
 * groups on multipart messages only, type 24 A then B, sequence id mod 10. */
static void nmea_options(void **state)
{
    (void)state;
    uint64_t s = 77;
    struct ais_msg m5, m1, m24;
    fill_t5(&m5, F_RANDOM, &s);
    fill_t1(&m1, 1, F_RANDOM, &s);
    fill_t24(&m24, AIS_PART_BOTH, false, F_RANDOM, &s);
    char out[SIM_NMEA_MAX], exp[SIM_NMEA_MAX], pay[128], body[128];
    uint8_t bits[AIS_BITS_BUF];
    unsigned fill;

    /* type 5: 71 characters -> 60 + 11, fill 2 on the last one only */
    size_t nc = sim_armour(bits, sim_encode_bits(&m5, bits), pay, &fill);
    assert_int_equal(nc, 71);
    assert_int_equal(fill, 2);
    struct sim_nmea o = {.talker = "BS", .channel = 0, .seqid = 13, .source = "rx-1",
                         .time_s = 1735689600, .group = true, .group_id = 4294967295u};
    size_t n = sim_nmea(&m5, &o, out, sizeof out);
    size_t e = 0;
    snprintf(body, sizeof body, "BSVDM,2,1,3,,%.60s,0", pay);
    e += expect_line(exp + e, sizeof exp - e, "s:rx-1,c:1735689600,g:1-2-4294967295", body);
    snprintf(body, sizeof body, "BSVDM,2,2,3,,%.11s,2", pay + 60);
    e += expect_line(exp + e, sizeof exp - e, "s:rx-1,c:1735689600,g:2-2-4294967295", body);
    assert_int_equal(n, e);
    assert_memory_equal(out, exp, e);
    assert_int_equal(check_lines(out, n), 2);

    /* group only (no source, no time); then no group: no tag block at all */
    struct sim_nmea og = {.channel = 'A', .seqid = 0, .time_s = SIM_NO_TIME,
                          .group = true, .group_id = 0};
    n = sim_nmea(&m5, &og, out, sizeof out);
    e = 0;
    snprintf(body, sizeof body, "AIVDM,2,1,0,A,%.60s,0", pay);
    e += expect_line(exp + e, sizeof exp - e, "g:1-2-0", body);
    snprintf(body, sizeof body, "AIVDM,2,2,0,A,%.11s,2", pay + 60);
    e += expect_line(exp + e, sizeof exp - e, "g:2-2-0", body);
    assert_int_equal(n, e);
    assert_memory_equal(out, exp, e);
    og.group = false;
    n = sim_nmea(&m5, &og, out, sizeof out);
    e = 0;
    snprintf(body, sizeof body, "AIVDM,2,1,0,A,%.60s,0", pay);
    e += expect_line(exp + e, sizeof exp - e, NULL, body);
    snprintf(body, sizeof body, "AIVDM,2,2,0,A,%.11s,2", pay + 60);
    e += expect_line(exp + e, sizeof exp - e, NULL, body);
    assert_int_equal(n, e);
    assert_memory_equal(out, exp, e);

    /* single sentence: no sequence id, no g: even when asked; time alone;
     * source alone */
    nc = sim_armour(bits, sim_encode_bits(&m1, bits), pay, &fill);
    assert_int_equal(nc, 28);
    struct sim_nmea ot = {.channel = 'B', .seqid = 5, .time_s = 0, .group = true,
                          .group_id = 9};
    n = sim_nmea(&m1, &ot, out, sizeof out);
    snprintf(body, sizeof body, "AIVDM,1,1,,B,%.28s,0", pay);
    e = expect_line(exp, sizeof exp, "c:0", body);
    assert_int_equal(n, e);
    assert_memory_equal(out, exp, e);
    struct sim_nmea os = {.channel = 'A', .source = "x", .time_s = SIM_NO_TIME};
    n = sim_nmea(&m1, &os, out, sizeof out);
    snprintf(body, sizeof body, "AIVDM,1,1,,A,%.28s,0", pay);
    e = expect_line(exp, sizeof exp, "s:x", body);
    assert_int_equal(n, e);
    assert_memory_equal(out, exp, e);

    /* NULL options: talker AI, no channel, no tag block */
    n = sim_nmea(&m1, NULL, out, sizeof out);
    snprintf(body, sizeof body, "AIVDM,1,1,,,%.28s,0", pay);
    e = expect_line(exp, sizeof exp, NULL, body);
    assert_int_equal(n, e);
    assert_memory_equal(out, exp, e);

    /* type 24 both parts: A then B, each a sentence of 28 characters */
    struct ais_msg part = m24;
    part.u.t24.part = AIS_PART_A;
    char pa[32], pb[32];
    assert_int_equal(sim_armour(bits, sim_encode_bits(&part, bits), pa, &fill), 28);
    assert_int_equal(fill, 0);
    part.u.t24.part = AIS_PART_B;
    assert_int_equal(sim_armour(bits, sim_encode_bits(&part, bits), pb, &fill), 28);
    n = sim_nmea(&m24, &os, out, sizeof out);
    e = 0;
    snprintf(body, sizeof body, "AIVDM,1,1,,A,%.28s,0", pa);
    e += expect_line(exp + e, sizeof exp - e, "s:x", body);
    snprintf(body, sizeof body, "AIVDM,1,1,,A,%.28s,0", pb);
    e += expect_line(exp + e, sizeof exp - e, "s:x", body);
    assert_int_equal(n, e);
    assert_memory_equal(out, exp, e);
}

/* Returns 0 for every cap short of the length, the length from there on;
 * SIM_NMEA_MAX suffices for the longest case (type 5, tag blocks with the
 * longest time and group id, a source of 152 characters) and not beyond. */
static void nmea_cap(void **state)
{
    (void)state;
    uint64_t s = 3;
    struct ais_msg m5, m24;
    fill_t5(&m5, F_MAX, &s);
    fill_t24(&m24, AIS_PART_BOTH, false, F_MAX, &s);
    char src[154];
    memset(src, 'r', 153);
    src[153] = '\0';
    struct sim_nmea o = {.channel = 'A', .seqid = 9, .source = src, .time_s = INT64_MIN + 1,
                         .group = true, .group_id = 4294967295u};
    char big[2 * SIM_NMEA_MAX];
    assert_int_equal(sim_nmea(&m5, &o, big, sizeof big), 513);
    assert_int_equal(sim_nmea(&m5, &o, big, SIM_NMEA_MAX), 0);
    src[152] = '\0';
    assert_int_equal(sim_nmea(&m5, &o, big, SIM_NMEA_MAX), 511);
    const struct ais_msg *ms[] = {&m5, &m24};
    for (size_t k = 0; k < 2; k++) {
        char out[SIM_NMEA_MAX + 16];
        size_t full = sim_nmea(ms[k], &o, out, SIM_NMEA_MAX);
        assert_true(full > 0 && full <= SIM_NMEA_MAX);
        assert_int_equal(check_lines(out, full), 2);
        for (size_t cap = 0; cap < full; cap++) {
            out[cap] = '#';
            assert_int_equal(sim_nmea(ms[k], &o, out, cap), 0);
            assert_int_equal(out[cap], '#');        /* nothing past cap */
        }
        assert_int_equal(sim_nmea(ms[k], &o, out, full), full);
    }
}

/* ---- through the stream decoder ---- */

struct got {
    unsigned n;
    struct ais_msg msg[8];
    struct ais_meta meta[8];
    char source[8][32];
};

static void on_msg(void *ctx, const struct ais_msg *msg, const struct ais_meta *meta)
{
    struct got *g = ctx;
    assert_true(g->n < 8);
    g->msg[g->n] = *msg;
    g->meta[g->n] = *meta;
    snprintf(g->source[g->n], sizeof g->source[0], "%s", meta->source ? meta->source : "");
    g->n++;
}

static void on_bad(void *ctx, const struct ald_errpos *err, const char *line, size_t len,
                   size_t line_no)
{
    (void)ctx;
    fail_msg("line %zu rejected (%s): %.*s", line_no, err->msg, (int)len, line);
}

/* Feeds text line by line. */
static void feed(ais_decoder *d, const char *text, size_t len)
{
    for (const char *l = text, *nl; l < text + len; l = nl + 1) {
        nl = memchr(l, '\n', (size_t)(text + len - l));
        assert_non_null(nl);
        assert_int_equal(ais_decoder_feed(d, l, (size_t)(nl - l)), ALD_E_OK);
    }
}

static void stream_decoder(void **state)
{
    (void)state;
    uint64_t s = 55;
    struct ais_msg a, b, c, p24;
    fill_t5(&a, F_RANDOM, &s);
    fill_t5(&b, F_RANDOM, &s);
    fill_t18(&c, F_RANDOM, &s);
    fill_t24(&p24, AIS_PART_BOTH, false, F_RANDOM, &s);
    a.mmsi = 235000001;
    b.mmsi = 235000002;
    p24.mmsi = 235000003;
    char la[SIM_NMEA_MAX], lb[SIM_NMEA_MAX], lc[SIM_NMEA_MAX], l24[SIM_NMEA_MAX];
    struct sim_nmea oa = {.channel = 'A', .seqid = 1, .source = "drill",
                          .time_s = 1735689600, .group = true, .group_id = 11};
    struct sim_nmea ob = {.channel = 'A', .seqid = 2, .source = "drill",
                          .time_s = 1735689601, .group = true, .group_id = 12};
    struct sim_nmea oc = {.channel = 'B', .source = "other", .time_s = 1735689602};
    size_t na = sim_nmea(&a, &oa, la, sizeof la);
    size_t nb = sim_nmea(&b, &ob, lb, sizeof lb);
    size_t nc = sim_nmea(&c, &oc, lc, sizeof lc);
    size_t n24 = sim_nmea(&p24, &oc, l24, sizeof l24);
    assert_int_equal(check_lines(la, na), 2);
    assert_int_equal(check_lines(lb, nb), 2);
    assert_int_equal(check_lines(lc, nc), 1);
    assert_int_equal(check_lines(l24, n24), 2);

    /* interleaved: a1 b1 c a2 b2, then 24 A and B */
    const char *a2 = memchr(la, '\n', na) + 1, *b2 = memchr(lb, '\n', nb) + 1;
    ais_decoder *d = ais_decoder_new(NULL);
    assert_non_null(d);
    struct got g;
    memset(&g, 0, sizeof g);
    ais_decoder_set_cb(d, on_msg, on_bad, &g);
    feed(d, la, (size_t)(a2 - la));
    feed(d, lb, (size_t)(b2 - lb));
    feed(d, lc, nc);
    feed(d, a2, (size_t)(la + na - a2));
    feed(d, b2, (size_t)(lb + nb - b2));
    feed(d, l24, n24);
    ais_decoder_finish(d);

    assert_int_equal(g.n, 4);
    const struct ais_msg *want[] = {&c, &a, &b};
    const int64_t when[] = {1735689602000, 1735689600000, 1735689601000};
    const char *src[] = {"other", "drill", "drill"};
    const char chan[] = {'B', 'A', 'A'};
    const unsigned frags[] = {1, 2, 2};
    for (unsigned i = 0; i < 3; i++) {
        assert_int_equal(g.msg[i].mmsi, want[i]->mmsi);
        assert_int_equal(g.meta[i].time_ms, when[i]);
        assert_string_equal(g.source[i], src[i]);
        assert_int_equal(g.meta[i].channel, chan[i]);
        assert_int_equal(g.meta[i].nfrags, frags[i]);
        assert_string_equal(g.meta[i].talker, "AI");
    }
    check_t18(&c, &g.msg[0]);
    check_t5(&a, &g.msg[1]);
    check_t5(&b, &g.msg[2]);
    /* type 24 A + B merged into one report, as gpsd does */
    assert_int_equal(g.msg[3].type, 24);
    assert_int_equal(g.msg[3].mmsi, 235000003);
    assert_int_equal(g.msg[3].u.t24.part, AIS_PART_BOTH);
    assert_string_equal(g.msg[3].u.t24.shipname, p24.u.t24.shipname);
    assert_string_equal(g.msg[3].u.t24.callsign, p24.u.t24.callsign);
    assert_int_equal(g.msg[3].u.t24.to_bow, p24.u.t24.to_bow);

    const struct ais_stats *st = ais_decoder_stats(d);
    assert_int_equal(st->sentences, 7);
    assert_int_equal(st->fragments, 4);
    assert_int_equal(st->messages, 5);        /* 24 A is counted, not emitted */
    assert_int_equal(st->tagblock_bad_checksum, 0);
    for (unsigned k = 0; k < 32; k++)
        assert_int_equal(st->bad[k], 0);
    ais_decoder_free(d);
}

/* ---- rate ---- */

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* Sentences per second of sim_nmea() for position reports with tag blocks
 * (the generator's case) and for type 5; printed, not asserted (it depends
 * on the build and the machine). Every line is checked afterwards on a
 * sample so the loop cannot be optimised away. */
static void encode_rate(void **state)
{
    (void)state;
    enum { VARIANTS = 256, N = 400000 };
    struct ais_msg *pos = calloc(VARIANTS, sizeof *pos);
    assert_non_null(pos);
    uint64_t s = 9;
    for (unsigned i = 0; i < VARIANTS; i++)
        fill_t1(&pos[i], 1 + i % 3, F_RANDOM, &s);
    struct sim_nmea o = {.channel = 'A', .source = "drill", .time_s = 1735689600};
    char out[SIM_NMEA_MAX];
    uint64_t bytes = 0;
    size_t last = 0;
    double t0 = now_s();
    for (unsigned i = 0; i < N; i++) {
        o.time_s++;
        last = sim_nmea(&pos[i % VARIANTS], &o, out, sizeof out);
        bytes += last;
    }
    double dt = now_s() - t0;
    assert_int_equal(check_lines(out, last), 1);
    assert_true(bytes > (uint64_t)N * 60);
    print_message("encode rate, types 1-3 with tag block: %.0f sentences/s "
                  "(%.1f MB/s)\n", N / dt, (double)bytes / dt / 1e6);

    struct ais_msg m5;
    fill_t5(&m5, F_RANDOM, &s);
    o.group = true;
    t0 = now_s();
    for (unsigned i = 0; i < N / 4; i++) {
        o.group_id = i;
        o.seqid = i % 10;
        last = sim_nmea(&m5, &o, out, sizeof out);
        bytes += last;
    }
    dt = now_s() - t0;
    assert_int_equal(check_lines(out, last), 2);
    print_message("encode rate, type 5 with tag blocks and groups: %.0f messages/s "
                  "(%.0f sentences/s)\n", N / 4 / dt, N / 2 / dt);
    free(pos);
}

/*
 * gpsd's other captures: the exact count of messages of the encoded types,
 * of identical re-encodings (all of whose 60-character-split sentences come
 * out byte for byte), and of each explained difference:
 *   length: type 24 part A of 160 or 162 bits (31 + 1 + 1 + 67 of them), one
 *           type 1 of 204 bits (fid55 log)
 *   text-tail: names padded with spaces or with text after an '@'
 *   spare: type 1/3 with spare bits 145-147 set; fill: non-zero fill bits
 */
static void gpsd_logs_recode(void **state)
{
    (void)state;
    static const struct {
        const char *file;
        unsigned msgs, same, nmea;
        unsigned len, tail, spare, fill, tail_fill, tail_spare;
    } want[] = {
        {"ais/gpsd/ais-18-27.log", 138, 71, 71, 67, 0, 0, 0, 0, 0},
        {"ais/gpsd/ais-raw-messages.log", 98, 92, 92, 1, 2, 0, 2, 1, 0},
        {"ais/gpsd/ais-nmea-type6-fid55.log", 999, 866, 814, 33, 79, 8, 2, 11, 0},
        {"ais/gpsd/ais_unpack_sixbit.log", 10, 0, 0, 1, 7, 0, 0, 1, 1},
    };
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
        TU_NEED_SHARED(path, want[i].file);
        struct recode r;
        recode_file(path, &r);
        print_message("%s: %u messages, %u identical, %u/%u NMEA byte for byte\n",
                      want[i].file, r.msgs, r.same, r.nmea_same, r.nmea_tried);
        assert_int_equal(r.msgs, want[i].msgs);
        assert_int_equal(r.same, want[i].same);
        assert_int_equal(r.nmea_tried, want[i].nmea);
        assert_int_equal(r.nmea_same, want[i].nmea);
        assert_int_equal(r.by_why[LENGTH], want[i].len);
        assert_int_equal(r.by_why[TEXT_TAIL], want[i].tail);
        assert_int_equal(r.by_why[SPARE], want[i].spare);
        assert_int_equal(r.by_why[FILL], want[i].fill);
        assert_int_equal(r.by_why[TEXT_TAIL | FILL], want[i].tail_fill);
        assert_int_equal(r.by_why[TEXT_TAIL | SPARE], want[i].tail_spare);
        assert_int_equal(r.msgs, r.same + want[i].len + want[i].tail + want[i].spare +
                         want[i].fill + want[i].tail_fill + want[i].tail_spare);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(round_trip_pos123),
        cmocka_unit_test(round_trip_static5),
        cmocka_unit_test(round_trip_classb),
        cmocka_unit_test(round_trip_static24),
        cmocka_unit_test(layout_and_text),
        cmocka_unit_test(armour),
        cmocka_unit_test(gpsd_sample_recode),
        cmocka_unit_test(gpsd_logs_recode),
        cmocka_unit_test(nmea_real_lines),
        cmocka_unit_test(nmea_options),
        cmocka_unit_test(nmea_cap),
        cmocka_unit_test(stream_decoder),
        cmocka_unit_test(encode_rate),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
