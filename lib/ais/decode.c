/*
 * decode.c - binary AIS payload -> struct ais_msg, for message types 1-27 of
 * ITU-R M.1371-5 (bit offsets in the comments are the spec's tables).
 *
 * Field layouts, length limits and the type 24 A/B merge follow gpsd's
 * driver_ais.c so that `alidade ais decode` prints what gpsdecode prints
 * (verified field for field against gpsd's own expected decodes and against
 * gpsdecode 3.27.5 on every capture in ../shared/data/ais; see docs/ais.md).
 * Types 6 and 8 hand their DAC/FI application data to app.c.
 */
#include <string.h>

#include "ais/bits.h"
#include "ais/internal.h"

#define U(s, l) ((unsigned)ais_ubits(bits, (s), (l)))
#define S(s, l) ((int)ais_sbits(bits, (s), (l)))
#define B(s) (ais_ubits(bits, (s), 1) != 0)

static const char sixchr[65] =
    "@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\\]^_ !\"#$%&'()*+,-./0123456789:;<=>?";

size_t ais_sixbit(const uint8_t *buf, size_t start, size_t count,
                  char *to, size_t to_sz, int trim)
{
    size_t i = 0;
    if (to_sz == 0)
        return 0;
    if (count > to_sz - 1)
        count = to_sz - 1;
    /* a character ending past AIS_MAX_BITS reads as 0, '@', which ends the
     * text: stop before the first such one */
    size_t avail = start < AIS_MAX_BITS ? (AIS_MAX_BITS - start) / 6 : 0;
    size_t lim = count < avail ? count : avail;
    /* eight characters (48 bits) from one 64-bit load: they end at or before
     * AIS_MAX_BITS, so the 8 bytes loaded are inside the AIS_BITS_BUF buffer */
    for (; lim - i >= 8; i += 8) {
        size_t at = start + 6 * i;
        uint64_t w;
        memcpy(&w, buf + (at >> 3), 8);
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
        w = __builtin_bswap64(w);
#endif
        w <<= at & 7;
        unsigned k = 0;
        for (; k < 8; k++, w <<= 6) {
            char c = sixchr[w >> 58];
            if (c == '@')
                break;
            to[i + k] = c;
        }
        if (k < 8) {            /* an '@': the text ends here */
            i += k;
            lim = i;
            break;
        }
    }
    for (; i < lim; i++) {
        char c = sixchr[ais_ubits(buf, start + 6 * i, 6)];
        if (c == '@')
            break;
        to[i] = c;
    }
    to[i] = '\0';
    if (trim)
        while (i > 0 && (to[i - 1] == ' ' || to[i - 1] == '@'))
            to[--i] = '\0';
    return i;
}

/* Text that runs to the end of the message (types 12, 14; DAC 1 FI 29/30). */
void ais_endchars(const uint8_t *buf, size_t bitlen, size_t start,
                  char *to, size_t to_sz)
{
    if (bitlen <= start) {
        to[0] = '\0';
        return;
    }
    ais_sixbit(buf, start, (bitlen - start) / 6, to, to_sz, 1);
}

#define TEXT(s, field) ais_sixbit(bits, (s), sizeof(field) - 1, field, sizeof(field), 1)

static ald_err d_pos123(const uint8_t *bits, size_t bitlen, struct ais_pos123 *t)
{
    if (bitlen < 163 || bitlen > 204)
        return ALD_E_AIS_LENGTH;
    t->status = U(38, 4);
    t->turn = S(42, 8);
    t->speed = U(50, 10);
    t->accuracy = B(60);
    t->lon = S(61, 28);
    t->lat = S(89, 27);
    t->course = U(116, 12);
    t->heading = U(128, 9);
    t->second = U(137, 6);
    t->maneuver = U(143, 2);
    t->raim = B(148);
    t->radio = bitlen >= 168 ? U(149, 19) : U(149, (unsigned)(bitlen - 149));
    return ALD_E_OK;
}

static ald_err d_base4(const uint8_t *bits, size_t bitlen, struct ais_base4 *t)
{
    if (bitlen < 168)
        return ALD_E_AIS_LENGTH;
    t->year = U(38, 14);
    t->month = U(52, 4);
    t->day = U(56, 5);
    t->hour = U(61, 5);
    t->minute = U(66, 6);
    t->second = U(72, 6);
    t->accuracy = B(78);
    t->lon = S(79, 28);
    t->lat = S(107, 27);
    t->epfd = U(134, 4);
    t->raim = B(148);
    t->radio = U(149, 19);
    return ALD_E_OK;
}

