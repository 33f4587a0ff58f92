/*
 * web_api.c - the dashboard's JSON endpoints (docs/api.md): vessels and a
 * vessel's track from the live picture; maritime events, sightings and the
 * indicator summary from the store; zones; sharing (partners, federation
 * state, audit trail).
 *
 * The store is not read whole per request. A cache (under web->mu) keeps
 * what the endpoints need of every `sighting` and `indicator`: per
 * collection, a store_query for those two types with added_after = the last
 * date_added seen (the latest version of each new or changed object only),
 * at most once a second, in pages of 1000 and at most REFRESH_ROWS rows per
 * request (a larger backlog is read by the following requests). Each object
 * is parsed once, when it arrives; a request then only filters the cache.
 * An object's "source" is the store's provenance (store_row.origin: the
 * federation partner it was pulled from or posted by), else the partner
 * the audit log shows writing it (followed the same way, by seq: partners
 * without a url post too), else the partner whose identity created it. Cost: the first request after start
 * parses every sighting and indicator once (the bundled data: ~70 objects,
 * under 10 ms), later ones only what was added since. Deleted objects stay
 * in the cache until the server restarts (TAXII DELETE is rare; said in
 * docs/api.md).
 *
 * The operator is the node: every object of every collection is shown,
 * whatever its marking; each carries its TLP and provenance. A sighting
 * also shows the raw log lines this node kept for it (sighting_lines.h:
 * local evidence, read here only, never in a STIX object), or lines rebuilt
 * from its observed-data when it has none (a partner's).
 */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "alidade/sighting_lines.h"
#include "alidade/stix.h"
#include "web_internal.h"
#include "web_vessels.h"

/* alidade's maritime event extension (lib/detect/stix.c, docs/stix-maritime.md) */
#define MARITIME_EXT "extension-definition--7fba3282-6758-58ab-a05c-9833b9c3c00d"
#define REFRESH_ROWS 50000
#define REFRESH_EVERY_US 1000000
#define EVENTS_MAX 200000            /* events kept (the oldest go) */
#define EVENTS_LIMIT_DEFAULT 1000
#define EVENTS_LIMIT_MAX 10000
#define SIGHTINGS_LIMIT_DEFAULT 500
#define SIGHTINGS_LIMIT_MAX 5000
#define BUCKETS_MAX 1000
#define VESSELS_LIMIT_MAX 200000
#define VESSELS_MAX_AGE_DEFAULT 21600    /* ?at=: 6 h, older vessels are not drawn */
#define VESSELS_MAX_AGE_MAX 31536000    /* a year */
#define TRACK_MAX 4096
#define AUDIT_PAGE 200
#define SOURCES_MAX 1000000          /* object -> partner entries kept */
#define INDICATORS_MAX 2000000       /* indicators counted by the summary */

/* The flag state of an MMSI: lib/detect's ITU MID table (mid.c), which has
 * no public header yet; declared here as lib/detect/internal.h does. */
const char *det_mid_country(unsigned mid);
unsigned det_mmsi_mid(uint32_t mmsi);

struct ev {
    int64_t start_us, end_us;
    double lat, lon;                 /* NAN: no position */
    char *id, *created_by;
    char *json;                      /* the object without source (see splice) */
};

#define LINES_PER_SIGHTING 3          /* observed-data shown as lines */
#define LINES_SIGHTINGS 50            /* sightings of a page that get lines */

struct sig {
    int64_t first_us, last_us;
    long long count;
    char *id, *indicator, *created_by;
    char *collection;
    char *od[LINES_PER_SIGHTING];    /* first observed_data_refs */
    char *json;                      /* the object without pattern, name, source, lines */
};

static void sig_clear(struct sig *s)
{
    free(s->id);
    free(s->indicator);
    free(s->created_by);
    free(s->collection);
    for (size_t i = 0; i < LINES_PER_SIGHTING; i++)
        free(s->od[i]);
    free(s->json);
}

/* An indicator as the summary needs it; names and patterns are read from
 * the store for the sightings of a page only (a store may hold millions of
 * indicators). */
struct ind {
    int tlp;
    char *id, *created_by;
};

struct web_cache {
    struct ev *ev;
    size_t nev, capev;
    struct sig *sg;
    size_t nsg, capsg;
    struct ind *in;
    size_t nin, capin;
    json_t *ev_ix, *sg_ix, *in_ix;   /* id -> index */
    json_t *cursor;                  /* collection id -> last date_added (integer) */
    json_t *src;                     /* object id -> partner name (audit) */
    json_t *partner_of;              /* partner identity id -> name */
    int64_t audit_seq;
    int64_t refreshed_us;
    bool in_full;                    /* INDICATORS_MAX reached: some not counted */
};

web_cache *web_cache_new(void)
{
    web_cache *c = calloc(1, sizeof *c);
    if (!c)
        return NULL;
    c->ev_ix = json_object();
    c->sg_ix = json_object();
    c->in_ix = json_object();
    c->cursor = json_object();
    c->src = json_object();
    c->partner_of = json_object();
    if (!c->ev_ix || !c->sg_ix || !c->in_ix || !c->cursor || !c->src || !c->partner_of) {
        web_cache_free(c);
        return NULL;
    }
    return c;
}

static void ev_clear(struct ev *e)
{
    free(e->id);
    free(e->created_by);
    free(e->json);
}

void web_cache_free(web_cache *c)
{
    if (!c)
        return;
    for (size_t i = 0; i < c->nev; i++)
        ev_clear(&c->ev[i]);
    for (size_t i = 0; i < c->nsg; i++)
        sig_clear(&c->sg[i]);
    for (size_t i = 0; i < c->nin; i++) {
        free(c->in[i].id);
        free(c->in[i].created_by);
    }
    free(c->ev);
    free(c->sg);
    free(c->in);
    json_decref(c->ev_ix);
    json_decref(c->sg_ix);
    json_decref(c->in_ix);
    json_decref(c->cursor);
    json_decref(c->src);
    json_decref(c->partner_of);
    free(c);
}

static const char *tlp_name(int t)
{
    switch (t) {
    case STIX_TLP_CLEAR: return "clear";
    case STIX_TLP_GREEN: return "green";
    case STIX_TLP_AMBER: return "amber";
    case STIX_TLP_AMBER_STRICT: return "amber+strict";
    case STIX_TLP_RED: return "red";
    default: return t == STIX_TLP_NONE ? "none" : "red";
    }
}

static char *dup0(const char *s)
{
    return strdup(s ? s : "");
}

