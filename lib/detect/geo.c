/*
 * geo.c - operator geography (include/alidade/geo.h): shore lines, land
 * polygons and places (anchorages) from GeoJSON or CSV, indexed on a fixed
 * 0.25-degree lat/lon grid for nearest-distance and point-in-land queries.
 *
 * Distances: vertices are unit vectors; a segment is the great-circle arc
 * between its ends, so results are exact on the sphere at any latitude and
 * across the antimeridian. A query visits the grid in square rings around
 * its cell and stops once a lower bound on the distance to every unvisited
 * cell (latitude gap along the meridian, longitude gap as the distance to a
 * meridian, asin(cos(lat) sin(dlon))) is no smaller than the best found.
 * Empty rings are skipped through a per-cell count of empty rings (a BFS).
 * Land: even-odd parity in the lon/lat plane (RFC 7946 polygons are planar
 * in lon/lat). Each cell stores whether its centre is inside; a query
 * counts crossings of an L-shaped path from the centre with the cell's edges.
 * Checked against hand-placed geometry and haversine (tests/detect/test_geo.c)
 * and the Natural Earth 1:50m land (docs/geo.md).
 */
#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <strings.h>

#include "alidade/geo.h"
#include "detect/internal.h"

#define GEO_CELL 0.25                   /* degrees */
#define GEO_NCOL 1440
#define GEO_NROW 720
#define GEO_NCELL ((size_t)GEO_NCOL * GEO_NROW)
#define GEO_R_KM 6371.0088
#define GEO_MAX_VERTS (1u << 24)        /* 16.7M vertices: ~1 GB of JSON */
#define GEO_BLOCK 8                     /* fine cells per side of a block */
#define GEO_SEAM_LAT 89.99              /* edges this close to a pole are seams */

/* Items bucketed per cell (CSR): cell i holds item[start[i] .. start[i+1]). */
struct gidx {
    uint32_t *start;
    uint32_t *item;
    uint8_t *skip;           /* rings around the cell known to be empty */
    uint8_t *block;          /* per block of 8 x 8 cells: holds items */
};

struct det_geodata {
    size_t nv, vcap;
    double *lat, *lon;       /* vertices, degrees */
    double (*v)[3];          /* the same as unit vectors */
    size_t nseg, segcap;     /* shore segments (arcs), vertex index pairs */
    uint32_t (*seg)[2];
    double (*nrm)[3];        /* unit normal of each segment's great circle */
    size_t nedge, edgecap;   /* polygon ring edges (planar, land mask) */
    uint32_t (*edge)[2];
    size_t nplace, placecap; /* places: vertex indexes */
    uint32_t *place;
    struct gidx gseg, gedge, gplace;
    uint8_t *land;           /* per cell: its centre is inside */
    struct det_geo_counts n;
};

/* ---- small helpers ---- */

static void errf(char *err, size_t errlen, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
}

static double dot3(const double a[3], const double b[3])
{
    return a[0] * b[0] + a[1] * b[1] + a[2] * b[2];
}

static void cross3(const double a[3], const double b[3], double out[3])
{
    out[0] = a[1] * b[2] - a[2] * b[1];
    out[1] = a[2] * b[0] - a[0] * b[2];
    out[2] = a[0] * b[1] - a[1] * b[0];
}

static void unit_vec(double lat, double lon, double out[3])
{
    double p = lat * (M_PI / 180), l = lon * (M_PI / 180);
    out[0] = cos(p) * cos(l);
    out[1] = cos(p) * sin(l);
    out[2] = sin(p);
}

/* Angle in radians between two unit vectors (accurate near 0 and pi). */
static double angle(const double a[3], const double b[3])
{
    double c[3];
    cross3(a, b, c);
    return atan2(sqrt(dot3(c, c)), dot3(a, b));
}

static int grid_row(double lat)
{
    int r = (int)floor((lat + 90) / GEO_CELL);
    return r < 0 ? 0 : r >= GEO_NROW ? GEO_NROW - 1 : r;
}

static int grid_col(double lon)
{
    int c = (int)floor((lon + 180) / GEO_CELL);
    return ((c % GEO_NCOL) + GEO_NCOL) % GEO_NCOL;
}

static bool grow(void **p, size_t *cap, size_t need, size_t elem)
{
    if (need <= *cap)
        return true;
    size_t nc = *cap ? *cap * 2 : 1024;
    while (nc < need)
        nc *= 2;
    void *np = realloc(*p, nc * elem);
    if (!np)
        return false;
    *p = np;
    *cap = nc;
    return true;
}

/* ---- building: vertices, segments, edges, places ---- */

/* Appends a vertex; returns its index, or -1 with err set. */
static long add_vertex(det_geodata *g, double lat, double lon, char *err, size_t errlen)
{
    if (g->nv >= GEO_MAX_VERTS) {
        errf(err, errlen, "more than %u vertices", GEO_MAX_VERTS);
        return -1;
    }
    if (g->nv == g->vcap) {
        size_t cap = g->vcap;
        if (!grow((void **)&g->lat, &cap, g->nv + 1, sizeof *g->lat))
            goto oom;
        cap = g->vcap;
        if (!grow((void **)&g->lon, &cap, g->nv + 1, sizeof *g->lon))
            goto oom;
        cap = g->vcap;
        if (!grow((void **)&g->v, &cap, g->nv + 1, sizeof *g->v))
            goto oom;
        g->vcap = cap;
    }
    g->lat[g->nv] = lat;
    g->lon[g->nv] = lon;
    unit_vec(lat, lon, g->v[g->nv]);
    return (long)g->nv++;
oom:
    errf(err, errlen, "out of memory");
    return -1;
}

