/*
 * dueq.c - the tracker's due queue (dueq.h): a calendar of DUEQ_BUCKETS
 * buckets, each `width` ms of due times, each a small binary heap on
 * (due, mmsi).
 *
 * Why not one heap over the fleet: every fix that leaves the tracker
 * re-keys its vessel, and at 100,000 vessels a heap step down 17 levels
 * misses the cache at most of them (it was the tracker's largest cost,
 * docs/detect-perf.md). Here a push lands in the bucket of now + the
 * reorder window, a pop comes from the bucket of now: both small and hot.
 *
 * Order: entries leave in (due, mmsi) order, which is the order a heap on
 * (due, mmsi) gives, so the tracker's output does not depend on how the
 * queue was filled (equal due times leave by MMSI).
 *
 * Buckets are reused lap after lap (absolute bucket = due / width, slot =
 * that mod DUEQ_BUCKETS). Pushed dues lie within the reorder window ahead
 * of now, which `width` makes shorter than half the buckets, so a slot
 * normally holds one lap; after a jump of the stream's clock it may hold
 * later laps too, which stay below in its heap (larger due) until `cur`
 * reaches their own lap: an entry leaves only from the bucket `cur` it
 * belongs to, so the order holds across laps as well.
 */
#include "dueq.h"

#include <stdlib.h>
#include <string.h>

#define DUEQ_BUCKETS 1024u       /* a power of two */
#define DUEQ_MIN_WIDTH 1000      /* ms: receive times are mostly whole seconds */

static bool before(const struct dueq_ent *a, const struct dueq_ent *b)
{
    return a->due < b->due || (a->due == b->due && a->mmsi < b->mmsi);
}

static struct dueq_bucket *slot(const dueq *q, int64_t abs)
{
    return &q->b[(uint64_t)abs & (DUEQ_BUCKETS - 1)];
}

bool dueq_init(dueq *q, int64_t span_ms)
{
    memset(q, 0, sizeof *q);
    q->b = calloc(DUEQ_BUCKETS, sizeof *q->b);
    if (!q->b)
        return false;
    /* a span of at most half the buckets: one lap per slot in steady state */
    q->width = span_ms / (DUEQ_BUCKETS / 2) + 1;
    if (q->width < DUEQ_MIN_WIDTH)
        q->width = DUEQ_MIN_WIDTH;
    return true;
}

void dueq_free(dueq *q)
{
    if (!q->b)
        return;
    for (unsigned i = 0; i < DUEQ_BUCKETS; i++)
        free(q->b[i].e);
    free(q->b);
    q->b = NULL;
}

void dueq_clear(dueq *q)
{
    for (unsigned i = 0; i < DUEQ_BUCKETS; i++)
        q->b[i].n = 0;
    q->count = 0;
}

bool dueq_push(dueq *q, int64_t due, uint32_t mmsi, uint32_t rec)
{
    struct dueq_bucket *b = slot(q, due / q->width);
    if (b->n == b->cap) {
        uint32_t cap = b->cap ? b->cap * 2 : 64;
        struct dueq_ent *e = realloc(b->e, cap * sizeof *e);
        if (!e)
            return false;
        b->e = e;
        b->cap = cap;
    }
    struct dueq_ent x = { due, mmsi, rec };
    uint32_t i = b->n++;
    while (i > 0) {
        uint32_t up = (i - 1) / 2;
        if (!before(&x, &b->e[up]))
            break;
        b->e[i] = b->e[up];
        i = up;
    }
    b->e[i] = x;
    q->count++;
    return true;
}

static void take_top(dueq *q, struct dueq_bucket *b, struct dueq_ent *out)
{
    *out = b->e[0];
    struct dueq_ent x = b->e[--b->n];
    uint32_t i = 0;
    for (;;) {
        uint32_t c = 2 * i + 1;
        if (c >= b->n)
            break;
        if (c + 1 < b->n && before(&b->e[c + 1], &b->e[c]))
            c++;
        if (!before(&b->e[c], &x))
            break;
        b->e[i] = b->e[c];
        i = c;
    }
    if (b->n)
        b->e[i] = x;
    q->count--;
}

/* The absolute bucket of the smallest due held (count > 0). */
static int64_t first_bucket(const dueq *q)
{
    int64_t min = INT64_MAX;
    for (unsigned i = 0; i < DUEQ_BUCKETS; i++)
        if (q->b[i].n && q->b[i].e[0].due < min)
            min = q->b[i].e[0].due;
    return min / q->width;
}

bool dueq_pop(dueq *q, int64_t now, struct dueq_ent *out)
{
    if (now < 0)
        return false;
    unsigned skipped = 0;
    while (q->count) {
        struct dueq_bucket *b = slot(q, q->cur);
        int64_t end = (q->cur + 1) * q->width;     /* first due past bucket cur */
        if (b->n && b->e[0].due < end) {
            if (b->e[0].due > now)
                return false;
            take_top(q, b, out);
            return true;
        }
        if (end > now)
            return false;
        /* bucket cur is done: on to the next, or, after a jump of the
         * clock, straight to the first bucket that holds anything */
        if (++skipped <= DUEQ_BUCKETS)
            q->cur++;
        else {
            int64_t first = first_bucket(q), at_now = now / q->width;
            /* never past now's bucket: a later push may be due before first */
            q->cur = first < at_now ? first : at_now;
            skipped = 0;
        }
    }
    if (now / q->width > q->cur)
        q->cur = now / q->width;
    return false;
}

size_t dueq_peek(const dueq *q, const struct dueq_ent **out, size_t max)
{
    /* the bucket of cur, or the next one when cur's is done: the top of a
     * heap and its two children are the next three to leave it but one */
    size_t n = 0;
    for (int64_t abs = q->cur; abs <= q->cur + 1 && n < max; abs++) {
        const struct dueq_bucket *b = slot(q, abs);
        int64_t end = (abs + 1) * q->width;
        for (uint32_t i = 0; i < b->n && i < 3 && n < max; i++)
            if (b->e[i].due < end)
                out[n++] = &b->e[i];
        if (n)
            break;
    }
    return n;
}

size_t dueq_bytes(const dueq *q)
{
    size_t n = DUEQ_BUCKETS * sizeof *q->b;
    for (unsigned i = 0; i < DUEQ_BUCKETS; i++)
        n += q->b[i].cap * sizeof *q->b[i].e;
    return n;
}
