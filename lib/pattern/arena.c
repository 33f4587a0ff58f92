/*
 * arena.c - the chunked bump allocator that owns every node of a parsed
 * pattern (see internal.h for why). Chunks double in size up to 64 KiB;
 * blocks are aligned for any node; nothing is freed before the whole arena.
 */
#include <stdalign.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

struct pat_chunk {
    pat_chunk *next;
    size_t cap, used;
    alignas(max_align_t) unsigned char data[];
};

#define ALIGN ((size_t)alignof(max_align_t))
#define MAX_STEP ((size_t)64 * 1024)

void pat_arena_init(pat_arena *a, size_t first, size_t limit)
{
    a->head = NULL;
    a->total = 0;
    a->limit = limit;
    if (first > 0) {
        /* allocate the first chunk now so that small patterns cost one
         * malloc; failure is reported by the first pat_alloc */
        pat_chunk *c = malloc(sizeof *c + first);
        if (c) {
            c->next = NULL;
            c->cap = first;
            c->used = 0;
            a->head = c;
            a->total = sizeof *c + first;
        }
    }
}

static pat_chunk *new_chunk(pat_arena *a, size_t need)
{
    size_t cap = a->head ? a->head->cap * 2 : 1024;
    if (cap > MAX_STEP)
        cap = MAX_STEP;
    if (cap < need)
        cap = need;
    if (cap > SIZE_MAX - sizeof(pat_chunk) || a->total + sizeof(pat_chunk) + cap > a->limit)
        return NULL;
    pat_chunk *c = malloc(sizeof *c + cap);
    if (!c)
        return NULL;
    c->next = a->head;
    c->cap = cap;
    c->used = 0;
    a->head = c;
    a->total += sizeof *c + cap;
    return c;
}

void *pat_alloc(pat_arena *a, size_t n)
{
    if (n > SIZE_MAX / 2)
        return NULL;
    size_t r = (n + ALIGN - 1) & ~(ALIGN - 1);
    if (r == 0)
        r = ALIGN;
    pat_chunk *c = a->head;
    if (!c || c->cap - c->used < r) {
        c = new_chunk(a, r);
        if (!c)
            return NULL;
    }
    void *p = c->data + c->used;
    c->used += r;
    return p;
}

void *pat_grow(pat_arena *a, void *old, size_t oldn, size_t newn)
{
    if (newn > SIZE_MAX / 2)
        return NULL;
    if (old && newn <= oldn)
        return old;
    pat_chunk *c = a->head;
    size_t ro = (oldn + ALIGN - 1) & ~(ALIGN - 1);
    if (ro == 0)
        ro = ALIGN;
    size_t rn = (newn + ALIGN - 1) & ~(ALIGN - 1);
    if (old && c && (unsigned char *)old + ro == c->data + c->used &&
        c->cap - (c->used - ro) >= rn) {
        c->used = c->used - ro + rn;
        return old;
    }
    void *p = pat_alloc(a, newn);
    if (p && old && oldn)
        memcpy(p, old, oldn);
    return p;
}

size_t pat_arena_used(const pat_arena *a, size_t *nchunks)
{
    size_t used = 0, n = 0;
    for (const pat_chunk *c = a->head; c; c = c->next) {
        used += c->used;
        n++;
    }
    if (nchunks)
        *nchunks = n;
    return used;
}

void pat_arena_free(pat_arena *a)
{
    pat_chunk *c = a->head;
    a->head = NULL;
    while (c) {
        pat_chunk *next = c->next;
        free(c);
        c = next;
    }
}
