/*
 * import.c - one way into the store for the commands that write it: check
 * with lib/stix, store the valid objects, count, audit, commit (import.h).
 */
#include "clock.h"
#include "import.h"

#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "alidade/stix.h"

/* Problems reported per invalid object. */
#define IMPORT_PROBLEMS 8

int import_object(void *ctx, const char *obj, size_t len, size_t index)
{
    struct import_run *r = ctx;
    struct stix_info info;
    struct stix_problem probs[IMPORT_PROBLEMS];
    size_t np = stix_check(obj, len, index, &info, probs, IMPORT_PROBLEMS);
    if (np) {
        r->invalid++;
        for (size_t i = 0; i < np && i < IMPORT_PROBLEMS; i++)
            fprintf(stderr, "%s: %s: %s%s%s\n", r->file, probs[i].id, probs[i].property,
                    probs[i].property[0] ? ": " : "", probs[i].message);
        if (np > IMPORT_PROBLEMS)
            fprintf(stderr, "%s: %s: %zu more problems\n", r->file, probs[0].id,
                    np - IMPORT_PROBLEMS);
        return 0;
    }
    bool added;
    int64_t da;
    ald_err e = store_put(r->st, r->collection, obj, len, &info, r->now, &added, &da);
    if (e != ALD_E_OK) {
        fprintf(stderr, "%s: %s: %s\n", r->file, info.id, store_errmsg(r->st));
        r->failed = e;
        return 1;
    }
    if (added)
        r->added++;
    else
        r->dups++;
    return 0;
}

ald_err import_commit(struct import_run *r, const char *action, char *detail, size_t cap)
{
    snprintf(detail, cap, "%s: %zu added, %zu already there, %zu invalid", r->file, r->added,
             r->dups, r->invalid);
    ald_err e = store_audit(r->st, clock_wall_us(), "local", action, r->collection, detail);
    if (e == ALD_E_OK)
        e = store_commit(r->st);
    if (e != ALD_E_OK) {
        fprintf(stderr, "%s: %s; nothing imported\n", r->file, store_errmsg(r->st));
        store_rollback(r->st);
    }
    return e;
}

bool cmd_collection_pick(store *st, const char *want, char id[STORE_UUID_TEXT], const char *who)
{
    if (want) {
        struct store_collection c;
        if (store_collection_get(st, want, &c) != ALD_E_OK) {
            fprintf(stderr, "%s: no collection '%s' (alidade collection list)\n", who, want);
            return false;
        }
        snprintf(id, STORE_UUID_TEXT, "%s", c.id);
        return true;
    }
    struct store_collection *cols = NULL;
    size_t n = 0;
    bool ok = store_collections(st, &cols, &n) == ALD_E_OK && n > 0 && cols[0].is_default;
    if (ok)
        snprintf(id, STORE_UUID_TEXT, "%s", cols[0].id);
    else
        fprintf(stderr, "%s: the store has no default collection\n", who);
    free(cols);
    return ok;
}
