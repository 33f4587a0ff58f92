/*
 * store.c - the node's embedded store over SQLite (store.h, docs/store.md).
 *
 * One file DIR/alidade.db in WAL mode, so `alidade serve` keeps reading while
 * `alidade stix import` writes; every connection waits up to 10 s for a lock
 * (busy timeout) and every write transaction is BEGIN IMMEDIATE, so the
 * date_added of a new version (max(now, last + 1), kept in the meta table) is
 * computed under the write lock and strictly increases over the whole store.
 *
 * Objects are kept as their original bytes (BLOB) beside the facts the
 * queries and the access policy need. A query walks the collection in
 * (date_added, rowid) order through an index, narrowed in SQL by the filters
 * that concern one row only (match[id], match[type], an explicit
 * match[spec_version], added_after, the cursor). Which versions of an object
 * a page shows (default spec_version, match[version] first/last/timestamps)
 * depends on the other versions of the same object that the caller may see,
 * so for each candidate row the versions of its id are read (index on
 * (collection, id, version_us)) and passed through `visible` first: a hidden
 * version never decides "last", a count or a page boundary.
 *
 * Statements are prepared once per connection and kept in a small cache
 * keyed by their SQL text; rows are handed out as pointers into SQLite's
 * column buffers (no allocation per row). The per-object version list lives
 * in one buffer that only grows.
 */
#include "alidade/store.h"
#include "store_int.h"

#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <sqlite3.h>

#define CACHE_SLOTS 48
#define BUSY_TIMEOUT_MS 10000
/* Values one filter list may hold (match[id]=a,b,... ); more is ALD_E_TOO_LARGE. */
#define FILTER_LIST_MAX 1000
/* match[version] timestamps per query. */
#define VERSION_TS_MAX 64

/* ------------------------------------------------------------------ */
/* Connection, errors, statement cache                                 */
/* ------------------------------------------------------------------ */

struct cached_stmt {
    char *sql;
    uint64_t hash;                   /* of sql: most look-ups compare only this */
    sqlite3_stmt *st;
};

/* One visible version of the object being evaluated. */
struct ver {
    int64_t rowid, version_us, date_added;
    char spec[8];
};

struct store {
    sqlite3 *db;
    char err[320];
    struct cached_stmt cache[CACHE_SLOTS];
    size_t cache_next;               /* round-robin eviction */
    struct ver *vers;                /* grows, never shrinks */
    size_t capvers;
    /* the last collection looked up (collections are never deleted) */
    char seq_id[STORE_UUID_TEXT];
    int64_t seq_val;
    /* last date_added given inside the open write transaction (we hold the
     * write lock, so nobody else changes it); valid only while in_tx */
    bool in_tx, tx_last_valid;
    int64_t tx_last;
    /* the multi table's two lookups (single_version), prepared once and kept
     * out of the statement cache: a query's loop must not evict them, nor
     * they its statements */
    sqlite3_stmt *multi_any, *multi_id;
};

static ald_err fail(store *s, ald_err code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static ald_err fail(store *s, ald_err code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(s->err, sizeof s->err, fmt, ap);
    va_end(ap);
    return code;
}

/* An SQLite failure: ALD_E_STORE with SQLite's message. */
static ald_err fail_db(store *s, const char *what)
{
    return fail(s, ALD_E_STORE, "%s: %s", what, sqlite3_errmsg(s->db));
}

const char *store_errmsg(const store *s)
{
    return s ? s->err : "no store";
}

/* The prepared statement for `sql`, reset and with bindings cleared. A slot
 * whose statement is running (an outer query) is never evicted. NULL with
 * the error set when SQLite refuses the text. */
/* FNV-1a of a NUL-terminated string. */
static uint64_t fnv1a(const char *t)
{
    uint64_t h = 0xcbf29ce484222325ULL;
    for (; *t; t++)
        h = (h ^ (unsigned char)*t) * 0x100000001b3ULL;
    return h;
}

static sqlite3_stmt *stmt(store *s, const char *sql)
{
    uint64_t h = fnv1a(sql);
    for (size_t i = 0; i < CACHE_SLOTS; i++)
        if (s->cache[i].sql && s->cache[i].hash == h && strcmp(s->cache[i].sql, sql) == 0) {
            sqlite3_reset(s->cache[i].st);
            sqlite3_clear_bindings(s->cache[i].st);
            return s->cache[i].st;
        }
    size_t slot = CACHE_SLOTS;
    for (size_t k = 0; k < CACHE_SLOTS; k++) {
        size_t i = (s->cache_next + k) % CACHE_SLOTS;
        if (!s->cache[i].sql || !sqlite3_stmt_busy(s->cache[i].st)) {
            slot = i;
            break;
        }
    }
    if (slot == CACHE_SLOTS) {
        fail(s, ALD_E_STORE, "statement cache full");
        return NULL;
    }
    s->cache_next = (slot + 1) % CACHE_SLOTS;
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v3(s->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &st, NULL) != SQLITE_OK) {
        fail_db(s, "prepare");
        return NULL;
    }
    char *copy = strdup(sql);
    if (!copy) {
        sqlite3_finalize(st);
        fail(s, ALD_E_NOMEM, "out of memory");
        return NULL;
    }
    if (s->cache[slot].sql) {
        sqlite3_finalize(s->cache[slot].st);
        free(s->cache[slot].sql);
    }
    s->cache[slot].sql = copy;
    s->cache[slot].hash = h;
    s->cache[slot].st = st;
    return st;
}

/* Runs a statement that returns no rows (or whose rows are ignored). */
static ald_err step_done(store *s, sqlite3_stmt *st, const char *what)
{
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW)
        ;
    sqlite3_reset(st);
    if (rc != SQLITE_DONE)
        return fail_db(s, what);
    return ALD_E_OK;
}

static ald_err exec(store *s, const char *sql)
{
    sqlite3_stmt *st = stmt(s, sql);
    if (!st)
        return ALD_E_STORE;
    return step_done(s, st, sql);
}

static void bind_text(sqlite3_stmt *st, int i, const char *t)
{
    sqlite3_bind_text(st, i, t ? t : "", -1, SQLITE_STATIC);
}

/* Copies column i's text into dst[cap] (truncating, always terminated). */
static void col_copy(sqlite3_stmt *st, int i, char *dst, size_t cap)
{
    const unsigned char *t = sqlite3_column_text(st, i);
    snprintf(dst, cap, "%s", t ? (const char *)t : "");
}

/* ------------------------------------------------------------------ */
/* Opening: schema                                                      */
/* ------------------------------------------------------------------ */

