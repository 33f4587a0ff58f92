/*
 * spoof.c - PLACEHOLDER: this detector is being written; it reports nothing yet.
 */
#include "detect/internal.h"

static void *create(const struct det_config *cfg, const struct det_geo *geo,
                    det_emit_fn emit, void *engine)
{
    (void)cfg; (void)geo; (void)emit; (void)engine;
    return calloc(1, 1);
}

static void fix(void *self, const struct trk_fix *f, const struct trk_static *st)
{
    (void)self; (void)f; (void)st;
}

static void finish(void *self)
{
    (void)self;
}

static void destroy(void *self)
{
    free(self);
}

const struct det_ops det_spoof_ops = {"spoof", create, fix, NULL, finish, destroy};
