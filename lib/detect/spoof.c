/*
 * spoof.c - identity and spoofing: position jumps (teleport), one MMSI in two
 * far places at once (mmsi_clash), MMSIs that are no ITU-R M.585 identity
 * (invalid_mmsi, mid.c), name / call sign / IMO churn (identity_change), and
 * fixes at exactly 0,0 or on the operator's land mask (reported as teleport
 * with a detail saying so). Rules and thresholds: docs/detect-spoof.md.
 *
 * Each vessel keeps at most PLACES "places" (the last fix of each run of
 * mutually plausible fixes), one of them current. A fix joins the current
 * place when plausible from it (implied speed <= tel_max_kn or closer than
 * tel_min_km), else the most plausible other place (a switch), else it opens
 * a new place in the stalest slot (a jump). A jump becomes a teleport once
 * the vessel has been heard CONFIRM_MS longer without turning into a clash; a
 * switch between places of two fixes or more, between fixes >= clash_min_km
 * and <= clash_max_s apart, is a clash (once per episode).
 *
 * Memory: one 192-byte record per vessel in a det_vtab at most half full,
 * dropped after HORIZON_MS of silence (pending teleports are reported then),
 * and an 88-byte one in a second table for vessels whose identity changed.
 * Checked against the exactEarth 2012 capture (tests/detect/test_spoof.c).
 */
#include <stdio.h>
#include <string.h>

#include "detect/internal.h"

#define PLACES 4                      /* places remembered per vessel */
#define CONFIRM_MS (3600000LL)        /* a jump not undone within 1 h is a teleport */
#define PLACE_MS (24 * 3600000LL)     /* places silent 24 h are forgotten; a clash
                                         episode ends 24 h after its last switch */
#define ODD_MS (24 * 3600000LL)       /* 0,0 / on-land: one event per vessel per 24 h */
#define IDENT_MS (24 * 3600000LL)     /* identity changes are counted over 24 h */
#define IDENT_RING 16                 /* ... the last 16 of them (threshold cap) */
#define IDENT_EVENTS_MAX 8            /* identity events per vessel per 24 h */
#define NEED_MAX (IDENT_RING - IDENT_EVENTS_MAX) /* ident_max_changes above act as 8 */
#define HORIZON_MS PLACE_MS           /* idle vessels are dropped after this */

/* The last fix of a place and how many fixes it had (saturating). */
struct place {
    int64_t t;
    int32_t lat, lon;
    uint32_t n;
};

/* A jump waiting to be confirmed as a teleport. */
struct jump {
    int64_t t0, t1;                   /* from fix, to fix */
    int32_t lat0, lon0, lat1, lon1;
    int64_t back;                     /* first return to the first place, 0 = none */
    uint32_t more;                    /* further jumps folded into it */
};

/* Ordered by use: what every fix reads (the header, the flags, the places)
 * comes first, in the record's first two cache lines; the open jump and
 * the event times, rarely read, come last. */
struct vessel {
    struct det_vrec h;                /* h.t: last fix */
    uint8_t cur;                      /* the current place */
    uint8_t jump_from;                /* place the open jump left, PLACES: forgotten */
    bool pending;                     /* `jump` is open */
    bool clashed;                     /* clash_t is set */
    bool invalid_done;                /* MMSI checked (and reported if invalid) */
    struct place place[PLACES];       /* n == 0: free slot */
    struct jump jump;
    int64_t null_t, land_t;           /* last 0,0 / on-land event, 0 = none */
    int64_t clash_t;                  /* last switch that met the clash test */
};

_Static_assert(sizeof(struct vessel) == 192, "spoof vessel record grew");

/* Identity changes of one vessel, in a table of their own: few vessels ever
 * change their identity, so most never get one. */
struct ident {
    struct det_vrec h;                /* h.t: last change */
    uint32_t t[IDENT_RING];           /* change times, s since 1970 (ring) */
    uint8_t n, next;
};

_Static_assert(sizeof(struct ident) == 88, "spoof ident record grew");

