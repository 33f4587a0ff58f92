/*
 * internal.h - how a detector plugs into the engine (lib/detect/engine.c):
 * one `struct det_ops` row per detector file, as Suricata registers its
 * keywords. Every detector sees every fix (and every static-data change) in
 * time order and reports events through `emit`.
 */
#ifndef ALD_DETECT_INTERNAL_H
#define ALD_DETECT_INTERNAL_H

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "alidade/detect.h"

/* The caller's held fixes (det_tick_held). */
struct det_held {
    bool (*fn)(void *ctx, uint32_t mmsi, int64_t t);
    void *ctx;
};

/* Reports one event; the engine counts it and passes it to the user. */
typedef void (*det_emit_fn)(void *engine, const struct det_event *e);

struct det_ops {
    const char *name;
    /* Returns the detector's state, NULL when out of memory. */
    void *(*create)(const struct det_config *cfg, const struct det_geo *geo,
                    det_emit_fn emit, void *engine);
    void (*fix)(void *self, const struct trk_fix *f, const struct trk_static *st);
    /* optional: static-data changes */
    void (*stat)(void *self, uint32_t mmsi, const struct trk_static *before,
                 const struct trk_static *after, int64_t t);
    /* end of stream: emit what is still open and qualifies */
    void (*finish)(void *self);
    void (*destroy)(void *self);
    /* optional: starts loading what fix() will read for `mmsi` (a hint, no
     * state changes). The engine calls it on every detector before the
     * first fix(), so that their cache misses overlap instead of queueing. */
    void (*prefetch)(void *self, uint32_t mmsi);
    /* optional: the live clock (det_tick, det_discontinuity); `held` as
     * det_tick_held() (NULL: nothing held) */
    void (*tick)(void *self, int64_t now, const struct det_held *held);
    void (*discontinuity)(void *self, int64_t from, int64_t to);
};

extern const struct det_ops det_gap_ops;
extern const struct det_ops det_encounter_ops;
extern const struct det_ops det_loiter_ops;
extern const struct det_ops det_spoof_ops;      /* teleport, clash, invalid MMSI, identity */
extern const struct det_ops det_zone_ops;

/* The gap detector's per-vessel record (det_vessel_get / det_vessel_seed). */
bool det_gap_vessel_get(const void *gap, uint32_t mmsi, struct det_vessel_state *out);
bool det_gap_vessel_seed(void *gap, const struct det_vessel_state *s);

/* The configuration with every zero field replaced by its default. */
void det_config_defaults(struct det_config *out, const struct det_config *in);

/* An event with every double NAN, likely_disabling -1, strings empty. */
void det_event_init(struct det_event *e, enum det_kind kind, uint32_t mmsi);

/* Degrees of an AIS position unit value. */
static inline double det_deg(int32_t v)
{
    return v / (double)TRK_DEG;
}


/* ---- shared by the gap, loitering and spoofing detectors ---- */

/* Great-circle distance in km between two AIS positions (haversine, mean
 * Earth radius 6371.0088 km, as trk_distance_km()). */
static inline double det_dist_km(int32_t lat1, int32_t lon1, int32_t lat2, int32_t lon2)
{
    const double r = M_PI / 180.0 / TRK_DEG;
    double dp = ((double)lat2 - lat1) * r, dl = ((double)lon2 - lon1) * r;
    double a = sin(dp / 2) * sin(dp / 2) +
               cos(lat1 * r) * cos(lat2 * r) * sin(dl / 2) * sin(dl / 2);
    return 2 * 6371.0088 * asin(sqrt(a < 1 ? a : 1));
}

/* Bounds of det_dist_km() that need no trigonometry, for callers that only
 * compare the distance (or the speed it implies) with a threshold: when the
 * bound already decides the comparison, the exact value would decide it the
 * same way, so the result is unchanged and sin/cos/asin are skipped.
 * Lower: a great circle is at least as long as the difference of latitudes,
 * R |dphi| (2R asin(sqrt(a)) >= 2R asin(|sin(dphi/2)|) = R |dphi|).
 * Upper: with cos(lat) <= 1 and |sin x| <= |x|, sqrt(a) <= h = |(dphi,
 * dlambda)| / 2, and asin(x) <= 1.002 x for x <= 0.1 (asin(0.1) = 0.100167),
 * so the distance is at most 2R * 1.002 h; INFINITY beyond h = 0.1 (~1270
 * km). Both carry a 1e-9 relative margin, far above the rounding of either
 * formula (~1e-15), so "bound beyond threshold" implies "exact beyond it". */
static inline double det_dist_km_min(int32_t lat1, int32_t lat2)
{
    const double r = M_PI / 180.0 / TRK_DEG;
    return 6371.0088 * fabs(((double)lat2 - lat1) * r) * (1 - 1e-9);
}

