/*
 * input.c - buffered line reading with transparent gzip (zlib) and zstd
 * decompression. Reads 1 MiB at a time; never allocates per line.
 *
 * Read-ahead (lr_readahead): a thread of its own reads and decompresses
 * into a ring of RA_SLOTS chunks while the caller works on its lines, for a
 * reader whose caller is the bottleneck (`ais detect` on a zstd file:
 * decompression, zstd's copy out of its window and the kernel's copy of the
 * file were a fifth of the decoding thread's time). The thread owns the
 * file, the decompressor and `raw`; the caller owns `buf`; the ring is
 * theirs under `ra_mu`. Nothing changes in what lines come out.
 */
#include "input.h"

#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>
#include <zstd.h>

#define RAW_CHUNK (1u << 20)
#define BUF_SIZE (4u << 20)
#define RA_SLOTS 4
#define RA_CHUNK (1u << 20)

/* A chunk of decompressed input: n bytes, 0 = end of input, -1 = error. */
struct ra_slot {
    char *data;
    ssize_t n;
};

enum codec { C_PLAIN, C_GZIP, C_ZSTD };

struct line_reader {
    int fd;
    bool own_fd;
    enum codec codec;
    const char *name;
    /* compressed input */
    unsigned char *raw;
    size_t raw_len, raw_pos;
    bool raw_eof;
    z_stream zs;
    bool zs_init;
    bool in_frame;           /* a gzip member / zstd frame is not finished */
    ZSTD_DCtx *zd;
    /* decompressed text */
    char *buf;
    size_t start, end;       /* unread bytes are buf[start, end) */
    bool eof;
    bool skipping;           /* inside the rest of an overlong line */
    unsigned long long bytes;
    char err[256];
    /* read-ahead (lr_readahead) */
    bool ra;
    pthread_t ra_th;
    pthread_mutex_t ra_mu;
    pthread_cond_t ra_cv;
    struct ra_slot slot[RA_SLOTS];
    unsigned ra_head, ra_tail;   /* chunks produced, taken */
    size_t ra_off;               /* bytes of slot[ra_tail] already taken */
    bool ra_stop;
};

static ssize_t read_fd(line_reader *lr, void *dst, size_t cap)
{
    for (;;) {
        ssize_t n = read(lr->fd, dst, cap);
        if (n >= 0 || errno != EINTR)
            return n;
    }
}

static int fill_raw(line_reader *lr)
{
    if (lr->raw_pos < lr->raw_len || lr->raw_eof)
        return 0;
    ssize_t n = read_fd(lr, lr->raw, RAW_CHUNK);
    if (n < 0) {
        snprintf(lr->err, sizeof lr->err, "%s: read failed: %s", lr->name, strerror(errno));
        return -1;
    }
    lr->raw_len = (size_t)n;
    lr->raw_pos = 0;
    if (n == 0)
        lr->raw_eof = true;
    return 0;
}

