/*
 * json.c - struct ais_msg -> one JSON object, in gpsd's AIS JSON dialect.
 *
 * Member names, order, number formats, scaling and the spelling of special
 * values ("n/a", "fastleft", "nan", ...) are those of gpsdecode -j (scaled)
 * and -u -j (raw), gpsd 3.27; tests/ais compare with gpsd's own expected
 * output byte for byte. One known gpsd bug is not reproduced: gpsd 3.27.5
 * omits the comma after "status_text" in scaled type 27 (fixed in gpsd's
 * tree and in its sample.aivdm.js.chk); we print valid JSON.
 */
#include <stdlib.h>

#include "ais/internal.h"
#include "ais/legend.h"

#define LIT(x) SB_LIT(sb, x)

/* lat/lon in 1/10000 minute -> degrees, 7 decimals */
static void latlon7(ald_sb *sb, int v)
{
    sb_ratio(sb, v, 600000, 7);
}

static inline void member_u(ald_sb *sb, const char *key, size_t klen, uint64_t v)
{
    sb_put(sb, key, klen);
    sb_u64(sb, v);
}
#define MU(k, v) member_u(sb, "," k ":", sizeof("," k ":") - 1, (v))
#define MI(k, v) do { LIT("," k ":"); sb_i64(sb, (v)); } while (0)
#define MB(k, v) do { LIT("," k ":"); sb_bool(sb, (v)); } while (0)
#define MS(k, v) do { LIT("," k ":\""); sb_jstr(sb, (v)); sb_putc(sb, '"'); } while (0)
#define MSRAW(k, v) do { LIT("," k ":\""); sb_puts(sb, (v)); sb_putc(sb, '"'); } while (0)

#include "ais/turn_text.h"

static void j_turn(ald_sb *sb, int turn)
{
    if (abs(turn) >= 128) {
        LIT("\"n/a\"");
    } else if (turn == -127) {
        LIT("\"fastleft\"");
    } else if (turn == 127) {
        LIT("\"fastright\"");
    } else {
        /* ROT_AIS = 4.733 * sqrt(ROT_ind) (M.1371-5 table 45), signed */
        sb_putc(sb, '"');
        sb_puts(sb, turn_text[turn + 126]);
        sb_putc(sb, '"');
    }
}

static void j_pos123(ald_sb *sb, const struct ais_pos123 *t, bool scaled)
{
    MU("\"status\"", t->status);
    MSRAW("\"status_text\"", ais_nav_status_text(t->status));
    if (scaled) {
        LIT(",\"turn\":");
        j_turn(sb, t->turn);
        LIT(",\"speed\":");
        if (t->speed == 1023)
            LIT("\"n/a\"");
        else if (t->speed == 1022)
            LIT("\"fast\"");
        else
            sb_ratio(sb, t->speed, 10, 1);
        MB("\"accuracy\"", t->accuracy);
        LIT(",\"lon\":");
        latlon7(sb, t->lon);
        LIT(",\"lat\":");
        latlon7(sb, t->lat);
        LIT(",\"course\":");
        sb_ratio(sb, t->course, 10, 1);
    } else {
        MI("\"turn\"", t->turn);
        MU("\"speed\"", t->speed);
        MB("\"accuracy\"", t->accuracy);
        MI("\"lon\"", t->lon);
        MI("\"lat\"", t->lat);
        MU("\"course\"", t->course);
    }
    MU("\"heading\"", t->heading);
    MU("\"second\"", t->second);
    MU("\"maneuver\"", t->maneuver);
    MB("\"raim\"", t->raim);
    MU("\"radio\"", t->radio);
}

static void j_base4(ald_sb *sb, const struct ais_base4 *t, bool scaled)
{
    LIT(",\"timestamp\":\"");
    sb_u_pad(sb, t->year, 4);
    sb_putc(sb, '-');
    sb_u_pad(sb, t->month, 2);
    sb_putc(sb, '-');
    sb_u_pad(sb, t->day, 2);
    sb_putc(sb, 'T');
    sb_u_pad(sb, t->hour, 2);
    sb_putc(sb, ':');
    sb_u_pad(sb, t->minute, 2);
    sb_putc(sb, ':');
    sb_u_pad(sb, t->second, 2);
    LIT("Z\"");
    MB("\"accuracy\"", t->accuracy);
    if (scaled) {
        LIT(",\"lon\":");
        latlon7(sb, t->lon);
        LIT(",\"lat\":");
        latlon7(sb, t->lat);
    } else {
        MI("\"lon\"", t->lon);
        MI("\"lat\"", t->lat);
    }
    MU("\"epfd\"", t->epfd);
    MSRAW("\"epfd_text\"", ais_epfd_text(t->epfd));
    MB("\"raim\"", t->raim);
    MU("\"radio\"", t->radio);
}

