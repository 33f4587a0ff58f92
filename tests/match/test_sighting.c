/*
 * test_sighting.c - lib/match/sighting.c: hits folded into one sighting per
 * indicator and window, deterministic ids, the observed_data_refs cap, and
 * every sighting valid STIX 2.1 by the project's own checker.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <jansson.h>

#include "alidade/sighting.h"
#include "alidade/stix.h"

#define IDENT "identity--1c7b0f3a-4d8e-4f33-9d6a-1a2b3c4d5e6f"
#define IND_A "indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f"
#define IND_B "indicator--26ffb872-1dd9-446e-b6f5-d58527e5b5d2"
#define OD(n) "observed-data--b67d30ff-02ac-498a-92f9-32f845f448c" n
#define TLP_AMBER "marking-definition--f88d31f6-486f-44da-b317-01333bde0b82"

struct out {
    json_t *objs[64];
    size_t n;
};

static int collect(void *ctx, const char *json, size_t len)
{
    struct out *o = ctx;
    struct stix_problem p[4];
    size_t nprob = stix_check(json, len, o->n, NULL, p, 4);
    if (nprob)
        fail_msg("invalid sighting: %s (%.*s)", p[0].message, (int)len, json);
    json_error_t e;
    o->objs[o->n++] = json_loadb(json, len, 0, &e);
    return 0;
}

static void out_free(struct out *o)
{
    for (size_t i = 0; i < o->n; i++)
        json_decref(o->objs[i]);
}

static const char *str(json_t *o, const char *k)
{
    return json_string_value(json_object_get(o, k));
}

static void hourly_windows(void **state)
{
    (void)state;
    struct ald_sighting_opts opt = {IDENT, 3600, 0, "2026-11-23T20:00:00.000000Z", TLP_AMBER};
    ald_sightings *s = ald_sightings_new(&opt);
    assert_non_null(s);
    /* 2018-03-24 10:00:00Z = 1521885600; out of order on purpose */
    assert_int_equal(ald_sightings_add(s, IND_A, 1521885600 + 1800, 5000, OD("1")), ALD_E_OK);
    assert_int_equal(ald_sightings_add(s, IND_A, 1521885600 + 10, 0, OD("2")), ALD_E_OK);
    assert_int_equal(ald_sightings_add(s, IND_A, 1521885600 + 3599, 999999000, OD("2")), ALD_E_OK);
    assert_int_equal(ald_sightings_add(s, IND_A, 1521885600 + 3600, 0, OD("3")), ALD_E_OK);
    assert_int_equal(ald_sightings_add(s, IND_B, 1521885600, 0, NULL), ALD_E_OK);
    assert_int_equal(ald_sightings_count(s), 3);

    struct out o = {0};
    assert_int_equal(ald_sightings_emit(s, collect, &o), ALD_E_OK);
    assert_int_equal(o.n, 3);
    /* ordered by indicator id: B (26ff...) before A (8e2e...) */
    assert_string_equal(str(o.objs[0], "sighting_of_ref"), IND_B);
    assert_null(json_object_get(o.objs[0], "observed_data_refs"));
    json_t *a0 = o.objs[1], *a1 = o.objs[2];
    assert_string_equal(str(a0, "sighting_of_ref"), IND_A);
    assert_string_equal(str(a0, "first_seen"), "2018-03-24T10:00:10.000000Z");
    assert_string_equal(str(a0, "last_seen"), "2018-03-24T10:59:59.999999Z");
    assert_int_equal(json_integer_value(json_object_get(a0, "count")), 3);
    assert_int_equal(json_array_size(json_object_get(a0, "observed_data_refs")), 2);
    assert_string_equal(str(a1, "first_seen"), "2018-03-24T11:00:00.000000Z");
    assert_int_equal(json_integer_value(json_object_get(a1, "count")), 1);
    assert_string_equal(json_string_value(json_array_get(json_object_get(a0, "where_sighted_refs"), 0)), IDENT);
    assert_string_equal(json_string_value(json_array_get(json_object_get(a0, "object_marking_refs"), 0)), TLP_AMBER);
    assert_string_not_equal(str(a0, "id"), str(a1, "id"));
    out_free(&o);
    ald_sightings_free(s);
}

/* the same identity, indicator and window give the same id on another run */
static void ids_are_stable(void **state)
{
    (void)state;
    char first[64] = "";
    for (int run = 0; run < 2; run++) {
        struct ald_sighting_opts opt = {IDENT, 3600, 0,
                                        run ? "2026-11-24T00:00:00Z" : "2026-11-23T00:00:00Z", NULL};
        ald_sightings *s = ald_sightings_new(&opt);
        assert_int_equal(ald_sightings_add(s, IND_A, 1521885600 + run * 60, 0, OD("1")), ALD_E_OK);
        struct out o = {0};
        assert_int_equal(ald_sightings_emit(s, collect, &o), ALD_E_OK);
        assert_null(json_object_get(o.objs[0], "object_marking_refs"));
        if (run == 0)
            snprintf(first, sizeof first, "%s", str(o.objs[0], "id"));
        else
            assert_string_equal(first, str(o.objs[0], "id"));
        out_free(&o);
        ald_sightings_free(s);
    }
}

