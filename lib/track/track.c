/*
 * track.c - the vessel tracker (track.h): one compact record per MMSI, kept
 * in a dense array indexed by an open-addressing hash table; positions are
 * checked (GFW's validity rules), held back in a tiny sorted ring per vessel
 * so that late fixes can be put back in time order, then cut into segments
 * as gpsdio-segment does and handed to the caller. Static and voyage data
 * (types 5, 19, 24) are merged into the same record.
 *
 * Work per message: one hash lookup, at most RING held fixes and SEGS
 * segment ends examined, SWEEP records checked for idleness, at most one
 * push on the due queue (dueq.c: a small bucket, not a heap over the fleet), plus the fixes that have become due (each fix
 * leaves once). Nothing is allocated per message; the arrays grow by
 * doubling up to max_vessels. See docs/track.md.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "alidade/track.h"
#include "dueq.h"

#define RING 4              /* fixes held back per vessel for reordering */
#define SEGS 4              /* open segments per vessel */
#define SWEEP 2             /* records checked for idleness per message */
#define EVICT_SAMPLE 32     /* records examined to pick a victim when full */
#define INIT_CAP 1024       /* records allocated at first */
#define NOISE_KM 0.5        /* gpsdio-segment's noise distance, 0.27 nm */
#define EARTH_KM 6371.0088  /* mean Earth radius (IUGG) */
#define MAX_REORDER_MS 2000000000LL /* held ages are uint32 ms */
#define MAX_TIME_MS (1LL << 53) /* later receive times count as absent */
#define NO_SLOT UINT32_MAX
#define NO_TIME INT64_MIN

/*
 * A fix waiting in a vessel's ring, 16 bytes. `age` is ms before the
 * vessel's newest fix time (always < reorder_ms, so 32 bits suffice);
 * `pos` packs lat + 2^26 (27 bits), lon + 2^27 (28 bits), nav status (4)
 * and the message type code (3); `motion` packs SOG (10 bits), COG (12)
 * and heading (9). Values are validated before packing, so they fit.
 */
struct held {
    uint64_t pos;
    uint32_t age;
    uint32_t motion;
};

/* Everything known about one vessel: 240 bytes (asserted below). */
struct vessel {
    struct trk_static st;        /* what callbacks see */
    int64_t newest;              /* newest accepted fix time, NO_TIME */
    int64_t seg_t[SEGS];         /* time of each open segment's last fix */
    int32_t seg_lat[SEGS], seg_lon[SEGS];
    uint32_t seg_id[SEGS];       /* segment numbers, from 1 */
    uint32_t mmsi;
    uint32_t opened;             /* segments opened so far */
    uint8_t nheld, nseg, pad[6];
    struct held held[RING];      /* sorted by time, oldest first */
};

_Static_assert(sizeof(struct vessel) == 240, "vessel record grew");

/* A hash index slot: the MMSI is kept beside the record index so that
 * probing never reads a record (a cache miss each at 100k vessels). */
struct slot {
    uint32_t mmsi;
    uint32_t rec;
};

struct trk_tracker {
    struct trk_opts opt;
    trk_fix_cb on_fix;
    trk_static_cb on_static;
    void *ctx;
    struct trk_stats st;
    int64_t now;                 /* newest fix time seen, NO_TIME */
    struct vessel *rec;          /* dense, `n` used of `cap` */
    size_t n, cap;
    struct slot *slot;           /* rec = NO_SLOT: empty */
    size_t nslot;                /* power of two >= 2 * cap */
    /* vessels holding fixes, by when their oldest held fix is due (its
     * time + reorder_ms): dueq.h */
    dueq q;
    size_t sweep;                /* next record checked for idleness */
};

static const uint8_t type_code[6] = { 1, 2, 3, 18, 19, 27 };

/* ---- options ---- */

static void opts_defaults(struct trk_opts *o, const struct trk_opts *in)
{
    static const struct trk_opts def = {
        .max_speed_kn = 30, .max_gap_ms = 24LL * 3600 * 1000,
        .reorder_ms = 10LL * 60 * 1000, .idle_evict_ms = 48LL * 3600 * 1000,
        .max_vessels = 1000000,
    };
    *o = in ? *in : def;
    if (!(o->max_speed_kn > 0))
        o->max_speed_kn = def.max_speed_kn;
    if (o->max_gap_ms <= 0)
        o->max_gap_ms = def.max_gap_ms;
    if (o->reorder_ms <= 0)
        o->reorder_ms = def.reorder_ms;
    if (o->reorder_ms > MAX_REORDER_MS)
        o->reorder_ms = MAX_REORDER_MS;
    if (o->idle_evict_ms <= 0)
        o->idle_evict_ms = def.idle_evict_ms;
    if (o->max_vessels == 0)
        o->max_vessels = def.max_vessels;
    if (o->max_vessels > UINT32_MAX / 4)
        o->max_vessels = UINT32_MAX / 4;
}

/* ---- geometry ---- */

