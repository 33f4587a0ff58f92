/*
 * feed.c - MISP events into STIX 2.1 objects (ald_misp_convert_event) and
 * the event list of a feed's manifest.json (ald_misp_manifest).
 *
 * One indicator per attribute flagged to_ids, its pattern built from the
 * MISP type (the table `types` below), its id the attribute's own UUID so a
 * re-import or a feed update gives the same id (and a new `modified` when
 * the attribute changed). A file object's hashes and name, and an ip-port
 * object's addresses and ports, describe one thing: they become one
 * indicator with the object's UUID. The creator organisation (Orgc) becomes
 * an identity, the event a report that lists the indicators. TLP tags and
 * the MISP distribution give the TLP 2.0 marking (docs/misp.md has every
 * rule and why).
 *
 * Every object of an event is built first and only then handed to emit, so
 * an event that fails gives nothing.
 */
#include <arpa/inet.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "core/jerr.h"

#include "alidade/misp.h"
#include "alidade/pattern.h"
#include "alidade/stix.h"
#include "core/uuid.h"

/* created/modified of the identities: an organisation has no date in a
 * MISP event, and a fixed one keeps re-imports from making new versions */
#define IDENTITY_TIME "1970-01-01T00:00:00.000Z"
#define NAME_MAX_BYTES 200

struct ald_misp_conv {
    ald_misp_emit_fn emit;
    ald_misp_warn_fn warn;
    void *ctx;
    struct ald_misp_stats st;
    char (*orgs)[STIX_ID_MAX];       /* identities already written */
    size_t norgs, caporgs;
    bool tlp_done[STIX_TLP_RED + 1];
};

ald_misp_conv *ald_misp_conv_new(ald_misp_emit_fn emit, ald_misp_warn_fn warn, void *ctx)
{
    ald_misp_conv *c = calloc(1, sizeof *c);
    if (!c)
        return NULL;
    c->emit = emit;
    c->warn = warn;
    c->ctx = ctx;
    return c;
}

void ald_misp_conv_free(ald_misp_conv *c)
{
    if (!c)
        return;
    free(c->orgs);
    free(c);
}

const struct ald_misp_stats *ald_misp_conv_stats(const ald_misp_conv *c)
{
    return &c->st;
}

/* ---- small helpers ---- */

__attribute__((format(printf, 3, 4)))
static void errf(struct ald_errpos *err, ald_err code, const char *fmt, ...)
{
    if (!err)
        return;
    memset(err, 0, sizeof *err);
    err->code = code;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err->msg, sizeof err->msg, fmt, ap);
    va_end(ap);
}

static bool is_hex(char c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

/* 8-4-4-4-12 hex digits. */
static bool is_uuid(const char *s)
{
    if (!s || strlen(s) != 36)
        return false;
    for (int i = 0; i < 36; i++) {
        if (i == 8 || i == 13 || i == 18 || i == 23) {
            if (s[i] != '-')
                return false;
        } else if (!is_hex(s[i])) {
            return false;
        }
    }
    return true;
}

/* A UUID STIX accepts in an id: RFC 4122 variant, version 1-5. */
static bool is_stix_uuid(const char *s)
{
    if (!is_uuid(s))
        return false;
    char v = s[14], var = (char)(s[19] | 0x20);
    return v >= '1' && v <= '5' && (var == '8' || var == '9' || var == 'a' || var == 'b');
}

static void lower_copy(char *dst, const char *src, size_t n)
{
    for (size_t i = 0; i < n; i++)
        dst[i] = (char)(src[i] >= 'A' && src[i] <= 'Z' ? src[i] + 32 : src[i]);
    dst[n] = 0;
}

/* type--UUID: the MISP uuid when STIX accepts it, else a UUIDv5 of `name`
 * (alidade's namespace), so the id is the same on every import. */
static void make_id(char out[STIX_ID_MAX], const char *type, const char *uuid,
                    const char *name)
{
    char u[37];
    if (is_stix_uuid(uuid))
        lower_copy(u, uuid, 36);
    else
        ald_uuid5(ald_uuid_ns, name, strlen(name), u);
    snprintf(out, STIX_ID_MAX, "%s--%s", type, u);
}

/* MISP writes booleans as true/false, "1"/"0" or "true"/"false". */
static bool jbool(json_t *v)
{
    if (json_is_boolean(v))
        return json_is_true(v);
    if (json_is_integer(v))
        return json_integer_value(v) != 0;
    const char *s = json_string_value(v);
    return s && (strcmp(s, "1") == 0 || strcmp(s, "true") == 0 || strcmp(s, "True") == 0);
}

/* An integer given as a number or as a decimal string; def when absent. */
static long long jint(json_t *v, long long def)
{
    if (json_is_integer(v))
        return json_integer_value(v);
    const char *s = json_string_value(v);
    if (!s || !*s)
        return def;
    long long n = 0;
    for (; *s; s++) {
        if (*s < '0' || *s > '9' || n > 100000000000000LL)
            return def;
        n = n * 10 + (*s - '0');
    }
    return n;
}

/* Epoch seconds (number or string) into microseconds; STIX_TIME_NONE when
 * absent, zero or beyond year 9999. */
static int64_t jepoch(json_t *v)
{
    long long s = jint(v, 0);
    if (s <= 0 || s > 253402300799LL)
        return STIX_TIME_NONE;
    return (int64_t)s * 1000000;
}

/* ISO 8601 as MISP writes first_seen/last_seen ("2019-06-03T12:34:56.123456
 * +00:00", "...Z", "2019-06-03") into microseconds, STIX_TIME_NONE when it
 * is not one. */
static int64_t iso_time(const char *s)
{
    if (!s)
        return STIX_TIME_NONE;
    size_t n = strlen(s);
    char b[32];
    int64_t us;
    if (n == 10) {
        snprintf(b, sizeof b, "%sT00:00:00Z", s);
        return stix_time_parse(b, strlen(b), &us) ? us : STIX_TIME_NONE;
    }
    if (n < 19 || (s[10] != 'T' && s[10] != ' '))
        return STIX_TIME_NONE;
    memcpy(b, s, 19);
    b[10] = 'T';
    b[19] = 'Z';
    b[20] = 0;
    if (!stix_time_parse(b, 20, &us))
        return STIX_TIME_NONE;
    const char *p = s + 19;
    if (*p == '.') {
        int64_t scale = 100000;
        for (p++; *p >= '0' && *p <= '9'; p++) {
            us += (*p - '0') * scale;
            scale /= 10;
        }
    }
    if (*p == 'Z' && p[1] == 0)
        return us;
    if ((*p == '+' || *p == '-') && strlen(p) >= 3) {
        int sign = *p == '-' ? -1 : 1;
        const char *q = p + 1;
        if (!(q[0] >= '0' && q[0] <= '9' && q[1] >= '0' && q[1] <= '9'))
            return STIX_TIME_NONE;
        int hh = (q[0] - '0') * 10 + (q[1] - '0'), mm = 0;
        q += 2;
        if (*q == ':')
            q++;
        if (q[0] >= '0' && q[0] <= '9' && q[1] >= '0' && q[1] <= '9') {
            mm = (q[0] - '0') * 10 + (q[1] - '0');
            q += 2;
        }
        if (*q || hh > 23 || mm > 59)
            return STIX_TIME_NONE;
        return us - sign * ((int64_t)hh * 3600 + mm * 60) * 1000000;
    }
    return *p == 0 ? us : STIX_TIME_NONE;
}

/* STIX timestamp with milliseconds (the precision STIX 2.1 asks of
 * created/modified). */
static json_t *jtime(int64_t us)
{
    char t[STIX_TIME_TEXT];
    size_t n = stix_time_format(us - ((us % 1000) + 1000) % 1000, t);
    if (n < 5)
        return NULL;
    /* "YYYY-MM-DDTHH:MM:SS.ssssssZ" -> "...SS.sssZ" */
    t[n - 4] = 'Z';
    t[n - 3] = 0;
    return json_string(t);
}

/* ---- growable text for patterns ---- */

struct buf {
    char *p;
    size_t n, cap;
    bool oom;
    char why[128];   /* a reason built at run time (comparison returns it) */
};

static void bput(struct buf *b, const char *s, size_t n)
{
    if (b->oom)
        return;
    if (b->n + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 256;
        while (cap < b->n + n + 1)
            cap *= 2;
        char *np = realloc(b->p, cap);
        if (!np) {
            b->oom = true;
            return;
        }
        b->p = np;
        b->cap = cap;
    }
    memcpy(b->p + b->n, s, n);
    b->n += n;
    b->p[b->n] = 0;
}

static void bputs(struct buf *b, const char *s)
{
    bput(b, s, strlen(s));
}

/* A STIX pattern string literal: quotes, with ' and \ escaped. */
static void bquote(struct buf *b, const char *v, size_t n)
{
    bput(b, "'", 1);
    size_t start = 0;
    for (size_t i = 0; i < n; i++) {
        if (v[i] == '\'' || v[i] == '\\') {
            bput(b, v + start, i - start);
            bput(b, "\\", 1);
            start = i;
        }
    }
    bput(b, v + start, n - start);
    bput(b, "'", 1);
}

/* `path = 'value'` */
static void bcmp_str(struct buf *b, const char *path, const char *v, size_t n)
{
    bputs(b, path);
    bputs(b, " = ");
    bquote(b, v, n);
}

/* ---- value checks ---- */

static bool no_space_or_ctl(const char *v, size_t n)
{
    if (n == 0)
        return false;
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)v[i] <= ' ' || v[i] == 0x7f)
            return false;
    return true;
}

