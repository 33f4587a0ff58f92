/*
 * engine.c - runs every registered detector over the fix stream, counts the
 * events per kind and hands them to the caller. The live node also drives
 * the detectors' clock (det_tick, det_discontinuity) and saves and restores
 * the gap detector's per-vessel records (det_vessel_get, det_vessel_seed).
 */
#include <stdio.h>

#include "detect/internal.h"

static const struct det_ops *const detectors[] = {
    &det_gap_ops,
    &det_encounter_ops,
    &det_loiter_ops,
    &det_spoof_ops,
    &det_zone_ops,
};
#define NDET (sizeof detectors / sizeof detectors[0])

struct det_engine {
    struct det_config cfg;
    struct det_geo geo;
    det_event_cb on_event;
    void *ctx;
    void *state[NDET];
    uint64_t count[DET__COUNT];
};

static const char *const kind_names[DET__COUNT] = {
    "gap", "encounter", "loitering", "zone_entry", "zone_exit",
    "teleport", "mmsi_clash", "invalid_mmsi", "identity_change",
};

const char *det_kind_name(enum det_kind k)
{
    return (unsigned)k < DET__COUNT ? kind_names[k] : "unknown";
}

void det_config_defaults(struct det_config *o, const struct det_config *in)
{
    static const struct det_config def = {
        .gap_min_h = 6, .gap_dark_h = 12, .gap_dark_shore_nm = 50,
        .gap_regular_min_per_h = 2, .gap_reception_km = 50,
        .enc_max_km = 0.5, .enc_min_h = 2, .enc_max_median_kn = 2,
        .enc_min_anchorage_km = 10, .enc_grid_min = 10, .enc_max_interp_h = 1,
        .enc_merge_h = 4,
        .loi_max_kn = 2, .loi_min_h = 4, .loi_min_shore_nm = 20,
        .tel_max_kn = 50, .tel_min_km = 10, .clash_min_km = 50, .clash_max_s = 600,
        .ident_max_changes = 1,
    };
    *o = in ? *in : def;
#define D(f) if (o->f == 0) o->f = def.f
    D(gap_min_h); D(gap_dark_h); D(gap_dark_shore_nm); D(gap_regular_min_per_h);
    D(gap_reception_km); D(enc_max_km); D(enc_min_h); D(enc_max_median_kn);
    D(enc_min_anchorage_km); D(enc_grid_min); D(enc_max_interp_h); D(enc_merge_h);
    D(loi_max_kn); D(loi_min_h); D(loi_min_shore_nm); D(tel_max_kn); D(tel_min_km);
    D(clash_min_km); D(clash_max_s); D(ident_max_changes);
#undef D
}

void det_event_init(struct det_event *e, enum det_kind kind, uint32_t mmsi)
{
    memset(e, 0, sizeof *e);
    e->kind = kind;
    e->mmsi = mmsi;
    e->lat = e->lon = e->end_lat = e->end_lon = NAN;
    e->duration_h = e->distance_km = e->speed_kn = e->shore_km = NAN;
    e->likely_disabling = -1;
}

static void emit(void *engine, const struct det_event *e)
{
    det_engine *d = engine;
    if ((unsigned)e->kind < DET__COUNT)
        d->count[e->kind]++;
    if (d->on_event)
        d->on_event(d->ctx, e);
}

det_engine *det_new(const struct det_config *cfg, const struct det_geo *geo,
                    det_event_cb on_event, void *ctx)
{
    det_engine *d = calloc(1, sizeof *d);
    if (!d)
        return NULL;
    det_config_defaults(&d->cfg, cfg);
    if (geo)
        d->geo = *geo;
    d->on_event = on_event;
    d->ctx = ctx;
    for (size_t i = 0; i < NDET; i++) {
        d->state[i] = detectors[i]->create(&d->cfg, &d->geo, emit, d);
        if (!d->state[i]) {
            det_free(d);
            return NULL;
        }
    }
    return d;
}

void det_free(det_engine *d)
{
    if (!d)
        return;
    for (size_t i = 0; i < NDET; i++)
        if (d->state[i])
            detectors[i]->destroy(d->state[i]);
    free(d);
}

/* Every detector's prefetch hint for `mmsi`: their cache misses overlap. */
static void prefetch(det_engine *d, uint32_t mmsi)
{
    for (size_t i = 0; i < NDET; i++)
        if (detectors[i]->prefetch)
            detectors[i]->prefetch(d->state[i], mmsi);
}

static void feed_fix(det_engine *d, const struct trk_fix *f, const struct trk_static *st)
{
    for (size_t i = 0; i < NDET; i++)
        detectors[i]->fix(d->state[i], f, st);
}

void det_feed_fix(det_engine *d, const struct trk_fix *f, const struct trk_static *st)
{
    prefetch(d, f->mmsi);
    feed_fix(d, f, st);
}

void det_feed_fixes(det_engine *d, const struct trk_fix *f, const struct trk_static *st,
                    size_t n)
{
    enum { AHEAD = 4 };
    for (size_t i = 0; i < n && i < AHEAD; i++)
        prefetch(d, f[i].mmsi);
    for (size_t i = 0; i < n; i++) {
        if (i + AHEAD < n)
            prefetch(d, f[i + AHEAD].mmsi);
        feed_fix(d, &f[i], &st[i]);
    }
}

void det_feed_static(det_engine *d, uint32_t mmsi, const struct trk_static *before,
                     const struct trk_static *after, int64_t t)
{
    for (size_t i = 0; i < NDET; i++)
        if (detectors[i]->stat)
            detectors[i]->stat(d->state[i], mmsi, before, after, t);
}

void det_finish(det_engine *d)
{
    for (size_t i = 0; i < NDET; i++)
        detectors[i]->finish(d->state[i]);
}

void det_tick_held(det_engine *d, int64_t now_ms,
                   bool (*held)(void *ctx, uint32_t mmsi, int64_t t), void *ctx)
{
    struct det_held h = {held, ctx};
    for (size_t i = 0; i < NDET; i++)
        if (detectors[i]->tick)
            detectors[i]->tick(d->state[i], now_ms, held ? &h : NULL);
}

void det_tick(det_engine *d, int64_t now_ms)
{
    det_tick_held(d, now_ms, NULL, NULL);
}

void det_discontinuity(det_engine *d, int64_t from_ms, int64_t to_ms)
{
    for (size_t i = 0; i < NDET; i++)
        if (detectors[i]->discontinuity)
            detectors[i]->discontinuity(d->state[i], from_ms, to_ms);
}

/* The gap detector's state (registered first). */
static void *gap_state(const det_engine *d)
{
    for (size_t i = 0; i < NDET; i++)
        if (detectors[i] == &det_gap_ops)
            return d->state[i];
    return NULL;
}

bool det_vessel_get(const det_engine *d, uint32_t mmsi, struct det_vessel_state *out)
{
    return det_gap_vessel_get(gap_state(d), mmsi, out);
}

bool det_vessel_seed(det_engine *d, const struct det_vessel_state *s)
{
    return det_gap_vessel_seed(gap_state(d), s);
}

uint64_t det_count(const det_engine *d, enum det_kind k)
{
    return (unsigned)k < DET__COUNT ? d->count[k] : 0;
}
