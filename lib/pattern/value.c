/*
 * value.c - conversions of the pattern evaluator, each reproducing what the
 * reference matcher (Python) does: timestamps read with strptime, hex with
 * binascii.a2b_hex, base64 with base64.standard_b64decode, IPv4 with
 * inet_aton; plus UTF-8 helpers. NFC is in nfc.c.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alidade/pattern_match.h"
#include "value.h"

/* ---- timestamps ---------------------------------------------------------- */

/*
 * Python's strptime turns each directive into a regex alternation and
 * backtracks over the whole format: %m is 1[0-2]|0[1-9]|[1-9], %d is
 * 3[01]|[12]\d|0[1-9]|[1-9], %H 2[0-3]|[0-1]\d|\d, %M [0-5]\d|\d,
 * %S 6[0-1]|[0-5]\d|\d, %f [0-9]{1,6}, %Y exactly four digits. A tiny
 * backtracking matcher over the fields does the same.
 */
enum fld { F_Y, F_MO, F_D, F_H, F_MI, F_S, F_FRAC, F_LIT, F_END };

struct tsfmt {
    enum fld f;
    char lit;
};

static const struct tsfmt fmt_plain[] = {
    {F_Y, 0}, {F_LIT, '-'}, {F_MO, 0}, {F_LIT, '-'}, {F_D, 0}, {F_LIT, 'T'}, {F_H, 0},
    {F_LIT, ':'}, {F_MI, 0}, {F_LIT, ':'}, {F_S, 0}, {F_LIT, 'Z'}, {F_END, 0},
};
static const struct tsfmt fmt_frac[] = {
    {F_Y, 0}, {F_LIT, '-'}, {F_MO, 0}, {F_LIT, '-'}, {F_D, 0}, {F_LIT, 'T'}, {F_H, 0},
    {F_LIT, ':'}, {F_MI, 0}, {F_LIT, ':'}, {F_S, 0}, {F_LIT, '.'}, {F_FRAC, 0},
    {F_LIT, 'Z'}, {F_END, 0},
};

static int isdig(char c)
{
    return c >= '0' && c <= '9';
}

/* Candidate lengths of field f at s (in the regex's alternation order). */
static int alts(enum fld f, const char *s, size_t n, int lens[6])
{
    int k = 0;
    char a = n > 0 ? s[0] : 0, b = n > 1 ? s[1] : 0;
    switch (f) {
    case F_Y:
        if (n >= 4 && isdig(s[0]) && isdig(s[1]) && isdig(s[2]) && isdig(s[3]))
            lens[k++] = 4;
        break;
    case F_MO:
        if (a == '1' && b >= '0' && b <= '2')
            lens[k++] = 2;
        if (a == '0' && b >= '1' && b <= '9')
            lens[k++] = 2;
        if (a >= '1' && a <= '9')
            lens[k++] = 1;
        break;
    case F_D:
        if (a == '3' && (b == '0' || b == '1'))
            lens[k++] = 2;
        if ((a == '1' || a == '2') && isdig(b))
            lens[k++] = 2;
        if (a == '0' && b >= '1' && b <= '9')
            lens[k++] = 2;
        if (a >= '1' && a <= '9')
            lens[k++] = 1;
        break;
    case F_H:
        if (a == '2' && b >= '0' && b <= '3')
            lens[k++] = 2;
        if ((a == '0' || a == '1') && isdig(b))
            lens[k++] = 2;
        if (isdig(a))
            lens[k++] = 1;
        break;
    case F_MI:
        if (a >= '0' && a <= '5' && isdig(b))
            lens[k++] = 2;
        if (isdig(a))
            lens[k++] = 1;
        break;
    case F_S:
        if (a == '6' && (b == '0' || b == '1'))
            lens[k++] = 2;
        if (a >= '0' && a <= '5' && isdig(b))
            lens[k++] = 2;
        if (isdig(a))
            lens[k++] = 1;
        break;
    case F_FRAC: {
        int m = 0;
        while ((size_t)m < n && m < 6 && isdig(s[m]))
            m++;
        for (int l = m; l >= 1; l--)    /* greedy, then shorter */
            lens[k++] = l;
        break;
    }
    default:
        break;
    }
    return k;
}

