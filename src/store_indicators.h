/*
 * store_indicators.h - the indicators a node holds, as one set: the latest
 * version of every indicator id across every collection of its store (or
 * of one collection), for the live matcher (ingest_cyber.c) and `alidade
 * match --indicators store` (cmd_match.c).
 *
 * Partners' indicators arrive in collections of their own (federation's
 * --pull-into, "From NAME", TAXII POSTs to any collection): reading the
 * default collection alone missed them. One indicator held in two
 * collections is one indicator: the version with the latest `modified`
 * wins (so a revocation in any collection is honoured), and it is added to
 * the set once.
 */
#ifndef ALD_SRC_STORE_INDICATORS_H
#define ALD_SRC_STORE_INDICATORS_H

#include <stddef.h>
#include <stdint.h>

#include "alidade/match.h"
#include "alidade/store.h"

struct store_indicators {
    size_t collections;              /* collections read */
    size_t rows;                     /* indicator versions looked at */
    size_t added;                    /* indicators added to the set */
    size_t duplicates;               /* ids also in another collection (counted once) */
    size_t bad;                      /* refused by the set (broken) */
    int64_t max_added;               /* newest date_added among them; INT64_MIN: none */
};

/* Called for each indicator the set refuses (its collection, index among
 * the added ones, and why). */
typedef void (*store_indicators_bad_fn)(void *ctx, const char *collection, size_t index,
                                        const struct ald_errpos *e);

/*
 * Adds the indicators of `collection` (NULL: of every collection) to set.
 * ALD_E_OK; ALD_E_NOMEM; ALD_E_STORE / ALD_E_NOT_FOUND (store_errmsg says
 * why). st->max_added lets a poller ask "anything newer?"
 * (store_indicators_changed).
 */
ald_err store_indicators_load(store *s, const char *collection, ald_iset *set,
                              store_indicators_bad_fn bad, void *ctx,
                              struct store_indicators *out);

/* Whether an indicator version was added to any collection (or to
 * `collection`) after `after` (a max_added): one indexed row per
 * collection. False on a store error. */
bool store_indicators_changed(store *s, const char *collection, int64_t after);

#endif
