/*
 * test_tick.c - the detectors' live clock (det_tick, det_discontinuity) and
 * the gap detector's saved records (det_vessel_get, det_vessel_seed), as the
 * live node (src/ingest_ais.c) drives them: an ongoing gap once per silence
 * at the first tick >= start + 6 h, the final gap as a newer version of the
 * same STIX objects, late reports, feed discontinuities (a jump of the feed
 * clock is no gap), the tracker's reorder window (a held fix that closes the
 * silence is never reported as a gap), and a restart that restores the
 * records (the gap across it is the one an uninterrupted run reports).
 */
#include "testutil.h"

#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "alidade/detect.h"
#include "alidade/track.h"

#define H 3600000LL
#define MIN 60000LL
#define T0 1735689600000LL               /* 2025-01-01T00:00Z */
#define A 228000001u                     /* goes dark */
#define B 228000002u                     /* heard throughout */
#define C 228000003u

#define MAXEV 32

struct got {
    int n;
    struct det_event e[MAXEV];
    int64_t at[MAXEV];                   /* the time fed or ticked when emitted */
    int64_t now;
};

static void collect(void *ctx, const struct det_event *e)
{
    struct got *g = ctx;
    if (e->kind == DET_GAP && g->n < MAXEV) {
        g->at[g->n] = g->now;
        g->e[g->n++] = *e;
    }
}

static struct trk_fix fix_at(uint32_t mmsi, int64_t t, double lat, double lon)
{
    struct trk_fix f = {.mmsi = mmsi, .segment = 1, .t = t,
                        .lat = (int32_t)lround(lat * TRK_DEG),
                        .lon = (int32_t)lround(lon * TRK_DEG), .sog = TRK_SOG_NA,
                        .cog = TRK_COG_NA, .heading = TRK_HEADING_NA, .nav_status = 15,
                        .msg_type = 1};
    return f;
}

static void feed(det_engine *d, struct got *g, uint32_t mmsi, int64_t t, double lat)
{
    struct trk_fix f = fix_at(mmsi, t, lat, 1.0);
    g->now = t;
    det_feed_fix(d, &f, &(struct trk_static){0});
}

static void tick(det_engine *d, struct got *g, int64_t now)
{
    g->now = now;
    det_tick(d, now);
}

/* A every 15 min from T0 to T0 + 2 h (its last fix, the gap's start), B
 * every 10 min from T0 to `b_until`; ticks after every fix at its time (the
 * clock of a feed delivered up to there). */
#define GAP0 (T0 + 2 * H)

static void before_gap(det_engine *d, struct got *g, int64_t b_until, bool ticks)
{
    int64_t ta = T0, tb = T0;
    while (ta <= GAP0 || tb <= b_until) {
        if (ta <= GAP0 && (ta <= tb || tb > b_until)) {
            feed(d, g, A, ta, 10.0);
            if (ticks)
                tick(d, g, ta);
            ta += 15 * MIN;
        } else {
            feed(d, g, B, tb, 10.2);
            if (ticks)
                tick(d, g, tb);
            tb += 10 * MIN;
        }
    }
}

/* The sighting of one event as det_stix_event writes it (parsed). */
static json_t *sighting_of(const struct det_event *e)
{
    char buf[4200];
    buf[0] = '[';
    struct det_stix_opts o = {.identity_name = "test node", .tlp = 1};
    size_t n = det_stix_event(e, &o, buf + 1, 4000);
    assert_true(n > 0);
    buf[n + 1] = ']';
    buf[n + 2] = '\0';
    json_error_t err;
    json_t *arr = json_loads(buf, 0, &err);
    assert_non_null(arr);
    json_t *s = NULL;
    size_t i;
    json_t *v;
    json_array_foreach(arr, i, v)
        if (strcmp(json_string_value(json_object_get(v, "type")), "sighting") == 0)
            s = json_incref(v);
    json_decref(arr);
    assert_non_null(s);
    return s;
}

static json_t *ext_of(json_t *sighting)
{
    json_t *exts = json_object_get(sighting, "extensions");
    const char *k;
    json_t *v;
    json_object_foreach(exts, k, v)
        return v;
    fail();
    return NULL;
}

