/*
 * cmd_replay.c - `alidade ais replay FILE... --udp HOST:PORT`: sends NMEA
 * lines over UDP as a receiver (AIS-catcher, rtl_ais) would, paced by the
 * lines' own receive times, for demos (`make run`), drills and tests of a
 * node's `--source ais+udp://...`.
 *
 * Times are what the stream decoder finds (tag block c:, $PGHP, trailing
 * epoch: the same as `ais decode`/`ais detect`): a line is sent when
 * (its time - the first time) / speed has passed since the start; a line
 * whose time is not known yet (first fragments of a multipart message,
 * lines without any time) goes with the previous one. Lines go out packed
 * into datagrams of at most 1400 bytes (whole lines, '\n' after each), as
 * soon as they are due. --speed 0 sends as fast as the socket takes them.
 */
#include <errno.h>
#include <getopt.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "alidade/ais.h"
#include "input.h"

#define DGRAM_MAX 1400

struct replay {
    int fd;
    double speed;
    long long rate;                  /* lines per second at most, 0: no limit */
    char buf[DGRAM_MAX + LR_MAX_LINE + 2];
    size_t len;
    unsigned long long lines, dgrams, errors;
    int64_t got_time;                /* set by on_msg for the line just fed */
    int64_t t0_data, last_data;      /* ms */
    double t0_wall;                  /* s (monotonic) */
    double rate_t0;
    unsigned long long rate_lines;
};

static double mono(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void sleep_s(double s)
{
    if (s <= 0)
        return;
    struct timespec ts = {(time_t)s, (long)((s - (double)(time_t)s) * 1e9)};
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
        ;
}

static void on_msg(void *ctx, const struct ais_msg *m, const struct ais_meta *meta)
{
    (void)m;
    struct replay *r = ctx;
    if (meta->time_ms != AIS_TIME_NONE)
        r->got_time = meta->time_ms;
}

static void flush(struct replay *r)
{
    if (!r->len)
        return;
    for (;;) {
        ssize_t n = send(r->fd, r->buf, r->len, 0);
        if (n >= 0)
            break;
        if (errno == EINTR)
            continue;
        if (errno == ENOBUFS || errno == EAGAIN) {
            sleep_s(0.001);          /* the kernel's queue is full: wait, do not drop */
            continue;
        }
        /* ECONNREFUSED: nobody listens (yet); the datagram is lost, as on a radio link */
        r->errors++;
        break;
    }
    r->dgrams++;
    r->len = 0;
}

/* Waits until the line with data time t (ms) is due. */
static void pace(struct replay *r, int64_t t)
{
    if (r->rate > 0) {
        double due = r->rate_t0 + (double)r->rate_lines / (double)r->rate;
        double now = mono();
        if (due > now) {
            flush(r);
            sleep_s(due - now);
        }
        r->rate_lines++;
    }
    if (r->speed <= 0 || t == AIS_TIME_NONE)
        return;
    if (r->t0_data == AIS_TIME_NONE) {
        r->t0_data = t;
        r->t0_wall = mono();
        return;
    }
    double due = r->t0_wall + (double)(t - r->t0_data) / 1000.0 / r->speed;
    double now = mono();
    if (due > now) {
        flush(r);
        sleep_s(due - now);
    }
}

static void usage(FILE *f)
{
    fprintf(f,
        "usage: alidade ais replay FILE... --udp HOST:PORT [options]\n"
        "\n"
        "Sends the NMEA lines of the FILEs (plain, gzip or zstd) over UDP to HOST:PORT,\n"
        "paced by their receive times (tag block c:, $PGHP, trailing epoch), as an AIS\n"
        "receiver would: e.g. into a node started with --source ais+udp://HOST:PORT.\n"
        "\n"
        "  --udp HOST:PORT   where to send (required)\n"
        "  --speed X         X times real time (default 1; 60: one hour per minute;\n"
        "                    0: as fast as possible)\n"
        "  --rate N          at most N lines per second (default: no limit)\n"
        "  --loop            start again at the first file after the last one (the\n"
        "                    times repeat: a node's tracker drops reports older than\n"
        "                    what it has already seen)\n"
        "  -q, --quiet       no summary on stderr\n"
        "  -h, --help        this help\n"
        "\n"
        "Exit status: 0 when every file was sent, 2 on wrong options or an unreadable\n"
        "file.\n");
}

static int open_udp(const char *spec)
{
    char host[256];
    const char *colon = strrchr(spec, ':');
    if (!colon || colon == spec || (size_t)(colon - spec) >= sizeof host || !colon[1])
        return -1;
    const char *h = spec;
    size_t hl = (size_t)(colon - spec);
    if (h[0] == '[' && hl >= 2 && h[hl - 1] == ']') {
        h++;
        hl -= 2;
    }
    memcpy(host, h, hl);
    host[hl] = '\0';
    struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_DGRAM}, *res = NULL;
    if (getaddrinfo(host, colon + 1, &hints, &res) != 0)
        return -1;
    int fd = socket(res->ai_family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (fd >= 0 && connect(fd, res->ai_addr, res->ai_addrlen) != 0) {
        close(fd);
        fd = -1;
    }
    freeaddrinfo(res);
    if (fd >= 0) {
        int sz = 1 << 20;
        setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &sz, sizeof sz);
    }
    return fd;
}

