/*
 * sim.h - AIS encoder and scenario generator: the exercise and benchmark side
 * of libalidade ("alidade drill").
 *
 * Two layers:
 *   - the encoder: struct ais_msg (as ais.h decodes it) -> binary payload ->
 *     6-bit armoured NMEA 0183 sentence(s) !AIVDM,n,i,seq,chan,payload,fill*hh,
 *     optionally behind an NMEA 4.10 tag block \s:SOURCE,c:SECONDS*hh\ (and
 *     g:i-n-id on multipart messages). Types 1/2/3, 5, 18, 19, 24 (part A and
 *     part B). ais_decode_bits(sim_encode_bits(m)) gives m back field by field.
 *   - the generator (sim_new/sim_run): a deterministic, seeded fleet in open
 *     ocean streaming time-ordered sentences through a callback with memory
 *     independent of the scenario's length, and planted illicit behaviour
 *     (dark gap, encounter, loitering, zone incursion, teleport, MMSI clash,
 *     invalid MMSI, identity change) with its exact ground truth. See
 *     docs/sim.md for the geometry and why normal traffic raises nothing.
 */
#ifndef ALIDADE_SIM_H
#define ALIDADE_SIM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "alidade/ais.h"
#include "alidade/detect.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- encoder ---- */

/* Room that always suffices for the sentences of one message (type 5: two
 * lines with tag blocks) when the source is at most 152 characters. */
#define SIM_NMEA_MAX 512
/* Payload characters per sentence before a message is split. */
#define SIM_FRAG_CHARS 60
/* "no tag block c:" */
#define SIM_NO_TIME INT64_MIN

/* How the sentences of one message are written. */
struct sim_nmea {
    const char *talker;      /* two characters, "AI" when NULL */
    char channel;            /* 'A', 'B'; 0 leaves the field empty */
    unsigned seqid;          /* sequential id of multipart messages (0-9) */
    const char *source;      /* tag block s: (no tag block when NULL and no time) */
    int64_t time_s;          /* tag block c: in UNIX seconds, or SIM_NO_TIME */
    bool group;              /* add g:i-n-id to the tag blocks of multipart messages */
    unsigned group_id;
};

/*
 * Writes the binary payload of m (types 1, 2, 3, 5, 18, 19, 24 part A or B;
 * AIS_PART_BOTH counts as part A) MSB first into `bits` (AIS_BITS_BUF bytes,
 * zeroed here) at the standard length (168, 424, 168, 312, 168 bits). Text is
 * padded with '@'; spare bits are zero. Type 24 part B: the first 3
 * characters of vendorid, then model and serial (M.1371-5's 42-bit vendor id);
 * mothership_mmsi instead of the dimensions for auxiliary craft (98xxxxxxx).
 * Returns the number of bits, 0 for a type it does not encode.
 */
ALD_API size_t sim_encode_bits(const struct ais_msg *m, uint8_t *bits);

/* Armours `nbits` bits into 6-bit characters (ceil(nbits/6) of them, not
 * terminated) and sets *fill to the padding bits. Returns the count. */
ALD_API size_t sim_armour(const uint8_t *bits, size_t nbits, char *dst, unsigned *fill);

/*
 * Writes the NMEA line(s) of m, each ending in '\n', into dst (cap bytes;
 * SIM_NMEA_MAX always suffices). Messages longer than SIM_FRAG_CHARS
 * characters are split over several sentences; type 24 AIS_PART_BOTH is
 * written as part A then part B. Returns the bytes written, 0 when the type
 * is not encoded or cap is too small.
 */
ALD_API size_t sim_nmea(const struct ais_msg *m, const struct sim_nmea *o,
                        char *dst, size_t cap);

/* ---- scenario generator ---- */

/* Zero fields take the default in brackets. */
struct sim_config {
    uint64_t seed;           /* same seed and options -> same bytes */
    unsigned vessels;        /* normal fleet (50); the 10 planted vessels come on top */
    double hours;            /* scenario length (48) */
    int64_t start_s;         /* UNIX seconds of the first report (2025-01-01T00:00Z) */
    uint64_t max_positions;  /* stop after this many position reports (no limit) */
    bool no_events;          /* normal traffic only */
    const char *source;      /* receiver name in the tag blocks ("drill") */
};

/* The planted events need this much scenario time; shorter scenarios plant
 * none. */
