/*
 * test_parse.c - ald_pattern_parse and ald_pattern_format: every case of the
 * OASIS validator's v21 test lists and every spec example gives the
 * reference's valid/invalid (committed copy in tests/data/pattern, and the
 * shared copy when present); the tree for precedence, NOT, IN lists, every
 * literal type (decoded values), object paths; error positions and messages;
 * limits (nesting, long chains, input not NUL-terminated, bad UTF-8); and the
 * round trip parse(format(parse(x))) == format(parse(x)).
 */
#include "testutil.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "alidade/pattern.h"

/* ---- helpers ---- */

static ald_pattern *parse_ok(const char *s)
{
    ald_pattern *p = NULL;
    struct ald_errpos e;
    ald_err r = ald_pattern_parse(s, strlen(s), &p, &e);
    if (r != ALD_E_OK)
        print_message("unexpected error for %s: col %u: %s\n", s, e.col, e.msg);
    assert_int_equal(r, ALD_E_OK);
    assert_non_null(p);
    return p;
}

/* Fails at byte offset `off` with a message containing `sub`. */
static void parse_bad(const char *s, size_t off, const char *sub)
{
    ald_pattern *p = (ald_pattern *)1;
    struct ald_errpos e;
    ald_err r = ald_pattern_parse(s, strlen(s), &p, &e);
    if (r != ALD_E_PATTERN || e.offset != off || !strstr(e.msg, sub))
        print_message("for %s: got %d at %zu: %s (want %zu, \"%s\")\n", s, r, e.offset,
                      e.msg, off, sub);
    assert_int_equal(r, ALD_E_PATTERN);
    assert_null(p);
    assert_int_equal(e.code, ALD_E_PATTERN);
    assert_int_equal(e.line, 1);
    assert_true(strlen(e.msg) < sizeof e.msg);
    assert_int_equal(e.offset, off);
    assert_non_null(strstr(e.msg, sub));
}

/* format(parse(s)), malloc'd */
static char *fmt(const ald_pattern *p)
{
    size_t n = ald_pattern_format(p, NULL, 0);
    char *b = malloc(n + 1);
    assert_non_null(b);
    assert_int_equal(ald_pattern_format(p, b, n + 1), n);
    assert_int_equal(strlen(b), n);
    return b;
}

static void roundtrip(const char *s)
{
    ald_pattern *p = parse_ok(s);
    char *a = fmt(p);
    ald_pattern *q = parse_ok(a);
    char *b = fmt(q);
    if (strcmp(a, b) != 0)
        print_message("round trip of %s:\n  %s\n  %s\n", s, a, b);
    assert_string_equal(a, b);
    free(a);
    free(b);
    ald_pattern_free(p);
    ald_pattern_free(q);
}

/* format of s must be `want` */
static void formats_as(const char *s, const char *want)
{
    ald_pattern *p = parse_ok(s);
    char *a = fmt(p);
    assert_string_equal(a, want);
    free(a);
    ald_pattern_free(p);
    roundtrip(s);
}

/* The one comparison test of `[...]` */
static const ald_pcexpr *only_test(const ald_pattern *p)
{
    const ald_poexpr *o = ald_pattern_root(p);
    assert_int_equal(o->kind, ALD_POE_OBS);
    assert_int_equal(o->cmp->kind, ALD_PCE_TEST);
    return o->cmp;
}

/* ---- the reference's cases ---- */

static void run_cases(const char *path)
{
    size_t len;
    char *text = tu_read_file(path, &len);
    assert_non_null(text);
    int n = 0, bad = 0, valid = 0;
    char *save = NULL;
    for (char *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        json_error_t je;
        json_t *j = json_loads(line, 0, &je);
        assert_non_null(j);
        const char *pat = json_string_value(json_object_get(j, "pattern"));
        int want = json_is_true(json_object_get(j, "expected_valid"));
        ald_pattern *p = NULL;
        struct ald_errpos e;
        ald_err r = ald_pattern_parse(pat, strlen(pat), &p, &e);
        if ((r == ALD_E_OK) != want) {
            print_message("%s: want %s, got %s\n", pat, want ? "valid" : "invalid",
                          r == ALD_E_OK ? "valid" : e.msg);
            bad++;
        }
        if (p) {
            valid++;
            roundtrip(pat);
        }
        ald_pattern_free(p);
        json_decref(j);
        n++;
    }
    print_message("%s: %d cases, %d valid, %d disagree\n", path, n, valid, bad);
    assert_int_equal(n, 87);
    assert_int_equal(bad, 0);
    free(text);
}

static void run_examples(const char *path)
{
    size_t len;
    char *text = tu_read_file(path, &len);
    assert_non_null(text);
    int n = 0;
    char *save = NULL;
    for (char *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        ald_pattern_free(parse_ok(line));
        roundtrip(line);
        n++;
    }
    assert_int_equal(n, 23);
    free(text);
}

static void test_validator_cases(void **state)
{
    (void)state;
    run_cases(tu_testdata("pattern/validator_cases_v21.jsonl"));
}

static void test_validator_cases_shared(void **state)
{
    (void)state;
    TU_NEED_SHARED(path, "cti/patterns/validator_cases_v21.jsonl");
    run_cases(path);
}

static void test_spec_examples(void **state)
{
    (void)state;
    run_examples(tu_testdata("pattern/spec_examples_v21.txt"));
}

static void test_spec_examples_shared(void **state)
{
    (void)state;
    TU_NEED_SHARED(path, "cti/patterns/spec_examples_v21.txt");
    run_examples(path);
}

/* ---- tree shape ---- */

