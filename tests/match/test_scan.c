/*
 * test_scan.c - the scanner (lib/match/scan.c) on tests/data/match/
 * sample.eve.json (100 real Suricata alerts of WRCCDC 2018 + 121 EVE events
 * made from the real Zeek DNS records of the same exercise, see
 * tests/data/match/SOURCES.md): indicators planted on values of the sample,
 * the exact hits (line numbers) asserted; no hit on lookalikes (10.47.8.15
 * vs 10.47.8.150, parent and textual-suffix domains); CIDR, role,
 * conjunction, URL, hash, e-mail and certificate indicators; expired and
 * revoked ones silent; validity at the record's time; port-only sets (every
 * line parsed); the allow veto; the record hook; the same hits whatever the
 * buffer cuts; hand-made records through ald_scanner_check.
 *
 * The expected line numbers were computed independently with a Python model
 * of the EVE fields (json.loads + ipaddress) and checked by hand.
 */
#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alidade/match.h"

/* 2024-06-01T00:00:00Z */
#define NOW_US INT64_C(1717200000000000)

static char *sample;
static size_t sample_len;

static int setup(void **state)
{
    (void)state;
    sample = tu_read_file(tu_testdata("match/sample.eve.json"), &sample_len);
    return sample ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    free(sample);
    return 0;
}

/* ---- building sets ---- */

static void add(ald_iset *s, int n, const char *pattern, const char *extra)
{
    char buf[2048];
    snprintf(buf, sizeof buf,
             "{\"type\":\"indicator\",\"spec_version\":\"2.1\","
             "\"id\":\"indicator--00000000-0000-4000-8000-%012d\","
             "\"created\":\"2018-01-01T00:00:00Z\",\"modified\":\"2018-01-01T00:00:00Z\","
             "\"pattern\":\"%s\",\"pattern_type\":\"stix\",\"valid_from\":\"2018-01-01T00:00:00Z\"%s}",
             n, pattern, extra ? extra : "");
    struct ald_errpos e;
    ald_err r = ald_iset_add_json(s, buf, strlen(buf), &e);
    if (r != ALD_E_OK)
        fail_msg("%s: %s %s", pattern, ald_errname(r), e.msg);
}

/* ---- collecting hits ---- */

#define MAXH 4096

struct hits {
    size_t n;
    size_t ind[MAXH];
    uint64_t line[MAXH];
    size_t nfields[MAXH];
    char f0[MAXH][48];         /* name of the first field */
    int stop_after;             /* stop the scan after this many (0: never) */
    size_t records;
};

static int on_hit(void *ctx, const ald_hit *h)
{
    struct hits *x = ctx;
    assert_non_null(h->rec);
    assert_true(h->nfields >= 1);
    assert_non_null(h->id);
    /* the hit's text is the line itself */
    assert_true(h->len > 0 && h->text[0] == '{' && h->text[h->len - 1] == '}');
    if (x->n < MAXH) {
        x->ind[x->n] = h->indicator;
        x->line[x->n] = h->line;
        x->nfields[x->n] = h->nfields;
        snprintf(x->f0[x->n], sizeof x->f0[x->n], "%s",
                 h->fields[0]->name ? h->fields[0]->name : "");
    }
    x->n++;
    return x->stop_after && x->n >= (size_t)x->stop_after;
}

/* The lines indicator `ind` hit, ascending, as "1,73". */
static const char *lines_of(const struct hits *x, size_t ind)
{
    static char buf[4096];
    size_t k = 0;
    buf[0] = 0;
    for (size_t i = 0; i < x->n && i < MAXH; i++)
        if (x->ind[i] == ind)
            k += (size_t)snprintf(buf + k, sizeof buf - k, "%s%llu", k ? "," : "",
                                  (unsigned long long)x->line[i]);
    return buf;
}

/* Scans the sample in pieces of about `chunk` bytes cut after a newline
 * (0: all at once). */
static void scan(ald_scanner *sc, size_t chunk, struct hits *x)
{
    size_t pos = 0;
    while (pos < sample_len) {
        size_t end = chunk ? pos + chunk : sample_len;
        if (end >= sample_len) {
            end = sample_len;
        } else {
            const char *nl = memchr(sample + end, '\n', sample_len - end);
            end = nl ? (size_t)(nl - sample) + 1 : sample_len;
        }
        ald_err r = ald_scanner_feed(sc, sample + pos, end - pos, end == sample_len, on_hit, x);
        assert_int_equal(r, ALD_E_OK);
        pos = end;
    }
}

