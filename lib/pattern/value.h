/*
 * value.h - the conversions the evaluator needs (lib/pattern internal):
 * timestamps, hex and base64 as the reference decodes them, IPv4/IPv6
 * subnet containment, UTF-8 to Latin-1, Unicode NFC.
 */
#ifndef ALD_PATTERN_VALUE_H
#define ALD_PATTERN_VALUE_H

#include <stddef.h>
#include <stdint.h>

/* Hex digits (either case, even count) to bytes; out needs n/2 bytes.
 * Returns the byte count or -1. */
long pv_unhex(const char *s, size_t n, uint8_t *out);
/* Base64 as Python's base64.standard_b64decode (non-strict: characters
 * outside the alphabet are skipped, decoding stops at complete padding, an
 * incomplete last quantum is an error). out needs n*3/4+3 bytes. */
long pv_unbase64(const char *s, size_t n, uint8_t *out);

/* UTF-8 text to Latin-1 bytes when every code point is < 256 (out needs n
 * bytes). Returns the byte count, or -1 when a code point is >= 256 or the
 * text is not UTF-8. */
long pv_utf8_to_latin1(const uint8_t *s, size_t n, uint8_t *out);
/* Decodes one code point at s (n > 0 bytes left): its length, or -1 when
 * the bytes are not UTF-8 (overlong forms and surrogates included). */
int pv_utf8_next(const uint8_t *s, size_t n, uint32_t *cp);
/* 1 when s[0..n) is valid UTF-8. */
int pv_utf8_valid(const uint8_t *s, size_t n);

/*
 * ISSUBSET / ISSUPERSET: is the address or subnet `inner` contained in the
 * subnet `outer` ("a.b.c.d/p")? IPv4 as the reference reads it (inet_aton,
 * prefix 1..32); IPv6 (an extension: the reference has none) with prefix
 * 1..128; an IPv4 against an IPv6 value is not contained. Returns 1/0, or
 * -1 with a message in msg (msglen bytes) when either is not an address or
 * subnet.
 */
int pv_in_subnet(const char *inner, const char *outer, char *msg, size_t msglen);

/*
 * Canonical composition (NFC) of UTF-8 text. *out is malloc'd (NUL
 * terminated), *outlen its length. Returns 0, or -1 when out of memory or
 * the input is not UTF-8.
 */
int pv_nfc(const uint8_t *s, size_t n, uint8_t **out, size_t *outlen);

#endif
