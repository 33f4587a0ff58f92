/*
 * test_store.c - the SQLite store (lib/store/store.c) against exact
 * expectations: the default collection, duplicates, strictly increasing
 * date_added, every TAXII filter and their combinations, version choice with
 * hidden versions, paging across 100,000 objects (also with a third hidden
 * and with objects added between pages), byte-identical round trip of the
 * real MITRE ATT&CK ICS bundles (two releases: same ids, two versions) and
 * the OASIS examples, the append-only audit log, partners (and their
 * federation columns, migrated into an older store; provenance, and the
 * read policy's re-share rule over it), status
 * resources and two connections at once (a writer while a reader pages).
 *
 * The stix_info of each object is filled here with jansson (the store does
 * not depend on how it was obtained). With ALD_STORE_BENCH=N set, `bench`
 * measures ingest and page rate up to N objects (docs/store.md).
 */
#include "testutil.h"

#include <inttypes.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <sqlite3.h>

#include "alidade/share.h"
#include "alidade/stix.h"
#include "alidade/store.h"

/* ---- helpers ---- */

static store *open_ok(const char *dir)
{
    char err[256];
    store *s = store_open(dir, err, sizeof err);
    if (!s)
        fail_msg("store_open: %s", err);
    return s;
}

static const char *default_collection(store *s, char id[STORE_UUID_TEXT])
{
    struct store_collection *c;
    size_t n;
    assert_int_equal(store_collections(s, &c, &n), ALD_E_OK);
    assert_true(n >= 1);
    assert_true(c[0].is_default);
    memcpy(id, c[0].id, STORE_UUID_TEXT);
    free(c);
    return id;
}

/* A hand-filled stix_info. */
static void info_set(struct stix_info *in, const char *type, const char *id, const char *spec,
                     const char *modified)
{
    memset(in, 0, sizeof *in);
    snprintf(in->type, sizeof in->type, "%s", type);
    snprintf(in->id, sizeof in->id, "%s", id);
    snprintf(in->spec_version, sizeof in->spec_version, "%s", spec);
    snprintf(in->modified, sizeof in->modified, "%s", modified);
    in->modified_us = STIX_TIME_NONE;
    if (modified[0])
        assert_true(stix_time_parse(modified, strlen(modified), &in->modified_us));
    in->created_us = in->valid_from_us = in->valid_until_us = STIX_TIME_NONE;
    in->tlp = STIX_TLP_NONE;
}

/* stix_info of one object's text, with jansson. */
static void info_of_json(const char *json, size_t len, struct stix_info *in)
{
    json_error_t je;
    json_t *o = json_loadb(json, len, 0, &je);
    if (!o)
        fail_msg("object not JSON: %s", je.text);
    const char *type = json_string_value(json_object_get(o, "type"));
    const char *id = json_string_value(json_object_get(o, "id"));
    const char *spec = json_string_value(json_object_get(o, "spec_version"));
    const char *mod = json_string_value(json_object_get(o, "modified"));
    if (!mod)
        mod = json_string_value(json_object_get(o, "created"));
    assert_non_null(type);
    assert_non_null(id);
    info_set(in, type, id, spec ? spec : "", mod ? mod : "");
    const char *cbr = json_string_value(json_object_get(o, "created_by_ref"));
    if (cbr)
        snprintf(in->created_by_ref, sizeof in->created_by_ref, "%s", cbr);
    json_t *m = json_object_get(o, "object_marking_refs");
    size_t i;
    json_t *v;
    json_array_foreach(m, i, v) {
        if (in->nmarkings == STIX_MARKINGS_MAX)
            break;
        snprintf(in->markings[in->nmarkings++], STIX_ID_MAX, "%s", json_string_value(v));
        enum stix_tlp t = stix_tlp_of(json_string_value(v));
        if (t > in->tlp)
            in->tlp = t;
    }
    json_decref(o);
}

/* Calls cb with the exact bytes of each object of a bundle's "objects"
 * array, or of the whole text when it is one object. */
static size_t each_object(const char *t, size_t n,
                          void (*cb)(void *, const char *, size_t), void *ctx)
{
    const char *p = strstr(t, "\"objects\"");
    if (!p) {
        size_t a = 0, b = n;
        while (a < b && strchr(" \t\r\n", t[a]))
            a++;
        while (b > a && strchr(" \t\r\n", t[b - 1]))
            b--;
        cb(ctx, t + a, b - a);
        return 1;
    }
    p = strchr(p, '[');
    assert_non_null(p);
    size_t count = 0;
    int depth = 0;
    bool str = false;
    const char *start = NULL;
    for (p++; p < t + n; p++) {
        char c = *p;
        if (str) {
            if (c == '\\')
                p++;
            else if (c == '"')
                str = false;
            continue;
        }
        if (c == '"')
            str = true;
        else if (c == '{' || c == '[') {
            if (depth++ == 0)
                start = p;
        } else if (c == '}' || c == ']') {
            if (depth == 0)
                break;              /* end of the objects array */
            if (--depth == 0) {
                cb(ctx, start, (size_t)(p + 1 - start));
                count++;
            }
        }
    }
    return count;
}

/* Puts a hand-made object; returns its date_added. */
static int64_t put(store *s, const char *coll, const char *type, const char *id,
                   const char *spec, const char *modified, int64_t now, bool expect_added)
{
    char json[512];
    int n = snprintf(json, sizeof json,
                     "{\"type\":\"%s\",\"id\":\"%s\",\"spec_version\":\"%s\",\"modified\":\"%s\"}",
                     type, id, spec, modified);
    struct stix_info in;
    info_set(&in, type, id, spec, modified);
    bool added;
    int64_t da;
    assert_int_equal(store_put(s, coll, json, (size_t)n, &in, now, &added, &da), ALD_E_OK);
    assert_int_equal(added, expect_added);
    return da;
}

/* Collects "id@version" of each row, space-separated. */
struct collect {
    char text[8192];
    size_t n;
};

static int collect_row(void *ctx, const struct store_row *r)
{
    struct collect *c = ctx;
    size_t l = strlen(c->text);
    snprintf(c->text + l, sizeof c->text - l, "%s%s@%s", l ? " " : "", r->id + strlen(r->type) + 2,
             r->version[0] ? r->version + 8 : "-");
    c->n++;
    return 0;
}

static const char *run(store *s, const char *coll, const struct store_filter *f,
                       store_visible_fn vis, void *vctx, struct collect *c)
{
    memset(c, 0, sizeof *c);
    struct store_page pg;
    ald_err e = store_query(s, coll, f, vis, vctx, collect_row, c, &pg);
    if (e)
        fail_msg("store_query: %s", store_errmsg(s));
    assert_int_equal(pg.count, c->n);
    return c->text;
}

/* ---- collections, duplicates, date_added ---- */

static void collections_default(void **state)
{
    (void)state;
    char *dir = tu_tmpdir();
    store *s = open_ok(dir);
    struct store_collection *c;
    size_t n;
    assert_int_equal(store_collections(s, &c, &n), ALD_E_OK);
    assert_int_equal(n, 1);
    assert_string_equal(c[0].title, "Default");
    assert_true(c[0].is_default);
    assert_int_equal(strlen(c[0].id), 36);
    assert_int_equal(c[0].id[14], '4');
    char def[STORE_UUID_TEXT];
    memcpy(def, c[0].id, sizeof def);
    free(c);
    char id[STORE_UUID_TEXT];
    assert_int_equal(store_collection_add(s, "Maritime", "AIS events", id), ALD_E_OK);
    assert_string_not_equal(id, def);
    assert_int_equal(store_collection_add(s, "", NULL, id), ALD_E_ARG);
    store_close(s);

    /* reopening adds no second default */
    s = open_ok(dir);
    assert_int_equal(store_collections(s, &c, &n), ALD_E_OK);
    assert_int_equal(n, 2);
    assert_string_equal(c[0].id, def);
    assert_string_equal(c[1].title, "Maritime");
    assert_string_equal(c[1].description, "AIS events");
    assert_false(c[1].is_default);
    struct store_collection one;
    assert_int_equal(store_collection_get(s, c[1].id, &one), ALD_E_OK);
    assert_string_equal(one.title, "Maritime");
    free(c);
    assert_int_equal(store_collection_get(s, "00000000-0000-4000-8000-000000000000", &one),
                     ALD_E_NOT_FOUND);
    store_close(s);
    tu_rmtree(dir);
}

