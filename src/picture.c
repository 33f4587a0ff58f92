/*
 * picture.c - the live maritime picture (picture.h).
 *
 * Vessels live in one array of max_vessels slots (dense: slots 0..n-1 are
 * used, an evicted vessel's slot goes to the newcomer), found by MMSI
 * through an open-addressing hash (linear probing, backward-shift delete)
 * of twice as many uint32 slot numbers, and chained in a doubly linked
 * least-recently-heard list (a position or static report moves a vessel to
 * the front; past max_vessels the back one goes). A reader-writer lock
 * guards them: snapshots (the dashboard) read in parallel, reports write.
 *
 * Each vessel's track is a ring of compact points that grows by doubling
 * up to track_points, so a vessel heard once costs no track memory.
 *
 * Memory per vessel (x86-64, sizeof checked): the slot 168 bytes (struct
 * vessel: latest position 48, static data 72, links and ring bookkeeping,
 * the stored history's 16-byte downsampler state and marks) + 8 bytes of
 * hash + 20 bytes per track point (struct tpoint), so 168 + 8 + 20 x 256 =
 * 5.3 KB for a vessel with a full 256-point track, 176 bytes for one heard
 * once (its first 4 points add 80). 200,000 vessels: 35 MB without tracks,
 * at most 1.06 GB with every track full (cmd_serve.c's picture_new(200000,
 * 256, ...)); test_picture measured 543 bytes per vessel with 16 points,
 * news ring included (519 before the history's 24 bytes).
 *
 * With the stored history on (picture_history_on, src/history.c), each
 * vessel also carries the history's downsampler state (struct th_last, 16
 * bytes) and two dirty marks (the slot is 168 bytes instead of 144, with or
 * without history), the picture a list of dirty slots (4 bytes per vessel,
 * allocated when history is on: 0.8 MB for 200,000) and a log of the points th_keep kept since
 * the last drain (bounded: kept_max): the flusher drains them in one short
 * write-locked call and writes to the store without the lock. An evicted
 * dirty vessel's slot stays on the list (the newcomer is dirty too): only
 * its latest position is lost to the store, its kept points are logged.
 *
 * The news ring (news_ring entries) has its own mutex and a condition
 * variable that picture_news_since waits on. Once the picture is closed,
 * picture_news_since returns 0 at once with *lost set (the news after
 * `after` will never come): 0 news and lost is never seen otherwise (lost
 * news means the ring is full, so there is news to return), so a caller
 * can tell the close from a timeout.
 *
 * picture_close wakes the waiters and then waits (at most
 * PIC_CLOSE_WAIT_MS) until every follower (a thread that called
 * picture_news_since with a timeout) has been told of the close by one
 * call and then called once more: a follower cleans up between those two
 * calls (web_sse.c resumes its suspended live streams), and the caller of
 * picture_close may rely on that being done (libmicrohttpd must not be
 * stopped with suspended connections).
 */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "picture.h"

#define PIC_NONE UINT32_MAX
#define PIC_MAX_FOLLOWERS 16
#define PIC_CLOSE_WAIT_MS 2000

/* One track point: 20 bytes instead of the 40 of a pic_position. Times to
 * the second (a track is drawn, not replayed), positions to 1e-7 degree
 * (1 cm), speed and course to 0.1. */
struct tpoint {
    uint32_t t_s;                    /* seconds since 1970 (to 2106; earlier: 0) */
    int32_t lat7, lon7;
    uint16_t sog10, cog10;           /* UINT16_MAX: not available */
    int16_t heading;
};

struct vessel {
    struct pic_position pos;         /* latest */
    struct pic_static st;
    uint32_t prev, next;             /* least-recently-heard list */
    struct tpoint *ring;             /* cap points, oldest at head */
    uint16_t cap, len, head;
    bool has_pos, has_static;
    bool dirty, static_dirty;        /* history: changed since the last drain */
    struct th_last hist;             /* history: the last point it kept */
};

struct news_slot {
    uint64_t seq;
    char kind[16];
    char *json;
};

