/*
 * dueq.c - the tracker's due queue (dueq.h): a calendar of DUEQ_BUCKETS
 * buckets, each `width` ms of due times.
 *
 * Why not one heap over the fleet: every fix that leaves the tracker
 * re-keys its vessel, and at 100,000 vessels a heap step down 17 levels
 * misses the cache at most of them (it was the tracker's largest cost,
 * docs/detect-perf.md). Here a push appends to the bucket of now + the
 * reorder window, and a bucket is sorted once, by a radix sort, when the
 * first entry is taken from it; then pops take its entries in order. (Small
 * heaps per bucket came first: with whole-second receive times every entry
 * of a bucket has the same due, so each pop was a sift-down of ~10 levels
 * on unpredictable MMSI comparisons, 8 % of the whole run.) A push into a
 * bucket already sorted (due times with milliseconds, within the current
 * second) is put in its place.
 *
 * Order: entries leave in (due, mmsi) order, which is the order a heap on
 * (due, mmsi) gives, so the tracker's output does not depend on how the
 * queue was filled (equal due times leave by MMSI).
 *
 * Buckets are reused lap after lap (absolute bucket = due / width, slot =
 * that mod DUEQ_BUCKETS). Pushed dues lie within the reorder window ahead
 * of now, which `width` makes shorter than half the buckets, so a slot
 * normally holds one lap; after a jump of the stream's clock it may hold
 * later laps too, which sort after (larger due) and stay until `cur`
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
    free(q->tmp);
    q->b = NULL;
    q->tmp = NULL;
}

void dueq_clear(dueq *q)
{
    for (unsigned i = 0; i < DUEQ_BUCKETS; i++) {
        q->b[i].n = q->b[i].head = 0;
        q->b[i].sorted = false;
    }
    q->count = 0;
}

static int cmp_ent(const void *a, const void *b)
{
    const struct dueq_ent *x = a, *y = b;
    return before(x, y) ? -1 : before(y, x) ? 1 : 0;
}

/* Sorts e[0..n) on (due, mmsi): a least-significant-digit radix sort, a
 * byte at a time, of the key (due - smallest due) << 32 | mmsi, over only
 * the bytes in which keys differ (whole-second dues: the MMSI's 4); qsort
 * when the dues span more than 32 bits (laps after a clock jump) or when
 * the scratch array cannot grow. Stable, so equal keys keep their order
 * (they are the same vessel and due: either is as good). */
static void sort_entries(dueq *q, struct dueq_ent *e, uint32_t n)
{
    if (n < 2)
        return;
    int64_t lo = e[0].due, hi = e[0].due;
    uint32_t mor = 0, mand = UINT32_MAX;
    for (uint32_t i = 0; i < n; i++) {
        lo = e[i].due < lo ? e[i].due : lo;
        hi = e[i].due > hi ? e[i].due : hi;
        mor |= e[i].mmsi;
        mand &= e[i].mmsi;
    }
    if (n < 32 || (uint64_t)(hi - lo) > UINT32_MAX) {
        qsort(e, n, sizeof *e, cmp_ent);
        return;
    }
    if (q->ntmp < n) {
        struct dueq_ent *t = realloc(q->tmp, (size_t)n * sizeof *t);
        if (!t) {
            qsort(e, n, sizeof *e, cmp_ent);
            return;
        }
        q->tmp = t;
        q->ntmp = n;
    }
    /* bits in which some keys differ: of the MMSIs, and of the dues */
    uint64_t differ = (uint64_t)(mor ^ mand) | (uint64_t)(hi - lo) << 32;
    struct dueq_ent *src = e, *dst = q->tmp;
    for (unsigned shift = 0; shift < 64; shift += 8) {
        if (((differ >> shift) & 0xff) == 0 && (shift < 32 || (differ >> shift) == 0))
            continue;
        uint32_t count[257] = {0};
        for (uint32_t i = 0; i < n; i++) {
            uint64_t k = (uint64_t)(src[i].due - lo) << 32 | src[i].mmsi;
            count[((k >> shift) & 0xff) + 1]++;
        }
        for (unsigned d = 0; d < 256; d++)
            count[d + 1] += count[d];
        for (uint32_t i = 0; i < n; i++) {
            uint64_t k = (uint64_t)(src[i].due - lo) << 32 | src[i].mmsi;
            dst[count[(k >> shift) & 0xff]++] = src[i];
        }
        struct dueq_ent *t = src;
        src = dst;
        dst = t;
    }
    if (src != e)
        memcpy(e, src, (size_t)n * sizeof *e);
}

