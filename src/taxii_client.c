/*
 * taxii_client.c - TAXII 2.1 requests of federation over libcurl
 * (taxii_client.h). libcurl (the GnuTLS build, as the server's
 * libmicrohttpd uses GnuTLS: one TLS library in the process) verifies the
 * partner's certificate against the system's CA store. A request fails
 * (the caller retries with backoff) when the connection is not up within
 * connect_s, when the transfer stalls (less than TC_LOW_SPEED bytes/s for
 * stall_s) or after total_s (struct tc_limits): a stalled partner costs
 * the worker that talks to it, at most that long. Bodies are capped at
 * 64 MiB: a partner cannot make us hold more.
 *
 * The transfer runs in a multi handle of its own rather than
 * curl_easy_perform so that tc_wake (curl_multi_wakeup, callable from any
 * thread) cuts a request short at once when the partner is removed or the
 * node stops; the progress callback alone is called only about once a
 * second while nothing moves.
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
    CURLM *m;                        /* the connection cache lives here */
    CURL *h;
    const atomic_bool *stop;
    struct tc_limits lim;
};

void tc_global_init(void)
{
    /* curl_global_init is not thread-safe in every libcurl: fed_start
     * calls this before it starts any thread; later calls do nothing */
    static atomic_bool inited;
    if (!atomic_exchange(&inited, true))
        curl_global_init(CURL_GLOBAL_DEFAULT);
}

tclient *tc_new(const atomic_bool *stop, const struct tc_limits *lim)
{
    tc_global_init();
    tclient *c = calloc(1, sizeof *c);
    if (!c)
        return NULL;
    c->h = curl_easy_init();
    c->m = curl_multi_init();
    if (!c->h || !c->m) {
        tc_free(c);
        return NULL;
    }
    c->stop = stop;
    if (lim)
        c->lim = *lim;
    if (c->lim.connect_s <= 0)
        c->lim.connect_s = TC_CONNECT_S;
    if (c->lim.stall_s <= 0)
        c->lim.stall_s = TC_STALL_S;
    if (c->lim.total_s <= 0)
        c->lim.total_s = TC_TOTAL_S;
    return c;
}

void tc_free(tclient *c)
{
    if (!c)
        return;
    if (c->h)
        curl_easy_cleanup(c->h);
    if (c->m)
        curl_multi_cleanup(c->m);
    free(c);
}

void tc_wake(tclient *c)
{
    if (c)
        curl_multi_wakeup(c->m);
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

static bool stopped(const tclient *c)
{
    return c->stop && atomic_load(c->stop);
}

/* Progress callback: a non-zero return aborts the transfer. */
static int on_progress(void *ctx, curl_off_t a, curl_off_t b, curl_off_t c, curl_off_t d)
{
    (void)a, (void)b, (void)c, (void)d;
    return stopped(ctx);
}

/* curl_easy_perform in c's multi handle, cut short by the stop flag (seen
 * at once after tc_wake). */
static CURLcode perform(tclient *c)
{
    if (curl_multi_add_handle(c->m, c->h) != CURLM_OK)
        return CURLE_OUT_OF_MEMORY;
    CURLcode rc = CURLE_OK;
    bool done = false;
    while (!done) {
        int running = 0;
        CURLMcode mc = curl_multi_perform(c->m, &running);
        if (mc != CURLM_OK) {
            rc = CURLE_FAILED_INIT;
            break;
        }
        int left;
        CURLMsg *msg;
        while ((msg = curl_multi_info_read(c->m, &left)))
            if (msg->msg == CURLMSG_DONE && msg->easy_handle == c->h) {
                rc = msg->data.result;
                done = true;
            }
        if (done)
            break;
        if (stopped(c)) {
            rc = CURLE_ABORTED_BY_CALLBACK;
            break;
        }
        /* at most a second: libcurl's own timeouts are checked by perform */
        if (curl_multi_poll(c->m, NULL, 0, 1000, NULL) != CURLM_OK) {
            rc = CURLE_FAILED_INIT;
            break;
        }
        if (stopped(c)) {
            rc = CURLE_ABORTED_BY_CALLBACK;
            break;
        }
    }
    curl_multi_remove_handle(c->m, c->h);
    return rc;
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
    curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT, c->lim.connect_s);
    curl_easy_setopt(h, CURLOPT_LOW_SPEED_LIMIT, (long)TC_LOW_SPEED);
    curl_easy_setopt(h, CURLOPT_LOW_SPEED_TIME, c->lim.stall_s);
    curl_easy_setopt(h, CURLOPT_TIMEOUT, c->lim.total_s);
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
    CURLcode rc = perform(c);
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
