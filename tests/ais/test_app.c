/*
 * test_app.c - DAC/FI application payloads of AIS types 6 and 8 (lib/ais/app.c
 * and app_json.c): one test per DAC/FI decoded. Where the shared captures hold
 * a real message it is quoted and decoded through the NMEA stream decoder;
 * otherwise the payload is built here field by field, following gpsd 3.27's
 * layout. Every structured decode is checked member by member and its JSON
 * against what gpsdecode 3.27.5 prints for the same message.
 */
#include "testutil.h"

#include <stdio.h>
#include <string.h>

#include "alidade/ais.h"

/* ---- payload builder: appends MSB-first fields ---- */

struct payload {
    uint8_t b[AIS_BITS_BUF];
    size_t len;
};

static void put(struct payload *p, unsigned width, int64_t v)
{
    for (unsigned i = 0; i < width; i++) {
        if (((uint64_t)v >> (width - 1 - i)) & 1)
            p->b[p->len >> 3] |= (uint8_t)(0x80u >> (p->len & 7));
        p->len++;
    }
}

/* `n` six-bit characters of s, padded with '@' (0) */
static void put_text(struct payload *p, const char *s, unsigned n)
{
    static const char six[] =
        "@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\\]^_ !\"#$%&'()*+,-./0123456789:;<=>?";
    for (unsigned i = 0; i < n; i++) {
        char c = *s ? *s++ : '@';
        put(p, 6, strchr(six, c) - six);
    }
}

/* Message header up to the DAC/FI (type 6: 88 bits, type 8: 56 bits). */
static void head6(struct payload *p, unsigned mmsi, unsigned dest, unsigned dac,
                  unsigned fid)
{
    memset(p, 0, sizeof *p);
    put(p, 6, 6);
    put(p, 2, 0);
    put(p, 30, mmsi);
    put(p, 2, 1);       /* seqno */
    put(p, 30, dest);
    put(p, 1, 0);       /* retransmit */
    put(p, 1, 0);
    put(p, 10, dac);
    put(p, 6, fid);
}

static void head8(struct payload *p, unsigned mmsi, unsigned dac, unsigned fid)
{
    memset(p, 0, sizeof *p);
    put(p, 6, 8);
    put(p, 2, 0);
    put(p, 30, mmsi);
    put(p, 2, 0);
    put(p, 10, dac);
    put(p, 6, fid);
}

static void pad_to(struct payload *p, size_t bits)
{
    assert_true(p->len <= bits);
    p->len = bits;
}

static void decode_payload(const struct payload *p, struct ais_msg *m)
{
    memset(m, 0, sizeof *m);
    assert_int_equal(ais_decode_bits(p->b, p->len, m, NULL, 0), ALD_E_OK);
}

/* ---- real sentences through the stream decoder ---- */

struct sink {
    struct ais_msg msg;
    int n;
};

static void on_msg(void *ctx, const struct ais_msg *msg, const struct ais_meta *meta)
{
    struct sink *s = ctx;
    (void)meta;
    s->msg = *msg;
    s->n++;
}

/* Decodes the sentences of one message (NULL-terminated list). */
static void decode_nmea(const char *const *lines, struct ais_msg *m)
{
    static struct sink s;
    memset(&s, 0, sizeof s);
    ais_decoder *d = ais_decoder_new(NULL);
    assert_non_null(d);
    ais_decoder_set_cb(d, on_msg, NULL, &s);
    for (; *lines; lines++)
        assert_int_equal(ais_decoder_feed(d, *lines, strlen(*lines)), ALD_E_OK);
    ais_decoder_free(d);
    assert_int_equal(s.n, 1);
    *m = s.msg;
}

static void json_is(const struct ais_msg *m, bool scaled, const char *want)
{
    static char buf[AIS_LINE_MAX];
    size_t n = ais_json(m, scaled, "stdin", buf, sizeof buf - 1);
    assert_true(n > 0);
    buf[n] = '\0';          /* ais_json() does not terminate */
    assert_string_equal(buf, want);
}

#define NMEA(...) ((const char *const[]){ __VA_ARGS__, NULL })

/* ================= type 6 ================= */

static void t6_dac1_fid12_dangerous_cargo(void **state)
{
    (void)state;
    struct ais_msg m;
    /* gfw-ais-tools / amsa captures */
    decode_nmea(NMEA("!AIVDM,1,1,,A,63LBA4;WBevJ04k0=@E=B0td,0*17"), &m);
    const struct ais_binmsg6 *t = &m.u.t6;
    assert_int_equal(t->dac, 1);
    assert_int_equal(t->fid, 12);
    assert_true(t->structured);
    const struct ais_dac1fid12 *a = &t->app.dac1fid12;
    assert_string_equal(a->lastport, "0CTES");
    assert_int_equal(a->departure.month, 5);
    assert_int_equal(a->departure.day, 4);
    assert_int_equal(a->departure.hour, 0);
    assert_int_equal(a->departure.minute, 60);
    assert_string_equal(a->nextport, ",");
    assert_int_equal(a->eta.month, 0);
    assert_string_equal(a->dangerous, "");
    assert_string_equal(a->imdcat, "");
    assert_int_equal(a->unid, 0);
    json_is(&m, true,
            "{\"class\":\"AIS\",\"device\":\"stdin\",\"type\":6,\"repeat\":0,"
            "\"mmsi\":230986000,\"scaled\":true,\"seqno\":2,\"dest_mmsi\":970110950,"
            "\"retransmit\":true,\"dac\":1,\"fid\":12,\"lastport\":\"0CTES\","
            "\"departure\":\"05-04T00:60Z\",\"nextport\":\",\",\"eta\":\"00-00T00:00Z\","
            "\"dangerous\":\"\",\"imdcat\":\"\",\"unid\":0,\"amount\":0,\"unit\":0}");
}

static void t6_dac1_fid14_tidal_window(void **state)
{
    (void)state;
    struct ais_msg m;
    decode_nmea(NMEA("!AIVDM,1,1,,A,6h2E:81>NmKC04p0J<000?vv20Ru,0*31"), &m);
    const struct ais_binmsg6 *t = &m.u.t6;
    assert_true(t->structured);
    const struct ais_tidal_window *w = &t->app.dac1fid32;
    assert_int_equal(w->month, 0);
    assert_int_equal(w->day, 0);
    assert_int_equal(w->ntidals, 1);
    assert_int_equal(w->tidals[0].lat, -24379392);
    assert_int_equal(w->tidals[0].lon, 16760328);
    assert_int_equal(w->tidals[0].from_hour, 1);
    assert_int_equal(w->tidals[0].from_min, 5);
    assert_int_equal(w->tidals[0].to_hour, 29);
    assert_int_equal(w->tidals[0].to_min, 0);
    json_is(&m, true,
            "{\"class\":\"AIS\",\"device\":\"stdin\",\"type\":6,\"repeat\":3,"
            "\"mmsi\":2443808,\"scaled\":true,\"seqno\":0,\"dest_mmsi\":329176500,"
            "\"retransmit\":true,\"dac\":1,\"fid\":14,\"month\":0,\"day\":0,"
            "\"tidals\":[{\"lon\":279.338800,\"lat\":-406.323200,\"from_hour\":1,"
            "\"from_min\":5,\"to_hour\":29,\"to_min\":0,\"cdir\":0,\"cspeed\":0.0}]}");
}

static void t6_dac1_fid15_air_draught(void **state)
{
    (void)state;
    struct payload p;
    struct ais_msg m;
    /* gpsd reads the air draught at bits 56-66, inside the destination MMSI */
    head6(&p, 211000001, 1234u << 3, 1, 15);
    put(&p, 11, 0);
    pad_to(&p, 88 + 16);
    decode_payload(&p, &m);
    assert_true(m.u.t6.structured);
    assert_int_equal(m.u.t6.app.dac1fid15.airdraught, 1234);
    json_is(&m, false,
            "{\"class\":\"AIS\",\"device\":\"stdin\",\"type\":6,\"repeat\":0,"
            "\"mmsi\":211000001,\"scaled\":false,\"seqno\":1,\"dest_mmsi\":9872,"
            "\"retransmit\":false,\"dac\":1,\"fid\":15,\"airdraught\":1234}");
}

