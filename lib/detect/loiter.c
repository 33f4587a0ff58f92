/*
 * loiter.c - loitering, after Global Fishing Watch's loitering events
 * (Miller et al., "Identifying global patterns of transshipment behavior",
 * Frontiers in Marine Science 2018, and GFW's event documentation): one
 * vessel moving at an average speed <= loi_max_kn for >= loi_min_h, more
 * than loi_min_shore_nm from shore.
 *
 * Speed is implied from positions, never the reported SOG: the track is
 * thinned to steps of >= 10 minutes (so that GPS jitter of a drifting vessel
 * reporting every few seconds is not read as speed), each step's distance /
 * time must be <= loi_max_kn, and a step of gap_min_h or more (a gap: the
 * vessel was not seen) ends the episode. An episode is reported once, as
 * soon as it is certain to have ended: at a faster step, when the vessel
 * comes back after a gap, or, while it is still silent, at the first sweep
 * (once per SWEEP_MS of stream time) after gap_min_h of silence; or at the
 * end of the stream, marked open when the vessel could still have gone on.
 * It is reported at the centroid of its positions; the shore test is made
 * there. Unknown shore distance still reports, with shore_km NAN and the
 * detail saying so.
 *
 * Memory: one 80-byte record per vessel in a table at most half full (so up
 * to 160 bytes a vessel); vessels silent 48 h are dropped when room is
 * needed, their episode reported if it qualifies.
 */
#include <stdio.h>

#include "detect/internal.h"

#define STEP_MS (10 * 60000LL)          /* shortest step between positions used */
#define HORIZON_MS (48 * 3600000LL)     /* a vessel silent 48 h is dropped */
#define SWEEP_MS (3600000LL)            /* silent vessels' episodes closed this often */

struct vessel {
    struct det_vrec h;                /* h.t: last fix */
    int64_t anchor_t;                 /* last position used */
    int32_t anchor_lat, anchor_lon;
    int64_t start_t;                  /* episode: first position */
    int32_t start_lat, start_lon;
    double path_km;                   /* distance covered in the episode */
    double sum_lat, sum_lon;          /* of the episode's positions, lon unwrapped */
    uint32_t n;                       /* positions in the episode */
    bool active;                      /* an episode is open */
};
_Static_assert(sizeof(struct vessel) <= 80, "the top comment says 80 bytes");

struct loiter {
    struct det_config cfg;
    const struct det_geo *geo;
    det_emit_fn emit;
    void *engine;
    struct det_vtab v;
    bool any;                         /* a fix was seen: newest_t, next_sweep valid */
    int64_t newest_t;                 /* newest fix time of any vessel */
    int64_t next_sweep;
};

/* Longitude in degrees unwrapped to within 180 of `ref`. */
static double unwrap(double lon, double ref)
{
    while (lon - ref > 180)
        lon -= 360;
    while (lon - ref < -180)
        lon += 360;
    return lon;
}

static void add_position(struct vessel *s, int32_t lat, int32_t lon)
{
    s->sum_lat += det_deg(lat);
    s->sum_lon += unwrap(det_deg(lon), det_deg(s->start_lon));
    s->n++;
}

/* Ends the open episode of `s`; reports it when it qualifies. */
static void close_episode(struct loiter *l, struct vessel *s, bool open)
{
    if (!s->active)
        return;
    s->active = false;
    double hours = (s->anchor_t - s->start_t) / 3600000.0;
    if (hours < l->cfg.loi_min_h)
        return;
    struct det_event e;
    det_event_init(&e, DET_LOITERING, s->h.key - 1);
    e.start = s->start_t;
    e.end = s->anchor_t;
    e.lat = s->sum_lat / s->n;
    e.lon = unwrap(s->sum_lon / s->n, 0);
    e.end_lat = det_deg(s->anchor_lat);
    e.end_lon = det_deg(s->anchor_lon);
    e.duration_h = hours;
    e.distance_km = s->path_km;
    e.speed_kn = s->path_km / TRK_KM_PER_NM / hours;
    e.shore_km = det_shore_km(l->geo, (int32_t)lround(e.lat * TRK_DEG),
                              (int32_t)lround(e.lon * TRK_DEG));
    if (!isnan(e.shore_km) && e.shore_km <= l->cfg.loi_min_shore_nm * TRK_KM_PER_NM)
        return;
    char shore[40];
    if (isnan(e.shore_km))
        snprintf(shore, sizeof shore, "shore distance unknown");
    else
        snprintf(shore, sizeof shore, "%.0f nm from shore", e.shore_km / TRK_KM_PER_NM);
    snprintf(e.detail, sizeof e.detail, "%sat the centroid of %u positions, %s; "
             "%.1f km covered", open ? "open at end of stream; " : "", (unsigned)s->n,
             shore, s->path_km);
    l->emit(l->engine, &e);
}

