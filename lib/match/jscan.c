/*
 * jscan.c - the allocation-free JSON scanner of the log parsers (jscan.h).
 *
 * Grammar: RFC 8259. Strings are scanned eight bytes at a time (a word is
 * tested for '"', '\\' and control bytes at once) since string bytes are
 * most of an EVE line; everything else is byte by byte.
 */
#include "match/jscan.h"

#include <stdint.h>
#include <string.h>

static bool fail(jscan *j, size_t at, const char *why)
{
    if (!j->err) {
        j->err = why;
        j->err_at = at;
    }
    return false;
}

static inline void ws(jscan *j)
{
    while (j->i < j->n) {
        char c = j->s[j->i];
        if (c != ' ' && c != '\t' && c != '\n' && c != '\r')
            break;
        j->i++;
    }
}

static inline int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

#define ONES 0x0101010101010101ULL
#define HIGHS 0x8080808080808080ULL

/* Non-zero when one of the 8 bytes of x is '"', '\\' or below 0x20. */
static inline uint64_t special(uint64_t x)
{
    uint64_t q = x ^ (ONES * '"'), b = x ^ (ONES * '\\');
    uint64_t zq = (q - ONES) & ~q, zb = (b - ONES) & ~b;
    uint64_t lo = (x - ONES * 0x20) & ~x;
    return (zq | zb | lo) & HIGHS;
}

/* At the opening quote: the string's bytes into v, cursor after the
 * closing quote. */
static bool string(jscan *j, jsval *v)
{
    const char *s = j->s;
    size_t n = j->n, i = j->i + 1, start = i;
    bool esc = false;
    for (;;) {
        while (i + 8 <= n) {
            uint64_t w;
            memcpy(&w, s + i, 8);
            if (special(w))
                break;
            i += 8;
        }
        if (i >= n)
            return fail(j, j->i, "string not closed");
        unsigned char c = (unsigned char)s[i];
        if (c == '"')
            break;
        if (c < 0x20)
            return fail(j, i, "control character in a string");
        if (c == '\\') {
            esc = true;
            if (i + 1 >= n)
                return fail(j, i, "string not closed");
            char e = s[i + 1];
            if (e == 'u') {
                if (i + 6 > n)
                    return fail(j, i, "\\u needs 4 hex digits");
                for (int k = 2; k < 6; k++)
                    if (hexval(s[i + k]) < 0)
                        return fail(j, i, "\\u needs 4 hex digits");
                i += 6;
            } else if (e == '"' || e == '\\' || e == '/' || e == 'b' || e == 'f' || e == 'n' ||
                       e == 'r' || e == 't') {
                i += 2;
            } else {
                return fail(j, i, "invalid escape in a string");
            }
            continue;
        }
        i++;
    }
    v->t = JS_STR;
    v->p = s + start;
    v->n = i - start;
    v->esc = esc;
    j->i = i + 1;
    return true;
}

static inline bool digit(char c)
{
    return c >= '0' && c <= '9';
}

static bool number(jscan *j, jsval *v)
{
    const char *s = j->s;
    size_t n = j->n, i = j->i;
    if (s[i] == '-')
        i++;
    if (i >= n || !digit(s[i]))
        return fail(j, i, "invalid number");
    if (s[i] == '0') {
        i++;
    } else {
        while (i < n && digit(s[i]))
            i++;
    }
    if (i < n && s[i] == '.') {
        i++;
        if (i >= n || !digit(s[i]))
            return fail(j, i, "invalid number: no digit after '.'");
        while (i < n && digit(s[i]))
            i++;
    }
    if (i < n && (s[i] == 'e' || s[i] == 'E')) {
        i++;
        if (i < n && (s[i] == '+' || s[i] == '-'))
            i++;
        if (i >= n || !digit(s[i]))
            return fail(j, i, "invalid number: no digit in the exponent");
        while (i < n && digit(s[i]))
            i++;
    }
    v->t = JS_NUM;
    v->p = s + j->i;
    v->n = i - j->i;
    v->esc = false;
    j->i = i;
    return true;
}

