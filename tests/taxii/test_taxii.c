/*
 * test_taxii.c - the TAXII 2.1 handler over a real store in a temporary data
 * directory: authentication (Basic, Bearer, certificate, 401), routing and
 * 404/405, Accept (406) and Content-Type (415), body limit (413), malformed
 * (400) and non-envelope (422) bodies, discovery, API root, collections and
 * per-partner can_read/can_write, add objects and the status resource, every
 * filter, paging with next, X-TAXII-Date-Added-*, manifest, object by id,
 * versions, delete, the read policy (TLP:RED invisible as if absent) and the
 * audit rows, paging 100,000 objects with next (each once, also with
 * objects added mid-way) and a randomised policy test over every read path
 * (objects, manifest, by id, versions). Bodies and headers are compared exactly.
 */
#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <nettle/base64.h>
#include <sqlite3.h>

#include "alidade/taxii.h"

#define T0 1700000000000000LL        /* 2023-11-14T22:13:20Z */

struct fx {
    char dir[64];
    store *st;
    taxii_server *t;
    char tok_a[SHARE_TOKEN_TEXT], tok_b[SHARE_TOKEN_TEXT], tok_w[SHARE_TOKEN_TEXT];
    char coll2[STORE_UUID_TEXT];     /* "Restricted": only partner b reads it */
    char def[STORE_UUID_TEXT];       /* the default collection */
    char auth[256];
    int64_t now;
};

/* Partner name, token, identity, read and write grants. */
static void add_partner(struct fx *f, const char *name, char *tok, const char *identity,
                        const char *read, const char *write)
{
    struct store_partner p;
    memset(&p, 0, sizeof p);
    snprintf(p.name, sizeof p.name, "%s", name);
    snprintf(p.identity, sizeof p.identity, "%s", identity);
    assert_int_equal(share_token_new(tok), ALD_E_OK);
    share_token_hash(tok, strlen(tok), p.token_hash);
    snprintf(p.read, sizeof p.read, "%s", read);
    snprintf(p.write, sizeof p.write, "%s", write);
    p.created = T0;
    assert_int_equal(store_partner_put(f->st, &p), ALD_E_OK);
}

static int setup(void **state)
{
    struct fx *f = calloc(1, sizeof *f);
    snprintf(f->dir, sizeof f->dir, "/tmp/test_taxii.XXXXXX");
    assert_non_null(mkdtemp(f->dir));
    char err[256];
    f->st = store_open(f->dir, err, sizeof err);
    assert_non_null(f->st);
    struct store_collection *cols;
    size_t n;
    assert_int_equal(store_collections(f->st, &cols, &n), ALD_E_OK);
    assert_int_equal(n, 1);
    snprintf(f->def, sizeof f->def, "%s", cols[0].id);
    free(cols);
    assert_int_equal(store_collection_add(f->st, "Restricted", "", f->coll2), ALD_E_OK);
    add_partner(f, "alpha", f->tok_a, "identity--0a1b2c3d-0000-4000-8000-00000000000a", f->def,
                f->def);
    add_partner(f, "bravo", f->tok_b, "identity--0a1b2c3d-0000-4000-8000-00000000000b", "*",
                "");
    add_partner(f, "writer", f->tok_w, "identity--0a1b2c3d-0000-4000-8000-00000000000c", "",
                f->def);
    struct taxii_config cfg = {.title = "alidade node", .api_root = "api", .max_body = 8192,
                               .max_page = 100, .share = {.default_tlp = STIX_TLP_AMBER}};
    f->t = taxii_new(f->st, &cfg);
    assert_non_null(f->t);
    f->now = T0;
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fx *f = *state;
    taxii_free(f->t);
    store_close(f->st);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", f->dir);
    assert_int_equal(system(cmd), 0);
    free(f);
    return 0;
}

/* "Bearer TOKEN" of a partner. */
static const char *bearer(struct fx *f, const char *tok)
{
    snprintf(f->auth, sizeof f->auth, "Bearer %s", tok);
    return f->auth;
}

static const char *basic(struct fx *f, const char *user, const char *pass)
{
    char raw[160];
    int n = snprintf(raw, sizeof raw, "%s:%s", user, pass);
    char enc[BASE64_ENCODE_RAW_LENGTH(160) + 1];
    base64_encode_raw(enc, (size_t)n, (const uint8_t *)raw);
    enc[BASE64_ENCODE_RAW_LENGTH((size_t)n)] = '\0';
    snprintf(f->auth, sizeof f->auth, "Basic %s", enc);
    return f->auth;
}

/* One request; the clock moves 1 s per request. */
static void call(struct fx *f, struct taxii_response *rs, const char *method, const char *path,
                 const char *query, const char *auth, const char *accept, const char *ctype,
                 const char *body)
{
    struct taxii_request rq = {
        .method = method, .path = path, .query = query, .host = "127.0.0.1:8700",
        .accept = accept, .content_type = ctype, .authorization = auth,
        .body = body, .body_len = body ? strlen(body) : 0,
    };
    f->now += 1000000;
    taxii_handle(f->t, &rq, f->now, rs);
}

/* GET as partner alpha with the TAXII Accept header. */
static void get_a(struct fx *f, struct taxii_response *rs, const char *path, const char *query)
{
    call(f, rs, "GET", path, query, bearer(f, f->tok_a), TAXII_MEDIA, NULL, NULL);
}

static void expect(struct taxii_response *rs, int status, const char *body)
{
    if (rs->status != status || (body && (!rs->body || strcmp(rs->body, body) != 0)))
        print_message("got %d %.*s\n", rs->status, (int)rs->body_len, rs->body ? rs->body : "");
    assert_int_equal(rs->status, status);
    if (body) {
        assert_non_null(rs->body);
        assert_string_equal(rs->body, body);
        assert_int_equal(rs->body_len, strlen(body));
        assert_string_equal(rs->content_type, TAXII_MEDIA);
    }
}

static void p(char *buf, size_t cap, const char *fmt, const char *a)
{
    snprintf(buf, cap, fmt, a);
}

/* ---- authentication ---- */

static void test_auth(void **state)
{
    struct fx *f = *state;
    struct taxii_response rs;
    call(f, &rs, "GET", "/taxii2/", NULL, NULL, TAXII_MEDIA, NULL, NULL);
    expect(&rs, 401, "{\"title\":\"Unauthorized\",\"description\":\"Authenticate with HTTP "
                     "Basic (partner name, token) or a Bearer token.\",\"http_status\":\"401\","
                     "\"error_code\":\"401\"}");
    assert_true(rs.www_authenticate);
    assert_string_equal(rs.partner, "");
    taxii_response_free(&rs);

    const char *good[] = {basic(f, "alpha", f->tok_a), NULL};
    call(f, &rs, "GET", "/taxii2/", NULL, good[0], TAXII_MEDIA, NULL, NULL);
    expect(&rs, 200, NULL);
    assert_false(rs.www_authenticate);
    assert_string_equal(rs.partner, "alpha");
    taxii_response_free(&rs);

    call(f, &rs, "GET", "/taxii2/", NULL, bearer(f, f->tok_b), NULL, NULL, NULL);
    expect(&rs, 200, NULL);
    taxii_response_free(&rs);

    /* bravo's token under alpha's name, a wrong token, unknown partner,
     * bad base64, an unknown scheme: all 401 */
    const char *bad[] = {basic(f, "alpha", f->tok_b), NULL};
    call(f, &rs, "GET", "/taxii2/", NULL, bad[0], TAXII_MEDIA, NULL, NULL);
    expect(&rs, 401, NULL);
    taxii_response_free(&rs);
    char wrong[SHARE_TOKEN_TEXT];
    memcpy(wrong, f->tok_a, sizeof wrong);
    wrong[0] = wrong[0] == 'A' ? 'B' : 'A';
    call(f, &rs, "GET", "/taxii2/", NULL, bearer(f, wrong), TAXII_MEDIA, NULL, NULL);
    expect(&rs, 401, NULL);
    taxii_response_free(&rs);
    call(f, &rs, "GET", "/taxii2/", NULL, basic(f, "nobody", f->tok_a), TAXII_MEDIA, NULL, NULL);
    expect(&rs, 401, NULL);
    taxii_response_free(&rs);
    call(f, &rs, "GET", "/taxii2/", NULL, "Basic !!!notbase64", TAXII_MEDIA, NULL, NULL);
    expect(&rs, 401, NULL);
    taxii_response_free(&rs);
    call(f, &rs, "GET", "/taxii2/", NULL, "Digest abc", TAXII_MEDIA, NULL, NULL);
    expect(&rs, 401, NULL);
    taxii_response_free(&rs);
    /* taxii2-client's TokenAuth ("Token KEY", the OpenCTI taxii2 connector
     * with TAXII2_USE_TOKEN) is a bearer token by another name */
    char tokauth[128];
    snprintf(tokauth, sizeof tokauth, "Token %s", f->tok_a);
    call(f, &rs, "GET", "/taxii2/", NULL, tokauth, TAXII_MEDIA, NULL, NULL);
    expect(&rs, 200, NULL);
    taxii_response_free(&rs);
    snprintf(tokauth, sizeof tokauth, "Token %s", wrong);
    call(f, &rs, "GET", "/taxii2/", NULL, tokauth, TAXII_MEDIA, NULL, NULL);
    expect(&rs, 401, NULL);
    taxii_response_free(&rs);
}

