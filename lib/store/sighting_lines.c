/*
 * sighting_lines.c - the raw log lines behind sightings, local evidence
 * kept beside the STIX store (sighting_lines.h): an in-memory collector
 * bounded per sighting, and the sighting_line table that store.c knows
 * nothing about (store_int.h: this file creates it on first use).
 *
 * Ranks: the n-th hit of a sighting that offered a line has seq n. The
 * table keeps seq 1..SL_KEEP_FIRST and the SL_KEEP_LAST highest; MAX(seq)
 * is therefore the number of hits that offered a line (the last one is
 * always kept). A batch appended after stored lines ranks after them, so
 * "first 20 and last 20" holds over the whole life of a sighting, however
 * it was cut into batches.
 */
#include "alidade/sighting_lines.h"

#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "store_int.h"

/* ---- collector ---- */

struct kept {
    char *source, *file, *text;
    size_t len;
    uint64_t line;
    int64_t offset, time_us;
    bool truncated;
};

struct entry {
    char *id;
    uint64_t hash;
    uint64_t total;                          /* hits that offered a line */
    struct kept first[SL_KEEP_FIRST];        /* ranks 1..SL_KEEP_FIRST */
    struct kept last[SL_KEEP_LAST];          /* ring over the later ranks */
};

struct sighting_lines {
    struct entry **slots;                    /* open addressing, power of two */
    size_t cap, n;
};

static uint64_t fnv1a(const char *s)
{
    uint64_t h = 1469598103934665603ULL;
    for (; *s; s++) {
        h ^= (unsigned char)*s;
        h *= 1099511628211ULL;
    }
    return h;
}

static void kept_clear(struct kept *k)
{
    free(k->source);
    free(k->file);
    free(k->text);
    memset(k, 0, sizeof *k);
}

static void entry_free(struct entry *e)
{
    if (!e)
        return;
    for (size_t i = 0; i < SL_KEEP_FIRST; i++)
        kept_clear(&e->first[i]);
    for (size_t i = 0; i < SL_KEEP_LAST; i++)
        kept_clear(&e->last[i]);
    free(e->id);
    free(e);
}

sighting_lines *sighting_lines_new(void)
{
    sighting_lines *c = calloc(1, sizeof *c);
    if (!c)
        return NULL;
    c->cap = 64;
    c->slots = calloc(c->cap, sizeof *c->slots);
    if (!c->slots) {
        free(c);
        return NULL;
    }
    return c;
}

void sighting_lines_free(sighting_lines *c)
{
    if (!c)
        return;
    for (size_t i = 0; i < c->cap; i++)
        entry_free(c->slots[i]);
    free(c->slots);
    free(c);
}

size_t sighting_lines_count(const sighting_lines *c)
{
    return c ? c->n : 0;
}

static size_t slot_of(const sighting_lines *c, const char *id, uint64_t h)
{
    size_t j = h & (c->cap - 1);
    while (c->slots[j] && (c->slots[j]->hash != h || strcmp(c->slots[j]->id, id) != 0))
        j = (j + 1) & (c->cap - 1);
    return j;
}

static int grow(sighting_lines *c)
{
    size_t cap = c->cap * 2;
    struct entry **ns = calloc(cap, sizeof *ns);
    if (!ns)
        return -1;
    for (size_t i = 0; i < c->cap; i++) {
        struct entry *e = c->slots[i];
        if (!e)
            continue;
        size_t j = e->hash & (cap - 1);
        while (ns[j])
            j = (j + 1) & (cap - 1);
        ns[j] = e;
    }
    free(c->slots);
    c->slots = ns;
    c->cap = cap;
    return 0;
}

static char *dup0(const char *s)
{
    return strdup(s ? s : "");
}

ald_err sighting_lines_add(sighting_lines *c, const char *sighting_id,
                           const struct sighting_line *l)
{
    if (!c || !sighting_id || !*sighting_id || !l)
        return ALD_E_ARG;
    if ((c->n + 1) * 4 > c->cap * 3 && grow(c) != 0)
        return ALD_E_NOMEM;
    uint64_t h = fnv1a(sighting_id);
    size_t j = slot_of(c, sighting_id, h);
    struct entry *e = c->slots[j];
    if (!e) {
        e = calloc(1, sizeof *e);
        if (!e || !(e->id = strdup(sighting_id))) {
            free(e);
            return ALD_E_NOMEM;
        }
        e->hash = h;
        c->slots[j] = e;
        c->n++;
    }
    uint64_t rank = e->total + 1;
    struct kept *k = rank <= SL_KEEP_FIRST ? &e->first[rank - 1]
                                           : &e->last[(rank - SL_KEEP_FIRST - 1) % SL_KEEP_LAST];
    kept_clear(k);
    size_t len = l->text ? l->len : 0;
    k->truncated = len > SL_TEXT_MAX;
    if (k->truncated) {
        len = SL_TEXT_MAX;
        /* not inside a UTF-8 sequence */
        while (len > 0 && ((unsigned char)l->text[len] & 0xC0) == 0x80)
            len--;
    }
    k->source = dup0(l->source);
    k->file = dup0(l->file);
    k->text = malloc(len + 1);
    if (!k->source || !k->file || !k->text) {
        kept_clear(k);
        return ALD_E_NOMEM;
    }
    if (len)
        memcpy(k->text, l->text, len);
    k->text[len] = '\0';
    k->len = len;
    k->line = l->line;
    k->offset = l->offset;
    k->time_us = l->time_us;
    e->total = rank;
    return ALD_E_OK;
}

