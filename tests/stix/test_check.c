/*
 * test_check.c - stix_check: every object of both ATT&CK ICS bundles and of
 * the OASIS examples is valid; struct stix_info from real objects; one
 * hand-made invalid object per rule with the exact problem (id, property,
 * message); problems past `max` are counted; invalid JSON.
 */
#include "testutil.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "alidade/stix.h"

/* ---- real data: everything valid ---- */

struct tally {
    const char *file;
    size_t objects, bad;
};

static int check_one(void *ctx, const char *obj, size_t len, size_t index)
{
    struct tally *t = ctx;
    struct stix_problem p[8];
    struct stix_info info;
    size_t n = stix_check(obj, len, index, &info, p, 8);
    for (size_t i = 0; i < n && i < 8; i++)
        print_message("%s: %s: %s: %s\n", t->file, p[i].id, p[i].property, p[i].message);
    t->bad += n != 0;
    t->objects++;
    /* what every valid object gives */
    if (n == 0) {
        assert_true(strlen(info.type) >= 3);
        assert_int_equal(strncmp(info.id, info.type, strlen(info.type)), 0);
    }
    return 0;
}

static size_t check_file(const char *path)
{
    size_t len;
    char *text = tu_read_file(path, &len);
    assert_non_null(text);
    struct tally t = {path, 0, 0};
    char err[160];
    assert_int_equal(stix_split(text, len, check_one, &t, err, sizeof err), 0);
    free(text);
    assert_int_equal(t.bad, 0);
    return t.objects;
}

static double seconds(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + t.tv_nsec / 1e9;
}

static void attack_valid(void **state)
{
    (void)state;
    TU_NEED_SHARED(p1, "cti/attack/ics-attack.json");
    double t0 = seconds();
    assert_int_equal(check_file(p1), 1826);
    /* informative: split + check (jansson parse included), this build */
    print_message("ATT&CK ICS v18.1: 1826 objects split and checked at %.0f objects/s\n",
                  1826 / (seconds() - t0));
    TU_NEED_SHARED(p2, "cti/attack/ics-attack-17.1.json");
    assert_true(check_file(p2) > 1000);
}

static size_t check_dir(const char *dir)
{
    DIR *d = opendir(dir);
    assert_non_null(d);
    struct dirent *e;
    size_t n = 0;
    while ((e = readdir(d)) != NULL) {
        size_t k = strlen(e->d_name);
        if (k < 6 || strcmp(e->d_name + k - 5, ".json") != 0)
            continue;
        char path[1024];
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        n += check_file(path);
    }
    closedir(d);
    return n;
}

static void oasis_examples_valid(void **state)
{
    (void)state;
    TU_NEED_SHARED(ex, "cti/stix2-json-schemas/examples");
    char dir[1024];
    snprintf(dir, sizeof dir, "%s", ex);
    size_t n = check_dir(dir);
    snprintf(dir, sizeof dir, "%s/threat-reports", ex);
    n += check_dir(dir);
    print_message("%zu OASIS example objects valid\n", n);
    assert_true(n > 100);
}


/* ---- hand-made objects: one problem per rule ---- */

#define IND_ID "indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f"
#define IDENT "identity--f431f809-377b-45e0-aa1c-6a4751cae5ff"
#define MARK_RED "marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1"
#define MARK_GREEN "marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb"
#define MALWARE "malware--31b940d4-6f7f-459a-80ea-9c1f17b5891b"

static const char *indicator =
    "{\"type\":\"indicator\",\"spec_version\":\"2.1\",\"id\":\"" IND_ID "\","
    "\"created\":\"2016-04-06T20:03:48.000Z\",\"modified\":\"2016-04-06T20:03:48.000Z\","
    "\"name\":\"C2\",\"labels\":[\"malicious-activity\"],"
    "\"pattern\":\"[ipv4-addr:value = '198.51.100.1']\",\"pattern_type\":\"stix\","
    "\"valid_from\":\"2016-01-01T00:00:00Z\"}";

/* `base` with the members of `set` added or replaced and the
 * comma-separated keys of `del` removed; malloc'd text. */
static char *mutate(const char *base, const char *set, const char *del)
{
    json_error_t je;
    json_t *o = json_loads(base, 0, &je);
    assert_non_null(o);
    if (set) {
        json_t *s = json_loads(set, 0, &je);
        if (!s)
            fail_msg("bad test JSON %s: %s", set, je.text);
        json_object_update(o, s);
        json_decref(s);
    }
    char keys[256];
    snprintf(keys, sizeof keys, "%s", del ? del : "");
    for (char *k = strtok(keys, ","); k; k = strtok(NULL, ","))
        json_object_del(o, k);
    char *text = json_dumps(o, JSON_COMPACT);
    json_decref(o);
    return text;
}

