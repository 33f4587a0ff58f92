/*
 * ingest_ais.c - the maritime core of live ingest (ingest_int.h): every
 * NMEA source has its own decoder (multipart reassembly and receive times
 * per source: tag block c:, $PGHP, trailing epoch; a line without any gets
 * its arrival time), and all of them feed ONE tracker and ONE detector
 * engine, as `alidade ais detect` runs them (src/cmd_detect.c: same
 * library calls, same geography options). Each event becomes the STIX
 * objects `ais detect -f stix` writes (lib/detect/stix.c: deterministic
 * ids, so a re-read adds nothing twice) in the pending batch, and
 * "event" news in the picture; positions and static data go to the picture.
 * The feed clock (feed_clock.h) judges every receive time (times far ahead
 * of the wall clock or far behind the feed are not believed, a jump is a
 * feed discontinuity for the detectors) and drives the detectors' live
 * clock (mar_tick: det_tick once a second, so that a vessel that went dark
 * is reported while it is dark). The gap detector's record and the static
 * data of every vessel that changed are saved with a batch every few
 * seconds and at the stop (vessel_state.h), and restored at start, so that
 * a socket source, which cannot re-read, judges a silence across a restart.
 * Everything here runs under ingest.mu.
 */
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "alidade/stix.h"
#include "alidade/vessel_state.h"
#include "clock.h"
#include "feed_clock.h"
#include "geofiles.h"
#include "ingest_int.h"
#include "input.h"

#define FIX_BATCH 32
#define REORDER_MS (10LL * 60 * 1000)  /* the tracker's reorder window (its default) */
#define TICK_MS 1000                   /* det_tick at most this often (wall clock) */
#define STATE_MS 10000                 /* vessel states saved every 10 s (wall) ... */
#define STATE_DATA_MS (10LL * 60 * 1000) /* ... or 10 min of feed clock, if sooner */
#define STATE_KEEP_MS (30LL * 86400000) /* records kept: the gap detector's horizon */

/* A set of vessels keyed by MMSI (open addressing, key mmsi + 1, tombstone
 * UINT32_MAX), each with its static data and a time: the vessels changed
 * since their states were last saved, and the saved static data waiting to
 * be given back to the tracker when the vessel is heard again. */
struct vset {
    uint32_t *key;
    struct vset_val {
        struct trk_static st;
        int64_t t;
    } *val;
    size_t cap, n, used;             /* n live entries, used = n + tombstones */
};

struct mar {
    struct ingest *in;
    trk_tracker *trk;
    det_engine *det;
    det_zones *zones;
    det_geodata *shore, *anch, *land;
    struct det_geo_layers layers;
    struct det_geo geo;
    struct det_stix_opts sopt;
    struct trk_fix ffix[FIX_BATCH];
    struct trk_static fst[FIX_BATCH];
    size_t fn;
    /* which source last heard each MMSI (the events' provenance when
     * there are several NMEA sources): open addressing, key mmsi + 1 */
    uint32_t *fk;
    uint8_t *fv;
    size_t fcap, fcount;
    int nais;                        /* NMEA sources */
    struct source *only;             /* the one NMEA source, when nais == 1 */
    uint64_t d_events[DET__COUNT];   /* since the last metrics flush */
    uint64_t suppressed;             /* events dropped while re-reading (warm-up) */
    /* the feed clock (feed_clock.h) and the detectors' live clock */
    struct feed_clock clock;
    /* the newest position time given to the tracker per vessel (open
     * addressing, key mmsi + 1): a newer one than the detectors know is
     * held back by the tracker (the tick's det_tick_held) */
    uint32_t *pk;
    int64_t *pt;
    size_t pcap, pcount;
    int64_t last_tick_wall;          /* wall clock (ms) of the last det_tick */
    uint64_t d_ahead, d_behind, d_jumps;   /* since the last metrics flush */
    bool said_ahead, said_behind;    /* logged once per run */
    /* vessel states (vessel_state.h) */
    struct vset dirty;               /* changed since last saved */
    struct vset saved;               /* static data to give back to the tracker */
    int64_t last_state_wall;         /* wall clock (ms) of the last take */
    int64_t last_state_clock;        /* the feed clock then */
    bool seeding;                    /* giving saved static data to the tracker */
};

/* ---- vessel sets ---- */

static size_t vset_slot(const struct vset *v, uint32_t key)
{
    size_t i = (key * 2654435761u) & (v->cap - 1), tomb = SIZE_MAX;
    while (v->key[i] && v->key[i] != key) {
        if (v->key[i] == UINT32_MAX && tomb == SIZE_MAX)
            tomb = i;
        i = (i + 1) & (v->cap - 1);
    }
    return v->key[i] == key || tomb == SIZE_MAX ? i : tomb;
}

/* The entry of mmsi, NULL when absent. */
static struct vset_val *vset_find(const struct vset *v, uint32_t mmsi)
{
    if (!v->n || mmsi >= UINT32_MAX - 1)
        return NULL;
    size_t i = (mmsi + 1) * 2654435761u & (v->cap - 1);
    while (v->key[i]) {
        if (v->key[i] == mmsi + 1)
            return &v->val[i];
        i = (i + 1) & (v->cap - 1);
    }
    return NULL;
}