/* The schema (docs/store.md). Every statement is idempotent. */
static const char *const schema[] = {
    "CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value INTEGER NOT NULL)",
    "INSERT OR IGNORE INTO meta(key, value) VALUES('last_added', 0)",
    "CREATE TABLE IF NOT EXISTS collection("
    " seq INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE, title TEXT NOT NULL,"
    " description TEXT NOT NULL DEFAULT '', is_default INTEGER NOT NULL DEFAULT 0)",
    /* one row per object version; json is the original text */
    "CREATE TABLE IF NOT EXISTS object("
    " rowid INTEGER PRIMARY KEY, coll INTEGER NOT NULL REFERENCES collection(seq),"
    " id TEXT NOT NULL, type TEXT NOT NULL, spec_version TEXT NOT NULL,"
    " version TEXT NOT NULL, version_us INTEGER NOT NULL, date_added INTEGER NOT NULL,"
    " tlp INTEGER NOT NULL, markings TEXT NOT NULL, created_by_ref TEXT NOT NULL,"
    " recipients TEXT NOT NULL, json BLOB NOT NULL)",
    /* duplicates (same id and version) and the versions of one object */
    "CREATE UNIQUE INDEX IF NOT EXISTS object_version ON object(coll, id, version_us)",
    /* paging in date_added order (rowid is implicitly the last column) */
    "CREATE INDEX IF NOT EXISTS object_added ON object(coll, date_added)",
    /* match[type] */
    "CREATE INDEX IF NOT EXISTS object_type ON object(coll, type, date_added)",
    /* ids that have (or had) more than one version, kept by a trigger in the
     * transaction that adds the second version (deletes leave them: a stale
     * entry only costs the full look at the versions). A query looks at an
     * object's other versions only when its id is here: that look was 70%
     * of the CPU time of a page of 1000 (bench/taxii.sh) */
    "CREATE TABLE IF NOT EXISTS multi(coll INTEGER NOT NULL, id TEXT NOT NULL,"
    " PRIMARY KEY(coll, id)) WITHOUT ROWID",
    "CREATE TRIGGER IF NOT EXISTS object_multi AFTER INSERT ON object"
    " WHEN EXISTS(SELECT 1 FROM object WHERE coll = NEW.coll AND id = NEW.id"
    " AND rowid <> NEW.rowid)"
    " BEGIN INSERT OR IGNORE INTO multi(coll, id) VALUES (NEW.coll, NEW.id); END",
    "CREATE TABLE IF NOT EXISTS status(id TEXT PRIMARY KEY, json BLOB NOT NULL)",
    /* store_state_*: feed offsets, sync cursors, operator accounts */
    "CREATE TABLE IF NOT EXISTS state(key TEXT PRIMARY KEY, value TEXT NOT NULL,"
    " updated INTEGER NOT NULL) WITHOUT ROWID",
    "CREATE TABLE IF NOT EXISTS partner("
    " name TEXT PRIMARY KEY, identity TEXT NOT NULL, token_hash TEXT NOT NULL,"
    " cert_fp TEXT NOT NULL, groups TEXT NOT NULL, read TEXT NOT NULL,"
    " write TEXT NOT NULL, created INTEGER NOT NULL)",
    "CREATE INDEX IF NOT EXISTS partner_token ON partner(token_hash) WHERE token_hash <> ''",
    "CREATE INDEX IF NOT EXISTS partner_cert ON partner(cert_fp) WHERE cert_fp <> ''",
    "CREATE TABLE IF NOT EXISTS audit("
    " seq INTEGER PRIMARY KEY AUTOINCREMENT, at INTEGER NOT NULL, who TEXT NOT NULL,"
    " action TEXT NOT NULL, object TEXT NOT NULL, detail TEXT NOT NULL)",
    "CREATE TRIGGER IF NOT EXISTS audit_no_update BEFORE UPDATE ON audit"
    " BEGIN SELECT RAISE(ABORT, 'audit log is append-only'); END",
    "CREATE TRIGGER IF NOT EXISTS audit_no_delete BEFORE DELETE ON audit"
    " BEGIN SELECT RAISE(ABORT, 'audit log is append-only'); END",
};

/* Columns added after the first release: added to older stores when they
 * open (ALTER TABLE ... ADD COLUMN with a default rewrites nothing), and to
 * new ones the same way, so both take one path. */
static const struct {
    const char *table, *column, *decl;
} added_columns[] = {
    /* provenance: the partner a version came from, "" = here (store.h) */
    {"object", "origin", "TEXT NOT NULL DEFAULT ''"},
    /* federation (docs/federation.md) */
    {"partner", "url", "TEXT NOT NULL DEFAULT ''"},
    {"partner", "pull", "TEXT NOT NULL DEFAULT ''"},
    {"partner", "push", "TEXT NOT NULL DEFAULT ''"},
    {"partner", "push_from", "TEXT NOT NULL DEFAULT ''"},
    {"partner", "pull_into", "TEXT NOT NULL DEFAULT ''"},
    {"partner", "remote_user", "TEXT NOT NULL DEFAULT ''"},
    {"partner", "remote_token", "TEXT NOT NULL DEFAULT ''"},
    {"partner", "reshare", "INTEGER NOT NULL DEFAULT 0"},
    {"partner", "remote_ca", "TEXT NOT NULL DEFAULT ''"},
    {"partner", "remote_cert", "TEXT NOT NULL DEFAULT ''"},
    {"partner", "remote_key", "TEXT NOT NULL DEFAULT ''"},
};

/* Provenance, kept by the audit row that every partner's write already
 * gets (lib/taxii/objects.c, src/fed_pull.c): right after the store_put that
 * added it, in the same transaction, so the version just added is the one
 * with the store's last date_added. Every partner counts, whether it pushes
 * to us as a TAXII client or we pull from it: an AMBER object a partner
 * posted here is that partner's, and forwarding it to a third one (by TAXII
 * read or by our push) is what TLP 2.0 forbids (share_can_read, rule 4). A
 * drill found the leak when only partners with a url counted (a -> b by
 * push, b -> c by push). Another part auditing "write" under a name that is
 * no partner marks nothing. The trigger of the first version (url partners
 * only) is replaced on open. */
static const char origin_trigger_old[] = "DROP TRIGGER IF EXISTS object_origin";
static const char origin_trigger[] =
    "CREATE TRIGGER IF NOT EXISTS object_origin_any AFTER INSERT ON audit"
    " WHEN NEW.action IN ('write', 'fed-pull') AND NEW.who <> 'local'"
    " AND EXISTS(SELECT 1 FROM partner WHERE name = NEW.who)"
    " BEGIN UPDATE object SET origin = NEW.who"
    " WHERE coll = (SELECT seq FROM collection WHERE id = NEW.detail) AND id = NEW.object"
    " AND date_added = (SELECT value FROM meta WHERE key = 'last_added') AND origin = '';"
    " END";

/* Whether table has column (PRAGMA table_info); -1 on error. */
static int has_column(store *s, const char *table, const char *column)
{
    char sql[128];
    snprintf(sql, sizeof sql, "PRAGMA table_info(%s)", table);
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK)
        return -1;
    int found = 0, rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        const unsigned char *n = sqlite3_column_text(st, 1);
        if (n && strcmp((const char *)n, column) == 0)
            found = 1;
    }
    sqlite3_finalize(st);
    return rc == SQLITE_DONE ? found : -1;
}

/* Adds the columns an older store lacks, then the trigger that uses them. */
static ald_err migrate(store *s)
{
    for (size_t i = 0; i < sizeof added_columns / sizeof added_columns[0]; i++) {
        int h = has_column(s, added_columns[i].table, added_columns[i].column);
        if (h < 0)
            return fail_db(s, "schema: table_info");
        if (h)
            continue;
        char sql[256];
        snprintf(sql, sizeof sql, "ALTER TABLE %s ADD COLUMN %s %s", added_columns[i].table,
                 added_columns[i].column, added_columns[i].decl);
        if (sqlite3_exec(s->db, sql, NULL, NULL, NULL) != SQLITE_OK)
            return fail_db(s, "schema: add column");
    }
    if (sqlite3_exec(s->db, origin_trigger_old, NULL, NULL, NULL) != SQLITE_OK ||
        sqlite3_exec(s->db, origin_trigger, NULL, NULL, NULL) != SQLITE_OK)
        return fail_db(s, "schema: origin trigger");
    return ALD_E_OK;
}

/* A random (version 4) UUID from SQLite's CSPRNG (seeded from the OS). */
static void uuid4(char out[STORE_UUID_TEXT])
{
    unsigned char b[16];
    sqlite3_randomness(sizeof b, b);
    b[6] = (unsigned char)((b[6] & 0x0f) | 0x40);
    b[8] = (unsigned char)((b[8] & 0x3f) | 0x80);
    static const char hex[] = "0123456789abcdef";
    size_t o = 0;
    for (int i = 0; i < 16; i++) {
        if (i == 4 || i == 6 || i == 8 || i == 10)
            out[o++] = '-';
        out[o++] = hex[b[i] >> 4];
        out[o++] = hex[b[i] & 15];
    }
    out[o] = '\0';
}

static ald_err insert_collection(store *s, const char *title, const char *description,
                                 bool is_default, char id[STORE_UUID_TEXT])
{
    sqlite3_stmt *st = stmt(s, "INSERT INTO collection(id, title, description, is_default)"
                               " VALUES(?1, ?2, ?3, ?4)");
    if (!st)
        return ALD_E_STORE;
    uuid4(id);
    bind_text(st, 1, id);
    bind_text(st, 2, title);
    bind_text(st, 3, description);
    sqlite3_bind_int(st, 4, is_default);
    return step_done(s, st, "add collection");
}