/* An IPv4 or IPv6 address, optionally with a /prefix; *v6 tells which. */
static bool valid_ip(const char *v, size_t n, bool *v6)
{
    char b[64];
    const char *slash = memchr(v, '/', n);
    size_t alen = slash ? (size_t)(slash - v) : n;
    if (alen == 0 || alen >= sizeof b)
        return false;
    memcpy(b, v, alen);
    b[alen] = 0;
    unsigned char a[16];
    unsigned max;
    if (inet_pton(AF_INET, b, a) == 1) {
        *v6 = false;
        max = 32;
    } else if (inet_pton(AF_INET6, b, a) == 1) {
        *v6 = true;
        max = 128;
    } else {
        return false;
    }
    if (!slash)
        return true;
    size_t plen = n - alen - 1;
    if (plen == 0 || plen > 3)
        return false;
    unsigned bits = 0;
    for (size_t i = 0; i < plen; i++) {
        if (slash[1 + i] < '0' || slash[1 + i] > '9')
            return false;
        bits = bits * 10 + (unsigned)(slash[1 + i] - '0');
    }
    return bits <= max;
}

static bool valid_domain(const char *v, size_t n)
{
    if (n == 0 || n > 253 || v[0] == '.' || v[0] == '-')
        return false;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)v[i];
        bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                  c == '-' || c == '_' || c == '.' || c >= 0x80;
        if (!ok || (c == '.' && i > 0 && v[i - 1] == '.'))
            return false;
    }
    return true;
}

static bool valid_port(const char *v, size_t n, unsigned *port)
{
    if (n == 0 || n > 5)
        return false;
    unsigned p = 0;
    for (size_t i = 0; i < n; i++) {
        if (v[i] < '0' || v[i] > '9')
            return false;
        p = p * 10 + (unsigned)(v[i] - '0');
    }
    *port = p;
    return p <= 65535;
}

/* hexlen 0: any run of letters and digits (TLSH "T1..."). */
static bool valid_hex(const char *v, size_t n, unsigned hexlen)
{
    if (n == 0 || (hexlen && n != hexlen))
        return false;
    for (size_t i = 0; i < n; i++) {
        bool ok = hexlen ? is_hex(v[i])
                         : (is_hex(v[i]) || (v[i] >= 'g' && v[i] <= 'z') ||
                            (v[i] >= 'G' && v[i] <= 'Z'));
        if (!ok)
            return false;
    }
    return true;
}

static bool valid_email(const char *v, size_t n)
{
    const char *at = memchr(v, '@', n);
    return no_space_or_ctl(v, n) && at && at > v && at < v + n - 1 &&
           !memchr(at + 1, '@', (size_t)(v + n - at - 1));
}

/* ---- MISP types ---- */

enum shape {
    S_IP,          /* ip-src, ip-dst */
    S_IP_PORT,     /* ip-src|port, ip-dst|port */
    S_DOMAIN,      /* domain, hostname */
    S_DOMAIN_IP,   /* domain|ip */
    S_HOST_PORT,   /* hostname|port */
    S_URL,
    S_EMAIL,
    S_TEXT,        /* any non-empty text at `path` */
    S_HEX,         /* hex digits (hexlen of them) at `path`, lower-cased */
    S_SSDEEP,
    S_FILE_HASH,   /* filename|<hash> */
    S_AS,
    S_REGKEY_VALUE,
    S_MAC,
    S_PORT,
    S_FOREIGN,     /* a rule in another pattern language (path: pattern_type) */
    S_STIX,        /* a STIX pattern already (checked with lib/pattern) */
};

struct mtype {
    const char *type;
    enum shape sh;
    const char *path;
    unsigned hexlen;
    char role;     /* 's' source, 'd' destination (addresses, ports) */
};

