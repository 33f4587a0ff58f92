/*
 * lex.c - the tokens of the STIX 2.1 patterning language (the lexer rules
 * of OASIS STIXPattern.g4), with the literal forms checked here so that a
 * malformed timestamp, base64 or hex literal gets a message saying what is
 * wrong with it instead of the grammar's "extraneous input 't'".
 *
 * The input is known to be valid UTF-8 (parse.c checks it first) but is not
 * NUL-terminated: every read is bounded by lx->len.
 */
#include <locale.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

int pat_fail(pat_err *e, size_t off, const char *fmt, ...)
{
    if (e->set)
        return -1;
    char tmp[256];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(tmp, sizeof tmp, fmt, ap);
    va_end(ap);
    if (n < 0)
        n = 0;
    size_t len = (size_t)n < sizeof tmp ? (size_t)n : sizeof tmp - 1;
    if (len > sizeof e->msg - 1) {
        /* cut at a UTF-8 character boundary */
        len = sizeof e->msg - 1;
        while (len > 0 && ((unsigned char)tmp[len] & 0xC0) == 0x80)
            len--;
    }
    for (size_t i = 0; i < len; i++)
        e->msg[i] = (unsigned char)tmp[i] < 0x20 || tmp[i] == 0x7f ? '?' : tmp[i];
    e->msg[len] = '\0';
    e->off = off;
    e->set = 1;
    return -1;
}

/* ---- keywords ----------------------------------------------------------- */

static const struct {
    const char *s;
    unsigned char n;
    pat_tok t;
} keywords[] = {
    {"AND", 3, T_AND}, {"OR", 2, T_OR}, {"NOT", 3, T_NOT}, {"FOLLOWEDBY", 10, T_FOLLOWEDBY},
    {"LIKE", 4, T_LIKE}, {"MATCHES", 7, T_MATCHES}, {"ISSUPERSET", 10, T_ISSUPERSET},
    {"ISSUBSET", 8, T_ISSUBSET}, {"EXISTS", 6, T_EXISTS}, {"LAST", 4, T_LAST}, {"IN", 2, T_IN},
    {"START", 5, T_START}, {"STOP", 4, T_STOP}, {"SECONDS", 7, T_SECONDS},
    {"WITHIN", 6, T_WITHIN}, {"REPEATS", 7, T_REPEATS}, {"TIMES", 5, T_TIMES},
    {"true", 4, T_TRUE}, {"false", 5, T_FALSE},
};

static pat_tok keyword_of(const char *s, size_t n)
{
    /* keywords are upper case except true/false: most identifiers (object
     * types, property names) are lower case and leave at the first test */
    if (n < 2 || n > 10 || (s[0] >= 'a' && s[0] != 't' && s[0] != 'f'))
        return T_IDENT;
    for (size_t i = 0; i < sizeof keywords / sizeof keywords[0]; i++)
        if (keywords[i].n == n && keywords[i].s[0] == s[0] && memcmp(keywords[i].s, s, n) == 0)
            return keywords[i].t;
    return T_IDENT;
}

const char *pat_keyword(pat_tok t)
{
    for (size_t i = 0; i < sizeof keywords / sizeof keywords[0]; i++)
        if (keywords[i].t == t)
            return keywords[i].s;
    return NULL;
}

static int is_alpha_(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}
static int is_digit(unsigned char c) { return c >= '0' && c <= '9'; }
static int is_hex(unsigned char c)
{
    return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}
static int is_b64(unsigned char c)
{
    return is_alpha_(c) ? c != '_' : (is_digit(c) || c == '+' || c == '/');
}

int pat_bare_key(const char *s, size_t n)
{
    if (n == 0 || !is_alpha_((unsigned char)s[0]))
        return 0;
    for (size_t i = 1; i < n; i++)
        if (!is_alpha_((unsigned char)s[i]) && !is_digit((unsigned char)s[i]))
            return 0;
    return keyword_of(s, n) == T_IDENT;
}

/* ---- whitespace and comments ------------------------------------------- */

