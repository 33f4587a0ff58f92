/*
 * test_gap_loiter.c - the AIS gap ("going dark") and loitering detectors
 * (lib/detect/gap.c, loiter.c) through the public engine: synthetic fix
 * sequences fed with det_feed_fix(), checking every event field, the
 * likely-disabling verdict per condition (yes / no / unknown), boundaries
 * (5.9 h vs 6 h, 2 kn, 4 h, 20 nm), open episodes at the end of the stream,
 * when each event is emitted, the det_config thresholds, and that batched
 * feeding (det_feed_fixes) gives exactly the events of det_feed_fix.
 *
 * Geography is synthetic: the coast is the meridian 0, so a position's
 * distance to shore is its longitude x 60 nm (east of 100 degrees: unknown,
 * the callback returns NAN). Vessels move along meridians, so distances are
 * exactly latitude differences x (pi / 180) x 6371.0088 km.
 */
#include "testutil.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alidade/detect.h"

#define H 3600000LL                     /* one hour in ms */
#define MIN 60000LL                     /* one minute in ms */
#define T0 1704067200000LL              /* 2024-01-01T00:00Z, on a 3-hour boundary */
#define KM_PER_DEG (6371.0088 * M_PI / 180)
#define EPS 1e-9

/* |a - b| <= eps, printing both on failure (this cmocka has only floats). */
#define assert_near(a, b, eps) near_(a, b, eps, #a, __FILE__, __LINE__)

static void near_(double a, double b, double eps, const char *what, const char *file, int line)
{
    if (fabs(a - b) <= eps)
        return;
    print_error("%s:%d: %s = %.12g, expected %.12g (+-%g)\n", file, line, what, a, b, eps);
    fail();
}

/* ---- scenario: fixes of several vessels, fed in time order ---- */

struct scen {
    struct trk_fix *f;
    int n, cap;
};

/* Adds a fix at a position in AIS units (1/600000 degree). */
static void add_u(struct scen *s, uint32_t mmsi, int64_t t, int32_t lat, int32_t lon)
{
    if (s->n == s->cap) {
        s->cap = s->cap ? s->cap * 2 : 256;
        s->f = realloc(s->f, (size_t)s->cap * sizeof *s->f);
        assert_non_null(s->f);
    }
    struct trk_fix f = {.mmsi = mmsi, .segment = 1, .t = t, .lat = lat, .lon = lon,
                        .sog = TRK_SOG_NA, .cog = TRK_COG_NA, .heading = TRK_HEADING_NA,
                        .nav_status = 15, .msg_type = 1};
    s->f[s->n++] = f;
}

static int32_t units(double deg)
{
    return (int32_t)lround(deg * TRK_DEG);
}

static void add(struct scen *s, uint32_t mmsi, int64_t t, double lat, double lon)
{
    add_u(s, mmsi, t, units(lat), units(lon));
}

/* Fixes every `every` ms from t0 to t1 inclusive, standing still. */
static void add_series(struct scen *s, uint32_t mmsi, int64_t t0, int64_t t1, int64_t every,
                       double lat, double lon)
{
    for (int64_t t = t0; t <= t1; t += every)
        add(s, mmsi, t, lat, lon);
}

static int by_time(const void *a, const void *b)
{
    const struct trk_fix *x = a, *y = b;
    if (x->t != y->t)
        return x->t < y->t ? -1 : 1;
    return x->mmsi < y->mmsi ? -1 : x->mmsi > y->mmsi;
}

/* ---- events collected, with when they came out ---- */

#define MAXEV 16

struct got {
    int fed;                            /* number of the fix being fed; -1 once finishing */
    int64_t now;                        /* its time */
    int ngap, nloi;
    struct det_event gap[MAXEV], loi[MAXEV];
    int gap_at[MAXEV], loi_at[MAXEV];   /* `fed` when each was emitted */
    int64_t loi_now[MAXEV];             /* `now` when each was emitted */
};

static void collect(void *ctx, const struct det_event *e)
{
    struct got *g = ctx;
    if (e->kind == DET_GAP && g->ngap < MAXEV) {
        g->gap_at[g->ngap] = g->fed;
        g->gap[g->ngap++] = *e;
    } else if (e->kind == DET_LOITERING && g->nloi < MAXEV) {
        g->loi_at[g->nloi] = g->fed;
        g->loi_now[g->nloi] = g->now;
        g->loi[g->nloi++] = *e;
    }
}

/* Distance to shore: longitude x 60 nm east of the meridian 0, unknown east
 * of 100 degrees. Rounded to 1e-6 nm so that boundaries are exact. */
static double shore_km(void *ctx, double lat, double lon)
{
    (void)ctx;
    (void)lat;
    if (lon > 100)
        return NAN;
    double nm = lon < 0 ? 0 : round(lon * 60 * 1e6) / 1e6;
    return nm * TRK_KM_PER_NM;
}

static const struct det_geo coast = {.shore_km = shore_km};

/* Feeds the scenario (sorted by time) and finishes; frees the fixes. */
static void run(struct scen *s, const struct det_config *cfg, const struct det_geo *geo,
                struct got *g)
{
    memset(g, 0, sizeof *g);
    qsort(s->f, (size_t)s->n, sizeof *s->f, by_time);
    det_engine *d = det_new(cfg, geo, collect, g);
    assert_non_null(d);
    for (int i = 0; i < s->n; i++) {
        g->fed = i + 1;
        g->now = s->f[i].t;
        det_feed_fix(d, &s->f[i], &(struct trk_static){0});
    }
    g->fed = -1;
    det_finish(d);
    assert_int_equal(det_count(d, DET_GAP), (uint64_t)g->ngap);
    assert_int_equal(det_count(d, DET_LOITERING), (uint64_t)g->nloi);
    det_free(d);
    free(s->f);
    memset(s, 0, sizeof *s);
}

/* Index (1-based count fed) of the first fix of `mmsi` at time t. */
static int fed_index(const struct scen *s, uint32_t mmsi, int64_t t)
{
    struct scen c = *s;
    c.f = malloc((size_t)s->n * sizeof *s->f);
    assert_non_null(c.f);
    memcpy(c.f, s->f, (size_t)s->n * sizeof *s->f);
    qsort(c.f, (size_t)c.n, sizeof *c.f, by_time);
    int at = 0;
    for (int i = 0; i < c.n && !at; i++)
        if (c.f[i].mmsi == mmsi && c.f[i].t == t)
            at = i + 1;
    free(c.f);
    return at;
}

