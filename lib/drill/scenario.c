/*
 * scenario.c - the drill scenario file (docs/drill.md) parsed into struct
 * drill_scenario. Every member is checked for type, range and references
 * (nations, networks named elsewhere), and the first problem is reported
 * with its JSON path, so an author can fix a 200-line file without
 * guessing. Unknown members are errors too: a misspelt "reshare" silently
 * ignored would change what the drill measures.
 */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "alidade/drill.h"
#include "alidade/stix.h"
#include "core/uuid.h"

/* A failure carries its path; the walk stops at the first one. */
struct ctx {
    struct drill_err *err;
    char path[128];
};

static ald_err fail(struct ctx *c, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static ald_err fail(struct ctx *c, const char *fmt, ...)
{
    if (c->err) {
        c->err->code = ALD_E_ARG;
        snprintf(c->err->path, sizeof c->err->path, "%s", c->path);
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(c->err->msg, sizeof c->err->msg, fmt, ap);
        va_end(ap);
    }
    return ALD_E_ARG;
}

/* Appends ".key" or "[i]" to the path; returns the old length to restore. */
static size_t push_key(struct ctx *c, const char *key)
{
    size_t n = strlen(c->path);
    snprintf(c->path + n, sizeof c->path - n, "%s%s", n ? "." : "", key);
    return n;
}

static size_t push_index(struct ctx *c, size_t i)
{
    size_t n = strlen(c->path);
    snprintf(c->path + n, sizeof c->path - n, "[%zu]", i);
    return n;
}

static void pop(struct ctx *c, size_t n)
{
    c->path[n] = '\0';
}

/* Refuses members not in `allowed` (NULL-terminated). */
static ald_err only_keys(struct ctx *c, json_t *o, const char *const *allowed)
{
    const char *k;
    json_t *v;
    json_object_foreach(o, k, v) {
        bool ok = false;
        for (size_t i = 0; allowed[i] && !ok; i++)
            ok = strcmp(k, allowed[i]) == 0;
        if (!ok) {
            char list[200] = "";
            size_t len = 0;
            for (size_t i = 0; allowed[i] && len < sizeof list; i++)
                len += (size_t)snprintf(list + len, sizeof list - len, "%s%s", i ? ", " : "",
                                        allowed[i]);
            size_t n = push_key(c, k);
            ald_err e = fail(c, "unknown member \"%s\" (known here: %s)", k, list);
            pop(c, n);
            return e;
        }
    }
    return ALD_E_OK;
}

static bool name_ok(const char *s)
{
    size_t n = strlen(s);
    if (n == 0 || n >= DRILL_NAME_MAX || s[0] == '-' || s[0] == '.')
        return false;
    for (size_t i = 0; i < n; i++) {
        char ch = s[i];
        if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
              ch == '.' || ch == '_' || ch == '-'))
            return false;
    }
    return true;
}

/* A string member (required or not) copied into dst. */
static ald_err get_str(struct ctx *c, json_t *o, const char *key, bool required, char *dst,
                       size_t cap, bool *present)
{
    json_t *v = json_object_get(o, key);
    if (present)
        *present = v != NULL;
    size_t n = push_key(c, key);
    ald_err e = ALD_E_OK;
    if (!v) {
        if (required)
            e = fail(c, "missing (a string is required here)");
    } else if (!json_is_string(v)) {
        e = fail(c, "must be a string");
    } else if (json_string_length(v) >= cap) {
        e = fail(c, "too long (%zu bytes, at most %zu)", json_string_length(v), cap - 1);
    } else if (strlen(json_string_value(v)) != json_string_length(v)) {
        e = fail(c, "holds a NUL character");
    } else {
        memcpy(dst, json_string_value(v), json_string_length(v) + 1);
    }
    pop(c, n);
    return e;
}

/* A number member in [lo, hi], *out untouched when absent. */
static ald_err get_num(struct ctx *c, json_t *o, const char *key, double lo, double hi,
                       double *out)
{
    json_t *v = json_object_get(o, key);
    if (!v)
        return ALD_E_OK;
    size_t n = push_key(c, key);
    ald_err e = ALD_E_OK;
    if (!json_is_number(v))
        e = fail(c, "must be a number");
    else if (!(json_number_value(v) >= lo && json_number_value(v) <= hi))
        e = fail(c, "%g is out of range (%g to %g)", json_number_value(v), lo, hi);
    else
        *out = json_number_value(v);
    pop(c, n);
    return e;
}