struct picture {
    pthread_rwlock_t lock;           /* vessels, hash, list */
    struct vessel *v;
    size_t n, max;
    uint32_t *hash;                  /* slot numbers, PIC_NONE: empty */
    size_t hmask;
    uint32_t mru, lru;               /* list ends */
    size_t track_points;

    /* the stored history's side (all under lock; off: hist_on false) */
    bool hist_on;
    struct th_rule rule;
    uint32_t *dirty;                 /* slots marked dirty, each once */
    size_t ndirty;
    struct th_point *kept;           /* points th_keep kept since the last drain */
    size_t nkept, kept_cap, kept_max;
    uint64_t dropped;

    pthread_mutex_t nmu;             /* news ring, followers, closed */
    pthread_cond_t ncv, closecv;
    struct news_slot *ring;
    size_t ring_cap;
    uint64_t last_seq;
    bool closed;
    struct follower {
        pthread_t th;
        bool told;                   /* a call returned to it after the close */
    } followers[PIC_MAX_FOLLOWERS];
    size_t nfollowers;
};

picture *picture_new(size_t max_vessels, size_t track_points, size_t news_ring)
{
    if (max_vessels == 0 || max_vessels >= PIC_NONE / 4 || track_points > 32768 || news_ring == 0)
        return NULL;
    picture *p = calloc(1, sizeof *p);
    if (!p)
        return NULL;
    size_t hs = 1;
    while (hs < 2 * max_vessels)
        hs <<= 1;
    p->v = calloc(max_vessels, sizeof *p->v);   /* untouched pages cost nothing */
    p->hash = malloc(hs * sizeof *p->hash);
    p->ring = calloc(news_ring, sizeof *p->ring);
    if (!p->v || !p->hash || !p->ring) {
        free(p->v);
        free(p->hash);
        free(p->ring);
        free(p);
        return NULL;
    }
    memset(p->hash, 0xff, hs * sizeof *p->hash);
    p->hmask = hs - 1;
    p->max = max_vessels;
    p->track_points = track_points;
    p->mru = p->lru = PIC_NONE;
    p->ring_cap = news_ring;
    /* writers first: a dashboard taking snapshots back to back must not
     * starve live ingest (glibc's default prefers readers) */
    pthread_rwlockattr_t ra;
    pthread_rwlockattr_init(&ra);
    pthread_rwlockattr_setkind_np(&ra, PTHREAD_RWLOCK_PREFER_WRITER_NONRECURSIVE_NP);
    pthread_rwlock_init(&p->lock, &ra);
    pthread_rwlockattr_destroy(&ra);
    pthread_mutex_init(&p->nmu, NULL);
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&p->ncv, &ca);
    pthread_cond_init(&p->closecv, &ca);
    pthread_condattr_destroy(&ca);
    return p;
}

void picture_free(picture *p)
{
    if (!p)
        return;
    for (size_t i = 0; i < p->n; i++)
        free(p->v[i].ring);
    for (size_t i = 0; i < p->ring_cap; i++)
        free(p->ring[i].json);
    free(p->dirty);
    free(p->kept);
    pthread_rwlock_destroy(&p->lock);
    pthread_mutex_destroy(&p->nmu);
    pthread_cond_destroy(&p->ncv);
    pthread_cond_destroy(&p->closecv);
    free(p->v);
    free(p->hash);
    free(p->ring);
    free(p);
}

/* ---- vessels (under the write lock unless said) ---- */

static size_t hash_home(const picture *p, uint32_t mmsi)
{
    uint32_t h = mmsi * 2654435761u;     /* Knuth's multiplicative hash */
    return (size_t)(h ^ (h >> 15)) & p->hmask;
}

/* The slot of mmsi, PIC_NONE when unknown (read lock is enough). */
static uint32_t find(const picture *p, uint32_t mmsi)
{
    for (size_t i = hash_home(p, mmsi);; i = (i + 1) & p->hmask) {
        uint32_t s = p->hash[i];
        if (s == PIC_NONE)
            return PIC_NONE;
        if (p->v[s].pos.mmsi == mmsi)
            return s;
    }
}

