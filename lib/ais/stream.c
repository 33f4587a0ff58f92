/*
 * stream.c - the AIS stream decoder: text lines in, decoded messages out.
 *
 * For each unit on a line (see nmea.c) it verifies the checksum, takes the
 * receive time (tag block c:, else the Gatehouse $PGHP line just before,
 * else an epoch trailing the checksum), de-armours the 6-bit payload and, for multipart messages, buffers
 * fragments keyed by (source, channel, sequential id, talker) until all have
 * arrived, in any order. Lines of a tag-block group (g:) are matched by group
 * id, so a later line that carries only g: finds its message even when it
 * comes first. Buffering is bounded: at most `max_pending` messages wait at
 * once, and one still incomplete more than `orphan_lines` lines after its
 * first fragment is dropped and counted as orphan. Everything is allocated in
 * ais_decoder_new(); feeding a line allocates nothing (except the first time
 * a new source name is seen, for the per-source counts).
 */
#include <stdlib.h>
#include <string.h>

#include "ais/internal.h"
#include "ais/nmea.h"

#define SRC_MAX 48            /* longest source label kept */
#define FRAG_TEXT_MAX 512     /* payload characters buffered per message */
#define SOURCES_MAX 4096      /* distinct sources counted individually */
#define GROUPS 16             /* tag-block groups remembered for s:/c: */

struct pending {
    bool used;
    size_t line_no;           /* line of the first fragment seen */
    char src[SRC_MAX];
    size_t src_n;             /* its length (bytes before the NUL copied) */
    bool src_known;           /* src came from a tag block s: */
    bool grouped;             /* fragments carry a tag-block g: */
    unsigned g_id;
    char channel;
    int seqid;
    char talker[2];
    bool own;
    unsigned nfrags;
    unsigned have;            /* bit i set: fragment i+1 present */
    unsigned fill[9];
    uint16_t off[9], len[9];
    uint16_t text_len;
    int64_t time_ms;
    char text[FRAG_TEXT_MAX];
};

struct group_memo {
    unsigned id;
    bool used;
    char src[SRC_MAX];
    size_t src_n;
    int64_t time_ms;
};

struct src_count {
    char *name;               /* NULL: empty slot */
    uint64_t count;
};

struct ais_decoder {
    struct ais_decoder_opts opt;
    ais_msg_cb on_msg;
    ais_bad_cb on_bad;
    void *ctx;
    const char *default_source;
    struct ais_stats st;
    struct ais_t24_cache t24;
    int64_t pghp_time_ms;
    size_t line_no;
    size_t oldest_line;       /* <= line_no of every pending message; SIZE_MAX: none */
    struct pending *pend;
    uint64_t *live;           /* bit i set: pend[i].used (a fragment's lookup
                                 visits only these, in slot order) */
    struct group_memo groups[GROUPS];
    unsigned group_next;
    bool group_hit;           /* group_note() found the group's s: */
    struct src_count *srcs;   /* open addressing, SOURCES_MAX slots */
    struct src_count *last_src; /* slot of the last message's source */
    uint64_t src_other, src_none;
    size_t nsrcs;
    char cur_src[SRC_MAX];    /* the last line's source label, terminated */
    size_t cur_src_n;
    uint64_t cur_src_gen;     /* + 1 each time cur_src changes */
    bool last_src_cur;        /* last_src was counted from cur_src ... */
    uint64_t last_src_gen;    /* ... when its generation was this */
    uint8_t bits[AIS_BITS_BUF];
    size_t bits_dirty;        /* bytes of `bits` the last message wrote */
    struct ais_msg msg;
};

ais_decoder *ais_decoder_new(const struct ais_decoder_opts *opts)
{
    ais_decoder *d = calloc(1, sizeof *d);
    if (!d)
        return NULL;
    if (opts)
        d->opt = *opts;
    if (d->opt.max_pending == 0)
        d->opt.max_pending = 64;
    if (d->opt.orphan_lines == 0)
        d->opt.orphan_lines = 1000;
    d->pend = calloc(d->opt.max_pending, sizeof *d->pend);
    d->live = calloc((d->opt.max_pending + 63) / 64, sizeof *d->live);
    d->srcs = calloc(SOURCES_MAX, sizeof *d->srcs);
    if (!d->pend || !d->live || !d->srcs) {
        ais_decoder_free(d);
        return NULL;
    }
    d->pghp_time_ms = AIS_TIME_NONE;
    d->oldest_line = SIZE_MAX;
    return d;
}

