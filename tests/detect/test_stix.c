/*
 * test_stix.c - STIX 2.1 output of maritime events (lib/detect/stix.c):
 * the exact objects written for one event of each kind (ids, timestamps,
 * fields, marking refs), JSON validity with jansson, hostile zone names,
 * vessel text and node names, TLP levels, and the cap contract.
 * The ids were checked against Python's uuid.uuid5 (tests/detect/
 * validate_stix.py recomputes them from each event on every run).
 *
 * `test_stix --dump` prints one bundle with these events instead of testing:
 * validate_stix.py checks it against the OASIS JSON schemas.
 */
#include "testutil.h"

#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alidade/detect.h"

#define T_2025 1735689600000LL   /* 2025-01-01T00:00:00Z */
#define H 3600000LL

/* An event with every double NAN, as the detectors start them. */
static struct det_event ev(enum det_kind k, uint32_t mmsi, int64_t start, int64_t end)
{
    struct det_event e;
    memset(&e, 0, sizeof e);
    e.kind = k;
    e.mmsi = mmsi;
    e.start = start;
    e.end = end;
    e.lat = e.lon = e.end_lat = e.end_lon = NAN;
    e.duration_h = e.distance_km = e.speed_kn = e.shore_km = NAN;
    e.likely_disabling = -1;
    return e;
}

/* One event of each kind, in enum order, with the values a detector sets. */
static struct det_event sample(enum det_kind k)
{
    struct det_event e;
    switch (k) {
    case DET_GAP:
        e = ev(k, 503000001, T_2025 + 2 * H, T_2025 + 10 * H);
        e.lat = -30.0; e.lon = 150.0; e.end_lat = -30.1; e.end_lon = 150.2;
        e.duration_h = 8; e.distance_km = 21.3; e.speed_kn = 1.44; e.shore_km = 120.5;
        e.likely_disabling = 1;
        snprintf(e.detail, sizeof e.detail, "regular reporting, good reception");
        break;
    case DET_ENCOUNTER:
        e = ev(k, 503000005, T_2025 + 1 * H, T_2025 + 4 * H + 1800000);
        e.mmsi2 = 412000006;
        e.lat = -35.25; e.lon = 151.5; e.duration_h = 3.5; e.distance_km = 0.21;
        e.speed_kn = 0.8; e.shore_km = 80;
        break;
    case DET_LOITERING:
        e = ev(k, 503000007, T_2025, T_2025 + 5 * H);
        e.lat = -36.5; e.lon = 152.125; e.duration_h = 5; e.speed_kn = 1.2;
        break;
    case DET_ZONE_ENTRY:
        e = ev(k, 503000002, T_2025 + 2100000, T_2025 + 2100000);
        e.lat = -31.0; e.lon = 151.005;
        snprintf(e.zone, sizeof e.zone, "NZ EEZ");
        break;
    case DET_ZONE_EXIT:
        e = ev(k, 503000002, T_2025 + 2100000, T_2025 + 6300000);
        e.lat = -31.0; e.lon = 151.215; e.duration_h = 1.167;
        snprintf(e.zone, sizeof e.zone, "NZ EEZ");
        break;
    case DET_TELEPORT:
        e = ev(k, 503000003, T_2025 + 1200000, T_2025 + 1800000);
        e.lat = -32.0; e.lon = 152.0; e.end_lat = -33.0; e.end_lon = 152.0;
        e.distance_km = 111.195; e.speed_kn = 360.26;
        break;
    case DET_MMSI_CLASH:
        e = ev(k, 503000008, T_2025 + 600000, T_2025 + 700000);
        e.lat = 10.5; e.lon = -20.25; e.end_lat = 12.0; e.end_lon = -20.25;
        e.distance_km = 166.8;
        snprintf(e.detail, sizeof e.detail, "second position 166.8 km away 100 s later");
        break;
    case DET_INVALID_MMSI:
        e = ev(k, 100000004, T_2025, T_2025);
        e.lat = -34.0; e.lon = 153.0;
        snprintf(e.detail, sizeof e.detail, "MID 100 not allocated");
        break;
    case DET_IDENTITY_CHANGE:
    case DET__COUNT:
    default:
        /* no position: the sighting is "seen by" the node */
        e = ev(DET_IDENTITY_CHANGE, 503000009, T_2025 + 123, T_2025 + 123);
        snprintf(e.detail, sizeof e.detail, "name MARIA -> NIKOS \"II\"");
        break;
    }
    return e;
}

static const struct det_stix_opts node = {"Coast Guard MRCC", 2};

/* A bundle of the preamble and one of each event, malloc'd. */
static char *bundle_all(const struct det_stix_opts *o)
{
    size_t cap = 16384 + DET__COUNT * 4000 + 200, n = 0;
    char *b = malloc(cap);
    assert_non_null(b);
    n += (size_t)sprintf(b, "{\"type\":\"bundle\",\"id\":\"bundle--"
                            "6fcb4b8b-1cd6-4a5b-9d8c-2b7e4c1b0a11\",\"objects\":[\n");
    size_t k = det_stix_preamble(o, b + n, 16384);
    assert_true(k > 0);
    n += k;
    for (int i = 0; i < DET__COUNT; i++) {
        struct det_event e = sample((enum det_kind)i);
        b[n++] = ',';
        b[n++] = '\n';
        k = det_stix_event(&e, o, b + n, 4000);
        assert_true(k > 0);
        n += k;
    }
    strcpy(b + n, "\n]}\n");
    return b;
}

/* ---- exact output ---- */

/* Reviewed by hand, field by field, against STIX 2.1 and the events above;
 * ids checked against Python uuid.uuid5 (validate_stix.py). */
