/*
 * cmd_pattern.c - `alidade pattern check|match`: is a STIX 2.1 pattern
 * valid, and does it match observations (observed-data with their
 * cyber-observable objects), with the semantics of the OASIS reference
 * matcher (docs/pattern-eval.md).
 *
 * Exit status: check 0 valid, 2 invalid; match 0 matched, 1 did not match,
 * 2 invalid pattern, unreadable input or a pattern that cannot be
 * evaluated on this data (the reference's MatcherException).
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "alidade/pattern.h"
#include "alidade/pattern_match.h"
#include "cmd.h"
#include "input.h"

static void usage(FILE *f)
{
    fputs("usage: alidade pattern check PATTERN\n"
          "       alidade pattern match [--json] [--bindings N] PATTERN FILE\n"
          "\n"
          "  check    parse PATTERN (STIX 2.1 patterning); say where and why when it is\n"
          "           not valid (and note a valid one that can never be evaluated,\n"
          "           e.g. a regex PCRE2 refuses)\n"
          "  match    evaluate PATTERN over the observations in FILE (\"-\": stdin):\n"
          "           (it also takes what the OASIS matcher evaluates and check refuses:\n"
          "           a qualifier twice on one observation, STIX 2.0 START/STOP strings)\n"
          "           a bundle, a JSON array of bundles and/or observed-data with their\n"
          "           cyber-observable objects, or JSON lines of those\n"
          "\n"
          "On a match, prints the observed-data of the first binding found, one per\n"
          "line: ID, or ID<TAB>BUNDLE-ID when it came in a bundle; one without an id\n"
          "prints as -<TAB>#N (its position among the input's observed-data).\n"
          "  --json   one JSON object instead: matched, and the binding's observed-data\n"
          "           (id, bundle, position, instance)\n"
          "  --bindings N  up to N bindings in the reference's order instead of the\n"
          "           first (text: one block per binding, separated by an empty line)\n"
          "\n"
          "Exit status: check: 0 valid, 2 invalid. match: 0 matched, 1 no match,\n"
          "2 invalid pattern, unreadable input, or a pattern that cannot be evaluated\n"
          "on this data (e.g. a string compared with a timestamp is not a timestamp).\n",
          f);
}

/* The pattern, then a caret under the column where parsing stopped. */
static void show_error(const char *cmd, const char *pat, const struct ald_errpos *e,
                       const char *what)
{
    size_t len = strlen(pat), off = e->offset <= len ? e->offset : len;
    fprintf(stderr, "alidade pattern %s: %s at column %u: %s\n", cmd, what,
            e->col ? e->col : (unsigned)off + 1, e->msg);
    fprintf(stderr, "  %s\n  ", pat);
    /* One space per character (not byte) before the caret; tabs kept so
     * the caret lines up under them. */
    for (size_t i = 0; i < off; i++) {
        unsigned char c = (unsigned char)pat[i];
        if ((c & 0xC0) == 0x80)
            continue;
        fputc(c == '\t' ? '\t' : ' ', stderr);
    }
    fputs("^\n", stderr);
}

/* check is strict (the grammar and the validator's rules); match is
 * lenient and takes what the reference matcher evaluates (a qualifier twice
 * on one observation, STIX 2.0 START/STOP strings). */
static int parse_or_report(const char *cmd, const char *pat, unsigned flags, ald_pattern **out)
{
    struct ald_errpos e = {0};
    ald_err rc = ald_pattern_parse_ex(pat, strlen(pat), flags, out, &e);
    if (rc == ALD_E_OK)
        return 0;
    if (rc == ALD_E_NOMEM) {
        fprintf(stderr, "alidade pattern %s: out of memory\n", cmd);
        return -1;
    }
    show_error(cmd, pat, &e, "invalid pattern");
    return -1;
}

