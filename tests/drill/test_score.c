/*
 * test_score.c - drill scoring (lib/drill/score.c) on hand-made truth,
 * detections and arrivals whose every figure is worked out by hand in the
 * comments: precision, recall and time to detect per detector and per
 * nation, artifacts counted apart, share latency percentiles per pair and
 * overall, and leaks.
 */
#include "testutil.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "alidade/drill.h"

#define S 1735689600                      /* the scenario's start */
#define EPS 1e-9

static void test_stat(void **state)
{
    (void)state;
    double v[100];
    for (int i = 0; i < 100; i++)
        v[i] = 100 - i;                       /* 100 .. 1, unsorted */
    struct drill_stat s = drill_stat_of(v, 100);
    assert_int_equal(s.n, 100);
    assert_true(s.p50 == 50 && s.p99 == 99 && s.max == 100);
    double one = 7;
    s = drill_stat_of(&one, 1);
    assert_true(s.p50 == 7 && s.p99 == 7 && s.max == 7);
    s = drill_stat_of(NULL, 0);
    assert_true(s.n == 0 && s.p50 == 0 && s.p99 == 0 && s.max == 0);
    double three[] = {3, 1, 2};
    s = drill_stat_of(three, 3);
    assert_true(s.p50 == 2 && s.p99 == 3);    /* ranks ceil(1.5) = 2, ceil(2.97) = 3 */
}

static const char *scen =
    "{\"name\":\"s\",\"speed\":100,\"tolerance_s\":600,"
    "\"nations\":[{\"name\":\"a\"},{\"name\":\"b\"},{\"name\":\"c\"}],"
    "\"agreements\":[{\"from\":\"a\",\"to\":\"b\"},{\"from\":\"b\",\"to\":\"c\"}]}";

enum { A, B, C };

