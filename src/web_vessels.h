/*
 * web_vessels.h - the dashboard's /api/vessels answer (docs/api.md): the
 * latest position of every vessel of the live picture in a box, as columns
 * (one JSON array per field) so that 100,000 vessels stay a few MB and one
 * pass. Kept apart from web_api.c so that tests can time it alone.
 */
#ifndef ALD_SRC_WEB_VESSELS_H
#define ALD_SRC_WEB_VESSELS_H

#include <stddef.h>
#include <stdint.h>

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
/* Gives the text's pages back (NULL is fine); not free(). */
void web_vessels_free(void *text);

#endif
