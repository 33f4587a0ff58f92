/*
 * cmd_detect.c - `alidade ais detect`: NMEA AIS (or positions as CSV) in,
 * maritime events out.
 *
 * The pipeline is the library's, stage by stage: line reader -> ais_decoder
 * (type 24 parts kept apart; CSV rows become position messages here instead)
 * -> trk_tracker (validity, reordering,
 * segments, static data) -> det_engine (every detector) -> one JSON object per
 * event per line (the fixed interface: "event", "mmsi", "mmsi2" for
 * encounters, "start", "end", "lat", "lon", ...) or a GeoJSON
 * FeatureCollection. Operator geography (--shore, --anchorages, --land,
 * --zones) is read whole here and parsed by the library (docs/geo.md). Bad
 * input lines are counted and reported on stderr; the exit status is 0
 * whenever the input could be read.
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <math.h>
#include <pthread.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <zlib.h>
#include <zstd.h>

#include "alidade/ais.h"
#include "alidade/detect.h"
#include "alidade/geo.h"
#include "alidade/track.h"
#include "cmd.h"
#include "geofiles.h"
#include "input.h"
#include "progress.h"
#include "out.h"

enum efmt { E_JSON, E_GEOJSON, E_STIX };

#define MSG_BATCH 2048           /* decoded messages handed to the tracker at once */
#define FIX_BATCH 2048           /* fixes handed to the detectors at once */
#define RING 8                   /* batches in flight between two stages */
#define CHG_BATCH 128            /* static-data changes per fix batch, at most */

/*
 * Three stages, each in its own thread, connected by rings of batches:
 *   main thread      reads and decodes
 *   tracker thread   trk_feed_batch() on each batch of decoded messages
 *   detector thread  every detector, and the output
 * Each stage costs about a third of the CPU time at fleet scale (decoding,
 * the tracker's records and due heap, the detectors' tables:
 * docs/detect-perf.md), so on two cores the scheduler keeps both busy,
 * where two threads split at either boundary left one core waiting.
 * Everything crosses in order: messages reach the tracker as decoded
 * (reduced to what it reads, struct trk_msg, by the decoding thread); the
 * detectors get each fix (with a copy of its vessel's static data as it
 * was) and each static-data change, placed at the fix it preceded, so they
 * see exactly the calls they saw in one thread. Without threads (no memory,
 * no thread) each batch is fed inline when full, with the same result.
 */
struct msg_batch {
    struct trk_msg msg[MSG_BATCH];   /* what the tracker reads: 104 bytes, not 648 */
    size_t n;
};

struct stat_change {
    size_t at;                   /* before fix[at] of its batch */
    uint32_t mmsi;
    struct trk_static before, after;
};

struct fix_batch {
    struct trk_fix fix[FIX_BATCH];
    struct trk_static st[FIX_BATCH];
    struct stat_change chg[CHG_BATCH];
    size_t n, nchg;
};

struct detect_run;

/* A ring of RING batches between a producer and the consumer thread,
 * filled in order, under one mutex (taken once per batch). */
struct pipe {
    pthread_mutex_t mu;
    pthread_cond_t data, space;
    unsigned char *ring;         /* RING batches of `size` bytes */
    size_t size;
    size_t head, tail;           /* batches published, taken */
    void *fill;                  /* being filled by the producer, or NULL */
    bool done;                   /* no more batches */
    bool running;                /* consumer thread started (else inline) */
    pthread_t th;
    void (*consume)(struct detect_run *r, void *batch);
    struct detect_run *r;
};

struct detect_run {
    enum efmt fmt;
    int64_t since, until;        /* fixes outside [since, until) are ignored */
    trk_tracker *trk;
    det_engine *det;
    outbuf out;
    unsigned long long events;
    bool need_comma;             /* GeoJSON/STIX: something written before */
    const char *file;
    struct det_stix_opts stix;
    unsigned long long csv_rows, csv_bad;   /* CSV input */
    unsigned long long csv_skipped;         /* no position, or not a vessel report */
    struct pipe msgs;            /* decoded messages -> tracker thread */
    struct pipe fixes;           /* fixes, static changes -> detector thread */
};

static void *pipe_batch(struct pipe *p, size_t i)
{
    return p->ring + (i % RING) * p->size;
}

/* The consumer thread: consumes each batch, in order, until done. */
static void *pipe_thread(void *arg)
{
    struct pipe *p = arg;
    pthread_mutex_lock(&p->mu);
    for (;;) {
        while (p->tail == p->head && !p->done)
            pthread_cond_wait(&p->data, &p->mu);
        if (p->tail == p->head)
            break;
        void *b = pipe_batch(p, p->tail);
        pthread_mutex_unlock(&p->mu);
        p->consume(p->r, b);
        pthread_mutex_lock(&p->mu);
        p->tail++;
        pthread_cond_signal(&p->space);
    }
    pthread_mutex_unlock(&p->mu);
    return NULL;
}

/* Allocates the ring and starts the consumer; without a thread, batches
 * are consumed inline. False when out of memory. */
static bool pipe_start(struct pipe *p, size_t size, void (*consume)(struct detect_run *, void *),
                       struct detect_run *r)
{
    pthread_mutex_init(&p->mu, NULL);
    pthread_cond_init(&p->data, NULL);
    pthread_cond_init(&p->space, NULL);
    p->size = size;
    p->consume = consume;
    p->r = r;
    p->ring = malloc(RING * size);
    if (!p->ring)
        return false;
    p->running = pthread_create(&p->th, NULL, pipe_thread, p) == 0;
    return true;
}

/* The batch being filled, or the next free one (waiting for the consumer
 * to free one); the caller resets a new one (`fresh`). */
static void *pipe_fill(struct pipe *p, bool *fresh)
{
    *fresh = false;
    if (!p->fill) {
        if (p->running) {
            pthread_mutex_lock(&p->mu);
            while (p->head - p->tail == RING)
                pthread_cond_wait(&p->space, &p->mu);
            pthread_mutex_unlock(&p->mu);
        }
        p->fill = pipe_batch(p, p->head);
        *fresh = true;
    }
    return p->fill;
}

/* Hands the batch being filled over (or consumes it, inline). */
static void pipe_publish(struct pipe *p)
{
    if (!p->fill)
        return;
    if (!p->running) {
        p->consume(p->r, p->fill);
        p->fill = NULL;
        return;
    }
    pthread_mutex_lock(&p->mu);
    p->head++;
    pthread_cond_signal(&p->data);
    pthread_mutex_unlock(&p->mu);
    p->fill = NULL;
}

