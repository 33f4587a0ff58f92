/*
 * test_scenario.c - the end-to-end proof of issue 3: a seeded scenario is
 * generated as NMEA text, decoded by the stream decoder, tracked (trk_*) and
 * run through every detector (det_*) with the scenario's own geography
 * (sim_shore_km, sim_anchorage_km, sim_zones_geojson). Every planted event
 * must be found exactly once with the right kind, MMSI(s), start and end
 * within the 10-minute resampling step and position within 1 km, and
 * nothing else may be reported; normal traffic alone (500 vessels, 48 h)
 * must raise no event at all.
 */
#include "testutil.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alidade/ais.h"
#include "alidade/detect.h"
#include "alidade/sim.h"
#include "alidade/track.h"

#define TIME_TOL_S 600         /* the encounter detector's resampling step */
#define POS_TOL_KM 1.0
/* identity_change is placed at the detector's last fix of the vessel, and the
 * tracker holds fixes back for its 10-minute reorder window while static data
 * goes straight through: the renamed vessel (12 kn) may be up to 10 minutes
 * behind, 3.7 km. */
#define IDENT_POS_TOL_KM (POS_TOL_KM + 12 * TRK_KM_PER_NM / 6)
#define MAX_GOT 256

struct pipeline {
    ais_decoder *dec;
    trk_tracker *trk;
    det_engine *det;
    det_zones *zones;
    struct det_event got[MAX_GOT];
    size_t ngot;
    uint64_t lines;
};

static double shore_cb(void *ctx, double lat, double lon)
{
    (void)ctx;
    return sim_shore_km(lat, lon);
}

static double anchorage_cb(void *ctx, double lat, double lon)
{
    (void)ctx;
    return sim_anchorage_km(lat, lon);
}

static void on_event(void *ctx, const struct det_event *e)
{
    struct pipeline *p = ctx;
    if (p->ngot < MAX_GOT)
        p->got[p->ngot] = *e;
    p->ngot++;
}

static void on_fix(void *ctx, const struct trk_fix *f, const struct trk_static *st)
{
    struct pipeline *p = ctx;
    det_feed_fix(p->det, f, st);
}

static void on_static(void *ctx, uint32_t mmsi, const struct trk_static *before,
                      const struct trk_static *after)
{
    struct pipeline *p = ctx;
    det_feed_static(p->det, mmsi, before, after, after->t);
}

static void on_msg(void *ctx, const struct ais_msg *m, const struct ais_meta *meta)
{
    struct pipeline *p = ctx;
    trk_feed(p->trk, m, meta);
}

/* The generator's text, line by line, into the decoder. */
static void on_text(void *ctx, const char *text, size_t len)
{
    struct pipeline *p = ctx;
    const char *end = text + len;
    while (text < end) {
        const char *nl = memchr(text, '\n', (size_t)(end - text));
        assert_non_null(nl);               /* whole lines only */
        assert_int_equal(ais_decoder_feed(p->dec, text, (size_t)(nl - text)), ALD_E_OK);
        p->lines++;
        text = nl + 1;
    }
}

static void pipeline_init(struct pipeline *p)
{
    memset(p, 0, sizeof *p);
    char zj[4096], err[256] = "";
    size_t zlen = sim_zones_geojson(zj, sizeof zj);
    assert_true(zlen > 0);
    p->zones = det_zones_load(zj, zlen, err, sizeof err);
    if (!p->zones)
        print_error("zones: %s\n", err);
    assert_non_null(p->zones);
    struct det_geo geo = {.shore_km = shore_cb, .anchorage_km = anchorage_cb,
                          .zones = p->zones};
    struct ais_decoder_opts dopts = {.split24 = true};
    p->dec = ais_decoder_new(&dopts);
    p->trk = trk_new(NULL);
    p->det = det_new(NULL, &geo, on_event, p);
    assert_non_null(p->dec);
    assert_non_null(p->trk);
    assert_non_null(p->det);
    ais_decoder_set_cb(p->dec, on_msg, NULL, p);
    trk_set_cb(p->trk, on_fix, on_static, p);
}

