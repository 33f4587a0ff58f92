/*
 * test_track_history.c - the node's downsampled vessel history
 * (lib/store/track_history.c): the downsampling rule, batches written and
 * read back (the vessels at a time, in a box and not older than max_age;
 * a vessel's track over a time range, bounded), static data, pruning of
 * what left the window, and the size of a fleet's day.
 *
 * The size and speed figures (docs/PERFORMANCE.md "Dashboard") come from
 * the same fleet model with ALD_TH_VESSELS=100000 (default 2000 here so the
 * test stays quick): half the fleet under way reporting every 10 s and
 * turning now and then, half at rest reporting every 3 min, one day,
 * written in batches of one minute of feed as the node's flusher does.
 * ALD_TH_KEEP=1 keeps that store (its directory is printed) to time a
 * node's /api/vessels?at= on it.
 */
#include <math.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include <cmocka.h>

#include "alidade/store.h"
#include "alidade/track_history.h"

#define T0 1767225600LL              /* 2026-01-01T00:00:00Z */
#define US 1000000LL

static char *mkdir_tmp(void)
{
    char *dir = strdup("/tmp/ald-th-XXXXXX");
    assert_non_null(mkdtemp(dir));
    return dir;
}

static void rmdir_tmp(char *dir)
{
    char cmd[512];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    assert_int_equal(system(cmd), 0);
    free(dir);
}

static uint32_t rnd_s(uint32_t *s)
{
    *s = *s * 1664525u + 1013904223u;
    return *s >> 8;
}

static struct th_point pt(uint32_t mmsi, int64_t t_s, double lat, double lon, float sog,
                          float cog)
{
    return (struct th_point){.mmsi = mmsi, .t_us = t_s * US, .lat = lat, .lon = lon,
                             .sog = sog, .cog = cog, .heading = -1};
}

static void test_keep_rule(void **state)
{
    (void)state;
    struct th_rule r;
    th_rule_default(&r);
    struct th_last last = {0};
    struct th_point p = pt(1, T0, 10, 20, 12, 90);
    assert_true(th_keep(&r, &last, &p));            /* first */
    p = pt(1, T0 + 10, 10, 20.0005, 12, 90);
    assert_false(th_keep(&r, &last, &p));           /* closer than min_gap */
    p = pt(1, T0 + 60, 10, 20.003, 12, 91);
    assert_false(th_keep(&r, &last, &p));           /* steady */
    p = pt(1, T0 + 90, 10, 20.004, 12, 130);
    assert_true(th_keep(&r, &last, &p));            /* a 40 degree turn */
    p = pt(1, T0 + 150, 10, 20.006, 12, 125);
    assert_false(th_keep(&r, &last, &p));           /* 5 degrees */
    p = pt(1, T0 + 200, 10, 20.007, 4, 125);
    assert_true(th_keep(&r, &last, &p));            /* slowed down by 8 kn */
    p = pt(1, T0 + 200 + 899, 10, 20.02, 4, 125);
    assert_false(th_keep(&r, &last, &p));
    p = pt(1, T0 + 200 + 900, 10, 20.02, 4, 125);
    assert_true(th_keep(&r, &last, &p));            /* heartbeat under way */
    p = pt(1, T0 + 100, 10, 20, 4, 125);
    assert_false(th_keep(&r, &last, &p));           /* older than the last kept */
    /* at rest: an hour between heartbeats, a course that swings is no turn */
    struct th_last rest = {0};
    p = pt(2, T0, -33, 151, 0.1f, 10);
    assert_true(th_keep(&r, &rest, &p));
    p = pt(2, T0 + 1800, -33, 151, 0.2f, 250);
    assert_false(th_keep(&r, &rest, &p));
    p = pt(2, T0 + 3600, -33, 151, 0.0f, 300);
    assert_true(th_keep(&r, &rest, &p));
    /* a jump of more than jump_km is kept (a teleport, a new voyage) */
    p = pt(2, T0 + 3700, -33.1, 151, 0.0f, 300);
    assert_true(th_keep(&r, &rest, &p));
    /* unknown speed: moving when it moved more than 0.5 km */
    struct th_last unk = {0};
    p = pt(3, T0, 0, 0, NAN, NAN);
    assert_true(th_keep(&r, &unk, &p));
    p = pt(3, T0 + 900, 0, 0.01, NAN, NAN);
    assert_true(th_keep(&r, &unk, &p));
    p = pt(3, T0 + 1500, 0, 0.0101, NAN, NAN);
    assert_false(th_keep(&r, &unk, &p));
}

