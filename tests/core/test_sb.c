/*
 * test_sb.c - the bounded string builder (lib/core/sb.c).
 *
 * sb_ratio() promises the digits of printf("%.*f", d, (double)num / den);
 * every (den, decimals) pair used by the AIS formatters is checked against
 * snprintf over exhaustive ranges (all values the AIS fields can take where
 * that is affordable) and a large random sample of the rest.
 */
#include "testutil.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "core/sb.h"

/* ---- helpers ---- */

/* Runs sb_ratio into a fresh buffer and returns it NUL-terminated. */
static const char *ratio(int64_t num, int64_t den, int dec)
{
    static char buf[128];
    ald_sb sb;
    sb_init(&sb, buf, sizeof buf - 1);
    sb_ratio(&sb, num, den, dec);
    assert_false(sb.overflow);
    *sb.p = '\0';
    return buf;
}

static const char *ref_ratio(int64_t num, int64_t den, int dec)
{
    static char buf[128];
    snprintf(buf, sizeof buf, "%.*f", dec, (double)num / (double)den);
    return buf;
}

static void check_ratio(int64_t num, int64_t den, int dec)
{
    const char *got = ratio(num, den, dec);
    const char *want = ref_ratio(num, den, dec);
    if (strcmp(got, want) != 0) {
        print_error("sb_ratio(%" PRId64 ", %" PRId64 ", %d) = \"%s\", printf gives \"%s\"\n",
                    num, den, dec, got, want);
        fail();
    }
}

static void check_range(int64_t lo, int64_t hi, int64_t den, int dec)
{
    for (int64_t n = lo; n <= hi; n++)
        check_ratio(n, den, dec);
}

/* xorshift64*: deterministic random numbers so a failure is reproducible. */
static uint64_t rng_state = 0x9E3779B97F4A7C15ULL;
static uint64_t rnd(void)
{
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return rng_state * 2685821657736338717ULL;
}

/* n random values uniformly in [-lim, lim]. */
static void check_random(int64_t lim, int64_t den, int dec, unsigned n)
{
    for (unsigned i = 0; i < n; i++) {
        int64_t v = (int64_t)(rnd() % (uint64_t)(2 * lim + 1)) - lim;
        check_ratio(v, den, dec);
    }
}

static const char *fmt_u64(uint64_t v)
{
    static char buf[64];
    ald_sb sb;
    sb_init(&sb, buf, sizeof buf - 1);
    sb_u64(&sb, v);
    *sb.p = '\0';
    return buf;
}

static const char *fmt_i64(int64_t v)
{
    static char buf[64];
    ald_sb sb;
    sb_init(&sb, buf, sizeof buf - 1);
    sb_i64(&sb, v);
    *sb.p = '\0';
    return buf;
}

static const char *fmt_jstr(const char *s)
{
    static char buf[2048];
    ald_sb sb;
    sb_init(&sb, buf, sizeof buf - 1);
    sb_jstr(&sb, s);
    assert_false(sb.overflow);
    *sb.p = '\0';
    return buf;
}

/* ---- sb_ratio against printf, per scale used by the formatters ---- */

/* lat/lon in 1/10000 minute, 7 decimals (JSON scaled positions, CSV):
 * +-181 degrees = +-108600000. Exhaustive over the first 4 degrees each side
 * and the last degree below each limit, random over the rest. */
static void ratio_600000_7_matches_printf(void **state)
{
    (void)state;
    check_range(-2400000, 2400000, 600000, 7);
    check_range(108600000 - 600000, 108600000 + 10, 600000, 7);
    check_range(-108600000 - 10, -108600000 + 600000, 600000, 7);
    check_range(54600000 - 600000, 54600000 + 10, 600000, 7);   /* lat 91 */
    check_range(-54600000 - 10, -54600000 + 600000, 600000, 7);
    /* the whole 28-bit signed field, including values past the limits */
    check_random((1 << 27), 600000, 7, 2000000);
}