static bool vset_grow(struct vset *v)
{
    /* twice as large when a quarter full of live entries, else the same
     * size without its tombstones */
    size_t cap = !v->cap ? 1024 : v->n * 4 > v->cap ? v->cap * 2 : v->cap;
    struct vset nv = {.key = calloc(cap, sizeof *nv.key), .val = malloc(cap * sizeof *nv.val),
                      .cap = cap};
    if (!nv.key || !nv.val) {
        free(nv.key);
        free(nv.val);
        return false;
    }
    for (size_t i = 0; i < v->cap; i++)
        if (v->key[i] && v->key[i] != UINT32_MAX) {
            size_t j = vset_slot(&nv, v->key[i]);
            nv.key[j] = v->key[i];
            nv.val[j] = v->val[i];
            nv.n++;
        }
    nv.used = nv.n;
    free(v->key);
    free(v->val);
    *v = nv;
    return true;
}

/* The entry of mmsi, added (zeroed) when absent; NULL when out of memory. */
static struct vset_val *vset_add(struct vset *v, uint32_t mmsi)
{
    if (mmsi >= UINT32_MAX - 1)
        return NULL;
    struct vset_val *e = vset_find(v, mmsi);
    if (e)
        return e;
    if ((v->used + 1) * 2 > v->cap && !vset_grow(v))
        return NULL;
    size_t i = vset_slot(v, mmsi + 1);
    if (!v->key[i])
        v->used++;
    v->key[i] = mmsi + 1;
    v->n++;
    memset(&v->val[i], 0, sizeof v->val[i]);
    return &v->val[i];
}

static void vset_del(struct vset *v, struct vset_val *e)
{
    size_t i = (size_t)(e - v->val);
    v->key[i] = UINT32_MAX;
    v->n--;
}

static void vset_free(struct vset *v)
{
    free(v->key);
    free(v->val);
    *v = (struct vset){0};
}


static bool load_states(struct mar *m, char *err, size_t errlen);

bool mar_new(struct ingest *in, char *err, size_t errlen)
{
    const struct serve_settings *o = in->env->o;
    struct mar *m = calloc(1, sizeof *m);
    if (!m) {
        snprintf(err, errlen, "out of memory");
        return false;
    }
    in->mar = m;
    m->in = in;
    if (o->shore && !(m->shore = geofiles_load("shore", o->shore, 's', err, errlen)))
        return false;
    if (o->anchorages && !(m->anch = geofiles_load("anchorages", o->anchorages, 'a', err, errlen)))
        return false;
    m->layers.shore = m->shore;
    m->layers.anchorages = m->anch;
    bool builtin = o->shore && strcmp(o->shore, "builtin") == 0;
    /* the operator's own shore polygons double as the land mask; the
     * builtin 1:50m land does not (as `ais detect`) */
    m->layers.land = m->shore && !builtin && det_geo_count(m->shore).rings ? m->shore : NULL;
    m->layers.land_margin_km = builtin ? GEOFILES_BUILTIN_LAND_MARGIN_KM : 0;
    det_geo_bind(&m->geo, &m->layers);
    if (o->zones) {
        char why[512];
        size_t zlen;
        char *text = input_read_all(o->zones, INPUT_SMALL_MAX, &zlen, why, sizeof why);
        m->zones = text ? det_zones_load(text, zlen, why, sizeof why) : NULL;
        free(text);
        if (!m->zones) {
            snprintf(err, errlen, "--zones %s: %s", o->zones, why);
            return false;
        }
        m->geo.zones = m->zones;
    }
    m->sopt = (struct det_stix_opts){.identity_name = in->ident_name, .tlp = (unsigned)in->tlp};
    fc_init(&m->clock, o->max_clock_jump_h > 0 ? (int64_t)(o->max_clock_jump_h * 3600000.0)
                                               : FC_MAX_JUMP_MS, FC_NONE);
    m->last_state_clock = FC_NONE;
    metrics_describe(in->m, "alidade_ingest_clock_jumps_total", "counter",
                     "Jumps of the AIS feed clock beyond --max-clock-jump (feed discontinuities: "
                     "no gap across them)");
    return load_states(m, err, errlen);
}

void mar_free(struct ingest *in)
{
    struct mar *m = in->mar;
    if (!m)
        return;
    free(m->fk);
    free(m->fv);
    free(m->pk);
    free(m->pt);
    vset_free(&m->dirty);
    vset_free(&m->saved);
    trk_free(m->trk);
    det_free(m->det);
    det_zones_free(m->zones);
    det_geo_free(m->shore);
    det_geo_free(m->anch);
    free(m);
    in->mar = NULL;
}

/* ---- provenance: the source that last heard a vessel ---- */

#define FEED_MAX ((size_t)1 << 22)   /* past this many MMSIs the map starts again */

static size_t feed_slot(const struct mar *m, uint32_t key)
{
    size_t i = (key * 2654435761u) & (m->fcap - 1);
    while (m->fk[i] && m->fk[i] != key)
        i = (i + 1) & (m->fcap - 1);
    return i;
}

