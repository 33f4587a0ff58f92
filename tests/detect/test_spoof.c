/*
 * test_spoof.c - the identity and spoofing detector (lib/detect/spoof.c) and
 * the MID table and MMSI forms (lib/detect/mid.c): each event kind with its
 * exact fields, every threshold both ways, storm limits, the MID table against
 * libais's mid.csv, and the real exactEarth 2012 capture run through decoder
 * -> tracker -> engine, whose every event is listed below with why it is right.
 */
#include "testutil.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zstd.h>

#include "alidade/ais.h"
#include "alidade/detect.h"
#include "alidade/track.h"
#include "detect/internal.h"

#define MAXEV 64
#define KM_1DEG 111.1950802335329     /* 1 degree of latitude, R = 6371.0088 km */

struct got {
    int n;
    struct det_event e[MAXEV];
};

static bool spoof_kind(enum det_kind k)
{
    return k == DET_TELEPORT || k == DET_MMSI_CLASH || k == DET_INVALID_MMSI ||
           k == DET_IDENTITY_CHANGE;
}

static void collect(void *ctx, const struct det_event *e)
{
    struct got *g = ctx;
    if (spoof_kind(e->kind) && g->n < MAXEV)
        g->e[g->n++] = *e;
}

static struct trk_fix fix(uint32_t mmsi, int64_t t_s, double lat, double lon)
{
    struct trk_fix f = {.mmsi = mmsi, .segment = 1, .t = t_s * 1000,
                        .lat = (int32_t)lround(lat * TRK_DEG),
                        .lon = (int32_t)lround(lon * TRK_DEG), .sog = 100,
                        .cog = TRK_COG_NA, .heading = TRK_HEADING_NA, .nav_status = 0,
                        .msg_type = 1};
    return f;
}

static const struct trk_static no_static;

static det_engine *engine(const struct det_config *cfg, const struct det_geo *geo,
                          struct got *g)
{
    memset(g, 0, sizeof *g);
    det_engine *d = det_new(cfg, geo, collect, g);
    assert_non_null(d);
    return d;
}

static void feed(det_engine *d, uint32_t mmsi, int64_t t_s, double lat, double lon)
{
    struct trk_fix f = fix(mmsi, t_s, lat, lon);
    det_feed_fix(d, &f, &no_static);
}

static bool near(double a, double b)
{
    return fabs(a - b) < 1e-9;
}

/* ---- mid.c ---- */

/* Every row of libais's mid.csv (the shared data's MID table, 289 MIDs) is
 * in the table with its country verbatim; the one addition is 374 (Panama),
 * which the snapshot lacks and real 2021 traffic uses. */
static void mid_table_is_libais(void **state)
{
    (void)state;
    assert_string_equal(det_mid_country(503), "Australia");
    assert_string_equal(det_mid_country(201), "Albania (Republic of)");
    assert_string_equal(det_mid_country(775), "Venezuela (Bolivarian Republic of)");
    assert_null(det_mid_country(200));
    assert_null(det_mid_country(217));
    assert_null(det_mid_country(776));
    assert_null(det_mid_country(0));
    assert_string_equal(det_mid_country(374), "Panama (Republic of)");
    unsigned n = 0;
    for (unsigned m = 0; m < 1000; m++)
        n += det_mid_country(m) != NULL;
    assert_int_equal(n, 290);

    TU_NEED_SHARED(path, "ais/libais/mid.csv");
    char *csv = tu_read_file(path, NULL);
    assert_non_null(csv);
    unsigned rows = 0;
    bool in_csv[1000] = {false};
    for (char *line = strtok(csv, "\n"); line; line = strtok(NULL, "\n")) {
        unsigned mid;
        char country[128];
        if (sscanf(line, "%u,\"%127[^\"]\"", &mid, country) != 2)
            continue;                 /* the header */
        const char *have = det_mid_country(mid);
        if (!have || strcmp(have, country) != 0)
            print_error("MID %u: csv \"%s\", table \"%s\"\n", mid, country, have ? have : "-");
        assert_non_null(have);
        assert_string_equal(have, country);
        assert_true(mid < 1000);
        in_csv[mid] = true;
        rows++;
    }
    assert_int_equal(rows, 289);
    for (unsigned m = 0; m < 1000; m++)
        if (det_mid_country(m) && !in_csv[m])
            assert_int_equal(m, 374);                  /* the only addition */
    free(csv);
}

/* The MID inside each ITU-R M.585 form. */
static void mmsi_mid_of_each_form(void **state)
{
    (void)state;
    assert_int_equal(det_mmsi_mid(503123456), 503);   /* ship */
    assert_int_equal(det_mmsi_mid(50312345), 503);    /* group 0MIDxxxxx */
    assert_int_equal(det_mmsi_mid(5031234), 503);     /* coast 00MIDxxxx */
    assert_int_equal(det_mmsi_mid(111503123), 503);   /* SAR aircraft */
    assert_int_equal(det_mmsi_mid(850312345), 503);   /* handheld */
    assert_int_equal(det_mmsi_mid(985031234), 503);   /* auxiliary craft */
    assert_int_equal(det_mmsi_mid(995031234), 503);   /* aid to navigation */
    assert_int_equal(det_mmsi_mid(970123456), 0);     /* SART: manufacturer, no MID */
    assert_int_equal(det_mmsi_mid(974123456), 0);
    assert_int_equal(det_mmsi_mid(1000000000), 0);    /* 10 digits */
    assert_int_equal(det_mmsi_mid(123456789), 0);     /* no form */
    assert_int_equal(det_mmsi_mid(999999), 0);        /* 000xxxxxx */
    assert_int_equal(det_mmsi_mid(199999999), 0);
}