static bool add_pair(uint32_t (**arr)[2], size_t *n, size_t *cap, uint32_t a, uint32_t b)
{
    if (!grow((void **)arr, cap, *n + 1, sizeof **arr))
        return false;
    (*arr)[*n][0] = a;
    (*arr)[*n][1] = b;
    (*n)++;
    return true;
}

/* A polygon edge that only closes the ring along the antimeridian or round
 * a pole (where the source cut the polygon): land mask only, not shore. */
static bool is_seam(const det_geodata *g, uint32_t a, uint32_t b)
{
    if (fabs(g->lon[a]) == 180 && g->lon[a] == g->lon[b])
        return true;
    return fabs(g->lat[a]) >= GEO_SEAM_LAT && fabs(g->lat[b]) >= GEO_SEAM_LAT;
}

/* ---- grid index ---- */

/* Lat range of the arc a-b, widened where the great circle bulges poleward
 * between the ends. */
static void arc_lat_range(const det_geodata *g, uint32_t a, uint32_t b, double *lo, double *hi)
{
    *lo = fmin(g->lat[a], g->lat[b]);
    *hi = fmax(g->lat[a], g->lat[b]);
    double n[3], z[3] = {0, 0, 1};
    cross3(g->v[a], g->v[b], n);
    double nn = dot3(n, n);
    if (nn < 1e-30)
        return;
    double k = n[2] / nn, top[3] = {z[0] - k * n[0], z[1] - k * n[1], z[2] - k * n[2]};
    double tl = sqrt(dot3(top, top));
    if (tl < 1e-15)
        return;                  /* the arc lies on the equator */
    for (int s = 0; s < 2; s++) {
        double t[3] = {top[0] / tl, top[1] / tl, top[2] / tl}, c1[3], c2[3];
        if (s) {
            t[0] = -t[0]; t[1] = -t[1]; t[2] = -t[2];
        }
        cross3(g->v[a], t, c1);
        cross3(t, g->v[b], c2);
        if (dot3(c1, n) >= 0 && dot3(c2, n) >= 0) {
            double lat = asin(fmax(-1, fmin(1, t[2]))) * (180 / M_PI);
            *lo = fmin(*lo, lat);
            *hi = fmax(*hi, lat);
        }
    }
}

/* Calls visit(cell) for every cell in rows [r0, r1] x columns c0..c1 (c1 may
 * be below c0: the range wraps through the antimeridian). */
struct cell_box {
    int r0, r1, c0, c1;
};

/* Cells an item covers: up to two boxes. Returns how many. */
static int item_boxes(const det_geodata *g, int kind, uint32_t i, struct cell_box box[2])
{
    if (kind == 2) {                           /* place */
        uint32_t p = g->place[i];
        box[0] = (struct cell_box){grid_row(g->lat[p]), grid_row(g->lat[p]),
                                   grid_col(g->lon[p]), grid_col(g->lon[p])};
        return 1;
    }
    uint32_t a = kind == 0 ? g->seg[i][0] : g->edge[i][0];
    uint32_t b = kind == 0 ? g->seg[i][1] : g->edge[i][1];
    double lo, hi, w = fmin(g->lon[a], g->lon[b]), e = fmax(g->lon[a], g->lon[b]);
    if (kind == 0)
        arc_lat_range(g, a, b, &lo, &hi);
    else {
        lo = fmin(g->lat[a], g->lat[b]);
        hi = fmax(g->lat[a], g->lat[b]);
    }
    int r0 = grid_row(lo), r1 = grid_row(hi);
    if (kind == 0 && (hi >= 89.9 || lo <= -89.9 || e - w == 180)) {
        box[0] = (struct cell_box){r0, r1, 0, GEO_NCOL - 1};   /* over a pole */
        return 1;
    }
    if (kind == 0 && e - w > 180) {            /* arc across the antimeridian */
        box[0] = (struct cell_box){r0, r1, grid_col(e), GEO_NCOL - 1};
        box[1] = (struct cell_box){r0, r1, 0, grid_col(w)};
        return 2;
    }
    int c0 = (int)floor((w + 180) / GEO_CELL), c1 = (int)floor((e + 180) / GEO_CELL);
    c0 = c0 < 0 ? 0 : c0 >= GEO_NCOL ? GEO_NCOL - 1 : c0;
    c1 = c1 < 0 ? 0 : c1 >= GEO_NCOL ? GEO_NCOL - 1 : c1;
    box[0] = (struct cell_box){r0, r1, c0, c1};
    return 1;
}

/* Chebyshev distance (columns wrap) from each cell to the nearest non-empty
 * one, capped at 255: that many rings around the cell are empty. */
static bool fill_skip(struct gidx *ix)
{
    uint32_t *q = malloc(GEO_NCELL * sizeof *q);
    ix->skip = malloc(GEO_NCELL);
    if (!q || !ix->skip) {
        free(q);
        return false;
    }
    ix->block = calloc(GEO_NCELL / (GEO_BLOCK * GEO_BLOCK), 1);
    if (!ix->block) {
        free(q);
        return false;
    }
    memset(ix->skip, 255, GEO_NCELL);
    size_t head = 0, tail = 0;
    for (size_t i = 0; i < GEO_NCELL; i++)
        if (ix->start[i + 1] > ix->start[i]) {
            ix->skip[i] = 0;
            q[tail++] = (uint32_t)i;
            size_t br = i / GEO_NCOL / GEO_BLOCK, bc = i % GEO_NCOL / GEO_BLOCK;
            ix->block[br * (GEO_NCOL / GEO_BLOCK) + bc] = 1;
        }
    while (head < tail) {
        uint32_t i = q[head++];
        int r = (int)(i / GEO_NCOL), c = (int)(i % GEO_NCOL), d = ix->skip[i] + 1;
        if (d >= 255)
            continue;
        for (int dr = -1; dr <= 1; dr++)
            for (int dc = -1; dc <= 1; dc++) {
                int rr = r + dr, cc = (c + dc + GEO_NCOL) % GEO_NCOL;
                if (rr < 0 || rr >= GEO_NROW)
                    continue;
                size_t j = (size_t)rr * GEO_NCOL + (size_t)cc;
                if (ix->skip[j] > d) {
                    ix->skip[j] = (uint8_t)d;
                    q[tail++] = (uint32_t)j;
                }
            }
    }
    free(q);
    return true;
}

