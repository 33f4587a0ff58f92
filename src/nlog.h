/*
 * nlog.h - the node's structured log: one line per event on a stream
 * (stderr), as plain text, logfmt or JSON lines, with a level. Every part of
 * `alidade serve` (live ingest, federation, dashboard) logs through it so
 * that an operator can ship the lines to whatever collects their logs.
 * Thread-safe (one line is written whole under a lock).
 *
 *   nlog_kv(log, NLOG_WARN, "ingest", "reconnecting",
 *           "source", "tcp1", "delay_s", "4", NULL);
 *
 * text:   2026-11-23T21:50:00.123Z warn ingest: reconnecting source=tcp1 delay_s=4
 * logfmt: ts=2026-11-23T21:50:00.123Z level=warn component=ingest msg=reconnecting source=tcp1 delay_s=4
 * json:   {"ts":"2026-11-23T21:50:00.123Z","level":"warn","component":"ingest","msg":"reconnecting","source":"tcp1","delay_s":"4"}
 */
#ifndef ALD_SRC_NLOG_H
#define ALD_SRC_NLOG_H

#include <stdbool.h>
#include <stdio.h>

enum nlog_level { NLOG_DEBUG, NLOG_INFO, NLOG_WARN, NLOG_ERROR, NLOG_OFF };
enum nlog_format { NLOG_TEXT, NLOG_LOGFMT, NLOG_JSON };

typedef struct nlog nlog;

/* Lines below `min` are dropped. NULL when out of memory. */
nlog *nlog_new(FILE *out, enum nlog_format format, enum nlog_level min);
void nlog_free(nlog *l);

/* Whether a line of this level would be written (to skip building it). */
bool nlog_on(const nlog *l, enum nlog_level level);

/* One line: component, message, then key/value string pairs ending with
 * NULL. Values are quoted/escaped as the format needs. l may be NULL
 * (nothing is written). */
void nlog_kv(nlog *l, enum nlog_level level, const char *component, const char *msg, ...);

/* Option values: "debug|info|warn|error|off", "text|logfmt|json". */
bool nlog_parse_level(const char *s, enum nlog_level *out);
bool nlog_parse_format(const char *s, enum nlog_format *out);

#endif
