/*
 * ingest.c - live ingest of `alidade serve` (node.h, docs/node.md): parses
 * the --source SPECs, starts one reader thread per source and one committer
 * thread, and stops them. The committer is the only writer of live ingest:
 * every INGEST_BATCH_MS (or sooner when a reader has read a full batch) it
 * takes, under ingest.mu, the objects made since the last batch and the
 * positions of the followed files they cover, and stores both in ONE store
 * transaction; a kill -9 therefore loses nothing that was committed and
 * re-reads at most the batch that was not.
 *
 * SPEC (docs/node.md):
 *   ais+tcp://HOST:PORT     TCP client to an NMEA feed (reconnects, backoff)
 *   ais+udp://ADDR:PORT     UDP listener (datagrams of NMEA lines)
 *   ais+file:PATH           a file (or every file of a directory) followed
 *   eve+file:PATH           Suricata EVE JSON followed, matched
 *   zeek+file:PATH          Zeek logs (TSV or JSON) followed, matched
 * each optionally followed by ?name=LABEL (letters, digits, . _ : -).
 */
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "alidade/vessel_state.h"
#include "clock.h"
#include "ingest_int.h"

bool ingest_sleep(struct ingest *in, int ms)
{
    while (ms > 0 && !atomic_load(&in->stop)) {
        int step = ms < 100 ? ms : 100;
        struct timespec ts = {0, (long)step * 1000000L};
        nanosleep(&ts, NULL);
        ms -= step;
    }
    return atomic_load(&in->stop);
}

/* ---- pending objects and positions ---- */

bool ingest_pending_add(struct ingest *in, const char *json, size_t len)
{
    struct objlist *l = &in->pending;
    if (l->n == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 256;
        char **v = realloc(l->v, cap * sizeof *v);
        if (!v)
            return false;
        l->v = v;
        size_t *ln = realloc(l->len, cap * sizeof *ln);
        if (!ln)
            return false;
        l->len = ln;
        l->cap = cap;
    }
    char *c = malloc(len + 1);
    if (!c)
        return false;
    memcpy(c, json, len);
    c[len] = '\0';
    l->v[l->n] = c;
    l->len[l->n++] = len;
    return true;
}

static void objlist_free(struct objlist *l)
{
    for (size_t i = 0; i < l->n; i++)
        free(l->v[i]);
    free(l->v);
    free(l->len);
    *l = (struct objlist){0};
}

struct fpos *ingest_pos(struct ingest *in, const char *key)
{
    for (size_t i = 0; i < in->npos; i++)
        if (strcmp(in->pos[i].key, key) == 0)
            return &in->pos[i];
    if (in->npos == INGEST_MAX_POS)
        return NULL;
    struct fpos *p = &in->pos[in->npos++];
    *p = (struct fpos){.used = true};
    snprintf(p->key, sizeof p->key, "%s", key);
    return p;
}

void ingest_lines_read(struct ingest *in, uint64_t n, bool wait)
{
    pthread_mutex_lock(&in->mu);
    if (in->uncommitted_lines == 0)
        in->oldest_pending_us = clock_wall_us();
    in->uncommitted_lines += n;
    if (in->uncommitted_lines >= INGEST_BATCH_LINES) {
        pthread_cond_signal(&in->commit_cv);
        /* a followed file waits for the batch to be stored: the batch, and
         * what a kill -9 can make us re-read, stays bounded */
        uint64_t c = in->commits;
        in->waiting++;
        while (wait && c == in->commits && !atomic_load(&in->stop) &&
               in->uncommitted_lines >= INGEST_BATCH_LINES)
            pthread_cond_wait(&in->done_cv, &in->mu);
        in->waiting--;
        in->last_line_us = clock_wall_us();   /* waiting for the store is not quiet */
    }
    pthread_mutex_unlock(&in->mu);
}

void ingest_fix_identity(const struct ingest *in, char *text, size_t len)
{
    size_t n = strlen(in->ident_lib);
    if (strcmp(in->ident_id, in->ident_lib) == 0 || n == 0)
        return;
    for (char *p = text; (p = memmem(p, len - (size_t)(p - text), in->ident_lib, n)) != NULL;
         p += n)
        memcpy(p, in->ident_id, n);   /* same length: identity--UUID */
}