static const char *const expected_event[DET__COUNT] = {
    "{\"type\":\"location\",\"spec_version\":\"2.1\","
    "\"id\":\"location--2e9a7901-59eb-5e10-a4f0-a8a3a2ae3269\","
    "\"created\":\"2025-01-01T02:00:00.000Z\",\"modified\":\"2025-01-01T10:00:00.000Z\","
    "\"created_by_ref\":\"identity--42c04070-8c83-54f4-a36f-856dcfb9cb01\","
    "\"name\":\"gap MMSI 503000001\","
    "\"description\":\"AIS gap: MMSI 503000001 silent for 8.0 h (likely disabling)\","
    "\"latitude\":-30.000000,\"longitude\":150.000000,"
    "\"object_marking_refs\":[\"marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421\"]},"
    ""
    "\n"
    "{\"type\":\"sighting\",\"spec_version\":\"2.1\","
    "\"id\":\"sighting--d7d43415-cb38-5627-a660-e44d9ba15530\","
    "\"created\":\"2025-01-01T02:00:00.000Z\",\"modified\":\"2025-01-01T10:00:00.000Z\","
    "\"created_by_ref\":\"identity--42c04070-8c83-54f4-a36f-856dcfb9cb01\","
    "\"description\":\"AIS gap: MMSI 503000001 silent for 8.0 h (likely disabling),"
    " from 2025-01-01T02:00:00.000Z to 2025-01-01T10:00:00.000Z: regular reporting,"
    " good reception.\",\"first_seen\":\"2025-01-01T02:00:00.000Z\","
    "\"last_seen\":\"2025-01-01T10:00:00.000Z\",\"count\":1,"
    "\"sighting_of_ref\":\"attack-pattern--16e3cccf-29a3-5bfa-b05e-77bcaa42d4a4\","
    "\"where_sighted_refs\":[\"location--2e9a7901-59eb-5e10-a4f0-a8a3a2ae3269\"],"
    "\"labels\":[\"maritime\",\"gap\"],"
    "\"object_marking_refs\":[\"marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421\"],"
    "\"extensions\":{\"extension-definition--7fba3282-6758-58ab-a05c-9833b9c3c00d\":{\"extension_type\":\"property-extension\","
    "\"event\":\"gap\",\"mmsi\":503000001,\"start\":\"2025-01-01T02:00:00.000Z\","
    "\"end\":\"2025-01-01T10:00:00.000Z\",\"lat\":-30.000000,\"lon\":150.000000,"
    "\"end_lat\":-30.100000,\"end_lon\":150.200000,\"duration_h\":8.000,"
    "\"distance_km\":21.300,\"speed_kn\":1.44,\"shore_km\":120.5,\"likely_disabling\":true,"
    "\"detail\":\"regular reporting, good reception\"}}}",
    "{\"type\":\"location\",\"spec_version\":\"2.1\","
    "\"id\":\"location--42121f03-5741-5efe-9f09-3f6e570a125d\","
    "\"created\":\"2025-01-01T01:00:00.000Z\",\"modified\":\"2025-01-01T04:30:00.000Z\","
    "\"created_by_ref\":\"identity--42c04070-8c83-54f4-a36f-856dcfb9cb01\","
    "\"name\":\"encounter MMSI 503000005\","
    "\"description\":\"Encounter: MMSI 503000005 and 412000006 together for 3.5 h\","
    "\"latitude\":-35.250000,\"longitude\":151.500000,"
    "\"object_marking_refs\":[\"marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421\"]},"
    ""
    "\n"
    "{\"type\":\"sighting\",\"spec_version\":\"2.1\","
    "\"id\":\"sighting--27a92926-249b-5a4f-8e54-5dd769a5834c\","
    "\"created\":\"2025-01-01T01:00:00.000Z\",\"modified\":\"2025-01-01T04:30:00.000Z\","
    "\"created_by_ref\":\"identity--42c04070-8c83-54f4-a36f-856dcfb9cb01\","
    "\"description\":\"Encounter: MMSI 503000005 and 412000006 together for 3.5 h,"
    " from 2025-01-01T01:00:00.000Z to 2025-01-01T04:30:00.000Z.\","
    "\"first_seen\":\"2025-01-01T01:00:00.000Z\",\"last_seen\":\"2025-01-01T04:30:00.000Z\","
    "\"count\":1,"
    "\"sighting_of_ref\":\"attack-pattern--741d0ccf-c8a6-5e39-a728-85bcc10d3e35\","
    "\"where_sighted_refs\":[\"location--42121f03-5741-5efe-9f09-3f6e570a125d\"],"
    "\"labels\":[\"maritime\",\"encounter\"],"
    "\"object_marking_refs\":[\"marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421\"],"
    "\"extensions\":{\"extension-definition--7fba3282-6758-58ab-a05c-9833b9c3c00d\":{\"extension_type\":\"property-extension\","
    "\"event\":\"encounter\",\"mmsi\":503000005,\"mmsi2\":412000006,"
    "\"start\":\"2025-01-01T01:00:00.000Z\",\"end\":\"2025-01-01T04:30:00.000Z\","
    "\"lat\":-35.250000,\"lon\":151.500000,\"duration_h\":3.500,\"distance_km\":0.210,"
    "\"speed_kn\":0.80,\"shore_km\":80.0}}}",
    "{\"type\":\"location\",\"spec_version\":\"2.1\","
    "\"id\":\"location--f851b518-514f-5daa-ac09-b17322d6c4c5\","
    "\"created\":\"2025-01-01T00:00:00.000Z\",\"modified\":\"2025-01-01T05:00:00.000Z\","
    "\"created_by_ref\":\"identity--42c04070-8c83-54f4-a36f-856dcfb9cb01\","
    "\"name\":\"loitering MMSI 503000007\","
    "\"description\":\"Loitering: MMSI 503000007 for 5.0 h\",\"latitude\":-36.500000,"
    "\"longitude\":152.125000,"
    "\"object_marking_refs\":[\"marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421\"]},"
    ""
    "\n"
    "{\"type\":\"sighting\",\"spec_version\":\"2.1\","
    "\"id\":\"sighting--df111b14-23cb-52e7-83ac-3621d60005e3\","
    "\"created\":\"2025-01-01T00:00:00.000Z\",\"modified\":\"2025-01-01T05:00:00.000Z\","
    "\"created_by_ref\":\"identity--42c04070-8c83-54f4-a36f-856dcfb9cb01\","
    "\"description\":\"Loitering: MMSI 503000007 for 5.0 h,"
    " from 2025-01-01T00:00:00.000Z to 2025-01-01T05:00:00.000Z.\","
    "\"first_seen\":\"2025-01-01T00:00:00.000Z\",\"last_seen\":\"2025-01-01T05:00:00.000Z\","
    "\"count\":1,"
    "\"sighting_of_ref\":\"attack-pattern--e6d202c4-8d94-50a6-bc82-f272a3b2aedc\","
    "\"where_sighted_refs\":[\"location--f851b518-514f-5daa-ac09-b17322d6c4c5\"],"
    "\"labels\":[\"maritime\",\"loitering\"],"
    "\"object_marking_refs\":[\"marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421\"],"
    "\"extensions\":{\"extension-definition--7fba3282-6758-58ab-a05c-9833b9c3c00d\":{\"extension_type\":\"property-extension\","
    "\"event\":\"loitering\",\"mmsi\":503000007,\"start\":\"2025-01-01T00:00:00.000Z\","
    "\"end\":\"2025-01-01T05:00:00.000Z\",\"lat\":-36.500000,\"lon\":152.125000,"
    "\"duration_h\":5.000,\"speed_kn\":1.20}}}",
    "{\"type\":\"location\",\"spec_version\":\"2.1\","
    "\"id\":\"location--c40be621-d098-587e-ae6f-c326b40b1836\","
    "\"created\":\"2025-01-01T00:35:00.000Z\",\"modified\":\"2025-01-01T00:35:00.000Z\","
    "\"created_by_ref\":\"identity--42c04070-8c83-54f4-a36f-856dcfb9cb01\","
    "\"name\":\"zone_entry MMSI 503000002\","
    "\"description\":\"Zone entry: MMSI 503000002 entered NZ EEZ\",\"latitude\":-31.000000,"
    "\"longitude\":151.005000,"
    "\"object_marking_refs\":[\"marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421\"]},"
    ""
    "\n"
    "{\"type\":\"sighting\",\"spec_version\":\"2.1\","
    "\"id\":\"sighting--7e234498-92aa-594e-a441-5f2f8b6943ea\","
    "\"created\":\"2025-01-01T00:35:00.000Z\",\"modified\":\"2025-01-01T00:35:00.000Z\","
    "\"created_by_ref\":\"identity--42c04070-8c83-54f4-a36f-856dcfb9cb01\","
    "\"description\":\"Zone entry: MMSI 503000002 entered NZ EEZ,"
    " at 2025-01-01T00:35:00.000Z.\",\"first_seen\":\"2025-01-01T00:35:00.000Z\","
    "\"last_seen\":\"2025-01-01T00:35:00.000Z\",\"count\":1,"
    "\"sighting_of_ref\":\"attack-pattern--785b642b-47aa-52ba-b2b3-eeee53dbd5cc\","
    "\"where_sighted_refs\":[\"location--c40be621-d098-587e-ae6f-c326b40b1836\"],"
    "\"labels\":[\"maritime\",\"zone_entry\"],"
    "\"object_marking_refs\":[\"marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421\"],"
    "\"extensions\":{\"extension-definition--7fba3282-6758-58ab-a05c-9833b9c3c00d\":{\"extension_type\":\"property-extension\","
    "\"event\":\"zone_entry\",\"mmsi\":503000002,\"start\":\"2025-01-01T00:35:00.000Z\","
    "\"end\":\"2025-01-01T00:35:00.000Z\",\"lat\":-31.000000,\"lon\":151.005000,"
    "\"zone\":\"NZ EEZ\"}}}",
    "{\"type\":\"location\",\"spec_version\":\"2.1\","
    "\"id\":\"location--c398da0f-b783-57cd-99ff-e3f7d105f790\","
    "\"created\":\"2025-01-01T00:35:00.000Z\",\"modified\":\"2025-01-01T01:45:00.000Z\","
    "\"created_by_ref\":\"identity--42c04070-8c83-54f4-a36f-856dcfb9cb01\","
    "\"name\":\"zone_exit MMSI 503000002\","
    "\"description\":\"Zone exit: MMSI 503000002 left NZ EEZ\",\"latitude\":-31.000000,"
    "\"longitude\":151.215000,"
    "\"object_marking_refs\":[\"marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421\"]},"
    ""
    "\n"
    "{\"type\":\"sighting\",\"spec_version\":\"2.1\","
    "\"id\":\"sighting--81adc11b-19e6-5a3f-8b3c-2a63885ae472\","
    "\"created\":\"2025-01-01T00:35:00.000Z\",\"modified\":\"2025-01-01T01:45:00.000Z\","
    "\"created_by_ref\":\"identity--42c04070-8c83-54f4-a36f-856dcfb9cb01\","
    "\"description\":\"Zone exit: MMSI 503000002 left NZ EEZ,"
    " from 2025-01-01T00:35:00.000Z to 2025-01-01T01:45:00.000Z.\","
    "\"first_seen\":\"2025-01-01T00:35:00.000Z\",\"last_seen\":\"2025-01-01T01:45:00.000Z\","
    "\"count\":1,"
    "\"sighting_of_ref\":\"attack-pattern--9109f9c6-e1a1-595b-8f5b-feacb0878e6a\","
    "\"where_sighted_refs\":[\"location--c398da0f-b783-57cd-99ff-e3f7d105f790\"],"
    "\"labels\":[\"maritime\",\"zone_exit\"],"
    "\"object_marking_refs\":[\"marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421\"],"
    "\"extensions\":{\"extension-definition--7fba3282-6758-58ab-a05c-9833b9c3c00d\":{\"extension_type\":\"property-extension\","
    "\"event\":\"zone_exit\",\"mmsi\":503000002,\"start\":\"2025-01-01T00:35:00.000Z\","
    "\"end\":\"2025-01-01T01:45:00.000Z\",\"lat\":-31.000000,\"lon\":151.215000,"
    "\"duration_h\":1.167,\"zone\":\"NZ EEZ\"}}}",
    "{\"type\":\"location\",\"spec_version\":\"2.1\","
    "\"id\":\"location--a57c9fb9-da64-52b8-b41e-42a44c82c223\","
    "\"created\":\"2025-01-01T00:20:00.000Z\",\"modified\":\"2025-01-01T00:30:00.000Z\","
    "\"created_by_ref\":\"identity--42c04070-8c83-54f4-a36f-856dcfb9cb01\","
    "\"name\":\"teleport MMSI 503000003\","
    "\"description\":\"Position jump: MMSI 503000003 moved 111 km at 360 kn\","
    "\"latitude\":-32.000000,\"longitude\":152.000000,"
    "\"object_marking_refs\":[\"marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421\"]},"
    ""
    "\n"
    "{\"type\":\"sighting\",\"spec_version\":\"2.1\","
    "\"id\":\"sighting--a909c485-0c15-5646-8cb8-5f0e521b84fc\","
    "\"created\":\"2025-01-01T00:20:00.000Z\",\"modified\":\"2025-01-01T00:30:00.000Z\","
    "\"created_by_ref\":\"identity--42c04070-8c83-54f4-a36f-856dcfb9cb01\","
    "\"description\":\"Position jump: MMSI 503000003 moved 111 km at 360 kn,"
    " from 2025-01-01T00:20:00.000Z to 2025-01-01T00:30:00.000Z.\","
    "\"first_seen\":\"2025-01-01T00:20:00.000Z\",\"last_seen\":\"2025-01-01T00:30:00.000Z\","
    "\"count\":1,"
    "\"sighting_of_ref\":\"attack-pattern--2d519721-6b26-5c88-b141-987503a87622\","
    "\"where_sighted_refs\":[\"location--a57c9fb9-da64-52b8-b41e-42a44c82c223\"],"
    "\"labels\":[\"maritime\",\"teleport\"],"
    "\"object_marking_refs\":[\"marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421\"],"
    "\"extensions\":{\"extension-definition--7fba3282-6758-58ab-a05c-9833b9c3c00d\":{\"extension_type\":\"property-extension\","
    "\"event\":\"teleport\",\"mmsi\":503000003,\"start\":\"2025-01-01T00:20:00.000Z\","
    "\"end\":\"2025-01-01T00:30:00.000Z\",\"lat\":-32.000000,\"lon\":152.000000,"
    "\"end_lat\":-33.000000,\"end_lon\":152.000000,\"distance_km\":111.195,"
    "\"speed_kn\":360.26}}}",
    "{\"type\":\"location\",\"spec_version\":\"2.1\","
    "\"id\":\"location--c77bcec4-8993-54a8-85b8-71b598f0b7fb\","
    "\"created\":\"2025-01-01T00:10:00.000Z\",\"modified\":\"2025-01-01T00:11:40.000Z\","
    "\"created_by_ref\":\"identity--42c04070-8c83-54f4-a36f-856dcfb9cb01\","
    "\"name\":\"mmsi_clash MMSI 503000008\","
    "\"description\":\"MMSI 503000008 used by two vessels at once\",\"latitude\":10.500000,"
    "\"longitude\":-20.250000,"
    "\"object_marking_refs\":[\"marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421\"]},"
    ""
    "\n"
    "{\"type\":\"sighting\",\"spec_version\":\"2.1\","
    "\"id\":\"sighting--92cc4eeb-0ccd-565f-bbd3-63bb05030f15\","
    "\"created\":\"2025-01-01T00:10:00.000Z\",\"modified\":\"2025-01-01T00:11:40.000Z\","
    "\"created_by_ref\":\"identity--42c04070-8c83-54f4-a36f-856dcfb9cb01\","
    "\"description\":\"MMSI 503000008 used by two vessels at once,"
    " from 2025-01-01T00:10:00.000Z to 2025-01-01T00:11:40.000Z: second position 166.8 km away 100 s later.\","
    "\"first_seen\":\"2025-01-01T00:10:00.000Z\",\"last_seen\":\"2025-01-01T00:11:40.000Z\","
    "\"count\":1,"
    "\"sighting_of_ref\":\"attack-pattern--a2259cc7-ac54-507d-b2c8-1367eaafcc09\","
    "\"where_sighted_refs\":[\"location--c77bcec4-8993-54a8-85b8-71b598f0b7fb\"],"
    "\"labels\":[\"maritime\",\"mmsi_clash\"],"
    "\"object_marking_refs\":[\"marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421\"],"
    "\"extensions\":{\"extension-definition--7fba3282-6758-58ab-a05c-9833b9c3c00d\":{\"extension_type\":\"property-extension\","
    "\"event\":\"mmsi_clash\",\"mmsi\":503000008,\"start\":\"2025-01-01T00:10:00.000Z\","
    "\"end\":\"2025-01-01T00:11:40.000Z\",\"lat\":10.500000,\"lon\":-20.250000,"
    "\"end_lat\":12.000000,\"end_lon\":-20.250000,\"distance_km\":166.800,"
    "\"detail\":\"second position 166.8 km away 100 s later\"}}}",
    "{\"type\":\"location\",\"spec_version\":\"2.1\","
    "\"id\":\"location--730cfe06-3b1b-528e-be46-83a99dc7a21b\","
    "\"created\":\"2025-01-01T00:00:00.000Z\",\"modified\":\"2025-01-01T00:00:00.000Z\","
    "\"created_by_ref\":\"identity--42c04070-8c83-54f4-a36f-856dcfb9cb01\","
    "\"name\":\"invalid_mmsi MMSI 100000004\",\"description\":\"Invalid MMSI 100000004\","
    "\"latitude\":-34.000000,\"longitude\":153.000000,"
    "\"object_marking_refs\":[\"marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421\"]},"
    ""
    "\n"
    "{\"type\":\"sighting\",\"spec_version\":\"2.1\","
    "\"id\":\"sighting--1f014129-41ef-559f-b989-e54708cdb5c8\","
    "\"created\":\"2025-01-01T00:00:00.000Z\",\"modified\":\"2025-01-01T00:00:00.000Z\","
    "\"created_by_ref\":\"identity--42c04070-8c83-54f4-a36f-856dcfb9cb01\","
    "\"description\":\"Invalid MMSI 100000004,"
    " at 2025-01-01T00:00:00.000Z: MID 100 not allocated.\","
    "\"first_seen\":\"2025-01-01T00:00:00.000Z\",\"last_seen\":\"2025-01-01T00:00:00.000Z\","
    "\"count\":1,"
    "\"sighting_of_ref\":\"attack-pattern--32bc18f8-ff6c-5b5e-9a68-ee69e12e9d38\","
    "\"where_sighted_refs\":[\"location--730cfe06-3b1b-528e-be46-83a99dc7a21b\"],"
    "\"labels\":[\"maritime\",\"invalid_mmsi\"],"
    "\"object_marking_refs\":[\"marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421\"],"
    "\"extensions\":{\"extension-definition--7fba3282-6758-58ab-a05c-9833b9c3c00d\":{\"extension_type\":\"property-extension\","
    "\"event\":\"invalid_mmsi\",\"mmsi\":100000004,\"start\":\"2025-01-01T00:00:00.000Z\","
    "\"end\":\"2025-01-01T00:00:00.000Z\",\"lat\":-34.000000,\"lon\":153.000000,"
    "\"detail\":\"MID 100 not allocated\"}}}",
    "{\"type\":\"sighting\",\"spec_version\":\"2.1\","
    "\"id\":\"sighting--5b8dd566-59c4-5686-a7ae-8f150c490045\","
    "\"created\":\"2025-01-01T00:00:00.123Z\",\"modified\":\"2025-01-01T00:00:00.123Z\","
    "\"created_by_ref\":\"identity--42c04070-8c83-54f4-a36f-856dcfb9cb01\","
    "\"description\":\"Identity change: MMSI 503000009,"
    " at 2025-01-01T00:00:00.123Z: name MARIA -> NIKOS \\\"II\\\".\","
    "\"first_seen\":\"2025-01-01T00:00:00.123Z\",\"last_seen\":\"2025-01-01T00:00:00.123Z\","
    "\"count\":1,"
    "\"sighting_of_ref\":\"attack-pattern--73bd7657-1ede-5d29-ace6-1f2bc866ff9a\","
    "\"where_sighted_refs\":[\"identity--42c04070-8c83-54f4-a36f-856dcfb9cb01\"],"
    "\"labels\":[\"maritime\",\"identity_change\"],"
    "\"object_marking_refs\":[\"marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421\"],"
    "\"extensions\":{\"extension-definition--7fba3282-6758-58ab-a05c-9833b9c3c00d\":{\"extension_type\":\"property-extension\","
    "\"event\":\"identity_change\",\"mmsi\":503000009,\"start\":\"2025-01-01T00:00:00.123Z\","
    "\"end\":\"2025-01-01T00:00:00.123Z\",\"detail\":\"name MARIA -> NIKOS \\\"II\\\"\"}}}",
};

