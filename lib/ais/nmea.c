/*
 * nmea.c - splits a text line into NMEA 0183 units and parses AIS sentences.
 *
 * Forms seen in real captures (../shared/data/ais) and handled here:
 *   !AIVDM,1,1,,A,<payload>,0*5C                     plain (any talker)
 *   \s:src,c:1661782474*36\!AIVDM,...                NMEA 4.10 tag block
 *   \g:2-2-1278*51\!AIVDM,...                        tag-block group
 *   ...*hh\s:...\!AIVDM,...*hh                       two units on one line
 *   !AIVDM,...*hh,b003669702,1241544035              USCG trailer (epoch s)
 *   !AIVDM,...*hh,1328133720012                      exactEarth (epoch ms)
 *   $PGHP,1,2012,2,1,20,19,5,651,...*4B             Gatehouse time stamp
 * Checksums are XOR of the bytes between the start mark and '*'. A tag block
 * with a wrong checksum is still parsed (several feeds write *00) and is
 * flagged so the caller can count it.
 */
#include <string.h>

#include "ais/nmea.h"
#include "ais/swar.h"

/* Value of a hex digit, -1 for other bytes: a table, as the checksum digits
 * are random and a compare chain mispredicts on half of them. */
static const int8_t hex_tab[256] = {
#define N16 -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1
    N16, N16, N16,                                              /* 0x00-0x2F */
    0, 1, 2, 3, 4, 5, 6, 7, 8, 9, -1, -1, -1, -1, -1, -1,       /* '0'-'9' */
    -1, 10, 11, 12, 13, 14, 15, -1, -1, -1, -1, -1, -1, -1, -1, -1, /* 'A'-'F' */
    N16,
    -1, 10, 11, 12, 13, 14, 15, -1, -1, -1, -1, -1, -1, -1, -1, -1, /* 'a'-'f' */
    N16, N16, N16, N16, N16, N16, N16, N16, N16,                /* 0x70-0xFF */
#undef N16
};

static inline int hexval(char c)
{
    return hex_tab[(unsigned char)c];
}

static ald_err fail(struct ald_errpos *err, ald_err code, const char *line,
                    const char *at, const char *msg)
{
    err->code = code;
    err->offset = (size_t)(at - line);
    err->line = 0;
    err->col = (unsigned)(at - line) + 1;
    strncpy(err->msg, msg, sizeof err->msg - 1);
    err->msg[sizeof err->msg - 1] = '\0';
    return code;
}

/* Value of the 8 decimal digits at p, known to be digits: pairs, quads and
 * the two halves combined with one multiply each (byte k is p[k], the most
 * significant digit first). */
static inline uint64_t digits8(const char *p)
{
    uint64_t w = swar_load(p) - SWAR_ONES * '0';
    w = (w * 10 + (w >> 8)) & 0x00FF00FF00FF00FFULL;
    w = (w * 100 + (w >> 16)) & 0x0000FFFF0000FFFFULL;
    return (w * 10000 + (w >> 32)) & 0xFFFFFFFFULL;
}

/* Parses up to 19 decimal digits in [p, e); returns false if not all digits. */
static bool parse_u64(const char *p, const char *e, uint64_t *out)
{
    uint64_t v = 0;
    if (p >= e || e - p > 19)
        return false;
    /* eight digits at a time (the 10-13 digit epochs of tag blocks and
     * trailers) */
    for (; e - p >= 8; p += 8) {
        uint64_t w = swar_load(p);
        if (swar_below(w, '0') | swar_above(w, '9'))
            return false;
        v = v * 100000000 + digits8(p);
    }
    for (; p < e; p++) {
        if (*p < '0' || *p > '9')
            return false;
        v = v * 10 + (uint64_t)(*p - '0');
    }
    *out = v;
    return true;
}

/* parse_u64() with the one-digit case (fragment fields) inline. */
static inline bool parse_small(const char *p, const char *e, uint64_t *out)
{
    if (e - p == 1 && *p >= '0' && *p <= '9') {
        *out = (uint64_t)(*p - '0');
        return true;
    }
    return parse_u64(p, e, out);
}

