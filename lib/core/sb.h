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
void sb_u64(ald_sb *sb, uint64_t v);
void sb_i64(ald_sb *sb, int64_t v);
/* Zero-padded unsigned integer of at least `width` digits ("%0*u"). */
void sb_u_pad(ald_sb *sb, uint64_t v, int width);
/* num/den with `decimals` digits after the point, rounded half away from
 * zero; a negative value that rounds to zero prints as "-0.0…", like printf. */
void sb_ratio(ald_sb *sb, int64_t num, int64_t den, int decimals);
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
