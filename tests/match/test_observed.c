/*
 * test_observed.c - ald_logrec_observed_data: SCO ids against the STIX 2.1
 * specification's own example (ipv4-addr 198.51.100.3) and values computed
 * with Python's uuid.uuid5 over the canonical JSON; the objects of an EVE
 * alert, a Zeek x509 row and a text line; determinism; values that are not
 * UTF-8 or need escaping; records without time or observables.
 *
 * `test_observed --dump` writes one STIX bundle with the observed-data of
 * every shared EVE alert, the committed Zeek samples and hand-made records;
 * tests/match/validate_observed.py checks it against the OASIS schemas and
 * recomputes every SCO id in Python.
 */
#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include <jansson.h>

#include "alidade/logparse.h"

#define IDENTITY "identity--b5437038-eb96-4652-88bc-5f94993b7326"

static ald_logparser *parse(ald_log_format f, const char *line, ald_logrec *r)
{
    ald_logparser *p = ald_logparser_new(f);
    struct ald_errpos e;
    assert_int_equal(ald_logparser_line(p, line, strlen(line), r, &e), ALD_E_OK);
    return p;
}

/* The JSON lines of an output, parsed. */
static json_t *lines(const char *out)
{
    json_t *a = json_array();
    const char *s = out;
    while (*s) {
        const char *nl = strchr(s, '\n');
        assert_non_null(nl);
        json_error_t je;
        json_t *o = json_loadb(s, (size_t)(nl - s), 0, &je);
        if (!o)
            fail_msg("not JSON: %s: %.*s", je.text, (int)(nl - s), s);
        json_array_append_new(a, o);
        s = nl + 1;
    }
    return a;
}

static json_t *by_id(json_t *objs, const char *id)
{
    size_t i;
    json_t *o;
    json_array_foreach(objs, i, o)
        if (strcmp(json_string_value(json_object_get(o, "id")), id) == 0)
            return o;
    return NULL;
}

static void test_spec_ids(void **state)
{
    (void)state;
    ald_logrec r;
    ald_logparser *p = parse(ALD_LOG_TEXT, "198.51.100.3 example.com john@example.com", &r);
    char *out = NULL;
    struct ald_observed_opts o = {IDENTITY, "test.log", 7, "2024-01-02T03:04:05.000Z"};
    assert_int_equal(ald_logrec_observed_data_ex(&r, &o, &out), ALD_E_OK);
    json_t *objs = lines(out);
    assert_int_equal(json_array_size(objs), 4);
    /* STIX 2.1 section 2.9's example */
    assert_non_null(by_id(objs, "ipv4-addr--28bb3599-77cd-5a82-a950-b5bc3caf07c4"));
    /* uuid.uuid5(SCO namespace, '{"value":"example.com"}') */
    assert_non_null(by_id(objs, "domain-name--bedb4899-d24b-5401-bc86-8f6b4cc18ec7"));
    assert_non_null(by_id(objs, "email-addr--7165e2a9-671f-585d-b1e1-ca59c671d934"));
    json_t *od = json_array_get(objs, 0);
    assert_string_equal(json_string_value(json_object_get(od, "type")), "observed-data");
    assert_string_equal(json_string_value(json_object_get(od, "created_by_ref")), IDENTITY);
    assert_string_equal(json_string_value(json_object_get(od, "first_observed")),
                        "2024-01-02T03:04:05.000Z");
    assert_int_equal(json_integer_value(json_object_get(od, "number_observed")), 1);
    assert_int_equal(json_array_size(json_object_get(od, "object_refs")), 3);
    char id[ALD_OBSERVED_ID_LEN];
    assert_int_equal(ald_observed_data_id(IDENTITY, "test.log", 7, id), ALD_E_OK);
    assert_string_equal(json_string_value(json_object_get(od, "id")), id);
    /* uuid.uuid5(f2c350da-..., "observed-data|identity--b54...|test.log|7") */
    assert_string_equal(id, "observed-data--915ae620-463b-5f95-8e86-68613e5ce741");
    /* a text record without a time and no `now`: ALD_E_ARG */
    free(out);
    assert_int_equal(ald_logrec_observed_data(&r, IDENTITY, "test.log", 7, &out), ALD_E_ARG);
    assert_null(out);
    json_decref(objs);
    ald_logparser_free(p);
}

