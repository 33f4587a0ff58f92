/*
 * test_geo.c - operator geography (lib/detect/geo.c): distances to hand-placed
 * lines, rings and points against haversine and closed forms (foot of the
 * perpendicular on a great circle), at the poles and across the antimeridian;
 * the land mask with holes and antimeridian-cut polygons; CSV and GeoJSON
 * parse errors; the grid search against an independent dense sampling.
 */
#include "testutil.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <zstd.h>

#include "alidade/geo.h"

#define R_KM 6371.0088
#define DEG (M_PI / 180)

/* |got - want| <= eps, printing both when not (this cmocka has no double
 * assertion). */
static void near_at(double got, double want, double eps, int line)
{
    if (!(fabs(got - want) <= eps)) {
        print_error("line %d: got %.12f, want %.12f (eps %g)\n", line, got, want, eps);
        fail();
    }
}
#define assert_near(got, want, eps) near_at((got), (want), (eps), __LINE__)

static double hav_km(double lat1, double lon1, double lat2, double lon2)
{
    double dp = (lat2 - lat1) * DEG, dl = (lon2 - lon1) * DEG;
    double a = sin(dp / 2) * sin(dp / 2) + cos(lat1 * DEG) * cos(lat2 * DEG) * sin(dl / 2) * sin(dl / 2);
    return 2 * R_KM * asin(sqrt(a));
}

/* Latitude of the midpoint of the great-circle arc between (lat, lon - h)
 * and (lat, lon + h): poleward of lat. */
static double mid_lat(double lat, double h)
{
    return atan2(sin(lat * DEG), cos(lat * DEG) * cos(h * DEG)) / DEG;
}

static det_geodata *parse_ok(const char *text)
{
    char err[256] = "";
    det_geodata *g = det_geo_parse(text, strlen(text), err, sizeof err);
    if (!g)
        print_error("%s\n", err);
    assert_non_null(g);
    return g;
}

static void parse_fails(const char *text, const char *want)
{
    char err[256] = "";
    det_geodata *g = det_geo_parse(text, strlen(text), err, sizeof err);
    assert_null(g);
    if (!strstr(err, want))
        print_error("error '%s' lacks '%s'\n", err, want);
    assert_non_null(strstr(err, want));
}

/* ---- lines ---- */

static void test_line_equator_meridian(void **state)
{
    (void)state;
    det_geodata *g = parse_ok(
        "{\"type\":\"FeatureCollection\",\"features\":["
        "{\"type\":\"Feature\",\"properties\":{},\"geometry\":{\"type\":\"LineString\","
        "\"coordinates\":[[0,0],[10,0]]}},"
        "{\"type\":\"Feature\",\"properties\":{},\"geometry\":{\"type\":\"MultiLineString\","
        "\"coordinates\":[[[20,-10],[20,10]]]}}]}");
    struct det_geo_counts c = det_geo_count(g);
    assert_int_equal(c.features, 2);
    assert_int_equal(c.segments, 2);
    assert_int_equal(c.points, 0);
    /* a point on the line */
    assert_true(fabs(det_geo_shore_km(g, 0, 3)) < 1e-9);
    /* perpendicular to the equator segment: the latitude itself */
    assert_near(det_geo_shore_km(g, 1, 5), hav_km(1, 5, 0, 5), 1e-9);
    assert_near(det_geo_shore_km(g, -2.5, 7), 2.5 * DEG * R_KM, 1e-9);
    /* past the end: distance to the end point */
    assert_near(det_geo_shore_km(g, 0.5, 12), hav_km(0.5, 12, 0, 10), 1e-9);
    /* perpendicular to the meridian at 20 E: asin(cos(lat) sin(dlon)) */
    assert_near(det_geo_shore_km(g, 5, 21), R_KM * asin(cos(5 * DEG) * sin(1 * DEG)),
                        1e-9);
    /* far away (searched through the coarse blocks): the nearer end point */
    assert_near(det_geo_shore_km(g, -60, -120), hav_km(-60, -120, -10, 20), 1e-6);
    /* no places, no polygons, bad input */
    assert_true(isnan(det_geo_place_km(g, 0, 0)));
    assert_int_equal(det_geo_inside(g, 0, 0), -1);
    assert_true(isnan(det_geo_shore_km(g, 91, 0)));
    assert_true(isnan(det_geo_shore_km(g, NAN, 0)));
    assert_true(isnan(det_geo_shore_km(NULL, 0, 0)));
    det_geo_free(g);
}

