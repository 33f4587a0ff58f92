/*
 * test_warninglist.c - MISP warninglists (lib/misp/warninglist.c): each list
 * type on hand-made lists (string, substring, hostname, cidr v4/v6, regex),
 * matching_attributes deciding which kinds a list vetoes, URL hosts and
 * e-mail domains, load errors; the committed upstream lists
 * (tests/data/misp/warninglists); all 19 lists of ../shared/data with the
 * load time; and a generated list of one million host names (load time and
 * lookups per second, printed).
 */
#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "alidade/misp.h"

static ald_err load(ald_wlset *s, const char *json, struct ald_errpos *ep)
{
    return ald_wlset_load_json(s, json, strlen(json), NULL, ep);
}

static const char *m(const ald_wlset *s, ald_obs_kind k, const char *v)
{
    return ald_wlset_match(s, k, v, strlen(v));
}

static void list_types(void **state)
{
    (void)state;
    ald_wlset *s = ald_wlset_new();
    assert_int_equal(load(s, "{\"name\":\"resolvers\",\"type\":\"cidr\",\"version\":1,"
                             "\"description\":\"d\",\"matching_attributes\":[\"ip-dst\"],"
                             "\"list\":[\"8.8.8.8\",\"1.1.1.0/24\",\" 9.9.9.9 \",\"2001:4860:4860::8888\","
                             "\"2606:4700::/32\",\"not a cidr\",\"10.0.0.0/33\",\"\"]}", NULL),
                     ALD_E_OK);
    assert_int_equal(load(s, "{\"name\":\"tops\",\"type\":\"hostname\",\"version\":1,"
                             "\"description\":\"d\",\"matching_attributes\":[\"domain\",\"url\","
                             "\"email-src\"],\"list\":[\"Example.COM.\",\"*.cdn.example\",\".dot.example\"]}",
                          NULL), ALD_E_OK);
    assert_int_equal(load(s, "{\"name\":\"exact\",\"type\":\"string\",\"version\":1,"
                             "\"description\":\"d\",\"matching_attributes\":[\"hostname\",\"md5\"],"
                             "\"list\":[\"LOCALHOST\",\"d41d8cd98f00b204e9800998ecf8427e\"]}", NULL),
                     ALD_E_OK);
    assert_int_equal(load(s, "{\"name\":\"sub\",\"type\":\"substring\",\"version\":1,"
                             "\"description\":\"d\",\"list\":[\"sinkhole\"]}", NULL), ALD_E_OK);
    assert_int_equal(load(s, "{\"name\":\"re\",\"type\":\"regex\",\"version\":1,"
                             "\"description\":\"d\",\"matching_attributes\":[\"url\"],"
                             "\"list\":[\"/^https?:\\\\/\\\\/[^/]+\\\\.blogspot\\\\.[a-z]+\\\\//i\","
                             "\"^ftp://\"]}", NULL), ALD_E_OK);
    assert_int_equal(ald_wlset_count(s), 5);
    /* the cidr list kept its 5 good entries */
    assert_int_equal(ald_wlset_entries(s, 0), 5);
    assert_string_equal(ald_wlset_type(s, 0), "cidr");

    /* cidr: exact addresses, prefixes, IPv6, edges */
    assert_string_equal(m(s, ALD_OBS_IPV4, "8.8.8.8"), "resolvers");
    assert_string_equal(m(s, ALD_OBS_IPV4, "9.9.9.9"), "resolvers");
    assert_null(m(s, ALD_OBS_IPV4, "8.8.8.9"));
    assert_string_equal(m(s, ALD_OBS_IPV4, "1.1.1.0"), "resolvers");
    assert_string_equal(m(s, ALD_OBS_IPV4, "1.1.1.255"), "resolvers");
    assert_null(m(s, ALD_OBS_IPV4, "1.1.2.0"));
    assert_null(m(s, ALD_OBS_IPV4, "1.1.0.255"));
    assert_string_equal(m(s, ALD_OBS_IPV6, "2001:4860:4860::8888"), "resolvers");
    assert_string_equal(m(s, ALD_OBS_IPV6, "2606:4700:ffff::1"), "resolvers");
    assert_null(m(s, ALD_OBS_IPV6, "2606:4701::1"));
    /* a resolver list does not veto a domain, even one spelled like an IP */
    assert_null(m(s, ALD_OBS_DOMAIN, "8.8.8.8"));

    /* hostname: the name and its subdomains, case and final dot ignored */
    assert_string_equal(m(s, ALD_OBS_DOMAIN, "example.com"), "tops");
    assert_string_equal(m(s, ALD_OBS_DOMAIN, "WWW.Example.com."), "tops");
    assert_string_equal(m(s, ALD_OBS_DOMAIN, "a.cdn.example"), "tops");
    assert_string_equal(m(s, ALD_OBS_DOMAIN, "cdn.example"), "tops");
    assert_string_equal(m(s, ALD_OBS_DOMAIN, "x.dot.example"), "tops");
    assert_null(m(s, ALD_OBS_DOMAIN, "notexample.com"));
    assert_null(m(s, ALD_OBS_DOMAIN, "example.com.evil"));
    /* URL: by its host (scheme, user, port, path, query ignored); e-mail by
     * its domain */
    assert_string_equal(m(s, ALD_OBS_URL, "https://user:pw@www.example.com:8443/a?b#c"), "tops");
    assert_string_equal(m(s, ALD_OBS_URL, "www.example.com/path"), "tops");
    assert_null(m(s, ALD_OBS_URL, "https://evil.test/www.example.com"));
    assert_string_equal(m(s, ALD_OBS_EMAIL, "someone@mail.example.com"), "tops");
    /* the hostname list is not for hashes */
    assert_null(m(s, ALD_OBS_MD5, "example.com"));

    /* string: equal, case ignored; not subdomains */
    assert_string_equal(m(s, ALD_OBS_DOMAIN, "localhost"), "exact");
    assert_null(m(s, ALD_OBS_DOMAIN, "a.localhost"));
    assert_string_equal(m(s, ALD_OBS_MD5, "D41D8CD98F00B204E9800998ECF8427E"), "exact");
    assert_null(m(s, ALD_OBS_SHA1, "d41d8cd98f00b204e9800998ecf8427e"));

    /* substring (no matching_attributes: every kind) */
    assert_string_equal(m(s, ALD_OBS_DOMAIN, "ns1.SinkHole.example.org"), "sub");
    assert_string_equal(m(s, ALD_OBS_EMAIL, "abuse@sinkhole.test"), "sub");
    assert_null(m(s, ALD_OBS_DOMAIN, "sink.hole"));

    /* regex: PHP-style delimiters and flags, or bare */
    assert_string_equal(m(s, ALD_OBS_URL, "HTTP://foo.blogspot.com/x"), "re");
    assert_string_equal(m(s, ALD_OBS_URL, "ftp://files.test/a"), "re");
    assert_null(m(s, ALD_OBS_URL, "http://foo.blogspot.com"));
    assert_null(m(s, ALD_OBS_DOMAIN, "ftp://files.test/a"));

    /* all lists holding a value, in load order; the first one for match */
    const char *t2 = "{\"name\":\"tops2\",\"type\":\"string\",\"list\":[\"example.com\"]}";
    assert_int_equal(ald_wlset_load_json(s, t2, strlen(t2), "o", NULL), ALD_E_OK);
    size_t idx[8];
    assert_int_equal(ald_wlset_match_all(s, ALD_OBS_DOMAIN, "example.com", 11, idx, 8), 2);
    assert_int_equal(idx[0], 1);
    assert_int_equal(idx[1], 5);
    assert_string_equal(ald_wlset_origin(s, 5), "o");
    assert_string_equal(m(s, ALD_OBS_DOMAIN, "example.com"), "tops");
    ald_wlset_free(s);
}

