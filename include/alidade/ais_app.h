/*
 * ais_app.h - decoded application-specific payloads of AIS binary messages
 * (type 6 addressed, type 8 broadcast), keyed by DAC/FI.
 *
 * PLACEHOLDER layout: filled in by lib/ais/app.c. Until a DAC/FI is decoded
 * there, the message keeps structured=false and its raw bits are printed.
 */
#ifndef ALIDADE_AIS_APP_H
#define ALIDADE_AIS_APP_H

#include <stdbool.h>
#include <stdint.h>

struct ais_app6 {
    int unused;
};

struct ais_app8 {
    int unused;
};

#endif
