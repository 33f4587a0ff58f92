/*
 * sighting.h - STIX 2.1 sightings from indicator hits: every hit of an
 * indicator in a log is folded into one sighting per indicator and time
 * window (first_seen, last_seen, count, observed_data_refs), so an analyst
 * gets "indicator X was seen 4,211 times between 10:00 and 11:00" rather
 * than 4,211 objects.
 *
 * Ids are deterministic: sighting--UUIDv5(identity, indicator, window start),
 * so scanning the same window again yields a new version (newer `modified`)
 * of the same sighting, not a duplicate. No I/O.
 */
#ifndef ALIDADE_SIGHTING_H
#define ALIDADE_SIGHTING_H

#include <stddef.h>
#include <stdint.h>

#include "error.h"

struct ald_sighting_opts {
    const char *identity_id;    /* where_sighted_refs and created_by_ref */
    int64_t window_s;           /* window length; 0: one sighting per indicator */
    size_t max_refs;            /* observed_data_refs kept per sighting (0: 50);
                                   `count` still counts every hit */
    const char *now;            /* created/modified, STIX timestamp text */
    const char *marking_id;     /* object_marking_refs[0], or NULL */
};

typedef struct ald_sightings ald_sightings;

/* Copies the options' strings. NULL when out of memory or when `now` is
 * not a STIX timestamp (it is rewritten with 6 decimals). */
ald_sightings *ald_sightings_new(const struct ald_sighting_opts *o);
void ald_sightings_free(ald_sightings *s);

/* One hit of `indicator_id` at ts (UTC seconds + nanoseconds), with the
 * observed-data that shows it (NULL when the caller keeps none). */
ald_err ald_sightings_add(ald_sightings *s, const char *indicator_id,
                          int64_t ts_sec, int32_t ts_nsec,
                          const char *observed_data_id);

/* Another observation of the SAME hit (a pattern over several
 * observations matches once with several observed-data): widens
 * first_seen/last_seen and keeps the reference, without counting a hit. */
ald_err ald_sightings_add_ref(ald_sightings *s, const char *indicator_id, int64_t ts_sec,
                              int32_t ts_nsec, const char *observed_data_id);

/* Whether a hit of `indicator_id` at ts_sec would keep its observed-data
 * (its sighting has fewer than max_refs): callers build the observed-data
 * of a hit only then, so memory stays bounded by sightings x max_refs
 * however many times an indicator hits. */
int ald_sightings_ref_room(const ald_sightings *s, const char *indicator_id, int64_t ts_sec);

/* The id of the sighting a hit of `indicator_id` at ts_sec belongs to
 * ("sighting--" + UUID, NUL-ended, into out), whether or not it was added:
 * callers that keep something per sighting (its raw log lines) name it so.
 * ALD_E_ARG when the names are too long. */
#define ALD_SIGHTING_ID_LEN 48
ald_err ald_sightings_id(const ald_sightings *s, const char *indicator_id, int64_t ts_sec,
                         char out[ALD_SIGHTING_ID_LEN]);

/* Sightings held (indicator x window). */
size_t ald_sightings_count(const ald_sightings *s);

/* Calls cb with each sighting as compact JSON text, ordered by indicator id
 * then window start; stops and returns ALD_E_ARG when cb returns non-zero. */
typedef int (*ald_sighting_cb)(void *ctx, const char *json, size_t len);
ald_err ald_sightings_emit(const ald_sightings *s, ald_sighting_cb cb, void *ctx);

#endif