/* The object has exactly the `n` problems listed as id|property|message. */
static void expect_problems(const char *json, size_t n, const char *const *want)
{
    struct stix_problem p[16];
    size_t got = stix_check(json, strlen(json), 3, NULL, p, 16);
    for (size_t i = 0; i < got && i < 16; i++) {
        char line[700];
        snprintf(line, sizeof line, "%.288s|%.127s|%.199s", p[i].id, p[i].property, p[i].message);
        if (i >= n || strcmp(line, want[i]) != 0)
            fail_msg("%s\nproblem %zu: %s\nwanted:     %s", json, i, line, i < n ? want[i] : "none");
    }
    if (got != n)
        fail_msg("%s\n%zu problems, wanted %zu", json, got, n);
}

/* `base` changed by set/del has exactly one problem. */
static void expect1(const char *base, const char *set, const char *del, const char *want)
{
    char *j = mutate(base, set, del);
    expect_problems(j, 1, &want);
    free(j);
}

static void expect_valid(const char *base, const char *set, const char *del)
{
    char *j = mutate(base, set, del);
    expect_problems(j, 0, NULL);
    free(j);
}

static void common_properties(void **state)
{
    (void)state;
    expect_valid(indicator, NULL, NULL);
    expect1(indicator, NULL, "type", IND_ID "|type|is required");
    expect1(indicator, "{\"type\":\"in\"}", NULL, IND_ID "|type|\"in\" must be 3 to 250 characters");
    /* a short type makes the id's type part invalid too */
    const char *shortt[] = {"ab--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f|type|\"ab\" must be 3 to 250 characters",
                            "ab--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f|id|has an invalid type part"};
    char *j = mutate(indicator, "{\"id\":\"ab--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f\",\"type\":\"ab\"}", NULL);
    expect_problems(j, 2, shortt);
    free(j);
    expect1(indicator, "{\"type\":\"Indicator\"}", NULL,
            IND_ID "|type|\"Indicator\" must begin with a lower-case letter");
    const char *dashes[] = {"x--y--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f|type|\"x--y\" must not contain \"--\" "
                            "(it separates type and UUID in ids)",
                            "x--y--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f|id|has an invalid type part"};
    j = mutate(indicator, "{\"type\":\"x--y\",\"id\":\"x--y--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f\"}", NULL);
    expect_problems(j, 2, dashes);
    free(j);
    expect1(indicator, NULL, "id", "object 3|id|is required");
    expect1(indicator, "{\"id\":42}", NULL, "object 3|id|must be a string");
    expect1(indicator, "{\"id\":\"indicator--8e2e2d2b-17d4-4cbf-738f-98ee46b3cd3f\"}", NULL,
            "indicator--8e2e2d2b-17d4-4cbf-738f-98ee46b3cd3f|id|has a UUID that is not of the "
            "RFC 4122 variant");
    expect1(indicator, "{\"id\":\"indicator--8e2e2d2b-17d4-6cbf-938f-98ee46b3cd3f\"}", NULL,
            "indicator--8e2e2d2b-17d4-6cbf-938f-98ee46b3cd3f|id|has a UUID whose version is not "
            "1-5 (RFC 4122)");
    expect1(indicator, "{\"id\":\"indicator--8e2e2d2b17d4-4cbf-938f-98ee46b3cd3f0\"}", NULL,
            "indicator--8e2e2d2b17d4-4cbf-938f-98ee46b3cd3f0|id|does not end in a UUID "
            "(8-4-4-4-12 hex digits)");
    expect1(indicator, "{\"id\":\"" MALWARE "\"}", NULL,
            MALWARE "|id|type part \"malware\" differs from type \"indicator\"");
    expect1(indicator, "{\"spec_version\":\"2.0\"}", NULL, IND_ID "|spec_version|must be \"2.1\"");
    expect1(indicator, NULL, "spec_version",
            IND_ID "|spec_version|is required (STIX 2.0 objects have none; this takes STIX 2.1)");
    expect1(indicator, NULL, "modified", IND_ID "|modified|is required");
    expect1(indicator, "{\"created\":\"2016-04-06T20:03:48Z\",\"modified\":\"2016-04-06T20:03:48.000Z\"}",
            NULL, IND_ID "|created|must be precise to the millisecond (e.g. 2016-05-12T08:17:27.000Z)");
    expect1(indicator, "{\"modified\":\"2016-04-06 20:03:48.000Z\"}", NULL,
            IND_ID "|modified|must be an RFC 3339 UTC timestamp (YYYY-MM-DDTHH:MM:SS[.s+]Z)");
    expect1(indicator, "{\"modified\":\"2016-04-06T20:03:47.999Z\"}", NULL,
            IND_ID "|modified|must be at or after created");
    expect_valid(indicator, "{\"modified\":\"2016-04-06T20:03:48.000001Z\"}", NULL);
    expect1(indicator, "{\"created_by_ref\":\"" MALWARE "\"}", NULL,
            IND_ID "|created_by_ref|must be an identity id, not a malware id");
    expect1(indicator, "{\"created_by_ref\":\"identity--1\"}", NULL,
            IND_ID "|created_by_ref|\"identity--1\" does not end in a UUID (8-4-4-4-12 hex digits)");
    expect1(indicator, "{\"revoked\":\"no\"}", NULL, IND_ID "|revoked|must be a boolean");
    expect1(indicator, "{\"labels\":[]}", NULL, IND_ID "|labels|lists must not be empty");
    expect1(indicator, "{\"labels\":[1]}", NULL, IND_ID "|labels|must be a list of strings");
    expect1(indicator, "{\"confidence\":101}", NULL, IND_ID "|confidence|must be 0 to 100");
    expect1(indicator, "{\"confidence\":50.5}", NULL, IND_ID "|confidence|must be an integer");
}

