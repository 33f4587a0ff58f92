/*
 * test_logparse.c - the log parsers (logparse.h) on every shared real log
 * (Suricata EVE, Zeek TSV and JSON, ../shared/data/cti/logs) and on the
 * committed samples (tests/data/match): records and fields per type, no
 * error on real data, known values at known lines, hand-made lines for what
 * the real data lacks (EVE dns v1/v2/v3, fileinfo, escapes, time offsets),
 * corrupt, truncated and oversize lines (ALD_E_LOG_LINE with a position,
 * the next line still parses), Zeek header handling, text extraction.
 *
 * `test_logparse --dump FILE [FORMAT]` prints each record's fields, for
 * looking at what the parser makes of a log.
 */
#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <zlib.h>

#include "alidade/logparse.h"

/* ---- helpers ---- */

/* A whole file, gzip or plain (zlib reads both). */
static char *read_any(const char *path, size_t *len)
{
    gzFile f = gzopen(path, "rb");
    if (!f)
        return NULL;
    size_t cap = 1 << 20, n = 0;
    char *buf = malloc(cap + 1);
    for (;;) {
        if (cap - n < (1 << 16)) {
            cap *= 2;
            buf = realloc(buf, cap + 1);
        }
        int r = gzread(f, buf + n, (unsigned)(cap - n));
        if (r <= 0)
            break;
        n += (size_t)r;
    }
    gzclose(f);
    buf[n] = '\0';
    *len = n;
    return buf;
}

/* What a whole log gave. */
struct tally {
    size_t lines, records, headers, errors;
    size_t kinds[ALD_OBS__COUNT];
    char types[32][24];
    size_t type_n[32];
    size_t ntypes;
    char first_err[200];
};

static void count_type(struct tally *t, const char *type)
{
    for (size_t i = 0; i < t->ntypes; i++)
        if (strcmp(t->types[i], type) == 0) {
            t->type_n[i]++;
            return;
        }
    if (t->ntypes < 32) {
        snprintf(t->types[t->ntypes], sizeof t->types[0], "%s", type);
        t->type_n[t->ntypes++] = 1;
    }
}

static size_t type_count(const struct tally *t, const char *type)
{
    for (size_t i = 0; i < t->ntypes; i++)
        if (strcmp(t->types[i], type) == 0)
            return t->type_n[i];
    return 0;
}

typedef void (*line_cb)(void *ctx, size_t line_no, const ald_logrec *r);

static void parse_text(ald_logparser *p, const char *text, size_t len, struct tally *t,
                       line_cb cb, void *ctx)
{
    memset(t, 0, sizeof *t);
    const char *s = text, *end = text + len;
    while (s < end) {
        const char *nl = memchr(s, '\n', (size_t)(end - s));
        size_t n = nl ? (size_t)(nl - s) : (size_t)(end - s);
        ald_logrec r;
        struct ald_errpos e;
        t->lines++;
        ald_err rc = ald_logparser_line(p, s, n, &r, &e);
        if (rc != ALD_E_OK) {
            if (!t->errors)
                snprintf(t->first_err, sizeof t->first_err, "line %zu col %u: %s: %s", t->lines,
                         e.col, ald_errname(rc), e.msg);
            t->errors++;
        } else if (!r.type) {
            t->headers++;
        } else {
            t->records++;
            count_type(t, r.type);
            for (size_t i = 0; i < r.nfields; i++)
                t->kinds[r.fields[i].kind]++;
        }
        if (cb && rc == ALD_E_OK)
            cb(ctx, t->lines, &r);
        s = nl ? nl + 1 : end;
    }
}

static void print_tally(const char *what, const struct tally *t)
{
    print_message("%s: %zu lines, %zu records, %zu header lines, %zu errors\n", what, t->lines,
                  t->records, t->headers, t->errors);
    for (size_t i = 0; i < t->ntypes; i++)
        print_message("  type %-14s %zu\n", t->types[i], t->type_n[i]);
    for (int k = 0; k < ALD_OBS__COUNT; k++)
        if (t->kinds[k])
            print_message("  field %-12s %zu\n", ald_obs_kind_name((ald_obs_kind)k), t->kinds[k]);
    if (t->errors)
        print_message("  first error: %s\n", t->first_err);
}

/* Whether the record has the field (name NULL: any name). */
static bool has(const ald_logrec *r, ald_obs_kind k, ald_obs_role role, const char *v,
                const char *name)
{
    for (size_t i = 0; i < r->nfields; i++) {
        const ald_logfield *f = &r->fields[i];
        if (f->kind == k && f->role == role && f->len == strlen(v) &&
            memcmp(f->v, v, f->len) == 0 && (!name || strcmp(f->name, name) == 0))
            return true;
    }
    return false;
}

static size_t nkind(const ald_logrec *r, ald_obs_kind k)
{
    size_t c = 0;
    for (size_t i = 0; i < r->nfields; i++)
        c += r->fields[i].kind == k;
    return c;
}

static void dump_rec(FILE *o, size_t line, const ald_logrec *r)
{
    fprintf(o, "%zu: type=%s ts=%lld.%09d proto=%s\n", line, r->type ? r->type : "(header)",
            (long long)r->ts_sec, (int)r->ts_nsec, r->proto ? r->proto : "-");
    for (size_t i = 0; i < r->nfields; i++) {
        const ald_logfield *f = &r->fields[i];
        fprintf(o, "    %-11s %-4s %-22s %.*s\n", ald_obs_kind_name(f->kind),
                f->role == ALD_ROLE_SRC ? "src" : f->role == ALD_ROLE_DST ? "dst" : "",
                f->name, (int)f->len, f->v);
    }
}

/* Parses one line with a fresh parser of format fmt; the parser is kept in
 * *pp so the record's strings stay valid (free it after). */
static ald_err one(ald_logparser **pp, ald_log_format fmt, const char *line, ald_logrec *r,
                   struct ald_errpos *e)
{
    if (*pp)
        ald_logparser_free(*pp);
    *pp = ald_logparser_new(fmt);
    assert_non_null(*pp);
    return ald_logparser_line(*pp, line, strlen(line), r, e);
}

/* ---- EVE: real data ---- */

static const char *const eve_sets[] = {"first-org-conf-2015", "honeypot-2018", "wrccdc-2017",
                                       "wrccdc-2018"};
static const size_t eve_lines[] = {136, 44, 161, 207};

struct eve_check {
    const char *set;
    size_t found;
};

static void eve_known(void *ctx, size_t line, const ald_logrec *r)
{
    struct eve_check *c = ctx;
    assert_string_equal(r->type, "alert");
    assert_true(r->has_ts);
    assert_int_equal(nkind(r, ALD_OBS_PORT), 2);
    assert_true(nkind(r, ALD_OBS_IPV4) + nkind(r, ALD_OBS_IPV6) >= 2);
    if (strcmp(c->set, "first-org-conf-2015") == 0 && line == 1) {
        /* 2015-03-29T11:01:38.221126-0600 */
        assert_int_equal(r->ts_sec, 1427648498);
        assert_int_equal(r->ts_nsec, 221126000);
        assert_string_equal(r->proto, "tcp");
        assert_true(has(r, ALD_OBS_IPV4, ALD_ROLE_SRC, "222.186.56.46", "src_ip"));
        assert_true(has(r, ALD_OBS_IPV4, ALD_ROLE_DST, "192.168.0.2", "dest_ip"));
        assert_true(has(r, ALD_OBS_PORT, ALD_ROLE_SRC, "4904", "src_port"));
        assert_true(has(r, ALD_OBS_PORT, ALD_ROLE_DST, "22", "dest_port"));
        assert_int_equal(r->nfields, 4);
        c->found++;
    }
    if (strcmp(c->set, "first-org-conf-2015") == 0 && line == 2) {
        assert_true(has(r, ALD_OBS_DOMAIN, ALD_ROLE_NONE, "ui.skype.com", "http.hostname"));
        assert_true(has(r, ALD_OBS_URL, ALD_ROLE_NONE,
                        "http://ui.skype.com/ui/0/7.2.0.103./en/getlatestversion?ver=7.2.0.103&"
                        "uhash=1fdc256726fe284b6b490bfa128de6f14",
                        "http.url"));
        c->found++;
    }
    if (strcmp(c->set, "first-org-conf-2015") == 0 && line == 33) {
        assert_true(has(r, ALD_OBS_X509_SHA1, ALD_ROLE_NONE,
                        "5a93b40033848e48c55699cbac5c35a0e3c96902", "tls.fingerprint"));
        assert_true(has(r, ALD_OBS_X509_SERIAL, ALD_ROLE_NONE, "03:F9:32:47:47:6E:47",
                        "tls.serial"));
        assert_true(has(r, ALD_OBS_IPV4, ALD_ROLE_SRC, "108.160.162.76", NULL));
        c->found++;
    }
    if (strcmp(c->set, "wrccdc-2017") == 0 && line == 114) {
        assert_true(has(r, ALD_OBS_EMAIL, ALD_ROLE_NONE, "wrandolph@mee1.seeks", "smtp.mail_from"));
        assert_true(has(r, ALD_OBS_EMAIL, ALD_ROLE_NONE, "tkauffman@mee1.seeks", "smtp.rcpt_to"));
        c->found++;
    }
    if (strcmp(c->set, "honeypot-2018") == 0 && line == 1) {
        /* no UTC offset: UTC */
        assert_true(r->ts_sec > 1500000000);
    }
}

