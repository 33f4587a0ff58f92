/*
 * test_sim.c - the scenario generator on its own (lib/sim/sim.c): defaults
 * and invalid configurations, determinism, what normal traffic looks like
 * once decoded (time order, report and static intervals, speeds, MMSIs, the
 * fleet box clear of coast and zone), cutting a run at max_positions, the
 * ground-truth JSON and the geometry helpers. The end-to-end detection
 * proof is test_scenario.c.
 */
#include "testutil.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "alidade/ais.h"
#include "alidade/detect.h"
#include "alidade/geo.h"
#include "alidade/sim.h"

/* ---- helpers ---- */

struct hash {
    uint64_t h, bytes;
};

static void hash_text(void *ctx, const char *text, size_t len)
{
    struct hash *x = ctx;
    for (size_t i = 0; i < len; i++) {
        x->h ^= (unsigned char)text[i];
        x->h *= 0x100000001b3ull;
    }
    x->bytes += len;
}

static struct hash run_hash(const struct sim_config *cfg)
{
    struct hash x = {0xcbf29ce484222325ull, 0};
    sim *s = sim_new(cfg);
    assert_non_null(s);
    sim_run(s, hash_text, &x);
    assert_int_equal(x.bytes, sim_get_stats(s)->bytes);
    sim_free(s);
    return x;
}

/* ---- configuration ---- */

static void defaults_and_invalid(void **state)
{
    (void)state;
    sim *s = sim_new(NULL);
    assert_non_null(s);
    const struct sim_event *ev;
    assert_int_equal(sim_get_stats(s)->vessels, 50 + 10);
    assert_int_equal(sim_events(s, &ev), DET__COUNT);
    /* by start time */
    for (size_t i = 1; i < DET__COUNT; i++)
        assert_true(ev[i - 1].start <= ev[i].start);
    assert_int_equal(ev[0].start, 1735689600);         /* 2025-01-01T00:00Z */
    sim_free(s);

    struct sim_config c = {.hours = -1};
    assert_null(sim_new(&c));
    c.hours = SIM_MAX_HOURS + 1;
    assert_null(sim_new(&c));
    c.hours = NAN;
    assert_null(sim_new(&c));
    c = (struct sim_config){.vessels = SIM_MAX_VESSELS + 1};
    assert_null(sim_new(&c));

    /* too short for the planted events, or none wanted: normal fleet only */
    c = (struct sim_config){.vessels = 20, .hours = SIM_EVENT_HOURS - 0.5};
    s = sim_new(&c);
    assert_non_null(s);
    assert_int_equal(sim_events(s, &ev), 0);
    assert_int_equal(sim_get_stats(s)->vessels, 20);
    sim_free(s);
    c = (struct sim_config){.vessels = 20, .hours = 48, .no_events = true};
    s = sim_new(&c);
    assert_non_null(s);
    assert_int_equal(sim_events(s, &ev), 0);
    sim_free(s);
}

static void deterministic(void **state)
{
    (void)state;
    struct sim_config c = {.seed = 42, .vessels = 30, .hours = 40};
    struct hash a = run_hash(&c), b = run_hash(&c);
    assert_int_equal(a.h, b.h);
    assert_int_equal(a.bytes, b.bytes);
    c.seed = 43;
    struct hash d = run_hash(&c);
    assert_int_not_equal(a.h, d.h);
    /* the planted events do not depend on the seed (only the names do) */
    const struct sim_event *e1, *e2;
    sim *s1 = sim_new(&c);
    c.seed = 42;
    sim *s2 = sim_new(&c);
    assert_int_equal(sim_events(s1, &e1), DET__COUNT);
    assert_int_equal(sim_events(s2, &e2), DET__COUNT);
    for (size_t i = 0; i < DET__COUNT; i++) {
        assert_int_equal(e1[i].kind, e2[i].kind);
        assert_int_equal(e1[i].mmsi, e2[i].mmsi);
        assert_int_equal(e1[i].start, e2[i].start);
        assert_int_equal(e1[i].end, e2[i].end);
        assert_int_equal(e1[i].lat, e2[i].lat);
        assert_int_equal(e1[i].lon, e2[i].lon);
    }
    sim_free(s1);
    sim_free(s2);
}

/* ---- normal traffic, decoded ---- */

#define NV 100

struct vstate {
    uint32_t mmsi;
    int64_t last_pos, last_static;
    int64_t pos_gap;                   /* first interval seen, ms */
    unsigned npos, nstatic;
    char name[21];
};

