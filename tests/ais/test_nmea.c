/*
 * test_nmea.c - the sentence / tag-block splitter (lib/ais/nmea.c) on real
 * lines. Every line below is copied byte for byte from the file named in the
 * comment above it (paths under ../shared/data/ais); lines marked "derived"
 * are a real line with one field changed and the checksum recomputed, for
 * the errors no capture happens to contain.
 */
#include "testutil.h"

#include <stdio.h>
#include <string.h>

#include "ais/nmea.h"

/* ---- helpers ---- */

static struct nmea_sentence S;
static struct ald_errpos E;

/* Parses the first unit of `line`. */
static ald_err parse(const char *line)
{
    memset(&E, 0, sizeof E);
    return nmea_next(line, line, line + strlen(line), &S, &E);
}

/* Parses the unit starting at `from` (a later unit of the same line). */
static ald_err parse_from(const char *line, const char *from)
{
    memset(&E, 0, sizeof E);
    return nmea_next(line, from, line + strlen(line), &S, &E);
}

/* Byte offset of the first occurrence of `needle` in `line`. */
static size_t off(const char *line, const char *needle)
{
    const char *p = strstr(line, needle);
    assert_non_null(p);
    return (size_t)(p - line);
}

static void assert_span(const char *p, size_t n, const char *want)
{
    assert_int_equal(n, strlen(want));
    assert_memory_equal(p, want, n);
}

static void assert_error_at(ald_err code, const char *line, size_t offset)
{
    assert_int_equal(E.code, code);
    assert_int_equal(E.offset, offset);
    assert_int_equal(E.col, offset + 1);
    assert_true(E.msg[0] != '\0');
    (void)line;
}

/* ---- plain sentences, several talkers ---- */

/* pyais/mixed.txt line 2 */
static const char AI_PLAIN[] = "!AIVDM,1,1,,A,13HOI:0P0000VOHLCnHQKwvL05Ip,0*23";

static void plain_aivdm_fields(void **state)
{
    (void)state;
    const char *l = AI_PLAIN;
    assert_int_equal(parse(l), ALD_E_OK);
    assert_int_equal(S.kind, NMEA_AIS);
    assert_false(S.tb.present);
    assert_int_equal(S.tb.time_ms, AIS_TIME_NONE);
    assert_ptr_equal(S.start, l);
    assert_int_equal(S.len, strlen(l));
    assert_string_equal(S.talker, "AI");
    assert_false(S.own);
    assert_int_equal(S.nfrags, 1);
    assert_int_equal(S.fragno, 1);
    assert_int_equal(S.seqid, -1);
    assert_int_equal(S.channel, 'A');
    assert_span(S.payload, S.payload_len, "13HOI:0P0000VOHLCnHQKwvL05Ip");
    assert_int_equal(S.fill, 0);
    assert_int_equal(S.trailer_time_ms, AIS_TIME_NONE);
    assert_ptr_equal(S.next, l + strlen(l));
}

static void talker_ab_with_sequence_id(void **state)
{
    (void)state;
    /* amsa-risky/nmea-timestamped.txt line 1 */
    const char *l = "\\c:1420030798*00\\!ABVDM,1,1,4,B,17P;HV?P008F98Il;EC1mOwL0@KP,0*22";
    assert_int_equal(parse(l), ALD_E_OK);
    assert_int_equal(S.kind, NMEA_AIS);
    assert_string_equal(S.talker, "AB");
    assert_int_equal(S.seqid, 4);
    assert_int_equal(S.channel, 'B');
    assert_ptr_equal(S.start, l + off(l, "!ABVDM"));
    assert_span(S.payload, S.payload_len, "17P;HV?P008F98Il;EC1mOwL0@KP");
}

static void talker_bs(void **state)
{
    (void)state;
    /* amsa-risky/nmea-timestamped.txt line 2 */
    const char *l = "\\c:1420030797*00\\!BSVDM,1,1,,B,17PCie0P00:;2MmqtCvQ;OwL0400,0*7C";
    assert_int_equal(parse(l), ALD_E_OK);
    assert_string_equal(S.talker, "BS");
    assert_false(S.own);
    assert_int_equal(S.seqid, -1);
    assert_int_equal(S.tb.time_ms, 1420030797000LL);
}

static void talker_as_and_sa(void **state)
{
    (void)state;
    /* amsa-risky/ais.txt.gz line 18 */
    assert_int_equal(parse("!ASVDM,1,1,7,A,404k0WAuhMcg1:=kOMr:C0W005Jt,0*1A"), ALD_E_OK);
    assert_string_equal(S.talker, "AS");
    /* pyais/mixed.txt line 25 */
    const char *l = "\\g:2-2-27300,n:636995*15\\!SAVDM,2,2,2,B,iP`88888880,2*5E";
    assert_int_equal(parse(l), ALD_E_OK);
    assert_string_equal(S.talker, "SA");
    assert_int_equal(S.fill, 2);
}

