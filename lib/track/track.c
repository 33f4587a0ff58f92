/*
 * track.c - PLACEHOLDER: the tracker is being written; it accepts nothing yet.
 */
#include <math.h>
#include <stdlib.h>

#include "alidade/track.h"

struct trk_tracker {
    struct trk_stats st;
};

trk_tracker *trk_new(const struct trk_opts *opts)
{
    (void)opts;
    return calloc(1, sizeof(trk_tracker));
}

void trk_free(trk_tracker *t)
{
    free(t);
}

void trk_set_cb(trk_tracker *t, trk_fix_cb on_fix, trk_static_cb on_static, void *ctx)
{
    (void)t; (void)on_fix; (void)on_static; (void)ctx;
}

void trk_feed(trk_tracker *t, const struct ais_msg *m, const struct ais_meta *meta)
{
    (void)m; (void)meta;
    t->st.messages++;
}

void trk_finish(trk_tracker *t)
{
    (void)t;
}

const struct trk_stats *trk_stats(const trk_tracker *t)
{
    return &t->st;
}

size_t trk_bytes_per_vessel(void)
{
    return 0;
}

double trk_distance_km(int32_t lat1, int32_t lon1, int32_t lat2, int32_t lon2)
{
    (void)lat1; (void)lon1; (void)lat2; (void)lon2;
    return NAN;
}
