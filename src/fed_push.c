/*
 * fed_push.c - pushing to one partner (fed_int.h, docs/federation.md).
 *
 * The outbox is implied: for each of our --push-from collections (default:
 * our default collection) a cursor "fed/<partner>/push/<collection>" (the
 * date_added of the last object the partner accepted) and the store itself.
 * Each round queries what was added after the cursor that the partner may
 * receive, posts it as one envelope to each of the partner's --push
 * collections, and moves the cursor (with the counters, in one transaction)
 * only after every one answered 202 with a status: a crash or a partner
 * that is down loses nothing, the next round sends the same objects again
 * (the partner drops versions it has).
 *
 * What the partner may receive is decided by share_can_read, the function
 * the TAXII server applies to the partner's own reads (its collection grant
 * on our collection, sharing groups, TLP, and the TLP 2.0 re-share rule on
 * objects that came from other partners), plus one rule of push alone: an
 * object never goes back to the partner it came from.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "clock.h"
#include "fed_int.h"

/* store_query stopped by the batch: the envelope is full. */
#define BATCH_FULL ((ald_err)0x7f01)

struct vis {
    const struct share_config *cfg;
    const struct store_partner *sp;
    const char *coll;
};

/* The partner's read policy, and never back to where it came from. */
static bool push_visible(void *ctx, const struct store_row *r)
{
    const struct vis *v = ctx;
    if (r->origin && strcmp(r->origin, v->sp->name) == 0)
        return false;
    return share_can_read(v->cfg, v->sp, v->coll, r);
}

/* One envelope being built. */
struct batch {
    char *p;
    size_t len, cap, n;
    int64_t first_added, last_added;
    size_t max_bytes;                /* of objects per envelope */
    bool full, oom;
};

static bool put(struct batch *b, const char *s, size_t n)
{
    if (b->len + n + 1 > b->cap) {
        size_t cap = (b->len + n + 1) * 2;
        char *p = realloc(b->p, cap);
        if (!p) {
            b->oom = true;
            return false;
        }
        b->p = p;
        b->cap = cap;
    }
    memcpy(b->p + b->len, s, n);
    b->len += n;
    b->p[b->len] = 0;
    return true;
}

static int add_row(void *ctx, const struct store_row *r)
{
    struct batch *b = ctx;
    if (b->n && b->len + r->len > b->max_bytes) {
        b->full = true;
        return (int)BATCH_FULL;
    }
    if (!put(b, b->n ? "," : "", b->n ? 1 : 0) || !put(b, r->json, r->len))
        return (int)BATCH_FULL;
    if (b->n++ == 0)
        b->first_added = r->date_added;
    b->last_added = r->date_added;
    return 0;
}

/* Posts the envelope to one of the partner's collections: true when it
 * answered 202; *rejected = its failure_count; *too_large when it answered
 * 413 (the envelope is more than its max_body). */
static bool post_one(struct fed_worker *w, const struct store_partner *sp, struct fed_peer *p,
                     const char *remote, const struct batch *b, uint64_t *rejected,
                     bool *too_large)
{
    *too_large = false;
    char url[2048];
    snprintf(url, sizeof url, "%scollections/%s/objects/", sp->url, remote);
    struct tc_auth auth = fed_auth(sp);
    struct tc_response rs;
    *rejected = 0;
    if (!tc_post(w->http, url, &auth, b->p, b->len, &rs)) {
        if (!atomic_load(&w->stop))
            fed_fail(w, p, "network", "POST %s: %s", remote, rs.error);
        return false;
    }
    p->contacted = true;
    bool ok = rs.status == 202;
    *too_large = rs.status == 413;
    if (!ok) {
        fed_fail(w, p, rs.status == 401 || rs.status == 403 ? "auth" : "http",
                 "POST %s: HTTP %ld", remote, rs.status);
    } else {
        json_t *st = json_loadb(rs.body, rs.len, 0, NULL);
        json_t *fc = st ? json_object_get(st, "failure_count") : NULL;
        if (!st || !json_is_object(st)) {
            fed_fail(w, p, "protocol", "POST %s: 202 without a status resource", remote);
            ok = false;
        } else if (json_is_integer(fc) && json_integer_value(fc) > 0) {
            *rejected = (uint64_t)json_integer_value(fc);
        }
        json_decref(st);
    }
    tc_response_free(&rs);
    return ok;
}

/* Moves the cursor (and the counters) in one transaction. */
static bool save_cursor(struct fed_worker *w, struct fed_peer *p, const char *key, int64_t cursor)
{
    char t[STIX_TIME_TEXT];
    stix_time_format(cursor, t);
    ald_err e = store_begin(w->st);
    if (e == ALD_E_OK)
        e = store_state_put(w->st, key, t);
    if (e == ALD_E_OK)
        e = fed_peer_save(w, p);
    if (e == ALD_E_OK)
        e = store_commit(w->st);
    if (e != ALD_E_OK) {
        char why[300];
        snprintf(why, sizeof why, "%s", store_errmsg(w->st));
        store_rollback(w->st);
        fed_fail(w, p, "store", "push cursor: %s", why);
        return false;
    }
    return true;
}

