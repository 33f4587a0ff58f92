/*
 * objects.c - the TAXII 2.1 object endpoints of a collection: get objects
 * (5.4, an envelope), add objects (5.5, an envelope in, a status resource
 * out), manifest (5.3), get object (5.6), delete object (5.7) and object
 * versions (5.8). Objects are served as the exact text they were stored as.
 *
 * Every read goes through store_query with share_can_read as the visibility
 * callback, so what a partner may not read never shows: not in pages, counts,
 * versions or the 404 of an object. Objects written are audited one row per
 * object in the transaction that stores them (TAXII_CHUNK objects each),
 * deleted ones one row per version; objects released, one row per response
 * listing their ids.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include <jansson.h>

#include "taxii/internal.h"

/* ---- visibility, audit ---- */

struct vis {
    const struct share_config *cfg;
    const struct store_partner *p;
    const char *collection;
};

static bool visible(void *ctx, const struct store_row *r)
{
    const struct vis *v = ctx;
    return share_can_read(v->cfg, v->p, v->collection, r);
}

/* Ids of the objects a request touched, NUL-separated, for the audit. */
struct idlist {
    struct tbuf b;
    size_t n;
};

static void idlist_add(struct idlist *l, const char *id)
{
    tbuf_put(&l->b, id, strlen(id) + 1);
    l->n++;
}

/* One audit row per id (writes, deletes), in one transaction. Audit
 * failures fail the request (500): nothing unaudited is answered. */
static bool audit(struct taxii_ctx *c, const char *action, const struct idlist *l)
{
    if (l->n == 0)
        return true;
    store *st = c->t->st;
    if (store_begin(st) != ALD_E_OK)
        return false;
    const char *id = l->b.p;
    for (size_t i = 0; i < l->n; i++, id += strlen(id) + 1)
        if (store_audit(st, c->now, c->partner.name, action, id, c->collection) != ALD_E_OK) {
            store_rollback(st);
            return false;
        }
    return store_commit(st) == ALD_E_OK;
}

/* Objects released by one response: one audit row (action "read", object
 * the collection id, detail the object ids separated by spaces). One row
 * per request rather than per object halves the cost of a 1000-object page
 * under 8 clients (33,000 -> 70,000 objects/s without any audit; the write
 * lock is what costs). */
static bool audit_read(struct taxii_ctx *c, struct idlist *l)
{
    if (l->n == 0)
        return true;
    if (l->b.oom)
        return false;
    for (size_t i = 0; i + 1 < l->b.len; i++)
        if (l->b.p[i] == '\0')
            l->b.p[i] = ' ';
    return store_audit(c->t->st, c->now, c->partner.name, "read", c->collection, l->b.p) ==
           ALD_E_OK;
}

bool taxii_policy_load(struct taxii_ctx *c)
{
    struct store_partner *ps = NULL;
    size_t np = 0, ng = 0;
    c->share = c->t->cfg.share;
    ald_err e = store_partners(c->t->st, &ps, &np);
    if (e == ALD_E_OK)
        e = share_known_groups(ps, np, &c->groups, &ng);
    free(ps);
    if (e != ALD_E_OK) {
        taxii_error(c, 500, "Store error", store_errmsg(c->t->st));
        return false;
    }
    c->share.groups = c->groups;
    c->share.ngroups = ng;
    return true;
}

/* The collection is visible and readable (404 / 403 otherwise); the policy
 * is loaded. */
static bool readable(struct taxii_ctx *c)
{
    if (!taxii_collection_visible(c) || !taxii_policy_load(c))
        return false;
    if (!share_collection_readable(&c->partner, c->collection)) {
        taxii_error(c, 403, "Forbidden", "You may not read this collection.");
        return false;
    }
    return true;
}

static bool writable(struct taxii_ctx *c)
{
    if (!taxii_collection_visible(c))
        return false;
    if (!share_collection_writable(&c->partner, c->collection)) {
        taxii_error(c, 403, "Forbidden", "You may not write to this collection.");
        return false;
    }
    return true;
}

static void date_headers(struct taxii_ctx *c, const struct store_page *pg)
{
    if (pg->count == 0)
        return;
    stix_time_format(pg->first_added, c->rs->date_added_first);
    stix_time_format(pg->last_added, c->rs->date_added_last);
}

/* Runs the query; on error answers (400 for a bad cursor or version, 500
 * otherwise) and returns false. */
