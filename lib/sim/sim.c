/*
 * sim.c - the scenario generator (sim.h): a seeded fleet in open ocean off a
 * synthetic coast, streamed as time-ordered NMEA (through the encoder in
 * encode.c), with planted illicit behaviour and its exact ground truth.
 *
 * Normal vessels sail straight at 8-20 kn inside the fleet box and bounce
 * off its edges; planted vessels follow scripted waypoints, then bounce in a
 * box of their own. Reports are scheduled on a calendar ring of one-second
 * buckets (every period is under SIM_RING seconds), so each report costs
 * O(1) and memory is one record per vessel whatever the scenario's length.
 * See docs/sim.md for the geometry, the timing and why normal traffic raises
 * no event; tests/sim/test_scenario.c runs the output through the decoder,
 * the tracker and every detector and finds exactly the truth.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alidade/sim.h"

/* ---- geometry (fixed, so that the geo callbacks need no state) ---- */

#define COAST_LON (-53.0)      /* the coast: the meridian from COAST_S to COAST_N */
#define COAST_S (-60.0)
#define COAST_N 60.0
#define ANCH_LAT 5.0           /* its anchorage */
#define ANCH_LON (-52.9)
#define BOX_S 7.0              /* the fleet box: south and west edges fixed ... */
#define BOX_W (-50.0)
#define BOX_MIN_DEG 3.0        /* ... side at least this, growing with the fleet */
#define KM2_PER_VESSEL 25.0    /* fleet density: one vessel per 25 km2 */
#define ZONE_S 6.2             /* the zone "Drill MPA", south of the fleet box */
#define ZONE_N 6.7
#define ZONE_W (-48.9)
#define ZONE_E (-48.3)
#define ZONE_NAME "Drill MPA"

#define EARTH_KM 6371.0088
#define KM_PER_DEG 111.195
#define KM_PER_NM 1.852
#define DEG (M_PI / 180.0)
#define AIS_DEG 600000.0       /* AIS position units per degree */

/* ---- timing ---- */

#define DEFAULT_START 1735689600     /* 2025-01-01T00:00:00Z */
#define SIM_RING 1024                /* calendar: one-second buckets */
#define PLANT_PERIOD 120             /* planted vessels report every 2 min ... */
#define STATIC_PERIOD 360            /* ... everybody sends static data every 6 min */
#define STATIC_PHASE 30              /* planted vessels' static data at 30 s + k*360 */
#define POS_MIN 120                  /* normal vessels: 2 to 6 min */
#define POS_MAX 360
#define H 3600
#define OUTBUF (256 * 1024)

/* ---- random numbers: a hash of (seed, vessel, field), so a vessel's
 * parameters do not depend on how many others there are ---- */

static uint64_t mix64(uint64_t x)
{
    x ^= x >> 30;
    x *= 0xbf58476d1ce4e5b9ull;
    x ^= x >> 27;
    x *= 0x94d049bb133111ebull;
    return x ^ (x >> 31);
}

static uint64_t rnd(uint64_t seed, uint64_t i, uint64_t field)
{
    return mix64(seed ^ mix64(i * 0x9E3779B97F4A7C15ull + field + 1));
}

/* Uniform in [0, 1). */
static double rnd01(uint64_t seed, uint64_t i, uint64_t field)
{
    return (double)(rnd(seed, i, field) >> 11) * (1.0 / 9007199254740992.0);
}

/* ---- flat-earth helpers (legs are at most a few hundred km) ---- */

static double haversine_km(double lat1, double lon1, double lat2, double lon2)
{
    double dp = (lat2 - lat1) * DEG, dl = (lon2 - lon1) * DEG;
    double a = sin(dp / 2) * sin(dp / 2) +
               cos(lat1 * DEG) * cos(lat2 * DEG) * sin(dl / 2) * sin(dl / 2);
    return 2 * EARTH_KM * asin(sqrt(a < 1 ? a : 1));
}

static double bearing_deg(double lat1, double lon1, double lat2, double lon2)
{
    double p1 = lat1 * DEG, p2 = lat2 * DEG, dl = (lon2 - lon1) * DEG;
    double b = atan2(sin(dl) * cos(p2), cos(p1) * sin(p2) - sin(p1) * cos(p2) * cos(dl));
    b /= DEG;
    return b < 0 ? b + 360 : b;
}

/* (lat, lon) moved `nm` nautical miles along `course` degrees. */
static void offset(double *lat, double *lon, double course, double nm)
{
    double km = nm * KM_PER_NM;
    *lat += km * cos(course * DEG) / KM_PER_DEG;
    *lon += km * sin(course * DEG) / (KM_PER_DEG * cos(*lat * DEG));
}

/* ---- public geometry ---- */

double sim_shore_km(double lat, double lon)
{
    if (lat >= COAST_S && lat <= COAST_N) {
        /* distance to the meridian's great circle */
        double s = sin((lon - COAST_LON) * DEG) * cos(lat * DEG);
        return EARTH_KM * asin(fabs(s) < 1 ? fabs(s) : 1);
    }
    double a = haversine_km(lat, lon, COAST_S, COAST_LON);
    double b = haversine_km(lat, lon, COAST_N, COAST_LON);
    return a < b ? a : b;
}

double sim_anchorage_km(double lat, double lon)
{
    return haversine_km(lat, lon, ANCH_LAT, ANCH_LON);
}