static void t6_dac1_fid16_persons(void **state)
{
    (void)state;
    struct payload p;
    struct ais_msg m;
    /* IMO289 layout: 136 bits of application data, persons at bit 88 */
    head6(&p, 211000002, 244000001, 1, 16);
    put(&p, 13, 4321);
    pad_to(&p, 88 + 136);
    decode_payload(&p, &m);
    assert_true(m.u.t6.structured);
    assert_int_equal(m.u.t6.app.dac1fid16.persons, 4321);
    json_is(&m, true,
            "{\"class\":\"AIS\",\"device\":\"stdin\",\"type\":6,\"repeat\":0,"
            "\"mmsi\":211000002,\"scaled\":true,\"seqno\":1,\"dest_mmsi\":244000001,"
            "\"retransmit\":false,\"dac\":1,\"fid\":16,\"persons\":4321}");
    /* any other length: gpsd's IMO236 guess, 13 bits from bit 55 */
    head6(&p, 211000002, 244000001, 1, 16);
    put(&p, 13, 4321);
    pad_to(&p, 88 + 16);
    decode_payload(&p, &m);
    assert_true(m.u.t6.structured);
    assert_int_equal(m.u.t6.app.dac1fid16.persons, (unsigned)((244000001u >> 2) & 0x1FFF));
}

static void t6_dac1_fid18_clearance(void **state)
{
    (void)state;
    struct ais_msg m;
    decode_nmea(NMEA("!AIVDM,1,1,,B,6h2E3MDrDRiB0580@00000000000,0*04"), &m);
    const struct ais_dac1fid18 *a = &m.u.t6.app.dac1fid18;
    assert_true(m.u.t6.structured);
    assert_int_equal(m.u.t6.fid, 18);
    assert_int_equal(a->linkage, 1);
    assert_int_equal(a->arrival.month, 0);
    assert_string_equal(a->portname, "");
    assert_string_equal(a->destination, "");
    assert_int_equal(a->lon, 0);
    assert_int_equal(a->lat, 0);
    json_is(&m, true,
            "{\"class\":\"AIS\",\"device\":\"stdin\",\"type\":6,\"repeat\":3,"
            "\"mmsi\":2442101,\"scaled\":true,\"seqno\":1,\"dest_mmsi\":244615956,"
            "\"retransmit\":true,\"dac\":1,\"fid\":18,\"linkage\":1,"
            "\"arrival\":\"00-00T00:00Z\",\"portname\":\"\",\"destination\":\"\","
            "\"lon\":0.000000,\"lat\":0.000000}");
    /* a built one with text, a negative position and every date part */
    struct payload p;
    head6(&p, 211000003, 244000002, 1, 18);
    put(&p, 10, 513);
    put(&p, 4, 7);
    put(&p, 5, 14);
    put(&p, 5, 9);
    put(&p, 6, 5);
    put_text(&p, "ROTTERDAM WAALHAVEN", 20);
    put_text(&p, "NLRTM", 5);
    put(&p, 25, -266700);       /* 4.445 W */
    put(&p, 24, 3055020);       /* 50.917 N */
    pad_to(&p, 360);
    decode_payload(&p, &m);
    a = &m.u.t6.app.dac1fid18;
    assert_int_equal(a->linkage, 513);
    assert_int_equal(a->arrival.month, 7);
    assert_int_equal(a->arrival.day, 14);
    assert_int_equal(a->arrival.hour, 9);
    assert_int_equal(a->arrival.minute, 5);
    assert_string_equal(a->portname, "ROTTERDAM WAALHAVEN");
    assert_string_equal(a->destination, "NLRTM");
    assert_int_equal(a->lon, -266700);
    assert_int_equal(a->lat, 3055020);
    json_is(&m, true,
            "{\"class\":\"AIS\",\"device\":\"stdin\",\"type\":6,\"repeat\":0,"
            "\"mmsi\":211000003,\"scaled\":true,\"seqno\":1,\"dest_mmsi\":244000002,"
            "\"retransmit\":false,\"dac\":1,\"fid\":18,\"linkage\":513,"
            "\"arrival\":\"07-14T09:05Z\",\"portname\":\"ROTTERDAM WAALHAVEN\","
            "\"destination\":\"NLRTM\",\"lon\":-4.445000,\"lat\":50.917000}");
}

static void t6_dac1_fid20_berthing(void **state)
{
    (void)state;
    struct payload p;
    struct ais_msg m;
    head6(&p, 211000004, 244000003, 1, 20);
    put(&p, 10, 42);            /* linkage */
    put(&p, 9, 310);            /* berth length */
    put(&p, 8, 127);            /* depth 12.7 m */
    put(&p, 3, 3);              /* Mediterranean mooring */
    put(&p, 4, 12);
    put(&p, 5, 31);
    put(&p, 5, 23);
    put(&p, 6, 59);
    put(&p, 1, 1);              /* availability */
    for (unsigned i = 0; i < 26; i++)
        put(&p, 2, i % 4);      /* agent .. future2 */
    put_text(&p, "QUAY 7", 20);
    put(&p, 25, 1234567);
    put(&p, 24, -654321);
    pad_to(&p, 360 + 8);
    decode_payload(&p, &m);
    const struct ais_dac1fid20 *a = &m.u.t6.app.dac1fid20;
    assert_true(m.u.t6.structured);
    assert_int_equal(a->linkage, 42);
    assert_int_equal(a->berth_length, 310);
    assert_int_equal(a->berth_depth, 127);
    assert_int_equal(a->position, 3);
    assert_int_equal(a->arrival.month, 12);
    assert_int_equal(a->arrival.minute, 59);
    assert_int_equal(a->availability, 1);
    assert_int_equal(a->agent, 0);
    assert_int_equal(a->fuel, 1);
    assert_int_equal(a->chandler, 2);
    assert_int_equal(a->stevedore, 3);
    assert_int_equal(a->future2, 25 % 4);
    assert_string_equal(a->berth_name, "QUAY 7");
    assert_int_equal(a->berth_lon, 1234567);
    assert_int_equal(a->berth_lat, -654321);
    json_is(&m, true,
            "{\"class\":\"AIS\",\"device\":\"stdin\",\"type\":6,\"repeat\":0,"
            "\"mmsi\":211000004,\"scaled\":true,\"seqno\":1,\"dest_mmsi\":244000003,"
            "\"retransmit\":false,\"dac\":1,\"fid\":20,\"linkage\":42,"
            "\"berth_length\":310,\"position\":3,"
            "\"position_text\":\"Mediterranean (end-on) mooring\","
            "\"arrival\":\"12-31T23:59\",\"availability\":1,\"agent\":0,\"fuel\":1,"
            "\"chandler\":2,\"stevedore\":3,\"electrical\":0,\"water\":1,"
            "\"customs\":2,\"cartage\":3,\"crane\":0,\"lift\":1,\"medical\":2,"
            "\"navrepair\":3,\"provisions\":0,\"shiprepair\":1,\"surveyor\":2,"
            "\"steam\":3,\"tugs\":0,\"solidwaste\":1,\"liquidwaste\":2,"
            "\"hazardouswaste\":3,\"ballast\":0,\"additional\":1,\"regional1\":2,"
            "\"regional2\":3,\"future1\":0,\"future2\":1,\"berth_name\":\"QUAY 7\","
            "\"berth_lon\":20.576117,\"berth_lat\":-10.905350,\"berth_depth\":12.7}");
}