static const char *const expected_preamble =
    "{\"type\":\"identity\",\"spec_version\":\"2.1\","
    "\"id\":\"identity--8ca2df45-8660-5f85-b5d7-7f9ec6dd31c8\","
    "\"created\":\"2026-11-23T00:00:00.000Z\",\"modified\":\"2026-11-23T00:00:00.000Z\","
    "\"name\":\"alidade\","
    "\"description\":\"Publisher of the alidade maritime event extension and of the maritime attack patterns (docs/stix-maritime.md).\","
    "\"identity_class\":\"system\"},"
    "\n"
    "{\"type\":\"identity\",\"spec_version\":\"2.1\","
    "\"id\":\"identity--42c04070-8c83-54f4-a36f-856dcfb9cb01\","
    "\"created\":\"2026-11-23T00:00:00.000Z\",\"modified\":\"2026-11-23T00:00:00.000Z\","
    "\"name\":\"Coast Guard MRCC\","
    "\"description\":\"alidade node of the partner network (maritime and cyber information sharing)\","
    "\"identity_class\":\"organization\"},"
    "\n"
    "{\"type\":\"extension-definition\",\"spec_version\":\"2.1\","
    "\"id\":\"extension-definition--7fba3282-6758-58ab-a05c-9833b9c3c00d\","
    "\"created\":\"2026-11-23T00:00:00.000Z\",\"modified\":\"2026-11-23T00:00:00.000Z\","
    "\"created_by_ref\":\"identity--8ca2df45-8660-5f85-b5d7-7f9ec6dd31c8\","
    "\"name\":\"alidade maritime event\","
    "\"description\":\"Machine-readable properties of a maritime event detected from AIS,"
    " carried by the sighting that reports it.\",\"schema\":\"Properties (event, mmsi,"
    " start and end always present): event (string: gap, encounter, loitering, zone_entry,"
    " zone_exit, teleport, mmsi_clash, invalid_mmsi, identity_change),"
    " mmsi and mmsi2 (integers: the vessel, and the other vessel of an encounter or clash),"
    " start and end (STIX timestamps), lat, lon, end_lat, end_lon (decimal degrees, WGS 84),"
    " duration_h, distance_km, speed_kn, shore_km (numbers), likely_disabling (boolean,"
    " gaps), zone (string), detail (string). Specified in alidade's docs/stix-maritime.md.\","
    "\"version\":\"1.0.0\",\"extension_types\":[\"property-extension\"]},"
    "\n"
    "{\"type\":\"attack-pattern\",\"spec_version\":\"2.1\","
    "\"id\":\"attack-pattern--16e3cccf-29a3-5bfa-b05e-77bcaa42d4a4\","
    "\"created\":\"2026-11-23T00:00:00.000Z\",\"modified\":\"2026-11-23T00:00:00.000Z\","
    "\"created_by_ref\":\"identity--8ca2df45-8660-5f85-b5d7-7f9ec6dd31c8\","
    "\"name\":\"AIS gap (possible transponder disabling)\","
    "\"description\":\"A vessel stops transmitting AIS for hours (Global Fishing Watch: >= 6 h); far from shore,"
    " with good reception and after regular reporting it is a likely intentional disabling (going dark).\","
    "\"labels\":[\"maritime\",\"gap\"]},"
    "\n"
    "{\"type\":\"attack-pattern\",\"spec_version\":\"2.1\","
    "\"id\":\"attack-pattern--741d0ccf-c8a6-5e39-a728-85bcc10d3e35\","
    "\"created\":\"2026-11-23T00:00:00.000Z\",\"modified\":\"2026-11-23T00:00:00.000Z\","
    "\"created_by_ref\":\"identity--8ca2df45-8660-5f85-b5d7-7f9ec6dd31c8\","
    "\"name\":\"Ship-to-ship encounter (possible transshipment)\","
    "\"description\":\"Two vessels stay within 0.5 km of each other for hours at low speed away from anchorages,"
    " as in at-sea transfers of cargo, catch or fuel.\",\"labels\":[\"maritime\","
    "\"encounter\"]},"
    "\n"
    "{\"type\":\"attack-pattern\",\"spec_version\":\"2.1\","
    "\"id\":\"attack-pattern--e6d202c4-8d94-50a6-bc82-f272a3b2aedc\","
    "\"created\":\"2026-11-23T00:00:00.000Z\",\"modified\":\"2026-11-23T00:00:00.000Z\","
    "\"created_by_ref\":\"identity--8ca2df45-8660-5f85-b5d7-7f9ec6dd31c8\","
    "\"name\":\"Loitering at sea\","
    "\"description\":\"A vessel drifts or moves slowly for hours far from shore,"
    " as when waiting for a rendezvous.\",\"labels\":[\"maritime\",\"loitering\"]},"
    "\n"
    "{\"type\":\"attack-pattern\",\"spec_version\":\"2.1\","
    "\"id\":\"attack-pattern--785b642b-47aa-52ba-b2b3-eeee53dbd5cc\","
    "\"created\":\"2026-11-23T00:00:00.000Z\",\"modified\":\"2026-11-23T00:00:00.000Z\","
    "\"created_by_ref\":\"identity--8ca2df45-8660-5f85-b5d7-7f9ec6dd31c8\","
    "\"name\":\"Zone entry\","
    "\"description\":\"A vessel subject to a zone's rules enters an operator-defined zone (EEZ,"
    " protected or closed area).\",\"labels\":[\"maritime\",\"zone_entry\"]},"
    "\n"
    "{\"type\":\"attack-pattern\",\"spec_version\":\"2.1\","
    "\"id\":\"attack-pattern--9109f9c6-e1a1-595b-8f5b-feacb0878e6a\","
    "\"created\":\"2026-11-23T00:00:00.000Z\",\"modified\":\"2026-11-23T00:00:00.000Z\","
    "\"created_by_ref\":\"identity--8ca2df45-8660-5f85-b5d7-7f9ec6dd31c8\","
    "\"name\":\"Zone exit\","
    "\"description\":\"A vessel subject to a zone's rules leaves an operator-defined zone.\","
    "\"labels\":[\"maritime\",\"zone_exit\"]},"
    "\n"
    "{\"type\":\"attack-pattern\",\"spec_version\":\"2.1\","
    "\"id\":\"attack-pattern--2d519721-6b26-5c88-b141-987503a87622\","
    "\"created\":\"2026-11-23T00:00:00.000Z\",\"modified\":\"2026-11-23T00:00:00.000Z\","
    "\"created_by_ref\":\"identity--8ca2df45-8660-5f85-b5d7-7f9ec6dd31c8\","
    "\"name\":\"AIS position jump (possible spoofing)\","
    "\"description\":\"Consecutive positions of one vessel imply an impossible speed: falsified or faulty position reports.\","
    "\"labels\":[\"maritime\",\"teleport\"]},"
    "\n"
    "{\"type\":\"attack-pattern\",\"spec_version\":\"2.1\","
    "\"id\":\"attack-pattern--a2259cc7-ac54-507d-b2c8-1367eaafcc09\","
    "\"created\":\"2026-11-23T00:00:00.000Z\",\"modified\":\"2026-11-23T00:00:00.000Z\","
    "\"created_by_ref\":\"identity--8ca2df45-8660-5f85-b5d7-7f9ec6dd31c8\","
    "\"name\":\"MMSI used by two vessels (identity cloning)\","
    "\"description\":\"The same MMSI is reported in two distant places at once.\","
    "\"labels\":[\"maritime\",\"mmsi_clash\"]},"
    "\n"
    "{\"type\":\"attack-pattern\",\"spec_version\":\"2.1\","
    "\"id\":\"attack-pattern--32bc18f8-ff6c-5b5e-9a68-ee69e12e9d38\","
    "\"created\":\"2026-11-23T00:00:00.000Z\",\"modified\":\"2026-11-23T00:00:00.000Z\","
    "\"created_by_ref\":\"identity--8ca2df45-8660-5f85-b5d7-7f9ec6dd31c8\","
    "\"name\":\"Invalid MMSI\","
    "\"description\":\"A vessel transmits an MMSI that is not a valid ship station identity (wrong length or unallocated Maritime Identification Digits).\","
    "\"labels\":[\"maritime\",\"invalid_mmsi\"]},"
    "\n"
    "{\"type\":\"attack-pattern\",\"spec_version\":\"2.1\","
    "\"id\":\"attack-pattern--73bd7657-1ede-5d29-ace6-1f2bc866ff9a\","
    "\"created\":\"2026-11-23T00:00:00.000Z\",\"modified\":\"2026-11-23T00:00:00.000Z\","
    "\"created_by_ref\":\"identity--8ca2df45-8660-5f85-b5d7-7f9ec6dd31c8\","
    "\"name\":\"Vessel identity change\",\"description\":\"The name,"
    " call sign or IMO number broadcast under one MMSI changes.\",\"labels\":[\"maritime\","
    "\"identity_change\"]},"
    "\n"
    "{\"type\":\"marking-definition\",\"spec_version\":\"2.1\","
    "\"id\":\"marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421\","
    "\"created\":\"2022-10-01T00:00:00.000Z\",\"name\":\"TLP:AMBER\","
    "\"extensions\":{\"extension-definition--60a3c5c5-0d10-413e-aab3-9e08dde9e88d\":{\"extension_type\":\"property-extension\","
    "\"tlp_2_0\":\"amber\"}}}";

