/*
 * logparse.h - security logs as records of observables: Suricata EVE JSON,
 * Zeek logs (TSV with their #fields header, and JSON), and plain text lines.
 *
 * The parser sees one line at a time (no I/O here: src/ reads the files) and
 * turns it into an ald_logrec: when it happened, what kind of event it is,
 * and the observables in it (addresses, domains, URLs, e-mail addresses,
 * file hashes, ports), each tagged with the STIX cyber-observable it stands
 * for. lib/match checks indicators against those fields and builds the
 * observed-data of a sighting from the same record.
 */
#ifndef ALIDADE_LOGPARSE_H
#define ALIDADE_LOGPARSE_H

#include <stddef.h>
#include <stdint.h>

#include "error.h"

typedef enum {
    ALD_LOG_AUTO = 0,   /* detect from the content (first lines) */
    ALD_LOG_EVE,        /* Suricata eve.json, one event per line */
    ALD_LOG_ZEEK_TSV,   /* Zeek ASCII logs: #separator/#fields header + rows */
    ALD_LOG_ZEEK_JSON,  /* Zeek JSON logs (LogAscii::use_json), one per line */
    ALD_LOG_TEXT        /* anything else: observables found in free text */
} ald_log_format;

/* The observable kinds, named after the STIX property they fill. */
typedef enum {
    ALD_OBS_IPV4,       /* ipv4-addr:value */
    ALD_OBS_IPV6,       /* ipv6-addr:value */
    ALD_OBS_DOMAIN,     /* domain-name:value */
    ALD_OBS_URL,        /* url:value */
    ALD_OBS_EMAIL,      /* email-addr:value */
    ALD_OBS_MD5,        /* file:hashes.MD5 */
    ALD_OBS_SHA1,       /* file:hashes.'SHA-1' */
    ALD_OBS_SHA256,     /* file:hashes.'SHA-256' */
    ALD_OBS_SHA512,     /* file:hashes.'SHA-512' */
    ALD_OBS_FILE_NAME,  /* file:name */
    ALD_OBS_PORT,       /* network-traffic:src_port / dst_port (decimal text) */
    ALD_OBS_X509_SHA1,  /* x509-certificate:hashes.'SHA-1' (TLS fingerprint) */
    ALD_OBS_X509_SERIAL,/* x509-certificate:serial_number */
    ALD_OBS_X509_SHA256,/* x509-certificate:hashes.'SHA-256' (Zeek's
                           fingerprint and ssl cert_chain_fps) */
    ALD_OBS__COUNT
} ald_obs_kind;

/* Which end of a connection an address or port belongs to. */
typedef enum { ALD_ROLE_NONE = 0, ALD_ROLE_SRC, ALD_ROLE_DST } ald_obs_role;

typedef struct ald_logfield {
    ald_obs_kind kind;
    ald_obs_role role;
    const char *v;      /* the value, unescaped; valid until the next line */
    size_t len;
    const char *name;   /* where it was in the log: "dns.rrname", "query" */
} ald_logfield;

typedef struct ald_logrec {
    ald_log_format format;
    const char *type;       /* "dns", "http", "tls", "flow", "fileinfo",
                               "alert", "conn", "ssl", "files", "x509",
                               "text", ...; NULL for a header/comment line */
    int has_ts;
    int64_t ts_sec;         /* UTC */
    int32_t ts_nsec;
    const char *proto;      /* "tcp", "udp", "icmp" or NULL */
    const ald_logfield *fields;
    size_t nfields;
} ald_logrec;

typedef struct ald_logparser ald_logparser;

/* A parser for one input stream; ALD_LOG_AUTO decides on the first line
 * that is not empty. Returns NULL when out of memory. */
ald_logparser *ald_logparser_new(ald_log_format fmt);
void ald_logparser_free(ald_logparser *p);
ald_log_format ald_logparser_format(const ald_logparser *p);

/* Lines longer than this are ALD_E_LOG_LINE ("line too long"); default
 * ALD_LOG_LINE_MAX. */
