/*
 * fuzz_taxii.c - libFuzzer target for the TAXII 2.1 request handler
 * (lib/taxii through taxii_handle): requests built from the input go to one
 * taxii_server over a store in a temporary directory with one partner
 * ("fz", read and write on every collection) and a few objects, created
 * once per process (the store is on disk; what POSTs add stays there).
 *
 * Input: byte 0 is a configuration byte, then fields separated by '\n':
 *   method, path, query, Accept, Content-Type, Authorization, Host, and the
 *   body (the rest, newlines included). In the path and query "$C" becomes
 *   the default collection's id and "$O" the id of an object stored in it,
 *   so the fuzzer reaches the deeper routes without guessing uuids.
 *   bits 0-1  authorization: 0 the field as is, 1 Bearer with the partner's
 *             token, 2 Basic fz:token, 3 Bearer with the token followed by
 *             the field (a wrong token of any shape)
 *   bit 2     no Accept header       bit 3  no Content-Type header
 *   bit 4     no Host header         bit 5  https
 *   bit 6     no query (NULL)        bit 7  body given as NULL when empty
 * The body is copied to the very end of a heap buffer, so a read past
 * body_len is an ASan error.
 *
 * Oracles (abort on failure): the status is 200-599; a body has the TAXII
 * media type, holds no NUL and is JSON (jansson) whose top level is an
 * object; an error status with a body is a TAXII error message whose
 * http_status is that status (as a string); 401 asks for Basic credentials; 405 names the
 * allowed methods; headers are NUL-terminated. Leaks: ASan's leak check at exit (per input with libFuzzer).
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>
#include <nettle/base64.h>

#include "alidade/share.h"
#include "alidade/store.h"
#include "alidade/taxii.h"

#include "fuzz_abort.h"

/* Longest field after "$C"/"$O" expansion (the input is at most 4096 bytes
 * with scripts/fuzz.sh; longer fields are cut). */
#define FZ_FIELD_MAX 8192

/* The process's fixture, made on the first input (libFuzzer runs inputs one
 * after another in one thread). */
struct fz_node {
    char dir[64];
    store *st;
    taxii_server *t;
    char coll[STIX_ID_MAX];          /* default collection */
    char token[SHARE_TOKEN_TEXT];
    char basic[160];                 /* "Basic base64(fz:token)" */
    int64_t now;
};

static const char fz_identity[] = "identity--0a1b2c3d-0000-4000-8000-0000000000f2";
static const char fz_object_id[] = "indicator--6a3e7c1e-8f2b-4f0e-9a4d-3c2b1a0f9e8d";

/* Objects stored at start: the one "$O" names (two versions), a TLP:RED one
 * the partner may not read and a relationship. */
static const char fz_seed_body[] =
    "{\"objects\":["
    "{\"type\":\"indicator\",\"spec_version\":\"2.1\","
    "\"id\":\"indicator--6a3e7c1e-8f2b-4f0e-9a4d-3c2b1a0f9e8d\","
    "\"created\":\"2026-01-01T00:00:00.000Z\",\"modified\":\"2026-01-01T00:00:00.000Z\","
    "\"name\":\"fz\",\"pattern\":\"[ipv4-addr:value = '198.51.100.1']\","
    "\"pattern_type\":\"stix\",\"valid_from\":\"2026-01-01T00:00:00Z\"},"
    "{\"type\":\"indicator\",\"spec_version\":\"2.1\","
    "\"id\":\"indicator--6a3e7c1e-8f2b-4f0e-9a4d-3c2b1a0f9e8d\","
    "\"created\":\"2026-01-01T00:00:00.000Z\",\"modified\":\"2026-02-01T00:00:00.000Z\","
    "\"name\":\"fz 2\",\"pattern\":\"[ipv4-addr:value = '198.51.100.2']\","
    "\"pattern_type\":\"stix\",\"valid_from\":\"2026-01-01T00:00:00Z\"},"
    "{\"type\":\"malware\",\"spec_version\":\"2.1\","
    "\"id\":\"malware--0b7f8e2a-1c3d-4e5f-8a9b-0c1d2e3f4a5b\","
    "\"created\":\"2026-01-01T00:00:00.000Z\",\"modified\":\"2026-01-01T00:00:00.000Z\","
    "\"name\":\"red\",\"is_family\":false,"
    "\"object_marking_refs\":[\"marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1\"]},"
    "{\"type\":\"relationship\",\"spec_version\":\"2.1\","
    "\"id\":\"relationship--4d3c2b1a-0f9e-4d8c-8b7a-6f5e4d3c2b1a\","
    "\"created\":\"2026-01-01T00:00:00.000Z\",\"modified\":\"2026-01-01T00:00:00.000Z\","
    "\"relationship_type\":\"indicates\","
    "\"source_ref\":\"indicator--6a3e7c1e-8f2b-4f0e-9a4d-3c2b1a0f9e8d\","
    "\"target_ref\":\"malware--0b7f8e2a-1c3d-4e5f-8a9b-0c1d2e3f4a5b\"}]}";