static const char *str(json_t *o, const char *k)
{
    return json_string_value(json_object_get(o, k));
}

/* ---- the ongoing gap, once, then the final one ---- */

static void ongoing_then_final(void **state)
{
    (void)state;
    struct got g = {0};
    det_engine *d = det_new(NULL, NULL, collect, &g);
    assert_non_null(d);
    before_gap(d, &g, GAP0 + 10 * H, true);
    /* B's fixes tick the clock every 10 min: the first tick >= GAP0 + 6 h
     * reports A, once, though ticks go on for 4 more hours */
    assert_int_equal(g.n, 1);
    const struct det_event *on = &g.e[0];
    assert_int_equal(g.at[0], GAP0 + 6 * H);
    assert_true(on->ongoing);
    assert_int_equal(on->mmsi, A);
    assert_int_equal(on->start, GAP0);
    assert_int_equal(on->end, GAP0 + 6 * H);
    assert_true(fabs(on->duration_h - 6) < 1e-12);
    assert_true(fabs(on->lat - 10.0) < 1e-9 && fabs(on->lon - 1.0) < 1e-9);
    assert_true(isnan(on->end_lat) && isnan(on->distance_km) && isnan(on->speed_kn));
    assert_int_equal(on->likely_disabling, -1);
    assert_int_equal(on->modified, 0);
    assert_non_null(strstr(on->detail, "ongoing (still silent; dark decided when it ends)"));
    assert_non_null(strstr(on->detail, "fixes in 12 h before"));
    /* A is heard again 7 h after its last fix: the final gap */
    feed(d, &g, A, GAP0 + 7 * H, 10.1);
    assert_int_equal(g.n, 2);
    const struct det_event *fin = &g.e[1];
    assert_false(fin->ongoing);
    assert_int_equal(fin->start, GAP0);
    assert_int_equal(fin->end, GAP0 + 7 * H);
    assert_int_equal(fin->modified, 0);
    assert_true(fabs(fin->duration_h - 7) < 1e-12);
    assert_true(isfinite(fin->distance_km));
    assert_null(strstr(fin->detail, "ongoing"));
    /* later ticks: nothing more (A is reporting again) */
    tick(d, &g, GAP0 + 9 * H);
    det_finish(d);
    assert_int_equal(g.n, 2);
    assert_int_equal(det_count(d, DET_GAP), 2);

    /* STIX: the same objects, the final a newer version */
    json_t *s1 = sighting_of(on), *s2 = sighting_of(fin);
    assert_string_equal(str(s1, "id"), str(s2, "id"));
    assert_string_equal(str(s1, "created"), str(s2, "created"));
    assert_string_equal(str(s1, "modified"), "2025-01-01T08:00:00.000Z");
    assert_string_equal(str(s2, "modified"), "2025-01-01T09:00:00.000Z");
    assert_true(strcmp(str(s2, "modified"), str(s1, "modified")) > 0);
    json_t *x1 = ext_of(s1), *x2 = ext_of(s2);
    assert_true(json_is_true(json_object_get(x1, "ongoing")));
    assert_null(json_object_get(x2, "ongoing"));
    assert_null(json_object_get(x1, "likely_disabling"));
    assert_non_null(json_object_get(x2, "likely_disabling"));
    assert_non_null(strstr(str(s1, "description"), "silent for 6.0 h so far (ongoing)"));
    json_decref(s1);
    json_decref(s2);
    det_free(d);
}

/* A tick 1 ms before start + 6 h reports nothing; at start + 6 h it does. */
static void not_before_six_hours(void **state)
{
    (void)state;
    struct got g = {0};
    det_engine *d = det_new(NULL, NULL, collect, &g);
    assert_non_null(d);
    before_gap(d, &g, GAP0 + 5 * H, false);
    tick(d, &g, GAP0 + 6 * H - 1);
    assert_int_equal(g.n, 0);
    tick(d, &g, GAP0 + 6 * H - 1);      /* not later: nothing at all */
    tick(d, &g, GAP0 + 6 * H);
    assert_int_equal(g.n, 1);
    assert_true(g.e[0].ongoing);
    /* later: A not again; B, silent since GAP0 + 5 h, now is */
    tick(d, &g, GAP0 + 20 * H);
    assert_int_equal(g.n, 2);
    assert_int_equal(g.e[1].mmsi, B);
    tick(d, &g, GAP0 + 30 * H);
    assert_int_equal(g.n, 2);
    det_free(d);
}

