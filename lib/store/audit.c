/*
 * audit.c - reading and archiving the audit log (audit.h, docs/store.md
 * "Audit retention"). Its own SQLite connection on the store's file, so
 * that store.c stays the only writer of objects and this file the only
 * place that may ever remove an audit row: the table's audit_no_delete
 * trigger refuses every DELETE, and audit_prune drops and re-creates it
 * inside the one transaction that checks and removes the archived rows.
 */
#include "alidade/audit.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <jansson.h>
#include <nettle/sha2.h>
#include <sqlite3.h>

#include "alidade/stix.h"
#include "alidade/store.h"

#define BUSY_TIMEOUT_MS 10000

struct audit_log {
    sqlite3 *db;
    char err[320];
};

static ald_err fail(audit_log *a, ald_err code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static ald_err fail(audit_log *a, ald_err code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(a->err, sizeof a->err, fmt, ap);
    va_end(ap);
    return code;
}

static ald_err fail_db(audit_log *a, const char *what)
{
    return fail(a, ALD_E_STORE, "%s: %s", what, sqlite3_errmsg(a->db));
}

audit_log *audit_open(const char *dir, char *err, size_t errlen)
{
    char path[4096];
    if ((size_t)snprintf(path, sizeof path, "%s/alidade.db", dir) >= sizeof path) {
        snprintf(err, errlen, "data directory path too long");
        return NULL;
    }
    /* the store brings an older file's schema up to date (the state table) */
    struct stat sb;
    if (stat(path, &sb) != 0) {
        snprintf(err, errlen, "%s: %s", path, strerror(errno));
        return NULL;
    }
    store *up = store_open(dir, err, errlen);
    if (!up)
        return NULL;
    store_close(up);
    audit_log *a = calloc(1, sizeof *a);
    if (!a) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    /* no CREATE: an archive of a store that does not exist is a mistake */
    if (sqlite3_open_v2(path, &a->db, SQLITE_OPEN_READWRITE, NULL) != SQLITE_OK) {
        snprintf(err, errlen, "%s: %s", path, a->db ? sqlite3_errmsg(a->db) : "cannot open");
        audit_close(a);
        return NULL;
    }
    sqlite3_busy_timeout(a->db, BUSY_TIMEOUT_MS);
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(a->db, "SELECT 1 FROM audit LIMIT 0", -1, &st, NULL) != SQLITE_OK) {
        snprintf(err, errlen, "%s: not an alidade store (%s)", path, sqlite3_errmsg(a->db));
        sqlite3_finalize(st);
        audit_close(a);
        return NULL;
    }
    sqlite3_finalize(st);
    return a;
}

void audit_close(audit_log *a)
{
    if (!a)
        return;
    sqlite3_close(a->db);
    free(a);
}

const char *audit_errmsg(const audit_log *a)
{
    return a->err;
}

char *audit_row_line(const struct audit_row *r, size_t *len)
{
    char at[STIX_TIME_TEXT];
    stix_time_format(r->at, at);
    /* jansson keeps insertion order with JSON_PRESERVE_ORDER: the members
     * come out in the documented order, byte-stable */
    json_t *o = json_object();
    if (!o)
        return NULL;
    json_object_set_new(o, "seq", json_integer(r->seq));
    json_object_set_new(o, "at", json_string(at));
    json_object_set_new(o, "at_us", json_integer(r->at));
    json_object_set_new(o, "who", json_string(r->who ? r->who : ""));
    json_object_set_new(o, "action", json_string(r->action ? r->action : ""));
    json_object_set_new(o, "object", json_string(r->object ? r->object : ""));
    json_object_set_new(o, "detail", json_string(r->detail ? r->detail : ""));
    char *s = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_ENSURE_ASCII);
    json_decref(o);
    if (!s)
        return NULL;
    size_t n = strlen(s);
    char *line = realloc(s, n + 2);
    if (!line) {
        free(s);
        return NULL;
    }
    line[n] = '\n';
    line[n + 1] = '\0';
    *len = n + 1;
    return line;
}

/* Text columns as stored; audit values are never NULL (schema) but a
 * damaged file should not crash us. */
static const char *col(sqlite3_stmt *st, int i)
{
    const unsigned char *t = sqlite3_column_text(st, i);
    return t ? (const char *)t : "";
}

