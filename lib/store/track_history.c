/*
 * track_history.c - the downsampled vessel history of the node
 * (track_history.h): two local tables of the store that store.c knows
 * nothing about (store_int.h: created here on first use).
 *
 *   th_chunk   the kept points, a vessel's run of them cut into chunks of
 *              at most CHUNK_BYTES of encoded points spanning at most
 *              CHUNK_SPAN_S; WITHOUT ROWID, key (mmsi, t0): a vessel's
 *              chunks are one contiguous run of the B-tree, so a track
 *              (mmsi, time range) is one range scan and "the last point at
 *              or before T" one seek and the decoding of one chunk; no
 *              index on time alone (it would cost as much again): the
 *              time and box queries go through th_vessel below.
 *   th_vessel  one row per vessel: the time of its oldest kept point
 *              (first_t), its latest position in full (last_t ...: not
 *              downsampled, written with every batch) and its static data.
 *              The time query reads it whole (100,000 small rows) and
 *              seeks th_chunk only for the vessels whose latest position
 *              is later than the time asked; pruning visits only the
 *              vessels whose first_t is older than the window.
 *
 * A chunk's points (pts): per point, varints of the seconds since the
 * previous point (0 for the first, whose time is t0), the zigzag change of
 * latitude and longitude in 1e-5 degree (1.1 m; the first point's are
 * absolute), speed and course in tenths + 1 and heading + 1 (0: not
 * available): 9-12 bytes a point where a row per point took 34. A point is
 * appended by rewriting its vessel's last chunk (under 1 KB, so that a row
 * never spills to an overflow page). Pruning cuts a chunk that straddles
 * the window's start, so nothing older than the window is kept.
 *
 * test_track_history measures bytes per point and per vessel-day.
 */
#include "alidade/track_history.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "store_int.h"

#define M_PER_DEG 111194.9          /* metres per degree of a great circle (R 6371 km) */
#define CHUNK_BYTES 900              /* a row stays under SQLite's 994-byte local limit */
#define CHUNK_SPAN_S 21600           /* 6 h: a chunk's first to last point */
#define POINT_MAX 40                 /* bytes of one encoded point, at most */

static const char schema_sql[] =
    "CREATE TABLE IF NOT EXISTS th_chunk("
    " mmsi INTEGER NOT NULL, t0 INTEGER NOT NULL, t1 INTEGER NOT NULL,"
    " n INTEGER NOT NULL, pts BLOB NOT NULL,"
    " PRIMARY KEY (mmsi, t0)) WITHOUT ROWID;"
    "CREATE TABLE IF NOT EXISTS th_vessel("
    " mmsi INTEGER PRIMARY KEY, first_t INTEGER, last_t INTEGER,"
    " lat INTEGER, lon INTEGER, sog INTEGER, cog INTEGER, hd INTEGER,"
    " name TEXT, callsign TEXT, destination TEXT, imo INTEGER, type INTEGER)";

/* The tables, made once per store (store_int.h). */
static ald_err ensure(store *s)
{
    return store_local_schema(s, "th_vessel", schema_sql, "track history");
}

/* ---- downsampling ---- */

void th_rule_default(struct th_rule *r)
{
    *r = (struct th_rule){.min_gap_s = 30, .moving_gap_s = 900, .still_gap_s = 3600,
                          .still_kn = 1.0f, .turn_deg = 20.0f, .speed_kn = 3.0f,
                          .jump_km = 5.0};
}

static uint16_t pack10(float x, float max)
{
    return isnan(x) || x < 0 || x > max ? UINT16_MAX : (uint16_t)lroundf(x * 10.0f);
}

static int64_t secs(int64_t us)
{
    return us >= 0 ? us / 1000000 : -((-us + 999999) / 1000000);
}

/* Distance in km, flat-earth: exact enough to tell 5 km from 50 m. */
static double dist_km(int32_t lat6a, int32_t lon6a, int32_t lat6b, int32_t lon6b)
{
    double dlat = (lat6b - lat6a) / 1e6;
    double dlon = fabs((double)lon6b - lon6a) / 1e6;
    if (dlon > 180)
        dlon = 360 - dlon;
    dlon *= cos((lat6a + lat6b) / 2e6 * M_PI / 180);
    return sqrt(dlat * dlat + dlon * dlon) * M_PER_DEG / 1000;
}