static const struct mtype types[] = {
    {"ip-src", S_IP, NULL, 0, 's'},
    {"ip-dst", S_IP, NULL, 0, 'd'},
    {"ip-src|port", S_IP_PORT, NULL, 0, 's'},
    {"ip-dst|port", S_IP_PORT, NULL, 0, 'd'},
    {"domain", S_DOMAIN, NULL, 0, 0},
    {"hostname", S_DOMAIN, NULL, 0, 0},
    {"domain|ip", S_DOMAIN_IP, NULL, 0, 0},
    {"hostname|port", S_HOST_PORT, NULL, 0, 'd'},
    {"url", S_URL, NULL, 0, 0},
    {"uri", S_URL, NULL, 0, 0},
    {"link", S_URL, NULL, 0, 0},
    {"email", S_EMAIL, NULL, 0, 0},
    {"email-src", S_EMAIL, NULL, 0, 0},
    {"email-dst", S_EMAIL, NULL, 0, 0},
    {"email-reply-to", S_EMAIL, NULL, 0, 0},
    {"target-email", S_EMAIL, NULL, 0, 0},
    {"whois-registrant-email", S_EMAIL, NULL, 0, 0},
    {"email-subject", S_TEXT, "email-message:subject", 0, 0},
    {"email-attachment", S_TEXT, "email-message:body_multipart[*].body_raw_ref.name", 0, 0},
    {"md5", S_HEX, "file:hashes.MD5", 32, 0},
    {"sha1", S_HEX, "file:hashes.'SHA-1'", 40, 0},
    {"sha256", S_HEX, "file:hashes.'SHA-256'", 64, 0},
    {"sha512", S_HEX, "file:hashes.'SHA-512'", 128, 0},
    {"sha3-256", S_HEX, "file:hashes.'SHA3-256'", 64, 0},
    {"sha3-512", S_HEX, "file:hashes.'SHA3-512'", 128, 0},
    {"tlsh", S_HEX, "file:hashes.TLSH", 0, 0},
    {"ssdeep", S_SSDEEP, "file:hashes.SSDEEP", 0, 0},
    {"imphash", S_HEX, "file:extensions.'windows-pebinary-ext'.imphash", 32, 0},
    {"filename", S_TEXT, "file:name", 0, 0},
    {"filename|md5", S_FILE_HASH, "file:hashes.MD5", 32, 0},
    {"filename|sha1", S_FILE_HASH, "file:hashes.'SHA-1'", 40, 0},
    {"filename|sha256", S_FILE_HASH, "file:hashes.'SHA-256'", 64, 0},
    {"filename|sha512", S_FILE_HASH, "file:hashes.'SHA-512'", 128, 0},
    {"AS", S_AS, NULL, 0, 0},
    {"x509-fingerprint-md5", S_HEX, "x509-certificate:hashes.MD5", 32, 0},
    {"x509-fingerprint-sha1", S_HEX, "x509-certificate:hashes.'SHA-1'", 40, 0},
    {"x509-fingerprint-sha256", S_HEX, "x509-certificate:hashes.'SHA-256'", 64, 0},
    {"regkey", S_TEXT, "windows-registry-key:key", 0, 0},
    {"regkey|value", S_REGKEY_VALUE, NULL, 0, 0},
    {"mutex", S_TEXT, "mutex:name", 0, 0},
    {"mac-address", S_MAC, NULL, 0, 0},
    {"user-agent", S_TEXT,
     "network-traffic:extensions.'http-request-ext'.request_header.'User-Agent'", 0, 0},
    {"http-method", S_TEXT, "network-traffic:extensions.'http-request-ext'.request_method", 0, 0},
    {"port", S_PORT, NULL, 0, 'd'},
    {"snort", S_FOREIGN, "snort", 0, 0},
    {"yara", S_FOREIGN, "yara", 0, 0},
    {"sigma", S_FOREIGN, "sigma", 0, 0},
    {"stix2-pattern", S_STIX, "stix", 0, 0},
};

static const struct mtype *mtype_of(const char *t)
{
    if (!t)
        return NULL;
    for (size_t i = 0; i < sizeof types / sizeof types[0]; i++)
        if (strcmp(types[i].type, t) == 0)
            return &types[i];
    return NULL;
}

/* The comparison(s) of one attribute value, without brackets, appended to
 * b; NULL, or the reason the value is not valid for its type. */
static const char *comparison(struct buf *b, const struct mtype *m, const char *v, size_t n)
{
    bool v6;
    unsigned port;
    const char *bar;
    switch (m->sh) {
    case S_IP:
        if (!valid_ip(v, n, &v6))
            return "not an IPv4 or IPv6 address (or CIDR)";
        bcmp_str(b, v6 ? "ipv6-addr:value" : "ipv4-addr:value", v, n);
        return NULL;
    case S_IP_PORT:
    case S_HOST_PORT: {
        bar = NULL;
        for (size_t i = n; i-- > 0;)
            if (v[i] == '|') {
                bar = v + i;
                break;
            }
        if (!bar)
            return "no '|' between address and port";
        size_t an = (size_t)(bar - v);
        if (m->sh == S_IP_PORT ? !valid_ip(v, an, &v6) : !valid_domain(v, an))
            return m->sh == S_IP_PORT ? "not an IP address before '|'"
                                      : "not a host name before '|'";
        if (!valid_port(bar + 1, n - an - 1, &port))
            return "not a port (0-65535) after '|'";
        bcmp_str(b, m->role == 's' ? "network-traffic:src_ref.value"
                                   : "network-traffic:dst_ref.value", v, an);
        char t[64];
        snprintf(t, sizeof t, " AND network-traffic:%s_port = %u", m->role == 's' ? "src" : "dst",
                 port);
        bputs(b, t);
        return NULL;
    }
    case S_DOMAIN:
        if (!valid_domain(v, n))
            return "not a domain name";
        bcmp_str(b, "domain-name:value", v, n);
        return NULL;
    case S_DOMAIN_IP: {
        bar = memchr(v, '|', n);
        if (!bar)
            return "no '|' between domain and address";
        size_t dn = (size_t)(bar - v);
        if (!valid_domain(v, dn))
            return "not a domain name before '|'";
        if (!valid_ip(bar + 1, n - dn - 1, &v6))
            return "not an IP address after '|'";
        bcmp_str(b, "domain-name:value", v, dn);
        bputs(b, " AND ");
        bcmp_str(b, "domain-name:resolves_to_refs[*].value", bar + 1, n - dn - 1);
        return NULL;
    }
    case S_URL:
        if (!no_space_or_ctl(v, n))
            return "empty, or spaces or control characters in a URL";
        bcmp_str(b, "url:value", v, n);
        return NULL;
    case S_EMAIL:
        if (!valid_email(v, n))
            return "not an e-mail address";
        bcmp_str(b, "email-addr:value", v, n);
        return NULL;
    case S_TEXT:
        if (n == 0)
            return "empty value";
        bcmp_str(b, m->path, v, n);
        return NULL;
    case S_HEX:
    case S_FILE_HASH: {
        const char *h = v, *name = NULL;
        size_t hn = n, nn = 0;
        if (m->sh == S_FILE_HASH) {
            bar = NULL;
            for (size_t i = n; i-- > 0;)
                if (v[i] == '|') {
                    bar = v + i;
                    break;
                }
            if (!bar || bar == v)
                return "no file name and '|' before the hash";
            name = v;
            nn = (size_t)(bar - v);
            h = bar + 1;
            hn = n - nn - 1;
        }
        if (!valid_hex(h, hn, m->hexlen))
            return m->hexlen ? "not a hash of the right length (hex digits)"
                             : "not a hash (letters and digits)";
        char *low = malloc(hn + 1);
        if (!low) {
            b->oom = true;
            return NULL;
        }
        /* hex digits in lower case (the usual spelling in logs); TLSH keeps
         * its own ("T1" version prefix) */
        if (m->hexlen) {
            lower_copy(low, h, hn);
        } else {
            memcpy(low, h, hn);
            low[hn] = 0;
        }
        if (name) {
            bcmp_str(b, "file:name", name, nn);
            bputs(b, " AND ");
        }
        bcmp_str(b, m->path, low, hn);
        free(low);
        return NULL;
    }
    case S_SSDEEP: {
        const char *c1 = memchr(v, ':', n);
        if (!no_space_or_ctl(v, n) || !c1 || !memchr(c1 + 1, ':', (size_t)(v + n - c1 - 1)))
            return "not an ssdeep hash (blocksize:hash:hash)";
        bcmp_str(b, m->path, v, n);
        return NULL;
    }
    case S_AS: {
        const char *d = v;
        size_t dn = n;
        if (dn >= 2 && (d[0] == 'A' || d[0] == 'a') && (d[1] == 'S' || d[1] == 's')) {
            d += 2;
            dn -= 2;
        }
        unsigned long long as = 0;
        if (dn == 0 || dn > 10)
            return "not an AS number";
        for (size_t i = 0; i < dn; i++) {
            if (d[i] < '0' || d[i] > '9')
                return "not an AS number";
            as = as * 10 + (unsigned)(d[i] - '0');
        }
        if (as > 4294967295ULL)
            return "AS number above 4294967295";
        char t[64];
        snprintf(t, sizeof t, "autonomous-system:number = %llu", as);
        bputs(b, t);
        return NULL;
    }
    case S_REGKEY_VALUE:
        bar = memchr(v, '|', n);
        if (!bar || bar == v)
            return "no key and '|' before the value";
        bcmp_str(b, "windows-registry-key:key", v, (size_t)(bar - v));
        bputs(b, " AND ");
        bcmp_str(b, "windows-registry-key:values[*].data", bar + 1, (size_t)(v + n - bar - 1));
        return NULL;
    case S_MAC: {
        char mac[18];
        if (n != 17)
            return "not a MAC address (6 hex pairs)";
        for (size_t i = 0; i < 17; i++) {
            if (i % 3 == 2) {
                if (v[i] != ':' && v[i] != '-')
                    return "not a MAC address (6 hex pairs)";
                mac[i] = ':';
            } else {
                if (!is_hex(v[i]))
                    return "not a MAC address (6 hex pairs)";
                mac[i] = (char)(v[i] >= 'A' && v[i] <= 'F' ? v[i] + 32 : v[i]);
            }
        }
        bcmp_str(b, "mac-addr:value", mac, 17);
        return NULL;
    }
    case S_PORT: {
        if (!valid_port(v, n, &port))
            return "not a port (0-65535)";
        char t[64];
        snprintf(t, sizeof t, "network-traffic:%s_port = %u", m->role == 's' ? "src" : "dst",
                 port);
        bputs(b, t);
        return NULL;
    }
    case S_FOREIGN:
        if (n == 0)
            return "empty rule";
        bput(b, v, n);
        return NULL;
    case S_STIX: {
        ald_pattern *p = NULL;
        struct ald_errpos pe;
        ald_err e = ald_pattern_parse(v, n, &p, &pe);
        ald_pattern_free(p);
        if (e == ALD_E_NOMEM) {
            b->oom = true;
            return NULL;
        }
        if (e != ALD_E_OK) {
            snprintf(b->why, sizeof b->why, "not a valid STIX 2.1 pattern: column %u: %.80s",
                     pe.col, pe.msg);
            return b->why;
        }
        bput(b, v, n);
        return NULL;
    }
    }
    return "unknown type";
}

