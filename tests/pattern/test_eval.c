/*
 * test_eval.c - the pattern evaluator operator by operator: loading
 * observations (bundle, observed-data with embedded objects, JSON lines,
 * object_refs outside a bundle, what the reference refuses), every
 * comparison operator with and without NOT and its type rules, object
 * paths (nested keys, indexes, [*], references), the observation operators
 * and qualifiers with number_observed, the first binding's observations,
 * the single-observation fast path, timestamps, subnets and NFC.
 */
#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alidade/pattern.h"
#include "alidade/pattern_match.h"
#include "pattern/value.h"

enum { PARSE_ERR = -1, EVAL_ERR = -2, LOAD_ERR = -3 };

/* 1 match, 0 no match, or one of the errors above. */
static int run(const char *pattern, const char *json, ald_pmatch_result *keep)
{
    ald_pattern *p = NULL;
    struct ald_errpos e = {0};
    if (ald_pattern_parse(pattern, strlen(pattern), &p, &e) != ALD_E_OK)
        return PARSE_ERR;
    ald_pmatch *m = NULL;
    int r;
    ald_obsset *s = NULL;
    if (ald_pmatch_new(p, &m, &e) != ALD_E_OK) {
        r = EVAL_ERR;
        goto out;
    }
    if (ald_obsset_parse(json, strlen(json), &s, &e) != ALD_E_OK) {
        r = LOAD_ERR;
        goto out;
    }
    ald_pmatch_result res;
    if (ald_pmatch_observations(m, s, &res, &e) != ALD_E_OK) {
        r = EVAL_ERR;
        goto out;
    }
    r = res.matched;
    if (keep)
        *keep = res;
    else
        ald_pmatch_result_clear(&res);
out:
    ald_obsset_free(s);
    ald_pmatch_free(m);
    ald_pattern_free(p);
    return r;
}

#define MATCH(pat, js) assert_int_equal(run(pat, js, NULL), 1)
#define NOMATCH(pat, js) assert_int_equal(run(pat, js, NULL), 0)
#define EVALERR(pat, js) assert_int_equal(run(pat, js, NULL), EVAL_ERR)

/* One bundle, one observed-data (12:00:00Z, number_observed 1) over the
 * given SCOs (ids x--1, x--2, ... are referenced in that order). */
static char buf[8192];
static const char *one(const char *scos, int nref)
{
    char refs[512] = "";
    for (int i = 1; i <= nref; i++) {
        char r[32];
        snprintf(r, sizeof r, "%s\"x--%d\"", i > 1 ? "," : "", i);
        strcat(refs, r);
    }
    snprintf(buf, sizeof buf,
             "{\"type\":\"bundle\",\"id\":\"bundle--1\",\"objects\":["
             "{\"type\":\"observed-data\",\"id\":\"observed-data--1\","
             "\"first_observed\":\"2020-01-01T12:00:00Z\",\"last_observed\":\"2020-01-01T12:00:00Z\","
             "\"number_observed\":1,\"object_refs\":[%s]},%s]}",
             refs, scos);
    return buf;
}

static const char *T = "{\"type\":\"t\",\"id\":\"x--1\",\"i\":5,\"f\":2.5,\"b\":true,\"s\":\"hello\","
                       "\"n\":null,\"ip\":\"10.1.2.3\",\"net\":\"10.1.0.0/16\","
                       "\"ip6\":\"2001:db8::1\",\"ts\":\"2020-01-01T00:00:00.5Z\","
                       "\"l\":[1,2,3],\"d\":{\"k\":\"v\",\"a-b\":7},"
                       "\"blob_hex\":\"00ff41\",\"blob_bin\":\"AP9B\",\"u\":\"caf\\u00e9\"}";