static void t6_dac1_fid25_cargos(void **state)
{
    (void)state;
    struct payload p;
    struct ais_msg m;
    head6(&p, 211000005, 244000004, 1, 25);
    put(&p, 2, 2);              /* unit */
    put(&p, 10, 800);           /* amount */
    for (unsigned i = 0; i < 3; i++) {
        put(&p, 4, 1 + i);
        put(&p, 13, 1000 * (i + 1) + 7);
    }
    decode_payload(&p, &m);     /* 151 bits: three 17-bit cargo entries */
    const struct ais_dac1fid25 *a = &m.u.t6.app.dac1fid25;
    assert_true(m.u.t6.structured);
    assert_int_equal(a->unit, 2);
    assert_int_equal(a->amount, 800);
    assert_int_equal(a->ncargos, 3);
    assert_int_equal(a->cargos[2].code, 3);
    assert_int_equal(a->cargos[2].subtype, 3007);
    json_is(&m, false,
            "{\"class\":\"AIS\",\"device\":\"stdin\",\"type\":6,\"repeat\":0,"
            "\"mmsi\":211000005,\"scaled\":false,\"seqno\":1,\"dest_mmsi\":244000004,"
            "\"retransmit\":false,\"dac\":1,\"fid\":25,\"unit\":2,\"amount\":800,"
            "\"cargos\":[{\"code\":1,\"subtype\":1007},{\"code\":2,\"subtype\":2007},"
            "{\"code\":3,\"subtype\":3007}]}");
    /* no room for a cargo entry: an empty list */
    head6(&p, 211000005, 244000004, 1, 25);
    pad_to(&p, 100);
    decode_payload(&p, &m);
    assert_true(m.u.t6.structured);
    assert_int_equal(m.u.t6.app.dac1fid25.ncargos, 0);
}

/* Route header and waypoints shared by DAC 1 FI 28 (type 6) and 27 (type 8). */
static void put_route(struct payload *p)
{
    put(p, 10, 77);             /* linkage */
    put(p, 3, 2);               /* sender */
    put(p, 5, 31);              /* cancel route */
    put(p, 4, 3);
    put(p, 5, 1);
    put(p, 5, 6);
    put(p, 6, 30);
    put(p, 18, 1440);           /* duration, minutes */
    put(p, 5, 2);               /* waycount */
    put(p, 28, -3000000);       /* 5 W */
    put(p, 27, 30000000);       /* 50 N */
    put(p, 28, 108000000);      /* 180 E */
    put(p, 27, -54000000);      /* 90 S */
}

static void check_route(const struct ais_route *r)
{
    assert_int_equal(r->linkage, 77);
    assert_int_equal(r->sender, 2);
    assert_int_equal(r->rtype, 31);
    assert_int_equal(r->start.month, 3);
    assert_int_equal(r->start.day, 1);
    assert_int_equal(r->start.hour, 6);
    assert_int_equal(r->start.minute, 30);
    assert_int_equal(r->duration, 1440);
    assert_int_equal(r->waycount, 2);
    assert_int_equal(r->waypoints[0].lon, -3000000);
    assert_int_equal(r->waypoints[0].lat, 30000000);
    assert_int_equal(r->waypoints[1].lon, 108000000);
    assert_int_equal(r->waypoints[1].lat, -54000000);
}

static void t6_dac1_fid28_route(void **state)
{
    (void)state;
    struct payload p;
    struct ais_msg m;
    head6(&p, 211000006, 244000005, 1, 28);
    put_route(&p);
    decode_payload(&p, &m);
    assert_true(m.u.t6.structured);
    check_route(&m.u.t6.app.dac1fid28);
    json_is(&m, true,
            "{\"class\":\"AIS\",\"device\":\"stdin\",\"type\":6,\"repeat\":0,"
            "\"mmsi\":211000006,\"scaled\":true,\"seqno\":1,\"dest_mmsi\":244000005,"
            "\"retransmit\":false,\"dac\":1,\"fid\":28,\"linkage\":77,\"sender\":2,"
            "\"rtype\":31,\"rtype_text\":\"Cancel route identified by message linkage\","
            "\"start\":\"03-01T06:30Z\",\"duration\":1440,\"waypoints\":["
            "{\"lon\":-5.0000000,\"lat\":50.0000000},"
            "{\"lon\":180.0000000,\"lat\":-90.0000000}]}");
}

static void t6_dac1_fid30_text(void **state)
{
    (void)state;
    struct ais_msg m;
    decode_nmea(NMEA("!AIVDM,1,1,,B,6h2E3MPr<buN05p0J00000000000,0*0A"), &m);
    assert_true(m.u.t6.structured);
    assert_int_equal(m.u.t6.fid, 30);
    assert_int_equal(m.u.t6.app.dac1fid30.linkage, 1);
    assert_string_equal(m.u.t6.app.dac1fid30.text, "(");
    json_is(&m, false,
            "{\"class\":\"AIS\",\"device\":\"stdin\",\"type\":6,\"repeat\":3,"
            "\"mmsi\":2442102,\"scaled\":false,\"seqno\":0,\"dest_mmsi\":244100055,"
            "\"retransmit\":true,\"dac\":1,\"fid\":30,\"linkage\":1,\"text\":\"(\"}");
}

static void t6_dac1_fid32_tidal_window(void **state)
{
    (void)state;
    struct ais_msg m;
    decode_nmea(NMEA("!AIVDM,1,1,,A,6h2E3MHrg19P0600@00000000000,0*02"), &m);
    const struct ais_tidal_window *w = &m.u.t6.app.dac1fid32;
    assert_true(m.u.t6.structured);
    assert_int_equal(m.u.t6.fid, 32);
    assert_int_equal(w->ntidals, 1);
    assert_int_equal(w->tidals[0].lon, -16777216);
    assert_int_equal(w->tidals[0].lat, 0);
    json_is(&m, true,
            "{\"class\":\"AIS\",\"device\":\"stdin\",\"type\":6,\"repeat\":3,"
            "\"mmsi\":2442101,\"scaled\":true,\"seqno\":2,\"dest_mmsi\":246351000,"
            "\"retransmit\":false,\"dac\":1,\"fid\":32,\"month\":0,\"day\":0,"
            "\"tidals\":[{\"lon\":-279.620267,\"lat\":0.000000,\"from_hour\":0,"
            "\"from_min\":0,\"to_hour\":0,\"to_min\":0,\"cdir\":0,\"cspeed\":0.0}]}");
    /* two full 88-bit windows and a third that starts exactly at the end:
     * gpsd decodes it too, from the zeros past the message */
    struct payload p;
    head6(&p, 211000007, 244000006, 1, 32);
    put(&p, 4, 6);
    put(&p, 5, 21);
    for (unsigned i = 0; i < 2; i++) {
        put(&p, 25, -60000 * (int)(i + 1));
        put(&p, 24, 60000 * (int)(i + 1));
        put(&p, 5, 10);
        put(&p, 6, 15);
        put(&p, 5, 12);
        put(&p, 6, 45);
        put(&p, 9, 360);
        put(&p, 8, 25);
    }
    decode_payload(&p, &m);
    w = &m.u.t6.app.dac1fid32;
    assert_int_equal(w->month, 6);
    assert_int_equal(w->day, 21);
    assert_int_equal(w->ntidals, 3);
    assert_int_equal(w->tidals[1].lon, -120000);
    assert_int_equal(w->tidals[1].lat, 120000);
    assert_int_equal(w->tidals[1].to_min, 45);
    assert_int_equal(w->tidals[1].cdir, 360);
    assert_int_equal(w->tidals[1].cspeed, 25);
    assert_int_equal(w->tidals[2].lon, 0);
}

static void t6_dac200_fid21_eta(void **state)
{
    (void)state;
    struct payload p;
    struct ais_msg m;
    head6(&p, 211000008, 211000009, 200, 21);
    put_text(&p, "DE", 2);
    put_text(&p, "DUI", 3);
    put_text(&p, "00123", 5);
    put_text(&p, "T0042", 5);
    put_text(&p, "07805", 5);
    put(&p, 4, 4);
    put(&p, 5, 2);
    put(&p, 5, 8);
    put(&p, 6, 7);
    put(&p, 3, 2);              /* tugs */
    put(&p, 12, 1150);          /* air draught */
    pad_to(&p, 248);
    decode_payload(&p, &m);
    const struct ais_dac200fid21 *a = &m.u.t6.app.dac200fid21;
    assert_true(m.u.t6.structured);
    assert_string_equal(a->country, "DE");
    assert_string_equal(a->locode, "DUI");
    assert_string_equal(a->section, "00123");
    assert_string_equal(a->terminal, "T0042");
    assert_string_equal(a->hectometre, "07805");
    assert_int_equal(a->eta.month, 4);
    assert_int_equal(a->eta.day, 2);
    assert_int_equal(a->eta.hour, 8);
    assert_int_equal(a->eta.minute, 7);
    assert_int_equal(a->tugs, 2);
    assert_int_equal(a->airdraught, 1150);
    json_is(&m, true,
            "{\"class\":\"AIS\",\"device\":\"stdin\",\"type\":6,\"repeat\":0,"
            "\"mmsi\":211000008,\"scaled\":true,\"seqno\":1,\"dest_mmsi\":211000009,"
            "\"retransmit\":false,\"dac\":200,\"fid\":21,\"country\":\"DE\","
            "\"locode\":\"DUI\",\"section\":\"00123\",\"terminal\":\"T0042\","
            "\"hectometre\":\"07805\",\"eta\":\"4-2T8:7\",\"tugs\":2,"
            "\"airdraught\":1150}");
    /* only the 248-bit form is structured */
    p.len = 247;
    decode_payload(&p, &m);
    assert_false(m.u.t6.structured);
}

