/*
 * drill_run.c - `alidade drill run SCENARIO --out DIR`: a scored joint drill
 * on this machine (docs/drill.md).
 *
 * 1. The world: one seeded scenario (lib/sim) with its planted events; each
 *    nation's AIS feed is the world's NMEA restricted to its coverage
 *    (sim_set_msg_cb gives each message with its transmitter's position),
 *    staged per nation with the message time in front. The gaps a partial
 *    view makes unavoidable (a vessel out of coverage for 6 h or more) are
 *    recorded as artifacts. Each network gets benign log lines and the
 *    planted intrusion lines; each CERT its indicators (STIX).
 * 2. The network: one `alidade serve` per nation on 127.0.0.1 (free ports,
 *    own data dirs under DIR/nodes), partners registered both ways per the
 *    agreements with the tokens `partner add` prints, a `drill-umpire`
 *    partner on every node that may read every collection.
 * 3. The run: world time mapped to wall time (--speed world seconds per
 *    wall second); staged lines are appended to the files each node
 *    follows when their time comes; then a settling time for sharing.
 * 4. Collection: every collection of every node read over TAXII (objects
 *    and manifests, for date_added) as the umpire; nodes stopped (also on
 *    error and on SIGINT/SIGTERM); scoring (lib/drill/score.c) and the
 *    reports (drill_report.c).
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <math.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "alidade/detect.h"
#include "alidade/drill.h"
#include "alidade/share.h"
#include "alidade/sim.h"
#include "alidade/stix.h"
#include "alidade/store.h"
#include "drill_run.h"

/* Paths and messages go into fixed buffers with snprintf; a message cut
 * short is still a message, and paths are checked by the calls that use
 * them, so truncation warnings are noise here. */
#if defined(__GNUC__) && !defined(__clang__)  /* clang has no such warning */
#pragma GCC diagnostic ignored "-Wformat-truncation"
#endif

#define UMPIRE "drill-umpire"
#define GAP_ARTIFACT_S (6 * 3600)     /* ais detect's default minimum gap */
#define BLIND_S 1800                  /* a nation missed a vessel's reports this long
                                         (every vessel reports at least every 6 min) */
#define MARITIME_EXT "extension-definition--7fba3282-6758-58ab-a05c-9833b9c3c00d"
#define PATHMAX 4096

static volatile sig_atomic_t g_stop;

static void on_signal(int sig)
{
    (void)sig;
    g_stop = 1;
}

static double wall_now(void)
{
    struct timeval tv;
    gettimeofday(&tv, NULL);
    return (double)tv.tv_sec + tv.tv_usec / 1e6;
}

static void usage(FILE *f)
{
    fprintf(f,
        "usage: alidade drill run SCENARIO --out DIR [--speed X] [--keep] [-q]\n"
        "\n"
        "Runs a joint drill on this machine: one `alidade serve` per nation of the\n"
        "scenario on 127.0.0.1, partners registered per its agreements, each node fed\n"
        "its own view of one simulated world (AIS restricted to its coverage, its\n"
        "networks' logs) in accelerated time, its CERT's indicators imported; then\n"
        "collects what every node holds over TAXII, stops the nodes and scores\n"
        "detection and sharing against the planted truth. Writes:\n"
        "  DIR/score.json    precision, recall, time to detect per detector and per\n"
        "                    nation, share latency, leaks (docs/drill.md lists every field)\n"
        "  DIR/report.md     after-action report\n"
        "  DIR/report.html   the same, self-contained, with a timeline and a map\n"
        "  DIR/world/        truth.jsonl, zones.geojson, coast.geojson\n"
        "  DIR/nodes/NAME/   each node's feeds, logs, serve.log (data dirs with --keep)\n"
        "\n"
        "  -o, --out DIR     output directory (created; must be empty or absent)\n"
        "  -s, --speed X     world seconds per wall second (overrides the scenario's)\n"
        "  -k, --keep        keep each node's data directory (its SQLite store)\n"
        "  -q, --quiet       no progress on stderr\n"
        "  -h, --help        this help\n"
        "\n"
        "Exit status: 0 when the drill ran (whatever its score), 1 when it could not\n"
        "run (a node failed, a feature it needs is missing), 2 on wrong options or\n"
        "scenario, 130 when interrupted.\n");
}

/* ---- small helpers ---- */

static bool mkdir_p(const char *path)
{
    char tmp[PATHMAX];
    snprintf(tmp, sizeof tmp, "%s", path);
    for (char *p = tmp + 1; *p; p++)
        if (*p == '/') {
            *p = '\0';
            if (mkdir(tmp, 0777) != 0 && errno != EEXIST)
                return false;
            *p = '/';
        }
    return mkdir(tmp, 0777) == 0 || errno == EEXIST;
}

static bool write_file(const char *path, const char *text, size_t len)
{
    FILE *f = fopen(path, "wb");
    if (!f)
        return false;
    bool ok = fwrite(text, 1, len, f) == len;
    return (fclose(f) == 0) && ok;
}

static char *read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    size_t cap = 1 << 16, n = 0;
    char *b = malloc(cap);
    while (b) {
        if (cap - n < 4096) {
            char *nb = realloc(b, cap *= 2);
            if (!nb) {
                free(b);
                b = NULL;
                break;
            }
            b = nb;
        }
        size_t r = fread(b + n, 1, cap - n - 1, f);
        n += r;
        if (r == 0)
            break;
    }
    fclose(f);
    if (b) {
        b[n] = '\0';
        *len = n;
    }
    return b;
}

static void iso_time(int64_t s, char out[32])
{
    time_t t = (time_t)s;
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

static void iso_time_us(double wall, char out[40])
{
    int64_t us = (int64_t)llround(wall * 1e6);
    stix_time_format(us, out);
}

/* A free TCP port on 127.0.0.1 (bound, read, released: the node binds it
 * a moment later; another process taking it in between makes the node fail
 * to start, reported as such). */
static unsigned free_port(void)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0)
        return 0;
    struct sockaddr_in sa = {.sin_family = AF_INET};
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t sl = sizeof sa;
    unsigned port = 0;
    if (bind(fd, (struct sockaddr *)&sa, sizeof sa) == 0 &&
        getsockname(fd, (struct sockaddr *)&sa, &sl) == 0)
        port = ntohs(sa.sin_port);
    close(fd);
    return port;
}

/* Runs the alidade binary with argv (NULL-terminated, argv[0] ignored);
 * stdout into out (cap bytes, NUL-terminated, may be NULL), stderr
 * appended to errlog. Returns the exit status, -1 when it could not run. */