/* ================================ gaps ================================ */

#define A 228000001u                    /* the vessel that goes dark */
#define B 228000002u                    /* another vessel, heard throughout */

/* The reference gap: A reports every 15 min at 10 N 1 E (60 nm out) from
 * T0 to T0+12:10, goes silent 13 h and reappears 0.1 degree north; B is
 * 0.2 degree (22 km) north of A and reports every 30 min until T0+30 h.
 * Every condition of "likely disabling" holds. The options change one. */
struct gap_case {
    double a_lon, b_lat;                /* B's latitude, or 0 for no B */
    int64_t a_from, a_every;            /* A's regular reports */
    int64_t b_from;
    double silent_h;
};

static const struct gap_case ref = {
    .a_lon = 1.0, .b_lat = 10.2, .a_from = T0 + 10 * MIN, .a_every = 15 * MIN, .b_from = T0,
    .silent_h = 13,
};

#define GAP_START (T0 + 12 * H + 10 * MIN)

static void gap_scen(struct scen *s, const struct gap_case *c)
{
    add_series(s, A, c->a_from, GAP_START, c->a_every, 10.0, c->a_lon);
    int64_t back = GAP_START + (int64_t)llround(c->silent_h * H);
    add(s, A, back, 10.1, c->a_lon);
    if (c->b_lat != 0)      /* until A is back: no open gap at the end */
        add_series(s, B, c->b_from, back, 30 * MIN, c->b_lat, c->a_lon);
}

/* Runs one case and returns its single gap event. */
static struct det_event one_gap(const struct gap_case *c, const struct det_geo *geo)
{
    struct scen s = {0};
    struct got g;
    gap_scen(&s, c);
    run(&s, NULL, geo, &g);
    assert_int_equal(g.ngap, 1);
    return g.gap[0];
}

static void gap_all_conditions_exact(void **state)
{
    (void)state;
    struct scen s = {0};
    struct got g;
    gap_scen(&s, &ref);
    int64_t end = GAP_START + 13 * H;
    int reappear = fed_index(&s, A, end);
    run(&s, NULL, &coast, &g);
    assert_int_equal(g.ngap, 1);
    const struct det_event *e = &g.gap[0];
    /* emitted as A reappears, not at the end of the stream */
    assert_int_equal(g.gap_at[0], reappear);
    assert_int_equal(e->kind, DET_GAP);
    assert_int_equal(e->mmsi, A);
    assert_int_equal(e->mmsi2, 0);
    assert_int_equal(e->start, GAP_START);
    assert_int_equal(e->end, end);
    assert_near(e->lat, 10.0, EPS);
    assert_near(e->lon, 1.0, EPS);
    assert_near(e->end_lat, 10.1, EPS);
    assert_near(e->end_lon, 1.0, EPS);
    assert_near(e->duration_h, 13.0, EPS);
    assert_near(e->distance_km, 0.1 * KM_PER_DEG, 1e-6);
    assert_near(e->speed_kn, 0.1 * KM_PER_DEG / 1.852 / 13, 1e-7);
    assert_near(e->shore_km, 60 * 1.852, EPS);
    assert_int_equal(e->likely_disabling, 1);
    /* slots 12:10-25:10 wholly inside: 15-18, 18-21, 21-24 h; the ring holds
     * the last 32 fixes */
    assert_string_equal(e->detail, "dark: long yes; offshore 60 nm yes; reception 3/3 slots yes; "
                                   "32 fixes in 12 h before (need 24) yes");
    assert_string_equal(e->zone, "");
}

static void gap_short_is_not_dark(void **state)
{
    (void)state;
    struct gap_case c = ref;
    c.silent_h = 11.9;
    struct det_event e = one_gap(&c, &coast);
    assert_near(e.duration_h, 11.9, EPS);
    assert_int_equal(e.likely_disabling, 0);
    assert_string_equal(e.detail, "dark: long no; offshore 60 nm yes; reception 3/3 slots yes; "
                                  "32 fixes in 12 h before (need 24) yes");
    c.silent_h = 12;
    e = one_gap(&c, &coast);
    assert_int_equal(e.likely_disabling, 1);
}

static void gap_near_shore_is_not_dark(void **state)
{
    (void)state;
    struct gap_case c = ref;
    c.a_lon = 49.0 / 60;                /* 49 nm out */
    struct det_event e = one_gap(&c, &coast);
    assert_near(e.shore_km, 49 * 1.852, EPS);
    assert_int_equal(e.likely_disabling, 0);
    assert_string_equal(e.detail, "dark: long yes; offshore 49 nm no; reception 3/3 slots yes; "
                                  "32 fixes in 12 h before (need 24) yes");
    c.a_lon = 50.0 / 60;                /* exactly 50 nm: far enough */
    e = one_gap(&c, &coast);
    assert_near(e.shore_km, 50 * 1.852, EPS);
    assert_int_equal(e.likely_disabling, 1);
}

static void gap_shore_unknown(void **state)
{
    (void)state;
    /* no geography at all */
    struct det_event e = one_gap(&ref, NULL);
    assert_true(isnan(e.shore_km));
    assert_int_equal(e.likely_disabling, -1);
    assert_string_equal(e.detail, "dark: long yes; offshore unknown unknown; reception 3/3 slots "
                                  "yes; 32 fixes in 12 h before (need 24) yes");
    /* geography without a shore function */
    struct det_geo nogeo = {0};
    e = one_gap(&ref, &nogeo);
    assert_true(isnan(e.shore_km));
    assert_int_equal(e.likely_disabling, -1);
    /* a shore function that does not know this place */
    struct gap_case c = ref;
    c.a_lon = 120;
    e = one_gap(&c, &coast);
    assert_true(isnan(e.shore_km));
    assert_int_equal(e.likely_disabling, -1);
    /* unknown and no: no */
    c.silent_h = 8;
    e = one_gap(&c, &coast);
    assert_int_equal(e.likely_disabling, 0);
}

