/*
 * split.c - splitting STIX text into the exact bytes of each object
 * (stix_split) with a small hand-written JSON scanner (RFC 8259) that never
 * builds a tree: a bundle, a TAXII 2.1 envelope, one object, a JSON array of
 * objects, or JSON lines of any of these.
 *
 * The whole text is checked first (grammar, string escapes and UTF-8 the way
 * jansson checks them, nesting at most STIX_SPLIT_DEPTH), then the objects
 * are delivered: a callback never sees an object of a text that turns out to
 * be malformed. Memory is constant; time is linear (two or three passes).
 * Verified on both ATT&CK ICS bundles and the OASIS examples: each span
 * equals, parsed, the object at its index (tests/stix/test_split.c).
 */
#include <stdio.h>
#include <string.h>

#include "alidade/stix.h"

#define STIX_SPLIT_DEPTH 128

/* Scanner state over one text; pos is the next byte to read. */
struct scan {
    const char *s;
    size_t n, pos;
    int depth;
    /* the first error: where and what */
    size_t err_at;
    const char *err_what;
};

/* What a top-level object turned out to be. */
struct top {
    bool has_type, type_bundle, other_keys, has_objects;
    size_t objects_at;               /* offset of the '[' of "objects" */
    bool objects_array;
};

/* Records an error at `at` and returns false, for `return fail(...)`. */
static bool fail(struct scan *sc, size_t at, const char *what)
{
    sc->err_at = at;
    sc->err_what = what;
    return false;
}

static void skip_ws(struct scan *sc)
{
    while (sc->pos < sc->n) {
        char c = sc->s[sc->pos];
        if (c != ' ' && c != '\t' && c != '\n' && c != '\r')
            return;
        sc->pos++;
    }
}

static bool at_end(const struct scan *sc)
{
    return sc->pos >= sc->n;
}

static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* Four hex digits at p (within the text), or -1. */
static long hex4(const struct scan *sc, size_t p)
{
    if (p + 4 > sc->n)
        return -1;
    long v = 0;
    for (int i = 0; i < 4; i++) {
        int h = hexval(sc->s[p + i]);
        if (h < 0)
            return -1;
        v = v * 16 + h;
    }
    return v;
}

/* One well-formed UTF-8 sequence of 2-4 bytes at pos (RFC 3629: no
 * overlong forms, no surrogates, at most U+10FFFF); advances past it. */
static bool utf8_seq(struct scan *sc)
{
    const unsigned char *u = (const unsigned char *)sc->s + sc->pos;
    size_t left = sc->n - sc->pos;
    unsigned c = u[0], len, min;
    unsigned long cp;
    if (c >= 0xC2 && c <= 0xDF)
        len = 2, cp = c & 0x1F, min = 0x80;
    else if (c >= 0xE0 && c <= 0xEF)
        len = 3, cp = c & 0x0F, min = 0x800;
    else if (c >= 0xF0 && c <= 0xF4)
        len = 4, cp = c & 0x07, min = 0x10000;
    else
        return fail(sc, sc->pos, "invalid UTF-8 byte in string");
    if (left < len)
        return fail(sc, sc->pos, "truncated UTF-8 sequence in string");
    for (unsigned i = 1; i < len; i++) {
        if ((u[i] & 0xC0) != 0x80)
            return fail(sc, sc->pos, "invalid UTF-8 sequence in string");
        cp = cp << 6 | (u[i] & 0x3F);
    }
    if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
        return fail(sc, sc->pos, "invalid UTF-8 sequence in string");
    sc->pos += len;
    return true;
}

/* The escape sequence at pos (pos at the backslash); advances past it.
 * \u escapes of UTF-16 surrogates must come in high-low pairs. */
