/*
 * test_track.c - the vessel tracker (lib/track/track.c): every validity rule
 * and its counter, type 27 scaling, reordering within the window and the
 * too-old drop, duplicates, gpsdio-segment style segments (implausible jumps,
 * rejoining an old track, the 24 h gap, the bound of 4 open segments), the
 * static data merge and its change callback, idle and capacity eviction,
 * trk_finish(), and real exactEarth sentences through the stream decoder,
 * including the whole bundled capture with counters checked by an
 * independent model (see test_exactearth_capture).
 */
#include "testutil.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <zstd.h>

#include "alidade/track.h"

/* ---- collecting what the tracker hands out ---- */

#define MAXFIX 64
#define MAXSTAT 16

struct got {
    int nfix;
    struct trk_fix fix[MAXFIX];
    char name[MAXFIX][21];       /* static name seen with each fix */
    int nstat;
    struct {
        uint32_t mmsi;
        struct trk_static before, after;
    } stat[MAXSTAT];
};

static void on_fix(void *ctx, const struct trk_fix *f, const struct trk_static *st)
{
    struct got *g = ctx;
    assert_non_null(st);
    assert_true(g->nfix < MAXFIX);
    g->fix[g->nfix] = *f;
    memcpy(g->name[g->nfix], st->name, sizeof st->name);
    g->nfix++;
}

static void on_static(void *ctx, uint32_t mmsi, const struct trk_static *before,
                      const struct trk_static *after)
{
    struct got *g = ctx;
    assert_true(g->nstat < MAXSTAT);
    g->stat[g->nstat].mmsi = mmsi;
    g->stat[g->nstat].before = *before;
    g->stat[g->nstat].after = *after;
    g->nstat++;
}

static trk_tracker *tracker(const struct trk_opts *o, struct got *g)
{
    memset(g, 0, sizeof *g);
    trk_tracker *t = trk_new(o);
    assert_non_null(t);
    trk_set_cb(t, on_fix, on_static, g);
    return t;
}

/* ---- building messages ---- */

#define SEC 1000LL
#define MIN (60 * SEC)
#define HOUR (60 * MIN)
static const int64_t T0 = 1700000000000LL;   /* 2023-11-14T22:13:20Z */

/* Degrees to AIS units (1/600000 degree), rounded. */
static int u(double deg)
{
    return (int)lround(deg * TRK_DEG);
}

/* AIS units of latitude along a meridian covered in `hours` at `kn`, with the
 * tracker's own Earth radius (so implied speeds come out as chosen). */
static int lat_units(double kn, double hours)
{
    double km = kn * TRK_KM_PER_NM * hours;
    return (int)lround(km / 6371.0088 * 180.0 / M_PI * TRK_DEG);
}

static struct ais_msg *msg_new(unsigned type, uint32_t mmsi)
{
    struct ais_msg *m = calloc(1, sizeof *m);
    assert_non_null(m);
    m->type = type;
    m->mmsi = mmsi;
    return m;
}

/* Type 1-3 report: position in AIS units, SOG 0.1 kn, COG 0.1 deg, heading. */
static struct ais_msg *pos123(unsigned type, uint32_t mmsi, int lat, int lon, unsigned sog,
                              unsigned cog, unsigned hdg)
{
    struct ais_msg *m = msg_new(type, mmsi);
    m->u.t1.lat = lat;
    m->u.t1.lon = lon;
    m->u.t1.speed = sog;
    m->u.t1.course = cog;
    m->u.t1.heading = hdg;
    m->u.t1.status = 0;
    return m;
}

static struct ais_msg *pos(uint32_t mmsi, int lat, int lon)
{
    return pos123(1, mmsi, lat, lon, 100, 900, 90);
}

static void feed(trk_tracker *t, struct ais_msg *m, int64_t ms)
{
    struct ais_meta meta = {.time_ms = ms, .channel = 'A', .talker = "AI"};
    trk_feed(t, m, &meta);
    free(m);
}

static struct ais_msg *static5(uint32_t mmsi, const char *name, const char *callsign,
                               unsigned imo, unsigned shiptype, unsigned bow,
                               unsigned stern, unsigned port, unsigned stbd,
                               const char *dest)
{
    struct ais_msg *m = msg_new(5, mmsi);
    struct ais_static5 *s = &m->u.t5;
    snprintf(s->shipname, sizeof s->shipname, "%s", name);
    snprintf(s->callsign, sizeof s->callsign, "%s", callsign);
    snprintf(s->destination, sizeof s->destination, "%s", dest);
    s->imo = imo;
    s->shiptype = shiptype;
    s->to_bow = bow;
    s->to_stern = stern;
    s->to_port = port;
    s->to_starboard = stbd;
    return m;
}

static struct ais_msg *static24a(uint32_t mmsi, const char *name)
{
    struct ais_msg *m = msg_new(24, mmsi);
    m->u.t24.part = AIS_PART_A;
    snprintf(m->u.t24.shipname, sizeof m->u.t24.shipname, "%s", name);
    return m;
}

static struct ais_msg *static24b(uint32_t mmsi, const char *callsign, unsigned shiptype,
                                 unsigned bow, unsigned stern, unsigned port, unsigned stbd)
{
    struct ais_msg *m = msg_new(24, mmsi);
    m->u.t24.part = AIS_PART_B;
    snprintf(m->u.t24.callsign, sizeof m->u.t24.callsign, "%s", callsign);
    m->u.t24.shiptype = shiptype;
    m->u.t24.to_bow = bow;
    m->u.t24.to_stern = stern;
    m->u.t24.to_port = port;
    m->u.t24.to_starboard = stbd;
    return m;
}

static struct ais_msg *pos19(uint32_t mmsi, int lat, int lon, const char *name,
                             unsigned shiptype, unsigned bow, unsigned stern,
                             unsigned port, unsigned stbd)
{
    struct ais_msg *m = msg_new(19, mmsi);
    struct ais_classb19 *s = &m->u.t19;
    s->lat = lat;
    s->lon = lon;
    s->speed = 52;
    s->course = 1800;
    s->heading = 181;
    snprintf(s->shipname, sizeof s->shipname, "%s", name);
    s->shiptype = shiptype;
    s->to_bow = bow;
    s->to_stern = stern;
    s->to_port = port;
    s->to_starboard = stbd;
    return m;
}

/* Type 27: position in 1/10 minute, speed kn, course degrees. */
static struct ais_msg *pos27(uint32_t mmsi, int lat10, int lon10, unsigned kn, unsigned deg,
                             unsigned status)
{
    struct ais_msg *m = msg_new(27, mmsi);
    m->u.t27.lat = lat10;
    m->u.t27.lon = lon10;
    m->u.t27.speed = kn;
    m->u.t27.course = deg;
    m->u.t27.status = status;
    return m;
}

/* The counters that a test did not mention must stay zero: compares the
 * whole struct against the expectation and names every counter that differs. */
static void assert_stats(const trk_tracker *t, const struct trk_stats *want)
{
    const struct trk_stats *s = trk_stats(t);
    int bad = 0;
#define CHK(f)                                                                 \
    if (s->f != want->f) {                                                     \
        print_error("trk_stats %s: got %llu, want %llu\n", #f,                 \
                    (unsigned long long)s->f, (unsigned long long)want->f);    \
        bad++;                                                                 \
    }
    CHK(messages); CHK(fixes); CHK(no_time); CHK(no_position); CHK(bad_lat);
    CHK(bad_lon); CHK(bad_course); CHK(bad_heading); CHK(bad_speed); CHK(bad_name);
    CHK(too_old); CHK(reordered); CHK(new_segments); CHK(evicted); CHK(vessels);
    CHK(duplicates);
#undef CHK
    assert_int_equal(bad, 0);
}

/* ---- fields and validity ---- */

static void test_fix_fields(void **state)
{
    (void)state;
    struct got g;
    trk_tracker *t = tracker(NULL, &g);
    struct ais_msg *m = pos123(3, 227006760, 29685000, 78900, 123, 2345, 234);
    m->u.t1.status = 5;
    feed(t, m, T0);
    struct ais_msg *b = msg_new(18, 338123456);
    b->u.t18.lat = -20000000;
    b->u.t18.lon = -70000000;
    b->u.t18.speed = 0;
    b->u.t18.course = 3600;
    b->u.t18.heading = 511;
    feed(t, b, T0 + 1);
    assert_int_equal(g.nfix, 0);          /* held for reordering */
    trk_finish(t);
    assert_int_equal(g.nfix, 2);
    const struct trk_fix *f = &g.fix[0];
    assert_int_equal(f->mmsi, 227006760);
    assert_int_equal(f->segment, 1);
    assert_int_equal(f->t, T0);
    assert_int_equal(f->lat, 29685000);
    assert_int_equal(f->lon, 78900);
    assert_int_equal(f->sog, 123);
    assert_int_equal(f->cog, 2345);
    assert_int_equal(f->heading, 234);
    assert_int_equal(f->nav_status, 5);
    assert_int_equal(f->msg_type, 3);
    f = &g.fix[1];
    assert_int_equal(f->mmsi, 338123456);
    assert_int_equal(f->t, T0 + 1);
    assert_int_equal(f->lat, -20000000);
    assert_int_equal(f->lon, -70000000);
    assert_int_equal(f->sog, 0);
    assert_int_equal(f->cog, TRK_COG_NA);
    assert_int_equal(f->heading, TRK_HEADING_NA);
    assert_int_equal(f->nav_status, 15);  /* class B has none */
    assert_int_equal(f->msg_type, 18);
    assert_string_equal(g.name[1], "");
    /* other message types are counted as offered and otherwise ignored */
    struct ais_msg *base = msg_new(4, 2320001);
    base->u.t4.lat = u(50);
    base->u.t4.lon = u(1);
    feed(t, base, T0 + 2);
    assert_stats(t, &(struct trk_stats){.messages = 3, .fixes = 2, .new_segments = 2,
                                        .vessels = 2});
    trk_free(t);
}

