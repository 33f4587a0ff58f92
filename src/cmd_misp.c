/*
 * cmd_misp.c - `alidade misp`: MISP feeds (being built; see the open issue).
 */
#include <stdio.h>

#include "cmd.h"

int cmd_misp(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    fprintf(stderr, "alidade misp: not built yet\n");
    return 2;
}
