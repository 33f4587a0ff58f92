/*
 * cmd_drill.c - `alidade drill`: exercise scenarios. `generate`: the seeded
 * scenario generator (lib/sim/sim.c) writes AIS NMEA with planted illicit
 * behaviour, its ground truth as JSON lines in the shape `alidade ais
 * detect` prints, and the zones and coast the scenario assumes. `run`: a
 * scored joint drill of live nodes (drill_run.c, docs/drill.md).
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "alidade/sim.h"
#include "cmd.h"
#include "drill_run.h"
#include "out.h"

static void drill_commands(FILE *f)
{
    fprintf(f,
        "usage: alidade drill <subcommand> [options]\n"
        "\n"
        "Exercise scenarios with ground truth. Subcommands:\n"
        "  generate   write a synthetic AIS scenario (NMEA) with planted events and\n"
        "             their ground truth\n"
        "  run        run a scored joint drill: one live node per nation of a scenario\n"
        "             file (data/drills/*.json, docs/drill.md), fed, federated, scored\n"
        "\n"
        "Run 'alidade drill generate --help' or 'alidade drill run --help' for their\n"
        "options.\n");
}

static void generate_usage(FILE *f)
{
    fprintf(f,
        "usage: alidade drill generate [options] --out DIR | --out -\n"
        "\n"
        "Generates a deterministic scenario: a fleet of normal vessels in open ocean\n"
        "(8-20 kn, regular reports, valid MMSIs, static data every 6 min) that raises\n"
        "no event, plus planted vessels whose behaviour `alidade ais detect` must find:\n"
        "a 14 h AIS gap far offshore, a 3 h encounter, loitering, a zone entry and\n"
        "exit, a teleport, an MMSI shared by two ships, an invalid MMSI and a name\n"
        "change (scenarios of at least 36 h; see docs/sim.md). Writes:\n"
        "  DIR/scenario.nmea   !AIVDM sentences behind tag blocks \\s:SOURCE,c:TIME*hh\\\n"
        "  DIR/truth.jsonl     one planted event per line (\"event\", \"mmsi\", \"start\",\n"
        "                      \"end\", \"lat\", \"lon\", ...), as ais detect prints them\n"
        "  DIR/zones.geojson   the zones (for ais detect --zones)\n"
        "  DIR/coast.geojson   the synthetic coastline and its anchorage (for ais\n"
        "                      detect --shore and --anchorages)\n"
        "With --out - the NMEA goes to stdout and only --truth FILE is written.\n"
        "\n"
        "  -o, --out DIR|-      output directory (created if missing) or - for stdout\n"
        "  -s, --seed N         random seed (default 1): same seed and options give\n"
        "                       the same bytes\n"
        "  -n, --vessels N      normal vessels (default 50, at most 1000000); the 10\n"
        "                       planted ones come on top\n"
        "  -H, --hours H        scenario length (default 48; with --positions and no\n"
        "                       --hours: until the positions are written)\n"
        "  -p, --positions N    stop after N position reports\n"
        "      --start TIME     time of the first report (ISO 8601 UTC or epoch s;\n"
        "                       default 2025-01-01T00:00:00Z)\n"
        "      --source NAME    receiver name in the tag blocks (default drill)\n"
        "      --no-events      normal traffic only\n"
        "      --truth FILE     with --out -: where to write the ground truth\n"
        "  -q, --quiet          no summary on stderr\n"
        "  -h, --help           this help\n"
        "\n"
        "Exit status: 0 on success, 2 when the options are wrong or an output cannot\n"
        "be written.\n"
        "\n"
        "example: alidade drill generate --out drill1 &&\n"
        "         alidade ais detect --zones drill1/zones.geojson --shore drill1/coast.geojson\n"
        "             --anchorages drill1/coast.geojson drill1/scenario.nmea\n");
}

/* Whole decimal number in [lo, hi]; false otherwise. */
static bool parse_u64(const char *s, unsigned long long lo, unsigned long long hi,
                      unsigned long long *out)
{
    char *end;
    errno = 0;
    if (!*s || *s == '-')
        return false;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno || *end || v < lo || v > hi)
        return false;
    *out = v;
    return true;
}

/* "2025-01-01T00:00:00Z", "2025-01-01" or epoch seconds; -1 on error. */
static int64_t parse_time(const char *s)
{
    unsigned long long v;
    if (parse_u64(s, 1, 4102444800ull, &v))
        return (int64_t)v;
    int y, mo, d, h = 0, mi = 0, sec = 0;
    char z = 0;
    int n = sscanf(s, "%d-%d-%dT%d:%d:%d%c", &y, &mo, &d, &h, &mi, &sec, &z);
    if (n != 3 && n != 6 && !(n == 7 && z == 'Z'))
        return -1;
    struct tm tm = {.tm_year = y - 1900, .tm_mon = mo - 1, .tm_mday = d,
                    .tm_hour = h, .tm_min = mi, .tm_sec = sec};
    time_t t = timegm(&tm);
    return t <= 0 ? -1 : (int64_t)t;
}