static void test_eve_real(void **state)
{
    (void)state;
    TU_NEED_SHARED(dir, "cti/logs/suricata-eve");
    (void)dir;
    size_t found = 0, total = 0;
    size_t kinds[ALD_OBS__COUNT] = {0};
    for (size_t s = 0; s < 4; s++) {
        char rel[128];
        snprintf(rel, sizeof rel, "cti/logs/suricata-eve/%s/alerts-only.eve.ndjson", eve_sets[s]);
        const char *path = tu_shared(rel);
        assert_non_null(path);
        size_t len = 0;
        char *text = read_any(path, &len);
        assert_non_null(text);
        ald_logparser *p = ald_logparser_new(ALD_LOG_AUTO);
        struct tally t;
        struct eve_check c = {eve_sets[s], 0};
        parse_text(p, text, len, &t, eve_known, &c);
        print_tally(eve_sets[s], &t);
        assert_int_equal(ald_logparser_format(p), ALD_LOG_EVE);
        assert_int_equal(t.errors, 0);
        assert_int_equal(t.lines, eve_lines[s]);
        assert_int_equal(t.records, eve_lines[s]);
        assert_int_equal(type_count(&t, "alert"), eve_lines[s]);
        found += c.found;
        total += t.records;
        for (int k = 0; k < ALD_OBS__COUNT; k++)
            kinds[k] += t.kinds[k];
        ald_logparser_free(p);
        free(text);
    }
    assert_int_equal(found, 4);
    assert_int_equal(total, 548);
    /* counted with python3 json over the same files: every alert has both
     * addresses and ports; 226 http.hostname (all names), 244 urls of which
     * the ones with a hostname become absolute; 26 fingerprints and serials;
     * 16 SNI */
    assert_int_equal(kinds[ALD_OBS_PORT], 2 * 548);
    assert_int_equal(kinds[ALD_OBS_X509_SHA1], 26);
    assert_int_equal(kinds[ALD_OBS_X509_SERIAL], 26);
}

/* ---- EVE: hand-made lines for what the real data lacks ---- */

static void test_eve_dns(void **state)
{
    (void)state;
    ald_logparser *p = NULL;
    ald_logrec r;
    struct ald_errpos e;
    /* v1: one line per answer */
    assert_int_equal(one(&p, ALD_LOG_EVE,
        "{\"timestamp\":\"2017-03-24T14:17:47.665565+0000\",\"event_type\":\"dns\","
        "\"src_ip\":\"10.0.0.1\",\"src_port\":53,\"dest_ip\":\"10.0.0.2\",\"dest_port\":4000,"
        "\"proto\":\"UDP\",\"dns\":{\"type\":\"answer\",\"id\":1,\"rrname\":\"www.example.com\","
        "\"rrtype\":\"A\",\"ttl\":60,\"rdata\":\"93.184.216.34\"}}", &r, &e), ALD_E_OK);
    assert_string_equal(r.type, "dns");
    assert_string_equal(r.proto, "udp");
    assert_int_equal(r.ts_sec, 1490365067);
    assert_true(has(&r, ALD_OBS_DOMAIN, ALD_ROLE_NONE, "www.example.com", "dns.rrname"));
    assert_true(has(&r, ALD_OBS_IPV4, ALD_ROLE_NONE, "93.184.216.34", "dns.rdata"));
    /* v1 AAAA and CNAME; rdata before rrtype */
    assert_int_equal(one(&p, ALD_LOG_EVE,
        "{\"event_type\":\"dns\",\"dns\":{\"rdata\":\"2001:db8::1\",\"rrtype\":\"AAAA\","
        "\"rrname\":\"v6.example.org\"}}", &r, &e), ALD_E_OK);
    assert_true(has(&r, ALD_OBS_IPV6, ALD_ROLE_NONE, "2001:db8::1", "dns.rdata"));
    assert_false(r.has_ts);
    /* an A record whose rdata is not an IPv4 address is not one */
    assert_int_equal(one(&p, ALD_LOG_EVE,
        "{\"event_type\":\"dns\",\"dns\":{\"rrtype\":\"A\",\"rdata\":\"2001:db8::1\"}}", &r, &e),
        ALD_E_OK);
    assert_int_equal(r.nfields, 0);
    /* v2: answers array and grouped */
    assert_int_equal(one(&p, ALD_LOG_EVE,
        "{\"timestamp\":\"2019-01-01T00:00:00Z\",\"event_type\":\"dns\",\"dns\":{\"version\":2,"
        "\"type\":\"answer\",\"id\":7,\"flags\":\"8180\",\"qr\":true,\"rrname\":\"a.example.net\","
        "\"rrtype\":\"A\",\"rcode\":\"NOERROR\",\"answers\":[{\"rrname\":\"a.example.net\","
        "\"rrtype\":\"CNAME\",\"ttl\":5,\"rdata\":\"b.example.net\"},{\"rrname\":\"b.example.net\","
        "\"rrtype\":\"A\",\"ttl\":5,\"rdata\":\"192.0.2.7\"},{\"rrname\":\"b.example.net\","
        "\"rrtype\":\"AAAA\",\"ttl\":5,\"rdata\":\"2001:db8::7\"}],\"grouped\":{\"A\":"
        "[\"192.0.2.7\",\"192.0.2.8\"],\"CNAME\":[\"b.example.net\"],\"MX\":[\"mx.example.net\"],"
        "\"TXT\":[\"v=spf1 -all\"],\"SOA\":[{\"mname\":\"x\"}]}}}", &r, &e), ALD_E_OK);
    assert_int_equal(r.ts_sec, 1546300800);
    assert_true(has(&r, ALD_OBS_DOMAIN, ALD_ROLE_NONE, "a.example.net", "dns.rrname"));
    assert_true(has(&r, ALD_OBS_DOMAIN, ALD_ROLE_NONE, "b.example.net", "dns.answers.rdata"));
    assert_true(has(&r, ALD_OBS_IPV4, ALD_ROLE_NONE, "192.0.2.7", "dns.answers.rdata"));
    assert_true(has(&r, ALD_OBS_IPV6, ALD_ROLE_NONE, "2001:db8::7", "dns.answers.rdata"));
    assert_true(has(&r, ALD_OBS_IPV4, ALD_ROLE_NONE, "192.0.2.8", "dns.grouped"));
    assert_true(has(&r, ALD_OBS_DOMAIN, ALD_ROLE_NONE, "mx.example.net", "dns.grouped"));
    assert_int_equal(nkind(&r, ALD_OBS_IPV4), 2);   /* 192.0.2.7 under two names: once */
    /* v3 (Suricata 7): queries and answers arrays */
    assert_int_equal(one(&p, ALD_LOG_EVE,
        "{\"event_type\":\"dns\",\"dns\":{\"version\":3,\"type\":\"response\",\"queries\":"
        "[{\"rrname\":\"q.example.com\",\"rrtype\":\"A\"}],\"answers\":[{\"rrname\":"
        "\"q.example.com\",\"rrtype\":\"A\",\"rdata\":\"198.51.100.9\"}]}}", &r, &e), ALD_E_OK);
    assert_true(has(&r, ALD_OBS_DOMAIN, ALD_ROLE_NONE, "q.example.com", "dns.queries.rrname"));
    assert_true(has(&r, ALD_OBS_IPV4, ALD_ROLE_NONE, "198.51.100.9", "dns.answers.rdata"));
    /* alert with a dns sub-object (Suricata 7 "query" array) */
    assert_int_equal(one(&p, ALD_LOG_EVE,
        "{\"event_type\":\"alert\",\"alert\":{\"signature\":\"evil.example.com\"},\"dns\":"
        "{\"query\":[{\"type\":\"query\",\"rrname\":\"evil.example.com\",\"rrtype\":\"A\"}]}}",
        &r, &e), ALD_E_OK);
    assert_string_equal(r.type, "alert");
    assert_int_equal(r.nfields, 1);
    assert_true(has(&r, ALD_OBS_DOMAIN, ALD_ROLE_NONE, "evil.example.com", "dns.queries.rrname"));
    ald_logparser_free(p);
}