static void put_duplicates_and_date_added(void **state)
{
    (void)state;
    char *dir = tu_tmpdir();
    store *s = open_ok(dir);
    char coll[STORE_UUID_TEXT];
    default_collection(s, coll);
    const char *a = "indicator--11111111-1111-4111-8111-111111111111";
    /* a clock that does not move: each new version still gets a later date */
    assert_int_equal(put(s, coll, "indicator", a, "2.1", "2020-01-01T00:00:00.000Z", 1000, true),
                     1000);
    assert_int_equal(put(s, coll, "indicator", a, "2.1", "2020-01-02T00:00:00.000Z", 1000, true),
                     1001);
    /* same id and modified: not added, the first one's date_added */
    assert_int_equal(put(s, coll, "indicator", a, "2.1", "2020-01-01T00:00:00.000Z", 5000, false),
                     1000);
    /* a clock behind the store never goes back */
    assert_int_equal(put(s, coll, "indicator", a, "2.1", "2020-01-03T00:00:00.000Z", 10, true),
                     1002);
    assert_int_equal(put(s, coll, "indicator", a, "2.1", "2020-01-04T00:00:00.000Z", 7000, true),
                     7000);
    /* the same version in another collection is another object */
    char other[STORE_UUID_TEXT];
    assert_int_equal(store_collection_add(s, "Other", "", other), ALD_E_OK);
    assert_int_equal(put(s, other, "indicator", a, "2.1", "2020-01-01T00:00:00.000Z", 1, true),
                     7001);
    /* unknown collection */
    struct stix_info in;
    info_set(&in, "indicator", a, "2.1", "2020-01-01T00:00:00.000Z");
    bool added = true;
    int64_t da;
    assert_int_equal(store_put(s, "nope", "{}", 2, &in, 1, &added, &da), ALD_E_NOT_FOUND);
    assert_false(added);
    /* in one transaction, rolled back: nothing stays */
    assert_int_equal(store_begin(s), ALD_E_OK);
    assert_int_equal(put(s, coll, "indicator", a, "2.1", "2020-01-05T00:00:00.000Z", 1, true),
                     7002);
    assert_int_equal(put(s, coll, "indicator", a, "2.1", "2020-01-06T00:00:00.000Z", 1, true),
                     7003);
    store_rollback(s);
    /* the rolled-back dates are given again (nothing kept them) */
    assert_int_equal(store_begin(s), ALD_E_OK);
    assert_int_equal(put(s, other, "indicator", a, "2.1", "2020-01-05T00:00:00.000Z", 1, true),
                     7002);
    store_rollback(s);
    struct collect c;
    const char *all[] = {"all"};
    struct store_filter f = {.added_after = INT64_MIN, .versions = all, .nversions = 1};
    assert_string_equal(run(s, coll, &f, NULL, NULL, &c),
                        "11111111-1111-4111-8111-111111111111@01T00:00:00.000Z "
                        "11111111-1111-4111-8111-111111111111@02T00:00:00.000Z "
                        "11111111-1111-4111-8111-111111111111@03T00:00:00.000Z "
                        "11111111-1111-4111-8111-111111111111@04T00:00:00.000Z");
    store_close(s);
    tu_rmtree(dir);
}

/* ---- filters ---- */

/*
 * The fixture, in date_added order (10, 20, ...):
 *   A indicator       v1 (10) v2 (20) v3 (60)
 *   B malware         v1 (30)
 *   C attack-pattern  2.0-style v1 (40, spec "2.0")  v2 (50, spec "2.1")
 *                     v3 (70, spec "2.0", later modified than v2)
 *   D ipv4-addr       SCO, no modified, no spec_version (80)
 */
#define ID_A "aaaaaaaa-0000-4000-8000-000000000001"
#define ID_B "bbbbbbbb-0000-4000-8000-000000000002"
#define ID_C "cccccccc-0000-4000-8000-000000000003"
#define ID_D "dddddddd-0000-4000-8000-000000000004"

static void fixture(store *s, const char *coll)
{
    put(s, coll, "indicator", "indicator--" ID_A, "2.1", "2021-01-01T00:00:00.000Z", 10, true);
    put(s, coll, "indicator", "indicator--" ID_A, "2.1", "2021-01-02T00:00:00.000Z", 20, true);
    put(s, coll, "malware", "malware--" ID_B, "2.1", "2021-01-01T00:00:00.000Z", 30, true);
    put(s, coll, "attack-pattern", "attack-pattern--" ID_C, "2.0", "2021-01-01T00:00:00.000Z",
        40, true);
    put(s, coll, "attack-pattern", "attack-pattern--" ID_C, "2.1", "2021-01-02T00:00:00.000Z",
        50, true);
    put(s, coll, "indicator", "indicator--" ID_A, "2.1", "2021-01-03T00:00:00.000Z", 60, true);
    put(s, coll, "attack-pattern", "attack-pattern--" ID_C, "2.0", "2021-01-03T00:00:00.000Z",
        70, true);
    char json[] = "{\"type\":\"ipv4-addr\",\"id\":\"ipv4-addr--" ID_D "\",\"value\":\"10.0.0.1\"}";
    struct stix_info in;
    info_set(&in, "ipv4-addr", "ipv4-addr--" ID_D, "", "");
    bool added;
    int64_t da;
    assert_int_equal(store_put(s, coll, json, strlen(json), &in, 80, &added, &da), ALD_E_OK);
    assert_true(added);
    assert_int_equal(da, 80);
    /* the SCO again: a duplicate */
    assert_int_equal(store_put(s, coll, json, strlen(json), &in, 90, &added, &da), ALD_E_OK);
    assert_false(added);
}

#define A1 ID_A "@01T00:00:00.000Z"
#define A2 ID_A "@02T00:00:00.000Z"
#define A3 ID_A "@03T00:00:00.000Z"
#define B1 ID_B "@01T00:00:00.000Z"
#define C1 ID_C "@01T00:00:00.000Z"
#define C2 ID_C "@02T00:00:00.000Z"
#define C3 ID_C "@03T00:00:00.000Z"
#define D0 ID_D "@-"

struct fstore {
    char *dir;
    store *s;
    char coll[STORE_UUID_TEXT];
};

static int fixture_setup(void **state)
{
    struct fstore *fs = calloc(1, sizeof *fs);
    fs->dir = tu_tmpdir();
    fs->s = open_ok(fs->dir);
    default_collection(fs->s, fs->coll);
    fixture(fs->s, fs->coll);
    *state = fs;
    return 0;
}

static int fixture_teardown(void **state)
{
    struct fstore *fs = *state;
    store_close(fs->s);
    tu_rmtree(fs->dir);
    free(fs);
    return 0;
}

#define F(...) ((struct store_filter){.added_after = INT64_MIN, __VA_ARGS__})
#define FA(t, ...) ((struct store_filter){.added_after = (t), __VA_ARGS__})
#define L(...) ((const char *const[]){__VA_ARGS__})
#define N(...) (sizeof((const char *const[]){__VA_ARGS__}) / sizeof(const char *))

static void filters_versions(void **state)
{
    struct fstore *fs = *state;
    struct collect c;
    store *s = fs->s;
    const char *co = fs->coll;
    struct store_filter f;
    /* default: last version, latest spec per object (C: 2.1 v2 beats 2.0 v3) */
    f = F(.limit = 0);
    assert_string_equal(run(s, co, &f, NULL, NULL, &c), B1 " " C2 " " A3 " " D0);
    f = F(.versions = L("last"), .nversions = 1);
    assert_string_equal(run(s, co, &f, NULL, NULL, &c), B1 " " C2 " " A3 " " D0);
    f = F(.versions = L("first"), .nversions = 1);
    assert_string_equal(run(s, co, &f, NULL, NULL, &c), A1 " " B1 " " C2 " " D0);
    f = F(.versions = L("all"), .nversions = 1);
    assert_string_equal(run(s, co, &f, NULL, NULL, &c), A1 " " A2 " " B1 " " C2 " " A3 " " D0);
    f = F(.versions = L("first", "last"), .nversions = 2);
    assert_string_equal(run(s, co, &f, NULL, NULL, &c), A1 " " B1 " " C2 " " A3 " " D0);
    f = F(.versions = L("2021-01-02T00:00:00Z"), .nversions = 1);
    assert_string_equal(run(s, co, &f, NULL, NULL, &c), A2 " " C2);
    /* C3 (2021-01-03) is 2.0: not the latest spec of C */
    f = F(.versions = L("2021-01-02T00:00:00.000Z", "2021-01-03T00:00:00Z"), .nversions = 2);
    assert_string_equal(run(s, co, &f, NULL, NULL, &c), A2 " " C2 " " A3);
    f = F(.versions = L("first", "2021-01-02T00:00:00Z"), .nversions = 2);
    assert_string_equal(run(s, co, &f, NULL, NULL, &c), A1 " " A2 " " B1 " " C2 " " D0);
    /* malformed version value */
    f = F(.versions = L("latest"), .nversions = 1);
    struct store_page pg;
    assert_int_equal(store_query(s, co, &f, NULL, NULL, NULL, NULL, &pg), ALD_E_ARG);
}