static void on_text(void *ctx, const char *text, size_t len)
{
    out_write(ctx, text, len);
}

/* Writes a small file whole; false with errno set on failure. */
static bool write_file(const char *path, const char *text, size_t len)
{
    FILE *f = fopen(path, "wb");
    if (!f)
        return false;
    bool ok = fwrite(text, 1, len, f) == len;
    ok &= fclose(f) == 0;
    return ok;
}

static bool write_truth(const char *path, sim *s)
{
    FILE *f = fopen(path, "wb");
    if (!f)
        return false;
    const struct sim_event *ev;
    size_t n = sim_events(s, &ev);
    char line[1024];
    bool ok = true;
    for (size_t i = 0; i < n && ok; i++) {
        size_t len = sim_event_json(&ev[i], line, sizeof line - 1);
        line[len++] = '\n';
        ok = fwrite(line, 1, len, f) == len;
    }
    ok &= fclose(f) == 0;
    return ok;
}

struct gen_opts {
    struct sim_config cfg;
    const char *out, *truth;
    bool quiet, hours_set;
};

static int parse_generate(int argc, char **argv, struct gen_opts *g)
{
    static const struct option lo[] = {
        {"out", required_argument, 0, 'o'},
        {"seed", required_argument, 0, 's'},
        {"vessels", required_argument, 0, 'n'},
        {"hours", required_argument, 0, 'H'},
        {"positions", required_argument, 0, 'p'},
        {"start", required_argument, 0, 'S'},
        {"source", required_argument, 0, 'R'},
        {"no-events", no_argument, 0, 'E'},
        {"truth", required_argument, 0, 'T'},
        {"quiet", no_argument, 0, 'q'},
        {"help", no_argument, 0, 'h'},
        {0, 0, 0, 0},
    };
    int c;
    unsigned long long v;
    optind = 1;
    while ((c = getopt_long(argc, argv, "o:s:n:H:p:qh", lo, NULL)) != -1) {
        switch (c) {
        case 'o': g->out = optarg; break;
        case 's':
            if (!parse_u64(optarg, 0, UINT64_MAX, &v)) {
                fprintf(stderr, "alidade drill generate: bad --seed '%s' (want a whole "
                                "number)\n", optarg);
                return 2;
            }
            g->cfg.seed = v;
            break;
        case 'n':
            if (!parse_u64(optarg, 1, SIM_MAX_VESSELS, &v)) {
                fprintf(stderr, "alidade drill generate: bad --vessels '%s' (want 1 to %u)\n",
                        optarg, SIM_MAX_VESSELS);
                return 2;
            }
            g->cfg.vessels = (unsigned)v;
            break;
        case 'H': {
            char *end;
            double h = strtod(optarg, &end);
            if (*end || !(h > 0) || h > SIM_MAX_HOURS) {
                fprintf(stderr, "alidade drill generate: bad --hours '%s' (want a number "
                                "of hours above 0, at most %.0f)\n", optarg, SIM_MAX_HOURS);
                return 2;
            }
            g->cfg.hours = h;
            g->hours_set = true;
            break;
        }
        case 'p':
            if (!parse_u64(optarg, 1, UINT64_MAX, &v)) {
                fprintf(stderr, "alidade drill generate: bad --positions '%s' (want a whole "
                                "number above 0)\n", optarg);
                return 2;
            }
            g->cfg.max_positions = v;
            break;
        case 'S': {
            int64_t t = parse_time(optarg);
            if (t < 0) {
                fprintf(stderr, "alidade drill generate: bad --start '%s' (want "
                                "2025-01-01T00:00:00Z or epoch seconds)\n", optarg);
                return 2;
            }
            g->cfg.start_s = t;
            break;
        }
        case 'R':
            if (!*optarg || strpbrk(optarg, ",*\\!$\r\n")) {
                fprintf(stderr, "alidade drill generate: bad --source '%s' (no commas, "
                                "'*', '\\', '!', '$')\n", optarg);
                return 2;
            }
            g->cfg.source = optarg;
            break;
        case 'E': g->cfg.no_events = true; break;
        case 'T': g->truth = optarg; break;
        case 'q': g->quiet = true; break;
        case 'h': generate_usage(stdout); return 0;
        default: generate_usage(stderr); return 2;
        }
    }
    if (optind < argc) {
        fprintf(stderr, "alidade drill generate: unexpected argument '%s'\n", argv[optind]);
        return 2;
    }
    if (!g->out) {
        fprintf(stderr, "alidade drill generate: say where to write: --out DIR or --out -\n");
        return 2;
    }
    if (g->truth && strcmp(g->out, "-") != 0) {
        fprintf(stderr, "alidade drill generate: --truth goes with --out - (with --out DIR "
                        "the truth is DIR/truth.jsonl)\n");
        return 2;
    }
    if (g->cfg.max_positions && !g->hours_set)
        g->cfg.hours = SIM_MAX_HOURS;  /* until the positions are written */
    return -1;
}

