/*
 * test_audit.c - the audit log's reader and pruner (lib/store/audit.c):
 * filters, the canonical line, and audit_prune removing exactly the rows
 * whose digest it was given, refusing anything else, leaving the
 * append-only trigger in place and recording the archive.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <nettle/sha2.h>
#include <sqlite3.h>

#include "alidade/audit.h"
#include "alidade/store.h"

static char *mkstore(void)
{
    char *dir = strdup("/tmp/ald-audit-XXXXXX");
    assert_non_null(mkdtemp(dir));
    char err[256];
    store *s = store_open(dir, err, sizeof err);
    assert_non_null(s);
    const char *who[] = {"local", "alpha", "bravo", "alpha", "local"};
    const char *act[] = {"import", "read", "read", "write", "partner-add"};
    for (int i = 0; i < 5; i++)
        assert_int_equal(store_audit(s, 1000000 * (i + 1), who[i], act[i], "obj",
                                     i == 1 ? "indicator--a \"quoted\"\n" : "d"),
                         ALD_E_OK);
    store_close(s);
    return dir;
}

static void rmstore(char *dir)
{
    char cmd[512];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    assert_int_equal(system(cmd), 0);
    free(dir);
}

struct collect {
    char text[4096];
    struct sha256_ctx h;
    size_t n;
};

static int collect(void *ctx, const struct audit_row *r)
{
    struct collect *c = ctx;
    size_t len = 0;
    char *line = audit_row_line(r, &len);
    assert_non_null(line);
    size_t k = strlen(c->text);
    snprintf(c->text + k, sizeof c->text - k, "%s", line);
    sha256_update(&c->h, len, (const uint8_t *)line);
    c->n++;
    free(line);
    return 0;
}

static void filters_and_lines(void **state)
{
    (void)state;
    char *dir = mkstore();
    char err[256];
    audit_log *a = audit_open(dir, err, sizeof err);
    assert_non_null(a);
    struct collect c = {.text = ""};
    struct audit_filter f = {.who = "alpha"};
    assert_int_equal(audit_rows(a, &f, collect, &c), ALD_E_OK);
    assert_int_equal(c.n, 2);
    assert_string_equal(c.text,
        "{\"seq\":2,\"at\":\"1970-01-01T00:00:02.000000Z\",\"at_us\":2000000,\"who\":\"alpha\","
        "\"action\":\"read\",\"object\":\"obj\",\"detail\":\"indicator--a \\\"quoted\\\"\\n\"}\n"
        "{\"seq\":4,\"at\":\"1970-01-01T00:00:04.000000Z\",\"at_us\":4000000,\"who\":\"alpha\","
        "\"action\":\"write\",\"object\":\"obj\",\"detail\":\"d\"}\n");
    struct collect w = {.text = ""};
    struct audit_filter g = {.since_us = 2000000, .until_us = 4000000, .action = "read"};
    assert_int_equal(audit_rows(a, &g, collect, &w), ALD_E_OK);
    assert_int_equal(w.n, 2);
    struct collect l = {.text = ""};
    struct audit_filter h = {.after_seq = 3, .limit = 1};
    assert_int_equal(audit_rows(a, &h, collect, &l), ALD_E_OK);
    assert_int_equal(l.n, 1);
    assert_non_null(strstr(l.text, "\"seq\":4,"));
    int64_t seq = -1;
    assert_int_equal(audit_last_before(a, 3500000, &seq), ALD_E_OK);
    assert_int_equal(seq, 3);
    assert_int_equal(audit_last_before(a, 1000000, &seq), ALD_E_OK);
    assert_int_equal(seq, 0);
    audit_close(a);
    assert_null(audit_open("/nonexistent-ald", err, sizeof err));
    rmstore(dir);
}

static size_t rows_left(const char *dir)
{
    char err[256];
    audit_log *a = audit_open(dir, err, sizeof err);
    struct collect c = {.text = ""};
    struct audit_filter f = {.limit = 0};
    assert_int_equal(audit_rows(a, &f, collect, &c), ALD_E_OK);
    audit_close(a);
    return c.n;
}

static void prune_exactly(void **state)
{
    (void)state;
    char *dir = mkstore();
    char err[256];
    audit_log *a = audit_open(dir, err, sizeof err);
    struct collect c = {.text = ""};
    sha256_init(&c.h);
    struct audit_filter f = {.through_seq = 3};
    assert_int_equal(audit_rows(a, &f, collect, &c), ALD_E_OK);
    uint8_t d[32], wrong[32];
    sha256_digest(&c.h, sizeof d, d);
    memcpy(wrong, d, sizeof d);
    wrong[0] ^= 1;
    /* wrong digest, wrong count: refused, nothing removed */
    assert_int_equal(audit_prune(a, 3, 3, wrong, "x", 9000000), ALD_E_DENIED);
    assert_int_equal(audit_prune(a, 3, 2, d, "x", 9000000), ALD_E_DENIED);
    assert_int_equal(audit_prune(a, 0, 0, d, "x", 9000000), ALD_E_ARG);
    assert_int_equal(rows_left(dir), 5);
    /* right: rows 1-3 gone, one audit-archive row added */
    assert_int_equal(audit_prune(a, 3, 3, d, "a.jsonl.zst", 9000000), ALD_E_OK);
    audit_close(a);
    assert_int_equal(rows_left(dir), 3);
    store *s = store_open(dir, err, sizeof err);
    char *v = NULL;
    assert_int_equal(store_state_get(s, "audit/archive/00000000000000000003", &v), ALD_E_OK);
    assert_non_null(strstr(v, "\"file\":\"a.jsonl.zst\",\"first_seq\":1,\"last_seq\":3,\"count\":3"));
    free(v);
    store_close(s);
    /* the append-only trigger is back */
    char path[512];
    snprintf(path, sizeof path, "%s/alidade.db", dir);
    sqlite3 *db = NULL;
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    assert_int_not_equal(sqlite3_exec(db, "DELETE FROM audit", NULL, NULL, NULL), SQLITE_OK);
    assert_non_null(strstr(sqlite3_errmsg(db), "append-only"));
    sqlite3_stmt *st = NULL;
    assert_int_equal(sqlite3_prepare_v2(db, "SELECT action, object, detail FROM audit"
                                            " ORDER BY seq DESC LIMIT 1", -1, &st, NULL),
                     SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    assert_string_equal((const char *)sqlite3_column_text(st, 0), "audit-archive");
    assert_string_equal((const char *)sqlite3_column_text(st, 1), "a.jsonl.zst");
    assert_true(strncmp((const char *)sqlite3_column_text(st, 2), "rows 1-3 count 3 sha256 ", 24) == 0);
    sqlite3_finalize(st);
    sqlite3_close(db);
    /* the same digest again: those rows are gone, refused */
    a = audit_open(dir, err, sizeof err);
    assert_int_equal(audit_prune(a, 3, 3, d, "a.jsonl.zst", 9000000), ALD_E_DENIED);
    audit_close(a);
    rmstore(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(filters_and_lines),
        cmocka_unit_test(prune_exactly),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
