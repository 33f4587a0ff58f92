/*
 * match_general.h - the indicators lib/match cannot compile into its fast
 * structures (GENERAL ones: any STIX pattern) evaluated over log records
 * with the full pattern evaluator (pattern_match.h).
 *
 * Each record a scanner parses becomes one observation (its observed-data
 * and SCOs, lib/match/observed.c). A single-observation pattern ("[...]"
 * without qualifiers) is decided on that observation alone, at once. A
 * pattern over several observations (AND, OR, FOLLOWEDBY between
 * observations, WITHIN, REPEATS, START/STOP) keeps the observations that
 * match at least one of its [ ... ] parts (its candidates: only those can
 * take part in a binding) and is decided by ald_general_step: a match is
 * reported once the candidate completing it has come, and the candidates
 * up to that one are then consumed, so each observation is in one match at
 * most. The matches do not depend on when ald_general_step is called (after
 * each record, each block, or once at the end: the live node and `alidade
 * match` agree). Memory holds at most `max_obs` candidates per indicator
 * (the oldest go) and, for a pattern qualified WITHIN n SECONDS as a whole,
 * none older than n seconds before the newest. See docs/match.md.
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
    const char *const *texts;       /* the raw lines (as given to _record) */
    const size_t *lens;
    const int64_t *offsets;         /* their byte offsets as given (-1: unknown) */
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
 * One record (line `line` of `source`, its raw text `text`/`len`, copied
 * while it is a candidate, and its byte offset in the file, -1 when the
 * caller does not know it): single-observation indicators that match it go
 * to cb now; it becomes a candidate of the others it may take part in.
 * ALD_E_OK; ALD_E_ARG when cb asked to stop; ALD_E_NOMEM. A record with
 * nothing to observe (no address, name or hash) is skipped.
 */
ald_err ald_general_record(ald_general *g, const ald_logrec *rec, const char *source,
                           uint64_t line, const char *text, size_t len, int64_t offset,
                           ald_general_cb cb, void *ctx);

/* Decides the multi-observation indicators over the candidates so far:
 * each match completed goes to cb (the observations of the binding the
 * reference's search order finds in the shortest matching run of
 * candidates), and the candidates up to the completing one are consumed.
 * Costs an evaluation per indicator with new candidates (and log2 more
 * per match); nothing for the others. */
ald_err ald_general_step(ald_general *g, ald_general_cb cb, void *ctx);

/* End of input: ald_general_step; *truncated (may be NULL) counts the
 * indicators that dropped candidates past max_obs. */
ald_err ald_general_finish(ald_general *g, ald_general_cb cb, void *ctx, size_t *truncated);

/* Candidates held (all indicators). */
size_t ald_general_pending(const ald_general *g);

/* A new set compiled while the stream goes on (live recompile): the
 * candidates of each multi-observation indicator of `from` that `to` also
 * has (same id, same pattern) move to `to`, so a binding spanning the
 * recompile is still found. `from` keeps the rest (freed with it). */
void ald_general_adopt(ald_general *to, ald_general *from);

#endif