static void vdo_is_own_vessel_and_channel_may_be_empty(void **state)
{
    (void)state;
    /* amsa-risky/ais.txt.gz line 35 */
    assert_int_equal(parse("!ABVDO,1,1,,,404k0uAuhMcg2bvnQqhCK4o00000,0*06"), ALD_E_OK);
    assert_int_equal(S.kind, NMEA_AIS);
    assert_string_equal(S.talker, "AB");
    assert_true(S.own);
    assert_int_equal(S.channel, 0);
    /* amsa-risky/ais.txt.gz line 8 */
    assert_int_equal(parse("!AIVDO,1,1,,,B000000002EgKjv=lCL03wQ5wP06,0*0F"), ALD_E_OK);
    assert_true(S.own);
    assert_string_equal(S.talker, "AI");
}

static void numeric_channels_are_kept(void **state)
{
    (void)state;
    /* derived from pyais/mixed.txt line 2: channel "2" (some base stations
     * write 1/2 for A/B) */
    assert_int_equal(parse("!AIVDM,1,1,,2,13HOI:0P0000VOHLCnHQKwvL05Ip,0*50"), ALD_E_OK);
    assert_int_equal(S.channel, '2');
}

/* ---- tag blocks ---- */

static void tagblock_c_in_seconds_and_source(void **state)
{
    (void)state;
    /* gfw-ais-tools/ee-multiline.nmea line 1 */
    const char *l = "\\s:66,c:1661782474*36\\!AIVDM,1,1,,A,36=nR7OP0>69WMN3Gt:mu?w02000,0*07";
    assert_int_equal(parse(l), ALD_E_OK);
    assert_true(S.tb.present);
    assert_true(S.tb.checksum_ok);
    assert_int_equal(S.tb.time_ms, 1661782474000LL);
    assert_span(S.tb.src, S.tb.src_len, "66");
    assert_false(S.tb.has_group);
    assert_ptr_equal(S.start, l + off(l, "!AIVDM"));
    assert_int_equal(S.len, strlen(l) - off(l, "!AIVDM"));
    assert_ptr_equal(S.next, l + strlen(l));
}

static void tagblock_c_in_milliseconds(void **state)
{
    (void)state;
    /* gfw-ais-tools/sample.nmea line 1 (with its stray quote at the end) */
    const char *l = "\\c:1599239526500,s:sdr-experiments,T:2020-09-04 18.12.06*5D\\"
                    "!AIVDM,1,1,,A,B>cSnNP00FVur7UaC7WQ3wS1jCJJ,0*73'";
    assert_int_equal(parse(l), ALD_E_OK);
    assert_true(S.tb.checksum_ok);
    assert_int_equal(S.tb.time_ms, 1599239526500LL);
    assert_span(S.tb.src, S.tb.src_len, "sdr-experiments");
    assert_int_equal(S.kind, NMEA_AIS);
    assert_int_equal(S.trailer_time_ms, AIS_TIME_NONE);   /* "'" is no epoch */
    assert_span(S.payload, S.payload_len, "B>cSnNP00FVur7UaC7WQ3wS1jCJJ");
}

static void tagblock_ignores_fields_it_does_not_use(void **state)
{
    (void)state;
    /* gfw-ais-tools/type1-bad-bitcount.nmea line 1: t: is the feed name */
    const char *l = "\\s:rMT4097,t:ais-listener,c:1697012399*7E\\"
                    "!AIVDM,1,1,,A,13UuUj0P00QgDCLEiGAcOOwl2<0Igw;,0*28";
    assert_int_equal(parse(l), ALD_E_OK);
    assert_true(S.tb.checksum_ok);
    assert_span(S.tb.src, S.tb.src_len, "rMT4097");
    assert_int_equal(S.tb.time_ms, 1697012399000LL);
}

static void tagblock_group_first_line(void **state)
{
    (void)state;
    /* gfw-ais-tools/ee-multiline.nmea line 2 */
    const char *l = "\\g:1-2-1278,s:66,c:1661782369*43\\!AIVDM,2,1,3,A,"
                    "56=nR7D00003A<I@E=@TmDh637OS60mA:222220N1@6427?P00888888,0*66";
    assert_int_equal(parse(l), ALD_E_OK);
    assert_true(S.tb.has_group);
    assert_int_equal(S.tb.g_num, 1);
    assert_int_equal(S.tb.g_total, 2);
    assert_int_equal(S.tb.g_id, 1278);
    assert_span(S.tb.src, S.tb.src_len, "66");
    assert_int_equal(S.tb.time_ms, 1661782369000LL);
    assert_int_equal(S.nfrags, 2);
    assert_int_equal(S.fragno, 1);
    assert_int_equal(S.seqid, 3);
}

static void tagblock_group_later_line_has_only_g(void **state)
{
    (void)state;
    /* gfw-ais-tools/ee-multiline.nmea line 3 */
    const char *l = "\\g:2-2-1278*51\\!AIVDM,2,2,3,A,888888888888880,2*27";
    assert_int_equal(parse(l), ALD_E_OK);
    assert_true(S.tb.present);
    assert_true(S.tb.checksum_ok);
    assert_true(S.tb.has_group);
    assert_int_equal(S.tb.g_num, 2);
    assert_int_equal(S.tb.g_total, 2);
    assert_int_equal(S.tb.g_id, 1278);
    assert_null(S.tb.src);
    assert_int_equal(S.tb.time_ms, AIS_TIME_NONE);
    assert_int_equal(S.fragno, 2);
    assert_int_equal(S.fill, 2);
}