double trk_distance_km(int32_t lat1, int32_t lon1, int32_t lat2, int32_t lon2)
{
    const double k = M_PI / 180.0 / TRK_DEG;
    double p1 = lat1 * k, p2 = lat2 * k;
    double dp = (lat2 - (double)lat1) * k, dl = (lon2 - (double)lon1) * k;
    double sp = sin(dp / 2), sl = sin(dl / 2);
    double a = sp * sp + cos(p1) * cos(p2) * sl * sl;
    if (a > 1)
        a = 1;
    return 2 * EARTH_KM * asin(sqrt(a));
}

/* ---- packing held fixes ---- */

static unsigned type_to_code(unsigned type)
{
    for (unsigned i = 0; i < sizeof type_code; i++)
        if (type_code[i] == type)
            return i;
    return 0;
}

static void held_pack(struct held *h, const struct trk_fix *f, uint32_t age)
{
    uint64_t lat = (uint64_t)((int64_t)f->lat + (1 << 26));
    uint64_t lon = (uint64_t)((int64_t)f->lon + (1 << 27));
    h->pos = lat | lon << 27 | (uint64_t)(f->nav_status & 15) << 55
             | (uint64_t)type_to_code(f->msg_type) << 59;
    h->motion = (uint32_t)f->sog | (uint32_t)f->cog << 10 | (uint32_t)f->heading << 22;
    h->age = age;
}

static void held_unpack(const struct held *h, int64_t newest, struct trk_fix *f)
{
    f->t = newest - h->age;
    f->lat = (int32_t)(int64_t)(h->pos & ((1u << 27) - 1)) - (1 << 26);
    f->lon = (int32_t)((int64_t)((h->pos >> 27) & ((1u << 28) - 1)) - (1 << 27));
    f->nav_status = (uint8_t)(h->pos >> 55 & 15);
    f->msg_type = type_code[h->pos >> 59 & 7];
    f->sog = (uint16_t)(h->motion & 1023);
    f->cog = (uint16_t)(h->motion >> 10 & 4095);
    f->heading = (uint16_t)(h->motion >> 22 & 511);
}

static int32_t held_lat(const struct held *h)
{
    return (int32_t)(int64_t)(h->pos & ((1u << 27) - 1)) - (1 << 26);
}

static int32_t held_lon(const struct held *h)
{
    return (int32_t)((int64_t)((h->pos >> 27) & ((1u << 28) - 1)) - (1 << 27));
}

/* ---- hash index over the dense records ---- */

static size_t home_slot(const trk_tracker *t, uint32_t mmsi)
{
    return (size_t)((mmsi * 0x9E3779B1u) ^ (mmsi >> 16)) & (t->nslot - 1);
}

/* Slot holding `mmsi`, or the empty slot where it would go. */
static size_t slot_find(const trk_tracker *t, uint32_t mmsi)
{
    size_t i = home_slot(t, mmsi);
    while (t->slot[i].rec != NO_SLOT && t->slot[i].mmsi != mmsi)
        i = (i + 1) & (t->nslot - 1);
    return i;
}

/* Empties slot i, shifting later entries of the probe run back. */
static void slot_delete(trk_tracker *t, size_t i)
{
    size_t mask = t->nslot - 1, j = i;
    t->slot[i].rec = NO_SLOT;
    for (;;) {
        j = (j + 1) & mask;
        if (t->slot[j].rec == NO_SLOT)
            return;
        size_t k = home_slot(t, t->slot[j].mmsi);
        bool stays = i <= j ? (i < k && k <= j) : (i < k || k <= j);
        if (!stays) {
            t->slot[i] = t->slot[j];
            t->slot[j].rec = NO_SLOT;
            i = j;
        }
    }
}

static bool index_build(trk_tracker *t, size_t nslot)
{
    struct slot *s = malloc(nslot * sizeof *s);
    if (!s)
        return false;
    free(t->slot);
    t->slot = s;
    t->nslot = nslot;
    memset(s, 0xff, nslot * sizeof *s);
    for (size_t r = 0; r < t->n; r++)
        s[slot_find(t, t->rec[r].mmsi)] = (struct slot){ t->rec[r].mmsi, (uint32_t)r };
    return true;
}

/* ---- growth ---- */

static bool grow(trk_tracker *t)
{
    size_t cap = t->cap ? t->cap * 2 : INIT_CAP;
    if (cap > t->opt.max_vessels)
        cap = t->opt.max_vessels;
    struct vessel *r = realloc(t->rec, cap * sizeof *r);
    if (!r)
        return false;
    t->rec = r;
    size_t nslot = 16;
    while (nslot < 2 * cap)
        nslot *= 2;
    if (nslot != t->nslot && !index_build(t, nslot))
        return false;
    /* only now: a larger cap over the old index would fill it past 1/2,
     * and slot_find() never returns on a full table */
    t->cap = cap;
    return true;
}

/* ---- emitting fixes: segmentation ---- */