/* ---- SPEC ---- */

static bool label_ok(const char *s)
{
    size_t n = strlen(s);
    if (n == 0 || n >= INGEST_LABEL_MAX)
        return false;
    for (; *s; s++)
        if (!isalnum((unsigned char)*s) && !strchr("._:-", *s))
            return false;
    return true;
}

/* HOST:PORT (HOST may be [v6]) into host and port; false when malformed. */
static bool split_hostport(const char *s, char *host, size_t hcap, char *port, size_t pcap)
{
    const char *colon;
    if (*s == '[') {
        const char *close = strchr(s, ']');
        if (!close || close[1] != ':')
            return false;
        if ((size_t)(close - s - 1) >= hcap || close == s + 1)
            return false;
        memcpy(host, s + 1, (size_t)(close - s - 1));
        host[close - s - 1] = '\0';
        colon = close + 1;
    } else {
        colon = strrchr(s, ':');
        if (!colon || colon == s || (size_t)(colon - s) >= hcap)
            return false;
        memcpy(host, s, (size_t)(colon - s));
        host[colon - s] = '\0';
    }
    const char *p = colon + 1;
    char *end;
    errno = 0;
    long v = strtol(p, &end, 10);
    if (!*p || *end || errno || v < 1 || v > 65535 || strlen(p) >= pcap)
        return false;
    snprintf(port, pcap, "%ld", v);
    return true;
}

/* A default label: kind and where, cut to the label's size, with any other
 * character as '_'. */
static void default_label(struct source *s)
{
    char raw[INGEST_LABEL_MAX * 2];
    switch (s->kind) {
    case SRC_AIS_TCP:
        snprintf(raw, sizeof raw, "tcp:%.60s:%.6s", s->host, s->port);
        break;
    case SRC_AIS_UDP:
        snprintf(raw, sizeof raw, "udp:%.6s", s->port);
        break;
    default: {
        const char *base = strrchr(s->path, '/');
        base = base && base[1] ? base + 1 : s->path;
        const char *k = s->kind == SRC_AIS_FILE ? "ais" : s->kind == SRC_EVE_FILE ? "eve" : "zeek";
        snprintf(raw, sizeof raw, "%s:%.100s", k, base);
        break;
    }
    }
    size_t n = 0;
    for (const char *p = raw; *p && n < INGEST_LABEL_MAX - 1; p++)
        s->label[n++] = isalnum((unsigned char)*p) || strchr("._:-", *p) ? *p : '_';
    s->label[n] = '\0';
}

static bool parse_spec(const char *spec, struct source *s, char *err, size_t errlen)
{
    static const struct { const char *prefix; enum src_kind kind; } kinds[] = {
        {"ais+tcp://", SRC_AIS_TCP}, {"ais+udp://", SRC_AIS_UDP}, {"ais+file:", SRC_AIS_FILE},
        {"eve+file:", SRC_EVE_FILE}, {"zeek+file:", SRC_ZEEK_FILE},
    };
    char body[sizeof s->path + 64];
    const char *rest = NULL;
    if (strlen(spec) >= sizeof s->spec) {
        snprintf(err, errlen, "--source: SPEC longer than %zu bytes", sizeof s->spec - 1);
        return false;
    }
    snprintf(s->spec, sizeof s->spec, "%s", spec);
    for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++)
        if (strncmp(spec, kinds[i].prefix, strlen(kinds[i].prefix)) == 0) {
            s->kind = kinds[i].kind;
            rest = spec + strlen(kinds[i].prefix);
        }
    if (!rest) {
        snprintf(err, errlen, "--source '%s': unknown kind (want ais+tcp://HOST:PORT, "
                 "ais+udp://ADDR:PORT, ais+file:PATH, eve+file:PATH or zeek+file:PATH)", spec);
        return false;
    }
    snprintf(body, sizeof body, "%s", rest);
    char *q = strstr(body, "?name=");
    if (q) {
        *q = '\0';
        const char *label = q + 6;
        if (!label_ok(label)) {
            snprintf(err, errlen, "--source '%s': name '%s' wants 1-63 letters, digits, "
                     "'.', '_', ':' or '-'", spec, label);
            return false;
        }
        snprintf(s->label, sizeof s->label, "%s", label);
    }
    if (s->kind == SRC_AIS_TCP || s->kind == SRC_AIS_UDP) {
        if (!split_hostport(body, s->host, sizeof s->host, s->port, sizeof s->port)) {
            snprintf(err, errlen, "--source '%s': want %s://HOST:PORT with a port 1-65535",
                     spec, s->kind == SRC_AIS_TCP ? "ais+tcp" : "ais+udp");
            return false;
        }
    } else {
        if (!body[0]) {
            snprintf(err, errlen, "--source '%s': no PATH", spec);
            return false;
        }
        if (strlen(body) >= sizeof s->path) {
            snprintf(err, errlen, "--source '%s': PATH too long", spec);
            return false;
        }
        memcpy(s->path, body, strlen(body) + 1);
    }
    if (!s->label[0])
        default_label(s);
    return true;
}