static bool literal(jscan *j, jsval *v, const char *w, size_t len, js_type t)
{
    if (j->n - j->i < len || memcmp(j->s + j->i, w, len) != 0)
        return fail(j, j->i, "expected a value");
    v->t = t;
    v->p = j->s + j->i;
    v->n = len;
    v->esc = false;
    j->i += len;
    return true;
}

bool js_value(jscan *j, jsval *v)
{
    ws(j);
    if (j->i >= j->n)
        return fail(j, j->i, "unexpected end of line, expected a value");
    switch (j->s[j->i]) {
    case '"':
        return string(j, v);
    case '{':
    case '[':
        if (j->depth >= JS_MAX_DEPTH)
            return fail(j, j->i, "nested too deep");
        j->depth++;
        v->t = j->s[j->i] == '{' ? JS_OBJ : JS_ARR;
        v->p = j->s + j->i;
        v->n = 1;
        v->esc = false;
        j->i++;
        return true;
    case 't':
        return literal(j, v, "true", 4, JS_TRUE);
    case 'f':
        return literal(j, v, "false", 5, JS_FALSE);
    case 'n':
        return literal(j, v, "null", 4, JS_NULL);
    default:
        if (j->s[j->i] == '-' || digit(j->s[j->i]))
            return number(j, v);
        return fail(j, j->i, "expected a value");
    }
}

bool js_member(jscan *j, jsval *key, unsigned *count)
{
    ws(j);
    if (j->i >= j->n)
        return fail(j, j->i, "unexpected end of line in an object");
    if (j->s[j->i] == '}') {
        j->i++;
        j->depth--;
        return false;
    }
    if (*count) {
        if (j->s[j->i] != ',')
            return fail(j, j->i, "expected ',' or '}' in an object");
        j->i++;
        ws(j);
        if (j->i >= j->n)
            return fail(j, j->i, "unexpected end of line in an object");
    }
    if (j->s[j->i] != '"')
        return fail(j, j->i, "expected a member name (a string)");
    if (!string(j, key))
        return false;
    ws(j);
    if (j->i >= j->n || j->s[j->i] != ':')
        return fail(j, j->i, "expected ':' after a member name");
    j->i++;
    (*count)++;
    return true;
}

bool js_elem(jscan *j, unsigned *count)
{
    ws(j);
    if (j->i >= j->n)
        return fail(j, j->i, "unexpected end of line in an array");
    if (j->s[j->i] == ']') {
        j->i++;
        j->depth--;
        return false;
    }
    if (*count) {
        if (j->s[j->i] != ',')
            return fail(j, j->i, "expected ',' or ']' in an array");
        j->i++;
    }
    (*count)++;
    return true;
}

/* Skips to the end of the open container `c`, whose members so far are
 * `count`; iterative, with one byte of state per level (object or array,
 * member seen). */
static bool close_from(jscan *j, js_type c, unsigned count)
{
    unsigned char st[JS_MAX_DEPTH + 1];
    unsigned top = 0;
    st[0] = (unsigned char)((c == JS_OBJ ? 1 : 0) | (count ? 2 : 0));
    for (;;) {
        ws(j);
        if (j->i >= j->n)
            return fail(j, j->i, "unexpected end of line, object or array not closed");
        char ch = j->s[j->i];
        bool obj = st[top] & 1;
        if (ch == (obj ? '}' : ']')) {
            j->i++;
            j->depth--;
            if (top == 0)
                return true;
            top--;
            continue;
        }
        if (st[top] & 2) {
            if (ch != ',')
                return fail(j, j->i, obj ? "expected ',' or '}' in an object"
                                         : "expected ',' or ']' in an array");
            j->i++;
            ws(j);
            if (j->i >= j->n)
                return fail(j, j->i, "unexpected end of line, object or array not closed");
        }
        st[top] |= 2;
        if (obj) {
            jsval k;
            if (j->s[j->i] != '"')
                return fail(j, j->i, "expected a member name (a string)");
            if (!string(j, &k))
                return false;
            ws(j);
            if (j->i >= j->n || j->s[j->i] != ':')
                return fail(j, j->i, "expected ':' after a member name");
            j->i++;
        }
        jsval v;
        if (!js_value(j, &v))
            return false;
        if (v.t == JS_OBJ || v.t == JS_ARR) {
            /* js_value bounds j->depth, so top stays within st */
            if (top + 1 > JS_MAX_DEPTH)
                return fail(j, j->i, "nested too deep");
            st[++top] = v.t == JS_OBJ ? 1 : 0;
        }
    }
}

