/*
 * encounter.c - ship-to-ship encounters (rendezvous, possible transshipment)
 * as Global Fishing Watch defines them (Miller et al. 2018, Front. Mar. Sci.
 * 5:240; GFW's encounters pipeline): two vessels within enc_max_km (0.5 km)
 * for at least enc_min_h (2 h) at a median speed below enc_max_median_kn
 * (2 kn), at least enc_min_anchorage_km (10 km) from an anchorage. Checked
 * on synthetic tracks (tests/detect/test_encounter.c) and the drill's
 * planted meeting (docs/sim.md); the real captures at hand are too short or
 * sparse to hold one. Details and measurements: docs/detect-encounter.md.
 *
 * Each vessel is resampled every enc_grid_min (10 min), interpolating
 * linearly between fixes of one segment at most enc_max_interp_h (1 h)
 * apart. Its speed at a tick is its displacement since the previous tick
 * of the same chain of linked fixes, as GFW's (fix-to-fix speeds of 10 s
 * reports are mostly GPS noise), or its reported SOG when higher (stale
 * satellite receive times make moving vessels look still); at a chain's
 * first tick, the SOG, else the fix-to-fix speed. Fixes at exactly 0,0 are
 * skipped. A run is a stretch of consecutive ticks with the pair within
 * enc_max_km; runs of at least enc_min_h count, and counted runs of a pair
 * less than enc_merge_h (4 h) apart merge into one event. The speed and
 * anchorage tests apply to the merged event: medians over all its ticks
 * (both vessels' speeds), from histograms of 1/64 of the limits; the
 * anchorage distance at its mean position (unknown: reported, saying so).
 *
 * Streaming: a tick is processed once the clock is past it by
 * enc_max_interp_h plus the tracker's reorder slack (10 min); the clock is
 * the newest fix time of the second most advanced vessel or the previous
 * one of the most advanced, so that one fix dated far ahead (a receiver
 * clock fault) cannot make every other vessel late (the leader's samples
 * wait up to 6 h). An event goes out once
 * enc_merge_h has passed after its last close tick (or at the end). Per
 * tick the positions go into a spatial hash (grid.c): only neighbouring
 * ~1 km cells are compared, never all pairs. State: one record per vessel,
 * the samples of the ticks in flight, one record per pair close now or
 * waiting for its merge window (at most MAX_PAIRS); pair memory is given
 * back when crowds go.
 */
#include <stdbool.h>
#include <stdio.h>

#include "detect/grid.h"
#include "detect/internal.h"

#define SLACK_MS (10 * 60000LL)  /* disorder across vessels (tracker's window) */
#define LEAD_MS (6 * 3600000LL)  /* how far the newest vessel may run ahead of the
                                    clock (see clock_seen) and still be sampled */
#define MAX_PAIRS (1u << 18)     /* pairs followed at once (~200 MB): a spoofer
                                    putting thousands of MMSIs on one spot must
                                    not take all memory */
#define DBINS 64                 /* distance bins over [0, enc_max_km] */
#define SBINS 64                 /* speed bins over [0, 2 * enc_max_median_kn), + overflow */
#define NO_BIN 0xFF              /* speed unknown */
#define MS_PER_H 3600000.0

/* A vessel's last fix; h.t is its time. In a det_vtab: idle longer than
 * enc_max_interp_h + slack, it can never be interpolated from, so it goes. */
struct vessel {
    struct det_vrec h;
    uint32_t segment;
    int32_t lat, lon;
    uint16_t sog;
    bool has_fix;
    int32_t s_lat, s_lon;    /* resampled position at tick s_t (AIS units) */
    int64_t s_t;             /* last tick sampled in the current chain of
                                linked fixes, INT64_MIN none */
};

/* A vessel's resampled position at a tick. */
struct sample {
    uint32_t mmsi;
    float speed;             /* knots, NAN unknown */
    double lat, lon;
};

struct bucket {
    struct sample *s;
    uint32_t n, cap;
};