struct got {
    struct th_point p[64];
    uint8_t type[64];
    size_t n;
};

static void got_fn(void *ctx, const struct th_point *p, uint8_t type)
{
    struct got *g = ctx;
    assert_true(g->n < 64);
    g->type[g->n] = type;
    g->p[g->n++] = *p;
}

static bool skip_100(void *ctx, uint32_t mmsi)
{
    (void)ctx;
    return mmsi == 100;
}

static void test_write_query_prune(void **state)
{
    (void)state;
    char *dir = mkdir_tmp();
    char err[256];
    store *s = store_open(dir, err, sizeof err);
    assert_non_null(s);
    int64_t first, last;
    assert_int_equal(th_span(s, &first, &last), ALD_E_OK);   /* empty, tables made */
    assert_int_equal(first, 0);
    /* vessel 100: points every hour at lon 0, 1, 2, ...; vessel 200 in the
     * southern hemisphere heard twice; vessel 300 across the antimeridian */
    struct th_point kept[16];
    size_t nk = 0;
    for (int h = 0; h < 6; h++)
        kept[nk++] = pt(100, T0 + h * 3600, 50, h, 10, 90);
    kept[nk++] = pt(200, T0 + 600, -20, 30, 0, 0);
    kept[nk++] = pt(200, T0 + 4 * 3600, -21, 31, 0, 0);
    kept[nk++] = pt(300, T0 + 1800, 0, 179.5, 5, 90);
    struct th_point latest[3] = {pt(100, T0 + 5 * 3600 + 120, 50, 5.01, 10, 90),
                                 pt(200, T0 + 4 * 3600, -21, 31, 0, 0),
                                 pt(300, T0 + 1800, 0, 179.5, 5, 90)};
    struct th_static st = {.mmsi = 100, .name = "NORDIC STAR", .type = 70, .imo = 9000001};
    assert_int_equal(th_write(s, kept, nk, latest, 3, &st, 1), ALD_E_OK);
    /* the same batch again changes nothing (a retried flush) */
    assert_int_equal(th_write(s, kept, nk, latest, 3, &st, 1), ALD_E_OK);
    assert_int_equal(th_span(s, &first, &last), ALD_E_OK);
    assert_int_equal(first, T0 * US);
    assert_int_equal(last, (T0 + 5 * 3600 + 120) * US);

    /* at T0 + 2.5 h: 100 at its 2 h point, 200 at its first, 300 */
    struct got g = {0};
    size_t found = 0;
    assert_int_equal(th_at(s, (T0 + 9000) * US, 0, -180, -90, 180, 90, NULL, got_fn, &g,
                           &found), ALD_E_OK);
    assert_int_equal(found, 3);
    assert_int_equal(g.p[0].mmsi, 100);
    assert_int_equal(g.p[0].t_us, (T0 + 7200) * US);
    assert_true(fabs(g.p[0].lon - 2) < 1e-9 && fabs(g.p[0].lat - 50) < 1e-9);
    assert_true(fabs(g.p[0].sog - 10) < 1e-6f && g.p[0].heading == -1);
    assert_int_equal(g.type[0], 70);
    assert_int_equal(g.p[1].mmsi, 200);
    assert_int_equal(g.p[1].t_us, (T0 + 600) * US);
    /* the vessels the caller answers itself are skipped (no seek) */
    g.n = 0;
    assert_int_equal(th_at(s, (T0 + 9000) * US, 0, -180, -90, 180, 90, skip_100, got_fn, &g,
                           &found), ALD_E_OK);
    assert_int_equal(found, 2);
    assert_int_equal(g.p[0].mmsi, 200);
    /* max_age of 1 h leaves out 200 (heard 2h20 before) and 300 (2 h) */
    g.n = 0;
    assert_int_equal(th_at(s, (T0 + 9000) * US, 3600 * US, -180, -90, 180, 90, NULL, got_fn, &g,
                           &found), ALD_E_OK);
    assert_int_equal(found, 1);
    assert_int_equal(g.p[0].mmsi, 100);
    /* a box across the antimeridian: 300 only */
    g.n = 0;
    assert_int_equal(th_at(s, (T0 + 9000) * US, 0, 170, -10, -170, 10, NULL, got_fn, &g,
                           &found), ALD_E_OK);
    assert_int_equal(found, 1);
    assert_int_equal(g.p[0].mmsi, 300);
    /* after the last report: the latest (not downsampled) position */
    g.n = 0;
    assert_int_equal(th_at(s, (T0 + 6 * 3600) * US, 0, -180, 1, 180, 90, NULL, got_fn, &g,
                           &found), ALD_E_OK);
    assert_int_equal(found, 1);
    assert_int_equal(g.p[0].t_us, (T0 + 5 * 3600 + 120) * US);
    assert_true(fabs(g.p[0].lon - 5.01) < 1e-9);
    /* before anything: none */
    assert_int_equal(th_at(s, (T0 - 1) * US, 0, -180, -90, 180, 90, NULL, NULL, NULL, &found),
                     ALD_E_OK);
    assert_int_equal(found, 0);

    /* a track over a range, the latest cap of it, oldest first */
    g.n = 0;
    size_t n = 0;
    assert_int_equal(th_track(s, 100, (T0 + 3600) * US, (T0 + 4 * 3600) * US, 64, got_fn, &g,
                              &n), ALD_E_OK);
    assert_int_equal(n, 4);
    assert_int_equal(g.p[0].t_us, (T0 + 3600) * US);
    assert_int_equal(g.p[3].t_us, (T0 + 4 * 3600) * US);
    g.n = 0;
    assert_int_equal(th_track(s, 100, 0, 0, 2, got_fn, &g, &n), ALD_E_OK);
    assert_int_equal(n, 2);
    assert_int_equal(g.p[0].t_us, (T0 + 4 * 3600) * US);
    assert_int_equal(g.p[1].t_us, (T0 + 5 * 3600) * US);
    assert_int_equal(th_track(s, 999, 0, 0, 64, NULL, NULL, &n), ALD_E_OK);
    assert_int_equal(n, 0);

    struct th_static got_st;
    assert_int_equal(th_static_get(s, 100, &got_st), ALD_E_OK);
    assert_string_equal(got_st.name, "NORDIC STAR");
    assert_int_equal(got_st.imo, 9000001);
    /* a type 24 part B adds the call sign, keeps the name */
    struct th_static b = {.mmsi = 100, .callsign = "LAXY7"};
    assert_int_equal(th_write(s, NULL, 0, NULL, 0, &b, 1), ALD_E_OK);
    assert_int_equal(th_static_get(s, 100, &got_st), ALD_E_OK);
    assert_string_equal(got_st.name, "NORDIC STAR");
    assert_string_equal(got_st.callsign, "LAXY7");
    assert_int_equal(th_static_get(s, 4242, &got_st), ALD_E_NOT_FOUND);

    /* prune before T0 + 3.5 h: 100 keeps 4 h and 5 h, 200 keeps its 4 h
     * point, 300 (last heard at 0.5 h) goes */
    size_t removed = 0;
    assert_int_equal(th_prune(s, (T0 + 3 * 3600 + 1800) * US, &removed), ALD_E_OK);
    assert_int_equal(removed, 4 + 1 + 1 + 1);       /* points 4 + 1 + 1, vessel 300 */
    assert_int_equal(th_span(s, &first, &last), ALD_E_OK);
    assert_int_equal(first, (T0 + 4 * 3600) * US);
    assert_int_equal(th_at(s, (T0 + 9000) * US, 0, -180, -90, 180, 90, NULL, NULL, NULL, &found),
                     ALD_E_OK);
    assert_int_equal(found, 0);                     /* before the window now */
    g.n = 0;
    assert_int_equal(th_at(s, (T0 + 4 * 3600 + 60) * US, 0, -180, -90, 180, 90, NULL, got_fn, &g,
                           &found), ALD_E_OK);
    assert_int_equal(found, 2);
    assert_int_equal(g.p[0].lon, 4);
    store_close(s);
    rmdir_tmp(dir);
}