/* 1/1000 minute, 6 decimals (type 6/8 application positions). */
static void ratio_60000_6_matches_printf(void **state)
{
    (void)state;
    check_range(-1000000, 1000000, 60000, 6);
    check_range(10860000 - 200000, 10860000 + 10, 60000, 6);
    check_range(-10860000 - 10, -10860000 + 200000, 60000, 6);
    check_random((1 << 25), 60000, 6, 1000000);
}

/* 1/10 minute: 18-bit lon / 17-bit lat fields (types 17, 22, 23, 27) at
 * 1, 4 and 6 decimals; the whole signed 18-bit range is exhaustive. */
static void ratio_600_4_matches_printf(void **state)
{
    (void)state;
    check_range(-(1 << 17), (1 << 17) - 1, 600, 4);
}

static void ratio_600_1_matches_printf(void **state)
{
    (void)state;
    check_range(-(1 << 17), (1 << 17) - 1, 600, 1);
}

static void ratio_600_6_matches_printf(void **state)
{
    (void)state;
    check_range(-(1 << 17), (1 << 17) - 1, 600, 6);
}

/* speed/course/draught in tenths, and the 1/100 and 1/1000 scales. */
static void ratio_10_100_1000_match_printf(void **state)
{
    (void)state;
    check_range(-200000, 200000, 10, 1);
    check_range(-200000, 200000, 100, 2);
    check_range(-200000, 200000, 1000, 3);
    check_random(1LL << 32, 10, 1, 200000);
    check_random(1LL << 32, 100, 2, 200000);
    check_random(1LL << 32, 1000, 3, 200000);
}

/* Exact halves such as 0.15 (= 90/600) are not exact doubles: printf rounds
 * the double (0.1499999...) down, rounding the rational half away from zero
 * would give 0.2. */
static void ratio_exact_half_follows_the_double(void **state)
{
    (void)state;
    assert_string_equal(ratio(90, 600, 1), "0.1");      /* 0.15 */
    assert_string_equal(ratio(-90, 600, 1), "-0.1");
    assert_string_equal(ratio(30, 600, 1), "0.1");      /* 0.05 -> 0.05000000000000000277 */
    assert_string_equal(ratio(-30, 600, 1), "-0.1");
    assert_string_equal(ratio(150, 600, 1), "0.2");     /* 0.25 exact: half to even */
    assert_string_equal(ratio(450, 600, 1), "0.8");     /* 0.75 exact: half to even */
    assert_string_equal(ratio(5, 100, 1), "0.1");       /* 0.05 */
    assert_string_equal(ratio(25, 100, 1), "0.2");      /* 0.25 */
}

/* A negative value that rounds to zero keeps its sign, like printf. */
static void ratio_negative_zero(void **state)
{
    (void)state;
    assert_string_equal(ratio(-1, 600, 1), "-0.0");
    assert_string_equal(ratio(-29, 600, 1), "-0.0");
    assert_string_equal(ratio(-30, 600, 1), "-0.1");
    assert_string_equal(ratio(-1, 100000, 1), "-0.0");
    assert_string_equal(ratio(-1, 3000, 3), "-0.000");
    assert_string_equal(ratio(0, 600, 1), "0.0");
    assert_string_equal(ratio(0, 600000, 7), "0.0000000");
    /* (double)0 / -600 is -0.0, which printf prints with its sign */
    check_ratio(0, -600, 1);
    check_ratio(-90, -600, 1);
    check_ratio(90, -600, 1);
    check_ratio(-1, -600, 1);
}

static void ratio_known_values(void **state)
{
    (void)state;
    assert_string_equal(ratio(108600000, 600000, 7), "181.0000000");
    assert_string_equal(ratio(-108600000, 600000, 7), "-181.0000000");
    assert_string_equal(ratio(54600000, 600000, 7), "91.0000000");
    assert_string_equal(ratio(-73474140, 600000, 7), "-122.4569000");
    assert_string_equal(ratio(1023, 10, 1), "102.3");
    assert_string_equal(ratio(3600, 10, 1), "360.0");
    assert_string_equal(ratio(7, 10, 0), "1");    /* 0.7 -> 1 */
    assert_string_equal(ratio(1234, 1, 0), "1234");
}