/* ---- one event ---- */

struct ev {
    ald_misp_conv *c;
    json_t *e;
    char uuid[37];               /* event uuid as given (lower-cased), or "" */
    char ident[STIX_ID_MAX];     /* created_by_ref, "" without Orgc */
    json_t *identity;            /* to write when new */
    int64_t date_us, ts_us, pub_us;
    int dist;                    /* 0-4, -1 unknown */
    int tlp;                     /* from the event's tags, STIX_TLP_NONE */
    json_t *labels;              /* the event's other tags */
    json_t *objs;                /* indicators built so far */
    json_t *refs;                /* their ids, for the report */
    bool need_tlp[STIX_TLP_RED + 1];
    bool oom;
};

/* The TLP level a tag names, STIX_TLP_NONE if it is not a TLP tag. */
static int tag_tlp(const char *t)
{
    static const struct {
        const char *tag;
        int tlp;
    } m[] = {
        {"tlp:white", STIX_TLP_CLEAR}, {"tlp:clear", STIX_TLP_CLEAR},
        {"tlp:green", STIX_TLP_GREEN}, {"tlp:amber", STIX_TLP_AMBER},
        {"tlp:amber+strict", STIX_TLP_AMBER_STRICT}, {"tlp:red", STIX_TLP_RED},
    };
    for (size_t i = 0; i < sizeof m / sizeof m[0]; i++)
        if (strcasecmp(t, m[i].tag) == 0)
            return m[i].tlp;
    return STIX_TLP_NONE;
}

/* Tag names of an event or attribute: "Tag": [{"name": ...}] or, in some
 * exports, "EventTag": [{"Tag": {"name": ...}}]. Calls fn for each. */
static void each_tag(json_t *o, void (*fn)(void *, const char *), void *ctx)
{
    size_t i;
    json_t *t;
    json_array_foreach(json_object_get(o, "Tag"), i, t) {
        const char *n = json_string_value(json_object_get(t, "name"));
        if (n && *n)
            fn(ctx, n);
    }
    json_array_foreach(json_object_get(o, "EventTag"), i, t) {
        const char *n = json_string_value(json_object_get(json_object_get(t, "Tag"), "name"));
        if (n && *n)
            fn(ctx, n);
    }
    json_array_foreach(json_object_get(o, "AttributeTag"), i, t) {
        const char *n = json_string_value(json_object_get(json_object_get(t, "Tag"), "name"));
        if (n && *n)
            fn(ctx, n);
    }
}

struct tagacc {
    int tlp;
    json_t *labels;
    bool oom;
};

static void add_label(json_t *labels, const char *s, bool *oom)
{
    size_t i;
    json_t *l;
    json_array_foreach(labels, i, l) {
        if (strcmp(json_string_value(l), s) == 0)
            return;
    }
    if (json_array_append_new(labels, json_string(s)) != 0)
        *oom = true;
}

static void tag_cb(void *ctx, const char *name)
{
    struct tagacc *a = ctx;
    int t = tag_tlp(name);
    if (t != STIX_TLP_NONE) {
        if (t > a->tlp)
            a->tlp = t;
    } else {
        add_label(a->labels, name, &a->oom);
    }
}

/* The TLP a MISP distribution asks for: 0 (this organisation only) and 4
 * (a sharing group: named organisations only) are AMBER+STRICT, 1 (this
 * community only) AMBER; 2 and 3 (connected communities, all) add nothing. */
static int dist_tlp(int d)
{
    return d == 0 || d == 4 ? STIX_TLP_AMBER_STRICT : d == 1 ? STIX_TLP_AMBER : STIX_TLP_NONE;
}