static void test_no_time(void **state)
{
    (void)state;
    struct got g;
    trk_tracker *t = tracker(NULL, &g);
    struct ais_msg *m = pos(1, u(10), u(10));
    trk_feed(t, m, NULL);
    free(m);
    feed(t, pos(1, u(10), u(10)), AIS_TIME_NONE);
    feed(t, pos(1, u(10), u(10)), -1);
    feed(t, pos(1, u(10), u(10)), (1LL << 53) + 1);     /* past ~2255 */
    /* a message that is not a position is not "a position without time" */
    m = msg_new(4, 2);
    trk_feed(t, m, NULL);
    free(m);
    trk_finish(t);
    assert_int_equal(g.nfix, 0);
    assert_stats(t, &(struct trk_stats){.messages = 5, .no_time = 4});
    /* times after 2106 (past 32-bit seconds) work: a fix stamped 2128 once
     * made the due queue loop forever */
    feed(t, pos(1, u(10), u(10)), 5000000000000LL);
    feed(t, pos(1, u(10), u(10) + 1), 5000000000000LL + 10 * MIN);
    assert_int_equal(g.nfix, 1);
    feed(t, pos(1, u(10), u(10) + 2), 1LL << 53);
    trk_finish(t);
    assert_int_equal(g.nfix, 3);
    assert_int_equal(g.fix[0].t, 5000000000000LL);
    assert_int_equal(g.fix[2].t, 1LL << 53);
    assert_int_equal(g.fix[2].segment, 2);              /* centuries later */
    trk_free(t);
}

static void test_position_validity(void **state)
{
    (void)state;
    struct got g;
    trk_tracker *t = tracker(NULL, &g);
    int64_t k = T0;
    feed(t, pos(1, 91 * TRK_DEG, u(10)), k += MIN);          /* not available */
    feed(t, pos(1, u(10), 181 * TRK_DEG), k += MIN);         /* not available */
    feed(t, pos(1, 91 * TRK_DEG, 181 * TRK_DEG), k += MIN);  /* counted once */
    feed(t, pos(1, 90 * TRK_DEG + 1, u(10)), k += MIN);
    feed(t, pos(1, -91 * TRK_DEG, u(10)), k += MIN);         /* -91 is not n/a */
    feed(t, pos(1, -90 * TRK_DEG - 1, u(10)), k += MIN);
    feed(t, pos(1, u(10), 180 * TRK_DEG + 1), k += MIN);
    feed(t, pos(1, u(10), -181 * TRK_DEG), k += MIN);
    feed(t, pos(1, u(10), -180 * TRK_DEG - 1), k += MIN);
    feed(t, pos(1, u(10), 200 * TRK_DEG), k += MIN);
    assert_stats(t, &(struct trk_stats){.messages = 10, .no_position = 3, .bad_lat = 3,
                                        .bad_lon = 4});
    /* the limits themselves are on the Earth */
    feed(t, pos(2, 90 * TRK_DEG, 180 * TRK_DEG), k += MIN);
    feed(t, pos(3, -90 * TRK_DEG, -180 * TRK_DEG), k += MIN);
    trk_finish(t);
    assert_int_equal(g.nfix, 2);
    assert_int_equal(g.fix[0].lat, 90 * TRK_DEG);
    assert_int_equal(g.fix[0].lon, 180 * TRK_DEG);
    assert_int_equal(g.fix[1].lat, -90 * TRK_DEG);
    assert_int_equal(g.fix[1].lon, -180 * TRK_DEG);
    assert_stats(t, &(struct trk_stats){.messages = 12, .fixes = 2, .no_position = 3,
                                        .bad_lat = 3, .bad_lon = 4, .new_segments = 2,
                                        .vessels = 2});
    trk_free(t);
}

/* Course, heading and speed out of range are cleared and counted; the fix is
 * kept. One fix a minute, 0.001 degree apart (4 kn). */
static void test_motion_validity(void **state)
{
    (void)state;
    static const struct { unsigned sog, cog, hdg, want_sog, want_cog, want_hdg; } c[] = {
        {100, 3599, 359, 100, 3599, 359},                      /* largest valid */
        {100, 3600, 511, 100, TRK_COG_NA, TRK_HEADING_NA},     /* n/a, not counted */
        {100, 3601, 360, 100, TRK_COG_NA, TRK_HEADING_NA},     /* both bad */
        {100, 4095, 510, 100, TRK_COG_NA, TRK_HEADING_NA},     /* both bad */
        {1022, 0, 0, 1022, 0, 0},                              /* >= 102.2 kn: kept */
        {1023, 0, 0, TRK_SOG_NA, 0, 0},                        /* 102.3: bad */
        {1024, 0, 0, TRK_SOG_NA, 0, 0},                        /* impossible: bad */
        {70000, 70000, 70000, TRK_SOG_NA, TRK_COG_NA, TRK_HEADING_NA},
    };
    const int n = (int)(sizeof c / sizeof c[0]);
    struct got g;
    trk_tracker *t = tracker(NULL, &g);
    for (int i = 0; i < n; i++)
        feed(t, pos123(1, 247000001, u(40 + 0.001 * i), u(10), c[i].sog, c[i].cog, c[i].hdg),
             T0 + i * MIN);
    trk_finish(t);
    assert_int_equal(g.nfix, n);
    for (int i = 0; i < n; i++) {
        assert_int_equal(g.fix[i].sog, c[i].want_sog);
        assert_int_equal(g.fix[i].cog, c[i].want_cog);
        assert_int_equal(g.fix[i].heading, c[i].want_hdg);
        assert_int_equal(g.fix[i].segment, 1);
    }
    assert_stats(t, &(struct trk_stats){.messages = (uint64_t)n, .fixes = (uint64_t)n,
                                        .bad_course = 3, .bad_heading = 3, .bad_speed = 3,
                                        .new_segments = 1, .vessels = 1});
    trk_free(t);
}

/* Type 27: 1/10 minute positions (x1000 to AIS units), whole knots and
 * degrees (x10), 63 kn and 511 degrees "not available", no heading. */
static void test_type27(void **state)
{
    (void)state;
    struct got g;
    trk_tracker *t = tracker(NULL, &g);
    feed(t, pos27(636012345, -2254, 10500, 12, 45, 3), T0);
    feed(t, pos27(636012345, -2254, 10501, 62, 359, 0), T0 + MIN);
    feed(t, pos27(636012345, -2254, 10502, 63, 511, 0), T0 + 2 * MIN);
    feed(t, pos27(636012345, -2254, 10503, 0, 360, 0), T0 + 3 * MIN);
    feed(t, pos27(636012345, 91 * 600, 10503, 0, 0, 0), T0 + 4 * MIN);
    feed(t, pos27(636012345, -2254, 181 * 600, 0, 0, 0), T0 + 5 * MIN);
    feed(t, pos27(636012345, -2254, -190 * 600, 0, 0, 0), T0 + 6 * MIN);
    /* hand-built values far outside the 17/18-bit fields: no overflow when
     * scaled (UBSan), just off the Earth */
    feed(t, pos27(636012345, 2147483647, 10503, 0, 0, 0), T0 + 7 * MIN);
    feed(t, pos27(636012345, -2254, -2147483647 - 1, 0, 0, 0), T0 + 8 * MIN);
    trk_finish(t);
    assert_int_equal(g.nfix, 4);
    assert_int_equal(g.fix[0].lat, -2254000);
    assert_int_equal(g.fix[0].lon, 10500000);
    assert_int_equal(g.fix[0].sog, 120);
    assert_int_equal(g.fix[0].cog, 450);
    assert_int_equal(g.fix[0].heading, TRK_HEADING_NA);
    assert_int_equal(g.fix[0].nav_status, 3);
    assert_int_equal(g.fix[0].msg_type, 27);
    assert_int_equal(g.fix[1].sog, 620);
    assert_int_equal(g.fix[1].cog, 3590);
    assert_int_equal(g.fix[2].sog, TRK_SOG_NA);
    assert_int_equal(g.fix[2].cog, TRK_COG_NA);
    assert_int_equal(g.fix[3].sog, 0);
    assert_int_equal(g.fix[3].cog, TRK_COG_NA);
    assert_int_equal(g.fix[3].lon, 10503000);
    for (int i = 0; i < 4; i++)
        assert_int_equal(g.fix[i].segment, 1);
    assert_stats(t, &(struct trk_stats){.messages = 9, .fixes = 4, .no_position = 2,
                                        .bad_lat = 1, .bad_lon = 2, .bad_course = 1,
                                        .bad_speed = 1,
                                        .new_segments = 1, .vessels = 1});
    trk_free(t);
}

/* ---- static data ---- */

static void test_bad_names(void **state)
{
    (void)state;
    struct got g;
    trk_tracker *t = tracker(NULL, &g);
    /* the decoder turns a name of '@' into "" (text stops at '@') */
    feed(t, static5(1, "", "", 0, 0, 0, 0, 0, 0, ""), T0);
    feed(t, static5(2, "@@@@@@@@@@@@@@@@@@@@", "", 0, 0, 0, 0, 0, 0, ""), T0);
    feed(t, pos19(3, u(1), u(1), "", 0, 0, 0, 0, 0), T0);
    feed(t, static24a(4, ""), T0);
    feed(t, static24b(5, "", 0, 0, 0, 0, 0), T0);     /* part B has no name */
    feed(t, static24a(6, "@"), T0);
    trk_finish(t);
    assert_int_equal(g.nstat, 0);                    /* nothing was learnt */
    assert_int_equal(g.nfix, 1);
    assert_stats(t, &(struct trk_stats){.messages = 6, .fixes = 1, .bad_name = 5,
                                        .new_segments = 1, .vessels = 6});
    trk_free(t);
}