static void tagblock_with_checksum_00_is_flagged_but_parsed(void **state)
{
    (void)state;
    /* amsa-risky/nmea-timestamped.txt line 3: the feed writes *00 */
    const char *l = "\\c:1420030798*00\\!ABVDM,1,1,5,A,17P<?B?P008FA;ql<@T@ogwL00Rq,0*01";
    assert_int_equal(parse(l), ALD_E_OK);
    assert_true(S.tb.present);
    assert_false(S.tb.checksum_ok);
    assert_int_equal(S.tb.time_ms, 1420030798000LL);
    assert_int_equal(S.kind, NMEA_AIS);
    assert_int_equal(S.seqid, 5);
}

static void tagblock_group_with_n_s_c(void **state)
{
    (void)state;
    /* pyais/mixed.txt line 24 */
    const char *l = "\\g:1-2-27300,n:636994,s:b003669710,c:1428621738*5F\\!SAVDM,2,1,2,B,"
                    "55Mw@A7J1adAL@?;7WPl58F0U<h4pB222222220t1PN5553fN4g?`4iSp5Rc,0*26";
    assert_int_equal(parse(l), ALD_E_OK);
    assert_true(S.tb.checksum_ok);
    assert_int_equal(S.tb.g_id, 27300);
    assert_span(S.tb.src, S.tb.src_len, "b003669710");
    assert_int_equal(S.tb.time_ms, 1428621738000LL);
}

/* ---- several units on one line ---- */

static void two_units_on_one_line(void **state)
{
    (void)state;
    /* gfw-ais-tools/bad-type5.nmea line 1 */
    const char *l =
        "\\s:rMT2083,t:marinetraffic,c:1698785948*44\\!ABVDM,2,1,8,A,"
        "53l3sj42A590=5Q2220UHE:04=@Ttr222222221@9HH>46ii0=D532Dp?`1D,0*28"
        "\\s:rMT2083,t:marinetraffic,c:1698785947*4B\\!AIVDM,2,2,8,A,888888888888880,2*2C";
    size_t second = off(l, "0*28") + 4;
    assert_int_equal(parse(l), ALD_E_OK);
    assert_string_equal(S.talker, "AB");
    assert_int_equal(S.fragno, 1);
    assert_int_equal(S.tb.time_ms, 1698785948000LL);
    assert_int_equal(S.trailer_time_ms, AIS_TIME_NONE);
    assert_ptr_equal(S.next, l + second);

    assert_int_equal(parse_from(l, S.next), ALD_E_OK);
    assert_string_equal(S.talker, "AI");
    assert_int_equal(S.fragno, 2);
    assert_int_equal(S.fill, 2);
    assert_int_equal(S.tb.time_ms, 1698785947000LL);
    assert_span(S.tb.src, S.tb.src_len, "rMT2083");
    assert_span(S.payload, S.payload_len, "888888888888880");
    assert_ptr_equal(S.next, l + strlen(l));
}

static void two_sentences_without_tag_blocks_on_one_line(void **state)
{
    (void)state;
    /* pyais/mixed.txt lines 2 and 3 run together (a logger that lost the
     * line break): the second sentence must not be taken for a trailer */
    const char *l = "!AIVDM,1,1,,A,13HOI:0P0000VOHLCnHQKwvL05Ip,0*23"
                    "!AIVDM,1,1,,A,133sVfPP00PD>hRMDH@jNOvN20S8,0*7F";
    assert_int_equal(parse(l), ALD_E_OK);
    assert_span(S.payload, S.payload_len, "13HOI:0P0000VOHLCnHQKwvL05Ip");
    assert_ptr_equal(S.next, l + off(l, "0*23") + 4);
    assert_int_equal(parse_from(l, S.next), ALD_E_OK);
    assert_span(S.payload, S.payload_len, "133sVfPP00PD>hRMDH@jNOvN20S8");
}

/* ---- receive times after the checksum ---- */

static void uscg_trailer_epoch_seconds(void **state)
{
    (void)state;
    /* libais/test.aivdm line 4: ,b<station>,<epoch s> */
    const char *l = "!AIVDM,1,1,,A,15B4FT5000JRP>PE6E68Nbkl0PS5,0*70,b003669794,1272412827";
    assert_int_equal(parse(l), ALD_E_OK);
    assert_int_equal(S.kind, NMEA_AIS);
    assert_int_equal(S.trailer_time_ms, 1272412827000LL);
    assert_int_equal(S.len, off(l, ",b003669794"));
    assert_ptr_equal(S.next, l + strlen(l));
    /* libais/test.aivdm line 6: the b2... station form */
    l = "!AIVDM,1,1,,B,15Mw1U?P00qNGTP@v`0@9wwn26sd,0*0E,b2003669950,1272412827";
    assert_int_equal(parse(l), ALD_E_OK);
    assert_int_equal(S.trailer_time_ms, 1272412827000LL);
}

