/*
 * internal.h - what the files of lib/pattern share and nobody else sees:
 * the node arena (arena.c), the tokens of the lexer (lex.c) and the error
 * slot the lexer and the parser fill (parse.c).
 */
#ifndef ALD_PATTERN_INTERNAL_H
#define ALD_PATTERN_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "alidade/pattern.h"

/* ---- arena ------------------------------------------------------------ */

/* Chunks of memory handed out in order and freed all at once: a pattern is
 * a few hundred bytes of nodes, and lib/match parses millions of them, so
 * one malloc per pattern (the first chunk is sized from the input) instead
 * of one per node. */
typedef struct pat_chunk pat_chunk;
typedef struct {
    pat_chunk *head;        /* current chunk (newest first) */
    size_t total;           /* bytes malloc'd so far */
    size_t limit;           /* refuse to go beyond (bounded memory) */
} pat_arena;

void pat_arena_init(pat_arena *a, size_t first, size_t limit);
/* n bytes aligned for any node; NULL when out of memory or over the limit */
void *pat_alloc(pat_arena *a, size_t n);
/* Grows the block `old` (oldn bytes, the last one allocated) to newn bytes,
 * in place when it is at the end of the current chunk, else by copying. */
void *pat_grow(pat_arena *a, void *old, size_t oldn, size_t newn);
/* Bytes handed out (rounded) over all chunks, and how many chunks. */
size_t pat_arena_used(const pat_arena *a, size_t *nchunks);
void pat_arena_free(pat_arena *a);

/* ---- errors ------------------------------------------------------------ */

typedef struct {
    int set;                /* first error wins */
    int nomem;              /* the error is ALD_E_NOMEM */
    size_t off;
    char msg[96];
} pat_err;

/* Sets the error (if none yet) with a printf-style message; returns -1. */
int pat_fail(pat_err *e, size_t off, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* ---- tokens ------------------------------------------------------------ */

typedef enum {
    T_EOF,
    /* punctuation */
    T_LBRACK, T_RBRACK, T_LPAREN, T_RPAREN, T_COLON, T_DOT, T_COMMA,
    T_ASTERISK, T_EQ, T_NE, T_LT, T_LE, T_GT, T_GE,
    T_PLUS, T_MINUS, T_POWER, T_DIVIDE,     /* lexed, never valid */
    /* keywords (upper case only) */
    T_AND, T_OR, T_NOT, T_FOLLOWEDBY, T_LIKE, T_MATCHES, T_ISSUPERSET,
    T_ISSUBSET, T_EXISTS, T_LAST, T_IN, T_START, T_STOP, T_SECONDS,
    T_WITHIN, T_REPEATS, T_TIMES, T_TRUE, T_FALSE,
    /* identifiers and literals */
    T_IDENT, T_STRING, T_INT, T_FLOAT, T_BINARY, T_HEX, T_TIMESTAMP
} pat_tok;

typedef struct {
    pat_tok t;
    size_t pos, len;        /* bytes of the token in the input */
    int hyphen;             /* IDENT: contains '-' (object types only) */
    int neg;                /* INT, FLOAT: written with a leading '-' */
    int64_t i;              /* INT: value */
    int64_t sec;            /* TIMESTAMP: seconds since 1970, UTC */
    int32_t nsec;
} pat_token;

typedef struct {
    const char *src;
    size_t len, pos;
    pat_err *err;
} pat_lexer;

/* Next token into *t; -1 on a lexical error (err set). */
int pat_lex(pat_lexer *lx, pat_token *t);
/* The timestamp text [b, b+n) of src into t->sec/nsec; -1 (err set) when it
 * is not RFC 3339 as STIX writes it. */
int pat_lex_timestamp(pat_lexer *lx, pat_token *t, size_t b, size_t n);
/* Offset of a comment met before the first '[' (only blanks and '(' before
 * it), len when there is none. */
size_t pat_leading_comment(const char *src, size_t len);
/* Short description of a token for messages: "'AND'", "string 'ab...'",
 * "end of pattern". Writes at most cap bytes, NUL-terminated. */
void pat_tok_describe(const char *src, const pat_token *t, char *buf, size_t cap);
/* Keyword text ("AND") of a keyword token, NULL otherwise. */
const char *pat_keyword(pat_tok t);
/* 1 when [s, s+n) is a property name that needs no quotes: an identifier
 * without hyphen that is not a keyword. */
int pat_bare_key(const char *s, size_t n);
/* Days since 1970-01-01 of a proleptic Gregorian date (month/day may
 * overflow their ranges: they are counted on, like timegm). */
int64_t pat_days_from_civil(int64_t y, unsigned m, unsigned d);
/* Shortest decimal text that strtod reads back as v (finite), positional
 * (no exponent) with at least one digit after the point: "7.0", "-0.5".
 * Returns the length written (cap >= 400 always suffices... up to 1100). */
size_t pat_format_double(double v, char *buf, size_t cap);
/* strtod of [s, s+n) in the C locale whatever the process locale is. */
double pat_strtod(const char *s, size_t n, char *tmp, size_t tmpcap);

/* The parsed pattern: the arena holds the struct itself, the nodes and a
 * copy of the text. */
struct ald_pattern {
    pat_arena arena;
    const char *text;
    size_t len;
    const ald_poexpr *root;
};

#endif
