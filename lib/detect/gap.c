/*
 * gap.c - AIS gaps ("going dark"), after Global Fishing Watch's definition
 * (Welch et al., "Hot spots of unseen fishing vessels", Science Advances
 * 2022, and GFW's AIS-gap event documentation): a silence of >= gap_min_h
 * between two consecutive fixes of one vessel is a gap event, reported when
 * the vessel reappears (or, still silent, at the end of the stream). It is a
 * likely intentional disabling when the gap lasts >= gap_dark_h, begins
 * >= gap_dark_shore_nm from shore, reception there was good (other vessels
 * were heard within about gap_reception_km of the start in at least half of
 * the 3-hour slots inside the gap in which the feed delivered anything: a
 * feed outage leaves reception unknown, not bad) and the vessel had been
 * reporting regularly (>= gap_regular_min_per_h fixes per hour over the 12 h
 * before, counting fixes closer than half that interval once: a burst of
 * fixes heard in one pass is not regular reporting). Each condition is yes,
 * no or unknown; see docs/detect-gap.md.
 *
 * Live (det_tick, alidade serve only): a vessel silent gap_min_h at the
 * tick's time is reported at once as an *ongoing* gap ending at start +
 * gap_min_h, once per silence; the final gap is a newer version of it.
 * A feed discontinuity (det_discontinuity) closes every silence that spans
 * it: nothing was heard, so nothing can be judged.
 *
 * Memory: one 160-byte record per vessel (last fix and a ring of its last 32
 * fix times) in a hash table at most half full (so up to 320 bytes a vessel;
 * vessels silent 30 days are dropped, their open gap reported), and a fixed
 * 2 MB reception grid (720 x 360 cells of 0.5 degree, 8 bytes each: the
 * last 32 three-hour slots, one bit each).
 */
#include <stdio.h>
#include <string.h>

#include "detect/internal.h"

#define RING 32                       /* fix times kept for the regularity test */
#define REGULAR_MS (12 * 3600000LL)   /* regularity is judged over the 12 h before */
#define HORIZON_MS (30 * 86400000LL)  /* a vessel silent 30 days is dropped (open gap) */
#define CELLS_PER_DEG 2               /* reception grid: 0.5 degree cells */
#define GRID_W (360 * CELLS_PER_DEG)
#define GRID_H (180 * CELLS_PER_DEG)
#define SLOT_MS (3 * 3600000LL)       /* reception grid: 3-hour slots ... */
#define SLOTS 32                      /* ... the last 32 of them (4 days) */
#define KM_PER_DEG 111.195

/* What the live clock said of the current silence (struct vessel.said). */
enum said { SAID_NOTHING = 0, SAID_ONGOING = 1, SAID_SPANS_DISCONTINUITY = 2 };

/* Everything a fix reads in the first 32 bytes, next to the header (the
 * line the engine prefetches): the ring's position and its newest entry
 * (`last`, a copy), so that a fix only writes into the ring and never
 * waits for one of its lines (that load was two thirds of the detector's
 * time at 100,000 vessels). */
struct vessel {
    struct det_vrec h;                /* h.t: last fix */
    uint8_t next;                     /* next ring slot to write */
    uint8_t filled;                   /* ring entries in use */
    uint8_t said;                     /* enum said, of the silence since h.t */
    int32_t lat, lon;                 /* last fix */
    uint32_t last;                    /* = ring[next - 1] when filled */
    uint32_t ring[RING];              /* last fix times, s since 1970 */
};
_Static_assert(sizeof(struct vessel) <= 160, "the top comment says 160 bytes (152 on i386)");
_Static_assert(RING == DET_VESSEL_RING, "det_vessel_state holds the whole ring");

/* Which of a cell's last SLOTS slots had a fix: bit k = slot `slot` - k. */
struct cell {
    uint32_t mask;
    int32_t slot;
};

