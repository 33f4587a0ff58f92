/*
 * taxii_client.h - the few TAXII 2.1 client requests federation makes
 * (src/fed_pull.c, src/fed_push.c) over libcurl: GET a page of objects, POST
 * an envelope. One client per thread (one libcurl easy handle in its own
 * multi handle: connections are kept alive between requests to the same
 * partner). A request can be cut short at once by a stop flag and
 * tc_wake (the partner was removed, the node is stopping).
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

/* How long a request may take (seconds): the connection (TCP and TLS)
 * must be up within connect_s; a transfer fails when it moves fewer than
 * TC_LOW_SPEED bytes a second for stall_s seconds in a row (a partner that
 * accepted the connection and then stalls, or dribbles a byte a second),
 * and in any case after total_s. 0 in a field: its default. */
struct tc_limits {
    long connect_s, stall_s, total_s;
};
#define TC_CONNECT_S 10
#define TC_STALL_S 30
#define TC_TOTAL_S 1800
#define TC_LOW_SPEED 100

/* NULL when libcurl cannot start. *stop, when it becomes true, aborts a
 * request in progress (status 0, error "stopped") as soon as tc_wake is
 * called (or within a second without it). lim may be NULL (defaults).
 * tc_global_init must have run first. */
tclient *tc_new(const atomic_bool *stop, const struct tc_limits *lim);
void tc_free(tclient *c);
/* libcurl's global start: once, before any thread makes a client (it is
 * not thread-safe in every libcurl). */
void tc_global_init(void);
/* Wakes the request in progress of c so that it sees its stop flag:
 * callable from any thread while c exists. */
void tc_wake(tclient *c);

/* GET url with Accept: application/taxii+json;version=2.1. */
bool tc_get(tclient *c, const char *url, const struct tc_auth *a, struct tc_response *r);
/* POST body (an envelope) with that Content-Type and Accept. */
bool tc_post(tclient *c, const char *url, const struct tc_auth *a, const char *body, size_t len,
             struct tc_response *r);
void tc_response_free(struct tc_response *r);

#endif
