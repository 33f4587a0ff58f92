/*
 * test_history_picture.c - the live picture's side of the stored history
 * (src/picture.c: picture_history_on/drain/seed, picture_vessels_at_covered,
 * picture_track_oldest) and the merge of the picture and the store in
 * src/web_vessels.c (web_vessels_json_hist, web_vessel_track): what a drain
 * hands over (downsampled points, dirty vessels once each, changed static
 * data), the bounded log, an evicted dirty vessel, a seeded vessel, and an
 * ?at= answer taking each vessel once, from memory when its track reaches
 * back, else from the store.
 */
#include <math.h>
#include <pthread.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include "alidade/store.h"
#include "alidade/track_history.h"
#include "../../src/picture.h"
#include "../../src/web_vessels.h"

#define T0 1767225600LL
#define US 1000000LL

static struct pic_position pp(uint32_t mmsi, int64_t t_s, double lat, double lon, float sog,
                              float cog)
{
    return (struct pic_position){.mmsi = mmsi, .t_us = t_s * US, .lat = lat, .lon = lon,
                                 .sog = sog, .cog = cog, .heading = -1};
}

static void test_drain(void **state)
{
    (void)state;
    picture *p = picture_new(3, 8, 16);
    assert_non_null(p);
    struct pic_batch b = {0};
    /* off: nothing logged */
    struct pic_position x = pp(1, T0, 10, 10, 10, 90);
    picture_position(p, &x);
    assert_true(picture_history_drain(p, &b));
    assert_int_equal(b.nkept + b.nlatest + b.nst, 0);

    struct th_rule r;
    th_rule_default(&r);
    picture_history_on(p, &r, 4);
    for (int i = 1; i <= 10; i++) {  /* every 10 s, steady: only the first kept */
        x = pp(1, T0 + i * 10, 10, 10 + i * 0.0005, 10, 90);
        picture_position(p, &x);
    }
    struct pic_static st = {.mmsi = 1, .name = "ONE", .type = 70};
    picture_static(p, &st);
    picture_static(p, &st);          /* the same again: no change */
    assert_true(picture_history_drain(p, &b));
    assert_int_equal(b.nkept, 1);
    assert_int_equal(b.kept[0].t_us, (T0 + 10) * US);
    assert_int_equal(b.nlatest, 1);  /* dirty once, with its latest */
    assert_int_equal(b.latest[0].t_us, (T0 + 100) * US);
    assert_int_equal(b.nst, 1);
    assert_string_equal(b.st[0].name, "ONE");
    /* nothing new: an empty drain */
    assert_true(picture_history_drain(p, &b));
    assert_int_equal(b.nkept + b.nlatest + b.nst, 0);
    picture_static(p, &st);
    assert_true(picture_history_drain(p, &b));
    assert_int_equal(b.nst, 0);      /* unchanged static data is not written again */

    /* the log holds 4 kept points between drains: the rest are counted */
    for (uint32_t m = 10; m < 16; m++) {
        x = pp(m, T0, 1, 1, 0, 0);
        picture_position(p, &x);     /* each new vessel's first is kept */
    }
    assert_true(picture_history_drain(p, &b));
    assert_int_equal(b.nkept, 4);
    assert_int_equal(b.dropped, 2);
    /* 3 slots: vessels evicted while dirty leave their slot to the newest,
     * which the drain hands over (each slot once) */
    assert_true(b.nlatest <= 3);
    for (size_t i = 0; i < b.nlatest; i++)
        assert_true(b.latest[i].mmsi >= 13);
    picture_batch_free(&b);
    picture_free(p);
}

struct cov {
    uint32_t m[16];
    size_t n;
};

static void cov_fn(void *ctx, uint32_t mmsi)
{
    struct cov *c = ctx;
    c->m[c->n++] = mmsi;
}

