/*
 * test_sighting_lines.c - the raw log lines kept beside sightings
 * (lib/store/sighting_lines.c): the first 20 and last 20 hits of a
 * sighting kept whatever the batches (ranks continue across them), replace
 * for `alidade match --store`, lines written in the caller's transaction
 * (a rollback leaves none), removed with the last version of their
 * sighting (in any collection) and by the sweep, lines longer than the cap
 * cut and marked, any bytes (NUL, markup) read back identical, and a store
 * that never had lines read without creating anything.
 */
#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "alidade/sighting_lines.h"
#include "alidade/stix.h"
#include "alidade/store.h"

#define SIG_A "sighting--6d1f4c0e-3b4a-5d6e-8f90-0a1b2c3d4e5f"
#define SIG_B "sighting--7e2f4c0e-3b4a-5d6e-8f90-0a1b2c3d4e5f"

static store *open_ok(const char *dir)
{
    char err[256];
    store *s = store_open(dir, err, sizeof err);
    if (!s)
        fail_msg("store_open: %s", err);
    return s;
}

/* Adds hits first..last (inclusive) of a sighting: line k reads "hit k". */
static void add_hits(sighting_lines *c, const char *id, int first, int last)
{
    for (int k = first; k <= last; k++) {
        char text[64];
        int n = snprintf(text, sizeof text, "{\"hit\":%d}", k);
        struct sighting_line l = {.source = "ids1", .file = "/var/log/eve.json",
                                  .line = 0, .offset = 1000 + k, .time_us = 1700000000000000 + k,
                                  .text = text, .len = (size_t)n};
        assert_int_equal(sighting_lines_add(c, id, &l), ALD_E_OK);
    }
}

struct got {
    int hit[64];
    uint64_t seq[64];
    size_t n;
    struct sighting_line last;      /* its strings point into the copies below */
    char source[64], file[256];
    char text[SL_TEXT_MAX + 1];
};

static int on_line(void *ctx, const struct sighting_line *l)
{
    struct got *g = ctx;
    int k = -1;
    sscanf(l->text, "{\"hit\":%d}", &k);
    if (g->n < 64) {
        g->hit[g->n] = k;
        g->seq[g->n] = l->seq;
    }
    g->n++;
    g->last = *l;
    snprintf(g->source, sizeof g->source, "%s", l->source);
    snprintf(g->file, sizeof g->file, "%s", l->file);
    g->last.source = g->source;
    g->last.file = g->file;
    memcpy(g->text, l->text, l->len);
    g->text[l->len] = '\0';
    return 0;
}

/* (static: a got is large, and the copies in it must outlive the call) */
static struct got *read_lines(store *s, const char *id, uint64_t *total)
{
    static struct got g;
    memset(&g, 0, sizeof g);
    assert_int_equal(sighting_lines_get(s, id, on_line, &g, total), ALD_E_OK);
    g.last.source = g.source;
    g.last.file = g.file;
    return &g;
}

/* One batch of 100 hits: ranks 1-20 and 81-100 kept. */
static void bounded_in_one_batch(void **state)
{
    (void)state;
    char *dir = tu_tmpdir();
    store *s = open_ok(dir);
    sighting_lines *c = sighting_lines_new();
    add_hits(c, SIG_A, 1, 100);
    assert_int_equal(sighting_lines_count(c), 1);
    assert_int_equal(sighting_lines_put(s, c, false), ALD_E_OK);
    uint64_t total;
    struct got *g = read_lines(s, SIG_A, &total);
    assert_int_equal(total, 100);
    assert_int_equal(g->n, SL_KEEP_FIRST + SL_KEEP_LAST);
    for (int i = 0; i < 20; i++) {
        assert_int_equal(g->hit[i], i + 1);
        assert_int_equal(g->seq[i], i + 1);
        assert_int_equal(g->hit[20 + i], 81 + i);
        assert_int_equal(g->seq[20 + i], 81 + i);
    }
    /* every fact of the line comes back */
    assert_string_equal(g->last.source, "ids1");
    assert_string_equal(g->last.file, "/var/log/eve.json");
    assert_int_equal(g->last.offset, 1100);
    assert_int_equal(g->last.line, 0);
    assert_int_equal(g->last.time_us, 1700000000000100);
    assert_false(g->last.truncated);
    sighting_lines_free(c);
    store_close(s);
    tu_rmtree(dir);
}