struct spoof {
    struct det_config cfg;
    const struct det_geo *geo;
    det_emit_fn emit;
    void *engine;
    struct det_vtab v;                /* struct vessel, by fixes */
    struct det_vtab idv;              /* struct ident, by identity changes */
    bool ending;                      /* in finish(): open jumps are unconfirmed */
};

/* ---- helpers ---- */

static uint32_t mmsi_of(const struct vessel *s)
{
    return s->h.key - 1;
}

static struct place *cur_of(struct vessel *s)
{
    return &s->place[s->cur];
}

/* Implied speed from place `p` to the fix, 0 when the fix is too close for a
 * jump to count; plausible when <= tel_max_kn. */
static double step_kn(const struct spoof *sp, const struct place *p, const struct trk_fix *f)
{
    /* most steps are surely shorter than tel_min_km: no trigonometry */
    if (det_dist_km_max(p->lat, p->lon, f->lat, f->lon) < sp->cfg.tel_min_km)
        return 0;
    double km = det_dist_km(p->lat, p->lon, f->lat, f->lon);
    return km < sp->cfg.tel_min_km ? 0 : det_speed_kn(km, f->t - p->t);
}

/* The other place the fix is most plausible from, -1 when none. */
static int best_other(const struct spoof *sp, const struct vessel *s, const struct trk_fix *f)
{
    int best = -1;
    double best_kn = 0;
    for (int i = 0; i < PLACES; i++) {
        if (i == s->cur || s->place[i].n == 0)
            continue;
        double kn = step_kn(sp, &s->place[i], f);
        if (kn <= sp->cfg.tel_max_kn && (best < 0 || kn < best_kn)) {
            best = i;
            best_kn = kn;
        }
    }
    return best;
}

/* The slot for a new place: a free one, else the stalest (never current). */
static int new_slot(const struct vessel *s)
{
    int slot = -1;
    for (int i = 0; i < PLACES; i++) {
        if (i == s->cur)
            continue;
        if (s->place[i].n == 0)
            return i;
        if (slot < 0 || s->place[i].t < s->place[slot].t)
            slot = i;
    }
    return slot;
}

static void place_set(struct place *p, const struct trk_fix *f, uint32_t n)
{
    p->t = f->t;
    p->lat = f->lat;
    p->lon = f->lon;
    p->n = n;
}

/* Start and end of an event between two positions. */
static void event_span(struct det_event *e, int64_t t0, int32_t lat0, int32_t lon0,
                       int64_t t1, int32_t lat1, int32_t lon1)
{
    e->start = t0;
    e->end = t1;
    e->lat = det_deg(lat0);
    e->lon = det_deg(lon0);
    e->end_lat = det_deg(lat1);
    e->end_lon = det_deg(lon1);
    e->duration_h = (t1 - t0) / 3600000.0;
    e->distance_km = det_dist_km(lat0, lon0, lat1, lon1);
    e->speed_kn = det_speed_kn(e->distance_km, t1 - t0);
    if (!isfinite(e->speed_kn))
        e->speed_kn = NAN;            /* both at the same instant: no speed */
}

/* ---- teleport ---- */

/* Reports the open jump of `s` as a teleport. */
static void teleport_emit(struct spoof *sp, struct vessel *s)
{
    const struct jump *j = &s->jump;
    struct det_event e;
    det_event_init(&e, DET_TELEPORT, mmsi_of(s));
    event_span(&e, j->t0, j->lat0, j->lon0, j->t1, j->lat1, j->lon1);
    e.shore_km = det_shore_km(sp->geo, j->lat0, j->lon0);
    char back[48] = "", more[40] = "";
    if (j->back)
        snprintf(back, sizeof back, "; back after %.0f s", (j->back - j->t1) / 1000.0);
    if (j->more)
        snprintf(more, sizeof more, "; %u more jumps within 1 h", (unsigned)j->more);
    char speed[32];
    if (isnan(e.speed_kn))
        snprintf(speed, sizeof speed, "in 0 s");
    else
        snprintf(speed, sizeof speed, "at %.0f kn", e.speed_kn);
    snprintf(e.detail, sizeof e.detail, "jump of %.0f km %s%s%s%s", e.distance_km, speed, back,
             more, sp->ending ? "; stream ended within 1 h" : "");
    s->pending = false;
    sp->emit(sp->engine, &e);
}