static void test_static_merge(void **state)
{
    (void)state;
    struct got g;
    const uint32_t id = 235009000;
    trk_tracker *t = tracker(NULL, &g);

    feed(t, static5(id, "ALPHA", "MABC1", 9123456, 70, 100, 20, 10, 12, "ROTTERDAM"), T0);
    assert_int_equal(g.nstat, 1);
    assert_int_equal(g.stat[0].mmsi, id);
    assert_string_equal(g.stat[0].before.name, "");
    assert_string_equal(g.stat[0].before.callsign, "");
    assert_int_equal(g.stat[0].before.imo, 0);
    assert_int_equal(g.stat[0].before.t, 0);
    assert_string_equal(g.stat[0].after.name, "ALPHA");
    assert_string_equal(g.stat[0].after.callsign, "MABC1");
    assert_int_equal(g.stat[0].after.imo, 9123456);
    assert_int_equal(g.stat[0].after.shiptype, 70);
    assert_int_equal(g.stat[0].after.length_m, 120);
    assert_int_equal(g.stat[0].after.beam_m, 22);
    assert_string_equal(g.stat[0].after.destination, "ROTTERDAM");
    assert_int_equal(g.stat[0].after.t, T0);

    /* a repeat, or a new destination only, is not a change */
    feed(t, static5(id, "ALPHA", "MABC1", 9123456, 70, 100, 20, 10, 12, "HAMBURG"), T0 + MIN);
    /* "not available" values never overwrite known ones */
    feed(t, static5(id, "", "", 0, 0, 0, 0, 0, 0, ""), T0 + 2 * MIN);
    feed(t, static24b(id, "", 0, 0, 0, 0, 0), T0 + 3 * MIN);
    assert_int_equal(g.nstat, 1);

    feed(t, static24a(id, "BRAVO"), T0 + 4 * MIN);
    assert_int_equal(g.nstat, 2);
    assert_string_equal(g.stat[1].before.name, "ALPHA");
    assert_string_equal(g.stat[1].before.destination, "HAMBURG");
    assert_int_equal(g.stat[1].before.t, T0 + 3 * MIN);
    assert_string_equal(g.stat[1].after.name, "BRAVO");
    assert_string_equal(g.stat[1].after.callsign, "MABC1");
    assert_int_equal(g.stat[1].after.t, T0 + 4 * MIN);

    feed(t, static24b(id, "XYZ9", 30, 10, 5, 2, 3), T0 + 5 * MIN);
    assert_int_equal(g.nstat, 3);
    assert_string_equal(g.stat[2].before.callsign, "MABC1");
    assert_int_equal(g.stat[2].before.shiptype, 70);
    assert_string_equal(g.stat[2].after.callsign, "XYZ9");
    assert_int_equal(g.stat[2].after.shiptype, 30);
    assert_int_equal(g.stat[2].after.length_m, 15);
    assert_int_equal(g.stat[2].after.beam_m, 5);
    assert_int_equal(g.stat[2].after.imo, 9123456);        /* kept */
    assert_string_equal(g.stat[2].after.name, "BRAVO");

    /* type 19: both a fix and static data; the fix carries the record as
     * it is when the fix leaves */
    feed(t, pos19(id, u(51), u(2), "CHARLIE", 30, 10, 5, 2, 3), T0 + 6 * MIN);
    assert_int_equal(g.nstat, 4);
    assert_string_equal(g.stat[3].before.name, "BRAVO");
    assert_string_equal(g.stat[3].after.name, "CHARLIE");
    assert_int_equal(g.stat[3].after.length_m, 15);
    /* dimensions from type 19 */
    feed(t, pos19(id, u(51), u(2), "CHARLIE", 30, 50, 50, 8, 8), T0 + 7 * MIN);
    assert_int_equal(g.nstat, 5);
    assert_int_equal(g.stat[4].before.length_m, 15);
    assert_int_equal(g.stat[4].after.length_m, 100);
    assert_int_equal(g.stat[4].after.beam_m, 16);
    /* beam alone is a change */
    feed(t, pos19(id, u(51), u(2), "CHARLIE", 30, 50, 50, 8, 9), T0 + 7 * MIN + SEC);
    assert_int_equal(g.nstat, 6);
    assert_int_equal(g.stat[5].before.beam_m, 16);
    assert_int_equal(g.stat[5].after.beam_m, 17);
    /* an older static message does not move the record's time back */
    feed(t, static5(id, "DELTA", "", 0, 0, 0, 0, 0, 0, ""), T0);
    assert_int_equal(g.nstat, 7);
    assert_int_equal(g.stat[6].after.t, T0 + 7 * MIN + SEC);
    /* type 24 as the decoder merges it (part A's name with part B) */
    struct ais_msg *both = static24b(id, "ECHO1", 31, 50, 50, 8, 9);
    both->u.t24.part = AIS_PART_BOTH;
    snprintf(both->u.t24.shipname, sizeof both->u.t24.shipname, "%s", "ECHO");
    feed(t, both, T0 + 8 * MIN);
    assert_int_equal(g.nstat, 8);
    assert_string_equal(g.stat[7].after.name, "ECHO");
    assert_string_equal(g.stat[7].after.callsign, "ECHO1");
    assert_int_equal(g.stat[7].after.shiptype, 31);
    trk_finish(t);
    assert_int_equal(g.nfix, 3);
    assert_int_equal(g.fix[0].msg_type, 19);
    assert_int_equal(g.fix[0].sog, 52);
    assert_int_equal(g.fix[0].cog, 1800);
    assert_int_equal(g.fix[0].heading, 181);
    assert_int_equal(g.fix[0].nav_status, 15);
    assert_string_equal(g.name[0], "ECHO");
    assert_stats(t, &(struct trk_stats){.messages = 11, .fixes = 3, .bad_name = 1,
                                        .new_segments = 1, .vessels = 1});
    trk_free(t);
}

/* ---- reordering ---- */

/* 4 kn north, one fix every `s` seconds from T0: lat 40 + 0.001 deg/min. */
static struct ais_msg *along(uint32_t mmsi, int64_t s)
{
    return pos(mmsi, u(40) + (int)(s * 10), u(10));
}

static void test_reorder(void **state)
{
    (void)state;
    struct got g;
    trk_tracker *t = tracker(NULL, &g);
    static const int64_t order[] = {0, 120, 60, 180, 30};
    for (int i = 0; i < 4; i++)
        feed(t, along(7, order[i]), T0 + order[i] * SEC);
    assert_int_equal(g.nfix, 0);
    /* a fifth held fix overflows the ring of 4: the oldest of the five leaves */
    feed(t, along(7, 30), T0 + 30 * SEC);
    assert_int_equal(g.nfix, 1);
    assert_int_equal(g.fix[0].t, T0);
    trk_finish(t);
    assert_int_equal(g.nfix, 5);
    static const int64_t want[] = {0, 30, 60, 120, 180};
    for (int i = 0; i < 5; i++) {
        assert_int_equal(g.fix[i].t, T0 + want[i] * SEC);
        assert_int_equal(g.fix[i].lat, u(40) + (int)(want[i] * 10));
        assert_int_equal(g.fix[i].segment, 1);
    }
    assert_stats(t, &(struct trk_stats){.messages = 5, .fixes = 5, .reordered = 2,
                                        .new_segments = 1, .vessels = 1});
    trk_free(t);

    /* equal times keep their arrival order, also when a full ring overflows
     * with a fix as old as its oldest */
    t = tracker(NULL, &g);
    for (int s = 10; s <= 40; s += 10)
        feed(t, along(7, s), T0 + s * SEC);
    feed(t, pos(7, u(40) + 101, u(10)), T0 + 10 * SEC);     /* same time as the oldest */
    feed(t, pos(7, u(40) + 301, u(10)), T0 + 30 * SEC);
    trk_finish(t);
    assert_int_equal(g.nfix, 6);
    static const int64_t tw[] = {10, 10, 20, 30, 30, 40};
    static const int lw[] = {100, 101, 200, 300, 301, 400};
    for (int i = 0; i < 6; i++) {
        assert_int_equal(g.fix[i].t, T0 + tw[i] * SEC);
        assert_int_equal(g.fix[i].lat, u(40) + lw[i]);
    }
    trk_free(t);
}

/* A late fix: accepted back to exactly reorder_ms before the vessel's newest
 * fix, dropped before that, and dropped when older than a fix already
 * handed out (here by a ring overflow). */
static void test_too_old(void **state)
{
    (void)state;
    struct got g;
    trk_tracker *t = tracker(NULL, &g);
    feed(t, along(8, 700), T0 + 700 * SEC);
    feed(t, along(8, 99), T0 + 99 * SEC);             /* 601 s late: dropped */
    feed(t, along(8, 100), T0 + 100 * SEC);           /* 600 s late: kept */
    assert_int_equal(g.nfix, 1);                      /* already out of the window */
    assert_int_equal(g.fix[0].t, T0 + 100 * SEC);
    trk_finish(t);
    assert_int_equal(g.nfix, 2);
    assert_int_equal(g.fix[1].t, T0 + 700 * SEC);
    assert_stats(t, &(struct trk_stats){.messages = 3, .fixes = 2, .too_old = 1,
                                        .reordered = 1, .new_segments = 1, .vessels = 1});
    trk_free(t);

    t = tracker(NULL, &g);
    for (int s = 10; s <= 50; s += 10)
        feed(t, along(9, s), T0 + s * SEC);           /* 10 s leaves (overflow) */
    assert_int_equal(g.nfix, 1);
    feed(t, along(9, 5), T0 + 5 * SEC);               /* older than 10 s: dropped */
    feed(t, along(9, 15), T0 + 15 * SEC);             /* kept, in order */
    trk_finish(t);
    static const int64_t want[] = {10, 15, 20, 30, 40, 50};
    assert_int_equal(g.nfix, 6);
    for (int i = 0; i < 6; i++)
        assert_int_equal(g.fix[i].t, T0 + want[i] * SEC);
    assert_stats(t, &(struct trk_stats){.messages = 7, .fixes = 6, .too_old = 1,
                                        .reordered = 1, .new_segments = 1, .vessels = 1});
    trk_free(t);
}

/* Held fixes leave once the newest time of the whole stream is reorder_ms
 * past them, whichever vessel brought it. */
