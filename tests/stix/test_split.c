/*
 * test_split.c - stix_split: on both ATT&CK ICS bundles and every OASIS
 * example (bundles and one lone object), each span parses with jansson and equals the
 * object at the same index of the parsed whole; every input shape (bundle
 * with "objects" first or last, escaped keys, envelope, array, one object,
 * JSON lines, BOM); errors with their exact line, column and reason; the
 * nesting limit at 128; the callback's stop value; agreement with jansson on
 * what is well-formed.
 */
#include "testutil.h"

#include <dirent.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alidade/stix.h"

/* Collects the spans (offset, length) of up to 64 objects. */
struct spans {
    const char *base;
    size_t n, off[64], len[64], stop_at;
};

static int collect(void *ctx, const char *obj, size_t len, size_t index)
{
    struct spans *s = ctx;
    assert_int_equal(index, s->n);
    if (s->n < 64) {
        s->off[s->n] = (size_t)(obj - s->base);
        s->len[s->n] = len;
    }
    s->n++;
    return s->stop_at && s->n == s->stop_at ? 7 : 0;
}

static struct spans split_ok(const char *text)
{
    struct spans s = {.base = text};
    char err[160];
    int rc = stix_split(text, strlen(text), collect, &s, err, sizeof err);
    if (rc != 0)
        fail_msg("stix_split failed: %s", err);
    return s;
}

static void span_is(const struct spans *s, size_t i, const char *want)
{
    assert_true(i < s->n);
    assert_int_equal(s->len[i], strlen(want));
    assert_memory_equal(s->base + s->off[i], want, strlen(want));
}

static void split_err(const char *text, const char *want)
{
    struct spans s = {.base = text};
    char err[160] = "untouched";
    assert_int_equal(stix_split(text, strlen(text), collect, &s, err, sizeof err), -1);
    assert_string_equal(err, want);
    assert_int_equal(s.n, 0);            /* nothing delivered from a bad text */
}

/* ---- every real bundle ---- */

struct against {
    json_t *objects;
    size_t n;
};

static int compare(void *ctx, const char *obj, size_t len, size_t index)
{
    struct against *a = ctx;
    json_error_t je;
    json_t *o = json_loadb(obj, len, 0, &je);
    if (!o)
        fail_msg("object %zu does not parse: %s", index, je.text);
    assert_true(obj[0] == '{' && obj[len - 1] == '}');
    assert_true(json_equal(o, json_array_get(a->objects, index)));
    json_decref(o);
    a->n++;
    return 0;
}

static void bundle_spans(const char *path)
{
    size_t len;
    char *text = tu_read_file(path, &len);
    assert_non_null(text);
    json_error_t je;
    json_t *whole = json_loadb(text, len, 0, &je);
    assert_non_null(whole);
    /* a bundle, or one object (examples/interop-objectmarking-test.json) */
    json_t *objs = json_object_get(whole, "objects");
    json_t *one = objs ? NULL : json_pack("[O]", whole);
    struct against a = {objs ? objs : one, 0};
    char err[160];
    if (stix_split(text, len, compare, &a, err, sizeof err) != 0)
        fail_msg("%s: %s", path, err);
    assert_int_equal(a.n, json_array_size(a.objects));
    assert_true(a.n > 0);
    json_decref(one);
    json_decref(whole);
    free(text);
}

static void attack_bundles(void **state)
{
    (void)state;
    TU_NEED_SHARED(p1, "cti/attack/ics-attack.json");
    bundle_spans(p1);
    TU_NEED_SHARED(p2, "cti/attack/ics-attack-17.1.json");
    bundle_spans(p2);
}

static void oasis_dir(const char *dir)
{
    DIR *d = opendir(dir);
    assert_non_null(d);
    struct dirent *e;
    int n = 0;
    while ((e = readdir(d)) != NULL) {
        size_t k = strlen(e->d_name);
        if (k < 6 || strcmp(e->d_name + k - 5, ".json") != 0)
            continue;
        char path[1024];
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        bundle_spans(path);
        n++;
    }
    closedir(d);
    assert_true(n > 0);
}

static void oasis_bundles(void **state)
{
    (void)state;
    TU_NEED_SHARED(ex, "cti/stix2-json-schemas/examples");
    char dir[1024];
    snprintf(dir, sizeof dir, "%s", ex);
    oasis_dir(dir);
    snprintf(dir, sizeof dir, "%s/threat-reports", ex);
    oasis_dir(dir);
}

/* ---- shapes ---- */

