/*
 * test_scenario.c - the drill scenario file (lib/drill/scenario.c,
 * docs/drill.md): a full scenario read back field by field, defaults, the
 * three shipped scenarios, and one broken file per kind of mistake with the
 * exact path and the reason; also the coverage test (boxes, polygons) and
 * the policy reach (drill_may_reach) on a small agreement graph.
 */
#include "testutil.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alidade/drill.h"
#include "alidade/stix.h"

static const char full[] =
    "{\"name\":\"t1\",\"title\":\"Test one\",\"seed\":9,\"start\":\"2025-03-01T06:00:00Z\","
    "\"hours\":37,\"speed\":3600,\"vessels\":20,\"tolerance_s\":600,\"settle_s\":4,"
    "\"background_logs\":12,"
    "\"nations\":["
    " {\"name\":\"alpha\",\"title\":\"Alpha MOC\",\"tlp\":\"green\",\"groups\":[\"g1\"],"
    "  \"ais\":[{\"bbox\":[7,-50,10,-48.5]},{\"polygon\":[[-49,5],[-47,5],[-48,7]]}],"
    "  \"networks\":[{\"name\":\"alpha-gov\",\"format\":\"eve\"},{\"name\":\"alpha-mil\","
    "\"format\":\"zeek\"}],\"cert\":true},"
    " {\"name\":\"beta\",\"identity\":\"identity--11111111-2222-4333-8444-555555555555\"},"
    " {\"name\":\"gamma\",\"cert\":true}],"
    "\"agreements\":[{\"from\":\"alpha\",\"to\":\"beta\"},"
    " {\"from\":\"beta\",\"to\":\"gamma\",\"mode\":\"push\",\"reshare\":true}],"
    "\"intrusions\":[{\"name\":\"c2\",\"type\":\"ipv4-addr\",\"value\":\"203.0.113.7\","
    " \"network\":\"alpha-mil\",\"hour\":20.5,\"hits\":3,\"known_to\":\"gamma\","
    " \"tlp\":\"red\",\"recipients\":[\"alpha\",\"beta\"]}]}";

static void test_full(void **state)
{
    (void)state;
    struct drill_scenario sc;
    struct drill_err err;
    assert_int_equal(drill_scenario_parse(full, strlen(full), &sc, &err), ALD_E_OK);
    assert_string_equal(sc.name, "t1");
    assert_string_equal(sc.title, "Test one");
    assert_int_equal(sc.seed, 9);
    assert_int_equal(sc.start_s, 1740808800);
    assert_true(sc.hours == 37 && sc.speed == 3600 && sc.vessels == 20);
    assert_true(sc.tolerance_s == 600 && sc.settle_s == 4 && sc.background_logs == 12);
    assert_true(sc.maritime_events);
    assert_int_equal(sc.nnations, 3);
    const struct drill_nation *a = &sc.nations[0];
    assert_string_equal(a->title, "Alpha MOC");
    assert_int_equal(a->tlp, DRILL_TLP_GREEN);
    assert_int_equal(a->ngroups, 1);
    assert_string_equal(a->groups[0], "g1");
    assert_int_equal(a->nareas, 2);
    assert_false(a->areas[0].polygon);
    assert_true(a->areas[0].s == 7 && a->areas[0].w == -50 && a->areas[0].n == 10 &&
                a->areas[0].e == -48.5);
    assert_true(a->areas[1].polygon);
    assert_int_equal(a->areas[1].nv, 3);
    assert_true(a->areas[1].s == 5 && a->areas[1].n == 7 && a->areas[1].w == -49 &&
                a->areas[1].e == -47);
    assert_int_equal(a->nnetworks, 2);
    assert_int_equal(a->networks[1].format, DRILL_LOG_ZEEK);
    assert_true(a->cert);
    /* identity: derived from the title the way alidade derives a node's */
    char id[64];
    stix_node_identity_id("Alpha MOC", id);
    assert_string_equal(a->identity, id);
    assert_string_equal(sc.nations[1].identity, "identity--11111111-2222-4333-8444-555555555555");
    assert_string_equal(sc.nations[1].title, "beta");
    assert_int_equal(sc.nations[1].tlp, DRILL_TLP_AMBER);
    assert_false(sc.nations[1].cert);
    assert_int_equal(sc.nagreements, 2);
    assert_int_equal(sc.agreements[0].mode, DRILL_PULL);
    assert_false(sc.agreements[0].reshare);
    assert_int_equal(sc.agreements[1].from, 1);
    assert_int_equal(sc.agreements[1].to, 2);
    assert_int_equal(sc.agreements[1].mode, DRILL_PUSH);
    assert_true(sc.agreements[1].reshare);
    assert_int_equal(sc.nintrusions, 1);
    const struct drill_intrusion *in = &sc.intrusions[0];
    assert_int_equal(in->type, DRILL_IOC_IPV4);
    assert_string_equal(in->value, "203.0.113.7");
    assert_int_equal(in->victim, 0);
    assert_int_equal(in->network, 1);
    assert_true(in->hour == 20.5);
    assert_int_equal(in->hits, 3);
    assert_int_equal(in->known_to, 2);
    assert_int_equal(in->tlp, DRILL_TLP_RED);
    assert_int_equal(in->recipients, 3);
    assert_int_equal(drill_nation_index(&sc, "gamma"), 2);
    assert_int_equal(drill_nation_index(&sc, "delta"), -1);
}

