/*
 * test_encounter.c - the encounter (rendezvous / transshipment) detector
 * (lib/detect/encounter.c) fed through det_new() / det_feed_fix() /
 * det_finish(): duration, separation, speed and anchorage thresholds on both
 * sides, GPS noise, SOG against positions, gaps and segment changes that are
 * not interpolated, the merge window, when events come out, bad receive
 * times, 0,0 fixes, three vessels, grid-cell borders, the antimeridian, a
 * 466-day mooring, random fleets against a batch computation of the
 * definition, a dense fleet, a spoofed crowd (pair cap) and 20,000
 * scattered vessels (throughput and memory are printed). The spatial hash
 * (grid.c) is checked against a brute-force all-pairs count. Tracks are
 * synthetic: straight legs at a constant velocity.
 */
#include "testutil.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#if defined(__GLIBC__)
#include <malloc.h>
#endif

#include "alidade/detect.h"
#include "detect/grid.h"
#include "detect/internal.h"

#define T0 1700001000000LL        /* 2023-11-14 22:30:00 UTC, on a 10-minute tick */
#define MIN 60000LL
#define HOUR 3600000LL
#define KM_PER_DEG (6371.0088 * M_PI / 180.0)
#define DBIN (0.5 / 64)           /* the detector's histogram bins at the defaults */
#define SBIN (4.0 / 64)

/* Two vessels of different flags (MIDs 412 and 538), a third and a fourth. */
#define VA 412000001u
#define VB 538000002u
#define VC 563000003u
#define VD 636000004u

