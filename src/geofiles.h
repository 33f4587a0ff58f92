/*
 * geofiles.h - the operator's geography files for the maritime detectors
 * (--shore, --anchorages, --land; "builtin" is the bundled Natural Earth
 * coastline), loaded the same way by `alidade ais detect` and by the live
 * node's ingest (docs/geo.md).
 */
#ifndef ALD_SRC_GEOFILES_H
#define ALD_SRC_GEOFILES_H

#include <stdbool.h>
#include <stddef.h>

#include "alidade/geo.h"

/* The bundled coastline, under a data directory (docs/geo.md). */
#define GEOFILES_BUILTIN_SHORE "geo/ne-land-50m.geojson.zst"
/* 1:50m puts harbours and estuaries on land: positions on builtin land but
 * within this of its coast are "cannot tell" (docs/geo.md). */
#define GEOFILES_BUILTIN_LAND_MARGIN_KM 10.0

/* Where the bundled coastline is: $ALIDADE_DATA (a directory holding geo/),
 * else data/ beside or above the binary (as built in a source tree, or
 * installed under share/alidade), else ./data. false when none exists. */
bool geofiles_builtin_path(char *dst, size_t cap);

/* Loads one geography file (path "builtin": the bundled coastline) for the
 * option --opt. need: 's' (lines or polygons), 'a' (points), 'l'
 * (polygons) or 0 (anything). NULL with "--OPT PATH: reason" in err. */
det_geodata *geofiles_load(const char *opt, const char *path, char need, char *err,
                           size_t errlen);

#endif
