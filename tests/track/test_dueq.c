/*
 * test_dueq.c - the tracker's due queue (lib/track/dueq.c) against a plain
 * model: random pushes within the window ahead of `now`, `now` moving on in
 * small steps and in jumps (a second, an hour, a window, years), and every
 * pop compared with the smallest (due, mmsi) of the model that is due.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "../../lib/track/dueq.h"

#define MODEL_MAX 20000

struct model {
    struct dueq_ent e[MODEL_MAX];
    size_t n;
};

static uint64_t rng = 0x9e3779b97f4a7c15ULL;
static uint64_t next(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}

/* Index of the model's first entry in (due, mmsi) order with due <= now. */
static ptrdiff_t model_first(const struct model *m, int64_t now)
{
    ptrdiff_t best = -1;
    for (size_t i = 0; i < m->n; i++) {
        if (m->e[i].due > now)
            continue;
        if (best < 0 || m->e[i].due < m->e[best].due
            || (m->e[i].due == m->e[best].due && m->e[i].mmsi < m->e[best].mmsi))
            best = (ptrdiff_t)i;
    }
    return best;
}

/* Pops everything due at `now` from both and compares them one by one. */
static void drain(dueq *q, struct model *m, int64_t now)
{
    struct dueq_ent got;
    for (;;) {
        ptrdiff_t want = model_first(m, now);
        bool have = dueq_pop(q, now, &got);
        assert_int_equal(have, want >= 0);
        if (!have)
            break;
        assert_int_equal(got.due, m->e[want].due);
        assert_int_equal(got.mmsi, m->e[want].mmsi);
        m->e[want] = m->e[--m->n];
    }
    assert_int_equal(q->count, m->n);
}

static void run(int64_t span, int steps)
{
    static struct model m;
    m.n = 0;
    dueq q;
    assert_true(dueq_init(&q, span));
    int64_t now = 1735689600000LL;
    drain(&q, &m, now);
    for (int s = 0; s < steps; s++) {
        unsigned pushes = (unsigned)(next() % 8);
        for (unsigned k = 0; k < pushes && m.n < MODEL_MAX; k++) {
            /* due in (now, now + span], whole seconds half of the time, and
             * MMSIs from a small set so that equal dues tie often */
            int64_t due = now + 1 + (int64_t)(next() % (uint64_t)span);
            if (next() & 1)
                due = due / 1000 * 1000 + 1000;
            if (due > now + span)
                due = now + span;
            if (due <= now)
                continue;
            uint32_t mmsi = 200000000u + (uint32_t)(next() % 50);
            assert_true(dueq_push(&q, due, mmsi, (uint32_t)s));
            m.e[m.n++] = (struct dueq_ent){ due, mmsi, (uint32_t)s };
        }
        uint64_t r = next() % 1000;
        if (r < 900)
            now += (int64_t)(next() % 3000);            /* a few seconds */
        else if (r < 990)
            now += (int64_t)(next() % (uint64_t)(span + 1));
        else if (r < 998)
            now += 3600 * 1000;                          /* an hour */
        else
            now += 13LL * 365 * 24 * 3600 * 1000;        /* a 13-year jump */
        drain(&q, &m, now);
    }
    /* the rest, in order */
    drain(&q, &m, INT64_MAX / 2);
    assert_int_equal(q.count, 0);
    dueq_clear(&q);
    assert_true(dueq_bytes(&q) > 0);
    dueq_free(&q);
}

static void test_reorder_window(void **state)
{
    (void)state;
    run(10 * 60 * 1000, 20000);          /* the default 10 minutes */
}

static void test_short_window(void **state)
{
    (void)state;
    run(1, 5000);                        /* 1 ms: every due in one bucket */
    run(1500, 5000);
}

static void test_long_window(void **state)
{
    (void)state;
    run(2000000000LL, 5000);             /* the tracker's largest (23 days) */
    run(7LL * 24 * 3600 * 1000, 5000);
}

/* Entries of several laps in one slot leave by lap: an entry a full lap
 * of buckets later shares the slot of an earlier one. */
static void test_laps(void **state)
{
    (void)state;
    dueq q;
    assert_true(dueq_init(&q, 600000));
    int64_t w = q.width, base = 1000 * w;
    assert_true(dueq_pop(&q, base, &(struct dueq_ent){0}) == false);
    assert_true(dueq_push(&q, base + 1024 * w + 5, 7, 0));   /* a lap later */
    assert_true(dueq_push(&q, base + 5, 9, 1));
    assert_true(dueq_push(&q, base + 2 * w, 1, 2));
    struct dueq_ent e;
    assert_false(dueq_pop(&q, base + 4, &e));
    assert_true(dueq_pop(&q, base + 2000 * w, &e));
    assert_int_equal(e.mmsi, 9);
    assert_true(dueq_pop(&q, base + 2000 * w, &e));
    assert_int_equal(e.mmsi, 1);
    assert_true(dueq_pop(&q, base + 2000 * w, &e));
    assert_int_equal(e.mmsi, 7);
    assert_false(dueq_pop(&q, base + 2000 * w, &e));
    dueq_free(&q);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_reorder_window),
        cmocka_unit_test(test_short_window),
        cmocka_unit_test(test_long_window),
        cmocka_unit_test(test_laps),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