static void references(void **state)
{
    (void)state;
    expect_valid(indicator, "{\"object_marking_refs\":[\"" MARK_RED "\"],\"created_by_ref\":\"" IDENT "\"}", NULL);
    expect1(indicator, "{\"object_marking_refs\":[]}", NULL,
            IND_ID "|object_marking_refs|lists must not be empty");
    expect1(indicator, "{\"object_marking_refs\":\"" MARK_RED "\"}", NULL,
            IND_ID "|object_marking_refs|must be a non-empty list of identifiers");
    expect1(indicator, "{\"object_marking_refs\":[\"" MARK_RED "\",\"" IDENT "\"]}", NULL,
            IND_ID "|object_marking_refs[1]|must be a marking-definition id, not an identity id");
    expect1(indicator, "{\"x_acme_target_refs\":[\"" IDENT "\",7]}", NULL,
            IND_ID "|x_acme_target_refs[1]|must be an identifier string");
    /* a custom property may hold "" for no reference, a spec one may not */
    expect_valid(indicator, "{\"x_acme_source_ref\":\"\"}", NULL);
    expect1(indicator, "{\"created_by_ref\":\"\"}", NULL,
            IND_ID "|created_by_ref|\"\" is not an identifier (type--UUID)");
    expect1(indicator, "{\"x_alidade_recipients\":[\"" MARK_RED "\"]}", NULL,
            IND_ID "|x_alidade_recipients[0]|must be an identity id, not a marking-definition id");
    /* references nested in extensions are identifiers too */
    expect1(indicator, "{\"extensions\":{\"extension-definition--d83fce45-ef58-4c6c-a3f4-1fbc32e98c6e\":"
            "{\"extension_type\":\"property-extension\",\"rank_ref\":\"x\"}}}", NULL,
            IND_ID "|extensions.extension-definition--d83fce45-ef58-4c6c-a3f4-1fbc32e98c6e.rank_ref|"
            "\"x\" is not an identifier (type--UUID)");
}

#define REL_ID "relationship--44298a74-ba52-4f0c-87a3-1824e67d7fad"
#define SIGHT_ID "sighting--ee20065d-2555-424f-ad9e-0f8428623c75"

static void relationships_and_sightings(void **state)
{
    (void)state;
    const char *rel =
        "{\"type\":\"relationship\",\"spec_version\":\"2.1\",\"id\":\"" REL_ID "\","
        "\"created\":\"2016-04-06T20:06:37.000Z\",\"modified\":\"2016-04-06T20:06:37.000Z\","
        "\"relationship_type\":\"indicates\",\"source_ref\":\"" IND_ID "\",\"target_ref\":\"" MALWARE "\"}";
    expect_valid(rel, NULL, NULL);
    expect1(rel, NULL, "target_ref", REL_ID "|target_ref|is required for relationship");
    expect1(rel, "{\"source_ref\":\"" SIGHT_ID "\"}", NULL,
            REL_ID "|source_ref|must be an SDO or SCO id, not a sighting id");
    expect1(rel, "{\"target_ref\":\"" MARK_RED "\"}", NULL,
            REL_ID "|target_ref|must be an SDO or SCO id, not a marking-definition id");
    expect_valid(rel, "{\"target_ref\":\"ipv4-addr--ff26c055-6336-5bc5-b98d-13d6226742dd\"}", NULL);
    expect1(rel, "{\"start_time\":\"2020-01-01T00:00:00Z\",\"stop_time\":\"2020-01-01T00:00:00Z\"}", NULL,
            REL_ID "|stop_time|must be later than start_time");
    const char *sig =
        "{\"type\":\"sighting\",\"spec_version\":\"2.1\",\"id\":\"" SIGHT_ID "\","
        "\"created\":\"2016-04-06T20:08:31.000Z\",\"modified\":\"2016-04-06T20:08:31.000Z\","
        "\"sighting_of_ref\":\"" IND_ID "\",\"where_sighted_refs\":[\"" IDENT "\"],"
        "\"first_seen\":\"2016-04-06T20:00:00Z\",\"last_seen\":\"2016-04-06T21:00:00Z\",\"count\":3}";
    expect_valid(sig, NULL, NULL);
    expect1(sig, NULL, "sighting_of_ref", SIGHT_ID "|sighting_of_ref|is required for sighting");
    expect1(sig, "{\"sighting_of_ref\":\"" REL_ID "\"}", NULL,
            SIGHT_ID "|sighting_of_ref|must be an SDO id, not a relationship id");
    expect_valid(sig, "{\"sighting_of_ref\":\"x-acme-thing--2b3bfe19-d59a-460d-93bb-2f546adc2d2c\"}", NULL);
    expect1(sig, "{\"where_sighted_refs\":[\"" IDENT "\",\"" MALWARE "\"]}", NULL,
            SIGHT_ID "|where_sighted_refs[1]|must be an identity/location id, not a malware id");
    expect1(sig, "{\"observed_data_refs\":[\"" IND_ID "\"]}", NULL,
            SIGHT_ID "|observed_data_refs[0]|must be an observed-data id, not an indicator id");
    expect1(sig, "{\"last_seen\":\"2016-04-06T19:59:59.999Z\"}", NULL,
            SIGHT_ID "|last_seen|must be at or after first_seen");
    expect1(sig, "{\"count\":1000000000}", NULL, SIGHT_ID "|count|must be 0 to 999999999");
}

