/*
 * zone.c - zone incursions: a vessel entering or leaving an operator-supplied
 * polygon (EEZ, marine protected area, closed fishing area), with per-zone
 * rules that say which vessels matter (not the zone state's own flag, only
 * some ship types, only above a speed limit).
 *
 * Zones come from GeoJSON (parsed with jansson, geometry read by GEOS's
 * GeoJSON reader) and are tested with GEOS prepared geometries after a
 * bounding-box check, so a fix far from every zone costs a few comparisons
 * and a GEOS point is built only for fixes inside some zone's box.
 * Events: zone_entry at the first fix inside (for a vessel first seen inside,
 * detail says so), zone_exit at the first fix outside again, with the visit's
 * duration. A visit raises events only when the vessel matches the zone's
 * rules; a speed-limited zone raises its entry at the first fix over the limit.
 */
#include <geos_c.h>
#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>

#include "detect/internal.h"

#define MAX_RULE_ITEMS 32
#define MAX_INSIDE 8            /* zones one vessel can be inside at once */

struct zone {
    char name[64];
    GEOSGeometry *geom;
    const GEOSPreparedGeometry *prep;
    double minx, miny, maxx, maxy;
    unsigned n_exempt, n_types;
    uint16_t exempt_mids[MAX_RULE_ITEMS];
    uint8_t ship_types[MAX_RULE_ITEMS];
    double max_speed_kn;        /* NAN: no limit */
};

struct det_zones {
    GEOSContextHandle_t geos;
    size_t n;
    struct zone *z;
};

/* ---- loading ---- */

static void errf(char *err, size_t errlen, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
}

static bool read_rules(struct zone *z, json_t *props, size_t i, char *err, size_t errlen)
{
    json_t *v;
    size_t k;
    z->max_speed_kn = NAN;
    json_t *name = json_object_get(props, "name");
    if (json_is_string(name))
        snprintf(z->name, sizeof z->name, "%s", json_string_value(name));
    else
        snprintf(z->name, sizeof z->name, "zone %zu", i + 1);
    json_t *ex = json_object_get(props, "exempt_mids");
    json_array_foreach(ex, k, v) {
        if (!json_is_integer(v) || k >= MAX_RULE_ITEMS) {
            errf(err, errlen, "feature %zu (%s): exempt_mids must be up to %d integers", i,
                 z->name, MAX_RULE_ITEMS);
            return false;
        }
        z->exempt_mids[z->n_exempt++] = (uint16_t)json_integer_value(v);
    }
    json_t *ty = json_object_get(props, "ship_types");
    json_array_foreach(ty, k, v) {
        if (!json_is_integer(v) || k >= MAX_RULE_ITEMS) {
            errf(err, errlen, "feature %zu (%s): ship_types must be up to %d integers", i,
                 z->name, MAX_RULE_ITEMS);
            return false;
        }
        z->ship_types[z->n_types++] = (uint8_t)json_integer_value(v);
    }
    json_t *sp = json_object_get(props, "max_speed_kn");
    if (json_is_number(sp))
        z->max_speed_kn = json_number_value(sp);
    return true;
}

static bool read_geometry(det_zones *zs, struct zone *z, json_t *geom, size_t i,
                          char *err, size_t errlen)
{
    const char *type = json_string_value(json_object_get(geom, "type"));
    if (!type || (strcmp(type, "Polygon") != 0 && strcmp(type, "MultiPolygon") != 0)) {
        errf(err, errlen, "feature %zu (%s): geometry must be a Polygon or MultiPolygon", i,
             z->name);
        return false;
    }
    char *text = json_dumps(geom, JSON_COMPACT);
    GEOSGeoJSONReader *rd = GEOSGeoJSONReader_create_r(zs->geos);
    z->geom = text && rd ? GEOSGeoJSONReader_readGeometry_r(zs->geos, rd, text) : NULL;
    if (rd)
        GEOSGeoJSONReader_destroy_r(zs->geos, rd);
    free(text);
    if (!z->geom || GEOSisEmpty_r(zs->geos, z->geom)) {
        errf(err, errlen, "feature %zu (%s): GEOS cannot read its coordinates", i, z->name);
        return false;
    }
    if (GEOSGeom_getXMin_r(zs->geos, z->geom, &z->minx) != 1 ||
        GEOSGeom_getYMin_r(zs->geos, z->geom, &z->miny) != 1 ||
        GEOSGeom_getXMax_r(zs->geos, z->geom, &z->maxx) != 1 ||
        GEOSGeom_getYMax_r(zs->geos, z->geom, &z->maxy) != 1) {
        errf(err, errlen, "feature %zu (%s): no bounding box", i, z->name);
        return false;
    }
    z->prep = GEOSPrepare_r(zs->geos, z->geom);
    if (!z->prep) {
        errf(err, errlen, "feature %zu (%s): GEOS cannot prepare it", i, z->name);
        return false;
    }
    return true;
}

