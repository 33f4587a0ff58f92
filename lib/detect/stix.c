/*
 * stix.c - maritime events as STIX 2.1 objects, so that any STIX consumer
 * (a TAXII server, OpenCTI, MISP) can store, show and share them.
 *
 * Each event becomes two standard SDOs:
 *   - a `location` (latitude/longitude where the event happened or began),
 *   - a `note` whose abstract and content say what happened in words, with
 *     object_refs -> the location, and a property extension carrying the
 *     machine-readable maritime properties (event, mmsi, mmsi2, start, end,
 *     duration_h, likely_disabling, zone, ...), defined by the published
 *     `extension-definition` that det_stix_preamble() writes once per bundle.
 * Ids are version 5 UUIDs of the event's identity (kind, MMSIs, start), so
 * the same event detected again, or by another node from the same data,
 * has the same ids and deduplicates. created/modified are the event's end.
 * docs/stix-maritime.md documents the mapping with examples; every object is
 * checked against the OASIS STIX 2.1 JSON schemas in tests/detect.
 */
#include <stdarg.h>
#include <stdio.h>

#include "core/uuid.h"
#include "detect/internal.h"

/* alidade's namespace for name-based STIX ids */
static const uint8_t ald_ns[16] = {0xf2, 0xc3, 0x50, 0xda, 0xec, 0x4b, 0x41, 0x6a,
                                   0xa9, 0xb3, 0xdb, 0x14, 0x21, 0xe0, 0xd7, 0xd2};

/* TLP 2.0 marking definitions (FIRST, as published in STIX 2.1) */
static const char *const tlp_ids[] = {
    "marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487",   /* CLEAR */
    "marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb",   /* GREEN */
    "marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421",   /* AMBER */
    "marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003",   /* AMBER+STRICT */
    "marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1",   /* RED */
};
static const char *const tlp_names[] = {"clear", "green", "amber", "amber+strict", "red"};
static const char *const tlp_labels[] = {"CLEAR", "GREEN", "AMBER", "AMBER+STRICT", "RED"};

#define EXT_NAME "alidade maritime event v1"
/* When the extension was defined (fixed: consumers cache it by id). */
#define EXT_CREATED "2026-11-23T00:00:00.000Z"

struct w {
    char *p;
    size_t cap, n;
};

static void put(struct w *w, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int k = vsnprintf(w->p + w->n, w->n < w->cap ? w->cap - w->n : 0, fmt, ap);
    va_end(ap);
    if (k > 0)
        w->n += (size_t)k;
}

/* JSON string with quotes; operator and vessel text may hold anything. */
static void put_jstr(struct w *w, const char *s)
{
    put(w, "\"");
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\')
            put(w, "\\%c", c);
        else if (c < 0x20)
            put(w, "\\u%04x", c);
        else
            put(w, "%c", c);
    }
    put(w, "\"");
}

static void stix_time(int64_t ms, char out[32])
{
    if (ms == AIS_TIME_NONE || !ais_format_time(ms - ms % 1000, out, 32)) {
        snprintf(out, 32, "1970-01-01T00:00:00.000Z");
        return;
    }
    /* ais_format_time drops ".000": STIX wants millisecond precision here */
    size_t n = strlen(out);
    snprintf(out + n - 1, 32 - (n - 1), ".%03dZ", (int)(ms % 1000 + 1000) % 1000);
}

static void make_id(char *out, size_t cap, const char *type, const char *name)
{
    char u[37];
    ald_uuid5(ald_ns, name, strlen(name), u);
    snprintf(out, cap, "%s--%s", type, u);
}

static void ext_id(char out[64])
{
    make_id(out, 64, "extension-definition", EXT_NAME);
}

static void identity_id(const struct det_stix_opts *o, char out[64])
{
    char name[160];
    snprintf(name, sizeof name, "identity|%s", o->identity_name ? o->identity_name : "alidade node");
    make_id(out, 64, "identity", name);
}

static unsigned tlp_of(const struct det_stix_opts *o)
{
    return o->tlp < 5 ? o->tlp : 4;
}