static ald_err create_schema(store *s)
{
    ald_err e = store_begin(s);
    if (e)
        return e;
    for (size_t i = 0; i < sizeof schema / sizeof schema[0]; i++)
        if (sqlite3_exec(s->db, schema[i], NULL, NULL, NULL) != SQLITE_OK) {
            e = fail_db(s, "schema");
            store_rollback(s);
            return e;
        }
    if ((e = migrate(s)) != ALD_E_OK) {
        store_rollback(s);
        return e;
    }
    /* stores made before the multi table: filled once */
    sqlite3_stmt *st = stmt(s, "SELECT 1 FROM meta WHERE key = 'multi_ready'");
    int rc = st ? sqlite3_step(st) : SQLITE_ERROR;
    if (st)
        sqlite3_reset(st);
    if (rc == SQLITE_DONE &&
        (sqlite3_exec(s->db,
                      "INSERT OR IGNORE INTO multi(coll, id) SELECT coll, id FROM object"
                      " GROUP BY coll, id HAVING count(*) > 1",
                      NULL, NULL, NULL) != SQLITE_OK ||
         sqlite3_exec(s->db, "INSERT INTO meta(key, value) VALUES ('multi_ready', 1)", NULL,
                      NULL, NULL) != SQLITE_OK))
        rc = SQLITE_ERROR;
    if (rc != SQLITE_DONE && rc != SQLITE_ROW) {
        e = st ? fail_db(s, "schema") : ALD_E_STORE;
        store_rollback(s);
        return e;
    }
    st = stmt(s, "SELECT count(*) FROM collection");
    if (!st || sqlite3_step(st) != SQLITE_ROW) {
        e = st ? fail_db(s, "schema") : ALD_E_STORE;
        store_rollback(s);
        return e;
    }
    int64_t n = sqlite3_column_int64(st, 0);
    sqlite3_reset(st);
    if (n == 0) {
        char id[STORE_UUID_TEXT];
        e = insert_collection(s, "Default", "Objects shared with partners by default", true, id);
        if (e) {
            store_rollback(s);
            return e;
        }
    }
    return store_commit(s);
}

store *store_open(const char *dir, char *err, size_t errlen)
{
    if (!dir || !*dir) {
        snprintf(err, errlen, "no data directory given");
        return NULL;
    }
    if (mkdir(dir, 0700) != 0 && errno != EEXIST) {
        snprintf(err, errlen, "%s: %s", dir, strerror(errno));
        return NULL;
    }
    char path[4096];
    if ((size_t)snprintf(path, sizeof path, "%s/%s", dir, STORE_FILE) >= sizeof path) {
        snprintf(err, errlen, "data directory path too long");
        return NULL;
    }
    store *s = calloc(1, sizeof *s);
    if (!s) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    if (sqlite3_open_v2(path, &s->db,
                        SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
                        NULL) != SQLITE_OK) {
        snprintf(err, errlen, "%s: %s", path, s->db ? sqlite3_errmsg(s->db) : "cannot open");
        store_close(s);
        return NULL;
    }
    sqlite3_busy_timeout(s->db, BUSY_TIMEOUT_MS);
    static const char *const pragmas[] = {
        "PRAGMA journal_mode=WAL", "PRAGMA synchronous=NORMAL", "PRAGMA foreign_keys=ON",
        /* 32 MiB of page cache per connection (SQLite's default is 2 MiB):
         * the indexes of a million objects stay in memory */
        "PRAGMA cache_size=-32768",
    };
    for (size_t i = 0; i < sizeof pragmas / sizeof pragmas[0]; i++)
        if (sqlite3_exec(s->db, pragmas[i], NULL, NULL, NULL) != SQLITE_OK) {
            snprintf(err, errlen, "%s: %s: %s", path, pragmas[i], sqlite3_errmsg(s->db));
            store_close(s);
            return NULL;
        }
    if (create_schema(s) != ALD_E_OK) {
        snprintf(err, errlen, "%s: %s", path, s->err);
        store_close(s);
        return NULL;
    }
    return s;
}

void store_close(store *s)
{
    if (!s)
        return;
    for (size_t i = 0; i < CACHE_SLOTS; i++)
        if (s->cache[i].sql) {
            sqlite3_finalize(s->cache[i].st);
            free(s->cache[i].sql);
        }
    sqlite3_finalize(s->multi_any);
    sqlite3_finalize(s->multi_id);
    sqlite3_close(s->db);
    free(s->vers);
    free(s);
}

ald_err store_begin(store *s)
{
    ald_err e = exec(s, "BEGIN IMMEDIATE");
    s->in_tx = e == ALD_E_OK;
    s->tx_last_valid = false;
    return e;
}

ald_err store_commit(store *s)
{
    ald_err e = exec(s, "COMMIT");
    if (e == ALD_E_OK)
        s->in_tx = s->tx_last_valid = false;
    return e;
}

void store_rollback(store *s)
{
    if (!sqlite3_get_autocommit(s->db))
        sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
    s->in_tx = s->tx_last_valid = false;
}

/* ------------------------------------------------------------------ */
/* Collections                                                          */
/* ------------------------------------------------------------------ */

ald_err store_collection_add(store *s, const char *title, const char *description,
                             char id[STORE_UUID_TEXT])
{
    if (!title || !*title)
        return fail(s, ALD_E_ARG, "a collection needs a title");
    if (strlen(title) >= sizeof ((struct store_collection *)0)->title ||
        (description &&
         strlen(description) >= sizeof ((struct store_collection *)0)->description))
        return fail(s, ALD_E_TOO_LARGE, "collection title or description too long");
    return insert_collection(s, title, description, false, id);
}

static void collection_of_row(sqlite3_stmt *st, struct store_collection *c)
{
    col_copy(st, 0, c->id, sizeof c->id);
    col_copy(st, 1, c->title, sizeof c->title);
    col_copy(st, 2, c->description, sizeof c->description);
    c->is_default = sqlite3_column_int(st, 3) != 0;
}

/* Every row of a prepared statement into a malloc'd array of `size`-byte
 * items filled by `fill` (*out NULL and *n 0 on failure). */
static ald_err collect_rows(store *s, sqlite3_stmt *st, size_t size,
                            void (*fill)(sqlite3_stmt *st, void *item), void **out, size_t *n,
                            const char *what)
{
    size_t cap = 0;
    int rc;
    char *v = NULL;
    *out = NULL;
    *n = 0;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        if (*n == cap) {
            cap = cap ? 2 * cap : 8;
            char *p = realloc(v, cap * size);
            if (!p) {
                sqlite3_reset(st);
                free(v);
                *n = 0;
                return fail(s, ALD_E_NOMEM, "out of memory");
            }
            v = p;
        }
        fill(st, v + (*n)++ * size);
    }
    sqlite3_reset(st);
    if (rc != SQLITE_DONE) {
        free(v);
        *n = 0;
        return fail_db(s, what);
    }
    *out = v;
    return ALD_E_OK;
}

static void fill_collection(sqlite3_stmt *st, void *item)
{
    collection_of_row(st, item);
}

ald_err store_collections(store *s, struct store_collection **out, size_t *n)
{
    *out = NULL;
    *n = 0;
    sqlite3_stmt *st = stmt(s, "SELECT id, title, description, is_default FROM collection"
                               " ORDER BY is_default DESC, seq");
    if (!st)
        return ALD_E_STORE;
    void *v;
    ald_err e = collect_rows(s, st, sizeof **out, fill_collection, &v, n, "collections");
    *out = v;
    return e;
}

ald_err store_collection_get(store *s, const char *id, struct store_collection *out)
{
    sqlite3_stmt *st = stmt(s, "SELECT id, title, description, is_default FROM collection"
                               " WHERE id = ?1");
    if (!st)
        return ALD_E_STORE;
    bind_text(st, 1, id);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        collection_of_row(st, out);
        sqlite3_reset(st);
        return ALD_E_OK;
    }
    sqlite3_reset(st);
    if (rc != SQLITE_DONE)
        return fail_db(s, "collection");
    return fail(s, ALD_E_NOT_FOUND, "no collection %s", id ? id : "(null)");
}