/* Epoch in seconds (<= 11 digits) or milliseconds (12-13 digits) -> ms. */
static int64_t epoch_ms(const char *p, const char *e)
{
    uint64_t v;
    if (!parse_u64(p, e, &v))
        return AIS_TIME_NONE;
    size_t n = (size_t)(e - p);
    if (n >= 9 && n <= 11)
        return (int64_t)v * 1000;
    if (n >= 12 && n <= 13)
        return (int64_t)v;
    return AIS_TIME_NONE;
}

/* A tag block not seen (yet). */
static inline void tb_clear(struct nmea_tagblock *tb)
{
    tb->present = false;
    tb->checksum_ok = false;
    tb->time_ms = AIS_TIME_NONE;
    tb->src = NULL;
    tb->src_len = 0;
    tb->has_group = false;
    tb->g_num = tb->g_total = tb->g_id = 0;
}

/* One tag-block field f..fe ("k:v"): c:, s: and g: are kept. */
static inline ald_err tb_field(const char *line, const char *f, const char *fe,
                        struct nmea_tagblock *tb, struct ald_errpos *err)
{
    if (fe - f < 2 || f[1] != ':')
        return ALD_E_OK;
    const char *v = f + 2;
    switch (f[0]) {
    case 'c':
        tb->time_ms = epoch_ms(v, fe);
        if (tb->time_ms == AIS_TIME_NONE)
            return fail(err, ALD_E_TAGBLOCK, line, f, "tag block c: is not a UNIX time");
        break;
    case 's':
        tb->src = v;
        tb->src_len = (size_t)(fe - v);
        break;
    case 'g': {
        /* n-total-id */
        uint64_t a, b, c;
        const char *d1 = swar_find(v, fe, '-');
        const char *d2 = d1 ? swar_find(d1 + 1, fe, '-') : NULL;
        if (!d1 || !d2 || !parse_small(v, d1, &a) || !parse_small(d1 + 1, d2, &b) ||
            !parse_u64(d2 + 1, fe, &c) || a == 0 || b == 0 || a > b || b > 9 ||
            c > 0xFFFFFFFFu)
            return fail(err, ALD_E_TAGBLOCK, line, f, "tag block g: is not n-total-id");
        tb->has_group = true;
        tb->g_num = (unsigned)a;
        tb->g_total = (unsigned)b;
        tb->g_id = (unsigned)c;
        break;
    }
    default:
        break;  /* d:, n:, r:, t:, T:, i: carry nothing we use */
    }
    return ALD_E_OK;
}

/* Length of the run of decimal digits at v (stops at lim). */
static inline size_t digit_run(const char *v, const char *lim)
{
    const char *d = v;
    if (lim - d >= 8) {
        uint64_t w = swar_load(d);
        uint64_t m = swar_below(w, '0') | swar_above(w, '9');
        if (m)
            return swar_first(m);
        d += 8;
    }
    while (d < lim && *d >= '0' && *d <= '9')
        d++;
    return (size_t)(d - v);
}

/*
 * The usual tag block, "\" then fields c:<epoch>, s:<label> (no ',', '*' or
 * backslash in it) and g:<n>-<total>-<id> (one-digit n and total) separated
 * by commas, then "*hh\": read straight through into tb (cleared by the
 * caller) and returns true with *after past the closing backslash; false
 * for anything else (other fields, bad values, ...), after which the
 * caller clears tb again and parse_tagblock() reads the block from the
 * start and reports. The checksum may be wrong (flagged, as there).
 */
