/*
 * geo.h - operator geography for the detectors: distance to the nearest
 * shore, distance to the nearest anchorage and a land mask, from data the
 * operator supplies (GeoJSON or CSV, parsed from a buffer: no I/O here) or
 * the bundled Natural Earth coastline (data/geo/, docs/geo.md).
 *
 * One det_geodata holds whatever one file gives:
 *   LineString / MultiLineString   shore lines
 *   Polygon / MultiPolygon         land: every ring is shore, the inside
 *                                  (even-odd, holes are water) is land
 *   Point / MultiPoint, CSV rows   places (anchorages)
 * Queries walk a 0.25-degree grid outward from the query's cell and stop as
 * soon as no unvisited cell can hold anything nearer, so they are exact
 * (to float rounding) and cost microseconds. Distances are great-circle km
 * on a sphere of radius 6371.0088 km (the tracker's), segments being arcs.
 */
#ifndef ALIDADE_GEO_H
#define ALIDADE_GEO_H

#include <stddef.h>

#include "alidade/detect.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct det_geodata det_geodata;

/*
 * Parses a GeoJSON FeatureCollection, Feature, GeometryCollection or bare
 * geometry (RFC 7946: lon/lat WGS 84; polygons cut at the antimeridian).
 * Returns NULL and writes the reason (feature index, what is wrong) into err
 * when the document cannot be used.
 */
ALD_API det_geodata *det_geo_parse_geojson(const char *text, size_t len, char *err,
                                           size_t errlen);
/*
 * Parses points from CSV: a header naming a lat/latitude and a
 * lon/lng/long/longitude column, in any order among others (e.g. Global
 * Fishing Watch's named anchorages: s2id,lat,lon,label,...), or headerless
 * rows starting lat,lon. Blank lines and lines starting with '#' are
 * skipped; fields may be quoted. Returns NULL with "line N: ..." in err.
 */
ALD_API det_geodata *det_geo_parse_csv(const char *text, size_t len, char *err, size_t errlen);
/* GeoJSON when the first non-blank byte is '{', else CSV. */
ALD_API det_geodata *det_geo_parse(const char *text, size_t len, char *err, size_t errlen);
ALD_API void det_geo_free(det_geodata *g);

struct det_geo_counts {
    size_t features;         /* GeoJSON features (or geometries) read; CSV rows */
    size_t segments;         /* shore segments indexed */
    size_t seams;            /* polygon edges on the antimeridian or at a pole:
                                kept for the land mask, not shore */
    size_t rings;            /* polygon rings (land mask) */
    size_t points;           /* places */
};
ALD_API struct det_geo_counts det_geo_count(const det_geodata *g);

/* Great-circle km from (lat, lon) to the nearest shore segment (line or
 * polygon ring); NAN when g has none or the position is not valid. */
ALD_API double det_geo_shore_km(const det_geodata *g, double lat, double lon);
/* Great-circle km to the nearest place; NAN when g has none. */
ALD_API double det_geo_place_km(const det_geodata *g, double lat, double lon);
/* 1 inside a polygon (land), 0 outside, -1 when g has no polygons or the
 * position is not valid. A point exactly on a ring may fall either way. */
ALD_API int det_geo_inside(const det_geodata *g, double lat, double lon);

/* The datasets behind a struct det_geo; any may be NULL (unknown). */
struct det_geo_layers {
    const det_geodata *shore;       /* lines and/or polygons */
    const det_geodata *anchorages;  /* points */
    const det_geodata *land;        /* polygons */
    /* Inside a land polygon but nearer than this to its rings reads as -1
     * (cannot tell) rather than 1: coarse coastlines such as 1:50m put
     * harbours and estuaries on land (docs/geo.md). 0: no margin. */
    double land_margin_km;
};
/* Points g's callbacks at the layers (g->zones is left alone). Both g and
 * the layers are borrowed: they must outlive the engine using g. */
ALD_API void det_geo_bind(struct det_geo *g, const struct det_geo_layers *layers);

#ifdef __cplusplus
}
#endif
#endif