/* Appends up to `cap` decompressed bytes at dst; returns count, -1 on error. */
static ssize_t produce(line_reader *lr, char *dst, size_t cap)
{
    if (lr->codec == C_PLAIN) {
        if (lr->raw_pos < lr->raw_len) {       /* sniffed bytes first */
            size_t n = lr->raw_len - lr->raw_pos;
            if (n > cap)
                n = cap;
            memcpy(dst, lr->raw + lr->raw_pos, n);
            lr->raw_pos += n;
            return (ssize_t)n;
        }
        ssize_t n = read_fd(lr, dst, cap);
        if (n < 0)
            snprintf(lr->err, sizeof lr->err, "%s: read failed: %s", lr->name, strerror(errno));
        return n;
    }
    size_t out = 0;
    while (out == 0) {
        if (fill_raw(lr) < 0)
            return -1;
        if (lr->raw_pos >= lr->raw_len && lr->raw_eof) {
            if (lr->in_frame) {
                snprintf(lr->err, sizeof lr->err, "%s: truncated %s data (the file ends "
                         "inside a compressed block)", lr->name,
                         lr->codec == C_GZIP ? "gzip" : "zstd");
                return -1;
            }
            return 0;
        }
        if (lr->codec == C_GZIP) {
            lr->zs.next_in = lr->raw + lr->raw_pos;
            lr->zs.avail_in = (uInt)(lr->raw_len - lr->raw_pos);
            lr->zs.next_out = (Bytef *)dst;
            lr->zs.avail_out = (uInt)cap;
            int rc = inflate(&lr->zs, Z_NO_FLUSH);
            lr->raw_pos = lr->raw_len - lr->zs.avail_in;
            out = cap - lr->zs.avail_out;
            lr->in_frame = true;
            if (rc == Z_STREAM_END) {
                /* concatenated gzip members */
                inflateReset(&lr->zs);
                lr->in_frame = false;
            } else if (rc != Z_OK && rc != Z_BUF_ERROR) {
                snprintf(lr->err, sizeof lr->err, "%s: corrupt gzip data (%s)", lr->name,
                         lr->zs.msg ? lr->zs.msg : "inflate failed");
                return -1;
            }
        } else {
            ZSTD_inBuffer in = {lr->raw + lr->raw_pos, lr->raw_len - lr->raw_pos, 0};
            ZSTD_outBuffer o = {dst, cap, 0};
            size_t rc = ZSTD_decompressStream(lr->zd, &o, &in);
            if (ZSTD_isError(rc)) {
                snprintf(lr->err, sizeof lr->err, "%s: corrupt zstd data (%s)", lr->name,
                         ZSTD_getErrorName(rc));
                return -1;
            }
            lr->raw_pos += in.pos;
            out = o.pos;
            lr->in_frame = rc != 0;   /* 0: a frame just ended */
        }
    }
    return (ssize_t)out;
}

line_reader *lr_open(const char *path, char *errbuf, size_t errlen)
{
    line_reader *lr = calloc(1, sizeof *lr);
    if (!lr) {
        snprintf(errbuf, errlen, "out of memory");
        return NULL;
    }
    if (!path || strcmp(path, "-") == 0) {
        lr->fd = 0;
        lr->name = "stdin";
    } else {
        lr->fd = open(path, O_RDONLY | O_CLOEXEC);
        lr->name = path;
        if (lr->fd < 0) {
            snprintf(errbuf, errlen, "%s: cannot open: %s", path, strerror(errno));
            free(lr);
            return NULL;
        }
        lr->own_fd = true;
    }
    lr->raw = malloc(RAW_CHUNK);
    lr->buf = malloc(BUF_SIZE);
    if (!lr->raw || !lr->buf) {
        snprintf(errbuf, errlen, "out of memory");
        lr_close(lr);
        return NULL;
    }
    /* sniff the first bytes */
    while (lr->raw_len < 4 && !lr->raw_eof) {
        ssize_t n = read_fd(lr, lr->raw + lr->raw_len, RAW_CHUNK - lr->raw_len);
        if (n < 0) {
            snprintf(errbuf, errlen, "%s: read failed: %s", lr->name, strerror(errno));
            lr_close(lr);
            return NULL;
        }
        if (n == 0)
            lr->raw_eof = true;
        lr->raw_len += (size_t)n;
    }
    const unsigned char *m = lr->raw;
    if (lr->raw_len >= 2 && m[0] == 0x1f && m[1] == 0x8b) {
        lr->codec = C_GZIP;
        if (inflateInit2(&lr->zs, 15 + 16) != Z_OK) {
            snprintf(errbuf, errlen, "%s: cannot start gzip decoder", lr->name);
            lr_close(lr);
            return NULL;
        }
        lr->zs_init = true;
    } else if (lr->raw_len >= 4 && m[0] == 0x28 && m[1] == 0xb5 && m[2] == 0x2f && m[3] == 0xfd) {
        lr->codec = C_ZSTD;
        lr->zd = ZSTD_createDCtx();
        if (!lr->zd) {
            snprintf(errbuf, errlen, "out of memory");
            lr_close(lr);
            return NULL;
        }
    }
    return lr;
}