static void filters_spec_version(void **state)
{
    struct fstore *fs = *state;
    struct collect c;
    store *s = fs->s;
    const char *co = fs->coll;
    struct store_filter f;
    f = F(.spec_versions = L("2.0"), .nspec = 1);
    assert_string_equal(run(s, co, &f, NULL, NULL, &c), C3);
    f = F(.spec_versions = L("2.0"), .nspec = 1, .versions = L("all"), .nversions = 1);
    assert_string_equal(run(s, co, &f, NULL, NULL, &c), C1 " " C3);
    f = F(.spec_versions = L("2.0"), .nspec = 1, .versions = L("first"), .nversions = 1);
    assert_string_equal(run(s, co, &f, NULL, NULL, &c), C1);
    f = F(.spec_versions = L("2.1"), .nspec = 1);
    assert_string_equal(run(s, co, &f, NULL, NULL, &c), B1 " " C2 " " A3 " " D0);
    /* both: last over both spec versions */
    f = F(.spec_versions = L("2.0", "2.1"), .nspec = 2);
    assert_string_equal(run(s, co, &f, NULL, NULL, &c), B1 " " A3 " " C3 " " D0);
    f = F(.spec_versions = L("2.0", "2.1"), .nspec = 2, .versions = L("all"), .nversions = 1);
    assert_string_equal(run(s, co, &f, NULL, NULL, &c),
                        A1 " " A2 " " B1 " " C1 " " C2 " " A3 " " C3 " " D0);
    f = F(.spec_versions = L("2.2"), .nspec = 1);
    assert_string_equal(run(s, co, &f, NULL, NULL, &c), "");
}

static void filters_id_type_added_after(void **state)
{
    struct fstore *fs = *state;
    struct collect c;
    store *s = fs->s;
    const char *co = fs->coll;
    struct store_filter f;
    f = F(.ids = L("indicator--" ID_A), .nids = 1);
    assert_string_equal(run(s, co, &f, NULL, NULL, &c), A3);
    f = F(.ids = L("indicator--" ID_A, "malware--" ID_B), .nids = 2, .versions = L("all"),
          .nversions = 1);
    assert_string_equal(run(s, co, &f, NULL, NULL, &c), A1 " " A2 " " B1 " " A3);
    f = F(.ids = L("indicator--00000000-0000-4000-8000-000000000000"), .nids = 1);
    assert_string_equal(run(s, co, &f, NULL, NULL, &c), "");
    f = F(.types = L("indicator"), .ntypes = 1, .versions = L("all"), .nversions = 1);
    assert_string_equal(run(s, co, &f, NULL, NULL, &c), A1 " " A2 " " A3);
    f = F(.types = L("malware", "ipv4-addr"), .ntypes = 2);
    assert_string_equal(run(s, co, &f, NULL, NULL, &c), B1 " " D0);
    /* added_after is exclusive, and applies before the version choice */
    f = FA(20, .versions = L("all"), .nversions = 1);
    assert_string_equal(run(s, co, &f, NULL, NULL, &c), B1 " " C2 " " A3 " " D0);
    f = FA(20, .versions = L("first"), .nversions = 1);
    assert_string_equal(run(s, co, &f, NULL, NULL, &c), B1 " " C2 " " A3 " " D0);
    f = FA(0, .limit = 0);
    assert_string_equal(run(s, co, &f, NULL, NULL, &c), B1 " " C2 " " A3 " " D0);
    f = FA(80, .limit = 0);
    assert_string_equal(run(s, co, &f, NULL, NULL, &c), "");
    /* combinations */
    f = FA(10, .types = L("indicator", "attack-pattern"), .ntypes = 2,
          .versions = L("first"), .nversions = 1);
    assert_string_equal(run(s, co, &f, NULL, NULL, &c), A2 " " C2);
    f = F(.ids = L("attack-pattern--" ID_C), .nids = 1, .types = L("attack-pattern"),
          .ntypes = 1, .spec_versions = L("2.0"), .nspec = 1,
          .versions = L("2021-01-03T00:00:00Z"), .nversions = 1);
    assert_string_equal(run(s, co, &f, NULL, NULL, &c), C3);
    f = F(.ids = L("attack-pattern--" ID_C), .nids = 1, .types = L("indicator"), .ntypes = 1);
    assert_string_equal(run(s, co, &f, NULL, NULL, &c), "");
    f = FA(20, .ids = L("indicator--" ID_A), .nids = 1,
          .versions = L("2021-01-02T00:00:00Z"), .nversions = 1);
    assert_string_equal(run(s, co, &f, NULL, NULL, &c), "");
    /* an unknown collection */
    struct store_page pg;
    assert_int_equal(store_query(s, "nope", &f, NULL, NULL, NULL, NULL, &pg), ALD_E_NOT_FOUND);
}

/* hides the versions whose `modified` is in ctx (a NULL-terminated list of
 * "id@version" strings as collect_row writes them) */
static bool hide_listed(void *ctx, const struct store_row *r)
{
    assert_null(r->json);           /* visible() sees facts, not text */
    assert_int_equal(r->len, 0);
    char key[160];
    snprintf(key, sizeof key, "%s@%s", r->id + strlen(r->type) + 2,
             r->version[0] ? r->version + 8 : "-");
    for (const char *const *h = ctx; *h; h++)
        if (strcmp(*h, key) == 0)
            return false;
    return true;
}

static void hidden_versions(void **state)
{
    struct fstore *fs = *state;
    struct collect c;
    store *s = fs->s;
    const char *co = fs->coll;
    struct store_filter f;
    /* A3 hidden: A's last is A2, placed at A2's date_added */
    const char *h1[] = {A3, NULL};
    f = F(.limit = 0);
    assert_string_equal(run(s, co, &f, hide_listed, h1, &c), A2 " " B1 " " C2 " " D0);
    /* A1 hidden: first is A2 */
    const char *h2[] = {A1, NULL};
    f = F(.versions = L("first"), .nversions = 1);
    assert_string_equal(run(s, co, &f, hide_listed, h2, &c), A2 " " B1 " " C2 " " D0);
    /* C2 (the only 2.1 version of C) hidden: the latest visible spec is 2.0 */
    const char *h3[] = {C2, NULL};
    f = F(.limit = 0);
    assert_string_equal(run(s, co, &f, hide_listed, h3, &c), B1 " " A3 " " C3 " " D0);
    /* every version of A hidden: A does not exist, not even by id */
    const char *h4[] = {A1, A2, A3, NULL};
    f = F(.versions = L("all"), .nversions = 1);
    assert_string_equal(run(s, co, &f, hide_listed, h4, &c), B1 " " C2 " " D0);
    f = F(.ids = L("indicator--" ID_A), .nids = 1);
    assert_string_equal(run(s, co, &f, hide_listed, h4, &c), "");
    /* paging counts only what is visible: pages of 1 over h1 */
    f = F(.limit = 1);
    const char *expect[] = {A2, B1, C2, D0};
    char next[64] = "";
    for (size_t i = 0; i < 4; i++) {
        f.next = i ? next : NULL;
        struct store_page pg;
        memset(&c, 0, sizeof c);
        assert_int_equal(store_query(s, co, &f, hide_listed, h1, collect_row, &c, &pg),
                         ALD_E_OK);
        assert_int_equal(pg.count, 1);
        assert_string_equal(c.text, expect[i]);
        assert_int_equal(pg.more, i < 3);
        assert_int_equal(pg.first_added, pg.last_added);
        snprintf(next, sizeof next, "%s", pg.next);
        assert_int_equal(strlen(next) > 0, i < 3);
    }
}

static int stop_at_two(void *ctx, const struct store_row *r)
{
    (void)r;
    return ++*(size_t *)ctx == 2 ? 42 : 0;
}

static void page_headers_and_cursor(void **state)
{
    struct fstore *fs = *state;
    store *s = fs->s;
    struct store_filter f = F(.versions = L("all"), .nversions = 1, .limit = 4);
    struct collect c;
    struct store_page pg;
    memset(&c, 0, sizeof c);
    assert_int_equal(store_query(s, fs->coll, &f, NULL, NULL, collect_row, &c, &pg), ALD_E_OK);
    /* all versions of the latest spec: C1 and C3 (2.0) are not in it */
    assert_string_equal(c.text, A1 " " A2 " " B1 " " C2);
    assert_int_equal(pg.count, 4);
    assert_true(pg.more);
    assert_int_equal(pg.first_added, 10);
    assert_int_equal(pg.last_added, 50);
    char next[64];
    snprintf(next, sizeof next, "%s", pg.next);
    f.next = next;
    memset(&c, 0, sizeof c);
    assert_int_equal(store_query(s, fs->coll, &f, NULL, NULL, collect_row, &c, &pg), ALD_E_OK);
    assert_string_equal(c.text, A3 " " D0);
    assert_false(pg.more);
    assert_string_equal(pg.next, "");
    assert_int_equal(pg.first_added, 60);
    assert_int_equal(pg.last_added, 80);
    /* empty page */
    f = FA(1000, .limit = 0);
    assert_int_equal(store_query(s, fs->coll, &f, NULL, NULL, NULL, NULL, &pg), ALD_E_OK);
    assert_int_equal(pg.count, 0);
    assert_int_equal(pg.first_added, INT64_MIN);
    /* malformed cursors */
    const char *bad[] = {"x", "12", ".5", "5.", "1.2.3", "12345678901234567.1", "A.1"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        f = F(.next = bad[i]);
        assert_int_equal(store_query(s, fs->coll, &f, NULL, NULL, NULL, NULL, &pg), ALD_E_ARG);
    }
    /* a row callback's non-zero value stops the query and is returned */
    f = F(.limit = 0);
    size_t calls = 0;
    assert_int_equal(store_query(s, fs->coll, &f, NULL, NULL, stop_at_two, &calls, &pg), 42);
    assert_int_equal(calls, 2);
}