void ais_decoder_free(ais_decoder *d)
{
    if (!d)
        return;
    if (d->srcs)
        for (size_t i = 0; i < SOURCES_MAX; i++)
            free(d->srcs[i].name);
    free(d->srcs);
    free(d->live);
    free(d->pend);
    free(d);
}

void ais_decoder_set_cb(ais_decoder *d, ais_msg_cb on_msg, ais_bad_cb on_bad, void *ctx)
{
    d->on_msg = on_msg;
    d->on_bad = on_bad;
    d->ctx = ctx;
}

void ais_decoder_set_default_source(ais_decoder *d, const char *src)
{
    d->default_source = src;
}

const struct ais_stats *ais_decoder_stats(const ais_decoder *d)
{
    return &d->st;
}

/* ---- per-source counts ---- */

static uint32_t hash_str(const char *s)
{
    uint32_t h = 2166136261u;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 16777619u;
    return h;
}

/* strcmp(a, b) == 0 for the short source labels, inline: the library call
 * cost more than the compare itself, once per message. */
static inline bool same_str(const char *a, const char *b)
{
    while (*a && *a == *b) {
        a++;
        b++;
    }
    return *a == *b;
}

/* Notes that last_src was just counted for src. */
static void counted_from(ais_decoder *d, const char *src)
{
    d->last_src_cur = src == d->cur_src;
    d->last_src_gen = d->cur_src_gen;
}

static void count_source(ais_decoder *d, const char *src)
{
    if (!src || !*src) {
        d->src_none++;
        return;
    }
    /* consecutive messages mostly come from the same source: still the
     * label last counted, unchanged in cur_src, needs no compare */
    if (src == d->cur_src && d->last_src_cur && d->last_src_gen == d->cur_src_gen) {
        d->last_src->count++;
        return;
    }
    d->last_src_cur = false;
    if (d->last_src && same_str(d->last_src->name, src)) {
        d->last_src->count++;
        counted_from(d, src);
        return;
    }
    uint32_t h = hash_str(src);
    for (size_t i = 0; i < SOURCES_MAX; i++) {
        struct src_count *c = &d->srcs[(h + i) % SOURCES_MAX];
        if (!c->name) {
            if (d->nsrcs >= SOURCES_MAX / 2)
                break;
            c->name = strdup(src);
            if (!c->name)
                break;
            d->nsrcs++;
            c->count = 1;
            d->last_src = c;
            counted_from(d, src);
            return;
        }
        if (same_str(c->name, src)) {
            c->count++;
            d->last_src = c;
            counted_from(d, src);
            return;
        }
    }
    d->src_other++;
}

bool ais_decoder_source_count(const ais_decoder *d, size_t i,
                              const char **name, uint64_t *count)
{
    size_t k = 0;
    for (size_t j = 0; j < SOURCES_MAX; j++) {
        if (!d->srcs[j].name)
            continue;
        if (k++ == i) {
            *name = d->srcs[j].name;
            *count = d->srcs[j].count;
            return true;
        }
    }
    if (i == k && d->src_none) {
        *name = "(none)";
        *count = d->src_none;
        return true;
    }
    if (i == k + (d->src_none ? 1 : 0) && d->src_other) {
        *name = "(other sources)";
        *count = d->src_other;
        return true;
    }
    return false;
}

/* ---- errors ---- */

static void bad(ais_decoder *d, struct ald_errpos *e, const char *line, size_t len)
{
    if ((unsigned)e->code < 32)
        d->st.bad[e->code]++;
    e->line = (unsigned)d->line_no;
    if (d->on_bad)
        d->on_bad(d->ctx, e, line, len, d->line_no);
}

static ald_err bad_code(ais_decoder *d, ald_err code, const char *msg,
                        const char *line, size_t len, size_t offset)
{
    struct ald_errpos e = {.code = code, .offset = offset, .col = (unsigned)offset + 1};
    strncpy(e.msg, msg, sizeof e.msg - 1);
    bad(d, &e, line, len);
    return code;
}

/* ---- payload ---- */