static void feed_note(struct mar *m, uint32_t mmsi, uint8_t src)
{
    uint32_t key = mmsi + 1;
    if (!key)
        return;
    if ((m->fcount + 1) * 2 > m->fcap) {
        size_t cap = m->fcap ? m->fcap * 2 : 4096;
        if (cap > FEED_MAX)
            cap = m->fcap;           /* full: forget everything, start again */
        uint32_t *ok = m->fk;
        uint8_t *ov = m->fv;
        size_t ocap = m->fcap;
        m->fk = calloc(cap, sizeof *m->fk);
        m->fv = calloc(cap, sizeof *m->fv);
        if (!m->fk || !m->fv) {
            free(m->fk);
            free(m->fv);
            m->fk = ok;
            m->fv = ov;
            return;
        }
        m->fcap = cap;
        m->fcount = 0;
        for (size_t i = 0; ok && cap != ocap && i < ocap; i++)
            if (ok[i]) {
                size_t j = feed_slot(m, ok[i]);
                m->fk[j] = ok[i];
                m->fv[j] = ov[i];
                m->fcount++;
            }
        free(ok);
        free(ov);
    }
    size_t i = feed_slot(m, key);
    if (!m->fk[i]) {
        m->fk[i] = key;
        m->fcount++;
    }
    m->fv[i] = src;
}

/* The label of the source that last heard mmsi ("" when unknown). */
static const char *feed_of(const struct mar *m, uint32_t mmsi)
{
    if (m->only)
        return m->only->label;
    if (!m->fcap)
        return "";
    size_t i = feed_slot(m, mmsi + 1);
    return m->fk[i] ? m->in->src[m->fv[i]].label : "";
}

/* ---- tracker -> detectors -> events ---- */

static void fix_flush(struct mar *m)
{
    if (m->fn)
        det_feed_fixes(m->det, m->ffix, m->fst, m->fn);
    m->fn = 0;
}

/* A vessel whose state changed (saved with a coming batch). */
static void dirty_note(struct mar *m, uint32_t mmsi, const struct trk_static *st)
{
    struct vset_val *e = vset_add(&m->dirty, mmsi);
    if (e)
        e->st = *st;
}

static void on_fix(void *ctx, const struct trk_fix *f, const struct trk_static *st)
{
    struct mar *m = ctx;
    dirty_note(m, f->mmsi, st);
    m->ffix[m->fn] = *f;
    m->fst[m->fn] = *st;
    if (++m->fn == FIX_BATCH)
        fix_flush(m);
}

static void on_static(void *ctx, uint32_t mmsi, const struct trk_static *before,
                      const struct trk_static *after)
{
    struct mar *m = ctx;
    if (m->seeding)                  /* what the tracker knew before the restart */
        return;
    fix_flush(m);                    /* the detectors see fixes and static data in order */
    dirty_note(m, mmsi, after);
    det_feed_static(m->det, mmsi, before, after, after->t);
    struct pic_static ps = {.mmsi = mmsi, .imo = after->imo, .type = after->shiptype};
    snprintf(ps.name, sizeof ps.name, "%s", after->name);
    snprintf(ps.callsign, sizeof ps.callsign, "%s", after->callsign);
    snprintf(ps.destination, sizeof ps.destination, "%s", after->destination);
    picture_static(m->in->pic, &ps);
}

static void set_time(json_t *o, const char *key, int64_t ms)
{
    char t[40];
    if (ms == AIS_TIME_NONE || !ais_format_time(ms, t, sizeof t))
        json_object_set_new(o, key, json_null());
    else
        json_object_set_new(o, key, json_string(t));
}

static void set_num(json_t *o, const char *key, double v)
{
    json_object_set_new(o, key, isfinite(v) ? json_real(v) : json_null());
}

static const char *tlp_name(enum stix_tlp t)
{
    static const char *const n[] = {"clear", "green", "amber", "amber+strict", "red"};
    return t >= STIX_TLP_CLEAR && t <= STIX_TLP_RED ? n[t] : "none";
}