static bool run_query(struct taxii_ctx *c, const struct store_filter *f, store_row_fn fn,
                      void *fctx, struct store_page *pg)
{
    struct vis v = {&c->share, &c->partner, c->collection};
    ald_err e = store_query(c->t->st, c->collection, f, visible, &v, fn, fctx, pg);
    if (e == ALD_E_ARG) {
        taxii_error(c, 400, "Bad request", "The next cursor or a match[] value is not valid.");
        return false;
    }
    if (e != ALD_E_OK) {
        taxii_error(c, 500, "Store error", store_errmsg(c->t->st));
        return false;
    }
    return true;
}

/* {"more":..,"next":.. then the caller's member. */
static void page_head(struct tbuf *b, const struct store_page *pg)
{
    tbuf_puts(b, pg->more ? "{\"more\":true" : "{\"more\":false");
    if (pg->more && pg->next[0]) {
        tbuf_puts(b, ",\"next\":");
        tbuf_jstr(b, pg->next);
    }
}

/* ---- envelopes: get objects, get object ---- */

struct env {
    struct tbuf b;
    struct idlist ids;
};

static int env_row(void *ctx, const struct store_row *r)
{
    struct env *e = ctx;
    tbuf_puts(&e->b, e->ids.n ? "," : ",\"objects\":[");
    tbuf_put(&e->b, r->json, r->len);
    idlist_add(&e->ids, r->id);
    return e->b.oom || e->ids.b.oom;
}

static void envelope(struct taxii_ctx *c, struct taxii_query *q, bool by_id)
{
    struct env e = {0};
    struct store_page pg;
    const char *oid[1] = {c->object_id};
    if (by_id) {
        q->f.ids = oid;
        q->f.nids = 1;
    }
    if (!run_query(c, &q->f, env_row, &e, &pg))
        goto out;
    if (by_id && pg.count == 0 && !q->any) {
        taxii_error(c, 404, "Object not found", "No object with this id is available to you.");
        goto out;
    }
    struct tbuf b = {0};
    page_head(&b, &pg);
    tbuf_put(&b, e.b.p ? e.b.p : "", e.b.len);
    /* An empty objects page says "objects":[] although the specification
     * describes the member as one or more objects: the OpenCTI taxii2
     * connector pages until an empty page and reads response["objects"]
     * (a KeyError on {"more":false} fails its whole run); no client we
     * know of refuses the empty list (docs/taxii.md, interoperability). */
    tbuf_puts(&b, pg.count ? "]}" : by_id ? "}" : ",\"objects\":[]}");
    if (e.b.oom || e.ids.b.oom)
        b.oom = true;
    if (!audit_read(c, &e.ids)) {
        free(b.p);
        taxii_error(c, 500, "Audit failed", store_errmsg(c->t->st));
        goto out;
    }
    date_headers(c, &pg);
    taxii_reply(c, 200, &b);
out:
    free(e.b.p);
    free(e.ids.b.p);
}

void taxii_get_objects(struct taxii_ctx *c)
{
    struct taxii_query q = {0};
    if (readable(c) && taxii_query_parse(c, &q, true))
        envelope(c, &q, false);
    taxii_query_free(&q);
}

void taxii_get_object(struct taxii_ctx *c)
{
    struct taxii_query q = {0};
    if (readable(c) && taxii_query_parse(c, &q, false))
        envelope(c, &q, true);
    taxii_query_free(&q);
}

/* ---- manifest, versions ---- */

/* The version TAXII shows: `modified`, else `created`, else (an SCO
 * without either) the date the server added it. */
static void put_version(struct tbuf *b, const struct store_row *r)
{
    if (r->version && r->version[0])
        tbuf_jstr(b, r->version);
    else
        tbuf_time(b, r->date_added);
}

struct listing {
    struct tbuf b;
    size_t n;
    bool manifest;
};

static int list_row(void *ctx, const struct store_row *r)
{
    struct listing *l = ctx;
    if (l->manifest) {
        tbuf_puts(&l->b, l->n++ ? ",{\"id\":" : ",\"objects\":[{\"id\":");
        tbuf_jstr(&l->b, r->id);
        tbuf_puts(&l->b, ",\"date_added\":");
        tbuf_time(&l->b, r->date_added);
        tbuf_puts(&l->b, ",\"version\":");
        put_version(&l->b, r);
        tbuf_puts(&l->b, ",\"media_type\":\"" STIX_MEDIA "\"}");
    } else {
        tbuf_puts(&l->b, l->n++ ? "," : ",\"versions\":[");
        put_version(&l->b, r);
    }
    return l->b.oom;
}