/* Without ticks (ais detect) the events are those of a run before det_tick
 * existed: no ongoing version, finish reports the open gap at the newest fix. */
static void no_tick_no_ongoing(void **state)
{
    (void)state;
    struct got g = {0};
    det_engine *d = det_new(NULL, NULL, collect, &g);
    assert_non_null(d);
    before_gap(d, &g, GAP0 + 10 * H, false);
    det_finish(d);
    assert_int_equal(g.n, 1);
    assert_false(g.e[0].ongoing);
    assert_int_equal(g.e[0].end, GAP0 + 10 * H);
    assert_int_equal(g.e[0].modified, 0);
    assert_non_null(strstr(g.e[0].detail, "open (still silent at end)"));
    det_free(d);
}

/* At the end of a live stream the open gap ends at the last tick when that
 * is later than the newest fix, and is a newer version of the ongoing one. */
static void finish_after_ongoing(void **state)
{
    (void)state;
    struct got g = {0};
    det_engine *d = det_new(NULL, NULL, collect, &g);
    assert_non_null(d);
    before_gap(d, &g, GAP0 + 3 * H, true);
    tick(d, &g, GAP0 + 8 * H);          /* the feed quiet, its clock going on */
    assert_int_equal(g.n, 1);
    det_finish(d);
    assert_int_equal(g.n, 2);
    assert_false(g.e[1].ongoing);
    assert_int_equal(g.e[1].end, GAP0 + 8 * H);
    assert_non_null(strstr(g.e[1].detail, "open (still silent at end)"));
    /* B too: silent 5 h at the last tick, not a gap */
    det_free(d);
}

/* A late report at exactly start + 6 h after the ongoing version: the final
 * version's end is not later, its `modified` is. */
static void final_same_end_is_newer(void **state)
{
    (void)state;
    struct got g = {0};
    det_engine *d = det_new(NULL, NULL, collect, &g);
    assert_non_null(d);
    before_gap(d, &g, GAP0 + 7 * H, true);
    assert_int_equal(g.n, 1);
    feed(d, &g, A, GAP0 + 6 * H, 10.0);
    assert_int_equal(g.n, 2);
    assert_int_equal(g.e[1].end, GAP0 + 6 * H);
    assert_int_equal(g.e[1].modified, GAP0 + 6 * H + 1);
    json_t *s1 = sighting_of(&g.e[0]), *s2 = sighting_of(&g.e[1]);
    assert_string_equal(str(s1, "id"), str(s2, "id"));
    assert_string_equal(str(s2, "modified"), "2025-01-01T08:00:00.001Z");
    assert_string_equal(str(s2, "last_seen"), "2025-01-01T08:00:00.000Z");
    assert_true(strcmp(str(s2, "modified"), str(s1, "modified")) > 0);
    json_decref(s1);
    json_decref(s2);
    det_free(d);
}

/* A late report 5 h after the start (older than the tick that reported the
 * ongoing gap): the final version says it was not a gap after all. */
static void late_report_retracts(void **state)
{
    (void)state;
    struct got g = {0};
    det_engine *d = det_new(NULL, NULL, collect, &g);
    assert_non_null(d);
    before_gap(d, &g, GAP0 + 7 * H, true);
    assert_int_equal(g.n, 1);
    feed(d, &g, A, GAP0 + 5 * H, 10.0);
    assert_int_equal(g.n, 2);
    const struct det_event *e = &g.e[1];
    assert_false(e->ongoing);
    assert_int_equal(e->end, GAP0 + 5 * H);
    assert_int_equal(e->likely_disabling, 0);
    assert_int_equal(e->modified, GAP0 + 6 * H + 1);
    assert_non_null(strstr(e->detail, "not a gap"));
    /* and it starts a new silence: a later tick may report it again */
    tick(d, &g, GAP0 + 11 * H);
    assert_int_equal(g.n, 3);
    assert_true(g.e[2].ongoing);
    assert_int_equal(g.e[2].start, GAP0 + 5 * H);
    det_free(d);
}

