/*
 * taxii.c - the TAXII 2.1 request handler (taxii.h): authentication, routing
 * (one table of {path pattern, GET, POST, DELETE}), 405 with Allow, Accept
 * negotiation (406), TAXII error messages (section 3.6.1), and the resources
 * that are not about objects: discovery (4.1), API root (4.2), status (4.3),
 * collections (5.1) and collection (5.2). Objects are in objects.c.
 *
 * Media type of every response, envelopes included: application/taxii+json;
 * version=2.1 (TAXII 2.1 OS, section 1.6.8, as medallion does).
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <nettle/base64.h>

#include "taxii/internal.h"

/* ---- output buffer ---- */

void tbuf_put(struct tbuf *b, const char *s, size_t n)
{
    if (b->oom)
        return;
    if (b->len + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 1024;
        while (cap < b->len + n + 1)
            cap *= 2;
        char *p = realloc(b->p, cap);
        if (!p) {
            b->oom = true;
            return;
        }
        b->p = p;
        b->cap = cap;
    }
    memcpy(b->p + b->len, s, n);
    b->len += n;
    b->p[b->len] = '\0';
}

void tbuf_puts(struct tbuf *b, const char *s)
{
    tbuf_put(b, s, strlen(s));
}

void tbuf_jstr(struct tbuf *b, const char *s)
{
    static const char hex[] = "0123456789abcdef";
    tbuf_put(b, "\"", 1);
    const char *run = s;
    for (; *s; s++) {
        unsigned char ch = (unsigned char)*s;
        if (ch >= 0x20 && ch != '"' && ch != '\\')
            continue;
        tbuf_put(b, run, (size_t)(s - run));
        run = s + 1;
        if (ch == '"' || ch == '\\') {
            char e[2] = {'\\', (char)ch};
            tbuf_put(b, e, 2);
        } else {
            char u[6] = {'\\', 'u', '0', '0', hex[ch >> 4], hex[ch & 15]};
            tbuf_put(b, u, 6);
        }
    }
    tbuf_put(b, run, (size_t)(s - run));
    tbuf_put(b, "\"", 1);
}

void tbuf_u64(struct tbuf *b, uint64_t v)
{
    char d[24];
    int n = snprintf(d, sizeof d, "%llu", (unsigned long long)v);
    tbuf_put(b, d, (size_t)n);
}

void tbuf_time(struct tbuf *b, int64_t us)
{
    char t[STIX_TIME_TEXT];
    size_t n = stix_time_format(us, t);
    tbuf_put(b, "\"", 1);
    tbuf_put(b, t, n);
    tbuf_put(b, "\"", 1);
}

/* ---- responses ---- */

void taxii_reply(struct taxii_ctx *c, int status, struct tbuf *b)
{
    if (b->oom) {
        free(b->p);
        *b = (struct tbuf){0};
        taxii_error(c, 500, "Out of memory", "The response did not fit in memory.");
        return;
    }
    free(c->rs->body);
    c->rs->status = status;
    c->rs->content_type = TAXII_MEDIA;
    c->rs->body = b->p;
    c->rs->body_len = b->len;
    *b = (struct tbuf){0};
}

void taxii_error(struct taxii_ctx *c, int status, const char *title, const char *desc)
{
    struct tbuf b = {0};
    tbuf_puts(&b, "{\"title\":");
    tbuf_jstr(&b, title);
    if (desc && *desc) {
        tbuf_puts(&b, ",\"description\":");
        tbuf_jstr(&b, desc);
    }
    char code[16];
    snprintf(code, sizeof code, "%d", status);
    tbuf_puts(&b, ",\"http_status\":");
    tbuf_jstr(&b, code);
    tbuf_puts(&b, ",\"error_code\":");
    tbuf_jstr(&b, code);
    tbuf_puts(&b, "}");
    free(c->rs->body);
    c->rs->body = NULL;
    c->rs->body_len = 0;
    c->rs->status = status;
    if (b.oom) {
        free(b.p);
        c->rs->content_type = NULL;
        return;
    }
    c->rs->content_type = TAXII_MEDIA;
    c->rs->body = b.p;
    c->rs->body_len = b.len;
}

/* ---- content negotiation ---- */

/* Trims spaces and tabs from both ends of [*s, *e). */
static void trim(const char **s, const char **e)
{
    while (*s < *e && (**s == ' ' || **s == '\t'))
        (*s)++;
    while (*e > *s && ((*e)[-1] == ' ' || (*e)[-1] == '\t'))
        (*e)--;
}