static void hash_insert(picture *p, uint32_t mmsi, uint32_t slot)
{
    size_t i = hash_home(p, mmsi);
    while (p->hash[i] != PIC_NONE)
        i = (i + 1) & p->hmask;
    p->hash[i] = slot;
}

/* Removes mmsi's entry; later entries of its run shift back so that every
 * lookup still finds its key before the first empty cell. */
static void hash_remove(picture *p, uint32_t mmsi)
{
    size_t i = hash_home(p, mmsi);
    while (p->hash[i] != PIC_NONE && p->v[p->hash[i]].pos.mmsi != mmsi)
        i = (i + 1) & p->hmask;
    if (p->hash[i] == PIC_NONE)
        return;
    size_t hole = i;
    for (size_t j = (i + 1) & p->hmask; p->hash[j] != PIC_NONE; j = (j + 1) & p->hmask) {
        size_t home = hash_home(p, p->v[p->hash[j]].pos.mmsi);
        /* j's entry may move to the hole when its home is not in (hole, j] */
        bool stays = hole <= j ? (home > hole && home <= j) : (home > hole || home <= j);
        if (!stays) {
            p->hash[hole] = p->hash[j];
            hole = j;
        }
    }
    p->hash[hole] = PIC_NONE;
}

static void list_unlink(picture *p, uint32_t s)
{
    struct vessel *v = &p->v[s];
    if (v->prev != PIC_NONE)
        p->v[v->prev].next = v->next;
    else
        p->mru = v->next;
    if (v->next != PIC_NONE)
        p->v[v->next].prev = v->prev;
    else
        p->lru = v->prev;
    v->prev = v->next = PIC_NONE;
}

static void list_front(picture *p, uint32_t s)
{
    struct vessel *v = &p->v[s];
    v->prev = PIC_NONE;
    v->next = p->mru;
    if (p->mru != PIC_NONE)
        p->v[p->mru].prev = s;
    p->mru = s;
    if (p->lru == PIC_NONE)
        p->lru = s;
}

/* The slot of mmsi, made when new (evicting the least recently heard when
 * full), moved to the front of the list. */
static uint32_t touch(picture *p, uint32_t mmsi)
{
    uint32_t s = find(p, mmsi);
    if (s != PIC_NONE) {
        if (p->mru != s) {
            list_unlink(p, s);
            list_front(p, s);
        }
        return s;
    }
    if (p->n < p->max) {
        s = (uint32_t)p->n++;
    } else {
        s = p->lru;
        hash_remove(p, p->v[s].pos.mmsi);
        list_unlink(p, s);
        free(p->v[s].ring);
    }
    bool listed = p->v[s].dirty;     /* the slot stays on the dirty list */
    memset(&p->v[s], 0, sizeof p->v[s]);
    p->v[s].dirty = listed;
    p->v[s].pos.mmsi = mmsi;
    p->v[s].st.mmsi = mmsi;
    p->v[s].pos.heading = -1;
    p->v[s].pos.sog = p->v[s].pos.cog = NAN;
    hash_insert(p, mmsi, s);
    list_front(p, s);
    return s;
}

static uint16_t pack10(float x, float max)
{
    return isnan(x) || x < 0 || x > max ? UINT16_MAX : (uint16_t)lroundf(x * 10.0f);
}

static float unpack10(uint16_t x)
{
    return x == UINT16_MAX ? NAN : (float)x / 10.0f;
}

/* Adds a point to the ring in time order (a late report goes to its place;
 * the oldest point leaves a full ring). */
