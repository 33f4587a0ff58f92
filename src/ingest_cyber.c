/*
 * ingest_cyber.c - followed Suricata EVE and Zeek logs against the
 * indicators in the node's store (ingest_int.h), the live form of
 * `alidade match --indicators store --store` (src/cmd_match.c: the same
 * library calls: ald_iset from the store's indicator rows, ald_scanner per
 * stream, ald_sightings per indicator and hour, record_stix for the
 * observed-data).
 *
 * The indicator set is compiled once at start, then a background thread
 * looks every few seconds whether an indicator was added to any
 * collection after the newest one compiled and, when one was (or every
 * hour, for validity windows and deletions), compiles a new set and swaps
 * it in: each stream takes the new set at its next block of lines; the old
 * one is freed when the last stream lets it go. The scan never stops.
 *
 * Sightings: each batch folds its hits per indicator and hour (as match),
 * and at commit each sighting is merged with the version already stored
 * (count added, first_seen/last_seen widened, observed_data_refs joined,
 * modified newer): the store holds one sighting per indicator and hour whose
 * latest version counts every committed hit once. A batch re-read after a
 * kill -9 was never committed, so its hits are counted once too. The raw
 * lines of the hits go to the sighting_line table in the same transaction
 * (sighting_lines.h: first and last 20 per sighting; local, never shared).
 *
 * Indicators: every collection of the store (store_indicators.h: the
 * latest version of each id, once), so partners' indicators pulled or
 * posted into their own collections are matched too.
 *
 * GENERAL indicators (patterns the fast matcher cannot decide) go to the
 * evaluator (match_general.h) as `alidade match` does: the scanners then
 * parse every line and hand each record over; single-observation patterns
 * are decided on it at once, the others keep candidates and are decided at
 * every batch (cyber_take: ald_general_step, whose matches do not depend on
 * when it runs, so the node finds what `alidade match` finds over the same
 * log). The evaluator belongs to the current set; a recompile moves the
 * candidates of the indicators that stay to the new one (docs/node.md).
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alidade/match_general.h"
#include "alidade/sighting_lines.h"
#include "alidade/stix.h"
#include "clock.h"
#include "ingest_int.h"
#include "store_indicators.h"

#define POLL_MS 3000
#define RECOMPILE_MS (3600 * 1000)
#define HEADER_MAX 65536
#define MAX_REFS 50
/* candidates kept per multi-observation indicator: a node has 512 MB, a
 * candidate (its observed-data parsed, its line) a few KB */
#define LIVE_MAX_OBS 10000

struct iset_ref {
    ald_iset *set;
    ald_general *general;            /* NULL: no GENERAL indicator */
    int refs;
    uint64_t gen;
};

/* What one batch found (taken by the committer). */
struct cyber_batch {
    ald_sightings *sig;
    record_stix *objs;
    sighting_lines *lines;           /* raw lines of the hits, per sighting */
    char now[STIX_TIME_TEXT];
    /* names of the indicators hit (for the news) */
    char **ids, **names;
    size_t n, cap;
};

struct cyber {
    struct ingest *in;
    struct iset_ref *cur;            /* mu */
    uint64_t gen;
    struct cyber_batch *batch;       /* mu; NULL until a hit */
    enum stix_tlp tlp;
    pthread_t th;
    bool started;
    store *st;                       /* the recompiler's connection */
    int64_t last_added;
    int64_t compiled_us;
    size_t d_hits, d_sightings, nind;/* mu */
    size_t general_warned;           /* warnings logged about general indicators */
};

/* What a scanner's callbacks need about the block being fed (mu held). */
struct feed_ctx {
    struct cyber *cy;
    struct source *s;
    const char *buf;                 /* the block, and its offset in the file */
    size_t len;
    int64_t start_off;               /* -1: unknown */
    /* what observed-data ids name: "LABEL@INODE" and the line's offset + 1
     * (a scanner's line numbers restart with every new scanner: a restart,
     * a recompile; the same id would then name two different lines) */
    char name[INGEST_LABEL_MAX + 24];
    bool failed;
};