/* The open jump is certain once the vessel has been heard CONFIRM_MS after
 * it without a clash. */
static void teleport_check(struct spoof *sp, struct vessel *s, int64_t now)
{
    if (s->pending && now - s->jump.t1 >= CONFIRM_MS)
        teleport_emit(sp, s);
}

/* A clash episode is live: a switch met the clash test within PLACE_MS. */
static bool clash_live(const struct vessel *s, int64_t t)
{
    return s->clashed && t - s->clash_t <= PLACE_MS;
}

/* A fix plausible from no remembered place: a new place, and a jump from the
 * current one (folded into the open jump when there is one). While a clash
 * episode is live, jumps are the shared MMSI's, not teleports. */
static void jump_open(struct vessel *s, const struct trk_fix *f)
{
    const struct place *c = cur_of(s);
    int slot = new_slot(s);
    if (s->pending) {
        s->jump.more++;
        if (slot == s->jump_from)
            s->jump_from = PLACES;
    } else if (!clash_live(s, f->t)) {
        s->jump = (struct jump){.t0 = c->t, .lat0 = c->lat, .lon0 = c->lon,
                                .t1 = f->t, .lat1 = f->lat, .lon1 = f->lon};
        s->jump_from = s->cur;
        s->pending = true;
    }
    s->cur = (uint8_t)slot;
    place_set(cur_of(s), f, 1);
}

/* ---- mmsi_clash ---- */

/* The vessel switched back to another place with fix `f`; `left` is the
 * place it left. The switch meets the clash test when both places have two
 * fixes or more and it spans >= clash_min_km in <= clash_max_s. The first
 * such switch of an episode is reported; the episode lasts while such
 * switches come less than PLACE_MS apart. */
static void clash_check(struct spoof *sp, struct vessel *s, const struct place *left,
                        const struct trk_fix *f)
{
    if (left->n < 2 || cur_of(s)->n < 2)
        return;
    double km = det_dist_km(left->lat, left->lon, f->lat, f->lon);
    if (km < sp->cfg.clash_min_km || (f->t - left->t) > sp->cfg.clash_max_s * 1000.0)
        return;
    bool live = clash_live(s, f->t);
    s->clashed = true;
    s->clash_t = f->t;
    s->pending = false;               /* two transmitters, not a jump */
    if (live)
        return;
    struct det_event e;
    det_event_init(&e, DET_MMSI_CLASH, mmsi_of(s));
    e.mmsi2 = mmsi_of(s);
    event_span(&e, left->t, left->lat, left->lon, f->t, f->lat, f->lon);
    e.shore_km = det_shore_km(sp->geo, f->lat, f->lon);
    snprintf(e.detail, sizeof e.detail,
             "heard %.0f km apart %.0f s apart, switching between places of %u and %u fixes",
             km, (f->t - left->t) / 1000.0, (unsigned)left->n, (unsigned)cur_of(s)->n);
    sp->emit(sp->engine, &e);
}

/* ---- 0,0 and land ---- */

/* One event per vessel per ODD_MS for 0,0 / on-land fixes; `last` is the
 * time of the previous one reported (0 = none). */
static void odd_emit(struct spoof *sp, struct vessel *s, int64_t *last, const struct trk_fix *f,
                     const char *what)
{
    if (*last != 0 && f->t - *last < ODD_MS)
        return;
    struct det_event e;
    det_event_init(&e, DET_TELEPORT, mmsi_of(s));
    e.start = e.end = f->t;
    e.lat = det_deg(f->lat);
    e.lon = det_deg(f->lon);
    e.shore_km = det_shore_km(sp->geo, f->lat, f->lon);
    snprintf(e.detail, sizeof e.detail, "%s", what);
    *last = f->t;
    sp->emit(sp->engine, &e);
}

