/*
 * cmd_serve.c - `alidade serve`: the TAXII 2.1 server. libmicrohttpd reads
 * requests (a pool of worker threads, bodies capped at max_content_length
 * while they arrive) and lib/taxii answers them; each worker borrows one of
 * as many taxii_server + store connections as there are threads. HTTPS via
 * libmicrohttpd's GnuTLS support (optionally requiring client certificates
 * signed by --tls-ca, identified by their SHA-256 fingerprint); plain HTTP
 * only on a loopback address unless --insecure-plain-http. Settings come
 * from defaults, then --config FILE (src/config.c), then the flags.
 * SIGINT/SIGTERM stop it cleanly; SIGHUP re-reads the file's [policy]
 * default_tlp and swaps in handlers made with it (partners are read from the
 * store on every request: nothing to reload there). The dashboard (web.c:
 * the embedded page at /, its JSON at /api/login, /api/vessels, ...) answers
 * first what is its own; GET /overview from a loopback client is the
 * server-rendered summary page (lib/taxii/dashboard.c; also at / when no
 * front-end is embedded); everything else goes to the TAXII handler.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include <gnutls/gnutls.h>
#include <gnutls/x509.h>
#include <microhttpd.h>
#include <nettle/sha2.h>

#include "alidade/dashboard.h"
#include "alidade/taxii.h"
#include "clock.h"
#include "cmd.h"
#include "config.h"
#include "history.h"
#include "metrics.h"
#include "node.h"

/* The handlers the workers borrow, one request at a time each. */
struct pool {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    size_t n;
    store *st[SERVE_MAX_THREADS];
    taxii_server *tx[SERVE_MAX_THREADS];
    bool busy[SERVE_MAX_THREADS];
    size_t max_body;
    size_t budget, inflight;         /* request body bytes all connections may hold (mu) */
    bool https, client_certs, quiet, access_log;
    struct taxii_config cfg;         /* what the handlers were made with */
    const char *identity;            /* [node] identity, for the dashboard */
    metrics *metrics;                /* /metrics counters (metrics.c) */
    web *web;                        /* the dashboard (web.c), NULL: the old page */
};

/* One request's body as it arrives. */
struct upload {
    char *body;
    size_t len, cap;
    size_t seen;                     /* bytes received, also past the limit */
    bool busy;                       /* the upload budget was spent: answer 503 */
    bool anonymous;                  /* no credentials at all: the body is not kept */
};

static void usage(FILE *f)
{
    fprintf(f,
        "usage: alidade serve [options]\n"
        "\n"
        "Serves the node's STIX store over TAXII 2.1 (discovery at /taxii2/, one API\n"
        "root). Partners authenticate with HTTP Basic (name, token), a Bearer token\n"
        "or a client certificate; see `alidade partner`. Every endpoint of TAXII 2.1\n"
        "(docs/taxii.md). GET / from a loopback client is a read-only HTML\n"
        "dashboard: collections, object counts, the latest maritime events.\n"
        "\n"
        "  -c, --config FILE       read settings from this INI file first; flags\n"
        "                          override it (keys: docs/taxii.md)\n"
        "  -d, --data DIR          data directory (created; default alidade-data)\n"
        "  -l, --listen ADDR:PORT  where to listen (default 127.0.0.1:8700; [::1]:PORT\n"
        "                          for IPv6; port 0 picks a free one)\n"
        "      --tls-cert FILE     serve HTTPS with this PEM certificate (chain)\n"
        "      --tls-key FILE      and this PEM private key\n"
        "      --tls-ca FILE       ask for client certificates signed by this CA\n"
        "                          (partners identified by certificate fingerprint)\n"
        "      --insecure-plain-http  allow plain HTTP on a non-loopback address\n"
        "  -t, --threads N         worker threads (1-16, default 4)\n"
        "      --max-body BYTES    largest request body (default 16777216)\n"
        "      --upload-budget BYTES  request bodies held at once by all connections\n"
        "                          (default 67108864); past it a POST is 503\n"
        "      --max-page N        largest page of objects (default 1000)\n"
        "      --title TEXT        discovery and API root title (default \"alidade node\")\n"
        "      --api-root NAME     API root path segment (default api)\n"
        "      --default-tlp TLP   for objects without TLP marking: clear, green,\n"
        "                          amber (default), amber+strict or red\n"
        "      --access-log        one line per request on stderr: time, partner,\n"
        "                          method, path?query, status, bytes (5xx always)\n"
        "      --source SPEC       live input, repeatable (docs/node.md): e.g.\n"
        "                          ais+tcp://HOST:PORT, ais+udp://127.0.0.1:PORT,\n"
        "                          ais+file:PATH, eve+file:PATH, zeek+file:PATH\n"
        "      --zones FILE        zones (GeoJSON) for the live detectors\n"
        "      --shore FILE|builtin  coastline for the live detectors\n"
        "      --anchorages FILE   anchorages for the live detectors\n"
        "      --max-clock-jump H  a jump of the AIS feed clock over H hours is a feed\n"
        "                          discontinuity: no gap across it (default 3)\n"
        "      --sync-interval S   seconds between pulls from partners (default 30)\n"
        "      --history-days N    days of vessel history kept for the time slider\n"
        "                          (default 7, 0: none; docs/api.md)\n"
        "      --fed-timeout S     a request to a partner fails when it cannot connect\n"
        "                          or stalls for S seconds (default 10 and 30)\n"
        "      --log-format F      text (default), logfmt or json\n"
        "      --log-level L       debug, info (default), warn, error or off\n"
        "  -q, --quiet             no start/stop lines on stderr\n"
        "  -h, --help              this help\n"
        "\n"
        "Stops cleanly on SIGINT or SIGTERM. On SIGHUP the config file's [policy]\n"
        "default_tlp is read again and applied (a flag still overrides it; other\n"
        "keys need a restart); partners are read from the store on each request.\n"
        "Exit status: 0 after a clean stop, 1 when the server cannot start, 2 on\n"
        "wrong options.\n");
}