struct stream {
    ald_scanner *sc;
    struct iset_ref *ref;
    ald_log_format fmt;
    char *hdr;                       /* Zeek TSV header lines, for later scanners */
    size_t hlen;
    bool data_seen;                  /* a line that is not a header came */
    struct feed_ctx fc;              /* the scanner's record callback context */
};

/* ---- the indicator set ---- */

static void ref_put(struct iset_ref *r)
{
    if (r && --r->refs == 0) {
        ald_general_free(r->general);   /* (before its set) */
        ald_iset_free(r->set);
        free(r);
    }
}

static void general_warn(void *ctx, const char *id, const char *why)
{
    struct cyber *cy = ctx;
    if (cy->general_warned++ < 20)
        nlog_kv(cy->in->log, NLOG_WARN, "ingest", "indicator not evaluated", "indicator", id,
                "reason", why, NULL);
}

/* Every indicator (latest version of each id, every collection), compiled,
 * with the evaluator of its GENERAL ones. */
static struct iset_ref *compile_set(struct cyber *cy, store *st, char *why, size_t cap)
{
    struct ingest *in = cy->in;
    int64_t t0 = clock_wall_us();
    ald_iset *set = ald_iset_new();
    if (!set) {
        snprintf(why, cap, "out of memory");
        return NULL;
    }
    ald_iset_set_validity(set, ALD_VALID_NOW, t0);
    struct store_indicators si;
    ald_err e = store_indicators_load(st, NULL, set, NULL, NULL, &si);
    struct ald_errpos ep = {0};
    if (e == ALD_E_OK)
        e = ald_iset_compile(set, &ep);
    if (e != ALD_E_OK) {
        snprintf(why, cap, "%s: %s", ald_strerror(e), ep.msg[0] ? ep.msg : store_errmsg(st));
        ald_iset_free(set);
        return NULL;
    }
    struct iset_ref *r = calloc(1, sizeof *r);
    if (!r) {
        ald_iset_free(set);
        snprintf(why, cap, "out of memory");
        return NULL;
    }
    r->set = set;
    r->refs = 1;
    struct ald_iset_stats ist;
    ald_iset_stats(set, &ist);
    size_t nsingle = 0, nmulti = 0;
    if (ist.status[ALD_IND_GENERAL]) {
        char now[STIX_TIME_TEXT];
        stix_time_format(t0, now);
        struct ald_general_opts go = {.identity_id = in->ident_id, .now = now,
                                      .max_obs = LIVE_MAX_OBS};
        r->general = ald_general_new(set, &go, general_warn, cy);
        if (!r->general) {
            ald_iset_free(set);
            free(r);
            snprintf(why, cap, "out of memory");
            return NULL;
        }
        ald_general_counts(r->general, &nsingle, &nmulti);
    }
    cy->last_added = si.max_added;
    cy->compiled_us = clock_wall_us();
    char a[32], b1[32], b2[32], c[32], d[32], k[32], du[32];
    snprintf(a, sizeof a, "%zu", ist.status[ALD_IND_SIMPLE]);
    snprintf(b1, sizeof b1, "%zu", nsingle);
    snprintf(b2, sizeof b2, "%zu", nmulti);
    snprintf(c, sizeof c, "%zu", ist.status[ALD_IND_EXPIRED] + ist.status[ALD_IND_REVOKED] +
                                 ist.status[ALD_IND_INVALID] + ist.status[ALD_IND_UNSUPPORTED] +
                                 ist.status[ALD_IND_GENERAL] - nsingle - nmulti);
    snprintf(d, sizeof d, "%.3f", (double)(cy->compiled_us - t0) / 1e6);
    snprintf(k, sizeof k, "%zu", si.collections);
    snprintf(du, sizeof du, "%zu", si.duplicates);
    nlog_kv(in->log, NLOG_INFO, "ingest", "indicators compiled", "simple", a,
            "general_single", b1, "general_multi", b2, "unused", c, "collections", k,
            "in_two_collections", du, "seconds", d, NULL);
    pthread_mutex_lock(&in->mu);
    cy->nind = ist.status[ALD_IND_SIMPLE] + nsingle + nmulti;
    pthread_mutex_unlock(&in->mu);
    return r;
}