static bool fast_tagblock(const char *p, const char *end, struct nmea_tagblock *tb,
                          const char **after)
{
    struct nmea_tagblock *t = tb;
    const char *q = p + 1, *f = q, *star;
    for (;;) {
        /* "k:" and at least one byte more */
        if (end - f < 3 || f[1] != ':')
            return false;
        const char *v = f + 2, *fe;
        if (f[0] == 'c') {
            size_t n = digit_run(v, end);
            if (n < 9 || n > 13)
                return false;
            fe = v + n;
            /* as epoch_ms(): 9-11 digits are seconds, 12-13 milliseconds */
            uint64_t x = digits8(v);
            for (const char *d = v + 8; d < fe; d++)
                x = x * 10 + (uint64_t)(*d - '0');
            t->time_ms = n <= 11 ? (int64_t)x * 1000 : (int64_t)x;
        } else if (f[0] == 's') {
            fe = v;
            for (; end - fe >= 8; fe += 8) {
                uint64_t w = swar_load(fe);
                uint64_t m = swar_eq(w, ',') | swar_eq(w, '*') | swar_eq(w, '\\');
                if (m) {
                    fe += swar_first(m);
                    goto s_end;
                }
            }
            while (fe < end && *fe != ',' && *fe != '*' && *fe != '\\')
                fe++;
s_end:
            t->src = v;
            t->src_len = (size_t)(fe - v);
        } else if (f[0] == 'g') {
            if (end - v < 5 || v[0] < '1' || v[0] > '9' || v[1] != '-' || v[2] < '1' ||
                v[2] > '9' || v[0] > v[2] || v[3] != '-')
                return false;
            size_t n = digit_run(v + 4, end);
            uint64_t id = 0;
            if (n == 0 || n > 10)
                return false;
            for (size_t k = 0; k < n; k++)
                id = id * 10 + (uint64_t)(v[4 + k] - '0');
            if (id > 0xFFFFFFFFu)
                return false;
            fe = v + 4 + n;
            t->has_group = true;
            t->g_num = (unsigned)(v[0] - '0');
            t->g_total = (unsigned)(v[2] - '0');
            t->g_id = (unsigned)id;
        } else {
            return false;
        }
        if (fe >= end)
            return false;
        if (*fe == '*') {
            star = fe;
            break;
        }
        if (*fe != ',')
            return false;
        f = fe + 1;
    }
    /* no backslash before the star, none after it but the closing one, and
     * hex digits between: the star is the last one before the first
     * backslash, as parse_tagblock() requires */
    if (end - star < 4 || star[3] != '\\')
        return false;
    int h1 = hexval(star[1]), h2 = hexval(star[2]);
    if (h1 < 0 || h2 < 0)
        return false;
    t->present = true;
    t->checksum_ok = swar_xor(q, star) == (unsigned)(h1 * 16 + h2);
    *after = star + 4;
    return true;
}

#define TB_COMMAS 15          /* commas noted in the scan; more are found again */

/* Parses "\...*hh\" at p (p points at the opening backslash). One scan to
 * the closing backslash XORs the bytes and notes the commas on the way. */
static ald_err parse_tagblock(const char *line, const char *p, const char *end,
                              struct nmea_tagblock *tb, const char **after,
                              struct ald_errpos *err)
{
    const char *q = p + 1;
    const char *close = NULL;
    const char *comma[TB_COMMAS];
    unsigned ncomma = 0;
    bool many = false;
    uint64_t acc = 0;
    unsigned cs = 0;
    const char *r = q;
    for (; end - r >= 8; r += 8) {
        uint64_t w = swar_load(r);
        for (uint64_t m = swar_eq(w, '\\') | swar_eq(w, ','); m; m &= m - 1) {
            unsigned k = swar_first(m);
            if (r[k] == '\\') {
                close = r + k;
                acc ^= swar_head(w, k);
                goto scanned;
            }
            if (ncomma < TB_COMMAS)
                comma[ncomma++] = r + k;
            else
                many = true;
        }
        acc ^= w;
    }
    for (; r < end; r++) {
        if (*r == '\\') {
            close = r;
            break;
        }
        if (*r == ',') {
            if (ncomma < TB_COMMAS)
                comma[ncomma++] = r;
            else
                many = true;
        }
        cs ^= (unsigned char)*r;
    }
scanned:
    if (!close)
        return fail(err, ALD_E_TAGBLOCK, line, p, "tag block has no closing backslash");
    /* the last '*' before the closing backslash must be 3 bytes before it */
    if (close - q < 3 || close[-3] != '*' || close[-2] == '*' || close[-1] == '*')
        return fail(err, ALD_E_TAGBLOCK, line, p, "tag block has no *hh checksum");
    const char *star = close - 3;
    int h1 = hexval(star[1]), h2 = hexval(star[2]);
    if (h1 < 0 || h2 < 0)
        return fail(err, ALD_E_TAGBLOCK, line, star, "tag block checksum is not hex");
    /* the scan XORed [q, close): take "*hh" back out */
    cs ^= swar_xor_fold(acc) ^ '*' ^ (unsigned char)star[1] ^ (unsigned char)star[2];
    tb->present = true;
    tb->checksum_ok = cs == (unsigned)(h1 * 16 + h2);
    /* fields k:v separated by commas (none in "*hh": hex digits) */
    const char *f = q;
    for (unsigned i = 0; i < ncomma; i++) {
        ald_err e = tb_field(line, f, comma[i], tb, err);
        if (e != ALD_E_OK)
            return e;
        f = comma[i] + 1;
    }
    while (f < star) {
        const char *fe = many ? swar_find(f, star, ',') : NULL;
        if (!fe)
            fe = star;
        ald_err e = tb_field(line, f, fe, tb, err);
        if (e != ALD_E_OK)
            return e;
        f = fe + 1;
    }
    *after = close + 1;
    return ALD_E_OK;
}

