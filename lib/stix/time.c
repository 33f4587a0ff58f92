/*
 * time.c - STIX 2.1 timestamps (section 3.2): RFC 3339 in UTC with an
 * upper-case 'T' and 'Z', "YYYY-MM-DDTHH:MM:SS[.s+]Z", to and from
 * microseconds since 1970 (proleptic Gregorian calendar, years 0000-9999).
 *
 * Decisions (docs/stix.md): the day must exist in its month (February 29
 * only in leap years); any number of fraction digits, at least one after a
 * '.', digits past the microsecond are truncated; second 60 (a leap second)
 * is accepted only as 23:59:60, where RFC 3339 section 5.7 allows it in UTC
 * (the OASIS schema's regex accepts 60 at any minute), and counts as the
 * first second of the next day, as POSIX time does.
 */
#include <string.h>

#include "alidade/stix.h"

#define US_PER_S INT64_C(1000000)

/* Days from 1970-01-01 to y-m-d (proleptic Gregorian), H. Hinnant's
 * days_from_civil. */
static int64_t days_from_civil(int64_t y, unsigned m, unsigned d)
{
    y -= m <= 2;
    const int64_t era = (y >= 0 ? y : y - 399) / 400;
    const unsigned yoe = (unsigned)(y - era * 400);
    const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
    const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + (int64_t)doe - 719468;
}

/* The inverse: y-m-d of a day count. */
static void civil_from_days(int64_t z, int64_t *y, unsigned *m, unsigned *d)
{
    z += 719468;
    const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    const unsigned doe = (unsigned)(z - era * 146097);
    const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    const unsigned mp = (5 * doy + 2) / 153;
    *d = doy - (153 * mp + 2) / 5 + 1;
    *m = mp < 10 ? mp + 3 : mp - 9;
    *y = (int64_t)yoe + era * 400 + (*m <= 2);
}

static bool leap_year(unsigned y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static unsigned days_in_month(unsigned y, unsigned m)
{
    static const unsigned char dim[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return m == 2 && leap_year(y) ? 29 : dim[m - 1];
}

/* n decimal digits at s, or -1 if one of them is not a digit. */
static int digits(const char *s, int n)
{
    int v = 0;
    for (int i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return -1;
        v = v * 10 + (s[i] - '0');
    }
    return v;
}

/* The fixed "YYYY-MM-DDTHH:MM:SS" part into f[0..5]; false when malformed. */
static bool parse_fields(const char *s, int f[6])
{
    static const struct { unsigned char at, n; char after; } part[6] = {
        {0, 4, '-'}, {5, 2, '-'}, {8, 2, 'T'}, {11, 2, ':'}, {14, 2, ':'}, {17, 2, 0},
    };
    for (int i = 0; i < 6; i++) {
        f[i] = digits(s + part[i].at, part[i].n);
        if (f[i] < 0)
            return false;
        if (part[i].after && s[part[i].at + part[i].n] != part[i].after)
            return false;
    }
    return true;
}

bool stix_time_parse(const char *s, size_t n, int64_t *us)
{
    int f[6];
    if (!s || n < 20 || s[n - 1] != 'Z' || !parse_fields(s, f))
        return false;
    unsigned y = (unsigned)f[0], mo = (unsigned)f[1], d = (unsigned)f[2];
    if (mo < 1 || mo > 12 || d < 1 || d > days_in_month(y, mo))
        return false;
    if (f[3] > 23 || f[4] > 59 || f[5] > 60 || (f[5] == 60 && (f[3] != 23 || f[4] != 59)))
        return false;
    int64_t frac = 0;
    size_t i = 19;
    if (s[i] == '.') {
        size_t k = 0;
        for (i++; i < n - 1; i++, k++) {
            if (s[i] < '0' || s[i] > '9')
                return false;
            if (k < 6)
                frac = frac * 10 + (s[i] - '0');
        }
        if (k == 0)
            return false;
        for (; k < 6; k++)
            frac *= 10;
    }
    if (i != n - 1)
        return false;
    int64_t secs = days_from_civil(y, mo, d) * 86400 + f[3] * 3600 + f[4] * 60 + f[5];
    if (us)
        *us = secs * US_PER_S + frac;
    return true;
}

/* Floor division, for times before 1970. */
static int64_t floor_div(int64_t a, int64_t b)
{
    int64_t q = a / b;
    return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

size_t stix_time_format(int64_t us, char out[STIX_TIME_TEXT])
{
    int64_t secs = floor_div(us, US_PER_S);
    int64_t frac = us % US_PER_S;    /* not us - secs * US_PER_S: overflows at INT64_MIN */
    if (frac < 0)
        frac += US_PER_S;
    int64_t days = floor_div(secs, 86400);
    int64_t sod = secs - days * 86400;
    int64_t y;
    unsigned m, d;
    civil_from_days(days, &y, &m, &d);
    if (y < 0 || y > 9999) {      /* not writable as a STIX timestamp */
        out[0] = 0;
        return 0;
    }
    char *p = out;
    unsigned v[6] = {(unsigned)y, m, d, (unsigned)(sod / 3600), (unsigned)(sod / 60 % 60),
                     (unsigned)(sod % 60)};
    static const char sep[6] = {'-', '-', 'T', ':', ':', '.'};
    for (int i = 0; i < 6; i++) {
        int w = i == 0 ? 4 : 2;
        for (int k = w - 1; k >= 0; k--, v[i] /= 10)
            p[k] = (char)('0' + v[i] % 10);
        p += w;
        *p++ = sep[i];
    }
    for (int k = 5; k >= 0; k--, frac /= 10)
        p[k] = (char)('0' + frac % 10);
    p += 6;
    *p++ = 'Z';
    *p = 0;
    return (size_t)(p - out);
}