static void test_seed_covered(void **state)
{
    (void)state;
    picture *p = picture_new(10, 4, 16);
    assert_non_null(p);
    struct th_rule r;
    th_rule_default(&r);
    picture_history_on(p, &r, 64);
    struct pic_position s = pp(5, T0 + 1000, 20, 30, 12, 45);
    struct pic_static st = {.mmsi = 5, .name = "SEEDED", .type = 80};
    picture_seed(p, &s, &st);
    struct pic_batch b = {0};
    assert_true(picture_history_drain(p, &b));
    assert_int_equal(b.nkept + b.nlatest + b.nst, 0);   /* it is in the store already */
    int64_t oldest = 0;
    assert_true(picture_track_oldest(p, 5, &oldest));
    assert_int_equal(oldest, (T0 + 1000) * US);
    assert_false(picture_track_oldest(p, 6, &oldest));
    /* a report 10 s later is judged against the seeded point: not kept */
    struct pic_position x = pp(5, T0 + 1010, 20, 30.001, 12, 45);
    picture_position(p, &x);
    assert_true(picture_history_drain(p, &b));
    assert_int_equal(b.nkept, 0);
    assert_int_equal(b.nlatest, 1);
    /* a seed of a vessel already heard changes nothing */
    struct pic_position old = pp(5, T0, 0, 0, 0, 0);
    picture_seed(p, &old, NULL);
    assert_true(picture_track_oldest(p, 5, &oldest));
    assert_int_equal(oldest, (T0 + 1000) * US);
    /* vessel 7: 6 points in a 4-point ring: it covers T0 + 2.5 h and later */
    for (int h = 0; h < 6; h++) {
        x = pp(7, T0 + h * 3600, 1, h, 10, 90);
        picture_position(p, &x);
    }
    struct cov c = {0};
    size_t hits = picture_vessels_at_covered(p, (T0 + 900) * US, 0, -180, -90, 180, 90, 100,
                                             NULL, NULL, cov_fn, &c);
    assert_int_equal(hits, 0);       /* 5 was heard later, 7's ring starts at 2 h */
    assert_int_equal(c.n, 0);
    c.n = 0;
    hits = picture_vessels_at_covered(p, (T0 + 9000) * US, 0, 100, -90, 110, 90, 100, NULL, NULL,
                                      cov_fn, &c);
    assert_int_equal(hits, 0);       /* out of the box, but both covered */
    assert_int_equal(c.n, 2);
    picture_batch_free(&b);
    picture_free(p);
}

/* The merge: a store holding vessel 1 (its early points) and vessel 2 (no
 * longer in the picture), a picture holding vessel 1's recent track. */
