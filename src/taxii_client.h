/*
 * taxii_client.h - the few TAXII 2.1 client requests federation makes
 * (src/fed_pull.c, src/fed_push.c) over libcurl: GET a page of objects, POST
 * an envelope. One client per thread (one libcurl easy handle: connections
 * are kept alive between requests to the same partner). A request can be
 * cut short by a stop flag (the node is stopping).
 */
#ifndef ALD_SRC_TAXII_CLIENT_H
#define ALD_SRC_TAXII_CLIENT_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>

typedef struct tclient tclient;

/* How we present ourselves to one partner: HTTP Basic (user, token) when
 * user is non-empty, else "Authorization: Bearer token" (no header without
 * a token); a client certificate when cert is non-empty; its server
 * certificate checked against ca (PEM file) or, when empty, the system's
 * CA store. */
struct tc_auth {
    const char *user;
    const char *token;
    const char *ca, *cert, *key;
};

/* One answer. body is NUL-terminated (malloc'd; tc_response_free). */
struct tc_response {
    long status;                     /* HTTP status; 0 when no answer came */
    char *body;
    size_t len;
    char date_added_last[40];        /* X-TAXII-Date-Added-Last, "" when absent */
    char error[256];                 /* why there was no answer (status 0) */
};

/* NULL when libcurl cannot start. *stop, when it becomes true, aborts a
 * request in progress (status 0, error "stopped"). */
tclient *tc_new(const atomic_bool *stop);
void tc_free(tclient *c);

/* GET url with Accept: application/taxii+json;version=2.1. */
bool tc_get(tclient *c, const char *url, const struct tc_auth *a, struct tc_response *r);
/* POST body (an envelope) with that Content-Type and Accept. */
bool tc_post(tclient *c, const char *url, const struct tc_auth *a, const char *body, size_t len,
             struct tc_response *r);
void tc_response_free(struct tc_response *r);

#endif