/* ---- request handling ---- */

static size_t pool_take(struct pool *p)
{
    pthread_mutex_lock(&p->mu);
    for (;;) {
        for (size_t i = 0; i < p->n; i++)
            if (!p->busy[i]) {
                p->busy[i] = true;
                pthread_mutex_unlock(&p->mu);
                return i;
            }
        pthread_cond_wait(&p->cv, &p->mu);
    }
}

static void pool_give(struct pool *p, size_t i)
{
    pthread_mutex_lock(&p->mu);
    p->busy[i] = false;
    pthread_cond_signal(&p->cv);
    pthread_mutex_unlock(&p->mu);
}

/* Appends the decoded GET arguments as a query string again (TAXII's
 * parser wants the raw form): '%', '&', '=' and bytes outside printable
 * ASCII are percent-encoded. */
struct qs {
    char *p;
    size_t len, cap;
    bool oom;
};

/* Appends sep (when not 0) and s, percent-encoded. */
static void qs_put(struct qs *q, const char *s, char sep)
{
    static const char hex[] = "0123456789ABCDEF";
    size_t need = q->len + 3 * strlen(s) + 2;
    if (q->oom)
        return;
    if (need > q->cap) {
        size_t cap = need * 2;
        char *p = realloc(q->p, cap);
        if (!p) {
            q->oom = true;
            return;
        }
        q->p = p;
        q->cap = cap;
    }
    if (sep)
        q->p[q->len++] = sep;
    for (; *s; s++) {
        unsigned char ch = (unsigned char)*s;
        if (ch <= 0x20 || ch >= 0x7f || ch == '%' || ch == '&' || ch == '=' || ch == '#') {
            q->p[q->len++] = '%';
            q->p[q->len++] = hex[ch >> 4];
            q->p[q->len++] = hex[ch & 15];
        } else {
            q->p[q->len++] = (char)ch;
        }
    }
    q->p[q->len] = '\0';
}

static enum MHD_Result on_arg(void *cls, enum MHD_ValueKind kind, const char *key,
                              const char *value)
{
    (void)kind;
    struct qs *q = cls;
    qs_put(q, key, q->len ? '&' : 0);
    if (value)
        qs_put(q, value, '=');
    return MHD_YES;
}

/* Hex SHA-256 of the client's verified certificate into fp[65]; false when
 * there is none or it does not verify against --tls-ca. */
static bool client_fp(struct MHD_Connection *conn, char fp[65])
{
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(conn, MHD_CONNECTION_INFO_GNUTLS_SESSION);
    if (!ci || !ci->tls_session)
        return false;
    gnutls_session_t s = (gnutls_session_t)ci->tls_session;
    unsigned status = 0, n = 0;
    if (gnutls_certificate_verify_peers2(s, &status) != GNUTLS_E_SUCCESS || status != 0)
        return false;
    const gnutls_datum_t *certs = gnutls_certificate_get_peers(s, &n);
    if (!certs || n == 0)
        return false;
    struct sha256_ctx h;
    uint8_t d[SHA256_DIGEST_SIZE];
    sha256_init(&h);
    sha256_update(&h, certs[0].size, certs[0].data);
    sha256_digest(&h, sizeof d, d);
    for (size_t i = 0; i < sizeof d; i++)
        snprintf(fp + 2 * i, 3, "%02x", d[i]);
    return true;
}

static struct MHD_Response *make_response(struct taxii_response *rs)
{
    struct MHD_Response *r =
        MHD_create_response_from_buffer(rs->body_len, rs->body ? rs->body : (char *)"",
                                        rs->body ? MHD_RESPMEM_MUST_FREE
                                                 : MHD_RESPMEM_PERSISTENT);
    if (!r)
        return NULL;
    rs->body = NULL;                 /* MHD frees it */
    if (rs->content_type)
        MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, rs->content_type);
    if (rs->date_added_first[0])
        MHD_add_response_header(r, "X-TAXII-Date-Added-First", rs->date_added_first);
    if (rs->date_added_last[0])
        MHD_add_response_header(r, "X-TAXII-Date-Added-Last", rs->date_added_last);
    if (rs->www_authenticate)
        MHD_add_response_header(r, MHD_HTTP_HEADER_WWW_AUTHENTICATE, "Basic realm=\"alidade\"");
    if (rs->allow[0])
        MHD_add_response_header(r, MHD_HTTP_HEADER_ALLOW, rs->allow);
    return r;
}

/* Without a Host header (HTTP/1.0), discovery URLs use the address and
 * port the connection came to. */
static const char *local_host(struct MHD_Connection *conn, char *buf, size_t cap)
{
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CONNECTION_FD);
    struct sockaddr_storage ss;
    socklen_t len = sizeof ss;
    char ip[INET6_ADDRSTRLEN];
    if (!ci || getsockname(ci->connect_fd, (struct sockaddr *)&ss, &len) != 0)
        return NULL;
    if (ss.ss_family == AF_INET) {
        const struct sockaddr_in *a = (const struct sockaddr_in *)&ss;
        inet_ntop(AF_INET, &a->sin_addr, ip, sizeof ip);
        snprintf(buf, cap, "%s:%u", ip, ntohs(a->sin_port));
    } else if (ss.ss_family == AF_INET6) {
        const struct sockaddr_in6 *a = (const struct sockaddr_in6 *)&ss;
        inet_ntop(AF_INET6, &a->sin6_addr, ip, sizeof ip);
        snprintf(buf, cap, "[%s]:%u", ip, ntohs(a->sin6_port));
    } else {
        return NULL;
    }
    return buf;
}

/* Writes s with control bytes as '?' (paths are client text: no forged
 * log lines). */