static bool escape(struct scan *sc)
{
    size_t at = sc->pos;
    if (at + 1 >= sc->n)
        return fail(sc, at, "unterminated escape in string");
    char e = sc->s[at + 1];
    if (e && strchr("\"\\/bfnrt", e)) {
        sc->pos += 2;
        return true;
    }
    if (e != 'u')
        return fail(sc, at, "invalid escape in string (\\\", \\\\, \\/, \\b, \\f, \\n, \\r, \\t, \\uXXXX)");
    long v = hex4(sc, at + 2);
    if (v < 0)
        return fail(sc, at, "\\u must be followed by 4 hex digits");
    sc->pos += 6;
    if (v >= 0xDC00 && v <= 0xDFFF)
        return fail(sc, at, "\\u escape of a low surrogate without a high one");
    if (v >= 0xD800 && v <= 0xDBFF) {
        long lo = sc->pos + 1 < sc->n && sc->s[sc->pos] == '\\' && sc->s[sc->pos + 1] == 'u'
                      ? hex4(sc, sc->pos + 2) : -1;
        if (lo < 0xDC00 || lo > 0xDFFF)
            return fail(sc, at, "\\u escape of a high surrogate without a low one");
        sc->pos += 6;
    }
    return true;
}

/* A string at pos (pos at the opening quote); advances past the closing one. */
static bool string(struct scan *sc)
{
    size_t start = sc->pos++;
    while (sc->pos < sc->n) {
        unsigned char c = (unsigned char)sc->s[sc->pos];
        if (c == '"') {
            sc->pos++;
            return true;
        }
        if (c == '\\') {
            if (!escape(sc))
                return false;
        } else if (c < 0x20) {
            return fail(sc, sc->pos, "control character in string (must be escaped)");
        } else if (c >= 0x80) {
            if (!utf8_seq(sc))
                return false;
        } else {
            sc->pos++;
        }
    }
    return fail(sc, start, "unterminated string");
}

static size_t skip_digits(struct scan *sc)
{
    size_t k = 0;
    while (sc->pos < sc->n && sc->s[sc->pos] >= '0' && sc->s[sc->pos] <= '9')
        sc->pos++, k++;
    return k;
}

/* A number: -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)? */
static bool number(struct scan *sc)
{
    size_t start = sc->pos;
    if (sc->s[sc->pos] == '-')
        sc->pos++;
    if (sc->pos < sc->n && sc->s[sc->pos] == '0')
        sc->pos++;
    else if (skip_digits(sc) == 0)
        return fail(sc, start, "invalid number");
    if (sc->pos < sc->n && sc->s[sc->pos] == '.') {
        sc->pos++;
        if (skip_digits(sc) == 0)
            return fail(sc, start, "invalid number (digits must follow '.')");
    }
    if (sc->pos < sc->n && (sc->s[sc->pos] == 'e' || sc->s[sc->pos] == 'E')) {
        sc->pos++;
        if (sc->pos < sc->n && (sc->s[sc->pos] == '+' || sc->s[sc->pos] == '-'))
            sc->pos++;
        if (skip_digits(sc) == 0)
            return fail(sc, start, "invalid number (digits must follow the exponent)");
    }
    return true;
}

static bool literal(struct scan *sc, const char *word)
{
    size_t k = strlen(word);
    if (sc->n - sc->pos < k || memcmp(sc->s + sc->pos, word, k) != 0)
        return fail(sc, sc->pos, "invalid literal (expected a value)");
    sc->pos += k;
    return true;
}

static bool value(struct scan *sc, struct top *t);

/* Whether the string whose quotes are at a and b-1 is `lit` once unescaped
 * (keys and "bundle" may be written with \u escapes). */
static bool string_is(const struct scan *sc, size_t a, size_t b, const char *lit)
{
    size_t i = a + 1, end = b - 1;
    for (; *lit; lit++) {
        if (i >= end)
            return false;
        char c = sc->s[i];
        if (c == '\\') {
            char e = sc->s[i + 1];
            if (e == 'u') {
                long v = hex4(sc, i + 2);
                c = v >= 0 && v < 0x80 ? (char)v : 0;
                i += 6;
            } else {
                c = e == '"' || e == '\\' || e == '/' ? e : 0;
                i += 2;
            }
        } else {
            i++;
        }
        if (c != *lit)
            return false;
    }
    return i == end;
}