/* Whether an indicator was added (or a new version of one) to any
 * collection since the set was compiled. The object count is no sign: live
 * ingest itself adds maritime objects to the default collection all the
 * time. Deletions are seen at the hourly recompile. */
static bool changed(struct cyber *cy)
{
    return store_indicators_changed(cy->st, NULL, cy->last_added);
}

static void *recompiler(void *arg)
{
    struct cyber *cy = arg;
    struct ingest *in = cy->in;
    while (!ingest_sleep(in, POLL_MS)) {
        bool old = clock_wall_us() - cy->compiled_us > (int64_t)RECOMPILE_MS * 1000;
        if (!old && !changed(cy))
            continue;
        char why[512];
        struct iset_ref *r = compile_set(cy, cy->st, why, sizeof why);
        if (!r) {
            nlog_kv(in->log, NLOG_ERROR, "ingest", "indicators not recompiled", "error", why,
                    NULL);
            metrics_add(in->m, "alidade_ingest_errors_total", "reason", "compile", 1);
            continue;
        }
        pthread_mutex_lock(&in->mu);
        r->gen = ++cy->gen;
        struct iset_ref *prev = cy->cur;
        /* candidates of multi-observation indicators that stay move over:
         * a binding spanning the recompile is still found */
        if (r->general && prev && prev->general)
            ald_general_adopt(r->general, prev->general);
        cy->cur = r;
        ref_put(prev);
        pthread_mutex_unlock(&in->mu);
    }
    return NULL;
}

bool cyber_new(struct ingest *in, char *err, size_t errlen)
{
    struct cyber *cy = calloc(1, sizeof *cy);
    if (!cy) {
        snprintf(err, errlen, "out of memory");
        return false;
    }
    in->cyber = cy;
    cy->in = in;
    metrics_describe(in->m, "alidade_ingest_general_candidates", "gauge",
                     "Observations held for GENERAL indicators over several observations");
    cy->tlp = STIX_TLP_AMBER;        /* as `alidade match` marks sightings */
    char why[512];
    cy->st = store_open(in->env->o->data, why, sizeof why);
    if (!cy->st) {
        snprintf(err, errlen, "store: %s", why);
        return false;
    }
    /* lines of sightings deleted before the trigger existed */
    size_t pruned = 0;
    if (sighting_lines_prune(cy->st, &pruned) != ALD_E_OK)
        nlog_kv(in->log, NLOG_WARN, "ingest", "sighting lines not pruned", "error",
                store_errmsg(cy->st), NULL);
    cy->cur = compile_set(cy, cy->st, why, sizeof why);
    if (!cy->cur) {
        snprintf(err, errlen, "compiling the store's indicators: %s", why);
        return false;
    }
    if (pthread_create(&cy->th, NULL, recompiler, cy) != 0) {
        snprintf(err, errlen, "cannot start a thread");
        return false;
    }
    cy->started = true;
    return true;
}

static void batch_free(struct cyber_batch *b)
{
    if (!b)
        return;
    ald_sightings_free(b->sig);
    record_stix_free(b->objs);
    sighting_lines_free(b->lines);
    for (size_t i = 0; i < b->n; i++) {
        free(b->ids[i]);
        free(b->names[i]);
    }
    free(b->ids);
    free(b->names);
    free(b);
}

void cyber_batch_free(struct cyber_batch *b)
{
    batch_free(b);
}

void cyber_free(struct ingest *in)
{
    struct cyber *cy = in->cyber;
    if (!cy)
        return;
    if (cy->started)
        pthread_join(cy->th, NULL); /* in->stop is set: it ends within a poll */
    ref_put(cy->cur);
    batch_free(cy->batch);
    store_close(cy->st);
    free(cy);
    in->cyber = NULL;
}

bool cyber_source_init(struct source *s)
{
    (void)s;
    return true;
}

void cyber_source_free(struct source *s)
{
    (void)s;
}

/* ---- scanning ---- */

