/*
 * track.h - vessel tracks from decoded AIS: positions merged with static and
 * voyage data per MMSI, invalid values dropped and counted, and fixes cut
 * into segments the way Global Fishing Watch's gpsdio-segment does (a fix
 * joins a segment only when the speed implied from that segment's last fix
 * is plausible). The tracker is the only stateful stage between the decoder
 * and the detectors: it owns one small record per vessel, bounded in number,
 * and evicts idle vessels.
 *
 * Units: positions are kept in AIS units (1/600000 degree, int32) so that no
 * precision is lost and a fix stays small; times are ms since 1970 UTC.
 */
#ifndef ALIDADE_TRACK_H
#define ALIDADE_TRACK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "alidade/ais.h"

#ifdef __cplusplus
extern "C" {
#endif

#define TRK_DEG 600000          /* AIS position units per degree */
#define TRK_SOG_NA 1023         /* speed over ground not available */
#define TRK_COG_NA 3600         /* course over ground not available */
#define TRK_HEADING_NA 511

/* One accepted position report (types 1-3, 18, 19, 27; type 27's 1/10
 * minute positions, knots and degrees are scaled to the units below). */
struct trk_fix {
    uint32_t mmsi;
    uint32_t segment;        /* segment number within the vessel, from 1 */
    int64_t t;               /* receive time, ms since 1970 */
    int32_t lat, lon;        /* 1/600000 degree */
    uint16_t sog;            /* 0.1 kn, TRK_SOG_NA */
    uint16_t cog;            /* 0.1 degree, TRK_COG_NA */
    uint16_t heading;        /* degree, TRK_HEADING_NA */
    uint8_t nav_status;      /* 0-15, 15 = not defined; 15 for class B */
    uint8_t msg_type;        /* 1-3, 18, 19, 27 */
};

/* Static and voyage data last heard for a vessel (types 5, 19, 24). Empty
 * strings and zeros mean "not heard". */
struct trk_static {
    char name[21];
    char callsign[8];
    uint32_t imo;
    uint8_t shiptype;
    uint16_t length_m, beam_m;   /* to_bow + to_stern, to_port + to_starboard */
    char destination[21];
    int64_t t;                   /* when it was last heard, ms: the newest
                                    static message time (for a message without
                                    one, the newest time seen in the stream);
                                    0 when never heard with a time */
};

/* Why fixes or static fields were dropped (GFW's validity rules). */
struct trk_stats {
    uint64_t messages;           /* messages offered */
    uint64_t fixes;              /* fixes accepted */
    uint64_t no_time;            /* position without a receive time (or one
                                    outside 1970..2^53 ms): dropped */
    uint64_t no_position;        /* lat 91 or lon 181 ("not available"): dropped */
    uint64_t bad_lat;            /* |lat| > 90 degrees, other than 91: dropped */
    uint64_t bad_lon;            /* |lon| > 180 degrees, other than 181: dropped */
    uint64_t bad_course;         /* COG > 360.0 (3600 = n/a): kept, COG cleared;
                                    type 27: 360-510 degrees */
    uint64_t bad_heading;        /* heading > 359 and not 511: kept, heading cleared */
    uint64_t bad_speed;          /* SOG 102.3 kn or more: 1023 ("not available"),
                                    type 27's 63 kn (its "not available") and
                                    impossible values; kept, SOG set to
                                    TRK_SOG_NA. 1022 (>= 102.2 kn) is kept */
    uint64_t bad_name;           /* name that is all '@' or empty: not stored */
    uint64_t too_old;            /* older than the reorder window, or than a fix
                                    already emitted for the vessel: dropped */
    uint64_t reordered;          /* arrived late but within the window */
    uint64_t new_segments;       /* segments opened (the first one included) */
    uint64_t evicted;            /* vessels evicted (idle, or to make room) */
    uint64_t vessels;            /* vessels currently held */
    uint64_t duplicates;         /* same vessel, time and position as a fix held
                                    or last emitted: dropped silently */
};

/* Tunables, GFW's defaults when zero. */
struct trk_opts {
    double max_speed_kn;         /* implied speed that still joins a segment (30) */
    int64_t max_gap_ms;          /* longer silence starts a new segment (24 h) */
    int64_t reorder_ms;          /* out-of-order tolerance per vessel (10 min) */
    int64_t idle_evict_ms;       /* vessel silent this long is evicted (48 h) */
    size_t max_vessels;          /* hard cap (1,000,000); when full, the least
                                    recently heard of 32 records is evicted */
};

typedef struct trk_tracker trk_tracker;

/* Called for every accepted fix, in time order per vessel; `st` is the
 * vessel's static data (never NULL; fields empty when unknown). A fix leaves
 * once it is reorder_ms older than the newest fix time seen (any vessel),
 * when the vessel's ring of 4 held fixes overflows, when the vessel is
 * evicted, or on trk_finish(). Callbacks must not call back into the tracker. */
typedef void (*trk_fix_cb)(void *ctx, const struct trk_fix *fix,
                           const struct trk_static *st);
/* Called when a vessel's name, call sign, IMO, ship type, length or beam
 * changes (not on repeats, not for destination): `before` is the previous
 * record (fields empty when first heard); after->t is the message time, or
 * the record's newer time when the message came late (see trk_static.t).
 * Empty or "not available" values never overwrite known ones. */
typedef void (*trk_static_cb)(void *ctx, uint32_t mmsi, const struct trk_static *before,
                              const struct trk_static *after);

ALD_API trk_tracker *trk_new(const struct trk_opts *opts);
ALD_API void trk_free(trk_tracker *t);
ALD_API void trk_set_cb(trk_tracker *t, trk_fix_cb on_fix, trk_static_cb on_static,
                        void *ctx);
/* Feeds one decoded message (any type; only positions and static data are
 * used). meta->time_ms is the fix time. */
ALD_API void trk_feed(trk_tracker *t, const struct ais_msg *m, const struct ais_meta *meta);
/* Feeds n messages, exactly as n calls of trk_feed() in order would, but
 * faster at many vessels: the records of the next messages are loaded into
 * the cache while the current one is worked on. Only meta[i].time_ms is
 * read from meta. */
ALD_API void trk_feed_batch(trk_tracker *t, const struct ais_msg *m,
                            const struct ais_meta *meta, size_t n);
/* What the tracker reads of one decoded message and its receive time: 104
 * bytes instead of struct ais_msg's 648 + struct ais_meta. For a pipeline
 * that decodes in one thread and tracks in another (`alidade ais detect`):
 * it hands these over instead of whole messages. Made by trk_msg_set(). */
struct trk_msg {
    int64_t time_ms;             /* receive time, ms since 1970; AIS_TIME_NONE */
    uint32_t type, mmsi;
    int32_t lat, lon;            /* positions (flags & TRK_MSG_POSITION), as */
    uint16_t sog, cog, heading;  /* in the message (type 27 not yet scaled) */
    uint8_t nav_status;
    uint8_t flags;               /* TRK_MSG_POSITION, TRK_MSG_LONG_RANGE */
    uint32_t imo, shiptype;      /* static data (types 5, 19, 24) */
    uint32_t length, beam;       /* to_bow + to_stern, to_port + to_starboard */
    uint8_t part;                /* type 24: enum ais_part24 */
    char name[21], callsign[8], destination[21];
};
#define TRK_MSG_POSITION 1u
#define TRK_MSG_LONG_RANGE 2u

/* Fills `out` from a decoded message and its receive time (meta->time_ms). */
ALD_API void trk_msg_set(struct trk_msg *out, const struct ais_msg *m, int64_t time_ms);
/* Feeds n messages made by trk_msg_set(), exactly as trk_feed() of the
 * messages they were made from, in order (loading ahead as
 * trk_feed_batch()). */
ALD_API void trk_feed_msgs(trk_tracker *t, const struct trk_msg *m, size_t n);
/* Flushes fixes held back for reordering. */
ALD_API void trk_finish(trk_tracker *t);
ALD_API const struct trk_stats *trk_stats(const trk_tracker *t);
/* Bytes of memory held per vessel (272): the record with its reorder ring
 * and open segments (240), its due-queue entry (16) and its share of the
 * hash index at the maximum load of 1/2 (16); docs/track.md. */
ALD_API size_t trk_bytes_per_vessel(void);

/* ---- geometry helpers shared by the detectors ---- */

/* Great-circle distance in km between two AIS positions (haversine, mean
 * Earth radius 6371.0088 km). */
ALD_API double trk_distance_km(int32_t lat1, int32_t lon1, int32_t lat2, int32_t lon2);
#define TRK_KM_PER_NM 1.852

#ifdef __cplusplus
}
#endif
#endif