static void test_precedence(void **state)
{
    (void)state;
    /* FOLLOWEDBY < OR < AND < qualifiers */
    ald_pattern *p = parse_ok("[a:x=1] FOLLOWEDBY [a:x=2] OR [a:x=3] AND [a:x=4] WITHIN 5 SECONDS");
    const ald_poexpr *r = ald_pattern_root(p);
    assert_int_equal(r->kind, ALD_POE_FOLLOWEDBY);
    assert_int_equal(r->l->kind, ALD_POE_OBS);
    assert_int_equal(r->r->kind, ALD_POE_OR);
    assert_int_equal(r->r->l->kind, ALD_POE_OBS);
    assert_int_equal(r->r->r->kind, ALD_POE_AND);
    assert_int_equal(r->r->r->r->kind, ALD_POE_WITHIN);
    assert_true(r->r->r->r->within_s == 5.0);
    assert_int_equal(r->r->r->r->l->kind, ALD_POE_OBS);
    assert_int_equal(r->r->r->r->l->cmp->vals[0].u.i, 4);
    assert_int_equal(r->pos, 0);
    ald_pattern_free(p);

    /* parentheses */
    p = parse_ok("([a:x=1] OR [a:x=2]) AND [a:x=3]");
    r = ald_pattern_root(p);
    assert_int_equal(r->kind, ALD_POE_AND);
    assert_int_equal(r->l->kind, ALD_POE_OR);
    ald_pattern_free(p);

    /* inside brackets: OR < AND, parentheses */
    p = parse_ok("[a:x=1 OR a:x=2 AND a:x=3]");
    const ald_pcexpr *c = ald_pattern_root(p)->cmp;
    assert_int_equal(c->kind, ALD_PCE_OR);
    assert_int_equal(c->l->kind, ALD_PCE_TEST);
    assert_int_equal(c->r->kind, ALD_PCE_AND);
    ald_pattern_free(p);
    p = parse_ok("[(a:x=1 OR a:x=2) AND a:x=3]");
    c = ald_pattern_root(p)->cmp;
    assert_int_equal(c->kind, ALD_PCE_AND);
    assert_int_equal(c->l->kind, ALD_PCE_OR);
    ald_pattern_free(p);

    /* three operands: left-associative shape; order kept in longer chains */
    p = parse_ok("[a:x=1] OR [a:x=2] OR [a:x=3]");
    r = ald_pattern_root(p);
    assert_int_equal(r->kind, ALD_POE_OR);
    assert_int_equal(r->l->kind, ALD_POE_OR);
    assert_int_equal(r->l->l->cmp->vals[0].u.i, 1);
    assert_int_equal(r->l->r->cmp->vals[0].u.i, 2);
    assert_int_equal(r->r->cmp->vals[0].u.i, 3);
    ald_pattern_free(p);

    /* stacked qualifiers: the last one is the outermost */
    p = parse_ok("[a:x=1] REPEATS 5 TIMES WITHIN 1800 SECONDS");
    r = ald_pattern_root(p);
    assert_int_equal(r->kind, ALD_POE_WITHIN);
    assert_true(r->within_s == 1800.0);
    assert_int_equal(r->l->kind, ALD_POE_REPEATS);
    assert_int_equal(r->l->repeats, 5);
    assert_int_equal(r->pos, 24);
    ald_pattern_free(p);

    p = parse_ok("[a:x=1] START t'2016-06-01T01:30:00Z' STOP t'2016-06-01T02:20:00.5Z' WITHIN 2.5 SECONDS");
    r = ald_pattern_root(p);
    assert_int_equal(r->kind, ALD_POE_WITHIN);
    assert_true(r->within_s == 2.5);
    assert_int_equal(r->l->kind, ALD_POE_STARTSTOP);
    assert_int_equal(r->l->start.type, ALD_PV_TIMESTAMP);
    assert_int_equal(r->l->start.u.ts.sec, 1464744600);
    assert_int_equal(r->l->stop.u.ts.sec, 1464747600);
    assert_int_equal(r->l->stop.u.ts.nsec, 500000000);
    ald_pattern_free(p);
}

