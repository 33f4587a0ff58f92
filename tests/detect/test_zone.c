/*
 * test_zone.c - zone incursions: GeoJSON loading (and its errors), entry and
 * exit through GEOS prepared geometries, holes, multipolygons, and the
 * per-zone rules (exempt flag states, ship types, speed limit).
 */
#include "testutil.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "alidade/detect.h"

/* A box around the Chatham Rise (east of New Zealand) with a hole, and a
 * second zone as a MultiPolygon of two squares. */
static const char *zones_json =
    "{\"type\":\"FeatureCollection\",\"features\":["
    "{\"type\":\"Feature\",\"properties\":{\"name\":\"Chatham Rise closed area\","
    "\"exempt_mids\":[512],\"ship_types\":[30]},"
    "\"geometry\":{\"type\":\"Polygon\",\"coordinates\":["
    "[[-179,-45],[-175,-45],[-175,-43],[-179,-43],[-179,-45]],"
    "[[-177.5,-44.5],[-176.5,-44.5],[-176.5,-43.5],[-177.5,-43.5],[-177.5,-44.5]]]}},"
    "{\"type\":\"Feature\",\"properties\":{\"name\":\"Slow zone\",\"max_speed_kn\":10},"
    "\"geometry\":{\"type\":\"MultiPolygon\",\"coordinates\":["
    "[[[170,-40],[171,-40],[171,-39],[170,-39],[170,-40]]],"
    "[[[172,-40],[173,-40],[173,-39],[172,-39],[172,-40]]]]}}]}";

struct got {
    int n;
    struct det_event e[16];
};

static void collect(void *ctx, const struct det_event *e)
{
    struct got *g = ctx;
    if (e->kind == DET_ZONE_ENTRY || e->kind == DET_ZONE_EXIT)
        if (g->n < 16)
            g->e[g->n++] = *e;
}

static struct trk_fix fix(uint32_t mmsi, int64_t t_s, double lat, double lon, double sog)
{
    struct trk_fix f = {.mmsi = mmsi, .segment = 1, .t = t_s * 1000,
                        .lat = (int32_t)lround(lat * TRK_DEG), .lon = (int32_t)lround(lon * TRK_DEG),
                        .sog = (uint16_t)lround(sog * 10), .cog = TRK_COG_NA,
                        .heading = TRK_HEADING_NA, .nav_status = 15, .msg_type = 1};
    return f;
}

static det_zones *load(void)
{
    char err[256] = "";
    det_zones *z = det_zones_load(zones_json, strlen(zones_json), err, sizeof err);
    if (!z)
        print_error("%s\n", err);
    assert_non_null(z);
    assert_int_equal(det_zones_count(z), 2);
    return z;
}

static void run(det_zones *z, const struct trk_fix *fs, int n, const struct trk_static *st,
                struct got *g)
{
    struct det_geo geo = {.zones = z};
    memset(g, 0, sizeof *g);
    det_engine *d = det_new(NULL, &geo, collect, g);
    assert_non_null(d);
    for (int i = 0; i < n; i++)
        det_feed_fix(d, &fs[i], st);
    det_finish(d);
    det_free(d);
}

static void fishing_vessel_enters_and_leaves(void **state)
{
    (void)state;
    det_zones *z = load();
    struct trk_static st = {.shiptype = 30};
    /* a Chinese-flagged (MID 412) fishing vessel crosses the box west to east
     * along 44.8 S, outside the hole */
    struct trk_fix fs[] = {
        fix(412000001, 1000, -44.8, -179.5, 8),   /* outside */
        fix(412000001, 4600, -44.8, -178.5, 8),   /* inside: entry */
        fix(412000001, 8200, -44.8, -176.0, 8),   /* inside */
        fix(412000001, 11800, -44.8, -174.5, 8),  /* outside: exit */
    };
    struct got g;
    run(z, fs, 4, &st, &g);
    assert_int_equal(g.n, 2);
    assert_int_equal(g.e[0].kind, DET_ZONE_ENTRY);
    assert_string_equal(g.e[0].zone, "Chatham Rise closed area");
    assert_int_equal(g.e[0].start, 4600000);
    assert_true(fabs(g.e[0].lon + 178.5) < 1e-6);
    assert_int_equal(g.e[1].kind, DET_ZONE_EXIT);
    assert_int_equal(g.e[1].start, 4600000);
    assert_int_equal(g.e[1].end, 11800000);
    assert_true(fabs(g.e[1].duration_h - 2.0) < 1e-9);
    det_zones_free(z);
}

static void hole_is_outside(void **state)
{
    (void)state;
    det_zones *z = load();
    struct trk_static st = {.shiptype = 30};
    struct trk_fix fs[] = {
        fix(412000002, 0, -44.0, -177.0, 5),      /* in the hole: not inside */
        fix(412000002, 600, -44.0, -176.9, 5),
    };
    struct got g;
    run(z, fs, 2, &st, &g);
    assert_int_equal(g.n, 0);
    det_zones_free(z);
}

