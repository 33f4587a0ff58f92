/*
 * cmd_operator.c - `alidade operator add|list|remove|passwd NAME --data DIR`:
 * the local accounts that may log in to the dashboard of `alidade serve`
 * (docs/api.md). Passwords are generated (256 bits, the same generator as
 * partner tokens), printed once alone on the last line, and kept only as a
 * salted PBKDF2-SHA256 hash in the store state "operator/<name>"
 * (src/web_auth.c); every change goes to the audit log.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "alidade/share.h"
#include "alidade/store.h"
#include "clock.h"
#include "cmd.h"
#include "web_auth.h"

static void usage(FILE *f)
{
    fprintf(f,
        "usage: alidade operator <subcommand> [NAME] --data DIR\n"
        "\n"
        "Local accounts for the dashboard of `alidade serve` (GET / and /api/*).\n"
        "  add NAME     new operator; prints a generated password alone on the last\n"
        "               line (shown once: only a salted PBKDF2-SHA256 hash is kept)\n"
        "  passwd NAME  new generated password (printed alone on the last line); the\n"
        "               old one stops working at the next login\n"
        "  remove NAME  delete the operator (open sessions end when they expire\n"
        "               or the server restarts)\n"
        "  list         every operator and the PBKDF2 iterations of its hash\n"
        "\n"
        "Options:\n"
        "  --data DIR   the node's data directory (required)\n"
        "  -h, --help   this help\n"
        "\n"
        "Names: 1-63 characters of A-Z a-z 0-9 . _ -, not starting with '-' or '.'.\n"
        "Exit status: 0 done, 1 failed (unknown or existing operator, store error),\n"
        "2 wrong usage.\n");
}

static int list_one(void *ctx, const char *key, const char *value)
{
    (void)ctx;
    unsigned long it = 0;
    if (strncmp(value, "pbkdf2-sha256$", 14) == 0)
        it = strtoul(value + 14, NULL, 10);
    printf("%s\tpbkdf2-sha256\t%lu iterations\n", key + strlen(OP_STATE_PREFIX), it);
    return 0;
}

/* Sets a new generated password for name (add: must not exist; passwd:
 * must). Prints it on the last line. */
static int set_password(store *st, const char *name, bool create)
{
    char key[sizeof OP_STATE_PREFIX + OP_NAME_MAX + 1];
    snprintf(key, sizeof key, "%s%s", OP_STATE_PREFIX, name);
    char *old = NULL;
    ald_err e = store_state_get(st, key, &old);
    free(old);
    if (e != ALD_E_OK && e != ALD_E_NOT_FOUND) {
        fprintf(stderr, "alidade operator: %s\n", store_errmsg(st));
        return 1;
    }
    if (create && e == ALD_E_OK) {
        fprintf(stderr, "alidade operator: operator '%s' already exists (passwd sets a new "
                        "password)\n", name);
        return 1;
    }
    if (!create && e == ALD_E_NOT_FOUND) {
        fprintf(stderr, "alidade operator: no operator named '%s'\n", name);
        return 1;
    }
    char password[SHARE_TOKEN_TEXT], hash[OP_HASH_TEXT];
    unsigned it = op_calibrate();
    if (share_token_new(password) != ALD_E_OK || op_hash_new(password, it, hash) != ALD_E_OK) {
        fprintf(stderr, "alidade operator: the kernel's random source failed\n");
        return 1;
    }
    char detail[96];
    snprintf(detail, sizeof detail, "pbkdf2-sha256 %u iterations", it);
    e = store_begin(st);
    if (e == ALD_E_OK)
        e = store_state_put(st, key, hash);
    if (e == ALD_E_OK)
        e = store_audit(st, clock_wall_us(), "local", create ? "operator-add" : "operator-passwd", name,
                        detail);
    if (e == ALD_E_OK)
        e = store_commit(st);
    else
        store_rollback(st);
    if (e != ALD_E_OK) {
        fprintf(stderr, "alidade operator: %s\n", store_errmsg(st));
        return 1;
    }
    printf("operator %s %s (PBKDF2-SHA256, %u iterations); its password, shown once:\n%s\n",
           name, create ? "added" : "has a new password", it, password);
    memset(password, 0, sizeof password);
    return 0;
}

static int remove_op(store *st, const char *name)
{
    char key[sizeof OP_STATE_PREFIX + OP_NAME_MAX + 1];
    snprintf(key, sizeof key, "%s%s", OP_STATE_PREFIX, name);
    char *old = NULL;
    ald_err e = store_state_get(st, key, &old);
    free(old);
    if (e == ALD_E_NOT_FOUND) {
        fprintf(stderr, "alidade operator: no operator named '%s'\n", name);
        return 1;
    }
    if (e == ALD_E_OK)
        e = store_begin(st);
    if (e == ALD_E_OK)
        e = store_state_remove(st, key);
    if (e == ALD_E_OK)
        e = store_audit(st, clock_wall_us(), "local", "operator-remove", name, "");
    if (e == ALD_E_OK)
        e = store_commit(st);
    else
        store_rollback(st);
    if (e != ALD_E_OK) {
        fprintf(stderr, "alidade operator: %s\n", store_errmsg(st));
        return 1;
    }
    printf("operator %s removed\n", name);
    return 0;
}

int cmd_operator(int argc, char **argv)
{
    static const struct option longs[] = {
        {"data", required_argument, NULL, 'd'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    const char *data = NULL;
    int ch;
    optind = 1;
    while ((ch = getopt_long(argc, argv, "d:h", longs, NULL)) != -1) {
        switch (ch) {
        case 'd': data = optarg; break;
        case 'h': usage(stdout); return 0;
        default: usage(stderr); return 2;
        }
    }
    const char *sub = optind < argc ? argv[optind] : NULL;
    const char *name = optind + 1 < argc ? argv[optind + 1] : NULL;
    if (sub && (strcmp(sub, "help") == 0)) {
        usage(stdout);
        return 0;
    }
    bool needs_name = sub && strcmp(sub, "list") != 0;
    if (!sub || !data || (needs_name && !name) || optind + 1 + needs_name < argc ||
        (!needs_name && name)) {
        usage(stderr);
        return 2;
    }
    if (strcmp(sub, "add") != 0 && strcmp(sub, "passwd") != 0 && strcmp(sub, "remove") != 0 &&
        strcmp(sub, "list") != 0) {
        fprintf(stderr, "alidade operator: unknown subcommand '%s'\n", sub);
        usage(stderr);
        return 2;
    }
    if (needs_name && !op_name_valid(name)) {
        fprintf(stderr, "alidade operator: bad name '%s': 1-63 characters of A-Z a-z 0-9 . _ -, "
                        "not starting with '-' or '.'\n", name);
        return 2;
    }
    char err[512];
    store *st = store_open(data, err, sizeof err);
    if (!st) {
        fprintf(stderr, "alidade operator: %s: %s\n", data, err);
        return 1;
    }
    int rc;
    if (strcmp(sub, "list") == 0) {
        ald_err e = store_state_list(st, OP_STATE_PREFIX, list_one, NULL);
        rc = e == ALD_E_OK ? 0 : 1;
        if (rc)
            fprintf(stderr, "alidade operator: %s\n", store_errmsg(st));
    } else if (strcmp(sub, "remove") == 0) {
        rc = remove_op(st, name);
    } else {
        rc = set_password(st, name, strcmp(sub, "add") == 0);
    }
    store_close(st);
    return rc;
}
