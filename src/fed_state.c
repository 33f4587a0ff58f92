/*
 * fed_state.c - what federation tells about each partner (fed_int.h): the
 * counters and times kept as store_state "fed/<partner>/in|out|errors|
 * last_error|last_sync|lag_s" (read by `alidade status` and the dashboard),
 * the /metrics series, the log lines and the "sync" news of the live pages.
 * Counters are written in the transaction that moved a cursor, so after a
 * crash they agree with what was stored or accepted. Each partner's record
 * belongs to its worker (fed.c): these run on that worker's thread with its
 * own store connection; metrics, logs and news lock for themselves.
 */
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "clock.h"
#include "fed_int.h"

/* "fed/<name>/<what>" into key. */
static void key_of(char key[128], const char *name, const char *what)
{
    snprintf(key, 128, "fed/%s/%s", name, what);
}

static uint64_t state_u64(store *st, const char *name, const char *what)
{
    char key[128], *v = NULL;
    key_of(key, name, what);
    uint64_t n = 0;
    if (store_state_get(st, key, &v) == ALD_E_OK)
        n = strtoull(v, NULL, 10);
    free(v);
    return n;
}

static void state_text(store *st, const char *name, const char *what, char *out, size_t cap)
{
    char key[128], *v = NULL;
    key_of(key, name, what);
    out[0] = 0;
    if (store_state_get(st, key, &v) == ALD_E_OK)
        snprintf(out, cap, "%s", v);
    free(v);
}

void fed_peer_load(struct fed_worker *w, struct fed_peer *p)
{
    if (p->loaded)
        return;
    p->in = state_u64(w->st, p->name, "in");
    p->out = state_u64(w->st, p->name, "out");
    p->errors = state_u64(w->st, p->name, "errors");
    state_text(w->st, p->name, "last_error", p->last_error, sizeof p->last_error);
    state_text(w->st, p->name, "last_sync", p->last_sync, sizeof p->last_sync);
    char lag[32];
    state_text(w->st, p->name, "lag_s", lag, sizeof lag);
    p->lag_s = lag[0] ? strtod(lag, NULL) : 0;
    p->loaded = true;
}

ald_err fed_peer_save(struct fed_worker *w, const struct fed_peer *p)
{
    char key[128], v[64];
    ald_err e;
    key_of(key, p->name, "in");
    snprintf(v, sizeof v, "%" PRIu64, p->in);
    if ((e = store_state_put(w->st, key, v)) != ALD_E_OK)
        return e;
    key_of(key, p->name, "out");
    snprintf(v, sizeof v, "%" PRIu64, p->out);
    if ((e = store_state_put(w->st, key, v)) != ALD_E_OK)
        return e;
    key_of(key, p->name, "errors");
    snprintf(v, sizeof v, "%" PRIu64, p->errors);
    if ((e = store_state_put(w->st, key, v)) != ALD_E_OK)
        return e;
    key_of(key, p->name, "lag_s");
    snprintf(v, sizeof v, "%.3f", p->lag_s);
    if ((e = store_state_put(w->st, key, v)) != ALD_E_OK)
        return e;
    if (p->last_sync[0]) {
        key_of(key, p->name, "last_sync");
        if ((e = store_state_put(w->st, key, p->last_sync)) != ALD_E_OK)
            return e;
    }
    key_of(key, p->name, "last_error");
    return p->last_error[0] ? store_state_put(w->st, key, p->last_error) : ALD_E_OK;
}

/* Saves p in a transaction of its own (no cursor moved with it). */
void fed_peer_save_alone(struct fed_worker *w, const struct fed_peer *p)
{
    ald_err e = store_begin(w->st);
    if (e == ALD_E_OK)
        e = fed_peer_save(w, p);
    if (e == ALD_E_OK)
        e = store_commit(w->st);
    if (e != ALD_E_OK) {
        nlog_kv(w->env->log, NLOG_ERROR, "fed", "cannot save sync state", "partner", p->name,
                "error", store_errmsg(w->st), NULL);
        store_rollback(w->st);
    }
}

char *fed_peer_json(const struct fed_peer *p, const struct store_partner *sp)
{
    json_t *o = json_object();
    if (!o)
        return NULL;
    json_object_set_new(o, "name", json_string(p->name));
    json_object_set_new(o, "url", sp && sp->url[0] ? json_string(sp->url) : json_null());
    json_object_set_new(o, "last_sync", p->last_sync[0] ? json_string(p->last_sync) : json_null());
    json_object_set_new(o, "lag_s", p->last_sync[0] ? json_real(p->lag_s) : json_null());
    json_object_set_new(o, "in", json_integer((json_int_t)p->in));
    json_object_set_new(o, "out", json_integer((json_int_t)p->out));
    json_object_set_new(o, "errors", json_integer((json_int_t)p->errors));
    json_object_set_new(o, "last_error",
                        p->last_error[0] ? json_string(p->last_error) : json_null());
    char *s = json_dumps(o, JSON_COMPACT);
    json_decref(o);
    return s;
}

void fed_fail(struct fed_worker *w, struct fed_peer *p, const char *reason, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char msg[200];
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    p->errors++;
    /* the time makes last_error say when */
    char t[STIX_TIME_TEXT];
    stix_time_format(clock_wall_us(), t);
    snprintf(p->last_error, sizeof p->last_error, "%s %s: %s", t, reason, msg);
    p->changed = true;
    metrics_add(w->env->metrics, "alidade_fed_errors_total", "partner", p->name, 1);
    metrics_add(w->env->metrics, "alidade_fed_errors_by_reason_total", "reason", reason, 1);
    nlog_kv(w->env->log, NLOG_WARN, "fed", "sync failed", "partner", p->name, "reason", reason,
            "error", msg, NULL);
    fed_peer_save_alone(w, p);
}

void fed_done(struct fed_worker *w, struct fed_peer *p, const struct store_partner *sp, double lag_s)
{
    char sync[sizeof p->last_sync];
    snprintf(sync, sizeof sync, "%s", p->last_sync);
    if (p->contacted) {
        char t[STIX_TIME_TEXT];
        stix_time_format(clock_wall_us(), t);
        /* ISO 8601 to the second is enough for "last sync" */
        snprintf(p->last_sync, sizeof p->last_sync, "%.19sZ", t);
    }
    p->contacted = false;
    bool lag_moved = fabs(lag_s - p->lag_s) >= 0.5, lag_other = lag_s != p->lag_s;
    p->lag_s = lag_s;
    metrics_set(w->env->metrics, "alidade_fed_lag_seconds", "partner", p->name, lag_s);
    /* a round that asked nothing and changed nothing writes nothing (with
     * live ingest a round starts every FED_POLL_MS) */
    if (p->changed || lag_other || strcmp(sync, p->last_sync) != 0)
        fed_peer_save_alone(w, p);
    if (p->changed || lag_moved) {
        char *j = fed_peer_json(p, sp);
        if (j && w->env->pic)
            picture_news(w->env->pic, "sync", j);
        free(j);
    }
    p->changed = false;
}