static struct fz_node *fz_node_get(void);

static void fz_node_free(void)
{
    struct fz_node *z = fz_node_get();
    if (!z)
        return;
    taxii_free(z->t);
    store_close(z->st);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", z->dir);
    if (system(cmd) != 0)
        fprintf(stderr, "fuzz_taxii: could not remove %s\n", z->dir);
    free(z);
}

static struct fz_node *fz_node_make(void)
{
    struct fz_node *z = calloc(1, sizeof *z);
    FZ_CHECK(z != NULL, "out of memory");
    snprintf(z->dir, sizeof z->dir, "/tmp/fuzz_taxii.XXXXXX");
    FZ_CHECK(mkdtemp(z->dir) != NULL, "mkdtemp");
    char err[256];
    z->st = store_open(z->dir, err, sizeof err);
    FZ_CHECK(z->st != NULL, "store_open");
    struct store_collection *cols;
    size_t n;
    FZ_CHECK(store_collections(z->st, &cols, &n) == ALD_E_OK && n == 1, "default collection");
    snprintf(z->coll, sizeof z->coll, "%s", cols[0].id);
    free(cols);

    struct store_partner p;
    memset(&p, 0, sizeof p);
    snprintf(p.name, sizeof p.name, "fz");
    snprintf(p.identity, sizeof p.identity, "%s", fz_identity);
    FZ_CHECK(share_token_new(z->token) == ALD_E_OK, "share_token_new");
    share_token_hash(z->token, strlen(z->token), p.token_hash);
    snprintf(p.read, sizeof p.read, "*");
    snprintf(p.write, sizeof p.write, "*");
    p.created = 1767225600000000;
    FZ_CHECK(store_partner_put(z->st, &p) == ALD_E_OK, "store_partner_put");

    char raw[128];
    int rn = snprintf(raw, sizeof raw, "fz:%s", z->token);
    char enc[BASE64_ENCODE_RAW_LENGTH(128) + 1];
    base64_encode_raw(enc, (size_t)rn, (const uint8_t *)raw);
    enc[BASE64_ENCODE_RAW_LENGTH((size_t)rn)] = '\0';
    snprintf(z->basic, sizeof z->basic, "Basic %s", enc);

    /* small limits so that 413 and paging are reachable from short inputs */
    struct taxii_config cfg = {.title = "fuzz node", .api_root = "api", .max_body = 2048,
                               .max_page = 3, .share = {.default_tlp = STIX_TLP_AMBER}};
    z->t = taxii_new(z->st, &cfg);
    FZ_CHECK(z->t != NULL, "taxii_new");
    z->now = 1767225600000000;

    char path[128];
    snprintf(path, sizeof path, "/api/collections/%s/objects/", z->coll);
    struct taxii_request rq = {
        .method = "POST", .path = path, .host = "127.0.0.1:8700", .accept = TAXII_MEDIA,
        .content_type = TAXII_MEDIA, .authorization = z->basic,
        .body = fz_seed_body, .body_len = sizeof fz_seed_body - 1,
    };
    struct taxii_response rs;
    taxii_handle(z->t, &rq, z->now, &rs);
    FZ_CHECK(rs.status == 202, "seed objects not accepted");
    FZ_CHECK(rs.body && strstr(rs.body, "\"success_count\":4") != NULL, "seed objects not stored");
    taxii_response_free(&rs);
    return z;
}

/* The fixture, made once; atexit removes it (so LeakSanitizer, which runs
 * at exit too, sees nothing left). */
static struct fz_node *fz_node_get(void)
{
    static struct fz_node *node;
    static bool registered;
    if (!node && !registered) {
        registered = true;
        node = fz_node_make();
        atexit(fz_node_free);
    }
    return node;
}

/* Next field of [*p, end) up to '\n' (or the end), "$C"/"$O" expanded into
 * out (NUL-terminated, cut at FZ_FIELD_MAX). */
static void fz_field(const struct fz_node *z, const uint8_t **p, const uint8_t *end, char *out)
{
    size_t o = 0;
    const uint8_t *s = *p;
    while (s < end && *s != '\n') {
        const char *sub = NULL;
        if (*s == '$' && s + 1 < end && s[1] == 'C')
            sub = z->coll;
        else if (*s == '$' && s + 1 < end && s[1] == 'O')
            sub = fz_object_id;
        if (sub) {
            size_t n = strlen(sub);
            if (o + n < FZ_FIELD_MAX) {
                memcpy(out + o, sub, n);
                o += n;
            }
            s += 2;
            continue;
        }
        if (o + 1 < FZ_FIELD_MAX)
            out[o++] = (char)*s;
        s++;
    }
    out[o] = '\0';
    *p = s < end ? s + 1 : end;
}

