/*
 * cmd_match.c - `alidade match --indicators SOURCE LOG...`: a partner's
 * indicators against this node's own logs, and the sightings that say so.
 *
 *   SOURCE  a STIX file (bundle, JSON lines, TAXII envelope; gzip/zstd),
 *           a MISP feed directory (manifest.json + events) or event file,
 *           or `store` (the indicators in the node's store, --data DIR).
 *   LOG     Suricata EVE JSON, Zeek TSV or JSON, or text lines (gzip/zstd,
 *           "-" for stdin), recognised from the first line or --format.
 *
 * The indicators are compiled once (lib/match: Vectorscan literals, prefix
 * tables, hash sets); each log is read in blocks of whole lines and fed to a
 * scanner that verifies every candidate line exactly. Every hit becomes a
 * line of the detail stream (--details) and a count in the sighting of its
 * indicator and time window; the record's observed-data is kept once. At
 * the end the sightings go to a STIX bundle (stdout or --out) or into the
 * store (--store). The summary goes to stderr.
 *
 * Exit status: 0 when there were sightings, 1 when none, 2 on a usage or
 * input error (a broken indicator or a corrupt log line is reported and
 * counted; the rest still runs).
 */
#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "alidade/logparse.h"
#include "alidade/match.h"
#include "alidade/match_general.h"
#include "alidade/misp.h"
#include "alidade/sighting.h"
#include "alidade/sighting_lines.h"
#include "alidade/stix.h"
#include "alidade/store.h"
#include "clock.h"
#include "cmd.h"
#include "import.h"
#include "input.h"
#include "out.h"
#include "progress.h"
#include "record_stix.h"
#include "store_indicators.h"

#define MAX_SOURCES 64
/* broken indicators and corrupt lines printed one by one before we only count */
#define REPORT_MAX 20
/* candidates held before the first step over them (then twice what a step
 * leaves) */
#define STEP_MIN 1024

struct opts {
    const char *sources[MAX_SOURCES];
    size_t nsources;
    const char *format;          /* auto, eve, zeek, zeek-json, text */
    const char *warninglists;    /* MISP warninglists directory */
    const char *out, *details;
    const char *data, *collection;
    bool store;
    const char *identity;        /* node name */
    int tlp;                     /* sightings' marking: -1 none */
    long long window_s;
    ald_valid_mode valid;
    bool quiet, progress, parse_all;
};

struct run {
    const struct opts *o;
    ald_iset *set;
    ald_wlset *wl;
    ald_sightings *sightings;
    ald_general *general;        /* GENERAL indicators, when there are any */
    size_t step_at;              /* candidates held when it steps next */
    char identity_id[64];
    char now[STIX_TIME_TEXT];
    /* observed-data of the hits, each kept once (SCOs too), in hit order */
    record_stix *objs;
    /* the raw lines of the hits per sighting (--store only: local evidence
     * for the dashboard, never in the bundle) */
    sighting_lines *lines;
    FILE *details;
    const char *log;             /* the log being read */
    unsigned long long hits;
    size_t bad_shown;
    bool failed;                 /* an output could not be written */
};

static void usage(FILE *f)
{
    fprintf(f,
        "usage: alidade match --indicators SOURCE [--indicators SOURCE...] [options] LOG...\n"
        "\n"
        "Matches indicators against Suricata EVE JSON, Zeek (TSV or JSON) or text logs\n"
        "(gzip/zstd read as they are; '-' is stdin) and reports STIX 2.1 sightings: one\n"
        "per indicator and time window, with the observed-data of the matching lines.\n"
        "Simple indicators (addresses and CIDRs, domains, URLs, e-mail addresses, file\n"
        "and certificate hashes, ports) are compiled into fast structures; the others go\n"
        "to the general STIX pattern evaluator. A broken indicator or a corrupt log line\n"
        "is reported with where and why, and the rest still runs.\n"
        "\n"
        "  --indicators SOURCE  a STIX bundle / JSON lines file, a MISP feed directory or\n"
        "                       event file, or 'store' (the node's store, --data)\n"
        "  --format F           auto (default), eve, zeek, zeek-json, text\n"
        "  --warninglists DIR   MISP warninglists (DIR/<name>/list.json): values on a list\n"
        "                       never raise a sighting\n"
        "  --valid MODE         now (default: indicators valid now), record (valid at\n"
        "                       the log line's own time: hunting in old logs), ignore\n"
        "  --window SECONDS     one sighting per indicator per window (default 3600;\n"
        "                       0: one per indicator)\n"
        "  --out FILE           the STIX bundle of sightings (default: standard output)\n"
        "  --details FILE       one JSON line per hit: indicator, log, line, time, fields\n"
        "  --store              put the sightings into the store (--data) instead\n"
        "  --data DIR           the node's data directory (for 'store' and --store)\n"
        "  --collection ID      store collection the sightings go to (default: the\n"
        "                       default collection) and, when given, the only one\n"
        "                       'store' reads indicators from (default: every one)\n"
        "  --identity NAME      this node's name: where_sighted_refs, created_by_ref\n"
        "  --tlp LEVEL          marking of the sightings: clear, green, amber (default),\n"
        "                       amber+strict, red, none\n"
        "  --parse-all          parse every line, not only those holding an indicator\n"
        "                       value: every corrupt line is reported (slower)\n"
        "  --no-progress, -q    no progress line; -q also no summary\n"
        "\n"
        "Exit status: 0 sightings found, 1 none, 2 error.\n");
}

/* ---- indicators ---------------------------------------------------------- */