/* The /api/events form of one event (docs/api.md) as picture news. */
static void event_news(struct mar *m, const struct det_event *e, const char *sighting_id,
                       const char *feed)
{
    json_t *o = json_object(), *d = json_object();
    if (!o || !d) {
        json_decref(o);
        json_decref(d);
        return;
    }
    json_object_set_new(o, "id", json_string(sighting_id));
    json_object_set_new(o, "event", json_string(det_kind_name(e->kind)));
    json_object_set_new(o, "mmsi", json_integer(e->mmsi));
    json_object_set_new(o, "mmsi2", e->mmsi2 ? json_integer(e->mmsi2) : json_null());
    set_time(o, "start", e->start);
    set_time(o, "end", e->end == AIS_TIME_NONE || e->end < e->start ? e->start : e->end);
    set_num(o, "lat", e->lat);
    set_num(o, "lon", e->lon);
    set_num(o, "end_lat", e->end_lat);
    set_num(o, "end_lon", e->end_lon);
    set_num(d, "duration_h", e->duration_h);
    set_num(d, "distance_km", e->distance_km);
    set_num(d, "speed_kn", e->speed_kn);
    set_num(d, "shore_km", e->shore_km);
    if (e->kind == DET_GAP)
        json_object_set_new(d, "likely_disabling", e->likely_disabling < 0 ? json_null()
                                                   : json_boolean(e->likely_disabling));
    if (e->ongoing)
        json_object_set_new(d, "ongoing", json_true());
    if (e->zone[0])
        json_object_set_new(d, "zone", json_string(e->zone));
    if (e->detail[0])
        json_object_set_new(d, "detail", json_string(e->detail));
    json_object_set_new(o, "details", d);
    json_object_set_new(o, "tlp", json_string(tlp_name(m->in->tlp)));
    json_object_set_new(o, "created_by", json_string(m->in->ident_id));
    json_object_set_new(o, "source", json_string("local"));
    json_object_set_new(o, "feed", json_string(feed));
    char *text = json_dumps(o, JSON_COMPACT);
    json_decref(o);
    if (text)
        picture_news(m->in->pic, "event", text);
    free(text);
}

struct split_ctx {
    struct ingest *in;
    char sighting[STIX_ID_MAX];
    const char *feed;                /* the sighting's x_alidade_feed, or NULL */
    bool failed;
};

static int split_one(void *ctx, const char *obj, size_t len, size_t index)
{
    (void)index;
    struct split_ctx *c = ctx;
    const char *p = memmem(obj, len < 120 ? len : 120, "\"id\":\"sighting--", 16);
    if (p)
        snprintf(c->sighting, sizeof c->sighting, "%.*s", 46, p + 6);
    char buf[4400];
    if (p && c->feed && c->feed[0] && len + 100 < sizeof buf && obj[len - 1] == '}') {
        /* provenance: which of this node's feeds heard it (labels are
         * letters, digits and . _ : -: nothing to escape) */
        memcpy(buf, obj, len - 1);
        len = (size_t)(len - 1) +
              (size_t)snprintf(buf + len - 1, 100, ",\"x_alidade_feed\":\"%s\"}", c->feed);
        obj = buf;
    }
    if (!ingest_pending_add(c->in, obj, len))
        c->failed = true;
    return 0;
}

static void on_event(void *ctx, const struct det_event *e)
{
    struct mar *m = ctx;
    struct ingest *in = m->in;
    if (in->warming) {               /* re-reading what was committed: known already */
        m->suppressed++;
        return;
    }
    char buf[4096];
    /* location and sighting separated by ",\n": a JSON array for stix_split */
    buf[0] = '[';
    size_t n = det_stix_event(e, &m->sopt, buf + 1, sizeof buf - 2);
    if (n)
        buf[++n] = ']';
    n += n ? 1 : 0;
    if (!n) {
        nlog_kv(in->log, NLOG_ERROR, "ingest", "event too large for its STIX form", "event",
                det_kind_name(e->kind), NULL);
        return;
    }
    buf[n] = '\0';
    ingest_fix_identity(in, buf, n);
    struct split_ctx sc = {.in = in, .feed = feed_of(m, e->mmsi)};
    char why[256];
    if (stix_split(buf, n, split_one, &sc, why, sizeof why) != 0 || sc.failed) {
        nlog_kv(in->log, NLOG_ERROR, "ingest", "event not queued", "event",
                det_kind_name(e->kind), "error", sc.failed ? "out of memory" : why, NULL);
        return;
    }
    if ((unsigned)e->kind < DET__COUNT)
        m->d_events[e->kind]++;
    event_news(m, e, sc.sighting, sc.feed);
}

/* The tracker and engine are made on first use so that mar_new stays cheap
 * when the geography fails to load. */
static bool core_ready(struct mar *m)
{
    if (m->trk)
        return true;
    m->trk = trk_new(&(struct trk_opts){.reorder_ms = REORDER_MS});
    m->det = det_new(NULL, &m->geo, on_event, m);
    if (!m->trk || !m->det) {
        trk_free(m->trk);
        det_free(m->det);
        m->trk = NULL;
        m->det = NULL;
        return false;
    }
    trk_set_cb(m->trk, on_fix, on_static, m);
    /* the definitions every event refers to, stored with the first batch */
    char *pre = malloc(16384 + 3);
    size_t pn = pre ? det_stix_preamble(&m->sopt, pre + 1, 16384) : 0;
    if (pn) {
        pre[0] = '[';
        pre[++pn] = ']';
        pre[++pn] = '\0';
        ingest_fix_identity(m->in, pre, pn);
        struct split_ctx sc = {.in = m->in};
        char why[256];
        stix_split(pre, pn, split_one, &sc, why, sizeof why);
    }
    free(pre);
    return true;
}

/* ---- the feed clock ---- */

static void log_time(struct ingest *in, const char *msg, const struct source *s, int64_t t,
                     int64_t ref, const char *ref_name)
{
    char a[40] = "?", b[40] = "?";
    ais_format_time(t, a, sizeof a);
    ais_format_time(ref, b, sizeof b);
    nlog_kv(in->log, NLOG_WARN, "ingest", msg, "source", s->label, "time", a, ref_name, b, NULL);
}