static void fz_check_response(const struct taxii_response *rs, const char *method)
{
    FZ_CHECK(rs->status >= 200 && rs->status <= 599, "status out of 200-599");
    FZ_CHECK(memchr(rs->date_added_first, 0, sizeof rs->date_added_first), "first not terminated");
    FZ_CHECK(memchr(rs->date_added_last, 0, sizeof rs->date_added_last), "last not terminated");
    FZ_CHECK(memchr(rs->allow, 0, sizeof rs->allow), "allow not terminated");
    FZ_CHECK(memchr(rs->partner, 0, sizeof rs->partner), "partner not terminated");
    FZ_CHECK((rs->date_added_first[0] == '\0') == (rs->date_added_last[0] == '\0'),
             "only one of X-TAXII-Date-Added-First/Last");
    if (rs->status == 401)
        FZ_CHECK(rs->www_authenticate, "401 without WWW-Authenticate");
    if (rs->status == 405)
        FZ_CHECK(rs->allow[0] != '\0', "405 without Allow");
    if (!rs->body) {
        FZ_CHECK(rs->body_len == 0, "body_len without a body");
        FZ_CHECK(rs->status == 200 || strcmp(method, "HEAD") == 0 || rs->status >= 400,
                 "no body on a success other than DELETE");
        return;
    }
    FZ_CHECK(rs->content_type != NULL, "body without a media type");
    FZ_CHECK(strcmp(rs->content_type, TAXII_MEDIA) == 0, "body not application/taxii+json");
    FZ_CHECK(memchr(rs->body, 0, rs->body_len) == NULL, "NUL inside the body");
    json_error_t e;
    json_t *j = json_loadb(rs->body, rs->body_len, 0, &e);
    if (!j)
        fprintf(stderr, "body: %.*s\njansson: %s\n", (int)rs->body_len, rs->body, e.text);
    FZ_CHECK(j != NULL, "body is not JSON");
    FZ_CHECK(json_is_object(j), "body is not a JSON object");
    if (rs->status >= 400) {
        /* TAXII 2.1 section 3.6.1: http_status is a string */
        char code[16];
        snprintf(code, sizeof code, "%d", rs->status);
        json_t *hs = json_object_get(j, "http_status");
        FZ_CHECK(json_is_string(hs) && strcmp(json_string_value(hs), code) == 0,
                 "error message's http_status is not the status");
        FZ_CHECK(json_is_string(json_object_get(j, "title")), "error message without title");
    }
    json_decref(j);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0)
        return 0;
    struct fz_node *z = fz_node_get();
    FZ_CHECK(z != NULL, "no fixture");
    uint8_t cfg = data[0];
    const uint8_t *p = data + 1, *end = data + size;

    char *f[7];
    for (int i = 0; i < 7; i++) {
        f[i] = malloc(FZ_FIELD_MAX);
        FZ_CHECK(f[i] != NULL, "out of memory");
        fz_field(z, &p, end, f[i]);
    }
    size_t blen = (size_t)(end - p);
    char *bbuf = malloc(blen ? blen : 1);
    FZ_CHECK(bbuf != NULL, "out of memory");
    char *body = bbuf + ((blen ? blen : 1) - blen);      /* ends where the buffer ends */
    memcpy(body, p, blen);

    char *auth = malloc(FZ_FIELD_MAX + 128);
    FZ_CHECK(auth != NULL, "out of memory");
    switch (cfg & 3) {
    case 0: snprintf(auth, FZ_FIELD_MAX + 128, "%s", f[5]); break;
    case 1: snprintf(auth, FZ_FIELD_MAX + 128, "Bearer %s", z->token); break;
    case 2: snprintf(auth, FZ_FIELD_MAX + 128, "%s", z->basic); break;
    default: snprintf(auth, FZ_FIELD_MAX + 128, "Bearer %s%s", z->token, f[5]); break;
    }

    struct taxii_request rq = {
        .method = f[0],
        .path = f[1],
        .query = (cfg & 0x40) ? NULL : f[2],
        .accept = (cfg & 4) ? NULL : f[3],
        .content_type = (cfg & 8) ? NULL : f[4],
        .authorization = auth[0] ? auth : NULL,
        .host = (cfg & 0x10) ? NULL : f[6],
        .https = (cfg & 0x20) != 0,
        .body = (blen == 0 && (cfg & 0x80)) ? NULL : body,
        .body_len = blen,
    };
    struct taxii_response rs;
    z->now += 1000;
    taxii_handle(z->t, &rq, z->now, &rs);
    fz_check_response(&rs, f[0]);
    taxii_response_free(&rs);

    free(auth);
    free(bbuf);
    for (int i = 0; i < 7; i++)
        free(f[i]);
    return 0;
}
