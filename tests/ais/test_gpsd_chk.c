/*
 * test_gpsd_chk.c - alidade's JSON against gpsd's own expected decodes of its
 * sample data (../shared/data/ais/gpsd, from gpsd's test/ tree): every
 * message gpsd decodes must come out, in order, byte for byte (gpsd ends
 * lines with CRLF; we compare without the CR).
 */
#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alidade/ais.h"

/* Keeps only the lines of `chk` that are AIS JSON objects, without CR. */
static char *json_lines(const char *chk)
{
    size_t n = strlen(chk);
    char *out = malloc(n + 1), *o = out;
    const char *p = chk;
    while (*p) {
        const char *nl = strchr(p, '\n');
        const char *e = nl ? nl : p + strlen(p);
        if (strncmp(p, "{\"class\":\"AIS\"", 14) == 0) {
            for (const char *q = p; q < e; q++)
                if (*q != '\r')
                    *o++ = *q;
            *o++ = '\n';
        }
        p = nl ? nl + 1 : e;
    }
    *o = '\0';
    return out;
}

/* Compares line by line; on a mismatch prints both lines and fails. */
static void same_lines(const char *name, const char *want, const char *got)
{
    int line = 1;
    while (*want || *got) {
        const char *we = strchr(want, '\n'), *ge = strchr(got, '\n');
        size_t wl = we ? (size_t)(we - want) : strlen(want);
        size_t gl = ge ? (size_t)(ge - got) : strlen(got);
        if (wl != gl || memcmp(want, got, wl) != 0) {
            print_error("%s: message %d differs\n gpsd:    %.*s\n alidade: %.*s\n", name, line,
                        (int)wl, want, (int)gl, got);
            fail();
        }
        want = we ? we + 1 : want + wl;
        got = ge ? ge + 1 : got + gl;
        line++;
    }
}

static void check(const char *input_rel, const char *chk_rel, bool scaled, const char *device)
{
    TU_NEED_SHARED(in_path, input_rel);
    char in_copy[4096];
    snprintf(in_copy, sizeof in_copy, "%s", in_path);
    TU_NEED_SHARED(chk_path, chk_rel);
    size_t len;
    char *in = tu_read_file(in_copy, &len);
    char *chk = tu_read_file(chk_path, NULL);
    assert_non_null(in);
    assert_non_null(chk);
    char *want = json_lines(chk);
    char *got = tu_decode_json(in, len, scaled, device, false);
    same_lines(chk_rel, want, got);
    free(in);
    free(chk);
    free(want);
    free(got);
}

static void sample_scaled(void **state)
{
    (void)state;
    check("ais/gpsd/sample.aivdm", "ais/gpsd/sample.aivdm.js.chk", true, "stdin");
}

static void sample_unscaled(void **state)
{
    (void)state;
    check("ais/gpsd/sample.aivdm", "ais/gpsd/sample.aivdm.ju.chk", false, "stdin");
}

static void daemon_18_27(void **state)
{
    (void)state;
    check("ais/gpsd/ais-18-27.log", "ais/gpsd/ais-18-27.log.chk", false, NULL);
}

static void daemon_type6_fid55(void **state)
{
    (void)state;
    check("ais/gpsd/ais-nmea-type6-fid55.log", "ais/gpsd/ais-nmea-type6-fid55.log.chk", false, NULL);
}

static void daemon_raw_messages(void **state)
{
    (void)state;
    check("ais/gpsd/ais-raw-messages.log", "ais/gpsd/ais-raw-messages.log.chk", false, NULL);
}

static void daemon_sixbit(void **state)
{
    (void)state;
    check("ais/gpsd/ais_unpack_sixbit.log", "ais/gpsd/ais_unpack_sixbit.log.chk", false, NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(sample_scaled),
        cmocka_unit_test(sample_unscaled),
        cmocka_unit_test(daemon_18_27),
        cmocka_unit_test(daemon_type6_fid55),
        cmocka_unit_test(daemon_raw_messages),
        cmocka_unit_test(daemon_sixbit),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