/* "MM-DDTHH:MMZ" partial dates (ETA and friends) */
static void mdhm(ald_sb *sb, unsigned mo, unsigned d, unsigned h, unsigned mi)
{
    sb_u_pad(sb, mo, 2);
    sb_putc(sb, '-');
    sb_u_pad(sb, d, 2);
    sb_putc(sb, 'T');
    sb_u_pad(sb, h, 2);
    sb_putc(sb, ':');
    sb_u_pad(sb, mi, 2);
    sb_putc(sb, 'Z');
}

static void j_static5(ald_sb *sb, const struct ais_static5 *t, bool scaled)
{
    MU("\"imo\"", t->imo);
    MU("\"ais_version\"", t->ais_version);
    MS("\"callsign\"", t->callsign);
    MS("\"shipname\"", t->shipname);
    MU("\"shiptype\"", t->shiptype);
    MSRAW("\"shiptype_text\"", ais_ship_type_text(t->shiptype));
    MU("\"to_bow\"", t->to_bow);
    MU("\"to_stern\"", t->to_stern);
    MU("\"to_port\"", t->to_port);
    MU("\"to_starboard\"", t->to_starboard);
    MU("\"epfd\"", t->epfd);
    MSRAW("\"epfd_text\"", ais_epfd_text(t->epfd));
    LIT(",\"eta\":\"");
    mdhm(sb, t->month, t->day, t->hour, t->minute);
    sb_putc(sb, '"');
    LIT(",\"draught\":");
    if (scaled)
        sb_ratio(sb, t->draught, 10, 1);
    else
        sb_u64(sb, t->draught);
    MS("\"destination\"", t->destination);
    MU("\"dte\"", t->dte);
}

static void j_data(ald_sb *sb, size_t bitcount, const uint8_t *data)
{
    LIT(",\"data\":\"");
    sb_u64(sb, bitcount);
    sb_putc(sb, ':');
    sb_hex(sb, data, (bitcount + 7) / 8);
    sb_putc(sb, '"');
}

static void j_binmsg6(ald_sb *sb, const struct ais_binmsg6 *t, bool scaled)
{
    MU("\"seqno\"", t->seqno);
    MU("\"dest_mmsi\"", t->dest_mmsi);
    MB("\"retransmit\"", t->retransmit);
    MU("\"dac\"", t->dac);
    MU("\"fid\"", t->fid);
    if (t->structured)
        ais_app6_json(sb, t, scaled);
    else
        j_data(sb, t->bitcount, t->bitdata);
}

static void j_binmsg8(ald_sb *sb, const struct ais_binmsg8 *t, bool scaled)
{
    MU("\"dac\"", t->dac);
    MU("\"fid\"", t->fid);
    if (t->structured)
        ais_app8_json(sb, t, scaled);
    else
        j_data(sb, t->bitcount, t->bitdata);
}

static void j_sar9(ald_sb *sb, const struct ais_sar9 *t, bool scaled)
{
    if (scaled) {
        LIT(",\"alt\":");
        if (t->alt == 4095)
            LIT("\"nan\"");
        else if (t->alt == 4094)
            LIT("\"high\"");
        else
            sb_u64(sb, t->alt);
        LIT(",\"speed\":");
        if (t->speed == 1023)
            LIT("\"nan\"");
        else if (t->speed == 1022)
            LIT("\"fast\"");
        else
            sb_u64(sb, t->speed);
        MB("\"accuracy\"", t->accuracy);
        LIT(",\"lon\":");
        latlon7(sb, t->lon);
        LIT(",\"lat\":");
        latlon7(sb, t->lat);
        LIT(",\"course\":");
        sb_ratio(sb, t->course, 10, 1);
    } else {
        MU("\"alt\"", t->alt);
        MU("\"speed\"", t->speed);
        MB("\"accuracy\"", t->accuracy);
        MI("\"lon\"", t->lon);
        MI("\"lat\"", t->lat);
        MU("\"course\"", t->course);
    }
    MU("\"second\"", t->second);
    MU("\"regional\"", t->regional);
    MU("\"dte\"", t->dte);
    MB("\"raim\"", t->raim);
    MU("\"radio\"", t->radio);
}