static void listing(struct taxii_ctx *c, struct taxii_query *q, bool manifest)
{
    struct listing l = {.manifest = manifest};
    struct store_page pg;
    static const char *const all[1] = {"all"};
    const char *oid[1] = {c->object_id};
    if (!manifest) {
        q->f.ids = oid;
        q->f.nids = 1;
        q->f.versions = all;
        q->f.nversions = 1;
    }
    if (!run_query(c, &q->f, list_row, &l, &pg))
        goto out;
    if (!manifest && pg.count == 0 && !q->any) {
        taxii_error(c, 404, "Object not found", "No object with this id is available to you.");
        goto out;
    }
    struct tbuf b = {0};
    page_head(&b, &pg);
    tbuf_put(&b, l.b.p ? l.b.p : "", l.b.len);
    tbuf_puts(&b, pg.count ? "]}" : "}");
    if (l.b.oom)
        b.oom = true;
    date_headers(c, &pg);
    taxii_reply(c, 200, &b);
out:
    free(l.b.p);
}

void taxii_get_manifest(struct taxii_ctx *c)
{
    struct taxii_query q = {0};
    if (readable(c) && taxii_query_parse(c, &q, true))
        listing(c, &q, true);
    taxii_query_free(&q);
}

void taxii_get_versions(struct taxii_ctx *c)
{
    struct taxii_query q = {0};
    if (readable(c) && taxii_query_parse(c, &q, false))
        listing(c, &q, false);
    taxii_query_free(&q);
}

/* ---- delete ---- */

void taxii_delete_object(struct taxii_ctx *c)
{
    struct taxii_query q = {0};
    if (!readable(c) || !writable(c) || !taxii_query_parse(c, &q, false))
        goto out;
    struct vis v = {&c->share, &c->partner, c->collection};
    size_t deleted = 0;
    ald_err e = store_delete(c->t->st, c->collection, c->object_id, q.f.versions, q.f.nversions,
                             visible, &v, &deleted);
    if (e == ALD_E_ARG) {
        taxii_error(c, 400, "Bad request", "A match[version] value is not valid.");
        goto out;
    }
    if (e != ALD_E_OK) {
        taxii_error(c, 500, "Store error", store_errmsg(c->t->st));
        goto out;
    }
    if (deleted == 0) {
        taxii_error(c, 404, "Object not found", "No object with this id is available to you.");
        goto out;
    }
    struct idlist ids = {0};
    for (size_t i = 0; i < deleted; i++)
        idlist_add(&ids, c->object_id);
    bool ok = audit(c, "delete", &ids);
    free(ids.b.p);
    if (!ok) {
        taxii_error(c, 500, "Audit failed", store_errmsg(c->t->st));
        goto out;
    }
    c->rs->status = 200;
    c->rs->content_type = NULL;
out:
    taxii_query_free(&q);
}

/* ---- add objects: envelope in, status out ---- */

struct obj {
    const char *json;
    size_t len;
};

struct objs {
    struct obj *v;
    size_t n, cap;
};

static int collect(void *ctx, const char *json, size_t len, size_t index)
{
    (void)index;
    struct objs *o = ctx;
    if (o->n == o->cap) {
        size_t cap = o->cap ? o->cap * 2 : 64;
        struct obj *v = realloc(o->v, cap * sizeof *v);
        if (!v)
            return 1;
        o->v = v;
        o->cap = cap;
    }
    o->v[o->n++] = (struct obj){json, len};
    return 0;
}

/* The body must be a JSON object with an "objects" array (an envelope; a
 * bundle has that shape too and is taken). 400 when it is not JSON, 422
 * when it is JSON of another shape. */
static bool envelope_shape(struct taxii_ctx *c)
{
    json_error_t je;
    json_t *root = json_loadb(c->rq->body ? c->rq->body : "", c->rq->body_len, 0, &je);
    if (!root) {
        char d[300];
        snprintf(d, sizeof d, "The body is not JSON: line %d, column %d: %s", je.line,
                 je.column, je.text);
        /* jansson quotes the client's bytes ("near '...'"), maybe not UTF-8
         * or cut inside a character: the answer must stay JSON (fuzz_taxii) */
        for (char *p = d; *p; p++)
            if ((unsigned char)*p >= 0x80)
                *p = '?';
        taxii_error(c, 400, "Malformed JSON", d);
        return false;
    }
    bool ok = json_is_object(root) && json_is_array(json_object_get(root, "objects"));
    json_decref(root);
    if (!ok)
        taxii_error(c, 422, "Not an envelope",
                    "The body must be a TAXII envelope: {\"objects\":[...]}.");
    return ok;
}

