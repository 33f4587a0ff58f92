/*
 * pattern_match.h - evaluating a parsed STIX 2.1 pattern (pattern.h) against
 * observations, with the semantics of the OASIS reference matcher
 * (cti-pattern-matcher "stix2matcher" 3.0): docs/pattern-eval.md.
 *
 * Two parts:
 *  - ald_obsset: observations loaded from STIX JSON (a bundle, an array of
 *    bundles and/or observed-data with their SCOs, or JSON lines of those);
 *    each observed-data becomes one ald_pobs with its cyber-observable
 *    objects. A caller with its own objects (lib/match: one log line) fills
 *    an ald_pobs itself.
 *  - ald_pmatch: a pattern compiled once (literals converted, regexes
 *    compiled with PCRE2, set literals checked) and evaluated many times:
 *    against a whole observation set (observation operators, qualifiers,
 *    bindings) or, the fast path, against one observation.
 *
 * An ald_pmatch keeps scratch buffers and PCRE2 match data: use one per
 * thread. Errors the reference reports as a MatcherException (a string
 * compared with a timestamp literal is not a timestamp, WITHIN 0, a mixed
 * set literal, a bad CIDR, a regex PCRE2 refuses, ...) are ALD_E_PATTERN_EVAL
 * with a message in err->msg.
 */
#ifndef ALIDADE_PATTERN_MATCH_H
#define ALIDADE_PATTERN_MATCH_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "error.h"
#include "pattern.h"

/* ---- observations ------------------------------------------------------ */

/* One observed-data: its time window, its count and its objects. */
typedef struct ald_pobs {
    const char *id;             /* observed-data id; NULL when absent */
    const char *container_id;   /* id of the bundle it came in; NULL if none */
    size_t pos;                 /* 1-based position among the input's observed-data */
    int64_t first_us, last_us;  /* first_observed, last_observed: µs since 1970 UTC */
    int64_t number_observed;    /* >= 1 */
    /* 1 when the objects came from object_refs (STIX 2.1): the reference
     * then never matches object types 'observed-data' and 'identity'. */
    int v21;
    size_t nobjs;
    json_t *const *objs;        /* the cyber-observable objects (JSON objects) */
    /* The names references use for them: "id" (2.1) or the key in the
     * embedded `objects` dictionary (2.0). NULL entries never resolve; a
     * NULL array means each object's own "id". */
    const char *const *keys;
} ald_pobs;

typedef struct ald_obsset ald_obsset;

/*
 * Loads observations from `len` bytes of JSON text: one or more JSON values
 * one after the other (a document, or JSON lines). A value is a bundle, an
 * observed-data, an SCO (referenced by an observed-data's object_refs from
 * outside a bundle), or an array of those. An observed-data with
 * `object_refs` takes the objects it names (in its bundle, or among the
 * top-level objects of the input); otherwise its embedded `objects`
 * dictionary (STIX 2.0 style).
 * Errors: ALD_E_JSON (err: line, col, msg), ALD_E_PATTERN_EVAL for an
 * observed-data the reference refuses (no or bad first_observed,
 * last_observed, number_observed < 1), ALD_E_NOMEM. (last_observed before
 * first_observed is an error only where windows are compared: WITHIN,
 * START/STOP.)
 */
ald_err ald_obsset_parse(const char *text, size_t len, ald_obsset **out,
                         struct ald_errpos *err);
size_t ald_obsset_count(const ald_obsset *s);
const ald_pobs *ald_obsset_get(const ald_obsset *s, size_t i);
void ald_obsset_free(ald_obsset *s);

/*
 * A STIX timestamp as the reference reads one (Python strptime
 * "%Y-%m-%dT%H:%M:%S[.%f]Z", upper-case T and Z, fraction truncated to
 * microseconds). Returns 0 and sets *us, or -1.
 */
int ald_pts_parse(const char *s, size_t n, int64_t *us);

/* ---- evaluation ---------------------------------------------------------- */

typedef struct ald_pmatch ald_pmatch;

/*
 * Compiles `p` (which must outlive the evaluator). ALD_E_PATTERN_EVAL when
 * the pattern cannot be evaluated whatever the data (WITHIN <= 0, a set
 * literal mixing types, a regex PCRE2 rejects): err->offset/col point at
 * the literal, err->msg says why.
 */
ald_err ald_pmatch_new(const ald_pattern *p, ald_pmatch **out, struct ald_errpos *err);
void ald_pmatch_free(ald_pmatch *m);

/* 1 when the pattern is one [ comparison expression ] with no qualifier:
 * whether it matches is then a property of each observation alone. */
int ald_pmatch_is_single(const ald_pmatch *m);

/*
 * Fast path: does observation `o` satisfy the comparison expression of a
 * single-observation pattern (ald_pmatch_is_single)? *matched = 0/1.
 * ALD_E_ARG for another pattern, ALD_E_PATTERN_EVAL for a data error.
 */
ald_err ald_pmatch_one(ald_pmatch *m, const ald_pobs *o, int *matched,
                       struct ald_errpos *err);

/* One observation bound in a binding: observation index in the set and
 * which of its number_observed instances (0-based). */
typedef struct ald_pbound {
    size_t obs;
    int64_t inst;
} ald_pbound;

typedef struct ald_pmatch_result {
    int matched;
    /* The first binding the reference's search order finds: one entry per
     * observation expression it bound (unbound OR branches are left out). */
    ald_pbound *binding;
    size_t nbinding;
} ald_pmatch_result;

/*
 * Evaluates the whole pattern over the observations of `s`. On ALD_E_OK
 * *res says whether it matched and with which binding (free it with
 * ald_pmatch_result_clear). ALD_E_PATTERN_EVAL: a data error (err->msg).
 */
ald_err ald_pmatch_observations(ald_pmatch *m, const ald_obsset *s,
                                ald_pmatch_result *res, struct ald_errpos *err);
/* The same over an array of observations the caller owns. */
ald_err ald_pmatch_run(ald_pmatch *m, const ald_pobs *obs, size_t nobs,
                       ald_pmatch_result *res, struct ald_errpos *err);
void ald_pmatch_result_clear(ald_pmatch_result *res);

/*
 * Every binding, in the reference's order: cb gets each one (n entries,
 * valid during the call) and returns nonzero to stop; at most `max`
 * bindings (0: no limit; their number can grow combinatorially).
 * *count (may be NULL) says how many were found.
 */
typedef int (*ald_pbinding_cb)(void *ctx, const ald_pbound *b, size_t n);
ald_err ald_pmatch_each(ald_pmatch *m, const ald_pobs *obs, size_t nobs, size_t max,
                        ald_pbinding_cb cb, void *ctx, size_t *count, struct ald_errpos *err);

/*
 * The observations the reference's match() returns for a binding: the
 * distinct observations bound through their first instance (instance 0),
 * in input order. Writes at most `cap` indices to out and returns how many
 * there are.
 */
size_t ald_pmatch_reference_sdos(const ald_pmatch_result *res, size_t *out, size_t cap);

#endif
