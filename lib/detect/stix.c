/*
 * stix.c - maritime events as STIX 2.1 objects (OASIS STIX 2.1 OS: location,
 * sighting, attack-pattern, extension-definition; TLP 2.0 markings), so that
 * any STIX consumer (a TAXII server, OpenCTI, MISP) can store, show and
 * share them, and partner nodes can federate them.
 *
 * An event is a `sighting` of the behaviour it shows (an `attack-pattern`,
 * one per event kind: "AIS gap", "ship-to-ship encounter", ...) seen at a
 * `location`, from first_seen (start) to last_seen (end). The sighting
 * carries the machine-readable maritime properties (mmsi, mmsi2, zone,
 * duration_h, likely_disabling, ...) in a property extension defined by the
 * `extension-definition` that det_stix_preamble() writes once per bundle.
 * docs/stix-maritime.md explains why (sighting rather than note or
 * observed-data) and shows examples.
 *
 * Ids are version 5 UUIDs (core/uuid.c) of the event's identity (kind,
 * MMSIs, start, zone) in alidade's own namespace (STIX 2.1 prefers v4 but
 * allows others in a namespace that guarantees uniqueness, never the SCO
 * one), so the same event detected again, or by another node from the same
 * data, has the same ids and deduplicates. created is the
 * event's start and modified its end: an event seen longer later (a gap
 * still open at the end of one run) becomes a newer version of the same
 * object; so does the final version of a gap the live node reported as
 * ongoing (det_tick: "ongoing": true, end = start + 6 h). The shared definitions (publisher identity, extension-definition,
 * attack-patterns) are byte-identical on every node. Every object is checked
 * against the OASIS STIX 2.1 JSON schemas by tests/detect/validate_stix.py;
 * exact output by tests/detect/test_stix.c.
 */
#include <stdarg.h>
#include <stdio.h>

#include "alidade/stix.h"
#include "core/uuid.h"
#include "detect/internal.h"



/* The behaviour each event kind shows: one attack-pattern per kind, in
 * enum det_kind order. */
static const struct {
    const char *name, *description;
} kind_table[DET__COUNT] = {
    {"AIS gap (possible transponder disabling)",
     "A vessel stops transmitting AIS for hours (Global Fishing Watch: >= 6 h); far from "
     "shore, with good reception and after regular reporting it is a likely intentional "
     "disabling (going dark)."},
    {"Ship-to-ship encounter (possible transshipment)",
     "Two vessels stay within 0.5 km of each other for hours at low speed away from "
     "anchorages, as in at-sea transfers of cargo, catch or fuel."},
    {"Loitering at sea",
     "A vessel drifts or moves slowly for hours far from shore, as when waiting for a "
     "rendezvous."},
    {"Zone entry",
     "A vessel subject to a zone's rules enters an operator-defined zone (EEZ, protected "
     "or closed area)."},
    {"Zone exit",
     "A vessel subject to a zone's rules leaves an operator-defined zone."},
    {"AIS position jump (possible spoofing)",
     "Consecutive positions of one vessel imply an impossible speed: falsified or "
     "faulty position reports."},
    {"MMSI used by two vessels (identity cloning)",
     "The same MMSI is reported in two distant places at once."},
    {"Invalid MMSI",
     "A vessel transmits an MMSI that is not a valid ship station identity (wrong "
     "length or unallocated Maritime Identification Digits)."},
    {"Vessel identity change",
     "The name, call sign or IMO number broadcast under one MMSI changes."},
};

#define PUBLISHER "alidade"
#define EXT_NAME "alidade maritime event"
/* When the shared definitions were published (fixed: consumers cache them
 * by id, and every node must write the same bytes). */
#define DEF_CREATED "2026-11-23T00:00:00.000Z"

/* ---- bounded output ---- */

struct w {
    char *p;
    size_t cap, n;    /* n may pass cap: the length the output would have */
};

static void put(struct w *w, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int k = w->n < w->cap ? vsnprintf(w->p + w->n, w->cap - w->n, fmt, ap)
                          : vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (k > 0)
        w->n += (size_t)k;
}

/* Length of the valid UTF-8 sequence at s (1-4), 0 when it is not one. */
static int utf8_len(const unsigned char *s)
{
    if (s[0] < 0x80)
        return 1;
    int n = s[0] >= 0xF0 ? 4 : s[0] >= 0xE0 ? 3 : s[0] >= 0xC2 ? 2 : 0;
    if (n == 0 || s[0] > 0xF4)
        return 0;
    for (int i = 1; i < n; i++)
        if ((s[i] & 0xC0) != 0x80)
            return 0;
    if ((s[0] == 0xE0 && s[1] < 0xA0) || (s[0] == 0xED && s[1] > 0x9F) ||   /* overlong, surrogate */
        (s[0] == 0xF0 && s[1] < 0x90) || (s[0] == 0xF4 && s[1] > 0x8F))     /* overlong, > U+10FFFF */
        return 0;
    return n;
}