static bool span_is(const char *s, const char *e, const char *lit)
{
    size_t n = strlen(lit);
    return (size_t)(e - s) == n && strncasecmp(s, lit, n) == 0;
}

/* True when the media type with parameters in [s, e) is
 * application/taxii+json (or, if `wild`, application/ * or * / *) with no
 * version parameter or version 2.1, and not refused by q=0. */
static bool media_ok(const char *s, const char *e, bool wild)
{
    const char *semi = memchr(s, ';', (size_t)(e - s));
    const char *te = semi ? semi : e, *ts = s;
    trim(&ts, &te);
    bool type_ok = span_is(ts, te, "application/taxii+json") ||
                   (wild && (span_is(ts, te, "*/*") || span_is(ts, te, "application/*")));
    if (!type_ok)
        return false;
    bool taxii = span_is(ts, te, "application/taxii+json");
    while (semi) {
        const char *ps = semi + 1;
        semi = memchr(ps, ';', (size_t)(e - ps));
        const char *pe = semi ? semi : e;
        const char *eq = memchr(ps, '=', (size_t)(pe - ps));
        if (!eq)
            continue;
        const char *ks = ps, *ke = eq, *vs = eq + 1, *ve = pe;
        trim(&ks, &ke);
        trim(&vs, &ve);
        if (ve - vs >= 2 && *vs == '"' && ve[-1] == '"') {
            vs++;
            ve--;
        }
        if (span_is(ks, ke, "version") && taxii && !span_is(vs, ve, "2.1"))
            return false;
        if (span_is(ks, ke, "q")) {
            double q = strtod(vs, NULL);
            if (q <= 0)
                return false;
        }
    }
    return true;
}

/* True when the Accept header allows a TAXII 2.1 response. An absent header
 * accepts anything (RFC 9110 12.5.1). */
static bool accept_ok(const char *accept)
{
    if (!accept)
        return true;
    const char *s = accept;
    bool empty = true;
    for (;;) {
        const char *e = strchr(s, ',');
        const char *end = e ? e : s + strlen(s);
        const char *ts = s, *te = end;
        trim(&ts, &te);
        if (ts < te) {
            empty = false;
            if (media_ok(ts, te, true))
                return true;
        }
        if (!e)
            break;
        s = e + 1;
    }
    return empty;
}

/* True when a POST body is declared application/taxii+json (version 2.1 if
 * given). */
static bool content_type_ok(const char *ct)
{
    if (!ct)
        return false;
    const char *s = ct, *e = ct + strlen(ct);
    trim(&s, &e);
    return s < e && !memchr(s, ',', (size_t)(e - s)) && media_ok(s, e, false);
}

/* ---- authentication ---- */

/* Basic name:token (RFC 7617). True with c->partner filled when the name
 * exists and the token's hash equals the stored one. */
static bool auth_basic(struct taxii_ctx *c, const char *b64)
{
    char dec[512];
    size_t n = strlen(b64), dl = sizeof dec - 1;
    if (n == 0 || BASE64_DECODE_LENGTH(n) > sizeof dec - 1)
        return false;
    struct base64_decode_ctx bd;
    base64_decode_init(&bd);
    if (!base64_decode_update(&bd, &dl, (uint8_t *)dec, n, b64) || !base64_decode_final(&bd))
        return false;
    dec[dl] = '\0';
    char *colon = memchr(dec, ':', dl);
    if (!colon || colon == dec || memchr(dec, '\0', dl))
        return false;
    *colon = '\0';
    const char *token = colon + 1;
    if (!share_token_well_formed(token, strlen(token)) || strlen(dec) >= sizeof c->partner.name)
        return false;
    if (store_partner_get(c->t->st, dec, &c->partner) != ALD_E_OK)
        return false;
    char h[65];
    share_token_hash(token, strlen(token), h);
    return c->partner.token_hash[0] && share_hash_equal(c->partner.token_hash, h);
}

static bool auth_bearer(struct taxii_ctx *c, const char *token)
{
    if (!share_token_well_formed(token, strlen(token)))
        return false;
    char h[65];
    share_token_hash(token, strlen(token), h);
    if (store_partner_by_token(c->t->st, h, &c->partner) != ALD_E_OK)
        return false;
    return share_hash_equal(c->partner.token_hash, h);
}