/* Hands over what is left and waits for the consumer to finish: what it
 * owned is the caller's again. */
static void pipe_stop(struct pipe *p)
{
    pipe_publish(p);
    if (p->running) {
        pthread_mutex_lock(&p->mu);
        p->done = true;
        pthread_cond_signal(&p->data);
        pthread_mutex_unlock(&p->mu);
        pthread_join(p->th, NULL);
        p->running = false;
    }
    free(p->ring);
    p->ring = NULL;
    pthread_mutex_destroy(&p->mu);
    pthread_cond_destroy(&p->data);
    pthread_cond_destroy(&p->space);
}

/* Tracker thread: one batch of decoded messages. */
static void track_batch(struct detect_run *r, void *batch)
{
    struct msg_batch *b = batch;
    trk_feed_msgs(r->trk, b->msg, b->n);
}

/* Detector thread: one batch of fixes, each static-data change where it
 * happened. */
static void detect_batch(struct detect_run *r, void *batch)
{
    struct fix_batch *b = batch;
    size_t from = 0;
    for (size_t k = 0; k < b->nchg; k++) {
        const struct stat_change *c = &b->chg[k];
        det_feed_fixes(r->det, b->fix + from, b->st + from, c->at - from);
        det_feed_static(r->det, c->mmsi, &c->before, &c->after, c->after.t);
        from = c->at;
    }
    det_feed_fixes(r->det, b->fix + from, b->st + from, b->n - from);
}

/* Starts the tracker and detector threads. False when out of memory. */
static bool feed_start(struct detect_run *r)
{
    bool ok = pipe_start(&r->fixes, sizeof(struct fix_batch), detect_batch, r);
    return pipe_start(&r->msgs, sizeof(struct msg_batch), track_batch, r) && ok;
}

/* trk_feed(), handed to the tracker thread: the same messages reach the
 * tracker in the same order. */
static void feed(struct detect_run *r, const struct ais_msg *m, const struct ais_meta *meta)
{
    bool fresh;
    struct msg_batch *b = pipe_fill(&r->msgs, &fresh);
    if (fresh)
        b->n = 0;
    trk_msg_set(&b->msg[b->n], m, meta->time_ms);
    if (++b->n == MSG_BATCH)
        pipe_publish(&r->msgs);
}

/* The end of the input: the tracker gets the last messages and lets its
 * held fixes go, the detectors get those; then the tracker, the detectors
 * and the output belong to the main thread again. */
static void feed_stop(struct detect_run *r)
{
    pipe_stop(&r->msgs);
    trk_finish(r->trk);
    pipe_stop(&r->fixes);
}

/*
 * Every threshold of the tracker (struct trk_opts) and of the detectors
 * (struct det_config) as a named option: one row each, from which both the
 * help and getopt's table are made. Defaults are the library's (Global
 * Fishing Watch's published definitions); docs/detect.md explains each.
 */
enum thr_where { THR_DET, THR_TRK_DOUBLE, THR_TRK_MS, THR_TRK_SIZE, THR_DET_UNSIGNED };
struct threshold {
    const char *name, *arg;
    enum thr_where where;
    size_t off;
    const char *help;
};
#define DET(f) THR_DET, offsetof(struct det_config, f)
static const struct threshold thresholds[] = {
    {"gap-hours", "H", DET(gap_min_h), "silence recorded as a gap from (6)"},
    {"dark-hours", "H", DET(gap_dark_h), "gap long enough to be likely disabling (12)"},
    {"dark-shore-nm", "NM", DET(gap_dark_shore_nm), "... starting at least this far from shore (50)"},
    {"dark-regular-per-h", "N", DET(gap_regular_min_per_h),
     "... after at least N fixes per hour in the 12 h before (2)"},
    {"dark-reception-km", "KM", DET(gap_reception_km),
     "... while other vessels were heard this near (50)"},
    {"encounter-km", "KM", DET(enc_max_km), "max separation of an encounter (0.5)"},
    {"encounter-hours", "H", DET(enc_min_h), "min duration of an encounter (2)"},
    {"encounter-kn", "KN", DET(enc_max_median_kn), "max median speed of an encounter (2)"},
    {"encounter-anchorage-km", "KM", DET(enc_min_anchorage_km),
     "min distance of an encounter from any anchorage (10)"},
    {"encounter-step-min", "MIN", DET(enc_grid_min), "resampling step (10)"},
    {"encounter-max-interp-h", "H", DET(enc_max_interp_h), "no interpolation across longer silences (1)"},
    {"encounter-merge-h", "H", DET(enc_merge_h), "same pair's encounters closer than H merge (4)"},
    {"loiter-kn", "KN", DET(loi_max_kn), "max mean speed of loitering (2)"},
    {"loiter-hours", "H", DET(loi_min_h), "min duration of loitering (4)"},
    {"loiter-shore-nm", "NM", DET(loi_min_shore_nm), "min distance of loitering from shore (20)"},
    {"teleport-kn", "KN", DET(tel_max_kn), "implied speed that is a teleport (50)"},
    {"teleport-km", "KM", DET(tel_min_km), "... over at least this distance (10)"},
    {"clash-km", "KM", DET(clash_min_km), "one MMSI this far apart ... (50)"},
    {"clash-seconds", "S", DET(clash_max_s), "... within S seconds is an mmsi_clash (600)"},
    {"identity-changes", "N", THR_DET_UNSIGNED, offsetof(struct det_config, ident_max_changes),
     "name/call sign/IMO changes per day that raise an event (1)"},
    {"segment-kn", "KN", THR_TRK_DOUBLE, offsetof(struct trk_opts, max_speed_kn),
     "tracker: max implied speed joining a segment (30)"},
    {"segment-gap-h", "H", THR_TRK_MS, offsetof(struct trk_opts, max_gap_ms),
     "tracker: longer silence starts a new segment (24)"},
    {"reorder-min", "MIN", THR_TRK_MS, offsetof(struct trk_opts, reorder_ms),
     "tracker: late reports put back in order up to (10)"},
    {"idle-hours", "H", THR_TRK_MS, offsetof(struct trk_opts, idle_evict_ms),
     "tracker: vessel silent this long is let go (48)"},
    {"max-vessels", "N", THR_TRK_SIZE, offsetof(struct trk_opts, max_vessels),
     "tracker: vessels held at most (1000000)"},
};
#undef DET
#define NTHR (sizeof thresholds / sizeof thresholds[0])
#define THR_OPT_BASE 1000            /* getopt value of thresholds[0] */