bool th_keep(const struct th_rule *r, struct th_last *last, const struct th_point *p)
{
    int64_t t = secs(p->t_us);
    if (t <= 0 || t > UINT32_MAX)
        return false;                /* not a time the table can hold */
    struct th_last now = {
        .t_s = (uint32_t)t,
        .lat6 = (int32_t)lround(p->lat * 1e6),
        .lon6 = (int32_t)lround(p->lon * 1e6),
        .sog10 = pack10(p->sog, 6000.0f),
        .cog10 = pack10(p->cog, 360.0f),
    };
    bool keep = false;
    if (last->t_s == 0) {
        keep = true;                 /* the vessel's first */
    } else if (now.t_s > last->t_s && now.t_s - last->t_s >= (uint64_t)r->min_gap_s) {
        int64_t dt = now.t_s - last->t_s;
        double km = dist_km(last->lat6, last->lon6, now.lat6, now.lon6);
        /* under way by its speed, or when the speed is unknown by having
         * moved more than a ship at rest drifts (0.5 km) */
        bool moving = now.sog10 != UINT16_MAX ? now.sog10 >= r->still_kn * 10 : km > 0.5;
        if (dt >= (moving ? r->moving_gap_s : r->still_gap_s))
            keep = true;             /* heartbeat */
        else if (km >= r->jump_km)
            keep = true;
        else if (now.sog10 != UINT16_MAX && last->sog10 != UINT16_MAX &&
                 abs((int)now.sog10 - (int)last->sog10) >= r->speed_kn * 10)
            keep = true;
        else if (moving && now.cog10 != UINT16_MAX && last->cog10 != UINT16_MAX) {
            int d = abs((int)now.cog10 - (int)last->cog10);
            if (d > 1800)
                d = 3600 - d;        /* 359 to 1 degree is a 2 degree turn */
            keep = d >= r->turn_deg * 10;
        }
    }
    if (keep)
        *last = now;
    return keep;
}

/* ---- the chunk codec ---- */

/* One point as the chunk holds it. */
struct cpt {
    int64_t t;
    int32_t lat5, lon5;
    uint16_t sog1, cog1, hd1;        /* value + 1 (tenths; degrees), 0: not available */
};

static size_t put_varint(uint8_t *b, uint64_t v)
{
    size_t n = 0;
    while (v >= 0x80) {
        b[n++] = (uint8_t)(v | 0x80);
        v >>= 7;
    }
    b[n++] = (uint8_t)v;
    return n;
}

static bool get_varint(const uint8_t *b, size_t len, size_t *i, uint64_t *v)
{
    *v = 0;
    for (unsigned shift = 0; shift < 64 && *i < len; shift += 7) {
        uint8_t c = b[(*i)++];
        *v |= (uint64_t)(c & 0x7f) << shift;
        if (!(c & 0x80))
            return true;
    }
    return false;                    /* cut short or too long: a damaged chunk */
}

static uint64_t zig(int64_t v)
{
    return v < 0 ? ((uint64_t)(-(v + 1)) << 1) | 1 : (uint64_t)v << 1;
}

static int64_t unzig(uint64_t v)
{
    return v & 1 ? -(int64_t)(v >> 1) - 1 : (int64_t)(v >> 1);
}

static struct cpt to_cpt(const struct th_point *p)
{
    uint16_t sog = pack10(p->sog, 6000.0f), cog = pack10(p->cog, 360.0f);
    return (struct cpt){
        .t = secs(p->t_us),
        .lat5 = (int32_t)lround(p->lat * 1e5),
        .lon5 = (int32_t)lround(p->lon * 1e5),
        .sog1 = sog == UINT16_MAX ? 0 : (uint16_t)(sog + 1),
        .cog1 = cog == UINT16_MAX ? 0 : (uint16_t)(cog + 1),
        .hd1 = p->heading >= 0 && p->heading < 360 ? (uint16_t)(p->heading + 1) : 0,
    };
}

static struct th_point from_cpt(const struct cpt *c, uint32_t mmsi)
{
    return (struct th_point){
        .mmsi = mmsi, .t_us = c->t * 1000000, .lat = c->lat5 / 1e5, .lon = c->lon5 / 1e5,
        .sog = c->sog1 ? (float)(c->sog1 - 1) / 10.0f : NAN,
        .cog = c->cog1 ? (float)(c->cog1 - 1) / 10.0f : NAN,
        .heading = c->hd1 ? (int16_t)(c->hd1 - 1) : -1};
}

