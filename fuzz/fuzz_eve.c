/*
 * fuzz_eve.c - libFuzzer target for the Suricata EVE parser (log_eve.c over
 * jscan.c) and the observed-data of its records (observed.c).
 *
 * The input is lines; each goes to one EVE parser (fuzz_log.h oracles:
 * results, positions, well-formed fields, observed-data JSON). Then the
 * first line is compared with jansson: a line jansson reads as an object
 * must not be "not JSON" for jscan (unless nested deeper than jscan's 128),
 * and an ASCII line without \u escapes that jscan accepts must be JSON for
 * jansson (unless jansson cannot hold one of its numbers).
 */
#include "fuzz_log.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    ald_logparser *p = ald_logparser_new(ALD_LOG_EVE);
    FZ_CHECK(p != NULL, "parser");
    fz_lines(p, data, size, true);

    const char *s = (const char *)data;
    const char *nl = memchr(s, '\n', size);
    size_t n = nl ? (size_t)(nl - s) : size;
    if (n && s[n - 1] == '\r')
        n--;
    ald_logrec r;
    struct ald_errpos e;
    ald_err rc = ald_logparser_line(p, s, n, &r, &e);
    json_error_t je;
    json_t *j = json_loadb(s, n, JSON_ALLOW_NUL, &je);
    if (j && json_is_object(j) && rc == ALD_E_LOG_LINE) {
        bool deep = strstr(e.msg, "nested too deep") != NULL;
        bool bom = n >= 3 && (unsigned char)s[0] == 0xEF;
        /* a raw NUL byte is not JSON (RFC 8259); jansson's buffer reader
         * takes it for the end of input in places and reads on: jscan is
         * right to refuse it */
        bool nul = memchr(s, '\0', n) != NULL;
        if (!deep && !bom && !nul && strncmp(e.msg, "not JSON", 8) == 0) {
            fprintf(stderr, "jansson reads it, jscan: %s at %zu\n", e.msg, e.offset);
            FZ_CHECK(false, "jscan rejects JSON");
        }
    }
    bool ascii = true;
    for (size_t i = 0; i < n && ascii; i++)
        ascii = data[i] < 0x80;
    if (rc == ALD_E_OK && ascii && !memmem(s, n, "\\u", 2) && n && r.type) {
        bool blank = true;
        for (size_t i = 0; i < n && blank; i++)
            blank = s[i] == ' ' || s[i] == '\t';
        if (!j && !blank && !strstr(je.text, "too big") && !strstr(je.text, "overflow")) {
            fprintf(stderr, "jscan accepts, jansson: %s (column %d)\n", je.text, je.column);
            FZ_CHECK(false, "jscan accepts what is not JSON");
        }
    }
    json_decref(j);
    ald_logparser_free(p);
    return 0;
}
