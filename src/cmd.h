/*
 * cmd.h - the `alidade` subcommands (one file each, tool_*.c style).
 */
#ifndef ALD_SRC_CMD_H
#define ALD_SRC_CMD_H

/* Each returns the process exit status. argv[0] is the subcommand name. */
int cmd_ais(int argc, char **argv);
int cmd_drill(int argc, char **argv);
int cmd_partner(int argc, char **argv);
int cmd_collection(int argc, char **argv);
int cmd_serve(int argc, char **argv);
int cmd_stix(int argc, char **argv);
int cmd_pattern(int argc, char **argv);   /* cmd_pattern.c */
int cmd_match(int argc, char **argv);     /* cmd_match.c */
int cmd_misp(int argc, char **argv);      /* cmd_misp.c */
/* `alidade ais detect` (cmd_detect.c), dispatched by cmd_ais. */
int cmd_detect(int argc, char **argv);

/* cmd_stix.c: the default collection of the store, or `want` after checking
 * it exists; false (with a message prefixed by `who`) otherwise. */
#include <stdbool.h>
#include "alidade/store.h"
bool cmd_collection_pick(store *st, const char *want, char id[STORE_UUID_TEXT], const char *who);

#endif