/* The read-ahead thread: fills the ring until the end, an error or stop. */
static void *ra_thread(void *arg)
{
    line_reader *lr = arg;
    for (;;) {
        pthread_mutex_lock(&lr->ra_mu);
        while (lr->ra_head - lr->ra_tail == RA_SLOTS && !lr->ra_stop)
            pthread_cond_wait(&lr->ra_cv, &lr->ra_mu);
        bool stop = lr->ra_stop;
        struct ra_slot *s = &lr->slot[lr->ra_head % RA_SLOTS];
        pthread_mutex_unlock(&lr->ra_mu);
        if (stop)
            return NULL;
        ssize_t n = produce(lr, s->data, RA_CHUNK);   /* lr->err set on -1 */
        pthread_mutex_lock(&lr->ra_mu);
        s->n = n;
        lr->ra_head++;
        pthread_cond_broadcast(&lr->ra_cv);
        pthread_mutex_unlock(&lr->ra_mu);
        if (n <= 0)
            return NULL;
    }
}

bool lr_readahead(line_reader *lr)
{
    if (lr->ra)
        return true;
    for (unsigned i = 0; i < RA_SLOTS; i++)
        if (!(lr->slot[i].data = malloc(RA_CHUNK)))
            return false;              /* freed by lr_close; reads stay inline */
    pthread_mutex_init(&lr->ra_mu, NULL);
    pthread_cond_init(&lr->ra_cv, NULL);
    if (pthread_create(&lr->ra_th, NULL, ra_thread, lr) != 0) {
        pthread_mutex_destroy(&lr->ra_mu);
        pthread_cond_destroy(&lr->ra_cv);
        return false;
    }
    lr->ra = true;
    return true;
}

/* As produce(), from the read-ahead ring. */
static ssize_t ra_take(line_reader *lr, char *dst, size_t cap)
{
    pthread_mutex_lock(&lr->ra_mu);
    while (lr->ra_head == lr->ra_tail)
        pthread_cond_wait(&lr->ra_cv, &lr->ra_mu);
    struct ra_slot *s = &lr->slot[lr->ra_tail % RA_SLOTS];
    pthread_mutex_unlock(&lr->ra_mu);
    if (s->n <= 0)
        return s->n;                   /* stays: every later call says the same */
    size_t n = (size_t)s->n - lr->ra_off;
    if (n > cap)
        n = cap;
    memcpy(dst, s->data + lr->ra_off, n);
    lr->ra_off += n;
    if (lr->ra_off == (size_t)s->n) {
        lr->ra_off = 0;
        pthread_mutex_lock(&lr->ra_mu);
        lr->ra_tail++;
        pthread_cond_broadcast(&lr->ra_cv);
        pthread_mutex_unlock(&lr->ra_mu);
    }
    return (ssize_t)n;
}

/* Moves the pending bytes to the start of the buffer and reads more after
 * them (sets eof at the end of input); false on a read or decompression
 * error. Shared by lr_next and lr_block. */
static bool refill(line_reader *lr)
{
    size_t pending = lr->end - lr->start;
    if (lr->start > 0) {
        memmove(lr->buf, lr->buf + lr->start, pending);
        lr->start = 0;
        lr->end = pending;
    }
    ssize_t n = lr->ra ? ra_take(lr, lr->buf + lr->end, BUF_SIZE - lr->end)
                       : produce(lr, lr->buf + lr->end, BUF_SIZE - lr->end);
    if (n < 0)
        return false;
    if (n == 0)
        lr->eof = true;
    lr->end += (size_t)n;
    lr->bytes += (unsigned long long)n;
    return true;
}

