/*
 * test_stream.c - the stream decoder (lib/ais/stream.c) through the public
 * ais_decoder API: multipart reassembly in any order, bounded buffering,
 * receive times, metadata, statistics. Lines are copied from the files
 * named in the comments (under ../shared/data/ais); "derived" lines are a
 * real line with one field changed and the checksum recomputed.
 */
#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alidade/ais.h"

/* ---- a sink that keeps copies of what the decoder reports ---- */

#define SINK_MAX 64

struct got_msg {
    struct ais_msg msg;
    int64_t time_ms;
    char source[64];
    bool has_source;
    char channel;
    char talker[3];
    bool own;
    size_t line_no;
    unsigned nfrags;
};

struct got_bad {
    ald_err code;
    size_t offset;
    unsigned col, line;
    size_t line_no;
    char text[256];
};

struct sink {
    unsigned nmsg, nbad;
    struct got_msg m[SINK_MAX];
    struct got_bad b[SINK_MAX];
};

static void on_msg(void *ctx, const struct ais_msg *msg, const struct ais_meta *meta)
{
    struct sink *k = ctx;
    assert_true(k->nmsg < SINK_MAX);
    struct got_msg *g = &k->m[k->nmsg++];
    g->msg = *msg;
    g->time_ms = meta->time_ms;
    g->has_source = meta->source != NULL;
    snprintf(g->source, sizeof g->source, "%s", meta->source ? meta->source : "");
    g->channel = meta->channel;
    memcpy(g->talker, meta->talker, 3);
    g->own = meta->own;
    g->line_no = meta->line_no;
    g->nfrags = meta->nfrags;
}

static void on_bad(void *ctx, const struct ald_errpos *err, const char *line, size_t len,
                   size_t line_no)
{
    struct sink *k = ctx;
    assert_true(k->nbad < SINK_MAX);
    struct got_bad *g = &k->b[k->nbad++];
    g->code = err->code;
    g->offset = err->offset;
    g->col = err->col;
    g->line = err->line;
    g->line_no = line_no;
    snprintf(g->text, sizeof g->text, "%.*s", (int)len, line);
}

static struct sink K;

static ais_decoder *new_dec(const struct ais_decoder_opts *o)
{
    memset(&K, 0, sizeof K);
    ais_decoder *d = ais_decoder_new(o);
    assert_non_null(d);
    ais_decoder_set_cb(d, on_msg, on_bad, &K);
    return d;
}

static ald_err feed(ais_decoder *d, const char *line)
{
    return ais_decoder_feed(d, line, strlen(line));
}

static void feed_all(ais_decoder *d, const char *const *lines, size_t n)
{
    for (size_t i = 0; i < n; i++)
        feed(d, lines[i]);
}

static const struct ais_stats *stats(ais_decoder *d)
{
    return ais_decoder_stats(d);
}

/* Count of `name` in the per-source table, or -1 when absent. */
static long long source_count(ais_decoder *d, const char *name)
{
    const char *n;
    uint64_t c;
    for (size_t i = 0; ais_decoder_source_count(d, i, &n, &c); i++)
        if (strcmp(n, name) == 0)
            return (long long)c;
    return -1;
}

#define N(a) (sizeof(a) / sizeof(a)[0])

/* ---- real multipart messages ---- */

/* gfw-ais-tools/multi-part.nmea lines 79-80: type 5, seq 1, channel B */
static const char M1_1[] = "!AIVDM,2,1,1,B,5815M202=g3QKL7;GO1=DpqV1HT=@u9V2222221@B`SF:5Pg0F5PCPkmEQD`,0*45";
static const char M1_2[] = "!AIVDM,2,2,1,B,40m88888880,2*77";
#define M1_MMSI 538008840u    /* "SUNNY VICTORY", callsign V7A2570 */
/* gfw-ais-tools/multi-part.nmea lines 81-82: type 5, seq 2, channel B */
static const char M2_1[] = "!AIVDM,2,1,2,B,56:`W9@000000000000<PDpN1PTpN1TuF3KH001@60:655ORD73PCQjRCQh0,0*0E";
static const char M2_2[] = "!AIVDM,2,2,2,B,0000000000<,2*29";
/* gfw-ais-tools/multi-part.nmea lines 85-86: type 5, seq 4, channel B */
static const char M3_1[] = "!AIVDM,2,1,4,B,53JtTd42C2owTP7?C;=04iF0hpN222222222221AM@tHD5W51GhE30CU2@p3,0*6E";
static const char M3_2[] = "!AIVDM,2,2,4,B,hi@C`888880,2*79";
/* gfw-ais-tools/multi-part.nmea lines 89-90: type 5, seq 4, channel A */
static const char M4_1[] = "!AIVDM,2,1,4,A,56:FA90000008leD001PTr0PtpN1PT4pN3GH0000:@?:65Qd0<S2@CVECQhC,0*00";
static const char M4_2[] = "!AIVDM,2,2,4,A,Qh000000000,2*19";
/* gfw-ais-tools/multi-part.nmea line 77: part 1 of a type 5, seq 1, channel B */
static const char M5_1[] = "!AIVDM,2,1,1,B,56:VeP000001`dQP001UD4qT4pOOK340000000000000000Ht04j1CVR1CP0,0*46";
/* gfw-ais-tools/multi-part.nmea lines 19-21: type 12 in three parts */
static const char T3_1[] = "!AIVDM,3,1,2,A,<NjB8;0mJnR8:E1>PIP<E391dPC5P5CD1P1@B?H9=1>4?P5>P5H35C?P1PE>,0*64";
static const char T3_2[] = "!AIVDM,3,2,2,A,1P2?I1P?41CfP=1>D5>71C5P1@1BD14?fPgPI?EP1B5P75DD9>7P3<?C5BPD,0*39";
static const char T3_3[] = "!AIVDM,3,3,2,A,?P1>P?41CP2E?IfP;55@P3<51BP?6P9D,0*2C";

/* gfw-ais-tools/ee-multiline.nmea lines 1-3 */
static const char EE_1[] = "\\s:66,c:1661782474*36\\!AIVDM,1,1,,A,36=nR7OP0>69WMN3Gt:mu?w02000,0*07";
static const char EE_G1[] = "\\g:1-2-1278,s:66,c:1661782369*43\\!AIVDM,2,1,3,A,"
                            "56=nR7D00003A<I@E=@TmDh637OS60mA:222220N1@6427?P00888888,0*66";
static const char EE_G2[] = "\\g:2-2-1278*51\\!AIVDM,2,2,3,A,888888888888880,2*27";
#define EE_MMSI 417178141u    /* "IMULA 1781 MTR", callsign 4SFTEST */

/* pyais/mixed.txt line 2: a type 1 */
static const char T1[] = "!AIVDM,1,1,,A,13HOI:0P0000VOHLCnHQKwvL05Ip,0*23";

/* ---- multipart ---- */