static void thresholds_usage(FILE *f)
{
    fprintf(f, "Thresholds (defaults: Global Fishing Watch's published definitions,\n"
               "docs/detect.md):\n");
    for (size_t i = 0; i < NTHR; i++) {
        char left[48];
        snprintf(left, sizeof left, "--%s %s", thresholds[i].name, thresholds[i].arg);
        fprintf(f, "      %-28s %s\n", left, thresholds[i].help);
    }
}

/* Sets threshold i from text; false (after saying why) unless it is a
 * positive number. Hours and minutes of the tracker become ms. */
static bool threshold_set(size_t i, const char *text, struct det_config *cfg,
                          struct trk_opts *topt)
{
    char *end;
    errno = 0;
    double v = strtod(text, &end);
    if (end == text || *end != '\0' || errno || !(v > 0) || !isfinite(v) || v > 1e12) {
        fprintf(stderr, "alidade ais detect: --%s wants a positive number, not '%s'\n",
                thresholds[i].name, text);
        return false;
    }
    const struct threshold *t = &thresholds[i];
    switch (t->where) {
    case THR_DET: *(double *)((char *)cfg + t->off) = v; break;
    case THR_DET_UNSIGNED: *(unsigned *)((char *)cfg + t->off) = v >= UINT_MAX ? UINT_MAX : (unsigned)v; break;
    case THR_TRK_DOUBLE: *(double *)((char *)topt + t->off) = v; break;
    case THR_TRK_MS: {
        double ms = v * (strcmp(t->arg, "MIN") == 0 ? 60000.0 : 3600000.0);
        *(int64_t *)((char *)topt + t->off) = (int64_t)ms;
        break;
    }
    case THR_TRK_SIZE: *(size_t *)((char *)topt + t->off) = (size_t)v; break;
    }
    return true;
}

static void detect_usage(FILE *f)
{
    fprintf(f,
        "usage: alidade ais detect [options] [FILE...]\n"
        "\n"
        "Reads AIS NMEA (as `alidade ais decode` does: files or stdin, plain, gzip or\n"
        "zstd, tag blocks and other receive-time forms) or positions as CSV (detected\n"
        "per file: a header with mmsi, time, lat, lon columns such as `ais decode\n"
        "--format csv` writes, or AMSA's headerless mmsi,lat,lon,epoch-ms,...; bad\n"
        "rows are counted and skipped) and reports maritime events,\n"
        "one JSON object per line: gap (AIS silence, \"likely_disabling\"), encounter,\n"
        "loitering, teleport, mmsi_clash, invalid_mmsi, identity_change. Every object\n"
        "has \"event\", \"mmsi\", \"start\", \"end\" (UTC ISO 8601), \"lat\", \"lon\";\n"
        "encounters add \"mmsi2\". Unknown values are null (e.g. \"shore_km\" without\n"
        "shore data: alidade does not guess).\n"
        "\n"
        "  -f, --format FMT       json (default, JSON lines), geojson (one\n"
        "                         FeatureCollection: opens in QGIS, kepler.gl) or stix\n"
        "                         (one STIX 2.1 bundle: location + sighting per event, see\n"
        "                         docs/stix-maritime.md)\n"
        "      --identity NAME    STIX: this node's name, the events' creator\n"
        "      --tlp LEVEL        STIX: clear, green (default), amber, amber+strict, red\n"
        "      --since TIME       ignore positions before TIME (ISO 8601 UTC or epoch s)\n"
        "      --until TIME       ignore positions at or after TIME\n"
        "      --zones FILE       GeoJSON polygons (\"name\"; rules \"exempt_mids\",\n"
        "                         \"ship_types\", \"max_speed_kn\"): zone_entry/zone_exit\n"
        "      --shore FILE       coastline for \"shore_km\": GeoJSON lines or land\n"
        "                         polygons (plain, gzip or zstd); `builtin` is the\n"
        "                         bundled Natural Earth 1:50m land (docs/geo.md).\n"
        "                         Without it distances to shore are unknown (null);\n"
        "                         inside land polygons (ports, rivers) they are 0\n"
        "      --anchorages FILE  anchorages: GeoJSON points or CSV with lat and lon\n"
        "                         columns (e.g. GFW's named anchorages)\n"
        "      --land FILE        land polygons for the on-land checks (default: the\n"
        "                         --shore polygons, but not builtin's); `builtin`:\n"
        "                         the bundled land (coarse: river ports are on it)\n"
        "      --land-margin KM   inside land but nearer its coast than KM is \"cannot\n"
        "                         tell\", not land (10 for builtin, else 0)\n"
        );
    thresholds_usage(f);
    fprintf(f,
        "  -q, --quiet            no summary on stderr\n"
        "  -h, --help             this help\n"
        "\n"
        "Exit status: 0 when the input was read (bad lines are counted on stderr),\n"
        "2 when an input could not be read or the options are wrong.\n"
        "\n"
        "example: alidade ais detect capture.nmea.gz > events.jsonl\n");
}

/* ---- time ---- */

/* "2024-03-01T12:00:00Z", "2024-03-01", or epoch seconds -> ms; -1 on error. */
static int64_t parse_time(const char *s)
{
    char *end;
    long long v = strtoll(s, &end, 10);
    if (*s && *end == '\0')
        return (int64_t)v * 1000;
    int y, mo, d, h = 0, mi = 0, sec = 0;
    int n = sscanf(s, "%d-%d-%dT%d:%d:%d", &y, &mo, &d, &h, &mi, &sec);
    if (n != 3 && n != 6)
        return -1;
    struct tm tm = {.tm_year = y - 1900, .tm_mon = mo - 1, .tm_mday = d,
                    .tm_hour = h, .tm_min = mi, .tm_sec = sec};
    time_t t = timegm(&tm);
    if (t == (time_t)-1)
        return -1;
    return (int64_t)t * 1000;
}

/* ---- output ---- */

static int put_num(char *p, size_t cap, const char *key, double v, int decimals)
{
    if (isnan(v))
        return snprintf(p, cap, ",\"%s\":null", key);
    return snprintf(p, cap, ",\"%s\":%.*f", key, decimals, v);
}

