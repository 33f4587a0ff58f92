/*
 * detect.h - streaming detectors of illicit activity at sea, fed with the
 * tracker's fixes (track.h), each emitting events as soon as they are
 * certain:
 *   gap            AIS silence >= 6 h; "likely disabling" when >= 12 h, far
 *                  from shore, with good reception, after regular reporting
 *   encounter      two vessels within 0.5 km for >= 2 h at median < 2 kn
 *   loitering      one vessel averaging <= 2 kn for >= 4 h far from shore
 *   zone_entry/exit  crossing operator-supplied polygons
 *   teleport       implied speed over the limit between consecutive fixes
 *   mmsi_clash     the same MMSI in two far places at once
 *   invalid_mmsi   MMSI that is not 9 digits or whose MID is not allocated
 *   identity_change  name / call sign / IMO churn for one MMSI
 * Defaults follow Global Fishing Watch's published definitions; every
 * threshold is a named field of struct det_config (zero = default).
 * Each detector is one file in lib/detect/ with one registration row.
 */
#ifndef ALIDADE_DETECT_H
#define ALIDADE_DETECT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "alidade/track.h"

#ifdef __cplusplus
extern "C" {
#endif

enum det_kind {
    DET_GAP = 0,
    DET_ENCOUNTER,
    DET_LOITERING,
    DET_ZONE_ENTRY,
    DET_ZONE_EXIT,
    DET_TELEPORT,
    DET_MMSI_CLASH,
    DET_INVALID_MMSI,
    DET_IDENTITY_CHANGE,
    DET__COUNT
};

/* "gap", "encounter", ... as in the JSON "event" member. */
ALD_API const char *det_kind_name(enum det_kind k);

/* One detected event. Doubles are NAN when not applicable or unknown. */
struct det_event {
    enum det_kind kind;
    uint32_t mmsi;
    uint32_t mmsi2;          /* the other vessel (encounter, mmsi_clash) or 0 */
    int64_t start, end;      /* ms since 1970 UTC */
    double lat, lon;         /* where it happened or began, degrees */
    double end_lat, end_lon; /* where it ended (gap, teleport), or NAN */
    double duration_h;
    double distance_km;      /* gap/teleport: start to end; encounter: median separation */
    double speed_kn;         /* implied (gap, teleport) or mean/median (loitering, encounter) */
    double shore_km;         /* distance to shore at the start, NAN = unknown */
    int likely_disabling;    /* gap only: 1 yes, 0 no, -1 cannot tell */
    char zone[64];           /* zone events: the zone's name */
    char detail[160];        /* short human explanation, e.g. "name MARIA -> NIKOS" */
    /* Live node only (det_tick); false / 0 in batch runs: */
    bool ongoing;            /* gap: the vessel is still silent; `end` is
                                start + gap_min_h, a time it is known silent
                                until (docs/detect-gap.md) */
    int64_t modified;        /* when later than `end`: this version's time
                                (STIX `modified`), so that the version that
                                follows an ongoing one is newer even when its
                                end is not; 0 = `end` */
};

typedef void (*det_event_cb)(void *ctx, const struct det_event *e);

struct det_config {
    /* gap */
    double gap_min_h;            /* silence recorded from (6) */
    double gap_dark_h;           /* likely disabling from (12) */
    double gap_dark_shore_nm;    /* ... when it starts at least this far out (50) */
    double gap_regular_min_per_h;/* ... and the vessel sent this many fixes per
                                    hour in the 12 h before (2) */
    double gap_reception_km;     /* ... and other vessels were heard within this
                                    distance during the gap (good reception) (50) */
    /* encounter */
    double enc_max_km;           /* (0.5) */
    double enc_min_h;            /* (2) */
    double enc_max_median_kn;    /* (2) */
    double enc_min_anchorage_km; /* (10) */
    double enc_grid_min;         /* resampling step, minutes (10) */
    double enc_max_interp_h;     /* no interpolation across longer gaps (1) */
    double enc_merge_h;          /* same pair closer than this merges (4) */
    /* loitering */
    double loi_max_kn;           /* (2) */
    double loi_min_h;            /* (4) */
    double loi_min_shore_nm;     /* (20) */
    /* identity and spoofing */
    double tel_max_kn;           /* implied speed that is a teleport (50) */
    double tel_min_km;           /* ... over at least this distance (10) */
    double clash_min_km;         /* same MMSI this far apart ... (50) */
    double clash_max_s;          /* ... within this time (600) */
    unsigned ident_max_changes;  /* identity changes per day before an event (1:
                                    every change is an event) */
};

typedef struct det_engine det_engine;

/* Zones (EEZs, protected areas, closed areas) with per-zone rules, loaded
 * from a GeoJSON FeatureCollection; see det_zones_load(). */
typedef struct det_zones det_zones;

/* Operator-supplied geography. Distance to the nearest shore and anchorage
 * (GeoJSON / CSV, see the CLI): NULL or a function returning NAN means
 * unknown, and events then carry shore_km = NAN instead of a guess. Zones:
 * NULL means no zone events. The engine borrows all of it. */
struct det_geo {
    double (*shore_km)(void *ctx, double lat, double lon);
    double (*anchorage_km)(void *ctx, double lat, double lon);
    /* Land mask: 1 on land, 0 at sea, -1 unknown (NULL: unknown). */
    int (*on_land)(void *ctx, double lat, double lon);
    void *ctx;
    const det_zones *zones;
};

/*
 * Parses a GeoJSON FeatureCollection of Polygon / MultiPolygon features
 * (lon/lat, WGS 84). Properties read per feature, all optional but "name":
 *   "name": "NZ EEZ"          shown in events (else "zone N")
 *   "exempt_mids": [512]      vessels flagged by these MIDs (the zone state's
 *                             own fleet) raise no events
 *   "ship_types": [30]        only vessels of these AIS ship types raise events
 *   "max_speed_kn": 10        only vessels going faster inside raise events
 * Returns NULL and writes the reason (feature index, what is wrong) into err
 * when the document cannot be used.
 */
ALD_API det_zones *det_zones_load(const char *geojson, size_t len, char *err, size_t errlen);
ALD_API void det_zones_free(det_zones *z);
ALD_API size_t det_zones_count(const det_zones *z);

/* Returns a new engine running every detector, or NULL when out of memory.
 * `cfg` may be NULL (all defaults); `geo` may be NULL (shore unknown). */
ALD_API det_engine *det_new(const struct det_config *cfg, const struct det_geo *geo,
                            det_event_cb on_event, void *ctx);
ALD_API void det_free(det_engine *d);
/* Feeds fixes in time order (per vessel strictly, across vessels within the
 * tracker's reorder window). */
ALD_API void det_feed_fix(det_engine *d, const struct trk_fix *f, const struct trk_static *st);
/* As det_feed_fix() on f[i], st[i] for i = 0..n-1 in order (the same
 * events, in the same order), faster at many vessels: the detectors' records
 * for the next fixes are loaded into the cache meanwhile. */
ALD_API void det_feed_fixes(det_engine *d, const struct trk_fix *f,
                            const struct trk_static *st, size_t n);
/* Feeds a static-data change (from trk_static_cb). */
ALD_API void det_feed_static(det_engine *d, uint32_t mmsi, const struct trk_static *before,
                             const struct trk_static *after, int64_t t);
/* Ends the stream: open events that qualify are emitted. */
ALD_API void det_finish(det_engine *d);

/* ---- live clock (alidade serve; `ais detect` never calls these) ---- */

/* Tells the detectors that the feed has been delivered up to `now_ms`: no
 * fix with a time <= now_ms is still to come (the caller flushes what its
 * tracker holds back first, or passes a time before the held fixes). The
 * gap detector then emits, once per silence, an *ongoing* gap for each
 * vessel silent gap_min_h or longer at now_ms: `ongoing` true, `end` =
 * start + gap_min_h (the same on every node and every run, whatever the
 * tick's timing), likely_disabling -1 (decided when the gap ends). The final
 * gap follows as without ticks when the vessel is heard again, at
 * det_finish or when it is dropped; it is a newer version of the same event
 * (same kind, vessel and start; `modified` set when its end is not later).
 * Calls with a time not later than the previous one do nothing. */
ALD_API void det_tick(det_engine *d, int64_t now_ms);
/* As det_tick(), for a caller that holds fixes back (a tracker's reorder
 * window) and so cannot say that every fix up to now_ms was fed: a vessel
 * for which held(ctx, mmsi, t) is true, i.e. the caller has a fix of it
 * newer than t (its last fix the detectors know) that has not reached the
 * detectors yet, is not judged at this tick (that fix may end its silence). */
ALD_API void det_tick_held(det_engine *d, int64_t now_ms,
                           bool (*held)(void *ctx, uint32_t mmsi, int64_t t), void *ctx);
/* The feed was interrupted: nothing was heard from after from_ms until
 * to_ms (a jump of the feed clock; the caller has fed every fix up to
 * from_ms, held ones included). No vessel heard before it can be judged
 * across it: the receivers heard nothing (GFW counts a gap only where
 * reception was good). A vessel already silent gap_min_h at from_ms gets
 * its gap reported now, open, ending at from_ms ("open (feed
 * discontinuity)"); no other gap is reported for any silence spanning it. */
ALD_API void det_discontinuity(det_engine *d, int64_t from_ms, int64_t to_ms);

/* What the gap detector keeps of one vessel to judge its next silence; the
 * live node persists it (vessel_state.h) so that a vessel silent across a
 * restart yields its gap when heard again. */
#define DET_VESSEL_RING 32
struct det_vessel_state {
    uint32_t mmsi;
    int64_t t;                   /* last fix, ms since 1970 */
    int32_t lat, lon;            /* last fix, AIS units (1/600000 degree) */
    int ongoing;                 /* 1: its ongoing gap was reported; 2: its
                                    silence spans a feed discontinuity (no gap
                                    until heard again); 0 neither */
    unsigned nring;              /* fix times kept for the regularity test */
    uint32_t ring[DET_VESSEL_RING];   /* oldest first, s since 1970 */
};
/* The gap detector's record of mmsi; false when it has none. */
ALD_API bool det_vessel_get(const det_engine *d, uint32_t mmsi, struct det_vessel_state *out);
/* Sets the gap detector's record of s->mmsi from a saved one, unless it
 * already holds a record at least as recent (a re-read rebuilt it). false
 * when out of memory or the table is full. */
ALD_API bool det_vessel_seed(det_engine *d, const struct det_vessel_state *s);
/* Events emitted per kind so far. */
ALD_API uint64_t det_count(const det_engine *d, enum det_kind k);

/* ---- STIX 2.1 output (lib/detect/stix.c, docs/stix-maritime.md) ---- */

struct det_stix_opts {
    const char *identity_name;   /* this node, the events' creator ("alidade node") */
    unsigned tlp;                /* 0 CLEAR, 1 GREEN, 2 AMBER, 3 AMBER+STRICT, 4 RED */
};

/* Writes the objects a bundle of events needs once: the publisher and node
 * identities, the maritime extension-definition, one attack-pattern per
 * event kind and the TLP marking definition, as JSON objects separated by
 * ",\n" (no trailing comma). Returns the length, 0 if cap is too small
 * (16384 always suffices). */
ALD_API size_t det_stix_preamble(const struct det_stix_opts *o, char *dst, size_t cap);
/* Writes one event as a location (when it has a position) and a sighting of
 * its kind's attack-pattern carrying the maritime extension (separated by
 * ",\n"). Returns the length, 0 if cap is too small (4000 always suffices). */
ALD_API size_t det_stix_event(const struct det_event *e, const struct det_stix_opts *o,
                              char *dst, size_t cap);

#ifdef __cplusplus
}
#endif
#endif
