/*
 * cmd_stix.c - `alidade stix`, one table row per subcommand: validate (the
 * STIX 2.1 checks of lib/stix on files, no store needed), import and export
 * (the store).
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

#include "alidade/stix.h"
#include "alidade/store.h"
#include "clock.h"
#include "cmd.h"
#include "import.h"
#include "input.h"

/* ---- import and export (the store's side) ---- */

/* The whole of FILE ("-": standard input; gzip or zstd decompressed),
 * malloc'd; NULL after printing "FILE: why" on stderr. */
static char *stix_read(const char *path, size_t *len)
{
    char err[256];
    char *text = input_read_all(path, INPUT_STIX_MAX, len, err, sizeof err);
    if (!text)
        fprintf(stderr, "%s: %s\n", path, err);
    return text;
}

/* One file in one transaction; 0 all valid and stored, 1 otherwise. */
static int import_file(store *st, const char *collection, const char *path, size_t *total)
{
    size_t len;
    char *text = stix_read(path, &len);
    if (!text)
        return 1;
    struct import_run r = {.st = st, .collection = collection, .file = path,
                           .now = clock_wall_us()};
    char err[200] = "";
    ald_err e = store_begin(st);
    int rc = e == ALD_E_OK ? stix_split(text, len, import_object, &r, err, sizeof err) : 1;
    if (e != ALD_E_OK || rc != 0) {
        if (e != ALD_E_OK)
            fprintf(stderr, "%s: %s\n", path, store_errmsg(st));
        else if (rc < 0)
            fprintf(stderr, "%s: %s\n", path, err);
        store_rollback(st);
        free(text);
        fprintf(stderr, "%s: nothing imported\n", path);
        return 1;
    }
    char detail[512];
    free(text);
    if (import_commit(&r, "import", detail, sizeof detail) != ALD_E_OK)
        return 1;
    printf("%s\n", detail);
    *total += r.added;
    return r.invalid ? 1 : 0;
}

static void import_usage(FILE *f)
{
    fprintf(f,
        "usage: alidade stix import --data DIR [--collection ID] FILE...\n"
        "\n"
        "Checks every object of each FILE (a bundle, a TAXII envelope, one object, a JSON\n"
        "array or JSON lines; '-' is standard input) and stores the valid ones, as their\n"
        "original text, into the collection (default: the default collection). Each\n"
        "invalid object is reported as FILE: ID: PROPERTY: REASON. One transaction per\n"
        "file; the same id and modified already there is not added again. Works while\n"
        "`alidade serve` runs. Exit status 1 when any object was invalid or any file\n"
        "could not be read.\n");
}

static void export_usage(FILE *f)
{
    fprintf(f,
        "usage: alidade stix export --data DIR [--collection ID] [--type T,...]\n"
        "                           [--added-after TIMESTAMP] [--all-versions]\n"
        "\n"
        "Writes a STIX 2.1 bundle of the collection's objects (default: the default\n"
        "collection) to standard output, each object byte for byte as it was stored, in\n"
        "the order they were added. Like a TAXII objects request: the latest version of\n"
        "each object unless --all-versions; --added-after keeps what was added after the\n"
        "timestamp (RFC 3339, e.g. 2026-11-23T10:00:00Z).\n");
}

static int stix_import_main(int argc, char **argv)
{
    static const struct option lo[] = {
        {"data", required_argument, NULL, 'd'},
        {"collection", required_argument, NULL, 'c'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    const char *data = NULL, *coll = NULL;
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "h", lo, NULL)) != -1) {
        switch (c) {
        case 'd': data = optarg; break;
        case 'c': coll = optarg; break;
        case 'h': import_usage(stdout); return 0;
        default: import_usage(stderr); return 2;
        }
    }
    if (!data || optind >= argc) {
        fprintf(stderr, "alidade stix import: %s\n",
                !data ? "--data DIR is required" : "no FILE given");
        return 2;
    }
    char err[256];
    store *st = store_open(data, err, sizeof err);
    if (!st) {
        fprintf(stderr, "alidade stix import: %s\n", err);
        return 1;
    }
    char id[STORE_UUID_TEXT];
    int rc = 0;
    size_t total = 0;
    if (!cmd_collection_pick(st, coll, id, "alidade stix"))
        rc = 1;
    else
        for (int i = optind; i < argc; i++)
            rc |= import_file(st, id, argv[i], &total);
    store_close(st);
    return rc;
}

