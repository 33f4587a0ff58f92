/*
 * test_iset.c - the indicator set (lib/match/iset.c, hset.c): which
 * patterns are SIMPLE (every supported path, IN lists, OR of observations,
 * network-traffic conjunctions) and which GENERAL; revoked, pattern_type,
 * broken objects reported with the rest loaded; valid_from/valid_until at
 * `now`; value normalisation; the hash set against 50,000 random keys; the
 * OASIS example bundles (APT1, Poison Ivy) loaded with the counts checked by
 * hand.
 */
#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alidade/match.h"
#include "alidade/stix.h"
#include "match/match_int.h"

/* 2024-06-01T00:00:00Z */
#define NOW_US INT64_C(1717200000000000)

static char *ind(const char *id, const char *pattern, const char *extra)
{
    static char buf[4096];
    snprintf(buf, sizeof buf,
             "{\"type\":\"indicator\",\"spec_version\":\"2.1\",\"id\":\"indicator--%s\","
             "\"created\":\"2024-01-01T00:00:00Z\",\"modified\":\"2024-01-01T00:00:00Z\","
             "\"pattern\":\"%s\",\"pattern_type\":\"stix\",\"valid_from\":\"2024-01-01T00:00:00Z\"%s}",
             id, pattern, extra ? extra : "");
    return buf;
}

static ald_err add(ald_iset *s, const char *id, const char *pattern, const char *extra)
{
    const char *j = ind(id, pattern, extra);
    struct ald_errpos e;
    return ald_iset_add_json(s, j, strlen(j), &e);
}

static ald_iset *fresh(void)
{
    ald_iset *s = ald_iset_new();
    assert_non_null(s);
    ald_iset_set_validity(s, ALD_VALID_NOW, NOW_US);
    return s;
}

static void simple_kinds(void **state)
{
    (void)state;
    static const char *const pats[] = {
        "[ipv4-addr:value = '10.1.1.1']",
        "[ipv4-addr:value = '10.0.0.0/8']",
        "[ipv4-addr:value ISSUBSET '192.168.0.0/16']",
        "[ipv6-addr:value = '2001:db8::1']",
        "[ipv6-addr:value = '2001:db8::/32']",
        "[domain-name:value = 'evil.example']",
        "[url:value = 'http://evil.example/x.php?a=1']",
        "[email-addr:value = 'bad@evil.example']",
        "[file:hashes.MD5 = '001dd76872d80801692ff942308c64e6']",
        "[file:hashes.'SHA-1' = 'a9993e364706816aba3e25717850c26c9cd0d89d']",
        "[file:hashes.'SHA-256' = 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad']",
        "[file:hashes.'SHA-512' = 'ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a"
        "2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f']",
        "[file:hashes.md5 = '002325a0a67fded0381b5648d7fe9b8e']",  /* feeds write it so */
        "[x509-certificate:hashes.'SHA-1' = '5a93b4ac6b2b8a09f2e1bc1b8c6a0e3f2b9a1c11']",
        "[x509-certificate:hashes.'SHA-256' = "
        "'b2dafbcdbc75210672f137f27ce882ccb799887631655d4f11191d5a678e44fe']",
        "[network-traffic:dst_port = 4444]",
        "[network-traffic:dst_ref.value = '198.51.100.7']",
        "[network-traffic:src_ref.value = '2001:db8::7']",
        "[network-traffic:dst_ref.value = '198.51.100.7' AND network-traffic:dst_port = 443]",
        "[domain-name:value IN ('a.example', 'b.example', 'c.example')]",
        "[domain-name:value = 'x.example'] OR [ipv4-addr:value = '203.0.113.9']",
        "[domain-name:value = 'y.example' OR ipv4-addr:value = '203.0.113.10']",
        "[network-traffic:dst_port IN (80, 8080) AND network-traffic:dst_ref.value = '10.9.9.9']",
    };
    ald_iset *s = fresh();
    char id[40];
    for (size_t i = 0; i < sizeof pats / sizeof *pats; i++) {
        snprintf(id, sizeof id, "00000000-0000-4000-8000-%012zu", i);
        assert_int_equal(add(s, id, pats[i], NULL), ALD_E_OK);
    }
    assert_int_equal(ald_iset_compile(s, NULL), ALD_E_OK);
    struct ald_iset_stats st;
    ald_iset_stats(s, &st);
    for (size_t i = 0; i < sizeof pats / sizeof *pats; i++) {
        const struct ald_indicator *in = ald_iset_get(s, i);
        assert_non_null(in);
        if (in->status != ALD_IND_SIMPLE)
            fail_msg("not simple: %s", pats[i]);
        assert_null(in->ast);
    }
    assert_int_equal(st.status[ALD_IND_SIMPLE], sizeof pats / sizeof *pats);
    assert_int_equal(st.values[ALD_OBS_IPV4], 3 + 2 + 1 + 1 + 2);
    assert_int_equal(st.values[ALD_OBS_IPV6], 3);
    assert_int_equal(st.cidrs, 3);
    assert_int_equal(st.values[ALD_OBS_DOMAIN], 1 + 3 + 2);
    assert_int_equal(st.values[ALD_OBS_MD5], 2);
    assert_int_equal(st.values[ALD_OBS_X509_SHA1], 1);
    assert_int_equal(st.values[ALD_OBS_X509_SHA256], 1);
    assert_int_equal(st.values[ALD_OBS_PORT], 1 + 1 + 2);
    /* the last AND with an IN of two ports: two clauses */
    assert_int_equal(st.conjunctions, 3);
    size_t ng;
    ald_iset_general(s, &ng);
    assert_int_equal(ng, 0);
    /* a port-only clause: every line must be parsed */
    assert_true(mt_iset_needs_all_lines(s));
    ald_iset_free(s);
}