/* Three batches (30, 5, 30 hits) appended: the bounds hold over the whole. */
static void bounded_across_batches(void **state)
{
    (void)state;
    char *dir = tu_tmpdir();
    store *s = open_ok(dir);
    int from = 1;
    const int sizes[] = {30, 5, 30};
    for (size_t b = 0; b < 3; b++) {
        sighting_lines *c = sighting_lines_new();
        add_hits(c, SIG_A, from, from + sizes[b] - 1);
        add_hits(c, SIG_B, from, from);               /* another sighting, one a batch */
        from += sizes[b];
        assert_int_equal(sighting_lines_put(s, c, false), ALD_E_OK);
        sighting_lines_free(c);
    }
    uint64_t total;
    struct got *g = read_lines(s, SIG_A, &total);
    assert_int_equal(total, 65);
    assert_int_equal(g->n, 40);
    for (int i = 0; i < 20; i++) {
        assert_int_equal(g->hit[i], i + 1);
        assert_int_equal(g->hit[20 + i], 46 + i);
        assert_int_equal(g->seq[20 + i], 46 + i);
    }
    g = read_lines(s, SIG_B, &total);
    assert_int_equal(total, 3);
    assert_int_equal(g->n, 3);
    assert_int_equal(g->hit[0], 1);
    assert_int_equal(g->hit[1], 31);
    assert_int_equal(g->hit[2], 36);
    /* replace (alidade match --store): the run's lines only */
    sighting_lines *c = sighting_lines_new();
    add_hits(c, SIG_A, 500, 502);
    assert_int_equal(sighting_lines_put(s, c, true), ALD_E_OK);
    sighting_lines_free(c);
    g = read_lines(s, SIG_A, &total);
    assert_int_equal(total, 3);
    assert_int_equal(g->n, 3);
    assert_int_equal(g->hit[0], 500);
    assert_int_equal(g->hit[2], 502);
    store_close(s);
    tu_rmtree(dir);
}

/* Written in the caller's transaction: a rollback leaves no line. */
static void in_the_callers_transaction(void **state)
{
    (void)state;
    char *dir = tu_tmpdir();
    store *s = open_ok(dir);
    sighting_lines *c = sighting_lines_new();
    add_hits(c, SIG_A, 1, 3);
    assert_int_equal(store_begin(s), ALD_E_OK);
    assert_int_equal(sighting_lines_put(s, c, false), ALD_E_OK);
    store_rollback(s);
    uint64_t total = 99;
    struct got *g = read_lines(s, SIG_A, &total);
    assert_int_equal(g->n, 0);
    assert_int_equal(total, 0);
    assert_int_equal(store_begin(s), ALD_E_OK);
    assert_int_equal(sighting_lines_put(s, c, false), ALD_E_OK);
    assert_int_equal(store_commit(s), ALD_E_OK);
    g = read_lines(s, SIG_A, &total);
    assert_int_equal(g->n, 3);
    assert_int_equal(total, 3);
    /* another connection (the dashboard's) sees them */
    store *s2 = open_ok(dir);
    g = read_lines(s2, SIG_A, &total);
    assert_int_equal(g->n, 3);
    store_close(s2);
    sighting_lines_free(c);
    store_close(s);
    tu_rmtree(dir);
}

static void put_sighting(store *s, const char *coll, const char *id, const char *modified)
{
    char json[1024];
    int n = snprintf(json, sizeof json,
                     "{\"type\":\"sighting\",\"spec_version\":\"2.1\",\"id\":\"%s\","
                     "\"created\":\"2026-01-01T00:00:00.000Z\",\"modified\":\"%s\","
                     "\"sighting_of_ref\":\"indicator--a1b2c3d4-0000-4000-8000-000000000001\","
                     "\"count\":1}", id, modified);
    struct stix_info in;
    assert_int_equal(stix_check(json, (size_t)n, 0, &in, NULL, 0), 0);
    bool added;
    int64_t da;
    assert_int_equal(store_put(s, coll, json, (size_t)n, &in, 1, &added, &da), ALD_E_OK);
    assert_true(added);
}

static char *default_collection(store *s)
{
    struct store_collection *cols;
    size_t n;
    assert_int_equal(store_collections(s, &cols, &n), ALD_E_OK);
    assert_true(n >= 1);
    char *id = strdup(cols[0].id);
    free(cols);
    return id;
}

