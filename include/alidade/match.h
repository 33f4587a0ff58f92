/*
 * match.h - STIX indicators compiled into fast structures and matched
 * against security logs at line rate.
 *
 * Two steps:
 *   1. An indicator set (ald_iset) loads STIX 2.1 indicator objects (one
 *      object, or a bundle / TAXII envelope / JSON lines), keeps those that
 *      are usable, sorts their patterns into SIMPLE ones (equality tests on
 *      addresses, CIDRs, domains, URLs, e-mail addresses, file and
 *      certificate hashes, ports, and network-traffic conjunctions such as
 *      dst_ref.value = X AND dst_port = 443) and GENERAL ones (everything
 *      else: left to the general evaluator), and compiles the simple ones
 *      into one Vectorscan literal database, an IPv4/IPv6 prefix tree and a
 *      hash table. After ald_iset_compile the set is read-only and may be
 *      shared by any number of threads.
 *   2. A scanner (ald_scanner, one per thread and per input stream) feeds
 *      big buffers of whole log lines through the database, and verifies
 *      every candidate line by parsing it (logparse.h) and checking that a
 *      field of the right kind EQUALS an indicator value, so a hit is exact:
 *      "evil.com" does not hit "notevil.com" or "a.evil.com", 10.1.1.1 does
 *      not hit 10.1.1.10.
 *
 * Validity (valid_from / valid_until): chosen per set with
 * ald_iset_set_validity, see enum ald_valid_mode. Revoked indicators and
 * those whose pattern_type is not "stix" are kept out (and counted).
 * See docs/match.md.
 */
#ifndef ALIDADE_MATCH_H
#define ALIDADE_MATCH_H

#include <stddef.h>
#include <stdint.h>

#include "error.h"
#include "logparse.h"
#include "pattern.h"

/* ---- the indicator set ------------------------------------------------- */

typedef struct ald_iset ald_iset;

/* What became of one indicator object. */
typedef enum {
    ALD_IND_SIMPLE = 0,     /* compiled into the fast structures */
    ALD_IND_GENERAL,        /* valid STIX pattern, not simple: general evaluator */
    ALD_IND_EXPIRED,        /* outside [valid_from, valid_until) at `now`
                               (ALD_VALID_NOW only; known after compile) */
    ALD_IND_REVOKED,        /* "revoked": true */
    ALD_IND_UNSUPPORTED,    /* pattern_type other than "stix" (sigma, yara...) */
    ALD_IND_INVALID,        /* broken: not JSON, missing/ill-typed properties,
                               pattern that does not parse */
    ALD_IND__COUNT
} ald_ind_status;

/* How valid_from / valid_until are honoured. */
typedef enum {
    /* Default. An indicator is used only if valid_from <= now < valid_until
     * at the `now` given to ald_iset_set_validity; the others are counted as
     * EXPIRED at compile time and cost nothing while scanning. For live
     * logs. */
    ALD_VALID_NOW = 0,
    /* Every indicator is compiled; a hit counts only when the RECORD's own
     * time (ald_logrec ts) is inside the indicator's window. Records without
     * a time are checked against `now`. For old logs (hunting back in time). */
    ALD_VALID_RECORD,
    /* valid_from / valid_until are ignored. */
    ALD_VALID_IGNORE
} ald_valid_mode;

/* Counts after compile (before it: everything but EXPIRED). */
struct ald_iset_stats {
    size_t status[ALD_IND__COUNT];  /* indicators per ald_ind_status */
    size_t other_objects;           /* objects of bundles that are not indicators */
    size_t values[ALD_OBS__COUNT];  /* simple values (terms) per observable kind;
                                       CIDRs count under IPV4 / IPV6 */
    size_t cidrs;                   /* of which prefixes shorter than a host */
    size_t conjunctions;            /* AND clauses (network-traffic) */
    size_t literals;                /* literals in the free-text Vectorscan
                                       database (ald_iset_compile_text; 0
                                       without it) */
    size_t db_bytes;                /* size of its databases */
    size_t mem_bytes;               /* everything the set holds (approximate) */
    double compile_s;               /* wall time of ald_iset_compile */
};

/* One loaded indicator. Strings are owned by the set. */
struct ald_indicator {
    const char *id;             /* "indicator--..." */
    const char *name;           /* NULL when absent */
    ald_ind_status status;
    int64_t valid_from_us;      /* microseconds since 1970; INT64_MIN: absent */
    int64_t valid_until_us;     /* INT64_MAX: absent */
    /* GENERAL indicators only (NULL otherwise, to keep 10M simple ones
     * small): the pattern text and its parsed tree, for the evaluator. */
    const char *pattern;
    const ald_pattern *ast;
};