static void test_not_exists_in(void **state)
{
    (void)state;
    ald_pattern *p = parse_ok("[a:x NOT = 1]");
    const ald_pcexpr *t = only_test(p);
    assert_int_equal(t->op, ALD_POP_EQ);
    assert_true(t->negated);
    ald_pattern_free(p);

    p = parse_ok("[NOT EXISTS a:x.y]");
    t = only_test(p);
    assert_int_equal(t->op, ALD_POP_EXISTS);
    assert_true(t->negated);
    assert_int_equal(t->nvals, 0);
    assert_int_equal(t->path.nsteps, 2);
    ald_pattern_free(p);

    p = parse_ok("[EXISTS a:x]");
    t = only_test(p);
    assert_int_equal(t->op, ALD_POP_EXISTS);
    assert_false(t->negated);
    ald_pattern_free(p);

    p = parse_ok("[a:x NOT IN ()]");
    t = only_test(p);
    assert_int_equal(t->op, ALD_POP_IN);
    assert_true(t->negated);
    assert_int_equal(t->nvals, 0);
    ald_pattern_free(p);

    p = parse_ok("[a:x IN ('s', 1, -2.5, true, h'00ff', b'AAE=', t'1970-01-01T00:00:01Z')]");
    t = only_test(p);
    assert_int_equal(t->nvals, 7);
    assert_int_equal(t->vals[0].type, ALD_PV_STRING);
    assert_int_equal(t->vals[1].type, ALD_PV_INT);
    assert_int_equal(t->vals[2].type, ALD_PV_FLOAT);
    assert_true(t->vals[2].u.f == -2.5);
    assert_int_equal(t->vals[3].type, ALD_PV_BOOL);
    assert_int_equal(t->vals[4].type, ALD_PV_HEX);
    assert_int_equal(t->vals[5].type, ALD_PV_BINARY);
    assert_int_equal(t->vals[6].type, ALD_PV_TIMESTAMP);
    assert_int_equal(t->vals[6].u.ts.sec, 1);
    assert_int_equal(t->vals[1].pos, 14);
    ald_pattern_free(p);

    /* every operator */
    static const struct {
        const char *s;
        ald_pop op;
    } ops[] = {
        {"[a:x = 1]", ALD_POP_EQ}, {"[a:x == 1]", ALD_POP_EQ}, {"[a:x != 1]", ALD_POP_NE},
        {"[a:x <> 1]", ALD_POP_NE}, {"[a:x < 1]", ALD_POP_LT}, {"[a:x <= 1]", ALD_POP_LE},
        {"[a:x > 1]", ALD_POP_GT}, {"[a:x >= 1]", ALD_POP_GE},
        {"[a:x LIKE 'a%']", ALD_POP_LIKE}, {"[a:x MATCHES '^a']", ALD_POP_MATCHES},
        {"[a:x ISSUBSET '10.0.0.0/8']", ALD_POP_ISSUBSET},
        {"[a:x ISSUPERSET '10.0.0.0/8']", ALD_POP_ISSUPERSET},
    };
    for (size_t i = 0; i < sizeof ops / sizeof ops[0]; i++) {
        p = parse_ok(ops[i].s);
        assert_int_equal(only_test(p)->op, ops[i].op);
        assert_false(only_test(p)->negated);
        ald_pattern_free(p);
    }
}

static void test_literals(void **state)
{
    (void)state;
    ald_pattern *p = parse_ok("[a:x = 'it\\'s a \\\\ back\\\\slash']");
    const ald_pval *v = &only_test(p)->vals[0];
    assert_int_equal(v->type, ALD_PV_STRING);
    assert_string_equal(v->u.str.p, "it's a \\ back\\slash");
    assert_int_equal(v->u.str.len, 19);
    assert_int_equal(v->pos, 7);
    ald_pattern_free(p);

    /* UTF-8 and a raw newline are allowed in strings */
    p = parse_ok("[a:x = 'caf\xc3\xa9\nbar']");
    assert_string_equal(only_test(p)->vals[0].u.str.p, "caf\xc3\xa9\nbar");
    ald_pattern_free(p);

    static const struct {
        const char *s;
        int64_t i;
    } ints[] = {
        {"[a:x = 0]", 0}, {"[a:x = +7]", 7}, {"[a:x = -3]", -3}, {"[a:x = -0]", 0},
        {"[a:x = 9223372036854775807]", INT64_MAX},
        {"[a:x = -9223372036854775808]", INT64_MIN},
    };
    for (size_t i = 0; i < sizeof ints / sizeof ints[0]; i++) {
        p = parse_ok(ints[i].s);
        v = &only_test(p)->vals[0];
        assert_int_equal(v->type, ALD_PV_INT);
        assert_true(v->u.i == ints[i].i);
        ald_pattern_free(p);
    }
    static const struct {
        const char *s;
        double f;
    } floats[] = {
        {"[a:x = 1.5]", 1.5}, {"[a:x = -.5]", -0.5}, {"[a:x = +.25]", 0.25},
        {"[a:x = 7.0]", 7.0}, {"[a:x = 00.125]", 0.125}, {"[a:x < 0.1]", 0.1},
    };
    for (size_t i = 0; i < sizeof floats / sizeof floats[0]; i++) {
        p = parse_ok(floats[i].s);
        v = &only_test(p)->vals[0];
        assert_int_equal(v->type, ALD_PV_FLOAT);
        assert_true(v->u.f == floats[i].f);
        ald_pattern_free(p);
    }
    p = parse_ok("[a:x = true OR a:x = false]");
    assert_int_equal(ald_pattern_root(p)->cmp->l->vals[0].type, ALD_PV_BOOL);
    assert_int_equal(ald_pattern_root(p)->cmp->l->vals[0].u.b, 1);
    assert_int_equal(ald_pattern_root(p)->cmp->r->vals[0].u.b, 0);
    ald_pattern_free(p);

    /* base64: 4, 3= and 2== endings */
    static const struct {
        const char *s;
        const char *bytes;
        size_t n;
    } bins[] = {
        {"[a:x = b'dGhpcyBpcyBhIHRlc3Q=']", "this is a test", 14},
        {"[a:x = b'TWFu']", "Man", 3},
        {"[a:x = b'TWE=']", "Ma", 2},
        {"[a:x = b'TQ==']", "M", 1},
        {"[a:x = b'AP8A/w+/']", "\x00\xff\x00\xff\x0f\xbf", 6},
    };
    for (size_t i = 0; i < sizeof bins / sizeof bins[0]; i++) {
        p = parse_ok(bins[i].s);
        v = &only_test(p)->vals[0];
        assert_int_equal(v->type, ALD_PV_BINARY);
        assert_int_equal(v->u.bin.len, bins[i].n);
        assert_memory_equal(v->u.bin.p, bins[i].bytes, bins[i].n);
        ald_pattern_free(p);
    }
    p = parse_ok("[a:x = h'00fFa1']");
    v = &only_test(p)->vals[0];
    assert_int_equal(v->type, ALD_PV_HEX);
    assert_int_equal(v->u.bin.len, 3);
    assert_memory_equal(v->u.bin.p, "\x00\xff\xa1", 3);
    ald_pattern_free(p);
    p = parse_ok("[a:x = h'']");
    assert_int_equal(only_test(p)->vals[0].u.bin.len, 0);
    ald_pattern_free(p);

    /* timestamps: seconds since 1970 and nanoseconds */
    static const struct {
        const char *ts;
        int64_t sec;
        int32_t nsec;
    } tss[] = {
        {"1970-01-01T00:00:00Z", 0, 0},
        {"1969-12-31T23:59:59Z", -1, 0},
        {"2024-01-15T12:30:45.123Z", 1705321845, 123000000},
        {"2024-01-15T12:30:45.123456Z", 1705321845, 123456000},
        {"2024-01-15T12:30:45.1234567899Z", 1705321845, 123456789},  /* truncated */
        {"2018-03-22T12:11:14.1Z", 1521720674, 100000000},
        {"2000-02-29T12:00:00Z", 951825600, 0},            /* leap (div by 400) */
        {"2024-02-29T00:00:00Z", 1709164800, 0},           /* leap */
        {"2024-03-01T00:00:00Z", 1709251200, 0},
        {"2023-02-29T12:00:00Z", 1677672000, 0},           /* = 2023-03-01T12:00 */
        {"2024-02-30T00:00:00Z", 1709251200, 0},           /* = 2024-03-01 */
        {"2100-03-01T00:00:00Z", 4107542400, 0},           /* 2100 is not leap */
        {"2016-12-31T23:59:60Z", 1483228800, 0},           /* leap second: counted on */
        {"0000-01-01T00:00:00Z", -62167219200, 0},
        {"9999-12-31T23:59:59.999999999Z", 253402300799, 999999999},
    };
    for (size_t i = 0; i < sizeof tss / sizeof tss[0]; i++) {
        char s[128];
        snprintf(s, sizeof s, "[a:x = t'%s']", tss[i].ts);
        p = parse_ok(s);
        v = &only_test(p)->vals[0];
        assert_int_equal(v->type, ALD_PV_TIMESTAMP);
        if (v->u.ts.sec != tss[i].sec || v->u.ts.nsec != tss[i].nsec)
            print_message("%s: %lld.%09d\n", tss[i].ts, (long long)v->u.ts.sec, v->u.ts.nsec);
        assert_true(v->u.ts.sec == tss[i].sec);
        assert_int_equal(v->u.ts.nsec, tss[i].nsec);
        ald_pattern_free(p);
        roundtrip(s);
    }
}