/* $PGHP,1,yyyy,mm,dd,hh,mm,ss,ms,... -> epoch ms */
static int64_t pghp_time(const char **fs, const char **fe, int n)
{
    uint64_t v[8];
    if (n < 9 || fe[1] - fs[1] != 1 || fs[1][0] != '1')
        return AIS_TIME_NONE;
    for (int i = 0; i < 7; i++)
        if (!parse_u64(fs[2 + i], fe[2 + i], &v[i]))
            return AIS_TIME_NONE;
    uint64_t y = v[0], mo = v[1], d = v[2];
    if (y < 1970 || y > 9999 || mo < 1 || mo > 12 || d < 1 || d > 31 ||
        v[3] > 23 || v[4] > 59 || v[5] > 60 || v[6] > 999)
        return AIS_TIME_NONE;
    /* days from civil (H. Hinnant's algorithm) */
    int64_t yy = (int64_t)y - (mo <= 2);
    int64_t era = yy / 400;
    int64_t yoe = yy - era * 400;
    int64_t doy = (153 * ((int64_t)mo + (mo > 2 ? -3 : 9)) + 2) / 5 + (int64_t)d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    int64_t days = era * 146097 + doe - 719468;
    return ((days * 24 + (int64_t)v[3]) * 60 + (int64_t)v[4]) * 60000 +
           (int64_t)v[5] * 1000 + (int64_t)v[6];
}

/* A backslash that opens a tag block: "\\x:" with a field letter. */
static bool tagblock_start(const char *p, const char *end)
{
    return end - p >= 3 && p[0] == '\\' &&
           ((p[1] >= 'a' && p[1] <= 'z') || (p[1] >= 'A' && p[1] <= 'Z')) && p[2] == ':';
}

/* After "*hh": an epoch in the last all-digit comma field, up to the next
 * tag block or sentence start ('!' or '$': two sentences run together when a
 * logger loses a line break; no trailer format uses them) or the end of the
 * line. */
static void parse_trailer(const char *p, const char *end, struct nmea_sentence *s)
{
    const char *stop = p;
    while (stop < end && *stop != '!' && *stop != '$' && !tagblock_start(stop, end))
        stop++;
    s->next = stop;
    if (p >= stop || *p != ',')
        return;
    const char *e = stop;
    while (e > p && (e[-1] == ' ' || e[-1] == '\t'))
        e--;
    while (e > p) {
        const char *c = e - 1;
        while (c >= p && *c != ',')
            c--;
        int64_t t = epoch_ms(c + 1, e);
        if (t != AIS_TIME_NONE) {
            s->trailer_time_ms = t;
            return;
        }
        e = c;
        if (e <= p)
            return;
    }
}