/* A client certificate fingerprint identifies a partner that has one. */
static void test_auth_cert(void **state)
{
    struct fx *f = *state;
    struct store_partner pt;
    assert_int_equal(store_partner_get(f->st, "bravo", &pt), ALD_E_OK);
    const char *fp = "5d41402abc4b2a76b9719d911017c592aaaabbbbccccddddeeeeffff00001111";
    snprintf(pt.cert_fp, sizeof pt.cert_fp, "%s", fp);
    assert_int_equal(store_partner_put(f->st, &pt), ALD_E_OK);
    struct taxii_request rq = {.method = "GET", .path = "/api/", .client_cert_fp = fp};
    struct taxii_response rs;
    taxii_handle(f->t, &rq, T0, &rs);
    expect(&rs, 200, NULL);
    taxii_response_free(&rs);
    rq.client_cert_fp = "0000000000000000000000000000000000000000000000000000000000000000";
    taxii_handle(f->t, &rq, T0, &rs);
    expect(&rs, 401, NULL);
    taxii_response_free(&rs);
}

/* ---- routing, negotiation ---- */

static void test_routing(void **state)
{
    struct fx *f = *state;
    struct taxii_response rs;
    get_a(f, &rs, "/nope/", NULL);
    expect(&rs, 404, "{\"title\":\"Not found\",\"description\":\"There is no TAXII resource at "
                     "this path.\",\"http_status\":\"404\",\"error_code\":\"404\"}");
    taxii_response_free(&rs);
    get_a(f, &rs, "/api/collections/x/objects/y/versions/z/", NULL);
    expect(&rs, 404, NULL);
    taxii_response_free(&rs);
    /* repeated slashes are one (MISP's baseurl + "/" + api_root) */
    get_a(f, &rs, "/api//collections/", NULL);
    expect(&rs, 200, NULL);
    assert_non_null(strstr(rs.body, "\"collections\":["));
    taxii_response_free(&rs);
    get_a(f, &rs, "//api/", NULL);
    expect(&rs, 200, NULL);
    assert_non_null(strstr(rs.body, "\"max_content_length\""));
    taxii_response_free(&rs);
    get_a(f, &rs, "/api/collections//x/", NULL);
    expect(&rs, 404, NULL);
    taxii_response_free(&rs);
    get_a(f, &rs, "/api", NULL);     /* the trailing slash may be left out */
    expect(&rs, 200, NULL);
    taxii_response_free(&rs);

    call(f, &rs, "PUT", "/api/collections/", NULL, bearer(f, f->tok_a), TAXII_MEDIA, NULL, NULL);
    expect(&rs, 405, "{\"title\":\"Method not allowed\",\"description\":\"This resource does "
                     "not support this method.\",\"http_status\":\"405\",\"error_code\":\"405\"}");
    assert_string_equal(rs.allow, "GET");
    taxii_response_free(&rs);
    char path[160];
    p(path, sizeof path, "/api/collections/%s/objects/", f->def);
    call(f, &rs, "DELETE", path, NULL, bearer(f, f->tok_a), TAXII_MEDIA, NULL, NULL);
    expect(&rs, 405, NULL);
    assert_string_equal(rs.allow, "GET, POST");
    taxii_response_free(&rs);
    p(path, sizeof path, "/api/collections/%s/objects/x/", f->def);
    call(f, &rs, "POST", path, NULL, bearer(f, f->tok_a), TAXII_MEDIA, TAXII_MEDIA, "{}");
    expect(&rs, 405, NULL);
    assert_string_equal(rs.allow, "GET, DELETE");
    taxii_response_free(&rs);
}

static void test_accept(void **state)
{
    struct fx *f = *state;
    static const struct {
        const char *accept;
        int status;
    } cases[] = {
        {TAXII_MEDIA, 200},
        {"application/taxii+json", 200},
        {"application/taxii+json; version=2.1", 200},
        {"Application/TAXII+JSON;version=\"2.1\"", 200},
        {"*/*", 200},
        {"application/*", 200},
        {"text/html, application/taxii+json;version=2.1;q=0.9", 200},
        {NULL, 200},                 /* no Accept: anything goes */
        {"application/stix+json;version=2.1", 406},
        {"application/taxii+json;version=2.0", 406},
        {"application/json", 406},
        {"application/taxii+json;q=0", 406},
        {"text/html", 406},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct taxii_response rs;
        call(f, &rs, "GET", "/api/", NULL, bearer(f, f->tok_a), cases[i].accept, NULL, NULL);
        if (rs.status != cases[i].status)
            print_message("Accept: %s\n", cases[i].accept ? cases[i].accept : "(none)");
        expect(&rs, cases[i].status, cases[i].status == 406
            ? "{\"title\":\"Not acceptable\",\"description\":\"This server answers with "
              "application/taxii+json;version=2.1 only.\",\"http_status\":\"406\","
              "\"error_code\":\"406\"}" : NULL);
        taxii_response_free(&rs);
    }
}

/* ---- discovery, API root, collections ---- */

static void test_discovery_api_root(void **state)
{
    struct fx *f = *state;
    struct taxii_response rs;
    get_a(f, &rs, "/taxii2/", NULL);
    expect(&rs, 200, "{\"title\":\"alidade node\",\"default\":\"http://127.0.0.1:8700/api/\","
                     "\"api_roots\":[\"http://127.0.0.1:8700/api/\"]}");
    taxii_response_free(&rs);
    struct taxii_request rq = {.method = "GET", .path = "/taxii2/", .host = "node.example:443",
                               .https = true, .authorization = bearer(f, f->tok_a)};
    taxii_handle(f->t, &rq, T0, &rs);
    expect(&rs, 200, "{\"title\":\"alidade node\",\"default\":\"https://node.example:443/api/\","
                     "\"api_roots\":[\"https://node.example:443/api/\"]}");
    taxii_response_free(&rs);
    rq.host = "evil\"/x";
    taxii_handle(f->t, &rq, T0, &rs);
    expect(&rs, 400, NULL);
    taxii_response_free(&rs);

    get_a(f, &rs, "/api/", NULL);
    expect(&rs, 200, "{\"title\":\"alidade node\",\"versions\":[\"application/taxii+json;"
                     "version=2.1\"],\"max_content_length\":8192}");
    taxii_response_free(&rs);
}