static void test_paths(void **state)
{
    (void)state;
    ald_pattern *p = parse_ok(
        "[file:extensions.'windows-pebinary-ext'.sections[*].entropy[-1][+2] > 7.0]");
    const ald_ppath *pa = &only_test(p)->path;
    assert_string_equal(pa->object_type, "file");
    assert_int_equal(pa->pos, 1);
    assert_int_equal(pa->nsteps, 7);
    assert_int_equal(pa->steps[0].kind, ALD_PSTEP_KEY);
    assert_string_equal(pa->steps[0].key, "extensions");
    assert_int_equal(pa->steps[0].keylen, 10);
    assert_int_equal(pa->steps[1].kind, ALD_PSTEP_KEY);
    assert_string_equal(pa->steps[1].key, "windows-pebinary-ext");
    assert_string_equal(pa->steps[2].key, "sections");
    assert_int_equal(pa->steps[3].kind, ALD_PSTEP_ANY);
    assert_string_equal(pa->steps[4].key, "entropy");
    assert_int_equal(pa->steps[5].kind, ALD_PSTEP_INDEX);
    assert_int_equal(pa->steps[5].index, -1);
    assert_int_equal(pa->steps[6].index, 2);
    ald_pattern_free(p);
    /* ['x y'] is not a path step in the grammar: only .'x y' is */
    parse_bad("[a:b['x y'] = 1]", 5, "an index or '*' after '['");
}

static void test_paths2(void **state)
{
    (void)state;
    ald_pattern *p = parse_ok(
        "[x-usb-device:'first key'.usbdrive[0].'it\\'s'[-12][*].serial_number = '5']");
    const ald_ppath *pa = &only_test(p)->path;
    assert_string_equal(pa->object_type, "x-usb-device");
    assert_int_equal(pa->nsteps, 7);
    assert_string_equal(pa->steps[0].key, "first key");
    assert_string_equal(pa->steps[1].key, "usbdrive");
    assert_int_equal(pa->steps[2].kind, ALD_PSTEP_INDEX);
    assert_int_equal(pa->steps[2].index, 0);
    assert_string_equal(pa->steps[3].key, "it's");
    assert_int_equal(pa->steps[4].index, -12);
    assert_int_equal(pa->steps[5].kind, ALD_PSTEP_ANY);
    assert_string_equal(pa->steps[6].key, "serial_number");
    ald_pattern_free(p);
    formats_as("[x-usb-device:'first key'.usbdrive[0].'it\\'s'[-12][*].serial_number = '5']",
               "[x-usb-device:'first key'.usbdrive[0].'it\\'s'[-12][*].serial_number = '5']");
    /* quoted keys that need no quotes lose them; keywords keep them */
    formats_as("[a:'b'.'c_1'.'AND'.'x-y' = 1]", "[a:b.c_1.'AND'.'x-y' = 1]");
}

/* ---- errors ---- */