static ald_err get_bool(struct ctx *c, json_t *o, const char *key, bool *out)
{
    json_t *v = json_object_get(o, key);
    if (!v)
        return ALD_E_OK;
    if (!json_is_boolean(v)) {
        size_t n = push_key(c, key);
        ald_err e = fail(c, "must be true or false");
        pop(c, n);
        return e;
    }
    *out = json_is_true(v);
    return ALD_E_OK;
}

static const char *const tlp_names[] = {"clear", "green", "amber", "amber+strict", "red"};

const char *drill_tlp_name(enum drill_tlp t)
{
    return (unsigned)t < 5 ? tlp_names[t] : "?";
}

static ald_err get_tlp(struct ctx *c, json_t *o, const char *key, enum drill_tlp *out)
{
    char s[32];
    bool present;
    ald_err e = get_str(c, o, key, false, s, sizeof s, &present);
    if (e || !present)
        return e;
    for (unsigned i = 0; i < 5; i++)
        if (strcmp(s, tlp_names[i]) == 0) {
            *out = (enum drill_tlp)i;
            return ALD_E_OK;
        }
    size_t n = push_key(c, key);
    e = fail(c, "unknown TLP \"%s\" (clear, green, amber, amber+strict or red)", s);
    pop(c, n);
    return e;
}

void drill_id(const struct drill_scenario *sc, const char *type, const char *what,
              char out[DRILL_ID_MAX + 16])
{
    char name[256], u[37];
    int n = snprintf(name, sizeof name, "alidade-drill:%s:%s", sc->name, what);
    ald_uuid5(ald_uuid_ns, name, n < 0 ? 0 : (size_t)n < sizeof name ? (size_t)n : sizeof name - 1,
              u);
    snprintf(out, DRILL_ID_MAX + 16, "%.24s--%s", type, u);
}

int drill_nation_index(const struct drill_scenario *sc, const char *name)
{
    for (unsigned i = 0; i < sc->nnations; i++)
        if (strcmp(sc->nations[i].name, name) == 0)
            return (int)i;
    return -1;
}

/* A nation named by member `key`, which must exist. */
static ald_err get_nation_ref(struct ctx *c, const struct drill_scenario *sc, json_t *o,
                              const char *key, unsigned *out)
{
    char s[DRILL_NAME_MAX];
    ald_err e = get_str(c, o, key, true, s, sizeof s, NULL);
    if (e)
        return e;
    int k = drill_nation_index(sc, s);
    if (k < 0) {
        size_t n = push_key(c, key);
        e = fail(c, "no nation named \"%s\" in \"nations\"", s);
        pop(c, n);
        return e;
    }
    *out = (unsigned)k;
    return ALD_E_OK;
}

static ald_err get_array(struct ctx *c, json_t *o, const char *key, size_t max, json_t **out)
{
    json_t *v = json_object_get(o, key);
    *out = NULL;
    if (!v)
        return ALD_E_OK;
    size_t n = push_key(c, key);
    ald_err e = ALD_E_OK;
    if (!json_is_array(v))
        e = fail(c, "must be an array");
    else if (json_array_size(v) > max)
        e = fail(c, "%zu entries, at most %zu", json_array_size(v), max);
    else
        *out = v;
    pop(c, n);
    return e;
}

static bool lat_ok(double v) { return v >= -90 && v <= 90; }
static bool lon_ok(double v) { return v >= -180 && v <= 180; }