static void exact_each_kind(void **state)
{
    (void)state;
    char buf[4096];
    for (int k = 0; k < DET__COUNT; k++) {
        struct det_event e = sample((enum det_kind)k);
        size_t n = det_stix_event(&e, &node, buf, sizeof buf);
        assert_int_equal(n, strlen(expected_event[k]));
        assert_string_equal(buf, expected_event[k]);
    }
}

static void exact_preamble(void **state)
{
    (void)state;
    char buf[16384];
    size_t n = det_stix_preamble(&node, buf, sizeof buf);
    assert_int_equal(n, strlen(expected_preamble));
    assert_string_equal(buf, expected_preamble);
}

/* ---- JSON validity and hostile text ---- */

/* Parses `text` with jansson, failing the test with jansson's message. */
static json_t *parse(const char *text)
{
    json_error_t err;
    json_t *j = json_loads(text, JSON_REJECT_DUPLICATES, &err);
    if (!j)
        fail_msg("not JSON: %s at line %d col %d", err.text, err.line, err.column);
    return j;
}

/* An event's objects ("{...},\n{...}") as a JSON array. */
static json_t *parse_event(const char *objs)
{
    size_t n = strlen(objs);
    char *doc = malloc(n + 3);
    assert_non_null(doc);
    doc[0] = '[';
    memcpy(doc + 1, objs, n);
    strcpy(doc + 1 + n, "]");
    json_t *j = parse(doc);
    free(doc);
    return j;
}