static void test_eve_protocols(void **state)
{
    (void)state;
    ald_logparser *p = NULL;
    ald_logrec r;
    struct ald_errpos e;
    /* fileinfo with hashes; a wrong-length hash is dropped */
    assert_int_equal(one(&p, ALD_LOG_EVE,
        "{\"event_type\":\"fileinfo\",\"src_ip\":\"2001:db8::2\",\"dest_ip\":\"2001:db8::3\","
        "\"proto\":\"TCP\",\"http\":{\"hostname\":\"dl.example.com\",\"url\":\"/a/b.exe\","
        "\"http_port\":8080,\"http_user_agent\":\"x\"},\"fileinfo\":{\"filename\":\"/a/b.exe\","
        "\"magic\":\"PE32\",\"md5\":\"d41d8cd98f00b204e9800998ecf8427e\",\"sha1\":"
        "\"da39a3ee5e6b4b0d3255bfef95601890afd80709\",\"sha256\":\"e3b0c44298fc1c149afbf4c8996fb9"
        "2427ae41e4649b934ca495991b7852b855\",\"sha512\":\"abc\",\"size\":0}}", &r, &e), ALD_E_OK);
    assert_true(has(&r, ALD_OBS_IPV6, ALD_ROLE_SRC, "2001:db8::2", "src_ip"));
    assert_true(has(&r, ALD_OBS_FILE_NAME, ALD_ROLE_NONE, "/a/b.exe", "fileinfo.filename"));
    assert_true(has(&r, ALD_OBS_MD5, ALD_ROLE_NONE, "d41d8cd98f00b204e9800998ecf8427e", NULL));
    assert_true(has(&r, ALD_OBS_SHA1, ALD_ROLE_NONE, "da39a3ee5e6b4b0d3255bfef95601890afd80709",
                    NULL));
    assert_true(has(&r, ALD_OBS_SHA256, ALD_ROLE_NONE,
                    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", NULL));
    assert_int_equal(nkind(&r, ALD_OBS_SHA512), 0);
    assert_true(has(&r, ALD_OBS_URL, ALD_ROLE_NONE, "http://dl.example.com:8080/a/b.exe",
                    "http.url"));
    /* http to an IPv6 literal, port 80 not written; absolute url kept */
    assert_int_equal(one(&p, ALD_LOG_EVE,
        "{\"event_type\":\"http\",\"http\":{\"url\":\"/x\",\"hostname\":\"2001:db8::5\","
        "\"http_port\":80}}", &r, &e), ALD_E_OK);
    assert_true(has(&r, ALD_OBS_IPV6, ALD_ROLE_NONE, "2001:db8::5", "http.hostname"));
    assert_true(has(&r, ALD_OBS_URL, ALD_ROLE_NONE, "http://[2001:db8::5]/x", "http.url"));
    assert_int_equal(one(&p, ALD_LOG_EVE,
        "{\"event_type\":\"http\",\"http\":{\"url\":\"http://proxy.example/y\"}}", &r, &e),
        ALD_E_OK);
    assert_true(has(&r, ALD_OBS_URL, ALD_ROLE_NONE, "http://proxy.example/y", "http.url"));
    /* a path without host is not a URL */
    assert_int_equal(one(&p, ALD_LOG_EVE, "{\"event_type\":\"http\",\"http\":{\"url\":\"/z\"}}",
                         &r, &e), ALD_E_OK);
    assert_int_equal(r.nfields, 0);
    /* tls: sni, upper-case fingerprint, SHA-256 length */
    assert_int_equal(one(&p, ALD_LOG_EVE,
        "{\"event_type\":\"tls\",\"tls\":{\"sni\":\"Secure.Example.COM\",\"fingerprint\":"
        "\"5A:93:B4:00:33:84:8E:48:C5:56:99:CB:AC:5C:35:A0:E3:C9:69:02\",\"serial\":\"00:01\","
        "\"ja3\":{\"hash\":\"x\"}}}", &r, &e), ALD_E_OK);
    assert_true(has(&r, ALD_OBS_DOMAIN, ALD_ROLE_NONE, "Secure.Example.COM", "tls.sni"));
    assert_true(has(&r, ALD_OBS_X509_SHA1, ALD_ROLE_NONE,
                    "5a93b40033848e48c55699cbac5c35a0e3c96902", NULL));
    assert_true(has(&r, ALD_OBS_X509_SERIAL, ALD_ROLE_NONE, "00:01", NULL));
    /* smtp and email */
    assert_int_equal(one(&p, ALD_LOG_EVE,
        "{\"event_type\":\"smtp\",\"smtp\":{\"helo\":\"h\",\"mail_from\":\"<a@example.com>\","
        "\"rcpt_to\":[\"<b@example.com>\",\"<>\",\"c@example.com\"]},\"email\":{\"status\":"
        "\"PARSE_DONE\",\"from\":\"\\\"Dee\\\" <d@example.com>\",\"to\":[\"e@example.com\"],"
        "\"attachment\":[\"inv.pdf.exe\"]}}", &r, &e), ALD_E_OK);
    assert_true(has(&r, ALD_OBS_EMAIL, ALD_ROLE_NONE, "a@example.com", "smtp.mail_from"));
    assert_true(has(&r, ALD_OBS_EMAIL, ALD_ROLE_NONE, "b@example.com", "smtp.rcpt_to"));
    assert_true(has(&r, ALD_OBS_EMAIL, ALD_ROLE_NONE, "c@example.com", "smtp.rcpt_to"));
    assert_true(has(&r, ALD_OBS_EMAIL, ALD_ROLE_NONE, "d@example.com", "email.from"));
    assert_true(has(&r, ALD_OBS_EMAIL, ALD_ROLE_NONE, "e@example.com", "email.to"));
    assert_true(has(&r, ALD_OBS_FILE_NAME, ALD_ROLE_NONE, "inv.pdf.exe", "email.attachment"));
    assert_int_equal(nkind(&r, ALD_OBS_EMAIL), 5);
    /* flow: addresses and ports only; a proto number */
    assert_int_equal(one(&p, ALD_LOG_EVE,
        "{\"timestamp\":\"2020-02-29T23:59:59.5+01:00\",\"event_type\":\"flow\",\"src_ip\":"
        "\"192.0.2.1\",\"src_port\":0,\"dest_ip\":\"192.0.2.300\",\"dest_port\":65536,"
        "\"proto\":\"047\",\"flow\":{\"pkts_toserver\":1,\"state\":\"new\"}}", &r, &e), ALD_E_OK);
    assert_string_equal(r.type, "flow");
    assert_string_equal(r.proto, "047");
    assert_int_equal(r.ts_sec, 1583017199);
    assert_int_equal(r.ts_nsec, 500000000);
    assert_true(has(&r, ALD_OBS_PORT, ALD_ROLE_SRC, "0", "src_port"));
    assert_int_equal(r.nfields, 2);   /* 192.0.2.300 and 65536 are not */
    ald_logparser_free(p);
}

static void test_eve_escapes(void **state)
{
    (void)state;
    ald_logparser *p = NULL;
    ald_logrec r;
    struct ald_errpos e;
    /* \u escapes in values: BMP, a surrogate pair, a lone surrogate, \/ */
    assert_int_equal(one(&p, ALD_LOG_EVE,
        "{\"event_type\":\"fileinfo\",\"fileinfo\":{\"filename\":\"caf\\u00e9 \\ud83d\\ude00 "
        "\\ud800x\\/\\t\"},\"http\":{\"hostname\":\"ex\\u0061mple.com\"}}", &r, &e), ALD_E_OK);
    assert_true(has(&r, ALD_OBS_FILE_NAME, ALD_ROLE_NONE,
                    "caf\xc3\xa9 \xf0\x9f\x98\x80 \xef\xbf\xbdx/\t", NULL));
    assert_true(has(&r, ALD_OBS_DOMAIN, ALD_ROLE_NONE, "example.com", "http.hostname"));
    /* a key with an escape is not the key */
    assert_int_equal(one(&p, ALD_LOG_EVE, "{\"src\\u005fip\":\"192.0.2.1\"}", &r, &e), ALD_E_OK);
    assert_int_equal(r.nfields, 0);
    assert_string_equal(r.type, "unknown");
    ald_logparser_free(p);
}

/* Every proper prefix of a JSON object is malformed: each must be
 * ALD_E_LOG_LINE with a position inside the line, and the full line after
 * it parses as it did. */
static void test_eve_corrupt(void **state)
{
    (void)state;
    const char *line =
        "{\"timestamp\":\"2015-03-26T18:49:46.900254-0600\",\"event_type\":\"alert\",\"src_ip\":"
        "\"192.168.0.54\",\"src_port\":63259,\"dest_ip\":\"157.56.114.104\",\"dest_port\":80,"
        "\"proto\":\"TCP\",\"alert\":{\"gid\":1,\"signature\":\"ET \\\"x\\\"\",\"severity\":1.5e0},"
        "\"http\":{\"hostname\":\"ui.skype.com\",\"url\":\"/ui\",\"status\":200,\"x\":[true,false,"
        "null,-0.1,[],{}]}}";
    size_t n = strlen(line);
    ald_logparser *p = ald_logparser_new(ALD_LOG_EVE);
    ald_logrec r;
    struct ald_errpos e;
    assert_int_equal(ald_logparser_line(p, line, n, &r, &e), ALD_E_OK);
    size_t nf = r.nfields;
    assert_int_equal(nf, 6);
    for (size_t k = 1; k < n; k++) {
        ald_err rc = ald_logparser_line(p, line, k, &r, &e);
        if (rc != ALD_E_LOG_LINE)
            fail_msg("prefix of %zu bytes: %s", k, ald_errname(rc));
        assert_int_equal(e.code, ALD_E_LOG_LINE);
        assert_true(e.offset <= k);
        assert_int_equal(e.col, e.offset + 1);
        assert_true(e.msg[0] != '\0');
        assert_int_equal(r.nfields, 0);
        assert_null(r.type);
        assert_int_equal(ald_logparser_line(p, line, n, &r, &e), ALD_E_OK);
        assert_int_equal(r.nfields, nf);
    }
    /* the reasons, with positions */
    static const struct {
        const char *line;
        size_t at;
        const char *msg;
    } bad[] = {
        {"[1,2]", 0, "an EVE line is a JSON object"},
        {"{\"a\":1,}", 7, "expected a member name"},
        {"{\"a\":01}", 6, "expected ',' or '}'"},
        {"{\"a\":\"x\ty\"}", 7, "control character"},
        {"{\"a\":\"\\x\"}", 6, "invalid escape"},
        {"{\"a\":\"\\u12g4\"}", 6, "\\u needs 4 hex digits"},
        {"{\"a\":tru}", 5, "expected a value"},
        {"{\"a\":1} x", 8, "text after the end"},
        {"{\"a\" 1}", 5, "expected ':'"},
        {"{\"a\":[1 2]}", 8, "expected ',' or ']'"},
        {"{\"timestamp\":\"yesterday\"}", 14, "timestamp is not"},
        {"{\"timestamp\":\"2015-02-29T00:00:00Z\"}", 14, "timestamp is not"},
        {"{\"a\":-}", 6, "invalid number"},
        {"{\"a\":1.}", 7, "no digit after '.'"},
        {"{\"a\":1e+}", 8, "no digit in the exponent"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        ald_err rc = ald_logparser_line(p, bad[i].line, strlen(bad[i].line), &r, &e);
        if (rc != ALD_E_LOG_LINE || e.offset != bad[i].at || !strstr(e.msg, bad[i].msg))
            fail_msg("%s: %s at %zu: %s (want %zu: %s)", bad[i].line, ald_errname(rc), e.offset,
                     e.msg, bad[i].at, bad[i].msg);
    }
    /* nesting: 128 levels are fine, 129 are not */
    char deep[400];
    size_t d = 0;
    d += (size_t)sprintf(deep + d, "{\"a\":");
    for (int i = 0; i < 127; i++)
        deep[d++] = '[';
    for (int i = 0; i < 127; i++)
        deep[d++] = ']';
    deep[d++] = '}';
    assert_int_equal(ald_logparser_line(p, deep, d, &r, &e), ALD_E_OK);
    d = (size_t)sprintf(deep, "{\"a\":");
    for (int i = 0; i < 128; i++)
        deep[d++] = '[';
    assert_int_equal(ald_logparser_line(p, deep, d, &r, &e), ALD_E_LOG_LINE);
    assert_non_null(strstr(e.msg, "nested too deep"));
    assert_int_equal(e.offset, 5 + 127);
    /* oversize */
    ald_logparser_set_max_line(p, 100);
    assert_int_equal(ald_logparser_line(p, line, n, &r, &e), ALD_E_LOG_LINE);
    assert_non_null(strstr(e.msg, "line too long"));
    assert_int_equal(ald_logparser_line(p, "{\"event_type\":\"dns\"}\r", 21, &r, &e), ALD_E_OK);
    assert_string_equal(r.type, "dns");
    /* empty and blank lines are no records */
    assert_int_equal(ald_logparser_line(p, "", 0, &r, &e), ALD_E_OK);
    assert_null(r.type);
    assert_int_equal(ald_logparser_line(p, "  \t", 3, &r, &e), ALD_E_OK);
    assert_null(r.type);
    ald_logparser_free(p);
}


/* ---- Zeek: real data ---- */

static const struct {
    const char *name;
    size_t rows;
} zeek_logs[] = {
    {"dce_rpc", 78}, {"dns", 53615}, {"ftp", 93}, {"kerberos", 11}, {"known_hosts", 253},
    {"known_services", 1579}, {"modbus", 268}, {"notice", 207}, {"ntp", 904}, {"pe", 21},
    {"smb_mapping", 393}, {"smtp", 1188}, {"snmp", 65}, {"software", 376}, {"ssh", 22},
    {"ssl", 49474}, {"syslog", 2378}, {"x509", 348},
};

static void test_zeek_real_tsv(void **state)
{
    (void)state;
    TU_NEED_SHARED(dir, "cti/logs/zeek-wrccdc2018/zeek-default");
    (void)dir;
    for (size_t i = 0; i < sizeof zeek_logs / sizeof zeek_logs[0]; i++) {
        char rel[160];
        snprintf(rel, sizeof rel, "cti/logs/zeek-wrccdc2018/zeek-default/%s.log.gz",
                 zeek_logs[i].name);
        const char *path = tu_shared(rel);
        assert_non_null(path);
        size_t len = 0;
        char *text = read_any(path, &len);
        assert_non_null(text);
        ald_logparser *p = ald_logparser_new(ALD_LOG_AUTO);
        struct tally t;
        parse_text(p, text, len, &t, NULL, NULL);
        print_tally(zeek_logs[i].name, &t);
        assert_int_equal(ald_logparser_format(p), ALD_LOG_ZEEK_TSV);
        assert_int_equal(t.errors, 0);
        assert_int_equal(t.records, zeek_logs[i].rows);
        assert_int_equal(t.headers, 9);     /* 8 header lines and #close */
        assert_int_equal(type_count(&t, zeek_logs[i].name), zeek_logs[i].rows);
        if (strcmp(zeek_logs[i].name, "ssl") == 0) {
            /* counted with awk: server_name set in 15070 rows, 3428 of
             * them addresses; 14028 distinct fingerprints per row in
             * cert_chain_fps and client_cert_chain_fps */
            assert_int_equal(t.kinds[ALD_OBS_DOMAIN], 15070 - 3428);
            assert_int_equal(t.kinds[ALD_OBS_X509_SHA256], 14028);
        }
        if (strcmp(zeek_logs[i].name, "x509") == 0) {
            assert_int_equal(t.kinds[ALD_OBS_X509_SERIAL], 348);
            assert_int_equal(t.kinds[ALD_OBS_X509_SHA256], 348);
        }
        if (strcmp(zeek_logs[i].name, "dns") == 0)
            assert_true(t.kinds[ALD_OBS_DOMAIN] >= 53613);
        ald_logparser_free(p);
        free(text);
    }
}

/* A record as text, to compare two parsers' records. */
static char *rec_text(const ald_logrec *r)
{
    size_t cap = 256;
    for (size_t i = 0; i < r->nfields; i++)
        cap += r->fields[i].len + strlen(r->fields[i].name) + 32;
    char *b = malloc(cap);
    size_t o = (size_t)snprintf(b, cap, "%s %lld.%09d %s\n", r->type, (long long)r->ts_sec,
                                (int)r->ts_nsec, r->proto ? r->proto : "-");
    for (size_t i = 0; i < r->nfields; i++)
        o += (size_t)snprintf(b + o, cap - o, "%d %d %s %.*s\n", r->fields[i].kind,
                              r->fields[i].role, r->fields[i].name, (int)r->fields[i].len,
                              r->fields[i].v);
    return b;
}

/* The same logs written by Zeek as TSV and as JSON give the same records,
 * line for line. */
static void test_zeek_real_json(void **state)
{
    (void)state;
    TU_NEED_SHARED(dir, "cti/logs/zeek-wrccdc2018/zeek-json");
    (void)dir;
    static const char *const both[] = {"dns", "ftp", "modbus", "notice", "smtp", "ssh", "x509"};
    for (size_t i = 0; i < sizeof both / sizeof both[0]; i++) {
        char rel[160];
        snprintf(rel, sizeof rel, "cti/logs/zeek-wrccdc2018/zeek-default/%s.log.gz", both[i]);
        size_t tl = 0, jl = 0;
        char *tt = read_any(tu_shared(rel), &tl);
        snprintf(rel, sizeof rel, "cti/logs/zeek-wrccdc2018/zeek-json/%s.json.gz", both[i]);
        char *jt = read_any(tu_shared(rel), &jl);
        assert_non_null(tt);
        assert_non_null(jt);
        ald_logparser *pt = ald_logparser_new(ALD_LOG_AUTO), *pj = ald_logparser_new(ALD_LOG_AUTO);
        const char *a = tt, *ae = tt + tl, *b = jt, *be = jt + jl;
        size_t rows = 0, fields = 0;
        while (a < ae && b < be) {
            ald_logrec ra, rb;
            struct ald_errpos e;
            const char *nl = memchr(a, '\n', (size_t)(ae - a));
            size_t n = nl ? (size_t)(nl - a) : (size_t)(ae - a);
            assert_int_equal(ald_logparser_line(pt, a, n, &ra, &e), ALD_E_OK);
            a = nl ? nl + 1 : ae;
            if (!ra.type)
                continue;
            nl = memchr(b, '\n', (size_t)(be - b));
            n = nl ? (size_t)(nl - b) : (size_t)(be - b);
            assert_int_equal(ald_logparser_line(pj, b, n, &rb, &e), ALD_E_OK);
            b = nl ? nl + 1 : be;
            char *sa = rec_text(&ra), *sb = rec_text(&rb);
            if (strcmp(sa, sb) != 0)
                fail_msg("%s row %zu:\nTSV:\n%sJSON:\n%s", both[i], rows + 1, sa, sb);
            free(sa);
            free(sb);
            rows++;
            fields += ra.nfields;
        }
        assert_int_equal(ald_logparser_format(pj), ALD_LOG_ZEEK_JSON);
        print_message("%s: %zu rows, %zu fields identical in TSV and JSON\n", both[i], rows,
                      fields);
        assert_true(b >= be);
        ald_logparser_free(pt);
        ald_logparser_free(pj);
        free(tt);
        free(jt);
    }
}

/* ---- Zeek: committed samples and hand-made headers ---- */

static void zeek_sample_known(void *ctx, size_t line, const ald_logrec *r)
{
    size_t *found = ctx;
    if (r->format == ALD_LOG_EVE && line == 33) {
        assert_true(has(r, ALD_OBS_X509_SHA1, ALD_ROLE_NONE,
                        "5a93b40033848e48c55699cbac5c35a0e3c96902", "tls.fingerprint"));
        (*found)++;
    }
    if (r->format == ALD_LOG_EVE && line == 45) {
        assert_true(has(r, ALD_OBS_EMAIL, ALD_ROLE_NONE, "tkauffman@mee1.seeks", "smtp.rcpt_to"));
        (*found)++;
    }
    if (r->format != ALD_LOG_ZEEK_TSV)
        return;
    if (line == 9 && strcmp(r->type, "dns") == 0) {
        assert_int_equal(r->ts_sec, 1521911720);
        assert_int_equal(r->ts_nsec, 865716000);
        assert_string_equal(r->proto, "udp");
        assert_true(has(r, ALD_OBS_IPV4, ALD_ROLE_SRC, "10.47.1.100", "id.orig_h"));
        assert_true(has(r, ALD_OBS_PORT, ALD_ROLE_DST, "53", "id.resp_p"));
        assert_true(has(r, ALD_OBS_DOMAIN, ALD_ROLE_NONE, "ise.wrccdc.org", "query"));
        assert_true(has(r, ALD_OBS_DOMAIN, ALD_ROLE_NONE, "ise.wrccdc.cpp.edu", "answers"));
        assert_true(has(r, ALD_OBS_IPV4, ALD_ROLE_NONE, "134.71.3.16", "answers"));
        assert_int_equal(r->nfields, 7);
        (*found)++;
    }
    if (line == 17 && strcmp(r->type, "ssl") == 0) {
        assert_true(has(r, ALD_OBS_DOMAIN, ALD_ROLE_NONE, "ise.wrccdc.org", "server_name"));
        (*found)++;
    }
    if (line == 9 && strcmp(r->type, "x509") == 0) {
        assert_true(has(r, ALD_OBS_X509_SERIAL, ALD_ROLE_NONE, "CC57FE54011E",
                        "certificate.serial"));
        assert_true(has(r, ALD_OBS_X509_SHA256, ALD_ROLE_NONE,
                        "b2dafbcdbc75210672f137f27ce882ccb799887631655d4f11191d5a678e44fe",
                        "fingerprint"));
        (*found)++;
    }
    if (line == 9 && strcmp(r->type, "smtp") == 0) {
        assert_true(has(r, ALD_OBS_EMAIL, ALD_ROLE_NONE, "nessus49048747@hotmail.com", "mailfrom"));
        assert_true(has(r, ALD_OBS_IPV4, ALD_ROLE_NONE, "10.47.1.208", "path"));
        (*found)++;
    }
    if (line == 9 && strcmp(r->type, "notice") == 0) {
        assert_string_equal(r->proto, "tcp");
        assert_true(has(r, ALD_OBS_IPV4, ALD_ROLE_SRC, "10.164.94.120", "id.orig_h"));
        assert_int_equal(nkind(r, ALD_OBS_IPV4), 2);    /* src/dst: the same as id.* */
        (*found)++;
    }
}

static void test_zeek_samples(void **state)
{
    (void)state;
    static const struct {
        const char *file;
        ald_log_format fmt;
        size_t records;
    } files[] = {
        {"match/zeek/dns.log", ALD_LOG_ZEEK_TSV, 100}, {"match/zeek/ssl.log", ALD_LOG_ZEEK_TSV, 100},
        {"match/zeek/x509.log", ALD_LOG_ZEEK_TSV, 30}, {"match/zeek/notice.log", ALD_LOG_ZEEK_TSV, 30},
        {"match/zeek/smtp.log", ALD_LOG_ZEEK_TSV, 12}, {"match/zeek/dns.json", ALD_LOG_ZEEK_JSON, 100},
        {"match/eve-alerts.ndjson", ALD_LOG_EVE, 61},
    };
    size_t found = 0;
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
        size_t len = 0;
        char *text = read_any(tu_testdata(files[i].file), &len);
        assert_non_null(text);
        ald_logparser *p = ald_logparser_new(ALD_LOG_AUTO);
        struct tally t;
        parse_text(p, text, len, &t, zeek_sample_known, &found);
        print_tally(files[i].file, &t);
        assert_int_equal(ald_logparser_format(p), files[i].fmt);
        assert_int_equal(t.errors, 0);
        assert_int_equal(t.records, files[i].records);
        ald_logparser_free(p);
        free(text);
    }
    assert_int_equal(found, 7);
}

/* Lines fed one by one to one parser; want[i] is the expected result. */
static void feed(ald_logparser *p, const char *const *lines, const ald_err *want, size_t n,
                 ald_logrec *last)
{
    for (size_t i = 0; i < n; i++) {
        struct ald_errpos e;
        ald_err rc = ald_logparser_line(p, lines[i], strlen(lines[i]), last, &e);
        if (rc != want[i])
            fail_msg("line %zu (%s): %s %s", i + 1, lines[i], ald_errname(rc), e.msg);
    }
}

static void test_zeek_headers(void **state)
{
    (void)state;
    ald_logparser *p = ald_logparser_new(ALD_LOG_ZEEK_TSV);
    ald_logrec r;
    struct ald_errpos e;
    /* a row before any header */
    assert_int_equal(ald_logparser_line(p, "1.0\tx", 5, &r, &e), ALD_E_LOG_LINE);
    assert_non_null(strstr(e.msg, "before the #fields"));
    /* other separators, empty/unset spellings, escapes */
    const char *h1[] = {
        "#separator \\x7c",
        "#set_separator|;",
        "#empty_field|(none)",
        "#unset_field|?",
        "#path|http",
        "#open|2024-01-01-00-00-00",
        "#fields|ts|id.orig_h|id.orig_p|id.resp_h|id.resp_p|host|uri|tags|proxied",
        "#types|time|addr|port|addr|port|string|string|set[enum]|set[string]",
        "1700000000.5|192.0.2.1|5000|2001:db8::1|8080|www.example.com:8080|/a\\x7cb?c=\\x5c\\\\|(none)|198.51.100.1;198.51.100.2",
    };
    const ald_err ok9[9] = {0};
    feed(p, h1, ok9, 9, &r);
    assert_string_equal(r.type, "http");
    assert_int_equal(r.ts_sec, 1700000000);
    assert_int_equal(r.ts_nsec, 500000000);
    assert_true(has(&r, ALD_OBS_IPV6, ALD_ROLE_DST, "2001:db8::1", "id.resp_h"));
    assert_true(has(&r, ALD_OBS_DOMAIN, ALD_ROLE_NONE, "www.example.com", "host"));
    assert_true(has(&r, ALD_OBS_URL, ALD_ROLE_NONE, "http://www.example.com:8080/a|b?c=\\\\", "uri"));
    /* proxied is set[string]: not an address column, not taken */
    assert_int_equal(nkind(&r, ALD_OBS_IPV4), 1);
    /* unset and empty values are no values; too few / too many columns */
    const char *h2[] = {
        "?|?|?|?|?|?|?|?|?",
        "1700000001|192.0.2.1|5000|192.0.2.2|80|a.example|/|x",
        "1700000001|192.0.2.1|5000|192.0.2.2|80|a.example|/|x|y|z",
        "yesterday|192.0.2.1|5000|192.0.2.2|80|a.example|/|x|y",
        "1700000002|192.0.2.1|5000|192.0.2.2|80|b.example|/p|x|y",
    };
    const ald_err w2[5] = {ALD_E_OK, ALD_E_LOG_LINE, ALD_E_LOG_LINE, ALD_E_LOG_LINE, ALD_E_OK};
    feed(p, h2, w2, 5, &r);
    assert_true(has(&r, ALD_OBS_URL, ALD_ROLE_NONE, "http://b.example/p", "uri"));
    assert_int_equal(ald_logparser_line(p, h2[1], strlen(h2[1]), &r, &e), ALD_E_LOG_LINE);
    assert_non_null(strstr(e.msg, "8 columns, #fields has 9"));
    assert_int_equal(ald_logparser_line(p, h2[2], strlen(h2[2]), &r, &e), ALD_E_LOG_LINE);
    assert_int_equal(e.offset, strlen("1700000001|192.0.2.1|5000|192.0.2.2|80|a.example|/|x|y|"));
    assert_int_equal(ald_logparser_line(p, h2[3], strlen(h2[3]), &r, &e), ALD_E_LOG_LINE);
    assert_non_null(strstr(e.msg, "ts: ts is not a time"));
    assert_int_equal(e.offset, 0);
    assert_int_equal(ald_logparser_line(p, h2[0], strlen(h2[0]), &r, &e), ALD_E_OK);
    assert_int_equal(r.nfields, 0);
    assert_false(r.has_ts);
    /* #types with a different count; #close; a second log concatenated
     * (a new #separator resets the header, no #types: sets by name) */
    const char *h3[] = {
        "#types|time|addr",
        "#close|2024-01-01-00-10-00",
        "#separator \\x09",
        "#fields\tts\tid.orig_h\tquery\tanswers",
        "1700000003.000001\t192.0.2.9\tevil.example.net\tcname.example.net,203.0.113.5,2001:db8::9,TXT 5 hello",
    };
    const ald_err w3[5] = {ALD_E_LOG_LINE, ALD_E_OK, ALD_E_OK, ALD_E_OK, ALD_E_OK};
    feed(p, h3, w3, 5, &r);
    assert_string_equal(r.type, "zeek");    /* no #path, none given */
    assert_int_equal(r.ts_nsec, 1000);
    assert_true(has(&r, ALD_OBS_DOMAIN, ALD_ROLE_NONE, "evil.example.net", "query"));
    assert_true(has(&r, ALD_OBS_DOMAIN, ALD_ROLE_NONE, "cname.example.net", "answers"));
    assert_true(has(&r, ALD_OBS_IPV4, ALD_ROLE_NONE, "203.0.113.5", "answers"));
    assert_true(has(&r, ALD_OBS_IPV6, ALD_ROLE_NONE, "2001:db8::9", "answers"));
    assert_int_equal(r.nfields, 5);
    assert_int_equal(ald_logparser_set_zeek_path(p, "dns"), ALD_E_OK);
    assert_int_equal(ald_logparser_line(p, h3[4], strlen(h3[4]), &r, &e), ALD_E_OK);
    assert_string_equal(r.type, "dns");
    /* a column without a name (found by fuzz_zeek): no field from it */
    const char *h4[] = {"#fields\tts\t\tid.resp_h", "#types\ttime\taddr\taddr",
                        "1700000004\t192.0.2.1\t192.0.2.2"};
    const ald_err w4[3] = {ALD_E_OK, ALD_E_OK, ALD_E_OK};
    feed(p, h4, w4, 3, &r);
    assert_int_equal(r.nfields, 1);
    assert_true(has(&r, ALD_OBS_IPV4, ALD_ROLE_DST, "192.0.2.2", "id.resp_h"));
    /* a bad #separator */
    assert_int_equal(ald_logparser_line(p, "#separator ab", 13, &r, &e), ALD_E_LOG_LINE);
    ald_logparser_free(p);
}

static void test_zeek_json(void **state)
{
    (void)state;
    ald_logparser *p = ald_logparser_new(ALD_LOG_ZEEK_JSON);
    ald_logrec r;
    struct ald_errpos e;
    /* no _path: the caller's path; ts as a number; files hashes */
    assert_int_equal(ald_logparser_set_zeek_path(p, "files"), ALD_E_OK);
    const char *l1 = "{\"ts\":1521911754.475076,\"fuid\":\"F0\",\"tx_hosts\":[\"192.0.2.1\"],"
                     "\"rx_hosts\":[\"192.0.2.2\"],\"filename\":\"a\\u00e9.exe\",\"md5\":"
                     "\"d41d8cd98f00b204e9800998ecf8427e\",\"sha1\":\"da39a3ee5e6b4b0d3255bfef95"
                     "601890afd80709\",\"sha256\":null,\"total_bytes\":5,\"x\":{\"y\":[1]}}";
    assert_int_equal(ald_logparser_line(p, l1, strlen(l1), &r, &e), ALD_E_OK);
    assert_string_equal(r.type, "files");
    assert_int_equal(r.ts_nsec, 475076000);
    assert_true(has(&r, ALD_OBS_IPV4, ALD_ROLE_NONE, "192.0.2.1", "tx_hosts"));
    assert_true(has(&r, ALD_OBS_FILE_NAME, ALD_ROLE_NONE, "a\xc3\xa9.exe", "filename"));
    assert_true(has(&r, ALD_OBS_MD5, ALD_ROLE_NONE, "d41d8cd98f00b204e9800998ecf8427e", "md5"));
    assert_int_equal(r.nfields, 5);
    /* _path wins; ts as ISO text; a conn log's addresses; unknown _h names */
    const char *l2 = "{\"_path\":\"conn\",\"ts\":\"2018-03-24T17:15:20.865716Z\",\"id.orig_h\":"
                     "\"10.0.0.1\",\"id.orig_p\":1,\"id.resp_h\":\"10.0.0.2\",\"id.resp_p\":443,"
                     "\"proto\":\"tcp\",\"tunnel_h\":\"10.9.9.9\",\"history\":\"ShAD\"}";
    assert_int_equal(ald_logparser_line(p, l2, strlen(l2), &r, &e), ALD_E_OK);
    assert_string_equal(r.type, "conn");
    assert_int_equal(r.ts_sec, 1521911720);
    assert_string_equal(r.proto, "tcp");
    assert_true(has(&r, ALD_OBS_PORT, ALD_ROLE_DST, "443", "id.resp_p"));
    assert_true(has(&r, ALD_OBS_IPV4, ALD_ROLE_NONE, "10.9.9.9", "tunnel_h"));
    assert_int_equal(r.nfields, 5);
    /* http with the URL, ssl */
    const char *l3 = "{\"_path\":\"http\",\"host\":\"evil.example\",\"uri\":\"/x.php?a=1\"}";
    assert_int_equal(ald_logparser_line(p, l3, strlen(l3), &r, &e), ALD_E_OK);
    assert_true(has(&r, ALD_OBS_URL, ALD_ROLE_NONE, "http://evil.example/x.php?a=1", "uri"));
    /* errors: bad ts, not an object, malformed, truncated; then a good line */
    const char *bad[] = {
        "{\"_path\":\"dns\",\"ts\":\"soon\"}", "[1]", "{\"ts\":1,}", "{\"ts\":1.5,\"answers\":[\"a\"",
        "{\"ts\":1e9}",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        assert_int_equal(ald_logparser_line(p, bad[i], strlen(bad[i]), &r, &e), ALD_E_LOG_LINE);
        assert_true(e.offset <= strlen(bad[i]));
        assert_int_equal(ald_logparser_line(p, l3, strlen(l3), &r, &e), ALD_E_OK);
    }
    assert_int_equal(ald_logparser_line(p, bad[0], strlen(bad[0]), &r, &e), ALD_E_LOG_LINE);
    assert_int_equal(e.offset, 21);   /* the value, after its quote */
    ald_logparser_free(p);

    /* every proper prefix of the committed Zeek JSON lines fails with a
     * position, and the whole line parses again after it */
    size_t len = 0;
    char *text = read_any(tu_testdata("match/zeek/dns.json"), &len);
    assert_non_null(text);
    p = ald_logparser_new(ALD_LOG_ZEEK_JSON);
    const char *s = text;
    for (int line = 0; line < 20; line++) {
        const char *nl = strchr(s, '\n');
        size_t n = (size_t)(nl - s);
        assert_int_equal(ald_logparser_line(p, s, n, &r, &e), ALD_E_OK);
        size_t nf = r.nfields;
        for (size_t k = 1; k < n; k++) {
            if (ald_logparser_line(p, s, k, &r, &e) != ALD_E_LOG_LINE)
                fail_msg("line %d cut at %zu parses", line + 1, k);
            assert_true(e.offset <= k);
            assert_int_equal(ald_logparser_line(p, s, n, &r, &e), ALD_E_OK);
            assert_int_equal(r.nfields, nf);
        }
        s = nl + 1;
    }
    ald_logparser_free(p);
    free(text);
}


/* ---- text ---- */

static void test_text(void **state)
{
    (void)state;
    ald_logparser *p = NULL;
    ald_logrec r;
    struct ald_errpos e;
    assert_int_equal(one(&p, ALD_LOG_TEXT,
        "2018-03-24T08:59:37-07:00 host sshd[123]: Failed password for root from 192.0.2.1 "
        "port 22 ssh2", &r, &e), ALD_E_OK);
    assert_string_equal(r.type, "text");
    assert_true(r.has_ts);
    assert_int_equal(r.ts_sec, 1521907177);
    assert_int_equal(r.nfields, 1);
    assert_true(has(&r, ALD_OBS_IPV4, ALD_ROLE_NONE, "192.0.2.1", "text"));
    assert_int_equal(one(&p, ALD_LOG_TEXT,
        "GET http://evil.example.com:8080/a/b.php?x=1, then https://[2001:db8::1]/p. "
        "(see hxxp://nope and ftp://user@198.51.100.7/f) url=HTTPS://Mixed.Example.ORG", &r, &e),
        ALD_E_OK);
    assert_false(r.has_ts);
    assert_true(has(&r, ALD_OBS_URL, ALD_ROLE_NONE, "http://evil.example.com:8080/a/b.php?x=1",
                    NULL));
    assert_true(has(&r, ALD_OBS_DOMAIN, ALD_ROLE_NONE, "evil.example.com", "url.host"));
    assert_true(has(&r, ALD_OBS_URL, ALD_ROLE_NONE, "https://[2001:db8::1]/p", NULL));
    assert_true(has(&r, ALD_OBS_IPV6, ALD_ROLE_NONE, "2001:db8::1", "url.host"));
    assert_true(has(&r, ALD_OBS_URL, ALD_ROLE_NONE, "hxxp://nope", NULL));
    assert_true(has(&r, ALD_OBS_URL, ALD_ROLE_NONE, "ftp://user@198.51.100.7/f", NULL));
    assert_true(has(&r, ALD_OBS_IPV4, ALD_ROLE_NONE, "198.51.100.7", "url.host"));
    assert_true(has(&r, ALD_OBS_URL, ALD_ROLE_NONE, "HTTPS://Mixed.Example.ORG", NULL));
    assert_int_equal(nkind(&r, ALD_OBS_URL), 5);
    assert_int_equal(one(&p, ALD_LOG_TEXT,
        "mail from <alice@example.org> to bob.smith+tag@mail.example.co.uk, not x@y nor "
        "@example.com nor a@b.txt; from:carol@example.net", &r, &e), ALD_E_OK);
    assert_true(has(&r, ALD_OBS_EMAIL, ALD_ROLE_NONE, "alice@example.org", NULL));
    assert_true(has(&r, ALD_OBS_EMAIL, ALD_ROLE_NONE, "bob.smith+tag@mail.example.co.uk", NULL));
    assert_true(has(&r, ALD_OBS_EMAIL, ALD_ROLE_NONE, "carol@example.net", NULL));
    assert_int_equal(nkind(&r, ALD_OBS_EMAIL), 3);
    assert_true(has(&r, ALD_OBS_DOMAIN, ALD_ROLE_NONE, "example.com", NULL));
    assert_int_equal(one(&p, ALD_LOG_TEXT,
        "md5=d41d8cd98f00b204e9800998ecf8427e sha1:da39a3ee5e6b4b0d3255bfef95601890afd80709 "
        "sha256 E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855 "
        "cf83e1357eefb8bdf1542850d66d8007d620e4050b5715dc83f4a921d36ce9ce47d0d13c5d85f2b0ff8318d2"
        "877eec2f63b931bd47417a81a538327af927da3e not d41d8cd98f00b204e9800998ecf8427 (31)",
        &r, &e), ALD_E_OK);
    assert_true(has(&r, ALD_OBS_MD5, ALD_ROLE_NONE, "d41d8cd98f00b204e9800998ecf8427e", NULL));
    assert_true(has(&r, ALD_OBS_SHA1, ALD_ROLE_NONE, "da39a3ee5e6b4b0d3255bfef95601890afd80709",
                    NULL));
    assert_true(has(&r, ALD_OBS_SHA256, ALD_ROLE_NONE,
                    "E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855", NULL));
    assert_int_equal(nkind(&r, ALD_OBS_SHA512), 1);
    assert_int_equal(r.nfields, 4);
    assert_int_equal(one(&p, ALD_LOG_TEXT,
        "files a.txt report.pdf setup.exe index.html run.sh x.zip version 1.2.3 pi 3.14 "
        "1.2.3.4 999.1.1.1 01.2.3.4 12:34:56 aa:bb:cc:dd:ee:ff fe80::1%eth0 ::1 [::1]:80 "
        "10.0.0.1:443 www.EXAMPLE.com. -bad-.example.com xn--80ak6aa92e.xn--p1ai", &r, &e),
        ALD_E_OK);
    assert_true(has(&r, ALD_OBS_DOMAIN, ALD_ROLE_NONE, "run.sh", NULL));
    assert_true(has(&r, ALD_OBS_DOMAIN, ALD_ROLE_NONE, "x.zip", NULL));
    assert_true(has(&r, ALD_OBS_DOMAIN, ALD_ROLE_NONE, "www.EXAMPLE.com", NULL));
    assert_true(has(&r, ALD_OBS_DOMAIN, ALD_ROLE_NONE, "xn--80ak6aa92e.xn--p1ai", NULL));
    assert_true(has(&r, ALD_OBS_DOMAIN, ALD_ROLE_NONE, "bad-.example.com", NULL) == false);
    assert_true(has(&r, ALD_OBS_IPV4, ALD_ROLE_NONE, "1.2.3.4", NULL));
    assert_true(has(&r, ALD_OBS_IPV4, ALD_ROLE_NONE, "10.0.0.1", NULL));
    assert_true(has(&r, ALD_OBS_IPV6, ALD_ROLE_NONE, "fe80::1", NULL));
    assert_true(has(&r, ALD_OBS_IPV6, ALD_ROLE_NONE, "::1", NULL));
    assert_int_equal(nkind(&r, ALD_OBS_DOMAIN), 4);
    assert_int_equal(nkind(&r, ALD_OBS_IPV4), 2);
    assert_int_equal(nkind(&r, ALD_OBS_IPV6), 2);
    /* RFC 5424 syslog */
    assert_int_equal(one(&p, ALD_LOG_TEXT,
        "<34>1 2003-10-11T22:14:15.003Z mymachine.example.com su - ID47 - 'su root' failed",
        &r, &e), ALD_E_OK);
    assert_true(r.has_ts);
    assert_int_equal(r.ts_sec, 1065910455);
    assert_int_equal(r.ts_nsec, 3000000);
    assert_true(has(&r, ALD_OBS_DOMAIN, ALD_ROLE_NONE, "mymachine.example.com", NULL));
    /* bounded: 5000 addresses give 1024 fields; a 1 MB token nothing */
    size_t big = 5000 * 16 + 1;
    char *line = malloc(1 << 20);
    size_t o = 0;
    for (int i = 0; i < 5000; i++)
        o += (size_t)sprintf(line + o, "10.%d.%d.%d ", i / 65536, (i / 256) % 256, i % 256);
    assert_true(o < big);
    ald_logparser_free(p);
    p = ald_logparser_new(ALD_LOG_TEXT);
    assert_int_equal(ald_logparser_line(p, line, o, &r, &e), ALD_E_OK);
    assert_int_equal(r.nfields, 1024);
    memset(line, 'a', 1 << 20);
    assert_int_equal(ald_logparser_line(p, line, 1 << 20, &r, &e), ALD_E_OK);
    assert_int_equal(r.nfields, 0);
    memcpy(line, "http://", 7);
    assert_int_equal(ald_logparser_line(p, line, 1 << 20, &r, &e), ALD_E_OK);
    assert_int_equal(nkind(&r, ALD_OBS_URL), 1);
    free(line);
    ald_logparser_free(p);
}

/* The text parser over the real logs' raw lines finds every address, e-mail
 * address and hash the structured parsers find there. */
struct cross {
    ald_logparser *text;
    const char *base;
    size_t checked, lines;
};

static void cross_line(struct cross *c, const char *line, size_t n, const ald_logrec *r)
{
    ald_logrec t;
    struct ald_errpos e;
    /* rec r's strings live in the other parser: still valid */
    assert_int_equal(ald_logparser_line(c->text, line, n, &t, &e), ALD_E_OK);
    c->lines++;
    for (size_t i = 0; i < r->nfields; i++) {
        const ald_logfield *f = &r->fields[i];
        if (f->kind != ALD_OBS_IPV4 && f->kind != ALD_OBS_IPV6 && f->kind != ALD_OBS_EMAIL &&
            f->kind != ALD_OBS_MD5 && f->kind != ALD_OBS_SHA1 && f->kind != ALD_OBS_SHA256)
            continue;
        bool found = false;
        for (size_t k = 0; k < t.nfields && !found; k++)
            found = t.fields[k].kind == f->kind && t.fields[k].len == f->len &&
                    memcmp(t.fields[k].v, f->v, f->len) == 0;
        if (!found)
            fail_msg("%s: text misses %s %.*s in: %.*s", c->base, ald_obs_kind_name(f->kind),
                     (int)f->len, f->v, (int)(n > 300 ? 300 : n), line);
        c->checked++;
    }
}

static void test_text_real(void **state)
{
    (void)state;
    TU_NEED_SHARED(dir, "cti/logs");
    (void)dir;
    static const char *const files[] = {
        "suricata-eve/first-org-conf-2015/alerts-only.eve.ndjson",
        "suricata-eve/honeypot-2018/alerts-only.eve.ndjson",
        "suricata-eve/wrccdc-2017/alerts-only.eve.ndjson",
        "suricata-eve/wrccdc-2018/alerts-only.eve.ndjson",
        "zeek-wrccdc2018/zeek-default/smtp.log.gz",
        "zeek-wrccdc2018/zeek-default/notice.log.gz",
        "zeek-wrccdc2018/zeek-default/x509.log.gz",
        "zeek-wrccdc2018/zeek-default/syslog.log.gz",
        "zeek-wrccdc2018/zeek-default/ssl.log.gz",
    };
    size_t checked = 0;
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
        char rel[200];
        snprintf(rel, sizeof rel, "cti/logs/%s", files[i]);
        size_t len = 0;
        char *text = read_any(tu_shared(rel), &len);
        assert_non_null(text);
        ald_logparser *sp = ald_logparser_new(ALD_LOG_AUTO);
        struct cross c = {ald_logparser_new(ALD_LOG_TEXT), files[i], 0, 0};
        const char *s = text, *end = text + len;
        while (s < end) {
            const char *nl = memchr(s, '\n', (size_t)(end - s));
            size_t n = nl ? (size_t)(nl - s) : (size_t)(end - s);
            ald_logrec r;
            struct ald_errpos e;
            assert_int_equal(ald_logparser_line(sp, s, n, &r, &e), ALD_E_OK);
            if (r.type)
                cross_line(&c, s, n, &r);
            s = nl ? nl + 1 : end;
        }
        print_message("%s: %zu lines as text, %zu structured values found again\n", files[i],
                      c.lines, c.checked);
        checked += c.checked;
        ald_logparser_free(sp);
        ald_logparser_free(c.text);
        free(text);
    }
    assert_true(checked > 100000);
}

/* ---- formats ---- */

static void test_detect(void **state)
{
    (void)state;
    static const struct {
        const char *first;
        ald_log_format want;
    } cases[] = {
        {"{\"timestamp\":\"2019-01-01T00:00:00Z\",\"event_type\":\"dns\"}", ALD_LOG_EVE},
        {"#separator \\x09", ALD_LOG_ZEEK_TSV},
        {"{\"_path\":\"dns\",\"ts\":1.5}", ALD_LOG_ZEEK_JSON},
        {"{\"ts\":1521911720.865716,\"uid\":\"C\",\"id.orig_h\":\"10.0.0.1\"}",
         ALD_LOG_ZEEK_JSON},
        {"Mar 24 08:59:37 host sshd[1]: Failed password from 192.0.2.1", ALD_LOG_TEXT},
        {"{\"some\":\"json\"}", ALD_LOG_TEXT},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        ald_logparser *p = ald_logparser_new(ALD_LOG_AUTO);
        ald_logrec r;
        struct ald_errpos e;
        assert_int_equal(ald_logparser_format(p), ALD_LOG_AUTO);
        ald_logparser_line(p, "", 0, &r, &e);
        assert_int_equal(ald_logparser_format(p), ALD_LOG_AUTO);
        ald_logparser_line(p, cases[i].first, strlen(cases[i].first), &r, &e);
        assert_int_equal(ald_logparser_format(p), cases[i].want);
        ald_logparser_free(p);
    }
    assert_string_equal(ald_obs_kind_path(ALD_OBS_SHA256, ALD_ROLE_NONE), "file:hashes.'SHA-256'");
    assert_string_equal(ald_obs_kind_path(ALD_OBS_PORT, ALD_ROLE_SRC), "network-traffic:src_port");
    assert_string_equal(ald_obs_kind_path(ALD_OBS_PORT, ALD_ROLE_DST), "network-traffic:dst_port");
    assert_string_equal(ald_obs_kind_name(ALD_OBS_X509_SERIAL), "x509_serial");
    for (int k = 0; k < ALD_OBS__COUNT; k++) {
        assert_non_null(ald_obs_kind_name((ald_obs_kind)k));
        assert_non_null(ald_obs_kind_path((ald_obs_kind)k, ALD_ROLE_NONE));
    }
    assert_null(ald_obs_kind_name(ALD_OBS__COUNT));
}

/* ---- --dump ---- */

static int dump(const char *path, const char *fmt)
{
    size_t len = 0;
    char *text = read_any(path, &len);
    if (!text) {
        fprintf(stderr, "%s: cannot read\n", path);
        return 2;
    }
    ald_log_format f = ALD_LOG_AUTO;
    if (fmt && strcmp(fmt, "eve") == 0)
        f = ALD_LOG_EVE;
    else if (fmt && strcmp(fmt, "zeek") == 0)
        f = ALD_LOG_ZEEK_TSV;
    else if (fmt && strcmp(fmt, "zeek-json") == 0)
        f = ALD_LOG_ZEEK_JSON;
    else if (fmt && strcmp(fmt, "text") == 0)
        f = ALD_LOG_TEXT;
    ald_logparser *p = ald_logparser_new(f);
    const char *s = text, *end = text + len;
    size_t line = 0;
    while (s < end) {
        const char *nl = memchr(s, '\n', (size_t)(end - s));
        size_t n = nl ? (size_t)(nl - s) : (size_t)(end - s);
        ald_logrec r;
        struct ald_errpos e;
        line++;
        ald_err rc = ald_logparser_line(p, s, n, &r, &e);
        if (rc == ALD_E_OK)
            dump_rec(stdout, line, &r);
        else
            printf("%zu: %s at column %u: %s\n", line, ald_errname(rc), e.col, e.msg);
        s = nl ? nl + 1 : end;
    }
    ald_logparser_free(p);
    free(text);
    return 0;
}

/* found by fuzz_zeek: an smtp column "@@@a" was taken for an address; an
 * e-mail address has exactly one '@' with something on both sides */
static void test_email_one_at(void **state)
{
    (void)state;
    static const char *const hdr[] = {
        "#separator \\x09", "#path\tsmtp", "#fields\tts\tmailfrom\trcptto",
    };
    ald_logparser *p = ald_logparser_new(ALD_LOG_ZEEK_TSV);
    ald_logrec r;
    struct ald_errpos e;
    for (size_t i = 0; i < 3; i++)
        assert_int_equal(ald_logparser_line(p, hdr[i], strlen(hdr[i]), &r, &e), ALD_E_OK);
    const char *row = "1521912311.472665\t@@@a\tbob@example.org";
    assert_int_equal(ald_logparser_line(p, row, strlen(row), &r, &e), ALD_E_OK);
    assert_int_equal(nkind(&r, ALD_OBS_EMAIL), 1);
    assert_true(has(&r, ALD_OBS_EMAIL, ALD_ROLE_NONE, "bob@example.org", "rcptto"));
    ald_logparser_free(p);
}

/* found by fuzz_zeek: an http uri "://" was taken for an absolute URL;
 * absolute needs a scheme and something after "://" */
static void test_zeek_absolute_uri(void **state)
{
    (void)state;
    static const char *const hdr[] = {
        "#separator \\x09", "#path\thttp", "#fields\tts\thost\turi",
    };
    ald_logparser *p = ald_logparser_new(ALD_LOG_ZEEK_TSV);
    ald_logrec r;
    struct ald_errpos e;
    for (size_t i = 0; i < 3; i++)
        assert_int_equal(ald_logparser_line(p, hdr[i], strlen(hdr[i]), &r, &e), ALD_E_OK);
    static const struct {
        const char *row;
        const char *url;    /* NULL: no URL */
    } c[] = {
        {"1700000000.5\t-\t://", NULL},
        {"1700000000.5\t-\t1x://a", NULL},
        {"1700000000.5\t-\thttp://", NULL},
        {"1700000000.5\t-\thttp://proxy.example/a", "http://proxy.example/a"},
        {"1700000000.5\twww.example\t/p?q=1", "http://www.example/p?q=1"},
    };
    for (size_t i = 0; i < sizeof c / sizeof c[0]; i++) {
        assert_int_equal(ald_logparser_line(p, c[i].row, strlen(c[i].row), &r, &e), ALD_E_OK);
        assert_int_equal(nkind(&r, ALD_OBS_URL), c[i].url ? 1 : 0);
        if (c[i].url)
            assert_true(has(&r, ALD_OBS_URL, ALD_ROLE_NONE, c[i].url, "uri"));
    }
    ald_logparser_free(p);
    /* EVE writes proxy requests' absolute URLs in http.url: the same rule */
    p = ald_logparser_new(ALD_LOG_EVE);
    const char *eve[] = {
        "{\"timestamp\":\"2020-01-01T00:00:00Z\",\"event_type\":\"http\","
        "\"http\":{\"hostname\":\"h.example\",\"url\":\"://\"}}",
        "{\"timestamp\":\"2020-01-01T00:00:00Z\",\"event_type\":\"http\","
        "\"http\":{\"hostname\":\"h.example\",\"url\":\"http://proxy.example/a\"}}",
    };
    assert_int_equal(ald_logparser_line(p, eve[0], strlen(eve[0]), &r, &e), ALD_E_OK);
    assert_int_equal(nkind(&r, ALD_OBS_URL), 0);
    assert_int_equal(ald_logparser_line(p, eve[1], strlen(eve[1]), &r, &e), ALD_E_OK);
    assert_true(has(&r, ALD_OBS_URL, ALD_ROLE_NONE, "http://proxy.example/a", "http.url"));
    ald_logparser_free(p);
}

/* found by fuzz_zeek: a line that is only a UTF-8 byte order mark made the
 * Zeek parser read past it; every format takes it as an empty line (the
 * 3 bytes are malloc'd alone so ASan sees any read beyond) */
static void test_bom_only_line(void **state)
{
    (void)state;
    static const ald_log_format fmts[] = {ALD_LOG_AUTO, ALD_LOG_EVE, ALD_LOG_ZEEK_TSV,
                                          ALD_LOG_ZEEK_JSON, ALD_LOG_TEXT};
    const char *fields = "#fields\tts\tid.orig_h";
    for (size_t i = 0; i < sizeof fmts / sizeof fmts[0]; i++) {
        ald_logparser *p = ald_logparser_new(fmts[i]);
        ald_logrec r;
        struct ald_errpos e;
        if (fmts[i] == ALD_LOG_ZEEK_TSV)
            assert_int_equal(ald_logparser_line(p, fields, strlen(fields), &r, &e), ALD_E_OK);
        char *bom = malloc(3);
        memcpy(bom, "\xEF\xBB\xBF", 3);
        assert_int_equal(ald_logparser_line(p, bom, 3, &r, &e), ALD_E_OK);
        assert_int_equal(r.nfields, 0);
        free(bom);
        ald_logparser_free(p);
    }
}

int main(int argc, char **argv)
{
    if (argc >= 3 && strcmp(argv[1], "--dump") == 0)
        return dump(argv[2], argc >= 4 ? argv[3] : NULL);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_eve_real),
        cmocka_unit_test(test_eve_dns),
        cmocka_unit_test(test_eve_protocols),
        cmocka_unit_test(test_eve_escapes),
        cmocka_unit_test(test_eve_corrupt),
        cmocka_unit_test(test_zeek_real_tsv),
        cmocka_unit_test(test_zeek_real_json),
        cmocka_unit_test(test_zeek_samples),
        cmocka_unit_test(test_zeek_headers),
        cmocka_unit_test(test_zeek_json),
        cmocka_unit_test(test_text),
        cmocka_unit_test(test_text_real),
        cmocka_unit_test(test_detect),
        cmocka_unit_test(test_email_one_at),
        cmocka_unit_test(test_zeek_absolute_uri),
        cmocka_unit_test(test_bom_only_line),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
