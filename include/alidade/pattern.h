/*
 * pattern.h - STIX 2.1 patterning: the parsed form of a pattern (the AST),
 * the parser that builds it and the evaluator over observed-data.
 *
 * A pattern is parsed once into an ald_pattern that owns every node (one
 * arena, freed with ald_pattern_free). The tree is read-only after parsing
 * and is public so that lib/match can look inside it (to recognise the
 * "simple" indicators it compiles into its fast structures) without a second
 * parser. Grammar: OASIS STIXPattern.g4 (STIX 2.1 section 9); precedence,
 * lowest first: FOLLOWEDBY, observation OR, observation AND, qualifiers;
 * inside brackets: OR, AND, property tests.
 */
#ifndef ALIDADE_PATTERN_H
#define ALIDADE_PATTERN_H

#include <stddef.h>
#include <stdint.h>

#include "error.h"

/* ---- constants -------------------------------------------------------- */

typedef enum {
    ALD_PV_STRING,      /* 'text': escapes (\' and \\) decoded; UTF-8 bytes */
    ALD_PV_INT,         /* 5, -3, +7 */
    ALD_PV_FLOAT,       /* 1.5, -.5 */
    ALD_PV_BOOL,        /* true, false */
    ALD_PV_BINARY,      /* b'base64': decoded bytes */
    ALD_PV_HEX,         /* h'0a1b': decoded bytes */
    ALD_PV_TIMESTAMP    /* t'2020-01-01T00:00:00Z': seconds + nanoseconds */
} ald_pval_type;

typedef struct ald_pval {
    ald_pval_type type;
    size_t pos;                 /* byte offset of the literal in the pattern */
    union {
        struct { const char *p; size_t len; } str;   /* STRING (NUL-terminated too) */
        struct { const uint8_t *p; size_t len; } bin; /* BINARY, HEX */
        int64_t i;                                   /* INT */
        double f;                                    /* FLOAT */
        int b;                                       /* BOOL */
        struct { int64_t sec; int32_t nsec; } ts;    /* TIMESTAMP, UTC */
    } u;
} ald_pval;

/* ---- object paths: type:step.step[0].step[*] ------------------------- */

typedef enum {
    ALD_PSTEP_KEY,      /* .name or .'quoted name' (first step: after ':') */
    ALD_PSTEP_INDEX,    /* [n], n may be negative (counted from the end) */
    ALD_PSTEP_ANY       /* [*] */
} ald_pstep_kind;

typedef struct ald_pstep {
    ald_pstep_kind kind;
    const char *key;            /* KEY: unquoted, NUL-terminated */
    size_t keylen;
    int64_t index;              /* INDEX */
} ald_pstep;

typedef struct ald_ppath {
    const char *object_type;    /* e.g. "ipv4-addr", NUL-terminated */
    const ald_pstep *steps;     /* at least one, steps[0] is a KEY */
    size_t nsteps;
    size_t pos;                 /* byte offset of the path in the pattern */
} ald_ppath;

/* ---- comparison expressions (inside [ ]) ----------------------------- */

typedef enum {
    ALD_POP_EQ, ALD_POP_NE, ALD_POP_LT, ALD_POP_LE, ALD_POP_GT, ALD_POP_GE,
    ALD_POP_IN, ALD_POP_LIKE, ALD_POP_MATCHES, ALD_POP_ISSUBSET,
    ALD_POP_ISSUPERSET, ALD_POP_EXISTS
} ald_pop;

typedef enum { ALD_PCE_TEST, ALD_PCE_AND, ALD_PCE_OR } ald_pce_kind;

typedef struct ald_pcexpr {
    ald_pce_kind kind;
    /* TEST: `path [NOT] op value(s)`; EXISTS has no value, IN has nvals >= 0 */
    ald_ppath path;
    ald_pop op;
    int negated;                /* NOT before the operator (or before EXISTS) */
    const ald_pval *vals;
    size_t nvals;
    /* AND, OR: both sides */
    const struct ald_pcexpr *l, *r;
} ald_pcexpr;

/* ---- observation expressions ----------------------------------------- */