struct gap {
    struct det_config cfg;
    const struct det_geo *geo;
    det_emit_fn emit;
    void *engine;
    struct det_vtab v;
    struct cell *grid;
    struct cell feed;                 /* slots in which anything at all was heard */
    int64_t ring_min_s;               /* ring entries at least this far apart */
    bool any;                         /* a fix was seen: first_t/newest_t valid */
    int64_t first_t, newest_t;
    int64_t gap_ms;                   /* gap_min_h in whole ms (rounded up) */
    int64_t tick_t;                   /* the live clock's last tick, INT64_MIN: none */
};

/* One condition of "likely disabling": 1 yes, 0 no, -1 unknown. */
struct verdict {
    int dur, shore, recep, regular;
    double shore_km;
    int heard, slots;                 /* reception: slots heard / slots judged */
    int fixes, need;                  /* regularity: fixes in the 12 h / needed */
};

static int64_t floor_div(int64_t a, int64_t b)
{
    return a / b - (a % b < 0);
}

static struct cell *cell_at(struct gap *g, int row, int col)
{
    col %= GRID_W;
    if (col < 0)
        col += GRID_W;
    return &g->grid[row * GRID_W + col];
}

static int row_of(double lat)
{
    int r = (int)floor((lat + 90) * CELLS_PER_DEG);
    return r < 0 ? 0 : r >= GRID_H ? GRID_H - 1 : r;
}

/* Records that slot `s` was heard in cell `c`. */
static void cell_mark(struct cell *c, int64_t s)
{
    if (c->mask == 0 || s > c->slot) {
        int64_t shift = c->mask ? s - c->slot : SLOTS;
        c->mask = shift >= SLOTS ? 0 : c->mask << shift;
        c->slot = (int32_t)s;
    }
    if (c->slot - s < SLOTS)
        c->mask |= 1u << (c->slot - s);
}

static void grid_mark(struct gap *g, const struct trk_fix *f)
{
    int64_t s = floor_div(f->t, SLOT_MS);
    cell_mark(cell_at(g, row_of(det_deg(f->lat)),
                      (int)floor((det_deg(f->lon) + 180) * CELLS_PER_DEG)), s);
    cell_mark(&g->feed, s);
}

/* The slots heard in one cell, as a mask with bit k = slot `hi` - k. */
static uint32_t cell_heard(const struct cell *c, int64_t hi)
{
    int64_t d = c->slot - hi;
    if (c->mask == 0 || d >= SLOTS || d <= -SLOTS)
        return 0;
    return d >= 0 ? c->mask >> d : c->mask << -d;
}

/* Reception near (lat, lon) in the slots wholly inside (t0, t1), at most the
 * last SLOTS: of the slots in which the feed delivered anything at all
 * (v->slots; a feed outage says nothing about reception here), counts those
 * in which a fix was heard within about `km` (the 0.5 degree cells that the
 * km box touches) (v->heard). */
static void reception(struct gap *g, int32_t lat, int32_t lon, int64_t t0, int64_t t1,
                      struct verdict *v)
{
    int64_t lo = floor_div(t0, SLOT_MS) + 1, hi = floor_div(t1, SLOT_MS) - 1;
    if (hi - lo >= SLOTS)
        lo = hi - SLOTS + 1;
    v->slots = v->heard = 0;
    if (hi < lo)
        return;
    uint32_t span = hi - lo + 1 >= 32 ? UINT32_MAX : (1u << (hi - lo + 1)) - 1;
    uint32_t live = cell_heard(&g->feed, hi) & span;
    if (live == 0)
        return;
    double la = det_deg(lat), lo_deg = det_deg(lon);
    double dlat = g->cfg.gap_reception_km / KM_PER_DEG;
    double cosl = cos(la * M_PI / 180);
    double dlon = g->cfg.gap_reception_km / (KM_PER_DEG * (cosl > 0.01 ? cosl : 0.01));
    int c0 = (int)floor((lo_deg - dlon + 180) * CELLS_PER_DEG);
    int c1 = (int)floor((lo_deg + dlon + 180) * CELLS_PER_DEG);
    if (c1 - c0 >= GRID_W)
        c1 = c0 + GRID_W - 1;
    uint32_t heard = 0;
    for (int r = row_of(la - dlat); r <= row_of(la + dlat); r++)
        for (int c = c0; c <= c1; c++)
            heard |= cell_heard(cell_at(g, r, c), hi);
    for (int k = 0; k < SLOTS; k++) {
        v->slots += (live >> k) & 1;
        v->heard += (heard & live) >> k & 1;
    }
}

