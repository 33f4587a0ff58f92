/*
 * error.c - messages and names for the ald_err codes, built from the single
 * ALD_ERRNO_MAP list in include/alidade/error.h.
 */
#include "alidade/error.h"

const char *ald_strerror(ald_err e)
{
    switch (e) {
#define ALD_ERR_MSG(name, num, msg) case ALD_E_##name: return msg;
    ALD_ERRNO_MAP(ALD_ERR_MSG)
#undef ALD_ERR_MSG
    case ALD_E__COUNT:
        break;
    }
    return "unknown error";
}

const char *ald_errname(ald_err e)
{
    switch (e) {
#define ALD_ERR_NAME(name, num, msg) case ALD_E_##name: return #name;
    ALD_ERRNO_MAP(ALD_ERR_NAME)
#undef ALD_ERR_NAME
    case ALD_E__COUNT:
        break;
    }
    return "UNKNOWN";
}