static void t6_dac200_fid22_rta(void **state)
{
    (void)state;
    struct payload p;
    struct ais_msg m;
    head6(&p, 211000010, 211000011, 200, 22);
    put_text(&p, "NL", 2);
    put_text(&p, "NIJ", 3);
    put_text(&p, "WAAL", 5);
    put_text(&p, "", 5);
    put_text(&p, "08840", 5);
    put(&p, 4, 11);
    put(&p, 5, 30);
    put(&p, 5, 16);
    put(&p, 6, 45);
    put(&p, 2, 2);              /* out of order */
    pad_to(&p, 232);
    decode_payload(&p, &m);
    const struct ais_dac200fid22 *a = &m.u.t6.app.dac200fid22;
    assert_true(m.u.t6.structured);
    assert_string_equal(a->country, "NL");
    assert_string_equal(a->section, "WAAL");
    assert_string_equal(a->terminal, "");
    assert_int_equal(a->rta.month, 11);
    assert_int_equal(a->rta.minute, 45);
    assert_int_equal(a->status, 2);
    json_is(&m, false,
            "{\"class\":\"AIS\",\"device\":\"stdin\",\"type\":6,\"repeat\":0,"
            "\"mmsi\":211000010,\"scaled\":false,\"seqno\":1,\"dest_mmsi\":211000011,"
            "\"retransmit\":false,\"dac\":200,\"fid\":22,\"country\":\"NL\","
            "\"locode\":\"NIJ\",\"section\":\"WAAL\",\"terminal\":\"\","
            "\"hectometre\":\"08840\",\"eta\":\"11-30T16:45\",\"status\":2,"
            "\"status_text\":\"Out of order\"}");
}

static void t6_dac200_fid55_persons(void **state)
{
    (void)state;
    struct ais_msg m;
    /* gpsd/ais-nmea-type6-fid55.log */
    decode_nmea(NMEA("!AIVDM,1,1,,B,63aGD6@0RW?8<SL4000000000000,0*11"), &m);
    const struct ais_dac200fid55 *a = &m.u.t6.app.dac200fid55;
    assert_true(m.u.t6.structured);
    assert_int_equal(a->crew, 4);
    assert_int_equal(a->passengers, 0);
    assert_int_equal(a->personnel, 0);
    json_is(&m, true,
            "{\"class\":\"AIS\",\"device\":\"stdin\",\"type\":6,\"repeat\":0,"
            "\"mmsi\":244700185,\"scaled\":true,\"seqno\":0,\"dest_mmsi\":2268402,"
            "\"retransmit\":false,\"dac\":200,\"fid\":55,\"crew\":4,\"passengers\":0,"
            "\"personnel\":0}");
}

static void t6_dac235_fid10_aton_monitoring(void **state)
{
    (void)state;
    struct ais_msg m;
    decode_nmea(NMEA("!AIVDM,1,1,,A,6>h8nIT00000>d`vP000@00,2*53"), &m);
    const struct ais_dac235fid10 *a = &m.u.t6.app.dac235fid10;
    assert_true(m.u.t6.structured);
    assert_int_equal(a->ana_int, 250);
    assert_int_equal(a->ana_ext1, 0);
    assert_int_equal(a->racon, 0);
    assert_int_equal(a->light, 1);
    assert_false(a->alarm);
    assert_false(a->off_pos);
    json_is(&m, true,
            "{\"class\":\"AIS\",\"device\":\"stdin\",\"type\":6,\"repeat\":0,"
            "\"mmsi\":990000742,\"scaled\":true,\"seqno\":1,\"dest_mmsi\":0,"
            "\"retransmit\":false,\"dac\":235,\"fid\":10,\"off_pos\":false,"
            "\"alarm\":false,\"stat_ext\":0,\"ana_int\":12.50,\"ana_ext1\":0,"
            "\"ana_ext2\":0,\"racon\":0,\"racon_text\":\"No RACON installed\","
            "\"light\":1,\"light_text\":\"Light ON\"}");
    json_is(&m, false,
            "{\"class\":\"AIS\",\"device\":\"stdin\",\"type\":6,\"repeat\":0,"
            "\"mmsi\":990000742,\"scaled\":false,\"seqno\":1,\"dest_mmsi\":0,"
            "\"retransmit\":false,\"dac\":235,\"fid\":10,\"off_pos\":false,"
            "\"alarm\":false,\"stat_ext\":0,\"ana_int\":250,\"ana_ext1\":0,"
            "\"ana_ext2\":0,\"racon\":0,\"racon_text\":\"No RACON installed\","
            "\"light\":1,\"light_text\":\"Light ON\"}");
}

static void t6_dac250_fid10_aton_monitoring(void **state)
{
    (void)state;
    struct payload p;
    struct ais_msg m;
    head6(&p, 992501234, 0, 250, 10);
    put(&p, 10, 1023);          /* ana_int */
    put(&p, 10, 1);
    put(&p, 10, 0);
    put(&p, 2, 3);              /* RACON ERROR */
    put(&p, 2, 2);              /* light off */
    put(&p, 1, 1);              /* alarm */
    put(&p, 8, 0xA5);
    put(&p, 1, 1);              /* off position */
    pad_to(&p, 136);
    decode_payload(&p, &m);
    const struct ais_dac235fid10 *a = &m.u.t6.app.dac235fid10;
    assert_true(m.u.t6.structured);
    assert_int_equal(a->ana_int, 1023);
    assert_int_equal(a->ana_ext1, 1);
    assert_int_equal(a->racon, 3);
    assert_int_equal(a->light, 2);
    assert_true(a->alarm);
    assert_int_equal(a->stat_ext, 0xA5);
    assert_true(a->off_pos);
    json_is(&m, true,
            "{\"class\":\"AIS\",\"device\":\"stdin\",\"type\":6,\"repeat\":0,"
            "\"mmsi\":992501234,\"scaled\":true,\"seqno\":1,\"dest_mmsi\":0,"
            "\"retransmit\":false,\"dac\":250,\"fid\":10,\"off_pos\":true,"
            "\"alarm\":true,\"stat_ext\":165,\"ana_int\":51.15,\"ana_ext1\":0.05,"
            "\"ana_ext2\":0,\"racon\":3,\"racon_text\":\"RACON ERROR\","
            "\"light\":2,\"light_text\":\"Light OFF\"}");
    /* other lengths stay raw */
    p.len = 144;
    decode_payload(&p, &m);
    assert_false(m.u.t6.structured);
}

/* ================= type 8 ================= */