/* The lines go with the last version of their sighting, in any collection. */
static void pruned_with_the_sighting(void **state)
{
    (void)state;
    char *dir = tu_tmpdir();
    store *s = open_ok(dir);
    char *def = default_collection(s);
    char other[STORE_UUID_TEXT];
    assert_int_equal(store_collection_add(s, "other", "", other), ALD_E_OK);
    put_sighting(s, def, SIG_A, "2026-01-01T00:00:00.000Z");
    put_sighting(s, def, SIG_A, "2026-01-01T00:00:01.000Z");
    put_sighting(s, other, SIG_A, "2026-01-01T00:00:01.000Z");
    put_sighting(s, def, SIG_B, "2026-01-01T00:00:00.000Z");
    sighting_lines *c = sighting_lines_new();
    add_hits(c, SIG_A, 1, 5);
    add_hits(c, SIG_B, 1, 2);
    assert_int_equal(sighting_lines_put(s, c, false), ALD_E_OK);
    sighting_lines_free(c);
    size_t del;
    /* one version gone: the sighting is still there */
    const char *const v1[] = {"2026-01-01T00:00:00.000Z"};
    assert_int_equal(store_delete(s, def, SIG_A, v1, 1, NULL, NULL, &del), ALD_E_OK);
    assert_int_equal(del, 1);
    assert_int_equal(read_lines(s, SIG_A, NULL)->n, 5);
    /* gone from the default collection, still in the other one */
    assert_int_equal(store_delete(s, def, SIG_A, NULL, 0, NULL, NULL, &del), ALD_E_OK);
    assert_int_equal(del, 1);
    assert_int_equal(read_lines(s, SIG_A, NULL)->n, 5);
    /* gone everywhere: its lines too, the other sighting's stay */
    assert_int_equal(store_delete(s, other, SIG_A, NULL, 0, NULL, NULL, &del), ALD_E_OK);
    assert_int_equal(read_lines(s, SIG_A, NULL)->n, 0);
    assert_int_equal(read_lines(s, SIG_B, NULL)->n, 2);
    /* the sweep: lines of a sighting the store never held */
    c = sighting_lines_new();
    add_hits(c, "sighting--00000000-0000-5000-8000-000000000000", 1, 4);
    assert_int_equal(sighting_lines_put(s, c, false), ALD_E_OK);
    sighting_lines_free(c);
    size_t removed;
    assert_int_equal(sighting_lines_prune(s, &removed), ALD_E_OK);
    assert_int_equal(removed, 4);
    assert_int_equal(read_lines(s, SIG_B, NULL)->n, 2);
    free(def);
    store_close(s);
    tu_rmtree(dir);
}

/* Any bytes come back as they were; longer than the cap: cut and marked. */
static void bytes_and_cap(void **state)
{
    (void)state;
    char *dir = tu_tmpdir();
    store *s = open_ok(dir);
    /* a store that never had lines: read without creating the table */
    uint64_t total = 7;
    assert_int_equal(read_lines(s, SIG_A, &total)->n, 0);
    assert_int_equal(total, 0);
    size_t removed = 9;
    assert_int_equal(sighting_lines_prune(s, &removed), ALD_E_OK);
    assert_int_equal(removed, 0);

    sighting_lines *c = sighting_lines_new();
    static const char odd[] = "<img src=x onerror=alert(1)>\0tab\there \xc3\xa9 \xff";
    struct sighting_line l = {.source = "s", .file = "", .line = 12, .offset = -1,
                              .time_us = INT64_MIN, .text = odd, .len = sizeof odd - 1};
    assert_int_equal(sighting_lines_add(c, SIG_A, &l), ALD_E_OK);
    size_t big = SL_TEXT_MAX + 5000;
    char *long_line = malloc(big);
    assert_non_null(long_line);
    memset(long_line, 'a', big);
    struct sighting_line l2 = {.source = "s", .file = "f", .offset = 0, .time_us = 0,
                               .text = long_line, .len = big};
    assert_int_equal(sighting_lines_add(c, SIG_B, &l2), ALD_E_OK);
    assert_int_equal(sighting_lines_add(c, NULL, &l2), ALD_E_ARG);
    assert_int_equal(sighting_lines_put(s, c, false), ALD_E_OK);
    sighting_lines_free(c);

    struct got *g = calloc(1, sizeof *g);
    assert_non_null(g);
    assert_int_equal(sighting_lines_get(s, SIG_A, on_line, g, NULL), ALD_E_OK);
    assert_int_equal(g->n, 1);
    assert_int_equal(g->last.len, sizeof odd - 1);
    assert_memory_equal(g->text, odd, sizeof odd - 1);
    assert_int_equal(g->last.line, 12);
    assert_int_equal(g->last.offset, -1);
    assert_true(g->last.time_us == INT64_MIN);
    assert_false(g->last.truncated);
    memset(g, 0, sizeof *g);
    assert_int_equal(sighting_lines_get(s, SIG_B, on_line, g, NULL), ALD_E_OK);
    assert_int_equal(g->last.len, SL_TEXT_MAX);
    assert_true(g->last.truncated);
    assert_int_equal(g->last.offset, 0);
    free(g);
    free(long_line);
    store_close(s);
    tu_rmtree(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(bounded_in_one_batch),
        cmocka_unit_test(bounded_across_batches),
        cmocka_unit_test(in_the_callers_transaction),
        cmocka_unit_test(pruned_with_the_sighting),
        cmocka_unit_test(bytes_and_cap),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
