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

/* The exposition text (malloc'd, *len set), NULL when out of memory.
 * store_objects: objects in the store's default collection, or -1. */
char *metrics_text(metrics *m, int64_t now_us, long long store_objects, size_t *len);

#endif