static void log_text(const char *s)
{
    for (; s && *s; s++)
        fputc((unsigned char)*s < 0x20 || *s == 0x7f ? '?' : *s, stderr);
}

/* One access-log line: UTC time, partner ("-" when none), method, path
 * and query, status, body bytes. */
static void access_line(const struct taxii_request *rq, const struct taxii_response *rs)
{
    char t[STIX_TIME_TEXT];
    stix_time_format(clock_wall_us(), t);
    flockfile(stderr);
    fprintf(stderr, "%s %s ", t, rs->partner[0] ? rs->partner : "-");
    log_text(rq->method);
    fputc(' ', stderr);
    log_text(rq->path);
    if (rq->query && *rq->query) {
        fputc('?', stderr);
        log_text(rq->query);
    }
    fprintf(stderr, " %d %zu\n", rs->status, rs->body_len);
    funlockfile(stderr);
}

/* 503 with a TAXII error message: too many bodies in memory at once. */
static enum MHD_Result answer_busy(struct MHD_Connection *conn)
{
    static const char body[] =
        "{\"title\":\"Server busy\",\"description\":\"Too many request bodies are held at "
        "once; retry later.\",\"http_status\":\"503\",\"error_code\":\"503\"}";
    struct MHD_Response *r = MHD_create_response_from_buffer(sizeof body - 1, (void *)body,
                                                             MHD_RESPMEM_PERSISTENT);
    if (!r)
        return MHD_NO;
    MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, TAXII_MEDIA);
    MHD_add_response_header(r, MHD_HTTP_HEADER_RETRY_AFTER, "5");
    enum MHD_Result ret = MHD_queue_response(conn, MHD_HTTP_SERVICE_UNAVAILABLE, r);
    MHD_destroy_response(r);
    return ret;
}

/* Whether the client connects from a loopback address (the dashboard's
 * audience: the operator on the node itself). */
static bool from_loopback(struct MHD_Connection *conn)
{
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    if (!ci || !ci->client_addr)
        return false;
    const struct sockaddr *sa = ci->client_addr;
    if (sa->sa_family == AF_INET)
        return (ntohl(((const struct sockaddr_in *)sa)->sin_addr.s_addr) >> 24) == 127;
    if (sa->sa_family == AF_INET6) {
        const struct in6_addr *a = &((const struct sockaddr_in6 *)sa)->sin6_addr;
        return IN6_IS_ADDR_LOOPBACK(a) ||
               (IN6_IS_ADDR_V4MAPPED(a) && a->s6_addr[12] == 127);
    }
    return false;
}

/* GET / from loopback: the HTML dashboard (lib/taxii/dashboard.c) from one
 * of the pool's store connections. */
static enum MHD_Result answer_dashboard(struct pool *p, struct MHD_Connection *conn,
                                        const char *host)
{
    char url[512];
    snprintf(url, sizeof url, "%s://%s/taxii2/", p->https ? "https" : "http",
             host ? host : "localhost");
    struct dashboard_info info = {.title = p->cfg.title, .identity = p->identity,
                                  .discovery_url = url};
    char *html = NULL;
    size_t len = 0;
    size_t i = pool_take(p);
    ald_err err = dashboard_html(p->st[i], &info, &html, &len);
    if (err && !p->quiet)
        fprintf(stderr, "alidade serve: dashboard: %s: %s\n", ald_strerror(err),
                store_errmsg(p->st[i]));
    pool_give(p, i);
    static const char failed[] = "dashboard unavailable (see the server's log)\n";
    struct MHD_Response *r =
        html ? MHD_create_response_from_buffer(len, html, MHD_RESPMEM_MUST_FREE)
             : MHD_create_response_from_buffer(sizeof failed - 1, (void *)failed,
                                               MHD_RESPMEM_PERSISTENT);
    if (!r) {
        free(html);
        return MHD_NO;
    }
    MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE,
                            html ? "text/html; charset=utf-8" : "text/plain; charset=utf-8");
    MHD_add_response_header(r, "Content-Security-Policy", "default-src 'none'; "
                                                          "style-src 'unsafe-inline'");
    MHD_add_response_header(r, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
    enum MHD_Result ret =
        MHD_queue_response(conn, html ? MHD_HTTP_OK : MHD_HTTP_INTERNAL_SERVER_ERROR, r);
    MHD_destroy_response(r);
    metrics_request(p->metrics, html ? 200 : 500, len, NULL);
    if (p->access_log) {
        char t[STIX_TIME_TEXT];
        stix_time_format(clock_wall_us(), t);
        fprintf(stderr, "%s local GET / %d %zu\n", t, html ? 200 : 500, len);
    }
    return ret;
}

/* A small text/plain answer (/healthz, /metrics). */
static enum MHD_Result answer_text(struct MHD_Connection *conn, unsigned status, char *body,
                                   size_t len, const char *type)
{
    struct MHD_Response *r = MHD_create_response_from_buffer(len, body, MHD_RESPMEM_MUST_FREE);
    if (!r) {
        free(body);
        return MHD_NO;
    }
    MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, type);
    MHD_add_response_header(r, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
    enum MHD_Result ret = MHD_queue_response(conn, status, r);
    MHD_destroy_response(r);
    return ret;
}

/* GET /metrics from loopback: the counters, and the default collection's
 * size from one of the workers' store connections. */
static enum MHD_Result answer_metrics(struct pool *p, struct MHD_Connection *conn)
{
    long long objects = -1;
    size_t i = pool_take(p);
    struct store_collection *cols = NULL;
    size_t n = 0, count = 0;
    if (store_collections(p->st[i], &cols, &n) == ALD_E_OK && n > 0 && cols[0].is_default &&
        store_count(p->st[i], cols[0].id, &count) == ALD_E_OK)
        objects = (long long)count;
    free(cols);
    pool_give(p, i);
    size_t len = 0;
    char *text = metrics_text(p->metrics, clock_wall_us(), objects, &len);
    if (!text)
        return MHD_NO;
    return answer_text(conn, MHD_HTTP_OK, text, len, "text/plain; version=0.0.4; charset=utf-8");
}

