/*
 * test_decode.c - ais_decode_bits() on one real message of every type 1-27,
 * the length limits of each type, six-bit text, and the CSV / time output.
 *
 * The sentences come from gpsd's test/sample.aivdm (../shared/data/ais/gpsd,
 * line numbers given) unless noted. Expected values are the field-by-field
 * decodes written in that file's comments (noaadata, Maritec, Kanaton...) and
 * in gpsd's own expected output sample.aivdm.ju.chk (unscaled JSON); where
 * the two disagree the test says which it follows and why. Positions are
 * raw: 1/10000 minute (600000 per degree), 1/10 minute for types 17, 22, 23,
 * 27 (600 per degree).
 */
#include "testutil.h"

#include <stdio.h>
#include <string.h>

#include "alidade/ais.h"
#include "ais/bits.h"

/* ---- helpers ---- */

static uint8_t BITS[AIS_BITS_BUF];
static struct ais_msg M;

/* De-armours `payload` into BITS (zeroed first), independently of the
 * library: '0'-'W' -> 0-39, '`'-'w' -> 40-63. Returns the bit length less
 * `fill`. Multipart payloads are passed concatenated. */
static size_t unarmour(const char *payload, unsigned fill)
{
    memset(BITS, 0, sizeof BITS);
    size_t bit = 0;
    for (const char *p = payload; *p; p++) {
        unsigned v = (unsigned)(*p - 48);
        if (v > 40)
            v -= 8;
        assert_true(v < 64);
        for (int i = 5; i >= 0; i--, bit++)
            if ((v >> i) & 1)
                BITS[bit / 8] |= (uint8_t)(0x80u >> (bit % 8));
    }
    assert_true(bit >= fill);
    return bit - fill;
}

static ald_err decode(const char *payload, unsigned fill)
{
    size_t n = unarmour(payload, fill);
    memset(&M, 0xA5, sizeof M);      /* nothing may be left unset */
    return ais_decode_bits(BITS, n, &M, NULL, 0);
}

/* Writes `width` bits of `v` at bit `start` of BITS. */
static void put(size_t start, unsigned width, uint64_t v)
{
    for (unsigned i = 0; i < width; i++) {
        size_t b = start + i;
        uint8_t mask = (uint8_t)(0x80u >> (b % 8));
        if ((v >> (width - 1 - i)) & 1)
            BITS[b / 8] |= mask;
        else
            BITS[b / 8] &= (uint8_t)~mask;
    }
}

/* Writes ASCII text as six-bit characters ('@'-'_' -> 0-31, ' '-'?' -> 32-63). */
static void put_text(size_t start, const char *s)
{
    for (size_t i = 0; s[i]; i++) {
        unsigned c = (unsigned char)s[i];
        put(start + 6 * i, 6, c >= 64 ? c - 64 : c);
    }
}

/* A zeroed message of `type` (MMSI 123456789) in BITS. */
static void blank(unsigned type)
{
    memset(BITS, 0, sizeof BITS);
    put(0, 6, type);
    put(8, 30, 123456789);
}

static ald_err decode_blank(size_t bitlen)
{
    return ais_decode_bits(BITS, bitlen, &M, NULL, 0);
}

static void assert_bytes(const uint8_t *got, const char *hex)
{
    for (size_t i = 0; hex[2 * i]; i++) {
        unsigned v;
        char h[3] = {hex[2 * i], hex[2 * i + 1], 0};
        sscanf(h, "%x", &v);
        assert_int_equal(got[i], v);
    }
}

/* ---- one real message per type ---- */

static void type1_position(void **state)
{
    (void)state;
    /* line 10; comment: lon -123.395383333, lat 48.38163333333, SOG 12.3,
     * COG 224, heading 215, ROT -127, second 33 */
    assert_int_equal(decode("15RTgt0PAso;90TKcjM8h6g208CQ", 0), ALD_E_OK);
    assert_int_equal(M.type, 1);
    assert_int_equal(M.repeat, 0);
    assert_int_equal(M.mmsi, 371798000);
    const struct ais_pos123 *t = &M.u.t1;
    assert_int_equal(t->status, 0);
    assert_int_equal(t->turn, -127);
    assert_int_equal(t->speed, 123);
    assert_true(t->accuracy);
    assert_int_equal(t->lon, -74037230);      /* -123.3953833 * 600000 */
    assert_int_equal(t->lat, 29028980);       /*   48.3816333 * 600000 */
    assert_int_equal(t->course, 2240);
    assert_int_equal(t->heading, 215);
    assert_int_equal(t->second, 33);
    assert_int_equal(t->maneuver, 0);
    assert_false(t->raim);
    assert_int_equal(t->radio, 34017);        /* sync 0, timeout 2, offset 1249 */
}

static void type2_position(void **state)
{
    (void)state;
    /* line 56: ROT 127, SOG 13.9, lon -71.626143, lat 40.392358 */
    assert_int_equal(decode("25Cjtd0Oj;Jp7ilG7=UkKBoB0<06", 0), ALD_E_OK);
    assert_int_equal(M.type, 2);
    assert_int_equal(M.mmsi, 356302000);
    assert_int_equal(M.u.t1.turn, 127);
    assert_int_equal(M.u.t1.speed, 139);
    assert_false(M.u.t1.accuracy);
    assert_int_equal(M.u.t1.lon, -42975686);
    assert_int_equal(M.u.t1.lat, 24235415);
    assert_int_equal(M.u.t1.course, 877);
    assert_int_equal(M.u.t1.heading, 91);
    assert_int_equal(M.u.t1.second, 41);
}

static void type3_position(void **state)
{
    (void)state;
    /* line 78: moored, lon -76.3275333, lat 36.91, COG 252, heading 352 */
    assert_int_equal(decode("38Id705000rRVJhE7cl9n;160000", 0), ALD_E_OK);
    assert_int_equal(M.type, 3);
    assert_int_equal(M.mmsi, 563808000);
    assert_int_equal(M.u.t1.status, 5);
    assert_int_equal(M.u.t1.turn, 0);
    assert_true(M.u.t1.accuracy);
    assert_int_equal(M.u.t1.lon, -45796520);
    assert_int_equal(M.u.t1.lat, 22146000);
    assert_int_equal(M.u.t1.course, 2520);
    assert_int_equal(M.u.t1.heading, 352);
    assert_int_equal(M.u.t1.second, 35);
    assert_int_equal(M.u.t1.radio, 0);
}

static void type4_base_station(void **state)
{
    (void)state;
    /* line 101: 2007-05-14 19:57:39, lon -76.3523617, lat 36.8837667,
     * fixtype 7 (surveyed) */
    assert_int_equal(decode("403OviQuMGCqWrRO9>E6fE700@GO", 0), ALD_E_OK);
    assert_int_equal(M.type, 4);
    assert_int_equal(M.mmsi, 3669702);
    const struct ais_base4 *t = &M.u.t4;
    assert_int_equal(t->year, 2007);
    assert_int_equal(t->month, 5);
    assert_int_equal(t->day, 14);
    assert_int_equal(t->hour, 19);
    assert_int_equal(t->minute, 57);
    assert_int_equal(t->second, 39);
    assert_true(t->accuracy);
    assert_int_equal(t->lon, -45811417);
    assert_int_equal(t->lat, 22130260);
    assert_int_equal(t->epfd, 7);
    assert_false(t->raim);
    assert_int_equal(t->radio, 67039);
}