/* p encoded after prev (NULL: the chunk's first) at b; its length. */
static size_t encode(uint8_t *b, const struct cpt *p, const struct cpt *prev)
{
    size_t n = 0;
    n += put_varint(b + n, prev ? (uint64_t)(p->t - prev->t) : 0);
    n += put_varint(b + n, zig((int64_t)p->lat5 - (prev ? prev->lat5 : 0)));
    n += put_varint(b + n, zig((int64_t)p->lon5 - (prev ? prev->lon5 : 0)));
    n += put_varint(b + n, p->sog1);
    n += put_varint(b + n, p->cog1);
    n += put_varint(b + n, p->hd1);
    return n;
}

/* The next point of a chunk (prev: the one before, NULL for the first,
 * whose time is t0); false at the end or on damage. */
static bool decode(const uint8_t *b, size_t len, size_t *i, int64_t t0, const struct cpt *prev,
                   struct cpt *out)
{
    uint64_t v[6];
    if (*i >= len)
        return false;
    for (int k = 0; k < 6; k++)
        if (!get_varint(b, len, i, &v[k]))
            return false;
    out->t = (prev ? prev->t : t0) + (int64_t)v[0];
    out->lat5 = (int32_t)((prev ? prev->lat5 : 0) + unzig(v[1]));
    out->lon5 = (int32_t)((prev ? prev->lon5 : 0) + unzig(v[2]));
    out->sog1 = (uint16_t)v[3];
    out->cog1 = (uint16_t)v[4];
    out->hd1 = (uint16_t)v[5];
    return true;
}

/* Every point of a chunk into out (room for CHUNK_BYTES / 6 + 1); how many. */
static size_t decode_all(const uint8_t *b, size_t len, int64_t t0, struct cpt *out)
{
    size_t i = 0, n = 0;
    while (n < CHUNK_BYTES / 6 + 1 && decode(b, len, &i, t0, n ? &out[n - 1] : NULL, &out[n]))
        n++;
    return n;
}

#define CHUNK_POINTS_MAX (CHUNK_BYTES / 6 + 1)

/* ---- writing ---- */

static void bind_pos(sqlite3_stmt *q, int at, const struct th_point *p)
{
    sqlite3_bind_int64(q, at, secs(p->t_us));
    sqlite3_bind_int64(q, at + 1, llround(p->lat * 1e6));
    sqlite3_bind_int64(q, at + 2, llround(p->lon * 1e6));
    uint16_t sog = pack10(p->sog, 6000.0f), cog = pack10(p->cog, 360.0f);
    if (sog != UINT16_MAX)
        sqlite3_bind_int(q, at + 3, sog);
    else
        sqlite3_bind_null(q, at + 3);
    if (cog != UINT16_MAX)
        sqlite3_bind_int(q, at + 4, cog);
    else
        sqlite3_bind_null(q, at + 4);
    if (p->heading >= 0 && p->heading < 360)
        sqlite3_bind_int(q, at + 5, p->heading);
    else
        sqlite3_bind_null(q, at + 5);
}

/* p appended to its vessel's last chunk, or the first of a new one (the
 * last is full, spans CHUNK_SPAN_S, or there is none); a point not later
 * than the vessel's last kept one is ignored (a batch written twice). */
static ald_err append_point(store *s, const struct th_point *p)
{
    sqlite3_stmt *q = store_stmt(s, "SELECT t0, t1, pts FROM th_chunk WHERE mmsi = ?"
                                    " ORDER BY t0 DESC LIMIT 1");
    if (!q)
        return ALD_E_STORE;
    sqlite3_bind_int64(q, 1, p->mmsi);
    struct cpt c = to_cpt(p), last;
    uint8_t buf[CHUNK_BYTES + POINT_MAX];
    size_t len = 0;
    int64_t t0 = 0, t1 = 0;
    bool have = false, append = false;
    int rc = sqlite3_step(q);
    if (rc == SQLITE_ROW) {
        have = true;
        t0 = sqlite3_column_int64(q, 0);
        t1 = sqlite3_column_int64(q, 1);
        const uint8_t *b = sqlite3_column_blob(q, 2);
        size_t n = (size_t)sqlite3_column_bytes(q, 2);
        if (c.t > t1 && c.t - t0 <= CHUNK_SPAN_S && n <= CHUNK_BYTES && b) {
            /* the last point is the delta base */
            size_t i = 0, k = 0;
            struct cpt prev;
            while (decode(b, n, &i, t0, k ? &prev : NULL, &last)) {
                prev = last;
                k++;
            }
            if (k && i == n && n + encode(buf, &c, &last) <= CHUNK_BYTES) {
                memcpy(buf, b, n);
                len = n + encode(buf + n, &c, &last);
                append = true;
            }
        }
    }
    sqlite3_reset(q);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        return store_fail_db(s, "track history: a vessel's last chunk");
    if (have && c.t <= t1)
        return ALD_E_OK;             /* not later than what is kept */
    if (append) {
        q = store_stmt(s, "UPDATE th_chunk SET t1 = ?, n = n + 1, pts = ?"
                          " WHERE mmsi = ? AND t0 = ?");
        if (!q)
            return ALD_E_STORE;
        sqlite3_bind_int64(q, 1, c.t);
        sqlite3_bind_blob(q, 2, buf, (int)len, SQLITE_TRANSIENT);
        sqlite3_bind_int64(q, 3, p->mmsi);
        sqlite3_bind_int64(q, 4, t0);
        return store_step_done(s, q, "track history: appending a point");
    }
    len = encode(buf, &c, NULL);
    q = store_stmt(s, "INSERT INTO th_chunk(mmsi, t0, t1, n, pts) VALUES (?1, ?2, ?2, 1, ?3)");
    if (!q)
        return ALD_E_STORE;
    sqlite3_bind_int64(q, 1, p->mmsi);
    sqlite3_bind_int64(q, 2, c.t);
    sqlite3_bind_blob(q, 3, buf, (int)len, SQLITE_TRANSIENT);
    return store_step_done(s, q, "track history: a new chunk");
}