static ald_err d_static5(const uint8_t *bits, size_t bitlen, struct ais_static5 *t)
{
    /* 424 bits by the spec; many transmitters send 420 or 422 */
    if (bitlen < 420)
        return ALD_E_AIS_LENGTH;
    t->ais_version = U(38, 2);
    t->imo = U(40, 30);
    TEXT(70, t->callsign);
    TEXT(112, t->shipname);
    t->shiptype = U(232, 8);
    t->to_bow = U(240, 9);
    t->to_stern = U(249, 9);
    t->to_port = U(258, 6);
    t->to_starboard = U(264, 6);
    t->epfd = U(270, 4);
    t->month = U(274, 4);
    t->day = U(278, 5);
    t->hour = U(283, 5);
    t->minute = U(288, 6);
    t->draught = U(294, 8);
    TEXT(302, t->destination);
    t->dte = bitlen >= 423 ? U(422, 1) : 0;
    return ALD_E_OK;
}

static ald_err d_binmsg6(const uint8_t *bits, size_t bitlen, struct ais_binmsg6 *t)
{
    if (bitlen < 88 || bitlen > 1008)
        return ALD_E_AIS_LENGTH;
    t->seqno = U(38, 2);
    t->dest_mmsi = U(40, 30);
    t->retransmit = B(70);
    t->dac = U(72, 10);
    t->fid = U(82, 6);
    t->bitcount = bitlen - 88;
    memset(t->bitdata, 0, sizeof t->bitdata);
    t->structured = ais_app6_decode(t, bits, bitlen);
    if (!t->structured)
        memcpy(t->bitdata, bits + 11, (t->bitcount + 7) / 8);
    return ALD_E_OK;
}

static ald_err d_ack7(const uint8_t *bits, size_t bitlen, struct ais_ack7 *t)
{
    unsigned mmsi[4], seq[4];
    if (bitlen < 72 || bitlen > 168)
        return ALD_E_AIS_LENGTH;
    for (unsigned i = 0; i < 4; i++) {
        if (40 + 32 * i < bitlen) {
            mmsi[i] = U(40 + 32 * i, 30);
            seq[i] = U(72 + 32 * i, 2);
        } else {
            mmsi[i] = seq[i] = 0;
        }
    }
    t->mmsi1 = mmsi[0]; t->seqno1 = seq[0];
    t->mmsi2 = mmsi[1]; t->seqno2 = seq[1];
    t->mmsi3 = mmsi[2]; t->seqno3 = seq[2];
    t->mmsi4 = mmsi[3]; t->seqno4 = seq[3];
    return ALD_E_OK;
}

static ald_err d_binmsg8(const uint8_t *bits, size_t bitlen, struct ais_binmsg8 *t)
{
    if (bitlen < 56 || bitlen > 1008)
        return ALD_E_AIS_LENGTH;
    t->dac = U(40, 10);
    t->fid = U(50, 6);
    t->bitcount = bitlen - 56;
    memset(t->bitdata, 0, sizeof t->bitdata);
    t->structured = ais_app8_decode(t, bits, bitlen);
    if (!t->structured) {
        size_t nbytes = (t->bitcount + 7) / 8;
        memcpy(t->bitdata, bits + 7, nbytes);
        if (t->bitcount % 8)
            t->bitdata[nbytes - 1] &= (uint8_t)(0xFF << (8 - t->bitcount % 8));
    }
    return ALD_E_OK;
}

static ald_err d_sar9(const uint8_t *bits, size_t bitlen, struct ais_sar9 *t)
{
    if (bitlen < 168)
        return ALD_E_AIS_LENGTH;
    t->alt = U(38, 12);
    t->speed = U(50, 10);
    t->accuracy = B(60);
    t->lon = S(61, 28);
    t->lat = S(89, 27);
    t->course = U(116, 12);
    t->second = U(128, 6);
    t->regional = U(134, 8);
    t->dte = U(142, 1);
    t->assigned = B(146);
    t->raim = B(147);
    t->radio = U(148, 20);
    return ALD_E_OK;
}

static ald_err d_safety12(const uint8_t *bits, size_t bitlen, struct ais_safety12 *t)
{
    if (bitlen < 72 || bitlen > 1008)
        return ALD_E_AIS_LENGTH;
    t->seqno = U(38, 2);
    t->dest_mmsi = U(40, 30);
    t->retransmit = B(70);
    ais_endchars(bits, bitlen, 72, t->text, 157);
    return ALD_E_OK;
}