static bool auth_cert(struct taxii_ctx *c, const char *fp)
{
    if (!*fp || strlen(fp) >= sizeof c->partner.cert_fp)
        return false;
    if (store_partner_by_cert(c->t->st, fp, &c->partner) != ALD_E_OK)
        return false;
    return strlen(c->partner.cert_fp) == strlen(fp) && share_hash_equal(c->partner.cert_fp, fp);
}

/* Who is asking: an Authorization header (Basic, Bearer or Token) or, without one,
 * the TLS client certificate. False when none identifies a partner. */
static bool authenticate(struct taxii_ctx *c)
{
    const char *a = c->rq->authorization;
    if (a) {
        while (*a == ' ')
            a++;
        /* "Token KEY" is taxii2-client's TokenAuth (the OpenCTI taxii2
         * connector's TAXII2_USE_TOKEN): the same as Bearer here */
        bool basic = strncasecmp(a, "Basic ", 6) == 0;
        bool token = !basic && strncasecmp(a, "Token ", 6) == 0;
        if (basic || token || strncasecmp(a, "Bearer ", 7) == 0) {
            a += basic || token ? 6 : 7;
            while (*a == ' ')
                a++;
            char tok[512];
            size_t n = strlen(a);
            while (n > 0 && a[n - 1] == ' ')
                n--;
            if (n >= sizeof tok)
                return false;
            memcpy(tok, a, n);
            tok[n] = '\0';
            return basic ? auth_basic(c, tok) : auth_bearer(c, tok);
        }
        return false;
    }
    return c->rq->client_cert_fp && auth_cert(c, c->rq->client_cert_fp);
}

/* ---- discovery, API root, collections, status ---- */

/* The Host header is echoed into URLs: only host name, IPv4/IPv6 literal
 * and port characters are allowed. */
static bool host_ok(const char *h)
{
    if (!*h || strlen(h) > 255)
        return false;
    for (; *h; h++)
        if (!isalnum((unsigned char)*h) && !strchr(".-:[]_", *h))
            return false;
    return true;
}

static void api_root_url(struct taxii_ctx *c, struct tbuf *b)
{
    char url[512];
    snprintf(url, sizeof url, "%s://%s/%s/", c->rq->https ? "https" : "http",
             c->rq->host ? c->rq->host : "localhost", c->t->api_root);
    tbuf_jstr(b, url);
}

static void get_discovery(struct taxii_ctx *c)
{
    if (c->rq->host && !host_ok(c->rq->host)) {
        taxii_error(c, 400, "Bad Host header", "The Host header is not a host name and port.");
        return;
    }
    struct tbuf b = {0};
    tbuf_puts(&b, "{\"title\":");
    tbuf_jstr(&b, c->t->title);
    tbuf_puts(&b, ",\"default\":");
    api_root_url(c, &b);
    tbuf_puts(&b, ",\"api_roots\":[");
    api_root_url(c, &b);
    tbuf_puts(&b, "]}");
    taxii_reply(c, 200, &b);
}

static void get_api_root(struct taxii_ctx *c)
{
    struct tbuf b = {0};
    tbuf_puts(&b, "{\"title\":");
    tbuf_jstr(&b, c->t->title);
    tbuf_puts(&b, ",\"versions\":[\"" TAXII_MEDIA "\"],\"max_content_length\":");
    tbuf_u64(&b, c->t->cfg.max_body);
    tbuf_puts(&b, "}");
    taxii_reply(c, 200, &b);
}

/* One collection resource (5.2) with the partner's can_read/can_write. */
static void put_collection(struct taxii_ctx *c, struct tbuf *b, const struct store_collection *col)
{
    tbuf_puts(b, "{\"id\":");
    tbuf_jstr(b, col->id);
    tbuf_puts(b, ",\"title\":");
    tbuf_jstr(b, col->title);
    if (col->description[0]) {
        tbuf_puts(b, ",\"description\":");
        tbuf_jstr(b, col->description);
    }
    tbuf_puts(b, ",\"can_read\":");
    tbuf_puts(b, share_collection_readable(&c->partner, col->id) ? "true" : "false");
    tbuf_puts(b, ",\"can_write\":");
    tbuf_puts(b, share_collection_writable(&c->partner, col->id) ? "true" : "false");
    tbuf_puts(b, ",\"media_types\":[\"" STIX_MEDIA "\"]}");
}