size_t det_stix_preamble(const struct det_stix_opts *o, char *dst, size_t cap)
{
    struct w w = {dst, cap, 0};
    char ext[64], idn[64];
    ext_id(ext);
    identity_id(o, idn);
    const char *who = o->identity_name ? o->identity_name : "alidade node";
    put(&w, "{\"type\":\"identity\",\"spec_version\":\"2.1\",\"id\":\"%s\","
            "\"created\":\"%s\",\"modified\":\"%s\",\"name\":", idn, EXT_CREATED, EXT_CREATED);
    put_jstr(&w, who);
    put(&w, ",\"identity_class\":\"organization\",\"description\":\"alidade node of the "
            "partner network (maritime and cyber information sharing)\"},\n");
    put(&w, "{\"type\":\"extension-definition\",\"spec_version\":\"2.1\",\"id\":\"%s\","
            "\"created\":\"%s\",\"modified\":\"%s\",\"created_by_ref\":\"%s\","
            "\"name\":\"%s\",\"description\":\"Machine-readable properties of a maritime "
            "event detected from AIS (gap, encounter, loitering, zone_entry, zone_exit, "
            "teleport, mmsi_clash, invalid_mmsi, identity_change), carried by a note whose "
            "object_refs point to the event's location.\","
            "\"schema\":\"Properties (all optional but event, mmsi, start, end): event "
            "(string, one of the kinds above), mmsi and mmsi2 (integers, MMSI of the vessel "
            "and of the other vessel of an encounter or clash), start and end (timestamps), "
            "lat, lon, end_lat, end_lon (decimal degrees, WGS 84), duration_h, distance_km, "
            "speed_kn, shore_km (numbers), likely_disabling (boolean, gaps), zone (string), "
            "detail (string). Defined in alidade's docs/stix-maritime.md.\","
            "\"version\":\"1.0.0\",\"extension_types\":[\"property-extension\"]},\n",
        ext, EXT_CREATED, EXT_CREATED, idn, EXT_NAME);
    put(&w, "{\"type\":\"marking-definition\",\"spec_version\":\"2.1\",\"id\":\"%s\","
            "\"created\":\"2022-10-01T00:00:00.000Z\",\"name\":\"TLP:%s\","
            "\"extensions\":{\"extension-definition--60a3c5c5-0d10-413e-aab3-9e08dde9e88d\":"
            "{\"extension_type\":\"property-extension\",\"tlp_2_0\":\"%s\"}}}",
        tlp_ids[tlp_of(o)], tlp_labels[tlp_of(o)], tlp_names[tlp_of(o)]);
    return w.n < cap ? w.n : 0;
}

/* A sentence saying what happened, for the note's abstract. */
static void abstract(const struct det_event *e, char *out, size_t cap)
{
    switch (e->kind) {
    case DET_GAP:
        snprintf(out, cap, "AIS gap: MMSI %u silent for %.1f h%s", e->mmsi, e->duration_h,
                 e->likely_disabling == 1 ? " (likely disabling)" : "");
        break;
    case DET_ENCOUNTER:
        snprintf(out, cap, "Encounter: MMSI %u and %u together for %.1f h", e->mmsi, e->mmsi2,
                 e->duration_h);
        break;
    case DET_LOITERING:
        snprintf(out, cap, "Loitering: MMSI %u for %.1f h", e->mmsi, e->duration_h);
        break;
    case DET_ZONE_ENTRY:
        snprintf(out, cap, "Zone entry: MMSI %u entered %s", e->mmsi, e->zone);
        break;
    case DET_ZONE_EXIT:
        snprintf(out, cap, "Zone exit: MMSI %u left %s", e->mmsi, e->zone);
        break;
    case DET_TELEPORT:
        snprintf(out, cap, "Position jump: MMSI %u moved %.0f km at %.0f kn", e->mmsi,
                 e->distance_km, e->speed_kn);
        break;
    case DET_MMSI_CLASH:
        snprintf(out, cap, "MMSI %u used by two vessels at once", e->mmsi);
        break;
    case DET_INVALID_MMSI:
        snprintf(out, cap, "Invalid MMSI %u", e->mmsi);
        break;
    case DET_IDENTITY_CHANGE:
        snprintf(out, cap, "Identity change: MMSI %u", e->mmsi);
        break;
    default:
        snprintf(out, cap, "Maritime event: MMSI %u", e->mmsi);
        break;
    }
}