static void bad_indicator(void *ctx, size_t index, const char *id, const struct ald_errpos *e)
{
    struct run *r = ctx;
    if (r->bad_shown++ < REPORT_MAX)
        fprintf(stderr, "alidade match: indicator %s (object %zu): %s%s%s\n",
                id && id[0] ? id : "without id", index + 1, ald_strerror(e->code),
                e->msg[0] ? ": " : "", e->msg);
}

static int misp_emit(void *ctx, const char *json, size_t len)
{
    struct run *r = ctx;
    struct ald_errpos e = {0};
    if (ald_iset_add_json(r->set, json, len, &e) == ALD_E_NOMEM)
        return 1;
    if (e.code != ALD_E_OK)
        bad_indicator(r, 0, "from MISP", &e);
    return 0;
}

static void misp_warn(void *ctx, const char *where, const char *why)
{
    struct run *r = ctx;
    if (r->bad_shown++ < REPORT_MAX)
        fprintf(stderr, "alidade match: MISP %s: %s\n", where, why);
}

struct misp_feed {
    struct run *r;
    ald_misp_conv *conv;
    const char *dir;
    int bad;
};

static int misp_event_file(struct misp_feed *f, const char *path)
{
    char err[300];
    size_t len;
    char *text = input_read_all(path, INPUT_STIX_MAX, &len, err, sizeof err);
    if (!text) {
        fprintf(stderr, "alidade match: %s\n", err);
        return -1;
    }
    struct ald_errpos e = {0};
    ald_err rc = ald_misp_convert_event(f->conv, text, len, &e);
    free(text);
    if (rc == ALD_E_NOMEM)
        return -1;
    if (rc != ALD_E_OK) {
        fprintf(stderr, "alidade match: %s: %s%s%s (event skipped)\n", path, ald_strerror(rc),
                e.msg[0] ? ": " : "", e.msg);
        f->bad++;
    }
    return 0;
}

static int misp_uuid(void *ctx, const char *uuid)
{
    struct misp_feed *f = ctx;
    char path[4096];
    snprintf(path, sizeof path, "%s/%s.json", f->dir, uuid);
    return misp_event_file(f, path) < 0;
}

/* A MISP feed directory (manifest.json) or one MISP event file. */
static int load_misp(struct run *r, const char *path, bool is_dir)
{
    struct misp_feed f = {.r = r, .dir = path};
    f.conv = ald_misp_conv_new(misp_emit, misp_warn, r);
    if (!f.conv)
        return -1;
    int rc = 0;
    if (is_dir) {
        char mpath[4096], err[300];
        size_t len;
        snprintf(mpath, sizeof mpath, "%s/manifest.json", path);
        char *text = input_read_all(mpath, INPUT_SMALL_MAX, &len, err, sizeof err);
        if (!text) {
            fprintf(stderr, "alidade match: %s\n", err);
            rc = -1;
        } else {
            struct ald_errpos e = {0};
            ald_err m = ald_misp_manifest(text, len, misp_uuid, &f, &e);
            free(text);
            if (m != ALD_E_OK) {
                fprintf(stderr, "alidade match: %s: %s%s%s\n", mpath, ald_strerror(m),
                        e.msg[0] ? ": " : "", e.msg);
                rc = -1;
            }
        }
    } else if (misp_event_file(&f, path) < 0) {
        rc = -1;
    }
    if (!r->o->quiet) {
        const struct ald_misp_stats *st = ald_misp_conv_stats(f.conv);
        fprintf(stderr, "%s: MISP: %zu events (%zu rejected), %zu attributes, %zu indicators; "
                "skipped: %zu not to_ids, %zu invalid, %zu not expressible in STIX\n",
                path, st->events, st->events_bad, st->attributes, st->indicators,
                st->skip_not_ids, st->skip_invalid, st->skip_unmapped);
    }
    ald_misp_conv_free(f.conv);
    return rc;
}

/* Is this JSON text a MISP event ({"Event": ...}) rather than STIX? */
static bool looks_misp(const char *text, size_t len)
{
    size_t i = 0;
    while (i < len && (text[i] == ' ' || text[i] == '\n' || text[i] == '\r' || text[i] == '\t'))
        i++;
    if (i < len && text[i] == '[')
        i++;
    while (i < len && (text[i] == ' ' || text[i] == '\n' || text[i] == '\r' || text[i] == '\t'))
        i++;
    static const char *const keys[] = {"{\"Event\"", "{\"response\""};
    for (size_t k = 0; k < 2; k++)
        if (len - i >= strlen(keys[k]) && memcmp(text + i, keys[k], strlen(keys[k])) == 0)
            return true;
    return false;
}

static void store_bad(void *ctx, const char *collection, size_t index,
                      const struct ald_errpos *e)
{
    (void)collection;
    bad_indicator(ctx, index, "", e);
}

/* Every indicator (last version) in the node's store: of every collection
 * (an id in two counted once, its latest version), or of --collection. */
static int load_store(struct run *r)
{
    if (!r->o->data) {
        fprintf(stderr, "alidade match: --indicators store needs --data DIR\n");
        return -1;
    }
    char err[300], col[STORE_UUID_TEXT];
    store *st = store_open(r->o->data, err, sizeof err);
    if (!st) {
        fprintf(stderr, "alidade match: %s\n", err);
        return -1;
    }
    int rc = -1;
    if (!r->o->collection || cmd_collection_pick(st, r->o->collection, col, "alidade match")) {
        struct store_indicators si;
        ald_err e = store_indicators_load(st, r->o->collection ? col : NULL, r->set, store_bad,
                                          r, &si);
        if (e == ALD_E_OK) {
            rc = 0;
            if (!r->o->quiet)
                fprintf(stderr, "store: %zu indicators from %zu collection%s (%zu also in "
                        "another collection, counted once)\n", si.added + si.bad,
                        si.collections, si.collections == 1 ? "" : "s", si.duplicates);
        } else {
            fprintf(stderr, "alidade match: store: %s\n",
                    e == ALD_E_NOMEM ? "out of memory" : store_errmsg(st));
        }
    }
    store_close(st);
    return rc;
}

