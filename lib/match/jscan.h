/*
 * jscan.h - a small JSON scanner that allocates nothing, for log lines.
 *
 * A log line is scanned once, left to right: the caller walks the members
 * it cares about and skips the rest (js_skip never builds anything), so the
 * cost is one pass over the bytes whatever the line holds. Jansson would
 * allocate a node per value, which is most of the time on a 2 KB EVE line.
 *
 * Every byte the scanner passes is checked against RFC 8259 (strings,
 * escapes, numbers, literals, commas, colons, nesting), including in skipped
 * values, so a malformed line is rejected with the byte offset and the
 * reason. Bytes >= 0x80 inside strings are not checked as UTF-8 (logs carry
 * whatever the sensor saw; observed.c makes its output valid UTF-8).
 */
#ifndef ALD_MATCH_JSCAN_H
#define ALD_MATCH_JSCAN_H

#include <stdbool.h>
#include <stddef.h>

/* Deepest nesting of objects and arrays accepted (Suricata writes 4). */
#define JS_MAX_DEPTH 128

typedef enum { JS_NONE = 0, JS_STR, JS_NUM, JS_TRUE, JS_FALSE, JS_NULL, JS_OBJ, JS_ARR } js_type;

typedef struct {
    const char *s;      /* the text */
    size_t n;
    size_t i;           /* cursor */
    unsigned depth;     /* containers open */
    const char *err;    /* why it stopped; NULL while fine */
    size_t err_at;      /* byte offset of the problem */
} jscan;

typedef struct {
    js_type t;
    const char *p;      /* JS_STR: the bytes between the quotes, still escaped;
                           other scalars: the token */
    size_t n;
    bool esc;           /* JS_STR: holds a backslash escape (js_unescape) */
} jsval;

static inline void js_init(jscan *j, const char *s, size_t n)
{
    j->s = s;
    j->n = n;
    j->i = 0;
    j->depth = 0;
    j->err = NULL;
    j->err_at = 0;
}

/* Reads the next value. Scalars are consumed whole; for an object or array
 * only the bracket is consumed (walk it with js_member / js_elem, or drop it
 * with js_close). False with j->err set on malformed input. */
bool js_value(jscan *j, jsval *v);

/* Inside an object (after js_value gave JS_OBJ): true with the next key
 * (its ':' consumed, the value is next), false at the closing '}' (consumed)
 * or on error (j->err set). *count starts at 0 for each object. */
bool js_member(jscan *j, jsval *key, unsigned *count);

/* Inside an array: true when an element follows (read it next), false at
 * ']' (consumed) or on error. *count starts at 0 for each array. */
bool js_elem(jscan *j, unsigned *count);

/* Skips one whole value, checking it. */
bool js_skip(jscan *j);

/* Skips the rest of the innermost open container, its closing bracket
 * included (after js_value gave JS_OBJ/JS_ARR and some members were read). */
bool js_close(jscan *j, js_type container);

/* True when only whitespace remains; otherwise sets the error. */
bool js_end(jscan *j);

/* Whether key is exactly the literal s (keys with escapes never match). */
static inline bool js_is(const jsval *k, const char *s, size_t n)
{
    return k->n == n && !k->esc && __builtin_memcmp(k->p, s, n) == 0;
}
#define JS_IS(k, lit) js_is((k), (lit), sizeof(lit) - 1)

/* Unescapes a string's bytes (as js_value checked them) into out, which
 * needs n bytes (the result is never longer); returns the length. \uXXXX
 * becomes UTF-8, a surrogate pair one 4-byte sequence, a lone surrogate
 * U+FFFD. */
size_t js_unescape(const char *p, size_t n, char *out);

#endif