size_t sim_zones_geojson(char *dst, size_t cap)
{
    int n = snprintf(dst, cap,
        "{\"type\":\"FeatureCollection\",\"features\":[\n"
        "{\"type\":\"Feature\",\"properties\":{\"name\":\"" ZONE_NAME "\"},"
        "\"geometry\":{\"type\":\"Polygon\",\"coordinates\":[[[%.1f,%.1f],[%.1f,%.1f],"
        "[%.1f,%.1f],[%.1f,%.1f],[%.1f,%.1f]]]}}\n]}\n",
        ZONE_W, ZONE_S, ZONE_E, ZONE_S, ZONE_E, ZONE_N, ZONE_W, ZONE_N, ZONE_W, ZONE_S);
    return n > 0 && (size_t)n < cap ? (size_t)n : 0;
}

size_t sim_coast_geojson(char *dst, size_t cap)
{
    int n = snprintf(dst, cap,
        "{\"type\":\"FeatureCollection\",\"features\":[\n"
        "{\"type\":\"Feature\",\"properties\":{\"name\":\"coast\"},"
        "\"geometry\":{\"type\":\"LineString\",\"coordinates\":[[%.1f,%.1f],[%.1f,%.1f]]}},\n"
        "{\"type\":\"Feature\",\"properties\":{\"name\":\"anchorage\"},"
        "\"geometry\":{\"type\":\"Point\",\"coordinates\":[%.1f,%.1f]}}\n]}\n",
        COAST_LON, COAST_S, COAST_LON, COAST_N, ANCH_LON, ANCH_LAT);
    return n > 0 && (size_t)n < cap ? (size_t)n : 0;
}

static bool in_zone(int32_t lat, int32_t lon)
{
    double la = lat / AIS_DEG, lo = lon / AIS_DEG;
    return la > ZONE_S && la < ZONE_N && lo > ZONE_W && lo < ZONE_E;
}

/* ---- scripts of the planted vessels ---- */

#define MAXWP 12

struct wp {
    int64_t t;                 /* s after the start */
    double lat, lon;
};

struct script {
    struct wp w[MAXWP];
    unsigned n;
    double box[4];             /* afterwards: S, N, W, E */
    int64_t dark_from, dark_to;    /* no reports in (from, to) */
    int64_t on_from, on_to;        /* reports only in [from, to] (the MMSI twin) */
    bool no_static;
    int64_t rename_t;              /* identity change from this time, or -1 */
};

static void sc_init(struct script *s, int64_t t, double lat, double lon)
{
    memset(s, 0, sizeof *s);
    s->w[0] = (struct wp){t, lat, lon};
    s->n = 1;
    s->dark_from = s->dark_to = -1;
    s->on_from = -1;
    s->rename_t = -1;
}

/* Appends a leg after the last waypoint. */
static void sc_go(struct script *s, double course, double kn, double hours)
{
    struct wp w = s->w[s->n - 1];
    offset(&w.lat, &w.lon, course, kn * hours);
    w.t += (int64_t)llround(hours * H);
    s->w[s->n++] = w;
}

/* Prepends a leg before the first waypoint: the vessel sailed `course` at
 * `kn` for `hours` to get there. */
static void sc_before(struct script *s, double course, double kn, double hours)
{
    struct wp w = s->w[0];
    offset(&w.lat, &w.lon, course + 180, kn * hours);
    w.t -= (int64_t)llround(hours * H);
    memmove(&s->w[1], &s->w[0], s->n * sizeof s->w[0]);
    s->w[0] = w;
    s->n++;
}

/* A discontinuity at the last waypoint's time (the teleport). */
static void sc_jump(struct script *s, double dlat, double dlon)
{
    struct wp w = s->w[s->n - 1];
    w.lat += dlat;
    w.lon += dlon;
    s->w[s->n++] = w;
}

static void sc_box(struct script *s, double south, double north, double west, double east)
{
    s->box[0] = south;
    s->box[1] = north;
    s->box[2] = west;
    s->box[3] = east;
}

/* A 2-degree box centred on the last waypoint, to bounce in afterwards. */
static void sc_box_around(struct script *s)
{
    const struct wp *w = &s->w[s->n - 1];
    sc_box(s, w->lat - 1, w->lat + 1, w->lon - 1, w->lon + 1);
}

/* Position on the script at t (before its end). */
static void sc_pos(const struct script *s, int64_t t, double *lat, double *lon)
{
    unsigned k = 0;
    while (k + 1 < s->n && s->w[k + 1].t <= t)
        k++;
    if (k + 1 >= s->n) {
        *lat = s->w[k].lat;
        *lon = s->w[k].lon;
        return;
    }
    const struct wp *a = &s->w[k], *b = &s->w[k + 1];
    double f = (double)(t - a->t) / (double)(b->t - a->t);
    *lat = a->lat + f * (b->lat - a->lat);
    *lon = a->lon + f * (b->lon - a->lon);
}

/* Speed and course of the leg at t. */
static void sc_motion(const struct script *s, int64_t t, double *kn, double *course)
{
    unsigned k = 0;
    while (k + 1 < s->n && s->w[k + 1].t <= t)
        k++;
    if (k + 1 >= s->n)
        k = s->n >= 2 ? s->n - 2 : 0;
    while (k > 0 && s->w[k + 1].t == s->w[k].t)
        k--;                   /* a jump: the leg before it */
    const struct wp *a = &s->w[k], *b = &s->w[k + 1 < s->n ? k + 1 : k];
    if (b->t <= a->t) {
        *kn = 0;
        *course = 0;
        return;
    }
    *kn = haversine_km(a->lat, a->lon, b->lat, b->lon) / KM_PER_NM / ((b->t - a->t) / 3600.0);
    *course = bearing_deg(a->lat, a->lon, b->lat, b->lon);
}

static int32_t ais_units(double deg)
{
    return (int32_t)lround(deg * AIS_DEG);
}

/* ---- vessels ---- */