/* window 0: one sighting per indicator; refs capped, count exact */
static void whole_run_and_ref_cap(void **state)
{
    (void)state;
    struct ald_sighting_opts opt = {IDENT, 0, 3, "2026-11-23T00:00:00Z", NULL};
    ald_sightings *s = ald_sightings_new(&opt);
    char od[80];
    for (int i = 0; i < 10; i++) {
        snprintf(od, sizeof od, "observed-data--00000000-0000-4000-8000-%012d", i);
        /* a 1969 hit too: floor division keeps windows right before 1970 */
        assert_int_equal(ald_sightings_add(s, IND_A, i == 9 ? -5 : i * 86400, 0, od), ALD_E_OK);
    }
    assert_int_equal(ald_sightings_count(s), 1);
    /* three refs kept: no room for a fourth; another indicator has room */
    assert_false(ald_sightings_ref_room(s, IND_A, 0));
    assert_true(ald_sightings_ref_room(s, IND_B, 0));
    struct out o = {0};
    assert_int_equal(ald_sightings_emit(s, collect, &o), ALD_E_OK);
    assert_int_equal(json_integer_value(json_object_get(o.objs[0], "count")), 10);
    assert_int_equal(json_array_size(json_object_get(o.objs[0], "observed_data_refs")), 3);
    assert_string_equal(str(o.objs[0], "first_seen"), "1969-12-31T23:59:55.000000Z");
    out_free(&o);
    ald_sightings_free(s);
    s = ald_sightings_new(&opt);
    assert_int_equal(ald_sightings_add(s, "", 0, 0, NULL), ALD_E_ARG);
    ald_sightings_free(s);
}

/* a match over several observations counts once; its other observations
 * widen the window and add references */
static void one_match_many_observations(void **state)
{
    (void)state;
    struct ald_sighting_opts opt = {IDENT, 3600, 0, "2026-11-23T00:00:00Z", NULL};
    ald_sightings *s = ald_sightings_new(&opt);
    assert_int_equal(ald_sightings_add(s, IND_A, 1521885600 + 100, 0, OD("1")), ALD_E_OK);
    assert_int_equal(ald_sightings_add_ref(s, IND_A, 1521885600 + 10, 0, OD("2")), ALD_E_OK);
    assert_int_equal(ald_sightings_add_ref(s, IND_A, 1521885600 + 200, 0, OD("3")), ALD_E_OK);
    struct out o = {0};
    assert_int_equal(ald_sightings_emit(s, collect, &o), ALD_E_OK);
    assert_int_equal(o.n, 1);
    assert_int_equal(json_integer_value(json_object_get(o.objs[0], "count")), 1);
    assert_int_equal(json_array_size(json_object_get(o.objs[0], "observed_data_refs")), 3);
    assert_string_equal(str(o.objs[0], "first_seen"), "2018-03-24T10:00:10.000000Z");
    assert_string_equal(str(o.objs[0], "last_seen"), "2018-03-24T10:03:20.000000Z");
    out_free(&o);
    ald_sightings_free(s);
}

static int stop_at_first(void *ctx, const char *json, size_t len)
{
    (void)json;
    (void)len;
    (*(int *)ctx)++;
    return 1;
}

/* many indicators: the table grows; a callback can stop the emission */
static void many_and_stop(void **state)
{
    (void)state;
    struct ald_sighting_opts opt = {IDENT, 60, 0, "2026-11-23T00:00:00Z", NULL};
    ald_sightings *s = ald_sightings_new(&opt);
    char id[80];
    for (int i = 0; i < 5000; i++) {
        snprintf(id, sizeof id, "indicator--00000000-0000-4000-8000-%012d", i % 1000);
        assert_int_equal(ald_sightings_add(s, id, (i / 1000) * 60, 0, NULL), ALD_E_OK);
    }
    assert_int_equal(ald_sightings_count(s), 5000);
    int calls = 0;
    assert_int_equal(ald_sightings_emit(s, stop_at_first, &calls), ALD_E_ARG);
    assert_int_equal(calls, 1);
    ald_sightings_free(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(hourly_windows),
        cmocka_unit_test(ids_are_stable),
        cmocka_unit_test(whole_run_and_ref_cap),
        cmocka_unit_test(many_and_stop),
        cmocka_unit_test(one_match_many_observations),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
