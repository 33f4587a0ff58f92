/*
 * test_matcher_cases.c - the evaluator's acceptance test: every one of the
 * 228 cases the OASIS reference matcher (stix2matcher 3.0) was run on
 * (tests/data/pattern/matcher, see its SOURCES.md) gives the reference's
 * answer: match, no match or error, and for matches the same observations
 * (the reference returns those of the first binding it finds; we compare
 * their count and, where the set has a single container, their ids).
 *
 * Patterns are parsed as `alidade pattern match` parses them, leniently
 * (ALD_PATTERN_LENIENT): the reference evaluates two patterns the strict
 * grammar refuses (m247: STIX 2.0 START/STOP strings; m252: REPEATS twice
 * on one observation).
 */
#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "alidade/pattern.h"
#include "alidade/pattern_match.h"

struct outcome {
    const char *what;       /* "match", "nomatch", "error" */
    size_t nsdo;
    size_t sdo[64];
    const ald_obsset *set;
};

static void run_case(const char *pattern, const ald_obsset *set, struct outcome *o)
{
    memset(o, 0, sizeof *o);
    o->set = set;
    ald_pattern *p = NULL;
    struct ald_errpos e = {0};
    if (ald_pattern_parse_ex(pattern, strlen(pattern), ALD_PATTERN_LENIENT, &p, &e) != ALD_E_OK) {
        o->what = "error";
        return;
    }
    ald_pmatch *m = NULL;
    if (ald_pmatch_new(p, &m, &e) != ALD_E_OK) {
        o->what = "error";
        ald_pattern_free(p);
        return;
    }
    ald_pmatch_result res;
    if (ald_pmatch_observations(m, set, &res, &e) != ALD_E_OK) {
        o->what = "error";
    } else {
        o->what = res.matched ? "match" : "nomatch";
        o->nsdo = ald_pmatch_reference_sdos(&res, o->sdo, 64);
        ald_pmatch_result_clear(&res);
    }
    ald_pmatch_free(m);
    ald_pattern_free(p);
}

static void all_cases(void **state)
{
    (void)state;
    size_t len;
    char *obs_text = tu_read_file(tu_testdata("pattern/matcher/matcher_observations_v21.json"),
                                  &len);
    char *cases = tu_read_file(tu_testdata("pattern/matcher/matcher_cases_v21.dev.jsonl"), &len);
    assert_non_null(obs_text);
    assert_non_null(cases);
    json_error_t je;
    json_t *sets = json_loads(obs_text, 0, &je);
    assert_non_null(sets);

    size_t total = 0, passed = 0, failed = 0;
    char *save = NULL;
    for (char *line = strtok_r(cases, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        json_t *c = json_loads(line, 0, &je);
        assert_non_null(c);
        const char *id = json_string_value(json_object_get(c, "case_id"));
        const char *pattern = json_string_value(json_object_get(c, "pattern"));
        const char *key = json_string_value(json_object_get(c, "observations"));
        const char *expected = json_string_value(json_object_get(c, "expected"));
        json_t *jset = json_object_get(sets, key);
        assert_non_null(jset);
        char *text = json_dumps(jset, JSON_COMPACT);
        ald_obsset *set = NULL;
        struct ald_errpos e = {0};
        struct outcome o;
        total++;
        if (ald_obsset_parse(text, strlen(text), &set, &e) != ALD_E_OK) {
            memset(&o, 0, sizeof o);
            o.what = "error";
        } else {
            run_case(pattern, set, &o);
        }
        int ok = strcmp(o.what, expected) == 0;
        char why[256] = "";
        if (ok && strcmp(expected, "match") == 0) {
            json_t *ids = json_object_get(c, "expected_matched_sdo_ids");
            size_t n = json_array_size(ids);
            if (n != o.nsdo) {
                ok = 0;
                snprintf(why, sizeof why, "%zu observations, expected %zu", o.nsdo, n);
            } else if (json_array_size(jset) == 1 || !json_is_string(json_array_get(ids, 0))) {
                /* One container (or none with ids): the ids must agree. */
                for (size_t i = 0; i < n && ok; i++) {
                    const char *want = json_string_value(json_array_get(ids, i));
                    const char *got = ald_obsset_get(set, o.sdo[i])->container_id;
                    if ((want == NULL) != (got == NULL) || (want && strcmp(want, got) != 0)) {
                        ok = 0;
                        snprintf(why, sizeof why, "observation %zu is in %s, expected %s", i,
                                 got ? got : "null", want ? want : "null");
                    }
                }
            }
        }
        if (ok) {
            passed++;
        } else {
            failed++;
            print_message("FAIL %s %s -> %s (expected %s) %s\n", id, pattern, o.what, expected,
                          why);
        }
        ald_obsset_free(set);
        free(text);
        json_decref(c);
    }
    print_message("matcher cases: %zu/%zu pass, %zu failures\n", passed, total, failed);
    assert_int_equal(total, 228);
    assert_int_equal(failed, 0);
    json_decref(sets);
    free(obs_text);
    free(cases);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(all_cases),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
