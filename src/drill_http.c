/*
 * drill_http.c - the few HTTP requests `alidade drill run` makes to the
 * nodes it started on 127.0.0.1: a TAXII GET with a bearer token, and
 * /healthz. Plain HTTP/1.1 over a loopback socket, one request per
 * connection (Connection: close), chunked bodies decoded. Not a general
 * client: the drill only ever talks to its own nodes.
 */
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <arpa/inet.h>
#include <time.h>
#include <unistd.h>

#include "drill_run.h"

static double mono_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Decodes a chunked body in place; false when it is malformed. */
static bool dechunk(char *b, size_t *len)
{
    size_t in = 0, out = 0, n = *len;
    for (;;) {
        char *end;
        if (in >= n)
            return false;
        unsigned long sz = strtoul(b + in, &end, 16);
        char *crlf = memchr(b + in, '\n', n - in);
        if (!crlf || end == b + in)
            return false;
        in = (size_t)(crlf - b) + 1;
        if (sz == 0)
            break;
        if (sz > n - in)
            return false;
        memmove(b + out, b + in, sz);
        out += sz;
        in += sz;
        if (in < n && b[in] == '\r')
            in++;
        if (in < n && b[in] == '\n')
            in++;
    }
    b[out] = '\0';
    *len = out;
    return true;
}

int drill_http_get(unsigned port, const char *path, const char *token, double timeout_s,
                   char **body, size_t *body_len)
{
    *body = NULL;
    *body_len = 0;
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return -1;
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (connect(fd, (struct sockaddr *)&sa, sizeof sa) != 0) {
        close(fd);
        return -1;
    }
    char req[8192];
    int n = snprintf(req, sizeof req,
                     "GET %s HTTP/1.1\r\nHost: 127.0.0.1:%u\r\n"
                     "Accept: application/taxii+json;version=2.1\r\n"
                     "%s%s%sConnection: close\r\n\r\n",
                     path, port, token ? "Authorization: Bearer " : "", token ? token : "",
                     token ? "\r\n" : "");
    if (n < 0 || (size_t)n >= sizeof req || write(fd, req, (size_t)n) != n) {
        close(fd);
        return -1;
    }
    size_t cap = 1 << 16, len = 0;
    char *buf = malloc(cap);
    double deadline = mono_now() + timeout_s;
    int status = -1;
    while (buf) {
        double left = deadline - mono_now();
        if (left <= 0)
            break;
        struct pollfd p = {.fd = fd, .events = POLLIN};
        if (poll(&p, 1, (int)(left * 1000) + 1) <= 0)
            break;
        if (cap - len < 4096) {
            char *nb = realloc(buf, cap * 2);
            if (!nb) {
                free(buf);
                buf = NULL;
                break;
            }
            buf = nb;
            cap *= 2;
        }
        ssize_t r = read(fd, buf + len, cap - len - 1);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0) {
            if (r == 0)
                status = 0;       /* the whole answer is in */
            break;
        }
        len += (size_t)r;
    }
    close(fd);
    if (!buf || status != 0) {
        free(buf);
        return -1;
    }
    buf[len] = '\0';
    char *hend = strstr(buf, "\r\n\r\n");
    if (!hend || sscanf(buf, "HTTP/1.%*d %d", &status) != 1) {
        free(buf);
        return -1;
    }
    *hend = '\0';
    bool chunked = false;
    for (char *h = buf; *h; h++)
        if (strncasecmp(h, "\ntransfer-encoding:", 19) == 0 && strstr(h, "chunked")) {
            chunked = true;
            break;
        }
    size_t blen = len - (size_t)(hend + 4 - buf);
    memmove(buf, hend + 4, blen);
    buf[blen] = '\0';
    if (chunked && !dechunk(buf, &blen)) {
        free(buf);
        return -1;
    }
    *body = buf;
    *body_len = blen;
    return status;
}