/* A segment over the antimeridian is the short arc; its nearest point to a
 * query at 180 is the arc's midpoint, poleward of the end latitude. */
static void test_line_antimeridian(void **state)
{
    (void)state;
    det_geodata *g = parse_ok("{\"type\":\"LineString\",\"coordinates\":[[179.5,-17],[-179.5,-17]]}");
    double m = mid_lat(-17, 0.5);
    assert_true(m < -17);
    assert_near(det_geo_shore_km(g, -17.5, 180), hav_km(-17.5, 180, m, 180), 1e-9);
    assert_near(det_geo_shore_km(g, -17.5, -180), hav_km(-17.5, 180, m, 180), 1e-9);
    /* symmetric either side of the antimeridian */
    assert_near(det_geo_shore_km(g, -16.8, 179.9), det_geo_shore_km(g, -16.8, -179.9),
                        1e-9);
    /* beyond the western end: that end */
    assert_near(det_geo_shore_km(g, -17, 178), hav_km(-17, 178, -17, 179.5), 1e-9);
    det_geo_free(g);
}

/* Near the pole the arc from (89, 0) to (89, 90) bulges to 89.0 / cos 45. */
static void test_line_pole(void **state)
{
    (void)state;
    det_geodata *g = parse_ok("{\"type\":\"LineString\",\"coordinates\":[[0,89],[90,89]]}");
    double m = atan2(sin(89 * DEG), cos(89 * DEG) * cos(45 * DEG)) / DEG;
    assert_near(det_geo_shore_km(g, 90, 0), (90 - m) * DEG * R_KM, 1e-9);
    assert_near(det_geo_shore_km(g, 90, 137), (90 - m) * DEG * R_KM, 1e-9);
    /* across the pole: the end at 90 E (2.24 degrees) beats the one at 0 (3) */
    assert_near(det_geo_shore_km(g, 88, 180), hav_km(88, 180, 89, 90), 1e-9);
    assert_true(hav_km(88, 180, 89, 90) < hav_km(88, 180, 89, 0));
    assert_near(det_geo_shore_km(g, 89.5, -135), hav_km(89.5, -135, m, 45), 1e-9);
    det_geo_free(g);
}

/* ---- polygons ---- */

static const char *square_with_hole =
    "{\"type\":\"Feature\",\"properties\":{\"name\":\"island\"},\"geometry\":{\"type\":\"Polygon\","
    "\"coordinates\":[[[0,0],[10,0],[10,10],[0,10],[0,0]],[[4,4],[6,4],[6,6],[4,6],[4,4]]]}}";

static void test_polygon_land(void **state)
{
    (void)state;
    det_geodata *g = parse_ok(square_with_hole);
    struct det_geo_counts c = det_geo_count(g);
    assert_int_equal(c.rings, 2);
    assert_int_equal(c.segments, 8);
    assert_int_equal(det_geo_inside(g, 1, 5), 1);
    assert_int_equal(det_geo_inside(g, 9.9, 0.1), 1);
    assert_int_equal(det_geo_inside(g, 5, 5), 0);        /* the hole is water */
    assert_int_equal(det_geo_inside(g, 11, 5), 0);
    assert_int_equal(det_geo_inside(g, -0.01, 5), 0);
    assert_int_equal(det_geo_inside(g, 5, 10.01), 0);
    assert_int_equal(det_geo_inside(g, 5, -170), 0);
    /* inside land the distance is to the nearest ring: meridian 0 */
    assert_near(det_geo_shore_km(g, 5, 1), R_KM * asin(cos(5 * DEG) * sin(1 * DEG)), 1e-9);
    /* in the hole: to the hole's ring (meridian 4 E, 0.5 degree away) */
    assert_near(det_geo_shore_km(g, 5, 4.5), R_KM * asin(cos(5 * DEG) * sin(0.5 * DEG)),
                        1e-9);
    /* on a vertex and on an edge */
    assert_true(det_geo_shore_km(g, 10, 10) < 1e-9);
    assert_true(det_geo_shore_km(g, 0, 5) < 1e-9);
    det_geo_free(g);
}