static void expect_invalid(uint32_t mmsi, const char *why)
{
    char buf[96];
    const char *r = det_mmsi_invalid(mmsi, buf, sizeof buf);
    if (!why) {
        if (r)
            print_error("%u: unexpected \"%s\"\n", (unsigned)mmsi, r);
        assert_null(r);
        return;
    }
    assert_non_null(r);
    assert_string_equal(r, why);
}

static void mmsi_validity(void **state)
{
    (void)state;
    /* valid: every form with an allocated MID, and the emergency devices */
    expect_invalid(503123456, NULL);
    expect_invalid(232001000, NULL);
    expect_invalid(23212345, NULL);                    /* group 0232xxxxx */
    expect_invalid(2320001, NULL);                     /* coast 00232xxxx */
    expect_invalid(111232001, NULL);
    expect_invalid(823201234, NULL);
    expect_invalid(985031234, NULL);
    expect_invalid(995330049, NULL);
    expect_invalid(970012345, NULL);
    expect_invalid(972012345, NULL);
    expect_invalid(974012345, NULL);
    /* invalid */
    expect_invalid(0, "fewer than 7 significant digits (000xxxxxx)");
    expect_invalid(999999, "fewer than 7 significant digits (000xxxxxx)");
    expect_invalid(1000000000, "10 digits, not 9");
    expect_invalid(1073741823, "10 digits, not 9");    /* largest 30-bit value */
    expect_invalid(217000001, "MID 217 not allocated (ship MIDxxxxxx)");
    expect_invalid(777003006, "MID 777 not allocated (ship MIDxxxxxx)");
    expect_invalid(200000000, "MID 200 not allocated (ship MIDxxxxxx)");
    expect_invalid(12345678, "MID 123 not allocated (group 0MIDxxxxx)");
    expect_invalid(1193046, "MID 119 not allocated (coast station 00MIDxxxx)");
    expect_invalid(111000000, "MID 000 not allocated (SAR aircraft 111MIDxxx)");
    expect_invalid(856805000, "MID 568 not allocated (handheld VHF 8MIDxxxxx)");
    expect_invalid(980001234, "MID 000 not allocated (auxiliary craft 98MIDxxxx)");
    expect_invalid(999999999, "MID 999 not allocated (aid to navigation 99MIDxxxx)");
    expect_invalid(107374182, "no M.585 form 1xxxxxxxx but 111MIDxxx");
    expect_invalid(912345678, "no M.585 form 9xxxxxxxx but 970/972/974/98/99");
    expect_invalid(975000000, "no M.585 form 9xxxxxxxx but 970/972/974/98/99");
}

/* ---- teleport ---- */

/* A single jump of 1 degree (111.195 km) in 60 s, after which the vessel
 * stays at the new place: reported once, at the first fix 1 h after the
 * jump, not before. */
static void teleport_single_jump(void **state)
{
    (void)state;
    struct got g;
    det_engine *d = engine(NULL, NULL, &g);
    feed(d, 503000001, 1000, 10.0, 100.0);
    feed(d, 503000001, 1060, 10.0, 100.0);
    feed(d, 503000001, 1120, 11.0, 100.0);             /* the jump */
    for (int k = 1; k < 6; k++)                        /* 10 min steps, < 1 h */
        feed(d, 503000001, 1120 + 600 * k, 11.0 + 0.01 * k, 100.0);
    assert_int_equal(g.n, 0);
    feed(d, 503000001, 1120 + 3600, 11.06, 100.0);     /* 1 h after: certain */
    assert_int_equal(g.n, 1);
    const struct det_event *e = &g.e[0];
    assert_int_equal(e->kind, DET_TELEPORT);
    assert_int_equal(e->mmsi, 503000001);
    assert_int_equal(e->mmsi2, 0);
    assert_int_equal(e->start, 1060000);
    assert_int_equal(e->end, 1120000);
    assert_true(near(e->lat, 10.0) && near(e->lon, 100.0));
    assert_true(near(e->end_lat, 11.0) && near(e->end_lon, 100.0));
    assert_true(fabs(e->distance_km - KM_1DEG) < 1e-6);
    assert_true(fabs(e->speed_kn - KM_1DEG / TRK_KM_PER_NM * 60) < 1e-6);
    assert_true(near(e->duration_h, 60 / 3600.0));
    assert_true(isnan(e->shore_km));
    assert_string_equal(e->detail, "jump of 111 km at 3602 kn");
    for (int k = 0; k < 10; k++)                       /* and never again */
        feed(d, 503000001, 10000 + 600 * k, 11.06, 100.0);
    det_finish(d);
    assert_int_equal(g.n, 1);
    assert_int_equal(det_count(d, DET_TELEPORT), 1);
    det_free(d);
}

/* Runs A at t=0 then B 1 degree north after dt_s, and a fix at B 2 h later. */
static int jump_events(const struct det_config *cfg, double dlat, double dlon, int64_t dt_s,
                       struct got *g)
{
    det_engine *d = engine(cfg, NULL, g);
    feed(d, 503000002, 0, 10.0, 100.0);
    feed(d, 503000002, dt_s, 10.0 + dlat, 100.0 + dlon);
    feed(d, 503000002, dt_s + 7200, 10.0 + dlat, 100.0 + dlon);
    det_finish(d);
    det_free(d);
    return g->n;
}

