/*
 * track_history.h - the node's downsampled vessel history: a local table of
 * the store (never shared, never a STIX object) holding, for the node's
 * history window (default 7 days), a few points per vessel per hour and
 * every vessel's latest position and static data. It lets the dashboard's
 * time slider reach back beyond the live picture's short in-memory tracks,
 * and a restarted node show its vessels again before they are heard.
 *
 * Downsampling (th_keep) happens before the write: a point is kept when it
 * is the vessel's first, when the vessel turned or changed speed, or as a
 * heartbeat (every few minutes under way, every hour at rest), never closer
 * than min_gap_s to the last kept one. docs/api.md gives the figures.
 *
 * Times are microseconds since 1970 in the API (as in store.h); the table
 * keeps seconds. Kept points' positions to 1e-5 degree (1.1 m), the
 * latest position to 1e-6 degree; speed and course to 0.1. Every call uses the store handle's connection (one thread
 * at a time, as for every store_* call).
 */
#ifndef ALIDADE_TRACK_HISTORY_H
#define ALIDADE_TRACK_HISTORY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "alidade/alidade.h"
#include "alidade/error.h"
#include "alidade/store.h"

#ifdef __cplusplus
extern "C" {
#endif

/* One position report. */
struct th_point {
    uint32_t mmsi;
    int64_t t_us;
    double lat, lon;
    float sog, cog;                  /* knots, degrees; NAN when not available */
    int16_t heading;                 /* degrees, -1 when not available */
};

/* A vessel's static data as last reported (empty strings / 0: unknown). */
struct th_static {
    uint32_t mmsi;
    char name[24], callsign[12], destination[24];
    uint32_t imo;
    uint8_t type;
};

/* ---- downsampling ---- */

struct th_rule {
    int64_t min_gap_s;               /* never two kept points closer (30) */
    int64_t moving_gap_s;            /* heartbeat under way (900) */
    int64_t still_gap_s;             /* heartbeat at rest (3600) */
    float still_kn;                  /* below: at rest (1.0) */
    float turn_deg;                  /* a course change that is kept (20) */
    float speed_kn;                  /* a speed change that is kept (3) */
    double jump_km;                  /* a move from the last kept point that is kept (5) */
};
ALD_API void th_rule_default(struct th_rule *r);

/* The downsampler's memory of one vessel: its last kept point (16 bytes,
 * zeroed: nothing kept yet). */
struct th_last {
    uint32_t t_s;                    /* 0: none */
    int32_t lat6, lon6;
    uint16_t sog10, cog10;           /* UINT16_MAX: not available */
};

/* Whether p is kept after last (then last becomes p). A point older than
 * the last kept one is never kept (the history is for a slider, not a
 * replay of late reports). */
ALD_API bool th_keep(const struct th_rule *r, struct th_last *last, const struct th_point *p);

/* ---- the table ---- */

/* One batch in one transaction: the kept points (th_keep said so), the
 * latest position of each vessel that moved since the last batch (not
 * downsampled: what a restart shows) and the static data that changed.
 * Points already stored (same vessel and second) are ignored. */
ALD_API ald_err th_write(store *s, const struct th_point *kept, size_t nkept,
                         const struct th_point *latest, size_t nlatest,
                         const struct th_static *st, size_t nst);

/* Removes what is older than before_us (points; vessels not heard since),
 * in one transaction; *removed (may be NULL) counts the rows removed. */
ALD_API ald_err th_prune(store *s, int64_t before_us, size_t *removed);

/* Called for each answer; type is the vessel's AIS ship type (0: unknown). */
typedef void (*th_point_fn)(void *ctx, const struct th_point *p, uint8_t type);

/* Every vessel's last point at or before at_us, no older than max_age_us
 * (0: no limit), in the box (west > east crosses the antimeridian), in MMSI
 * order; *found (may be NULL) counts them. skip (may be NULL) leaves out
 * the vessels it says true for (those the caller answers otherwise) before
 * any seek; it and fn get ctx. */
typedef bool (*th_skip_fn)(void *ctx, uint32_t mmsi);
ALD_API ald_err th_at(store *s, int64_t at_us, int64_t max_age_us, double west, double south,
                      double east, double north, th_skip_fn skip, th_point_fn fn, void *ctx,
                      size_t *found);

/* One vessel's kept points between from_us and to_us (inclusive; 0: no
 * bound), the latest cap of them, oldest first; *n how many. */
ALD_API ald_err th_track(store *s, uint32_t mmsi, int64_t from_us, int64_t to_us, size_t cap,
                         th_point_fn fn, void *ctx, size_t *n);

/* Every vessel's latest position (the one th_write was last given) when
 * not older than since_us, with its static data: what a restarted node
 * puts back in its picture. */
typedef void (*th_vessel_fn)(void *ctx, const struct th_point *latest, const struct th_static *st);
ALD_API ald_err th_latest(store *s, int64_t since_us, th_vessel_fn fn, void *ctx);

/* One vessel's static data; ALD_E_NOT_FOUND when the table has none. */
ALD_API ald_err th_static_get(store *s, uint32_t mmsi, struct th_static *st);

/* The time of the oldest kept point and of the newest latest position
 * (0, 0 when empty). */
ALD_API ald_err th_span(store *s, int64_t *first_us, int64_t *last_us);

#ifdef __cplusplus
}
#endif

#endif