/* The internal number of collection `id`: > 0, 0 when there is none, -1 on
 * an SQLite error (set). */
static int64_t collection_seq(store *s, const char *id)
{
    if (id && s->seq_val > 0 && strcmp(id, s->seq_id) == 0)
        return s->seq_val;
    sqlite3_stmt *st = stmt(s, "SELECT seq FROM collection WHERE id = ?1");
    if (!st)
        return -1;
    bind_text(st, 1, id);
    int rc = sqlite3_step(st);
    int64_t seq = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
    sqlite3_reset(st);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
        fail_db(s, "collection");
        return -1;
    }
    if (seq == 0)
        fail(s, ALD_E_NOT_FOUND, "no collection %s", id ? id : "(null)");
    else if (strlen(id) < sizeof s->seq_id) {
        memcpy(s->seq_id, id, strlen(id) + 1);
        s->seq_val = seq;
    }
    return seq;
}

/* ------------------------------------------------------------------ */
/* Objects: adding                                                      */
/* ------------------------------------------------------------------ */

/* Joins n ids with single spaces into out[cap]; false when it does not fit. */
static bool join_ids(const char (*ids)[STIX_ID_MAX], size_t n, char *out, size_t cap)
{
    size_t o = 0;
    out[0] = '\0';
    for (size_t i = 0; i < n; i++) {
        size_t l = strnlen(ids[i], STIX_ID_MAX);
        if (o + l + 2 > cap)
            return false;
        if (i)
            out[o++] = ' ';
        memcpy(out + o, ids[i], l);
        o += l;
        out[o] = '\0';
    }
    return true;
}

ald_err store_put(store *s, const char *collection, const char *json, size_t len,
                  const struct stix_info *info, int64_t now_us, bool *added,
                  int64_t *date_added)
{
    *added = false;
    *date_added = INT64_MIN;
    if (!json || !info || !info->id[0] || !info->type[0])
        return fail(s, ALD_E_ARG, "object without id or type");
    if (len > INT_MAX)
        return fail(s, ALD_E_TOO_LARGE, "%s: object too large", info->id);
    char markings[STIX_MARKINGS_MAX * STIX_ID_MAX];
    char recipients[STIX_RECIPIENTS_MAX * STIX_ID_MAX];
    if (info->nmarkings > STIX_MARKINGS_MAX || info->nrecipients > STIX_RECIPIENTS_MAX ||
        !join_ids(info->markings, info->nmarkings, markings, sizeof markings) ||
        !join_ids(info->recipients, info->nrecipients, recipients, sizeof recipients))
        return fail(s, ALD_E_ARG, "%s: too many markings or recipients", info->id);

    bool own = sqlite3_get_autocommit(s->db) != 0;
    ald_err e;
    if (own && (e = store_begin(s)) != ALD_E_OK)
        return e;
    int64_t seq = collection_seq(s, collection);
    if (seq <= 0) {
        e = seq < 0 ? ALD_E_STORE : ALD_E_NOT_FOUND;
        goto out;
    }
    int64_t last;
    sqlite3_stmt *st;
    int rc;
    if (s->in_tx && s->tx_last_valid) {
        last = s->tx_last;
    } else {
        st = stmt(s, "SELECT value FROM meta WHERE key = 'last_added'");
        if (!st) {
            e = ALD_E_STORE;
            goto out;
        }
        rc = sqlite3_step(st);
        last = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
        sqlite3_reset(st);
        if (rc != SQLITE_ROW) {
            e = fail_db(s, "put: last date_added");
            goto out;
        }
    }
    int64_t da = now_us > last ? now_us : last + 1;

    st = stmt(s, "INSERT INTO object(coll, id, type, spec_version, version, version_us,"
                 " date_added, tlp, markings, created_by_ref, recipients, json)"
                 " VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)"
                 " ON CONFLICT(coll, id, version_us) DO NOTHING");
    if (!st) {
        e = ALD_E_STORE;
        goto out;
    }
    sqlite3_bind_int64(st, 1, seq);
    bind_text(st, 2, info->id);
    bind_text(st, 3, info->type);
    /* SCOs may omit spec_version; in a 2.1 store they are 2.1 objects */
    bind_text(st, 4, info->spec_version[0] ? info->spec_version : "2.1");
    bind_text(st, 5, info->modified);
    sqlite3_bind_int64(st, 6, info->modified_us);
    sqlite3_bind_int64(st, 7, da);
    sqlite3_bind_int(st, 8, (int)info->tlp);
    bind_text(st, 9, markings);
    bind_text(st, 10, info->created_by_ref);
    bind_text(st, 11, recipients);
    sqlite3_bind_blob(st, 12, json, (int)len, SQLITE_STATIC);
    if ((e = step_done(s, st, "put")) != ALD_E_OK)
        goto out;
    if (sqlite3_changes(s->db) == 0) {
        /* the same version is there: its date_added */
        st = stmt(s, "SELECT date_added FROM object"
                     " WHERE coll = ?1 AND id = ?2 AND version_us = ?3");
        if (!st) {
            e = ALD_E_STORE;
            goto out;
        }
        sqlite3_bind_int64(st, 1, seq);
        bind_text(st, 2, info->id);
        sqlite3_bind_int64(st, 3, info->modified_us);
        rc = sqlite3_step(st);
        if (rc == SQLITE_ROW)
            *date_added = sqlite3_column_int64(st, 0);
        sqlite3_reset(st);
        e = rc == SQLITE_ROW ? ALD_E_OK : fail_db(s, "put");
        goto out;
    }
    st = stmt(s, "UPDATE meta SET value = ?1 WHERE key = 'last_added'");
    if (!st) {
        e = ALD_E_STORE;
        goto out;
    }
    sqlite3_bind_int64(st, 1, da);
    if ((e = step_done(s, st, "put: last date_added")) != ALD_E_OK)
        goto out;
    *added = true;
    *date_added = da;
    s->tx_last = da;
    s->tx_last_valid = true;
out:
    if (own) {
        if (e == ALD_E_OK)
            e = store_commit(s);
        if (e != ALD_E_OK)
            store_rollback(s);
    }
    if (e != ALD_E_OK)
        *added = false;
    return e;
}

/* ------------------------------------------------------------------ */
/* Objects: queries                                                     */
/* ------------------------------------------------------------------ */

/* The columns every row query selects, in the order row_of() reads. */
#define ROW_COLUMNS                                                                    \
    "rowid, json, id, type, spec_version, version, version_us, date_added, tlp,"      \
    " markings, created_by_ref, recipients, origin"

/* The row's facts; json NULL and len 0 (what visible() sees: reading the
 * text would cost its overflow pages for every version looked at). */
static void facts_of(sqlite3_stmt *st, struct store_row *r, int64_t *rowid)
{
    *rowid = sqlite3_column_int64(st, 0);
    r->json = NULL;
    r->len = 0;
    r->id = (const char *)sqlite3_column_text(st, 2);
    r->type = (const char *)sqlite3_column_text(st, 3);
    r->spec_version = (const char *)sqlite3_column_text(st, 4);
    r->version = (const char *)sqlite3_column_text(st, 5);
    r->version_us = sqlite3_column_int64(st, 6);
    r->date_added = sqlite3_column_int64(st, 7);
    r->tlp = sqlite3_column_int(st, 8);
    r->markings = (const char *)sqlite3_column_text(st, 9);
    r->created_by_ref = (const char *)sqlite3_column_text(st, 10);
    r->recipients = (const char *)sqlite3_column_text(st, 11);
    r->origin = (const char *)sqlite3_column_text(st, 12);
}

/* The whole row, its original text included. */
static void row_of(sqlite3_stmt *st, struct store_row *r, int64_t *rowid)
{
    facts_of(st, r, rowid);
    r->json = sqlite3_column_blob(st, 1);
    r->len = (size_t)sqlite3_column_bytes(st, 1);
    if (!r->json)
        r->json = "";
}