static void test_errors(void **state)
{
    (void)state;
    parse_bad("", 0, "expected '[' or '(' to start an observation, found end of pattern");
    parse_bad("   ", 3, "found end of pattern");
    parse_bad("file:size = 1280", 0, "found 'file'");
    parse_bad("[file:size = ]", 13, "expected a value after '=', found ']'");
    parse_bad("[file.size = 1280]", 5, "expected ':' after object type 'file', found '.'");
    parse_bad("[file:size = 1280", 17, "expected AND, OR or ']' to close the observation");
    parse_bad("[file:size = 1280 file:x = 1]", 18, "found 'file'");
    parse_bad("[a:b = 1] AND", 13, "found end of pattern");
    parse_bad("[a:b = 1] and [a:b = 2]", 10, "found 'and'");
    parse_bad("[a:b = 1]]", 9, "expected an operator, a qualifier or end of pattern, found ']'");
    parse_bad("([a:b = 1]", 10, "')' to close '('");
    parse_bad("[(a:b = 1]", 9, "')' to close '('");
    parse_bad("[a:b MATCHES /x/]", 13, "expected a string literal after MATCHES, found '/'");
    parse_bad("[a:b LIKE 5]", 10, "a string literal after LIKE, found number '5'");
    parse_bad("[a:b < true]", 7, "after '<', found 'true'");
    parse_bad("[a:b IN 'x']", 8, "expected '(' to start the IN list");
    parse_bad("[a:b IN ('x' 'y')]", 13, "expected ',' or ')' in the IN list");
    parse_bad("[a:b IN ('x',)]", 13, "a value in the IN list");
    parse_bad("[a:b]", 4, "expected a comparison operator after the object path, found ']'");
    parse_bad("[a:b NOT]", 8, "a comparison operator after NOT");
    parse_bad("[NOT a:b = 1]", 5, "expected EXISTS after a leading NOT");
    parse_bad("[a:SHA-256 = 'x']", 3, "property name 'SHA-256' has a '-'");
    parse_bad("[a:b.c-d = 'x']", 5, "has a '-'");
    parse_bad("[a:b. = 1]", 6, "a property name after '.'");
    parse_bad("[a:b[x] = 1]", 5, "an index or '*' after '['");
    parse_bad("[a:b[1 = 1]", 7, "']' after the index");
    parse_bad("[a:true = 1]", 3, "a property name after ':'");
    parse_bad("[true:a = 1]", 1, "an object path");
    parse_bad("[a:b =? 1]", 6, "unexpected character '?'");
    parse_bad("[a:b ! 1]", 5, "unexpected '!'");
    parse_bad("[a:b = 1] \xc3\xa9", 10, "unexpected character '\xc3\xa9'");
    parse_bad("[a:b = 1]\x01", 9, "control character 0x01");
    /* columns count characters */
    {
        ald_pattern *p;
        struct ald_errpos e;
        const char *s = "[a:b = '\xc3\xa9\xc3\xa9'] x";
        assert_int_equal(ald_pattern_parse(s, strlen(s), &p, &e), ALD_E_PATTERN);
        assert_int_equal(e.offset, 15);
        assert_int_equal(e.col, 14);
    }
    /* literals */
    parse_bad("[a:b = 'abc]", 7, "string is not closed");
    parse_bad("[a:b = 'a\\nb']", 9, "string escape '\\n' is not allowed");
    parse_bad("[a:b = 007]", 7, "number '007' has a leading zero");
    parse_bad("[a:b = 9223372036854775808]", 7, "out of the 64-bit range");
    parse_bad("[a:b = -9223372036854775809]", 7, "out of the 64-bit range");
    parse_bad("[a:b = b'']", 7, "empty");
    parse_bad("[a:b = b'====']", 9, "misplaced '=' padding");
    parse_bad("[a:b = b'TQ=A']", 11, "misplaced '=' padding");
    parse_bad("[a:b = b'TQ']", 7, "not a multiple of 4");
    parse_bad("[a:b = b'T*==']", 10, "'*' is not a base64 character");
    parse_bad("[a:b = h'abc']", 7, "odd number of digits");
    parse_bad("[a:b = h'zz']", 9, "'z' is not a hex digit");
    parse_bad("[a:b = h'00]", 7, "hex literal is not closed");
    parse_bad("[a:b = t'2010-05-21T13:21Z']", 7,
              "timestamp t'2010-05-21T13:21Z' is not RFC 3339 (seconds missing)");
    parse_bad("[a:b = t'2024-13-01T12:00:00Z']", 7, "(month 13 out of range)");
    parse_bad("[a:b = t'2024-00-01T12:00:00Z']", 7, "(month 00 out of range)");
    parse_bad("[a:b = t'2024-01-32T12:00:00Z']", 7, "(day 32 out of range)");
    parse_bad("[a:b = t'2024-01-00T12:00:00Z']", 7, "(day 00 out of range)");
    parse_bad("[a:b = t'2024-01-15T25:00:00Z']", 7, "(hour 25 out of range)");
    parse_bad("[a:b = t'2024-01-15T12:60:00Z']", 7, "(minute 60 out of range)");
    parse_bad("[a:b = t'2024-01-15T12:30:61Z']", 7, "(second 61 out of range)");
    parse_bad("[a:b = t'2024-01-15T12:30:45']", 7, "(no 'Z': only UTC is allowed)");
    parse_bad("[a:b = t'2024-01-15T12:30:45+01:00']", 7, "(time zone must be 'Z')");
    parse_bad("[a:b = t'2024-01-15t12:30:45Z']", 7, "(no 'T' between date and time)");
    parse_bad("[a:b = t'2024-01-15T12:30:45.Z']", 7, "(no digit after '.')");
    parse_bad("[a:b = t'2024-01-15T12:30:45Zx']", 7, "(text after 'Z')");
    parse_bad("[a:b = t'not-a-timestamp']", 7, "(date must be YYYY-MM-DD)");
    parse_bad("[a:b = t'2024/01/15T12:30:45Z']", 7, "(date must be YYYY-MM-DD)");
    parse_bad("[a:b = t'9999-12-31T23:59:60Z']", 7, "(after 9999-12-31T23:59:59Z)");
    /* comments */
    parse_bad("[a:b = 1] /* x", 10, "comment '/*' is not closed");
    parse_bad("/* c */ [a:b = 1]", 0, "a comment may not come before the first '['");
    parse_bad(" ( // c\n[a:b = 1])", 3, "before the first '['");
    ald_pattern_free(parse_ok("[/* c */ a:b = 1]"));
    ald_pattern_free(parse_ok("( [a:b = 1] /* c */) // c"));
    /* qualifiers */
    parse_bad("[a:b = 1] WITHIN 0 SECONDS", 17, "WITHIN needs more than 0 seconds");
    parse_bad("[a:b = 1] WITHIN 0.0 SECONDS", 17, "WITHIN needs more than 0 seconds");
    parse_bad("[a:b = 1] WITHIN -5 SECONDS", 17, "a positive number of seconds after WITHIN");
    parse_bad("[a:b = 1] WITHIN 5 HOURS", 19, "expected SECONDS after WITHIN n, found 'HOURS'");
    parse_bad("[a:b = 1] REPEATS 0 TIMES", 18, "REPEATS needs at least 1 time");
    parse_bad("[a:b = 1] REPEATS 1.5 TIMES", 18, "a positive integer after REPEATS");
    parse_bad("[a:b = 1] REPEATS 2", 19, "TIMES after REPEATS n");
    parse_bad("[a:b = 1] START '2016-06-01T01:30:00Z'", 16, "a timestamp t'...' after START");
    parse_bad("[a:b = 1] START t'2016-06-01T01:30:00Z'", 39, "STOP after START");
    /* an empty or inverted window is accepted (it matches nothing) */
    ald_pattern_free(parse_ok("[a:b = 1] START t'2016-06-01T01:30:00Z' STOP t'2016-06-01T01:30:00Z'"));
    ald_pattern_free(parse_ok("[a:b = 1] START t'2016-06-01T01:30:00.5Z' STOP t'2016-06-01T01:30:00Z'"));
    parse_bad("[a:b = 1] START '2016-06-01T01:30:00Z' STOP '2016-06-01T01:30:01Z'", 16,
              "a timestamp t'...' after START, found string");
    parse_bad("[a:b = 1] WITHIN 5 SECONDS REPEATS 2 TIMES WITHIN 6 SECONDS", 43,
              "WITHIN used twice on one observation");
    /* hashes (the validator's object_validator) */
    parse_bad("[file:hashes.'SHA-256' = 'f00']", 25, "'f00' is not a valid SHA-256 hash");
    parse_bad("[file:hashes.md5 = 'cead3f77f6cda6ec00f57d76c9a6879']", 19, "valid MD5 hash");
    parse_bad("[file:hashes.MD5 = 5]", 19, "MD5 hash values must be string literals");
    parse_bad("[file:hashes.'SHA-1' IN ('da39a3ee5e6b4b0d3255bfef95601890afd80709', 'x')]",
              69, "'x' is not a valid SHA-1 hash");
    parse_bad("[file:hashes.SSDEEP = 'a b']", 22, "valid SSDEEP hash");
    parse_bad("[artifact:payload.hashes.'sha3-256' != 'zz']", 39, "valid SHA3-256 hash");
}