static ald_err write_all(store *s, const struct th_point *kept, size_t nkept,
                         const struct th_point *latest, size_t nlatest,
                         const struct th_static *st, size_t nst)
{
    ald_err e = ALD_E_OK;
    for (size_t i = 0; i < nkept && e == ALD_E_OK; i++) {
        sqlite3_stmt *q;
        if (secs(kept[i].t_us) <= 0)
            continue;                /* th_keep keeps none such */
        if ((e = append_point(s, &kept[i])) != ALD_E_OK)
            break;
        /* the vessel's row knows its oldest point (pruning, time query);
         * a new vessel gets this point as its latest until a later one */
        q = store_stmt(s, "INSERT INTO th_vessel(mmsi, first_t, last_t, lat, lon, sog, cog, hd)"
                          " VALUES (?1, ?2, ?2, ?3, ?4, ?5, ?6, ?7) ON CONFLICT(mmsi) DO UPDATE"
                          " SET first_t = min(coalesce(first_t, excluded.first_t),"
                          " excluded.first_t)");
        if (!q)
            return ALD_E_STORE;
        sqlite3_bind_int64(q, 1, kept[i].mmsi);
        bind_pos(q, 2, &kept[i]);
        e = store_step_done(s, q, "track history: a vessel's first point");
    }
    for (size_t i = 0; i < nlatest && e == ALD_E_OK; i++) {
        sqlite3_stmt *q = store_stmt(
            s, "INSERT INTO th_vessel(mmsi, first_t, last_t, lat, lon, sog, cog, hd)"
               " VALUES (?1, ?2, ?2, ?3, ?4, ?5, ?6, ?7) ON CONFLICT(mmsi) DO UPDATE"
               " SET last_t = excluded.last_t, lat = excluded.lat, lon = excluded.lon,"
               " sog = excluded.sog, cog = excluded.cog, hd = excluded.hd,"
               " first_t = coalesce(first_t, excluded.first_t)"
               " WHERE last_t IS NULL OR excluded.last_t >= last_t");
        if (!q)
            return ALD_E_STORE;
        sqlite3_bind_int64(q, 1, latest[i].mmsi);
        bind_pos(q, 2, &latest[i]);
        e = store_step_done(s, q, "track history: a vessel's latest position");
    }
    for (size_t i = 0; i < nst && e == ALD_E_OK; i++) {
        /* a report fills what it knows (a type 24 part A has the name only) */
        sqlite3_stmt *q = store_stmt(
            s, "INSERT INTO th_vessel(mmsi, name, callsign, destination, imo, type)"
               " VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT(mmsi) DO UPDATE"
               " SET name = coalesce(excluded.name, name),"
               " callsign = coalesce(excluded.callsign, callsign),"
               " destination = coalesce(excluded.destination, destination),"
               " imo = coalesce(excluded.imo, imo), type = coalesce(excluded.type, type)");
        if (!q)
            return ALD_E_STORE;
        sqlite3_bind_int64(q, 1, st[i].mmsi);
        store_bind_field(q, 2, st[i].name, sizeof st[i].name);
        store_bind_field(q, 3, st[i].callsign, sizeof st[i].callsign);
        store_bind_field(q, 4, st[i].destination, sizeof st[i].destination);
        if (st[i].imo)
            sqlite3_bind_int64(q, 5, st[i].imo);
        if (st[i].type)
            sqlite3_bind_int(q, 6, st[i].type);
        e = store_step_done(s, q, "track history: static data");
    }
    return e;
}