static void test_window_release(void **state)
{
    (void)state;
    struct got g;
    trk_tracker *t = tracker(NULL, &g);
    feed(t, pos(10, u(1), u(1)), T0 + 500);
    feed(t, pos(11, u(2), u(2)), T0 + 10 * MIN + 499);
    assert_int_equal(g.nfix, 0);
    feed(t, pos(11, u(2), u(2) + 1), T0 + 10 * MIN + 500);
    assert_int_equal(g.nfix, 1);
    assert_int_equal(g.fix[0].mmsi, 10);
    assert_int_equal(g.fix[0].t, T0 + 500);
    /* a vessel first heard long after the others' newest fix is handed out
     * at once: nothing older can still come for it */
    feed(t, pos(12, u(3), u(3)), T0);
    assert_int_equal(g.nfix, 2);
    assert_int_equal(g.fix[1].mmsi, 12);
    trk_finish(t);
    assert_int_equal(g.nfix, 4);
    assert_int_equal(g.fix[2].t, T0 + 10 * MIN + 499);
    assert_int_equal(g.fix[3].t, T0 + 10 * MIN + 500);
    trk_free(t);
}

static void test_duplicates(void **state)
{
    (void)state;
    struct got g;
    trk_tracker *t = tracker(NULL, &g);
    feed(t, pos(20, u(30), u(30)), T0);
    feed(t, pos(20, u(30), u(30)), T0);                      /* held: duplicate */
    feed(t, pos(20, u(30) + 1, u(30)), T0);                  /* moved: kept */
    feed(t, pos(20, u(30), u(30)), T0 + 20 * MIN);           /* later: kept */
    assert_int_equal(g.nfix, 2);
    feed(t, pos(20, u(30) + 1, u(30)), T0);                  /* handed out: duplicate */
    trk_finish(t);
    assert_int_equal(g.nfix, 3);
    /* 1/600000 degree in no time is within the noise distance */
    assert_int_equal(g.fix[0].segment, 1);
    assert_int_equal(g.fix[1].segment, 1);
    assert_int_equal(g.fix[1].lat, u(30) + 1);
    feed(t, pos(20, u(30), u(30)), T0 + 20 * MIN);           /* after finish too */
    assert_stats(t, &(struct trk_stats){.messages = 6, .fixes = 3, .duplicates = 3,
                                        .new_segments = 1, .vessels = 1});
    trk_free(t);
}

/* ---- segments ---- */

static void test_segments(void **state)
{
    (void)state;
    struct got g;
    trk_tracker *t = tracker(NULL, &g);
    const uint32_t id = 412000001;
    const int base = u(20), lon = u(120), nm = lat_units(1, 1);   /* 1 nm of latitude */
    /* 10 kn north, a fix every 6 minutes */
    feed(t, pos(id, base, lon), T0);
    feed(t, pos(id, base + nm, lon), T0 + 6 * MIN);
    feed(t, pos(id, base + 2 * nm, lon), T0 + 12 * MIN);
    /* 60 nm away 6 minutes later: 600 kn, another vessel with the same MMSI */
    feed(t, pos(id, base + 62 * nm, lon), T0 + 18 * MIN);
    /* back on the first track (2 nm in 12 min from its last fix: 10 kn) */
    feed(t, pos(id, base + 4 * nm, lon), T0 + 24 * MIN);
    /* and the second one again, 1 nm from where it was 12 minutes earlier */
    feed(t, pos(id, base + 63 * nm, lon), T0 + 30 * MIN);
    /* same time as the last fix, 1 km away: infinite speed from it, and
     * 61 nm in 6 minutes from the first track: a third segment */
    feed(t, pos(id, base + 63 * nm + u(0.009), lon), T0 + 30 * MIN);
    /* same time, 0.4 km away: noise, joins the second track */
    feed(t, pos(id, base + 63 * nm + u(0.0036), lon), T0 + 30 * MIN);
    trk_finish(t);
    static const uint32_t want[] = {1, 1, 1, 2, 1, 2, 3, 2};
    assert_int_equal(g.nfix, 8);
    for (int i = 0; i < 8; i++)
        assert_int_equal(g.fix[i].segment, want[i]);
    assert_stats(t, &(struct trk_stats){.messages = 8, .fixes = 8, .new_segments = 3,
                                        .vessels = 1});
    trk_free(t);

    /* a tie (both within the noise distance, implied speed 0) goes to the
     * segment extended last: two ends 0.8 km apart, 1 s apart, then a fix
     * half-way between them a minute later */
    t = tracker(NULL, &g);
    feed(t, pos(id, base, lon), T0);
    feed(t, pos(id, base + u(0.0072), lon), T0 + SEC);
    feed(t, pos(id, base + u(0.0036), lon), T0 + MIN);
    trk_finish(t);
    assert_int_equal(g.nfix, 3);
    assert_int_equal(g.fix[1].segment, 2);
    assert_int_equal(g.fix[2].segment, 2);
    trk_free(t);
}

/* The speed limit (30 kn) and the gap limit (24 h) are inclusive. */
static void test_segment_limits(void **state)
{
    (void)state;
    struct got g;
    trk_tracker *t = tracker(NULL, &g);
    int lat = u(-30);
    const int lon = u(150);
    feed(t, pos(1, lat, lon), T0);
    lat += lat_units(29.9, 1);
    feed(t, pos(1, lat, lon), T0 + HOUR);                    /* 29.9 kn: joins */
    lat += lat_units(30.1, 1);
    feed(t, pos(1, lat, lon), T0 + 2 * HOUR);                /* 30.1 kn: new */
    feed(t, pos(1, lat, lon), T0 + 26 * HOUR);               /* 24 h later: joins */
    feed(t, pos(1, lat, lon), T0 + 50 * HOUR + 1);           /* 24 h + 1 ms: new */
    trk_finish(t);
    static const uint32_t want[] = {1, 1, 2, 2, 3};
    assert_int_equal(g.nfix, 5);
    for (int i = 0; i < 5; i++)
        assert_int_equal(g.fix[i].segment, want[i]);

    /* with max_speed_kn 40 the 30.1 kn step joins */
    trk_free(t);
    t = tracker(&(struct trk_opts){.max_speed_kn = 40, .max_gap_ms = 2 * HOUR}, &g);
    lat = u(-30);
    feed(t, pos(1, lat, lon), T0);
    lat += lat_units(39, 1);
    feed(t, pos(1, lat, lon), T0 + HOUR);
    feed(t, pos(1, lat, lon), T0 + 3 * HOUR + 1);            /* over 2 h: new */
    trk_finish(t);
    assert_int_equal(g.nfix, 3);
    assert_int_equal(g.fix[1].segment, 1);
    assert_int_equal(g.fix[2].segment, 2);
    trk_free(t);
}

/* At most 4 segments stay open per vessel: a fifth replaces the one whose
 * last fix is oldest, so a vessel coming back there starts a new one. */
static void test_segment_bound(void **state)
{
    (void)state;
    struct got g;
    trk_tracker *t = tracker(NULL, &g);
    for (int i = 0; i < 5; i++)                      /* 5 places, 10 degrees apart */
        feed(t, pos(1, u(10 * i), u(0)), T0 + i * MIN);
    feed(t, pos(1, u(10), u(0)), T0 + 5 * MIN);      /* place 1: still open */
    feed(t, pos(1, u(0), u(0)), T0 + 6 * MIN);       /* place 0: was replaced */
    trk_finish(t);
    static const uint32_t want[] = {1, 2, 3, 4, 5, 2, 6};
    assert_int_equal(g.nfix, 7);
    for (int i = 0; i < 7; i++)
        assert_int_equal(g.fix[i].segment, want[i]);
    assert_stats(t, &(struct trk_stats){.messages = 7, .fixes = 7, .new_segments = 6,
                                        .vessels = 1});
    trk_free(t);
}

/* ---- eviction and memory ---- */

static void test_evict_idle(void **state)
{
    (void)state;
    struct got g;
    /* reorder window longer than the idle time: the eviction itself must
     * hand out the held fix */
    trk_tracker *t = tracker(&(struct trk_opts){.reorder_ms = 72 * HOUR,
                                                .idle_evict_ms = HOUR}, &g);
    feed(t, pos(30, u(5), u(5)), T0);
    feed(t, static5(31, "QUIET", "", 0, 0, 0, 0, 0, 0, ""), T0 + 30 * MIN);
    feed(t, pos(32, u(6), u(6)), T0 + HOUR);
    feed(t, pos(32, u(6) + 1, u(6)), T0 + HOUR);             /* 30 idle for 1 h: kept */
    assert_int_equal(g.nfix, 0);
    assert_int_equal(trk_stats(t)->vessels, 3);
    feed(t, pos(32, u(6), u(6) + 1), T0 + HOUR + 1);         /* 30: over 1 h */
    assert_int_equal(g.nfix, 1);
    assert_int_equal(g.fix[0].mmsi, 30);
    assert_int_equal(trk_stats(t)->vessels, 2);
    feed(t, pos(32, u(6), u(6) + 2), T0 + 90 * MIN + 1);     /* 31: heard 1 h + 1 ms ago */
    assert_int_equal(trk_stats(t)->vessels, 1);
    /* vessel 30 comes back: a new record, its segments count from 1 again */
    feed(t, pos(30, u(50), u(50)), T0 + 2 * HOUR);
    trk_finish(t);
    assert_int_equal(g.nfix, 6);
    assert_int_equal(g.fix[5].mmsi, 30);
    assert_int_equal(g.fix[5].segment, 1);
    assert_stats(t, &(struct trk_stats){.messages = 7, .fixes = 6, .new_segments = 3,
                                        .evicted = 2, .vessels = 2});
    trk_free(t);
}

/* Static data without a receive time: heard "now" (the newest time seen),
 * or, before any time was seen, never idle (only capacity eviction takes
 * such a record). */
