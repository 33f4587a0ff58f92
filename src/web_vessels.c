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
 * (?at=, picture_vessels_at): the dashboard's time slider. With the
 * node's stored history (track_history.h), a vessel whose in-memory track
 * does not reach back to that time (or that the picture no longer holds)
 * is answered from the store: the store is read first (under the
 * dashboard's store mutex, not the picture's lock), then one pass over the
 * picture says which vessels it answers itself (the more precise), and the
 * store's answers for the others follow. A vessel's track on click is the
 * same: the store's points older than the in-memory track, then the track.
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
#include "alidade/track_history.h"
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

/* ?at= with the stored history: the vessels the picture answers itself
 * (sorted MMSIs, so that the store skips them), and the store's side. */
struct hist {
    uint32_t *covered;
    size_t n, cap;
    bool oom;
    struct snap *s;
    size_t limit, total, from_store;
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

static void covered_one(void *ctx, uint32_t mmsi)
{
    struct hist *h = ctx;
    if (h->n == h->cap) {
        size_t cap = h->cap ? h->cap * 2 : 4096;
        uint32_t *v = realloc(h->covered, cap * sizeof *v);
        if (!v) {
            h->oom = true;
            return;
        }
        h->covered = v;
        h->cap = cap;
    }
    h->covered[h->n++] = mmsi;
}

static int by_mmsi(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return x < y ? -1 : x > y;
}

/* The store need not look for a vessel the picture answered. */
static bool is_covered(void *ctx, uint32_t mmsi)
{
    const struct hist *h = ctx;
    return h->n && bsearch(&mmsi, h->covered, h->n, sizeof mmsi, by_mmsi) != NULL;
}

static void stored_one(void *ctx, const struct th_point *t, uint8_t type)
{
    struct hist *h = ctx;
    h->total++;
    if (h->s->n >= h->limit)
        return;
    struct pic_position pos = {.mmsi = t->mmsi, .t_us = t->t_us, .lat = t->lat, .lon = t->lon,
                               .sog = t->sog, .cog = t->cog, .heading = t->heading};
    struct pic_static st = {.mmsi = t->mmsi, .type = type};
    one(h->s, &pos, &st);
    h->from_store++;
}

static void picture_one(void *ctx, const struct pic_position *pos, const struct pic_static *st)
{
    one(ctx, pos, st);
}

/* The answer for the latest positions (at_us INT64_MIN) or as at at_us.
 * With a store (st not NULL), the picture first says which vessels it
 * answers itself (under its read lock), then the store (under mu) answers
 * for the others, and the head says from when the store can answer. NULL
 * with the reason in err on failure. */
static char *vessels_json(picture *p, store *st, pthread_mutex_t *mu, int64_t at_us,
                          int64_t max_age_us, double west, double south, double east,
                          double north, size_t limit, size_t *len, char *err, size_t errlen)
{
    struct snap s = {0};
    struct hist hs = {.s = &s, .limit = limit};
    size_t total;
    int64_t hist_from = 0, hist_last = 0;
    snprintf(err, errlen, "out of memory");
    if (at_us == INT64_MIN) {
        total = picture_vessels(p, west, south, east, north, limit, one, &s);
    } else {
        total = picture_vessels_at_covered(p, at_us, max_age_us, west, south, east, north, limit,
                                           picture_one, &s, st ? covered_one : NULL, &hs);
    }
    if (st && !hs.oom) {
        if (hs.n)
            qsort(hs.covered, hs.n, sizeof *hs.covered, by_mmsi);
        pthread_mutex_lock(mu);
        ald_err e = th_span(st, &hist_from, &hist_last);
        if (e == ALD_E_OK && at_us != INT64_MIN && hist_from && at_us >= hist_from)
            e = th_at(st, at_us, max_age_us, west, south, east, north, is_covered, stored_one,
                      &hs, NULL);
        if (e != ALD_E_OK)
            snprintf(err, errlen, "stored history: %s", store_errmsg(st));
        pthread_mutex_unlock(mu);
        if (e != ALD_E_OK)
            s.oom = true;
    }
    free(hs.covered);
    if (hs.oom)
        s.oom = true;                /* the store would answer for covered vessels twice */
    total += hs.total;
    char *out = NULL;
    if (!s.oom) {
        char head[384], tmax[STIX_TIME_TEXT] = "", extra[128] = "";
        if (s.n)
            stix_time_format(s.t_max_us, tmax);
        if (st && hist_from)
            snprintf(extra, sizeof extra, ",\"history_from\":%" PRId64 ",\"from_store\":%zu",
                     hist_from / 1000000, hs.from_store);
        else if (st)
            snprintf(extra, sizeof extra, ",\"history_from\":null,\"from_store\":0");
        int hn = snprintf(head, sizeof head,
                          "{\"count\":%zu,\"total\":%zu,\"truncated\":%s,\"t_max\":%s%s%s%s",
                          s.n, total, total > s.n ? "true" : "false", s.n ? "\"" : "",
                          s.n ? tmax : "null", s.n ? "\"" : "", extra);
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
    char err[64];
    return vessels_json(p, NULL, NULL, INT64_MIN, 0, west, south, east, north, limit, len, err,
                        sizeof err);
}

char *web_vessels_json_at(picture *p, int64_t at_us, int64_t max_age_us, double west,
                          double south, double east, double north, size_t limit, size_t *len)
{
    char err[64];
    return vessels_json(p, NULL, NULL, at_us == INT64_MIN ? INT64_MIN + 1 : at_us, max_age_us,
                        west, south, east, north, limit, len, err, sizeof err);
}

char *web_vessels_json_hist(picture *p, store *st, pthread_mutex_t *mu, int64_t at_us,
                            int64_t max_age_us, double west, double south, double east,
                            double north, size_t limit, size_t *len, char *err, size_t errlen)
{
    return vessels_json(p, st, mu, at_us, max_age_us, west, south, east, north, limit, len, err,
                        errlen);
}

struct track_ctx {
    struct pic_position *track;
    size_t n;
};

static void track_one(void *ctx, const struct th_point *t, uint8_t type)
{
    (void)type;
    struct track_ctx *c = ctx;
    c->track[c->n++] = (struct pic_position){.mmsi = t->mmsi, .t_us = t->t_us, .lat = t->lat,
                                             .lon = t->lon, .sog = t->sog, .cog = t->cog,
                                             .heading = t->heading};
}

int web_vessel_track(picture *p, store *st, pthread_mutex_t *mu, uint32_t mmsi, int64_t since_us,
                     int64_t until_us, struct pic_static *out, struct pic_position *track,
                     size_t cap, size_t *n)
{
    *n = 0;
    bool found = picture_vessel(p, mmsi, since_us, until_us, out, track, cap, n);
    if (!st)
        return found;
    /* the store's points before the in-memory track's oldest, as many as
     * there is room for (the latest of them) */
    int64_t oldest = 0;
    bool ring = picture_track_oldest(p, mmsi, &oldest);
    int64_t to_us = until_us;
    if (ring && (to_us == 0 || to_us >= oldest))
        to_us = oldest - 1000000;    /* the store keeps seconds: strictly before */
    if (ring && since_us && to_us < since_us)
        return found;
    size_t room = cap - *n, got = 0;
    struct pic_position *older = room ? malloc(room * sizeof *older) : NULL;
    if (room && !older)
        return -1;
    struct track_ctx c = {.track = older};
    pthread_mutex_lock(mu);
    ald_err e = th_track(st, mmsi, since_us, to_us, room, track_one, &c, &got);
    if (e == ALD_E_OK && !found) {
        struct th_static ts;
        ald_err se = th_static_get(st, mmsi, &ts);
        if (se == ALD_E_OK) {
            found = true;
            *out = (struct pic_static){.mmsi = mmsi, .imo = ts.imo, .type = ts.type};
            memcpy(out->name, ts.name, sizeof out->name);
            memcpy(out->callsign, ts.callsign, sizeof out->callsign);
            memcpy(out->destination, ts.destination, sizeof out->destination);
        } else if (se != ALD_E_NOT_FOUND) {
            e = se;
        }
    }
    pthread_mutex_unlock(mu);
    if (e != ALD_E_OK) {
        free(older);
        return -1;
    }
    if (got) {
        memmove(track + got, track, *n * sizeof *track);
        memcpy(track, older, got * sizeof *track);
        *n += got;
        found = true;
    }
    free(older);
    return found;
}
