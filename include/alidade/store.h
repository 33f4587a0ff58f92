/*
 * store.h - the node's embedded store: one SQLite file (WAL) under the data
 * directory holding TAXII collections, STIX object versions kept as their
 * original JSON text, TAXII status resources, partners and the append-only
 * audit log. Several processes may use the same file at once (the server and
 * `alidade stix import`): SQLite's locking with a busy timeout.
 *
 * Times are microseconds since 1970 (TAXII date_added precision). Errors are
 * ald_err codes; the message of the last failure is store_errmsg(). See
 * docs/store.md for the schema.
 */
#ifndef ALIDADE_STORE_H
#define ALIDADE_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "alidade/alidade.h"
#include "alidade/stix.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct store store;

#define STORE_FILE "alidade.db"
#define STORE_UUID_TEXT 37           /* collection/status ids: UUID + NUL */

/* Opens (creating when missing) DIR and DIR/alidade.db, sets WAL, creates
 * the schema and, on a new store, the default collection ("Default",
 * readable and writable per partner policy). NULL with the reason in err. */
ALD_API store *store_open(const char *dir, char *err, size_t errlen);
ALD_API void store_close(store *s);
/* The message of the last failed call on s. */
ALD_API const char *store_errmsg(const store *s);

/* Groups several writes into one transaction (an envelope, an import). */
ALD_API ald_err store_begin(store *s);
ALD_API ald_err store_commit(store *s);
ALD_API void store_rollback(store *s);

/* ---- collections ---- */

struct store_collection {
    char id[STORE_UUID_TEXT];
    char title[256];
    char description[1024];
    bool is_default;
};
/* Creates a collection with a new random UUID written into id. */
ALD_API ald_err store_collection_add(store *s, const char *title, const char *description,
                                     char id[STORE_UUID_TEXT]);
/* All collections, default first, then by creation; *out is malloc'd. */
ALD_API ald_err store_collections(store *s, struct store_collection **out, size_t *n);
/* ALD_E_NOT_FOUND when there is none with that id. */
ALD_API ald_err store_collection_get(store *s, const char *id, struct store_collection *out);

/* ---- objects ---- */

/*
 * Adds one object version (json: its exact text; info: from stix_check) to a
 * collection. The same (id, modified) already there is not added again:
 * *added = false and *date_added the existing version's. Otherwise the
 * version gets date_added = max(now_us, last date_added in the store + 1), so
 * date_added is strictly increasing and paging by it is exact.
 */
ALD_API ald_err store_put(store *s, const char *collection, const char *json, size_t len,
                          const struct stix_info *info, int64_t now_us, bool *added,
                          int64_t *date_added);

/* What a query returns per object version. Strings live until the next row. */
struct store_row {
    const char *json;                /* the original text */
    size_t len;
    const char *id, *type, *spec_version;
    const char *version;             /* `modified` text (or created, or "" for SCOs) */
    int64_t version_us;
    int64_t date_added;
    /* access facts (stix_info): for the policy */
    int tlp;                         /* enum stix_tlp */
    const char *markings;            /* object_marking_refs, space-separated */
    const char *created_by_ref;      /* "" when absent */
    const char *recipients;          /* x_alidade_recipients, space-separated */
    /* provenance: the federation partner (one with a url) this version
     * came from (pulled from it, or posted by it over TAXII); "" when made
     * or imported here or written by a partner we do not sync with. NULL
     * (rows built by hand) reads as "". */
    const char *origin;
};

/* Whether a row may be shown to the caller (the partner's policy); the store
 * applies it before versions are chosen and before counting the page, so an
 * invisible object never shows, not even in counts, paging or version choice.
 * It sees the row's facts only: json is NULL and len 0 there (the text of
 * every version looked at would otherwise be read from disk). */
typedef bool (*store_visible_fn)(void *ctx, const struct store_row *r);
/* Receives each row of the page in order; non-zero stops with that value. */
typedef int (*store_row_fn)(void *ctx, const struct store_row *r);

/* TAXII 2.1 filters (section 3.5). NULL/0 members filter nothing. */
struct store_filter {
    int64_t added_after;             /* INT64_MIN: none */
    const char *const *ids;          /* match[id] */
    size_t nids;
    const char *const *types;        /* match[type] */
    size_t ntypes;
    const char *const *spec_versions;/* match[spec_version]; none: latest spec per object */
    size_t nspec;
    const char *const *versions;     /* match[version]: "first", "last", "all" or
                                        timestamps; none: "last" */
    size_t nversions;
    size_t limit;                    /* page size; 0: no limit */
    const char *next;                /* cursor from a previous page, or NULL */
};

/* About the page a query returned. */
struct store_page {
    size_t count;                    /* rows delivered */
    bool more;                       /* more rows after this page */
    char next[64];                   /* cursor for the next page ("" when !more) */
    int64_t first_added, last_added; /* date_added of the first/last row; INT64_MIN if none */
};

/*
 * Object versions of a collection in date_added order that pass the filter
 * and `visible` (may be NULL: all). The same query serves objects, manifest,
 * object-by-id and versions endpoints. ALD_E_ARG for a malformed cursor or
 * version value, ALD_E_NOT_FOUND for an unknown collection, ALD_E_TOO_LARGE
 * for more than 1000 values in one match[] list (64 version timestamps); a
 * non-zero value from `row` is returned as is. Order of the rules (TAXII 2.1
 * 3.5, as medallion applies them; docs/store.md): id/type/explicit
 * spec_version, visible, default spec_version (latest visible), added_after,
 * match[version], then the page. `row` and `visible` must not call
 * store_query on the same store (other calls, e.g. store_audit, are fine).
 */
ALD_API ald_err store_query(store *s, const char *collection, const struct store_filter *f,
                            store_visible_fn visible, void *vctx, store_row_fn row, void *rctx,
                            struct store_page *page);