static void multipart_in_order(void **state)
{
    (void)state;
    ais_decoder *d = new_dec(NULL);
    assert_int_equal(feed(d, M1_1), ALD_E_OK);
    assert_int_equal(K.nmsg, 0);
    assert_int_equal(feed(d, M1_2), ALD_E_OK);
    assert_int_equal(K.nmsg, 1);
    assert_int_equal(K.m[0].msg.type, 5);
    assert_int_equal(K.m[0].msg.mmsi, M1_MMSI);
    assert_string_equal(K.m[0].msg.u.t5.shipname, "SUNNY VICTORY");
    assert_string_equal(K.m[0].msg.u.t5.callsign, "V7A2570");
    assert_int_equal(K.m[0].nfrags, 2);
    assert_int_equal(K.m[0].line_no, 2);
    assert_int_equal(K.m[0].channel, 'B');
    assert_int_equal(stats(d)->fragments, 2);
    assert_int_equal(stats(d)->sentences, 2);
    assert_int_equal(stats(d)->messages, 1);
    ais_decoder_finish(d);
    assert_int_equal(K.nbad, 0);
    ais_decoder_free(d);
}

static void multipart_out_of_order(void **state)
{
    (void)state;
    ais_decoder *d = new_dec(NULL);
    feed(d, M1_2);
    assert_int_equal(K.nmsg, 0);
    feed(d, M1_1);
    assert_int_equal(K.nmsg, 1);
    assert_int_equal(K.m[0].msg.mmsi, M1_MMSI);
    assert_string_equal(K.m[0].msg.u.t5.shipname, "SUNNY VICTORY");
    assert_string_equal(K.m[0].msg.u.t5.destination, "VANCOUVER PCT");
    /* three parts as 3, 1, 2 */
    feed(d, T3_3);
    feed(d, T3_1);
    assert_int_equal(K.nmsg, 1);
    feed(d, T3_2);
    assert_int_equal(K.nmsg, 2);
    assert_int_equal(K.m[1].msg.type, 12);
    assert_int_equal(K.m[1].nfrags, 3);
    ais_decoder_finish(d);
    assert_int_equal(K.nbad, 0);
    ais_decoder_free(d);
}

/* The same message in order and out of order decodes to the same text. */
static void three_part_order_does_not_matter(void **state)
{
    (void)state;
    const char *orders[6][3] = {
        {T3_1, T3_2, T3_3}, {T3_1, T3_3, T3_2}, {T3_2, T3_1, T3_3},
        {T3_2, T3_3, T3_1}, {T3_3, T3_1, T3_2}, {T3_3, T3_2, T3_1},
    };
    char first[161] = "";
    for (unsigned i = 0; i < 6; i++) {
        ais_decoder *d = new_dec(NULL);
        feed_all(d, orders[i], 3);
        assert_int_equal(K.nmsg, 1);
        if (i == 0) {
            strcpy(first, K.m[0].msg.u.t12.text);
            assert_true(strlen(first) > 50);
        }
        assert_string_equal(K.m[0].msg.u.t12.text, first);
        ais_decoder_finish(d);
        assert_int_equal(K.nbad, 0);
        ais_decoder_free(d);
    }
}

static void multipart_interleaved(void **state)
{
    (void)state;
    ais_decoder *d = new_dec(NULL);
    /* seq 4 on A and seq 4 on B (different channels), seq 2 on B (different
     * sequence id), and a three-part message, all mixed */
    const char *lines[] = {M4_1, M3_1, T3_1, M2_1, M3_2, T3_2, M2_2, M4_2, T3_3};
    feed_all(d, lines, N(lines));
    assert_int_equal(K.nmsg, 4);
    assert_int_equal(K.m[0].msg.type, 5);    /* M3 */
    assert_int_equal(K.m[0].channel, 'B');
    assert_int_equal(K.m[1].msg.type, 5);    /* M2 */
    assert_int_equal(K.m[2].msg.type, 5);    /* M4 */
    assert_int_equal(K.m[2].channel, 'A');
    assert_int_equal(K.m[3].msg.type, 12);   /* T3 */
    assert_true(K.m[0].msg.mmsi != K.m[1].msg.mmsi);
    assert_true(K.m[0].msg.mmsi != K.m[2].msg.mmsi);
    assert_true(K.m[1].msg.mmsi != K.m[2].msg.mmsi);
    /* the same messages one by one give the same MMSIs */
    unsigned mmsi[3] = {K.m[0].msg.mmsi, K.m[1].msg.mmsi, K.m[2].msg.mmsi};
    ais_decoder_finish(d);
    assert_int_equal(K.nbad, 0);
    assert_int_equal(stats(d)->messages, 4);
    assert_int_equal(stats(d)->fragments, 9);
    ais_decoder_free(d);

    const char *one_by_one[] = {M3_1, M3_2, M2_1, M2_2, M4_1, M4_2};
    d = new_dec(NULL);
    feed_all(d, one_by_one, N(one_by_one));
    assert_int_equal(K.nmsg, 3);
    for (unsigned i = 0; i < 3; i++)
        assert_int_equal(K.m[i].msg.mmsi, mmsi[i]);
    ais_decoder_free(d);
}

static void multipart_key_includes_talker(void **state)
{
    (void)state;
    /* gfw-ais-tools/bad-type5.nmea line 1: part 1 from ABVDM, part 2 from
     * AIVDM: different talkers are different receivers, not one message */
    const char *l =
        "\\s:rMT2083,t:marinetraffic,c:1698785948*44\\!ABVDM,2,1,8,A,"
        "53l3sj42A590=5Q2220UHE:04=@Ttr222222221@9HH>46ii0=D532Dp?`1D,0*28"
        "\\s:rMT2083,t:marinetraffic,c:1698785947*4B\\!AIVDM,2,2,8,A,888888888888880,2*2C";
    ais_decoder *d = new_dec(NULL);
    assert_int_equal(feed(d, l), ALD_E_OK);
    assert_int_equal(K.nmsg, 0);
    assert_int_equal(stats(d)->sentences, 2);
    ais_decoder_finish(d);
    assert_int_equal(stats(d)->bad[ALD_E_AIS_FRAG_ORPHAN], 2);
    ais_decoder_free(d);
}

/* ---- tag-block groups ---- */

static void group_lines_inherit_source_and_time(void **state)
{
    (void)state;
    ais_decoder *d = new_dec(NULL);
    feed(d, EE_G1);
    feed(d, EE_G2);
    assert_int_equal(K.nmsg, 1);
    assert_int_equal(K.m[0].msg.mmsi, EE_MMSI);
    assert_string_equal(K.m[0].msg.u.t5.shipname, "IMULA 1781 MTR");
    assert_true(K.m[0].has_source);
    assert_string_equal(K.m[0].source, "66");
    assert_int_equal(K.m[0].time_ms, 1661782369000LL);
    assert_int_equal(source_count(d, "66"), 1);
    assert_int_equal(source_count(d, "(none)"), -1);
    ais_decoder_free(d);
}

static void group_out_of_order_still_gets_the_source(void **state)
{
    (void)state;
    ais_decoder *d = new_dec(NULL);
    ais_decoder_set_default_source(d, "file.nmea");
    feed(d, EE_G2);           /* only g:, no s: yet */
    feed(d, EE_G1);
    assert_int_equal(K.nmsg, 1);
    assert_int_equal(K.m[0].msg.mmsi, EE_MMSI);
    assert_string_equal(K.m[0].source, "66");
    assert_int_equal(K.m[0].time_ms, 1661782369000LL);
    assert_int_equal(source_count(d, "66"), 1);
    assert_int_equal(source_count(d, "file.nmea"), -1);
    ais_decoder_finish(d);
    assert_int_equal(K.nbad, 0);
    ais_decoder_free(d);
}