static json_t *find(json_t *objects, const char *type, size_t nth)
{
    size_t i;
    json_t *o;
    json_array_foreach(objects, i, o) {
        if (strcmp(json_string_value(json_object_get(o, "type")), type) == 0 && nth-- == 0)
            return o;
    }
    return NULL;
}

static void bundle_is_json(void **state)
{
    (void)state;
    char *b = bundle_all(&node);
    json_t *j = parse(b);
    json_t *objs = json_object_get(j, "objects");
    /* 2 identities, extension-definition, 9 attack-patterns, marking,
     * 8 locations (identity_change has no position), 9 sightings */
    assert_int_equal(json_array_size(objs), 13 + 8 + 9);
    /* every sighting's references are objects of the bundle */
    for (size_t k = 0; k < DET__COUNT; k++) {
        json_t *sg = find(objs, "sighting", k);
        assert_non_null(sg);
        const char *of = json_string_value(json_object_get(sg, "sighting_of_ref"));
        const char *where = json_string_value(json_array_get(json_object_get(sg, "where_sighted_refs"), 0));
        int found = 0;
        size_t i;
        json_t *o;
        json_array_foreach(objs, i, o) {
            const char *id = json_string_value(json_object_get(o, "id"));
            found += strcmp(id, of) == 0;
            found += strcmp(id, where) == 0;
        }
        assert_int_equal(found, 2);
    }
    json_decref(j);
    free(b);
}

