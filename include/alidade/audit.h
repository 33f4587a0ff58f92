/*
 * audit.h - reading and archiving the store's audit log.
 *
 * store_audit() appends a row for every write, every delete and every
 * response that released objects to a partner (who, what, when); the table
 * refuses UPDATE and DELETE. A busy node grows it by ~50 bytes per object
 * released (a 1000-object page is one row naming its 1000 ids), so the
 * operator needs a way to move old rows out without losing them: archive
 * them to a file, prove the file holds exactly those rows, and only then
 * remove them from the store, in one transaction that also records the
 * archive in the log itself (docs/store.md "Audit retention").
 *
 * Every row has one canonical text, a JSON line (audit_row_line); an
 * archive is those lines, and its digest is the SHA-256 of them, so the
 * digest of the rows still in the store and of the file written can be
 * compared byte for byte. These functions use their own SQLite connection
 * on DIR/alidade.db (WAL: the server may run meanwhile).
 */
#ifndef ALIDADE_AUDIT_H
#define ALIDADE_AUDIT_H

#include <stddef.h>
#include <stdint.h>

#include "alidade/alidade.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct audit_log audit_log;

struct audit_row {
    int64_t seq;                     /* 1, 2, ... never reused */
    int64_t at;                      /* microseconds since 1970 */
    const char *who, *action, *object, *detail;
};

/* NULL/0 members filter nothing. */
struct audit_filter {
    int64_t after_seq;               /* seq > after_seq */
    int64_t through_seq;             /* seq <= through_seq (0: no bound) */
    int64_t since_us, until_us;      /* since <= at < until */
    const char *who, *action;        /* exact */
    size_t limit;                    /* rows at most (0: all) */
};

typedef int (*audit_row_fn)(void *ctx, const struct audit_row *r);

/* Opens DIR's store for the audit functions (the store must exist). NULL
 * with the reason in err. */
ALD_API audit_log *audit_open(const char *dir, char *err, size_t errlen);
ALD_API void audit_close(audit_log *a);
ALD_API const char *audit_errmsg(const audit_log *a);

/* Rows matching f in seq order, inside one read transaction (a consistent
 * snapshot); a non-zero return from fn stops and is returned. */
ALD_API ald_err audit_rows(audit_log *a, const struct audit_filter *f, audit_row_fn fn,
                           void *ctx);

/* The canonical line of a row: a compact JSON object with the members seq,
 * at (ISO 8601 UTC, microseconds), at_us, who, action, object, detail, in
 * that order, and a final '\n'. malloc'd, *len set; NULL when out of memory. */
ALD_API char *audit_row_line(const struct audit_row *r, size_t *len);

/* The highest seq whose row is older than before_us, 0 when none. */
ALD_API ald_err audit_last_before(audit_log *a, int64_t before_us, int64_t *seq);

/* Removes the rows with seq <= through_seq, provided they are exactly
 * `count` rows whose canonical lines' SHA-256 is `digest` (what the archive
 * file was checked to hold); otherwise ALD_E_DENIED and nothing changes.
 * In the same transaction: an audit row ("audit-archive", object the archive
 * name, detail "rows A-B count N sha256 HEX") and the store state
 * "audit/archive/<through_seq>". */
ALD_API ald_err audit_prune(audit_log *a, int64_t through_seq, size_t count,
                            const uint8_t digest[32], const char *archive_name, int64_t now_us);

#ifdef __cplusplus
}
#endif
#endif
