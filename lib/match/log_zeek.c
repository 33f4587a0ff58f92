/*
 * log_zeek.c - Zeek logs (TSV with their header, and JSON): not written
 * yet; every line is reported as unsupported until it is.
 */
#include "match/logpriv.h"

#include <stdlib.h>
#include <string.h>

void lp_zeek_tsv_reset(struct zeek_tsv *t)
{
    memset(t, 0, sizeof *t);
}

void lp_zeek_tsv_free(struct zeek_tsv *t)
{
    free(t->names);
    free(t->cols);
}

ald_err lp_zeek_tsv_line(ald_logparser *p, const char *s, size_t n, ald_logrec *rec,
                         struct ald_errpos *err)
{
    (void)p, (void)s, (void)n, (void)rec;
    return lp_fail(err, 0, "Zeek logs are not supported yet");
}

ald_err lp_zeek_json_line(ald_logparser *p, const char *s, size_t n, ald_logrec *rec,
                          struct ald_errpos *err)
{
    (void)p, (void)s, (void)n, (void)rec;
    return lp_fail(err, 0, "Zeek logs are not supported yet");
}
