/*
 * test_web_auth.c - the dashboard's operators and sessions (src/web_auth.c):
 * PBKDF2-SHA256 against RFC 7914's published test vector (section 11), the
 * stored text and its check (wrong password, malformed text), the time of a
 * calibrated check, session ids and CSRF tokens (length, uniqueness,
 * constant-time lookup, idle expiry and logout), the login rate limit.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>
#include <nettle/pbkdf2.h>

#include "../../src/web_auth.h"

/* RFC 7914 section 11: PBKDF2-HMAC-SHA256 (P="passwd", S="salt", c=1,
 * dkLen=64) and (P="Password", S="NaCl", c=80000, dkLen=64). */
static void pbkdf2_vectors(void **state)
{
    (void)state;
    static const unsigned char v1[16] = {0x55, 0xac, 0x04, 0x6e, 0x56, 0xe3, 0x08, 0x9f,
                                         0xec, 0x16, 0x91, 0xc2, 0x25, 0x44, 0xb6, 0x05};
    static const unsigned char v2[16] = {0x4d, 0xdc, 0xd8, 0xf6, 0x0b, 0x98, 0xbe, 0x21,
                                         0x83, 0x0c, 0xee, 0x5e, 0xf2, 0x27, 0x01, 0xf9};
    unsigned char out[64];
    pbkdf2_hmac_sha256(6, (const uint8_t *)"passwd", 1, 4, (const uint8_t *)"salt", 64, out);
    assert_memory_equal(out, v1, 16);
    pbkdf2_hmac_sha256(8, (const uint8_t *)"Password", 80000, 4, (const uint8_t *)"NaCl", 64,
                       out);
    assert_memory_equal(out, v2, 16);
}

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);   /* CPU: the machine may be busy */
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static void hash_and_check(void **state)
{
    (void)state;
    char h1[OP_HASH_TEXT], h2[OP_HASH_TEXT];
    assert_int_equal(op_hash_new("correct horse", OP_MIN_ITERATIONS, h1), ALD_E_OK);
    assert_int_equal(op_hash_new("correct horse", OP_MIN_ITERATIONS, h2), ALD_E_OK);
    assert_string_not_equal(h1, h2);               /* fresh salt each time */
    assert_int_equal(strncmp(h1, "pbkdf2-sha256$100000$", 21), 0);
    assert_int_equal(strlen(h1), 21 + 32 + 1 + 64);
    assert_true(op_hash_check(h1, "correct horse"));
    assert_false(op_hash_check(h1, "correct horsf"));
    assert_false(op_hash_check(h1, ""));
    assert_false(op_hash_check(NULL, "correct horse"));
    assert_false(op_hash_check("pbkdf2-sha256$100000$zz$00", "correct horse"));
    assert_false(op_hash_check("md5$1$00$00", "correct horse"));
    char broken[OP_HASH_TEXT];
    snprintf(broken, sizeof broken, "%s", h1);
    broken[strlen(broken) - 1] = broken[strlen(broken) - 1] == '0' ? '1' : '0';
    assert_false(op_hash_check(broken, "correct horse"));
    /* a missing account costs a check too (no shortcut to time) */
    double t0 = now_ms();
    op_hash_check(NULL, "x");
    double miss = now_ms() - t0;
    t0 = now_ms();
    op_hash_check(h1, "x");
    double wrong = now_ms() - t0;
    printf("web_auth: 100,000 iterations: %.1f ms of CPU (wrong password), %.1f ms (no account)\n",
           wrong, miss);
    assert_true(miss > wrong / 3);
    unsigned it = op_calibrate();
    assert_true(it >= OP_MIN_ITERATIONS);
    char h3[OP_HASH_TEXT];
    assert_int_equal(op_hash_new("pw", it, h3), ALD_E_OK);
    t0 = now_ms();
    assert_true(op_hash_check(h3, "pw"));
    printf("web_auth: calibrated %u iterations: one check %.1f ms of CPU (target %d ms)\n", it,
           now_ms() - t0, OP_TARGET_MS);
}

static void names(void **state)
{
    (void)state;
    assert_true(op_name_valid("alice"));
    assert_true(op_name_valid("ops.team_1-a"));
    assert_false(op_name_valid(""));
    assert_false(op_name_valid("-x"));
    assert_false(op_name_valid(".x"));
    assert_false(op_name_valid("a/b"));
    assert_false(op_name_valid("a b"));
    char long_name[80];
    memset(long_name, 'a', 64);
    long_name[64] = 0;
    assert_false(op_name_valid(long_name));
    long_name[63] = 0;
    assert_true(op_name_valid(long_name));
}

