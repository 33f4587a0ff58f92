/*
 * ingest.c - live ingest of `alidade serve` (node.h). Being written in this
 * session: until then a node with --source refuses to start.
 */
#include <stdio.h>

#include "node.h"

ald_err ingest_start(const struct node_env *env, ingest **out, char *err, size_t errlen)
{
    *out = NULL;
    if (env->o->nsources == 0)
        return ALD_E_OK;
    snprintf(err, errlen, "--source: live ingest is not available in this build yet");
    return ALD_E_ARG;
}

void ingest_stop(ingest *in)
{
    (void)in;
}