static int generate(int argc, char **argv)
{
    struct gen_opts g = {.cfg = {.seed = 1, .vessels = 50, .hours = 48}};
    int rc = parse_generate(argc, argv, &g);
    if (rc >= 0)
        return rc;
    bool to_stdout = strcmp(g.out, "-") == 0;
    char path[4096];
    if (!to_stdout && mkdir(g.out, 0777) != 0 && errno != EEXIST) {
        fprintf(stderr, "alidade drill generate: %s: cannot create: %s\n", g.out,
                strerror(errno));
        return 2;
    }
    sim *s = sim_new(&g.cfg);
    if (!s) {
        fprintf(stderr, "alidade drill generate: out of memory\n");
        return 2;
    }
    int fd = STDOUT_FILENO;
    if (!to_stdout) {
        snprintf(path, sizeof path, "%s/scenario.nmea", g.out);
        fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0666);
        if (fd < 0) {
            fprintf(stderr, "alidade drill generate: %s: %s\n", path, strerror(errno));
            sim_free(s);
            return 2;
        }
    }
    outbuf out;
    if (!out_init(&out, fd)) {
        fprintf(stderr, "alidade drill generate: out of memory\n");
        if (!to_stdout)
            close(fd);
        sim_free(s);
        return 2;
    }
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    clock_t c0 = clock();
    sim_run(s, on_text, &out);
    bool ok = out_flush(&out);
    clock_t c1 = clock();
    clock_gettime(CLOCK_MONOTONIC, &t1);
    out_free(&out);
    if (!to_stdout && close(fd) != 0)
        ok = false;
    if (sim_get_stats(s)->out_of_memory) {
        fprintf(stderr, "alidade drill generate: out of memory (output cut short)\n");
        sim_free(s);
        return 2;
    }
    if (!ok) {
        fprintf(stderr, "alidade drill generate: %s: write failed\n",
                to_stdout ? "stdout" : path);
        sim_free(s);
        return 2;
    }
    const char *failed = NULL;
    char text[4096];
    if (to_stdout) {
        if (g.truth && !write_truth(g.truth, s))
            failed = g.truth;
    } else {
        snprintf(path, sizeof path, "%s/truth.jsonl", g.out);
        if (!write_truth(path, s))
            failed = path;
        size_t n = sim_zones_geojson(text, sizeof text);
        if (!failed) {
            snprintf(path, sizeof path, "%s/zones.geojson", g.out);
            if (!write_file(path, text, n))
                failed = path;
        }
        n = sim_coast_geojson(text, sizeof text);
        if (!failed) {
            snprintf(path, sizeof path, "%s/coast.geojson", g.out);
            if (!write_file(path, text, n))
                failed = path;
        }
    }
    if (failed) {
        fprintf(stderr, "alidade drill generate: %s: %s\n", failed, strerror(errno));
        sim_free(s);
        return 2;
    }
    if (!g.quiet) {
        const struct sim_stats *st = sim_get_stats(s);
        const struct sim_event *ev;
        size_t nev = sim_events(s, &ev);
        double secs = (double)(t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9;
        double cpu = (double)(c1 - c0) / CLOCKS_PER_SEC;
        fprintf(stderr, "vessels %u, positions %llu, static reports %llu, sentences %llu, "
                        "%.1f MB; planted events %zu; %.2f s, %.2f s CPU (%.2fM sentences "
                        "per CPU second)\n",
                st->vessels, (unsigned long long)st->positions,
                (unsigned long long)st->statics, (unsigned long long)st->sentences,
                (double)st->bytes / 1e6, nev, secs, cpu,
                cpu > 0 ? (double)st->sentences / cpu / 1e6 : 0.0);
    }
    sim_free(s);
    return 0;
}

int cmd_drill(int argc, char **argv)
{
    if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
        drill_commands(argc < 2 ? stderr : stdout);
        return argc < 2 ? 2 : 0;
    }
    if (strcmp(argv[1], "generate") == 0)
        return generate(argc - 1, argv + 1);
    if (strcmp(argv[1], "run") == 0)
        return drill_run_main(argc - 1, argv + 1);
    fprintf(stderr, "alidade drill: unknown subcommand '%s'\n", argv[1]);
    drill_commands(stderr);
    return 2;
}
