/*
 * error.h - the one list of libalidade error codes (curl/libuv style).
 *
 * Every code has a stable number, a name and a message, all generated from the
 * ALD_ERRNO_MAP X-macro below. Add new codes at the END only; never renumber or
 * remove one: scripts and partners match on the numbers and names.
 */
#ifndef ALIDADE_ERROR_H
#define ALIDADE_ERROR_H

#include <stddef.h>

/*        name             number  message */
#define ALD_ERRNO_MAP(X)                                                        \
    X(OK,                  0,  "no error")                                      \
    X(NOMEM,               1,  "out of memory")                                 \
    X(IO,                  2,  "input/output error")                            \
    X(ARG,                 3,  "invalid argument")                              \
    X(NMEA_CHECKSUM,       4,  "NMEA checksum mismatch")                        \
    X(NMEA_FORMAT,         5,  "malformed NMEA sentence")                       \
    X(NMEA_TOO_LONG,       6,  "line too long")                                 \
    X(TAGBLOCK,            7,  "malformed NMEA 4.10 tag block")                 \
    X(NOT_AIS,             8,  "not an AIS sentence")                           \
    X(AIS_ARMOR,           9,  "invalid 6-bit armouring character in payload")  \
    X(AIS_FILL,            10, "invalid fill-bit count")                        \
    X(AIS_EMPTY,           11, "empty AIS payload")                             \
    X(AIS_LENGTH,          12, "payload length impossible for message type")    \
    X(AIS_TYPE,            13, "unknown AIS message type")                      \
    X(AIS_FRAG_ORPHAN,     14, "multipart fragment without its other parts")    \
    X(AIS_FRAG_COUNT,      15, "impossible fragment count or number")           \
    X(AIS_CHANNEL,         16, "unsupported AIS radio channel")                 \
    X(AIS_PAYLOAD_TOO_LONG,17, "reassembled payload too long")                  \
    X(AIS_SUBTYPE,         18, "invalid message subtype (e.g. type 24 part)")   \
    X(FORMAT,              19, "unsupported or corrupt file format")           \
    X(JSON,                20, "malformed JSON")                                \
    X(STIX_INVALID,        21, "invalid STIX 2.1 object")                       \
    X(NOT_FOUND,           22, "not found")                                     \
    X(STORE,               23, "store (SQLite) error")                          \
    X(EXISTS,              24, "already exists")                                \
    X(DENIED,              25, "not permitted")                                 \
    X(TOO_LARGE,           26, "too large")                                     \
    X(PATTERN,             27, "invalid STIX pattern")                          \
    X(PATTERN_EVAL,        28, "STIX pattern cannot be evaluated on this data") \
    X(LOG_LINE,            29, "malformed log line")                            \
    X(MISP,                30, "malformed MISP feed, event or warninglist")      \
    X(NET,                 31, "network error (connect, send, receive, timeout)") \
    X(REMOTE,              32, "the partner's server answered with an error")   \
    X(AUTH,                33, "authentication required or failed")

typedef enum {
#define ALD_ERR_ENUM(name, num, msg) ALD_E_##name = num,
    ALD_ERRNO_MAP(ALD_ERR_ENUM)
#undef ALD_ERR_ENUM
    ALD_E__COUNT
} ald_err;

/* Where a parser stopped and why: the column in the sentence (AIVDM) or the
 * line/column of a JSON document. `msg` is a short human explanation. */
struct ald_errpos {
    ald_err code;
    size_t offset;          /* byte offset in the input unit */
    unsigned line, col;     /* 1-based; 0 when unknown */
    char msg[96];
};

/* Returns the fixed message of `e` ("unknown error" for codes out of range). */
const char *ald_strerror(ald_err e);
/* Returns the short stable name of `e`, e.g. "NMEA_CHECKSUM". */
const char *ald_errname(ald_err e);

#endif
