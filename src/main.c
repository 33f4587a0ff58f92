/*
 * main.c - `alidade <command>`: dispatch, help and version. The commands
 * live in cmd_*.c and use only libalidade's public headers.
 */
#include <stdio.h>
#include <string.h>

#include "alidade/alidade.h"
#include "cmd.h"

static const struct {
    const char *name;
    int (*run)(int, char **);
    const char *summary;
} commands[] = {
    {"ais", cmd_ais, "decode AIS (NMEA 0183 !AIVDM/!AIVDO); detect maritime events"},
    {"drill", cmd_drill, "generate exercise scenarios with ground truth"},
    {"partner", cmd_partner, "partners of this node: add, set, list, rotate, remove"},
    {"operator", cmd_operator, "dashboard operators (local accounts): add, list, passwd, remove"},
    {"collection", cmd_collection, "TAXII collections of this node: add, list"},
    {"serve", cmd_serve, "serve the STIX store over TAXII 2.1 to partners"},
    {"stix", cmd_stix, "STIX 2.1 objects: validate, import into and export from the store"},
    {"pattern", cmd_pattern, "STIX 2.1 patterns: check one, match one against observations"},
    {"match", cmd_match, "match indicators against Suricata/Zeek/text logs; report sightings"},
    {"misp", cmd_misp, "MISP feeds into STIX 2.1 indicators; MISP warninglists"},
    {"status", cmd_status, "federation and collections of a node: partners, sync, lag, counts"},
    {"audit", cmd_audit, "the audit log: list it, archive old rows out of the store"},
};

static void usage(FILE *f)
{
    fprintf(f,
            "usage: alidade <command> [options] [args]\n"
            "\n"
            "alidade is the node every partner of the maritime and cyber information-\n"
            "sharing network runs. Commands:\n\n");
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        fprintf(f, "  %-10s %s\n", commands[i].name, commands[i].summary);
    fprintf(f,
            "  %-10s %s\n  %-10s %s\n\n"
            "Run 'alidade <command> --help' for a command's options.\n",
            "help", "show this help", "--version", "print the version");
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        usage(stderr);
        return 2;
    }
    const char *c = argv[1];
    if (strcmp(c, "help") == 0 || strcmp(c, "--help") == 0 || strcmp(c, "-h") == 0) {
        if (argc > 2) {
            for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
                if (strcmp(argv[2], commands[i].name) == 0) {
                    char *hv[] = {argv[2], "--help", NULL};
                    return commands[i].run(2, hv);
                }
        }
        usage(stdout);
        return 0;
    }
    if (strcmp(c, "--version") == 0 || strcmp(c, "version") == 0) {
        printf("alidade %s\n", ALD_VERSION);
        return 0;
    }
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        if (strcmp(c, commands[i].name) == 0)
            return commands[i].run(argc - 1, argv + 1);
    fprintf(stderr, "alidade: unknown command '%s'\n\n", c);
    usage(stderr);
    return 2;
}
