/*
 * grid.c - spatial hash of points on the sphere for close-pair queries (see
 * grid.h). Distances: haversine on a sphere of the IUGG mean Earth radius
 * 6371.0088 km. Cost per instant: O(n) to hash, about four cell look-ups
 * per point, and one distance test per candidate in those cells.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "detect/grid.h"

#define EARTH_KM 6371.0088
#define KM_PER_DEG (EARTH_KM * M_PI / 180.0)
#define RAD (M_PI / 180.0)
#define MIN_CELL_KM 0.05     /* keeps the row table small for tiny radii */

double sgrid_km(double lat1, double lon1, double lat2, double lon2)
{
    double s1 = sin((lat2 - lat1) * RAD / 2), s2 = sin((lon2 - lon1) * RAD / 2);
    double a = s1 * s1 + cos(lat1 * RAD) * cos(lat2 * RAD) * s2 * s2;
    return 2 * EARTH_KM * asin(sqrt(a < 1 ? a : 1));
}

int sgrid_init(struct sgrid *g, double r_km)
{
    memset(g, 0, sizeof *g);
    double cell_km = 2 * r_km < MIN_CELL_KM ? MIN_CELL_KM : 2 * r_km;
    g->r_km = r_km;
    g->cell_deg = cell_km / KM_PER_DEG;
    g->nrows = (uint32_t)ceil(180.0 / g->cell_deg);
    g->row_k = malloc(g->nrows * sizeof *g->row_k);
    g->row_n = malloc(g->nrows * sizeof *g->row_n);
    if (!g->row_k || !g->row_n)
        return -1;
    for (uint32_t r = 0; r < g->nrows; r++) {
        double mid = -90 + (r + 0.5) * g->cell_deg;
        double k = cos((mid > 90 ? 90 : mid) * RAD) * KM_PER_DEG / cell_km;
        double n = ceil(360 * k);
        g->row_n[r] = n < 1 ? 1 : (uint32_t)n;
        g->row_k[r] = g->row_n[r] == 1 ? 0 : k;
    }
    return 0;
}

void sgrid_free(struct sgrid *g)
{
    free(g->row_k);
    free(g->row_n);
    free(g->lat);
    free(g->lon);
    free(g->next);
    free(g->ckey);
    free(g->chead);
    memset(g, 0, sizeof *g);
}

void sgrid_clear(struct sgrid *g)
{
    g->n = 0;
}

static int grow_points(struct sgrid *g)
{
    uint32_t cap = g->cap ? 2 * g->cap : 1024;
    double *la = realloc(g->lat, cap * sizeof *la);
    if (la)
        g->lat = la;
    double *lo = realloc(g->lon, cap * sizeof *lo);
    if (lo)
        g->lon = lo;
    int32_t *nx = realloc(g->next, cap * sizeof *nx);
    if (nx)
        g->next = nx;
    if (!la || !lo || !nx)
        return -1;
    g->cap = cap;
    return 0;
}

int sgrid_add(struct sgrid *g, double lat, double lon)
{
    if (g->n == g->cap && grow_points(g) < 0)
        return -1;
    if (lon < -180 || lon >= 180)
        lon -= 360 * floor((lon + 180) / 360);
    g->lat[g->n] = lat;
    g->lon[g->n] = lon;
    g->n++;
    return 0;
}

static uint32_t row_of(const struct sgrid *g, double lat)
{
    double r = floor((lat + 90) / g->cell_deg);
    if (r < 0)
        return 0;
    return r >= g->nrows ? g->nrows - 1 : (uint32_t)r;
}

/* Column of a longitude shifted to [0, 360]. */
static uint32_t col_of(const struct sgrid *g, uint32_t row, double lon360)
{
    double x = floor(lon360 * g->row_k[row]);
    if (x < 0)
        return 0;
    return x >= g->row_n[row] ? g->row_n[row] - 1 : (uint32_t)x;
}

static size_t slot_of(uint64_t key, size_t mask)
{
    return (size_t)((key * 0x9E3779B97F4A7C15ull) >> 29) & mask;
}

static uint64_t key_of(uint32_t row, uint32_t col)
{
    return ((uint64_t)row << 32 | col) + 1;
}

static int size_cells(struct sgrid *g)
{
    size_t want = 16;
    while (want < 2 * (size_t)g->n)
        want *= 2;
    if (want - 1 > g->cmask || !g->ckey) {
        uint64_t *k = realloc(g->ckey, want * sizeof *k);
        if (k)
            g->ckey = k;
        int32_t *h = realloc(g->chead, want * sizeof *h);
        if (h)
            g->chead = h;
        if (!k || !h)
            return -1;
        g->cmask = want - 1;
    }
    memset(g->ckey, 0, (g->cmask + 1) * sizeof *g->ckey);
    return 0;
}

