/*
 * ais.h - public API of libalidade's AIS decoder (ITU-R M.1371-5, NMEA 0183
 * !xxVDM/!xxVDO with NMEA 4.10 tag blocks).
 *
 * Two layers:
 *   - ais_decode_bits(): one reassembled binary payload -> struct ais_msg.
 *     Pure function of its input (plus the type 24 part-A cache you pass).
 *   - ais_decoder: a stream of text lines -> messages, with checksum checks,
 *     multipart reassembly by (source, channel, sequence id) in bounded
 *     memory, receive-time extraction and per-reason error counts.
 * Output: ais_json() writes gpsd's JSON (field names, order, scaling and
 * "not available" conventions of gpsdecode 3.27), ais_csv() a position CSV.
 * Nothing here allocates per sentence; decoders are created once.
 */
#ifndef ALIDADE_AIS_H
#define ALIDADE_AIS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "alidade/alidade.h"
#include "alidade/ais_app.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Largest payload accepted after reassembly: 5 slots of 256 bits is the
 * ITU maximum (1008 bits for type 8); a little more is tolerated as gpsd does. */
#define AIS_MAX_BITS 1192
#define AIS_MAX_BYTES ((AIS_MAX_BITS + 7) / 8)
/* Size of a payload buffer handed to ais_decode_bits(): 8 bytes of zeroed
 * slack let the bit reader load whole words. */
#define AIS_BITS_BUF (AIS_MAX_BYTES + 8)

/* ---- decoded message (plain struct, filled by ais_decode_bits) ---- */

struct ais_pos123 {      /* types 1, 2, 3: Class A position report */
    unsigned status;     /* navigation status 0-15 */
    int turn;            /* raw ROT_AIS -128..127 (-128: not available) */
    unsigned speed;      /* SOG in 0.1 kn; 1023 n/a, 1022 >= 102.2 kn */
    bool accuracy;
    int lon, lat;        /* 1/10000 minute; 181/91 deg = not available */
    unsigned course;     /* COG 0.1 deg; 3600 n/a */
    unsigned heading;    /* deg; 511 n/a */
    unsigned second;     /* UTC second; 60+ special */
    unsigned maneuver;
    bool raim;
    unsigned radio;
};

struct ais_base4 {       /* types 4 and 11 */
    unsigned year, month, day, hour, minute, second;
    bool accuracy;
    int lon, lat;
    unsigned epfd;
    bool raim;
    unsigned radio;
};

struct ais_static5 {     /* type 5 */
    unsigned ais_version, imo;
    char callsign[8];
    char shipname[21];
    unsigned shiptype, to_bow, to_stern, to_port, to_starboard, epfd;
    unsigned month, day, hour, minute;
    unsigned draught;    /* 0.1 m */
    char destination[21];
    unsigned dte;
};

struct ais_binmsg6 {     /* type 6: addressed binary */
    unsigned seqno, dest_mmsi;
    bool retransmit;
    unsigned dac, fid;
    size_t bitcount;     /* application data bits after DAC/FI */
    bool structured;     /* true when `app` holds a decoded DAC/FI payload */
    uint8_t bitdata[AIS_MAX_BYTES];
    struct ais_app6 app;
};

struct ais_binmsg8 {     /* type 8: broadcast binary */
    unsigned dac, fid;
    size_t bitcount;
    bool structured;
    uint8_t bitdata[AIS_MAX_BYTES];
    struct ais_app8 app;
};

struct ais_ack7 {        /* types 7 and 13 */
    unsigned mmsi1, seqno1, mmsi2, seqno2, mmsi3, seqno3, mmsi4, seqno4;
};

struct ais_sar9 {        /* type 9 */
    unsigned alt, speed;
    bool accuracy;
    int lon, lat;
    unsigned course, second, regional, dte;
    bool assigned, raim;
    unsigned radio;
};

struct ais_safety12 {    /* type 12 (addressed) and 14 (broadcast) */
    unsigned seqno, dest_mmsi;
    bool retransmit;
    char text[161];
};

struct ais_interr15 {    /* type 15 */
    unsigned mmsi1, type1_1, offset1_1, type1_2, offset1_2;
    unsigned mmsi2, type2_1, offset2_1;
};

struct ais_assign16 {    /* type 16 */
    unsigned mmsi1, offset1, increment1, mmsi2, offset2, increment2;
};

struct ais_gnss17 {      /* type 17 */
    int lon, lat;        /* 1/10 minute */
    size_t bitcount;
    uint8_t bitdata[AIS_MAX_BYTES];
};

struct ais_classb18 {    /* type 18 */
    unsigned reserved, speed;
    bool accuracy;
    int lon, lat;
    unsigned course, heading, second, regional;
    bool cs, display, dsc, band, msg22, assigned, raim;
    unsigned radio;
};

