/*
 * internal.h - what the TAXII handler's files share: the server and
 * per-request context, a growable output buffer, TAXII error responses,
 * query-string parsing into store filters (TAXII 2.1 section 3.5), and the
 * endpoint functions (taxii.c: routing, negotiation, authentication,
 * discovery, API root, collections, status; objects.c: objects, manifest,
 * versions, delete, add).
 */
#ifndef ALD_TAXII_INTERNAL_H
#define ALD_TAXII_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "alidade/taxii.h"

struct taxii_server {
    store *st;                       /* borrowed */
    struct taxii_config cfg;         /* title/api_root point into the copies below */
    char title[256];
    char api_root[64];
};

/* Bytes appended with realloc; `oom` is set once an allocation failed and
 * everything after is dropped (the caller answers 500 then). Bounded by the
 * page size times the largest object (itself bounded by max_body). */
struct tbuf {
    char *p;
    size_t len, cap;
    bool oom;
};
void tbuf_put(struct tbuf *b, const char *s, size_t n);
void tbuf_puts(struct tbuf *b, const char *s);
/* A JSON string with its quotes: '"', '\\' and control bytes escaped,
 * UTF-8 kept as it is. */
void tbuf_jstr(struct tbuf *b, const char *s);
void tbuf_u64(struct tbuf *b, uint64_t v);
/* A STIX/TAXII timestamp with 6 decimals, quoted. */
void tbuf_time(struct tbuf *b, int64_t us);

/* One request being handled. */
struct taxii_ctx {
    taxii_server *t;
    const struct taxii_request *rq;
    struct taxii_response *rs;
    int64_t now;
    struct store_partner partner;    /* who is asking (after authentication) */
    const char *collection;          /* path segments (NUL-terminated copies) */
    const char *object_id;
    struct share_config share;       /* cfg.share plus the node's sharing groups */
    struct share_group *groups;      /* malloc'd by taxii_policy_load, freed after */
};

/* Fills c->share with the sharing groups of all partners, read from the
 * store on each request (so a partner added while the server runs counts at
 * once). False (answered 500) on a store error. */
bool taxii_policy_load(struct taxii_ctx *c);

/* Answers with a TAXII error message (section 3.6.1): title, description,
 * http_status (a string), error_code. */
void taxii_error(struct taxii_ctx *c, int status, const char *title, const char *desc);
/* Answers with `b` as a TAXII JSON body (takes b's memory; 500 when b->oom). */
void taxii_reply(struct taxii_ctx *c, int status, struct tbuf *b);

/* The TAXII filters of a query string, decoded. Values point into `mem`;
 * at most TAXII_MAX_VALUES comma-separated values per match[] field. */
#define TAXII_MAX_VALUES 64
struct taxii_query {
    char *mem;                       /* malloc'd decoded copy of the query */
    const char *ids[TAXII_MAX_VALUES], *types[TAXII_MAX_VALUES];
    const char *versions[TAXII_MAX_VALUES], *specs[TAXII_MAX_VALUES];
    struct store_filter f;
    bool any;                        /* any filter or paging parameter present */
};
/* Parses rq->query into q->f (limit defaults to and is capped at max_page).
 * On a bad value answers 400 and returns false. Free with taxii_query_free
 * in every case. `allow_id_type`: match[id] and match[type] are honoured
 * (not on the per-object endpoints). */
bool taxii_query_parse(struct taxii_ctx *c, struct taxii_query *q, bool allow_id_type);
void taxii_query_free(struct taxii_query *q);

/* The collection of the path, readable or writable by the partner; answers
 * 404 (also when the partner may do neither: not found as if absent) and
 * returns false. */
bool taxii_collection_visible(struct taxii_ctx *c);

/* objects.c */
void taxii_get_objects(struct taxii_ctx *c);
void taxii_add_objects(struct taxii_ctx *c);
void taxii_get_manifest(struct taxii_ctx *c);
void taxii_get_object(struct taxii_ctx *c);
void taxii_delete_object(struct taxii_ctx *c);
void taxii_get_versions(struct taxii_ctx *c);

#endif