static void group_without_source_uses_the_default(void **state)
{
    (void)state;
    /* amsa-risky/exact-earth-with-tag-block.txt lines 21-22: c: but no s: */
    const char *lines[] = {
        "\\g:1-2-3987,c:1333239510*20\\!BSVDM,2,1,0,A,"
        "54`98002>?A1`<AGD00lEBr0PD5@PE:1<4hiT01CKh`IC4w8NKjCPj1Ck`2k,0*7C",
        "\\g:2-2-3987*58\\!BSVDM,2,2,0,A,lQ@@0000002,0*00",
    };
    ais_decoder *d = new_dec(NULL);
    ais_decoder_set_default_source(d, "file.nmea");
    feed_all(d, lines, 2);
    assert_int_equal(K.nmsg, 1);
    assert_string_equal(K.m[0].source, "file.nmea");
    assert_string_equal(K.m[0].talker, "BS");
    assert_int_equal(K.m[0].time_ms, 1333239510000LL);
    assert_int_equal(source_count(d, "file.nmea"), 1);
    ais_decoder_free(d);

    d = new_dec(NULL);       /* no default: no source at all */
    feed_all(d, lines, 2);
    assert_int_equal(K.nmsg, 1);
    assert_false(K.m[0].has_source);
    assert_int_equal(source_count(d, "(none)"), 1);
    ais_decoder_free(d);
}

static void groups_from_two_sources_interleaved(void **state)
{
    (void)state;
    /* amsa-risky/exact-earth-with-tag-block.txt lines 1-2 (group 3985,
     * s:rEV02) mixed with gfw-ais-tools/ee-multiline.nmea lines 2-3 (group
     * 1278, s:66) */
    const char *lines[] = {
        "\\g:1-2-3985,s:rEV02,c:1334337317*2D\\!AIVDM,2,1,9,B,"
        "58KvN<42ACikUKW77F1H4hF0<PTp622222222216`0`cF5BF0RT13H0T,0*70",
        EE_G1,
        "\\g:2-2-3985*5A\\!AIVDM,2,2,9,B,PFRC88888888880,2*29",
        EE_G2,
    };
    ais_decoder *d = new_dec(NULL);
    feed_all(d, lines, N(lines));
    assert_int_equal(K.nmsg, 2);
    assert_string_equal(K.m[0].source, "rEV02");
    assert_int_equal(K.m[0].time_ms, 1334337317000LL);
    assert_string_equal(K.m[1].source, "66");
    assert_int_equal(K.m[1].msg.mmsi, EE_MMSI);
    ais_decoder_free(d);
}

/* ---- bounded buffering ---- */

static void full_buffer_evicts_the_oldest_as_orphan(void **state)
{
    (void)state;
    struct ais_decoder_opts o = {.max_pending = 2};
    ais_decoder *d = new_dec(&o);
    feed(d, M1_1);            /* line 1 */
    feed(d, M2_1);            /* line 2 */
    assert_int_equal(K.nbad, 0);
    feed(d, M3_1);            /* line 3: no room, M1 goes */
    assert_int_equal(stats(d)->bad[ALD_E_AIS_FRAG_ORPHAN], 1);
    assert_int_equal(K.nbad, 1);
    assert_int_equal(K.b[0].code, ALD_E_AIS_FRAG_ORPHAN);
    assert_int_equal(K.b[0].line_no, 1);
    assert_string_equal(K.b[0].text, "5815M202=g3QKL7;GO1=DpqV1HT=@u9V2222221@B`SF:5Pg0F5PCPkmEQD`");
    feed(d, M2_2);
    feed(d, M3_2);
    assert_int_equal(K.nmsg, 2);
    feed(d, M1_2);            /* its first part is gone: waits alone */
    assert_int_equal(K.nmsg, 2);
    ais_decoder_finish(d);
    assert_int_equal(stats(d)->bad[ALD_E_AIS_FRAG_ORPHAN], 2);
    assert_int_equal(stats(d)->messages, 2);
    ais_decoder_free(d);
}

static void incomplete_message_expires_after_orphan_lines(void **state)
{
    (void)state;
    struct ais_decoder_opts o = {.orphan_lines = 3};
    ais_decoder *d = new_dec(&o);
    /* part 2 three lines after part 1: still joined */
    feed(d, M1_1);            /* line 1 */
    feed(d, T1);
    feed(d, T1);
    feed(d, M1_2);            /* line 4 = 1 + 3 */
    assert_int_equal(K.nmsg, 3);
    assert_int_equal(K.m[2].msg.mmsi, M1_MMSI);
    assert_int_equal(K.nbad, 0);
    /* part 2 four lines after part 1: part 1 has expired */
    feed(d, M2_1);            /* line 5 */
    feed(d, T1);
    feed(d, T1);
    feed(d, T1);
    assert_int_equal(K.nbad, 0);
    feed(d, M2_2);            /* line 9 = 5 + 4 */
    assert_int_equal(K.nmsg, 6);
    assert_int_equal(K.nbad, 1);
    assert_int_equal(K.b[0].code, ALD_E_AIS_FRAG_ORPHAN);
    assert_int_equal(K.b[0].line_no, 5);
    assert_int_equal(stats(d)->bad[ALD_E_AIS_FRAG_ORPHAN], 1);
    ais_decoder_finish(d);    /* and part 2 waits in vain */
    assert_int_equal(stats(d)->bad[ALD_E_AIS_FRAG_ORPHAN], 2);
    ais_decoder_free(d);
}

static void expiry_counts_lines_without_sentences(void **state)
{
    (void)state;
    struct ais_decoder_opts o = {.orphan_lines = 2};
    ais_decoder *d = new_dec(&o);
    feed(d, M1_1);
    feed(d, "");
    feed(d, "# comment");
    feed(d, "");
    feed(d, M1_2);
    assert_int_equal(K.nmsg, 0);
    assert_int_equal(stats(d)->bad[ALD_E_AIS_FRAG_ORPHAN], 1);
    ais_decoder_free(d);
}

static void finish_counts_every_leftover_fragment(void **state)
{
    (void)state;
    ais_decoder *d = new_dec(NULL);
    feed(d, M1_1);
    feed(d, T3_1);
    feed(d, T3_3);
    feed(d, M2_2);
    assert_int_equal(K.nbad, 0);
    ais_decoder_finish(d);
    /* fragments, not messages: 1 + 2 + 1 */
    assert_int_equal(stats(d)->bad[ALD_E_AIS_FRAG_ORPHAN], 4);
    assert_int_equal(K.nbad, 3);
    for (unsigned i = 0; i < 3; i++)
        assert_int_equal(K.b[i].code, ALD_E_AIS_FRAG_ORPHAN);
    assert_int_equal(stats(d)->messages, 0);
    assert_int_equal(stats(d)->fragments, 4);
    /* nothing is left for a second finish */
    ais_decoder_finish(d);
    assert_int_equal(stats(d)->bad[ALD_E_AIS_FRAG_ORPHAN], 4);
    ais_decoder_free(d);
}

