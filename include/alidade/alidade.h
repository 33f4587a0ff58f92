/*
 * alidade.h - umbrella header of libalidade: version, export macro, error codes.
 *
 * libalidade is the pure-logic library behind the `alidade` node: AIS decoding
 * today, tracks, detectors, STIX and TAXII as the project grows. No globals, no
 * I/O inside parsers; callers own every buffer they pass in.
 */
#ifndef ALIDADE_ALIDADE_H
#define ALIDADE_ALIDADE_H

#if defined(__GNUC__)
#define ALD_API __attribute__((visibility("default")))
#else
#define ALD_API
#endif

#define ALD_VERSION "0.1.0"

#include "alidade/error.h"

#endif