static void type5_static_and_voyage(void **state)
{
    (void)state;
    /* lines 124-125 (two parts, fill 2 on the last): 424 bits. The comment
     * gives ETA hour 16; bits 283-287 hold 14 (01110), which gpsd's .chk
     * ("eta":"05-15T14:00Z") agrees with, so 14 it is. */
    assert_int_equal(decode("55?MbV02;H;s<HtKR20EHE:0@T4@Dn2222222216L961O5Gf0NSQEp6ClRp8"
                            "88888888880", 2),
                     ALD_E_OK);
    assert_int_equal(M.type, 5);
    assert_int_equal(M.mmsi, 351759000);
    const struct ais_static5 *t = &M.u.t5;
    assert_int_equal(t->ais_version, 0);
    assert_int_equal(t->imo, 9134270);
    assert_string_equal(t->callsign, "3FOF8");
    assert_string_equal(t->shipname, "EVER DIADEM");
    assert_int_equal(t->shiptype, 70);
    assert_int_equal(t->to_bow, 225);
    assert_int_equal(t->to_stern, 70);
    assert_int_equal(t->to_port, 1);
    assert_int_equal(t->to_starboard, 31);
    assert_int_equal(t->epfd, 1);
    assert_int_equal(t->month, 5);
    assert_int_equal(t->day, 15);
    assert_int_equal(t->hour, 14);
    assert_int_equal(t->minute, 0);
    assert_int_equal(t->draught, 122);
    assert_string_equal(t->destination, "NEW YORK");
    assert_int_equal(t->dte, 0);
}

static void type6_addressed_binary(void **state)
{
    (void)state;
    /* line 154: DAC 669 FID 11, data 48:eb2f118f7ff1 */
    assert_int_equal(decode("6B?n;be:cbapalgc;i6?Ow4", 2), ALD_E_OK);
    assert_int_equal(M.type, 6);
    assert_int_equal(M.repeat, 1);
    assert_int_equal(M.mmsi, 150834090);
    const struct ais_binmsg6 *t = &M.u.t6;
    assert_int_equal(t->seqno, 3);
    assert_int_equal(t->dest_mmsi, 313240222);
    assert_false(t->retransmit);
    assert_int_equal(t->dac, 669);
    assert_int_equal(t->fid, 11);
    assert_false(t->structured);
    assert_int_equal(t->bitcount, 48);
    assert_bytes(t->bitdata, "eb2f118f7ff1");
}

static void type7_binary_ack(void **state)
{
    (void)state;
    /* line 230 (fill 4): three destinations */
    assert_int_equal(decode("7IiQ4T`UjA9lC;b:M<MWE@", 4), ALD_E_OK);
    assert_int_equal(M.type, 7);
    assert_int_equal(M.repeat, 1);
    assert_int_equal(M.mmsi, 655901842);
    assert_int_equal(M.u.t7.mmsi1, 158483613);
    assert_int_equal(M.u.t7.mmsi2, 321823389);
    assert_int_equal(M.u.t7.mmsi3, 836359488);
    assert_int_equal(M.u.t7.mmsi4, 0);
    /* line 221: the 72-bit form, one destination (acknowledges line 196) */
    assert_int_equal(decode("702R5`hwCjq8", 0), ALD_E_OK);
    assert_int_equal(M.mmsi, 2655651);
    assert_int_equal(M.u.t7.mmsi1, 265538450);
    assert_int_equal(M.u.t7.mmsi2, 0);
    assert_int_equal(M.u.t7.mmsi3, 0);
}

static void type8_broadcast_binary(void **state)
{
    (void)state;
    /* line 252: application id 23480 = DAC 366 << 6 | FID 56 (the comment's
     * "FID 22" does not match its own application id; gpsd says 56) */
    assert_int_equal(decode("85Mwp`1Kf3aCnsNvBWLi=wQuNhA5t43N`5nCuI=p<IBfVqnMgPGs", 0), ALD_E_OK);
    assert_int_equal(M.type, 8);
    assert_int_equal(M.mmsi, 366999712);
    assert_int_equal(M.u.t8.dac, 366);
    assert_int_equal(M.u.t8.fid, 56);
    assert_false(M.u.t8.structured);
    assert_int_equal(M.u.t8.bitcount, 256);
    assert_bytes(M.u.t8.bitdata,
                 "3a53dbb7be4a773137f87d7b0445f040dea05d93f593783194ae9b9d9dbe05fb");
}

static void type9_sar_aircraft(void **state)
{
    (void)state;
    /* line 469. Radio: the comment's 24597 is bits 148-166; the field is
     * bits 148-167 (selector + 19-bit state) = 49194, as gpsd prints. */
    assert_int_equal(decode("91b77=h3h00nHt0Q3r@@07000<0b", 0), ALD_E_OK);
    assert_int_equal(M.type, 9);
    assert_int_equal(M.mmsi, 111265591);
    const struct ais_sar9 *t = &M.u.t9;
    assert_int_equal(t->alt, 15);
    assert_int_equal(t->speed, 0);
    assert_false(t->accuracy);
    assert_int_equal(t->lon, 7128960);
    assert_int_equal(t->lat, 34667073);
    assert_int_equal(t->course, 0);
    assert_int_equal(t->second, 28);
    assert_int_equal(t->regional, 0);
    assert_int_equal(t->dte, 0);
    assert_false(t->assigned);
    assert_false(t->raim);
    assert_int_equal(t->radio, 49194);
}

static void type10_utc_inquiry(void **state)
{
    (void)state;
    /* line 507 */
    assert_int_equal(decode(":5MlU41GMK6@", 0), ALD_E_OK);
    assert_int_equal(M.type, 10);
    assert_int_equal(M.mmsi, 366814480);
    assert_int_equal(M.u.t10_dest_mmsi, 366832740);
}

static void type11_utc_response(void **state)
{
    (void)state;
    /* line 526: 2009-05-22 02:22:40, lon -94.4076833, lat 28.4091167 */
    assert_int_equal(decode(";4R33:1uUK2F`q?mOt@@GoQ00000", 0), ALD_E_OK);
    assert_int_equal(M.type, 11);
    assert_int_equal(M.mmsi, 304137000);
    assert_int_equal(M.u.t4.year, 2009);
    assert_int_equal(M.u.t4.month, 5);
    assert_int_equal(M.u.t4.day, 22);
    assert_int_equal(M.u.t4.hour, 2);
    assert_int_equal(M.u.t4.minute, 22);
    assert_int_equal(M.u.t4.second, 40);
    assert_true(M.u.t4.accuracy);
    assert_int_equal(M.u.t4.lon, -56644610);
    assert_int_equal(M.u.t4.lat, 17045470);
    assert_int_equal(M.u.t4.epfd, 1);
}