/* Judges the receive time t of a message from s (feed_clock.h): false when
 * it is not believed (dropped, counted, logged the first time). A jump of
 * the clock is a feed discontinuity: what the tracker holds goes to the
 * detectors, then they hear of it (det_discontinuity). */
static bool clock_believes(struct mar *m, struct source *s, int64_t t)
{
    int64_t from = 0;
    switch (fc_hear(&m->clock, t, s->arrival_ms, &from)) {
    case FC_OK:
        return true;
    case FC_AHEAD:
        m->d_ahead++;
        if (!m->said_ahead)
            log_time(m->in, "receive time ahead of the wall clock: not believed, message dropped "
                     "(counted as errors_total{reason=\"clock_ahead\"}; logged once)", s, t,
                     s->arrival_ms, "wall");
        m->said_ahead = true;
        return false;
    case FC_BEHIND:
        m->d_behind++;
        if (!m->said_behind)
            log_time(m->in, "receive time far behind the feed clock: not believed, message dropped "
                     "(counted as errors_total{reason=\"clock_behind\"}; logged once)", s, t,
                     m->clock.newest, "feed_clock");
        m->said_behind = true;
        return false;
    case FC_JUMP:
        m->d_jumps++;
        log_time(m->in, "feed clock jumped: a feed discontinuity, no silence across it is a gap",
                 s, t, from, "from");
        if (core_ready(m)) {
            trk_finish(m->trk);      /* everything held is from before the jump */
            fix_flush(m);
            det_discontinuity(m->det, from, t);
        }
        return true;
    }
    return true;
}

#define POS_MAX ((size_t)1 << 22)    /* past this many MMSIs the map starts again */

static size_t pos_slot(const struct mar *m, uint32_t key)
{
    size_t i = (key * 2654435761u) & (m->pcap - 1);
    while (m->pk[i] && m->pk[i] != key)
        i = (i + 1) & (m->pcap - 1);
    return i;
}

/* Notes the time of a position of mmsi given to the tracker. */
static void pos_note(struct mar *m, uint32_t mmsi, int64_t t)
{
    uint32_t key = mmsi + 1;
    if (!key)
        return;
    if ((m->pcount + 1) * 2 > m->pcap) {
        size_t cap = m->pcap ? m->pcap * 2 : 4096, ocap = m->pcap;
        if (cap > POS_MAX)
            cap = m->pcap;           /* full: forget everything, start again */
        uint32_t *ok = m->pk;
        int64_t *ot = m->pt;
        m->pk = calloc(cap, sizeof *m->pk);
        m->pt = malloc(cap * sizeof *m->pt);
        if (!m->pk || !m->pt) {
            free(m->pk);
            free(m->pt);
            m->pk = ok;
            m->pt = ot;
            return;
        }
        m->pcap = cap;
        m->pcount = 0;
        for (size_t i = 0; ok && cap != ocap && i < ocap; i++)
            if (ok[i]) {
                size_t j = pos_slot(m, ok[i]);
                m->pk[j] = ok[i];
                m->pt[j] = ot[i];
                m->pcount++;
            }
        free(ok);
        free(ot);
    }
    size_t i = pos_slot(m, key);
    if (!m->pk[i]) {
        m->pk[i] = key;
        m->pt[i] = t;
        m->pcount++;
    } else if (t > m->pt[i]) {
        m->pt[i] = t;
    }
}

/* det_tick_held's question: has the tracker been given a position of mmsi
 * newer than t that the detectors have not seen (it holds it back)? */
static bool pos_held(void *ctx, uint32_t mmsi, int64_t t)
{
    const struct mar *m = ctx;
    if (!m->pcap)
        return false;
    size_t i = pos_slot(m, mmsi + 1);
    return m->pk[i] && m->pt[i] > t;
}

void mar_tick(struct ingest *in, int64_t wall_us)
{
    struct mar *m = in->mar;
    if (!m || !m->trk || in->warming)
        return;
    int64_t wall = wall_us / 1000;
    if (wall - m->last_tick_wall < TICK_MS)
        return;
    m->last_tick_wall = wall;
    int64_t t = fc_now(&m->clock, wall);
    if (t == FC_NONE)
        return;
    /* a vessel of which the tracker holds a newer fix back for reordering
     * is not judged: that fix may end its silence */
    fix_flush(m);
    det_tick_held(m->det, t, pos_held, m);
}

/* ---- vessel states across restarts ---- */

/* The static data saved for mmsi goes to the tracker when the vessel is
 * first heard after the restart, as what it knew (no static-data event, no
 * news): a name changed across the restart is then an identity change. Not
 * when the message is older than the saved record (a followed file
 * re-reading its warm-up rebuilds everything itself). */