/* Fiji-like land cut at the antimeridian (RFC 7946): both halves are land,
 * the cut is not a shore. */
static void test_polygon_antimeridian(void **state)
{
    (void)state;
    det_geodata *g = parse_ok(
        "{\"type\":\"MultiPolygon\",\"coordinates\":["
        "[[[170,-20],[180,-20],[180,-10],[170,-10],[170,-20]]],"
        "[[[-180,-20],[-170,-20],[-170,-10],[-180,-10],[-180,-20]]]]}");
    struct det_geo_counts c = det_geo_count(g);
    assert_int_equal(c.seams, 2);
    assert_int_equal(c.segments, 6);
    assert_int_equal(det_geo_inside(g, -15, 179.9), 1);
    assert_int_equal(det_geo_inside(g, -15, -179.9), 1);
    assert_int_equal(det_geo_inside(g, -15, 180), 1);
    assert_int_equal(det_geo_inside(g, -15, -180), 1);
    assert_int_equal(det_geo_inside(g, -9, 180), 0);
    assert_int_equal(det_geo_inside(g, -15, 169), 0);
    /* nearest shore is the meridian 170 E, not the cut at 180 */
    assert_near(det_geo_shore_km(g, -15, 175), R_KM * asin(cos(15 * DEG) * sin(5 * DEG)),
                        1e-9);
    assert_true(det_geo_shore_km(g, -15, 180) > 540);
    det_geo_free(g);
}

/* ---- places ---- */

static void test_places_csv(void **state)
{
    (void)state;
    /* GFW named anchorages: s2id,lat,lon,label,... with a quoted label */
    det_geodata *g = parse_ok(
        "s2id,lat,lon,label,sublabel,iso3\n"
        "6b1a4f27,-33.8568,151.2153,\"SYDNEY, NSW\",,AUS\n"
        "\n"
        "# a comment\n"
        "6b1a4f29,-32.0569,115.7439,FREMANTLE,,AUS\r\n");
    assert_int_equal(det_geo_count(g).points, 2);
    assert_near(det_geo_place_km(g, -33.84, 151.35), hav_km(-33.84, 151.35, -33.8568, 151.2153),
                        1e-9);
    assert_near(det_geo_place_km(g, -31, 116), hav_km(-31, 116, -32.0569, 115.7439), 1e-9);
    assert_true(isnan(det_geo_shore_km(g, 0, 0)));
    det_geo_free(g);
    /* columns in another order, other names */
    g = parse_ok("name,Longitude,Latitude\nA,-179.99,10\nB,20,-5\n");
    assert_near(det_geo_place_km(g, 10, 179.99), hav_km(10, 179.99, 10, -179.99), 1e-9);
    assert_true(det_geo_place_km(g, 10, 179.99) < 2.2);
    det_geo_free(g);
    /* headerless lat,lon */
    g = parse_ok("51.95,4.05\n53.55,9.97\n");
    assert_near(det_geo_place_km(g, 52, 4), hav_km(52, 4, 51.95, 4.05), 1e-9);
    det_geo_free(g);
    /* GeoJSON points */
    g = parse_ok("{\"type\":\"MultiPoint\",\"coordinates\":[[0,90],[10,10]]}");
    assert_near(det_geo_place_km(g, 89, 123), hav_km(89, 123, 90, 0), 1e-9);
    det_geo_free(g);
}

/* ---- errors ---- */