static ald_err d_safety14(const uint8_t *bits, size_t bitlen, struct ais_safety12 *t)
{
    if (bitlen < 40 || bitlen > 960)
        return ALD_E_AIS_LENGTH;
    t->seqno = 0;
    t->dest_mmsi = 0;
    t->retransmit = false;
    ais_endchars(bits, bitlen, 40, t->text, sizeof t->text);
    return ALD_E_OK;
}

static ald_err d_interr15(const uint8_t *bits, size_t bitlen, struct ais_interr15 *t)
{
    if (bitlen < 88 || bitlen > 168)
        return ALD_E_AIS_LENGTH;
    memset(t, 0, sizeof *t);
    t->mmsi1 = U(40, 30);
    t->type1_1 = U(70, 6);
    t->offset1_1 = U(76, 12);
    if (bitlen > 90) {
        t->type1_2 = U(90, 6);
        t->offset1_2 = U(96, 12);
        if (bitlen > 110) {
            t->mmsi2 = U(110, 30);
            t->type2_1 = U(140, 6);
            t->offset2_1 = U(146, 12);
        }
    }
    return ALD_E_OK;
}

static ald_err d_assign16(const uint8_t *bits, size_t bitlen, struct ais_assign16 *t)
{
    if (bitlen < 96 || bitlen > 168)
        return ALD_E_AIS_LENGTH;
    t->mmsi1 = U(40, 30);
    t->offset1 = U(70, 12);
    t->increment1 = U(82, 10);
    if (bitlen < 144) {
        t->mmsi2 = t->offset2 = t->increment2 = 0;
    } else {
        t->mmsi2 = U(92, 30);
        t->offset2 = U(122, 12);
        t->increment2 = U(134, 10);
    }
    return ALD_E_OK;
}

static ald_err d_gnss17(const uint8_t *bits, size_t bitlen, struct ais_gnss17 *t)
{
    if (bitlen < 80 || bitlen > 816)
        return ALD_E_AIS_LENGTH;
    t->lon = S(40, 18);
    t->lat = S(58, 17);
    t->bitcount = bitlen - 80;
    memset(t->bitdata, 0, sizeof t->bitdata);
    memcpy(t->bitdata, bits + 10, (t->bitcount + 7) / 8);
    return ALD_E_OK;
}

static ald_err d_classb18(const uint8_t *bits, size_t bitlen, struct ais_classb18 *t)
{
    if (bitlen < 168)
        return ALD_E_AIS_LENGTH;
    t->reserved = U(38, 8);
    t->speed = U(46, 10);
    t->accuracy = B(56);
    t->lon = S(57, 28);
    t->lat = S(85, 27);
    t->course = U(112, 12);
    t->heading = U(124, 9);
    t->second = U(133, 6);
    t->regional = U(139, 2);
    t->cs = B(141);
    t->display = B(142);
    t->dsc = B(143);
    t->band = B(144);
    t->msg22 = B(145);
    t->assigned = B(146);
    t->raim = B(147);
    t->radio = U(148, 20);
    return ALD_E_OK;
}

static ald_err d_classb19(const uint8_t *bits, size_t bitlen, struct ais_classb19 *t)
{
    if (bitlen < 312)
        return ALD_E_AIS_LENGTH;
    t->reserved = U(38, 8);
    t->speed = U(46, 10);
    t->accuracy = B(56);
    t->lon = S(57, 28);
    t->lat = S(85, 27);
    t->course = U(112, 12);
    t->heading = U(124, 9);
    t->second = U(133, 6);
    t->regional = U(139, 4);
    TEXT(143, t->shipname);
    t->shiptype = U(263, 8);
    t->to_bow = U(271, 9);
    t->to_stern = U(280, 9);
    t->to_port = U(289, 6);
    t->to_starboard = U(295, 6);
    t->epfd = U(301, 4);
    t->raim = B(305);
    t->dte = U(306, 1);
    t->assigned = B(307);
    return ALD_E_OK;
}

static ald_err d_dlm20(const uint8_t *bits, size_t bitlen, struct ais_dlm20 *t)
{
    if (bitlen < 72 || bitlen > 186)
        return ALD_E_AIS_LENGTH;
    for (unsigned i = 0; i < 4; i++) {
        size_t b = 40 + 30 * i;
        t->offset[i] = U(b, 12);
        t->number[i] = U(b + 12, 4);
        t->timeout[i] = U(b + 16, 3);
        t->increment[i] = U(b + 19, 11);
    }
    return ALD_E_OK;
}