static void num(struct w *w, const char *key, double v, int decimals)
{
    if (!isnan(v))
        put(w, ",\"%s\":%.*f", key, decimals, v);
}

size_t det_stix_event(const struct det_event *e, const struct det_stix_opts *o,
                      char *dst, size_t cap)
{
    struct w w = {dst, cap, 0};
    char key[160], loc[80], note[80], ext[64], idn[64], t0[32], t1[32], text[200];
    snprintf(key, sizeof key, "%s|%u|%u|%lld", det_kind_name(e->kind), e->mmsi, e->mmsi2,
             (long long)e->start);
    char k2[180];
    snprintf(k2, sizeof k2, "location|%s", key);
    make_id(loc, sizeof loc, "location", k2);
    snprintf(k2, sizeof k2, "note|%s", key);
    make_id(note, sizeof note, "note", k2);
    ext_id(ext);
    identity_id(o, idn);
    stix_time(e->start, t0);
    stix_time(e->end == AIS_TIME_NONE ? e->start : e->end, t1);
    const char *mark = tlp_ids[tlp_of(o)];
    bool has_loc = !isnan(e->lat) && !isnan(e->lon);

    if (has_loc) {
        put(&w, "{\"type\":\"location\",\"spec_version\":\"2.1\",\"id\":\"%s\","
                "\"created\":\"%s\",\"modified\":\"%s\",\"created_by_ref\":\"%s\","
                "\"name\":\"%s MMSI %u\",\"latitude\":%.6f,\"longitude\":%.6f,"
                "\"object_marking_refs\":[\"%s\"]},\n",
            loc, t1, t1, idn, det_kind_name(e->kind), e->mmsi, e->lat, e->lon, mark);
    }
    abstract(e, text, sizeof text);
    put(&w, "{\"type\":\"note\",\"spec_version\":\"2.1\",\"id\":\"%s\",\"created\":\"%s\","
            "\"modified\":\"%s\",\"created_by_ref\":\"%s\",\"abstract\":", note, t1, t1, idn);
    put_jstr(&w, text);
    put(&w, ",\"content\":");
    char content[512];
    snprintf(content, sizeof content, "%s, from %s to %s%s%s.", text, t0, t1,
             e->detail[0] ? ": " : "", e->detail);
    put_jstr(&w, content);
    put(&w, ",\"object_refs\":[\"%s\"],\"labels\":[\"maritime\",\"%s\"],"
            "\"object_marking_refs\":[\"%s\"],\"extensions\":{\"%s\":{"
            "\"extension_type\":\"property-extension\",\"event\":\"%s\",\"mmsi\":%u",
        has_loc ? loc : idn, det_kind_name(e->kind), mark, ext, det_kind_name(e->kind), e->mmsi);
    if (e->mmsi2)
        put(&w, ",\"mmsi2\":%u", e->mmsi2);
    put(&w, ",\"start\":\"%s\",\"end\":\"%s\"", t0, t1);
    num(&w, "lat", e->lat, 6);
    num(&w, "lon", e->lon, 6);
    num(&w, "end_lat", e->end_lat, 6);
    num(&w, "end_lon", e->end_lon, 6);
    num(&w, "duration_h", e->duration_h, 3);
    num(&w, "distance_km", e->distance_km, 3);
    num(&w, "speed_kn", e->speed_kn, 2);
    num(&w, "shore_km", e->shore_km, 1);
    if (e->kind == DET_GAP && e->likely_disabling >= 0)
        put(&w, ",\"likely_disabling\":%s", e->likely_disabling ? "true" : "false");
    if (e->zone[0]) {
        put(&w, ",\"zone\":");
        put_jstr(&w, e->zone);
    }
    if (e->detail[0]) {
        put(&w, ",\"detail\":");
        put_jstr(&w, e->detail);
    }
    put(&w, "}}}");
    return w.n < cap ? w.n : 0;
}