/* Both take mu: the stream holds a reference to the shared set. */
static void cyber_stream_free(void *p)
{
    struct stream *st = p;
    if (!st)
        return;
    ald_scanner_free(st->sc);
    free(st->hdr);
    free(st);
}

static void stream_drop(struct ingest *in, struct stream *st)
{
    if (!st)
        return;
    pthread_mutex_lock(&in->mu);
    ref_put(st->ref);
    st->ref = NULL;
    pthread_mutex_unlock(&in->mu);
    cyber_stream_free(st);
}

void cyber_stream_reset(struct source *s, void **p)
{
    stream_drop(s->in, *p);
    *p = NULL;
}

void cyber_stream_close(struct source *s, void *p)
{
    stream_drop(s->in, p);
}

static struct cyber_batch *batch_get(struct cyber *cy)
{
    if (cy->batch)
        return cy->batch;
    struct cyber_batch *b = calloc(1, sizeof *b);
    if (!b)
        return NULL;
    stix_time_format(clock_wall_us(), b->now);
    struct ald_sighting_opts so = {.identity_id = cy->in->ident_id, .window_s = 3600,
                                   .max_refs = MAX_REFS, .now = b->now,
                                   .marking_id = stix_tlp_id(cy->tlp)};
    b->sig = ald_sightings_new(&so);
    b->objs = record_stix_new(cy->in->ident_id, b->now);
    b->lines = sighting_lines_new();
    if (!b->sig || !b->objs || !b->lines) {
        batch_free(b);
        return NULL;
    }
    cy->batch = b;
    return b;
}

static void remember_name(struct cyber_batch *b, const char *id, const char *name)
{
    for (size_t i = 0; i < b->n; i++)
        if (strcmp(b->ids[i], id) == 0)
            return;
    if (b->n == b->cap) {
        size_t cap = b->cap ? b->cap * 2 : 16;
        char **a = realloc(b->ids, cap * sizeof *a);
        if (!a)
            return;
        b->ids = a;
        char **c = realloc(b->names, cap * sizeof *c);
        if (!c)
            return;
        b->names = c;
        b->cap = cap;
    }
    b->ids[b->n] = strdup(id);
    b->names[b->n] = name ? strdup(name) : NULL;
    if (b->ids[b->n])
        b->n++;
}

/* The source an observation came from, by the name its observed-data id
 * names ("LABEL" or "LABEL@INODE"). */
static struct source *source_of(const struct ingest *in, const char *name)
{
    size_t n = strcspn(name, "@");
    for (size_t i = 0; i < in->nsrc; i++)
        if (strlen(in->src[i].label) == n && strncmp(in->src[i].label, name, n) == 0)
            return &in->src[i];
    return NULL;
}

/* What an observed-data id names for a line: its offset + 1 when known. */
static uint64_t id_line(const struct feed_ctx *fc, int64_t off, uint64_t line)
{
    return off >= 0 && fc->name[0] ? (uint64_t)off + 1 : line;
}

/* The raw line of a hit, under its sighting. */
static bool keep_line(struct cyber_batch *b, const char *indicator_id, int64_t sec,
                      const struct sighting_line *l)
{
    char sid[ALD_SIGHTING_ID_LEN];
    if (ald_sightings_id(b->sig, indicator_id, sec, sid) != ALD_E_OK)
        return true;                 /* (cannot happen: ids are short) */
    return sighting_lines_add(b->lines, sid, l) != ALD_E_NOMEM;
}