det_zones *det_zones_load(const char *geojson, size_t len, char *err, size_t errlen)
{
    json_error_t je;
    json_t *doc = json_loadb(geojson, len, 0, &je);
    if (!doc) {
        errf(err, errlen, "not JSON: %s at line %d column %d", je.text, je.line, je.column);
        return NULL;
    }
    json_t *feats = json_object_get(doc, "features");
    if (!json_is_array(feats) || json_array_size(feats) == 0) {
        errf(err, errlen, "not a GeoJSON FeatureCollection with features");
        json_decref(doc);
        return NULL;
    }
    det_zones *zs = calloc(1, sizeof *zs);
    if (zs) {
        zs->z = calloc(json_array_size(feats), sizeof *zs->z);
        zs->geos = GEOS_init_r();
    }
    if (!zs || !zs->z || !zs->geos) {
        errf(err, errlen, "out of memory");
        det_zones_free(zs);
        json_decref(doc);
        return NULL;
    }
    size_t i;
    json_t *f;
    json_array_foreach(feats, i, f) {
        struct zone *z = &zs->z[zs->n++];
        json_t *props = json_object_get(f, "properties");
        if (!read_rules(z, props, i, err, errlen) ||
            !read_geometry(zs, z, json_object_get(f, "geometry"), i, err, errlen)) {
            det_zones_free(zs);
            json_decref(doc);
            return NULL;
        }
    }
    json_decref(doc);
    return zs;
}

void det_zones_free(det_zones *zs)
{
    if (!zs)
        return;
    for (size_t i = 0; zs->z && i < zs->n; i++) {
        if (zs->z[i].prep)
            GEOSPreparedGeom_destroy_r(zs->geos, zs->z[i].prep);
        if (zs->z[i].geom)
            GEOSGeom_destroy_r(zs->geos, zs->z[i].geom);
    }
    free(zs->z);
    if (zs->geos)
        GEOS_finish_r(zs->geos);
    free(zs);
}

size_t det_zones_count(const det_zones *zs)
{
    return zs ? zs->n : 0;
}

/* ---- detector ---- */

struct visit {
    uint16_t zone;
    bool reported;              /* entry event emitted (vessel matches the rules) */
    bool first_seen_inside;
    int64_t t_in;
};

struct vessel {
    uint32_t mmsi;              /* 0: empty slot */
    bool seen;                  /* a fix of it was tested before */
    uint8_t n;
    struct visit in[MAX_INSIDE];
};

struct zone_det {
    const det_zones *zs;
    det_emit_fn emit;
    void *engine;
    struct vessel *v;           /* open addressing by MMSI */
    size_t cap, used;
};

static void *create(const struct det_config *cfg, const struct det_geo *geo,
                    det_emit_fn emit, void *engine)
{
    (void)cfg;
    struct zone_det *d = calloc(1, sizeof *d);
    if (!d)
        return NULL;
    d->zs = geo->zones;
    d->emit = emit;
    d->engine = engine;
    return d;
}

static bool grow(struct zone_det *d)
{
    size_t cap = d->cap ? d->cap * 2 : 1024;
    struct vessel *nv = calloc(cap, sizeof *nv);
    if (!nv)
        return false;
    for (size_t i = 0; i < d->cap; i++) {
        if (!d->v[i].mmsi)
            continue;
        size_t j = (d->v[i].mmsi * 2654435761u) & (cap - 1);
        while (nv[j].mmsi)
            j = (j + 1) & (cap - 1);
        nv[j] = d->v[i];
    }
    free(d->v);
    d->v = nv;
    d->cap = cap;
    return true;
}

/* The vessel's record, created on first use; NULL when out of memory. */
static struct vessel *vessel(struct zone_det *d, uint32_t mmsi)
{
    if ((d->used + 1) * 2 > d->cap && !grow(d))
        return NULL;
    size_t j = (mmsi * 2654435761u) & (d->cap - 1);
    while (d->v[j].mmsi && d->v[j].mmsi != mmsi)
        j = (j + 1) & (d->cap - 1);
    if (!d->v[j].mmsi) {
        d->v[j].mmsi = mmsi;
        d->used++;
    }
    return &d->v[j];
}