struct check {
    ais_decoder *dec;
    struct vstate v[NV];
    unsigned nv;
    int64_t last_t;
    unsigned by_type[32];
    unsigned bad;                      /* failed checks, each printed */
};

static struct vstate *vessel(struct check *c, uint32_t mmsi)
{
    for (unsigned i = 0; i < c->nv; i++)
        if (c->v[i].mmsi == mmsi)
            return &c->v[i];
    assert_true(c->nv < NV);
    struct vstate *v = &c->v[c->nv++];
    memset(v, 0, sizeof *v);
    v->mmsi = mmsi;
    v->last_pos = v->last_static = -1;
    return v;
}

static void flag(struct check *c, const char *what, uint32_t mmsi, double x)
{
    if (c->bad++ < 10)
        print_message("%s: mmsi %u value %g\n", what, mmsi, x);
}

static void check_position(struct check *c, struct vstate *v, int64_t t, unsigned sog,
                           int lat_raw, int lon_raw)
{
    double lat = lat_raw / 600000.0, lon = lon_raw / 600000.0;
    if (sog < 80 || sog > 200)
        flag(c, "speed outside 8-20 kn", v->mmsi, sog / 10.0);
    /* the fleet box of a small fleet: 7-10 N, 50-47 W */
    if (lat < 7 || lat > 10 || lon < -50 || lon > -47)
        flag(c, "outside the fleet box", v->mmsi, lat);
    if (sim_shore_km(lat, lon) < 50 * 1.852)
        flag(c, "within 50 nm of the coast", v->mmsi, lon);
    if (v->last_pos >= 0) {
        int64_t gap = t - v->last_pos;
        if (v->pos_gap == 0)
            v->pos_gap = gap;
        if (gap != v->pos_gap || gap < 120000 || gap > 360000)
            flag(c, "irregular reports", v->mmsi, (double)gap);
    }
    v->last_pos = t;
    v->npos++;
}

static void check_static(struct check *c, struct vstate *v, int64_t t, const char *name)
{
    if (v->last_static >= 0 && t - v->last_static != 360000)
        flag(c, "static data not every 6 min", v->mmsi, (double)(t - v->last_static));
    if (v->nstatic && strcmp(v->name, name) != 0)
        flag(c, "name changed", v->mmsi, 0);
    snprintf(v->name, sizeof v->name, "%s", name);
    v->last_static = t;
    v->nstatic++;
}

static void check_msg(void *ctx, const struct ais_msg *m, const struct ais_meta *meta)
{
    struct check *c = ctx;
    int64_t t = meta->time_ms;
    if (t < c->last_t)
        flag(c, "time went back", m->mmsi, (double)t);
    c->last_t = t;
    c->by_type[m->type & 31]++;
    unsigned mid = m->mmsi / 1000000;
    if (m->mmsi < 200000000 || m->mmsi > 775999999 || mid < 201 || mid > 775 ||
        m->mmsi % 1000000 < 100000)
        flag(c, "not a normal ship MMSI", m->mmsi, 0);
    struct vstate *v = vessel(c, m->mmsi);
    switch (m->type) {
    case 1:
        check_position(c, v, t, m->u.t1.speed, m->u.t1.lat, m->u.t1.lon);
        break;
    case 18:
        check_position(c, v, t, m->u.t18.speed, m->u.t18.lat, m->u.t18.lon);
        break;
    case 5:
        check_static(c, v, t, m->u.t5.shipname);
        if (m->u.t5.imo < 1000000 || m->u.t5.imo > 9999999)
            flag(c, "IMO not 7 digits", m->mmsi, m->u.t5.imo);
        break;
    case 24:
        /* part B comes out merged with the part A before it (AIS_PART_BOTH) */
        if (m->u.t24.part == AIS_PART_A)
            check_static(c, v, t, m->u.t24.shipname);
        break;
    default:
        flag(c, "unexpected type", m->mmsi, m->type);
    }
}

static void feed_lines(void *ctx, const char *text, size_t len)
{
    struct check *c = ctx;
    const char *end = text + len;
    while (text < end) {
        const char *nl = memchr(text, '\n', (size_t)(end - text));
        assert_non_null(nl);
        assert_int_equal(ais_decoder_feed(c->dec, text, (size_t)(nl - text)), ALD_E_OK);
        text = nl + 1;
    }
}