static void test_errors(void **state)
{
    (void)state;
    parse_fails("{\"type\":", "not JSON: line 1");
    parse_fails("{\"features\":[]}", "no \"type\"");
    parse_fails("{\"type\":\"FeatureCollection\",\"features\":[]}", "no points, lines or polygons");
    parse_fails("{\"type\":\"FeatureCollection\",\"features\":[{\"type\":\"Feature\",\"geometry\":"
                "{\"type\":\"Point\",\"coordinates\":[1,2]}},{\"type\":\"Feature\",\"geometry\":"
                "{\"type\":\"LineString\",\"coordinates\":[[1,2],[3,95]]}}]}",
                "feature 1: line position 1 [3, 95] is outside");
    parse_fails("{\"type\":\"Polygon\",\"coordinates\":[[[0,0],[1,0],[1,1],[0,1]]]}",
                "feature 0: ring 0 is not closed");
    parse_fails("{\"type\":\"Polygon\",\"coordinates\":[[[0,0],[1,0],[0,0]]]}",
                "ring 0 needs at least 4 positions");
    parse_fails("{\"type\":\"Polygon\",\"coordinates\":[[[179,0],[-179,0],[-179,1],[179,0]]]}",
                "ring 0 jumps from lon 179 to -179");
    parse_fails("{\"type\":\"Circle\",\"coordinates\":[0,0]}", "\"Circle\" is not supported");
    parse_fails("{\"type\":\"LineString\",\"coordinates\":[[0,0]]}", "at least 2 positions");
    parse_fails("{\"type\":\"Point\",\"coordinates\":[\"x\",0]}", "point position 0 is not [lon, lat]");
    parse_fails("lat,lon\n1,2\n3,abc\n", "line 3: lat '3' lon 'abc' is not a position");
    parse_fails("lat,lon\n1,2\n3\n", "line 3: 1 fields");
    parse_fails("name,where\nA,here\n", "line 1: no lat and lon columns");
    parse_fails("lat,lon\n# nothing\n", "no rows with a position");
}

/* ---- the grid search against dense sampling ---- */

/* Distance to the arc a-b by sampling 4000 points along it (slerp). */
static double sampled_km(double lat, double lon, const double a[2], const double b[2])
{
    double va[3], vb[3];
    double best = INFINITY;
    va[0] = cos(a[1] * DEG) * cos(a[0] * DEG); va[1] = cos(a[1] * DEG) * sin(a[0] * DEG);
    va[2] = sin(a[1] * DEG);
    vb[0] = cos(b[1] * DEG) * cos(b[0] * DEG); vb[1] = cos(b[1] * DEG) * sin(b[0] * DEG);
    vb[2] = sin(b[1] * DEG);
    double om = acos(fmin(1, va[0] * vb[0] + va[1] * vb[1] + va[2] * vb[2]));
    for (int i = 0; i <= 4000; i++) {
        double t = i / 4000.0, s0 = om > 0 ? sin((1 - t) * om) / sin(om) : 1 - t;
        double s1 = om > 0 ? sin(t * om) / sin(om) : t;
        double x = s0 * va[0] + s1 * vb[0], y = s0 * va[1] + s1 * vb[1], z = s0 * va[2] + s1 * vb[2];
        double d = hav_km(lat, lon, atan2(z, hypot(x, y)) / DEG, atan2(y, x) / DEG);
        if (d < best)
            best = d;
    }
    return best;
}

static double frand(unsigned *s, double lo, double hi)
{
    *s = *s * 1103515245u + 12345u;
    return lo + (hi - lo) * ((*s >> 8) & 0xFFFFFF) / (double)0xFFFFFF;
}