/* Zeroes the payload buffer: only the bytes the previous message wrote, as
 * everything past them is still zero. */
static void clear_bits(ais_decoder *d)
{
    memset(d->bits, 0, d->bits_dirty);
    d->bits_dirty = 0;
}

/* Notes how far a message wrote into the payload buffer. */
static void dirty_bits(ais_decoder *d, size_t pos)
{
    size_t n = (pos + 7) / 8 + 1;
    if (n > d->bits_dirty)
        d->bits_dirty = n < sizeof d->bits ? n : sizeof d->bits;
}

/* 6-bit value of each payload character ('0'-'W' -> 0-39, '`'-'w' -> 40-63),
 * BAD for characters outside the AIS alphabet. */
#define BAD 0xFF
#define BAD8 BAD, BAD, BAD, BAD, BAD, BAD, BAD, BAD
#define R4(v) (v), (v) + 1, (v) + 2, (v) + 3
#define R8(v) R4(v), R4((v) + 4)
static const uint8_t armour_tab[256] = {
    BAD8, BAD8, BAD8, BAD8, BAD8, BAD8,                    /* 0x00-0x2F */
    R8(0), R8(8), R8(16), R8(24), R8(32),                  /* '0'..'W' */
    BAD8,                                                  /* 'X'..'_' */
    R8(40), R8(48), R8(56),                                /* '`'..'w' */
    BAD8, BAD8, BAD8, BAD8, BAD8, BAD8, BAD8, BAD8, BAD8,  /* 'x'..0xFF */
    BAD8, BAD8, BAD8, BAD8, BAD8, BAD8, BAD8, BAD8,
};
#undef R8
#undef R4
#undef BAD8

/* Stores the low 48 bits of v as 6 bytes, most significant first, at to
 * (with two zero bytes after them: to[6], to[7] must be inside the buffer
 * and free, see armour()). */
static void put48(uint8_t *to, uint64_t v)
{
    v <<= 16;
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    v = __builtin_bswap64(v);
#endif
    memcpy(to, &v, 8);
}

/* De-armours n characters into bits at bit offset *pos (bits past *pos must
 * be zero, except the fill bits a previous fragment left in the 6 after it,
 * which this one overwrites). Returns false on a character outside the AIS
 * alphabet and sets *badat to its index, the bits before it written.
 *
 * Eight characters are 48 bits, whole bytes: a block of eight keeps the bit
 * phase (pos & 7), so it is written as 6 bytes at once with the bits left
 * over from before. The zero bytes put48() adds are past the end of what is
 * written so far and past any earlier fill bits, hence already zero, and
 * inside the buffer: a block is only taken with 8 characters left, and the
 * callers check pos + 6 n <= AIS_MAX_BITS, which leaves 8 bytes of the
 * AIS_BITS_BUF buffer after the last byte written. */