static void rules_filter_vessels(void **state)
{
    (void)state;
    det_zones *z = load();
    struct got g;
    /* a New Zealand (MID 512) fishing vessel is exempt */
    struct trk_static fishing = {.shiptype = 30};
    struct trk_fix nz[] = {fix(512000003, 0, -44.8, -179.5, 8), fix(512000003, 600, -44.8, -178.0, 8)};
    run(z, nz, 2, &fishing, &g);
    assert_int_equal(g.n, 0);
    /* a foreign cargo ship (type 70) is not a fishing vessel: no event */
    struct trk_static cargo = {.shiptype = 70};
    struct trk_fix cg[] = {fix(412000004, 0, -44.8, -179.5, 8), fix(412000004, 600, -44.8, -178.0, 8)};
    run(z, cg, 2, &cargo, &g);
    assert_int_equal(g.n, 0);
    det_zones_free(z);
}

static void speed_limit_and_multipolygon(void **state)
{
    (void)state;
    det_zones *z = load();
    struct trk_static st = {.shiptype = 70};
    struct trk_fix fs[] = {
        fix(636000005, 0, -39.5, 169.5, 12),      /* outside */
        fix(636000005, 600, -39.5, 170.2, 8),     /* inside the first square, slow */
        fix(636000005, 1200, -39.5, 170.5, 12),   /* inside, over 10 kn: entry now */
        fix(636000005, 1800, -39.5, 171.5, 12),   /* between the squares: exit */
        fix(636000005, 2400, -39.5, 172.5, 9),    /* second square, slow: nothing */
    };
    struct got g;
    run(z, fs, 5, &st, &g);
    assert_int_equal(g.n, 2);
    assert_int_equal(g.e[0].kind, DET_ZONE_ENTRY);
    assert_int_equal(g.e[0].start, 1200000);
    assert_true(fabs(g.e[0].speed_kn - 12.0) < 1e-9);
    assert_string_equal(g.e[0].zone, "Slow zone");
    assert_int_equal(g.e[1].kind, DET_ZONE_EXIT);
    assert_int_equal(g.e[1].end, 1800000);
    det_zones_free(z);
}

static void first_seen_inside(void **state)
{
    (void)state;
    det_zones *z = load();
    struct trk_static st = {.shiptype = 30};
    struct trk_fix fs[] = {fix(412000006, 0, -44.8, -178.0, 4)};
    struct got g;
    run(z, fs, 1, &st, &g);
    assert_int_equal(g.n, 1);
    assert_int_equal(g.e[0].kind, DET_ZONE_ENTRY);
    assert_non_null(strstr(g.e[0].detail, "first seen inside"));
    det_zones_free(z);
}

static void bad_documents_say_why(void **state)
{
    (void)state;
    char err[256];
    const char *cases[][2] = {
        {"{\"type\":", "not JSON"},
        {"{\"type\":\"FeatureCollection\",\"features\":[]}", "not a GeoJSON FeatureCollection"},
        {"{\"type\":\"FeatureCollection\",\"features\":[{\"type\":\"Feature\",\"properties\":"
         "{\"name\":\"P\"},\"geometry\":{\"type\":\"Point\",\"coordinates\":[1,2]}}]}",
         "feature 0 (P): geometry must be a Polygon or MultiPolygon"},
        {"{\"type\":\"FeatureCollection\",\"features\":[{\"type\":\"Feature\",\"properties\":"
         "{\"name\":\"Q\",\"ship_types\":[\"fishing\"]},\"geometry\":null}]}",
         "feature 0 (Q): ship_types must be"},
        {"{\"type\":\"FeatureCollection\",\"features\":[{\"type\":\"Feature\",\"properties\":{},"
         "\"geometry\":{\"type\":\"Polygon\",\"coordinates\":[[[0,0],[1,1]]]}}]}",
         "feature 0 (zone 1): GEOS cannot read"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        err[0] = '\0';
        det_zones *z = det_zones_load(cases[i][0], strlen(cases[i][0]), err, sizeof err);
        assert_null(z);
        if (!strstr(err, cases[i][1]))
            print_error("case %zu: got \"%s\", want \"%s\"\n", i, err, cases[i][1]);
        assert_non_null(strstr(err, cases[i][1]));
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(fishing_vessel_enters_and_leaves),
        cmocka_unit_test(hole_is_outside),
        cmocka_unit_test(rules_filter_vessels),
        cmocka_unit_test(speed_limit_and_multipolygon),
        cmocka_unit_test(first_seen_inside),
        cmocka_unit_test(bad_documents_say_why),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
