/*
 * web_internal.h - what the dashboard's files share (web.c: routing,
 * sessions and answers; web_api.c: the JSON endpoints and their caches of
 * the store; web_sse.c: /api/stream). Not for other parts of the node.
 */
#ifndef ALD_SRC_WEB_INTERNAL_H
#define ALD_SRC_WEB_INTERNAL_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "alidade/audit.h"
#include "alidade/store.h"
#include "node.h"
#include "web_auth.h"

typedef struct web_cache web_cache;  /* web_api.c */
typedef struct web_sse web_sse;      /* web_sse.c */

struct web {
    const struct node_env *env;
    web_sessions *sess;
    pthread_mutex_t mu;              /* st, audit, cache */
    store *st;                       /* the dashboard's own store connection */
    audit_log *audit;
    web_cache *cache;
    char *zones;                     /* the --zones GeoJSON text, or NULL */
    size_t zones_len;
    web_sse *sse;
};

/* One authenticated request, as the endpoints see it. */
struct web_call {
    web *w;
    struct MHD_Connection *conn;
    const struct web_request *rq;
    const char *path;                /* without the query */
    char user[OP_NAME_MAX + 1];
    int64_t now_us;
};

/* Answers (web.c): the security headers are added to every one. body is
 * taken (freed by libmicrohttpd or here on failure). */
enum MHD_Result web_send(struct MHD_Connection *conn, unsigned status, const char *type,
                         char *body, size_t len, const char *cache_control);
enum MHD_Result web_send_json(struct MHD_Connection *conn, unsigned status, char *json);
enum MHD_Result web_send_error(struct MHD_Connection *conn, unsigned status, const char *msg);
void web_security_headers(struct MHD_Response *r);

/* Query parameters (web.c): false with a message for a bad value; an absent
 * parameter leaves *out as it was. */
bool web_arg_time(struct MHD_Connection *conn, const char *name, int64_t *out_us);
bool web_arg_size(struct MHD_Connection *conn, const char *name, size_t lo, size_t hi,
                  size_t *out);
bool web_arg_bbox(struct MHD_Connection *conn, double box[4], bool *given);

/* Endpoints (web_api.c), after the session check. */
web_cache *web_cache_new(void);
void web_cache_free(web_cache *c);
enum MHD_Result web_api_vessels(struct web_call *c);
enum MHD_Result web_api_vessel(struct web_call *c, const char *mmsi);
enum MHD_Result web_api_events(struct web_call *c);
enum MHD_Result web_api_zones(struct web_call *c);
enum MHD_Result web_api_indicators_summary(struct web_call *c);
enum MHD_Result web_api_sightings(struct web_call *c);
enum MHD_Result web_api_sharing(struct web_call *c);
/* A live event (the JSON of an /api/events object) from the news; w->mu
 * is taken inside. */
void web_cache_live_event(web *w, const char *json);

/* Live stream (web_sse.c). */
ald_err web_sse_start(web *w, web_sse **out);
void web_sse_stop(web_sse *s);
enum MHD_Result web_sse_answer(struct web_call *c);


#endif