/* One step from the last position used to `f`. */
static void step(struct loiter *l, struct vessel *s, const struct trk_fix *f)
{
    int64_t dt = f->t - s->anchor_t;
    /* a silence of gap_min_h is a gap (gap.c): the vessel was not seen; a
     * step whose latitude change alone is too fast is not slow either, and
     * then its distance is not needed (det_dist_km_min) */
    double km = 0;
    bool slow = dt < l->cfg.gap_min_h * 3600000.0
                && det_speed_kn(det_dist_km_min(s->anchor_lat, f->lat), dt) <= l->cfg.loi_max_kn
                && det_speed_kn(km = det_dist_km(s->anchor_lat, s->anchor_lon, f->lat, f->lon),
                                dt) <= l->cfg.loi_max_kn;
    if (!slow) {
        close_episode(l, s, false);
    } else {
        if (!s->active) {
            s->active = true;
            s->start_t = s->anchor_t;
            s->start_lat = s->anchor_lat;
            s->start_lon = s->anchor_lon;
            s->path_km = s->sum_lat = s->sum_lon = 0;
            s->n = 0;
            add_position(s, s->anchor_lat, s->anchor_lon);
        }
        s->path_km += km;
        add_position(s, f->lat, f->lon);
    }
    s->anchor_t = f->t;
    s->anchor_lat = f->lat;
    s->anchor_lon = f->lon;
}

/* A vessel silent HORIZON_MS: its episode ended at its last position. */
static void evicted(void *ctx, struct det_vrec *r)
{
    close_episode(ctx, (struct vessel *)r, false);
}

/* True when the vessel of `s` has been silent long enough (gap_min_h) that
 * its next step can only end the episode. */
static bool silent_long(const struct loiter *l, const struct vessel *s)
{
    return l->newest_t - s->anchor_t >= l->cfg.gap_min_h * 3600000.0;
}

/* Sweep: the episode of a vessel silent gap_min_h is over. */
static void ended(void *ctx, struct det_vrec *r)
{
    struct loiter *l = ctx;
    struct vessel *s = (struct vessel *)r;
    if (s->active && silent_long(l, s))
        close_episode(l, s, false);
}

/* End of stream: open unless the vessel was already silent gap_min_h. */
static void still_open(void *ctx, struct det_vrec *r)
{
    struct loiter *l = ctx;
    struct vessel *s = (struct vessel *)r;
    close_episode(l, s, !silent_long(l, s));
}

/* Advances stream time; sweeps at most once per SWEEP_MS of it. */
static void advance(struct loiter *l, int64_t t)
{
    if (!l->any) {
        l->any = true;
        l->newest_t = t;
        l->next_sweep = t + SWEEP_MS;
        return;
    }
    if (t > l->newest_t)
        l->newest_t = t;
    if (l->newest_t >= l->next_sweep) {
        det_vtab_each(&l->v, ended, l);
        l->next_sweep = l->newest_t + SWEEP_MS;
    }
}

static void *create(const struct det_config *cfg, const struct det_geo *geo,
                    det_emit_fn emit, void *engine)
{
    struct loiter *l = calloc(1, sizeof *l);
    if (!l)
        return NULL;
    l->cfg = *cfg;
    l->geo = geo;
    l->emit = emit;
    l->engine = engine;
    det_vtab_init(&l->v, sizeof(struct vessel), HORIZON_MS, evicted, l);
    return l;
}

static void fix(void *self, const struct trk_fix *f, const struct trk_static *st)
{
    struct loiter *l = self;
    (void)st;
    if (det_null_island(f))
        return;
    advance(l, f->t);
    bool created;
    struct vessel *s = det_vtab_get(&l->v, f->mmsi, f->t, &created);
    if (!s)
        return;
    if (created) {
        s->anchor_t = f->t;
        s->anchor_lat = f->lat;
        s->anchor_lon = f->lon;
    } else if (f->t - s->anchor_t >= STEP_MS) {
        step(l, s, f);
    }
    if (f->t > s->h.t)
        s->h.t = f->t;
}

static void finish(void *self)
{
    struct loiter *l = self;
    det_vtab_each(&l->v, still_open, l);
}

static void destroy(void *self)
{
    struct loiter *l = self;
    det_vtab_free(&l->v);
    free(l);
}

static void prefetch(void *self, uint32_t mmsi)
{
    struct loiter *l = self;
    /* every fix reads the header and the anchor; the record is 80 bytes,
     * so a quarter of them straddle into a second line */
    det_vtab_prefetch_n(&l->v, mmsi, offsetof(struct vessel, start_t));
}

const struct det_ops det_loiter_ops = {"loiter", create, fix, NULL, finish, destroy, prefetch, NULL, NULL};
