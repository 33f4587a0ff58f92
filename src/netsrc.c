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

void *udp_thread(void *arg)
{
    struct source *s = arg;
    struct ingest *in = s->in;
    char *buf = malloc(65536 + 1);
    if (!buf) {
        nlog_kv(in->log, NLOG_ERROR, "ingest", "out of memory", "source", s->label, NULL);
        return NULL;
    }
    set_connected(s, true);
    nlog_kv(in->log, NLOG_INFO, "ingest", "listening", "source", s->label, "address", s->host,
            "port", s->port, NULL);
    while (!atomic_load(&in->stop)) {
        struct pollfd p = {.fd = s->fd, .events = POLLIN};
        int r = poll(&p, 1, 200);
        if (r <= 0)
            continue;
        ssize_t n = recv(s->fd, buf, 65536, 0);
        if (n < 0) {
            if (errno != EINTR && errno != EAGAIN)
                count_err(s, ALD_E_NET);
            continue;
        }
        if (n == 0)
            continue;
        /* each datagram is whole lines; one without a final newline ends
         * with one anyway */
        mar_feed(s, buf, (size_t)n, 0, NULL);
        /* the fragments of a message never span datagrams of different
         * senders in practice; the decoder still reassembles across them */
    }
    set_connected(s, false);
    free(buf);
    return NULL;
}