static void test_score(void **state)
{
    (void)state;
    struct drill_scenario sc;
    assert_int_equal(drill_scenario_parse(scen, strlen(scen), &sc, NULL), ALD_E_OK);
    const double w0 = 1000;                   /* wall = 1000 + (t - S) / 100 */
    assert_true(fabs(drill_wall_of(&sc, w0, S + 3600) - 1036) < EPS);
    struct drill_truth truth[] = {
        /* T0: end at wall 1036 */
        {.kind = "gap", .mmsi = 1, .start = S, .end = S + 3600, .expect = 1u << A},
        /* T1: end at wall 1108 */
        {.kind = "encounter", .mmsi = 2, .mmsi2 = 3, .start = S + 7200, .end = S + 10800,
         .expect = (1u << A) | (1u << B)},
        {.kind = "gap", .mmsi = 4, .start = S, .end = S + 1000, .expect = 1u << B},
        /* T3: end at wall 1200 */
        {.kind = "sighting", .ref = "indicator--x", .start = S + 20000, .end = S + 20000,
         .expect = 1u << C},
        /* a gap b's view makes (the vessel left its coverage) */
        {.kind = "gap", .mmsi = 9, .start = S + 100, .end = S + 30000, .artifact = true,
         .artifact_of = B},
    };
    struct drill_det det[] = {
        /* D0 -> T0 at a, 4 s after its end */
        {.kind = "gap", .mmsi = 1, .start = S + 60, .end = S + 3600, .node = A,
         .added_wall = 1040},
        /* D1 -> T1 at b (MMSIs swapped, start and end 600 s off: the tolerance), 2 s */
        {.kind = "encounter", .mmsi = 3, .mmsi2 = 2, .start = S + 7800, .end = S + 10200,
         .node = B, .added_wall = 1110},
        /* D2 -> T1 at a, 7 s */
        {.kind = "encounter", .mmsi = 2, .mmsi2 = 3, .start = S + 7200, .end = S + 10800,
         .node = A, .added_wall = 1115},
        /* D3: T2's vessel but the end 700 s off: wrong */
        {.kind = "gap", .mmsi = 4, .start = S, .end = S + 1700, .node = B, .added_wall = 1050},
        /* D4: the artifact, explained */
        {.kind = "gap", .mmsi = 9, .start = S + 100, .end = S + 30000, .node = B,
         .added_wall = 1400},
        /* D5: nothing planted */
        {.kind = "loitering", .mmsi = 7, .start = S, .end = S + 9000, .node = C,
         .added_wall = 1100},
        /* D6 -> T3 at c, 3 s */
        {.kind = "sighting", .ref = "indicator--x", .start = S + 19800, .end = S + 20100,
         .node = C, .added_wall = 1203},
        /* D7: another indicator */
        {.kind = "sighting", .ref = "indicator--y", .start = S + 20000, .end = S + 20000,
         .node = C, .added_wall = 1210},
    };
    struct drill_arrival arr[] = {
        /* R0: AMBER a -> b, direct: fine, 10 s */
        {.id = "r0", .node = B, .pol = {.origin = A, .tlp = DRILL_TLP_AMBER},
         .added_wall = 1050, .origin_wall = 1040},
        /* R1: AMBER a -> c: two hops: leak, 20 s */
        {.id = "r1", .node = C, .pol = {.origin = A, .tlp = DRILL_TLP_AMBER},
         .added_wall = 1060, .origin_wall = 1040},
        /* R2: GREEN b -> c, direct: fine, 0.5 s */
        {.id = "r2", .node = C, .pol = {.origin = B, .tlp = DRILL_TLP_GREEN},
         .added_wall = 1100, .origin_wall = 1099.5},
        /* R3: RED a -> b naming nobody: leak; origin time unknown */
        {.id = "r3", .node = B, .pol = {.origin = A, .tlp = DRILL_TLP_RED},
         .added_wall = 1300, .origin_wall = NAN},
        /* R4: RED a -> b naming b: fine, 3 s */
        {.id = "r4", .node = B, .pol = {.origin = A, .tlp = DRILL_TLP_RED,
                                        .recipients = 1u << B},
         .added_wall = 1200, .origin_wall = 1197},
    };
    struct drill_score s;
    bool leak[5];
    assert_int_equal(drill_score_compute(&sc, w0, truth, 5, det, 8, arr, 5, &s, leak),
                     ALD_E_OK);
    assert_int_equal(s.nkinds, 4);            /* gap, encounter, sighting, loitering */
    const struct drill_kind_score *gap = &s.kinds[0], *enc = &s.kinds[1],
                                  *sig = &s.kinds[2], *loi = &s.kinds[3];
    assert_string_equal(gap->kind, "gap");
    assert_string_equal(enc->kind, "encounter");
    assert_string_equal(sig->kind, "sighting");
    assert_string_equal(loi->kind, "loitering");
    /* gap: T0 found, T2 not; D0 right, D3 wrong, D4 explained */
    assert_int_equal(gap->planted, 2);
    assert_int_equal(gap->found, 1);
    assert_int_equal(gap->detections, 2);
    assert_int_equal(gap->correct, 1);
    assert_int_equal(gap->explained, 1);
    assert_true(gap->precision == 0.5 && gap->recall == 0.5);
    assert_int_equal(gap->ttd_s.n, 1);
    assert_true(fabs(gap->ttd_s.p50 - 4) < EPS);
    /* encounter: both detections right; the first (b's, 1110) counts: 2 s */
    assert_true(enc->planted == 1 && enc->found == 1 && enc->detections == 2 &&
                enc->correct == 2);
    assert_true(enc->precision == 1 && enc->recall == 1);
    assert_true(fabs(enc->ttd_s.p50 - 2) < EPS && fabs(enc->ttd_s.max - 2) < EPS);
    /* sighting: 1 of 2 right, the planted one found in 3 s */
    assert_true(sig->planted == 1 && sig->found == 1 && sig->detections == 2 &&
                sig->correct == 1);
    assert_true(sig->precision == 0.5 && sig->recall == 1);
    assert_true(fabs(sig->ttd_s.p50 - 3) < EPS);
    /* loitering: nothing planted: precision 0 of 1, recall 1 (nothing to find) */
    assert_true(loi->planted == 0 && loi->detections == 1 && loi->correct == 0);
    assert_true(loi->precision == 0 && loi->recall == 1);
    assert_int_equal(loi->ttd_s.n, 0);
    /* overall: 4 right of 7, 3 found of 4 */
    assert_true(fabs(s.precision - 4.0 / 7) < EPS && s.recall == 0.75);

    /* nations */
    const struct drill_nation_score *a = &s.nations[A], *b = &s.nations[B], *c = &s.nations[C];
    assert_true(a->expected == 2 && a->found == 2 && a->detections == 2 && a->correct == 2);
    assert_true(a->precision == 1 && a->recall == 1);
    assert_int_equal(a->ttd_s.n, 2);          /* 4 and 7: p50 rank 1, p99 rank 2 */
    assert_true(fabs(a->ttd_s.p50 - 4) < EPS && fabs(a->ttd_s.p99 - 7) < EPS);
    assert_true(b->expected == 2 && b->found == 1 && b->detections == 2 && b->correct == 1 &&
                b->explained == 1);
    assert_true(b->precision == 0.5 && b->recall == 0.5);
    assert_true(fabs(b->ttd_s.p50 - 2) < EPS);
    assert_true(c->expected == 1 && c->found == 1 && c->detections == 3 && c->correct == 1);
    assert_true(fabs(c->precision - 1.0 / 3) < EPS && c->recall == 1);

    /* arrivals: R1 and R3 leak */
    assert_int_equal(s.arrivals, 5);
    assert_int_equal(s.leaks, 2);
    assert_true(!leak[0] && leak[1] && !leak[2] && leak[3] && !leak[4]);
    assert_true(b->received == 3 && b->leaks == 1 && c->received == 2 && c->leaks == 1);
    assert_true(a->received == 0 && a->leaks == 0);
    /* latency: 10, 20, 0.5, 3 (R3 has no origin time): p50 = 3, p99 = 20 */
    assert_int_equal(s.share_latency_s.n, 4);
    assert_true(fabs(s.share_latency_s.p50 - 3) < EPS);
    assert_true(fabs(s.share_latency_s.p99 - 20) < EPS);
    assert_true(fabs(s.share_latency_s.max - 20) < EPS);
    assert_int_equal(s.pairs[A][B].latency_s.n, 2);        /* 10 and 3 */
    assert_true(fabs(s.pairs[A][B].latency_s.p50 - 3) < EPS);
    assert_true(fabs(s.pairs[A][B].latency_s.max - 10) < EPS);
    assert_true(s.pairs[A][C].latency_s.n == 1 && fabs(s.pairs[A][C].latency_s.p50 - 20) < EPS);
    assert_true(s.pairs[B][C].latency_s.n == 1 &&
                fabs(s.pairs[B][C].latency_s.p50 - 0.5) < EPS);
    assert_int_equal(s.pairs[C][A].latency_s.n, 0);
}

