/*
 * dashboard.c - the node's read-only HTML page (include/alidade/dashboard.h):
 * built from the store: an index count per collection and one
 * query of sightings per collection for the maritime events, into a growing
 * buffer. Everything that comes from the store or the request (titles,
 * descriptions, ids, event kinds, the Host header inside the discovery URL)
 * goes through html_text(), which escapes & < > " ' so a hostile title
 * cannot open a tag or an attribute. Bounded: at most
 * DASHBOARD_MAX_COLLECTIONS collections and DASHBOARD_MAX_EVENTS events are
 * kept, however big the store is.
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "alidade/dashboard.h"
#include "taxii/internal.h"

/* alidade's maritime event extension (lib/detect/stix.c: the id is a
 * name-based UUID, the same on every node) */
#define MARITIME_EXT "extension-definition--7fba3282-6758-58ab-a05c-9833b9c3c00d"


/* s as HTML text or attribute value. */
static void html_text(struct tbuf *b, const char *s)
{
    for (; s && *s; s++) {
        switch (*s) {
        case '&': tbuf_puts(b, "&amp;"); break;
        case '<': tbuf_puts(b, "&lt;"); break;
        case '>': tbuf_puts(b, "&gt;"); break;
        case '"': tbuf_puts(b, "&quot;"); break;
        case '\'': tbuf_puts(b, "&#39;"); break;
        default: tbuf_put(b, s, 1);
        }
    }
}