static void delete_versions(void **state)
{
    struct fstore *fs = *state;
    store *s = fs->s;
    size_t n;
    /* last of A among the visible: with A3 hidden that is A2 */
    const char *h1[] = {A3, NULL};
    assert_int_equal(store_delete(s, fs->coll, "indicator--" ID_A, L("last"), 1, hide_listed, h1,
                                  &n),
                     ALD_E_OK);
    assert_int_equal(n, 1);
    struct collect c;
    struct store_filter f = F(.ids = L("indicator--" ID_A), .nids = 1, .versions = L("all"),
                              .nversions = 1);
    assert_string_equal(run(s, fs->coll, &f, NULL, NULL, &c), A1 " " A3);
    /* all of C (both spec versions), none of a missing id */
    assert_int_equal(store_delete(s, fs->coll, "attack-pattern--" ID_C, NULL, 0, NULL, NULL, &n),
                     ALD_E_OK);
    assert_int_equal(n, 3);
    assert_int_equal(store_delete(s, fs->coll, "attack-pattern--" ID_C, NULL, 0, NULL, NULL, &n),
                     ALD_E_OK);
    assert_int_equal(n, 0);
    f = F(.versions = L("all"), .nversions = 1);
    assert_string_equal(run(s, fs->coll, &f, NULL, NULL, &c), A1 " " B1 " " A3 " " D0);
}

/* ---- paging across 100,000 objects ---- */

#define BIG 100000
#define BIG_EXTRA_PER_PAGE 10

static uint64_t mix(uint64_t x)
{
    x += 0x9e3779b97f4a7c15ULL;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
    return x ^ (x >> 31);
}

static void big_id(size_t i, char *id, size_t cap)
{
    snprintf(id, cap, "indicator--00000000-0000-4000-8000-%012zu", i);
}

static size_t big_index(const char *id)
{
    return (size_t)strtoull(id + strlen(id) - 12, NULL, 10);
}

static void big_put(store *s, const char *coll, size_t i, int64_t now)
{
    char id[STIX_ID_MAX];
    big_id(i, id, sizeof id);
    put(s, coll, "indicator", id, "2.1", "2022-02-02T02:02:02.000Z", now, true);
}

/* hides a pseudo-random third */
static bool hide_third(void *ctx, const struct store_row *r)
{
    (void)ctx;
    return mix(big_index(r->id)) % 3 != 0;
}

struct seen {
    unsigned char *count;
    size_t rows;
};

static int seen_row(void *ctx, const struct store_row *r)
{
    struct seen *sn = ctx;
    sn->count[big_index(r->id)]++;
    sn->rows++;
    return 0;
}

static void paging_big(void **state)
{
    (void)state;
    char *dir = tu_tmpdir();
    store *s = open_ok(dir);
    char coll[STORE_UUID_TEXT];
    default_collection(s, coll);
    assert_int_equal(store_begin(s), ALD_E_OK);
    for (size_t i = 0; i < BIG; i++)
        big_put(s, coll, i, 1000000);   /* one clock value: date_added still distinct */
    assert_int_equal(store_commit(s), ALD_E_OK);

    size_t extra_max = BIG + 4000;
    struct seen sn = {.count = calloc(extra_max, 1)};
    for (int mode = 0; mode < 4; mode++) {
        /* 0: all visible; 1: a third hidden; 2: new objects between pages;
         * 3: both (the objects added in mode 2 are there from the start) */
        bool hide = mode == 1 || mode == 3, grow = mode >= 2;
        memset(sn.count, 0, extra_max);
        sn.rows = 0;
        size_t start = mode == 3 ? BIG + 2000 : BIG;
        size_t next_new = start;
        struct store_filter f = F(.limit = 1000);
        char next[64] = "";
        size_t pages = 0;
        for (;;) {
            struct store_page pg;
            assert_int_equal(store_query(s, coll, &f, hide ? hide_third : NULL, NULL,
                                         seen_row, &sn, &pg),
                             ALD_E_OK);
            pages++;
            if (!pg.more)
                break;
            assert_int_equal(pg.count, 1000);
            snprintf(next, sizeof next, "%s", pg.next);
            f.next = next;
            if (grow)
                for (int k = 0; k < BIG_EXTRA_PER_PAGE; k++)
                    big_put(s, coll, next_new++, 5);
        }
        size_t expect = 0;
        for (size_t i = 0; i < next_new; i++) {
            bool exists = i < BIG || (i >= BIG && i < BIG + 1000 && mode == 3) || i >= start;
            unsigned want = exists ? (hide ? (mix(i) % 3 != 0) : 1) : 0;
            if (sn.count[i] != want)
                fail_msg("mode %d: object %zu seen %u times, expected %u", mode, i,
                         sn.count[i], want);
            expect += want;
        }
        assert_int_equal(sn.rows, expect);
        if (mode == 0)
            assert_int_equal(pages, BIG / 1000);
        if (mode == 1)
            assert_true(expect > BIG / 2 && expect < BIG * 3 / 4);
        if (grow) {
            /* 10 added after every page but the last: the walk reached them all */
            assert_int_equal(next_new - start, BIG_EXTRA_PER_PAGE * (pages - 1));
            print_message("paging mode %d: %zu objects seen, %zu added while paging, %zu pages\n",
                          mode, expect, next_new - start, pages);
        }
        if (mode == 2)
            assert_int_equal(pages, (next_new + 999) / 1000);
    }
    free(sn.count);
    store_close(s);
    tu_rmtree(dir);
}

/* ---- randomised: the store against a direct reading of the rules ---- */

#define RND_IDS 40
#define RND_MAXV 4

struct rnd_ver {
    char id[STIX_ID_MAX];
    const char *type, *spec;
    char modified[STIX_TIME_TEXT];
    int64_t version_us, date_added;
    bool hidden;
};

static uint64_t rnd_state;

static uint64_t rnd(void)
{
    return mix(rnd_state++);
}

static bool rnd_hidden(void *ctx, const struct store_row *r)
{
    const struct rnd_ver *v = ctx;
    for (size_t i = 0; i < RND_IDS * RND_MAXV; i++)
        if (v[i].id[0] && v[i].version_us == r->version_us && strcmp(v[i].id, r->id) == 0)
            return !v[i].hidden;
    fail_msg("visible() called with an unknown row %s", r->id);
    return false;
}

static bool rnd_in(const char *x, const char *const *l, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(x, l[i]) == 0)
            return true;
    return false;
}

/* The TAXII rules as docs/store.md states them, over all versions. */
static void rnd_oracle(const struct rnd_ver *v, size_t nv, const struct store_filter *f,
                       bool use_hidden, char *out, size_t cap)
{
    out[0] = '\0';
    /* rows in date_added order: v is in insertion order already */
    for (size_t i = 0; i < nv; i++) {
        const struct rnd_ver *r = &v[i];
        if (f->nids && !rnd_in(r->id, f->ids, f->nids))
            continue;
        if (f->ntypes && !rnd_in(r->type, f->types, f->ntypes))
            continue;
        /* the versions of r's id the caller may see, spec rule, added_after */
        char maxspec[8] = "";
        for (size_t j = 0; j < nv; j++)
            if (strcmp(v[j].id, r->id) == 0 && !(use_hidden && v[j].hidden) &&
                strcmp(v[j].spec, maxspec) > 0)
                snprintf(maxspec, sizeof maxspec, "%s", v[j].spec);
        bool self = false;
        int64_t minv = INT64_MAX, maxv = INT64_MIN;
        for (size_t j = 0; j < nv; j++) {
            const struct rnd_ver *w = &v[j];
            if (strcmp(w->id, r->id) != 0 || (use_hidden && w->hidden))
                continue;
            if (f->nspec ? !rnd_in(w->spec, f->spec_versions, f->nspec)
                         : strcmp(w->spec, maxspec) != 0)
                continue;
            if (f->added_after != INT64_MIN && w->date_added <= f->added_after)
                continue;
            if (w == r)
                self = true;
            minv = w->version_us < minv ? w->version_us : minv;
            maxv = w->version_us > maxv ? w->version_us : maxv;
        }
        if (!self)
            continue;
        bool take = f->nversions == 0 ? r->version_us == maxv : false;
        for (size_t k = 0; k < f->nversions; k++) {
            const char *x = f->versions[k];
            int64_t us;
            if (strcmp(x, "all") == 0 || (strcmp(x, "first") == 0 && r->version_us == minv) ||
                (strcmp(x, "last") == 0 && r->version_us == maxv) ||
                (stix_time_parse(x, strlen(x), &us) && us == r->version_us))
                take = true;
        }
        if (take) {
            size_t l = strlen(out);
            snprintf(out + l, cap - l, "%s%s@%s", l ? " " : "", r->id + strlen(r->type) + 2,
                     r->modified + 8);
        }
    }
}