static void teleport_thresholds(void **state)
{
    (void)state;
    struct got g;
    /* 111.195 km in 1 h = 60.04 kn > 50: a teleport; in 2 h = 30.02 kn: not */
    assert_int_equal(jump_events(NULL, 1.0, 0, 3600, &g), 1);
    assert_string_equal(g.e[0].detail, "jump of 111 km at 60 kn");
    assert_int_equal(jump_events(NULL, 1.0, 0, 7200, &g), 0);
    /* tel_max_kn 61 lets 60.04 kn pass, 60 does not */
    struct det_config cfg = {.tel_max_kn = 61};
    assert_int_equal(jump_events(&cfg, 1.0, 0, 3600, &g), 0);
    cfg.tel_max_kn = 60;
    assert_int_equal(jump_events(&cfg, 1.0, 0, 3600, &g), 1);
    /* 8.76 km (0.08 degree of longitude at 10 N) in 10 s is under tel_min_km
     * 10 however fast; with tel_min_km 8 it is a jump */
    assert_int_equal(jump_events(NULL, 0, 0.08, 10, &g), 0);
    cfg = (struct det_config){.tel_min_km = 8};
    assert_int_equal(jump_events(&cfg, 0, 0.08, 10, &g), 1);
    assert_string_equal(g.e[0].detail, "jump of 9 km at 1703 kn");
    /* boundaries, with the detector's own arithmetic: a step of exactly
     * tel_min_km counts ("at least"), a speed of exactly tel_max_kn does not
     * ("over") */
    int32_t la = 10 * TRK_DEG, lo = 100 * TRK_DEG, lo2 = (int32_t)lround(100.08 * TRK_DEG);
    double km = det_dist_km(la, lo, la, lo2);
    cfg = (struct det_config){.tel_min_km = km};
    assert_int_equal(jump_events(&cfg, 0, 0.08, 10, &g), 1);
    cfg.tel_min_km = nextafter(km, INFINITY);
    assert_int_equal(jump_events(&cfg, 0, 0.08, 10, &g), 0);
    cfg = (struct det_config){0};
    int32_t la2 = 11 * TRK_DEG;
    cfg.tel_max_kn = det_speed_kn(det_dist_km(la, lo, la2, lo), 3600000);
    assert_int_equal(jump_events(&cfg, 1.0, 0, 3600, &g), 0);
    cfg.tel_max_kn = nextafter(cfg.tel_max_kn, 0);
    assert_int_equal(jump_events(&cfg, 1.0, 0, 3600, &g), 1);
}

/* One bad position 2 degrees away between good ones: a teleport that says it
 * came back; no clash, since the far place had a single fix. */
static void teleport_outlier_and_back(void **state)
{
    (void)state;
    struct got g;
    det_engine *d = engine(NULL, NULL, &g);
    feed(d, 503000003, 0, 10.0, 100.0);
    feed(d, 503000003, 10, 10.0, 100.0);
    feed(d, 503000003, 20, 12.0, 100.0);               /* outlier */
    for (int k = 3; k < 40; k++)
        feed(d, 503000003, 10 * k, 10.0, 100.0);
    assert_int_equal(g.n, 0);
    feed(d, 503000003, 20 + 3600, 10.0, 100.0);
    assert_int_equal(g.n, 1);
    assert_int_equal(g.e[0].kind, DET_TELEPORT);
    assert_int_equal(g.e[0].start, 10000);
    assert_int_equal(g.e[0].end, 20000);
    assert_true(near(g.e[0].end_lat, 12.0));
    assert_string_equal(g.e[0].detail, "jump of 222 km at 43229 kn; back after 10 s");
    det_finish(d);
    det_free(d);
    assert_int_equal(g.n, 1);
}

/* A transponder gone wild: a new place every minute for 30 min makes one
 * teleport (the first jump) that counts the others, not 30 events. */
static void teleport_no_storm(void **state)
{
    (void)state;
    struct got g;
    det_engine *d = engine(NULL, NULL, &g);
    feed(d, 503000004, 0, 10.0, 100.0);
    for (int k = 1; k <= 30; k++)
        feed(d, 503000004, 60 * k, 10.0 + (k % 2 ? 1.0 : -1.0) * k * 0.5, 100.0);
    feed(d, 503000004, 60 + 3600, -5.0, 100.0);      /* plausible from -5 at 30 min */
    det_finish(d);
    det_free(d);
    assert_int_equal(g.n, 1);
    assert_int_equal(g.e[0].start, 0);
    assert_int_equal(g.e[0].end, 60000);
    assert_true(near(g.e[0].end_lat, 10.5));
    assert_string_equal(g.e[0].detail, "jump of 56 km at 1801 kn; 29 more jumps within 1 h");
}

/* A jump with no fix afterwards: reported by det_finish(), saying so. */
static void teleport_open_at_end(void **state)
{
    (void)state;
    struct got g;
    det_engine *d = engine(NULL, NULL, &g);
    feed(d, 503000005, 0, 10.0, 100.0);
    feed(d, 503000005, 60, 11.0, 100.0);
    assert_int_equal(g.n, 0);
    det_finish(d);
    det_free(d);
    assert_int_equal(g.n, 1);
    assert_string_equal(g.e[0].detail, "jump of 111 km at 3602 kn; stream ended within 1 h");
}