static int on_hit(void *ctx, const ald_hit *h)
{
    struct feed_ctx *fc = ctx;
    struct cyber_batch *b = batch_get(fc->cy);
    if (!b) {
        fc->failed = true;
        return 1;
    }
    int64_t sec = h->rec->has_ts ? h->rec->ts_sec : clock_wall_us() / 1000000;
    int32_t nsec = h->rec->has_ts ? h->rec->ts_nsec : 0;
    int64_t off = -1;
    if (fc->start_off >= 0 && h->text >= fc->buf && h->text < fc->buf + fc->len)
        off = fc->start_off + (h->text - fc->buf);
    char od[96] = "";
    if (ald_sightings_ref_room(b->sig, h->id, sec)) {
        ald_err e = record_stix_add(b->objs, h->rec, off >= 0 ? fc->name : fc->s->label,
                                    id_line(fc, off, h->line), od);
        if (e == ALD_E_NOMEM) {
            fc->failed = true;
            return 1;
        }
        if (e != ALD_E_OK)
            od[0] = '\0';
    }
    if (ald_sightings_add(b->sig, h->id, sec, nsec, od[0] ? od : NULL) != ALD_E_OK) {
        fc->failed = true;
        return 1;
    }
    struct sighting_line l = {
        .source = fc->s->label, .file = fc->s->path, .offset = off,
        .time_us = h->rec->has_ts ? h->rec->ts_sec * 1000000 + h->rec->ts_nsec / 1000
                                  : INT64_MIN,
        .text = h->text, .len = h->len};
    if (!keep_line(b, h->id, sec, &l)) {
        fc->failed = true;
        return 1;
    }
    const struct ald_indicator *ind = ald_iset_get(fc->cy->cur->set, h->indicator);
    /* (the scanner's set may be the previous one: name by id from it) */
    if (!ind || strcmp(ind->id, h->id) != 0)
        ind = NULL;
    remember_name(b, h->id, ind ? ind->name : NULL);
    fc->cy->d_hits++;
    return 0;
}

/* A match of a GENERAL indicator of the current set: one observation (a
 * line, at once) or several (found by ald_general_step), counted once. */
static int on_general_hit(void *ctx, const ald_general_hit *h)
{
    struct feed_ctx *fc = ctx;
    struct cyber *cy = fc->cy;
    struct cyber_batch *b = batch_get(cy);
    if (!b) {
        fc->failed = true;
        return 1;
    }
    for (size_t i = 0; i < h->nobs; i++) {
        int64_t sec = h->times_us[i] / 1000000, us = h->times_us[i] % 1000000;
        if (us < 0) {
            us += 1000000;
            sec--;
        }
        char od[96] = "";
        if (ald_sightings_ref_room(b->sig, h->id, sec) &&
            record_stix_add_json(b->objs, h->od_json[i], od) == ALD_E_NOMEM) {
            fc->failed = true;
            return 1;
        }
        ald_err e = i == 0 ? ald_sightings_add(b->sig, h->id, sec, (int32_t)us * 1000,
                                               od[0] ? od : NULL)
                           : ald_sightings_add_ref(b->sig, h->id, sec, (int32_t)us * 1000,
                                                   od[0] ? od : NULL);
        const struct source *src = source_of(cy->in, h->sources[i]);
        struct sighting_line l = {.source = src ? src->label : h->sources[i],
                                  .file = src ? src->path : "",
                                  .offset = h->offsets ? h->offsets[i] : -1,
                                  .time_us = h->times_us[i], .text = h->texts[i],
                                  .len = h->lens[i]};
        if (e != ALD_E_OK || !keep_line(b, h->id, sec, &l)) {
            fc->failed = true;
            return 1;
        }
    }
    const struct ald_indicator *ind = ald_iset_get(cy->cur->set, h->indicator);
    remember_name(b, h->id, ind ? ind->name : NULL);
    cy->d_hits++;
    return 0;
}

/* Every parsed record, when the scanner's set has GENERAL indicators: to
 * the current set's evaluator. */
static int on_record(void *ctx, uint64_t line, const char *text, size_t len,
                     const ald_logrec *rec)
{
    struct feed_ctx *fc = ctx;
    ald_general *g = fc->cy->cur->general;
    if (!g)
        return 0;
    int64_t off = -1;
    if (fc->start_off >= 0 && text >= fc->buf && text < fc->buf + fc->len)
        off = fc->start_off + (text - fc->buf);
    ald_err e = ald_general_record(g, rec, off >= 0 ? fc->name : fc->s->label,
                                   id_line(fc, off, line), text, len, off, on_general_hit, fc);
    if (e == ALD_E_NOMEM)
        fc->failed = true;
    return 0;                        /* the fast path goes on whatever happened here */
}

static int no_hit(void *ctx, const ald_hit *h)
{
    (void)ctx;
    (void)h;
    return 0;
}