static void give_back_static(struct mar *m, uint32_t mmsi, int64_t t)
{
    struct vset_val *e = vset_find(&m->saved, mmsi);
    if (!e)
        return;
    if (t >= e->t) {
        struct trk_msg tm = {.time_ms = e->st.t ? e->st.t : AIS_TIME_NONE, .type = 5,
                             .mmsi = mmsi, .imo = e->st.imo, .shiptype = e->st.shiptype,
                             .length = e->st.length_m, .beam = e->st.beam_m};
        snprintf(tm.name, sizeof tm.name, "%s", e->st.name);
        snprintf(tm.callsign, sizeof tm.callsign, "%s", e->st.callsign);
        snprintf(tm.destination, sizeof tm.destination, "%s", e->st.destination);
        m->seeding = true;
        trk_feed_msgs(m->trk, &tm, 1);
        m->seeding = false;
    }
    vset_del(&m->saved, e);
    if (m->saved.n == 0)
        vset_free(&m->saved);
}

struct load_ctx {
    struct mar *m;
    size_t n, bad;
};

static int load_one(void *ctx, const struct vessel_state *v)
{
    struct load_ctx *c = ctx;
    if (!det_vessel_seed(c->m->det, &v->gap)) {
        c->bad++;
        return 0;
    }
    c->n++;
    if (v->st.name[0] || v->st.callsign[0] || v->st.imo || v->st.shiptype) {
        struct vset_val *e = vset_add(&c->m->saved, v->gap.mmsi);
        if (e) {
            e->st = v->st;
            e->t = v->gap.t;
        }
    }
    return 0;
}

/* At start: the records of the last 30 days (of the newest one) into the
 * gap detector, their static data kept for the tracker, older ones
 * removed; the newest fix time is the clock the previous run ended at (a
 * first receive time far after it is a jump). */
static bool load_states(struct mar *m, char *err, size_t errlen)
{
    struct ingest *in = m->in;
    int64_t newest;
    size_t pruned = 0;
    if (vessel_state_newest(in->st, &newest) != ALD_E_OK) {
        snprintf(err, errlen, "vessel states: %s", store_errmsg(in->st));
        return false;
    }
    if (newest == INT64_MIN)
        return true;
    if (vessel_state_prune(in->st, newest - STATE_KEEP_MS, &pruned) != ALD_E_OK) {
        snprintf(err, errlen, "vessel states: %s", store_errmsg(in->st));
        return false;
    }
    if (!core_ready(m)) {
        snprintf(err, errlen, "out of memory");
        return false;
    }
    struct load_ctx c = {.m = m};
    if (vessel_state_each(in->st, newest - STATE_KEEP_MS, load_one, &c) != ALD_E_OK) {
        snprintf(err, errlen, "vessel states: %s", store_errmsg(in->st));
        return false;
    }
    /* the feed clock saved with them (else their newest fix) */
    char *saved = NULL;
    m->clock.resume = newest;
    if (store_state_get(in->st, INGEST_CLOCK_KEY, &saved) == ALD_E_OK && saved) {
        char *end;
        long long v = strtoll(saved, &end, 10);
        if (end != saved && !*end)
            m->clock.resume = v;
    }
    free(saved);
    char n[24], p[24], b[24], t[40] = "?";
    snprintf(n, sizeof n, "%zu", c.n);
    snprintf(p, sizeof p, "%zu", pruned);
    snprintf(b, sizeof b, "%zu", c.bad);
    ais_format_time(newest, t, sizeof t);
    nlog_kv(in->log, NLOG_INFO, "ingest", "vessel states loaded", "vessels", n, "newest", t,
            "pruned", p, "not_restored", b, NULL);
    return true;
}

size_t mar_take_states(struct ingest *in, int64_t wall_us, bool all, struct vessel_state **out,
                       int64_t *clock_ms)
{
    struct mar *m = in->mar;
    *out = NULL;
    int64_t wall = wall_us / 1000;
    /* every 10 s, or sooner when the feed runs fast (a replay): a kill -9
     * then loses at most that much of the vessels' history */
    int64_t step = m->clock.max_jump / 2 < STATE_DATA_MS ? m->clock.max_jump / 2 : STATE_DATA_MS;
    bool due = wall - m->last_state_wall >= STATE_MS ||
               (m->clock.newest != FC_NONE && m->last_state_clock != FC_NONE &&
                m->clock.newest - m->last_state_clock >= step);
    if (!m->det || !m->dirty.n || (!all && !due))
        return 0;
    m->last_state_wall = wall;
    m->last_state_clock = m->clock.newest;
    *clock_ms = m->clock.newest;
    fix_flush(m);                    /* the gap detector's records up to date */
    struct vessel_state *v = malloc(m->dirty.n * sizeof *v);
    if (!v)
        return 0;                    /* stays dirty: the next take tries again */
    size_t n = 0;
    for (size_t i = 0; i < m->dirty.cap; i++) {
        uint32_t k = m->dirty.key[i];
        if (!k || k == UINT32_MAX)
            continue;
        /* a vessel the gap detector does not hold (no usable fix) has no
         * record to restore */
        if (det_vessel_get(m->det, k - 1, &v[n].gap)) {
            v[n].st = m->dirty.val[i].st;
            n++;
        }
    }
    vset_free(&m->dirty);
    if (!n) {
        free(v);
        return 0;
    }
    *out = v;
    return n;
}

/* ---- decoding ---- */

