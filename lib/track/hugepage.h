/*
 * hugepage.h - asks the kernel to back the large per-vessel tables of the
 * tracker and the detectors with 2 MB pages. Shared by lib/track and
 * lib/detect (private header).
 *
 * Why: at fleet scale (100,000 vessels) every fix touches a handful of
 * records scattered over 200 MB of tables; with 4 KB pages nearly every one
 * of those accesses also misses the TLB and walks the page tables. With 2 MB
 * pages the tables span ~100 pages and the walks disappear (measured in
 * docs/detect-perf.md, session 3). It is only a hint: where transparent huge
 * pages are off (or MADV_HUGEPAGE unknown) nothing changes, and the contents
 * never depend on it.
 */
#ifndef ALD_TRACK_HUGEPAGE_H
#define ALD_TRACK_HUGEPAGE_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#define ALD_HUGE_MIN ((size_t)2 << 20)   /* smaller blocks gain nothing */

/* Hints that [p, p + n) is worth 2 MB pages: the whole pages inside it are
 * advised. Call it before the block is first written, so that its pages are
 * faulted in large. */
static inline void ald_huge_hint(void *p, size_t n)
{
#ifdef MADV_HUGEPAGE
    if (!p || n < ALD_HUGE_MIN)
        return;
    long pg = sysconf(_SC_PAGESIZE);
    uintptr_t page = pg > 0 ? (uintptr_t)pg : 4096;
    uintptr_t a = ((uintptr_t)p + page - 1) & ~(page - 1);
    uintptr_t e = ((uintptr_t)p + n) & ~(page - 1);
    if (e > a)
        (void)madvise((void *)a, e - a, MADV_HUGEPAGE);   /* a hint: errors are harmless */
#else
    (void)p;
    (void)n;
#endif
}

/* calloc(n, size) with the hint: the block is still zero (fresh large
 * blocks come from mmap, whose pages are faulted in only when written). */
static inline void *ald_huge_calloc(size_t n, size_t size)
{
    void *p = calloc(n, size);
    if (p)
        ald_huge_hint(p, n * size);
    return p;
}

/* realloc(p, new_n) keeping the first old_n bytes, with the hint. A large
 * block is moved by hand rather than by realloc(): realloc would keep the
 * old 4 KB pages (mremap) and only the new tail would get large ones. On
 * failure p is left as it was and NULL is returned. */
static inline void *ald_huge_realloc(void *p, size_t old_n, size_t new_n)
{
    if (new_n < ALD_HUGE_MIN)
        return realloc(p, new_n);
    void *q = malloc(new_n);
    if (!q)
        return NULL;
    ald_huge_hint(q, new_n);
    if (p)
        memcpy(q, p, old_n < new_n ? old_n : new_n);
    free(p);
    return q;
}

#endif