static void randomised_against_oracle(void **state)
{
    (void)state;
    char *dir = tu_tmpdir();
    store *s = open_ok(dir);
    char coll[STORE_UUID_TEXT];
    default_collection(s, coll);
    static const char *const types[] = {"indicator", "malware", "tool"};
    static const char *const specs[] = {"2.0", "2.1"};
    /* every id gets 1-4 versions on distinct days; all versions go in
     * shuffled, so versions of one id interleave with others' */
    struct rnd_ver *v = calloc(RND_IDS * RND_MAXV, sizeof *v);
    size_t nv = 0;
    rnd_state = 12345;
    for (size_t i = 0; i < RND_IDS; i++) {
        size_t k = 1 + rnd() % RND_MAXV;
        unsigned days = 0;
        for (size_t j = 0; j < k; j++) {
            struct rnd_ver *x = &v[nv++];
            x->type = types[i % 3];
            snprintf(x->id, sizeof x->id, "%s--00000000-0000-4000-8000-%012zu", x->type, i);
            days += 1 + (unsigned)(rnd() % 3);
            snprintf(x->modified, sizeof x->modified, "2023-01-%02uT00:00:00.000Z", days);
            x->spec = specs[rnd() % 2];
            x->hidden = rnd() % 4 == 0;
        }
    }
    for (size_t i = nv - 1; i > 0; i--) {
        size_t j = rnd() % (i + 1);
        struct rnd_ver t = v[i];
        v[i] = v[j];
        v[j] = t;
    }
    for (size_t i = 0; i < nv; i++) {
        v[i].date_added = put(s, coll, v[i].type, v[i].id, v[i].spec, v[i].modified,
                              (int64_t)(i + 1) * 10, true);
        assert_true(stix_time_parse(v[i].modified, strlen(v[i].modified), &v[i].version_us));
    }
    static const char *const vwords[] = {"first", "last", "all"};
    char expect[16384], got[16384];
    size_t nonempty = 0, rows = 0, multipage = 0;
    for (int round = 0; round < 3000; round++) {
        const char *ids[3], *tps[2], *sps[2], *vers[3];
        char vts[3][STIX_TIME_TEXT];
        struct store_filter f = {.added_after = INT64_MIN};
        f.nids = rnd() % 3 == 0 ? 1 + rnd() % 3 : 0;
        for (size_t i = 0; i < f.nids; i++)
            ids[i] = v[rnd() % nv].id;
        f.ids = ids;
        f.ntypes = rnd() % 3 == 0 ? 1 + rnd() % 2 : 0;
        for (size_t i = 0; i < f.ntypes; i++)
            tps[i] = types[rnd() % 3];
        f.types = tps;
        size_t sp = rnd() % 4;
        f.nspec = sp == 0 || sp == 1 ? 0 : sp == 2 ? 1 : 2;
        sps[0] = specs[rnd() % 2];
        sps[1] = sps[0] == specs[0] ? specs[1] : specs[0];
        f.spec_versions = sps;
        f.nversions = rnd() % 2 ? 1 + rnd() % 3 : 0;
        for (size_t i = 0; i < f.nversions; i++) {
            if (rnd() % 3 == 0) {
                snprintf(vts[i], sizeof vts[i], "%s", v[rnd() % nv].modified);
                vers[i] = vts[i];
            } else {
                vers[i] = vwords[rnd() % 3];
            }
        }
        f.versions = vers;
        if (rnd() % 3 == 0)
            f.added_after = (int64_t)(rnd() % (nv * 10 + 10));
        bool use_hidden = rnd() % 2;
        f.limit = rnd() % 2 ? 1 + rnd() % 7 : 0;

        rnd_oracle(v, nv, &f, use_hidden, expect, sizeof expect);
        /* all pages */
        struct collect c;
        got[0] = '\0';
        char next[64];
        size_t pages = 0;
        for (;;) {
            struct store_page pg;
            memset(&c, 0, sizeof c);
            assert_int_equal(store_query(s, coll, &f, use_hidden ? rnd_hidden : NULL, v,
                                         collect_row, &c, &pg),
                             ALD_E_OK);
            assert_int_equal(pg.count, c.n);
            if (f.limit)
                assert_true(pg.count <= f.limit);
            if (c.n) {
                size_t l = strlen(got);
                snprintf(got + l, sizeof got - l, "%s%s", l ? " " : "", c.text);
            }
            pages++;
            if (!pg.more)
                break;
            assert_int_equal(pg.count, f.limit);
            snprintf(next, sizeof next, "%s", pg.next);
            f.next = next;
        }
        if (strcmp(got, expect) != 0)
            fail_msg("round %d: store\n  %s\noracle\n  %s", round, got, expect);
        if (got[0]) {
            nonempty++;
            rows++;
            for (const char *p = got; *p; p++)
                rows += *p == ' ';
        }
        multipage += pages > 1;
    }
    /* the filters drawn exercise something: not mostly empty answers */
    print_message("oracle: %zu versions, 3000 filters, %zu non-empty, %zu rows, %zu paged\n", nv,
                  nonempty, rows, multipage);
    assert_true(nonempty > 1500);
    assert_true(multipage > 500);
    free(v);
    store_close(s);
    tu_rmtree(dir);
}

/* ---- real data: byte-identical round trip ---- */

struct expect_obj {
    char id[STIX_ID_MAX];
    int64_t version_us;
    const char *json;
    size_t len;
    unsigned seen;
};

struct import {
    store *s;
    const char *coll;
    struct expect_obj *e;
    size_t n, cap, added, dups;
    int64_t now;
};

static void import_obj(void *ctx, const char *obj, size_t len)
{
    struct import *im = ctx;
    struct stix_info in;
    info_of_json(obj, len, &in);
    bool added;
    int64_t da;
    if (store_put(im->s, im->coll, obj, len, &in, im->now++, &added, &da) != ALD_E_OK)
        fail_msg("store_put %s: %s", in.id, store_errmsg(im->s));
    if (!added) {
        im->dups++;
        return;
    }
    im->added++;
    if (im->n == im->cap) {
        im->cap = im->cap ? 2 * im->cap : 1024;
        im->e = realloc(im->e, im->cap * sizeof *im->e);
    }
    struct expect_obj *x = &im->e[im->n++];
    snprintf(x->id, sizeof x->id, "%s", in.id);
    x->version_us = in.modified_us;
    x->json = obj;
    x->len = len;
    x->seen = 0;
}

static int check_row(void *ctx, const struct store_row *r)
{
    struct import *im = ctx;
    for (size_t i = 0; i < im->n; i++) {
        struct expect_obj *x = &im->e[i];
        if (x->version_us == r->version_us && strcmp(x->id, r->id) == 0) {
            assert_int_equal(r->len, x->len);
            assert_memory_equal(r->json, x->json, x->len);
            x->seen++;
            return 0;
        }
    }
    fail_msg("unexpected row %s", r->id);
    return 1;
}

static int count_one(void *ctx, const struct store_row *r)
{
    (void)r;
    (*(size_t *)ctx)++;
    return 0;
}

/* Imports the files (each its own transaction) into one new collection and
 * reads every version back; returns the number of distinct versions and, in
 * *objects, store_count() (checked equal to the rows of a default query). */
static size_t round_trip(const char *const *paths, size_t npaths, size_t *dups,
                         size_t *objects)
{
    char *dir = tu_tmpdir();
    store *s = open_ok(dir);
    char coll[STORE_UUID_TEXT];
    default_collection(s, coll);
    struct import im = {.s = s, .coll = coll, .now = 1};
    char *texts[16];
    for (size_t i = 0; i < npaths; i++) {
        size_t len;
        texts[i] = tu_read_file(paths[i], &len);
        assert_non_null(texts[i]);
        assert_int_equal(store_begin(s), ALD_E_OK);
        assert_true(each_object(texts[i], len, import_obj, &im) > 0);
        assert_int_equal(store_commit(s), ALD_E_OK);
    }
    struct store_filter f = F(.versions = L("all"), .nversions = 1,
                              .spec_versions = L("2.0", "2.1"), .nspec = 2, .limit = 500);
    char next[64] = "";
    for (;;) {
        struct store_page pg;
        assert_int_equal(store_query(s, coll, &f, NULL, NULL, check_row, &im, &pg), ALD_E_OK);
        if (!pg.more)
            break;
        snprintf(next, sizeof next, "%s", pg.next);
        f.next = next;
    }
    for (size_t i = 0; i < im.n; i++)
        if (im.e[i].seen != 1)
            fail_msg("%s seen %u times", im.e[i].id, im.e[i].seen);
    struct store_filter def = F();
    struct store_page pg;
    size_t rows = 0;
    assert_int_equal(store_query(s, coll, &def, NULL, NULL, count_one, &rows, &pg), ALD_E_OK);
    assert_int_equal(store_count(s, coll, objects), ALD_E_OK);
    assert_int_equal(*objects, rows);
    size_t none;
    assert_int_equal(store_count(s, "no-such-collection", &none), ALD_E_NOT_FOUND);
    size_t n = im.n;
    *dups = im.dups;
    free(im.e);
    for (size_t i = 0; i < npaths; i++)
        free(texts[i]);
    store_close(s);
    tu_rmtree(dir);
    return n;
}