ald_iset *ald_iset_new(void);
void ald_iset_free(ald_iset *s);

/* Before ald_iset_compile. now_us: microseconds since 1970 (the command
 * passes the wall clock; tests a fixed time). */
void ald_iset_set_validity(ald_iset *s, ald_valid_mode mode, int64_t now_us);

/*
 * Adds ONE indicator object given as JSON text. ALD_E_OK when it was read
 * (whatever its status: simple, general, revoked, unsupported pattern_type;
 * objects that are not indicators are counted in other_objects and ignored).
 * A broken indicator returns ALD_E_JSON (not JSON), ALD_E_STIX_INVALID
 * (missing or ill-typed id / pattern / pattern_type / valid_from /
 * valid_until) or ALD_E_PATTERN (pattern does not parse), is counted as
 * INVALID, and err (may be NULL) says where and why; the set stays usable.
 * ALD_E_ARG after ald_iset_compile. ALD_E_NOMEM.
 */
ald_err ald_iset_add_json(ald_iset *s, const char *json, size_t len,
                          struct ald_errpos *err);

/* Called for each broken object of a bundle: its index (from 0), its id
 * ("" when unknown) and why (as ald_iset_add_json's err). */
typedef void (*ald_iset_err_cb)(void *ctx, size_t index, const char *id,
                                const struct ald_errpos *err);

/*
 * Adds every indicator of a bundle, a TAXII envelope, a JSON array of
 * objects, a single object or JSON lines. Broken indicators are reported
 * through cb (may be NULL) and counted; the rest load. Returns ALD_E_OK, or
 * ALD_E_JSON when the text as a whole is not one of those shapes (err says
 * where; the whole text is checked first, so nothing is loaded then), or
 * ALD_E_NOMEM.
 */
ald_err ald_iset_add_bundle(ald_iset *s, const char *text, size_t len,
                            ald_iset_err_cb cb, void *ctx, struct ald_errpos *err);

/*
 * Builds the fast structures. ALD_E_OK; ALD_E_ARG when called twice;
 * ALD_E_NOMEM; ALD_E_PATTERN when Vectorscan refuses the database (err->msg
 * carries its message; should not happen). An empty set compiles (and
 * matches nothing).
 */
ald_err ald_iset_compile(ald_iset *s, struct ald_errpos *err);

/*
 * Optional, after ald_iset_compile and before the set is shared: also
 * builds the Vectorscan databases that find candidate lines in FREE TEXT
 * (ALD_LOG_TEXT): every value as a case-insensitive literal, and patterns
 * for dotted quads (when the set has IPv4 CIDRs) and IPv6-looking runs
 * (when it has IPv6 values, whose spellings vary) whose matches are looked
 * up in the prefix tables. Without it free text is parsed line by line.
 * Costs seconds per 100k values and memory (docs/match.md). ALD_E_OK, ALD_E_ARG when the set is
 * not compiled, ALD_E_NOMEM, ALD_E_PATTERN when Vectorscan refuses
 * (err->msg says why).
 */
ald_err ald_iset_compile_text(ald_iset *s, struct ald_errpos *err);

/* Indicators read (every status but INVALID), in the order they were
 * added: indexes 0 .. count-1 name them in hits. */
size_t ald_iset_count(const ald_iset *s);
const struct ald_indicator *ald_iset_get(const ald_iset *s, size_t index);
void ald_iset_stats(const ald_iset *s, struct ald_iset_stats *st);

/* Hook for the general evaluator: the indexes of the GENERAL indicators
 * (valid ones only after compile under ALD_VALID_NOW), ascending. */
const size_t *ald_iset_general(const ald_iset *s, size_t *n);

/* "simple", "general", "expired", ... */
const char *ald_ind_status_name(ald_ind_status st);

/* ---- scanning ---------------------------------------------------------- */

typedef struct ald_scanner ald_scanner;

/* The most fields a hit names (a conjunction has one per test). */
#define ALD_HIT_FIELDS_MAX 4