static ald_err d_aton21(const uint8_t *bits, size_t bitlen, struct ais_aton21 *t)
{
    if (bitlen < 272 || bitlen > 368)
        return ALD_E_AIS_LENGTH;
    t->aid_type = U(38, 5);
    size_t n = ais_sixbit(bits, 43, 20, t->name, sizeof t->name, 0);
    t->accuracy = B(163);
    t->lon = S(164, 28);
    t->lat = S(192, 27);
    t->to_bow = U(219, 9);
    t->to_stern = U(228, 9);
    t->to_port = U(237, 6);
    t->to_starboard = U(243, 6);
    t->epfd = U(249, 4);
    t->second = U(253, 6);
    t->off_position = B(259);
    t->regional = U(260, 8);
    t->raim = B(268);
    t->virtual_aid = B(269);
    t->assigned = B(270);
    /* name extension (bits 272+) only when the 20-character name is full */
    if (n == 20 && bitlen > 272)
        ais_endchars(bits, bitlen, 272, t->name + 20, sizeof t->name - 20);
    n = strlen(t->name);
    while (n > 0 && (t->name[n - 1] == ' ' || t->name[n - 1] == '@'))
        t->name[--n] = '\0';
    return ALD_E_OK;
}

static ald_err d_chan22(const uint8_t *bits, size_t bitlen, struct ais_chan22 *t)
{
    if (bitlen < 168)
        return ALD_E_AIS_LENGTH;
    memset(t, 0, sizeof *t);
    t->channel_a = U(40, 12);
    t->channel_b = U(52, 12);
    t->txrx = U(64, 4);
    t->power = B(68);
    t->addressed = B(139);
    if (!t->addressed) {
        t->ne_lon = S(69, 18);
        t->ne_lat = S(87, 17);
        t->sw_lon = S(104, 18);
        t->sw_lat = S(122, 17);
    } else {
        t->dest1 = U(69, 30);
        t->dest2 = U(104, 30);
    }
    t->band_a = B(140);
    t->band_b = B(141);
    t->zonesize = U(142, 3);
    return ALD_E_OK;
}

static ald_err d_group23(const uint8_t *bits, size_t bitlen, struct ais_group23 *t)
{
    if (bitlen < 160)
        return ALD_E_AIS_LENGTH;
    t->ne_lon = S(40, 18);
    t->ne_lat = S(58, 17);
    t->sw_lon = S(75, 18);
    t->sw_lat = S(93, 17);
    t->stationtype = U(110, 4);
    t->shiptype = U(114, 8);
    t->txrx = U(144, 2);            /* 2 bits; 146-149 are the interval */
    t->interval = U(146, 4);
    t->quiet = U(150, 4);
    return ALD_E_OK;
}

/* Auxiliary craft of a mother ship carry MMSI 98MIDxxxx (M.585 annex 2). */
static int is_auxiliary(unsigned mmsi)
{
    return mmsi / 10000000 == 98;
}

static ald_err d_static24(const uint8_t *bits, size_t bitlen, unsigned mmsi,
                          struct ais_static24 *t, struct ais_t24_cache *c, int chan)
{
    chan = chan ? 1 : 0;
    memset(t, 0, sizeof *t);
    switch (U(38, 2)) {
    case 0:
        if (bitlen < 160 || bitlen > 168)
            return ALD_E_AIS_LENGTH;
        TEXT(40, t->shipname);
        t->part = AIS_PART_A;
        if (c) {
            unsigned i = c->next[chan];
            c->ship[chan][i].mmsi = mmsi;
            memcpy(c->ship[chan][i].shipname, t->shipname, sizeof t->shipname);
            c->next[chan] = (i + 1) % AIS_T24_SLOTS;
        }
        return ALD_E_OK;
    case 1:
        if (bitlen < 168)
            return ALD_E_AIS_LENGTH;
        t->shiptype = U(40, 8);
        TEXT(48, t->vendorid);
        t->model = U(66, 4);
        t->serial = U(70, 20);
        TEXT(90, t->callsign);
        if (is_auxiliary(mmsi)) {
            t->mothership_mmsi = U(132, 30);
        } else {
            t->to_bow = U(132, 9);
            t->to_stern = U(141, 9);
            t->to_port = U(150, 6);
            t->to_starboard = U(156, 6);
        }
        t->part = AIS_PART_B;
        for (unsigned i = 0; c && i < AIS_T24_SLOTS; i++) {
            if (c->ship[chan][i].mmsi == mmsi) {
                memcpy(t->shipname, c->ship[chan][i].shipname, sizeof t->shipname);
                c->ship[chan][i].mmsi = 0;   /* a repeated B must not match */
                t->part = AIS_PART_BOTH;
                break;
            }
        }
        return ALD_E_OK;
    default:
        return ALD_E_AIS_SUBTYPE;
    }
}