static int do_check(int argc, char **argv)
{
    if (argc != 1) {
        fprintf(stderr, "alidade pattern check: %s\n",
                argc ? "one PATTERN only (quote it)" : "no PATTERN given");
        return 2;
    }
    ald_pattern *p;
    if (parse_or_report("check", argv[0], 0, &p))
        return 2;
    /* Valid STIX, but some patterns can never be evaluated (a regex PCRE2
     * refuses, a set mixing types): said on stderr, still exit 0, as the
     * validator calls them valid. */
    ald_pmatch *m = NULL;
    struct ald_errpos e = {0};
    if (ald_pmatch_new(p, &m, &e) == ALD_E_PATTERN_EVAL)
        show_error("check", argv[0], &e, "note: valid, but cannot be evaluated");
    ald_pmatch_free(m);
    ald_pattern_free(p);
    return 0;
}

/* The bindings found, kept for printing. */
struct found {
    ald_pbound **b;
    size_t *n;
    size_t count, cap;
};

static int keep(void *ctx, const ald_pbound *b, size_t n)
{
    struct found *f = ctx;
    if (f->count == f->cap) {
        size_t c = f->cap ? f->cap * 2 : 4;
        ald_pbound **nb = realloc(f->b, c * sizeof *nb);
        if (!nb)
            return 1;
        f->b = nb;
        size_t *nn = realloc(f->n, c * sizeof *nn);
        if (!nn)
            return 1;
        f->n = nn;
        f->cap = c;
    }
    ald_pbound *copy = malloc((n ? n : 1) * sizeof *copy);
    if (!copy)
        return 1;
    memcpy(copy, b, n * sizeof *copy);
    f->b[f->count] = copy;
    f->n[f->count++] = n;
    return 0;
}

static void found_free(struct found *f)
{
    for (size_t i = 0; i < f->count; i++)
        free(f->b[i]);
    free(f->b);
    free(f->n);
}

/* One binding: its distinct observed-data, in input order. */
static void print_text(const ald_obsset *set, const ald_pbound *b, size_t nb)
{
    size_t n = ald_obsset_count(set);
    unsigned char *seen = calloc(n ? n : 1, 1);
    if (!seen)
        return;
    for (size_t i = 0; i < nb; i++)
        seen[b[i].obs] = 1;
    for (size_t o = 0; o < n; o++) {
        if (!seen[o])
            continue;
        const ald_pobs *ob = ald_obsset_get(set, o);
        if (!ob->id)
            printf("-\t#%zu\n", ob->pos);
        else if (ob->container_id)
            printf("%s\t%s\n", ob->id, ob->container_id);
        else
            printf("%s\n", ob->id);
    }
    free(seen);
}

static int print_json(const ald_obsset *set, const struct found *f)
{
    json_t *root = json_object(), *binds = json_array();
    if (!root || !binds || json_object_set_new(root, "matched", json_boolean(f->count > 0)) ||
        json_object_set(root, "bindings", binds))
        goto fail;
    for (size_t k = 0; k < f->count; k++) {
        json_t *b = json_array();
        if (!b || json_array_append_new(binds, b))
            goto fail;
        for (size_t i = 0; i < f->n[k]; i++) {
            const ald_pobs *ob = ald_obsset_get(set, f->b[k][i].obs);
            json_t *e = json_pack("{s:o,s:o,s:I,s:I}",
                                  "observed_data", ob->id ? json_string(ob->id) : json_null(),
                                  "bundle", ob->container_id ? json_string(ob->container_id)
                                                             : json_null(),
                                  "position", (json_int_t)ob->pos,
                                  "instance", (json_int_t)f->b[k][i].inst);
            if (!e || json_array_append_new(b, e))
                goto fail;
        }
    }
    char *s = json_dumps(root, JSON_COMPACT);
    if (!s)
        goto fail;
    puts(s);
    free(s);
    json_decref(binds);
    json_decref(root);
    return 0;
fail:
    json_decref(binds);
    json_decref(root);
    fputs("alidade pattern match: out of memory\n", stderr);
    return -1;
}