struct pair {
    uint64_t key;                  /* lower MMSI << 32 | higher */
    double ref_lon;                /* longitudes are summed relative to this */
    int64_t run_start, run_last;   /* the open run (run_n > 0) */
    uint32_t run_n, npend;
    double run_lat, run_dlon;
    int64_t ev_start, ev_end;      /* counted runs waiting to merge (ev_n > 0) */
    uint32_t ev_n;
    bool run_ok;                   /* open run has lasted enc_min_h: it counts */
    double ev_lat, ev_dlon;
    /* histograms of the counted ticks; a full bin halves them all */
    uint16_t dh[DBINS], sh[SBINS + 1];
    uint8_t pend[];                /* open run before it counts: 3 bins per tick */
};

struct enc {
    struct det_config cfg;
    struct det_geo geo;
    det_emit_fn emit;
    void *engine;
    int64_t grid_ms, interp_ms, min_ms, merge_ms;
    double dbin_w, sbin_w;
    uint32_t pend_cap;
    size_t stride;
    struct det_vtab ves;
    /* ticks not processed yet, a ring indexed by tick number */
    struct bucket *ring;
    uint32_t nring;
    bool started;
    int64_t now, next_tick;
    /* the two vessels with the newest fixes (see clock_seen) */
    int64_t top_t[2];
    uint32_t top_m[2];
    int64_t top_prev;              /* the first one's previous fix time */
    size_t pending;
    /* pairs: dense pool + open addressing map key -> pool index */
    unsigned char *pool;
    uint32_t npairs, pcap;
    uint64_t *pkey;
    uint32_t *pidx;
    size_t pmask;
    struct sgrid grid;
    int64_t tick;                  /* tick being processed */
    const struct bucket *cur;
    uint64_t late, oom, capped;    /* samples too late, allocation failures,
                                      pairs not followed (MAX_PAIRS) */
};

/* ---- small helpers ---- */

static int64_t ms_of_h(double h)
{
    return llround(h * MS_PER_H);
}

static int64_t floor_div(int64_t a, int64_t b)
{
    int64_t q = a / b;
    return (a % b < 0) ? q - 1 : q;
}

static int64_t floor_tick(const struct enc *e, int64_t t)
{
    return floor_div(t, e->grid_ms) * e->grid_ms;
}

static int64_t ceil_tick(const struct enc *e, int64_t t)
{
    int64_t f = floor_tick(e, t);
    return f == t ? t : f + e->grid_ms;
}

static double wrap180(double d)
{
    if (d > 180)
        return d - 360;
    return d < -180 ? d + 360 : d;
}

static size_t hash64(uint64_t k)
{
    return (size_t)((k * 0x9E3779B97F4A7C15ull) >> 24);
}

static struct pair *pair_at(const struct enc *e, uint32_t i)
{
    return (struct pair *)(void *)(e->pool + (size_t)i * e->stride);
}

/* ---- pairs ---- */

static size_t pair_slot(const struct enc *e, uint64_t key)
{
    size_t s = hash64(key) & e->pmask;
    while (e->pkey[s] && e->pkey[s] != key)
        s = (s + 1) & e->pmask;
    return s;
}

/* Rebuilds the map with n slots (a power of two above 2 * npairs). */
static int pairmap_resize(struct enc *e, size_t n)
{
    uint64_t *k = calloc(n, sizeof *k);
    uint32_t *x = malloc(n * sizeof *x);
    if (!k || !x) {
        free(k);
        free(x);
        return -1;
    }
    free(e->pkey);
    free(e->pidx);
    e->pkey = k;
    e->pidx = x;
    e->pmask = n - 1;
    for (uint32_t i = 0; i < e->npairs; i++) {
        size_t s = pair_slot(e, pair_at(e, i)->key);
        e->pkey[s] = pair_at(e, i)->key;
        e->pidx[s] = i;
    }
    return 0;
}

static int pairmap_grow(struct enc *e)
{
    return pairmap_resize(e, e->pkey ? 2 * (e->pmask + 1) : 1024);
}