static void test_grid_vs_sampling(void **state)
{
    (void)state;
    enum { NSEG = 40, NQ = 150 };
    double seg[NSEG][2][2];
    static char doc[NSEG * 120 + 64];
    int n = snprintf(doc, sizeof doc, "{\"type\":\"MultiLineString\",\"coordinates\":[");
    unsigned s = 12345;
    for (int i = 0; i < NSEG; i++) {
        /* short segments anywhere, some near the poles and the antimeridian */
        double lat = i % 8 == 0 ? frand(&s, 80, 89) : i % 8 == 1 ? frand(&s, -89, -80)
                                                                    : frand(&s, -70, 70);
        double lon = i % 5 == 0 ? frand(&s, 178, 180) : frand(&s, -180, 180);
        double lat2 = fmax(-90, fmin(90, lat + frand(&s, -2, 2)));
        double lon2 = lon + frand(&s, -3, 3);
        lon2 = lon2 > 180 ? lon2 - 360 : lon2 < -180 ? lon2 + 360 : lon2;
        seg[i][0][0] = lon; seg[i][0][1] = lat; seg[i][1][0] = lon2; seg[i][1][1] = lat2;
        n += snprintf(doc + n, sizeof doc - (size_t)n, "%s[[%.6f,%.6f],[%.6f,%.6f]]", i ? "," : "",
                      lon, lat, lon2, lat2);
        assert_true(n > 0 && (size_t)n < sizeof doc - 8);
    }
    snprintf(doc + n, sizeof doc - (size_t)n, "]}");
    det_geodata *g = parse_ok(doc);
    /* re-read what was printed: the test's segments at 6 decimals */
    for (int i = 0; i < NSEG; i++)
        for (int k = 0; k < 2; k++)
            for (int j = 0; j < 2; j++)
                seg[i][k][j] = round(seg[i][k][j] * 1e6) / 1e6;
    for (int q = 0; q < NQ; q++) {
        double lat = q % 10 == 0 ? frand(&s, 85, 90) : asin(frand(&s, -1, 1)) / DEG;
        double lon = q % 7 == 0 ? frand(&s, 179, 180) : frand(&s, -180, 180);
        double want = INFINITY;
        for (int i = 0; i < NSEG; i++)
            want = fmin(want, sampled_km(lat, lon, seg[i][0], seg[i][1]));
        double got = det_geo_shore_km(g, lat, lon);
        /* sampling overestimates by at most half a step (< 0.05 km here) */
        if (!(got <= want + 1e-6 && got >= want - 0.05))
            print_error("query %d (%f, %f): got %f km, sampled %f km\n", q, lat, lon, got, want);
        assert_true(got <= want + 1e-6 && got >= want - 0.05);
    }
    det_geo_free(g);
}

/* ---- the bundled coastline against a brute-force scan ---- */

/* data/geo/ne-land-50m.geojson.zst decompressed, or NULL. */
static char *read_builtin(size_t *len)
{
    char path[4096];
    const char *td = getenv("ALD_TEST_DATA");
    snprintf(path, sizeof path, "%s/../../data/geo/ne-land-50m.geojson.zst", td ? td : "tests/data");
    size_t zlen;
    char *z = tu_read_file(path, &zlen);
    if (!z)
        return NULL;
    size_t cap = 4u << 20, n = 0;
    char *out = malloc(cap);
    ZSTD_DCtx *dc = ZSTD_createDCtx();
    ZSTD_inBuffer ib = {z, zlen, 0};
    size_t r = 1;
    while (out && dc && r != 0 && !ZSTD_isError(r)) {
        if (cap - n < (1u << 16)) {
            char *nb = realloc(out, cap * 2);
            if (!nb)
                break;
            out = nb;
            cap *= 2;
        }
        ZSTD_outBuffer ob = {out + n, cap - n, 0};
        r = ZSTD_decompressStream(dc, &ob, &ib);
        n += ob.pos;
        if (ib.pos == ib.size && ob.pos == 0)
            break;
    }
    ZSTD_freeDCtx(dc);
    free(z);
    *len = n;
    return out;
}

struct ring_set {
    size_t n;
    double *lon, *lat;
    bool *last;              /* the vertex closes its ring */
};