static inline double det_dist_km_max(int32_t lat1, int32_t lon1, int32_t lat2, int32_t lon2)
{
    const double r = M_PI / 180.0 / TRK_DEG;
    double dp = ((double)lat2 - lat1) * r, dl = ((double)lon2 - lon1) * r;
    double h = sqrt(dp * dp + dl * dl) / 2;
    return h > 0.1 ? INFINITY : 2 * 6371.0088 * 1.002 * h * (1 + 1e-9);
}

/* Implied speed in knots of `km` covered in `ms` (INFINITY when ms <= 0).
 * Non-decreasing in km, so a bound of km gives a bound of the speed. */
static inline double det_speed_kn(double km, int64_t ms)
{
    return ms > 0 ? km / TRK_KM_PER_NM / (ms / 3600000.0) : INFINITY;
}

/* A fix at exactly 0,0 ("null island"): a receiver or GPS fault or a spoof,
 * never a real position; the gap, loitering and spoofing detectors skip it. */
static inline bool det_null_island(const struct trk_fix *f)
{
    return f->lat == 0 && f->lon == 0;
}

/* Operator's distance to shore in km at an AIS position, NAN when unknown. */
static inline double det_shore_km(const struct det_geo *g, int32_t lat, int32_t lon)
{
    return g && g->shore_km ? g->shore_km(g->ctx, det_deg(lat), det_deg(lon)) : NAN;
}

/* ---- MMSI and flag state (mid.c, ITU-R M.585 and libais's mid.csv) ---- */

/* Country of an allocated Maritime Identification Digits value (201-775),
 * e.g. 503 -> "Australia"; NULL when `mid` is not allocated. */
const char *det_mid_country(unsigned mid);
/* The MID inside an MMSI of any ITU-R M.585 form: ship MIDxxxxxx, group
 * 0MIDxxxxx, coast station 00MIDxxxx, SAR aircraft 111MIDxxx, handheld
 * 8MIDxxxxx, auxiliary craft 98MIDxxxx, aid to navigation 99MIDxxxx; 0 when
 * the form carries none (SART/MOB/EPIRB 97x, or not 9 digits). */
unsigned det_mmsi_mid(uint32_t mmsi);
/* Why `mmsi` is no ITU-R M.585 identity with an allocated MID ("MID 217 not
 * allocated (ship MIDxxxxxx)", "10 digits, not 9", ...), NULL when it is one. */
const char *det_mmsi_invalid(uint32_t mmsi, char *buf, size_t cap);

/* ---- a table of per-vessel records keyed by MMSI ----
 * Open addressing with linear probing, at most half full. Every record starts
 * with struct det_vrec; the detector sets `t` to the vessel's last time.
 * Records idle longer than `horizon_ms` are handed to `evict` and dropped when
 * the table would grow, so memory follows the vessels currently active.
 * The keys are also kept in an array of their own (`key`, 4 bytes a slot):
 * probing reads only that array, the record is touched once it is found. */
struct det_vrec {
    uint32_t key;            /* MMSI + 1; 0 = free slot */
    int64_t t;               /* last time heard, ms */
};

struct det_vtab {
    unsigned char *slot;     /* cap records, from a cache-line boundary */
    void *slot_mem;          /* the allocation `slot` lies in */
    uint32_t *key;           /* key[i] == record i's key */
    size_t rec, cap, n;
    int64_t horizon_ms;
    int64_t retry;           /* full of active vessels: no sweep before this */
    void (*evict)(void *ctx, struct det_vrec *r);
    void *ctx;
};

#define DET_VTAB_MIN 1024u
#define DET_VTAB_MAX (1u << 22)  /* slots: 2M vessels at most */

static inline struct det_vrec *det_vtab_at(const struct det_vtab *v, size_t i)
{
    return (struct det_vrec *)(void *)(v->slot + i * v->rec);
}

/* The slot index of `key` or of the free slot where it would go. */
static inline size_t det_vtab_index(const struct det_vtab *v, uint32_t key)
{
    uint32_t h = key * 0x9E3779B1u;
    size_t i = (h ^ h >> 15) & (v->cap - 1);
    while (v->key[i] != key && v->key[i] != 0)
        i = (i + 1) & (v->cap - 1);
    return i;
}

/* The slot of `key` or the free slot where it would go. */
static inline struct det_vrec *det_vtab_find(const struct det_vtab *v, uint32_t key)
{
    return det_vtab_at(v, det_vtab_index(v, key));
}

static inline void det_vtab_init(struct det_vtab *v, size_t rec, int64_t horizon_ms,
                                 void (*evict)(void *ctx, struct det_vrec *r), void *ctx)
{
    memset(v, 0, sizeof *v);
    v->rec = rec;
    v->horizon_ms = horizon_ms;
    v->retry = INT64_MIN;
    v->evict = evict;
    v->ctx = ctx;
}

/* Zeroed record slots from a cache-line boundary (`*mem` is what to free):
 * a record whose size is a multiple of 64 then spans no more lines than it
 * must (calloc's large blocks start 16 bytes into a page: a 192-byte record
 * spanned 4 lines). calloc, not aligned_alloc + memset: the pages are
 * zeroed by the kernel when first touched, not written twice. */