static int jdist(json_t *v)
{
    long long d = jint(v, -1);
    return d >= 0 && d <= 4 ? (int)d : -1;
}

static void warn(struct ev *x, json_t *a, const char *type, const char *v, const char *why)
{
    if (!x->c->warn)
        return;
    const char *u = json_string_value(json_object_get(a, "uuid"));
    char where[256];
    snprintf(where, sizeof where, "event %s: attribute %s: %s '%.80s'", x->uuid[0] ? x->uuid : "?",
             u ? u : "(no uuid)", type ? type : "(no type)", v ? v : "");
    x->c->warn(x->c->ctx, where, why);
}

static void count_unmapped(struct ald_misp_stats *st, const char *type)
{
    st->skip_unmapped++;
    for (size_t i = 0; i < st->nunmapped; i++)
        if (strcmp(st->unmapped[i].type, type) == 0) {
            st->unmapped[i].n++;
            return;
        }
    if (st->nunmapped < ALD_MISP_UNMAPPED_MAX && strlen(type) < sizeof st->unmapped[0].type) {
        snprintf(st->unmapped[st->nunmapped].type, sizeof st->unmapped[0].type, "%s", type);
        st->unmapped[st->nunmapped++].n = 1;
    } else {
        st->unmapped_other++;
    }
}

/* A name at most NAME_MAX_BYTES long, cut at a UTF-8 character boundary. */
static json_t *short_name(const char *prefix, const char *v)
{
    char b[NAME_MAX_BYTES + 8];
    int n = snprintf(b, NAME_MAX_BYTES + 1, "%s%s", prefix, v);
    if (n > NAME_MAX_BYTES) {
        size_t k = NAME_MAX_BYTES;
        while (k > 0 && ((unsigned char)b[k] & 0xc0) == 0x80)
            k--;
        b[k] = 0;
    }
    return json_string(b);
}

/* What one indicator is made of. */
struct ind {
    const char *uuid;          /* MISP uuid (attribute or object) */
    const char *id_name;       /* name for the UUIDv5 when uuid is unusable */
    const char *name;          /* STIX name text */
    const char *comment;
    const char *pattern;
    const char *pattern_type;  /* "stix", "snort", ... */
    int64_t ts_us, first_us, last_us;
    int tlp, dist;
    json_t *labels;            /* this attribute's tags (borrowed) */
    const char *misp_type, *category;
};

static void add_indicator(struct ev *x, const struct ind *in)
{
    json_t *o = json_object();
    char id[STIX_ID_MAX];
    make_id(id, "indicator", in->uuid, in->id_name);
    int64_t created = x->date_us != STIX_TIME_NONE ? x->date_us : in->ts_us;
    if (created == STIX_TIME_NONE)
        created = 0;
    int64_t modified = in->ts_us != STIX_TIME_NONE && in->ts_us > created ? in->ts_us : created;
    int64_t from = in->first_us != STIX_TIME_NONE ? in->first_us
                   : in->ts_us != STIX_TIME_NONE  ? in->ts_us
                                                  : created;
    bool stix = strcmp(in->pattern_type, "stix") == 0;
    int err = !o;
    if (o) {
        err |= json_object_set_new(o, "type", json_string("indicator"));
        err |= json_object_set_new(o, "spec_version", json_string("2.1"));
        err |= json_object_set_new(o, "id", json_string(id));
        if (x->ident[0])
            err |= json_object_set_new(o, "created_by_ref", json_string(x->ident));
        err |= json_object_set_new(o, "created", jtime(created));
        err |= json_object_set_new(o, "modified", jtime(modified));
        err |= json_object_set_new(o, "name", short_name("", in->name));
        if (in->comment && *in->comment)
            err |= json_object_set_new(o, "description", json_string(in->comment));
        json_t *it = json_array();
        err |= json_array_append_new(it, json_string("malicious-activity"));
        err |= json_object_set_new(o, "indicator_types", it);
        err |= json_object_set_new(o, "pattern", json_string(in->pattern));
        err |= json_object_set_new(o, "pattern_type", json_string(in->pattern_type));
        if (stix)
            err |= json_object_set_new(o, "pattern_version", json_string("2.1"));
        err |= json_object_set_new(o, "valid_from", jtime(from));
        if (in->last_us != STIX_TIME_NONE && in->last_us / 1000 > from / 1000)
            err |= json_object_set_new(o, "valid_until", jtime(in->last_us));
        json_t *labels = json_array();
        bool oom = !labels;
        size_t i;
        json_t *l;
        json_array_foreach(x->labels, i, l) add_label(labels, json_string_value(l), &oom);
        json_array_foreach(in->labels, i, l) add_label(labels, json_string_value(l), &oom);
        char t[128];
        if (in->misp_type) {
            snprintf(t, sizeof t, "misp:type=\"%.100s\"", in->misp_type);
            add_label(labels, t, &oom);
        }
        if (in->category && *in->category) {
            snprintf(t, sizeof t, "misp:category=\"%.100s\"", in->category);
            add_label(labels, t, &oom);
        }
        err |= oom;
        err |= json_object_set_new(o, "labels", labels);
        int tlp = in->tlp > dist_tlp(in->dist) ? in->tlp : dist_tlp(in->dist);
        if (tlp != STIX_TLP_NONE) {
            json_t *m = json_array();
            err |= json_array_append_new(m, json_string(stix_tlp_id((enum stix_tlp)tlp)));
            err |= json_object_set_new(o, "object_marking_refs", m);
            x->need_tlp[tlp] = true;
        }
        if (in->dist >= 0)
            err |= json_object_set_new(o, "x_misp_distribution", json_integer(in->dist));
    }
    if (err || json_array_append_new(x->objs, o) != 0 ||
        json_array_append_new(x->refs, json_string(id)) != 0) {
        x->oom = true;
        return;
    }
    x->c->st.indicators++;
}

/* Common facts of an attribute (or object) for an indicator. */
static void ind_init(struct ev *x, struct ind *in, json_t *a, json_t *parent, struct tagacc *tags)
{
    memset(in, 0, sizeof *in);
    in->uuid = json_string_value(json_object_get(a, "uuid"));
    in->comment = json_string_value(json_object_get(a, "comment"));
    in->category = json_string_value(json_object_get(a, "category"));
    in->ts_us = jepoch(json_object_get(a, "timestamp"));
    if (in->ts_us == STIX_TIME_NONE && parent)
        in->ts_us = jepoch(json_object_get(parent, "timestamp"));
    if (in->ts_us == STIX_TIME_NONE)
        in->ts_us = x->ts_us;
    in->first_us = iso_time(json_string_value(json_object_get(a, "first_seen")));
    in->last_us = iso_time(json_string_value(json_object_get(a, "last_seen")));
    in->dist = jdist(json_object_get(a, "distribution"));
    if (in->dist < 0 && parent)
        in->dist = jdist(json_object_get(parent, "distribution"));
    if (in->dist < 0)
        in->dist = x->dist;
    tags->tlp = STIX_TLP_NONE;
    tags->labels = json_array();
    tags->oom = !tags->labels;
    each_tag(a, tag_cb, tags);
    in->tlp = tags->tlp > x->tlp ? tags->tlp : x->tlp;
    in->labels = tags->labels;
    x->oom |= tags->oom;
}

