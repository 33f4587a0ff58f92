/*
 * internal.h - how a detector plugs into the engine (lib/detect/engine.c):
 * one `struct det_ops` row per detector file, as Suricata registers its
 * keywords. Every detector sees every fix (and every static-data change) in
 * time order and reports events through `emit`.
 */
#ifndef ALD_DETECT_INTERNAL_H
#define ALD_DETECT_INTERNAL_H

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "alidade/detect.h"

/* Reports one event; the engine counts it and passes it to the user. */
typedef void (*det_emit_fn)(void *engine, const struct det_event *e);

struct det_ops {
    const char *name;
    /* Returns the detector's state, NULL when out of memory. */
    void *(*create)(const struct det_config *cfg, const struct det_geo *geo,
                    det_emit_fn emit, void *engine);
    void (*fix)(void *self, const struct trk_fix *f, const struct trk_static *st);
    /* optional: static-data changes */
    void (*stat)(void *self, uint32_t mmsi, const struct trk_static *before,
                 const struct trk_static *after, int64_t t);
    /* end of stream: emit what is still open and qualifies */
    void (*finish)(void *self);
    void (*destroy)(void *self);
};

extern const struct det_ops det_gap_ops;
extern const struct det_ops det_encounter_ops;
extern const struct det_ops det_loiter_ops;
extern const struct det_ops det_spoof_ops;      /* teleport, clash, invalid MMSI, identity */

/* The configuration with every zero field replaced by its default. */
void det_config_defaults(struct det_config *out, const struct det_config *in);

/* An event with every double NAN, likely_disabling -1, strings empty. */
void det_event_init(struct det_event *e, enum det_kind kind, uint32_t mmsi);

/* Degrees of an AIS position unit value. */
static inline double det_deg(int32_t v)
{
    return v / (double)TRK_DEG;
}

#endif