#define ALD_LOG_LINE_MAX (4u << 20)
void ald_logparser_set_max_line(ald_logparser *p, size_t max);

/* The Zeek log type ("dns", "conn", ...) when the input does not say it:
 * Zeek JSON without "_path" (the usual LogAscii::use_json output), where
 * src/ knows it from the file name. A TSV #path header or a JSON "_path"
 * member wins. Copied; NULL forgets it. */
ald_err ald_logparser_set_zeek_path(ald_logparser *p, const char *path);

/*
 * Parses one line (without its newline; a trailing '\r' is ignored). On
 * ALD_E_OK, *rec describes it; header and comment lines (Zeek '#...') give a
 * record with type NULL and no fields. On ALD_E_LOG_LINE the line is
 * corrupt: err says where and why, the parser stays usable for the next
 * line. The record's strings stay valid until the next call.
 */
ald_err ald_logparser_line(ald_logparser *p, const char *line, size_t len,
                           ald_logrec *rec, struct ald_errpos *err);

/* "ipv4-addr:value", "file:hashes.'SHA-256'", ... for a kind and role. */
const char *ald_obs_kind_path(ald_obs_kind k, ald_obs_role role);
/* Short name: "ipv4", "domain", "sha256", ... */
const char *ald_obs_kind_name(ald_obs_kind k);

/*
 * The STIX 2.1 observed-data of a record (for a sighting's
 * observed_data_refs) and the SCOs it refers to: ipv4-addr, ipv6-addr,
 * domain-name, url, email-addr, file (hashes and name), x509-certificate
 * (hashes, serial_number) and network-traffic (src_ref/dst_ref, ports,
 * protocols) when the record has a source or destination address.
 *
 * *json_out (malloc'd, the caller frees it) holds one compact JSON object
 * per line, each line ending in '\n': the observed-data first, then its
 * SCOs in object_refs order. SCO ids are the STIX 2.1 deterministic ids
 * (UUIDv5 in the SCO namespace 00abedb4-aa42-466c-9c01-fed23315a9b7 over the
 * RFC 8785 JSON of the ID-contributing properties, one hash chosen MD5 >
 * SHA-1 > SHA-256 > SHA-512 as python-stix2 does), so the same address
 * is the same object everywhere. The observed-data id is
 * ald_observed_data_id(identity, source, line): running again over the
 * same log gives the same objects. first_observed = last_observed =
 * created = modified = the record's time (created/modified to the
 * millisecond), number_observed 1, created_by_ref the identity (omitted
 * when NULL). Bytes that are not UTF-8 become U+FFFD.
 *
 * ALD_E_NOT_FOUND when the record holds nothing an SCO can be made of (no
 * observable, or ports alone); ALD_E_ARG when it has no time and opts->now
 * is NULL; ALD_E_NOMEM.
 */
struct ald_observed_opts {
    const char *identity_id;    /* created_by_ref; NULL: none */
    const char *source_name;    /* the log's name (part of the id); NULL: "" */
    uint64_t line_no;           /* the line in that log (part of the id) */
    const char *now;            /* STIX timestamp for records without a time
                                   (text lines); NULL: those are ALD_E_ARG */
};
ald_err ald_logrec_observed_data_ex(const ald_logrec *r, const struct ald_observed_opts *o,
                                    char **json_out);
ald_err ald_logrec_observed_data(const ald_logrec *r, const char *identity_id,
                                 const char *source_name, uint64_t line_no, char **json_out);

/* "observed-data--" + UUIDv5 (alidade's namespace) of "observed-data|"
 * identity "|" source "|" line (NULL identity or source: ""), NUL-ended,
 * into out; ALD_E_NOMEM only for names too long for the stack. */
#define ALD_OBSERVED_ID_LEN 52
ald_err ald_observed_data_id(const char *identity_id, const char *source_name, uint64_t line_no,
                             char out[ALD_OBSERVED_ID_LEN]);

#endif
