/*
 * cmd_detect.c - `alidade ais detect`: NMEA AIS in, maritime events out.
 *
 * The pipeline is the library's, stage by stage: line reader -> ais_decoder
 * (type 24 parts kept apart) -> trk_tracker (validity, reordering,
 * segments, static data) -> det_engine (every detector) -> one JSON object per
 * event per line (the fixed interface: "event", "mmsi", "mmsi2" for
 * encounters, "start", "end", "lat", "lon", ...) or a GeoJSON
 * FeatureCollection. Bad input lines are counted and reported on stderr; the
 * exit status is 0 whenever the input could be read.
 */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "alidade/ais.h"
#include "alidade/detect.h"
#include "alidade/track.h"
#include "cmd.h"
#include "input.h"
#include "out.h"

enum efmt { E_JSON, E_GEOJSON, E_STIX };

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
};

static void detect_usage(FILE *f)
{
    fprintf(f,
        "usage: alidade ais detect [options] [FILE...]\n"
        "\n"
        "Reads AIS NMEA (as `alidade ais decode` does: files or stdin, plain, gzip or\n"
        "zstd, tag blocks and other receive-time forms) and reports maritime events,\n"
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
        "Thresholds (defaults: Global Fishing Watch's published definitions):\n"
        "      --gap-hours H      silence recorded as a gap from (6)\n"
        "      --dark-hours H     gap long enough to be likely disabling (12)\n"
        "      --encounter-km K   max separation of an encounter (0.5)\n"
        "      --encounter-hours H  min duration of an encounter (2)\n"
        "      --loiter-kn S      max mean speed of loitering (2)\n"
        "      --loiter-hours H   min duration of loitering (4)\n"
        "      --teleport-kn S    implied speed that is a teleport (50)\n"
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

/* Whole file (operator inputs such as zones: small); NULL with a reason. */
static char *read_small_file(const char *path, size_t *len, char *err, size_t errlen)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        snprintf(err, errlen, "cannot open: %s", strerror(errno));
        return NULL;
    }
    size_t cap = 1 << 16, n = 0;
    char *buf = malloc(cap);
    while (buf) {
        n += fread(buf + n, 1, cap - n, f);
        if (n < cap)
            break;
        char *nb = cap < (256u << 20) ? realloc(buf, cap * 2) : NULL;
        if (!nb) {
            free(buf);
            buf = NULL;
            break;
        }
        buf = nb;
        cap *= 2;
    }
    bool bad = ferror(f);
    fclose(f);
    if (!buf || bad) {
        free(buf);
        snprintf(err, errlen, bad ? "read failed" : "too large or out of memory");
        return NULL;
    }
    *len = n;
    return buf;
}

/* ---- pipeline ---- */

static void on_fix(void *ctx, const struct trk_fix *f, const struct trk_static *st)
{
    struct detect_run *r = ctx;
    det_feed_fix(r->det, f, st);
}

static void on_static(void *ctx, uint32_t mmsi, const struct trk_static *before,
                      const struct trk_static *after)
{
    struct detect_run *r = ctx;
    det_feed_static(r->det, mmsi, before, after, after->t);
}

static void on_msg(void *ctx, const struct ais_msg *m, const struct ais_meta *meta)
{
    struct detect_run *r = ctx;
    if (meta->time_ms != AIS_TIME_NONE &&
        (meta->time_ms < r->since || meta->time_ms >= r->until))
        return;
    trk_feed(r->trk, m, meta);
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
    fprintf(stderr, "events:");
    for (int k = 0; k < DET__COUNT; k++)
        fprintf(stderr, " %s %llu", det_kind_name((enum det_kind)k),
                (unsigned long long)det_count(r->det, (enum det_kind)k));
    fprintf(stderr, "\n");
}

/* Progress on a terminal: percent of the current file read. */
static void progress(const char *path, unsigned long long done, off_t size)
{
    if (size > 0)
        fprintf(stderr, "\r%s: %3.0f%%", path, 100.0 * (double)done / (double)size);
}