/* ---- the main set ---- */

enum {
    I_IP, I_IP_LOOKALIKE, I_DOMAIN, I_PARENT, I_SUFFIX, I_SUB, I_CIDR, I_CONJ, I_SRC_ROLE,
    I_URL, I_MD5, I_SHA256_UPPER, I_EMAIL, I_X509, I_EXPIRED, I_REVOKED, I_ANSWER, I_DOMAIN_UPPER,
    I_N
};

static ald_iset *main_set(ald_valid_mode vm)
{
    ald_iset *s = ald_iset_new();
    ald_iset_set_validity(s, vm, NOW_US);
    add(s, I_IP, "[ipv4-addr:value = '10.47.8.150']", NULL);
    add(s, I_IP_LOOKALIKE, "[ipv4-addr:value = '10.47.8.15']", NULL);
    add(s, I_DOMAIN, "[domain-name:value = 'ise.wrccdc.org']", NULL);
    add(s, I_PARENT, "[domain-name:value = 'wrccdc.org']", NULL);
    add(s, I_SUFFIX, "[domain-name:value = 'e.wrccdc.org']", NULL);
    add(s, I_SUB, "[domain-name:value = 'x.ise.wrccdc.org']", NULL);
    add(s, I_CIDR, "[ipv4-addr:value = '10.47.3.0/24']", NULL);
    add(s, I_CONJ,
        "[network-traffic:dst_ref.value = '10.47.3.200' AND network-traffic:dst_port = 443]",
        NULL);
    add(s, I_SRC_ROLE, "[network-traffic:src_ref.value = '10.47.8.150']", NULL);
    add(s, I_URL, "[url:value = 'http://ise.wrccdc.org/index.php?id=0']", NULL);
    add(s, I_MD5, "[file:hashes.MD5 = 'b8ff90af7057b090e6eb52b9b3bbd856']", NULL);
    add(s, I_SHA256_UPPER,
        "[file:hashes.'SHA-256' = '3F97E4072B64E1016DDBD14B9FB0EC0B8327FDA635FCF133126CDAFF10F80362']",
        NULL);
    add(s, I_EMAIL, "[email-addr:value = 'admin@wrccdc.org']", NULL);
    add(s, I_X509, "[x509-certificate:hashes.'SHA-1' = '220e918ffbd0f882c9794c7fb95a8aea7fca58b6']",
        NULL);
    add(s, I_EXPIRED, "[domain-name:value = 'download.windowsupdate.com']",
        ",\"valid_until\":\"2019-01-01T00:00:00Z\"");
    add(s, I_REVOKED, "[ipv4-addr:value = '10.0.0.100']", ",\"revoked\":true");
    add(s, I_ANSWER, "[ipv4-addr:value = '134.71.3.16']", NULL);
    add(s, I_DOMAIN_UPPER, "[domain-name:value = 'ISE.WRCCDC.ORG.']", NULL);
    assert_int_equal(ald_iset_compile(s, NULL), ALD_E_OK);
    return s;
}

static const char *const cidr_lines =
    "2,28,40,50,55,56,63,74,75,76,85,103,107,113,115,125,128,138,146,149,152,161,168,"
    "175,178,189,191,197,200,209,211,213,217,218";

static void check_main_hits(const struct hits *x)
{
    assert_string_equal(lines_of(x, I_IP), "1,73");
    assert_string_equal(lines_of(x, I_IP_LOOKALIKE), "");
    assert_string_equal(lines_of(x, I_DOMAIN), "101,102,103");
    assert_string_equal(lines_of(x, I_PARENT), "");
    assert_string_equal(lines_of(x, I_SUFFIX), "");
    assert_string_equal(lines_of(x, I_SUB), "");
    assert_string_equal(lines_of(x, I_CIDR), cidr_lines);
    assert_string_equal(lines_of(x, I_CONJ), "107,128,149,168,191,211");
    assert_string_equal(lines_of(x, I_SRC_ROLE), "73");
    assert_string_equal(lines_of(x, I_URL), "103");
    assert_string_equal(lines_of(x, I_MD5), "115");
    assert_string_equal(lines_of(x, I_SHA256_UPPER), "146");
    assert_string_equal(lines_of(x, I_EMAIL), "123,164,206");
    assert_string_equal(lines_of(x, I_X509), "54,57");
    assert_string_equal(lines_of(x, I_ANSWER), "102");
    assert_string_equal(lines_of(x, I_DOMAIN_UPPER), "101,102,103");
    assert_string_equal(lines_of(x, I_REVOKED), "");
    /* what made the hits */
    for (size_t i = 0; i < x->n; i++) {
        if (x->ind[i] == I_CONJ) {
            assert_int_equal(x->nfields[i], 2);
            assert_string_equal(x->f0[i], "dest_ip");
        }
        if (x->ind[i] == I_SRC_ROLE)
            assert_string_equal(x->f0[i], "src_ip");
        if (x->ind[i] == I_ANSWER)
            assert_string_equal(x->f0[i], "dns.answers.rdata");
        if (x->ind[i] == I_URL)
            assert_string_equal(x->f0[i], "http.url");
    }
}