static void exacteearth_trailer_epoch_milliseconds(void **state)
{
    (void)state;
    /* amsa-risky/exact-earth-augmented.txt line 2 */
    const char *l = "!AIVDM,1,1,,B,IFICEMae<`HfcEV4M8aEWM<2VH1j6?;6<t9>,0*51,1327992119173";
    assert_int_equal(parse(l), ALD_E_OK);
    assert_int_equal(S.kind, NMEA_AIS);
    assert_int_equal(S.trailer_time_ms, 1327992119173LL);
    assert_int_equal(S.fill, 0);
}

static void pghp_gives_its_time(void **state)
{
    (void)state;
    /* amsa-risky/exact-earth-augmented.txt line 1:
     * 2012-01-31 05:07:02.151 UTC = 1327986422 s + 151 ms */
    const char *l = "$PGHP,1,2012,1,31,5,7,2,151,316,2,316000002,1AIS_S,51*77,1327992119157";
    assert_int_equal(parse(l), ALD_E_OK);
    assert_int_equal(S.kind, NMEA_PGHP);
    assert_int_equal(S.pghp_time_ms, 1327986422151LL);
    /* its own trailer is the logger's clock, a different time */
    assert_int_equal(S.trailer_time_ms, 1327992119157LL);
    /* pyais/timestamped.ais line 1: 2008-05-09 00:00:00.010 = 1210291200 s */
    assert_int_equal(parse("$PGHP,1,2008,5,9,0,0,0,10,338,2,,1,09*17"), ALD_E_OK);
    assert_int_equal(S.kind, NMEA_PGHP);
    assert_int_equal(S.pghp_time_ms, 1210291200010LL);
}

static void pghp_with_bad_checksum_is_an_error(void **state)
{
    (void)state;
    /* derived from pyais/timestamped.ais line 1, checksum 17 -> 18 */
    const char *l = "$PGHP,1,2008,5,9,0,0,0,10,338,2,,1,09*18";
    assert_int_equal(parse(l), ALD_E_NMEA_CHECKSUM);
    assert_error_at(ALD_E_NMEA_CHECKSUM, l, off(l, "*18"));
}

/* ---- lines that are not AIS ---- */

static void comment_lines_are_nothing(void **state)
{
    (void)state;
    /* pyais/gatehouse.nmea line 4 and pyais/mixed.txt line 1 */
    assert_int_equal(parse("# a random comment"), ALD_E_OK);
    assert_int_equal(S.kind, NMEA_NONE);
    assert_int_equal(parse("# taken from https://www.aishub.net/ais-dispatcher"), ALD_E_OK);
    assert_int_equal(S.kind, NMEA_NONE);
    assert_int_equal(parse(""), ALD_E_OK);
    assert_int_equal(S.kind, NMEA_NONE);
}

static void text_without_a_sentence_is_nothing(void **state)
{
    (void)state;
    /* pyais/mixed.txt lines 14 and 21 */
    assert_int_equal(parse("foobar"), ALD_E_OK);
    assert_int_equal(S.kind, NMEA_NONE);
    assert_int_equal(parse("IamNotAnAisMessage1111"), ALD_E_OK);
    assert_int_equal(S.kind, NMEA_NONE);
}

static void other_nmea_sentences_are_other(void **state)
{
    (void)state;
    /* pyais/mixed.txt lines 7 and 13 */
    assert_int_equal(parse("$GPGGA,184353.07,1929.045,S,02410.506,E,1,04,2.6,100.00,M,-33.9,M,,0000*6D"),
                     ALD_E_OK);
    assert_int_equal(S.kind, NMEA_OTHER);
    assert_int_equal(parse("$GPR00,A,B,C*29"), ALD_E_OK);
    assert_int_equal(S.kind, NMEA_OTHER);
    /* amsa-risky/ais.txt.gz line 1260: $ABALR alarm from the receiver */
    assert_int_equal(parse("$ABALR,000004,001,V,A,AIS: Tx malfunction*7D"), ALD_E_OK);
    assert_int_equal(S.kind, NMEA_OTHER);
}

static void junk_before_a_sentence_is_skipped(void **state)
{
    (void)state;
    /* derived: a logger's time stamp in front of pyais/mixed.txt line 2 */
    const char *l = "2012-01-31 05:07:02 !AIVDM,1,1,,A,13HOI:0P0000VOHLCnHQKwvL05Ip,0*23";
    assert_int_equal(parse(l), ALD_E_OK);
    assert_int_equal(S.kind, NMEA_AIS);
    assert_ptr_equal(S.start, l + off(l, "!AIVDM"));
    assert_span(S.payload, S.payload_len, "13HOI:0P0000VOHLCnHQKwvL05Ip");
    /* leading blanks */
    l = "  \t!AIVDM,1,1,,A,13HOI:0P0000VOHLCnHQKwvL05Ip,0*23";
    assert_int_equal(parse(l), ALD_E_OK);
    assert_ptr_equal(S.start, l + 3);
    /* junk then a tag block */
    l = "xx\\s:66,c:1661782474*36\\!AIVDM,1,1,,A,36=nR7OP0>69WMN3Gt:mu?w02000,0*07";
    assert_int_equal(parse(l), ALD_E_OK);
    assert_true(S.tb.present);
    assert_int_equal(S.tb.time_ms, 1661782474000LL);
}