static void type12_addressed_safety(void **state)
{
    (void)state;
    /* line 549 */
    assert_int_equal(decode("<02:oP0kKcv0@<51C5PB5@?BDPD?P:?2?EB7PDB16693P381>>5<PikP", 0), ALD_E_OK);
    assert_int_equal(M.type, 12);
    assert_int_equal(M.mmsi, 2275200);
    assert_int_equal(M.u.t12.seqno, 0);
    assert_int_equal(M.u.t12.dest_mmsi, 215724000);
    assert_false(M.u.t12.retransmit);
    assert_string_equal(M.u.t12.text, "PLEASE REPORT TO JOBOURG TRAFFIC CHANNEL 13");
    /* lines 598-599: two parts, retransmit flag clear, seqno 2 */
    assert_int_equal(decode("<39KdV8jIGtP7E4P@=PjEP>P81@9P>5GPI9BP?<P4P25CP6B=P1<P6E:19B1"
                            "80", 4),
                     ALD_E_OK);
    assert_int_equal(M.mmsi, 211217560);
    assert_int_equal(M.u.t12.seqno, 2);
    assert_int_equal(M.u.t12.dest_mmsi, 211378120);
    assert_string_equal(M.u.t12.text, "GUD PM 2U N HAPI NEW YIR OL D BES FRM AL FUJAIRAH");
}

static void type13_safety_ack(void **state)
{
    (void)state;
    /* line 610: acknowledges the type 12 of lines 598-599 */
    assert_int_equal(decode("=39UOj0jFs9R", 0), ALD_E_OK);
    assert_int_equal(M.type, 13);
    assert_int_equal(M.mmsi, 211378120);
    assert_int_equal(M.u.t7.mmsi1, 211217560);
    assert_int_equal(M.u.t7.mmsi2, 0);
}

static void type14_broadcast_safety(void **state)
{
    (void)state;
    /* line 619 */
    assert_int_equal(decode(">5?Per18=HB1U:1@E=B0m<L", 2), ALD_E_OK);
    assert_int_equal(M.type, 14);
    assert_int_equal(M.mmsi, 351809000);
    assert_string_equal(M.u.t12.text, "RCVD YR TEST MSG");
    /* line 629 */
    assert_int_equal(decode(">4aDT81@E=@", 2), ALD_E_OK);
    assert_int_equal(M.mmsi, 311764000);
    assert_string_equal(M.u.t12.text, "TEST");
}

static void type15_interrogation(void **state)
{
    (void)state;
    /* line 638: the 88-bit form */
    assert_int_equal(decode("?5OP=l00052HD00", 2), ALD_E_OK);
    assert_int_equal(M.type, 15);
    assert_int_equal(M.mmsi, 368578000);
    assert_int_equal(M.u.t15.mmsi1, 5158);
    assert_int_equal(M.u.t15.type1_1, 5);
    assert_int_equal(M.u.t15.offset1_1, 0);
    assert_int_equal(M.u.t15.type1_2, 0);
    assert_int_equal(M.u.t15.mmsi2, 0);
    /* line 649: two message types for one station */
    assert_int_equal(decode("?h3Ovn1GP<K0<P@59a0", 2), ALD_E_OK);
    assert_int_equal(M.repeat, 3);
    assert_int_equal(M.mmsi, 3669720);
    assert_int_equal(M.u.t15.mmsi1, 367014320);
    assert_int_equal(M.u.t15.type1_1, 3);
    assert_int_equal(M.u.t15.offset1_1, 516);
    assert_int_equal(M.u.t15.type1_2, 5);
    assert_int_equal(M.u.t15.offset1_2, 617);
    assert_int_equal(M.u.t15.mmsi2, 0);
}

static void type16_assignment(void **state)
{
    (void)state;
    /* line 673: the 96-bit form, one station */
    assert_int_equal(decode("@01uEO@mMk7P<P00", 0), ALD_E_OK);
    assert_int_equal(M.type, 16);
    assert_int_equal(M.mmsi, 2053501);
    assert_int_equal(M.u.t16.mmsi1, 224251000);
    assert_int_equal(M.u.t16.offset1, 200);
    assert_int_equal(M.u.t16.increment1, 0);
    assert_int_equal(M.u.t16.mmsi2, 0);
    assert_int_equal(M.u.t16.offset2, 0);
}

static void type17_dgnss(void **state)
{
    (void)state;
    /* lines 687-688: lon 17478, lat 35992 (1/10 min), 376 bits of data */
    assert_int_equal(decode("A02VqLPA4I6C07h5Ed1h<OrsuBTTwS?r:C?w`?la<gno1RTRwSP9:BcurA8a"
                            ":Oko02TSwu8<:Jbb", 0),
                     ALD_E_OK);
    assert_int_equal(M.type, 17);
    assert_int_equal(M.mmsi, 2734450);
    assert_int_equal(M.u.t17.lon, 17478);
    assert_int_equal(M.u.t17.lat, 35992);
    assert_int_equal(M.u.t17.bitcount, 376);
    assert_bytes(M.u.t17.bitdata, "7c0556c07031febbf529");
}

static void type18_class_b_position(void **state)
{
    (void)state;
    /* line 709: SOG 0.1, lon -74.0721317, lat 40.68454, COG 79.6, no heading */
    assert_int_equal(decode("B52K>;h00Fc>jpUlNV@ikwpUoP06", 0), ALD_E_OK);
    assert_int_equal(M.type, 18);
    assert_int_equal(M.mmsi, 338087471);
    const struct ais_classb18 *t = &M.u.t18;
    assert_int_equal(t->reserved, 0);
    assert_int_equal(t->speed, 1);
    assert_false(t->accuracy);
    assert_int_equal(t->lon, -44443279);
    assert_int_equal(t->lat, 24410724);
    assert_int_equal(t->course, 796);
    assert_int_equal(t->heading, 511);
    assert_int_equal(t->second, 49);
    assert_int_equal(t->regional, 0);
    assert_true(t->cs);
    assert_false(t->display);
    assert_true(t->dsc);
    assert_true(t->band);
    assert_true(t->msg22);
    assert_false(t->assigned);
    assert_true(t->raim);
    assert_int_equal(t->radio, 917510);      /* selector 1, state 393222 */
}