static void track_add(picture *p, struct vessel *v, const struct pic_position *pos)
{
    if (p->track_points == 0)
        return;
    int64_t ts = pos->t_us / 1000000;
    uint32_t t_s = ts < 0 ? 0 : ts > UINT32_MAX ? UINT32_MAX : (uint32_t)ts;
    if (v->len == v->cap && v->cap == p->track_points && v->ring[v->head].t_s > t_s)
        return;                      /* older than everything in a full ring */
    if (v->len == v->cap) {
        if (v->cap < p->track_points) {
            size_t cap = v->cap ? (size_t)v->cap * 2 : 4;
            if (cap > p->track_points)
                cap = p->track_points;
            struct tpoint *r = malloc(cap * sizeof *r);
            if (!r)
                return;
            for (size_t i = 0; i < v->len; i++)
                r[i] = v->ring[(v->head + i) % v->cap];
            free(v->ring);
            v->ring = r;
            v->cap = (uint16_t)cap;
            v->head = 0;
        } else {
            v->head = (uint16_t)((v->head + 1) % v->cap);   /* drop the oldest */
            v->len--;
        }
    }
    struct tpoint t = {
        .t_s = t_s,
        .lat7 = (int32_t)lround(pos->lat * 1e7),
        .lon7 = (int32_t)lround(pos->lon * 1e7),
        .sog10 = pack10(pos->sog, 6000.0f),
        .cog10 = pack10(pos->cog, 360.0f),
        .heading = pos->heading,
    };
    /* usually the newest: append; otherwise shift the later ones up */
    size_t i = v->len;
    while (i > 0 && v->ring[(v->head + i - 1) % v->cap].t_s > t.t_s) {
        v->ring[(v->head + i) % v->cap] = v->ring[(v->head + i - 1) % v->cap];
        i--;
    }
    v->ring[(v->head + i) % v->cap] = t;
    v->len++;
}

/* The position news: the object of docs/api.md's `position` event. */
static int position_json(char *buf, size_t cap, const struct pic_position *pos, unsigned type)
{
    char cog[24] = "null", sog[24] = "null", hd[8] = "null";
    if (!isnan(pos->cog))
        snprintf(cog, sizeof cog, "%.1f", (double)pos->cog);
    if (!isnan(pos->sog))
        snprintf(sog, sizeof sog, "%.1f", (double)pos->sog);
    if (pos->heading >= 0)
        snprintf(hd, sizeof hd, "%d", pos->heading);
    int64_t t = pos->t_us >= 0 ? pos->t_us / 1000000 : -((-pos->t_us + 999999) / 1000000);
    return snprintf(buf, cap,
                    "{\"mmsi\":%" PRIu32 ",\"lat\":%.6f,\"lon\":%.6f,\"cog\":%s,\"sog\":%s,"
                    "\"heading\":%s,\"type\":%u,\"t\":%" PRId64 "}",
                    pos->mmsi, pos->lat, pos->lon, cog, sog, hd, type, t);
}

/* History: s changed since the last drain. */
static void mark_dirty(picture *p, uint32_t s)
{
    if (!p->hist_on || p->v[s].dirty)
        return;
    p->v[s].dirty = true;
    p->dirty[p->ndirty++] = s;       /* room: each slot is listed once */
}

static struct th_point to_th(const struct pic_position *pos)
{
    return (struct th_point){.mmsi = pos->mmsi, .t_us = pos->t_us, .lat = pos->lat,
                             .lon = pos->lon, .sog = pos->sog, .cog = pos->cog,
                             .heading = pos->heading};
}

/* History: the downsampler's verdict on pos, logged when kept. */
static void hist_keep(picture *p, struct vessel *v, const struct pic_position *pos)
{
    struct th_point tp = to_th(pos);
    if (!th_keep(&p->rule, &v->hist, &tp))
        return;
    if (p->nkept == p->kept_cap) {
        size_t cap = p->kept_cap ? p->kept_cap * 2 : 1024;
        if (cap > p->kept_max)
            cap = p->kept_max;
        struct th_point *k = cap > p->kept_cap ? realloc(p->kept, cap * sizeof *k) : NULL;
        if (!k) {
            p->dropped++;            /* full (or out of memory) until the next drain */
            return;
        }
        p->kept = k;
        p->kept_cap = cap;
    }
    p->kept[p->nkept++] = tp;
}

