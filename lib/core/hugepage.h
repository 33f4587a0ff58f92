/*
 * hugepage.h - asks the kernel to back a large table with 2 MB pages.
 *
 * The tracker's and the detectors' per-vessel tables are read at random,
 * one record per fix: at 100,000 vessels they span tens of MB, so with
 * 4 KB pages nearly every record is also a TLB miss (a page walk before
 * the cache miss: the profile showed the tracker's prefetches stalling on
 * them). Linux's transparent huge pages are often on "madvise" only, so
 * the tables say so. A hint: nothing changes when the kernel says no.
 */
#ifndef ALIDADE_CORE_HUGEPAGE_H
#define ALIDADE_CORE_HUGEPAGE_H

#include <stddef.h>

/* Marks the whole 2 MB pages inside [p, p + len) as wanting huge pages;
 * does nothing for tables under 4 MB or where madvise is unknown. */
void ald_hugepage_hint(void *p, size_t len);

#endif