static void planted_hits(void **state)
{
    (void)state;
    ald_iset *s = main_set(ALD_VALID_NOW);
    struct ald_iset_stats st;
    ald_iset_stats(s, &st);
    assert_int_equal(st.status[ALD_IND_EXPIRED], 1);
    assert_int_equal(st.status[ALD_IND_REVOKED], 1);
    ald_scanner *sc = ald_scanner_new(s, ALD_LOG_EVE);
    assert_non_null(sc);
    struct hits *x = calloc(1, sizeof *x);
    scan(sc, 0, x);
    check_main_hits(x);
    assert_string_equal(lines_of(x, I_EXPIRED), "");
    struct ald_scan_stats ss;
    ald_scanner_stats(sc, &ss);
    assert_int_equal(ss.lines, 221);
    assert_int_equal(ss.bytes, sample_len);
    assert_int_equal(ss.bad_lines, 0);
    assert_int_equal(ss.hits, x->n);
    /* only candidate lines are parsed, and every candidate hits: the fast
     * path probes whole values, so lookalikes never make a candidate */
    assert_true(ss.parsed < 100);
    assert_int_equal(ss.false_candidates, 0);
    ald_scanner_free(sc);
    free(x);
    ald_iset_free(s);
}

static void same_hits_any_cut(void **state)
{
    (void)state;
    ald_iset *s = main_set(ALD_VALID_NOW);
    size_t chunks[] = {1, 100, 4096, 65536};
    for (size_t c = 0; c < sizeof chunks / sizeof *chunks; c++) {
        ald_scanner *sc = ald_scanner_new(s, ALD_LOG_AUTO);
        struct hits *x = calloc(1, sizeof *x);
        scan(sc, chunks[c], x);
        check_main_hits(x);
        ald_scanner_free(sc);
        free(x);
    }
    /* the last line without its newline is still a line */
    ald_scanner *sc = ald_scanner_new(s, ALD_LOG_EVE);
    struct hits *x = calloc(1, sizeof *x);
    assert_int_equal(ald_scanner_feed(sc, sample, sample_len - 1, 1, on_hit, x), ALD_E_OK);
    check_main_hits(x);
    ald_scanner_free(sc);
    free(x);
    ald_iset_free(s);
}

static void record_time_validity(void **state)
{
    (void)state;
    ald_iset *s = ald_iset_new();
    ald_iset_set_validity(s, ALD_VALID_RECORD, NOW_US);
    /* 2018 records: inside [2018-01-01, 2019-01-01) */
    add(s, 0, "[domain-name:value = 'download.windowsupdate.com']",
        ",\"valid_until\":\"2019-01-01T00:00:00Z\"");
    /* valid in 2020 only: its value is in the log, its window is not */
    add(s, 1, "[domain-name:value = 'ise.wrccdc.org']",
        ",\"valid_from\":\"2020-01-01T00:00:00Z\",\"valid_until\":\"2021-01-01T00:00:00Z\"");
    assert_int_equal(ald_iset_compile(s, NULL), ALD_E_OK);
    ald_scanner *sc = ald_scanner_new(s, ALD_LOG_EVE);
    struct hits *x = calloc(1, sizeof *x);
    scan(sc, 0, x);
    assert_string_equal(lines_of(x, 0), "104");
    assert_string_equal(lines_of(x, 1), "");
    struct ald_scan_stats ss;
    ald_scanner_stats(sc, &ss);
    assert_int_equal(ss.out_of_window, 3);
    ald_scanner_free(sc);
    free(x);
    ald_iset_free(s);
}