/* Runs fn over the rows of f, inside whatever transaction the caller has. */
static ald_err walk(audit_log *a, const struct audit_filter *f, audit_row_fn fn, void *ctx)
{
    static const char sql[] =
        "SELECT seq, at, who, action, object, detail FROM audit"
        " WHERE seq > ?1 AND (?2 = 0 OR seq <= ?2) AND (?3 = 0 OR at >= ?3)"
        " AND (?4 = 0 OR at < ?4) AND (?5 IS NULL OR who = ?5)"
        " AND (?6 IS NULL OR action = ?6) ORDER BY seq LIMIT ?7";
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(a->db, sql, -1, &st, NULL) != SQLITE_OK)
        return fail_db(a, "audit query");
    sqlite3_bind_int64(st, 1, f->after_seq);
    sqlite3_bind_int64(st, 2, f->through_seq);
    sqlite3_bind_int64(st, 3, f->since_us);
    sqlite3_bind_int64(st, 4, f->until_us);
    if (f->who)
        sqlite3_bind_text(st, 5, f->who, -1, SQLITE_STATIC);
    if (f->action)
        sqlite3_bind_text(st, 6, f->action, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 7, f->limit ? (int64_t)f->limit : -1);
    int rc, r = 0;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        struct audit_row row = {
            .seq = sqlite3_column_int64(st, 0), .at = sqlite3_column_int64(st, 1),
            .who = col(st, 2), .action = col(st, 3), .object = col(st, 4), .detail = col(st, 5),
        };
        if ((r = fn(ctx, &row)) != 0)
            break;
    }
    ald_err e = ALD_E_OK;
    if (r)
        e = (ald_err)r;
    else if (rc != SQLITE_DONE)
        e = fail_db(a, "audit query");
    sqlite3_finalize(st);
    return e;
}

ald_err audit_rows(audit_log *a, const struct audit_filter *f, audit_row_fn fn, void *ctx)
{
    /* one read transaction: a snapshot, even while the server appends */
    if (sqlite3_exec(a->db, "BEGIN", NULL, NULL, NULL) != SQLITE_OK)
        return fail_db(a, "begin");
    ald_err e = walk(a, f, fn, ctx);
    sqlite3_exec(a->db, "COMMIT", NULL, NULL, NULL);
    return e;
}

ald_err audit_last_before(audit_log *a, int64_t before_us, int64_t *seq)
{
    *seq = 0;
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(a->db, "SELECT coalesce(max(seq), 0) FROM audit WHERE at < ?1", -1,
                           &st, NULL) != SQLITE_OK)
        return fail_db(a, "audit query");
    sqlite3_bind_int64(st, 1, before_us);
    ald_err e = ALD_E_OK;
    if (sqlite3_step(st) == SQLITE_ROW)
        *seq = sqlite3_column_int64(st, 0);
    else
        e = fail_db(a, "audit query");
    sqlite3_finalize(st);
    return e;
}

/* Digest of the canonical lines, as the archive writer computes it. */
struct digest {
    struct sha256_ctx h;
    size_t n;
    bool oom;
};

static int digest_row(void *ctx, const struct audit_row *r)
{
    struct digest *d = ctx;
    size_t len = 0;
    char *line = audit_row_line(r, &len);
    if (!line) {
        d->oom = true;
        return ALD_E_NOMEM;
    }
    sha256_update(&d->h, len, (const uint8_t *)line);
    free(line);
    d->n++;
    return 0;
}

static ald_err exec(audit_log *a, const char *sql)
{
    return sqlite3_exec(a->db, sql, NULL, NULL, NULL) == SQLITE_OK ? ALD_E_OK
                                                                  : fail_db(a, sql);
}

/* The trigger as the store's schema creates it (store.c), re-created after
 * the archived rows are gone. */
static const char no_delete[] =
    "CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit"
    " BEGIN SELECT RAISE(ABORT, 'audit log is append-only'); END";