/* The object text without its closing brace (extra members follow). */
static char *dump_open(json_t *o)
{
    char *s = json_dumps(o, JSON_COMPACT | JSON_REAL_PRECISION(12));
    if (s) {
        size_t n = strlen(s);
        if (n >= 2 && s[n - 1] == '}')
            s[n - 1] = '\0';
    }
    return s;
}

/* open + the members of `extra` (a JSON object) + '}': the full object. */
static char *splice(const char *open, json_t *extra)
{
    char *x = json_dumps(extra, JSON_COMPACT);
    if (!x)
        return NULL;
    size_t a = strlen(open), b = strlen(x);
    char *out = malloc(a + b + 2);
    if (out) {
        memcpy(out, open, a);
        size_t k = a;
        if (b > 2) {
            if (a > 1)
                out[k++] = ',';
            memcpy(out + k, x + 1, b - 1);   /* members and the closing brace */
            k += b - 1;
        } else {
            out[k++] = '}';
        }
        out[k] = '\0';
    }
    free(x);
    return out;
}

static int64_t time_of(json_t *v)
{
    int64_t us = INT64_MIN;
    const char *s = json_string_value(v);
    if (s && !stix_time_parse(s, strlen(s), &us))
        us = INT64_MIN;
    return us;
}

/* ---- cache: events ---- */

/* Puts e (taken) at its id's place, replacing an older version; the oldest
 * event goes when EVENTS_MAX are kept. */
static void ev_put(web_cache *c, struct ev *e)
{
    json_t *ix = json_object_get(c->ev_ix, e->id);
    if (ix) {
        struct ev *old = &c->ev[json_integer_value(ix)];
        ev_clear(old);
        *old = *e;
        return;
    }
    if (c->nev == EVENTS_MAX) {
        size_t oldest = 0;
        for (size_t i = 1; i < c->nev; i++)
            if (c->ev[i].start_us < c->ev[oldest].start_us)
                oldest = i;
        json_object_del(c->ev_ix, c->ev[oldest].id);
        ev_clear(&c->ev[oldest]);
        c->ev[oldest] = *e;
        json_object_set_new(c->ev_ix, e->id, json_integer((json_int_t)oldest));
        return;
    }
    if (c->nev == c->capev) {
        size_t cap = c->capev ? c->capev * 2 : 256;
        struct ev *n = realloc(c->ev, cap * sizeof *n);
        if (!n) {
            ev_clear(e);
            return;
        }
        c->ev = n;
        c->capev = cap;
    }
    c->ev[c->nev] = *e;
    json_object_set_new(c->ev_ix, e->id, json_integer((json_int_t)c->nev));
    c->nev++;
}

static double num_or_nan(json_t *v)
{
    return json_is_number(v) ? json_number_value(v) : NAN;
}

/* A sighting with the maritime extension as an /api/events object. */
static void add_maritime(web_cache *c, json_t *o, json_t *x, const struct store_row *r)
{
    const char *kind = json_string_value(json_object_get(x, "event"));
    if (!kind)
        return;
    json_t *out = json_object();
    json_t *details = json_object();
    static const char *const top[] = {"mmsi", "mmsi2", "start", "end", "lat", "lon",
                                      "end_lat", "end_lon"};
    json_object_set_new(out, "id", json_string(r->id));
    json_object_set_new(out, "event", json_string(kind));
    for (size_t i = 0; i < sizeof top / sizeof top[0]; i++) {
        json_t *v = json_object_get(x, top[i]);
        json_object_set(out, top[i], v ? v : json_null());
    }
    const char *key;
    json_t *v;
    json_object_foreach(x, key, v) {
        bool is_top = strcmp(key, "event") == 0 || strcmp(key, "extension_type") == 0;
        for (size_t i = 0; i < sizeof top / sizeof top[0] && !is_top; i++)
            is_top = strcmp(key, top[i]) == 0;
        if (!is_top)
            json_object_set(details, key, v);
    }
    json_t *desc = json_object_get(o, "description");
    if (json_is_string(desc))
        json_object_set(out, "description", desc);
    json_object_set_new(out, "details", details);
    json_object_set_new(out, "tlp", json_string(tlp_name(r->tlp)));
    json_object_set_new(out, "created_by",
                        r->created_by_ref[0] ? json_string(r->created_by_ref) : json_null());
    struct ev e = {
        .start_us = time_of(json_object_get(x, "start")),
        .end_us = time_of(json_object_get(x, "end")),
        .lat = num_or_nan(json_object_get(x, "lat")),
        .lon = num_or_nan(json_object_get(x, "lon")),
        .id = dup0(r->id),
        .created_by = dup0(r->created_by_ref),
        .json = dump_open(out),
    };
    json_decref(out);
    if (e.end_us < e.start_us)
        e.end_us = e.start_us;
    if (!e.id || !e.created_by || !e.json) {
        ev_clear(&e);
        return;
    }
    ev_put(c, &e);
}

void web_cache_live_event(web *w, const char *json)
{
    json_t *o = json_loads(json, 0, NULL);
    const char *id = json_string_value(json_object_get(o, "id"));
    if (!id) {
        json_decref(o);
        return;
    }
    const char *cb = json_string_value(json_object_get(o, "created_by"));
    json_object_del(o, "source");   /* resolved like the stored ones */
    struct ev e = {
        .start_us = time_of(json_object_get(o, "start")),
        .end_us = time_of(json_object_get(o, "end")),
        .lat = num_or_nan(json_object_get(o, "lat")),
        .lon = num_or_nan(json_object_get(o, "lon")),
        .id = dup0(id),
        .created_by = dup0(cb),
        .json = dump_open(o),
    };
    json_decref(o);
    if (e.end_us < e.start_us)
        e.end_us = e.start_us;
    pthread_mutex_lock(&w->mu);
    if (e.id && e.created_by && e.json)
        ev_put(w->cache, &e);
    else
        ev_clear(&e);
    pthread_mutex_unlock(&w->mu);
}

/* ---- cache: sightings of indicators, indicators ---- */