struct latest_ctx {
    size_t n;
    int64_t max_t;
    char name[24];
};

static void latest_fn(void *ctx, const struct th_point *p, const struct th_static *st)
{
    struct latest_ctx *c = ctx;
    c->n++;
    if (p->t_us > c->max_t)
        c->max_t = p->t_us;
    if (st->name[0])
        snprintf(c->name, sizeof c->name, "%s", st->name);
}

static void test_latest(void **state)
{
    (void)state;
    char *dir = mkdir_tmp();
    char err[256];
    store *s = store_open(dir, err, sizeof err);
    assert_non_null(s);
    struct th_point k[2] = {pt(7, T0, 1, 1, 1, 1), pt(8, T0 + 100, 2, 2, 2, 2)};
    struct th_point l[2] = {pt(7, T0 + 50, 1.5, 1, 1, 1), pt(8, T0 + 7200, 2.5, 2, 2, 2)};
    struct th_static st = {.mmsi = 8, .name = "EIGHT"};
    assert_int_equal(th_write(s, k, 2, l, 2, &st, 1), ALD_E_OK);
    store_close(s);
    /* another connection (the restarted node) sees them */
    s = store_open(dir, err, sizeof err);
    assert_non_null(s);
    struct latest_ctx c = {0};
    assert_int_equal(th_latest(s, (T0 + 3600) * US, latest_fn, &c), ALD_E_OK);
    assert_int_equal(c.n, 1);
    assert_int_equal(c.max_t, (T0 + 7200) * US);
    assert_string_equal(c.name, "EIGHT");
    c = (struct latest_ctx){0};
    assert_int_equal(th_latest(s, 0, latest_fn, &c), ALD_E_OK);
    assert_int_equal(c.n, 2);
    /* an older latest does not go back in time */
    struct th_point older = pt(8, T0 + 3000, 9, 9, 0, 0);
    assert_int_equal(th_write(s, NULL, 0, &older, 1, NULL, 0), ALD_E_OK);
    int64_t first, last;
    assert_int_equal(th_span(s, &first, &last), ALD_E_OK);
    assert_int_equal(last, (T0 + 7200) * US);
    store_close(s);
    rmdir_tmp(dir);
}

