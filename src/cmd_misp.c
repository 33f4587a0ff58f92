/*
 * cmd_misp.c - `alidade misp`: MISP feeds and events into STIX 2.1
 * (convert: to standard output; import: into the node's store, as `alidade
 * stix import` does), and MISP warninglists (warninglist: which lists hold
 * a value). The conversion rules live in lib/misp (docs/misp.md); this file
 * reads the files and directories.
 */
#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>

#include "alidade/misp.h"
#include "alidade/stix.h"
#include "alidade/store.h"
#include "clock.h"
#include "cmd.h"
#include "import.h"
#include "input.h"

/* ---- reading inputs ---- */

static bool is_dir(const char *p)
{
    struct stat st;
    return stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

static bool is_file(const char *p)
{
    struct stat st;
    return stat(p, &st) == 0 && S_ISREG(st.st_mode);
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Names of a directory's entries, sorted (so runs are repeatable), NULL
 * after printing why. */
static char **dir_names(const char *dir, size_t *n)
{
    DIR *d = opendir(dir);
    if (!d) {
        fprintf(stderr, "%s: %s\n", dir, strerror(errno));
        return NULL;
    }
    char **v = NULL;
    size_t cap = 0;
    *n = 0;
    struct dirent *e;
    while ((e = readdir(d))) {
        if (e->d_name[0] == '.')
            continue;
        if (*n == cap) {
            cap = cap ? cap * 2 : 64;
            char **nv = realloc(v, cap * sizeof *nv);
            if (!nv)
                break;
            v = nv;
        }
        if (!(v[*n] = strdup(e->d_name)))
            break;
        (*n)++;
    }
    closedir(d);
    if (*n)
        qsort(v, *n, sizeof *v, cmp_str);
    return v ? v : calloc(1, sizeof *v);
}

static void free_names(char **v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(v[i]);
    free(v);
}

static char *path_join(const char *a, const char *b)
{
    size_t n = strlen(a) + strlen(b) + 2;
    char *p = malloc(n);
    if (p)
        snprintf(p, n, "%s/%s", a, b);
    return p;
}

/* ---- convert and import ---- */

/* Where converted objects go. */
struct sink {
    bool jsonl;
    char bundle_id[48];
    size_t written;
    /* import: collected, then checked and stored per input */
    bool collect;
    char **objs;
    size_t nobjs, capobjs;
    bool oom;
};

static int sink_emit(void *ctx, const char *json, size_t len)
{
    struct sink *s = ctx;
    if (s->collect) {
        if (s->nobjs == s->capobjs) {
            size_t cap = s->capobjs ? s->capobjs * 2 : 256;
            char **no = realloc(s->objs, cap * sizeof *no);
            if (!no)
                return s->oom = true, 1;
            s->objs = no;
            s->capobjs = cap;
        }
        char *c = malloc(len + 1);
        if (!c)
            return s->oom = true, 1;
        memcpy(c, json, len);
        c[len] = 0;
        s->objs[s->nobjs++] = c;
        return 0;
    }
    if (s->jsonl) {
        fwrite(json, 1, len, stdout);
        fputc('\n', stdout);
    } else {
        /* the bundle starts with its first object: a bundle's "objects",
         * when present, may not be empty */
        if (!s->written)
            printf("{\"type\":\"bundle\",\"id\":\"%s\",\"objects\":[", s->bundle_id);
        fputs(s->written ? ",\n" : "\n", stdout);
        fwrite(json, 1, len, stdout);
    }
    s->written++;
    return ferror(stdout) ? 1 : 0;
}

/* The converter of a run and the file being read (for warnings). */
struct run {
    ald_misp_conv *conv;
    struct sink *sink;
    const char *file;
    bool quiet;
    size_t unreadable;
};

static void run_warn(void *ctx, const char *where, const char *why)
{
    struct run *r = ctx;
    if (!r->quiet)
        fprintf(stderr, "%s: %s: %s\n", r->file, where, why);
}

static int run_emit(void *ctx, const char *json, size_t len)
{
    struct run *r = ctx;
    return sink_emit(r->sink, json, len);
}

/* One event file: 0 converted, 1 reported (the run goes on). */
static int run_file(struct run *r, const char *path)
{
    char err[256];
    size_t len;
    char *text = input_read_all(path, INPUT_STIX_MAX, &len, err, sizeof err);
    if (!text) {
        fprintf(stderr, "%s: %s\n", path, err);
        r->unreadable++;
        return 1;
    }
    r->file = path;
    struct ald_errpos ep;
    ald_err e = ald_misp_convert_event(r->conv, text, len, &ep);
    free(text);
    if (e == ALD_E_JSON) {
        fprintf(stderr, "%s: line %u, column %u: not JSON: %s\n", path, ep.line, ep.col, ep.msg);
        return 1;
    }
    if (e != ALD_E_OK) {
        fprintf(stderr, "%s: %s (%s)\n", path, ep.msg[0] ? ep.msg : ald_strerror(e),
                ald_errname(e));
        return 1;
    }
    return 0;
}

struct manifest_walk {
    struct run *r;
    const char *dir;
    int rc;
};

static int manifest_event(void *ctx, const char *uuid)
{
    struct manifest_walk *w = ctx;
    char name[48];
    snprintf(name, sizeof name, "%s.json", uuid);
    char *p = path_join(w->dir, name);
    if (!p)
        return 1;
    w->rc |= run_file(w->r, p);
    free(p);
    return w->r->sink->oom;
}

/* A feed directory (manifest.json names the events), a directory of event
 * files, or one event file. */
static int run_input(struct run *r, const char *arg)
{
    if (!is_dir(arg))
        return run_file(r, arg);
    char *man = path_join(arg, "manifest.json");
    if (!man)
        return 1;
    int rc = 0;
    if (is_file(man)) {
        char err[256];
        size_t len;
        char *text = input_read_all(man, INPUT_SMALL_MAX, &len, err, sizeof err);
        if (!text) {
            fprintf(stderr, "%s: %s\n", man, err);
            free(man);
            return 1;
        }
        struct manifest_walk w = {r, arg, 0};
        struct ald_errpos ep;
        ald_err e = ald_misp_manifest(text, len, manifest_event, &w, &ep);
        free(text);
        if (e != ALD_E_OK && e != ALD_E_IO) {
            fprintf(stderr, "%s: %s (%s)\n", man, ep.msg, ald_errname(e));
            rc = 1;
        }
        rc |= w.rc;
    } else {
        size_t n;
        char **names = dir_names(arg, &n);
        if (!names) {
            free(man);
            return 1;
        }
        for (size_t i = 0; i < n; i++) {
            size_t l = strlen(names[i]);
            if (l < 5 || strcmp(names[i] + l - 5, ".json") != 0)
                continue;
            char *p = path_join(arg, names[i]);
            if (p && is_file(p))
                rc |= run_file(r, p);
            free(p);
        }
        free_names(names, n);
    }
    free(man);
    return rc;
}

static void print_summary(const char *cmd, const struct ald_misp_stats *st)
{
    fprintf(stderr,
            "alidade misp %s: %zu event%s (%zu rejected), %zu attributes: %zu indicators "
            "(%zu attributes folded into object indicators), %zu identities, %zu reports; "
            "skipped: %zu not to_ids, %zu deleted, %zu invalid, %zu not mappable\n",
            cmd, st->events, st->events == 1 ? "" : "s", st->events_bad, st->attributes,
            st->indicators, st->combined, st->identities, st->reports, st->skip_not_ids,
            st->skip_deleted, st->skip_invalid, st->skip_unmapped);
    if (st->nunmapped) {
        fprintf(stderr, "alidade misp %s: not mappable to a STIX pattern:", cmd);
        for (size_t i = 0; i < st->nunmapped; i++)
            fprintf(stderr, "%s %s %zu", i ? "," : "", st->unmapped[i].type, st->unmapped[i].n);
        if (st->unmapped_other)
            fprintf(stderr, ", other types %zu", st->unmapped_other);
        fputc('\n', stderr);
    }
}

static void convert_usage(FILE *f)
{
    fprintf(f,
        "usage: alidade misp convert [--jsonl] [-q] FEED_DIR|EVENT.json...\n"
        "\n"
        "Converts MISP events into STIX 2.1 and prints them as one bundle (or one object\n"
        "per line with --jsonl). FEED_DIR is a MISP feed (manifest.json and <uuid>.json\n"
        "per event, as MISP's feed export and CIRCL's OSINT feed lay them out) or a\n"
        "directory of event files; EVENT.json is one event ({\"Event\": ...}), '-' is\n"
        "standard input. One indicator per attribute flagged to_ids (file and ip-port\n"
        "objects: one per object), an identity per creator organisation, a report per\n"
        "event, TLP 2.0 markings from tags and distribution (docs/misp.md).\n"
        "\n"
        "Every skipped attribute with a bad value and every broken event file is\n"
        "reported on standard error (FILE: event U: attribute U: TYPE 'VALUE': why);\n"
        "the other events still convert. A summary line ends the run.\n"
        "\n"
        "  --jsonl       one object per line instead of a bundle\n"
        "  -q, --quiet   no line per skipped attribute (the summary stays)\n"
        "\n"
        "Exit status: 0 all read, 1 an input was unreadable or an event rejected,\n"
        "2 wrong options.\n");
}

static void import_usage(FILE *f)
{
    fprintf(f,
        "usage: alidade misp import [--data DIR] [--collection ID] [-q] FEED_DIR|EVENT.json...\n"
        "\n"
        "Converts as `alidade misp convert` does and stores the objects in the node's\n"
        "store (default data directory alidade-data; default collection unless\n"
        "--collection), one transaction per argument, the way `alidade stix import`\n"
        "does: every object checked first, the same id and modified not stored twice,\n"
        "so importing a feed again only adds what changed. Works while `alidade serve`\n"
        "runs. Prints one line per argument (added, already there, invalid).\n"
        "\n"
        "Exit status: 0 all stored, 1 an input was unreadable, an event rejected or an\n"
        "object invalid, 2 wrong options.\n");
}

static void random_bundle_id(char out[48])
{
    unsigned char b[16];
    if (getrandom(b, sizeof b, 0) != (ssize_t)sizeof b) {
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        for (int i = 0; i < 16; i++)
            b[i] = (unsigned char)(ts.tv_nsec >> (i % 4 * 8)) ^ (unsigned char)(i * 37);
    }
    b[6] = (unsigned char)((b[6] & 0x0f) | 0x40);
    b[8] = (unsigned char)((b[8] & 0x3f) | 0x80);
    char *p = out;
    p += sprintf(p, "bundle--");
    for (int i = 0; i < 16; i++)
        p += sprintf(p, "%s%02x", i == 4 || i == 6 || i == 8 || i == 10 ? "-" : "", b[i]);
}

static int misp_convert_main(int argc, char **argv)
{
    static const struct option lo[] = {
        {"jsonl", no_argument, NULL, 'j'},
        {"quiet", no_argument, NULL, 'q'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    struct sink s = {0};
    bool quiet = false;
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "qh", lo, NULL)) != -1) {
        switch (c) {
        case 'j': s.jsonl = true; break;
        case 'q': quiet = true; break;
        case 'h': convert_usage(stdout); return 0;
        default: convert_usage(stderr); return 2;
        }
    }
    if (optind >= argc) {
        fprintf(stderr, "alidade misp convert: no FEED_DIR or EVENT.json given\n");
        return 2;
    }
    struct run r = {.sink = &s, .quiet = quiet};
    r.conv = ald_misp_conv_new(run_emit, run_warn, &r);
    if (!r.conv) {
        fprintf(stderr, "alidade misp convert: out of memory\n");
        return 1;
    }
    random_bundle_id(s.bundle_id);
    int rc = 0;
    for (int i = optind; i < argc; i++)
        rc |= run_input(&r, argv[i]);
    if (!s.jsonl && s.written)
        printf("\n]}\n");
    else if (!s.jsonl)
        printf("{\"type\":\"bundle\",\"id\":\"%s\"}\n", s.bundle_id);
    if (fflush(stdout) != 0 || ferror(stdout)) {
        perror("alidade misp convert");
        rc = 1;
    }
    print_summary("convert", ald_misp_conv_stats(r.conv));
    ald_misp_conv_free(r.conv);
    return rc;
}

/* Stores what one argument gave, in one transaction; 0 all stored. */
static int store_objects(store *st, const char *coll, const char *arg, struct sink *s)
{
    struct import_run r = {.st = st, .collection = coll, .file = arg,
                           .now = clock_wall_us()};
    if (store_begin(st) != ALD_E_OK) {
        fprintf(stderr, "%s: %s; nothing imported\n", arg, store_errmsg(st));
        return 1;
    }
    /* lib/misp writes valid objects only: an invalid one is a bug, reported */
    for (size_t i = 0; i < s->nobjs; i++)
        if (import_object(&r, s->objs[i], strlen(s->objs[i]), i) != 0) {
            fprintf(stderr, "%s: nothing imported\n", arg);
            store_rollback(st);
            return 1;
        }
    char detail[512];
    if (import_commit(&r, "misp-import", detail, sizeof detail) != ALD_E_OK)
        return 1;
    printf("%s\n", detail);
    return r.invalid ? 1 : 0;
}

static int misp_import_main(int argc, char **argv)
{
    static const struct option lo[] = {
        {"data", required_argument, NULL, 'd'},
        {"collection", required_argument, NULL, 'c'},
        {"quiet", no_argument, NULL, 'q'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    const char *data = "alidade-data", *coll = NULL;
    bool quiet = false;
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "qh", lo, NULL)) != -1) {
        switch (c) {
        case 'd': data = optarg; break;
        case 'c': coll = optarg; break;
        case 'q': quiet = true; break;
        case 'h': import_usage(stdout); return 0;
        default: import_usage(stderr); return 2;
        }
    }
    if (optind >= argc) {
        fprintf(stderr, "alidade misp import: no FEED_DIR or EVENT.json given\n");
        return 2;
    }
    char err[256];
    store *st = store_open(data, err, sizeof err);
    if (!st) {
        fprintf(stderr, "alidade misp import: %s\n", err);
        return 1;
    }
    char id[STORE_UUID_TEXT];
    if (!cmd_collection_pick(st, coll, id, "alidade misp import")) {
        store_close(st);
        return 1;
    }
    struct sink s = {.collect = true};
    struct run r = {.sink = &s, .quiet = quiet};
    r.conv = ald_misp_conv_new(run_emit, run_warn, &r);
    int rc = r.conv ? 0 : 1;
    for (int i = optind; i < argc && r.conv; i++) {
        s.nobjs = 0;
        rc |= run_input(&r, argv[i]);
        if (s.oom) {
            fprintf(stderr, "alidade misp import: out of memory\n");
            rc = 1;
            break;
        }
        rc |= store_objects(st, id, argv[i], &s);
        for (size_t k = 0; k < s.nobjs; k++)
            free(s.objs[k]);
        s.nobjs = 0;
    }
    if (r.conv)
        print_summary("import", ald_misp_conv_stats(r.conv));
    ald_misp_conv_free(r.conv);
    free(s.objs);
    store_close(st);
    return rc;
}