static void add_sighting(web_cache *c, json_t *o, const char *of, const struct store_row *r,
                         const char *collection)
{
    json_t *out = json_object();
    json_object_set_new(out, "id", json_string(r->id));
    json_object_set_new(out, "indicator", json_string(of));
    static const char *const copy[] = {"first_seen", "last_seen", "count", "description"};
    for (size_t i = 0; i < sizeof copy / sizeof copy[0]; i++) {
        json_t *v = json_object_get(o, copy[i]);
        if (v)
            json_object_set(out, copy[i], v);
    }
    json_object_set_new(out, "tlp", json_string(tlp_name(r->tlp)));
    json_object_set_new(out, "created_by",
                        r->created_by_ref[0] ? json_string(r->created_by_ref) : json_null());
    json_t *od = json_object_get(o, "observed_data_refs");
    json_object_set_new(out, "observed_data", json_integer((json_int_t)json_array_size(od)));
    struct sig s = {
        .first_us = time_of(json_object_get(o, "first_seen")),
        .last_us = time_of(json_object_get(o, "last_seen")),
        .count = json_is_integer(json_object_get(o, "count"))
                     ? json_integer_value(json_object_get(o, "count")) : 1,
        .id = dup0(r->id),
        .indicator = dup0(of),
        .created_by = dup0(r->created_by_ref),
        .collection = dup0(collection),
        .json = dump_open(out),
    };
    json_decref(out);
    for (size_t i = 0; i < LINES_PER_SIGHTING && i < json_array_size(od); i++)
        s.od[i] = json_string_value(json_array_get(od, i))
                      ? strdup(json_string_value(json_array_get(od, i))) : NULL;
    if (s.first_us == INT64_MIN)
        s.first_us = r->version_us;
    if (s.last_us < s.first_us)
        s.last_us = s.first_us;
    json_t *ix = json_object_get(c->sg_ix, r->id);
    struct sig *slot = NULL;
    if (ix) {
        slot = &c->sg[json_integer_value(ix)];
        sig_clear(slot);
    } else {
        if (c->nsg == c->capsg) {
            size_t cap = c->capsg ? c->capsg * 2 : 256;
            struct sig *n = realloc(c->sg, cap * sizeof *n);
            if (!n)
                goto fail;
            c->sg = n;
            c->capsg = cap;
        }
        json_object_set_new(c->sg_ix, r->id, json_integer((json_int_t)c->nsg));
        slot = &c->sg[c->nsg++];
    }
    *slot = s;
    return;
fail:
    sig_clear(&s);
}

static char *cut(const char *s, size_t max)
{
    if (!s)
        return NULL;
    size_t n = strlen(s);
    if (n <= max)
        return strdup(s);
    /* not inside a UTF-8 sequence */
    while (max > 0 && ((unsigned char)s[max] & 0xC0) == 0x80)
        max--;
    return strndup(s, max);
}

static void add_indicator(web_cache *c, const struct store_row *r)
{
    json_t *ix = json_object_get(c->in_ix, r->id);
    if (!ix && c->nin >= INDICATORS_MAX) {
        c->in_full = true;           /* the summary says it is partial */
        return;
    }
    struct ind in = {
        .tlp = r->tlp,
        .id = dup0(r->id),
        .created_by = dup0(r->created_by_ref),
    };
    struct ind *slot;
    if (ix) {
        slot = &c->in[json_integer_value(ix)];
        free(slot->id);
        free(slot->created_by);
    } else {
        if (c->nin == c->capin) {
            size_t cap = c->capin ? c->capin * 2 : 256;
            struct ind *n = realloc(c->in, cap * sizeof *n);
            if (!n) {
                free(in.id);
                free(in.created_by);
                return;
            }
            c->in = n;
            c->capin = cap;
        }
        json_object_set_new(c->in_ix, r->id, json_integer((json_int_t)c->nin));
        slot = &c->in[c->nin++];
    }
    *slot = in;
}

struct refresh {
    web_cache *c;
    size_t rows;
    const char *collection;
};

static int on_row(void *ctx, const struct store_row *r)
{
    struct refresh *f = ctx;
    f->rows++;
    /* the store's own provenance (a federation partner's pull or post) */
    if (r->origin && r->origin[0] && json_object_size(f->c->src) < SOURCES_MAX)
        json_object_set_new(f->c->src, r->id, json_string(r->origin));
    json_t *o = json_loadb(r->json, r->len, 0, NULL);
    if (!o)
        return 0;
    if (strcmp(r->type, "indicator") == 0) {
        add_indicator(f->c, r);
    } else {
        json_t *x = json_object_get(json_object_get(o, "extensions"), MARITIME_EXT);
        const char *of = json_string_value(json_object_get(o, "sighting_of_ref"));
        if (x)
            add_maritime(f->c, o, x, r);
        else if (of && strncmp(of, "indicator--", 11) == 0)
            add_sighting(f->c, o, of, r, f->collection);
    }
    json_decref(o);
    return 0;
}

static int on_audit(void *ctx, const struct audit_row *r)
{
    web_cache *c = ctx;
    c->audit_seq = r->seq;
    /* an object a partner wrote here (TAXII POST, or federation recording
     * its pulls under the partner's name); "read" rows are releases */
    if (r->who && strcmp(r->who, "local") != 0 && r->action && strcmp(r->action, "read") != 0 &&
        r->object && strstr(r->object, "--") && json_object_size(c->src) < SOURCES_MAX)
        json_object_set_new(c->src, r->object, json_string(r->who));
    return 0;
}

/* Brings the cache up to date (under w->mu); false when the store failed
 * (what is cached is still served). */
static bool refresh(web *w, int64_t now_us)
{
    web_cache *c = w->cache;
    if (now_us - c->refreshed_us < REFRESH_EVERY_US)
        return true;
    c->refreshed_us = now_us;
    struct store_collection *cols = NULL;
    size_t ncol = 0;
    if (store_collections(w->st, &cols, &ncol) != ALD_E_OK) {
        nlog_kv(w->env->log, NLOG_ERROR, "web", "store", "error", store_errmsg(w->st), NULL);
        return false;
    }
    static const char *const types[] = {"sighting", "indicator"};
    struct refresh f = {.c = c};
    bool ok = true;
    for (size_t i = 0; i < ncol && ok && f.rows < REFRESH_ROWS; i++) {
        f.collection = cols[i].id;
        json_t *cur = json_object_get(c->cursor, cols[i].id);
        struct store_filter flt = {
            .added_after = cur ? (int64_t)json_integer_value(cur) : INT64_MIN,
            .types = types, .ntypes = 2, .limit = 1000,
        };
        struct store_page pg;
        do {
            ald_err e = store_query(w->st, cols[i].id, &flt, NULL, NULL, on_row, &f, &pg);
            if (e != ALD_E_OK) {
                nlog_kv(w->env->log, NLOG_ERROR, "web", "store query", "error",
                        store_errmsg(w->st), NULL);
                ok = false;
                break;
            }
            if (pg.count && pg.last_added != INT64_MIN)
                json_object_set_new(c->cursor, cols[i].id, json_integer(pg.last_added));
            /* the next page: everything added after this one's last row */
            flt.added_after = pg.last_added;
        } while (pg.more && pg.count && f.rows < REFRESH_ROWS);
    }
    free(cols);
    struct store_partner *ps = NULL;
    size_t np = 0;
    if (store_partners(w->st, &ps, &np) == ALD_E_OK) {
        json_object_clear(c->partner_of);
        for (size_t i = 0; i < np; i++)
            if (ps[i].identity[0])
                json_object_set_new(c->partner_of, ps[i].identity, json_string(ps[i].name));
    }
    free(ps);
    struct audit_filter af = {.after_seq = c->audit_seq, .limit = 20000};
    if (audit_rows(w->audit, &af, on_audit, c) != ALD_E_OK)
        nlog_kv(w->env->log, NLOG_WARN, "web", "audit log", "error", audit_errmsg(w->audit),
                NULL);
    return ok;
}