static void test_merge(void **state)
{
    (void)state;
    char dir[] = "/tmp/ald-thp-XXXXXX";
    assert_non_null(mkdtemp(dir));
    char err[256];
    store *st = store_open(dir, err, sizeof err);
    assert_non_null(st);
    struct th_point kept[4] = {
        {.mmsi = 1, .t_us = T0 * US, .lat = 1, .lon = 1, .sog = 5, .heading = -1},
        {.mmsi = 1, .t_us = (T0 + 3600) * US, .lat = 2, .lon = 1, .sog = 5, .heading = -1},
        {.mmsi = 2, .t_us = T0 * US, .lat = -5, .lon = -5, .sog = 0, .heading = -1},
        {.mmsi = 1, .t_us = (T0 + 7200) * US, .lat = 3, .lon = 1, .sog = 5, .heading = -1},
    };
    struct th_static s2 = {.mmsi = 2, .name = "TWO", .type = 30};
    assert_int_equal(th_write(st, kept, 4, kept + 2, 1, &s2, 1), ALD_E_OK);
    picture *p = picture_new(10, 4, 16);
    assert_non_null(p);
    for (int k = 0; k < 3; k++) {    /* vessel 1 from 2 h on, in memory */
        struct pic_position x = pp(1, T0 + 7200 + k * 600, 3 + k * 0.01, 1, 5, 0);
        picture_position(p, &x);
    }
    pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
    size_t len = 0;
    /* at 1.5 h: vessel 1 from the store (its ring starts at 2 h), 2 too */
    char *j = web_vessels_json_hist(p, st, &mu, (T0 + 5400) * US, 0, -180, -90, 180, 90, 100,
                                    &len, err, sizeof err);
    assert_non_null(j);
    json_t *d = json_loads(j, 0, NULL);
    web_vessels_free(j);
    assert_non_null(d);
    assert_int_equal(json_integer_value(json_object_get(d, "count")), 2);
    assert_int_equal(json_integer_value(json_object_get(d, "from_store")), 2);
    assert_int_equal(json_integer_value(json_object_get(d, "history_from")), T0);
    json_decref(d);
    /* at 2 h 15: vessel 1 from memory (exact: its 2 h 10 point), 2 from the store */
    j = web_vessels_json_hist(p, st, &mu, (T0 + 8100) * US, 0, -180, -90, 180, 90, 100, &len,
                              err, sizeof err);
    assert_non_null(j);
    d = json_loads(j, 0, NULL);
    web_vessels_free(j);
    assert_int_equal(json_integer_value(json_object_get(d, "count")), 2);
    assert_int_equal(json_integer_value(json_object_get(d, "from_store")), 1);
    json_t *m = json_object_get(d, "mmsi"), *t = json_object_get(d, "t");
    json_t *ty = json_object_get(d, "type");
    for (size_t i = 0; i < 2; i++) {
        if (json_integer_value(json_array_get(m, i)) == 1)
            assert_int_equal(json_integer_value(json_array_get(t, i)), T0 + 7800);
        else
            assert_int_equal(json_integer_value(json_array_get(ty, i)), 30);
    }
    json_decref(d);
    /* limit 1: one answer, total 2, truncated */
    j = web_vessels_json_hist(p, st, &mu, (T0 + 8100) * US, 0, -180, -90, 180, 90, 1, &len,
                              err, sizeof err);
    d = json_loads(j, 0, NULL);
    web_vessels_free(j);
    assert_int_equal(json_integer_value(json_object_get(d, "count")), 1);
    assert_int_equal(json_integer_value(json_object_get(d, "total")), 2);
    assert_true(json_is_true(json_object_get(d, "truncated")));
    json_decref(d);

    /* vessel 1's track: the store's points before its ring, then the ring */
    struct pic_static ps;
    struct pic_position tr[16];
    size_t n = 0;
    assert_int_equal(web_vessel_track(p, st, &mu, 1, 0, 0, &ps, tr, 16, &n), 1);
    assert_int_equal(n, 2 + 3);
    assert_int_equal(tr[0].t_us, T0 * US);
    assert_int_equal(tr[1].t_us, (T0 + 3600) * US);
    assert_int_equal(tr[2].t_us, (T0 + 7200) * US);
    assert_int_equal(tr[4].t_us, (T0 + 8400) * US);
    /* room for 4: the latest 4 */
    assert_int_equal(web_vessel_track(p, st, &mu, 1, 0, 0, &ps, tr, 4, &n), 1);
    assert_int_equal(n, 4);
    assert_int_equal(tr[0].t_us, (T0 + 3600) * US);
    /* vessel 2, only in the store: found with its static data */
    assert_int_equal(web_vessel_track(p, st, &mu, 2, 0, 0, &ps, tr, 16, &n), 1);
    assert_int_equal(n, 1);
    assert_string_equal(ps.name, "TWO");
    assert_int_equal(web_vessel_track(p, st, &mu, 3, 0, 0, &ps, tr, 16, &n), 0);
    picture_free(p);
    store_close(st);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    assert_int_equal(system(cmd), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_drain),
        cmocka_unit_test(test_seed_covered),
        cmocka_unit_test(test_merge),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
