/*
 * web_auth.c - operators' password hashes, dashboard sessions and the
 * login rate limit (web_auth.h). Secrets are compared with nettle's
 * memeql_sec (constant time); random bytes come from getrandom(2).
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <nettle/memops.h>
#include <nettle/pbkdf2.h>

#include "alidade/share.h"
#include "web_auth.h"

#define SALT_BYTES 16
#define HASH_BYTES 32
#define RL_SLOTS 1024                /* client addresses followed for the rate limit */

bool op_name_valid(const char *name)
{
    size_t n = name ? strlen(name) : 0;
    if (n == 0 || n > OP_NAME_MAX || name[0] == '-' || name[0] == '.')
        return false;
    for (size_t i = 0; i < n; i++) {
        char c = name[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '.' || c == '_' || c == '-'))
            return false;
    }
    return true;
}

static void to_hex(const uint8_t *b, size_t n, char *out)
{
    static const char hx[] = "0123456789abcdef";
    for (size_t i = 0; i < n; i++) {
        out[2 * i] = hx[b[i] >> 4];
        out[2 * i + 1] = hx[b[i] & 15];
    }
    out[2 * n] = '\0';
}

static bool from_hex(const char *s, size_t len, uint8_t *out, size_t n)
{
    if (len != 2 * n)
        return false;
    for (size_t i = 0; i < 2 * n; i++) {
        char c = s[i];
        int v = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
        if (v < 0)
            return false;
        if (i % 2 == 0)
            out[i / 2] = (uint8_t)(v << 4);
        else
            out[i / 2] |= (uint8_t)v;
    }
    return true;
}

ald_err web_random_hex(char *out, size_t nbytes)
{
    uint8_t b[64];
    if (nbytes > sizeof b)
        return ALD_E_ARG;
    ald_err e = share_random_bytes(b, nbytes);
    if (e == ALD_E_OK)
        to_hex(b, nbytes, out);
    return e;
}

/* CPU time of this thread: on a busy machine wall time counts the other
 * processes' turns too (a 20,000-iteration probe fits in one time slice, a
 * 400,000 one does not) and the calibration would come out 2-4x low. */
static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

unsigned op_calibrate(void)
{
    uint8_t out[HASH_BYTES], salt[SALT_BYTES] = {0};
    unsigned probe = 20000;
    double best = 1e9;
    for (int r = 0; r < 3; r++) {     /* the fastest of three: a busy machine inflates */
        double t0 = now_ms();
        pbkdf2_hmac_sha256(8, (const uint8_t *)"password", probe, sizeof salt, salt,
                           sizeof out, out);
        double dt = now_ms() - t0;
        if (dt < best)
            best = dt;
    }
    double it = best > 0 ? probe * (OP_TARGET_MS / best) : OP_MIN_ITERATIONS;
    if (it < OP_MIN_ITERATIONS)
        it = OP_MIN_ITERATIONS;
    if (it > 20000000)
        it = 20000000;
    return (unsigned)it;
}

ald_err op_hash_new(const char *password, unsigned iterations, char out[OP_HASH_TEXT])
{
    uint8_t salt[SALT_BYTES], h[HASH_BYTES];
    ald_err e = share_random_bytes(salt, sizeof salt);
    if (e != ALD_E_OK)
        return e;
    pbkdf2_hmac_sha256(strlen(password), (const uint8_t *)password, iterations, sizeof salt,
                       salt, sizeof h, h);
    char sx[2 * SALT_BYTES + 1], hx[2 * HASH_BYTES + 1];
    to_hex(salt, sizeof salt, sx);
    to_hex(h, sizeof h, hx);
    snprintf(out, OP_HASH_TEXT, "pbkdf2-sha256$%u$%s$%s", iterations, sx, hx);
    memset(h, 0, sizeof h);
    return ALD_E_OK;
}

bool op_hash_check(const char *stored, const char *password)
{
    uint8_t salt[SALT_BYTES] = {0}, want[HASH_BYTES] = {0}, got[HASH_BYTES];
    unsigned long it = OP_MIN_ITERATIONS;
    bool ok = false;
    const char *p = stored;
    if (p && strncmp(p, "pbkdf2-sha256$", 14) == 0) {
        char *end;
        errno = 0;
        it = strtoul(p + 14, &end, 10);
        const char *s1 = end, *s2 = *end == '$' ? strchr(end + 1, '$') : NULL;
        ok = !errno && *end == '$' && it >= 1000 && it <= 50000000 && s2 &&
             from_hex(s1 + 1, (size_t)(s2 - s1 - 1), salt, sizeof salt) &&
             from_hex(s2 + 1, strlen(s2 + 1), want, sizeof want);
        if (!ok)
            it = OP_MIN_ITERATIONS;
    }
    /* the work is done whatever the stored text: no shortcut tells a
     * malformed or missing account from a wrong password */
    pbkdf2_hmac_sha256(strlen(password), (const uint8_t *)password, (unsigned)it, sizeof salt,
                       salt, sizeof got, got);
    bool eq = memeql_sec(got, want, sizeof got);
    memset(got, 0, sizeof got);
    return ok && eq;
}

bool web_token_equal(const char *a, const char *b)
{
    size_t n = strlen(b);
    if (strlen(a) != n)
        return false;
    return memeql_sec(a, b, n);
}

/* ---- sessions ---- */

struct session {
    char id[WEB_TOKEN_HEX], csrf[WEB_TOKEN_HEX];
    char user[OP_NAME_MAX + 1];
    int64_t created, used;
    bool live;
};

struct ratelimit {
    char addr[48];
    int64_t window_start;
    int fails;
};