/* Two positions at the same instant: no speed (NAN, JSON null), not inf. */
static void teleport_same_instant(void **state)
{
    (void)state;
    struct got g;
    det_engine *d = engine(NULL, NULL, &g);
    feed(d, 503000011, 0, 10.0, 100.0);
    feed(d, 503000011, 0, 11.0, 100.0);
    det_finish(d);
    det_free(d);
    assert_int_equal(g.n, 1);
    assert_true(isnan(g.e[0].speed_kn));
    assert_true(near(g.e[0].duration_h, 0));
    assert_string_equal(g.e[0].detail, "jump of 111 km in 0 s; stream ended within 1 h");
}

/* A vessel that jumps and falls silent: its jump is reported when its record
 * is dropped (24 h idle, table needing room), without "stream ended". */
static void teleport_reported_on_eviction(void **state)
{
    (void)state;
    struct got g;
    det_engine *d = engine(NULL, NULL, &g);
    feed(d, 503000010, 0, 10.0, 100.0);
    feed(d, 503000010, 60, 11.0, 100.0);
    /* 25 h later, 600 other vessels: the 1024-slot table (half full at 512)
     * is rebuilt and drops the idle one */
    for (uint32_t k = 0; k < 600; k++)
        feed(d, 503100000 + k, 90000 + k, -30.0, 20.0 + k * 0.01);
    assert_int_equal(g.n, 1);
    assert_int_equal(g.e[0].kind, DET_TELEPORT);
    assert_int_equal(g.e[0].mmsi, 503000010);
    assert_string_equal(g.e[0].detail, "jump of 111 km at 3602 kn");
    det_finish(d);
    det_free(d);
    assert_int_equal(g.n, 1);
}

/* ---- mmsi_clash ---- */

/* Two transmitters with one MMSI, 2 degrees (222 km) apart, heard
 * alternately every 30 s for 2 h: one clash at the first switch where both
 * places have two fixes, no teleport; after one place has been silent 24 h
 * the episode is over and a new alternation is a new clash. */
static void clash_once_per_episode(void **state)
{
    (void)state;
    struct got g;
    det_engine *d = engine(NULL, NULL, &g);
    feed(d, 412000001, 0, 10.0, 100.0);
    feed(d, 412000001, 30, 10.0, 100.0);
    feed(d, 412000001, 60, 12.0, 100.0);               /* jump: pending */
    feed(d, 412000001, 90, 10.0, 100.0);               /* back: B has 1 fix */
    assert_int_equal(g.n, 0);
    feed(d, 412000001, 120, 12.0, 100.0);              /* B again: clash */
    assert_int_equal(g.n, 1);
    const struct det_event *e = &g.e[0];
    assert_int_equal(e->kind, DET_MMSI_CLASH);
    assert_int_equal(e->mmsi, 412000001);
    assert_int_equal(e->mmsi2, 412000001);
    assert_int_equal(e->start, 90000);
    assert_int_equal(e->end, 120000);
    assert_true(near(e->lat, 10.0) && near(e->lon, 100.0));
    assert_true(near(e->end_lat, 12.0) && near(e->end_lon, 100.0));
    assert_true(fabs(e->distance_km - 2 * KM_1DEG) < 1e-6);
    assert_string_equal(e->detail,
                        "heard 222 km apart 30 s apart, switching between places of "
                        "3 and 2 fixes");
    for (int k = 5; k < 240; k++)                      /* 2 h of alternation */
        feed(d, 412000001, 30 * k, k % 2 ? 10.0 : 12.0, 100.0);
    assert_int_equal(g.n, 1);
    /* place B falls silent; A goes on hourly for 25 h */
    for (int h = 1; h <= 25; h++)
        feed(d, 412000001, 7200 + 3600 * h, 10.0, 100.0);
    assert_int_equal(g.n, 1);
    int64_t t = 7200 + 3600 * 25;
    for (int k = 1; k <= 4; k++)                       /* B back: new episode */
        feed(d, 412000001, t + 30 * k, k % 2 ? 12.0 : 10.0, 100.0);
    det_finish(d);
    det_free(d);
    assert_int_equal(g.n, 2);
    assert_int_equal(g.e[1].kind, DET_MMSI_CLASH);
    assert_int_equal(g.e[1].start, (t + 60) * 1000);
    assert_int_equal(g.e[1].end, (t + 90) * 1000);
    /* A: 3 fixes to t=90, 118 more in the alternation, 25 hourly, 1 now */
    assert_string_equal(g.e[1].detail,
                        "heard 222 km apart 30 s apart, switching between places of "
                        "147 and 2 fixes");
}

/* MMSI 0 used by four boats far apart, heard in a pseudo-random order every
 * 20 s for 3 h: one clash, and the jumps between them (the detector keeps
 * two places only) are not teleports while the clash episode is live. */
static void clash_many_transmitters(void **state)
{
    (void)state;
    static const double lat[4] = {10.0, 12.0, 14.0, 16.0};
    struct got g;
    det_engine *d = engine(NULL, NULL, &g);
    uint32_t x = 12345;
    for (int k = 0; k < 540; k++) {
        x = x * 1103515245u + 12345u;
        feed(d, 0, 20 * k, lat[(x >> 16) % 4], 100.0 + 0.001 * k);
    }
    det_finish(d);
    det_free(d);
    int clash = 0, tele = 0, inval = 0;
    for (int i = 0; i < g.n; i++) {
        clash += g.e[i].kind == DET_MMSI_CLASH;
        tele += g.e[i].kind == DET_TELEPORT;
        inval += g.e[i].kind == DET_INVALID_MMSI;
    }
    assert_int_equal(clash, 1);
    assert_int_equal(tele, 0);
    assert_int_equal(inval, 1);
}