/* Implied speed (kn) from an open segment's last fix to (ts, lat, lon). */
static double implied_kn(const struct vessel *v, unsigned i, int64_t ts, int32_t lat,
                         int32_t lon)
{
    double km = trk_distance_km(v->seg_lat[i], v->seg_lon[i], lat, lon);
    if (km <= NOISE_KM)
        return 0;
    int64_t dt = ts - v->seg_t[i];
    if (dt <= 0)
        return INFINITY;
    return km / TRK_KM_PER_NM / ((double)dt / 3.6e6);
}

/* An upper bound of trk_distance_km() without trigonometry: with cos(lat)
 * <= 1 and |sin x| <= |x|, sqrt(a) <= h = |(dphi, dlambda)| / 2, and
 * asin(x) <= 1.002 x for x <= 0.1, so the distance is at most 2R * 1.002 h
 * (INFINITY beyond h = 0.1, ~1270 km); the 1e-9 relative margin is far
 * above the rounding of either formula. */
static double distance_km_max(int32_t lat1, int32_t lon1, int32_t lat2, int32_t lon2)
{
    const double k = M_PI / 180.0 / TRK_DEG;
    double dp = (lat2 - (double)lat1) * k, dl = (lon2 - (double)lon1) * k;
    double h = sqrt(dp * dp + dl * dl) / 2;
    return h > 0.1 ? INFINITY : 2 * EARTH_KM * 1.002 * h * (1 + 1e-9);
}

/* Open segment the fix joins, or -1. */
static int seg_best(const trk_tracker *t, const struct vessel *v, int64_t ts,
                    int32_t lat, int32_t lon)
{
    /* One open segment (the usual case): only whether the implied speed is
     * plausible matters, not its value, and an upper bound of the distance
     * that already gives a plausible speed decides it the same way as the
     * exact distance would (implied_kn() is non-decreasing in it). */
    if (v->nseg == 1 && ts - v->seg_t[0] <= t->opt.max_gap_ms && ts > v->seg_t[0]) {
        double km = distance_km_max(v->seg_lat[0], v->seg_lon[0], lat, lon);
        if (km / TRK_KM_PER_NM / ((double)(ts - v->seg_t[0]) / 3.6e6) <= t->opt.max_speed_kn)
            return 0;
    }
    int best = -1;
    double best_kn = 0;
    for (unsigned i = 0; i < v->nseg; i++) {
        if (ts - v->seg_t[i] > t->opt.max_gap_ms)
            continue;
        double kn = implied_kn(v, i, ts, lat, lon);
        if (kn > t->opt.max_speed_kn)
            continue;
        if (best < 0 || kn < best_kn || (kn == best_kn && v->seg_t[i] > v->seg_t[best])) {
            best = (int)i;
            best_kn = kn;
        }
    }
    return best;
}

static unsigned seg_open(trk_tracker *t, struct vessel *v)
{
    t->st.new_segments++;
    v->opened++;
    if (v->nseg < SEGS)
        return v->nseg++;
    unsigned stale = 0;
    for (unsigned i = 1; i < SEGS; i++)
        if (v->seg_t[i] < v->seg_t[stale])
            stale = i;
    return stale;
}

static uint32_t seg_assign(trk_tracker *t, struct vessel *v, const struct trk_fix *f)
{
    int i = seg_best(t, v, f->t, f->lat, f->lon);
    if (i < 0) {
        i = (int)seg_open(t, v);
        v->seg_id[i] = v->opened;
    }
    v->seg_t[i] = f->t;
    v->seg_lat[i] = f->lat;
    v->seg_lon[i] = f->lon;
    return v->seg_id[i];
}

static void emit(trk_tracker *t, struct vessel *v, struct trk_fix *f)
{
    f->mmsi = v->mmsi;
    f->segment = seg_assign(t, v, f);
    if (t->on_fix)
        t->on_fix(t->ctx, f, &v->st);
}

/* Emits the oldest held fix. */
static void emit_first(trk_tracker *t, struct vessel *v)
{
    struct trk_fix f;
    held_unpack(&v->held[0], v->newest, &f);
    v->nheld--;
    memmove(v->held, v->held + 1, v->nheld * sizeof v->held[0]);
    emit(t, v, &f);
}

/* Emits every held fix that is at least reorder_ms older than `now`. */
static void flush_due(trk_tracker *t, struct vessel *v)
{
    int64_t limit = t->now - t->opt.reorder_ms;
    while (v->nheld && v->newest - v->held[0].age <= limit)
        emit_first(t, v);
}

static void flush_all(trk_tracker *t, struct vessel *v)
{
    while (v->nheld)
        emit_first(t, v);
}

/* ---- the due queue: held fixes leave once the whole stream has moved on ----
 *
 * Each vessel that holds fixes has an entry in the due queue (dueq.h) keyed
 * by when its oldest held fix is due; fixes therefore leave exactly when
 * the newest time seen reaches their time + reorder_ms, in (due, MMSI)
 * order across vessels. An entry is never changed: when a vessel's key
 * changes a new one is pushed, and the old one is recognised as stale when
 * it comes out (entry_current). */

