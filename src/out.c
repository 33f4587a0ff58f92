/*
 * out.c - buffered writer; a failed write (EPIPE, disk full) is remembered
 * and reported once by the caller.
 */
#include "out.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define OUT_CAP (1u << 20)

bool out_init(outbuf *o, int fd)
{
    o->fd = fd;
    o->len = 0;
    o->cap = OUT_CAP;
    o->failed = false;
    o->buf = malloc(o->cap);
    return o->buf != NULL;
}

bool out_flush(outbuf *o)
{
    size_t off = 0;
    while (off < o->len && !o->failed) {
        ssize_t n = write(o->fd, o->buf + off, o->len - off);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            o->failed = true;
            break;
        }
        off += (size_t)n;
    }
    o->len = 0;
    return !o->failed;
}

char *out_reserve(outbuf *o, size_t n)
{
    if (o->cap - o->len < n)
        out_flush(o);
    return o->buf + o->len;
}

void out_write(outbuf *o, const char *s, size_t n)
{
    if (n > o->cap) {
        out_flush(o);
        o->len = n;
        char *save = o->buf;
        o->buf = (char *)s;
        out_flush(o);
        o->buf = save;
        return;
    }
    memcpy(out_reserve(o, n), s, n);
    o->len += n;
}

void out_free(outbuf *o)
{
    free(o->buf);
    o->buf = NULL;
}
