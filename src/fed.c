/*
 * fed.c - federation of `alidade serve` (node.h). Being written in this
 * session: until then no partner is pulled from or pushed to.
 */
#include "node.h"

ald_err fed_start(const struct node_env *env, fed **out, char *err, size_t errlen)
{
    (void)env;
    (void)err;
    (void)errlen;
    *out = NULL;
    return ALD_E_OK;
}

void fed_stop(fed *f)
{
    (void)f;
}