static int64_t held_due(const trk_tracker *t, const struct vessel *v)
{
    return v->newest - v->held[0].age + t->opt.reorder_ms;
}

/* Queues the vessel under its current key (it holds fixes). When the queue
 * cannot grow, the vessel's held fixes leave at once instead (in time
 * order, only earlier than due): nothing is lost. */
static void queue_push(trk_tracker *t, struct vessel *v)
{
    if (!dueq_push(&t->q, held_due(t, v), v->mmsi, (uint32_t)(v - t->rec)))
        flush_all(t, v);
}

/* Whether the entry still stands for its vessel: the record is still
 * there, under that MMSI, holding fixes, with that key. */
static struct vessel *entry_current(trk_tracker *t, const struct dueq_ent *e)
{
    if (e->rec >= t->n)
        return NULL;
    struct vessel *v = &t->rec[e->rec];
    if (v->mmsi != e->mmsi || !v->nheld || held_due(t, v) != e->due)
        return NULL;
    return v;
}

/* Starts loading the records of the vessels that leave the queue next:
 * they were last touched a reorder window ago, so they are cold, and their
 * loads were most of the tracker's time. Fixes come due in bursts (every
 * vessel whose fix was at the same second), so a load started here is
 * ready a vessel or two later. A hint only. */
static void prefetch_due(trk_tracker *t)
{
    const struct dueq_ent *next[3];
    size_t n = dueq_peek(&t->q, next, 3);
    for (size_t i = 0; i < n; i++)
        if (next[i]->rec < t->n) {
            const char *p = (const char *)&t->rec[next[i]->rec];
            for (size_t k = 0; k < sizeof(struct vessel); k += 64)
                __builtin_prefetch(p + k);
        }
}

/* Hands out every held fix that is due, in (due, MMSI) order. Terminates:
 * after flush_due() the vessel's new key is past `now`. */
static void queue_run(trk_tracker *t)
{
    struct dueq_ent e;
    while (dueq_pop(&t->q, t->now, &e)) {
        prefetch_due(t);
        struct vessel *v = entry_current(t, &e);
        if (!v)
            continue;
        flush_due(t, v);
        if (v->nheld)
            queue_push(t, v);
    }
    prefetch_due(t);
}

/* ---- records: creation and eviction ---- */

/* When the vessel was last heard, ms; 0 when never with a time. */
static int64_t last_heard(const struct vessel *v)
{
    return v->newest > v->st.t ? v->newest : v->st.t;
}

/* Flushes record r and removes it (the last record moves into its place). */
static void evict(trk_tracker *t, size_t r)
{
    struct vessel *v = &t->rec[r];
    flush_all(t, v);                 /* its queue entry goes stale */
    slot_delete(t, slot_find(t, v->mmsi));
    size_t last = t->n - 1;
    if (r != last) {
        size_t i = slot_find(t, t->rec[last].mmsi);
        t->rec[r] = t->rec[last];
        t->slot[i].rec = (uint32_t)r;
        /* the entry under its old index goes stale (that index is past n,
         * or another vessel's, by the time it comes out) */
        if (t->rec[r].nheld)
            queue_push(t, &t->rec[r]);
    }
    t->n--;
    t->st.evicted++;
    t->st.vessels = t->n;
    if (t->sweep >= t->n)
        t->sweep = 0;
}

/* Checks a few records for idleness (bounded work per message). A record
 * never heard with a time (static data before any time was seen) cannot be
 * judged idle: it stays until capacity eviction, which takes it first. */
static void sweep(trk_tracker *t)
{
    if (t->now == NO_TIME)
        return;
    int64_t limit = t->now - t->opt.idle_evict_ms;
    for (unsigned k = 0; k < SWEEP && t->n; k++) {
        if (t->sweep >= t->n)
            t->sweep = 0;
        int64_t heard = last_heard(&t->rec[t->sweep]);
        if (heard > 0 && heard < limit)
            evict(t, t->sweep);
        else
            t->sweep++;
    }
}

/* Evicts the least recently heard of up to EVICT_SAMPLE records. */
static void evict_oldest(trk_tracker *t)
{
    size_t n = t->n < EVICT_SAMPLE ? t->n : EVICT_SAMPLE, best = t->sweep % t->n;
    for (size_t k = 1; k < n; k++) {
        size_t r = (t->sweep + k) % t->n;
        if (last_heard(&t->rec[r]) < last_heard(&t->rec[best]))
            best = r;
    }
    evict(t, best);
}

static void vessel_init(struct vessel *v, uint32_t mmsi)
{
    memset(v, 0, sizeof *v);
    v->mmsi = mmsi;
    v->newest = NO_TIME;
}

