/*
 * import.h - checking and storing STIX objects, for every command that
 * writes into the node's store (stix import, misp import, match --store):
 * each object checked by lib/stix, its problems printed as
 * SOURCE: ID: PROPERTY: MESSAGE, the valid ones stored, the counts kept for
 * the audit record; one source = one transaction, all or nothing.
 */
#ifndef ALD_SRC_IMPORT_H
#define ALD_SRC_IMPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "alidade/store.h"

struct import_run {
    store *st;
    const char *collection, *file;   /* file: the source named in messages */
    int64_t now;                     /* date_added floor of this source */
    size_t added, dups, invalid;
    ald_err failed;                  /* a store error: roll the source back */
};


/* Checks one object and stores it when valid (a stix_split callback):
 * 0 to go on (also after an invalid object, counted), 1 on a store error
 * (r->failed set, the caller rolls back). */
int import_object(void *ctx, const char *obj, size_t len, size_t index);

/* Ends the source's transaction: the audit record ("FILE: N added, N
 * already there, N invalid", written into detail too) and the commit.
 * Rolls back and prints "FILE: why; nothing imported" on failure. */
ald_err import_commit(struct import_run *r, const char *action, char *detail, size_t cap);

/* The default collection's id, or `want` after checking it exists; false
 * with a message prefixed by `who` ("alidade stix") otherwise. */
bool cmd_collection_pick(store *st, const char *want, char id[STORE_UUID_TEXT], const char *who);

#endif