/* ---- feed discontinuities ---- */

static void discontinuity_is_no_gap(void **state)
{
    (void)state;
    struct got g = {0};
    det_engine *d = det_new(NULL, NULL, collect, &g);
    assert_non_null(d);
    /* A silent from GAP0, B until GAP0 + 7 h, C from GAP0 + 6 h 30 to + 7 h */
    before_gap(d, &g, GAP0 + 7 * H, false);
    feed(d, &g, C, GAP0 + 6 * H + 30 * MIN, 10.4);
    feed(d, &g, C, GAP0 + 7 * H, 10.4);
    /* the feed clock jumps 13 years */
    int64_t from = GAP0 + 7 * H, to = from + 13 * 365 * 24 * H;
    det_discontinuity(d, from, to);
    /* A was already silent 7 h: its gap ends at the discontinuity */
    assert_int_equal(g.n, 1);
    assert_int_equal(g.e[0].mmsi, A);
    assert_int_equal(g.e[0].end, from);
    assert_non_null(strstr(g.e[0].detail, "open (feed discontinuity)"));
    /* after it: ticks, A, B and C heard again, the end: no gap */
    tick(d, &g, to);
    feed(d, &g, B, to + MIN, 10.2);
    tick(d, &g, to + 5 * H);
    feed(d, &g, C, to + 5 * H, 10.4);
    feed(d, &g, A, to + 5 * H + MIN, 10.0);
    assert_int_equal(g.n, 1);
    /* a silence after the jump is a gap again (B: 10 h) */
    tick(d, &g, to + 10 * H + 2 * MIN);
    assert_int_equal(g.n, 2);
    assert_int_equal(g.e[1].mmsi, B);
    assert_true(g.e[1].ongoing);
    assert_int_equal(g.e[1].start, to + MIN);
    feed(d, &g, A, to + 10 * H + 3 * MIN, 10.0);
    feed(d, &g, C, to + 10 * H + 3 * MIN, 10.4);
    assert_int_equal(g.n, 2);           /* 5 h: no gap */
    det_finish(d);
    assert_int_equal(g.n, 3);            /* B open at the end, nothing else */
    assert_int_equal(g.e[2].mmsi, B);
    det_free(d);
}

/* The ongoing version then a discontinuity: the final version ends there. */
static void discontinuity_after_ongoing(void **state)
{
    (void)state;
    struct got g = {0};
    det_engine *d = det_new(NULL, NULL, collect, &g);
    assert_non_null(d);
    before_gap(d, &g, GAP0 + 6 * H, true);
    assert_int_equal(g.n, 1);
    det_discontinuity(d, GAP0 + 6 * H, GAP0 + 100 * H);
    assert_int_equal(g.n, 2);
    assert_int_equal(g.e[1].end, GAP0 + 6 * H);
    assert_int_equal(g.e[1].modified, GAP0 + 6 * H + 1);
    det_finish(d);
    assert_int_equal(g.n, 2);
    det_free(d);
}

/* ---- the tracker's reorder window ---- */

struct chain {
    det_engine *d;
    struct got *g;
};

static void on_fix(void *ctx, const struct trk_fix *f, const struct trk_static *st)
{
    struct chain *c = ctx;
    det_feed_fix(c->d, f, st);
}

static void msg(trk_tracker *t, uint32_t mmsi, int64_t time, double lat)
{
    struct trk_msg m = {.time_ms = time, .type = 1, .mmsi = mmsi,
                        .lat = (int32_t)lround(lat * TRK_DEG), .lon = TRK_DEG,
                        .sog = 0, .cog = 0, .heading = 0, .nav_status = 0,
                        .flags = TRK_MSG_POSITION};
    trk_feed_msgs(t, &m, 1);
}