/* Zone names come from operators' GeoJSON, vessel text from the air: what
 * they hold must come back unchanged through a JSON parser, or as U+FFFD
 * where it is not UTF-8. */
static void hostile_strings(void **state)
{
    (void)state;
    struct det_event e = sample(DET_ZONE_ENTRY);
    snprintf(e.zone, sizeof e.zone, "Q\"\\\x01\t\n\x7f S\xc3\xa9" "curit\xc3\xa9 \xff\xc3");
    snprintf(e.detail, sizeof e.detail, "name \"</script>\" \x1b[31m");
    const struct det_stix_opts o = {"Node \"7\"\\\x02", 0};
    char buf[4096], pre[16384 + 4096];
    size_t n = det_stix_event(&e, &o, buf, sizeof buf);
    assert_true(n > 0);
    size_t p = det_stix_preamble(&o, pre, 16384);
    assert_true(p > 0);
    pre[p++] = ',';
    memcpy(pre + p, buf, n + 1);
    json_t *j = parse_event(pre);
    json_t *sg = find(j, "sighting", 0);
    json_t *ext = json_object_get(json_object_get(sg, "extensions"),
                                  "extension-definition--7fba3282-6758-58ab-a05c-9833b9c3c00d");
    /* exact in the extension (\u escapes); invalid bytes become U+FFFD */
    assert_string_equal(json_string_value(json_object_get(ext, "zone")),
                        "Q\"\\\x01\t\n\x7f S\xc3\xa9" "curit\xc3\xa9 \xef\xbf\xbd\xef\xbf\xbd");
    assert_string_equal(json_string_value(json_object_get(ext, "detail")),
                        "name \"</script>\" \x1b[31m");
    /* the human description has the control characters as spaces */
    assert_string_equal(json_string_value(json_object_get(sg, "description")),
                        "Zone entry: MMSI 503000002 entered Q\"\\     S\xc3\xa9" "curit\xc3\xa9 "
                        "\xef\xbf\xbd\xef\xbf\xbd, at 2025-01-01T00:35:00.000Z: name \"</script>\"  [31m.");
    assert_string_equal(json_string_value(json_object_get(find(j, "location", 0), "description")),
                        "Zone entry: MMSI 503000002 entered Q\"\\     S\xc3\xa9" "curit\xc3\xa9 "
                        "\xef\xbf\xbd\xef\xbf\xbd");
    assert_string_equal(json_string_value(json_object_get(find(j, "identity", 1), "name")),
                        "Node \"7\"\\ ");
    /* the raw text: escapes as JSON wants them, no raw control byte */
    assert_non_null(strstr(buf, "\"zone\":\"Q\\\"\\\\\\u0001\\u0009\\u000a\\u007f S"));
    for (size_t i = 0; i < n; i++)
        assert_true((unsigned char)buf[i] >= 0x20 || buf[i] == '\n');
    json_decref(j);
}