ald_err th_write(store *s, const struct th_point *kept, size_t nkept,
                 const struct th_point *latest, size_t nlatest, const struct th_static *st,
                 size_t nst)
{
    if (nkept + nlatest + nst == 0)
        return ALD_E_OK;
    ald_err e = ensure(s);
    if (e != ALD_E_OK || (e = store_begin(s)) != ALD_E_OK)
        return e;
    if ((e = write_all(s, kept, nkept, latest, nlatest, st, nst)) != ALD_E_OK) {
        store_rollback(s);
        return e;
    }
    if ((e = store_commit(s)) != ALD_E_OK)
        store_rollback(s);
    return e;
}

/* ---- pruning ---- */

/* The chunks of mmsi older than cut removed, and the one straddling cut
 * cut down to its points from cut on; *removed += the points removed. */
static ald_err prune_vessel(store *s, uint32_t mmsi, int64_t cut, size_t *removed)
{
    sqlite3_stmt *q = store_stmt(s, "SELECT coalesce(sum(n), 0) FROM th_chunk"
                                    " WHERE mmsi = ? AND t1 < ?");
    if (!q)
        return ALD_E_STORE;
    sqlite3_bind_int64(q, 1, mmsi);
    sqlite3_bind_int64(q, 2, cut);
    if (sqlite3_step(q) == SQLITE_ROW)
        *removed += (size_t)sqlite3_column_int64(q, 0);
    sqlite3_reset(q);
    q = store_stmt(s, "DELETE FROM th_chunk WHERE mmsi = ? AND t1 < ?");
    if (!q)
        return ALD_E_STORE;
    sqlite3_bind_int64(q, 1, mmsi);
    sqlite3_bind_int64(q, 2, cut);
    ald_err e = store_step_done(s, q, "track history: pruning chunks");
    if (e != ALD_E_OK)
        return e;
    /* chunks do not overlap: at most one straddles the cut */
    q = store_stmt(s, "SELECT t0, pts FROM th_chunk WHERE mmsi = ? AND t0 < ? AND t1 >= ?");
    if (!q)
        return ALD_E_STORE;
    sqlite3_bind_int64(q, 1, mmsi);
    sqlite3_bind_int64(q, 2, cut);
    sqlite3_bind_int64(q, 3, cut);
    struct cpt pt[CHUNK_POINTS_MAX];
    size_t np = 0;
    int64_t t0 = 0;
    int rc = sqlite3_step(q);
    if (rc == SQLITE_ROW) {
        t0 = sqlite3_column_int64(q, 0);
        const uint8_t *b = sqlite3_column_blob(q, 1);
        np = b ? decode_all(b, (size_t)sqlite3_column_bytes(q, 1), t0, pt) : 0;
    }
    sqlite3_reset(q);
    if (rc != SQLITE_ROW)
        return rc == SQLITE_DONE ? ALD_E_OK : store_fail_db(s, "track history: pruning");
    size_t k = 0;
    while (k < np && pt[k].t < cut)
        k++;
    q = store_stmt(s, "DELETE FROM th_chunk WHERE mmsi = ? AND t0 = ?");
    if (!q)
        return ALD_E_STORE;
    sqlite3_bind_int64(q, 1, mmsi);
    sqlite3_bind_int64(q, 2, t0);
    if ((e = store_step_done(s, q, "track history: pruning a chunk")) != ALD_E_OK)
        return e;
    *removed += k;
    if (k == np)
        return ALD_E_OK;
    uint8_t buf[CHUNK_BYTES + POINT_MAX];
    size_t len = 0;
    for (size_t j = k; j < np; j++)
        len += encode(buf + len, &pt[j], j > k ? &pt[j - 1] : NULL);
    q = store_stmt(s, "INSERT INTO th_chunk(mmsi, t0, t1, n, pts) VALUES (?, ?, ?, ?, ?)");
    if (!q)
        return ALD_E_STORE;
    sqlite3_bind_int64(q, 1, mmsi);
    sqlite3_bind_int64(q, 2, pt[k].t);
    sqlite3_bind_int64(q, 3, pt[np - 1].t);
    sqlite3_bind_int64(q, 4, (sqlite3_int64)(np - k));
    sqlite3_bind_blob(q, 5, buf, (int)len, SQLITE_TRANSIENT);
    return store_step_done(s, q, "track history: the chunk cut at the window");
}