/* Many points of one vessel: over several chunks (900 bytes, 6 h), every
 * answer equals the point a brute-force search gives, to the encoding's
 * precision (1e-5 degree, 0.1 kn and degree). */
struct all_ctx {
    struct th_point *p;
    size_t n;
};

static void all_fn(void *ctx, const struct th_point *p, uint8_t type)
{
    (void)type;
    struct all_ctx *c = ctx;
    c->p[c->n++] = *p;
}

static void same_point(const struct th_point *a, const struct th_point *b)
{
    assert_int_equal(a->mmsi, b->mmsi);
    assert_int_equal(a->t_us, b->t_us);
    assert_true(fabs(a->lat - b->lat) < 0.6e-5 && fabs(a->lon - b->lon) < 0.6e-5);
    assert_true(isnan(a->sog) ? isnan(b->sog) : fabs(a->sog - b->sog) < 0.051);
    assert_true(isnan(a->cog) ? isnan(b->cog) : fabs(a->cog - b->cog) < 0.051);
    assert_int_equal(a->heading, b->heading);
}

static void test_chunks(void **state)
{
    (void)state;
    enum { N = 1500 };
    char *dir = mkdir_tmp();
    char err[256];
    store *s = store_open(dir, err, sizeof err);
    assert_non_null(s);
    struct th_point *in = calloc(N, sizeof *in), *out = calloc(N, sizeof *out);
    assert_true(in && out);
    uint32_t seed = 3;
    int64_t t = T0;
    for (int i = 0; i < N; i++) {
        t += 30 + rnd_s(&seed) % 600;
        double lat = -60 + (rnd_s(&seed) % 1200000) / 1e4;
        double lon = -179.9 + (rnd_s(&seed) % 3598000) / 1e4;
        in[i] = pt(4242, t, lat, lon,
                   i % 7 ? (float)(rnd_s(&seed) % 300) / 10.0f : NAN,
                   i % 5 ? (float)(rnd_s(&seed) % 3600) / 10.0f : NAN);
        in[i].heading = i % 3 ? (int16_t)(rnd_s(&seed) % 360) : -1;
    }
    /* in batches of 100, as the flusher writes */
    for (int i = 0; i < N; i += 100)
        assert_int_equal(th_write(s, in + i, 100, in + i + 99, 1, NULL, 0), ALD_E_OK);
    struct all_ctx c = {.p = out};
    size_t n = 0;
    assert_int_equal(th_track(s, 4242, 0, 0, N, all_fn, &c, &n), ALD_E_OK);
    assert_int_equal(n, N);
    for (int i = 0; i < N; i++)
        same_point(&out[i], &in[i]);
    c.n = 0;
    assert_int_equal(th_track(s, 4242, 0, 0, 100, all_fn, &c, &n), ALD_E_OK);
    assert_int_equal(n, 100);
    same_point(&out[0], &in[N - 100]);
    c.n = 0;
    assert_int_equal(th_track(s, 4242, in[200].t_us, in[700].t_us, N, all_fn, &c, &n), ALD_E_OK);
    assert_int_equal(n, 501);
    same_point(&out[0], &in[200]);
    same_point(&out[500], &in[700]);
    for (int k = 0; k < 200; k++) {
        int i = (int)(rnd_s(&seed) % (N - 1));
        /* at a point's time, and between it and the next */
        int64_t at = k % 2 ? in[i].t_us : in[i].t_us + (in[i + 1].t_us - in[i].t_us) / 2;
        struct got g = {0};
        size_t found = 0;
        assert_int_equal(th_at(s, at, 0, -180, -90, 180, 90, NULL, got_fn, &g, &found), ALD_E_OK);
        assert_int_equal(found, 1);
        same_point(&g.p[0], &in[i]);
    }
    /* pruned in the middle of a chunk: exactly the later points stay */
    size_t removed = 0;
    assert_int_equal(th_prune(s, in[777].t_us - 1, &removed), ALD_E_OK);
    assert_int_equal(removed, 777);
    c.n = 0;
    assert_int_equal(th_track(s, 4242, 0, 0, N, all_fn, &c, &n), ALD_E_OK);
    assert_int_equal(n, N - 777);
    for (size_t i = 0; i < n; i++)
        same_point(&out[i], &in[777 + i]);
    int64_t first, last;
    assert_int_equal(th_span(s, &first, &last), ALD_E_OK);
    assert_int_equal(first, in[777].t_us);
    /* and appending goes on after the cut chunk */
    struct th_point more = in[N - 1];
    more.t_us += 60 * US;
    assert_int_equal(th_write(s, &more, 1, NULL, 0, NULL, 0), ALD_E_OK);
    c.n = 0;
    assert_int_equal(th_track(s, 4242, 0, 0, N, all_fn, &c, &n), ALD_E_OK);
    assert_int_equal(n, N - 777 + 1);
    same_point(&out[n - 1], &more);
    free(in);
    free(out);
    store_close(s);
    rmdir_tmp(dir);
}

