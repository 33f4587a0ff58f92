/*
 * test_feed_clock.c - the live node's feed clock (src/feed_clock.h,
 * docs/node.md "The feed clock"): receive times ahead of the wall clock and
 * far behind the feed are not believed, a jump over max_jump is a
 * discontinuity (also from the clock a previous run saved), a live feed's
 * clock runs on with the wall clock (at most max_jump past its newest time)
 * while a replayed old capture keeps its own.
 */
#include "testutil.h"

#include "../../src/feed_clock.h"

#define H 3600000LL
#define MIN 60000LL
#define WALL 1795000000000LL          /* 2026-11-18, the "now" of these tests */

static void ahead_not_believed(void **state)
{
    (void)state;
    struct feed_clock c;
    int64_t from = 0;
    fc_init(&c, 0, FC_NONE);
    assert_int_equal(c.max_jump, FC_MAX_JUMP_MS);
    /* up to 10 min ahead of the wall clock is believed, beyond not */
    assert_int_equal(fc_hear(&c, WALL + 10 * MIN, WALL, &from), FC_OK);
    assert_int_equal(fc_hear(&c, WALL + 10 * MIN + 1, WALL, &from), FC_AHEAD);
    assert_int_equal(fc_hear(&c, WALL + 24 * H, WALL, &from), FC_AHEAD);
    /* and does not move the clock */
    assert_int_equal(c.newest, WALL + 10 * MIN);
}

static void behind_not_believed(void **state)
{
    (void)state;
    struct feed_clock c;
    int64_t from = 0;
    fc_init(&c, 3 * H, FC_NONE);
    assert_int_equal(fc_hear(&c, WALL, WALL, &from), FC_OK);
    /* reordering and satellite latency: up to max_jump behind is fine */
    assert_int_equal(fc_hear(&c, WALL - 3 * H, WALL, &from), FC_OK);
    assert_int_equal(fc_hear(&c, WALL - 3 * H - 1, WALL, &from), FC_BEHIND);
    assert_int_equal(fc_hear(&c, 1000, WALL, &from), FC_BEHIND);   /* c:1 */
    assert_int_equal(c.newest, WALL);
}

static void jump_is_discontinuity(void **state)
{
    (void)state;
    struct feed_clock c;
    int64_t from = 0;
    const int64_t y2012 = 1337000000000LL, y2025 = 1735689600000LL;
    fc_init(&c, 3 * H, FC_NONE);
    /* a 2012 capture, its times moving on */
    assert_int_equal(fc_hear(&c, y2012, WALL, &from), FC_OK);
    assert_int_equal(fc_hear(&c, y2012 + 2 * H, WALL, &from), FC_OK);
    /* exactly max_jump is not a jump, one ms more is */
    assert_int_equal(fc_hear(&c, y2012 + 5 * H, WALL, &from), FC_OK);
    assert_int_equal(fc_hear(&c, y2012 + 8 * H + 1, WALL, &from), FC_JUMP);
    assert_int_equal(from, y2012 + 5 * H);
    /* then the 2025 drill: a jump from the 2012 clock, which then follows */
    assert_int_equal(fc_hear(&c, y2025, WALL, &from), FC_JUMP);
    assert_int_equal(from, y2012 + 8 * H + 1);
    assert_int_equal(c.newest, y2025);
    assert_int_equal(fc_hear(&c, y2025 + MIN, WALL, &from), FC_OK);
    /* the 2012 capture again: behind, not believed */
    assert_int_equal(fc_hear(&c, y2012 + 3 * H, WALL, &from), FC_BEHIND);
}

static void resume_after_restart(void **state)
{
    (void)state;
    struct feed_clock c;
    int64_t from = 0;
    /* the previous run saved its clock: the first time far after it is a
     * jump, one near it (or before it: a re-read) is not */
    fc_init(&c, 3 * H, WALL - 10 * H);
    assert_int_equal(fc_hear(&c, WALL - 10 * H + 2 * H, WALL, &from), FC_OK);
    fc_init(&c, 3 * H, WALL - 10 * H);
    assert_int_equal(fc_hear(&c, WALL - 58 * H, WALL, &from), FC_OK);   /* warm-up */
    fc_init(&c, 3 * H, WALL - 10 * H);
    assert_int_equal(fc_hear(&c, WALL, WALL, &from), FC_JUMP);
    assert_int_equal(from, WALL - 10 * H);
    /* nothing saved: the first time sets the clock */
    fc_init(&c, 3 * H, FC_NONE);
    assert_true(fc_now(&c, WALL) == FC_NONE);
    assert_int_equal(fc_hear(&c, WALL - 1000 * H, WALL, &from), FC_OK);
}

static void live_runs_on_with_the_wall(void **state)
{
    (void)state;
    struct feed_clock c;
    int64_t from = 0;
    fc_init(&c, 3 * H, FC_NONE);
    /* a receiver stamping its lines 2 s before we read them */
    assert_int_equal(fc_hear(&c, WALL - 2000, WALL, &from), FC_OK);
    assert_true(fc_live(&c));
    assert_int_equal(fc_now(&c, WALL), WALL - 2000);
    assert_int_equal(fc_now(&c, WALL + 90 * MIN), WALL - 2000 + 90 * MIN);
    /* at most max_jump past the newest time: a silent feed says nothing */
    assert_int_equal(fc_now(&c, WALL + 10 * H), WALL - 2000 + 3 * H);
    /* the wall clock going back does not move the feed clock back */
    assert_int_equal(fc_now(&c, WALL - H), WALL - 2000);
}

static void replay_keeps_its_own_clock(void **state)
{
    (void)state;
    struct feed_clock c;
    int64_t from = 0;
    const int64_t y2025 = 1735689600000LL;
    fc_init(&c, 3 * H, FC_NONE);
    assert_int_equal(fc_hear(&c, y2025, WALL, &from), FC_OK);
    assert_false(fc_live(&c));
    /* a paused replay: its clock stands still */
    assert_int_equal(fc_now(&c, WALL + 5 * H), y2025);
    assert_int_equal(fc_hear(&c, y2025 + 6 * H, WALL + 6000, &from), FC_JUMP);
    assert_int_equal(fc_hear(&c, y2025 + 7 * H, WALL + 7000, &from), FC_OK);
    assert_int_equal(fc_now(&c, WALL + 5 * H), y2025 + 7 * H);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(ahead_not_believed),
        cmocka_unit_test(behind_not_believed),
        cmocka_unit_test(jump_is_discontinuity),
        cmocka_unit_test(resume_after_restart),
        cmocka_unit_test(live_runs_on_with_the_wall),
        cmocka_unit_test(replay_keeps_its_own_clock),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