/* Keeps the leading '#' lines of a Zeek TSV file (its header): a scanner
 * made later (new indicator set, restart mid-file) reads them first. */
static void keep_header(struct stream *st, const char *buf, size_t len)
{
    size_t i = 0;
    while (i < len && !st->data_seen) {
        const char *nl = memchr(buf + i, '\n', len - i);
        size_t e = nl ? (size_t)(nl - buf) + 1 : len;
        if (buf[i] != '#') {
            st->data_seen = true;
            break;
        }
        if (st->hlen + (e - i) <= HEADER_MAX) {
            char *h = realloc(st->hdr, st->hlen + (e - i) + 1);
            if (!h)
                return;
            memcpy(h + st->hlen, buf + i, e - i);
            st->hdr = h;
            st->hlen += e - i;
            if (h[st->hlen - 1] != '\n')
                h[st->hlen++] = '\n';
        }
        i = e;
    }
}

void cyber_header(struct source *s, void **stream, const char *buf, size_t len)
{
    struct stream *st = *stream;
    if (!st) {
        st = calloc(1, sizeof *st);
        if (!st)
            return;
        st->fmt = s->kind == SRC_EVE_FILE ? ALD_LOG_EVE : ALD_LOG_AUTO;
        *stream = st;
    }
    keep_header(st, buf, len);
    st->data_seen = true;
}

void cyber_feed(struct source *s, void **stream, const char *buf, size_t len, uint64_t end_off,
                struct fpos *fp)
{
    struct ingest *in = s->in;
    struct cyber *cy = in->cyber;
    uint64_t lines = 0;
    for (size_t i = 0; i < len; i++)
        lines += buf[i] == '\n';
    pthread_mutex_lock(&in->mu);
    struct stream *st = *stream;
    if (!st) {
        st = calloc(1, sizeof *st);
        if (!st) {
            pthread_mutex_unlock(&in->mu);
            return;
        }
        st->fmt = s->kind == SRC_EVE_FILE ? ALD_LOG_EVE : ALD_LOG_AUTO;
        *stream = st;
    }
    if (s->kind == SRC_ZEEK_FILE && !st->data_seen)
        keep_header(st, buf, len);
    if (st->ref != cy->cur) {
        /* a new set: a new scanner over it, the header read first */
        ald_scanner_free(st->sc);
        ref_put(st->ref);
        st->ref = cy->cur;
        st->ref->refs++;
        st->sc = ald_scanner_new(st->ref->set, st->fmt);
        /* past the header (or resumed after it): the new scanner reads it
         * first; otherwise the header is in this very block */
        if (st->sc && st->hlen && st->data_seen)
            ald_scanner_feed(st->sc, st->hdr, st->hlen, 0, no_hit, NULL);
        if (st->sc)
            ald_scanner_set_record_cb(st->sc, on_record, &st->fc);
    }
    st->fc = (struct feed_ctx){.cy = cy, .s = s, .buf = buf, .len = len,
                               .start_off = fp && end_off >= len ? (int64_t)(end_off - len)
                                                                 : -1};
    if (fp)
        snprintf(st->fc.name, sizeof st->fc.name, "%s@%llu", s->label,
                 (unsigned long long)fp->ino);
    if (st->sc) {
        ald_err e = ald_scanner_feed(st->sc, buf, len, 0, on_hit, &st->fc);
        if (e != ALD_E_OK || st->fc.failed)
            s->d_err[st->fc.failed ? ALD_E_NOMEM : e]++;
        st->fc.buf = NULL;
        st->fc.len = 0;
    } else {
        s->d_err[ALD_E_NOMEM]++;
    }
    s->d_lines += lines;
    if (fp) {
        fp->off = end_off;
        fp->dirty = true;
    }
    pthread_mutex_unlock(&in->mu);
    ingest_lines_read(in, lines, true);
}

/* ---- committing ---- */