static void repeated_fragment_restarts_the_message(void **state)
{
    (void)state;
    /* M5 and M1 are both "2 parts, seq 1, channel B": M1's first part
     * arriving while M5 waits for its second restarts the message */
    ais_decoder *d = new_dec(NULL);
    feed(d, M5_1);
    feed(d, M1_1);
    assert_int_equal(stats(d)->bad[ALD_E_AIS_FRAG_ORPHAN], 1);
    assert_int_equal(K.nbad, 1);
    assert_int_equal(K.b[0].code, ALD_E_AIS_FRAG_ORPHAN);
    feed(d, M1_2);
    assert_int_equal(K.nmsg, 1);
    assert_int_equal(K.m[0].msg.mmsi, M1_MMSI);
    assert_string_equal(K.m[0].msg.u.t5.shipname, "SUNNY VICTORY");
    ais_decoder_finish(d);
    assert_int_equal(stats(d)->bad[ALD_E_AIS_FRAG_ORPHAN], 1);
    ais_decoder_free(d);
}

/* ---- rejected sentences ---- */

static void bad_checksum_is_counted(void **state)
{
    (void)state;
    /* gfw-ais-tools/errors.nmea lines 1-2 */
    const char *good = "\\s:rMT6214,t:marinetraffic,c:1699401684*4D\\"
                       "!AIVDM,1,1,,A,33`d`fEP00PCaVFMFM?I@gvf2D=rc@9,0*77";
    const char *bad = "\\s:rMT6214,t:marinetraffic,c:1699401684*4D\\"
                      "!AIVDM,1,1,,A,33`d`fEP00PCaVFMFM?I@gvf2D=r,0*77";
    ais_decoder *d = new_dec(NULL);
    assert_int_equal(feed(d, good), ALD_E_OK);
    assert_int_equal(feed(d, bad), ALD_E_NMEA_CHECKSUM);
    assert_int_equal(K.nmsg, 1);
    assert_int_equal(K.nbad, 1);
    assert_int_equal(K.b[0].code, ALD_E_NMEA_CHECKSUM);
    assert_int_equal(K.b[0].col, 88);
    assert_int_equal(K.b[0].line, 2);
    assert_int_equal(K.b[0].line_no, 2);
    assert_string_equal(K.b[0].text, bad);
    assert_int_equal(stats(d)->bad[ALD_E_NMEA_CHECKSUM], 1);
    assert_int_equal(stats(d)->sentences, 1);   /* valid checksums only */
    assert_int_equal(stats(d)->lines, 2);
    ais_decoder_free(d);
}

static void truncated_type1_is_a_length_error(void **state)
{
    (void)state;
    /* derived from pyais/mixed.txt line 2: 27 of its 28 characters, 162
     * bits where a type 1 needs at least 163 */
    const char *l = "!AIVDM,1,1,,A,13HOI:0P0000VOHLCnHQKwvL05I,0*53";
    ais_decoder *d = new_dec(NULL);
    assert_int_equal(feed(d, l), ALD_E_AIS_LENGTH);
    assert_int_equal(K.nmsg, 0);
    assert_int_equal(stats(d)->bad[ALD_E_AIS_LENGTH], 1);
    assert_int_equal(stats(d)->sentences, 1);
    assert_int_equal(stats(d)->messages, 0);
    assert_int_equal(stats(d)->by_type[1], 0);
    /* amsa-risky/ais.txt.gz line 7002: a type 6 of 72 bits (needs 88) */
    assert_int_equal(feed(d, "!BSVDM,1,1,9,2,6>lsot@1<i5P,0*38"), ALD_E_AIS_LENGTH);
    assert_int_equal(stats(d)->bad[ALD_E_AIS_LENGTH], 2);
    ais_decoder_free(d);
}

static void unknown_type_is_counted(void **state)
{
    (void)state;
    /* amsa-risky/ais.txt.gz line 7535: payload starts with 'w' = type 63 */
    ais_decoder *d = new_dec(NULL);
    assert_int_equal(feed(d, "!BSVDM,1,1,,B,wa?NCnmBsOug?G?Vgm?4?w0,2*1D"), ALD_E_AIS_TYPE);
    assert_int_equal(stats(d)->bad[ALD_E_AIS_TYPE], 1);
    assert_int_equal(K.b[0].code, ALD_E_AIS_TYPE);
    ais_decoder_free(d);
}

static void fill_digit_out_of_range(void **state)
{
    (void)state;
    /* derived from pyais/mixed.txt line 2: fill 6 */
    const char *l = "!AIVDM,1,1,,A,13HOI:0P0000VOHLCnHQKwvL05Ip,6*25";
    ais_decoder *d = new_dec(NULL);
    assert_int_equal(feed(d, l), ALD_E_AIS_FILL);
    assert_int_equal(stats(d)->bad[ALD_E_AIS_FILL], 1);
    assert_int_equal(K.b[0].offset, strlen(l) - 4);
    assert_int_equal(K.nmsg, 0);
    ais_decoder_free(d);
}

static void fill_bits_without_payload_bits(void **state)
{
    (void)state;
    /* The only way to have more fill bits (at most 5) than payload bits (6
     * per character) is an empty payload, which is reported as such.
     * derived from pyais/nmea_data_sample.txt line 4: fill 2 */
    ais_decoder *d = new_dec(NULL);
    assert_int_equal(feed(d, "!AIVDM,1,1,,B,,2*27"), ALD_E_AIS_EMPTY);
    assert_int_equal(stats(d)->bad[ALD_E_AIS_EMPTY], 1);
    assert_int_equal(stats(d)->bad[ALD_E_AIS_FILL], 0);
    ais_decoder_free(d);
}

static void fill_bits_come_off_the_message_length(void **state)
{
    (void)state;
    /* gfw-ais-tools/mixed_types.nmea line 16: type 27 "KmMsIt?uItk2F4mp",
     * 96 bits with fill 0; with fill 2 (derived) it is 94 bits, which type
     * 27 does not allow */
    ais_decoder *d = new_dec(NULL);
    assert_int_equal(feed(d, "!AIVDM,1,1,,A,KmMsIt?uItk2F4mp,0*42"), ALD_E_OK);
    assert_int_equal(K.nmsg, 1);
    assert_int_equal(K.m[0].msg.type, 27);
    assert_int_equal(feed(d, "!AIVDM,1,1,,A,KmMsIt?uItk2F4mp,2*40"), ALD_E_AIS_LENGTH);
    assert_int_equal(K.nmsg, 1);
    ais_decoder_free(d);
}

static void invalid_armour_character(void **state)
{
    (void)state;
    /* derived from pyais/mixed.txt line 2: 'X' (88) is between the two
     * 6-bit ranges '0'-'W' and '`'-'w' */
    const char *l = "!AIVDM,1,1,,A,13HOI:0P0000XOHLCnHQKwvL05Ip,0*2D";
    ais_decoder *d = new_dec(NULL);
    assert_int_equal(feed(d, l), ALD_E_AIS_ARMOR);
    assert_int_equal(stats(d)->bad[ALD_E_AIS_ARMOR], 1);
    assert_int_equal(K.b[0].code, ALD_E_AIS_ARMOR);
    assert_int_equal(K.b[0].offset, (size_t)(strchr(l, 'X') - l));
    assert_int_equal(K.nmsg, 0);
    /* the next good sentence decodes cleanly (no bits left over) */
    assert_int_equal(feed(d, T1), ALD_E_OK);
    assert_int_equal(K.nmsg, 1);
    assert_int_equal(K.m[0].msg.mmsi, 227006760u);
    ais_decoder_free(d);
}