/* ---- the table ---- */

static const char schema_sql[] =
    "CREATE TABLE IF NOT EXISTS sighting_line("
    " sighting TEXT NOT NULL, seq INTEGER NOT NULL, source TEXT NOT NULL,"
    " file TEXT NOT NULL, line INTEGER, offset INTEGER, time_us INTEGER,"
    " truncated INTEGER NOT NULL DEFAULT 0, text BLOB NOT NULL,"
    " PRIMARY KEY(sighting, seq));"
    /* the last version of the sighting left every collection: its lines
     * go with it (TAXII DELETE, or any later deletion path) */
    "CREATE TRIGGER IF NOT EXISTS sighting_line_gone AFTER DELETE ON object"
    " WHEN OLD.type = 'sighting' AND NOT EXISTS(SELECT 1 FROM object"
    " WHERE coll IN (SELECT seq FROM collection) AND id = OLD.id)"
    " BEGIN DELETE FROM sighting_line WHERE sighting = OLD.id; END";

/* The table and its trigger, made once per store (store_int.h; the
 * trigger is looked for, so a store made before it gets it). */
static ald_err ensure(store *s)
{
    return store_local_schema(s, "sighting_line_gone", schema_sql, "sighting lines");
}

/* Whether the table exists (a store that never had lines: nothing to read,
 * and a reader must not create tables). -1 on error. */
static int exists(store *s)
{
    return store_has(s, "sighting_line");
}

static ald_err insert(store *s, const char *id, uint64_t seq, const struct kept *k)
{
    sqlite3_stmt *st = store_stmt(s, "INSERT OR REPLACE INTO sighting_line(sighting, seq,"
                                     " source, file, line, offset, time_us, truncated, text)"
                                     " VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)");
    if (!st)
        return ALD_E_STORE;
    sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, (sqlite3_int64)seq);
    sqlite3_bind_text(st, 3, k->source, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 4, k->file, -1, SQLITE_STATIC);
    if (k->line)
        sqlite3_bind_int64(st, 5, (sqlite3_int64)k->line);
    if (k->offset >= 0)
        sqlite3_bind_int64(st, 6, k->offset);
    if (k->time_us != INT64_MIN)
        sqlite3_bind_int64(st, 7, k->time_us);
    sqlite3_bind_int(st, 8, k->truncated);
    sqlite3_bind_blob(st, 9, k->text, (int)k->len, SQLITE_STATIC);
    return store_step_done(s, st, "sighting lines: insert");
}

