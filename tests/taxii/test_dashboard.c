/*
 * test_dashboard.c - lib/taxii/dashboard.c over a real store in a temporary
 * directory: exact object counts per collection (latest version of each
 * object, whatever the type), the maritime events (only sightings with
 * alidade's extension, latest version, latest start first, across
 * collections, 20 kept of however many), and HTML escaping of everything
 * that comes from the store or the request.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alidade/dashboard.h"
#include "alidade/stix.h"
#include "alidade/store.h"
#include "testutil.h"

#define EXT "extension-definition--7fba3282-6758-58ab-a05c-9833b9c3c00d"
#define HOSTILE "<script>alert(\"x\")</script> & 'q'"
#define HOSTILE_HTML "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;q&#39;"

struct fx {
    char dir[64];
    store *st;
    char a[STORE_UUID_TEXT], b[STORE_UUID_TEXT];
};

static void put(struct fx *f, const char *coll, const char *json)
{
    struct stix_info info;
    assert_int_equal(stix_check(json, strlen(json), 0, &info, NULL, 0), 0);
    bool added = false;
    int64_t da;
    assert_int_equal(store_put(f->st, coll, json, strlen(json), &info, 1700000000000000, &added,
                               &da),
                     ALD_E_OK);
    assert_true(added);
}

/* A maritime sighting: id number n, event kind, MMSI, start, modified. */
static void sighting(struct fx *f, const char *coll, int n, const char *kind, long mmsi,
                     const char *start, const char *modified)
{
    char j[2048];
    snprintf(j, sizeof j,
             "{\"type\":\"sighting\",\"spec_version\":\"2.1\","
             "\"id\":\"sighting--00000000-0000-4000-8000-%012d\","
             "\"created\":\"%s\",\"modified\":\"%s\",\"first_seen\":\"%s\",\"count\":1,"
             "\"sighting_of_ref\":\"attack-pattern--00000000-0000-4000-8000-000000000001\","
             "\"extensions\":{\"" EXT "\":{\"extension_type\":\"property-extension\","
             "\"event\":\"%s\",\"mmsi\":%ld,\"start\":\"%s\",\"lat\":-32.15355,"
             "\"lon\":115.76508}}}",
             n, start, modified, start, kind, mmsi, start);
    put(f, coll, j);
}

static int setup(void **state)
{
    struct fx *f = calloc(1, sizeof *f);
    snprintf(f->dir, sizeof f->dir, "/tmp/test_dashboard.XXXXXX");
    assert_non_null(mkdtemp(f->dir));
    char err[256];
    f->st = store_open(f->dir, err, sizeof err);
    assert_non_null(f->st);
    struct store_collection *cols;
    size_t n;
    assert_int_equal(store_collections(f->st, &cols, &n), ALD_E_OK);
    snprintf(f->a, sizeof f->a, "%s", cols[0].id);
    free(cols);
    assert_int_equal(store_collection_add(f->st, HOSTILE, "", f->b), ALD_E_OK);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fx *f = *state;
    store_close(f->st);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", f->dir);
    assert_int_equal(system(cmd), 0);
    free(f);
    return 0;
}

/* An empty node: both collections at 0, no events, the info escaped. */
static void test_empty(void **state)
{
    struct fx *f = *state;
    struct dashboard_info info = {.title = "Node <1> & co",
                                  .identity = NULL,
                                  .discovery_url = "http://evil\"><x>/taxii2/"};
    char *html;
    size_t len;
    assert_int_equal(dashboard_html(f->st, &info, &html, &len), ALD_E_OK);
    assert_int_equal(strlen(html), len);
    assert_non_null(strstr(html, "<title>Node &lt;1&gt; &amp; co</title>"));
    assert_non_null(strstr(html, "<h1>Node &lt;1&gt; &amp; co</h1>"));
    assert_non_null(strstr(html, "<code>http://evil&quot;&gt;&lt;x&gt;/taxii2/</code>"));
    assert_null(strstr(html, "Node identity"));
    char row[256];
    snprintf(row, sizeof row,
             "<tr><td>Default (default)</td><td><code>%s</code></td><td class=\"n\">0</td></tr>",
             f->a);
    assert_non_null(strstr(html, row));
    snprintf(row, sizeof row,
             "<tr><td>" HOSTILE_HTML "</td><td><code>%s</code></td><td class=\"n\">0</td></tr>",
             f->b);
    assert_non_null(strstr(html, row));
    assert_non_null(strstr(html, "<p>None stored.</p>"));
    assert_null(strstr(html, "<script"));
    assert_null(strstr(html, "<x>"));
    free(html);
}