/* match[version], parsed. */
struct version_sel {
    bool first, last, all;
    size_t nts;
    int64_t ts[VERSION_TS_MAX];
};

static ald_err parse_versions(store *s, const char *const *v, size_t n, struct version_sel *sel)
{
    memset(sel, 0, sizeof *sel);
    if (n == 0) {
        sel->last = true;
        return ALD_E_OK;
    }
    for (size_t i = 0; i < n; i++) {
        if (!v[i])
            return fail(s, ALD_E_ARG, "match[version]: empty value");
        if (strcmp(v[i], "first") == 0)
            sel->first = true;
        else if (strcmp(v[i], "last") == 0)
            sel->last = true;
        else if (strcmp(v[i], "all") == 0)
            sel->all = true;
        else {
            int64_t us;
            if (!stix_time_parse(v[i], strlen(v[i]), &us))
                return fail(s, ALD_E_ARG,
                            "match[version]: '%.60s' is not first, last, all or a timestamp",
                            v[i]);
            if (sel->nts == VERSION_TS_MAX)
                return fail(s, ALD_E_TOO_LARGE, "match[version]: more than %d timestamps",
                            VERSION_TS_MAX);
            sel->ts[sel->nts++] = us;
        }
    }
    return ALD_E_OK;
}

static bool in_list(const char *v, const char *const *list, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (list[i] && strcmp(v, list[i]) == 0)
            return true;
    return false;
}

/* What one query needs while it evaluates versions. */
struct qctx {
    store *s;
    int64_t seq;
    const struct store_filter *f;
    struct version_sel sel;
    store_visible_fn visible;
    void *vctx;
    bool any_spec;                   /* delete: every spec_version counts */
    sqlite3_stmt *versions;          /* the versions of one id */
    int multi_any;                   /* the collection has ids in multi: -1 not known yet */
};

/* 1 when the id has only one version (it is not in the multi table), 0 when
 * it may have more, -1 error (set). Asked while the query's statement is
 * stepping, so in the same read transaction (snapshot) as its rows. */
static int single_version(struct qctx *q, const char *id)
{
    store *s = q->s;
    if (!s->multi_any &&
        (sqlite3_prepare_v3(s->db, "SELECT EXISTS(SELECT 1 FROM multi WHERE coll = ?1)", -1,
                            SQLITE_PREPARE_PERSISTENT, &s->multi_any, NULL) != SQLITE_OK ||
         sqlite3_prepare_v3(s->db, "SELECT 1 FROM multi WHERE coll = ?1 AND id = ?2", -1,
                            SQLITE_PREPARE_PERSISTENT, &s->multi_id, NULL) != SQLITE_OK)) {
        fail_db(s, "prepare");
        sqlite3_finalize(s->multi_any);
        s->multi_any = NULL;
        return -1;
    }
    if (q->multi_any < 0) {
        sqlite3_stmt *st = s->multi_any;
        sqlite3_bind_int64(st, 1, q->seq);
        if (sqlite3_step(st) != SQLITE_ROW) {
            fail_db(s, "multi");
            sqlite3_reset(st);
            return -1;
        }
        q->multi_any = sqlite3_column_int(st, 0) != 0;
        sqlite3_reset(st);
    }
    if (!q->multi_any)
        return 1;
    sqlite3_stmt *st = s->multi_id;
    sqlite3_bind_int64(st, 1, q->seq);
    bind_text(st, 2, id);
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
        fail_db(s, "multi");
        return -1;
    }
    return rc == SQLITE_DONE;
}

/* version_chosen for an object whose only version is row r (the same rules
 * over a set of one). */
static int only_version_chosen(const struct qctx *q, const struct store_row *r)
{
    if (q->visible && !q->visible(q->vctx, r))
        return 0;
    if (!q->any_spec && q->f->nspec && !in_list(r->spec_version, q->f->spec_versions, q->f->nspec))
        return 0;
    if (q->f->added_after != INT64_MIN && r->date_added <= q->f->added_after)
        return 0;
    if (q->sel.all || q->sel.first || q->sel.last)
        return 1;
    for (size_t i = 0; i < q->sel.nts; i++)
        if (q->sel.ts[i] == r->version_us)
            return 1;
    return 0;
}

/*
 * Reads the versions of object `id` that the caller may see and that pass
 * the spec_version choice and added_after, into s->vers; *n their number.
 * Then decides whether version `rowid` is one that match[version] selects:
 * 1 yes, 0 no, -1 error (set).
 */
static int version_chosen(struct qctx *q, const char *id, int64_t rowid, int64_t version_us)
{
    store *s = q->s;
    sqlite3_stmt *st = q->versions;
    sqlite3_reset(st);
    sqlite3_bind_int64(st, 1, q->seq);
    bind_text(st, 2, id);
    size_t n = 0;
    int rc;
    char maxspec[8] = "";
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        struct store_row r;
        int64_t rid;
        facts_of(st, &r, &rid);
        if (q->visible && !q->visible(q->vctx, &r))
            continue;
        if (!q->any_spec && q->f->nspec && !in_list(r.spec_version, q->f->spec_versions, q->f->nspec))
            continue;
        if (n == s->capvers) {
            size_t cap = s->capvers ? 2 * s->capvers : 64;
            struct ver *p = realloc(s->vers, cap * sizeof *p);
            if (!p) {
                sqlite3_reset(st);
                fail(s, ALD_E_NOMEM, "out of memory");
                return -1;
            }
            s->vers = p;
            s->capvers = cap;
        }
        struct ver *v = &s->vers[n++];
        v->rowid = rid;
        v->version_us = r.version_us;
        v->date_added = r.date_added;
        snprintf(v->spec, sizeof v->spec, "%s", r.spec_version ? r.spec_version : "");
        if (strcmp(v->spec, maxspec) > 0)
            memcpy(maxspec, v->spec, sizeof maxspec);
    }
    sqlite3_reset(st);
    if (rc != SQLITE_DONE) {
        fail_db(s, "versions");
        return -1;
    }
    /* the set the version choice ranges over */
    bool self = false;
    int64_t minv = INT64_MAX, maxv = INT64_MIN;
    bool any = false;
    for (size_t i = 0; i < n; i++) {
        const struct ver *v = &s->vers[i];
        if (!q->any_spec && !q->f->nspec && strcmp(v->spec, maxspec) != 0)
            continue;               /* default: the latest spec_version only */
        if (q->f->added_after != INT64_MIN && v->date_added <= q->f->added_after)
            continue;
        any = true;
        if (v->rowid == rowid)
            self = true;
        if (v->version_us < minv)
            minv = v->version_us;
        if (v->version_us > maxv)
            maxv = v->version_us;
    }
    if (!self || !any)
        return 0;
    if (q->sel.all)
        return 1;
    if (q->sel.first && version_us == minv)
        return 1;
    if (q->sel.last && version_us == maxv)
        return 1;
    for (size_t i = 0; i < q->sel.nts; i++)
        if (q->sel.ts[i] == version_us)
            return 1;
    return 0;
}

/* Cursor: "<date_added hex>.<rowid hex>" (opaque to clients). */
static void cursor_write(char out[64], int64_t date_added, int64_t rowid)
{
    snprintf(out, 64, "%" PRIx64 ".%" PRIx64, (uint64_t)date_added, (uint64_t)rowid);
}

static bool cursor_read(const char *c, int64_t *date_added, int64_t *rowid)
{
    uint64_t a = 0, b = 0;
    size_t i = 0, digits = 0;
    for (; c[i] && c[i] != '.'; i++, digits++) {
        int d = c[i] >= '0' && c[i] <= '9' ? c[i] - '0'
              : c[i] >= 'a' && c[i] <= 'f' ? c[i] - 'a' + 10 : -1;
        if (d < 0 || digits >= 16)
            return false;
        a = a << 4 | (uint64_t)d;
    }
    if (c[i] != '.' || digits == 0)
        return false;
    i++;
    digits = 0;
    for (; c[i]; i++, digits++) {
        int d = c[i] >= '0' && c[i] <= '9' ? c[i] - '0'
              : c[i] >= 'a' && c[i] <= 'f' ? c[i] - 'a' + 10 : -1;
        if (d < 0 || digits >= 16)
            return false;
        b = b << 4 | (uint64_t)d;
    }
    if (digits == 0)
        return false;
    *date_added = (int64_t)a;
    *rowid = (int64_t)b;
    return true;
}