static void test_static_without_time(void **state)
{
    (void)state;
    struct got g;
    trk_tracker *t = tracker(&(struct trk_opts){.idle_evict_ms = HOUR}, &g);
    struct ais_msg *m = static5(60, "EARLY", "", 0, 0, 0, 0, 0, 0, "");
    trk_feed(t, m, NULL);
    free(m);
    assert_int_equal(g.nstat, 1);
    assert_int_equal(g.stat[0].after.t, 0);
    feed(t, pos(61, u(1), u(1)), T0);
    assert_int_equal(trk_stats(t)->vessels, 2);         /* EARLY is not idle */
    feed(t, static5(62, "LATE", "", 0, 0, 0, 0, 0, 0, ""), AIS_TIME_NONE);
    assert_int_equal(g.nstat, 2);
    assert_int_equal(g.stat[1].after.t, T0);
    feed(t, pos(61, u(1), u(1) + 1), T0 + 30 * MIN);
    feed(t, pos(61, u(1), u(1) + 2), T0 + 30 * MIN + 1);
    assert_int_equal(trk_stats(t)->vessels, 3);
    feed(t, pos(61, u(1), u(1) + 3), T0 + HOUR + 1);    /* LATE: idle */
    feed(t, pos(61, u(1), u(1) + 4), T0 + HOUR + 2);
    trk_finish(t);
    assert_stats(t, &(struct trk_stats){.messages = 7, .fixes = 5, .new_segments = 1,
                                        .evicted = 1, .vessels = 2});
    trk_free(t);
}

/* Evicting a record moves the last one into its place: that vessel's held
 * fixes must still leave when due (its due-heap entry follows it). */
static void test_evict_moves_held(void **state)
{
    (void)state;
    struct got g;
    trk_tracker *t = tracker(&(struct trk_opts){.idle_evict_ms = HOUR}, &g);
    feed(t, pos(70, u(7), u(7)), T0);                          /* record 0 */
    feed(t, pos(71, u(8), u(8)), T0 + 55 * MIN);               /* record 1 */
    feed(t, pos(71, u(8), u(8) + 1), T0 + HOUR + 1);           /* 70 evicted, 71 -> 0 */
    assert_int_equal(trk_stats(t)->evicted, 1);
    assert_int_equal(g.nfix, 1);
    assert_int_equal(g.fix[0].mmsi, 70);
    feed(t, pos(72, u(9), u(9)), T0 + 65 * MIN - 1);           /* record 1 again */
    assert_int_equal(g.nfix, 1);
    feed(t, pos(72, u(9), u(9) + 1), T0 + 65 * MIN);           /* 71's first fix is due */
    assert_int_equal(g.nfix, 2);
    assert_int_equal(g.fix[1].mmsi, 71);
    assert_int_equal(g.fix[1].t, T0 + 55 * MIN);
    feed(t, pos(72, u(9), u(9) + 2), T0 + 70 * MIN + 1);       /* and its second */
    assert_int_equal(g.nfix, 3);
    assert_int_equal(g.fix[2].t, T0 + HOUR + 1);
    trk_finish(t);
    assert_int_equal(g.nfix, 6);
    assert_stats(t, &(struct trk_stats){.messages = 6, .fixes = 6, .new_segments = 3,
                                        .evicted = 1, .vessels = 2});
    trk_free(t);
}

static void test_evict_full(void **state)
{
    (void)state;
    struct got g;
    trk_tracker *t = tracker(&(struct trk_opts){.max_vessels = 2}, &g);
    feed(t, pos(40, u(1), u(1)), T0);
    feed(t, pos(41, u(2), u(2)), T0 + SEC);
    feed(t, pos(40, u(1), u(1) + 1), T0 + 2 * SEC);          /* 41 now heard least lately */
    assert_int_equal(g.nfix, 0);
    feed(t, pos(42, u(3), u(3)), T0 + 3 * SEC);              /* full: 41 goes */
    assert_int_equal(g.nfix, 1);
    assert_int_equal(g.fix[0].mmsi, 41);
    assert_int_equal(trk_stats(t)->vessels, 2);
    assert_int_equal(trk_stats(t)->evicted, 1);
    /* static data counts as being heard */
    feed(t, static5(40, "KEEP", "", 0, 0, 0, 0, 0, 0, ""), T0 + 4 * SEC);
    feed(t, pos(43, u(4), u(4)), T0 + 5 * SEC);              /* 42 goes */
    assert_int_equal(g.nfix, 2);
    assert_int_equal(g.fix[1].mmsi, 42);
    trk_finish(t);
    assert_int_equal(g.nfix, 5);
    assert_int_equal(g.fix[2].mmsi, 40);
    assert_string_equal(g.name[2], "KEEP");
    assert_stats(t, &(struct trk_stats){.messages = 6, .fixes = 5, .new_segments = 4,
                                        .evicted = 2, .vessels = 2});
    trk_free(t);
}

static void count_fix(void *ctx, const struct trk_fix *f, const struct trk_static *st)
{
    (void)f;
    (void)st;
    (*(uint64_t *)ctx)++;
}

/* Many vessels: the arrays grow past their first 1024 records and the hash
 * index keeps finding every vessel; eviction of half of them keeps the
 * index consistent (each vessel's second fix joins its first segment). */
static void test_many_vessels(void **state)
{
    (void)state;
    struct got g;
    trk_tracker *t = tracker(&(struct trk_opts){.idle_evict_ms = 30 * MIN}, &g);
    uint64_t out = 0;
    trk_set_cb(t, count_fix, NULL, &out);
    const uint32_t n = 5000;
    for (uint32_t i = 0; i < n; i++)
        feed(t, pos(200000000 + i * 7919, u(-60 + (double)i / 100), u(1)), T0 + i);
    assert_int_equal(trk_stats(t)->vessels, n);
    /* 20 minutes later the odd ones report again (nothing is idle yet) */
    for (uint32_t i = 1; i < n; i += 2)
        feed(t, pos(200000000 + i * 7919, u(-60 + (double)i / 100), u(1)), T0 + 20 * MIN + i);
    assert_int_equal(trk_stats(t)->evicted, 0);
    /* 45 minutes after the start the even ones are idle: each message checks
     * two records, so two more reports from each odd vessel (5,000 messages)
     * are more than enough to walk past all of them */
    for (uint32_t i = 1; i < n; i += 2)
        for (int k = 1; k <= 2; k++)
            feed(t, pos(200000000 + i * 7919, u(-60 + (double)i / 100), u(1) + k),
                 T0 + 45 * MIN + 2 * i + (uint32_t)k);
    /* handed out so far: every fix of the first two passes (due, or
     * flushed by the evictions that moved records and their heap entries
     * around); the third pass is all still held */
    assert_int_equal(out, n + n / 2);
    trk_finish(t);
    assert_int_equal(out, 5 * n / 2);
    assert_stats(t, &(struct trk_stats){.messages = 5 * n / 2, .fixes = 5 * n / 2,
                                        .new_segments = n, .evicted = n / 2,
                                        .vessels = n / 2});
    trk_free(t);
}

/* ---- a long random stream: invariants ---- */

#define PV 40                    /* vessels */
#define PMAX 8                   /* accepted fixes not yet handed out, per vessel */

struct prop {
    int64_t last[PV];            /* time of the last fix handed out */
    int64_t pending[PV][PMAX];   /* accepted, not yet handed out */
    int npending[PV];
    uint32_t cur_k;              /* the report being fed */
    int64_t cur_t;
    bool cur_out;                /* it left during its own trk_feed() */
    uint64_t out;
};

static void prop_fix(void *ctx, const struct trk_fix *f, const struct trk_static *st)
{
    struct prop *p = ctx;
    (void)st;
    uint32_t k = f->mmsi - 300000000;
    assert_true(k < PV);
    assert_true(f->t >= p->last[k]);           /* time order per vessel */
    assert_int_equal(f->segment, 1);           /* every step is plausible */
    p->last[k] = f->t;
    p->out++;
    for (int i = 0; i < p->npending[k]; i++)
        if (p->pending[k][i] == f->t) {
            p->pending[k][i] = p->pending[k][--p->npending[k]];
            return;
        }
    /* not pending: it can only be the report being fed (positions are a
     * function of time here, so a time identifies a fix) */
    assert_int_equal(k, p->cur_k);
    assert_int_equal(f->t, p->cur_t);
    assert_false(p->cur_out);
    p->cur_out = true;
}

static uint32_t lcg(uint32_t *x)
{
    *x = *x * 1664525u + 1013904223u;
    return *x >> 8;
}

/* 20,000 reports of 40 vessels (each 0.7 kn east along its own parallel),
 * 30 % of them 0-15 minutes late and 10 % repeated: after every message no
 * accepted fix that is due (reorder_ms older than the newest time) is still
 * held, fixes leave in time order per vessel and each exactly once, and
 * every report is a fix, a duplicate or too old. */
static void test_random_stream(void **state)
{
    (void)state;
    struct prop *p = calloc(1, sizeof *p);
    assert_non_null(p);
    trk_tracker *t = trk_new(NULL);
    assert_non_null(t);
    trk_set_cb(t, prop_fix, NULL, p);
    uint32_t x = 12345;
    int64_t base = T0, now = 0;
    uint32_t prev_k = 0;
    int64_t prev_t = T0;
    const int n = 20000;
    for (int i = 0; i < n; i++) {
        base += 5 * SEC;
        uint32_t k = prev_k;
        int64_t ts = prev_t;
        if (i == 0 || lcg(&x) % 10 != 0) {
            k = lcg(&x) % PV;
            ts = base - (lcg(&x) % 10 < 3 ? (int64_t)(lcg(&x) % (15 * 60)) * SEC : 0);
        }
        prev_k = k;
        prev_t = ts;
        p->cur_k = k;
        p->cur_t = ts;
        p->cur_out = false;
        uint64_t before = trk_stats(t)->fixes;
        feed(t, pos(300000000 + k, u(-50 + k), u(100) + (int)((ts - T0) / 500)), ts);
        if (trk_stats(t)->fixes != before) {
            if (!p->cur_out) {
                assert_true(p->npending[k] < PMAX);
                p->pending[k][p->npending[k]++] = ts;
            }
            if (ts > now)
                now = ts;
        } else {
            assert_false(p->cur_out);
        }
        for (int v = 0; v < PV; v++)
            for (int j = 0; j < p->npending[v]; j++)
                assert_true(p->pending[v][j] > now - 10 * MIN);
    }
    trk_finish(t);
    const struct trk_stats *st = trk_stats(t);
    for (int v = 0; v < PV; v++)
        assert_int_equal(p->npending[v], 0);
    assert_int_equal(p->out, st->fixes);
    assert_int_equal(st->messages, (uint64_t)n);
    assert_int_equal(st->fixes + st->duplicates + st->too_old, (uint64_t)n);
    assert_int_equal(st->new_segments, PV);
    assert_int_equal(st->vessels, PV);
    /* the stream does exercise every path */
    assert_true(st->reordered > 1000);
    assert_true(st->too_old > 100);
    assert_true(st->duplicates > 1000);
    trk_free(t);
    free(p);
}