static ald_err parse_area(struct ctx *c, json_t *o, struct drill_area *a)
{
    static const char *const keys[] = {"bbox", "polygon", NULL};
    if (!json_is_object(o))
        return fail(c, "must be an object: {\"bbox\": [S, W, N, E]} or "
                       "{\"polygon\": [[LON, LAT], ...]}");
    ald_err e = only_keys(c, o, keys);
    if (e)
        return e;
    json_t *bb = json_object_get(o, "bbox"), *pg = json_object_get(o, "polygon");
    if (!bb == !pg)
        return fail(c, "give exactly one of \"bbox\" and \"polygon\"");
    memset(a, 0, sizeof *a);
    if (bb) {
        size_t n = push_key(c, "bbox");
        double v[4];
        bool ok = json_is_array(bb) && json_array_size(bb) == 4;
        for (size_t i = 0; ok && i < 4; i++) {
            json_t *x = json_array_get(bb, i);
            ok = json_is_number(x);
            if (ok)
                v[i] = json_number_value(x);
        }
        if (!ok)
            e = fail(c, "must be [SOUTH, WEST, NORTH, EAST], four numbers in degrees");
        else if (!lat_ok(v[0]) || !lat_ok(v[2]) || !lon_ok(v[1]) || !lon_ok(v[3]))
            e = fail(c, "latitudes must be in -90..90, longitudes in -180..180");
        else if (!(v[0] < v[2]) || !(v[1] < v[3]))
            e = fail(c, "south must be below north and west below east (boxes across the "
                        "antimeridian: use two)");
        pop(c, n);
        if (e)
            return e;
        a->s = v[0];
        a->w = v[1];
        a->n = v[2];
        a->e = v[3];
        return ALD_E_OK;
    }
    size_t n = push_key(c, "polygon");
    if (!json_is_array(pg) || json_array_size(pg) < 3 ||
        json_array_size(pg) > DRILL_MAX_VERTICES) {
        e = fail(c, "must be an array of 3 to %d [LON, LAT] points", DRILL_MAX_VERTICES);
        pop(c, n);
        return e;
    }
    a->polygon = true;
    a->s = 90;
    a->n = -90;
    a->w = 180;
    a->e = -180;
    for (size_t i = 0; i < json_array_size(pg) && !e; i++) {
        json_t *p = json_array_get(pg, i);
        size_t m = push_index(c, i);
        if (!json_is_array(p) || json_array_size(p) != 2 ||
            !json_is_number(json_array_get(p, 0)) || !json_is_number(json_array_get(p, 1))) {
            e = fail(c, "must be [LON, LAT] (two numbers, longitude first as in GeoJSON)");
        } else {
            double lo = json_number_value(json_array_get(p, 0));
            double la = json_number_value(json_array_get(p, 1));
            if (!lon_ok(lo) || !lat_ok(la))
                e = fail(c, "[%g, %g]: longitude must be in -180..180, latitude in -90..90",
                         lo, la);
            a->lon[a->nv] = lo;
            a->lat[a->nv++] = la;
            a->s = fmin(a->s, la);
            a->n = fmax(a->n, la);
            a->w = fmin(a->w, lo);
            a->e = fmax(a->e, lo);
        }
        pop(c, m);
    }
    pop(c, n);
    return e;
}

static ald_err parse_network(struct ctx *c, json_t *o, struct drill_network *nw)
{
    static const char *const keys[] = {"name", "format", NULL};
    if (!json_is_object(o))
        return fail(c, "must be an object: {\"name\": ..., \"format\": \"eve\"|\"zeek\"}");
    ald_err e = only_keys(c, o, keys);
    if (e || (e = get_str(c, o, "name", true, nw->name, sizeof nw->name, NULL)))
        return e;
    if (!name_ok(nw->name)) {
        size_t n = push_key(c, "name");
        e = fail(c, "\"%s\": 1-63 characters of A-Z a-z 0-9 . _ -, not starting with - or .",
                 nw->name);
        pop(c, n);
        return e;
    }
    char f[16] = "eve";
    if ((e = get_str(c, o, "format", false, f, sizeof f, NULL)))
        return e;
    if (strcmp(f, "eve") == 0) {
        nw->format = DRILL_LOG_EVE;
    } else if (strcmp(f, "zeek") == 0) {
        nw->format = DRILL_LOG_ZEEK;
    } else {
        size_t n = push_key(c, "format");
        e = fail(c, "unknown log format \"%s\" (eve or zeek)", f);
        pop(c, n);
    }
    return e;
}