static void type19_class_b_extended(void **state)
{
    (void)state;
    /* line 772: SOG 8.7, lon -88.8103917, lat 29.543695, COG 335.9 */
    assert_int_equal(decode("C5N3SRgPEnJGEBT>NhWAwwo862PaLELTBJ:V00000000S0D:R220", 0), ALD_E_OK);
    assert_int_equal(M.type, 19);
    assert_int_equal(M.mmsi, 367059850);
    const struct ais_classb19 *t = &M.u.t19;
    assert_int_equal(t->reserved, 248);      /* the comment's "Spare"; gpsd: 248 */
    assert_int_equal(t->speed, 87);
    assert_int_equal(t->lon, -53286235);
    assert_int_equal(t->lat, 17726217);
    assert_int_equal(t->course, 3359);
    assert_int_equal(t->heading, 511);
    assert_int_equal(t->second, 46);
    assert_int_equal(t->regional, 4);
    assert_string_equal(t->shipname, "CAPT.J.RIMES");
    assert_int_equal(t->shiptype, 70);
    assert_int_equal(t->to_bow, 5);
    assert_int_equal(t->to_stern, 21);
    assert_int_equal(t->to_port, 4);
    assert_int_equal(t->to_starboard, 4);
    assert_int_equal(t->epfd, 1);
    assert_false(t->raim);
    assert_int_equal(t->dte, 0);
    assert_false(t->assigned);
}

static void type20_data_link_management(void **state)
{
    (void)state;
    /* line 809 (fill 2): three reservations */
    assert_int_equal(decode("D030p8@2tN?b<`O6DmQO6D0", 2), ALD_E_OK);
    assert_int_equal(M.type, 20);
    assert_int_equal(M.mmsi, 3160097);
    const struct ais_dlm20 *t = &M.u.t20;
    assert_int_equal(t->offset[0], 47);
    assert_int_equal(t->number[0], 1);
    assert_int_equal(t->timeout[0], 7);
    assert_int_equal(t->increment[0], 250);
    assert_int_equal(t->offset[1], 2250);
    assert_int_equal(t->number[1], 1);
    assert_int_equal(t->timeout[1], 7);
    assert_int_equal(t->increment[1], 1125);
    assert_int_equal(t->offset[2], 856);
    assert_int_equal(t->number[2], 5);
    assert_int_equal(t->timeout[2], 7);
    assert_int_equal(t->increment[2], 1125);
    assert_int_equal(t->offset[3], 0);
    /* line 798: one reservation, 72 bits */
    assert_int_equal(decode("Dh3OvjB8IN>4", 0), ALD_E_OK);
    assert_int_equal(M.repeat, 3);
    assert_int_equal(M.mmsi, 3669705);
    assert_int_equal(M.u.t20.offset[0], 2182);
    assert_int_equal(M.u.t20.number[0], 5);
    assert_int_equal(M.u.t20.timeout[0], 7);
    assert_int_equal(M.u.t20.increment[0], 225);
    assert_int_equal(M.u.t20.offset[1], 0);
}

static void type21_aid_to_navigation_with_name_extension(void **state)
{
    (void)state;
    /* lines 831-832: 20-character name + extension "PRESS ALERT" */
    assert_int_equal(decode("E1mg=5J1T4W0h97aRh6ba84<h2d;W:Te=eLvH50```q"
                            ":D44QDlp0C1DU00", 2),
                     ALD_E_OK);
    assert_int_equal(M.type, 21);
    assert_int_equal(M.mmsi, 123456789);
    const struct ais_aton21 *t = &M.u.t21;
    assert_int_equal(t->aid_type, 20);
    assert_string_equal(t->name, "CHINA ROSE MURPHY EXPRESS ALERT");
    assert_false(t->accuracy);
    assert_int_equal(t->lon, -73619155);      /* -122.6985917 */
    assert_int_equal(t->lat, 28752371);       /*   47.9206183 */
    assert_int_equal(t->to_bow, 5);
    assert_int_equal(t->to_stern, 5);
    assert_int_equal(t->to_port, 5);
    assert_int_equal(t->to_starboard, 5);
    assert_int_equal(t->epfd, 1);
    assert_int_equal(t->second, 50);
    assert_false(t->off_position);
    assert_int_equal(t->regional, 165);
    assert_false(t->raim);
    assert_false(t->virtual_aid);
    assert_false(t->assigned);
}

static void type22_channel_management(void **state)
{
    (void)state;
    /* line 861: broadcast, with an area */
    assert_int_equal(decode("F030ot22N2P6aoQbhe4736L20000", 0), ALD_E_OK);
    assert_int_equal(M.type, 22);
    assert_int_equal(M.mmsi, 3160048);
    const struct ais_chan22 *t = &M.u.t22;
    assert_int_equal(t->channel_a, 2087);
    assert_int_equal(t->channel_b, 2088);
    assert_int_equal(t->txrx, 0);
    assert_false(t->power);
    assert_false(t->addressed);
    assert_int_equal(t->ne_lon, -44100);
    assert_int_equal(t->ne_lat, 27330);
    assert_int_equal(t->sw_lon, -48100);
    assert_int_equal(t->sw_lat, 25400);
    assert_false(t->band_a);
    assert_false(t->band_b);
    assert_int_equal(t->zonesize, 4);
    /* line 881: addressed, with two stations instead */
    assert_int_equal(decode("F@@W>gOP00PH=JrN9l000?wB2HH;", 0), ALD_E_OK);
    assert_int_equal(M.repeat, 1);
    assert_int_equal(M.mmsi, 17419965);
    assert_true(M.u.t22.addressed);
    assert_int_equal(M.u.t22.channel_a, 3584);
    assert_int_equal(M.u.t22.channel_b, 8);
    assert_int_equal(M.u.t22.txrx, 1);
    assert_true(M.u.t22.power);
    assert_int_equal(M.u.t22.dest1, 28144881);
    assert_int_equal(M.u.t22.dest2, 268435519);
    assert_int_equal(M.u.t22.ne_lon, 0);
}

static void type23_group_assignment(void **state)
{
    (void)state;
    /* line 886 */
    assert_int_equal(decode("G02:Kn01R`sn@291nj600000900", 2), ALD_E_OK);
    assert_int_equal(M.type, 23);
    assert_int_equal(M.mmsi, 2268120);
    const struct ais_group23 *t = &M.u.t23;
    assert_int_equal(t->ne_lon, 1578);
    assert_int_equal(t->ne_lat, 30642);
    assert_int_equal(t->sw_lon, 1096);
    assert_int_equal(t->sw_lat, 30408);
    assert_int_equal(t->stationtype, 6);
    assert_int_equal(t->shiptype, 0);
    assert_int_equal(t->txrx, 0);      /* 2 bits at 144, not 4 */
    assert_int_equal(t->interval, 9);
    assert_int_equal(t->quiet, 0);
}