/* The whole request is in: hand it to the TAXII handler. */
static enum MHD_Result answer(struct pool *p, struct MHD_Connection *conn, const char *url,
                              const char *method, struct upload *u)
{
    if (u->busy && u->seen <= p->max_body) {
        if (!p->quiet)
            fprintf(stderr, "alidade serve: upload budget spent: 503\n");
        return answer_busy(conn);
    }
    char fp[65], hostbuf[80];
    const char *host = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_HOST);
    /* everything outside /taxii2/, /healthz and /metrics may be the
     * dashboard's (web.c); what it declines goes on below. The dashboard's
     * JSON paths (/api/login, /api/vessels, ...) share the first segment
     * with the default TAXII API root (/api/), whose paths are only /api/,
     * /api/status/... and /api/collections/...: web.c claims its own names
     * and declines the rest */
    if (p->web && strncmp(url, "/taxii2", 7) != 0 && strcmp(url, "/healthz") != 0 &&
        strcmp(url, "/metrics") != 0) {
        struct web_request wr = {
            .method = method, .url = url,
            .host = host ? host : local_host(conn, hostbuf, sizeof hostbuf),
            .body = u->seen > p->max_body ? NULL : u->body,
            .body_len = u->seen > p->max_body ? 0 : u->len,
            .loopback = from_loopback(conn),
        };
        enum MHD_Result ret;
        if (web_answer(p->web, conn, &wr, &ret))
            return ret;
    }
    /* the server-rendered overview (no script): at /overview, and at / when
     * the front-end is not embedded; loopback only */
    if (strcmp(method, "GET") == 0 && (strcmp(url, "/") == 0 || strcmp(url, "/overview") == 0) &&
        from_loopback(conn))
        return answer_dashboard(p, conn, host ? host : local_host(conn, hostbuf, sizeof hostbuf));
    /* liveness for anyone (says nothing but "up"); counters for loopback
     * only, like the dashboard: elsewhere /metrics is an unknown TAXII path */
    if (strcmp(method, "GET") == 0 && strcmp(url, "/healthz") == 0) {
        char *ok = strdup("ok\n");
        return ok ? answer_text(conn, MHD_HTTP_OK, ok, 3, "text/plain; charset=utf-8") : MHD_NO;
    }
    if (strcmp(method, "GET") == 0 && strcmp(url, "/metrics") == 0 && from_loopback(conn))
        return answer_metrics(p, conn);
    struct qs q = {0};
    MHD_get_connection_values(conn, MHD_GET_ARGUMENT_KIND, on_arg, &q);
    struct taxii_request rq = {
        .method = method,
        .path = url,
        .query = q.oom ? NULL : q.p,
        .host = host ? host : local_host(conn, hostbuf, sizeof hostbuf),
        .https = p->https,
        .accept = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_ACCEPT),
        .content_type =
            MHD_lookup_connection_value(conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_TYPE),
        .authorization =
            MHD_lookup_connection_value(conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_AUTHORIZATION),
        .client_cert_fp = p->client_certs && client_fp(conn, fp) ? fp : NULL,
        .body = u->seen > p->max_body ? NULL : u->body,
        .body_len = u->anonymous ? 0 : u->seen,
    };
    struct taxii_response rs;
    size_t i = pool_take(p);
    taxii_handle(p->tx[i], &rq, clock_wall_us(), &rs);
    pool_give(p, i);
    metrics_request(p->metrics, rs.status, rs.body_len, rs.partner);
    if (p->access_log || (rs.status >= 500 && !p->quiet))
        access_line(&rq, &rs);
    if (rs.status >= 500 && !p->quiet) {   /* the error message says why */
        fputs("alidade serve: ", stderr);
        fwrite(rs.body ? rs.body : "", 1, rs.body_len < 300 ? rs.body_len : 300, stderr);
        fputc('\n', stderr);
    }
    free(q.p);
    struct MHD_Response *r = make_response(&rs);
    taxii_response_free(&rs);
    if (!r)
        return MHD_NO;
    enum MHD_Result ret = MHD_queue_response(conn, (unsigned)rs.status, r);
    MHD_destroy_response(r);
    return ret;
}

/* Takes n bytes of the upload budget; false when it is spent. */
static bool budget_take(struct pool *p, size_t n)
{
    pthread_mutex_lock(&p->mu);
    bool ok = p->inflight + n <= p->budget;
    if (ok)
        p->inflight += n;
    pthread_mutex_unlock(&p->mu);
    return ok;
}

static void budget_give(struct pool *p, size_t n)
{
    pthread_mutex_lock(&p->mu);
    p->inflight -= n;
    pthread_mutex_unlock(&p->mu);
}

/* Drops what was kept of a body, giving its memory back to the budget. */
static void upload_drop(struct pool *p, struct upload *u)
{
    free(u->body);
    budget_give(p, u->cap);
    u->body = NULL;
    u->len = u->cap = 0;
}