/* A status-details entry (id, version, message). */
static void detail(struct tbuf *b, size_t *n, const struct stix_info *in, int64_t date_added,
                   const char *msg)
{
    tbuf_puts(b, (*n)++ ? ",{\"id\":" : "{\"id\":");
    tbuf_jstr(b, in->id);
    tbuf_puts(b, ",\"version\":");
    /* an SCO without modified/created: the date added, as the manifest
     * shows it (put_version), when it was stored */
    if (!in->modified[0] && date_added > 0)
        tbuf_time(b, date_added);
    else
        tbuf_jstr(b, in->modified);
    if (msg) {
        tbuf_puts(b, ",\"message\":");
        tbuf_jstr(b, msg);
    }
    tbuf_puts(b, "}");
}

/* The problems of an invalid object as one message. */
static void problems_text(const struct stix_problem *p, size_t np, size_t total, char *out,
                          size_t cap)
{
    size_t k = 0;
    out[0] = '\0';
    for (size_t i = 0; i < np && k + 1 < cap; i++) {
        int w = snprintf(out + k, cap - k, "%s%s%s%s", i ? "; " : "", p[i].property,
                         p[i].property[0] ? ": " : "", p[i].message);
        if (w < 0)
            break;
        k += (size_t)w;
    }
    if (total > np && k + 1 < cap)
        snprintf(out + k, cap - k, " (and %zu more)", total - np);
}

struct outcome {
    struct tbuf ok, bad;
    size_t nok, nbad;
};

/* Objects are checked and stored TAXII_CHUNK at a time: each chunk is
 * checked before the write lock is taken, then stored with its audit rows in
 * one short transaction, so readers (whose audit rows need the lock) and
 * `stix import` wait for one chunk, not for a whole 16 MiB envelope. The
 * facts of a chunk (struct stix_info, about 10 kB each) are bounded the
 * same way. */
#define TAXII_CHUNK 256

struct checked {
    struct stix_info in;
    bool valid;
};

/* Checks objects [from, from + n): invalid ones become failures. */
static void check_chunk(const struct objs *o, size_t from, size_t n, struct checked *ck,
                        struct outcome *r)
{
    for (size_t k = 0; k < n; k++) {
        size_t i = from + k;
        struct stix_problem probs[4];
        memset(&ck[k].in, 0, sizeof ck[k].in);
        size_t np = stix_check(o->v[i].json, o->v[i].len, i, &ck[k].in, probs, 4);
        if (!ck[k].in.id[0])
            snprintf(ck[k].in.id, sizeof ck[k].in.id, "object %zu", i);
        ck[k].valid = np == 0;
        if (np) {
            char msg[900];
            problems_text(probs, np < 4 ? np : 4, np, msg, sizeof msg);
            detail(&r->bad, &r->nbad, &ck[k].in, 0, msg);
        }
    }
}

/* Stores the valid objects of a chunk and their audit rows in one
 * transaction. A version already there is a success like any other: saying
 * so would tell the poster that an object it may not read exists. When the
 * transaction fails, every valid object of the chunk is a failure with the
 * store's reason. */
static void store_chunk(struct taxii_ctx *c, const struct objs *o, size_t from, size_t n,
                        const struct checked *ck, struct outcome *r)
{
    store *s = c->t->st;
    struct tbuf ok = {0};
    size_t nok = 0;
    bool good = store_begin(s) == ALD_E_OK;
    for (size_t k = 0; good && k < n; k++) {
        if (!ck[k].valid)
            continue;
        const struct obj *ob = &o->v[from + k];
        bool added = false;
        int64_t da = 0;
        good = store_put(s, c->collection, ob->json, ob->len, &ck[k].in, c->now, &added, &da) ==
                   ALD_E_OK &&
               (!added || store_audit(s, c->now, c->partner.name, "write", ck[k].in.id,
                                      c->collection) == ALD_E_OK);
        detail(&ok, &nok, &ck[k].in, da, NULL);
    }
    if (good && !ok.oom && store_commit(s) == ALD_E_OK) {
        if (nok) {
            if (r->nok)
                tbuf_puts(&r->ok, ",");
            tbuf_put(&r->ok, ok.p, ok.len);
            r->nok += nok;
        }
        free(ok.p);
        return;
    }
    char msg[300];
    snprintf(msg, sizeof msg, "not stored: %s", ok.oom ? "out of memory" : store_errmsg(s));
    store_rollback(s);
    for (size_t k = 0; k < n; k++)
        if (ck[k].valid)
            detail(&r->bad, &r->nbad, &ck[k].in, 0, msg);
    free(ok.p);
}

