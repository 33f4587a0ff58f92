/*
 * taxii_client.c - TAXII 2.1 requests of federation over libcurl
 * (taxii_client.h). libcurl (the GnuTLS build, as the server's
 * libmicrohttpd uses GnuTLS: one TLS library in the process) verifies the
 * partner's certificate against the system's CA store; a request that takes
 * longer than 60 s, or a connection that takes 5 s, fails (the caller
 * retries with backoff). Bodies are capped at 64 MiB: a partner cannot make
 * us hold more.
 */
#include "taxii_client.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <curl/curl.h>

#define TC_MEDIA "application/taxii+json;version=2.1"
#define TC_MAX_BODY ((size_t)64 << 20)

struct tclient {
    CURL *h;
    const atomic_bool *stop;
};

tclient *tc_new(const atomic_bool *stop)
{
    /* curl_global_init is not thread-safe in this libcurl; the node calls
     * it from its one federation thread's start, before any other use */
    static atomic_bool inited;
    if (!atomic_exchange(&inited, true))
        curl_global_init(CURL_GLOBAL_DEFAULT);
    tclient *c = calloc(1, sizeof *c);
    if (!c)
        return NULL;
    c->h = curl_easy_init();
    if (!c->h) {
        free(c);
        return NULL;
    }
    c->stop = stop;
    return c;
}

void tc_free(tclient *c)
{
    if (!c)
        return;
    curl_easy_cleanup(c->h);
    free(c);
}

void tc_response_free(struct tc_response *r)
{
    free(r->body);
    r->body = NULL;
    r->len = 0;
}

static size_t on_body(char *p, size_t size, size_t n, void *ctx)
{
    struct tc_response *r = ctx;
    size_t k = size * n;
    if (r->len + k > TC_MAX_BODY)
        return 0;                    /* libcurl fails the transfer */
    char *b = realloc(r->body, r->len + k + 1);
    if (!b)
        return 0;
    memcpy(b + r->len, p, k);
    r->len += k;
    b[r->len] = 0;
    r->body = b;
    return k;
}

static size_t on_header(char *p, size_t size, size_t n, void *ctx)
{
    struct tc_response *r = ctx;
    size_t k = size * n;
    static const char name[] = "X-TAXII-Date-Added-Last:";
    if (k > sizeof name && strncasecmp(p, name, sizeof name - 1) == 0) {
        const char *v = p + sizeof name - 1;
        size_t m = k - (sizeof name - 1);
        while (m && (*v == ' ' || *v == '\t'))
            v++, m--;
        while (m && (v[m - 1] == '\r' || v[m - 1] == '\n' || v[m - 1] == ' '))
            m--;
        if (m < sizeof r->date_added_last) {
            memcpy(r->date_added_last, v, m);
            r->date_added_last[m] = 0;
        }
    }
    return k;
}

/* Progress callback: a non-zero return aborts the transfer. */
static int on_progress(void *ctx, curl_off_t a, curl_off_t b, curl_off_t c, curl_off_t d)
{
    (void)a, (void)b, (void)c, (void)d;
    const tclient *cl = ctx;
    return cl->stop && atomic_load(cl->stop);
}

static bool run(tclient *c, const char *url, const struct tc_auth *a, const char *body,
                size_t len, struct tc_response *r)
{
    memset(r, 0, sizeof *r);
    CURL *h = c->h;
    curl_easy_reset(h);
    struct curl_slist *hd = NULL, *t;
    char authz[300];
    hd = curl_slist_append(hd, "Accept: " TC_MEDIA);
    if (hd && body)
        hd = (t = curl_slist_append(hd, "Content-Type: " TC_MEDIA)) ? t : NULL;
    if (a && a->token && a->token[0] && (!a->user || !a->user[0])) {
        snprintf(authz, sizeof authz, "Authorization: Bearer %s", a->token);
        if (hd)
            hd = (t = curl_slist_append(hd, authz)) ? t : NULL;
        memset(authz, 0, sizeof authz);
    }
    if (!hd) {
        snprintf(r->error, sizeof r->error, "out of memory");
        return false;
    }
    curl_easy_setopt(h, CURLOPT_URL, url);
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, hd);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, r);
    curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(h, CURLOPT_HEADERDATA, r);
    curl_easy_setopt(h, CURLOPT_XFERINFOFUNCTION, on_progress);
    curl_easy_setopt(h, CURLOPT_XFERINFODATA, c);
    curl_easy_setopt(h, CURLOPT_NOPROGRESS, 0L);
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, 5000L);
    curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, 60000L);
    curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);
    curl_easy_setopt(h, CURLOPT_USERAGENT, "alidade-federation");
    if (a && a->user && a->user[0] && a->token) {
        curl_easy_setopt(h, CURLOPT_HTTPAUTH, (long)CURLAUTH_BASIC);
        curl_easy_setopt(h, CURLOPT_USERNAME, a->user);
        curl_easy_setopt(h, CURLOPT_PASSWORD, a->token);
    }
    if (a && a->ca && a->ca[0])
        curl_easy_setopt(h, CURLOPT_CAINFO, a->ca);
    if (a && a->cert && a->cert[0]) {
        curl_easy_setopt(h, CURLOPT_SSLCERT, a->cert);
        curl_easy_setopt(h, CURLOPT_SSLCERTTYPE, "PEM");
        if (a->key && a->key[0])
            curl_easy_setopt(h, CURLOPT_SSLKEY, a->key);
    }
    if (body) {
        curl_easy_setopt(h, CURLOPT_POST, 1L);
        curl_easy_setopt(h, CURLOPT_POSTFIELDS, body);
        curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)len);
    }
    CURLcode rc = curl_easy_perform(h);
    curl_slist_free_all(hd);
    if (rc != CURLE_OK) {
        snprintf(r->error, sizeof r->error, "%s",
                 rc == CURLE_ABORTED_BY_CALLBACK ? "stopped" : curl_easy_strerror(rc));
        tc_response_free(r);
        r->status = 0;
        return false;
    }
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &r->status);
    if (!r->body && !(r->body = calloc(1, 1))) {
        snprintf(r->error, sizeof r->error, "out of memory");
        r->status = 0;
        return false;
    }
    return true;
}

bool tc_get(tclient *c, const char *url, const struct tc_auth *a, struct tc_response *r)
{
    return run(c, url, a, NULL, 0, r);
}

bool tc_post(tclient *c, const char *url, const struct tc_auth *a, const char *body, size_t len,
             struct tc_response *r)
{
    return run(c, url, a, body, len, r);
}