static int pool_resize(struct enc *e, uint32_t cap)
{
    unsigned char *p = realloc(e->pool, (size_t)cap * e->stride);
    if (!p)
        return -1;
    e->pool = p;
    e->pcap = cap;
    return 0;
}

static int pool_grow(struct enc *e)
{
    return pool_resize(e, e->pcap ? 2 * e->pcap : 256);
}

/* After a crowd has dispersed, gives back pool and map memory, so that it
 * follows the pairs close now rather than the most ever seen. */
static void pairs_shrink(struct enc *e)
{
    if (e->pcap > 1024 && (size_t)e->npairs * 4 < e->pcap)
        pool_resize(e, e->pcap / 2);          /* a failed shrink keeps the old */
    if (e->pmask + 1 > 1024 && (size_t)e->npairs * 8 < e->pmask + 1)
        pairmap_resize(e, (e->pmask + 1) / 2);
}

/* The record of the pair `key`, created (longitudes relative to `lon`) when
 * new; NULL, counted, when out of memory or MAX_PAIRS are followed. */
static struct pair *pair_get(struct enc *e, uint64_t key, double lon)
{
    if (e->pkey) {
        size_t s = pair_slot(e, key);
        if (e->pkey[s])
            return pair_at(e, e->pidx[s]);
    }
    if (e->npairs >= MAX_PAIRS) {
        e->capped++;
        return NULL;
    }
    if (((!e->pkey || 2 * ((size_t)e->npairs + 1) > e->pmask + 1) && pairmap_grow(e) < 0) ||
        (e->npairs == e->pcap && pool_grow(e) < 0)) {
        e->oom++;
        return NULL;
    }
    size_t s = pair_slot(e, key);
    struct pair *p = pair_at(e, e->npairs);
    memset(p, 0, e->stride);
    p->key = key;
    p->ref_lon = lon;
    e->pkey[s] = key;
    e->pidx[s] = e->npairs++;
    return p;
}

/* Removes the map entry at slot s (linear probing: shift followers back). */
static void pairmap_del(struct enc *e, size_t s)
{
    size_t j = s;
    for (;;) {
        j = (j + 1) & e->pmask;
        if (!e->pkey[j])
            break;
        size_t h = hash64(e->pkey[j]) & e->pmask;
        bool stay = (s <= j) ? (s < h && h <= j) : (s < h || h <= j);
        if (stay)
            continue;
        e->pkey[s] = e->pkey[j];
        e->pidx[s] = e->pidx[j];
        s = j;
    }
    e->pkey[s] = 0;
}

/* Deletes pool entry i, moving the last entry into its place. */
static void pair_del(struct enc *e, uint32_t i)
{
    pairmap_del(e, pair_slot(e, pair_at(e, i)->key));
    uint32_t last = --e->npairs;
    if (i == last)
        return;
    memcpy(pair_at(e, i), pair_at(e, last), e->stride);
    e->pidx[pair_slot(e, pair_at(e, i)->key)] = i;
}

/* ---- histograms and the event ---- */

static uint8_t dist_bin(const struct enc *e, double km)
{
    int b = (int)(km / e->dbin_w);
    return (uint8_t)(b < 0 ? 0 : b >= DBINS ? DBINS - 1 : b);
}

static uint8_t speed_bin(const struct enc *e, float kn)
{
    if (isnan(kn))
        return NO_BIN;
    double b = kn / e->sbin_w;
    return (uint8_t)(b < 0 ? 0 : b >= SBINS ? SBINS : (int)b);
}

/* Adds one to bin b; a bin about to overflow halves every bin first (rounding
 * up, so no bin empties), which keeps the median's bin. 16-bit bins halve the
 * pair's size: a bin fills after 65535 ticks (455 days) at the earliest. */
static void bin_inc(uint16_t *h, int nb, unsigned b)
{
    if (h[b] == UINT16_MAX)
        for (int i = 0; i < nb; i++)
            h[i] = (uint16_t)((h[i] + 1u) / 2);
    h[b]++;
}