static ald_err prune_all(store *s, int64_t cut, size_t *removed)
{
    /* the vessels to visit first (no writes while a read is stepping) */
    sqlite3_stmt *q = store_stmt(s, "SELECT mmsi FROM th_vessel WHERE first_t < ?");
    if (!q)
        return ALD_E_STORE;
    sqlite3_bind_int64(q, 1, cut);
    uint32_t *v = NULL;
    size_t n = 0, cap = 0;
    int rc;
    while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
        if (n == cap) {
            size_t nc = cap ? cap * 2 : 1024;
            uint32_t *nv = realloc(v, nc * sizeof *nv);
            if (!nv) {
                sqlite3_reset(q);
                free(v);
                return store_fail(s, ALD_E_NOMEM, "track history: out of memory pruning");
            }
            v = nv;
            cap = nc;
        }
        v[n++] = (uint32_t)sqlite3_column_int64(q, 0);
    }
    sqlite3_reset(q);
    if (rc != SQLITE_DONE) {
        free(v);
        return store_fail_db(s, "track history: pruning");
    }
    ald_err e = ALD_E_OK;
    sqlite3 *db = store_sqlite(s);
    for (size_t i = 0; i < n && e == ALD_E_OK; i++) {
        if ((e = prune_vessel(s, v[i], cut, removed)) != ALD_E_OK)
            break;
        /* none left but a latest position since the cut: that is its first */
        q = store_stmt(s, "UPDATE th_vessel SET first_t = coalesce("
                          "(SELECT min(t0) FROM th_chunk WHERE mmsi = ?1), last_t) WHERE mmsi = ?1");
        if (!q) {
            e = ALD_E_STORE;
            break;
        }
        sqlite3_bind_int64(q, 1, v[i]);
        e = store_step_done(s, q, "track history: pruning a vessel");
    }
    free(v);
    if (e != ALD_E_OK)
        return e;
    /* vessels not heard within the window (their points went above) */
    q = store_stmt(s, "DELETE FROM th_vessel WHERE last_t < ?");
    if (!q)
        return ALD_E_STORE;
    sqlite3_bind_int64(q, 1, cut);
    if ((e = store_step_done(s, q, "track history: pruning vessels")) == ALD_E_OK)
        *removed += (size_t)sqlite3_changes(db);
    return e;
}

ald_err th_prune(store *s, int64_t before_us, size_t *removed)
{
    size_t r = 0;
    ald_err e = ensure(s);
    if (e != ALD_E_OK || (e = store_begin(s)) != ALD_E_OK)
        return e;
    if ((e = prune_all(s, secs(before_us), &r)) != ALD_E_OK) {
        store_rollback(s);
        return e;
    }
    if ((e = store_commit(s)) != ALD_E_OK)
        store_rollback(s);
    else if (removed)
        *removed = r;
    return e;
}

/* ---- reading ---- */

static bool in_box(double lat, double lon, double w, double s, double e, double n)
{
    if (lat < s || lat > n)
        return false;
    return w <= e ? lon >= w && lon <= e : lon >= w || lon <= e;
}

/* A point from columns at..at+5 (t, lat, lon, sog, cog, hd). */
static struct th_point col_point(sqlite3_stmt *q, int at, uint32_t mmsi)
{
    struct th_point p = {
        .mmsi = mmsi,
        .t_us = sqlite3_column_int64(q, at) * 1000000,
        .lat = (double)sqlite3_column_int64(q, at + 1) / 1e6,
        .lon = (double)sqlite3_column_int64(q, at + 2) / 1e6,
        .sog = NAN, .cog = NAN, .heading = -1,
    };
    if (sqlite3_column_type(q, at + 3) != SQLITE_NULL)
        p.sog = (float)sqlite3_column_int(q, at + 3) / 10.0f;
    if (sqlite3_column_type(q, at + 4) != SQLITE_NULL)
        p.cog = (float)sqlite3_column_int(q, at + 4) / 10.0f;
    if (sqlite3_column_type(q, at + 5) != SQLITE_NULL)
        p.heading = (int16_t)sqlite3_column_int(q, at + 5);
    return p;
}

