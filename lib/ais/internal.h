/*
 * internal.h - functions shared between the files of lib/ais (not exported).
 */
#ifndef ALD_AIS_INTERNAL_H
#define ALD_AIS_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "alidade/ais.h"
#include "core/sb.h"

/* Six-bit text from `start` to the end of the message, trimmed. */
void ais_endchars(const uint8_t *buf, size_t bitlen, size_t start,
                  char *to, size_t to_sz);

/* app.c: decode the DAC/FI application payload of a type 6 / type 8 message
 * whose header fields (dac, fid, bitcount) are already set. Returns true and
 * fills t->app when the DAC/FI is one gpsd decodes (structured output). */
bool ais_app6_decode(struct ais_binmsg6 *t, const uint8_t *bits, size_t bitlen);
bool ais_app8_decode(struct ais_binmsg8 *t, const uint8_t *bits, size_t bitlen);

/* app_json.c: append the members of a structured payload, each preceded by
 * a comma (e.g. `,"airdraught":12`), without the closing brace. */
void ais_app6_json(ald_sb *sb, const struct ais_binmsg6 *t, bool scaled);
void ais_app8_json(ald_sb *sb, const struct ais_binmsg8 *t, bool scaled);

#endif