/* ---- errors ---- */

static void bad_checksum(void **state)
{
    (void)state;
    /* gfw-ais-tools/errors.nmea line 2 (the payload lost 3 characters) */
    const char *l = "\\s:rMT6214,t:marinetraffic,c:1699401684*4D\\"
                    "!AIVDM,1,1,,A,33`d`fEP00PCaVFMFM?I@gvf2D=r,0*77";
    assert_int_equal(parse(l), ALD_E_NMEA_CHECKSUM);
    assert_error_at(ALD_E_NMEA_CHECKSUM, l, off(l, "*77"));
    assert_int_equal(E.col, 88);     /* what `alidade -v` prints */
    assert_ptr_equal(S.next, l + strlen(l));
    /* gfw-ais-tools/single-message-type-5.nmea line 1 */
    l = "\\c:1711942361,s:terrestrial,t:spire*4B\\!AIVDM,1,1,,A,"
        "56:=31`000008QaF220QD60`T4pN3N2222222216>pN5@50e0ES2@C`6EC`1hCQp8888880,2*60";
    assert_int_equal(parse(l), ALD_E_NMEA_CHECKSUM);
    assert_error_at(ALD_E_NMEA_CHECKSUM, l, off(l, "*60"));
}

static void missing_checksum(void **state)
{
    (void)state;
    /* amsa-risky/ais.txt.gz line 124: a cut line, but not an AIS sentence:
     * skipped like any other NMEA, not an error */
    const char *l = "!AIPWR,UNIT=0,PWV";
    assert_int_equal(parse(l), ALD_E_OK);
    assert_int_equal(S.kind, NMEA_OTHER);
    /* derived from pyais/mixed.txt line 2: checksum cut off */
    l = "!AIVDM,1,1,,A,13HOI:0P0000VOHLCnHQKwvL05Ip,0*2";
    assert_int_equal(parse(l), ALD_E_NMEA_FORMAT);
    assert_error_at(ALD_E_NMEA_FORMAT, l, 0);
    assert_ptr_equal(S.next, l + strlen(l));
}

static void bad_tagblock_checksum_then_sentence_without_checksum(void **state)
{
    (void)state;
    /* pyais/mixed.txt line 23: "*A" is no tag-block checksum, and the
     * sentence ends in ",013" with no '*' */
    const char *l = "\\g:1-2-73874,n:157036,s:r003669945,c:12415440354*A\\"
                    "!AIVDM,1,1,,B,15N4cJ005Jrek0H@9nDW5608EP,013";
    assert_int_equal(parse(l), ALD_E_TAGBLOCK);
    assert_error_at(ALD_E_TAGBLOCK, l, 0);
    assert_ptr_equal(S.next, l + off(l, "!AIVDM"));
    assert_int_equal(parse_from(l, S.next), ALD_E_NMEA_FORMAT);
    assert_error_at(ALD_E_NMEA_FORMAT, l, off(l, "!AIVDM"));
    assert_ptr_equal(S.next, l + strlen(l));
}

static void non_hex_checksum(void **state)
{
    (void)state;
    /* derived from pyais/mixed.txt line 2: checksum "2G" */
    const char *l = "!AIVDM,1,1,,A,13HOI:0P0000VOHLCnHQKwvL05Ip,0*2G";
    assert_int_equal(parse(l), ALD_E_NMEA_FORMAT);
    assert_error_at(ALD_E_NMEA_FORMAT, l, off(l, "*2G"));
    /* amsa-risky/ais.txt.gz line 1629: a garbled receiver alarm: not AIS,
     * skipped */
    l = "$ABALR,020819,037,V,A,AIS: Frame synchronisation failure*lure*46";
    assert_int_equal(parse(l), ALD_E_OK);
    assert_int_equal(S.kind, NMEA_OTHER);
    /* a garbled AIS start ("!=IVDM", amsa-risky/ais.txt.gz) stays an error */
    l = "!=IVDM,1,1,,B,13mG0<0P@3*zz";
    assert_int_equal(parse(l), ALD_E_NMEA_FORMAT);
}

static void bad_tagblock_group(void **state)
{
    (void)state;
    /* gfw-ais-tools/bad-tagblock-group.nmea line 1: "g:1-2--001" */
    const char *l = "\\g:1-2--001,c:1326055296*3C\\!AIVDM,2,1,3,A,"
                    "E7`B1:dW7oHth@@@@@@@@@@@@@@6@6R;mMQM@10888Qr8`8888888888,0*65";
    assert_int_equal(parse(l), ALD_E_TAGBLOCK);
    assert_error_at(ALD_E_TAGBLOCK, l, 1);
    assert_ptr_equal(S.next, l + off(l, "!AIVDM"));
    /* gfw-ais-tools/spire-test.nmea line 2, second unit: "g:2-1-1" */
    l = "\\g:2-1-1*00\\!AIVDM,2,2,1,A,00000000000,2*25";
    assert_int_equal(parse(l), ALD_E_TAGBLOCK);
    assert_error_at(ALD_E_TAGBLOCK, l, 1);
}

