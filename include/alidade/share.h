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
 *   4. re-sharing (TLP 2.0): a version that came from another partner
 *      (store_row.origin set and not this partner's name: any partner's
 *      write) is readable only when its level is CLEAR or GREEN and the
 *      partner has `reshare` set, or when the originator addressed this
 *      partner on the object (a member of a group it is marked with, or
 *      named on it); otherwise AMBER, AMBER+STRICT and RED received from one
 *      partner never reach a third. The TAXII server and federation push
 *      both decide by this function (docs/federation.md).
 * All four must hold. The level is the strictest of store_row.tlp and the
 * TLP markings (1.0 ids as their 2.0 level); a level out of range is RED;
 * ids compare without regard to case; a partner without identity is named
 * on nothing.
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

/* A sharing group the node knows: its name and marking-definition id. */
struct share_group {
    char name[64];
    char id[STIX_ID_MAX];
};

/* Node-wide policy settings. */
struct share_config {
    enum stix_tlp default_tlp;       /* for objects without TLP marking (AMBER);
                                        STIX_TLP_NONE: AMBER; out of range:
                                        RED (fail closed) */
    /* Every sharing group this node knows (share_known_groups builds it from
     * the partners), borrowed. A marking is a sharing-group marking when its
     * id is one of these or one of the partner's own groups; other non-TLP
     * markings (copyright statements...) do not restrict. So with NULL/0
     * here a partner also sees objects marked for groups it is not in:
     * always fill it (docs/share.md). */
    const struct share_group *groups;
    size_t ngroups;
};

/* The distinct sharing groups of the partners, sorted by name, with their
 * marking ids: *out malloc'd (caller frees), *n of them. */
ALD_API ald_err share_known_groups(const struct store_partner *ps, size_t np,
                                   struct share_group **out, size_t *n);

/* Partner and group names: 1-63 characters of [A-Za-z0-9._-], not starting
 * with '-' or '.'. */
ALD_API bool share_name_valid(const char *name);
/* A comma-separated list of valid names (groups), or "" (none); no blanks,
 * no empty items, fits in store_partner.groups. */
ALD_API bool share_groups_valid(const char *list);

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
/* The marking-definition object (JSON text, statement "Sharing group NAME",
 * fixed `created` so every node writes the same bytes) for that id; returns
 * its length, 0 if cap is too small or NAME is not share_name_valid. */
ALD_API size_t share_group_marking_json(const char *name, char *out, size_t cap);

/* A new bearer token: 32 random bytes (getrandom) as 43 base64url characters
 * plus NUL. ALD_E_IO when the system has no randomness to give. */
#define SHARE_TOKEN_TEXT 44
ALD_API ald_err share_token_new(char out[SHARE_TOKEN_TEXT]);
/* All n bytes from the kernel's CSPRNG (getrandom; blocks only before it is
 * seeded): tokens, session ids, salts. ALD_E_IO when the kernel refuses. */
ALD_API ald_err share_random_bytes(uint8_t *buf, size_t n);
/* Hex SHA-256 of a token (what the store keeps). */
ALD_API void share_token_hash(const char *token, size_t len, char out[65]);
/* Constant-time equality of two NUL-terminated hex hashes of equal length
 * (false when the lengths differ: lengths are not secret). */
ALD_API bool share_hash_equal(const char *a, const char *b);
/* True when s[0..len) has the shape of a token (43 base64url characters):
 * lets a server refuse junk before hashing. */
ALD_API bool share_token_well_formed(const char *s, size_t len);

#ifdef __cplusplus
}
#endif
#endif
