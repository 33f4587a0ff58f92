/*
 * fed.c - federation of `alidade serve` (node.h, docs/federation.md): one
 * thread with its own store connection and HTTP client that keeps this
 * node in sync with every partner that has a TAXII URL.
 *
 * When: pushes as soon as something new is in the store (the store's
 * latest date_added is read every FED_POLL_MS: one row, cheap), so an
 * object reaches a partner within a fraction of a second; pulls every
 * --sync-interval seconds; a partner whose push or pull failed is retried
 * after 1, 2, 4 ... 60 s. Partners are read from the store every round:
 * `alidade partner add|set|remove` takes effect without a restart (a
 * removed partner is neither pulled from nor pushed to any more).
 * fed_stop wakes the thread and aborts a request in progress.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "clock.h"
#include "fed_int.h"

/* How often the store is asked whether something new came. */
#define FED_POLL_MS 100

static void describe_metrics(metrics *m)
{
    metrics_describe(m, "alidade_fed_objects_in_total", "counter",
                     "Objects pulled from a partner and stored");
    metrics_describe(m, "alidade_fed_objects_out_total", "counter",
                     "Objects a partner accepted from our pushes");
    metrics_describe(m, "alidade_fed_errors_total", "counter",
                     "Failed sync requests and refused or invalid objects, per partner");
    metrics_describe(m, "alidade_fed_errors_by_reason_total", "counter",
                     "Federation errors by reason (network, http, auth, protocol, store, "
                     "invalid, rejected)");
    metrics_describe(m, "alidade_fed_lag_seconds", "gauge",
                     "Age of the oldest object not yet accepted by the partner, or how far "
                     "our pull cursor is behind, after the last round");
}

/* Waits up to ms milliseconds or until fed_stop. */
static void nap(struct fed *f, int ms)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    ts.tv_nsec += (long)ms * 1000000L;
    ts.tv_sec += ts.tv_nsec / 1000000000L;
    ts.tv_nsec %= 1000000000L;
    pthread_mutex_lock(&f->mu);
    if (!atomic_load(&f->stop))
        pthread_cond_timedwait(&f->cv, &f->mu, &ts);
    pthread_mutex_unlock(&f->mu);
}

static int64_t backoff_next(int64_t cur)
{
    if (cur < FED_BACKOFF_MIN_US)
        return FED_BACKOFF_MIN_US;
    return cur * 2 > FED_BACKOFF_MAX_US ? FED_BACKOFF_MAX_US : cur * 2;
}

/* One round with one partner: pull when due, push when asked. */
static void sync_partner(struct fed *f, const struct store_partner *sp,
                         const struct share_config *cfg, bool pull_due, bool push_due)
{
    struct fed_peer *p = fed_peer(f, sp->name);
    if (!p)
        return;
    fed_peer_load(f, p);
    int64_t now = clock_wall_us();
    bool did = false, ok = true;
    double lag = 0, push_lag = 0;
    if (sp->pull[0] && (pull_due || (p->pull_retry_at && now >= p->pull_retry_at))) {
        did = true;
        if (fed_pull(f, sp, p)) {
            p->pull_retry_at = p->pull_backoff = 0;
        } else {
            ok = false;
            p->pull_backoff = backoff_next(p->pull_backoff);
            p->pull_retry_at = now + p->pull_backoff;
        }
    }
    bool wait = p->push_retry_at && now < p->push_retry_at;
    if (sp->push[0] && !wait && (push_due || p->push_retry_at)) {
        did = true;
        if (fed_push(f, sp, p, cfg, &push_lag)) {
            p->push_retry_at = p->push_backoff = 0;
        } else {
            ok = false;
            p->push_backoff = backoff_next(p->push_backoff);
            p->push_retry_at = clock_wall_us() + p->push_backoff;
        }
    }
    if (!did || atomic_load(&f->stop))
        return;
    if (ok) {
        fed_done(f, p, sp, lag);
    } else {
        /* how far behind: the oldest object not accepted, or since the
         * last good round */
        lag = push_lag;
        p->lag_s = lag;
        metrics_set(f->env->metrics, "alidade_fed_lag_seconds", "partner", p->name, lag);
        p->contacted = false;
        fed_peer_save_alone(f, p);
        if (p->changed) {
            char *j = fed_peer_json(p, sp);
            if (j && f->env->pic)
                picture_news(f->env->pic, "sync", j);
            free(j);
            p->changed = false;
        }
    }
}