static void rings_from(json_t *doc, struct ring_set *rs)
{
    json_t *fs = json_object_get(doc, "features"), *f;
    size_t i, cap = 1 << 17;
    rs->n = 0;
    rs->lon = malloc(cap * sizeof *rs->lon);
    rs->lat = malloc(cap * sizeof *rs->lat);
    rs->last = malloc(cap * sizeof *rs->last);
    json_array_foreach(fs, i, f) {
        json_t *rings = json_object_get(json_object_get(f, "geometry"), "coordinates"), *r;
        size_t j;
        json_array_foreach(rings, j, r) {
            for (size_t k = 0; k < json_array_size(r) && rs->n < cap; k++) {
                json_t *pt = json_array_get(r, k);
                rs->lon[rs->n] = json_number_value(json_array_get(pt, 0));
                rs->lat[rs->n] = json_number_value(json_array_get(pt, 1));
                rs->last[rs->n++] = k + 1 == json_array_size(r);
            }
        }
    }
}

static void vec(double lat, double lon, double v[3])
{
    v[0] = cos(lat * DEG) * cos(lon * DEG);
    v[1] = cos(lat * DEG) * sin(lon * DEG);
    v[2] = sin(lat * DEG);
}

/* Every shore segment (ring edges less the antimeridian and pole seams):
 * the arc distance by the textbook formula, and even-odd ray casting. */
static void brute(const struct ring_set *rs, double lat, double lon, double *km, int *inside)
{
    double p[3], best = INFINITY;
    int in = 0;
    vec(lat, lon, p);
    for (size_t i = 0; i + 1 < rs->n; i++) {
        if (rs->last[i])
            continue;
        double ax = rs->lon[i], ay = rs->lat[i], bx = rs->lon[i + 1], by = rs->lat[i + 1];
        if ((ay > lat) != (by > lat) && lon < ax + (lat - ay) * (bx - ax) / (by - ay))
            in ^= 1;
        if ((fabs(ax) == 180 && ax == bx) || (fabs(ay) >= 89.99 && fabs(by) >= 89.99))
            continue;
        double a[3], b[3], n[3];
        vec(ay, ax, a);
        vec(by, bx, b);
        n[0] = a[1] * b[2] - a[2] * b[1];
        n[1] = a[2] * b[0] - a[0] * b[2];
        n[2] = a[0] * b[1] - a[1] * b[0];
        double nl = sqrt(n[0] * n[0] + n[1] * n[1] + n[2] * n[2]);
        /* the foot of the perpendicular lies on the arc when it is on the
         * a side of the plane through b and n and the b side of a and n */
        double d = fmin(hav_km(lat, lon, ay, ax), hav_km(lat, lon, by, bx)) / R_KM;
        if (nl > 1e-15) {
            double s = (p[0] * n[0] + p[1] * n[1] + p[2] * n[2]) / nl;
            double f[3] = {p[0] - s * n[0] / nl, p[1] - s * n[1] / nl, p[2] - s * n[2] / nl};
            double fa = f[0] * a[0] + f[1] * a[1] + f[2] * a[2];
            double fb = f[0] * b[0] + f[1] * b[1] + f[2] * b[2];
            double ab = a[0] * b[0] + a[1] * b[1] + a[2] * b[2];
            double fl = sqrt(f[0] * f[0] + f[1] * f[1] + f[2] * f[2]);
            if (fl > 0 && fa / fl >= ab && fb / fl >= ab)
                d = fmin(d, asin(fmin(1, fabs(s))));
        }
        best = fmin(best, d);
    }
    *km = best * R_KM;
    *inside = in;
}

