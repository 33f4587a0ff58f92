/*
 * sb.h - bounded string builder used by every formatter in libalidade.
 *
 * A writer appends into caller memory through a cursor; nothing is allocated.
 * Running out of room sets `overflow` and drops further output, so formatters
 * stay simple and callers check once at the end. Numeric helpers format
 * integers and fixed-point values without printf on the hot path; sb_ratio()
 * prints num/den exactly as printf("%.*f", d, (double)num/den) does (see the
 * proof in sb.c).
 */
#ifndef ALD_CORE_SB_H
#define ALD_CORE_SB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

typedef struct {
    char *p;        /* next byte to write */
    char *end;      /* one past the last usable byte */
    bool overflow;  /* set once anything was dropped */
} ald_sb;

static inline void sb_init(ald_sb *sb, char *dst, size_t cap)
{
    sb->p = dst;
    sb->end = dst + cap;
    sb->overflow = false;
}

static inline void sb_put(ald_sb *sb, const char *s, size_t n)
{
    if (sb->overflow || (size_t)(sb->end - sb->p) < n) {
        sb->overflow = true;
        return;
    }
    memcpy(sb->p, s, n);
    sb->p += n;
}

static inline void sb_putc(ald_sb *sb, char c)
{
    if (sb->overflow || sb->p >= sb->end) {
        sb->overflow = true;
        return;
    }
    *sb->p++ = c;
}

/* Appends a string literal (length known at compile time). */
#define SB_LIT(sb, lit) sb_put((sb), (lit), sizeof(lit) - 1)

static inline void sb_puts(ald_sb *sb, const char *s)
{
    sb_put(sb, s, strlen(s));
}

/* Unsigned and signed decimal integers. */
void sb_u64_digits(ald_sb *sb, uint64_t v);
static inline void sb_u64(ald_sb *sb, uint64_t v)
{
    if (v < 10)
        sb_putc(sb, (char)('0' + v));
    else
        sb_u64_digits(sb, v);
}
void sb_i64(ald_sb *sb, int64_t v);
/* Zero-padded unsigned integer of at least `width` digits ("%0*u"). */
void sb_u_pad(ald_sb *sb, uint64_t v, int width);
/* num/den with `decimals` digits after the point, as printf("%.*f") prints
 * (double)num/den: rounded half away from zero, except exact ties, which
 * go to printf; a negative value that rounds to zero prints as "-0.0…".
 * Inline so that constant divisors become multiplications. */
void sb_ratio_slow(ald_sb *sb, int64_t num, int64_t den, int decimals);
/* q / 10^decimals, with a leading '-' when neg. */
void sb_fixed(ald_sb *sb, bool neg, uint64_t q, int decimals);
static inline uint64_t sb_pow10(int d)
{
    uint64_t p = 1;
    for (int i = 0; i < d; i++)
        p *= 10;
    return p;
}
static inline void sb_ratio(ald_sb *sb, int64_t num, int64_t den, int decimals)
{
    if (den > 0 && decimals >= 0 && decimals <= 9 &&
        num > -(1LL << 33) && num < (1LL << 33)) {
        uint64_t a = num < 0 ? (uint64_t)-num : (uint64_t)num;
        uint64_t x = a * sb_pow10(decimals);
        uint64_t q = x / (uint64_t)den, r = x % (uint64_t)den;
        if (2 * r != (uint64_t)den) {
            sb_fixed(sb, num < 0, q + (2 * r > (uint64_t)den), decimals);
            return;
        }
    }
    sb_ratio_slow(sb, num, den, decimals);
}
/* printf("%.*f") fallback for values that are not simple ratios. */
void sb_double(ald_sb *sb, double v, int decimals);
/* JSON string body (no quotes), escaped the way gpsd's json_stringify does:
 * '"' and '\\' get a backslash, control and non-ASCII bytes become \b \f \n
 * \r \t or \u00XX. */
void sb_jstr(ald_sb *sb, const char *s);
/* Lower-case hex of n bytes. */
void sb_hex(ald_sb *sb, const uint8_t *b, size_t n);
/* `true` or `false`. */
static inline void sb_bool(ald_sb *sb, bool b)
{
    if (b)
        SB_LIT(sb, "true");
    else
        SB_LIT(sb, "false");
}

#endif
