/*
 * record_stix.h - the observed-data (and their cyber-observables) of the log
 * records a command reports, each object kept once, in the order first seen.
 */
#ifndef ALD_SRC_RECORD_STIX_H
#define ALD_SRC_RECORD_STIX_H

#include <stdint.h>

#include "alidade/error.h"
#include "alidade/logparse.h"

typedef struct record_stix record_stix;

/* identity_id: created_by_ref; now: STIX time of records without one */
record_stix *record_stix_new(const char *identity_id, const char *now);
void record_stix_free(record_stix *r);

/* Builds the observed-data of `rec` (line `line` of `source`), keeps it and
 * its SCOs (an SCO several records share is kept once: SCO ids are
 * deterministic) and writes the observed-data id into od_id. */
ald_err record_stix_add(record_stix *r, const ald_logrec *rec, const char *source,
                        uint64_t line, char od_id[96]);

/* The same for objects already built: JSON lines, the observed-data first
 * (lib/match/general.c hands them over so). */
ald_err record_stix_add_json(record_stix *r, const char *json, char od_id[96]);

/* Each kept object in the order first seen (an observed-data, then its SCOs).
 * Returns cb's first non-zero value, or 0. */
int record_stix_emit(const record_stix *r, int (*cb)(void *, const char *, size_t), void *ctx);

#endif