int cmd_replay(int argc, char **argv);

int cmd_replay(int argc, char **argv)
{
    static const struct option lo[] = {
        {"udp", required_argument, 0, 'u'},
        {"speed", required_argument, 0, 's'},
        {"rate", required_argument, 0, 'r'},
        {"loop", no_argument, 0, 'l'},
        {"quiet", no_argument, 0, 'q'},
        {"help", no_argument, 0, 'h'},
        {0, 0, 0, 0},
    };
    const char *udp = NULL;
    double speed = 1;
    long long rate = 0;
    bool loop = false, quiet = false;
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "qh", lo, NULL)) != -1) {
        char *end;
        switch (c) {
        case 'u': udp = optarg; break;
        case 's':
            errno = 0;
            speed = strtod(optarg, &end);
            if (errno || *end || end == optarg || !(speed >= 0) || speed > 1e9) {
                fprintf(stderr, "alidade ais replay: --speed wants a number >= 0, not '%s'\n",
                        optarg);
                return 2;
            }
            break;
        case 'r':
            errno = 0;
            rate = strtoll(optarg, &end, 10);
            if (errno || *end || end == optarg || rate < 1) {
                fprintf(stderr, "alidade ais replay: --rate wants lines per second >= 1, "
                        "not '%s'\n", optarg);
                return 2;
            }
            break;
        case 'l': loop = true; break;
        case 'q': quiet = true; break;
        case 'h': usage(stdout); return 0;
        default: usage(stderr); return 2;
        }
    }
    if (!udp || optind >= argc) {
        fprintf(stderr, "alidade ais replay: %s (alidade ais replay --help)\n",
                !udp ? "--udp HOST:PORT is required" : "no FILE given");
        return 2;
    }
    struct replay *r = calloc(1, sizeof *r);
    if (!r) {
        fprintf(stderr, "alidade ais replay: out of memory\n");
        return 2;
    }
    r->fd = open_udp(udp);
    if (r->fd < 0) {
        fprintf(stderr, "alidade ais replay: --udp '%s': not a reachable HOST:PORT\n", udp);
        free(r);
        return 2;
    }
    r->speed = speed;
    r->rate = rate;
    r->rate_t0 = mono();
    ais_decoder *d = ais_decoder_new(NULL);
    if (!d) {
        fprintf(stderr, "alidade ais replay: out of memory\n");
        close(r->fd);
        free(r);
        return 2;
    }
    ais_decoder_set_cb(d, on_msg, NULL, r);
    int status = 0;
    double start = mono();
    do {
        for (int i = optind; i < argc; i++) {
            char err[512];
            line_reader *lr = lr_open(argv[i], err, sizeof err);
            if (!lr) {
                fprintf(stderr, "alidade ais replay: %s\n", err);
                status = 2;
                loop = false;
                continue;
            }
            r->t0_data = AIS_TIME_NONE;     /* each pass paces from its own start */
            const char *line;
            size_t len;
            bool trunc;
            int got;
            while ((got = lr_next(lr, &line, &len, &trunc)) == 1) {
                if (trunc || len == 0)
                    continue;
                r->got_time = AIS_TIME_NONE;
                ais_decoder_feed(d, line, len);
                pace(r, r->got_time);
                if (r->len + len + 1 > DGRAM_MAX)
                    flush(r);
                memcpy(r->buf + r->len, line, len);
                r->len += len;
                r->buf[r->len++] = '\n';
                r->lines++;
            }
            if (got < 0) {
                fprintf(stderr, "alidade ais replay: %s\n", lr_error(lr));
                status = 2;
            }
            lr_close(lr);
            ais_decoder_finish(d);
            flush(r);
        }
    } while (loop);
    flush(r);
    if (!quiet)
        fprintf(stderr, "alidade ais replay: %llu lines in %llu datagrams to %s in %.2f s%s\n",
                r->lines, r->dgrams, udp, mono() - start,
                r->errors ? " (some datagrams were refused: nobody listening?)" : "");
    ais_decoder_free(d);
    close(r->fd);
    free(r);
    return status;
}