/* Length of the whitespace character at p (the WS rule: ASCII blanks and
 * the Unicode spaces, in UTF-8), 0 if none. */
static size_t ws_len(const unsigned char *p, size_t left)
{
    unsigned char c = p[0];
    if (c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' || c == '\f')
        return 1;
    if (c == 0xC2 && left >= 2 && (p[1] == 0x85 || p[1] == 0xA0))
        return 2;                                   /* U+0085, U+00A0 */
    if (left >= 3) {
        if (c == 0xE1 && p[1] == 0x9A && p[2] == 0x80)
            return 3;                               /* U+1680 */
        if (c == 0xE2 && p[1] == 0x80 &&
            (p[2] <= 0x8A || p[2] == 0xA8 || p[2] == 0xA9 || p[2] == 0xAF))
            return 3;                               /* U+2000-200A, 2028, 2029, 202F */
        if (c == 0xE2 && p[1] == 0x81 && p[2] == 0x9F)
            return 3;                               /* U+205F */
        if (c == 0xE3 && p[1] == 0x80 && p[2] == 0x80)
            return 3;                               /* U+3000 */
    }
    return 0;
}

static int skip_blank(pat_lexer *lx)
{
    const unsigned char *s = (const unsigned char *)lx->src;
    while (lx->pos < lx->len) {
        size_t w = ws_len(s + lx->pos, lx->len - lx->pos);
        if (w) {
            lx->pos += w;
            continue;
        }
        if (s[lx->pos] == '/' && lx->pos + 1 < lx->len && s[lx->pos + 1] == '*') {
            size_t start = lx->pos;
            size_t i = lx->pos + 2;
            while (i + 1 < lx->len && !(s[i] == '*' && s[i + 1] == '/'))
                i++;
            if (i + 1 >= lx->len)
                return pat_fail(lx->err, start, "comment '/*' is not closed by '*/'");
            lx->pos = i + 2;
            continue;
        }
        if (s[lx->pos] == '/' && lx->pos + 1 < lx->len && s[lx->pos + 1] == '/') {
            while (lx->pos < lx->len && s[lx->pos] != '\r' && s[lx->pos] != '\n')
                lx->pos++;
            continue;
        }
        break;
    }
    return 0;
}

size_t pat_leading_comment(const char *src, size_t len)
{
    const unsigned char *s = (const unsigned char *)src;
    size_t i = 0;
    while (i < len) {
        size_t w = ws_len(s + i, len - i);
        if (w)
            i += w;
        else if (s[i] == '(')
            i++;
        else
            break;
    }
    if (i + 1 < len && s[i] == '/' && (s[i + 1] == '*' || s[i + 1] == '/'))
        return i;
    return len;
}

/* ---- literals ------------------------------------------------------------ */

int64_t pat_days_from_civil(int64_t y, unsigned m, unsigned d)
{
    /* years start on March 1 so that the leap day is the last one */
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (int64_t)(m > 2 ? m - 3 : m + 9) + 2) / 5 + (int64_t)d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

/* Quotes at most 30 bytes of a literal's text for a message. */
static void snippet(const char *s, size_t n, char *out, size_t cap)
{
    size_t max = 30;
    if (n > max) {
        while (max > 0 && ((unsigned char)s[max] & 0xC0) == 0x80)
            max--;
        snprintf(out, cap, "%.*s...", (int)max, s);
    } else {
        snprintf(out, cap, "%.*s", (int)n, s);
    }
}

static int two(const char *p) { return (p[0] - '0') * 10 + (p[1] - '0'); }

/* t'...' at lx->pos (the 't'); the body is [b, b+n). Also used by the
 * parser's lenient mode on the body of a plain string after START/STOP. */
int pat_lex_timestamp(pat_lexer *lx, pat_token *t, size_t b, size_t n)
{
    const char *s = lx->src + b;
    char shown[48];
    snippet(s, n, shown, sizeof shown);
    const char *why = NULL;
    char buf[40];
    size_t i;
#define TS_FAIL(reason) do { why = (reason); goto bad; } while (0)
    for (i = 0; i < 10; i++) {
        int want_dash = i == 4 || i == 7;
        if (i >= n || (want_dash ? s[i] != '-' : !is_digit((unsigned char)s[i])))
            TS_FAIL("date must be YYYY-MM-DD");
    }
    if (n == 10)
        TS_FAIL("time missing");
    if (s[10] != 'T')
        TS_FAIL("no 'T' between date and time");
    for (i = 11; i < 16; i++) {
        int want_colon = i == 13;
        if (i >= n || (want_colon ? s[i] != ':' : !is_digit((unsigned char)s[i])))
            TS_FAIL("time must be HH:MM:SS");
    }
    if (n == 16 || s[16] != ':') {
        if (n == 16 || s[16] == 'Z' || s[16] == '.')
            TS_FAIL("seconds missing");
        TS_FAIL("time must be HH:MM:SS");
    }
    if (n < 19 || !is_digit((unsigned char)s[17]) || !is_digit((unsigned char)s[18]))
        TS_FAIL("time must be HH:MM:SS");
    i = 19;
    int32_t nsec = 0;
    if (i < n && s[i] == '.') {
        i++;
        if (i >= n || !is_digit((unsigned char)s[i]))
            TS_FAIL("no digit after '.'");
        int nd = 0;
        for (; i < n && is_digit((unsigned char)s[i]); i++) {
            if (nd < 9) {           /* finer than a nanosecond: truncated */
                nsec = nsec * 10 + (s[i] - '0');
                nd++;
            }
        }
        for (; nd < 9; nd++)
            nsec *= 10;
    }
    if (i >= n)
        TS_FAIL("no 'Z': only UTC is allowed");
    if (s[i] != 'Z')
        TS_FAIL(s[i] == '+' || s[i] == '-' || s[i] == 'z' ? "time zone must be 'Z'"
                                                          : "time must be HH:MM:SS");
    if (i + 1 != n)
        TS_FAIL("text after 'Z'");
    int year = two(s) * 100 + two(s + 2);
    int mon = two(s + 5), day = two(s + 8);
    int hh = two(s + 11), mm = two(s + 14), ss = two(s + 17);
    if (mon < 1 || mon > 12) {
        snprintf(buf, sizeof buf, "month %02d out of range", mon);
        TS_FAIL(buf);
    }
    if (day < 1 || day > 31) {
        snprintf(buf, sizeof buf, "day %02d out of range", day);
        TS_FAIL(buf);
    }
    if (hh > 23) {
        snprintf(buf, sizeof buf, "hour %02d out of range", hh);
        TS_FAIL(buf);
    }
    if (mm > 59) {
        snprintf(buf, sizeof buf, "minute %02d out of range", mm);
        TS_FAIL(buf);
    }
    if (ss > 60) {
        snprintf(buf, sizeof buf, "second %02d out of range", ss);
        TS_FAIL(buf);
    }
    /* like the grammar (and the reference validator), day 31 is accepted in
     * every month and second 60 in every minute: the value is counted on
     * (2023-02-29 is 2023-03-01, 23:59:60 is the next day's 00:00:00) */
    int64_t sec = pat_days_from_civil(year, (unsigned)mon, (unsigned)day) * 86400 +
                  hh * 3600 + mm * 60 + ss;
    if (sec >= INT64_C(253402300800))       /* 10000-01-01: not printable */
        TS_FAIL("after 9999-12-31T23:59:59Z");
    t->sec = sec;
    t->nsec = nsec;
    return 0;
#undef TS_FAIL
bad:
    return pat_fail(lx->err, lx->pos, "timestamp t'%s' is not RFC 3339 (%s)", shown, why);
}

static int lex_binary(pat_lexer *lx, size_t b, size_t n)
{
    const char *s = lx->src + b;
    char shown[48];
    snippet(s, n, shown, sizeof shown);
    if (n == 0)
        return pat_fail(lx->err, lx->pos, "binary b'' is empty (base64 needs 4 characters or more)");
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '=') {
            /* padding: the last one or two characters only */
            if (i + 2 < n || (i + 2 == n && s[i + 1] != '=') || i % 4 < 2)
                return pat_fail(lx->err, b + i, "binary b'%s': misplaced '=' padding", shown);
            continue;
        }
        if (!is_b64(c))
            return pat_fail(lx->err, b + i, "binary b'%s': '%c' is not a base64 character",
                            shown, c < 0x80 ? (char)c : '?');
    }
    if (n % 4 != 0)
        return pat_fail(lx->err, lx->pos,
                        "binary b'%s': base64 length %zu is not a multiple of 4", shown, n);
    return 0;
}