/* ---- valid odds and ends ---- */

static void test_valid_forms(void **state)
{
    (void)state;
    static const char *const ok[] = {
        /* whitespace, comments, no spaces */
        "[a:b=1]",
        "  [a:b=1]  ",
        "\t[a:b\n=\r1]\v\f",
        "[a:b = 1] /* c */ // trailing",
        "[a:b = 1 /* inside */ AND a:c = 2]",
        "\xc2\xa0[a:b\xe3\x80\x80=\xe2\x80\x80 1]\xe2\x80\xa8",
        "[a:b MATCHES'x']",
        "[a:b IN('x','y')]",
        "[a:b = 1]WITHIN 5SECONDS",
        "((([a:b = 1])))",
        "[((a:b = 1))]",
        "[a:b = 1] WITHIN 5 SECONDS REPEATS 2 TIMES START t'2016-06-01T01:30:00Z' STOP t'2016-06-01T01:30:01Z'",
        "([a:b = 1] WITHIN 5 SECONDS) WITHIN 6 SECONDS WITHIN 7 SECONDS",
        "[a:b = 1] WITHIN 0.5 SECONDS",
        "[a:b = 1] WITHIN +5 SECONDS REPEATS +3 TIMES",
        /* hashes: unknown algorithms, star, ops other than =, != and IN */
        "[file:hashes.'X-CUSTOM' = 'anything']",
        "[file:hashes[*] = 'abc']",
        "[file:hashes.MD5 LIKE 'cead%']",
        "[file:hashes.MD5 MATCHES '^cead']",
        "[file:hashes.'SHA-256' NOT IN ()]",
        "[file:hashes.MD5 != 'CEAD3F77F6CDA6EC00F57D76C9A6879F']",
        "[file:hashes.SSDEEP = '3:AXGBicFlgVNhBGcL6wCrFQEv:AXGHsNhxLsr2C']",
        "[x:hashes = 'whatever']",
        /* identifiers */
        "[_x-Y_1-:_b = 1]",
        "[a:b_1.c2.'' = 1]",
        "[x-LAST:b = 1]",
        "[a:b = 'LAST']",
    };
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
        ald_pattern_free(parse_ok(ok[i]));
        roundtrip(ok[i]);
    }
    ald_pattern *p = parse_ok("[a:b = 1] // c");
    assert_string_equal(ald_pattern_text(p), "[a:b = 1] // c");
    ald_pattern_free(p);
}