/* Where an object came from: the partner that wrote it here, or whose
 * identity created it, else this node. */
static const char *source_of(web_cache *c, const char *id, const char *created_by)
{
    const char *p = json_string_value(json_object_get(c->src, id));
    if (!p && created_by && *created_by)
        p = json_string_value(json_object_get(c->partner_of, created_by));
    return p ? p : "local";
}

/* ---- a growing text ---- */

struct buf {
    char *p;
    size_t len, cap;
    bool oom;
};

static void put(struct buf *b, const char *s, size_t n)
{
    if (b->oom)
        return;
    if (b->len + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap * 2 : 4096;
        while (cap < b->len + n + 1)
            cap *= 2;
        char *p = realloc(b->p, cap);
        if (!p) {
            b->oom = true;
            return;
        }
        b->p = p;
        b->cap = cap;
    }
    memcpy(b->p + b->len, s, n);
    b->len += n;
    b->p[b->len] = '\0';
}

static void puts_(struct buf *b, const char *s)
{
    put(b, s, strlen(s));
}

static enum MHD_Result send_buf(struct MHD_Connection *conn, struct buf *b)
{
    if (b->oom) {
        free(b->p);
        return web_send_error(conn, 500, "out of memory");
    }
    return web_send(conn, 200, "application/json; charset=utf-8", b->p, b->len, NULL);
}

/* ---- endpoints ---- */

enum MHD_Result web_api_vessels(struct web_call *c)
{
    double box[4] = {-180, -90, 180, 90};
    bool given;
    size_t limit = VESSELS_LIMIT_MAX;
    if (!web_arg_bbox(c->conn, box, &given))
        return web_send_error(c->conn, 400, "bbox wants W,S,E,N in degrees (W > E crosses "
                                            "the antimeridian)");
    if (!web_arg_size(c->conn, "limit", 1, VESSELS_LIMIT_MAX, &limit))
        return web_send_error(c->conn, 400, "limit wants 1-200000");
    /* ?at=: the picture as it was then (the time slider), without the
     * vessels last heard more than max_age seconds before */
    int64_t at = INT64_MIN;
    size_t max_age = VESSELS_MAX_AGE_DEFAULT;
    if (!web_arg_time(c->conn, "at", &at))
        return web_send_error(c->conn, 400, "at wants ISO 8601 UTC or unix seconds");
    if (!web_arg_size(c->conn, "max_age", 0, VESSELS_MAX_AGE_MAX, &max_age))
        return web_send_error(c->conn, 400, "max_age wants 0-31536000 seconds (0: no limit)");
    /* beyond the in-memory tracks: the node's stored history (web_vessels.h) */
    size_t len = 0;
    char err[320] = "out of memory";
    char *j = web_vessels_json_hist(c->w->env->pic, c->w->env->o->history_days ? c->w->st : NULL,
                                    &c->w->mu, at, (int64_t)max_age * 1000000, box[0], box[1],
                                    box[2], box[3], limit, &len, err, sizeof err);
    if (!j)
        return web_send_error(c->conn, 500, err);
    struct MHD_Response *r =
        MHD_create_response_from_buffer_with_free_callback(len, j, web_vessels_free);
    if (!r) {
        web_vessels_free(j);
        return MHD_NO;
    }
    MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, "application/json; charset=utf-8");
    MHD_add_response_header(r, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
    web_security_headers(r);
    enum MHD_Result ret = MHD_queue_response(c->conn, MHD_HTTP_OK, r);
    MHD_destroy_response(r);
    return ret;
}

static json_t *num_or_null(double x, double scale)
{
    return isfinite(x) ? json_real(round(x * scale) / scale) : json_null();
}

enum MHD_Result web_api_vessel(struct web_call *c, const char *arg)
{
    char *end;
    unsigned long mmsi = strtoul(arg, &end, 10);
    if (!*arg || *end || strlen(arg) > 9 || arg[0] < '0' || arg[0] > '9')
        return web_send_error(c->conn, 400, "/api/vessel/MMSI wants up to 9 digits");
    int64_t since = 0, until = 0;
    if (!web_arg_time(c->conn, "since", &since) || !web_arg_time(c->conn, "until", &until))
        return web_send_error(c->conn, 400, "since/until want ISO 8601 UTC or unix seconds");
    struct pic_position *tr = malloc(TRACK_MAX * sizeof *tr);
    if (!tr)
        return web_send_error(c->conn, 500, "out of memory");
    struct pic_static st;
    size_t n = 0;
    /* the in-memory track, and before it the node's stored history */
    int found = web_vessel_track(c->w->env->pic, c->w->env->o->history_days ? c->w->st : NULL,
                                 &c->w->mu, (uint32_t)mmsi, since, until, &st, tr, TRACK_MAX, &n);
    if (found <= 0) {
        free(tr);
        return found < 0 ? web_send_error(c->conn, 500, "stored history not readable")
                         : web_send_error(c->conn, 404, "no such vessel in the picture or the "
                                                        "stored history");
    }
    json_t *o = json_object();
    json_object_set_new(o, "mmsi", json_integer((json_int_t)mmsi));
    json_object_set_new(o, "name", st.name[0] ? json_string(st.name) : json_null());
    json_object_set_new(o, "callsign", st.callsign[0] ? json_string(st.callsign) : json_null());
    json_object_set_new(o, "destination",
                        st.destination[0] ? json_string(st.destination) : json_null());
    json_object_set_new(o, "imo", st.imo ? json_integer(st.imo) : json_null());
    json_object_set_new(o, "type", json_integer(st.type));
    const char *flag = det_mid_country(det_mmsi_mid((uint32_t)mmsi));
    json_object_set_new(o, "flag", flag ? json_string(flag) : json_null());
    json_t *track = json_array();
    for (size_t i = 0; i < n; i++) {
        int64_t t = tr[i].t_us >= 0 ? tr[i].t_us / 1000000 : -((-tr[i].t_us + 999999) / 1000000);
        json_array_append_new(track, json_pack("[Ioooo]", (json_int_t)t,
                                               num_or_null(tr[i].lat, 1e5),
                                               num_or_null(tr[i].lon, 1e5),
                                               num_or_null(tr[i].sog, 10),
                                               num_or_null(tr[i].cog, 10)));
    }
    free(tr);
    json_object_set_new(o, "track", track);
    char *s = json_dumps(o, JSON_COMPACT | JSON_REAL_PRECISION(10));
    json_decref(o);
    return web_send_json(c->conn, 200, s);
}