/* JSON lines of STIX objects are read one line at a time: a 10M-indicator
 * file (3 GB) never sits in memory whole. Returns 1 when `src` was JSON
 * lines (loaded), 0 when it is something else (a bundle, MISP...: the
 * caller reads it whole), -1 on a read error. */
static int load_jsonl(struct run *r, const char *src)
{
    char err[300];
    line_reader *lr = lr_open(src, err, sizeof err);
    if (!lr) {
        fprintf(stderr, "alidade match: %s\n", err);
        return -1;
    }
    const char *line;
    size_t len;
    bool trunc;
    int got, rc = 0;
    unsigned long long n = 0;
    while ((got = lr_next(lr, &line, &len, &trunc)) == 1) {
        n++;
        size_t i = 0;
        while (i < len && (line[i] == ' ' || line[i] == '\t'))
            i++;
        if (i == len)
            continue;
        if (rc == 0) {
            /* the first object decides: a whole object per line, not a bundle */
            json_error_t je;
            json_t *o = trunc || line[i] != '{' ? NULL : json_loadb(line, len, 0, &je);
            const char *type = json_string_value(json_object_get(o, "type"));
            bool one = o && type && strcmp(type, "bundle") != 0 && !json_object_get(o, "Event");
            json_decref(o);
            if (!one)
                break;
            rc = 1;
        }
        struct ald_errpos e = {0};
        if (trunc) {
            e.code = ALD_E_TOO_LARGE;
            snprintf(e.msg, sizeof e.msg, "line longer than %d bytes", LR_MAX_LINE);
        } else if (ald_iset_add_json(r->set, line, len, &e) == ALD_E_NOMEM) {
            fprintf(stderr, "alidade match: out of memory\n");
            got = -2;
            break;
        }
        if (e.code != ALD_E_OK && r->bad_shown++ < REPORT_MAX) {
            /* name the indicator when the line is JSON enough to say it */
            json_error_t je;
            json_t *o = trunc ? NULL : json_loadb(line, len, 0, &je);
            const char *id = json_string_value(json_object_get(o, "id"));
            fprintf(stderr, "alidade match: %s:%llu: indicator %s: %s%s%s\n", src, n,
                    id ? id : "without id", ald_strerror(e.code), e.msg[0] ? ": " : "", e.msg);
            json_decref(o);
        }
    }
    if (got == -1) {
        fprintf(stderr, "alidade match: %s: %s\n", src, lr_error(lr));
        rc = -1;
    } else if (got == -2) {
        rc = -1;
    }
    lr_close(lr);
    return rc;
}

static int load_source(struct run *r, const char *src)
{
    if (strcmp(src, "store") == 0)
        return load_store(r);
    struct stat sb;
    if (stat(src, &sb) == 0 && S_ISDIR(sb.st_mode))
        return load_misp(r, src, true);
    if (strcmp(src, "-") != 0) {
        int j = load_jsonl(r, src);
        if (j != 0)
            return j < 0 ? -1 : 0;
    }
    char err[300];
    size_t len;
    char *text = input_read_all(src, INPUT_STIX_MAX, &len, err, sizeof err);
    if (!text) {
        fprintf(stderr, "alidade match: %s\n", err);
        return -1;
    }
    if (looks_misp(text, len)) {
        free(text);
        return load_misp(r, src, false);
    }
    struct ald_errpos e = {0};
    ald_err rc = ald_iset_add_bundle(r->set, text, len, bad_indicator, r, &e);
    free(text);
    if (rc != ALD_E_OK) {
        fprintf(stderr, "alidade match: %s: %s (line %u, column %u)%s%s\n", src,
                ald_strerror(rc), e.line, e.col, e.msg[0] ? ": " : "", e.msg);
        return -1;
    }
    return 0;
}

/* ---- warninglists ------------------------------------------------------ */

static int load_warninglists(struct run *r, const char *dir)
{
    r->wl = ald_wlset_new();
    if (!r->wl)
        return -1;
    DIR *d = opendir(dir);
    if (!d) {
        fprintf(stderr, "alidade match: %s: %s\n", dir, strerror(errno));
        return -1;
    }
    struct dirent *de;
    size_t lists = 0;
    int rc = 0;
    while ((de = readdir(d)) != NULL) {
        if (de->d_name[0] == '.')
            continue;
        char path[4096], err[300];
        snprintf(path, sizeof path, "%s/%s/list.json", dir, de->d_name);
        if (access(path, R_OK) != 0)
            continue;
        size_t len;
        char *text = input_read_all(path, INPUT_STIX_MAX, &len, err, sizeof err);
        if (!text) {
            fprintf(stderr, "alidade match: %s\n", err);
            rc = -1;
            continue;
        }
        struct ald_errpos e = {0};
        ald_err le = ald_wlset_load_json(r->wl, text, len, de->d_name, &e);
        free(text);
        if (le != ALD_E_OK)
            fprintf(stderr, "alidade match: %s: %s%s%s (list skipped)\n", path,
                    ald_strerror(le), e.msg[0] ? ": " : "", e.msg);
        else
            lists++;
    }
    closedir(d);
    if (lists == 0) {
        fprintf(stderr, "alidade match: %s: no warninglist (<name>/list.json) found\n", dir);
        return -1;
    }
    return rc;
}