/* trk_feed_batch() has exactly the effects of trk_feed() in order: the
 * same fixes (every field) and static changes leave in the same order and
 * the counters agree. The stream has 2,000 vessels on a cap of 600 (records
 * evicted and moved while their prefetches are in flight), late and
 * repeated reports and renames (type 5); batches of 1 to 37 messages. */
struct batch_log {
    size_t n, nstat;
    struct trk_fix fix[12000];
    char name[12000][21];
    uint32_t stat_mmsi[600];
};

static void log_fix(void *ctx, const struct trk_fix *f, const struct trk_static *st)
{
    struct batch_log *l = ctx;
    assert_true(l->n < 12000);
    l->fix[l->n] = *f;
    memcpy(l->name[l->n], st->name, sizeof st->name);
    l->n++;
}

static void log_stat(void *ctx, uint32_t mmsi, const struct trk_static *before,
                     const struct trk_static *after)
{
    struct batch_log *l = ctx;
    (void)before;
    (void)after;
    assert_true(l->nstat < 600);
    l->stat_mmsi[l->nstat++] = mmsi;
}

static void test_feed_batch(void **state)
{
    (void)state;
    enum { N = 12000, NV = 2000 };
    struct ais_msg *m = calloc(N, sizeof *m);
    struct ais_meta *meta = calloc(N, sizeof *meta);
    struct batch_log *one = calloc(1, sizeof *one), *many = calloc(1, sizeof *many);
    assert_non_null(m);
    assert_non_null(meta);
    assert_non_null(one);
    assert_non_null(many);
    uint32_t x = 777;
    int64_t base = T0;
    for (int i = 0; i < N; i++) {
        base += 2 * SEC;
        uint32_t k = lcg(&x) % NV;
        int64_t ts = base - (lcg(&x) % 10 < 3 ? (int64_t)(lcg(&x) % 600) * SEC : 0);
        if (i > 0 && lcg(&x) % 10 == 0) {
            m[i] = m[i - 1];                       /* a repeat */
            meta[i] = meta[i - 1];
            continue;
        }
        struct ais_msg *p;
        if (lcg(&x) % 20 == 0)
            p = static5(400000000 + k, lcg(&x) % 2 ? "ALPHA" : "BRAVO", "", 0, 70, 0, 0, 0,
                        0, "");
        else
            p = pos(400000000 + k, u(-50 + k * 0.01), u(100) + (int)((ts - T0) / 500));
        m[i] = *p;
        free(p);
        meta[i] = (struct ais_meta){.time_ms = ts};
    }
    const struct trk_opts o = {.max_vessels = 600};
    trk_tracker *a = trk_new(&o), *b = trk_new(&o);
    assert_non_null(a);
    assert_non_null(b);
    trk_set_cb(a, log_fix, log_stat, one);
    trk_set_cb(b, log_fix, log_stat, many);
    for (int i = 0; i < N; i++)
        trk_feed(a, &m[i], &meta[i]);
    for (size_t i = 0, len = 1; i < N; i += len, len = len % 37 + 1)
        trk_feed_batch(b, &m[i], &meta[i], i + len <= N ? len : N - i);
    trk_finish(a);
    trk_finish(b);
    assert_true(one->n > 5000);
    assert_true(one->nstat > 10);
    assert_true(trk_stats(a)->evicted > 1000);
    assert_true(trk_stats(a)->reordered > 100);
    assert_int_equal(many->n, one->n);
    assert_int_equal(many->nstat, one->nstat);
    for (size_t i = 0; i < one->n; i++) {
        assert_int_equal(many->fix[i].mmsi, one->fix[i].mmsi);
        assert_int_equal(many->fix[i].t, one->fix[i].t);
        assert_int_equal(many->fix[i].lat, one->fix[i].lat);
        assert_int_equal(many->fix[i].lon, one->fix[i].lon);
        assert_int_equal(many->fix[i].segment, one->fix[i].segment);
        assert_string_equal(many->name[i], one->name[i]);
    }
    for (size_t i = 0; i < one->nstat; i++)
        assert_int_equal(many->stat_mmsi[i], one->stat_mmsi[i]);
    assert_memory_equal(trk_stats(b), trk_stats(a), sizeof(struct trk_stats));
    /* the same messages made compact (trk_msg_set) and fed with
     * trk_feed_msgs(), in batches of other sizes: the same fixes again */
    struct trk_msg *cm = calloc(N, sizeof *cm);
    struct batch_log *compact = calloc(1, sizeof *compact);
    assert_non_null(cm);
    assert_non_null(compact);
    for (int i = 0; i < N; i++)
        trk_msg_set(&cm[i], &m[i], meta[i].time_ms);
    trk_tracker *c = trk_new(&o);
    assert_non_null(c);
    trk_set_cb(c, log_fix, log_stat, compact);
    for (size_t i = 0, len = 1; i < N; i += len, len = len % 53 + 1)
        trk_feed_msgs(c, &cm[i], i + len <= N ? len : N - i);
    trk_finish(c);
    assert_int_equal(compact->n, one->n);
    assert_int_equal(compact->nstat, one->nstat);
    assert_memory_equal(compact->fix, one->fix, one->n * sizeof one->fix[0]);
    assert_memory_equal(compact->name, one->name, one->n * sizeof one->name[0]);
    assert_memory_equal(compact->stat_mmsi, one->stat_mmsi, one->nstat * sizeof(uint32_t));
    assert_memory_equal(trk_stats(c), trk_stats(a), sizeof(struct trk_stats));
    trk_free(a);
    trk_free(b);
    trk_free(c);
    free(m);
    free(meta);
    free(cm);
    free(one);
    free(many);
    free(compact);
}

/* The hash index wraps around its end. White box: the tracker starts with
 * 1,024 records and 2,048 slots, and MMSI m's home slot is
 * ((m * 0x9E3779B1) ^ (m >> 16)) & 2047 (track.c home_slot). Three vessels
 * whose home is the last slot and one whose home is slot 0 form one probe
 * run across the end (2047, 0, 1, 2); evicting the first must shift the
 * others back so that each is still found (a lost vessel would get a new
 * record, counted in vessels and new_segments). */
static uint32_t mmsi_home(uint32_t home, uint32_t from)
{
    for (uint32_t m = from;; m++)
        if ((((m * 0x9E3779B1u) ^ (m >> 16)) & 2047u) == home)
            return m;
}

static void test_index_wrap(void **state)
{
    (void)state;
    struct got g;
    trk_tracker *t = tracker(&(struct trk_opts){.idle_evict_ms = HOUR}, &g);
    uint32_t a = mmsi_home(2047, 200000000), b = mmsi_home(2047, a + 1);
    uint32_t c = mmsi_home(2047, b + 1), d = mmsi_home(0, 200000000);
    feed(t, pos(a, u(1), u(1)), T0);
    feed(t, pos(b, u(2), u(2)), T0 + 30 * MIN);
    feed(t, pos(c, u(3), u(3)), T0 + 30 * MIN);
    feed(t, pos(d, u(4), u(4)), T0 + 30 * MIN);
    /* a goes idle; every message sweeps two records */
    for (int k = 1; k <= 3; k++)
        feed(t, pos(b, u(2), u(2) + k), T0 + HOUR + k);
    assert_int_equal(trk_stats(t)->evicted, 1);
    assert_int_equal(trk_stats(t)->vessels, 3);
    feed(t, pos(c, u(3), u(3) + 1), T0 + HOUR + 10);
    feed(t, pos(d, u(4), u(4) + 1), T0 + HOUR + 11);
    feed(t, pos(b, u(2), u(2) + 4), T0 + HOUR + 12);
    assert_int_equal(trk_stats(t)->vessels, 3);
    /* a comes back at the end of the run; then b, c, d go idle in turn */
    feed(t, pos(a, u(1), u(1) + 1), T0 + 3 * HOUR);
    feed(t, pos(a, u(1), u(1) + 2), T0 + 3 * HOUR + 1);
    feed(t, pos(a, u(1), u(1) + 3), T0 + 3 * HOUR + 2);
    assert_int_equal(trk_stats(t)->evicted, 4);
    assert_int_equal(trk_stats(t)->vessels, 1);
    feed(t, pos(a, u(1), u(1) + 4), T0 + 3 * HOUR + 3);
    trk_finish(t);
    assert_stats(t, &(struct trk_stats){.messages = 14, .fixes = 14, .new_segments = 5,
                                        .evicted = 4, .vessels = 1});
    trk_free(t);

    /* the other way: slots 2046 (home 2046), 2047 and 0 (home 2047), 1
     * (home 0); emptying 2046 must leave the rest where they are (the one
     * in slot 0 would be lost in 2046, before its home) */
    t = tracker(&(struct trk_opts){.idle_evict_ms = HOUR}, &g);
    a = mmsi_home(2046, 200000000);
    feed(t, pos(a, u(1), u(1)), T0);
    feed(t, pos(b, u(2), u(2)), T0 + 30 * MIN);
    feed(t, pos(c, u(3), u(3)), T0 + 30 * MIN);
    feed(t, pos(d, u(4), u(4)), T0 + 30 * MIN);
    for (int k = 1; k <= 3; k++)
        feed(t, pos(d, u(4), u(4) + k), T0 + HOUR + k);
    assert_int_equal(trk_stats(t)->evicted, 1);
    feed(t, pos(c, u(3), u(3) + 1), T0 + HOUR + 10);
    feed(t, pos(b, u(2), u(2) + 1), T0 + HOUR + 11);
    trk_finish(t);
    assert_stats(t, &(struct trk_stats){.messages = 9, .fixes = 9, .new_segments = 4,
                                        .evicted = 1, .vessels = 3});
    trk_free(t);
}