ald_err th_at(store *s, int64_t at_us, int64_t max_age_us, double west, double south,
              double east, double north, th_skip_fn skip, th_point_fn fn, void *ctx,
              size_t *found)
{
    size_t hits = 0;
    ald_err e = ensure(s);
    if (e != ALD_E_OK)
        return e;
    int64_t at = secs(at_us);
    /* max_age to the second, rounded up: never drops what the picture keeps */
    int64_t oldest = max_age_us > 0 ? at - (max_age_us + 999999) / 1000000 : INT64_MIN;
    sqlite3_stmt *v = store_stmt(s, "SELECT mmsi, coalesce(type, 0), last_t, lat, lon, sog, cog,"
                                    " hd FROM th_vessel WHERE first_t <= ?1 AND last_t >= ?2");
    if (!v)
        return ALD_E_STORE;
    sqlite3_bind_int64(v, 1, at);
    sqlite3_bind_int64(v, 2, oldest);
    int rc;
    while ((rc = sqlite3_step(v)) == SQLITE_ROW) {
        uint32_t mmsi = (uint32_t)sqlite3_column_int64(v, 0);
        if (skip && skip(ctx, mmsi))
            continue;
        uint8_t type = (uint8_t)sqlite3_column_int(v, 1);
        struct th_point p;
        if (sqlite3_column_int64(v, 2) <= at) {
            p = col_point(v, 2, mmsi);   /* the latest is the answer */
        } else {
            /* the chunk that holds it: the last starting at or before at */
            sqlite3_stmt *q = store_stmt(s, "SELECT t0, pts FROM th_chunk WHERE mmsi = ?"
                                            " AND t0 <= ? ORDER BY t0 DESC LIMIT 1");
            if (!q) {
                sqlite3_reset(v);
                return ALD_E_STORE;
            }
            sqlite3_bind_int64(q, 1, mmsi);
            sqlite3_bind_int64(q, 2, at);
            int r2 = sqlite3_step(q);
            if (r2 == SQLITE_ROW) {
                int64_t t0 = sqlite3_column_int64(q, 0);
                const uint8_t *b = sqlite3_column_blob(q, 1);
                size_t n = (size_t)sqlite3_column_bytes(q, 1), i = 0;
                struct cpt c[2];
                int k = 0;       /* c[k & 1]: the last decoded */
                if (b && decode(b, n, &i, t0, NULL, &c[0])) {
                    while (decode(b, n, &i, t0, &c[k & 1], &c[(k + 1) & 1]) &&
                           c[(k + 1) & 1].t <= at)
                        k++;
                    p = from_cpt(&c[k & 1], mmsi);
                } else {
                    r2 = SQLITE_DONE;    /* an empty or damaged chunk: no answer */
                }
            }
            sqlite3_reset(q);
            if (r2 == SQLITE_DONE)
                continue;            /* pruned under it, or none kept before at */
            if (r2 != SQLITE_ROW) {
                sqlite3_reset(v);
                return store_fail_db(s, "track history: a vessel's point");
            }
            if (p.t_us / 1000000 < oldest)
                continue;            /* a stale ghost */
        }
        if (!in_box(p.lat, p.lon, west, south, east, north))
            continue;
        hits++;
        if (fn)
            fn(ctx, &p, type);
    }
    sqlite3_reset(v);
    if (rc != SQLITE_DONE)
        return store_fail_db(s, "track history: the vessels at a time");
    if (found)
        *found = hits;
    return ALD_E_OK;
}

ald_err th_track(store *s, uint32_t mmsi, int64_t from_us, int64_t to_us, size_t cap,
                 th_point_fn fn, void *ctx, size_t *n)
{
    *n = 0;
    ald_err e = ensure(s);
    if (e != ALD_E_OK || cap == 0)
        return e;
    /* the latest cap points, newest first (chunks newest first, each
     * read backwards), handed back oldest first */
    int64_t from = from_us ? secs(from_us + 999999) : INT64_MIN;
    int64_t to = to_us ? secs(to_us) : INT64_MAX;
    sqlite3_stmt *q = store_stmt(s, "SELECT t0, pts FROM th_chunk WHERE mmsi = ? AND t0 <= ?"
                                    " AND t1 >= ? ORDER BY t0 DESC");
    if (!q)
        return ALD_E_STORE;
    sqlite3_bind_int64(q, 1, mmsi);
    sqlite3_bind_int64(q, 2, to);
    sqlite3_bind_int64(q, 3, from);
    struct th_point *buf = NULL;
    size_t k = 0, bcap = 0;
    struct cpt pt[CHUNK_POINTS_MAX];
    int rc;
    while (k < cap && (rc = sqlite3_step(q)) == SQLITE_ROW) {
        const uint8_t *b = sqlite3_column_blob(q, 1);
        size_t np = b ? decode_all(b, (size_t)sqlite3_column_bytes(q, 1),
                                   sqlite3_column_int64(q, 0), pt) : 0;
        for (size_t j = np; j-- > 0 && k < cap;) {
            if (pt[j].t > to || pt[j].t < from)
                continue;
            if (k == bcap) {
                size_t nc = bcap ? bcap * 2 : 256;
                struct th_point *nb = realloc(buf, nc * sizeof *nb);
                if (!nb) {
                    sqlite3_reset(q);
                    free(buf);
                    return store_fail(s, ALD_E_NOMEM, "track history: out of memory");
                }
                buf = nb;
                bcap = nc;
            }
            buf[k++] = from_cpt(&pt[j], mmsi);
        }
    }
    if (k >= cap)
        rc = SQLITE_DONE;
    sqlite3_reset(q);
    if (rc != SQLITE_DONE) {
        free(buf);
        return store_fail_db(s, "track history: a vessel's track");
    }
    for (size_t i = k; i-- > 0;)
        if (fn)
            fn(ctx, &buf[i], 0);
    free(buf);
    *n = k;
    return ALD_E_OK;
}