static int tsmatch(const struct tsfmt *fmt, const char *s, size_t n, int v[7])
{
    switch (fmt->f) {
    case F_END:
        return n == 0 ? 0 : -1;
    case F_LIT:
        if (n == 0 || s[0] != fmt->lit)
            return -1;
        return tsmatch(fmt + 1, s + 1, n - 1, v);
    default: {
        int lens[6];
        int k = alts(fmt->f, s, n, lens);
        for (int i = 0; i < k; i++) {
            int x = 0;
            for (int j = 0; j < lens[i]; j++)
                x = x * 10 + (s[j] - '0');
            int slot = (int)fmt->f;
            int save = v[slot];
            v[slot] = x;
            if (tsmatch(fmt + 1, s + lens[i], n - (size_t)lens[i], v) == 0) {
                if (fmt->f == F_FRAC)
                    for (int j = lens[i]; j < 6; j++)
                        v[slot] *= 10;
                return 0;
            }
            v[slot] = save;
        }
        return -1;
    }
    }
}

static int64_t days_from_ymd(int64_t y, int m, int d)
{
    /* Days since 1970-01-01 in the proleptic Gregorian calendar: count
     * from March so that the leap day ends a year. */
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

int ald_pts_parse(const char *s, size_t n, int64_t *us)
{
    char buf[64];
    /* strptime itself ignores case: the reference refuses lower case first. */
    for (size_t i = 0; i < n; i++)
        if (islower((unsigned char)s[i]))
            return -1;
    const struct tsfmt *fmt = fmt_plain;
    const char *dot = memchr(s, '.', n);
    if (dot) {
        fmt = fmt_frac;
        /* 3.0 keeps six fraction digits when there are more. */
        size_t fl = n - (size_t)(dot + 1 - s);
        if (fl > 7 && s[n - 1] == 'Z') {
            size_t keep = (size_t)(dot + 1 - s) + 6;
            if (keep + 1 > sizeof buf)
                return -1;
            memcpy(buf, s, keep);
            buf[keep] = 'Z';
            s = buf;
            n = keep + 1;
        }
    }
    int v[7] = {0};
    if (tsmatch(fmt, s, n, v))
        return -1;
    int y = v[F_Y], mo = v[F_MO], d = v[F_D], h = v[F_H], mi = v[F_MI], sec = v[F_S];
    /* datetime() refuses what the regex lets through. */
    static const int dim[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    if (y < 1 || mo < 1 || mo > 12 || d < 1 || d > dim[mo - 1] + (mo == 2 && leap) ||
        h > 23 || mi > 59 || sec > 59)
        return -1;
    int64_t secs = days_from_ymd(y, mo, d) * 86400 + h * 3600 + mi * 60 + sec;
    *us = secs * 1000000 + v[F_FRAC];
    return 0;
}

/* ---- hex and base64 ------------------------------------------------------ */

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

long pv_unhex(const char *s, size_t n, uint8_t *out)
{
    if (n % 2)
        return -1;
    for (size_t i = 0; i < n; i += 2) {
        int a = hexval(s[i]), b = hexval(s[i + 1]);
        if (a < 0 || b < 0)
            return -1;
        out[i / 2] = (uint8_t)(a << 4 | b);
    }
    return (long)(n / 2);
}

static int b64val(char c)
{
    if (c >= 'A' && c <= 'Z')
        return c - 'A';
    if (c >= 'a' && c <= 'z')
        return c - 'a' + 26;
    if (c >= '0' && c <= '9')
        return c - '0' + 52;
    if (c == '+')
        return 62;
    if (c == '/')
        return 63;
    return -1;
}

long pv_unbase64(const char *s, size_t n, uint8_t *out)
{
    size_t o = 0;
    int quad = 0, pads = 0;
    unsigned acc = 0;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (c == '=') {
            /* Padding counts only after two data characters of a quantum;
             * once the quantum is complete, the rest is ignored. */
            if (quad >= 2 && quad + ++pads >= 4) {
                quad = 0;
                break;
            }
            continue;
        }
        int v = b64val(c);
        if (v < 0)
            continue;
        pads = 0;
        acc = acc << 6 | (unsigned)v;
        quad++;
        if (quad == 2)
            out[o++] = (uint8_t)(acc >> 4);
        else if (quad == 3)
            out[o++] = (uint8_t)(acc >> 2);
        else if (quad == 4) {
            out[o++] = (uint8_t)acc;
            quad = 0;
            acc = 0;
        }
        if (quad)
            acc &= (1u << (6 * quad)) - 1;
    }
    if (quad != 0)
        return -1;      /* "Incorrect padding" / 1 more than a multiple of 4 */
    return (long)o;
}

/* ---- UTF-8 ----------------------------------------------------------------- */

int pv_utf8_next(const uint8_t *s, size_t n, uint32_t *cp)
{
    uint8_t c = s[0];
    if (c < 0x80) {
        *cp = c;
        return 1;
    }
    int len;
    uint32_t v, min;
    if ((c & 0xE0) == 0xC0) {
        len = 2;
        v = c & 0x1F;
        min = 0x80;
    } else if ((c & 0xF0) == 0xE0) {
        len = 3;
        v = c & 0x0F;
        min = 0x800;
    } else if ((c & 0xF8) == 0xF0) {
        len = 4;
        v = c & 0x07;
        min = 0x10000;
    } else {
        return -1;
    }
    if ((size_t)len > n)
        return -1;
    for (int i = 1; i < len; i++) {
        if ((s[i] & 0xC0) != 0x80)
            return -1;
        v = v << 6 | (s[i] & 0x3F);
    }
    if (v < min || v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF))
        return -1;
    *cp = v;
    return len;
}

