/*
 * app.c - DAC/FI application-specific payloads of AIS binary messages.
 * (placeholder: no DAC/FI decoded yet; raw bits are printed instead)
 */
#include "ais/internal.h"

bool ais_app6_decode(struct ais_binmsg6 *t, const uint8_t *bits, size_t bitlen)
{
    (void)t; (void)bits; (void)bitlen;
    return false;
}

bool ais_app8_decode(struct ais_binmsg8 *t, const uint8_t *bits, size_t bitlen)
{
    (void)t; (void)bits; (void)bitlen;
    return false;
}
