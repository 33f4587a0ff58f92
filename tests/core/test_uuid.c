/*
 * test_uuid.c - SHA-1 against FIPS 180 test vectors and version 5 UUIDs
 * against RFC 4122's and Python uuid.uuid5's published values.
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

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(sha1_vectors),
        cmocka_unit_test(uuid5_dns_example),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
