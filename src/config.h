/*
 * config.h - the settings of `alidade serve` and its INI-style config file
 * (--config FILE, read with libinih). Defaults, then the file, then the
 * command-line flags: each layer overrides the one before. Every key, its
 * section and its default are in docs/taxii.md ("Configuration file").
 */
#ifndef ALD_SRC_CONFIG_H
#define ALD_SRC_CONFIG_H

#include <stdbool.h>
#include <stddef.h>

#include "alidade/stix.h"
#include "nlog.h"

#define SERVE_MAX_THREADS 16
#define CONFIG_MAX_STRINGS 16
#define SERVE_MAX_SOURCES 32

struct serve_settings {
    /* [server] */
    const char *data;                /* data directory ("alidade-data") */
    const char *listen;              /* ADDR:PORT ("127.0.0.1:8700") */
    const char *cert, *key, *ca;     /* tls_cert, tls_key, tls_ca (NULL: plain HTTP) */
    bool insecure;                   /* insecure_plain_http (false) */
    bool access_log;                 /* access_log (false) */
    unsigned threads;                /* threads (4, 1-16) */
    size_t max_body;                 /* max_body (16 MiB, 1 KiB-1 GiB) */
    size_t max_page;                 /* max_page (1000, 1-100000) */
    size_t upload_budget;            /* upload_budget (64 MiB, 64 KiB-16 GiB) */
    const char *api_root;            /* api_root ("api") */
    /* [policy] */
    enum stix_tlp default_tlp;       /* default_tlp (amber) */
    /* [node] */
    const char *title;               /* title ("alidade node") */
    const char *identity;            /* identity: the node's STIX identity id (NULL) */
    /* [log] */
    enum nlog_format log_format;     /* format: text (default), logfmt, json */
    enum nlog_level log_level;       /* level: debug, info (default), warn, error, off */
    /* [federation] */
    unsigned sync_interval;          /* sync_interval: seconds between pulls (30, 1-86400) */
    unsigned fed_timeout;            /* flag only: --fed-timeout S, a partner's request
                                        fails after S s to connect or S s stalled
                                        (0: 10 s and 30 s; docs/federation.md) */
    /* live ingest (flags only): --source SPEC, repeatable (src/ingest.c
     * parses SPEC), and the live detectors' geography */
    const char *sources[SERVE_MAX_SOURCES];
    size_t nsources;
    const char *zones, *shore, *anchorages;
    unsigned history_days;           /* --history-days: the stored vessel history (7, 0: none) */
    double max_clock_jump_h;         /* --max-clock-jump H: a larger jump of the AIS
                                        feed clock is a feed discontinuity (0: 3 h;
                                        docs/node.md) */
    /* not in the file */
    bool quiet;
    /* strings copied from the file, freed by config_free */
    char *owned[CONFIG_MAX_STRINGS];
    size_t nowned;
};

/* The defaults above. */
void config_defaults(struct serve_settings *s);
/* Reads FILE over s: only the keys present change. false with "FILE:LINE:
 * reason" in err (the first problem) on an unknown section or key, a bad
 * value, a key given twice, a syntax error or a line longer than libinih's
 * buffer (200 bytes in Debian's build); s may then hold some of the file's values. */
bool config_load(const char *path, struct serve_settings *s, char *err, size_t errlen);
/* Frees the strings config_load copied (s's pointers to them go stale). */
void config_free(struct serve_settings *s);

/* Value parsers shared with the flags. */
bool config_parse_tlp(const char *s, enum stix_tlp *t);
const char *config_tlp_name(enum stix_tlp t);
bool config_parse_size(const char *s, size_t lo, size_t hi, size_t *out);
bool config_parse_bool(const char *s, bool *out);
bool config_api_root_valid(const char *s);

#endif
