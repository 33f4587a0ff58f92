/*
 * fuzz_pattern.c - libFuzzer target for lib/pattern's parser and formatter:
 * ald_pattern_parse on the input bytes (not NUL-terminated), then on
 * success ald_pattern_format and a second parse of that text.
 *
 * Oracles (abort on failure):
 *  - a rejected input gets ALD_E_PATTERN with an offset inside the input,
 *    line 1, a column >= 1 and a non-empty, NUL-terminated, UTF-8 message;
 *  - an accepted input gives a tree within its documented bounds: depth at
 *    most ALD_PATTERN_MAX_DEPTH, positions inside the input, paths starting
 *    with a key, strings and keys NUL-terminated at their length, WITHIN and
 *    REPEATS > 0, the text kept as given;
 *  - the canonical text parses again and formats to the same text, and a
 *    short buffer receives a NUL-terminated prefix of it.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alidade/pattern.h"

#include "fuzz_abort.h"

static bool utf8_ok(const unsigned char *s, size_t n)
{
    for (size_t i = 0; i < n;) {
        unsigned char c = s[i];
        size_t k = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 0;
        if (k == 0 || i + k > n)
            return false;
        for (size_t j = 1; j < k; j++)
            if ((s[i + j] & 0xC0) != 0x80)
                return false;
        i += k;
    }
    return true;
}

static void check_val(const ald_pval *v, size_t len)
{
    FZ_CHECK(v->pos < len, "value position outside the input");
    switch (v->type) {
    case ALD_PV_STRING:
        FZ_CHECK(v->u.str.p && v->u.str.p[v->u.str.len] == '\0', "string not terminated");
        FZ_CHECK(utf8_ok((const unsigned char *)v->u.str.p, v->u.str.len), "string not UTF-8");
        break;
    case ALD_PV_BINARY:
        FZ_CHECK(v->u.bin.len > 0 && v->u.bin.p, "empty binary");
        break;
    case ALD_PV_HEX:
        FZ_CHECK(v->u.bin.len == 0 || v->u.bin.p, "hex without bytes");
        break;
    case ALD_PV_TIMESTAMP:
        FZ_CHECK(v->u.ts.nsec >= 0 && v->u.ts.nsec < 1000000000, "nanoseconds out of range");
        FZ_CHECK(v->u.ts.sec >= INT64_C(-62167219200) && v->u.ts.sec < INT64_C(253402300800),
                 "timestamp outside years 0000-9999");
        break;
    case ALD_PV_INT:
    case ALD_PV_FLOAT:
    case ALD_PV_BOOL:
        break;
    default:
        FZ_CHECK(0, "unknown value type");
    }
}

static int check_cmp(const ald_pcexpr *c, size_t len)
{
    FZ_CHECK(c != NULL, "null comparison");
    if (c->kind == ALD_PCE_AND || c->kind == ALD_PCE_OR) {
        int a = check_cmp(c->l, len), b = check_cmp(c->r, len);
        return 1 + (a > b ? a : b);
    }
    FZ_CHECK(c->kind == ALD_PCE_TEST, "unknown comparison kind");
    const ald_ppath *pa = &c->path;
    FZ_CHECK(pa->object_type && pa->object_type[0], "no object type");
    FZ_CHECK(pa->pos < len, "path position outside the input");
    FZ_CHECK(pa->nsteps >= 1 && pa->steps[0].kind == ALD_PSTEP_KEY, "path without first key");
    for (size_t i = 0; i < pa->nsteps; i++)
        if (pa->steps[i].kind == ALD_PSTEP_KEY)
            FZ_CHECK(pa->steps[i].key && pa->steps[i].key[pa->steps[i].keylen] == '\0',
                     "key not terminated");
    FZ_CHECK(c->op <= ALD_POP_EXISTS, "unknown operator");
    if (c->op == ALD_POP_EXISTS)
        FZ_CHECK(c->nvals == 0, "EXISTS with values");
    else if (c->op != ALD_POP_IN)
        FZ_CHECK(c->nvals == 1, "operator without its one value");
    if (c->op >= ALD_POP_LIKE && c->op <= ALD_POP_ISSUPERSET)
        FZ_CHECK(c->vals[0].type == ALD_PV_STRING, "string operator without a string");
    for (size_t i = 0; i < c->nvals; i++)
        check_val(&c->vals[i], len);
    return 1;
}

static int check_obs(const ald_poexpr *e, size_t len)
{
    FZ_CHECK(e != NULL, "null observation");
    FZ_CHECK(e->pos < len, "observation position outside the input");
    switch (e->kind) {
    case ALD_POE_OBS:
        return 1 + check_cmp(e->cmp, len);
    case ALD_POE_AND:
    case ALD_POE_OR:
    case ALD_POE_FOLLOWEDBY: {
        int a = check_obs(e->l, len), b = check_obs(e->r, len);
        return 1 + (a > b ? a : b);
    }
    case ALD_POE_WITHIN:
        FZ_CHECK(e->within_s > 0, "WITHIN not positive");
        return 1 + check_obs(e->l, len);
    case ALD_POE_REPEATS:
        FZ_CHECK(e->repeats > 0, "REPEATS not positive");
        return 1 + check_obs(e->l, len);
    case ALD_POE_STARTSTOP:
        FZ_CHECK(e->start.type == ALD_PV_TIMESTAMP && e->stop.type == ALD_PV_TIMESTAMP,
                 "START/STOP without timestamps");
        return 1 + check_obs(e->l, len);
    }
    FZ_CHECK(0, "unknown observation kind");
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *src = (const char *)data;
    ald_pattern *p = NULL;
    struct ald_errpos e;
    ald_err r = ald_pattern_parse(src, size, &p, &e);
    if (r != ALD_E_OK) {
        FZ_CHECK(r == ALD_E_PATTERN, "error other than ALD_E_PATTERN");
        FZ_CHECK(p == NULL, "pattern returned with an error");
        FZ_CHECK(e.code == r && e.line == 1 && e.col >= 1 && e.col <= e.offset + 1,
                 "bad error position");
        FZ_CHECK(e.offset <= size, "error offset past the input");
        FZ_CHECK(memchr(e.msg, 0, sizeof e.msg) != NULL, "message not terminated");
        FZ_CHECK(e.msg[0] != '\0', "empty message");
        FZ_CHECK(utf8_ok((const unsigned char *)e.msg, strlen(e.msg)), "message not UTF-8");
        return 0;
    }
    FZ_CHECK(p != NULL, "no pattern");
    FZ_CHECK(memcmp(ald_pattern_text(p), src, size) == 0 && ald_pattern_text(p)[size] == '\0',
             "text not kept");
    int depth = check_obs(ald_pattern_root(p), size);
    FZ_CHECK(depth <= ALD_PATTERN_MAX_DEPTH, "tree deeper than the bound");

    size_t n = ald_pattern_format(p, NULL, 0);
    char *a = malloc(n + 1);
    FZ_CHECK(a != NULL, "malloc");
    FZ_CHECK(ald_pattern_format(p, a, n + 1) == n && a[n] == '\0', "format length");
    size_t half = n / 2 + 1;
    char *h = malloc(half);
    FZ_CHECK(h != NULL, "malloc");
    FZ_CHECK(ald_pattern_format(p, h, half) == n, "format length with a short buffer");
    FZ_CHECK(h[half - 1] == '\0' && memcmp(h, a, half - 1) == 0, "short buffer not a prefix");
    free(h);

    ald_pattern *q = NULL;
    r = ald_pattern_parse(a, n, &q, &e);
    if (r != ALD_E_OK)
        fprintf(stderr, "canonical text rejected: %s\n  at %zu: %s\n", a, e.offset, e.msg);
    FZ_CHECK(r == ALD_E_OK, "canonical text does not parse");
    size_t n2 = ald_pattern_format(q, NULL, 0);
    char *b = malloc(n2 + 1);
    FZ_CHECK(b != NULL, "malloc");
    ald_pattern_format(q, b, n2 + 1);
    if (n2 != n || memcmp(a, b, n) != 0)
        fprintf(stderr, "round trip differs:\n  %s\n  %s\n", a, b);
    FZ_CHECK(n2 == n && memcmp(a, b, n) == 0, "format(parse(format(x))) != format(x)");
    free(a);
    free(b);
    ald_pattern_free(q);
    ald_pattern_free(p);
    return 0;
}
