/*
 * web.c - the dashboard of `alidade serve` (node.h). Being written in this
 * session: until then the server-rendered page of lib/taxii/dashboard.c
 * answers GET / on loopback.
 */
#include "node.h"

ald_err web_new(const struct node_env *env, web **out, char *err, size_t errlen)
{
    (void)env;
    (void)err;
    (void)errlen;
    *out = NULL;
    return ALD_E_OK;
}

void web_free(web *w)
{
    (void)w;
}

bool web_answer(web *w, struct MHD_Connection *conn, const struct web_request *rq,
                enum MHD_Result *ret)
{
    (void)w;
    (void)conn;
    (void)rq;
    (void)ret;
    return false;
}
