/*
 * cmd_ais.c - `alidade ais decode`: NMEA AIS lines in, one JSON object (gpsd
 * dialect) or CSV row per message out; bad input is counted by reason and
 * never stops the run unless --strict.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "alidade/ais.h"
#include "cmd.h"
#include "input.h"
#include "out.h"

enum fmt { F_JSON, F_CSV, F_NONE };

struct run {
    enum fmt fmt;
    bool scaled, meta, strict, verbose;
    const char *device;
    const char *file;        /* current input name */
    outbuf out;
    bool strict_failed;
};

static void ais_usage(FILE *f)
{
    fprintf(f,
        "usage: alidade ais decode [options] [FILE...]\n"
        "\n"
        "Decodes AIS NMEA 0183 sentences (!AIVDM/!AIVDO, any talker) from the FILEs\n"
        "(plain, gzip or zstd) or stdin. Tag blocks (\\s:src,c:time*hh\\), trailing\n"
        "epochs and Gatehouse $PGHP give the receive time; multipart messages are\n"
        "reassembled by source, channel and sequence id. Other lines are skipped.\n"
        "\n"
        "  -f, --format FMT     json (default: gpsd's JSON, as gpsdecode -j prints it),\n"
        "                       csv (position reports: mmsi,time,lat,lon,sog,cog,\n"
        "                       heading,nav_status,type) or none (decode only)\n"
        "  -u, --unscaled       raw integer fields, as gpsdecode -u -j\n"
        "      --device NAME    value of gpsd's \"device\" member (default: stdin;\n"
        "                       an empty NAME leaves the member out)\n"
        "      --meta           add \"rxtime\", \"source\", \"line\" (input line of the\n"
        "                       last fragment) and \"channel\" members\n"
        "      --split24        print type 24 parts A and B as they come (gpsd merges)\n"
        "      --stats          print counts per reason, type and source to stderr\n"
        "      --strict         stop with exit status 3 at the first bad line\n"
        "  -v, --verbose        report every bad line on stderr (file:line:col)\n"
        "      --max-pending N  multipart messages buffered at once (default 64)\n"
        "      --orphan-lines N drop an incomplete multipart message after N lines\n"
        "                       (default 1000)\n"
        "  -h, --help           this help\n"
        "\n"
        "Exit status: 0 when the input was read (bad lines are counted, not fatal),\n"
        "2 when an input could not be read or the options are wrong, 3 on --strict.\n"
        "\n"
        "example: alidade ais decode --stats capture.nmea.gz > messages.json\n");
}

static void on_msg(void *ctx, const struct ais_msg *m, const struct ais_meta *meta)
{
    struct run *r = ctx;
    char *dst;
    size_t n;
    switch (r->fmt) {
    case F_NONE:
        return;
    case F_CSV:
        dst = out_reserve(&r->out, AIS_LINE_MAX + 1);
        n = ais_csv(m, meta, dst, AIS_LINE_MAX);
        if (n) {
            dst[n] = '\n';
            out_commit(&r->out, n + 1);
        }
        return;
    case F_JSON:
        dst = out_reserve(&r->out, AIS_LINE_MAX + 256);
        n = ais_json(m, r->scaled, r->device, dst, AIS_LINE_MAX);
        if (!n)
            return;
        if (r->meta) {
            char t[40];
            n--;  /* reopen the object */
            if (meta->time_ms != AIS_TIME_NONE && ais_format_time(meta->time_ms, t, sizeof t))
                n += (size_t)sprintf(dst + n, ",\"rxtime\":\"%s\"", t);
            if (meta->source) {
                int k = snprintf(dst + n, 200, ",\"source\":\"%.*s\"", 120, meta->source);
                /* source labels come from tag blocks: drop quotes/controls */
                for (int i = 11; i < k - 1; i++)
                    if (dst[n + i] == '"' || dst[n + i] == '\\' || (unsigned char)dst[n + i] < 32)
                        dst[n + i] = '_';
                n += (size_t)k;
            }
            n += (size_t)sprintf(dst + n, ",\"line\":%zu", meta->line_no);
            if (meta->channel > 32 && meta->channel < 127 && meta->channel != '"' && meta->channel != '\\')
                n += (size_t)sprintf(dst + n, ",\"channel\":\"%c\"", meta->channel);
            dst[n++] = '}';
        }
        dst[n] = '\n';
        out_commit(&r->out, n + 1);
        return;
    }
}