struct export_run {
    size_t n;
};

static int export_row(void *ctx, const struct store_row *r)
{
    struct export_run *x = ctx;
    fputs(x->n++ ? ",\n" : "\n", stdout);
    fwrite(r->json, 1, r->len, stdout);
    return 0;
}

/* Splits a comma-separated list in place into at most max items. */
static size_t split_list(char *s, const char **out, size_t max)
{
    size_t n = 0;
    char *save = NULL;
    for (char *t = strtok_r(s, ",", &save); t && n < max; t = strtok_r(NULL, ",", &save))
        out[n++] = t;
    return n;
}

static int stix_export_main(int argc, char **argv)
{
    static const struct option lo[] = {
        {"data", required_argument, NULL, 'd'},
        {"collection", required_argument, NULL, 'c'},
        {"type", required_argument, NULL, 't'},
        {"added-after", required_argument, NULL, 'a'},
        {"all-versions", no_argument, NULL, 'A'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    const char *data = NULL, *coll = NULL;
    char types_buf[4096] = "";
    const char *types[64];
    struct store_filter f = {.added_after = INT64_MIN, .limit = 1000};
    static const char *const all[] = {"all"};
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "h", lo, NULL)) != -1) {
        switch (c) {
        case 'd': data = optarg; break;
        case 'c': coll = optarg; break;
        case 't':
            snprintf(types_buf, sizeof types_buf, "%s", optarg);
            f.ntypes = split_list(types_buf, types, sizeof types / sizeof types[0]);
            f.types = types;
            break;
        case 'a':
            if (!stix_time_parse(optarg, strlen(optarg), &f.added_after)) {
                fprintf(stderr, "alidade stix export: --added-after '%s' is not an RFC 3339 "
                                "UTC timestamp (2026-11-23T10:00:00Z)\n", optarg);
                return 2;
            }
            break;
        case 'A':
            f.versions = all;
            f.nversions = 1;
            break;
        case 'h': export_usage(stdout); return 0;
        default: export_usage(stderr); return 2;
        }
    }
    if (!data || optind < argc) {
        fprintf(stderr, "alidade stix export: %s\n",
                !data ? "--data DIR is required" : "unexpected argument");
        return 2;
    }
    char err[256];
    store *st = store_open(data, err, sizeof err);
    if (!st) {
        fprintf(stderr, "alidade stix export: %s\n", err);
        return 1;
    }
    char id[STORE_UUID_TEXT];
    if (!cmd_collection_pick(st, coll, id, "alidade stix")) {
        store_close(st);
        return 1;
    }
    /* bundle--UUIDv4 */
    unsigned char b[16];
    if (getrandom(b, sizeof b, 0) != (ssize_t)sizeof b) {
        fprintf(stderr, "alidade stix export: no randomness for the bundle id\n");
        store_close(st);
        return 1;
    }
    b[6] = (unsigned char)((b[6] & 0x0f) | 0x40);
    b[8] = (unsigned char)((b[8] & 0x3f) | 0x80);
    printf("{\"type\":\"bundle\",\"id\":\"bundle--");
    for (int i = 0; i < 16; i++)
        printf("%s%02x", i == 4 || i == 6 || i == 8 || i == 10 ? "-" : "", b[i]);
    printf("\",\"objects\":[");
    /* page by page: memory stays bounded whatever the collection holds */
    struct export_run x = {0};
    char next[64];
    int rc = 0;
    for (;;) {
        struct store_page pg;
        if (store_query(st, id, &f, NULL, NULL, export_row, &x, &pg) != ALD_E_OK) {
            fprintf(stderr, "alidade stix export: %s\n", store_errmsg(st));
            rc = 1;
            break;
        }
        if (!pg.more)
            break;
        snprintf(next, sizeof next, "%s", pg.next);
        f.next = next;
    }
    printf("%s]}\n", x.n ? "\n" : "");
    if (fflush(stdout) != 0) {
        perror("alidade stix export");
        rc = 1;
    }
    store_close(st);
    return rc;
}

/* ---- validate ---- */

/* Largest file `stix validate` reads (held in memory while split). */
/* Problems printed per object (the rest are counted). */
#define VALIDATE_PROBLEMS 32

