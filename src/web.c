/*
 * web.c - the dashboard of `alidade serve` (node.h, docs/api.md): the
 * embedded front-end (GET / and /assets/..., web_assets.h), the operator's
 * session (POST /api/login, GET /api/me, POST /api/logout), and the
 * dispatch of the other /api/ names to web_api.c and web_sse.c.
 *
 * The dashboard owns only the names docs/api.md lists; every other path
 * is declined (web_answer returns false) so that the TAXII handler answers
 * it: the default TAXII API root is also /api/ (/api/collections/...,
 * /api/status/...). GET / without an embedded front-end is declined too:
 * cmd_serve.c then shows the old server-rendered page to loopback clients.
 *
 * Access: a session cookie (alidade_session, HttpOnly, SameSite=Strict,
 * Secure on HTTPS) opens the /api/ names; partners' Basic/Bearer credentials are
 * never looked at here, so they open nothing. Every non-GET needs the
 * session's CSRF token in X-CSRF-Token. The login is rate limited per
 * client address and answers the same for an unknown user and a wrong
 * password (and does the same PBKDF2 work for both).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>

#include <jansson.h>

#include "alidade/stix.h"
#include "clock.h"
#include "web_assets.h"
#include "web_internal.h"

#define COOKIE "alidade_session"
#define LOGIN_BODY_MAX 4096
#define ZONES_MAX (16u << 20)

static const char csp[] = "default-src 'self'; img-src 'self' data:; connect-src 'self'; "
                          "style-src 'self'; script-src 'self'; object-src 'none'; "
                          "base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

/* ---- answers ---- */

void web_security_headers(struct MHD_Response *r)
{
    MHD_add_response_header(r, "Content-Security-Policy", csp);
    MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
    MHD_add_response_header(r, "X-Frame-Options", "DENY");
    MHD_add_response_header(r, "Referrer-Policy", "no-referrer");
    MHD_add_response_header(r, "Cross-Origin-Opener-Policy", "same-origin");
}

enum MHD_Result web_send(struct MHD_Connection *conn, unsigned status, const char *type,
                         char *body, size_t len, const char *cache_control)
{
    struct MHD_Response *r = MHD_create_response_from_buffer(
        len, body ? body : (char *)"", body ? MHD_RESPMEM_MUST_FREE : MHD_RESPMEM_PERSISTENT);
    if (!r) {
        free(body);
        return MHD_NO;
    }
    if (type)
        MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, type);
    MHD_add_response_header(r, MHD_HTTP_HEADER_CACHE_CONTROL,
                            cache_control ? cache_control : "no-store");
    web_security_headers(r);
    enum MHD_Result ret = MHD_queue_response(conn, status, r);
    MHD_destroy_response(r);
    return ret;
}

enum MHD_Result web_send_json(struct MHD_Connection *conn, unsigned status, char *json)
{
    if (!json)
        return web_send_error(conn, 500, "out of memory");
    return web_send(conn, status, "application/json; charset=utf-8", json, strlen(json), NULL);
}

enum MHD_Result web_send_error(struct MHD_Connection *conn, unsigned status, const char *msg)
{
    json_t *o = json_pack("{ss}", "error", msg);
    char *s = o ? json_dumps(o, JSON_COMPACT) : NULL;
    json_decref(o);
    if (!s)
        return MHD_NO;
    return web_send(conn, status, "application/json; charset=utf-8", s, strlen(s), NULL);
}

/* ---- query parameters ---- */

bool web_arg_time(struct MHD_Connection *conn, const char *name, int64_t *out_us)
{
    const char *v = MHD_lookup_connection_value(conn, MHD_GET_ARGUMENT_KIND, name);
    if (!v || !*v)
        return true;
    char *end;
    errno = 0;
    double s = strtod(v, &end);
    if (!*end && !errno && isfinite(s) && fabs(s) < 1e11 && (v[0] == '-' || (v[0] >= '0' && v[0] <= '9'))) {
        *out_us = (int64_t)llround(s * 1e6);
        return true;
    }
    return stix_time_parse(v, strlen(v), out_us);
}

bool web_arg_size(struct MHD_Connection *conn, const char *name, size_t lo, size_t hi,
                  size_t *out)
{
    const char *v = MHD_lookup_connection_value(conn, MHD_GET_ARGUMENT_KIND, name);
    if (!v)
        return true;
    char *end;
    errno = 0;
    unsigned long long n = strtoull(v, &end, 10);
    if (!*v || *end || errno || v[0] == '-' || n < lo || n > hi)
        return false;
    *out = (size_t)n;
    return true;
}