/* 25 events in A (one in two versions), 2 in B, plus objects that are not
 * events: counts are per object, the 20 latest events are shown. */
static void test_counts_and_events(void **state)
{
    struct fx *f = *state;
    char start[40];
    for (int i = 0; i < 25; i++) {
        snprintf(start, sizeof start, "2025-01-01T00:%02d:00.000Z", i);
        sighting(f, f->a, i, i % 2 ? "gap" : "teleport", 200000000 + i, start, start);
    }
    /* a newer version of event 0: still one object, one event */
    sighting(f, f->a, 0, "teleport", 200000000, "2025-01-01T00:00:00.000Z",
             "2025-01-02T00:00:00.000Z");
    /* a sighting without the maritime extension and an indicator */
    put(f, f->a,
        "{\"type\":\"sighting\",\"spec_version\":\"2.1\","
        "\"id\":\"sighting--00000000-0000-4000-8000-000000009999\","
        "\"created\":\"2030-01-01T00:00:00.000Z\",\"modified\":\"2030-01-01T00:00:00.000Z\","
        "\"sighting_of_ref\":\"attack-pattern--00000000-0000-4000-8000-000000000001\"}");
    put(f, f->a,
        "{\"type\":\"indicator\",\"spec_version\":\"2.1\","
        "\"id\":\"indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f\","
        "\"created\":\"2026-01-01T00:00:00.000Z\",\"modified\":\"2026-01-01T00:00:00.000Z\","
        "\"name\":\"x\",\"pattern\":\"[ipv4-addr:value = '198.51.100.1']\","
        "\"pattern_type\":\"stix\",\"valid_from\":\"2026-01-01T00:00:00Z\"}");
    /* B: the newest event of all and one older than every A event */
    sighting(f, f->b, 100, "mmsi_clash", 255000707, "2026-06-01T12:00:00.000Z",
             "2026-06-01T12:00:00.000Z");
    sighting(f, f->b, 101, "gap", 1193046, "2024-01-01T00:00:00.000Z",
             "2024-01-01T00:00:00.000Z");

    struct dashboard_info info = {.title = "t",
                                  .identity = "identity--0b7c5b4e-3f0a-4c2e-9d1e-6a7b8c9d0e1f",
                                  .discovery_url = "http://127.0.0.1:8700/taxii2/"};
    char *html;
    size_t len;
    assert_int_equal(dashboard_html(f->st, &info, &html, &len), ALD_E_OK);
    assert_non_null(strstr(html, "Node identity <code>identity--0b7c5b4e-3f0a-4c2e-9d1e-"
                                 "6a7b8c9d0e1f</code>"));
    char row[256];
    snprintf(row, sizeof row, "<code>%s</code></td><td class=\"n\">27</td>", f->a);
    assert_non_null(strstr(html, row));
    snprintf(row, sizeof row, "<code>%s</code></td><td class=\"n\">2</td>", f->b);
    assert_non_null(strstr(html, row));
    assert_non_null(strstr(html, "<p>27 stored, the latest 20 by start time:</p>"));

    /* the rows in order: B's newest, then A's 24 down to 6 */
    const char *p = strstr(html, "<tr><td>mmsi_clash</td><td class=\"n\">255000707</td><td>"
                                 "2026-06-01T12:00:00.000Z</td><td class=\"n\">-32.15355</td>"
                                 "<td class=\"n\">115.76508</td><td>" HOSTILE_HTML
                                 "</td></tr>");
    assert_non_null(p);
    for (int i = 24; i >= 6; i--) {
        snprintf(row, sizeof row,
                 "<tr><td>%s</td><td class=\"n\">%d</td><td>2025-01-01T00:%02d:00.000Z</td>",
                 i % 2 ? "gap" : "teleport", 200000000 + i, i);
        const char *q = strstr(html, row);
        assert_non_null(q);
        assert_true(q > p);
        p = q;
    }
    assert_null(strstr(html, "2025-01-01T00:05:00.000Z"));
    assert_null(strstr(html, "001193046"));
    size_t rows = 0;
    for (const char *q = html; (q = strstr(q, "<tr><td>")) != NULL; q++)
        rows++;
    assert_int_equal(rows, 2 + DASHBOARD_MAX_EVENTS);   /* 2 collections + 20 events */
    assert_null(strstr(html, "<script"));
    free(html);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_empty, setup, teardown),
        cmocka_unit_test_setup_teardown(test_counts_and_events, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