static int allow_value(void *ctx, ald_obs_kind kind, const char *v, size_t len)
{
    struct run *r = ctx;
    return ald_wlset_match(r->wl, kind, v, len) == NULL;
}

/* ---- hits ---------------------------------------------------------------- */

static void put_jstr(FILE *f, const char *s, size_t n)
{
    json_t *j = json_stringn_nocheck(s, n);
    char *t = j ? json_dumps(j, JSON_ENCODE_ANY) : NULL;
    fputs(t ? t : "null", f);
    free(t);
    json_decref(j);
}

static void detail_line(struct run *r, const ald_hit *h, const char *od_id)
{
    FILE *f = r->details;
    const struct ald_indicator *ind = ald_iset_get(r->set, h->indicator);
    fprintf(f, "{\"indicator\":\"%s\"", h->id);
    if (ind && ind->name) {
        fputs(",\"name\":", f);
        put_jstr(f, ind->name, strlen(ind->name));
    }
    fputs(",\"log\":", f);
    put_jstr(f, r->log, strlen(r->log));
    fprintf(f, ",\"line\":%llu", (unsigned long long)h->line);
    if (h->rec->has_ts) {
        char t[STIX_TIME_TEXT];
        stix_time_format(h->rec->ts_sec * 1000000 + h->rec->ts_nsec / 1000, t);
        fprintf(f, ",\"time\":\"%s\"", t);
    }
    if (h->rec->type) {
        fputs(",\"event\":", f);
        put_jstr(f, h->rec->type, strlen(h->rec->type));
    }
    fputs(",\"fields\":[", f);
    for (size_t i = 0; i < h->nfields; i++) {
        const ald_logfield *fl = h->fields[i];
        fprintf(f, "%s{\"kind\":\"%s\",\"field\":", i ? "," : "", ald_obs_kind_name(fl->kind));
        put_jstr(f, fl->name ? fl->name : "", fl->name ? strlen(fl->name) : 0);
        fputs(",\"value\":", f);
        put_jstr(f, fl->v, fl->len);
        fputc('}', f);
    }
    fputs("]", f);
    if (od_id)
        fprintf(f, ",\"observed_data\":\"%s\"", od_id);
    fputs(",\"text\":", f);
    put_jstr(f, h->text, h->len);
    fputs("}\n", f);
}

/* The raw line of a hit under its sighting's id (--store). */
static int keep_line(struct run *r, const char *indicator_id, int64_t sec,
                     const struct sighting_line *l)
{
    char sid[ALD_SIGHTING_ID_LEN];
    if (ald_sightings_id(r->sightings, indicator_id, sec, sid) != ALD_E_OK)
        return 0;
    if (sighting_lines_add(r->lines, sid, l) == ALD_E_NOMEM) {
        fprintf(stderr, "alidade match: out of memory\n");
        return 1;
    }
    return 0;
}

static int on_hit(void *ctx, const ald_hit *h)
{
    struct run *r = ctx;
    char od_id[96] = "";
    int64_t sec = h->rec->has_ts ? h->rec->ts_sec : (int64_t)time(NULL);
    int32_t nsec = h->rec->has_ts ? h->rec->ts_nsec : 0;
    /* the line's observed-data only while its sighting keeps references */
    if (ald_sightings_ref_room(r->sightings, h->id, sec)) {
        ald_err e = record_stix_add(r->objs, h->rec, r->log, h->line, od_id);
        /* NOT_FOUND: nothing an SCO can be made of (a port alone) */
        if (e != ALD_E_OK && e != ALD_E_NOT_FOUND) {
            fprintf(stderr, "alidade match: %s:%llu: observed-data: %s\n", r->log,
                    (unsigned long long)h->line, ald_strerror(e));
            if (e == ALD_E_NOMEM)
                return 1;
        }
    }
    if (ald_sightings_add(r->sightings, h->id, sec, nsec, od_id[0] ? od_id : NULL) != ALD_E_OK)
        return 1;
    if (r->lines) {
        struct sighting_line l = {
            .source = r->log, .file = strcmp(r->log, "stdin") == 0 ? "" : r->log,
            .line = h->line, .offset = -1,
            .time_us = h->rec->has_ts ? h->rec->ts_sec * 1000000 + h->rec->ts_nsec / 1000
                                      : INT64_MIN,
            .text = h->text, .len = h->len};
        if (keep_line(r, h->id, sec, &l) != 0)
            return 1;
    }
    if (r->details)
        detail_line(r, h, od_id[0] ? od_id : NULL);
    r->hits++;
    return 0;
}

/* A match of a GENERAL indicator: one observation (a line) or several (a
 * pattern over many observations, found at the end of the input). */