static void gap_reception(void **state)
{
    (void)state;
    struct gap_case c = ref;
    /* B 0.4 degree (44 km) away: heard in all three slots */
    c.b_lat = 10.4;
    struct det_event e = one_gap(&c, &coast);
    assert_int_equal(e.likely_disabling, 1);
    /* B 3 degrees (334 km) away: the feed is alive but nobody was heard
     * near A */
    c.b_lat = 13.0;
    e = one_gap(&c, &coast);
    assert_int_equal(e.likely_disabling, 0);
    assert_string_equal(e.detail, "dark: long yes; offshore 60 nm yes; reception 0/3 slots no; "
                                  "32 fixes in 12 h before (need 24) yes");
    /* nobody else at all: the feed may have been down, reception unknown */
    c.b_lat = 0;
    e = one_gap(&c, &coast);
    assert_int_equal(e.likely_disabling, -1);
    assert_string_equal(e.detail, "dark: long yes; offshore 60 nm yes; reception 0/0 slots "
                                  "unknown; 32 fixes in 12 h before (need 24) yes");
    /* B far away, and silent in the last slot: only the two slots in which
     * the feed delivered anything are judged */
    struct scen s = {0};
    struct got g;
    gap_scen(&s, &(struct gap_case){.a_lon = 1.0, .a_from = T0 + 10 * MIN, .a_every = 15 * MIN,
                                    .silent_h = 13});
    add_series(&s, B, T0, T0 + 20 * H + 30 * MIN, 30 * MIN, 13.0, 1.0);
    run(&s, NULL, &coast, &g);
    assert_int_equal(g.ngap, 1);
    assert_int_equal(g.gap[0].likely_disabling, 0);
    assert_non_null(strstr(g.gap[0].detail, "reception 0/2 slots no"));
    /* B heard near A only in the first slot of three: poor */
    gap_scen(&s, &(struct gap_case){.a_lon = 1.0, .a_from = T0 + 10 * MIN, .a_every = 15 * MIN,
                                    .silent_h = 13});
    add_series(&s, B, T0, T0 + 17 * H, 30 * MIN, 10.2, 1.0);
    add_series(&s, B, T0 + 17 * H + 30 * MIN, T0 + 30 * H, 30 * MIN, 13.0, 1.0);
    run(&s, NULL, &coast, &g);
    assert_int_equal(g.ngap, 1);
    assert_int_equal(g.gap[0].likely_disabling, 0);
    assert_non_null(strstr(g.gap[0].detail, "reception 1/3 slots no"));
    /* ... and in two of three: good (at least half) */
    gap_scen(&s, &(struct gap_case){.a_lon = 1.0, .a_from = T0 + 10 * MIN, .a_every = 15 * MIN,
                                    .silent_h = 13});
    add_series(&s, B, T0, T0 + 20 * H, 30 * MIN, 10.2, 1.0);
    add_series(&s, B, T0 + 20 * H + 30 * MIN, T0 + 30 * H, 30 * MIN, 13.0, 1.0);
    run(&s, NULL, &coast, &g);
    assert_int_equal(g.ngap, 1);
    assert_int_equal(g.gap[0].likely_disabling, 1);
    assert_non_null(strstr(g.gap[0].detail, "reception 2/3 slots yes"));
}

static void gap_regularity(void **state)
{
    (void)state;
    /* every 2 h: 7 fixes in the 12 h before (0:10 ... 12:10) */
    struct gap_case c = ref;
    c.a_from = T0 + 10 * MIN;
    c.a_every = 2 * H;
    struct det_event e = one_gap(&c, &coast);
    assert_int_equal(e.likely_disabling, 0);
    assert_string_equal(e.detail, "dark: long yes; offshore 60 nm yes; reception 3/3 slots yes; "
                                  "7 fixes in 12 h before (need 24) no");
    /* every 30 min from T0+0:10: 25 fixes, enough */
    c.a_every = 30 * MIN;
    e = one_gap(&c, &coast);
    assert_int_equal(e.likely_disabling, 1);
    assert_non_null(strstr(e.detail, "25 fixes in 12 h before (need 24) yes"));
    /* every 31 min: 24 fixes from 0:16 to 12:10 ... */
    c.a_from = GAP_START - 23 * 31 * MIN;
    c.a_every = 31 * MIN;
    e = one_gap(&c, &coast);
    assert_non_null(strstr(e.detail, "24 fixes in 12 h before (need 24) yes"));
    /* ... and 23 are too few */
    c.a_from = GAP_START - 22 * 31 * MIN;
    e = one_gap(&c, &coast);
    assert_int_equal(e.likely_disabling, 0);
    assert_non_null(strstr(e.detail, "23 fixes in 12 h before (need 24) no"));
}

/* Fixes closer than half the required interval (15 min) count once: a
 * burst heard in one pass is not regular reporting, steady dense reporting
 * is. */
static void gap_regularity_dense(void **state)
{
    (void)state;
    struct gap_case c = ref;
    /* every 10 s in the 10 minutes before the gap, nothing before */
    c.a_from = GAP_START - 10 * MIN;
    c.a_every = 10000;
    struct det_event e = one_gap(&c, &coast);
    assert_int_equal(e.likely_disabling, 0);
    assert_non_null(strstr(e.detail, "1 fixes in 12 h before (need 24) no"));
    /* every 10 s for 12 h 10 min */
    c.a_from = T0;
    e = one_gap(&c, &coast);
    assert_int_equal(e.likely_disabling, 1);
    assert_non_null(strstr(e.detail, "32 fixes in 12 h before (need 24) yes"));
    /* every 14 min: kept every other fix, 28 min apart: 26 */
    c.a_from = GAP_START - 50 * 14 * MIN;
    c.a_every = 14 * MIN;
    e = one_gap(&c, &coast);
    assert_non_null(strstr(e.detail, "26 fixes in 12 h before (need 24) yes"));
}

static void gap_regularity_unknown(void **state)
{
    (void)state;
    /* the stream began 6:10 before the gap: 13 half-hourly fixes cannot
     * show 24 in 12 h, nor that there were fewer */
    struct gap_case c = ref;
    c.a_from = T0 + 6 * H + 10 * MIN;
    c.a_every = 30 * MIN;
    c.b_from = T0 + 6 * H + 10 * MIN;
    struct det_event e = one_gap(&c, &coast);
    assert_int_equal(e.likely_disabling, -1);
    assert_string_equal(e.detail, "dark: long yes; offshore 60 nm yes; reception 3/3 slots yes; "
                                  "13 fixes in 12 h before (need 24) unknown");
    /* but 25 fixes in those 6:10 are enough */
    c.a_every = 15 * MIN;
    e = one_gap(&c, &coast);
    assert_int_equal(e.likely_disabling, 1);
}