/* Counts over one run of `stix validate`. */
struct validate_run {
    const char *file;
    size_t objects, invalid, problems;
};

static void validate_usage(FILE *f)
{
    fprintf(f,
        "usage: alidade stix validate [-q] FILE...\n"
        "\n"
        "Checks every STIX 2.1 object of each FILE (a bundle, a TAXII envelope, one\n"
        "object, a JSON array or JSON lines; '-' is standard input) against the STIX 2.1\n"
        "rules (docs/stix.md): common properties, identifiers, timestamps, required\n"
        "properties per type, reference types, markings, extensions. Prints every\n"
        "problem as FILE: ID: PROPERTY: MESSAGE (no PROPERTY when it is about the whole\n"
        "object; ID is \"object N\" when the object has no id), text that is not JSON as\n"
        "FILE: line L, column C: MESSAGE, then a summary line.\n"
        "\n"
        "  -q, --quiet   no summary line\n"
        "  -h, --help    this help\n"
        "\n"
        "Exit status: 0 every object valid, 1 problems found (or text that is not\n"
        "well-formed JSON), 2 a FILE could not be read or the options are wrong.\n");
}


/* stix_split callback: checks one object and prints its problems. */
static int validate_object(void *ctx, const char *obj, size_t len, size_t index)
{
    struct validate_run *r = ctx;
    struct stix_problem p[VALIDATE_PROBLEMS];
    size_t n = stix_check(obj, len, index, NULL, p, VALIDATE_PROBLEMS);
    for (size_t i = 0; i < n && i < VALIDATE_PROBLEMS; i++)
        printf("%s: %s: %s%s%s\n", r->file, p[i].id, p[i].property,
               p[i].property[0] ? ": " : "", p[i].message);
    if (n > VALIDATE_PROBLEMS)
        printf("%s: %s: %zu more problems\n", r->file, p[0].id, n - VALIDATE_PROBLEMS);
    r->objects++;
    r->invalid += n > 0;
    r->problems += n;
    return 0;
}

/* One file: 0 all valid, 1 problems, 2 unreadable. */
static int validate_file(const char *path, struct validate_run *r)
{
    size_t len;
    char *text = stix_read(path, &len);
    if (!text)
        return 2;
    size_t before = r->problems;
    r->file = path;
    char err[200];
    int rc = stix_split(text, len, validate_object, r, err, sizeof err);
    free(text);
    if (rc < 0) {
        printf("%s: %s\n", path, err);
        r->problems++;
        return 1;
    }
    return r->problems > before;
}

static int stix_validate_main(int argc, char **argv)
{
    static const struct option lo[] = {
        {"quiet", no_argument, NULL, 'q'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    bool quiet = false;
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "qh", lo, NULL)) != -1) {
        switch (c) {
        case 'q': quiet = true; break;
        case 'h': validate_usage(stdout); return 0;
        default: validate_usage(stderr); return 2;
        }
    }
    if (optind >= argc) {
        fprintf(stderr, "alidade stix validate: no FILE given (use - for standard input)\n");
        return 2;
    }
    struct validate_run r = {0};
    int rc = 0;
    size_t unreadable = 0;
    for (int i = optind; i < argc; i++) {
        int f = validate_file(argv[i], &r);
        unreadable += f == 2;
        rc = f > rc ? f : rc;
    }
    if (!quiet)
        printf("%d file%s (%zu unreadable), %zu objects: %zu valid, %zu invalid, %zu problems\n",
               argc - optind, argc - optind == 1 ? "" : "s", unreadable, r.objects,
               r.objects - r.invalid, r.invalid, r.problems);
    if (fflush(stdout) != 0) {
        perror("alidade stix validate");
        return 2;
    }
    return rc;
}

/* ---- dispatch ---- */

static const struct subcmd stix_commands[] = {
    {"validate", stix_validate_main, "check STIX 2.1 objects in files (no store needed)"},
    {"import", stix_import_main, "check and store objects into a collection"},
    {"export", stix_export_main, "write a collection's objects as a bundle"},
};

int cmd_stix(int argc, char **argv)
{
    return cmd_subcommands("alidade stix", stix_commands,
                           sizeof stix_commands / sizeof stix_commands[0], argc, argv, NULL);
}