static void invalid_armour_in_a_multipart_message(void **state)
{
    (void)state;
    /* derived from M1's second part: "40m8888888X" */
    ais_decoder *d = new_dec(NULL);
    feed(d, M1_1);
    assert_int_equal(feed(d, "!AIVDM,2,2,1,B,40m8888888X,2*1F"), ALD_E_AIS_ARMOR);
    assert_int_equal(stats(d)->bad[ALD_E_AIS_ARMOR], 1);
    assert_int_equal(K.nmsg, 0);
    ais_decoder_finish(d);
    assert_int_equal(stats(d)->bad[ALD_E_AIS_FRAG_ORPHAN], 0);
    ais_decoder_free(d);
}

static void empty_payload(void **state)
{
    (void)state;
    /* pyais/nmea_data_sample.txt line 4 */
    const char *l = "!AIVDM,1,1,,B,,0*25";
    ais_decoder *d = new_dec(NULL);
    assert_int_equal(feed(d, l), ALD_E_AIS_EMPTY);
    assert_int_equal(stats(d)->bad[ALD_E_AIS_EMPTY], 1);
    assert_int_equal(stats(d)->sentences, 1);
    assert_int_equal(K.b[0].code, ALD_E_AIS_EMPTY);
    assert_int_equal(K.b[0].offset, 14);
    assert_int_equal(K.nmsg, 0);
    ais_decoder_free(d);
}

static void oversize_line_is_rejected_and_numbered(void **state)
{
    (void)state;
    char big[300];
    memset(big, 'x', sizeof big);
    ais_decoder *d = new_dec(NULL);
    feed(d, T1);
    ais_decoder_reject_line(d, ALD_E_NMEA_TOO_LONG, "line longer than the reader's buffer",
                            big, 100);
    assert_int_equal(stats(d)->lines, 2);
    assert_int_equal(stats(d)->bad[ALD_E_NMEA_TOO_LONG], 1);
    assert_int_equal(K.nbad, 1);
    assert_int_equal(K.b[0].code, ALD_E_NMEA_TOO_LONG);
    assert_int_equal(K.b[0].line_no, 2);
    assert_int_equal(strlen(K.b[0].text), 100);
    feed(d, T1);
    assert_int_equal(K.nmsg, 2);
    assert_int_equal(K.m[1].line_no, 3);
    ais_decoder_free(d);
}

static void several_errors_on_one_line_return_the_first(void **state)
{
    (void)state;
    /* pyais/mixed.txt line 23: a bad tag block, then a sentence without a
     * checksum */
    const char *l = "\\g:1-2-73874,n:157036,s:r003669945,c:12415440354*A\\"
                    "!AIVDM,1,1,,B,15N4cJ005Jrek0H@9nDW5608EP,013";
    ais_decoder *d = new_dec(NULL);
    assert_int_equal(feed(d, l), ALD_E_TAGBLOCK);
    assert_int_equal(stats(d)->bad[ALD_E_TAGBLOCK], 1);
    assert_int_equal(stats(d)->bad[ALD_E_NMEA_FORMAT], 1);
    assert_int_equal(K.nbad, 2);
    ais_decoder_free(d);
}

/* ---- receive time ---- */

static void time_from_tag_block(void **state)
{
    (void)state;
    ais_decoder *d = new_dec(NULL);
    feed(d, EE_1);
    assert_int_equal(K.m[0].time_ms, 1661782474000LL);
    ais_decoder_free(d);
}

static void time_from_trailer(void **state)
{
    (void)state;
    ais_decoder *d = new_dec(NULL);
    /* libais/test.aivdm line 4 */
    feed(d, "!AIVDM,1,1,,A,15B4FT5000JRP>PE6E68Nbkl0PS5,0*70,b003669794,1272412827");
    assert_int_equal(K.nmsg, 1);
    assert_int_equal(K.m[0].time_ms, 1272412827000LL);
    /* amsa-risky/exact-earth-augmented.txt line 62, no $PGHP before it */
    feed(d, "!AIVDM,1,1,,A,13oi?B002e7vHfEe1<CRcRCJ08JK,0*6A,1327992619728");
    assert_int_equal(K.nmsg, 2);
    assert_int_equal(K.m[1].msg.mmsi, 259805000u);
    assert_int_equal(K.m[1].time_ms, 1327992619728LL);
    ais_decoder_free(d);
}

static void time_none_without_any_clock(void **state)
{
    (void)state;
    ais_decoder *d = new_dec(NULL);
    feed(d, T1);
    assert_int_equal(K.m[0].time_ms, AIS_TIME_NONE);
    ais_decoder_free(d);
}

/* amsa-risky/exact-earth-augmented.txt lines 3-4 */
static const char EEA_PGHP[] = "$PGHP,1,2012,1,31,5,7,15,972,316,2,316000002,1AIS_S,00*4C,1327992119189";
static const char EEA_AIS[] = "!AIVDM,1,1,,B,>=on9A>W8NbdA@3HkLWJ9rlB<@Wjf@,4*00,1327992119205";
#define EEA_PGHP_MS 1327986435972LL   /* 2012-01-31 05:07:15.972 */

/* Current rule (stream.c, "most specific first"): tag block c:, then the
 * $PGHP just before the sentence, then an epoch after the checksum. */
static void pghp_before_a_sentence_beats_its_trailer(void **state)
{
    (void)state;
    ais_decoder *d = new_dec(NULL);
    feed(d, EEA_PGHP);
    assert_int_equal(stats(d)->skipped_other, 0);   /* used, not skipped */
    feed(d, EEA_AIS);
    assert_int_equal(K.nmsg, 1);
    assert_int_equal(K.m[0].msg.type, 14);
    assert_int_equal(K.m[0].time_ms, EEA_PGHP_MS);
    ais_decoder_free(d);
}

static void pghp_stamps_only_the_next_sentence(void **state)
{
    (void)state;
    ais_decoder *d = new_dec(NULL);
    feed(d, EEA_PGHP);
    feed(d, EEA_AIS);
    feed(d, EEA_AIS);        /* no $PGHP of its own: its trailer */
    feed(d, T1);             /* neither: none */
    assert_int_equal(K.nmsg, 3);
    assert_int_equal(K.m[0].time_ms, EEA_PGHP_MS);
    assert_int_equal(K.m[1].time_ms, 1327992119205LL);
    assert_int_equal(K.m[2].time_ms, AIS_TIME_NONE);
    ais_decoder_free(d);
}

static void pghp_is_not_carried_past_a_rejected_sentence(void **state)
{
    (void)state;
    /* the $PGHP stamps the sentence after it; when that one is rejected the
     * time must not move on to the next, unrelated sentence */
    ais_decoder *d = new_dec(NULL);
    feed(d, EEA_PGHP);
    /* derived from EEA_AIS: checksum 00 -> 01 */
    assert_int_equal(feed(d, "!AIVDM,1,1,,B,>=on9A>W8NbdA@3HkLWJ9rlB<@Wjf@,4*01,1327992119205"),
                     ALD_E_NMEA_CHECKSUM);
    feed(d, T1);
    assert_int_equal(K.nmsg, 1);
    assert_int_equal(K.m[0].time_ms, AIS_TIME_NONE);
    ais_decoder_free(d);
}