/* ---- warninglist ---- */

static const struct {
    const char *name;
    ald_obs_kind kind;
} kinds[] = {
    {"ipv4", ALD_OBS_IPV4}, {"ipv6", ALD_OBS_IPV6}, {"domain", ALD_OBS_DOMAIN},
    {"url", ALD_OBS_URL}, {"email", ALD_OBS_EMAIL}, {"md5", ALD_OBS_MD5},
    {"sha1", ALD_OBS_SHA1}, {"sha256", ALD_OBS_SHA256}, {"sha512", ALD_OBS_SHA512},
    {"filename", ALD_OBS_FILE_NAME}, {"port", ALD_OBS_PORT}, {"x509-sha1", ALD_OBS_X509_SHA1},
    {"x509-serial", ALD_OBS_X509_SERIAL},
};
#define NKINDS (sizeof kinds / sizeof kinds[0])

static const char *kind_name(ald_obs_kind k)
{
    for (size_t i = 0; i < NKINDS; i++)
        if (kinds[i].kind == k)
            return kinds[i].name;
    return "?";
}

/* One list.json into the set; 0 loaded, 1 reported. */
static int load_list(ald_wlset *s, const char *path, const char *origin)
{
    char err[256];
    size_t len;
    char *text = input_read_all(path, INPUT_SMALL_MAX, &len, err, sizeof err);
    if (!text) {
        fprintf(stderr, "%s: %s\n", path, err);
        return 1;
    }
    struct ald_errpos ep;
    ald_err e = ald_wlset_load_json(s, text, len, origin, &ep);
    free(text);
    if (e == ALD_E_JSON) {
        fprintf(stderr, "%s: line %u, column %u: not JSON: %s\n", path, ep.line, ep.col, ep.msg);
        return 1;
    }
    if (e != ALD_E_OK) {
        fprintf(stderr, "%s: %s (%s)\n", path, ep.msg, ald_errname(e));
        return 1;
    }
    return 0;
}

