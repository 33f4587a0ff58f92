/*
 * test_store_cli.c - the store's commands as a user runs them (the alidade
 * binary from ALD_BIN): `alidade collection add|list`, `alidade stix import`
 * of the real ATT&CK ICS releases into a new collection and `alidade stix
 * export` of them, an invalid object reported and the valid ones kept, and
 * an import by another process while this one holds a query open (what
 * happens when `alidade serve` pages a collection during an import), and
 * eight processes creating the same new store at once.
 */
#include "testutil.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "alidade/store.h"

/* Runs a shell command; its exit status, stdout (malloc'd) in *out. */
static int sh(char **out, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static int sh(char **out, const char *fmt, ...)
{
    char cmd[4096];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(cmd, sizeof cmd, fmt, ap);
    va_end(ap);
    FILE *p = popen(cmd, "r");
    assert_non_null(p);
    size_t cap = 1 << 16, n = 0;
    char *buf = malloc(cap);
    size_t got;
    while ((got = fread(buf + n, 1, cap - n - 1, p)) > 0) {
        n += got;
        if (n + 1 == cap)
            buf = realloc(buf, cap *= 2);
    }
    buf[n] = '\0';
    int st = pclose(p);
    if (out)
        *out = buf;
    else
        free(buf);
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static const char *bin(void)
{
    const char *b = getenv("ALD_BIN");
    if (!b) {
        print_message("skipped: ALD_BIN not set\n");
        skip();
    }
    return b;
}

static char *last_line(char *s)
{
    size_t n = strlen(s);
    while (n && s[n - 1] == '\n')
        s[--n] = '\0';
    char *nl = strrchr(s, '\n');
    return nl ? nl + 1 : s;
}

static void collection_and_import_export(void **state)
{
    (void)state;
    const char *b = bin();
    TU_NEED_SHARED(a, "cti/attack/ics-attack.json");
    char pa[4096];
    snprintf(pa, sizeof pa, "%s", a);
    TU_NEED_SHARED(a17, "cti/attack/ics-attack-17.1.json");
    char dir[] = "/tmp/ald-store-cli-XXXXXX";
    assert_non_null(mkdtemp(dir));

    char *out;
    assert_int_equal(sh(&out, "'%s' collection add 'ICS ATT&CK' --data %s/n --description "
                              "'MITRE ATT&CK for ICS'", b, dir), 0);
    char id[64];
    snprintf(id, sizeof id, "%s", last_line(out));
    free(out);
    assert_int_equal(strlen(id), 36);
    assert_int_equal(sh(&out, "'%s' collection list --data %s/n", b, dir), 0);
    char expect[10000];
    snprintf(expect, sizeof expect, "\n%s\tICS ATT&CK\t-\tMITRE ATT&CK for ICS\n", id);
    assert_non_null(strstr(out, expect));
    assert_non_null(strstr(out, "\tDefault\tyes\t"));
    free(out);

    /* the older release first, then the newer: 490 new versions */
    assert_int_equal(sh(&out, "'%s' stix import --data %s/n --collection %s '%s' '%s'", b, dir,
                        id, a17, pa), 0);
    snprintf(expect, sizeof expect,
             "%s: 1651 added, 0 already there, 0 invalid\n"
             "%s: 490 added, 1336 already there, 0 invalid\n", a17, pa);
    assert_string_equal(out, expect);
    free(out);
    /* again: nothing new */
    assert_int_equal(sh(&out, "'%s' stix import --data %s/n --collection %s '%s'", b, dir, id,
                        pa), 0);
    snprintf(expect, sizeof expect, "%s: 0 added, 1826 already there, 0 invalid\n", pa);
    assert_string_equal(out, expect);
    free(out);

    /* export: every version, or the latest of each of the 2064 ids */
    assert_int_equal(sh(&out, "'%s' stix export --data %s/n --collection %s --all-versions", b,
                        dir, id), 0);
    json_error_t je;
    json_t *bundle = json_loads(out, 0, &je);
    free(out);
    assert_non_null(bundle);
    assert_string_equal(json_string_value(json_object_get(bundle, "type")), "bundle");
    assert_int_equal(json_array_size(json_object_get(bundle, "objects")), 2141);
    json_decref(bundle);
    assert_int_equal(sh(&out, "'%s' stix export --data %s/n --collection %s", b, dir, id), 0);
    bundle = json_loads(out, 0, &je);
    free(out);
    assert_non_null(bundle);
    assert_int_equal(json_array_size(json_object_get(bundle, "objects")), 2064);
    json_decref(bundle);
    /* the default collection is still empty */
    assert_int_equal(sh(&out, "'%s' stix export --data %s/n", b, dir), 0);
    assert_non_null(strstr(out, "\"objects\":[]}"));
    free(out);

    /* one invalid object among valid ones: reported, the others stored */
    char file[256];
    snprintf(file, sizeof file, "%s/mixed.json", dir);
    FILE *f = fopen(file, "w");
    assert_non_null(f);
    fputs("{\"type\":\"bundle\",\"id\":\"bundle--5d0092c5-5f74-4287-9642-33f4c354e56d\","
          "\"objects\":[{\"type\":\"indicator\",\"id\":\"indicator--x\"},"
          "{\"type\":\"identity\",\"spec_version\":\"2.1\","
          "\"id\":\"identity--023d105b-752e-4e3c-941c-7d3f3cb15e9e\","
          "\"created\":\"2016-04-06T20:03:00.000Z\",\"modified\":\"2016-04-06T20:03:00.000Z\","
          "\"name\":\"ACME\",\"identity_class\":\"organization\"}]}",
          f);
    fclose(f);
    assert_int_equal(sh(&out, "'%s' stix import --data %s/n '%s' 2>%s/err", b, dir, file, dir),
                     1);
    snprintf(expect, sizeof expect, "%s: 1 added, 0 already there, 1 invalid\n", file);
    assert_string_equal(out, expect);
    free(out);
    assert_int_equal(sh(&out, "grep -c '^%s: indicator--x: ' %s/err", file, dir), 0);
    assert_true(atoi(out) >= 1);
    free(out);
    assert_int_equal(sh(&out, "'%s' stix export --data %s/n --type identity", b, dir), 0);
    assert_non_null(strstr(out, "\"name\":\"ACME\""));
    free(out);
    /* malformed JSON: nothing, exit 1 */
    assert_int_equal(sh(NULL, "echo '{\"type\":' | '%s' stix import --data %s/n - 2>/dev/null",
                        b, dir), 1);
    sh(NULL, "rm -rf %s", dir);
}

struct during {
    const char *bin, *dir, *file;
    size_t rows;
    int import_rc;
};

/* On the first row, while this connection's query is open, another process
 * imports a bundle. */
static int import_during(void *ctx, const struct store_row *r)
{
    (void)r;
    struct during *d = ctx;
    if (d->rows++ == 0)
        d->import_rc = sh(NULL, "'%s' stix import --data %s/n '%s' >/dev/null", d->bin, d->dir,
                          d->file);
    return 0;
}

static void import_while_reading(void **state)
{
    (void)state;
    const char *b = bin();
    TU_NEED_SHARED(a, "cti/attack/ics-attack.json");
    char pa[4096];
    snprintf(pa, sizeof pa, "%s", a);
    TU_NEED_SHARED(a17, "cti/attack/ics-attack-17.1.json");
    char dir[] = "/tmp/ald-store-cli-XXXXXX";
    assert_non_null(mkdtemp(dir));
    assert_int_equal(sh(NULL, "'%s' stix import --data %s/n '%s' >/dev/null", b, dir, a17), 0);
    char path[256], err[256];
    snprintf(path, sizeof path, "%s/n", dir);
    store *s = store_open(path, err, sizeof err);
    assert_non_null(s);
    struct store_collection *c;
    size_t n;
    assert_int_equal(store_collections(s, &c, &n), ALD_E_OK);
    struct during d = {.bin = b, .dir = dir, .file = pa, .import_rc = -1};
    struct store_filter f = {.added_after = INT64_MIN};
    struct store_page pg;
    assert_int_equal(store_query(s, c[0].id, &f, NULL, NULL, import_during, &d, &pg), ALD_E_OK);
    /* the import committed while the query ran; the query saw its snapshot */
    assert_int_equal(d.import_rc, 0);
    assert_int_equal(pg.count, 1651);
    const char *const all[] = {"all"};
    f.versions = all;
    f.nversions = 1;
    assert_int_equal(store_query(s, c[0].id, &f, NULL, NULL, NULL, NULL, &pg), ALD_E_OK);
    assert_int_equal(pg.count, 2141);
    free(c);
    store_close(s);
    sh(NULL, "rm -rf %s", dir);
}

/* Eight processes open a data directory that does not exist yet at once:
 * all succeed and the store gets exactly one default collection. */
static void concurrent_first_open(void **state)
{
    (void)state;
    const char *b = bin();
    char dir[] = "/tmp/ald-store-cli-XXXXXX";
    assert_non_null(mkdtemp(dir));
    char *out;
    assert_int_equal(sh(&out, "cd %s && for i in 1 2 3 4 5 6 7 8; do"
                              " ('%s' collection list --data n >/dev/null 2>&1; echo $?) & done;"
                              " wait", dir, b), 0);
    assert_string_equal(out, "0\n0\n0\n0\n0\n0\n0\n0\n");
    free(out);
    assert_int_equal(sh(&out, "'%s' collection list --data %s/n | grep -c Default", b, dir), 0);
    assert_string_equal(out, "1\n");
    free(out);
    sh(NULL, "rm -rf %s", dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(collection_and_import_export),
        cmocka_unit_test(import_while_reading),
        cmocka_unit_test(concurrent_first_open),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