static void gap_six_hour_boundary(void **state)
{
    (void)state;
    static const struct {
        int64_t silent;
        int events;
    } cases[] = {
        {5 * H + 54 * MIN, 0},          /* 5.9 h */
        {6 * H - 1, 0},
        {6 * H, 1},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct scen s = {0};
        struct got g;
        add_series(&s, A, T0, T0 + 2 * H, 15 * MIN, 10.0, 1.0);
        add(&s, A, T0 + 2 * H + cases[i].silent, 10.0, 1.0);
        run(&s, NULL, &coast, &g);
        assert_int_equal(g.ngap, cases[i].events);
        if (cases[i].events) {
            const struct det_event *e = &g.gap[0];
            assert_int_equal(e->start, T0 + 2 * H);
            assert_int_equal(e->end, T0 + 8 * H);
            assert_near(e->duration_h, 6.0, EPS);
            assert_near(e->distance_km, 0.0, EPS);
            assert_near(e->speed_kn, 0.0, EPS);
            assert_int_equal(e->likely_disabling, 0);
            assert_int_not_equal(g.gap_at[0], -1);
        }
    }
}

static void gap_open_at_end(void **state)
{
    (void)state;
    /* A falls silent at 12:10; B goes on 7 h more: an open gap, emitted only
     * when the stream ends, with no end position */
    struct scen s = {0};
    struct got g;
    add_series(&s, A, T0 + 10 * MIN, GAP_START, 15 * MIN, 10.0, 1.0);
    add_series(&s, B, T0 + 10 * MIN, GAP_START + 7 * H, 30 * MIN, 10.2, 1.0);
    run(&s, NULL, &coast, &g);
    assert_int_equal(g.ngap, 1);
    const struct det_event *e = &g.gap[0];
    assert_int_equal(g.gap_at[0], -1);
    assert_int_equal(e->mmsi, A);
    assert_int_equal(e->start, GAP_START);
    assert_int_equal(e->end, GAP_START + 7 * H);
    assert_near(e->lat, 10.0, EPS);
    assert_near(e->lon, 1.0, EPS);
    assert_true(isnan(e->end_lat) && isnan(e->end_lon));
    assert_true(isnan(e->distance_km) && isnan(e->speed_kn));
    assert_near(e->duration_h, 7.0, EPS);
    assert_int_equal(e->likely_disabling, 0);
    assert_string_equal(e->detail, "open (still silent at end); dark: long no; offshore 60 nm yes; "
                                   "reception 1/1 slots yes; 32 fixes in 12 h before (need 24) yes");
    /* 13 h open: long, and every other condition holds */
    add_series(&s, A, T0 + 10 * MIN, GAP_START, 15 * MIN, 10.0, 1.0);
    add_series(&s, B, T0 + 10 * MIN, GAP_START + 13 * H, 30 * MIN, 10.2, 1.0);
    run(&s, NULL, &coast, &g);
    assert_int_equal(g.ngap, 1);
    assert_int_equal(g.gap[0].likely_disabling, 1);
    /* 5.9 h: nothing */
    add_series(&s, A, T0 + 10 * MIN, GAP_START, 15 * MIN, 10.0, 1.0);
    add_series(&s, B, T0 + 10 * MIN, GAP_START + 5 * H + 30 * MIN, 30 * MIN, 10.2, 1.0);
    add(&s, B, GAP_START + 5 * H + 54 * MIN, 10.2, 1.0);
    run(&s, NULL, &coast, &g);
    assert_int_equal(g.ngap, 0);
}

/* A vessel silent 30 days is dropped when the table needs room (its 513th
 * vessel, the table starting at 1024 slots half full): its gap is reported
 * then, open, and not again at the end. */
static void gap_dropped_after_30_days(void **state)
{
    (void)state;
    struct scen s = {0};
    struct got g;
    int64_t later = T0 + 31 * 24 * H;
    add_series(&s, A, T0, T0 + 12 * H, 15 * MIN, 10.0, 1.0);
    for (uint32_t i = 1; i <= 512; i++)
        add(&s, 300000000u + i, later + i * 1000, 11.0, 1.0);
    int crowd = fed_index(&s, 300000512u, later + 512 * 1000);
    add(&s, A, later + 600 * 1000, 10.0, 1.0);
    run(&s, NULL, &coast, &g);
    assert_int_equal(g.ngap, 1);
    assert_int_equal(g.gap_at[0], crowd);
    const struct det_event *e = &g.gap[0];
    assert_int_equal(e->start, T0 + 12 * H);
    assert_int_equal(e->end, later + 512 * 1000);
    assert_true(isnan(e->end_lat));
    /* nothing was heard anywhere for 30 days: reception unknown */
    assert_int_equal(e->likely_disabling, -1);
    assert_string_equal(e->detail, "open (silent 30 days, dropped); dark: long yes; offshore 60 "
                                   "nm yes; reception 0/0 slots unknown; 32 fixes in 12 h before "
                                   "(need 24) yes");
}

static void gap_once_per_silence(void **state)
{
    (void)state;
    /* two silences, each reported once as it ends; B's own half-hourly
     * reports never make a gap */
    struct scen s = {0};
    struct got g;
    add_series(&s, A, T0, T0 + 4 * H, 15 * MIN, 10.0, 1.0);
    add_series(&s, A, T0 + 11 * H, T0 + 14 * H, 15 * MIN, 10.0, 1.0);
    add_series(&s, A, T0 + 21 * H, T0 + 30 * H, 15 * MIN, 10.0, 1.0);
    add_series(&s, B, T0, T0 + 30 * H, 30 * MIN, 10.2, 1.0);
    run(&s, NULL, &coast, &g);
    assert_int_equal(g.ngap, 2);
    assert_int_equal(g.gap[0].start, T0 + 4 * H);
    assert_int_equal(g.gap[0].end, T0 + 11 * H);
    assert_int_equal(g.gap[1].start, T0 + 14 * H);
    assert_int_equal(g.gap[1].end, T0 + 21 * H);
    assert_true(g.gap_at[0] > 0 && g.gap_at[1] > g.gap_at[0]);
}

