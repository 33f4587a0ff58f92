/*
 * fed_pull.c - pulling from one partner (fed_int.h, docs/federation.md).
 *
 * For each of its --pull collections: GET {url}collections/{id}/objects/
 * ?added_after=CURSOR&limit=N, then the `next` pages while `more`. Each
 * page is stored in one transaction together with the new cursor (the
 * page's X-TAXII-Date-Added-Last) and the counters: after a crash the pull
 * resumes exactly after the last page stored, without gaps (the partner's
 * date_added strictly increases, and a page's objects commit in that
 * order) and without duplicates (a version already in any of our
 * collections is skipped: the same id and modified is the same object).
 * Every object is checked as any write is (stix_check); invalid ones are
 * counted as errors and skipped. Each stored object gets an audit row
 * "fed-pull" by the partner, which also records its provenance
 * (store_row.origin: the re-share rule of share_can_read).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "alidade/stix.h"
#include "clock.h"
#include "fed_int.h"

struct tc_auth fed_auth(const struct store_partner *sp)
{
    return (struct tc_auth){.user = sp->remote_user, .token = sp->remote_token,
                            .ca = sp->remote_ca, .cert = sp->remote_cert,
                            .key = sp->remote_key};
}

/* The collection pulled objects go to: --pull-into, else "From NAME" made
 * on first use (its id kept as "fed/NAME/into"). */
static bool target_collection(struct fed_worker *w, const struct store_partner *sp,
                              char id[STORE_UUID_TEXT])
{
    if (sp->pull_into[0]) {
        snprintf(id, STORE_UUID_TEXT, "%s", sp->pull_into);
        return true;
    }
    char key[128], *v = NULL;
    snprintf(key, sizeof key, "fed/%s/into", sp->name);
    struct store_collection c;
    if (store_state_get(w->st, key, &v) == ALD_E_OK && store_collection_get(w->st, v, &c) == ALD_E_OK) {
        snprintf(id, STORE_UUID_TEXT, "%s", v);
        free(v);
        return true;
    }
    free(v);
    char title[96], desc[160];
    snprintf(title, sizeof title, "From %s", sp->name);
    snprintf(desc, sizeof desc, "Objects pulled from partner %s by federation", sp->name);
    ald_err e = store_begin(w->st);
    if (e == ALD_E_OK)
        e = store_collection_add(w->st, title, desc, id);
    if (e == ALD_E_OK)
        e = store_state_put(w->st, key, id);
    if (e == ALD_E_OK)
        e = store_audit(w->st, clock_wall_us(), "local", "collection-add", id, title);
    if (e == ALD_E_OK)
        e = store_commit(w->st);
    if (e != ALD_E_OK) {
        snprintf(w->err, sizeof w->err, "%s", store_errmsg(w->st));
        store_rollback(w->st);
        return false;
    }
    nlog_kv(w->env->log, NLOG_INFO, "fed", "collection made", "partner", sp->name, "collection",
            id, "title", title, NULL);
    return true;
}

/* What one page brings. */
struct page_run {
    struct fed_worker *w;
    const struct store_partner *sp;
    struct fed_peer *p;
    const char *into;
    int64_t now;
    size_t added, dups, invalid;
    ald_err failed;
};

static int one_object(void *ctx, const char *obj, size_t len, size_t index)
{
    struct page_run *r = ctx;
    struct stix_info info;
    struct stix_problem prob[1];
    if (stix_check(obj, len, index, &info, prob, 1) != 0) {
        r->invalid++;
        nlog_kv(r->w->env->log, NLOG_WARN, "fed", "invalid object pulled", "partner",
                r->sp->name, "id", prob[0].id, "property", prob[0].property, "why",
                prob[0].message, NULL);
        return 0;
    }
    bool found = false;
    ald_err e = store_has_version(r->w->st, info.id, info.modified_us, &found);
    if (e == ALD_E_OK && found) {
        r->dups++;
        return 0;
    }
    bool added = false;
    int64_t da;
    if (e == ALD_E_OK)
        e = store_put(r->w->st, r->into, obj, len, &info, r->now, &added, &da);
    if (e == ALD_E_OK && added)
        e = store_audit(r->w->st, r->now, r->sp->name, "fed-pull", info.id, r->into);
    if (e != ALD_E_OK) {
        r->failed = e;
        return 1;
    }
    if (added)
        r->added++;
    else
        r->dups++;
    return 0;
}

/* Appends "&name=value" (value percent-encoded where a URL needs it). */
static void url_arg(char *url, size_t cap, const char *name, const char *value)
{
    size_t n = strlen(url);
    n += (size_t)snprintf(url + n, n < cap ? cap - n : 0, "&%s=", name);
    for (const char *c = value; *c && n + 4 < cap; c++) {
        unsigned char ch = (unsigned char)*c;
        bool plain = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
                     (ch >= '0' && ch <= '9') || strchr("-._~:", ch);
        if (plain)
            url[n++] = (char)ch;
        else
            n += (size_t)snprintf(url + n, cap - n, "%%%02X", ch);
    }
    if (n < cap)
        url[n] = 0;
}