/* Copies `nbits` starting at bit `from` to the start of dst (MSB first). */
static void copy_bits(uint8_t *dst, const uint8_t *src, size_t from, size_t nbits)
{
    size_t nbytes = (nbits + 7) / 8;
    for (size_t i = 0; i < nbytes; i++)
        dst[i] = (uint8_t)ais_ubits(src, from + 8 * i, 8);
}

static ald_err d_binslot(const uint8_t *bits, size_t bitlen, unsigned type,
                         struct ais_binslot *t)
{
    memset(t, 0, sizeof *t);
    if (type == 25 ? (bitlen < 40 || bitlen > 168) : (bitlen < 60 || bitlen > 1004))
        return ALD_E_AIS_LENGTH;
    t->addressed = B(38);
    t->structured = B(39);
    size_t hdr = 40 + 16 * (size_t)t->structured + 30 * (size_t)t->addressed;
    if (bitlen < hdr + (type == 26 ? 20 : 0))
        return ALD_E_AIS_LENGTH;
    if (t->addressed)
        t->dest_mmsi = U(40, 30);
    if (t->structured)
        t->app_id = U(40 + (t->addressed ? 30 : 0), 16);
    /* type 26 ends with 20 bits of radio status, not part of the data */
    size_t count = bitlen - (type == 25 ? 40 : 60) - 16 * (size_t)t->structured;
    size_t from = 40 + 16 * (size_t)t->structured;
    if (t->addressed) {
        from += 30;
        count -= 30;
    }
    t->bitcount = count;
    /* data starts right after the address (if any) and the application id;
     * bits past the end of the message are copied as they are (fill bits),
     * as gpsd does */
    copy_bits(t->bitdata, bits, from, count);
    return ALD_E_OK;
}

static ald_err d_longrange27(const uint8_t *bits, size_t bitlen, struct ais_longrange27 *t)
{
    if (bitlen != 96 && bitlen != 168)
        return ALD_E_AIS_LENGTH;
    t->accuracy = B(38);
    t->raim = B(39);
    t->status = U(40, 4);
    t->lon = S(44, 18);
    t->lat = S(62, 17);
    t->speed = U(79, 6);
    t->course = U(85, 9);
    t->gnss = B(94);
    return ALD_E_OK;
}

ald_err ais_decode_bits(const uint8_t *bits, size_t bitlen, struct ais_msg *m,
                        struct ais_t24_cache *cache, int chan)
{
    m->type = U(0, 6);
    m->repeat = U(6, 2);
    m->mmsi = U(8, 30);
    if (bitlen < 38)
        return ALD_E_AIS_LENGTH;
    switch (m->type) {
    case 1: case 2: case 3: return d_pos123(bits, bitlen, &m->u.t1);
    case 4: case 11:        return d_base4(bits, bitlen, &m->u.t4);
    case 5:                 return d_static5(bits, bitlen, &m->u.t5);
    case 6:                 return d_binmsg6(bits, bitlen, &m->u.t6);
    case 7: case 13:        return d_ack7(bits, bitlen, &m->u.t7);
    case 8:                 return d_binmsg8(bits, bitlen, &m->u.t8);
    case 9:                 return d_sar9(bits, bitlen, &m->u.t9);
    case 10:
        if (bitlen < 72)
            return ALD_E_AIS_LENGTH;
        m->u.t10_dest_mmsi = U(40, 30);
        return ALD_E_OK;
    case 12:                return d_safety12(bits, bitlen, &m->u.t12);
    case 14:                return d_safety14(bits, bitlen, &m->u.t12);
    case 15:                return d_interr15(bits, bitlen, &m->u.t15);
    case 16:                return d_assign16(bits, bitlen, &m->u.t16);
    case 17:                return d_gnss17(bits, bitlen, &m->u.t17);
    case 18:                return d_classb18(bits, bitlen, &m->u.t18);
    case 19:                return d_classb19(bits, bitlen, &m->u.t19);
    case 20:                return d_dlm20(bits, bitlen, &m->u.t20);
    case 21:                return d_aton21(bits, bitlen, &m->u.t21);
    case 22:                return d_chan22(bits, bitlen, &m->u.t22);
    case 23:                return d_group23(bits, bitlen, &m->u.t23);
    case 24:                return d_static24(bits, bitlen, m->mmsi, &m->u.t24, cache, chan);
    case 25: case 26:       return d_binslot(bits, bitlen, m->type, &m->u.t25);
    case 27:                return d_longrange27(bits, bitlen, &m->u.t27);
    default:                return ALD_E_AIS_TYPE;
    }
}