static void test_collections(void **state)
{
    struct fx *f = *state;
    struct taxii_response rs;
    char want[1024], path[160];
    /* alpha reads and writes the default only: the other does not exist for it */
    get_a(f, &rs, "/api/collections/", NULL);
    snprintf(want, sizeof want,
             "{\"collections\":[{\"id\":\"%s\",\"title\":\"Default\",\"description\":"
             "\"Objects shared with partners by default\",\"can_read\":true,\"can_write\":true,"
             "\"media_types\":[\"application/stix+json;version=2.1\"]}]}", f->def);
    expect(&rs, 200, want);
    taxii_response_free(&rs);
    /* bravo reads everything, writes nothing */
    call(f, &rs, "GET", "/api/collections/", NULL, bearer(f, f->tok_b), TAXII_MEDIA, NULL, NULL);
    snprintf(want, sizeof want,
             "{\"collections\":[{\"id\":\"%s\",\"title\":\"Default\",\"description\":"
             "\"Objects shared with partners by default\",\"can_read\":true,\"can_write\":false,"
             "\"media_types\":[\"application/stix+json;version=2.1\"]},{\"id\":\"%s\",\"title\":"
             "\"Restricted\",\"can_read\":true,\"can_write\":false,\"media_types\":["
             "\"application/stix+json;version=2.1\"]}]}", f->def, f->coll2);
    expect(&rs, 200, want);
    taxii_response_free(&rs);

    p(path, sizeof path, "/api/collections/%s/", f->coll2);
    get_a(f, &rs, path, NULL);
    expect(&rs, 404, "{\"title\":\"Collection not found\",\"description\":\"No collection with "
                     "this id is available to you.\",\"http_status\":\"404\",\"error_code\":\"404\"}");
    taxii_response_free(&rs);
    p(path, sizeof path, "/api/collections/%s/objects/", f->coll2);
    get_a(f, &rs, path, NULL);
    expect(&rs, 404, NULL);
    taxii_response_free(&rs);
    call(f, &rs, "GET", path, NULL, bearer(f, f->tok_b), TAXII_MEDIA, NULL, NULL);
    expect(&rs, 200, "{\"more\":false,\"objects\":[]}");
    taxii_response_free(&rs);
    p(path, sizeof path, "/api/collections/%s/", f->def);
    call(f, &rs, "GET", path, NULL, bearer(f, f->tok_w), TAXII_MEDIA, NULL, NULL);
    snprintf(want, sizeof want,
             "{\"id\":\"%s\",\"title\":\"Default\",\"description\":"
             "\"Objects shared with partners by default\",\"can_read\":false,\"can_write\":true,"
             "\"media_types\":[\"application/stix+json;version=2.1\"]}", f->def);
    expect(&rs, 200, want);
    taxii_response_free(&rs);
    /* write-only: the collection is listed, reading it is forbidden */
    p(path, sizeof path, "/api/collections/%s/objects/", f->def);
    call(f, &rs, "GET", path, NULL, bearer(f, f->tok_w), TAXII_MEDIA, NULL, NULL);
    expect(&rs, 403, "{\"title\":\"Forbidden\",\"description\":\"You may not read this "
                     "collection.\",\"http_status\":\"403\",\"error_code\":\"403\"}");
    taxii_response_free(&rs);
}

/* ---- objects ---- */

/* An indicator version: id suffix n, modified day d (2024-01-dd), extra
 * properties (markings...) spliced in. */
static void indicator(char *out, size_t cap, int n, int d, const char *extra)
{
    snprintf(out, cap,
             "{\"type\":\"indicator\",\"spec_version\":\"2.1\",\"id\":\"indicator--"
             "8e2e2d2b-17d4-4cbf-938f-98ee46b3cd%02d\",\"created\":\"2024-01-01T00:00:00.000Z\","
             "\"modified\":\"2024-01-%02dT00:00:00.000Z\",\"name\":\"bad host %d\","
             "\"pattern\":\"[ipv4-addr:value = '198.51.100.%d']\",\"pattern_type\":\"stix\","
             "\"valid_from\":\"2024-01-01T00:00:00Z\"%s}",
             n, d, n, n, extra ? extra : "");
}

/* POSTs objects (JSON texts joined by commas) to the default collection as
 * `tok`; returns the response for the caller to check and free. */
static void post(struct fx *f, struct taxii_response *rs, const char *tok, const char *objs)
{
    size_t n = strlen(objs) + 64;
    char *body = malloc(n);
    snprintf(body, n, "{\"objects\":[%s]}", objs);
    char path[160];
    p(path, sizeof path, "/api/collections/%s/objects/", f->def);
    call(f, rs, "POST", path, NULL, bearer(f, tok), TAXII_MEDIA, TAXII_MEDIA, body);
    free(body);
}

static void test_post_errors(void **state)
{
    struct fx *f = *state;
    struct taxii_response rs;
    char path[160];
    p(path, sizeof path, "/api/collections/%s/objects/", f->def);
    call(f, &rs, "POST", path, NULL, bearer(f, f->tok_a), TAXII_MEDIA, "application/json", "{}");
    expect(&rs, 415, "{\"title\":\"Unsupported media type\",\"description\":\"Send an envelope "
                     "as application/taxii+json;version=2.1.\",\"http_status\":\"415\","
                     "\"error_code\":\"415\"}");
    taxii_response_free(&rs);
    call(f, &rs, "POST", path, NULL, bearer(f, f->tok_a), TAXII_MEDIA, STIX_MEDIA, "{}");
    expect(&rs, 415, NULL);
    taxii_response_free(&rs);
    call(f, &rs, "POST", path, NULL, bearer(f, f->tok_a), TAXII_MEDIA, NULL, "{}");
    expect(&rs, 415, NULL);
    taxii_response_free(&rs);
    char *big = malloc(9000);
    memset(big, ' ', 8999);
    big[8999] = '\0';
    big[0] = '{';
    big[8998] = '}';
    call(f, &rs, "POST", path, NULL, bearer(f, f->tok_a), TAXII_MEDIA, TAXII_MEDIA, big);
    expect(&rs, 413, "{\"title\":\"Request too large\",\"description\":\"The body is larger "
                     "than max_content_length (8192 bytes).\",\"http_status\":\"413\","
                     "\"error_code\":\"413\"}");
    taxii_response_free(&rs);
    free(big);
    call(f, &rs, "POST", path, NULL, bearer(f, f->tok_a), TAXII_MEDIA, TAXII_MEDIA,
         "{\"objects\":[");
    expect(&rs, 400, NULL);
    assert_non_null(strstr(rs.body, "\"title\":\"Malformed JSON\""));
    taxii_response_free(&rs);
    call(f, &rs, "POST", path, NULL, bearer(f, f->tok_a), TAXII_MEDIA, TAXII_MEDIA,
         "{\"objects\":{}}");
    expect(&rs, 422, "{\"title\":\"Not an envelope\",\"description\":\"The body must be a TAXII "
                     "envelope: {\\\"objects\\\":[...]}.\",\"http_status\":\"422\","
                     "\"error_code\":\"422\"}");
    taxii_response_free(&rs);
    /* bravo may read but not write */
    post(f, &rs, f->tok_b, "");
    expect(&rs, 403, "{\"title\":\"Forbidden\",\"description\":\"You may not write to this "
                     "collection.\",\"http_status\":\"403\",\"error_code\":\"403\"}");
    taxii_response_free(&rs);
    /* nothing was stored */
    call(f, &rs, "GET", path, NULL, bearer(f, f->tok_b), TAXII_MEDIA, NULL, NULL);
    expect(&rs, 200, "{\"more\":false,\"objects\":[]}");
    taxii_response_free(&rs);
}