static void general_ones(void **state)
{
    (void)state;
    static const char *const pats[] = {
        "[ipv4-addr:value = '10.1.1.1'] AND [domain-name:value = 'a.example']",
        "[ipv4-addr:value = '10.1.1.1'] FOLLOWEDBY [domain-name:value = 'a.example']",
        "[ipv4-addr:value = '10.1.1.1'] WITHIN 60 SECONDS",
        "[ipv4-addr:value = '10.1.1.1'] REPEATS 3 TIMES",
        "[domain-name:value != 'a.example']",
        "[domain-name:value NOT = 'a.example']",
        "[domain-name:value LIKE '%.example']",
        "[url:value MATCHES '^http://']",
        "[file:name = 'x.exe']",
        "[file:size > 100]",
        "[ipv4-addr:value = 'not-an-address']",
        "[ipv4-addr:value = '2001:db8::1']",
        "[domain-name:value = 'a.example' AND domain-name:resolves_to_refs[*].value = '10.1.1.1']",
        "[x509-certificate:issuer = 'CN=WEBMAIL' AND x509-certificate:serial_number = '4c:0b']",
        "[network-traffic:dst_port = 'http']",
        "[ipv4-addr:value ISSUBSET '10.1.1.1']",
        "[email-message:subject MATCHES '^[IMPORTANT] Please Review Before']",
    };
    ald_iset *s = fresh();
    char id[40];
    for (size_t i = 0; i < sizeof pats / sizeof *pats; i++) {
        snprintf(id, sizeof id, "00000000-0000-4000-8000-%012zu", i);
        ald_err e = add(s, id, pats[i], NULL);
        if (e != ALD_E_OK)
            fail_msg("%s: %s", pats[i], ald_errname(e));
    }
    assert_int_equal(ald_iset_compile(s, NULL), ALD_E_OK);
    size_t ng;
    const size_t *g = ald_iset_general(s, &ng);
    assert_int_equal(ng, sizeof pats / sizeof *pats);
    for (size_t i = 0; i < ng; i++) {
        assert_int_equal(g[i], i);
        const struct ald_indicator *in = ald_iset_get(s, i);
        if (in->status != ALD_IND_GENERAL)
            fail_msg("not general: %s", pats[i]);
        /* the evaluator gets the tree and the text */
        assert_non_null(in->ast);
        assert_string_equal(in->pattern, pats[i]);
    }
    assert_false(mt_iset_needs_all_lines(s));
    ald_iset_free(s);
}