static bool armour(uint8_t *bits, size_t *pos, const char *p, size_t n, size_t *badat)
{
    size_t byte = *pos >> 3;
    unsigned nacc = (unsigned)(*pos & 7);
    uint32_t acc = nacc ? (uint32_t)(bits[byte] >> (8 - nacc)) : 0;
    const unsigned char *c = (const unsigned char *)p;
    size_t i = 0;
    for (; n - i >= 8; i += 8) {
        unsigned t0 = armour_tab[c[i]], t1 = armour_tab[c[i + 1]],
                 t2 = armour_tab[c[i + 2]], t3 = armour_tab[c[i + 3]],
                 t4 = armour_tab[c[i + 4]], t5 = armour_tab[c[i + 5]],
                 t6 = armour_tab[c[i + 6]], t7 = armour_tab[c[i + 7]];
        if ((t0 | t1 | t2 | t3 | t4 | t5 | t6 | t7) & 0x40)
            break;      /* a bad character: the loop below finds which */
        uint64_t v = (uint64_t)t0 << 42 | (uint64_t)t1 << 36 | (uint64_t)t2 << 30 |
                     (uint64_t)t3 << 24 | (uint64_t)t4 << 18 | (uint64_t)t5 << 12 |
                     (uint64_t)t6 << 6 | t7;
        if (nacc) {     /* a later fragment, not on a byte boundary */
            uint64_t all = (uint64_t)(acc & ((1u << nacc) - 1)) << 48 | v;
            put48(bits + byte, all >> nacc);
            acc = (uint32_t)all;    /* its low nacc bits are the ones left over */
        } else {
            put48(bits + byte, v);
        }
        byte += 6;
    }
    /* the last 1-7 characters as a block padded with '0's (zero bits, as
     * past the end there must be; the same bounds hold as for a full block) */
    size_t r = n - i;
    if (r > 0 && r < 8) {
        uint64_t v = 0;
        unsigned seen = 0;
        for (size_t k = 0; k < r; k++) {
            unsigned t = armour_tab[c[i + k]];
            seen |= t;
            v |= (uint64_t)t << (42 - 6 * k);
        }
        if (!(seen & 0x40)) {
            uint64_t all = (uint64_t)(acc & ((1u << nacc) - 1)) << 48 | v;
            put48(bits + byte, all >> nacc);
            /* the low nacc bits did not fit in the 6 bytes: with 7
             * characters after 7 carried bits, one of them is data */
            if (nacc)
                bits[byte + 6] = (uint8_t)(all << (8 - nacc));
            *pos += 6 * n;
            return true;
        }
    }
    for (; i < n; i++) {
        unsigned v = armour_tab[c[i]];
        if (v == BAD) {
            *badat = i;
            *pos += 6 * i;     /* so the caller knows how far bytes were written */
            return false;
        }
        acc = (acc << 6) | v;
        nacc += 6;
        if (nacc >= 8) {
            nacc -= 8;
            bits[byte++] = (uint8_t)(acc >> nacc);
        }
    }
    if (nacc)
        bits[byte] = (uint8_t)(acc << (8 - nacc));
    *pos += 6 * n;
    return true;
}
#undef BAD

static ald_err emit(ais_decoder *d, size_t bitlen, const struct ais_meta *meta,
                   const char *line, size_t len)
{
    int chan = (meta->channel == 'B' || meta->channel == '2') ? 1 : 0;
    ald_err e = ais_decode_bits(d->bits, bitlen, &d->msg, &d->t24, chan);
    if (e != ALD_E_OK) {
        return bad_code(d, e, e == ALD_E_AIS_TYPE ? "message type 0 or 28-63 is not defined" :
                       e == ALD_E_AIS_SUBTYPE ? "type 24 part number must be 0 (A) or 1 (B)" :
                       "payload bit length is impossible for this message type",
                 line, len, 0);
    }
    d->st.messages++;
    d->st.by_type[d->msg.type & 31]++;
    count_source(d, meta->source);
    if (d->msg.type == 24 && d->msg.u.t24.part != AIS_PART_BOTH && !d->opt.split24)
        return ALD_E_OK;
    if (d->on_msg)
        d->on_msg(d->ctx, &d->msg, meta);
    return ALD_E_OK;
}

/* ---- multipart ---- */

/* Whether fragment s (with source src, src_known when it came from a tag
 * block) belongs to pending message p. Fragments of one tag-block group
 * match on the group id, and on the source only when both know theirs (the
 * later lines of a group usually carry only g:); others on the source. */
static bool same_key(const struct pending *p, const char *src, bool src_known,
                     const struct nmea_sentence *s)
{
    if (!p->used || p->channel != s->channel || p->seqid != s->seqid ||
        p->nfrags != s->nfrags || p->talker[0] != s->talker[0] ||
        p->talker[1] != s->talker[1])
        return false;
    if (p->grouped && s->tb.has_group)
        return p->g_id == s->tb.g_id &&
               (!p->src_known || !src_known || same_str(p->src, src));
    return same_str(p->src, src);
}

/* Marks p used or free, in the slot and in the bitmap of live slots. */
static void set_used(ais_decoder *d, struct pending *p, bool used)
{
    size_t i = (size_t)(p - d->pend);
    uint64_t bit = 1ULL << (i % 64);
    p->used = used;
    if (used)
        d->live[i / 64] |= bit;
    else
        d->live[i / 64] &= ~bit;
}