#define SIM_EVENT_HOURS 36.0

/* One planted event (ground truth). Times are UNIX seconds, positions AIS
 * units (1/600000 degree) of the reports that show the event; encounter and
 * loitering: the centroid of the 10-minute positions during it; mmsi_clash:
 * the first switch between the two transmitters once each was heard twice
 * (docs/sim.md has the table). */
struct sim_event {
    enum det_kind kind;
    uint32_t mmsi, mmsi2;    /* mmsi2: encounter partner (mmsi < mmsi2), the
                                shared MMSI for mmsi_clash, else 0 */
    int64_t start, end;
    int32_t lat, lon;        /* where it happened or began */
    bool has_end_pos;        /* gap, teleport: where it ended */
    int32_t end_lat, end_lon;
    char zone[32];           /* zone events */
    char detail[128];        /* human explanation */
};

/* Output statistics. */
struct sim_stats {
    uint64_t sentences, lines, positions, statics;
    uint64_t bytes;
    int64_t last_s;          /* time of the last report written */
    unsigned vessels;        /* normal + planted */
    bool out_of_memory;      /* the run stopped early for want of memory */
};

typedef struct sim sim;

/* Receives generated text: whole lines, several at a time. */
typedef void (*sim_write_cb)(void *ctx, const char *text, size_t len);

/* Returns a generator, or NULL when out of memory or cfg is invalid (more
 * than SIM_MAX_VESSELS vessels, hours < 0, NAN or over SIM_MAX_HOURS). cfg
 * may be NULL (defaults). Memory: an 80-byte record and a bucket slot per
 * vessel and a 256 KiB output buffer, whatever the length. */
#define SIM_MAX_VESSELS 1000000u
#define SIM_MAX_HOURS 100000.0
ALD_API sim *sim_new(const struct sim_config *cfg);
ALD_API void sim_free(sim *s);
/* Generates the whole scenario (or up to max_positions) in time order; once
 * per generator. Stops early only when out of memory (stats say so). */
ALD_API void sim_run(sim *s, sim_write_cb cb, void *ctx);
ALD_API const struct sim_stats *sim_get_stats(const sim *s);

/* One generated message and its transmitter, for views over the world
 * (alidade drill run gives each nation the messages its coverage holds). */
struct sim_msg {
    uint32_t mmsi;
    int64_t time_s;          /* UNIX seconds (the tag block's c:) */
    double lat, lon;         /* the transmitter's (reported) position, degrees */
    bool position;           /* a position report; false: static data */
    const char *text;        /* its NMEA line(s), each ending in '\n' */
    size_t len;
};
typedef void (*sim_msg_cb)(void *ctx, const struct sim_msg *m);
/* Calls cb for every message as it is generated (before sim_run's write
 * callback receives the same text in its batch). Optional: the output is
 * the same with or without it. */
ALD_API void sim_set_msg_cb(sim *s, sim_msg_cb cb, void *ctx);
/* The planted events, by start time. Before sim_run: all that are planted;
 * after it: those whose end the output reached (an event cut off by
 * max_positions is left out). */
ALD_API size_t sim_events(const sim *s, const struct sim_event **ev);
/* One JSON object (no newline) in the shape `alidade ais detect` prints:
 * "event", "mmsi", ["mmsi2"], "start", "end", "lat", "lon", ["end_lat",
 * "end_lon"], ["zone"], "detail". Returns its length, 0 if cap is too small. */
ALD_API size_t sim_event_json(const struct sim_event *e, char *dst, size_t cap);
/* The zones as a GeoJSON FeatureCollection (Polygon features with a "name"
 * property), and the optional synthetic coastline (LineString "coast") with
 * its anchorage (Point). Return the length, 0 if cap is too small; 4096
 * bytes always suffice. */
ALD_API size_t sim_zones_geojson(char *dst, size_t cap);
ALD_API size_t sim_coast_geojson(char *dst, size_t cap);

/* Scenario geometry, for tests and for detectors' geo callbacks: the
 * distance in km from (lat, lon) in degrees to the synthetic coastline (the
 * meridian 53 W from 60 S to 60 N) and to its anchorage (5 N 52.9 W). The
 * geometry is fixed: the same for every seed and fleet size. */
ALD_API double sim_shore_km(double lat, double lon);
ALD_API double sim_anchorage_km(double lat, double lon);

#ifdef __cplusplus
}
#endif
#endif