/* Appends " AND col IN (?,?,...)" for n values to the SQL being built;
 * false when it does not fit. */
static bool sql_in(char *sql, size_t cap, size_t *o, const char *col, size_t n)
{
    int w = snprintf(sql + *o, cap - *o, " AND %s IN (", col);
    if (w < 0 || (size_t)w >= cap - *o)
        return false;
    *o += (size_t)w;
    for (size_t i = 0; i < n; i++) {
        if (*o + 3 >= cap)
            return false;
        if (i)
            sql[(*o)++] = ',';
        sql[(*o)++] = '?';
    }
    if (*o + 2 >= cap)
        return false;
    sql[(*o)++] = ')';
    sql[*o] = '\0';
    return true;
}

ald_err store_query(store *s, const char *collection, const struct store_filter *f,
                    store_visible_fn visible, void *vctx, store_row_fn row, void *rctx,
                    struct store_page *page)
{
    static const struct store_filter none = {.added_after = INT64_MIN};
    if (!f)
        f = &none;
    memset(page, 0, sizeof *page);
    page->first_added = page->last_added = INT64_MIN;
    struct qctx q = {.s = s, .f = f, .visible = visible, .vctx = vctx, .multi_any = -1};
    ald_err e = parse_versions(s, f->versions, f->nversions, &q.sel);
    if (e)
        return e;
    if (f->nids > FILTER_LIST_MAX || f->ntypes > FILTER_LIST_MAX || f->nspec > FILTER_LIST_MAX)
        return fail(s, ALD_E_TOO_LARGE, "more than %d values in one match[] filter",
                    FILTER_LIST_MAX);
    int64_t cur_added = INT64_MIN, cur_rowid = INT64_MIN;
    if (f->next && f->next[0] && !cursor_read(f->next, &cur_added, &cur_rowid))
        return fail(s, ALD_E_ARG, "malformed next cursor '%.40s'", f->next);

    q.seq = collection_seq(s, collection);
    if (q.seq <= 0)
        return q.seq < 0 ? ALD_E_STORE : ALD_E_NOT_FOUND;

    /* the row filters in SQL; bound parameters in the order written */
    char sql[8 * FILTER_LIST_MAX + 512];
    size_t o = (size_t)snprintf(sql, sizeof sql,
                                "SELECT " ROW_COLUMNS " FROM object WHERE coll = ?"
                                " AND date_added >= ? AND (date_added > ? OR rowid > ?)");
    bool ok = true;
    if (f->nids)
        ok = ok && sql_in(sql, sizeof sql, &o, "id", f->nids);
    if (f->ntypes)
        ok = ok && sql_in(sql, sizeof sql, &o, "type", f->ntypes);
    if (f->nspec)
        ok = ok && sql_in(sql, sizeof sql, &o, "spec_version", f->nspec);
    const char *tail = " AND date_added > ? ORDER BY date_added, rowid";
    if (!ok || o + strlen(tail) + 1 >= sizeof sql)
        return fail(s, ALD_E_TOO_LARGE, "query filters too long");
    memcpy(sql + o, tail, strlen(tail) + 1);

    q.versions = stmt(s, "SELECT " ROW_COLUMNS " FROM object WHERE coll = ?1 AND id = ?2");
    if (!q.versions)
        return ALD_E_STORE;
    sqlite3_stmt *st = stmt(s, sql);
    if (!st)
        return ALD_E_STORE;
    /* The range scan starts at the larger of the cursor's date and
     * added_after: SQLite bounds the index scan with the first lower bound
     * (date_added >= ?), so with no cursor (INT64_MIN) a page by
     * added_after alone scanned the collection from its start (180 ms for a
     * page at 900,000 of 1M objects, 12 ms now). date_added >= max(both) is
     * implied by the two filters, so the rows are the same. */
    int64_t lo = cur_added > f->added_after ? cur_added : f->added_after;
    int p = 1;
    sqlite3_bind_int64(st, p++, q.seq);
    sqlite3_bind_int64(st, p++, lo);
    sqlite3_bind_int64(st, p++, cur_added);
    sqlite3_bind_int64(st, p++, cur_rowid);
    for (size_t i = 0; i < f->nids; i++)
        bind_text(st, p++, f->ids[i]);
    for (size_t i = 0; i < f->ntypes; i++)
        bind_text(st, p++, f->types[i]);
    for (size_t i = 0; i < f->nspec; i++)
        bind_text(st, p++, f->spec_versions[i]);
    sqlite3_bind_int64(st, p++, f->added_after);

    /* "all" with explicit spec versions needs no look at other versions */
    bool per_row = q.sel.all && f->nspec > 0;
    int rc;
    int64_t last_rowid = 0;
    e = ALD_E_OK;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        struct store_row r;
        int64_t rid;
        facts_of(st, &r, &rid);
        int chosen;
        if (per_row) {
            chosen = !visible || visible(vctx, &r);
        } else {
            int one = single_version(&q, r.id);
            chosen = one < 0 ? -1 : one ? only_version_chosen(&q, &r)
                                        : version_chosen(&q, r.id, rid, r.version_us);
        }
        if (chosen < 0) {
            e = ALD_E_STORE;
            break;
        }
        if (!chosen)
            continue;
        if (f->limit && page->count == f->limit) {
            page->more = true;
            break;
        }
        /* with its text now (the pointers stay valid: another statement
         * ran in between, not this one) */
        row_of(st, &r, &rid);
        if (row) {
            int stop = row(rctx, &r);
            if (stop) {
                /* the caller's value is the result (store.h) */
                fail(s, (ald_err)stop, "query stopped by the caller (%d)", stop);
                e = (ald_err)stop;
                break;
            }
        }
        if (page->count == 0)
            page->first_added = r.date_added;
        page->last_added = r.date_added;
        last_rowid = rid;
        page->count++;
    }
    sqlite3_reset(st);
    if (e == ALD_E_OK && rc != SQLITE_ROW && rc != SQLITE_DONE)
        e = fail_db(s, "query");
    if (page->more)
        cursor_write(page->next, page->last_added, last_rowid);
    return e;
}

ald_err store_count(store *s, const char *collection, size_t *objects)
{
    *objects = 0;
    int64_t seq = collection_seq(s, collection);
    if (seq <= 0)
        return seq < 0 ? ALD_E_STORE : ALD_E_NOT_FOUND;
    /* the object_version index (coll, id, ...) answers it without the rows */
    sqlite3_stmt *st = stmt(s, "SELECT count(DISTINCT id) FROM object WHERE coll = ?1");
    if (!st)
        return ALD_E_STORE;
    sqlite3_bind_int64(st, 1, seq);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        *objects = (size_t)sqlite3_column_int64(st, 0);
    sqlite3_reset(st);
    return rc == SQLITE_ROW ? ALD_E_OK : fail_db(s, "count");
}