/* Records a fix time, unless it is within `min_s` of the last one kept. */
static void ring_add(struct vessel *s, int64_t t, int64_t min_s)
{
    uint32_t sec = t > 0 ? (uint32_t)(t / 1000) : 0;
    if (s->filled && (int64_t)sec - s->last < min_s)
        return;
    s->ring[s->next] = sec;
    s->last = sec;
    s->next = (uint8_t)((s->next + 1) % RING);
    if (s->filled < RING)
        s->filled++;
}

/* Regularity before a gap starting at the vessel's last fix. */
static void regularity(const struct gap *g, const struct vessel *s, struct verdict *v)
{
    double need = ceil(g->cfg.gap_regular_min_per_h * (REGULAR_MS / 3600000.0));
    v->need = need > RING ? RING : (int)need;
    v->fixes = 0;
    int64_t from = (s->h.t - REGULAR_MS) / 1000;
    for (int i = 0; i < s->filled; i++)
        v->fixes += s->ring[i] >= from;
    if (v->fixes >= v->need)
        v->regular = 1;
    else
        v->regular = s->h.t - g->first_t >= REGULAR_MS ? 0 : -1;
}

static int all_of(const struct verdict *v)
{
    int c[4] = {v->dur, v->shore, v->recep, v->regular}, r = 1;
    for (int i = 0; i < 4; i++) {
        if (c[i] == 0)
            return 0;
        if (c[i] < 0)
            r = -1;
    }
    return r;
}

static const char *yes_no(int c)
{
    return c > 0 ? "yes" : c == 0 ? "no" : "unknown";
}

/* The detail text: `open` says why the gap has no end ("" when it has). */
static void explain(const struct verdict *v, const char *open, char *dst, size_t cap)
{
    char shore[24], recep[24];
    if (isnan(v->shore_km))
        snprintf(shore, sizeof shore, "unknown");
    else
        snprintf(shore, sizeof shore, "%.0f nm", v->shore_km / TRK_KM_PER_NM);
    snprintf(recep, sizeof recep, "%d/%d slots", v->heard, v->slots);
    char all[256];      /* always fits; cut to the event's detail size */
    int n = snprintf(all, sizeof all, "%sdark: long %s; offshore %s %s; reception %s %s; "
                     "%d fixes in 12 h before (need %d) %s",
                     open, yes_no(v->dur), shore,
                     yes_no(v->shore), recep, yes_no(v->recep), v->fixes, v->need,
                     yes_no(v->regular));
    size_t len = n < 0 ? 0 : (size_t)n < cap ? (size_t)n : cap - 1;
    memcpy(dst, all, len);
    dst[len] = '\0';
}

/* The ongoing version of a gap ended at start + gap_ms: a later version
 * whose end is not later gets a `modified` just after it, so that every
 * store keeps it as the latest. */
static void later_than_ongoing(const struct gap *g, const struct vessel *s, struct det_event *e)
{
    int64_t said_end = s->h.t + g->gap_ms;
    if (s->said == SAID_ONGOING && e->end <= said_end)
        e->modified = said_end + 1;
}

/* Emits the gap of `s` from its last fix to `t_end`: the reappearance `f`,
 * or (f NULL) the newest time of the stream while still silent, `open`
 * saying why the gap is reported without an end. */