static void col_static(sqlite3_stmt *q, int at, uint32_t mmsi, struct th_static *st)
{
    memset(st, 0, sizeof *st);
    st->mmsi = mmsi;
    const unsigned char *t;
    if ((t = sqlite3_column_text(q, at)))
        snprintf(st->name, sizeof st->name, "%s", (const char *)t);
    if ((t = sqlite3_column_text(q, at + 1)))
        snprintf(st->callsign, sizeof st->callsign, "%s", (const char *)t);
    if ((t = sqlite3_column_text(q, at + 2)))
        snprintf(st->destination, sizeof st->destination, "%s", (const char *)t);
    st->imo = (uint32_t)sqlite3_column_int64(q, at + 3);
    st->type = (uint8_t)sqlite3_column_int(q, at + 4);
}

ald_err th_latest(store *s, int64_t since_us, th_vessel_fn fn, void *ctx)
{
    ald_err e = ensure(s);
    if (e != ALD_E_OK)
        return e;
    sqlite3_stmt *q = store_stmt(s, "SELECT mmsi, last_t, lat, lon, sog, cog, hd, name, callsign,"
                                    " destination, imo, type FROM th_vessel WHERE last_t >= ?"
                                    " ORDER BY last_t");
    if (!q)
        return ALD_E_STORE;
    sqlite3_bind_int64(q, 1, secs(since_us));
    int rc;
    while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
        uint32_t mmsi = (uint32_t)sqlite3_column_int64(q, 0);
        struct th_point p = col_point(q, 1, mmsi);
        struct th_static st;
        col_static(q, 7, mmsi, &st);
        fn(ctx, &p, &st);
    }
    sqlite3_reset(q);
    return rc == SQLITE_DONE ? ALD_E_OK : store_fail_db(s, "track history: latest positions");
}

ald_err th_static_get(store *s, uint32_t mmsi, struct th_static *st)
{
    ald_err e = ensure(s);
    if (e != ALD_E_OK)
        return e;
    sqlite3_stmt *q = store_stmt(s, "SELECT name, callsign, destination, imo, type"
                                    " FROM th_vessel WHERE mmsi = ?");
    if (!q)
        return ALD_E_STORE;
    sqlite3_bind_int64(q, 1, mmsi);
    int rc = sqlite3_step(q);
    if (rc == SQLITE_ROW)
        col_static(q, 0, mmsi, st);
    sqlite3_reset(q);
    if (rc == SQLITE_ROW)
        return ALD_E_OK;
    if (rc == SQLITE_DONE)
        return store_fail(s, ALD_E_NOT_FOUND, "track history: no vessel %u", (unsigned)mmsi);
    return store_fail_db(s, "track history: static data");
}

ald_err th_span(store *s, int64_t *first_us, int64_t *last_us)
{
    *first_us = *last_us = 0;
    ald_err e = ensure(s);
    if (e != ALD_E_OK)
        return e;
    sqlite3_stmt *q = store_stmt(s, "SELECT min(first_t), max(last_t) FROM th_vessel");
    if (!q)
        return ALD_E_STORE;
    int rc = sqlite3_step(q);
    if (rc == SQLITE_ROW) {
        *first_us = sqlite3_column_int64(q, 0) * 1000000;
        *last_us = sqlite3_column_int64(q, 1) * 1000000;
    }
    sqlite3_reset(q);
    return rc == SQLITE_ROW ? ALD_E_OK : store_fail_db(s, "track history: span");
}