static void tag_block_time_beats_pghp_and_trailer(void **state)
{
    (void)state;
    ais_decoder *d = new_dec(NULL);
    feed(d, EEA_PGHP);
    /* derived: ee-multiline line 1 with an exactEarth-style trailer */
    feed(d, "\\s:66,c:1661782474*36\\!AIVDM,1,1,,A,36=nR7OP0>69WMN3Gt:mu?w02000,0*07,1327992119205");
    assert_int_equal(K.nmsg, 1);
    assert_int_equal(K.m[0].time_ms, 1661782474000LL);
    ais_decoder_free(d);
}

static void multipart_time_is_the_first_fragments(void **state)
{
    (void)state;
    /* derived from gfw-ais-tools/ee-multiline.nmea line 3: part 2 with a
     * c: of its own, one second after part 1's */
    const char *g2 = "\\g:2-2-1278,c:1661782370*2D\\!AIVDM,2,2,3,A,888888888888880,2*27";
    ais_decoder *d = new_dec(NULL);
    feed(d, EE_G1);
    feed(d, g2);
    assert_int_equal(K.nmsg, 1);
    assert_int_equal(K.m[0].time_ms, 1661782369000LL);
    ais_decoder_free(d);
    /* in reverse order too */
    d = new_dec(NULL);
    feed(d, g2);
    feed(d, EE_G1);
    assert_int_equal(K.nmsg, 1);
    assert_int_equal(K.m[0].time_ms, 1661782369000LL);
    ais_decoder_free(d);
}

/* ---- metadata and statistics ---- */

static void meta_source_channel_talker_own(void **state)
{
    (void)state;
    ais_decoder *d = new_dec(NULL);
    feed(d, EE_1);
    /* amsa-risky/ais.txt.gz line 35 */
    feed(d, "!ABVDO,1,1,,,404k0uAuhMcg2bvnQqhCK4o00000,0*06");
    /* amsa-risky/nmea-timestamped.txt line 2 */
    feed(d, "\\c:1420030797*00\\!BSVDM,1,1,,B,17PCie0P00:;2MmqtCvQ;OwL0400,0*7C");
    assert_int_equal(K.nmsg, 3);

    assert_string_equal(K.m[0].source, "66");
    assert_int_equal(K.m[0].channel, 'A');
    assert_string_equal(K.m[0].talker, "AI");
    assert_false(K.m[0].own);
    assert_int_equal(K.m[0].line_no, 1);
    assert_int_equal(K.m[0].nfrags, 1);
    assert_int_equal(K.m[0].msg.type, 3);
    assert_int_equal(K.m[0].msg.mmsi, EE_MMSI);

    assert_false(K.m[1].has_source);
    assert_int_equal(K.m[1].channel, 0);
    assert_string_equal(K.m[1].talker, "AB");
    assert_true(K.m[1].own);
    assert_int_equal(K.m[1].msg.type, 4);

    assert_string_equal(K.m[2].talker, "BS");
    assert_int_equal(K.m[2].channel, 'B');
    assert_int_equal(K.m[2].time_ms, 1420030797000LL);
    assert_int_equal(stats(d)->tagblock_bad_checksum, 1);
    ais_decoder_free(d);
}

static void default_source_applies_without_tag_block(void **state)
{
    (void)state;
    ais_decoder *d = new_dec(NULL);
    ais_decoder_set_default_source(d, "capture.nmea");
    feed(d, T1);
    feed(d, EE_1);           /* its own s: wins */
    assert_string_equal(K.m[0].source, "capture.nmea");
    assert_string_equal(K.m[1].source, "66");
    assert_int_equal(source_count(d, "capture.nmea"), 1);
    assert_int_equal(source_count(d, "66"), 1);
    ais_decoder_free(d);
}

static void per_source_counts(void **state)
{
    (void)state;
    /* gfw-ais-tools/errors.nmea lines 1, 3, 5 */
    const char *lines[] = {
        "\\s:rMT6214,t:marinetraffic,c:1699401684*4D\\!AIVDM,1,1,,A,33`d`fEP00PCaVFMFM?I@gvf2D=rc@9,0*77",
        "\\s:rMT6214,t:marinetraffic,c:1699401689*40\\!AIVDM,1,1,,A,133g`DP000PCJC>MEj<pdo<l0<49Vm5,0*6A",
        "\\s:rMT694,t:marinetraffic,c:1699401978*7B\\!AIVDM,1,1,,B,133g`DP000PCJC>MEj=8do>N0H:Q,0*1C",
        T1,
    };
    ais_decoder *d = new_dec(NULL);
    feed_all(d, lines, N(lines));
    assert_int_equal(K.nmsg, 4);
    assert_int_equal(source_count(d, "rMT6214"), 2);
    assert_int_equal(source_count(d, "rMT694"), 1);
    assert_int_equal(source_count(d, "(none)"), 1);
    /* the iteration ends after the three names */
    const char *n;
    uint64_t c;
    assert_true(ais_decoder_source_count(d, 2, &n, &c));
    assert_false(ais_decoder_source_count(d, 3, &n, &c));
    ais_decoder_free(d);
}

static void by_type_and_totals(void **state)
{
    (void)state;
    ais_decoder *d = new_dec(NULL);
    const char *lines[] = {T1, EE_1, M1_1, M1_2, "", "# c", "$GPR00,A,B,C*29", T3_1, T3_2, T3_3};
    feed_all(d, lines, N(lines));
    const struct ais_stats *st = stats(d);
    assert_int_equal(st->lines, 10);
    assert_int_equal(st->sentences, 7);
    assert_int_equal(st->fragments, 5);
    assert_int_equal(st->messages, 4);
    assert_int_equal(st->skipped_other, 3);
    assert_int_equal(st->by_type[1], 1);
    assert_int_equal(st->by_type[3], 1);
    assert_int_equal(st->by_type[5], 1);
    assert_int_equal(st->by_type[12], 1);
    uint64_t sum = 0;
    for (unsigned i = 0; i < 32; i++)
        sum += st->by_type[i];
    assert_int_equal(sum, 4);
    for (unsigned i = 0; i < 32; i++)
        assert_int_equal(st->bad[i], 0);
    ais_decoder_free(d);
}

/* ---- type 24 ---- */

/* gpsd/sample.aivdm lines 904 and 910: parts A and B of MMSI 271041815 */
static const char T24A[] = "!AIVDM,1,1,,A,H42O55i18tMET00000000000000,2*6D";
static const char T24B[] = "!AIVDM,1,1,,A,H42O55lti4hhhilD3nink000?050,0*40";

static void type24_parts_are_merged(void **state)
{
    (void)state;
    ais_decoder *d = new_dec(NULL);
    feed(d, T24A);
    assert_int_equal(K.nmsg, 0);
    feed(d, T24B);
    assert_int_equal(K.nmsg, 1);
    const struct ais_static24 *t = &K.m[0].msg.u.t24;
    assert_int_equal(K.m[0].msg.mmsi, 271041815u);
    assert_int_equal(t->part, AIS_PART_BOTH);
    assert_string_equal(t->shipname, "PROGUY");
    assert_string_equal(t->callsign, "TC6163");
    assert_string_equal(t->vendorid, "1D00014");
    assert_int_equal(t->shiptype, 60);
    assert_int_equal(t->to_stern, 15);
    assert_int_equal(t->to_starboard, 5);
    /* both parts are decoded messages of type 24 */
    assert_int_equal(stats(d)->messages, 2);
    assert_int_equal(stats(d)->by_type[24], 2);
    /* a repeated part B no longer finds its part A */
    feed(d, T24B);
    assert_int_equal(K.nmsg, 1);
    ais_decoder_free(d);
}

