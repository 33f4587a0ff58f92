/*
 * out.h - buffered output to a file descriptor (one write(2) per 1 MiB).
 */
#ifndef ALD_SRC_OUT_H
#define ALD_SRC_OUT_H

#include <stdbool.h>
#include <stddef.h>

typedef struct {
    int fd;
    char *buf;
    size_t len, cap;
    bool failed;
} outbuf;

bool out_init(outbuf *o, int fd);
/* Room for at least n more bytes at out_tail(); flushes as needed. */
char *out_reserve(outbuf *o, size_t n);
static inline void out_commit(outbuf *o, size_t n) { o->len += n; }
void out_write(outbuf *o, const char *s, size_t n);
bool out_flush(outbuf *o);
void out_free(outbuf *o);

#endif