/* Sorts the bucket's entries once; from then on it stays sorted. */
static void bucket_sort(dueq *q, struct dueq_bucket *b)
{
    if (b->sorted)
        return;
    sort_entries(q, b->e, b->n);
    b->head = 0;
    b->sorted = true;
}

bool dueq_push(dueq *q, int64_t due, uint32_t mmsi, uint32_t rec)
{
    struct dueq_bucket *b = slot(q, due / q->width);
    if (b->n == b->cap) {
        if (b->sorted && b->head > 0) {
            /* room from the entries that left */
            memmove(b->e, b->e + b->head, (size_t)(b->n - b->head) * sizeof *b->e);
            b->n -= b->head;
            b->head = 0;
        } else {
            uint32_t cap = b->cap ? b->cap * 2 : 64;
            struct dueq_ent *e = realloc(b->e, cap * sizeof *e);
            if (!e)
                return false;
            b->e = e;
            b->cap = cap;
        }
    }
    struct dueq_ent x = { due, mmsi, rec };
    if (!b->sorted) {
        b->e[b->n++] = x;
    } else {
        /* in its place among those still to leave (all left before it:
         * their due <= some now < due) */
        uint32_t lo = b->head, hi = b->n;
        while (lo < hi) {
            uint32_t mid = lo + (hi - lo) / 2;
            if (before(&b->e[mid], &x))
                lo = mid + 1;
            else
                hi = mid;
        }
        memmove(b->e + lo + 1, b->e + lo, (size_t)(b->n - lo) * sizeof *b->e);
        b->e[lo] = x;
        b->n++;
    }
    q->count++;
    return true;
}

/* The bucket's first entry in order (sorting it if need be), or NULL. */
static const struct dueq_ent *front(dueq *q, struct dueq_bucket *b)
{
    if (b->n == (b->sorted ? b->head : 0))
        return NULL;
    bucket_sort(q, b);
    return &b->e[b->head];
}

static void take_front(dueq *q, struct dueq_bucket *b, struct dueq_ent *out)
{
    *out = b->e[b->head++];
    if (b->head == b->n) {
        b->n = b->head = 0;
        b->sorted = false;
    }
    q->count--;
}

/* The absolute bucket of the smallest due held (count > 0). */
static int64_t first_bucket(dueq *q)
{
    int64_t min = INT64_MAX;
    for (unsigned i = 0; i < DUEQ_BUCKETS; i++) {
        const struct dueq_ent *f = front(q, &q->b[i]);
        if (f && f->due < min)
            min = f->due;
    }
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
        const struct dueq_ent *f = front(q, b);
        if (f && f->due < end) {
            if (f->due > now)
                return false;
            take_front(q, b, out);
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

size_t dueq_peek(dueq *q, const struct dueq_ent **out, size_t max)
{
    /* the bucket of cur, or the next one when cur's is done */
    size_t n = 0;
    for (int64_t abs = q->cur; abs <= q->cur + 1 && n < max; abs++) {
        struct dueq_bucket *b = slot(q, abs);
        int64_t end = (abs + 1) * q->width;
        if (!front(q, b))
            continue;
        for (uint32_t i = b->head; i < b->n && n < max && b->e[i].due < end; i++)
            out[n++] = &b->e[i];
        if (n)
            break;
    }
    return n;
}

size_t dueq_bytes(const dueq *q)
{
    size_t n = DUEQ_BUCKETS * sizeof *q->b + (size_t)q->ntmp * sizeof *q->tmp;
    for (unsigned i = 0; i < DUEQ_BUCKETS; i++)
        n += q->b[i].cap * sizeof *q->b[i].e;
    return n;
}
