/*
 * web_sse.c - GET /api/stream: the live picture's news as server-sent
 * events (docs/api.md), without holding a worker thread.
 *
 * A stream is a libmicrohttpd response whose content reader takes the news
 * after the stream's last sequence number from the picture (never waiting);
 * when there is nothing to send it suspends its connection
 * (MHD_suspend_connection, allowed from a content reader) and returns 0. One
 * follower thread waits on the picture's news (picture_news_since with a
 * timeout) and resumes the suspended streams when news came or a keepalive
 * is due (every 15 s). So an idle stream costs a socket and this struct, no
 * thread: the listener's few workers keep answering TAXII.
 *
 * The follower also hands live "event" news to the events cache
 * (web_api.c), so /api/events shows a detection before it is read back from
 * the store.
 *
 * Shutdown: cmd_serve.c calls picture_close, then stops libmicrohttpd,
 * which must not find suspended connections. picture_close returns only
 * after this follower came back (picture.c), and before coming back it
 * marks every stream ended and resumes the suspended ones.
 */
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "web_internal.h"

#define SSE_MAX_STREAMS 64
#define SSE_KEEPALIVE_MS 15000
#define SSE_WAIT_MS 1000
#define SSE_BATCH 256
#define SSE_BLOCK 16384

struct stream {
    web_sse *s;
    struct MHD_Connection *conn;
    uint64_t seq;                    /* last news sent */
    bool suspended, ended, keepalive;
    char *pend;                      /* formatted, not yet handed to MHD */
    size_t plen, poff, pcap;
    struct stream *prev, *next;
};

struct web_sse {
    web *w;
    pthread_t th;
    bool started;
    pthread_mutex_t mu;              /* streams, flags below */
    struct stream *head;
    size_t n;
    uint64_t last;                   /* the follower's last seen news */
    bool closed, stop;
};

static double mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

/* Appends text to the stream's pending output; false when out of memory. */
static bool pend(struct stream *x, const char *s, size_t n)
{
    if (x->plen + n > x->pcap) {
        size_t cap = x->pcap ? x->pcap : 4096;
        while (cap < x->plen + n)
            cap *= 2;
        char *p = realloc(x->pend, cap);
        if (!p)
            return false;
        x->pend = p;
        x->pcap = cap;
    }
    memcpy(x->pend + x->plen, s, n);
    x->plen += n;
    return true;
}

static bool wanted(const char *kind)
{
    return strcmp(kind, "position") == 0 || strcmp(kind, "event") == 0 ||
           strcmp(kind, "sighting") == 0 || strcmp(kind, "sync") == 0;
}

/* One news item as an SSE record: id, event, data on one line (a newline
 * inside the JSON would end the data field; compact JSON has none outside
 * strings and none may be inside them). */
static bool format_news(struct stream *x, const struct pic_news *n)
{
    char head[64];
    int k = snprintf(head, sizeof head, "id: %" PRIu64 "\nevent: %s\ndata: ", n->seq, n->kind);
    if (!pend(x, head, (size_t)k))
        return false;
    size_t start = x->plen;
    if (!pend(x, n->json, strlen(n->json)))
        return false;
    for (size_t i = start; i < x->plen; i++)
        if (x->pend[i] == '\n' || x->pend[i] == '\r')
            x->pend[i] = ' ';
    return pend(x, "\n\n", 2);
}

/* Fills the pending output from the picture (under s->mu). */
static void fill(struct stream *x)
{
    web *w = x->s->w;
    struct pic_news news[64];
    bool lost = false;
    size_t n = picture_news_since(w->env->pic, x->seq, news, 64, 0, &lost);
    if (n == 0 && lost) {
        x->ended = true;             /* the picture is closed: the node stops */
        return;
    }
    if (lost) {
        /* the client fell behind the ring: it reloads the snapshots */
        char r[64];
        int k = snprintf(r, sizeof r, "event: reset\ndata: {}\n\n");
        pend(x, r, (size_t)k);
    }
    for (size_t i = 0; i < n; i++) {
        x->seq = news[i].seq;
        if (wanted(news[i].kind) && !format_news(x, &news[i]))
            x->ended = true;         /* out of memory: end this stream */
    }
    picture_news_free(news, n);
    if (x->keepalive) {
        x->keepalive = false;
        pend(x, ": keepalive\n\n", 13);
    }
}

static ssize_t reader(void *cls, uint64_t pos, char *buf, size_t max)
{
    (void)pos;
    struct stream *x = cls;
    web_sse *s = x->s;
    pthread_mutex_lock(&s->mu);
    if (x->poff == x->plen) {
        x->poff = x->plen = 0;
        if (!x->ended)
            fill(x);
    }
    if (x->poff < x->plen) {
        size_t n = x->plen - x->poff < max ? x->plen - x->poff : max;
        memcpy(buf, x->pend + x->poff, n);
        x->poff += n;
        pthread_mutex_unlock(&s->mu);
        return (ssize_t)n;
    }
    if (x->ended) {
        pthread_mutex_unlock(&s->mu);
        return MHD_CONTENT_READER_END_OF_STREAM;
    }
    /* nothing to send: off the event loop until the follower resumes it */
    x->suspended = true;
    MHD_suspend_connection(x->conn);
    pthread_mutex_unlock(&s->mu);
    return 0;
}

static void reader_free(void *cls)
{
    struct stream *x = cls;
    web_sse *s = x->s;
    pthread_mutex_lock(&s->mu);
    if (x->prev)
        x->prev->next = x->next;
    else
        s->head = x->next;
    if (x->next)
        x->next->prev = x->prev;
    s->n--;
    metrics_set(s->w->env->metrics, "alidade_dashboard_streams", NULL, NULL, (double)s->n);
    pthread_mutex_unlock(&s->mu);
    free(x->pend);
    free(x);
}

