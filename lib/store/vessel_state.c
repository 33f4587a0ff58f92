/*
 * vessel_state.c - the live node's per-vessel records across restarts
 * (vessel_state.h) in the store's local table vessel_state, which store.c
 * knows nothing about (store_int.h: this file creates it on first use).
 *
 * One row per MMSI (the rowid: the upsert is one B-tree probe), the fix
 * times of the regularity test as a 4-byte little-endian blob, oldest
 * first. An index on the last fix time serves the start (records of the
 * last 30 days) and the pruning of older ones.
 */
#include "alidade/vessel_state.h"

#include <string.h>

#include <sqlite3.h>

#include "store_int.h"

static const char schema_sql[] =
    "CREATE TABLE IF NOT EXISTS vessel_state("
    " mmsi INTEGER PRIMARY KEY, t INTEGER NOT NULL,"
    " lat INTEGER NOT NULL, lon INTEGER NOT NULL, said INTEGER NOT NULL, ring BLOB,"
    " name TEXT, callsign TEXT, imo INTEGER, shiptype INTEGER, length INTEGER,"
    " beam INTEGER, destination TEXT, static_t INTEGER);"
    "CREATE INDEX IF NOT EXISTS vessel_state_t ON vessel_state(t)";

/* The table, made once per store (store_int.h). */
static ald_err ensure(store *s)
{
    return store_local_schema(s, "vessel_state_t", schema_sql, "vessel state");
}

static void copy_text(char *dst, size_t cap, const unsigned char *src)
{
    size_t n = src ? strnlen((const char *)src, cap - 1) : 0;
    if (n)
        memcpy(dst, src, n);
    dst[n] = '\0';
}

ald_err vessel_state_put(store *s, const struct vessel_state *v, size_t n)
{
    ald_err e = n ? ensure(s) : ALD_E_OK;
    for (size_t i = 0; e == ALD_E_OK && i < n; i++) {
        const struct det_vessel_state *g = &v[i].gap;
        const struct trk_static *st = &v[i].st;
        sqlite3_stmt *q = store_stmt(s, "INSERT OR REPLACE INTO vessel_state(mmsi, t, lat, lon,"
                                        " said, ring, name, callsign, imo, shiptype, length,"
                                        " beam, destination, static_t) VALUES (?1, ?2, ?3, ?4,"
                                        " ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)");
        if (!q)
            return ALD_E_STORE;
        unsigned char ring[4 * DET_VESSEL_RING];
        unsigned nr = g->nring < DET_VESSEL_RING ? g->nring : DET_VESSEL_RING;
        for (unsigned k = 0; k < nr; k++)
            for (unsigned b = 0; b < 4; b++)
                ring[4 * k + b] = (unsigned char)(g->ring[k] >> (8 * b));
        sqlite3_bind_int64(q, 1, g->mmsi);
        sqlite3_bind_int64(q, 2, g->t);
        sqlite3_bind_int(q, 3, g->lat);
        sqlite3_bind_int(q, 4, g->lon);
        sqlite3_bind_int(q, 5, g->ongoing);
        sqlite3_bind_blob(q, 6, ring, (int)(4 * nr), SQLITE_TRANSIENT);
        store_bind_field(q, 7, st->name, sizeof st->name);
        store_bind_field(q, 8, st->callsign, sizeof st->callsign);
        sqlite3_bind_int64(q, 9, st->imo);
        sqlite3_bind_int(q, 10, st->shiptype);
        sqlite3_bind_int(q, 11, st->length_m);
        sqlite3_bind_int(q, 12, st->beam_m);
        store_bind_field(q, 13, st->destination, sizeof st->destination);
        sqlite3_bind_int64(q, 14, st->t);
        int rc = sqlite3_step(q);
        sqlite3_reset(q);
        if (rc != SQLITE_DONE)
            e = store_fail_db(s, "vessel state: writing a vessel");
    }
    return e;
}