/* Pushes one of our collections to its end; false after a failure. */
static bool push_collection(struct fed_worker *w, const struct store_partner *sp, struct fed_peer *p,
                            const struct share_config *cfg, const char *local, double *lag_s)
{
    char key[256], *v = NULL;
    snprintf(key, sizeof key, "fed/%s/push/%s", sp->name, local);
    int64_t cursor = INT64_MIN;
    if (store_state_get(w->st, key, &v) == ALD_E_OK && !stix_time_parse(v, strlen(v), &cursor))
        cursor = INT64_MIN;
    free(v);
    struct vis vc = {.cfg = cfg, .sp = sp, .coll = local};
    /* smaller after a 413, for this round */
    size_t limit = w->push_batch, max_bytes = FED_PUSH_BYTES;
    while (!atomic_load(&w->stop)) {
        /* everything up to here is committed: a query that finds no more
         * after it has seen all of it (visible or not) */
        int64_t snapshot = 0;
        if (store_last_added(w->st, &snapshot) != ALD_E_OK) {
            fed_fail(w, p, "store", "%s", store_errmsg(w->st));
            return false;
        }
        struct store_filter flt = {.added_after = cursor, .limit = limit};
        struct batch b = {.max_bytes = max_bytes};
        struct store_page pg;
        put(&b, "{\"objects\":[", 12);
        ald_err e = store_query(w->st, local, &flt, push_visible, &vc, add_row, &b, &pg);
        if (b.oom || (e != ALD_E_OK && e != BATCH_FULL)) {
            fed_fail(w, p, "store", "reading %s: %s", local,
                     b.oom ? "out of memory" : store_errmsg(w->st));
            free(b.p);
            return false;
        }
        bool more = pg.more || b.full;
        if (b.n == 0) {
            free(b.p);
            /* nothing the partner may have: skip what was looked at */
            if (!more && snapshot > cursor && cursor != snapshot) {
                if (!save_cursor(w, p, key, snapshot))
                    return false;
                cursor = snapshot;
            }
            return true;
        }
        put(&b, "]}", 2);
        if (b.oom) {
            fed_fail(w, p, "store", "out of memory");
            free(b.p);
            return false;
        }
        char list[sizeof sp->push];
        snprintf(list, sizeof list, "%s", sp->push);
        char *save = NULL;
        bool ok = true;
        uint64_t sent = 0, rejected = 0;
        bool too_large = false;
        for (char *r = strtok_r(list, ",", &save); r && ok; r = strtok_r(NULL, ",", &save)) {
            uint64_t rej = 0;
            ok = post_one(w, sp, p, r, &b, &rej, &too_large);
            if (ok) {
                sent += b.n - (rej < b.n ? rej : b.n);
                rejected += rej;
            }
        }
        if (!ok && too_large && b.n > 1) {
            /* the partner takes less at once: halve and go on (the error
             * was counted) */
            limit = b.n / 2;
            max_bytes = b.len / 2;
            free(b.p);
            continue;
        }
        if (!ok && too_large) {
            /* one object bigger than the partner takes: it never will;
             * refused like an invalid one, so the outbox does not stall */
            ok = true;
            rejected += 1;
        }
        if (!ok) {
            *lag_s = (double)(clock_wall_us() - b.first_added) / 1e6;
            free(b.p);
            return false;
        }
        p->out += sent;
        p->changed = true;
        if (rejected) {
            /* refused objects are not sent again (they would be refused
             * again): counted as errors */
            p->errors += rejected;
            snprintf(p->last_error, sizeof p->last_error, "%" PRIu64 " objects refused by %s",
                     rejected, sp->name);
            metrics_add(w->env->metrics, "alidade_fed_errors_total", "partner", sp->name,
                        (double)rejected);
            metrics_add(w->env->metrics, "alidade_fed_errors_by_reason_total", "reason",
                        "rejected", (double)rejected);
        }
        metrics_add(w->env->metrics, "alidade_fed_objects_out_total", "partner", sp->name,
                    (double)sent);
        int64_t next = more || snapshot < b.last_added ? b.last_added : snapshot;
        char n[24];
        snprintf(n, sizeof n, "%zu", b.n);
        nlog_kv(w->env->log, NLOG_INFO, "fed", "pushed", "partner", sp->name, "collection", local,
                "objects", n, NULL);
        free(b.p);
        if (!save_cursor(w, p, key, next))
            return false;
        cursor = next;
        if (!more)
            return true;
    }
    return false;
}

bool fed_push(struct fed_worker *w, const struct store_partner *sp, struct fed_peer *p,
              const struct share_config *cfg, double *lag_s)
{
    *lag_s = 0;
    if (!sp->push[0])
        return true;
    char list[sizeof sp->push_from];
    if (sp->push_from[0]) {
        snprintf(list, sizeof list, "%s", sp->push_from);
    } else {
        struct store_collection *cols = NULL;
        size_t n = 0;
        list[0] = 0;
        if (store_collections(w->st, &cols, &n) == ALD_E_OK && n && cols[0].is_default)
            snprintf(list, sizeof list, "%s", cols[0].id);
        free(cols);
        if (!list[0]) {
            fed_fail(w, p, "store", "no default collection to push from");
            return false;
        }
    }
    char *save = NULL;
    bool ok = true;
    for (char *c = strtok_r(list, ",", &save); c && ok; c = strtok_r(NULL, ",", &save))
        ok = push_collection(w, sp, p, cfg, c, lag_s);
    return ok;
}