/* The newest position time given to the tracker, per vessel (A and B). */
struct fed_pos {
    int64_t a, b;
};

static void msg_noted(trk_tracker *t, struct fed_pos *fp, uint32_t mmsi, int64_t time,
                      double lat)
{
    int64_t *p = mmsi == A ? &fp->a : &fp->b;
    if (time > *p)
        *p = time;
    msg(t, mmsi, time, lat);
}

static bool fed_newer(void *ctx, uint32_t mmsi, int64_t t)
{
    const struct fed_pos *fp = ctx;
    return (mmsi == A ? fp->a : fp->b) > t;
}

/* A's report 5 h 55 min after its last fix arrives late, while B is already
 * at 6 h 2 min: the tracker holds it. A plain tick at the newest time would
 * call A dark although the held fix closes the silence; a tick at the newest
 * time minus the reorder window, or det_tick_held told what the tracker
 * holds (as the live node does, docs/node.md), reports nothing, and A's fix
 * then ends a silence under 6 h. */
static void held_fix_is_not_reported(void **state)
{
    (void)state;
    struct got g = {0};
    det_engine *d = det_new(NULL, NULL, collect, &g);
    trk_tracker *t = trk_new(NULL);
    assert_non_null(d);
    assert_non_null(t);
    struct chain c = {d, &g};
    trk_set_cb(t, on_fix, NULL, &c);
    const int64_t reorder = 10 * MIN;
    int64_t newest = 0;
    for (int64_t tb = T0; tb <= GAP0 + 6 * H + 2 * MIN; tb += 2 * MIN) {
        if (tb <= GAP0 && (tb - T0) % (15 * MIN) == 0)
            msg(t, A, tb, 10.0);
        msg(t, B, tb, 10.2);
        newest = tb;
        det_tick(d, newest - reorder);
    }
    assert_int_equal(g.n, 0);
    msg(t, A, GAP0 + 5 * H + 55 * MIN, 10.0);  /* late, within the window: held */
    struct det_vessel_state sa;
    assert_true(det_vessel_get(d, A, &sa));
    assert_int_equal(sa.t, GAP0);            /* not delivered yet */
    det_tick(d, newest - reorder);
    assert_int_equal(g.n, 0);
    /* the stream goes on: A's fix leaves the window, no gap (5 h 55) */
    for (int64_t tb = newest + 2 * MIN; tb <= GAP0 + 7 * H; tb += 2 * MIN) {
        msg(t, B, tb, 10.2);
        det_tick(d, tb - reorder);
    }
    assert_int_equal(g.n, 0);
    /* what the wrong clock would have done: a fresh engine, ticked at the
     * newest time while A's fix is held, reports A dark */
    struct got g2 = {0};
    det_engine *d2 = det_new(NULL, NULL, collect, &g2);
    trk_tracker *t2 = trk_new(NULL);
    struct chain c2 = {d2, &g2};
    trk_set_cb(t2, on_fix, NULL, &c2);
    for (int64_t tb = T0; tb <= GAP0 + 6 * H + 2 * MIN; tb += 2 * MIN) {
        if (tb <= GAP0 && (tb - T0) % (15 * MIN) == 0)
            msg(t2, A, tb, 10.0);
        msg(t2, B, tb, 10.2);
    }
    msg(t2, A, GAP0 + 5 * H + 55 * MIN, 10.0);
    det_tick(d2, GAP0 + 6 * H + 2 * MIN);
    assert_int_equal(g2.n, 1);
    trk_free(t2);
    det_free(d2);
    /* det_tick_held at the newest time: A's held fix is newer than its last
     * fix the detectors know, so A is not judged */
    struct got g3 = {0};
    det_engine *d3 = det_new(NULL, NULL, collect, &g3);
    trk_tracker *t3 = trk_new(NULL);
    struct chain c3 = {d3, &g3};
    trk_set_cb(t3, on_fix, NULL, &c3);
    struct fed_pos fp = {0};
    for (int64_t tb = T0; tb <= GAP0 + 6 * H + 2 * MIN; tb += 2 * MIN) {
        if (tb <= GAP0 && (tb - T0) % (15 * MIN) == 0)
            msg_noted(t3, &fp, A, tb, 10.0);
        msg_noted(t3, &fp, B, tb, 10.2);
    }
    msg_noted(t3, &fp, A, GAP0 + 5 * H + 55 * MIN, 10.0);
    det_tick_held(d3, GAP0 + 6 * H + 2 * MIN, fed_newer, &fp);
    assert_int_equal(g3.n, 0);
    for (int64_t tb = GAP0 + 6 * H + 4 * MIN; tb <= GAP0 + 7 * H; tb += 2 * MIN) {
        msg_noted(t3, &fp, B, tb, 10.2);
        det_tick_held(d3, tb, fed_newer, &fp);
    }
    assert_int_equal(g3.n, 0);
    /* while a vessel that really is dark is reported at once (A, 6 h after
     * its fix at 5 h 55 min, B reporting all along: nothing held of A) */
    det_tick_held(d3, GAP0 + 11 * H + 55 * MIN, fed_newer, &fp);
    assert_int_equal(g3.n, 1);
    assert_int_equal(g3.e[0].mmsi, A);
    assert_int_equal(g3.e[0].start, GAP0 + 5 * H + 55 * MIN);
    assert_true(g3.e[0].ongoing);
    trk_free(t3);
    det_free(d3);
    trk_free(t);
    det_free(d);
}