/* The UUIDv5 name of an indicator whose MISP uuid is missing or unusable:
 * the event, the type and the value. */
static void id_name(char *out, size_t cap, struct ev *x, const char *kind, const char *type,
                    const char *v)
{
    snprintf(out, cap, "misp|%s|%s|%s|%s", kind, x->uuid, type ? type : "", v ? v : "");
}

/* One attribute on its own: the checks in order deleted, to_ids, type,
 * value. */
static void do_attribute(struct ev *x, json_t *a, json_t *parent)
{
    struct ald_misp_stats *st = &x->c->st;
    const char *type = json_string_value(json_object_get(a, "type"));
    const char *v = json_string_value(json_object_get(a, "value"));
    if (jbool(json_object_get(a, "deleted"))) {
        st->skip_deleted++;
        return;
    }
    if (!jbool(json_object_get(a, "to_ids"))) {
        st->skip_not_ids++;
        return;
    }
    const struct mtype *m = mtype_of(type);
    if (!m) {
        count_unmapped(st, type ? type : "(no type)");
        return;
    }
    if (!v) {
        st->skip_invalid++;
        warn(x, a, type, "", "no value (or not a string)");
        return;
    }
    struct buf b = {0};
    bool whole = m->sh == S_FOREIGN || m->sh == S_STIX;   /* the value is the pattern */
    if (!whole)
        bputs(&b, "[");
    const char *why = comparison(&b, m, v, json_string_length(json_object_get(a, "value")));
    if (!whole)
        bputs(&b, "]");
    if (why || b.oom) {
        if (why) {
            st->skip_invalid++;
            warn(x, a, type, v, why);
        } else {
            x->oom = true;
        }
        free(b.p);
        return;
    }
    struct ind in;
    struct tagacc tags;
    ind_init(x, &in, a, parent, &tags);
    char idn[512];
    id_name(idn, sizeof idn, x, "attribute", type, v);
    in.id_name = idn;
    in.name = v;
    in.pattern = b.p;
    in.pattern_type = m->sh == S_FOREIGN ? m->path : "stix";   /* S_STIX: path "stix" */
    in.misp_type = type;
    add_indicator(x, &in);
    json_decref(tags.labels);
    free(b.p);
}

/* Which attributes of a file or ip-port object fold into one indicator.
 * file: to_ids hashes (any of them identifies the file: OR) and to_ids
 * name and size (AND). ip-port: to_ids addresses (OR) with every port of
 * the object (AND), only when there are both. */
static bool foldable(const char *obj, json_t *a, bool *is_port)
{
    const char *type = json_string_value(json_object_get(a, "type"));
    const char *rel = json_string_value(json_object_get(a, "object_relation"));
    const struct mtype *m = mtype_of(type);
    *is_port = false;
    if (!m || jbool(json_object_get(a, "deleted")))
        return false;
    if (strcmp(obj, "file") == 0) {
        if (!jbool(json_object_get(a, "to_ids")))
            return false;
        return (m->sh == S_HEX && strncmp(m->path, "file:hashes.", 12) == 0) ||
               m->sh == S_SSDEEP || strcmp(type, "filename") == 0;
    }
    if (m->sh == S_PORT && rel && (strcmp(rel, "dst-port") == 0 || strcmp(rel, "src-port") == 0)) {
        *is_port = true;
        return true;
    }
    return m->sh == S_IP && jbool(json_object_get(a, "to_ids"));
}

/* A file or ip-port object: one indicator when at least two of its
 * attributes fold together; the others (and all of them otherwise) one by
 * one. */
static void do_object(struct ev *x, json_t *o)
{
    struct ald_misp_stats *st = &x->c->st;
    json_t *attrs = json_object_get(o, "Attribute");
    const char *name = json_string_value(json_object_get(o, "name"));
    size_t i;
    json_t *a;
    if (jbool(json_object_get(o, "deleted"))) {
        st->attributes += json_array_size(attrs);
        st->skip_deleted += json_array_size(attrs);
        return;
    }
    bool fold = name && (strcmp(name, "file") == 0 || strcmp(name, "ip-port") == 0);
    size_t nf = 0, nports = 0, nmain = 0;
    bool port;
    if (fold) {
        json_array_foreach(attrs, i, a) {
            if (json_is_object(a) && foldable(name, a, &port)) {
                nf++;
                nports += port;
                nmain += !port;
            }
        }
        bool ipport = strcmp(name, "ip-port") == 0;
        fold = ipport ? nmain >= 1 && nports >= 1 : nf >= 2;
    }
    unsigned char *used = fold ? calloc(json_array_size(attrs) + 1, 1) : NULL;
    if (fold && !used) {
        x->oom = true;
        return;
    }
    if (fold) {
        /* terms: file -> name AND size AND (hash OR hash...), ip-port ->
         * (address OR ...) AND (port OR ...) */
        struct buf and_terms = {0}, or_terms = {0}, ports = {0};
        const char *first_v = NULL;
        size_t folded = 0;
        int64_t ts = STIX_TIME_NONE, first = STIX_TIME_NONE, last = STIX_TIME_NONE;
        json_array_foreach(attrs, i, a) {
            if (!json_is_object(a) || !foldable(name, a, &port))
                continue;
            used[i] = 1;
            st->attributes++;
            const char *type = json_string_value(json_object_get(a, "type"));
            const char *v = json_string_value(json_object_get(a, "value"));
            const struct mtype *m = mtype_of(type);
            struct buf t = {0};
            struct mtype mm = *m;
            const char *why = v ? NULL : "no value (or not a string)";
            if (v) {
                if (strcmp(name, "ip-port") == 0 && m->sh == S_IP) {
                    bool v6;
                    if (!valid_ip(v, strlen(v), &v6))
                        why = "not an IPv4 or IPv6 address (or CIDR)";
                    else
                        bcmp_str(&t, m->role == 's' ? "network-traffic:src_ref.value"
                                                    : "network-traffic:dst_ref.value", v,
                                 strlen(v));
                } else {
                    const char *rel = json_string_value(json_object_get(a, "object_relation"));
                    if (port && rel && strcmp(rel, "src-port") == 0)
                        mm.role = 's';
                    why = comparison(&t, &mm, v, json_string_length(json_object_get(a, "value")));
                }
            }
            if (why) {
                st->skip_invalid++;
                warn(x, a, type, v, why);
                free(t.p);
                continue;
            }
            struct buf *dst = port ? &ports
                              : (m->sh == S_HEX || m->sh == S_SSDEEP || m->sh == S_IP)
                                  ? &or_terms
                                  : &and_terms;
            if (dst->n)
                bputs(dst, dst == &and_terms ? " AND " : " OR ");
            bput(dst, t.p ? t.p : "", t.n);
            x->oom |= t.oom;
            free(t.p);
            folded++;
            if (!first_v)
                first_v = v;
            int64_t ats = jepoch(json_object_get(a, "timestamp"));
            if (ats != STIX_TIME_NONE && (ts == STIX_TIME_NONE || ats > ts))
                ts = ats;
            int64_t f = iso_time(json_string_value(json_object_get(a, "first_seen")));
            int64_t l = iso_time(json_string_value(json_object_get(a, "last_seen")));
            if (f != STIX_TIME_NONE && (first == STIX_TIME_NONE || f < first))
                first = f;
            if (l != STIX_TIME_NONE && (last == STIX_TIME_NONE || l > last))
                last = l;
        }
        bool ipport = strcmp(name, "ip-port") == 0;
        if (folded > 0 && (!ipport || (or_terms.n && ports.n))) {
            struct buf p = {0};
            bputs(&p, "[");
            size_t parts = (and_terms.n > 0) + (or_terms.n > 0) + (ports.n > 0);
            struct buf *seq[3] = {&and_terms, &or_terms, &ports};
            bool any = false;
            for (int k = 0; k < 3; k++) {
                if (!seq[k]->n)
                    continue;
                if (any)
                    bputs(&p, " AND ");
                bool paren = parts > 1 && k > 0 && strstr(seq[k]->p, " OR ");
                if (paren)
                    bputs(&p, "(");
                bput(&p, seq[k]->p, seq[k]->n);
                if (paren)
                    bputs(&p, ")");
                any = true;
            }
            bputs(&p, "]");
            struct ind in;
            struct tagacc tags;
            ind_init(x, &in, o, NULL, &tags);
            if (ts != STIX_TIME_NONE && (in.ts_us == STIX_TIME_NONE || ts > in.ts_us))
                in.ts_us = ts;
            in.first_us = first;
            in.last_us = last;
            char idn[512], nm[64];
            id_name(idn, sizeof idn, x, "object", name, first_v);
            snprintf(nm, sizeof nm, "%s object: ", name);
            json_t *jn = short_name(nm, first_v ? first_v : "");
            in.id_name = idn;
            in.name = json_string_value(jn);
            in.pattern = p.p ? p.p : "";
            in.pattern_type = "stix";
            in.misp_type = NULL;
            in.category = json_string_value(json_object_get(o, "meta-category"));
            x->oom |= p.oom || !jn;
            if (!x->oom) {
                add_indicator(x, &in);
                st->object_indicators++;
            }
            st->combined += folded;
            json_decref(jn);
            json_decref(tags.labels);
            free(p.p);
        } else {
            /* invalid values left too little to fold: nothing folded */
            st->skip_invalid += folded;
        }
        free(and_terms.p);
        free(or_terms.p);
        free(ports.p);
    }
    json_array_foreach(attrs, i, a) {
        if (used && used[i])
            continue;
        st->attributes++;
        if (json_is_object(a))
            do_attribute(x, a, o);
        else
            st->skip_invalid++;
    }
    free(used);
}