/* ---- metrics ---- */

static void describe_metrics(metrics *m)
{
    metrics_describe(m, "alidade_ingest_lines_total", "counter",
                     "Lines (NMEA or log) read by live ingest, per source");
    metrics_describe(m, "alidade_ingest_messages_total", "counter",
                     "AIS messages decoded by live ingest, per source");
    metrics_describe(m, "alidade_ingest_errors_total", "counter",
                     "Live ingest errors, per reason");
    metrics_describe(m, "alidade_ingest_events_total", "counter",
                     "Maritime events detected by live ingest, per detector");
    metrics_describe(m, "alidade_ingest_hits_total", "counter",
                     "Indicator hits in followed logs, per source");
    metrics_describe(m, "alidade_ingest_sightings_total", "counter",
                     "Sighting versions stored by live ingest");
    metrics_describe(m, "alidade_ingest_objects_total", "counter",
                     "STIX objects live ingest offered to the store, by result");
    metrics_describe(m, "alidade_ingest_batches_total", "counter",
                     "Batches committed by live ingest");
    metrics_describe(m, "alidade_ingest_commit_lag_seconds", "gauge",
                     "Age of the oldest line of the last committed batch when it was committed");
    metrics_describe(m, "alidade_ingest_connected", "gauge",
                     "Network sources currently connected (TCP) or bound (UDP)");
    metrics_describe(m, "alidade_ingest_indicators", "gauge",
                     "Indicators compiled into the live matcher");
    metrics_describe(m, "alidade_ingest_vessels", "gauge",
                     "Vessels held by the live tracker");
}

/* Short names of the error codes a source counts (metrics reason label). */
static const char *reason_name(int code)
{
    switch (code) {
    case ALD_E_NMEA_CHECKSUM: return "nmea_checksum";
    case ALD_E_NMEA_FORMAT: return "nmea_format";
    case ALD_E_NMEA_TOO_LONG: return "line_too_long";
    case ALD_E_TAGBLOCK: return "tagblock";
    case ALD_E_NOT_AIS: return "not_ais";
    case ALD_E_AIS_ARMOR: return "ais_armor";
    case ALD_E_AIS_FILL: return "ais_fill";
    case ALD_E_AIS_EMPTY: return "ais_empty";
    case ALD_E_AIS_LENGTH: return "ais_length";
    case ALD_E_AIS_TYPE: return "ais_type";
    case ALD_E_AIS_FRAG_ORPHAN: return "ais_frag_orphan";
    case ALD_E_AIS_FRAG_COUNT: return "ais_frag_count";
    case ALD_E_AIS_CHANNEL: return "ais_channel";
    case ALD_E_AIS_PAYLOAD_TOO_LONG: return "ais_payload_too_long";
    case ALD_E_AIS_SUBTYPE: return "ais_subtype";
    case ALD_E_LOG_LINE: return "log_line";
    case ALD_E_NET: return "network";
    case ALD_E_IO: return "io";
    case ALD_E_STORE: return "store";
    case ALD_E_NOMEM: return "nomem";
    case ALD_E_TOO_LARGE: return "udp_queue_full";
    default: return "other";
    }
}