static void gap_thresholds_from_config(void **state)
{
    (void)state;
    struct det_config cfg = {.gap_min_h = 1, .gap_dark_h = 6, .gap_dark_shore_nm = 10,
                             .gap_regular_min_per_h = 1, .gap_reception_km = 100};
    struct scen s = {0};
    struct got g;
    /* A 15 nm out every 30 min until 12:00, silent 1.5 h: recorded; no
     * 3-hour slot lies wholly inside, so reception is unknown */
    add_series(&s, A, T0, T0 + 12 * H, 30 * MIN, 10.0, 0.25);
    add(&s, A, T0 + 13 * H + 30 * MIN, 10.0, 0.25);
    run(&s, &cfg, &coast, &g);
    assert_int_equal(g.ngap, 1);
    assert_near(g.gap[0].duration_h, 1.5, EPS);
    assert_int_equal(g.gap[0].likely_disabling, 0);
    assert_string_equal(g.gap[0].detail, "dark: long no; offshore 15 nm yes; reception 0/0 slots "
                                         "unknown; 25 fixes in 12 h before (need 12) yes");
    /* the defaults: not a gap at all */
    add_series(&s, A, T0, T0 + 12 * H, 30 * MIN, 10.0, 0.25);
    add(&s, A, T0 + 13 * H + 30 * MIN, 10.0, 0.25);
    run(&s, NULL, &coast, &g);
    assert_int_equal(g.ngap, 0);
    /* silent 6.5 h, B 0.6 degree (67 km) away: within 100 km */
    add_series(&s, A, T0, T0 + 12 * H, 30 * MIN, 10.0, 0.25);
    add(&s, A, T0 + 18 * H + 30 * MIN, 10.0, 0.25);
    add_series(&s, B, T0, T0 + 18 * H + 30 * MIN, 30 * MIN, 10.6, 0.25);
    run(&s, &cfg, &coast, &g);
    assert_int_equal(g.ngap, 1);
    assert_int_equal(g.gap[0].likely_disabling, 1);
    assert_string_equal(g.gap[0].detail, "dark: long yes; offshore 15 nm yes; reception 1/1 slots "
                                         "yes; 25 fixes in 12 h before (need 12) yes");
    /* the default 50 km does not reach B (0.5 degree cells) */
    cfg.gap_reception_km = 0;
    add_series(&s, A, T0, T0 + 12 * H, 30 * MIN, 10.0, 0.25);
    add(&s, A, T0 + 18 * H + 30 * MIN, 10.0, 0.25);
    add_series(&s, B, T0, T0 + 18 * H + 30 * MIN, 30 * MIN, 10.6, 0.25);
    run(&s, &cfg, &coast, &g);
    assert_int_equal(g.ngap, 1);
    assert_int_equal(g.gap[0].likely_disabling, 0);
    assert_non_null(strstr(g.gap[0].detail, "reception 0/1 slots no"));
}

/* Reception across the 180th meridian: B 0.2 degree east of A is on the
 * other side, in the grid's first column. */
static void gap_reception_across_dateline(void **state)
{
    (void)state;
    struct scen s = {0};
    struct got g;
    add_series(&s, A, T0 + 10 * MIN, GAP_START, 15 * MIN, -10.0, 179.9);
    add(&s, A, GAP_START + 13 * H, -10.0, 179.9);
    add_series(&s, B, T0, GAP_START + 13 * H, 30 * MIN, -10.0, -179.9);
    run(&s, NULL, NULL, &g);
    assert_int_equal(g.ngap, 1);
    assert_int_equal(g.gap[0].likely_disabling, -1);
    assert_string_equal(g.gap[0].detail, "dark: long yes; offshore unknown unknown; reception 3/3 "
                                         "slots yes; 32 fixes in 12 h before (need 24) yes");
}

/* Fixes at 0,0 are faults, not positions: they neither end a gap nor count. */
static void gap_null_island_ignored(void **state)
{
    (void)state;
    struct scen s = {0};
    struct got g;
    add_series(&s, A, T0, T0 + 2 * H, 15 * MIN, 10.0, 1.0);
    add_u(&s, A, T0 + 5 * H, 0, 0);
    add(&s, A, T0 + 9 * H, 10.0, 1.0);
    run(&s, NULL, &coast, &g);
    assert_int_equal(g.ngap, 1);
    assert_int_equal(g.gap[0].start, T0 + 2 * H);
    assert_int_equal(g.gap[0].end, T0 + 9 * H);
}

/* ============================== loitering ============================== */

#define L 412000003u                    /* the loitering vessel */
#define STEP (10 * MIN)
#define FAST 16656                      /* units per 10 min: 9.99 kn along a meridian */
#define DRIFT 1500                      /* units per 10 min: 0.90 kn */
#define LAT0 (-40 * TRK_DEG)

/* L steams north for 1 h, drifts north for `drift_steps` x 10 min at
 * `drift` units per step, then (when `after` > 0) steams on for `after`
 * steps. Returns the time of the last drifting fix. */
static int64_t loiter_scen(struct scen *s, int32_t lon, int drift_steps, int32_t drift, int after)
{
    int64_t t = T0;
    int32_t lat = LAT0;
    for (int i = 0; i < 6; i++, t += STEP, lat += FAST)
        add_u(s, L, t, lat, lon);
    add_u(s, L, t, lat, lon);                       /* 1:00, the last fast fix */
    for (int i = 0; i < drift_steps; i++) {
        t += STEP;
        lat += drift;
        add_u(s, L, t, lat, lon);
    }
    int64_t end = t;
    for (int i = 0; i < after; i++) {
        t += STEP;
        lat += FAST;
        add_u(s, L, t, lat, lon);
    }
    return end;
}

static void loiter_exact(void **state)
{
    (void)state;
    struct scen s = {0};
    struct got g;
    int64_t end = loiter_scen(&s, TRK_DEG, 30, DRIFT, 6);
    int ends = fed_index(&s, L, end + STEP);
    run(&s, NULL, &coast, &g);
    assert_int_equal(g.nloi, 1);
    const struct det_event *e = &g.loi[0];
    /* emitted at the first fast step after the drift, once */
    assert_int_equal(g.loi_at[0], ends);
    assert_int_equal(e->kind, DET_LOITERING);
    assert_int_equal(e->mmsi, L);
    assert_int_equal(e->mmsi2, 0);
    assert_int_equal(e->start, T0 + H);
    assert_int_equal(e->end, T0 + 6 * H);
    assert_int_equal(end, T0 + 6 * H);
    double lat1 = (double)(LAT0 + 6 * FAST) / TRK_DEG, d = (double)DRIFT / TRK_DEG;
    /* the centroid of the 31 positions of the episode */
    assert_near(e->lat, lat1 + 15 * d, 1e-9);
    assert_near(e->lon, 1.0, EPS);
    assert_near(e->end_lat, lat1 + 30 * d, EPS);
    assert_near(e->end_lon, 1.0, EPS);
    assert_near(e->duration_h, 5.0, EPS);
    assert_near(e->distance_km, 30 * d * KM_PER_DEG, 1e-6);
    assert_near(e->speed_kn, 30 * d * KM_PER_DEG / 1.852 / 5, 1e-7);
    assert_near(e->shore_km, 60 * 1.852, EPS);
    assert_int_equal(e->likely_disabling, -1);
    assert_string_equal(e->detail, "at the centroid of 31 positions, 60 nm from shore; "
                                   "8.3 km covered");
}