bool web_arg_bbox(struct MHD_Connection *conn, double box[4], bool *given)
{
    const char *v = MHD_lookup_connection_value(conn, MHD_GET_ARGUMENT_KIND, "bbox");
    *given = false;
    if (!v)
        return true;
    double b[4];
    const char *p = v;
    for (int i = 0; i < 4; i++) {
        char *end;
        errno = 0;
        b[i] = strtod(p, &end);
        if (end == p || errno || !isfinite(b[i]) || (i < 3 ? *end != ',' : *end != '\0'))
            return false;
        p = end + 1;
    }
    /* W,S,E,N; W > E crosses the antimeridian */
    if (b[0] < -180 || b[0] > 180 || b[2] < -180 || b[2] > 180 || b[1] < -90 || b[3] > 90 ||
        b[1] > b[3])
        return false;
    memcpy(box, b, sizeof b);
    *given = true;
    return true;
}

/* ---- assets ---- */

/* Whether an Accept-Encoding value takes gzip: the token "gzip" (or "*")
 * without "q=0" after it. */
static bool accepts_gzip(const char *ae)
{
    for (const char *p = ae; *p;) {
        while (*p == ' ' || *p == ',')
            p++;
        const char *e = p;
        while (*e && *e != ',')
            e++;
        size_t tok = 0;
        while (p + tok < e && p[tok] != ';' && p[tok] != ' ')
            tok++;
        bool name = (tok == 4 && strncasecmp(p, "gzip", 4) == 0) || (tok == 1 && *p == '*');
        if (name) {
            const char *q = p + tok;
            while (q < e && (*q == ' ' || *q == ';'))
                q++;
            bool zero = e - q >= 3 && strncmp(q, "q=0", 3) == 0 &&
                        (e - q == 3 || q[3] == ' ' || (q[3] == '.' && strspn(q + 4, "0") >= (size_t)(e - q - 4)));
            return !zero;
        }
        p = e;
    }
    return false;
}

static enum MHD_Result send_asset(struct MHD_Connection *conn, const struct web_asset *a,
                                  bool index)
{
    const char *inm = MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
                                                  MHD_HTTP_HEADER_IF_NONE_MATCH);
    /* the page itself is revalidated each time (it names the assets); the
     * assets are kept a week and revalidated by ETag after that */
    const char *cc = index ? "no-cache" : "public, max-age=604800";
    bool same = inm && a->etag && strstr(inm, a->etag) != NULL;
    /* the gzip copy made at build time for a client that takes it (a small
     * partner's link: 1.1 MB of page becomes 0.29 MB) */
    const char *ae = MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
                                                 MHD_HTTP_HEADER_ACCEPT_ENCODING);
    bool gz = !same && a->gz && ae && accepts_gzip(ae);
    struct MHD_Response *r =
        same ? MHD_create_response_from_buffer(0, (void *)"", MHD_RESPMEM_PERSISTENT)
        : gz ? MHD_create_response_from_buffer(a->gz_len, (void *)a->gz, MHD_RESPMEM_PERSISTENT)
             : MHD_create_response_from_buffer(a->len, (void *)a->data, MHD_RESPMEM_PERSISTENT);
    if (!r)
        return MHD_NO;
    if (!same)
        MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, a->type);
    if (gz)
        MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_ENCODING, "gzip");
    if (a->gz)
        MHD_add_response_header(r, MHD_HTTP_HEADER_VARY, "Accept-Encoding");
    if (a->etag)
        MHD_add_response_header(r, MHD_HTTP_HEADER_ETAG, a->etag);
    MHD_add_response_header(r, MHD_HTTP_HEADER_CACHE_CONTROL, cc);
    web_security_headers(r);
    enum MHD_Result ret = MHD_queue_response(conn, same ? MHD_HTTP_NOT_MODIFIED : MHD_HTTP_OK, r);
    MHD_destroy_response(r);
    return ret;
}

/* ---- session ---- */

static void client_addr(struct MHD_Connection *conn, char *out, size_t cap)
{
    snprintf(out, cap, "?");
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    if (!ci || !ci->client_addr)
        return;
    const struct sockaddr *sa = ci->client_addr;
    if (sa->sa_family == AF_INET)
        inet_ntop(AF_INET, &((const struct sockaddr_in *)sa)->sin_addr, out, (socklen_t)cap);
    else if (sa->sa_family == AF_INET6)
        inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)sa)->sin6_addr, out, (socklen_t)cap);
}