/* The record of `mmsi`, created when new; NULL when out of memory. */
static struct vessel *vessel_get(trk_tracker *t, uint32_t mmsi)
{
    size_t i = t->nslot ? slot_find(t, mmsi) : 0;
    if (t->nslot && t->slot[i].rec != NO_SLOT)
        return &t->rec[t->slot[i].rec];
    if (t->n == t->opt.max_vessels)
        evict_oldest(t);
    else if (t->n == t->cap && !grow(t))
        return NULL;
    i = slot_find(t, mmsi);
    t->slot[i] = (struct slot){ mmsi, (uint32_t)t->n };
    vessel_init(&t->rec[t->n], mmsi);
    t->st.vessels = ++t->n;
    return &t->rec[t->n - 1];
}

/* ---- positions ---- */

/* Type 27's 1/10 minute to AIS units (x1000) in 64 bits: a hand-built value
 * beyond the 17/18-bit fields clamps to +-200 degrees, which validation then
 * rejects, instead of overflowing an int. */
static int32_t tenth_minutes(int v)
{
    const int64_t lim = 200LL * TRK_DEG;
    int64_t x = (int64_t)v * 1000;
    return (int32_t)(x > lim ? lim : x < -lim ? -lim : x);
}

/* Position fields of a position report in track units; false for others. */
static bool pos_extract(const struct ais_msg *m, struct trk_fix *f, bool *long_range)
{
    const struct ais_pos123 *a = &m->u.t1;
    *long_range = false;
    f->msg_type = (uint8_t)m->type;
    f->nav_status = 15;
    f->heading = TRK_HEADING_NA;
    switch (m->type) {
    case 1: case 2: case 3:
        f->lat = a->lat; f->lon = a->lon;
        f->sog = (uint16_t)(a->speed > 0xffff ? 0xffff : a->speed);
        f->cog = (uint16_t)(a->course > 0xffff ? 0xffff : a->course);
        f->heading = (uint16_t)(a->heading > 0xffff ? 0xffff : a->heading);
        f->nav_status = (uint8_t)(a->status & 15);
        return true;
    case 18:
        f->lat = m->u.t18.lat; f->lon = m->u.t18.lon;
        f->sog = (uint16_t)(m->u.t18.speed > 0xffff ? 0xffff : m->u.t18.speed);
        f->cog = (uint16_t)(m->u.t18.course > 0xffff ? 0xffff : m->u.t18.course);
        f->heading = (uint16_t)(m->u.t18.heading > 0xffff ? 0xffff : m->u.t18.heading);
        return true;
    case 19:
        f->lat = m->u.t19.lat; f->lon = m->u.t19.lon;
        f->sog = (uint16_t)(m->u.t19.speed > 0xffff ? 0xffff : m->u.t19.speed);
        f->cog = (uint16_t)(m->u.t19.course > 0xffff ? 0xffff : m->u.t19.course);
        f->heading = (uint16_t)(m->u.t19.heading > 0xffff ? 0xffff : m->u.t19.heading);
        return true;
    case 27:
        *long_range = true;
        f->lat = tenth_minutes(m->u.t27.lat);
        f->lon = tenth_minutes(m->u.t27.lon);
        f->sog = (uint16_t)(m->u.t27.speed > 0xfff ? 0xffff : m->u.t27.speed);
        f->cog = (uint16_t)(m->u.t27.course > 0xfff ? 0xffff : m->u.t27.course);
        f->nav_status = (uint8_t)(m->u.t27.status & 15);
        return true;
    default:
        return false;
    }
}

/* Type 27 speed (kn, 63 = n/a) and course (degrees, 511 = n/a) in the units
 * of types 1-3. */
static void long_range_scale(struct trk_fix *f)
{
    f->sog = f->sog == 63 ? TRK_SOG_NA : f->sog > 63 ? 0xffff : (uint16_t)(f->sog * 10);
    f->cog = f->cog == 511 ? TRK_COG_NA : f->cog > 359 ? 0xffff : (uint16_t)(f->cog * 10);
}

/*
 * Validity, after GFW: a position that is "not available" (lat 91, lon 181)
 * or off the Earth (|lat| > 90, |lon| > 180 other than those codes) drops
 * the fix; an out-of-range course, heading or speed is cleared and counted.
 * Speed: the issue's rule (and gpsdio-segment's exclusion of 102.3) is that
 * SOG >= 102.3 kn is invalid, so the M.1371 code 1023 ("not available") and
 * type 27's 63 kn (its "not available") are counted in bad_speed, as are
 * values no 10-bit field can hold; 1022 (102.2 kn or more) is kept. Course:
 * 3600 = n/a (kept, not counted), 3601-4095 invalid; heading: 511 = n/a,
 * 360-510 invalid.
 */
