/*
 * share.h - who may see and write what: the per-partner access policy that
 * the TAXII server (and, later, federation push) applies to every object,
 * and partner credentials (bearer tokens stored only as hashes, compared in
 * constant time).
 *
 * Read policy for one object version and one partner (docs/share.md):
 *   1. the partner must be granted read on the collection ("*" or its id);
 *   2. sharing groups: an object marked with one or more sharing-group
 *      markings (marking-definition ids share_group_marking_id(NAME)) is
 *      readable only by partners in at least one of those groups;
 *   3. TLP 2.0 (an object without a TLP marking takes the node's default):
 *      CLEAR, GREEN, AMBER, AMBER+STRICT: readable under 1-2;
 *      RED: only by partners named on the object: its creator
 *      (created_by_ref == the partner's identity) or listed in
 *      x_alidade_recipients.
 * What a partner cannot read is invisible: the server answers as if it did
 * not exist (no 403 vs 404 difference, no counts, no versions).
 */
#ifndef ALIDADE_SHARE_H
#define ALIDADE_SHARE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "alidade/alidade.h"
#include "alidade/stix.h"
#include "alidade/store.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Node-wide policy settings. */
struct share_config {
    enum stix_tlp default_tlp;       /* for objects without TLP marking (AMBER) */
};

/* True when the partner may read the object version in that collection. */
ALD_API bool share_can_read(const struct share_config *cfg, const struct store_partner *p,
                            const char *collection, const struct store_row *obj);
/* True when the partner may read (resp. write) the collection at all. */
ALD_API bool share_collection_readable(const struct store_partner *p, const char *collection);
ALD_API bool share_collection_writable(const struct store_partner *p, const char *collection);

/* The marking-definition id of sharing group NAME: UUIDv5 of
 * "alidade-sharing-group:" NAME in the alidade namespace, the same on every
 * node, written with its "marking-definition--" prefix into out. */
ALD_API void share_group_marking_id(const char *name, char out[STIX_ID_MAX]);
/* The marking-definition object (JSON text, statement "Sharing group NAME")
 * for that id; returns its length, 0 if cap is too small. */
ALD_API size_t share_group_marking_json(const char *name, char *out, size_t cap);

/* A new bearer token: 32 random bytes (getrandom) as 43 base64url characters
 * plus NUL. ALD_E_IO when the system has no randomness to give. */
#define SHARE_TOKEN_TEXT 44
ALD_API ald_err share_token_new(char out[SHARE_TOKEN_TEXT]);
/* Hex SHA-256 of a token (what the store keeps). */
ALD_API void share_token_hash(const char *token, size_t len, char out[65]);
/* Constant-time equality of two NUL-terminated hex hashes of equal length. */
ALD_API bool share_hash_equal(const char *a, const char *b);

#ifdef __cplusplus
}
#endif
#endif