int lr_next(line_reader *lr, const char **line, size_t *len, bool *truncated)
{
    *truncated = false;
    for (;;) {
        char *s = lr->buf + lr->start;
        char *nl = memchr(s, '\n', lr->end - lr->start);
        if (nl) {
            size_t n = (size_t)(nl - s);
            lr->start += n + 1;
            if (lr->skipping) {
                lr->skipping = false;
                continue;
            }
            if (n > 0 && s[n - 1] == '\r')
                n--;
            *line = s;
            *len = n;
            if (n > LR_MAX_LINE) {
                *len = LR_MAX_LINE;
                *truncated = true;
            }
            return 1;
        }
        size_t pending = lr->end - lr->start;
        if (pending >= LR_MAX_LINE) {
            /* overlong: hand out the first LR_MAX_LINE bytes, skip the rest */
            bool was_skipping = lr->skipping;
            lr->start = lr->end;
            lr->skipping = true;
            if (was_skipping)
                continue;
            *line = s;
            *len = LR_MAX_LINE;
            *truncated = true;
            return 1;
        }
        if (lr->eof) {
            if (pending == 0 || lr->skipping) {
                lr->start = lr->end;
                return 0;
            }
            lr->start = lr->end;
            if (pending > 0 && s[pending - 1] == '\r')
                pending--;
            *line = s;
            *len = pending;
            return 1;
        }
        if (!refill(lr))
            return -1;
    }
}

int lr_block(line_reader *lr, const char **block, size_t *len, bool *overlong)
{
    static const char empty_line[] = "\n";
    *overlong = false;
    for (;;) {
        char *s = lr->buf + lr->start;
        size_t pending = lr->end - lr->start;
        char *nl = pending ? memrchr(s, '\n', pending) : NULL;
        if (nl && lr->skipping) {
            /* the end of an overlong line: drop it, keep what follows */
            char *first = memchr(s, '\n', pending);
            lr->start += (size_t)(first - s) + 1;
            lr->skipping = false;
            continue;
        }
        if (nl) {
            *block = s;
            *len = (size_t)(nl - s) + 1;
            lr->start += *len;
            return 1;
        }
        if (lr->eof) {
            lr->start = lr->end;
            if (pending == 0 || lr->skipping)
                return 0;
            *block = s;
            *len = pending;
            return 1;
        }
        if (pending == BUF_SIZE || (lr->skipping && pending > 0)) {
            /* a line longer than the buffer: it stands as one empty line,
             * so the line numbers of the others stay right */
            bool was = lr->skipping;
            lr->start = lr->end;
            lr->skipping = true;
            if (!was) {
                *block = empty_line;
                *len = 1;
                *overlong = true;
                return 1;
            }
            continue;
        }
        if (!refill(lr))
            return -1;
    }
}

const char *lr_error(const line_reader *lr)
{
    return lr->err;
}

unsigned long long lr_bytes(const line_reader *lr)
{
    return lr->bytes;
}

void lr_close(line_reader *lr)
{
    if (!lr)
        return;
    if (lr->ra) {
        pthread_mutex_lock(&lr->ra_mu);
        lr->ra_stop = true;
        pthread_cond_broadcast(&lr->ra_cv);
        pthread_mutex_unlock(&lr->ra_mu);
        pthread_join(lr->ra_th, NULL);
        pthread_mutex_destroy(&lr->ra_mu);
        pthread_cond_destroy(&lr->ra_cv);
    }
    for (unsigned i = 0; i < RA_SLOTS; i++)
        free(lr->slot[i].data);
    if (lr->own_fd)
        close(lr->fd);
    if (lr->zs_init)
        inflateEnd(&lr->zs);
    ZSTD_freeDCtx(lr->zd);
    free(lr->raw);
    free(lr->buf);
    free(lr);
}

/* ---- whole files ---- */

/* Appends `n` bytes to a growing buffer; false when over the limit. */
static bool buf_put(char **buf, size_t *len, size_t *cap, const void *p, size_t n,
                    size_t max)
{
    if (*len + n > max)
        return false;
    if (*len + n > *cap) {
        size_t nc = *cap ? *cap : 1 << 16;
        while (nc < *len + n)
            nc *= 2;
        char *nb = realloc(*buf, nc);
        if (!nb)
            return false;
        *buf = nb;
        *cap = nc;
    }
    memcpy(*buf + *len, p, n);
    *len += n;
    return true;
}