void picture_position(picture *p, const struct pic_position *pos)
{
    if (!p || !pos || !(pos->lat >= -90 && pos->lat <= 90 && pos->lon >= -180 && pos->lon <= 180))
        return;
    unsigned type;
    pthread_rwlock_wrlock(&p->lock);
    uint32_t s = touch(p, pos->mmsi);
    struct vessel *v = &p->v[s];
    if (!v->has_pos || pos->t_us >= v->pos.t_us) {
        v->pos = *pos;
        v->has_pos = true;
        mark_dirty(p, s);
    }
    track_add(p, v, pos);
    if (p->hist_on)
        hist_keep(p, v, pos);
    type = v->st.type;
    pthread_rwlock_unlock(&p->lock);
    char json[256];
    position_json(json, sizeof json, pos, type);
    picture_news(p, "position", json);
}

void picture_static(picture *p, const struct pic_static *st)
{
    if (!p || !st)
        return;
    pthread_rwlock_wrlock(&p->lock);
    uint32_t s = touch(p, st->mmsi);
    struct vessel *v = &p->v[s];
    struct pic_static before = v->st;
    /* a report fills what it knows: a type 24 part A has the name only */
    if (st->name[0])
        memcpy(v->st.name, st->name, sizeof v->st.name);
    if (st->callsign[0])
        memcpy(v->st.callsign, st->callsign, sizeof v->st.callsign);
    if (st->destination[0])
        memcpy(v->st.destination, st->destination, sizeof v->st.destination);
    if (st->imo)
        v->st.imo = st->imo;
    if (st->type)
        v->st.type = st->type;
    v->st.name[sizeof v->st.name - 1] = v->st.callsign[sizeof v->st.callsign - 1] = 0;
    v->st.destination[sizeof v->st.destination - 1] = 0;
    v->has_static = true;
    if (p->hist_on && memcmp(&before, &v->st, sizeof before) != 0) {
        mark_dirty(p, s);
        v->static_dirty = true;
    }
    pthread_rwlock_unlock(&p->lock);
}

static bool in_box(double lat, double lon, double w, double s, double e, double n)
{
    if (lat < s || lat > n)
        return false;
    return w <= e ? lon >= w && lon <= e : lon >= w || lon <= e;
}

size_t picture_vessels(picture *p, double west, double south, double east, double north,
                       size_t limit, picture_vessel_fn fn, void *ctx)
{
    size_t hits = 0;
    pthread_rwlock_rdlock(&p->lock);
    for (size_t i = 0; i < p->n; i++) {
        const struct vessel *v = &p->v[i];
        if (!v->has_pos || !in_box(v->pos.lat, v->pos.lon, west, south, east, north))
            continue;
        if (hits++ < limit && fn)
            fn(ctx, &v->pos, &v->st);
    }
    pthread_rwlock_unlock(&p->lock);
    return hits;
}

/* The point of v's ring at index i (0: oldest) as a position. */
static struct pic_position track_point(const struct vessel *v, size_t i)
{
    const struct tpoint *t = &v->ring[(v->head + i) % v->cap];
    return (struct pic_position){
        .mmsi = v->pos.mmsi, .t_us = (int64_t)t->t_s * 1000000,
        .lat = t->lat7 / 1e7, .lon = t->lon7 / 1e7,
        .sog = unpack10(t->sog10), .cog = unpack10(t->cog10), .heading = t->heading};
}

size_t picture_vessels_at(picture *p, int64_t at_us, int64_t max_age_us, double west,
                          double south, double east, double north, size_t limit,
                          picture_vessel_fn fn, void *ctx)
{
    return picture_vessels_at_covered(p, at_us, max_age_us, west, south, east, north, limit,
                                      fn, ctx, NULL, NULL);
}