static void type24_split_gives_both_parts(void **state)
{
    (void)state;
    struct ais_decoder_opts o = {.split24 = true};
    ais_decoder *d = new_dec(&o);
    feed(d, T24A);
    assert_int_equal(K.nmsg, 1);
    assert_int_equal(K.m[0].msg.u.t24.part, AIS_PART_A);
    assert_string_equal(K.m[0].msg.u.t24.shipname, "PROGUY");
    feed(d, T24B);
    assert_int_equal(K.nmsg, 2);
    /* part B still carries the name it was merged with */
    assert_int_equal(K.m[1].msg.u.t24.part, AIS_PART_BOTH);
    assert_string_equal(K.m[1].msg.u.t24.callsign, "TC6163");
    feed(d, T24B);
    assert_int_equal(K.nmsg, 3);
    assert_int_equal(K.m[2].msg.u.t24.part, AIS_PART_B);
    assert_string_equal(K.m[2].msg.u.t24.shipname, "");
    ais_decoder_free(d);
}

static void type24_parts_on_different_channels_do_not_merge(void **state)
{
    (void)state;
    ais_decoder *d = new_dec(NULL);
    feed(d, T24A);
    /* derived: part B heard on channel B */
    feed(d, "!AIVDM,1,1,,B,H42O55lti4hhhilD3nink000?050,0*43");
    assert_int_equal(K.nmsg, 0);
    ais_decoder_free(d);
}

/* ---- whole real files ---- */

struct file_counts {
    uint64_t lines, sentences, fragments, messages, skipped_other, tb_bad;
};

static ais_decoder *decode_file(const char *path, const struct ais_decoder_opts *o)
{
    size_t len;
    char *text = tu_read_file(path, &len);
    assert_non_null(text);
    ais_decoder *d = ais_decoder_new(o);
    assert_non_null(d);
    const char *p = text, *end = text + len;
    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        const char *le = nl ? nl : end;
        ais_decoder_feed(d, p, (size_t)(le - p));
        p = nl ? nl + 1 : end;
    }
    ais_decoder_finish(d);
    free(text);
    return d;
}

static void check_counts(ais_decoder *d, const struct file_counts *w)
{
    const struct ais_stats *st = stats(d);
    assert_int_equal(st->lines, w->lines);
    assert_int_equal(st->sentences, w->sentences);
    assert_int_equal(st->fragments, w->fragments);
    assert_int_equal(st->messages, w->messages);
    assert_int_equal(st->skipped_other, w->skipped_other);
    assert_int_equal(st->tagblock_bad_checksum, w->tb_bad);
}

/*
 * amsa-risky/exact-earth-with-tag-block.txt: 221 lines (the last has no
 * newline, so `wc -l` says 220), every one a tag-blocked sentence with a
 * good checksum. 42 of them are the two halves of 21 type 5 messages (21
 * "g:1-2-" and 21 "g:2-2-" lines), so 221 - 21 = 200 messages. Types, by
 * the first payload character ('1' 163 times, '3' 15, '5' 21, ';' once):
 * 163 + 15 + 21 + 1 = 200. Sources: 179 single sentences carry s:rEV02,
 * and 4 groups have it on their first line only ("\g:2-2-n*hh\" follows),
 * so 183 messages from rEV02; the 17 other groups are
 * "\g:1-2-n,c:..*hh\!BSVDM" with no s: anywhere, hence 17 without a source. Checked with grep and an independent Python
 * re-implementation of the counting rules.
 */
static void whole_file_exact_earth_with_tag_block(void **state)
{
    (void)state;
    TU_NEED_SHARED(path, "ais/amsa-risky/exact-earth-with-tag-block.txt");
    ais_decoder *d = decode_file(path, NULL);
    static const struct file_counts w = {221, 221, 42, 200, 0, 0};
    check_counts(d, &w);
    const struct ais_stats *st = stats(d);
    for (unsigned i = 0; i < 32; i++)
        assert_int_equal(st->bad[i], 0);
    assert_int_equal(st->by_type[1], 163);
    assert_int_equal(st->by_type[3], 15);
    assert_int_equal(st->by_type[5], 21);
    assert_int_equal(st->by_type[11], 1);
    assert_int_equal(source_count(d, "rEV02"), 183);
    assert_int_equal(source_count(d, "(none)"), 17);
    ais_decoder_free(d);
}

/*
 * pyais/nmea_data_sample.txt: 898 lines (no newline after the last), all
 * plain !AIVDM with good checksums. 100 are "!AIVDM,1,1,,B,,0*25" (empty
 * payload, counted as sentences and rejected as AIS_EMPTY). 20 are the
 * first halves ("!AIVDM,2,1,") of type 5 messages whose second halves are
 * not in the file: 20 orphan fragments at the end. The other 778 decode:
 * 898 - 100 - 20 = 778 (types 1: 667, 3: 76, 4: 6, 15: 7, 18: 19, 20: 1,
 * 24: 2, by first payload character).
 */
static void whole_file_nmea_data_sample(void **state)
{
    (void)state;
    TU_NEED_SHARED(path, "ais/pyais/nmea_data_sample.txt");
    ais_decoder *d = decode_file(path, NULL);
    static const struct file_counts w = {898, 898, 20, 778, 0, 0};
    check_counts(d, &w);
    const struct ais_stats *st = stats(d);
    assert_int_equal(st->bad[ALD_E_AIS_EMPTY], 100);
    assert_int_equal(st->bad[ALD_E_AIS_FRAG_ORPHAN], 20);
    uint64_t nbad = 0;
    for (unsigned i = 0; i < 32; i++)
        nbad += st->bad[i];
    assert_int_equal(nbad, 120);
    assert_int_equal(st->by_type[1], 667);
    assert_int_equal(st->by_type[3], 76);
    assert_int_equal(st->by_type[4], 6);
    assert_int_equal(st->by_type[15], 7);
    assert_int_equal(st->by_type[18], 19);
    assert_int_equal(st->by_type[20], 1);
    assert_int_equal(st->by_type[24], 2);
    ais_decoder_free(d);
}

/*
 * amsa-risky/exact-earth-augmented.txt: 7160 lines; 3188 are $PGHP time
 * stamps (used, so neither errors nor skipped) and 3972 single-part AIS
 * sentences with good checksums. 30 of those have a length their type does
 * not allow (satellite reception: 10 of them the 40-bit type 20
 * "D06rQm0",2 where 72 bits are the least, 4 the 8-bit "00",4, then a
 * 216-bit type 25, a 336-bit type 27, 5 type 16 of 184-312 bits...), leaving
 * 3942 messages. Cross-checked with an independent Python implementation
 * of the length rules of ITU-R M.1371-5 as gpsd applies them.
 */
