/*
 * app_json.c - JSON for decoded DAC/FI payloads (gpsd member names).
 * (placeholder until app.c decodes payloads)
 */
#include "ais/internal.h"

void ais_app6_json(ald_sb *sb, const struct ais_binmsg6 *t, bool scaled)
{
    (void)sb; (void)t; (void)scaled;
}

void ais_app8_json(ald_sb *sb, const struct ais_binmsg8 *t, bool scaled)
{
    (void)sb; (void)t; (void)scaled;
}