static void statuses_and_errors(void **state)
{
    (void)state;
    ald_iset *s = fresh();
    struct ald_errpos e;
    assert_int_equal(add(s, "00000000-0000-4000-8000-000000000001",
                         "[domain-name:value = 'a.example']", ",\"revoked\":true"),
                     ALD_E_OK);
    const char *sigma = "{\"type\":\"indicator\",\"id\":\"indicator--00000000-0000-4000-8000-"
                        "000000000002\",\"pattern\":\"title: x\",\"pattern_type\":\"sigma\","
                        "\"valid_from\":\"2024-01-01T00:00:00Z\"}";
    assert_int_equal(ald_iset_add_json(s, sigma, strlen(sigma), &e), ALD_E_OK);
    /* not JSON: where */
    const char *broken = "{\"type\":\"indicator\",";
    assert_int_equal(ald_iset_add_json(s, broken, strlen(broken), &e), ALD_E_JSON);
    assert_int_equal(e.code, ALD_E_JSON);
    assert_true(e.msg[0] != 0);
    /* a required property missing: which */
    const char *nopat = "{\"type\":\"indicator\",\"id\":\"indicator--00000000-0000-4000-8000-"
                        "000000000003\",\"pattern_type\":\"stix\","
                        "\"valid_from\":\"2024-01-01T00:00:00Z\"}";
    assert_int_equal(ald_iset_add_json(s, nopat, strlen(nopat), &e), ALD_E_STIX_INVALID);
    assert_non_null(strstr(e.msg, "'pattern'"));
    /* a pattern that does not parse: the parser's position */
    assert_int_equal(add(s, "00000000-0000-4000-8000-000000000004", "[domain-name:value = ", NULL),
                     ALD_E_PATTERN);
    const char *j = ind("00000000-0000-4000-8000-000000000005", "[domain-name:value = 'x']",
                        ",\"valid_until\":\"2023-01-01T00:00:00Z\"");
    assert_int_equal(ald_iset_add_json(s, j, strlen(j), &e), ALD_E_STIX_INVALID);
    assert_non_null(strstr(e.msg, "valid_until"));
    j = ind("00000000-0000-4000-8000-000000000006", "[domain-name:value = 'x']",
            ",\"valid_from\":\"yesterday\"");
    /* duplicate valid_from: jansson keeps the last one, which is not a time */
    assert_int_equal(ald_iset_add_json(s, j, strlen(j), &e), ALD_E_STIX_INVALID);
    /* not an indicator: counted apart, fine */
    const char *ip = "{\"type\":\"ipv4-addr\",\"id\":\"ipv4-addr--00000000-0000-4000-8000-"
                     "000000000007\",\"value\":\"10.1.1.1\"}";
    assert_int_equal(ald_iset_add_json(s, ip, strlen(ip), &e), ALD_E_OK);
    assert_int_equal(add(s, "00000000-0000-4000-8000-000000000008",
                         "[domain-name:value = 'ok.example']", NULL),
                     ALD_E_OK);
    assert_int_equal(ald_iset_count(s), 3);     /* revoked, sigma, ok */
    assert_int_equal(ald_iset_compile(s, &e), ALD_E_OK);
    assert_int_equal(ald_iset_compile(s, &e), ALD_E_ARG);
    assert_int_equal(add(s, "00000000-0000-4000-8000-000000000009",
                         "[domain-name:value = 'late.example']", NULL),
                     ALD_E_ARG);
    struct ald_iset_stats st;
    ald_iset_stats(s, &st);
    assert_int_equal(st.status[ALD_IND_REVOKED], 1);
    assert_int_equal(st.status[ALD_IND_UNSUPPORTED], 1);
    /* broken JSON, no pattern, bad pattern, valid_until, valid_from; the
     * late add after compile is refused, not counted */
    assert_int_equal(st.status[ALD_IND_INVALID], 5);
    assert_int_equal(st.status[ALD_IND_SIMPLE], 1);
    assert_int_equal(st.other_objects, 1);
    assert_string_equal(ald_iset_get(s, 2)->id, "indicator--00000000-0000-4000-8000-000000000008");
    assert_string_equal(ald_ind_status_name(ALD_IND_REVOKED), "revoked");
    ald_iset_free(s);
}