static void test_defaults(void **state)
{
    (void)state;
    const char *s = "{\"name\":\"d\",\"nations\":[{\"name\":\"a\"},{\"name\":\"b\"}]}";
    struct drill_scenario sc;
    assert_int_equal(drill_scenario_parse(s, strlen(s), &sc, NULL), ALD_E_OK);
    assert_int_equal(sc.seed, 1);
    assert_int_equal(sc.start_s, 1735689600);
    assert_true(sc.hours == 40 && sc.speed == 1800 && sc.vessels == 50);
    assert_true(sc.tolerance_s == 900 && sc.settle_s == 10 && sc.background_logs == 60);
    assert_int_equal(sc.nagreements, 0);
    assert_int_equal(sc.nintrusions, 0);
    assert_int_equal(sc.nations[0].nareas, 0);
}

/* Each broken scenario: the code, the path and a piece of the message. */
struct bad {
    const char *text;
    ald_err code;
    const char *path;
    const char *msg;
    unsigned line, col;
};

#define TWO "\"nations\":[{\"name\":\"a\",\"cert\":true,\"networks\":[{\"name\":\"n1\"}]}," \
            "{\"name\":\"b\"}]"

static const struct bad bads[] = {
    {"{\"name\":\"x\",\n \"nations\": [}", ALD_E_JSON, "", "not JSON", 2, 14},
    {"[]", ALD_E_ARG, "", "must be a JSON object", 0, 0},
    {"{\"nations\":[]}", ALD_E_ARG, "name", "missing", 0, 0},
    {"{\"name\":\"a b\"," TWO "}", ALD_E_ARG, "name", "1-63 characters", 0, 0},
    {"{\"name\":\"x\",\"speeed\":3," TWO "}", ALD_E_ARG, "speeed", "unknown member", 0, 0},
    {"{\"name\":\"x\",\"hours\":12," TWO "}", ALD_E_ARG, "hours", "at least 36", 0, 0},
    {"{\"name\":\"x\",\"hours\":\"40\"," TWO "}", ALD_E_ARG, "hours", "must be a number", 0, 0},
    {"{\"name\":\"x\",\"speed\":0," TWO "}", ALD_E_ARG, "speed", "out of range", 0, 0},
    {"{\"name\":\"x\",\"vessels\":2.5," TWO "}", ALD_E_ARG, "", "whole numbers", 0, 0},
    {"{\"name\":\"x\",\"start\":\"yesterday\"," TWO "}", ALD_E_ARG, "start", "not a time", 0, 0},
    {"{\"name\":\"x\",\"nations\":[{\"name\":\"a\"}]}", ALD_E_ARG, "nations",
     "at least two nations", 0, 0},
    {"{\"name\":\"x\",\"nations\":[{\"name\":\"a\"},{\"name\":\"a\"}]}", ALD_E_ARG,
     "nations[1].name", "already a nation", 0, 0},
    {"{\"name\":\"x\",\"nations\":[{\"name\":\"a\",\"tlp\":\"purple\"},{\"name\":\"b\"}]}",
     ALD_E_ARG, "nations[0].tlp", "unknown TLP", 0, 0},
    {"{\"name\":\"x\",\"nations\":[{\"name\":\"a\",\"tlp\":\"red\"},{\"name\":\"b\"}]}",
     ALD_E_ARG, "nations[0].tlp", "cannot be red", 0, 0},
    {"{\"name\":\"x\",\"nations\":[{\"name\":\"a\",\"identity\":\"identity--X\"},"
     "{\"name\":\"b\"}]}", ALD_E_ARG, "nations[0].identity", "lower-case UUID", 0, 0},
    {"{\"name\":\"x\",\"nations\":[{\"name\":\"a\"},{\"name\":\"b\",\"ais\":[{\"bbox\":"
     "[10,-50,7,-48]}]}]}", ALD_E_ARG, "nations[1].ais[0].bbox", "south must be below", 0, 0},
    {"{\"name\":\"x\",\"nations\":[{\"name\":\"a\"},{\"name\":\"b\",\"ais\":[{\"bbox\":"
     "[7,-50,10]}]}]}", ALD_E_ARG, "nations[1].ais[0].bbox", "four numbers", 0, 0},
    {"{\"name\":\"x\",\"nations\":[{\"name\":\"a\"},{\"name\":\"b\",\"ais\":[{\"polygon\":"
     "[[-49,5],[-47,95],[-48,7]]}]}]}", ALD_E_ARG, "nations[1].ais[0].polygon[1]",
     "latitude in -90..90", 0, 0},
    {"{\"name\":\"x\",\"nations\":[{\"name\":\"a\"},{\"name\":\"b\",\"ais\":[{}]}]}",
     ALD_E_ARG, "nations[1].ais[0]", "exactly one of", 0, 0},
    {"{\"name\":\"x\",\"nations\":[{\"name\":\"a\",\"networks\":[{\"name\":\"n\","
     "\"format\":\"pcap\"}]},{\"name\":\"b\"}]}", ALD_E_ARG, "nations[0].networks[0].format",
     "eve or zeek", 0, 0},
    {"{\"name\":\"x\",\"nations\":[{\"name\":\"a\",\"networks\":[{\"name\":\"n\"}]},"
     "{\"name\":\"b\",\"networks\":[{\"name\":\"n\"}]}]}", ALD_E_ARG,
     "nations[1].networks[0]", "already held by nation \"a\"", 0, 0},
    {"{\"name\":\"x\"," TWO ",\"agreements\":[{\"from\":\"a\",\"to\":\"c\"}]}", ALD_E_ARG,
     "agreements[0].to", "no nation named \"c\"", 0, 0},
    {"{\"name\":\"x\"," TWO ",\"agreements\":[{\"from\":\"a\",\"to\":\"a\"}]}", ALD_E_ARG,
     "agreements[0]", "the same nation", 0, 0},
    {"{\"name\":\"x\"," TWO ",\"agreements\":[{\"from\":\"a\",\"to\":\"b\",\"mode\":\"fax\"}]}",
     ALD_E_ARG, "agreements[0].mode", "unknown mode", 0, 0},
    {"{\"name\":\"x\"," TWO ",\"agreements\":[{\"from\":\"a\",\"to\":\"b\"},"
     "{\"from\":\"a\",\"to\":\"b\"}]}", ALD_E_ARG, "agreements[1]", "already agreed", 0, 0},
    {"{\"name\":\"x\"," TWO ",\"agreements\":[{\"from\":\"a\",\"to\":\"b\",\"reshare\":1}]}",
     ALD_E_ARG, "agreements[0].reshare", "true or false", 0, 0},
    {"{\"name\":\"x\"," TWO ",\"intrusions\":[{\"name\":\"i\",\"type\":\"ipv4-addr\","
     "\"value\":\"1.2.3\",\"network\":\"n1\",\"hour\":3,\"known_to\":\"a\"}]}", ALD_E_ARG,
     "intrusions[0].value", "not a plain ipv4-addr", 0, 0},
    {"{\"name\":\"x\"," TWO ",\"intrusions\":[{\"name\":\"i\",\"type\":\"md5\","
     "\"value\":\"1.2.3.4\",\"network\":\"n1\",\"hour\":3,\"known_to\":\"a\"}]}", ALD_E_ARG,
     "intrusions[0].type", "unknown indicator type", 0, 0},
    {"{\"name\":\"x\"," TWO ",\"intrusions\":[{\"name\":\"i\",\"type\":\"domain-name\","
     "\"value\":\"evil.example\",\"network\":\"n2\",\"hour\":3,\"known_to\":\"a\"}]}",
     ALD_E_ARG, "intrusions[0].network", "no nation holds a network named \"n2\"", 0, 0},
    {"{\"name\":\"x\"," TWO ",\"intrusions\":[{\"name\":\"i\",\"type\":\"domain-name\","
     "\"value\":\"evil.example\",\"network\":\"n1\",\"hour\":3,\"known_to\":\"b\"}]}",
     ALD_E_ARG, "intrusions[0].known_to", "has no CERT", 0, 0},
    {"{\"name\":\"x\"," TWO ",\"intrusions\":[{\"name\":\"i\",\"type\":\"domain-name\","
     "\"value\":\"evil.example\",\"network\":\"n1\",\"known_to\":\"a\"}]}",
     ALD_E_ARG, "intrusions[0].hour", "missing", 0, 0},
    {"{\"name\":\"x\"," TWO ",\"intrusions\":[{\"name\":\"i\",\"type\":\"domain-name\","
     "\"value\":\"evil.example\",\"network\":\"n1\",\"hour\":99,\"known_to\":\"a\"}]}",
     ALD_E_ARG, "intrusions[0].hour", "out of range", 0, 0},
    {"{\"name\":\"x\"," TWO ",\"intrusions\":[{\"name\":\"i\",\"type\":\"url\","
     "\"value\":\"http://e.example/x\",\"network\":\"n1\",\"hour\":3,\"known_to\":\"a\","
     "\"recipients\":[\"b\"]}]}", ALD_E_ARG, "intrusions[0].recipients", "at \"tlp\": \"red\"",
     0, 0},
    {"{\"name\":\"x\"," TWO ",\"intrusions\":[{\"name\":\"i\",\"type\":\"url\","
     "\"value\":\"http://e.example/x\",\"network\":\"n1\",\"hour\":3,\"known_to\":\"a\","
     "\"tlp\":\"red\",\"recipients\":[\"zz\"]}]}", ALD_E_ARG, "intrusions[0].recipients[0]",
     "must name a nation", 0, 0},
    {"{\"name\":\"x\",\"name\":\"y\"," TWO "}", ALD_E_JSON, "", "duplicate", 1, 0},
};