static int put_time(char *p, size_t cap, const char *key, int64_t ms)
{
    char t[40];
    if (ms == AIS_TIME_NONE || !ais_format_time(ms, t, sizeof t))
        return snprintf(p, cap, ",\"%s\":null", key);
    return snprintf(p, cap, ",\"%s\":\"%s\"", key, t);
}

/* JSON string body: detail and zone names are ours or operator-given, escape
 * quotes, backslashes and controls anyway. */
static int put_str(char *p, size_t cap, const char *key, const char *s)
{
    int n = snprintf(p, cap, ",\"%s\":\"", key);
    for (; *s && (size_t)n + 8 < cap; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\')
            n += snprintf(p + n, cap - (size_t)n, "\\%c", c);
        else if (c < 0x20)
            n += snprintf(p + n, cap - (size_t)n, "\\u%04x", c);
        else
            p[n++] = (char)c;
    }
    n += snprintf(p + n, cap - (size_t)n, "\"");
    return n;
}

/* The members of one event, without braces; returns the length. */
static size_t event_members(const struct det_event *e, char *p, size_t cap)
{
    int n = snprintf(p, cap, "\"event\":\"%s\",\"mmsi\":%u", det_kind_name(e->kind), e->mmsi);
    if (e->kind == DET_ENCOUNTER || e->mmsi2)
        n += snprintf(p + n, cap - (size_t)n, ",\"mmsi2\":%u", e->mmsi2);
    n += put_time(p + n, cap - (size_t)n, "start", e->start);
    n += put_time(p + n, cap - (size_t)n, "end", e->end);
    n += put_num(p + n, cap - (size_t)n, "lat", e->lat, 6);
    n += put_num(p + n, cap - (size_t)n, "lon", e->lon, 6);
    if (!isnan(e->end_lat)) {
        n += put_num(p + n, cap - (size_t)n, "end_lat", e->end_lat, 6);
        n += put_num(p + n, cap - (size_t)n, "end_lon", e->end_lon, 6);
    }
    n += put_num(p + n, cap - (size_t)n, "duration_h", e->duration_h, 3);
    n += put_num(p + n, cap - (size_t)n, "distance_km", e->distance_km, 3);
    n += put_num(p + n, cap - (size_t)n, "speed_kn", e->speed_kn, 2);
    n += put_num(p + n, cap - (size_t)n, "shore_km", e->shore_km, 1);
    if (e->kind == DET_GAP)
        n += snprintf(p + n, cap - (size_t)n, ",\"likely_disabling\":%s",
                      e->likely_disabling < 0 ? "null" : e->likely_disabling ? "true" : "false");
    if (e->zone[0])
        n += put_str(p + n, cap - (size_t)n, "zone", e->zone);
    if (e->detail[0])
        n += put_str(p + n, cap - (size_t)n, "detail", e->detail);
    return (size_t)n < cap ? (size_t)n : cap - 1;
}

static void on_event(void *ctx, const struct det_event *e)
{
    struct detect_run *r = ctx;
    char *dst = out_reserve(&r->out, 4096);
    size_t n = 0;
    if (r->fmt == E_STIX) {
        if (r->need_comma) {
            dst[n++] = ',';
            dst[n++] = '\n';
        }
        n += det_stix_event(e, &r->stix, dst + n, 4000);
        out_commit(&r->out, n);
        r->events++;
        r->need_comma = true;
        return;
    }
    if (r->fmt == E_JSON) {
        dst[n++] = '{';
        n += event_members(e, dst + n, 4000);
        dst[n++] = '}';
        dst[n++] = '\n';
    } else {
        /* a LineString from start to end when the event moves, else a Point */
        bool line = !isnan(e->end_lat) && !isnan(e->lat);
        n += (size_t)snprintf(dst, 4096, "%s{\"type\":\"Feature\",\"geometry\":",
                              r->need_comma ? ",\n" : "");
        if (isnan(e->lat))
            n += (size_t)snprintf(dst + n, 4096 - n, "null");
        else if (line)
            n += (size_t)snprintf(dst + n, 4096 - n,
                                  "{\"type\":\"LineString\",\"coordinates\":[[%.6f,%.6f],[%.6f,%.6f]]}",
                                  e->lon, e->lat, e->end_lon, e->end_lat);
        else
            n += (size_t)snprintf(dst + n, 4096 - n,
                                  "{\"type\":\"Point\",\"coordinates\":[%.6f,%.6f]}", e->lon, e->lat);
        n += (size_t)snprintf(dst + n, 4096 - n, ",\"properties\":{");
        n += event_members(e, dst + n, 3500);
        n += (size_t)snprintf(dst + n, 4096 - n, "}}");
    }
    out_commit(&r->out, n);
    r->events++;
    r->need_comma = true;
}

/* ---- operator files (zones, shore, anchorages, land) ---- */

/* Loads one geography file (geofiles.c); the reason on stderr when not. */
static det_geodata *load_geo(const char *opt, const char *path, char need)
{
    char err[1024];
    det_geodata *g = geofiles_load(opt, path, need, err, sizeof err);
    if (!g)
        fprintf(stderr, "alidade: %s\n", err);
    return g;
}

/* ---- CSV positions ----
 * A file whose first line is not NMEA may be positions as CSV:
 *   - with a header naming mmsi, lat and lon columns (any order, any case;
 *     aliases below), e.g. `alidade ais decode --format csv`
 *     (mmsi,time,lat,lon,sog,cog,heading,nav_status,type), GFW-style
 *     mmsi,timestamp,lat,lon,speed,course or MarineCadastre's
 *     MMSI,BaseDateTime,LAT,LON,SOG,COG,Heading,...,Status;
 *   - headerless as AMSA's drift candidates (risky): mmsi,lat,lon,epoch ms,
 *     class A/B,cog,heading,sog,nav status name,...
 * Each row becomes a type 1 (class A) or 18 (class B) report fed to the
 * tracker with the row's time. Bad rows are counted, the first few reported
 * with their line numbers; they never stop the run.
 */
enum csv_col { CC_MMSI, CC_TIME, CC_LAT, CC_LON, CC_SOG, CC_COG, CC_HEADING, CC_STATUS,
               CC_TYPE, CC_CLASS, CC__N };

struct csv_in {
    int col[CC__N];              /* field index, -1 absent */
};