/* The sources' counters since the last flush into metrics (mu held). */
static void flush_metrics(struct ingest *in)
{
    for (size_t i = 0; i < in->nsrc; i++) {
        struct source *s = &in->src[i];
        if (s->d_lines)
            metrics_add(in->m, "alidade_ingest_lines_total", "source", s->label,
                        (double)s->d_lines);
        if (s->d_msgs)
            metrics_add(in->m, "alidade_ingest_messages_total", "source", s->label,
                        (double)s->d_msgs);
        for (int e = 0; e < ALD_E__COUNT; e++)
            if (s->d_err[e]) {
                metrics_add(in->m, "alidade_ingest_errors_total", "reason", reason_name(e),
                            (double)s->d_err[e]);
                s->d_err[e] = 0;
            }
        s->d_lines = s->d_msgs = s->d_bad = 0;
        if (s->kind == SRC_AIS_TCP || s->kind == SRC_AIS_UDP)
            metrics_set(in->m, "alidade_ingest_connected", "source", s->label,
                        s->connected ? 1 : 0);
    }
    if (in->mar)
        mar_flush_metrics(in);
    if (in->cyber)
        cyber_flush_metrics(in);
}

/* ---- the committer ---- */

struct snap {
    struct fpos *v;
    size_t n;
};

/* Stores one batch: objects, cyber sightings, positions, vessel states;
 * one transaction. true when committed (or nothing to do). */
static bool commit_batch(struct ingest *in, struct objlist *objs, struct cyber_batch *cb,
                         const struct snap *sn, const struct vessel_state *vs, size_t nvs,
                         int64_t clock_ms)
{
    if (objs->n == 0 && !cb && sn->n == 0 && nvs == 0)
        return true;
    struct import_run imp = {.st = in->st, .collection = in->collection,
                             .file = "live ingest", .now = clock_wall_us()};
    ald_err e = store_begin(in->st);
    for (size_t i = 0; e == ALD_E_OK && i < objs->n; i++)
        if (import_object(&imp, objs->v[i], objs->len[i], i) != 0)
            e = imp.failed ? imp.failed : ALD_E_STORE;
    if (e == ALD_E_OK && cb)
        e = cyber_store(in, cb, in->st, &imp);
    if (e == ALD_E_OK && nvs)
        e = vessel_state_put(in->st, vs, nvs);
    if (e == ALD_E_OK && nvs && clock_ms != INT64_MIN) {
        char v[32];
        snprintf(v, sizeof v, "%" PRId64, clock_ms);
        e = store_state_put(in->st, INGEST_CLOCK_KEY, v);
    }
    for (size_t i = 0; e == ALD_E_OK && i < sn->n; i++) {
        char v[64], wkey[INGEST_KEY_MAX + 8];
        snprintf(v, sizeof v, "%" PRIu64 ":%" PRIu64, sn->v[i].ino, sn->v[i].off);
        e = store_state_put(in->st, sn->v[i].key, v);
        if (e == ALD_E_OK && sn->v[i].warm_ino) {
            snprintf(v, sizeof v, "%" PRIu64 ":%" PRIu64, sn->v[i].warm_ino, sn->v[i].warm_off);
            snprintf(wkey, sizeof wkey, "%s#warm", sn->v[i].key);
            e = store_state_put(in->st, wkey, v);
        }
    }
    if (e == ALD_E_OK) {
        if (imp.added) {
            /* the audit log says what live ingest added, batch by batch */
            char detail[512];
            e = import_commit(&imp, "ingest", detail, sizeof detail);
        } else {
            e = store_commit(in->st);
        }
    }
    if (e != ALD_E_OK) {
        store_rollback(in->st);
        nlog_kv(in->log, NLOG_ERROR, "ingest", "batch not stored, will retry", "error",
                ald_strerror(e), "detail", store_errmsg(in->st), NULL);
        metrics_add(in->m, "alidade_ingest_errors_total", "reason", "store", 1);
        return false;
    }
    if (imp.added)
        metrics_add(in->m, "alidade_ingest_objects_total", "result", "added", (double)imp.added);
    if (imp.dups)
        metrics_add(in->m, "alidade_ingest_objects_total", "result", "already_there",
                    (double)imp.dups);
    if (imp.invalid)
        metrics_add(in->m, "alidade_ingest_objects_total", "result", "invalid",
                    (double)imp.invalid);
    metrics_add(in->m, "alidade_ingest_batches_total", NULL, NULL, 1);
    if (nlog_on(in->log, NLOG_DEBUG)) {
        char a[32], d[32];
        snprintf(a, sizeof a, "%zu", imp.added);
        snprintf(d, sizeof d, "%zu", imp.dups);
        nlog_kv(in->log, NLOG_DEBUG, "ingest", "batch committed", "added", a, "already_there",
                d, NULL);
    }
    return true;
}

