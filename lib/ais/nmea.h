/*
 * nmea.h - NMEA 0183 AIS sentence and NMEA 4.10 tag block parser (no state,
 * no allocation; pointers refer into the caller's line).
 */
#ifndef ALD_AIS_NMEA_H
#define ALD_AIS_NMEA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "alidade/ais.h"

struct nmea_tagblock {
    bool present;
    bool checksum_ok;
    int64_t time_ms;         /* c: (seconds or milliseconds), AIS_TIME_NONE */
    const char *src;         /* s: value, not terminated */
    size_t src_len;
    bool has_group;          /* g:n-total-id */
    unsigned g_num, g_total, g_id;
};

enum nmea_kind {
    NMEA_AIS,        /* !xxVDM / !xxVDO */
    NMEA_PGHP,       /* Gatehouse $PGHP,1 timestamp sentence */
    NMEA_OTHER,      /* any other NMEA sentence: skipped, counted */
    NMEA_NONE        /* nothing NMEA-like on the rest of the line */
};

struct nmea_sentence {
    enum nmea_kind kind;
    struct nmea_tagblock tb;
    const char *start;       /* first byte of the sentence ('!' or '$') */
    size_t len;              /* through the checksum */
    char talker[3];
    bool own;                /* VDO */
    unsigned nfrags, fragno;
    int seqid;               /* -1 when empty */
    char channel;            /* 0 when empty */
    const char *payload;
    size_t payload_len;
    unsigned fill;
    int64_t trailer_time_ms; /* epoch after the checksum, AIS_TIME_NONE */
    int64_t pghp_time_ms;    /* for NMEA_PGHP */
    const char *next;        /* where the next unit on this line may start */
};

/*
 * Parses the next unit ([tag block] sentence [trailer]) in [p, end).
 * Returns ALD_E_OK with *s filled (s->kind tells what was found), or an
 * error code with err->offset relative to `line` and err->msg set; in both
 * cases s->next says where to continue (end when the line is used up).
 */
ald_err nmea_next(const char *line, const char *p, const char *end,
                  struct nmea_sentence *s, struct ald_errpos *err);

#endif
