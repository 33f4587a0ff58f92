/*
 * cmd_status.c - `alidade status --data DIR [--json]`: how this node's
 * federation is doing (per partner: URL, last sync, lag, objects in and
 * out, errors, the last error) and what its collections hold. Reads the
 * store only (the store_state keys "fed/<partner>/..." that the running
 * node's federation keeps, docs/federation.md), so it works whether or not
 * `alidade serve` is running.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "alidade/store.h"
#include "cmd.h"

static void usage(FILE *f)
{
    fprintf(f,
        "usage: alidade status --data DIR [--json]\n"
        "\n"
        "Partners (TAXII URL, last sync, lag, objects pulled in and pushed out,\n"
        "errors and the last one) and collections (id, title, objects) of the node\n"
        "whose data directory is DIR (docs/federation.md).\n"
        "\n"
        "  -d, --data DIR   the node's data directory (required)\n"
        "      --json       one JSON object instead of tables\n"
        "  -h, --help       this help\n");
}

/* The value of "fed/<name>/<what>" or NULL (malloc'd). */
static char *fed_state(store *st, const char *name, const char *what)
{
    char key[128], *v = NULL;
    snprintf(key, sizeof key, "fed/%s/%s", name, what);
    if (store_state_get(st, key, &v) != ALD_E_OK)
        return NULL;
    return v;
}

static json_int_t num(store *st, const char *name, const char *what)
{
    char *v = fed_state(st, name, what);
    json_int_t n = v ? (json_int_t)strtoll(v, NULL, 10) : 0;
    free(v);
    return n;
}

/* One partner as an object (the shape of /api/sharing's partners). */
static json_t *partner_json(store *st, const struct store_partner *p)
{
    json_t *o = json_object();
    char *last = fed_state(st, p->name, "last_sync");
    char *lag = fed_state(st, p->name, "lag_s");
    char *err = fed_state(st, p->name, "last_error");
    json_object_set_new(o, "name", json_string(p->name));
    json_object_set_new(o, "url", p->url[0] ? json_string(p->url) : json_null());
    json_object_set_new(o, "pull", json_string(p->pull));
    json_object_set_new(o, "push", json_string(p->push));
    json_object_set_new(o, "reshare", json_boolean(p->reshare));
    json_object_set_new(o, "last_sync", last ? json_string(last) : json_null());
    json_object_set_new(o, "lag_s", lag ? json_real(strtod(lag, NULL)) : json_null());
    json_object_set_new(o, "in", json_integer(num(st, p->name, "in")));
    json_object_set_new(o, "out", json_integer(num(st, p->name, "out")));
    json_object_set_new(o, "errors", json_integer(num(st, p->name, "errors")));
    json_object_set_new(o, "last_error", err ? json_string(err) : json_null());
    free(last);
    free(lag);
    free(err);
    return o;
}

/* A value of the table: "-" for null. */
static const char *cell(json_t *o, const char *k, char *buf, size_t cap)
{
    json_t *v = json_object_get(o, k);
    if (json_is_string(v))
        return json_string_value(v)[0] ? json_string_value(v) : "-";
    if (json_is_integer(v))
        snprintf(buf, cap, "%lld", (long long)json_integer_value(v));
    else if (json_is_real(v))
        snprintf(buf, cap, "%.1f", json_real_value(v));
    else if (json_is_boolean(v))
        snprintf(buf, cap, "%s", json_is_true(v) ? "yes" : "no");
    else
        snprintf(buf, cap, "-");
    return buf;
}

static void print_tables(json_t *all)
{
    static const char *const pk[] = {"name", "url", "last_sync", "lag_s", "in", "out",
                                     "errors", "last_error"};
    static const char *const ck[] = {"id", "title", "default", "objects"};
    printf("partners\n");
    for (size_t i = 0; i < 8; i++)
        printf("%s%s", i ? "\t" : "", pk[i]);
    printf("\n");
    size_t i;
    json_t *o;
    json_array_foreach(json_object_get(all, "partners"), i, o) {
        for (size_t k = 0; k < 8; k++) {
            char b[64];
            printf("%s%s", k ? "\t" : "", cell(o, pk[k], b, sizeof b));
        }
        printf("\n");
    }
    printf("\ncollections\n");
    for (size_t k = 0; k < 4; k++)
        printf("%s%s", k ? "\t" : "", ck[k]);
    printf("\n");
    json_array_foreach(json_object_get(all, "collections"), i, o) {
        for (size_t k = 0; k < 4; k++) {
            char b[64];
            printf("%s%s", k ? "\t" : "", cell(o, ck[k], b, sizeof b));
        }
        printf("\n");
    }
}

int cmd_status(int argc, char **argv)
{
    static const struct option lo[] = {
        {"data", required_argument, NULL, 'd'},
        {"json", no_argument, NULL, 'j'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    const char *data = NULL;
    bool as_json = false;
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "d:h", lo, NULL)) != -1) {
        switch (c) {
        case 'd': data = optarg; break;
        case 'j': as_json = true; break;
        case 'h': usage(stdout); return 0;
        default: usage(stderr); return 2;
        }
    }
    if (optind < argc) {
        fprintf(stderr, "alidade status: unexpected argument '%s'\n", argv[optind]);
        return 2;
    }
    if (!data) {
        fprintf(stderr, "alidade status: --data DIR is required\n");
        return 2;
    }
    char err[256];
    store *st = store_open(data, err, sizeof err);
    if (!st) {
        fprintf(stderr, "alidade status: %s\n", err);
        return 1;
    }
    struct store_partner *ps = NULL;
    struct store_collection *cols = NULL;
    size_t np = 0, nc = 0;
    int rc = 1;
    if (store_partners(st, &ps, &np) != ALD_E_OK ||
        store_collections(st, &cols, &nc) != ALD_E_OK) {
        fprintf(stderr, "alidade status: %s\n", store_errmsg(st));
        goto out;
    }
    json_t *all = json_object(), *pa = json_array(), *ca = json_array();
    json_object_set_new(all, "data", json_string(data));
    for (size_t i = 0; i < np; i++)
        json_array_append_new(pa, partner_json(st, &ps[i]));
    for (size_t i = 0; i < nc; i++) {
        size_t n = 0;
        if (store_count(st, cols[i].id, &n) != ALD_E_OK) {
            fprintf(stderr, "alidade status: %s\n", store_errmsg(st));
            json_decref(pa);
            json_decref(ca);
            json_decref(all);
            goto out;
        }
        json_t *o = json_object();
        json_object_set_new(o, "id", json_string(cols[i].id));
        json_object_set_new(o, "title", json_string(cols[i].title));
        json_object_set_new(o, "default", json_boolean(cols[i].is_default));
        json_object_set_new(o, "objects", json_integer((json_int_t)n));
        json_array_append_new(ca, o);
    }
    json_object_set_new(all, "partners", pa);
    json_object_set_new(all, "collections", ca);
    if (as_json) {
        char *s = json_dumps(all, JSON_COMPACT);
        if (s)
            printf("%s\n", s);
        free(s);
    } else {
        print_tables(all);
    }
    json_decref(all);
    rc = 0;
out:
    free(ps);
    free(cols);
    store_close(st);
    return rc;
}