/* A random (version 4) UUID for the status resource. */
static bool status_uuid(char out[37])
{
    uint8_t u[16];
    if (getrandom(u, sizeof u, 0) != (ssize_t)sizeof u)
        return false;
    u[6] = (uint8_t)((u[6] & 0x0f) | 0x40);
    u[8] = (uint8_t)((u[8] & 0x3f) | 0x80);
    snprintf(out, 37,
             "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", u[0],
             u[1], u[2], u[3], u[4], u[5], u[6], u[7], u[8], u[9], u[10], u[11], u[12], u[13],
             u[14], u[15]);
    return true;
}

static void status_json(struct taxii_ctx *c, const char *sid, const struct outcome *r,
                        struct tbuf *b)
{
    tbuf_puts(b, "{\"id\":");
    tbuf_jstr(b, sid);
    tbuf_puts(b, ",\"status\":\"complete\",\"request_timestamp\":");
    tbuf_time(b, c->now);
    tbuf_puts(b, ",\"total_count\":");
    tbuf_u64(b, r->nok + r->nbad);
    tbuf_puts(b, ",\"success_count\":");
    tbuf_u64(b, r->nok);
    if (r->nok) {
        tbuf_puts(b, ",\"successes\":[");
        tbuf_put(b, r->ok.p, r->ok.len);
        tbuf_puts(b, "]");
    }
    tbuf_puts(b, ",\"failure_count\":");
    tbuf_u64(b, r->nbad);
    if (r->nbad) {
        tbuf_puts(b, ",\"failures\":[");
        tbuf_put(b, r->bad.p, r->bad.len);
        tbuf_puts(b, "]");
    }
    tbuf_puts(b, ",\"pending_count\":0}");
    if (r->ok.oom || r->bad.oom)
        b->oom = true;
}

/* Checks and stores every object, chunk by chunk, then keeps the status
 * resource. False (answered 500) when the status cannot be kept or memory
 * ran out. */
static bool add_all(struct taxii_ctx *c, const struct objs *o, struct outcome *r,
                    const char *sid, struct tbuf *st)
{
    struct checked *ck = malloc(TAXII_CHUNK * sizeof *ck);
    if (!ck) {
        taxii_error(c, 500, "Out of memory", NULL);
        return false;
    }
    for (size_t from = 0; from < o->n; from += TAXII_CHUNK) {
        size_t n = o->n - from < TAXII_CHUNK ? o->n - from : TAXII_CHUNK;
        check_chunk(o, from, n, ck, r);
        store_chunk(c, o, from, n, ck, r);
    }
    free(ck);
    status_json(c, sid, r, st);
    char key[160];
    snprintf(key, sizeof key, "%s/%s", c->partner.name, sid);
    if (st->oom || store_status_put(c->t->st, key, st->p, st->len) != ALD_E_OK) {
        taxii_error(c, 500, "Store error",
                    st->oom ? "out of memory" : store_errmsg(c->t->st));
        return false;
    }
    return true;
}

void taxii_add_objects(struct taxii_ctx *c)
{
    if (!writable(c) || !envelope_shape(c))
        return;
    struct objs o = {0};
    struct outcome r = {0};
    struct tbuf st = {0};
    char err[160], sid[37];
    int rc = stix_split(c->rq->body, c->rq->body_len, collect, &o, err, sizeof err);
    if (rc != 0) {
        taxii_error(c, rc < 0 ? 400 : 500, rc < 0 ? "Malformed envelope" : "Out of memory",
                    rc < 0 ? err : NULL);
        goto out;
    }
    if (!status_uuid(sid)) {
        taxii_error(c, 500, "No randomness", "The system gave no random bytes.");
        goto out;
    }
    if (add_all(c, &o, &r, sid, &st))
        taxii_reply(c, 202, &st);
out:
    free(o.v);
    free(r.ok.p);
    free(r.bad.p);
    free(st.p);
}