static ald_err parse_nation(struct ctx *c, const struct drill_scenario *sc, json_t *o,
                            struct drill_nation *nt)
{
    static const char *const keys[] = {"name", "title", "identity", "tlp", "groups",
                                       "ais", "networks", "cert", NULL};
    if (!json_is_object(o))
        return fail(c, "must be an object with at least \"name\"");
    ald_err e = only_keys(c, o, keys);
    if (e || (e = get_str(c, o, "name", true, nt->name, sizeof nt->name, NULL)))
        return e;
    size_t n;
    if (!name_ok(nt->name) || strcmp(nt->name, "drill-umpire") == 0) {
        n = push_key(c, "name");
        e = fail(c, "\"%s\": a nation's name is its partner name: 1-63 characters of A-Z a-z "
                    "0-9 . _ -, not starting with - or . (and not drill-umpire)", nt->name);
        pop(c, n);
        return e;
    }
    if (drill_nation_index(sc, nt->name) >= 0) {
        n = push_key(c, "name");
        e = fail(c, "\"%s\" is already a nation (names must be unique)", nt->name);
        pop(c, n);
        return e;
    }
    bool present;
    if ((e = get_str(c, o, "title", false, nt->title, sizeof nt->title, &present)))
        return e;
    if (!present)
        memcpy(nt->title, nt->name, strlen(nt->name) + 1);   /* name < title's size */
    if ((e = get_str(c, o, "identity", false, nt->identity, sizeof nt->identity, &present)))
        return e;
    if (present) {
        bool ok = strncmp(nt->identity, "identity--", 10) == 0 && strlen(nt->identity) == 46;
        for (size_t i = 10; ok && i < 46; i++) {
            char ch = nt->identity[i];
            ok = (i == 18 || i == 23 || i == 28 || i == 33)
                     ? ch == '-'
                     : (ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'f');
        }
        if (!ok) {
            n = push_key(c, "identity");
            e = fail(c, "\"%s\" is not identity-- followed by a lower-case UUID", nt->identity);
            pop(c, n);
            return e;
        }
    } else {
        stix_node_identity_id(nt->title, nt->identity);
    }
    nt->tlp = DRILL_TLP_AMBER;
    if ((e = get_tlp(c, o, "tlp", &nt->tlp)))
        return e;
    if (nt->tlp == DRILL_TLP_RED) {
        n = push_key(c, "tlp");
        e = fail(c, "a node's default TLP cannot be red (nothing it detects could be shared)");
        pop(c, n);
        return e;
    }
    json_t *a;
    if ((e = get_array(c, o, "groups", DRILL_MAX_GROUPS, &a)))
        return e;
    for (size_t i = 0; a && i < json_array_size(a); i++) {
        json_t *g = json_array_get(a, i);
        n = push_key(c, "groups");
        size_t m = push_index(c, i);
        if (!json_is_string(g) || !name_ok(json_string_value(g)))
            e = fail(c, "a group name: 1-63 characters of A-Z a-z 0-9 . _ -");
        else
            snprintf(nt->groups[nt->ngroups++], DRILL_NAME_MAX, "%s", json_string_value(g));
        pop(c, m);
        pop(c, n);
        if (e)
            return e;
    }
    if ((e = get_array(c, o, "ais", DRILL_MAX_AREAS, &a)))
        return e;
    for (size_t i = 0; a && i < json_array_size(a) && !e; i++) {
        n = push_key(c, "ais");
        size_t m = push_index(c, i);
        e = parse_area(c, json_array_get(a, i), &nt->areas[nt->nareas++]);
        pop(c, m);
        pop(c, n);
    }
    if (e || (e = get_array(c, o, "networks", DRILL_MAX_NETWORKS, &a)))
        return e;
    for (size_t i = 0; a && i < json_array_size(a) && !e; i++) {
        n = push_key(c, "networks");
        size_t m = push_index(c, i);
        struct drill_network *nw = &nt->networks[nt->nnetworks];
        e = parse_network(c, json_array_get(a, i), nw);
        for (unsigned k = 0; !e && k < nt->nnetworks; k++)
            if (strcmp(nt->networks[k].name, nw->name) == 0)
                e = fail(c, "network \"%s\" is listed twice", nw->name);
        /* a network's logs are held by one nation */
        for (unsigned j = 0; !e && j < sc->nnations; j++)
            for (unsigned k = 0; !e && k < sc->nations[j].nnetworks; k++)
                if (strcmp(sc->nations[j].networks[k].name, nw->name) == 0)
                    e = fail(c, "network \"%s\" is already held by nation \"%s\"", nw->name,
                             sc->nations[j].name);
        nt->nnetworks++;
        pop(c, m);
        pop(c, n);
    }
    if (e)
        return e;
    return get_bool(c, o, "cert", &nt->cert);
}

