/*
 * cmd.h - the `alidade` subcommands (one file each, tool_*.c style).
 */
#ifndef ALD_SRC_CMD_H
#define ALD_SRC_CMD_H

/* Each returns the process exit status. argv[0] is the subcommand name. */
int cmd_ais(int argc, char **argv);
int cmd_drill(int argc, char **argv);
int cmd_partner(int argc, char **argv);
int cmd_operator(int argc, char **argv);  /* cmd_operator.c */
int cmd_collection(int argc, char **argv);
int cmd_serve(int argc, char **argv);
int cmd_stix(int argc, char **argv);
int cmd_pattern(int argc, char **argv);   /* cmd_pattern.c */
int cmd_match(int argc, char **argv);     /* cmd_match.c */
int cmd_misp(int argc, char **argv);      /* cmd_misp.c */
int cmd_status(int argc, char **argv);    /* cmd_status.c */
int cmd_audit(int argc, char **argv);     /* cmd_audit.c */
/* `alidade ais detect` (cmd_detect.c), dispatched by cmd_ais. */
int cmd_detect(int argc, char **argv);
/* `alidade ais replay` (cmd_replay.c), dispatched by cmd_ais. */
int cmd_replay(int argc, char **argv);

/* subcmd.c: runs the subcommand argv[1] of `prog` ("alidade stix") from the
 * table, or prints the table (exit 0 for --help/-h/help, 2 otherwise, with
 * "unknown subcommand" when argv[1] names none). trailer: a last sentence
 * of the help ("See docs/misp.md.") or NULL. */
struct subcmd {
    const char *name;
    int (*run)(int, char **);
    const char *summary;
};
#include <stddef.h>
int cmd_subcommands(const char *prog, const struct subcmd *t, size_t n, int argc, char **argv,
                    const char *trailer);

#endif