static void ports_parse_every_line(void **state)
{
    (void)state;
    ald_iset *s = ald_iset_new();
    ald_iset_set_validity(s, ALD_VALID_NOW, NOW_US);
    add(s, 0, "[network-traffic:dst_port = 25]", NULL);
    add(s, 1, "[network-traffic:src_port = 25]", NULL);
    assert_int_equal(ald_iset_compile(s, NULL), ALD_E_OK);
    ald_scanner *sc = ald_scanner_new(s, ALD_LOG_EVE);
    struct hits *x = calloc(1, sizeof *x);
    scan(sc, 0, x);
    assert_string_equal(lines_of(x, 0), "123,164,206");
    assert_string_equal(lines_of(x, 1), "");
    struct ald_scan_stats ss;
    ald_scanner_stats(sc, &ss);
    assert_int_equal(ss.parsed, 221);
    ald_scanner_free(sc);
    free(x);
    ald_iset_free(s);
}

static int veto_ise(void *ctx, ald_obs_kind kind, const char *v, size_t len)
{
    size_t *calls = ctx;
    ++*calls;
    return !(kind == ALD_OBS_DOMAIN && len == 14 && memcmp(v, "ise.wrccdc.org", 14) == 0);
}

static void allow_veto(void **state)
{
    (void)state;
    ald_iset *s = main_set(ALD_VALID_NOW);
    ald_scanner *sc = ald_scanner_new(s, ALD_LOG_EVE);
    size_t calls = 0;
    ald_scanner_set_allow(sc, veto_ise, &calls);
    struct hits *x = calloc(1, sizeof *x);
    scan(sc, 0, x);
    assert_string_equal(lines_of(x, I_DOMAIN), "");
    assert_string_equal(lines_of(x, I_DOMAIN_UPPER), "");
    /* other values of the same lines still hit */
    assert_string_equal(lines_of(x, I_URL), "103");
    assert_string_equal(lines_of(x, I_CIDR), cidr_lines);
    struct ald_scan_stats ss;
    ald_scanner_stats(sc, &ss);
    assert_int_equal(ss.vetoed, 6);
    assert_true(calls >= x->n + 6);
    ald_scanner_free(sc);
    free(x);
    ald_iset_free(s);
}

static int count_rec(void *ctx, uint64_t line, const char *text, size_t len,
                     const ald_logrec *rec)
{
    struct hits *x = ctx;
    assert_true(line >= 1 && line <= 221);
    assert_true(len > 0 && text[0] == '{');
    assert_non_null(rec->type);
    x->records++;
    return 0;
}

static void general_hook_and_stop(void **state)
{
    (void)state;
    ald_iset *s = ald_iset_new();
    ald_iset_set_validity(s, ALD_VALID_NOW, NOW_US);
    add(s, 0, "[domain-name:value = 'ise.wrccdc.org'] FOLLOWEDBY [ipv4-addr:value = '10.0.0.1']",
        NULL);
    add(s, 1, "[ipv4-addr:value = '10.47.3.0/24']", NULL);
    assert_int_equal(ald_iset_compile(s, NULL), ALD_E_OK);
    ald_scanner *sc = ald_scanner_new(s, ALD_LOG_EVE);
    struct hits *x = calloc(1, sizeof *x);
    ald_scanner_set_record_cb(sc, count_rec, x);
    scan(sc, 0, x);
    assert_int_equal(x->records, 221);          /* every record for the evaluator */
    assert_string_equal(lines_of(x, 1), cidr_lines);
    ald_scanner_free(sc);

    /* the hit callback stops the scan */
    sc = ald_scanner_new(s, ALD_LOG_EVE);
    memset(x, 0, sizeof *x);
    x->stop_after = 3;
    assert_int_equal(ald_scanner_feed(sc, sample, sample_len, 1, on_hit, x), ALD_E_ARG);
    assert_int_equal(x->n, 3);
    ald_scanner_free(sc);
    free(x);
    ald_iset_free(s);
}

