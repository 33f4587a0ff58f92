/*
 * test_tlp.c - TLP marking-definition ids: every TLP 2.0 id and name of the
 * published definitions (../shared/data/cti/tlp) maps to its level and back,
 * the TLP 1.0 ids map to their 2.0 level (WHITE -> CLEAR), others are NONE.
 */
#include "testutil.h"

#include <jansson.h>
#include <string.h>

#include "alidade/stix.h"

static void levels_round_trip(void **state)
{
    (void)state;
    for (int t = STIX_TLP_CLEAR; t <= STIX_TLP_RED; t++) {
        const char *id = stix_tlp_id((enum stix_tlp)t);
        assert_non_null(id);
        assert_int_equal(stix_tlp_of(id), t);
    }
    assert_string_equal(stix_tlp_id(STIX_TLP_AMBER_STRICT),
                        "marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003");
    assert_null(stix_tlp_id(STIX_TLP_NONE));
    assert_null(stix_tlp_id((enum stix_tlp)99));
}

static void not_tlp(void **state)
{
    (void)state;
    assert_int_equal(stix_tlp_of(NULL), STIX_TLP_NONE);
    assert_int_equal(stix_tlp_of(""), STIX_TLP_NONE);
    /* a statement marking, and a TLP id in upper case (ids are exact text) */
    assert_int_equal(stix_tlp_of("marking-definition--34098fce-860f-48ae-8e50-ebd3cc5e41db"),
                     STIX_TLP_NONE);
    assert_int_equal(stix_tlp_of("marking-definition--E828B379-4E03-4974-9AC4-E53A884C97C1"),
                     STIX_TLP_NONE);
    assert_int_equal(stix_tlp_of("marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1x"),
                     STIX_TLP_NONE);
}

static enum stix_tlp level_of_name(const char *s)
{
    static const char *names[] = {"clear", "green", "amber", "amber+strict", "red"};
    for (int i = 0; i < 5; i++)
        if (strcmp(s, names[i]) == 0)
            return (enum stix_tlp)i;
    return STIX_TLP_NONE;
}

static void published_definitions(void **state)
{
    (void)state;
    TU_NEED_SHARED(path, "cti/tlp/tlp-marking-definitions.json");
    json_error_t je;
    json_t *root = json_load_file(path, 0, &je);
    assert_non_null(root);
    json_t *defs = json_object_get(root, "tlp_2_0_marking_definitions");
    assert_int_equal(json_array_size(defs), 5);
    size_t i;
    json_t *d;
    json_array_foreach(defs, i, d) {
        const char *id = json_string_value(json_object_get(d, "id"));
        json_t *ext = json_object_get(json_object_get(d, "extensions"),
                                      "extension-definition--60a3c5c5-0d10-413e-aab3-9e08dde9e88d");
        enum stix_tlp want = level_of_name(json_string_value(json_object_get(ext, "tlp_2_0")));
        assert_int_not_equal(want, STIX_TLP_NONE);
        assert_int_equal(stix_tlp_of(id), want);
        assert_string_equal(stix_tlp_id(want), id);
    }
    json_t *v1 = json_object_get(root, "tlp_1_0_marking_definition_ids");
    static const struct { const char *k; enum stix_tlp t; } old[] = {
        {"white", STIX_TLP_CLEAR}, {"green", STIX_TLP_GREEN}, {"amber", STIX_TLP_AMBER},
        {"red", STIX_TLP_RED}};
    for (size_t k = 0; k < 4; k++) {
        const char *id = json_string_value(json_object_get(v1, old[k].k));
        assert_non_null(id);
        assert_int_equal(stix_tlp_of(id), old[k].t);
        assert_string_not_equal(stix_tlp_id(old[k].t), id);
    }
    json_decref(root);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(levels_round_trip),
        cmocka_unit_test(not_tlp),
        cmocka_unit_test(published_definitions),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