#define MAL_SDO "{\"type\":\"malware\",\"spec_version\":\"2.1\",\"id\":\"" MALWARE "\"," \
    "\"created\":\"2016-04-06T20:07:09.000Z\",\"modified\":\"2016-04-06T20:07:09.000Z\"," \
    "\"name\":\"Poison Ivy\",\"is_family\":true}"

static void per_type_rules(void **state)
{
    (void)state;
    expect1(indicator, NULL, "pattern", IND_ID "|pattern|is required for indicator");
    expect1(indicator, NULL, "valid_from", IND_ID "|valid_from|is required for indicator");
    expect1(indicator, "{\"valid_until\":\"2016-01-01T00:00:00Z\"}", NULL,
            IND_ID "|valid_until|must be later than valid_from");
    expect_valid(MAL_SDO, NULL, NULL);
    expect_valid(MAL_SDO, "{\"is_family\":false}", "name");
    expect1(MAL_SDO, NULL, "name", MALWARE "|name|is required when is_family is true");
    expect1(MAL_SDO, NULL, "is_family", MALWARE "|is_family|is required for malware");
    expect1(MAL_SDO, "{\"is_family\":\"true\"}", NULL, MALWARE "|is_family|must be a boolean");
    expect1(MAL_SDO, "{\"sample_refs\":[\"" IDENT "\"]}", NULL,
            MALWARE "|sample_refs[0]|must be a file/artifact id, not an identity id");
    const char *loc = "{\"type\":\"location\",\"spec_version\":\"2.1\","
                      "\"id\":\"location--a6e9345f-5a15-4c29-8bb3-7dcc5d168d64\","
                      "\"created\":\"2016-04-06T20:03:00.000Z\",\"modified\":\"2016-04-06T20:03:00.000Z\","
                      "\"latitude\":48.8566,\"longitude\":2.3522}";
    expect_valid(loc, NULL, NULL);
    expect1(loc, "{\"latitude\":91}", NULL,
            "location--a6e9345f-5a15-4c29-8bb3-7dcc5d168d64|latitude|must be -90.0 to 90.0");
    expect1(loc, "{\"region\":\"europe\"}", "longitude",
            "location--a6e9345f-5a15-4c29-8bb3-7dcc5d168d64|longitude|latitude and longitude go together");
    expect1(loc, NULL, "latitude,longitude",
            "location--a6e9345f-5a15-4c29-8bb3-7dcc5d168d64||a location needs region, country, "
            "or latitude and longitude");
    const char *rep = "{\"type\":\"report\",\"spec_version\":\"2.1\","
                      "\"id\":\"report--84e4d88f-44ea-4bcd-bbf3-b2c1c320bcb3\","
                      "\"created\":\"2015-12-21T19:59:11.000Z\",\"modified\":\"2015-12-21T19:59:11.000Z\","
                      "\"name\":\"The Black Vine Cyberespionage Group\",\"published\":\"2016-01-20T17:00:00Z\","
                      "\"object_refs\":[\"" IND_ID "\"]}";
    expect_valid(rep, NULL, NULL);
    expect1(rep, NULL, "published",
            "report--84e4d88f-44ea-4bcd-bbf3-b2c1c320bcb3|published|is required for report");
    expect1(rep, "{\"published\":\"2016-01-20\"}", NULL,
            "report--84e4d88f-44ea-4bcd-bbf3-b2c1c320bcb3|published|must be an RFC 3339 UTC "
            "timestamp (YYYY-MM-DDTHH:MM:SS[.s+]Z)");
    const char *op = "{\"type\":\"opinion\",\"spec_version\":\"2.1\","
                     "\"id\":\"opinion--b01efc25-77b4-4003-b18b-f6e24b5cd9f7\","
                     "\"created\":\"2016-05-12T08:17:27.000Z\",\"modified\":\"2016-05-12T08:17:27.000Z\","
                     "\"opinion\":\"agree\",\"object_refs\":[\"" REL_ID "\"]}";
    expect_valid(op, NULL, NULL);
    expect1(op, "{\"opinion\":\"maybe\"}", NULL,
            "opinion--b01efc25-77b4-4003-b18b-f6e24b5cd9f7|opinion|must be strongly-disagree, "
            "disagree, neutral, agree or strongly-agree");
    const char *od = "{\"type\":\"observed-data\",\"spec_version\":\"2.1\","
                     "\"id\":\"observed-data--b67d30ff-02ac-498a-92f9-32f845f448cf\","
                     "\"created\":\"2016-04-06T19:58:16.000Z\",\"modified\":\"2016-04-06T19:58:16.000Z\","
                     "\"first_observed\":\"2015-12-21T19:00:00Z\",\"last_observed\":\"2015-12-21T19:00:00Z\","
                     "\"number_observed\":50,"
                     "\"object_refs\":[\"ipv4-addr--efcd5e80-570d-4131-b213-62cb18eaa6a8\"]}";
    expect_valid(od, NULL, NULL);
    expect1(od, "{\"number_observed\":0}", NULL,
            "observed-data--b67d30ff-02ac-498a-92f9-32f845f448cf|number_observed|must be 1 to 999999999");
    expect1(od, "{\"object_refs\":[\"" IND_ID "\"]}", NULL,
            "observed-data--b67d30ff-02ac-498a-92f9-32f845f448cf|object_refs[0]|must be an SCO or "
            "relationship id, not an indicator id");
    expect1(od, "{\"last_observed\":\"2015-12-21T18:00:00Z\"}", NULL,
            "observed-data--b67d30ff-02ac-498a-92f9-32f845f448cf|last_observed|must be at or after "
            "first_observed");
    /* the deprecated 2.0-style "objects" refer to each other by local key */
    expect_valid(od, "{\"objects\":{\"0\":{\"type\":\"ipv4-addr\",\"value\":\"10.0.0.1\"},"
                 "\"1\":{\"type\":\"network-traffic\",\"src_ref\":\"0\",\"protocols\":[\"tcp\"]}}}",
                 "object_refs");
    expect1(od, NULL, "object_refs",
            "observed-data--b67d30ff-02ac-498a-92f9-32f845f448cf|object_refs|observed-data needs "
            "exactly one of object_refs and objects");
    /* every SDO's required properties */
    static const char *const sdo_name[] = {"attack-pattern", "campaign", "course-of-action", "identity",
        "incident", "infrastructure", "intrusion-set", "threat-actor", "tool", "vulnerability"};
    for (size_t i = 0; i < sizeof sdo_name / sizeof sdo_name[0]; i++) {
        char obj[512], want[256];
        snprintf(obj, sizeof obj, "{\"type\":\"%s\",\"spec_version\":\"2.1\","
                 "\"id\":\"%s--0c7b5b88-8ff7-4a4d-aa9d-feb398cd0061\",\"created\":\"2016-05-12T08:17:27.000Z\","
                 "\"modified\":\"2016-05-12T08:17:27.000Z\",\"name\":\"x\"}", sdo_name[i], sdo_name[i]);
        expect_valid(obj, NULL, NULL);
        snprintf(want, sizeof want, "%s--0c7b5b88-8ff7-4a4d-aa9d-feb398cd0061|name|is required for %s",
                 sdo_name[i], sdo_name[i]);
        expect1(obj, NULL, "name", want);
    }
}