/* Three boats sharing an MMSI heard in strict rotation, two fixes each
 * (A A B B C C A A ...): the detector remembers four places, so the return
 * to A is a switch, and a clash. */
static void clash_rotation_of_three(void **state)
{
    (void)state;
    static const double lat[3] = {10.0, 12.0, 14.0};
    struct got g;
    det_engine *d = engine(NULL, NULL, &g);
    for (int k = 0; k < 180; k++)
        feed(d, 412000003, 20 * k, lat[(k / 2) % 3], 100.0);
    det_finish(d);
    det_free(d);
    assert_int_equal(g.n, 1);
    assert_int_equal(g.e[0].kind, DET_MMSI_CLASH);
    assert_int_equal(g.e[0].start, 100000);            /* C, second fix */
    assert_int_equal(g.e[0].end, 120000);              /* back at A */
    assert_true(near(g.e[0].lat, 14.0) && near(g.e[0].end_lat, 10.0));
    assert_string_equal(g.e[0].detail,
                        "heard 445 km apart 20 s apart, switching between places of "
                        "2 and 3 fixes");
}

/* The same alternation without the clash thresholds met: the jump that
 * started it stays a teleport (one event), never a clash. */
static void clash_thresholds(void **state)
{
    (void)state;
    struct det_config cfgs[] = {{.clash_min_km = 223}, {.clash_max_s = 29}};
    for (int c = 0; c < 2; c++) {
        struct got g;
        det_engine *d = engine(&cfgs[c], NULL, &g);
        for (int k = 0; k < 240; k++)
            feed(d, 412000002, 30 * k, k == 0 || k % 2 ? 10.0 : 12.0, 100.0);
        det_finish(d);
        det_free(d);
        assert_int_equal(g.n, 1);
        assert_int_equal(g.e[0].kind, DET_TELEPORT);
        assert_int_equal(g.e[0].start, 30000);
        assert_int_equal(g.e[0].end, 60000);
        assert_string_equal(g.e[0].detail, "jump of 222 km at 14410 kn; back after 30 s");
    }
    /* and with clash_min_km 222, clash_max_s 30 it is a clash */
    struct det_config cfg = {.clash_min_km = 222, .clash_max_s = 30};
    struct got g;
    det_engine *d = engine(&cfg, NULL, &g);
    for (int k = 0; k < 240; k++)
        feed(d, 412000002, 30 * k, k == 0 || k % 2 ? 10.0 : 12.0, 100.0);
    det_finish(d);
    det_free(d);
    assert_int_equal(g.n, 1);
    assert_int_equal(g.e[0].kind, DET_MMSI_CLASH);
    assert_int_equal(g.e[0].start, 90000);
}

/* ---- 0,0 and land ---- */

static void null_island(void **state)
{
    (void)state;
    struct got g;
    det_engine *d = engine(NULL, NULL, &g);
    feed(d, 503000006, 0, 10.0, 100.0);
    feed(d, 503000006, 60, 0.0, 0.0);
    feed(d, 503000006, 120, 10.0, 100.0);              /* no jump: 0,0 is not placed */
    feed(d, 503000006, 180, 0.0, 0.0);                 /* same day: not again */
    assert_int_equal(g.n, 1);
    assert_int_equal(g.e[0].kind, DET_TELEPORT);
    assert_int_equal(g.e[0].start, 60000);
    assert_int_equal(g.e[0].end, 60000);
    assert_true(near(g.e[0].lat, 0) && near(g.e[0].lon, 0));
    assert_true(isnan(g.e[0].end_lat));
    assert_string_equal(g.e[0].detail, "position at 0,0");
    feed(d, 503000006, 60 + 86400, 0.0, 0.0);          /* 24 h later: again */
    det_finish(d);
    det_free(d);
    assert_int_equal(g.n, 2);
    assert_int_equal(g.e[1].start, (60 + 86400) * 1000LL);
}

/* Land north of 50 N, sea south of it, unknown east of 150 E. */
static int toy_land(void *ctx, double lat, double lon)
{
    (void)ctx;
    if (lon > 150)
        return -1;
    return lat > 50;
}

/* Every point is 12.5 km from shore. */
static double toy_shore(void *ctx, double lat, double lon)
{
    (void)ctx; (void)lat; (void)lon;
    return 12.5;
}

static void on_land(void **state)
{
    (void)state;
    struct det_geo geo = {.on_land = toy_land, .shore_km = toy_shore};
    struct got g;
    det_engine *d = engine(NULL, &geo, &g);
    feed(d, 503000007, 0, 49.9, 10.0);
    feed(d, 503000007, 600, 50.01, 10.0);              /* on land */
    feed(d, 503000007, 1200, 50.02, 10.0);             /* still: no second event */
    feed(d, 503000008, 0, 60.0, 151.0);                /* unknown: nothing */
    det_finish(d);
    det_free(d);
    assert_int_equal(g.n, 1);
    assert_int_equal(g.e[0].kind, DET_TELEPORT);
    assert_int_equal(g.e[0].mmsi, 503000007);
    assert_int_equal(g.e[0].start, 600000);
    assert_true(near(g.e[0].lat, 50.01) && near(g.e[0].lon, 10.0));
    assert_string_equal(g.e[0].detail, "position on land");
    assert_true(near(g.e[0].shore_km, 12.5));
    /* without a land mask the same track raises nothing */
    d = engine(NULL, NULL, &g);
    feed(d, 503000007, 0, 49.9, 10.0);
    feed(d, 503000007, 600, 50.01, 10.0);
    det_finish(d);
    det_free(d);
    assert_int_equal(g.n, 0);
}

