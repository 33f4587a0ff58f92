/*
 * sb.c - number and string formatting for the bounded string builder.
 *
 * sb_ratio() replaces printf("%.Nf", num / (double)den) on the AIS hot path.
 * Why it prints the same digits: printf rounds the double nearest to num/den.
 * That double is within half an ulp of the exact quotient, and the exact
 * quotient is at least 10^-N / (2*den) away from any rounding tie unless it is
 * a tie itself. For every scale used here (den <= 600000, N <= 7, |value| <
 * 2^13) that distance exceeds half an ulp by two orders of magnitude, so both
 * round the same way. Exact ties (the quotient ends in a 5 just past the last
 * digit) do occur, e.g. 90/600 = 0.15 at one decimal: there the double is a
 * little above or below the tie (0.1499999...) or exactly on it (0.25, which
 * printf rounds half to even), so a tie is handed to printf itself.
 */
#include "core/sb.h"

#include <stdio.h>

static const char digits2[] =
    "00010203040506070809101112131415161718192021222324252627282930313233343536373839"
    "40414243444546474849505152535455565758596061626364656667686970717273747576777879"
    "8081828384858687888990919293949596979899";

/* Writes v in decimal into the END of tmp[24]; returns the start. */
static const uint64_t pow10_u64[20] = {
    1ULL, 10ULL, 100ULL, 1000ULL, 10000ULL, 100000ULL, 1000000ULL, 10000000ULL,
    100000000ULL, 1000000000ULL, 10000000000ULL, 100000000000ULL,
    1000000000000ULL, 10000000000000ULL, 100000000000000ULL,
    1000000000000000ULL, 10000000000000000ULL, 100000000000000000ULL,
    1000000000000000000ULL, 10000000000000000000ULL,
};

/* Number of decimal digits of v (1 for 0): log10 from the bit length. */
static int ndigits(uint64_t v)
{
    int t = ((64 - __builtin_clzll(v | 1)) * 1233) >> 12;
    return t + 1 - (v < pow10_u64[t]);
}

/* Writes the n digits of v ending just before `end`. */
static void put_digits(char *end, uint64_t v, int n)
{
    char *q = end;
    while (n >= 2) {
        unsigned r = (unsigned)(v % 100);
        v /= 100;
        q -= 2;
        q[0] = digits2[2 * r];
        q[1] = digits2[2 * r + 1];
        n -= 2;
    }
    if (n)
        *--q = (char)('0' + v % 10);
}

/* Room for n more bytes, or sets overflow. */
static bool room(ald_sb *sb, size_t n)
{
    if (sb->overflow || (size_t)(sb->end - sb->p) < n) {
        sb->overflow = true;
        return false;
    }
    return true;
}

void sb_u64_digits(ald_sb *sb, uint64_t v)
{
    int n = ndigits(v);
    if (!room(sb, (size_t)n))
        return;
    put_digits(sb->p + n, v, n);
    sb->p += n;
}

void sb_i64(ald_sb *sb, int64_t v)
{
    if (v < 0) {
        sb_putc(sb, '-');
        sb_u64(sb, (uint64_t)0 - (uint64_t)v);
    } else {
        sb_u64(sb, (uint64_t)v);
    }
}

void sb_u_pad(ald_sb *sb, uint64_t v, int width)
{
    int n = ndigits(v);
    int w = n > width ? n : width;
    if (!room(sb, (size_t)w))
        return;
    memset(sb->p, '0', (size_t)(w - n));
    put_digits(sb->p + w, v, n);
    sb->p += w;
}


void sb_ratio_slow(ald_sb *sb, int64_t num, int64_t den, int decimals)
{
    /* the sign of the IEEE quotient: 0 / -den is -0.0 and prints as "-0.0" */
    bool neg = (num < 0) != (den < 0);
    uint64_t a = num < 0 ? (uint64_t)0 - (uint64_t)num : (uint64_t)num;
    uint64_t d = den < 0 ? (uint64_t)0 - (uint64_t)den : (uint64_t)den;
    if (decimals < 0 || decimals > 9 || d == 0) {
        sb_double(sb, (double)num / (double)den, decimals < 0 ? 0 : decimals);
        return;
    }
    uint64_t scale = pow10_u64[decimals];
    /* a * scale must not overflow: a < 2^40 and scale <= 10^9 < 2^30 */
    if (a >= (1ULL << 33)) {
        sb_double(sb, (double)num / (double)den, decimals);
        return;
    }
    uint64_t x = a * scale;
    uint64_t q = x / d, r = x % d;
    if (2 * r == d) {
        /* exact tie: printf rounds the double, which is not the tie */
        sb_double(sb, (double)num / (double)den, decimals);
        return;
    }
    if (2 * r > d)
        q++;
    sb_fixed(sb, neg, q, decimals);
}

void sb_fixed(ald_sb *sb, bool neg, uint64_t q, int decimals)
{
    int n = ndigits(q);
    int digits = n > decimals ? n : decimals + 1;     /* "0.001" has 4 */
    size_t len = (size_t)neg + (size_t)digits + (decimals > 0);
    if (!room(sb, len))
        return;
    if (neg)
        *sb->p = '-';
    /* fraction and integer part, each right to left in digit pairs */
    char *e = sb->p + len;
    if (decimals > 0) {
        uint64_t scale = pow10_u64[decimals];
        put_digits(e, q % scale, decimals);
        e -= decimals;
        *--e = '.';
        q /= scale;
    }
    put_digits(e, q, digits - decimals);
    sb->p += len;
}

void sb_double(ald_sb *sb, double v, int decimals)
{
    char tmp[64];
    int n = snprintf(tmp, sizeof tmp, "%.*f", decimals, v);
    if (n < 0 || (size_t)n >= sizeof tmp) {
        sb->overflow = true;
        return;
    }
    sb_put(sb, tmp, (size_t)n);
}

void sb_jstr(ald_sb *sb, const char *s)
{
    static const char hex[] = "0123456789abcdef";
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c >= 0x80 || c < 0x20 || c == 0x7f) {
            sb_putc(sb, '\\');
            switch (c) {
            case '\b': sb_putc(sb, 'b'); break;
            case '\f': sb_putc(sb, 'f'); break;
            case '\n': sb_putc(sb, 'n'); break;
            case '\r': sb_putc(sb, 'r'); break;
            case '\t': sb_putc(sb, 't'); break;
            default: {
                char u[5] = {'u', '0', '0', hex[c >> 4], hex[c & 15]};
                sb_put(sb, u, 5);
            }
            }
        } else {
            if (c == '"' || c == '\\')
                sb_putc(sb, '\\');
            sb_putc(sb, (char)c);
        }
    }
}

void sb_hex(ald_sb *sb, const uint8_t *b, size_t n)
{
    static const char hex[] = "0123456789abcdef";
    if (sb->overflow || (size_t)(sb->end - sb->p) < 2 * n) {
        sb->overflow = true;
        return;
    }
    for (size_t i = 0; i < n; i++) {
        *sb->p++ = hex[b[i] >> 4];
        *sb->p++ = hex[b[i] & 15];
    }
}