static void structures(void **state)
{
    (void)state;
    expect_valid(indicator, "{\"external_references\":[{\"source_name\":\"capec\",\"external_id\":\"CAPEC-163\"},"
                 "{\"source_name\":\"x\",\"url\":\"https://example.org\"}]}", NULL);
    expect1(indicator, "{\"external_references\":[{\"source_name\":\"x\",\"url\":\"u\"},{\"url\":\"u\"}]}", NULL,
            IND_ID "|external_references[1]|source_name is required (a string)");
    expect1(indicator, "{\"external_references\":[{\"source_name\":\"x\"}]}", NULL,
            IND_ID "|external_references[0]|needs description, url or external_id besides source_name");
    expect1(indicator, "{\"external_references\":[{\"source_name\":\"cve\",\"url\":\"u\"}]}", NULL,
            IND_ID "|external_references[0]|a cve reference needs external_id CVE-YYYY-NNNN");
    expect_valid(indicator, "{\"kill_chain_phases\":[{\"kill_chain_name\":\"mitre-attack\","
                 "\"phase_name\":\"persistence\"}]}", NULL);
    expect1(indicator, "{\"kill_chain_phases\":[{\"kill_chain_name\":\"mitre-attack\","
            "\"phase_name\":\"persistence\"},{\"phase_name\":\"x\"}]}", NULL,
            IND_ID "|kill_chain_phases[1]|needs kill_chain_name and phase_name (strings)");
    expect_valid(indicator, "{\"granular_markings\":[{\"selectors\":[\"labels.[0]\",\"name\"],"
                 "\"marking_ref\":\"" MARK_GREEN "\"},{\"selectors\":[\"description\"],\"lang\":\"en\"}],"
                 "\"description\":\"d\"}", NULL);
    expect1(indicator, "{\"granular_markings\":[{\"selectors\":[\"labels.[1]\"],\"marking_ref\":\"" MARK_GREEN "\"}]}",
            NULL, IND_ID "|granular_markings[0]|selector \"labels.[1]\" does not name a property of the object");
    expect1(indicator, "{\"granular_markings\":[{\"selectors\":[\"name\"],\"marking_ref\":\"" MARK_GREEN "\","
            "\"lang\":\"en\"}]}", NULL, IND_ID "|granular_markings[0]|needs exactly one of marking_ref and lang");
    expect1(indicator, "{\"granular_markings\":[{\"selectors\":[\"name\"],\"marking_ref\":\"" IDENT "\"}]}", NULL,
            IND_ID "|granular_markings[0].marking_ref|must be a marking-definition id, not an identity id");
    expect1(indicator, "{\"granular_markings\":[{\"selectors\":[],\"marking_ref\":\"" MARK_GREEN "\"}]}", NULL,
            IND_ID "|granular_markings[0]|selectors must be a non-empty list");
    expect_valid(indicator, "{\"x_acme_score\":5,\"xAcme_Level\":\"high\"}", NULL);
    expect1(indicator, "{\"x-acme\":1}", NULL,
            IND_ID "|x-acme|property names may contain only a-z, A-Z, 0-9 and '_'");
    expect1(indicator, "{\"xy\":1}", NULL, IND_ID "|xy|property names must be 3 to 250 characters");
    expect1(indicator, "{\"_x_acme\":1}", NULL, IND_ID "|_x_acme|property names must begin with a letter");
    expect1(indicator, "{\"severity\":\"high\"}", NULL, IND_ID "|severity|is a reserved property name");
    expect_valid(indicator, "{\"extensions\":{\"extension-definition--d83fce45-ef58-4c6c-a3f4-1fbc32e98c6e\":"
                 "{\"extension_type\":\"property-extension\",\"rank\":5}}}", NULL);
    expect1(indicator, "{\"extensions\":{\"extension-definition--d83fce45-ef58-4c6c-a3f4-1fbc32e98c6e\":"
            "{\"rank\":5}}}", NULL,
            IND_ID "|extensions.extension-definition--d83fce45-ef58-4c6c-a3f4-1fbc32e98c6e|extension_type "
            "must be new-sdo, new-sco, new-sro, property-extension or toplevel-property-extension");
    expect1(indicator, "{\"extensions\":{\"acme\":{\"rank\":5}}}", NULL,
            IND_ID "|extensions.acme|must be an extension-definition id or a predefined *-ext name");
    expect1(indicator, "{\"extensions\":{\"acme-ext\":{}}}", NULL,
            IND_ID "|extensions.acme-ext|must be a non-empty object");
    expect1(indicator, "{\"extensions\":{}}", NULL, IND_ID "|extensions|must not be empty");
}