static void hand_made_records(void **state)
{
    (void)state;
    ald_iset *s = ald_iset_new();
    ald_iset_set_validity(s, ALD_VALID_NOW, NOW_US);
    add(s, 0, "[url:value = 'http://ise.wrccdc.org/index.php?id=0']", NULL);
    add(s, 1, "[email-addr:value = 'Admin@WRCCDC.org']", NULL);
    add(s, 2, "[ipv6-addr:value = '2001:db8::/32']", NULL);
    add(s, 3,
        "[file:hashes.'SHA-512' = 'ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a"
        "2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f']",
        NULL);
    add(s, 4, "[network-traffic:src_port = 4444 AND network-traffic:src_ref.value = '10.9.9.9']",
        NULL);
    add(s, 5, "[x509-certificate:hashes.'SHA-256' = "
              "'b2dafbcdbc75210672f137f27ce882ccb799887631655d4f11191d5a678e44fe']",
        NULL);
    assert_int_equal(ald_iset_compile(s, NULL), ALD_E_OK);
    ald_scanner *sc = ald_scanner_new(s, ALD_LOG_ZEEK_TSV);
    assert_non_null(sc);
    const ald_logfield f[] = {
        {ALD_OBS_URL, ALD_ROLE_NONE, "HTTP://ISE.wrccdc.org/index.php?id=0", 36, "uri"},
        {ALD_OBS_URL, ALD_ROLE_NONE, "http://ise.wrccdc.org/INDEX.php?id=0", 36, "uri"},
        {ALD_OBS_EMAIL, ALD_ROLE_NONE, "admin@wrccdc.org", 16, "rcptto"},
        {ALD_OBS_IPV6, ALD_ROLE_SRC, "2001:db8:0:0::7", 15, "id.orig_h"},
        {ALD_OBS_IPV6, ALD_ROLE_DST, "2001:db9::7", 11, "id.resp_h"},
        {ALD_OBS_SHA512, ALD_ROLE_NONE,
         "DDAF35A193617ABACC417349AE20413112E6FA4E89A97EA20A9EEEE64B55D39A"
         "2192992A274FC1A836BA3C23A3FEEBBD454D4423643CE80E2A9AC94FA54CA49F", 128, "sha512"},
        {ALD_OBS_PORT, ALD_ROLE_SRC, "4444", 4, "id.orig_p"},
        {ALD_OBS_IPV4, ALD_ROLE_DST, "10.9.9.9", 8, "id.resp_h"},
        {ALD_OBS_X509_SHA256, ALD_ROLE_NONE,
         "b2dafbcdbc75210672f137f27ce882ccb799887631655d4f11191d5a678e44fe", 64, "fingerprint"},
    };
    ald_logrec rec = {.format = ALD_LOG_ZEEK_TSV, .type = "conn", .fields = f,
                      .nfields = sizeof f / sizeof *f};
    struct hits *x = calloc(1, sizeof *x);
    const char *text = "{hand made}";
    assert_int_equal(ald_scanner_check(sc, &rec, 7, text, strlen(text), on_hit, x), ALD_E_OK);
    /* URL: scheme and host without case, the path with; e-mail without
     * case; IPv6 in its prefix whatever its spelling; hash without case */
    assert_string_equal(lines_of(x, 0), "7");
    assert_string_equal(lines_of(x, 1), "7");
    assert_string_equal(lines_of(x, 2), "7");
    assert_string_equal(lines_of(x, 3), "7");
    /* the address is the destination, the test wants the source */
    assert_string_equal(lines_of(x, 4), "");
    assert_string_equal(lines_of(x, 5), "7");
    assert_int_equal(x->n, 5);
    /* one hit per indicator and record, even with two fields matching */
    const ald_logfield twice[] = {
        {ALD_OBS_EMAIL, ALD_ROLE_NONE, "admin@wrccdc.org", 16, "from"},
        {ALD_OBS_EMAIL, ALD_ROLE_NONE, "ADMIN@wrccdc.org", 16, "to"},
        {ALD_OBS_PORT, ALD_ROLE_SRC, "4444", 4, "id.orig_p"},
        {ALD_OBS_IPV4, ALD_ROLE_SRC, "10.9.9.9", 8, "id.orig_h"},
    };
    rec.fields = twice;
    rec.nfields = 4;
    memset(x, 0, sizeof *x);
    assert_int_equal(ald_scanner_check(sc, &rec, 8, text, strlen(text), on_hit, x), ALD_E_OK);
    assert_string_equal(lines_of(x, 1), "8");
    assert_string_equal(lines_of(x, 4), "8");
    assert_int_equal(x->n, 2);
    ald_scanner_free(sc);
    free(x);
    ald_iset_free(s);
}

static void empty_set_counts_lines(void **state)
{
    (void)state;
    ald_iset *s = ald_iset_new();
    assert_int_equal(ald_iset_compile(s, NULL), ALD_E_OK);
    ald_scanner *sc = ald_scanner_new(s, ALD_LOG_AUTO);
    struct hits *x = calloc(1, sizeof *x);
    scan(sc, 1000, x);
    struct ald_scan_stats ss;
    ald_scanner_stats(sc, &ss);
    assert_int_equal(ss.lines, 221);
    assert_int_equal(ss.parsed, 0);
    assert_int_equal(x->n, 0);
    ald_scanner_free(sc);
    free(x);
    ald_iset_free(s);
    /* a set that is not compiled has no scanner */
    s = ald_iset_new();
    assert_null(ald_scanner_new(s, ALD_LOG_EVE));
    ald_iset_free(s);
}

