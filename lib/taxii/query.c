/*
 * query.c - TAXII 2.1 URL parameters (section 3.4 paging, 3.5 filtering)
 * into a store_filter: added_after (a timestamp), limit (positive integer,
 * capped at the server's page size, which is also the default), next (the
 * store's cursor), match[id], match[type], match[version] (first, last, all
 * or timestamps) and match[spec_version], each a comma-separated list and
 * repeatable. Keys and values are percent-decoded. Unknown parameters are
 * ignored, as the specification lets servers do.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "taxii/internal.h"

static int hexval(char ch)
{
    if (ch >= '0' && ch <= '9')
        return ch - '0';
    if (ch >= 'a' && ch <= 'f')
        return ch - 'a' + 10;
    if (ch >= 'A' && ch <= 'F')
        return ch - 'A' + 10;
    return -1;
}

/* Percent-decodes s in place; false on a bad escape or an encoded NUL. */
static bool pct_decode(char *s)
{
    char *o = s;
    for (; *s; s++) {
        if (*s != '%') {
            *o++ = *s;
            continue;
        }
        int h = hexval(s[1]), l = h < 0 ? -1 : hexval(s[2]);
        if (h < 0 || l < 0 || (h == 0 && l == 0))
            return false;
        *o++ = (char)(h * 16 + l);
        s += 2;
    }
    *o = '\0';
    return true;
}

/* Adds the comma-separated values of v to arr[*n]; false when empty values
 * or too many. */
static bool add_values(char *v, const char **arr, size_t *n)
{
    for (char *s = v;;) {
        char *e = strchr(s, ',');
        if (e)
            *e = '\0';
        if (!*s || *n == TAXII_MAX_VALUES)
            return false;
        arr[(*n)++] = s;
        if (!e)
            return true;
        s = e + 1;
    }
}

static bool version_value_ok(const char *v)
{
    int64_t us;
    return strcmp(v, "first") == 0 || strcmp(v, "last") == 0 || strcmp(v, "all") == 0 ||
           stix_time_parse(v, strlen(v), &us);
}

static bool bad(struct taxii_ctx *c, const char *what)
{
    char d[160];
    snprintf(d, sizeof d, "The URL parameter %s is not valid.", what);
    taxii_error(c, 400, "Bad request", d);
    return false;
}

/* One key=value pair, both decoded. */
static bool apply(struct taxii_ctx *c, struct taxii_query *q, char *k, char *v, bool id_type)
{
    struct store_filter *f = &q->f;
    if (strcmp(k, "added_after") == 0) {
        q->any = true;
        return stix_time_parse(v, strlen(v), &f->added_after) || bad(c, "added_after");
    }
    if (strcmp(k, "limit") == 0) {
        q->any = true;
        char *end;
        unsigned long long n = strtoull(v, &end, 10);
        if (!*v || *end || *v == '-' || *v == '+' || n == 0)
            return bad(c, "limit");
        f->limit = n < c->t->cfg.max_page ? (size_t)n : c->t->cfg.max_page;
        return true;
    }
    if (strcmp(k, "next") == 0) {
        q->any = true;
        if (!*v)
            return bad(c, "next");
        f->next = v;
        return true;
    }
    if (strcmp(k, "match[version]") == 0) {
        q->any = true;
        size_t from = f->nversions;
        if (!add_values(v, q->versions, &f->nversions))
            return bad(c, "match[version]");
        for (size_t i = from; i < f->nversions; i++)
            if (!version_value_ok(q->versions[i]))
                return bad(c, "match[version]");
        f->versions = q->versions;
        return true;
    }
    if (strcmp(k, "match[spec_version]") == 0) {
        q->any = true;
        f->spec_versions = q->specs;
        return add_values(v, q->specs, &f->nspec) || bad(c, "match[spec_version]");
    }
    if (id_type && strcmp(k, "match[id]") == 0) {
        q->any = true;
        f->ids = q->ids;
        return add_values(v, q->ids, &f->nids) || bad(c, "match[id]");
    }
    if (id_type && strcmp(k, "match[type]") == 0) {
        q->any = true;
        f->types = q->types;
        return add_values(v, q->types, &f->ntypes) || bad(c, "match[type]");
    }
    return true;
}

bool taxii_query_parse(struct taxii_ctx *c, struct taxii_query *q, bool allow_id_type)
{
    memset(q, 0, sizeof *q);
    q->f.added_after = INT64_MIN;
    q->f.limit = c->t->cfg.max_page;
    const char *qs = c->rq->query;
    if (!qs || !*qs)
        return true;
    if (strlen(qs) > 16384)
        return bad(c, "string (longer than 16384 bytes)");
    q->mem = strdup(qs);
    if (!q->mem) {
        taxii_error(c, 500, "Out of memory", NULL);
        return false;
    }
    for (char *s = q->mem;;) {
        char *e = strchr(s, '&');
        if (e)
            *e = '\0';
        if (*s) {
            char *eq = strchr(s, '=');
            char *v = eq ? eq + 1 : s + strlen(s);
            if (eq)
                *eq = '\0';
            if (!pct_decode(s) || !pct_decode(v))
                return bad(c, "encoding");
            if (!apply(c, q, s, v, allow_id_type))
                return false;
        }
        if (!e)
            return true;
        s = e + 1;
    }
}

void taxii_query_free(struct taxii_query *q)
{
    free(q->mem);
    q->mem = NULL;
}