size_t picture_vessels_at_covered(picture *p, int64_t at_us, int64_t max_age_us, double west,
                                  double south, double east, double north, size_t limit,
                                  picture_vessel_fn fn, void *ctx, picture_mmsi_fn covered,
                                  void *cctx)
{
    size_t hits = 0;
    pthread_rwlock_rdlock(&p->lock);
    for (size_t i = 0; i < p->n; i++) {
        const struct vessel *v = &p->v[i];
        if (!v->has_pos)
            continue;
        struct pic_position pos;
        if (v->pos.t_us <= at_us) {
            pos = v->pos;            /* the latest (full precision) is the answer */
        } else {
            /* the ring is in time order: binary search for the last point
             * at or before at_us (times kept to the second) */
            size_t lo = 0, hi = v->len;          /* first point after at_us */
            while (lo < hi) {
                size_t mid = lo + (hi - lo) / 2;
                if ((int64_t)v->ring[(v->head + mid) % v->cap].t_s * 1000000 <= at_us)
                    lo = mid + 1;
                else
                    hi = mid;
            }
            if (lo == 0)
                continue;            /* not heard yet at at_us (or beyond the ring) */
            pos = track_point(v, lo - 1);
        }
        if (covered)
            covered(cctx, v->pos.mmsi);
        if (max_age_us > 0 && at_us - pos.t_us > max_age_us)
            continue;                /* a stale ghost */
        if (!in_box(pos.lat, pos.lon, west, south, east, north))
            continue;
        if (hits++ < limit && fn)
            fn(ctx, &pos, &v->st);
    }
    pthread_rwlock_unlock(&p->lock);
    return hits;
}

bool picture_vessel(picture *p, uint32_t mmsi, int64_t since_us, int64_t until_us,
                    struct pic_static *st, struct pic_position *track, size_t cap, size_t *n)
{
    *n = 0;
    pthread_rwlock_rdlock(&p->lock);
    uint32_t s = find(p, mmsi);
    if (s == PIC_NONE) {
        pthread_rwlock_unlock(&p->lock);
        return false;
    }
    const struct vessel *v = &p->v[s];
    if (st)
        *st = v->st;
    /* the latest cap points of the window, oldest first */
    size_t lo = 0, hi = v->len;      /* [lo, hi) in the window */
    while (lo < hi && since_us &&
           (int64_t)v->ring[(v->head + lo) % v->cap].t_s * 1000000 < since_us)
        lo++;
    while (hi > lo && until_us &&
           (int64_t)v->ring[(v->head + hi - 1) % v->cap].t_s * 1000000 > until_us)
        hi--;
    if (hi - lo > cap)
        lo = hi - cap;
    for (size_t i = lo; i < hi; i++) {
        const struct tpoint *t = &v->ring[(v->head + i) % v->cap];
        track[(*n)++] = (struct pic_position){
            .mmsi = mmsi, .t_us = (int64_t)t->t_s * 1000000,
            .lat = t->lat7 / 1e7, .lon = t->lon7 / 1e7,
            .sog = unpack10(t->sog10), .cog = unpack10(t->cog10), .heading = t->heading};
    }
    pthread_rwlock_unlock(&p->lock);
    return true;
}

size_t picture_count(picture *p)
{
    pthread_rwlock_rdlock(&p->lock);
    size_t n = p->n;
    pthread_rwlock_unlock(&p->lock);
    return n;
}

/* ---- the stored history's side ---- */

void picture_history_on(picture *p, const struct th_rule *rule, size_t kept_max)
{
    pthread_rwlock_wrlock(&p->lock);
    if (!p->hist_on) {
        p->dirty = malloc(p->max * sizeof *p->dirty);
        if (p->dirty) {
            p->hist_on = true;
            p->rule = *rule;
            p->kept_max = kept_max ? kept_max : 1;
        }
    }
    pthread_rwlock_unlock(&p->lock);
}

/* Room for n items of size sz in *arr (capacity *cap), grown by doubling. */
static bool grow(void *arr, size_t *cap, size_t n, size_t sz)
{
    if (n <= *cap)
        return true;
    size_t c = *cap ? *cap : 256;
    while (c < n)
        c *= 2;
    void *q = realloc(*(void **)arr, c * sz);
    if (!q)
        return false;
    *(void **)arr = q;
    *cap = c;
    return true;
}