static void test_format(void **state)
{
    (void)state;
    formats_as("[a:b==1]", "[a:b = 1]");
    formats_as("[a:b<>1]", "[a:b != 1]");
    formats_as("[a:b = h'FF00']", "[a:b = h'ff00']");
    formats_as("[a:b = t'2023-02-29T12:00:00.100Z']", "[a:b = t'2023-03-01T12:00:00.1Z']");
    formats_as("[a:b = 1.50]", "[a:b = 1.5]");
    formats_as("[a:b = -.5]", "[a:b = -0.5]");
    formats_as("[a:b = 100000000000000000000000.0]", "[a:b = 100000000000000000000000.0]");
    formats_as("[a:b = 0.000000000000000000001]", "[a:b = 0.000000000000000000001]");
    formats_as("[a:b = 'x\\'y\\\\z']", "[a:b = 'x\\'y\\\\z']");
    formats_as("[(a:b = 1 OR a:b = 2) AND a:c = 3]", "[(a:b = 1 OR a:b = 2) AND a:c = 3]");
    formats_as("[(a:b = 1 AND a:b = 2) OR a:c = 3]", "[a:b = 1 AND a:b = 2 OR a:c = 3]");
    formats_as("([a:b = 1] OR [a:b = 2]) AND [a:c = 3]", "([a:b = 1] OR [a:b = 2]) AND [a:c = 3]");
    formats_as("([a:b = 1] FOLLOWEDBY [a:b = 2]) WITHIN 300 SECONDS",
               "([a:b = 1] FOLLOWEDBY [a:b = 2]) WITHIN 300 SECONDS");
    formats_as("([a:b = 1]) WITHIN 5 SECONDS WITHIN 6 SECONDS",
               "([a:b = 1] WITHIN 5 SECONDS) WITHIN 6 SECONDS");
    formats_as("(([a:b = 1] REPEATS 2 TIMES)) REPEATS 3 TIMES WITHIN 5.25 SECONDS",
               "([a:b = 1] REPEATS 2 TIMES) REPEATS 3 TIMES WITHIN 5.25 SECONDS");
    formats_as("[a:b = 1] WITHIN 5.0 SECONDS", "[a:b = 1] WITHIN 5 SECONDS");
    formats_as("[a:b = b'TQ==']", "[a:b = b'TQ==']");
    formats_as("[NOT EXISTS a:b]", "[NOT EXISTS a:b]");
    formats_as("[a:b NOT IN ()]", "[a:b NOT IN ()]");
    /* sub-trees */
    ald_pattern *q = parse_ok("([a:b = 1 OR a:c = 'x'] AND [a:d > 2]) WITHIN 5 SECONDS");
    char sub[128];
    const ald_poexpr *r = ald_pattern_root(q);
    assert_int_equal(ald_pattern_format_obs(r->l, sub, sizeof sub), 36);
    assert_string_equal(sub, "[a:b = 1 OR a:c = 'x'] AND [a:d > 2]");
    ald_pattern_format_cmp(r->l->l->cmp->r, sub, sizeof sub);
    assert_string_equal(sub, "a:c = 'x'");
    ald_pattern_free(q);
    /* snprintf-like truncation */
    ald_pattern *p = parse_ok("[a:b = 1]");
    char small[5];
    assert_int_equal(ald_pattern_format(p, small, sizeof small), 9);
    assert_string_equal(small, "[a:b");
    ald_pattern_free(p);
}

/* ---- limits ---- */

