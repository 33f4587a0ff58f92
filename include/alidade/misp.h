/*
 * misp.h - MISP as a source of indicators and of known-benign values:
 *
 *   - feed conversion: MISP events (the JSON of a MISP feed's <uuid>.json
 *     files, of CIRCL's OSINT feed, of the REST API) into STIX 2.1 objects:
 *     one indicator per attribute flagged to_ids (or per file / ip-port
 *     object), the identity of each creator organisation, a report per
 *     event, with TLP 2.0 markings from the tags and distribution;
 *   - warninglists (github.com/MISP/misp-warninglists): lists of values
 *     that are not worth an alert (public resolvers, top domains, cloud
 *     ranges, hashes of empty files...). The matcher asks a loaded set
 *     before it reports a hit.
 *
 * Pure functions over caller buffers; no I/O (src/cmd_misp.c reads the
 * files). See docs/misp.md for every mapping and decision.
 */
#ifndef ALIDADE_MISP_H
#define ALIDADE_MISP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "alidade/alidade.h"
#include "alidade/logparse.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- feed conversion ---- */

/* MISP attribute types counted separately when not mappable to STIX. */
#define ALD_MISP_UNMAPPED_MAX 32

/* Counts over everything one converter saw. */
struct ald_misp_stats {
    size_t events;            /* events converted */
    size_t events_bad;        /* event documents rejected (ald_misp_convert_event
                                 returned ALD_E_JSON or ALD_E_MISP) */
    size_t attributes;        /* attributes seen, in objects too */
    size_t indicators;        /* indicators written */
    size_t object_indicators; /* of which one per file or ip-port object; so
                                 attributes = indicators - object_indicators
                                 + combined + the four skip_ counts */
    size_t identities;        /* creator organisations written */
    size_t reports;           /* reports written (events with indicators) */
    size_t combined;          /* attributes folded into an object's indicator
                                 (file, ip-port objects) */
    /* attributes skipped, by reason */
    size_t skip_deleted;      /* deleted attribute or object */
    size_t skip_not_ids;      /* to_ids false: context, not for detection */
    size_t skip_invalid;      /* value not valid for its type (reported) */
    size_t skip_unmapped;     /* type STIX patterns cannot express */
    /* skip_unmapped per MISP type; types beyond the table go to other */
    size_t nunmapped;
    struct {
        char type[48];
        size_t n;
    } unmapped[ALD_MISP_UNMAPPED_MAX];
    size_t unmapped_other;
};

/* Receives each STIX object as compact JSON text (one object, no newline).
 * Return 0 to go on; non-zero stops the event (ALD_E_IO). */
typedef int (*ald_misp_emit_fn)(void *ctx, const char *json, size_t len);
/* Receives a problem that did not stop the event: `where` names the
 * attribute ("attribute 57c4...: ip-dst 'not-an-ip'"), `why` says why it was
 * skipped. May be NULL. */
typedef void (*ald_misp_warn_fn)(void *ctx, const char *where, const char *why);

typedef struct ald_misp_conv ald_misp_conv;

/* A converter; it remembers which identities and TLP marking-definitions it
 * already wrote, so a run over many events writes each once. NULL when out
 * of memory. */
ALD_API ald_misp_conv *ald_misp_conv_new(ald_misp_emit_fn emit, ald_misp_warn_fn warn,
                                         void *ctx);
ALD_API void ald_misp_conv_free(ald_misp_conv *c);
ALD_API const struct ald_misp_stats *ald_misp_conv_stats(const ald_misp_conv *c);

/*
 * Converts one MISP event document: {"Event": {...}}, a bare event object,
 * {"response": [{"Event": ...}, ...]} or an array of {"Event": ...}. Objects
 * go to emit in an order where every reference points backwards
 * (marking-definitions and identities first, the report last). Returns
 * ALD_E_OK (attributes may have been skipped: see the stats and warn),
 * ALD_E_JSON (not JSON: err has line and column), ALD_E_MISP (JSON but not a
 * MISP event: err says what is missing), ALD_E_IO (emit stopped),
 * ALD_E_NOMEM. A document that fails converts nothing.
 */
ALD_API ald_err ald_misp_convert_event(ald_misp_conv *c, const char *json, size_t len,
                                       struct ald_errpos *err);

/* Called with each event uuid of a feed's manifest.json (lowercase,
 * checked to be a UUID: safe to build a file name from). Non-zero stops. */
typedef int (*ald_misp_uuid_fn)(void *ctx, const char *uuid);
/* Walks manifest.json (an object keyed by event uuid). ALD_E_JSON,
 * ALD_E_MISP (not an object, or a key that is not a UUID: err names it),
 * ALD_E_IO when cb stopped. */
ALD_API ald_err ald_misp_manifest(const char *json, size_t len, ald_misp_uuid_fn cb, void *ctx,
                                  struct ald_errpos *err);

/* ---- warninglists ---- */

typedef struct ald_wlset ald_wlset;

/* An empty set. NULL when out of memory. */
ALD_API ald_wlset *ald_wlset_new(void);
ALD_API void ald_wlset_free(ald_wlset *s);

/*
 * Adds one list.json (misp-warninglists schema: name, type string |
 * substring | hostname | cidr | regex, list, optional matching_attributes).
 * `origin` (e.g. the list's directory name) is kept for messages and
 * ald_wlset_origin. Returns ALD_E_OK, ALD_E_JSON, ALD_E_MISP (a member
 * missing or of the wrong type, an unknown list type, a CIDR or regex that
 * does not parse: err says which entry), ALD_E_NOMEM. A list that fails is
 * not added; the set stays usable.
 */
ALD_API ald_err ald_wlset_load_json(ald_wlset *s, const char *json, size_t len,
                                    const char *origin, struct ald_errpos *err);

/*
 * The name of the first list (in load order) that holds `value` as a
 * `kind` observable, or NULL. Only lists whose matching_attributes cover
 * `kind` are asked (no matching_attributes: every kind). Rules per list
 * type (docs/misp.md): string: equal, ASCII case ignored; hostname: the
 * name or any parent domain, case ignored, trailing dot ignored; cidr: the
 * address inside a prefix (IPv4, IPv6); substring: an entry inside the
 * value, case ignored; regex: PCRE2 match. A URL is also looked up by its
 * host, an e-mail address by its domain. Safe to call from several threads
 * once loading is over.
 */
ALD_API const char *ald_wlset_match(const ald_wlset *s, ald_obs_kind kind, const char *value,
                                    size_t len);
/* Every list holding the value, as indices in load order, at most max of
 * them into idx; returns how many lists hold it. */
ALD_API size_t ald_wlset_match_all(const ald_wlset *s, ald_obs_kind kind, const char *value,
                                   size_t len, size_t *idx, size_t max);

/* Lists loaded, and per list (index in load order): its name, origin, type
 * ("cidr", ...) and entry count. */
ALD_API size_t ald_wlset_count(const ald_wlset *s);
ALD_API const char *ald_wlset_name(const ald_wlset *s, size_t i);
ALD_API const char *ald_wlset_origin(const ald_wlset *s, size_t i);
ALD_API const char *ald_wlset_type(const ald_wlset *s, size_t i);
ALD_API size_t ald_wlset_entries(const ald_wlset *s, size_t i);

/* The kind a bare value most likely is (IPv4, IPv6, URL with "://", e-mail
 * with '@', MD5/SHA-1/SHA-256/SHA-512 by hex length, else a domain): for
 * tools that get values without context, such as `alidade misp warninglist`. */
ALD_API ald_obs_kind ald_wl_guess_kind(const char *value, size_t len);

#ifdef __cplusplus
}
#endif
#endif