static int lex_hex(pat_lexer *lx, size_t b, size_t n)
{
    const char *s = lx->src + b;
    char shown[48];
    snippet(s, n, shown, sizeof shown);
    for (size_t i = 0; i < n; i++)
        if (!is_hex((unsigned char)s[i]))
            return pat_fail(lx->err, b + i, "hex h'%s': '%c' is not a hex digit", shown,
                            (unsigned char)s[i] < 0x80 ? s[i] : '?');
    if (n % 2 != 0)
        return pat_fail(lx->err, lx->pos, "hex h'%s' has an odd number of digits", shown);
    return 0;
}

/* A quoted literal body starting after the quote at q: ends at the next
 * quote (t'', b'' and h'' have no escapes). */
static int quoted_body(pat_lexer *lx, size_t q, const char *what, size_t *end)
{
    const char *s = lx->src;
    for (size_t i = q; i < lx->len; i++) {
        if (s[i] == '\'') {
            *end = i;
            return 0;
        }
    }
    return pat_fail(lx->err, lx->pos, "%s literal is not closed by a quote", what);
}

static int lex_string(pat_lexer *lx, pat_token *t)
{
    const char *s = lx->src;
    size_t i = lx->pos + 1;
    while (i < lx->len) {
        if (s[i] == '\'') {
            t->t = T_STRING;
            t->len = i + 1 - lx->pos;
            return 0;
        }
        if (s[i] == '\\') {
            if (i + 1 < lx->len && (s[i + 1] == '\'' || s[i + 1] == '\\')) {
                i += 2;
                continue;
            }
            if (i + 1 >= lx->len)
                break;
            unsigned char c = (unsigned char)s[i + 1];
            return pat_fail(lx->err, i, "string escape '\\%c' is not allowed (only \\' and \\\\)",
                            c >= 0x20 && c < 0x7f ? (char)c : '?');
        }
        i++;
    }
    return pat_fail(lx->err, lx->pos, "string is not closed by a quote");
}

