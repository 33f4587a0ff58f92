/*
 * drill_run.h - the parts of `alidade drill run` (src/drill_*.c): the run
 * itself (drill_run.c: world, nodes, feeds, collection), the loopback HTTP
 * client (drill_http.c) and the reports (drill_report.c).
 */
#ifndef ALD_SRC_DRILL_RUN_H
#define ALD_SRC_DRILL_RUN_H

#include <stdbool.h>
#include <stddef.h>

#include "alidade/drill.h"

/* GET path from 127.0.0.1:port with a bearer token (NULL: none). Returns
 * the HTTP status and the body (malloc'd, NUL-terminated), or -1 when the
 * node did not answer in time. */
int drill_http_get(unsigned port, const char *path, const char *token, double timeout_s,
                   char **body, size_t *body_len);

/* Everything the reports show. */
struct drill_result {
    const struct drill_scenario *sc;
    const char *scenario_path;
    double wall0;                      /* UNIX time the world's start was fed */
    double feed_s, settle_s, total_s;  /* wall seconds: feeding, settling, whole run */
    struct drill_truth *truth;
    size_t ntruth;
    struct drill_det *det;
    size_t ndet;
    struct drill_arrival *arr;
    size_t narr;
    bool *leak;                        /* per arrival */
    long *match;                       /* per detection: drill_match() */
    struct drill_score score;
    unsigned held[DRILL_MAX_NATIONS];  /* objects (ids) each node's store holds */
    unsigned taxii_visible[DRILL_MAX_NATIONS];  /* of them, what the umpire could read
                                                   over TAXII */
    unsigned long long fed_lines[DRILL_MAX_NATIONS];   /* NMEA lines fed */
    unsigned long long log_lines[DRILL_MAX_NATIONS];   /* log lines fed */
    unsigned indicators[DRILL_MAX_NATIONS];            /* imported by its CERT */
    long long sync_errors[DRILL_MAX_NATIONS];          /* `alidade status`: errors syncing
                                                          with its partners; -1 unknown */
    double world_lat[2], world_lon[2]; /* map bounds */
};

/* Writes DIR/score.json, DIR/report.md, DIR/report.html. false with the
 * reason in err. */
bool drill_write_reports(const char *dir, const struct drill_result *r, char *err,
                         size_t errlen);

/* `alidade drill run` (argv[0] is "run"). */
int drill_run_main(int argc, char **argv);

#endif