static void load_errors(void **state)
{
    (void)state;
    ald_wlset *s = ald_wlset_new();
    struct ald_errpos ep;
    assert_int_equal(load(s, "{\"name\": \"x\",\n \"list\": [", &ep), ALD_E_JSON);
    assert_int_equal(ep.line, 2);
    assert_int_equal(load(s, "[]", &ep), ALD_E_MISP);
    assert_int_equal(load(s, "{\"type\":\"string\",\"list\":[]}", &ep), ALD_E_MISP);
    assert_non_null(strstr(ep.msg, "'name'"));
    assert_int_equal(load(s, "{\"name\":\"x\",\"type\":\"glob\",\"list\":[]}", &ep), ALD_E_MISP);
    assert_non_null(strstr(ep.msg, "unknown list type 'glob'"));
    assert_int_equal(load(s, "{\"name\":\"x\",\"type\":\"string\",\"list\":[\"a\",2]}", &ep),
                     ALD_E_MISP);
    assert_non_null(strstr(ep.msg, "list[1]"));
    assert_int_equal(load(s, "{\"name\":\"x\",\"type\":\"cidr\",\"list\":[\"nope\",\"1.2.3\"]}",
                          &ep), ALD_E_MISP);
    assert_int_equal(load(s, "{\"name\":\"x\",\"type\":\"regex\",\"list\":[\"(\"]}", &ep),
                     ALD_E_MISP);
    assert_int_equal(load(s, "{\"name\":\"x\",\"type\":\"string\",\"matching_attributes\":\"md5\","
                             "\"list\":[]}", &ep), ALD_E_MISP);
    /* nothing was added; the set still works */
    assert_int_equal(ald_wlset_count(s), 0);
    assert_null(m(s, ALD_OBS_DOMAIN, "x"));
    assert_int_equal(load(s, "{\"name\":\"x\",\"type\":\"string\",\"list\":[\"a\"]}", &ep),
                     ALD_E_OK);
    assert_string_equal(m(s, ALD_OBS_DOMAIN, "A"), "x");
    /* out-of-range kinds and NULL sets are harmless */
    assert_null(ald_wlset_match(s, ALD_OBS__COUNT, "a", 1));
    assert_null(ald_wlset_match(NULL, ALD_OBS_DOMAIN, "a", 1));
    ald_wlset_free(s);
}