static ald_err parse_agreement(struct ctx *c, struct drill_scenario *sc, json_t *o,
                               struct drill_agreement *ag)
{
    static const char *const keys[] = {"from", "to", "mode", "reshare", NULL};
    if (!json_is_object(o))
        return fail(c, "must be an object: {\"from\": NATION, \"to\": NATION, \"mode\": "
                       "\"pull\"|\"push\", \"reshare\": BOOL}");
    ald_err e = only_keys(c, o, keys);
    if (e || (e = get_nation_ref(c, sc, o, "from", &ag->from)) ||
        (e = get_nation_ref(c, sc, o, "to", &ag->to)))
        return e;
    if (ag->from == ag->to)
        return fail(c, "\"from\" and \"to\" are the same nation \"%s\"",
                    sc->nations[ag->from].name);
    char m[16] = "pull";
    if ((e = get_str(c, o, "mode", false, m, sizeof m, NULL)))
        return e;
    if (strcmp(m, "pull") == 0) {
        ag->mode = DRILL_PULL;
    } else if (strcmp(m, "push") == 0) {
        ag->mode = DRILL_PUSH;
    } else {
        size_t n = push_key(c, "mode");
        e = fail(c, "unknown mode \"%s\" (pull: \"to\" polls \"from\"; push: \"from\" posts "
                    "to \"to\")", m);
        pop(c, n);
        return e;
    }
    ag->reshare = false;
    return get_bool(c, o, "reshare", &ag->reshare);
}

static ald_err parse_intrusion(struct ctx *c, struct drill_scenario *sc, json_t *o,
                               struct drill_intrusion *in)
{
    static const char *const keys[] = {"name", "type", "value", "network", "hour", "hits",
                                       "known_to", "tlp", "recipients", NULL};
    if (!json_is_object(o))
        return fail(c, "must be an object with \"name\", \"type\", \"value\", \"network\", "
                       "\"hour\", \"known_to\"");
    ald_err e = only_keys(c, o, keys);
    if (e || (e = get_str(c, o, "name", true, in->name, sizeof in->name, NULL)))
        return e;
    size_t n;
    if (!name_ok(in->name)) {
        n = push_key(c, "name");
        e = fail(c, "\"%s\": 1-63 characters of A-Z a-z 0-9 . _ -", in->name);
        pop(c, n);
        return e;
    }
    char t[16];
    if ((e = get_str(c, o, "type", true, t, sizeof t, NULL)))
        return e;
    if (strcmp(t, "ipv4-addr") == 0) {
        in->type = DRILL_IOC_IPV4;
    } else if (strcmp(t, "domain-name") == 0) {
        in->type = DRILL_IOC_DOMAIN;
    } else if (strcmp(t, "url") == 0) {
        in->type = DRILL_IOC_URL;
    } else {
        n = push_key(c, "type");
        e = fail(c, "unknown indicator type \"%s\" (ipv4-addr, domain-name or url)", t);
        pop(c, n);
        return e;
    }
    if ((e = get_str(c, o, "value", true, in->value, sizeof in->value, NULL)))
        return e;
    bool ok = in->value[0] != '\0';
    for (const char *p = in->value; ok && *p; p++)
        ok = *p > ' ' && *p < 127 && *p != '\'' && *p != '"' && *p != '\\';
    if (ok && in->type == DRILL_IOC_IPV4) {
        unsigned a, b, cc, d;
        char end;
        ok = sscanf(in->value, "%u.%u.%u.%u%c", &a, &b, &cc, &d, &end) == 4 && a < 256 &&
             b < 256 && cc < 256 && d < 256;
    } else if (ok && in->type == DRILL_IOC_URL) {
        ok = strncmp(in->value, "http://", 7) == 0 && in->value[7] && strchr(in->value + 7, '/');
    } else if (ok) {
        ok = strchr(in->value, '.') && !strchr(in->value, '/');
    }
    if (!ok) {
        n = push_key(c, "value");
        e = fail(c, "\"%s\" is not a plain %s (no quotes, spaces or backslashes; URLs as "
                    "http://HOST/PATH)", in->value, t);
        pop(c, n);
        return e;
    }
    char net[DRILL_NAME_MAX];
    if ((e = get_str(c, o, "network", true, net, sizeof net, NULL)))
        return e;
    bool found = false;
    for (unsigned j = 0; j < sc->nnations && !found; j++)
        for (unsigned k = 0; k < sc->nations[j].nnetworks && !found; k++)
            if (strcmp(sc->nations[j].networks[k].name, net) == 0) {
                in->victim = j;
                in->network = k;
                found = true;
            }
    if (!found) {
        n = push_key(c, "network");
        e = fail(c, "no nation holds a network named \"%s\" (see nations[].networks)", net);
        pop(c, n);
        return e;
    }
    in->hour = -1;
    if ((e = get_num(c, o, "hour", 0, sc->hours, &in->hour)))
        return e;
    if (in->hour < 0) {
        n = push_key(c, "hour");
        e = fail(c, "missing (hours after the start when the value appears in the logs)");
        pop(c, n);
        return e;
    }
    double hits = 1;
    if ((e = get_num(c, o, "hits", 1, 1000, &hits)))
        return e;
    in->hits = (unsigned)hits;
    if ((e = get_nation_ref(c, sc, o, "known_to", &in->known_to)))
        return e;
    if (!sc->nations[in->known_to].cert) {
        n = push_key(c, "known_to");
        e = fail(c, "nation \"%s\" has no CERT (\"cert\": true) to know indicators",
                 sc->nations[in->known_to].name);
        pop(c, n);
        return e;
    }
    in->tlp = DRILL_TLP_AMBER;
    if ((e = get_tlp(c, o, "tlp", &in->tlp)))
        return e;
    json_t *a;
    if ((e = get_array(c, o, "recipients", DRILL_MAX_NATIONS, &a)))
        return e;
    for (size_t i = 0; a && i < json_array_size(a); i++) {
        json_t *r = json_array_get(a, i);
        n = push_key(c, "recipients");
        size_t m = push_index(c, i);
        int k = json_is_string(r) ? drill_nation_index(sc, json_string_value(r)) : -1;
        if (k < 0)
            e = fail(c, "must name a nation of \"nations\"");
        else
            in->recipients |= 1u << k;
        pop(c, m);
        pop(c, n);
        if (e)
            return e;
    }
    if (in->recipients && in->tlp != DRILL_TLP_RED) {
        n = push_key(c, "recipients");
        e = fail(c, "recipients only mean something at \"tlp\": \"red\"");
        pop(c, n);
    }
    return e;
}

