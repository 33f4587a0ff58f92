/*
 * fuzz_misp.c - libFuzzer target for lib/misp: every input is tried as a
 * MISP event document, as a feed's manifest.json and as a warninglist.
 *
 * Oracles (abort on failure):
 *  - convert: every object written passes stix_check without a problem and
 *    is JSON; a rejected document writes nothing; the counts add up
 *    (attributes = indicators - object indicators + folded + skipped);
 *  - manifest: every uuid handed over is 36 characters of lower-case hex
 *    and dashes (they become file names);
 *  - warninglist: for each entry of the list, and for the input itself, in
 *    every kind, ald_wlset_match returns the first list ald_wlset_match_all
 *    finds (NULL exactly when it finds none); a list that fails to load
 *    leaves the set empty.
 * Seeds: fuzz/seeds/misp (events, a manifest, lists of three types).
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "alidade/misp.h"
#include "alidade/stix.h"

#include "fuzz_abort.h"

static int emit(void *ctx, const char *json, size_t len)
{
    size_t *n = ctx;
    struct stix_problem p[2];
    size_t np = stix_check(json, len, 0, NULL, p, 2);
    if (np)
        fprintf(stderr, "%s: %s: %s\n%.*s\n", p[0].id, p[0].property, p[0].message, (int)len,
                json);
    FZ_CHECK(np == 0, "converted object is valid STIX");
    json_t *v = json_loadb(json, len, 0, NULL);
    FZ_CHECK(v != NULL, "converted object is JSON");
    json_decref(v);
    (*n)++;
    return 0;
}

static void fuzz_convert(const uint8_t *d, size_t n)
{
    size_t written = 0;
    ald_misp_conv *c = ald_misp_conv_new(emit, NULL, &written);
    if (!c)
        return;
    struct ald_errpos ep;
    ald_err e = ald_misp_convert_event(c, (const char *)d, n, &ep);
    const struct ald_misp_stats *st = ald_misp_conv_stats(c);
    if (e == ALD_E_JSON || e == ALD_E_MISP) {
        FZ_CHECK(written == 0, "a rejected document writes nothing");
        FZ_CHECK(st->events_bad == 1, "a rejected document is counted");
        FZ_CHECK(memchr(ep.msg, 0, sizeof ep.msg) != NULL, "error message terminated");
    }
    if (e == ALD_E_OK) {
        size_t sum = st->indicators - st->object_indicators + st->combined + st->skip_deleted +
                     st->skip_not_ids + st->skip_invalid + st->skip_unmapped;
        FZ_CHECK(st->object_indicators <= st->indicators, "object indicators <= indicators");
        FZ_CHECK(sum == st->attributes, "every attribute is counted once");
        size_t un = st->unmapped_other;
        for (size_t i = 0; i < st->nunmapped; i++)
            un += st->unmapped[i].n;
        FZ_CHECK(un == st->skip_unmapped, "unmapped counts per type add up");
    }
    ald_misp_conv_free(c);
}

static int on_uuid(void *ctx, const char *u)
{
    (void)ctx;
    FZ_CHECK(strlen(u) == 36, "manifest uuid length");
    for (int i = 0; i < 36; i++) {
        char ch = u[i];
        bool ok = (i == 8 || i == 13 || i == 18 || i == 23)
                      ? ch == '-'
                      : (ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'f');
        FZ_CHECK(ok, "manifest uuid is lower-case hex");
    }
    return 0;
}

static void check_value(const ald_wlset *s, const char *v, size_t len)
{
    size_t idx[8];
    for (int k = 0; k < ALD_OBS__COUNT; k++) {
        const char *first = ald_wlset_match(s, (ald_obs_kind)k, v, len);
        size_t m = ald_wlset_match_all(s, (ald_obs_kind)k, v, len, idx, 8);
        FZ_CHECK((first == NULL) == (m == 0), "match and match_all agree on a hit");
        if (m)
            FZ_CHECK(first == ald_wlset_name(s, idx[0]), "match returns the first list");
    }
}

static void fuzz_warninglist(const uint8_t *d, size_t n)
{
    ald_wlset *s = ald_wlset_new();
    if (!s)
        return;
    struct ald_errpos ep;
    ald_err e = ald_wlset_load_json(s, (const char *)d, n, "fuzz", &ep);
    if (e != ALD_E_OK) {
        FZ_CHECK(ald_wlset_count(s) == 0 || e == ALD_E_NOMEM, "a failed list is not added");
    } else {
        json_t *root = json_loadb((const char *)d, n, 0, NULL);
        size_t i;
        json_t *v;
        json_array_foreach(json_object_get(root, "list"), i, v) {
            if (i >= 64)
                break;
            check_value(s, json_string_value(v), json_string_length(v));
        }
        json_decref(root);
    }
    check_value(s, (const char *)d, n < 256 ? n : 256);
    ald_wlset_free(s);
}

int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n)
{
    if (n > (1 << 20))
        return 0;
    fuzz_convert(d, n);
    (void)ald_misp_manifest((const char *)d, n, on_uuid, NULL, NULL);
    fuzz_warninglist(d, n);
    return 0;
}
