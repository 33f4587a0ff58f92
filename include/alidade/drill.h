/*
 * drill.h - scored joint drills ("alidade drill run"): the scenario file,
 * each nation's view of the one simulated world, the sharing policy the
 * drill expects, and the scoring of what the nodes found and exchanged.
 *
 * Pure logic, no I/O (src/drill_run.c starts the nodes, feeds them and
 * collects what they hold; src/drill_report.c writes the reports):
 *   - drill_scenario_parse: the JSON scenario (docs/drill.md) into a
 *     fixed-size struct, with errors that say what, where (a JSON path and,
 *     for syntax errors, line and column) and why;
 *   - drill_sees / drill_may_reach: which nation's AIS coverage holds a
 *     position, and whether an object made by one nation may lawfully be
 *     held by another under the agreements and TLP 2.0 (direct sharing of
 *     anything but TLP:RED, RED only to named recipients, CLEAR/GREEN
 *     onward only through agreements that allow re-sharing);
 *   - drill_score: planted truth against detections and arrivals:
 *     precision, recall and time to detect per detector and per nation,
 *     share latency, leaks.
 */
#ifndef ALIDADE_DRILL_H
#define ALIDADE_DRILL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "alidade/alidade.h"
#include "alidade/error.h"

#ifdef __cplusplus
extern "C" {
#endif

#define DRILL_NAME_MAX 64        /* nation, network, intrusion names (63 chars) */
#define DRILL_TITLE_MAX 128
#define DRILL_ID_MAX 64          /* identity--UUID (45 chars) */
#define DRILL_MAX_NATIONS 16
#define DRILL_MAX_AREAS 8        /* AIS coverage areas per nation */
#define DRILL_MAX_VERTICES 32    /* per polygon */
#define DRILL_MAX_NETWORKS 8     /* per nation */
#define DRILL_MAX_GROUPS 8       /* sharing groups per nation */
#define DRILL_MAX_AGREEMENTS 128
#define DRILL_MAX_INTRUSIONS 64
#define DRILL_VALUE_MAX 256      /* an indicator value */

/* TLP 2.0 levels, ordered (same numbers as enum stix_tlp). */
enum drill_tlp {
    DRILL_TLP_CLEAR = 0,
    DRILL_TLP_GREEN,
    DRILL_TLP_AMBER,
    DRILL_TLP_AMBER_STRICT,
    DRILL_TLP_RED,
};
/* "clear", "green", "amber", "amber+strict", "red". */
ALD_API const char *drill_tlp_name(enum drill_tlp t);

/* An AIS coverage area: a box, or a simple polygon (lon, lat vertices,
 * closed implicitly; ring order either way). Degrees WGS 84. */
struct drill_area {
    bool polygon;
    double s, w, n, e;                           /* box; also the polygon's bounds */
    unsigned nv;
    double lon[DRILL_MAX_VERTICES], lat[DRILL_MAX_VERTICES];
};

enum drill_logfmt { DRILL_LOG_EVE, DRILL_LOG_ZEEK };

struct drill_network {
    char name[DRILL_NAME_MAX];
    enum drill_logfmt format;
};

struct drill_nation {
    char name[DRILL_NAME_MAX];        /* node and partner name: A-Z a-z 0-9 . _ - */
    char title[DRILL_TITLE_MAX];      /* default: the name */
    char identity[DRILL_ID_MAX];      /* identity--UUID; default: the one alidade
                                         derives from the title (stix_node_identity_id) */
    enum drill_tlp tlp;               /* its node's default TLP (amber) */
    unsigned ngroups;
    char groups[DRILL_MAX_GROUPS][DRILL_NAME_MAX];
    unsigned nareas;                  /* AIS coverage: 0 = no AIS feed */
    struct drill_area areas[DRILL_MAX_AREAS];
    unsigned nnetworks;               /* networks whose logs it holds */
    struct drill_network networks[DRILL_MAX_NETWORKS];
    bool cert;                        /* has a CERT that knows indicators */
};

enum drill_mode { DRILL_PULL, DRILL_PUSH };

/* `from` shares what it holds with `to`. */
struct drill_agreement {
    unsigned from, to;                /* nation indexes */
    enum drill_mode mode;             /* pull: `to` polls `from`; push: `from` posts to `to` */
    bool reshare;                     /* `from` may pass on CLEAR/GREEN objects it
                                         received from third nations */
};

enum drill_ioc { DRILL_IOC_IPV4, DRILL_IOC_DOMAIN, DRILL_IOC_URL };

/* An intrusion: `value` appears `hits` times in the logs of network
 * `network` (held by nation `victim`) from `hour` on, and the CERT of
 * nation `known_to` knows it as a STIX indicator marked `tlp`. */
struct drill_intrusion {
    char name[DRILL_NAME_MAX];
    enum drill_ioc type;
    char value[DRILL_VALUE_MAX];
    unsigned victim, network;         /* nation index, index among its networks */
    double hour;                      /* scenario hours after the start */
    unsigned hits;                    /* log lines holding the value (1) */
    unsigned known_to;                /* nation index (its CERT) */
    enum drill_tlp tlp;               /* the indicator's marking (amber) */
    uint32_t recipients;              /* TLP:RED: nations named (bit per index) */
};

struct drill_scenario {
    char name[DRILL_NAME_MAX];
    char title[DRILL_TITLE_MAX];
    uint64_t seed;                    /* world seed (1) */
    int64_t start_s;                  /* UNIX seconds (2025-01-01T00:00:00Z) */
    double hours;                     /* world length (40; planted maritime
                                         events need at least 36) */
    double speed;                     /* world seconds per wall second (1800) */
    unsigned vessels;                 /* normal fleet (50) */
    bool maritime_events;             /* plant the maritime events (true) */
    double tolerance_s;               /* match window on start and end (900) */
    double settle_s;                  /* wall seconds to let sharing finish after
                                         the feed ends (10) */
    unsigned background_logs;         /* benign log lines per network per world
                                         hour (60) */
    unsigned nnations;
    struct drill_nation nations[DRILL_MAX_NATIONS];
    unsigned nagreements;
    struct drill_agreement agreements[DRILL_MAX_AGREEMENTS];
    unsigned nintrusions;
    struct drill_intrusion intrusions[DRILL_MAX_INTRUSIONS];
};

/* What went wrong in a scenario: `path` is where (a JSON path such as
 * "nations[2].ais[0].bbox"; empty for the whole document), `line`/`col`
 * for JSON syntax errors (0 otherwise), `msg` what and why. */
struct drill_err {
    ald_err code;                     /* ALD_E_JSON (syntax) or ALD_E_ARG (content) */
    unsigned line, col;
    char path[128];
    char msg[256];
};

/* Parses a scenario from text (n bytes). ALD_E_OK, or an error in *err
 * (first problem found) and *sc undefined. */
ALD_API ald_err drill_scenario_parse(const char *text, size_t n, struct drill_scenario *sc,
                                     struct drill_err *err);
/* A deterministic STIX id for something of the drill: TYPE "--" UUIDv5 of
 * "alidade-drill:" sc->name ":" what (alidade's namespace): the CERTs'
 * indicators ("indicator", intrusion name) and the umpire ("identity",
 * "umpire"), the same on every run of the scenario. */
ALD_API void drill_id(const struct drill_scenario *sc, const char *type, const char *what,
                      char out[DRILL_ID_MAX + 16]);
/* Nation index by name, -1 when none. */
ALD_API int drill_nation_index(const struct drill_scenario *sc, const char *name);

/* ---- sensor views ---- */

/* True when (lat, lon) lies in the area (edges included). */
ALD_API bool drill_area_contains(const struct drill_area *a, double lat, double lon);
/* True when nation k's AIS coverage holds (lat, lon). */
ALD_API bool drill_sees(const struct drill_scenario *sc, unsigned k, double lat, double lon);

/* ---- the policy the drill expects ---- */

/* What the policy needs to know of one object. */
struct drill_obj_policy {
    unsigned origin;                  /* the nation that made it */
    enum drill_tlp tlp;               /* strictest marking (origin's default when none) */
    uint32_t recipients;              /* nations named in x_alidade_recipients or as
                                         creator (bit per index) */
    bool has_groups;                  /* it carries sharing-group markings: then ... */
    uint32_t group_members;           /* ... only these nations (members of one of
                                         its groups, bit per index) may hold it */
};
/* True when nation `holder` may hold the object: it made it, or an agreement
 * path leads there: a direct agreement from the origin for anything below
 * RED, RED only to a named recipient; beyond the first hop only CLEAR or
 * GREEN, and every hop after the first must allow re-sharing. Group-marked
 * objects only reach members. */
ALD_API bool drill_may_reach(const struct drill_scenario *sc, const struct drill_obj_policy *o,
                             unsigned holder);

/* ---- scoring ---- */

#define DRILL_KIND_MAX 24             /* "gap", ..., "sighting" */
#define DRILL_MAX_KINDS 12

/* One planted event, or one event the sensor views make unavoidable
 * (`artifact`: e.g. a gap while a vessel was outside a nation's coverage;
 * a detection of it is neither right nor wrong and is counted apart). */
struct drill_truth {
    char kind[DRILL_KIND_MAX];        /* det_kind_name(), or "sighting" */
    uint32_t mmsi, mmsi2;             /* mmsi2: encounter partner, 0 otherwise */
    char ref[DRILL_ID_MAX + 16];      /* sighting: the indicator id */
    int64_t start, end;               /* world UNIX seconds */
    double lat, lon;                  /* NAN when none */
    uint32_t expect;                  /* nations that should detect it (bit per index) */
    bool artifact;
    unsigned artifact_of;             /* artifact: the nation whose view makes it (it
                                         explains that nation's detections only) */
    bool any_time;                    /* artifact: matches whatever the times (a
                                         planted event a nation saw only in part:
                                         its detector reports the part it saw) */
    bool blind;                       /* artifact: nation artifact_of could not hear
                                         vessel mmsi from start to end (out of its
                                         coverage); explains a detection of any kind
                                         naming the vessel over an overlapping time */
};

/* One event a node detected (an object it created). */
struct drill_det {
    char kind[DRILL_KIND_MAX];
    uint32_t mmsi, mmsi2;
    char ref[DRILL_ID_MAX + 16];
    int64_t start, end;               /* world UNIX seconds */
    unsigned node;                    /* the detecting nation */
    double added_wall;                /* date_added at that node, UNIX seconds */
};

/* One object a node holds that another nation made. */
struct drill_arrival {
    char id[DRILL_ID_MAX + 16];
    unsigned node;                    /* holder */
    struct drill_obj_policy pol;
    double added_wall;                /* date_added at the holder */
    double origin_wall;               /* date_added at the origin; NAN when the
                                         origin does not hold it */
};

struct drill_stat {
    unsigned n;
    double p50, p99, max;             /* nearest rank; 0 when n == 0 */
};

struct drill_kind_score {
    char kind[DRILL_KIND_MAX];
    unsigned planted;                 /* truths of this kind (not artifacts) */
    unsigned found;                   /* of them, detected by a node expected to */
    unsigned detections;              /* detections of this kind, artifacts apart */
    unsigned correct;                 /* of them, matching a planted truth */
    unsigned explained;               /* detections matching an artifact */
    double precision, recall;         /* 1 when the denominator is 0 */
    struct drill_stat ttd_s;          /* first detection's date_added minus the
                                         truth's end mapped to wall time */
};

struct drill_nation_score {
    unsigned expected, found, detections, correct, explained;
    double precision, recall;
    struct drill_stat ttd_s;
    unsigned received, leaks;
};

struct drill_pair_score {             /* origin -> holder */
    struct drill_stat latency_s;
};

struct drill_score {
    unsigned nkinds;
    struct drill_kind_score kinds[DRILL_MAX_KINDS];
    struct drill_nation_score nations[DRILL_MAX_NATIONS];
    struct drill_pair_score pairs[DRILL_MAX_NATIONS][DRILL_MAX_NATIONS];
    struct drill_stat share_latency_s; /* every arrival with a known origin time */
    unsigned leaks;
    unsigned arrivals;
    double precision, recall;         /* over every kind */
};

/* Maps world time to wall time: wall0 + (t - sc->start_s) / sc->speed. */
ALD_API double drill_wall_of(const struct drill_scenario *sc, double wall0, int64_t t);

/* Whether detection d matches truth t: the same kind, the same mmsi (and
 * mmsi2, either order) or indicator ref, start and end each within
 * sc->tolerance_s (any times for an any_time artifact); an artifact only
 * matches detections of the nation it belongs to. */
ALD_API bool drill_matches(const struct drill_scenario *sc, const struct drill_truth *t,
                           const struct drill_det *d);
/* The truth detection d is counted against: -1 for none; a planted truth
 * its nation was expected to see first, then any planted truth, then an
 * artifact. */
ALD_API long drill_match(const struct drill_scenario *sc, const struct drill_truth *truth,
                         size_t ntruth, const struct drill_det *d);

/* Scores. truth/det/arr may be NULL when their count is 0 (matching as
 * drill_match). `leak` (may be NULL) gets, per arrival, whether it is a
 * leak (drill_may_reach false). ALD_E_TOO_LARGE when more than
 * DRILL_MAX_KINDS kinds appear; ALD_E_NOMEM. */
ALD_API ald_err drill_score_compute(const struct drill_scenario *sc, double wall0,
                                    const struct drill_truth *truth, size_t ntruth,
                                    const struct drill_det *det, size_t ndet,
                                    const struct drill_arrival *arr, size_t narr,
                                    struct drill_score *out, bool *leak);

/* Nearest-rank percentiles of v[0..n) (sorted in place). */
ALD_API struct drill_stat drill_stat_of(double *v, size_t n);

#ifdef __cplusplus
}
#endif
#endif
