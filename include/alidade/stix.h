/*
 * stix.h - STIX 2.1 objects as the node stores and shares them: validation
 * of one object (required properties per type, identifier and timestamp
 * formats, spec_version, reference properties of the right type), the facts
 * the store and the access policy need (struct stix_info), STIX timestamps,
 * and splitting a bundle, a TAXII envelope or JSON lines into the exact bytes
 * of each object, so objects are kept as their original text and served
 * without re-serialisation.
 *
 * Pure functions over caller buffers; no I/O. See docs/stix.md.
 */
#ifndef ALIDADE_STIX_H
#define ALIDADE_STIX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "alidade/alidade.h"

#ifdef __cplusplus
extern "C" {
#endif

/* A STIX type is 3-250 characters; an id is type "--" UUID. */
#define STIX_TYPE_MAX 251
#define STIX_ID_MAX (STIX_TYPE_MAX + 2 + 36)
/* Timestamp text as written, e.g. "2016-05-12T08:17:27.000Z" (any
 * sub-second precision the object uses is kept in text). */
#define STIX_TIME_TEXT 40
/* object_marking_refs kept per object (more are a validation problem). */
#define STIX_MARKINGS_MAX 16
/* x_alidade_recipients kept per object (TLP:RED named partners). */
#define STIX_RECIPIENTS_MAX 16
#define STIX_TIME_NONE INT64_MIN

/* TLP 2.0 level from the standard marking-definition ids (TLP 1.0 ids map
 * to their 2.0 equivalent: WHITE -> CLEAR). */
enum stix_tlp {
    STIX_TLP_NONE = -1,      /* no TLP marking on the object */
    STIX_TLP_CLEAR = 0,
    STIX_TLP_GREEN,
    STIX_TLP_AMBER,
    STIX_TLP_AMBER_STRICT,
    STIX_TLP_RED,
};

/* The marking-definition id of a TLP 2.0 level ("marking-definition--..."),
 * NULL for STIX_TLP_NONE or out of range. */
ALD_API const char *stix_tlp_id(enum stix_tlp t);
/* The TLP 2.0 marking-definition object of a level as FIRST publishes it
 * (with the tlp_2_0 extension), compact JSON into dst; its length, or 0
 * for STIX_TLP_NONE or when cap (512 is enough) is too small. */
ALD_API size_t stix_tlp_definition(enum stix_tlp t, char *dst, size_t cap);
/* The level of a marking-definition id (2.0 or 1.0), STIX_TLP_NONE if it is
 * not a TLP marking. */
ALD_API enum stix_tlp stix_tlp_of(const char *marking_id);

/* What the store and the policy need to know of one object version. */
struct stix_info {
    char type[STIX_TYPE_MAX];
    char id[STIX_ID_MAX];
    char spec_version[8];            /* "2.1"; empty when absent (SCOs may omit it) */
    char modified[STIX_TIME_TEXT];   /* version: `modified`, else `created`, else empty (SCO) */
    int64_t modified_us;             /* the same in microseconds since 1970, STIX_TIME_NONE */
    int64_t created_us;              /* STIX_TIME_NONE when absent */
    char created_by_ref[STIX_ID_MAX];/* empty when absent */
    bool revoked;
    int64_t valid_from_us, valid_until_us;  /* indicators; STIX_TIME_NONE */
    enum stix_tlp tlp;               /* strictest TLP among object_marking_refs */
    size_t nmarkings;                /* object_marking_refs, TLP ones included */
    char markings[STIX_MARKINGS_MAX][STIX_ID_MAX];
    size_t nrecipients;              /* x_alidade_recipients: identity ids named on
                                        the object (who may read it at TLP:RED) */
    char recipients[STIX_RECIPIENTS_MAX][STIX_ID_MAX];
};

/* One problem found in an object: which object (its id, or "object N" when
 * it has none), which property (JSON path such as "external_references[2].url",
 * empty for the whole object) and why. */
struct stix_problem {
    char id[STIX_ID_MAX];
    char property[128];
    char message[200];
};

/*
 * Checks one object given as JSON text (exactly one JSON object). Returns the
 * number of problems found (0: valid STIX 2.1), writing at most `max` of them
 * into `probs` (may be NULL when max is 0). `info` (may be NULL) is filled as
 * far as the object allows, also when it is invalid. `index` names objects
 * without an id in problems ("object 3").
 */
ALD_API size_t stix_check(const char *json, size_t len, size_t index, struct stix_info *info,
                          struct stix_problem *probs, size_t max);

/* Called with the exact bytes of each object, in order, and its index from
 * 0. Return 0 to go on, non-zero to stop (stix_split then returns it). */
typedef int (*stix_object_cb)(void *ctx, const char *obj, size_t len, size_t index);

/*
 * Splits `text` into objects without re-serialising them: a bundle
 * {"type":"bundle",...,"objects":[...]}, a TAXII envelope {"objects":[...],
 * "more":...}, a single object, a JSON array of objects, or JSON lines (one
 * object per line). Whitespace around each object is not part of it.
 * Returns 0, the callback's non-zero value, or -1 with the reason (line,
 * column, what was expected) in err when the text is not well-formed JSON of
 * one of these shapes. Nesting deeper than 128 levels is an error.
 */
ALD_API int stix_split(const char *text, size_t len, stix_object_cb cb, void *ctx,
                       char *err, size_t errlen);

/* Parses an RFC 3339 STIX timestamp in UTC ("2016-05-12T08:17:27Z",
 * "...27.123456789Z"): true and microseconds since 1970 (sub-microsecond
 * digits truncated), false when it is not one (no 'Z', out-of-range fields,
 * lower-case 't'/'z'). */
ALD_API bool stix_time_parse(const char *s, size_t n, int64_t *us);
/* Writes "YYYY-MM-DDTHH:MM:SS.ssssssZ" (6 decimals, as TAXII date_added
 * values are written) plus NUL into out[STIX_TIME_TEXT]; returns its length. */
ALD_API size_t stix_time_format(int64_t us, char out[STIX_TIME_TEXT]);

/* type--UUIDv5 of the n bytes of `name` in alidade's namespace: the ids of
 * objects the node makes, the same for the same name (docs/stix.md). */
ALD_API void stix_name_id(const char *type, const char *name, size_t n, char out[STIX_ID_MAX]);
/* The STIX identity id of the node called `name` (NULL or empty: "alidade
 * node"): identity--UUIDv5 of the name in alidade's namespace, the id every
 * object the node makes carries in created_by_ref. */
ALD_API void stix_node_identity_id(const char *name, char out[64]);
/* That identity object as compact JSON (malloc'd; NULL when out of memory
 * or when the name is not UTF-8). */
ALD_API char *stix_node_identity_json(const char *name);

#ifdef __cplusplus
}
#endif
#endif