struct vessel {
    uint32_t mmsi;
    uint32_t id;               /* identity for names and static data */
    int32_t next_pos, next_static;   /* s after the start; INT32_MAX: never */
    uint16_t pos_period;
    uint16_t script;           /* 1 + index into sim->sc, 0: normal */
    bool classb, bouncing;
    int64_t last_t;            /* time of lat/lon */
    double lat, lon, kn;
    double sinc, cosc;         /* course */
    const double *box;         /* S, N, W, E */
};

_Static_assert(sizeof(struct vessel) <= 80, "vessel record grew (docs/sim.md)");

/* The vessels due in one second, in the order they were scheduled. */
struct bucket {
    uint32_t *ix;
    uint32_t n, cap;
};

/* The planted vessels, in order. */
enum plant {
    P_GAP, P_ENC_A, P_ENC_B, P_LOITER, P_ZONE, P_TELEPORT, P_CLASH, P_CLASH_TWIN,
    P_INVALID, P_RENAME, P__COUNT
};

static const uint32_t plant_mmsi[P__COUNT] = {
    538000101, 636000202, 636000303, 412000404, 357000505, 373000606, 255000707,
    255000707, 123456789, 229000909,
};

#define MAX_EVENTS 16

struct sim {
    struct sim_config cfg;
    struct sim_stats st;
    double fleet_box[4];
    struct vessel *v;
    uint32_t nv, nnormal;
    struct bucket ring[SIM_RING];
    struct script sc[P__COUNT];
    struct sim_event ev[MAX_EVENTS];
    size_t nev;
    int64_t end_s;             /* s after the start */
    unsigned seqid, group;
    char *buf;
    size_t blen;
    sim_write_cb cb;
    void *ctx;
    sim_msg_cb msg_cb;         /* optional: each message with its vessel (drills) */
    void *msg_ctx;
};

/* Allocated MIDs of busy flags (ITU-R M.585), for the normal fleet. */
static const uint16_t mids[] = {
    209, 210, 212, 215, 219, 229, 232, 235, 236, 240, 244, 248, 249, 255, 256, 257,
    266, 271, 273, 304, 305, 308, 309, 311, 338, 351, 352, 353, 354, 355, 356, 357,
    366, 370, 371, 372, 373, 375, 412, 413, 414, 431, 440, 441, 477, 503, 525, 533,
    538, 548, 563, 564, 565, 566, 574, 636, 667, 710, 725,
};
#define NMIDS (sizeof mids / sizeof mids[0])

static uint32_t normal_mmsi(uint32_t i)
{
    uint32_t j = i / (uint32_t)NMIDS;
    /* suffixes 100000-999999, a bijection of j (387433 is prime to 900000);
     * planted vessels use suffixes below 100000 */
    uint32_t suffix = 100000 + (uint32_t)((uint64_t)j * 387433u % 900000u);
    return mids[i % NMIDS] * 1000000u + suffix;
}

/* ---- identity and static data ---- */

static const char *const name1[] = {
    "OCEAN", "SEA", "NORDIC", "GOLDEN", "SILVER", "BLUE", "STAR", "CAPE", "ATLANTIC",
    "PACIFIC", "SOUTHERN", "EASTERN", "ROYAL", "GRAND", "CORAL", "PEARL",
};
static const char *const name2[] = {
    "SPIRIT", "PRIDE", "TRADER", "EXPLORER", "VOYAGER", "HARMONY", "GLORY", "WIND",
    "HAWK", "DAWN", "FORTUNE", "QUEEN", "PIONEER", "BREEZE", "HORIZON", "MARINER",
};
static const char *const ports[] = {
    "SANTOS", "RIO GRANDE", "DAKAR", "LAS PALMAS", "ROTTERDAM", "ABIDJAN", "LAGOS",
    "CAPE TOWN", "MONTEVIDEO", "HOUSTON",
};
static const uint8_t ship_types[] = {70, 70, 70, 71, 79, 80, 80, 84, 60, 30, 52, 90};

/* "OCEAN SPIRIT 12": at most 8 + 1 + 8 + 1 + 2 = 20 characters. */
static void make_name(const sim *s, const struct vessel *v, bool renamed, char *dst)
{
    uint64_t h = rnd(s->cfg.seed, v->id, 100 + renamed);
    const char *a = name1[h % 16], *b = name2[(h >> 8) % 16];
    unsigned num = (unsigned)((h >> 16) % 99 + 1);
    size_t la = strlen(a), lb = strlen(b), n = 0;
    memcpy(dst, a, la);
    n = la;
    dst[n++] = ' ';
    memcpy(dst + n, b, lb);
    n += lb;
    dst[n++] = ' ';
    if (num >= 10)
        dst[n++] = (char)('0' + num / 10);
    dst[n++] = (char)('0' + num % 10);
    dst[n] = '\0';
}

static void make_callsign(const sim *s, const struct vessel *v, char *dst)
{
    uint64_t h = rnd(s->cfg.seed, v->id, 101);
    dst[0] = (char)('A' + h % 26);
    dst[1] = (char)('A' + (h >> 8) % 26);
    for (int k = 2; k < 6; k++)
        dst[k] = (char)('0' + (h >> (8 * k)) % 10);
    dst[6] = '\0';
}

/* A 7-digit IMO number with its check digit. */
static unsigned make_imo(const sim *s, const struct vessel *v)
{
    unsigned base = 900000 + (unsigned)(rnd(s->cfg.seed, v->id, 102) % 99999), sum = 0, x = base;
    for (unsigned w = 2; w <= 7; w++, x /= 10)
        sum += (x % 10) * w;
    return base * 10 + sum % 10;
}