ald_err audit_prune(audit_log *a, int64_t through_seq, size_t count, const uint8_t digest[32],
                    const char *archive_name, int64_t now_us)
{
    if (through_seq <= 0 || count == 0)
        return fail(a, ALD_E_ARG, "nothing to prune");
    /* IMMEDIATE: nobody appends or prunes between the check and the delete */
    if (sqlite3_exec(a->db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK)
        return fail_db(a, "begin");
    struct digest d = {.n = 0};
    sha256_init(&d.h);
    struct audit_filter f = {.through_seq = through_seq};
    ald_err e = walk(a, &f, digest_row, &d);
    uint8_t mine[SHA256_DIGEST_SIZE];
    sha256_digest(&d.h, sizeof mine, mine);
    if (e == ALD_E_OK && (d.n != count || memcmp(mine, digest, sizeof mine) != 0))
        e = fail(a, ALD_E_DENIED,
                 "the store holds %zu rows through seq %" PRId64 " (archive: %zu) or other "
                 "bytes than the archive: nothing removed",
                 d.n, through_seq, count);
    char hex[2 * SHA256_DIGEST_SIZE + 1];
    for (size_t i = 0; i < sizeof mine; i++)
        snprintf(hex + 2 * i, 3, "%02x", mine[i]);
    int64_t first = 0;
    if (e == ALD_E_OK) {
        sqlite3_stmt *st = NULL;
        if (sqlite3_prepare_v2(a->db, "SELECT min(seq) FROM audit", -1, &st, NULL) == SQLITE_OK &&
            sqlite3_step(st) == SQLITE_ROW)
            first = sqlite3_column_int64(st, 0);
        sqlite3_finalize(st);
    }
    if (e == ALD_E_OK)
        e = exec(a, "DROP TRIGGER IF EXISTS audit_no_delete");
    if (e == ALD_E_OK) {
        sqlite3_stmt *st = NULL;
        if (sqlite3_prepare_v2(a->db, "DELETE FROM audit WHERE seq <= ?1", -1, &st, NULL) !=
            SQLITE_OK)
            e = fail_db(a, "delete");
        else {
            sqlite3_bind_int64(st, 1, through_seq);
            if (sqlite3_step(st) != SQLITE_DONE || (size_t)sqlite3_changes(a->db) != count)
                e = fail(a, ALD_E_STORE, "delete: %s", sqlite3_errmsg(a->db));
        }
        sqlite3_finalize(st);
    }
    if (e == ALD_E_OK)
        e = exec(a, no_delete);
    char detail[256];
    snprintf(detail, sizeof detail, "rows %" PRId64 "-%" PRId64 " count %zu sha256 %s", first,
             through_seq, count, hex);
    if (e == ALD_E_OK) {
        sqlite3_stmt *st = NULL;
        if (sqlite3_prepare_v2(a->db,
                               "INSERT INTO audit(at, who, action, object, detail)"
                               " VALUES(?1, 'local', 'audit-archive', ?2, ?3)",
                               -1, &st, NULL) != SQLITE_OK)
            e = fail_db(a, "audit");
        else {
            sqlite3_bind_int64(st, 1, now_us);
            sqlite3_bind_text(st, 2, archive_name ? archive_name : "", -1, SQLITE_STATIC);
            sqlite3_bind_text(st, 3, detail, -1, SQLITE_STATIC);
            if (sqlite3_step(st) != SQLITE_DONE)
                e = fail_db(a, "audit");
        }
        sqlite3_finalize(st);
    }
    if (e == ALD_E_OK) {
        char key[64], *value = NULL;
        snprintf(key, sizeof key, "audit/archive/%020" PRId64, through_seq);
        json_t *o = json_pack("{s:s, s:I, s:I, s:I, s:s, s:I}", "file",
                              archive_name ? archive_name : "", "first_seq", (json_int_t)first,
                              "last_seq", (json_int_t)through_seq, "count", (json_int_t)count,
                              "sha256", hex, "at_us", (json_int_t)now_us);
        value = o ? json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
        json_decref(o);
        sqlite3_stmt *st = NULL;
        if (!value)
            e = fail(a, ALD_E_NOMEM, "out of memory");
        else if (sqlite3_prepare_v2(a->db,
                                    "INSERT OR REPLACE INTO state(key, value, updated)"
                                    " VALUES(?1, ?2, ?3)",
                                    -1, &st, NULL) != SQLITE_OK)
            e = fail_db(a, "state");
        else {
            sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
            sqlite3_bind_text(st, 2, value, -1, SQLITE_STATIC);
            sqlite3_bind_int64(st, 3, now_us);
            if (sqlite3_step(st) != SQLITE_DONE)
                e = fail_db(a, "state");
        }
        sqlite3_finalize(st);
        free(value);
    }
    if (e == ALD_E_OK && sqlite3_exec(a->db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK)
        e = fail_db(a, "commit");
    if (e != ALD_E_OK)
        sqlite3_exec(a->db, "ROLLBACK", NULL, NULL, NULL);
    return e;
}