typedef enum {
    ALD_POE_OBS,        /* [ comparison expression ] */
    ALD_POE_AND, ALD_POE_OR, ALD_POE_FOLLOWEDBY,
    ALD_POE_WITHIN,     /* sub WITHIN n SECONDS */
    ALD_POE_REPEATS,    /* sub REPEATS n TIMES */
    ALD_POE_STARTSTOP   /* sub START t STOP t */
} ald_poe_kind;

typedef struct ald_poexpr {
    ald_poe_kind kind;
    const ald_pcexpr *cmp;              /* OBS */
    const struct ald_poexpr *l, *r;     /* AND, OR, FOLLOWEDBY: both; qualifiers: l */
    double within_s;                    /* WITHIN (> 0) */
    int64_t repeats;                    /* REPEATS (> 0) */
    ald_pval start, stop;               /* STARTSTOP: TIMESTAMP values */
    size_t pos;
} ald_poexpr;

/* ---- parser ------------------------------------------------------------ */

typedef struct ald_pattern ald_pattern;

/*
 * Brackets and parentheses nest at most this deep, and the tree is at most
 * this deep (nodes from the root to a leaf, observation and comparison nodes
 * together): code walking the tree may recurse. Chains of one operator
 * (`a OR b OR c ...`, AND, FOLLOWEDBY) are built as balanced binary trees
 * (the three are associative), not left-deep: do not rely on the shape of a
 * chain, only on its order (left to right is the pattern's order).
 */
#define ALD_PATTERN_MAX_DEPTH 1000

/*
 * Parses `len` bytes of `src` (need not be NUL-terminated). On success
 * returns ALD_E_OK and *out owns the tree. On failure returns ALD_E_PATTERN
 * (or ALD_E_NOMEM), *out is NULL and `err` (if not NULL) says where
 * (err->offset, err->col: 0-based byte offset / 1-based column) and why,
 * naming what was expected and what was found ("expected AND, OR or ']' to
 * close the observation, found 'x'"); err->line is 1, err->col counts
 * characters. ALD_E_ARG when out is NULL or src is NULL with len > 0.
 * Besides the grammar it makes the OASIS validator's checks (hash values,
 * one qualifier type per bracketed observation): see docs/pattern.md.
 */
ald_err ald_pattern_parse(const char *src, size_t len, ald_pattern **out,
                          struct ald_errpos *err);
/*
 * The same with flags. ALD_PATTERN_LENIENT accepts what the OASIS reference
 * MATCHER evaluates although the grammar and the validator refuse it: a
 * qualifier twice on one bracketed observation ("[a] REPEATS 2 TIMES
 * REPEATS 5 TIMES") and START/STOP with plain string timestamps (STIX 2.0
 * syntax). `alidade pattern check` is strict; `pattern match` is lenient.
 */
#define ALD_PATTERN_LENIENT 1u
ald_err ald_pattern_parse_ex(const char *src, size_t len, unsigned flags, ald_pattern **out,
                             struct ald_errpos *err);
const ald_poexpr *ald_pattern_root(const ald_pattern *p);
/* The pattern text as given. */
const char *ald_pattern_text(const ald_pattern *p);
void ald_pattern_free(ald_pattern *p);

/*
 * Canonical text of a parsed pattern: single spaces, '=' and '!=', keys
 * quoted only when they must be, literals in one spelling (strings with
 * only \' and \\ escaped, floats in shortest round-trip positional form,
 * hex in lower case, base64 padded, timestamps normalised with the fraction
 * trimmed), parentheses only where precedence or the duplicate-qualifier
 * rule needs them. parse(format(p)) formats to the same text.
 * Writes at most cap bytes including a NUL (when cap > 0) and returns the
 * length of the whole text (like snprintf): call with cap 0 to size.
 */
size_t ald_pattern_format(const ald_pattern *p, char *buf, size_t cap);
/* The same for one observation or comparison expression of a tree. */
size_t ald_pattern_format_obs(const ald_poexpr *e, char *buf, size_t cap);
size_t ald_pattern_format_cmp(const ald_pcexpr *c, char *buf, size_t cap);

#endif