bool picture_history_drain(picture *p, struct pic_batch *b)
{
    b->nkept = b->nlatest = b->nst = 0;
    b->dropped = 0;
    pthread_rwlock_wrlock(&p->lock);
    if (!p->hist_on) {
        pthread_rwlock_unlock(&p->lock);
        return true;
    }
    size_t nst = 0;
    for (size_t i = 0; i < p->ndirty; i++)
        nst += p->v[p->dirty[i]].static_dirty;
    if (!grow(&b->latest, &b->latest_cap, p->ndirty, sizeof *b->latest) ||
        !grow(&b->st, &b->st_cap, nst, sizeof *b->st)) {
        pthread_rwlock_unlock(&p->lock);
        return false;
    }
    for (size_t i = 0; i < p->ndirty; i++) {
        struct vessel *v = &p->v[p->dirty[i]];
        if (v->has_pos && v->dirty)
            b->latest[b->nlatest++] = to_th(&v->pos);
        if (v->static_dirty) {
            const struct pic_static *st = &v->st;
            struct th_static *o = &b->st[b->nst++];
            *o = (struct th_static){.mmsi = st->mmsi, .imo = st->imo, .type = st->type};
            memcpy(o->name, st->name, sizeof o->name);
            memcpy(o->callsign, st->callsign, sizeof o->callsign);
            memcpy(o->destination, st->destination, sizeof o->destination);
        }
        v->dirty = v->static_dirty = false;
    }
    p->ndirty = 0;
    /* the log changes hands: the caller's old array becomes the next log */
    struct th_point *k = b->kept;
    size_t kc = b->kept_cap;
    b->kept = p->kept;
    b->kept_cap = p->kept_cap;
    b->nkept = p->nkept;
    p->kept = k;
    p->kept_cap = kc > p->kept_max ? 0 : kc;
    if (!p->kept_cap) {
        free(k);
        p->kept = NULL;
    }
    p->nkept = 0;
    b->dropped = p->dropped;
    p->dropped = 0;
    pthread_rwlock_unlock(&p->lock);
    return true;
}

void picture_batch_free(struct pic_batch *b)
{
    free(b->kept);
    free(b->latest);
    free(b->st);
    memset(b, 0, sizeof *b);
}

void picture_seed(picture *p, const struct pic_position *pos, const struct pic_static *st)
{
    if (!p || !pos || !(pos->lat >= -90 && pos->lat <= 90 && pos->lon >= -180 && pos->lon <= 180))
        return;
    pthread_rwlock_wrlock(&p->lock);
    if (find(p, pos->mmsi) == PIC_NONE) {
        uint32_t s = touch(p, pos->mmsi);
        struct vessel *v = &p->v[s];
        v->pos = *pos;
        v->has_pos = true;
        if (st) {
            v->st = *st;
            v->st.mmsi = pos->mmsi;
            v->has_static = true;
        }
        track_add(p, v, pos);
        if (p->hist_on) {
            /* the store has this point: the next report is judged against it */
            struct th_point tp = to_th(pos);
            th_keep(&p->rule, &v->hist, &tp);
        }
    }
    pthread_rwlock_unlock(&p->lock);
}

bool picture_track_oldest(picture *p, uint32_t mmsi, int64_t *t_us)
{
    bool ok = false;
    pthread_rwlock_rdlock(&p->lock);
    uint32_t s = find(p, mmsi);
    if (s != PIC_NONE && p->v[s].len > 0) {
        *t_us = (int64_t)p->v[s].ring[p->v[s].head].t_s * 1000000;
        ok = true;
    }
    pthread_rwlock_unlock(&p->lock);
    return ok;
}

/* ---- news ---- */