static int on_land(const struct spoof *sp, const struct trk_fix *f)
{
    const struct det_geo *g = sp->geo;
    return g && g->on_land ? g->on_land(g->ctx, det_deg(f->lat), det_deg(f->lon)) : -1;
}

/* ---- invalid_mmsi ---- */

static void invalid_check(struct spoof *sp, struct vessel *s, const struct trk_fix *f)
{
    char why[96];
    s->invalid_done = true;
    if (!det_mmsi_invalid(f->mmsi, why, sizeof why))
        return;
    struct det_event e;
    det_event_init(&e, DET_INVALID_MMSI, f->mmsi);
    e.start = e.end = f->t;
    e.lat = det_deg(f->lat);
    e.lon = det_deg(f->lon);
    e.shore_km = det_shore_km(sp->geo, f->lat, f->lon);
    snprintf(e.detail, sizeof e.detail, "%s", why);
    sp->emit(sp->engine, &e);
}

/* ---- per fix ---- */

/* Counts one more fix at place `p`. */
static void place_join(struct place *p, const struct trk_fix *f)
{
    place_set(p, f, p->n + (p->n < UINT32_MAX));
}

/* Places the fix: current place, switch to another one, or a jump. Places
 * silent for PLACE_MS are forgotten first. */
static void place_fix(struct spoof *sp, struct vessel *s, const struct trk_fix *f)
{
    for (int i = 0; i < PLACES; i++) {
        if (i == s->cur || s->place[i].n == 0 || f->t - s->place[i].t <= PLACE_MS)
            continue;
        s->place[i].n = 0;
        if (i == s->jump_from)
            s->jump_from = PLACES;
    }
    if (step_kn(sp, cur_of(s), f) <= sp->cfg.tel_max_kn) {
        place_join(cur_of(s), f);
        return;
    }
    int i = best_other(sp, s, f);
    if (i < 0) {
        jump_open(s, f);
        return;
    }
    struct place left = *cur_of(s);
    s->cur = (uint8_t)i;
    place_join(cur_of(s), f);
    if (s->pending && i == s->jump_from && !s->jump.back)
        s->jump.back = f->t;
    clash_check(sp, s, &left, f);
}

static void fix(void *self, const struct trk_fix *f, const struct trk_static *st)
{
    struct spoof *sp = self;
    (void)st;
    bool created;
    struct vessel *s = det_vtab_get(&sp->v, f->mmsi, f->t, &created);
    if (!s)
        return;
    if (!s->invalid_done)
        invalid_check(sp, s, f);
    if (f->t > s->h.t)
        s->h.t = f->t;
    if (det_null_island(f)) {
        odd_emit(sp, s, &s->null_t, f, "position at 0,0");
        return;                       /* never a real position: not placed */
    }
    if (on_land(sp, f) == 1)
        odd_emit(sp, s, &s->land_t, f, "position on land");
    if (cur_of(s)->n == 0) {
        place_set(cur_of(s), f, 1);
        return;
    }
    teleport_check(sp, s, f->t);
    place_fix(sp, s, f);
}

/* ---- identity_change ---- */

/* Appends "what A -> B" to dst when a known text value changed. */
static void text_change(char *dst, size_t cap, const char *what, const char *a, const char *b)
{
    if (a[0] == '\0' || b[0] == '\0' || strcmp(a, b) == 0)
        return;
    size_t n = strlen(dst);
    snprintf(dst + n, cap - n, "%s%s %s -> %s", n ? "; " : "", what, a, b);
}

/* The changes between two static records ("" when none counts). */
static void describe_change(const struct trk_static *a, const struct trk_static *b, char *dst,
                            size_t cap)
{
    dst[0] = '\0';
    text_change(dst, cap, "name", a->name, b->name);
    text_change(dst, cap, "callsign", a->callsign, b->callsign);
    if (a->imo && b->imo && a->imo != b->imo) {
        size_t n = strlen(dst);
        snprintf(dst + n, cap - n, "%sIMO %u -> %u", n ? "; " : "", (unsigned)a->imo,
                 (unsigned)b->imo);
    }
}

