/*
 * vessel_state.h - what the live node keeps of each vessel across a
 * restart (lib/store/vessel_state.c): the gap detector's record (last fix
 * time and position, the fix times of its regularity test, whether the
 * silence was reported ongoing) and the static data last heard, in a local
 * table of the store (`vessel_state`, never a STIX object, never shared).
 * A socket source cannot re-read what came before a restart: with these
 * records a vessel silent across it yields its gap when heard again, and a
 * name change across it is still an identity change (docs/node.md).
 *
 * Every call uses the store handle's connection (one thread at a time, as
 * every store_* call) and runs inside the caller's transaction, if any.
 */
#ifndef ALIDADE_VESSEL_STATE_H
#define ALIDADE_VESSEL_STATE_H

#include <stddef.h>
#include <stdint.h>

#include "alidade/alidade.h"
#include "alidade/detect.h"
#include "alidade/error.h"
#include "alidade/store.h"
#include "alidade/track.h"

#ifdef __cplusplus
extern "C" {
#endif

struct vessel_state {
    struct det_vessel_state gap;     /* gap.mmsi is the vessel; gap.t its last fix */
    struct trk_static st;            /* static data last heard (st.t 0: none) */
};

/* Writes n records (insert or replace by MMSI). */
ALD_API ald_err vessel_state_put(store *s, const struct vessel_state *v, size_t n);
/* Calls fn on every record whose last fix is at or after since_ms, oldest
 * fix first; stops when fn returns non-zero. */
ALD_API ald_err vessel_state_each(store *s, int64_t since_ms,
                                  int (*fn)(void *ctx, const struct vessel_state *v),
                                  void *ctx);
/* Removes the records whose last fix is before before_ms; *removed (may be
 * NULL) says how many. */
ALD_API ald_err vessel_state_prune(store *s, int64_t before_ms, size_t *removed);
/* The newest last fix of any record (*t_ms INT64_MIN when there is none). */
ALD_API ald_err vessel_state_newest(store *s, int64_t *t_ms);

#ifdef __cplusplus
}
#endif
#endif