/* Outside the fixed-point path (huge numerators, > 9 decimals, zero
 * divisor) sb_ratio hands over to printf itself. */
static void ratio_fallbacks_are_printf(void **state)
{
    (void)state;
    check_ratio(INT64_MAX, 600000, 7);
    check_ratio(INT64_MIN, 600000, 7);
    check_ratio((int64_t)1 << 33, 600000, 7);
    check_ratio(-((int64_t)1 << 33), 600000, 7);
    check_ratio(12345, 600000, 12);
    check_ratio(1, 0, 1);
    check_ratio(-1, 0, 1);
}

/* ---- integers ---- */

static void u64_extremes(void **state)
{
    (void)state;
    assert_string_equal(fmt_u64(0), "0");
    assert_string_equal(fmt_u64(9), "9");
    assert_string_equal(fmt_u64(10), "10");
    assert_string_equal(fmt_u64(99), "99");
    assert_string_equal(fmt_u64(100), "100");
    assert_string_equal(fmt_u64(4294967295u), "4294967295");
    assert_string_equal(fmt_u64(4294967296u), "4294967296");
    assert_string_equal(fmt_u64(UINT64_MAX), "18446744073709551615");
    assert_string_equal(fmt_u64(10000000000000000000ULL), "10000000000000000000");
}

static void i64_extremes(void **state)
{
    (void)state;
    assert_string_equal(fmt_i64(0), "0");
    assert_string_equal(fmt_i64(-1), "-1");
    assert_string_equal(fmt_i64(-10), "-10");
    assert_string_equal(fmt_i64(INT64_MAX), "9223372036854775807");
    assert_string_equal(fmt_i64(INT64_MIN), "-9223372036854775808");
    assert_string_equal(fmt_i64(INT64_MIN + 1), "-9223372036854775807");
}

static void integers_match_printf(void **state)
{
    (void)state;
    char want[64];
    for (int64_t v = -100000; v <= 100000; v++) {
        snprintf(want, sizeof want, "%" PRId64, v);
        assert_string_equal(fmt_i64(v), want);
    }
    for (unsigned i = 0; i < 200000; i++) {
        uint64_t u = rnd() >> (rnd() % 64);
        snprintf(want, sizeof want, "%" PRIu64, u);
        assert_string_equal(fmt_u64(u), want);
        snprintf(want, sizeof want, "%" PRId64, (int64_t)u);
        assert_string_equal(fmt_i64((int64_t)u), want);
    }
}

static void u_pad_is_zero_filled_to_width(void **state)
{
    (void)state;
    char buf[64];
    ald_sb sb;
    sb_init(&sb, buf, sizeof buf);
    sb_u_pad(&sb, 7, 3);
    sb_putc(&sb, '|');
    sb_u_pad(&sb, 1234, 2);      /* wider than width: not cut */
    sb_putc(&sb, '|');
    sb_u_pad(&sb, 0, 4);
    sb_putc(&sb, '|');
    sb_u_pad(&sb, 5, 0);
    sb_putc(&sb, '\0');
    assert_string_equal(buf, "007|1234|0000|5");
}

/* ---- JSON strings ---- */

/* gpsd's json_stringify (gpsd_json.c), re-stated: non-ASCII or iscntrl() in
 * the C locale -> backslash + b f n r t or u00xx; '"' and '\\' get a
 * backslash; everything else as is. */
static void gpsd_stringify(const unsigned char *s, char *out)
{
    for (; *s; s++) {
        unsigned c = *s;
        if (c >= 0x80 || c < 0x20 || c == 0x7f) {
            *out++ = '\\';
            switch (c) {
            case '\b': *out++ = 'b'; break;
            case '\f': *out++ = 'f'; break;
            case '\n': *out++ = 'n'; break;
            case '\r': *out++ = 'r'; break;
            case '\t': *out++ = 't'; break;
            default: out += sprintf(out, "u%04x", c);
            }
        } else {
            if (c == '"' || c == '\\')
                *out++ = '\\';
            *out++ = (char)c;
        }
    }
    *out = '\0';
}