static void meta_and_sco(void **state)
{
    (void)state;
    const char *tlp = "{\"type\":\"marking-definition\",\"spec_version\":\"2.1\",\"id\":\"" MARK_RED "\","
                      "\"created\":\"2022-10-01T00:00:00.000Z\",\"name\":\"TLP:RED\",\"extensions\":{"
                      "\"extension-definition--60a3c5c5-0d10-413e-aab3-9e08dde9e88d\":{"
                      "\"extension_type\":\"property-extension\",\"tlp_2_0\":\"red\"}}}";
    expect_valid(tlp, NULL, NULL);
    expect1(tlp, NULL, "extensions", MARK_RED "||a marking definition needs definition_type and "
            "definition, or extensions");
    expect_valid(tlp, "{\"definition_type\":\"statement\",\"definition\":{\"statement\":\"c\"}}", "extensions");
    expect1(tlp, "{\"definition_type\":\"statement\"}", "extensions",
            MARK_RED "|definition|definition and definition_type go together");
    const char *ext = "{\"type\":\"extension-definition\",\"spec_version\":\"2.1\","
                      "\"id\":\"extension-definition--d83fce45-ef58-4c6c-a3f4-1fbc32e98c6e\","
                      "\"created_by_ref\":\"" IDENT "\",\"created\":\"2014-02-20T09:16:08.639Z\","
                      "\"modified\":\"2014-02-20T09:16:08.639Z\",\"name\":\"New SDO 1\","
                      "\"schema\":\"https://www.example.com/schema-newobj-1/v1/\",\"version\":\"1.2.1\","
                      "\"extension_types\":[\"new-sdo\"]}";
    expect_valid(ext, NULL, NULL);
    expect1(ext, "{\"extension_types\":[\"new-thing\"]}", NULL,
            "extension-definition--d83fce45-ef58-4c6c-a3f4-1fbc32e98c6e|extension_types|\"new-thing\" "
            "is not an extension type");
    expect1(ext, NULL, "created_by_ref",
            "extension-definition--d83fce45-ef58-4c6c-a3f4-1fbc32e98c6e|created_by_ref|is required "
            "for extension-definition");
    const char *lc = "{\"type\":\"language-content\",\"spec_version\":\"2.1\","
                     "\"id\":\"language-content--b86bd89f-98bb-4fa9-8cb2-9ad421da981d\","
                     "\"created\":\"2017-02-08T21:31:22.007Z\",\"modified\":\"2017-02-08T21:31:22.007Z\","
                     "\"object_ref\":\"" MALWARE "\",\"contents\":{\"de\":{\"name\":\"Bank\"}}}";
    expect_valid(lc, NULL, NULL);
    expect1(lc, NULL, "object_ref", "language-content--b86bd89f-98bb-4fa9-8cb2-9ad421da981d|object_ref|"
            "is required for language-content");
    const char *ip = "{\"type\":\"ipv4-addr\",\"id\":\"ipv4-addr--ff26c055-6336-5bc5-b98d-13d6226742dd\","
                     "\"value\":\"198.51.100.3\"}";
    expect_valid(ip, NULL, NULL);
    expect_valid(ip, "{\"spec_version\":\"2.1\"}", NULL);
    expect1(ip, NULL, "value", "ipv4-addr--ff26c055-6336-5bc5-b98d-13d6226742dd|value|is required for ipv4-addr");
    expect1(ip, "{\"resolves_to_refs\":[\"" IDENT "\"]}", NULL,
            "ipv4-addr--ff26c055-6336-5bc5-b98d-13d6226742dd|resolves_to_refs[0]|must be a mac-addr id, "
            "not an identity id");
    const char *nt = "{\"type\":\"network-traffic\",\"id\":\"network-traffic--2568d22a-8998-58eb-99ec-3c8ca74f527d\","
                     "\"src_ref\":\"ipv4-addr--ff26c055-6336-5bc5-b98d-13d6226742dd\",\"protocols\":[\"tcp\"]}";
    expect_valid(nt, NULL, NULL);
    expect1(nt, NULL, "src_ref", "network-traffic--2568d22a-8998-58eb-99ec-3c8ca74f527d||network-traffic "
            "needs src_ref or dst_ref");
    expect1(nt, "{\"dst_ref\":\"file--2568d22a-8998-58eb-99ec-3c8ca74f527d\"}", NULL,
            "network-traffic--2568d22a-8998-58eb-99ec-3c8ca74f527d|dst_ref|must be an "
            "ipv4-addr/ipv6-addr/mac-addr/domain-name id, not a file id");
    const char *file = "{\"type\":\"file\",\"id\":\"file--364fe3e5-b1f4-5ba3-b951-ee5983b3538d\","
                       "\"name\":\"qwerty.dll\"}";
    expect_valid(file, NULL, NULL);
    expect1(file, NULL, "name", "file--364fe3e5-b1f4-5ba3-b951-ee5983b3538d||a file needs hashes or name");
    /* the bundle is a container, not an object */
    const char *bundle_want[] = {
        "bundle--44af6c39-c09b-49c5-9de2-394224b04982|type|a bundle is a container, not an object to store",
        "bundle--44af6c39-c09b-49c5-9de2-394224b04982|spec_version|is required (STIX 2.0 objects "
        "have none; this takes STIX 2.1)",
        "bundle--44af6c39-c09b-49c5-9de2-394224b04982|created|is required",
        "bundle--44af6c39-c09b-49c5-9de2-394224b04982|modified|is required"};
    const char *b = "{\"type\":\"bundle\",\"id\":\"bundle--44af6c39-c09b-49c5-9de2-394224b04982\",\"objects\":[]}";
    char *bj = mutate(b, NULL, "objects");
    expect_problems(bj, 4, bundle_want);
    free(bj);
}