static void hist_add(struct pair *p, const uint8_t b[3])
{
    bin_inc(p->dh, DBINS, b[0]);
    for (int k = 1; k < 3; k++)
        if (b[k] != NO_BIN)
            bin_inc(p->sh, SBINS + 1, b[k]);
}

/* Value of rank k (from 0), spreading each bin's samples evenly over it. */
static double hist_rank(const uint16_t *h, int nb, double w, uint64_t k)
{
    uint64_t below = 0;
    for (int b = 0; b < nb; b++) {
        if (k < below + h[b])
            return w * (b + (k - below + 0.5) / h[b]);
        below += h[b];
    }
    return w * nb;
}

static double hist_median(const uint16_t *h, int nb, double w)
{
    uint64_t n = 0;
    for (int b = 0; b < nb; b++)
        n += h[b];
    if (!n)
        return NAN;
    return (hist_rank(h, nb, w, (n - 1) / 2) + hist_rank(h, nb, w, n / 2)) / 2;
}

/* Fills the anchorage and shore figures; false when too near an anchorage. */
static bool far_from_anchorage(const struct enc *e, struct det_event *ev)
{
    double a = e->geo.anchorage_km ? e->geo.anchorage_km(e->geo.ctx, ev->lat, ev->lon) : NAN;
    if (e->geo.shore_km)
        ev->shore_km = e->geo.shore_km(e->geo.ctx, ev->lat, ev->lon);
    if (isnan(a)) {
        snprintf(ev->detail, sizeof ev->detail, "anchorage distance unknown");
        return true;
    }
    return a >= e->cfg.enc_min_anchorage_km;
}

/* Reports the pair's merged event if it qualifies, then forgets it. */
static void event_close(struct enc *e, struct pair *p)
{
    struct det_event ev;
    det_event_init(&ev, DET_ENCOUNTER, (uint32_t)(p->key >> 32));
    ev.mmsi2 = (uint32_t)p->key;
    ev.start = p->ev_start;
    ev.end = p->ev_end;
    ev.lat = p->ev_lat / p->ev_n;
    ev.lon = wrap180(p->ref_lon + p->ev_dlon / p->ev_n);
    ev.duration_h = (ev.end - ev.start) / MS_PER_H;
    ev.distance_km = hist_median(p->dh, DBINS, e->dbin_w);
    ev.speed_kn = hist_median(p->sh, SBINS + 1, e->sbin_w);
    p->ev_n = 0;
    p->ev_lat = p->ev_dlon = 0;
    memset(p->dh, 0, sizeof p->dh);
    memset(p->sh, 0, sizeof p->sh);
    if (ev.speed_kn < e->cfg.enc_max_median_kn && far_from_anchorage(e, &ev))
        e->emit(e->engine, &ev);
}

/* The open run has lasted enc_min_h: it joins (or starts) the event. */
static void run_counts(struct enc *e, struct pair *p)
{
    if (p->ev_n && p->run_start - p->ev_end >= e->merge_ms)
        event_close(e, p);
    for (uint32_t i = 0; i < p->npend; i++)
        hist_add(p, &p->pend[3 * i]);
    p->npend = 0;
    p->run_ok = true;
    if (!p->ev_n)
        p->ev_start = p->run_start;
}

static void run_end(struct pair *p)
{
    if (p->run_ok) {
        p->ev_end = p->run_last;
        p->ev_n += p->run_n;
        p->ev_lat += p->run_lat;
        p->ev_dlon += p->run_dlon;
    }
    p->run_n = p->npend = 0;
    p->run_ok = false;
}

/* One tick at which the pair is within enc_max_km. */
static void run_add(struct enc *e, struct pair *p, double km, const struct sample *a,
                    const struct sample *b)
{
    if (!p->run_n) {
        p->run_start = e->tick;
        p->run_lat = p->run_dlon = 0;
    }
    p->run_last = e->tick;
    p->run_n++;
    p->run_lat += (a->lat + b->lat) / 2;
    p->run_dlon += wrap180(a->lon + wrap180(b->lon - a->lon) / 2 - p->ref_lon);
    uint8_t bins[3] = {dist_bin(e, km), speed_bin(e, a->speed), speed_bin(e, b->speed)};
    if (p->run_ok) {
        hist_add(p, bins);
        return;
    }
    if (p->npend < e->pend_cap)
        memcpy(&p->pend[3 * p->npend++], bins, 3);
    if (e->tick - p->run_start >= e->min_ms)
        run_counts(e, p);
}