/* |a - b| <= eps, printing both on failure. */
#define assert_near(a, b, eps)                                                      \
    do {                                                                            \
        double a_ = (a), b_ = (b);                                                  \
        if (!(fabs(a_ - b_) <= (eps))) {                                            \
            print_error("%s = %.9g, want %.9g +- %g\n", #a, a_, b_, (double)(eps)); \
            fail();                                                                 \
        }                                                                           \
    } while (0)

/* CPU seconds used by the process (less disturbed by a busy machine). */
static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* ---- synthetic tracks ---- */

struct fixes {
    struct trk_fix *f;
    size_t n, cap;
};

/* A straight leg: the vessel is at (lat0, lon0) at T0 and moves at vn / ve
 * knots north / east; it reports every `step` ms from `from` to `to`. */
struct leg {
    uint32_t mmsi;
    int64_t from, to, step;
    double lat0, lon0, vn, ve;
    uint32_t segment;            /* 0 = 1 */
};

static double wrap_lon(double lon)
{
    return lon - 360 * floor((lon + 180) / 360);
}

/* Position of a point `north` km north and `east` km east of (lat, lon). */
static void offset(double lat, double lon, double north, double east, double *olat,
                   double *olon)
{
    *olat = lat + north / KM_PER_DEG;
    *olon = wrap_lon(lon + east / (KM_PER_DEG * cos(lat * M_PI / 180)));
}

static void push(struct fixes *fx, const struct trk_fix *f)
{
    if (fx->n == fx->cap) {
        fx->cap = fx->cap ? 2 * fx->cap : 1024;
        fx->f = realloc(fx->f, fx->cap * sizeof *fx->f);
        assert_non_null(fx->f);
    }
    fx->f[fx->n++] = *f;
}

static struct trk_fix mkfix(uint32_t mmsi, uint32_t seg, int64_t t, double lat, double lon,
                            double sog)
{
    struct trk_fix f = {.mmsi = mmsi, .segment = seg ? seg : 1, .t = t,
                        .lat = (int32_t)lround(lat * TRK_DEG),
                        .lon = (int32_t)lround(wrap_lon(lon) * TRK_DEG),
                        .sog = (uint16_t)lround(sog * 10), .cog = TRK_COG_NA,
                        .heading = TRK_HEADING_NA, .nav_status = 15, .msg_type = 1};
    return f;
}

static void add_leg(struct fixes *fx, struct leg l)
{
    double sog = hypot(l.vn, l.ve);
    for (int64_t t = l.from; t <= l.to; t += l.step) {
        double h = (t - T0) / (double)HOUR, lat, lon;
        offset(l.lat0, l.lon0, l.vn * TRK_KM_PER_NM * h, l.ve * TRK_KM_PER_NM * h, &lat, &lon);
        struct trk_fix f = mkfix(l.mmsi, l.segment, t, lat, lon, sog);
        push(fx, &f);
    }
}

static int by_time(const void *a, const void *b)
{
    const struct trk_fix *x = a, *y = b;
    if (x->t != y->t)
        return x->t < y->t ? -1 : 1;
    return x->mmsi < y->mmsi ? -1 : x->mmsi > y->mmsi;
}

/* ---- running the engine ---- */

struct got {
    int n;
    struct det_event e[32];
};

static void collect(void *ctx, const struct det_event *e)
{
    struct got *g = ctx;
    if (e->kind == DET_ENCOUNTER && g->n < 32)
        g->e[g->n++] = *e;
}

/* Feeds the fixes in time order through a fresh engine; frees them. */
static void run(const struct det_config *cfg, const struct det_geo *geo, struct fixes *fx,
                struct got *g)
{
    memset(g, 0, sizeof *g);
    qsort(fx->f, fx->n, sizeof *fx->f, by_time);
    det_engine *d = det_new(cfg, geo, collect, g);
    assert_non_null(d);
    for (size_t i = 0; i < fx->n; i++)
        det_feed_fix(d, &fx->f[i], NULL);
    det_finish(d);
    assert_int_equal(det_count(d, DET_ENCOUNTER), (uint64_t)g->n);
    det_free(d);
    free(fx->f);
    memset(fx, 0, sizeof *fx);
}

/* The meeting place: the Indian Ocean, far from land. */
#define LAT0 (-20.0)
#define LON0 70.0

/* Vessel A at the meeting place and B `sep_km` north of it, both moving east
 * at `kn`, A reporting every 3 min, B every 4 min (offset by a minute), from
 * `from` to `to`. */
static void meeting(struct fixes *fx, int64_t from, int64_t to, double sep_km, double kn)
{
    double blat, blon;
    offset(LAT0, LON0, sep_km, 0, &blat, &blon);
    add_leg(fx, (struct leg){VA, from, to, 3 * MIN, LAT0, LON0, 0, kn, 0});
    add_leg(fx, (struct leg){VB, from + MIN, to + MIN, 4 * MIN, blat, blon, 0, kn, 0});
}

/* ---- the basic case and each threshold on both sides ---- */

static void three_hour_meeting(void **state)
{
    (void)state;
    struct fixes fx = {0};
    struct got g;
    /* A reports 00:05 .. 03:05, B 00:06 .. 03:06 */
    meeting(&fx, T0 + 5 * MIN, T0 + 185 * MIN, 0.2, 1.0);
    run(NULL, NULL, &fx, &g);
    assert_int_equal(g.n, 1);
    const struct det_event *e = &g.e[0];
    assert_int_equal(e->kind, DET_ENCOUNTER);
    assert_int_equal(e->mmsi, VA);          /* lower MMSI first */
    assert_int_equal(e->mmsi2, VB);
    /* first tick with both resampled: 00:10; last: 03:00 */
    assert_int_equal(e->start, T0 + 10 * MIN);
    assert_int_equal(e->end, T0 + 180 * MIN);
    assert_true(e->start - (T0 + 5 * MIN) < 10 * MIN);
    assert_true(T0 + 186 * MIN - e->end < 10 * MIN);
    assert_near(e->duration_h, 170.0 / 60, 1e-12);
    assert_near(e->distance_km, 0.2, DBIN);
    assert_near(e->speed_kn, 1.0, SBIN);
    /* mean position: halfway between the two, at 01:35 */
    double lat, lon;
    offset(LAT0, LON0, 0.1, 1.0 * TRK_KM_PER_NM * 95 / 60, &lat, &lon);
    assert_near(e->lat, lat, 1e-5);
    assert_near(e->lon, lon, 1e-5);
    assert_true(isnan(e->shore_km));
    assert_string_equal(e->detail, "anchorage distance unknown");

    /* a 5-minute grid: the last tick is 03:05, on A's last fix */
    struct det_config cfg = {.enc_grid_min = 5};
    meeting(&fx, T0 + 5 * MIN, T0 + 185 * MIN, 0.2, 1.0);
    run(&cfg, NULL, &fx, &g);
    assert_int_equal(g.n, 1);
    assert_int_equal(g.e[0].start, T0 + 10 * MIN);
    assert_int_equal(g.e[0].end, T0 + 185 * MIN);
    assert_near(g.e[0].speed_kn, 1.0, SBIN);
}

static void duration_threshold(void **state)
{
    (void)state;
    struct fixes fx = {0};
    struct got g;
    /* fixes 00:00 .. 01:56: ticks 00:00 .. 01:50 (1 h 50) */
    add_leg(&fx, (struct leg){VA, T0, T0 + 116 * MIN, 2 * MIN, LAT0, LON0, 0, 0.5, 0});
    add_leg(&fx, (struct leg){VB, T0, T0 + 116 * MIN, 2 * MIN, LAT0 + 0.002, LON0, 0, 0.5, 0});
    run(NULL, NULL, &fx, &g);
    assert_int_equal(g.n, 0);

    /* 00:00 .. 02:00 on the grid: exactly 2 h, reported */
    add_leg(&fx, (struct leg){VA, T0, T0 + 120 * MIN, 2 * MIN, LAT0, LON0, 0, 0.5, 0});
    add_leg(&fx, (struct leg){VB, T0, T0 + 120 * MIN, 2 * MIN, LAT0 + 0.002, LON0, 0, 0.5, 0});
    run(NULL, NULL, &fx, &g);
    assert_int_equal(g.n, 1);
    assert_int_equal(g.e[0].start, T0);
    assert_int_equal(g.e[0].end, T0 + 2 * HOUR);
    assert_near(g.e[0].duration_h, 2.0, 1e-12);

    /* a lower threshold from the configuration */
    struct det_config cfg = {.enc_min_h = 1.5};
    add_leg(&fx, (struct leg){VA, T0, T0 + 116 * MIN, 2 * MIN, LAT0, LON0, 0, 0.5, 0});
    add_leg(&fx, (struct leg){VB, T0, T0 + 116 * MIN, 2 * MIN, LAT0 + 0.002, LON0, 0, 0.5, 0});
    run(&cfg, NULL, &fx, &g);
    assert_int_equal(g.n, 1);
    assert_int_equal(g.e[0].end, T0 + 110 * MIN);
}

static void separation_threshold(void **state)
{
    (void)state;
    struct fixes fx = {0};
    struct got g;
    meeting(&fx, T0, T0 + 3 * HOUR, 0.6, 1.0);
    run(NULL, NULL, &fx, &g);
    assert_int_equal(g.n, 0);

    meeting(&fx, T0, T0 + 3 * HOUR, 0.45, 1.0);
    run(NULL, NULL, &fx, &g);
    assert_int_equal(g.n, 1);
    assert_near(g.e[0].distance_km, 0.45, DBIN);

    /* 0.6 km counts when the limit is 1 km (bins are then 1/64 km) */
    struct det_config cfg = {.enc_max_km = 1};
    meeting(&fx, T0, T0 + 3 * HOUR, 0.6, 1.0);
    run(&cfg, NULL, &fx, &g);
    assert_int_equal(g.n, 1);
    assert_near(g.e[0].distance_km, 0.6, 1.0 / 64);
}

static void speed_threshold(void **state)
{
    (void)state;
    struct fixes fx = {0};
    struct got g;
    meeting(&fx, T0, T0 + 3 * HOUR, 0.2, 2.5);
    run(NULL, NULL, &fx, &g);
    assert_int_equal(g.n, 0);

    meeting(&fx, T0, T0 + 3 * HOUR, 0.2, 1.9);
    run(NULL, NULL, &fx, &g);
    assert_int_equal(g.n, 1);
    assert_near(g.e[0].speed_kn, 1.9, SBIN);

}

static uint64_t rng_next(uint64_t *s)
{
    *s ^= *s << 13;
    *s ^= *s >> 7;
    *s ^= *s << 17;
    return *s;
}

static double rng_unit(uint64_t *s)
{
    return (rng_next(s) >> 11) * (1.0 / 9007199254740992.0);
}

/* GPS noise: two vessels drifting together report every 10 s (class A under
 * way) with positions scattered +-10 m north and east, and no SOG. Speeds
 * between fixes
 * 10 s apart are mostly that noise (at a true 1 kn their median came out at
 * 1.76 kn, at 1.5 kn over 2 kn and the meeting was lost); over the 10
 * minutes between ticks the noise is a few hundredths of a knot. */
static double noise_km(uint64_t *seed)
{
    return (rng_next(seed) >> 11) * (1.0 / 9007199254740992.0) * 0.02 - 0.01;
}

static void noisy_drift(double kn)
{
    struct fixes fx = {0};
    struct got g;
    uint64_t seed = 77;
    for (int v = 0; v < 2; v++)
        for (int64_t t = T0; t <= T0 + 3 * HOUR; t += 10000) {
            double h = (t - T0) / (double)HOUR, lat, lon;
            double n = noise_km(&seed), e = noise_km(&seed);
            offset(LAT0, LON0, 0.2 * v + n, kn * TRK_KM_PER_NM * h + e, &lat, &lon);
            struct trk_fix f = mkfix(v ? VB : VA, 1, t + v * 3000, lat, lon, 0);
            f.sog = TRK_SOG_NA;          /* no SOG: the speed comes from positions */
            push(&fx, &f);
        }
    run(NULL, NULL, &fx, &g);
    assert_int_equal(g.n, 1);
    assert_near(g.e[0].speed_kn, kn, 0.1);
    assert_near(g.e[0].distance_km, 0.2, 0.01);
}

static void noisy_fixes_every_10_s(void **state)
{
    (void)state;
    noisy_drift(1.0);
    noisy_drift(1.5);
}

/* The speed at a tick is the vessel's displacement since the previous tick
 * (GFW's compute_encounters), or its reported SOG when that is higher. */
static void speed_positions_and_sog(void **state)
{
    (void)state;
    struct fixes fx = {0};
    struct got g;
    /* moving together at 2.5 kn while reporting SOG 1.0: not reported */
    meeting(&fx, T0, T0 + 3 * HOUR, 0.2, 2.5);
    for (size_t i = 0; i < fx.n; i++)
        fx.f[i].sog = 10;
    run(NULL, NULL, &fx, &g);
    assert_int_equal(g.n, 0);

    /* moving at 1.0 kn, reporting 1.5: reported at 1.5 */
    meeting(&fx, T0, T0 + 3 * HOUR, 0.2, 1.0);
    for (size_t i = 0; i < fx.n; i++)
        fx.f[i].sog = 15;
    run(NULL, NULL, &fx, &g);
    assert_int_equal(g.n, 1);
    assert_near(g.e[0].speed_kn, 1.5, SBIN);

    /* one vessel without SOG at all: its positions */
    meeting(&fx, T0, T0 + 3 * HOUR, 0.2, 1.2);
    for (size_t i = 0; i < fx.n; i++)
        if (fx.f[i].mmsi == VA)
            fx.f[i].sog = TRK_SOG_NA;
    run(NULL, NULL, &fx, &g);
    assert_int_equal(g.n, 1);
    assert_near(g.e[0].speed_kn, 1.2, SBIN);

    /* A real case (exactEarth, 2012-01-31, 17 S 78 E): the tug SALVAGE
     * CHAMPION (377223000, "restricted in her ability to manoeuvre") towing
     * LANCELOT (375287000, "not under command") to Angola at SOG 6.5 kn; the
     * receive times of a later satellite pass put both back where they had
     * been half an hour before, so their positions say 0.4 kn. Positions
     * still, SOG 6.5: not an encounter. */
    meeting(&fx, T0, T0 + 3 * HOUR, 0.2, 0);
    for (size_t i = 0; i < fx.n; i++)
        fx.f[i].sog = 65;
    run(NULL, NULL, &fx, &g);
    assert_int_equal(g.n, 0);
}

/* ---- anchorages and shore ---- */

struct anch {
    double lat, lon;             /* the one anchorage; NAN = unknown */
    int calls;
};

static double anch_km(void *ctx, double lat, double lon)
{
    struct anch *a = ctx;
    a->calls++;
    return isnan(a->lat) ? NAN : sgrid_km(lat, lon, a->lat, a->lon);
}

static double shore_km(void *ctx, double lat, double lon)
{
    (void)ctx;
    (void)lon;
    return 100 + (lat - LAT0);
}

static void anchorage_distance(void **state)
{
    (void)state;
    struct fixes fx = {0};
    struct got g;
    struct anch a;
    struct det_geo geo = {.anchorage_km = anch_km, .shore_km = shore_km, .ctx = &a};

    /* an anchorage 5 km west of the meeting: not an encounter */
    a = (struct anch){LAT0, LON0 - 5 / (KM_PER_DEG * cos(LAT0 * M_PI / 180)), 0};
    meeting(&fx, T0, T0 + 3 * HOUR, 0.2, 0.0);
    run(NULL, &geo, &fx, &g);
    assert_int_equal(g.n, 0);
    assert_int_equal(a.calls, 1);             /* asked once, for the event */

    /* 12 km: reported, with the shore distance at the event's place */
    a = (struct anch){LAT0, LON0 - 12 / (KM_PER_DEG * cos(LAT0 * M_PI / 180)), 0};
    meeting(&fx, T0, T0 + 3 * HOUR, 0.2, 0.0);
    run(NULL, &geo, &fx, &g);
    assert_int_equal(g.n, 1);
    assert_string_equal(g.e[0].detail, "");
    assert_near(g.e[0].shore_km, 100 + 0.1 / KM_PER_DEG, 1e-6);
    assert_near(g.e[0].speed_kn, 0.0, SBIN);

    /* a configured minimum of 15 km drops it again */
    struct det_config cfg = {.enc_min_anchorage_km = 15};
    meeting(&fx, T0, T0 + 3 * HOUR, 0.2, 0.0);
    run(&cfg, &geo, &fx, &g);
    assert_int_equal(g.n, 0);

    /* unknown (the callback returns NAN): reported, and the event says so */
    a = (struct anch){NAN, NAN, 0};
    meeting(&fx, T0, T0 + 3 * HOUR, 0.2, 0.0);
    run(NULL, &geo, &fx, &g);
    assert_int_equal(g.n, 1);
    assert_string_equal(g.e[0].detail, "anchorage distance unknown");
}

/* ---- gaps and segments ---- */

static void gap_not_interpolated(void **state)
{
    (void)state;
    struct fixes fx = {0};
    struct got g;
    double blat, blon;
    offset(LAT0, LON0, 0.2, 0, &blat, &blon);

    /* both still; B silent 01:30 .. 02:45 (75 min > 1 h): the runs 00:00 ..
     * 01:30 and 02:50 .. 04:10 are each shorter than 2 h */
    add_leg(&fx, (struct leg){VA, T0, T0 + 255 * MIN, 5 * MIN, LAT0, LON0, 0, 0, 0});
    add_leg(&fx, (struct leg){VB, T0, T0 + 90 * MIN, 5 * MIN, blat, blon, 0, 0, 0});
    add_leg(&fx, (struct leg){VB, T0 + 165 * MIN, T0 + 255 * MIN, 5 * MIN, blat, blon, 0, 0, 0});
    run(NULL, NULL, &fx, &g);
    assert_int_equal(g.n, 0);

    /* silent 01:30 .. 02:30 (exactly 1 h): interpolated, one run to 04:10 */
    add_leg(&fx, (struct leg){VA, T0, T0 + 255 * MIN, 5 * MIN, LAT0, LON0, 0, 0, 0});
    add_leg(&fx, (struct leg){VB, T0, T0 + 90 * MIN, 5 * MIN, blat, blon, 0, 0, 0});
    add_leg(&fx, (struct leg){VB, T0 + 150 * MIN, T0 + 255 * MIN, 5 * MIN, blat, blon, 0, 0, 0});
    run(NULL, NULL, &fx, &g);
    assert_int_equal(g.n, 1);
    assert_int_equal(g.e[0].start, T0);
    assert_int_equal(g.e[0].end, T0 + 250 * MIN);

    /* enc_max_interp_h = 2: the 75-minute silence is bridged */
    struct det_config cfg = {.enc_max_interp_h = 2};
    add_leg(&fx, (struct leg){VA, T0, T0 + 255 * MIN, 5 * MIN, LAT0, LON0, 0, 0, 0});
    add_leg(&fx, (struct leg){VB, T0, T0 + 90 * MIN, 5 * MIN, blat, blon, 0, 0, 0});
    add_leg(&fx, (struct leg){VB, T0 + 165 * MIN, T0 + 255 * MIN, 5 * MIN, blat, blon, 0, 0, 0});
    run(&cfg, NULL, &fx, &g);
    assert_int_equal(g.n, 1);
    assert_int_equal(g.e[0].start, T0);
    assert_int_equal(g.e[0].end, T0 + 250 * MIN);

    /* two long runs split by a 75-minute silence are less than 4 h apart:
     * they merge into one event spanning the silence */
    add_leg(&fx, (struct leg){VA, T0, T0 + 375 * MIN, 5 * MIN, LAT0, LON0, 0, 0, 0});
    add_leg(&fx, (struct leg){VB, T0, T0 + 150 * MIN, 5 * MIN, blat, blon, 0, 0, 0});
    add_leg(&fx, (struct leg){VB, T0 + 225 * MIN, T0 + 375 * MIN, 5 * MIN, blat, blon, 0, 0, 0});
    run(NULL, NULL, &fx, &g);
    assert_int_equal(g.n, 1);
    assert_int_equal(g.e[0].start, T0);
    assert_int_equal(g.e[0].end, T0 + 370 * MIN);
}

static void segment_change_not_interpolated(void **state)
{
    (void)state;
    struct fixes fx = {0};
    struct got g;
    double blat, blon;
    offset(LAT0, LON0, 0.2, 0, &blat, &blon);
    /* B silent 01:25 .. 01:45 and its tracker starts segment 2: the ticks
     * 01:30 and 01:40 are missing, the runs are 1 h 20 and 1 h 30 */
    add_leg(&fx, (struct leg){VA, T0, T0 + 205 * MIN, 5 * MIN, LAT0, LON0, 0, 0, 0});
    add_leg(&fx, (struct leg){VB, T0, T0 + 85 * MIN, 5 * MIN, blat, blon, 0, 0, 1});
    add_leg(&fx, (struct leg){VB, T0 + 105 * MIN, T0 + 205 * MIN, 5 * MIN, blat, blon, 0, 0, 2});
    run(NULL, NULL, &fx, &g);
    assert_int_equal(g.n, 0);

    /* the same silence within one segment is interpolated */
    add_leg(&fx, (struct leg){VA, T0, T0 + 205 * MIN, 5 * MIN, LAT0, LON0, 0, 0, 0});
    add_leg(&fx, (struct leg){VB, T0, T0 + 85 * MIN, 5 * MIN, blat, blon, 0, 0, 1});
    add_leg(&fx, (struct leg){VB, T0 + 105 * MIN, T0 + 205 * MIN, 5 * MIN, blat, blon, 0, 0, 1});
    run(NULL, NULL, &fx, &g);
    assert_int_equal(g.n, 1);
    assert_int_equal(g.e[0].start, T0);
    assert_int_equal(g.e[0].end, T0 + 200 * MIN);
}

/* ---- merging ---- */

/* A still, B beside it (0.2 km) for fixes in [0, 3 h], 3 km away until
 * `apart` later, then beside it again for 3 h. */
static void two_meetings(struct fixes *fx, int64_t apart)
{
    double blat, blon, flat, flon;
    offset(LAT0, LON0, 0.2, 0, &blat, &blon);
    offset(LAT0, LON0, 3.0, 0, &flat, &flon);
    int64_t end = T0 + 3 * HOUR + apart + 3 * HOUR;
    add_leg(fx, (struct leg){VA, T0, end, 5 * MIN, LAT0, LON0, 0, 0, 0});
    for (int64_t t = T0; t <= end; t += 5 * MIN) {
        bool near = t <= T0 + 3 * HOUR || t > T0 + 3 * HOUR + apart;
        struct trk_fix f = mkfix(VB, 1, t, near ? blat : flat, near ? blon : flon, 0);
        push(fx, &f);
    }
}

static void merge_window(void **state)
{
    (void)state;
    struct fixes fx = {0};
    struct got g;
    /* runs 00:00 .. 03:00 and 06:10 .. 09:00: 3 h 10 apart, merged */
    two_meetings(&fx, 3 * HOUR);
    run(NULL, NULL, &fx, &g);
    assert_int_equal(g.n, 1);
    assert_int_equal(g.e[0].start, T0);
    assert_int_equal(g.e[0].end, T0 + 9 * HOUR);
    assert_near(g.e[0].duration_h, 9.0, 1e-12);
    assert_near(g.e[0].distance_km, 0.2, DBIN);

    /* runs 00:00 .. 03:00 and 08:10 .. 11:00: 5 h 10 apart, two events */
    two_meetings(&fx, 5 * HOUR);
    run(NULL, NULL, &fx, &g);
    assert_int_equal(g.n, 2);
    assert_int_equal(g.e[0].start, T0);
    assert_int_equal(g.e[0].end, T0 + 3 * HOUR);
    assert_int_equal(g.e[1].start, T0 + 8 * HOUR + 10 * MIN);
    assert_int_equal(g.e[1].end, T0 + 11 * HOUR);

    /* the boundary: 3 h 50 apart merge, exactly 4 h apart do not */
    two_meetings(&fx, 3 * HOUR + 40 * MIN);
    run(NULL, NULL, &fx, &g);
    assert_int_equal(g.n, 1);
    assert_int_equal(g.e[0].end, T0 + 9 * HOUR + 40 * MIN);
    two_meetings(&fx, 3 * HOUR + 50 * MIN);
    run(NULL, NULL, &fx, &g);
    assert_int_equal(g.n, 2);
    assert_int_equal(g.e[0].end, T0 + 3 * HOUR);
    assert_int_equal(g.e[1].start, T0 + 7 * HOUR);

    /* a run shorter than 2 h inside the window does not extend the event */
    double blat, blon, flat, flon;
    offset(LAT0, LON0, 0.2, 0, &blat, &blon);
    offset(LAT0, LON0, 3.0, 0, &flat, &flon);
    add_leg(&fx, (struct leg){VA, T0, T0 + 10 * HOUR, 5 * MIN, LAT0, LON0, 0, 0, 0});
    for (int64_t t = T0; t <= T0 + 10 * HOUR; t += 5 * MIN) {
        bool near = t <= T0 + 3 * HOUR || (t > T0 + 4 * HOUR && t <= T0 + 5 * HOUR);
        struct trk_fix f = mkfix(VB, 1, t, near ? blat : flat, near ? blon : flon, 0);
        push(&fx, &f);
    }
    run(NULL, NULL, &fx, &g);
    assert_int_equal(g.n, 1);
    assert_int_equal(g.e[0].start, T0);
    assert_int_equal(g.e[0].end, T0 + 3 * HOUR);
}

/* The first event is emitted while the stream goes on: once the merge window
 * after it has passed, not at det_finish(). */
struct when {
    det_engine *d;
    int64_t fed_t;               /* time of the last fix fed */
    int64_t emitted_at[4];
    int n;
};

static void note_when(void *ctx, const struct det_event *e)
{
    struct when *w = ctx;
    if (e->kind == DET_ENCOUNTER && w->n < 4)
        w->emitted_at[w->n++] = w->fed_t;
}

static void emitted_when_certain(void **state)
{
    (void)state;
    struct fixes fx = {0};
    two_meetings(&fx, 5 * HOUR);
    qsort(fx.f, fx.n, sizeof *fx.f, by_time);
    struct when w = {0};
    det_engine *d = det_new(NULL, NULL, note_when, &w);
    assert_non_null(d);
    for (size_t i = 0; i < fx.n; i++) {
        w.fed_t = fx.f[i].t;
        det_feed_fix(d, &fx.f[i], NULL);
    }
    w.fed_t = INT64_MAX;
    det_finish(d);
    det_free(d);
    free(fx.f);
    assert_int_equal(w.n, 2);
    /* the first run ended at 03:00; the window closes at 07:00, and that tick
     * is processed once the stream is more than 1 h 10 past it (interpolation
     * limit and reorder slack): at the first fix after 08:10 */
    assert_int_equal(w.emitted_at[0], T0 + 8 * HOUR + 15 * MIN);
    assert_int_equal(w.emitted_at[1], INT64_MAX);   /* at det_finish() */
}

/* Only two vessels in the stream (an analyst's extract) and one of them
 * goes silent after the meeting: the other's fixes still move the clock, so
 * the event comes out once its merge window has passed, not at the end. */
static void emitted_with_one_vessel_left(void **state)
{
    (void)state;
    struct fixes fx = {0};
    double blat, blon;
    offset(LAT0, LON0, 0.2, 0, &blat, &blon);
    add_leg(&fx, (struct leg){VA, T0, T0 + 12 * HOUR, 5 * MIN, LAT0, LON0, 0, 0, 0});
    add_leg(&fx, (struct leg){VB, T0, T0 + 3 * HOUR, 5 * MIN, blat, blon, 0, 0, 0});
    qsort(fx.f, fx.n, sizeof *fx.f, by_time);
    struct when w = {0};
    det_engine *d = det_new(NULL, NULL, note_when, &w);
    assert_non_null(d);
    for (size_t i = 0; i < fx.n; i++) {
        w.fed_t = fx.f[i].t;
        det_feed_fix(d, &fx.f[i], NULL);
    }
    w.fed_t = INT64_MAX;
    det_finish(d);
    det_free(d);
    free(fx.f);
    assert_int_equal(w.n, 1);
    /* last close tick 03:00, window closed at 07:00, processed once the
     * clock is past 08:10; alone, A's clock is its previous fix (5 min back) */
    assert_int_equal(w.emitted_at[0], T0 + 8 * HOUR + 20 * MIN);
}

/* One fix with a receive time a day ahead (a receiver clock fault) must not
 * move the detector's clock: the other vessels' fixes would all be too late
 * for their ticks and the meeting would be lost. */
static void one_future_time_ignored(void **state)
{
    (void)state;
    struct fixes fx = {0};
    meeting(&fx, T0, T0 + 3 * HOUR, 0.2, 0.5);
    qsort(fx.f, fx.n, sizeof *fx.f, by_time);
    struct got g = {0};
    det_engine *d = det_new(NULL, NULL, collect, &g);
    assert_non_null(d);
    for (size_t i = 0; i < fx.n; i++) {
        if (fx.f[i].t == T0 + HOUR) {
            struct trk_fix bad = mkfix(VC, 1, T0 + 24 * HOUR, LAT0, LON0, 0);
            det_feed_fix(d, &bad, NULL);
        }
        det_feed_fix(d, &fx.f[i], NULL);
    }
    det_finish(d);
    det_free(d);
    free(fx.f);
    assert_int_equal(g.n, 1);
    assert_int_equal(g.e[0].mmsi, VA);
    assert_int_equal(g.e[0].mmsi2, VB);
    assert_int_equal(g.e[0].start, T0 + 10 * MIN);   /* B's first fix is at 00:01 */
    assert_int_equal(g.e[0].end, T0 + 3 * HOUR);
}

/* Across vessels the tracker delivers fixes up to its reorder window (10 min)
 * out of order: B's fixes arriving 9.5 min after A's of the same time give
 * the same event as in time order. */
static int64_t delivery(const struct trk_fix *f)
{
    return f->t + (f->mmsi == VB ? 570000 : 0);
}

static int by_delivery(const void *a, const void *b)
{
    int64_t x = delivery(a), y = delivery(b);
    return x < y ? -1 : x > y;
}

static void disorder_across_vessels(void **state)
{
    (void)state;
    struct fixes fx = {0};
    /* B reports every hour (the longest interpolated gap), A and C, far
     * away, every minute and drive the clock */
    add_leg(&fx, (struct leg){VA, T0, T0 + 4 * HOUR, MIN, LAT0, LON0, 0, 0.5, 0});
    add_leg(&fx, (struct leg){VC, T0, T0 + 4 * HOUR, MIN, LAT0 + 1, LON0, 0, 0.5, 0});
    add_leg(&fx, (struct leg){VB, T0 + 7 * MIN, T0 + 4 * HOUR, HOUR, LAT0 + 0.003, LON0,
                              0, 0.5, 0});
    qsort(fx.f, fx.n, sizeof *fx.f, by_delivery);
    struct got g = {0};
    det_engine *d = det_new(NULL, NULL, collect, &g);
    assert_non_null(d);
    for (size_t i = 0; i < fx.n; i++)
        det_feed_fix(d, &fx.f[i], NULL);
    det_finish(d);
    det_free(d);
    free(fx.f);
    assert_int_equal(g.n, 1);
    /* B: 00:07 .. 03:07, A: 00:00 .. 04:00 */
    assert_int_equal(g.e[0].start, T0 + 10 * MIN);
    assert_int_equal(g.e[0].end, T0 + 3 * HOUR);
    assert_near(g.e[0].distance_km, 0.003 * KM_PER_DEG, DBIN);
    assert_near(g.e[0].speed_kn, 0.5, SBIN);
}

/* Two vessels moored together for 466 days (a hulk and its tender), 0.31 km
 * apart for the first 10 days and 0.29 km after: the 0.29 km bin fills
 * (65535 ticks) and all bins are halved; the median stays in it. */
static void year_long_meeting(void **state)
{
    (void)state;
    struct fixes fx = {0};
    struct got g;
    int64_t day = 24 * HOUR, end = T0 + 466 * day;
    add_leg(&fx, (struct leg){VA, T0, end, 10 * MIN, LAT0, LON0, 0, 0, 0});
    add_leg(&fx, (struct leg){VB, T0, T0 + 10 * day, 10 * MIN, LAT0 + 0.31 / KM_PER_DEG, LON0,
                              0, 0, 0});
    add_leg(&fx, (struct leg){VB, T0 + 10 * day + 10 * MIN, end, 10 * MIN,
                              LAT0 + 0.29 / KM_PER_DEG, LON0, 0, 0, 0});
    run(NULL, NULL, &fx, &g);
    assert_int_equal(g.n, 1);
    assert_int_equal(g.e[0].start, T0);
    assert_int_equal(g.e[0].end, end);
    assert_near(g.e[0].duration_h, 466 * 24.0, 1e-9);
    assert_near(g.e[0].distance_km, 0.29, DBIN);
    assert_near(g.e[0].speed_kn, 0.0, SBIN);
}

/* Receivers with a GPS fault report 0,0 ("null island"): three such vessels
 * are not 3 h of encounters in the Gulf of Guinea. A 0,0 fix in the middle
 * of a real meeting is skipped, not a gap. */
static void null_island_ignored(void **state)
{
    (void)state;
    struct fixes fx = {0};
    struct got g;
    add_leg(&fx, (struct leg){VA, T0, T0 + 3 * HOUR, 3 * MIN, 0, 0, 0, 0, 0});
    add_leg(&fx, (struct leg){VB, T0, T0 + 3 * HOUR, 4 * MIN, 0, 0, 0, 0, 0});
    add_leg(&fx, (struct leg){VC, T0, T0 + 3 * HOUR, 5 * MIN, 0, 0, 0, 0, 0});
    run(NULL, NULL, &fx, &g);
    assert_int_equal(g.n, 0);

    meeting(&fx, T0, T0 + 3 * HOUR, 0.2, 0.5);
    for (size_t i = 0; i < fx.n; i++)
        if (fx.f[i].mmsi == VB && fx.f[i].t == T0 + HOUR + MIN)
            fx.f[i].lat = fx.f[i].lon = 0;
    run(NULL, NULL, &fx, &g);
    assert_int_equal(g.n, 1);
    assert_int_equal(g.e[0].start, T0 + 10 * MIN);
    assert_int_equal(g.e[0].end, T0 + 3 * HOUR);
    assert_near(g.e[0].speed_kn, 0.5, SBIN);
}

/* A receiver whose clock is 100,000 years fast stamps two vessels: the clock
 * jumps 5 billion ticks while a pair waits for its merge window. Only the
 * ticks with something to do are processed (the pair's, then one jump), and
 * the event comes out at once. */
static void clock_jump_not_stepped(void **state)
{
    (void)state;
    struct fixes fx = {0};
    meeting(&fx, T0, T0 + 3 * HOUR, 0.2, 0.5);
    qsort(fx.f, fx.n, sizeof *fx.f, by_time);
    struct got g = {0};
    det_engine *d = det_new(NULL, NULL, collect, &g);
    assert_non_null(d);
    for (size_t i = 0; i < fx.n; i++)
        det_feed_fix(d, &fx.f[i], NULL);
    double t0 = now_s();
    int64_t far = T0 + 100000LL * 365 * 24 * HOUR;
    struct trk_fix c = mkfix(VC, 1, far, 10, 10, 0), dd = mkfix(VD, 1, far + 1000, 11, 11, 0);
    det_feed_fix(d, &c, NULL);
    assert_int_equal(g.n, 0);
    det_feed_fix(d, &dd, NULL);
    assert_int_equal(g.n, 1);               /* the window has passed: out at once */
    assert_int_equal(g.e[0].start, T0 + 10 * MIN);
    assert_int_equal(g.e[0].end, T0 + 3 * HOUR);
    det_finish(d);
    det_free(d);
    free(fx.f);
    assert_true(now_s() - t0 < 1.0);
}

/* ---- several vessels, cell borders, the antimeridian ---- */

static bool has_pair(const struct got *g, uint32_t a, uint32_t b)
{
    for (int i = 0; i < g->n; i++)
        if (g->e[i].mmsi == a && g->e[i].mmsi2 == b)
            return true;
    return false;
}

static void three_vessels(void **state)
{
    (void)state;
    struct fixes fx = {0};
    struct got g;
    double lat, lon;
    /* A, B, C on a triangle of 0.3 km sides; D 2 km away */
    add_leg(&fx, (struct leg){VA, T0, T0 + 3 * HOUR, 3 * MIN, LAT0, LON0, 0, 0.5, 0});
    offset(LAT0, LON0, 0, 0.3, &lat, &lon);
    add_leg(&fx, (struct leg){VB, T0, T0 + 3 * HOUR, 4 * MIN, lat, lon, 0, 0.5, 0});
    offset(LAT0, LON0, 0.3 * sqrt(3) / 2, 0.15, &lat, &lon);
    add_leg(&fx, (struct leg){VC, T0, T0 + 3 * HOUR, 5 * MIN, lat, lon, 0, 0.5, 0});
    offset(LAT0, LON0, 2, 0, &lat, &lon);
    add_leg(&fx, (struct leg){VD, T0, T0 + 3 * HOUR, 5 * MIN, lat, lon, 0, 0.5, 0});
    run(NULL, NULL, &fx, &g);
    assert_int_equal(g.n, 3);
    assert_true(has_pair(&g, VA, VB));
    assert_true(has_pair(&g, VA, VC));
    assert_true(has_pair(&g, VB, VC));
    for (int i = 0; i < 3; i++) {
        assert_near(g.e[i].distance_km, 0.3, 2 * DBIN);
        assert_int_equal(g.e[i].start, T0);
        assert_int_equal(g.e[i].end, T0 + 3 * HOUR);
    }

    /* a line A - B - C with 0.3 km steps: A and C are 0.6 km apart */
    add_leg(&fx, (struct leg){VA, T0, T0 + 3 * HOUR, 3 * MIN, LAT0, LON0, 0, 0.5, 0});
    offset(LAT0, LON0, 0, 0.3, &lat, &lon);
    add_leg(&fx, (struct leg){VB, T0, T0 + 3 * HOUR, 4 * MIN, lat, lon, 0, 0.5, 0});
    offset(LAT0, LON0, 0, 0.6, &lat, &lon);
    add_leg(&fx, (struct leg){VC, T0, T0 + 3 * HOUR, 5 * MIN, lat, lon, 0, 0.5, 0});
    run(NULL, NULL, &fx, &g);
    assert_int_equal(g.n, 2);
    assert_true(has_pair(&g, VA, VB));
    assert_true(has_pair(&g, VB, VC));
}

/* Pairs 0.3 km apart straddling a row border, a column border and a corner
 * of the spatial hash (1 km cells at the default 0.5 km). */
static void across_cell_borders(void **state)
{
    (void)state;
    double cell_deg = 1.0 / KM_PER_DEG;
    double row_lat = -90 + round((LAT0 + 90) / cell_deg) * cell_deg;   /* a row border */
    double mid = row_lat + cell_deg / 2;                               /* row above */
    double k = cos(mid * M_PI / 180) * KM_PER_DEG;                     /* cells per degree */
    double col_lon = round((LON0 + 180) * k) / k - 180;                /* a column border */
    double d = 0.15 / KM_PER_DEG;
    double dl = 0.15 / (KM_PER_DEG * cos(mid * M_PI / 180));
    struct {
        double la1, lo1, la2, lo2;
    } cases[] = {
        {row_lat - d, LON0 + 1, row_lat + d, LON0 + 1},      /* across the row border */
        {mid, col_lon - dl, mid, col_lon + dl},              /* across the column border */
        {row_lat - d * 0.7, col_lon - dl * 0.7, row_lat + d * 0.7, col_lon + dl * 0.7},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct fixes fx = {0};
        struct got g;
        add_leg(&fx, (struct leg){VA, T0, T0 + 3 * HOUR, 3 * MIN, cases[i].la1, cases[i].lo1,
                                  0, 0, 0});
        add_leg(&fx, (struct leg){VB, T0, T0 + 3 * HOUR, 3 * MIN, cases[i].la2, cases[i].lo2,
                                  0, 0, 0});
        run(NULL, NULL, &fx, &g);
        assert_int_equal(g.n, 1);
        double km = sgrid_km(cases[i].la1, cases[i].lo1, cases[i].la2, cases[i].lo2);
        assert_near(g.e[0].distance_km, km, DBIN);
    }
}

static void across_antimeridian(void **state)
{
    (void)state;
    struct fixes fx = {0};
    struct got g;
    double blat, blon;
    /* A and B 0.25 km apart east-west, drifting east at 1 kn from 179.98 E
     * across the antimeridian (0.053 degrees in 3 h) */
    offset(LAT0, 179.98, 0, 0.25, &blat, &blon);
    add_leg(&fx, (struct leg){VA, T0, T0 + 3 * HOUR, 3 * MIN, LAT0, 179.98, 0, 1.0, 0});
    add_leg(&fx, (struct leg){VB, T0, T0 + 3 * HOUR, 4 * MIN, blat, blon, 0, 1.0, 0});
    run(NULL, NULL, &fx, &g);
    assert_int_equal(g.n, 1);
    assert_int_equal(g.e[0].start, T0);
    assert_int_equal(g.e[0].end, T0 + 3 * HOUR);
    assert_near(g.e[0].distance_km, 0.25, DBIN);
    assert_near(g.e[0].speed_kn, 1.0, SBIN);
    double lat, lon;
    offset(LAT0, 179.98, 0, 0.125 + 1.5 * TRK_KM_PER_NM, &lat, &lon);
    assert_true(lon < -179.99);              /* the mean is past 180, wrapped */
    assert_near(g.e[0].lon, lon, 1e-5);
    assert_near(g.e[0].lat, LAT0, 1e-5);

    /* standing still on either side of it */
    add_leg(&fx, (struct leg){VA, T0, T0 + 3 * HOUR, 3 * MIN, 10.0, 179.999, 0, 0, 0});
    add_leg(&fx, (struct leg){VB, T0, T0 + 3 * HOUR, 3 * MIN, 10.0, -179.998, 0, 0, 0});
    run(NULL, NULL, &fx, &g);
    assert_int_equal(g.n, 1);
    assert_near(g.e[0].distance_km, sgrid_km(10, 179.999, 10, -179.998), DBIN);
    assert_true(fabs(g.e[0].lon) > 179.998);
}

/* ---- the spatial hash against all pairs ---- */

struct pcount {
    uint64_t n;
    double sum_km;
};

static void count_pair(void *ctx, uint32_t i, uint32_t j, double km)
{
    struct pcount *c = ctx;
    assert_true(i < j);
    c->n++;
    c->sum_km += km;
}

/* Clusters of points around places that stress the hash: mid-latitudes,
 * the antimeridian, close to both poles, the equator at 0 E. */
static void grid_matches_all_pairs(void **state)
{
    (void)state;
    static const double centres[][2] = {
        {-20, 70}, {45.3, -179.9995}, {89.995, 10}, {-89.99, -120}, {0, 0}, {60, 180},
    };
    uint64_t seed = 0x9E3779B97F4A7C15ull;
    for (size_t c = 0; c < sizeof centres / sizeof centres[0]; c++) {
        struct sgrid g;
        assert_int_equal(sgrid_init(&g, 0.5), 0);
        enum { N = 1500 };
        static double la[N], lo[N];
        for (int i = 0; i < N; i++) {
            /* within ~3 km of the centre */
            double lat = centres[c][0] + (rng_unit(&seed) - 0.5) * 6 / KM_PER_DEG;
            if (lat > 90)
                lat = 180 - lat;
            if (lat < -90)
                lat = -180 - lat;
            double w = cos(fmin(fabs(lat), 89.9999) * M_PI / 180);
            la[i] = lat;
            lo[i] = centres[c][1] + (rng_unit(&seed) - 0.5) * 6 / KM_PER_DEG / fmax(w, 0.01);
            assert_int_equal(sgrid_add(&g, la[i], lo[i]), 0);
        }
        struct pcount got = {0}, want = {0};
        assert_int_equal(sgrid_pairs(&g, count_pair, &got), 0);
        for (int i = 0; i < N; i++)
            for (int j = i + 1; j < N; j++) {
                double km = sgrid_km(la[i], lo[i], la[j], lo[j]);
                if (km <= 0.5)
                    want.n++, want.sum_km += km;
            }
        assert_true(want.n > 100);
        assert_int_equal(got.n, want.n);
        assert_near(got.sum_km, want.sum_km, 1e-6);
        /* reused for the next instant */
        sgrid_clear(&g);
        assert_int_equal(sgrid_add(&g, 1, 1), 0);
        assert_int_equal(sgrid_add(&g, 1, 1.001), 0);
        struct pcount two = {0};
        assert_int_equal(sgrid_pairs(&g, count_pair, &two), 0);
        assert_int_equal(two.n, 1);
        sgrid_free(&g);
    }
}

/* ---- against a batch reference ----
 * Random fleets of slow vessels in a 2 x 2 km box for 12 h, reporting every
 * 1-15 min with random silences (30-120 min) and segment changes, streamed
 * through the engine; the events must be exactly those of a direct batch
 * computation of the definition: resample every vessel on the grid, test
 * every pair at every tick, cut runs, keep those of 2 h, merge those less
 * than 4 h apart; exact medians (the detector's are to one bin). */

#define RV 40                     /* vessels */
#define RT 80                     /* ticks: 12 h 10 min + margin */

struct ref_ev {
    uint32_t a, b;
    int64_t start, end;
    double km, lat, lon;
};

struct evlist {
    struct det_event *e;
    size_t n, cap;
};

static void collect_all(void *ctx, const struct det_event *e)
{
    struct evlist *l = ctx;
    if (e->kind != DET_ENCOUNTER)
        return;
    if (l->n == l->cap) {
        l->cap = l->cap ? 2 * l->cap : 64;
        l->e = realloc(l->e, l->cap * sizeof *l->e);
        assert_non_null(l->e);
    }
    l->e[l->n++] = *e;
}

static int by_pair_start(const void *x, const void *y)
{
    const struct det_event *a = x, *b = y;
    if (a->mmsi != b->mmsi)
        return a->mmsi < b->mmsi ? -1 : 1;
    if (a->mmsi2 != b->mmsi2)
        return a->mmsi2 < b->mmsi2 ? -1 : 1;
    return a->start < b->start ? -1 : a->start > b->start;
}

static int by_double(const void *x, const void *y)
{
    double a = *(const double *)x, b = *(const double *)y;
    return a < b ? -1 : a > b;
}

/* Resamples one vessel's fixes (time order) as the definition says. */
static void ref_resample(const struct trk_fix *fs, size_t n, bool ok[RT], double la[RT],
                         double lo[RT])
{
    const int64_t grid = 10 * MIN;
    for (size_t i = 0; i < n; i++) {
        const struct trk_fix *f = &fs[i], *p = i ? &fs[i - 1] : NULL;
        double lat = det_deg(f->lat), lon = det_deg(f->lon);
        if (!p || p->segment != f->segment || f->t - p->t > HOUR) {
            if ((f->t - T0) % grid == 0) {
                int k = (int)((f->t - T0) / grid);
                ok[k] = true, la[k] = lat, lo[k] = lon;
            }
            continue;
        }
        double lat0 = det_deg(p->lat), lon0 = det_deg(p->lon);
        double dlon = lon - lon0, span = (double)(f->t - p->t);
        for (int64_t t = T0 + ((p->t - T0) / grid + 1) * grid; t <= f->t; t += grid) {
            double w = (t - p->t) / span;
            int k = (int)((t - T0) / grid);
            ok[k] = true, la[k] = lat0 + w * (lat - lat0), lo[k] = lon0 + w * dlon;
        }
    }
}

static void against_reference_seed(uint64_t seed)
{
    struct fixes fx = {0};
    size_t first[RV + 1];
    for (int v = 0; v < RV; v++) {
        first[v] = fx.n;
        double lat0, lon0, kn = 0.3 * rng_unit(&seed), hd = 2 * M_PI * rng_unit(&seed);
        offset(LAT0, LON0, 2 * rng_unit(&seed), 2 * rng_unit(&seed), &lat0, &lon0);
        int64_t step = (1 + (int64_t)(14 * rng_unit(&seed))) * MIN;
        uint32_t seg = 1;
        for (int64_t t = T0 + (int64_t)(step * rng_unit(&seed)) / 1000 * 1000;
             t <= T0 + 12 * HOUR; t += step) {
            double u = rng_unit(&seed);
            if (u < 0.02)
                t += (30 + (int64_t)(90 * rng_unit(&seed))) * MIN;     /* a silence */
            else if (u < 0.03)
                seg++;                                                  /* a new segment */
            if (t > T0 + 12 * HOUR)
                break;
            double h = (t - T0) / (double)HOUR, lat, lon;
            offset(lat0, lon0, kn * cos(hd) * TRK_KM_PER_NM * h, kn * sin(hd) * TRK_KM_PER_NM * h,
                   &lat, &lon);
            struct trk_fix f = mkfix(100000000u + (uint32_t)v, seg, t, lat, lon, kn);
            push(&fx, &f);
        }
    }
    first[RV] = fx.n;

    /* the reference */
    static bool ok[RV][RT];
    static double la[RV][RT], lo[RV][RT];
    memset(ok, 0, sizeof ok);
    for (int v = 0; v < RV; v++)
        ref_resample(&fx.f[first[v]], first[v + 1] - first[v], ok[v], la[v], lo[v]);
    struct ref_ev *ref = NULL;
    size_t nref = 0, refcap = 0;
    static double dist[RT];
    for (int a = 0; a < RV; a++)
        for (int b = a + 1; b < RV; b++) {
            /* runs of close ticks; counted ones merged */
            int k = 0, ev_first = -1, ev_last = -1, nd = 0;
            double slat = 0, slon = 0;
            for (;;) {
                while (k < RT && !(ok[a][k] && ok[b][k] &&
                                   sgrid_km(la[a][k], lo[a][k], la[b][k], lo[b][k]) <= 0.5))
                    k++;
                int r0 = k;
                while (k < RT && ok[a][k] && ok[b][k] &&
                       sgrid_km(la[a][k], lo[a][k], la[b][k], lo[b][k]) <= 0.5)
                    k++;
                int r1 = k - 1;
                bool counted = r0 < RT && (r1 - r0) * 10 * MIN >= 2 * HOUR;
                bool close_ev = ev_first >= 0 && (r0 >= RT || (counted &&
                                (r0 - ev_last) * 10 * MIN >= 4 * HOUR));
                if (close_ev) {
                    if (nref == refcap) {
                        refcap = refcap ? 2 * refcap : 64;
                        ref = realloc(ref, refcap * sizeof *ref);
                        assert_non_null(ref);
                    }
                    qsort(dist, (size_t)nd, sizeof *dist, by_double);
                    ref[nref++] = (struct ref_ev){100000000u + (uint32_t)a,
                        100000000u + (uint32_t)b, T0 + ev_first * 10 * MIN,
                        T0 + ev_last * 10 * MIN, (dist[(nd - 1) / 2] + dist[nd / 2]) / 2,
                        slat / nd, slon / nd};
                    ev_first = -1, nd = 0, slat = slon = 0;
                }
                if (r0 >= RT)
                    break;
                if (!counted)
                    continue;
                if (ev_first < 0)
                    ev_first = r0;
                ev_last = r1;
                for (int j = r0; j <= r1; j++) {
                    dist[nd++] = sgrid_km(la[a][j], lo[a][j], la[b][j], lo[b][j]);
                    slat += (la[a][j] + la[b][j]) / 2;
                    slon += (lo[a][j] + lo[b][j]) / 2;
                }
            }
        }

    /* the detector */
    struct evlist got = {0};
    qsort(fx.f, fx.n, sizeof *fx.f, by_time);
    det_engine *d = det_new(NULL, NULL, collect_all, &got);
    assert_non_null(d);
    for (size_t i = 0; i < fx.n; i++)
        det_feed_fix(d, &fx.f[i], NULL);
    det_finish(d);
    det_free(d);
    free(fx.f);
    qsort(got.e, got.n, sizeof *got.e, by_pair_start);

    if (got.n != nref)
        print_error("seed %llu: %zu events, reference %zu\n", (unsigned long long)seed,
                    got.n, nref);
    assert_int_equal(got.n, nref);
    assert_true(nref > 0);
    for (size_t i = 0; i < nref; i++) {
        assert_int_equal(got.e[i].mmsi, ref[i].a);
        assert_int_equal(got.e[i].mmsi2, ref[i].b);
        assert_int_equal(got.e[i].start, ref[i].start);
        assert_int_equal(got.e[i].end, ref[i].end);
        assert_near(got.e[i].distance_km, ref[i].km, DBIN);
        assert_near(got.e[i].lat, ref[i].lat, 1e-9);
        assert_near(got.e[i].lon, ref[i].lon, 1e-9);
        assert_true(got.e[i].speed_kn < 0.3 + SBIN);
    }
    free(got.e);
    free(ref);
}

static void against_reference(void **state)
{
    (void)state;
    for (uint64_t seed = 1; seed <= 20; seed++)
        against_reference_seed(seed * 0x9E3779B97F4A7C15ull);
}

/* ---- many vessels ---- */


static size_t heap_bytes(void)
{
#if defined(__GLIBC__) && (__GLIBC__ > 2 || __GLIBC_MINOR__ >= 33)
    struct mallinfo2 m = mallinfo2();
    return m.uordblks + m.hblkhd;            /* small blocks + mmapped ones */
#else
    return 0;
#endif
}

/* The detector alone (its registration row), for measuring it apart from
 * the others. */
static void emit_to(void *ctx, const struct det_event *e)
{
    collect(ctx, e);
}

/* `nv` vessels scattered over 20 x 30 degrees of the Indian Ocean, moving at
 * 8-12 kn on random headings and reporting every 3 min for 6 h, and
 * `nplant` pairs planted 0.2 km apart drifting at 0.5 kn: exactly the
 * planted pairs are encounters. With `print`, prints fixes/s and the heap
 * held per vessel (the largest of snapshots taken every 30 min), for the
 * whole engine or (`alone`) the encounter detector by itself. */
static void scattered(uint32_t nv, int nplant, bool alone, bool print)
{
    uint64_t seed = 12345;
    struct v {
        double lat0, lon0, vn, ve;
    } *vs = calloc(nv, sizeof *vs);
    assert_non_null(vs);
    for (uint32_t i = 0; i < nv; i++) {
        if (i < 2 * (uint32_t)nplant) {
            /* pair i/2 at 1 degree steps along 15 S, B 0.2 km north of A */
            vs[i].lat0 = -15 + (i % 2 ? 0.2 / KM_PER_DEG : 0);
            vs[i].lon0 = 60.5 + i / 2;
            vs[i].ve = 0.5;
            continue;
        }
        double hd = rng_unit(&seed) * 2 * M_PI, kn = 8 + 4 * rng_unit(&seed);
        vs[i] = (struct v){-30 + 20 * rng_unit(&seed), 60 + 30 * rng_unit(&seed),
                           kn * cos(hd), kn * sin(hd)};
    }
    struct got g = {0};
    size_t heap0 = heap_bytes(), heap_max = 0;
    struct det_config cfg;
    det_config_defaults(&cfg, NULL);
    det_engine *d = NULL;
    void *enc = NULL;
    if (alone)
        assert_non_null(enc = det_encounter_ops.create(&cfg, NULL, emit_to, &g));
    else
        assert_non_null(d = det_new(NULL, NULL, collect, &g));
    /* vessel i reports at T0 + (i % 180) s + k * 3 min: generated in time order */
    uint64_t nfix = 0;
    double t0 = now_s();
    for (int k = 0; k < 120; k++) {
        for (uint32_t s = 0; s < 180; s++) {
            int64_t t = T0 + k * 3 * MIN + s * 1000LL;
            double h = (t - T0) / (double)HOUR;
            for (uint32_t i = s; i < nv; i += 180) {
                double lat, lon;
                offset(vs[i].lat0, vs[i].lon0, vs[i].vn * TRK_KM_PER_NM * h,
                       vs[i].ve * TRK_KM_PER_NM * h, &lat, &lon);
                struct trk_fix f = mkfix(500000000u + i, 1, t, lat, lon,
                                         hypot(vs[i].vn, vs[i].ve));
                if (alone)
                    det_encounter_ops.fix(enc, &f, NULL);
                else
                    det_feed_fix(d, &f, NULL);
                nfix++;
            }
        }
        if (k % 10 == 9) {
            size_t b = heap_bytes();
            heap_max = b > heap_max ? b : heap_max;
        }
    }
    if (alone) {
        det_encounter_ops.finish(enc);
        det_encounter_ops.destroy(enc);
    } else {
        det_finish(d);
        det_free(d);
    }
    double dt = now_s() - t0;
    free(vs);
    assert_int_equal(g.n, nplant);
    for (int p = 0; p < nplant; p++) {
        assert_true(has_pair(&g, 500000000u + 2 * p, 500000001u + 2 * p));
        /* first fixes at T0 + i s (not on a tick), last at 05:57 + i s */
        assert_int_equal(g.e[p].start, T0 + 10 * MIN);
        assert_int_equal(g.e[p].end, T0 + 350 * MIN);
    }
    if (print)
        print_message("%u vessels, %llu fixes, %s: %.2f CPU s, %.0f fixes/s, "
                      "heap %.0f bytes/vessel\n",
                      nv, (unsigned long long)nfix, alone ? "encounter alone" : "all detectors",
                      dt, nfix / dt,
                      heap_max > heap0 ? (double)(heap_max - heap0) / nv : NAN);
}

/* A dense fleet: 1000 vessels within 3 x 3 km drifting together at 0.5 kn
 * for 3 h, so that about 40,000 pairs are within 0.5 km at once. The events
 * are exactly those pairs (counted by brute force, allowing 10 m either side
 * of the limit for the drift's rounding). Prints the heap per close pair;
 * once the fleet has dispersed, that memory is given back. */
struct counter {
    uint64_t n;
};

static void count_event(void *ctx, const struct det_event *e)
{
    struct counter *c = ctx;
    if (e->kind == DET_ENCOUNTER)
        c->n++;
}

static void dense_fleet(void **state)
{
    (void)state;
    enum { N = 1000 };
    static double la[N], lo[N];
    uint64_t seed = 99;
    for (int i = 0; i < N; i++)
        offset(LAT0, LON0, 3 * rng_unit(&seed), 3 * rng_unit(&seed), &la[i], &lo[i]);
    uint64_t lo_n = 0, hi_n = 0;
    for (int i = 0; i < N; i++)
        for (int j = i + 1; j < N; j++) {
            double km = sgrid_km(la[i], lo[i], la[j], lo[j]);
            lo_n += km <= 0.49;
            hi_n += km <= 0.51;
        }
    struct counter c = {0};
    struct det_config cfg;
    det_config_defaults(&cfg, NULL);
    void *enc = det_encounter_ops.create(&cfg, NULL, count_event, &c);
    assert_non_null(enc);
    size_t heap0 = heap_bytes(), heap_max = 0;
    double t0 = now_s();
    for (int64_t t = T0; t <= T0 + 3 * HOUR; t += MIN) {
        double h = (t - T0) / (double)HOUR;
        for (int i = 0; i < N; i++) {
            double lat, lon;
            offset(la[i], lo[i], 0, 0.5 * TRK_KM_PER_NM * h, &lat, &lon);
            struct trk_fix f = mkfix(300000000u + (uint32_t)i, 1, t, lat, lon, 0.5);
            det_encounter_ops.fix(enc, &f, NULL);
        }
        size_t b = heap_bytes();
        heap_max = b > heap_max ? b : heap_max;
    }
    /* the fleet disperses along a meridian, 1.1 km apart; after the merge
     * window every event is out and the pair memory is given back */
    for (int64_t t = T0 + 3 * HOUR + 10 * MIN; t <= T0 + 10 * HOUR; t += 10 * MIN)
        for (int i = 0; i < N; i++) {
            struct trk_fix f = mkfix(300000000u + (uint32_t)i, 1, t, LAT0 - 1 - 0.01 * i, LON0,
                                     0);
            det_encounter_ops.fix(enc, &f, NULL);
        }
    uint64_t before_finish = c.n;
    size_t heap_end = heap_bytes();
    det_encounter_ops.finish(enc);
    det_encounter_ops.destroy(enc);
    double dt = now_s() - t0;
    assert_true(lo_n > 30000);
    assert_true(c.n >= lo_n && c.n <= hi_n);
    assert_int_equal(before_finish, c.n);
    if (heap_max > heap0)
        assert_true(heap_end - heap0 < (heap_max - heap0) / 8);
    print_message("dense fleet: %d vessels, %llu pairs within 0.5 km, %llu events, %.2f CPU s, "
                  "heap %.0f bytes per pair\n", N, (unsigned long long)hi_n,
                  (unsigned long long)c.n, dt,
                  heap_max > heap0 ? (double)(heap_max - heap0) / (double)c.n : NAN);
}

/* A spoofer puts 800 MMSIs within 0.4 km of one spot for 3 h: 319,600 close
 * pairs. At most 2^18 are followed at once (memory stays bounded: about
 * 200 MB here); those are reported, the rest are dropped. */
static void spoofed_crowd_capped(void **state)
{
    (void)state;
    enum { N = 800 };
    uint64_t seed = 4242;
    static double la[N], lo[N];
    for (int i = 0; i < N; i++) {
        double r = 0.2 * sqrt(rng_unit(&seed)), a = 2 * M_PI * rng_unit(&seed);
        offset(LAT0, LON0, r * cos(a), r * sin(a), &la[i], &lo[i]);
    }
    struct counter c = {0};
    struct det_config cfg;
    det_config_defaults(&cfg, NULL);
    void *enc = det_encounter_ops.create(&cfg, NULL, count_event, &c);
    assert_non_null(enc);
    size_t heap0 = heap_bytes(), heap_max = 0;
    for (int64_t t = T0; t <= T0 + 3 * HOUR; t += 10 * MIN) {
        for (int i = 0; i < N; i++) {
            struct trk_fix f = mkfix(200000000u + (uint32_t)i, 1, t, la[i], lo[i], 0);
            det_encounter_ops.fix(enc, &f, NULL);
        }
        size_t b = heap_bytes();
        heap_max = b > heap_max ? b : heap_max;
    }
    det_encounter_ops.finish(enc);
    det_encounter_ops.destroy(enc);
    assert_int_equal(c.n, 1u << 18);
    if (heap_max > heap0)
        assert_true(heap_max - heap0 < 300u << 20);
}

static void many_vessels(void **state)
{
    (void)state;
    scattered(5000, 5, false, true);
    scattered(20000, 10, false, true);
    scattered(5000, 5, true, true);
    scattered(20000, 10, true, true);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(three_hour_meeting),
        cmocka_unit_test(duration_threshold),
        cmocka_unit_test(separation_threshold),
        cmocka_unit_test(speed_threshold),
        cmocka_unit_test(noisy_fixes_every_10_s),
        cmocka_unit_test(speed_positions_and_sog),
        cmocka_unit_test(anchorage_distance),
        cmocka_unit_test(gap_not_interpolated),
        cmocka_unit_test(segment_change_not_interpolated),
        cmocka_unit_test(merge_window),
        cmocka_unit_test(emitted_when_certain),
        cmocka_unit_test(emitted_with_one_vessel_left),
        cmocka_unit_test(one_future_time_ignored),
        cmocka_unit_test(clock_jump_not_stepped),
        cmocka_unit_test(disorder_across_vessels),
        cmocka_unit_test(year_long_meeting),
        cmocka_unit_test(null_island_ignored),
        cmocka_unit_test(three_vessels),
        cmocka_unit_test(across_cell_borders),
        cmocka_unit_test(across_antimeridian),
        cmocka_unit_test(grid_matches_all_pairs),
        cmocka_unit_test(against_reference),
        cmocka_unit_test(many_vessels),
        cmocka_unit_test(dense_fleet),
        cmocka_unit_test(spoofed_crowd_capped),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
