/*
 * store_int.h - what the store's other files (the other files of lib/store) may use of
 * store.c: the connection, the statement cache and the error slot. Each
 * such file owns its own tables (local data that is never a STIX object:
 * audit archives, sightings' raw log lines, vessel history) and creates them
 * itself with CREATE ... IF NOT EXISTS on first use, so store.c's schema
 * stays the STIX store's. Not installed, not part of the public API.
 */
#ifndef ALIDADE_STORE_INT_H
#define ALIDADE_STORE_INT_H

#include <sqlite3.h>

#include "alidade/store.h"

/* The store's SQLite connection (one per store handle, one thread at a time
 * as for every store_* call). */
sqlite3 *store_sqlite(store *s);

/* The cached prepared statement for sql, reset and with bindings cleared;
 * NULL with the store's error set when SQLite refuses it. Statements stay
 * prepared for the life of the handle (sql must be a constant string). */
sqlite3_stmt *store_stmt(store *s, const char *sql);

/* Steps a statement to its end (rows ignored) and resets it; an SQLite
 * failure is the store's error, "what: sqlite's message". */
ald_err store_step_done(store *s, sqlite3_stmt *st, const char *what);

/* Binds a fixed-size text field (up to `cap` bytes or its NUL) as text, or
 * NULL when it is empty. */
void store_bind_field(sqlite3_stmt *st, int at, const char *text, size_t cap);

/* Records an SQLite failure ("what: sqlite's message") as the store's error
 * (store_errmsg) and returns ALD_E_STORE. */
ald_err store_fail_db(store *s, const char *what);

/* Whether the store has a table, index or trigger called `name`: 1 yes,
 * 0 no, -1 on error (the store's error set). */
int store_has(store *s, const char *name);

/* A local table's schema, made the first time: runs `schema_sql` (one or
 * more statements, each CREATE ... IF NOT EXISTS) unless `name` (the last
 * object it creates, so that an older store gets what was added later)
 * already exists; looked for first because CREATE takes the schema lock
 * even when there is nothing to do. `what` names the table in errors. */
ald_err store_local_schema(store *s, const char *name, const char *schema_sql, const char *what);

/* Records a failure with code and message; returns code. */
ald_err store_fail(store *s, ald_err code, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

#endif
