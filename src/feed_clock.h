/*
 * feed_clock.h - the live node's feed clock (docs/node.md "The feed
 * clock"): what time it is on the sea according to the AIS feeds, which the
 * detectors' live clock (det_tick) and the judgement of receive times
 * follow. Header-only and pure (the wall clock is passed in) so that it is
 * tested alone (tests/node/test_feed_clock.c).
 *
 * - The feed clock is the newest receive time heard. For a live feed (that
 *   time was within max_jump of the wall clock when heard) it runs on with
 *   the wall clock while nothing is heard, at most max_jump past the newest
 *   time (a feed silent longer says nothing: see jumps). A replayed old
 *   capture keeps its own clock: it moves only with its data, so a paused
 *   replay makes no vessel silent.
 * - A receive time more than `ahead` after the wall clock is not believed
 *   (a receiver's clock that is wrong, a local time sent as UTC): the
 *   message is dropped and counted.
 * - A receive time more than max_jump before the feed clock is not believed
 *   either (one old timestamp, or an older capture replayed after a newer
 *   one): dropped and counted. A node keeps the newest timeline.
 * - A receive time more than max_jump after the feed clock (or, for the
 *   first one after a restart, after the clock the previous run saved) is a
 *   jump: a feed discontinuity. It is believed and the clock follows, but
 *   no silence spanning it is a gap (nothing was heard in between; the
 *   caller tells the detectors: det_discontinuity).
 */
#ifndef ALD_SRC_FEED_CLOCK_H
#define ALD_SRC_FEED_CLOCK_H

#include <stdbool.h>
#include <stdint.h>

#define FC_NONE INT64_MIN
#define FC_AHEAD_MS (10LL * 60 * 1000)          /* tolerance ahead of the wall clock */
#define FC_MAX_JUMP_MS (3LL * 3600 * 1000)      /* --max-clock-jump default: 3 h */

struct feed_clock {
    int64_t max_jump;       /* ms */
    int64_t ahead;          /* ms */
    int64_t newest;         /* newest believed receive time (ms), FC_NONE */
    int64_t newest_wall;    /* the wall clock (ms) when it was heard */
    int64_t resume;         /* the clock a previous run saved, FC_NONE */
};

enum fc_verdict {
    FC_OK,                  /* believed */
    FC_JUMP,                /* believed, a discontinuity from *from to it */
    FC_AHEAD,               /* after the wall clock: not believed */
    FC_BEHIND,              /* far before the feed clock: not believed */
};

static inline void fc_init(struct feed_clock *c, int64_t max_jump_ms, int64_t resume_ms)
{
    c->max_jump = max_jump_ms > 0 ? max_jump_ms : FC_MAX_JUMP_MS;
    c->ahead = FC_AHEAD_MS;
    c->newest = FC_NONE;
    c->newest_wall = 0;
    c->resume = resume_ms;
}

/* Judges receive time t heard at wall_ms and moves the clock; on FC_JUMP,
 * *from is the clock before the jump. */
static inline enum fc_verdict fc_hear(struct feed_clock *c, int64_t t, int64_t wall_ms,
                                      int64_t *from)
{
    if (t > wall_ms + c->ahead)
        return FC_AHEAD;
    if (c->newest != FC_NONE && t < c->newest - c->max_jump)
        return FC_BEHIND;
    enum fc_verdict v = FC_OK;
    int64_t ref = c->newest != FC_NONE ? c->newest : c->resume;
    if (ref != FC_NONE && t - ref > c->max_jump) {
        *from = ref;
        v = FC_JUMP;
    }
    if (c->newest == FC_NONE || t > c->newest) {
        c->newest = t;
        c->newest_wall = wall_ms;
    }
    return v;
}

/* True when the feed is live: its newest time was within max_jump of the
 * wall clock when it was heard. */
static inline bool fc_live(const struct feed_clock *c)
{
    return c->newest != FC_NONE && c->newest_wall - c->newest <= c->max_jump;
}

/* The feed clock at wall_ms (FC_NONE before anything was heard). */
static inline int64_t fc_now(const struct feed_clock *c, int64_t wall_ms)
{
    if (c->newest == FC_NONE)
        return FC_NONE;
    int64_t since = wall_ms - c->newest_wall;
    if (!fc_live(c) || since <= 0)
        return c->newest;
    return c->newest + (since < c->max_jump ? since : c->max_jump);
}

#endif