static void drop_pending(ais_decoder *d, struct pending *p, const char *why)
{
    unsigned n = (unsigned)__builtin_popcount(p->have);
    d->st.bad[ALD_E_AIS_FRAG_ORPHAN] += n;
    if (d->on_bad) {
        struct ald_errpos e = {.code = ALD_E_AIS_FRAG_ORPHAN, .line = (unsigned)p->line_no};
        strncpy(e.msg, why, sizeof e.msg - 1);
        d->on_bad(d->ctx, &e, p->text, p->text_len, p->line_no);
    }
    set_used(d, p, false);
}

/* Drops the messages whose first fragment is more than orphan_lines lines
 * old and notes the oldest line still pending. */
static void expire_pending(ais_decoder *d)
{
    size_t oldest = SIZE_MAX;
    for (unsigned i = 0; i < d->opt.max_pending; i++) {
        struct pending *p = &d->pend[i];
        if (!p->used)
            continue;
        if (d->line_no - p->line_no > d->opt.orphan_lines)
            drop_pending(d, p, "incomplete multipart message expired");
        else if (p->line_no < oldest)
            oldest = p->line_no;
    }
    d->oldest_line = oldest;
}

/* The first pending message matching fragment s, in slot order. */
static struct pending *find_pending(ais_decoder *d, const char *src, bool src_known,
                                    const struct nmea_sentence *s)
{
    size_t nwords = (d->opt.max_pending + 63) / 64;
    for (size_t w = 0; w < nwords; w++)
        for (uint64_t m = d->live[w]; m; m &= m - 1) {
            struct pending *p = &d->pend[w * 64 + (size_t)__builtin_ctzll(m)];
            if (same_key(p, src, src_known, s))
                return p;
        }
    return NULL;
}

static struct pending *new_pending(ais_decoder *d)
{
    struct pending *oldest = NULL;
    size_t nwords = (d->opt.max_pending + 63) / 64;
    for (size_t w = 0; w < nwords; w++) {
        /* bits past max_pending are never set: a free bit there means full */
        uint64_t free_slots = ~d->live[w];
        if (free_slots) {
            size_t i = w * 64 + (size_t)__builtin_ctzll(free_slots);
            if (i < d->opt.max_pending)
                return &d->pend[i];
        }
    }
    for (unsigned i = 0; i < d->opt.max_pending; i++) {
        struct pending *p = &d->pend[i];
        if (!p->used)
            return p;
        if (!oldest || p->line_no < oldest->line_no)
            oldest = p;
    }
    drop_pending(d, oldest, "incomplete multipart message evicted (buffer full)");
    return oldest;
}

/* Decodes the complete message held in p. */
static ald_err assemble(ais_decoder *d, struct pending *p, struct ais_meta *meta,
                       const char *line, size_t len)
{
    size_t pos = 0, badat;
    clear_bits(d);
    for (unsigned f = 0; f < p->nfrags; f++) {
        if (pos + 6 * (size_t)p->len[f] > AIS_MAX_BITS) {
            set_used(d, p, false);
            return bad_code(d, ALD_E_AIS_PAYLOAD_TOO_LONG,
                            "reassembled payload exceeds 1192 bits", line, len, 0);
        }
        bool ok = armour(d->bits, &pos, p->text + p->off[f], p->len[f], &badat);
        dirty_bits(d, pos);
        if (!ok) {
            set_used(d, p, false);
            return bad_code(d, ALD_E_AIS_ARMOR,
                            "payload character outside the 6-bit alphabet", line, len, 0);
        }
        /* like gpsd, every fragment's fill bits come off the running length:
         * the next fragment overwrites them (armour() keeps only the bits
         * before pos), and the last one's stay in the buffer past bitlen, where
         * gpsd's raw "data" of type 6 shows them */
        pos -= p->fill[f];
    }
    set_used(d, p, false);
    meta->nfrags = p->nfrags;
    return emit(d, pos, meta, line, len);
}

/* Remembers s:/c: of a tag-block group's first line for its later lines,
 * which usually carry only g:. */
static void group_note(ais_decoder *d, const struct nmea_tagblock *tb, const char **src,
                       size_t *src_n, int64_t *time_ms)
{
    d->group_hit = false;
    if (!tb->has_group)
        return;
    if (tb->src) {
        struct group_memo *g = &d->groups[d->group_next++ % GROUPS];
        g->used = true;
        g->id = tb->g_id;
        memcpy(g->src, *src, *src_n + 1);
        g->src_n = *src_n;
        g->time_ms = *time_ms;
        return;
    }
    /* most recent first: group ids are reused */
    for (unsigned k = 1; k <= GROUPS; k++) {
        struct group_memo *g = &d->groups[(d->group_next - k) % GROUPS];
        if (g->used && g->id == tb->g_id) {
            *src = g->src;
            *src_n = g->src_n;
            if (*time_ms == AIS_TIME_NONE)
                *time_ms = g->time_ms;
            d->group_hit = true;
            return;
        }
    }
}