static void on_bad(void *ctx, const struct ald_errpos *e, const char *line, size_t len,
                   size_t line_no)
{
    struct run *r = ctx;
    if (r->strict)
        r->strict_failed = true;
    if (!r->verbose && !r->strict)
        return;
    fprintf(stderr, "alidade: %s:%zu:%u: %s: %s: %.*s\n", r->file, line_no, e->col,
            ald_errname(e->code), e->msg, (int)(len > 200 ? 200 : len), line);
}

static void print_stats(ais_decoder *d, double secs, unsigned long long bytes)
{
    const struct ais_stats *s = ais_decoder_stats(d);
    uint64_t nbad = 0;
    for (int i = 0; i < 32; i++)
        nbad += s->bad[i];
    fprintf(stderr, "lines %llu, AIS sentences %llu (fragments %llu), messages %llu, "
                    "other lines skipped %llu, rejected %llu\n",
            (unsigned long long)s->lines, (unsigned long long)s->sentences,
            (unsigned long long)s->fragments, (unsigned long long)s->messages,
            (unsigned long long)s->skipped_other, (unsigned long long)nbad);
    if (s->tagblock_bad_checksum)
        fprintf(stderr, "tag blocks used despite a bad checksum: %llu\n",
                (unsigned long long)s->tagblock_bad_checksum);
    if (nbad) {
        fprintf(stderr, "rejected by reason:\n");
        for (int i = 0; i < 32; i++)
            if (s->bad[i])
                fprintf(stderr, "  %-22s %10llu  %s\n", ald_errname((ald_err)i),
                        (unsigned long long)s->bad[i], ald_strerror((ald_err)i));
    }
    fprintf(stderr, "messages by type:\n");
    for (int i = 0; i < 32; i++)
        if (s->by_type[i])
            fprintf(stderr, "  type %-2d %10llu\n", i, (unsigned long long)s->by_type[i]);
    fprintf(stderr, "messages by source:\n");
    const char *name;
    uint64_t count;
    for (size_t i = 0; i < 50 && ais_decoder_source_count(d, i, &name, &count); i++)
        fprintf(stderr, "  %-30s %10llu\n", name, (unsigned long long)count);
    if (secs > 0)
        fprintf(stderr, "%.3f s, %.0f lines/s, %.1f MB/s\n", secs, (double)s->lines / secs,
                (double)bytes / secs / 1e6);
}