/* ---- output ---- */

static void flush(sim *s)
{
    if (s->blen && s->cb)
        s->cb(s->ctx, s->buf, s->blen);
    s->blen = 0;
}

static void emit(sim *s, const struct ais_msg *m, int64_t t_rel, const struct vessel *v)
{
    struct sim_nmea o = {
        .talker = "AI",
        .channel = (m->mmsi + (uint32_t)t_rel) & 1 ? 'B' : 'A',
        .seqid = s->seqid,
        .source = s->cfg.source,
        .time_s = s->cfg.start_s + t_rel,
        .group = true,
        .group_id = s->group,
    };
    size_t n = sim_nmea(m, &o, s->buf + s->blen, OUTBUF - s->blen);
    if (n == 0 && s->blen) {
        flush(s);
        n = sim_nmea(m, &o, s->buf, OUTBUF);
    }
    /* a type 5 (424 bits, 71 characters) is split in two sentences, a
     * type 24 is written as part A and part B; every other type is one */
    unsigned lines = n == 0 ? 0 : m->type == 5 || m->type == 24 ? 2 : 1;
    if (n && s->msg_cb) {
        struct sim_msg info = {
            .mmsi = m->mmsi, .time_s = s->cfg.start_s + t_rel, .lat = v->lat, .lon = v->lon,
            .position = m->type != 5 && m->type != 24, .text = s->buf + s->blen, .len = n,
        };
        s->msg_cb(s->msg_ctx, &info);
    }
    s->blen += n;
    s->st.bytes += n;
    s->st.lines += lines;
    s->st.sentences += lines;
    if (lines > 1) {
        s->seqid = (s->seqid + 1) % 10;
        s->group = (s->group + 1) % 1000;
    }
    if (OUTBUF - s->blen < 4 * SIM_NMEA_MAX)
        flush(s);
}

static void emit_static(sim *s, const struct vessel *v, int64_t t)
{
    struct ais_msg m;
    memset(&m, 0, sizeof m);
    m.mmsi = v->mmsi;
    uint64_t h = rnd(s->cfg.seed, v->id, 103);
    const struct script *sc = v->script ? &s->sc[v->script - 1] : NULL;
    bool renamed = sc && sc->rename_t >= 0 && t >= sc->rename_t;
    unsigned len = 30 + (unsigned)(h % 250), beam = 6 + len / 7;
    unsigned shiptype = ship_types[(h >> 12) % sizeof ship_types];
    if (v->classb) {
        len = 8 + (unsigned)(h % 25);
        beam = 3 + len / 5;
        shiptype = 30;           /* class B: fishing vessels */
        m.type = 24;
        m.u.t24.part = AIS_PART_BOTH;
        make_name(s, v, renamed, m.u.t24.shipname);
        m.u.t24.shiptype = shiptype;
        memcpy(m.u.t24.vendorid, "SRT", 4);
        m.u.t24.model = 1;
        m.u.t24.serial = (unsigned)(h >> 20) % 1000000;
        make_callsign(s, v, m.u.t24.callsign);
        m.u.t24.to_bow = len / 2;
        m.u.t24.to_stern = len - len / 2;
        m.u.t24.to_port = beam / 2;
        m.u.t24.to_starboard = beam - beam / 2;
    } else {
        struct ais_static5 *t5 = &m.u.t5;
        m.type = 5;
        t5->imo = make_imo(s, v);
        make_callsign(s, v, t5->callsign);
        make_name(s, v, renamed, t5->shipname);
        t5->shiptype = shiptype;
        t5->to_bow = len - len / 5;
        t5->to_stern = len / 5;
        t5->to_port = beam / 2;
        t5->to_starboard = beam - beam / 2;
        t5->epfd = 1;
        t5->month = 1 + (unsigned)(h >> 24) % 12;
        t5->day = 1 + (unsigned)(h >> 28) % 28;
        t5->hour = (unsigned)(h >> 33) % 24;
        t5->minute = (unsigned)(h >> 38) % 60;
        t5->draught = 40 + (unsigned)(h >> 44) % 120;
        const char *port = ports[(h >> 50) % (sizeof ports / sizeof ports[0])];
        memcpy(t5->destination, port, strlen(port) + 1);     /* all under 20 */
    }
    emit(s, &m, t, v);
    s->st.statics++;
}

static void emit_position(sim *s, const struct vessel *v, int64_t t, double kn, double course)
{
    struct ais_msg m;
    memset(&m, 0, sizeof m);
    m.mmsi = v->mmsi;
    unsigned sog = (unsigned)lround(kn * 10), cog = (unsigned)lround(course * 10) % 3600;
    int lat = ais_units(v->lat), lon = ais_units(v->lon);
    if (v->classb) {
        struct ais_classb18 *p = &m.u.t18;
        m.type = 18;
        p->speed = sog;
        p->accuracy = true;
        p->lat = lat;
        p->lon = lon;
        p->course = cog;
        p->heading = (cog + 5) / 10 % 360;
        p->second = (unsigned)((s->cfg.start_s + t) % 60);
        p->cs = p->dsc = p->band = p->msg22 = true;
    } else {
        struct ais_pos123 *p = &m.u.t1;
        m.type = 1;
        p->status = 0;
        p->turn = -128;
        p->speed = sog;
        p->accuracy = true;
        p->lat = lat;
        p->lon = lon;
        p->course = cog;
        p->heading = (cog + 5) / 10 % 360;
        p->second = (unsigned)((s->cfg.start_s + t) % 60);
    }
    emit(s, &m, t, v);
    s->st.positions++;
}

/* ---- motion ---- */

static void set_course(struct vessel *v, double course)
{
    v->sinc = sin(course * DEG);
    v->cosc = cos(course * DEG);
}

