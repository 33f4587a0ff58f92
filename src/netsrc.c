/*
 * netsrc.c - NMEA over the network for live ingest (ingest_int.h):
 *   ais+tcp://HOST:PORT  a TCP client to a feed (AIS hubs, AIS-catcher,
 *                        rtl_ais, a receiver's NMEA port): on a refused or
 *                        closed connection it reconnects after 1 s, 2 s,
 *                        4 s ... up to 60 s, each +-25 % jitter (so that
 *                        nodes restarted together do not knock together),
 *                        back to 1 s once a connection delivered data;
 *   ais+udp://ADDR:PORT  a UDP listener; each datagram holds one or more
 *                        NMEA lines (AIS-catcher, rtl_ais, OpenCPN send so).
 * Lines without a receive time of their own get their arrival time. A
 * socket has no position to commit: what arrived while the node was down
 * is lost (the feed's own buffer aside).
 */
#include <errno.h>
#include <netdb.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <unistd.h>

#include "ingest_int.h"

#define NET_BUF (256 * 1024)
#define UDP_RCVBUF (4 * 1024 * 1024)

static void set_connected(struct source *s, bool on)
{
    pthread_mutex_lock(&s->in->mu);
    s->connected = on;
    pthread_mutex_unlock(&s->in->mu);
}

static void count_err(struct source *s, ald_err e)
{
    pthread_mutex_lock(&s->in->mu);
    s->d_err[e]++;
    pthread_mutex_unlock(&s->in->mu);
}

/* ---- TCP ---- */

static int tcp_connect(struct source *s, char *why, size_t cap)
{
    struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM}, *res = NULL;
    int rc = getaddrinfo(s->host, s->port, &hints, &res);
    if (rc != 0) {
        snprintf(why, cap, "%s", gai_strerror(rc));
        return -1;
    }
    int fd = -1;
    for (struct addrinfo *a = res; a && fd < 0; a = a->ai_next) {
        fd = socket(a->ai_family, a->ai_socktype | SOCK_CLOEXEC, a->ai_protocol);
        if (fd < 0)
            continue;
        if (connect(fd, a->ai_addr, a->ai_addrlen) != 0) {
            snprintf(why, cap, "%s", strerror(errno));
            close(fd);
            fd = -1;
        }
    }
    freeaddrinfo(res);
    if (fd >= 0) {
        int one = 1;
        setsockopt(fd, SOL_SOCKET, SO_KEEPALIVE, &one, sizeof one);
    }
    return fd;
}

/* Reads until the peer closes, an error, or stop; true when data came. */
static bool tcp_read(struct source *s, int fd, char *buf)
{
    size_t have = 0;
    bool got = false;
    while (!atomic_load(&s->in->stop)) {
        struct pollfd p = {.fd = fd, .events = POLLIN};
        int r = poll(&p, 1, 200);
        if (r < 0 && errno != EINTR)
            break;
        if (r <= 0)
            continue;
        ssize_t n = recv(fd, buf + have, NET_BUF - have, 0);
        if (n == 0)
            break;
        if (n < 0) {
            if (errno == EINTR || errno == EAGAIN)
                continue;
            count_err(s, ALD_E_NET);
            break;
        }
        got = true;
        have += (size_t)n;
        char *last = memrchr(buf, '\n', have);
        if (last) {
            size_t whole = (size_t)(last - buf) + 1;
            mar_feed(s, buf, whole, 0, NULL);
            memmove(buf, buf + whole, have - whole);
            have -= whole;
        } else if (have == NET_BUF) {  /* no newline in 256 KB: not NMEA */
            count_err(s, ALD_E_NMEA_TOO_LONG);
            have = 0;
        }
    }
    if (have && !atomic_load(&s->in->stop))
        mar_feed(s, buf, have, 0, NULL);  /* the last line, cut by the close */
    return got;
}