struct cyber_batch *cyber_take(struct ingest *in)
{
    struct cyber *cy = in->cyber;
    /* matches of multi-observation indicators completed since the last
     * batch join this one (with the positions of the lines that made them) */
    if (cy->cur && cy->cur->general) {
        struct feed_ctx fc = {.cy = cy, .start_off = -1};
        if (ald_general_step(cy->cur->general, on_general_hit, &fc) != ALD_E_OK || fc.failed)
            metrics_add(in->m, "alidade_ingest_errors_total", "reason", "nomem", 1);
    }
    struct cyber_batch *b = cy->batch;
    cy->batch = NULL;
    return b;
}

struct copy_row {
    char *json;
};

static int copy_row(void *ctx, const struct store_row *r)
{
    struct copy_row *c = ctx;
    free(c->json);
    c->json = strndup(r->json, r->len);
    return 0;
}

static int64_t time_of(json_t *o, const char *key)
{
    const char *s = json_string_value(json_object_get(o, key));
    int64_t us;
    return s && stix_time_parse(s, strlen(s), &us) ? us : INT64_MIN;
}

static void set_time(json_t *o, const char *key, int64_t us)
{
    char t[STIX_TIME_TEXT];
    stix_time_format(us, t);
    json_object_set_new(o, key, json_string(t));
}

/* The new version of a sighting: this batch's counts added to the stored
 * version's. Returns malloc'd text (the new text itself when there is no
 * stored version). */
static char *merge(store *st, const char *collection, const char *json, size_t len,
                   json_t **out)
{
    json_error_t je;
    json_t *nw = json_loadb(json, len, 0, &je);
    const char *id = json_string_value(json_object_get(nw, "id"));
    if (!nw || !id) {
        json_decref(nw);
        *out = NULL;
        return strndup(json, len);
    }
    const char *ids[1] = {id};
    struct store_filter f = {.added_after = INT64_MIN, .ids = ids, .nids = 1};
    struct store_page page;
    struct copy_row c = {0};
    json_t *old = NULL;
    if (store_query(st, collection, &f, NULL, NULL, copy_row, &c, &page) == ALD_E_OK && c.json)
        old = json_loads(c.json, 0, &je);
    free(c.json);
    if (old) {
        json_int_t n = json_integer_value(json_object_get(nw, "count")) +
                       json_integer_value(json_object_get(old, "count"));
        json_object_set_new(nw, "count", json_integer(n));
        int64_t f0 = time_of(nw, "first_seen"), f1 = time_of(old, "first_seen");
        int64_t l0 = time_of(nw, "last_seen"), l1 = time_of(old, "last_seen");
        if (f1 != INT64_MIN && (f0 == INT64_MIN || f1 < f0))
            set_time(nw, "first_seen", f1);
        if (l1 != INT64_MIN && l1 > l0)
            set_time(nw, "last_seen", l1);
        int64_t m0 = time_of(nw, "modified"), m1 = time_of(old, "modified");
        if (m1 != INT64_MIN && m0 <= m1)
            set_time(nw, "modified", m1 + 1);   /* a newer version, always */
        int64_t c1 = time_of(old, "created");
        if (c1 != INT64_MIN)
            json_object_set(nw, "created", json_object_get(old, "created"));
        json_t *refs = json_object_get(nw, "observed_data_refs");
        json_t *orefs = json_object_get(old, "observed_data_refs");
        if (json_is_array(orefs)) {
            json_t *all = json_array();
            size_t i;
            json_t *v;
            json_array_foreach(orefs, i, v) if (json_array_size(all) < MAX_REFS)
                json_array_append(all, v);
            json_array_foreach(refs, i, v) {
                bool dup = false;
                size_t k;
                json_t *w;
                json_array_foreach(all, k, w) dup |= json_equal(v, w);
                if (!dup && json_array_size(all) < MAX_REFS)
                    json_array_append(all, v);
            }
            json_object_set_new(nw, "observed_data_refs", all);
        }
        json_decref(old);
    }
    char *text = json_dumps(nw, JSON_COMPACT);
    *out = nw;
    return text;
}

struct emit_ctx {
    struct ingest *in;
    struct cyber_batch *b;
    store *st;
    struct import_run *imp;
    ald_err failed;
    size_t sightings;
};