static double course_of(const struct vessel *v)
{
    double c = atan2(v->sinc, v->cosc) / DEG;
    return c < 0 ? c + 360 : c;
}

/* Dead reckoning to t, bouncing off the box's edges. */
static void advance(struct vessel *v, int64_t t)
{
    double h = (double)(t - v->last_t) / 3600.0;
    v->last_t = t;
    double dlat = v->kn * h * v->cosc / 60.0;
    double dlon = v->kn * h * v->sinc / (60.0 * cos(v->lat * DEG));
    v->lat += dlat;
    v->lon += dlon;
    const double *b = v->box;
    if (v->lat < b[0]) {
        v->lat = 2 * b[0] - v->lat;
        v->cosc = -v->cosc;
    } else if (v->lat > b[1]) {
        v->lat = 2 * b[1] - v->lat;
        v->cosc = -v->cosc;
    }
    if (v->lon < b[2]) {
        v->lon = 2 * b[2] - v->lon;
        v->sinc = -v->sinc;
    } else if (v->lon > b[3]) {
        v->lon = 2 * b[3] - v->lon;
        v->sinc = -v->sinc;
    }
}

/* Whether a planted vessel transmits at t. */
static bool transmits(const struct script *sc, int64_t t)
{
    if (!sc)
        return true;
    if (sc->dark_from >= 0 && t > sc->dark_from && t < sc->dark_to)
        return false;
    if (sc->on_from >= 0 && (t < sc->on_from || t > sc->on_to))
        return false;
    return true;
}

static void report(sim *s, struct vessel *v, int64_t t)
{
    const struct script *sc = v->script ? &s->sc[v->script - 1] : NULL;
    double kn, course;
    if (sc && !v->bouncing && t < sc->w[sc->n - 1].t) {
        sc_pos(sc, t, &v->lat, &v->lon);
        sc_motion(sc, t, &kn, &course);
    } else {
        if (sc && !v->bouncing) {
            /* the script is over: bounce in its box at the last leg's motion */
            const struct wp *w = &sc->w[sc->n - 1];
            sc_motion(sc, w->t, &v->kn, &course);
            set_course(v, course);
            v->lat = w->lat;
            v->lon = w->lon;
            v->last_t = w->t;
            v->box = sc->box;
            v->bouncing = true;
        }
        advance(v, t);
        kn = v->kn;
        course = course_of(v);
    }
    if (transmits(sc, t))
        emit_position(s, v, t, kn, course);
}

/* ---- the calendar ---- */

/* Puts vessel i in the bucket of its next report; false when out of memory. */
static bool schedule(sim *s, uint32_t i)
{
    struct vessel *v = &s->v[i];
    int32_t t = v->next_pos < v->next_static ? v->next_pos : v->next_static;
    if ((int64_t)t >= s->end_s)
        return true;
    struct bucket *b = &s->ring[(uint32_t)t % SIM_RING];
    if (b->n == b->cap) {
        uint32_t cap = b->cap ? 2 * b->cap : 64;
        uint32_t *ix = realloc(b->ix, cap * sizeof *ix);
        if (!ix)
            return false;
        b->ix = ix;
        b->cap = cap;
    }
    b->ix[b->n++] = i;
    return true;
}

/* ---- planting ---- */

static void add_event(sim *s, enum det_kind k, uint32_t mmsi, int64_t t0, int64_t t1,
                      double lat, double lon)
{
    struct sim_event *e = &s->ev[s->nev++];
    memset(e, 0, sizeof *e);
    e->kind = k;
    e->mmsi = mmsi;
    e->start = s->cfg.start_s + t0;
    e->end = s->cfg.start_s + t1;
    e->lat = ais_units(lat);
    e->lon = ais_units(lon);
}

static void end_pos(struct sim_event *e, double lat, double lon)
{
    e->has_end_pos = true;
    e->end_lat = ais_units(lat);
    e->end_lon = ais_units(lon);
}

/* Mean of the script positions every 10 min over [t0, t1] (where the
 * detectors put an encounter or a loitering: the centroid of resampled or
 * thinned positions). */
static void centroid(const struct script *a, const struct script *b, int64_t t0, int64_t t1,
                     double *lat, double *lon)
{
    double sl = 0, so = 0;
    unsigned n = 0;
    for (int64_t t = t0; t <= t1; t += 600, n++) {
        double la, lo;
        sc_pos(a, t, &la, &lo);
        if (b) {
            double lb, ob;
            sc_pos(b, t, &lb, &ob);
            la = (la + lb) / 2;
            lo = (lo + ob) / 2;
        }
        sl += la;
        so += lo;
    }
    *lat = sl / n;
    *lon = so / n;
}

static int cmp_event(const void *a, const void *b)
{
    const struct sim_event *x = a, *y = b;
    return x->start < y->start ? -1 : x->start > y->start ? 1 : (int)x->kind - (int)y->kind;
}

/* The scripts (all times multiples of 10 min, so that the detectors' 10-minute
 * thinning and resampling see the changes exactly) and their ground truth. */