#define CSV_FIELDS 64
#define CSV_REPORT_BAD 5         /* bad rows printed per file */

static const char *const csv_names[CC__N][6] = {
    [CC_MMSI] = {"mmsi", NULL},
    [CC_TIME] = {"time", "timestamp", "basedatetime", "datetime", "epoch", NULL},
    [CC_LAT] = {"lat", "latitude", NULL},
    [CC_LON] = {"lon", "lng", "long", "longitude", NULL},
    [CC_SOG] = {"sog", "speed", NULL},
    [CC_COG] = {"cog", "course", NULL},
    [CC_HEADING] = {"heading", "true_heading", NULL},
    [CC_STATUS] = {"nav_status", "navstatus", "status", NULL},
    [CC_TYPE] = {"type", "msg_type", NULL},
    [CC_CLASS] = {"class", "ais_class", NULL},
};

/* Splits a line at commas (no quoting: position CSVs have none) into
 * NUL-terminated copies in buf; returns the number of fields. */
static int csv_fields(const char *line, size_t len, char *buf, char *f[CSV_FIELDS])
{
    int n = 0;
    size_t o = 0;
    f[n++] = buf;
    for (size_t i = 0; i < len; i++) {
        if (line[i] == ',') {
            buf[o++] = '\0';
            if (n == CSV_FIELDS)
                return n;
            f[n++] = buf + o;
        } else if (line[i] != '"') {
            buf[o++] = line[i];
        }
    }
    buf[o] = '\0';
    return n;
}

/* Reads a header; true when it names mmsi, lat and lon. */
static bool csv_header(char *f[], int nf, struct csv_in *c)
{
    for (int k = 0; k < CC__N; k++)
        c->col[k] = -1;
    for (int i = 0; i < nf; i++) {
        const char *name = f[i];
        while (*name == ' ')
            name++;
        for (int k = 0; k < CC__N; k++)
            for (int j = 0; csv_names[k][j]; j++)
                if (c->col[k] < 0 && strcasecmp(name, csv_names[k][j]) == 0)
                    c->col[k] = i;
    }
    return c->col[CC_MMSI] >= 0 && c->col[CC_LAT] >= 0 && c->col[CC_LON] >= 0;
}

static bool num(const char *s, double *v)
{
    char *end;
    *v = strtod(s, &end);
    return end != s && *end == '\0' && isfinite(*v);
}

/* AMSA's headerless drift candidates: mmsi,lat,lon,epoch ms,A|B,... */
static bool csv_amsa(char *f[], int nf, struct csv_in *c)
{
    double v;
    if (nf < 4 || !num(f[0], &v) || !num(f[1], &v) || !num(f[2], &v) || !num(f[3], &v) ||
        v < 1e11)
        return false;
    static const int cols[CC__N] = {0, 3, 1, 2, 7, 5, 6, 8, -1, 4};
    memcpy(c->col, cols, sizeof cols);
    return true;
}

/* Time: epoch ms (> 1e11), epoch s, or ISO 8601 with optional fraction and
 * 'Z' ("2012-01-31T05:07:15.972Z", "2020-01-01 00:00:00"); -1 when bad. */
static int64_t csv_time(const char *s)
{
    double v;
    if (num(s, &v))
        return v > 1e11 ? (int64_t)llround(v) : (int64_t)llround(v * 1000);
    int y, mo, d, h, mi, n = 0;
    double sec;
    if (sscanf(s, "%4d-%2d-%2d%*1[T ]%2d:%2d:%lf%n", &y, &mo, &d, &h, &mi, &sec, &n) != 6)
        return -1;
    if (s[n] && strcmp(s + n, "Z") != 0 && strcmp(s + n, "+00:00") != 0)
        return -1;
    if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || !(sec >= 0 && sec < 61))
        return -1;
    struct tm tm = {.tm_year = y - 1900, .tm_mon = mo - 1, .tm_mday = d, .tm_hour = h,
                    .tm_min = mi};
    time_t t = timegm(&tm);
    return t == (time_t)-1 ? -1 : (int64_t)t * 1000 + (int64_t)llround(sec * 1000);
}

/* Navigation status: 0-15, or AMSA's names (risky NavigationalStatus). */
static unsigned csv_status(const char *s)
{
    static const char *const names[] = {
        "UNDER_WAY_USING_ENGINE", "AT_ANCHOR", "NOT_UNDER_COMMAND",
        "RESTRICTED_MANOEUVRABILITY", "CONSTRAINED_BY_HER_DRAUGHT", "MOORED", "AGROUND",
        "ENGAGED_IN_FISHING", "UNDER_WAY", "RESERVED_HSC", "RESERVED_WIG",
        "RESERVED_11", "RESERVED_12", "RESERVED_13", "AIS_SART", "NOT_DEFINED"};
    double v;
    if (num(s, &v))
        return v >= 0 && v <= 15 ? (unsigned)v : 15;
    for (unsigned i = 0; i < 16; i++)
        if (strcasecmp(s, names[i]) == 0)
            return i;
    return 15;
}

/* Optional numeric field scaled by `scale`, `na` when empty or bad. */
static unsigned csv_opt(char *f[], int nf, int col, double scale, double max, unsigned na)
{
    double v;
    if (col < 0 || col >= nf || !num(f[col], &v) || v < 0 || v * scale > max)
        return na;
    return (unsigned)lround(v * scale);
}

/* A row that is fine but not a vessel position: empty lat or lon (as
 * `ais decode --format csv` writes "not available"), or a message type
 * other than 1-3, 18, 19, 27 (base stations, aids to navigation, SAR). */
static const char CSV_SKIP[] = "skip";