/* Keeps the body up to max_body (+1 to know it went past); counts the rest. */
static void upload_add(struct pool *p, struct upload *u, const char *data, size_t n)
{
    u->seen += n;
    if (u->seen > p->max_body || u->busy) {
        upload_drop(p, u);
        return;
    }
    if (u->len + n + 1 > u->cap) {
        size_t cap = u->cap ? u->cap : 65536;
        while (cap < u->len + n + 1)
            cap *= 2;
        if (!budget_take(p, cap - u->cap)) {
            u->busy = true;
            upload_drop(p, u);
            return;
        }
        char *b = realloc(u->body, cap);
        if (!b) {
            budget_give(p, cap - u->cap);
            u->busy = true;
            upload_drop(p, u);
            return;
        }
        u->body = b;
        u->cap = cap;
    }
    memcpy(u->body + u->len, data, n);
    u->len += n;
    u->body[u->len] = '\0';
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
                                  const char *method, const char *version,
                                  const char *upload_data, size_t *upload_size, void **con_cls)
{
    (void)version;
    struct pool *p = cls;
    struct upload *u = *con_cls;
    if (!u) {
        u = calloc(1, sizeof *u);
        if (!u)
            return MHD_NO;
        *con_cls = u;
        /* without any credentials the answer is 401 whatever the body: do
         * not spend the upload budget on it */
        u->anonymous =
            !MHD_lookup_connection_value(conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_AUTHORIZATION) &&
            !p->client_certs && strcmp(url, "/api/login") != 0;   /* the dashboard's login */
        /* a declared length past the limit: do not read the body at all */
        const char *cl =
            MHD_lookup_connection_value(conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
        if (cl) {
            unsigned long long n = strtoull(cl, NULL, 10);
            if (n > p->max_body) {
                u->seen = n;
                return answer(p, conn, url, method, u);
            }
        }
        return MHD_YES;
    }
    if (*upload_size) {
        if (u->seen <= p->max_body && !u->busy && !u->anonymous)
            upload_add(p, u, upload_data, *upload_size);
        else
            u->seen += *upload_size;
        *upload_size = 0;
        return MHD_YES;
    }
    return answer(p, conn, url, method, u);
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
                         enum MHD_RequestTerminationCode toe)
{
    (void)conn;
    (void)toe;
    struct upload *u = *con_cls;
    if (u) {
        upload_drop(cls, u);
        free(u);
        *con_cls = NULL;
    }
}

/* ---- setup ---- */

/* "ADDR:PORT" (IPv4, "localhost" or "[IPv6]") into ss; *loopback says
 * whether plain HTTP is allowed there. */
static bool parse_listen(const char *s, struct sockaddr_storage *ss, socklen_t *len,
                         bool *loopback, bool *v6)
{
    char host[128];
    const char *colon = strrchr(s, ':');
    if (!colon || (size_t)(colon - s) >= sizeof host)
        return false;
    memcpy(host, s, (size_t)(colon - s));
    host[colon - s] = '\0';
    char *end;
    errno = 0;
    unsigned long port = strtoul(colon + 1, &end, 10);
    if (!colon[1] || *end || errno || port > 65535)
        return false;
    memset(ss, 0, sizeof *ss);
    if (host[0] == '[') {
        size_t n = strlen(host);
        if (n < 3 || host[n - 1] != ']')
            return false;
        host[n - 1] = '\0';
        struct sockaddr_in6 *a = (struct sockaddr_in6 *)ss;
        a->sin6_family = AF_INET6;
        a->sin6_port = htons((uint16_t)port);
        if (inet_pton(AF_INET6, host + 1, &a->sin6_addr) != 1)
            return false;
        *loopback = IN6_IS_ADDR_LOOPBACK(&a->sin6_addr);
        *len = sizeof *a;
        *v6 = true;
        return true;
    }
    struct sockaddr_in *a = (struct sockaddr_in *)ss;
    a->sin_family = AF_INET;
    a->sin_port = htons((uint16_t)port);
    if (strcmp(host, "localhost") == 0)
        snprintf(host, sizeof host, "127.0.0.1");
    if (inet_pton(AF_INET, host, &a->sin_addr) != 1)
        return false;
    *loopback = (ntohl(a->sin_addr.s_addr) >> 24) == 127;
    *len = sizeof *a;
    *v6 = false;
    return true;
}

/* Whole file into a NUL-terminated malloc'd buffer (PEM for MHD). */
static char *slurp(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    char *buf = NULL;
    size_t len = 0, cap = 0, n;
    char chunk[4096];
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0) {
        if (len + n + 1 > cap || len + n > (1u << 20)) {
            cap = (len + n + 1) * 2;
            char *b = len + n > (1u << 20) ? NULL : realloc(buf, cap);
            if (!b) {
                free(buf);
                fclose(f);
                return NULL;
            }
            buf = b;
        }
        memcpy(buf + len, chunk, n);
        len += n;
        buf[len] = '\0';
    }
    fclose(f);
    return buf;
}

static void pool_close(struct pool *p)
{
    for (size_t i = 0; i < p->n; i++) {
        taxii_free(p->tx[i]);
        store_close(p->st[i]);
    }
    p->n = 0;
}

static bool pool_open(struct pool *p, const struct serve_settings *o)
{
    p->cfg = (struct taxii_config){
        .title = o->title,
        .api_root = o->api_root,
        .max_body = o->max_body,
        .max_page = o->max_page,
        .share = {.default_tlp = o->default_tlp},
    };
    for (unsigned i = 0; i < o->threads; i++) {
        char err[256];
        p->st[i] = store_open(o->data, err, sizeof err);
        if (!p->st[i]) {
            fprintf(stderr, "alidade serve: %s: %s\n", o->data, err);
            pool_close(p);
            return false;
        }
        p->tx[i] = taxii_new(p->st[i], &p->cfg);
        p->n = i + 1;
        if (!p->tx[i]) {
            fprintf(stderr, "alidade serve: out of memory\n");
            pool_close(p);
            return false;
        }
    }
    return true;
}

/* New handlers with another default TLP, swapped in while no request
 * uses any (all slots taken, as a worker would). The old ones stay when
 * memory runs out. */