static void validity_now(void **state)
{
    (void)state;
    ald_iset *s = fresh();
    /* until 2024-03-01: expired at NOW (2024-06-01) */
    assert_int_equal(add(s, "00000000-0000-4000-8000-000000000001",
                         "[domain-name:value = 'old.example']",
                         ",\"valid_until\":\"2024-03-01T00:00:00Z\""),
                     ALD_E_OK);
    /* from 2025: not yet valid */
    const char *j = "{\"type\":\"indicator\",\"id\":\"indicator--00000000-0000-4000-8000-"
                    "000000000002\",\"pattern\":\"[domain-name:value = 'new.example']\","
                    "\"pattern_type\":\"stix\",\"valid_from\":\"2025-01-01T00:00:00Z\"}";
    assert_int_equal(ald_iset_add_json(s, j, strlen(j), NULL), ALD_E_OK);
    /* general and expired: not in the evaluator's list */
    assert_int_equal(add(s, "00000000-0000-4000-8000-000000000003",
                         "[domain-name:value = 'g.example'] WITHIN 5 SECONDS",
                         ",\"valid_until\":\"2024-02-01T00:00:00Z\""),
                     ALD_E_OK);
    assert_int_equal(add(s, "00000000-0000-4000-8000-000000000004",
                         "[domain-name:value = 'now.example']",
                         ",\"valid_until\":\"2024-06-01T00:00:00.000001Z\""),
                     ALD_E_OK);
    assert_int_equal(ald_iset_compile(s, NULL), ALD_E_OK);
    struct ald_iset_stats st;
    ald_iset_stats(s, &st);
    assert_int_equal(st.status[ALD_IND_EXPIRED], 3);
    assert_int_equal(st.status[ALD_IND_SIMPLE], 1);
    assert_int_equal(st.status[ALD_IND_GENERAL], 0);
    size_t ng;
    ald_iset_general(s, &ng);
    assert_int_equal(ng, 0);
    assert_int_equal(ald_iset_get(s, 0)->status, ALD_IND_EXPIRED);
    assert_int_equal(ald_iset_get(s, 3)->status, ALD_IND_SIMPLE);
    ald_iset_free(s);

    /* ALD_VALID_RECORD keeps them all for the scanner to decide */
    s = ald_iset_new();
    ald_iset_set_validity(s, ALD_VALID_RECORD, NOW_US);
    assert_int_equal(add(s, "00000000-0000-4000-8000-000000000001",
                         "[domain-name:value = 'old.example']",
                         ",\"valid_until\":\"2024-03-01T00:00:00Z\""),
                     ALD_E_OK);
    assert_int_equal(ald_iset_compile(s, NULL), ALD_E_OK);
    ald_iset_stats(s, &st);
    assert_int_equal(st.status[ALD_IND_SIMPLE], 1);
    const struct ald_indicator *in = ald_iset_get(s, 0);
    int64_t until;
    assert_true(stix_time_parse("2024-03-01T00:00:00Z", 20, &until));
    assert_int_equal(in->valid_until_us, until);
    ald_iset_free(s);
}

struct errs {
    size_t n;
    size_t index[8];
    char id[8][80];
};

static void on_err(void *ctx, size_t index, const char *id, const struct ald_errpos *e)
{
    struct errs *x = ctx;
    assert_true(e->code != ALD_E_OK);
    if (x->n < 8) {
        x->index[x->n] = index;
        snprintf(x->id[x->n], sizeof x->id[x->n], "%s", id);
    }
    x->n++;
}