static void on_msg(void *ctx, const struct ais_msg *msg, const struct ais_meta *meta)
{
    struct source *s = ctx;
    struct mar *m = s->in->mar;
    struct ais_meta mt = *meta;
    if (mt.time_ms == AIS_TIME_NONE)
        mt.time_ms = s->arrival_ms;  /* a live feed without times: when it came */
    if (mt.time_ms > s->data_ms)
        s->data_ms = mt.time_ms;
    s->d_msgs++;
    /* (lines re-read for the warm-up are neither judged nor move the clock) */
    if (m && !s->warming && !clock_believes(m, s, mt.time_ms))
        return;
    int lat = 91 * 600000, lon = 181 * 600000;
    float sog = NAN, cog = NAN;
    int16_t hdg = -1;
    switch (msg->type) {
    case 1: case 2: case 3:
        lat = msg->u.t1.lat; lon = msg->u.t1.lon;
        sog = msg->u.t1.speed < 1023 ? (float)msg->u.t1.speed / 10.f : NAN;
        cog = msg->u.t1.course < 3600 ? (float)msg->u.t1.course / 10.f : NAN;
        hdg = msg->u.t1.heading < 360 ? (int16_t)msg->u.t1.heading : -1;
        break;
    case 18:
        lat = msg->u.t18.lat; lon = msg->u.t18.lon;
        sog = msg->u.t18.speed < 1023 ? (float)msg->u.t18.speed / 10.f : NAN;
        cog = msg->u.t18.course < 3600 ? (float)msg->u.t18.course / 10.f : NAN;
        hdg = msg->u.t18.heading < 360 ? (int16_t)msg->u.t18.heading : -1;
        break;
    case 19:
        lat = msg->u.t19.lat; lon = msg->u.t19.lon;
        sog = msg->u.t19.speed < 1023 ? (float)msg->u.t19.speed / 10.f : NAN;
        cog = msg->u.t19.course < 3600 ? (float)msg->u.t19.course / 10.f : NAN;
        hdg = msg->u.t19.heading < 360 ? (int16_t)msg->u.t19.heading : -1;
        break;
    case 27:
        lat = msg->u.t27.lat * 1000; lon = msg->u.t27.lon * 1000;   /* 1/10 min */
        sog = msg->u.t27.speed < 63 ? (float)msg->u.t27.speed : NAN;
        cog = msg->u.t27.course < 511 ? (float)msg->u.t27.course : NAN;
        break;
    default:
        break;
    }
    if (abs(lat) <= 90 * 600000 && abs(lon) <= 180 * 600000 && !s->warming) {
        struct pic_position p = {.mmsi = msg->mmsi, .t_us = mt.time_ms * 1000,
                                 .lat = lat / 600000.0, .lon = lon / 600000.0, .sog = sog,
                                 .cog = cog, .heading = hdg};
        picture_position(s->in->pic, &p);
    }
    if (m && m->nais > 1)
        feed_note(m, msg->mmsi, (uint8_t)(s - s->in->src));
    /* (not 0,0: the gap detector ignores "null island" fixes) */
    if (m && abs(lat) <= 90 * 600000 && abs(lon) <= 180 * 600000 && (lat || lon))
        pos_note(m, msg->mmsi, mt.time_ms);
    if (m && core_ready(m)) {
        if (m->saved.n)
            give_back_static(m, msg->mmsi, mt.time_ms);
        trk_feed(m->trk, msg, &mt);
    }
}

static void on_bad(void *ctx, const struct ald_errpos *err, const char *line, size_t len,
                   size_t line_no)
{
    (void)line;
    (void)len;
    (void)line_no;
    struct source *s = ctx;
    s->d_bad++;
    if ((unsigned)err->code < ALD_E__COUNT)
        s->d_err[err->code]++;
}

bool mar_source_init(struct source *s)
{
    struct mar *m = s->in->mar;
    if (m) {
        m->nais++;
        m->only = m->nais == 1 ? s : NULL;
    }
    struct ais_decoder_opts o = {.split24 = true};   /* as `ais detect` */
    s->dec = ais_decoder_new(&o);
    if (!s->dec)
        return false;
    ais_decoder_set_cb(s->dec, on_msg, on_bad, s);
    ais_decoder_set_default_source(s->dec, s->label);
    return true;
}

void mar_source_reset(struct source *s)
{
    if (s->dec)
        ais_decoder_finish(s->dec);
}

/* Fragment number and count of an AIS sentence on this line (after any
 * tag block): false when the line is not one. */
static bool frag_of(const char *p, size_t len, unsigned *num, unsigned *count)
{
    const char *end = p + len;
    const char *bang = memchr(p, '!', len);
    if (!bang || end - bang < 10 || bang[3] != 'V' || bang[4] != 'D' || bang[6] != ',')
        return false;
    const char *q = bang + 7;
    if (q + 3 >= end || q[0] < '1' || q[0] > '9' || q[1] != ',' || q[2] < '1' || q[2] > '9')
        return false;
    *count = (unsigned)(q[0] - '0');
    *num = (unsigned)(q[2] - '0');
    return true;
}