ald_err store_delete(store *s, const char *collection, const char *id,
                     const char *const *versions, size_t nversions,
                     store_visible_fn visible, void *vctx, size_t *deleted)
{
    *deleted = 0;
    struct store_filter f = {.added_after = INT64_MIN, .ids = &id, .nids = 1};
    struct qctx q = {.s = s, .f = &f, .visible = visible, .vctx = vctx, .any_spec = true};
    static const char *const all[] = {"all"};
    if (nversions == 0) {
        versions = all;
        nversions = 1;
    }
    ald_err e = parse_versions(s, versions, nversions, &q.sel);
    if (e)
        return e;
    bool own = sqlite3_get_autocommit(s->db) != 0;
    if (own && (e = store_begin(s)) != ALD_E_OK)
        return e;
    q.seq = collection_seq(s, collection);
    if (q.seq <= 0) {
        e = q.seq < 0 ? ALD_E_STORE : ALD_E_NOT_FOUND;
        goto out;
    }
    q.versions = stmt(s, "SELECT " ROW_COLUMNS " FROM object WHERE coll = ?1 AND id = ?2");
    sqlite3_stmt *list = stmt(s, "SELECT rowid, version_us FROM object"
                                 " WHERE coll = ?1 AND id = ?2");
    sqlite3_stmt *del = stmt(s, "DELETE FROM object WHERE rowid = ?1");
    if (!q.versions || !list || !del) {
        e = ALD_E_STORE;
        goto out;
    }
    /* decide first, delete after: "last" must not move while deleting */
    int64_t doomed[256];
    size_t nd = 0;
    sqlite3_bind_int64(list, 1, q.seq);
    bind_text(list, 2, id);
    int rc;
    while ((rc = sqlite3_step(list)) == SQLITE_ROW) {
        int64_t rid = sqlite3_column_int64(list, 0), vus = sqlite3_column_int64(list, 1);
        int c = version_chosen(&q, id, rid, vus);
        if (c < 0) {
            sqlite3_reset(list);
            e = ALD_E_STORE;
            goto out;
        }
        if (c) {
            if (nd == sizeof doomed / sizeof doomed[0]) {
                sqlite3_reset(list);
                e = fail(s, ALD_E_TOO_LARGE, "%s: more than %zu versions to delete at once",
                         id, nd);
                goto out;
            }
            doomed[nd++] = rid;
        }
    }
    sqlite3_reset(list);
    if (rc != SQLITE_DONE) {
        e = fail_db(s, "delete");
        goto out;
    }
    for (size_t i = 0; i < nd; i++) {
        sqlite3_bind_int64(del, 1, doomed[i]);
        if ((e = step_done(s, del, "delete")) != ALD_E_OK)
            goto out;
        sqlite3_reset(del);
    }
    *deleted = nd;
out:
    if (own) {
        if (e == ALD_E_OK)
            e = store_commit(s);
        if (e != ALD_E_OK)
            store_rollback(s);
    }
    if (e != ALD_E_OK)
        *deleted = 0;
    return e;
}

ald_err store_last_added(store *s, int64_t *last)
{
    *last = 0;
    sqlite3_stmt *st = stmt(s, "SELECT value FROM meta WHERE key = 'last_added'");
    if (!st)
        return ALD_E_STORE;
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        *last = sqlite3_column_int64(st, 0);
    sqlite3_reset(st);
    return rc == SQLITE_ROW || rc == SQLITE_DONE ? ALD_E_OK : fail_db(s, "last date_added");
}

ald_err store_has_version(store *s, const char *id, int64_t version_us, bool *found)
{
    *found = false;
    /* one look-up per collection through object_version (coll, id,
     * version_us): collections are few */
    sqlite3_stmt *st = stmt(s, "SELECT EXISTS(SELECT 1 FROM object WHERE coll IN"
                               " (SELECT seq FROM collection) AND id = ?1 AND version_us = ?2)");
    if (!st)
        return ALD_E_STORE;
    bind_text(st, 1, id);
    sqlite3_bind_int64(st, 2, version_us);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        *found = sqlite3_column_int(st, 0) != 0;
    sqlite3_reset(st);
    return rc == SQLITE_ROW ? ALD_E_OK : fail_db(s, "has version");
}

/* ------------------------------------------------------------------ */
/* Status resources                                                     */
/* ------------------------------------------------------------------ */

ald_err store_status_put(store *s, const char *id, const char *json, size_t len)
{
    if (len > INT_MAX)
        return fail(s, ALD_E_TOO_LARGE, "status too large");
    sqlite3_stmt *st = stmt(s, "INSERT OR REPLACE INTO status(id, json) VALUES(?1, ?2)");
    if (!st)
        return ALD_E_STORE;
    bind_text(st, 1, id);
    sqlite3_bind_blob(st, 2, json ? json : "", (int)len, SQLITE_STATIC);
    return step_done(s, st, "status");
}

ald_err store_state_put(store *s, const char *key, const char *value)
{
    sqlite3_stmt *st = stmt(s, "INSERT OR REPLACE INTO state(key, value, updated)"
                               " VALUES(?1, ?2, CAST((julianday('now') - 2440587.5) * 86400000000"
                               " AS INTEGER))");
    if (!st)
        return ALD_E_STORE;
    bind_text(st, 1, key);
    bind_text(st, 2, value);
    return step_done(s, st, "state");
}

ald_err store_state_get(store *s, const char *key, char **value)
{
    *value = NULL;
    sqlite3_stmt *st = stmt(s, "SELECT value FROM state WHERE key = ?1");
    if (!st)
        return ALD_E_STORE;
    bind_text(st, 1, key);
    int rc = sqlite3_step(st);
    if (rc != SQLITE_ROW) {
        sqlite3_reset(st);
        if (rc != SQLITE_DONE)
            return fail_db(s, "state");
        return fail(s, ALD_E_NOT_FOUND, "no state %s", key ? key : "(null)");
    }
    const unsigned char *t = sqlite3_column_text(st, 0);
    char *copy = strdup(t ? (const char *)t : "");
    sqlite3_reset(st);
    if (!copy)
        return fail(s, ALD_E_NOMEM, "out of memory");
    *value = copy;
    return ALD_E_OK;
}

ald_err store_state_remove(store *s, const char *key)
{
    sqlite3_stmt *st = stmt(s, "DELETE FROM state WHERE key = ?1");
    if (!st)
        return ALD_E_STORE;
    bind_text(st, 1, key);
    return step_done(s, st, "state");
}

ald_err store_state_list(store *s, const char *prefix, store_state_fn fn, void *ctx)
{
    /* substr() rather than LIKE: the prefix may hold % and _ */
    sqlite3_stmt *st = stmt(s, "SELECT key, value FROM state"
                               " WHERE substr(key, 1, length(?1)) = ?1 ORDER BY key");
    if (!st)
        return ALD_E_STORE;
    bind_text(st, 1, prefix);
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        const unsigned char *k = sqlite3_column_text(st, 0), *v = sqlite3_column_text(st, 1);
        int r = fn(ctx, k ? (const char *)k : "", v ? (const char *)v : "");
        if (r) {
            sqlite3_reset(st);
            return (ald_err)r;
        }
    }
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? ALD_E_OK : fail_db(s, "state");
}

ald_err store_status_get(store *s, const char *id, char **json, size_t *len)
{
    *json = NULL;
    *len = 0;
    sqlite3_stmt *st = stmt(s, "SELECT json FROM status WHERE id = ?1");
    if (!st)
        return ALD_E_STORE;
    bind_text(st, 1, id);
    int rc = sqlite3_step(st);
    if (rc != SQLITE_ROW) {
        sqlite3_reset(st);
        if (rc != SQLITE_DONE)
            return fail_db(s, "status");
        return fail(s, ALD_E_NOT_FOUND, "no status %s", id ? id : "(null)");
    }
    size_t n = (size_t)sqlite3_column_bytes(st, 0);
    const void *b = sqlite3_column_blob(st, 0);
    char *copy = malloc(n + 1);
    if (!copy) {
        sqlite3_reset(st);
        return fail(s, ALD_E_NOMEM, "out of memory");
    }
    if (n)
        memcpy(copy, b, n);
    copy[n] = '\0';
    sqlite3_reset(st);
    *json = copy;
    *len = n;
    return ALD_E_OK;
}

/* ------------------------------------------------------------------ */
/* Partners                                                             */
/* ------------------------------------------------------------------ */

static bool partner_name_ok(const char *n)
{
    size_t l = 0;
    for (; n[l]; l++) {
        char c = n[l];
        if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
              c == '.' || c == '_' || c == '-'))
            return false;
    }
    return l >= 1 && l <= 63;
}

/* The partner columns, in the order partner_of_row() reads and
 * store_partner_put() binds. */
#define PARTNER_COLUMNS                                                               \
    "name, identity, token_hash, cert_fp, groups, read, write, created, url, pull, push," \
    " push_from, pull_into, remote_user, remote_token, reshare, remote_ca, remote_cert,"   \
    " remote_key"

