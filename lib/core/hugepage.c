/*
 * hugepage.c - the huge-page hint for large tables (hugepage.h).
 */
#define _DEFAULT_SOURCE
#include "core/hugepage.h"

#include <stdint.h>
#include <sys/mman.h>

#define HUGE_2M ((uintptr_t)2 << 20)

void ald_hugepage_hint(void *p, size_t len)
{
#ifdef MADV_HUGEPAGE
    if (!p || len < 2 * HUGE_2M)
        return;
    uintptr_t a = ((uintptr_t)p + HUGE_2M - 1) & ~(HUGE_2M - 1);
    uintptr_t b = ((uintptr_t)p + len) & ~(HUGE_2M - 1);
    if (b > a)
        (void)madvise((void *)a, b - a, MADV_HUGEPAGE);
#else
    (void)p;
    (void)len;
#endif
}
