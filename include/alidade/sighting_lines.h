/*
 * sighting_lines.h - the raw log lines behind a sighting, kept as LOCAL
 * evidence in the node's store (lib/store/sighting_lines.c).
 *
 * A sighting says "indicator X was seen N times between 10:00 and 11:00";
 * the analyst who opens it wants the lines themselves. Those lines are our
 * own network's logs: they are never part of a STIX object, so TAXII and
 * federation (which only ever read STIX objects) cannot share them. They
 * live in a table of their own, sighting_line, keyed by the sighting id.
 *
 * Bounded: per sighting the lines of its first SL_KEEP_FIRST and of its
 * last SL_KEEP_LAST hits are kept (the start of an episode and where it
 * stands now); `total` says how many hits offered a line. Each line keeps
 * the source it came from (a live source's label, or the log given to
 * `alidade match`), the file, its line number or byte offset there, the
 * record's time, and its text (at most SL_TEXT_MAX bytes; longer lines are
 * cut and marked). Written in the caller's transaction, so a sighting and
 * its lines commit together; removed by a trigger when the last version of
 * the sighting leaves the store (any collection).
 *
 * Two halves: an in-memory collector (no I/O: fed while scanning, bounded
 * the same way) and the store calls that write and read the table.
 */
#ifndef ALIDADE_SIGHTING_LINES_H
#define ALIDADE_SIGHTING_LINES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "alidade/error.h"
#include "alidade/store.h"

#define SL_KEEP_FIRST 20
#define SL_KEEP_LAST 20
#define SL_TEXT_MAX 65536

/* One line as given and as read back. */
struct sighting_line {
    const char *source;         /* live source label, or the log `match` read */
    const char *file;           /* the file it is in ("" when unknown: stdin) */
    uint64_t line;              /* 1-based line number; 0 when unknown */
    int64_t offset;             /* byte offset of the line in file; -1 when unknown */
    int64_t time_us;            /* the record's time; INT64_MIN when it has none */
    const char *text;           /* the line without its newline (any bytes) */
    size_t len;
    /* read back only: */
    uint64_t seq;               /* 1-based: the hit's rank in the sighting */
    bool truncated;             /* text cut at SL_TEXT_MAX */
};

/* ---- collector (memory only) ---- */

typedef struct sighting_lines sighting_lines;

sighting_lines *sighting_lines_new(void);
void sighting_lines_free(sighting_lines *c);

/* One more hit of sighting_id with its line (copied). Beyond the bounds the
 * hit is only counted. ALD_E_OK, ALD_E_ARG (no id), ALD_E_NOMEM. */
ald_err sighting_lines_add(sighting_lines *c, const char *sighting_id,
                           const struct sighting_line *l);

/* Sightings held. */
size_t sighting_lines_count(const sighting_lines *c);

/* ---- store (the caller's transaction when there is one) ---- */

/*
 * Writes what c holds. replace=false (live ingest: the batch's hits come
 * after those already stored, as its counts are added to the stored
 * sighting's): the new lines rank after the stored ones and the bounds are
 * applied over both. replace=true (`alidade match --store`: a run's sighting
 * version replaces the stored one): a sighting's stored lines are dropped
 * first. Creates the table on first use. ALD_E_OK or ALD_E_STORE
 * (store_errmsg says why).
 */
ald_err sighting_lines_put(store *s, const sighting_lines *c, bool replace);

/* The kept lines of a sighting in rank order; *total (may be NULL) = hits
 * that offered a line (0 when none). A non-zero return of fn stops the walk
 * (ALD_E_OK still). Strings are valid during the call only. */
typedef int (*sighting_line_fn)(void *ctx, const struct sighting_line *l);
ald_err sighting_lines_get(store *s, const char *sighting_id, sighting_line_fn fn, void *ctx,
                           uint64_t *total);

/* Removes the lines of sightings no longer in the store (the trigger does it
 * on every delete; this sweeps stores older than the trigger). */
ald_err sighting_lines_prune(store *s, size_t *removed);

#endif
