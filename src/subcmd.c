/*
 * subcmd.c - the dispatch shared by commands made of subcommands
 * (`alidade stix import`, `alidade misp convert`...): find the subcommand,
 * or print the list with a one-line summary each.
 */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "cmd.h"

int cmd_subcommands(const char *prog, const struct subcmd *t, size_t n, int argc, char **argv,
                    const char *trailer)
{
    if (argc >= 2)
        for (size_t i = 0; i < n; i++)
            if (strcmp(argv[1], t[i].name) == 0)
                return t[i].run(argc - 1, argv + 1);
    bool help = argc >= 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
                              strcmp(argv[1], "help") == 0);
    FILE *f = help ? stdout : stderr;
    if (argc >= 2 && !help)
        fprintf(f, "%s: unknown subcommand '%s'\n", prog, argv[1]);
    fprintf(f, "usage: %s <subcommand> [options]\n\n", prog);
    int w = 0;
    for (size_t i = 0; i < n; i++)
        if ((int)strlen(t[i].name) > w)
            w = (int)strlen(t[i].name);
    for (size_t i = 0; i < n; i++)
        fprintf(f, "  %-*s  %s\n", w, t[i].name, t[i].summary);
    fprintf(f, "\nRun '%s <subcommand> --help' for its options.%s%s\n", prog,
            trailer ? " " : "", trailer ? trailer : "");
    return help ? 0 : 2;
}