/* Keeps the per-hour checkpoints of a followed file and picks the offset a
 * restart re-reads from: the newest checkpoint at least INGEST_WARM_MS of
 * data time older than now (docs/node.md: restart). */
static void checkpoint(struct fpos *fp, int64_t data_ms, uint64_t off)
{
    if (data_ms <= 0)
        return;
    if (fp->nck == 0 || data_ms - fp->ck_t[fp->nck - 1] >= 3600000) {
        if (fp->nck == 64) {
            memmove(fp->ck_t, fp->ck_t + 1, 63 * sizeof fp->ck_t[0]);
            memmove(fp->ck_off, fp->ck_off + 1, 63 * sizeof fp->ck_off[0]);
            fp->nck--;
        }
        fp->ck_t[fp->nck] = data_ms;
        fp->ck_off[fp->nck++] = off;
    }
    int k = -1;
    for (int i = 0; i < fp->nck; i++)
        if (fp->ck_t[i] <= data_ms - INGEST_WARM_MS)
            k = i;
    if (k >= 0) {
        fp->warm_ino = fp->ino;
        fp->warm_off = fp->ck_off[k];
        memmove(fp->ck_t, fp->ck_t + k, (size_t)(fp->nck - k) * sizeof fp->ck_t[0]);
        memmove(fp->ck_off, fp->ck_off + k, (size_t)(fp->nck - k) * sizeof fp->ck_off[0]);
        fp->nck -= k;
    }
}

void mar_feed(struct source *s, const char *buf, size_t len, uint64_t off, struct fpos *fp)
{
    struct ingest *in = s->in;
    uint64_t lines = 0;
    pthread_mutex_lock(&in->mu);
    s->arrival_ms = clock_wall_us() / 1000;
    in->last_line_us = s->arrival_ms * 1000;
    in->flushed = false;
    size_t i = 0;
    while (i < len) {
        const char *nl = memchr(buf + i, '\n', len - i);
        size_t e = nl ? (size_t)(nl - buf) : len;
        size_t ll = e - i;
        const char *line = buf + i;
        if (ll && line[ll - 1] == '\r')
            ll--;
        uint64_t line_off = off + i;
        lines++;
        unsigned num, count;
        if (fp && frag_of(line, ll, &num, &count) && count > 1) {
            if (num < count && !fp->frag_pending) {
                fp->frag_pending = true;
                fp->frag_start = line_off;
                fp->frag_lines = 0;
            } else if (num == count) {
                fp->frag_pending = false;
            }
        }
        if (fp && fp->frag_pending && ++fp->frag_lines > 100)
            fp->frag_pending = false; /* an orphan: the decoder drops it too */
        if (ll > LR_MAX_LINE)
            ais_decoder_reject_line(s->dec, ALD_E_NMEA_TOO_LONG, "line too long", line, 80);
        else
            ais_decoder_feed(s->dec, line, ll);
        i = nl ? e + 1 : len;
        if (s->warming && off + i >= s->warm_until) {
            s->warming = false;
            in->warming--;
            nlog_kv(in->log, NLOG_INFO, "ingest", "caught up with the committed position",
                    "source", s->label, NULL);
        }
    }
    s->d_lines += lines;
    if (fp) {
        uint64_t safe = fp->frag_pending ? fp->frag_start : off + len;
        /* re-reading before the committed offset: checkpoints yes (it is
         * the file's data), the committed offset stays */
        if (!s->warming && safe != fp->off) {
            fp->off = safe;
            fp->dirty = true;
        }
        checkpoint(fp, s->data_ms, safe);
    }
    pthread_mutex_unlock(&in->mu);
    ingest_lines_read(in, lines, fp != NULL);
}

void mar_idle_flush(struct ingest *in)
{
    struct mar *m = in->mar;
    if (!m || !m->trk)
        return;
    trk_finish(m->trk);
    fix_flush(m);
}

void mar_finish(struct ingest *in)
{
    struct mar *m = in->mar;
    if (!m || !m->trk)
        return;
    trk_finish(m->trk);
    fix_flush(m);
    det_finish(m->det);
}

void mar_flush_metrics(struct ingest *in)
{
    struct mar *m = in->mar;
    for (int k = 0; k < DET__COUNT; k++)
        if (m->d_events[k]) {
            metrics_add(in->m, "alidade_ingest_events_total", "detector",
                        det_kind_name((enum det_kind)k), (double)m->d_events[k]);
            m->d_events[k] = 0;
        }
    if (m->trk)
        metrics_set(in->m, "alidade_ingest_vessels", NULL, NULL,
                    (double)trk_stats(m->trk)->vessels);
    if (m->d_ahead)
        metrics_add(in->m, "alidade_ingest_errors_total", "reason", "clock_ahead",
                    (double)m->d_ahead);
    if (m->d_behind)
        metrics_add(in->m, "alidade_ingest_errors_total", "reason", "clock_behind",
                    (double)m->d_behind);
    /* present from the start (0), so that a jump shows as a change */
    metrics_add(in->m, "alidade_ingest_clock_jumps_total", NULL, NULL, (double)m->d_jumps);
    m->d_ahead = m->d_behind = m->d_jumps = 0;
}
