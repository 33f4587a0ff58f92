/*
 * test_token.c - partner tokens (lib/share/token.c): SHA-256 against the
 * FIPS 180-2 / NIST example vectors, token length and base64url alphabet,
 * the 32 random bytes decoded back, every bit seen both ways, no repeats in
 * 20,000 tokens, constant-time compare correctness, token shape check.
 */
#include "testutil.h"

#include <stdlib.h>
#include <string.h>

#include <nettle/base64.h>

#include "alidade/share.h"

static void sha256_vectors(void **state)
{
    (void)state;
    char h[65];
    share_token_hash("abc", 3, h);
    assert_string_equal(h, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    share_token_hash("", 0, h);
    assert_string_equal(h, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    const char *two = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
    share_token_hash(two, strlen(two), h);
    assert_string_equal(h, "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
    static char million[1000000];
    memset(million, 'a', sizeof million);
    share_token_hash(million, sizeof million, h);
    assert_string_equal(h, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
    /* a token as the CLI would hash it: python3 hashlib.sha256, 2026-11-23 */
    const char *tok = "hPZ3y0l6p9WqvKQm0v3H3tqD8e5m7c1V0yXbq2nKk8A";
    share_token_hash(tok, strlen(tok), h);
    assert_string_equal(h, "e9616a07b46c422b0207b2f36531dc539d71f56a04e468e07a447ad4d398ed50");
}

static bool b64url_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           c == '-' || c == '_';
}

static int cmp_tok(const void *a, const void *b)
{
    return strcmp((const char *)a, (const char *)b);
}

#define NTOK 20000

static void tokens_shape_and_unique(void **state)
{
    (void)state;
    char (*t)[SHARE_TOKEN_TEXT] = malloc(NTOK * sizeof *t);
    assert_non_null(t);
    unsigned ones[256] = {0};
    for (size_t i = 0; i < NTOK; i++) {
        assert_int_equal(share_token_new(t[i]), ALD_E_OK);
        assert_int_equal(strlen(t[i]), 43);
        for (size_t k = 0; k < 43; k++)
            assert_true(b64url_char(t[i][k]));
        assert_true(share_token_well_formed(t[i], 43));
        /* decodes back to exactly 32 bytes */
        struct base64_decode_ctx d;
        uint8_t raw[40];
        size_t n = sizeof raw;
        base64url_decode_init(&d);
        assert_true(base64_decode_update(&d, &n, raw, 43, t[i]));
        assert_int_equal(n, 32);
        for (size_t b = 0; b < 256; b++)
            ones[b] += (raw[b / 8] >> (b % 8)) & 1;
    }
    /* each bit is random: 20,000 draws give 10,000 +- 71 ones; 9,500..10,500
     * is 7 standard deviations */
    for (size_t b = 0; b < 256; b++) {
        assert_in_range(ones[b], 9500, 10500);
    }
    qsort(t, NTOK, sizeof *t, cmp_tok);
    for (size_t i = 1; i < NTOK; i++)
        assert_true(strcmp(t[i - 1], t[i]) != 0);
    free(t);
}

static void hash_equal(void **state)
{
    (void)state;
    char a[65], b[65];
    share_token_hash("one", 3, a);
    share_token_hash("one", 3, b);
    assert_true(share_hash_equal(a, b));
    share_token_hash("two", 3, b);
    assert_false(share_hash_equal(a, b));
    /* one character differs, first or last */
    memcpy(b, a, sizeof b);
    b[0] = b[0] == '0' ? '1' : '0';
    assert_false(share_hash_equal(a, b));
    memcpy(b, a, sizeof b);
    b[63] = b[63] == '0' ? '1' : '0';
    assert_false(share_hash_equal(a, b));
    /* prefix, empty, NULL */
    memcpy(b, a, sizeof b);
    b[63] = 0;
    assert_false(share_hash_equal(a, b));
    assert_false(share_hash_equal(a, ""));
    assert_true(share_hash_equal("", ""));
    assert_false(share_hash_equal(a, NULL));
    assert_false(share_hash_equal(NULL, a));
}

static void well_formed(void **state)
{
    (void)state;
    const char *ok = "hPZ3y0l6p9WqvKQm0v3H3tqD8e5m7c1V0yXbq2nKk8A";
    assert_true(share_token_well_formed(ok, 43));
    assert_false(share_token_well_formed(ok, 42));
    assert_false(share_token_well_formed("hPZ3y0l6p9WqvKQm0v3H3tqD8e5m7c1V0yXbq2nKk8A=", 44));
    assert_false(share_token_well_formed("hPZ3y0l6p9WqvKQm0v3H3tqD8e5m7c1V0yXbq2nK+8A", 43));
    assert_false(share_token_well_formed("hPZ3y0l6p9WqvKQm0v3H3tqD8e5m7c1V0yXbq2nK/8A", 43));
    /* the last character carries two zero padding bits: 'B' cannot end one */
    assert_false(share_token_well_formed("hPZ3y0l6p9WqvKQm0v3H3tqD8e5m7c1V0yXbq2nKk8B", 43));
    assert_false(share_token_well_formed(NULL, 0));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(sha256_vectors),
        cmocka_unit_test(tokens_shape_and_unique),
        cmocka_unit_test(hash_equal),
        cmocka_unit_test(well_formed),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