/* ---- saved records: a restart in the middle of a silence ---- */

static void seed_across_restart(void **state)
{
    (void)state;
    /* the uninterrupted run */
    struct got g1 = {0};
    det_engine *d1 = det_new(NULL, NULL, collect, &g1);
    assert_non_null(d1);
    before_gap(d1, &g1, GAP0 + 1 * H, false);
    feed(d1, &g1, A, GAP0 + 7 * H, 10.1);
    assert_int_equal(g1.n, 1);
    /* the run stopped after GAP0 + 1 h: A's record saved ... */
    struct got g2 = {0};
    det_engine *d2 = det_new(NULL, NULL, collect, &g2);
    assert_non_null(d2);
    before_gap(d2, &g2, GAP0 + 1 * H, false);
    struct det_vessel_state sa, sb, none;
    assert_true(det_vessel_get(d2, A, &sa));
    assert_true(det_vessel_get(d2, B, &sb));
    assert_false(det_vessel_get(d2, C, &none));
    assert_int_equal(sa.mmsi, A);
    assert_int_equal(sa.t, GAP0);
    assert_int_equal(sa.ongoing, 0);
    assert_int_equal(sa.nring, 9);          /* T0 .. T0 + 2 h every 15 min */
    assert_int_equal(sa.ring[0], T0 / 1000);
    assert_int_equal(sa.ring[8], GAP0 / 1000);
    det_free(d2);
    /* ... and restored into a new engine, which hears A again */
    struct got g3 = {0};
    det_engine *d3 = det_new(NULL, NULL, collect, &g3);
    assert_non_null(d3);
    assert_true(det_vessel_seed(d3, &sa));
    assert_true(det_vessel_seed(d3, &sb));
    feed(d3, &g3, A, GAP0 + 7 * H, 10.1);
    assert_int_equal(g3.n, 1);
    assert_int_equal(g3.e[0].start, g1.e[0].start);
    assert_int_equal(g3.e[0].end, g1.e[0].end);
    assert_true(g3.e[0].distance_km == g1.e[0].distance_km);
    assert_int_equal(g3.e[0].likely_disabling, g1.e[0].likely_disabling);
    /* the same verdicts but reception: the reception grid is not saved, the
     * slots before the restart are not judged (docs/detect-gap.md) */
    assert_non_null(strstr(g1.e[0].detail, "reception 1/1 slots yes; 9 fixes in 12 h before"));
    assert_non_null(strstr(g3.e[0].detail, "reception 0/0 slots unknown; 9 fixes in 12 h before"));
    /* a record that is not older than the one held is not replaced */
    struct det_vessel_state old = sa;
    old.t = GAP0 - H;
    assert_true(det_vessel_seed(d3, &old));
    struct det_vessel_state now;
    assert_true(det_vessel_get(d3, A, &now));
    assert_int_equal(now.t, GAP0 + 7 * H);
    det_free(d1);
    det_free(d3);
}