static void report(struct gap *g, const struct vessel *s, int64_t t_end, const struct trk_fix *f,
                   const char *open)
{
    struct det_event e;
    struct verdict v;
    det_event_init(&e, DET_GAP, s->h.key - 1);
    e.start = s->h.t;
    e.end = t_end;
    e.lat = det_deg(s->lat);
    e.lon = det_deg(s->lon);
    e.duration_h = (t_end - s->h.t) / 3600000.0;
    if (f) {
        e.end_lat = det_deg(f->lat);
        e.end_lon = det_deg(f->lon);
        e.distance_km = det_dist_km(s->lat, s->lon, f->lat, f->lon);
        e.speed_kn = det_speed_kn(e.distance_km, t_end - s->h.t);
    }
    v.dur = e.duration_h >= g->cfg.gap_dark_h;
    v.shore_km = e.shore_km = det_shore_km(g->geo, s->lat, s->lon);
    v.shore = isnan(v.shore_km) ? -1 : v.shore_km >= g->cfg.gap_dark_shore_nm * TRK_KM_PER_NM;
    reception(g, s->lat, s->lon, s->h.t, t_end, &v);
    v.recep = v.slots == 0 ? -1 : v.heard * 2 >= v.slots;
    regularity(g, s, &v);
    e.likely_disabling = all_of(&v);
    explain(&v, f ? "" : open, e.detail, sizeof e.detail);
    later_than_ongoing(g, s, &e);
    g->emit(g->engine, &e);
}

/* The newest time of the stream: its newest fix, or the live clock's last
 * tick when later (a batch run has no tick). */
static int64_t stream_end(const struct gap *g)
{
    return g->tick_t > g->newest_t ? g->tick_t : g->newest_t;
}

/* At the end of the stream: a vessel silent long enough. */
static void report_open(void *ctx, struct det_vrec *r)
{
    struct gap *g = ctx;
    struct vessel *s = (struct vessel *)r;
    int64_t end = stream_end(g);
    if (s->said != SAID_SPANS_DISCONTINUITY && end - r->t >= g->cfg.gap_min_h * 3600000.0)
        report(g, s, end, NULL, "open (still silent at end); ");
}

/* Dropped to make room after HORIZON_MS of silence: reported open now; if
 * the vessel comes back, it starts afresh with no gap. */
static void report_dropped(void *ctx, struct det_vrec *r)
{
    struct gap *g = ctx;
    struct vessel *s = (struct vessel *)r;
    if (s->said != SAID_SPANS_DISCONTINUITY)
        report(g, s, stream_end(g), NULL, "open (silent 30 days, dropped); ");
}

/* The live clock says `s` has been silent gap_ms: the ongoing version. Only
 * what is known at the start is judged (offshore, regularity); how long it
 * lasts and the reception during it wait for its end. */
static void report_ongoing(struct gap *g, const struct vessel *s)
{
    struct det_event e;
    struct verdict v;
    det_event_init(&e, DET_GAP, s->h.key - 1);
    e.start = s->h.t;
    e.end = s->h.t + g->gap_ms;
    e.lat = det_deg(s->lat);
    e.lon = det_deg(s->lon);
    e.duration_h = g->gap_ms / 3600000.0;
    e.ongoing = true;
    v.shore_km = e.shore_km = det_shore_km(g->geo, s->lat, s->lon);
    v.shore = isnan(v.shore_km) ? -1 : v.shore_km >= g->cfg.gap_dark_shore_nm * TRK_KM_PER_NM;
    regularity(g, s, &v);
    char shore[24];
    if (isnan(v.shore_km))
        snprintf(shore, sizeof shore, "unknown");
    else
        snprintf(shore, sizeof shore, "%.0f nm", v.shore_km / TRK_KM_PER_NM);
    char all[256];
    int n = snprintf(all, sizeof all, "ongoing (still silent; dark decided when it ends): "
                     "offshore %s %s; %d fixes in 12 h before (need %d) %s", shore,
                     yes_no(v.shore), v.fixes, v.need, yes_no(v.regular));
    size_t len = n < 0 ? 0 : (size_t)n < sizeof e.detail ? (size_t)n : sizeof e.detail - 1;
    memcpy(e.detail, all, len);
    e.detail[len] = '\0';
    g->emit(g->engine, &e);
}