static void type24_parts_a_and_b(void **state)
{
    (void)state;
    /* lines 904 (part A) and 910 (part B) of MMSI 271041815 */
    struct ais_t24_cache cache;
    memset(&cache, 0, sizeof cache);
    size_t n = unarmour("H42O55i18tMET00000000000000", 2);
    assert_int_equal(n, 160);
    assert_int_equal(ais_decode_bits(BITS, n, &M, &cache, 0), ALD_E_OK);
    assert_int_equal(M.type, 24);
    assert_int_equal(M.mmsi, 271041815);
    assert_int_equal(M.u.t24.part, AIS_PART_A);
    assert_string_equal(M.u.t24.shipname, "PROGUY");

    n = unarmour("H42O55lti4hhhilD3nink000?050", 0);
    assert_int_equal(ais_decode_bits(BITS, n, &M, &cache, 0), ALD_E_OK);
    const struct ais_static24 *t = &M.u.t24;
    assert_int_equal(t->part, AIS_PART_BOTH);
    assert_string_equal(t->shipname, "PROGUY");
    assert_int_equal(t->shiptype, 60);
    assert_string_equal(t->vendorid, "1D00014");
    assert_int_equal(t->model, 12);
    assert_int_equal(t->serial, 199796);
    assert_string_equal(t->callsign, "TC6163");
    assert_int_equal(t->to_bow, 0);
    assert_int_equal(t->to_stern, 15);
    assert_int_equal(t->to_port, 0);
    assert_int_equal(t->to_starboard, 5);
    assert_int_equal(t->mothership_mmsi, 0);

    /* without a cache (or on the other channel) part B stands alone */
    assert_int_equal(decode("H42O55lti4hhhilD3nink000?050", 0), ALD_E_OK);
    assert_int_equal(M.u.t24.part, AIS_PART_B);
    assert_string_equal(M.u.t24.shipname, "");
    assert_string_equal(M.u.t24.callsign, "TC6163");
}

static void type24_part_b_of_an_auxiliary_craft_has_a_mother_ship(void **state)
{
    (void)state;
    /* MMSI 98MIDxxxx: bits 132-161 are the mother ship's MMSI, not the
     * dimensions (synthetic: 982309876 -> mother ship 230987000) */
    blank(24);
    put(8, 30, 982309876);
    put(38, 2, 1);
    put(132, 30, 230987000);
    assert_int_equal(decode_blank(168), ALD_E_OK);
    assert_int_equal(M.u.t24.part, AIS_PART_B);
    assert_int_equal(M.u.t24.mothership_mmsi, 230987000);
    assert_int_equal(M.u.t24.to_bow, 0);
    assert_int_equal(M.u.t24.to_starboard, 0);
}

static void type25_single_slot_binary(void **state)
{
    (void)state;
    /* line 931: addressed, not structured */
    assert_int_equal(decode("I6SWo?8P00a3PKpEKEVj0?vNP<65", 0), ALD_E_OK);
    assert_int_equal(M.type, 25);
    assert_int_equal(M.mmsi, 440006460);
    assert_true(M.u.t25.addressed);
    assert_false(M.u.t25.structured);
    assert_int_equal(M.u.t25.dest_mmsi, 134218384);
    assert_int_equal(M.u.t25.app_id, 0);
    assert_int_equal(M.u.t25.bitcount, 98);
    assert_bytes(M.u.t25.bitdata, "e06f855b566c803fe7a0306140");
    /* line 936: broadcast, structured */
    assert_int_equal(decode("I8IRGB40QPPa0:<HP::V=gwv0l48", 0), ALD_E_OK);
    assert_int_equal(M.mmsi, 563648328);
    assert_false(M.u.t25.addressed);
    assert_true(M.u.t25.structured);
    assert_int_equal(M.u.t25.app_id, 134);
    assert_int_equal(M.u.t25.bitcount, 112);
    assert_bytes(M.u.t25.bitdata, "082900a31880a2a636fffe034108");
}

static void type26_multiple_slot_binary(void **state)
{
    (void)state;
    /* line 926 (listed under "Type 25" but 'J' is type 26): addressed and
     * structured; the last 20 bits are radio status, not data */
    assert_int_equal(decode("JB3R0GO7p>vQL8tjw0b5hqpd0706kh9d3lR2vbl0400", 2), ALD_E_OK);
    assert_int_equal(M.type, 26);
    assert_int_equal(M.repeat, 1);
    assert_int_equal(M.mmsi, 137920605);
    assert_true(M.u.t25.addressed);
    assert_true(M.u.t25.structured);
    assert_int_equal(M.u.t25.dest_mmsi, 838351848);
    assert_int_equal(M.u.t25.app_id, 23587);
    assert_int_equal(M.u.t25.bitcount, 150);
    assert_bytes(M.u.t25.bitdata, "ccbf02a170e78b001c01b3c09b03d220beab40");
}

static void type27_long_range(void **state)
{
    (void)state;
    /* line 966: the 96-bit form */
    assert_int_equal(decode("KCQ9r=hrFUnH7P00", 0), ALD_E_OK);
    assert_int_equal(M.type, 27);
    assert_int_equal(M.repeat, 1);
    assert_int_equal(M.mmsi, 236091959);
    const struct ais_longrange27 *t = &M.u.t27;
    assert_int_equal(t->status, 3);
    assert_false(t->accuracy);
    assert_false(t->raim);
    assert_int_equal(t->lon, -92521);
    assert_int_equal(t->lat, 52239);
    assert_int_equal(t->speed, 0);
    assert_int_equal(t->course, 0);
    assert_false(t->gnss);
    /* line 971: the 168-bit form */
    assert_int_equal(decode("KC5E2b@U19PFdLbMuc5=ROv62<7m", 0), ALD_E_OK);
    assert_int_equal(M.mmsi, 206914217);
    assert_int_equal(M.u.t27.status, 2);
    assert_int_equal(M.u.t27.lon, 82214);
    assert_int_equal(M.u.t27.lat, 2904);
    assert_int_equal(M.u.t27.speed, 57);
    assert_int_equal(M.u.t27.course, 167);
}

/* ---- length limits ---- */

struct limit {
    unsigned type, min, max;    /* max 0: up to AIS_MAX_BITS */
};

/* The limits gpsd's driver applies (ITU-R M.1371-5 lengths with gpsd's
 * tolerance for short or padded transmissions). */
static const struct limit limits[] = {
    {1, 163, 204}, {2, 163, 204}, {3, 163, 204}, {4, 168, 0}, {5, 420, 0},
    {6, 88, 1008}, {7, 72, 168}, {8, 56, 1008}, {9, 168, 0}, {10, 72, 0},
    {11, 168, 0}, {12, 72, 1008}, {13, 72, 168}, {14, 40, 960}, {15, 88, 168},
    {16, 96, 168}, {17, 80, 816}, {18, 168, 0}, {19, 312, 0}, {20, 72, 186},
    {21, 272, 368}, {22, 168, 0}, {23, 160, 0}, {25, 40, 168}, {26, 60, 1004},
};

static void length_limits_of_every_type(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof limits / sizeof limits[0]; i++) {
        const struct limit *l = &limits[i];
        unsigned max = l->max ? l->max : AIS_MAX_BITS;
        blank(l->type);
        if (decode_blank(l->min - 1) != ALD_E_AIS_LENGTH ||
            decode_blank(l->min) != ALD_E_OK || decode_blank(max) != ALD_E_OK ||
            (l->max && decode_blank(l->max + 1) != ALD_E_AIS_LENGTH)) {
            print_error("type %u: limits are not [%u, %u]\n", l->type, l->min, max);
            fail();
        }
        assert_int_equal(M.type, l->type);
        assert_int_equal(M.mmsi, 123456789);
    }
}