static void t8_dac1_fid11_meteo(void **state)
{
    (void)state;
    struct ais_msg m;
    decode_nmea(NMEA("!AIVDO,1,1,4,B,8>jR06@0Bk3:wOli;<`WPhh<1rqVBQf2V@Pdt0J82avIM2b<<Rv1t<ot=@1,2*54"),
                &m);
    const struct ais_dac1fid11 *a = &m.u.t8.app.dac1fid11;
    assert_true(m.u.t8.structured);
    assert_int_equal(a->lat, 3197693);
    assert_int_equal(a->lon, -368039);
    assert_int_equal(a->stamp.day, 18);
    assert_int_equal(a->stamp.hour, 17);
    assert_int_equal(a->stamp.minute, 15);
    assert_int_equal(a->wspeed, 3);
    assert_int_equal(a->wgust, 6);
    assert_int_equal(a->wdir, 12);
    assert_int_equal(a->wgustdir, 15);
    assert_int_equal(a->humidity, 50);
    assert_int_equal(a->airtemp, 742);
    assert_int_equal(a->dewpoint, 323);
    assert_int_equal(a->pressure, 224);
    assert_int_equal(a->pressuretend, 2);
    assert_int_equal(a->visibility, 153);
    assert_int_equal(a->waterlevel, 16);
    assert_int_equal(a->leveltrend, 1);
    assert_int_equal(a->cspeed, 103);
    assert_int_equal(a->cdir, 256);
    assert_int_equal(a->cdepth3, 20);
    assert_int_equal(a->waveheight, 42);
    assert_int_equal(a->swelldir, 124);
    assert_int_equal(a->seastate, 3);
    assert_int_equal(a->watertemp, 223);
    assert_int_equal(a->preciptype, 6);
    assert_int_equal(a->salinity, 53);
    assert_int_equal(a->ice, 0);
    json_is(&m, true,
            "{\"class\":\"AIS\",\"device\":\"stdin\",\"type\":8,\"repeat\":0,"
            "\"mmsi\":992509977,\"scaled\":true,\"dac\":1,\"fid\":11,"
            "\"lat\":53.294883,\"lon\":-6.133983,\"timestamp\":\"18T17:15Z\","
            "\"wspeed\":3,\"wgust\":6,\"wdir\":12,\"wgustdir\":15,\"humidity\":50,"
            "\"airtemp\":14.2,\"dewpoint\":12.3,\"pressure\":1024,"
            "\"pressuretend\":\"decreasing\",\"visibility\":15.3,\"waterlevel\":-8.4,"
            "\"leveltrend\":\"increasing\",\"cspeed\":10.3,\"cdir\":256,"
            "\"cspeed2\":10.4,\"cdir2\":257,\"cdepth2\":10,\"cspeed3\":12.6,"
            "\"cdir3\":203,\"cdepth3\":20,\"waveheight\":4.2,\"waveperiod\":35,"
            "\"wavedir\":25,\"swellheight\":2.3,\"swellperiod\":48,\"swelldir\":124,"
            "\"seastate\":3,\"watertemp\":12.3,\"preciptype\":6,"
            "\"preciptype_text\":\"reserved\",\"salinity\":5.3,\"ice\":0,"
            "\"ice_text\":\"no\"}");
    json_is(&m, false,
            "{\"class\":\"AIS\",\"device\":\"stdin\",\"type\":8,\"repeat\":0,"
            "\"mmsi\":992509977,\"scaled\":false,\"dac\":1,\"fid\":11,"
            "\"lat\":3197693,\"lon\":-368039,\"timestamp\":\"18T17:15Z\","
            "\"wspeed\":3,\"wgust\":6,\"wdir\":12,\"wgustdir\":15,\"humidity\":50,"
            "\"airtemp\":742,\"dewpoint\":323,\"pressure\":224,\"pressuretend\":2,"
            "\"visibility\":153,\"waterlevel\":16,\"leveltrend\":1,\"cspeed\":103,"
            "\"cdir\":256,\"cspeed2\":104,\"cdir2\":257,\"cdepth2\":10,"
            "\"cspeed3\":126,\"cdir3\":203,\"cdepth3\":20,\"waveheight\":42,"
            "\"waveperiod\":35,\"wavedir\":25,\"swellheight\":23,\"swellperiod\":48,"
            "\"swelldir\":124,\"seastate\":3,\"watertemp\":223,\"preciptype\":6,"
            "\"preciptype_text\":\"reserved\",\"salinity\":53,\"ice\":0,"
            "\"ice_text\":\"no\"}");
}

static void t8_dac1_fid13_fairway_closed(void **state)
{
    (void)state;
    struct payload p;
    struct ais_msg m;
    head8(&p, 2300001, 1, 13);
    put_text(&p, "ICE", 20);
    put_text(&p, "KOTKA \"A\"", 20);
    put_text(&p, "HAMINA\\2", 20);
    put(&p, 10, 10001);         /* radius n/a (10 bits: 10001 & 1023) */
    put(&p, 2, 1);
    put(&p, 5, 28);             /* from day */
    put(&p, 4, 2);              /* from month */
    put(&p, 5, 6);
    put(&p, 6, 0);
    put(&p, 5, 3);              /* to day */
    put(&p, 4, 3);
    put(&p, 5, 18);
    put(&p, 6, 30);
    pad_to(&p, 472);
    decode_payload(&p, &m);
    const struct ais_dac1fid13 *a = &m.u.t8.app.dac1fid13;
    assert_true(m.u.t8.structured);
    assert_string_equal(a->reason, "ICE");
    assert_string_equal(a->closefrom, "KOTKA \"A\"");
    assert_string_equal(a->closeto, "HAMINA\\2");
    assert_int_equal(a->radius, 10001 & 1023);
    assert_int_equal(a->extunit, 1);
    assert_int_equal(a->from.day, 28);
    assert_int_equal(a->from.month, 2);
    assert_int_equal(a->from.hour, 6);
    assert_int_equal(a->to.day, 3);
    assert_int_equal(a->to.month, 3);
    assert_int_equal(a->to.minute, 30);
    json_is(&m, true,
            "{\"class\":\"AIS\",\"device\":\"stdin\",\"type\":8,\"repeat\":0,"
            "\"mmsi\":2300001,\"scaled\":true,\"dac\":1,\"fid\":13,\"reason\":\"ICE\","
            "\"closefrom\":\"KOTKA \\\"A\\\"\",\"closeto\":\"HAMINA\\\\2\","
            "\"radius\":785,\"extunit\":1,\"from\":\"02-28T06:00\","
            "\"to\":\"03-03T18:30\"}");
}

static void t8_dac1_fid15_air_draught(void **state)
{
    (void)state;
    struct payload p;
    struct ais_msg m;
    head8(&p, 2300002, 1, 15);
    put(&p, 11, 2047);
    pad_to(&p, 72);
    decode_payload(&p, &m);
    assert_true(m.u.t8.structured);
    assert_int_equal(m.u.t8.app.dac1fid15.airdraught, 2047);
    json_is(&m, true,
            "{\"class\":\"AIS\",\"device\":\"stdin\",\"type\":8,\"repeat\":0,"
            "\"mmsi\":2300002,\"scaled\":true,\"dac\":1,\"fid\":15,"
            "\"airdraught\":2047}");
}

static void t8_dac1_fid16_persons(void **state)
{
    (void)state;
    struct payload p;
    struct ais_msg m;
    /* IMO289: 136 bits of data, persons at bit 88 */
    head8(&p, 2300003, 1, 16);
    put(&p, 32, 0);
    put(&p, 13, 777);
    pad_to(&p, 56 + 136);
    decode_payload(&p, &m);
    assert_true(m.u.t8.structured);
    assert_int_equal(m.u.t8.app.dac1fid16.persons, 777);
    /* what gpsdecode 3.27.5 prints (see app_json.c) */
    json_is(&m, true,
            "{\"class\":\"AIS\",\"device\":\"stdin\",\"type\":8,\"repeat\":0,"
            "\"mmsi\":2300003,\"scaled\":true,\"dac\":1,\"fid\":16,\"persons\":0}");
    /* IMO236: 72 bits of data, 13 bits from bit 55 (the FI's last bit) */
    head8(&p, 2300003, 1, 16);
    put(&p, 12, 777);
    pad_to(&p, 56 + 72);
    decode_payload(&p, &m);
    assert_true(m.u.t8.structured);
    assert_int_equal(m.u.t8.app.dac1fid16.persons, 777);
    /* real message, 240 bits of data: neither form, stays raw */
    decode_nmea(NMEA("!AIVDM,1,1,,A,802At?00D000qFap02:lA0b@?3fw0001<:iFP2:rf0cCGp0w00,4*5E"),
                &m);
    assert_int_equal(m.u.t8.fid, 16);
    assert_false(m.u.t8.structured);
    json_is(&m, true,
            "{\"class\":\"AIS\",\"device\":\"stdin\",\"type\":8,\"repeat\":0,"
            "\"mmsi\":2391100,\"scaled\":true,\"dac\":1,\"fid\":16,"
            "\"data\":\"240:0000e56a780022b4440a903c3bbf00000130ac568022bab80ad35f803f00\"}");
}