/* The worst text that fits the event's fields still fits the 4000 bytes
 * the CLI gives an event, and a long node name the 16384 of the preamble. */
static void worst_case_sizes(void **state)
{
    (void)state;
    char buf[8192];
    for (int k = 0; k < DET__COUNT; k++) {
        struct det_event e = sample((enum det_kind)k);
        e.mmsi = e.mmsi2 = 999999999;
        e.start = -62167219200000LL;   /* year 0: the longest times */
        e.end = 253402300799999LL;
        e.lat = e.end_lat = -89.999999;
        e.lon = e.end_lon = -179.999999;
        e.duration_h = e.distance_km = e.speed_kn = e.shore_km = 1e300;
        e.likely_disabling = 0;
        memset(e.zone, 0x01, sizeof e.zone - 1);
        e.zone[sizeof e.zone - 1] = '\0';
        memset(e.detail, 0x01, sizeof e.detail - 1);
        e.detail[sizeof e.detail - 1] = '\0';
        size_t n = det_stix_event(&e, &node, buf, sizeof buf);
        assert_true(n > 0);
        print_message("worst case %s: %zu bytes\n", det_kind_name((enum det_kind)k), n);
        assert_true(n < 4000);
        json_decref(parse_event(buf));
    }
    static char longname[5000];
    memset(longname, '"', sizeof longname - 1);
    const struct det_stix_opts o = {longname, 4};
    char *pre = malloc(16384);
    assert_non_null(pre);
    size_t n = det_stix_preamble(&o, pre, 16384);
    assert_true(n > 0);
    /* the name is cut at 128 bytes: 128 escaped quotes */
    char want[300] = "\"name\":\"";
    for (int i = 0; i < 128; i++)
        strcat(want, "\\\"");
    strcat(want, "\",");
    assert_non_null(strstr(pre, want));
    free(pre);
}

/* 0 when the output does not fit, never a write past cap; the same bytes
 * when it does. */
static void cap_handling(void **state)
{
    (void)state;
    char full[4096], small[4096];
    struct det_event e = sample(DET_GAP);
    size_t n = det_stix_event(&e, &node, full, sizeof full);
    assert_true(n > 100);
    assert_int_equal(det_stix_event(&e, &node, NULL, 0), 0);
    for (size_t cap = 1; cap <= n; cap += (cap < 8 || cap > n - 8) ? 1 : 97) {
        memset(small, 'Z', sizeof small);
        assert_int_equal(det_stix_event(&e, &node, small, cap), 0);
        assert_int_equal(small[cap], 'Z');          /* nothing past cap */
    }
    memset(small, 'Z', sizeof small);
    assert_int_equal(det_stix_event(&e, &node, small, n + 1), n);
    assert_string_equal(small, full);
    char pre[16384];
    size_t p = det_stix_preamble(&node, pre, sizeof pre);
    assert_true(p > 0);
    assert_int_equal(det_stix_preamble(&node, pre, p), 0);
    assert_int_equal(det_stix_preamble(&node, NULL, 0), 0);
    assert_int_equal(det_stix_preamble(&node, pre, p + 1), p);
}