static void set_cookie(web *w, struct MHD_Response *r, const char *id)
{
    char c[256];
    if (id)
        snprintf(c, sizeof c, COOKIE "=%s; Path=/; HttpOnly; SameSite=Strict%s", id,
                 w->env->https ? "; Secure" : "");
    else
        snprintf(c, sizeof c, COOKIE "=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0%s",
                 w->env->https ? "; Secure" : "");
    MHD_add_response_header(r, MHD_HTTP_HEADER_SET_COOKIE, c);
}

/* {"user":..,"csrf":..} with a Set-Cookie when id is given. */
static enum MHD_Result send_me(web *w, struct MHD_Connection *conn, const char *user,
                               const char *csrf, const char *id)
{
    json_t *o = json_pack("{ssss}", "user", user, "csrf", csrf);
    char *s = o ? json_dumps(o, JSON_COMPACT) : NULL;
    json_decref(o);
    if (!s)
        return MHD_NO;
    struct MHD_Response *r = MHD_create_response_from_buffer(strlen(s), s, MHD_RESPMEM_MUST_FREE);
    if (!r) {
        free(s);
        return MHD_NO;
    }
    MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, "application/json; charset=utf-8");
    MHD_add_response_header(r, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
    web_security_headers(r);
    if (id)
        set_cookie(w, r, id);
    enum MHD_Result ret = MHD_queue_response(conn, MHD_HTTP_OK, r);
    MHD_destroy_response(r);
    return ret;
}

/* The stored hash of an operator (NULL when none), from the store. */
static char *operator_hash(web *w, const char *user)
{
    if (!op_name_valid(user))
        return NULL;
    char key[sizeof OP_STATE_PREFIX + OP_NAME_MAX + 1];
    snprintf(key, sizeof key, "%s%s", OP_STATE_PREFIX, user);
    char *v = NULL;
    pthread_mutex_lock(&w->mu);
    ald_err e = store_state_get(w->st, key, &v);
    pthread_mutex_unlock(&w->mu);
    if (e != ALD_E_OK && e != ALD_E_NOT_FOUND)
        nlog_kv(w->env->log, NLOG_ERROR, "web", "operator lookup failed", "error",
                store_errmsg(w->st), NULL);
    return e == ALD_E_OK ? v : NULL;
}

static enum MHD_Result login(web *w, struct MHD_Connection *conn, const struct web_request *rq)
{
    char addr[64];
    client_addr(conn, addr, sizeof addr);
    int64_t now_s = clock_wall_us() / 1000000;
    int retry = 0;
    if (!web_login_allowed(w->sess, addr, now_s, &retry)) {
        char ra[16];
        snprintf(ra, sizeof ra, "%d", retry);
        json_t *o = json_pack("{ss}", "error", "too many failed logins from this address; "
                                              "retry later");
        char *s = o ? json_dumps(o, JSON_COMPACT) : NULL;
        json_decref(o);
        struct MHD_Response *r =
            s ? MHD_create_response_from_buffer(strlen(s), s, MHD_RESPMEM_MUST_FREE) : NULL;
        if (!r) {
            free(s);
            return MHD_NO;
        }
        MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, "application/json; charset=utf-8");
        MHD_add_response_header(r, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
        MHD_add_response_header(r, MHD_HTTP_HEADER_RETRY_AFTER, ra);
        web_security_headers(r);
        enum MHD_Result ret = MHD_queue_response(conn, 429, r);
        MHD_destroy_response(r);
        metrics_add(w->env->metrics, "alidade_dashboard_logins_total", "result", "limited", 1);
        nlog_kv(w->env->log, NLOG_WARN, "web", "login rate limited", "client", addr, NULL);
        return ret;
    }
    /* JSON only: a cross-site form cannot send it without a preflight */
    const char *ct = MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
                                                 MHD_HTTP_HEADER_CONTENT_TYPE);
    if (!ct || strncmp(ct, "application/json", 16) != 0)
        return web_send_error(conn, 415, "login wants Content-Type: application/json");
    if (!rq->body || rq->body_len == 0 || rq->body_len > LOGIN_BODY_MAX)
        return web_send_error(conn, 400, "login wants {\"user\":\"...\",\"password\":\"...\"}");
    json_t *o = json_loadb(rq->body, rq->body_len, 0, NULL);
    const char *user = json_string_value(json_object_get(o, "user"));
    const char *pw = json_string_value(json_object_get(o, "password"));
    if (!user || !pw) {
        json_decref(o);
        return web_send_error(conn, 400, "login wants {\"user\":\"...\",\"password\":\"...\"}");
    }
    char *stored = operator_hash(w, user);
    bool ok = op_hash_check(stored, pw);     /* the same work for an unknown user */
    free(stored);
    char name[OP_NAME_MAX + 1];
    snprintf(name, sizeof name, "%s", ok ? user : "");
    json_decref(o);
    if (!ok) {
        web_login_failed(w->sess, addr, now_s);
        metrics_add(w->env->metrics, "alidade_dashboard_logins_total", "result", "failed", 1);
        nlog_kv(w->env->log, NLOG_WARN, "web", "login failed", "client", addr, NULL);
        return web_send_error(conn, 401, "wrong user or password");
    }
    web_login_succeeded(w->sess, addr);
    metrics_add(w->env->metrics, "alidade_dashboard_logins_total", "result", "ok", 1);
    char id[WEB_TOKEN_HEX], csrf[WEB_TOKEN_HEX];
    if (web_session_create(w->sess, name, now_s, id, csrf) != ALD_E_OK)
        return web_send_error(conn, 500, "no random bytes for a session");
    pthread_mutex_lock(&w->mu);
    (void)store_audit(w->st, clock_wall_us(), "local", "operator-login", name, addr);
    pthread_mutex_unlock(&w->mu);
    nlog_kv(w->env->log, NLOG_INFO, "web", "login", "user", name, "client", addr, NULL);
    return send_me(w, conn, name, csrf, id);
}