static int lex_number(pat_lexer *lx, pat_token *t)
{
    const char *s = lx->src;
    size_t i = lx->pos;
    int neg = 0;
    if (s[i] == '+' || s[i] == '-') {
        neg = s[i] == '-';
        i++;
    }
    size_t d0 = i;
    while (i < lx->len && is_digit((unsigned char)s[i]))
        i++;
    size_t nd = i - d0;
    t->neg = neg;
    if (i + 1 < lx->len && s[i] == '.' && is_digit((unsigned char)s[i + 1])) {
        i++;
        while (i < lx->len && is_digit((unsigned char)s[i]))
            i++;
        t->t = T_FLOAT;
        t->len = i - lx->pos;
        return 0;
    }
    /* an integer: 0 or [1-9][0-9]* (nd >= 1 here, see pat_lex) */
    if (nd > 1 && s[d0] == '0')
        return pat_fail(lx->err, lx->pos, "number '%.*s' has a leading zero",
                        (int)(i - lx->pos > 24 ? 24 : i - lx->pos), s + lx->pos);
    uint64_t v = 0;
    uint64_t max = neg ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX;
    for (size_t k = d0; k < i; k++) {
        unsigned dg = (unsigned)(s[k] - '0');
        if (v > (max - dg) / 10)
            return pat_fail(lx->err, lx->pos, "integer '%.*s%s' is out of the 64-bit range",
                            (int)(i - lx->pos > 24 ? 24 : i - lx->pos), s + lx->pos,
                            i - lx->pos > 24 ? "..." : "");
        v = v * 10 + dg;
    }
    t->t = T_INT;
    t->len = i - lx->pos;
    t->i = neg ? (v == (uint64_t)INT64_MAX + 1 ? INT64_MIN : -(int64_t)v) : (int64_t)v;
    return 0;
}