/* A nation that could not hear a vessel for a while: any detection of that
 * vessel by that nation over an overlapping time is explained, whatever its
 * kind; the same detection by another nation, or outside the spell, is
 * false; a planted truth still wins over the spell. */
static void test_blind(void **state)
{
    (void)state;
    struct drill_scenario sc;
    assert_int_equal(drill_scenario_parse(scen, strlen(scen), &sc, NULL), ALD_E_OK);
    struct drill_truth truth[] = {
        {.mmsi = 9, .start = S + 3600, .end = S + 7200, .artifact = true, .artifact_of = B,
         .blind = true},
        {.kind = "gap", .mmsi = 9, .start = S + 3000, .end = S + 7300, .expect = 1u << B},
    };
    struct drill_det det[] = {
        /* loitering over 1:30-3:00 at b: overlaps the spell: explained */
        {.kind = "loitering", .mmsi = 9, .start = S + 5400, .end = S + 10800, .node = B},
        /* encounter naming 9 as the second vessel, at b, overlapping: explained */
        {.kind = "encounter", .mmsi = 5, .mmsi2 = 9, .start = S, .end = S + 3600, .node = B},
        /* the same loitering at a: false */
        {.kind = "loitering", .mmsi = 9, .start = S + 5400, .end = S + 10800, .node = A},
        /* at b but after the spell: false */
        {.kind = "loitering", .mmsi = 9, .start = S + 7201, .end = S + 9000, .node = B},
        /* the planted gap: correct, not explained */
        {.kind = "gap", .mmsi = 9, .start = S + 3000, .end = S + 7300, .node = B},
    };
    assert_int_equal(drill_match(&sc, truth, 2, &det[0]), 0);
    assert_int_equal(drill_match(&sc, truth, 2, &det[1]), 0);
    assert_int_equal(drill_match(&sc, truth, 2, &det[2]), -1);
    assert_int_equal(drill_match(&sc, truth, 2, &det[3]), -1);
    assert_int_equal(drill_match(&sc, truth, 2, &det[4]), 1);
    struct drill_score s;
    assert_int_equal(drill_score_compute(&sc, 0, truth, 2, det, 5, NULL, 0, &s, NULL), ALD_E_OK);
    /* kinds: gap (from the truth), loitering, encounter; the spell adds none */
    assert_int_equal(s.nkinds, 3);
    assert_string_equal(s.kinds[0].kind, "gap");
    assert_true(s.kinds[0].correct == 1 && s.kinds[0].recall == 1);
    assert_string_equal(s.kinds[1].kind, "loitering");
    assert_true(s.kinds[1].explained == 1 && s.kinds[1].detections == 2 &&
                s.kinds[1].correct == 0);
    assert_true(s.kinds[2].explained == 1 && s.kinds[2].detections == 0);
    assert_true(s.nations[B].explained == 2 && s.nations[B].detections == 2 &&
                s.nations[B].correct == 1);
}

