/*
 * test_time.c - STIX timestamps: exact microseconds for known instants
 * (checked against `date -u -d ... +%s`), fraction digits (none, 1, 3, 6, 9:
 * truncated), the calendar (leap years 2000/2024, not 1900/2100), the leap
 * second 23:59:60 only, years 0000 and 9999, malformed text, and formatting
 * (6 decimals, before 1970, out of range).
 */
#include "testutil.h"

#include <string.h>

#include "alidade/stix.h"

static int64_t parse_ok(const char *s)
{
    int64_t us = 0;
    if (!stix_time_parse(s, strlen(s), &us))
        fail_msg("rejected %s", s);
    return us;
}

static void rejected(const char *s)
{
    int64_t us = 42;
    if (stix_time_parse(s, strlen(s), &us))
        fail_msg("accepted %s", s);
    assert_int_equal(us, 42);
}

static void known_instants(void **state)
{
    (void)state;
    assert_int_equal(parse_ok("1970-01-01T00:00:00Z"), 0);
    /* date -u -d 2016-05-12T08:17:27Z +%s = 1463041047 */
    assert_int_equal(parse_ok("2016-05-12T08:17:27Z"), INT64_C(1463041047000000));
    assert_int_equal(parse_ok("2016-05-12T08:17:27.000Z"), INT64_C(1463041047000000));
    assert_int_equal(parse_ok("2016-05-12T08:17:27.1Z"), INT64_C(1463041047100000));
    assert_int_equal(parse_ok("2016-05-12T08:17:27.123Z"), INT64_C(1463041047123000));
    assert_int_equal(parse_ok("2016-05-12T08:17:27.123456Z"), INT64_C(1463041047123456));
    /* digits past the microsecond are truncated, not rounded */
    assert_int_equal(parse_ok("2016-05-12T08:17:27.123456789Z"), INT64_C(1463041047123456));
    assert_int_equal(parse_ok("2016-05-12T08:17:27.999999999999Z"), INT64_C(1463041047999999));
    /* date -u -d 1969-12-31T23:59:59Z +%s = -1 */
    assert_int_equal(parse_ok("1969-12-31T23:59:59.5Z"), -500000);
    /* date -u -d 0000-01-01 +%s = -62167219200 (proleptic Gregorian) */
    assert_int_equal(parse_ok("0000-01-01T00:00:00Z"), INT64_C(-62167219200000000));
    /* date -u -d 9999-12-31T23:59:59Z +%s = 253402300799 */
    assert_int_equal(parse_ok("9999-12-31T23:59:59.999999Z"), INT64_C(253402300799999999));
}

static void calendar(void **state)
{
    (void)state;
    /* date -u -d 2024-02-29 +%s = 1709164800 */
    assert_int_equal(parse_ok("2024-02-29T00:00:00Z"), INT64_C(1709164800000000));
    /* date -u -d 2000-02-29 +%s = 951782400 */
    assert_int_equal(parse_ok("2000-02-29T00:00:00Z"), INT64_C(951782400000000));
    rejected("1900-02-29T00:00:00Z");
    rejected("2100-02-29T00:00:00Z");
    rejected("2023-02-29T00:00:00Z");
    rejected("2023-04-31T00:00:00Z");
    rejected("2023-00-10T00:00:00Z");
    rejected("2023-13-10T00:00:00Z");
    rejected("2023-12-00T00:00:00Z");
    rejected("2023-12-32T00:00:00Z");
    rejected("2023-12-10T24:00:00Z");
    rejected("2023-12-10T23:60:00Z");
    rejected("2023-12-10T23:59:61Z");
}

static void leap_second(void **state)
{
    (void)state;
    /* 2016-12-31T23:59:60Z was a real leap second; it counts as the first
     * second of the next day (date -u -d 2017-01-01 +%s = 1483228800) */
    assert_int_equal(parse_ok("2016-12-31T23:59:60Z"), INT64_C(1483228800000000));
    assert_int_equal(parse_ok("2016-12-31T23:59:60.250Z"), INT64_C(1483228800250000));
    /* 60 anywhere else is not a UTC leap second */
    rejected("2016-12-31T12:30:60Z");
    rejected("2016-12-31T23:58:60Z");
}

static void malformed(void **state)
{
    (void)state;
    rejected("");
    rejected("2016-05-12T08:17:27");              /* no zone */
    rejected("2016-05-12T08:17:27+00:00");        /* STIX requires Z */
    rejected("2016-05-12t08:17:27Z");
    rejected("2016-05-12T08:17:27z");
    rejected("2016-05-12 08:17:27Z");
    rejected("2016-05-12T08:17:27.Z");            /* '.' without digits */
    rejected("2016-05-12T08:17:27.12aZ");
    rejected("2016-05-12T08:17Z");
    rejected("16-05-12T08:17:27Z");
    rejected("+2016-05-12T08:17:27Z");
    rejected("2016-5-12T08:17:27.00Z");
    rejected("2016-05-12T08:17:27.000ZZ");
    rejected("2016-05-12T08:17:27.000 Z");
    rejected("2016-05-12T08:1:270Z");
    /* the length given is what counts: no reading past it */
    const char *s = "2016-05-12T08:17:27.123Zgarbage";
    int64_t us;
    assert_true(stix_time_parse(s, 24, &us));
    assert_int_equal(us, INT64_C(1463041047123000));
    assert_false(stix_time_parse(s, 23, &us));
    assert_false(stix_time_parse(NULL, 0, &us));
}

static void format(void **state)
{
    (void)state;
    char out[STIX_TIME_TEXT];
    assert_int_equal(stix_time_format(0, out), 27);
    assert_string_equal(out, "1970-01-01T00:00:00.000000Z");
    stix_time_format(INT64_C(1463041047123456), out);
    assert_string_equal(out, "2016-05-12T08:17:27.123456Z");
    stix_time_format(-1, out);
    assert_string_equal(out, "1969-12-31T23:59:59.999999Z");
    stix_time_format(INT64_C(1709164800000000), out);
    assert_string_equal(out, "2024-02-29T00:00:00.000000Z");
    stix_time_format(INT64_C(253402300799999999), out);
    assert_string_equal(out, "9999-12-31T23:59:59.999999Z");
    stix_time_format(INT64_C(-62167219200000000), out);
    assert_string_equal(out, "0000-01-01T00:00:00.000000Z");
    assert_int_equal(stix_time_format(INT64_C(253402300800000000), out), 0);
    assert_string_equal(out, "");
    assert_int_equal(stix_time_format(INT64_C(-62167219200000001), out), 0);
    assert_int_equal(stix_time_format(INT64_MIN, out), 0);
    assert_int_equal(stix_time_format(INT64_MAX, out), 0);
}

/* Every formatted value parses back to itself, across the whole range. */
static void round_trip(void **state)
{
    (void)state;
    char out[STIX_TIME_TEXT];
    int64_t lo = INT64_C(-62167219200000000), hi = INT64_C(253402300799999999);
    uint64_t x = 88172645463325252u;
    for (int i = 0; i < 200000; i++) {
        x ^= x << 13, x ^= x >> 7, x ^= x << 17;
        int64_t us = lo + (int64_t)(x % (uint64_t)(hi - lo));
        size_t n = stix_time_format(us, out);
        assert_int_equal(n, 27);
        int64_t back;
        assert_true(stix_time_parse(out, n, &back));
        assert_int_equal(back, us);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(known_instants), cmocka_unit_test(calendar),
        cmocka_unit_test(leap_second),    cmocka_unit_test(malformed),
        cmocka_unit_test(format),         cmocka_unit_test(round_trip),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
