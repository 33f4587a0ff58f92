/*
 * fuzz_stream.c - libFuzzer target for the AIS stream decoder: the input is a
 * text capture, fed line by line to an ais_decoder; every decoded message is
 * written as scaled and unscaled JSON and as CSV, and checked (fuzz_check.h).
 *
 * Byte 0 of the input is a configuration byte, the rest is the text:
 *   bit 0      split24 (emit type 24 parts A and B separately)
 *   bit 1      tiny limits: max_pending 1-4 (bits 2-3), orphan_lines 1-8
 *              (bits 4-6), so eviction and orphan expiry run all the time
 *   bit 2      (without bit 1) set a default source label
 *   bit 7      lines starting with '~' go to ais_decoder_reject_line()
 * Messages are re-formatted with caps of n-1, n and n+1 bytes in turn.
 *   bit 3      also walk ais_decoder_source_count() at the end
 * Each line is copied to the very end of a heap buffer, so a read past the
 * `len` given to ais_decoder_feed() is an ASan error.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "alidade/ais.h"
#include "fuzz_check.h"

struct fz_stream {
    char *json;              /* AIS_LINE_MAX */
    char *csv;               /* AIS_LINE_MAX */
    bool split24;
    uint64_t nmsg;           /* on_msg calls */
    uint64_t nbad;           /* on_bad calls */
    uint32_t codes;          /* bit e set: on_bad saw code e during this feed */
    unsigned sum;            /* keeps reads of callback data alive */
};

static void fz_on_msg(void *ctx, const struct ais_msg *m, const struct ais_meta *meta)
{
    struct fz_stream *z = ctx;
    z->nmsg++;
    FZ_CHECK(m->type >= 1 && m->type <= 27, "on_msg: message type out of 1-27");
    FZ_CHECK(meta->nfrags >= 1, "on_msg: nfrags is 0");
    FZ_CHECK(meta->line_no >= 1, "on_msg: line_no is 0");
    if (m->type == 24 && !z->split24)
        FZ_CHECK(m->u.t24.part == AIS_PART_BOTH, "on_msg: type 24 part without split24");
    if (meta->source)
        z->sum += (unsigned)strlen(meta->source);
    z->sum += (unsigned char)meta->talker[0] + (unsigned char)meta->talker[1];
    FZ_CHECK(memchr(meta->talker, 0, sizeof meta->talker) != NULL, "talker not terminated");

    int delta = (int)(z->nmsg % 3) - 1;         /* caps n-1, n, n+1 */
    fz_check_json(m, true, "stdin", z->json, delta);
    fz_check_json(m, false, NULL, z->json, -delta);
    fz_check_csv(m, meta, z->csv, delta);
    if (meta->time_ms != AIS_TIME_NONE) {
        char t[40];
        size_t n = ais_format_time(meta->time_ms, t, sizeof t);
        FZ_CHECK(n == 0 || (n < sizeof t && t[n] == '\0'), "ais_format_time");
    }
}

static void fz_on_bad(void *ctx, const struct ald_errpos *e, const char *line, size_t len,
                      size_t line_no)
{
    struct fz_stream *z = ctx;
    z->nbad++;
    FZ_CHECK(e->code > ALD_E_OK && e->code < ALD_E__COUNT, "on_bad: code out of range");
    FZ_CHECK(memchr(e->msg, 0, sizeof e->msg) != NULL, "on_bad: msg not terminated");
    FZ_CHECK(line_no >= 1, "on_bad: line_no is 0");
    z->sum += (unsigned)strlen(e->msg);
    z->sum += (unsigned)strlen(ald_errname(e->code)) + (unsigned)strlen(ald_strerror(e->code));
    for (size_t i = 0; i < len; i++)      /* the whole reported line is readable */
        z->sum += (unsigned char)line[i];
    z->codes |= 1u << ((unsigned)e->code & 31);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0)
        return 0;
    uint8_t cfg = data[0];
    data++;
    size--;

    struct ais_decoder_opts opts = {.split24 = (cfg & 1) != 0};
    if (cfg & 2) {
        opts.max_pending = 1 + ((cfg >> 2) & 3);
        opts.orphan_lines = 1 + ((cfg >> 4) & 7);
    }
    struct fz_stream z = {.split24 = opts.split24};
    z.json = malloc(AIS_LINE_MAX);
    z.csv = malloc(AIS_LINE_MAX);
    ais_decoder *d = ais_decoder_new(&opts);
    FZ_CHECK(z.json && z.csv && d, "out of memory");
    ais_decoder_set_cb(d, fz_on_msg, fz_on_bad, &z);
    if (!(cfg & 2) && (cfg & 4))
        ais_decoder_set_default_source(d, "fuzz.nmea");

    char *buf = malloc(size ? size : 1);
    FZ_CHECK(buf != NULL, "out of memory");
    size_t start = 0;
    while (start < size) {
        const uint8_t *nl = memchr(data + start, '\n', size - start);
        size_t len = nl ? (size_t)(nl - (data + start)) : size - start;
        char *line = buf + (size - len);      /* ends where the buffer ends */
        memmove(line, data + start, len);
        if ((cfg & 0x80) && len > 0 && line[0] == '~') {
            ais_decoder_reject_line(d, ALD_E_NMEA_TOO_LONG, "line longer than 65536 bytes",
                                    line, len);
        } else {
            z.codes = 0;
            ald_err ret = ais_decoder_feed(d, line, len);
            /* the code returned was counted and reported through on_bad */
            if (ret != ALD_E_OK)
                FZ_CHECK(z.codes & (1u << ((unsigned)ret & 31)),
                         "feed returned an error it did not report");
        }
        start += len + 1;
    }
    free(buf);
    ais_decoder_finish(d);

    const struct ais_stats *st = ais_decoder_stats(d);
    uint64_t by_type = 0;
    for (int i = 0; i < 32; i++)
        by_type += st->by_type[i];
    FZ_CHECK(by_type == st->messages, "stats: by_type does not add up to messages");
    FZ_CHECK(z.nmsg <= st->messages, "stats: more callbacks than messages");
    if (opts.split24)
        FZ_CHECK(z.nmsg == st->messages, "stats: a decoded message was not delivered");
    FZ_CHECK(st->fragments <= st->sentences, "stats: fragments > sentences");
    uint64_t nsrc = 0;
    const char *name;
    uint64_t count;
    for (size_t i = 0; (cfg & 8) && ais_decoder_source_count(d, i, &name, &count); i++) {
        FZ_CHECK(name != NULL, "source_count: NULL name");
        z.sum += (unsigned)strlen(name);
        nsrc += count;
        FZ_CHECK(i < 1000000, "source_count: endless");
    }
    FZ_CHECK(nsrc <= st->messages, "source counts exceed messages");

    ais_decoder_free(d);
    free(z.json);
    free(z.csv);
    return 0;
}