static void bad_tagblock_time(void **state)
{
    (void)state;
    /* derived from gfw-ais-tools/ee-multiline.nmea line 1: c: not a number */
    const char *l = "\\s:66,c:16617x2474*76\\!AIVDM,1,1,,A,36=nR7OP0>69WMN3Gt:mu?w02000,0*07";
    assert_int_equal(parse(l), ALD_E_TAGBLOCK);
    assert_error_at(ALD_E_TAGBLOCK, l, off(l, "c:"));
    /* a tag block without its closing backslash */
    l = "\\s:66,c:1661782474*36!AIVDM,1,1,,A,36=nR7OP0>69WMN3Gt:mu?w02000,0*07";
    assert_int_equal(parse(l), ALD_E_TAGBLOCK);
    assert_error_at(ALD_E_TAGBLOCK, l, 0);
}

static void talker_must_be_letters_or_digits(void **state)
{
    (void)state;
    /* amsa-risky/ais.txt.gz line 22 */
    const char *l = "!=IVDM,1,1,,A,18JSmJ001D8FqSClKd51JAD20D0W,0*2E";
    assert_int_equal(parse(l), ALD_E_NMEA_FORMAT);
    assert_error_at(ALD_E_NMEA_FORMAT, l, 1);
}

static void wrong_field_count(void **state)
{
    (void)state;
    /* derived from pyais/mixed.txt line 2: no fill field */
    const char *l = "!AIVDM,1,1,,A,13HOI:0P0000VOHLCnHQKwvL05Ip*3F";
    assert_int_equal(parse(l), ALD_E_NMEA_FORMAT);
    assert_error_at(ALD_E_NMEA_FORMAT, l, 0);
    /* ... and one field too many */
    l = "!AIVDM,1,1,,A,13HOI:0P0000VOHLCnHQKwvL05Ip,0,X*57";
    assert_int_equal(parse(l), ALD_E_NMEA_FORMAT);
    assert_error_at(ALD_E_NMEA_FORMAT, l, 0);
}

static void fragment_count_out_of_range(void **state)
{
    (void)state;
    /* derived from pyais/mixed.txt line 2 */
    const char *l = "!AIVDM,0,1,,A,13HOI:0P0000VOHLCnHQKwvL05Ip,0*22";
    assert_int_equal(parse(l), ALD_E_AIS_FRAG_COUNT);
    assert_error_at(ALD_E_AIS_FRAG_COUNT, l, 7);
    l = "!AIVDM,10,1,,A,13HOI:0P0000VOHLCnHQKwvL05Ip,0*13";
    assert_int_equal(parse(l), ALD_E_AIS_FRAG_COUNT);
    assert_error_at(ALD_E_AIS_FRAG_COUNT, l, 7);
}

static void fragment_number_out_of_range(void **state)
{
    (void)state;
    /* derived from pyais/mixed.txt line 2: part 2 of 1 */
    const char *l = "!AIVDM,1,2,,A,13HOI:0P0000VOHLCnHQKwvL05Ip,0*20";
    assert_int_equal(parse(l), ALD_E_AIS_FRAG_COUNT);
    assert_error_at(ALD_E_AIS_FRAG_COUNT, l, 9);
}

static void sequence_id_must_be_one_digit(void **state)
{
    (void)state;
    /* derived from pyais/mixed.txt line 2: sequential id 10 */
    const char *l = "!AIVDM,1,1,10,A,13HOI:0P0000VOHLCnHQKwvL05Ip,0*22";
    assert_int_equal(parse(l), ALD_E_NMEA_FORMAT);
    assert_error_at(ALD_E_NMEA_FORMAT, l, 11);
}

static void bad_fill_digit(void **state)
{
    (void)state;
    /* derived from pyais/mixed.txt line 2: fill 6, then no fill digit */
    const char *l = "!AIVDM,1,1,,A,13HOI:0P0000VOHLCnHQKwvL05Ip,6*25";
    assert_int_equal(parse(l), ALD_E_AIS_FILL);
    assert_error_at(ALD_E_AIS_FILL, l, off(l, "6*25"));
    l = "!AIVDM,1,1,,A,13HOI:0P0000VOHLCnHQKwvL05Ip,*13";
    assert_int_equal(parse(l), ALD_E_AIS_FILL);
    assert_error_at(ALD_E_AIS_FILL, l, off(l, "*13"));
}

static void channel_longer_than_one_character(void **state)
{
    (void)state;
    /* derived from pyais/mixed.txt line 2: channel "AB" */
    const char *l = "!AIVDM,1,1,,AB,13HOI:0P0000VOHLCnHQKwvL05Ip,0*61";
    assert_int_equal(parse(l), ALD_E_AIS_CHANNEL);
    assert_error_at(ALD_E_AIS_CHANNEL, l, 12);
}

static void empty_payload_is_parsed(void **state)
{
    (void)state;
    /* pyais/nmea_data_sample.txt line 4: the stream decoder rejects it */
    const char *l = "!AIVDM,1,1,,B,,0*25";
    assert_int_equal(parse(l), ALD_E_OK);
    assert_int_equal(S.kind, NMEA_AIS);
    assert_int_equal(S.payload_len, 0);
    assert_ptr_equal(S.payload, l + 14);
}

