/*
 * history.h - the node's stored vessel history (lib/store/track_history.c)
 * on the live side: at start, the picture is filled again from the store
 * (each vessel's latest position within HISTORY_FILL_AGE_S of the newest),
 * then a flusher thread drains the picture's history log (picture.h) every
 * HISTORY_FLUSH_MS and writes it in one transaction on its own store
 * connection, without the picture's lock, and prunes what left the window
 * (--history-days) every HISTORY_PRUNE_S. Start it after the picture and
 * before live ingest; stop it after ingest (a last flush).
 */
#ifndef ALD_SRC_HISTORY_H
#define ALD_SRC_HISTORY_H

#include <stddef.h>

#include "alidade/error.h"
#include "node.h"

#define HISTORY_FLUSH_MS 2000
#define HISTORY_PRUNE_S 600
#define HISTORY_FILL_AGE_S 21600     /* as /api/vessels?at='s default max_age */
#define HISTORY_KEPT_MAX 262144      /* kept points between two flushes (10 MB) */

typedef struct history history;

/* NULL in *out (and ALD_E_OK) when env->o->history_days is 0 (off). */
ald_err history_start(const struct node_env *env, history **out, char *err, size_t errlen);
/* Writes what is left and stops. NULL is fine. */
void history_stop(history *h);

#endif
