/*
 * dashboard.h - the node's small read-only HTML page (GET / of `alidade
 * serve`, loopback clients only): node title and identity, collections with
 * their object counts, the latest maritime events (alidade's sighting
 * extension: kind, MMSI, time, position) and the TAXII discovery URL. Plain
 * HTML with an inline style sheet: no JavaScript, no external assets; every
 * text from the store or the request is HTML-escaped. See docs/taxii.md.
 */
#ifndef ALIDADE_DASHBOARD_H
#define ALIDADE_DASHBOARD_H

#include <stddef.h>

#include "alidade/alidade.h"
#include "alidade/store.h"

#ifdef __cplusplus
extern "C" {
#endif

#define DASHBOARD_MAX_EVENTS 20      /* latest maritime events shown */
#define DASHBOARD_MAX_COLLECTIONS 100

struct dashboard_info {
    const char *title;               /* node title */
    const char *identity;            /* node STIX identity id, or NULL */
    const char *discovery_url;       /* e.g. "http://127.0.0.1:8700/taxii2/" */
};

/*
 * The page for the store as it is now: *html malloc'd (caller frees), *len
 * bytes. Counts are objects (latest version of each id) per collection,
 * every object whatever its markings: the page is the operator's view.
 * Events are the sightings carrying alidade's maritime extension, latest
 * start first, across all collections. ALD_E_NOMEM, or the store's error.
 */
ALD_API ald_err dashboard_html(store *s, const struct dashboard_info *info, char **html,
                               size_t *len);

#ifdef __cplusplus
}
#endif
#endif
