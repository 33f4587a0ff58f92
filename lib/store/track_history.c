/*
 * track_history.c - the downsampled vessel history of the node
 * (track_history.h): two local tables of the store that store.c knows
 * nothing about (store_int.h: created here on first use).
 *
 *   th_point   the kept points, WITHOUT ROWID, key (mmsi, t): a vessel's
 *              points are one contiguous run of the B-tree, so a track
 *              (mmsi, time range) is one range scan and "the last point at
 *              or before T" one seek; no index on t alone (it would cost
 *              as much again): the time and box queries go through
 *              th_vessel below.
 *   th_vessel  one row per vessel: the time of its oldest kept point
 *              (first_t), its latest position in full (last_t ...: not
 *              downsampled, written with every batch) and its static data.
 *              The time query reads it whole (100,000 small rows) and
 *              seeks th_point only for the vessels whose latest position
 *              is later than the time asked; pruning visits only the
 *              vessels whose first_t is older than the window.
 *
 * Row cost: a point is about 30 bytes of record (mmsi, t, lat and lon as
 * integers of 1e-6 degree, speed and course in tenths, heading) in pages
 * filled by appends at the end of each vessel's run; test_track_history
 * measures bytes per point and per vessel-day.
 */
#include "alidade/track_history.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "store_int.h"

#define M_PER_DEG 111194.9          /* metres per degree of a great circle (R 6371 km) */

static const char schema_sql[] =
    "CREATE TABLE IF NOT EXISTS th_point("
    " mmsi INTEGER NOT NULL, t INTEGER NOT NULL,"
    " lat INTEGER NOT NULL, lon INTEGER NOT NULL,"
    " sog INTEGER, cog INTEGER, hd INTEGER,"
    " PRIMARY KEY (mmsi, t)) WITHOUT ROWID;"
    "CREATE TABLE IF NOT EXISTS th_vessel("
    " mmsi INTEGER PRIMARY KEY, first_t INTEGER, last_t INTEGER,"
    " lat INTEGER, lon INTEGER, sog INTEGER, cog INTEGER, hd INTEGER,"
    " name TEXT, callsign TEXT, destination TEXT, imo INTEGER, type INTEGER)";

/* The tables, made once per connection (CREATE ... IF NOT EXISTS is cheap
 * but takes the schema lock: it is not run on every call). */