/* Notes what a member of a top-level object says about its shape. */
static void note_member(const struct scan *sc, struct top *t, size_t k0, size_t k1, size_t v0)
{
    if (string_is(sc, k0, k1, "type")) {
        t->has_type = true;
        t->type_bundle = sc->s[v0] == '"' && string_is(sc, v0, sc->pos, "bundle");
    } else if (string_is(sc, k0, k1, "objects")) {
        t->has_objects = true;
        t->objects_at = v0;
        t->objects_array = sc->s[v0] == '[';
    } else if (!string_is(sc, k0, k1, "more") && !string_is(sc, k0, k1, "next")) {
        t->other_keys = true;
    }
}

static bool enter(struct scan *sc)
{
    if (++sc->depth > STIX_SPLIT_DEPTH)
        return fail(sc, sc->pos, "nesting deeper than 128 levels");
    sc->pos++;
    skip_ws(sc);
    return true;
}

/* An object at pos; t (top level only) receives what its members say. */
static bool object(struct scan *sc, struct top *t)
{
    if (!enter(sc))
        return false;
    if (!at_end(sc) && sc->s[sc->pos] == '}')
        goto done;
    for (;;) {
        if (at_end(sc) || sc->s[sc->pos] != '"')
            return fail(sc, sc->pos, "expected a member name (a string)");
        size_t k0 = sc->pos;
        if (!string(sc))
            return false;
        size_t k1 = sc->pos;
        skip_ws(sc);
        if (at_end(sc) || sc->s[sc->pos] != ':')
            return fail(sc, sc->pos, "expected ':' after a member name");
        sc->pos++;
        skip_ws(sc);
        size_t v0 = sc->pos;
        if (!value(sc, NULL))
            return false;
        if (t)
            note_member(sc, t, k0, k1, v0);
        skip_ws(sc);
        if (!at_end(sc) && sc->s[sc->pos] == ',') {
            sc->pos++;
            skip_ws(sc);
            continue;
        }
        if (!at_end(sc) && sc->s[sc->pos] == '}')
            goto done;
        return fail(sc, sc->pos, "expected ',' or '}' in an object");
    }
done:
    sc->pos++;
    sc->depth--;
    return true;
}

/* Any JSON array at pos: its elements are checked, not delivered. */
struct emit;
static bool elements(struct scan *sc, struct emit *em, const char *where);
static bool array(struct scan *sc)
{
    return elements(sc, NULL, NULL);
}

/* Any JSON value at pos (whitespace already skipped). */
static bool value(struct scan *sc, struct top *t)
{
    if (at_end(sc))
        return fail(sc, sc->pos, "unexpected end of text (expected a value)");
    char c = sc->s[sc->pos];
    switch (c) {
    case '{': return object(sc, t);
    case '[': return array(sc);
    case '"': return string(sc);
    case 't': return literal(sc, "true");
    case 'f': return literal(sc, "false");
    case 'n': return literal(sc, "null");
    default:
        if (c == '-' || (c >= '0' && c <= '9'))
            return number(sc);
        return fail(sc, sc->pos, "expected a value");
    }
}

/* The delivery of objects: cb may be NULL (the checking pass). */
struct emit {
    stix_object_cb cb;
    void *ctx;
    size_t index;
    int stop;                        /* the callback's non-zero value */
};

/* The elements of the array at pos. With `em`, each must be an object
 * (else the error `where`) and goes to the callback; without, any values.
 * False on error or when the callback stops. */