static int on_general_hit(void *ctx, const ald_general_hit *h)
{
    struct run *r = ctx;
    for (size_t i = 0; i < h->nobs; i++) {
        int64_t sec = h->times_us[i] / 1000000, us = h->times_us[i] % 1000000;
        if (us < 0) {
            us += 1000000;
            sec--;
        }
        char od_id[96] = "";
        if (ald_sightings_ref_room(r->sightings, h->id, sec) &&
            record_stix_add_json(r->objs, h->od_json[i], od_id) == ALD_E_NOMEM)
            return 1;
        /* one match counts once, whatever number of observations it binds */
        ald_err e = i == 0 ? ald_sightings_add(r->sightings, h->id, sec, (int32_t)us * 1000,
                                               od_id[0] ? od_id : NULL)
                           : ald_sightings_add_ref(r->sightings, h->id, sec, (int32_t)us * 1000,
                                                   od_id[0] ? od_id : NULL);
        if (e != ALD_E_OK)
            return 1;
        if (r->lines) {
            const char *src = h->sources[i];
            struct sighting_line l = {.source = src,
                                      .file = strcmp(src, "stdin") == 0 ? "" : src,
                                      .line = h->lines[i], .offset = -1,
                                      .time_us = h->times_us[i], .text = h->texts[i],
                                      .len = h->lens[i]};
            if (keep_line(r, h->id, sec, &l) != 0)
                return 1;
        }
        if (r->details) {
            char t[STIX_TIME_TEXT];
            stix_time_format(h->times_us[i], t);
            fprintf(r->details, "{\"indicator\":\"%s\",\"log\":", h->id);
            put_jstr(r->details, h->sources[i], strlen(h->sources[i]));
            fprintf(r->details, ",\"line\":%llu,\"time\":\"%s\",\"general\":true,"
                    "\"observation\":%zu,\"observations\":%zu,\"observed_data\":\"%s\"}\n",
                    (unsigned long long)h->lines[i], t, i + 1, h->nobs, h->od_ids[i]);
        }
    }
    r->hits++;     /* one match, however many observations it binds */
    return 0;
}

static int on_record(void *ctx, uint64_t line, const char *text, size_t len,
                     const ald_logrec *rec)
{
    struct run *r = ctx;
    return ald_general_record(r->general, rec, r->log, line, text, len, -1, on_general_hit, r) !=
           ALD_E_OK;
}

static void general_warn(void *ctx, const char *id, const char *why)
{
    struct run *r = ctx;
    if (r->bad_shown++ < REPORT_MAX)
        fprintf(stderr, "alidade match: indicator %s: %s (not evaluated)\n", id, why);
}

/* ---- logs ---------------------------------------------------------------- */

static ald_log_format parse_format(const char *s)
{
    if (!s || strcmp(s, "auto") == 0)
        return ALD_LOG_AUTO;
    if (strcmp(s, "eve") == 0)
        return ALD_LOG_EVE;
    if (strcmp(s, "zeek") == 0)
        return ALD_LOG_ZEEK_TSV;
    if (strcmp(s, "zeek-json") == 0)
        return ALD_LOG_ZEEK_JSON;
    if (strcmp(s, "text") == 0)
        return ALD_LOG_TEXT;
    return (ald_log_format)-1;
}