/* ---- ticks ---- */

static void on_pair(void *ctx, uint32_t i, uint32_t j, double km)
{
    struct enc *e = ctx;
    const struct sample *a = &e->cur->s[i], *b = &e->cur->s[j];
    if (a->mmsi == b->mmsi)
        return;
    if (a->mmsi > b->mmsi) {
        const struct sample *t = a;
        a = b, b = t;
    }
    struct pair *p = pair_get(e, (uint64_t)a->mmsi << 32 | b->mmsi, a->lon);
    if (!p)
        return;                    /* counted */
    run_add(e, p, km, a, b);
}

/* After a tick: end the runs that did not continue, report events whose
 * merge window has passed, drop pairs with nothing left. */
static void sweep(struct enc *e, int64_t t)
{
    for (uint32_t i = e->npairs; i-- > 0;) {
        struct pair *p = pair_at(e, i);
        if (p->run_n && p->run_last < t)
            run_end(p);
        if (p->ev_n && t - p->ev_end >= e->merge_ms &&
            !(p->run_n && p->run_start - p->ev_end < e->merge_ms))
            event_close(e, p);
        if (!p->ev_n && !p->run_n)
            pair_del(e, i);
    }
    pairs_shrink(e);
}

static struct bucket *bucket_of(const struct enc *e, int64_t t)
{
    int64_t k = floor_div(t, e->grid_ms) % e->nring;
    return &e->ring[k < 0 ? k + e->nring : k];
}

static void tick_process(struct enc *e, int64_t t)
{
    struct bucket *b = bucket_of(e, t);
    sgrid_clear(&e->grid);
    bool ok = true;
    for (uint32_t i = 0; i < b->n && ok; i++)
        ok = sgrid_add(&e->grid, b->s[i].lat, b->s[i].lon) == 0;
    e->tick = t;
    e->cur = b;
    if (!ok || sgrid_pairs(&e->grid, on_pair, e) < 0)
        e->oom++;
    sweep(e, t);
    e->pending -= b->n;
    b->n = 0;
    /* Every bucket of the ring takes a whole tick's samples in turn; kept,
     * they would hold nring ticks' worth (45 at the defaults) instead of the
     * 7 or 8 in flight. */
    if (b->cap > 256) {
        free(b->s);
        b->s = NULL;
        b->cap = 0;
    }
}

/* Processes every tick before `limit`. */
static void advance(struct enc *e, int64_t limit)
{
    while (e->next_tick < limit) {
        if (!e->npairs && !e->pending) {
            int64_t c = ceil_tick(e, limit);
            e->next_tick = c > e->next_tick ? c : e->next_tick;
            return;
        }
        tick_process(e, e->next_tick);
        e->next_tick += e->grid_ms;
    }
}

static void sample_add(struct enc *e, int64_t t, uint32_t mmsi, double lat, double lon,
                       double kn)
{
    if (t < e->next_tick || t >= e->next_tick + (int64_t)e->nring * e->grid_ms) {
        e->late++;
        return;
    }
    struct bucket *b = bucket_of(e, t);
    if (b->n == b->cap) {
        uint32_t cap = b->cap ? 2 * b->cap : 256;
        struct sample *s = realloc(b->s, cap * sizeof *s);
        if (!s) {
            e->oom++;
            return;
        }
        b->s = s;
        b->cap = cap;
    }
    b->s[b->n++] = (struct sample){mmsi, (float)kn, lat, lon};
    e->pending++;
}

/* Remembers the vessel's position at tick t, the start of its next speed. */
static void chain_note(struct vessel *v, int64_t t, double lat, double lon)
{
    v->s_t = t;
    v->s_lat = (int32_t)lround(lat * TRK_DEG);
    v->s_lon = (int32_t)lround(wrap180(lon) * TRK_DEG);
}