static bool pos_validate(trk_tracker *t, struct trk_fix *f)
{
    if (f->lat == 91 * TRK_DEG || f->lon == 181 * TRK_DEG) {
        t->st.no_position++;
        return false;
    }
    if (f->lat > 90 * TRK_DEG || f->lat < -90 * TRK_DEG) {
        t->st.bad_lat++;
        return false;
    }
    if (f->lon > 180 * TRK_DEG || f->lon < -180 * TRK_DEG) {
        t->st.bad_lon++;
        return false;
    }
    if (f->sog >= TRK_SOG_NA) {
        t->st.bad_speed++;
        f->sog = TRK_SOG_NA;
    }
    if (f->cog > TRK_COG_NA) {
        t->st.bad_course++;
        f->cog = TRK_COG_NA;
    }
    if (f->heading > 359 && f->heading != TRK_HEADING_NA) {
        t->st.bad_heading++;
        f->heading = TRK_HEADING_NA;
    }
    return true;
}

static int64_t last_emitted(const struct vessel *v)
{
    int64_t e = NO_TIME;
    for (unsigned i = 0; i < v->nseg; i++)
        if (v->seg_t[i] > e)
            e = v->seg_t[i];
    return e;
}

/* Same time and position as a held fix or an open segment's last fix. */
static bool is_duplicate(const struct vessel *v, const struct trk_fix *f)
{
    for (unsigned i = 0; i < v->nheld; i++)
        if (v->newest - v->held[i].age == f->t && held_lat(&v->held[i]) == f->lat
            && held_lon(&v->held[i]) == f->lon)
            return true;
    for (unsigned i = 0; i < v->nseg; i++)
        if (v->seg_t[i] == f->t && v->seg_lat[i] == f->lat && v->seg_lon[i] == f->lon)
            return true;
    return false;
}

/* Moves the vessel's newest time to `ts`, keeping the held times. */
static void rebase(struct vessel *v, int64_t ts)
{
    if (v->newest == NO_TIME) {
        v->newest = ts;
        return;
    }
    uint32_t d = (uint32_t)(ts - v->newest);
    for (unsigned i = 0; i < v->nheld; i++)
        v->held[i].age += d;
    v->newest = ts;
}

/* Inserts f (not older than reorder_ms from newest) in time order; when the
 * ring is full, the oldest of the ring and f leaves first. */
static void hold(trk_tracker *t, struct vessel *v, struct trk_fix *f)
{
    uint32_t age = (uint32_t)(v->newest - f->t);
    if (v->nheld == RING) {
        if (age > v->held[0].age) {
            emit(t, v, f);
            return;
        }
        emit_first(t, v);
    }
    unsigned i = v->nheld;
    while (i > 0 && v->held[i - 1].age < age) {
        v->held[i] = v->held[i - 1];
        i--;
    }
    held_pack(&v->held[i], f, age);
    v->nheld++;
}

static void accept(trk_tracker *t, struct vessel *v, struct trk_fix *f)
{
    if (is_duplicate(v, f)) {
        t->st.duplicates++;
        return;
    }
    if (v->newest != NO_TIME
        && (f->t < v->newest - t->opt.reorder_ms || f->t < last_emitted(v))) {
        t->st.too_old++;
        return;
    }
    t->st.fixes++;
    int64_t key = v->nheld ? held_due(t, v) : NO_TIME;
    if (v->newest != NO_TIME && f->t < v->newest)
        t->st.reordered++;
    if (t->now == NO_TIME || f->t > t->now)
        t->now = f->t;
    flush_due(t, v);
    if (v->newest == NO_TIME || f->t > v->newest)
        rebase(v, f->t);
    if (f->t <= t->now - t->opt.reorder_ms)
        emit(t, v, f);             /* older than everything still held */
    else
        hold(t, v, f);
    /* usually the oldest held fix, hence the key, stays as it was */
    if (v->nheld && held_due(t, v) != key)
        queue_push(t, v);
}

static void feed_position(trk_tracker *t, const struct trk_msg *m, int64_t ts)
{
    if (!(m->flags & TRK_MSG_POSITION))
        return;
    struct trk_fix f = {.lat = m->lat, .lon = m->lon, .sog = m->sog, .cog = m->cog,
                        .heading = m->heading, .nav_status = m->nav_status,
                        .msg_type = (uint8_t)m->type};
    bool long_range = m->flags & TRK_MSG_LONG_RANGE;
    if (ts == NO_TIME) {
        t->st.no_time++;
        return;
    }
    if (long_range)
        long_range_scale(&f);
    if (!pos_validate(t, &f))
        return;
    f.t = ts;
    f.segment = 0;
    struct vessel *v = vessel_get(t, m->mmsi);
    if (v)
        accept(t, v, &f);
}

/* ---- static and voyage data ---- */

static void set_text(char *dst, size_t cap, const char *src)
{
    size_t n = strlen(src);
    if (n == 0 || strspn(src, "@") == n)
        return;
    if (n >= cap)
        n = cap - 1;
    memcpy(dst, src, n);
    dst[n] = '\0';
}

static void set_name(trk_tracker *t, struct vessel *v, const char *name)
{
    size_t n = strlen(name);
    if (n == 0 || strspn(name, "@") == n) {
        t->st.bad_name++;
        return;
    }
    set_text(v->st.name, sizeof v->st.name, name);
}