/* One data row -> message; NULL when fine, CSV_SKIP, else why it is bad. */
static const char *csv_row(const struct csv_in *c, char *f[], int nf, struct ais_msg *m,
                           int64_t *t)
{
    double mmsi, lat, lon, ty = 0;
    if (c->col[CC_MMSI] >= nf || c->col[CC_LAT] >= nf || c->col[CC_LON] >= nf ||
        c->col[CC_TIME] >= nf)
        return "too few fields";
    if (c->col[CC_TYPE] >= 0 && c->col[CC_TYPE] < nf && num(f[c->col[CC_TYPE]], &ty) &&
        !(ty == 1 || ty == 2 || ty == 3 || ty == 18 || ty == 19 || ty == 27))
        return CSV_SKIP;
    if (f[c->col[CC_LAT]][0] == '\0' || f[c->col[CC_LON]][0] == '\0')
        return CSV_SKIP;
    if (!num(f[c->col[CC_MMSI]], &mmsi) || mmsi < 0 || mmsi > 999999999 || mmsi != floor(mmsi))
        return "bad mmsi";
    if (!num(f[c->col[CC_LAT]], &lat) || !num(f[c->col[CC_LON]], &lon) || fabs(lat) > 90 ||
        fabs(lon) > 180)
        return "bad lat/lon";
    *t = c->col[CC_TIME] >= 0 ? csv_time(f[c->col[CC_TIME]]) : -1;
    if (*t < 0)
        return "bad or missing time";
    bool class_b = (c->col[CC_CLASS] >= 0 && c->col[CC_CLASS] < nf &&
                    strcmp(f[c->col[CC_CLASS]], "B") == 0) ||
                   (c->col[CC_TYPE] >= 0 && c->col[CC_TYPE] < nf && num(f[c->col[CC_TYPE]], &ty) &&
                    (ty == 18 || ty == 19));
    memset(m, 0, sizeof *m);
    m->type = class_b ? 18 : 1;
    m->mmsi = (unsigned)mmsi;
    unsigned sog = csv_opt(f, nf, c->col[CC_SOG], 10, 1022, 1023);
    unsigned cog = csv_opt(f, nf, c->col[CC_COG], 10, 3599, 3600);
    unsigned hdg = csv_opt(f, nf, c->col[CC_HEADING], 1, 359, 511);
    int ilat = (int)lround(lat * 600000), ilon = (int)lround(lon * 600000);
    if (class_b) {
        m->u.t18 = (struct ais_classb18){.speed = sog, .course = cog, .heading = hdg,
                                         .lat = ilat, .lon = ilon, .second = 60};
    } else {
        unsigned st = c->col[CC_STATUS] >= 0 && c->col[CC_STATUS] < nf
                          ? csv_status(f[c->col[CC_STATUS]]) : 15;
        m->u.t1 = (struct ais_pos123){.status = st, .turn = -128, .speed = sog, .course = cog,
                                      .heading = hdg, .lat = ilat, .lon = ilon, .second = 60};
    }
    return NULL;
}

/* How a file's lines are read, decided from its first non-blank line. */
enum in_mode { IN_UNKNOWN, IN_NMEA, IN_CSV };

/* Decides from the first line; for a CSV header the line is consumed
 * (returns true), for NMEA or a headerless CSV row it is still to be fed. */
static bool decide_mode(const char *line, size_t len, enum in_mode *mode, struct csv_in *c,
                        char *buf)
{
    char *f[CSV_FIELDS];
    *mode = IN_NMEA;
    if (len == 0 || line[0] == '!' || line[0] == '$' || line[0] == '\\' || len >= LR_MAX_LINE)
        return false;
    int nf = csv_fields(line, len, buf, f);
    if (csv_header(f, nf, c)) {
        *mode = IN_CSV;
        return true;
    }
    if (csv_amsa(f, nf, c))
        *mode = IN_CSV;
    return false;
}

static void csv_feed(struct detect_run *r, const struct csv_in *c, const char *path,
                     const char *line, size_t len, unsigned long long line_no, char *buf,
                     unsigned long long *reported, bool quiet)
{
    char *f[CSV_FIELDS];
    struct ais_msg m;
    int64_t t;
    int nf = csv_fields(line, len, buf, f);
    if (nf == 1 && f[0][0] == '\0')
        return;                      /* blank line */
    r->csv_rows++;
    const char *why = csv_row(c, f, nf, &m, &t);
    if (why == CSV_SKIP) {
        r->csv_skipped++;
        return;
    }
    if (why) {
        r->csv_bad++;
        if (!quiet && (*reported)++ < CSV_REPORT_BAD)
            fprintf(stderr, "alidade: %s:%llu: %s\n", path, line_no, why);
        return;
    }
    if (t < r->since || t >= r->until)
        return;
    struct ais_meta meta = {.time_ms = t, .line_no = (size_t)line_no, .nfrags = 1};
    feed(r, &m, &meta);
}

/* ---- pipeline ---- */

/* The tracker's fixes, with their vessel's static data as it was, go to
 * the detector thread in batches. */
static void on_fix(void *ctx, const struct trk_fix *f, const struct trk_static *st)
{
    struct detect_run *r = ctx;
    bool fresh;
    struct fix_batch *b = pipe_fill(&r->fixes, &fresh);
    if (fresh)
        b->n = b->nchg = 0;
    b->fix[b->n] = *f;
    b->st[b->n] = *st;
    if (++b->n == FIX_BATCH)
        pipe_publish(&r->fixes);
}

/* A static-data change goes with the fixes, where it happened: the
 * detectors see fixes and static data in order. */
static void on_static(void *ctx, uint32_t mmsi, const struct trk_static *before,
                      const struct trk_static *after)
{
    struct detect_run *r = ctx;
    bool fresh;
    struct fix_batch *b = pipe_fill(&r->fixes, &fresh);
    if (fresh)
        b->n = b->nchg = 0;
    b->chg[b->nchg++] = (struct stat_change){.at = b->n, .mmsi = mmsi, .before = *before,
                                             .after = *after};
    if (b->nchg == CHG_BATCH)
        pipe_publish(&r->fixes);
}

static void on_msg(void *ctx, const struct ais_msg *m, const struct ais_meta *meta)
{
    struct detect_run *r = ctx;
    if (meta->time_ms != AIS_TIME_NONE &&
        (meta->time_ms < r->since || meta->time_ms >= r->until))
        return;
    feed(r, m, meta);
}

static void print_summary(struct detect_run *r, ais_decoder *d)
{
    const struct ais_stats *as = ais_decoder_stats(d);
    const struct trk_stats *ts = trk_stats(r->trk);
    uint64_t nbad = 0;
    for (int i = 0; i < 32; i++)
        nbad += as->bad[i];
    fprintf(stderr, "lines %llu, messages %llu, rejected lines %llu; fixes %llu, vessels %llu, "
                    "dropped: no time %llu, no position %llu, bad lat/lon %llu\n",
            (unsigned long long)as->lines, (unsigned long long)as->messages,
            (unsigned long long)nbad, (unsigned long long)ts->fixes,
            (unsigned long long)ts->vessels, (unsigned long long)ts->no_time,
            (unsigned long long)ts->no_position,
            (unsigned long long)(ts->bad_lat + ts->bad_lon));
    if (r->csv_rows)
        fprintf(stderr, "csv rows %llu, bad rows %llu, skipped (no position or not a vessel "
                        "report) %llu\n", r->csv_rows, r->csv_bad, r->csv_skipped);
    fprintf(stderr, "events:");
    for (int k = 0; k < DET__COUNT; k++)
        fprintf(stderr, " %s %llu", det_kind_name((enum det_kind)k),
                (unsigned long long)det_count(r->det, (enum det_kind)k));
    fprintf(stderr, "\n");
}