struct ais_classb19 {    /* type 19 */
    unsigned reserved, speed;
    bool accuracy;
    int lon, lat;
    unsigned course, heading, second, regional;
    char shipname[21];
    unsigned shiptype, to_bow, to_stern, to_port, to_starboard, epfd;
    bool raim;
    unsigned dte;
    bool assigned;
};

struct ais_dlm20 {       /* type 20 */
    unsigned offset[4], number[4], timeout[4], increment[4];
};

struct ais_aton21 {      /* type 21 */
    unsigned aid_type;
    char name[35];       /* name + extension, trimmed */
    bool accuracy;
    int lon, lat;
    unsigned to_bow, to_stern, to_port, to_starboard, epfd, second;
    bool off_position;
    unsigned regional;
    bool raim, virtual_aid, assigned;
};

struct ais_chan22 {      /* type 22 */
    unsigned channel_a, channel_b, txrx;
    bool power, addressed, band_a, band_b;
    int ne_lon, ne_lat, sw_lon, sw_lat;     /* 1/10 minute, broadcast */
    unsigned dest1, dest2;                  /* addressed */
    unsigned zonesize;
};

struct ais_group23 {     /* type 23 */
    int ne_lon, ne_lat, sw_lon, sw_lat;
    unsigned stationtype, shiptype, txrx, interval, quiet;
};

enum ais_part24 { AIS_PART_BOTH = 0, AIS_PART_A = 1, AIS_PART_B = 2 };

struct ais_static24 {    /* type 24, part A and/or B */
    enum ais_part24 part;
    char shipname[21];
    unsigned shiptype;
    char vendorid[8];
    unsigned model, serial;
    char callsign[8];
    unsigned mothership_mmsi;               /* auxiliary craft (98xxxxxxx) */
    unsigned to_bow, to_stern, to_port, to_starboard;
};

struct ais_binslot {     /* types 25 and 26 */
    bool addressed, structured;
    unsigned dest_mmsi, app_id;
    size_t bitcount;
    uint8_t bitdata[AIS_MAX_BYTES];
    unsigned radio;
};

struct ais_longrange27 { /* type 27 */
    bool accuracy, raim;
    unsigned status;
    int lon, lat;        /* 1/10 minute */
    unsigned speed, course;
    bool gnss;
};

struct ais_msg {
    unsigned type, repeat, mmsi;
    union {
        struct ais_pos123 t1;
        struct ais_base4 t4;
        struct ais_static5 t5;
        struct ais_binmsg6 t6;
        struct ais_ack7 t7;
        struct ais_binmsg8 t8;
        struct ais_sar9 t9;
        unsigned t10_dest_mmsi;
        struct ais_safety12 t12;
        struct ais_interr15 t15;
        struct ais_assign16 t16;
        struct ais_gnss17 t17;
        struct ais_classb18 t18;
        struct ais_classb19 t19;
        struct ais_dlm20 t20;
        struct ais_aton21 t21;
        struct ais_chan22 t22;
        struct ais_group23 t23;
        struct ais_static24 t24;
        struct ais_binslot t25;
        struct ais_longrange27 t27;
    } u;
};

/* Recent type 24 part A names, so a later part B can be merged into one
 * report as gpsd does (per radio channel, 8 deep). Zero-initialise it. */
#define AIS_T24_SLOTS 8
struct ais_t24_cache {
    struct { unsigned mmsi; char shipname[21]; } ship[2][AIS_T24_SLOTS];
    unsigned next[2];
};

/*
 * Decodes one complete binary payload of `bitlen` bits (MSB first in `bits`,
 * which must be AIS_BITS_BUF bytes long; bits past bitlen are read as
 * they are, as in gpsd). `chan` is 0 for channel A, 1 for B (type 24 merge).
 * Returns ALD_E_OK, or ALD_E_AIS_LENGTH / ALD_E_AIS_TYPE / ALD_E_AIS_SUBTYPE
 * with `out` partly filled.
 */
ALD_API ald_err ais_decode_bits(const uint8_t *bits, size_t bitlen,
                                struct ais_msg *out,
                                struct ais_t24_cache *cache, int chan);

/* ---- stream decoder ---- */

/* What is known about where and when a message was received. */
struct ais_meta {
    int64_t time_ms;         /* receive time, ms since 1970; AIS_TIME_NONE */
    const char *source;      /* tag block s: or NULL */
    char channel;            /* 'A', 'B', ... or 0 */
    char talker[3];          /* "AI", "BS", ... */
    bool own;                /* VDO (own vessel) */
    size_t line_no;          /* 1-based line of the last fragment */
    unsigned nfrags;         /* fragments it was reassembled from */
};
#define AIS_TIME_NONE INT64_MIN