/* A JSON string in quotes. Operator and vessel text may hold anything:
 * quotes and backslashes are escaped, invalid UTF-8 becomes U+FFFD, and
 * control characters are \u escapes (`prose` false) or spaces (`prose`
 * true: human-readable text, kept short whatever the input). */
static void put_jstr(struct w *w, const char *s, bool prose)
{
    put(w, "\"");
    const unsigned char *p = (const unsigned char *)s;
    while (*p) {
        int n = utf8_len(p);
        if (n == 0) {
            put(w, "\\ufffd");
            p++;
        } else if (*p == '"' || *p == '\\') {
            put(w, "\\%c", *p++);
        } else if (*p < 0x20 || *p == 0x7F) {
            put(w, prose ? " " : "\\u%04x", *p++);
        } else {
            put(w, "%.*s", n, (const char *)p);
            p += n;
        }
    }
    put(w, "\"");
}

/* STIX timestamp of ms since 1970: "YYYY-MM-DDTHH:MM:SS.mmmZ", always with
 * milliseconds (created/modified must be). Days to civil date after Howard
 * Hinnant's days_from_civil inverse; years outside 0-9999 are clamped. */
static void stix_time(int64_t ms, char out[32])
{
    const int64_t lo = -62167219200000LL, hi = 253402300799999LL;  /* 0000 .. 9999 */
    if (ms == AIS_TIME_NONE)
        ms = 0;
    ms = ms < lo ? lo : ms > hi ? hi : ms;
    int64_t days = ms >= 0 ? ms / 86400000 : -((-ms + 86399999) / 86400000);
    int64_t rem = ms - days * 86400000;
    int64_t z = days + 719468, era = (z >= 0 ? z : z - 146096) / 146097;
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100), mp = (5 * doy + 2) / 153;
    int d = (int)(doy - (153 * mp + 2) / 5 + 1), m = (int)(mp < 10 ? mp + 3 : mp - 9);
    int64_t y = yoe + era * 400 + (m <= 2);
    /* the modulos only bound the figures for the compiler: all are in range */
    snprintf(out, 32, "%04u-%02u-%02uT%02u:%02u:%02u.%03uZ", (unsigned)y % 10000u,
             (unsigned)m % 100u, (unsigned)d % 100u, (unsigned)(rem / 3600000) % 100u,
             (unsigned)(rem / 60000 % 60), (unsigned)(rem / 1000 % 60),
             (unsigned)(rem % 1000));
}

/* ---- ids ---- */

static void make_id(char out[96], const char *type, const char *name)
{
    char u[37];
    ald_uuid5(ald_uuid_ns, name, strlen(name), u);
    snprintf(out, 96, "%s--%s", type, u);
}

static void publisher_id(char out[96])
{
    make_id(out, "identity", "identity|" PUBLISHER);
}

static void ext_id(char out[96])
{
    make_id(out, "extension-definition", "extension-definition|" EXT_NAME);
}

static void pattern_id(enum det_kind k, char out[96])
{
    char name[64];
    snprintf(name, sizeof name, "attack-pattern|%s", det_kind_name(k));
    make_id(out, "attack-pattern", name);
}

/* The node's name, at most 128 bytes of it (ids and output stay bounded). */
static const char *node_name(const struct det_stix_opts *o)
{
    return o->identity_name && o->identity_name[0] ? o->identity_name : "alidade node";
}

static void node_id(const struct det_stix_opts *o, char out[96])
{
    stix_node_identity_id(node_name(o), out);
}

static unsigned tlp_of(const struct det_stix_opts *o)
{
    return o->tlp < 5 ? o->tlp : 4;
}

/* ---- the objects a bundle needs once ---- */

static void put_identities(struct w *w, const struct det_stix_opts *o)
{
    char pub[96], idn[96], name[129];
    publisher_id(pub);
    node_id(o, idn);
    put(w, "{\"type\":\"identity\",\"spec_version\":\"2.1\",\"id\":\"%s\",\"created\":\"%s\","
           "\"modified\":\"%s\",\"name\":\"" PUBLISHER "\",\"description\":\"Publisher of the "
           "alidade maritime event extension and of the maritime attack patterns "
           "(docs/stix-maritime.md).\",\"identity_class\":\"system\"},\n",
        pub, DEF_CREATED, DEF_CREATED);
    snprintf(name, sizeof name, "%s", node_name(o));
    put(w, "{\"type\":\"identity\",\"spec_version\":\"2.1\",\"id\":\"%s\",\"created\":\"%s\","
           "\"modified\":\"%s\",\"name\":", idn, DEF_CREATED, DEF_CREATED);
    put_jstr(w, name, true);
    put(w, ",\"description\":\"alidade node of the partner network (maritime and cyber "
           "information sharing)\",\"identity_class\":\"organization\"},\n");
}