static void not_json(void **state)
{
    (void)state;
    const char *w1 = "object 3||not JSON: line 1, column 1: '[' or '{' expected near 'x'";
    expect_problems("x", 1, &w1);
    const char *w2 = "object 3||is not a JSON object";
    expect_problems("[1]", 1, &w2);
    const char *w3 = "object 3||not JSON: line 1, column 16: duplicate object key near '\"type\"'";
    expect_problems("{\"type\":1,\"type\":2}", 1, &w3);
    /* problems past max are counted, not written */
    struct stix_problem p[2];
    memset(p, 0x5a, sizeof p);
    assert_int_equal(stix_check("{}", 2, 0, NULL, p, 1), 5);
    assert_string_equal(p[0].id, "object 0");
    assert_string_equal(p[0].property, "type");
    assert_int_equal((unsigned char)p[1].id[0], 0x5a);
    assert_int_equal(stix_check("{}", 2, 0, NULL, NULL, 0), 5);
}

static void info(void **state)
{
    (void)state;
    struct stix_info in;
    char *j = mutate(indicator, "{\"object_marking_refs\":[\"" MARK_GREEN "\",\"" MARK_RED "\","
                     "\"marking-definition--34098fce-860f-48ae-8e50-ebd3cc5e41da\"],"
                     "\"created_by_ref\":\"" IDENT "\",\"revoked\":true,"
                     "\"modified\":\"2017-01-02T03:04:05.123456Z\",\"valid_until\":\"2030-01-01T00:00:00Z\","
                     "\"x_alidade_recipients\":[\"" IDENT "\"]}", NULL);
    assert_int_equal(stix_check(j, strlen(j), 0, &in, NULL, 0), 0);
    free(j);
    assert_string_equal(in.type, "indicator");
    assert_string_equal(in.id, IND_ID);
    assert_string_equal(in.spec_version, "2.1");
    assert_string_equal(in.modified, "2017-01-02T03:04:05.123456Z");
    assert_int_equal(in.modified_us, INT64_C(1483326245123456));
    assert_int_equal(in.created_us, INT64_C(1459973028000000));
    assert_string_equal(in.created_by_ref, IDENT);
    assert_true(in.revoked);
    assert_int_equal(in.valid_from_us, INT64_C(1451606400000000));
    assert_int_equal(in.valid_until_us, INT64_C(1893456000000000));
    assert_int_equal(in.tlp, STIX_TLP_RED);
    assert_int_equal(in.nmarkings, 3);
    assert_string_equal(in.markings[2], "marking-definition--34098fce-860f-48ae-8e50-ebd3cc5e41da");
    assert_int_equal(in.nrecipients, 1);
    assert_string_equal(in.recipients[0], IDENT);
    /* an SCO: no version, no spec_version, no TLP */
    const char *ip = "{\"type\":\"ipv4-addr\",\"id\":\"ipv4-addr--ff26c055-6336-5bc5-b98d-13d6226742dd\","
                     "\"value\":\"198.51.100.3\"}";
    assert_int_equal(stix_check(ip, strlen(ip), 0, &in, NULL, 0), 0);
    assert_string_equal(in.type, "ipv4-addr");
    assert_string_equal(in.spec_version, "");
    assert_string_equal(in.modified, "");
    assert_int_equal(in.modified_us, STIX_TIME_NONE);
    assert_int_equal(in.created_us, STIX_TIME_NONE);
    assert_int_equal(in.tlp, STIX_TLP_NONE);
    assert_int_equal(in.nmarkings, 0);
    assert_false(in.revoked);
    /* a marking definition's version is its created; TLP 1.0 AMBER */
    const char *md = "{\"type\":\"marking-definition\",\"spec_version\":\"2.1\","
                     "\"id\":\"marking-definition--613f2e26-407d-48c7-9eca-b8e91df99dc9\","
                     "\"created\":\"2017-01-20T00:00:00.000Z\",\"definition_type\":\"tlp\","
                     "\"definition\":{\"tlp\":\"white\"},"
                     "\"object_marking_refs\":[\"marking-definition--f88d31f6-486f-44da-b317-01333bde0b82\"]}";
    assert_int_equal(stix_check(md, strlen(md), 0, &in, NULL, 0), 0);
    assert_string_equal(in.modified, "2017-01-20T00:00:00.000Z");
    assert_int_equal(in.modified_us, INT64_C(1484870400000000));
    assert_int_equal(in.tlp, STIX_TLP_AMBER);
    /* 17 markings: 16 kept, one problem; info still filled when invalid */
    char many[4096] = "{\"object_marking_refs\":[";
    for (int i = 0; i < 17; i++)
        snprintf(many + strlen(many), sizeof many - strlen(many),
                 "%s\"marking-definition--%08d-0000-4000-8000-000000000000\"", i ? "," : "", i);
    strcat(many, "]}");
    j = mutate(indicator, many, NULL);
    struct stix_problem p[4];
    assert_int_equal(stix_check(j, strlen(j), 0, &in, p, 4), 1);
    free(j);
    assert_string_equal(p[0].property, "object_marking_refs");
    assert_string_equal(p[0].message, "more than 16 markings");
    assert_int_equal(in.nmarkings, 16);
    assert_string_equal(in.markings[15], "marking-definition--00000015-0000-4000-8000-000000000000");
    /* the same problem without info (found by fuzz_stix: the count must not
     * depend on what the caller asks for) */
    j = mutate(indicator, many, NULL);
    assert_int_equal(stix_check(j, strlen(j), 0, NULL, NULL, 0), 1);
    free(j);
    /* invalid JSON: info is reset */
    assert_int_equal(stix_check("{", 1, 0, &in, NULL, 0), 1);
    assert_string_equal(in.id, "");
    assert_int_equal(in.tlp, STIX_TLP_NONE);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(attack_valid),
        cmocka_unit_test(oasis_examples_valid),
        cmocka_unit_test(common_properties),
        cmocka_unit_test(references),
        cmocka_unit_test(relationships_and_sightings),
        cmocka_unit_test(per_type_rules),
        cmocka_unit_test(structures),
        cmocka_unit_test(meta_and_sco),
        cmocka_unit_test(not_json),
        cmocka_unit_test(info),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