static void test_limits(void **state)
{
    (void)state;
    /* 999 parentheses around a bracket: 1000 levels, accepted */
    size_t n = 999;
    char *s = malloc(2 * n + 64);
    size_t o = 0;
    for (size_t i = 0; i < n; i++)
        s[o++] = '(';
    o += (size_t)sprintf(s + o, "[a:b = 1]");
    for (size_t i = 0; i < n; i++)
        s[o++] = ')';
    ald_pattern *p;
    struct ald_errpos e;
    assert_int_equal(ald_pattern_parse(s, o, &p, &e), ALD_E_OK);
    ald_pattern_free(p);
    /* one more: refused, at the bracket */
    memmove(s + 1, s, o);
    s[0] = '(';
    s[o + 1] = ')';
    assert_int_equal(ald_pattern_parse(s, o + 2, &p, &e), ALD_E_PATTERN);
    assert_int_equal(e.offset, 1000);
    assert_non_null(strstr(e.msg, "nesting deeper than 1000 levels"));
    free(s);

    /* a million opening parentheses: refused without deep recursion */
    n = 1000000;
    s = malloc(n);
    memset(s, '(', n);
    assert_int_equal(ald_pattern_parse(s, n, &p, &e), ALD_E_PATTERN);
    assert_int_equal(e.offset, 1000);
    memset(s, '[', n);
    assert_int_equal(ald_pattern_parse(s, n, &p, &e), ALD_E_PATTERN);
    free(s);

    /* 100000 ORed comparisons and observations: a balanced tree */
    n = 100000;
    s = malloc(n * 24 + 16);
    o = 0;
    s[o++] = '[';
    for (size_t i = 0; i < n; i++)
        o += (size_t)sprintf(s + o, "%sa:b = %zu", i ? " OR " : "", i);
    s[o++] = ']';
    assert_int_equal(ald_pattern_parse(s, o, &p, &e), ALD_E_OK);
    /* leftmost and rightmost leaves keep the order */
    const ald_pcexpr *c = ald_pattern_root(p)->cmp;
    int depth = 0;
    while (c->kind == ALD_PCE_OR) {
        c = c->l;
        depth++;
    }
    assert_int_equal(c->vals[0].u.i, 0);
    assert_true(depth <= 17);
    c = ald_pattern_root(p)->cmp;
    while (c->kind == ALD_PCE_OR)
        c = c->r;
    assert_int_equal(c->vals[0].u.i, 99999);
    ald_pattern_free(p);
    o = 0;
    for (size_t i = 0; i < n; i++)
        o += (size_t)sprintf(s + o, "%s[a:b = 1]", i ? " FOLLOWEDBY " : "");
    assert_int_equal(ald_pattern_parse(s, o, &p, &e), ALD_E_OK);
    ald_pattern_free(p);
    free(s);

    /* not NUL-terminated: only len bytes are read */
    const char *t = "[a:b = 1]] junk";
    assert_int_equal(ald_pattern_parse(t, 9, &p, &e), ALD_E_OK);
    assert_string_equal(ald_pattern_text(p), "[a:b = 1]");
    ald_pattern_free(p);
    char *exact = malloc(9);
    memcpy(exact, "[a:b = 'x", 9);
    assert_int_equal(ald_pattern_parse(exact, 9, &p, &e), ALD_E_PATTERN);
    assert_non_null(strstr(e.msg, "not closed"));
    memcpy(exact, "[a:b = t'", 9);
    assert_int_equal(ald_pattern_parse(exact, 9, &p, &e), ALD_E_PATTERN);
    memcpy(exact, "[a:b = 12", 9);
    assert_int_equal(ald_pattern_parse(exact, 9, &p, &e), ALD_E_PATTERN);
    assert_int_equal(e.offset, 9);
    free(exact);

    /* invalid UTF-8, anywhere */
    const char *bad[] = {"[a:b = '\xff']", "[a:b = '\xc3']", "[a:b = '\xed\xa0\x80']",
                         "[a:b = '\xc0\xaf']", "[a:b = 1] // \xfe"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        assert_int_equal(ald_pattern_parse(bad[i], strlen(bad[i]), &p, &e), ALD_E_PATTERN);
        assert_non_null(strstr(e.msg, "is not valid UTF-8"));
    }
    /* NUL inside a string is a character; outside it is not */
    assert_int_equal(ald_pattern_parse("[a:b = 'x\0y']", 13, &p, &e), ALD_E_OK);
    assert_int_equal(only_test(p)->vals[0].u.str.len, 3);
    ald_pattern_free(p);
    assert_int_equal(ald_pattern_parse("[a:b = 1]\0", 10, &p, &e), ALD_E_PATTERN);

    /* arguments */
    assert_int_equal(ald_pattern_parse(NULL, 3, &p, &e), ALD_E_ARG);
    assert_int_equal(ald_pattern_parse("[a:b=1]", 7, NULL, NULL), ALD_E_ARG);
    assert_int_equal(ald_pattern_parse("x", 1, &p, NULL), ALD_E_PATTERN);
    ald_pattern_free(NULL);
}

/* lenient (matcher) mode: what the reference matcher evaluates although the
 * validator refuses it; strict mode keeps refusing it */
static void test_lenient(void **state)
{
    (void)state;
    static const struct {
        const char *in, *canon;
    } ok[] = {
        {"[person:age < 20] REPEATS 10 TIMES START '2004-10-11T21:40:00Z' STOP "
         "'2004-10-11T21:50:00Z'",
         "[person:age < 20] REPEATS 10 TIMES START t'2004-10-11T21:40:00Z' STOP "
         "t'2004-10-11T21:50:00Z'"},
        {"[person:age < 20] REPEATS 2 TIMES REPEATS 5 TIMES",
         "([person:age < 20] REPEATS 2 TIMES) REPEATS 5 TIMES"},
        {"[a:b = 1] WITHIN 5 SECONDS WITHIN 9 SECONDS",
         "([a:b = 1] WITHIN 5 SECONDS) WITHIN 9 SECONDS"},
    };
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
        ald_pattern *p = NULL;
        struct ald_errpos e;
        assert_int_equal(ald_pattern_parse(ok[i].in, strlen(ok[i].in), &p, &e), ALD_E_PATTERN);
        assert_int_equal(ald_pattern_parse_ex(ok[i].in, strlen(ok[i].in), ALD_PATTERN_LENIENT,
                                              &p, &e), ALD_E_OK);
        char buf[256];
        ald_pattern_format(p, buf, sizeof buf);
        assert_string_equal(buf, ok[i].canon);
        ald_pattern_free(p);
    }
    /* a string that is not a timestamp stays an error, saying why */
    const char *bad = "[a:b = 1] START 'yesterday' STOP t'2004-10-11T21:50:00Z'";
    ald_pattern *p = NULL;
    struct ald_errpos e;
    assert_int_equal(ald_pattern_parse_ex(bad, strlen(bad), ALD_PATTERN_LENIENT, &p, &e),
                     ALD_E_PATTERN);
    assert_non_null(strstr(e.msg, "not RFC 3339"));
    assert_null(p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_validator_cases),
        cmocka_unit_test(test_validator_cases_shared),
        cmocka_unit_test(test_spec_examples),
        cmocka_unit_test(test_spec_examples_shared),
        cmocka_unit_test(test_precedence),
        cmocka_unit_test(test_not_exists_in),
        cmocka_unit_test(test_literals),
        cmocka_unit_test(test_paths),
        cmocka_unit_test(test_paths2),
        cmocka_unit_test(test_errors),
        cmocka_unit_test(test_valid_forms),
        cmocka_unit_test(test_format),
        cmocka_unit_test(test_limits),
        cmocka_unit_test(test_lenient),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