static void plant(sim *s)
{
    struct script *sc = s->sc;
    double lat, lon, lat2, lon2;

    /* going dark: east-south-east at 10 kn, silent from 13 h to 27 h */
    sc_init(&sc[P_GAP], 0, 9.5, -49.6);
    sc_go(&sc[P_GAP], 120, 10, 30);
    sc_box_around(&sc[P_GAP]);
    sc[P_GAP].dark_from = 13 * H;
    sc[P_GAP].dark_to = 27 * H;
    sc_pos(&sc[P_GAP], 13 * H, &lat, &lon);
    sc_pos(&sc[P_GAP], 27 * H, &lat2, &lon2);
    add_event(s, DET_GAP, plant_mmsi[P_GAP], 13 * H, 27 * H, lat, lon);
    end_pos(&s->ev[s->nev - 1], lat2, lon2);
    snprintf(s->ev[s->nev - 1].detail, sizeof s->ev[0].detail,
             "AIS off for 14 h far offshore, reception good, regular reports before");

    /* encounter: A from the east, B from the west, meet at 20 h, drift north
     * together 0.1 km apart at 0.3 kn for 3 h, part at 23 h */
    const double ep_lat = 8.0, ep_lon = -48.5;
    for (int k = 0; k < 2; k++) {
        struct script *e = &sc[k ? P_ENC_B : P_ENC_A];
        double la = ep_lat + (k ? 0.1 / KM_PER_DEG : 0), lo = ep_lon;
        double in = k ? 90 : 270;              /* course of the approach */
        sc_init(e, 20 * H, la, lo);
        sc_before(e, in, 10, 1);
        sc_before(e, 180, 12, 9.5);
        sc_before(e, 0, 12, 9.5);
        sc_go(e, 0, 0.3, 3);
        sc_go(e, k ? 270 : 90, 10, 1);
        sc_box_around(e);
    }
    centroid(&sc[P_ENC_A], &sc[P_ENC_B], 20 * H, 23 * H, &lat, &lon);
    add_event(s, DET_ENCOUNTER, plant_mmsi[P_ENC_A], 20 * H, 23 * H, lat, lon);
    s->ev[s->nev - 1].mmsi2 = plant_mmsi[P_ENC_B];
    snprintf(s->ev[s->nev - 1].detail, sizeof s->ev[0].detail,
             "two vessels 0.1 km apart drifting at 0.3 kn for 3 h");

    /* loitering: a class B fishing vessel drifts north at 1 kn from 8 h to 14 h */
    sc_init(&sc[P_LOITER], 8 * H, 9.2, -49.2);
    sc_before(&sc[P_LOITER], 90, 10, 8);
    sc_go(&sc[P_LOITER], 0, 1, 6);
    sc_go(&sc[P_LOITER], 200, 10, 2);
    sc_box_around(&sc[P_LOITER]);
    centroid(&sc[P_LOITER], NULL, 8 * H, 14 * H, &lat, &lon);
    add_event(s, DET_LOITERING, plant_mmsi[P_LOITER], 8 * H, 14 * H, lat, lon);
    snprintf(s->ev[s->nev - 1].detail, sizeof s->ev[0].detail,
             "drifting at 1 kn for 6 h");

    /* zone incursion: due south at 12 kn through the zone; the edges are
     * crossed between two reports (half a period after 10 h and 12.5 h) */
    {
        double deg_per_h = 12 * KM_PER_NM / KM_PER_DEG;
        sc_init(&sc[P_ZONE], 0, ZONE_N + deg_per_h * (10 - PLANT_PERIOD / 2 / 3600.0), -48.6);
    }
    sc_go(&sc[P_ZONE], 180, 12, 14.5);
    sc_box(&sc[P_ZONE], 4.6, 5.9, -49.6, -47.6);
    {
        int64_t t_in = -1, t_out = -1;
        for (int64_t t = 0; t < 14 * H && t_out < 0; t += PLANT_PERIOD) {
            sc_pos(&sc[P_ZONE], t, &lat, &lon);
            bool in = in_zone(ais_units(lat), ais_units(lon));
            if (in && t_in < 0) {
                t_in = t;
                add_event(s, DET_ZONE_ENTRY, plant_mmsi[P_ZONE], t, t, lat, lon);
            } else if (!in && t_in >= 0) {
                t_out = t;
                add_event(s, DET_ZONE_EXIT, plant_mmsi[P_ZONE], t_in, t, lat, lon);
            }
        }
        for (size_t k = s->nev - 2; k < s->nev; k++) {
            snprintf(s->ev[k].zone, sizeof s->ev[k].zone, ZONE_NAME);
            snprintf(s->ev[k].detail, sizeof s->ev[k].detail, "%s " ZONE_NAME,
                     s->ev[k].kind == DET_ZONE_ENTRY ? "entered" : "left");
        }
    }

    /* teleport: at 18 h the reported position jumps 1.2 degrees east */
    sc_init(&sc[P_TELEPORT], 18 * H, 7.5, -49.5);
    sc_before(&sc[P_TELEPORT], 300, 9, 18);
    sc_jump(&sc[P_TELEPORT], 0, 1.2);
    sc_go(&sc[P_TELEPORT], 120, 9, 2);
    sc_box(&sc[P_TELEPORT], 7.0, 8.5, -49.0, -47.0);
    sc_pos(&sc[P_TELEPORT], 18 * H - PLANT_PERIOD, &lat, &lon);
    sc_pos(&sc[P_TELEPORT], 18 * H, &lat2, &lon2);
    add_event(s, DET_TELEPORT, plant_mmsi[P_TELEPORT], 18 * H - PLANT_PERIOD, 18 * H, lat, lon);
    end_pos(&s->ev[s->nev - 1], lat2, lon2);
    snprintf(s->ev[s->nev - 1].detail, sizeof s->ev[0].detail,
             "reported position jumped 1.2 degrees east between two reports");

    /* MMSI clash: a second ship uses the MMSI of P_CLASH from 24 h to 25 h,
     * over 500 km away, reporting a minute after each of its reports (no
     * static data, so no identity churn). The truth is the first evidence:
     * the first switch back and forth once both were heard twice (the
     * original's report at 24:02 to the twin's at 24:03). */
    sc_init(&sc[P_CLASH], 0, 9.6, -47.6);
    sc_go(&sc[P_CLASH], 160, 11, 30);
    sc_box_around(&sc[P_CLASH]);
    sc_init(&sc[P_CLASH_TWIN], 0, 6.0, -46.0);
    sc_go(&sc[P_CLASH_TWIN], 45, 13, 30);
    sc_box_around(&sc[P_CLASH_TWIN]);
    sc[P_CLASH_TWIN].on_from = 24 * H + PLANT_PERIOD / 2;
    sc[P_CLASH_TWIN].on_to = 25 * H;
    sc[P_CLASH_TWIN].no_static = true;
    {
        int64_t t0 = 24 * H + PLANT_PERIOD, t1 = t0 + PLANT_PERIOD / 2;
        sc_pos(&sc[P_CLASH], t0, &lat, &lon);
        sc_pos(&sc[P_CLASH_TWIN], t1, &lat2, &lon2);
        add_event(s, DET_MMSI_CLASH, plant_mmsi[P_CLASH], t0, t1, lat, lon);
        end_pos(&s->ev[s->nev - 1], lat2, lon2);
        s->ev[s->nev - 1].mmsi2 = plant_mmsi[P_CLASH];
        snprintf(s->ev[s->nev - 1].detail, sizeof s->ev[0].detail,
                 "a second ship with the same MMSI %.0f km away from 24:01 to 24:59",
                 haversine_km(lat, lon, lat2, lon2));
    }

    /* invalid MMSI: MID 123 is not allocated; otherwise an ordinary vessel */
    sc_init(&sc[P_INVALID], 0, 8.8, -48.0);
    sc_box(&sc[P_INVALID], 7.6, 9.9, -49.0, -47.2);
    sc_go(&sc[P_INVALID], 75, 14, 1);
    sc_pos(&sc[P_INVALID], 0, &lat, &lon);
    add_event(s, DET_INVALID_MMSI, plant_mmsi[P_INVALID], 0, 0, lat, lon);
    snprintf(s->ev[s->nev - 1].detail, sizeof s->ev[0].detail, "MID 123 not allocated");

    /* identity change: the name changes at 16 h (the first static report
     * after it carries the new name) */
    sc_init(&sc[P_RENAME], 0, 7.8, -49.7);
    sc_go(&sc[P_RENAME], 30, 12, 1);
    sc_box(&sc[P_RENAME], 7.2, 9.8, -49.9, -47.5);
    sc[P_RENAME].rename_t = 16 * H;
    {
        int64_t t = STATIC_PHASE;
        while (t < 16 * H)
            t += STATIC_PERIOD;
        /* where it is then: its script or, after it, the bounce (replayed) */
        struct vessel tmp = {.kn = 0};
        const struct script *r = &sc[P_RENAME];
        sc_motion(r, r->w[r->n - 1].t, &tmp.kn, &lat);
        set_course(&tmp, lat);
        tmp.lat = r->w[r->n - 1].lat;
        tmp.lon = r->w[r->n - 1].lon;
        tmp.last_t = r->w[r->n - 1].t;
        tmp.box = r->box;
        for (int64_t u = 0; u <= t; u += PLANT_PERIOD)
            if (u >= tmp.last_t)
                advance(&tmp, u);
        add_event(s, DET_IDENTITY_CHANGE, plant_mmsi[P_RENAME], t, t, tmp.lat, tmp.lon);
        struct vessel id = {.id = s->nnormal + P_RENAME};
        char a[21], b[21];
        make_name(s, &id, false, a);
        make_name(s, &id, true, b);
        snprintf(s->ev[s->nev - 1].detail, sizeof s->ev[0].detail, "name %s -> %s", a, b);
    }
    qsort(s->ev, s->nev, sizeof s->ev[0], cmp_event);
}

