/*
 * web_vessels.h - the dashboard's /api/vessels answer (docs/api.md): the
 * latest position of every vessel of the live picture in a box, as columns
 * (one JSON array per field) so that 100,000 vessels stay a few MB and one
 * pass. Kept apart from web_api.c so that tests can time it alone.
 */
#ifndef ALD_SRC_WEB_VESSELS_H
#define ALD_SRC_WEB_VESSELS_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

#include "alidade/store.h"
#include "picture.h"

/* The JSON text (malloc'd, *len set), NULL when out of memory. west > east
 * crosses the antimeridian; at most limit vessels ("truncated" says when
 * the box held more, "total" how many). */
char *web_vessels_json(picture *p, double west, double south, double east, double north,
                       size_t limit, size_t *len);
/* The same answer for the picture as it was at at_us (picture_vessels_at):
 * each vessel's last known point at or before at_us, not older than
 * max_age_us (0: no limit). */
char *web_vessels_json_at(picture *p, int64_t at_us, int64_t max_age_us, double west,
                          double south, double east, double north, size_t limit, size_t *len);
/* The same answers (latest when at_us is INT64_MIN, else as at at_us) with
 * the node's stored history (track_history.h) on st, used under mu: the
 * vessels whose in-memory track does not reach back to at_us come from the
 * store; the head adds "history_from" (unix seconds of the oldest stored
 * point, or null) and "from_store" (how many answers came from it). st
 * NULL: as above. NULL with the reason in err on failure. */
char *web_vessels_json_hist(picture *p, store *st, pthread_mutex_t *mu, int64_t at_us,
                            int64_t max_age_us, double west, double south, double east,
                            double north, size_t limit, size_t *len, char *err, size_t errlen);
/* A vessel's static data and track between since_us and until_us (0: no
 * bound), the latest cap points, oldest first: the stored points older
 * than its in-memory track, then that track. 1: found, 0: neither the
 * picture nor the store knows it, -1: the store failed or out of memory. */
int web_vessel_track(picture *p, store *st, pthread_mutex_t *mu, uint32_t mmsi, int64_t since_us,
                     int64_t until_us, struct pic_static *out, struct pic_position *track,
                     size_t cap, size_t *n);
/* Gives the text's pages back (NULL is fine); not free(). */
void web_vessels_free(void *text);

#endif