static ald_err put_entry(store *s, const struct entry *e, bool replace)
{
    ald_err r;
    uint64_t base = 0;
    if (replace) {
        sqlite3_stmt *st = store_stmt(s, "DELETE FROM sighting_line WHERE sighting = ?1");
        if (!st)
            return ALD_E_STORE;
        sqlite3_bind_text(st, 1, e->id, -1, SQLITE_STATIC);
        if ((r = store_step_done(s, st, "sighting lines: replace")) != ALD_E_OK)
            return r;
    } else {
        sqlite3_stmt *st = store_stmt(s, "SELECT COALESCE(MAX(seq), 0) FROM sighting_line"
                                         " WHERE sighting = ?1");
        if (!st)
            return ALD_E_STORE;
        sqlite3_bind_text(st, 1, e->id, -1, SQLITE_STATIC);
        int rc = sqlite3_step(st);
        if (rc == SQLITE_ROW)
            base = (uint64_t)sqlite3_column_int64(st, 0);
        sqlite3_reset(st);
        if (rc != SQLITE_ROW)
            return store_fail_db(s, "sighting lines: rank");
    }
    /* the batch's ranks it still holds: 1..SL_KEEP_FIRST and its last ones */
    for (uint64_t p = 1; p <= e->total && p <= SL_KEEP_FIRST; p++)
        if ((r = insert(s, e->id, base + p, &e->first[p - 1])) != ALD_E_OK)
            return r;
    uint64_t from = e->total > SL_KEEP_LAST ? e->total - SL_KEEP_LAST + 1 : 1;
    if (from <= SL_KEEP_FIRST)
        from = SL_KEEP_FIRST + 1;
    for (uint64_t p = from; p <= e->total; p++)
        if ((r = insert(s, e->id, base + p,
                        &e->last[(p - SL_KEEP_FIRST - 1) % SL_KEEP_LAST])) != ALD_E_OK)
            return r;
    /* the bounds over the stored lines and these together */
    uint64_t top = base + e->total;
    if (top > SL_KEEP_FIRST + SL_KEEP_LAST) {
        sqlite3_stmt *st = store_stmt(s, "DELETE FROM sighting_line WHERE sighting = ?1"
                                         " AND seq > ?2 AND seq <= ?3");
        if (!st)
            return ALD_E_STORE;
        sqlite3_bind_text(st, 1, e->id, -1, SQLITE_STATIC);
        sqlite3_bind_int64(st, 2, SL_KEEP_FIRST);
        sqlite3_bind_int64(st, 3, (sqlite3_int64)(top - SL_KEEP_LAST));
        if ((r = store_step_done(s, st, "sighting lines: bound")) != ALD_E_OK)
            return r;
    }
    return ALD_E_OK;
}

ald_err sighting_lines_put(store *s, const sighting_lines *c, bool replace)
{
    if (!c || c->n == 0)
        return ALD_E_OK;
    ald_err r = ensure(s);
    for (size_t i = 0; r == ALD_E_OK && i < c->cap; i++)
        if (c->slots[i])
            r = put_entry(s, c->slots[i], replace);
    return r;
}

ald_err sighting_lines_get(store *s, const char *sighting_id, sighting_line_fn fn, void *ctx,
                           uint64_t *total)
{
    if (total)
        *total = 0;
    int ex = exists(s);
    if (ex <= 0)
        return ex < 0 ? ALD_E_STORE : ALD_E_OK;
    sqlite3_stmt *st = store_stmt(s, "SELECT seq, source, file, line, offset, time_us,"
                                     " truncated, text FROM sighting_line WHERE sighting = ?1"
                                     " ORDER BY seq");
    if (!st)
        return ALD_E_STORE;
    sqlite3_bind_text(st, 1, sighting_id, -1, SQLITE_STATIC);
    int rc;
    bool stop = false;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        uint64_t seq = (uint64_t)sqlite3_column_int64(st, 0);
        if (total && seq > *total)
            *total = seq;
        if (stop)
            continue;            /* walk on: total is the highest rank */
        const char *src = (const char *)sqlite3_column_text(st, 1);
        const char *file = (const char *)sqlite3_column_text(st, 2);
        const void *text = sqlite3_column_blob(st, 7);
        struct sighting_line l = {
            .source = src ? src : "",
            .file = file ? file : "",
            .line = sqlite3_column_type(st, 3) == SQLITE_NULL
                        ? 0 : (uint64_t)sqlite3_column_int64(st, 3),
            .offset = sqlite3_column_type(st, 4) == SQLITE_NULL ? -1
                                                                : sqlite3_column_int64(st, 4),
            .time_us = sqlite3_column_type(st, 5) == SQLITE_NULL
                           ? INT64_MIN : sqlite3_column_int64(st, 5),
            .text = text ? text : "",
            .len = (size_t)sqlite3_column_bytes(st, 7),
            .seq = seq,
            .truncated = sqlite3_column_int(st, 6) != 0,
        };
        if (fn && fn(ctx, &l) != 0)
            stop = true;
    }
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? ALD_E_OK : store_fail_db(s, "sighting lines: read");
}

ald_err sighting_lines_prune(store *s, size_t *removed)
{
    if (removed)
        *removed = 0;
    int ex = exists(s);
    if (ex <= 0)
        return ex < 0 ? ALD_E_STORE : ALD_E_OK;
    ald_err r = ensure(s);          /* the trigger, on stores made before it */
    if (r != ALD_E_OK)
        return r;
    sqlite3_stmt *st = store_stmt(s, "DELETE FROM sighting_line WHERE sighting NOT IN"
                                     " (SELECT id FROM object WHERE type = 'sighting')");
    if (!st)
        return ALD_E_STORE;
    r = store_step_done(s, st, "sighting lines: prune");
    if (r == ALD_E_OK && removed)
        *removed = (size_t)sqlite3_changes(store_sqlite(s));
    return r;
}
