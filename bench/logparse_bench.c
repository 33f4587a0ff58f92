/*
 * logparse_bench.c - log parser throughput: a log (plain or gzip) is read
 * into memory, repeated up to about --mb megabytes, and every line parsed
 * with one parser (the general path of alidade match, which parses every
 * line); prints MB and lines per CPU second (process CPU time, so other
 * jobs on the machine do not count) of the best of --runs runs, one core.
 *
 *   logparse_bench [--mb N] [--runs N] [--format auto|eve|zeek|zeek-json|text] FILE
 *
 * Build: ninja -C BUILD tests/match/logparse_bench (not built by default).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <zlib.h>

#include "alidade/logparse.h"

/* CPU time of this process: on a machine shared with other jobs the
 * wall clock measures the others too */
static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
    size_t mb = 200;
    int runs = 3;
    ald_log_format fmt = ALD_LOG_AUTO;
    const char *path = NULL;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--mb") == 0 && i + 1 < argc)
            mb = (size_t)atol(argv[++i]);
        else if (strcmp(argv[i], "--runs") == 0 && i + 1 < argc)
            runs = atoi(argv[++i]);
        else if (strcmp(argv[i], "--format") == 0 && i + 1 < argc) {
            const char *f = argv[++i];
            fmt = strcmp(f, "eve") == 0         ? ALD_LOG_EVE
                  : strcmp(f, "zeek") == 0      ? ALD_LOG_ZEEK_TSV
                  : strcmp(f, "zeek-json") == 0 ? ALD_LOG_ZEEK_JSON
                  : strcmp(f, "text") == 0      ? ALD_LOG_TEXT
                                                : ALD_LOG_AUTO;
        } else
            path = argv[i];
    }
    if (!path) {
        fprintf(stderr, "usage: logparse_bench [--mb N] [--runs N] [--format F] FILE\n");
        return 2;
    }
    gzFile f = gzopen(path, "rb");
    if (!f) {
        fprintf(stderr, "%s: cannot open\n", path);
        return 2;
    }
    size_t cap = 1 << 20, n = 0;
    char *one = malloc(cap);
    int k;
    while ((k = gzread(f, one + n, (unsigned)(cap - n))) > 0) {
        n += (size_t)k;
        if (n == cap)
            one = realloc(one, cap *= 2);
    }
    gzclose(f);
    if (n == 0 || one[n - 1] != '\n')
        one[n++] = '\n';
    /* Zeek TSV: the header once, then the rows again and again */
    size_t body = 0;
    if (one[0] == '#') {
        const char *s = one;
        while (s < one + n && *s == '#')
            s = memchr(s, '\n', (size_t)(one + n - s)) + 1;
        body = (size_t)(s - one);
    }
    size_t want = mb << 20, total = body;
    char *text = malloc(want + n);
    memcpy(text, one, body);
    while (total < want) {
        memcpy(text + total, one + body, n - body);
        total += n - body;
    }
    double best = 1e9;
    size_t lines = 0, fields = 0, errors = 0;
    for (int r = 0; r < runs; r++) {
        ald_logparser *p = ald_logparser_new(fmt);
        lines = fields = errors = 0;
        double t0 = now();
        const char *s = text, *end = text + total;
        while (s < end) {
            const char *nl = memchr(s, '\n', (size_t)(end - s));
            ald_logrec rec;
            struct ald_errpos e;
            if (ald_logparser_line(p, s, (size_t)(nl - s), &rec, &e) == ALD_E_OK)
                fields += rec.nfields;
            else
                errors++;
            lines++;
            s = nl + 1;
        }
        double dt = now() - t0;
        if (dt < best)
            best = dt;
        ald_logparser_free(p);
    }
    printf("%s: %.1f MB, %zu lines, %zu fields, %zu errors: %.0f MB/s, %.2f M lines/s of CPU time (best of %d)\n",
           path, (double)total / 1e6, lines, fields, errors, (double)total / 1e6 / best,
           (double)lines / 1e6 / best, runs);
    free(text);
    free(one);
    return 0;
}