/* A list.json, a directory holding list.json, a directory of <name>/list.json,
 * or the misp-warninglists repository (its lists/ directory). */
static int load_lists(ald_wlset *s, const char *arg)
{
    if (!is_dir(arg))
        return load_list(s, arg, arg);
    char *p = path_join(arg, "list.json");
    if (!p)
        return 1;
    if (is_file(p)) {
        const char *base = strrchr(arg, '/');
        int rc = load_list(s, p, base && base[1] ? base + 1 : arg);
        free(p);
        return rc;
    }
    free(p);
    p = path_join(arg, "lists");
    if (p && is_dir(p)) {
        int rc = load_lists(s, p);
        free(p);
        return rc;
    }
    free(p);
    size_t n;
    char **names = dir_names(arg, &n);
    if (!names)
        return 1;
    int rc = 0;
    for (size_t i = 0; i < n; i++) {
        char *d = path_join(arg, names[i]);
        char *f = d ? path_join(d, "list.json") : NULL;
        if (f && is_file(f))
            rc |= load_list(s, f, names[i]);
        free(f);
        free(d);
    }
    free_names(names, n);
    return rc;
}

static void wl_usage(FILE *f)
{
    fprintf(f,
        "usage: alidade misp warninglist --lists DIR [--lists DIR...] [--kind K] [-v] VALUE...\n"
        "\n"
        "Prints, for each VALUE, the MISP warninglists that hold it: VALUE: KIND: list\n"
        "name (origin), one line per list, or VALUE: KIND: - when none does. --lists is a\n"
        "directory of <name>/list.json (misp-warninglists' lists/), the repository\n"
        "itself, one list's directory or one list.json; repeat it to load more. The kind\n"
        "of each value is guessed (IPv4, IPv6, URL, e-mail, hashes by length, else a\n"
        "domain) unless --kind gives it: ipv4 ipv6 domain url email md5 sha1 sha256 sha512\n"
        "filename port x509-sha1. Lists apply to the kinds of their matching_attributes.\n"
        "\n"
        "  -v, --verbose  lists loaded, their entries and the load time on stderr\n"
        "\n"
        "Exit status: 0 some value is on a list, 1 none is, 2 wrong options or a list\n"
        "that cannot be read.\n");
}

