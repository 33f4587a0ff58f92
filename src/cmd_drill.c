/*
 * cmd_drill.c - PLACEHOLDER for `alidade drill`: being written.
 */
#include <stdio.h>

#include "cmd.h"

int cmd_drill(int argc, char **argv)
{
    (void)argc; (void)argv;
    fprintf(stderr, "alidade drill: not available yet\n");
    return 2;
}