static void shapes(void **state)
{
    (void)state;
    /* a bundle with "objects" before "type", strings holding braces,
     * brackets and escaped quotes */
    struct spans s = split_ok("{\"objects\": [ {\"a\":\"}]\\\"{\"} ,\n{\"b\":[1,{\"c\":2}]}],"
                              "\"id\":\"bundle--x\",\"type\":\"bundle\"}");
    assert_int_equal(s.n, 2);
    span_is(&s, 0, "{\"a\":\"}]\\\"{\"}");
    span_is(&s, 1, "{\"b\":[1,{\"c\":2}]}");
    /* the key and the value written with escapes are still "type": "bundle" */
    s = split_ok("{\"typ\\u0065\":\"bun\\u0064le\",\"objects\":[{\"x\":1}]}");
    assert_int_equal(s.n, 1);
    span_is(&s, 0, "{\"x\":1}");
    /* a TAXII envelope, an empty one, an empty bundle */
    s = split_ok("{\"more\":true,\"next\":\"10\",\"objects\":[{\"id\":1},{\"id\":2}]}");
    assert_int_equal(s.n, 2);
    span_is(&s, 1, "{\"id\":2}");
    assert_int_equal(split_ok("{}").n, 0);
    assert_int_equal(split_ok("{\"type\":\"bundle\",\"id\":\"bundle--1\"}").n, 0);
    assert_int_equal(split_ok("  \n ").n, 0);
    /* one object (its "objects" is not unpacked: it is not a bundle) */
    s = split_ok("  {\"type\":\"report\",\"objects\":[{\"x\":1}]}\r\n");
    assert_int_equal(s.n, 1);
    span_is(&s, 0, "{\"type\":\"report\",\"objects\":[{\"x\":1}]}");
    /* an array of objects */
    s = split_ok("[{\"a\":1}, {\"b\":2}]");
    assert_int_equal(s.n, 2);
    span_is(&s, 0, "{\"a\":1}");
    /* JSON lines, CRLF, blank lines, a bundle among them, a BOM */
    s = split_ok("\xEF\xBB\xBF{\"a\":1}\r\n\r\n{\"type\":\"bundle\",\"objects\":[{\"b\":2},{\"c\":3}]}\n"
                 "{\"d\":\"\\u00e9\xc3\xa9\\ud83d\\ude00\"}\n");
    assert_int_equal(s.n, 4);
    span_is(&s, 0, "{\"a\":1}");
    span_is(&s, 2, "{\"c\":3}");
    span_is(&s, 3, "{\"d\":\"\\u00e9\xc3\xa9\\ud83d\\ude00\"}");
    /* numbers and literals of every form */
    s = split_ok("{\"n\":[0,-0,1.5e10,-2E-3,10,true,false,null,\"\"]}");
    assert_int_equal(s.n, 1);
}

/* ---- errors ---- */

static void errors(void **state)
{
    (void)state;
    split_err("{\"a\":\"abc", "line 1, column 6: unterminated string");
    split_err("{\"type\":\"bundle\",\n \"objects\":[{\"a\":1},]}",
              "line 2, column 21: expected a value");
    split_err("{\"a\":1}\n{\"b\":\"x\\q\"}", "line 2, column 8: invalid escape in string "
              "(\\\", \\\\, \\/, \\b, \\f, \\n, \\r, \\t, \\uXXXX)");
    split_err("{\"a\":\"x\ty\"}", "line 1, column 8: control character in string (must be escaped)");
    split_err("{\"a\":\"\xc3\x28\"}", "line 1, column 7: invalid UTF-8 sequence in string");
    split_err("{\"a\":\"\xc0\xaf\"}", "line 1, column 7: invalid UTF-8 byte in string");
    split_err("{\"a\":\"\xed\xa0\x80\"}", "line 1, column 7: invalid UTF-8 sequence in string");
    split_err("{\"a\":\"\\ud83d x\"}",
              "line 1, column 7: \\u escape of a high surrogate without a low one");
    split_err("{\"a\":\"\\ude00\"}",
              "line 1, column 7: \\u escape of a low surrogate without a high one");
    split_err("{\"a\":\"\\u12g4\"}", "line 1, column 7: \\u must be followed by 4 hex digits");
    split_err("{\"a\":1} {\"b\":2}", "line 1, column 9: expected the end of the text or a new "
              "line before the next object (JSON lines)");
    split_err("{\"type\":\"bundle\",\"objects\":{}}", "line 1, column 28: \"objects\" must be an array");
    split_err("{\"type\":\"bundle\",\"objects\":[{},3]}",
              "line 1, column 32: expected an object in \"objects\"");
    split_err("[1]", "line 1, column 2: expected an object in the array");
    split_err("\"x\"", "line 1, column 1: expected a STIX object, bundle, envelope or array");
    split_err("{\"a\" 1}", "line 1, column 6: expected ':' after a member name");
    split_err("{a:1}", "line 1, column 2: expected a member name (a string)");
    split_err("{\"a\":1 \"b\":2}", "line 1, column 8: expected ',' or '}' in an object");
    split_err("{\"a\":[1 2]}", "line 1, column 9: expected ',' or ']' in an array");
    split_err("{\"a\":01}", "line 1, column 7: expected ',' or '}' in an object");
    split_err("{\"a\":-}", "line 1, column 6: invalid number");
    split_err("{\"a\":1.}", "line 1, column 6: invalid number (digits must follow '.')");
    split_err("{\"a\":1e}", "line 1, column 6: invalid number (digits must follow the exponent)");
    split_err("{\"a\":tru}", "line 1, column 6: invalid literal (expected a value)");
    split_err("{\"a\":", "line 1, column 6: unexpected end of text (expected a value)");
    split_err("{\"a\":1", "line 1, column 7: expected ',' or '}' in an object");
    /* a NULL or short error buffer is fine */
    assert_int_equal(stix_split("{", 1, NULL, NULL, NULL, 0), -1);
    char small[8];
    assert_int_equal(stix_split("{", 1, NULL, NULL, small, sizeof small), -1);
    assert_string_equal(small, "line 1,");
}