/* Count of audit rows with that action (read from the SQLite file). */
static int audit_count(struct fx *f, const char *who, const char *action)
{
    char path[128];
    snprintf(path, sizeof path, "%s/%s", f->dir, STORE_FILE);
    sqlite3 *db;
    assert_int_equal(sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    sqlite3_stmt *st;
    assert_int_equal(sqlite3_prepare_v2(db, "SELECT count(*) FROM audit WHERE who = ?1 AND "
                                            "action = ?2", -1, &st, NULL), SQLITE_OK);
    sqlite3_bind_text(st, 1, who, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, action, -1, SQLITE_STATIC);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    int n = sqlite3_column_int(st, 0);
    sqlite3_finalize(st);
    sqlite3_close(db);
    return n;
}

/* The object and detail of the last audit row of that action. */
static void audit_last(struct fx *f, const char *action, char *object, char *detail, size_t cap)
{
    char path[128];
    snprintf(path, sizeof path, "%s/%s", f->dir, STORE_FILE);
    sqlite3 *db;
    assert_int_equal(sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    sqlite3_stmt *st;
    assert_int_equal(sqlite3_prepare_v2(db, "SELECT object, detail FROM audit WHERE action = ?1"
                                            " ORDER BY seq DESC LIMIT 1", -1, &st, NULL),
                     SQLITE_OK);
    sqlite3_bind_text(st, 1, action, -1, SQLITE_STATIC);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    snprintf(object, cap, "%s", (const char *)sqlite3_column_text(st, 0));
    snprintf(detail, cap, "%s", (const char *)sqlite3_column_text(st, 1));
    sqlite3_finalize(st);
    sqlite3_close(db);
}

/* Finds "id":"..." of the status in a body. */
static void status_id(const char *body, char out[37])
{
    const char *s = strstr(body, "{\"id\":\"");
    assert_non_null(s);
    memcpy(out, s + 7, 36);
    out[36] = '\0';
}

static void test_post_status(void **state)
{
    struct fx *f = *state;
    char o1[1024], o2[1024], objs[3000], want[3000], sid[37], path[160];
    indicator(o1, sizeof o1, 1, 2, NULL);
    indicator(o2, sizeof o2, 2, 3, NULL);
    /* the third has no pattern: a failure, the two others still stored */
    snprintf(objs, sizeof objs, "%s,%s,{\"type\":\"indicator\",\"spec_version\":\"2.1\","
             "\"id\":\"indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd03\",\"created\":"
             "\"2024-01-01T00:00:00.000Z\",\"modified\":\"2024-01-01T00:00:00.000Z\","
             "\"pattern_type\":\"stix\",\"valid_from\":\"2024-01-01T00:00:00Z\"}", o1, o2);
    struct taxii_response rs;
    post(f, &rs, f->tok_a, objs);
    expect(&rs, 202, NULL);
    status_id(rs.body, sid);
    const char *fail = strstr(rs.body, "\"failures\":[{\"id\":\"indicator--8e2e2d2b-17d4-4cbf-"
                                       "938f-98ee46b3cd03\",\"version\":\"2024-01-01T00:00:00.000Z\","
                                       "\"message\":\"");
    assert_non_null(fail);
    assert_non_null(strstr(fail, "pattern"));
    char head[1200];
    snprintf(head, sizeof head,
             "{\"id\":\"%s\",\"status\":\"complete\",\"request_timestamp\":"
             "\"2023-11-14T22:13:21.000000Z\",\"total_count\":3,\"success_count\":2,"
             "\"successes\":[{\"id\":\"indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd01\","
             "\"version\":\"2024-01-02T00:00:00.000Z\"},{\"id\":\"indicator--8e2e2d2b-17d4-"
             "4cbf-938f-98ee46b3cd02\",\"version\":\"2024-01-03T00:00:00.000Z\"}],"
             "\"failure_count\":1,\"failures\":[", sid);
    assert_memory_equal(rs.body, head, strlen(head));
    assert_non_null(strstr(rs.body, "}],\"pending_count\":0}"));
    char *status_body = strdup(rs.body);
    taxii_response_free(&rs);

    /* the status resource: the same text for its owner, 404 for others */
    snprintf(path, sizeof path, "/api/status/%s/", sid);
    get_a(f, &rs, path, NULL);
    expect(&rs, 200, status_body);
    taxii_response_free(&rs);
    free(status_body);
    call(f, &rs, "GET", path, NULL, bearer(f, f->tok_b), TAXII_MEDIA, NULL, NULL);
    expect(&rs, 404, NULL);
    taxii_response_free(&rs);

    /* the objects come back as the exact bytes sent, in date_added order */
    p(path, sizeof path, "/api/collections/%s/objects/", f->def);
    get_a(f, &rs, path, NULL);
    snprintf(want, sizeof want, "{\"more\":false,\"objects\":[%s,%s]}", o1, o2);
    expect(&rs, 200, want);
    /* both added in the same request: date_added 1 us apart at most */
    assert_memory_equal(rs.date_added_first, "2023-11-14T22:13:21.0000", 24);
    assert_memory_equal(rs.date_added_last, "2023-11-14T22:13:21.0000", 24);
    assert_int_equal(strlen(rs.date_added_first), 27);
    taxii_response_free(&rs);

    /* the same again: a plain success (not "already there": that would
     * confirm objects the poster may not read), nothing added or audited */
    snprintf(objs, sizeof objs, "%s", o1);
    post(f, &rs, f->tok_a, objs);
    expect(&rs, 202, NULL);
    assert_non_null(strstr(rs.body, "\"success_count\":1,\"successes\":[{\"id\":\"indicator--"
                                    "8e2e2d2b-17d4-4cbf-938f-98ee46b3cd01\",\"version\":"
                                    "\"2024-01-02T00:00:00.000Z\"}],\"failure_count\":0,"));
    taxii_response_free(&rs);
    /* one row per object written; one row per response released */
    assert_int_equal(audit_count(f, "alpha", "write"), 2);
    assert_int_equal(audit_count(f, "alpha", "read"), 1);
    char object[200], detail[200];
    audit_last(f, "read", object, detail, sizeof object);
    assert_string_equal(object, f->def);
    assert_string_equal(detail, "indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd01 "
                                "indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd02");
    audit_last(f, "write", object, detail, sizeof object);
    assert_string_equal(object, "indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd02");
    assert_string_equal(detail, f->def);

    /* an SCO has neither modified nor created: its version in the status is
     * the date it was added, as the manifest shows it */
    post(f, &rs, f->tok_a, "{\"type\":\"ipv4-addr\",\"spec_version\":\"2.1\",\"id\":"
                           "\"ipv4-addr--ff26c055-6336-5bc5-b98d-13d6226742dd\",\"value\":"
                           "\"198.51.100.3\"}");
    expect(&rs, 202, NULL);
    const char *v = strstr(rs.body, "\"id\":\"ipv4-addr--ff26c055-6336-5bc5-b98d-13d6226742dd\","
                                    "\"version\":\"");
    assert_non_null(v);
    char version[40];
    snprintf(version, sizeof version, "%.27s", v + strlen("\"id\":\"ipv4-addr--ff26c055-6336-"
                                                          "5bc5-b98d-13d6226742dd\",\"version\":\""));
    taxii_response_free(&rs);
    p(path, sizeof path, "/api/collections/%s/manifest/", f->def);
    get_a(f, &rs, path, "match[type]=ipv4-addr");
    char mwant[120];
    snprintf(mwant, sizeof mwant, "\"version\":\"%s\"", version);
    assert_int_equal(strlen(version), 27);   /* YYYY-MM-DDTHH:MM:SS.ssssssZ */
    assert_int_equal(version[26], 'Z');
    assert_non_null(strstr(rs.body, mwant));
    taxii_response_free(&rs);
}

/* An envelope of 600 objects (three chunks of 256 at most), every 7th
 * invalid: the valid ones are all stored and audited, the status counts
 * are exact and in envelope order within successes and failures. */
static void test_post_chunks(void **state)
{
    struct fx *f = *state;
    enum { N = 600 };
    char *env = malloc(N * 420 + 32);
    size_t k = (size_t)sprintf(env, "{\"objects\":[");
    int bad = 0;
    for (int i = 0; i < N; i++) {
        bool invalid = i % 7 == 3;
        bad += invalid;
        k += (size_t)sprintf(env + k,
            "%s{\"type\":\"indicator\",\"spec_version\":\"2.1\",\"id\":\"indicator--"
            "c0c0c0c0-0000-4000-8000-%012d\",\"created\":\"2024-01-01T00:00:00.000Z\","
            "\"modified\":\"2024-01-01T00:00:00.000Z\",%s\"pattern_type\":\"stix\","
            "\"valid_from\":\"2024-01-01T00:00:00Z\"}", i ? "," : "", i,
            invalid ? "" : "\"pattern\":\"[ipv4-addr:value = '10.0.0.1']\",");
    }
    sprintf(env + k, "]}");
    struct taxii_config cfg = {.title = "t", .api_root = "api", .max_body = 1 << 20,
                               .max_page = 1000};
    taxii_server *t = taxii_new(f->st, &cfg);
    char path[160], want[160];
    p(path, sizeof path, "/api/collections/%s/objects/", f->def);
    struct taxii_request rq = {.method = "POST", .path = path, .content_type = TAXII_MEDIA,
                               .body = env, .body_len = strlen(env),
                               .authorization = bearer(f, f->tok_a)};
    struct taxii_response rs;
    taxii_handle(t, &rq, T0, &rs);
    expect(&rs, 202, NULL);
    snprintf(want, sizeof want, "\"total_count\":%d,\"success_count\":%d,\"successes\":[", N,
             N - bad);
    assert_non_null(strstr(rs.body, want));
    snprintf(want, sizeof want, "\"failure_count\":%d,\"failures\":[{\"id\":\"indicator--"
             "c0c0c0c0-0000-4000-8000-000000000003\"", bad);
    assert_non_null(strstr(rs.body, want));
    /* successes in envelope order across the chunk boundary (254, 256, 257;
     * 255 is one of the invalid ones) */
    const char *a = strstr(rs.body, "8000-000000000254\"");
    const char *b = strstr(rs.body, "8000-000000000256\"");
    const char *d = strstr(rs.body, "8000-000000000257\"");
    assert_true(a && b && d && a < b && b < d);
    taxii_response_free(&rs);
    free(env);
    assert_int_equal(audit_count(f, "alpha", "write"), N - bad);
    struct taxii_request g = {.method = "GET", .path = path, .query = "limit=1000",
                              .authorization = bearer(f, f->tok_a)};
    taxii_handle(t, &g, T0 + 1, &rs);
    expect(&rs, 200, NULL);
    int n = 0;
    for (const char *s = rs.body; (s = strstr(s, "\"type\":\"indicator\"")); s++)
        n++;
    assert_int_equal(n, N - bad);
    taxii_response_free(&rs);
    taxii_free(t);
}

/* 30 indicators (ids 10-39), each in versions on days 1 and 5; two of them
 * (ids 38, 39) at TLP:RED with no named partner, invisible to alpha. */
static void load_many(struct fx *f)
{
    char *objs = malloc(60 * 1100), one[1100], red[200];
    snprintf(red, sizeof red, ",\"object_marking_refs\":[\"%s\"]", stix_tlp_id(STIX_TLP_RED));
    for (int round = 0; round < 2; round++) {
        size_t k = 0;
        objs[0] = '\0';
        for (int n = 10; n < 40; n++) {
            indicator(one, sizeof one, n, round ? 5 : 1, n >= 38 ? red : NULL);
            k += (size_t)snprintf(objs + k, 60 * 1100 - k, "%s%s", k ? "," : "", one);
        }
        /* bigger than the 8 KiB test limit: straight into the store */
        struct taxii_response rs;
        struct taxii_config cfg = {.title = "t", .api_root = "api", .max_body = 1 << 20,
                                   .max_page = 100};
        taxii_server *big = taxii_new(f->st, &cfg);
        taxii_server *keep = f->t;
        f->t = big;
        post(f, &rs, f->tok_a, objs);
        f->t = keep;
        taxii_free(big);
        expect(&rs, 202, NULL);
        assert_non_null(strstr(rs.body, "\"success_count\":30,"));
        taxii_response_free(&rs);
    }
    free(objs);
}

/* Counts the objects in a body and returns the "next" value (or ""). */
static int count_objects(const char *body, char *next, size_t cap)
{
    int n = 0;
    for (const char *s = body; (s = strstr(s, "\"type\":\"indicator\"")); s++)
        n++;
    next[0] = '\0';
    const char *nx = strstr(body, "\"next\":\"");
    if (nx) {
        nx += 8;
        size_t l = strcspn(nx, "\"");
        assert_true(l < cap);
        memcpy(next, nx, l);
        next[l] = '\0';
    }
    return n;
}

static void test_filters_paging(void **state)
{
    struct fx *f = *state;
    load_many(f);
    char path[160], q[256], next[128];
    struct taxii_response rs;
    p(path, sizeof path, "/api/collections/%s/objects/", f->def);

    /* default: latest version of each visible object: 28 */
    get_a(f, &rs, path, NULL);
    expect(&rs, 200, NULL);
    assert_int_equal(count_objects(rs.body, next, sizeof next), 28);
    assert_null(strstr(rs.body, "cd38"));
    assert_null(strstr(rs.body, "2024-01-01T00:00:00.000Z\",\"name"));
    assert_non_null(strstr(rs.body, "{\"more\":false,\"objects\":["));
    taxii_response_free(&rs);

    /* paging by 10 with next: every object exactly once */
    int seen[40] = {0}, pages = 0, total = 0;
    snprintf(q, sizeof q, "limit=10");
    for (;;) {
        get_a(f, &rs, path, q);
        expect(&rs, 200, NULL);
        int n = count_objects(rs.body, next, sizeof next);
        total += n;
        pages++;
        for (int i = 10; i < 40; i++) {
            char id[8];
            snprintf(id, sizeof id, "cd%02d\"", i);
            if (strstr(rs.body, id))
                seen[i]++;
        }
        bool more = strstr(rs.body, "{\"more\":true,\"next\":\"") == rs.body;
        taxii_response_free(&rs);
        if (!more) {
            assert_string_equal(next, "");
            break;
        }
        assert_int_equal(n, 10);
        snprintf(q, sizeof q, "limit=10&next=%s", next);
    }
    assert_int_equal(pages, 3);
    assert_int_equal(total, 28);
    for (int i = 10; i < 40; i++)
        assert_int_equal(seen[i], i < 38 ? 1 : 0);

    /* paging the way older OpenCTI ingesters do: added_after = the previous
     * page's X-TAXII-Date-Added-Last, no next. date_added is strictly
     * increasing, so this is exact too. */
    memset(seen, 0, sizeof seen);
    total = 0;
    snprintf(q, sizeof q, "limit=10");
    for (int page = 0; page < 10; page++) {
        get_a(f, &rs, path, q);
        expect(&rs, 200, NULL);
        int n = count_objects(rs.body, next, sizeof next);
        total += n;
        for (int i = 10; i < 40; i++) {
            char id[8];
            snprintf(id, sizeof id, "cd%02d\"", i);
            if (strstr(rs.body, id))
                seen[i]++;
        }
        if (n == 0) {
            assert_string_equal(rs.date_added_last, "");
            taxii_response_free(&rs);
            break;
        }
        snprintf(q, sizeof q, "limit=10&added_after=%s", rs.date_added_last);
        taxii_response_free(&rs);
    }
    assert_int_equal(total, 28);
    for (int i = 10; i < 40; i++)
        assert_int_equal(seen[i], i < 38 ? 1 : 0);

    /* match[id] (two, one of them RED: only one comes), match[type] */
    get_a(f, &rs, path, "match[id]=indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd12,"
                        "indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd39");
    expect(&rs, 200, NULL);
    assert_int_equal(count_objects(rs.body, next, sizeof next), 1);
    assert_non_null(strstr(rs.body, "cd12\""));
    taxii_response_free(&rs);
    get_a(f, &rs, path, "match%5Btype%5D=malware");
    expect(&rs, 200, "{\"more\":false,\"objects\":[]}");
    assert_string_equal(rs.date_added_first, "");
    taxii_response_free(&rs);
    get_a(f, &rs, path, "match[type]=malware,indicator&limit=5");
    expect(&rs, 200, NULL);
    assert_int_equal(count_objects(rs.body, next, sizeof next), 5);
    taxii_response_free(&rs);

    /* match[version]: all = both versions of the 28; first = day 1 */
    get_a(f, &rs, path, "match[version]=all");
    assert_int_equal(count_objects(rs.body, next, sizeof next), 56);
    taxii_response_free(&rs);
    get_a(f, &rs, path, "match[version]=first&match[id]=indicator--8e2e2d2b-17d4-4cbf-938f-"
                        "98ee46b3cd10");
    assert_non_null(strstr(rs.body, "\"modified\":\"2024-01-01T00:00:00.000Z\""));
    assert_int_equal(count_objects(rs.body, next, sizeof next), 1);
    taxii_response_free(&rs);
    get_a(f, &rs, path, "match[version]=2024-01-05T00:00:00.000Z&match[spec_version]=2.1");
    assert_int_equal(count_objects(rs.body, next, sizeof next), 28);
    taxii_response_free(&rs);
    get_a(f, &rs, path, "match[spec_version]=2.0");
    expect(&rs, 200, "{\"more\":false,\"objects\":[]}");
    taxii_response_free(&rs);

    /* added_after: the second round only (added after the first round's last) */
    get_a(f, &rs, path, "match[version]=all&limit=28");
    char last_first_round[40];
    snprintf(last_first_round, sizeof last_first_round, "%s", rs.date_added_last);
    taxii_response_free(&rs);
    snprintf(q, sizeof q, "match[version]=all&added_after=%s", last_first_round);
    get_a(f, &rs, path, q);
    assert_int_equal(count_objects(rs.body, next, sizeof next), 28);
    assert_null(strstr(rs.body, "2024-01-01T00:00:00.000Z\",\"name"));
    taxii_response_free(&rs);

    /* bad parameters */
    static const char *const bad[] = {"limit=0", "limit=-1", "limit=x", "added_after=yesterday",
                                      "match[version]=latest", "next=bogus", "match[id]=",
                                      "match[type]=a,,b", "limit=%zz"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        get_a(f, &rs, path, bad[i]);
        if (rs.status != 400)
            print_message("query %s\n", bad[i]);
        expect(&rs, 400, NULL);
        taxii_response_free(&rs);
    }
}

static void test_manifest_versions_object(void **state)
{
    struct fx *f = *state;
    load_many(f);
    char path[200], want[1300];
    struct taxii_response rs;
    const char *id10 = "indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd10";

    p(path, sizeof path, "/api/collections/%s/manifest/", f->def);
    get_a(f, &rs, path, "match[id]=indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd10");
    expect(&rs, 200, NULL);
    snprintf(want, sizeof want, "{\"more\":false,\"objects\":[{\"id\":\"%s\",\"date_added\":"
             "\"%s\",\"version\":\"2024-01-05T00:00:00.000Z\",\"media_type\":"
             "\"application/stix+json;version=2.1\"}]}", id10, rs.date_added_first);
    assert_string_equal(rs.body, want);
    taxii_response_free(&rs);
    get_a(f, &rs, path, "limit=100&match[version]=all");
    int n = 0;
    for (const char *s = rs.body; (s = strstr(s, "\"media_type\"")); s++)
        n++;
    assert_int_equal(n, 56);
    taxii_response_free(&rs);

    /* versions: both, oldest first */
    snprintf(path, sizeof path, "/api/collections/%s/objects/%s/versions/", f->def, id10);
    get_a(f, &rs, path, NULL);
    expect(&rs, 200, "{\"more\":false,\"versions\":[\"2024-01-01T00:00:00.000Z\","
                     "\"2024-01-05T00:00:00.000Z\"]}");
    taxii_response_free(&rs);
    get_a(f, &rs, path, "limit=1");
    expect(&rs, 200, NULL);
    assert_memory_equal(rs.body, "{\"more\":true,\"next\":\"", 21);
    assert_non_null(strstr(rs.body, "\"versions\":[\"2024-01-01T00:00:00.000Z\"]}"));
    taxii_response_free(&rs);

    /* one object: latest version by default, first on request */
    snprintf(path, sizeof path, "/api/collections/%s/objects/%s/", f->def, id10);
    get_a(f, &rs, path, NULL);
    char o[1100];
    indicator(o, sizeof o, 10, 5, NULL);
    snprintf(want, sizeof want, "{\"more\":false,\"objects\":[%s]}", o);
    expect(&rs, 200, want);
    taxii_response_free(&rs);
    get_a(f, &rs, path, "match[version]=first");
    indicator(o, sizeof o, 10, 1, NULL);
    snprintf(want, sizeof want, "{\"more\":false,\"objects\":[%s]}", o);
    expect(&rs, 200, want);
    taxii_response_free(&rs);

    /* TLP:RED not named: exactly as absent, on every endpoint */
    const char *red = "indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd39";
    const char *absent = "indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd99";
    const char *nf = "{\"title\":\"Object not found\",\"description\":\"No object with this id "
                     "is available to you.\",\"http_status\":\"404\",\"error_code\":\"404\"}";
    const char *ids[2] = {red, absent};
    for (int i = 0; i < 2; i++) {
        snprintf(path, sizeof path, "/api/collections/%s/objects/%s/", f->def, ids[i]);
        get_a(f, &rs, path, NULL);
        expect(&rs, 404, nf);
        taxii_response_free(&rs);
        snprintf(path, sizeof path, "/api/collections/%s/objects/%s/versions/", f->def, ids[i]);
        get_a(f, &rs, path, NULL);
        expect(&rs, 404, nf);
        taxii_response_free(&rs);
        snprintf(path, sizeof path, "/api/collections/%s/objects/%s/", f->def, ids[i]);
        call(f, &rs, "DELETE", path, NULL, bearer(f, f->tok_a), TAXII_MEDIA, NULL, NULL);
        expect(&rs, 404, nf);
        taxii_response_free(&rs);
    }

    /* delete one version, then the rest */
    snprintf(path, sizeof path, "/api/collections/%s/objects/%s/", f->def, id10);
    call(f, &rs, "DELETE", path, "match[version]=first", bearer(f, f->tok_b), TAXII_MEDIA, NULL,
         NULL);
    expect(&rs, 403, NULL);          /* bravo may not write */
    taxii_response_free(&rs);
    call(f, &rs, "DELETE", path, "match[version]=first", bearer(f, f->tok_a), TAXII_MEDIA, NULL,
         NULL);
    expect(&rs, 200, NULL);
    assert_null(rs.body);
    assert_null(rs.content_type);
    taxii_response_free(&rs);
    snprintf(path, sizeof path, "/api/collections/%s/objects/%s/versions/", f->def, id10);
    get_a(f, &rs, path, NULL);
    expect(&rs, 200, "{\"more\":false,\"versions\":[\"2024-01-05T00:00:00.000Z\"]}");
    taxii_response_free(&rs);
    snprintf(path, sizeof path, "/api/collections/%s/objects/%s/", f->def, id10);
    call(f, &rs, "DELETE", path, NULL, bearer(f, f->tok_a), TAXII_MEDIA, NULL, NULL);
    expect(&rs, 200, NULL);
    taxii_response_free(&rs);
    get_a(f, &rs, path, NULL);
    expect(&rs, 404, nf);
    taxii_response_free(&rs);
    assert_int_equal(audit_count(f, "alpha", "delete"), 2);
}

/* ---- 100,000 objects paged through the handler ---- */

/* Stores n small indicators (id suffix = index) straight into the default
 * collection, one transaction. */
static void put_many(struct fx *f, int n)
{
    assert_int_equal(store_begin(f->st), ALD_E_OK);
    for (int i = 0; i < n; i++) {
        char o[400];
        int len = snprintf(o, sizeof o,
                           "{\"type\":\"indicator\",\"spec_version\":\"2.1\",\"id\":\"indicator--"
                           "00000000-0000-4000-8000-%012d\",\"created\":\"2024-01-01T00:00:00.000Z\","
                           "\"modified\":\"2024-01-01T00:00:00.000Z\",\"pattern\":\"[ipv4-addr:value"
                           " = '10.0.0.1']\",\"pattern_type\":\"stix\",\"valid_from\":"
                           "\"2024-01-01T00:00:00Z\"}", i);
        struct stix_info in;
        assert_int_equal(stix_check(o, (size_t)len, 0, &in, NULL, 0), 0);
        bool added;
        int64_t da;
        assert_int_equal(store_put(f->st, f->def, o, (size_t)len, &in, T0 + i, &added, &da),
                         ALD_E_OK);
        assert_true(added);
    }
    assert_int_equal(store_commit(f->st), ALD_E_OK);
}

/* Every object exactly once across pages of 1000 followed by next, also
 * when objects are added between pages (they come at the end). */
static void test_paging_100k(void **state)
{
    struct fx *f = *state;
    enum { N = 100000, EXTRA = 500 };
    put_many(f, N);
    struct taxii_config cfg = {.title = "t", .api_root = "api", .max_body = 1 << 20,
                               .max_page = 1000};
    taxii_server *t = taxii_new(f->st, &cfg);
    unsigned char *seen = calloc(N + EXTRA, 1);
    char path[160], q[256], next[128] = "";
    p(path, sizeof path, "/api/collections/%s/manifest/", f->def);
    int pages = 0, total = 0;
    for (;;) {
        if (next[0])
            snprintf(q, sizeof q, "limit=1000&next=%s", next);
        else
            snprintf(q, sizeof q, "limit=5000");     /* capped at 1000 */
        struct taxii_request rq = {.method = "GET", .path = path, .query = q,
                                   .authorization = bearer(f, f->tok_a)};
        struct taxii_response rs;
        taxii_handle(t, &rq, T0 + N + pages, &rs);
        assert_int_equal(rs.status, 200);
        int n = 0;
        for (const char *s = rs.body; (s = strstr(s, "\"id\":\"indicator--00000000-0000-4000-"
                                                  "8000-")); s += 40) {
            int k = atoi(s + 6 + 35);
            assert_true(k >= 0 && k < N + EXTRA);
            assert_int_equal(seen[k], 0);
            seen[k] = 1;
            n++;
        }
        total += n;
        pages++;
        bool more = strncmp(rs.body, "{\"more\":true,\"next\":\"", 21) == 0;
        if (more) {
            assert_int_equal(n, 1000);
            const char *nx = rs.body + 21;
            size_t l = strcspn(nx, "\"");
            assert_true(l < sizeof next);
            memcpy(next, nx, l);
            next[l] = '\0';
        }
        taxii_response_free(&rs);
        if (pages == 50) {            /* new objects while a client pages */
            taxii_free(t);
            assert_int_equal(store_begin(f->st), ALD_E_OK);
            for (int i = N; i < N + EXTRA; i++) {
                char o[400];
                int len = snprintf(o, sizeof o,
                    "{\"type\":\"indicator\",\"spec_version\":\"2.1\",\"id\":\"indicator--"
                    "00000000-0000-4000-8000-%012d\",\"created\":\"2024-01-01T00:00:00.000Z\","
                    "\"modified\":\"2024-01-01T00:00:00.000Z\",\"pattern\":\"[ipv4-addr:value"
                    " = '10.0.0.1']\",\"pattern_type\":\"stix\",\"valid_from\":"
                    "\"2024-01-01T00:00:00Z\"}", i);
                struct stix_info in;
                assert_int_equal(stix_check(o, (size_t)len, 0, &in, NULL, 0), 0);
                bool added;
                int64_t da;
                assert_int_equal(store_put(f->st, f->def, o, (size_t)len, &in, T0, &added, &da),
                                 ALD_E_OK);
            }
            assert_int_equal(store_commit(f->st), ALD_E_OK);
            t = taxii_new(f->st, &cfg);
        }
        if (!more)
            break;
    }
    assert_int_equal(total, N + EXTRA);
    assert_int_equal(pages, 101);
    free(seen);
    taxii_free(t);
}

/* ---- randomised policy: every read path shows exactly what is allowed ---- */

/* xorshift64*: deterministic. */
static uint64_t rnd(uint64_t *x)
{
    *x ^= *x >> 12;
    *x ^= *x << 25;
    *x ^= *x >> 27;
    return *x * 2685821657736338717ULL;
}

enum { POL_PARTNERS = 5, POL_OBJECTS = 120 };

struct pol_obj {
    int group;                       /* -1 none, 0 g0, 1 g1 */
    bool red;
    int named;                       /* partner index named as recipient, -1 none */
    int creator;                     /* partner index as created_by_ref, -1 none */
};

static const char *pol_identity(int i, char out[64])
{
    snprintf(out, 64, "identity--7d1f0e2a-0000-4000-8000-%012d", i);
    return out;
}

/* The policy of docs/share.md written out again for the test's cases. */
static bool pol_allowed(const struct pol_obj *o, int partner_groups, int p)
{
    if (o->group >= 0 && !(partner_groups & (1 << o->group)))
        return false;
    bool named = o->named == p || o->creator == p;
    /* re-sharing (rule 4): every object was posted by p0, so it is p0's
     * (AMBER by default, or RED); another partner reads it only when p0
     * addressed it: a member of the group it is marked with, or named */
    if (p != 0 && o->group < 0 && !named)
        return false;
    return !o->red || named;
}

static void test_policy_random(void **state)
{
    struct fx *f = *state;
    uint64_t x = 0x9e3779b97f4a7c15ULL;
    char tok[POL_PARTNERS][SHARE_TOKEN_TEXT], id[64];
    int groups[POL_PARTNERS];
    for (int i = 0; i < POL_PARTNERS; i++) {
        struct store_partner pt;
        memset(&pt, 0, sizeof pt);
        snprintf(pt.name, sizeof pt.name, "p%d", i);
        pol_identity(i, pt.identity);
        assert_int_equal(share_token_new(tok[i]), ALD_E_OK);
        share_token_hash(tok[i], strlen(tok[i]), pt.token_hash);
        /* p0 is in both groups, so the node knows both (docs/share.md: a
         * group no partner is in is not a restriction the node can know) */
        groups[i] = i == 0 ? 3 : (int)(rnd(&x) % 4);
        snprintf(pt.groups, sizeof pt.groups, "%s%s%s", groups[i] & 1 ? "g0" : "",
                 groups[i] == 3 ? "," : "", groups[i] & 2 ? "g1" : "");
        snprintf(pt.read, sizeof pt.read, "*");
        snprintf(pt.write, sizeof pt.write, "*");
        assert_int_equal(store_partner_put(f->st, &pt), ALD_E_OK);
    }
    struct pol_obj objs[POL_OBJECTS];
    char *env = malloc(POL_OBJECTS * 900 + 32), gid[2][STIX_ID_MAX];
    share_group_marking_id("g0", gid[0]);
    share_group_marking_id("g1", gid[1]);
    size_t k = (size_t)sprintf(env, "{\"objects\":[");
    for (int i = 0; i < POL_OBJECTS; i++) {
        struct pol_obj *o = &objs[i];
        o->group = (int)(rnd(&x) % 3) - 1;
        o->red = rnd(&x) % 2;
        o->named = rnd(&x) % 3 ? (int)(rnd(&x) % POL_PARTNERS) : -1;
        o->creator = rnd(&x) % 3 ? (int)(rnd(&x) % POL_PARTNERS) : -1;
        char marks[300] = "", extra[400] = "";
        if (o->red || o->group >= 0)
            snprintf(marks, sizeof marks, ",\"object_marking_refs\":[%s%s%s%s%s]",
                     o->red ? "\"" : "", o->red ? stix_tlp_id(STIX_TLP_RED) : "",
                     o->red ? "\"" : "", o->red && o->group >= 0 ? "," : "",
                     o->group >= 0 ? (o->group ? "\"G1\"" : "\"G0\"") : "");
        /* the group id goes in by replacing the placeholder */
        char *g = strstr(marks, "\"G");
        if (g) {
            char tail[300];
            snprintf(tail, sizeof tail, "\"%s\"%s", gid[g[2] - '0'], g + 4);
            snprintf(g, sizeof marks - (size_t)(g - marks), "%s", tail);
        }
        size_t e = 0;
        if (o->named >= 0)
            e += (size_t)snprintf(extra + e, sizeof extra - e, ",\"x_alidade_recipients\":[\"%s\"]",
                                  pol_identity(o->named, id));
        if (o->creator >= 0)
            snprintf(extra + e, sizeof extra - e, ",\"created_by_ref\":\"%s\"",
                     pol_identity(o->creator, id));
        k += (size_t)sprintf(env + k,
            "%s{\"type\":\"indicator\",\"spec_version\":\"2.1\",\"id\":\"indicator--"
            "5a5a5a5a-0000-4000-8000-%012d\",\"created\":\"2024-01-01T00:00:00.000Z\","
            "\"modified\":\"2024-01-0%dT00:00:00.000Z\",\"pattern\":\"[ipv4-addr:value = "
            "'10.0.0.1']\",\"pattern_type\":\"stix\",\"valid_from\":\"2024-01-01T00:00:00Z\""
            "%s%s}", i ? "," : "", i, 1 + i % 2, marks, extra);
    }
    sprintf(env + k, "]}");
    struct taxii_config cfg = {.title = "t", .api_root = "api", .max_body = 1 << 20,
                               .max_page = 7, .share = {.default_tlp = STIX_TLP_AMBER}};
    taxii_server *t = taxii_new(f->st, &cfg);
    char path[200], q[256];
    p(path, sizeof path, "/api/collections/%s/objects/", f->def);
    struct taxii_request rq = {.method = "POST", .path = path, .content_type = TAXII_MEDIA,
                               .body = env, .body_len = strlen(env),
                               .authorization = bearer(f, tok[0])};
    struct taxii_response rs;
    taxii_handle(t, &rq, T0, &rs);
    expect(&rs, 202, NULL);
    assert_non_null(strstr(rs.body, "\"success_count\":120,"));
    taxii_response_free(&rs);
    free(env);

    int allowed_total = 0;
    for (int pi = 0; pi < POL_PARTNERS; pi++)
        for (int i = 0; i < POL_OBJECTS; i++)
            allowed_total += pol_allowed(&objs[i], groups[pi], pi);
    /* not vacuous: some of everything is hidden, most is not */
    assert_true(allowed_total > POL_PARTNERS * POL_OBJECTS / 4);
    assert_true(allowed_total < POL_PARTNERS * POL_OBJECTS * 3 / 4);
    for (int pi = 0; pi < POL_PARTNERS; pi++) {
        /* objects and manifest, paged by 7 */
        for (int ep = 0; ep < 2; ep++) {
            unsigned char seen[POL_OBJECTS] = {0};
            char next[128] = "";
            p(path, sizeof path, ep ? "/api/collections/%s/manifest/"
                                    : "/api/collections/%s/objects/", f->def);
            for (;;) {
                snprintf(q, sizeof q, "%s%s", next[0] ? "next=" : "", next);
                struct taxii_request g = {.method = "GET", .path = path, .query = q,
                                          .authorization = bearer(f, tok[pi])};
                taxii_handle(t, &g, T0 + 1, &rs);
                assert_int_equal(rs.status, 200);
                for (const char *s = rs.body; (s = strstr(s, "indicator--5a5a5a5a-0000-4000-"
                                                          "8000-")); s += 40)
                    seen[atoi(s + 35)]++;
                bool more = strncmp(rs.body, "{\"more\":true", 12) == 0;
                count_objects(rs.body, next, sizeof next);
                taxii_response_free(&rs);
                if (!more)
                    break;
            }
            for (int i = 0; i < POL_OBJECTS; i++) {
                bool want = pol_allowed(&objs[i], groups[pi], pi);
                if (seen[i] != (want ? 1 : 0))
                    print_message("partner %d object %d ep %d: seen %d want %d\n", pi, i, ep,
                                  seen[i], want);
                assert_int_equal(seen[i], want ? 1 : 0);
            }
        }
        /* by id and versions: 200 exactly when allowed, the same 404 otherwise */
        for (int i = 0; i < POL_OBJECTS; i += 3) {
            bool want = pol_allowed(&objs[i], groups[pi], pi);
            for (int ep = 0; ep < 2; ep++) {
                snprintf(path, sizeof path, "/api/collections/%s/objects/indicator--5a5a5a5a-"
                         "0000-4000-8000-%012d/%s", f->def, i, ep ? "versions/" : "");
                struct taxii_request g = {.method = "GET", .path = path,
                                          .authorization = bearer(f, tok[pi])};
                taxii_handle(t, &g, T0 + 1, &rs);
                assert_int_equal(rs.status, want ? 200 : 404);
                taxii_response_free(&rs);
            }
        }
    }
    taxii_free(t);
}

/* ---- garbage in: every answer a TAXII error or a resource, nothing stored ---- */

static void test_garbage(void **state)
{
    struct fx *f = *state;
    uint64_t x = 0x0123456789abcdefULL;
    static const char *const pieces[] = {
        "/", "api", "taxii2", "collections", "objects", "manifest", "versions", "status",
        "%", "..", "", "indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd01", "x", "//", "\xff",
    };
    static const char *const queries[] = {
        NULL, "", "&", "=", "limit", "limit=", "next=&next=", "match[id]=,", "match[",
        "added_after=2024-13-01T00:00:00Z", "match%5Bversion%5D=last,first,all", "%00=1",
        "a=b&&&c", "limit=99999999999999999999999",
    };
    static const char *const bodies[] = {
        NULL, "", "{", "[]", "null", "{\"objects\":null}", "{\"objects\":[1,2,3]}",
        "{\"objects\":[{}]}", "{\"objects\":[{\"type\":\"indicator\"}]}", "\"\\u0000\"",
        "{\"objects\":[{\"id\":\"x\"}]} trailing",
    };
    static const char *const methods[] = {"GET", "POST", "DELETE", "PUT", "HEAD", "", "get"};
    char def_objects[160];
    p(def_objects, sizeof def_objects, "/api/collections/%s/objects/", f->def);
    for (int i = 0; i < 3000; i++) {
        char path[512] = "";
        size_t k = 0;
        if (rnd(&x) % 4 == 0) {
            k = (size_t)snprintf(path, sizeof path, "%s", def_objects);
        }
        int n = (int)(rnd(&x) % 6);
        for (int j = 0; j < n; j++)
            k += (size_t)snprintf(path + k, sizeof path - k, "%s%s", rnd(&x) % 2 ? "/" : "",
                                  pieces[rnd(&x) % (sizeof pieces / sizeof pieces[0])]);
        const char *body = bodies[rnd(&x) % (sizeof bodies / sizeof bodies[0])];
        struct taxii_request rq = {
            .method = methods[rnd(&x) % (sizeof methods / sizeof methods[0])],
            .path = rnd(&x) % 50 ? path : NULL,
            .query = queries[rnd(&x) % (sizeof queries / sizeof queries[0])],
            .authorization = rnd(&x) % 8 ? bearer(f, f->tok_a) : "Bearer x",
            .accept = rnd(&x) % 5 ? TAXII_MEDIA : "text/plain",
            .content_type = rnd(&x) % 5 ? TAXII_MEDIA : "text/plain",
            .body = body, .body_len = body ? strlen(body) : 0,
        };
        struct taxii_response rs;
        taxii_handle(f->t, &rq, T0 + i, &rs);
        /* only these statuses; bodies always TAXII JSON except DELETE 200 */
        static const int ok[] = {200, 202, 400, 401, 403, 404, 405, 406, 413, 415, 422};
        bool known = false;
        for (size_t j = 0; j < sizeof ok / sizeof ok[0]; j++)
            known |= rs.status == ok[j];
        if (!known)
            print_message("%s %s ? %s -> %d\n", rq.method, path, rq.query ? rq.query : "",
                          rs.status);
        assert_true(known);
        if (rs.status != 200 || strcmp(rq.method, "DELETE") != 0) {
            assert_non_null(rs.body);
            assert_string_equal(rs.content_type, TAXII_MEDIA);
            assert_int_equal(rs.body[0], '{');
            assert_int_equal(rs.body[rs.body_len - 1], '}');
        }
        if (rs.status == 202)            /* only empty or all-invalid envelopes got through */
            assert_non_null(strstr(rs.body, "\"success_count\":0,"));
        taxii_response_free(&rs);
    }
    assert_int_equal(audit_count(f, "alpha", "write"), 0);
    struct taxii_response rs;
    get_a(f, &rs, def_objects, NULL);
    expect(&rs, 200, "{\"more\":false,\"objects\":[]}");
    taxii_response_free(&rs);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_auth, setup, teardown),
        cmocka_unit_test_setup_teardown(test_auth_cert, setup, teardown),
        cmocka_unit_test_setup_teardown(test_routing, setup, teardown),
        cmocka_unit_test_setup_teardown(test_accept, setup, teardown),
        cmocka_unit_test_setup_teardown(test_discovery_api_root, setup, teardown),
        cmocka_unit_test_setup_teardown(test_collections, setup, teardown),
        cmocka_unit_test_setup_teardown(test_post_errors, setup, teardown),
        cmocka_unit_test_setup_teardown(test_post_status, setup, teardown),
        cmocka_unit_test_setup_teardown(test_post_chunks, setup, teardown),
        cmocka_unit_test_setup_teardown(test_filters_paging, setup, teardown),
        cmocka_unit_test_setup_teardown(test_manifest_versions_object, setup, teardown),
        cmocka_unit_test_setup_teardown(test_paging_100k, setup, teardown),
        cmocka_unit_test_setup_teardown(test_policy_random, setup, teardown),
        cmocka_unit_test_setup_teardown(test_garbage, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
