/*
 * web_auth.h - the dashboard's operators (local accounts) and sessions.
 *
 * An operator is the store state "operator/<name>" holding
 * "pbkdf2-sha256$<iterations>$<salt hex>$<hash hex>" (PBKDF2-HMAC-SHA256,
 * RFC 8018, nettle; 16-byte random salt, 32-byte hash, iterations chosen
 * when the password is set so that one check takes about 50 ms of CPU on
 * this machine, at least 100,000). Sessions live in memory only (a restart logs
 * everyone out): a random 256-bit id (the cookie), a random 256-bit CSRF
 * token, idle expiry and an absolute lifetime. Failed logins are counted per
 * client address (at most WEB_LOGIN_FAILS per WEB_LOGIN_WINDOW_S).
 */
#ifndef ALD_SRC_WEB_AUTH_H
#define ALD_SRC_WEB_AUTH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "alidade/error.h"

#define OP_HASH_TEXT 192
#define OP_NAME_MAX 63
#define OP_STATE_PREFIX "operator/"
#define OP_MIN_ITERATIONS 100000u
#define OP_TARGET_MS 50

#define WEB_SESSION_MAX 256          /* sessions at once (the oldest idle one goes) */
#define WEB_SESSION_IDLE_S 1800      /* 30 min without a request */
#define WEB_SESSION_LIFE_S 43200     /* 12 h at most */
#define WEB_LOGIN_FAILS 5
#define WEB_LOGIN_WINDOW_S 60
#define WEB_TOKEN_HEX 65             /* 32 random bytes in hex + NUL */

/* Operator names: 1-63 of A-Z a-z 0-9 . _ -, not starting with '-' or '.'. */
bool op_name_valid(const char *name);
/* PBKDF2 iterations that take about OP_TARGET_MS of CPU here (measured). */
unsigned op_calibrate(void);
/* The stored text for password (fresh salt). ALD_E_IO when the kernel's
 * random source fails. */
ald_err op_hash_new(const char *password, unsigned iterations, char out[OP_HASH_TEXT]);
/* Whether password matches stored, compared in constant time; a malformed
 * stored text never matches (but costs the same as a default check). */
bool op_hash_check(const char *stored, const char *password);
/* n random bytes as 2n hex digits + NUL into out. */
ald_err web_random_hex(char *out, size_t nbytes);

typedef struct web_sessions web_sessions;
web_sessions *web_sessions_new(void);
void web_sessions_free(web_sessions *s);

/* A new session for user: id and csrf written (WEB_TOKEN_HEX each). */
ald_err web_session_create(web_sessions *s, const char *user, int64_t now_s,
                           char id[WEB_TOKEN_HEX], char csrf[WEB_TOKEN_HEX]);
/* The live session with this cookie value (compared in constant time):
 * true with its user and csrf copied out; its idle clock restarts. */
bool web_session_find(web_sessions *s, const char *id, int64_t now_s,
                      char user[OP_NAME_MAX + 1], char csrf[WEB_TOKEN_HEX]);
void web_session_drop(web_sessions *s, const char *id);
/* Live sessions (for /metrics and tests). */
size_t web_sessions_count(web_sessions *s, int64_t now_s);

/* Login rate limit by client address text: false (and the seconds to wait)
 * when the address spent its failures in the window. */
bool web_login_allowed(web_sessions *s, const char *addr, int64_t now_s, int *retry_after);
void web_login_failed(web_sessions *s, const char *addr, int64_t now_s);
void web_login_succeeded(web_sessions *s, const char *addr);

/* Whether two NUL-terminated tokens are equal, in time that depends only
 * on the length of b. */
bool web_token_equal(const char *a, const char *b);

#endif
