/*
 * token.c - partner bearer tokens: 32 bytes from getrandom(2) written as 43
 * base64url characters (RFC 4648 section 5, no padding: nettle's encoder
 * with the '=' it pads dropped), kept by the store only as hex SHA-256
 * (FIPS 180-4, nettle) and compared in constant time (nettle memeql_sec).
 * Checked in tests/share/test_token.c (FIPS 180 vectors, alphabet, length,
 * uniqueness).
 */
#include "alidade/share.h"

#include <errno.h>
#include <string.h>
#include <sys/random.h>

#include <nettle/base64.h>
#include <nettle/memops.h>
#include <nettle/sha2.h>

#define TOKEN_BYTES 32
#define TOKEN_CHARS 43               /* ceil(32 * 8 / 6) */

ald_err share_random_bytes(uint8_t *buf, size_t n)
{
    size_t got = 0;
    while (got < n) {
        ssize_t r = getrandom(buf + got, n - got, 0);
        if (r < 0) {
            if (errno == EINTR)
                continue;
            return ALD_E_IO;
        }
        got += (size_t)r;
    }
    return ALD_E_OK;
}

ald_err share_token_new(char out[SHARE_TOKEN_TEXT])
{
    uint8_t raw[TOKEN_BYTES];
    out[0] = 0;
    ald_err e = share_random_bytes(raw, sizeof raw);
    if (e != ALD_E_OK)
        return e;
    char enc[BASE64_ENCODE_LENGTH(TOKEN_BYTES) + BASE64_ENCODE_FINAL_LENGTH + 1];
    struct base64_encode_ctx ctx;
    base64url_encode_init(&ctx);
    size_t n = base64_encode_update(&ctx, enc, sizeof raw, raw);
    n += base64_encode_final(&ctx, enc + n);
    while (n && enc[n - 1] == '=')
        n--;
    /* the secret leaves no copy behind on the stack */
    memset(raw, 0, sizeof raw);
    __asm__ __volatile__("" : : "r"(raw) : "memory");
    if (n != TOKEN_CHARS)
        return ALD_E_IO;
    memcpy(out, enc, n);
    out[n] = 0;
    memset(enc, 0, sizeof enc);
    __asm__ __volatile__("" : : "r"(enc) : "memory");
    return ALD_E_OK;
}

void share_token_hash(const char *token, size_t len, char out[65])
{
    static const char hex[] = "0123456789abcdef";
    struct sha256_ctx c;
    uint8_t d[SHA256_DIGEST_SIZE];
    sha256_init(&c);
    sha256_update(&c, len, (const uint8_t *)token);
    sha256_digest(&c, sizeof d, d);
    for (size_t i = 0; i < sizeof d; i++) {
        out[2 * i] = hex[d[i] >> 4];
        out[2 * i + 1] = hex[d[i] & 15];
    }
    out[64] = 0;
}

bool share_hash_equal(const char *a, const char *b)
{
    if (!a || !b)
        return false;
    size_t n = strlen(a);
    if (n != strlen(b))
        return false;
    return memeql_sec(a, b, n) != 0;
}

bool share_token_well_formed(const char *s, size_t len)
{
    if (!s || len != TOKEN_CHARS)
        return false;
    for (size_t i = 0; i < len; i++) {
        char c = s[i];
        bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                  c == '-' || c == '_';
        if (!ok)
            return false;
    }
    /* 43 characters carry 258 bits: the last one holds 2 padding bits, which
     * the encoder writes as 0 (so it is one of A E I M Q U Y c g k o s w 0 4 8) */
    static const char last[] = "AEIMQUYcgkosw048";
    return strchr(last, s[len - 1]) != NULL;
}