static void attack_round_trip(void **state)
{
    (void)state;
    TU_NEED_SHARED(a, "cti/attack/ics-attack.json");
    char pa[4096];
    snprintf(pa, sizeof pa, "%s", a);
    TU_NEED_SHARED(b, "cti/attack/ics-attack-17.1.json");
    const char *paths[] = {pa, b};
    size_t dups;
    /* 1826 + 1651 objects, 2141 distinct (id, modified) over 2064 ids
     * (counted with Python's json module) */
    size_t objects;
    assert_int_equal(round_trip(paths, 2, &dups, &objects), 2141);
    assert_int_equal(dups, 1826 + 1651 - 2141);
    assert_int_equal(objects, 2064);
}

static void oasis_examples_round_trip(void **state)
{
    (void)state;
    static const char *const files[] = {
        "indicator-for-c2-ip-address.json", "indicator-to-campaign-relationship.json",
        "indicators-for-C2-with-COA.json", "infrastructure.json",
        "interop-objectmarking-test.json", "malicious-email-indicator-with-attachment.json",
        "threat-reports/apt1.json", "threat-reports/poisonivy.json",
    };
    /* objects per file (bundle sizes; the interop one is a single object) */
    static const size_t counts[] = {1, 3, 8, 10, 1, 6, 76, 155};
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
        char rel[256];
        snprintf(rel, sizeof rel, "cti/stix2-json-schemas/examples/%s", files[i]);
        TU_NEED_SHARED(p, rel);
        const char *paths[] = {p};
        size_t dups;
        size_t objects;
        size_t n = round_trip(paths, 1, &dups, &objects);
        assert_int_equal(n + dups, counts[i]);
    }
}

/* ---- audit, partners, status ---- */