static void loiter_speed_boundary(void **state)
{
    (void)state;
    struct scen s = {0};
    struct got g;
    /* 3331 units per 10 min is 1.99994 kn */
    loiter_scen(&s, TRK_DEG, 30, 3331, 3);
    run(&s, NULL, &coast, &g);
    assert_int_equal(g.nloi, 1);
    assert_near(g.loi[0].speed_kn, 3331.0 / TRK_DEG * KM_PER_DEG / 1.852 * 6, 1e-7);
    assert_true(g.loi[0].speed_kn < 2);
    /* 3332 is 2.0005 kn */
    loiter_scen(&s, TRK_DEG, 30, 3332, 3);
    run(&s, NULL, &coast, &g);
    assert_int_equal(g.nloi, 0);
}

static void loiter_duration_boundary(void **state)
{
    (void)state;
    struct scen s = {0};
    struct got g;
    loiter_scen(&s, TRK_DEG, 23, DRIFT, 3);          /* 3:50 */
    run(&s, NULL, &coast, &g);
    assert_int_equal(g.nloi, 0);
    loiter_scen(&s, TRK_DEG, 24, DRIFT, 3);          /* 4:00 */
    run(&s, NULL, &coast, &g);
    assert_int_equal(g.nloi, 1);
    assert_near(g.loi[0].duration_h, 4.0, EPS);
}

static void loiter_shore_boundary(void **state)
{
    (void)state;
    struct scen s = {0};
    struct got g;
    loiter_scen(&s, TRK_DEG / 3, 30, DRIFT, 3);      /* exactly 20 nm: not beyond */
    run(&s, NULL, &coast, &g);
    assert_int_equal(g.nloi, 0);
    loiter_scen(&s, TRK_DEG / 3 + 1000, 30, DRIFT, 3); /* 20.1 nm */
    run(&s, NULL, &coast, &g);
    assert_int_equal(g.nloi, 1);
    assert_near(g.loi[0].shore_km, 20.1 * 1.852, EPS);
    assert_string_equal(g.loi[0].detail, "at the centroid of 31 positions, 20 nm from shore; "
                                         "8.3 km covered");
    /* unknown shore: reported, saying so */
    loiter_scen(&s, TRK_DEG / 3, 30, DRIFT, 3);
    run(&s, NULL, NULL, &g);
    assert_int_equal(g.nloi, 1);
    assert_true(isnan(g.loi[0].shore_km));
    assert_string_equal(g.loi[0].detail, "at the centroid of 31 positions, shore distance unknown; "
                                         "8.3 km covered");
    loiter_scen(&s, 120 * TRK_DEG, 30, DRIFT, 3);
    run(&s, NULL, &coast, &g);
    assert_int_equal(g.nloi, 1);
    assert_true(isnan(g.loi[0].shore_km));
}

static void loiter_open_at_end(void **state)
{
    (void)state;
    struct scen s = {0};
    struct got g;
    loiter_scen(&s, TRK_DEG, 30, DRIFT, 0);
    run(&s, NULL, &coast, &g);
    assert_int_equal(g.nloi, 1);
    assert_int_equal(g.loi_at[0], -1);
    assert_int_equal(g.loi[0].end, T0 + 6 * H);
    assert_string_equal(g.loi[0].detail, "open at end of stream; at the centroid of 31 positions, "
                                         "60 nm from shore; 8.3 km covered");
}

/* A silence of gap_min_h (6 h) or more ends the episode at its last fix. */
static void loiter_ends_at_gap(void **state)
{
    (void)state;
    struct scen s = {0};
    struct got g;
    int64_t end = loiter_scen(&s, TRK_DEG, 30, DRIFT, 0);
    int32_t lat = s.f[s.n - 1].lat;
    add_u(&s, L, end + 7 * H, lat, TRK_DEG);
    int back = fed_index(&s, L, end + 7 * H);
    run(&s, NULL, &coast, &g);
    assert_int_equal(g.nloi, 1);
    assert_int_equal(g.loi_at[0], back);
    assert_int_equal(g.loi[0].end, end);
    assert_string_equal(g.loi[0].detail, "at the centroid of 31 positions, 60 nm from shore; "
                                         "8.3 km covered");
}

/* A vessel that falls silent after drifting: its episode is over once it
 * has been silent gap_min_h, and is emitted then (within an hour of stream
 * time), while other vessels are still heard, not at the end of the stream
 * and not marked open. */
static void loiter_silent_vessel_emitted_in_stream(void **state)
{
    (void)state;
    struct scen s = {0};
    struct got g;
    int64_t end = loiter_scen(&s, TRK_DEG, 30, DRIFT, 0);
    add_series(&s, A, T0, end + 10 * H, 10 * MIN, 10.0, 0.1); /* 6 nm out */
    run(&s, NULL, &coast, &g);
    assert_int_equal(g.nloi, 1);
    assert_int_not_equal(g.loi_at[0], -1);
    assert_true(g.loi_now[0] >= end + 6 * H && g.loi_now[0] <= end + 7 * H);
    assert_int_equal(g.loi[0].end, end);
    assert_string_equal(g.loi[0].detail, "at the centroid of 31 positions, 60 nm from shore; "
                                         "8.3 km covered");
    /* the stream ends 5.9 h after L's last fix: still open */
    add_series(&s, A, T0, end + 5 * H + 50 * MIN, 10 * MIN, 10.0, 0.1);
    loiter_scen(&s, TRK_DEG, 30, DRIFT, 0);
    add(&s, A, end + 5 * H + 54 * MIN, 10.0, 0.1);
    run(&s, NULL, &coast, &g);
    assert_int_equal(g.nloi, 1);
    assert_int_equal(g.loi_at[0], -1);
    assert_non_null(strstr(g.loi[0].detail, "open at end of stream; "));
}