static void unknown_vd_formatter_is_an_error(void **state)
{
    (void)state;
    /* derived from pyais/mixed.txt line 2: !AIVDX */
    const char *l = "!AIVDX,1,1,,A,13HOI:0P0000VOHLCnHQKwvL05Ip,0*36";
    assert_int_equal(parse(l), ALD_E_NMEA_FORMAT);
    assert_error_at(ALD_E_NMEA_FORMAT, l, 0);
}

/* ---- the fast paths and the general parser agree ---- */

/* "<prefix>!<body>*hh" with the sentence checksum of body; prefix is an
 * optional tag block "\\<tb>*hh\\" built the same way (tb NULL: none). */
static const char *make_line(char *buf, size_t sz, const char *tb, const char *body)
{
    unsigned cs = 0, tcs = 0;
    for (const char *c = body; *c; c++)
        cs ^= (unsigned char)*c;
    if (tb) {
        for (const char *c = tb; *c; c++)
            tcs ^= (unsigned char)*c;
        snprintf(buf, sz, "\\%s*%02X\\!%s*%02X", tb, tcs, body, cs);
    } else {
        snprintf(buf, sz, "!%s*%02X", body, cs);
    }
    return buf;
}

static void assert_same_unit(const struct nmea_sentence *a, const struct nmea_sentence *b)
{
    assert_int_equal(a->kind, b->kind);
    assert_int_equal(a->tb.present, b->tb.present);
    assert_int_equal(a->tb.checksum_ok, b->tb.checksum_ok);
    assert_true(a->tb.time_ms == b->tb.time_ms);
    assert_int_equal(a->tb.src_len, b->tb.src_len);
    if (a->tb.src_len)
        assert_memory_equal(a->tb.src, b->tb.src, a->tb.src_len);
    assert_int_equal(a->tb.has_group, b->tb.has_group);
    assert_int_equal(a->tb.g_num, b->tb.g_num);
    assert_int_equal(a->tb.g_total, b->tb.g_total);
    assert_int_equal(a->tb.g_id, b->tb.g_id);
    assert_memory_equal(a->talker, b->talker, 3);
    assert_int_equal(a->own, b->own);
    assert_int_equal(a->nfrags, b->nfrags);
    assert_int_equal(a->fragno, b->fragno);
    assert_int_equal(a->seqid, b->seqid);
    assert_int_equal(a->channel, b->channel);
    assert_int_equal(a->payload_len, b->payload_len);
    assert_memory_equal(a->payload, b->payload, a->payload_len);
    assert_int_equal(a->fill, b->fill);
    assert_true(a->trailer_time_ms == b->trailer_time_ms);
}

/*
 * nmea.c reads the usual sentence and tag block on fast paths and leaves
 * anything else to the general parser. Each pair below says the same thing
 * once in the usual form and once in a form only the general parser takes
 * (a leading zero, a channel byte below '/', an extra tag-block field, a
 * '*' inside s:): the units must agree field for field, and have the values
 * written here. (derived lines: pyais/mixed.txt line 2's payload)
 */