static int emit_json(ald_misp_conv *c, json_t *o)
{
    char *s = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
    if (!s)
        return -1;
    int rc = c->emit ? c->emit(c->ctx, s, strlen(s)) : 0;
    free(s);
    return rc ? 1 : 0;
}

/* The creator organisation: identity--UUIDv5("misp-orgc|" + its uuid), or
 * of its name when it has no uuid. */
static void event_identity(struct ev *x)
{
    json_t *org = json_object_get(x->e, "Orgc");
    const char *ou = json_string_value(json_object_get(org, "uuid"));
    const char *on = json_string_value(json_object_get(org, "name"));
    if (!json_is_object(org) || (!is_uuid(ou) && !(on && *on)))
        return;
    char name[320], u[37];
    if (is_uuid(ou)) {
        char low[37];
        lower_copy(low, ou, 36);
        snprintf(name, sizeof name, "misp-orgc|%s", low);
    } else {
        snprintf(name, sizeof name, "misp-orgc-name|%.256s", on);
    }
    ald_uuid5(ald_uuid_ns, name, strlen(name), u);
    snprintf(x->ident, sizeof x->ident, "identity--%s", u);
    for (size_t i = 0; i < x->c->norgs; i++)
        if (strcmp(x->c->orgs[i], x->ident) == 0)
            return;
    json_t *nm = short_name("", on && *on ? on : ou);
    x->identity = json_pack("{s:s, s:s, s:s, s:s, s:s, s:o, s:s}", "type", "identity",
                            "spec_version", "2.1", "id", x->ident, "created", IDENTITY_TIME,
                            "modified", IDENTITY_TIME, "name", nm, "identity_class",
                            "organization");
    if (!x->identity)
        x->oom = true;
}

/* The event object inside a document, NULL when there is none. */
static json_t *event_of(json_t *root)
{
    if (!json_is_object(root))
        return NULL;
    json_t *e = json_object_get(root, "Event");
    if (json_is_object(e))
        return e;
    if (json_object_get(root, "Attribute") || json_object_get(root, "Object") ||
        json_object_get(root, "info"))
        return root;
    return NULL;
}