/* The n bytes at p as a terminated label in d->cur_src, copied only when
 * they differ from the last line's: consecutive lines mostly share their
 * source, and a fresh copy read back at once (into a pending message or a
 * group memo) stalled on store forwarding. */
static const char *line_source(ais_decoder *d, const char *p, size_t n)
{
    if (n != d->cur_src_n || memcmp(d->cur_src, p, n) != 0) {
        memcpy(d->cur_src, p, n);
        d->cur_src[n] = '\0';
        d->cur_src_n = n;
        d->cur_src_gen++;
    }
    return d->cur_src;
}

static ald_err handle_ais(ais_decoder *d, const struct nmea_sentence *s,
                       const char *line, size_t len)
{
    /* the source label (at most SRC_MAX - 1 bytes, terminated) and its
     * length: only those bytes and the NUL are copied around */
    const char *src;
    size_t src_n;
    bool src_known = s->tb.src != NULL;
    struct ais_meta meta;
    /* most specific first: the tag block, then a $PGHP stamping this very
     * sentence (satellite feeds: the trailer is only the logger's clock) */
    int64_t t = s->tb.time_ms;
    if (t == AIS_TIME_NONE)
        t = d->pghp_time_ms;
    if (t == AIS_TIME_NONE)
        t = s->trailer_time_ms;

    if (s->tb.src) {
        src_n = s->tb.src_len < SRC_MAX - 1 ? s->tb.src_len : SRC_MAX - 1;
        src = line_source(d, s->tb.src, src_n);
    } else if (d->default_source) {
        src_n = strnlen(d->default_source, SRC_MAX - 1);
        src = line_source(d, d->default_source, src_n);
    } else {
        src = "";
        src_n = 0;
    }
    group_note(d, &s->tb, &src, &src_n, &t);
    if (s->tb.has_group && !src_known)
        src_known = d->group_hit;

    d->st.sentences++;
    if (s->payload_len == 0) {
        return bad_code(d, ALD_E_AIS_EMPTY, "sentence carries no payload", line, len,
                        (size_t)(s->payload - line));
    }
    meta.time_ms = t;
    meta.source = src[0] ? src : NULL;
    meta.channel = s->channel;
    meta.talker[0] = s->talker[0];
    meta.talker[1] = s->talker[1];
    meta.talker[2] = '\0';
    meta.own = s->own;
    meta.line_no = d->line_no;
    meta.nfrags = 1;

    if (s->nfrags == 1) {
        size_t pos = 0, badat;
        if (6 * s->payload_len > AIS_MAX_BITS) {
            return bad_code(d, ALD_E_AIS_PAYLOAD_TOO_LONG, "payload exceeds 1192 bits",
                            line, len, (size_t)(s->payload - line));
        }
        clear_bits(d);
        bool ok = armour(d->bits, &pos, s->payload, s->payload_len, &badat);
        dirty_bits(d, pos);
        if (!ok) {
            return bad_code(d, ALD_E_AIS_ARMOR, "payload character outside the 6-bit alphabet",
                            line, len, (size_t)(s->payload - line) + badat);
        }
        /* fill <= 5 (nmea.c) and pos >= 6 (payload not empty) */
        return emit(d, pos - s->fill, &meta, line, len);
    }

    d->st.fragments++;
    struct pending *p = find_pending(d, src, src_known, s);
    if (p && (p->have & (1u << (s->fragno - 1)))) {
        drop_pending(d, p, "multipart message restarted before it was complete");
        p = NULL;
    }
    if (!p) {
        p = new_pending(d);
        /* what is read before it is written (fill, off and len of a
         * fragment are set when it arrives): no memset of the slot */
        p->have = 0;
        p->text_len = 0;
        set_used(d, p, true);
        p->line_no = d->line_no;
        memcpy(p->src, src, src_n + 1);
        p->src_n = src_n;
        p->src_known = src_known;
        p->grouped = s->tb.has_group;
        p->g_id = s->tb.g_id;
        if (p->line_no < d->oldest_line)
            d->oldest_line = p->line_no;
        p->channel = s->channel;
        p->seqid = s->seqid;
        p->talker[0] = s->talker[0];
        p->talker[1] = s->talker[1];
        p->own = s->own;
        p->nfrags = s->nfrags;
        p->time_ms = AIS_TIME_NONE;
    }
    if (p->text_len + s->payload_len > FRAG_TEXT_MAX) {
        drop_pending(d, p, "multipart payload too long");
        return bad_code(d, ALD_E_AIS_PAYLOAD_TOO_LONG, "multipart payload too long",
                        line, len, 0);
    }
    if (src_known && !p->src_known) {
        /* the group's line with s: came after lines with only g: */
        memcpy(p->src, src, src_n + 1);
        p->src_n = src_n;
        p->src_known = true;
    }
    unsigned f = s->fragno - 1;
    memcpy(p->text + p->text_len, s->payload, s->payload_len);
    p->off[f] = p->text_len;
    p->len[f] = (uint16_t)s->payload_len;
    p->fill[f] = s->fill;
    p->text_len = (uint16_t)(p->text_len + s->payload_len);
    p->have |= 1u << f;
    if (p->time_ms == AIS_TIME_NONE || (f == 0 && t != AIS_TIME_NONE))
        p->time_ms = t;
    if (p->have == (1u << p->nfrags) - 1) {
        meta.time_ms = p->time_ms;
        src = p->src;     /* the message's, not this line's */
        meta.source = src[0] ? src : NULL;
        return assemble(d, p, &meta, line, len);
    }
    return ALD_E_OK;
}