static int misp_warninglist_main(int argc, char **argv)
{
    static const struct option lo[] = {
        {"lists", required_argument, NULL, 'l'},
        {"kind", required_argument, NULL, 'k'},
        {"verbose", no_argument, NULL, 'v'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    const char *dirs[64];
    size_t ndirs = 0;
    int kind = -1;
    bool verbose = false;
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "vh", lo, NULL)) != -1) {
        switch (c) {
        case 'l':
            if (ndirs == sizeof dirs / sizeof dirs[0]) {
                fprintf(stderr, "alidade misp warninglist: at most 64 --lists\n");
                return 2;
            }
            dirs[ndirs++] = optarg;
            break;
        case 'k':
            for (size_t i = 0; i < NKINDS; i++)
                if (strcmp(kinds[i].name, optarg) == 0)
                    kind = (int)kinds[i].kind;
            if (kind < 0) {
                fprintf(stderr, "alidade misp warninglist: unknown --kind '%s'\n", optarg);
                return 2;
            }
            break;
        case 'v': verbose = true; break;
        case 'h': wl_usage(stdout); return 0;
        default: wl_usage(stderr); return 2;
        }
    }
    if (ndirs == 0 || optind >= argc) {
        fprintf(stderr, "alidade misp warninglist: %s\n",
                ndirs == 0 ? "--lists DIR is required" : "no VALUE given");
        return 2;
    }
    ald_wlset *s = ald_wlset_new();
    if (!s) {
        fprintf(stderr, "alidade misp warninglist: out of memory\n");
        return 2;
    }
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    int bad = 0;
    for (size_t i = 0; i < ndirs; i++)
        bad |= load_lists(s, dirs[i]);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    if (bad) {
        ald_wlset_free(s);
        return 2;
    }
    if (verbose) {
        size_t total = 0;
        for (size_t i = 0; i < ald_wlset_count(s); i++) {
            fprintf(stderr, "%s: %s, %zu entries: %s\n", ald_wlset_origin(s, i),
                    ald_wlset_type(s, i), ald_wlset_entries(s, i), ald_wlset_name(s, i));
            total += ald_wlset_entries(s, i);
        }
        fprintf(stderr, "%zu lists, %zu entries loaded in %.1f ms\n", ald_wlset_count(s), total,
                (double)(t1.tv_sec - t0.tv_sec) * 1e3 + (double)(t1.tv_nsec - t0.tv_nsec) / 1e6);
    }
    int rc = 1;
    size_t idx[256];
    for (int i = optind; i < argc; i++) {
        const char *v = argv[i];
        size_t n = strlen(v);
        ald_obs_kind k = kind >= 0 ? (ald_obs_kind)kind : ald_wl_guess_kind(v, n);
        size_t m = ald_wlset_match_all(s, k, v, n, idx, sizeof idx / sizeof idx[0]);
        if (m == 0)
            printf("%s: %s: -\n", v, kind_name(k));
        for (size_t j = 0; j < m && j < sizeof idx / sizeof idx[0]; j++)
            printf("%s: %s: %s (%s)\n", v, kind_name(k), ald_wlset_name(s, idx[j]),
                   ald_wlset_origin(s, idx[j]));
        if (m)
            rc = 0;
    }
    ald_wlset_free(s);
    if (fflush(stdout) != 0) {
        perror("alidade misp warninglist");
        return 2;
    }
    return rc;
}

/* ---- dispatch ---- */

static const struct subcmd misp_commands[] = {
    {"convert", misp_convert_main, "MISP feeds or events to a STIX 2.1 bundle on stdout"},
    {"import", misp_import_main, "MISP feeds or events into the node's store"},
    {"warninglist", misp_warninglist_main, "which MISP warninglists hold each value"},
};

int cmd_misp(int argc, char **argv)
{
    return cmd_subcommands("alidade misp", misp_commands,
                           sizeof misp_commands / sizeof misp_commands[0], argc, argv,
                           "See docs/misp.md.");
}