static bool pool_set_tlp(struct pool *p, enum stix_tlp tlp)
{
    taxii_server *fresh[SERVE_MAX_THREADS] = {NULL};
    struct taxii_config cfg = p->cfg;
    cfg.share.default_tlp = tlp;
    for (size_t i = 0; i < p->n; i++)
        (void)pool_take(p);
    bool ok = true;
    for (size_t i = 0; i < p->n && ok; i++)
        ok = (fresh[i] = taxii_new(p->st[i], &cfg)) != NULL;
    for (size_t i = 0; i < p->n; i++) {
        if (ok) {
            taxii_free(p->tx[i]);
            p->tx[i] = fresh[i];
        } else {
            taxii_free(fresh[i]);
        }
    }
    if (ok)
        p->cfg.share.default_tlp = tlp;
    pthread_mutex_lock(&p->mu);
    for (size_t i = 0; i < p->n; i++)
        p->busy[i] = false;
    pthread_cond_broadcast(&p->cv);
    pthread_mutex_unlock(&p->mu);
    return ok;
}

/* ---- options ---- */

enum { O_CERT = 256, O_KEY, O_CA, O_INSECURE, O_BODY, O_PAGE, O_TITLE, O_ROOT, O_TLP, O_LOG,
       O_BUDGET, O_SOURCE, O_ZONES, O_SHORE, O_ANCH, O_SYNC, O_LOGFMT, O_LOGLVL, O_FEDTIME };
enum { O_HISTDAYS = 512 };
enum { O_CLOCKJUMP = 640 };
static const struct option longs[] = {
    {"config", required_argument, NULL, 'c'},
    {"data", required_argument, NULL, 'd'},
    {"listen", required_argument, NULL, 'l'},
    {"tls-cert", required_argument, NULL, O_CERT},
    {"tls-key", required_argument, NULL, O_KEY},
    {"tls-ca", required_argument, NULL, O_CA},
    {"insecure-plain-http", no_argument, NULL, O_INSECURE},
    {"threads", required_argument, NULL, 't'},
    {"max-body", required_argument, NULL, O_BODY},
    {"max-page", required_argument, NULL, O_PAGE},
    {"upload-budget", required_argument, NULL, O_BUDGET},
    {"title", required_argument, NULL, O_TITLE},
    {"api-root", required_argument, NULL, O_ROOT},
    {"default-tlp", required_argument, NULL, O_TLP},
    {"access-log", no_argument, NULL, O_LOG},
    {"history-days", required_argument, NULL, O_HISTDAYS},
    {"source", required_argument, NULL, O_SOURCE},
    {"zones", required_argument, NULL, O_ZONES},
    {"shore", required_argument, NULL, O_SHORE},
    {"anchorages", required_argument, NULL, O_ANCH},
    {"max-clock-jump", required_argument, NULL, O_CLOCKJUMP},
    {"sync-interval", required_argument, NULL, O_SYNC},
    {"fed-timeout", required_argument, NULL, O_FEDTIME},
    {"log-format", required_argument, NULL, O_LOGFMT},
    {"log-level", required_argument, NULL, O_LOGLVL},
    {"quiet", no_argument, NULL, 'q'},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0},
};
static const char shorts[] = "c:d:l:t:qh";

/* The --config FILE among the arguments (the last one), or NULL: a first
 * pass, silent, so that the file is read before the flags override it. */
static const char *config_arg(int argc, char **argv)
{
    const char *path = NULL;
    int ch;
    opterr = 0;
    optind = 0;
    while ((ch = getopt_long(argc, argv, shorts, longs, NULL)) != -1)
        if (ch == 'c')
            path = optarg;
    opterr = 1;
    return path;
}

/* 0 to go on, or the exit status (help: 0, bad options: 2) + 1. Defaults,
 * then the config file, then the flags; *cfg_path is the file or NULL and
 * *tlp_flag says whether --default-tlp was given (SIGHUP keeps it). */
static int parse_opts(int argc, char **argv, struct serve_settings *o, const char **cfg_path,
                      bool *tlp_flag)
{
    config_defaults(o);
    *tlp_flag = false;
    *cfg_path = config_arg(argc, argv);
    if (*cfg_path) {
        char err[512];
        if (!config_load(*cfg_path, o, err, sizeof err)) {
            fprintf(stderr, "alidade serve: %s\n", err);
            return 3;
        }
    }
    size_t th = o->threads, sync = o->sync_interval, fedt = o->fed_timeout;
    size_t hist = o->history_days;
    int ch;
    optind = 0;
    while ((ch = getopt_long(argc, argv, shorts, longs, NULL)) != -1) {
        bool ok = true;
        switch (ch) {
        case 'c': break;
        case 'd': o->data = optarg; break;
        case 'l': o->listen = optarg; break;
        case O_CERT: o->cert = optarg; break;
        case O_KEY: o->key = optarg; break;
        case O_CA: o->ca = optarg; break;
        case O_INSECURE: o->insecure = true; break;
        case 't': ok = config_parse_size(optarg, 1, SERVE_MAX_THREADS, &th); break;
        case O_BODY: ok = config_parse_size(optarg, 1024, (size_t)1 << 30, &o->max_body); break;
        case O_PAGE: ok = config_parse_size(optarg, 1, 100000, &o->max_page); break;
        case O_BUDGET:
            ok = config_parse_size(optarg, 65536, (size_t)1 << 34, &o->upload_budget);
            break;
        case O_TITLE: o->title = optarg; break;
        case O_ROOT:
            o->api_root = optarg;
            ok = config_api_root_valid(optarg);
            break;
        case O_TLP:
            ok = config_parse_tlp(optarg, &o->default_tlp);
            *tlp_flag = true;
            break;
        case O_LOG: o->access_log = true; break;
        case O_HISTDAYS: ok = config_parse_size(optarg, 0, 366, &hist); break;
        case O_SOURCE:
            ok = o->nsources < SERVE_MAX_SOURCES;
            if (ok)
                o->sources[o->nsources++] = optarg;
            break;
        case O_ZONES: o->zones = optarg; break;
        case O_SHORE: o->shore = optarg; break;
        case O_ANCH: o->anchorages = optarg; break;
        case O_CLOCKJUMP: {
            char *end;
            o->max_clock_jump_h = strtod(optarg, &end);
            ok = end != optarg && !*end && o->max_clock_jump_h >= 0.01 &&
                 o->max_clock_jump_h <= 1e6;
            break;
        }
        case O_SYNC: ok = config_parse_size(optarg, 1, 86400, &sync); break;
        case O_FEDTIME: ok = config_parse_size(optarg, 1, 3600, &fedt); break;
        case O_LOGFMT: ok = nlog_parse_format(optarg, &o->log_format); break;
        case O_LOGLVL: ok = nlog_parse_level(optarg, &o->log_level); break;
        case 'q': o->quiet = true; break;
        case 'h': usage(stdout); return 1;
        default: usage(stderr); return 3;
        }
        if (!ok) {
            fprintf(stderr, "alidade serve: bad value for option: %s\n", optarg);
            return 3;
        }
    }
    o->threads = (unsigned)th;
    o->sync_interval = (unsigned)sync;
    o->fed_timeout = (unsigned)fedt;
    o->history_days = (unsigned)hist;
    if (optind < argc) {
        fprintf(stderr, "alidade serve: unexpected argument '%s'\n", argv[optind]);
        return 3;
    }
    if (!o->cert != !o->key || (o->ca && !o->cert)) {
        fprintf(stderr, "alidade serve: --tls-cert and --tls-key go together "
                        "(and --tls-ca needs them)\n");
        return 3;
    }
    return 0;
}