ald_err ais_decoder_feed(ais_decoder *d, const char *line, size_t len)
{
    const char *end = line + len;
    ald_err first = ALD_E_OK;
    bool any = false;

    d->line_no++;
    d->st.lines++;
    while (end > line && (end[-1] == '\r' || end[-1] == '\n'))
        end--;
    len = (size_t)(end - line);
    if (d->oldest_line != SIZE_MAX && d->line_no - d->oldest_line > d->opt.orphan_lines)
        expire_pending(d);

    const char *p = line;
    while (p < end) {
        struct nmea_sentence s;
        struct ald_errpos err;
        ald_err e = nmea_next(line, p, end, &s, &err);
        if (s.next <= p)    /* always make progress */
            s.next = end;
        p = s.next;
        if (e != ALD_E_OK) {
            if (first == ALD_E_OK)
                first = e;
            bad(d, &err, line, len);
            any = true;
            /* a $PGHP stamps the sentence right after it, even a rejected one */
            if (s.start)
                d->pghp_time_ms = AIS_TIME_NONE;
            continue;
        }
        if (s.tb.present && !s.tb.checksum_ok)
            d->st.tagblock_bad_checksum++;
        switch (s.kind) {
        case NMEA_AIS:
            any = true;
            e = handle_ais(d, &s, line, len);
            if (e != ALD_E_OK && first == ALD_E_OK)
                first = e;
            d->pghp_time_ms = AIS_TIME_NONE;
            break;
        case NMEA_PGHP:
            any = true;
            d->pghp_time_ms = s.pghp_time_ms;
            break;
        case NMEA_OTHER:
            any = true;
            d->st.skipped_other++;
            break;
        case NMEA_NONE:
            break;
        }
    }
    if (!any)
        d->st.skipped_other++;
    return first;
}

void ais_decoder_reject_line(ais_decoder *d, ald_err code, const char *msg,
                             const char *line, size_t len)
{
    d->line_no++;
    d->st.lines++;
    bad_code(d, code, msg, line, len, 0);
}

void ais_decoder_finish(ais_decoder *d)
{
    for (unsigned i = 0; i < d->opt.max_pending; i++)
        if (d->pend[i].used)
            drop_pending(d, &d->pend[i], "input ended before the multipart message was complete");
    /* the next line fed starts a new stream (e.g. the next file) */
    d->line_no = 0;
    d->pghp_time_ms = AIS_TIME_NONE;
    memset(d->groups, 0, sizeof d->groups);
}