static void sessions(void **state)
{
    (void)state;
    web_sessions *s = web_sessions_new();
    char id[WEB_TOKEN_HEX], csrf[WEB_TOKEN_HEX], id2[WEB_TOKEN_HEX], csrf2[WEB_TOKEN_HEX];
    assert_int_equal(web_session_create(s, "alice", 1000, id, csrf), ALD_E_OK);
    assert_int_equal(web_session_create(s, "bob", 1000, id2, csrf2), ALD_E_OK);
    assert_int_equal(strlen(id), 64);
    assert_int_equal(strlen(csrf), 64);
    assert_string_not_equal(id, id2);
    assert_string_not_equal(id, csrf);
    char user[OP_NAME_MAX + 1], c[WEB_TOKEN_HEX];
    assert_true(web_session_find(s, id, 1010, user, c));
    assert_string_equal(user, "alice");
    assert_string_equal(c, csrf);
    assert_true(web_session_find(s, id2, 1010, user, c));
    assert_string_equal(user, "bob");
    /* a near miss, a prefix, nothing */
    char near[WEB_TOKEN_HEX];
    memcpy(near, id, sizeof near);
    near[63] = near[63] == 'a' ? 'b' : 'a';
    assert_false(web_session_find(s, near, 1010, user, c));
    id[10] = 0;
    assert_false(web_session_find(s, id, 1010, user, c));
    id[10] = near[10];
    assert_false(web_session_find(s, NULL, 1010, user, c));
    assert_false(web_session_find(s, "", 1010, user, c));
    /* idle expiry: each use restarts the clock */
    assert_true(web_session_find(s, id, 1010 + WEB_SESSION_IDLE_S, user, c));
    assert_true(web_session_find(s, id, 1010 + 2 * WEB_SESSION_IDLE_S, user, c));
    assert_false(web_session_find(s, id2, 1010 + 2 * WEB_SESSION_IDLE_S, user, c));
    /* absolute lifetime */
    assert_false(web_session_find(s, id, 1000 + WEB_SESSION_LIFE_S + 1, user, c));
    assert_int_equal(web_sessions_count(s, 1000 + WEB_SESSION_LIFE_S + 1), 0);
    /* logout */
    assert_int_equal(web_session_create(s, "carol", 5000, id, csrf), ALD_E_OK);
    assert_true(web_session_find(s, id, 5001, user, c));
    web_session_drop(s, id);
    assert_false(web_session_find(s, id, 5002, user, c));
    /* more than WEB_SESSION_MAX: the longest idle goes, the others stay */
    char first[WEB_TOKEN_HEX], last[WEB_TOKEN_HEX];
    for (int i = 0; i <= WEB_SESSION_MAX; i++) {
        assert_int_equal(web_session_create(s, "u", 6000 + i, id, csrf), ALD_E_OK);
        if (i == 0)
            memcpy(first, id, sizeof first);
        memcpy(last, id, sizeof last);
    }
    assert_false(web_session_find(s, first, 6000 + WEB_SESSION_MAX, user, c));
    assert_true(web_session_find(s, last, 6000 + WEB_SESSION_MAX, user, c));
    assert_int_equal(web_sessions_count(s, 6000 + WEB_SESSION_MAX), WEB_SESSION_MAX);
    web_sessions_free(s);
}

static void rate_limit(void **state)
{
    (void)state;
    web_sessions *s = web_sessions_new();
    int retry = 0;
    for (int i = 0; i < WEB_LOGIN_FAILS; i++) {
        assert_true(web_login_allowed(s, "192.0.2.1", 100, &retry));
        web_login_failed(s, "192.0.2.1", 100);
    }
    assert_false(web_login_allowed(s, "192.0.2.1", 110, &retry));
    assert_int_equal(retry, WEB_LOGIN_WINDOW_S - 10);
    assert_true(web_login_allowed(s, "192.0.2.2", 110, &retry));    /* per address */
    assert_true(web_login_allowed(s, "192.0.2.1", 100 + WEB_LOGIN_WINDOW_S, &retry));
    /* a success clears the count */
    web_login_failed(s, "192.0.2.3", 200);
    web_login_succeeded(s, "192.0.2.3");
    for (int i = 0; i < WEB_LOGIN_FAILS - 1; i++)
        web_login_failed(s, "192.0.2.3", 201);
    assert_true(web_login_allowed(s, "192.0.2.3", 202, &retry));
    web_sessions_free(s);
}

static void tokens(void **state)
{
    (void)state;
    assert_true(web_token_equal("abc", "abc"));
    assert_false(web_token_equal("abc", "abd"));
    assert_false(web_token_equal("abc", "abcd"));
    assert_false(web_token_equal("", "a"));
    char a[WEB_TOKEN_HEX], b[WEB_TOKEN_HEX];
    assert_int_equal(web_random_hex(a, 32), ALD_E_OK);
    assert_int_equal(web_random_hex(b, 32), ALD_E_OK);
    assert_int_equal(strspn(a, "0123456789abcdef"), 64);
    assert_string_not_equal(a, b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(pbkdf2_vectors),
        cmocka_unit_test(hash_and_check),
        cmocka_unit_test(names),
        cmocka_unit_test(sessions),
        cmocka_unit_test(rate_limit),
        cmocka_unit_test(tokens),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
