/*
 * fuzz_drill.c - libFuzzer target for the drill scenario parser
 * (lib/drill/scenario.c): scenario files are operator input.
 *
 * Oracles (abort on failure):
 *  - a refused scenario says why: a code (JSON or ARG) and a message, and a
 *    JSON syntax error a line;
 *  - an accepted one is consistent: counts within their arrays' bounds,
 *    every nation found by its name at its own index, every agreement
 *    between two different known nations, positive length and speed;
 *  - parsing is deterministic: the same bytes give the same scenario.
 * Seeds: data/drills/*.json and tests/drill/push_chain.json (scripts/fuzz.sh).
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alidade/drill.h"

#include "fuzz_abort.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct drill_scenario sc, again;   /* large: not on the stack */
    struct drill_err err;
    memset(&err, 0, sizeof err);
    ald_err e = drill_scenario_parse((const char *)data, size, &sc, &err);
    if (e != ALD_E_OK) {
        FZ_CHECK(e == err.code, "the error returned is the one described");
        FZ_CHECK(err.code == ALD_E_JSON || err.code == ALD_E_ARG, "error code");
        FZ_CHECK(err.msg[0] != '\0', "a refusal says why");
        FZ_CHECK(memchr(err.msg, '\0', sizeof err.msg) && memchr(err.path, '\0', sizeof err.path),
                 "terminated strings");
        return 0;
    }
    FZ_CHECK(sc.nnations >= 1 && sc.nnations <= DRILL_MAX_NATIONS, "nation count");
    FZ_CHECK(sc.nagreements <= DRILL_MAX_AGREEMENTS, "agreement count");
    FZ_CHECK(sc.nintrusions <= DRILL_MAX_INTRUSIONS, "intrusion count");
    FZ_CHECK(sc.hours > 0 && sc.speed > 0, "length and speed");
    for (unsigned i = 0; i < sc.nnations; i++) {
        FZ_CHECK(sc.nations[i].name[0] != '\0', "nation name");
        FZ_CHECK(drill_nation_index(&sc, sc.nations[i].name) == (int)i, "names are unique");
    }
    for (unsigned i = 0; i < sc.nagreements; i++) {
        const struct drill_agreement *a = &sc.agreements[i];
        FZ_CHECK(a->from < sc.nnations && a->to < sc.nnations && a->from != a->to,
                 "agreements join two known nations");
    }
    memset(&err, 0, sizeof err);
    FZ_CHECK(drill_scenario_parse((const char *)data, size, &again, &err) == ALD_E_OK,
             "deterministic");
    FZ_CHECK(again.nnations == sc.nnations && again.nagreements == sc.nagreements &&
                 again.nintrusions == sc.nintrusions && strcmp(again.name, sc.name) == 0,
             "same scenario twice");
    return 0;
}