static void equality_and_order(void **state)
{
    (void)state;
    const char *js = one(T, 1);
    MATCH("[t:i = 5]", js);
    MATCH("[t:i = 5.0]", js);
    NOMATCH("[t:i = '5']", js);
    MATCH("[t:i != '5']", js);
    NOMATCH("[t:i NOT = 5]", js);
    MATCH("[t:f > 2]", js);
    MATCH("[t:f <= 2.5]", js);
    MATCH("[t:f >= 2.5]", js);
    NOMATCH("[t:f < 2.5]", js);
    MATCH("[t:b = true]", js);
    NOMATCH("[t:b = 1]", js);           /* bool is not a number here */
    NOMATCH("[t:b > 'a']", js);         /* no order between these types ... */
    NOMATCH("[t:b NOT > 'a']", js);     /* ... and NOT does not change that */
    MATCH("[t:s = 'hello']", js);
    MATCH("[t:s > 'alpha' AND t:s < 'zulu']", js);
    NOMATCH("[t:s NOT >= 'hello']", js);
    MATCH("[t:n != 'x']", js);          /* null: not equal to anything */
    NOMATCH("[t:n = 'x']", js);
    NOMATCH("[t:i > 'a']", js);
    MATCH("[t:u = 'caf\xc3\xa9']", js);
}