/* ---- run ---- */

/* libmicrohttpd's own messages, marked as such. */
static void mhd_log(void *cls, const char *fmt, va_list ap)
{
    (void)cls;
    fputs("alidade serve: libmicrohttpd: ", stderr);
    vfprintf(stderr, fmt, ap);
}

static struct MHD_Daemon *start(struct pool *p, const struct serve_settings *o,
                                const struct sockaddr_storage *ss, bool v6, char *pem[3])
{
    /* suspend/resume: the dashboard's server-sent events wait for news
     * without holding a worker thread */
    unsigned flags = MHD_USE_AUTO_INTERNAL_THREAD | MHD_USE_ERROR_LOG | MHD_ALLOW_SUSPEND_RESUME;
    if (v6)
        flags |= MHD_USE_IPv6;
    struct MHD_OptionItem opts[12];
    size_t k = 0;
    /* the logger must come first (libmicrohttpd says so otherwise) */
    opts[k++] = (struct MHD_OptionItem){MHD_OPTION_EXTERNAL_LOGGER, (intptr_t)mhd_log, NULL};
    opts[k++] = (struct MHD_OptionItem){MHD_OPTION_THREAD_POOL_SIZE, (intptr_t)o->threads, NULL};
    opts[k++] = (struct MHD_OptionItem){MHD_OPTION_SOCK_ADDR, 0, (void *)ss};
    opts[k++] = (struct MHD_OptionItem){MHD_OPTION_NOTIFY_COMPLETED, (intptr_t)on_completed, p};
    opts[k++] = (struct MHD_OptionItem){MHD_OPTION_CONNECTION_TIMEOUT, 60, NULL};
    if (o->cert) {
        flags |= MHD_USE_TLS;
        opts[k++] = (struct MHD_OptionItem){MHD_OPTION_HTTPS_MEM_CERT, 0, pem[0]};
        opts[k++] = (struct MHD_OptionItem){MHD_OPTION_HTTPS_MEM_KEY, 0, pem[1]};
        if (pem[2])
            opts[k++] = (struct MHD_OptionItem){MHD_OPTION_HTTPS_MEM_TRUST, 0, pem[2]};
    }
    opts[k++] = (struct MHD_OptionItem){MHD_OPTION_END, 0, NULL};
    return MHD_start_daemon(flags, 0, NULL, NULL, on_request, p, MHD_OPTION_ARRAY, opts,
                            MHD_OPTION_END);
}

/* What SIGHUP reloads: the config file's [policy] default_tlp, unless
 * --default-tlp fixed it. */
struct reload {
    struct pool *p;
    const char *path;                /* --config FILE or NULL */
    bool tlp_flag;
    bool quiet;
};

static void on_sighup(const struct reload *r)
{
    if (!r->path) {
        if (!r->quiet)
            fprintf(stderr, "alidade serve: SIGHUP: no --config file to reload; partners are "
                            "read from the store on every request\n");
        return;
    }
    struct serve_settings fresh;
    char err[512];
    config_defaults(&fresh);
    bool ok = config_load(r->path, &fresh, err, sizeof err);
    enum stix_tlp tlp = fresh.default_tlp;
    config_free(&fresh);
    if (!ok) {
        fprintf(stderr, "alidade serve: SIGHUP: %s; policy unchanged (default_tlp %s)\n", err,
                config_tlp_name(r->p->cfg.share.default_tlp));
        return;
    }
    if (r->tlp_flag) {
        if (!r->quiet)
            fprintf(stderr, "alidade serve: SIGHUP: default_tlp %s kept (--default-tlp given)\n",
                    config_tlp_name(r->p->cfg.share.default_tlp));
        return;
    }
    enum stix_tlp old = r->p->cfg.share.default_tlp;
    if (!pool_set_tlp(r->p, tlp)) {
        fprintf(stderr, "alidade serve: SIGHUP: out of memory; default_tlp %s kept\n",
                config_tlp_name(old));
        return;
    }
    if (!r->quiet)
        fprintf(stderr, "alidade serve: SIGHUP: reloaded %s: default_tlp %s%s\n", r->path,
                config_tlp_name(tlp), old == tlp ? " (unchanged)" : "");
}

/* Waits for SIGINT/SIGTERM (blocked in every thread, taken with sigwait);
 * SIGHUP reloads the policy. */