struct web_sessions {
    pthread_mutex_t mu;
    struct session s[WEB_SESSION_MAX];
    struct ratelimit rl[RL_SLOTS];
};

web_sessions *web_sessions_new(void)
{
    web_sessions *s = calloc(1, sizeof *s);
    if (s)
        pthread_mutex_init(&s->mu, NULL);
    return s;
}

void web_sessions_free(web_sessions *s)
{
    if (!s)
        return;
    pthread_mutex_destroy(&s->mu);
    memset(s, 0, sizeof *s);
    free(s);
}

static bool expired(const struct session *x, int64_t now)
{
    return !x->live || now - x->used > WEB_SESSION_IDLE_S || now - x->created > WEB_SESSION_LIFE_S;
}

ald_err web_session_create(web_sessions *s, const char *user, int64_t now_s,
                           char id[WEB_TOKEN_HEX], char csrf[WEB_TOKEN_HEX])
{
    ald_err e = web_random_hex(id, 32);
    if (e == ALD_E_OK)
        e = web_random_hex(csrf, 32);
    if (e != ALD_E_OK)
        return e;
    pthread_mutex_lock(&s->mu);
    size_t pick = 0;
    for (size_t i = 0; i < WEB_SESSION_MAX; i++) {
        if (expired(&s->s[i], now_s)) {
            pick = i;
            break;
        }
        if (s->s[i].used < s->s[pick].used)
            pick = i;                /* none free: the longest idle one goes */
    }
    struct session *x = &s->s[pick];
    memset(x, 0, sizeof *x);
    memcpy(x->id, id, WEB_TOKEN_HEX);
    memcpy(x->csrf, csrf, WEB_TOKEN_HEX);
    snprintf(x->user, sizeof x->user, "%s", user);
    x->created = x->used = now_s;
    x->live = true;
    pthread_mutex_unlock(&s->mu);
    return ALD_E_OK;
}

bool web_session_find(web_sessions *s, const char *id, int64_t now_s,
                      char user[OP_NAME_MAX + 1], char csrf[WEB_TOKEN_HEX])
{
    if (!id || strlen(id) != WEB_TOKEN_HEX - 1)
        return false;
    bool found = false;
    pthread_mutex_lock(&s->mu);
    /* every slot is compared (constant time per slot): the answer's timing
     * says nothing about how much of an id matched */
    for (size_t i = 0; i < WEB_SESSION_MAX; i++) {
        struct session *x = &s->s[i];
        bool eq = memeql_sec(x->id, id, WEB_TOKEN_HEX - 1);
        if (eq && !found && !expired(x, now_s)) {
            found = true;
            x->used = now_s;
            memcpy(user, x->user, sizeof x->user);
            memcpy(csrf, x->csrf, WEB_TOKEN_HEX);
        }
    }
    pthread_mutex_unlock(&s->mu);
    return found;
}

void web_session_drop(web_sessions *s, const char *id)
{
    if (!id || strlen(id) != WEB_TOKEN_HEX - 1)
        return;
    pthread_mutex_lock(&s->mu);
    for (size_t i = 0; i < WEB_SESSION_MAX; i++)
        if (memeql_sec(s->s[i].id, id, WEB_TOKEN_HEX - 1))
            memset(&s->s[i], 0, sizeof s->s[i]);
    pthread_mutex_unlock(&s->mu);
}

size_t web_sessions_count(web_sessions *s, int64_t now_s)
{
    size_t n = 0;
    pthread_mutex_lock(&s->mu);
    for (size_t i = 0; i < WEB_SESSION_MAX; i++)
        n += !expired(&s->s[i], now_s);
    pthread_mutex_unlock(&s->mu);
    return n;
}

/* ---- login rate limit ---- */

/* The slot of addr (a free or the stalest one when new); under mu. */
static struct ratelimit *rl_slot(web_sessions *s, const char *addr, int64_t now, bool make)
{
    struct ratelimit *pick = NULL;
    for (size_t i = 0; i < RL_SLOTS; i++) {
        struct ratelimit *r = &s->rl[i];
        if (r->addr[0] && strcmp(r->addr, addr) == 0)
            return r;
        if (!pick || r->window_start < pick->window_start)
            pick = r;
    }
    if (!make)
        return NULL;
    memset(pick, 0, sizeof *pick);
    snprintf(pick->addr, sizeof pick->addr, "%s", addr);
    pick->window_start = now;
    return pick;
}

bool web_login_allowed(web_sessions *s, const char *addr, int64_t now_s, int *retry_after)
{
    bool ok = true;
    pthread_mutex_lock(&s->mu);
    struct ratelimit *r = rl_slot(s, addr, now_s, false);
    if (r && now_s - r->window_start < WEB_LOGIN_WINDOW_S && r->fails >= WEB_LOGIN_FAILS) {
        ok = false;
        *retry_after = (int)(WEB_LOGIN_WINDOW_S - (now_s - r->window_start));
        if (*retry_after < 1)
            *retry_after = 1;
    }
    pthread_mutex_unlock(&s->mu);
    return ok;
}

void web_login_failed(web_sessions *s, const char *addr, int64_t now_s)
{
    pthread_mutex_lock(&s->mu);
    struct ratelimit *r = rl_slot(s, addr, now_s, true);
    if (now_s - r->window_start >= WEB_LOGIN_WINDOW_S) {
        r->window_start = now_s;
        r->fails = 0;
    }
    r->fails++;
    pthread_mutex_unlock(&s->mu);
}

void web_login_succeeded(web_sessions *s, const char *addr)
{
    pthread_mutex_lock(&s->mu);
    struct ratelimit *r = rl_slot(s, addr, 0, false);
    if (r)
        memset(r, 0, sizeof *r);
    pthread_mutex_unlock(&s->mu);
}
