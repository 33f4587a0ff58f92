/*
 * picture.h - the live maritime picture of a running node: the latest
 * position and a short track of every vessel, its static data, and a ring of
 * recent news (new positions, events, sightings, sync results) that live
 * pages follow (server-sent events). Written by live ingest, read by the
 * dashboard; thread-safe. Memory is bounded: at most max_vessels vessels
 * (the least recently heard is dropped) and track_points points each.
 */
#ifndef ALD_SRC_PICTURE_H
#define ALD_SRC_PICTURE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "alidade/track_history.h"

typedef struct picture picture;

struct pic_position {
    uint32_t mmsi;
    int64_t t_us;                    /* report time, microseconds since 1970 */
    double lat, lon;
    float sog, cog;                  /* knots, degrees; NAN when not available */
    int16_t heading;                 /* degrees, -1 when not available */
};

struct pic_static {
    uint32_t mmsi;
    char name[24], callsign[12], destination[24];
    uint32_t imo;                    /* 0: unknown */
    uint8_t type;                    /* AIS ship type, 0: unknown */
};

/* One piece of news: kind "position", "event", "sighting" or "sync"; json
 * the object as docs/api.md gives it for /api/stream. */
struct pic_news {
    uint64_t seq;                    /* 1, 2, 3 ... in the order they came */
    char kind[16];
    char *json;                      /* malloc'd copy (picture_news_free) */
};

picture *picture_new(size_t max_vessels, size_t track_points, size_t news_ring);
void picture_free(picture *p);

/* Writers (live ingest). A position older than the vessel's latest goes to
 * its track only. Each position also becomes "position" news. */
void picture_position(picture *p, const struct pic_position *pos);
void picture_static(picture *p, const struct pic_static *st);
/* Other news; returns its sequence number (0 when out of memory). */
uint64_t picture_news(picture *p, const char *kind, const char *json);

/* Readers (dashboard). Calls fn for the latest position of every vessel in
 * the box (west > east crosses the antimeridian), at most limit; fn sees the
 * vessel's static data (type 0 / empty names when unknown). Returns how many
 * were in the box (may exceed limit: the answer was truncated). */
typedef void (*picture_vessel_fn)(void *ctx, const struct pic_position *pos,
                                  const struct pic_static *st);
size_t picture_vessels(picture *p, double west, double south, double east, double north,
                       size_t limit, picture_vessel_fn fn, void *ctx);
/* The picture as it was at at_us: like picture_vessels, but for every vessel
 * its last known point at or before at_us (the latest position when that is
 * not later, else the last such point of its track, times to the second).
 * Vessels with none are skipped (not heard yet, or older than the kept
 * track), and so are those whose point is more than max_age_us older than
 * at_us (0: no limit) so that the map does not fill with stale ghosts. */
size_t picture_vessels_at(picture *p, int64_t at_us, int64_t max_age_us, double west,
                          double south, double east, double north, size_t limit,
                          picture_vessel_fn fn, void *ctx);
/* One vessel: static data and up to cap track points between since_us and
 * until_us (0: no bound), oldest first; false when unknown. */
bool picture_vessel(picture *p, uint32_t mmsi, int64_t since_us, int64_t until_us,
                    struct pic_static *st, struct pic_position *track, size_t cap, size_t *n);
size_t picture_count(picture *p);

/* ---- the stored history's side (src/history.c drains it) ----
 *
 * With history on, picture_position also runs the history's downsampler
 * (th_keep) on each vessel and logs the points it keeps (at most kept_max
 * between two drains: beyond, they are counted as dropped), and every
 * vessel whose latest position or static data changed is marked dirty.
 * The flusher takes all that with one short write-locked call and writes
 * it to the store without the picture's lock. Off by default: no cost. */
void picture_history_on(picture *p, const struct th_rule *rule, size_t kept_max);

/* What one drain hands over; the arrays belong to the caller (reused from
 * drain to drain, grown by picture_history_drain; free them with
 * picture_batch_free). */
struct pic_batch {
    struct th_point *kept, *latest;
    struct th_static *st;
    size_t nkept, nlatest, nst;
    size_t kept_cap, latest_cap, st_cap;
    uint64_t dropped;                /* kept points lost to a full log since the last drain */
};
/* Moves the logged points and the dirty vessels' latest positions and
 * static data into b (its counts are reset first); false when out of
 * memory (nothing is lost then: the log and marks stay for the next). */
bool picture_history_drain(picture *p, struct pic_batch *b);
void picture_batch_free(struct pic_batch *b);

/* A vessel put back from the stored history at start: latest position and
 * static data as they were, one track point, no news, not dirty (it is in
 * the store already); ignored when the vessel is known (it was heard). */
void picture_seed(picture *p, const struct pic_position *pos, const struct pic_static *st);

/* Like picture_vessels_at, and covered(cctx, mmsi) is called for every
 * vessel whose kept track answers for at_us (its last point at or before
 * at_us is in memory, whether or not it passes max_age and the box): the
 * others are for the stored history to answer. */
typedef void (*picture_mmsi_fn)(void *ctx, uint32_t mmsi);
size_t picture_vessels_at_covered(picture *p, int64_t at_us, int64_t max_age_us, double west,
                                  double south, double east, double north, size_t limit,
                                  picture_vessel_fn fn, void *ctx, picture_mmsi_fn covered,
                                  void *cctx);
/* The time of the oldest point of mmsi's track in memory; false when the
 * vessel is unknown or has none. */
bool picture_track_oldest(picture *p, uint32_t mmsi, int64_t *t_us);

/* News after sequence number `after` (0: from the oldest kept), at most max;
 * waits up to timeout_ms for some when there is none. *lost says whether
 * news after `after` had already left the ring. */
size_t picture_news_since(picture *p, uint64_t after, struct pic_news *out, size_t max,
                          int timeout_ms, bool *lost);
void picture_news_free(struct pic_news *n, size_t count);
/* Shutdown: wakes every waiting picture_news_since; from then on it returns
 * 0 news with *lost set. picture_close waits (2 s at most) until every
 * thread that follows the news has been told by one call and has called once
 * more, so a follower may clean up between the two (the dashboard resumes its
 * suspended live streams there: libmicrohttpd must not be stopped with
 * suspended connections). */
void picture_close(picture *p);

#endif