static void bundle_with_broken(void **state)
{
    (void)state;
    const char *b =
        "{\"type\":\"bundle\",\"id\":\"bundle--00000000-0000-4000-8000-000000000000\","
        "\"objects\":["
        "{\"type\":\"identity\",\"id\":\"identity--00000000-0000-4000-8000-000000000000\","
        "\"name\":\"x\"},"
        "{\"type\":\"indicator\",\"id\":\"indicator--00000000-0000-4000-8000-000000000001\","
        "\"pattern\":\"[domain-name:value = 'a.example']\",\"pattern_type\":\"stix\","
        "\"valid_from\":\"2024-01-01T00:00:00Z\"},"
        "{\"type\":\"indicator\",\"id\":\"indicator--00000000-0000-4000-8000-000000000002\","
        "\"pattern\":\"[domain-name:value = \",\"pattern_type\":\"stix\","
        "\"valid_from\":\"2024-01-01T00:00:00Z\"},"
        "{\"type\":\"indicator\",\"id\":\"indicator--00000000-0000-4000-8000-000000000003\","
        "\"pattern\":\"[ipv4-addr:value = '10.1.1.1']\",\"pattern_type\":\"stix\"},"
        "{\"type\":\"indicator\",\"id\":\"indicator--00000000-0000-4000-8000-000000000004\","
        "\"pattern\":\"[ipv4-addr:value = '10.1.1.2']\",\"pattern_type\":\"stix\","
        "\"valid_from\":\"2024-01-01T00:00:00Z\"}]}";
    ald_iset *s = fresh();
    struct errs x = {0};
    struct ald_errpos e;
    assert_int_equal(ald_iset_add_bundle(s, b, strlen(b), on_err, &x, &e), ALD_E_OK);
    assert_int_equal(x.n, 2);
    assert_int_equal(x.index[0], 2);
    assert_string_equal(x.id[0], "indicator--00000000-0000-4000-8000-000000000002");
    assert_int_equal(x.index[1], 3);
    assert_string_equal(x.id[1], "indicator--00000000-0000-4000-8000-000000000003");
    assert_int_equal(ald_iset_count(s), 2);
    assert_int_equal(ald_iset_compile(s, NULL), ALD_E_OK);
    struct ald_iset_stats st;
    ald_iset_stats(s, &st);
    assert_int_equal(st.status[ALD_IND_SIMPLE], 2);
    assert_int_equal(st.status[ALD_IND_INVALID], 2);
    assert_int_equal(st.other_objects, 1);
    ald_iset_free(s);

    /* the text as a whole is not JSON: an error, objects before it kept */
    s = fresh();
    const char *lines =
        "{\"type\":\"indicator\",\"id\":\"indicator--00000000-0000-4000-8000-000000000001\","
        "\"pattern\":\"[domain-name:value = 'a.example']\",\"pattern_type\":\"stix\","
        "\"valid_from\":\"2024-01-01T00:00:00Z\"}\n{\"type\": oops\n";
    assert_int_equal(ald_iset_add_bundle(s, lines, strlen(lines), NULL, NULL, &e), ALD_E_JSON);
    assert_non_null(strstr(e.msg, "line 2"));
    /* stix_split checks the whole text first: nothing is loaded */
    assert_int_equal(ald_iset_count(s), 0);
    ald_iset_free(s);
}

static void normalise(void **state)
{
    (void)state;
    char out[256];
    size_t n = mt_normalise(ALD_OBS_DOMAIN, "Evil.EXAMPLE.", 13, out, sizeof out);
    assert_int_equal(n, 12);
    assert_memory_equal(out, "evil.example", 12);
    const char *u = "HTTP://Evil.Example:8080/Path/X.php?Q=A";
    n = mt_normalise(ALD_OBS_URL, u, strlen(u), out, sizeof out);
    assert_int_equal(n, strlen(u));
    assert_memory_equal(out, "http://evil.example:8080/Path/X.php?Q=A", n);
    n = mt_normalise(ALD_OBS_PORT, "0443", 4, out, sizeof out);
    assert_int_equal(n, 3);
    assert_memory_equal(out, "443", 3);
    assert_int_equal(mt_normalise(ALD_OBS_PORT, "65536", 5, out, sizeof out), (size_t)-1);
    assert_int_equal(mt_normalise(ALD_OBS_PORT, "4a", 2, out, sizeof out), (size_t)-1);
    n = mt_normalise(ALD_OBS_SHA256, "BA7816BF", 8, out, sizeof out);
    assert_memory_equal(out, "ba7816bf", 8);
    /* the folded hash ignores ASCII case */
    assert_true(mt_hash_fold("Evil.Example", 12) == mt_hash_fold("evil.example", 12));
    assert_true(mt_hash_fold("evil.example", 12) != mt_hash_fold("evil.exampl", 11));
    assert_true(mt_hash_fold("abc", 3) != mt_hash_fold("abd", 3));
}

static uint64_t rnd_state = 0x9e3779b97f4a7c15ull;
static uint64_t rnd(void)
{
    rnd_state ^= rnd_state << 13;
    rnd_state ^= rnd_state >> 7;
    rnd_state ^= rnd_state << 17;
    return rnd_state;
}

#define NKEYS 50000