static void j_gnss17(ald_sb *sb, const struct ais_gnss17 *t, bool scaled)
{
    if (scaled) {
        LIT(",\"lon\":");
        sb_ratio(sb, t->lon, 600, 1);
        LIT(",\"lat\":");
        sb_ratio(sb, t->lat, 600, 1);
    } else {
        MI("\"lon\"", t->lon);
        MI("\"lat\"", t->lat);
    }
    j_data(sb, t->bitcount, t->bitdata);
}

static void j_classb18(ald_sb *sb, const struct ais_classb18 *t, bool scaled)
{
    MU("\"reserved\"", t->reserved);
    if (scaled) {
        LIT(",\"speed\":");
        sb_ratio(sb, t->speed, 10, 1);
        MB("\"accuracy\"", t->accuracy);
        LIT(",\"lon\":");
        latlon7(sb, t->lon);
        LIT(",\"lat\":");
        latlon7(sb, t->lat);
        LIT(",\"course\":");
        sb_ratio(sb, t->course, 10, 1);
    } else {
        MU("\"speed\"", t->speed);
        MB("\"accuracy\"", t->accuracy);
        MI("\"lon\"", t->lon);
        MI("\"lat\"", t->lat);
        MU("\"course\"", t->course);
    }
    MU("\"heading\"", t->heading);
    MU("\"second\"", t->second);
    MU("\"regional\"", t->regional);
    MB("\"cs\"", t->cs);
    MB("\"display\"", t->display);
    MB("\"dsc\"", t->dsc);
    MB("\"band\"", t->band);
    MB("\"msg22\"", t->msg22);
    MB("\"raim\"", t->raim);
    MU("\"radio\"", t->radio);
}

static void j_classb19(ald_sb *sb, const struct ais_classb19 *t, bool scaled)
{
    MU("\"reserved\"", t->reserved);
    if (scaled) {
        LIT(",\"speed\":");
        sb_ratio(sb, t->speed, 10, 1);
        MB("\"accuracy\"", t->accuracy);
        LIT(",\"lon\":");
        latlon7(sb, t->lon);
        LIT(",\"lat\":");
        latlon7(sb, t->lat);
        LIT(",\"course\":");
        sb_ratio(sb, t->course, 10, 1);
    } else {
        MU("\"speed\"", t->speed);
        MB("\"accuracy\"", t->accuracy);
        MI("\"lon\"", t->lon);
        MI("\"lat\"", t->lat);
        MU("\"course\"", t->course);
    }
    MU("\"heading\"", t->heading);
    MU("\"second\"", t->second);
    MU("\"regional\"", t->regional);
    MS("\"shipname\"", t->shipname);
    MU("\"shiptype\"", t->shiptype);
    MSRAW("\"shiptype_text\"", ais_ship_type_text(t->shiptype));
    MU("\"to_bow\"", t->to_bow);
    MU("\"to_stern\"", t->to_stern);
    MU("\"to_port\"", t->to_port);
    MU("\"to_starboard\"", t->to_starboard);
    MU("\"epfd\"", t->epfd);
    MSRAW("\"epfd_text\"", ais_epfd_text(t->epfd));
    MB("\"raim\"", t->raim);
    MU("\"dte\"", t->dte);
    MB("\"assigned\"", t->assigned);
}

static void j_dlm20(ald_sb *sb, const struct ais_dlm20 *t)
{
    static const char *const k[4][4] = {
        {",\"offset1\":", ",\"number1\":", ",\"timeout1\":", ",\"increment1\":"},
        {",\"offset2\":", ",\"number2\":", ",\"timeout2\":", ",\"increment2\":"},
        {",\"offset3\":", ",\"number3\":", ",\"timeout3\":", ",\"increment3\":"},
        {",\"offset4\":", ",\"number4\":", ",\"timeout4\":", ",\"increment4\":"},
    };
    for (int i = 0; i < 4; i++) {
        sb_puts(sb, k[i][0]); sb_u64(sb, t->offset[i]);
        sb_puts(sb, k[i][1]); sb_u64(sb, t->number[i]);
        sb_puts(sb, k[i][2]); sb_u64(sb, t->timeout[i]);
        sb_puts(sb, k[i][3]); sb_u64(sb, t->increment[i]);
    }
}