static size_t load_dir(ald_wlset *s, const char *dir, const char *const *names, size_t n)
{
    char path[8192];
    size_t ok = 0;
    for (size_t i = 0; i < n; i++) {
        snprintf(path, sizeof path, "%.4000s/%.200s/list.json", dir, names[i]);
        size_t len;
        char *text = tu_read_file(path, &len);
        assert_non_null(text);
        struct ald_errpos ep;
        ald_err e = ald_wlset_load_json(s, text, len, names[i], &ep);
        if (e != ALD_E_OK)
            print_message("%s: %s\n", path, ep.msg);
        ok += e == ALD_E_OK;
        free(text);
    }
    return ok;
}

/* The upstream lists committed under tests/data (CC0). */
static void committed_lists(void **state)
{
    (void)state;
    static const char *const names[] = {"rfc1918", "public-dns-v6", "empty-hashes",
                                        "url-shortener", "tlds", "rfc5735",
                                        "security-provider-blogpost"};
    char dir[4096];
    snprintf(dir, sizeof dir, "%s", tu_testdata("misp/warninglists"));
    ald_wlset *s = ald_wlset_new();
    assert_int_equal(load_dir(s, dir, names, 7), 7);
    assert_string_equal(m(s, ALD_OBS_IPV4, "192.168.1.10"), "List of RFC 1918 CIDR blocks");
    assert_string_equal(m(s, ALD_OBS_IPV4, "127.0.0.1"), "List of RFC 5735 CIDR blocks");
    /* TEST-NET-2 is special use (RFC 5735); a public address is on none */
    assert_string_equal(m(s, ALD_OBS_IPV4, "198.51.100.7"), "List of RFC 5735 CIDR blocks");
    assert_null(m(s, ALD_OBS_IPV4, "93.184.216.34"));
    assert_string_equal(m(s, ALD_OBS_IPV6, "2001:4860:4860::8844"),
                        "List of known IPv6 public DNS resolvers");
    assert_string_equal(m(s, ALD_OBS_SHA256,
                          "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"),
                        "List of known hashes for empty files");
    assert_string_equal(m(s, ALD_OBS_URL, "https://bit.ly/3xYz"),
                        "List of known URL Shorteners domains");
    assert_string_equal(m(s, ALD_OBS_DOMAIN, "ORG"), "TLDs as known by IANA");
    /* matching_attributes: the resolver list is for addresses only, the
     * TLD list for domains only */
    assert_null(m(s, ALD_OBS_DOMAIN, "192.168.1.10"));
    assert_null(m(s, ALD_OBS_MD5, "org"));
    /* a malicious domain is on none */
    assert_null(m(s, ALD_OBS_DOMAIN, "evil.example.com"));
    ald_wlset_free(s);
}

static double ms_since(const struct timespec *t0)
{
    struct timespec t1;
    clock_gettime(CLOCK_MONOTONIC, &t1);
    return (double)(t1.tv_sec - t0->tv_sec) * 1e3 + (double)(t1.tv_nsec - t0->tv_nsec) / 1e6;
}