static bool in_box(const double b[4], double lat, double lon)
{
    if (!isfinite(lat) || !isfinite(lon) || lat < b[1] || lat > b[3])
        return false;
    return b[0] <= b[2] ? lon >= b[0] && lon <= b[2] : lon >= b[0] || lon <= b[2];
}

static int by_start_desc(const void *a, const void *b)
{
    const struct ev *x = *(const struct ev *const *)a, *y = *(const struct ev *const *)b;
    if (x->start_us != y->start_us)
        return x->start_us < y->start_us ? 1 : -1;
    return strcmp(x->id, y->id);
}

enum MHD_Result web_api_events(struct web_call *c)
{
    int64_t since = INT64_MIN, until = INT64_MAX;
    double box[4];
    bool boxed;
    size_t limit = EVENTS_LIMIT_DEFAULT;
    if (!web_arg_time(c->conn, "since", &since) || !web_arg_time(c->conn, "until", &until))
        return web_send_error(c->conn, 400, "since/until want ISO 8601 UTC or unix seconds");
    if (!web_arg_bbox(c->conn, box, &boxed))
        return web_send_error(c->conn, 400, "bbox wants W,S,E,N in degrees");
    if (!web_arg_size(c->conn, "limit", 1, EVENTS_LIMIT_MAX, &limit))
        return web_send_error(c->conn, 400, "limit wants 1-10000");
    web *w = c->w;
    pthread_mutex_lock(&w->mu);
    refresh(w, c->now_us);
    web_cache *k = w->cache;
    const struct ev **hit = malloc((k->nev ? k->nev : 1) * sizeof *hit);
    size_t nh = 0;
    struct buf b = {0};
    if (hit) {
        for (size_t i = 0; i < k->nev; i++) {
            const struct ev *e = &k->ev[i];
            if (e->end_us < since || e->start_us > until)
                continue;
            if (boxed && !in_box(box, e->lat, e->lon))
                continue;
            hit[nh++] = e;
        }
        qsort(hit, nh, sizeof *hit, by_start_desc);
        puts_(&b, "{\"events\":[");
        for (size_t i = 0; i < nh && i < limit; i++) {
            json_t *x = json_pack("{ss}", "source", source_of(k, hit[i]->id, hit[i]->created_by));
            char *one = x ? splice(hit[i]->json, x) : NULL;
            json_decref(x);
            if (!one) {
                b.oom = true;
                break;
            }
            if (i)
                puts_(&b, ",");
            puts_(&b, one);
            free(one);
        }
        char tail[96];
        snprintf(tail, sizeof tail, "],\"count\":%zu,\"total\":%zu,\"truncated\":%s}",
                 nh < limit ? nh : limit, nh, nh > limit ? "true" : "false");
        puts_(&b, tail);
    } else {
        b.oom = true;
    }
    pthread_mutex_unlock(&w->mu);
    free(hit);
    return send_buf(c->conn, &b);
}

enum MHD_Result web_api_zones(struct web_call *c)
{
    const char *z = c->w->zones ? c->w->zones : "{\"type\":\"FeatureCollection\",\"features\":[]}";
    char *s = strdup(z);
    if (!s)
        return web_send_error(c->conn, 500, "out of memory");
    return web_send(c->conn, 200, "application/geo+json; charset=utf-8", s, strlen(s), NULL);
}

enum MHD_Result web_api_indicators_summary(struct web_call *c)
{
    web *w = c->w;
    pthread_mutex_lock(&w->mu);
    refresh(w, c->now_us);
    web_cache *k = w->cache;
    /* (source, tlp) -> count, in a JSON object keyed "source\ttlp" */
    json_t *groups = json_object();
    for (size_t i = 0; i < k->nin; i++) {
        char key[256];
        snprintf(key, sizeof key, "%s\t%s", source_of(k, k->in[i].id, k->in[i].created_by),
                 tlp_name(k->in[i].tlp));
        json_t *n = json_object_get(groups, key);
        json_object_set_new(groups, key, json_integer(n ? json_integer_value(n) + 1 : 1));
    }
    json_t *by = json_array();
    const char *key;
    json_t *v;
    json_object_foreach(groups, key, v) {
        const char *tab = strchr(key, '\t');
        json_t *g = json_object();
        json_object_set_new(g, "source", json_stringn(key, (size_t)(tab - key)));
        json_object_set_new(g, "tlp", json_string(tab + 1));
        json_object_set(g, "count", v);
        json_array_append_new(by, g);
    }
    json_t *o = json_object();
    json_object_set_new(o, "total", json_integer((json_int_t)k->nin));
    json_object_set_new(o, "by_source", by);
    json_object_set_new(o, "complete", json_boolean(!k->in_full));
    pthread_mutex_unlock(&w->mu);
    json_decref(groups);
    char *s = json_dumps(o, JSON_COMPACT | JSON_SORT_KEYS);
    json_decref(o);
    return web_send_json(c->conn, 200, s);
}

/* ---- what a sighting saw, as lines ---- */

static int on_keep(void *ctx, const struct store_row *r)
{
    json_t *o = json_loadb(r->json, r->len, 0, NULL);
    if (o)
        json_object_set_new(ctx, r->id, o);
    return 0;
}

/* The objects with these ids in a collection into map (id -> object). */
static void fetch(web *w, const char *collection, json_t *ids, json_t *map)
{
    size_t n = json_array_size(ids);
    const char **v = malloc((n ? n : 1) * sizeof *v);
    if (!v)
        return;
    for (size_t i = 0; i < n; i++)
        v[i] = json_string_value(json_array_get(ids, i));
    struct store_filter f = {.added_after = INT64_MIN, .ids = v, .nids = n, .limit = 1000};
    struct store_page pg;
    if (n && store_query(w->st, collection, &f, NULL, NULL, on_keep, map, &pg) != ALD_E_OK)
        nlog_kv(w->env->log, NLOG_WARN, "web", "observed-data lookup", "error",
                store_errmsg(w->st), NULL);
    free(v);
}