static void j_aton21(ald_sb *sb, const struct ais_aton21 *t, bool scaled)
{
    MU("\"aid_type\"", t->aid_type);
    MSRAW("\"aid_type_text\"", ais_navaid_type_text(t->aid_type));
    MS("\"name\"", t->name);
    if (scaled) {
        LIT(",\"lon\":");
        latlon7(sb, t->lon);
        LIT(",\"lat\":");
        latlon7(sb, t->lat);
        MB("\"accuracy\"", t->accuracy);
    } else {
        MB("\"accuracy\"", t->accuracy);
        MI("\"lon\"", t->lon);
        MI("\"lat\"", t->lat);
    }
    MU("\"to_bow\"", t->to_bow);
    MU("\"to_stern\"", t->to_stern);
    MU("\"to_port\"", t->to_port);
    MU("\"to_starboard\"", t->to_starboard);
    MU("\"epfd\"", t->epfd);
    MSRAW("\"epfd_text\"", ais_epfd_text(t->epfd));
    MU("\"second\"", t->second);
    MU("\"regional\"", t->regional);
    MB("\"off_position\"", t->off_position);
    MB("\"raim\"", t->raim);
    MB("\"virtual_aid\"", t->virtual_aid);
}

/* area corners of types 22/23: 1/10 minute -> degrees as quoted "%f" */
static void corner(ald_sb *sb, const char *key, int v, bool scaled)
{
    sb_puts(sb, key);
    if (scaled) {
        sb_putc(sb, '"');
        sb_ratio(sb, v, 600, 6);
        sb_putc(sb, '"');
    } else {
        sb_i64(sb, v);
    }
}

static void j_chan22(ald_sb *sb, const struct ais_chan22 *t, bool scaled)
{
    MU("\"channel_a\"", t->channel_a);
    MU("\"channel_b\"", t->channel_b);
    MU("\"txrx\"", t->txrx);
    MB("\"power\"", t->power);
    if (t->addressed) {
        MU("\"dest1\"", t->dest1);
        MU("\"dest2\"", t->dest2);
    } else {
        corner(sb, ",\"ne_lon\":", t->ne_lon, scaled);
        corner(sb, ",\"ne_lat\":", t->ne_lat, scaled);
        corner(sb, ",\"sw_lon\":", t->sw_lon, scaled);
        corner(sb, ",\"sw_lat\":", t->sw_lat, scaled);
    }
    MB("\"addressed\"", t->addressed);
    MB("\"band_a\"", t->band_a);
    MB("\"band_b\"", t->band_b);
    MU("\"zonesize\"", t->zonesize);
}

static void j_group23(ald_sb *sb, const struct ais_group23 *t, bool scaled)
{
    corner(sb, ",\"ne_lon\":", t->ne_lon, scaled);
    corner(sb, ",\"ne_lat\":", t->ne_lat, scaled);
    corner(sb, ",\"sw_lon\":", t->sw_lon, scaled);
    corner(sb, ",\"sw_lat\":", t->sw_lat, scaled);
    MU("\"stationtype\"", t->stationtype);
    MSRAW("\"stationtype_text\"", ais_station_type_text(t->stationtype));
    MU("\"shiptype\"", t->shiptype);
    MSRAW("\"shiptype_text\"", ais_ship_type_text(t->shiptype));
    MU("\"interval\"", t->interval);
    MU("\"quiet\"", t->quiet);
}

static void j_static24(ald_sb *sb, unsigned mmsi, const struct ais_static24 *t)
{
    static const char *const partnames[] = {"AB", "A", "B"};
    if (t->part != AIS_PART_BOTH)
        MSRAW("\"part\"", partnames[t->part]);
    if (t->part != AIS_PART_B)
        MS("\"shipname\"", t->shipname);
    if (t->part != AIS_PART_A) {
        MU("\"shiptype\"", t->shiptype);
        MSRAW("\"shiptype_text\"", ais_ship_type_text(t->shiptype));
        MS("\"vendorid\"", t->vendorid);
        MU("\"model\"", t->model);
        MU("\"serial\"", t->serial);
        MS("\"callsign\"", t->callsign);
        if (mmsi / 10000000 == 98) {
            MU("\"mothership_mmsi\"", t->mothership_mmsi);
        } else {
            MU("\"to_bow\"", t->to_bow);
            MU("\"to_stern\"", t->to_stern);
            MU("\"to_port\"", t->to_port);
            MU("\"to_starboard\"", t->to_starboard);
        }
    }
}

static void j_binslot(ald_sb *sb, unsigned type, const struct ais_binslot *t)
{
    MB("\"addressed\"", t->addressed);
    MB("\"structured\"", t->structured);
    MU("\"dest_mmsi\"", t->dest_mmsi);
    MU("\"app_id\"", t->app_id);
    j_data(sb, t->bitcount, t->bitdata);
    if (type == 26)
        MU("\"radio\"", t->radio);
}