static void shorter_than_the_common_header(void **state)
{
    (void)state;
    blank(1);
    assert_int_equal(decode_blank(37), ALD_E_AIS_LENGTH);
    assert_int_equal(decode_blank(0), ALD_E_AIS_LENGTH);
    blank(0);
    assert_int_equal(decode_blank(6), ALD_E_AIS_LENGTH);
}

static void type5_accepts_420_to_424_bits(void **state)
{
    (void)state;
    size_t n = unarmour("55?MbV02;H;s<HtKR20EHE:0@T4@Dn2222222216L961O5Gf0NSQEp6ClRp8"
                        "88888888880", 2);
    assert_int_equal(n, 424);
    put(422, 1, 1);                         /* DTE = 1 */
    assert_int_equal(ais_decode_bits(BITS, 424, &M, NULL, 0), ALD_E_OK);
    assert_int_equal(M.u.t5.dte, 1);
    assert_string_equal(M.u.t5.destination, "NEW YORK");
    assert_int_equal(ais_decode_bits(BITS, 422, &M, NULL, 0), ALD_E_OK);
    assert_int_equal(M.u.t5.dte, 0);        /* DTE bit not in a 422-bit message */
    assert_int_equal(ais_decode_bits(BITS, 420, &M, NULL, 0), ALD_E_OK);
    assert_string_equal(M.u.t5.destination, "NEW YORK");
    assert_int_equal(ais_decode_bits(BITS, 419, &M, NULL, 0), ALD_E_AIS_LENGTH);
}

static void type27_is_96_or_168_bits_only(void **state)
{
    (void)state;
    blank(27);
    for (size_t n = 38; n <= 400; n++) {
        ald_err e = decode_blank(n);
        if (n == 96 || n == 168)
            assert_int_equal(e, ALD_E_OK);
        else
            assert_int_equal(e, ALD_E_AIS_LENGTH);
    }
}

static void type24_part_lengths(void **state)
{
    (void)state;
    blank(24);                             /* part A */
    assert_int_equal(decode_blank(159), ALD_E_AIS_LENGTH);
    assert_int_equal(decode_blank(160), ALD_E_OK);
    assert_int_equal(decode_blank(168), ALD_E_OK);
    assert_int_equal(decode_blank(169), ALD_E_AIS_LENGTH);
    put(38, 2, 1);                         /* part B */
    assert_int_equal(decode_blank(167), ALD_E_AIS_LENGTH);
    assert_int_equal(decode_blank(168), ALD_E_OK);
    assert_int_equal(decode_blank(AIS_MAX_BITS), ALD_E_OK);
}

static void binary_slot_messages_need_their_headers(void **state)
{
    (void)state;
    /* addressed + structured: 40 + 30 (destination) + 16 (application id) */
    blank(25);
    put(38, 2, 3);
    assert_int_equal(decode_blank(85), ALD_E_AIS_LENGTH);
    assert_int_equal(decode_blank(86), ALD_E_OK);
    assert_int_equal(M.u.t25.bitcount, 0);
    /* type 26 also ends in 20 bits of radio status */
    blank(26);
    put(38, 2, 3);
    assert_int_equal(decode_blank(105), ALD_E_AIS_LENGTH);
    assert_int_equal(decode_blank(106), ALD_E_OK);
    assert_int_equal(M.u.t25.bitcount, 0);
}

static void unknown_types_are_rejected(void **state)
{
    (void)state;
    for (unsigned type = 0; type < 64; type++) {
        if (type >= 1 && type <= 27)
            continue;
        blank(type);
        assert_int_equal(decode_blank(168), ALD_E_AIS_TYPE);
        assert_int_equal(M.type, type);
        assert_int_equal(M.mmsi, 123456789);
    }
}

static void type24_parts_2_and_3_are_rejected(void **state)
{
    (void)state;
    blank(24);
    put(38, 2, 2);
    assert_int_equal(decode_blank(168), ALD_E_AIS_SUBTYPE);
    put(38, 2, 3);
    assert_int_equal(decode_blank(168), ALD_E_AIS_SUBTYPE);
}

/* ---- six-bit text ---- */

/* A type 5 whose ship name field (20 characters at bit 112) is `name`. */
static const char *t5_name(const char *name)
{
    blank(5);
    put_text(112, "@@@@@@@@@@@@@@@@@@@@");
    put_text(112, name);
    assert_int_equal(decode_blank(424), ALD_E_OK);
    return M.u.t5.shipname;
}

static void sixbit_text_stops_at_the_first_at_sign(void **state)
{
    (void)state;
    assert_string_equal(t5_name("EVER DIADEM"), "EVER DIADEM");
    assert_string_equal(t5_name("AB@CD"), "AB");
    assert_string_equal(t5_name("@ABC"), "");
    assert_string_equal(t5_name(""), "");
}

static void sixbit_text_trims_trailing_spaces_only(void **state)
{
    (void)state;
    assert_string_equal(t5_name("NEW YORK            "), "NEW YORK");
    assert_string_equal(t5_name("  LEADING"), "  LEADING");
    assert_string_equal(t5_name("A  B   @@@"), "A  B");
    assert_string_equal(t5_name("                    "), "");
    /* every printable six-bit character but '@' survives */
    assert_string_equal(t5_name("!\"#$%&'()*+,-./0123"), "!\"#$%&'()*+,-./0123");
    assert_string_equal(t5_name("[\\]^_:;<=>?ZZZZZZZZZ"), "[\\]^_:;<=>?ZZZZZZZZZ");
}

static void sixbit_text_fills_the_whole_field(void **state)
{
    (void)state;
    assert_string_equal(t5_name("ABCDEFGHIJKLMNOPQRST"), "ABCDEFGHIJKLMNOPQRST");
    /* callsign: 7 characters at bit 70 */
    blank(5);
    put_text(70, "ABCDEFG");
    assert_int_equal(decode_blank(424), ALD_E_OK);
    assert_string_equal(M.u.t5.callsign, "ABCDEFG");
}

static void safety_text_runs_to_the_end_of_the_message(void **state)
{
    (void)state;
    /* type 14: text from bit 40 to the end, whole characters only */
    blank(14);
    put_text(40, "HELLO  ");
    assert_int_equal(decode_blank(40 + 6 * 5), ALD_E_OK);
    assert_string_equal(M.u.t12.text, "HELLO");
    assert_int_equal(decode_blank(40 + 6 * 2 + 5), ALD_E_OK);   /* 2 chars + 5 bits */
    assert_string_equal(M.u.t12.text, "HE");
    assert_int_equal(decode_blank(40), ALD_E_OK);
    assert_string_equal(M.u.t12.text, "");
}

/* A type 21 with a 20-character name field and `ext` from bit 272. */
static const char *t21_name(const char *name, const char *ext, size_t bitlen)
{
    blank(21);
    put_text(43, "@@@@@@@@@@@@@@@@@@@@");
    put_text(43, name);
    put_text(272, ext);
    assert_int_equal(decode_blank(bitlen), ALD_E_OK);
    return M.u.t21.name;
}

