/*
 * test_json.c - ais_json details not covered by the gpsd corpus: the rate of
 * turn table against printf, special values, member order of rare types,
 * and the bounded output (no overflow, 0 when the buffer is too small).
 *
 * lib/ais/turn_text.h was generated with:
 *   for t in -126..126: r = t / 4.733; r *= r; if (t < 0) r = -r;
 *                       printf("%.2f", r)
 */
#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alidade/ais.h"
#include "ais/turn_text.h"

static void turn_table_matches_printf(void **state)
{
    (void)state;
    for (int t = -126; t <= 126; t++) {
        double r = t / 4.733;
        char want[32];
        r *= r;
        if (t < 0)
            r = -r;
        snprintf(want, sizeof want, "%.2f", r);
        assert_string_equal(turn_text[t + 126], want);
    }
}

static struct ais_msg pos(int turn, unsigned speed)
{
    struct ais_msg m;
    memset(&m, 0, sizeof m);
    m.type = 1;
    m.mmsi = 123456789;
    m.u.t1.turn = turn;
    m.u.t1.speed = speed;
    m.u.t1.lon = 181 * 600000;
    m.u.t1.lat = 91 * 600000;
    m.u.t1.course = 3600;
    m.u.t1.heading = 511;
    m.u.t1.second = 60;
    return m;
}

static void special_values(void **state)
{
    (void)state;
    char out[AIS_LINE_MAX];
    struct ais_msg m = pos(-128, 1023);
    assert_true(ais_json(&m, true, NULL, out, sizeof out) > 0);
    assert_non_null(strstr(out, "\"turn\":\"n/a\",\"speed\":\"n/a\""));
    assert_non_null(strstr(out, "\"lon\":181.0000000,\"lat\":91.0000000,\"course\":360.0"));
    m = pos(127, 1022);
    ais_json(&m, true, NULL, out, sizeof out);
    assert_non_null(strstr(out, "\"turn\":\"fastright\",\"speed\":\"fast\""));
    m = pos(-5, 0);
    ais_json(&m, true, NULL, out, sizeof out);
    assert_non_null(strstr(out, "\"turn\":\"-1.12\""));
    m = pos(-5, 0);
    ais_json(&m, false, NULL, out, sizeof out);
    assert_non_null(strstr(out, "\"turn\":-5,\"speed\":0"));
    assert_null(strstr(out, "\"device\""));
}

static void too_small_buffer_gives_zero(void **state)
{
    (void)state;
    char out[64];
    struct ais_msg m = pos(0, 0);
    memset(out, 'x', sizeof out);
    assert_int_equal(ais_json(&m, true, "stdin", out, sizeof out), 0);
    char big[AIS_LINE_MAX];
    size_t n = ais_json(&m, true, "stdin", big, sizeof big);
    assert_true(n > 64);
    assert_int_equal(ais_json(&m, true, "stdin", big, n), n);
    assert_int_equal(ais_json(&m, true, "stdin", big, n - 1), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(turn_table_matches_printf),
        cmocka_unit_test(special_values),
        cmocka_unit_test(too_small_buffer_gives_zero),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