/* A full ring (32 fix times) comes back oldest first and restores exactly. */
static void seed_full_ring(void **state)
{
    (void)state;
    struct got g = {0};
    det_engine *d = det_new(NULL, NULL, collect, &g);
    assert_non_null(d);
    for (int i = 0; i < 40; i++)
        feed(d, &g, A, T0 + i * 30 * MIN, 10.0);
    struct det_vessel_state s;
    assert_true(det_vessel_get(d, A, &s));
    assert_int_equal(s.nring, 32);
    for (unsigned k = 0; k < 32; k++)
        assert_int_equal(s.ring[k], (T0 + (8 + k) * 30 * MIN) / 1000);
    /* the ongoing flag travels too */
    det_tick(d, T0 + 39 * 30 * MIN + 6 * H);
    assert_int_equal(g.n, 1);
    assert_true(det_vessel_get(d, A, &s));
    assert_int_equal(s.ongoing, 1);
    struct got g2 = {0};
    det_engine *d2 = det_new(NULL, NULL, collect, &g2);
    assert_true(det_vessel_seed(d2, &s));
    struct det_vessel_state s2;
    assert_true(det_vessel_get(d2, A, &s2));
    assert_memory_equal(&s, &s2, sizeof s);
    det_tick(d2, T0 + 39 * 30 * MIN + 7 * H);   /* reported already: not again */
    assert_int_equal(g2.n, 0);
    feed(d2, &g2, A, T0 + 39 * 30 * MIN + 8 * H, 10.0);
    assert_int_equal(g2.n, 1);
    assert_false(g2.e[0].ongoing);
    /* every 30 min: 25 of the 32 fix times in the 12 h before, as unbroken */
    assert_non_null(strstr(g2.e[0].detail, "25 fixes in 12 h before (need 24) yes"));
    det_free(d);
    det_free(d2);
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* What a tick costs the live node (once a second): a walk over the gap
 * detector's table. 100,000 vessels heard, none silent 6 h. */
static void tick_cost(void **state)
{
    (void)state;
    struct got g = {0};
    det_engine *d = det_new(NULL, NULL, collect, &g);
    assert_non_null(d);
    const uint32_t n = 100000;
    for (uint32_t i = 0; i < n; i++) {
        struct trk_fix f = fix_at(200000000 + i * 13, T0 + i, -40 + (i % 8000) * 0.01,
                                  (i % 3600) * 0.1 - 180);
        det_feed_fix(d, &f, &(struct trk_static){0});
    }
    double t0 = now_s();
    for (int k = 1; k <= 100; k++)
        det_tick(d, T0 + n + k * 1000);
    double dt = (now_s() - t0) / 100;
    print_message("det_tick over %u vessels: %.3f ms a tick\n", n, dt * 1e3);
    assert_int_equal(g.n, 0);
    det_tick(d, T0 + 7 * H);             /* all silent 6 h: all reported, once */
    assert_int_equal(det_count(d, DET_GAP), n);
    det_tick(d, T0 + 8 * H);
    assert_int_equal(det_count(d, DET_GAP), n);
    det_free(d);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(ongoing_then_final),
        cmocka_unit_test(not_before_six_hours),
        cmocka_unit_test(no_tick_no_ongoing),
        cmocka_unit_test(finish_after_ongoing),
        cmocka_unit_test(final_same_end_is_newer),
        cmocka_unit_test(late_report_retracts),
        cmocka_unit_test(discontinuity_is_no_gap),
        cmocka_unit_test(discontinuity_after_ongoing),
        cmocka_unit_test(held_fix_is_not_reported),
        cmocka_unit_test(seed_across_restart),
        cmocka_unit_test(seed_full_ring),
        cmocka_unit_test(tick_cost),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