/* The main value of a cyber observable ("value", a name, a hash). */
static const char *sco_value(json_t *o)
{
    const char *v = json_string_value(json_object_get(o, "value"));
    if (!v)
        v = json_string_value(json_object_get(o, "name"));
    if (!v) {
        const char *k;
        json_t *h;
        json_object_foreach(json_object_get(o, "hashes"), k, h) {
            v = json_string_value(h);
            break;
        }
    }
    return v ? v : "?";
}

/* One observed-data as a line: its time, then network traffic as
 * "proto SRC:PORT -> DST:PORT" and the other observables as "type value". */
static json_t *od_line(json_t *od, json_t *scos)
{
    struct buf b = {0};
    const char *t = json_string_value(json_object_get(od, "first_observed"));
    puts_(&b, t ? t : "?");
    json_t *refs = json_object_get(od, "object_refs"), *used = json_object();
    size_t i;
    json_t *r;
    json_array_foreach(refs, i, r) {
        json_t *o = json_object_get(scos, json_string_value(r));
        const char *type = json_string_value(json_object_get(o, "type"));
        if (!type || strcmp(type, "network-traffic") != 0)
            continue;
        json_t *pr = json_object_get(o, "protocols");
        const char *proto = json_string_value(json_array_get(pr, json_array_size(pr) - 1));
        const char *sr = json_string_value(json_object_get(o, "src_ref"));
        const char *dr = json_string_value(json_object_get(o, "dst_ref"));
        char tmp[512];
        json_t *sp = json_object_get(o, "src_port"), *dp = json_object_get(o, "dst_port");
        char sps[16] = "", dps[16] = "";
        if (json_is_integer(sp))
            snprintf(sps, sizeof sps, ":%lld", (long long)json_integer_value(sp));
        if (json_is_integer(dp))
            snprintf(dps, sizeof dps, ":%lld", (long long)json_integer_value(dp));
        snprintf(tmp, sizeof tmp, " %s %s%s -> %s%s", proto ? proto : "traffic",
                 sr ? sco_value(json_object_get(scos, sr)) : "?", sps,
                 dr ? sco_value(json_object_get(scos, dr)) : "?", dps);
        puts_(&b, tmp);
        if (sr)
            json_object_set_new(used, sr, json_true());
        if (dr)
            json_object_set_new(used, dr, json_true());
        json_object_set_new(used, json_string_value(r), json_true());
    }
    json_array_foreach(refs, i, r) {
        const char *id = json_string_value(r);
        json_t *o = json_object_get(scos, id);
        if (!id || !o || json_object_get(used, id))
            continue;
        puts_(&b, " ");
        puts_(&b, json_string_value(json_object_get(o, "type")) ? json_string_value(json_object_get(o, "type")) : "?");
        puts_(&b, " ");
        puts_(&b, sco_value(o));
    }
    json_decref(used);
    json_t *line = b.oom ? NULL : json_string(b.p);
    free(b.p);
    return line;
}

/* sighting id -> [line, ...] for the first n sightings of a page: two
 * queries by id per collection (observed-data, then their observables). */
static json_t *lines_for(web *w, const struct sig *const *hit, size_t n)
{
    json_t *out = json_object(), *done = json_object();
    for (size_t i = 0; i < n; i++) {
        const char *col = hit[i]->collection;
        if (!col || !*col || json_object_get(done, col))
            continue;
        json_object_set_new(done, col, json_true());
        json_t *ids = json_array(), *ods = json_object(), *scos = json_object();
        for (size_t j = i; j < n; j++)
            for (size_t k = 0; strcmp(hit[j]->collection, col) == 0 && k < LINES_PER_SIGHTING; k++)
                if (hit[j]->od[k])
                    json_array_append_new(ids, json_string(hit[j]->od[k]));
        fetch(w, col, ids, ods);
        json_array_clear(ids);
        const char *k;
        json_t *od;
        json_object_foreach(ods, k, od) {
            size_t x;
            json_t *r;
            json_array_foreach(json_object_get(od, "object_refs"), x, r)
                if (json_array_size(ids) < 1000)
                    json_array_append(ids, r);
        }
        fetch(w, col, ids, scos);
        for (size_t j = i; j < n; j++) {
            if (strcmp(hit[j]->collection, col) != 0)
                continue;
            json_t *lines = json_array();
            for (size_t q = 0; q < LINES_PER_SIGHTING && hit[j]->od[q]; q++) {
                json_t *o = json_object_get(ods, hit[j]->od[q]);
                json_t *l = o ? od_line(o, scos) : NULL;
                if (l)
                    json_array_append_new(lines, l);
            }
            json_object_set_new(out, hit[j]->id, lines);
        }
        json_decref(ids);
        json_decref(ods);
        json_decref(scos);
    }
    json_decref(done);
    return out;
}

/* id -> indicator object for the indicators the first n sightings name,
 * read from the store by id (every collection, 1000 ids per query). */
static json_t *indicators_for(web *w, const struct sig *const *hit, size_t n)
{
    json_t *out = json_object(), *seen = json_object(), *ids = json_array();
    struct store_collection *cols = NULL;
    size_t ncol = 0;
    if (store_collections(w->st, &cols, &ncol) != ALD_E_OK)
        ncol = 0;
    for (size_t i = 0; i <= n; i++) {
        if (i < n && !json_object_get(seen, hit[i]->indicator)) {
            json_object_set_new(seen, hit[i]->indicator, json_true());
            json_array_append_new(ids, json_string(hit[i]->indicator));
        }
        if (json_array_size(ids) == 1000 || (i == n && json_array_size(ids))) {
            for (size_t c = 0; c < ncol; c++)
                fetch(w, cols[c].id, ids, out);
            json_array_clear(ids);
        }
    }
    free(cols);
    json_decref(seen);
    json_decref(ids);
    return out;
}

/* ---- what a sighting saw: its raw log lines ---- */

/* A log line (any bytes) as a JSON string: valid UTF-8 as it is, each
 * byte that is not part of a valid sequence as U+FFFD. The page shows it
 * as text, never as markup (web/src/cyber.js). */
static json_t *json_text(const char *s, size_t n)
{
    json_t *j = json_stringn(s, n);
    if (j)
        return j;
    struct buf b = {0};
    for (size_t i = 0; i < n;) {
        unsigned char c = (unsigned char)s[i];
        size_t k = c < 0x80 ? 1 : (c & 0xE0) == 0xC0 ? 2 : (c & 0xF0) == 0xE0 ? 3
                 : (c & 0xF8) == 0xF0 ? 4 : 0;
        /* jansson checks the one sequence (overlong forms, surrogates) */
        json_t *t = k && i + k <= n ? json_stringn(s + i, k) : NULL;
        if (t) {
            put(&b, s + i, k);
            i += k;
        } else {
            puts_(&b, "\xef\xbf\xbd");
            i++;
        }
        json_decref(t);
    }
    j = b.oom ? NULL : json_stringn(b.p ? b.p : "", b.len);
    free(b.p);
    return j;
}