int pat_lex(pat_lexer *lx, pat_token *t)
{
    memset(t, 0, sizeof *t);
    if (skip_blank(lx) < 0)
        return -1;
    t->pos = lx->pos;
    t->len = 1;
    if (lx->pos >= lx->len) {
        t->t = T_EOF;
        t->len = 0;
        return 0;
    }
    const char *s = lx->src;
    size_t p = lx->pos;
    unsigned char c = (unsigned char)s[p];
    unsigned char c1 = p + 1 < lx->len ? (unsigned char)s[p + 1] : 0;
    unsigned char c2 = p + 2 < lx->len ? (unsigned char)s[p + 2] : 0;
    int r = 0;
    switch (c) {
    case '[': t->t = T_LBRACK; break;
    case ']': t->t = T_RBRACK; break;
    case '(': t->t = T_LPAREN; break;
    case ')': t->t = T_RPAREN; break;
    case ':': t->t = T_COLON; break;
    case ',': t->t = T_COMMA; break;
    case '*': t->t = T_ASTERISK; break;
    case '^': t->t = T_POWER; break;
    case '/': t->t = T_DIVIDE; break;
    case '=':
        t->t = T_EQ;
        t->len = c1 == '=' ? 2 : 1;
        break;
    case '!':
        if (c1 != '=')
            return pat_fail(lx->err, p, "unexpected '!' (did you mean '!='?)");
        t->t = T_NE;
        t->len = 2;
        break;
    case '<':
        t->t = c1 == '=' ? T_LE : c1 == '>' ? T_NE : T_LT;
        t->len = c1 == '=' || c1 == '>' ? 2 : 1;
        break;
    case '>':
        t->t = c1 == '=' ? T_GE : T_GT;
        t->len = c1 == '=' ? 2 : 1;
        break;
    case '\'':
        r = lex_string(lx, t);
        break;
    case '+':
    case '-':
        if (is_digit(c1) || (c1 == '.' && is_digit(c2)))
            r = lex_number(lx, t);
        else
            t->t = c == '+' ? T_PLUS : T_MINUS;
        break;
    case '.':
        if (is_digit(c1))
            r = lex_number(lx, t);
        else
            t->t = T_DOT;
        break;
    default:
        if (is_digit(c)) {
            r = lex_number(lx, t);
        } else if (is_alpha_(c)) {
            size_t i = p + 1;
            int hy = 0;
            while (i < lx->len && (is_alpha_((unsigned char)s[i]) || is_digit((unsigned char)s[i]) ||
                                   s[i] == '-')) {
                hy |= s[i] == '-';
                i++;
            }
            if (i == p + 1 && c1 == '\'' && (c == 't' || c == 'b' || c == 'h')) {
                /* t'..', b'..', h'..': an identifier followed by a string is
                 * never valid, so this can only be the literal */
                size_t end = 0;
                const char *what = c == 't' ? "timestamp" : c == 'b' ? "binary" : "hex";
                if (quoted_body(lx, p + 2, what, &end) < 0)
                    return -1;
                t->len = end + 1 - p;
                if (c == 't') {
                    t->t = T_TIMESTAMP;
                    r = pat_lex_timestamp(lx, t, p + 2, end - (p + 2));
                } else if (c == 'b') {
                    t->t = T_BINARY;
                    r = lex_binary(lx, p + 2, end - (p + 2));
                } else {
                    t->t = T_HEX;
                    r = lex_hex(lx, p + 2, end - (p + 2));
                }
                break;
            }
            t->len = i - p;
            t->hyphen = hy;
            t->t = hy ? T_IDENT : keyword_of(s + p, t->len);
        } else {
            if (c >= 0x80) {
                /* one UTF-8 character (the input is valid UTF-8) */
                size_t n = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : 2;
                return pat_fail(lx->err, p, "unexpected character '%.*s'", (int)n, s + p);
            }
            if (c < 0x20 || c == 0x7f)
                return pat_fail(lx->err, p, "unexpected control character 0x%02X", c);
            return pat_fail(lx->err, p, "unexpected character '%c'", c);
        }
    }
    if (r < 0)
        return -1;
    lx->pos = p + t->len;
    return 0;
}

