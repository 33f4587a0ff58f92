/*
 * history.c - the stored vessel history on the live node (history.h).
 *
 * Clocks: the history is in feed time (report times), which for a replayed
 * capture is years ago; the window and the fill are measured back from the
 * newest report time the store has seen, but never from later than the
 * wall clock, so that one report from a wrong clock far in the future
 * cannot prune the whole history nor hide every vessel at start.
 *
 * Failure: a batch the store refuses (disk full, locked beyond the busy
 * timeout) is logged and counted (alidade_history_failures_total) and
 * dropped: the history is a convenience, the live picture goes on.
 */
#include "history.h"

#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "alidade/store.h"
#include "alidade/track_history.h"
#include "clock.h"

struct history {
    const struct node_env *env;
    store *st;
    pthread_t th;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    bool stop;
    struct pic_batch b;
    int64_t window_us;
    int64_t newest_us;               /* newest report time written */
    int64_t pruned_wall_us;          /* when the last prune ran */
};

static void count(history *h, const char *family, double n)
{
    if (n > 0)
        metrics_add(h->env->metrics, family, NULL, NULL, n);
}

/* The time the window is measured back from. */
static int64_t reference_us(const history *h)
{
    int64_t now = clock_wall_us();
    return h->newest_us && h->newest_us < now ? h->newest_us : now;
}

static void flush(history *h)
{
    if (!picture_history_drain(h->env->pic, &h->b)) {
        nlog_kv(h->env->log, NLOG_ERROR, "history", "out of memory draining the picture", NULL);
        return;
    }
    struct pic_batch *b = &h->b;
    count(h, "alidade_history_dropped_total", (double)b->dropped);
    if (b->dropped)
        nlog_kv(h->env->log, NLOG_WARN, "history", "kept points dropped (log full)", NULL);
    for (size_t i = 0; i < b->nlatest; i++)
        if (b->latest[i].t_us > h->newest_us)
            h->newest_us = b->latest[i].t_us;
    ald_err e = th_write(h->st, b->kept, b->nkept, b->latest, b->nlatest, b->st, b->nst);
    if (e != ALD_E_OK) {
        count(h, "alidade_history_failures_total", 1);
        nlog_kv(h->env->log, NLOG_ERROR, "history", "batch not stored", "error",
                store_errmsg(h->st), NULL);
    } else {
        count(h, "alidade_history_points_total", (double)b->nkept);
        if (b->nkept + b->nlatest + b->nst && nlog_on(h->env->log, NLOG_DEBUG)) {
            char k[24], l[24], s[24];
            snprintf(k, sizeof k, "%zu", b->nkept);
            snprintf(l, sizeof l, "%zu", b->nlatest);
            snprintf(s, sizeof s, "%zu", b->nst);
            nlog_kv(h->env->log, NLOG_DEBUG, "history", "batch stored", "kept", k, "latest", l,
                    "static", s, NULL);
        }
    }
    int64_t now = clock_wall_us();
    if (now - h->pruned_wall_us >= (int64_t)HISTORY_PRUNE_S * 1000000) {
        h->pruned_wall_us = now;
        size_t removed = 0;
        if (th_prune(h->st, reference_us(h) - h->window_us, &removed) != ALD_E_OK) {
            count(h, "alidade_history_failures_total", 1);
            nlog_kv(h->env->log, NLOG_ERROR, "history", "prune failed", "error",
                    store_errmsg(h->st), NULL);
        } else {
            count(h, "alidade_history_pruned_total", (double)removed);
        }
    }
}

static void *flusher(void *arg)
{
    history *h = arg;
    pthread_mutex_lock(&h->mu);
    while (!h->stop) {
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        ts.tv_sec += HISTORY_FLUSH_MS / 1000;
        ts.tv_nsec += (long)(HISTORY_FLUSH_MS % 1000) * 1000000L;
        if (ts.tv_nsec >= 1000000000L) {
            ts.tv_sec++;
            ts.tv_nsec -= 1000000000L;
        }
        while (!h->stop && pthread_cond_timedwait(&h->cv, &h->mu, &ts) != ETIMEDOUT)
            ;
        pthread_mutex_unlock(&h->mu);
        flush(h);
        pthread_mutex_lock(&h->mu);
    }
    pthread_mutex_unlock(&h->mu);
    flush(h);                        /* what came while the last one was writing */
    return NULL;
}