/* Per-reason counters; `bad[e]` counts lines/fragments rejected with code e. */
struct ais_stats {
    uint64_t lines;          /* lines seen */
    uint64_t sentences;      /* AIS sentences with a valid checksum */
    uint64_t fragments;      /* of which parts of multipart messages */
    uint64_t messages;       /* messages decoded */
    uint64_t skipped_other;  /* other NMEA or non-NMEA lines (not errors) */
    uint64_t tagblock_bad_checksum; /* tag blocks used despite a bad checksum */
    uint64_t by_type[32];
    uint64_t bad[32];        /* indexed by ald_err */
};

/* Limits and behaviour of a stream decoder; zero means the default. */
struct ais_decoder_opts {
    unsigned max_pending;    /* multipart messages buffered at once (64) */
    unsigned orphan_lines;   /* drop an incomplete message after this many
                                further lines (1000) */
    bool split24;            /* emit type 24 parts A and B separately */
};

typedef struct ais_decoder ais_decoder;

/* Called for every decoded message; `msg` and `meta` live until it returns. */
typedef void (*ais_msg_cb)(void *ctx, const struct ais_msg *msg,
                           const struct ais_meta *meta);
/* Called for every rejected line or fragment (optional). */
typedef void (*ais_bad_cb)(void *ctx, const struct ald_errpos *err,
                           const char *line, size_t len, size_t line_no);

/* Returns a new decoder or NULL when out of memory. opts may be NULL. */
ALD_API ais_decoder *ais_decoder_new(const struct ais_decoder_opts *opts);
ALD_API void ais_decoder_free(ais_decoder *d);
/* Sets the callbacks and their context. */
ALD_API void ais_decoder_set_cb(ais_decoder *d, ais_msg_cb on_msg,
                                ais_bad_cb on_bad, void *ctx);
/* Sets the source label used when a line has no tag block s: (e.g. a file
 * name); the string must outlive the decoder's use of it. */
ALD_API void ais_decoder_set_default_source(ais_decoder *d, const char *src);
/*
 * Feeds one line (without its line terminator; a trailing CR is ignored).
 * A line may hold several tag-block+sentence units. Returns ALD_E_OK when the
 * line produced no error, else the code of the first problem (already counted
 * and reported through on_bad).
 */
ALD_API ald_err ais_decoder_feed(ais_decoder *d, const char *line, size_t len);
/* Counts a line the caller could not hand over (e.g. ALD_E_NMEA_TOO_LONG for
 * a line cut by the reader): it is numbered, counted under `code` and
 * reported through on_bad with the first `len` bytes of `line`. */
ALD_API void ais_decoder_reject_line(ais_decoder *d, ald_err code, const char *msg,
                                     const char *line, size_t len);
/* Ends the stream: every incomplete multipart message is counted as orphan.
 * The decoder can then take another stream (line numbers restart at 1;
 * statistics keep adding up). */
ALD_API void ais_decoder_finish(ais_decoder *d);
ALD_API const struct ais_stats *ais_decoder_stats(const ais_decoder *d);
/* Iterates the per-source message counts: returns false when i is past the
 * end. "(none)" stands for messages without a source. */
ALD_API bool ais_decoder_source_count(const ais_decoder *d, size_t i,
                                      const char **name, uint64_t *count);

/* ---- output ---- */

/* Room that always suffices for one JSON or CSV line. */
#define AIS_LINE_MAX 8192

/* Writes one gpsd-compatible JSON object (no newline) for msg; `device` may be
 * NULL (no "device" member). Returns its length, or 0 if cap was too small. */
ALD_API size_t ais_json(const struct ais_msg *msg, bool scaled,
                        const char *device, char *dst, size_t cap);
/* True for the types that carry a position (1-3, 4, 9, 11, 18, 19, 21, 27). */
ALD_API bool ais_has_position(const struct ais_msg *msg);
/* Header line of ais_csv(). */
ALD_API const char *ais_csv_header(void);
/* Writes one CSV line (no newline) for a position report: mmsi, time, lat,
 * lon, sog, cog, heading, nav_status, type. Returns 0 for other types. */
ALD_API size_t ais_csv(const struct ais_msg *msg, const struct ais_meta *meta,
                       char *dst, size_t cap);

/* Writes ms since 1970 as "YYYY-MM-DDTHH:MM:SS[.mmm]Z" (NUL-terminated);
 * returns its length, 0 if cap is too small. */
ALD_API size_t ais_format_time(int64_t ms, char *dst, size_t cap);

/* Legends used by the JSON output (gpsd's wording). */
ALD_API const char *ais_nav_status_text(unsigned status);
ALD_API const char *ais_ship_type_text(unsigned shiptype);
ALD_API const char *ais_epfd_text(unsigned epfd);

#ifdef __cplusplus
}
#endif
#endif