static void pipeline_run(struct pipeline *p, sim *s)
{
    sim_run(s, on_text, p);
    ais_decoder_finish(p->dec);
    trk_finish(p->trk);
    det_finish(p->det);
    const struct sim_stats *st = sim_get_stats(s);
    const struct ais_stats *as = ais_decoder_stats(p->dec);
    /* every sentence decodes, every position becomes a fix */
    assert_int_equal(p->lines, st->lines);
    assert_int_equal(as->sentences, st->sentences);
    uint64_t bad = 0;
    for (int i = 0; i < 32; i++)
        bad += as->bad[i];
    assert_int_equal(bad, 0);
    assert_int_equal(trk_stats(p->trk)->fixes, st->positions);
    assert_false(st->out_of_memory);
}

static void pipeline_free(struct pipeline *p)
{
    det_free(p->det);
    trk_free(p->trk);
    ais_decoder_free(p->dec);
    det_zones_free(p->zones);
}

static void print_event(const char *what, const struct det_event *e)
{
    char a[40] = "", b[40] = "";
    ais_format_time(e->start, a, sizeof a);
    ais_format_time(e->end, b, sizeof b);
    print_message("%s %s mmsi %u/%u %s .. %s at %.5f %.5f: %s\n", what, det_kind_name(e->kind),
                  e->mmsi, e->mmsi2, a, b, e->lat, e->lon, e->detail);
}

/* Does detected event d show planted event t? */
static bool matches(const struct sim_event *t, const struct det_event *d)
{
    if (d->kind != t->kind || d->mmsi != t->mmsi)
        return false;
    if (t->mmsi2 && d->mmsi2 != t->mmsi2)
        return false;
    if (llabs(d->start / 1000 - t->start) > TIME_TOL_S ||
        llabs(d->end / 1000 - t->end) > TIME_TOL_S)
        return false;
    double tol = t->kind == DET_IDENTITY_CHANGE ? IDENT_POS_TOL_KM : POS_TOL_KM;
    if (isnan(d->lat) ||
        trk_distance_km(t->lat, t->lon, (int32_t)lround(d->lat * TRK_DEG),
                        (int32_t)lround(d->lon * TRK_DEG)) > tol)
        return false;
    if (t->has_end_pos &&
        (isnan(d->end_lat) ||
         trk_distance_km(t->end_lat, t->end_lon, (int32_t)lround(d->end_lat * TRK_DEG),
                         (int32_t)lround(d->end_lon * TRK_DEG)) > POS_TOL_KM))
        return false;
    if (t->zone[0] && strcmp(t->zone, d->zone) != 0)
        return false;
    return true;
}

/* 50 normal vessels and the planted ones over 48 h: exactly the truth. */
static void planted_events_found(void **state)
{
    (void)state;
    struct sim_config cfg = {.seed = 7, .vessels = 50, .hours = 48};
    sim *s = sim_new(&cfg);
    assert_non_null(s);
    const struct sim_event *truth;
    size_t ntruth = sim_events(s, &truth);
    /* one of each kind, zone entry and exit */
    assert_int_equal(ntruth, DET__COUNT);
    for (int k = 0; k < DET__COUNT; k++) {
        size_t n = 0;
        for (size_t i = 0; i < ntruth; i++)
            n += truth[i].kind == (enum det_kind)k;
        assert_int_equal(n, 1);
    }
    struct pipeline *p = malloc(sizeof *p);
    assert_non_null(p);
    pipeline_init(p);
    pipeline_run(p, s);
    assert_int_equal(sim_events(s, &truth), DET__COUNT);   /* all reached */
    assert_true(p->ngot <= MAX_GOT);
    bool used[MAX_GOT] = {false};
    int missing = 0;
    for (size_t i = 0; i < ntruth; i++) {
        const struct sim_event *t = &truth[i];
        int found = 0;
        for (size_t j = 0; j < p->ngot; j++)
            if (!used[j] && matches(t, &p->got[j])) {
                used[j] = true;
                found++;
                if (t->kind == DET_GAP) {
                    /* far offshore, good reception, regular before: likely disabling */
                    assert_int_equal(p->got[j].likely_disabling, 1);
                    assert_true(p->got[j].shore_km > 50 * TRK_KM_PER_NM);
                }
                if (t->kind == DET_ENCOUNTER)
                    assert_true(p->got[j].speed_kn < 2);
            }
        if (found != 1) {
            char js[1024];
            sim_event_json(t, js, sizeof js);
            print_message("planted event found %d times: %s\n", found, js);
            missing++;
        }
    }
    int extra = 0;
    for (size_t j = 0; j < p->ngot; j++)
        if (!used[j]) {
            print_event("unexpected", &p->got[j]);
            extra++;
        }
    assert_int_equal(missing, 0);
    assert_int_equal(extra, 0);
    assert_int_equal(p->ngot, DET__COUNT);
    pipeline_free(p);
    free(p);
    sim_free(s);
}