/* Heard again sooner than the ongoing version said it was silent (a late
 * report, older than the clock's tick): the final version says so. */
static void report_retracted(struct gap *g, const struct vessel *s, const struct trk_fix *f)
{
    struct det_event e;
    det_event_init(&e, DET_GAP, s->h.key - 1);
    e.start = s->h.t;
    e.end = f->t;
    e.lat = det_deg(s->lat);
    e.lon = det_deg(s->lon);
    e.end_lat = det_deg(f->lat);
    e.end_lon = det_deg(f->lon);
    e.duration_h = (f->t - s->h.t) / 3600000.0;
    e.distance_km = det_dist_km(s->lat, s->lon, f->lat, f->lon);
    e.speed_kn = det_speed_kn(e.distance_km, f->t - s->h.t);
    e.shore_km = det_shore_km(g->geo, s->lat, s->lon);
    e.likely_disabling = 0;
    snprintf(e.detail, sizeof e.detail, "not a gap: a late report shows the vessel heard "
             "%.2f h after the start (need %.1f h)", e.duration_h, g->cfg.gap_min_h);
    later_than_ongoing(g, s, &e);
    g->emit(g->engine, &e);
}

static void *create(const struct det_config *cfg, const struct det_geo *geo,
                    det_emit_fn emit, void *engine)
{
    struct gap *g = calloc(1, sizeof *g);
    if (!g)
        return NULL;
    g->grid = calloc((size_t)GRID_W * GRID_H, sizeof *g->grid);
    if (!g->grid) {
        free(g);
        return NULL;
    }
    g->cfg = *cfg;
    g->geo = geo;
    g->emit = emit;
    g->engine = engine;
    /* half the nominal interval: a vessel at exactly the required rate keeps
     * every fix, a faster one keeps at least that rate */
    g->ring_min_s = (int64_t)(1800 / cfg->gap_regular_min_per_h);
    g->gap_ms = (int64_t)ceil(cfg->gap_min_h * 3600000.0);
    g->tick_t = INT64_MIN;
    det_vtab_init(&g->v, sizeof(struct vessel), HORIZON_MS, report_dropped, g);
    return g;
}

static void fix(void *self, const struct trk_fix *f, const struct trk_static *st)
{
    struct gap *g = self;
    (void)st;
    if (det_null_island(f))
        return;
    if (!g->any || f->t < g->first_t)
        g->first_t = f->t;
    if (!g->any || f->t > g->newest_t)
        g->newest_t = f->t;
    g->any = true;
    grid_mark(g, f);
    bool created;
    struct vessel *s = det_vtab_get(&g->v, f->mmsi, f->t, &created);
    if (!s)
        return;
    /* (a silence spanning a feed discontinuity is no gap: nothing was heard) */
    if (!created && s->said != SAID_SPANS_DISCONTINUITY) {
        if (f->t - s->h.t >= g->cfg.gap_min_h * 3600000.0)
            report(g, s, f->t, f, "");
        else if (s->said == SAID_ONGOING && f->t > s->h.t)
            report_retracted(g, s, f);
    }
    if (created || f->t > s->h.t) {
        s->h.t = f->t;
        s->lat = f->lat;
        s->lon = f->lon;
        s->said = SAID_NOTHING;
        ring_add(s, f->t, g->ring_min_s);
    }
}

/* Live clock: every vessel silent gap_ms at `now` whose silence was not
 * reported yet, unless the caller holds a newer fix of it. A walk over the
 * table (its keys first), at most once per tick of the caller's clock (once
 * a second in the live node). */