static void test_bytes_per_vessel(void **state)
{
    (void)state;
    /* a 240-byte record (72 of static data, 8 newest time, 80 of open
     * segment ends, 16 of MMSI, counts and padding, 64 of reorder ring), a
     * 12-byte due-heap entry (due time, record index), a 4-byte heap
     * position and two 8-byte hash slots (MMSI, record index; load <= 1/2) */
    assert_int_equal(trk_bytes_per_vessel(), 240 + 12 + 4 + 2 * 8);
    assert_int_equal(sizeof(struct trk_static), 72);
}

static void test_finish(void **state)
{
    (void)state;
    struct got g;
    trk_tracker *t = tracker(NULL, &g);
    feed(t, along(50, 60), T0 + 60 * SEC);
    feed(t, along(51, 0), T0);
    feed(t, along(50, 0), T0);
    feed(t, along(51, 30), T0 + 30 * SEC);
    assert_int_equal(g.nfix, 0);
    trk_finish(t);
    assert_int_equal(g.nfix, 4);
    int64_t last[2] = {0, 0};
    for (int i = 0; i < 4; i++) {
        int k = (int)(g.fix[i].mmsi - 50);
        assert_true(g.fix[i].t >= last[k]);
        last[k] = g.fix[i].t;
    }
    trk_finish(t);                                      /* nothing left */
    assert_int_equal(g.nfix, 4);
    /* the tracker goes on after a flush */
    feed(t, along(50, 120), T0 + 120 * SEC);
    trk_finish(t);
    assert_int_equal(g.nfix, 5);
    assert_int_equal(g.fix[4].segment, 1);
    trk_free(t);
    trk_free(NULL);
}

static void test_distance(void **state)
{
    (void)state;
    /* one degree of a great circle: 6371.0088 * pi / 180 km */
    assert_true(fabs(trk_distance_km(0, 0, TRK_DEG, 0) - 111.19508) < 1e-5);
    assert_true(fabs(trk_distance_km(0, 0, 0, TRK_DEG) - 111.19508) < 1e-5);
    /* across the antimeridian */
    assert_true(fabs(trk_distance_km(0, 180 * TRK_DEG - TRK_DEG / 2, 0,
                                     -180 * TRK_DEG + TRK_DEG / 2) - 111.19508) < 1e-5);
    /* antipodes: half the circumference */
    assert_true(fabs(trk_distance_km(0, 0, 0, 180 * TRK_DEG) - M_PI * 6371.0088) < 1e-6);
    assert_true(trk_distance_km(u(45), u(7), u(45), u(7)) == 0);
}

/* ---- real sentences through the decoder ---- */

struct pipe {
    trk_tracker *t;
    struct got *g;
};

static void pipe_msg(void *ctx, const struct ais_msg *m, const struct ais_meta *meta)
{
    struct pipe *p = ctx;
    trk_feed(p->t, m, meta);
}

/* The reports of ALYCIA (MMSI 215517000) in the bundled exactEarth capture
 * (lines 36-37, 89-90, 285-286, 826-827, 2510-2511, 3979-3980, 5793-5794,
 * 6217-6218): $PGHP lines give the time of the sentence after them, the
 * others have only the logger's epoch after the checksum. */
static const char *alycia[] = {
    "!AIVDM,1,1,5,2,53=R7B02BC`sTP7;OCT4iT<T6222222222222216BpMD<4Td0IQ5DPPC`88888888888880,2*2D,1327992619684",
    "$PGHP,1,2012,1,31,6,15,48,0,316,3,316999999,1AIS_S,2C*0A,1327992619768",
    "!AIVDM,1,1,,B,13=R7B002273aj?aNONJO`LD00S`,0*7D,1327992619768",
    "$PGHP,1,2012,1,31,6,19,7,0,316,3,316999999,1AIS_S,31*4E,1327992620541",
    "!AIVDM,1,1,,B,13=R7B002073U>oaNO4JNpLv04i@,0*08,1327992620541",
    "!AIVDM,1,1,,B,13=R7B002173PBQaNNSJR`ND04iP,0*04,1327992624321",
    "!AIVDM,1,1,,B,13=R7B002173QWKaNNa:O`LF086G,0*11,1327992634765",
    "$PGHP,1,2012,1,31,6,18,0,0,316,3,316999999,1AIS_S,1D*3F,1327992742720",
    "!AIVDM,1,1,,A,13=R7B002373Vl5aNO:bM`L`08<1,0*08,1327992742720",
    "$PGHP,1,2012,1,31,6,20,10,0,316,3,316999999,1AIS_S,3B*01,1327992759429",
    "!AIVDM,1,1,,B,13=R7B002073So1aNNtrM8Lv00Rk,0*27,1327992759441",
    "!AIVDM,1,1,,B,13=R7B002173RRCaNNhbPHLv0<00,0*3C,1327992789204",
};

static void test_real_sentences(void **state)
{
    (void)state;
    struct got g;
    struct pipe p = {tracker(NULL, &g), &g};
    ais_decoder *d = ais_decoder_new(NULL);
    assert_non_null(d);
    ais_decoder_set_cb(d, pipe_msg, NULL, &p);
    for (size_t i = 0; i < sizeof alycia / sizeof alycia[0]; i++)
        assert_int_equal(ais_decoder_feed(d, alycia[i], strlen(alycia[i])), ALD_E_OK);
    ais_decoder_finish(d);
    trk_finish(p.t);
    /* the type 5 came first, with the logger's time */
    assert_int_equal(g.nstat, 1);
    assert_int_equal(g.stat[0].mmsi, 215517000);
    assert_string_equal(g.stat[0].after.name, "ALYCIA");
    assert_int_equal(g.stat[0].after.t, 1327992619684LL);
    /* 06:18:00 and 06:20:10 come after 06:50:34.765: more than 10 minutes
     * late, dropped; the rest leave in time order, one segment (the vessel
     * drifts about 2 km in 37 minutes) */
    static const struct { int64_t t; int lat, lon; } want[] = {
        {1327990548000LL, -23617671, 59199047},       /* 06:15:48 */
        {1327990747000LL, -23617775, 59189723},       /* 06:19:07 */
        {1327992624321LL, -23617907, 59179600},       /* 06:50:24.321 */
        {1327992634765LL, -23617884, 59182317},       /* 06:50:34.765 */
        {1327992789204LL, -23617854, 59184201},       /* 06:53:09.204 */
    };
    assert_int_equal(g.nfix, 5);
    for (int i = 0; i < 5; i++) {
        assert_int_equal(g.fix[i].mmsi, 215517000);
        assert_int_equal(g.fix[i].t, want[i].t);
        assert_int_equal(g.fix[i].lat, want[i].lat);
        assert_int_equal(g.fix[i].lon, want[i].lon);
        assert_int_equal(g.fix[i].segment, 1);
        assert_int_equal(g.fix[i].msg_type, 1);
        assert_string_equal(g.name[i], "ALYCIA");
    }
    assert_stats(p.t, &(struct trk_stats){.messages = 8, .fixes = 5, .too_old = 2,
                                          .new_segments = 1, .vessels = 1});
    ais_decoder_free(d);
    trk_free(p.t);
}

/* A real class B vessel (MMSI 230108610) sending type 18 and type 27
 * alternately (gpsd test/daemon/ais-18-27.log, lines 5, 8, 133, 136, 217,
 * 220; the capture has no times, so tag blocks with made-up receive times
 * 3 s and 1 min apart were added). Type 27's 1/10 minute position is ~80 m
 * from type 18's: within the noise distance, one segment. */
static const char *classb[] = {
    "\\c:1683446400*57\\!AIVDM,1,1,,A,B3KLehP0B@LTN6`Vl;rrBE063P06,0*5A",
    "\\c:1683446403*54\\!AIVDM,1,1,,A,K3KLehP0rPTJ10Qr,0*2A",
    "\\c:1683446460*51\\!AIVDM,1,1,,A,B3KLehP0:hLTAW`VlaFq2D063P06,0*78",
    "\\c:1683446463*52\\!AIVDM,1,1,,A,K3KLehP0rPDJ101r,0*5A",
    "\\c:1683446520*54\\!AIVDM,1,1,,A,B3KLehP0<hLT8A8VlvrrrEP63P06,0*48",
    "\\c:1683446523*57\\!AIVDM,1,1,,A,K3KLehP0rP4J1PQr,0*2A",
};

static void test_real_type27(void **state)
{
    (void)state;
    struct got g;
    struct pipe p = {tracker(NULL, &g), &g};
    ais_decoder *d = ais_decoder_new(NULL);
    assert_non_null(d);
    ais_decoder_set_cb(d, pipe_msg, NULL, &p);
    for (size_t i = 0; i < sizeof classb / sizeof classb[0]; i++)
        assert_int_equal(ais_decoder_feed(d, classb[i], strlen(classb[i])), ALD_E_OK);
    ais_decoder_finish(d);
    trk_finish(p.t);
    /* as `alidade ais decode -u` shows them: type 18 lat/lon in 1/10000
     * minute, SOG 0.1 kn, COG 0.1 degree; type 27 lat/lon in 1/10 minute,
     * SOG kn, COG degree */
    static const struct { int64_t t; int type, lat, lon, sog, cog, hdg; } want[] = {
        {1683446400000LL, 18, 36098238, 14978829, 73, 2980, 298},
        {1683446403000LL, 27, 36098000, 14978000, 10, 300, TRK_HEADING_NA},
        {1683446460000LL, 18, 36098709, 14977231, 43, 2960, 296},
        {1683446463000LL, 27, 36098000, 14977000, 0, 300, TRK_HEADING_NA},
        {1683446520000LL, 18, 36099054, 14976034, 51, 2990, 299},
        {1683446523000LL, 27, 36099000, 14976000, 10, 300, TRK_HEADING_NA},
    };
    assert_int_equal(g.nfix, 6);
    for (int i = 0; i < 6; i++) {
        const struct trk_fix *f = &g.fix[i];
        assert_int_equal(f->mmsi, 230108610);
        assert_int_equal(f->t, want[i].t);
        assert_int_equal(f->msg_type, want[i].type);
        assert_int_equal(f->lat, want[i].lat);
        assert_int_equal(f->lon, want[i].lon);
        assert_int_equal(f->sog, want[i].sog);
        assert_int_equal(f->cog, want[i].cog);
        assert_int_equal(f->heading, want[i].hdg);
        assert_int_equal(f->nav_status, want[i].type == 27 ? 0 : 15);
        assert_int_equal(f->segment, 1);
    }
    assert_stats(p.t, &(struct trk_stats){.messages = 6, .fixes = 6, .new_segments = 1,
                                          .vessels = 1});
    ais_decoder_free(d);
    trk_free(p.t);
}