/* length = to_bow + to_stern, beam = to_port + to_starboard (trk_msg_set) */
static void set_dims(struct vessel *v, unsigned length, unsigned beam)
{
    if (length > 0)
        v->st.length_m = (uint16_t)length;
    if (beam > 0)
        v->st.beam_m = (uint16_t)beam;
}

static void set_shiptype(struct vessel *v, unsigned shiptype)
{
    if (shiptype > 0 && shiptype < 256)
        v->st.shiptype = (uint8_t)shiptype;
}

static void merge_static(trk_tracker *t, struct vessel *v, const struct trk_msg *m)
{
    switch (m->type) {
    case 5:
        set_name(t, v, m->name);
        set_text(v->st.callsign, sizeof v->st.callsign, m->callsign);
        if (m->imo)
            v->st.imo = m->imo;
        set_shiptype(v, m->shiptype);
        set_dims(v, m->length, m->beam);
        set_text(v->st.destination, sizeof v->st.destination, m->destination);
        break;
    case 19:
        set_name(t, v, m->name);
        set_shiptype(v, m->shiptype);
        set_dims(v, m->length, m->beam);
        break;
    case 24:
        if (m->part != AIS_PART_B)
            set_name(t, v, m->name);
        if (m->part != AIS_PART_A) {
            set_text(v->st.callsign, sizeof v->st.callsign, m->callsign);
            set_shiptype(v, m->shiptype);
            set_dims(v, m->length, m->beam);
        }
        break;
    }
}

static bool identity_differs(const struct trk_static *a, const struct trk_static *b)
{
    return strcmp(a->name, b->name) != 0 || strcmp(a->callsign, b->callsign) != 0
           || a->imo != b->imo || a->shiptype != b->shiptype
           || a->length_m != b->length_m || a->beam_m != b->beam_m;
}

static void feed_static(trk_tracker *t, const struct trk_msg *m, int64_t ts)
{
    if (m->type != 5 && m->type != 19 && m->type != 24)
        return;
    struct vessel *v = vessel_get(t, m->mmsi);
    if (!v)
        return;
    struct trk_static before = v->st;
    merge_static(t, v, m);
    if (ts == NO_TIME)
        ts = t->now;               /* no receive time: heard "now", if known */
    if (ts != NO_TIME && ts > v->st.t)
        v->st.t = ts;
    if (identity_differs(&before, &v->st) && t->on_static)
        t->on_static(t->ctx, v->mmsi, &before, &v->st);
}

/* ---- public API ---- */

trk_tracker *trk_new(const struct trk_opts *opts)
{
    trk_tracker *t = calloc(1, sizeof *t);
    if (!t)
        return NULL;
    opts_defaults(&t->opt, opts);
    t->now = NO_TIME;
    if (!dueq_init(&t->q, t->opt.reorder_ms) || !grow(t)) {
        trk_free(t);
        return NULL;
    }
    return t;
}

void trk_free(trk_tracker *t)
{
    if (!t)
        return;
    free(t->rec);
    free(t->slot);
    dueq_free(&t->q);
    free(t);
}

void trk_set_cb(trk_tracker *t, trk_fix_cb on_fix, trk_static_cb on_static, void *ctx)
{
    t->on_fix = on_fix;
    t->on_static = on_static;
    t->ctx = ctx;
}

/* Receive times outside 1970..~2255 (2^53 ms) count as absent, which keeps
 * every time difference and due time far from overflow. */
static int64_t usable_time(int64_t time_ms)
{
    if (time_ms < 0 || time_ms > MAX_TIME_MS)
        return NO_TIME;
    return time_ms;
}

/* Copies a text field whole (the tracker's checks read it up to its NUL). */
#define COPY_TEXT(dst, src) do { \
        _Static_assert(sizeof(dst) == sizeof(src), "text field sizes differ"); \
        memcpy(dst, src, sizeof(dst)); \
    } while (0)

void trk_msg_set(struct trk_msg *c, const struct ais_msg *m, int64_t time_ms)
{
    memset(c, 0, sizeof *c);
    c->time_ms = time_ms;
    c->type = m->type;
    c->mmsi = m->mmsi;
    struct trk_fix f;
    bool long_range;
    if (pos_extract(m, &f, &long_range)) {
        c->flags = (uint8_t)(TRK_MSG_POSITION | (long_range ? TRK_MSG_LONG_RANGE : 0));
        c->lat = f.lat;
        c->lon = f.lon;
        c->sog = f.sog;
        c->cog = f.cog;
        c->heading = f.heading;
        c->nav_status = f.nav_status;
    }
    switch (m->type) {
    case 5:
        COPY_TEXT(c->name, m->u.t5.shipname);
        COPY_TEXT(c->callsign, m->u.t5.callsign);
        COPY_TEXT(c->destination, m->u.t5.destination);
        c->imo = m->u.t5.imo;
        c->shiptype = m->u.t5.shiptype;
        c->length = m->u.t5.to_bow + m->u.t5.to_stern;
        c->beam = m->u.t5.to_port + m->u.t5.to_starboard;
        break;
    case 19:
        COPY_TEXT(c->name, m->u.t19.shipname);
        c->shiptype = m->u.t19.shiptype;
        c->length = m->u.t19.to_bow + m->u.t19.to_stern;
        c->beam = m->u.t19.to_port + m->u.t19.to_starboard;
        break;
    case 24:
        c->part = (uint8_t)m->u.t24.part;
        COPY_TEXT(c->name, m->u.t24.shipname);
        COPY_TEXT(c->callsign, m->u.t24.callsign);
        c->shiptype = m->u.t24.shiptype;
        c->length = m->u.t24.to_bow + m->u.t24.to_stern;
        c->beam = m->u.t24.to_port + m->u.t24.to_starboard;
        break;
    }
}