static void test_eve_objects(void **state)
{
    (void)state;
    ald_logrec r;
    ald_logparser *p = parse(ALD_LOG_EVE,
        "{\"timestamp\":\"2015-03-26T18:41:15.745972-0600\",\"event_type\":\"alert\",\"src_ip\":"
        "\"108.160.162.76\",\"src_port\":443,\"dest_ip\":\"192.168.0.54\",\"dest_port\":63247,"
        "\"proto\":\"TCP\",\"tls\":{\"sni\":\"www.dropbox.com\",\"serial\":\"03:F9:32:47:47:6E:47\","
        "\"fingerprint\":\"5a:93:b4:00:33:84:8e:48:c5:56:99:cb:ac:5c:35:a0:e3:c9:69:02\"},"
        "\"fileinfo\":{\"filename\":\"a.exe\",\"md5\":\"d41d8cd98f00b204e9800998ecf8427e\","
        "\"sha256\":\"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855\"}}", &r);
    char *out = NULL, *again = NULL;
    assert_int_equal(ald_logrec_observed_data(&r, IDENTITY, "eve.json", 33, &out), ALD_E_OK);
    assert_int_equal(ald_logrec_observed_data(&r, IDENTITY, "eve.json", 33, &again), ALD_E_OK);
    assert_string_equal(out, again);    /* deterministic */
    free(again);
    assert_int_equal(ald_logrec_observed_data(&r, IDENTITY, "eve.json", 34, &again), ALD_E_OK);
    assert_string_not_equal(out, again);
    free(again);
    json_t *objs = lines(out);
    /* observed-data, 2 addresses, traffic, domain, file, certificate */
    assert_int_equal(json_array_size(objs), 7);
    json_t *od = json_array_get(objs, 0);
    assert_string_equal(json_string_value(json_object_get(od, "first_observed")),
                        "2015-03-27T00:41:15.745972Z");
    assert_string_equal(json_string_value(json_object_get(od, "created")),
                        "2015-03-27T00:41:15.745Z");
    /* uuid5 of {"dst_port":63247,"dst_ref":"ipv4-addr--...","protocols":
     * ["ipv4","tcp"],"src_port":443,"src_ref":"ipv4-addr--..."} */
    json_t *nt = json_array_get(objs, 3);
    assert_string_equal(json_string_value(json_object_get(nt, "type")), "network-traffic");
    assert_int_equal(json_integer_value(json_object_get(nt, "src_port")), 443);
    assert_int_equal(json_integer_value(json_object_get(nt, "dst_port")), 63247);
    assert_string_equal(json_string_value(json_array_get(json_object_get(nt, "protocols"), 1)),
                        "tcp");
    json_t *src = by_id(objs, json_string_value(json_object_get(nt, "src_ref")));
    assert_non_null(src);
    assert_string_equal(json_string_value(json_object_get(src, "value")), "108.160.162.76");
    size_t i;
    json_t *o, *file = NULL, *cert = NULL;
    json_array_foreach(objs, i, o) {
        if (strcmp(json_string_value(json_object_get(o, "type")), "file") == 0)
            file = o;
        if (strcmp(json_string_value(json_object_get(o, "type")), "x509-certificate") == 0)
            cert = o;
    }
    assert_non_null(file);
    assert_string_equal(json_string_value(json_object_get(file, "name")), "a.exe");
    assert_string_equal(json_string_value(json_object_get(json_object_get(file, "hashes"), "MD5")),
                        "d41d8cd98f00b204e9800998ecf8427e");
    assert_non_null(json_object_get(json_object_get(file, "hashes"), "SHA-256"));
    /* the id uses MD5 and the name only:
     * uuid5(ns, '{"hashes":{"MD5":"d41d8cd98f00b204e9800998ecf8427e"},"name":"a.exe"}') */
    assert_string_equal(json_string_value(json_object_get(file, "id")),
                        "file--7e567502-8994-53ff-9c69-79240cae362d");
    assert_non_null(cert);
    assert_string_equal(json_string_value(json_object_get(cert, "serial_number")),
                        "03:F9:32:47:47:6E:47");
    assert_string_equal(
        json_string_value(json_object_get(json_object_get(cert, "hashes"), "SHA-1")),
        "5a93b40033848e48c55699cbac5c35a0e3c96902");
    json_decref(objs);
    free(out);
    ald_logparser_free(p);
}