/* ---- invalid_mmsi ---- */

static void invalid_mmsi_once(void **state)
{
    (void)state;
    struct got g;
    det_engine *d = engine(NULL, NULL, &g);
    for (int k = 0; k < 5; k++) {
        feed(d, 217000001, 100 + 60 * k, -33.5, 151.5);
        feed(d, 503000009, 100 + 60 * k, -33.6, 151.5);
        feed(d, 970012345, 100 + 60 * k, -33.7, 151.5); /* AIS-SART: valid */
    }
    det_finish(d);
    det_free(d);
    assert_int_equal(g.n, 1);
    const struct det_event *e = &g.e[0];
    assert_int_equal(e->kind, DET_INVALID_MMSI);
    assert_int_equal(e->mmsi, 217000001);
    assert_int_equal(e->start, 100000);
    assert_int_equal(e->end, 100000);
    assert_true(near(e->lat, -33.5) && near(e->lon, 151.5));
    assert_string_equal(e->detail, "MID 217 not allocated (ship MIDxxxxxx)");
}

/* ---- identity_change ---- */

static struct trk_static ident(const char *name, const char *callsign, uint32_t imo,
                               uint8_t shiptype)
{
    struct trk_static s = {.imo = imo, .shiptype = shiptype};
    snprintf(s.name, sizeof s.name, "%s", name);
    snprintf(s.callsign, sizeof s.callsign, "%s", callsign);
    return s;
}

static void identity_changes(void **state)
{
    (void)state;
    struct got g;
    det_engine *d = engine(NULL, NULL, &g);
    struct trk_static empty = {0}, a = ident("MARIA", "", 0, 0),
                      b = ident("NIKOS", "", 0, 0), c = ident("NIKOS", "SVAB3", 9123456, 70),
                      c2 = ident("NIKOS", "SVAB3", 9123456, 80),
                      e2 = ident("ALEXANDRA", "SVXY9", 9234567, 80);
    feed(d, 239000001, 1000, 37.9, 23.6);
    det_feed_static(d, 239000001, &empty, &a, 1000000);   /* first heard */
    det_feed_static(d, 239000001, &a, &b, 2000000);       /* a change */
    assert_int_equal(g.n, 1);
    assert_int_equal(g.e[0].kind, DET_IDENTITY_CHANGE);
    assert_int_equal(g.e[0].mmsi, 239000001);
    assert_int_equal(g.e[0].start, 2000000);
    assert_true(near(g.e[0].lat, 37.9) && near(g.e[0].lon, 23.6));
    assert_string_equal(g.e[0].detail, "name MARIA -> NIKOS");
    det_feed_static(d, 239000001, &b, &c, 3000000);       /* call sign, IMO first heard */
    det_feed_static(d, 239000001, &c, &c2, 4000000);      /* ship type only */
    assert_int_equal(g.n, 1);
    det_feed_static(d, 239000001, &c2, &e2, 5000000);     /* all three at once */
    assert_int_equal(g.n, 2);
    assert_string_equal(g.e[1].detail, "name NIKOS -> ALEXANDRA; callsign SVAB3 -> SVXY9; "
                                       "IMO 9123456 -> 9234567 (2 changes in 24 h)");
    /* a vessel never positioned: no position in the event */
    det_feed_static(d, 239000002, &a, &b, 6000000);
    assert_int_equal(g.n, 3);
    assert_true(isnan(g.e[2].lat));
    det_finish(d);
    det_free(d);
}

static void identity_threshold_and_cap(void **state)
{
    (void)state;
    struct trk_static n[2] = {ident("ALPHA", "", 0, 0), ident("BRAVO", "", 0, 0)};
    /* ident_max_changes 3: changes at 0, 1, 2, 3 h -> events at the third and
     * fourth; one 30 h later counts alone -> none */
    struct det_config cfg = {.ident_max_changes = 3};
    struct got g;
    det_engine *d = engine(&cfg, NULL, &g);
    for (int k = 0; k < 4; k++)
        det_feed_static(d, 247000001, &n[k % 2], &n[(k + 1) % 2], 3600000LL * k);
    det_feed_static(d, 247000001, &n[0], &n[1], 3600000LL * 30);
    det_finish(d);
    det_free(d);
    assert_int_equal(g.n, 2);
    assert_int_equal(g.e[0].start, 7200000);
    assert_string_equal(g.e[0].detail, "name ALPHA -> BRAVO (3 changes in 24 h)");
    assert_int_equal(g.e[1].start, 10800000);
    assert_string_equal(g.e[1].detail, "name BRAVO -> ALPHA (4 changes in 24 h)");
    /* two names flip-flopping every minute: 8 events in 24 h, then silence */
    d = engine(NULL, NULL, &g);
    for (int k = 0; k < 100; k++)
        det_feed_static(d, 247000002, &n[k % 2], &n[(k + 1) % 2], 60000LL * k);
    det_finish(d);
    det_free(d);
    assert_int_equal(g.n, 8);
    assert_string_equal(g.e[0].detail, "name ALPHA -> BRAVO");
    assert_string_equal(g.e[7].detail,
                        "name BRAVO -> ALPHA (8 changes in 24 h, further ones not reported)");
}

/* ---- real data ---- */