static bool inside(const det_zones *zs, const struct zone *z, double lon, double lat)
{
    if (lon < z->minx || lon > z->maxx || lat < z->miny || lat > z->maxy)
        return false;
    GEOSGeometry *pt = GEOSGeom_createPointFromXY_r(zs->geos, lon, lat);
    if (!pt)
        return false;
    bool in = GEOSPreparedIntersects_r(zs->geos, z->prep, pt) == 1;
    GEOSGeom_destroy_r(zs->geos, pt);
    return in;
}

/* Does this fix of this vessel fall under the zone's rules? */
static bool matches(const struct zone *z, const struct trk_fix *f, const struct trk_static *st)
{
    unsigned mid = f->mmsi / 1000000;
    for (unsigned i = 0; i < z->n_exempt; i++)
        if (z->exempt_mids[i] == mid)
            return false;
    if (z->n_types) {
        bool ok = false;
        for (unsigned i = 0; i < z->n_types; i++)
            ok |= st && st->shiptype == z->ship_types[i];
        if (!ok)
            return false;
    }
    if (!isnan(z->max_speed_kn))
        return f->sog != TRK_SOG_NA && f->sog / 10.0 > z->max_speed_kn;
    return true;
}

static void report(struct zone_det *d, enum det_kind k, const struct zone *z,
                   const struct trk_fix *f, const struct visit *vis)
{
    struct det_event e;
    det_event_init(&e, k, f->mmsi);
    e.start = k == DET_ZONE_ENTRY ? f->t : vis->t_in;
    e.end = f->t;
    e.lat = det_deg(f->lat);
    e.lon = det_deg(f->lon);
    e.duration_h = (double)(e.end - e.start) / 3.6e6;
    if (f->sog != TRK_SOG_NA)
        e.speed_kn = f->sog / 10.0;
    snprintf(e.zone, sizeof e.zone, "%s", z->name);
    snprintf(e.detail, sizeof e.detail, "%s %s%s", k == DET_ZONE_ENTRY ? "entered" : "left",
             z->name, k == DET_ZONE_ENTRY && vis->first_seen_inside ? " (first seen inside)" : "");
    d->emit(d->engine, &e);
}

static void fix(void *self, const struct trk_fix *f, const struct trk_static *st)
{
    struct zone_det *d = self;
    if (!d->zs)
        return;
    double lon = det_deg(f->lon), lat = det_deg(f->lat);
    struct vessel *v = vessel(d, f->mmsi);
    if (!v)
        return;
    bool known = v->seen;
    v->seen = true;
    /* visits that end */
    for (unsigned i = 0; i < v->n;) {
        struct visit *vis = &v->in[i];
        const struct zone *z = &d->zs->z[vis->zone];
        if (inside(d->zs, z, lon, lat)) {
            if (!vis->reported && matches(z, f, st)) {
                vis->reported = true;
                report(d, DET_ZONE_ENTRY, z, f, vis);
            }
            i++;
            continue;
        }
        if (vis->reported)
            report(d, DET_ZONE_EXIT, z, f, vis);
        v->in[i] = v->in[--v->n];
    }
    /* visits that start */
    for (size_t zi = 0; zi < d->zs->n && v->n < MAX_INSIDE; zi++) {
        bool already = false;
        for (unsigned i = 0; i < v->n; i++)
            already |= v->in[i].zone == zi;
        const struct zone *z = &d->zs->z[zi];
        if (already || !inside(d->zs, z, lon, lat))
            continue;
        struct visit *vis = &v->in[v->n++];
        vis->zone = (uint16_t)zi;
        vis->t_in = f->t;
        vis->first_seen_inside = !known;
        vis->reported = matches(z, f, st);
        if (vis->reported)
            report(d, DET_ZONE_ENTRY, z, f, vis);
    }
}

static void finish(void *self)
{
    (void)self;    /* a vessel still inside at the end has no exit */
}

static void destroy(void *self)
{
    struct zone_det *d = self;
    free(d->v);
    free(d);
}

const struct det_ops det_zone_ops = {"zone", create, fix, NULL, finish, destroy, NULL, NULL, NULL};