/* One message: static data first (type 19 carries both), then the
 * position, then whatever has become due, then a little idle sweeping. */
static void feed_msg(trk_tracker *t, const struct trk_msg *m)
{
    int64_t ts = usable_time(m->time_ms);
    t->st.messages++;
    feed_static(t, m, ts);
    feed_position(t, m, ts);
    queue_run(t);
    sweep(t);
}

void trk_feed(trk_tracker *t, const struct ais_msg *m, const struct ais_meta *meta)
{
    struct trk_msg c;
    trk_msg_set(&c, m, meta ? meta->time_ms : AIS_TIME_NONE);
    feed_msg(t, &c);
}

/* Starts loading the hash slot of `mmsi` (a hint: nothing changes). */
static void prefetch_slot(const trk_tracker *t, uint32_t mmsi)
{
    if (t->nslot)
        __builtin_prefetch(&t->slot[home_slot(t, mmsi)]);
}

/* Starts loading the record of `mmsi`, if it has one: reads its slot (by
 * now in the cache, see trk_feed_batch) and prefetches the record's four
 * cache lines. A hint only: the record may be gone before it is used. */
static void prefetch_rec(const trk_tracker *t, uint32_t mmsi)
{
    if (!t->nslot)
        return;
    uint32_t r = t->slot[slot_find(t, mmsi)].rec;
    if (r == NO_SLOT)
        return;
    const char *p = (const char *)&t->rec[r];
    for (size_t k = 0; k < sizeof(struct vessel); k += 64)
        __builtin_prefetch(p + k);
}

/* How far ahead trk_feed_batch() and trk_feed_msgs() load: the hash slot
 * of the message SLOT_AHEAD places on, the record of the one REC_AHEAD on
 * (whose slot is in the cache by then), so that the cache misses of the
 * lookups overlap with work instead of stalling it (at 100k vessels nearly
 * every lookup misses). */
enum { SLOT_AHEAD = 8, REC_AHEAD = 4 };

/* As trk_feed() on each message in order, loading ahead. The effects are
 * exactly those of n calls of trk_feed(). */
void trk_feed_batch(trk_tracker *t, const struct ais_msg *m, const struct ais_meta *meta,
                    size_t n)
{
    for (size_t i = 0; i < n && i < SLOT_AHEAD; i++)
        prefetch_slot(t, m[i].mmsi);
    for (size_t i = 0; i < REC_AHEAD && i < n; i++)
        prefetch_rec(t, m[i].mmsi);
    for (size_t i = 0; i < n; i++) {
        if (i + SLOT_AHEAD < n)
            prefetch_slot(t, m[i + SLOT_AHEAD].mmsi);
        if (i + REC_AHEAD < n)
            prefetch_rec(t, m[i + REC_AHEAD].mmsi);
        trk_feed(t, &m[i], &meta[i]);
    }
}

void trk_feed_msgs(trk_tracker *t, const struct trk_msg *m, size_t n)
{
    for (size_t i = 0; i < n && i < SLOT_AHEAD; i++)
        prefetch_slot(t, m[i].mmsi);
    for (size_t i = 0; i < REC_AHEAD && i < n; i++)
        prefetch_rec(t, m[i].mmsi);
    for (size_t i = 0; i < n; i++) {
        if (i + SLOT_AHEAD < n)
            prefetch_slot(t, m[i + SLOT_AHEAD].mmsi);
        if (i + REC_AHEAD < n)
            prefetch_rec(t, m[i + REC_AHEAD].mmsi);
        feed_msg(t, &m[i]);
    }
}

void trk_finish(trk_tracker *t)
{
    for (size_t r = 0; r < t->n; r++)
        flush_all(t, &t->rec[r]);
    dueq_clear(&t->q);
}

const struct trk_stats *trk_stats(const trk_tracker *t)
{
    return &t->st;
}

size_t trk_bytes_per_vessel(void)
{
    /* the record, its due-queue entry (time, MMSI, record index) and two
     * index slots (load <= 1/2); stale queue entries (dueq.h) come on top
     * only while a key changes more than once per reorder window */
    return sizeof(struct vessel) + sizeof(struct dueq_ent) + 2 * sizeof(struct slot);
}