ald_err store_partner_put(store *s, const struct store_partner *p)
{
    if (!partner_name_ok(p->name))
        return fail(s, ALD_E_ARG,
                    "partner name '%.63s': 1-63 characters of A-Z a-z 0-9 . _ -", p->name);
    sqlite3_stmt *st = stmt(s, "INSERT OR REPLACE INTO partner(" PARTNER_COLUMNS ")"
                               " VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12,"
                               " ?13, ?14, ?15, ?16, ?17, ?18, ?19)");
    if (!st)
        return ALD_E_STORE;
    bind_text(st, 1, p->name);
    bind_text(st, 2, p->identity);
    bind_text(st, 3, p->token_hash);
    bind_text(st, 4, p->cert_fp);
    bind_text(st, 5, p->groups);
    bind_text(st, 6, p->read);
    bind_text(st, 7, p->write);
    sqlite3_bind_int64(st, 8, p->created);
    bind_text(st, 9, p->url);
    bind_text(st, 10, p->pull);
    bind_text(st, 11, p->push);
    bind_text(st, 12, p->push_from);
    bind_text(st, 13, p->pull_into);
    bind_text(st, 14, p->remote_user);
    bind_text(st, 15, p->remote_token);
    sqlite3_bind_int(st, 16, p->reshare);
    bind_text(st, 17, p->remote_ca);
    bind_text(st, 18, p->remote_cert);
    bind_text(st, 19, p->remote_key);
    return step_done(s, st, "partner");
}



static void partner_of_row(sqlite3_stmt *st, struct store_partner *p)
{
    col_copy(st, 0, p->name, sizeof p->name);
    col_copy(st, 1, p->identity, sizeof p->identity);
    col_copy(st, 2, p->token_hash, sizeof p->token_hash);
    col_copy(st, 3, p->cert_fp, sizeof p->cert_fp);
    col_copy(st, 4, p->groups, sizeof p->groups);
    col_copy(st, 5, p->read, sizeof p->read);
    col_copy(st, 6, p->write, sizeof p->write);
    p->created = sqlite3_column_int64(st, 7);
    col_copy(st, 8, p->url, sizeof p->url);
    col_copy(st, 9, p->pull, sizeof p->pull);
    col_copy(st, 10, p->push, sizeof p->push);
    col_copy(st, 11, p->push_from, sizeof p->push_from);
    col_copy(st, 12, p->pull_into, sizeof p->pull_into);
    col_copy(st, 13, p->remote_user, sizeof p->remote_user);
    col_copy(st, 14, p->remote_token, sizeof p->remote_token);
    p->reshare = sqlite3_column_int(st, 15) != 0;
    col_copy(st, 16, p->remote_ca, sizeof p->remote_ca);
    col_copy(st, 17, p->remote_cert, sizeof p->remote_cert);
    col_copy(st, 18, p->remote_key, sizeof p->remote_key);
}

/* One partner by the statement's single text parameter. */
static ald_err partner_one(store *s, const char *sql, const char *key, const char *what,
                           struct store_partner *out)
{
    if (!key || !*key)
        return fail(s, ALD_E_NOT_FOUND, "no partner with an empty %s", what);
    sqlite3_stmt *st = stmt(s, sql);
    if (!st)
        return ALD_E_STORE;
    bind_text(st, 1, key);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        partner_of_row(st, out);
        sqlite3_reset(st);
        return ALD_E_OK;
    }
    sqlite3_reset(st);
    if (rc != SQLITE_DONE)
        return fail_db(s, "partner");
    return fail(s, ALD_E_NOT_FOUND, "no partner with that %s", what);
}

ald_err store_partner_get(store *s, const char *name, struct store_partner *out)
{
    return partner_one(s, "SELECT " PARTNER_COLUMNS " FROM partner WHERE name = ?1", name,
                       "name", out);
}

ald_err store_partner_by_token(store *s, const char *token_hash, struct store_partner *out)
{
    return partner_one(s,
                       "SELECT " PARTNER_COLUMNS " FROM partner"
                       " WHERE token_hash = ?1 AND token_hash <> ''",
                       token_hash, "token", out);
}

ald_err store_partner_by_cert(store *s, const char *cert_fp, struct store_partner *out)
{
    return partner_one(s,
                       "SELECT " PARTNER_COLUMNS " FROM partner"
                       " WHERE cert_fp = ?1 AND cert_fp <> ''",
                       cert_fp, "certificate", out);
}

ald_err store_partner_remove(store *s, const char *name)
{
    sqlite3_stmt *st = stmt(s, "DELETE FROM partner WHERE name = ?1");
    if (!st)
        return ALD_E_STORE;
    bind_text(st, 1, name);
    ald_err e = step_done(s, st, "partner remove");
    if (e)
        return e;
    if (sqlite3_changes(s->db) == 0)
        return fail(s, ALD_E_NOT_FOUND, "no partner %.63s", name ? name : "(null)");
    return ALD_E_OK;
}

static void fill_partner(sqlite3_stmt *st, void *item)
{
    partner_of_row(st, item);
}

ald_err store_partners(store *s, struct store_partner **out, size_t *n)
{
    *out = NULL;
    *n = 0;
    sqlite3_stmt *st = stmt(s, "SELECT " PARTNER_COLUMNS " FROM partner ORDER BY name");
    if (!st)
        return ALD_E_STORE;
    void *v;
    ald_err e = collect_rows(s, st, sizeof **out, fill_partner, &v, n, "partners");
    *out = v;
    return e;
}

/* ------------------------------------------------------------------ */
/* Audit log                                                            */
/* ------------------------------------------------------------------ */

ald_err store_audit(store *s, int64_t when_us, const char *who, const char *action,
                    const char *object, const char *detail)
{
    sqlite3_stmt *st = stmt(s, "INSERT INTO audit(at, who, action, object, detail)"
                               " VALUES(?1, ?2, ?3, ?4, ?5)");
    if (!st)
        return ALD_E_STORE;
    sqlite3_bind_int64(st, 1, when_us);
    bind_text(st, 2, who);
    bind_text(st, 3, action);
    bind_text(st, 4, object);
    bind_text(st, 5, detail);
    return step_done(s, st, "audit");
}

/* ------------------------------------------------------------------ */
/* For the store's other files (store_int.h)                           */
/* ------------------------------------------------------------------ */

sqlite3 *store_sqlite(store *s)
{
    return s->db;
}

sqlite3_stmt *store_stmt(store *s, const char *sql)
{
    return stmt(s, sql);
}

ald_err store_fail_db(store *s, const char *what)
{
    return fail_db(s, what);
}

ald_err store_step_done(store *s, sqlite3_stmt *st, const char *what)
{
    return step_done(s, st, what);
}

void store_bind_field(sqlite3_stmt *st, int at, const char *text, size_t cap)
{
    size_t n = strnlen(text, cap);
    if (n)
        sqlite3_bind_text(st, at, text, (int)n, SQLITE_TRANSIENT);
    else
        sqlite3_bind_null(st, at);
}

int store_has(store *s, const char *name)
{
    sqlite3_stmt *st = stmt(s, "SELECT 1 FROM sqlite_master WHERE name = ?1");
    if (!st)
        return -1;
    sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    if (rc == SQLITE_ROW)
        return 1;
    if (rc != SQLITE_DONE) {
        fail_db(s, "schema lookup");
        return -1;
    }
    return 0;
}

ald_err store_local_schema(store *s, const char *name, const char *schema_sql, const char *what)
{
    int has = store_has(s, name);
    if (has < 0)
        return ALD_E_STORE;
    if (has)
        return ALD_E_OK;
    if (sqlite3_exec(s->db, schema_sql, NULL, NULL, NULL) != SQLITE_OK)
        return fail(s, ALD_E_STORE, "%s: creating its tables: %s", what, sqlite3_errmsg(s->db));
    return ALD_E_OK;
}

ald_err store_fail(store *s, ald_err code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(s->err, sizeof s->err, fmt, ap);
    va_end(ap);
    return code;
}