uint64_t picture_news(picture *p, const char *kind, const char *json)
{
    if (!p || !kind || !json)
        return 0;
    char *copy = strdup(json);
    if (!copy)
        return 0;
    pthread_mutex_lock(&p->nmu);
    uint64_t seq = ++p->last_seq;
    struct news_slot *s = &p->ring[seq % p->ring_cap];
    free(s->json);
    s->seq = seq;
    snprintf(s->kind, sizeof s->kind, "%s", kind);
    s->json = copy;
    pthread_cond_broadcast(&p->ncv);
    pthread_mutex_unlock(&p->nmu);
    return seq;
}

static void follower_add(picture *p, pthread_t self)
{
    for (size_t i = 0; i < p->nfollowers; i++)
        if (pthread_equal(p->followers[i].th, self))
            return;
    if (p->nfollowers < PIC_MAX_FOLLOWERS)
        p->followers[p->nfollowers++] = (struct follower){.th = self};
}

/* A call of a closed picture: the first tells the follower, the next one
 * says it is done (picture_close may go on). */
static void follower_closed(picture *p, pthread_t self)
{
    for (size_t i = 0; i < p->nfollowers; i++)
        if (pthread_equal(p->followers[i].th, self)) {
            if (!p->followers[i].told) {
                p->followers[i].told = true;
                return;
            }
            p->followers[i] = p->followers[--p->nfollowers];
            pthread_cond_broadcast(&p->closecv);
            return;
        }
}

static void deadline_in(struct timespec *ts, int ms)
{
    clock_gettime(CLOCK_MONOTONIC, ts);
    ts->tv_sec += ms / 1000;
    ts->tv_nsec += (long)(ms % 1000) * 1000000L;
    if (ts->tv_nsec >= 1000000000L) {
        ts->tv_sec++;
        ts->tv_nsec -= 1000000000L;
    }
}

size_t picture_news_since(picture *p, uint64_t after, struct pic_news *out, size_t max,
                          int timeout_ms, bool *lost)
{
    bool lost_ = false;
    size_t k = 0;
    pthread_mutex_lock(&p->nmu);
    if (!p->closed) {
        if (timeout_ms > 0)
            follower_add(p, pthread_self());
        if (p->last_seq <= after && timeout_ms > 0) {
            struct timespec ts;
            deadline_in(&ts, timeout_ms);
            while (p->last_seq <= after && !p->closed)
                if (pthread_cond_timedwait(&p->ncv, &p->nmu, &ts) == ETIMEDOUT)
                    break;
        }
    }
    if (p->closed) {
        follower_closed(p, pthread_self());
        lost_ = true;
    } else {
        uint64_t oldest = p->last_seq >= p->ring_cap ? p->last_seq - p->ring_cap + 1 : 1;
        uint64_t from = after + 1;
        if (after == 0) {
            from = oldest;
        } else if (from < oldest) {
            lost_ = true;
            from = oldest;
        }
        for (uint64_t q = from; q <= p->last_seq && k < max; q++) {
            const struct news_slot *s = &p->ring[q % p->ring_cap];
            char *json = strdup(s->json);
            if (!json)
                break;
            out[k].seq = s->seq;
            memcpy(out[k].kind, s->kind, sizeof out[k].kind);
            out[k].json = json;
            k++;
        }
    }
    pthread_mutex_unlock(&p->nmu);
    if (lost)
        *lost = lost_;
    return k;
}

void picture_news_free(struct pic_news *n, size_t count)
{
    for (size_t i = 0; n && i < count; i++) {
        free(n[i].json);
        n[i].json = NULL;
    }
}

void picture_close(picture *p)
{
    if (!p)
        return;
    pthread_mutex_lock(&p->nmu);
    p->closed = true;
    pthread_cond_broadcast(&p->ncv);
    struct timespec ts;
    deadline_in(&ts, PIC_CLOSE_WAIT_MS);
    while (p->nfollowers > 0)
        if (pthread_cond_timedwait(&p->closecv, &p->nmu, &ts) == ETIMEDOUT)
            break;
    pthread_mutex_unlock(&p->nmu);
}