/* Operator geography files named on the command line (NULL: none). */
struct geo_paths {
    const char *zones, *shore, *anchorages, *land;
    double land_margin_km;       /* NAN: the default */
};

static void free_layers(det_geodata *shore, det_geodata *anch, det_geodata *land)
{
    det_geo_free(shore);
    det_geo_free(anch);
    det_geo_free(land);
}

/* Loads --shore, --anchorages and --land. Shore polygons (the builtin
 * coastline is land polygons) also give the land mask when --land is not
 * given. False after printing why. */
static bool load_layers(const struct geo_paths *gp, struct det_geo_layers *l,
                        det_geodata **shore, det_geodata **anch, det_geodata **land)
{
    *shore = gp->shore ? load_geo("shore", gp->shore, 's') : NULL;
    *anch = gp->anchorages ? load_geo("anchorages", gp->anchorages, 'a') : NULL;
    *land = gp->land ? load_geo("land", gp->land, 'l') : NULL;
    if ((gp->shore && !*shore) || (gp->anchorages && !*anch) || (gp->land && !*land)) {
        free_layers(*shore, *anch, *land);
        return false;
    }
    l->shore = *shore;
    l->anchorages = *anch;
    /* The operator's own shore polygons double as the land mask; the
     * builtin 1:50m land does not (river ports such as Palembang would be
     * "positions on land"): --land builtin asks for it explicitly. */
    bool builtin_shore = gp->shore && strcmp(gp->shore, "builtin") == 0;
    l->land = *land ? *land
                    : (*shore && !builtin_shore && det_geo_count(*shore).rings ? *shore : NULL);
    bool coarse = (gp->land ? strcmp(gp->land, "builtin") == 0
                            : gp->shore && strcmp(gp->shore, "builtin") == 0);
    l->land_margin_km = !isnan(gp->land_margin_km) ? gp->land_margin_km
                        : coarse ? GEOFILES_BUILTIN_LAND_MARGIN_KM : 0;
    return true;
}

static int parse_args(int argc, char **argv, struct detect_run *r, struct det_config *cfg,
                      struct trk_opts *topt, bool *quiet, struct geo_paths *gp)
{
    static const struct option fixed[] = {
        {"format", required_argument, 0, 'f'},
        {"since", required_argument, 0, 'S'},
        {"until", required_argument, 0, 'U'},
        {"zones", required_argument, 0, 'Z'},
        {"shore", required_argument, 0, 'H'},
        {"anchorages", required_argument, 0, 'A'},
        {"land", required_argument, 0, 'L'},
        {"land-margin", required_argument, 0, 'M'},
        {"identity", required_argument, 0, 'I'},
        {"tlp", required_argument, 0, 'T'},
        {"quiet", no_argument, 0, 'q'},
        {"help", no_argument, 0, 'h'},
    };
    enum { NFIXED = sizeof fixed / sizeof fixed[0] };
    struct option lo[NFIXED + NTHR + 1];
    memcpy(lo, fixed, sizeof fixed);
    for (size_t i = 0; i < NTHR; i++)
        lo[NFIXED + i] = (struct option){thresholds[i].name, required_argument, 0,
                                         THR_OPT_BASE + (int)i};
    lo[NFIXED + NTHR] = (struct option){0, 0, 0, 0};
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "f:qh", lo, NULL)) != -1) {
        if (c >= THR_OPT_BASE && c < THR_OPT_BASE + (int)NTHR) {
            if (!threshold_set((size_t)(c - THR_OPT_BASE), optarg, cfg, topt))
                return 2;
            continue;
        }
        double v = optarg ? strtod(optarg, NULL) : 0;
        switch (c) {
        case 'f':
            if (strcmp(optarg, "json") == 0) r->fmt = E_JSON;
            else if (strcmp(optarg, "geojson") == 0) r->fmt = E_GEOJSON;
            else if (strcmp(optarg, "stix") == 0) r->fmt = E_STIX;
            else {
                fprintf(stderr, "alidade ais detect: unknown format '%s' (json, geojson, stix)\n",
                        optarg);
                return 2;
            }
            break;
        case 'S': case 'U': {
            int64_t t = parse_time(optarg);
            if (t < 0) {
                fprintf(stderr, "alidade ais detect: bad time '%s' (want 2024-03-01T12:00:00Z "
                                "or epoch seconds)\n", optarg);
                return 2;
            }
            if (c == 'S') r->since = t; else r->until = t;
            break;
        }
        case 'Z': gp->zones = optarg; break;
        case 'H': gp->shore = optarg; break;
        case 'A': gp->anchorages = optarg; break;
        case 'L': gp->land = optarg; break;
        case 'M': gp->land_margin_km = v; break;
        case 'I': r->stix.identity_name = optarg; break;
        case 'T': {
            static const char *const levels[] = {"clear", "green", "amber", "amber+strict", "red"};
            unsigned k = 0;
            while (k < 5 && strcasecmp(optarg, levels[k]) != 0)
                k++;
            if (k == 5) {
                fprintf(stderr, "alidade ais detect: unknown TLP '%s' (clear, green, amber, "
                                "amber+strict, red)\n", optarg);
                return 2;
            }
            r->stix.tlp = k;
            break;
        }
        case 'q': *quiet = true; break;
        case 'h': detect_usage(stdout); return 0;
        default: detect_usage(stderr); return 2;
        }
    }
    return -1;
}