static void j_longrange27(ald_sb *sb, const struct ais_longrange27 *t, bool scaled)
{
    MU("\"status\"", t->status);
    if (scaled) {
        MSRAW("\"status_text\"", ais_nav_status_text(t->status));
        MB("\"accuracy\"", t->accuracy);
        LIT(",\"lon\":");
        sb_ratio(sb, t->lon, 600, 4);
        LIT(",\"lat\":");
        sb_ratio(sb, t->lat, 600, 4);
    } else {
        MB("\"accuracy\"", t->accuracy);
        MI("\"lon\"", t->lon);
        MI("\"lat\"", t->lat);
    }
    MU("\"speed\"", t->speed);
    MU("\"course\"", t->course);
    MB("\"raim\"", t->raim);
    MB("\"gnss\"", t->gnss);
}

static void j_body(ald_sb *sb, const struct ais_msg *m, bool scaled)
{
    const struct ais_ack7 *a;
    const struct ais_interr15 *q;
    const struct ais_assign16 *g;
    switch (m->type) {
    case 1: case 2: case 3: j_pos123(sb, &m->u.t1, scaled); break;
    case 4: case 11:        j_base4(sb, &m->u.t4, scaled); break;
    case 5:                 j_static5(sb, &m->u.t5, scaled); break;
    case 6:                 j_binmsg6(sb, &m->u.t6, scaled); break;
    case 7: case 13:
        a = &m->u.t7;
        MU("\"mmsi1\"", a->mmsi1);
        MU("\"mmsi2\"", a->mmsi2);
        MU("\"mmsi3\"", a->mmsi3);
        MU("\"mmsi4\"", a->mmsi4);
        break;
    case 8:                 j_binmsg8(sb, &m->u.t8, scaled); break;
    case 9:                 j_sar9(sb, &m->u.t9, scaled); break;
    case 10:                MU("\"dest_mmsi\"", m->u.t10_dest_mmsi); break;
    case 12:
        MU("\"seqno\"", m->u.t12.seqno);
        MU("\"dest_mmsi\"", m->u.t12.dest_mmsi);
        MB("\"retransmit\"", m->u.t12.retransmit);
        MS("\"text\"", m->u.t12.text);
        break;
    case 14:                MS("\"text\"", m->u.t12.text); break;
    case 15:
        q = &m->u.t15;
        MU("\"mmsi1\"", q->mmsi1);
        MU("\"type1_1\"", q->type1_1);
        MU("\"offset1_1\"", q->offset1_1);
        MU("\"type1_2\"", q->type1_2);
        MU("\"offset1_2\"", q->offset1_2);
        MU("\"mmsi2\"", q->mmsi2);
        MU("\"type2_1\"", q->type2_1);
        MU("\"offset2_1\"", q->offset2_1);
        break;
    case 16:
        g = &m->u.t16;
        MU("\"mmsi1\"", g->mmsi1);
        MU("\"offset1\"", g->offset1);
        MU("\"increment1\"", g->increment1);
        MU("\"mmsi2\"", g->mmsi2);
        MU("\"offset2\"", g->offset2);
        MU("\"increment2\"", g->increment2);
        break;
    case 17:                j_gnss17(sb, &m->u.t17, scaled); break;
    case 18:                j_classb18(sb, &m->u.t18, scaled); break;
    case 19:                j_classb19(sb, &m->u.t19, scaled); break;
    case 20:                j_dlm20(sb, &m->u.t20); break;
    case 21:                j_aton21(sb, &m->u.t21, scaled); break;
    case 22:                j_chan22(sb, &m->u.t22, scaled); break;
    case 23:                j_group23(sb, &m->u.t23, scaled); break;
    case 24:                j_static24(sb, m->mmsi, &m->u.t24); break;
    case 25: case 26:       j_binslot(sb, m->type, &m->u.t25); break;
    case 27:                j_longrange27(sb, &m->u.t27, scaled); break;
    default: break;
    }
}

size_t ais_json(const struct ais_msg *m, bool scaled, const char *device,
                char *dst, size_t cap)
{
    ald_sb s, *sb = &s;
    sb_init(sb, dst, cap);
    LIT("{\"class\":\"AIS\"");
    if (device && device[0]) {
        LIT(",\"device\":\"");
        sb_puts(sb, device);
        sb_putc(sb, '"');
    }
    MU("\"type\"", m->type);
    MU("\"repeat\"", m->repeat);
    MU("\"mmsi\"", m->mmsi);
    MB("\"scaled\"", scaled);
    j_body(sb, m, scaled);
    sb_putc(sb, '}');
    if (sb->overflow)
        return 0;
    return (size_t)(sb->p - dst);
}