static void test_errors(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof bads / sizeof bads[0]; i++) {
        struct drill_scenario sc;
        struct drill_err err;
        ald_err rc = drill_scenario_parse(bads[i].text, strlen(bads[i].text), &sc, &err);
        if (rc != bads[i].code || strcmp(err.path, bads[i].path) != 0 ||
            !strstr(err.msg, bads[i].msg) || (bads[i].line && err.line != bads[i].line) ||
            (bads[i].col && err.col != bads[i].col))
            fail_msg("case %zu: got %d '%s' '%s' line %u col %u; want %d '%s' '%s'", i, rc,
                     err.path, err.msg, err.line, err.col, bads[i].code, bads[i].path,
                     bads[i].msg);
    }
}

/* The shipped scenarios parse. */
static void test_shipped(void **state)
{
    (void)state;
    const char *names[] = {"quad.json", "pacific.json", "stress.json"};
    const char *td = getenv("ALD_TEST_DATA");
    assert_non_null(td);
    for (size_t i = 0; i < 3; i++) {
        char path[4096];
        snprintf(path, sizeof path, "%s/../../data/drills/%s", td, names[i]);
        size_t n;
        char *text = tu_read_file(path, &n);
        if (!text)
            fail_msg("%s: cannot read", path);
        struct drill_scenario sc;
        struct drill_err err;
        if (drill_scenario_parse(text, n, &sc, &err) != ALD_E_OK)
            fail_msg("%s: %s: %s (line %u)", names[i], err.path, err.msg, err.line);
        free(text);
    }
}