static const char *format_name(ald_log_format f)
{
    switch (f) {
    case ALD_LOG_EVE: return "Suricata EVE";
    case ALD_LOG_ZEEK_TSV: return "Zeek TSV";
    case ALD_LOG_ZEEK_JSON: return "Zeek JSON";
    case ALD_LOG_TEXT: return "text";
    default: return "empty";
    }
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* A corrupt line: named (the first REPORT_MAX of a run), then counted. */
static void on_bad_line(void *ctx, uint64_t line, const struct ald_errpos *e)
{
    struct run *r = ctx;
    if (r->bad_shown++ < REPORT_MAX)
        fprintf(stderr, "%s:%llu:%u: corrupt line skipped: %s\n", r->log,
                (unsigned long long)line, e->col ? e->col : (unsigned)e->offset + 1,
                e->msg[0] ? e->msg : ald_strerror(e->code));
}

/* Does the log start with free text (neither JSON nor a Zeek header)? Then
 * the set also needs its free-text Vectorscan databases. */
static bool starts_as_text(const char *path)
{
    if (strcmp(path, "-") == 0)
        return false;   /* stdin cannot be read twice: parsed line by line */
    char err[300];
    line_reader *lr = lr_open(path, err, sizeof err);
    if (!lr)
        return false;   /* scan_log reports it */
    const char *line;
    size_t len;
    bool trunc, text = false;
    while (lr_next(lr, &line, &len, &trunc) == 1) {
        size_t i = 0;
        while (i < len && (line[i] == ' ' || line[i] == '\t' || line[i] == '\r'))
            i++;
        if (i == len)
            continue;
        text = line[i] != '{' && line[i] != '#';
        break;
    }
    lr_close(lr);
    return text;
}

/* One log file through a fresh scanner. 0 read to the end, -1 failed. */
static int scan_log(struct run *r, const char *path)
{
    char err[300];
    line_reader *lr = lr_open(path, err, sizeof err);
    if (!lr) {
        fprintf(stderr, "alidade match: %s\n", err);
        return -1;
    }
    ald_scanner *sc = ald_scanner_new(r->set, parse_format(r->o->format));
    if (!sc) {
        fprintf(stderr, "alidade match: out of memory\n");
        lr_close(lr);
        return -1;
    }
    if (r->wl)
        ald_scanner_set_allow(sc, allow_value, r);
    if (r->general)
        ald_scanner_set_record_cb(sc, on_record, r);
    ald_scanner_set_bad_line_cb(sc, on_bad_line, r);
    if (r->o->parse_all)
        ald_scanner_set_parse_all(sc, 1);
    r->log = strcmp(path, "-") == 0 ? "stdin" : path;
    bool tty = r->o->progress && isatty(2);
    off_t size = tty ? progress_plain_size(path) : 0;
    double t0 = now_s(), last_draw = t0;
    unsigned long long overlong = 0;
    const char *block;
    size_t len;
    bool ol;
    int rc = 0, got;
    while ((got = lr_block(lr, &block, &len, &ol)) == 1) {
        overlong += ol;
        ald_err e = ald_scanner_feed(sc, block, len, 0, on_hit, r);
        /* matches over several observations: taken when the candidates held
         * have doubled (each step evaluates them all, so a log whose
         * candidates never match costs O(n log n), not a step per block);
         * the matches are the same whenever steps run (match_general.h) */
        if (e == ALD_E_OK && r->general && ald_general_pending(r->general) >= r->step_at) {
            e = ald_general_step(r->general, on_general_hit, r);
            size_t left = ald_general_pending(r->general);
            r->step_at = left * 2 > STEP_MIN ? left * 2 : STEP_MIN;
        }
        if (e != ALD_E_OK) {
            fprintf(stderr, "alidade match: %s: %s\n", r->log, ald_strerror(e));
            rc = -1;
            break;
        }
        if (tty) {
            double t = now_s();
            if (t - last_draw > 0.2) {
                struct ald_scan_stats st;
                ald_scanner_stats(sc, &st);
                progress_show(path, lr_bytes(lr), size, (unsigned long long)st.lines);
                last_draw = t;
            }
        }
    }
    if (got < 0) {
        fprintf(stderr, "alidade match: %s: %s\n", r->log, lr_error(lr));
        rc = -1;
    }
    if (rc == 0)
        ald_scanner_feed(sc, "", 0, 1, on_hit, r);
    if (tty)
        fprintf(stderr, "\r\033[K");
    if (!r->o->quiet) {
        struct ald_scan_stats st;
        ald_scanner_stats(sc, &st);
        double dt = now_s() - t0;
        fprintf(stderr, "%s: %s, %llu lines, %.1f MB in %.2f s (%.0f MB/s): %llu hits, "
                "%llu corrupt lines, %llu vetoed by warninglists",
                r->log, format_name(ald_scanner_format(sc)), (unsigned long long)st.lines,
                (double)st.bytes / 1e6, dt, dt > 0 ? (double)st.bytes / 1e6 / dt : 0.0,
                (unsigned long long)st.hits, (unsigned long long)st.bad_lines,
                (unsigned long long)st.vetoed);
        if (st.out_of_window)
            fprintf(stderr, ", %llu outside the indicators' validity",
                    (unsigned long long)st.out_of_window);
        if (overlong)
            fprintf(stderr, ", %llu lines longer than 4 MB skipped", overlong);
        fputc('\n', stderr);
    }
    ald_scanner_free(sc);
    lr_close(lr);
    return rc;
}

/* ---- output -------------------------------------------------------------- */

struct emit {
    struct run *r;
    FILE *f;                     /* bundle output, or NULL: into imp's store */
    struct import_run imp;
    char col[STORE_UUID_TEXT];
    size_t n;
    bool first;
    ald_err failed;
};

static int emit_object(void *ctx, const char *json, size_t len)
{
    struct emit *em = ctx;
    em->n++;
    if (em->f) {
        fputs(em->first ? "\n  " : ",\n  ", em->f);
        fwrite(json, 1, len, em->f);
        em->first = false;
        return ferror(em->f) ? 1 : 0;
    }
    if (import_object(&em->imp, json, len, em->n) != 0) {
        em->failed = em->imp.failed;
        return 1;
    }
    if (em->imp.invalid) {
        /* our own object failing our own checker is a bug: stop, store nothing */
        fprintf(stderr, "alidade match: internal: an object it made is not valid STIX\n");
        em->failed = ALD_E_STIX_INVALID;
        return 1;
    }
    return 0;
}

/* identity, observed-data with their SCOs, then the sightings */
static ald_err emit_all(struct run *r, struct emit *em)
{
    char *ident = stix_node_identity_json(r->o->identity);
    if (!ident)
        return ALD_E_NOMEM;
    int stop = emit_object(em, ident, strlen(ident));
    free(ident);
    if (stop)
        return em->failed ? em->failed : ALD_E_IO;
    if (r->o->tlp >= 0) {
        /* the marking-definition itself travels with the objects */
        char md[512];
        size_t n = stix_tlp_definition((enum stix_tlp)r->o->tlp, md, sizeof md);
        if (n && emit_object(em, md, n))
            return em->failed ? em->failed : ALD_E_IO;
    }
    if (record_stix_emit(r->objs, emit_object, em) != 0)
        return em->failed ? em->failed : ALD_E_IO;
    ald_err e = ald_sightings_emit(r->sightings, emit_object, em);
    if (e != ALD_E_OK)
        return em->failed ? em->failed : e;
    return ALD_E_OK;
}

static int write_bundle(struct run *r)
{
    FILE *f = stdout;
    if (r->o->out && strcmp(r->o->out, "-") != 0) {
        f = fopen(r->o->out, "w");
        if (!f) {
            fprintf(stderr, "alidade match: %s: %s\n", r->o->out, strerror(errno));
            return -1;
        }
    }
    /* the bundle names this run: node and time */
    char name[256], id[STIX_ID_MAX];
    int n = snprintf(name, sizeof name, "bundle|match|%s|%s", r->identity_id, r->now);
    stix_name_id("bundle", name, (size_t)n, id);
    fprintf(f, "{\"type\":\"bundle\",\"id\":\"%s\",\"objects\":[", id);
    struct emit em = {.r = r, .f = f, .first = true};
    ald_err e = emit_all(r, &em);
    fputs("\n]}\n", f);
    int bad = ferror(f) != 0;
    if (f != stdout)
        bad |= fclose(f) != 0;
    else
        bad |= fflush(f) != 0;
    if (e != ALD_E_OK || bad) {
        fprintf(stderr, "alidade match: %s: cannot write the bundle%s%s\n",
                r->o->out ? r->o->out : "stdout", e != ALD_E_OK ? ": " : "",
                e != ALD_E_OK ? ald_strerror(e) : "");
        return -1;
    }
    return 0;
}

/* Everything in one transaction: all of it is stored, or nothing. */
static int write_store(struct run *r)
{
    char err[300];
    store *st = store_open(r->o->data, err, sizeof err);
    if (!st) {
        fprintf(stderr, "alidade match: %s\n", err);
        return -1;
    }
    struct emit em = {.r = r,
                      .imp = {.st = st, .file = "alidade match", .now = clock_wall_us()}};
    em.imp.collection = em.col;
    int rc = -1;
    if (cmd_collection_pick(st, r->o->collection, em.col, "alidade match") &&
        store_begin(st) == ALD_E_OK) {
        char detail[512];
        ald_err e = emit_all(r, &em);
        /* the raw lines: local evidence beside the sightings, in the same
         * transaction; this run's sighting versions replace the stored ones,
         * and so do their lines */
        if (e == ALD_E_OK && sighting_lines_put(st, r->lines, true) != ALD_E_OK) {
            fprintf(stderr, "alidade match: store: %s\n", store_errmsg(st));
            e = ALD_E_STORE;
        }
        if (e != ALD_E_OK) {
            store_rollback(st);
            fprintf(stderr, "alidade match: nothing stored (%s)\n", ald_strerror(e));
        } else if (import_commit(&em.imp, "match", detail, sizeof detail) == ALD_E_OK) {
            rc = 0;
            if (!r->o->quiet)
                fprintf(stderr, "store: %zu sightings; %s\n", ald_sightings_count(r->sightings),
                        detail);
        }
    }
    store_close(st);
    return rc;
}

/* ---- main ---------------------------------------------------------------- */

static int parse_tlp(const char *s)
{
    static const char *const names[] = {"clear", "green", "amber", "amber+strict", "red"};
    if (strcmp(s, "none") == 0)
        return -1;
    if (strcmp(s, "white") == 0)
        return STIX_TLP_CLEAR;
    for (int i = 0; i < 5; i++)
        if (strcasecmp(s, names[i]) == 0)
            return i;
    return -2;
}

int cmd_match(int argc, char **argv)
{
    struct opts o = {.identity = "alidade node", .tlp = STIX_TLP_AMBER, .window_s = 3600,
                     .valid = ALD_VALID_NOW, .progress = true};
    static const struct option longopts[] = {
        {"indicators", required_argument, NULL, 'i'},
        {"format", required_argument, NULL, 'f'},
        {"warninglists", required_argument, NULL, 'w'},
        {"valid", required_argument, NULL, 'v'},
        {"window", required_argument, NULL, 'W'},
        {"out", required_argument, NULL, 'o'},
        {"details", required_argument, NULL, 'd'},
        {"store", no_argument, NULL, 'S'},
        {"data", required_argument, NULL, 'D'},
        {"collection", required_argument, NULL, 'c'},
        {"identity", required_argument, NULL, 'I'},
        {"tlp", required_argument, NULL, 't'},
        {"no-progress", no_argument, NULL, 'P'},
        {"parse-all", no_argument, NULL, 'A'},
        {"quiet", no_argument, NULL, 'q'},
        {"help", no_argument, NULL, 'h'},
        {0, 0, 0, 0},
    };
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "i:qh", longopts, NULL)) != -1) {
        char *end;
        switch (c) {
        case 'i':
            if (o.nsources == MAX_SOURCES) {
                fprintf(stderr, "alidade match: at most %d --indicators\n", MAX_SOURCES);
                return 2;
            }
            o.sources[o.nsources++] = optarg;
            break;
        case 'f':
            if ((int)parse_format(optarg) < 0) {
                fprintf(stderr, "alidade match: --format: '%s' is not auto, eve, zeek, "
                        "zeek-json or text\n", optarg);
                return 2;
            }
            o.format = optarg;
            break;
        case 'w': o.warninglists = optarg; break;
        case 'v':
            if (strcmp(optarg, "now") == 0) o.valid = ALD_VALID_NOW;
            else if (strcmp(optarg, "record") == 0) o.valid = ALD_VALID_RECORD;
            else if (strcmp(optarg, "ignore") == 0) o.valid = ALD_VALID_IGNORE;
            else {
                fprintf(stderr, "alidade match: --valid: '%s' is not now, record or ignore\n",
                        optarg);
                return 2;
            }
            break;
        case 'W':
            errno = 0;
            o.window_s = strtoll(optarg, &end, 10);
            if (errno || *end || end == optarg || o.window_s < 0) {
                fprintf(stderr, "alidade match: --window: '%s' is not a number of seconds\n",
                        optarg);
                return 2;
            }
            break;
        case 'o': o.out = optarg; break;
        case 'd': o.details = optarg; break;
        case 'S': o.store = true; break;
        case 'D': o.data = optarg; break;
        case 'c': o.collection = optarg; break;
        case 'I': o.identity = optarg; break;
        case 't':
            o.tlp = parse_tlp(optarg);
            if (o.tlp < -1) {
                fprintf(stderr, "alidade match: --tlp: '%s' is not clear, green, amber, "
                        "amber+strict, red or none\n", optarg);
                return 2;
            }
            break;
        case 'P': o.progress = false; break;
        case 'A': o.parse_all = true; break;
        case 'q': o.quiet = true; o.progress = false; break;
        case 'h': usage(stdout); return 0;
        default: usage(stderr); return 2;
        }
    }
    if (o.nsources == 0 || optind >= argc) {
        fprintf(stderr, "alidade match: %s (alidade match --help)\n",
                o.nsources == 0 ? "--indicators SOURCE is required" : "no LOG given");
        return 2;
    }
    if (o.store && !o.data) {
        fprintf(stderr, "alidade match: --store needs --data DIR\n");
        return 2;
    }

    struct run r = {.o = &o, .step_at = STEP_MIN};
    int status = 2;
    stix_node_identity_id(o.identity, r.identity_id);
    int64_t now_us = clock_wall_us();
    stix_time_format(now_us, r.now);
    struct ald_sighting_opts so = {
        .identity_id = r.identity_id, .window_s = o.window_s, .now = r.now,
        .marking_id = o.tlp >= 0 ? stix_tlp_id((enum stix_tlp)o.tlp) : NULL};
    r.set = ald_iset_new();
    r.sightings = ald_sightings_new(&so);
    r.objs = record_stix_new(r.identity_id, r.now);
    if (o.store)
        r.lines = sighting_lines_new();
    if (!r.set || !r.sightings || !r.objs || (o.store && !r.lines)) {
        fprintf(stderr, "alidade match: out of memory\n");
        goto done;
    }
    ald_iset_set_validity(r.set, o.valid, now_us);

    double t0 = now_s();
    for (size_t i = 0; i < o.nsources; i++)
        if (load_source(&r, o.sources[i]) != 0)
            goto done;
    struct ald_errpos e = {0};
    ald_err ce = ald_iset_compile(r.set, &e);
    if (ce != ALD_E_OK) {
        fprintf(stderr, "alidade match: compiling the indicators: %s%s%s\n", ald_strerror(ce),
                e.msg[0] ? ": " : "", e.msg);
        goto done;
    }
    /* free text is scanned through Vectorscan when the set has its databases */
    bool any_text = o.format && strcmp(o.format, "text") == 0;
    for (int i = optind; i < argc && !any_text && (!o.format || strcmp(o.format, "auto") == 0);
         i++)
        any_text = starts_as_text(argv[i]);
    if (any_text) {
        ce = ald_iset_compile_text(r.set, &e);
        if (ce != ALD_E_OK) {
            fprintf(stderr, "alidade match: compiling the free-text database: %s%s%s\n",
                    ald_strerror(ce), e.msg[0] ? ": " : "", e.msg);
            goto done;
        }
    }
    struct ald_iset_stats ist;
    ald_iset_stats(r.set, &ist);
    if (!o.quiet) {
        fprintf(stderr, "indicators: %zu simple, %zu general, %zu expired, %zu revoked, "
                "%zu unsupported pattern type, %zu invalid; compiled in %.2f s (%.1f MB)\n",
                ist.status[ALD_IND_SIMPLE], ist.status[ALD_IND_GENERAL],
                ist.status[ALD_IND_EXPIRED], ist.status[ALD_IND_REVOKED],
                ist.status[ALD_IND_UNSUPPORTED], ist.status[ALD_IND_INVALID],
                now_s() - t0, (double)ist.mem_bytes / 1e6);
    }
    if (ist.status[ALD_IND_GENERAL]) {
        struct ald_general_opts go = {.identity_id = r.identity_id, .now = r.now};
        r.general = ald_general_new(r.set, &go, general_warn, &r);
        if (!r.general) {
            fprintf(stderr, "alidade match: out of memory\n");
            goto done;
        }
        size_t ns, nm;
        ald_general_counts(r.general, &ns, &nm);
        if (!o.quiet)
            fprintf(stderr, "general indicators: %zu decided line by line, %zu over several "
                    "observations (every line is parsed)\n", ns, nm);
    }
    if (o.warninglists && load_warninglists(&r, o.warninglists) != 0)
        goto done;
    if (o.details) {
        r.details = strcmp(o.details, "-") == 0 ? stdout : fopen(o.details, "w");
        if (!r.details) {
            fprintf(stderr, "alidade match: %s: %s\n", o.details, strerror(errno));
            goto done;
        }
    }

    int failed_logs = 0;
    for (int i = optind; i < argc; i++)
        if (scan_log(&r, argv[i]) != 0)
            failed_logs++;

    if (r.general) {
        size_t truncated = 0;
        if (ald_general_finish(r.general, on_general_hit, &r, &truncated) == ALD_E_NOMEM) {
            fprintf(stderr, "alidade match: out of memory\n");
            goto done;
        }
        if (truncated)
            fprintf(stderr, "alidade match: %zu indicators over several observations had more "
                    "than 100,000 candidate lines: the oldest were dropped\n", truncated);
    }
    int wrote = o.store ? write_store(&r) : write_bundle(&r);
    if (!o.quiet)
        fprintf(stderr, "sightings: %zu (%llu hits in %d logs)\n",
                ald_sightings_count(r.sightings), r.hits, argc - optind);
    if (wrote != 0 || failed_logs)
        status = 2;
    else
        status = ald_sightings_count(r.sightings) ? 0 : 1;
done:
    if (r.details && r.details != stdout && fclose(r.details) != 0) {
        fprintf(stderr, "alidade match: %s: %s\n", o.details, strerror(errno));
        status = 2;
    }
    ald_general_free(r.general);
    sighting_lines_free(r.lines);
    record_stix_free(r.objs);
    ald_sightings_free(r.sightings);
    ald_wlset_free(r.wl);
    ald_iset_free(r.set);
    return status;
}