static ald_err convert_one(ald_misp_conv *c, json_t *e, struct ald_errpos *err)
{
    struct ev x = {.c = c, .e = e, .tlp = STIX_TLP_NONE};
    json_t *attrs = json_object_get(e, "Attribute"), *objects = json_object_get(e, "Object");
    if ((attrs && !json_is_array(attrs)) || (objects && !json_is_array(objects))) {
        errf(err, ALD_E_MISP, "%s is not an array", attrs && !json_is_array(attrs)
                                                         ? "Event.Attribute" : "Event.Object");
        return ALD_E_MISP;
    }
    const char *u = json_string_value(json_object_get(e, "uuid"));
    if (is_uuid(u))
        lower_copy(x.uuid, u, 36);
    const char *date = json_string_value(json_object_get(e, "date"));
    x.date_us = iso_time(date && strlen(date) == 10 ? date : NULL);
    x.ts_us = jepoch(json_object_get(e, "timestamp"));
    x.pub_us = jepoch(json_object_get(e, "publish_timestamp"));
    x.dist = jdist(json_object_get(e, "distribution"));
    struct tagacc tags = {STIX_TLP_NONE, json_array(), false};
    x.labels = tags.labels;
    x.objs = json_array();
    x.refs = json_array();
    x.oom = !x.labels || !x.objs || !x.refs;
    if (!x.oom) {
        each_tag(e, tag_cb, &tags);
        x.tlp = tags.tlp;
        x.oom = tags.oom;
    }
    if (!x.oom)
        event_identity(&x);
    size_t i;
    json_t *a;
    json_array_foreach(attrs, i, a) {
        if (x.oom)
            break;
        c->st.attributes++;
        if (json_is_object(a))
            do_attribute(&x, a, NULL);
        else
            c->st.skip_invalid++;
    }
    json_array_foreach(objects, i, a) {
        if (x.oom)
            break;
        if (json_is_object(a))
            do_object(&x, a);
    }
    /* the report: the event, listing its indicators */
    json_t *report = NULL;
    if (!x.oom && json_array_size(x.refs) > 0) {
        char id[STIX_ID_MAX], idn[64];
        snprintf(idn, sizeof idn, "misp|event|%s", x.uuid);
        make_id(id, "report", u, idn);
        int64_t created = x.date_us != STIX_TIME_NONE ? x.date_us
                          : x.ts_us != STIX_TIME_NONE ? x.ts_us : 0;
        int64_t modified = x.ts_us != STIX_TIME_NONE && x.ts_us > created ? x.ts_us : created;
        int64_t pub = x.pub_us != STIX_TIME_NONE ? x.pub_us : modified;
        const char *info = json_string_value(json_object_get(e, "info"));
        char nm[80];
        snprintf(nm, sizeof nm, "MISP event %s", x.uuid[0] ? x.uuid : "(no uuid)");
        report = json_pack("{s:s, s:s, s:s}", "type", "report", "spec_version", "2.1", "id", id);
        int bad = !report;
        if (report) {
            if (x.ident[0])
                bad |= json_object_set_new(report, "created_by_ref", json_string(x.ident));
            bad |= json_object_set_new(report, "created", jtime(created));
            bad |= json_object_set_new(report, "modified", jtime(modified));
            bad |= json_object_set_new(report, "name", short_name("", info && *info ? info : nm));
            bad |= json_object_set_new(report, "report_types",
                                       json_pack("[s]", "threat-report"));
            bad |= json_object_set_new(report, "published", jtime(pub));
            bad |= json_object_set(report, "object_refs", x.refs);
            if (json_array_size(x.labels))
                bad |= json_object_set(report, "labels", x.labels);
            int t = x.tlp > dist_tlp(x.dist) ? x.tlp : dist_tlp(x.dist);
            if (t != STIX_TLP_NONE) {
                bad |= json_object_set_new(report, "object_marking_refs",
                                           json_pack("[s]", stix_tlp_id((enum stix_tlp)t)));
                x.need_tlp[t] = true;
            }
            if (x.dist >= 0)
                bad |= json_object_set_new(report, "x_misp_distribution", json_integer(x.dist));
        }
        x.oom |= bad;
    }
    ald_err rc = ALD_E_OK;
    if (x.oom) {
        rc = ALD_E_NOMEM;
        errf(err, rc, "out of memory");
        goto out;
    }
    /* written only when the event has something to say */
    bool any = json_array_size(x.objs) > 0;
    for (int t = 0; any && t <= STIX_TLP_RED; t++) {
        if (!x.need_tlp[t] || c->tlp_done[t])
            continue;
        /* the one TLP 2.0 marking-definition writer (lib/stix/tlp.c) */
        char md[512];
        size_t mlen = stix_tlp_definition((enum stix_tlp)t, md, sizeof md);
        int r = mlen == 0 ? -1 : c->emit && c->emit(c->ctx, md, mlen) ? 1 : 0;
        if (r) {
            rc = r < 0 ? ALD_E_NOMEM : ALD_E_IO;
            goto out;
        }
        c->tlp_done[t] = true;
    }
    if (any && x.identity) {
        if (c->norgs == c->caporgs) {
            size_t cap = c->caporgs ? c->caporgs * 2 : 16;
            char (*no)[STIX_ID_MAX] = realloc(c->orgs, cap * sizeof *no);
            if (!no) {
                rc = ALD_E_NOMEM;
                goto out;
            }
            c->orgs = no;
            c->caporgs = cap;
        }
        int r = emit_json(c, x.identity);
        if (r) {
            rc = r < 0 ? ALD_E_NOMEM : ALD_E_IO;
            goto out;
        }
        snprintf(c->orgs[c->norgs++], STIX_ID_MAX, "%s", x.ident);
        c->st.identities++;
    }
    json_array_foreach(x.objs, i, a) {
        int r = emit_json(c, a);
        if (r) {
            rc = r < 0 ? ALD_E_NOMEM : ALD_E_IO;
            goto out;
        }
    }
    if (report) {
        int r = emit_json(c, report);
        if (r) {
            rc = r < 0 ? ALD_E_NOMEM : ALD_E_IO;
            goto out;
        }
        c->st.reports++;
    }
out:
    if (rc == ALD_E_IO)
        errf(err, rc, "output stopped");
    json_decref(report);
    json_decref(x.identity);
    json_decref(x.labels);
    json_decref(x.objs);
    json_decref(x.refs);
    return rc;
}

ald_err ald_misp_convert_event(ald_misp_conv *c, const char *json, size_t len,
                               struct ald_errpos *err)
{
    if (err)
        memset(err, 0, sizeof *err);
    if (!c || !json)
        return ALD_E_ARG;
    json_t *root = ald_json_loadb(json, len, err);
    if (!root) {
        c->st.events_bad++;
        return ALD_E_JSON;
    }
    /* the events of the document */
    json_t *list = NULL;
    if (json_is_array(root))
        list = root;
    else if (json_is_array(json_object_get(root, "response")))
        list = json_object_get(root, "response");
    size_t n = list ? json_array_size(list) : 1, i;
    for (i = 0; i < n; i++) {
        if (!event_of(list ? json_array_get(list, i) : root)) {
            if (list)
                errf(err, ALD_E_MISP, "element %zu is not a MISP event (no \"Event\" member)", i);
            else
                errf(err, ALD_E_MISP, "not a MISP event: no \"Event\" member, nor Attribute, "
                                      "Object or info");
            c->st.events_bad++;
            json_decref(root);
            return ALD_E_MISP;
        }
    }
    /* a document that fails converts nothing: counts are restored */
    struct ald_misp_stats saved = c->st;
    ald_err rc = ALD_E_OK;
    for (i = 0; i < n && rc == ALD_E_OK; i++) {
        rc = convert_one(c, event_of(list ? json_array_get(list, i) : root), err);
        if (rc == ALD_E_OK)
            c->st.events++;
    }
    if (rc == ALD_E_MISP) {
        c->st = saved;
        c->st.events_bad++;
    }
    json_decref(root);
    return rc;
}

ald_err ald_misp_manifest(const char *json, size_t len, ald_misp_uuid_fn cb, void *ctx,
                          struct ald_errpos *err)
{
    if (err)
        memset(err, 0, sizeof *err);
    if (!json || !cb)
        return ALD_E_ARG;
    json_t *root = ald_json_loadb(json, len, err);
    if (!root)
        return ALD_E_JSON;
    ald_err rc = ALD_E_OK;
    if (!json_is_object(root)) {
        errf(err, ALD_E_MISP, "manifest.json is not an object keyed by event uuid");
        rc = ALD_E_MISP;
    }
    const char *k;
    json_t *v;
    /* every key is checked before any is used: event files are named after
     * them, and a key such as "../x" must never become a path */
    json_object_foreach(root, k, v) {
        if (rc != ALD_E_OK)
            break;
        if (!is_uuid(k)) {
            errf(err, ALD_E_MISP, "manifest key '%.40s' is not an event uuid", k);
            rc = ALD_E_MISP;
        }
    }
    json_object_foreach(root, k, v) {
        if (rc != ALD_E_OK)
            break;
        char low[37];
        lower_copy(low, k, 36);
        if (cb(ctx, low) != 0) {
            errf(err, ALD_E_IO, "stopped");
            rc = ALD_E_IO;
        }
    }
    json_decref(root);
    return rc;
}