/* Takes the batch under mu: pending objects, cyber batch, dirty positions. */
static void take_batch(struct ingest *in, struct objlist *objs, struct cyber_batch **cb,
                       struct snap *sn, int64_t *oldest_us, uint64_t *lines)
{
    /* objects from a failed batch stay in front */
    for (size_t i = 0; i < in->pending.n; i++) {
        if (objs->n == objs->cap) {
            size_t cap = objs->cap ? objs->cap * 2 : 256;
            char **v = realloc(objs->v, cap * sizeof *v);
            size_t *ln = v ? realloc(objs->len, cap * sizeof *ln) : NULL;
            if (v)
                objs->v = v;
            if (!ln)
                break;                /* kept pending for the next round */
            objs->len = ln;
            objs->cap = cap;
        }
        objs->v[objs->n] = in->pending.v[i];
        objs->len[objs->n++] = in->pending.len[i];
        in->pending.v[i] = NULL;
    }
    size_t k = 0;
    for (size_t i = 0; i < in->pending.n; i++)
        if (in->pending.v[i]) {
            in->pending.v[k] = in->pending.v[i];
            in->pending.len[k++] = in->pending.len[i];
        }
    in->pending.n = k;
    if (in->cyber && !*cb)
        *cb = cyber_take(in);
    sn->n = 0;
    for (size_t i = 0; i < in->npos; i++)
        if (in->pos[i].dirty) {
            sn->v[sn->n++] = in->pos[i];
            in->pos[i].dirty = false;
        }
    *oldest_us = in->uncommitted_lines ? in->oldest_pending_us : 0;
    *lines = in->uncommitted_lines;
    in->uncommitted_lines = 0;
}