/* The whole real alert files of the shared data: every line is counted and
 * the planted source address of the first alert is found at the lines a
 * plain text search finds it as a JSON value. */
static void shared_alerts(void **state)
{
    (void)state;
    TU_NEED_SHARED(path, "cti/logs/suricata-eve/wrccdc-2017/alerts-only.eve.ndjson");
    size_t len;
    char *t = tu_read_file(path, &len);
    assert_non_null(t);
    /* the dest_ip of the first line */
    const char *k = strstr(t, "\"dest_ip\":\"");
    assert_non_null(k);
    k += 11;
    char ip[64];
    size_t n = (size_t)(strchr(k, '"') - k);
    memcpy(ip, k, n);
    ip[n] = 0;
    /* expected: lines holding "ip" as a src_ip or dest_ip value */
    char want[4096];
    size_t w = 0;
    want[0] = 0;
    char q1[96], q2[96];
    snprintf(q1, sizeof q1, "\"src_ip\":\"%s\"", ip);
    snprintf(q2, sizeof q2, "\"dest_ip\":\"%s\"", ip);
    unsigned line = 1;
    for (const char *p = t; p < t + len;) {
        const char *e = memchr(p, '\n', (size_t)(t + len - p));
        if (!e)
            e = t + len;
        char *l = strndup(p, (size_t)(e - p));
        if (strstr(l, q1) || strstr(l, q2))
            w += (size_t)snprintf(want + w, sizeof want - w, "%s%u", w ? "," : "", line);
        free(l);
        line++;
        p = e + 1;
    }
    ald_iset *s = ald_iset_new();
    char pat[128];
    snprintf(pat, sizeof pat, "[ipv4-addr:value = '%s']", ip);
    add(s, 0, pat, NULL);
    assert_int_equal(ald_iset_compile(s, NULL), ALD_E_OK);
    ald_scanner *sc = ald_scanner_new(s, ALD_LOG_EVE);
    struct hits *x = calloc(1, sizeof *x);
    assert_int_equal(ald_scanner_feed(sc, t, len, 1, on_hit, x), ALD_E_OK);
    assert_string_equal(lines_of(x, 0), want);
    struct ald_scan_stats ss;
    ald_scanner_stats(sc, &ss);
    assert_int_equal(ss.lines, 161);
    assert_int_equal(ss.bad_lines, 0);
    ald_scanner_free(sc);
    free(x);
    ald_iset_free(s);
    free(t);
}

/* ---- the fast path misses nothing: feed == parsing every line ---- */

struct pairs {
    size_t n, cap;
    uint64_t *v;        /* line << 20 | indicator */
};