/* "2025-01-01T00:00:00Z" */
static bool parse_start(const char *s, int64_t *out)
{
    int y, mo, d, h, mi, sec;
    char z, end;
    if (sscanf(s, "%4d-%2d-%2dT%2d:%2d:%2d%c%c", &y, &mo, &d, &h, &mi, &sec, &z, &end) != 7 ||
        z != 'Z' || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || sec > 59 ||
        y < 1971 || y > 2100)
        return false;
    struct tm tm = {.tm_year = y - 1900, .tm_mon = mo - 1, .tm_mday = d,
                    .tm_hour = h, .tm_min = mi, .tm_sec = sec};
    *out = (int64_t)timegm(&tm);
    return true;
}

ald_err drill_scenario_parse(const char *text, size_t len, struct drill_scenario *sc,
                             struct drill_err *err)
{
    static const char *const keys[] = {"name", "title", "seed", "start", "hours", "speed",
                                       "vessels", "maritime_events", "tolerance_s",
                                       "settle_s", "background_logs", "nations",
                                       "agreements", "intrusions", NULL};
    struct ctx c = {.err = err};
    if (err)
        memset(err, 0, sizeof *err);
    memset(sc, 0, sizeof *sc);
    json_error_t je;
    json_t *root = json_loadb(text, len, JSON_REJECT_DUPLICATES, &je);
    if (!root) {
        if (err) {
            err->code = ALD_E_JSON;
            err->line = je.line > 0 ? (unsigned)je.line : 0;
            err->col = je.column > 0 ? (unsigned)je.column : 0;
            snprintf(err->msg, sizeof err->msg, "not JSON: %s", je.text);
        }
        return ALD_E_JSON;
    }
    ald_err e;
    if (!json_is_object(root)) {
        e = fail(&c, "the scenario must be a JSON object");
        goto out;
    }
    if ((e = only_keys(&c, root, keys)) ||
        (e = get_str(&c, root, "name", true, sc->name, sizeof sc->name, NULL)))
        goto out;
    if (!name_ok(sc->name)) {
        size_t n = push_key(&c, "name");
        e = fail(&c, "\"%s\": 1-63 characters of A-Z a-z 0-9 . _ -", sc->name);
        pop(&c, n);
        goto out;
    }
    bool present;
    if ((e = get_str(&c, root, "title", false, sc->title, sizeof sc->title, &present)))
        goto out;
    if (!present)
        memcpy(sc->title, sc->name, strlen(sc->name) + 1);
    double seed = 1, vessels = 50, bg = 60;
    sc->hours = 40;
    sc->speed = 1800;
    sc->tolerance_s = 900;
    sc->settle_s = 10;
    sc->maritime_events = true;
    sc->start_s = 1735689600;
    if ((e = get_num(&c, root, "seed", 0, 9007199254740992.0, &seed)) ||
        (e = get_num(&c, root, "hours", 1, 1000, &sc->hours)) ||
        (e = get_num(&c, root, "speed", 1, 1e6, &sc->speed)) ||
        (e = get_num(&c, root, "vessels", 1, 100000, &vessels)) ||
        (e = get_num(&c, root, "tolerance_s", 0, 86400, &sc->tolerance_s)) ||
        (e = get_num(&c, root, "settle_s", 0, 3600, &sc->settle_s)) ||
        (e = get_num(&c, root, "background_logs", 0, 100000, &bg)) ||
        (e = get_bool(&c, root, "maritime_events", &sc->maritime_events)))
        goto out;
    if (seed != floor(seed) || vessels != floor(vessels) || bg != floor(bg)) {
        e = fail(&c, "\"seed\", \"vessels\" and \"background_logs\" must be whole numbers");
        goto out;
    }
    sc->seed = (uint64_t)seed;
    sc->vessels = (unsigned)vessels;
    sc->background_logs = (unsigned)bg;
    if (sc->maritime_events && sc->hours < 36) {
        size_t n = push_key(&c, "hours");
        e = fail(&c, "%g hours: the planted maritime events need at least 36 (or set "
                     "\"maritime_events\": false)", sc->hours);
        pop(&c, n);
        goto out;
    }
    char start[40];
    if ((e = get_str(&c, root, "start", false, start, sizeof start, &present)))
        goto out;
    if (present && !parse_start(start, &sc->start_s)) {
        size_t n = push_key(&c, "start");
        e = fail(&c, "\"%s\" is not a time like 2025-01-01T00:00:00Z", start);
        pop(&c, n);
        goto out;
    }
    json_t *a;
    if ((e = get_array(&c, root, "nations", DRILL_MAX_NATIONS, &a)))
        goto out;
    if (!a || json_array_size(a) < 2) {
        size_t n = push_key(&c, "nations");
        e = fail(&c, "a drill needs at least two nations (an array of objects)");
        pop(&c, n);
        goto out;
    }
    for (size_t i = 0; i < json_array_size(a); i++) {
        size_t n = push_key(&c, "nations");
        size_t m = push_index(&c, i);
        e = parse_nation(&c, sc, json_array_get(a, i), &sc->nations[sc->nnations]);
        pop(&c, m);
        pop(&c, n);
        if (e)
            goto out;
        sc->nnations++;
    }
    if ((e = get_array(&c, root, "agreements", DRILL_MAX_AGREEMENTS, &a)))
        goto out;
    for (size_t i = 0; a && i < json_array_size(a); i++) {
        size_t n = push_key(&c, "agreements");
        size_t m = push_index(&c, i);
        struct drill_agreement *ag = &sc->agreements[sc->nagreements];
        e = parse_agreement(&c, sc, json_array_get(a, i), ag);
        for (unsigned k = 0; !e && k < sc->nagreements; k++)
            if (sc->agreements[k].from == ag->from && sc->agreements[k].to == ag->to)
                e = fail(&c, "%s -> %s is already agreed in agreements[%u]",
                         sc->nations[ag->from].name, sc->nations[ag->to].name, k);
        pop(&c, m);
        pop(&c, n);
        if (e)
            goto out;
        sc->nagreements++;
    }
    if ((e = get_array(&c, root, "intrusions", DRILL_MAX_INTRUSIONS, &a)))
        goto out;
    for (size_t i = 0; a && i < json_array_size(a); i++) {
        size_t n = push_key(&c, "intrusions");
        size_t m = push_index(&c, i);
        struct drill_intrusion *in = &sc->intrusions[sc->nintrusions];
        e = parse_intrusion(&c, sc, json_array_get(a, i), in);
        for (unsigned k = 0; !e && k < sc->nintrusions; k++)
            if (strcmp(sc->intrusions[k].name, in->name) == 0)
                e = fail(&c, "intrusion \"%s\" is already defined", in->name);
        pop(&c, m);
        pop(&c, n);
        if (e)
            goto out;
        sc->nintrusions++;
    }
    e = ALD_E_OK;
out:
    json_decref(root);
    return e;
}