void *tcp_thread(void *arg)
{
    struct source *s = arg;
    struct ingest *in = s->in;
    char *buf = malloc(NET_BUF);
    if (!buf) {
        nlog_kv(in->log, NLOG_ERROR, "ingest", "out of memory", "source", s->label, NULL);
        return NULL;
    }
    int delay_ms = 1000;
    while (!atomic_load(&in->stop)) {
        char why[256] = "";
        int fd = tcp_connect(s, why, sizeof why);
        if (fd >= 0) {
            nlog_kv(in->log, NLOG_INFO, "ingest", "connected", "source", s->label, "host",
                    s->host, "port", s->port, NULL);
            set_connected(s, true);
            bool got = tcp_read(s, fd, buf);
            close(fd);
            set_connected(s, false);
            pthread_mutex_lock(&in->mu);
            mar_source_reset(s);     /* fragments of a broken stream are orphans */
            pthread_mutex_unlock(&in->mu);
            if (atomic_load(&in->stop))
                break;
            nlog_kv(in->log, NLOG_WARN, "ingest", "disconnected", "source", s->label, NULL);
            count_err(s, ALD_E_NET);
            if (got)
                delay_ms = 1000;
        } else {
            count_err(s, ALD_E_NET);
            nlog_kv(in->log, NLOG_WARN, "ingest", "cannot connect", "source", s->label,
                    "host", s->host, "port", s->port, "error", why, NULL);
        }
        /* exponential backoff with +-25 % jitter */
        uint32_t rnd = 0;
        if (getrandom(&rnd, sizeof rnd, 0) != (ssize_t)sizeof rnd)
            rnd = (uint32_t)delay_ms * 2654435761u;
        int jitter = (int)(rnd % (uint32_t)(delay_ms / 2 + 1)) - delay_ms / 4;
        int wait = delay_ms + jitter;
        char ds[32];
        snprintf(ds, sizeof ds, "%.2f", wait / 1000.0);
        nlog_kv(in->log, NLOG_INFO, "ingest", "reconnecting", "source", s->label, "delay_s",
                ds, NULL);
        if (ingest_sleep(in, wait))
            break;
        delay_ms = delay_ms * 2 > 60000 ? 60000 : delay_ms * 2;
    }
    free(buf);
    return NULL;
}

/* ---- UDP ---- */

bool udp_prepare(struct source *s, char *err, size_t errlen)
{
    struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_DGRAM,
                             .ai_flags = AI_PASSIVE | AI_NUMERICHOST}, *res = NULL;
    int rc = getaddrinfo(s->host, s->port, &hints, &res);
    if (rc != 0) {
        snprintf(err, errlen, "--source '%s': %s is not a numeric address: %s", s->spec,
                 s->host, gai_strerror(rc));
        return false;
    }
    int fd = socket(res->ai_family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (fd < 0 || bind(fd, res->ai_addr, res->ai_addrlen) != 0) {
        snprintf(err, errlen, "--source '%s': cannot listen on UDP %s:%s: %s", s->spec,
                 s->host, s->port, strerror(errno));
        if (fd >= 0)
            close(fd);
        freeaddrinfo(res);
        return false;
    }
    freeaddrinfo(res);
    /* bursts (a replay at full speed, a receiver's backlog) wait in the
     * kernel rather than being dropped */
    int sz = UDP_RCVBUF;
    setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &sz, sizeof sz);
    s->fd = fd;
    return true;
}

/* Datagrams wait here between the socket and the decoder: the receiving
 * thread only copies (a burst such as `ais replay --speed 0` would
 * otherwise overflow the socket's buffer while the tracker works), the
 * decoding thread feeds whole chunks. Bounded: past UDP_QUEUE_MAX bytes
 * datagrams are dropped and counted (errors_total{reason="udp_queue_full"}
 * is "other"). */
#define UDP_CHUNK (1024 * 1024)
#define UDP_QUEUE_MAX ((size_t)64 << 20)

struct chunk {
    struct chunk *next;
    size_t len;
    char data[UDP_CHUNK];
};

struct udpq {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    struct chunk *head, *tail;       /* tail is being filled */
    size_t bytes;
    bool done;
    struct source *s;
};