static void jstr_escapes_quote_and_backslash(void **state)
{
    (void)state;
    assert_string_equal(fmt_jstr("A\"B\\C"), "A\\\"B\\\\C");
    assert_string_equal(fmt_jstr("/"), "/");     /* gpsd does not escape '/' */
    assert_string_equal(fmt_jstr(""), "");
    assert_string_equal(fmt_jstr("PLAIN @ TEXT 123"), "PLAIN @ TEXT 123");
}

static void jstr_escapes_control_characters(void **state)
{
    (void)state;
    assert_string_equal(fmt_jstr("\b\f\n\r\t"), "\\b\\f\\n\\r\\t");
    assert_string_equal(fmt_jstr("\x01"), "\\u0001");
    assert_string_equal(fmt_jstr("\x1f"), "\\u001f");
    assert_string_equal(fmt_jstr("\x7f"), "\\u007f");
    assert_string_equal(fmt_jstr("a\x0b" "b"), "a\\u000bb");
}

static void jstr_escapes_high_bytes_as_u00xx(void **state)
{
    (void)state;
    /* UTF-8 "é" is two bytes, each escaped on its own, as gpsd does */
    assert_string_equal(fmt_jstr("\xc3\xa9"), "\\u00c3\\u00a9");
    assert_string_equal(fmt_jstr("\x80\xff"), "\\u0080\\u00ff");
}

static void jstr_every_byte_matches_gpsd(void **state)
{
    (void)state;
    unsigned char in[2];
    char want[16];
    for (unsigned c = 1; c < 256; c++) {
        in[0] = (unsigned char)c;
        in[1] = 0;
        gpsd_stringify(in, want);
        assert_string_equal(fmt_jstr((const char *)in), want);
    }
    /* and all of them in one string */
    unsigned char all[256];
    static char want_all[256 * 6 + 1];
    for (unsigned c = 1; c < 256; c++)
        all[c - 1] = (unsigned char)c;
    all[255] = 0;
    gpsd_stringify(all, want_all);
    assert_string_equal(fmt_jstr((const char *)all), want_all);
}

/* ---- overflow ---- */

static void put_that_fits_exactly_does_not_overflow(void **state)
{
    (void)state;
    char buf[5];
    ald_sb sb;
    sb_init(&sb, buf, sizeof buf);
    SB_LIT(&sb, "abc");
    sb_putc(&sb, 'd');
    sb_putc(&sb, 'e');
    assert_false(sb.overflow);
    assert_ptr_equal(sb.p, buf + 5);
    assert_memory_equal(buf, "abcde", 5);
}

static void put_too_long_sets_overflow_and_writes_nothing(void **state)
{
    (void)state;
    char buf[8] = "xxxxxxxx";
    ald_sb sb;
    sb_init(&sb, buf, 4);
    SB_LIT(&sb, "abcde");
    assert_true(sb.overflow);
    assert_ptr_equal(sb.p, buf);
    assert_memory_equal(buf, "xxxxxxxx", 8);
}

static void overflow_is_sticky(void **state)
{
    (void)state;
    char buf[8] = "xxxxxxxx";
    ald_sb sb;
    sb_init(&sb, buf, 4);
    SB_LIT(&sb, "ab");
    SB_LIT(&sb, "cde");          /* does not fit: dropped */
    assert_true(sb.overflow);
    /* later output that would fit is dropped too ("drops further output") */
    sb_putc(&sb, 'z');
    SB_LIT(&sb, "y");
    sb_u64(&sb, 1);
    assert_true(sb.overflow);
    assert_ptr_equal(sb.p, buf + 2);
    assert_memory_equal(buf, "abxxxxxx", 8);
}

