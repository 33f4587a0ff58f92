/*
 * tlp.c - TLP marking-definition ids (stix_tlp_id, stix_tlp_of).
 *
 * TLP 2.0 ids are FIRST's marking definitions as published by OASIS
 * (cti-stix-common-objects, extension-definition-specifications/tlp-2.0),
 * TLP 1.0 ids are the four fixed ones of STIX 2.1 section 7.2.1.4; both
 * checked against ../shared/data/cti/tlp/tlp-marking-definitions.json by
 * tests/stix/test_tlp.c. TLP 1.0 WHITE maps to TLP 2.0 CLEAR.
 */
#include <stdio.h>
#include <string.h>

#include "alidade/stix.h"

/* One row per known marking-definition id. */
static const struct {
    const char *id;
    enum stix_tlp level;
    bool v2;                         /* the TLP 2.0 id of its level */
} tlp_ids[] = {
    {"marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487", STIX_TLP_CLEAR, true},
    {"marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb", STIX_TLP_GREEN, true},
    {"marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421", STIX_TLP_AMBER, true},
    {"marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003", STIX_TLP_AMBER_STRICT, true},
    {"marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1", STIX_TLP_RED, true},
    /* TLP 1.0 (STIX 2.1 section 7.2.1.4) */
    {"marking-definition--613f2e26-407d-48c7-9eca-b8e91df99dc9", STIX_TLP_CLEAR, false},
    {"marking-definition--34098fce-860f-48ae-8e50-ebd3cc5e41da", STIX_TLP_GREEN, false},
    {"marking-definition--f88d31f6-486f-44da-b317-01333bde0b82", STIX_TLP_AMBER, false},
    {"marking-definition--5e57c739-391a-4eb3-b6be-7d15ca92d5ed", STIX_TLP_RED, false},
};

#define NTLP (sizeof tlp_ids / sizeof tlp_ids[0])

const char *stix_tlp_id(enum stix_tlp t)
{
    for (size_t i = 0; i < NTLP; i++)
        if (tlp_ids[i].v2 && tlp_ids[i].level == t)
            return tlp_ids[i].id;
    return NULL;
}

/* Ids are compared exactly: STIX identifiers are case-sensitive text and
 * every producer writes these in lower case. */
enum stix_tlp stix_tlp_of(const char *marking_id)
{
    if (!marking_id)
        return STIX_TLP_NONE;
    for (size_t i = 0; i < NTLP; i++)
        if (strcmp(tlp_ids[i].id, marking_id) == 0)
            return tlp_ids[i].level;
    return STIX_TLP_NONE;
}

/* The TLP 2.0 extension and the date FIRST's definitions carry. */
#define TLP_EXT "extension-definition--60a3c5c5-0d10-413e-aab3-9e08dde9e88d"
#define TLP_CREATED "2022-10-01T00:00:00.000Z"

size_t stix_tlp_definition(enum stix_tlp t, char *dst, size_t cap)
{
    static const char *const label[] = {"CLEAR", "GREEN", "AMBER", "AMBER+STRICT", "RED"};
    static const char *const value[] = {"clear", "green", "amber", "amber+strict", "red"};
    const char *id = stix_tlp_id(t);
    if (!id)
        return 0;
    int n = snprintf(dst, cap,
                     "{\"type\":\"marking-definition\",\"spec_version\":\"2.1\",\"id\":\"%s\","
                     "\"created\":\"" TLP_CREATED "\",\"name\":\"TLP:%s\",\"extensions\":{\""
                     TLP_EXT "\":{\"extension_type\":\"property-extension\",\"tlp_2_0\":\"%s\"}}}",
                     id, label[t], value[t]);
    return n > 0 && (size_t)n < cap ? (size_t)n : 0;
}