static void box_each(const struct cell_box *b, uint32_t *start, uint32_t *item, uint32_t id)
{
    for (int r = b->r0; r <= b->r1; r++)
        for (int c = b->c0; c <= b->c1; c++) {
            size_t cell = (size_t)r * GEO_NCOL + (size_t)c;
            if (item)
                item[start[cell]++] = id;
            else
                start[cell + 1]++;
        }
}

/* Builds the index of `n` items of `kind` (0 segments, 1 edges, 2 places). */
static bool build_index(const det_geodata *g, int kind, size_t n, struct gidx *ix)
{
    ix->start = calloc(GEO_NCELL + 1, sizeof *ix->start);
    if (!ix->start)
        return false;
    struct cell_box box[2];
    size_t total = 0;
    for (size_t i = 0; i < n; i++) {
        int nb = item_boxes(g, kind, (uint32_t)i, box);
        for (int k = 0; k < nb; k++) {
            total += (size_t)(box[k].r1 - box[k].r0 + 1) * (size_t)(box[k].c1 - box[k].c0 + 1);
            box_each(&box[k], ix->start, NULL, 0);
        }
    }
    if (total >= UINT32_MAX)
        return false;
    for (size_t i = 0; i < GEO_NCELL; i++)
        ix->start[i + 1] += ix->start[i];
    ix->item = malloc((total ? total : 1) * sizeof *ix->item);
    if (!ix->item)
        return false;
    for (size_t i = 0; i < n; i++) {           /* start[cell] moves to the end ... */
        int nb = item_boxes(g, kind, (uint32_t)i, box);
        for (int k = 0; k < nb; k++)
            box_each(&box[k], ix->start, ix->item, (uint32_t)i);
    }
    memmove(ix->start + 1, ix->start, GEO_NCELL * sizeof *ix->start);
    ix->start[0] = 0;                          /* ... and is shifted back */
    return kind == 1 || fill_skip(ix);
}

static void free_index(struct gidx *ix)
{
    free(ix->start);
    free(ix->item);
    free(ix->skip);
    free(ix->block);
}

/* ---- land mask ---- */

/* x where edge e crosses the horizontal line y (the edge straddles it),
 * clamped to the edge's extent so rounding never moves it out of the cells
 * the edge is indexed in. Build and query use this one function. */
static double cross_x(const det_geodata *g, uint32_t e, double y)
{
    double ax = g->lon[g->edge[e][0]], ay = g->lat[g->edge[e][0]];
    double bx = g->lon[g->edge[e][1]], by = g->lat[g->edge[e][1]];
    double x = ax + (y - ay) * (bx - ax) / (by - ay);
    return fmin(fmax(x, fmin(ax, bx)), fmax(ax, bx));
}

static double cross_y(const det_geodata *g, uint32_t e, double x)
{
    double ax = g->lon[g->edge[e][0]], ay = g->lat[g->edge[e][0]];
    double bx = g->lon[g->edge[e][1]], by = g->lat[g->edge[e][1]];
    double y = ay + (x - ax) * (by - ay) / (bx - ax);
    return fmin(fmax(y, fmin(ay, by)), fmax(ay, by));
}

static bool straddles(double a, double b, double v)
{
    return (a > v) != (b > v);
}

static double row_centre(int r)
{
    return -90 + (r + 0.5) * GEO_CELL;
}

