/*
 * test_uuid.c - SHA-1 against FIPS 180 test vectors (whole and fed in
 * pieces) and version 5 UUIDs against RFC 9562's example (appendix A.4) and
 * values computed with Python 3.11's uuid.uuid5 on 2026-11-23.
 */
#include "testutil.h"

#include <stdio.h>
#include <string.h>

#include "core/uuid.h"

static void hexof(const uint8_t *d, char out[41])
{
    for (int i = 0; i < 20; i++)
        sprintf(out + 2 * i, "%02x", d[i]);
}

static void sha1_vectors(void **state)
{
    (void)state;
    uint8_t d[20];
    char h[41];
    ald_sha1("abc", 3, d);
    hexof(d, h);
    assert_string_equal(h, "a9993e364706816aba3e25717850c26c9cd0d89d");
    ald_sha1("", 0, d);
    hexof(d, h);
    assert_string_equal(h, "da39a3ee5e6b4b0d3255bfef95601890afd80709");
    const char *two = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
    ald_sha1(two, strlen(two), d);
    hexof(d, h);
    assert_string_equal(h, "84983e441c3bd26ebaae4aa1f95129e5e54670f1");
    static char million[1000000];
    memset(million, 'a', sizeof million);
    ald_sha1(million, sizeof million, d);
    hexof(d, h);
    assert_string_equal(h, "34aa973cd4c4daa4f61eeb2bdbad27316534016f");
}

static void uuid5_dns_example(void **state)
{
    (void)state;
    /* RFC 4122 NameSpace_DNS; uuid.uuid5(uuid.NAMESPACE_DNS, "python.org") */
    const uint8_t dns[16] = {0x6b, 0xa7, 0xb8, 0x10, 0x9d, 0xad, 0x11, 0xd1,
                             0x80, 0xb4, 0x00, 0xc0, 0x4f, 0xd4, 0x30, 0xc8};
    char u[37];
    ald_uuid5(dns, "python.org", 10, u);
    assert_string_equal(u, "886313e1-3b8a-5372-9b90-0c9aee199e5d");
    /* STIX 2.1's namespace for deterministic SCO ids over the JSON
     * {"value":"198.51.100.3"}; value from Python's uuid.uuid5 */
    const uint8_t stix[16] = {0x00, 0xab, 0xed, 0xb4, 0xaa, 0x42, 0x46, 0x6c,
                              0x9c, 0x01, 0xfe, 0xd2, 0x33, 0x15, 0xa9, 0xb7};
    const char *v = "{\"value\":\"198.51.100.3\"}";
    ald_uuid5(stix, v, strlen(v), u);
    assert_string_equal(u, "28bb3599-77cd-5a82-a950-b5bc3caf07c4");
}

/* Every split of the input gives the digest of the whole. */
static void sha1_pieces(void **state)
{
    (void)state;
    char msg[200];
    for (int i = 0; i < 200; i++)
        msg[i] = (char)('a' + i % 26);
    uint8_t whole[20], d[20];
    for (size_t n = 0; n <= 200; n += 7) {
        ald_sha1(msg, n, whole);
        for (size_t cut = 0; cut <= n; cut++) {
            struct ald_sha1 c;
            ald_sha1_init(&c);
            ald_sha1_update(&c, msg, cut);
            ald_sha1_update(&c, msg + cut, n - cut);
            ald_sha1_final(&c, d);
            assert_memory_equal(d, whole, 20);
        }
    }
    /* the FIPS "abc" vector one byte at a time */
    struct ald_sha1 c;
    char h[41];
    ald_sha1_init(&c);
    ald_sha1_update(&c, "a", 1);
    ald_sha1_update(&c, "b", 1);
    ald_sha1_update(&c, "c", 1);
    ald_sha1_final(&c, d);
    hexof(d, h);
    assert_string_equal(h, "a9993e364706816aba3e25717850c26c9cd0d89d");
}

static void uuid5_rfc9562_and_python(void **state)
{
    (void)state;
    const uint8_t dns[16] = {0x6b, 0xa7, 0xb8, 0x10, 0x9d, 0xad, 0x11, 0xd1,
                             0x80, 0xb4, 0x00, 0xc0, 0x4f, 0xd4, 0x30, 0xc8};
    const uint8_t url[16] = {0x6b, 0xa7, 0xb8, 0x11, 0x9d, 0xad, 0x11, 0xd1,
                             0x80, 0xb4, 0x00, 0xc0, 0x4f, 0xd4, 0x30, 0xc8};
    const uint8_t oid[16] = {0x6b, 0xa7, 0xb8, 0x12, 0x9d, 0xad, 0x11, 0xd1,
                             0x80, 0xb4, 0x00, 0xc0, 0x4f, 0xd4, 0x30, 0xc8};
    const uint8_t x500[16] = {0x6b, 0xa7, 0xb8, 0x14, 0x9d, 0xad, 0x11, 0xd1,
                              0x80, 0xb4, 0x00, 0xc0, 0x4f, 0xd4, 0x30, 0xc8};
    char u[37];
    /* RFC 9562 appendix A.4: UUIDv5 of "www.example.com" in NameSpace_DNS */
    ald_uuid5(dns, "www.example.com", 15, u);
    assert_string_equal(u, "2ed6657d-e927-568b-95e1-2665a8aea6a2");
    /* uuid.uuid5(uuid.NAMESPACE_URL, "https://docs.oasis-open.org/cti/stix/v2.1/") */
    const char *s = "https://docs.oasis-open.org/cti/stix/v2.1/";
    ald_uuid5(url, s, strlen(s), u);
    assert_string_equal(u, "3af40981-af26-5ba4-9600-67d421e1dc0a");
    /* uuid.uuid5(uuid.NAMESPACE_OID, "") */
    ald_uuid5(oid, "", 0, u);
    assert_string_equal(u, "0a68eb57-c88a-5f34-9e9d-27f85e68af4f");
    /* uuid.uuid5(uuid.NAMESPACE_X500, "x" * 512) and "x" * 600: names of
     * any length count whole (an earlier version cut them at 512 bytes) */
    static char xs[600];
    memset(xs, 'x', sizeof xs);
    ald_uuid5(x500, xs, 512, u);
    assert_string_equal(u, "b8aebdb7-1b4e-51ff-9dac-0380a063b1e2");
    ald_uuid5(x500, xs, 600, u);
    assert_string_equal(u, "8b76489c-93a5-5029-ab32-2134e204fa26");
    /* alidade's STIX namespace f2c350da-ec4b-416a-a9b3-db1421e0d7d2:
     * uuid.uuid5(ns, "identity|alidade"), the publisher's id (stix.c) */
    const uint8_t ald[16] = {0xf2, 0xc3, 0x50, 0xda, 0xec, 0x4b, 0x41, 0x6a,
                             0xa9, 0xb3, 0xdb, 0x14, 0x21, 0xe0, 0xd7, 0xd2};
    ald_uuid5(ald, "identity|alidade", 16, u);
    assert_string_equal(u, "8ca2df45-8660-5f85-b5d7-7f9ec6dd31c8");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(sha1_vectors),
        cmocka_unit_test(uuid5_dns_example),
        cmocka_unit_test(sha1_pieces),
        cmocka_unit_test(uuid5_rfc9562_and_python),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