static ald_err ensure(store *s)
{
    sqlite3 *db = store_sqlite(s);
    sqlite3_stmt *q = store_stmt(s, "SELECT 1 FROM sqlite_master WHERE name = 'th_vessel'");
    if (!q)
        return ALD_E_STORE;
    int rc = sqlite3_step(q);
    sqlite3_reset(q);
    if (rc == SQLITE_ROW)
        return ALD_E_OK;
    if (rc != SQLITE_DONE)
        return store_fail_db(s, "track history: schema");
    if (sqlite3_exec(db, schema_sql, NULL, NULL, NULL) != SQLITE_OK)
        return store_fail_db(s, "track history: creating its tables");
    return ALD_E_OK;
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

static ald_err step_done(store *s, sqlite3_stmt *q, const char *what)
{
    int rc = sqlite3_step(q);
    sqlite3_reset(q);
    return rc == SQLITE_DONE ? ALD_E_OK : store_fail_db(s, what);
}

static void bind_text(sqlite3_stmt *q, int at, const char *s, size_t cap)
{
    size_t n = strnlen(s, cap);
    if (n)
        sqlite3_bind_text(q, at, s, (int)n, SQLITE_TRANSIENT);
    else
        sqlite3_bind_null(q, at);
}

static ald_err write_all(store *s, const struct th_point *kept, size_t nkept,
                         const struct th_point *latest, size_t nlatest,
                         const struct th_static *st, size_t nst)
{
    ald_err e = ALD_E_OK;
    for (size_t i = 0; i < nkept && e == ALD_E_OK; i++) {
        sqlite3_stmt *q = store_stmt(s, "INSERT OR IGNORE INTO th_point"
                                        "(mmsi, t, lat, lon, sog, cog, hd) VALUES (?,?,?,?,?,?,?)");
        if (!q)
            return ALD_E_STORE;
        sqlite3_bind_int64(q, 1, kept[i].mmsi);
        bind_pos(q, 2, &kept[i]);
        if ((e = step_done(s, q, "track history: writing a point")) != ALD_E_OK)
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
        e = step_done(s, q, "track history: a vessel's first point");
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
        e = step_done(s, q, "track history: a vessel's latest position");
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
        bind_text(q, 2, st[i].name, sizeof st[i].name);
        bind_text(q, 3, st[i].callsign, sizeof st[i].callsign);
        bind_text(q, 4, st[i].destination, sizeof st[i].destination);
        if (st[i].imo)
            sqlite3_bind_int64(q, 5, st[i].imo);
        if (st[i].type)
            sqlite3_bind_int(q, 6, st[i].type);
        e = step_done(s, q, "track history: static data");
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
        q = store_stmt(s, "DELETE FROM th_point WHERE mmsi = ? AND t < ?");
        if (!q) {
            e = ALD_E_STORE;
            break;
        }
        sqlite3_bind_int64(q, 1, v[i]);
        sqlite3_bind_int64(q, 2, cut);
        if ((e = step_done(s, q, "track history: pruning points")) != ALD_E_OK)
            break;
        *removed += (size_t)sqlite3_changes(db);
        q = store_stmt(s, "UPDATE th_vessel SET first_t ="
                          " (SELECT min(t) FROM th_point WHERE mmsi = ?1) WHERE mmsi = ?1");
        if (!q) {
            e = ALD_E_STORE;
            break;
        }
        sqlite3_bind_int64(q, 1, v[i]);
        e = step_done(s, q, "track history: pruning a vessel");
    }
    free(v);
    if (e != ALD_E_OK)
        return e;
    /* vessels not heard within the window (their points went above) */
    q = store_stmt(s, "DELETE FROM th_vessel WHERE last_t < ?");
    if (!q)
        return ALD_E_STORE;
    sqlite3_bind_int64(q, 1, cut);
    if ((e = step_done(s, q, "track history: pruning vessels")) == ALD_E_OK)
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
            sqlite3_stmt *q = store_stmt(s, "SELECT t, lat, lon, sog, cog, hd FROM th_point"
                                            " WHERE mmsi = ? AND t <= ? ORDER BY t DESC LIMIT 1");
            if (!q) {
                sqlite3_reset(v);
                return ALD_E_STORE;
            }
            sqlite3_bind_int64(q, 1, mmsi);
            sqlite3_bind_int64(q, 2, at);
            int r2 = sqlite3_step(q);
            if (r2 == SQLITE_ROW)
                p = col_point(q, 0, mmsi);
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
    /* the latest cap points, newest first, handed back oldest first */
    sqlite3_stmt *q = store_stmt(s, "SELECT t, lat, lon, sog, cog, hd FROM th_point WHERE mmsi = ?"
                                    " AND t BETWEEN ? AND ? ORDER BY t DESC LIMIT ?");
    if (!q)
        return ALD_E_STORE;
    sqlite3_bind_int64(q, 1, mmsi);
    sqlite3_bind_int64(q, 2, from_us ? secs(from_us + 999999) : INT64_MIN);
    sqlite3_bind_int64(q, 3, to_us ? secs(to_us) : INT64_MAX);
    sqlite3_bind_int64(q, 4, cap > INT64_MAX ? INT64_MAX : (sqlite3_int64)cap);
    struct th_point *buf = NULL;
    size_t k = 0, bcap = 0;
    int rc;
    while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
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
        buf[k++] = col_point(q, 0, mmsi);
    }
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
