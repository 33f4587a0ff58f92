/*
 * cmd_match.c - `alidade match`: indicator matching (being built; see the open issue).
 */
#include <stdio.h>

#include "cmd.h"

int cmd_match(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    fprintf(stderr, "alidade match: not built yet\n");
    return 2;
}
