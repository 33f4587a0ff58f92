/*
 * web_vessels.c - /api/vessels as columns (web_vessels.h). One pass over
 * the picture under its read lock writes each field into its own growing
 * buffer with hand-written number formatting (snprintf of 800,000 numbers
 * would be most of the time), then the buffers are joined. Positions with
 * 5 decimals (1 m), speed and course with 1.
 *
 * The buffers (megabytes for a whole ocean) are mapped pages, not malloc:
 * glibc would keep freed blocks of that size in each worker thread's arena
 * (its mmap threshold grows with the sizes freed), and a few snapshots on
 * four threads raised the server's RSS from 80 to 270 MB. Mapped, they go
 * back to the kernel when the answer is sent.
 *
 * The same columns serve the picture as it was at an earlier time
 * (?at=, picture_vessels_at): the dashboard's time slider.
 */
#include <inttypes.h>
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "alidade/stix.h"
#include "web_vessels.h"

enum { C_MMSI, C_LAT, C_LON, C_COG, C_SOG, C_HEADING, C_TYPE, C_T, NCOLS };
static const char *const col_name[NCOLS] = {"mmsi", "lat", "lon", "cog", "sog",
                                            "heading", "type", "t"};

struct col {
    char *p;
    size_t len, cap;
};

struct snap {
    struct col c[NCOLS];
    size_t n;
    int64_t t_max_us;
    bool oom;
};