int cmd_detect(int argc, char **argv)
{
    struct detect_run r = {.fmt = E_JSON, .since = INT64_MIN, .until = INT64_MAX,
                           .stix = {.identity_name = "alidade node", .tlp = 1}};
    struct det_config cfg = {0};
    struct trk_opts topt = {0};      /* zero fields: the library's defaults */
    bool quiet = false;
    struct geo_paths gp = {.land_margin_km = NAN};
    int rc = parse_args(argc, argv, &r, &cfg, &topt, &quiet, &gp);
    if (rc >= 0)
        return rc;
    const char *zones_path = gp.zones;
    struct det_geo geo = {0};
    det_zones *zones = NULL;
    struct det_geo_layers layers = {0};
    det_geodata *shore = NULL, *anch = NULL, *land = NULL;
    if (!load_layers(&gp, &layers, &shore, &anch, &land))
        return 2;
    det_geo_bind(&geo, &layers);
    if (zones_path) {
        char err[512];
        size_t zlen;
        char *text = input_read_all(zones_path, INPUT_SMALL_MAX, &zlen, err, sizeof err);
        zones = text ? det_zones_load(text, zlen, err, sizeof err) : NULL;
        free(text);
        if (!zones) {
            fprintf(stderr, "alidade: %s: %s\n", zones_path, err);
            free_layers(shore, anch, land);
            return 2;
        }
        geo.zones = zones;
    }
    struct ais_decoder_opts dopts = {.split24 = true};
    ais_decoder *d = ais_decoder_new(&dopts);
    r.trk = trk_new(&topt);
    r.det = det_new(&cfg, &geo, on_event, &r);
    if (!d || !r.trk || !r.det || !out_init(&r.out, STDOUT_FILENO)) {
        fprintf(stderr, "alidade: out of memory\n");
        ais_decoder_free(d);
        trk_free(r.trk);
        det_free(r.det);
        det_zones_free(zones);
        free_layers(shore, anch, land);
        return 2;
    }
    ais_decoder_set_cb(d, on_msg, NULL, &r);
    trk_set_cb(r.trk, on_fix, on_static, &r);
    if (r.fmt == E_GEOJSON)
        out_write(&r.out, "{\"type\":\"FeatureCollection\",\"features\":[\n", 41);
    if (r.fmt == E_STIX) {
        char pre[16384];
        char hdr[160];
        uint8_t u[16] = {0};
        if (getrandom(u, sizeof u, 0) != (ssize_t)sizeof u)
            memset(u, 0x5a, sizeof u);     /* ids stay valid; uniqueness is best effort */
        u[6] = (uint8_t)((u[6] & 0x0F) | 0x40);
        u[8] = (uint8_t)((u[8] & 0x3F) | 0x80);
        int hn = snprintf(hdr, sizeof hdr,
                          "{\"type\":\"bundle\",\"id\":\"bundle--%02x%02x%02x%02x-%02x%02x-%02x%02x-"
                          "%02x%02x-%02x%02x%02x%02x%02x%02x\",\"objects\":[\n",
                          u[0], u[1], u[2], u[3], u[4], u[5], u[6], u[7], u[8], u[9], u[10],
                          u[11], u[12], u[13], u[14], u[15]);
        out_write(&r.out, hdr, (size_t)hn);
        size_t pn = det_stix_preamble(&r.stix, pre, sizeof pre);
        out_write(&r.out, pre, pn);
        r.need_comma = pn > 0;   /* events follow the preamble after a comma */
    }

    int status = 0;
    bool tty = isatty(STDERR_FILENO) && !quiet;
    int nfiles = argc - optind;
    char *csvbuf = malloc(LR_MAX_LINE + 2);
    if (!csvbuf) {
        fprintf(stderr, "alidade: out of memory\n");
        status = 2;
        nfiles = -1;
    }
    if (!feed_start(&r)) {           /* nothing is fed then: no fix reaches on_fix */
        fprintf(stderr, "alidade: out of memory\n");
        status = 2;
        nfiles = -1;
    }
    for (int i = 0; nfiles >= 0 && i < (nfiles ? nfiles : 1); i++) {
        const char *path = nfiles ? argv[optind + i] : "-";
        char err[512];
        line_reader *lr = lr_open(path, err, sizeof err);
        if (!lr) {
            fprintf(stderr, "alidade: %s\n", err);
            status = 2;
            continue;
        }
        /* a fourth thread reads and decompresses, off the decoding one
         * (files only: closing must not wait on a pipe) */
        if (nfiles)
            (void)lr_readahead(lr);
        off_t size = tty ? progress_plain_size(path) : 0;
        const char *line;
        size_t len;
        bool trunc;
        unsigned long long nlines = 0, bad_reported = 0;
        enum in_mode mode = IN_UNKNOWN;
        struct csv_in csv;
        int got;
        while ((got = lr_next(lr, &line, &len, &trunc)) == 1) {
            nlines++;
            if (nlines == 1 && len >= 3 && memcmp(line, "\xEF\xBB\xBF", 3) == 0) {
                line += 3;           /* a UTF-8 byte order mark (spreadsheet CSV) */
                len -= 3;
            }
            if (mode == IN_UNKNOWN && (len > 0 || trunc) &&
                decide_mode(line, trunc ? LR_MAX_LINE : len, &mode, &csv, csvbuf))
                continue;            /* a CSV header */
            if (mode == IN_CSV)
                csv_feed(&r, &csv, path, line, trunc ? 0 : len, nlines, csvbuf, &bad_reported,
                         quiet);
            else if (trunc)
                ais_decoder_reject_line(d, ALD_E_NMEA_TOO_LONG, "line longer than 65536 bytes",
                                        line, 80);
            else
                ais_decoder_feed(d, line, len);
            if (tty && (nlines & 0xFFFFF) == 0)
                progress_show(path, lr_bytes(lr), size, nlines);
        }
        if (got < 0) {
            fprintf(stderr, "alidade: %s\n", lr_error(lr));
            status = 2;
        }
        lr_close(lr);
        ais_decoder_finish(d);
        if (tty)
            fprintf(stderr, "\r%*s\r", 80, "");
    }
    free(csvbuf);
    feed_stop(&r);
    det_finish(r.det);
    if (r.fmt == E_GEOJSON || r.fmt == E_STIX)
        out_write(&r.out, "\n]}\n", 4);
    out_flush(&r.out);
    if (r.out.failed && status == 0) {
        fprintf(stderr, "alidade: writing the output failed\n");
        status = 2;
    }
    if (!quiet)
        print_summary(&r, d);
    out_free(&r.out);
    det_free(r.det);
    det_zones_free(zones);
    free_layers(shore, anch, land);
    trk_free(r.trk);
    ais_decoder_free(d);
    return status;
}