static int decode(int argc, char **argv)
{
    static const struct option lo[] = {
        {"format", required_argument, 0, 'f'},
        {"unscaled", no_argument, 0, 'u'},
        {"device", required_argument, 0, 'D'},
        {"meta", no_argument, 0, 'M'},
        {"split24", no_argument, 0, '2'},
        {"stats", no_argument, 0, 'S'},
        {"strict", no_argument, 0, 'X'},
        {"verbose", no_argument, 0, 'v'},
        {"max-pending", required_argument, 0, 'P'},
        {"orphan-lines", required_argument, 0, 'O'},
        {"help", no_argument, 0, 'h'},
        {0, 0, 0, 0},
    };
    struct run r = {.fmt = F_JSON, .scaled = true, .device = "stdin"};
    struct ais_decoder_opts opts = {0};
    bool stats = false;
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "f:uvh", lo, NULL)) != -1) {
        switch (c) {
        case 'f':
            if (strcmp(optarg, "json") == 0) r.fmt = F_JSON;
            else if (strcmp(optarg, "csv") == 0) r.fmt = F_CSV;
            else if (strcmp(optarg, "none") == 0) r.fmt = F_NONE;
            else {
                fprintf(stderr, "alidade ais decode: unknown format '%s' (json, csv, none)\n", optarg);
                return 2;
            }
            break;
        case 'u': r.scaled = false; break;
        case 'D': r.device = optarg; break;
        case 'M': r.meta = true; break;
        case '2': opts.split24 = true; break;
        case 'S': stats = true; break;
        case 'X': r.strict = true; break;
        case 'v': r.verbose = true; break;
        case 'P': opts.max_pending = (unsigned)strtoul(optarg, NULL, 10); break;
        case 'O': opts.orphan_lines = (unsigned)strtoul(optarg, NULL, 10); break;
        case 'h': ais_usage(stdout); return 0;
        default: ais_usage(stderr); return 2;
        }
    }
    ais_decoder *d = ais_decoder_new(&opts);
    if (!d || !out_init(&r.out, STDOUT_FILENO)) {
        fprintf(stderr, "alidade: out of memory\n");
        ais_decoder_free(d);
        return 2;
    }
    ais_decoder_set_cb(d, on_msg, on_bad, &r);
    if (r.fmt == F_CSV) {
        out_write(&r.out, ais_csv_header(), strlen(ais_csv_header()));
        out_write(&r.out, "\n", 1);
    }
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    int status = 0;
    unsigned long long bytes = 0;
    int nfiles = argc - optind;
    for (int i = 0; i < (nfiles ? nfiles : 1) && !r.strict_failed; i++) {
        const char *path = nfiles ? argv[optind + i] : "-";
        char err[512];
        line_reader *lr = lr_open(path, err, sizeof err);
        if (!lr) {
            fprintf(stderr, "alidade: %s\n", err);
            status = 2;
            continue;
        }
        r.file = strcmp(path, "-") == 0 ? "stdin" : path;
        if (nfiles > 1 || strcmp(path, "-") != 0)
            ais_decoder_set_default_source(d, NULL);
        const char *line;
        size_t len;
        bool trunc;
        int rc;
        while ((rc = lr_next(lr, &line, &len, &trunc)) == 1) {
            if (trunc) {
                ais_decoder_reject_line(d, ALD_E_NMEA_TOO_LONG,
                                        "line longer than 65536 bytes", line, 80);
            } else {
                ais_decoder_feed(d, line, len);
            }
            if (r.strict_failed)
                break;
        }
        if (rc < 0) {
            fprintf(stderr, "alidade: %s\n", lr_error(lr));
            status = 2;
        }
        bytes += lr_bytes(lr);
        lr_close(lr);
        ais_decoder_finish(d);   /* no multipart message spans two files */
    }
    out_flush(&r.out);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    if (r.out.failed && status == 0) {
        fprintf(stderr, "alidade: writing the output failed\n");
        status = 2;
    }
    if (stats)
        print_stats(d, (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9,
                    bytes);
    if (r.strict_failed)
        status = 3;
    out_free(&r.out);
    ais_decoder_free(d);
    return status;
}

static void ais_commands(FILE *f)
{
    fprintf(f,
        "usage: alidade ais <subcommand> [options] [FILE...]\n"
        "\n"
        "  decode   NMEA AIS to gpsd JSON or CSV, one message per line\n"
        "  detect   NMEA AIS to maritime events (gaps, encounters, loitering, spoofing)\n"
        "  replay   send NMEA over UDP paced by its receive times (into a live node)\n"
        "\n"
        "Run 'alidade ais <subcommand> --help' for its options.\n");
}

int cmd_ais(int argc, char **argv)
{
    if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
        ais_commands(argc < 2 ? stderr : stdout);
        return argc < 2 ? 2 : 0;
    }
    if (strcmp(argv[1], "decode") == 0)
        return decode(argc - 1, argv + 1);
    if (strcmp(argv[1], "detect") == 0)
        return cmd_detect(argc - 1, argv + 1);
    if (strcmp(argv[1], "replay") == 0)
        return cmd_replay(argc - 1, argv + 1);
    fprintf(stderr, "alidade ais: unknown subcommand '%s'\n", argv[1]);
    ais_commands(stderr);
    return 2;
}