/* Pulls one collection to its end; false after a failure (counted). */
static bool pull_collection(struct fed_worker *w, const struct store_partner *sp, struct fed_peer *p,
                            const char *coll, const char *into)
{
    char key[256], *cursor = NULL;
    snprintf(key, sizeof key, "fed/%s/pull/%s", sp->name, coll);
    if (store_state_get(w->st, key, &cursor) != ALD_E_OK)
        cursor = NULL;
    char next[512] = "";
    struct tc_auth auth = fed_auth(sp);
    bool ok = true;
    size_t pages = 0;
    while (!atomic_load(&w->stop)) {
        char url[2048];
        snprintf(url, sizeof url, "%scollections/%s/objects/?limit=%zu", sp->url, coll,
                 w->pull_page);
        if (cursor && cursor[0])
            url_arg(url, sizeof url, "added_after", cursor);
        if (next[0])
            url_arg(url, sizeof url, "next", next);
        struct tc_response rs;
        if (!tc_get(w->http, url, &auth, &rs)) {
            if (!atomic_load(&w->stop))
                fed_fail(w, p, "network", "GET %s: %s", coll, rs.error);
            ok = false;
            break;
        }
        p->contacted = true;
        if (rs.status != 200) {
            fed_fail(w, p, rs.status == 401 || rs.status == 403 ? "auth" : "http",
                     "GET %s: HTTP %ld", coll, rs.status);
            tc_response_free(&rs);
            ok = false;
            break;
        }
        json_error_t je;
        json_t *env = json_loadb(rs.body, rs.len, 0, &je);
        bool more = env && json_is_true(json_object_get(env, "more"));
        const char *nx = env ? json_string_value(json_object_get(env, "next")) : NULL;
        snprintf(next, sizeof next, "%s", more && nx ? nx : "");
        json_decref(env);
        if (!env) {
            fed_fail(w, p, "protocol", "GET %s: not JSON: %s", coll, je.text);
            tc_response_free(&rs);
            ok = false;
            break;
        }
        struct page_run r = {.w = w, .sp = sp, .p = p, .into = into, .now = clock_wall_us()};
        char err[160] = "";
        ald_err e = store_begin(w->st);
        int rc = e == ALD_E_OK ? stix_split(rs.body, rs.len, one_object, &r, err, sizeof err) : 1;
        if (rc < 0) {
            store_rollback(w->st);
            fed_fail(w, p, "protocol", "GET %s: %s", coll, err);
            tc_response_free(&rs);
            ok = false;
            break;
        }
        if (rc == 0 && rs.date_added_last[0])
            e = store_state_put(w->st, key, rs.date_added_last);
        p->in += r.added;
        p->errors += r.invalid;
        if (r.invalid)
            snprintf(p->last_error, sizeof p->last_error, "%zu invalid objects from %s",
                     r.invalid, coll);
        if (e == ALD_E_OK && rc == 0)
            e = fed_peer_save(w, p);
        if (e == ALD_E_OK && rc == 0)
            e = store_commit(w->st);
        if (e != ALD_E_OK || rc != 0) {
            p->in -= r.added;
            p->errors -= r.invalid;
            char why[300];
            snprintf(why, sizeof why, "%s", store_errmsg(w->st));
            store_rollback(w->st);
            fed_fail(w, p, "store", "storing from %s: %s", coll, why);
            tc_response_free(&rs);
            ok = false;
            break;
        }
        tc_response_free(&rs);
        if (rs.date_added_last[0]) {
            free(cursor);
            cursor = strdup(rs.date_added_last);
        }
        pages++;
        if (r.added || r.invalid) {
            p->changed = true;
            metrics_add(w->env->metrics, "alidade_fed_objects_in_total", "partner", sp->name,
                        (double)r.added);
            if (r.invalid) {
                metrics_add(w->env->metrics, "alidade_fed_errors_total", "partner", sp->name,
                            (double)r.invalid);
                metrics_add(w->env->metrics, "alidade_fed_errors_by_reason_total", "reason",
                            "invalid", (double)r.invalid);
            }
            char a[24], d[24];
            snprintf(a, sizeof a, "%zu", r.added);
            snprintf(d, sizeof d, "%zu", r.dups);
            nlog_kv(w->env->log, NLOG_INFO, "fed", "pulled", "partner", sp->name, "collection",
                    coll, "added", a, "already_there", d, NULL);
        }
        if (!next[0])
            break;
    }
    free(cursor);
    return ok && !atomic_load(&w->stop);
}

bool fed_pull(struct fed_worker *w, const struct store_partner *sp, struct fed_peer *p)
{
    if (!sp->pull[0])
        return true;
    char into[STORE_UUID_TEXT];
    if (!target_collection(w, sp, into)) {
        fed_fail(w, p, "store", "no collection for what is pulled: %s", w->err);
        return false;
    }
    char list[sizeof sp->pull];
    snprintf(list, sizeof list, "%s", sp->pull);
    char *save = NULL;
    bool ok = true;
    for (char *c = strtok_r(list, ",", &save); c && ok; c = strtok_r(NULL, ",", &save))
        ok = pull_collection(w, sp, p, c, into);
    return ok;
}