/* ---- the generator ---- */

sim *sim_new(const struct sim_config *cfg)
{
    struct sim_config c = {0};
    if (cfg)
        c = *cfg;
    if (!c.source)
        c.source = "drill";
    if (c.start_s == 0)
        c.start_s = DEFAULT_START;
    if (c.vessels == 0)
        c.vessels = 50;
    if (c.hours == 0)
        c.hours = 48;
    if (!(c.hours > 0) || c.hours > SIM_MAX_HOURS || c.vessels > SIM_MAX_VESSELS)
        return NULL;
    sim *s = calloc(1, sizeof *s);
    if (!s)
        return NULL;
    s->cfg = c;
    s->end_s = (int64_t)ceil(c.hours * H);
    bool planted = !c.no_events && c.hours >= SIM_EVENT_HOURS;
    s->nnormal = c.vessels;
    s->nv = c.vessels + (planted ? P__COUNT : 0);
    s->v = calloc(s->nv ? s->nv : 1, sizeof *s->v);
    s->buf = malloc(OUTBUF);
    if (!s->v || !s->buf) {
        sim_free(s);
        return NULL;
    }
    double side = sqrt(c.vessels * KM2_PER_VESSEL) / KM_PER_DEG;
    if (side < BOX_MIN_DEG)
        side = BOX_MIN_DEG;
    s->fleet_box[0] = BOX_S;
    s->fleet_box[1] = BOX_S + side;
    s->fleet_box[2] = BOX_W;
    s->fleet_box[3] = BOX_W + side;
    uint64_t seed = c.seed;
    for (uint32_t i = 0; i < s->nnormal; i++) {
        struct vessel *v = &s->v[i];
        v->id = i;
        v->mmsi = normal_mmsi(i);
        v->classb = rnd(seed, i, 1) % 4 == 0;
        v->pos_period = (uint16_t)(POS_MIN + rnd(seed, i, 2) % (POS_MAX - POS_MIN + 1));
        v->next_pos = (int32_t)(rnd(seed, i, 3) % v->pos_period);
        v->next_static = (int32_t)(rnd(seed, i, 4) % STATIC_PERIOD);
        v->lat = s->fleet_box[0] + side * rnd01(seed, i, 5);
        v->lon = s->fleet_box[2] + side * rnd01(seed, i, 6);
        v->kn = 8 + 12 * rnd01(seed, i, 7);
        set_course(v, 360 * rnd01(seed, i, 8));
        v->box = s->fleet_box;
        v->bouncing = true;
    }
    if (planted) {
        plant(s);
        for (uint32_t k = 0; k < P__COUNT; k++) {
            struct vessel *v = &s->v[s->nnormal + k];
            v->id = s->nnormal + k;
            v->mmsi = plant_mmsi[k];
            v->script = (uint16_t)(k + 1);
            v->classb = k == P_LOITER;
            v->pos_period = PLANT_PERIOD;
            v->next_pos = k == P_CLASH_TWIN ? PLANT_PERIOD / 2 : 0;
            v->next_static = s->sc[k].no_static ? INT32_MAX : STATIC_PHASE;
        }
    }
    for (uint32_t i = 0; i < s->nv; i++)
        if (!schedule(s, i)) {
            sim_free(s);
            return NULL;
        }
    s->st.vessels = s->nv;
    return s;
}