static int on_raw_line(void *ctx, const struct sighting_line *l)
{
    json_t *o = json_object();
    if (!o)
        return 1;
    json_object_set_new(o, "text", json_text(l->text, l->len));
    json_object_set_new(o, "source", json_string(l->source));
    json_object_set_new(o, "file", l->file[0] ? json_string(l->file) : json_null());
    json_object_set_new(o, "line", l->line ? json_integer((json_int_t)l->line) : json_null());
    json_object_set_new(o, "offset", l->offset >= 0 ? json_integer(l->offset) : json_null());
    char t[STIX_TIME_TEXT];
    if (l->time_us != INT64_MIN)
        stix_time_format(l->time_us, t);
    json_object_set_new(o, "time", l->time_us != INT64_MIN ? json_string(t) : json_null());
    json_object_set_new(o, "rank", json_integer((json_int_t)l->seq));
    if (l->truncated)
        json_object_set_new(o, "truncated", json_true());
    json_array_append_new(ctx, o);
    return 0;
}

/* The sighting's raw lines (sighting_lines.h) into x: lines, lines_from
 * "log", lines_total. false when it has none (a partner's sighting, or one
 * stored before lines were kept). Under w->mu (the dashboard's store). */
static bool raw_lines(web *w, const char *sighting_id, json_t *x)
{
    json_t *arr = json_array();
    uint64_t total = 0;
    ald_err e = sighting_lines_get(w->st, sighting_id, on_raw_line, arr, &total);
    if (e != ALD_E_OK || total == 0) {
        if (e != ALD_E_OK)
            nlog_kv(w->env->log, NLOG_WARN, "web", "sighting lines", "error",
                    store_errmsg(w->st), NULL);
        json_decref(arr);
        return false;
    }
    json_object_set_new(x, "lines", arr);
    json_object_set_new(x, "lines_from", json_string("log"));
    json_object_set_new(x, "lines_total", json_integer((json_int_t)total));
    return true;
}

static int sig_by_first_desc(const void *a, const void *b)
{
    const struct sig *x = *(const struct sig *const *)a, *y = *(const struct sig *const *)b;
    if (x->first_us != y->first_us)
        return x->first_us < y->first_us ? 1 : -1;
    return strcmp(x->id, y->id);
}

enum MHD_Result web_api_sightings(struct web_call *c)
{
    int64_t since = INT64_MIN, until = INT64_MAX;
    size_t limit = SIGHTINGS_LIMIT_DEFAULT, bucket = 3600;
    if (!web_arg_time(c->conn, "since", &since) || !web_arg_time(c->conn, "until", &until))
        return web_send_error(c->conn, 400, "since/until want ISO 8601 UTC or unix seconds");
    if (!web_arg_size(c->conn, "limit", 1, SIGHTINGS_LIMIT_MAX, &limit))
        return web_send_error(c->conn, 400, "limit wants 1-5000");
    if (!web_arg_size(c->conn, "bucket", 1, 366 * 86400, &bucket))
        return web_send_error(c->conn, 400, "bucket wants 1-31622400 seconds");
    web *w = c->w;
    pthread_mutex_lock(&w->mu);
    refresh(w, c->now_us);
    web_cache *k = w->cache;
    const struct sig **hit = malloc((k->nsg ? k->nsg : 1) * sizeof *hit);
    struct buf b = {0};
    size_t nh = 0;
    if (!hit) {
        pthread_mutex_unlock(&w->mu);
        return web_send_error(c->conn, 500, "out of memory");
    }
    int64_t lo = INT64_MAX, hi = INT64_MIN;
    for (size_t i = 0; i < k->nsg; i++) {
        const struct sig *s = &k->sg[i];
        if (s->last_us < since || s->first_us > until)
            continue;
        hit[nh++] = s;
        if (s->first_us < lo)
            lo = s->first_us;
        if (s->first_us > hi)
            hi = s->first_us;
    }
    qsort(hit, nh, sizeof *hit, sig_by_first_desc);
    /* buckets of hits (sighting counts) by first_seen, over every match;
     * widened so that there are at most BUCKETS_MAX */
    int64_t bw = (int64_t)bucket * 1000000;
    if (nh && (hi - lo) / bw + 1 > BUCKETS_MAX)
        bw *= (hi - lo) / bw / BUCKETS_MAX + 1;   /* a multiple of what was asked */
    size_t nb = nh ? (size_t)((hi / bw - lo / bw) + 1) : 0;
    if (nb > BUCKETS_MAX + 1)
        nb = BUCKETS_MAX + 1;
    long long *cnt = calloc(nb ? nb : 1, sizeof *cnt);
    int64_t b0 = nh ? (lo >= 0 ? lo / bw : -((-lo + bw - 1) / bw)) * bw : 0;
    for (size_t i = 0; cnt && i < nh; i++) {
        size_t j = (size_t)((hit[i]->first_us - b0) / bw);
        if (j < nb)
            cnt[j] += hit[i]->count;
    }
    char tmp[128], ts[STIX_TIME_TEXT];
    snprintf(tmp, sizeof tmp, "{\"bucket_s\":%" PRId64 ",\"buckets\":[", bw / 1000000);
    puts_(&b, tmp);
    for (size_t j = 0; cnt && j < nb; j++) {
        stix_time_format(b0 + (int64_t)j * bw, ts);
        snprintf(tmp, sizeof tmp, "%s{\"t\":\"%s\",\"count\":%lld}", j ? "," : "", ts, cnt[j]);
        puts_(&b, tmp);
    }
    free(cnt);
    puts_(&b, "],\"sightings\":[");
    json_t *lines = lines_for(w, hit, nh < limit ? (nh < LINES_SIGHTINGS ? nh : LINES_SIGHTINGS)
                                                 : (limit < LINES_SIGHTINGS ? limit : LINES_SIGHTINGS));
    json_t *inds = indicators_for(w, hit, nh < limit ? nh : limit);
    for (size_t i = 0; i < nh && i < limit; i++) {
        const struct sig *s = hit[i];
        json_t *in = json_object_get(inds, s->indicator);
        const char *pat = json_string_value(json_object_get(in, "pattern"));
        const char *nam = json_string_value(json_object_get(in, "name"));
        char *pc = cut(pat, 1024), *nc = cut(nam, 256);
        json_t *x = json_object();
        json_object_set_new(x, "pattern", pc ? json_string(pc) : json_null());
        json_object_set_new(x, "name", nc ? json_string(nc) : json_null());
        free(pc);
        free(nc);
        json_object_set_new(x, "source", json_string(source_of(k, s->id, s->created_by)));
        /* what was seen: the raw log lines this node kept (local
         * evidence, sighting_lines.h), else rebuilt from the sighting's
         * observed-data (a partner's sighting); lines_from says which (see
         * docs/api.md) */
        json_t *l = json_object_get(lines, s->id);
        if (i >= LINES_SIGHTINGS || !raw_lines(w, s->id, x)) {
            json_t *rb = json_array();
            size_t q;
            json_t *v;
            json_array_foreach(l, q, v) json_array_append_new(rb, json_pack("{s:O}", "text", v));
            json_object_set_new(x, "lines", rb);
            json_object_set_new(x, "lines_from",
                                json_array_size(rb) ? json_string("observed-data") : json_null());
            json_object_set_new(x, "lines_total", json_integer((json_int_t)json_array_size(rb)));
        }
        char *one = splice(s->json, x);
        json_decref(x);
        if (!one) {
            b.oom = true;
            break;
        }
        if (i)
            puts_(&b, ",");
        puts_(&b, one);
        free(one);
    }
    snprintf(tmp, sizeof tmp, "],\"count\":%zu,\"total\":%zu,\"truncated\":%s}",
             nh < limit ? nh : limit, nh, nh > limit ? "true" : "false");
    puts_(&b, tmp);
    pthread_mutex_unlock(&w->mu);
    json_decref(lines);
    json_decref(inds);
    free(hit);
    return send_buf(c->conn, &b);
}