static void *committer(void *arg)
{
    struct ingest *in = arg;
    struct objlist objs = {0};
    struct cyber_batch *cb = NULL;
    struct snap sn = {.v = malloc(INGEST_MAX_POS * sizeof *sn.v)};
    struct vessel_state *vs = NULL;  /* vessel states of this batch (kept on failure) */
    size_t nvs = 0;
    int64_t clock_ms = INT64_MIN;    /* the feed clock saved with them */
    uint64_t states_saved = 0;
    bool stopping = false;
    if (!sn.v) {
        nlog_kv(in->log, NLOG_ERROR, "ingest", "out of memory: nothing will be stored", NULL);
        return NULL;
    }
    while (!stopping) {
        pthread_mutex_lock(&in->mu);
        if (!atomic_load(&in->stop) && in->uncommitted_lines < INGEST_BATCH_LINES) {
            struct timespec ts;
            clock_gettime(CLOCK_REALTIME, &ts);
            ts.tv_nsec += INGEST_BATCH_MS * 1000000L;
            ts.tv_sec += ts.tv_nsec / 1000000000L;
            ts.tv_nsec %= 1000000000L;
            pthread_cond_timedwait(&in->commit_cv, &in->mu, &ts);
        }
        stopping = atomic_load(&in->readers_done);
        int64_t now = clock_wall_us();
        /* a quiet feed: what the tracker holds back for reordering goes to
         * the detectors now (live clock), not when the next line comes */
        bool files_busy = false;
        for (size_t i = 0; i < in->nsrc; i++)
            files_busy |= in->src[i].busy;
        /* (not while a reader waits for this very committer, nor while a
         * followed file still has lines: a pause of ours is not a quiet feed,
         * and a flush would make the result depend on timing) */
        if (in->mar && !in->flushed && in->last_line_us && !in->waiting && !files_busy &&
            now - in->last_line_us > 2000000) {
            mar_idle_flush(in);
            in->flushed = true;
        }
        /* the live clock: vessels that went dark are reported while dark
         * (same care: no tick while our own pause holds a reader back) */
        if (in->mar && !in->waiting && !files_busy && !stopping)
            mar_tick(in, now);
        if (stopping && in->mar)
            mar_finish(in);          /* the readers are gone (ingest_stop) */
        int64_t oldest;
        uint64_t lines;
        take_batch(in, &objs, &cb, &sn, &oldest, &lines);
        if (in->mar && !vs)
            nvs = mar_take_states(in, now, stopping, &vs, &clock_ms);
        flush_metrics(in);
        pthread_mutex_unlock(&in->mu);

        bool ok = commit_batch(in, &objs, cb, &sn, vs, nvs, clock_ms);
        if (ok) {
            objlist_free(&objs);
            cyber_batch_free(cb);
            cb = NULL;
            states_saved += nvs;
            free(vs);
            vs = NULL;
            nvs = 0;
            if (oldest)
                metrics_set(in->m, "alidade_ingest_commit_lag_seconds", NULL, NULL,
                            (double)(clock_wall_us() - oldest) / 1e6);
        }
        pthread_mutex_lock(&in->mu);
        if (!ok)                     /* the positions go again with the retry */
            for (size_t i = 0; i < sn.n; i++) {
                struct fpos *p = ingest_pos(in, sn.v[i].key);
                if (p)
                    p->dirty = true;
            }
        in->commits++;
        pthread_cond_broadcast(&in->done_cv);
        pthread_mutex_unlock(&in->mu);
        if (!ok && !stopping)
            ingest_sleep(in, 1000);
    }
    if (objs.n || cb || nvs)
        nlog_kv(in->log, NLOG_ERROR, "ingest", "stopping with a batch that could not be stored",
                NULL);
    if (in->mar) {
        char n[24];
        snprintf(n, sizeof n, "%" PRIu64, states_saved);
        nlog_kv(in->log, NLOG_INFO, "ingest", "vessel states saved", "rows_written", n, NULL);
    }
    free(vs);
    objlist_free(&objs);
    cyber_batch_free(cb);
    free(sn.v);
    return NULL;
}

/* ---- start / stop ---- */

static void ingest_free(struct ingest *in)
{
    if (!in)
        return;
    for (size_t i = 0; i < in->nsrc; i++) {
        struct source *s = &in->src[i];
        ais_decoder_free(s->dec);
        cyber_source_free(s);
        if (s->fd >= 0)
            close(s->fd);
    }
    mar_free(in);
    cyber_free(in);
    store_close(in->st);
    objlist_free(&in->pending);
    free(in->pos);
    free(in->src);
    pthread_mutex_destroy(&in->mu);
    pthread_cond_destroy(&in->commit_cv);
    pthread_cond_destroy(&in->done_cv);
    free(in);
}

void ingest_stop(ingest *in)
{
    if (!in)
        return;
    atomic_store(&in->stop, true);
    pthread_mutex_lock(&in->mu);
    pthread_cond_broadcast(&in->done_cv);
    pthread_mutex_unlock(&in->mu);
    for (size_t i = 0; i < in->nsrc; i++)
        if (in->src[i].started)
            pthread_join(in->src[i].th, NULL);
    atomic_store(&in->readers_done, true);
    if (in->committer_started) {
        pthread_mutex_lock(&in->mu);
        pthread_cond_signal(&in->commit_cv);
        pthread_mutex_unlock(&in->mu);
        pthread_join(in->committer, NULL);
    }
    nlog_kv(in->log, NLOG_INFO, "ingest", "stopped", NULL);
    ingest_free(in);
}