static void type21_name_extension(void **state)
{
    (void)state;
    /* a full 20-character name continues in the extension */
    assert_string_equal(t21_name("ABCDEFGHIJKLMNOPQRST", "UVW", 272 + 18), "ABCDEFGHIJKLMNOPQRSTUVW");
    /* no extension bits: the name alone */
    assert_string_equal(t21_name("ABCDEFGHIJKLMNOPQRST", "UVW", 272), "ABCDEFGHIJKLMNOPQRST");
    /* a shorter name ('@'-padded) ignores what follows, like gpsd */
    assert_string_equal(t21_name("BUOY", "XYZ", 272 + 18), "BUOY");
    /* space-padded name, empty extension: trailing spaces go */
    assert_string_equal(t21_name("BUOY                ", "", 272), "BUOY");
    /* space-padded name with an extension keeps the inner spaces */
    assert_string_equal(t21_name("BUOY                ", "X", 272 + 6), "BUOY                X");
    /* the longest extension: 14 characters (88 bits, 368-bit message) */
    assert_string_equal(t21_name("ABCDEFGHIJKLMNOPQRST", "0123456789ABCDEF", 368),
                        "ABCDEFGHIJKLMNOPQRST0123456789ABCD");
}

/* ---- CSV and time ---- */

static const char *csv(const struct ais_msg *m, int64_t time_ms)
{
    static char buf[AIS_LINE_MAX];
    struct ais_meta meta;
    memset(&meta, 0, sizeof meta);
    meta.time_ms = time_ms;
    size_t n = ais_csv(m, &meta, buf, sizeof buf - 1);
    buf[n] = '\0';
    return buf;
}

static void csv_header(void **state)
{
    (void)state;
    assert_string_equal(ais_csv_header(), "mmsi,time,lat,lon,sog,cog,heading,nav_status,type");
}

static void csv_type1(void **state)
{
    (void)state;
    /* sample.aivdm line 10 */
    assert_int_equal(decode("15RTgt0PAso;90TKcjM8h6g208CQ", 0), ALD_E_OK);
    assert_string_equal(csv(&M, 1661782474000LL),
                        "371798000,2022-08-29T14:14:34Z,48.3816333,-123.3953833,12.3,224.0,215,0,1");
    /* sample.aivdm line 32: no heading (511) -> empty cell */
    assert_int_equal(decode("16SteH0P00Jt63hHaa6SagvJ087r", 0), ALD_E_OK);
    assert_string_equal(csv(&M, AIS_TIME_NONE), "440348000,,43.0801500,-70.7582000,0.0,93.4,,0,1");
}

static void csv_type1_unavailable_values_are_empty(void **state)
{
    (void)state;
    struct ais_msg m;
    memset(&m, 0, sizeof m);
    m.type = 1;
    m.mmsi = 244740981;
    m.u.t1.status = 15;
    m.u.t1.lat = 91 * 600000;
    m.u.t1.lon = 181 * 600000;
    m.u.t1.speed = 1023;
    m.u.t1.course = 3600;
    m.u.t1.heading = 511;
    assert_string_equal(csv(&m, AIS_TIME_NONE), "244740981,,,,,,,15,1");
    /* 102.2 knots means "102.2 or more": printed */
    m.u.t1.speed = 1022;
    m.u.t1.lat = -91 * 600000 + 1;
    assert_string_equal(csv(&m, AIS_TIME_NONE), "244740981,,-90.9999983,,102.2,,,15,1");
}

static void csv_type18(void **state)
{
    (void)state;
    /* gpsd/ais-18-27.log line 5 */
    assert_int_equal(decode("B3KLehP0B@LTN6`Vl;rrBE063P06", 0), ALD_E_OK);
    assert_int_equal(M.type, 18);
    assert_string_equal(csv(&M, 1327992119173LL),
                        "230108610,2012-01-31T06:41:59.173Z,60.1637300,24.9647150,7.3,298.0,298,,18");
    /* sample.aivdm line 709: no heading, no navigation status in type 18 */
    assert_int_equal(decode("B52K>;h00Fc>jpUlNV@ikwpUoP06", 0), ALD_E_OK);
    assert_string_equal(csv(&M, AIS_TIME_NONE), "338087471,,40.6845400,-74.0721317,0.1,79.6,,,18");
}

static void csv_type27(void **state)
{
    (void)state;
    /* gpsd/ais-18-27.log line 8: 1/10 minute positions, speed in knots,
     * course in degrees */
    assert_int_equal(decode("K3KLehP0rPTJ10Qr", 0), ALD_E_OK);
    assert_int_equal(M.type, 27);
    assert_string_equal(csv(&M, AIS_TIME_NONE), "230108610,,60.1633,24.9633,1.0,30.0,,0,27");
    /* not available: lat 91, lon 181, speed 63, course 511 */
    struct ais_msg m = M;
    m.u.t27.lat = 91 * 600;
    m.u.t27.lon = 181 * 600;
    m.u.t27.speed = 63;
    m.u.t27.course = 511;
    m.u.t27.status = 15;
    assert_string_equal(csv(&m, AIS_TIME_NONE), "230108610,,,,,,,15,27");
}

static void csv_other_types_and_small_buffers(void **state)
{
    (void)state;
    char buf[32];
    struct ais_meta meta = {.time_ms = AIS_TIME_NONE};
    assert_int_equal(decode("702R5`hwCjq8", 0), ALD_E_OK);    /* type 7 */
    assert_false(ais_has_position(&M));
    assert_int_equal(ais_csv(&M, &meta, buf, sizeof buf), 0);
    assert_int_equal(decode("15RTgt0PAso;90TKcjM8h6g208CQ", 0), ALD_E_OK);
    assert_true(ais_has_position(&M));
    assert_int_equal(ais_csv(&M, &meta, buf, 20), 0);            /* too small */
    assert_int_equal(ais_csv(&M, NULL, buf, sizeof buf), 0);     /* 53 chars */
    char big[128];
    size_t n = ais_csv(&M, NULL, big, sizeof big);
    assert_int_equal(n, strlen("371798000,,48.3816333,-123.3953833,12.3,224.0,215,0,1"));
    assert_memory_equal(big, "371798000,,48.3816333,-123.3953833,12.3,224.0,215,0,1", n);
}

static void format_time_values(void **state)
{
    (void)state;
    char buf[64];
    assert_int_equal(ais_format_time(0, buf, sizeof buf), 20);
    assert_string_equal(buf, "1970-01-01T00:00:00Z");
    assert_int_equal(ais_format_time(1661782474000LL, buf, sizeof buf), 20);
    assert_string_equal(buf, "2022-08-29T14:14:34Z");
    assert_int_equal(ais_format_time(1327992119173LL, buf, sizeof buf), 24);
    assert_string_equal(buf, "2012-01-31T06:41:59.173Z");
    ais_format_time(1327986422001LL, buf, sizeof buf);
    assert_string_equal(buf, "2012-01-31T05:07:02.001Z");
    ais_format_time(951782400000LL, buf, sizeof buf);            /* leap day */
    assert_string_equal(buf, "2000-02-29T00:00:00Z");
    ais_format_time(253402300799000LL, buf, sizeof buf);
    assert_string_equal(buf, "9999-12-31T23:59:59Z");
    ais_format_time(-1, buf, sizeof buf);
    assert_string_equal(buf, "1969-12-31T23:59:59.999Z");
    ais_format_time(-86400000LL, buf, sizeof buf);
    assert_string_equal(buf, "1969-12-31T00:00:00Z");
}

