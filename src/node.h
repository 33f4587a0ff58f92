/*
 * node.h - what `alidade serve` runs beside the TAXII handler, and where the
 * parts meet. cmd_serve.c owns the HTTP listener, the options and the
 * signals; each part below owns its threads and its own store
 * connection(s) (SQLite WAL: several connections, one writer at a time):
 *
 *   ingest.c   live maritime and cyber ingest: NMEA feeds (TCP client,
 *              UDP listener, followed files) through the tracker and the
 *              detectors, followed EVE/Zeek logs through the matcher; the
 *              detections and sightings stored as STIX, their feed
 *              positions committed with them (docs/node.md)
 *   fed.c      federation: pulls from and pushes to partners' TAXII
 *              servers with cursors kept in the store (docs/federation.md)
 *   picture.c  the live maritime picture: latest position and short track
 *              of every vessel, static data, and a ring of recent news
 *              (positions, events, sightings, sync) for live pages
 *   web.c      the dashboard: the embedded page, /api/ and /api/stream
 *              (docs/api.md)
 *
 * Start order: picture, web, ingest, fed; stop in reverse. A part that was
 * given nothing to do (no --source, no partner with a URL) starts no thread.
 */
#ifndef ALD_SRC_NODE_H
#define ALD_SRC_NODE_H

#include <stdbool.h>
#include <stddef.h>

#include <microhttpd.h>

#include "alidade/error.h"
#include "config.h"
#include "metrics.h"
#include "nlog.h"
#include "picture.h"

/* What every part is given. All pointers outlive the parts. */
struct node_env {
    const struct serve_settings *o;  /* o->data is the data directory */
    nlog *log;
    metrics *metrics;
    picture *pic;
    bool https;                      /* the listener speaks TLS (cookies get Secure) */
};

/* ---- live ingest (ingest.c) ---- */
typedef struct ingest ingest;
/* Starts a reader per o->sources[i] (SPEC syntax in ingest.c and
 * docs/node.md); ALD_E_ARG with the reason in err for a bad SPEC
 * (serve then exits 2). */
ald_err ingest_start(const struct node_env *env, ingest **out, char *err, size_t errlen);
/* Stops the readers, flushes and commits what was read. NULL is fine. */
void ingest_stop(ingest *in);

/* ---- federation (fed.c) ---- */
typedef struct fed fed;
ald_err fed_start(const struct node_env *env, fed **out, char *err, size_t errlen);
void fed_stop(fed *f);

/* ---- dashboard (web.c) ---- */
typedef struct web web;
ald_err web_new(const struct node_env *env, web **out, char *err, size_t errlen);
void web_free(web *w);

/* One request as cmd_serve.c received it (the whole body is in). */
struct web_request {
    const char *method, *url;
    const char *host;                /* Host header or the local address */
    const char *body;                /* may be NULL */
    size_t body_len;
    bool loopback;                   /* the client is on this machine */
};
/* true when the dashboard answers this request (it then queued the response
 * on conn and put the result in *ret); false: not the dashboard's path. */
bool web_answer(web *w, struct MHD_Connection *conn, const struct web_request *rq,
                enum MHD_Result *ret);

#endif