/* ---- ids, markings, times ---- */

static void ids_deterministic(void **state)
{
    (void)state;
    char a[4096], b[4096];
    struct det_event e = sample(DET_ZONE_ENTRY);
    det_stix_event(&e, &node, a, sizeof a);
    det_stix_event(&e, &node, b, sizeof b);
    assert_string_equal(a, b);
    /* another node: same event ids, its own created_by_ref */
    const struct det_stix_opts other = {"Partner node", 2};
    det_stix_event(&e, &other, b, sizeof b);
    assert_non_null(strstr(b, "sighting--7e234498-92aa-594e-a441-5f2f8b6943ea"));
    assert_non_null(strstr(b, "location--c40be621-d098-587e-ae6f-c326b40b1836"));
    assert_null(strstr(b, "identity--42c04070-8c83-54f4-a36f-856dcfb9cb01"));
    /* the same vessel entering another zone at the same instant: new ids */
    snprintf(e.zone, sizeof e.zone, "Marine park");
    det_stix_event(&e, &node, b, sizeof b);
    assert_null(strstr(b, "sighting--7e234498"));
    /* seen longer (a later end): same id, a newer version (modified) */
    e = sample(DET_ZONE_EXIT);
    e.end += 3600000;
    det_stix_event(&e, &node, b, sizeof b);
    assert_non_null(strstr(b, "\"id\":\"sighting--81adc11b-19e6-5a3f-8b3c-2a63885ae472\","
                              "\"created\":\"2025-01-01T00:35:00.000Z\","
                              "\"modified\":\"2025-01-01T02:45:00.000Z\""));
}

/* Every node writes the same shared definitions (publisher, extension,
 * attack patterns): only its own identity differs, so federated copies
 * of the definitions never conflict. */
static void shared_definitions_identical(void **state)
{
    (void)state;
    const struct det_stix_opts a = {"Coast Guard MRCC", 1}, b = {"Navy MOC", 1};
    char pa[16384], pb[16384];
    assert_true(det_stix_preamble(&a, pa, sizeof pa) > 0);
    assert_true(det_stix_preamble(&b, pb, sizeof pb) > 0);
    json_t *ja = parse_event(pa), *jb = parse_event(pb);
    assert_int_equal(json_array_size(ja), 13);
    assert_int_equal(json_array_size(jb), 13);
    int differ = 0;
    for (size_t i = 0; i < 13; i++) {
        json_t *oa = json_array_get(ja, i), *ob = json_array_get(jb, i);
        const char *cls = json_string_value(json_object_get(oa, "identity_class"));
        if (cls && strcmp(cls, "organization") == 0)
            differ += !json_equal(oa, ob);
        else
            assert_true(json_equal(oa, ob));
    }
    assert_int_equal(differ, 1);
    json_decref(ja);
    json_decref(jb);
}

static void tlp_levels(void **state)
{
    (void)state;
    static const char *const ids[] = {
        "marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487",
        "marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb",
        "marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421",
        "marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003",
        "marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1",
    };
    static const char *const values[] = {"clear", "green", "amber", "amber+strict", "red"};
    char pre[16384], buf[4096];
    for (unsigned t = 0; t <= 7; t++) {
        unsigned want = t < 5 ? t : 4;   /* unknown levels are the strictest */
        const struct det_stix_opts o = {"n", t};
        struct det_event e = sample(DET_GAP);
        det_stix_preamble(&o, pre, sizeof pre);
        det_stix_event(&e, &o, buf, sizeof buf);
        json_decref(parse_event(buf));
        char ref[120];
        snprintf(ref, sizeof ref, "\"object_marking_refs\":[\"%s\"]", ids[want]);
        /* both objects of the event carry it, and the preamble defines it */
        assert_non_null(strstr(buf, ref));
        assert_non_null(strstr(strstr(buf, ref) + 1, ref));
        char def[200];
        snprintf(def, sizeof def, "\"id\":\"%s\",\"created\":\"2022-10-01T00:00:00.000Z\"", ids[want]);
        assert_non_null(strstr(pre, def));
        snprintf(def, sizeof def, "\"tlp_2_0\":\"%s\"}}}", values[want]);
        assert_non_null(strstr(pre, def));
    }
}

static void timestamps(void **state)
{
    (void)state;
    char buf[4096];
    struct det_event e = sample(DET_INVALID_MMSI);
    e.start = e.end = 951782400999LL;   /* 2000-02-29T00:00:00.999Z, a leap day */
    det_stix_event(&e, &node, buf, sizeof buf);
    assert_non_null(strstr(buf, "\"first_seen\":\"2000-02-29T00:00:00.999Z\""));
    e.start = e.end = -1;               /* 1 ms before 1970 */
    det_stix_event(&e, &node, buf, sizeof buf);
    assert_non_null(strstr(buf, "\"first_seen\":\"1969-12-31T23:59:59.999Z\""));
    e.start = T_2025;                   /* an end before the start is the start */
    e.end = T_2025 - 1000;
    det_stix_event(&e, &node, buf, sizeof buf);
    assert_non_null(strstr(buf, "\"last_seen\":\"2025-01-01T00:00:00.000Z\""));
    e.end = AIS_TIME_NONE;              /* no end: the start */
    det_stix_event(&e, &node, buf, sizeof buf);
    assert_non_null(strstr(buf, "\"modified\":\"2025-01-01T00:00:00.000Z\""));
}

int main(int argc, char **argv)
{
    if (argc > 1 && strcmp(argv[1], "--dump") == 0) {
        char *b = bundle_all(&node);
        fputs(b, stdout);
        free(b);
        return 0;
    }
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(exact_each_kind),
        cmocka_unit_test(exact_preamble),
        cmocka_unit_test(bundle_is_json),
        cmocka_unit_test(hostile_strings),
        cmocka_unit_test(worst_case_sizes),
        cmocka_unit_test(cap_handling),
        cmocka_unit_test(ids_deterministic),
        cmocka_unit_test(shared_definitions_identical),
        cmocka_unit_test(tlp_levels),
        cmocka_unit_test(timestamps),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