/* A silence of exactly gap_min_h is a gap, as for the gap detector: two
 * episodes, not one across it; 5.9 h of silence does not split one. */
static void loiter_six_hour_silence_splits(void **state)
{
    (void)state;
    static const struct {
        int64_t silent;
        int events;
    } cases[] = {{6 * H, 2}, {5 * H + 54 * MIN, 1}};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct scen s = {0};
        struct got g;
        int64_t end = loiter_scen(&s, TRK_DEG, 24, DRIFT, 0);
        int32_t lat = s.f[s.n - 1].lat;
        for (int k = 0; k <= 24; k++)
            add_u(&s, L, end + cases[i].silent + k * STEP, lat, TRK_DEG);
        run(&s, NULL, &coast, &g);
        assert_int_equal(g.nloi, cases[i].events);
        assert_int_equal(g.loi[0].start, T0 + H);
        if (cases[i].events == 2) {
            assert_int_equal(g.loi[0].end, end);
            assert_int_equal(g.loi[1].start, end + 6 * H);
            assert_int_equal(g.loi[1].end, end + 10 * H);
        } else {
            assert_int_equal(g.loi[0].end, end + cases[i].silent + 4 * H);
        }
    }
}

/* Two drifting spells split by a transit: two events, each once. */
static void loiter_two_episodes(void **state)
{
    (void)state;
    struct scen s = {0};
    struct got g;
    int64_t end = loiter_scen(&s, TRK_DEG, 30, DRIFT, 6);
    int32_t lat = s.f[s.n - 1].lat;
    int64_t t = end + 6 * STEP;
    for (int i = 1; i <= 30; i++)
        add_u(&s, L, t + i * STEP, lat, TRK_DEG);  /* still, 5 h */
    add_u(&s, L, t + 31 * STEP, lat + FAST, TRK_DEG);
    add_u(&s, L, t + 32 * STEP, lat + 2 * FAST, TRK_DEG);
    run(&s, NULL, &coast, &g);
    assert_int_equal(g.nloi, 2);
    assert_int_equal(g.loi[0].start, T0 + H);
    assert_int_equal(g.loi[1].start, t);
    assert_int_equal(g.loi[1].end, t + 30 * STEP);
    assert_near(g.loi[1].distance_km, 0.0, EPS);
    assert_near(g.loi[1].speed_kn, 0.0, EPS);
    assert_true(g.loi_at[0] > 0 && g.loi_at[1] > g.loi_at[0]);
}

/* Fixes closer than 10 min to the last one used are skipped: GPS jitter of
 * a vessel reporting every 10 s is not speed. */
static void loiter_jitter_thinned(void **state)
{
    (void)state;
    struct scen s = {0};
    struct got g;
    /* +-150 units (28 m) of jitter every 10 s for 5 h: 56 m in 10 s would
     * read as 11 kn fix by fix */
    for (int i = 0; i <= 5 * 360; i++)
        add_u(&s, L, T0 + i * 10000LL, LAT0 + (i % 2 ? 150 : -150), TRK_DEG);
    run(&s, NULL, &coast, &g);
    assert_int_equal(g.nloi, 1);
    assert_int_equal(g.loi[0].start, T0);
    assert_int_equal(g.loi[0].end, T0 + 5 * H);
    assert_near(g.loi[0].duration_h, 5.0, EPS);
    /* 30 steps of 10 min, all between even fixes: no distance at all */
    assert_near(g.loi[0].distance_km, 0.0, EPS);
}

/* An episode drifting east across the 180th meridian: its centroid is on
 * the meridian, not at longitude 0. */
static void loiter_across_dateline(void **state)
{
    (void)state;
    struct scen s = {0};
    struct got g;
    int32_t lon = 180 * TRK_DEG - 15 * DRIFT;
    for (int i = 0; i <= 30; i++, lon += DRIFT)
        add_u(&s, L, T0 + i * STEP, LAT0, lon > 180 * TRK_DEG ? lon - 360 * TRK_DEG : lon);
    run(&s, NULL, NULL, &g);
    assert_int_equal(g.nloi, 1);
    const struct det_event *e = &g.loi[0];
    assert_near(fabs(e->lon), 180.0, 1e-9);
    assert_near(e->lat, -40.0, EPS);
    assert_near(e->end_lon, -180.0 + 15.0 * DRIFT / TRK_DEG, EPS);
    assert_near(e->duration_h, 5.0, EPS);
    /* 30 steps of 0.0025 degree of longitude at 40 S */
    assert_near(e->distance_km, 30 * 0.0025 * KM_PER_DEG * cos(40 * M_PI / 180), 1e-6);
}

/* A fix at 0,0 in the middle of a drift is a fault, not a 40-degree jump
 * that would end the episode. */
static void loiter_null_island_ignored(void **state)
{
    (void)state;
    struct scen s = {0};
    struct got g;
    /* still for 5 h, a fix every 20 min, and a 0,0 fix 10 min after one */
    for (int i = 0; i <= 15; i++)
        add_u(&s, L, T0 + i * 20 * MIN, LAT0, TRK_DEG);
    add_u(&s, L, T0 + 2 * H + 10 * MIN, 0, 0);
    run(&s, NULL, &coast, &g);
    assert_int_equal(g.nloi, 1);
    assert_int_equal(g.loi[0].start, T0);
    assert_int_equal(g.loi[0].end, T0 + 5 * H);
    assert_near(g.loi[0].distance_km, 0.0, EPS);
}

static void loiter_thresholds_from_config(void **state)
{
    (void)state;
    struct det_config cfg = {.loi_max_kn = 5, .loi_min_h = 1, .loi_min_shore_nm = 5};
    struct scen s = {0};
    struct got g;
    /* 4 kn (6664 units per 10 min) for 1 h, 10 nm out */
    loiter_scen(&s, TRK_DEG / 6, 6, 6664, 3);
    run(&s, &cfg, &coast, &g);
    assert_int_equal(g.nloi, 1);
    assert_near(g.loi[0].duration_h, 1.0, EPS);
    assert_true(g.loi[0].speed_kn > 3.99 && g.loi[0].speed_kn < 4.01);
    /* the defaults: too fast, too short, too close */
    loiter_scen(&s, TRK_DEG / 6, 6, 6664, 3);
    run(&s, NULL, &coast, &g);
    assert_int_equal(g.nloi, 0);
    loiter_scen(&s, TRK_DEG / 6, 30, DRIFT, 3);
    run(&s, NULL, &coast, &g);
    assert_int_equal(g.nloi, 0);
}