ald_err ingest_start(const struct node_env *env, ingest **out, char *err, size_t errlen)
{
    const struct serve_settings *o = env->o;
    *out = NULL;
    if (o->nsources == 0)
        return ALD_E_OK;
    struct ingest *in = calloc(1, sizeof *in);
    if (!in) {
        snprintf(err, errlen, "out of memory");
        return ALD_E_NOMEM;
    }
    pthread_mutex_init(&in->mu, NULL);
    pthread_cond_init(&in->commit_cv, NULL);
    pthread_cond_init(&in->done_cv, NULL);
    in->env = env;
    in->log = env->log;
    in->m = env->metrics;
    in->pic = env->pic;
    in->tlp = STIX_TLP_GREEN;        /* as `ais detect -f stix` marks events */
    in->src = calloc(o->nsources, sizeof *in->src);
    in->pos = calloc(INGEST_MAX_POS, sizeof *in->pos);
    if (!in->src || !in->pos) {
        snprintf(err, errlen, "out of memory");
        ingest_free(in);
        return ALD_E_NOMEM;
    }
    bool any_ais = false, any_cyber = false;
    for (size_t i = 0; i < o->nsources; i++) {
        struct source *s = &in->src[in->nsrc++];
        s->in = in;
        s->fd = -1;
        if (!parse_spec(o->sources[i], s, err, errlen)) {
            ingest_free(in);
            return ALD_E_ARG;
        }
        for (size_t j = 0; j + 1 < in->nsrc; j++)
            if (strcmp(in->src[j].label, s->label) == 0) {
                snprintf(err, errlen, "--source '%s': name '%s' is already used by '%s' "
                         "(give ?name=LABEL)", s->spec, s->label, in->src[j].spec);
                ingest_free(in);
                return ALD_E_ARG;
            }
        if (s->kind == SRC_EVE_FILE || s->kind == SRC_ZEEK_FILE)
            any_cyber = true;
        else
            any_ais = true;
    }
    /* the node's identity: its title names it; [node] identity, when set,
     * is the id its objects carry */
    snprintf(in->ident_name, sizeof in->ident_name, "%s", o->title ? o->title : "alidade node");
    stix_node_identity_id(in->ident_name, in->ident_lib);
    snprintf(in->ident_id, sizeof in->ident_id, "%s", o->identity ? o->identity : in->ident_lib);
    char serr[512];
    in->st = store_open(o->data, serr, sizeof serr);
    if (!in->st) {
        snprintf(err, errlen, "store: %s", serr);
        ingest_free(in);
        return ALD_E_STORE;
    }
    struct store_collection *cols = NULL;
    size_t ncols = 0;
    if (store_collections(in->st, &cols, &ncols) != ALD_E_OK || ncols == 0 ||
        !cols[0].is_default) {
        free(cols);
        snprintf(err, errlen, "the store has no default collection");
        ingest_free(in);
        return ALD_E_STORE;
    }
    snprintf(in->collection, sizeof in->collection, "%s", cols[0].id);
    free(cols);
    describe_metrics(in->m);
    if ((any_ais && !mar_new(in, err, errlen)) || (any_cyber && !cyber_new(in, err, errlen))) {
        ingest_free(in);
        return ALD_E_ARG;
    }
    for (size_t i = 0; i < in->nsrc; i++) {
        struct source *s = &in->src[i];
        bool ok = s->kind == SRC_EVE_FILE || s->kind == SRC_ZEEK_FILE ? cyber_source_init(s)
                                                                      : mar_source_init(s);
        if (!ok) {
            snprintf(err, errlen, "out of memory");
            ingest_free(in);
            return ALD_E_NOMEM;
        }
        if (s->kind == SRC_AIS_UDP && !udp_prepare(s, err, errlen)) {
            ingest_free(in);
            return ALD_E_ARG;
        }
    }
    if (pthread_create(&in->committer, NULL, committer, in) != 0) {
        snprintf(err, errlen, "cannot start a thread");
        ingest_free(in);
        return ALD_E_NOMEM;
    }
    in->committer_started = true;
    for (size_t i = 0; i < in->nsrc; i++) {
        struct source *s = &in->src[i];
        void *(*fn)(void *) = s->kind == SRC_AIS_TCP ? tcp_thread
                            : s->kind == SRC_AIS_UDP ? udp_thread : follow_thread;
        if (pthread_create(&s->th, NULL, fn, s) != 0) {
            snprintf(err, errlen, "cannot start a thread for '%s'", s->label);
            ingest_stop(in);
            return ALD_E_NOMEM;
        }
        s->started = true;
        nlog_kv(in->log, NLOG_INFO, "ingest", "source started", "source", s->label, "spec",
                s->spec, NULL);
    }
    *out = in;
    return ALD_E_OK;
}