static void test_areas(void **state)
{
    (void)state;
    struct drill_area box = {.s = 7, .w = -50, .n = 10, .e = -48.5};
    assert_true(drill_area_contains(&box, 7, -50));
    assert_true(drill_area_contains(&box, 8.5, -49));
    assert_false(drill_area_contains(&box, 6.99, -49));
    assert_false(drill_area_contains(&box, 8, -48.4));
    /* a triangle (-49,5) (-47,5) (-48,7) */
    struct drill_area tri = {.polygon = true, .nv = 3, .s = 5, .n = 7, .w = -49, .e = -47,
                             .lon = {-49, -47, -48}, .lat = {5, 5, 7}};
    assert_true(drill_area_contains(&tri, 5.5, -48));
    assert_true(drill_area_contains(&tri, 6.9, -48));
    assert_false(drill_area_contains(&tri, 6.5, -48.9));   /* in the bounds, outside */
    assert_false(drill_area_contains(&tri, 6.5, -47.1));
    assert_false(drill_area_contains(&tri, 4.9, -48));
    /* a concave U: the notch is outside */
    struct drill_area u = {.polygon = true, .nv = 8, .s = 0, .n = 3, .w = 0, .e = 3,
                           .lon = {0, 3, 3, 2, 2, 1, 1, 0}, .lat = {0, 0, 3, 3, 1, 1, 3, 3}};
    assert_true(drill_area_contains(&u, 0.5, 1.5));
    assert_true(drill_area_contains(&u, 2, 0.5));
    assert_false(drill_area_contains(&u, 2, 1.5));
    assert_true(drill_area_contains(&u, 2, 2.5));
    struct drill_scenario sc;
    assert_int_equal(drill_scenario_parse(full, strlen(full), &sc, NULL), ALD_E_OK);
    assert_true(drill_sees(&sc, 0, 8, -49));
    assert_true(drill_sees(&sc, 0, 5.5, -48));
    assert_false(drill_sees(&sc, 0, 6.5, -47.1));
    assert_false(drill_sees(&sc, 1, 8, -49));               /* no AIS at all */
    assert_false(drill_sees(&sc, 0, NAN, -49));
    assert_false(drill_sees(&sc, 7, 8, -49));
}