/* ---- a fleet's day: size and time query ---- */

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static long long file_size(const char *dir, const char *name)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    struct stat sb;
    return stat(path, &sb) == 0 ? (long long)sb.st_size : 0;
}

struct vsim {
    double lat, lon, cog, sog;
    int64_t next;
    int every;
    struct th_last last;
};

static uint32_t rnd(uint32_t *s)
{
    *s = *s * 1664525u + 1013904223u;
    return *s >> 8;
}

static void test_fleet_day(void **state)
{
    (void)state;
    const char *env = getenv("ALD_TH_VESSELS");
    size_t nv = env ? (size_t)strtoul(env, NULL, 10) : 2000;
    if (nv < 10)
        nv = 10;
    char *dir = mkdir_tmp();
    char err[256];
    store *s = store_open(dir, err, sizeof err);
    assert_non_null(s);
    int64_t first, last;
    assert_int_equal(th_span(s, &first, &last), ALD_E_OK);   /* the empty tables */
    char path[512];
    snprintf(path, sizeof path, "%s/alidade.db", dir);
    store_close(s);
    long long base = file_size(dir, "alidade.db");
    s = store_open(dir, err, sizeof err);
    assert_non_null(s);

    struct th_rule rule;
    th_rule_default(&rule);
    struct vsim *v = calloc(nv, sizeof *v);
    struct th_point *kept = malloc(nv * 8 * sizeof *kept), *lat = malloc(nv * sizeof *lat);
    uint8_t *dirty = calloc(nv, 1);
    assert_true(v && kept && lat && dirty);
    uint32_t seed = 7;
    for (size_t i = 0; i < nv; i++) {
        v[i].lat = -60 + (rnd(&seed) % 120000) / 1000.0;
        v[i].lon = -180 + (rnd(&seed) % 360000) / 1000.0;
        bool moving = i % 2 == 0;
        v[i].sog = moving ? 8 + rnd(&seed) % 10 : 0.1;
        v[i].cog = rnd(&seed) % 360;
        v[i].every = moving ? 10 : 180;
        v[i].next = T0 + rnd(&seed) % v[i].every;
    }
    size_t points = 0, reports = 0;
    double write_s = 0;
    const int64_t day = 86400, batch = 60;
    for (int64_t b = T0; b < T0 + day; b += batch) {
        size_t nk = 0, nl = 0;
        for (size_t i = 0; i < nv; i++) {
            while (v[i].next < b + batch) {
                int64_t t = v[i].next;
                v[i].next += v[i].every;
                if (v[i].sog > 1) {
                    if (rnd(&seed) % 200 == 0)
                        v[i].cog = fmod(v[i].cog + 30 + rnd(&seed) % 60, 360);
                    double km = v[i].sog * 1.852 * v[i].every / 3600;
                    v[i].lat += km / 111.2 * cos(v[i].cog * M_PI / 180);
                    v[i].lon += km / 111.2 * sin(v[i].cog * M_PI / 180) /
                                cos(v[i].lat * M_PI / 180);
                    if (v[i].lat > 80 || v[i].lat < -80) {
                        v[i].cog = fmod(v[i].cog + 180, 360);
                        v[i].lat = fmax(-80, fmin(80, v[i].lat));
                    }
                    if (v[i].lon > 180)
                        v[i].lon -= 360;
                    if (v[i].lon < -180)
                        v[i].lon += 360;
                }
                struct th_point p = pt((uint32_t)(200000000 + i), t, v[i].lat, v[i].lon,
                                       (float)v[i].sog, (float)v[i].cog);
                reports++;
                if (th_keep(&rule, &v[i].last, &p) && nk < nv * 8)
                    kept[nk++] = p;
                if (!dirty[i]) {
                    dirty[i] = 1;
                    lat[nl++] = p;
                } else {
                    for (size_t j = nl; j-- > 0;)
                        if (lat[j].mmsi == p.mmsi) {
                            lat[j] = p;
                            break;
                        }
                }
            }
        }
        double t0 = now_s();
        assert_int_equal(th_write(s, kept, nk, lat, nl, NULL, 0), ALD_E_OK);
        write_s += now_s() - t0;
        points += nk;
        memset(dirty, 0, nv);
    }
    /* the file after a checkpoint: what a vessel-day costs on disk */
    store_close(s);
    long long bytes = file_size(dir, "alidade.db") + file_size(dir, "alidade.db-wal") - base;
    s = store_open(dir, err, sizeof err);
    assert_non_null(s);
    double q0 = now_s();
    size_t found = 0;
    assert_int_equal(th_at(s, (T0 + day / 2) * US, 6 * 3600 * US, -180, -90, 180, 90, NULL,
                           NULL, NULL, &found), ALD_E_OK);
    double q_mid = now_s() - q0;
    q0 = now_s();
    size_t found_end = 0;
    assert_int_equal(th_at(s, (T0 + day) * US, 6 * 3600 * US, -180, -90, 180, 90, NULL, NULL,
                           NULL, &found_end), ALD_E_OK);
    double q_end = now_s() - q0;
    q0 = now_s();
    size_t tn = 0;
    assert_int_equal(th_track(s, 200000000, 0, 0, 4096, NULL, NULL, &tn), ALD_E_OK);
    double q_track = now_s() - q0;
    print_message("fleet: %zu vessels, 1 day, %zu reports -> %zu points kept (%.1f per "
                  "vessel-day), %lld bytes: %.0f bytes per vessel-day, %.1f per point; "
                  "writing %.2f s (%.1f ms per minute batch)\n",
                  nv, reports, points, (double)points / nv, bytes, (double)bytes / nv,
                  (double)bytes / points, write_s, write_s * 1000 / (day / batch));
    print_message("?at= mid-day (seeks): %zu vessels in %.1f ms; at the end (latest): %zu in "
                  "%.1f ms; one vessel's day track %zu points in %.2f ms\n",
                  found, q_mid * 1000, found_end, q_end * 1000, tn, q_track * 1000);
    assert_int_equal(found, nv);
    assert_int_equal(found_end, nv);
    /* pruning the first half of the day: every vessel visited, one chunk
     * each cut at the window's start */
    q0 = now_s();
    size_t removed = 0;
    assert_int_equal(th_prune(s, (T0 + day / 2) * US, &removed), ALD_E_OK);
    print_message("prune of half a day: %zu points removed in %.2f s\n", removed, now_s() - q0);
    assert_true(removed > points / 3 && removed < points * 2 / 3);
    /* nothing before the cut is left; 2 h later every vessel has a point
     * again (heartbeats: 15 min under way, 1 h at rest) */
    assert_int_equal(th_at(s, (T0 + day / 2) * US - 1, 0, -180, -90, 180, 90, NULL, NULL, NULL,
                           &found), ALD_E_OK);
    assert_int_equal(found, 0);
    assert_int_equal(th_at(s, (T0 + day / 2 + 7200) * US, 0, -180, -90, 180, 90, NULL, NULL,
                           NULL, &found), ALD_E_OK);
    assert_int_equal(found, nv);
    /* bounded: at most one point per min_gap_s; this fleet far below */
    assert_true(points < nv * (size_t)(day / rule.min_gap_s));
    assert_true((double)points / nv < 200);
    free(v);
    free(kept);
    free(lat);
    free(dirty);
    store_close(s);
    if (getenv("ALD_TH_KEEP")) {     /* to time a node's ?at= on this store */
        print_message("store kept in %s\n", dir);
        free(dir);
    } else {
        rmdir_tmp(dir);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_keep_rule),
        cmocka_unit_test(test_write_query_prune),
        cmocka_unit_test(test_latest),
        cmocka_unit_test(test_chunks),
        cmocka_unit_test(test_fleet_day),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