void pat_tok_describe(const char *src, const pat_token *t, char *buf, size_t cap)
{
    const char *kind = "";
    switch (t->t) {
    case T_EOF:
        snprintf(buf, cap, "end of pattern");
        return;
    case T_STRING: kind = "string "; break;
    case T_INT:
    case T_FLOAT: kind = "number "; break;
    case T_BINARY: kind = "binary "; break;
    case T_HEX: kind = "hex "; break;
    case T_TIMESTAMP: kind = "timestamp "; break;
    default: break;
    }
    const char *s = src + t->pos;
    size_t n = t->len, max = 24;
    int quote = t->t != T_STRING && t->t != T_BINARY && t->t != T_HEX && t->t != T_TIMESTAMP;
    if (n > max) {
        while (max > 0 && ((unsigned char)s[max] & 0xC0) == 0x80)
            max--;
        snprintf(buf, cap, "%s%s%.*s...", kind, quote ? "'" : "", (int)max, s);
    } else {
        snprintf(buf, cap, "%s%s%.*s%s", kind, quote ? "'" : "", (int)n, s, quote ? "'" : "");
    }
}

/* ---- numbers ------------------------------------------------------------- */

double pat_strtod(const char *s, size_t n, char *tmp, size_t tmpcap)
{
    if (n >= tmpcap)
        n = tmpcap - 1;
    memcpy(tmp, s, n);
    tmp[n] = '\0';
    /* strtod follows LC_NUMERIC: use its decimal point */
    const char *dp = localeconv()->decimal_point;
    if (dp && dp[0] && dp[0] != '.' && dp[1] == '\0') {
        for (size_t i = 0; i < n; i++)
            if (tmp[i] == '.')
                tmp[i] = dp[0];
    }
    return strtod(tmp, NULL);
}

size_t pat_format_double(double v, char *buf, size_t cap)
{
    char e[40];
    int prec;
    /* the shortest %e that reads back as v */
    for (prec = 1; prec <= 17; prec++) {
        snprintf(e, sizeof e, "%.*e", prec - 1, v);
        if (strtod(e, NULL) == v)
            break;
    }
    /* e is [-]d[.ddd]e[+-]xx in the current locale */
    const char *p = e;
    int neg = 0;
    if (*p == '-') {
        neg = 1;
        p++;
    }
    char dig[20];
    size_t nd = 0;
    while (*p && *p != 'e') {
        if (is_digit((unsigned char)*p) && nd < sizeof dig)
            dig[nd++] = *p;
        p++;
    }
    int ex = *p == 'e' ? atoi(p + 1) : 0;
    while (nd > 1 && dig[nd - 1] == '0')
        nd--;
    /* positional: digits d0 d1 ... with the point after digit ex */
    char out[800];
    size_t o = 0;
    if (neg)
        out[o++] = '-';
    if (ex < 0) {
        out[o++] = '0';
        out[o++] = '.';
        for (int k = 0; k < -ex - 1 && o < sizeof out - 40; k++)
            out[o++] = '0';
        for (size_t k = 0; k < nd; k++)
            out[o++] = dig[k];
    } else {
        for (int k = 0; k <= ex && o < sizeof out - 40; k++)
            out[o++] = (size_t)k < nd ? dig[k] : '0';
        out[o++] = '.';
        if ((size_t)ex + 1 < nd)
            for (size_t k = (size_t)ex + 1; k < nd; k++)
                out[o++] = dig[k];
        else
            out[o++] = '0';
    }
    size_t w = o < cap ? o : (cap ? cap - 1 : 0);
    if (cap) {
        memcpy(buf, out, w);
        buf[w] = '\0';
    }
    return o;
}