static void insert(struct sgrid *g, uint32_t i)
{
    uint32_t row = row_of(g, g->lat[i]);
    uint64_t key = key_of(row, col_of(g, row, g->lon[i] + 180));
    size_t s = slot_of(key, g->cmask);
    while (g->ckey[s] && g->ckey[s] != key)
        s = (s + 1) & g->cmask;
    if (!g->ckey[s]) {
        g->ckey[s] = key;
        g->chead[s] = -1;
    }
    g->next[i] = g->chead[s];
    g->chead[s] = (int32_t)i;
}

static int32_t head_of(const struct sgrid *g, uint32_t row, uint32_t col)
{
    uint64_t key = key_of(row, col);
    for (size_t s = slot_of(key, g->cmask); g->ckey[s]; s = (s + 1) & g->cmask)
        if (g->ckey[s] == key)
            return g->chead[s];
    return -1;
}

/* What one query needs: the point, the haversine threshold, the callback. */
struct query {
    uint32_t i;
    double lat, lon, coslat;
    double amax;             /* sin^2(r / 2R) */
    sgrid_pair_fn fn;
    void *ctx;
};

static void scan_cell(const struct sgrid *g, const struct query *q, uint32_t row,
                      uint32_t col)
{
    for (int32_t j = head_of(g, row, col); j >= 0; j = g->next[j]) {
        if ((uint32_t)j <= q->i)
            continue;
        double s1 = sin((g->lat[j] - q->lat) * RAD / 2);
        double s2 = sin((g->lon[j] - q->lon) * RAD / 2);
        double a = s1 * s1 + q->coslat * cos(g->lat[j] * RAD) * s2 * s2;
        if (a <= q->amax)
            q->fn(q->ctx, q->i, (uint32_t)j, 2 * EARTH_KM * asin(sqrt(a)));
    }
}

/* Scans the cells of `row` between shifted longitudes lo and hi (degrees,
 * lo may be < 0 and hi > 360: the range wraps), each cell once. */
static void scan_row(const struct sgrid *g, const struct query *q, uint32_t row,
                     double lo, double hi)
{
    uint32_t n = g->row_n[row];
    uint32_t a0 = 0, a1 = n - 1, b0 = 1, b1 = 0;   /* b: the wrapped part, empty */
    if (hi - lo < 360) {
        if (lo < 0) {
            a0 = col_of(g, row, lo + 360);
            b0 = 0, b1 = col_of(g, row, hi);
        } else if (hi >= 360) {
            a0 = col_of(g, row, lo);
            b0 = 0, b1 = col_of(g, row, hi - 360);
        } else {
            a0 = col_of(g, row, lo), a1 = col_of(g, row, hi);
        }
        if (b0 <= b1 && b1 >= a0)           /* the two parts share a cell */
            a0 = 0, a1 = n - 1, b0 = 1, b1 = 0;
    }
    for (uint32_t c = a0; c <= a1; c++)
        scan_cell(g, q, row, c);
    for (uint32_t c = b0; c <= b1; c++)
        scan_cell(g, q, row, c);
}

static void query_point(const struct sgrid *g, struct query *q)
{
    double dlat = g->r_km / KM_PER_DEG;
    double s = sin(g->r_km / (2 * EARTH_KM));
    double far = fabs(q->lat) + dlat;
    double c = far >= 90 ? 0 : cos(far * RAD);
    /* from haversine: sin(dlon/2) <= sin(r/2R) / cos(max |lat|) */
    double dlon = c <= s ? 360 : 2 * asin(s / c) / RAD + 1e-9;
    uint32_t r0 = row_of(g, q->lat - dlat), r1 = row_of(g, q->lat + dlat);
    for (uint32_t r = r0; r <= r1; r++)
        scan_row(g, q, r, q->lon + 180 - dlon, q->lon + 180 + dlon);
}

int sgrid_pairs(struct sgrid *g, sgrid_pair_fn fn, void *ctx)
{
    if (size_cells(g) < 0)
        return -1;
    for (uint32_t i = 0; i < g->n; i++)
        insert(g, i);
    double s = sin(g->r_km / (2 * EARTH_KM));
    struct query q = {.amax = s * s, .fn = fn, .ctx = ctx};
    for (uint32_t i = 0; i < g->n; i++) {
        q.i = i;
        q.lat = g->lat[i];
        q.lon = g->lon[i];
        q.coslat = cos(q.lat * RAD);
        query_point(g, &q);
    }
    return 0;
}