/* Samples the vessel at every tick in (last fix, f]. The speed at a tick is,
 * as in GFW's compute_encounters, the vessel's displacement since the
 * previous tick, when that tick was resampled from the same chain of linked
 * fixes (over 10 minutes GPS noise of a few metres is a few hundredths of a
 * knot, where between two fixes 10 s apart it is knots), or the reported
 * SOG of the fixes around it (interpolated) when that is higher: satellite
 * receive times half an hour stale make moving vessels look still (real
 * cases in docs/detect-encounter.md). At the first tick of a chain: the SOG
 * alone, else the speed implied by the two fixes. An unlinked fix on a tick
 * gives its SOG or nothing. */
static void resample(struct enc *e, struct vessel *v, const struct trk_fix *f)
{
    double lat = det_deg(f->lat), lon = det_deg(f->lon);
    bool link = v->has_fix && f->segment == v->segment && f->t - v->h.t <= e->interp_ms;
    if (!link) {
        double kn = f->sog == TRK_SOG_NA ? NAN : f->sog / 10.0;
        v->s_t = INT64_MIN;
        if (floor_tick(e, f->t) == f->t) {
            sample_add(e, f->t, f->mmsi, lat, lon, kn);
            chain_note(v, f->t, lat, lon);
        }
        return;
    }
    double lat0 = det_deg(v->lat), lon0 = det_deg(v->lon);
    double dlon = wrap180(lon - lon0), span = (double)(f->t - v->h.t);
    double kn = sgrid_km(lat0, lon0, lat, lon) / (span / MS_PER_H) / TRK_KM_PER_NM;
    double grid_h = e->grid_ms / MS_PER_H;
    bool sog = v->sog != TRK_SOG_NA && f->sog != TRK_SOG_NA;
    for (int64_t t = floor_tick(e, v->h.t) + e->grid_ms; t <= f->t; t += e->grid_ms) {
        double w = (t - v->h.t) / span;
        double la = lat0 + w * (lat - lat0), lo = lon0 + w * dlon, skn = kn;
        double rep = sog ? (v->sog + w * ((double)f->sog - v->sog)) / 10.0 : NAN;
        if (v->s_t == t - e->grid_ms) {
            skn = sgrid_km(det_deg(v->s_lat), det_deg(v->s_lon), la, lo) / grid_h /
                  TRK_KM_PER_NM;
            if (sog && rep > skn)
                skn = rep;
        } else if (sog) {
            skn = rep;
        }
        sample_add(e, t, f->mmsi, la, lo, skn);
        chain_note(v, t, la, lo);
    }
}

/* ---- detector interface ---- */

/* Notes f's time (the vessel's previous fix was at `prev`, INT64_MIN when
 * none) and returns the clock. The clock is the newest time of the second
 * most advanced vessel, or the previous fix time of the most advanced one
 * if later: a single fix dated far ahead (a receiver clock fault) cannot
 * move it, which would make every other vessel's fixes late until real time
 * caught up, while a vessel that goes on reporting alone does. */
static int64_t clock_seen(struct enc *e, const struct trk_fix *f, int64_t prev)
{
    if (f->mmsi == e->top_m[0]) {
        e->top_prev = e->top_t[0];
        e->top_t[0] = f->t;
    } else if (f->t > e->top_t[0]) {
        e->top_t[1] = e->top_t[0];
        e->top_m[1] = e->top_m[0];
        e->top_t[0] = f->t;
        e->top_m[0] = f->mmsi;
        e->top_prev = prev;
    } else if (f->t > e->top_t[1] || e->top_m[1] == e->top_m[0]) {
        e->top_t[1] = f->t;
        e->top_m[1] = f->mmsi;
    }
    if (e->top_m[1] == e->top_m[0])
        return e->now;             /* one vessel so far: nothing to pair */
    return e->top_prev > e->top_t[1] ? e->top_prev : e->top_t[1];
}