static int parse_args(int argc, char **argv, struct detect_run *r, struct det_config *cfg,
                      bool *quiet, const char **zones)
{
    static const struct option lo[] = {
        {"format", required_argument, 0, 'f'},
        {"since", required_argument, 0, 'S'},
        {"until", required_argument, 0, 'U'},
        {"gap-hours", required_argument, 0, 1},
        {"dark-hours", required_argument, 0, 2},
        {"encounter-km", required_argument, 0, 3},
        {"encounter-hours", required_argument, 0, 4},
        {"loiter-kn", required_argument, 0, 5},
        {"loiter-hours", required_argument, 0, 6},
        {"teleport-kn", required_argument, 0, 7},
        {"zones", required_argument, 0, 'Z'},
        {"identity", required_argument, 0, 'I'},
        {"tlp", required_argument, 0, 'T'},
        {"quiet", no_argument, 0, 'q'},
        {"help", no_argument, 0, 'h'},
        {0, 0, 0, 0},
    };
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "f:qh", lo, NULL)) != -1) {
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
        case 1: cfg->gap_min_h = v; break;
        case 2: cfg->gap_dark_h = v; break;
        case 3: cfg->enc_max_km = v; break;
        case 4: cfg->enc_min_h = v; break;
        case 5: cfg->loi_max_kn = v; break;
        case 6: cfg->loi_min_h = v; break;
        case 7: cfg->tel_max_kn = v; break;
        case 'Z': *zones = optarg; break;
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
    bool quiet = false;
    const char *zones_path = NULL;
    int rc = parse_args(argc, argv, &r, &cfg, &quiet, &zones_path);
    if (rc >= 0)
        return rc;
    struct det_geo geo = {0};
    det_zones *zones = NULL;
    if (zones_path) {
        char err[512];
        size_t zlen;
        char *text = read_small_file(zones_path, &zlen, err, sizeof err);
        zones = text ? det_zones_load(text, zlen, err, sizeof err) : NULL;
        free(text);
        if (!zones) {
            fprintf(stderr, "alidade: %s: %s\n", zones_path, err);
            return 2;
        }
        geo.zones = zones;
    }
    struct ais_decoder_opts dopts = {.split24 = true};
    ais_decoder *d = ais_decoder_new(&dopts);
    r.trk = trk_new(NULL);
    r.det = det_new(&cfg, &geo, on_event, &r);
    if (!d || !r.trk || !r.det || !out_init(&r.out, STDOUT_FILENO)) {
        fprintf(stderr, "alidade: out of memory\n");
        ais_decoder_free(d);
        trk_free(r.trk);
        det_free(r.det);
        det_zones_free(zones);
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
    for (int i = 0; i < (nfiles ? nfiles : 1); i++) {
        const char *path = nfiles ? argv[optind + i] : "-";
        char err[512];
        line_reader *lr = lr_open(path, err, sizeof err);
        if (!lr) {
            fprintf(stderr, "alidade: %s\n", err);
            status = 2;
            continue;
        }
        struct stat sb;
        off_t size = (strcmp(path, "-") != 0 && stat(path, &sb) == 0) ? sb.st_size : 0;
        const char *line;
        size_t len;
        bool trunc;
        unsigned long long nlines = 0;
        int got;
        while ((got = lr_next(lr, &line, &len, &trunc)) == 1) {
            if (trunc)
                ais_decoder_reject_line(d, ALD_E_NMEA_TOO_LONG, "line longer than 65536 bytes",
                                        line, 80);
            else
                ais_decoder_feed(d, line, len);
            if (tty && (++nlines & 0xFFFFF) == 0)
                progress(path, lr_bytes(lr), size);
        }
        if (got < 0) {
            fprintf(stderr, "alidade: %s\n", lr_error(lr));
            status = 2;
        }
        lr_close(lr);
        ais_decoder_finish(d);
        if (tty)
            fprintf(stderr, "\r%*s\r", 60, "");
    }
    trk_finish(r.trk);
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
    trk_free(r.trk);
    ais_decoder_free(d);
    return status;
}