static void wait_signals(const sigset_t *set, bool quiet, const struct reload *r)
{
    for (;;) {
        int sig = 0;
        if (sigwait(set, &sig) != 0)
            continue;
        if (sig == SIGHUP) {
            on_sighup(r);
            continue;
        }
        if (!quiet)
            fprintf(stderr, "alidade serve: %s, stopping\n", sig == SIGINT ? "SIGINT" : "SIGTERM");
        return;
    }
}

static bool load_pems(const struct serve_settings *o, char *pem[3])
{
    const char *files[3] = {o->cert, o->key, o->ca};
    for (int i = 0; i < 3; i++) {
        if (!files[i])
            continue;
        pem[i] = slurp(files[i]);
        if (!pem[i]) {
            fprintf(stderr, "alidade serve: cannot read %s\n", files[i]);
            return false;
        }
    }
    return true;
}

int cmd_serve(int argc, char **argv)
{
    struct serve_settings o;
    const char *cfg_path = NULL;
    bool tlp_flag = false;
    int rc = parse_opts(argc, argv, &o, &cfg_path, &tlp_flag);
    if (rc) {
        config_free(&o);
        return rc - 1;
    }
    struct sockaddr_storage ss;
    socklen_t sslen;
    bool loopback = false, v6 = false;
    if (!parse_listen(o.listen, &ss, &sslen, &loopback, &v6)) {
        fprintf(stderr, "alidade serve: --listen wants ADDR:PORT, e.g. 127.0.0.1:8700\n");
        config_free(&o);
        return 2;
    }
    if (!o.cert && !loopback && !o.insecure) {
        fprintf(stderr, "alidade serve: plain HTTP only on a loopback address: give --tls-cert "
                        "and --tls-key, or --insecure-plain-http\n");
        config_free(&o);
        return 2;
    }
    if (o.cert && MHD_is_feature_supported(MHD_FEATURE_TLS) != MHD_YES) {
        fprintf(stderr, "alidade serve: this libmicrohttpd has no TLS support\n");
        config_free(&o);
        return 1;
    }
    char *pem[3] = {NULL, NULL, NULL};
    struct pool p = {.max_body = o.max_body, .budget = o.upload_budget, .https = o.cert != NULL,
                     .client_certs = o.ca != NULL, .quiet = o.quiet,
                     .access_log = o.access_log, .identity = o.identity};
    /* blocked before any thread starts (the dashboard's, MHD's, ingest's,
     * federation's): only wait_signals takes them, with sigwait */
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGHUP);
    pthread_sigmask(SIG_BLOCK, &set, NULL);
    signal(SIGPIPE, SIG_IGN);
    int status = 1;
    nlog *log = nlog_new(stderr, o.log_format, o.quiet ? NLOG_WARN : o.log_level);
    picture *pic = picture_new(200000, 256, 4096);
    ingest *in = NULL;
    history *hs = NULL;
    fed *fd = NULL;
    p.metrics = metrics_new(clock_wall_us());
    if (!log || !pic || !p.metrics) {
        fprintf(stderr, "alidade serve: out of memory\n");
        goto out;
    }
    if (!load_pems(&o, pem) || !pool_open(&p, &o))
        goto out;
    struct node_env env = {.o = &o, .log = log, .metrics = p.metrics, .pic = pic,
                           .https = o.cert != NULL};
    char perr[512] = "";
    if (web_new(&env, &p.web, perr, sizeof perr) != ALD_E_OK) {
        fprintf(stderr, "alidade serve: dashboard: %s\n", perr);
        goto out;
    }
    /* the picture again from the stored history, before anything is served */
    if (history_start(&env, &hs, perr, sizeof perr) != ALD_E_OK) {
        fprintf(stderr, "alidade serve: %s\n", perr);
        goto out;
    }
    pthread_mutex_init(&p.mu, NULL);
    pthread_cond_init(&p.cv, NULL);
    struct MHD_Daemon *d = start(&p, &o, &ss, v6, pem);
    if (!d) {
        fprintf(stderr, "alidade serve: cannot listen on %s: %s\n", o.listen, strerror(errno));
    } else {
        const union MHD_DaemonInfo *di = MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT);
        if (!o.quiet) {
            char host[128];
            snprintf(host, sizeof host, "%.*s", (int)(strrchr(o.listen, ':') - o.listen),
                     o.listen);
            fprintf(stderr, "alidade serve: listening on %s://%s:%u/taxii2/ (data %s, %u threads)\n",
                    o.cert ? "https" : "http", host, di ? di->port : 0, o.data, o.threads);
        }
        ald_err e = ingest_start(&env, &in, perr, sizeof perr);
        if (e != ALD_E_OK) {
            fprintf(stderr, "alidade serve: live ingest: %s\n", perr);
            if (e == ALD_E_ARG)
                status = 2;          /* a bad --source: wrong options */
        }
        else if ((e = fed_start(&env, &fd, perr, sizeof perr)) != ALD_E_OK)
            fprintf(stderr, "alidade serve: federation: %s\n", perr);
        if (e == ALD_E_OK) {
            struct reload r = {.p = &p, .path = cfg_path, .tlp_flag = tlp_flag,
                               .quiet = o.quiet};
            wait_signals(&set, o.quiet, &r);
            status = 0;
        }
        /* stop in reverse: nothing new arrives, live pages wake up and end,
         * then the listener stops */
        fed_stop(fd);
        ingest_stop(in);
        picture_close(pic);
        MHD_stop_daemon(d);
    }
    pthread_cond_destroy(&p.cv);
    pthread_mutex_destroy(&p.mu);
out:
    history_stop(hs);
    web_free(p.web);
    pool_close(&p);
    picture_free(pic);
    nlog_free(log);
    metrics_free(p.metrics);
    for (int i = 0; i < 3; i++)
        free(pem[i]);
    config_free(&o);
    return status;
}