static char *read_zst(const char *path, size_t *len)
{
    size_t clen;
    char *c = tu_read_file(path, &clen);
    if (!c)
        return NULL;
    unsigned long long n = ZSTD_getFrameContentSize(c, clen);
    assert_true(n != ZSTD_CONTENTSIZE_ERROR && n != ZSTD_CONTENTSIZE_UNKNOWN);
    char *out = malloc(n + 1);
    assert_non_null(out);
    size_t r = ZSTD_decompress(out, n, c, clen);
    assert_false(ZSTD_isError(r));
    out[r] = '\0';
    *len = r;
    free(c);
    return out;
}

struct pipe {
    trk_tracker *trk;
    det_engine *det;
};

static void p_msg(void *ctx, const struct ais_msg *m, const struct ais_meta *meta)
{
    trk_feed(((struct pipe *)ctx)->trk, m, meta);
}

static void p_fix(void *ctx, const struct trk_fix *f, const struct trk_static *st)
{
    det_feed_fix(((struct pipe *)ctx)->det, f, st);
}

static void p_static(void *ctx, uint32_t mmsi, const struct trk_static *before,
                     const struct trk_static *after)
{
    det_feed_static(((struct pipe *)ctx)->det, mmsi, before, after, after->t);
}

/*
 * data/ais/exactearth-2012.txt.zst (satellite AIS, 2012-01-31 05:32-06:53 UTC,
 * 2063 fixes of 1005 vessels, mostly around Indonesia and Malaysia). Every
 * spoofing event, checked by hand against `alidade ais decode -f csv`:
 * - 13 invalid_mmsi, one per MMSI that sent position reports and is no valid
 *   M.585 identity (a Python check against mid.csv over every MMSI with a
 *   fix finds the same 13; 777000017 and 9342621 are invalid too but sent
 *   only a type 21 / a position "not available", which are no fixes):
 *   777003006 (MID > 775), 8081970 and 1193046 (7 digits: 0x123456, a
 *   factory default), 0, 526067844 and 526066582 (MID 526: Indonesia is
 *   525), 107374182, 111000000, 856805000, 12345678, 509288126, 504684288,
 *   999999999.
 * - 2 teleports, both jumps near the end of the capture that were never
 *   undone because the capture ends (the detail says so). Both MMSIs are
 *   MID + 000000 placeholders shared by several boats (speeds differ), so
 *   with more data they would likely be clashes:
 *   273000000 0.80372 N 101.95579 E at 06:50:30.824 (5.6 kn) to 0.53918 N
 *   101.44567 E at 06:53:19.144 (0 kn): 64 km in 169 s = 738 kn (its fix of
 *   06:24:19 at 5.89 S 105.85 E arrives after them, older than the
 *   tracker's 10-minute reorder window, and is dropped as too old);
 *   412000000 1.95241 N 102.16956 E at 06:25:09 (8.9 kn) to 1.46962 S
 *   103.70059 E at 06:28:24 (0 kn): 417 km in 195 s = 4155 kn.
 * No clash (no MMSI alternates between two places), no identity change (no
 * name, call sign or IMO replaced by another one in 80 minutes).
 */
