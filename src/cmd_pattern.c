/*
 * cmd_pattern.c - `alidade pattern`: STIX patterns (being built; see the open issue).
 */
#include <stdio.h>

#include "cmd.h"

int cmd_pattern(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    fprintf(stderr, "alidade pattern: not built yet\n");
    return 2;
}