static void fix(void *self, const struct trk_fix *f, const struct trk_static *st)
{
    struct enc *e = self;
    (void)st;
    if (det_null_island(f))
        return;                    /* a GPS fault: every such vessel would "meet" */
    if (!e->started) {
        e->started = true;
        e->now = f->t;
        e->next_tick = ceil_tick(e, f->t - SLACK_MS);
        e->top_t[0] = e->top_t[1] = f->t;
        e->top_m[0] = e->top_m[1] = f->mmsi;
        e->top_prev = INT64_MIN;
    }
    bool created;
    struct vessel *v = det_vtab_get(&e->ves, f->mmsi, e->now, &created);
    if (!v) {
        e->oom++;
        return;
    }
    if (created)
        v->s_t = INT64_MIN;
    if (v->has_fix && f->t <= v->h.t)
        return;                    /* not after its last fix: ignored */
    int64_t clock = clock_seen(e, f, v->has_fix ? v->h.t : INT64_MIN);
    if (clock > e->now) {
        e->now = clock;
        advance(e, e->now - e->interp_ms - SLACK_MS);
    }
    resample(e, v, f);
    v->has_fix = true;
    v->segment = f->segment;
    v->h.t = f->t;
    v->lat = f->lat;
    v->lon = f->lon;
    v->sog = f->sog;
}

static void finish(void *self)
{
    struct enc *e = self;
    while (e->pending) {
        tick_process(e, e->next_tick);
        e->next_tick += e->grid_ms;
    }
    for (uint32_t i = e->npairs; i-- > 0;) {
        struct pair *p = pair_at(e, i);
        if (p->run_n)
            run_end(p);
        if (p->ev_n)
            event_close(e, p);
        pair_del(e, i);
    }
}

static void destroy(void *self)
{
    struct enc *e = self;
    if (!e)
        return;
    for (uint32_t i = 0; e->ring && i < e->nring; i++)
        free(e->ring[i].s);
    free(e->ring);
    det_vtab_free(&e->ves);
    free(e->pool);
    free(e->pkey);
    free(e->pidx);
    sgrid_free(&e->grid);
    free(e);
}

static void *create(const struct det_config *cfg, const struct det_geo *geo,
                    det_emit_fn emit, void *engine)
{
    struct enc *e = calloc(1, sizeof *e);
    if (!e)
        return NULL;
    det_config_defaults(&e->cfg, cfg);
    if (geo)
        e->geo = *geo;
    e->emit = emit;
    e->engine = engine;
    e->grid_ms = llround(e->cfg.enc_grid_min * 60000);
    if (e->grid_ms < 1000)
        e->grid_ms = 1000;
    e->interp_ms = ms_of_h(e->cfg.enc_max_interp_h);
    e->min_ms = ms_of_h(e->cfg.enc_min_h);
    e->merge_ms = ms_of_h(e->cfg.enc_merge_h);
    e->dbin_w = e->cfg.enc_max_km / DBINS;
    e->sbin_w = 2 * e->cfg.enc_max_median_kn / SBINS;
    e->pend_cap = (uint32_t)((e->min_ms + e->grid_ms - 1) / e->grid_ms + 2);
    e->stride = (sizeof(struct pair) + 3 * (size_t)e->pend_cap + 7) & ~(size_t)7;
    e->nring = (uint32_t)((e->interp_ms + SLACK_MS + LEAD_MS + e->grid_ms - 1) / e->grid_ms + 2);
    e->ves.rec = sizeof(struct vessel);
    e->ves.horizon_ms = e->interp_ms + SLACK_MS;
    e->ves.retry = INT64_MIN;
    e->ring = calloc(e->nring, sizeof *e->ring);
    if (!e->ring || sgrid_init(&e->grid, e->cfg.enc_max_km) < 0) {
        destroy(e);
        return NULL;
    }
    return e;
}

static void prefetch(void *self, uint32_t mmsi)
{
    struct enc *e = self;
    det_vtab_prefetch(&e->ves, mmsi);
}

const struct det_ops det_encounter_ops = {"encounter", create, fix, NULL, finish, destroy, prefetch, NULL, NULL};