/* Normal traffic only, 500 vessels for 48 h: not one event of any kind. */
static void normal_traffic_is_quiet(void **state)
{
    (void)state;
    struct sim_config cfg = {.seed = 3, .vessels = 500, .hours = 48, .no_events = true};
    sim *s = sim_new(&cfg);
    assert_non_null(s);
    const struct sim_event *truth;
    assert_int_equal(sim_events(s, &truth), 0);
    struct pipeline *p = malloc(sizeof *p);
    assert_non_null(p);
    pipeline_init(p);
    pipeline_run(p, s);
    const struct sim_stats *st = sim_get_stats(s);
    assert_int_equal(st->vessels, 500);
    assert_true(st->positions > 500 * 48 * 10);    /* every 2-6 min */
    assert_int_equal(trk_stats(p->trk)->vessels, 500);
    /* one segment per vessel: no implausible jump anywhere */
    assert_int_equal(trk_stats(p->trk)->new_segments, 500);
    for (size_t j = 0; j < p->ngot && j < MAX_GOT; j++)
        print_event("unexpected", &p->got[j]);
    assert_int_equal(p->ngot, 0);
    for (int k = 0; k < DET__COUNT; k++)
        assert_int_equal(det_count(p->det, (enum det_kind)k), 0);
    pipeline_free(p);
    free(p);
    sim_free(s);
}

/* A second seed, a fleet 40 times denser (2000 vessels in the same 3-degree
 * box: traffic crosses the planted vessels all the time) and a start 3 min
 * 17 s past a 10-minute boundary (the encounter detector's ticks are
 * absolute, so its times move by up to one step): still exactly the truth. */
static void other_seed_same_truth(void **state)
{
    (void)state;
    struct sim_config cfg = {.seed = 20261123, .vessels = 2000, .hours = 40,
                             .start_s = 1740787397};        /* 2025-03-01T00:03:17Z */
    sim *s = sim_new(&cfg);
    assert_non_null(s);
    struct pipeline *p = malloc(sizeof *p);
    assert_non_null(p);
    pipeline_init(p);
    pipeline_run(p, s);
    const struct sim_event *truth;
    size_t ntruth = sim_events(s, &truth);
    assert_int_equal(ntruth, DET__COUNT);
    size_t matched = 0;
    for (size_t i = 0; i < ntruth; i++)
        for (size_t j = 0; j < p->ngot && j < MAX_GOT; j++)
            matched += matches(&truth[i], &p->got[j]);
    if (matched != DET__COUNT || p->ngot != DET__COUNT)
        for (size_t j = 0; j < p->ngot && j < MAX_GOT; j++)
            print_event("got", &p->got[j]);
    assert_int_equal(matched, DET__COUNT);
    assert_int_equal(p->ngot, DET__COUNT);
    pipeline_free(p);
    free(p);
    sim_free(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(planted_events_found),
        cmocka_unit_test(normal_traffic_is_quiet),
        cmocka_unit_test(other_seed_same_truth),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
