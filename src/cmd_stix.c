/*
 * cmd_stix.c - `alidade stix`, one table row per subcommand: validate (the
 * STIX 2.1 checks of lib/stix on files, no store needed), import and export
 * (the store).
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alidade/stix.h"
#include "cmd.h"

/* ---- validate ---- */

/* Largest file `stix validate` reads (held in memory while split). */
#define VALIDATE_FILE_MAX ((size_t)1 << 30)
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

/* The whole of FILE ("-": standard input), malloc'd; NULL after a message. */
static char *validate_read(const char *path, size_t *len)
{
    FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
    if (!f) {
        fprintf(stderr, "%s: %s\n", path, strerror(errno));
        return NULL;
    }
    size_t cap = 1 << 16, n = 0;
    char *buf = malloc(cap);
    while (buf) {
        n += fread(buf + n, 1, cap - n, f);
        if (n < cap || cap >= VALIDATE_FILE_MAX)
            break;
        char *p = realloc(buf, cap * 2);
        if (!p)
            free(buf);
        buf = p;
        cap *= 2;
    }
    const char *why = !buf ? "out of memory" : ferror(f) ? strerror(errno)
                    : n == cap ? "larger than 1 GiB" : NULL;
    if (why) {
        fprintf(stderr, "%s: %s\n", path, why);
        free(buf);
        buf = NULL;
    }
    if (f != stdin)
        fclose(f);
    *len = n;
    return buf;
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
    char *text = validate_read(path, &len);
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

static const struct {
    const char *name;
    int (*run)(int, char **);
    const char *summary;
} stix_commands[] = {
    {"validate", stix_validate_main, "check STIX 2.1 objects in files (no store needed)"},
};

int cmd_stix(int argc, char **argv)
{
    if (argc >= 2)
        for (size_t i = 0; i < sizeof stix_commands / sizeof stix_commands[0]; i++)
            if (strcmp(argv[1], stix_commands[i].name) == 0)
                return stix_commands[i].run(argc - 1, argv + 1);
    bool help = argc >= 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
                              strcmp(argv[1], "help") == 0);
    FILE *f = help ? stdout : stderr;
    if (argc >= 2 && !help)
        fprintf(f, "alidade stix: unknown subcommand '%s'\n", argv[1]);
    fprintf(f, "usage: alidade stix <subcommand> [options]\n\n");
    for (size_t i = 0; i < sizeof stix_commands / sizeof stix_commands[0]; i++)
        fprintf(f, "  %-10s %s\n", stix_commands[i].name, stix_commands[i].summary);
    fprintf(f, "\nRun 'alidade stix <subcommand> --help' for its options.\n");
    return help ? 0 : 2;
}