static int do_match(int argc, char **argv)
{
    int json = 0;
    unsigned long nbind = 1;
    static const struct option opts[] = {
        {"json", no_argument, NULL, 'j'},
        {"bindings", required_argument, NULL, 'b'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    optind = 1;
    int c;
    while ((c = getopt_long(argc, argv, "+jb:h", opts, NULL)) != -1) {
        if (c == 'j') {
            json = 1;
        } else if (c == 'b') {
            char *end;
            nbind = strtoul(optarg, &end, 10);
            if (*end || nbind < 1 || nbind > 1000000 || optarg[0] == '-') {
                fprintf(stderr, "alidade pattern match: --bindings takes a number from 1 to "
                                "1000000, not '%s'\n", optarg);
                return 2;
            }
        } else if (c == 'h') {
            usage(stdout);
            return 0;
        } else {
            usage(stderr);
            return 2;
        }
    }
    if (argc - optind != 2) {
        fprintf(stderr, "alidade pattern match: needs PATTERN and FILE\n");
        return 2;
    }
    const char *pat = argv[optind], *file = argv[optind + 1];
    ald_pattern *p = NULL;
    ald_pmatch *m = NULL;
    ald_obsset *set = NULL;
    char *text = NULL;
    int rc = 2;
    if (parse_or_report("match", pat, ALD_PATTERN_LENIENT, &p))
        goto out;
    struct ald_errpos e = {0};
    if (ald_pmatch_new(p, &m, &e) != ALD_E_OK) {
        show_error("match", pat, &e, "cannot evaluate pattern");
        goto out;
    }
    char ebuf[256];
    size_t len;
    text = input_read_all(file, INPUT_STIX_MAX, &len, ebuf, sizeof ebuf);
    if (!text) {
        fprintf(stderr, "alidade pattern match: %s: %s\n", file, ebuf);
        goto out;
    }
    memset(&e, 0, sizeof e);
    ald_err er = ald_obsset_parse(text, len, &set, &e);
    if (er == ALD_E_JSON) {
        fprintf(stderr, "alidade pattern match: %s:%u:%u: %s\n", file, e.line, e.col, e.msg);
        goto out;
    }
    if (er != ALD_E_OK) {
        fprintf(stderr, "alidade pattern match: %s: %s\n", file, e.msg);
        goto out;
    }
    struct found f = {0};
    memset(&e, 0, sizeof e);
    size_t nobs = ald_obsset_count(set), count = 0;
    er = ald_pmatch_each(m, nobs ? ald_obsset_get(set, 0) : NULL, nobs, nbind, keep, &f, &count,
                         &e);
    if (er == ALD_E_OK && f.count != count)
        er = ALD_E_NOMEM;
    if (er != ALD_E_OK) {
        fprintf(stderr, "alidade pattern match: cannot evaluate on %s: %s\n", file,
                er == ALD_E_NOMEM ? "out of memory" : e.msg);
        found_free(&f);
        goto out;
    }
    if (json) {
        rc = print_json(set, &f) ? 2 : f.count ? 0 : 1;
    } else {
        for (size_t k = 0; k < f.count; k++) {
            if (k)
                putchar('\n');
            print_text(set, f.b[k], f.n[k]);
        }
        rc = f.count ? 0 : 1;
    }
    found_free(&f);
out:
    ald_obsset_free(set);
    free(text);
    ald_pmatch_free(m);
    ald_pattern_free(p);
    return rc;
}

int cmd_pattern(int argc, char **argv)
{
    if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
        strcmp(argv[1], "help") == 0) {
        usage(argc < 2 ? stderr : stdout);
        return argc < 2 ? 2 : 0;
    }
    if (strcmp(argv[1], "check") == 0) {
        if (argc == 3 && (strcmp(argv[2], "--help") == 0 || strcmp(argv[2], "-h") == 0)) {
            usage(stdout);
            return 0;
        }
        return do_check(argc - 2, argv + 2);
    }
    if (strcmp(argv[1], "match") == 0)
        return do_match(argc - 1, argv + 1);
    fprintf(stderr, "alidade pattern: unknown subcommand '%s' (check, match)\n", argv[1]);
    return 2;
}
