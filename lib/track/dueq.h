/*
 * dueq.h - the tracker's queue of vessels holding fixes, by due time
 * (dueq.c). Internal to lib/track.
 *
 * Entries leave in (due, mmsi) order, and only once due <= now. The queue
 * never removes or re-keys an entry: when a vessel's due time changes the
 * tracker pushes a new entry and the old one goes stale, to be skipped by
 * the tracker when it comes out (it checks the entry against the vessel's
 * record). Push and pop touch one small bucket, not a heap over the whole
 * fleet: pushes append, and a bucket is sorted once, when its turn comes.
 */
#ifndef ALIDADE_TRACK_DUEQ_H
#define ALIDADE_TRACK_DUEQ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct dueq_ent {
    int64_t due;
    uint32_t mmsi;
    uint32_t rec;                /* the tracker's record index when pushed */
};

struct dueq_bucket {
    struct dueq_ent *e;          /* e[head..n): unordered, or sorted on (due, mmsi) */
    uint32_t n, cap;
    uint32_t head;               /* sorted: entries before it have left */
    bool sorted;
};

typedef struct dueq {
    struct dueq_bucket *b;       /* DUEQ_BUCKETS, bucket of due = (due / width) mod */
    int64_t width;               /* ms per bucket */
    int64_t cur;                 /* absolute bucket (due / width) where the next
                                    entry can be: none is due earlier */
    size_t count;                /* entries held, stale ones included */
    struct dueq_ent *tmp;        /* the radix sort's other half */
    uint32_t ntmp;
} dueq;

/* An empty queue for due times spread over at most `span_ms` ahead of the
 * newest time (the reorder window). False when out of memory. */
bool dueq_init(dueq *q, int64_t span_ms);
void dueq_free(dueq *q);
/* Drops every entry (memory kept). */
void dueq_clear(dueq *q);
/* Adds an entry; due must be later than every `now` given to dueq_pop so
 * far. False when out of memory (the queue is unchanged). */
bool dueq_push(dueq *q, int64_t due, uint32_t mmsi, uint32_t rec);
/* Takes the first entry in (due, mmsi) order if its due <= now. */
bool dueq_pop(dueq *q, int64_t now, struct dueq_ent *out);
/* The entries that will come out next, at most `max` of them, without
 * taking them (for prefetching: no order among them is promised, and they
 * may be stale). Returns how many were written to out. */
size_t dueq_peek(dueq *q, const struct dueq_ent **out, size_t max);
/* Bytes held (buckets and entries), for the memory figures. */
size_t dueq_bytes(const dueq *q);

#endif