/* One row (mmsi .. static_t, in schema order) into v. */
static void read_row(sqlite3_stmt *q, struct vessel_state *v)
{
    memset(v, 0, sizeof *v);
    struct det_vessel_state *g = &v->gap;
    struct trk_static *st = &v->st;
    g->mmsi = (uint32_t)sqlite3_column_int64(q, 0);
    g->t = sqlite3_column_int64(q, 1);
    g->lat = sqlite3_column_int(q, 2);
    g->lon = sqlite3_column_int(q, 3);
    g->ongoing = sqlite3_column_int(q, 4);
    const unsigned char *ring = sqlite3_column_blob(q, 5);
    int bytes = sqlite3_column_bytes(q, 5);
    unsigned nr = ring && bytes > 0 ? (unsigned)bytes / 4 : 0;
    g->nring = nr < DET_VESSEL_RING ? nr : DET_VESSEL_RING;
    for (unsigned k = 0; k < g->nring; k++)
        g->ring[k] = (uint32_t)ring[4 * k] | (uint32_t)ring[4 * k + 1] << 8 |
                     (uint32_t)ring[4 * k + 2] << 16 | (uint32_t)ring[4 * k + 3] << 24;
    copy_text(st->name, sizeof st->name, sqlite3_column_text(q, 6));
    copy_text(st->callsign, sizeof st->callsign, sqlite3_column_text(q, 7));
    st->imo = (uint32_t)sqlite3_column_int64(q, 8);
    st->shiptype = (uint8_t)sqlite3_column_int(q, 9);
    st->length_m = (uint16_t)sqlite3_column_int(q, 10);
    st->beam_m = (uint16_t)sqlite3_column_int(q, 11);
    copy_text(st->destination, sizeof st->destination, sqlite3_column_text(q, 12));
    st->t = sqlite3_column_int64(q, 13);
}

ald_err vessel_state_each(store *s, int64_t since_ms,
                          int (*fn)(void *ctx, const struct vessel_state *v), void *ctx)
{
    ald_err e = ensure(s);
    if (e != ALD_E_OK)
        return e;
    sqlite3_stmt *q = store_stmt(s, "SELECT mmsi, t, lat, lon, said, ring, name, callsign, imo,"
                                    " shiptype, length, beam, destination, static_t"
                                    " FROM vessel_state WHERE t >= ?1 ORDER BY t, mmsi");
    if (!q)
        return ALD_E_STORE;
    sqlite3_bind_int64(q, 1, since_ms);
    int rc;
    while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
        struct vessel_state v;
        read_row(q, &v);
        if (fn(ctx, &v) != 0) {
            rc = SQLITE_DONE;
            break;
        }
    }
    sqlite3_reset(q);
    return rc == SQLITE_DONE ? ALD_E_OK : store_fail_db(s, "vessel state: reading");
}

ald_err vessel_state_prune(store *s, int64_t before_ms, size_t *removed)
{
    if (removed)
        *removed = 0;
    ald_err e = ensure(s);
    if (e != ALD_E_OK)
        return e;
    sqlite3_stmt *q = store_stmt(s, "DELETE FROM vessel_state WHERE t < ?1");
    if (!q)
        return ALD_E_STORE;
    sqlite3_bind_int64(q, 1, before_ms);
    int rc = sqlite3_step(q);
    sqlite3_reset(q);
    if (rc != SQLITE_DONE)
        return store_fail_db(s, "vessel state: pruning");
    if (removed)
        *removed = (size_t)sqlite3_changes(store_sqlite(s));
    return ALD_E_OK;
}

ald_err vessel_state_newest(store *s, int64_t *t_ms)
{
    *t_ms = INT64_MIN;
    ald_err e = ensure(s);
    if (e != ALD_E_OK)
        return e;
    sqlite3_stmt *q = store_stmt(s, "SELECT MAX(t) FROM vessel_state");
    if (!q)
        return ALD_E_STORE;
    int rc = sqlite3_step(q);
    if (rc == SQLITE_ROW && sqlite3_column_type(q, 0) != SQLITE_NULL)
        *t_ms = sqlite3_column_int64(q, 0);
    sqlite3_reset(q);
    return rc == SQLITE_ROW || rc == SQLITE_DONE ? ALD_E_OK
                                                 : store_fail_db(s, "vessel state: newest");
}