static void audit_append_only(void **state)
{
    (void)state;
    char *dir = tu_tmpdir();
    store *s = open_ok(dir);
    assert_int_equal(store_audit(s, 5, "local", "write", "indicator--x", "import"), ALD_E_OK);
    assert_int_equal(store_audit(s, 6, "acme", "read", "", ""), ALD_E_OK);
    char path[512];
    snprintf(path, sizeof path, "%s/%s", dir, STORE_FILE);
    sqlite3 *db;
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    sqlite3_busy_timeout(db, 5000);
    char *msg = NULL;
    assert_int_not_equal(sqlite3_exec(db, "UPDATE audit SET who = 'x'", NULL, NULL, &msg),
                         SQLITE_OK);
    assert_string_equal(msg, "audit log is append-only");
    sqlite3_free(msg);
    msg = NULL;
    assert_int_not_equal(sqlite3_exec(db, "DELETE FROM audit", NULL, NULL, &msg), SQLITE_OK);
    assert_string_equal(msg, "audit log is append-only");
    sqlite3_free(msg);
    sqlite3_stmt *st;
    assert_int_equal(sqlite3_prepare_v2(db, "SELECT at, who, action, object, detail FROM audit"
                                            " ORDER BY seq", -1, &st, NULL),
                     SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    assert_int_equal(sqlite3_column_int64(st, 0), 5);
    assert_string_equal((const char *)sqlite3_column_text(st, 1), "local");
    assert_string_equal((const char *)sqlite3_column_text(st, 3), "indicator--x");
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    assert_string_equal((const char *)sqlite3_column_text(st, 1), "acme");
    assert_int_equal(sqlite3_step(st), SQLITE_DONE);
    sqlite3_finalize(st);
    sqlite3_close(db);
    store_close(s);
    tu_rmtree(dir);
}

/* store_state_*: set, replace, prefix walk (a prefix with LIKE's wildcards
 * in it matches literally), remove, and a rolled-back transaction keeps
 * nothing (a feed offset commits with the objects read up to it). */
struct walk {
    char keys[512];
    int stop_at, calls;
};

static int walk_cb(void *ctx, const char *key, const char *value)
{
    struct walk *w = ctx;
    size_t n = strlen(w->keys);
    snprintf(w->keys + n, sizeof w->keys - n, "%s=%s;", key, value);
    return ++w->calls == w->stop_at ? 99 : 0;
}

static void named_state(void **state)
{
    (void)state;
    char *dir = tu_tmpdir();
    store *s = open_ok(dir);
    char *v = NULL;
    assert_int_equal(store_state_get(s, "ingest/a", &v), ALD_E_NOT_FOUND);
    assert_null(v);
    assert_int_equal(store_state_put(s, "ingest/a", "10"), ALD_E_OK);
    assert_int_equal(store_state_put(s, "ingest/a", "20"), ALD_E_OK);
    assert_int_equal(store_state_put(s, "ingest/b%", "x"), ALD_E_OK);
    assert_int_equal(store_state_put(s, "ingestXb", "no"), ALD_E_OK);
    assert_int_equal(store_state_put(s, "fed/p1/pull", "cursor"), ALD_E_OK);
    assert_int_equal(store_state_get(s, "ingest/a", &v), ALD_E_OK);
    assert_string_equal(v, "20");
    free(v);
    struct walk w = {.keys = ""};
    assert_int_equal(store_state_list(s, "ingest/", walk_cb, &w), ALD_E_OK);
    assert_string_equal(w.keys, "ingest/a=20;ingest/b%=x;");
    struct walk pct = {.keys = ""};
    assert_int_equal(store_state_list(s, "ingest/b%", walk_cb, &pct), ALD_E_OK);
    assert_string_equal(pct.keys, "ingest/b%=x;");
    struct walk stop = {.keys = "", .stop_at = 1};
    assert_int_equal(store_state_list(s, "", walk_cb, &stop), 99);
    assert_int_equal(stop.calls, 1);
    /* a rolled-back transaction leaves the old value */
    assert_int_equal(store_begin(s), ALD_E_OK);
    assert_int_equal(store_state_put(s, "ingest/a", "30"), ALD_E_OK);
    store_rollback(s);
    assert_int_equal(store_state_get(s, "ingest/a", &v), ALD_E_OK);
    assert_string_equal(v, "20");
    free(v);
    assert_int_equal(store_state_remove(s, "ingest/a"), ALD_E_OK);
    assert_int_equal(store_state_remove(s, "ingest/a"), ALD_E_OK);
    assert_int_equal(store_state_get(s, "ingest/a", &v), ALD_E_NOT_FOUND);
    /* survives close and reopen */
    store_close(s);
    s = open_ok(dir);
    assert_int_equal(store_state_get(s, "fed/p1/pull", &v), ALD_E_OK);
    assert_string_equal(v, "cursor");
    free(v);
    store_close(s);
    tu_rmtree(dir);
}

/* ---- federation: partner columns, migration, provenance ---- */

/* Origins of the rows of a collection, "id=origin" space-separated. */
static int origin_row(void *ctx, const struct store_row *r)
{
    char *out = ctx;
    size_t l = strlen(out);
    snprintf(out + l, 1024 - l, "%s%s=%s", l ? " " : "", r->id, r->origin ? r->origin : "?");
    return 0;
}

static void federation_columns(void **state)
{
    (void)state;
    char *dir = tu_tmpdir();
    /* a store made before federation: the old partner and object tables */
    char path[512];
    snprintf(path, sizeof path, "%s/%s", dir, STORE_FILE);
    sqlite3 *db;
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    assert_int_equal(sqlite3_exec(db,
        "CREATE TABLE partner(name TEXT PRIMARY KEY, identity TEXT NOT NULL,"
        " token_hash TEXT NOT NULL, cert_fp TEXT NOT NULL, groups TEXT NOT NULL,"
        " read TEXT NOT NULL, write TEXT NOT NULL, created INTEGER NOT NULL);"
        "INSERT INTO partner VALUES('old', '', 'aa', '', '', '*', '', 3);"
        "CREATE TABLE object(rowid INTEGER PRIMARY KEY, coll INTEGER NOT NULL,"
        " id TEXT NOT NULL, type TEXT NOT NULL, spec_version TEXT NOT NULL,"
        " version TEXT NOT NULL, version_us INTEGER NOT NULL, date_added INTEGER NOT NULL,"
        " tlp INTEGER NOT NULL, markings TEXT NOT NULL, created_by_ref TEXT NOT NULL,"
        " recipients TEXT NOT NULL, json BLOB NOT NULL)", NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close(db);
    store *s = open_ok(dir);
    struct store_partner o;
    assert_int_equal(store_partner_get(s, "old", &o), ALD_E_OK);
    assert_string_equal(o.token_hash, "aa");
    assert_string_equal(o.url, "");
    assert_false(o.reshare);
    /* the federation columns round-trip */
    struct store_partner p = {.name = "peer", .read = "*", .url = "http://127.0.0.1:1/api/",
                              .pull = "c1,c2", .push = "c3", .push_from = "l1",
                              .pull_into = "l2", .remote_user = "us",
                              .remote_token = "tok", .reshare = true, .created = 9,
                              .remote_ca = "/etc/ca.pem", .remote_cert = "/etc/c.pem",
                              .remote_key = "/etc/c.key"};
    assert_int_equal(store_partner_put(s, &p), ALD_E_OK);
    struct store_partner client = {.name = "client", .read = "*", .write = "*"};
    assert_int_equal(store_partner_put(s, &client), ALD_E_OK);
    assert_int_equal(store_partner_get(s, "peer", &o), ALD_E_OK);
    assert_string_equal(o.url, "http://127.0.0.1:1/api/");
    assert_string_equal(o.pull, "c1,c2");
    assert_string_equal(o.push, "c3");
    assert_string_equal(o.push_from, "l1");
    assert_string_equal(o.pull_into, "l2");
    assert_string_equal(o.remote_user, "us");
    assert_string_equal(o.remote_token, "tok");
    assert_true(o.reshare);
    assert_int_equal(o.created, 9);
    assert_string_equal(o.remote_ca, "/etc/ca.pem");
    assert_string_equal(o.remote_cert, "/etc/c.pem");
    assert_string_equal(o.remote_key, "/etc/c.key");
    /* provenance: set by the audit row of any partner's write in the same
     * transaction (a federation partner or a TAXII client), not by local
     * ones nor by a name that is no partner */
    char coll[STORE_UUID_TEXT];
    default_collection(s, coll);
    int64_t last = -1;
    assert_int_equal(store_last_added(s, &last), ALD_E_OK);
    assert_int_equal(last, 0);
    const char *who[4] = {"peer", "client", "local", "nobody"};
    const char *ids[4] = {"indicator--1", "indicator--2", "indicator--3", "indicator--4"};
    int64_t da = 0;
    for (int i = 0; i < 4; i++) {
        assert_int_equal(store_begin(s), ALD_E_OK);
        da = put(s, coll, "indicator", ids[i], "2.1", "2024-01-01T00:00:00.000Z", 1000 + i,
                 true);
        assert_int_equal(store_audit(s, 1, who[i], i == 2 ? "fed-pull" : "write", ids[i], coll),
                         ALD_E_OK);
        assert_int_equal(store_commit(s), ALD_E_OK);
    }
    /* "fed-pull" by a partner counts too */
    assert_int_equal(store_begin(s), ALD_E_OK);
    put(s, coll, "indicator", "indicator--5", "2.1", "2024-01-01T00:00:00.000Z", 2000, true);
    assert_int_equal(store_audit(s, 1, "peer", "fed-pull", "indicator--5", coll), ALD_E_OK);
    /* an audit row for an older object leaves it alone */
    assert_int_equal(store_audit(s, 1, "peer", "write", "indicator--2", coll), ALD_E_OK);
    assert_int_equal(store_commit(s), ALD_E_OK);
    char got[1024] = "";
    struct store_page pg;
    assert_int_equal(store_query(s, coll, NULL, NULL, NULL, origin_row, got, &pg), ALD_E_OK);
    assert_string_equal(got, "indicator--1=peer indicator--2=client indicator--3= "
                             "indicator--4= indicator--5=peer");
    assert_int_equal(store_last_added(s, &last), ALD_E_OK);
    assert_true(last > da);
    bool found = false;
    int64_t v;
    assert_true(stix_time_parse("2024-01-01T00:00:00.000Z", 24, &v));
    assert_int_equal(store_has_version(s, "indicator--3", v, &found), ALD_E_OK);
    assert_true(found);
    assert_int_equal(store_has_version(s, "indicator--3", v + 1, &found), ALD_E_OK);
    assert_false(found);
    assert_int_equal(store_has_version(s, "indicator--9", v, &found), ALD_E_OK);
    assert_false(found);
    store_close(s);
    /* reopening changes nothing */
    s = open_ok(dir);
    assert_int_equal(store_partner_get(s, "peer", &o), ALD_E_OK);
    assert_true(o.reshare);
    store_close(s);
    tu_rmtree(dir);
}

/* share_can_read's re-share rule over provenance (share.h rule 4): every
 * TLP level x origin (none, the reader itself, another partner) x the
 * reader's reshare flag, against the rule as docs/federation.md states it.
 * RED names the reader (the originator addressed it: readable); the other
 * levels name someone else. */
static void reshare_rule(void **state)
{
    (void)state;
    static const int levels[] = {STIX_TLP_NONE, STIX_TLP_CLEAR, STIX_TLP_GREEN, STIX_TLP_AMBER,
                                 STIX_TLP_AMBER_STRICT, STIX_TLP_RED};
    const char *origins[] = {NULL, "", "Q", "P"};
    for (int rs = 0; rs < 2; rs++)
        for (size_t l = 0; l < sizeof levels / sizeof levels[0]; l++)
            for (size_t o = 0; o < 4; o++)
                for (int def = STIX_TLP_CLEAR; def <= STIX_TLP_AMBER; def++) {
                    struct store_partner q = {.name = "Q", .identity = "identity--q",
                                              .read = "*", .reshare = rs != 0};
                    struct share_config cfg = {.default_tlp = (enum stix_tlp)def};
                    bool named = levels[l] == STIX_TLP_RED;
                    struct store_row r = {.id = "indicator--1", .tlp = levels[l],
                                          .markings = "",
                                          .created_by_ref = named ? "identity--q" : "identity--z",
                                          .recipients = "", .origin = origins[o]};
                    int eff = levels[l] == STIX_TLP_NONE ? def : levels[l];
                    bool other = origins[o] && origins[o][0] && strcmp(origins[o], "Q") != 0;
                    bool want = !other || named || (eff <= STIX_TLP_GREEN && rs);
                    if (share_can_read(&cfg, &q, "c", &r) != want)
                        fail_msg("tlp %d default %d origin %s reshare %d: want %d", levels[l],
                                 def, origins[o] ? origins[o] : "NULL", rs, want);
                }
}

static void partners_and_status(void **state)
{
    (void)state;
    char *dir = tu_tmpdir();
    store *s = open_ok(dir);
    struct store_partner p = {.name = "acme", .identity = "identity--1", .token_hash = "ab12",
                              .groups = "ports,navy", .read = "*", .write = "", .created = 7};
    assert_int_equal(store_partner_put(s, &p), ALD_E_OK);
    struct store_partner q = {.name = "beta.co", .token_hash = "cd34", .cert_fp = "ff00",
                              .read = "x", .created = 8};
    assert_int_equal(store_partner_put(s, &q), ALD_E_OK);
    struct store_partner bad = {.name = "no spaces"};
    assert_int_equal(store_partner_put(s, &bad), ALD_E_ARG);
    struct store_partner o;
    assert_int_equal(store_partner_get(s, "acme", &o), ALD_E_OK);
    assert_string_equal(o.identity, "identity--1");
    assert_string_equal(o.groups, "ports,navy");
    assert_string_equal(o.read, "*");
    assert_int_equal(o.created, 7);
    assert_int_equal(store_partner_by_token(s, "cd34", &o), ALD_E_OK);
    assert_string_equal(o.name, "beta.co");
    assert_int_equal(store_partner_by_token(s, "", &o), ALD_E_NOT_FOUND);
    assert_int_equal(store_partner_by_token(s, "zz", &o), ALD_E_NOT_FOUND);
    assert_int_equal(store_partner_by_cert(s, "ff00", &o), ALD_E_OK);
    assert_string_equal(o.name, "beta.co");
    assert_int_equal(store_partner_by_cert(s, "", &o), ALD_E_NOT_FOUND);
    /* replace by name: the new token, the old one no longer finds it */
    snprintf(p.token_hash, sizeof p.token_hash, "ee99");
    assert_int_equal(store_partner_put(s, &p), ALD_E_OK);
    assert_int_equal(store_partner_by_token(s, "ab12", &o), ALD_E_NOT_FOUND);
    assert_int_equal(store_partner_by_token(s, "ee99", &o), ALD_E_OK);
    struct store_partner *all;
    size_t n;
    assert_int_equal(store_partners(s, &all, &n), ALD_E_OK);
    assert_int_equal(n, 2);
    assert_string_equal(all[0].name, "acme");
    assert_string_equal(all[1].name, "beta.co");
    free(all);
    assert_int_equal(store_partner_remove(s, "acme"), ALD_E_OK);
    assert_int_equal(store_partner_remove(s, "acme"), ALD_E_NOT_FOUND);
    assert_int_equal(store_partner_get(s, "acme", &o), ALD_E_NOT_FOUND);

    const char *st1 = "{\"id\":\"s1\",\"status\":\"pending\"}";
    const char *st2 = "{\"id\":\"s1\",\"status\":\"complete\"}";
    assert_int_equal(store_status_put(s, "s1", st1, strlen(st1)), ALD_E_OK);
    assert_int_equal(store_status_put(s, "s1", st2, strlen(st2)), ALD_E_OK);
    char *js;
    size_t len;
    assert_int_equal(store_status_get(s, "s1", &js, &len), ALD_E_OK);
    assert_int_equal(len, strlen(st2));
    assert_string_equal(js, st2);
    free(js);
    assert_int_equal(store_status_get(s, "s2", &js, &len), ALD_E_NOT_FOUND);
    assert_null(js);
    store_close(s);
    tu_rmtree(dir);
}

/* ---- two connections: a writer while a reader pages ---- */

struct two {
    store *writer;
    const char *coll;
    size_t rows, next_new;
};

static int write_during_read(void *ctx, const struct store_row *r)
{
    (void)r;
    struct two *t = ctx;
    t->rows++;
    /* the reader is inside its statement (a read transaction); the writer
     * commits a whole transaction meanwhile (WAL) */
    if (t->rows % 100 == 0) {
        assert_int_equal(store_begin(t->writer), ALD_E_OK);
        for (int k = 0; k < 5; k++)
            big_put(t->writer, t->coll, t->next_new++, 1);
        assert_int_equal(store_commit(t->writer), ALD_E_OK);
    }
    return 0;
}

static void two_connections(void **state)
{
    (void)state;
    char *dir = tu_tmpdir();
    store *r = open_ok(dir);
    store *w = open_ok(dir);
    char coll[STORE_UUID_TEXT];
    default_collection(r, coll);
    assert_int_equal(store_begin(w), ALD_E_OK);
    for (size_t i = 0; i < 1000; i++)
        big_put(w, coll, i, 1);
    assert_int_equal(store_commit(w), ALD_E_OK);
    struct two t = {.writer = w, .coll = coll, .next_new = 1000};
    struct store_filter f = F(.limit = 250);
    char next[64];
    size_t pages = 0;
    for (;;) {
        struct store_page pg;
        assert_int_equal(store_query(r, coll, &f, NULL, NULL, write_during_read, &t, &pg),
                         ALD_E_OK);
        pages++;
        if (!pg.more || pages > 1000)
            break;
        snprintf(next, sizeof next, "%s", pg.next);
        f.next = next;
    }
    /* the writer never waited for the reader, and the reader reached all
     * that was committed before its last page began */
    assert_true(t.next_new > 1000);
    struct store_filter all = F(.limit = 0);
    struct store_page pg;
    assert_int_equal(store_query(r, coll, &all, NULL, NULL, NULL, NULL, &pg), ALD_E_OK);
    assert_int_equal(pg.count, t.next_new);
    assert_true(t.rows >= 1000 && t.rows <= t.next_new);
    store_close(w);
    store_close(r);
    tu_rmtree(dir);
}

/* ---- measurement (ALD_STORE_BENCH=N) ---- */

/* Seconds of this process's CPU time: the machine is shared, so wall time
 * says more about the neighbours than about the store (both are printed). */
static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static double wall_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* One ATT&CK object, parsed once: where its id is in the text. */
struct bench_obj {
    const char *json;
    size_t len, id_at;
    struct stix_info info;
};

struct bench {
    struct bench_obj *o;
    size_t n, cap;
};

static void bench_collect(void *ctx, const char *obj, size_t len)
{
    struct bench *b = ctx;
    if (b->n == b->cap) {
        b->cap = b->cap ? 2 * b->cap : 2048;
        b->o = realloc(b->o, b->cap * sizeof *b->o);
    }
    struct bench_obj *x = &b->o[b->n];
    x->json = obj;
    x->len = len;
    info_of_json(obj, len, &x->info);
    const char *at = memmem(obj, len, x->info.id, strlen(x->info.id));
    assert_non_null(at);
    x->id_at = (size_t)(at - obj);
    b->n++;
}

static int count_row(void *ctx, const struct store_row *r)
{
    (*(size_t *)ctx) += r->len;
    return 0;
}

static void bench(void **state)
{
    (void)state;
    const char *env = getenv("ALD_STORE_BENCH");
    if (!env) {
        print_message("skipped: set ALD_STORE_BENCH=N to measure up to N objects\n");
        skip();
    }
    TU_NEED_SHARED(a, "cti/attack/ics-attack.json");
    size_t len;
    char *text = tu_read_file(a, &len);
    struct bench b = {0};
    each_object(text, len, bench_collect, &b);
    char *dir = tu_tmpdir();
    store *s = open_ok(dir);
    char coll[STORE_UUID_TEXT];
    default_collection(s, coll);
    size_t limit = (size_t)strtoull(env, NULL, 10), n = 0;
    static char buf[1 << 20];
    /* each round, every object again with a new id: the round number
     * replaces the first 8 hex digits of the UUID (text and info) */
    double t0 = now_s(), w0 = wall_s();
    for (size_t round = 0; n < limit; round++) {
        assert_int_equal(store_begin(s), ALD_E_OK);
        for (size_t i = 0; i < b.n && n < limit; i++) {
            struct bench_obj *x = &b.o[i];
            if (x->len > sizeof buf)
                continue;
            struct stix_info in = x->info;
            char *dash = strstr(in.id, "--");
            char pre[9];
            snprintf(pre, sizeof pre, "%08zx", round);
            memcpy(dash + 2, pre, 8);
            memcpy(buf, x->json, x->len);
            memcpy(buf + x->id_at, in.id, strlen(in.id));
            bool added;
            int64_t da;
            assert_int_equal(store_put(s, coll, buf, x->len, &in, 1, &added, &da), ALD_E_OK);
            n += added;
        }
        assert_int_equal(store_commit(s), ALD_E_OK);
    }
    double t1 = now_s(), w1 = wall_s();
    print_message("ingest: %zu objects in %.2f s CPU (%.2f s wall): %.0f objects/s CPU "
                  "(store_put only, one transaction per bundle of %zu)\n",
                  n, t1 - t0, w1 - w0, (double)n / (t1 - t0), b.n);
    struct store_filter f = F(.limit = 1000);
    char next[64];
    size_t pages = 0, bytes = 0;
    double t2 = now_s();
    for (;;) {
        struct store_page pg;
        assert_int_equal(store_query(s, coll, &f, NULL, NULL, count_row, &bytes, &pg), ALD_E_OK);
        pages++;
        if (!pg.more)
            break;
        snprintf(next, sizeof next, "%s", pg.next);
        f.next = next;
    }
    double t3 = now_s();
    print_message("query: %zu pages of 1000 (default filter: last version, latest spec) in "
                  "%.2f s CPU: %.1f pages/s, %.0f objects/s, %.1f MB\n",
                  pages, t3 - t2, (double)pages / (t3 - t2), (double)n / (t3 - t2),
                  (double)bytes / 1e6);
    const char *const all[] = {"all"};
    const char *const spec[] = {"2.1"};
    f = F(.limit = 1000, .versions = all, .nversions = 1, .spec_versions = spec, .nspec = 1);
    pages = 0;
    t2 = now_s();
    for (;;) {
        struct store_page pg;
        assert_int_equal(store_query(s, coll, &f, NULL, NULL, count_row, &bytes, &pg), ALD_E_OK);
        pages++;
        if (!pg.more)
            break;
        snprintf(next, sizeof next, "%s", pg.next);
        f.next = next;
    }
    t3 = now_s();
    print_message("query match[version]=all&match[spec_version]=2.1: %zu pages in %.2f s: "
                  "%.1f pages/s\n", pages, t3 - t2, (double)pages / (t3 - t2));
    f = F(.limit = 1000, .types = L("attack-pattern"), .ntypes = 1);
    pages = 0;
    t2 = now_s();
    for (;;) {
        struct store_page pg;
        assert_int_equal(store_query(s, coll, &f, NULL, NULL, count_row, &bytes, &pg), ALD_E_OK);
        pages++;
        if (!pg.more)
            break;
        snprintf(next, sizeof next, "%s", pg.next);
        f.next = next;
    }
    t3 = now_s();
    print_message("query match[type]=attack-pattern: %zu pages in %.2f s: %.1f pages/s\n", pages,
                  t3 - t2, (double)pages / (t3 - t2));
    struct stat stt;
    char path[512];
    snprintf(path, sizeof path, "%s/%s", dir, STORE_FILE);
    if (stat(path, &stt) == 0)
        print_message("database: %.1f MB\n", (double)stt.st_size / 1e6);
    free(b.o);
    free(text);
    store_close(s);
    tu_rmtree(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(collections_default),
        cmocka_unit_test(put_duplicates_and_date_added),
        cmocka_unit_test_setup_teardown(filters_versions, fixture_setup, fixture_teardown),
        cmocka_unit_test_setup_teardown(filters_spec_version, fixture_setup, fixture_teardown),
        cmocka_unit_test_setup_teardown(filters_id_type_added_after, fixture_setup,
                                        fixture_teardown),
        cmocka_unit_test_setup_teardown(hidden_versions, fixture_setup, fixture_teardown),
        cmocka_unit_test_setup_teardown(page_headers_and_cursor, fixture_setup,
                                        fixture_teardown),
        cmocka_unit_test_setup_teardown(delete_versions, fixture_setup, fixture_teardown),
        cmocka_unit_test(paging_big),
        cmocka_unit_test(randomised_against_oracle),
        cmocka_unit_test(attack_round_trip),
        cmocka_unit_test(oasis_examples_round_trip),
        cmocka_unit_test(audit_append_only),
        cmocka_unit_test(partners_and_status),
        cmocka_unit_test(federation_columns),
        cmocka_unit_test(reshare_rule),
        cmocka_unit_test(named_state),
        cmocka_unit_test(two_connections),
        cmocka_unit_test(bench),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