static char *read_zst(const char *path)
{
    size_t clen;
    char *c = tu_read_file(path, &clen);
    if (!c)
        return NULL;
    ZSTD_DCtx *dc = ZSTD_createDCtx();
    size_t cap = 1 << 20;
    char *out = malloc(cap + 1);
    assert_non_null(out);
    ZSTD_inBuffer in = {c, clen, 0};
    ZSTD_outBuffer o = {out, cap, 0};
    while (in.pos < in.size) {
        size_t rc = ZSTD_decompressStream(dc, &o, &in);
        assert_false(ZSTD_isError(rc));
        if (o.pos == o.size) {
            cap *= 2;
            out = realloc(out, cap + 1);
            assert_non_null(out);
            o.dst = out;
            o.size = cap;
        }
    }
    out[o.pos] = '\0';
    ZSTD_freeDCtx(dc);
    free(c);
    return out;
}

/*
 * The whole bundled exactEarth capture (data/ais/exactearth-2012.txt.zst,
 * 7,160 lines, 3,940 messages handed on: 3,942 decoded less 2 type 24 part
 * B without a part A, which the decoder only passes on merged or with
 * split24). The expected counters were computed by an
 * independent model of the documented rules (a Python script over
 * `alidade ais decode -u --meta` output, reproduced in docs/track.md):
 * 2,928 position reports (types 1, 3, 18), of which 5 have lat 91/lon 181;
 * 6 report SOG 102.3 kn; 4 type 5 names are empty; 860 fixes come more than
 * 10 minutes after a newer fix of their vessel (the capture interleaves
 * satellite passes half an hour apart), so 2,063 are accepted, none of them
 * late within the window; 1,216 segments, 1,004 vessels (static data
 * included), nothing evicted in the 21 hours covered.
 */
static void test_exactearth_capture(void **state)
{
    (void)state;
    char *text = read_zst(tu_testdata("../../data/ais/exactearth-2012.txt.zst"));
    assert_non_null(text);
    struct got g;
    struct pipe p = {tracker(NULL, &g), &g};
    trk_set_cb(p.t, NULL, NULL, NULL);
    ais_decoder *d = ais_decoder_new(NULL);
    assert_non_null(d);
    ais_decoder_set_cb(d, pipe_msg, NULL, &p);
    size_t lines = 0;
    for (char *s = text; *s;) {
        char *nl = strchr(s, '\n');
        size_t n = nl ? (size_t)(nl - s) : strlen(s);
        ais_decoder_feed(d, s, n);
        lines++;
        s += n + (nl != NULL);
    }
    ais_decoder_finish(d);
    trk_finish(p.t);
    assert_int_equal(lines, 7160);
    assert_stats(p.t, &(struct trk_stats){
        .messages = 3940, .fixes = 2063, .no_position = 5, .bad_speed = 6,
        .bad_name = 4, .too_old = 860, .new_segments = 1216, .vessels = 1004});
    ais_decoder_free(d);
    trk_free(p.t);
    free(text);
}

/* ---- throughput (not a test): ALD_TRK_BENCH=N tests/track_test_track ----
 *
 * Feeds the decoded exactEarth capture N times (each pass a day later, so
 * vessels come back, segments break on the 24 h gap and idle ones are
 * evicted), then a synthetic fleet of 100,000 vessels reporting every 10 s
 * with 20 % of reports up to 30 s late, and prints messages per second
 * through trk_feed() alone (decoding is done beforehand). */

struct capture {
    struct ais_msg *m;
    int64_t *t;
    size_t n, cap;
};

static void capture_msg(void *ctx, const struct ais_msg *m, const struct ais_meta *meta)
{
    struct capture *c = ctx;
    if (c->n == c->cap) {
        c->cap = c->cap ? 2 * c->cap : 4096;
        c->m = realloc(c->m, c->cap * sizeof *c->m);
        c->t = realloc(c->t, c->cap * sizeof *c->t);
        if (!c->m || !c->t)
            abort();
    }
    c->m[c->n] = *m;
    c->t[c->n++] = meta->time_ms;
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static void bench_report(const char *what, const trk_tracker *t, double secs, uint64_t out)
{
    const struct trk_stats *s = trk_stats(t);
    printf("%s: %llu messages in %.3f s = %.2f M messages/s; %llu fixes accepted, %llu "
           "handed out, %llu segments, %llu evicted, %llu vessels held at the end "
           "(%zu bytes each)\n",
           what, (unsigned long long)s->messages, secs, (double)s->messages / secs / 1e6,
           (unsigned long long)s->fixes, (unsigned long long)out,
           (unsigned long long)s->new_segments, (unsigned long long)s->evicted,
           (unsigned long long)s->vessels, trk_bytes_per_vessel());
}

static int bench(int reps)
{
    char *text = read_zst(tu_testdata("../../data/ais/exactearth-2012.txt.zst"));
    if (!text) {
        fprintf(stderr, "data/ais/exactearth-2012.txt.zst not found\n");
        return 1;
    }
    struct capture c = {0};
    ais_decoder *d = ais_decoder_new(NULL);
    ais_decoder_set_cb(d, capture_msg, NULL, &c);
    for (char *p = text; *p;) {
        char *nl = strchr(p, '\n');
        size_t n = nl ? (size_t)(nl - p) : strlen(p);
        ais_decoder_feed(d, p, n);
        p += n + (nl != NULL);
    }
    ais_decoder_finish(d);
    ais_decoder_free(d);
    free(text);

    uint64_t out = 0;
    trk_tracker *t = trk_new(NULL);
    trk_set_cb(t, count_fix, NULL, &out);
    struct ais_meta meta = {0};
    double t0 = now_s();
    for (int r = 0; r < reps; r++)
        for (size_t i = 0; i < c.n; i++) {
            meta.time_ms = c.t[i] == AIS_TIME_NONE ? AIS_TIME_NONE : c.t[i] + r * 24 * HOUR;
            trk_feed(t, &c.m[i], &meta);
        }
    trk_finish(t);
    char what[64];
    snprintf(what, sizeof what, "exactearth-2012 x%d", reps);
    bench_report(what, t, now_s() - t0, out);
    trk_free(t);
    free(c.m);
    free(c.t);

    /* synthetic: 100,000 vessels, one report every 10 s each */
    const uint32_t nv = 100000;
    const uint64_t nmsg = 5000000;
    struct ais_msg *m = msg_new(1, 0);
    out = 0;
    t = trk_new(NULL);
    trk_set_cb(t, count_fix, NULL, &out);
    uint32_t x = 7;
    t0 = now_s();
    for (uint64_t i = 0; i < nmsg; i++) {
        uint32_t k = (uint32_t)(i % nv);
        int64_t ts = T0 + (int64_t)(i / nv) * 10 * SEC + k / 10;
        if (lcg(&x) % 5 == 0)
            ts -= (int64_t)(lcg(&x) % 30) * SEC;
        m->mmsi = 200000000 + k * 17;
        m->u.t1.lat = u(-60 + (double)k / 1000);
        m->u.t1.lon = u(-170) + (int)((ts - T0) / 100);
        m->u.t1.speed = 100;
        m->u.t1.course = 900;
        m->u.t1.heading = 90;
        meta.time_ms = ts;
        trk_feed(t, m, &meta);
    }
    trk_finish(t);
    bench_report("synthetic 100,000 vessels", t, now_s() - t0, out);
    trk_free(t);
    free(m);
    return 0;
}

int main(void)
{
    const char *b = getenv("ALD_TRK_BENCH");
    if (b)
        return bench(atoi(b) > 0 ? atoi(b) : 100);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fix_fields),
        cmocka_unit_test(test_no_time),
        cmocka_unit_test(test_position_validity),
        cmocka_unit_test(test_motion_validity),
        cmocka_unit_test(test_type27),
        cmocka_unit_test(test_bad_names),
        cmocka_unit_test(test_static_merge),
        cmocka_unit_test(test_reorder),
        cmocka_unit_test(test_too_old),
        cmocka_unit_test(test_window_release),
        cmocka_unit_test(test_duplicates),
        cmocka_unit_test(test_segments),
        cmocka_unit_test(test_segment_limits),
        cmocka_unit_test(test_segment_bound),
        cmocka_unit_test(test_evict_idle),
        cmocka_unit_test(test_static_without_time),
        cmocka_unit_test(test_evict_moves_held),
        cmocka_unit_test(test_evict_full),
        cmocka_unit_test(test_many_vessels),
        cmocka_unit_test(test_random_stream),
        cmocka_unit_test(test_feed_batch),
        cmocka_unit_test(test_index_wrap),
        cmocka_unit_test(test_bytes_per_vessel),
        cmocka_unit_test(test_finish),
        cmocka_unit_test(test_distance),
        cmocka_unit_test(test_real_sentences),
        cmocka_unit_test(test_real_type27),
        cmocka_unit_test(test_exactearth_capture),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