static int on_pair(void *ctx, const ald_hit *h)
{
    struct pairs *p = ctx;
    if (p->n == p->cap) {
        p->cap = p->cap ? p->cap * 2 : 256;
        p->v = realloc(p->v, p->cap * sizeof *p->v);
        assert_non_null(p->v);
    }
    p->v[p->n++] = h->line << 20 | h->indicator;
    return 0;
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

/* The pattern of one field value, or NULL for kinds left out. */
static const char *pattern_of(const ald_logfield *f, char *buf, size_t cap, int variant)
{
    static const char *const paths[ALD_OBS__COUNT] = {
        [ALD_OBS_IPV4] = "ipv4-addr:value", [ALD_OBS_IPV6] = "ipv6-addr:value",
        [ALD_OBS_DOMAIN] = "domain-name:value", [ALD_OBS_URL] = "url:value",
        [ALD_OBS_EMAIL] = "email-addr:value", [ALD_OBS_MD5] = "file:hashes.MD5",
        [ALD_OBS_SHA1] = "file:hashes.'SHA-1'", [ALD_OBS_SHA256] = "file:hashes.'SHA-256'",
        [ALD_OBS_SHA512] = "file:hashes.'SHA-512'",
        [ALD_OBS_X509_SHA1] = "x509-certificate:hashes.'SHA-1'",
        [ALD_OBS_X509_SHA256] = "x509-certificate:hashes.'SHA-256'"};
    if ((size_t)f->kind >= ALD_OBS__COUNT || !paths[f->kind] || f->len > 200 ||
        memchr(f->v, '\'', f->len) || memchr(f->v, '"', f->len) || memchr(f->v, '\\', f->len))
        return NULL;
    int n = (int)f->len;
    const char *v = f->v;
    if (variant == 1 && f->kind == ALD_OBS_DOMAIN) {       /* the parent domain */
        const char *d = memchr(v, '.', f->len);
        if (!d || !memchr(d + 1, '.', f->len - (size_t)(d + 1 - v)))
            return NULL;
        n -= (int)(d + 1 - v);
        v = d + 1;
    } else if (variant == 1 && f->kind == ALD_OBS_IPV4) {  /* a text prefix */
        n--;
    } else if (variant == 2 && f->kind == ALD_OBS_IPV4) {  /* its /24 */
        const char *d = memrchr(v, '.', f->len);
        snprintf(buf, cap, "[%s = '%.*s.0/24']", paths[f->kind], (int)(d - v), v);
        return buf;
    } else if (variant) {
        return NULL;
    }
    snprintf(buf, cap, "[%s = '%.*s']", paths[f->kind], n, v);
    return buf;
}

/* Indicators from the values of every 7th record (and lookalikes of some),
 * then the hits of ald_scanner_feed against ald_scanner_check on every
 * line parsed here: the fast path may only skip lines that have no hit. */
static void fast_equals_full_text(const char *rel, ald_log_format fmt, size_t min_hits,
                                  bool text_db)
{
    size_t len;
    char *t = tu_read_file(tu_testdata(rel), &len);
    assert_non_null(t);
    ald_iset *s = ald_iset_new();
    ald_iset_set_validity(s, ALD_VALID_IGNORE, 0);
    ald_logparser *lp = ald_logparser_new(fmt);
    int nind = 0;
    size_t rec_no = 0;
    for (size_t ls = 0; ls < len;) {
        const char *nl = memchr(t + ls, '\n', len - ls);
        size_t le = nl ? (size_t)(nl - t) : len;
        ald_logrec rec;
        if (ald_logparser_line(lp, t + ls, le - ls, &rec, NULL) == ALD_E_OK && rec.type &&
            rec_no++ % 5 == 0) {
            for (size_t i = 0; i < rec.nfields; i++) {
                char pat[512];
                /* lookalikes and /24s from one record in 30 only: a /24
                 * of the log's own network covers most lines */
                for (int var = 0; var < (rec_no % 30 == 1 ? 3 : 1); var++)
                    if (pattern_of(&rec.fields[i], pat, sizeof pat, var) && nind < 2000)
                        add(s, nind++, pat, NULL);
            }
        }
        ls = le + 1;
    }
    ald_logparser_free(lp);
    assert_true(nind >= 3);
    assert_int_equal(ald_iset_compile(s, NULL), ALD_E_OK);
    if (text_db) {
        assert_int_equal(ald_iset_compile_text(s, NULL), ALD_E_OK);
        struct ald_iset_stats ist;
        ald_iset_stats(s, &ist);
        assert_true(ist.literals > 0);
    }

    struct pairs fast = {0}, full = {0};
    ald_scanner *sc = ald_scanner_new(s, fmt);
    assert_int_equal(ald_scanner_feed(sc, t, len, 1, on_pair, &fast), ALD_E_OK);
    struct ald_scan_stats st;
    ald_scanner_stats(sc, &st);
    ald_scanner_free(sc);
    /* the reference: every line parsed and checked */
    sc = ald_scanner_new(s, fmt);
    lp = ald_logparser_new(fmt);
    uint64_t line = 0;
    for (size_t ls = 0; ls < len;) {
        const char *nl = memchr(t + ls, '\n', len - ls);
        size_t le = nl ? (size_t)(nl - t) : len;
        ald_logrec rec;
        line++;
        if (ald_logparser_line(lp, t + ls, le - ls, &rec, NULL) == ALD_E_OK)
            assert_int_equal(ald_scanner_check(sc, &rec, line, t + ls, le - ls, on_pair, &full),
                             ALD_E_OK);
        ls = le + 1;
    }
    ald_logparser_free(lp);
    ald_scanner_free(sc);
    qsort(fast.v, fast.n, sizeof *fast.v, cmp_u64);
    qsort(full.v, full.n, sizeof *full.v, cmp_u64);
    print_message("%s: %d indicators, %zu hits, %llu of %llu lines parsed\n", rel, nind, full.n,
                  (unsigned long long)st.parsed, (unsigned long long)st.lines);
    assert_true(full.n >= min_hits);
    assert_int_equal(fast.n, full.n);
    assert_memory_equal(fast.v, full.v, full.n * sizeof *full.v);
    assert_true(st.parsed <= st.lines);
    free(fast.v);
    free(full.v);
    ald_iset_free(s);
    free(t);
}

static void fast_equals_full(const char *rel, ald_log_format fmt, size_t min_hits)
{
    fast_equals_full_text(rel, fmt, min_hits, false);
}

static void fast_path_misses_nothing(void **state)
{
    (void)state;
    fast_equals_full("match/sample.eve.json", ALD_LOG_EVE, 100);
    fast_equals_full("match/eve-alerts.ndjson", ALD_LOG_EVE, 20);
    fast_equals_full("match/zeek/dns.json", ALD_LOG_ZEEK_JSON, 20);
    fast_equals_full("match/zeek/dns.log", ALD_LOG_ZEEK_TSV, 20);
    fast_equals_full("match/zeek/ssl.log", ALD_LOG_ZEEK_TSV, 20);
    fast_equals_full("match/zeek/x509.log", ALD_LOG_ZEEK_TSV, 5);
    fast_equals_full("match/zeek/smtp.log", ALD_LOG_ZEEK_TSV, 5);
    fast_equals_full("match/zeek/notice.log", ALD_LOG_ZEEK_TSV, 5);
    /* free text through the Vectorscan databases (no IPv6 in these sets) */
    fast_equals_full_text("match/sample.eve.json", ALD_LOG_TEXT, 100, true);
    fast_equals_full_text("match/zeek/dns.log", ALD_LOG_TEXT, 20, true);
    fast_equals_full_text("match/zeek/smtp.log", ALD_LOG_TEXT, 5, true);
}

/* JSON escapes in values, a broken line ending in a backslash, CRLF: the
 * right lines, the right numbers. */
static void escapes_and_broken_lines(void **state)
{
    (void)state;
    ald_iset *s = ald_iset_new();
    add(s, 0, "[domain-name:value = 'ise.wrccdc.org']", NULL);
    assert_int_equal(ald_iset_compile(s, NULL), ALD_E_OK);
    const char *text =
        "{\"timestamp\":\"2018-03-24T17:15:20.865716+0000\",\"event_type\":\"dns\","
        "\"src_ip\":\"10.0.0.1\",\"dest_ip\":\"10.0.0.2\",\"dns\":{\"type\":\"query\","
        "\"rrname\":\"ise\\u002ewrccdc.org\",\"rrtype\":\"A\"}}\n"
        "{\"event_type\":\"dns\",\"dns\":{\"rrname\":\"abc\\\n"
        "{\"timestamp\":\"2018-03-24T17:15:20.865716+0000\",\"event_type\":\"dns\","
        "\"src_ip\":\"10.0.0.1\",\"dest_ip\":\"10.0.0.2\",\"dns\":{\"type\":\"query\","
        "\"rrname\":\"ISE.WRCCDC.ORG\",\"rrtype\":\"A\"}}\n"
        "{\"timestamp\":\"2018-03-24T17:15:20.865716+0000\",\"event_type\":\"dns\","
        "\"src_ip\":\"10.0.0.1\",\"dest_ip\":\"10.0.0.2\",\"dns\":{\"type\":\"query\","
        "\"rrname\":\"ise.wrccdc.org\",\"rrtype\":\"A\"}}\r\n";
    ald_scanner *sc = ald_scanner_new(s, ALD_LOG_EVE);
    struct hits *x = calloc(1, sizeof *x);
    assert_int_equal(ald_scanner_feed(sc, text, strlen(text), 1, on_hit, x), ALD_E_OK);
    assert_string_equal(lines_of(x, 0), "1,3,4");
    struct ald_scan_stats st;
    ald_scanner_stats(sc, &st);
    assert_int_equal(st.lines, 4);
    ald_scanner_free(sc);
    free(x);
    ald_iset_free(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(planted_hits),
        cmocka_unit_test(same_hits_any_cut),
        cmocka_unit_test(record_time_validity),
        cmocka_unit_test(ports_parse_every_line),
        cmocka_unit_test(allow_veto),
        cmocka_unit_test(general_hook_and_stop),
        cmocka_unit_test(hand_made_records),
        cmocka_unit_test(empty_set_counts_lines),
        cmocka_unit_test(shared_alerts),
        cmocka_unit_test(fast_path_misses_nothing),
        cmocka_unit_test(escapes_and_broken_lines),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