static void tick(void *self, int64_t now, const struct det_held *held)
{
    struct gap *g = self;
    if (now <= g->tick_t)
        return;
    g->tick_t = now;
    for (size_t i = 0; i < g->v.cap; i++) {
        if (!g->v.key[i])
            continue;
        struct vessel *s = (struct vessel *)det_vtab_at(&g->v, i);
        if (s->said == SAID_NOTHING && now - s->h.t >= g->gap_ms &&
            !(held && held->fn(held->ctx, s->h.key - 1, s->h.t))) {
            report_ongoing(g, s);
            s->said = SAID_ONGOING;
        }
    }
}

/* Feed discontinuity: every vessel was last heard at or before `from`. */
static void discontinuity(void *self, int64_t from, int64_t to)
{
    struct gap *g = self;
    (void)to;
    for (size_t i = 0; i < g->v.cap; i++) {
        if (!g->v.key[i])
            continue;
        struct vessel *s = (struct vessel *)det_vtab_at(&g->v, i);
        if (s->said == SAID_SPANS_DISCONTINUITY || s->h.t > from)
            continue;
        if (from - s->h.t >= g->gap_ms)
            report(g, s, from, NULL, "open (feed discontinuity); ");
        s->said = SAID_SPANS_DISCONTINUITY;
    }
}

bool det_gap_vessel_get(const void *self, uint32_t mmsi, struct det_vessel_state *out)
{
    const struct gap *g = self;
    if (!g || g->v.cap == 0)
        return false;
    size_t i = det_vtab_index(&g->v, mmsi + 1);
    if (g->v.key[i] != mmsi + 1)
        return false;
    const struct vessel *s = (const struct vessel *)det_vtab_at(&g->v, i);
    memset(out, 0, sizeof *out);
    out->mmsi = mmsi;
    out->t = s->h.t;
    out->lat = s->lat;
    out->lon = s->lon;
    out->ongoing = s->said;
    out->nring = s->filled;
    /* oldest first: the ring's write position is its oldest entry when full */
    for (unsigned k = 0; k < s->filled; k++)
        out->ring[k] = s->ring[(s->filled == RING ? s->next + k : k) % RING];
    return true;
}

bool det_gap_vessel_seed(void *self, const struct det_vessel_state *in)
{
    struct gap *g = self;
    bool created;
    if (!g || in->mmsi == UINT32_MAX)
        return false;
    struct vessel *s = det_vtab_get(&g->v, in->mmsi, in->t, &created);
    if (!s)
        return false;
    if (!created && s->h.t >= in->t)
        return true;                  /* already as recent (a re-read) */
    s->h.t = in->t;
    s->lat = in->lat;
    s->lon = in->lon;
    s->said = (uint8_t)(in->ongoing >= 0 && in->ongoing <= 2 ? in->ongoing : 0);
    unsigned n = in->nring < RING ? in->nring : RING;
    memcpy(s->ring, in->ring, n * sizeof s->ring[0]);
    s->filled = (uint8_t)n;
    s->next = (uint8_t)(n % RING);
    s->last = n ? in->ring[n - 1] : 0;
    /* the stream is known to have begun by the oldest fix kept */
    int64_t begun = n ? (int64_t)in->ring[0] * 1000 : in->t;
    if (!g->any || begun < g->first_t)
        g->first_t = begun;
    if (!g->any || in->t > g->newest_t)
        g->newest_t = in->t;
    g->any = true;
    return true;
}

static void finish(void *self)
{
    struct gap *g = self;
    det_vtab_each(&g->v, report_open, g);
}

static void destroy(void *self)
{
    struct gap *g = self;
    det_vtab_free(&g->v);
    free(g->grid);
    free(g);
}

static void prefetch(void *self, uint32_t mmsi)
{
    struct gap *g = self;
    det_vtab_prefetch(&g->v, mmsi);
}

const struct det_ops det_gap_ops = {"gap", create, fix, NULL, finish, destroy, prefetch, tick,
                                    discontinuity};