typedef struct ald_hit {
    size_t indicator;           /* index in the set (ald_iset_get) */
    const char *id;             /* the indicator's id */
    uint64_t line;              /* 1-based line number in the stream */
    const char *text;           /* the line, without its newline */
    size_t len;
    const ald_logrec *rec;      /* the parsed record */
    /* The field(s) of rec that made the hit: one for a single test, one per
     * test of a conjunction (in the pattern's order). */
    const ald_logfield *fields[ALD_HIT_FIELDS_MAX];
    size_t nfields;
} ald_hit;

/* Called for every hit; everything it points to is valid during the call
 * only. Return 0 to go on, non-zero to stop the scan (ald_scanner_feed then
 * returns ALD_E_ARG). One indicator hits a line at most once. */
typedef int (*ald_hit_cb)(void *ctx, const ald_hit *hit);

/* Veto of a matched value before its hit is reported (MISP warninglists):
 * return non-zero to allow, 0 to drop. */
typedef int (*ald_allow_cb)(void *ctx, ald_obs_kind kind, const char *v, size_t len);

/* Called with every parsed record when the set has GENERAL indicators and a
 * callback is set: then EVERY line is parsed (slower, see docs/match.md).
 * Return non-zero to stop. */
typedef int (*ald_record_cb)(void *ctx, uint64_t line, const char *text, size_t len,
                             const ald_logrec *rec);

/* Scanner over a compiled set (which must outlive it). fmt as logparse.h
 * (ALD_LOG_AUTO decides on the first line). NULL when out of memory or when
 * the set is not compiled. */
ald_scanner *ald_scanner_new(const ald_iset *s, ald_log_format fmt);
void ald_scanner_free(ald_scanner *sc);

void ald_scanner_set_allow(ald_scanner *sc, ald_allow_cb allow, void *ctx);
void ald_scanner_set_record_cb(ald_scanner *sc, ald_record_cb cb, void *ctx);

/* Called for every corrupt line the scanner parses (ALD_E_LOG_LINE): its
 * number and the parser's position and reason. Lines are parsed when they
 * are candidates (or all of them: ald_scanner_set_parse_all). */
typedef void (*ald_bad_line_cb)(void *ctx, uint64_t line, const struct ald_errpos *err);
void ald_scanner_set_bad_line_cb(ald_scanner *sc, ald_bad_line_cb cb, void *ctx);

/* Parse every line, not only candidates: every corrupt line is then found
 * and reported, at the log parser's speed (docs/match.md). */
void ald_scanner_set_parse_all(ald_scanner *sc, int on);

/* The format being read: the one asked for, or what ALD_LOG_AUTO decided
 * (ALD_LOG_AUTO until a line was seen). */
ald_log_format ald_scanner_format(const ald_scanner *sc);

/*
 * Scans `len` bytes of whole lines (LF or CRLF). The caller cuts its input
 * at newlines: bytes after the last '\n' of a buffer are taken as a whole
 * line (the last line of a file without a final newline). Line numbers
 * carry over from one call to the next. `last` marks the end of the stream
 * (nothing is buffered today; kept for evaluators that need it).
 * Returns ALD_E_OK; ALD_E_ARG when cb asked to stop; ALD_E_NOMEM.
 * Corrupt lines (ALD_E_LOG_LINE from the parser) are counted, not fatal.
 */
ald_err ald_scanner_feed(ald_scanner *sc, const char *buf, size_t len, int last,
                         ald_hit_cb cb, void *ctx);

/*
 * Checks one record parsed elsewhere (a caller with its own parser, the
 * tests) exactly as feed verifies a candidate line: every hit of the set in
 * it goes to cb. `line`, `text` and `len` are copied into the hits as given.
 * Returns ALD_E_OK, or ALD_E_ARG when cb asked to stop.
 */
ald_err ald_scanner_check(ald_scanner *sc, const ald_logrec *rec, uint64_t line,
                          const char *text, size_t len, ald_hit_cb cb, void *ctx);

struct ald_scan_stats {
    uint64_t bytes, lines;
    uint64_t candidates;        /* lines the fast path sent to verification */
    uint64_t parsed;            /* lines parsed (candidates, or all) */
    uint64_t bad_lines;         /* ALD_E_LOG_LINE */
    uint64_t hits;              /* reported */
    uint64_t vetoed;            /* dropped by the allow callback */
    uint64_t out_of_window;     /* dropped by ALD_VALID_RECORD */
    uint64_t false_candidates;  /* candidates that gave no hit */
};
void ald_scanner_stats(const ald_scanner *sc, struct ald_scan_stats *st);

#endif
