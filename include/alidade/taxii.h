/*
 * taxii.h - the TAXII 2.1 server's request handler, independent of the HTTP
 * library: a request (method, path, query, headers, body) goes in, a
 * response (status, media type, headers, body) comes out. `alidade serve`
 * (src/cmd_serve.c) puts it behind libmicrohttpd; tests and the fuzzer call
 * it directly.
 *
 * Endpoints (TAXII 2.1, OASIS Committee Specification 01, section 4-5):
 *   GET  /taxii2/                                        discovery
 *   GET  /{api-root}/                                    API root information
 *   GET  /{api-root}/status/{status-id}/                 status
 *   GET  /{api-root}/collections/                        collections
 *   GET  /{api-root}/collections/{id}/                   one collection
 *   GET  /{api-root}/collections/{id}/manifest/          manifest
 *   GET  /{api-root}/collections/{id}/objects/           objects (filters, paging)
 *   POST /{api-root}/collections/{id}/objects/           add an envelope -> status
 *   GET  /{api-root}/collections/{id}/objects/{oid}/     one object
 *   DELETE /{api-root}/collections/{id}/objects/{oid}/   delete it
 *   GET  /{api-root}/collections/{id}/objects/{oid}/versions/  its versions
 * with the TAXII media type application/taxii+json;version=2.1 on every
 * response, envelopes included (TAXII 2.1 section 1.6.8; STIX_MEDIA is only
 * what collections list in media_types and manifests in media_type), 406/415 content
 * negotiation, X-TAXII-Date-Added-First/Last, TAXII error messages, request
 * size limits, authentication (Basic user = partner name, password = token;
 * Bearer token; client certificate fingerprint from the TLS layer) and the
 * share.h policy on every object. See docs/taxii.md.
 */
#ifndef ALIDADE_TAXII_H
#define ALIDADE_TAXII_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "alidade/alidade.h"
#include "alidade/share.h"
#include "alidade/store.h"

#ifdef __cplusplus
extern "C" {
#endif

#define TAXII_MEDIA "application/taxii+json;version=2.1"
#define STIX_MEDIA "application/stix+json;version=2.1"

struct taxii_config {
    const char *title;               /* discovery title ("alidade node") */
    const char *api_root;            /* the one API root's path segment ("api") */
    size_t max_body;                 /* request body limit in bytes (16 MiB) */
    size_t max_page;                 /* largest page served (1000); limit is capped to it */
    struct share_config share;
};

struct taxii_request {
    const char *method;              /* "GET", "POST", "DELETE", ... */
    const char *path;                /* URL path, percent-decoded, e.g. "/api/collections/" */
    const char *query;               /* raw query string after '?', or NULL */
    const char *host;                /* Host header: discovery URLs use it */
    bool https;                      /* the scheme of discovery URLs */
    const char *accept;              /* headers, NULL when absent */
    const char *content_type;
    const char *authorization;
    const char *client_cert_fp;      /* hex SHA-256 of the TLS client certificate, or NULL */
    const char *body;
    size_t body_len;
};

struct taxii_response {
    int status;                      /* HTTP status */
    const char *content_type;        /* TAXII_MEDIA, STIX_MEDIA or NULL (no body) */
    char *body;                      /* malloc'd, freed by taxii_response_free */
    size_t body_len;
    char date_added_first[40];       /* X-TAXII-Date-Added-First, "" = none */
    char date_added_last[40];
    bool www_authenticate;           /* 401: add WWW-Authenticate: Basic realm="alidade" */
    char allow[32];                  /* 405: the Allow header ("GET, POST"), "" = none */
    char partner[64];                /* who was authenticated ("" = nobody): for logs */
};

typedef struct taxii_server taxii_server;

/* The handler over an open store (borrowed). NULL when out of memory. */
ALD_API taxii_server *taxii_new(store *s, const struct taxii_config *cfg);
ALD_API void taxii_free(taxii_server *t);
/* Handles one request at time now_us. Never fails: errors are responses.
 * One taxii_server (and its store connection) serves one thread at a time;
 * `alidade serve` makes one per worker thread. */
ALD_API void taxii_handle(taxii_server *t, const struct taxii_request *rq, int64_t now_us,
                          struct taxii_response *rs);
ALD_API void taxii_response_free(struct taxii_response *rs);

#ifdef __cplusplus
}
#endif
#endif