static void get_collections(struct taxii_ctx *c)
{
    struct store_collection *cols = NULL;
    size_t n = 0;
    if (store_collections(c->t->st, &cols, &n) != ALD_E_OK) {
        taxii_error(c, 500, "Store error", store_errmsg(c->t->st));
        return;
    }
    struct tbuf b = {0};
    size_t shown = 0;
    tbuf_puts(&b, "{");
    for (size_t i = 0; i < n; i++) {
        if (!share_collection_readable(&c->partner, cols[i].id) &&
            !share_collection_writable(&c->partner, cols[i].id))
            continue;
        tbuf_puts(&b, shown++ ? "," : "\"collections\":[");
        put_collection(c, &b, &cols[i]);
    }
    tbuf_puts(&b, shown ? "]}" : "}");
    free(cols);
    taxii_reply(c, 200, &b);
}

bool taxii_collection_visible(struct taxii_ctx *c)
{
    struct store_collection col;
    if (store_collection_get(c->t->st, c->collection, &col) != ALD_E_OK ||
        (!share_collection_readable(&c->partner, col.id) &&
         !share_collection_writable(&c->partner, col.id))) {
        taxii_error(c, 404, "Collection not found",
                    "No collection with this id is available to you.");
        return false;
    }
    return true;
}

static void get_collection(struct taxii_ctx *c)
{
    struct store_collection col;
    if (!taxii_collection_visible(c) ||
        store_collection_get(c->t->st, c->collection, &col) != ALD_E_OK)
        return;
    struct tbuf b = {0};
    put_collection(c, &b, &col);
    taxii_reply(c, 200, &b);
}

/* Status resources are stored under "<partner>/<status id>": a partner sees
 * only the status of its own requests (another's is 404). The route's "C"
 * segment is the status id here. */
static void get_status(struct taxii_ctx *c)
{
    char key[160];
    snprintf(key, sizeof key, "%s/%s", c->partner.name, c->collection);
    char *json = NULL;
    size_t len = 0;
    if (store_status_get(c->t->st, key, &json, &len) != ALD_E_OK) {
        taxii_error(c, 404, "Status not found", "No status resource with this id is yours.");
        return;
    }
    struct tbuf b = {.p = json, .len = len, .cap = len};
    taxii_reply(c, 200, &b);
}

/* ---- routing ---- */

typedef void (*taxii_fn)(struct taxii_ctx *c);

/* Path patterns, segment by segment: "A" is the API root, "C" a collection
 * (or status) id, "O" an object id; anything else is literal. */
static const struct route {
    const char *pattern;
    taxii_fn get, post, del;
    const char *allow;
} routes[] = {
    {"taxii2", get_discovery, NULL, NULL, "GET"},
    {"A", get_api_root, NULL, NULL, "GET"},
    {"A/status/C", get_status, NULL, NULL, "GET"},
    {"A/collections", get_collections, NULL, NULL, "GET"},
    {"A/collections/C", get_collection, NULL, NULL, "GET"},
    {"A/collections/C/manifest", taxii_get_manifest, NULL, NULL, "GET"},
    {"A/collections/C/objects", taxii_get_objects, taxii_add_objects, NULL, "GET, POST"},
    {"A/collections/C/objects/O", taxii_get_object, NULL, taxii_delete_object, "GET, DELETE"},
    {"A/collections/C/objects/O/versions", taxii_get_versions, NULL, NULL, "GET"},
};

#define TAXII_MAX_SEGS 8

/* Splits the path ("/a/b/c/", the trailing slash optional) into at most
 * TAXII_MAX_SEGS non-empty segments in buf; returns how many, -1 if it is
 * not such a path. Repeated slashes count as one: MISP builds
 * baseurl + "/" + api_root, which gives "//api/" when the operator typed
 * the base URL with a trailing slash. */
static int split_path(const char *path, char *buf, size_t cap, char *seg[TAXII_MAX_SEGS])
{
    size_t n = strlen(path);
    if (n == 0 || path[0] != '/' || n >= cap)
        return -1;
    memcpy(buf, path + 1, n);           /* with the NUL */
    n--;
    if (n > 0 && buf[n - 1] == '/')
        buf[--n] = '\0';
    if (n == 0)
        return 0;
    int k = 0;
    for (char *s = buf;;) {
        while (*s == '/')
            s++;
        if (!*s)
            return k;                   /* "/api//" ends like "/api/" */
        char *e = strchr(s, '/');
        if (e)
            *e = '\0';
        if (k == TAXII_MAX_SEGS)
            return -1;
        seg[k++] = s;
        if (!e)
            return k;
        s = e + 1;
    }
}

