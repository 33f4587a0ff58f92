/*
 * fuzz_text.c - libFuzzer target for the free-text parser (log_text.c) and
 * the observed-data of its records; also the format detection (AUTO) on
 * the same lines.
 *
 * Oracles (fuzz_log.h): results, well-formed fields; plus at most 1024
 * fields per line.
 */
#include "fuzz_log.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    ald_logparser *p = ald_logparser_new(ALD_LOG_TEXT);
    FZ_CHECK(p != NULL, "parser");
    fz_lines(p, data, size, true);
    const char *s = (const char *)data;
    ald_logrec r;
    struct ald_errpos e;
    FZ_CHECK(ald_logparser_line(p, s, size, &r, &e) == ALD_E_OK, "text never fails");
    FZ_CHECK(r.nfields <= 1024, "more than 1024 fields");
    ald_logparser_free(p);
    /* the detected format on the same input */
    p = ald_logparser_new(ALD_LOG_AUTO);
    fz_lines(p, data, size, false);
    ald_logparser_free(p);
    return 0;
}
