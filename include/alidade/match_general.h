/*
 * match_general.h - the indicators lib/match cannot compile into its fast
 * structures (GENERAL ones: any STIX pattern) evaluated over log records
 * with the full pattern evaluator (pattern_match.h).
 *
 * Each record a scanner parses becomes one observation (its observed-data
 * and SCOs, lib/match/observed.c). A single-observation pattern ("[...]"
 * without qualifiers) is decided on that observation alone, at once. A
 * pattern over several observations (AND, OR, FOLLOWEDBY between
 * observations, WITHIN, REPEATS, START/STOP) is decided at the end of the
 * stream over the observations that match at least one of its [ ... ]
 * parts: only those can take part in a binding, so the answer is the
 * evaluator's over the whole log, while memory holds only candidates (at
 * most `max_obs` per indicator; beyond that the indicator is reported as
 * truncated). See docs/match.md.
 */
#ifndef ALIDADE_MATCH_GENERAL_H
#define ALIDADE_MATCH_GENERAL_H

#include <stddef.h>
#include <stdint.h>

#include "error.h"
#include "logparse.h"
#include "match.h"

typedef struct ald_general ald_general;

struct ald_general_opts {
    const char *identity_id;    /* created_by_ref of the observed-data */
    const char *now;            /* time of records without one (text lines) */
    size_t max_obs;             /* candidates kept per multi-observation
                                   indicator (0: 100,000) */
};

/* One match of a general indicator: the observations that make it. */
typedef struct ald_general_hit {
    size_t indicator;               /* index in the set */
    const char *id;                 /* the indicator's id */
    size_t nobs;
    const char *const *od_ids;      /* the observed-data ids, in input order */
    const int64_t *times_us;        /* their first_observed */
    const char *const *od_json;     /* each observation's objects: JSON lines
                                       (observed-data first, then its SCOs) */
    const char *const *sources;     /* the log each came from */
    const uint64_t *lines;          /* and its line there */
} ald_general_hit;

typedef int (*ald_general_cb)(void *ctx, const ald_general_hit *hit);

/*
 * Compiles every GENERAL indicator of the compiled set `s` (which must
 * outlive g). Indicators the evaluator refuses whatever the data (a regex
 * PCRE2 rejects, a mixed set literal) are reported through warn and left
 * out. NULL when out of memory.
 */
ald_general *ald_general_new(const ald_iset *s, const struct ald_general_opts *o,
                             void (*warn)(void *ctx, const char *id, const char *why),
                             void *ctx);
void ald_general_free(ald_general *g);

/* Indicators evaluated: single-observation ones and the others. */
void ald_general_counts(const ald_general *g, size_t *single, size_t *multi);

/*
 * One record (line `line` of `source`): single-observation indicators that
 * match it go to cb now; candidates of the others are kept. ALD_E_OK;
 * ALD_E_ARG when cb asked to stop; ALD_E_NOMEM. A record with nothing to
 * observe (no address, name or hash) is skipped.
 */
ald_err ald_general_record(ald_general *g, const ald_logrec *rec, const char *source,
                           uint64_t line, ald_general_cb cb, void *ctx);

/* End of input: evaluates the multi-observation indicators over their
 * candidates; each that matches goes to cb once, with the observations of
 * the first binding the reference's search order finds. *truncated (may be
 * NULL) counts the indicators whose candidates overflowed max_obs. */
ald_err ald_general_finish(ald_general *g, ald_general_cb cb, void *ctx, size_t *truncated);

#endif