static void test_odd_values(void **state)
{
    (void)state;
    ald_logrec r;
    /* a Zeek value with bytes that are not UTF-8, a quote, a backslash and
     * a control character, as a file name */
    ald_logparser *p = ald_logparser_new(ALD_LOG_ZEEK_TSV);
    struct ald_errpos e;
    const char *h[] = {"#separator \\x09", "#path\tfiles", "#fields\tts\tfilename\tmd5",
                       "1700000000\ta\\xff\\x01\"\\\\b\\xc3\\xa9.exe\t-"};
    for (int i = 0; i < 4; i++)
        assert_int_equal(ald_logparser_line(p, h[i], strlen(h[i]), &r, &e), ALD_E_OK);
    char *out = NULL;
    assert_int_equal(ald_logrec_observed_data(&r, NULL, NULL, 1, &out), ALD_E_OK);
    assert_non_null(strstr(out, "\"name\":\"a\xef\xbf\xbd\\u0001\\\"\\\\b\xc3\xa9.exe\""));
    assert_null(strstr(out, "created_by_ref"));
    json_t *objs = lines(out);
    assert_int_equal(json_array_size(objs), 2);
    json_decref(objs);
    free(out);
    /* nothing to observe: a record of ports only, a header line */
    const char *ports = "{\"timestamp\":\"2015-03-26T18:41:15Z\",\"src_port\":1,\"dest_port\":2}";
    ald_logparser_free(p);
    p = parse(ALD_LOG_EVE, ports, &r);
    assert_int_equal(ald_logrec_observed_data(&r, IDENTITY, "x", 1, &out), ALD_E_NOT_FOUND);
    assert_null(out);
    /* only a destination: network-traffic with dst_ref alone */
    ald_logparser_free(p);
    p = parse(ALD_LOG_EVE, "{\"timestamp\":\"2015-03-26T18:41:15Z\",\"dest_ip\":\"2001:db8::1\","
                           "\"dest_port\":53,\"proto\":\"UDP\"}", &r);
    assert_int_equal(ald_logrec_observed_data(&r, IDENTITY, "x", 1, &out), ALD_E_OK);
    assert_non_null(strstr(out, "\"protocols\":[\"ipv6\",\"udp\"]"));
    assert_non_null(strstr(out, "\"dst_port\":53,\"dst_ref\":\"ipv6-addr--"));
    assert_null(strstr(out, "src_ref"));
    free(out);
    ald_logparser_free(p);
}

/* ---- --dump: a bundle for validate_observed.py ---- */

struct dump {
    FILE *o;
    json_t *seen;       /* SCO ids written */
    size_t records, objects;
};

static void dump_rec(struct dump *d, const ald_logrec *r, const char *src, uint64_t line)
{
    char *out = NULL;
    struct ald_observed_opts o = {IDENTITY, src, line, "2024-01-02T03:04:05.000Z"};
    ald_err e = ald_logrec_observed_data_ex(r, &o, &out);
    if (e == ALD_E_NOT_FOUND)
        return;
    if (e != ALD_E_OK) {
        fprintf(stderr, "%s:%llu: %s\n", src, (unsigned long long)line, ald_errname(e));
        exit(1);
    }
    d->records++;
    const char *s = out;
    bool first = true;
    while (*s) {
        const char *nl = strchr(s, '\n');
        char id[128] = "";
        const char *ip = strstr(s, "\"id\":\"");
        if (ip && ip < nl) {
            const char *q = strchr(ip + 6, '"');
            snprintf(id, sizeof id, "%.*s", (int)(q - ip - 6), ip + 6);
        }
        if (first || !json_object_get(d->seen, id)) {
            json_object_set_new(d->seen, id, json_true());
            fprintf(d->o, ",\n%.*s", (int)(nl - s), s);
            d->objects++;
        }
        first = false;
        s = nl + 1;
    }
    free(out);
}