static void timestamps(void **state)
{
    (void)state;
    const char *js = one(T, 1);
    MATCH("[t:ts = t'2020-01-01T00:00:00.5Z']", js);
    MATCH("[t:ts > t'2020-01-01T00:00:00Z']", js);
    MATCH("[t:ts IN (t'2019-01-01T00:00:00Z', t'2020-01-01T00:00:00.500Z')]", js);
    /* a string compared with a timestamp must be one */
    EVALERR("[t:s = t'2020-01-01T00:00:00Z']", js);
    EVALERR("[t:s != t'2020-01-01T00:00:00Z']", js);
    NOMATCH("[t:i = t'2020-01-01T00:00:00Z']", js);  /* not a string: just false */

    int64_t us;
    assert_int_equal(ald_pts_parse("1970-01-01T00:00:01Z", 20, &us), 0);
    assert_int_equal(us, 1000000);
    assert_int_equal(ald_pts_parse("2016-05-12T08:17:27.123456789Z", 30, &us), 0);
    assert_int_equal(us, INT64_C(1463041047123456));
    const char *bad[] = {"2010-05-21T13:21:43", "2010-05-21T13:21:43z", "2010-05-21t13:21:43Z",
                         "2010/05/21T13:21:43Z", "2010-05-21T13:21:99Z", "2010-05-21T13:21Z",
                         "2010-02-30T00:00:00Z", "2010-05-21T23:59:60Z", "0000-01-01T00:00:00Z"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        if (ald_pts_parse(bad[i], strlen(bad[i]), &us) == 0)
            fail_msg("accepted %s", bad[i]);
    /* strptime's one-digit fields, as the reference reads them */
    assert_int_equal(ald_pts_parse("2010-5-1T1:2:3Z", 15, &us), 0);
}

static void sets(void **state)
{
    (void)state;
    const char *js = one(T, 1);
    MATCH("[t:i IN (1, 5, 9)]", js);
    MATCH("[t:i IN (1.5, 5)]", js);       /* ints and floats may mix */
    NOMATCH("[t:i NOT IN (5)]", js);
    MATCH("[t:s IN ('a', 'hello')]", js);
    NOMATCH("[t:s IN ()]", js);
    MATCH("[t:s NOT IN ()]", js);
    NOMATCH("[t:l IN (1, 2)]", js);       /* a list is never a member */
    /* a long list of strings is searched (sorted at compile time) */
    MATCH("[t:s IN ('k', 'b', 'z', 'hello', 'a', 'q', 'c', 'x', 'hellp', 'hell')]", js);
    NOMATCH("[t:s IN ('k', 'b', 'z', 'hellO', 'a', 'q', 'c', 'x', 'hellp', 'hell')]", js);
    MATCH("[t:s NOT IN ('k', 'b', 'z', 'hellO', 'a', 'q', 'c', 'x', 'hellp', 'hell')]", js);
    NOMATCH("[t:i IN ('k', 'b', 'z', '5', 'a', 'q', 'c', 'x', 'hellp', 'hell')]", js);
    EVALERR("[t:s IN ('a', 1)]", js);     /* mixed set: the reference refuses */
    EVALERR("[t:s IN (1, true)]", js);
}

static void like_and_matches(void **state)
{
    (void)state;
    const char *js = one(T, 1);
    MATCH("[t:s LIKE 'he%']", js);
    MATCH("[t:s LIKE 'h_llo']", js);
    NOMATCH("[t:s LIKE 'h_lo']", js);
    NOMATCH("[t:s LIKE 'ell']", js);      /* LIKE is anchored */
    MATCH("[t:s LIKE '%l%']", js);
    MATCH("[t:s NOT LIKE 'x%']", js);
    MATCH("[t:s LIKE 'hello']", js);
    NOMATCH("[t:s LIKE 'h.llo']", js);    /* regex characters are literal */
    MATCH("[t:s MATCHES 'l+o$']", js);    /* MATCHES searches */
    MATCH("[t:s MATCHES '^h']", js);
    NOMATCH("[t:s MATCHES '^l']", js);
    MATCH("[t:u MATCHES '^caf.$']", js);  /* one character, UTF-8 */
    MATCH("[t:u LIKE 'caf_']", js);
    NOMATCH("[t:i LIKE '5']", js);        /* only strings match */
    MATCH("[t:i NOT MATCHES '5']", js);
    EVALERR("[t:s MATCHES '(']", js);     /* PCRE2 refuses it */
    /* catastrophic backtracking: PCRE2's limit, an error rather than forever */
    EVALERR("[t:v MATCHES '^(a+)+$']",
            one("{\"type\":\"t\",\"id\":\"x--1\",\"v\":\"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa!\"}", 1));
    js = one(T, 1);
    /* binary values: LIKE reads them as UTF-8, MATCHES as bytes */
    MATCH("[t:blob_hex MATCHES '^\\\\x00\\\\xffA$']", js);
    MATCH("[t:blob_bin MATCHES 'A$']", js);
}

static void subnets(void **state)
{
    (void)state;
    const char *js = one(T, 1);
    MATCH("[t:ip ISSUBSET '10.1.0.0/16']", js);
    NOMATCH("[t:ip ISSUBSET '10.2.0.0/16']", js);
    MATCH("[t:ip NOT ISSUBSET '10.2.0.0/16']", js);
    MATCH("[t:net ISSUBSET '10.0.0.0/8']", js);
    NOMATCH("[t:net ISSUBSET '10.1.2.0/24']", js);
    MATCH("[t:net ISSUPERSET '10.1.200.7']", js);
    MATCH("[t:net ISSUPERSET '10.1.128.0/17']", js);
    MATCH("[t:ip6 ISSUBSET '2001:db8::/32']", js);     /* IPv6: our extension */
    NOMATCH("[t:ip6 ISSUBSET '10.0.0.0/8']", js);
    NOMATCH("[t:i ISSUBSET '10.0.0.0/8']", js);        /* not a string: false */
    EVALERR("[t:s ISSUBSET '10.0.0.0/8']", js);        /* not an address */
    EVALERR("[t:ip ISSUBSET '10.0.0.0']", js);         /* no prefix */
    EVALERR("[t:ip ISSUBSET '10.0.0.0/33']", js);
    char msg[96];
    assert_int_equal(pv_in_subnet("192.168.1.1", "192.168.0.0/23", msg, sizeof msg), 1);
    assert_int_equal(pv_in_subnet("192.168.2.1", "192.168.0.0/23", msg, sizeof msg), 0);
    assert_int_equal(pv_in_subnet("2001:db8:1::/48", "2001:db8::/32", msg, sizeof msg), 1);
    assert_int_equal(pv_in_subnet("2001:db8::/31", "2001:db8::/32", msg, sizeof msg), 0);
}

static void binary(void **state)
{
    (void)state;
    const char *js = one(T, 1);
    MATCH("[t:blob_hex = h'00ff41']", js);
    MATCH("[t:blob_hex = b'AP9B']", js);
    MATCH("[t:blob_bin = h'00FF41']", js);
    MATCH("[t:blob_hex > h'00']", js);
    NOMATCH("[t:blob_hex = h'00ff']", js);
    MATCH("[t:s = h'68656c6c6f']", js);    /* a string against bytes: Latin-1 */
    NOMATCH("[t:u = h'636166']", js);
    uint8_t out[16];
    assert_int_equal(pv_unbase64("AQIDBA==", 8, out), 4);
    assert_int_equal(pv_unbase64("AQ ID\nBA==", 10, out), 4);   /* junk skipped */
    assert_int_equal(pv_unbase64("AQIDB", 5, out), -1);
    assert_int_equal(pv_unhex("0a0B", 4, out), 2);
    assert_int_equal(pv_unhex("0a0", 3, out), -1);
    EVALERR("[x:v_hex = h'00']", one("{\"type\":\"x\",\"id\":\"x--1\",\"v_hex\":\"zz\"}", 1));
}

static void paths(void **state)
{
    (void)state;
    const char *js = one(T, 1);
    MATCH("[t:d.k = 'v']", js);
    MATCH("[t:d.'a-b' = 7]", js);
    MATCH("[t:l[0] = 1]", js);
    MATCH("[t:l[2] = 3]", js);
    NOMATCH("[t:l[3] = 3]", js);
    NOMATCH("[t:l[-1] = 3]", js);        /* 3.0: negative indexes select nothing */
    MATCH("[t:l[*] = 2]", js);
    NOMATCH("[t:l[*] > 3]", js);
    MATCH("[EXISTS t:d]", js);
    NOMATCH("[EXISTS t:zz]", js);
    MATCH("[NOT EXISTS t:zz]", js);
    NOMATCH("[t:d.k.z = 'v']", js);
    /* references, followed within the observation */
    const char *refs =
        "{\"type\":\"network-traffic\",\"id\":\"x--1\",\"src_ref\":\"x--2\",\"dst_ref\":\"x--9\","
        "\"dst_port\":443,\"protocols\":[\"tcp\"],\"x_refs\":[\"x--2\",\"x--3\"]},"
        "{\"type\":\"ipv4-addr\",\"id\":\"x--2\",\"value\":\"198.51.100.1\"},"
        "{\"type\":\"ipv4-addr\",\"id\":\"x--3\",\"value\":\"198.51.100.3\"},"
        "{\"type\":\"ipv4-addr\",\"id\":\"x--9\",\"value\":\"198.51.100.9\"}";
    js = one(refs, 3);      /* x--9 is not in object_refs: does not resolve */
    MATCH("[network-traffic:src_ref.value = '198.51.100.1']", js);
    NOMATCH("[network-traffic:dst_ref.value = '198.51.100.9']", js);
    MATCH("[network-traffic:x_refs[*].value = '198.51.100.3']", js);
    MATCH("[network-traffic:x_refs[1].value = '198.51.100.3']", js);
    MATCH("[network-traffic:src_ref.value = '198.51.100.1' AND network-traffic:dst_port = 443]",
          js);
    /* AND needs the same root object: two different objects do not do */
    NOMATCH("[ipv4-addr:value = '198.51.100.1' AND ipv4-addr:value = '198.51.100.3']", js);
    MATCH("[ipv4-addr:value = '198.51.100.1' OR ipv4-addr:value = '198.51.100.3']", js);
    MATCH("[network-traffic:protocols[*] = 'tcp']", js);
    EVALERR("[t:s_ref.x = 1]", one("{\"type\":\"t\",\"id\":\"x--1\",\"s_ref\":5}", 1));
    EVALERR("[t:s_refs[*].x = 1]", one("{\"type\":\"t\",\"id\":\"x--1\",\"s_refs\":\"x\"}", 1));
}

/* Three bundles: alice at 00:00 (number_observed 2), bob at 00:05, carol at 00:10. */
static const char *PEOPLE =
    "{\"type\":\"bundle\",\"id\":\"bundle--a\",\"objects\":[{\"type\":\"observed-data\","
    "\"id\":\"observed-data--a\",\"first_observed\":\"2020-01-01T00:00:00Z\","
    "\"last_observed\":\"2020-01-01T00:00:00Z\",\"number_observed\":2,\"object_refs\":[\"p--a\"]},"
    "{\"type\":\"person\",\"id\":\"p--a\",\"name\":\"alice\",\"age\":10}]}\n"
    "{\"type\":\"bundle\",\"id\":\"bundle--b\",\"objects\":[{\"type\":\"observed-data\","
    "\"id\":\"observed-data--b\",\"first_observed\":\"2020-01-01T00:00:05Z\","
    "\"last_observed\":\"2020-01-01T00:00:05Z\",\"number_observed\":1,\"object_refs\":[\"p--b\"]},"
    "{\"type\":\"person\",\"id\":\"p--b\",\"name\":\"bob\",\"age\":20}]}\n"
    "{\"type\":\"bundle\",\"id\":\"bundle--c\",\"objects\":[{\"type\":\"observed-data\","
    "\"id\":\"observed-data--c\",\"first_observed\":\"2020-01-01T00:00:10Z\","
    "\"last_observed\":\"2020-01-01T00:00:10Z\",\"number_observed\":1,\"object_refs\":[\"p--c\"]},"
    "{\"type\":\"person\",\"id\":\"p--c\",\"name\":\"carol\",\"age\":30}]}\n";

static void observation_operators(void **state)
{
    (void)state;
    MATCH("[person:name = 'alice'] AND [person:name = 'bob']", PEOPLE);
    NOMATCH("[person:name = 'alice'] AND [person:name = 'dave']", PEOPLE);
    MATCH("[person:name = 'dave'] OR [person:name = 'bob']", PEOPLE);
    NOMATCH("[person:name = 'dave'] OR [person:name = 'erin']", PEOPLE);
    MATCH("[person:name = 'alice'] FOLLOWEDBY [person:name = 'carol']", PEOPLE);
    NOMATCH("[person:name = 'carol'] FOLLOWEDBY [person:name = 'alice']", PEOPLE);
    /* alice was seen twice: two instances, two bindings */
    MATCH("[person:name = 'alice'] AND [person:name = 'alice']", PEOPLE);
    MATCH("[person:name = 'alice'] REPEATS 2 TIMES", PEOPLE);
    NOMATCH("[person:name = 'alice'] REPEATS 3 TIMES", PEOPLE);
    MATCH("[person:age > 5] REPEATS 4 TIMES", PEOPLE);
    NOMATCH("[person:age > 5] REPEATS 5 TIMES", PEOPLE);
    /* WITHIN: all bound windows fit in n seconds */
    MATCH("([person:name = 'alice'] AND [person:name = 'bob']) WITHIN 5 SECONDS", PEOPLE);
    NOMATCH("([person:name = 'alice'] AND [person:name = 'bob']) WITHIN 4.5 SECONDS", PEOPLE);
    NOMATCH("([person:name = 'alice'] AND [person:name = 'carol']) WITHIN 9 SECONDS", PEOPLE);
    /* WITHIN 0: refused (by the parser, or by the evaluator as the reference does) */
    assert_true(run("[person:name = 'alice'] WITHIN 0.0 SECONDS", PEOPLE, NULL) < 0);
    /* START/STOP: first_observed >= start and before stop */
    MATCH("[person:name = 'bob'] START t'2020-01-01T00:00:05Z' STOP t'2020-01-01T00:00:06Z'", PEOPLE);
    NOMATCH("[person:name = 'bob'] START t'2020-01-01T00:00:04Z' STOP t'2020-01-01T00:00:05Z'", PEOPLE);
    MATCH("[person:age > 5] REPEATS 3 TIMES START t'2020-01-01T00:00:00Z' STOP t'2020-01-01T00:00:06Z'",
          PEOPLE);
    NOMATCH("[person:age > 5] REPEATS 4 TIMES START t'2020-01-01T00:00:00Z' STOP t'2020-01-01T00:00:06Z'",
            PEOPLE);
}

/* What only the lenient parse accepts, as the reference matcher does. */
static void lenient(void **state)
{
    (void)state;
    const char *pats[] = {
        "[person:age > 5] REPEATS 2 TIMES REPEATS 2 TIMES",
        "[person:age > 5] START '2020-01-01T00:00:00Z' STOP '2020-01-01T00:00:06Z' REPEATS 3 TIMES",
    };
    int want[] = {1, 1};
    for (size_t i = 0; i < 2; i++) {
        ald_pattern *p;
        struct ald_errpos e;
        assert_int_equal(run(pats[i], PEOPLE, NULL), PARSE_ERR);   /* strict */
        assert_int_equal(ald_pattern_parse_ex(pats[i], strlen(pats[i]), ALD_PATTERN_LENIENT, &p, &e),
                         ALD_E_OK);
        ald_pmatch *m;
        ald_obsset *s;
        ald_pmatch_result r;
        assert_int_equal(ald_pmatch_new(p, &m, &e), ALD_E_OK);
        assert_int_equal(ald_obsset_parse(PEOPLE, strlen(PEOPLE), &s, &e), ALD_E_OK);
        assert_int_equal(ald_pmatch_observations(m, s, &r, &e), ALD_E_OK);
        assert_int_equal(r.matched, want[i]);
        ald_pmatch_result_clear(&r);
        ald_obsset_free(s);
        ald_pmatch_free(m);
        ald_pattern_free(p);
    }
}

static void first_binding(void **state)
{
    (void)state;
    ald_pmatch_result r;
    ald_obsset *s;
    struct ald_errpos e;
    assert_int_equal(ald_obsset_parse(PEOPLE, strlen(PEOPLE), &s, &e), ALD_E_OK);
    assert_int_equal(run("[person:name = 'bob'] AND [person:name = 'carol']", PEOPLE, &r), 1);
    size_t o[8];
    size_t n = ald_pmatch_reference_sdos(&r, o, 8);
    assert_int_equal(n, 2);
    assert_string_equal(ald_obsset_get(s, o[0])->container_id, "bundle--b");
    assert_string_equal(ald_obsset_get(s, o[1])->container_id, "bundle--c");
    assert_string_equal(ald_obsset_get(s, o[1])->id, "observed-data--c");
    ald_pmatch_result_clear(&r);
    /* REPEATS 2 of alice binds her two instances: one observed-data */
    assert_int_equal(run("[person:name = 'alice'] REPEATS 2 TIMES", PEOPLE, &r), 1);
    assert_int_equal(r.nbinding, 2);
    assert_int_equal(r.binding[0].obs, 0);
    assert_int_equal(r.binding[1].obs, 0);
    assert_true(r.binding[0].inst != r.binding[1].inst);
    assert_int_equal(ald_pmatch_reference_sdos(&r, o, 8), 1);
    ald_pmatch_result_clear(&r);
    ald_obsset_free(s);
}

static int collect(void *ctx, const ald_pbound *b, size_t n)
{
    char *s = ctx;
    for (size_t i = 0; i < n; i++)
        sprintf(s + strlen(s), "%zu.%lld ", b[i].obs, (long long)b[i].inst);
    strcat(s, "| ");
    return 0;
}

static void all_bindings(void **state)
{
    (void)state;
    ald_obsset *s;
    ald_pattern *p;
    ald_pmatch *m;
    struct ald_errpos e;
    assert_int_equal(ald_obsset_parse(PEOPLE, strlen(PEOPLE), &s, &e), ALD_E_OK);
    /* AND interleaves its sides (reference generator): right b meets no
     * cached left; left a0 meets b; right c meets a0; left a1 meets b, c;
     * left b meets c (not itself) */
    const char *pat = "[person:age < 25] AND [person:age > 15]";
    assert_int_equal(ald_pattern_parse(pat, strlen(pat), &p, &e), ALD_E_OK);
    assert_int_equal(ald_pmatch_new(p, &m, &e), ALD_E_OK);
    char got[512] = "";
    size_t count;
    assert_int_equal(ald_pmatch_each(m, ald_obsset_get(s, 0), ald_obsset_count(s), 0, collect,
                                     got, &count, &e), ALD_E_OK);
    assert_string_equal(got, "0.0 1.0 | 0.0 2.0 | 0.1 1.0 | 0.1 2.0 | 1.0 2.0 | ");
    assert_int_equal(count, 5);
    got[0] = 0;
    assert_int_equal(ald_pmatch_each(m, ald_obsset_get(s, 0), ald_obsset_count(s), 2, collect,
                                     got, &count, &e), ALD_E_OK);
    assert_int_equal(count, 2);
    ald_pmatch_free(m);
    ald_pattern_free(p);
    ald_obsset_free(s);
}

static void loading(void **state)
{
    (void)state;
    ald_obsset *s;
    struct ald_errpos e;
    /* STIX 2.0 style, embedded objects with their own reference keys */
    const char *v20 = "[{\"type\":\"observed-data\",\"first_observed\":\"2020-01-01T00:00:00Z\","
                      "\"last_observed\":\"2020-01-01T00:00:00Z\",\"number_observed\":1,"
                      "\"objects\":{\"0\":{\"type\":\"file\",\"name\":\"a.exe\",\"parent_directory_ref\":\"1\"},"
                      "\"1\":{\"type\":\"directory\",\"path\":\"C:\\\\tmp\"}}}]";
    MATCH("[file:parent_directory_ref.path = 'C:\\\\tmp']", v20);
    assert_int_equal(ald_obsset_parse(v20, strlen(v20), &s, &e), ALD_E_OK);
    assert_int_equal(ald_obsset_count(s), 1);
    assert_null(ald_obsset_get(s, 0)->id);
    assert_null(ald_obsset_get(s, 0)->container_id);
    assert_int_equal(ald_obsset_get(s, 0)->pos, 1);
    ald_obsset_free(s);
    /* an observed-data outside a bundle, its SCOs as separate lines */
    const char *lines = "{\"type\":\"observed-data\",\"id\":\"observed-data--1\","
                        "\"first_observed\":\"2020-01-01T00:00:00Z\",\"last_observed\":\"2020-01-01T00:00:00Z\","
                        "\"number_observed\":1,\"object_refs\":[\"domain-name--1\"]}\n"
                        "{\"type\":\"domain-name\",\"id\":\"domain-name--1\",\"value\":\"example.com\"}\n";
    MATCH("[domain-name:value = 'example.com']", lines);
    /* a large bundle (references through an id table) */
    {
        static char big[16384];
        char *w = big;
        w += sprintf(w, "{\"type\":\"bundle\",\"id\":\"bundle--big\",\"objects\":["
                        "{\"type\":\"observed-data\",\"id\":\"observed-data--big\","
                        "\"first_observed\":\"2020-01-01T00:00:00Z\",\"last_observed\":\"2020-01-01T00:00:00Z\","
                        "\"number_observed\":1,\"object_refs\":[\"x--39\",\"x--0\"]}");
        for (int i = 0; i < 40; i++)
            w += sprintf(w, ",{\"type\":\"x\",\"id\":\"x--%d\",\"n\":%d,\"next_ref\":\"x--%d\"}",
                         i, i, (i + 1) % 40);
        strcpy(w, "]}");
        MATCH("[x:n = 39]", big);
        MATCH("[x:next_ref.n = 0]", big);       /* x--39 -> x--0, referenced */
        NOMATCH("[x:n = 5]", big);              /* in the bundle, not referenced */
        NOMATCH("[x:next_ref.n = 1]", big);     /* x--0 -> x--1, not referenced */
    }
    /* the reference's refusals */
    const char *bad[] = {
        "{\"type\":\"observed-data\",\"first_observed\":\"2020-01-01T00:00:00Z\",\"last_observed\":\"2020-01-01T00:00:00Z\"}",
        "{\"type\":\"observed-data\",\"first_observed\":\"2020-01-01T00:00:00Z\",\"last_observed\":\"2020-01-01T00:00:00Z\",\"number_observed\":0}",
        "{\"type\":\"observed-data\",\"first_observed\":\"2020-01-01\",\"last_observed\":\"2020-01-01T00:00:00Z\",\"number_observed\":1}",
    };
    for (size_t i = 0; i < 3; i++) {
        assert_int_equal(ald_obsset_parse(bad[i], strlen(bad[i]), &s, &e), ALD_E_PATTERN_EVAL);
        assert_null(s);
    }
    /* last before first: fine until a window is compared */
    const char *rev = "{\"type\":\"observed-data\",\"first_observed\":\"2020-01-02T00:00:00Z\","
                      "\"last_observed\":\"2020-01-01T00:00:00Z\",\"number_observed\":1,"
                      "\"objects\":{\"0\":{\"type\":\"a\",\"b\":1}}}";
    MATCH("[a:b = 1]", rev);
    EVALERR("[a:b = 1] WITHIN 5 SECONDS", rev);
    EVALERR("[a:b = 1] START t'2019-01-01T00:00:00Z' STOP t'2021-01-01T00:00:00Z'", rev);
    const char *broken = "{\"type\":\"bundle\",\n \"objects\": [,]}";
    assert_int_equal(ald_obsset_parse(broken, strlen(broken), &s, &e), ALD_E_JSON);
    assert_int_equal(e.line, 2);
    /* identity and observed-data are never matched (3.0 on 2.1 data) */
    NOMATCH("[observed-data:number_observed = 1]", PEOPLE);
}

static void fast_path(void **state)
{
    (void)state;
    const char *pat = "[ipv4-addr:value ISSUBSET '198.51.100.0/24' AND ipv4-addr:value != '198.51.100.7']";
    ald_pattern *p;
    struct ald_errpos e;
    assert_int_equal(ald_pattern_parse(pat, strlen(pat), &p, &e), ALD_E_OK);
    ald_pmatch *m;
    assert_int_equal(ald_pmatch_new(p, &m, &e), ALD_E_OK);
    assert_true(ald_pmatch_is_single(m));
    /* a caller's own observation: one SCO, no bundle */
    json_t *sco = json_pack("{s:s,s:s}", "type", "ipv4-addr", "value", "198.51.100.1");
    const char *key = NULL;
    ald_pobs o = {.first_us = 0, .last_us = 0, .number_observed = 1, .v21 = 1,
                  .nobjs = 1, .objs = &sco, .keys = &key};
    int hit = -1;
    assert_int_equal(ald_pmatch_one(m, &o, &hit, &e), ALD_E_OK);
    assert_int_equal(hit, 1);
    json_object_set_new(sco, "value", json_string("198.51.100.7"));
    assert_int_equal(ald_pmatch_one(m, &o, &hit, &e), ALD_E_OK);
    assert_int_equal(hit, 0);
    json_object_set_new(sco, "value", json_string("not an address"));
    assert_int_equal(ald_pmatch_one(m, &o, &hit, &e), ALD_E_PATTERN_EVAL);
    json_decref(sco);
    ald_pmatch_free(m);
    ald_pattern_free(p);

    /* keys = NULL: references resolve by the objects' own ids */
    const char *r = "[network-traffic:dst_ref.value = '203.0.113.5']";
    assert_int_equal(ald_pattern_parse(r, strlen(r), &p, &e), ALD_E_OK);
    assert_int_equal(ald_pmatch_new(p, &m, &e), ALD_E_OK);
    json_t *two[2] = {
        json_pack("{s:s,s:s}", "type", "network-traffic", "dst_ref", "ipv4-addr--9"),
        json_pack("{s:s,s:s,s:s}", "type", "ipv4-addr", "id", "ipv4-addr--9", "value", "203.0.113.5"),
    };
    ald_pobs o2 = {.number_observed = 1, .v21 = 1, .nobjs = 2, .objs = two, .keys = NULL};
    assert_int_equal(ald_pmatch_one(m, &o2, &hit, &e), ALD_E_OK);
    assert_int_equal(hit, 1);
    json_decref(two[0]);
    json_decref(two[1]);
    ald_pmatch_free(m);
    ald_pattern_free(p);

    const char *q = "[a:b = 1] WITHIN 5 SECONDS";
    assert_int_equal(ald_pattern_parse(q, strlen(q), &p, &e), ALD_E_OK);
    assert_int_equal(ald_pmatch_new(p, &m, &e), ALD_E_OK);
    assert_false(ald_pmatch_is_single(m));
    assert_int_equal(ald_pmatch_one(m, &o, &hit, &e), ALD_E_ARG);
    ald_pmatch_free(m);
    ald_pattern_free(p);
}

static void nfc(void **state)
{
    (void)state;
    struct { const char *in, *out; } c[] = {
        {"d\xcc\xa3\xcc\x87", "\xe1\xb8\x8d\xcc\x87"},          /* d + dot below + dot above */
        {"\xe1\xb8\x8b\xcc\xa3", "\xe1\xb8\x8d\xcc\x87"},       /* d-dot-above + dot below */
        {"e\xcc\x81", "\xc3\xa9"},                              /* e + acute */
        {"\xe1\x84\x80\xe1\x85\xa1\xe1\x86\xa8", "\xea\xb0\x81"}, /* Hangul L V T */
        {"\xcc\x81" "a", "\xcc\x81" "a"},                        /* leading mark stays */
        {"A\xcc\x8a\xcc\x81", "\xc7\xba"},                      /* A ring acute */
        {"plain", "plain"},
    };
    for (size_t i = 0; i < sizeof c / sizeof c[0]; i++) {
        uint8_t *o;
        size_t n;
        assert_int_equal(pv_nfc((const uint8_t *)c[i].in, strlen(c[i].in), &o, &n), 0);
        assert_int_equal(n, strlen(c[i].out));
        assert_memory_equal(o, c[i].out, n);
        free(o);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(equality_and_order),
        cmocka_unit_test(timestamps),
        cmocka_unit_test(sets),
        cmocka_unit_test(like_and_matches),
        cmocka_unit_test(subnets),
        cmocka_unit_test(binary),
        cmocka_unit_test(paths),
        cmocka_unit_test(observation_operators),
        cmocka_unit_test(lenient),
        cmocka_unit_test(first_binding),
        cmocka_unit_test(all_bindings),
        cmocka_unit_test(loading),
        cmocka_unit_test(fast_path),
        cmocka_unit_test(nfc),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