void sim_free(sim *s)
{
    if (!s)
        return;
    for (unsigned k = 0; k < SIM_RING; k++)
        free(s->ring[k].ix);
    free(s->v);
    free(s->buf);
    free(s);
}

void sim_run(sim *s, sim_write_cb cb, void *ctx)
{
    s->cb = cb;
    s->ctx = ctx;
    uint64_t max = s->cfg.max_positions;
    bool stop = false;
    int64_t t;
    for (t = 0; t < s->end_s && !stop; t++) {
        /* a vessel is always rescheduled into a later second, never this one */
        struct bucket *b = &s->ring[(uint64_t)t % SIM_RING];
        for (uint32_t k = 0; k < b->n && !stop; k++) {
            if (k + 8 < b->n)
                __builtin_prefetch(&s->v[b->ix[k + 8]]);
            struct vessel *v = &s->v[b->ix[k]];
            if (v->next_static == t) {
                const struct script *sc = v->script ? &s->sc[v->script - 1] : NULL;
                if (transmits(sc, t))
                    emit_static(s, v, t);
                v->next_static += STATIC_PERIOD;
            }
            if (v->next_pos == t) {
                uint64_t before = s->st.positions;
                report(s, v, t);
                v->next_pos += v->pos_period;
                if (s->st.positions != before)
                    s->st.last_s = s->cfg.start_s + t;
                if (max && s->st.positions >= max)
                    stop = true;
            }
            if (!schedule(s, b->ix[k])) {
                s->st.out_of_memory = true;
                stop = true;
            }
        }
        b->n = 0;
    }
    flush(s);
    /* the events whose end the output reached (cut short, a report due in
     * the last second may be missing) */
    size_t k = 0;
    for (size_t j = 0; j < s->nev; j++)
        if (stop ? s->ev[j].end < s->st.last_s : s->ev[j].end <= s->st.last_s)
            s->ev[k++] = s->ev[j];
    s->nev = k;
}

void sim_set_msg_cb(sim *s, sim_msg_cb cb, void *ctx)
{
    s->msg_cb = cb;
    s->msg_ctx = ctx;
}

const struct sim_stats *sim_get_stats(const sim *s)
{
    return &s->st;
}

size_t sim_events(const sim *s, const struct sim_event **ev)
{
    *ev = s->ev;
    return s->nev;
}

/* ---- ground truth as JSON ---- */

static int put_time(char *p, size_t cap, const char *key, int64_t s)
{
    char t[40];
    if (!ais_format_time(s * 1000, t, sizeof t))
        return snprintf(p, cap, ",\"%s\":null", key);
    return snprintf(p, cap, ",\"%s\":\"%s\"", key, t);
}

size_t sim_event_json(const struct sim_event *e, char *dst, size_t cap)
{
    size_t n = 0;
    int k;
#define ADD(expr)                                                   \
    do {                                                            \
        k = (expr);                                                 \
        if (k < 0 || (size_t)k >= cap - n)                          \
            return 0;                                               \
        n += (size_t)k;                                             \
    } while (0)
    ADD(snprintf(dst + n, cap - n, "{\"event\":\"%s\",\"mmsi\":%u", det_kind_name(e->kind),
                 e->mmsi));
    if (e->kind == DET_ENCOUNTER || e->mmsi2)
        ADD(snprintf(dst + n, cap - n, ",\"mmsi2\":%u", e->mmsi2));
    ADD(put_time(dst + n, cap - n, "start", e->start));
    ADD(put_time(dst + n, cap - n, "end", e->end));
    ADD(snprintf(dst + n, cap - n, ",\"lat\":%.6f,\"lon\":%.6f", e->lat / AIS_DEG,
                 e->lon / AIS_DEG));
    if (e->has_end_pos)
        ADD(snprintf(dst + n, cap - n, ",\"end_lat\":%.6f,\"end_lon\":%.6f", e->end_lat / AIS_DEG,
                     e->end_lon / AIS_DEG));
    if (e->zone[0])
        ADD(snprintf(dst + n, cap - n, ",\"zone\":\"%s\"", e->zone));
    ADD(snprintf(dst + n, cap - n, ",\"detail\":\"%s\"}", e->detail));
#undef ADD
    return n;
}