/* 128 nested levels are fine, 129 are not. */
static void nesting(void **state)
{
    (void)state;
    char deep[600];
    size_t k = 0;
    deep[k++] = '{';
    memcpy(deep + k, "\"a\":", 4), k += 4;
    for (int i = 0; i < 127; i++)
        deep[k++] = '[';
    for (int i = 0; i < 127; i++)
        deep[k++] = ']';
    deep[k++] = '}';
    deep[k] = 0;
    assert_int_equal(split_ok(deep).n, 1);
    memmove(deep + 6, deep + 5, k - 4);   /* one more '[' ... */
    deep[5] = '[';
    k++;
    memmove(deep + k - 0, deep + k - 1, 2); /* ... and one more ']' */
    deep[k - 1] = ']';
    deep[k + 1] = 0;
    split_err(deep, "line 1, column 133: nesting deeper than 128 levels");
}

static void callback_stops(void **state)
{
    (void)state;
    const char *t = "[{\"a\":1},{\"b\":2},{\"c\":3}]";
    struct spans s = {.base = t, .stop_at = 2};
    assert_int_equal(stix_split(t, strlen(t), collect, &s, NULL, 0), 7);
    assert_int_equal(s.n, 2);
    /* no callback: a well-formedness check */
    assert_int_equal(stix_split(t, strlen(t), NULL, NULL, NULL, 0), 0);
    /* only len bytes are read */
    struct spans s2 = {.base = t};
    assert_int_equal(stix_split(t, 9, collect, &s2, NULL, 0), -1);
}

/* stix_split and jansson agree on whether a one-object text is JSON. */
static void agrees_with_jansson(void **state)
{
    (void)state;
    static const char *cases[] = {
        "{\"a\":\"\\u0041\"}", "{\"a\":\"\\/\"}", "{\"a\":1e5}", "{\"a\":-0.0}",
        "{\"a\":\"\xf4\x8f\xbf\xbf\"}", "{\"a\":\"\xf4\x90\x80\x80\"}", "{\"a\":\"\xe0\x80\xaf\"}",
        "{\"a\":+1}", "{\"a\":.5}", "{\"a\":[,]}", "{\"a\":1,}", "{\"a\":\"\\ud800\\udc00\"}",
        "{\"a\":\"\\udc00\\ud800\"}", "{\"a\":NaN}", "{\"a\":[true,false,null]}", "{\"\":{}}",
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        json_error_t je;
        json_t *j = json_loads(cases[i], 0, &je);
        int rc = stix_split(cases[i], strlen(cases[i]), NULL, NULL, NULL, 0);
        if ((j != NULL) != (rc == 0))
            fail_msg("case %zu: jansson %s, stix_split %d", i, j ? "accepts" : "rejects", rc);
        json_decref(j);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(attack_bundles),  cmocka_unit_test(oasis_bundles),
        cmocka_unit_test(shapes),          cmocka_unit_test(errors),
        cmocka_unit_test(nesting),         cmocka_unit_test(callback_stops),
        cmocka_unit_test(agrees_with_jansson),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