static bool elements(struct scan *sc, struct emit *em, const char *where)
{
    if (!enter(sc))
        return false;
    if (!at_end(sc) && sc->s[sc->pos] == ']')
        goto done;
    for (;;) {
        size_t o = sc->pos;
        if (!em) {
            if (!value(sc, NULL))
                return false;
        } else {
            if (at_end(sc) || sc->s[o] != '{')
                return fail(sc, o, where);
            if (!object(sc, NULL))
                return false;
            if (em->cb && (em->stop = em->cb(em->ctx, sc->s + o, sc->pos - o, em->index)) != 0)
                return false;
            em->index++;
        }
        skip_ws(sc);
        if (!at_end(sc) && sc->s[sc->pos] == ',') {
            sc->pos++;
            skip_ws(sc);
            continue;
        }
        if (!at_end(sc) && sc->s[sc->pos] == ']')
            goto done;
        return fail(sc, sc->pos, "expected ',' or ']' in an array");
    }
done:
    sc->pos++;
    sc->depth--;
    return true;
}

/* One top-level object: a bundle or an envelope gives its "objects", any
 * other object is itself. */
static bool top_object(struct scan *sc, struct emit *em)
{
    size_t o = sc->pos;
    struct top t = {0};
    if (!object(sc, &t))
        return false;
    bool bundle = t.has_type && t.type_bundle;
    bool envelope = !t.has_type && !t.other_keys;
    if (!bundle && !envelope) {
        if (em->cb && (em->stop = em->cb(em->ctx, sc->s + o, sc->pos - o, em->index)) != 0)
            return false;
        em->index++;
        return true;
    }
    if (!t.has_objects)
        return true;                 /* an empty bundle or envelope */
    if (!t.objects_array)
        return fail(sc, t.objects_at, "\"objects\" must be an array");
    struct scan inner = *sc;
    inner.pos = t.objects_at;
    if (!elements(&inner, em, "expected an object in \"objects\"")) {
        *sc = inner;
        return false;
    }
    return true;
}

/* The whole text, one pass. */
static bool walk(struct scan *sc, struct emit *em)
{
    if (sc->n >= 3 && memcmp(sc->s, "\xEF\xBB\xBF", 3) == 0)
        sc->pos = 3;                 /* a UTF-8 byte order mark */
    skip_ws(sc);
    while (!at_end(sc)) {
        char c = sc->s[sc->pos];
        bool ok = c == '{' ? top_object(sc, em)
                : c == '[' ? elements(sc, em, "expected an object in the array")
                : fail(sc, sc->pos, "expected a STIX object, bundle, envelope or array");
        if (!ok)
            return false;
        size_t end = sc->pos;
        skip_ws(sc);
        if (!at_end(sc) && !memchr(sc->s + end, '\n', sc->pos - end))
            return fail(sc, sc->pos, "expected the end of the text or a new line "
                                     "before the next object (JSON lines)");
    }
    return true;
}

/* "line L, column C: what" (1-based; columns count bytes). */
static void describe(const struct scan *sc, char *err, size_t errlen)
{
    if (!err || errlen == 0)
        return;
    size_t line = 1, col = 1;
    for (size_t i = 0; i < sc->err_at && i < sc->n; i++) {
        if (sc->s[i] == '\n')
            line++, col = 1;
        else
            col++;
    }
    snprintf(err, errlen, "line %zu, column %zu: %s", line, col, sc->err_what);
}

int stix_split(const char *text, size_t len, stix_object_cb cb, void *ctx, char *err,
               size_t errlen)
{
    struct scan sc = {.s = text ? text : "", .n = text ? len : 0};
    struct emit check = {0};
    if (err && errlen)
        err[0] = 0;
    if (!walk(&sc, &check)) {
        describe(&sc, err, errlen);
        return -1;
    }
    struct scan again = {.s = sc.s, .n = sc.n};
    struct emit em = {.cb = cb, .ctx = ctx};
    if (cb && !walk(&again, &em))
        return em.stop;
    return 0;
}
