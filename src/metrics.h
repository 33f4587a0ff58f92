/*
 * metrics.h - what `alidade serve` counts for /metrics (Prometheus text
 * exposition format) and /healthz: requests by status, bytes out, and per
 * partner requests and bytes, since the server started. Thread-safe.
 */
#ifndef ALD_SRC_METRICS_H
#define ALD_SRC_METRICS_H

#include <stddef.h>
#include <stdint.h>

typedef struct metrics metrics;

metrics *metrics_new(int64_t start_us);
void metrics_free(metrics *m);

/* One answered request: HTTP status, body bytes, the authenticated partner
 * ("" or NULL: nobody). */
void metrics_request(metrics *m, int status, size_t bytes, const char *partner);

/* Counters and gauges of the node's other parts (live ingest, federation,
 * dashboard): one series per (family, one label). The family must have been
 * described once (type "counter" or "gauge", help text: a literal). Up to
 * METRICS_MAX_SERIES series; past that, updates of new series are dropped
 * (and counted in alidade_metrics_dropped_total). */
#define METRICS_MAX_SERIES 1024
void metrics_describe(metrics *m, const char *family, const char *type, const char *help);
/* family{key="value"} += delta (key NULL: no label). */
void metrics_add(metrics *m, const char *family, const char *key, const char *value,
                 double delta);
/* family{key="value"} = v. */
void metrics_set(metrics *m, const char *family, const char *key, const char *value, double v);

/* The exposition text (malloc'd, *len set), NULL when out of memory.
 * store_objects: objects in the store's default collection, or -1. */
char *metrics_text(metrics *m, int64_t now_us, long long store_objects, size_t *len);

#endif
