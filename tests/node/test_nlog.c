/*
 * test_nlog.c - the node's structured log lines (src/nlog.c) in each
 * format, with escaping and the level filter, and the generic series of
 * /metrics (src/metrics.c) that live ingest and federation count with.
 */
#include <math.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include "../../src/metrics.h"
#include "../../src/nlog.h"

/* What nlog wrote to a memory stream, without the timestamp prefix
 * (text/logfmt) or with the "ts" member removed (json). */
static char *logged(enum nlog_format f, enum nlog_level min, void (*write)(nlog *))
{
    char *buf = NULL;
    size_t len = 0;
    FILE *m = open_memstream(&buf, &len);
    assert_non_null(m);
    nlog *l = nlog_new(m, f, min);
    write(l);
    nlog_free(l);
    fclose(m);
    return buf;
}

static void one(nlog *l)
{
    nlog_kv(l, NLOG_WARN, "ingest", "reconnecting", "source", "tcp 1", "delay_s", "4",
            "note", "a \"quoted\"\nline", NULL);
    nlog_kv(l, NLOG_DEBUG, "ingest", "hidden", NULL);
}

static void text_and_logfmt(void **state)
{
    (void)state;
    char *t = logged(NLOG_TEXT, NLOG_INFO, one);
    const char *sp = strchr(t, ' ');
    assert_non_null(sp);
    assert_int_equal(sp - t, 24);   /* 2026-11-23T21:50:00.123Z */
    assert_true(t[23] == 'Z' && t[10] == 'T');
    assert_string_equal(sp + 1, "warn ingest: reconnecting source=\"tcp 1\" delay_s=4 "
                                "note=\"a \\\"quoted\\\"\\u000aline\"\n");
    free(t);
    char *f = logged(NLOG_LOGFMT, NLOG_INFO, one);
    assert_true(strncmp(f, "ts=", 3) == 0);
    assert_string_equal(strchr(f, ' ') + 1,
                        "level=warn component=ingest msg=reconnecting source=\"tcp 1\" "
                        "delay_s=4 note=\"a \\\"quoted\\\"\\u000aline\"\n");
    free(f);
    char *off = logged(NLOG_TEXT, NLOG_OFF, one);
    assert_string_equal(off, "");
    free(off);
}

static void json_lines(void **state)
{
    (void)state;
    char *j = logged(NLOG_JSON, NLOG_DEBUG, one);
    char *nl = strchr(j, '\n');
    assert_non_null(nl);
    *nl = '\0';
    json_error_t e;
    json_t *o = json_loads(j, 0, &e);
    assert_non_null(o);
    assert_string_equal(json_string_value(json_object_get(o, "level")), "warn");
    assert_string_equal(json_string_value(json_object_get(o, "component")), "ingest");
    assert_string_equal(json_string_value(json_object_get(o, "note")), "a \"quoted\"\nline");
    assert_int_equal(strlen(json_string_value(json_object_get(o, "ts"))), 24);
    json_decref(o);
    /* the debug line came second */
    o = json_loads(nl + 1, JSON_DISABLE_EOF_CHECK, &e);
    assert_non_null(o);
    assert_string_equal(json_string_value(json_object_get(o, "msg")), "hidden");
    json_decref(o);
    free(j);
}

static void long_value(nlog *l)
{
    char big[5000];
    memset(big, 'x', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    nlog_kv(l, NLOG_ERROR, "web", "big", "v", big, NULL);
}

static void long_values_are_cut_and_stay_json(void **state)
{
    (void)state;
    char *j = logged(NLOG_JSON, NLOG_INFO, long_value);
    json_error_t e;
    json_t *o = json_loads(j, JSON_DISABLE_EOF_CHECK, &e);
    assert_non_null(o);
    const char *v = json_string_value(json_object_get(o, "v"));
    assert_int_equal(strlen(v), 1024 + 3);
    assert_string_equal(v + 1024, "...");
    json_decref(o);
    free(j);
}

static void parse_names(void **state)
{
    (void)state;
    enum nlog_level l;
    enum nlog_format f;
    assert_true(nlog_parse_level("warn", &l) && l == NLOG_WARN);
    assert_false(nlog_parse_level("WARNING", &l));
    assert_true(nlog_parse_format("logfmt", &f) && f == NLOG_LOGFMT);
    assert_false(nlog_parse_format("xml", &f));
}

static void metric_series(void **state)
{
    (void)state;
    metrics *m = metrics_new(0);
    metrics_describe(m, "alidade_ingest_messages_total", "counter", "NMEA lines read.");
    metrics_add(m, "alidade_ingest_messages_total", "source", "udp\"1", 3);
    metrics_add(m, "alidade_ingest_messages_total", "source", "udp\"1", 2);
    metrics_add(m, "alidade_ingest_messages_total", NULL, NULL, 1);
    metrics_add(m, "alidade_undescribed", NULL, NULL, 1);   /* dropped, counted */
    metrics_describe(m, "alidade_sync_lag_seconds", "gauge", "Seconds behind.");
    metrics_set(m, "alidade_sync_lag_seconds", "partner", "bravo", 1.5);
    metrics_set(m, "alidade_sync_lag_seconds", "partner", "bravo", 2.25);
    size_t len = 0;
    char *t = metrics_text(m, 1000000, -1, &len);
    assert_non_null(t);
    assert_non_null(strstr(t, "# TYPE alidade_ingest_messages_total counter\n"
                              "alidade_ingest_messages_total{source=\"udp\\\"1\"} 5\n"
                              "alidade_ingest_messages_total 1\n"));
    assert_non_null(strstr(t, "alidade_sync_lag_seconds{partner=\"bravo\"} 2.25\n"));
    assert_non_null(strstr(t, "alidade_metrics_dropped_total 1\n"));
    free(t);
    metrics_free(m);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(text_and_logfmt),
        cmocka_unit_test(json_lines),
        cmocka_unit_test(long_values_are_cut_and_stay_json),
        cmocka_unit_test(parse_names),
        cmocka_unit_test(metric_series),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