/* ---- det_feed_fixes: the same events as det_feed_fix ---- */

#define BEV 4000

struct evlog {
    int n;
    char line[BEV][400];
};

static void log_event(void *ctx, const struct det_event *e)
{
    struct evlog *l = ctx;
    assert_true(l->n < BEV);
    snprintf(l->line[l->n++], sizeof l->line[0],
             "%d %u %u %lld %lld %.9g %.9g %.9g %.9g %.9g %.9g %.9g %.9g %d %s %s", (int)e->kind,
             (unsigned)e->mmsi, (unsigned)e->mmsi2, (long long)e->start, (long long)e->end,
             e->lat, e->lon, e->end_lat, e->end_lon, e->duration_h, e->distance_km,
             e->speed_kn, e->shore_km, e->likely_disabling, e->zone, e->detail);
}

static uint32_t lcg(uint32_t *x)
{
    *x = *x * 1664525u + 1013904223u;
    return *x >> 8;
}

/* 60 vessels, 30,000 fixes over 10 days: drifting (loitering), steaming,
 * silent for hours (gaps), jumping (teleports, MMSI clashes), at 0,0 and
 * with invalid MMSIs; fed one by one with det_feed_fix() and in batches of
 * 1 to 37 with det_feed_fixes(), the event lines (every field) are the
 * same, in the same order. */
static void feed_fixes_same_events(void **state)
{
    (void)state;
    enum { N = 30000, NV = 60 };
    struct trk_fix *f = calloc(N, sizeof *f);
    struct trk_static *st = calloc(N, sizeof *st);
    struct evlog *one = calloc(1, sizeof *one), *many = calloc(1, sizeof *many);
    assert_non_null(f);
    assert_non_null(st);
    assert_non_null(one);
    assert_non_null(many);
    double lat[NV], lon[NV];
    int64_t quiet[NV];
    uint32_t x = 4242;
    for (int v = 0; v < NV; v++) {
        lat[v] = 10 + (v / 2) * 0.2 + (v % 2) * 0.001;
        lon[v] = 5 + (v % 7) * 0.1;
        quiet[v] = 0;
    }
    int64_t t = T0;
    for (int i = 0; i < N; i++) {
        t += 30000;
        int v = (int)(lcg(&x) % NV);
        if (t < quiet[v]) {
            i--;
            continue;
        }
        unsigned r = lcg(&x) % 1000;
        if (r < 3)
            quiet[v] = t + (int64_t)(lcg(&x) % 20) * H;   /* goes silent */
        if (v % 5 == 1)
            lat[v] += 0.002;                               /* steaming north */
        else if (v % 5 == 2 && v % 2 == 0)
            lat[v] += 0.00001;                             /* drifting */
        if (r >= 3 && r < 5)
            lon[v] += 3;                                   /* a jump */
        uint32_t mmsi = v % 50 == 3 ? 1000 + (uint32_t)v : 244000000 + (uint32_t)v;
        f[i] = (struct trk_fix){.mmsi = mmsi, .segment = 1, .t = t,
                                .lat = r == 7 ? 0 : units(lat[v]),
                                .lon = r == 7 ? 0 : units(lon[v]), .sog = TRK_SOG_NA,
                                .cog = TRK_COG_NA, .heading = TRK_HEADING_NA,
                                .nav_status = 15, .msg_type = 1};
    }
    det_engine *a = det_new(NULL, &coast, log_event, one);
    det_engine *b = det_new(NULL, &coast, log_event, many);
    assert_non_null(a);
    assert_non_null(b);
    for (int i = 0; i < N; i++)
        det_feed_fix(a, &f[i], &st[i]);
    for (size_t i = 0, len = 1; i < N; i += len, len = len % 37 + 1)
        det_feed_fixes(b, &f[i], &st[i], i + len <= N ? len : N - i);
    det_finish(a);
    det_finish(b);
    /* the stream does produce every kind it was built for */
    assert_true(det_count(a, DET_GAP) > 10);
    assert_true(det_count(a, DET_LOITERING) > 0);
    assert_true(det_count(a, DET_TELEPORT) > 10);
    assert_true(det_count(a, DET_INVALID_MMSI) > 0);
    assert_true(det_count(a, DET_MMSI_CLASH) > 0);
    assert_int_equal(many->n, one->n);
    for (int i = 0; i < one->n; i++)
        assert_string_equal(many->line[i], one->line[i]);
    for (int k = 0; k < DET__COUNT; k++)
        assert_int_equal(det_count(b, (enum det_kind)k), det_count(a, (enum det_kind)k));
    det_free(a);
    det_free(b);
    free(f);
    free(st);
    free(one);
    free(many);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(gap_all_conditions_exact),
        cmocka_unit_test(gap_short_is_not_dark),
        cmocka_unit_test(gap_near_shore_is_not_dark),
        cmocka_unit_test(gap_shore_unknown),
        cmocka_unit_test(gap_reception),
        cmocka_unit_test(gap_regularity),
        cmocka_unit_test(gap_regularity_dense),
        cmocka_unit_test(gap_regularity_unknown),
        cmocka_unit_test(gap_six_hour_boundary),
        cmocka_unit_test(gap_open_at_end),
        cmocka_unit_test(gap_dropped_after_30_days),
        cmocka_unit_test(gap_once_per_silence),
        cmocka_unit_test(gap_thresholds_from_config),
        cmocka_unit_test(gap_reception_across_dateline),
        cmocka_unit_test(gap_null_island_ignored),
        cmocka_unit_test(loiter_exact),
        cmocka_unit_test(loiter_speed_boundary),
        cmocka_unit_test(loiter_duration_boundary),
        cmocka_unit_test(loiter_shore_boundary),
        cmocka_unit_test(loiter_open_at_end),
        cmocka_unit_test(loiter_ends_at_gap),
        cmocka_unit_test(loiter_silent_vessel_emitted_in_stream),
        cmocka_unit_test(loiter_six_hour_silence_splits),
        cmocka_unit_test(loiter_two_episodes),
        cmocka_unit_test(loiter_jitter_thinned),
        cmocka_unit_test(loiter_across_dateline),
        cmocka_unit_test(loiter_null_island_ignored),
        cmocka_unit_test(loiter_thresholds_from_config),
        cmocka_unit_test(feed_fixes_same_events),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