static void seed_one(void *ctx, const struct th_point *p, const struct th_static *st)
{
    history *h = ctx;
    struct pic_position pos = {.mmsi = p->mmsi, .t_us = p->t_us, .lat = p->lat, .lon = p->lon,
                               .sog = p->sog, .cog = p->cog, .heading = p->heading};
    struct pic_static ps = {.mmsi = st->mmsi, .imo = st->imo, .type = st->type};
    memcpy(ps.name, st->name, sizeof ps.name);
    memcpy(ps.callsign, st->callsign, sizeof ps.callsign);
    memcpy(ps.destination, st->destination, sizeof ps.destination);
    picture_seed(h->env->pic, &pos, &ps);
}

static void history_free(history *h)
{
    picture_batch_free(&h->b);
    store_close(h->st);
    pthread_cond_destroy(&h->cv);
    pthread_mutex_destroy(&h->mu);
    free(h);
}

ald_err history_start(const struct node_env *env, history **out, char *err, size_t errlen)
{
    *out = NULL;
    if (env->o->history_days == 0)
        return ALD_E_OK;
    history *h = calloc(1, sizeof *h);
    if (!h) {
        snprintf(err, errlen, "out of memory");
        return ALD_E_NOMEM;
    }
    h->env = env;
    h->window_us = (int64_t)env->o->history_days * 86400 * 1000000;
    pthread_mutex_init(&h->mu, NULL);
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&h->cv, &ca);
    pthread_condattr_destroy(&ca);
    char serr[256];
    if (!(h->st = store_open(env->o->data, serr, sizeof serr))) {
        snprintf(err, errlen, "%s: %s", env->o->data, serr);
        history_free(h);
        return ALD_E_IO;
    }
    metrics_describe(env->metrics, "alidade_history_points_total", "counter",
                     "downsampled track points written to the stored history");
    metrics_describe(env->metrics, "alidade_history_dropped_total", "counter",
                     "track points lost to a full history log between two flushes");
    metrics_describe(env->metrics, "alidade_history_failures_total", "counter",
                     "history batches or prunes the store refused");
    metrics_describe(env->metrics, "alidade_history_pruned_total", "counter",
                     "history rows removed as older than the window");
    /* the picture again as it was: each vessel's latest position */
    int64_t first = 0, last = 0;
    ald_err e = th_span(h->st, &first, &last);
    h->newest_us = last;
    size_t before = picture_count(env->pic);
    if (e == ALD_E_OK && last)
        e = th_latest(h->st, reference_us(h) - (int64_t)HISTORY_FILL_AGE_S * 1000000, seed_one,
                      h);
    if (e != ALD_E_OK) {
        snprintf(err, errlen, "stored history: %s", store_errmsg(h->st));
        history_free(h);
        return e;
    }
    char n[24];
    snprintf(n, sizeof n, "%zu", picture_count(env->pic) - before);
    nlog_kv(env->log, NLOG_INFO, "history", "picture filled from the stored history", "vessels",
            n, NULL);
    struct th_rule rule;
    th_rule_default(&rule);
    picture_history_on(env->pic, &rule, HISTORY_KEPT_MAX);
    h->pruned_wall_us = 0;           /* a first prune with the first flush */
    if (pthread_create(&h->th, NULL, flusher, h) != 0) {
        snprintf(err, errlen, "cannot start the history thread");
        history_free(h);
        return ALD_E_NOMEM;
    }
    *out = h;
    return ALD_E_OK;
}

void history_stop(history *h)
{
    if (!h)
        return;
    pthread_mutex_lock(&h->mu);
    h->stop = true;
    pthread_cond_signal(&h->cv);
    pthread_mutex_unlock(&h->mu);
    pthread_join(h->th, NULL);
    history_free(h);
}