static void numbers_overflow_without_writing_past_cap(void **state)
{
    (void)state;
    char buf[16];
    ald_sb sb;
    memset(buf, 'x', sizeof buf);
    sb_init(&sb, buf, 5);
    sb_ratio(&sb, -73474140, 600000, 7);     /* "-122.4569000" */
    assert_true(sb.overflow);
    for (size_t i = 5; i < sizeof buf; i++)
        assert_int_equal(buf[i], 'x');

    sb_init(&sb, buf, 3);
    sb_u64(&sb, 1234);
    assert_true(sb.overflow);
    sb_init(&sb, buf, 3);
    sb_i64(&sb, -123);
    assert_true(sb.overflow);
    sb_init(&sb, buf, 3);
    sb_u_pad(&sb, 1, 4);
    assert_true(sb.overflow);
    sb_init(&sb, buf, 3);
    sb_double(&sb, 3.14159, 3);
    assert_true(sb.overflow);
    for (size_t i = 5; i < sizeof buf; i++)
        assert_int_equal(buf[i], 'x');
}

static void jstr_and_hex_overflow(void **state)
{
    (void)state;
    char buf[16];
    ald_sb sb;
    memset(buf, 'x', sizeof buf);
    sb_init(&sb, buf, 4);
    sb_jstr(&sb, "ab\x01");          /* needs 2 + 6 */
    assert_true(sb.overflow);
    for (size_t i = 4; i < sizeof buf; i++)
        assert_int_equal(buf[i], 'x');

    static const uint8_t b[3] = {0x01, 0xab, 0xff};
    sb_init(&sb, buf, 5);
    sb_hex(&sb, b, 3);
    assert_true(sb.overflow);
    sb_init(&sb, buf, 6);
    sb_hex(&sb, b, 3);
    assert_false(sb.overflow);
    assert_memory_equal(buf, "01abff", 6);
}

static void bool_and_empty_buffer(void **state)
{
    (void)state;
    char buf[16];
    ald_sb sb;
    sb_init(&sb, buf, sizeof buf);
    sb_bool(&sb, true);
    sb_putc(&sb, ',');
    sb_bool(&sb, false);
    sb_putc(&sb, '\0');
    assert_string_equal(buf, "true,false");
    sb_init(&sb, buf, 0);
    sb_put(&sb, "", 0);
    assert_false(sb.overflow);
    sb_putc(&sb, 'a');
    assert_true(sb.overflow);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(ratio_600000_7_matches_printf),
        cmocka_unit_test(ratio_60000_6_matches_printf),
        cmocka_unit_test(ratio_600_4_matches_printf),
        cmocka_unit_test(ratio_600_1_matches_printf),
        cmocka_unit_test(ratio_600_6_matches_printf),
        cmocka_unit_test(ratio_10_100_1000_match_printf),
        cmocka_unit_test(ratio_exact_half_follows_the_double),
        cmocka_unit_test(ratio_negative_zero),
        cmocka_unit_test(ratio_known_values),
        cmocka_unit_test(ratio_fallbacks_are_printf),
        cmocka_unit_test(u64_extremes),
        cmocka_unit_test(i64_extremes),
        cmocka_unit_test(integers_match_printf),
        cmocka_unit_test(u_pad_is_zero_filled_to_width),
        cmocka_unit_test(jstr_escapes_quote_and_backslash),
        cmocka_unit_test(jstr_escapes_control_characters),
        cmocka_unit_test(jstr_escapes_high_bytes_as_u00xx),
        cmocka_unit_test(jstr_every_byte_matches_gpsd),
        cmocka_unit_test(put_that_fits_exactly_does_not_overflow),
        cmocka_unit_test(put_too_long_sets_overflow_and_writes_nothing),
        cmocka_unit_test(overflow_is_sticky),
        cmocka_unit_test(numbers_overflow_without_writing_past_cap),
        cmocka_unit_test(jstr_and_hex_overflow),
        cmocka_unit_test(bool_and_empty_buffer),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
