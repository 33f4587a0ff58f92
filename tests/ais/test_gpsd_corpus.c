/*
 * test_gpsd_corpus.c - every real capture in ../shared/data/ais against
 * gpsd's own decoder: tests/data/ais/gpsd327/ holds what gpsdecode -j
 * (gpsd 3.27.5) prints for each file (regenerate with
 * tests/ais/gen_gpsd_expected.sh). Every message gpsd prints must come out of
 * alidade, in the same order, byte for byte. alidade decodes some messages
 * gpsd loses (listed per file below, explained in docs/ais.md): those extras
 * are counted and must be exactly the documented number.
 */
#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>
#include <zstd.h>

struct corpus_file {
    const char *input;   /* under ../shared/data/ais */
    unsigned extra;      /* messages alidade decodes and gpsd does not */
};

/* Why each extra exists: docs/ais.md, "Where alidade and gpsd differ". */
static const struct corpus_file corpus[] = {
    {"gpsd/ais-18-27.log", 0},
    {"gpsd/ais-nmea-type6-fid55.log", 0},
    {"gpsd/ais-raw-messages.log", 0},
    {"gpsd/ais_unpack_sixbit.log", 0},
    {"gpsd/sample.aivdm", 0},
    {"libais/test.aivdm", 0},
    {"pyais/ais_test_messages", 1},           /* last line has no newline */
    {"pyais/gatehouse.nmea", 0},
    {"pyais/messages.ais", 1},                /* last line has no newline */
    {"pyais/mixed.txt", 0},
    {"pyais/nmea_data_sample.txt", 1},        /* sentence after an empty one */
    {"pyais/timestamped.ais", 0},
    {"gfw-ais-tools/bad-tagblock-group.nmea", 1},  /* multipart with a bad g: */
    {"gfw-ais-tools/bad-type5.nmea", 1},      /* two units on one line */
    {"gfw-ais-tools/ee-multiline.nmea", 0},
    {"gfw-ais-tools/errors.nmea", 1},         /* sentence after a bad checksum */
    {"gfw-ais-tools/mixed_types.nmea", 1},    /* last line has no newline */
    {"gfw-ais-tools/multi-part.nmea", 0},
    {"gfw-ais-tools/sample.nmea", 1},         /* last line has no newline */
    {"gfw-ais-tools/single-message-type-5.nmea", 0},
    {"gfw-ais-tools/spire-test.nmea", 1},     /* two units on one line */
    {"gfw-ais-tools/type1-bad-bitcount.nmea", 0},
    {"gfw-ais-tools/type8.nmea", 0},
    {"amsa-risky/exact-earth-augmented-2.txt", 0},
    {"amsa-risky/exact-earth-augmented.txt", 0},
    {"amsa-risky/exact-earth-with-tag-block.txt", 1}, /* last line, no newline */
    {"amsa-risky/nmea-timestamped.txt", 1},   /* last line has no newline */
    {"amsa-risky/ais.txt.gz", 64},            /* interleaved multipart */
};

static char *read_gz(const char *path, size_t *len)
{
    gzFile g = gzopen(path, "rb");
    if (!g)
        return NULL;
    size_t cap = 1 << 20, n = 0;
    char *buf = malloc(cap + 1);
    int r;
    while ((r = gzread(g, buf + n, (unsigned)(cap - n))) > 0) {
        n += (size_t)r;
        if (n == cap) {
            cap *= 2;
            buf = realloc(buf, cap + 1);
        }
    }
    gzclose(g);
    buf[n] = '\0';
    *len = n;
    return buf;
}

static char *read_zst(const char *path)
{
    size_t clen;
    char *c = tu_read_file(path, &clen);
    if (!c)
        return NULL;
    ZSTD_DCtx *dc = ZSTD_createDCtx();
    size_t cap = 1 << 20;
    char *out = malloc(cap + 1);
    ZSTD_inBuffer in = {c, clen, 0};
    ZSTD_outBuffer o = {out, cap, 0};
    while (in.pos < in.size) {
        size_t rc = ZSTD_decompressStream(dc, &o, &in);
        assert_false(ZSTD_isError(rc));
        if (o.pos == o.size) {
            cap *= 2;
            out = realloc(out, cap + 1);
            o.dst = out;
            o.size = cap;
        }
    }
    out[o.pos] = '\0';
    ZSTD_freeDCtx(dc);
    free(c);
    return out;
}

/* Next line of *p (without '\n'); returns false at the end. */
static bool next_line(const char **p, const char **s, size_t *n)
{
    if (!**p)
        return false;
    const char *nl = strchr(*p, '\n');
    *s = *p;
    *n = nl ? (size_t)(nl - *p) : strlen(*p);
    *p = nl ? nl + 1 : *p + *n;
    return true;
}

static void check_file(const struct corpus_file *cf)
{
    char rel[512], exp_rel[512];
    snprintf(rel, sizeof rel, "ais/%s", cf->input);
    const char *in_path = tu_shared(rel);
    if (!in_path) {
        print_message("skipped %s: ../shared/data absent\n", rel);
        return;
    }
    size_t len;
    char *in = strstr(in_path, ".gz") ? read_gz(in_path, &len) : tu_read_file(in_path, &len);
    assert_non_null(in);

    snprintf(exp_rel, sizeof exp_rel, "ais/gpsd327/%s", cf->input);
    for (char *c = exp_rel + strlen("ais/gpsd327/"); *c; c++)
        if (*c == '/')
            *c = '_';
    strcat(exp_rel, ".json.zst");
    char *want = read_zst(tu_testdata(exp_rel));
    assert_non_null(want);

    char *got = tu_decode_json(in, len, true, "stdin", false);
    const char *wp = want, *gp = got, *ws = NULL, *gs = NULL;
    size_t wn = 0, gn = 0;
    unsigned matched = 0, extra = 0, wanted = 0;
    bool have_w = next_line(&wp, &ws, &wn);
    while (have_w) {
        if (!next_line(&gp, &gs, &gn)) {
            print_error("%s: gpsd message %u never came out of alidade:\n gpsd: %.*s\n",
                        cf->input, wanted + 1, (int)wn, ws);
            fail();
        }
        if (gn == wn && memcmp(gs, ws, wn) == 0) {
            matched++;
            wanted++;
            have_w = next_line(&wp, &ws, &wn);
        } else {
            extra++;
            if (extra > cf->extra) {
                print_error("%s: alidade printed a message gpsd does not (extra %u of %u "
                            "documented), while gpsd's next is:\n gpsd:    %.*s\n alidade: %.*s\n",
                            cf->input, extra, cf->extra, (int)wn, ws, (int)gn, gs);
                fail();
            }
        }
    }
    while (next_line(&gp, &gs, &gn))
        extra++;
    if (extra != cf->extra) {
        print_error("%s: %u extra messages, %u documented\n", cf->input, extra, cf->extra);
        fail();
    }
    print_message("%-45s %6u messages equal to gpsd's, %u more decoded\n", cf->input, matched,
                  extra);
    free(in);
    free(want);
    free(got);
}

static void whole_corpus(void **state)
{
    (void)state;
    if (!tu_shared("ais/SOURCES.md")) {
        print_message("skipped: ../shared/data/ais absent\n");
        skip();
    }
    for (size_t i = 0; i < sizeof corpus / sizeof corpus[0]; i++)
        check_file(&corpus[i]);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(whole_corpus),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