static inline unsigned char *det_vtab_slots(size_t cap, size_t rec, void **mem)
{
    *mem = calloc(cap * rec + 63, 1);
    if (!*mem)
        return NULL;
    return (unsigned char *)(((uintptr_t)*mem + 63) & ~(uintptr_t)63);
}

/* Rebuilds into `cap` slots, evicting records idle since before `old`. */
static inline bool det_vtab_rebuild(struct det_vtab *v, size_t cap, int64_t old)
{
    struct det_vtab nv = *v;
    nv.slot = det_vtab_slots(cap, v->rec, &nv.slot_mem);
    nv.key = calloc(cap, sizeof *nv.key);
    if (!nv.slot || !nv.key) {
        free(nv.slot_mem);
        free(nv.key);
        return false;
    }
    nv.cap = cap;
    nv.n = 0;
    for (size_t i = 0; i < v->cap; i++) {
        struct det_vrec *r = det_vtab_at(v, i);
        if (r->key == 0)
            continue;
        if (r->t < old) {
            if (v->evict)
                v->evict(v->ctx, r);
            continue;
        }
        size_t j = det_vtab_index(&nv, r->key);
        memcpy(det_vtab_at(&nv, j), r, v->rec);
        nv.key[j] = r->key;
        nv.n++;
    }
    free(v->slot_mem);
    free(v->key);
    *v = nv;
    return true;
}

/* Makes room for one more record: evicts idle ones, grows when still busy.
 * Full of active vessels at DET_VTAB_MAX, it retries at most once a minute. */
static inline bool det_vtab_room(struct det_vtab *v, int64_t now)
{
    if ((v->n + 1) * 2 <= v->cap)
        return true;
    if (v->cap == 0)
        return det_vtab_rebuild(v, DET_VTAB_MIN, INT64_MIN);
    if (now < v->retry || !det_vtab_rebuild(v, v->cap, now - v->horizon_ms))
        return false;
    if (v->n * 4 > v->cap && v->cap < DET_VTAB_MAX)
        det_vtab_rebuild(v, v->cap * 2, INT64_MIN);
    v->retry = (v->n + 1) * 2 <= v->cap ? INT64_MIN : now + 60000;
    return (v->n + 1) * 2 <= v->cap;
}

/* The record of `mmsi`, created zeroed (with t = now) when new; NULL when
 * out of memory or full of active vessels. */
static inline void *det_vtab_get(struct det_vtab *v, uint32_t mmsi, int64_t now, bool *created)
{
    uint32_t key = mmsi + 1;
    *created = false;
    if (v->cap) {
        size_t i = det_vtab_index(v, key);
        if (v->key[i] == key)
            return det_vtab_at(v, i);
    }
    if (!det_vtab_room(v, now))
        return NULL;
    size_t i = det_vtab_index(v, key);
    struct det_vrec *r = det_vtab_at(v, i);
    memset(r, 0, v->rec);
    v->key[i] = key;
    r->key = key;
    r->t = now;
    v->n++;
    *created = true;
    return r;
}

/* Starts loading the key and record slots where `mmsi` is most likely
 * found (its home slot): a hint for the CPU, nothing changes. */
static inline void det_vtab_prefetch(const struct det_vtab *v, uint32_t mmsi)
{
    if (v->cap == 0)
        return;
    uint32_t h = (mmsi + 1) * 0x9E3779B1u;
    size_t i = (h ^ h >> 15) & (v->cap - 1);
    __builtin_prefetch(&v->key[i]);
    __builtin_prefetch(det_vtab_at(v, i));
}

/* As det_vtab_prefetch, and every cache line of the record's first `bytes`
 * (what each fix reads: the detector knows; prefetching whole records of
 * every detector was measured slower, docs/detect-perf.md). */
static inline void det_vtab_prefetch_n(const struct det_vtab *v, uint32_t mmsi, size_t bytes)
{
    if (v->cap == 0)
        return;
    uint32_t h = (mmsi + 1) * 0x9E3779B1u;
    size_t i = (h ^ h >> 15) & (v->cap - 1);
    __builtin_prefetch(&v->key[i]);
    const char *r = (const char *)det_vtab_at(v, i);
    uintptr_t first = (uintptr_t)r & ~(uintptr_t)63, end = (uintptr_t)r + bytes;
    for (uintptr_t p = first; p < end; p += 64)
        __builtin_prefetch((const void *)p);
}

/* Calls fn on every record (end of stream). */
static inline void det_vtab_each(struct det_vtab *v, void (*fn)(void *ctx, struct det_vrec *r),
                                 void *ctx)
{
    for (size_t i = 0; i < v->cap; i++)
        if (v->key[i])
            fn(ctx, det_vtab_at(v, i));
}

static inline void det_vtab_free(struct det_vtab *v)
{
    free(v->slot_mem);
    free(v->key);
    v->slot = NULL;
    v->slot_mem = NULL;
    v->key = NULL;
    v->cap = v->n = 0;
}

#endif