long pv_utf8_to_latin1(const uint8_t *s, size_t n, uint8_t *out)
{
    size_t o = 0;
    for (size_t i = 0; i < n;) {
        uint32_t cp;
        int l = pv_utf8_next(s + i, n - i, &cp);
        if (l < 0 || cp > 0xFF)
            return -1;
        out[o++] = (uint8_t)cp;
        i += (size_t)l;
    }
    return (long)o;
}

int pv_utf8_valid(const uint8_t *s, size_t n)
{
    for (size_t i = 0; i < n;) {
        uint32_t cp;
        int l = pv_utf8_next(s + i, n - i, &cp);
        if (l < 0)
            return 0;
        i += (size_t)l;
    }
    return 1;
}

/* ---- subnets ----------------------------------------------------------------- */

struct net {
    int v6;
    uint8_t a[16];
    int prefix;
};

static void msgf(char *msg, size_t len, const char *what, const char *s)
{
    if (msg && len)
        snprintf(msg, len, "invalid %s: %.60s", what, s);
}

/* An address (prefix = full length) or, with need_prefix, a CIDR subnet. */
static int parse_net(const char *s, int need_prefix, struct net *n, char *msg, size_t msglen)
{
    const char *slash = strchr(s, '/');
    char host[64];
    size_t hl = slash ? (size_t)(slash - s) : strlen(s);
    if (need_prefix && !slash) {
        msgf(msg, msglen, "CIDR subnet", s);
        return -1;
    }
    if (hl >= sizeof host) {
        msgf(msg, msglen, "IP address", s);
        return -1;
    }
    memcpy(host, s, hl);
    host[hl] = 0;
    n->v6 = strchr(host, ':') != NULL;
    if (n->v6) {
        if (inet_pton(AF_INET6, host, n->a) != 1) {
            msgf(msg, msglen, "IPv6 address", s);
            return -1;
        }
    } else {
        struct in_addr ia;
        if (inet_aton(host, &ia) == 0) {
            msgf(msg, msglen, "IPv4 address", s);
            return -1;
        }
        memcpy(n->a, &ia.s_addr, 4);
    }
    int maxp = n->v6 ? 128 : 32;
    if (!slash) {
        n->prefix = maxp;
        return 0;
    }
    const char *p = slash + 1;
    if (!*p) {
        msgf(msg, msglen, "CIDR subnet", s);
        return -1;
    }
    long v = 0;
    for (; *p; p++) {
        if (!isdig(*p) || v > 1000) {
            msgf(msg, msglen, "CIDR subnet", s);
            return -1;
        }
        v = v * 10 + (*p - '0');
    }
    if (v < 1 || v > maxp) {
        msgf(msg, msglen, "CIDR subnet", s);
        return -1;
    }
    n->prefix = (int)v;
    return 0;
}

int pv_in_subnet(const char *inner, const char *outer, char *msg, size_t msglen)
{
    struct net in, out;
    if (parse_net(inner, 0, &in, msg, msglen) || parse_net(outer, 1, &out, msg, msglen))
        return -1;
    if (in.v6 != out.v6)
        return 0;
    if (out.prefix > in.prefix)
        return 0;
    int full = out.prefix / 8, rest = out.prefix % 8;
    if (memcmp(in.a, out.a, (size_t)full) != 0)
        return 0;
    if (rest) {
        uint8_t mask = (uint8_t)(0xFF << (8 - rest));
        if ((in.a[full] & mask) != (out.a[full] & mask))
            return 0;
    }
    return 1;
}
