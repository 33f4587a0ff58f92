/*
 * logpriv.h - what the log parsers of lib/match share inside the library:
 * the parser state (ald_logparser), the per-line scratch memory the record's
 * strings live in, adding a field, and the value checks (addresses, host
 * names, hex hashes, times) every format uses the same way.
 */
#ifndef ALD_MATCH_LOGPRIV_H
#define ALD_MATCH_LOGPRIV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "alidade/logparse.h"

/* One column of a Zeek TSV log, as its #fields/#types header says. */
struct zeek_col {
    uint8_t act;        /* what to take from it (log_zeek.c, enum zact) */
    uint8_t set;        /* a set[...] or vector[...]: split at set_separator */
    const char *name;   /* points into zeek_tsv.names */
    const char *type;   /* points into zeek_tsv.types; NULL without #types */
};

/* The header state of a Zeek TSV stream. */
struct zeek_tsv {
    char sep;                   /* #separator (default TAB) */
    char set_sep;               /* #set_separator (default ',') */
    char empty[64];             /* #empty_field (default "(empty)") */
    char unset[64];             /* #unset_field (default "-") */
    char path[64];              /* #path ("" until seen) */
    char *names;                /* the #fields line, NUL-separated */
    char *types;                /* the #types line, NUL-separated */
    struct zeek_col *cols;
    size_t ncols;
    bool have_fields;
};

struct ald_logparser {
    ald_log_format want;        /* as asked (may be AUTO) */
    ald_log_format fmt;         /* as decided: AUTO until a non-empty line */
    size_t max_line;
    char *zeek_path;            /* ald_logparser_set_zeek_path */
    /* per line: the record's strings and fields */
    char *buf;
    size_t cap, used;
    ald_logfield *f;
    size_t nf, capf;
    struct zeek_tsv tsv;
};

/* n bytes of the line's scratch memory; NULL when it is used up (the
 * callers size it from the line length, so that means a parser bug or a
 * line built to need more: reported as a corrupt line). */
char *lp_alloc(ald_logparser *p, size_t n);
/* A copy of s in scratch memory (NULL as lp_alloc). */
const char *lp_copy(ald_logparser *p, const char *s, size_t n);
/* Adds a field whose value already lives in scratch memory or is static.
 * The same kind, role and value twice in one record is kept once. */
ald_err lp_add(ald_logparser *p, ald_obs_kind k, ald_obs_role role, const char *v, size_t n,
               const char *name);
/* Copies the value and adds it. */
ald_err lp_addc(ald_logparser *p, ald_obs_kind k, ald_obs_role role, const char *v, size_t n,
                const char *name);

/* ALD_OBS_IPV4 / ALD_OBS_IPV6 when s is an address as inet_pton reads it
 * (dotted quad without leading zeros, RFC 4291 text), else ALD_OBS__COUNT. */
ald_obs_kind lp_ip(const char *s, size_t n);
/* A host name as DNS carries it: 1-253 bytes of letters, digits, '-', '_'
 * and '.', labels of 1-63 bytes (a trailing dot allowed); no IP check. */
bool lp_hostname(const char *s, size_t n);
/* All hex digits. */
bool lp_hex(const char *s, size_t n);
/* Adds s as an IP field when it is an address, else as a domain when it is
 * a host name, else nothing. */
ald_err lp_add_host(ald_logparser *p, ald_obs_role role, const char *s, size_t n,
                    const char *name);
/* Adds a hash by its length (32 MD5, 40 SHA-1, 64 SHA-256, 128 SHA-512) when
 * it is hex; nothing otherwise. */
ald_err lp_add_hash(ald_logparser *p, const char *s, size_t n, const char *name);
/* Adds an e-mail address: "<a@b>" and "Name <a@b>" give a@b; nothing when
 * there is no local@domain in it. */
/* An absolute URL as HTTP logs write one for proxy requests: scheme, "://",
 * something after. Otherwise the request path is joined to the host. */
bool lp_absolute_url(const char *s, size_t n);
ald_err lp_add_email(ald_logparser *p, const char *s, size_t n, const char *name);

/* RFC 3339 / ISO 8601 date-time: "YYYY-MM-DDTHH:MM:SS[.frac][Z|+hh:mm|+hhmm|
 * +hh]" ('T' or ' '); no zone means UTC. Seconds since 1970 (UTC) and
 * nanoseconds (digits past 9 dropped). */
bool lp_iso_time(const char *s, size_t n, int64_t *sec, int32_t *nsec);
/* Epoch seconds with an optional fraction, "1521911720.865716" (Zeek). */
bool lp_epoch(const char *s, size_t n, int64_t *sec, int32_t *nsec);

/* A static lower-case protocol name ("tcp", "udp", "icmp", ...) for the
 * spelling in a log ("TCP", "IPv6-ICMP", "6"); a scratch copy in lower
 * case for others; NULL for an empty one. */
const char *lp_proto(ald_logparser *p, const char *s, size_t n);

/* Sets err (code ALD_E_LOG_LINE, offset, col = offset + 1) and returns
 * ALD_E_LOG_LINE. */
ald_err lp_fail(struct ald_errpos *err, size_t offset, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* The formats, each for one line (logparse.c has already cut a '\r',
 * checked the length and reset the scratch memory; rec is zeroed with its
 * format set). */
ald_err lp_eve_line(ald_logparser *p, const char *s, size_t n, ald_logrec *rec,
                    struct ald_errpos *err);
ald_err lp_zeek_tsv_line(ald_logparser *p, const char *s, size_t n, ald_logrec *rec,
                         struct ald_errpos *err);
ald_err lp_zeek_json_line(ald_logparser *p, const char *s, size_t n, ald_logrec *rec,
                          struct ald_errpos *err);
ald_err lp_text_line(ald_logparser *p, const char *s, size_t n, ald_logrec *rec,
                     struct ald_errpos *err);
void lp_zeek_tsv_reset(struct zeek_tsv *t);
void lp_zeek_tsv_free(struct zeek_tsv *t);

#endif
