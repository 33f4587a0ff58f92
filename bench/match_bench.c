/*
 * match_bench.c - driver for bench/match.sh until `alidade match` exists:
 * loads an indicator file (bundle, envelope or JSON lines), compiles it,
 * scans one log file in 16 MiB buffers cut at newlines, and prints the
 * figures bench/match.sh reads (key=value lines on stderr) and optionally
 * every hit as "LINE<TAB>INDICATOR-ID<TAB>FIELD=VALUE" on stdout.
 *
 *   match_bench [--hits] [--fmt eve|zeek-json|zeek-tsv|text|auto] [--text-db]
 *               [--now RFC3339 | --record-time | --ignore-validity]
 *               INDICATORS LOG
 *
 * INDICATORS named *.jsonl are read line by line (one object per line, the
 * file is never whole in memory); other files are read whole (bundles).
 * --text-db also builds the Vectorscan databases for free text
 * (ald_iset_compile_text).
 *
 * Built with the tests (tests/match/meson.build, not installed).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "alidade/match.h"
#include "alidade/stix.h"

static double mono(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static double cpu(void)
{
    struct timespec t;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *b = n >= 0 ? malloc((size_t)n + 1) : NULL;
    if (b && fread(b, 1, (size_t)n, f) != (size_t)n) {
        free(b);
        b = NULL;
    }
    fclose(f);
    if (b) {
        b[n] = 0;
        *len = (size_t)n;
    }
    return b;
}

static int print_hit(void *ctx, const ald_hit *h)
{
    int *print = ctx;
    if (*print) {
        printf("%llu\t%s", (unsigned long long)h->line, h->id);
        for (size_t i = 0; i < h->nfields; i++)
            printf("\t%s=%.*s", h->fields[i]->name ? h->fields[i]->name : "?",
                   (int)h->fields[i]->len, h->fields[i]->v);
        putchar('\n');
    }
    return 0;
}

static void bad(void *ctx, size_t index, const char *id, const struct ald_errpos *e)
{
    (void)ctx;
    fprintf(stderr, "indicator %zu %s: %s: %s\n", index, id, ald_errname(e->code), e->msg);
}

int main(int argc, char **argv)
{
    int print = 0, i = 1, text_db = 0;
    ald_log_format fmt = ALD_LOG_AUTO;
    ald_valid_mode vm = ALD_VALID_NOW;
    int64_t now = (int64_t)time(NULL) * 1000000;
    for (; i < argc && argv[i][0] == '-' && argv[i][1] == '-'; i++) {
        if (!strcmp(argv[i], "--hits")) {
            print = 1;
        } else if (!strcmp(argv[i], "--text-db")) {
            text_db = 1;
        } else if (!strcmp(argv[i], "--fmt") && i + 1 < argc) {
            const char *f = argv[++i];
            fmt = !strcmp(f, "eve") ? ALD_LOG_EVE : !strcmp(f, "zeek-json") ? ALD_LOG_ZEEK_JSON
                : !strcmp(f, "zeek-tsv") ? ALD_LOG_ZEEK_TSV : !strcmp(f, "text") ? ALD_LOG_TEXT
                : ALD_LOG_AUTO;
        } else if (!strcmp(argv[i], "--now") && i + 1 < argc) {
            if (!stix_time_parse(argv[i + 1], strlen(argv[i + 1]), &now)) {
                fprintf(stderr, "bad --now\n");
                return 2;
            }
            i++;
        } else if (!strcmp(argv[i], "--record-time")) {
            vm = ALD_VALID_RECORD;
        } else if (!strcmp(argv[i], "--ignore-validity")) {
            vm = ALD_VALID_IGNORE;
        } else {
            fprintf(stderr, "unknown option %s\n", argv[i]);
            return 2;
        }
    }
    if (argc - i != 2) {
        fprintf(stderr, "usage: match_bench [--hits] [--fmt F] [--now T] INDICATORS LOG\n");
        return 2;
    }
    double t0 = mono();
    ald_iset *s = ald_iset_new();
    ald_iset_set_validity(s, vm, now);
    struct ald_errpos e;
    size_t nl = strlen(argv[i]);
    if (nl > 6 && !strcmp(argv[i] + nl - 6, ".jsonl")) {
        FILE *jf = fopen(argv[i], "rb");
        if (!jf) {
            perror(argv[i]);
            return 2;
        }
        char *line = NULL;
        size_t cap = 0, index = 0;
        ssize_t got;
        while ((got = getline(&line, &cap, jf)) > 0) {
            if (got <= 1) {
                index++;
                continue;
            }
            ald_err r = ald_iset_add_json(s, line, (size_t)got, &e);
            if (r == ALD_E_NOMEM)
                return 1;
            if (r != ALD_E_OK)
                bad(NULL, index, "", &e);
            index++;
        }
        free(line);
        fclose(jf);
    } else {
        size_t ilen;
        char *itext = slurp(argv[i], &ilen);
        if (!itext) {
            perror(argv[i]);
            return 2;
        }
        if (ald_iset_add_bundle(s, itext, ilen, bad, NULL, &e) != ALD_E_OK) {
            fprintf(stderr, "%s: %s\n", argv[i], e.msg);
            return 1;
        }
        free(itext);
    }
    double t1 = mono();
    if (ald_iset_compile(s, &e) != ALD_E_OK) {
        fprintf(stderr, "compile: %s\n", e.msg);
        return 1;
    }
    if (text_db && ald_iset_compile_text(s, &e) != ALD_E_OK) {
        fprintf(stderr, "compile text: %s\n", e.msg);
        return 1;
    }
    double t2 = mono();
    struct ald_iset_stats st;
    ald_iset_stats(s, &st);

    FILE *f = fopen(argv[i + 1], "rb");
    if (!f) {
        perror(argv[i + 1]);
        return 2;
    }
    ald_scanner *sc = ald_scanner_new(s, fmt);
    size_t cap = (size_t)16 << 20, have = 0;
    char *buf = malloc(cap);
    double scan = 0, scan_cpu = 0;
    for (;;) {
        size_t got = fread(buf + have, 1, cap - have, f);
        have += got;
        int last = got == 0;
        size_t cut = have;
        if (!last) {
            while (cut > 0 && buf[cut - 1] != '\n')
                cut--;
            if (cut == 0)
                cut = have;     /* a line longer than the buffer */
        }
        double a = mono(), ac = cpu();
        if (ald_scanner_feed(sc, buf, cut, last, print_hit, &print) != ALD_E_OK) {
            fprintf(stderr, "scan failed\n");
            return 1;
        }
        scan += mono() - a;
        scan_cpu += cpu() - ac;
        memmove(buf, buf + cut, have - cut);
        have -= cut;
        if (last)
            break;
    }
    fclose(f);
    struct ald_scan_stats ss;
    ald_scanner_stats(sc, &ss);
    fprintf(stderr,
            "indicators=%zu simple=%zu general=%zu expired=%zu revoked=%zu unsupported=%zu "
            "invalid=%zu\n",
            ald_iset_count(s), st.status[ALD_IND_SIMPLE], st.status[ALD_IND_GENERAL],
            st.status[ALD_IND_EXPIRED], st.status[ALD_IND_REVOKED],
            st.status[ALD_IND_UNSUPPORTED], st.status[ALD_IND_INVALID]);
    fprintf(stderr, "load_s=%.3f compile_s=%.3f set_mb=%.1f literals=%zu db_mb=%.1f\n", t1 - t0,
            t2 - t1, (double)st.mem_bytes / 1e6, st.literals, (double)st.db_bytes / 1e6);
    fprintf(stderr,
            "bytes=%llu lines=%llu candidates=%llu parsed=%llu false_candidates=%llu "
            "hits=%llu bad_lines=%llu\n",
            (unsigned long long)ss.bytes, (unsigned long long)ss.lines,
            (unsigned long long)ss.candidates, (unsigned long long)ss.parsed,
            (unsigned long long)ss.false_candidates, (unsigned long long)ss.hits,
            (unsigned long long)ss.bad_lines);
    /* wall time and the thread's CPU time: on a shared machine the second
     * is what one core does */
    fprintf(stderr, "scan_s=%.3f gbps=%.3f scan_cpu_s=%.3f gbps_cpu=%.3f\n", scan,
            scan > 0 ? (double)ss.bytes / scan / 1e9 : 0, scan_cpu,
            scan_cpu > 0 ? (double)ss.bytes / scan_cpu / 1e9 : 0);
    free(buf);
    ald_scanner_free(sc);
    ald_iset_free(s);
    return 0;
}