bool js_close(jscan *j, js_type container)
{
    /* js_close is called after zero or more members were read with
     * js_member/js_elem; whether a comma comes next is in the text itself:
     * look back to the last non-space byte. */
    size_t k = j->i;
    while (k > 0 && (j->s[k - 1] == ' ' || j->s[k - 1] == '\t' || j->s[k - 1] == '\n' ||
                     j->s[k - 1] == '\r'))
        k--;
    bool first = k > 0 && (j->s[k - 1] == '{' || j->s[k - 1] == '[');
    return close_from(j, container, first ? 0 : 1);
}

bool js_skip(jscan *j)
{
    jsval v;
    if (!js_value(j, &v))
        return false;
    if (v.t != JS_OBJ && v.t != JS_ARR)
        return true;
    return close_from(j, v.t, 0);
}

bool js_end(jscan *j)
{
    ws(j);
    if (j->i < j->n)
        return fail(j, j->i, "text after the end of the JSON value");
    return true;
}

static size_t put_utf8(char *o, uint32_t cp)
{
    if (cp < 0x80) {
        o[0] = (char)cp;
        return 1;
    }
    if (cp < 0x800) {
        o[0] = (char)(0xC0 | (cp >> 6));
        o[1] = (char)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        o[0] = (char)(0xE0 | (cp >> 12));
        o[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        o[2] = (char)(0x80 | (cp & 0x3F));
        return 3;
    }
    o[0] = (char)(0xF0 | (cp >> 18));
    o[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
    o[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
    o[3] = (char)(0x80 | (cp & 0x3F));
    return 4;
}

static uint32_t hex4(const char *p)
{
    return (uint32_t)(hexval(p[0]) << 12 | hexval(p[1]) << 8 | hexval(p[2]) << 4 | hexval(p[3]));
}

size_t js_unescape(const char *p, size_t n, char *out)
{
    size_t o = 0;
    for (size_t i = 0; i < n;) {
        const char *bs = memchr(p + i, '\\', n - i);
        size_t run = bs ? (size_t)(bs - (p + i)) : n - i;
        memmove(out + o, p + i, run);
        o += run;
        i += run;
        if (i >= n)
            break;
        /* p[i] == '\\'; js_value checked the escape is complete */
        char e = p[i + 1];
        if (e != 'u') {
            char c = e;
            switch (e) {
            case 'b': c = '\b'; break;
            case 'f': c = '\f'; break;
            case 'n': c = '\n'; break;
            case 'r': c = '\r'; break;
            case 't': c = '\t'; break;
            default: break;
            }
            out[o++] = c;
            i += 2;
            continue;
        }
        uint32_t cp = hex4(p + i + 2);
        i += 6;
        if (cp >= 0xD800 && cp <= 0xDBFF && i + 6 <= n && p[i] == '\\' && p[i + 1] == 'u') {
            uint32_t lo = hex4(p + i + 2);
            if (lo >= 0xDC00 && lo <= 0xDFFF) {
                cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
                i += 6;
            }
        }
        if (cp >= 0xD800 && cp <= 0xDFFF)
            cp = 0xFFFD;    /* a surrogate without its other half */
        o += put_utf8(out + o, cp);
    }
    return o;
}
