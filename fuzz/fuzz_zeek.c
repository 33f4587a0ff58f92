/*
 * fuzz_zeek.c - libFuzzer target for the Zeek parsers (log_zeek.c): TSV
 * with its header and JSON, and the observed-data of their records.
 *
 * Byte 0 chooses: bit 0 TSV (0) or JSON (1), bit 1 a caller path ("dns")
 * or none. The rest is lines, fed to one parser (fuzz_log.h oracles), so
 * header lines change how later rows are read.
 */
#include "fuzz_log.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    ald_logparser *p = ald_logparser_new(data[0] & 1 ? ALD_LOG_ZEEK_JSON : ALD_LOG_ZEEK_TSV);
    FZ_CHECK(p != NULL, "parser");
    if (data[0] & 2)
        FZ_CHECK(ald_logparser_set_zeek_path(p, "dns") == ALD_E_OK, "set path");
    fz_lines(p, data + 1, size - 1, true);
    ald_logparser_free(p);
    return 0;
}