enum MHD_Result web_sse_answer(struct web_call *c)
{
    web_sse *s = c->w->sse;
    struct stream *x = calloc(1, sizeof *x);
    if (!x)
        return web_send_error(c->conn, 500, "out of memory");
    x->s = s;
    x->conn = c->conn;
    const char *last = MHD_lookup_connection_value(c->conn, MHD_HEADER_KIND, "Last-Event-ID");
    pthread_mutex_lock(&s->mu);
    if (s->closed || s->n >= SSE_MAX_STREAMS) {
        bool closed = s->closed;
        pthread_mutex_unlock(&s->mu);
        free(x);
        return web_send_error(c->conn, 503, closed ? "the node is stopping"
                                                   : "too many live streams open");
    }
    x->seq = s->last;
    if (last) {
        char *end;
        unsigned long long v = strtoull(last, &end, 10);
        if (*last && !*end && v <= s->last)
            x->seq = v;
    }
    /* the first bytes go out at once: the client sees the stream open */
    static const char hello[] = "retry: 2000\n: alidade live stream\n\n";
    pend(x, hello, sizeof hello - 1);
    x->next = s->head;
    if (s->head)
        s->head->prev = x;
    s->head = x;
    s->n++;
    metrics_set(s->w->env->metrics, "alidade_dashboard_streams", NULL, NULL, (double)s->n);
    pthread_mutex_unlock(&s->mu);
    struct MHD_Response *r =
        MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, SSE_BLOCK, reader, x, reader_free);
    if (!r) {
        reader_free(x);
        return MHD_NO;
    }
    MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, "text/event-stream; charset=utf-8");
    MHD_add_response_header(r, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
    MHD_add_response_header(r, "X-Accel-Buffering", "no");
    web_security_headers(r);
    enum MHD_Result ret = MHD_queue_response(c->conn, MHD_HTTP_OK, r);
    MHD_destroy_response(r);
    return ret;
}

/* Resumes the suspended streams that have something to send (all of them
 * when `all`); outside s->mu (a suspended stream cannot end meanwhile:
 * its connection is off libmicrohttpd's loop until resumed). */
static void wake(web_sse *s, bool all, bool keepalive, bool end)
{
    struct MHD_Connection *list[SSE_MAX_STREAMS];
    size_t k = 0;
    pthread_mutex_lock(&s->mu);
    for (struct stream *x = s->head; x; x = x->next) {
        if (keepalive)
            x->keepalive = true;
        if (end)
            x->ended = true;
        if (x->suspended && (all || x->seq < s->last || x->keepalive || x->ended) &&
            k < SSE_MAX_STREAMS) {
            x->suspended = false;
            list[k++] = x->conn;
        }
    }
    pthread_mutex_unlock(&s->mu);
    for (size_t i = 0; i < k; i++)
        MHD_resume_connection(list[i]);
}

static void *follower(void *arg)
{
    web_sse *s = arg;
    web *w = s->w;
    struct pic_news *news = calloc(SSE_BATCH, sizeof *news);
    double last_keepalive = mono_ms();
    uint64_t seen = 0;
    for (;;) {
        pthread_mutex_lock(&s->mu);
        bool stop = s->stop;
        pthread_mutex_unlock(&s->mu);
        if (stop || !news)
            break;
        bool lost;
        size_t n = picture_news_since(w->env->pic, seen, news, SSE_BATCH, SSE_WAIT_MS, &lost);
        for (size_t i = 0; i < n; i++) {
            seen = news[i].seq;
            if (strcmp(news[i].kind, "event") == 0)
                web_cache_live_event(w, news[i].json);
        }
        picture_news_free(news, n);
        if (n == 0 && lost) {
            /* no news, yet news lost: the picture is closed (picture.c) */
            pthread_mutex_lock(&s->mu);
            s->closed = true;
            pthread_mutex_unlock(&s->mu);
            wake(s, true, false, true);
            /* the second call after the close tells picture_close we are done */
            picture_news_since(w->env->pic, seen, news, 1, SSE_WAIT_MS, &lost);
            break;
        }
        pthread_mutex_lock(&s->mu);
        s->last = seen;
        pthread_mutex_unlock(&s->mu);
        bool ka = mono_ms() - last_keepalive >= SSE_KEEPALIVE_MS;
        if (ka)
            last_keepalive = mono_ms();
        if (n || ka)
            wake(s, false, ka, false);
    }
    free(news);
    return NULL;
}

ald_err web_sse_start(web *w, web_sse **out)
{
    *out = NULL;
    web_sse *s = calloc(1, sizeof *s);
    if (!s)
        return ALD_E_NOMEM;
    s->w = w;
    pthread_mutex_init(&s->mu, NULL);
    /* the follower takes no signal: web_new runs before cmd_serve.c blocks
     * SIGTERM/SIGINT/SIGHUP for its sigwait, and a thread that let SIGTERM
     * in would be killed by it instead of the clean stop */
    sigset_t all, old;
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &old);
    int rc = pthread_create(&s->th, NULL, follower, s);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    if (rc != 0) {
        pthread_mutex_destroy(&s->mu);
        free(s);
        return ALD_E_IO;
    }
    s->started = true;
    *out = s;
    return ALD_E_OK;
}

void web_sse_stop(web_sse *s)
{
    if (!s)
        return;
    pthread_mutex_lock(&s->mu);
    s->stop = true;
    pthread_mutex_unlock(&s->mu);
    if (s->started)
        pthread_join(s->th, NULL);    /* within SSE_WAIT_MS */
    /* streams still listed here belong to a listener that never started
     * or already stopped: libmicrohttpd freed or will free them */
    pthread_mutex_destroy(&s->mu);
    free(s);
}
