/*
 * uuid.h - name-based UUIDs (RFC 9562 version 5, SHA-1) so that the same
 * fact always gets the same STIX id on every node: a maritime event detected
 * twice, or by two partners from the same data, deduplicates by id.
 */
#ifndef ALD_CORE_UUID_H
#define ALD_CORE_UUID_H

#include <stddef.h>
#include <stdint.h>

/* SHA-1 (FIPS 180-4), incrementally: init, update any number of times with
 * any lengths, final. Inputs up to 2^61 bytes. */
struct ald_sha1 {
    uint32_t h[5];
    uint64_t n;          /* bytes so far */
    uint8_t buf[64];     /* the current partial block */
};
void ald_sha1_init(struct ald_sha1 *c);
void ald_sha1_update(struct ald_sha1 *c, const void *data, size_t n);
void ald_sha1_final(struct ald_sha1 *c, uint8_t out[20]);
/* SHA-1 of n bytes into out[20]. */
void ald_sha1(const void *data, size_t n, uint8_t out[20]);

/* Version 5 UUID of the n bytes of `name` (any length) in namespace ns[16],
 * written as 36 lowercase characters plus NUL into out[37], as Python's
 * uuid.uuid5(ns, name) prints it. */
void ald_uuid5(const uint8_t ns[16], const char *name, size_t n, char out[37]);

/* alidade's own namespace for name-based STIX ids of the objects a node
 * makes (events, sightings, observed-data): a fixed random UUID,
 * f2c350da-ec4b-416a-a9b3-db1421e0d7d2. SCO ids use the STIX 2.1 SCO
 * namespace 00abedb4-aa42-466c-9c01-fed23315a9b7 instead (spec 2.9). */
extern const uint8_t ald_uuid_ns[16];

#endif
