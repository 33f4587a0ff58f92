/*
 * uuid.h - name-based UUIDs (RFC 4122 version 5, SHA-1) so that the same
 * fact always gets the same STIX id on every node: a maritime event detected
 * twice, or by two partners from the same data, deduplicates by id.
 */
#ifndef ALD_CORE_UUID_H
#define ALD_CORE_UUID_H

#include <stddef.h>
#include <stdint.h>

/* SHA-1 of n bytes (FIPS 180-4) into out[20]. */
void ald_sha1(const void *data, size_t n, uint8_t out[20]);

/* Version 5 UUID of `name` in namespace ns[16], written as 36 lowercase
 * characters plus NUL into out[37]. */
void ald_uuid5(const uint8_t ns[16], const char *name, size_t n, char out[37]);

#endif