/* Notes the comma at r: ends field n, starts n + 1 (at most 24 fields). */
static inline void note_field(const char **fs, const char **fe, int *n, const char *r)
{
    if (*n < 23) {
        fe[*n] = r;
        fs[++*n] = r + 1;
    } else {
        *n = 24;                /* too many fields: not AIS, still NMEA */
    }
}

/* "!xxVD...": an AIS sentence, possibly garbled in its talker ("!=IVDM"). Other
 * sentences that are broken are skipped like any other NMEA, not errors. */
static bool looks_ais(const char *p, const char *end)
{
    return end - p >= 5 && p[0] == '!' && p[3] == 'V' && p[4] == 'D';
}

static bool talker_char(char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

/* A byte that ends a field or a sentence, or may start the next unit. */
static inline bool special(unsigned char c)
{
    return c <= '.' || c == '\\';
}

/*
 * The usual AIS sentence, "!ttVDM,n,m,[s],[c],payload,f*hh", read straight
 * through: one-digit counts and sequence id, a channel of one byte or none,
 * a non-empty payload, fill 0-5, a right checksum. Fills s as the general
 * path below would and returns true; false for anything else, which the
 * general path then reads (and reports) from the start: this one never
 * decides that a sentence is bad.
 */
static bool fast_ais(const char *p, const char *end, struct nmea_sentence *s)
{
    /* p[0..14] is the longest header, "!ttVDM,n,m,s,c," */
    if (end - p < 15 || p[3] != 'V' || p[4] != 'D' || (p[5] != 'M' && p[5] != 'O') ||
        p[6] != ',' || !talker_char(p[1]) || !talker_char(p[2]))
        return false;
    const char *q = p + 7;
    if (q[0] < '1' || q[0] > '9' || q[1] != ',' || q[2] < '1' || q[2] > q[0] || q[3] != ',')
        return false;
    q += 4;
    int seqid = -1;
    if (q[0] >= '0' && q[0] <= '9' && q[1] == ',') {
        seqid = q[0] - '0';
        q += 2;
    } else if (q[0] == ',') {
        q += 1;
    } else {
        return false;
    }
    char channel = 0;
    if (!special((unsigned char)q[0]) && q[1] == ',') {
        channel = q[0];
        q += 2;
    } else if (q[0] == ',') {
        q += 1;
    } else {
        return false;
    }
    /* the payload runs to the first special byte, which must be the comma
     * before "f*hh" */
    const char *pl = q;
    uint64_t acc = 0;           /* XOR of the payload, words */
    unsigned cs = 0;            /* and bytes */
    for (; end - q >= 8; q += 8) {
        uint64_t w = swar_load(q);
        uint64_t m = swar_below(w, '.' + 1) | swar_eq(w, '\\');
        if (m) {
            unsigned k = swar_first(m);
            acc ^= swar_head(w, k);
            q += k;
            goto found;
        }
        acc ^= w;
    }
    while (q < end && !special((unsigned char)*q))
        cs ^= (unsigned char)*q++;
found:
    if (q == pl || end - q < 5 || q[0] != ',' || q[1] < '0' || q[1] > '5' || q[2] != '*')
        return false;
    const char *star = q + 2;
    int h1 = hexval(star[1]), h2 = hexval(star[2]);
    if (h1 < 0 || h2 < 0)
        return false;
    /* the header p+1..pl (11 to 14 bytes) as two loads, the second cut to
     * the bytes past the first 8 (all inside the line: the payload and
     * ",f*hh" follow) */
    uint64_t head = swar_load(p + 1) ^ swar_head(swar_load(p + 9), (unsigned)(pl - (p + 9)));
    cs ^= swar_xor_fold(acc ^ head) ^ ',' ^ (unsigned char)q[1];
    if (cs != (unsigned)(h1 * 16 + h2))
        return false;
    s->kind = NMEA_AIS;
    s->start = p;
    s->len = (size_t)(star + 3 - p);
    s->talker[0] = p[1];
    s->talker[1] = p[2];
    s->own = p[5] == 'O';
    s->nfrags = (unsigned)(p[7] - '0');
    s->fragno = (unsigned)(p[9] - '0');
    s->seqid = seqid;
    s->channel = channel;
    s->payload = pl;
    s->payload_len = (size_t)(q - pl);
    s->fill = (unsigned)(q[1] - '0');
    parse_trailer(star + 3, end, s);
    return true;
}

ald_err nmea_next(const char *line, const char *p, const char *end,
                  struct nmea_sentence *s, struct ald_errpos *err)
{
    /* field by field, not memset(): a memset of the whole struct per line
     * compiles to `rep stos`, whose start-up cost showed in profiles */
    s->kind = NMEA_AIS;
    tb_clear(&s->tb);
    s->start = NULL;
    s->len = 0;
    s->talker[0] = s->talker[1] = s->talker[2] = '\0';
    s->own = false;
    s->nfrags = s->fragno = 0;
    s->seqid = -1;
    s->channel = 0;
    s->payload = NULL;
    s->payload_len = 0;
    s->fill = 0;
    s->trailer_time_ms = AIS_TIME_NONE;
    s->pghp_time_ms = AIS_TIME_NONE;
    s->next = end;

    while (p < end && (*p == ' ' || *p == '\t'))
        p++;
    if (p < end && *p == '#') {
        s->kind = NMEA_NONE;     /* comment line */
        return ALD_E_OK;
    }
    if (p < end && *p == '\\') {
        const char *after;
        ald_err e = ALD_E_OK;
        if (!fast_tagblock(p, end, &s->tb, &after)) {
            tb_clear(&s->tb);
            e = parse_tagblock(line, p, end, &s->tb, &after, err);
        }
        if (e != ALD_E_OK) {
            /* skip to the next unit start, if any */
            const char *bang = memchr(p + 1, '!', (size_t)(end - p - 1));
            s->next = bang ? bang : end;
            return e;
        }
        p = after;
    }
    if (p >= end || (*p != '!' && *p != '$')) {
        /* junk before a sentence (logger prefixes): find the next start */
        const char *q = p;
        while (q < end && *q != '!' && *q != '$' && !tagblock_start(q, end))
            q++;
        if (q >= end || s->tb.present) {
            s->kind = s->tb.present ? NMEA_OTHER : NMEA_NONE;
            if (s->tb.present && q < end) {
                s->next = q;
                return fail(err, ALD_E_NMEA_FORMAT, line, p, "tag block not followed by a sentence");
            }
            return ALD_E_OK;
        }
        if (*q == '\\')
            return nmea_next(line, q, end, s, err);
        p = q;
    }
    if (*p == '!' && fast_ais(p, end, s))
        return ALD_E_OK;
    s->start = p;
    /* one pass: find '*', XOR the checksum and note the comma fields. The
     * bytes that need a look are ',', '*', '!', '$' (all at most '.') and
     * the backslash: eight bytes at a time, only those are visited (in an
     * AIS sentence the six commas and the star); the tail byte by byte. */
    const char *star = NULL;
    const char *fs[24], *fe[24];
    int n = 0;
    unsigned cs = 0;
    uint64_t acc = 0;              /* XOR of whole words, folded at the end */
    const char *r = p + 1;
    fs[0] = r;
    for (; end - r >= 8; r += 8) {
        uint64_t w = swar_load(r);
        uint64_t m = swar_below(w, '.' + 1) | swar_eq(w, '\\');
        for (; m; m &= m - 1) {
            unsigned k = swar_first(m);
            unsigned char c = (unsigned char)(w >> (8 * k));
            if (c == ',') {
                note_field(fs, fe, &n, r + k);
            } else if (c == '*' || c == '!' || c == '$' || c == '\\') {
                if (c == '*')
                    star = r + k;
                acc ^= swar_head(w, k);
                goto scanned;
            }
            /* any other byte below '/' is only checksummed */
        }
        acc ^= w;
    }
    for (; r < end; r++) {
        unsigned char c = (unsigned char)*r;
        if (c == '*') {
            star = r;
            break;
        }
        if (c == '!' || c == '$' || c == '\\')
            break;
        if (c == ',')
            note_field(fs, fe, &n, r);
        cs ^= c;
    }
scanned:
    cs ^= swar_xor_fold(acc);
    if (!star || end - star < 3) {
        const char *q = star ? star : p + 1;
        while (q < end && *q != '\\' && *q != '!' && *q != '$')
            q++;
        s->next = q;
        if (!looks_ais(p, end)) {
            s->kind = NMEA_OTHER;     /* broken non-AIS sentence: skipped */
            return ALD_E_OK;
        }
        return fail(err, ALD_E_NMEA_FORMAT, line, p, "sentence has no *hh checksum");
    }
    if (n < 24)
        fe[n++] = star;
    s->len = (size_t)(star + 3 - p);
    int h1 = hexval(star[1]), h2 = hexval(star[2]);
    parse_trailer(star + 3, end, s);
    if (h1 < 0 || h2 < 0) {
        if (!looks_ais(p, end)) {
            s->kind = NMEA_OTHER;
            return ALD_E_OK;
        }
        return fail(err, ALD_E_NMEA_FORMAT, line, star, "checksum is not two hex digits");
    }

    size_t alen = (size_t)(fe[0] - fs[0]);
    bool ais = *p == '!' && alen == 5 && memcmp(fs[0] + 2, "VD", 2) == 0 &&
               (fs[0][4] == 'M' || fs[0][4] == 'O');
    if (!ais) {
        if (*p == '$' && alen == 4 && memcmp(fs[0], "PGHP", 4) == 0) {
            if (cs != (unsigned)(h1 * 16 + h2))
                return fail(err, ALD_E_NMEA_CHECKSUM, line, star, "checksum mismatch in $PGHP");
            s->kind = NMEA_PGHP;
            s->pghp_time_ms = pghp_time(fs, fe, n);
            return ALD_E_OK;
        }
        s->kind = NMEA_OTHER;
        if (*p == '!' && alen == 5 && fs[0][2] == 'V' && fs[0][3] == 'D')
            return fail(err, ALD_E_NMEA_FORMAT, line, p, "unknown VD sentence formatter");
        return ALD_E_OK;
    }
    s->kind = NMEA_AIS;
    if (!talker_char(fs[0][0]) || !talker_char(fs[0][1]))
        return fail(err, ALD_E_NMEA_FORMAT, line, p + 1, "talker id is not two letters/digits");
    if (cs != (unsigned)(h1 * 16 + h2))
        return fail(err, ALD_E_NMEA_CHECKSUM, line, star, "checksum mismatch");
    if (n != 7)
        return fail(err, ALD_E_NMEA_FORMAT, line, p, "AIS sentence must have 7 fields");
    s->talker[0] = fs[0][0];
    s->talker[1] = fs[0][1];
    s->own = fs[0][4] == 'O';
    uint64_t v;
    if (!parse_small(fs[1], fe[1], &v) || v < 1 || v > 9)
        return fail(err, ALD_E_AIS_FRAG_COUNT, line, fs[1], "fragment count must be 1-9");
    s->nfrags = (unsigned)v;
    if (!parse_small(fs[2], fe[2], &v) || v < 1 || v > s->nfrags)
        return fail(err, ALD_E_AIS_FRAG_COUNT, line, fs[2], "fragment number must be 1-count");
    s->fragno = (unsigned)v;
    if (fe[3] > fs[3]) {
        if (!parse_small(fs[3], fe[3], &v) || v > 9)
            return fail(err, ALD_E_NMEA_FORMAT, line, fs[3], "sequential message id must be 0-9");
        s->seqid = (int)v;
    }
    if (fe[4] - fs[4] > 1)
        return fail(err, ALD_E_AIS_CHANNEL, line, fs[4], "channel must be one character");
    s->channel = fe[4] > fs[4] ? fs[4][0] : 0;
    s->payload = fs[5];
    s->payload_len = (size_t)(fe[5] - fs[5]);
    if (fe[6] - fs[6] != 1 || fs[6][0] < '0' || fs[6][0] > '5')
        return fail(err, ALD_E_AIS_FILL, line, fs[6], "fill bits must be one digit 0-5");
    s->fill = (unsigned)(fs[6][0] - '0');
    return ALD_E_OK;
}