/* Nothing at all: every ratio is 1 (nothing to miss, nothing wrong). */
static void test_empty(void **state)
{
    (void)state;
    struct drill_scenario sc;
    assert_int_equal(drill_scenario_parse(scen, strlen(scen), &sc, NULL), ALD_E_OK);
    struct drill_score s;
    assert_int_equal(drill_score_compute(&sc, 0, NULL, 0, NULL, 0, NULL, 0, &s, NULL),
                     ALD_E_OK);
    assert_true(s.nkinds == 0 && s.precision == 1 && s.recall == 1 && s.leaks == 0);
    assert_true(s.nations[A].precision == 1 && s.nations[A].recall == 1);
}

/* More kinds than DRILL_MAX_KINDS is refused, not truncated. */
static void test_too_many_kinds(void **state)
{
    (void)state;
    struct drill_scenario sc;
    assert_int_equal(drill_scenario_parse(scen, strlen(scen), &sc, NULL), ALD_E_OK);
    struct drill_det det[DRILL_MAX_KINDS + 1];
    memset(det, 0, sizeof det);
    for (int i = 0; i <= DRILL_MAX_KINDS; i++)
        snprintf(det[i].kind, sizeof det[i].kind, "k%d", i);
    struct drill_score s;
    assert_int_equal(drill_score_compute(&sc, 0, NULL, 0, det, DRILL_MAX_KINDS + 1, NULL, 0,
                                         &s, NULL),
                     ALD_E_TOO_LARGE);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_stat),
        cmocka_unit_test(test_score),
        cmocka_unit_test(test_blind),
        cmocka_unit_test(test_empty),
        cmocka_unit_test(test_too_many_kinds),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
