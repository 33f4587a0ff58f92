/*
 * metrics.c - the counters behind `alidade serve`'s /metrics, written in the
 * Prometheus text exposition format (version 0.0.4) so that a node can be
 * watched with the tools operators already run. Only loopback clients may
 * read it (like the dashboard): counts per partner are not for partners.
 */
#include "metrics.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_PARTNERS 256     /* distinct partner labels; more are summed as "other" */
#define MAX_FAMILIES 64

/* A family described by metrics_describe (names and help are literals). */
struct family {
    const char *name, *type, *help;
};

/* One series of a described family. */
struct series {
    const char *family;
    char key[32], value[96];
    double v;
};

struct partner_count {
    char name[64];
    uint64_t requests, bytes;
};

struct metrics {
    pthread_mutex_t mu;
    int64_t start_us;
    uint64_t by_class[6];            /* 1xx .. 5xx, [0]: anything else */
    uint64_t by_status[600];
    uint64_t bytes;
    struct partner_count partners[MAX_PARTNERS + 1];   /* last: "other" */
    size_t npartners;
    struct family families[MAX_FAMILIES];
    size_t nfamilies;
    struct series *series;           /* METRICS_MAX_SERIES, allocated on first use */
    size_t nseries;
    uint64_t dropped;
};

metrics *metrics_new(int64_t start_us)
{
    metrics *m = calloc(1, sizeof *m);
    if (!m)
        return NULL;
    pthread_mutex_init(&m->mu, NULL);
    m->start_us = start_us;
    snprintf(m->partners[MAX_PARTNERS].name, sizeof m->partners[0].name, "other");
    return m;
}

void metrics_free(metrics *m)
{
    if (!m)
        return;
    pthread_mutex_destroy(&m->mu);
    free(m->series);
    free(m);
}

void metrics_request(metrics *m, int status, size_t bytes, const char *partner)
{
    pthread_mutex_lock(&m->mu);
    if (status >= 100 && status < 600) {
        m->by_status[status]++;
        m->by_class[status / 100]++;
    } else {
        m->by_class[0]++;
    }
    m->bytes += bytes;
    if (partner && partner[0]) {
        struct partner_count *pc = NULL;
        for (size_t i = 0; i < m->npartners && !pc; i++)
            if (strcmp(m->partners[i].name, partner) == 0)
                pc = &m->partners[i];
        if (!pc && m->npartners < MAX_PARTNERS) {
            pc = &m->partners[m->npartners++];
            snprintf(pc->name, sizeof pc->name, "%s", partner);
        }
        if (!pc)
            pc = &m->partners[MAX_PARTNERS];
        pc->requests++;
        pc->bytes += bytes;
    }
    pthread_mutex_unlock(&m->mu);
}

void metrics_describe(metrics *m, const char *family, const char *type, const char *help)
{
    pthread_mutex_lock(&m->mu);
    bool known = false;
    for (size_t i = 0; i < m->nfamilies && !known; i++)
        known = strcmp(m->families[i].name, family) == 0;
    if (!known && m->nfamilies < MAX_FAMILIES)
        m->families[m->nfamilies++] = (struct family){family, type, help};
    pthread_mutex_unlock(&m->mu);
}

/* The series family{key="value"}, created when missing; NULL when the table
 * is full or the family was never described (mu held). */
static struct series *series_of(metrics *m, const char *family, const char *key,
                                const char *value)
{
    const char *k = key ? key : "", *v = value ? value : "";
    for (size_t i = 0; i < m->nseries; i++) {
        struct series *s = &m->series[i];
        if (strcmp(s->family, family) == 0 && strcmp(s->key, k) == 0 && strcmp(s->value, v) == 0)
            return s;
    }
    const char *name = NULL;
    for (size_t i = 0; i < m->nfamilies && !name; i++)
        if (strcmp(m->families[i].name, family) == 0)
            name = m->families[i].name;
    if (!name)
        return NULL;
    if (!m->series && !(m->series = calloc(METRICS_MAX_SERIES, sizeof *m->series)))
        return NULL;
    if (m->nseries == METRICS_MAX_SERIES)
        return NULL;
    struct series *s = &m->series[m->nseries++];
    s->family = name;
    snprintf(s->key, sizeof s->key, "%s", k);
    snprintf(s->value, sizeof s->value, "%s", v);
    return s;
}

void metrics_add(metrics *m, const char *family, const char *key, const char *value,
                 double delta)
{
    pthread_mutex_lock(&m->mu);
    struct series *s = series_of(m, family, key, value);
    if (s)
        s->v += delta;
    else
        m->dropped++;
    pthread_mutex_unlock(&m->mu);
}

void metrics_set(metrics *m, const char *family, const char *key, const char *value, double v)
{
    pthread_mutex_lock(&m->mu);
    struct series *s = series_of(m, family, key, value);
    if (s)
        s->v = v;
    else
        m->dropped++;
    pthread_mutex_unlock(&m->mu);
}