/* ---- sharing ---- */

static int on_fed(void *ctx, const char *key, const char *value)
{
    json_object_set_new(ctx, key, json_string(value));
    return 0;
}

static int on_audit_row(void *ctx, const struct audit_row *r)
{
    char at[STIX_TIME_TEXT];
    stix_time_format(r->at, at);
    json_t *o = json_pack("{sIssssssss}", "seq", (json_int_t)r->seq, "at", at, "who",
                          r->who ? r->who : "", "action", r->action ? r->action : "", "object",
                          r->object ? r->object : "");
    if (o) {
        char *d = cut(r->detail ? r->detail : "", 300);
        json_object_set_new(o, "detail", json_string(d ? d : ""));
        free(d);
        json_array_insert_new(ctx, 0, o);      /* newest first */
    }
    return 0;
}

/* fed/<partner>/<what> as JSON: a string, a number, or null. */
static json_t *fed_value(json_t *fed, const char *partner, const char *what, bool number)
{
    char key[160];
    snprintf(key, sizeof key, "fed/%s/%s", partner, what);
    const char *v = json_string_value(json_object_get(fed, key));
    if (!v)
        return number ? json_integer(0) : json_null();
    if (!number)
        return json_string(v);
    char *end;
    double d = strtod(v, &end);
    if (end == v || !isfinite(d))
        return json_null();
    return d == floor(d) && fabs(d) < 9e15 ? json_integer((json_int_t)d) : json_real(d);
}

enum MHD_Result web_api_sharing(struct web_call *c)
{
    size_t before = 0;
    if (!web_arg_size(c->conn, "before", 1, (size_t)INT64_MAX, &before))
        return web_send_error(c->conn, 400, "before wants an audit seq (a positive integer)");
    web *w = c->w;
    const struct serve_settings *o = w->env->o;
    json_t *out = json_object();
    json_object_set_new(out, "node",
                        json_pack("{s:o,s:s}", "identity",
                                  o->identity ? json_string(o->identity) : json_null(), "title",
                                  o->title ? o->title : ""));
    json_t *fed = json_object(), *partners = json_array(), *audit = json_array();
    pthread_mutex_lock(&w->mu);
    struct store_partner *ps = NULL;
    size_t np = 0;
    ald_err e = store_partners(w->st, &ps, &np);
    if (e == ALD_E_OK)
        e = store_state_list(w->st, "fed/", on_fed, fed);
    int64_t top = 0;
    if (e == ALD_E_OK && audit_last_before(w->audit, INT64_MAX, &top) != ALD_E_OK)
        e = ALD_E_IO;
    if (e == ALD_E_OK) {
        if (before && (int64_t)before - 1 < top)
            top = (int64_t)before - 1;
        struct audit_filter af = {.after_seq = top > AUDIT_PAGE ? top - AUDIT_PAGE : 0,
                                  .through_seq = top};
        if (top > 0 && audit_rows(w->audit, &af, on_audit_row, audit) != ALD_E_OK)
            e = ALD_E_IO;
    }
    pthread_mutex_unlock(&w->mu);
    if (e != ALD_E_OK) {
        free(ps);
        json_decref(fed);
        json_decref(partners);
        json_decref(audit);
        json_decref(out);
        return web_send_error(c->conn, 500, "the store could not be read (see the server's log)");
    }
    for (size_t i = 0; i < np; i++) {
        const char *n = ps[i].name;
        json_t *p = json_object();
        json_object_set_new(p, "name", json_string(n));
        json_object_set_new(p, "identity", ps[i].identity[0] ? json_string(ps[i].identity)
                                                             : json_null());
        json_object_set_new(p, "url", ps[i].url[0] ? json_string(ps[i].url)
                                                   : fed_value(fed, n, "url", false));
        json_object_set_new(p, "last_sync", fed_value(fed, n, "last_sync", false));
        json_t *lag = fed_value(fed, n, "lag_s", true);
        char key[160];
        snprintf(key, sizeof key, "fed/%s/lag_s", n);
        if (!json_object_get(fed, key)) {
            json_decref(lag);
            lag = json_null();
        }
        json_object_set_new(p, "lag_s", lag);
        json_object_set_new(p, "in", fed_value(fed, n, "in", true));
        json_object_set_new(p, "out", fed_value(fed, n, "out", true));
        json_object_set_new(p, "errors", fed_value(fed, n, "errors", true));
        json_object_set_new(p, "last_error", fed_value(fed, n, "last_error", false));
        json_array_append_new(partners, p);
    }
    free(ps);
    json_decref(fed);
    size_t na = json_array_size(audit);
    json_object_set_new(out, "partners", partners);
    json_object_set_new(out, "audit", audit);
    /* the seq to pass as ?before= for the previous page, null at the start */
    json_t *last = na ? json_object_get(json_array_get(audit, na - 1), "seq") : NULL;
    json_object_set_new(out, "audit_before",
                        last && json_integer_value(last) > 1 ? json_integer(json_integer_value(last))
                                                             : json_null());
    char *s = json_dumps(out, JSON_COMPACT);
    json_decref(out);
    return web_send_json(c->conn, 200, s);
}
