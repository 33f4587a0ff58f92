/*
 * grid.h - spatial hash of points on the sphere answering "which pairs of
 * points are within r km of each other" at one instant, without comparing
 * all pairs. Used by the encounter detector (encounter.c) once per grid tick.
 *
 * Cells are bands of latitude (rows of 2r km, so two points within r km are
 * at most one row apart) cut into longitude cells about 2r km wide at the
 * row's latitude (the width in degrees grows as 1/cos(lat)). Each point looks
 * up only the cells its r-km neighbourhood touches: about four. Longitude
 * wraps at the antimeridian; near the poles a row is a single cell.
 * Distances are great-circle (haversine, mean Earth radius 6371.0088 km,
 * IUGG), the same figure as trk_distance_km(). Checked against a brute-force
 * all-pairs count near both poles, across the antimeridian and at 0,0
 * (tests/detect/test_encounter.c, grid_matches_all_pairs).
 */
#ifndef ALD_DETECT_GRID_H
#define ALD_DETECT_GRID_H

#include <stddef.h>
#include <stdint.h>

struct sgrid {
    double r_km;             /* pair distance limit */
    double cell_deg;         /* row height, degrees of latitude */
    uint32_t nrows;
    double *row_k;           /* longitude cells per degree, per row */
    uint32_t *row_n;         /* longitude cells in the row */
    /* points of the current instant */
    double *lat, *lon;
    int32_t *next;           /* next point in the same cell, -1 ends */
    uint32_t n, cap;
    /* cell table: open addressing, key = row << 32 | column, 0 = empty
       (keys are stored + 1) */
    uint64_t *ckey;
    int32_t *chead;
    size_t cmask;
};

/* Sets up for pairs within r_km; returns -1 when out of memory. */
int sgrid_init(struct sgrid *g, double r_km);
void sgrid_free(struct sgrid *g);
/* Forgets the points (keeps the memory). */
void sgrid_clear(struct sgrid *g);
/* Adds a point (degrees); its index is the count before the call. Returns
 * -1 when out of memory. */
int sgrid_add(struct sgrid *g, double lat, double lon);
/* Calls fn once per unordered pair (i < j) within r_km, with the distance.
 * Returns -1 when out of memory (no pairs reported). */
typedef void (*sgrid_pair_fn)(void *ctx, uint32_t i, uint32_t j, double km);
int sgrid_pairs(struct sgrid *g, sgrid_pair_fn fn, void *ctx);

/* Great-circle distance in km between two points in degrees (haversine). */
double sgrid_km(double lat1, double lon1, double lat2, double lon2);

#endif