struct text {
    char *p;
    size_t n, cap;
    bool oom;
};

static void put(struct text *t, const char *fmt, ...)
{
    for (;;) {
        va_list ap;
        va_start(ap, fmt);
        int k = t->oom ? 0 : vsnprintf(t->p + t->n, t->cap - t->n, fmt, ap);
        va_end(ap);
        if (t->oom || k < 0)
            return;
        if ((size_t)k < t->cap - t->n) {
            t->n += (size_t)k;
            return;
        }
        size_t nc = (t->cap + (size_t)k + 1) * 2;
        char *np = realloc(t->p, nc);
        if (!np) {
            t->oom = true;
            return;
        }
        t->p = np;
        t->cap = nc;
    }
}

/* A label value: backslash, double quote and newline escaped. */
static void label(struct text *t, const char *s)
{
    for (; *s; s++) {
        if (*s == '\\' || *s == '"')
            put(t, "\\%c", *s);
        else if (*s == '\n')
            put(t, "\\n");
        else
            put(t, "%c", *s);
    }
}

char *metrics_text(metrics *m, int64_t now_us, long long store_objects, size_t *len)
{
    struct text t = {.cap = 4096};
    if (!(t.p = malloc(t.cap)))
        return NULL;
    pthread_mutex_lock(&m->mu);
    put(&t, "# HELP alidade_up 1 while the node serves.\n# TYPE alidade_up gauge\nalidade_up 1\n");
    put(&t, "# HELP alidade_uptime_seconds Seconds since alidade serve started.\n"
            "# TYPE alidade_uptime_seconds gauge\nalidade_uptime_seconds %.3f\n",
        (double)(now_us - m->start_us) / 1e6);
    put(&t, "# HELP alidade_http_requests_total HTTP requests answered, by status code.\n"
            "# TYPE alidade_http_requests_total counter\n");
    for (int s = 100; s < 600; s++)
        if (m->by_status[s])
            put(&t, "alidade_http_requests_total{code=\"%d\"} %llu\n", s,
                (unsigned long long)m->by_status[s]);
    put(&t, "# HELP alidade_http_response_bytes_total Bytes of response bodies sent.\n"
            "# TYPE alidade_http_response_bytes_total counter\n"
            "alidade_http_response_bytes_total %llu\n", (unsigned long long)m->bytes);
    put(&t, "# HELP alidade_partner_requests_total Requests by authenticated partner.\n"
            "# TYPE alidade_partner_requests_total counter\n");
    for (size_t i = 0; i <= MAX_PARTNERS; i++) {
        const struct partner_count *pc = &m->partners[i];
        if (i >= m->npartners && i != MAX_PARTNERS)
            continue;
        if (!pc->requests)
            continue;
        put(&t, "alidade_partner_requests_total{partner=\"");
        label(&t, pc->name);
        put(&t, "\"} %llu\n", (unsigned long long)pc->requests);
    }
    put(&t, "# HELP alidade_partner_response_bytes_total Bytes sent to each partner "
            "(objects shared, envelopes, manifests).\n"
            "# TYPE alidade_partner_response_bytes_total counter\n");
    for (size_t i = 0; i <= MAX_PARTNERS; i++) {
        const struct partner_count *pc = &m->partners[i];
        if ((i >= m->npartners && i != MAX_PARTNERS) || !pc->requests)
            continue;
        put(&t, "alidade_partner_response_bytes_total{partner=\"");
        label(&t, pc->name);
        put(&t, "\"} %llu\n", (unsigned long long)pc->bytes);
    }
    for (size_t f = 0; f < m->nfamilies; f++) {
        const struct family *fam = &m->families[f];
        put(&t, "# HELP %s %s\n# TYPE %s %s\n", fam->name, fam->help, fam->name, fam->type);
        for (size_t i = 0; i < m->nseries; i++) {
            const struct series *s = &m->series[i];
            if (s->family != fam->name)
                continue;
            put(&t, "%s", fam->name);
            if (s->key[0]) {
                put(&t, "{%s=\"", s->key);
                label(&t, s->value);
                put(&t, "\"}");
            }
            put(&t, " %.17g\n", s->v);
        }
    }
    if (m->dropped)
        put(&t, "# HELP alidade_metrics_dropped_total Updates of series past the table's size.\n"
                "# TYPE alidade_metrics_dropped_total counter\n"
                "alidade_metrics_dropped_total %llu\n", (unsigned long long)m->dropped);
    pthread_mutex_unlock(&m->mu);
    if (store_objects >= 0)
        put(&t, "# HELP alidade_store_objects Objects in the default collection.\n"
                "# TYPE alidade_store_objects gauge\nalidade_store_objects %lld\n",
            store_objects);
    if (t.oom) {
        free(t.p);
        return NULL;
    }
    *len = t.n;
    return t.p;
}