static void dump_text(struct dump *d, ald_log_format f, const char *text, size_t len,
                      const char *src)
{
    ald_logparser *p = ald_logparser_new(f);
    const char *s = text, *end = text + len;
    uint64_t line = 0;
    while (s < end) {
        const char *nl = memchr(s, '\n', (size_t)(end - s));
        size_t n = nl ? (size_t)(nl - s) : (size_t)(end - s);
        ald_logrec r;
        struct ald_errpos e;
        line++;
        if (ald_logparser_line(p, s, n, &r, &e) == ALD_E_OK && r.type)
            dump_rec(d, &r, src, line);
        s = nl ? nl + 1 : end;
    }
    ald_logparser_free(p);
}

static char *gz_read(const char *path, size_t *len)
{
    gzFile f = gzopen(path, "rb");
    if (!f)
        return NULL;
    size_t cap = 1 << 20, n = 0;
    char *b = malloc(cap + 1);
    int k;
    while ((k = gzread(f, b + n, (unsigned)(cap - n))) > 0) {
        n += (size_t)k;
        if (n == cap)
            b = realloc(b, (cap *= 2) + 1);
    }
    gzclose(f);
    b[n] = '\0';
    *len = n;
    return b;
}

static int dump(void)
{
    struct dump d = {stdout, json_object(), 0, 0};
    printf("{\"type\":\"bundle\",\"id\":\"bundle--6b3a1f8e-4c1d-4b2a-9f3e-1a2b3c4d5e6f\","
           "\"objects\":[\n{\"type\":\"identity\",\"spec_version\":\"2.1\",\"id\":\"" IDENTITY
           "\",\"created\":\"2024-01-01T00:00:00.000Z\",\"modified\":\"2024-01-01T00:00:00.000Z\","
           "\"name\":\"test node\",\"identity_class\":\"organization\"}");
    static const char *const eve[] = {
        "cti/logs/suricata-eve/first-org-conf-2015/alerts-only.eve.ndjson",
        "cti/logs/suricata-eve/honeypot-2018/alerts-only.eve.ndjson",
        "cti/logs/suricata-eve/wrccdc-2017/alerts-only.eve.ndjson",
        "cti/logs/suricata-eve/wrccdc-2018/alerts-only.eve.ndjson",
    };
    for (size_t i = 0; i < 4; i++) {
        const char *path = tu_shared(eve[i]);
        if (!path)
            continue;
        size_t len = 0;
        char *t = gz_read(path, &len);
        if (t)
            dump_text(&d, ALD_LOG_EVE, t, len, eve[i]);
        free(t);
    }
    static const char *const samples[] = {"match/zeek/dns.log", "match/zeek/ssl.log",
                                          "match/zeek/x509.log", "match/zeek/notice.log",
                                          "match/zeek/smtp.log", "match/eve-alerts.ndjson"};
    for (size_t i = 0; i < sizeof samples / sizeof samples[0]; i++) {
        size_t len = 0;
        char *t = gz_read(tu_testdata(samples[i]), &len);
        if (!t) {
            fprintf(stderr, "%s: cannot read\n", samples[i]);
            return 1;
        }
        dump_text(&d, ALD_LOG_AUTO, t, len, samples[i]);
        free(t);
    }
    static const char hand[] =
        "2024-05-01T10:00:00Z GET http://evil.example.com/a\"b?q=\\x to 2001:db8::1 from "
        "alice@example.org md5 d41d8cd98f00b204e9800998ecf8427e sha1 "
        "da39a3ee5e6b4b0d3255bfef95601890afd80709 and another md5 "
        "0cc175b9c0f1b6a831c399e269772661\n"
        "no time here: caf\xc3\xa9.example.net \xff\xfe 198.51.100.3\n";
    dump_text(&d, ALD_LOG_TEXT, hand, sizeof hand - 1, "hand-made");
    printf("\n]}\n");
    fprintf(stderr, "test_observed --dump: %zu records, %zu objects\n", d.records, d.objects);
    json_decref(d.seen);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc >= 2 && strcmp(argv[1], "--dump") == 0)
        return dump();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_spec_ids),
        cmocka_unit_test(test_eve_objects),
        cmocka_unit_test(test_odd_values),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
