/*
 * fed_int.h - what the files of federation share (docs/federation.md):
 *   fed.c       the threads: one manager that watches the store and the
 *               partner list, and one worker per partner with a TAXII URL
 *               (its own store connection, HTTP client, timers, backoff),
 *               so a slow or stalled partner costs its own worker only
 *   fed_pull.c  one pull: pages of a partner's collection into our store
 *   fed_push.c  one push: our new objects the policy allows, posted to a
 *               partner, the cursor moved only when it accepted them
 *   fed_state.c per-partner counters, lag, errors: the store_state keys
 *               "fed/<partner>/..." that `alidade status` and the dashboard
 *               read, metrics, logs and "sync" news
 */
#ifndef ALD_SRC_FED_INT_H
#define ALD_SRC_FED_INT_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "alidade/share.h"
#include "alidade/store.h"
#include "node.h"
#include "taxii_client.h"

/* Objects per page asked for when pulling, and per POST when pushing. */
#define FED_PULL_PAGE 500
#define FED_PUSH_BATCH 500
/* Bytes of objects per POST (the partner's max_body is 16 MiB by default). */
#define FED_PUSH_BYTES ((size_t)8 << 20)
/* Retry delays after a failed push or pull: 1 s doubling up to 60 s. */
#define FED_BACKOFF_MIN_US 1000000
#define FED_BACKOFF_MAX_US 60000000

/* What one partner's sync has done, as kept in the store and shown. */
struct fed_peer {
    char name[64];
    bool loaded;                     /* counters read from the store */
    uint64_t in, out, errors;
    double lag_s;
    char last_error[256];
    char last_sync[40];              /* ISO 8601 UTC, "" = never */
    /* retries (not kept: a restart tries at once) */
    int64_t push_retry_at, pull_retry_at;   /* 0: no failure pending */
    int64_t push_backoff, pull_backoff;
    bool changed;                    /* this round did something worth news */
    bool contacted;                  /* this round had an answer from the partner */
};

struct fed_view;                     /* the partners as last read (fed.c) */

/* One partner's worker (fed.c). Everything in it but the fields marked
 * "shared" belongs to the worker thread alone; the manager thread only
 * creates it before the thread starts and frees it after the join. */
struct fed_worker {
    const struct node_env *env;
    store *st;                       /* this worker's own connection */
    tclient *http;                   /* this worker's own client */
    atomic_bool stop;                /* shared: set by the manager (remove, fed_stop) */
    pthread_t thread;
    pthread_mutex_t mu;              /* guards kicks; cv waits on it */
    pthread_cond_t cv;
    uint64_t kicks;                  /* shared (mu): bumped when the store has news */
    struct fed_view *view;           /* shared (mu): the latest partners, held */
    struct fed_peer peer;            /* the partner's counters; peer.name is the partner */
    unsigned sync_interval;          /* seconds between pulls */
    size_t pull_page;                /* ALD_FED_PAGE overrides FED_PULL_PAGE (tests) */
    size_t push_batch;               /* ALD_FED_BATCH overrides FED_PUSH_BATCH (tests) */
    char err[256];
    struct fed_worker *next;         /* the manager's list */
};

/* Reads the kept counters of p once. */
void fed_peer_load(struct fed_worker *w, struct fed_peer *p);
/* The counters as store_state rows: call inside the transaction that moved
 * a cursor, so counts and cursors agree after a crash. */
ald_err fed_peer_save(struct fed_worker *w, const struct fed_peer *p);
/* The same in a transaction of its own (logged when it fails). */
void fed_peer_save_alone(struct fed_worker *w, const struct fed_peer *p);
/* A failure: counted (errors, metrics by reason), last_error set, logged,
 * saved in its own transaction. */
void fed_fail(struct fed_worker *w, struct fed_peer *p, const char *reason, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* A round that succeeded: last_sync (when the partner answered at all:
 * a round with nothing to send asks nothing), lag, saved; "sync" news when
 * it changed something. */
void fed_done(struct fed_worker *w, struct fed_peer *p, const struct store_partner *sp, double lag_s);
/* The partner object of /api/sharing for p (malloc'd JSON). */
char *fed_peer_json(const struct fed_peer *p, const struct store_partner *sp);

/* One partner's pull of every --pull collection: true when each one was
 * read to its end. */
bool fed_pull(struct fed_worker *w, const struct store_partner *sp, struct fed_peer *p);
/* One partner's push: true when nothing is left to send (or the partner
 * has no --push). *lag_s: age of the oldest object not yet accepted. */
bool fed_push(struct fed_worker *w, const struct store_partner *sp, struct fed_peer *p,
              const struct share_config *cfg, double *lag_s);

/* The auth of a partner (fed_pull.c). */
struct tc_auth fed_auth(const struct store_partner *sp);

#endif