static void t8_dac1_fid17_vts_targets(void **state)
{
    (void)state;
    struct payload p;
    struct ais_msg m;
    head8(&p, 2300004, 1, 17);
    put(&p, 2, 0);              /* MMSI */
    put(&p, 42, 244123456);
    put(&p, 4, 0);
    put(&p, 24, 3600000);       /* 60 N */
    put(&p, 25, -1500000);      /* 25 W */
    put(&p, 9, 359);
    put(&p, 6, 12);
    put(&p, 10, 105);
    put(&p, 2, 2);              /* call sign */
    put_text(&p, "PD6464", 7);
    put(&p, 4, 0);
    put(&p, 24, -30);
    put(&p, 25, 30);
    put(&p, 9, 360);
    put(&p, 6, 60);
    put(&p, 10, 255);
    decode_payload(&p, &m);     /* 300 bits */
    const struct ais_dac1fid17 *a = &m.u.t8.app.dac1fid17;
    assert_true(m.u.t8.structured);
    /* a third target starts exactly at the end: gpsd decodes it from zeros */
    assert_int_equal(a->ntargets, 3);
    assert_int_equal(a->targets[0].idtype, 0);
    assert_int_equal(a->targets[0].id, 244123456);
    assert_int_equal(a->targets[0].lat, 3600000);
    assert_int_equal(a->targets[0].lon, -1500000);
    assert_int_equal(a->targets[0].course, 359);
    assert_int_equal(a->targets[0].second, 12);
    assert_int_equal(a->targets[0].speed, 105);
    assert_int_equal(a->targets[1].idtype, 2);
    assert_string_equal(a->targets[1].id_text, "PD6464");
    assert_int_equal(a->targets[1].lat, -30);
    assert_int_equal(a->targets[1].lon, 30);
    assert_int_equal(a->targets[2].idtype, 0);
    assert_int_equal(a->targets[2].id, 0);
    json_is(&m, true,
            "{\"class\":\"AIS\",\"device\":\"stdin\",\"type\":8,\"repeat\":0,"
            "\"mmsi\":2300004,\"scaled\":true,\"dac\":1,\"fid\":17,\"targets\":["
            "{\"idtype\":0,\"idtype_text\":\"mmsi\",\"mmsi\":\"244123456\","
            "\"lat\":60.000000,\"lon\":-25.000000,\"course\":359,\"second\":12,"
            "\"speed\":105},"
            "{\"idtype\":2,\"idtype_text\":\"callsign\",\"callsign\":\"PD6464\","
            "\"lat\":-0.000500,\"lon\":0.000500,\"course\":360,\"second\":60,"
            "\"speed\":255},"
            "{\"idtype\":0,\"idtype_text\":\"mmsi\",\"mmsi\":\"0\",\"lat\":0.000000,"
            "\"lon\":0.000000,\"course\":0,\"second\":0,\"speed\":0}]}");
}

static void t8_dac1_fid19_traffic_signal(void **state)
{
    (void)state;
    struct payload p;
    struct ais_msg m;
    head8(&p, 2300005, 1, 19);
    put(&p, 10, 9);
    put_text(&p, "KIEL HOLTENAU", 20);
    put(&p, 25, 608400);        /* 10.14 E */
    put(&p, 24, 3261000);       /* 54.35 N */
    put(&p, 2, 1);
    put(&p, 5, 2);
    put(&p, 5, 13);
    put(&p, 6, 40);
    put(&p, 5, 20);             /* past the legend table */
    pad_to(&p, 360);
    decode_payload(&p, &m);
    const struct ais_dac1fid19 *a = &m.u.t8.app.dac1fid19;
    assert_true(m.u.t8.structured);
    assert_int_equal(a->linkage, 9);
    assert_string_equal(a->station, "KIEL HOLTENAU");
    assert_int_equal(a->lon, 608400);
    assert_int_equal(a->lat, 3261000);
    assert_int_equal(a->status, 1);
    assert_int_equal(a->signal, 2);
    assert_int_equal(a->hour, 13);
    assert_int_equal(a->minute, 40);
    assert_int_equal(a->nextsignal, 20);
    /* gpsdecode omits the comma before "nextsignal_text"; we keep JSON valid.
     * Positions are scaled in both modes, as gpsd does. */
    json_is(&m, false,
            "{\"class\":\"AIS\",\"device\":\"stdin\",\"type\":8,\"repeat\":0,"
            "\"mmsi\":2300005,\"scaled\":false,\"dac\":1,\"fid\":19,\"linkage\":9,"
            "\"station\":\"KIEL HOLTENAU\",\"lon\":10.140000,\"lat\":54.350000,"
            "\"status\":1,\"signal\":2,\"signal_text\":\"Vessels shall not proceed.\","
            "\"hour\":13,\"minute\":40,\"nextsignal\":20,"
            "\"nextsignal_text\":\"INVALID SIGNAL TYPE\"}");
}

static void t8_dac1_fid27_route(void **state)
{
    (void)state;
    struct payload p;
    struct ais_msg m;
    head8(&p, 2300006, 1, 27);
    put_route(&p);
    decode_payload(&p, &m);
    assert_true(m.u.t8.structured);
    check_route(&m.u.t8.app.dac1fid27);
    json_is(&m, false,
            "{\"class\":\"AIS\",\"device\":\"stdin\",\"type\":8,\"repeat\":0,"
            "\"mmsi\":2300006,\"scaled\":false,\"dac\":1,\"fid\":27,\"linkage\":77,"
            "\"sender\":2,\"rtype\":31,"
            "\"rtype_text\":\"Cancel route identified by message linkage\","
            "\"start\":\"03-01T06:30Z\",\"duration\":1440,\"waypoints\":["
            "{\"lon\":-3000000,\"lat\":30000000},{\"lon\":108000000,\"lat\":-54000000}]}");
}

static void t8_dac1_fid29_text(void **state)
{
    (void)state;
    struct payload p;
    struct ais_msg m;
    head8(&p, 2300007, 1, 29);
    put(&p, 10, 1000);
    put_text(&p, "GALE WARNING \"SKAGEN\"", 21);
    decode_payload(&p, &m);
    assert_true(m.u.t8.structured);
    assert_int_equal(m.u.t8.app.dac1fid29.linkage, 1000);
    assert_string_equal(m.u.t8.app.dac1fid29.text, "GALE WARNING \"SKAGEN\"");
    json_is(&m, true,
            "{\"class\":\"AIS\",\"device\":\"stdin\",\"type\":8,\"repeat\":0,"
            "\"mmsi\":2300007,\"scaled\":true,\"dac\":1,\"fid\":29,\"linkage\":1000,"
            "\"text\":\"GALE WARNING \\\"SKAGEN\\\"\"}");
}