static void hset_random(void **state)
{
    (void)state;
    static char keys[NKEYS][24];
    mt_hset h;
    assert_true(mt_hset_init(&h, NKEYS));
    for (uint32_t i = 0; i < NKEYS; i++) {
        int len = 4 + (int)(rnd() % 18);
        for (int k = 0; k < len; k++)
            keys[i][k] = (char)('a' + rnd() % 26);
        keys[i][len] = 0;
        assert_true(mt_hset_put(&h, mt_hash_fold(keys[i], (size_t)len), i));
    }
    /* a key stored twice gives both entries */
    assert_true(mt_hset_put(&h, mt_hash_fold(keys[7], strlen(keys[7])), 4242424));
    for (uint32_t i = 0; i < NKEYS; i++) {
        uint64_t hv = mt_hash_fold(keys[i], strlen(keys[i]));
        size_t pos = 0;
        int found = 0, extra = 0;
        for (uint32_t e; (e = mt_hset_next(&h, hv, &pos)) != UINT32_MAX;) {
            if (e == i)
                found++;
            else if (e == 4242424)
                extra++;
        }
        assert_int_equal(found, 1);
        assert_int_equal(extra, i == 7 || !strcmp(keys[i], keys[7]));
    }
    /* absent keys: nothing (their fingerprints never equal by chance here) */
    size_t fp = 0;
    for (int i = 0; i < NKEYS; i++) {
        char k[32];
        int len = snprintf(k, sizeof k, "absent-%d.example", i);
        size_t pos = 0;
        if (mt_hset_next(&h, mt_hash_fold(k, (size_t)len), &pos) != UINT32_MAX)
            fp++;
    }
    assert_true(fp < 5);
    assert_true(mt_hset_bytes(&h) >= NKEYS * 8);
    mt_hset_free(&h);
}

/* The OASIS example reports: counted by hand from the files (APT1: 12
 * indicators, 2 of them x509 issuer AND serial_number = general; Poison
 * Ivy: 25, ORs of domain and address tests but two [file:name = ...],
 * general; 4 CIDRs /15 in APT1). */
static void oasis_reports(void **state)
{
    (void)state;
    /* tu_shared's buffer is static: one path at a time */
    static const char *const rel[2] = {
        "cti/stix2-json-schemas/examples/threat-reports/apt1.json",
        "cti/stix2-json-schemas/examples/threat-reports/poisonivy.json"};
    ald_iset *s = fresh();
    for (int f = 0; f < 2; f++) {
        TU_NEED_SHARED(path, rel[f]);
        size_t len;
        char *t = tu_read_file(path, &len);
        assert_non_null(t);
        struct errs x = {0};
        assert_int_equal(ald_iset_add_bundle(s, t, len, on_err, &x, NULL), ALD_E_OK);
        assert_int_equal(x.n, 0);
        free(t);
    }
    assert_int_equal(ald_iset_compile(s, NULL), ALD_E_OK);
    struct ald_iset_stats st;
    ald_iset_stats(s, &st);
    assert_int_equal(ald_iset_count(s), 37);
    assert_int_equal(st.status[ALD_IND_SIMPLE], 33);
    assert_int_equal(st.status[ALD_IND_GENERAL], 4);
    assert_int_equal(st.cidrs, 4);
    assert_int_equal(st.other_objects, 76 - 12 + 155 - 25);
    size_t ng;
    const size_t *g = ald_iset_general(s, &ng);
    assert_int_equal(ng, 4);
    assert_non_null(strstr(ald_iset_get(s, g[0])->pattern, "x509-certificate:issuer"));
    assert_string_equal(ald_iset_get(s, g[3])->pattern, "[file:name = 'CPiShellPutDoc']");
    ald_iset_free(s);
}

/* A value longer than the normaliser takes (4000 bytes) is left to the
 * general evaluator, not an error. */
static void long_value_is_general(void **state)
{
    (void)state;
    size_t n = 5000;
    char *j = malloc(n + 512);
    assert_non_null(j);
    int k = snprintf(j, 512, "{\"type\":\"indicator\",\"id\":\"indicator--00000000-0000-4000-"
                             "8000-000000000001\",\"pattern_type\":\"stix\","
                             "\"valid_from\":\"2024-01-01T00:00:00Z\",\"pattern\":\"[url:value = '");
    memset(j + k, 'a', n);
    k += (int)n;
    k += snprintf(j + k, 64, "']\"}");
    ald_iset *s = fresh();
    struct ald_errpos e;
    assert_int_equal(ald_iset_add_json(s, j, (size_t)k, &e), ALD_E_OK);
    assert_int_equal(ald_iset_get(s, 0)->status, ALD_IND_GENERAL);
    assert_int_equal(ald_iset_compile(s, NULL), ALD_E_OK);
    ald_iset_free(s);
    free(j);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(simple_kinds),
        cmocka_unit_test(general_ones),
        cmocka_unit_test(statuses_and_errors),
        cmocka_unit_test(validity_now),
        cmocka_unit_test(bundle_with_broken),
        cmocka_unit_test(normalise),
        cmocka_unit_test(hset_random),
        cmocka_unit_test(oasis_reports),
        cmocka_unit_test(long_value_is_general),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