/* Objects (distinct ids, whatever their versions) in a collection, without
 * reading them: what a default objects query would list to someone who may
 * read everything. ALD_E_NOT_FOUND for an unknown collection. */
ALD_API ald_err store_count(store *s, const char *collection, size_t *objects);

/* Deletes the versions of `id` that match[version] selects (NULL/0: all)
 * among the visible ones; *deleted = how many. */
ALD_API ald_err store_delete(store *s, const char *collection, const char *id,
                             const char *const *versions, size_t nversions,
                             store_visible_fn visible, void *vctx, size_t *deleted);

/* The largest date_added given so far in the whole store (0 for a new
 * store): a cheap "anything new?" for pollers (one row read). */
ALD_API ald_err store_last_added(store *s, int64_t *last);

/* Whether version (id, version_us) is in any collection of the store. */
ALD_API ald_err store_has_version(store *s, const char *id, int64_t version_us, bool *found);

/* ---- TAXII status resources (kept as their JSON text) ---- */

ALD_API ald_err store_status_put(store *s, const char *id, const char *json, size_t len);
/* *json is malloc'd (caller frees); ALD_E_NOT_FOUND. */
ALD_API ald_err store_status_get(store *s, const char *id, char **json, size_t *len);

/* ---- named state of the node's parts ----
 * Small values that must survive a restart together with the objects they
 * led to: a followed file's offset, a partner's pull cursor, an operator
 * account. Written in the caller's transaction when there is one (so an
 * offset and the objects read up to it commit together). Keys are free text
 * by convention "part/name" (e.g. "ingest/file:/var/log/ais.nmea"). */

/* Sets (adds or replaces) key = value. */
ALD_API ald_err store_state_put(store *s, const char *key, const char *value);
/* The value in *value (malloc'd, caller frees); ALD_E_NOT_FOUND when unset. */
ALD_API ald_err store_state_get(store *s, const char *key, char **value);
/* Removes key (no error when unset). */
ALD_API ald_err store_state_remove(store *s, const char *key);
/* Every key starting with prefix, in key order; a non-zero return from fn
 * stops the walk and is returned. */
typedef int (*store_state_fn)(void *ctx, const char *key, const char *value);
ALD_API ald_err store_state_list(store *s, const char *prefix, store_state_fn fn, void *ctx);

/* ---- partners ---- */

struct store_partner {
    char name[64];                   /* unique; [A-Za-z0-9._-], 1-63 characters */
    char identity[STIX_ID_MAX];      /* the partner's STIX identity id */
    char token_hash[65];             /* hex SHA-256 of the bearer token, "" = none */
    char cert_fp[96];                /* hex SHA-256 of the client certificate, "" = none */
    char groups[512];                /* sharing groups, comma-separated */
    char read[1024];                 /* collection ids readable, comma-separated, "*" = all */
    char write[1024];                /* collection ids writable, comma-separated, "*" = all */
    int64_t created;
    /* Federation (docs/federation.md): where and how this node syncs with the
     * partner's own TAXII server. All "" = no sync (the partner only uses
     * ours). */
    char url[512];                   /* its TAXII API root URL, ending in '/' */
    char pull[1024];                 /* its collection ids we pull from, comma-separated */
    char push[1024];                 /* its collection ids we post our objects to */
    char push_from[1024];            /* our collection ids whose objects we push ("" =
                                        our default collection) */
    char pull_into[STORE_UUID_TEXT]; /* our collection pulled objects go to ("" = the
                                        collection "From NAME", made on first pull) */
    char remote_user[64];            /* the name it knows us by (HTTP Basic user); ""
                                        = present the token as a Bearer token */
    char remote_token[128];          /* the token it gave us, in clear (we present it;
                                        the data directory is 0700) */
    bool reshare;                    /* it may receive TLP:CLEAR/GREEN objects that came
                                        from other partners (never AMBER, AMBER+STRICT
                                        or RED: share.h) */
    char remote_ca[512];             /* PEM file of the CA its HTTPS server certificate
                                        is checked against ("" = the system's) */
    char remote_cert[512];           /* PEM files of the client certificate and key we
                                        present (mTLS), "" = none */
    char remote_key[512];
};
/* Adds or replaces (by name). */
ALD_API ald_err store_partner_put(store *s, const struct store_partner *p);
ALD_API ald_err store_partner_get(store *s, const char *name, struct store_partner *out);
/* Looks a partner up by token hash or certificate fingerprint (exact, then
 * the caller compares in constant time). ALD_E_NOT_FOUND. */
ALD_API ald_err store_partner_by_token(store *s, const char *token_hash,
                                       struct store_partner *out);
ALD_API ald_err store_partner_by_cert(store *s, const char *cert_fp, struct store_partner *out);
ALD_API ald_err store_partner_remove(store *s, const char *name);
/* All partners by name; *out malloc'd. */
ALD_API ald_err store_partners(store *s, struct store_partner **out, size_t *n);

/* ---- audit log (append-only: the schema refuses UPDATE and DELETE) ---- */

/* who: partner name or "local"; action: "write", "read", "delete",
 * "partner-add", ...; object: STIX id or collection id or ""; detail: free.
 * Provenance: a "write" or "fed-pull" row whose who is a partner with a url
 * (one this node federates with) and whose detail is the collection id,
 * written in the transaction right after the store_put that added that
 * object (as the TAXII server and federation do), marks that version as
 * coming from the partner (store_row.origin), by a trigger in the schema
 * (docs/federation.md). */
ALD_API ald_err store_audit(store *s, int64_t when_us, const char *who, const char *action,
                            const char *object, const char *detail);

#ifdef __cplusplus
}
#endif
#endif