static void *run(void *arg)
{
    struct fed *f = arg;
    int64_t seen = -1, next_pull = 0;
    const int64_t interval = (int64_t)(f->env->o->sync_interval ? f->env->o->sync_interval : 30) *
                             1000000;
    while (!atomic_load(&f->stop)) {
        int64_t now = clock_wall_us(), last = 0;
        struct store_partner *ps = NULL;
        size_t np = 0;
        if (store_last_added(f->st, &last) != ALD_E_OK ||
            store_partners(f->st, &ps, &np) != ALD_E_OK) {
            nlog_kv(f->env->log, NLOG_ERROR, "fed", "store", "error", store_errmsg(f->st), NULL);
            nap(f, 1000);
            continue;
        }
        struct share_group *groups = NULL;
        size_t ng = 0;
        if (share_known_groups(ps, np, &groups, &ng) != ALD_E_OK) {
            free(ps);
            nap(f, 1000);
            continue;
        }
        struct share_config cfg = {.default_tlp = f->env->o->default_tlp, .groups = groups,
                                   .ngroups = ng};
        bool pull_due = now >= next_pull;
        bool push_due = last != seen;
        seen = last;
        for (size_t i = 0; i < np && !atomic_load(&f->stop); i++)
            if (ps[i].url[0])
                /* a push also every pull interval: a partner added or
                 * changed while nothing new comes still gets what it may */
                sync_partner(f, &ps[i], &cfg, pull_due, push_due || pull_due);
        if (pull_due)
            next_pull = now + interval;
        free(groups);
        free(ps);
        nap(f, FED_POLL_MS);
    }
    return NULL;
}

ald_err fed_start(const struct node_env *env, fed **out, char *err, size_t errlen)
{
    *out = NULL;
    struct fed *f = calloc(1, sizeof *f);
    if (!f) {
        snprintf(err, errlen, "out of memory");
        return ALD_E_NOMEM;
    }
    f->env = env;
    atomic_init(&f->stop, false);
    f->pull_page = FED_PULL_PAGE;
    /* tests make pages small to stop a node in the middle of a pull or push */
    const char *pg = getenv("ALD_FED_PAGE");
    if (pg && atoi(pg) > 0)
        f->pull_page = (size_t)atoi(pg);
    f->push_batch = FED_PUSH_BATCH;
    const char *pb = getenv("ALD_FED_BATCH");
    if (pb && atoi(pb) > 0)
        f->push_batch = (size_t)atoi(pb);
    char serr[256];
    f->st = store_open(env->o->data, serr, sizeof serr);
    if (!f->st) {
        snprintf(err, errlen, "%s", serr);
        free(f);
        return ALD_E_STORE;
    }
    f->http = tc_new(&f->stop);
    if (!f->http) {
        snprintf(err, errlen, "libcurl cannot start");
        store_close(f->st);
        free(f);
        return ALD_E_NOMEM;
    }
    pthread_mutex_init(&f->mu, NULL);
    pthread_cond_init(&f->cv, NULL);
    describe_metrics(env->metrics);
    if (pthread_create(&f->thread, NULL, run, f) != 0) {
        snprintf(err, errlen, "cannot start the federation thread");
        fed_stop(f);
        return ALD_E_NOMEM;
    }
    f->running = true;
    *out = f;
    return ALD_E_OK;
}

void fed_stop(fed *f)
{
    if (!f)
        return;
    pthread_mutex_lock(&f->mu);
    atomic_store(&f->stop, true);
    pthread_cond_broadcast(&f->cv);
    pthread_mutex_unlock(&f->mu);
    if (f->running)
        pthread_join(f->thread, NULL);
    pthread_cond_destroy(&f->cv);
    pthread_mutex_destroy(&f->mu);
    tc_free(f->http);
    store_close(f->st);
    free(f->peers);
    free(f);
}
