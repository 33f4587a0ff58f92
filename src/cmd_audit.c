/*
 * cmd_audit.c - `alidade audit list|archive|verify`: reading the node's
 * audit log (who wrote, deleted or was given what, and when) and moving
 * old rows out of the store into a compressed archive without losing any
 * (lib/store/audit.c, docs/store.md "Audit retention").
 *
 * archive: the rows older than --before are written as their canonical
 * JSON lines into a new zstd file (never over an existing one), the file is
 * flushed to disk, read back and its lines' SHA-256 compared with what was
 * written; only then does audit_prune remove exactly those rows, checking
 * in its own transaction that the store still holds those very bytes.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <nettle/sha2.h>
#include <zstd.h>

#include "alidade/audit.h"
#include "alidade/stix.h"
#include "clock.h"
#include "cmd.h"

static void usage(FILE *f)
{
    fprintf(f,
        "usage: alidade audit <subcommand> [options]\n"
        "\n"
        "The node's audit log: every object written or deleted and every response\n"
        "that released objects to a partner (who, what, when). Subcommands:\n"
        "  list      rows, oldest first (filters below); --json: canonical JSON lines\n"
        "  archive   move the rows older than --before into a new zstd file of JSON\n"
        "            lines (--out), verified before they leave the store\n"
        "  verify FILE  count, seq range and SHA-256 of an archive's lines; with\n"
        "            --data, also checks them against the store's record of it\n"
        "\n"
        "Options:\n"
        "  --data DIR         the node's data directory (list, archive)\n"
        "  --who NAME         (list) rows of this partner (\"local\": this node)\n"
        "  --action A         (list) read, write, delete, partner-add, audit-archive, ...\n"
        "  --since TIME       (list) rows at or after TIME (RFC 3339, e.g. 2026-11-01T00:00:00Z)\n"
        "  --until TIME       (list) rows before TIME\n"
        "  --after SEQ        (list) rows after this sequence number\n"
        "  --limit N          (list) at most N rows (default: all)\n"
        "  --json             (list) canonical JSON lines instead of a table\n"
        "  --before TIME      (archive) rows older than TIME\n"
        "  --older-than DAYS  (archive) rows older than DAYS days\n"
        "  --out FILE         (archive) the archive to create (must not exist)\n"
        "  -h, --help         this help\n"
        "\n"
        "Exit status: 0 done, 1 failure (nothing removed), 2 wrong options.\n");
}

struct opts {
    const char *data, *who, *action, *out, *file;
    int64_t since, until, before, after;
    size_t limit;
    bool json;
};

enum { O_WHO = 256, O_ACTION, O_SINCE, O_UNTIL, O_AFTER, O_LIMIT, O_JSON, O_BEFORE, O_OLDER,
       O_OUT };

static bool parse_time(const char *s, int64_t *us)
{
    return stix_time_parse(s, strlen(s), us);
}

/* 0 to go on, else exit status + 1. */
static int parse(int argc, char **argv, struct opts *o)
{
    static const struct option longs[] = {
        {"data", required_argument, NULL, 'd'},   {"who", required_argument, NULL, O_WHO},
        {"action", required_argument, NULL, O_ACTION},
        {"since", required_argument, NULL, O_SINCE},
        {"until", required_argument, NULL, O_UNTIL},
        {"after", required_argument, NULL, O_AFTER},
        {"limit", required_argument, NULL, O_LIMIT}, {"json", no_argument, NULL, O_JSON},
        {"before", required_argument, NULL, O_BEFORE},
        {"older-than", required_argument, NULL, O_OLDER},
        {"out", required_argument, NULL, O_OUT},  {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    int ch;
    optind = 1;
    while ((ch = getopt_long(argc, argv, "d:h", longs, NULL)) != -1) {
        bool ok = true;
        char *end = NULL;
        switch (ch) {
        case 'd': o->data = optarg; break;
        case O_WHO: o->who = optarg; break;
        case O_ACTION: o->action = optarg; break;
        case O_SINCE: ok = parse_time(optarg, &o->since); break;
        case O_UNTIL: ok = parse_time(optarg, &o->until); break;
        case O_BEFORE: ok = parse_time(optarg, &o->before); break;
        case O_AFTER:
            errno = 0;
            o->after = strtoll(optarg, &end, 10);
            ok = !errno && *optarg && !*end && o->after >= 0;
            break;
        case O_LIMIT:
            errno = 0;
            o->limit = strtoull(optarg, &end, 10);
            ok = !errno && *optarg && !*end && o->limit > 0 && optarg[0] != '-';
            break;
        case O_OLDER: {
            errno = 0;
            double days = strtod(optarg, &end);
            ok = !errno && *optarg && !*end && days >= 0 && days < 100000;
            if (ok)
                o->before = clock_wall_us() - (int64_t)(days * 86400e6);
            break;
        }
        case O_JSON: o->json = true; break;
        case O_OUT: o->out = optarg; break;
        case 'h': usage(stdout); return 1;
        default: usage(stderr); return 3;
        }
        if (!ok) {
            fprintf(stderr, "alidade audit: bad value '%s' (times are RFC 3339 UTC such as "
                            "2026-11-01T00:00:00Z; counts are whole numbers)\n", optarg);
            return 3;
        }
    }
    if (optind < argc)
        o->file = argv[optind++];
    if (optind < argc) {
        fprintf(stderr, "alidade audit: unexpected argument '%s'\n", argv[optind]);
        return 3;
    }
    return 0;
}

static audit_log *open_log(const struct opts *o)
{
    if (!o->data) {
        fprintf(stderr, "alidade audit: --data DIR is required\n");
        return NULL;
    }
    char err[512];
    audit_log *a = audit_open(o->data, err, sizeof err);
    if (!a)
        fprintf(stderr, "alidade audit: %s\n", err);
    return a;
}

/* ---- list ---- */

static int print_row(void *ctx, const struct audit_row *r)
{
    const struct opts *o = ctx;
    if (o->json) {
        size_t len = 0;
        char *line = audit_row_line(r, &len);
        if (!line)
            return ALD_E_NOMEM;
        fwrite(line, 1, len, stdout);
        free(line);
        return 0;
    }
    char at[STIX_TIME_TEXT];
    stix_time_format(r->at, at);
    size_t dl = strlen(r->detail);
    printf("%" PRId64 "\t%s\t%s\t%s\t%s\t%.*s%s\n", r->seq, at, r->who, r->action, r->object,
           (int)(dl > 100 ? 100 : dl), r->detail, dl > 100 ? "..." : "");
    return 0;
}

static int run_list(const struct opts *o)
{
    audit_log *a = open_log(o);
    if (!a)
        return 1;
    if (!o->json)
        printf("seq\tat\twho\taction\tobject\tdetail\n");
    struct audit_filter f = {.after_seq = o->after, .since_us = o->since, .until_us = o->until,
                             .who = o->who, .action = o->action, .limit = o->limit};
    ald_err e = audit_rows(a, &f, print_row, (void *)o);
    if (e != ALD_E_OK)
        fprintf(stderr, "alidade audit: %s: %s\n", ald_strerror(e), audit_errmsg(a));
    audit_close(a);
    return e == ALD_E_OK && fflush(stdout) == 0 ? 0 : 1;
}

/* ---- archive ---- */

/* The archive being written: lines compressed into fd, hashed. */
struct writer {
    int fd;
    ZSTD_CCtx *z;
    struct sha256_ctx h;
    unsigned char *buf;
    size_t cap;
    size_t rows;
    unsigned long long raw, packed;
    int64_t first, last;
    char err[256];
};

static bool put_all(struct writer *w, const unsigned char *p, size_t n)
{
    while (n > 0) {
        ssize_t k = write(w->fd, p, n);
        if (k < 0 && errno == EINTR)
            continue;
        if (k <= 0) {
            snprintf(w->err, sizeof w->err, "write: %s", strerror(errno));
            return false;
        }
        p += k;
        n -= (size_t)k;
        w->packed += (size_t)k;
    }
    return true;
}

static bool compress_some(struct writer *w, const void *src, size_t n, ZSTD_EndDirective end)
{
    ZSTD_inBuffer in = {src, n, 0};
    for (;;) {
        ZSTD_outBuffer out = {w->buf, w->cap, 0};
        size_t left = ZSTD_compressStream2(w->z, &out, &in, end);
        if (ZSTD_isError(left)) {
            snprintf(w->err, sizeof w->err, "zstd: %s", ZSTD_getErrorName(left));
            return false;
        }
        if (!put_all(w, w->buf, out.pos))
            return false;
        if (end == ZSTD_e_end ? left == 0 : in.pos == in.size)
            return true;
    }
}

static int archive_row(void *ctx, const struct audit_row *r)
{
    struct writer *w = ctx;
    size_t len = 0;
    char *line = audit_row_line(r, &len);
    if (!line)
        return ALD_E_NOMEM;
    sha256_update(&w->h, len, (const uint8_t *)line);
    bool ok = compress_some(w, line, len, ZSTD_e_continue);
    free(line);
    if (!ok)
        return ALD_E_IO;
    if (!w->rows)
        w->first = r->seq;
    w->last = r->seq;
    w->rows++;
    w->raw += len;
    return 0;
}

/* Lines, first/last seq and SHA-256 of an archive file, read back. */
struct readback {
    size_t lines;
    unsigned long long bytes;
    uint8_t digest[SHA256_DIGEST_SIZE];
    char first[32], last[32];        /* "seq" of the first and last line, as text */
};

/* The "seq" member at the start of a canonical line ({"seq":N,...). */
static void line_seq(const char *p, size_t n, char out[32])
{
    static const char k[] = "{\"seq\":";
    out[0] = '\0';
    if (n < sizeof k || memcmp(p, k, sizeof k - 1) != 0)
        return;
    size_t i = sizeof k - 1, j = 0;
    while (i < n && j < 31 && p[i] >= '0' && p[i] <= '9')
        out[j++] = p[i++];
    out[j] = '\0';
}

static bool read_back(const char *path, struct readback *rb, char *err, size_t errlen)
{
    memset(rb, 0, sizeof *rb);
    FILE *f = fopen(path, "rb");
    if (!f) {
        snprintf(err, errlen, "%s: %s", path, strerror(errno));
        return false;
    }
    ZSTD_DCtx *z = ZSTD_createDCtx();
    size_t icap = ZSTD_DStreamInSize(), ocap = ZSTD_DStreamOutSize();
    unsigned char *ib = malloc(icap), *ob = malloc(ocap);
    /* the current line's start, kept until its seq is known */
    char head[64];
    size_t headn = 0;
    bool at_line_start = true, ok = z && ib && ob, ended = true;
    struct sha256_ctx h;
    sha256_init(&h);
    if (!ok)
        snprintf(err, errlen, "out of memory");
    size_t n;
    while (ok && (n = fread(ib, 1, icap, f)) > 0) {
        ZSTD_inBuffer in = {ib, n, 0};
        while (ok && in.pos < in.size) {
            ZSTD_outBuffer out = {ob, ocap, 0};
            size_t r = ZSTD_decompressStream(z, &out, &in);
            if (ZSTD_isError(r)) {
                snprintf(err, errlen, "%s: not a complete zstd archive (%s)", path,
                         ZSTD_getErrorName(r));
                ok = false;
                break;
            }
            ended = r == 0;
            sha256_update(&h, out.pos, ob);
            rb->bytes += out.pos;
            for (size_t i = 0; i < out.pos; i++) {
                if (at_line_start) {
                    headn = 0;
                    at_line_start = false;
                }
                if (headn < sizeof head)
                    head[headn++] = (char)ob[i];
                if (ob[i] == '\n') {
                    rb->lines++;
                    char seq[32];
                    line_seq(head, headn, seq);
                    if (rb->lines == 1)
                        memcpy(rb->first, seq, sizeof seq);
                    memcpy(rb->last, seq, sizeof seq);
                    at_line_start = true;
                }
            }
        }
    }
    if (ok && ferror(f)) {
        snprintf(err, errlen, "%s: %s", path, strerror(errno));
        ok = false;
    }
    if (ok && !ended) {
        snprintf(err, errlen, "%s: truncated zstd archive", path);
        ok = false;
    }
    if (ok && !at_line_start) {
        snprintf(err, errlen, "%s: the last line has no end", path);
        ok = false;
    }
    sha256_digest(&h, sizeof rb->digest, rb->digest);
    free(ib);
    free(ob);
    ZSTD_freeDCtx(z);
    fclose(f);
    return ok;
}

static void hex(const uint8_t *d, size_t n, char *out)
{
    for (size_t i = 0; i < n; i++)
        snprintf(out + 2 * i, 3, "%02x", d[i]);
}

/* fsync of the directory holding path, so the new file's name is durable. */
static bool sync_dir(const char *path)
{
    char *copy = strdup(path);
    if (!copy)
        return false;
    int fd = open(dirname(copy), O_RDONLY | O_DIRECTORY);
    free(copy);
    if (fd < 0)
        return false;
    bool ok = fsync(fd) == 0;
    close(fd);
    return ok;
}

static int run_archive(const struct opts *o)
{
    if (!o->out || !o->before) {
        fprintf(stderr, "alidade audit archive: --out FILE and --before TIME (or "
                        "--older-than DAYS) are required\n");
        return 2;
    }
    audit_log *a = open_log(o);
    if (!a)
        return 1;
    int status = 1;
    int64_t through = 0;
    struct writer w = {.fd = -1};
    ald_err e = audit_last_before(a, o->before, &through);
    if (e != ALD_E_OK) {
        fprintf(stderr, "alidade audit: %s\n", audit_errmsg(a));
        goto out;
    }
    if (through == 0) {
        fprintf(stderr, "alidade audit archive: no rows older than that; nothing to do\n");
        status = 0;
        goto out;
    }
    w.fd = open(o->out, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (w.fd < 0) {
        fprintf(stderr, "alidade audit archive: %s: %s%s\n", o->out, strerror(errno),
                errno == EEXIST ? " (an archive is never overwritten)" : "");
        goto out;
    }
    w.z = ZSTD_createCCtx();
    w.cap = ZSTD_CStreamOutSize();
    w.buf = malloc(w.cap);
    if (!w.z || !w.buf) {
        fprintf(stderr, "alidade audit archive: out of memory\n");
        goto out_file;
    }
    ZSTD_CCtx_setParameter(w.z, ZSTD_c_compressionLevel, 9);
    ZSTD_CCtx_setParameter(w.z, ZSTD_c_checksumFlag, 1);
    sha256_init(&w.h);
    /* the prefix seq <= through (rows are appended in seq order; a row with a
     * later clock but a smaller seq goes with its neighbours) */
    struct audit_filter f = {.through_seq = through};
    e = audit_rows(a, &f, archive_row, &w);
    if (e != ALD_E_OK || !compress_some(&w, "", 0, ZSTD_e_end) || fsync(w.fd) != 0 ||
        close(w.fd) != 0) {
        fprintf(stderr, "alidade audit archive: %s: %s\n", o->out,
                w.err[0] ? w.err : e != ALD_E_OK ? audit_errmsg(a) : strerror(errno));
        w.fd = -1;
        goto out_file;
    }
    w.fd = -1;
    sync_dir(o->out);
    uint8_t digest[SHA256_DIGEST_SIZE];
    sha256_digest(&w.h, sizeof digest, digest);
    struct readback rb;
    char err[512];
    if (!read_back(o->out, &rb, err, sizeof err)) {
        fprintf(stderr, "alidade audit archive: reading it back: %s; nothing removed\n", err);
        goto out_file;
    }
    if (rb.lines != w.rows || memcmp(rb.digest, digest, sizeof digest) != 0) {
        fprintf(stderr, "alidade audit archive: %s does not hold what was written (%zu lines, "
                        "%zu rows); nothing removed\n", o->out, rb.lines, w.rows);
        goto out_file;
    }
    char *base = strdup(o->out);
    e = base ? audit_prune(a, through, w.rows, digest, basename(base), clock_wall_us()) : ALD_E_NOMEM;
    free(base);
    if (e != ALD_E_OK) {
        fprintf(stderr, "alidade audit archive: %s; the rows stay in the store\n",
                audit_errmsg(a));
        goto out_file;
    }
    char hx[2 * SHA256_DIGEST_SIZE + 1];
    hex(digest, sizeof digest, hx);
    printf("archived %zu rows (seq %" PRId64 "-%" PRId64 ") to %s: %llu bytes of JSON lines, "
           "%llu compressed; sha256 %s\n",
           w.rows, w.first, w.last, o->out, w.raw, w.packed, hx);
    status = 0;
    goto out;
out_file:
    if (w.fd >= 0)
        close(w.fd);
    unlink(o->out);                  /* nothing was removed: no half archive stays */
out:
    ZSTD_freeCCtx(w.z);
    free(w.buf);
    audit_close(a);
    return status;
}

/* ---- verify ---- */

/* The audit-archive row whose detail is `want`. */
struct record {
    char want[160];
    bool found;
    int64_t seq;
    char at[STIX_TIME_TEXT];
};

static int find_record(void *ctx, const struct audit_row *r)
{
    struct record *m = ctx;
    if (strcmp(r->detail, m->want) != 0)
        return 0;
    m->found = true;
    m->seq = r->seq;
    stix_time_format(r->at, m->at);
    return 0;                        /* archive rows are few: no need to stop */
}

static int run_verify(const struct opts *o)
{
    if (!o->file) {
        fprintf(stderr, "alidade audit verify: which archive? (alidade audit verify FILE)\n");
        return 2;
    }
    struct readback rb;
    char err[512], hx[2 * SHA256_DIGEST_SIZE + 1];
    if (!read_back(o->file, &rb, err, sizeof err)) {
        fprintf(stderr, "alidade audit verify: %s\n", err);
        return 1;
    }
    hex(rb.digest, sizeof rb.digest, hx);
    printf("%s: %zu rows (seq %s-%s), %llu bytes of JSON lines, sha256 %s\n", o->file, rb.lines,
           rb.first, rb.last, rb.bytes, hx);
    if (!o->data)
        return 0;
    /* the store's own record of this archive (audit_prune wrote it) */
    audit_log *a = open_log(o);
    if (!a)
        return 1;
    struct record m = {.found = false};
    snprintf(m.want, sizeof m.want, "rows %s-%s count %zu sha256 %s", rb.first, rb.last,
             rb.lines, hx);
    struct audit_filter f = {.action = "audit-archive"};
    ald_err e = audit_rows(a, &f, find_record, &m);
    if (e != ALD_E_OK)
        fprintf(stderr, "alidade audit verify: %s\n", audit_errmsg(a));
    audit_close(a);
    if (e != ALD_E_OK)
        return 1;
    if (!m.found) {
        fprintf(stderr, "alidade audit verify: the store has no record of an archive with "
                        "these rows and this digest: the file was changed, or it is not "
                        "this node's\n");
        return 1;
    }
    printf("matches the store's record (audit row %" PRId64 ", %s)\n", m.seq, m.at);
    return 0;
}

int cmd_audit(int argc, char **argv)
{
    if (argc < 2 || strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0 ||
        strcmp(argv[1], "help") == 0) {
        usage(argc < 2 ? stderr : stdout);
        return argc < 2 ? 2 : 0;
    }
    const char *sub = argv[1];
    struct opts o = {.data = NULL};
    int rc = parse(argc - 1, argv + 1, &o);
    if (rc)
        return rc - 1;
    if (strcmp(sub, "list") == 0)
        return run_list(&o);
    if (strcmp(sub, "archive") == 0)
        return run_archive(&o);
    if (strcmp(sub, "verify") == 0)
        return run_verify(&o);
    fprintf(stderr, "alidade audit: unknown subcommand '%s' (list, archive, verify)\n", sub);
    return 2;
}
