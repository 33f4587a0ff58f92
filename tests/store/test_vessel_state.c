/*
 * test_vessel_state.c - the live node's per-vessel records across restarts
 * (lib/store/vessel_state.c): written and read back exactly (the gap
 * record with its full ring, static data with texts of every length), a
 * rewrite replaces, reading from a time and oldest first, pruning, the
 * newest time, the table made on first use, and what a batch of states
 * costs inside a transaction (the figure docs/node.md gives;
 * ALD_VS_VESSELS=100000 for the large one, default 20000).
 */
#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "alidade/store.h"
#include "alidade/vessel_state.h"

#define T0 1735689600000LL            /* 2025-01-01T00:00Z, ms */
#define H 3600000LL

static char *mkdir_tmp(void)
{
    char *dir = strdup("/tmp/ald-vs-XXXXXX");
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

static struct vessel_state rec(uint32_t mmsi, int64_t t)
{
    struct vessel_state v;
    memset(&v, 0, sizeof v);
    v.gap.mmsi = mmsi;
    v.gap.t = t;
    v.gap.lat = -18000000 + (int32_t)(mmsi % 1000);
    v.gap.lon = 90000000 - (int32_t)(mmsi % 777);
    v.gap.ongoing = (int)(mmsi % 3);
    v.gap.nring = mmsi % 33;
    for (unsigned k = 0; k < v.gap.nring; k++)
        v.gap.ring[k] = (uint32_t)(t / 1000) - 900 * (v.gap.nring - k) + 0xA5000000u * (k & 1);
    if (mmsi % 2) {
        snprintf(v.st.name, sizeof v.st.name, "VESSEL %u", mmsi % 100000000);
        snprintf(v.st.callsign, sizeof v.st.callsign, "C%06u", mmsi % 1000000);
        snprintf(v.st.destination, sizeof v.st.destination, "PORT \"%u\"", mmsi % 100);
        v.st.imo = 9000000 + mmsi % 999999;
        v.st.shiptype = (uint8_t)(mmsi % 100);
        v.st.length_m = (uint16_t)(mmsi % 500);
        v.st.beam_m = (uint16_t)(mmsi % 60);
        v.st.t = t - 60000;
    }
    return v;
}

struct seen {
    struct vessel_state v[16];
    size_t n;
};

static int collect(void *ctx, const struct vessel_state *v)
{
    struct seen *s = ctx;
    if (s->n < 16)
        s->v[s->n] = *v;
    s->n++;
    return 0;
}

static int stop_after_two(void *ctx, const struct vessel_state *v)
{
    struct seen *s = ctx;
    (void)v;
    return ++s->n == 2;
}

static void roundtrip(void **state)
{
    (void)state;
    char *dir = mkdir_tmp();
    char err[512];
    store *s = store_open(dir, err, sizeof err);
    assert_non_null(s);
    /* an empty store: no table yet, nothing, no newest time */
    int64_t newest = 0;
    assert_int_equal(vessel_state_newest(s, &newest), ALD_E_OK);
    assert_true(newest == INT64_MIN);
    struct vessel_state v[4] = {rec(503000001, T0 + 3 * H), rec(228000002, T0 + 1 * H),
                                rec(999999999, T0 + 2 * H), rec(32, T0)};
    v[2].gap.nring = 32;                /* a full ring */
    for (unsigned k = 0; k < 32; k++)
        v[2].gap.ring[k] = 0xFFFFFFF0u + k % 16;
    memset(v[1].st.name, 'N', sizeof v[1].st.name - 1);   /* 20 characters: full */
    assert_int_equal(vessel_state_put(s, v, 4), ALD_E_OK);
    assert_int_equal(vessel_state_newest(s, &newest), ALD_E_OK);
    assert_int_equal(newest, T0 + 3 * H);
    struct seen got = {0};
    assert_int_equal(vessel_state_each(s, INT64_MIN, collect, &got), ALD_E_OK);
    assert_int_equal(got.n, 4);
    /* oldest first, every field back */
    const struct vessel_state *want[4] = {&v[3], &v[1], &v[2], &v[0]};
    for (int i = 0; i < 4; i++)
        assert_memory_equal(&got.v[i], want[i], sizeof got.v[i]);
    /* from a time */
    got.n = 0;
    assert_int_equal(vessel_state_each(s, T0 + 2 * H, collect, &got), ALD_E_OK);
    assert_int_equal(got.n, 2);
    assert_int_equal(got.v[0].gap.mmsi, 999999999);
    /* the callback stops the walk */
    got.n = 0;
    assert_int_equal(vessel_state_each(s, INT64_MIN, stop_after_two, &got), ALD_E_OK);
    assert_int_equal(got.n, 2);
    /* a rewrite replaces */
    struct vessel_state r = rec(228000002, T0 + 5 * H);
    r.st = (struct trk_static){0};
    assert_int_equal(vessel_state_put(s, &r, 1), ALD_E_OK);
    got.n = 0;
    assert_int_equal(vessel_state_each(s, T0 + 5 * H, collect, &got), ALD_E_OK);
    assert_int_equal(got.n, 1);
    assert_memory_equal(&got.v[0], &r, sizeof r);
    /* pruning */
    size_t removed = 0;
    assert_int_equal(vessel_state_prune(s, T0 + 2 * H + 1, &removed), ALD_E_OK);
    assert_int_equal(removed, 2);
    got.n = 0;
    assert_int_equal(vessel_state_each(s, INT64_MIN, collect, &got), ALD_E_OK);
    assert_int_equal(got.n, 2);
    store_close(s);
    /* and it is all there after reopening */
    s = store_open(dir, err, sizeof err);
    assert_non_null(s);
    assert_int_equal(vessel_state_newest(s, &newest), ALD_E_OK);
    assert_int_equal(newest, T0 + 5 * H);
    store_close(s);
    rmdir_tmp(dir);
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* What the live node's committer pays: every vessel's state in one
 * transaction, written twice (the second time every row is replaced). */
static void cost(void **state)
{
    (void)state;
    const char *env = getenv("ALD_VS_VESSELS");
    size_t n = env ? (size_t)strtoul(env, NULL, 10) : 20000;
    if (n == 0)
        n = 20000;
    char *dir = mkdir_tmp();
    char err[512];
    store *s = store_open(dir, err, sizeof err);
    assert_non_null(s);
    struct vessel_state *v = malloc(n * sizeof *v);
    assert_non_null(v);
    for (size_t i = 0; i < n; i++)
        v[i] = rec(200000000 + (uint32_t)i * 7919u % 700000000u, T0 + (int64_t)i);
    for (int pass = 0; pass < 2; pass++) {
        double t0 = now_s();
        assert_int_equal(store_begin(s), ALD_E_OK);
        assert_int_equal(vessel_state_put(s, v, n), ALD_E_OK);
        assert_int_equal(store_commit(s), ALD_E_OK);
        double dt = now_s() - t0;
        print_message("vessel states: %zu rows %s in one transaction: %.3f s (%.2f us a row)\n",
                      n, pass ? "replaced" : "inserted", dt, dt * 1e6 / (double)n);
    }
    struct seen got = {0};
    double t0 = now_s();
    assert_int_equal(vessel_state_each(s, INT64_MIN, collect, &got), ALD_E_OK);
    print_message("vessel states: %zu rows read back: %.3f s\n", got.n, now_s() - t0);
    assert_int_equal(got.n, n);
    free(v);
    store_close(s);
    rmdir_tmp(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(roundtrip),
        cmocka_unit_test(cost),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