static int put_obj(void *ctx, const char *json, size_t len)
{
    struct emit_ctx *ec = ctx;
    if (import_object(ec->imp, json, len, 0) != 0) {
        ec->failed = ec->imp->failed ? ec->imp->failed : ALD_E_STORE;
        return 1;
    }
    return 0;
}

/* The /api/sightings form (without lines) as picture news. */
static void sighting_news(struct emit_ctx *ec, json_t *s)
{
    const char *ind = json_string_value(json_object_get(s, "sighting_of_ref"));
    const char *name = NULL;
    for (size_t i = 0; ind && i < ec->b->n; i++)
        if (strcmp(ec->b->ids[i], ind) == 0)
            name = ec->b->names[i];
    json_t *o = json_pack("{s:O?,s:s?,s:n,s:s?,s:O?,s:O?,s:O?,s:s,s:s,s:s}",
                          "id", json_object_get(s, "id"), "indicator", ind, "pattern",
                          "name", name, "first_seen", json_object_get(s, "first_seen"),
                          "last_seen", json_object_get(s, "last_seen"), "count",
                          json_object_get(s, "count"), "tlp", "amber", "created_by",
                          ec->in->ident_id, "source", "local");
    char *text = o ? json_dumps(o, JSON_COMPACT) : NULL;
    if (text)
        picture_news(ec->in->pic, "sighting", text);
    free(text);
    json_decref(o);
}

static int put_sighting(void *ctx, const char *json, size_t len)
{
    struct emit_ctx *ec = ctx;
    json_t *obj = NULL;
    char *text = merge(ec->st, ec->in->collection, json, len, &obj);
    if (!text) {
        json_decref(obj);
        ec->failed = ALD_E_NOMEM;
        return 1;
    }
    int rc = put_obj(ec, text, strlen(text));
    if (rc == 0) {
        ec->sightings++;
        if (obj)
            sighting_news(ec, obj);
    }
    free(text);
    json_decref(obj);
    return rc;
}

ald_err cyber_store(struct ingest *in, struct cyber_batch *b, store *st,
                    struct import_run *imp)
{
    struct emit_ctx ec = {.in = in, .b = b, .st = st, .imp = imp};
    /* the identity the sightings name, and their marking */
    char *ident = stix_node_identity_json(in->ident_name);
    if (!ident)
        return ALD_E_NOMEM;
    ingest_fix_identity(in, ident, strlen(ident));
    int stop = put_obj(&ec, ident, strlen(ident));
    free(ident);
    char md[512];
    size_t mn = stix_tlp_definition(in->cyber->tlp, md, sizeof md);
    if (!stop && mn)
        stop = put_obj(&ec, md, mn);
    if (!stop && record_stix_emit(b->objs, put_obj, &ec) != 0)
        stop = 1;
    if (!stop && ald_sightings_emit(b->sig, put_sighting, &ec) != ALD_E_OK)
        stop = 1;
    if (stop)
        return ec.failed ? ec.failed : ALD_E_STORE;
    /* the raw lines, local only: after the batch's ranks of the stored ones */
    ald_err le = sighting_lines_put(st, b->lines, false);
    if (le != ALD_E_OK)
        return le;
    pthread_mutex_lock(&in->mu);
    in->cyber->d_sightings += ec.sightings;
    pthread_mutex_unlock(&in->mu);
    return ALD_E_OK;
}

void cyber_flush_metrics(struct ingest *in)
{
    struct cyber *cy = in->cyber;
    if (cy->d_hits)
        metrics_add(in->m, "alidade_ingest_hits_total", NULL, NULL, (double)cy->d_hits);
    if (cy->d_sightings)
        metrics_add(in->m, "alidade_ingest_sightings_total", NULL, NULL,
                    (double)cy->d_sightings);
    cy->d_hits = cy->d_sightings = 0;
    metrics_set(in->m, "alidade_ingest_indicators", NULL, NULL, (double)cy->nind);
    metrics_set(in->m, "alidade_ingest_general_candidates", NULL, NULL,
                cy->cur && cy->cur->general ? (double)ald_general_pending(cy->cur->general)
                                            : 0.0);
}