static void *udp_decoder(void *arg)
{
    struct udpq *q = arg;
    pthread_mutex_lock(&q->mu);
    for (;;) {
        /* a chunk is taken once it is not the one being filled, or when
         * the receiver has been quiet (the tail is then taken too) */
        while (!q->done && (!q->head || (q->head == q->tail && q->head->len == 0))) {
            pthread_cond_wait(&q->cv, &q->mu);
        }
        if (!q->head || (q->head == q->tail && q->head->len == 0)) {
            if (q->done)
                break;
            continue;
        }
        struct chunk *c = q->head;
        q->head = c->next;
        if (q->tail == c)
            q->tail = NULL;
        q->bytes -= c->len;
        pthread_mutex_unlock(&q->mu);
        mar_feed(q->s, c->data, c->len, 0, NULL);
        free(c);
        pthread_mutex_lock(&q->mu);
    }
    pthread_mutex_unlock(&q->mu);
    return NULL;
}

/* Appends one datagram (with a final newline) to the queue. */
static bool udp_push(struct udpq *q, const char *buf, size_t n)
{
    bool nl = buf[n - 1] != '\n';
    pthread_mutex_lock(&q->mu);
    if (q->bytes + n + 1 > UDP_QUEUE_MAX) {
        pthread_mutex_unlock(&q->mu);
        return false;
    }
    if (!q->tail || q->tail->len + n + 1 > UDP_CHUNK) {
        struct chunk *c = malloc(sizeof *c);
        if (!c) {
            pthread_mutex_unlock(&q->mu);
            return false;
        }
        c->next = NULL;
        c->len = 0;
        if (q->tail)
            q->tail->next = c;
        else
            q->head = c;
        q->tail = c;
    }
    memcpy(q->tail->data + q->tail->len, buf, n);
    q->tail->len += n;
    if (nl)
        q->tail->data[q->tail->len++] = '\n';
    q->bytes += n + nl;
    pthread_mutex_unlock(&q->mu);
    return true;
}

static void udp_wake(struct udpq *q)
{
    pthread_mutex_lock(&q->mu);
    pthread_cond_signal(&q->cv);
    pthread_mutex_unlock(&q->mu);
}

void *udp_thread(void *arg)
{
    struct source *s = arg;
    struct ingest *in = s->in;
    char *buf = malloc(65536 + 1);
    struct udpq q = {.s = s};
    pthread_t dec;
    pthread_mutex_init(&q.mu, NULL);
    pthread_cond_init(&q.cv, NULL);
    if (!buf || pthread_create(&dec, NULL, udp_decoder, &q) != 0) {
        nlog_kv(in->log, NLOG_ERROR, "ingest", "out of memory", "source", s->label, NULL);
        free(buf);
        return NULL;
    }
    set_connected(s, true);
    nlog_kv(in->log, NLOG_INFO, "ingest", "listening", "source", s->label, "address", s->host,
            "port", s->port, NULL);
    bool full_logged = false;
    while (!atomic_load(&in->stop)) {
        struct pollfd p = {.fd = s->fd, .events = POLLIN};
        int r = poll(&p, 1, 200);
        if (r <= 0)
            continue;
        /* everything the socket holds, then wake the decoder once */
        for (int k = 0; k < 4096; k++) {
            ssize_t n = recv(s->fd, buf, 65536, MSG_DONTWAIT);
            if (n < 0) {
                if (errno != EINTR && errno != EAGAIN && errno != EWOULDBLOCK)
                    count_err(s, ALD_E_NET);
                break;
            }
            if (n == 0)
                continue;
            if (!udp_push(&q, buf, (size_t)n)) {
                count_err(s, ALD_E_TOO_LARGE);
                if (!full_logged)
                    nlog_kv(in->log, NLOG_WARN, "ingest", "decoding falls behind: datagrams "
                            "dropped", "source", s->label, NULL);
                full_logged = true;
            }
        }
        udp_wake(&q);
    }
    pthread_mutex_lock(&q.mu);
    q.done = true;
    pthread_cond_signal(&q.cv);
    pthread_mutex_unlock(&q.mu);
    pthread_join(dec, NULL);
    while (q.head) {
        struct chunk *c = q.head;
        q.head = c->next;
        free(c);
    }
    pthread_mutex_destroy(&q.mu);
    pthread_cond_destroy(&q.cv);
    set_connected(s, false);
    free(buf);
    return NULL;
}