static double col_centre(int c)
{
    return -180 + (c + 0.5) * GEO_CELL;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Whether each cell's centre is inside: per row, the x of every edge
 * crossing the row's centre line, sorted; a centre is inside when an odd
 * number of them lie east of it (ray casting to the east). */
static bool build_land(det_geodata *g)
{
    g->land = calloc(GEO_NCELL, 1);
    double *xs = NULL;
    size_t cap = 0;
    if (!g->land)
        return false;
    for (int r = 0; r < GEO_NROW; r++) {
        double y = row_centre(r);
        size_t n = 0;
        /* the edges crossing this row's centre line are in its cells */
        for (int c = 0; c < GEO_NCOL; c++) {
            size_t cell = (size_t)r * GEO_NCOL + (size_t)c;
            for (uint32_t k = g->gedge.start[cell]; k < g->gedge.start[cell + 1]; k++) {
                uint32_t e = g->gedge.item[k];
                if (!straddles(g->lat[g->edge[e][0]], g->lat[g->edge[e][1]], y))
                    continue;
                double x = cross_x(g, e, y);
                int xc = grid_col(x >= 180 ? 179.999999 : x);
                if (xc != c)
                    continue;        /* counted once, in the cell holding x */
                if (!grow((void **)&xs, &cap, n + 1, sizeof *xs)) {
                    free(xs);
                    return false;
                }
                xs[n++] = x;
            }
        }
        if (n > 1)
            qsort(xs, n, sizeof *xs, cmp_double);
        size_t k = n;                /* xs[k..n) lie east of the centre */
        for (int c = GEO_NCOL - 1; c >= 0; c--) {
            double cx = col_centre(c);
            while (k > 0 && xs[k - 1] > cx)
                k--;
            g->land[(size_t)r * GEO_NCOL + (size_t)c] = (uint8_t)((n - k) & 1);
        }
    }
    free(xs);
    return true;
}

int det_geo_inside(const det_geodata *g, double lat, double lon)
{
    if (!g || !g->land || !(fabs(lat) <= 90) || !(fabs(lon) <= 180))
        return -1;
    if (lon == 180)
        lon = -180;
    int r = grid_row(lat), c = grid_col(lon);
    size_t cell = (size_t)r * GEO_NCOL + (size_t)c;
    double cx = col_centre(c), cy = row_centre(r);
    unsigned flips = 0;
    for (uint32_t k = g->gedge.start[cell]; k < g->gedge.start[cell + 1]; k++) {
        uint32_t e = g->gedge.item[k];
        double ax = g->lon[g->edge[e][0]], ay = g->lat[g->edge[e][0]];
        double bx = g->lon[g->edge[e][1]], by = g->lat[g->edge[e][1]];
        if (straddles(ay, by, cy)) {         /* centre -> (lon, cy) */
            double x = cross_x(g, e, cy);
            flips += (x > lon) != (x > cx);
        }
        if (straddles(ax, bx, lon)) {        /* (lon, cy) -> (lon, lat) */
            double y = cross_y(g, e, lon);
            flips += (y > lat) != (y > cy);
        }
    }
    return (g->land[cell] ^ flips) & 1;
}

/* ---- nearest queries ---- */

/* Radians from p to the arc of segment s; INFINITY without computing it
 * when even the arc's whole great circle is farther than the distance
 * whose sine is sin_best (|p . n| is the sine of the distance to it). */
static double seg_dist(const det_geodata *g, uint32_t s, const double p[3], double sin_best)
{
    const double *n = g->nrm[s];
    double pn = fabs(dot3(p, n));
    if (pn >= sin_best)
        return INFINITY;
    const double *a = g->v[g->seg[s][0]], *b = g->v[g->seg[s][1]];
    double c1[3], c2[3];
    if (dot3(n, n) > 0) {
        cross3(a, p, c1);
        cross3(p, b, c2);
        if (dot3(c1, n) >= 0 && dot3(c2, n) >= 0)
            return asin(fmin(1, pn));
    }
    return fmin(angle(p, a), angle(p, b));
}

/* Unit normals of the segments' great circles (zero for a segment whose
 * ends coincide or are antipodal: its distance is to the ends). */
static bool build_normals(det_geodata *g)
{
    g->nrm = malloc((g->nseg ? g->nseg : 1) * sizeof *g->nrm);
    if (!g->nrm)
        return false;
    for (size_t s = 0; s < g->nseg; s++) {
        double *n = g->nrm[s];
        cross3(g->v[g->seg[s][0]], g->v[g->seg[s][1]], n);
        double nn = dot3(n, n);
        double k = nn > 1e-30 ? 1 / sqrt(nn) : 0;
        n[0] *= k;
        n[1] *= k;
        n[2] *= k;
    }
    return true;
}

/* The search runs on the fine grid near data and on blocks of 8 x 8 fine
 * cells (2 degrees) far from it, where rings of empty fine cells would be
 * too many to walk (a point 2000 km out would visit ~10^4 of them). */
struct level {
    double cell;             /* degrees */
    int ncol, nrow, f;       /* f: fine cells per side of one cell */
};
static const struct level geo_fine = {GEO_CELL, GEO_NCOL, GEO_NROW, 1};
static const struct level geo_block = {GEO_CELL * GEO_BLOCK, GEO_NCOL / GEO_BLOCK,
                                       GEO_NROW / GEO_BLOCK, GEO_BLOCK};

/* Lower bound (radians) on the distance from (lat, lon) to anything outside
 * rows r-k..r+k, columns c-k..c+k of level lv; INFINITY when that is nothing. */
static double ring_bound(const struct level *lv, double lat, double lon, int r, int c, int k)
{
    double b = INFINITY;
    if (r - k > 0)
        b = fmin(b, lat - (-90 + (r - k) * lv->cell));
    if (r + k < lv->nrow - 1)
        b = fmin(b, -90 + (r + k + 1) * lv->cell - lat);
    b *= M_PI / 180;
    if (2 * k + 1 < lv->ncol) {
        double d = fmin(lon - (-180 + (c - k) * lv->cell), -180 + (c + k + 1) * lv->cell - lon);
        double phi = fabs(lat) * (M_PI / 180);
        double lb = d >= 90 ? M_PI / 2 - phi
                            : asin(fmin(1, cos(phi) * sin(d * (M_PI / 180))));
        b = fmin(b, lb);
    }
    return b;
}

/* One query: where, as degrees and as a unit vector. */
struct query {
    double lat, lon, cos_lat;
    double p[3];
};

/* Lower bound (radians) on the distance from q to the cell of size `size`
 * whose south-west corner is (la0, lo0): the larger of the latitude gap
 * and the distance to the nearer bounding meridian. */
static double cell_bound(const struct query *q, double la0, double lo0, double size)
{
    double dlat = fmax(0, fmax(la0 - q->lat, q->lat - (la0 + size)));
    double dlon = 0;
    if (q->lon < lo0 || q->lon > lo0 + size)
        dlon = fmin(fmod(lo0 - q->lon + 720, 360), fmod(q->lon - (lo0 + size) + 720, 360));
    double b = dlon >= 90 ? M_PI / 2 - fabs(q->lat) * (M_PI / 180)
                          : asin(fmin(1, q->cos_lat * sin(dlon * (M_PI / 180))));
    return fmax(dlat * (M_PI / 180), b);
}

/* Best over the items of fine cell (r, c); cells with more than a few items
 * are skipped when they cannot hold anything nearer than `best`. */
static double fine_best(const det_geodata *g, const struct gidx *ix, int kind, int r, int c,
                        const struct query *q, double best)
{
    size_t cell = (size_t)r * GEO_NCOL + (size_t)c;
    const double *p = q->p;
    if (ix->start[cell + 1] == ix->start[cell])
        return best;
    if (ix->start[cell + 1] - ix->start[cell] > 4 &&
        cell_bound(q, -90 + r * GEO_CELL, -180 + c * GEO_CELL, GEO_CELL) >= best)
        return best;
    double sin_best = best < M_PI / 2 ? sin(best) : 2;
    for (uint32_t k = ix->start[cell]; k < ix->start[cell + 1]; k++) {
        uint32_t i = ix->item[k];
        double d = kind == 0 ? seg_dist(g, i, p, sin_best) : angle(p, g->v[g->place[i]]);
        if (d < best) {
            best = d;
            sin_best = best < M_PI / 2 ? sin(best) : 2;
        }
    }
    return best;
}

/* Best over the items of cell (r, c) of level lv (c already wrapped). */
static double cell_best(const det_geodata *g, const struct gidx *ix, int kind,
                        const struct level *lv, int r, int c, const struct query *q, double best)
{
    if (lv->f == 1)
        return fine_best(g, ix, kind, r, c, q, best);
    if (!ix->block[(size_t)r * (size_t)lv->ncol + (size_t)c] ||
        cell_bound(q, -90 + r * lv->cell, -180 + c * lv->cell, lv->cell) >= best)
        return best;
    for (int fr = r * lv->f; fr < (r + 1) * lv->f; fr++)
        for (int fc = c * lv->f; fc < (c + 1) * lv->f; fc++)
            best = fine_best(g, ix, kind, fr, fc, q, best);
    return best;
}

/* Best over the cells of ring k (rows clamped, columns wrapped, each cell
 * of the window rows r-k..r+k x columns c-k..c+k visited once overall). */
static double ring_best(const det_geodata *g, const struct gidx *ix, int kind,
                        const struct level *lv, int r, int c, int k, const struct query *p,
                        double best)
{
    int n = lv->ncol;
    bool full = 2 * k + 1 >= n, was_full = 2 * k - 1 >= n;
    for (int rr = r - k; rr <= r + k; rr++) {
        if (rr < 0 || rr >= lv->nrow)
            continue;
        if (rr == r - k || rr == r + k) {
            int c0 = full ? 0 : c - k, c1 = full ? n - 1 : c + k;
            for (int cc = c0; cc <= c1; cc++)
                best = cell_best(g, ix, kind, lv, rr, (cc + n) % n, p, best);
        } else if (!was_full && k > 0) {
            int w = ((c - k) % n + n) % n, e = (c + k) % n;
            best = cell_best(g, ix, kind, lv, rr, w, p, best);
            if (e != w)
                best = cell_best(g, ix, kind, lv, rr, e, p, best);
        }
    }
    return best;
}

static double nearest_km(const det_geodata *g, const struct gidx *ix, int kind, size_t n,
                         double lat, double lon)
{
    if (!g || n == 0 || !(fabs(lat) <= 90) || !(fabs(lon) <= 180))
        return NAN;
    if (lon == 180)
        lon = -180;                  /* the same meridian, in column 0 */
    struct query q = {.lat = lat, .lon = lon, .cos_lat = cos(lat * (M_PI / 180))};
    unit_vec(lat, lon, q.p);
    int r = grid_row(lat), c = grid_col(lon);
    int k = ix->skip[(size_t)r * GEO_NCOL + (size_t)c];
    const struct level *lv = &geo_fine;
    if (k >= 2 * GEO_BLOCK) {
        /* a fine cell k rings out is at least k / 8 blocks out */
        lv = &geo_block;
        r /= GEO_BLOCK;
        c /= GEO_BLOCK;
        k /= GEO_BLOCK;
    }
    double best = INFINITY;
    int kmax = lv->nrow > lv->ncol / 2 ? lv->nrow : lv->ncol / 2;
    for (; k <= kmax; k++) {
        best = ring_best(g, ix, kind, lv, r, c, k, &q, best);
        if (best <= ring_bound(lv, lat, lon, r, c, k))
            break;
    }
    return best * GEO_R_KM;
}

double det_geo_shore_km(const det_geodata *g, double lat, double lon)
{
    return g ? nearest_km(g, &g->gseg, 0, g->nseg, lat, lon) : NAN;
}

double det_geo_place_km(const det_geodata *g, double lat, double lon)
{
    return g ? nearest_km(g, &g->gplace, 2, g->nplace, lat, lon) : NAN;
}

/* ---- GeoJSON ---- */

struct gj {
    det_geodata *g;
    size_t feature;          /* index for messages */
    char *err;
    size_t errlen;
};

/* Reads one [lon, lat(, alt)] position into a new vertex; -1 on error. */
static long gj_position(struct gj *s, json_t *pos, const char *what, size_t i)
{
    if (!json_is_array(pos) || json_array_size(pos) < 2 ||
        !json_is_number(json_array_get(pos, 0)) || !json_is_number(json_array_get(pos, 1))) {
        errf(s->err, s->errlen, "feature %zu: %s position %zu is not [lon, lat]", s->feature,
             what, i);
        return -1;
    }
    double lon = json_number_value(json_array_get(pos, 0));
    double lat = json_number_value(json_array_get(pos, 1));
    if (!(fabs(lat) <= 90) || !(fabs(lon) <= 180)) {
        errf(s->err, s->errlen, "feature %zu: %s position %zu [%g, %g] is outside lon -180..180, "
             "lat -90..90", s->feature, what, i, lon, lat);
        return -1;
    }
    char why[64];
    long v = add_vertex(s->g, lat, lon, why, sizeof why);
    if (v < 0)
        errf(s->err, s->errlen, "feature %zu: %s", s->feature, why);
    return v;
}

static bool gj_oom(struct gj *s)
{
    errf(s->err, s->errlen, "feature %zu: out of memory", s->feature);
    return false;
}

static bool gj_line(struct gj *s, json_t *coords, const char *what)
{
    if (!json_is_array(coords) || json_array_size(coords) < 2) {
        errf(s->err, s->errlen, "feature %zu: %s needs at least 2 positions", s->feature, what);
        return false;
    }
    long prev = -1;
    for (size_t i = 0; i < json_array_size(coords); i++) {
        long v = gj_position(s, json_array_get(coords, i), what, i);
        if (v < 0)
            return false;
        if (prev >= 0 && !add_pair(&s->g->seg, &s->g->nseg, &s->g->segcap, (uint32_t)prev,
                                   (uint32_t)v))
            return gj_oom(s);
        prev = v;
    }
    return true;
}

/* One linear ring: closed, >= 4 positions, no edge jumping over the
 * antimeridian (the polygon must be cut there, RFC 7946 3.1.9). */
static bool gj_ring(struct gj *s, json_t *coords, size_t ri)
{
    det_geodata *g = s->g;
    size_t n = json_array_size(coords);
    if (!json_is_array(coords) || n < 4) {
        errf(s->err, s->errlen, "feature %zu: ring %zu needs at least 4 positions", s->feature, ri);
        return false;
    }
    size_t first = g->nv;
    for (size_t i = 0; i < n; i++)
        if (gj_position(s, json_array_get(coords, i), "ring", i) < 0)
            return false;
    if (g->lat[first] != g->lat[g->nv - 1] || g->lon[first] != g->lon[g->nv - 1]) {
        errf(s->err, s->errlen, "feature %zu: ring %zu is not closed (first and last positions "
             "differ)", s->feature, ri);
        return false;
    }
    for (size_t i = first; i + 1 < g->nv; i++) {
        uint32_t a = (uint32_t)i, b = (uint32_t)(i + 1);
        bool pole = fabs(g->lat[a]) == 90 && g->lat[a] == g->lat[b];
        if (fabs(g->lon[a] - g->lon[b]) > 180 && !pole) {
            errf(s->err, s->errlen, "feature %zu: ring %zu jumps from lon %g to %g: cut polygons "
                 "at the antimeridian (RFC 7946 3.1.9)", s->feature, ri, g->lon[a], g->lon[b]);
            return false;
        }
        if (!add_pair(&g->edge, &g->nedge, &g->edgecap, a, b))
            return gj_oom(s);
        if (is_seam(g, a, b))
            g->n.seams++;
        else if (!add_pair(&g->seg, &g->nseg, &g->segcap, a, b))
            return gj_oom(s);
    }
    g->n.rings++;
    return true;
}

static bool gj_polygon(struct gj *s, json_t *rings)
{
    if (!json_is_array(rings) || json_array_size(rings) == 0) {
        errf(s->err, s->errlen, "feature %zu: a polygon needs at least one ring", s->feature);
        return false;
    }
    for (size_t i = 0; i < json_array_size(rings); i++)
        if (!gj_ring(s, json_array_get(rings, i), i))
            return false;
    return true;
}

static bool gj_point(struct gj *s, json_t *pos, size_t i)
{
    long v = gj_position(s, pos, "point", i);
    if (v < 0)
        return false;
    if (!grow((void **)&s->g->place, &s->g->placecap, s->g->nplace + 1, sizeof *s->g->place))
        return gj_oom(s);
    s->g->place[s->g->nplace++] = (uint32_t)v;
    return true;
}

static bool gj_geometry(struct gj *s, json_t *geom, int depth)
{
    if (json_is_null(geom))
        return true;                 /* a feature without a location */
    const char *type = json_string_value(json_object_get(geom, "type"));
    json_t *c = json_object_get(geom, "coordinates");
    if (!type) {
        errf(s->err, s->errlen, "feature %zu: geometry has no \"type\"", s->feature);
        return false;
    }
    if (strcmp(type, "GeometryCollection") == 0 && depth < 4) {
        json_t *gs = json_object_get(geom, "geometries");
        for (size_t i = 0; i < json_array_size(gs); i++)
            if (!gj_geometry(s, json_array_get(gs, i), depth + 1))
                return false;
        return true;
    }
    bool multi = strncmp(type, "Multi", 5) == 0;
    const char *base = multi ? type + 5 : type;
    if (multi && !json_is_array(c)) {
        errf(s->err, s->errlen, "feature %zu: %s has no coordinates array", s->feature, type);
        return false;
    }
    size_t parts = multi ? json_array_size(c) : 1;
    for (size_t i = 0; i < parts; i++) {
        json_t *part = multi ? json_array_get(c, i) : c;
        bool ok;
        if (strcmp(base, "Point") == 0)
            ok = gj_point(s, part, i);
        else if (strcmp(base, "LineString") == 0)
            ok = gj_line(s, part, "line");
        else if (strcmp(base, "Polygon") == 0)
            ok = gj_polygon(s, part);
        else {
            errf(s->err, s->errlen, "feature %zu: geometry type \"%s\" is not supported (Point, "
                 "LineString, Polygon and their Multi forms)", s->feature, type);
            return false;
        }
        if (!ok)
            return false;
    }
    return true;
}

static bool gj_document(struct gj *s, json_t *doc)
{
    const char *type = json_string_value(json_object_get(doc, "type"));
    if (!type) {
        errf(s->err, s->errlen, "not GeoJSON: the top-level object has no \"type\"");
        return false;
    }
    if (strcmp(type, "FeatureCollection") == 0) {
        json_t *fs = json_object_get(doc, "features");
        if (!json_is_array(fs)) {
            errf(s->err, s->errlen, "FeatureCollection without a \"features\" array");
            return false;
        }
        for (s->feature = 0; s->feature < json_array_size(fs); s->feature++) {
            json_t *f = json_array_get(fs, s->feature);
            if (!json_is_object(f) || !json_object_get(f, "geometry")) {
                errf(s->err, s->errlen, "feature %zu: not a Feature with a \"geometry\"",
                     s->feature);
                return false;
            }
            if (!gj_geometry(s, json_object_get(f, "geometry"), 0))
                return false;
        }
        s->g->n.features = s->feature;
        return true;
    }
    s->g->n.features = 1;
    if (strcmp(type, "Feature") == 0)
        return gj_geometry(s, json_object_get(doc, "geometry"), 0);
    return gj_geometry(s, doc, 0);
}

/* Builds every index the data needs. */
static bool geo_finish(det_geodata *g, char *err, size_t errlen)
{
    g->n.segments = g->nseg;
    g->n.points = g->nplace;
    if (g->nseg == 0 && g->nplace == 0 && g->nedge == 0) {
        errf(err, errlen, "no points, lines or polygons");
        return false;
    }
    bool ok = (g->nseg == 0 || (build_normals(g) && build_index(g, 0, g->nseg, &g->gseg))) &&
              (g->nplace == 0 || build_index(g, 2, g->nplace, &g->gplace)) &&
              (g->nedge == 0 || (build_index(g, 1, g->nedge, &g->gedge) && build_land(g)));
    if (!ok)
        errf(err, errlen, "out of memory building the index");
    return ok;
}

det_geodata *det_geo_parse_geojson(const char *text, size_t len, char *err, size_t errlen)
{
    json_error_t je;
    json_t *doc = json_loadb(text, len, 0, &je);
    if (!doc) {
        errf(err, errlen, "not JSON: line %d column %d: %s", je.line, je.column, je.text);
        return NULL;
    }
    det_geodata *g = calloc(1, sizeof *g);
    struct gj s = {.g = g, .err = err, .errlen = errlen};
    bool ok = g && json_is_object(doc) && gj_document(&s, doc) && geo_finish(g, err, errlen);
    if (!g)
        errf(err, errlen, "out of memory");
    else if (!json_is_object(doc))
        errf(err, errlen, "not GeoJSON: the document is not an object");
    json_decref(doc);
    if (!ok) {
        det_geo_free(g);
        return NULL;
    }
    return g;
}

/* ---- CSV ---- */

#define CSV_MAX_FIELDS 64

/* Splits one line into fields (quotes removed, "" inside quotes is a quote)
 * in place into buf; returns the number of fields. */
static int csv_split(const char *line, size_t len, char *buf, char *field[CSV_MAX_FIELDS])
{
    int n = 0;
    size_t i = 0, o = 0;
    for (;;) {
        if (n == CSV_MAX_FIELDS)
            return n;
        field[n++] = buf + o;
        bool q = i < len && line[i] == '"';
        i += q;
        for (; i < len; i++) {
            if (q && line[i] == '"') {
                if (i + 1 < len && line[i + 1] == '"') {
                    buf[o++] = '"';
                    i++;
                    continue;
                }
                q = false;
                continue;
            }
            if (!q && line[i] == ',')
                break;
            buf[o++] = line[i];
        }
        buf[o++] = '\0';
        if (i >= len)
            return n;
        i++;                         /* the comma */
    }
}

static bool csv_number(const char *s, double *v)
{
    while (*s == ' ' || *s == '\t')
        s++;
    char *end;
    *v = strtod(s, &end);
    while (*end == ' ' || *end == '\t' || *end == '\r')
        end++;
    return end != s && *end == '\0';
}

static bool csv_name_is(const char *f, const char *const names[])
{
    while (*f == ' ')
        f++;
    for (int i = 0; names[i]; i++) {
        size_t n = strlen(names[i]);
        if (strncasecmp(f, names[i], n) == 0 && (f[n] == '\0' || f[n] == ' ' || f[n] == '\r'))
            return true;
    }
    return false;
}

/* Finds the lat and lon columns in a header; false when it has none. */
static bool csv_header(char *field[], int nf, int *lat_col, int *lon_col)
{
    static const char *const lat_names[] = {"lat", "latitude", NULL};
    static const char *const lon_names[] = {"lon", "lng", "long", "longitude", NULL};
    *lat_col = *lon_col = -1;
    for (int i = 0; i < nf; i++) {
        if (*lat_col < 0 && csv_name_is(field[i], lat_names))
            *lat_col = i;
        else if (*lon_col < 0 && csv_name_is(field[i], lon_names))
            *lon_col = i;
    }
    return *lat_col >= 0 && *lon_col >= 0;
}

struct csv_state {
    det_geodata *g;
    int lat_col, lon_col;    /* -1 until the first line decided */
    char *err;
    size_t errlen;
};

/* One non-blank line; false with err set. */
static bool csv_line(struct csv_state *s, const char *line, size_t len, size_t line_no,
                     char *buf)
{
    char *field[CSV_MAX_FIELDS];
    int nf = csv_split(line, len, buf, field);
    double lat, lon;
    if (s->lat_col < 0) {
        if (csv_header(field, nf, &s->lat_col, &s->lon_col))
            return true;
        if (nf < 2 || !csv_number(field[0], &lat) || !csv_number(field[1], &lon)) {
            errf(s->err, s->errlen, "line %zu: no lat and lon columns in the header, and not "
                 "lat,lon numbers either", line_no);
            return false;
        }
        s->lat_col = 0;
        s->lon_col = 1;
    }
    int need = s->lat_col > s->lon_col ? s->lat_col : s->lon_col;
    if (nf <= need) {
        errf(s->err, s->errlen, "line %zu: %d fields, the lat/lon columns need %d", line_no, nf,
             need + 1);
        return false;
    }
    if (!csv_number(field[s->lat_col], &lat) || !csv_number(field[s->lon_col], &lon) ||
        !(fabs(lat) <= 90) || !(fabs(lon) <= 180)) {
        errf(s->err, s->errlen, "line %zu: lat '%.20s' lon '%.20s' is not a position", line_no,
             field[s->lat_col], field[s->lon_col]);
        return false;
    }
    long v = add_vertex(s->g, lat, lon, s->err, s->errlen);
    if (v < 0 || !grow((void **)&s->g->place, &s->g->placecap, s->g->nplace + 1,
                       sizeof *s->g->place)) {
        errf(s->err, s->errlen, "line %zu: out of memory or too many points", line_no);
        return false;
    }
    s->g->place[s->g->nplace++] = (uint32_t)v;
    s->g->n.features++;
    return true;
}

det_geodata *det_geo_parse_csv(const char *text, size_t len, char *err, size_t errlen)
{
    det_geodata *g = calloc(1, sizeof *g);
    char *buf = malloc(len + CSV_MAX_FIELDS + 1);
    struct csv_state s = {.g = g, .lat_col = -1, .lon_col = -1, .err = err, .errlen = errlen};
    bool ok = g && buf;
    if (!ok)
        errf(err, errlen, "out of memory");
    size_t line_no = 0;
    for (size_t i = 0; ok && i < len;) {
        const char *nl = memchr(text + i, '\n', len - i);
        size_t end = nl ? (size_t)(nl - text) : len, n = end - i;
        line_no++;
        if (n && text[i + n - 1] == '\r')
            n--;
        size_t sp = 0;
        while (sp < n && (text[i + sp] == ' ' || text[i + sp] == '\t'))
            sp++;
        if (sp < n && text[i + sp] != '#')
            ok = csv_line(&s, text + i, n, line_no, buf);
        i = end + 1;
    }
    free(buf);
    if (ok && g->nplace == 0) {
        errf(err, errlen, "no rows with a position");
        ok = false;
    }
    if (ok)
        ok = geo_finish(g, err, errlen);
    if (!ok) {
        det_geo_free(g);
        return NULL;
    }
    return g;
}

det_geodata *det_geo_parse(const char *text, size_t len, char *err, size_t errlen)
{
    size_t i = 0;
    while (i < len && (text[i] == ' ' || text[i] == '\t' || text[i] == '\r' || text[i] == '\n'))
        i++;
    if (i + 3 <= len && (unsigned char)text[i] == 0xEF && (unsigned char)text[i + 1] == 0xBB &&
        (unsigned char)text[i + 2] == 0xBF)
        i += 3;                      /* UTF-8 byte order mark */
    if (i < len && text[i] == '{')
        return det_geo_parse_geojson(text + i, len - i, err, errlen);
    return det_geo_parse_csv(text + i, len - i, err, errlen);
}

void det_geo_free(det_geodata *g)
{
    if (!g)
        return;
    free(g->lat);
    free(g->lon);
    free(g->v);
    free(g->seg);
    free(g->nrm);
    free(g->edge);
    free(g->place);
    free_index(&g->gseg);
    free_index(&g->gedge);
    free_index(&g->gplace);
    free(g->land);
    free(g);
}

struct det_geo_counts det_geo_count(const det_geodata *g)
{
    struct det_geo_counts z = {0};
    return g ? g->n : z;
}

/* ---- the detectors' callbacks ---- */

/* Distance to shore for the detectors. A position inside shore polygons
 * (land) is in a port, river or estuary that the coastline does not resolve
 * (Natural Earth 1:50m puts Palembang 44 km "inland"): for "far from shore"
 * tests it is at the shore, 0 km, never offshore. */
static double cb_shore(void *ctx, double lat, double lon)
{
    const struct det_geo_layers *l = ctx;
    if (det_geo_count(l->shore).rings && det_geo_inside(l->shore, lat, lon) == 1)
        return 0;
    return det_geo_shore_km(l->shore, lat, lon);
}

static double cb_anchorage(void *ctx, double lat, double lon)
{
    const struct det_geo_layers *l = ctx;
    return det_geo_place_km(l->anchorages, lat, lon);
}

static int cb_land(void *ctx, double lat, double lon)
{
    const struct det_geo_layers *l = ctx;
    int in = det_geo_inside(l->land, lat, lon);
    if (in == 1 && l->land_margin_km > 0 &&
        !(det_geo_shore_km(l->land, lat, lon) >= l->land_margin_km))
        return -1;
    return in;
}

void det_geo_bind(struct det_geo *g, const struct det_geo_layers *layers)
{
    g->shore_km = layers->shore ? cb_shore : NULL;
    g->anchorage_km = layers->anchorages ? cb_anchorage : NULL;
    g->on_land = layers->land ? cb_land : NULL;
    g->ctx = (void *)layers;
}