static void t8_dac1_fid31_meteo(void **state)
{
    (void)state;
    struct ais_msg m;
    decode_nmea(NMEA("!AIVDM,2,1,9,B,8>j`;MP0GhRHI1S`CrTW2?u2Ot1owwnews0F003wwwwwww0001wwwwwwwwh0,0*02",
                     "!AIVDM,2,2,9,B,00,4*18"),
                &m);
    const struct ais_dac1fid31 *a = &m.u.t8.app.dac1fid31;
    assert_true(m.u.t8.structured);
    assert_int_equal(a->lat, 3264671);
    assert_int_equal(a->lon, 1126600);
    assert_false(a->accuracy);
    assert_int_equal(a->stamp.day, 20);
    assert_int_equal(a->stamp.hour, 18);
    assert_int_equal(a->stamp.minute, 28);
    assert_int_equal(a->wspeed, 17);
    assert_int_equal(a->wdir, 132);
    assert_int_equal(a->airtemp, 14);
    assert_int_equal(a->dewpoint, -1);
    assert_int_equal(a->pressure, 214);
    assert_true(a->visgreater);
    assert_int_equal(a->visibility, 127);
    assert_int_equal(a->waterlevel, 1538);
    assert_int_equal(a->watertemp, -1);
    assert_int_equal(a->preciptype, 7);
    assert_int_equal(a->salinity, 511);
    assert_int_equal(a->ice, 3);
    json_is(&m, true,
            "{\"class\":\"AIS\",\"device\":\"stdin\",\"type\":8,\"repeat\":0,"
            "\"mmsi\":992611190,\"scaled\":true,\"dac\":1,\"fid\":31,"
            "\"lat\":54.411183,\"lon\":18.776667,\"accuracy\":false,"
            "\"timestamp\":\"20T18:28Z\",\"wspeed\":17,\"wgust\":127,\"wdir\":132,"
            "\"wgustdir\":511,\"humidity\":127,\"airtemp\":1.4,\"dewpoint\":-0.1,"
            "\"pressure\":1013,\"pressuretend\":\"N/A\",\"visgreater\":true,"
            "\"visibility\":12.7,\"waterlevel\":5.4,\"leveltrend\":\"N/A\","
            "\"cspeed\":0.0,\"cdir\":0,\"cspeed2\":25.5,\"cdir2\":511,\"cdepth2\":31,"
            "\"cspeed3\":25.5,\"cdir3\":511,\"cdepth3\":31,\"waveheight\":0.0,"
            "\"waveperiod\":0,\"wavedir\":0,\"swellheight\":25.5,\"swellperiod\":63,"
            "\"swelldir\":511,\"seastate\":15,\"watertemp\":-0.1,"
            "\"preciptype\":\"N/A\",\"salinity\":51.1,\"ice\":\"N/A\"}");
    json_is(&m, false,
            "{\"class\":\"AIS\",\"device\":\"stdin\",\"type\":8,\"repeat\":0,"
            "\"mmsi\":992611190,\"scaled\":false,\"dac\":1,\"fid\":31,"
            "\"lat\":3264671,\"lon\":1126600,\"accuracy\":false,"
            "\"timestamp\":\"20T18:28Z\",\"wspeed\":17,\"wgust\":127,\"wdir\":132,"
            "\"wgustdir\":511,\"humidity\":127,\"airtemp\":14,\"dewpoint\":-1,"
            "\"pressure\":214,\"pressuretend\":3,\"visgreater\":true,"
            "\"visibility\":127,\"waterlevel\":1538,\"leveltrend\":3,\"cspeed\":0,"
            "\"cdir\":0,\"cspeed2\":255,\"cdir2\":511,\"cdepth2\":31,\"cspeed3\":255,"
            "\"cdir3\":511,\"cdepth3\":31,\"waveheight\":0,\"waveperiod\":0,"
            "\"wavedir\":0,\"swellheight\":255,\"swellperiod\":63,\"swelldir\":511,"
            "\"seastate\":15,\"watertemp\":-1,\"preciptype\":7,\"salinity\":511,"
            "\"ice\":3}");
}

/* Water level below the 1000 cm offset: gpsd's unsigned subtraction wraps
 * and it prints the wrapped value; a tie at the 0.05 boundary rounds as
 * printf does on the binary double (1.25 -> "1.2"). */