static void putf(struct tbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void putf(struct tbuf *b, const char *fmt, ...)
{
    char tmp[128];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(tmp, sizeof tmp, fmt, ap);
    va_end(ap);
    if (n > 0)
        tbuf_put(b, tmp, (size_t)n < sizeof tmp ? (size_t)n : sizeof tmp - 1);
}

/* One maritime event as the page shows it. */
struct event {
    char kind[32];
    char start[40];                  /* STIX timestamp: sorts as text */
    int64_t mmsi;
    double lat, lon;
    bool has_pos;
    char collection[256];
};

struct events {
    struct event e[DASHBOARD_MAX_EVENTS];
    size_t n;
    size_t total;                    /* all maritime events seen */
    const char *collection;          /* title of the collection being read */
};

/* Keeps the DASHBOARD_MAX_EVENTS latest (by start, then kind), sorted. */
static void events_add(struct events *ev, const struct event *e)
{
    size_t i = ev->n;
    while (i > 0 && (strcmp(ev->e[i - 1].start, e->start) < 0 ||
                     (strcmp(ev->e[i - 1].start, e->start) == 0 &&
                      ev->e[i - 1].mmsi > e->mmsi)))
        i--;
    if (i >= DASHBOARD_MAX_EVENTS)
        return;
    size_t last = ev->n < DASHBOARD_MAX_EVENTS ? ev->n : DASHBOARD_MAX_EVENTS - 1;
    memmove(&ev->e[i + 1], &ev->e[i], (last - i) * sizeof ev->e[0]);
    ev->e[i] = *e;
    if (ev->n < DASHBOARD_MAX_EVENTS)
        ev->n++;
}


/* A sighting: its maritime extension, if it has one, becomes an event. */
static int sighting_row(void *ctx, const struct store_row *r)
{
    struct events *ev = ctx;
    json_t *o = json_loadb(r->json, r->len, 0, NULL);
    json_t *x = json_object_get(json_object_get(o, "extensions"), MARITIME_EXT);
    const char *kind = json_string_value(json_object_get(x, "event"));
    const char *start = json_string_value(json_object_get(x, "start"));
    json_t *mmsi = json_object_get(x, "mmsi");
    if (kind && start && json_is_integer(mmsi)) {
        struct event e = {.mmsi = (int64_t)json_integer_value(mmsi)};
        snprintf(e.kind, sizeof e.kind, "%s", kind);
        snprintf(e.start, sizeof e.start, "%s", start);
        snprintf(e.collection, sizeof e.collection, "%s", ev->collection);
        json_t *lat = json_object_get(x, "lat"), *lon = json_object_get(x, "lon");
        e.has_pos = json_is_number(lat) && json_is_number(lon);
        e.lat = json_number_value(lat);
        e.lon = json_number_value(lon);
        events_add(ev, &e);
        ev->total++;
    }
    json_decref(o);
    return 0;
}

static const char style[] =
    "body{font-family:sans-serif;margin:2em;color:#222}"
    "table{border-collapse:collapse;margin-bottom:1.5em}"
    "th,td{border:1px solid #bbb;padding:.25em .6em;text-align:left}"
    "th{background:#eee}td.n{text-align:right}code{background:#f4f4f4}";

ald_err dashboard_html(store *s, const struct dashboard_info *info, char **html, size_t *len)
{
    *html = NULL;
    *len = 0;
    struct store_collection *cs = NULL;
    size_t nc = 0;
    ald_err err = store_collections(s, &cs, &nc);
    if (err)
        return err;
    struct events *ev = calloc(1, sizeof *ev);
    struct tbuf b = {0};
    if (!ev) {
        free(cs);
        return ALD_E_NOMEM;
    }
    tbuf_puts(&b, "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n<title>");
    html_text(&b, info->title);
    tbuf_puts(&b, "</title>\n<style>");
    tbuf_puts(&b, style);
    tbuf_puts(&b, "</style></head>\n<body>\n<h1>");
    html_text(&b, info->title);
    tbuf_puts(&b, "</h1>\n");
    if (info->identity) {
        tbuf_puts(&b, "<p>Node identity <code>");
        html_text(&b, info->identity);
        tbuf_puts(&b, "</code></p>\n");
    }
    tbuf_puts(&b, "<p>TAXII 2.1 discovery: <code>");
    html_text(&b, info->discovery_url);
    tbuf_puts(&b, "</code> (partners authenticate: <code>alidade partner add</code>)</p>\n");

    tbuf_puts(&b, "<h2>Collections</h2>\n<table>\n<tr><th>Title</th><th>Id</th><th>Objects</th>"
              "</tr>\n");
    const char *const sighting[] = {"sighting"};
    for (size_t i = 0; i < nc && !err; i++) {
        size_t count = 0;
        struct store_page page;
        err = store_count(s, cs[i].id, &count);
        if (err)
            break;
        struct store_filter sf = {.added_after = INT64_MIN, .types = sighting, .ntypes = 1};
        ev->collection = cs[i].title;
        err = store_query(s, cs[i].id, &sf, NULL, NULL, sighting_row, ev, &page);
        if (err || i >= DASHBOARD_MAX_COLLECTIONS)
            continue;
        tbuf_puts(&b, "<tr><td>");
        html_text(&b, cs[i].title);
        tbuf_puts(&b, cs[i].is_default ? " (default)" : "");
        tbuf_puts(&b, "</td><td><code>");
        html_text(&b, cs[i].id);
        putf(&b, "</code></td><td class=\"n\">%zu</td></tr>\n", count);
    }
    tbuf_puts(&b, "</table>\n");
    if (nc > DASHBOARD_MAX_COLLECTIONS)
        putf(&b, "<p>and %zu more collections</p>\n", nc - DASHBOARD_MAX_COLLECTIONS);

    putf(&b, "<h2>Latest maritime events</h2>\n");
    if (ev->n == 0) {
        tbuf_puts(&b, "<p>None stored.</p>\n");
    } else {
        putf(&b, "<p>%zu stored, the latest %zu by start time:</p>\n", ev->total, ev->n);
        tbuf_puts(&b, "<table>\n<tr><th>Event</th><th>MMSI</th><th>Start (UTC)</th>"
                  "<th>Latitude</th><th>Longitude</th><th>Collection</th></tr>\n");
        for (size_t i = 0; i < ev->n; i++) {
            const struct event *e = &ev->e[i];
            tbuf_puts(&b, "<tr><td>");
            html_text(&b, e->kind);
            putf(&b, "</td><td class=\"n\">%09" PRId64 "</td><td>", e->mmsi);
            html_text(&b, e->start);
            if (e->has_pos)
                putf(&b, "</td><td class=\"n\">%.5f</td><td class=\"n\">%.5f</td><td>", e->lat,
                     e->lon);
            else
                tbuf_puts(&b, "</td><td></td><td></td><td>");
            html_text(&b, e->collection);
            tbuf_puts(&b, "</td></tr>\n");
        }
        tbuf_puts(&b, "</table>\n");
    }
    tbuf_puts(&b, "</body></html>\n");
    free(ev);
    free(cs);
    if (err || b.oom) {
        free(b.p);
        return err ? err : ALD_E_NOMEM;
    }
    *html = b.p;
    *len = b.len;
    return ALD_E_OK;
}