static void test_builtin_vs_brute(void **state)
{
    (void)state;
    size_t len;
    char *text = read_builtin(&len);
    if (!text) {
        print_message("skipped: data/geo/ne-land-50m.geojson.zst not readable\n");
        skip();
    }
    det_geodata *g = det_geo_parse(text, len, NULL, 0);
    json_t *doc = json_loadb(text, len, 0, NULL);
    free(text);
    assert_non_null(g);
    assert_non_null(doc);
    struct det_geo_counts c = det_geo_count(g);
    assert_int_equal(c.features, 1421);
    assert_int_equal(c.segments, 58945);
    struct ring_set rs;
    rings_from(doc, &rs);
    json_decref(doc);
    unsigned s = 777;
    for (int q = 0; q < 240; q++) {
        double lat, lon;
        if (q % 3 == 0) {               /* within a degree of a coast vertex */
            size_t i = (size_t)frand(&s, 0, (double)rs.n - 1);
            lat = fmax(-90, fmin(90, rs.lat[i] + frand(&s, -1, 1)));
            lon = rs.lon[i] + frand(&s, -1, 1);
            lon = lon > 180 ? lon - 360 : lon < -180 ? lon + 360 : lon;
        } else {                        /* uniform on the sphere */
            lat = asin(frand(&s, -1, 1)) / DEG;
            lon = frand(&s, -180, 180);
        }
        double want;
        int in;
        brute(&rs, lat, lon, &want, &in);
        assert_near(det_geo_shore_km(g, lat, lon), want, 1e-6);
        if (det_geo_inside(g, lat, lon) != in)
            print_error("(%f, %f): inside %d, ray casting %d\n", lat, lon,
                        det_geo_inside(g, lat, lon), in);
        assert_int_equal(det_geo_inside(g, lat, lon), in);
    }
    /* docs/geo.md's figures */
    assert_near(det_geo_shore_km(g, -33.83, 151.35), 5.373, 0.001);
    assert_int_equal(det_geo_inside(g, -33.83, 151.35), 0);
    assert_int_equal(det_geo_inside(g, -35.3, 149.1), 1);     /* Canberra */
    assert_int_equal(det_geo_inside(g, -90, 0), 1);           /* Antarctica */
    assert_int_equal(det_geo_inside(g, 90, 0), 0);            /* Arctic Ocean */
    free(rs.lon);
    free(rs.lat);
    free(rs.last);
    det_geo_free(g);
}

/* ---- callbacks for the detectors ---- */

static void test_bind(void **state)
{
    (void)state;
    det_geodata *land = parse_ok(square_with_hole);
    det_geodata *anch = parse_ok("lat,lon\n5,5\n");
    struct det_geo_layers l = {.shore = land, .anchorages = anch, .land = land};
    struct det_geo geo = {0};
    det_geo_bind(&geo, &l);
    /* inside shore polygons (a port or river the coastline does not
     * resolve) is at the shore; outside, the distance to the rings */
    assert_near(geo.shore_km(geo.ctx, 5, 1), 0, 0);
    assert_int_equal(det_geo_inside(land, 5, 1), 1);
    assert_int_equal(det_geo_inside(land, 11, 5), 0);
    assert_near(geo.shore_km(geo.ctx, 11, 5), det_geo_shore_km(land, 11, 5), 0);
    assert_true(geo.shore_km(geo.ctx, 11, 5) > 100);
    assert_near(geo.anchorage_km(geo.ctx, 5, 6), hav_km(5, 6, 5, 5), 1e-9);
    assert_int_equal(geo.on_land(geo.ctx, 1, 1), 1);
    /* with a margin, land near the coast is "cannot tell" */
    l.land_margin_km = 150;
    assert_int_equal(geo.on_land(geo.ctx, 1, 1), -1);
    assert_int_equal(geo.on_land(geo.ctx, 2, 2), 1);     /* 222 km from every ring */
    assert_int_equal(geo.on_land(geo.ctx, 5, 5), 0);
    struct det_geo_layers none = {0};
    det_geo_bind(&geo, &none);
    assert_null(geo.shore_km);
    assert_null(geo.anchorage_km);
    assert_null(geo.on_land);
    det_geo_free(land);
    det_geo_free(anch);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_line_equator_meridian),
        cmocka_unit_test(test_line_antimeridian),
        cmocka_unit_test(test_line_pole),
        cmocka_unit_test(test_polygon_land),
        cmocka_unit_test(test_polygon_antimeridian),
        cmocka_unit_test(test_places_csv),
        cmocka_unit_test(test_errors),
        cmocka_unit_test(test_grid_vs_sampling),
        cmocka_unit_test(test_builtin_vs_brute),
        cmocka_unit_test(test_bind),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