/* gzip (every member) into out; NULL on success, else what went wrong. */
static const char *gunzip_all(const unsigned char *in, size_t n, char **out, size_t *len,
                              size_t *cap, size_t max)
{
    unsigned char chunk[1 << 16];
    z_stream zs = {0};
    if (inflateInit2(&zs, 15 + 32) != Z_OK)
        return "out of memory";
    zs.next_in = (unsigned char *)(uintptr_t)in;
    zs.avail_in = (uInt)n;
    const char *why = NULL;
    int zr = Z_OK;
    while (!why && zs.avail_in > 0) {
        zs.next_out = chunk;
        zs.avail_out = sizeof chunk;
        zr = inflate(&zs, Z_NO_FLUSH);
        if (zr != Z_OK && zr != Z_STREAM_END && zr != Z_BUF_ERROR)
            why = "corrupt gzip data";
        else if (!buf_put(out, len, cap, chunk, sizeof chunk - zs.avail_out, max))
            why = "too large or out of memory";
        else if (zr == Z_STREAM_END && zs.avail_in > 0)
            inflateReset(&zs);                       /* next member */
        else if (zr == Z_BUF_ERROR && zs.avail_out == sizeof chunk)
            why = "truncated gzip data";
    }
    if (!why && zr != Z_STREAM_END)
        why = "truncated gzip data";
    inflateEnd(&zs);
    return why;
}

/* zstd (every frame) into out; NULL on success, else what went wrong. */
static const char *unzstd_all(const unsigned char *in, size_t n, char **out, size_t *len,
                              size_t *cap, size_t max)
{
    unsigned char chunk[1 << 16];
    ZSTD_DCtx *dc = ZSTD_createDCtx();
    if (!dc)
        return "out of memory";
    ZSTD_inBuffer ib = {in, n, 0};
    const char *why = NULL;
    size_t zr = 1;
    while (!why && (ib.pos < ib.size || zr != 0)) {
        ZSTD_outBuffer ob = {chunk, sizeof chunk, 0};
        size_t before = ib.pos;
        zr = ZSTD_decompressStream(dc, &ob, &ib);
        if (ZSTD_isError(zr))
            why = "corrupt zstd data";
        else if (!buf_put(out, len, cap, chunk, ob.pos, max))
            why = "too large or out of memory";
        else if (zr != 0 && ib.pos == before && ob.pos == 0)
            why = "truncated zstd data";
    }
    ZSTD_freeDCtx(dc);
    return why;
}

char *input_read_all(const char *path, size_t max, size_t *len, char *err, size_t errlen)
{
    bool std = !path || strcmp(path, "-") == 0;
    FILE *f = std ? stdin : fopen(path, "rb");
    if (!f) {
        snprintf(err, errlen, "cannot open: %s", strerror(errno));
        return NULL;
    }
    char *raw = NULL, *out = NULL, chunk[1 << 16];
    size_t rn = 0, rcap = 0, on = 0, ocap = 0, n;
    const char *why = NULL;
    while (!why && (n = fread(chunk, 1, sizeof chunk, f)) > 0)
        if (!buf_put(&raw, &rn, &rcap, chunk, n, max))
            why = "too large or out of memory";
    if (!why && ferror(f))
        why = "read failed";
    if (!std)
        fclose(f);
    const unsigned char *u = (const unsigned char *)raw;
    if (!why && rn >= 2 && u[0] == 0x1f && u[1] == 0x8b)
        why = gunzip_all(u, rn, &out, &on, &ocap, max);
    else if (!why && rn >= 4 && u[0] == 0x28 && u[1] == 0xb5 && u[2] == 0x2f && u[3] == 0xfd)
        why = unzstd_all(u, rn, &out, &on, &ocap, max);
    else {
        out = raw;                   /* plain: the bytes as read */
        on = rn;
        ocap = rcap;
        raw = NULL;
    }
    free(raw);
    if (!why && !buf_put(&out, &on, &ocap, "", 1, max + 1))     /* NUL-terminated */
        why = "out of memory";
    if (why) {
        free(out);
        if (why[0] == 't')
            snprintf(err, errlen, "larger than %zu MiB (or out of memory)", max >> 20);
        else
            snprintf(err, errlen, "%s", why);
        return NULL;
    }
    *len = on - 1;
    return out;
}
