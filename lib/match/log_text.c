/*
 * log_text.c - observables in free text lines: not written yet; every line
 * is reported as unsupported until it is.
 */
#include "match/logpriv.h"

ald_err lp_text_line(ald_logparser *p, const char *s, size_t n, ald_logrec *rec,
                     struct ald_errpos *err)
{
    (void)p, (void)s, (void)n, (void)rec;
    return lp_fail(err, 0, "text logs are not supported yet");
}