static enum MHD_Result logout(web *w, struct MHD_Connection *conn, const char *id)
{
    web_session_drop(w->sess, id);
    struct MHD_Response *r = MHD_create_response_from_buffer(0, (void *)"",
                                                             MHD_RESPMEM_PERSISTENT);
    if (!r)
        return MHD_NO;
    MHD_add_response_header(r, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
    web_security_headers(r);
    set_cookie(w, r, NULL);
    enum MHD_Result ret = MHD_queue_response(conn, MHD_HTTP_NO_CONTENT, r);
    MHD_destroy_response(r);
    return ret;
}

/* ---- routing ---- */

enum route { R_NONE, R_LOGIN, R_ME, R_LOGOUT, R_VESSELS, R_VESSEL, R_EVENTS, R_ZONES,
             R_INDICATORS, R_SIGHTINGS, R_SHARING, R_STREAM };

/* The dashboard's name for an /api/ path, R_NONE for TAXII's. */
static enum route route_of(const char *path, const char **arg)
{
    static const struct { const char *name; enum route r; } names[] = {
        {"login", R_LOGIN}, {"me", R_ME}, {"logout", R_LOGOUT}, {"vessels", R_VESSELS},
        {"events", R_EVENTS}, {"zones", R_ZONES}, {"indicators/summary", R_INDICATORS},
        {"sightings", R_SIGHTINGS}, {"sharing", R_SHARING}, {"stream", R_STREAM},
    };
    if (strncmp(path, "/api/", 5) != 0)
        return R_NONE;
    const char *n = path + 5;
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (strcmp(n, names[i].name) == 0)
            return names[i].r;
    if (strncmp(n, "vessel/", 7) == 0) {
        *arg = n + 7;
        return R_VESSEL;
    }
    return R_NONE;
}

bool web_answer(web *w, struct MHD_Connection *conn, const struct web_request *rq,
                enum MHD_Result *ret)
{
    if (!w)
        return false;
    const char *path = rq->url;
    bool get = strcmp(rq->method, "GET") == 0 || strcmp(rq->method, "HEAD") == 0;
    if (strcmp(path, "/") == 0 || strcmp(path, "/index.html") == 0 ||
        strncmp(path, "/assets/", 8) == 0) {
        const struct web_asset *a = web_asset_find(path);
        if (!a) {
            if (strncmp(path, "/assets/", 8) != 0)
                return false;            /* no front-end embedded: the old page */
            *ret = web_send_error(conn, 404, "no such asset");
            return true;
        }
        *ret = get ? send_asset(conn, a, path[1] != 'a') : web_send_error(conn, 405, "GET only");
        return true;
    }
    const char *arg = NULL;
    enum route r = route_of(path, &arg);
    if (r == R_NONE)
        return false;
    bool want_post = r == R_LOGIN || r == R_LOGOUT;
    if (want_post ? strcmp(rq->method, "POST") != 0 : !get) {
        *ret = web_send_error(conn, 405, want_post ? "POST only" : "GET only");
        return true;
    }
    if (r == R_LOGIN) {
        *ret = login(w, conn, rq);
        return true;
    }
    /* the session cookie, and nothing else, opens the rest */
    struct web_call c = {.w = w, .conn = conn, .rq = rq, .path = path,
                         .now_us = clock_wall_us()};
    const char *id = MHD_lookup_connection_value(conn, MHD_COOKIE_KIND, COOKIE);
    char csrf[WEB_TOKEN_HEX];
    if (!web_session_find(w->sess, id, c.now_us / 1000000, c.user, csrf)) {
        *ret = web_send_error(conn, 401, "login required");
        return true;
    }
    if (!get) {
        const char *tok = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "X-CSRF-Token");
        if (!tok || !web_token_equal(tok, csrf)) {
            *ret = web_send_error(conn, 403, "missing or wrong X-CSRF-Token");
            return true;
        }
    }
    switch (r) {
    case R_ME: *ret = send_me(w, conn, c.user, csrf, NULL); break;
    case R_LOGOUT: *ret = logout(w, conn, id); break;
    case R_VESSELS: *ret = web_api_vessels(&c); break;
    case R_VESSEL: *ret = web_api_vessel(&c, arg); break;
    case R_EVENTS: *ret = web_api_events(&c); break;
    case R_ZONES: *ret = web_api_zones(&c); break;
    case R_INDICATORS: *ret = web_api_indicators_summary(&c); break;
    case R_SIGHTINGS: *ret = web_api_sightings(&c); break;
    case R_SHARING: *ret = web_api_sharing(&c); break;
    case R_STREAM: *ret = web_sse_answer(&c); break;
    default: return false;
    }
    return true;
}