static void put_extension(struct w *w)
{
    char pub[96], ext[96];
    publisher_id(pub);
    ext_id(ext);
    put(w, "{\"type\":\"extension-definition\",\"spec_version\":\"2.1\",\"id\":\"%s\","
           "\"created\":\"%s\",\"modified\":\"%s\",\"created_by_ref\":\"%s\","
           "\"name\":\"" EXT_NAME "\",\"description\":\"Machine-readable properties of a "
           "maritime event detected from AIS, carried by the sighting that reports it.\","
           "\"schema\":\"Properties (event, mmsi, start and end always present): event "
           "(string: gap, encounter, loitering, zone_entry, zone_exit, teleport, mmsi_clash, "
           "invalid_mmsi, identity_change), mmsi and mmsi2 (integers: the vessel, and the other "
           "vessel of an encounter or clash), start and end (STIX timestamps), lat, lon, "
           "end_lat, end_lon (decimal degrees, WGS 84), duration_h, distance_km, speed_kn, "
           "shore_km (numbers), likely_disabling (boolean, gaps), zone (string), detail "
           "(string). Specified in alidade's docs/stix-maritime.md.\","
           "\"version\":\"1.0.0\",\"extension_types\":[\"property-extension\"]},\n",
        ext, DEF_CREATED, DEF_CREATED, pub);
}

static void put_patterns(struct w *w)
{
    char pub[96], id[96];
    publisher_id(pub);
    for (int k = 0; k < DET__COUNT; k++) {
        pattern_id((enum det_kind)k, id);
        put(w, "{\"type\":\"attack-pattern\",\"spec_version\":\"2.1\",\"id\":\"%s\","
               "\"created\":\"%s\",\"modified\":\"%s\",\"created_by_ref\":\"%s\","
               "\"name\":\"%s\",\"description\":\"%s\",\"labels\":[\"maritime\",\"%s\"]},\n",
            id, DEF_CREATED, DEF_CREATED, pub, kind_table[k].name, kind_table[k].description,
            det_kind_name((enum det_kind)k));
    }
}

size_t det_stix_preamble(const struct det_stix_opts *o, char *dst, size_t cap)
{
    struct w w = {dst, cap, 0};
    unsigned t = tlp_of(o);
    put_identities(&w, o);
    put_extension(&w);
    put_patterns(&w);
    char md[512];
    size_t n = stix_tlp_definition((enum stix_tlp)t, md, sizeof md);
    put(&w, "%.*s", (int)n, md);
    return w.n < cap ? w.n : 0;
}

/* ---- one event ---- */

/* A sentence saying what happened (raw text: put_jstr escapes it). */
static void summary(const struct det_event *e, char *out, size_t cap)
{
    switch (e->kind) {
    case DET_GAP:
        if (e->ongoing)
            snprintf(out, cap, "AIS gap: MMSI %u silent for %.1f h so far (ongoing)", e->mmsi,
                     e->duration_h);
        else
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
    case DET__COUNT:
    default:
        snprintf(out, cap, "Maritime event: MMSI %u", e->mmsi);
        break;
    }
}

/* A number member, absent when NAN or infinite; absurdly large values in
 * exponent form so that the output stays bounded. */
static void num(struct w *w, const char *key, double v, int decimals)
{
    if (!isfinite(v))
        return;
    if (fabs(v) < 1e12)
        put(w, ",\"%s\":%.*f", key, decimals, v);
    else
        put(w, ",\"%s\":%.6e", key, v);
}

/* The maritime extension's properties (the JSON-lines event's members). */
static void put_props(struct w *w, const struct det_event *e, const char *t0, const char *t1)
{
    char ext[96];
    ext_id(ext);
    put(w, ",\"extensions\":{\"%s\":{\"extension_type\":\"property-extension\","
           "\"event\":\"%s\",\"mmsi\":%u", ext, det_kind_name(e->kind), e->mmsi);
    if (e->mmsi2)
        put(w, ",\"mmsi2\":%u", e->mmsi2);
    put(w, ",\"start\":\"%s\",\"end\":\"%s\"", t0, t1);
    num(w, "lat", e->lat, 6);
    num(w, "lon", e->lon, 6);
    num(w, "end_lat", e->end_lat, 6);
    num(w, "end_lon", e->end_lon, 6);
    num(w, "duration_h", e->duration_h, 3);
    num(w, "distance_km", e->distance_km, 3);
    num(w, "speed_kn", e->speed_kn, 2);
    num(w, "shore_km", e->shore_km, 1);
    if (e->kind == DET_GAP && e->likely_disabling >= 0)
        put(w, ",\"likely_disabling\":%s", e->likely_disabling ? "true" : "false");
    if (e->ongoing)
        put(w, ",\"ongoing\":true");
    if (e->zone[0]) {
        put(w, ",\"zone\":");
        put_jstr(w, e->zone, false);
    }
    if (e->detail[0]) {
        put(w, ",\"detail\":");
        put_jstr(w, e->detail, false);
    }
    put(w, "}}");
}