/* All 19 real lists of ../shared/data, with the load time. */
static void shared_lists(void **state)
{
    (void)state;
    TU_NEED_SHARED(dir, "cti/misp/warninglists");
    static const char *const names[] = {
        "akamai", "cisco_top1000", "common-ioc-false-positive", "crl-ip", "empty-hashes",
        "google-gmail-sending-ips", "ipv6-linklocal", "microsoft-office365-ip", "multicast",
        "public-dns-v6", "rfc1918", "rfc5735", "rfc6761", "security-provider-blogpost",
        "sinkholes", "tlds", "tranco10k", "url-shortener", "whats-my-ip"};
    char d[4096];
    snprintf(d, sizeof d, "%s", dir);
    struct timespec t0;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    ald_wlset *s = ald_wlset_new();
    assert_int_equal(load_dir(s, d, names, 19), 19);
    double ms = ms_since(&t0);
    size_t total = 0;
    for (size_t i = 0; i < ald_wlset_count(s); i++)
        total += ald_wlset_entries(s, i);
    print_message("19 shared lists, %zu entries: read and loaded in %.1f ms\n", total, ms);
    assert_string_equal(ald_wlset_origin(s, 0), "akamai");
    assert_non_null(m(s, ALD_OBS_DOMAIN, "www.google.com"));
    assert_non_null(m(s, ALD_OBS_URL, "http://whatismyipaddress.com/"));
    assert_string_equal(m(s, ALD_OBS_IPV6, "fe80::1"), "List of IPv6 link local blocks");
    assert_string_equal(m(s, ALD_OBS_IPV4, "224.0.0.251"), "List of RFC 5771 multicast CIDR blocks");
    assert_string_equal(m(s, ALD_OBS_IPV4, "10.0.0.1"), "List of RFC 1918 CIDR blocks");
    assert_null(m(s, ALD_OBS_DOMAIN, "evil-c2.example.net"));
    ald_wlset_free(s);
}

/* A generated top-1M style hostname list: load time and lookups. */
static void one_million(void **state)
{
    (void)state;
    const size_t n = 1000000;
    size_t cap = n * 32 + 256, len = 0;
    char *json = malloc(cap);
    assert_non_null(json);
    len += (size_t)snprintf(json, cap, "{\"name\":\"top1m\",\"type\":\"hostname\",\"version\":1,"
                            "\"description\":\"generated\",\"matching_attributes\":[\"domain\","
                            "\"hostname\",\"url\"],\"list\":[");
    for (size_t i = 0; i < n; i++)
        len += (size_t)snprintf(json + len, cap - len, "%s\"site%zu.example%zu.com\"", i ? "," : "",
                                i, i % 97);
    len += (size_t)snprintf(json + len, cap - len, "]}");
    struct timespec t0;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    ald_wlset *s = ald_wlset_new();
    assert_int_equal(ald_wlset_load_json(s, json, len, "top1m", NULL), ALD_E_OK);
    double load_ms = ms_since(&t0);
    assert_int_equal(ald_wlset_entries(s, 0), n);
    free(json);
    char v[96];
    size_t hits = 0;
    const size_t q = 2000000;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    for (size_t i = 0; i < q; i++) {
        /* half on the list (as a subdomain), half not */
        int k = i % 2 ? snprintf(v, sizeof v, "www.site%zu.example%zu.com", i % n, (i % n) % 97)
                      : snprintf(v, sizeof v, "www.site%zu.example%zu.org", i % n, (i % n) % 97);
        hits += ald_wlset_match(s, ALD_OBS_DOMAIN, v, (size_t)k) != NULL;
    }
    double look_ms = ms_since(&t0);
    assert_int_equal(hits, q / 2);
    print_message("1,000,000 host names: loaded in %.0f ms; %zu lookups in %.0f ms "
                  "(%.2f M lookups/s, 4 labels each)\n", load_ms, q, look_ms,
                  (double)q / look_ms / 1e3);
    ald_wlset_free(s);
}

static void guess_kind(void **state)
{
    (void)state;
    assert_int_equal(ald_wl_guess_kind("8.8.8.8", 7), ALD_OBS_IPV4);
    assert_int_equal(ald_wl_guess_kind("fe80::1", 7), ALD_OBS_IPV6);
    assert_int_equal(ald_wl_guess_kind("http://a.b/", 11), ALD_OBS_URL);
    assert_int_equal(ald_wl_guess_kind("a@b.c", 5), ALD_OBS_EMAIL);
    assert_int_equal(ald_wl_guess_kind("d41d8cd98f00b204e9800998ecf8427e", 32), ALD_OBS_MD5);
    assert_int_equal(ald_wl_guess_kind("da39a3ee5e6b4b0d3255bfef95601890afd80708", 40),
                     ALD_OBS_SHA1);
    assert_int_equal(ald_wl_guess_kind("example.com", 11), ALD_OBS_DOMAIN);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(list_types),
        cmocka_unit_test(load_errors),
        cmocka_unit_test(committed_lists),
        cmocka_unit_test(shared_lists),
        cmocka_unit_test(one_million),
        cmocka_unit_test(guess_kind),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
