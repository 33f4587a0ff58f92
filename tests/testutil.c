/*
 * testutil.c - see testutil.h.
 */
#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "alidade/ais.h"

static const char *join(const char *env, const char *fallback, const char *rel,
                        bool must_exist)
{
    static char path[4096];
    const char *base = getenv(env);
    if (!base || !*base)
        base = fallback;
    snprintf(path, sizeof path, "%s/%s", base, rel);
    if (must_exist && access(path, R_OK) != 0)
        return NULL;
    return path;
}

const char *tu_shared(const char *rel)
{
    return join("ALD_SHARED_DATA", "../shared/data", rel, true);
}

const char *tu_testdata(const char *rel)
{
    return join("ALD_TEST_DATA", "tests/data", rel, false);
}

char *tu_read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    size_t cap = 1 << 16, n = 0;
    char *buf = malloc(cap + 1);
    for (;;) {
        if (n == cap) {
            cap *= 2;
            buf = realloc(buf, cap + 1);
        }
        size_t r = fread(buf + n, 1, cap - n, f);
        if (r == 0)
            break;
        n += r;
    }
    fclose(f);
    buf[n] = '\0';
    if (len)
        *len = n;
    return buf;
}

struct collect {
    char *out;
    size_t len, cap;
    bool scaled;
    const char *device;
};

static void collect_msg(void *ctx, const struct ais_msg *m, const struct ais_meta *meta)
{
    struct collect *c = ctx;
    (void)meta;
    if (c->cap - c->len < AIS_LINE_MAX + 2) {
        c->cap = c->cap * 2 + AIS_LINE_MAX * 2;
        c->out = realloc(c->out, c->cap);
    }
    size_t n = ais_json(m, c->scaled, c->device, c->out + c->len, AIS_LINE_MAX);
    assert_true(n > 0);
    c->len += n;
    c->out[c->len++] = '\n';
    c->out[c->len] = '\0';
}

char *tu_decode_json(const char *text, size_t len, bool scaled, const char *device,
                     bool split24)
{
    struct ais_decoder_opts o = {.split24 = split24};
    ais_decoder *d = ais_decoder_new(&o);
    struct collect c = {.scaled = scaled, .device = device};
    c.cap = AIS_LINE_MAX * 4;
    c.out = malloc(c.cap);
    c.out[0] = '\0';
    ais_decoder_set_cb(d, collect_msg, NULL, &c);
    const char *p = text, *end = text + len;
    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        const char *le = nl ? nl : end;
        ais_decoder_feed(d, p, (size_t)(le - p));
        p = nl ? nl + 1 : end;
    }
    ais_decoder_finish(d);
    ais_decoder_free(d);
    return c.out;
}

char *tu_tmpdir(void)
{
    char t[] = "/tmp/ald-test-XXXXXX";
    char *d = mkdtemp(t);
    assert_non_null(d);
    d = strdup(d);
    assert_non_null(d);
    return d;
}

void tu_rmtree(char *dir)
{
    char cmd[4200];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    assert_int_equal(system(cmd), 0);
    free(dir);
}