/* Records a change at `t` and returns how many fall in the 24 h up to t. */
static unsigned ident_count(struct ident *r, int64_t t)
{
    uint32_t now = t > 0 ? (uint32_t)(t / 1000) : 0;
    r->t[r->next] = now;
    r->next = (uint8_t)((r->next + 1) % IDENT_RING);
    if (r->n < IDENT_RING)
        r->n++;
    unsigned c = 0;
    for (unsigned i = 0; i < r->n; i++)
        c += r->t[i] <= now && now - r->t[i] < IDENT_MS / 1000;
    return c;
}

/* The vessel's record when it has one (never created here). */
static struct vessel *vessel_find(const struct spoof *sp, uint32_t mmsi)
{
    if (sp->v.cap == 0)
        return NULL;
    struct det_vrec *r = det_vtab_find(&sp->v, mmsi + 1);
    return r->key == mmsi + 1 ? (struct vessel *)r : NULL;
}

static void stat_change(void *self, uint32_t mmsi, const struct trk_static *before,
                        const struct trk_static *after, int64_t t)
{
    struct spoof *sp = self;
    char what[160];
    describe_change(before, after, what, sizeof what);
    if (what[0] == '\0')
        return;                       /* first heard, or ship type / size only */
    bool created;
    struct ident *r = det_vtab_get(&sp->idv, mmsi, t, &created);
    if (!r)
        return;
    if (t > r->h.t)
        r->h.t = t;
    unsigned need = sp->cfg.ident_max_changes < NEED_MAX ? sp->cfg.ident_max_changes : NEED_MAX;
    unsigned c = ident_count(r, t);
    if (c < need || c >= need + IDENT_EVENTS_MAX)
        return;
    struct det_event e;
    det_event_init(&e, DET_IDENTITY_CHANGE, mmsi);
    e.start = e.end = t;
    struct vessel *s = vessel_find(sp, mmsi);
    if (s && cur_of(s)->n) {
        e.lat = det_deg(cur_of(s)->lat);
        e.lon = det_deg(cur_of(s)->lon);
    }
    size_t n = strlen(what);
    if (c > 1)
        snprintf(what + n, sizeof what - n, " (%u changes in 24 h%s)", c,
                 c + 1 == need + IDENT_EVENTS_MAX ? ", further ones not reported" : "");
    snprintf(e.detail, sizeof e.detail, "%s", what);
    sp->emit(sp->engine, &e);
}

/* ---- lifecycle ---- */

/* End of stream or vessel dropped: an open jump was never undone. */
static void report_open(void *ctx, struct det_vrec *r)
{
    struct vessel *s = (struct vessel *)r;
    if (s->pending)
        teleport_emit(ctx, s);
}

static void *create(const struct det_config *cfg, const struct det_geo *geo,
                    det_emit_fn emit, void *engine)
{
    struct spoof *sp = calloc(1, sizeof *sp);
    if (!sp)
        return NULL;
    sp->cfg = *cfg;
    sp->geo = geo;
    sp->emit = emit;
    sp->engine = engine;
    det_vtab_init(&sp->v, sizeof(struct vessel), HORIZON_MS, report_open, sp);
    det_vtab_init(&sp->idv, sizeof(struct ident), IDENT_MS, NULL, NULL);
    return sp;
}

static void finish(void *self)
{
    struct spoof *sp = self;
    sp->ending = true;
    det_vtab_each(&sp->v, report_open, sp);
    sp->ending = false;
}

static void destroy(void *self)
{
    struct spoof *sp = self;
    det_vtab_free(&sp->v);
    det_vtab_free(&sp->idv);
    free(sp);
}

static void prefetch(void *self, uint32_t mmsi)
{
    struct spoof *sp = self;
    /* every fix reads the header, the flags and the places: two lines */
    det_vtab_prefetch_n(&sp->v, mmsi, offsetof(struct vessel, jump));
}

const struct det_ops det_spoof_ops = {"spoof", create, fix, stat_change, finish, destroy, prefetch, NULL, NULL};