/* The event's identity, the name its ids derive from. The zone is part of
 * it: one vessel can enter two overlapping zones at the same instant. */
static void event_key(const struct det_event *e, char *out, size_t cap)
{
    snprintf(out, cap, "%s|%u|%u|%lld|%s", det_kind_name(e->kind), e->mmsi, e->mmsi2,
             (long long)e->start, e->zone);
}

static bool has_position(const struct det_event *e)
{
    return isfinite(e->lat) && isfinite(e->lon) && fabs(e->lat) <= 90 && fabs(e->lon) <= 180;
}

/* The location carries the summary sentence too: MISP imports a location
 * as a geolocation object with the description as its comment, and drops
 * sightings of anything but its own attributes (docs/stix-maritime.md). */
static void put_location(struct w *w, const struct det_event *e, const char *key,
                         const char *idn, const char *mark, const char *t0, const char *tm,
                         const char *text)
{
    char loc[96], name[300];
    snprintf(name, sizeof name, "location|%s", key);
    make_id(loc, "location", name);
    put(w, "{\"type\":\"location\",\"spec_version\":\"2.1\",\"id\":\"%s\",\"created\":\"%s\","
           "\"modified\":\"%s\",\"created_by_ref\":\"%s\",\"name\":\"%s MMSI %u\","
           "\"description\":", loc, t0, tm, idn, det_kind_name(e->kind), e->mmsi);
    put_jstr(w, text, true);
    put(w, ",\"latitude\":%.6f,\"longitude\":%.6f,\"object_marking_refs\":[\"%s\"]},\n",
        e->lat, e->lon, mark);
}

/* The sighting's description: the summary, when, and the detail. */
static void describe(const struct det_event *e, const char *text, const char *t0,
                     const char *t1, char *out, size_t cap)
{
    const char *sep = e->detail[0] ? ": " : "";
    if (strcmp(t0, t1) == 0)
        snprintf(out, cap, "%s, at %s%s%s.", text, t0, sep, e->detail);
    else
        snprintf(out, cap, "%s, from %s to %s%s%s.", text, t0, t1, sep, e->detail);
}

size_t det_stix_event(const struct det_event *e, const struct det_stix_opts *o,
                      char *dst, size_t cap)
{
    struct w w = {dst, cap, 0};
    char key[256], name[300], sig[96], loc[96], idn[96], pat[96], t0[32], t1[32], tm[32];
    char text[256], desc[512];
    enum det_kind kind = (unsigned)e->kind < DET__COUNT ? e->kind : DET_GAP;
    event_key(e, key, sizeof key);
    node_id(o, idn);
    pattern_id(kind, pat);
    stix_time(e->start, t0);
    int64_t end = e->end == AIS_TIME_NONE || e->end < e->start ? e->start : e->end;
    stix_time(end, t1);
    /* the version: the end, or later for a version that follows an ongoing
     * one without a later end (det_event.modified) */
    stix_time(e->modified > end ? e->modified : end, tm);
    const char *mark = stix_tlp_id((enum stix_tlp)tlp_of(o));
    bool where = has_position(e);
    summary(e, text, sizeof text);
    if (where) {
        put_location(&w, e, key, idn, mark, t0, tm, text);
        snprintf(name, sizeof name, "location|%s", key);
        make_id(loc, "location", name);
    }
    snprintf(name, sizeof name, "sighting|%s", key);
    make_id(sig, "sighting", name);
    describe(e, text, t0, t1, desc, sizeof desc);
    put(&w, "{\"type\":\"sighting\",\"spec_version\":\"2.1\",\"id\":\"%s\",\"created\":\"%s\","
            "\"modified\":\"%s\",\"created_by_ref\":\"%s\",\"description\":",
        sig, t0, tm, idn);
    put_jstr(&w, desc, true);
    put(&w, ",\"first_seen\":\"%s\",\"last_seen\":\"%s\",\"count\":1,"
            "\"sighting_of_ref\":\"%s\",\"where_sighted_refs\":[\"%s\"],"
            "\"labels\":[\"maritime\",\"%s\"],\"object_marking_refs\":[\"%s\"]",
        t0, t1, pat, where ? loc : idn, det_kind_name(kind), mark);
    put_props(&w, e, t0, t1);
    put(&w, "}");
    return w.n < cap ? w.n : 0;
}