static void real_exactearth(void **state)
{
    (void)state;
    size_t len;
    char *text = read_zst(tu_testdata("../../data/ais/exactearth-2012.txt.zst"), &len);
    assert_non_null(text);
    struct pipe p;
    struct got g;
    struct ais_decoder_opts dopts = {.split24 = true};
    ais_decoder *dec = ais_decoder_new(&dopts);
    p.trk = trk_new(NULL);
    p.det = engine(NULL, NULL, &g);
    assert_non_null(dec);
    assert_non_null(p.trk);
    ais_decoder_set_cb(dec, p_msg, NULL, &p);
    trk_set_cb(p.trk, p_fix, p_static, &p);
    for (char *s = text, *nl; *s; s = nl + 1) {
        nl = strchr(s, '\n');
        if (!nl)
            nl = s + strlen(s) - 1;
        ais_decoder_feed(dec, s, (size_t)(nl - s + (*nl != '\n')));
    }
    ais_decoder_finish(dec);
    trk_finish(p.trk);
    det_finish(p.det);
    assert_int_equal(trk_stats(p.trk)->fixes, 2063);

    static const struct { enum det_kind kind; uint32_t mmsi; const char *detail; } want[] = {
        {DET_INVALID_MMSI, 777003006, "MID 777 not allocated (ship MIDxxxxxx)"},
        {DET_INVALID_MMSI, 8081970, "MID 808 not allocated (coast station 00MIDxxxx)"},
        {DET_INVALID_MMSI, 1193046, "MID 119 not allocated (coast station 00MIDxxxx)"},
        {DET_INVALID_MMSI, 0, "fewer than 7 significant digits (000xxxxxx)"},
        {DET_INVALID_MMSI, 526067844, "MID 526 not allocated (ship MIDxxxxxx)"},
        {DET_INVALID_MMSI, 107374182, "no M.585 form 1xxxxxxxx but 111MIDxxx"},
        {DET_INVALID_MMSI, 111000000, "MID 000 not allocated (SAR aircraft 111MIDxxx)"},
        {DET_INVALID_MMSI, 856805000, "MID 568 not allocated (handheld VHF 8MIDxxxxx)"},
        {DET_INVALID_MMSI, 12345678, "MID 123 not allocated (group 0MIDxxxxx)"},
        {DET_INVALID_MMSI, 509288126, "MID 509 not allocated (ship MIDxxxxxx)"},
        {DET_INVALID_MMSI, 504684288, "MID 504 not allocated (ship MIDxxxxxx)"},
        {DET_INVALID_MMSI, 999999999, "MID 999 not allocated (aid to navigation 99MIDxxxx)"},
        {DET_INVALID_MMSI, 526066582, "MID 526 not allocated (ship MIDxxxxxx)"},
        {DET_TELEPORT, 273000000, "jump of 64 km at 738 kn; stream ended within 1 h"},
        {DET_TELEPORT, 412000000, "jump of 417 km at 4155 kn; stream ended within 1 h"},
    };
    size_t nwant = sizeof want / sizeof want[0];
    for (int i = 0; i < g.n; i++)
        print_message("%s %u %s\n", det_kind_name(g.e[i].kind), g.e[i].mmsi, g.e[i].detail);
    assert_int_equal(g.n, nwant);
    for (size_t i = 0; i < nwant; i++) {
        bool found = false;
        for (int j = 0; j < g.n && !found; j++)
            found = g.e[j].kind == want[i].kind && g.e[j].mmsi == want[i].mmsi &&
                    strcmp(g.e[j].detail, want[i].detail) == 0;
        if (!found)
            print_error("missing: %s %u %s\n", det_kind_name(want[i].kind),
                        (unsigned)want[i].mmsi, want[i].detail);
        assert_true(found);
    }
    /* the two teleports' exact ends */
    for (int j = 0; j < g.n; j++) {
        const struct det_event *e = &g.e[j];
        if (e->kind == DET_TELEPORT && e->mmsi == 273000000) {
            assert_int_equal(e->start, 1327992630824);   /* 06:50:30.824 */
            assert_int_equal(e->end, 1327992799144);     /* 06:53:19.144 */
            assert_true(fabs(e->lat - 0.80372) < 1e-6 && fabs(e->end_lon - 101.4456733) < 1e-6);
        } else if (e->kind == DET_TELEPORT) {
            assert_int_equal(e->start, 1327991109000);   /* 06:25:09 */
            assert_int_equal(e->end, 1327991304000);     /* 06:28:24 */
            assert_true(fabs(e->end_lat + 1.46962) < 1e-6 && fabs(e->lon - 102.16956) < 1e-6);
        }
    }
    assert_int_equal(det_count(p.det, DET_MMSI_CLASH), 0);
    assert_int_equal(det_count(p.det, DET_IDENTITY_CHANGE), 0);
    det_free(p.det);
    trk_free(p.trk);
    ais_decoder_free(dec);
    free(text);
}

/* The trigonometry-free bounds (internal.h) that let loitering and spoofing
 * skip det_dist_km() hold on either side of it: random pairs from a few
 * metres to beyond the upper bound's range, at every latitude, across the
 * antimeridian, and at the poles. */
static void distance_bounds_hold(void **state)
{
    (void)state;
    uint32_t x = 12345;
    for (int i = 0; i < 2000000; i++) {
        x = x * 1103515245u + 12345u;
        int32_t lat1 = (int32_t)(x % (180u * TRK_DEG + 1)) - 90 * TRK_DEG;
        x = x * 1103515245u + 12345u;
        int32_t lon1 = (int32_t)(x % (360u * TRK_DEG + 1)) - 180 * TRK_DEG;
        x = x * 1103515245u + 12345u;
        int32_t span = 1 << (x % 27);           /* 1/600000 degree .. ~110 degrees */
        x = x * 1103515245u + 12345u;
        int32_t lat2 = lat1 + (int32_t)(x % (2u * (uint32_t)span + 1)) - span;
        x = x * 1103515245u + 12345u;
        int32_t lon2 = lon1 + (int32_t)(x % (2u * (uint32_t)span + 1)) - span;
        if (lat2 > 90 * TRK_DEG) lat2 = 90 * TRK_DEG;
        if (lat2 < -90 * TRK_DEG) lat2 = -90 * TRK_DEG;
        if (lon2 > 180 * TRK_DEG) lon2 -= 360 * TRK_DEG;
        if (lon2 < -180 * TRK_DEG) lon2 += 360 * TRK_DEG;
        double d = det_dist_km(lat1, lon1, lat2, lon2);
        assert_true(det_dist_km_min(lat1, lat2) <= d);
        assert_true(det_dist_km_max(lat1, lon1, lat2, lon2) >= d);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(mid_table_is_libais),
        cmocka_unit_test(mmsi_mid_of_each_form),
        cmocka_unit_test(mmsi_validity),
        cmocka_unit_test(teleport_single_jump),
        cmocka_unit_test(teleport_thresholds),
        cmocka_unit_test(teleport_outlier_and_back),
        cmocka_unit_test(teleport_no_storm),
        cmocka_unit_test(teleport_open_at_end),
        cmocka_unit_test(teleport_reported_on_eviction),
        cmocka_unit_test(teleport_same_instant),
        cmocka_unit_test(clash_once_per_episode),
        cmocka_unit_test(clash_many_transmitters),
        cmocka_unit_test(clash_rotation_of_three),
        cmocka_unit_test(clash_thresholds),
        cmocka_unit_test(null_island),
        cmocka_unit_test(on_land),
        cmocka_unit_test(invalid_mmsi_once),
        cmocka_unit_test(identity_changes),
        cmocka_unit_test(identity_threshold_and_cap),
        cmocka_unit_test(real_exactearth),
        cmocka_unit_test(distance_bounds_hold),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