static void format_time_needs_room_for_the_nul(void **state)
{
    (void)state;
    char buf[24];
    assert_int_equal(ais_format_time(0, buf, 20), 0);   /* 20 chars + NUL */
    assert_int_equal(ais_format_time(0, buf, 21), 20);
    assert_string_equal(buf, "1970-01-01T00:00:00Z");
    assert_int_equal(ais_format_time(1327992119173LL, buf, 24), 0);
    assert_int_equal(ais_format_time(0, buf, 0), 0);
}

/* ---- six-bit text against a character-by-character reference ---- */

/* ais_sixbit() as it was first written: one 6-bit read per character. */
static size_t ref_sixbit(const uint8_t *buf, size_t start, size_t count, char *to,
                         size_t to_sz, int trim)
{
    static const char chars[] =
        "@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\\]^_ !\"#$%&'()*+,-./0123456789:;<=>?";
    size_t i;
    if (to_sz == 0)
        return 0;
    if (count > to_sz - 1)
        count = to_sz - 1;
    for (i = 0; i < count; i++) {
        char c = chars[ais_ubits(buf, start + 6 * i, 6)];
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

/*
 * ais_sixbit() reads 8 characters per 64-bit load; every start bit of the
 * buffer (up to past AIS_MAX_BITS, where characters read as '@'), counts
 * 0-170 and small output buffers, with and without trimming, on random bits
 * with '@' (0) and ' ' (32) characters planted, must give what one read per
 * character gives.
 */
static void sixbit_matches_a_per_character_reference(void **state)
{
    (void)state;
    uint32_t rnd = 777;
    for (unsigned round = 0; round < 4; round++) {
        memset(BITS, 0, sizeof BITS);
        for (size_t i = 0; i < AIS_MAX_BYTES; i++) {
            rnd = rnd * 1103515245u + 12345u;
            BITS[i] = (uint8_t)(rnd >> 16);
        }
        /* rounds 1-3: some 6-bit groups set to '@' or ' ' so texts end and
         * get trimmed at varied places */
        for (size_t k = 0; round && k < 40; k++) {
            rnd = rnd * 1103515245u + 12345u;
            size_t at = (rnd >> 8) % (AIS_MAX_BITS - 6);
            unsigned v = (rnd & 1) ? 0 : 32;
            for (unsigned b = 0; b < 6; b++) {
                uint8_t mask = (uint8_t)(0x80u >> ((at + b) % 8));
                if ((v >> (5 - b)) & 1)
                    BITS[(at + b) / 8] |= mask;
                else
                    BITS[(at + b) / 8] &= (uint8_t)~mask;
            }
        }
        for (size_t start = 0; start <= AIS_MAX_BITS + 8; start += (round ? 1 : 3)) {
            static const size_t counts[] = {0, 1, 7, 8, 9, 15, 16, 17, 20, 42, 170};
            for (size_t c = 0; c < sizeof counts / sizeof counts[0]; c++) {
                static const size_t sizes[] = {1, 5, 9, 21, 200};
                for (size_t z = 0; z < sizeof sizes / sizeof sizes[0]; z++) {
                    char got[200], want[200];
                    int trim = (int)((start + c) & 1);
                    memset(got, 'x', sizeof got);
                    memset(want, 'x', sizeof want);
                    size_t ng = ais_sixbit(BITS, start, counts[c], got, sizes[z], trim);
                    size_t nw = ref_sixbit(BITS, start, counts[c], want, sizes[z], trim);
                    assert_int_equal(ng, nw);
                    assert_memory_equal(got, want, sizes[z]);
                }
            }
        }
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(type1_position),
        cmocka_unit_test(type2_position),
        cmocka_unit_test(type3_position),
        cmocka_unit_test(type4_base_station),
        cmocka_unit_test(type5_static_and_voyage),
        cmocka_unit_test(type6_addressed_binary),
        cmocka_unit_test(type7_binary_ack),
        cmocka_unit_test(type8_broadcast_binary),
        cmocka_unit_test(type9_sar_aircraft),
        cmocka_unit_test(type10_utc_inquiry),
        cmocka_unit_test(type11_utc_response),
        cmocka_unit_test(type12_addressed_safety),
        cmocka_unit_test(type13_safety_ack),
        cmocka_unit_test(type14_broadcast_safety),
        cmocka_unit_test(type15_interrogation),
        cmocka_unit_test(type16_assignment),
        cmocka_unit_test(type17_dgnss),
        cmocka_unit_test(type18_class_b_position),
        cmocka_unit_test(type19_class_b_extended),
        cmocka_unit_test(type20_data_link_management),
        cmocka_unit_test(type21_aid_to_navigation_with_name_extension),
        cmocka_unit_test(type22_channel_management),
        cmocka_unit_test(type23_group_assignment),
        cmocka_unit_test(type24_parts_a_and_b),
        cmocka_unit_test(type24_part_b_of_an_auxiliary_craft_has_a_mother_ship),
        cmocka_unit_test(type25_single_slot_binary),
        cmocka_unit_test(type26_multiple_slot_binary),
        cmocka_unit_test(type27_long_range),
        cmocka_unit_test(length_limits_of_every_type),
        cmocka_unit_test(shorter_than_the_common_header),
        cmocka_unit_test(type5_accepts_420_to_424_bits),
        cmocka_unit_test(type27_is_96_or_168_bits_only),
        cmocka_unit_test(type24_part_lengths),
        cmocka_unit_test(binary_slot_messages_need_their_headers),
        cmocka_unit_test(unknown_types_are_rejected),
        cmocka_unit_test(type24_parts_2_and_3_are_rejected),
        cmocka_unit_test(sixbit_text_stops_at_the_first_at_sign),
        cmocka_unit_test(sixbit_text_trims_trailing_spaces_only),
        cmocka_unit_test(sixbit_text_fills_the_whole_field),
        cmocka_unit_test(safety_text_runs_to_the_end_of_the_message),
        cmocka_unit_test(type21_name_extension),
        cmocka_unit_test(csv_header),
        cmocka_unit_test(csv_type1),
        cmocka_unit_test(csv_type1_unavailable_values_are_empty),
        cmocka_unit_test(csv_type18),
        cmocka_unit_test(csv_type27),
        cmocka_unit_test(csv_other_types_and_small_buffers),
        cmocka_unit_test(format_time_values),
        cmocka_unit_test(format_time_needs_room_for_the_nul),
        cmocka_unit_test(sixbit_matches_a_per_character_reference),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