static void normal_traffic_shape(void **state)
{
    (void)state;
    struct sim_config cfg = {.seed = 5, .vessels = NV, .hours = 12, .no_events = true};
    sim *s = sim_new(&cfg);
    assert_non_null(s);
    struct check *c = calloc(1, sizeof *c);
    assert_non_null(c);
    struct ais_decoder_opts o = {.split24 = true};
    c->dec = ais_decoder_new(&o);
    assert_non_null(c->dec);
    ais_decoder_set_cb(c->dec, check_msg, NULL, c);
    sim_run(s, feed_lines, c);
    ais_decoder_finish(c->dec);
    const struct sim_stats *st = sim_get_stats(s);
    assert_int_equal(c->bad, 0);
    assert_int_equal(c->nv, NV);
    /* class A: type 1 + type 5 (two sentences); class B: type 18 + type 24 A and B */
    assert_int_equal(c->by_type[1] + c->by_type[18], st->positions);
    assert_int_equal(c->by_type[5] + c->by_type[24] / 2, st->statics);
    assert_true(c->by_type[18] > 0 && c->by_type[1] > c->by_type[18]);
    assert_int_equal(st->sentences, c->by_type[1] + c->by_type[18] + 2 * c->by_type[5] +
                                    c->by_type[24]);
    assert_int_equal(ais_decoder_stats(c->dec)->sentences, st->sentences);
    for (unsigned i = 0; i < c->nv; i++) {
        /* 12 h at one report every 2-6 min, static data every 6 min */
        assert_true(c->v[i].npos >= 12 * 10 && c->v[i].npos <= 12 * 30 + 1);
        assert_int_equal(c->v[i].nstatic, 12 * 10);
    }
    assert_true(st->last_s >= 1735689600 + 12 * 3600 - 360);
    ais_decoder_free(c->dec);
    free(c);
    sim_free(s);
}

/* ---- cutting a run short ---- */

static void count_only(void *ctx, const char *text, size_t len)
{
    (void)text;
    *(size_t *)ctx += len;
}

static void max_positions(void **state)
{
    (void)state;
    struct sim_config cfg = {.seed = 9, .vessels = 40, .hours = 48, .max_positions = 12345};
    sim *s = sim_new(&cfg);
    assert_non_null(s);
    const struct sim_event *all;
    assert_int_equal(sim_events(s, &all), DET__COUNT);
    struct sim_event truth[DET__COUNT];
    memcpy(truth, all, sizeof truth);
    size_t bytes = 0;
    sim_run(s, count_only, &bytes);
    const struct sim_stats *st = sim_get_stats(s);
    assert_int_equal(st->positions, 12345);
    assert_int_equal(st->bytes, bytes);
    /* 40 + 10 planted vessels, about 900 positions an hour: 12345 end within the day,
     * so only the events that ended before are kept, in the same order */
    assert_true(st->last_s > 1735689600 + 3600 && st->last_s < 1735689600 + 24 * 3600);
    const struct sim_event *kept;
    size_t n = sim_events(s, &kept), want = 0;
    for (size_t i = 0; i < DET__COUNT; i++)
        if (truth[i].end < st->last_s)
            assert_memory_equal(&kept[want++], &truth[i], sizeof truth[i]);
    assert_int_equal(n, want);
    assert_true(n > 0 && n < DET__COUNT);
    sim_free(s);
}

/* ---- truth JSON and geometry ---- */

static void event_json(void **state)
{
    (void)state;
    struct sim_event e = {.kind = DET_GAP, .mmsi = 538000101, .start = 1735736400,
                          .end = 1735786800, .lat = 5050000, .lon = -28620000,
                          .has_end_pos = true, .end_lat = 4350000, .end_lon = -27405000};
    snprintf(e.detail, sizeof e.detail, "AIS off");
    char buf[512];
    size_t n = sim_event_json(&e, buf, sizeof buf);
    const char *want = "{\"event\":\"gap\",\"mmsi\":538000101,\"start\":\"2025-01-01T13:00:00Z\","
                       "\"end\":\"2025-01-02T03:00:00Z\",\"lat\":8.416667,\"lon\":-47.700000,"
                       "\"end_lat\":7.250000,\"end_lon\":-45.675000,\"detail\":\"AIS off\"}";
    assert_string_equal(buf, want);
    assert_int_equal(n, strlen(want));
    assert_int_equal(sim_event_json(&e, buf, strlen(want)), 0);    /* no room for the NUL */
    assert_int_equal(sim_event_json(&e, buf, strlen(want) + 1), strlen(want));
    struct sim_event z = {.kind = DET_ENCOUNTER, .mmsi = 1, .mmsi2 = 2, .start = 0, .end = 60};
    snprintf(z.zone, sizeof z.zone, "Z");
    n = sim_event_json(&z, buf, sizeof buf);
    assert_string_equal(buf, "{\"event\":\"encounter\",\"mmsi\":1,\"mmsi2\":2,"
                             "\"start\":\"1970-01-01T00:00:00Z\",\"end\":\"1970-01-01T00:01:00Z\","
                             "\"lat\":0.000000,\"lon\":0.000000,\"zone\":\"Z\",\"detail\":\"\"}");
}