static int run_self(const char *self, char *const argv[], char *out, size_t cap,
                    const char *errlog)
{
    int pfd[2];
    if (pipe(pfd) != 0)
        return -1;
    pid_t pid = fork();
    if (pid < 0) {
        close(pfd[0]);
        close(pfd[1]);
        return -1;
    }
    if (pid == 0) {
        dup2(pfd[1], 1);
        close(pfd[0]);
        close(pfd[1]);
        int fd = open(errlog ? errlog : "/dev/null", O_WRONLY | O_CREAT | O_APPEND, 0666);
        if (fd >= 0)
            dup2(fd, 2);
        execv(self, argv);
        _exit(127);
    }
    close(pfd[1]);
    size_t n = 0;
    char sink[4096];
    for (;;) {
        char *dst = out && n + 1 < cap ? out + n : sink;
        size_t room = out && n + 1 < cap ? cap - n - 1 : sizeof sink;
        ssize_t r = read(pfd[0], dst, room);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            break;
        if (dst != sink)
            n += (size_t)r;
    }
    close(pfd[0]);
    if (out && cap)
        out[n] = '\0';
    int st;
    while (waitpid(pid, &st, 0) < 0)
        if (errno != EINTR)
            return -1;
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/* The last non-empty line of text, in place. */
static char *last_line(char *text)
{
    size_t n = strlen(text);
    while (n && (text[n - 1] == '\n' || text[n - 1] == '\r'))
        text[--n] = '\0';
    char *p = strrchr(text, '\n');
    return p ? p + 1 : text;
}

/* ---- the world ---- */

struct vlast {
    uint32_t mmsi;
    int64_t wlast;                        /* its last position report in the world */
    int64_t last[DRILL_MAX_NATIONS];      /* ... heard by each nation */
};

struct world {
    const struct drill_scenario *sc;
    FILE *stage[DRILL_MAX_NATIONS];
    unsigned long long lines[DRILL_MAX_NATIONS];
    struct vlast *tab;
    size_t tabcap;
    struct drill_truth *truth;
    size_t ntruth, truthcap;
    bool failed;
    double lat[2], lon[2];
    int64_t last_t[DRILL_MAX_NATIONS];    /* the last message each nation got */
};

static bool add_truth(struct world *w, const struct drill_truth *t)
{
    if (w->ntruth == w->truthcap) {
        size_t nc = w->truthcap ? w->truthcap * 2 : 64;
        struct drill_truth *nt = realloc(w->truth, nc * sizeof *nt);
        if (!nt)
            return false;
        w->truth = nt;
        w->truthcap = nc;
    }
    w->truth[w->ntruth++] = *t;
    return true;
}

static struct vlast *vessel_slot(struct world *w, uint32_t mmsi)
{
    size_t mask = w->tabcap - 1, i = (mmsi * 2654435761u) & mask;
    while (w->tab[i].mmsi && w->tab[i].mmsi != mmsi)
        i = (i + 1) & mask;
    if (!w->tab[i].mmsi) {
        w->tab[i].mmsi = mmsi;
        w->tab[i].wlast = INT64_MIN;
        for (unsigned k = 0; k < DRILL_MAX_NATIONS; k++)
            w->tab[i].last[k] = INT64_MIN;
    }
    return &w->tab[i];
}

static void on_msg(void *ctx, const struct sim_msg *m)
{
    struct world *w = ctx;
    const struct drill_scenario *sc = w->sc;
    if (m->position) {
        w->lat[0] = fmin(w->lat[0], m->lat);
        w->lat[1] = fmax(w->lat[1], m->lat);
        w->lon[0] = fmin(w->lon[0], m->lon);
        w->lon[1] = fmax(w->lon[1], m->lon);
    }
    struct vlast *v = m->position ? vessel_slot(w, m->mmsi) : NULL;
    for (unsigned k = 0; k < sc->nnations; k++) {
        if (!w->stage[k] || !drill_sees(sc, k, m->lat, m->lon))
            continue;
        /* each line with the message time in front */
        const char *p = m->text, *end = m->text + m->len;
        while (p < end) {
            const char *nl = memchr(p, '\n', (size_t)(end - p));
            size_t n = nl ? (size_t)(nl - p) + 1 : (size_t)(end - p);
            if (fprintf(w->stage[k], "%lld ", (long long)m->time_s) < 0 ||
                fwrite(p, 1, n, w->stage[k]) != n)
                w->failed = true;
            w->lines[k]++;
            p += n;
        }
        w->last_t[k] = m->time_s;
        if (v) {
            /* reports the world sent and this nation missed (not a silence of
             * the vessel itself, such as a planted dark period) */
            bool missed = v->last[k] != INT64_MIN && v->wlast > v->last[k];
            if (missed && m->time_s - v->last[k] >= BLIND_S) {
                struct drill_truth t = {.mmsi = m->mmsi, .start = v->last[k], .end = m->time_s,
                                        .lat = NAN, .lon = NAN, .artifact = true,
                                        .artifact_of = k, .blind = true};
                if (!add_truth(w, &t))
                    w->failed = true;
            }
            if (missed && m->time_s - v->last[k] >= GAP_ARTIFACT_S) {
                struct drill_truth t = {.mmsi = m->mmsi, .start = v->last[k], .end = m->time_s,
                                        .lat = NAN, .lon = NAN, .artifact = true,
                                        .artifact_of = k};
                snprintf(t.kind, sizeof t.kind, "gap");
                if (!add_truth(w, &t))
                    w->failed = true;
            }
            v->last[k] = m->time_s;
        }
    }
    if (v)
        v->wlast = m->time_s;
}

static void on_text(void *ctx, const char *text, size_t len)
{
    (void)ctx;
    (void)text;
    (void)len;                        /* the per-nation views are written by on_msg */
}

/* Generates the world into DIR/nodes/N/ais.stage and the truth. */
static bool make_world(const struct drill_scenario *sc, const char *out, struct world *w,
                       char *err, size_t errlen)
{
    char path[PATHMAX];
    w->sc = sc;
    w->lat[0] = w->lon[0] = INFINITY;
    w->lat[1] = w->lon[1] = -INFINITY;
    w->tabcap = 64;
    while (w->tabcap < 2 * ((size_t)sc->vessels + 32))
        w->tabcap *= 2;
    w->tab = calloc(w->tabcap, sizeof *w->tab);
    if (!w->tab) {
        snprintf(err, errlen, "out of memory");
        return false;
    }
    for (unsigned k = 0; k < sc->nnations; k++) {
        if (sc->nations[k].nareas == 0)
            continue;
        snprintf(path, sizeof path, "%s/nodes/%s/ais.stage", out, sc->nations[k].name);
        w->stage[k] = fopen(path, "wb");
        if (!w->stage[k]) {
            snprintf(err, errlen, "%s: %s", path, strerror(errno));
            return false;
        }
    }
    struct sim_config cfg = {.seed = sc->seed, .vessels = sc->vessels, .hours = sc->hours,
                             .start_s = sc->start_s, .no_events = !sc->maritime_events,
                             .source = "drill"};
    sim *s = sim_new(&cfg);
    if (!s) {
        snprintf(err, errlen, "the world cannot be generated (out of memory)");
        return false;
    }
    sim_set_msg_cb(s, on_msg, w);
    sim_run(s, on_text, NULL);
    bool ok = !sim_get_stats(s)->out_of_memory && !w->failed;
    for (unsigned k = 0; k < sc->nnations; k++)
        if (w->stage[k] && fclose(w->stage[k]) != 0)
            ok = false;
    if (!ok) {
        sim_free(s);
        snprintf(err, errlen, "writing the nations' AIS views failed (disk full?)");
        return false;
    }
    /* a vessel a nation stopped hearing (out of its coverage) 30 min or
     * more before its feed ended: blind until the end; 6 h or more: its gap
     * detector reports the silence when it stops */
    for (size_t i = 0; i < w->tabcap; i++)
        for (unsigned k = 0; w->tab[i].mmsi && k < sc->nnations; k++) {
            int64_t last = w->tab[i].last[k];
            if (last == INT64_MIN || w->tab[i].wlast <= last || w->last_t[k] - last < BLIND_S)
                continue;
            struct drill_truth t = {.mmsi = w->tab[i].mmsi, .start = last, .end = w->last_t[k],
                                    .lat = NAN, .lon = NAN, .artifact = true, .artifact_of = k,
                                    .blind = true};
            if (!add_truth(w, &t))
                ok = false;
            if (w->last_t[k] - last < GAP_ARTIFACT_S)
                continue;
            t.blind = false;
            snprintf(t.kind, sizeof t.kind, "gap");
            if (!add_truth(w, &t))
                ok = false;
        }
    /* planted truth: expected of the nations that see where it shows */
    const struct sim_event *ev;
    size_t nev = sim_events(s, &ev);
    snprintf(path, sizeof path, "%s/world/truth.jsonl", out);
    FILE *tf = fopen(path, "wb");
    for (size_t i = 0; i < nev; i++) {
        struct drill_truth t = {.mmsi = ev[i].mmsi, .mmsi2 = ev[i].mmsi2,
                                .start = ev[i].start, .end = ev[i].end,
                                .lat = ev[i].lat / 600000.0, .lon = ev[i].lon / 600000.0};
        snprintf(t.kind, sizeof t.kind, "%s", det_kind_name(ev[i].kind));
        if (ev[i].kind == DET_MMSI_CLASH)
            t.mmsi2 = 0;              /* the detector reports the one MMSI */
        for (unsigned k = 0; k < sc->nnations; k++) {
            bool sees = drill_sees(sc, k, t.lat, t.lon);
            if (ev[i].has_end_pos)
                sees = sees && drill_sees(sc, k, ev[i].end_lat / 600000.0,
                                          ev[i].end_lon / 600000.0);
            if (sees)
                t.expect |= 1u << k;
        }
        if (!add_truth(w, &t))
            ok = false;
        /* a nation that heard the vessel(s) but cannot see the whole event
         * may report the part it saw: explained, not false */
        struct vlast *v1 = vessel_slot(w, t.mmsi), *v2 = t.mmsi2 ? vessel_slot(w, t.mmsi2) : NULL;
        for (unsigned k = 0; k < sc->nnations; k++) {
            if (t.expect & (1u << k) || v1->last[k] == INT64_MIN ||
                (v2 && v2->last[k] == INT64_MIN))
                continue;
            struct drill_truth a = t;
            a.expect = 0;
            a.artifact = true;
            a.artifact_of = k;
            a.any_time = true;
            if (!add_truth(w, &a))
                ok = false;
        }
        char line[1024];
        size_t n = sim_event_json(&ev[i], line, sizeof line - 1);
        line[n++] = '\n';
        if (tf)
            fwrite(line, 1, n, tf);
    }
    if (!tf || fclose(tf) != 0)
        ok = false;
    char text[4096];
    size_t n = sim_zones_geojson(text, sizeof text);
    snprintf(path, sizeof path, "%s/world/zones.geojson", out);
    ok = ok && write_file(path, text, n);
    n = sim_coast_geojson(text, sizeof text);
    snprintf(path, sizeof path, "%s/world/coast.geojson", out);
    ok = ok && write_file(path, text, n);
    sim_free(s);
    if (!ok)
        snprintf(err, errlen, "%s/world: cannot write the truth or the geography", out);
    return ok;
}

/* ---- cyber: logs and indicators ---- */

static void indicator_id(const struct drill_scenario *sc, const struct drill_intrusion *in,
                         char out[DRILL_ID_MAX + 16])
{
    drill_id(sc, "indicator", in->name, out);
}

/* One log line of network `nw` at time t holding `value` of `type`
 * (NULL: a benign line from the seeded sequence i). */
static int log_line(char *dst, size_t cap, enum drill_logfmt fmt, int64_t t, uint64_t i,
                    enum drill_ioc type, const char *value)
{
    char ts[32], host[300], path[300], ip[64], src[32];
    iso_time(t, ts);
    ts[19] = '\0';                    /* drop the Z: EVE writes an offset */
    uint64_t h = i * 0x9E3779B97F4A7C15ull;
    snprintf(src, sizeof src, "10.%u.%u.%u", (unsigned)(h >> 8) % 200 + 1,
             (unsigned)(h >> 16) % 250 + 1, (unsigned)(h >> 24) % 250 + 2);
    if (!value) {
        type = (enum drill_ioc)(i % 3);
        snprintf(ip, sizeof ip, "192.0.2.%u", (unsigned)(h >> 32) % 250 + 1);
        snprintf(host, sizeof host, "www%u.benign.example", (unsigned)(h >> 40) % 500);
        snprintf(path, sizeof path, "/index%u.html", (unsigned)(h >> 48) % 100);
    } else if (type == DRILL_IOC_URL) {
        const char *p = value + 7, *slash = strchr(p, '/');
        snprintf(host, sizeof host, "%.*s", (int)(slash - p), p);
        snprintf(path, sizeof path, "%s", slash);
    } else {
        snprintf(ip, sizeof ip, "%s", value);
        snprintf(host, sizeof host, "%s", value);
    }
    unsigned sport = 1024 + (unsigned)(h >> 20) % 60000;
    if (fmt == DRILL_LOG_EVE) {
        switch (type) {
        case DRILL_IOC_IPV4:
            return snprintf(dst, cap,
                            "{\"timestamp\":\"%s.000000+0000\",\"flow_id\":%llu,\"event_type\":"
                            "\"flow\",\"src_ip\":\"%s\",\"src_port\":%u,\"dest_ip\":\"%s\","
                            "\"dest_port\":443,\"proto\":\"TCP\"}\n",
                            ts, (unsigned long long)(h >> 12), src, sport, ip);
        case DRILL_IOC_DOMAIN:
            return snprintf(dst, cap,
                            "{\"timestamp\":\"%s.000000+0000\",\"flow_id\":%llu,\"event_type\":"
                            "\"dns\",\"src_ip\":\"%s\",\"src_port\":%u,\"dest_ip\":\"10.0.0.53\","
                            "\"dest_port\":53,\"proto\":\"UDP\",\"dns\":{\"type\":\"query\","
                            "\"id\":%u,\"rrname\":\"%s\",\"rrtype\":\"A\"}}\n",
                            ts, (unsigned long long)(h >> 12), src, sport,
                            (unsigned)(h >> 30) % 65536, host);
        default:
            return snprintf(dst, cap,
                            "{\"timestamp\":\"%s.000000+0000\",\"flow_id\":%llu,\"event_type\":"
                            "\"http\",\"src_ip\":\"%s\",\"src_port\":%u,\"dest_ip\":"
                            "\"198.18.0.10\",\"dest_port\":80,\"proto\":\"TCP\",\"http\":{"
                            "\"hostname\":\"%s\",\"url\":\"%s\",\"http_method\":\"GET\","
                            "\"status\":200}}\n",
                            ts, (unsigned long long)(h >> 12), src, sport, host, path);
        }
    }
    switch (type) {
    case DRILL_IOC_IPV4:
        return snprintf(dst, cap,
                        "{\"_path\":\"conn\",\"ts\":\"%s.000000Z\",\"uid\":\"C%llx\","
                        "\"id.orig_h\":\"%s\",\"id.orig_p\":%u,\"id.resp_h\":\"%s\","
                        "\"id.resp_p\":443,\"proto\":\"tcp\"}\n",
                        ts, (unsigned long long)(h >> 16), src, sport, ip);
    case DRILL_IOC_DOMAIN:
        return snprintf(dst, cap,
                        "{\"_path\":\"dns\",\"ts\":\"%s.000000Z\",\"uid\":\"C%llx\","
                        "\"id.orig_h\":\"%s\",\"id.orig_p\":%u,\"id.resp_h\":\"10.0.0.53\","
                        "\"id.resp_p\":53,\"proto\":\"udp\",\"query\":\"%s\"}\n",
                        ts, (unsigned long long)(h >> 16), src, sport, host);
    default:
        return snprintf(dst, cap,
                        "{\"_path\":\"http\",\"ts\":\"%s.000000Z\",\"uid\":\"C%llx\","
                        "\"id.orig_h\":\"%s\",\"id.orig_p\":%u,\"id.resp_h\":\"198.18.0.10\","
                        "\"id.resp_p\":80,\"method\":\"GET\",\"host\":\"%s\",\"uri\":\"%s\"}\n",
                        ts, (unsigned long long)(h >> 16), src, sport, host, path);
    }
}

/* Stages each network's log (time-prefixed lines, in time order) and adds
 * the intrusions to the truth: a sighting expected of the victim when the
 * indicator may reach it. */
static bool make_logs(const struct drill_scenario *sc, const char *out, struct world *w,
                      char *err, size_t errlen)
{
    char path[PATHMAX], line[2048];
    for (unsigned k = 0; k < sc->nnations; k++)
        for (unsigned j = 0; j < sc->nations[k].nnetworks; j++) {
            const struct drill_network *nw = &sc->nations[k].networks[j];
            snprintf(path, sizeof path, "%s/nodes/%s/%s.stage", out, sc->nations[k].name,
                     nw->name);
            FILE *f = fopen(path, "wb");
            if (!f) {
                snprintf(err, errlen, "%s: %s", path, strerror(errno));
                return false;
            }
            /* the intrusion hits on this network, in time order (hits a
             * minute apart) */
            size_t maxh = 1;
            for (unsigned q = 0; q < sc->nintrusions; q++)
                maxh += sc->intrusions[q].hits;
            int64_t *hit_t = malloc(maxh * sizeof *hit_t);
            unsigned *hit_i = malloc(maxh * sizeof *hit_i), nh = 0;
            if (!hit_t || !hit_i) {
                free(hit_t);
                free(hit_i);
                fclose(f);
                snprintf(err, errlen, "out of memory");
                return false;
            }
            for (unsigned q = 0; q < sc->nintrusions; q++) {
                const struct drill_intrusion *in = &sc->intrusions[q];
                if (in->victim != k || in->network != j)
                    continue;
                for (unsigned h = 0; h < in->hits; h++) {
                    int64_t t = sc->start_s + (int64_t)llround(in->hour * 3600) + 60 * h;
                    unsigned p = nh++;
                    while (p > 0 && hit_t[p - 1] > t) {
                        hit_t[p] = hit_t[p - 1];
                        hit_i[p] = hit_i[p - 1];
                        p--;
                    }
                    hit_t[p] = t;
                    hit_i[p] = q;
                }
            }
            uint64_t nbg = (uint64_t)llround(sc->background_logs * sc->hours);
            double step = nbg ? sc->hours * 3600 / (double)nbg : 0;
            uint64_t b = 0;
            unsigned hi = 0;
            uint64_t seq = ((uint64_t)k << 40) ^ ((uint64_t)j << 32) ^ sc->seed;
            while (b < nbg || hi < nh) {
                int64_t tb = b < nbg ? sc->start_s + (int64_t)(step * (double)b) + 1 : INT64_MAX;
                int n;
                int64_t t;
                if (hi < nh && hit_t[hi] <= tb) {
                    const struct drill_intrusion *in = &sc->intrusions[hit_i[hi]];
                    t = hit_t[hi++];
                    n = log_line(line, sizeof line, nw->format, t, seq + 7919 * hi, in->type,
                                 in->value);
                } else {
                    t = tb;
                    n = log_line(line, sizeof line, nw->format, t, seq + b++, 0, NULL);
                }
                if (n > 0 && (size_t)n < sizeof line)
                    fprintf(f, "%lld %s", (long long)t, line);
            }
            free(hit_t);
            free(hit_i);
            if (fclose(f) != 0) {
                snprintf(err, errlen, "%s: write failed", path);
                return false;
            }
        }
    for (unsigned q = 0; q < sc->nintrusions; q++) {
        const struct drill_intrusion *in = &sc->intrusions[q];
        struct drill_truth t = {.lat = NAN, .lon = NAN};
        snprintf(t.kind, sizeof t.kind, "sighting");
        indicator_id(sc, in, t.ref);
        t.start = sc->start_s + (int64_t)llround(in->hour * 3600);
        t.end = t.start + 60 * (int64_t)(in->hits - 1);
        struct drill_obj_policy pol = {.origin = in->known_to, .tlp = in->tlp,
                                       .recipients = in->recipients | (1u << in->known_to)};
        /* planted where the policy keeps the indicator away from the
         * victim: nobody should find it (a sighting of it is wrong) */
        if (!drill_may_reach(sc, &pol, in->victim))
            continue;
        t.expect = 1u << in->victim;
        if (!add_truth(w, &t)) {
            snprintf(err, errlen, "out of memory");
            return false;
        }
    }
    return true;
}

/* Each CERT's indicators as JSON lines, for `alidade stix import`. */
static bool write_indicators(const struct drill_scenario *sc, const char *out, unsigned k,
                             const char *umpire_id, double now, unsigned *count)
{
    char path[PATHMAX];
    snprintf(path, sizeof path, "%s/nodes/%s/indicators.jsonl", out, sc->nations[k].name);
    FILE *f = fopen(path, "wb");
    if (!f)
        return false;
    char created[40], valid[40];
    iso_time_us(now, created);
    iso_time_us(now - 86400 * 30.0, valid);
    static const char *const obs[] = {"ipv4-addr", "domain-name", "url"};
    *count = 0;
    for (unsigned q = 0; q < sc->nintrusions; q++) {
        const struct drill_intrusion *in = &sc->intrusions[q];
        if (in->known_to != k)
            continue;
        char id[DRILL_ID_MAX + 16], rec[2048] = "";
        indicator_id(sc, in, id);
        if (in->tlp == DRILL_TLP_RED) {
            size_t n = (size_t)snprintf(rec, sizeof rec, ",\"x_alidade_recipients\":[\"%s\"",
                                        umpire_id);
            for (unsigned r = 0; r < sc->nnations; r++)
                if (in->recipients & (1u << r))
                    n += (size_t)snprintf(rec + n, sizeof rec - n, ",\"%s\"",
                                          sc->nations[r].identity);
            snprintf(rec + n, sizeof rec - n, "]");
        }
        fprintf(f,
                "{\"type\":\"indicator\",\"spec_version\":\"2.1\",\"id\":\"%s\","
                "\"created\":\"%s\",\"modified\":\"%s\",\"created_by_ref\":\"%s\","
                "\"name\":\"drill %s: %s\",\"indicator_types\":[\"malicious-activity\"],"
                "\"pattern\":\"[%s:value = '%s']\",\"pattern_type\":\"stix\","
                "\"valid_from\":\"%s\",\"object_marking_refs\":[\"%s\"]%s}\n",
                id, created, created, sc->nations[k].identity, sc->name, in->name,
                obs[in->type], in->value, valid, stix_tlp_id((enum stix_tlp)in->tlp), rec);
        (*count)++;
    }
    return fclose(f) == 0;
}

/* ---- nodes ---- */

struct node {
    unsigned port;
    pid_t pid;
    char dir[PATHMAX];                /* DIR/nodes/NAME */
    char data[PATHMAX];               /* its data directory */
    char log[PATHMAX];                /* serve.log */
    char coll[64];                    /* its default collection */
    char umpire_token[64];
    FILE *ais_in, *ais_out;           /* stage, followed feed */
    FILE *log_in[DRILL_MAX_NETWORKS], *log_out[DRILL_MAX_NETWORKS];
    char pend[DRILL_MAX_NETWORKS + 1][4096];   /* a staged line read ahead */
    long long pend_t[DRILL_MAX_NETWORKS + 1];
};

struct run {
    const struct drill_scenario *sc;
    const char *self, *out;
    bool quiet;
    struct node nodes[DRILL_MAX_NATIONS];
    char umpire_id[64];
    char err[1024];
};

static void say(const struct run *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void say(const struct run *r, const char *fmt, ...)
{
    if (r->quiet)
        return;
    va_list ap;
    va_start(ap, fmt);
    fputs("alidade drill run: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
}

/* The tail of a node's log, for an error message. */
static void log_tail(const char *path, char *out, size_t cap)
{
    size_t n;
    char *t = read_file(path, &n);
    out[0] = '\0';
    if (!t)
        return;
    size_t from = n > cap - 1 ? n - (cap - 1) : 0;
    snprintf(out, cap, "%s", t + from);
    free(t);
}

/* What the drill needs from this build, with what is missing named. */
static bool check_features(struct run *r)
{
    char help[16384];
    char *const serve[] = {"alidade", "serve", "--help", NULL};
    char *const partner[] = {"alidade", "partner", "--help", NULL};
    const char *missing = NULL;
    run_self(r->self, serve, help, sizeof help, NULL);
    if (!strstr(help, "ais+file") || !strstr(help, "eve+file") || !strstr(help, "zeek+file"))
        missing = "live ingest (`alidade serve --source ais+file:PATH`, eve+file:, zeek+file:)";
    else if (!strstr(help, "--sync-interval"))
        missing = "federation sync (`alidade serve --sync-interval`)";
    if (!missing) {
        run_self(r->self, partner, help, sizeof help, NULL);
        if (!strstr(help, "--url") || !strstr(help, "--pull") || !strstr(help, "--push") ||
            !strstr(help, "--remote-token-file") || !strstr(help, "--remote-user"))
            missing = "federation (`alidade partner add NAME --url URL --pull C --push C "
                      "--remote-user U --remote-token-file F`)";
    }
    if (missing) {
        snprintf(r->err, sizeof r->err, "this build has no %s, which a live drill runs on; "
                 "nothing was run (`alidade drill generate` works without it)", missing);
        return false;
    }
    return true;
}

static bool node_collection(struct run *r, unsigned k)
{
    struct node *nd = &r->nodes[k];
    char out[8192];
    char *const argv[] = {"alidade", "collection", "list", "--data", nd->data, NULL};
    if (run_self(r->self, argv, out, sizeof out, nd->log) != 0) {
        snprintf(r->err, sizeof r->err, "%s: `alidade collection list` failed (see %s)",
                 r->sc->nations[k].name, nd->log);
        return false;
    }
    for (char *line = strtok(out, "\n"); line; line = strtok(NULL, "\n")) {
        char id[64], title[256], def[16];
        if (sscanf(line, "%63[^\t]\t%255[^\t]\t%15[^\t]", id, title, def) == 3 &&
            strcmp(def, "yes") == 0) {
            snprintf(nd->coll, sizeof nd->coll, "%s", id);
            return true;
        }
    }
    snprintf(r->err, sizeof r->err, "%s: no default collection in `alidade collection list`",
             r->sc->nations[k].name);
    return false;
}

/* Runs `alidade partner SUB` on node k; the token (last line) into tok when
 * not NULL. */
static bool partner_cmd(struct run *r, unsigned k, const char *sub, char *const *args,
                        char *tok, size_t cap)
{
    struct node *nd = &r->nodes[k];
    char *argv[48] = {"alidade", "partner", (char *)sub};
    size_t n = 3;
    for (size_t i = 0; args[i] && n < 44; i++)
        argv[n++] = args[i];
    argv[n++] = "--data";
    argv[n++] = nd->data;
    argv[n] = NULL;
    char out[8192];
    int rc = run_self(r->self, argv, out, sizeof out, nd->log);
    if (rc != 0) {
        char tail[400];
        log_tail(nd->log, tail, sizeof tail);
        snprintf(r->err, sizeof r->err, "%s: `alidade partner %s %s` failed (exit %d%s): %s",
                 r->sc->nations[k].name, sub, args[0], rc,
                 rc == 127 ? ": the binary could not be run" : "", tail);
        return false;
    }
    if (tok)
        snprintf(tok, cap, "%s", last_line(out));
    return true;
}

/* The agreements as partners. Pass 1: for every pair of nations with an
 * agreement either way, each adds the other once with its grants (read:
 * what the other pulls from it, all collections when it re-shares to it;
 * write: where the other pushes) and writes the token `partner add`
 * printed where the other reads it (DIR/tokens/OTHER-at-SELF). Pass 2:
 * `partner set` with the federation settings (url, pull, push, the name
 * and token it has at the other, reshare), now that every token exists. */
static bool register_partners(struct run *r)
{
    const struct drill_scenario *sc = r->sc;
    char path[PATHMAX];
    snprintf(path, sizeof path, "%s/tokens", r->out);
    if (!mkdir_p(path)) {
        snprintf(r->err, sizeof r->err, "%s: %s", path, strerror(errno));
        return false;
    }
    /* the umpire first: it may read everything on every node */
    for (unsigned k = 0; k < sc->nnations; k++) {
        char *const a[] = {UMPIRE, "--read", "*", "--identity", r->umpire_id, NULL};
        if (!partner_cmd(r, k, "add", a, r->nodes[k].umpire_token,
                         sizeof r->nodes[k].umpire_token))
            return false;
    }
    bool rel[DRILL_MAX_NATIONS][DRILL_MAX_NATIONS] = {{false}};
    for (unsigned i = 0; i < sc->nagreements; i++) {
        rel[sc->agreements[i].from][sc->agreements[i].to] = true;
        rel[sc->agreements[i].to][sc->agreements[i].from] = true;
    }
    for (int pass = 1; pass <= 2; pass++)
        for (unsigned k = 0; k < sc->nnations; k++)
            for (unsigned p = 0; p < sc->nnations; p++) {
                if (!rel[k][p])
                    continue;
                const struct drill_nation *peer = &sc->nations[p];
                const char *read = "none", *write = NULL, *pull = NULL, *push = NULL,
                           *push_from = NULL;
                bool reshare = false;
                for (unsigned i = 0; i < sc->nagreements; i++) {
                    const struct drill_agreement *a = &sc->agreements[i];
                    if (a->from == k && a->to == p) {
                        reshare = a->reshare;
                        /* what p may read is also what may be pushed to it
                         * (one policy decides both) */
                        read = a->reshare ? "*" : r->nodes[k].coll;
                        if (a->mode == DRILL_PUSH) {
                            /* from our default collection (what we pull lands
                             * there too; the reshare flag decides what of it
                             * from third parties may go) into p's */
                            push = r->nodes[p].coll;
                            push_from = r->nodes[k].coll;
                        }
                    }
                    if (a->from == p && a->to == k) {
                        if (a->mode == DRILL_PULL)
                            pull = r->nodes[p].coll;    /* k polls p's default collection */
                        else
                            write = r->nodes[k].coll;
                    }
                }
                char *a[40];
                size_t n = 0;
                a[n++] = (char *)peer->name;
                char tok[128], tokfile[PATHMAX], url[128];
                char groups[DRILL_MAX_GROUPS * DRILL_NAME_MAX] = "";
                if (pass == 1) {
                    for (unsigned g = 0; g < peer->ngroups; g++) {
                        size_t m = strlen(groups);
                        snprintf(groups + m, sizeof groups - m, "%s%s", g ? "," : "",
                                 peer->groups[g]);
                    }
                    a[n++] = "--identity";
                    a[n++] = (char *)peer->identity;
                    if (groups[0]) {
                        a[n++] = "--groups";
                        a[n++] = groups;
                    }
                    a[n++] = "--read";
                    a[n++] = (char *)read;
                    if (write) {
                        a[n++] = "--write";
                        a[n++] = (char *)write;
                    }
                    a[n] = NULL;
                    if (!partner_cmd(r, k, "add", a, tok, sizeof tok))
                        return false;
                    /* the token p presents at k: p's node reads it from here */
                    snprintf(tokfile, sizeof tokfile, "%s/tokens/%s-at-%s", r->out, peer->name,
                             sc->nations[k].name);
                    if (!write_file(tokfile, tok, strlen(tok)) || chmod(tokfile, 0600) != 0) {
                        snprintf(r->err, sizeof r->err, "%s: %s", tokfile, strerror(errno));
                        return false;
                    }
                    continue;
                }
                if (!pull && !push && !reshare)
                    continue;
                snprintf(url, sizeof url, "http://127.0.0.1:%u/api/", r->nodes[p].port);
                snprintf(tokfile, sizeof tokfile, "%s/tokens/%s-at-%s", r->out,
                         sc->nations[k].name, peer->name);
                if (pull || push) {
                    a[n++] = "--url";
                    a[n++] = url;
                    a[n++] = "--remote-user";
                    a[n++] = (char *)sc->nations[k].name;
                    a[n++] = "--remote-token-file";
                    a[n++] = tokfile;
                }
                if (pull) {
                    /* into our default collection: the live matcher compiles
                     * the indicators found there (src/ingest_cyber.c), and
                     * the provenance the store keeps still stops re-sharing */
                    a[n++] = "--pull";
                    a[n++] = (char *)pull;
                    a[n++] = "--pull-into";
                    a[n++] = r->nodes[k].coll;
                }
                if (push) {
                    a[n++] = "--push";
                    a[n++] = (char *)push;
                    a[n++] = "--push-from";
                    a[n++] = (char *)push_from;
                }
                if (reshare)
                    a[n++] = "--reshare";
                a[n] = NULL;
                if (!partner_cmd(r, k, "set", a, NULL, 0))
                    return false;
            }
    return true;
}

static bool start_node(struct run *r, unsigned k)
{
    const struct drill_nation *nt = &r->sc->nations[k];
    struct node *nd = &r->nodes[k];
    char listen[64], conf[PATHMAX], zones[PATHMAX], coast[PATHMAX];
    char src[DRILL_MAX_NETWORKS + 1][PATHMAX + 64];
    snprintf(listen, sizeof listen, "127.0.0.1:%u", nd->port);
    snprintf(conf, sizeof conf, "%s/node.ini", nd->dir);
    char ini[512];
    int n = snprintf(ini, sizeof ini, "[node]\ntitle = %s\nidentity = %s\n", nt->title,
                     nt->identity);
    if (!write_file(conf, ini, (size_t)n))
        return false;
    snprintf(zones, sizeof zones, "%s/world/zones.geojson", r->out);
    snprintf(coast, sizeof coast, "%s/world/coast.geojson", r->out);
    char *argv[64] = {"alidade", "serve", "--config", conf, "--data", nd->data, "--listen",
                      listen, "--default-tlp", (char *)drill_tlp_name(nt->tlp),
                      "--zones", zones, "--shore", coast, "--anchorages", coast,
                      "--sync-interval", "1", "--log-format", "logfmt", "--threads", "2"};
    size_t a = 22;
    if (nt->nareas) {
        snprintf(src[0], sizeof src[0], "ais+file:%s/ais.nmea?name=ais", nd->dir);
        argv[a++] = "--source";
        argv[a++] = src[0];
    }
    for (unsigned j = 0; j < nt->nnetworks; j++) {
        snprintf(src[j + 1], sizeof src[j + 1], "%s+file:%s/%s.log?name=%s",
                 nt->networks[j].format == DRILL_LOG_EVE ? "eve" : "zeek", nd->dir,
                 nt->networks[j].name, nt->networks[j].name);
        argv[a++] = "--source";
        argv[a++] = src[j + 1];
    }
    argv[a] = NULL;
    pid_t pid = fork();
    if (pid < 0)
        return false;
    if (pid == 0) {
        int fd = open(nd->log, O_WRONLY | O_CREAT | O_APPEND, 0666);
        if (fd >= 0) {
            dup2(fd, 1);
            dup2(fd, 2);
        }
        setpgid(0, 0);                /* a Ctrl-C at the terminal is ours to relay */
        execv(r->self, argv);
        _exit(127);
    }
    nd->pid = pid;
    return true;
}

/* Waits for /healthz on every node; false (with the node's log) when one
 * exits or stays silent for 20 s. */
static bool wait_nodes(struct run *r)
{
    double until = wall_now() + 20;
    for (unsigned k = 0; k < r->sc->nnations; k++) {
        struct node *nd = &r->nodes[k];
        for (;;) {
            int st;
            if (waitpid(nd->pid, &st, WNOHANG) == nd->pid) {
                nd->pid = 0;
                char tail[600];
                log_tail(nd->log, tail, sizeof tail);
                snprintf(r->err, sizeof r->err, "the node of %s stopped at start (%s): %s%s",
                         r->sc->nations[k].name, nd->log, tail,
                         strstr(tail, "not available") ? "\n(a feature the drill needs is "
                                                         "not in this build yet)" : "");
                return false;
            }
            char *body;
            size_t len;
            int status = drill_http_get(nd->port, "/healthz", NULL, 1, &body, &len);
            free(body);
            if (status == 200)
                break;
            if (wall_now() > until || g_stop) {
                snprintf(r->err, sizeof r->err, "the node of %s did not answer /healthz on "
                         "port %u within 20 s (%s)", r->sc->nations[k].name, nd->port, nd->log);
                return false;
            }
            usleep(50000);
        }
    }
    return true;
}

static void stop_nodes(struct run *r)
{
    for (unsigned k = 0; k < r->sc->nnations; k++)
        if (r->nodes[k].pid > 0)
            kill(r->nodes[k].pid, SIGTERM);
    double until = wall_now() + 15;
    for (unsigned k = 0; k < r->sc->nnations; k++) {
        struct node *nd = &r->nodes[k];
        while (nd->pid > 0) {
            int st;
            pid_t w = waitpid(nd->pid, &st, WNOHANG);
            if (w == nd->pid || (w < 0 && errno != EINTR)) {
                nd->pid = 0;
                break;
            }
            if (wall_now() > until) {
                kill(nd->pid, SIGKILL);
                waitpid(nd->pid, &st, 0);
                nd->pid = 0;
                break;
            }
            usleep(20000);
        }
    }
}

/* ---- feeding ---- */

/* Reads the next staged line of source s (0: AIS, 1+j: network j). */
static void stage_next(struct node *nd, unsigned s)
{
    FILE *f = s == 0 ? nd->ais_in : nd->log_in[s - 1];
    nd->pend_t[s] = LLONG_MAX;
    if (!f)
        return;
    char *line = nd->pend[s];
    if (!fgets(line, sizeof nd->pend[s], f))
        return;
    char *sp = strchr(line, ' ');
    if (!sp)
        return;
    nd->pend_t[s] = strtoll(line, NULL, 10);
    memmove(line, sp + 1, strlen(sp + 1) + 1);
}

static bool open_feeds(struct run *r)
{
    char path[PATHMAX];
    for (unsigned k = 0; k < r->sc->nnations; k++) {
        const struct drill_nation *nt = &r->sc->nations[k];
        struct node *nd = &r->nodes[k];
        if (nt->nareas) {
            snprintf(path, sizeof path, "%s/ais.stage", nd->dir);
            nd->ais_in = fopen(path, "rb");
            snprintf(path, sizeof path, "%s/ais.nmea", nd->dir);
            nd->ais_out = fopen(path, "ab");
            if (!nd->ais_in || !nd->ais_out)
                return false;
        }
        for (unsigned j = 0; j < nt->nnetworks; j++) {
            snprintf(path, sizeof path, "%s/%s.stage", nd->dir, nt->networks[j].name);
            nd->log_in[j] = fopen(path, "rb");
            snprintf(path, sizeof path, "%s/%s.log", nd->dir, nt->networks[j].name);
            nd->log_out[j] = fopen(path, "ab");
            if (!nd->log_in[j] || !nd->log_out[j])
                return false;
        }
        for (unsigned s = 0; s <= nt->nnetworks; s++)
            stage_next(nd, s);
    }
    return true;
}

/* The followed files exist (empty) before the nodes start. */
static bool create_feeds(struct run *r)
{
    char path[PATHMAX];
    for (unsigned k = 0; k < r->sc->nnations; k++) {
        const struct drill_nation *nt = &r->sc->nations[k];
        if (nt->nareas) {
            snprintf(path, sizeof path, "%s/ais.nmea", r->nodes[k].dir);
            if (!write_file(path, "", 0))
                return false;
        }
        for (unsigned j = 0; j < nt->nnetworks; j++) {
            snprintf(path, sizeof path, "%s/%s.log", r->nodes[k].dir, nt->networks[j].name);
            if (!write_file(path, "", 0))
                return false;
        }
    }
    return true;
}

/* The staged copies are the feeds with times in front: gone once fed. */
static void remove_stages(struct run *r)
{
    char path[PATHMAX];
    for (unsigned k = 0; k < r->sc->nnations; k++) {
        snprintf(path, sizeof path, "%s/ais.stage", r->nodes[k].dir);
        unlink(path);
        for (unsigned j = 0; j < r->sc->nations[k].nnetworks; j++) {
            snprintf(path, sizeof path, "%s/%s.stage", r->nodes[k].dir,
                     r->sc->nations[k].networks[j].name);
            unlink(path);
        }
    }
}

static void close_feeds(struct run *r)
{
    for (unsigned k = 0; k < r->sc->nnations; k++) {
        struct node *nd = &r->nodes[k];
        if (nd->ais_in)
            fclose(nd->ais_in);
        if (nd->ais_out)
            fclose(nd->ais_out);
        nd->ais_in = nd->ais_out = NULL;
        for (unsigned j = 0; j < DRILL_MAX_NETWORKS; j++) {
            if (nd->log_in[j])
                fclose(nd->log_in[j]);
            if (nd->log_out[j])
                fclose(nd->log_out[j]);
            nd->log_in[j] = nd->log_out[j] = NULL;
        }
    }
}

/* Appends every staged line whose time has come; true when all is fed. */
static bool feed_until(struct run *r, int64_t now, struct drill_result *res)
{
    bool done = true;
    for (unsigned k = 0; k < r->sc->nnations; k++) {
        struct node *nd = &r->nodes[k];
        const struct drill_nation *nt = &r->sc->nations[k];
        for (unsigned s = 0; s <= nt->nnetworks; s++) {
            FILE *out = s == 0 ? nd->ais_out : nd->log_out[s - 1];
            while (nd->pend_t[s] != LLONG_MAX && nd->pend_t[s] <= now) {
                fputs(nd->pend[s], out);
                if (s == 0)
                    res->fed_lines[k]++;
                else
                    res->log_lines[k]++;
                stage_next(nd, s);
            }
            if (out)
                fflush(out);
            if (nd->pend_t[s] != LLONG_MAX)
                done = false;
        }
    }
    return done;
}

/* ---- collection ---- */

struct held {                         /* one object id at one node, by one maker
                                         (a node may hold its own version of an
                                         event and a partner's: same id) */
    char id[DRILL_ID_MAX + 16];
    char maker[DRILL_ID_MAX + 16];    /* created_by_ref ("" for none, and over TAXII) */
    unsigned node;
    double added;                     /* earliest date_added there */
    json_t *obj;                      /* latest version (borrowed from objs) */
};

struct collected {
    struct held *h;
    size_t n, cap;
    size_t *ix;                       /* hash of (node, id, maker) -> index + 1 */
    size_t ixcap;
    json_t *objs;                     /* keeps every object alive */
};

static double stix_wall(const char *s)
{
    int64_t us;
    if (!s || !stix_time_parse(s, strlen(s), &us))
        return NAN;
    return (double)us / 1e6;
}

static uint64_t held_hash(unsigned node, const char *id, const char *maker)
{
    uint64_t h = 1469598103934665603ull ^ node;
    for (const char *p = id; *p; p++)
        h = (h ^ (unsigned char)*p) * 1099511628211ull;
    h = (h ^ '|') * 1099511628211ull;
    for (const char *p = maker; *p; p++)
        h = (h ^ (unsigned char)*p) * 1099511628211ull;
    return h;
}

static struct held *held_find(struct collected *c, unsigned node, const char *id,
                              const char *maker)
{
    if (!c->ixcap)
        return NULL;
    size_t mask = c->ixcap - 1;
    for (size_t i = held_hash(node, id, maker) & mask; c->ix[i]; i = (i + 1) & mask) {
        struct held *h = &c->h[c->ix[i] - 1];
        if (h->node == node && strcmp(h->id, id) == 0 && strcmp(h->maker, maker) == 0)
            return h;
    }
    return NULL;
}

static bool held_index(struct collected *c, size_t k)
{
    size_t mask = c->ixcap - 1;
    size_t i = held_hash(c->h[k].node, c->h[k].id, c->h[k].maker) & mask;
    while (c->ix[i])
        i = (i + 1) & mask;
    c->ix[i] = k + 1;
    return true;
}

static struct held *held_add(struct collected *c, unsigned node, const char *id,
                             const char *maker)
{
    struct held *h = held_find(c, node, id, maker);
    if (h)
        return h;
    if (c->n == c->cap) {
        size_t nc = c->cap ? c->cap * 2 : 256;
        struct held *nh = realloc(c->h, nc * sizeof *nh);
        if (!nh)
            return NULL;
        c->h = nh;
        c->cap = nc;
    }
    if (2 * (c->n + 1) > c->ixcap) {                  /* keep the table half empty */
        size_t nc = c->ixcap ? c->ixcap * 2 : 1024;
        size_t *ni = calloc(nc, sizeof *ni);
        if (!ni)
            return NULL;
        free(c->ix);
        c->ix = ni;
        c->ixcap = nc;
        for (size_t k = 0; k < c->n; k++)
            held_index(c, k);
    }
    h = &c->h[c->n++];
    memset(h, 0, sizeof *h);
    snprintf(h->id, sizeof h->id, "%s", id);
    snprintf(h->maker, sizeof h->maker, "%s", maker);
    h->node = node;
    h->added = INFINITY;
    held_index(c, c->n - 1);
    return h;
}

/* GETs every page of path (objects or manifest) as the umpire. */
static bool get_pages(struct run *r, unsigned k, const char *base, json_t **items,
                      const char *member)
{
    struct node *nd = &r->nodes[k];
    char path[1024], next[512] = "";
    *items = json_array();
    for (int page = 0; page < 100000; page++) {
        snprintf(path, sizeof path, "%s?match[version]=all&limit=1000%s%s", base,
                 next[0] ? "&next=" : "", next);
        char *body;
        size_t len;
        int st = drill_http_get(nd->port, path, nd->umpire_token, 60, &body, &len);
        if (st != 200) {
            snprintf(r->err, sizeof r->err, "%s: GET %s answered %d", r->sc->nations[k].name,
                     path, st);
            free(body);
            return false;
        }
        json_t *env = json_loadb(body, len, 0, NULL);
        free(body);
        if (!env) {
            snprintf(r->err, sizeof r->err, "%s: GET %s: not JSON", r->sc->nations[k].name,
                     path);
            return false;
        }
        json_t *arr = json_object_get(env, member);
        size_t i;
        json_t *v;
        json_array_foreach(arr, i, v) json_array_append(*items, v);
        bool more = json_is_true(json_object_get(env, "more"));
        const char *nx = json_string_value(json_object_get(env, "next"));
        if (more && nx)
            snprintf(next, sizeof next, "%s", nx);
        json_decref(env);
        if (!more || !nx)
            break;
    }
    return true;
}

static bool collect(struct run *r, struct collected *c)
{
    c->objs = json_array();
    for (unsigned k = 0; k < r->sc->nnations; k++) {
        char *body;
        size_t len;
        int st = drill_http_get(r->nodes[k].port, "/api/collections/", r->nodes[k].umpire_token,
                                30, &body, &len);
        json_t *cl = st == 200 ? json_loadb(body, len, 0, NULL) : NULL;
        free(body);
        if (!cl) {
            snprintf(r->err, sizeof r->err, "%s: GET /api/collections/ answered %d",
                     r->sc->nations[k].name, st);
            return false;
        }
        size_t i;
        json_t *coll;
        json_array_foreach(json_object_get(cl, "collections"), i, coll) {
            const char *cid = json_string_value(json_object_get(coll, "id"));
            if (!cid)
                continue;
            char base[256];
            json_t *man, *objs;
            snprintf(base, sizeof base, "/api/collections/%s/manifest/", cid);
            if (!get_pages(r, k, base, &man, "objects")) {
                json_decref(cl);
                return false;
            }
            snprintf(base, sizeof base, "/api/collections/%s/objects/", cid);
            if (!get_pages(r, k, base, &objs, "objects")) {
                json_decref(man);
                json_decref(cl);
                return false;
            }
            size_t j;
            json_t *m;
            json_array_foreach(man, j, m) {
                const char *id = json_string_value(json_object_get(m, "id"));
                double t = stix_wall(json_string_value(json_object_get(m, "date_added")));
                struct held *h = id ? held_add(c, k, id, "") : NULL;
                if (h && t < h->added)
                    h->added = t;
            }
            /* what the umpire can read: counted, not kept (the census of
             * the stores is what is scored) */
            json_array_foreach(objs, j, m) {
                const char *id = json_string_value(json_object_get(m, "id"));
                if (id && !held_add(c, k, id, "")) {
                    json_decref(man);
                    json_decref(objs);
                    json_decref(cl);
                    snprintf(r->err, sizeof r->err, "out of memory");
                    return false;
                }
            }
            json_decref(man);
            json_decref(objs);
        }
        json_decref(cl);
    }
    return true;
}

/* Every version of every object in every collection of each node's store,
 * read directly once the nodes are stopped: the TAXII read policy hides
 * from any partner, the umpire included, what a node received from third
 * parties and may not re-share (AMBER, RED), and a leak is exactly such an
 * object, so only the store itself can tell what a node holds. The
 * date_added values are the ones TAXII shows. */
struct census_ctx {
    struct collected *c;
    unsigned node;
    bool failed;
};

static int census_row(void *ctx, const struct store_row *row)
{
    struct census_ctx *cc = ctx;
    struct held *h = held_add(cc->c, cc->node, row->id,
                              row->created_by_ref ? row->created_by_ref : "");
    if (!h) {
        cc->failed = true;
        return 1;
    }
    double t = (double)row->date_added / 1e6;
    if (t < h->added)
        h->added = t;
    const char *old = h->obj ? json_string_value(json_object_get(h->obj, "modified")) : NULL;
    const char *mod = row->version;
    if (!h->obj || (mod && old && strcmp(mod, old) > 0)) {
        json_t *full = json_loadb(row->json, row->len, 0, NULL);
        if (full) {
            /* only what the scoring reads: tens of thousands of objects */
            static const char *const keep[] = {"type", "modified", "created_by_ref",
                                               "sighting_of_ref", "first_seen", "last_seen",
                                               "object_marking_refs", "x_alidade_recipients"};
            json_t *o = json_object();
            for (size_t i = 0; o && i < sizeof keep / sizeof keep[0]; i++) {
                json_t *v = json_object_get(full, keep[i]);
                if (v)
                    json_object_set(o, keep[i], v);
            }
            json_t *ext = json_object_get(json_object_get(full, "extensions"), MARITIME_EXT);
            if (o && ext)
                json_object_set_new(o, "extensions", json_pack("{s:O}", MARITIME_EXT, ext));
            json_decref(full);
            if (o) {
                json_decref(h->obj);      /* the census owns its objects: one per entry */
                h->obj = o;
            }
        }
    }
    return 0;
}

static bool census(struct run *r, struct collected *c)
{
    c->objs = json_array();
    for (unsigned k = 0; k < r->sc->nnations; k++) {
        char err[256];
        store *st = store_open(r->nodes[k].data, err, sizeof err);
        if (!st) {
            snprintf(r->err, sizeof r->err, "%s: its store: %s", r->sc->nations[k].name, err);
            return false;
        }
        struct store_collection *cols = NULL;
        size_t ncols = 0;
        bool ok = store_collections(st, &cols, &ncols) == ALD_E_OK;
        static const char *const all[] = {"all"};
        struct store_filter f = {.added_after = INT64_MIN, .versions = all, .nversions = 1};
        struct census_ctx cc = {.c = c, .node = k};
        for (size_t i = 0; ok && i < ncols; i++) {
            struct store_page pg;
            ok = store_query(st, cols[i].id, &f, NULL, NULL, census_row, &cc, &pg) == ALD_E_OK &&
                 !cc.failed;
        }
        if (!ok)
            snprintf(r->err, sizeof r->err, "%s: reading its store: %s",
                     r->sc->nations[k].name, store_errmsg(st));
        free(cols);
        store_close(st);
        if (!ok)
            return false;
    }
    return true;
}

/* `alidade status --data D --json` of each node (still running) into
 * DIR/nodes/NAME/status.json, and the sync errors it counts per node. A
 * build without the status command leaves them out (-1). */
static void node_status(struct run *r, struct drill_result *res)
{
    for (unsigned k = 0; k < r->sc->nnations; k++) {
        res->sync_errors[k] = -1;
        static char out[1 << 20];
        char *const a[] = {"alidade", "status", "--data", r->nodes[k].data, "--json", NULL};
        if (run_self(r->self, a, out, sizeof out, NULL) != 0)
            continue;
        char path[PATHMAX];
        snprintf(path, sizeof path, "%s/status.json", r->nodes[k].dir);
        write_file(path, out, strlen(out));
        json_t *st = json_loads(out, 0, NULL);
        size_t i;
        json_t *p;
        long long errors = 0;
        json_array_foreach(json_object_get(st, "partners"), i, p)
            errors += json_integer_value(json_object_get(p, "errors"));
        if (st)
            res->sync_errors[k] = errors;
        json_decref(st);
    }
}

/* The nation behind an identity id, -1 when none (public definitions). */
static int nation_of(const struct drill_scenario *sc, const char *id)
{
    if (!id)
        return -1;
    for (unsigned k = 0; k < sc->nnations; k++)
        if (strcasecmp(sc->nations[k].identity, id) == 0)
            return (int)k;
    return -1;
}

static bool to_score_input(struct run *r, struct collected *c, struct drill_result *res)
{
    const struct drill_scenario *sc = r->sc;
    res->det = calloc(c->n + 1, sizeof *res->det);
    res->arr = calloc(c->n + 1, sizeof *res->arr);
    res->leak = calloc(c->n + 1, sizeof *res->leak);
    if (!res->det || !res->arr || !res->leak)
        return false;
    char path[PATHMAX];
    snprintf(path, sizeof path, "%s/held.jsonl", r->out);
    FILE *hf = fopen(path, "wb");
    for (size_t i = 0; i < c->n; i++) {
        struct held *h = &c->h[i];
        res->held[h->node]++;
        const char *by = h->obj ? json_string_value(json_object_get(h->obj, "created_by_ref"))
                                : NULL;
        if (hf) {
            char added[40] = "";
            if (isfinite(h->added))
                iso_time_us(h->added, added);
            fprintf(hf, "{\"node\":\"%s\",\"id\":\"%s\",\"created_by_ref\":\"%s\","
                        "\"date_added\":\"%s\"}\n", sc->nations[h->node].name, h->id,
                    by ? by : "", added);
        }
        if (!h->obj)
            continue;
        int origin = nation_of(sc, by);
        if (origin < 0)
            continue;
        const char *type = json_string_value(json_object_get(h->obj, "type"));
        if ((unsigned)origin == h->node) {
            if (!type || strcmp(type, "sighting") != 0)
                continue;
            struct drill_det *d = &res->det[res->ndet];
            memset(d, 0, sizeof *d);
            d->node = h->node;
            d->added_wall = h->added;
            json_t *ext = json_object_get(json_object_get(h->obj, "extensions"), MARITIME_EXT);
            const char *of = json_string_value(json_object_get(h->obj, "sighting_of_ref"));
            if (ext) {
                snprintf(d->kind, sizeof d->kind, "%s",
                         json_string_value(json_object_get(ext, "event")) ?: "?");
                d->mmsi = (uint32_t)json_integer_value(json_object_get(ext, "mmsi"));
                d->mmsi2 = (uint32_t)json_integer_value(json_object_get(ext, "mmsi2"));
                if (strcmp(d->kind, "mmsi_clash") == 0)
                    d->mmsi2 = 0;
                d->start = (int64_t)stix_wall(json_string_value(json_object_get(ext, "start")));
                d->end = (int64_t)stix_wall(json_string_value(json_object_get(ext, "end")));
            } else if (of && strncmp(of, "indicator--", 11) == 0) {
                snprintf(d->kind, sizeof d->kind, "sighting");
                snprintf(d->ref, sizeof d->ref, "%s", of);
                d->start = (int64_t)stix_wall(json_string_value(json_object_get(h->obj,
                                                                                 "first_seen")));
                d->end = (int64_t)stix_wall(json_string_value(json_object_get(h->obj,
                                                                               "last_seen")));
            } else {
                continue;
            }
            res->ndet++;
            continue;
        }
        /* held by another nation than its maker: an arrival */
        struct drill_arrival *a = &res->arr[res->narr++];
        memset(a, 0, sizeof *a);
        snprintf(a->id, sizeof a->id, "%s", h->id);
        a->node = h->node;
        a->added_wall = h->added;
        a->pol.origin = (unsigned)origin;
        struct held *at = held_find(c, (unsigned)origin, h->id, h->maker);
        a->origin_wall = at ? at->added : NAN;
        int tlp = -1;
        size_t j;
        json_t *m;
        uint32_t members = 0;
        json_array_foreach(json_object_get(h->obj, "object_marking_refs"), j, m) {
            const char *mid = json_string_value(m);
            if (!mid)
                continue;
            enum stix_tlp t = stix_tlp_of(mid);
            if ((int)t > tlp)
                tlp = (int)t;
            for (unsigned k = 0; k < sc->nnations; k++)
                for (unsigned g = 0; g < sc->nations[k].ngroups; g++) {
                    char gid[STIX_ID_MAX];
                    share_group_marking_id(sc->nations[k].groups[g], gid);
                    if (strcasecmp(gid, mid) == 0) {
                        a->pol.has_groups = true;
                        members |= 1u << k;
                    }
                }
        }
        a->pol.group_members = members;
        a->pol.tlp = tlp < 0 ? sc->nations[origin].tlp : (enum drill_tlp)tlp;
        a->pol.recipients = 1u << origin;
        json_array_foreach(json_object_get(h->obj, "x_alidade_recipients"), j, m) {
            int k = nation_of(sc, json_string_value(m));
            if (k >= 0)
                a->pol.recipients |= 1u << k;
        }
    }
    return !hf || fclose(hf) == 0;
}

/* ---- the command ---- */

static bool dir_empty_or_absent(const char *d)
{
    struct stat st;
    if (stat(d, &st) != 0)
        return errno == ENOENT;
    char cmd[PATHMAX];
    snprintf(cmd, sizeof cmd, "%s/score.json", d);
    char nodes[PATHMAX];
    snprintf(nodes, sizeof nodes, "%s/nodes", d);
    return S_ISDIR(st.st_mode) && access(cmd, F_OK) != 0 && access(nodes, F_OK) != 0;
}

static void remove_tree(const char *path)
{
    pid_t pid = fork();
    if (pid == 0) {
        execlp("rm", "rm", "-rf", "--", path, (char *)NULL);
        _exit(127);
    }
    if (pid > 0) {
        int st;
        waitpid(pid, &st, 0);
    }
}

int drill_run_main(int argc, char **argv)
{
    static const struct option lo[] = {
        {"out", required_argument, 0, 'o'}, {"speed", required_argument, 0, 's'},
        {"keep", no_argument, 0, 'k'},      {"quiet", no_argument, 0, 'q'},
        {"help", no_argument, 0, 'h'},      {0, 0, 0, 0},
    };
    const char *outdir = NULL;
    double speed = 0;
    bool keep = false, quiet = false;
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "o:s:kqh", lo, NULL)) != -1) {
        switch (c) {
        case 'o': outdir = optarg; break;
        case 's': {
            char *end;
            speed = strtod(optarg, &end);
            if (*end || !(speed >= 1 && speed <= 1e6)) {
                fprintf(stderr, "alidade drill run: bad --speed '%s' (world seconds per wall "
                                "second, 1 to 1000000)\n", optarg);
                return 2;
            }
            break;
        }
        case 'k': keep = true; break;
        case 'q': quiet = true; break;
        case 'h': usage(stdout); return 0;
        default: usage(stderr); return 2;
        }
    }
    if (optind + 1 != argc || !outdir) {
        fprintf(stderr, "alidade drill run: give one SCENARIO file and --out DIR\n");
        usage(stderr);
        return 2;
    }
    const char *scen_path = argv[optind];
    size_t len;
    char *text = read_file(scen_path, &len);
    if (!text) {
        fprintf(stderr, "alidade drill run: %s: %s\n", scen_path, strerror(errno));
        return 2;
    }
    static struct drill_scenario sc;
    struct drill_err perr;
    ald_err pe = drill_scenario_parse(text, len, &sc, &perr);
    free(text);
    if (pe) {
        if (perr.line)
            fprintf(stderr, "alidade drill run: %s:%u:%u: %s\n", scen_path, perr.line, perr.col,
                    perr.msg);
        else
            fprintf(stderr, "alidade drill run: %s: %s%s%s\n", scen_path, perr.path,
                    perr.path[0] ? ": " : "", perr.msg);
        return 2;
    }
    if (speed > 0)
        sc.speed = speed;
    if (!dir_empty_or_absent(outdir)) {
        fprintf(stderr, "alidade drill run: %s: holds an earlier run (score.json or nodes/); "
                        "give a new --out\n", outdir);
        return 2;
    }
    char self[PATHMAX];
    ssize_t sl = readlink("/proc/self/exe", self, sizeof self - 1);
    if (sl <= 0) {
        fprintf(stderr, "alidade drill run: cannot find the alidade binary (/proc/self/exe)\n");
        return 1;
    }
    self[sl] = '\0';

    static struct run r;
    memset(&r, 0, sizeof r);
    r.sc = &sc;
    r.self = self;
    r.out = outdir;
    r.quiet = quiet;
    {
        char id[DRILL_ID_MAX + 16];
        drill_id(&sc, "identity", "umpire", id);
        snprintf(r.umpire_id, sizeof r.umpire_id, "%s", id);
    }
    struct sigaction sa = {.sa_handler = on_signal};
    sigemptyset(&sa.sa_mask);
    struct sigaction old_int, old_term;
    sigaction(SIGINT, &sa, &old_int);
    sigaction(SIGTERM, &sa, &old_term);

    static struct world w;
    static struct drill_result res;
    static struct collected col, taxii;
    memset(&w, 0, sizeof w);
    memset(&res, 0, sizeof res);
    memset(&col, 0, sizeof col);
    memset(&taxii, 0, sizeof taxii);
    res.sc = &sc;
    res.scenario_path = scen_path;
    int rc = 1;
    double t_begin = wall_now();
    char path[PATHMAX];

    if (!check_features(&r))
        goto fail;
    snprintf(path, sizeof path, "%s/world", outdir);
    if (!mkdir_p(path)) {
        snprintf(r.err, sizeof r.err, "%s: %s", path, strerror(errno));
        goto fail;
    }
    for (unsigned k = 0; k < sc.nnations; k++) {
        struct node *nd = &r.nodes[k];
        snprintf(nd->dir, sizeof nd->dir, "%s/nodes/%s", outdir, sc.nations[k].name);
        snprintf(nd->data, sizeof nd->data, "%s/nodes/%s/data", outdir, sc.nations[k].name);
        snprintf(nd->log, sizeof nd->log, "%s/nodes/%s/serve.log", outdir, sc.nations[k].name);
        if (!mkdir_p(nd->dir)) {
            snprintf(r.err, sizeof r.err, "%s: %s", nd->dir, strerror(errno));
            goto fail;
        }
        nd->port = free_port();
        for (unsigned j = 0; j < k; j++)
            if (r.nodes[j].port == nd->port)
                nd->port = free_port();
        if (!nd->port) {
            snprintf(r.err, sizeof r.err, "no free port on 127.0.0.1");
            goto fail;
        }
    }
    say(&r, "%s: %u nations, %u agreements, %u intrusions, %u + planted vessels, %.0f h of "
             "world at %.0fx (%.0f s)", sc.name, sc.nnations, sc.nagreements, sc.nintrusions,
        sc.vessels, sc.hours, sc.speed, sc.hours * 3600 / sc.speed);
    if (!make_world(&sc, outdir, &w, r.err, sizeof r.err) ||
        !make_logs(&sc, outdir, &w, r.err, sizeof r.err))
        goto fail;
    res.world_lat[0] = w.lat[0];
    res.world_lat[1] = w.lat[1];
    res.world_lon[0] = w.lon[0];
    res.world_lon[1] = w.lon[1];
    for (unsigned k = 0; k < sc.nnations; k++)
        if (!node_collection(&r, k))
            goto fail;
    if (!register_partners(&r) || !create_feeds(&r))
        goto fail;
    for (unsigned k = 0; k < sc.nnations; k++)
        if (!start_node(&r, k)) {
            snprintf(r.err, sizeof r.err, "cannot start the node of %s", sc.nations[k].name);
            goto fail;
        }
    if (!wait_nodes(&r))
        goto fail;
    say(&r, "%u nodes up (ports %u..); importing the CERTs' indicators", sc.nnations,
        r.nodes[0].port);
    for (unsigned k = 0; k < sc.nnations; k++) {
        if (!sc.nations[k].cert)
            continue;
        if (!write_indicators(&sc, outdir, k, r.umpire_id, wall_now(), &res.indicators[k])) {
            snprintf(r.err, sizeof r.err, "%s: cannot write its indicators", sc.nations[k].name);
            goto fail;
        }
        if (!res.indicators[k])
            continue;
        snprintf(path, sizeof path, "%s/indicators.jsonl", r.nodes[k].dir);
        char *const a[] = {"alidade", "stix", "import", "--data", r.nodes[k].data, path, NULL};
        if (run_self(self, a, NULL, 0, r.nodes[k].log) != 0) {
            snprintf(r.err, sizeof r.err, "%s: `alidade stix import` of its indicators failed "
                     "(%s)", sc.nations[k].name, r.nodes[k].log);
            goto fail;
        }
    }
    if (!open_feeds(&r)) {
        snprintf(r.err, sizeof r.err, "cannot open the staged feeds under %s/nodes", outdir);
        goto fail;
    }
    res.wall0 = wall_now();
    say(&r, "feeding the world at %.0fx", sc.speed);
    int64_t last_said = 0;
    for (;;) {
        if (g_stop)
            break;
        double now = wall_now();
        int64_t t = sc.start_s + (int64_t)floor((now - res.wall0) * sc.speed);
        bool done = feed_until(&r, t, &res);
        if (done)
            break;
        if (t - last_said >= 6 * 3600) {
            say(&r, "world time +%.0f h", (double)(t - sc.start_s) / 3600);
            last_said = t;
        }
        for (unsigned k = 0; k < sc.nnations; k++) {
            int st;
            if (r.nodes[k].pid > 0 && waitpid(r.nodes[k].pid, &st, WNOHANG) == r.nodes[k].pid) {
                r.nodes[k].pid = 0;
                snprintf(r.err, sizeof r.err, "the node of %s stopped during the drill (%s)",
                         sc.nations[k].name, r.nodes[k].log);
                close_feeds(&r);
                goto fail;
            }
        }
        usleep(20000);
    }
    close_feeds(&r);
    remove_stages(&r);
    res.feed_s = wall_now() - res.wall0;
    if (g_stop) {
        snprintf(r.err, sizeof r.err, "interrupted");
        rc = 130;
        goto fail;
    }
    say(&r, "world fed in %.1f s; %.0f s for detection and sharing to settle", res.feed_s,
        sc.settle_s);
    double settle_until = wall_now() + sc.settle_s;
    while (wall_now() < settle_until && !g_stop)
        usleep(50000);
    res.settle_s = sc.settle_s;
    if (g_stop) {
        snprintf(r.err, sizeof r.err, "interrupted");
        rc = 130;
        goto fail;
    }
    if (!collect(&r, &taxii))
        goto fail;
    for (size_t i = 0; i < taxii.n; i++)
        res.taxii_visible[taxii.h[i].node]++;
    node_status(&r, &res);
    stop_nodes(&r);
    if (!census(&r, &col))
        goto fail;
    res.truth = w.truth;
    res.ntruth = w.ntruth;
    if (!to_score_input(&r, &col, &res)) {
        snprintf(r.err, sizeof r.err, "out of memory");
        goto fail;
    }
    if (drill_score_compute(&sc, res.wall0, res.truth, res.ntruth, res.det, res.ndet, res.arr,
                            res.narr, &res.score, res.leak) != ALD_E_OK) {
        snprintf(r.err, sizeof r.err, "scoring failed (more than %d kinds of event?)",
                 DRILL_MAX_KINDS);
        goto fail;
    }
    res.match = calloc(res.ndet + 1, sizeof *res.match);
    if (!res.match) {
        snprintf(r.err, sizeof r.err, "out of memory");
        goto fail;
    }
    for (size_t j = 0; j < res.ndet; j++)
        res.match[j] = drill_match(&sc, res.truth, res.ntruth, &res.det[j]);
    res.total_s = wall_now() - t_begin;
    if (!drill_write_reports(outdir, &res, r.err, sizeof r.err))
        goto fail;
    if (!keep)
        for (unsigned k = 0; k < sc.nnations; k++)
            remove_tree(r.nodes[k].data);
    say(&r, "done in %.1f s: precision %.3f, recall %.3f, leaks %u, share latency p50 %.2f s "
             "p99 %.2f s; %s/report.html", res.total_s, res.score.precision, res.score.recall,
        res.score.leaks, res.score.share_latency_s.p50, res.score.share_latency_s.p99, outdir);
    rc = 0;
    goto out;
fail:
    stop_nodes(&r);
    fprintf(stderr, "alidade drill run: %s\n", r.err);
    if (rc == 0)
        rc = 1;
out:
    sigaction(SIGINT, &old_int, NULL);
    sigaction(SIGTERM, &old_term, NULL);
    for (size_t i = 0; i < col.n; i++)
        json_decref(col.h[i].obj);
    json_decref(col.objs);
    free(col.h);
    free(col.ix);
    json_decref(taxii.objs);
    free(taxii.h);
    free(taxii.ix);
    free(w.tab);
    free(w.truth);
    free(res.det);
    free(res.arr);
    free(res.leak);
    free(res.match);
    return rc;
}