static void t8_dac1_fid31_waterlevel(void **state)
{
    (void)state;
    static const struct { unsigned level; const char *text; } cases[] = {
        {999, "42949673.0"}, {1125, "1.2"}, {1015, "0.1"}, {1000, "0.0"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct payload p;
        struct ais_msg m;
        char want[64], buf[AIS_LINE_MAX];
        head8(&p, 2300008, 1, 31);
        pad_to(&p, 201);
        put(&p, 12, cases[i].level);
        pad_to(&p, 360);
        decode_payload(&p, &m);
        assert_true(m.u.t8.structured);
        assert_int_equal(m.u.t8.app.dac1fid31.waterlevel, cases[i].level);
        size_t n = ais_json(&m, true, NULL, buf, sizeof buf - 1);
        assert_true(n > 0);
        buf[n] = '\0';
        snprintf(want, sizeof want, "\"waterlevel\":%s,", cases[i].text);
        assert_non_null(strstr(buf, want));
    }
}

static void t8_dac200_fid10_inland_static(void **state)
{
    (void)state;
    struct ais_msg m;
    decode_nmea(NMEA("!AIVDM,1,1,,A,83403OPj2d<dtu>M>B`i;?a@:tt0,0*49"), &m);
    const struct ais_dac200fid10 *a = &m.u.t8.app.dac200fid10;
    assert_true(m.u.t8.structured);
    assert_string_equal(a->vin, "02334949");
    assert_int_equal(a->length, 1350);
    assert_int_equal(a->beam, 150);
    assert_int_equal(a->shiptype, 8010);
    assert_int_equal(a->hazard, 0);
    assert_int_equal(a->draught, 350);
    assert_int_equal(a->loaded, 1);
    assert_true(a->speed_q);
    assert_true(a->course_q);
    assert_true(a->heading_q);
    json_is(&m, true,
            "{\"class\":\"AIS\",\"device\":\"stdin\",\"type\":8,\"repeat\":0,"
            "\"mmsi\":205521790,\"scaled\":true,\"dac\":200,\"fid\":10,"
            "\"vin\":\"02334949\",\"length\":1350,\"beam\":150,\"shiptype\":8010,"
            "\"shiptype_text\":\"Motor freighter\",\"hazard\":0,"
            "\"hazard_text\":\"0 blue cones/lights\",\"draught\":350,\"loaded\":1,"
            "\"loaded_text\":\"Unloaded\",\"speed_q\":true,\"course_q\":true,"
            "\"heading_q\":true}");
    /* an unknown hazard code (> 5) makes gpsd treat it as raw data */
    struct payload p;
    head8(&p, 2300009, 200, 10);
    put_text(&p, "02334949", 8);
    put(&p, 13, 800);
    put(&p, 10, 95);
    put(&p, 14, 79);            /* AIS type 79 -> first ERI row mapping to it */
    put(&p, 3, 5);
    put(&p, 11, 0);
    put(&p, 2, 3);              /* past the load-status table */
    pad_to(&p, 168);
    decode_payload(&p, &m);
    assert_true(m.u.t8.structured);
    json_is(&m, false,
            "{\"class\":\"AIS\",\"device\":\"stdin\",\"type\":8,\"repeat\":0,"
            "\"mmsi\":2300009,\"scaled\":false,\"dac\":200,\"fid\":10,"
            "\"vin\":\"02334949\",\"length\":800,\"beam\":95,\"shiptype\":79,"
            "\"shiptype_text\":\"Motor freighter\",\"hazard\":5,"
            "\"hazard_text\":\"Unknown\",\"draught\":0,\"loaded\":3,"
            "\"loaded_text\":\"INVALID LOAD STATUS\",\"speed_q\":false,"
            "\"course_q\":false,\"heading_q\":false}");
    p.b[142 / 8] |= 0x80 >> (142 % 8);     /* hazard 5 -> 7 */
    decode_payload(&p, &m);
    assert_false(m.u.t8.structured);
}

static void t8_dac200_fid23_emma(void **state)
{
    (void)state;
    struct payload p;
    struct ais_msg m;
    head8(&p, 2300010, 200, 23);
    put(&p, 8, 24);             /* start 2024-05-17 */
    put(&p, 4, 5);
    put(&p, 5, 17);
    put(&p, 8, 24);             /* end 2024-05-19 */
    put(&p, 4, 5);
    put(&p, 5, 19);
    put(&p, 5, 6);              /* start 06:15 */
    put(&p, 6, 15);
    put(&p, 5, 22);             /* end 22:45 */
    put(&p, 6, 45);
    put(&p, 28, 4200000);       /* 7 E */
    put(&p, 27, 30600000);      /* 51 N */
    put(&p, 28, -60);
    put(&p, 27, 60);
    put(&p, 4, 8);              /* flood */
    put(&p, 9, -15);
    put(&p, 9, 255);
    put(&p, 2, 3);              /* past the class table */
    put(&p, 4, 3);              /* east */
    pad_to(&p, 256);
    decode_payload(&p, &m);
    const struct ais_dac200fid23 *a = &m.u.t8.app.dac200fid23;
    assert_true(m.u.t8.structured);
    assert_int_equal(a->start.year, 24);
    assert_int_equal(a->start.month, 5);
    assert_int_equal(a->start.day, 17);
    assert_int_equal(a->start.hour, 6);
    assert_int_equal(a->start.minute, 15);
    assert_int_equal(a->end.day, 19);
    assert_int_equal(a->end.hour, 22);
    assert_int_equal(a->end.minute, 45);
    assert_int_equal(a->start_lon, 4200000);
    assert_int_equal(a->start_lat, 30600000);
    assert_int_equal(a->end_lon, -60);
    assert_int_equal(a->end_lat, 60);
    assert_int_equal(a->type, 8);
    assert_int_equal(a->min, -15);
    assert_int_equal(a->max, 255);
    assert_int_equal(a->intensity, 3);
    assert_int_equal(a->wind, 3);
    /* gpsd prints the start as year-month-hour T minute:day */
    json_is(&m, true,
            "{\"class\":\"AIS\",\"device\":\"stdin\",\"type\":8,\"repeat\":0,"
            "\"mmsi\":2300010,\"scaled\":true,\"dac\":200,\"fid\":23,"
            "\"start\":\"2024-05-06T15:17\",\"end\":\"2024-05-19T22:45\","
            "\"start_lon\":7.0000000,\"start_lat\":51.0000000,"
            "\"end_lon\":-0.0001000,\"end_lat\":0.0001000,\"type\":8,"
            "\"type_text\":\"Flood\",\"min\":-15,\"max\":255,\"class\":3,"
            "\"class_text\":\"INVALID EMMA TYPE\",\"wind\":3,\"wind_text\":\"East\"}");
}

static void t8_dac200_fid24_water_levels(void **state)
{
    (void)state;
    struct payload p;
    struct ais_msg m;
    head8(&p, 2300011, 200, 24);
    put_text(&p, "AT", 2);
    for (int i = 0; i < 4; i++) {
        put(&p, 11, 100 + i);
        put(&p, 14, i % 2 ? -250 * i : 300 * i);
    }
    pad_to(&p, 168);
    decode_payload(&p, &m);
    const struct ais_dac200fid24 *a = &m.u.t8.app.dac200fid24;
    assert_true(m.u.t8.structured);
    assert_string_equal(a->country, "AT");
    assert_int_equal(a->ngauges, 4);
    assert_int_equal(a->gauges[0].id, 100);
    assert_int_equal(a->gauges[0].level, 0);
    assert_int_equal(a->gauges[3].id, 103);
    assert_int_equal(a->gauges[3].level, -750);
    json_is(&m, true,
            "{\"class\":\"AIS\",\"device\":\"stdin\",\"type\":8,\"repeat\":0,"
            "\"mmsi\":2300011,\"scaled\":true,\"dac\":200,\"fid\":24,"
            "\"country\":\"AT\",\"gauges\":[{\"id\":100,\"level\":0},"
            "{\"id\":101,\"level\":-250},{\"id\":102,\"level\":600},"
            "{\"id\":103,\"level\":-750}]}");
}

static void t8_dac200_fid40_signal_status(void **state)
{
    (void)state;
    struct payload p;
    struct ais_msg m;
    head8(&p, 2300012, 200, 40);
    put(&p, 28, 3960000);       /* 6.6 E */
    put(&p, 27, 30780000);      /* 51.3 N */
    put(&p, 4, 2);
    put(&p, 9, 270);
    put(&p, 3, 2);
    put(&p, 30, 5);
    pad_to(&p, 168);
    decode_payload(&p, &m);
    const struct ais_dac200fid40 *a = &m.u.t8.app.dac200fid40;
    assert_true(m.u.t8.structured);
    assert_int_equal(a->lon, 3960000);
    assert_int_equal(a->lat, 30780000);
    assert_int_equal(a->form, 2);
    assert_int_equal(a->facing, 270);
    assert_int_equal(a->direction, 2);
    assert_int_equal(a->status, 5);
    json_is(&m, true,
            "{\"class\":\"AIS\",\"device\":\"stdin\",\"type\":8,\"repeat\":0,"
            "\"mmsi\":2300012,\"scaled\":true,\"dac\":200,\"fid\":40,"
            "\"lon\":6.6000000,\"lat\":51.3000000,\"form\":2,\"facing\":270,"
            "\"direction\":2,\"direction_text\":\"Downstream\",\"status\":5,"
            "\"status_text\":\"Red\"}");
}

/* The largest payloads: every repeated group stays inside its array. */
static void groups_at_maximum_length(void **state)
{
    (void)state;
    struct payload p;
    struct ais_msg m;
    head6(&p, 211000012, 244000007, 1, 32);
    memset(p.b + 11, 0xFF, 115);
    pad_to(&p, 1008);
    decode_payload(&p, &m);
    assert_int_equal(m.u.t6.app.dac1fid32.ntidals, AIS_TIDALS_MAX);
    head6(&p, 211000012, 244000007, 1, 25);
    memset(p.b + 11, 0xFF, 115);
    pad_to(&p, 1008);
    decode_payload(&p, &m);
    assert_int_equal(m.u.t6.app.dac1fid25.ncargos, AIS_DAC1FID25_CARGOS_MAX);
    head6(&p, 211000012, 244000007, 1, 28);
    memset(p.b + 11, 0xFF, 115);
    pad_to(&p, 1008);
    decode_payload(&p, &m);
    assert_int_equal(m.u.t6.app.dac1fid28.waycount, AIS_ROUTE_WAYPOINTS_MAX);
    /* waypoints past the end of the message read as zero */
    assert_int_equal(m.u.t6.app.dac1fid28.waypoints[30].lon, 0);
    head8(&p, 2300013, 1, 17);
    memset(p.b + 7, 0xFF, 119);
    pad_to(&p, 1008);
    decode_payload(&p, &m);
    assert_int_equal(m.u.t8.app.dac1fid17.ntargets, AIS_TARGETS_MAX);
    char buf[AIS_LINE_MAX];
    assert_true(ais_json(&m, true, "stdin", buf, sizeof buf) > 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(t6_dac1_fid12_dangerous_cargo),
        cmocka_unit_test(t6_dac1_fid14_tidal_window),
        cmocka_unit_test(t6_dac1_fid15_air_draught),
        cmocka_unit_test(t6_dac1_fid16_persons),
        cmocka_unit_test(t6_dac1_fid18_clearance),
        cmocka_unit_test(t6_dac1_fid20_berthing),
        cmocka_unit_test(t6_dac1_fid25_cargos),
        cmocka_unit_test(t6_dac1_fid28_route),
        cmocka_unit_test(t6_dac1_fid30_text),
        cmocka_unit_test(t6_dac1_fid32_tidal_window),
        cmocka_unit_test(t6_dac200_fid21_eta),
        cmocka_unit_test(t6_dac200_fid22_rta),
        cmocka_unit_test(t6_dac200_fid55_persons),
        cmocka_unit_test(t6_dac235_fid10_aton_monitoring),
        cmocka_unit_test(t6_dac250_fid10_aton_monitoring),
        cmocka_unit_test(t8_dac1_fid11_meteo),
        cmocka_unit_test(t8_dac1_fid13_fairway_closed),
        cmocka_unit_test(t8_dac1_fid15_air_draught),
        cmocka_unit_test(t8_dac1_fid16_persons),
        cmocka_unit_test(t8_dac1_fid17_vts_targets),
        cmocka_unit_test(t8_dac1_fid19_traffic_signal),
        cmocka_unit_test(t8_dac1_fid27_route),
        cmocka_unit_test(t8_dac1_fid29_text),
        cmocka_unit_test(t8_dac1_fid31_meteo),
        cmocka_unit_test(t8_dac1_fid31_waterlevel),
        cmocka_unit_test(t8_dac200_fid10_inland_static),
        cmocka_unit_test(t8_dac200_fid23_emma),
        cmocka_unit_test(t8_dac200_fid24_water_levels),
        cmocka_unit_test(t8_dac200_fid40_signal_status),
        cmocka_unit_test(groups_at_maximum_length),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