static void whole_file_exact_earth_augmented(void **state)
{
    (void)state;
    TU_NEED_SHARED(path, "ais/amsa-risky/exact-earth-augmented.txt");
    ais_decoder *d = decode_file(path, NULL);
    static const struct file_counts w = {7160, 3972, 0, 3942, 0, 0};
    check_counts(d, &w);
    const struct ais_stats *st = stats(d);
    assert_int_equal(st->bad[ALD_E_AIS_LENGTH], 30);
    uint64_t nbad = 0;
    for (unsigned i = 0; i < 32; i++)
        nbad += st->bad[i];
    assert_int_equal(nbad, 30);
    assert_int_equal(st->by_type[1], 2686);
    assert_int_equal(st->by_type[5], 912);
    assert_int_equal(source_count(d, "(none)"), 3942);
    ais_decoder_free(d);
}

/* ---- de-armouring against a bit-by-bit reference ---- */

/* 6-bit value of a payload character (the AIS alphabet only). */
static unsigned sixval(char c)
{
    return (unsigned)(c - '0') - (c >= '`' ? 8 : 0);
}

/* Appends the 6 n bits of payload p at bit *pos of buf, bit by bit. */
static void ref_armour(uint8_t *buf, size_t *pos, const char *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        for (int b = 5; b >= 0; b--, (*pos)++) {
            uint8_t mask = (uint8_t)(0x80 >> (*pos % 8));
            if ((sixval(p[i]) >> b) & 1)
                buf[*pos / 8] |= mask;
            else
                buf[*pos / 8] &= (uint8_t)~mask;
        }
}

/* "!AIVDM,n,k,s,A,payload,fill*hh" with its checksum. */
static void sentence(char *out, size_t sz, unsigned n, unsigned k, const char *payload,
                     size_t len, unsigned fill)
{
    char body[300];
    snprintf(body, sizeof body, "AIVDM,%u,%u,%s,A,%.*s,%u", n, k, n > 1 ? "3" : "",
             (int)len, payload, fill);
    unsigned cs = 0;
    for (const char *c = body; *c; c++)
        cs ^= (unsigned char)*c;
    snprintf(out, sz, "!%s*%02X", body, cs);
}

/*
 * armour() writes 8 characters (48 bits) at a time, the last 1-7 as one
 * padded block, and carries the bits of a fragment that does not start on a
 * byte boundary. Type 17 (DGNSS) payloads of every length from 14 to 136
 * characters, in one sentence and split in 2 or 3 fragments with fill bits
 * (each fragment's fill bits come off, the last one's stay past bitlen, as
 * in gpsd), must give the bits of the reference, including the raw bytes
 * past bitlen that type 17's data copies.
 */
static void armour_matches_a_bit_by_bit_reference(void **state)
{
    (void)state;
    static const char alphabet[] =
        "0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVW`abcdefghijklmnopqrstuvw";
    uint32_t rnd = 12345;
    ais_decoder *d = new_dec(NULL);
    for (size_t len = 14; len <= 136; len++) {
        for (unsigned split = 1; split <= 3; split++) {
            for (unsigned fill = 0; fill <= 5; fill++) {
                char payload[140];
                payload[0] = 'A';                   /* type 17 */
                for (size_t i = 1; i < len; i++) {
                    rnd = rnd * 1103515245u + 12345u;
                    payload[i] = alphabet[(rnd >> 16) % 64];
                }
                /* fragments: cut points, fills of the earlier ones 0-5 */
                size_t cut[4] = {0, split > 1 ? len / 2 : len, split > 2 ? len * 3 / 4 : len, len};
                unsigned fills[3];
                uint8_t want[AIS_BITS_BUF] = {0};
                size_t pos = 0;
                for (unsigned f = 0; f < split; f++) {
                    fills[f] = f + 1 < split ? (fill + f) % 6 : fill;
                    ref_armour(want, &pos, payload + cut[f], cut[f + 1] - cut[f]);
                    pos -= fills[f];
                }
                size_t bitlen = pos;
                if (bitlen < 80)
                    continue;
                K.nmsg = 0;
                for (unsigned f = 0; f < split; f++) {
                    char line[320];
                    sentence(line, sizeof line, split, f + 1, payload + cut[f],
                             cut[f + 1] - cut[f], fills[f]);
                    assert_int_equal(feed(d, line), ALD_E_OK);
                }
                assert_int_equal(K.nmsg, 1);
                const struct ais_gnss17 *t = &K.m[0].msg.u.t17;
                assert_int_equal(K.m[0].msg.type, 17);
                assert_int_equal(t->bitcount, bitlen - 80);
                assert_memory_equal(t->bitdata, want + 10, (t->bitcount + 7) / 8);
            }
        }
    }
    ais_decoder_free(d);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(multipart_in_order),
        cmocka_unit_test(multipart_out_of_order),
        cmocka_unit_test(three_part_order_does_not_matter),
        cmocka_unit_test(multipart_interleaved),
        cmocka_unit_test(multipart_key_includes_talker),
        cmocka_unit_test(group_lines_inherit_source_and_time),
        cmocka_unit_test(group_out_of_order_still_gets_the_source),
        cmocka_unit_test(group_without_source_uses_the_default),
        cmocka_unit_test(groups_from_two_sources_interleaved),
        cmocka_unit_test(full_buffer_evicts_the_oldest_as_orphan),
        cmocka_unit_test(incomplete_message_expires_after_orphan_lines),
        cmocka_unit_test(expiry_counts_lines_without_sentences),
        cmocka_unit_test(finish_counts_every_leftover_fragment),
        cmocka_unit_test(repeated_fragment_restarts_the_message),
        cmocka_unit_test(bad_checksum_is_counted),
        cmocka_unit_test(truncated_type1_is_a_length_error),
        cmocka_unit_test(unknown_type_is_counted),
        cmocka_unit_test(fill_digit_out_of_range),
        cmocka_unit_test(fill_bits_without_payload_bits),
        cmocka_unit_test(fill_bits_come_off_the_message_length),
        cmocka_unit_test(invalid_armour_character),
        cmocka_unit_test(invalid_armour_in_a_multipart_message),
        cmocka_unit_test(empty_payload),
        cmocka_unit_test(oversize_line_is_rejected_and_numbered),
        cmocka_unit_test(several_errors_on_one_line_return_the_first),
        cmocka_unit_test(time_from_tag_block),
        cmocka_unit_test(time_from_trailer),
        cmocka_unit_test(time_none_without_any_clock),
        cmocka_unit_test(pghp_before_a_sentence_beats_its_trailer),
        cmocka_unit_test(pghp_stamps_only_the_next_sentence),
        cmocka_unit_test(pghp_is_not_carried_past_a_rejected_sentence),
        cmocka_unit_test(tag_block_time_beats_pghp_and_trailer),
        cmocka_unit_test(multipart_time_is_the_first_fragments),
        cmocka_unit_test(meta_source_channel_talker_own),
        cmocka_unit_test(default_source_applies_without_tag_block),
        cmocka_unit_test(per_source_counts),
        cmocka_unit_test(by_type_and_totals),
        cmocka_unit_test(type24_parts_are_merged),
        cmocka_unit_test(type24_split_gives_both_parts),
        cmocka_unit_test(type24_parts_on_different_channels_do_not_merge),
        cmocka_unit_test(whole_file_exact_earth_with_tag_block),
        cmocka_unit_test(whole_file_nmea_data_sample),
        cmocka_unit_test(whole_file_exact_earth_augmented),
        cmocka_unit_test(armour_matches_a_bit_by_bit_reference),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