static void fast_and_general_paths_agree(void **state)
{
    (void)state;
    static const struct {
        const char *tb1, *body1, *tb2, *body2;
    } pairs[] = {
        {NULL, "AIVDM,1,1,,A,13HOI:0P0000VOHLCnHQKwvL05Ip,0",
         NULL, "AIVDM,01,1,,A,13HOI:0P0000VOHLCnHQKwvL05Ip,0"},
        {NULL, "AIVDO,2,2,7,B,13HOI:0P0000VOHLCnHQKwvL05Ip,2",
         NULL, "AIVDO,2,02,07,B,13HOI:0P0000VOHLCnHQKwvL05Ip,2"},
        {"s:rx1,c:1661782474", "BSVDM,1,1,,,13HOI:0P0000VOHLCnHQKwvL05Ip,0",
         "s:rx1,d:x,c:1661782474", "BSVDM,1,1,,,13HOI:0P0000VOHLCnHQKwvL05Ip,0"},
        {"g:1-2-1278,s:66,c:1661782369123", "AIVDM,2,1,3,A,13HOI:0P0000VOHLCnHQKwvL05Ip,0",
         "g:01-2-1278,s:66,c:1661782369123", "AIVDM,2,1,3,A,13HOI:0P0000VOHLCnHQKwvL05Ip,0"},
    };
    for (size_t i = 0; i < sizeof pairs / sizeof pairs[0]; i++) {
        char l1[200], l2[200];
        struct nmea_sentence a;
        make_line(l1, sizeof l1, pairs[i].tb1, pairs[i].body1);
        make_line(l2, sizeof l2, pairs[i].tb2, pairs[i].body2);
        assert_int_equal(parse(l1), ALD_E_OK);
        a = S;
        assert_int_equal(parse(l2), ALD_E_OK);
        assert_same_unit(&a, &S);
        assert_int_equal(a.kind, NMEA_AIS);
        assert_span(a.payload, a.payload_len, "13HOI:0P0000VOHLCnHQKwvL05Ip");
    }
    char l[200];
    /* values of the pairs above */
    assert_int_equal(parse(make_line(l, sizeof l, NULL, pairs[1].body2)), ALD_E_OK);
    assert_true(S.own);
    assert_int_equal(S.nfrags, 2);
    assert_int_equal(S.fragno, 2);
    assert_int_equal(S.seqid, 7);
    assert_int_equal(S.channel, 'B');
    assert_int_equal(S.fill, 2);
    assert_int_equal(parse(make_line(l, sizeof l, pairs[2].tb2, pairs[2].body2)), ALD_E_OK);
    assert_true(S.tb.present && S.tb.checksum_ok);
    assert_span(S.tb.src, S.tb.src_len, "rx1");
    assert_true(S.tb.time_ms == 1661782474000);
    assert_int_equal(S.channel, 0);
    assert_int_equal(parse(make_line(l, sizeof l, pairs[3].tb2, pairs[3].body2)), ALD_E_OK);
    assert_true(S.tb.has_group);
    assert_int_equal(S.tb.g_num, 1);
    assert_int_equal(S.tb.g_total, 2);
    assert_int_equal(S.tb.g_id, 1278);
    assert_true(S.tb.time_ms == 1661782369123);
    /* forms only the general parser reads, with what it makes of them */
    assert_int_equal(parse(make_line(l, sizeof l, NULL,
                                     "AIVDM,1,1,,#,13HOI:0P0000VOHLCnHQKwvL05Ip,0")), ALD_E_OK);
    assert_int_equal(S.channel, '#');
    assert_int_equal(parse(make_line(l, sizeof l, "s:a*b,c:1661782474",
                                     "AIVDM,1,1,,A,13HOI:0P0000VOHLCnHQKwvL05Ip,0")), ALD_E_OK);
    assert_span(S.tb.src, S.tb.src_len, "a*b");
    /* a wrong sentence checksum is the general parser's to report */
    make_line(l, sizeof l, NULL, "AIVDM,1,1,,A,13HOI:0P0000VOHLCnHQKwvL05Ip,0");
    l[strlen(l) - 1] = l[strlen(l) - 1] == '0' ? '1' : '0';
    assert_int_equal(parse(l), ALD_E_NMEA_CHECKSUM);
    /* a wrong tag-block checksum is flagged, not an error, on both paths */
    assert_int_equal(parse("\\s:rx1,c:1661782474*00\\!AIVDM,1,1,,A,13HOI:0P0000VOHLCnHQKwvL05Ip,0*23"),
                     ALD_E_OK);
    assert_true(S.tb.present && !S.tb.checksum_ok);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(plain_aivdm_fields),
        cmocka_unit_test(talker_ab_with_sequence_id),
        cmocka_unit_test(talker_bs),
        cmocka_unit_test(talker_as_and_sa),
        cmocka_unit_test(vdo_is_own_vessel_and_channel_may_be_empty),
        cmocka_unit_test(numeric_channels_are_kept),
        cmocka_unit_test(tagblock_c_in_seconds_and_source),
        cmocka_unit_test(tagblock_c_in_milliseconds),
        cmocka_unit_test(tagblock_ignores_fields_it_does_not_use),
        cmocka_unit_test(tagblock_group_first_line),
        cmocka_unit_test(tagblock_group_later_line_has_only_g),
        cmocka_unit_test(tagblock_with_checksum_00_is_flagged_but_parsed),
        cmocka_unit_test(tagblock_group_with_n_s_c),
        cmocka_unit_test(two_units_on_one_line),
        cmocka_unit_test(two_sentences_without_tag_blocks_on_one_line),
        cmocka_unit_test(uscg_trailer_epoch_seconds),
        cmocka_unit_test(exacteearth_trailer_epoch_milliseconds),
        cmocka_unit_test(pghp_gives_its_time),
        cmocka_unit_test(pghp_with_bad_checksum_is_an_error),
        cmocka_unit_test(comment_lines_are_nothing),
        cmocka_unit_test(text_without_a_sentence_is_nothing),
        cmocka_unit_test(other_nmea_sentences_are_other),
        cmocka_unit_test(junk_before_a_sentence_is_skipped),
        cmocka_unit_test(bad_checksum),
        cmocka_unit_test(missing_checksum),
        cmocka_unit_test(bad_tagblock_checksum_then_sentence_without_checksum),
        cmocka_unit_test(non_hex_checksum),
        cmocka_unit_test(bad_tagblock_group),
        cmocka_unit_test(bad_tagblock_time),
        cmocka_unit_test(talker_must_be_letters_or_digits),
        cmocka_unit_test(wrong_field_count),
        cmocka_unit_test(fragment_count_out_of_range),
        cmocka_unit_test(fragment_number_out_of_range),
        cmocka_unit_test(sequence_id_must_be_one_digit),
        cmocka_unit_test(bad_fill_digit),
        cmocka_unit_test(channel_longer_than_one_character),
        cmocka_unit_test(empty_payload_is_parsed),
        cmocka_unit_test(unknown_vd_formatter_is_an_error),
        cmocka_unit_test(fast_and_general_paths_agree),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