/* Room for `need` more bytes. */
static char *room(struct snap *s, struct col *c, size_t need)
{
    if (c->len + need > c->cap) {
        size_t cap = c->cap ? c->cap * 2 : 65536;
        while (cap < c->len + need)
            cap *= 2;
        void *p = c->p ? mremap(c->p, c->cap, cap, MREMAP_MAYMOVE)
                       : mmap(NULL, cap, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (p == MAP_FAILED) {
            s->oom = true;
            return NULL;
        }
        c->p = p;
        c->cap = cap;
    }
    return c->p + c->len;
}

/* The mapping's length sits in the 16 bytes before the text. */
#define HEAD 16

void web_vessels_free(void *text)
{
    if (!text)
        return;
    char *m = (char *)text - HEAD;
    size_t len;
    memcpy(&len, m, sizeof len);
    munmap(m, len);
}

/* Decimal digits of v (v >= 0) at d, their count. */
static size_t put_u64(char *d, uint64_t v)
{
    char tmp[24];
    size_t n = 0;
    do {
        tmp[n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    for (size_t i = 0; i < n; i++)
        d[i] = tmp[n - 1 - i];
    return n;
}

static void put_int(struct snap *s, struct col *c, int64_t v)
{
    char *d = room(s, c, 24);
    if (!d)
        return;
    size_t k = 0;
    if (c->len)
        d[k++] = ',';
    if (v < 0) {
        d[k++] = '-';
        v = -v;
    }
    k += put_u64(d + k, (uint64_t)v);
    c->len += k;
}

/* x with `dec` decimals (1 or 5), or null when not a number. */
static void put_fixed(struct snap *s, struct col *c, double x, int dec)
{
    char *d = room(s, c, 32);
    if (!d)
        return;
    size_t k = 0;
    if (c->len)
        d[k++] = ',';
    if (!isfinite(x) || fabs(x) > 1e9) {
        memcpy(d + k, "null", 4);
        c->len += k + 4;
        return;
    }
    uint64_t scale = dec == 5 ? 100000 : 10;
    int64_t v = llround(x * (double)scale);
    if (v < 0) {
        d[k++] = '-';
        v = -v;
    }
    k += put_u64(d + k, (uint64_t)v / scale);
    d[k++] = '.';
    uint64_t frac = (uint64_t)v % scale;
    for (uint64_t q = scale / 10; q; q /= 10) {
        d[k++] = (char)('0' + frac / q);
        frac %= q;
    }
    c->len += k;
}

static void put_null(struct snap *s, struct col *c)
{
    char *d = room(s, c, 5);
    if (!d)
        return;
    size_t k = 0;
    if (c->len)
        d[k++] = ',';
    memcpy(d + k, "null", 4);
    c->len += k + 4;
}

static void one(void *ctx, const struct pic_position *pos, const struct pic_static *st)
{
    struct snap *s = ctx;
    int64_t t = pos->t_us >= 0 ? pos->t_us / 1000000 : -((-pos->t_us + 999999) / 1000000);
    put_int(s, &s->c[C_MMSI], pos->mmsi);
    put_fixed(s, &s->c[C_LAT], pos->lat, 5);
    put_fixed(s, &s->c[C_LON], pos->lon, 5);
    put_fixed(s, &s->c[C_COG], pos->cog, 1);
    put_fixed(s, &s->c[C_SOG], pos->sog, 1);
    if (pos->heading >= 0 && pos->heading < 360)
        put_int(s, &s->c[C_HEADING], pos->heading);
    else
        put_null(s, &s->c[C_HEADING]);
    put_int(s, &s->c[C_TYPE], st ? st->type : 0);
    put_int(s, &s->c[C_T], t);
    if (s->n == 0 || pos->t_us > s->t_max_us)
        s->t_max_us = pos->t_us;
    s->n++;
}

/* The answer for the latest positions (at_us INT64_MIN) or as at at_us. */
static char *vessels_json(picture *p, int64_t at_us, int64_t max_age_us, double west,
                          double south, double east, double north, size_t limit, size_t *len)
{
    struct snap s = {0};
    size_t total = at_us == INT64_MIN
                       ? picture_vessels(p, west, south, east, north, limit, one, &s)
                       : picture_vessels_at(p, at_us, max_age_us, west, south, east, north,
                                            limit, one, &s);
    char *out = NULL;
    if (!s.oom) {
        char head[256], tmax[STIX_TIME_TEXT] = "";
        if (s.n)
            stix_time_format(s.t_max_us, tmax);
        int hn = snprintf(head, sizeof head,
                          "{\"count\":%zu,\"total\":%zu,\"truncated\":%s,\"t_max\":%s%s%s",
                          s.n, total, total > s.n ? "true" : "false", s.n ? "\"" : "",
                          s.n ? tmax : "null", s.n ? "\"" : "");
        size_t need = (size_t)hn + 4;
        for (int i = 0; i < NCOLS; i++)
            need += s.c[i].len + strlen(col_name[i]) + 8;
        size_t maplen = need + HEAD + 1;
        void *m = mmap(NULL, maplen, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        out = m == MAP_FAILED ? NULL : (char *)m + HEAD;
        if (out) {
            memcpy(m, &maplen, sizeof maplen);
            size_t k = (size_t)hn;
            memcpy(out, head, k);
            for (int i = 0; i < NCOLS; i++) {
                k += (size_t)sprintf(out + k, ",\"%s\":[", col_name[i]);
                if (s.c[i].len)
                    memcpy(out + k, s.c[i].p, s.c[i].len);
                k += s.c[i].len;
                out[k++] = ']';
            }
            out[k++] = '}';
            out[k] = '\0';
            *len = k;
        }
    }
    for (int i = 0; i < NCOLS; i++)
        if (s.c[i].p)
            munmap(s.c[i].p, s.c[i].cap);
    return out;
}

char *web_vessels_json(picture *p, double west, double south, double east, double north,
                       size_t limit, size_t *len)
{
    return vessels_json(p, INT64_MIN, 0, west, south, east, north, limit, len);
}

char *web_vessels_json_at(picture *p, int64_t at_us, int64_t max_age_us, double west,
                          double south, double east, double north, size_t limit, size_t *len)
{
    return vessels_json(p, at_us == INT64_MIN ? INT64_MIN + 1 : at_us, max_age_us, west, south,
                        east, north, limit, len);
}