/* ---- life ---- */

/* The zones file, checked to be a GeoJSON FeatureCollection. */
static bool load_zones(web *w, const char *path, char *err, size_t errlen)
{
    json_error_t je;
    json_t *z = json_load_file(path, 0, &je);
    if (!z) {
        snprintf(err, errlen, "--zones %s: line %d: %s", path, je.line, je.text);
        return false;
    }
    const char *type = json_string_value(json_object_get(z, "type"));
    if (!type || strcmp(type, "FeatureCollection") != 0 ||
        !json_is_array(json_object_get(z, "features"))) {
        json_decref(z);
        snprintf(err, errlen, "--zones %s: not a GeoJSON FeatureCollection", path);
        return false;
    }
    w->zones = json_dumps(z, JSON_COMPACT | JSON_REAL_PRECISION(12));
    json_decref(z);
    w->zones_len = w->zones ? strlen(w->zones) : 0;
    if (!w->zones || w->zones_len > ZONES_MAX) {
        snprintf(err, errlen, "--zones %s: too large for the dashboard (16 MB at most)", path);
        return false;
    }
    return true;
}

ald_err web_new(const struct node_env *env, web **out, char *err, size_t errlen)
{
    *out = NULL;
    web *w = calloc(1, sizeof *w);
    if (!w) {
        snprintf(err, errlen, "out of memory");
        return ALD_E_NOMEM;
    }
    w->env = env;
    pthread_mutex_init(&w->mu, NULL);
    metrics_describe(env->metrics, "alidade_dashboard_logins_total", "counter",
                     "dashboard logins by result (ok, failed, limited)");
    metrics_describe(env->metrics, "alidade_dashboard_streams", "gauge",
                     "open /api/stream connections");
    ald_err e = ALD_E_OK;
    char serr[256];
    w->sess = web_sessions_new();
    w->cache = web_cache_new();
    if (!w->sess || !w->cache) {
        snprintf(err, errlen, "out of memory");
        e = ALD_E_NOMEM;
    } else if (!(w->st = store_open(env->o->data, serr, sizeof serr))) {
        snprintf(err, errlen, "%s: %s", env->o->data, serr);
        e = ALD_E_IO;
    } else if (!(w->audit = audit_open(env->o->data, serr, sizeof serr))) {
        snprintf(err, errlen, "%s: audit log: %s", env->o->data, serr);
        e = ALD_E_IO;
    } else if (env->o->zones && !load_zones(w, env->o->zones, err, errlen)) {
        e = ALD_E_ARG;
    } else if ((e = web_sse_start(w, &w->sse)) != ALD_E_OK) {
        snprintf(err, errlen, "cannot start the live stream thread");
    }
    if (e != ALD_E_OK) {
        web_free(w);
        return e;
    }
    *out = w;
    return ALD_E_OK;
}

void web_free(web *w)
{
    if (!w)
        return;
    web_sse_stop(w->sse);
    web_cache_free(w->cache);
    web_sessions_free(w->sess);
    audit_close(w->audit);
    store_close(w->st);
    free(w->zones);
    pthread_mutex_destroy(&w->mu);
    free(w);
}