/* The route matching the segments, with C and O captured into c. */
static const struct route *match_route(struct taxii_ctx *c, char **seg, int nseg)
{
    for (size_t r = 0; r < sizeof routes / sizeof routes[0]; r++) {
        char pat[64];
        snprintf(pat, sizeof pat, "%s", routes[r].pattern);
        int k = 0;
        bool ok = true;
        char *save = NULL;
        for (char *p = strtok_r(pat, "/", &save); p && ok; p = strtok_r(NULL, "/", &save), k++) {
            if (k >= nseg)
                ok = false;
            else if (strcmp(p, "A") == 0)
                ok = strcmp(seg[k], c->t->api_root) == 0;
            else if (strcmp(p, "C") == 0)
                c->collection = seg[k];
            else if (strcmp(p, "O") == 0)
                c->object_id = seg[k];
            else
                ok = strcmp(seg[k], p) == 0;
        }
        if (ok && k == nseg)
            return &routes[r];
    }
    return NULL;
}

static void dispatch(struct taxii_ctx *c)
{
    char buf[2048];
    char *seg[TAXII_MAX_SEGS];
    int nseg = split_path(c->rq->path ? c->rq->path : "", buf, sizeof buf, seg);
    const struct route *r = nseg > 0 ? match_route(c, seg, nseg) : NULL;
    if (!r) {
        taxii_error(c, 404, "Not found", "There is no TAXII resource at this path.");
        return;
    }
    const char *m = c->rq->method ? c->rq->method : "";
    taxii_fn fn = strcmp(m, "GET") == 0      ? r->get
                  : strcmp(m, "POST") == 0   ? r->post
                  : strcmp(m, "DELETE") == 0 ? r->del
                                             : NULL;
    if (!fn) {
        snprintf(c->rs->allow, sizeof c->rs->allow, "%s", r->allow);
        taxii_error(c, 405, "Method not allowed", "This resource does not support this method.");
        return;
    }
    if (!accept_ok(c->rq->accept)) {
        taxii_error(c, 406, "Not acceptable",
                    "This server answers with application/taxii+json;version=2.1 only.");
        return;
    }
    if (fn == taxii_add_objects) {
        if (!content_type_ok(c->rq->content_type)) {
            taxii_error(c, 415, "Unsupported media type",
                        "Send an envelope as application/taxii+json;version=2.1.");
            return;
        }
        if (c->rq->body_len > c->t->cfg.max_body) {
            char d[128];
            snprintf(d, sizeof d, "The body is larger than max_content_length (%zu bytes).",
                     c->t->cfg.max_body);
            taxii_error(c, 413, "Request too large", d);
            return;
        }
    }
    fn(c);
}

/* ---- public API ---- */

taxii_server *taxii_new(store *s, const struct taxii_config *cfg)
{
    taxii_server *t = calloc(1, sizeof *t);
    if (!t)
        return NULL;
    t->st = s;
    t->cfg = *cfg;
    snprintf(t->title, sizeof t->title, "%s", cfg->title ? cfg->title : "alidade node");
    snprintf(t->api_root, sizeof t->api_root, "%s", cfg->api_root ? cfg->api_root : "api");
    t->cfg.title = t->title;
    t->cfg.api_root = t->api_root;
    if (!t->cfg.max_body)
        t->cfg.max_body = 16u << 20;
    if (!t->cfg.max_page)
        t->cfg.max_page = 1000;
    return t;
}

void taxii_free(taxii_server *t)
{
    free(t);
}

void taxii_handle(taxii_server *t, const struct taxii_request *rq, int64_t now_us,
                  struct taxii_response *rs)
{
    *rs = (struct taxii_response){0};
    struct taxii_ctx c = {.t = t, .rq = rq, .rs = rs, .now = now_us};
    if (!authenticate(&c)) {
        rs->www_authenticate = true;
        taxii_error(&c, 401, "Unauthorized",
                    "Authenticate with HTTP Basic (partner name, token) or a Bearer token.");
        return;
    }
    snprintf(rs->partner, sizeof rs->partner, "%s", c.partner.name);
    dispatch(&c);
    free(c.groups);
}

void taxii_response_free(struct taxii_response *rs)
{
    if (!rs)
        return;
    free(rs->body);
    rs->body = NULL;
    rs->body_len = 0;
}