static void geometry(void **state)
{
    (void)state;
    const double one_deg = 6371.0088 * M_PI / 180;     /* km of 1 degree of a great circle */
    assert_true(fabs(sim_shore_km(0, -53)) < 1e-9);
    assert_true(fabs(sim_shore_km(0, -52) - one_deg) < 1e-6);
    assert_true(fabs(sim_shore_km(0, -54) - one_deg) < 1e-6);
    /* past the coast's northern end: distance to its end point */
    assert_true(fabs(sim_shore_km(61, -53) - one_deg) < 1e-6);
    assert_true(fabs(sim_anchorage_km(5, -52.9)) < 1e-9);
    assert_true(fabs(sim_anchorage_km(6, -52.9) - one_deg) < 1e-6);
    /* the fleet box (50 W eastwards) is 3 degrees of longitude from the coast */
    assert_true(sim_shore_km(10, -50) > 2.9 * one_deg * cos(10 * M_PI / 180));
    assert_true(sim_shore_km(52, -50) > 2.9 * one_deg * cos(52 * M_PI / 180));

    char buf[4096], err[256] = "";
    size_t n = sim_zones_geojson(buf, sizeof buf);
    assert_true(n > 0 && n == strlen(buf));
    det_zones *z = det_zones_load(buf, n, err, sizeof err);
    assert_non_null(z);
    assert_int_equal(det_zones_count(z), 1);
    det_zones_free(z);
    assert_non_null(strstr(buf, "\"name\":\"Drill MPA\""));
    assert_int_equal(sim_zones_geojson(buf, 40), 0);
    n = sim_coast_geojson(buf, sizeof buf);
    assert_true(n > 0 && n == strlen(buf));
    assert_non_null(strstr(buf, "{\"type\":\"LineString\",\"coordinates\":[[-53.0,-60.0],"
                                "[-53.0,60.0]]}"));
    assert_non_null(strstr(buf, "{\"type\":\"Point\",\"coordinates\":[-52.9,5.0]}"));
    assert_int_equal(sim_coast_geojson(buf, 40), 0);

    /* the files `alidade ais detect --shore/--anchorages` would read give the
     * same distances as the callbacks the tests use */
    n = sim_coast_geojson(buf, sizeof buf);
    det_geodata *g = det_geo_parse_geojson(buf, n, err, sizeof err);
    if (!g)
        print_error("coast: %s\n", err);
    assert_non_null(g);
    assert_int_equal(det_geo_count(g).points, 1);
    static const double at[][2] = {{0, -53}, {8.4, -47.7}, {-35, -5}, {10.5, -48.6},
                                   {61, -53}, {-70, -53}, {5, -52.9}, {4, -50}};
    for (size_t i = 0; i < sizeof at / sizeof at[0]; i++) {
        double la = at[i][0], lo = at[i][1];
        assert_true(fabs(det_geo_shore_km(g, la, lo) - sim_shore_km(la, lo)) < 1e-6);
        assert_true(fabs(det_geo_place_km(g, la, lo) - sim_anchorage_km(la, lo)) < 1e-6);
    }
    det_geo_free(g);
}

/* ---- speed (measured, printed) and bounded memory ---- */

static void speed(void **state)
{
    (void)state;
    struct sim_config cfg = {.seed = 1, .vessels = 20000, .max_positions = 400000,
                             .hours = 1000};
    sim *s = sim_new(&cfg);
    assert_non_null(s);
    size_t bytes = 0;
    clock_t c0 = clock();
    sim_run(s, count_only, &bytes);
    double secs = (double)(clock() - c0) / CLOCKS_PER_SEC;
    const struct sim_stats *st = sim_get_stats(s);
    assert_int_equal(st->positions, 400000);
    assert_int_equal(st->vessels, 20010);
    print_message("%llu sentences in %.2f s CPU: %.2fM sentences/s, %.0f bytes each\n",
                  (unsigned long long)st->sentences, secs,
                  secs > 0 ? st->sentences / secs / 1e6 : 0.0,
                  (double)st->bytes / (double)st->sentences);
    sim_free(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(defaults_and_invalid),
        cmocka_unit_test(deterministic),
        cmocka_unit_test(normal_traffic_shape),
        cmocka_unit_test(max_positions),
        cmocka_unit_test(event_json),
        cmocka_unit_test(geometry),
        cmocka_unit_test(speed),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