/* a -> b (no reshare), b -> c (reshare), c -> d (reshare), d -> a, e alone */
static void test_reach(void **state)
{
    (void)state;
    const char *s =
        "{\"name\":\"r\",\"nations\":[{\"name\":\"a\"},{\"name\":\"b\"},{\"name\":\"c\"},"
        "{\"name\":\"d\"},{\"name\":\"e\"}],\"agreements\":["
        "{\"from\":\"a\",\"to\":\"b\"},{\"from\":\"b\",\"to\":\"c\",\"reshare\":true},"
        "{\"from\":\"c\",\"to\":\"d\",\"reshare\":true},{\"from\":\"d\",\"to\":\"a\"}]}";
    struct drill_scenario sc;
    assert_int_equal(drill_scenario_parse(s, strlen(s), &sc, NULL), ALD_E_OK);
    enum { A, B, C, D, E };
    /* want[tlp][origin][holder] as a string "abcde" of 0/1 per origin row */
    static const char *const want[5][5] = {
        /* CLEAR, GREEN: from a: b direct, c through b (b -> c re-shares), d
         * through c; from c: d only (d -> a does not re-share) */
        {"11110", "01110", "00110", "10010", "00001"},
        {"11110", "01110", "00110", "10010", "00001"},
        /* AMBER, AMBER+STRICT: direct agreements only */
        {"11000", "01100", "00110", "10010", "00001"},
        {"11000", "01100", "00110", "10010", "00001"},
        /* RED with no recipients: the origin only */
        {"10000", "01000", "00100", "00010", "00001"},
    };
    for (int t = 0; t < 5; t++)
        for (unsigned o = 0; o < 5; o++)
            for (unsigned h = 0; h < 5; h++) {
                struct drill_obj_policy p = {.origin = o, .tlp = (enum drill_tlp)t};
                bool got = drill_may_reach(&sc, &p, h);
                if (got != (want[t][o][h] == '1'))
                    fail_msg("tlp %d origin %u holder %u: got %d", t, o, h, got);
            }
    /* RED naming b: a -> b direct yes; naming c: no (two hops) */
    struct drill_obj_policy red = {.origin = A, .tlp = DRILL_TLP_RED,
                                   .recipients = (1u << B) | (1u << C)};
    assert_true(drill_may_reach(&sc, &red, B));
    assert_false(drill_may_reach(&sc, &red, C));
    /* groups: only members, even on a direct agreement */
    struct drill_obj_policy g = {.origin = A, .tlp = DRILL_TLP_GREEN, .has_groups = true,
                                 .group_members = 1u << C};
    assert_false(drill_may_reach(&sc, &g, B));
    assert_true(drill_may_reach(&sc, &g, C));
    assert_true(drill_may_reach(&sc, &g, A));               /* its maker */
    assert_false(drill_may_reach(&sc, &g, E));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_full),
        cmocka_unit_test(test_defaults),
        cmocka_unit_test(test_errors),
        cmocka_unit_test(test_shipped),
        cmocka_unit_test(test_areas),
        cmocka_unit_test(test_reach),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
