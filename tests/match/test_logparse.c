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
        cmocka_unit_test(test_detect),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
