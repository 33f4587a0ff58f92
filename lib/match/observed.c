/*
 * observed.c - the STIX 2.1 observed-data of a log record and its SCOs
 * (logparse.h, ald_logrec_observed_data), for the observed_data_refs of a
 * sighting.
 *
 * SCO ids follow STIX 2.1 section 2.9: UUIDv5 in the SCO namespace over the
 * RFC 8785 (JCS) serialisation of the object's ID-contributing properties
 * (ipv4-addr/ipv6-addr/domain-name/url/email-addr: value; file: hashes,
 * name; x509-certificate: hashes, serial_number; network-traffic: src_ref,
 * dst_ref, src_port, dst_port, protocols), with one hash kept from a hashes
 * dictionary as python-stix2 chooses it (MD5, then SHA-1, SHA-256,
 * SHA-512). JCS of these objects is simple: member names are ASCII and are
 * written sorted, integers as digits, strings with only '"', '\\' and
 * control characters escaped (\b \t \n \f \r, else \u00xx) and everything
 * else as UTF-8. The same writer produces the objects themselves, so an
 * object's text and its id always agree.
 *
 * One record gives at most one file (its name with at most one hash of each
 * kind; further hashes of a kind already taken each get a file of their
 * own, as a text line listing several files does) and one certificate (the
 * same rule).
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alidade/logparse.h"
#include "core/uuid.h"

/* STIX 2.1 section 2.9: the namespace of deterministic SCO ids. */
static const uint8_t sco_ns[16] = {0x00, 0xab, 0xed, 0xb4, 0xaa, 0x42, 0x46, 0x6c,
                                   0x9c, 0x01, 0xfe, 0xd2, 0x33, 0x15, 0xa9, 0xb7};

/* ---- a growing text buffer ---- */

typedef struct {
    char *p;
    size_t n, cap;
    bool oom;
} buf;

static void put(buf *b, const char *s, size_t n)
{
    if (b->oom)
        return;
    if (b->cap - b->n < n + 1) {
        size_t nc = b->cap ? b->cap : 1024;
        while (nc - b->n < n + 1)
            nc *= 2;
        char *np = realloc(b->p, nc);
        if (!np) {
            b->oom = true;
            return;
        }
        b->p = np;
        b->cap = nc;
    }
    memcpy(b->p + b->n, s, n);
    b->n += n;
    b->p[b->n] = '\0';
}

#define PUT(b, lit) put((b), (lit), sizeof(lit) - 1)

static void puts_(buf *b, const char *s)
{
    put(b, s, strlen(s));
}

static void putu(buf *b, uint64_t v)
{
    char t[24];
    int k = snprintf(t, sizeof t, "%llu", (unsigned long long)v);
    put(b, t, (size_t)k);
}

/* Length of the valid UTF-8 sequence at s (1-4), 0 when it is not one. */
static size_t utf8_len(const unsigned char *s, size_t n)
{
    unsigned c = s[0];
    if (c < 0x80)
        return 1;
    size_t k;
    unsigned min;
    if (c >= 0xC2 && c <= 0xDF)
        k = 2, min = 0x80;
    else if (c >= 0xE0 && c <= 0xEF)
        k = 3, min = 0x800;
    else if (c >= 0xF0 && c <= 0xF4)
        k = 4, min = 0x10000;
    else
        return 0;
    if (n < k)
        return 0;
    unsigned cp = c & (0x7F >> k);
    for (size_t i = 1; i < k; i++) {
        if ((s[i] & 0xC0) != 0x80)
            return 0;
        cp = cp << 6 | (s[i] & 0x3F);
    }
    if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
        return 0;
    return k;
}

/* A JSON string, quoted, escaped as RFC 8785 wants; bytes that are not
 * UTF-8 become U+FFFD. */
static void jstr(buf *b, const char *s, size_t n)
{
    PUT(b, "\"");
    const unsigned char *u = (const unsigned char *)s;
    size_t i = 0, run = 0;
    while (i < n) {
        unsigned c = u[i];
        if (c >= 0x20 && c != '"' && c != '\\' && c < 0x80) {
            i++;
            run++;
            continue;
        }
        put(b, s + i - run, run);
        run = 0;
        if (c >= 0x80) {
            size_t k = utf8_len(u + i, n - i);
            if (k) {
                put(b, s + i, k);
                i += k;
            } else {
                PUT(b, "\xEF\xBF\xBD");
                i++;
            }
            continue;
        }
        switch (c) {
        case '"': PUT(b, "\\\""); break;
        case '\\': PUT(b, "\\\\"); break;
        case '\b': PUT(b, "\\b"); break;
        case '\t': PUT(b, "\\t"); break;
        case '\n': PUT(b, "\\n"); break;
        case '\f': PUT(b, "\\f"); break;
        case '\r': PUT(b, "\\r"); break;
        default: {
            char t[8];
            snprintf(t, sizeof t, "\\u%04x", c);
            put(b, t, 6);
        }
        }
        i++;
    }
    put(b, s + i - run, run);
    PUT(b, "\"");
}

static void jstrz(buf *b, const char *s)
{
    jstr(b, s, strlen(s));
}

/* ---- time ---- */

/* y-m-d of a day count from 1970-01-01 (the inverse of days_from_civil in
 * logparse.c). */
static void civil(int64_t z, int64_t *y, unsigned *m, unsigned *d)
{
    z += 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    unsigned doe = (unsigned)(z - era * 146097);
    unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    unsigned mp = (5 * doy + 2) / 153;
    *d = doy - (153 * mp + 2) / 5 + 1;
    *m = mp < 10 ? mp + 3 : mp - 9;
    *y = (int64_t)yoe + era * 400 + (*m <= 2);
}

/* "YYYY-MM-DDTHH:MM:SS.fffZ" with 3 decimals (ms_only), else as many as
 * the nanoseconds need (3, 6 or 9). */
static bool stix_ts(int64_t sec, int32_t nsec, bool ms_only, char out[40])
{
    int64_t days = sec / 86400, rem = sec % 86400;
    if (rem < 0)
        rem += 86400, days--;
    int64_t y;
    unsigned m, d;
    civil(days, &y, &m, &d);
    if (y < 0 || y > 9999 || nsec < 0 || nsec > 999999999)
        return false;
    int k = snprintf(out, 40, "%04d-%02u-%02uT%02d:%02d:%02d", (int)y, m, d, (int)(rem / 3600),
                     (int)(rem / 60 % 60), (int)(rem % 60));
    if (ms_only || nsec % 1000000 == 0)
        snprintf(out + k, 40 - (size_t)k, ".%03dZ", nsec / 1000000);
    else if (nsec % 1000 == 0)
        snprintf(out + k, 40 - (size_t)k, ".%06dZ", nsec / 1000);
    else
        snprintf(out + k, 40 - (size_t)k, ".%09dZ", nsec);
    return true;
}

/* ---- SCOs ---- */

typedef struct {
    char id[64];
    buf text;           /* the whole object */
} sco;

typedef struct {
    sco *v;
    size_t n, cap;
    uint32_t *tab;      /* open addressing: index + 1 of an SCO, 0 free;
                           2 * cap slots, so a record of 1,000 addresses
                           does not compare every id with every other */
    bool oom;
} scos;

static size_t id_hash(const char *id)
{
    size_t h = 14695981039346656037u;
    for (; *id; id++)
        h = (h ^ (unsigned char)*id) * 1099511628211u;
    return h;
}

/* Finishes an SCO whose ID-contributing properties are in `contrib` (the
 * JCS text of an object) and whose other members are in `rest` (text
 * starting with ',' or empty): computes the id, writes the object, adds it
 * unless an object of that id is there. Returns its index. */
static size_t sco_add(scos *s, const char *type, const buf *contrib, const buf *members)
{
    if (s->oom || contrib->oom || members->oom) {
        s->oom = true;
        return SIZE_MAX;
    }
    char u[37];
    ald_uuid5(sco_ns, contrib->p, contrib->n, u);
    char id[64];
    snprintf(id, sizeof id, "%s--%s", type, u);
    size_t mask = 2 * s->cap - 1, slot = id_hash(id) & mask;
    if (s->cap) {
        for (; s->tab[slot]; slot = (slot + 1) & mask)
            if (strcmp(s->v[s->tab[slot] - 1].id, id) == 0)
                return s->tab[slot] - 1;
    }
    if (s->n == s->cap) {
        size_t nc = s->cap ? 2 * s->cap : 8;
        sco *nv = realloc(s->v, nc * sizeof *nv);
        uint32_t *nt = nv ? calloc(2 * nc, sizeof *nt) : NULL;
        if (!nt) {
            if (nv)
                s->v = nv;
            s->oom = true;
            return SIZE_MAX;
        }
        s->v = nv;
        s->cap = nc;
        free(s->tab);
        s->tab = nt;
        mask = 2 * nc - 1;
        for (size_t i = 0; i < s->n; i++) {
            size_t k = id_hash(s->v[i].id) & mask;
            while (nt[k])
                k = (k + 1) & mask;
            nt[k] = (uint32_t)(i + 1);
        }
        for (slot = id_hash(id) & mask; nt[slot]; slot = (slot + 1) & mask)
            ;
    }
    s->tab[slot] = (uint32_t)(s->n + 1);
    sco *o = &s->v[s->n];
    memset(o, 0, sizeof *o);
    memcpy(o->id, id, sizeof id);
    PUT(&o->text, "{\"type\":\"");
    puts_(&o->text, type);
    PUT(&o->text, "\",\"spec_version\":\"2.1\",\"id\":\"");
    puts_(&o->text, id);
    PUT(&o->text, "\"");
    put(&o->text, members->p, members->n);
    PUT(&o->text, "}\n");
    if (o->text.oom) {
        free(o->text.p);
        s->oom = true;
        return SIZE_MAX;
    }
    return s->n++;
}

/* An SCO whose only ID-contributing property is value. */
static size_t sco_value(scos *s, const char *type, const char *v, size_t n)
{
    buf c = {0}, m = {0};
    PUT(&c, "{\"value\":");
    jstr(&c, v, n);
    PUT(&c, "}");
    PUT(&m, ",\"value\":");
    jstr(&m, v, n);
    size_t r = sco_add(s, type, &c, &m);
    free(c.p);
    free(m.p);
    return r;
}

/* hashes of a file or certificate: names in JCS order (they are ASCII:
 * "MD5" < "SHA-1" < "SHA-256" < "SHA-512"). */
struct hashes {
    const ald_logfield *h[4];   /* MD5, SHA-1, SHA-256, SHA-512 */
};

static const char *const hash_names[4] = {"MD5", "SHA-1", "SHA-256", "SHA-512"};

static bool hashes_any(const struct hashes *h)
{
    return h->h[0] || h->h[1] || h->h[2] || h->h[3];
}

/* The hashes dictionary: every hash (all) or the one the id uses. */
static void hashes_json(buf *b, const struct hashes *h, bool all)
{
    PUT(b, "{");
    bool first = true;
    for (int i = 0; i < 4; i++) {
        if (!h->h[i])
            continue;
        if (!first)
            PUT(b, ",");
        first = false;
        PUT(b, "\"");
        puts_(b, hash_names[i]);
        PUT(b, "\":");
        jstr(b, h->h[i]->v, h->h[i]->len);
        if (!all)
            break;
    }
    PUT(b, "}");
}

/* file or x509-certificate: hashes and a name/serial_number (`other`,
 * written under `other_key`, which sorts after "hashes"). */
static size_t sco_hashed(scos *s, const char *type, const struct hashes *h,
                         const char *other_key, const ald_logfield *other)
{
    buf c = {0}, m = {0};
    PUT(&c, "{");
    if (hashes_any(h)) {
        PUT(&c, "\"hashes\":");
        hashes_json(&c, h, false);
        PUT(&m, ",\"hashes\":");
        hashes_json(&m, h, true);
    }
    if (other) {
        if (hashes_any(h))
            PUT(&c, ",");
        PUT(&c, "\"");
        puts_(&c, other_key);
        PUT(&c, "\":");
        jstr(&c, other->v, other->len);
        PUT(&m, ",\"");
        puts_(&m, other_key);
        PUT(&m, "\":");
        jstr(&m, other->v, other->len);
    }
    PUT(&c, "}");
    size_t r = sco_add(s, type, &c, &m);
    free(c.p);
    free(m.p);
    return r;
}

static int hash_slot(ald_obs_kind k)
{
    switch (k) {
    case ALD_OBS_MD5: return 0;
    case ALD_OBS_SHA1: case ALD_OBS_X509_SHA1: return 1;
    case ALD_OBS_SHA256: case ALD_OBS_X509_SHA256: return 2;
    case ALD_OBS_SHA512: return 3;
    default: return -1;
    }
}

/* The files (file = true) or certificates of a record. */
static void hashed_objects(scos *s, const ald_logrec *r, bool file)
{
    struct hashes h = {{0}};
    const ald_logfield *other = NULL;
    const char *type = file ? "file" : "x509-certificate";
    const char *key = file ? "name" : "serial_number";
    ald_obs_kind other_kind = file ? ALD_OBS_FILE_NAME : ALD_OBS_X509_SERIAL;
    for (size_t i = 0; i < r->nfields; i++) {
        const ald_logfield *f = &r->fields[i];
        bool mine = file ? (f->kind == ALD_OBS_MD5 || f->kind == ALD_OBS_SHA1 ||
                            f->kind == ALD_OBS_SHA256 || f->kind == ALD_OBS_SHA512)
                         : (f->kind == ALD_OBS_X509_SHA1 || f->kind == ALD_OBS_X509_SHA256);
        if (f->kind == other_kind) {
            if (other) {
                sco_hashed(s, type, &h, key, other);
                memset(&h, 0, sizeof h);
            }
            other = f;
        } else if (mine) {
            int slot = hash_slot(f->kind);
            if (h.h[slot]) {
                sco_hashed(s, type, &h, key, other);
                memset(&h, 0, sizeof h);
                other = NULL;
            }
            h.h[slot] = f;
        }
    }
    if (hashes_any(&h) || other)
        sco_hashed(s, type, &h, key, other);
}

static const char *value_type(ald_obs_kind k)
{
    switch (k) {
    case ALD_OBS_IPV4: return "ipv4-addr";
    case ALD_OBS_IPV6: return "ipv6-addr";
    case ALD_OBS_DOMAIN: return "domain-name";
    case ALD_OBS_URL: return "url";
    case ALD_OBS_EMAIL: return "email-addr";
    default: return NULL;
    }
}

/* A port field as an integer; -1 when it is not one. */
static long port_of(const ald_logfield *f)
{
    if (!f || f->len == 0 || f->len > 5)
        return -1;
    long v = 0;
    for (size_t i = 0; i < f->len; i++) {
        if (f->v[i] < '0' || f->v[i] > '9')
            return -1;
        v = v * 10 + (f->v[i] - '0');
    }
    return v <= 65535 ? v : -1;
}

/* network-traffic of the record's source and destination: ID-contributing
 * members in JCS order: dst_port, dst_ref, protocols, src_port, src_ref. */
static void traffic(scos *s, const ald_logrec *r, size_t src, size_t dst, bool v6)
{
    const ald_logfield *sp = NULL, *dp = NULL;
    for (size_t i = 0; i < r->nfields; i++) {
        if (r->fields[i].kind != ALD_OBS_PORT)
            continue;
        if (r->fields[i].role == ALD_ROLE_SRC && !sp)
            sp = &r->fields[i];
        if (r->fields[i].role == ALD_ROLE_DST && !dp)
            dp = &r->fields[i];
    }
    long spn = port_of(sp), dpn = port_of(dp);
    buf c = {0};
    PUT(&c, "{");
    bool first = true;
#define SEP() do { if (!first) PUT(&c, ","); first = false; } while (0)
    if (dpn >= 0) {
        SEP();
        PUT(&c, "\"dst_port\":");
        putu(&c, (uint64_t)dpn);
    }
    if (dst != SIZE_MAX) {
        SEP();
        PUT(&c, "\"dst_ref\":\"");
        puts_(&c, s->v[dst].id);
        PUT(&c, "\"");
    }
    SEP();
    PUT(&c, "\"protocols\":[");
    puts_(&c, v6 ? "\"ipv6\"" : "\"ipv4\"");
    if (r->proto) {
        PUT(&c, ",");
        jstrz(&c, r->proto);
    }
    PUT(&c, "]");
    if (spn >= 0) {
        SEP();
        PUT(&c, "\"src_port\":");
        putu(&c, (uint64_t)spn);
    }
    if (src != SIZE_MAX) {
        SEP();
        PUT(&c, "\"src_ref\":\"");
        puts_(&c, s->v[src].id);
        PUT(&c, "\"");
    }
#undef SEP
    PUT(&c, "}");
    /* the object's members: the same, in that order (after the common
     * ones); drop the braces */
    buf m = {0};
    if (!c.oom) {
        PUT(&m, ",");
        put(&m, c.p + 1, c.n - 2);
    }
    sco_add(s, "network-traffic", &c, &m);
    free(c.p);
    free(m.p);
}

/* ---- observed-data ---- */

ald_err ald_observed_data_id(const char *identity_id, const char *source_name, uint64_t line_no,
                             char out[ALD_OBSERVED_ID_LEN])
{
    size_t a = identity_id ? strlen(identity_id) : 0, b = source_name ? strlen(source_name) : 0;
    char small[512], *name = small;
    size_t cap = a + b + 64;
    if (cap > sizeof small && !(name = malloc(cap)))
        return ALD_E_NOMEM;
    int k = snprintf(name, cap, "observed-data|%s|%s|%llu", identity_id ? identity_id : "",
                     source_name ? source_name : "", (unsigned long long)line_no);
    char u[37];
    ald_uuid5(ald_uuid_ns, name, (size_t)k, u);
    if (name != small)
        free(name);
    snprintf(out, ALD_OBSERVED_ID_LEN, "observed-data--%s", u);
    return ALD_E_OK;
}

ald_err ald_logrec_observed_data_ex(const ald_logrec *r, const struct ald_observed_opts *o,
                                    char **json_out)
{
    *json_out = NULL;
    char t_ms[40], t_full[40];
    if (r->has_ts) {
        if (!stix_ts(r->ts_sec, r->ts_nsec, true, t_ms) ||
            !stix_ts(r->ts_sec, r->ts_nsec, false, t_full))
            return ALD_E_ARG;
    } else {
        if (!o->now || strlen(o->now) >= sizeof t_ms)
            return ALD_E_ARG;
        snprintf(t_ms, sizeof t_ms, "%s", o->now);
        snprintf(t_full, sizeof t_full, "%s", o->now);
    }
    scos s = {0};
    /* addresses first: network-traffic refers to them */
    size_t src = SIZE_MAX, dst = SIZE_MAX;
    bool v6 = false;
    for (size_t i = 0; i < r->nfields; i++) {
        const ald_logfield *f = &r->fields[i];
        const char *type = value_type(f->kind);
        if (!type || (f->kind != ALD_OBS_IPV4 && f->kind != ALD_OBS_IPV6))
            continue;
        size_t k = sco_value(&s, type, f->v, f->len);
        if (f->role == ALD_ROLE_SRC && src == SIZE_MAX) {
            src = k;
            v6 |= f->kind == ALD_OBS_IPV6;
        }
        if (f->role == ALD_ROLE_DST && dst == SIZE_MAX) {
            dst = k;
            v6 |= f->kind == ALD_OBS_IPV6;
        }
    }
    if (!s.oom && (src != SIZE_MAX || dst != SIZE_MAX))
        traffic(&s, r, src, dst, v6);
    for (size_t i = 0; i < r->nfields; i++) {
        const ald_logfield *f = &r->fields[i];
        const char *type = value_type(f->kind);
        if (type && f->kind != ALD_OBS_IPV4 && f->kind != ALD_OBS_IPV6)
            sco_value(&s, type, f->v, f->len);
    }
    hashed_objects(&s, r, true);
    hashed_objects(&s, r, false);
    ald_err e = ALD_E_OK;
    if (s.oom) {
        e = ALD_E_NOMEM;
        goto out;
    }
    if (s.n == 0) {
        e = ALD_E_NOT_FOUND;
        goto out;
    }
    char id[ALD_OBSERVED_ID_LEN];
    if ((e = ald_observed_data_id(o->identity_id, o->source_name, o->line_no, id)) != ALD_E_OK)
        goto out;
    buf b = {0};
    PUT(&b, "{\"type\":\"observed-data\",\"spec_version\":\"2.1\",\"id\":\"");
    puts_(&b, id);
    PUT(&b, "\"");
    if (o->identity_id) {
        PUT(&b, ",\"created_by_ref\":");
        jstrz(&b, o->identity_id);
    }
    PUT(&b, ",\"created\":\"");
    puts_(&b, t_ms);
    PUT(&b, "\",\"modified\":\"");
    puts_(&b, t_ms);
    PUT(&b, "\",\"first_observed\":\"");
    puts_(&b, t_full);
    PUT(&b, "\",\"last_observed\":\"");
    puts_(&b, t_full);
    PUT(&b, "\",\"number_observed\":1,\"object_refs\":[");
    for (size_t i = 0; i < s.n; i++) {
        if (i)
            PUT(&b, ",");
        PUT(&b, "\"");
        puts_(&b, s.v[i].id);
        PUT(&b, "\"");
    }
    PUT(&b, "]}\n");
    for (size_t i = 0; i < s.n; i++)
        put(&b, s.v[i].text.p, s.v[i].text.n);
    if (b.oom) {
        free(b.p);
        e = ALD_E_NOMEM;
        goto out;
    }
    *json_out = b.p;
out:
    for (size_t i = 0; i < s.n; i++)
        free(s.v[i].text.p);
    free(s.v);
    free(s.tab);
    return e;
}

ald_err ald_logrec_observed_data(const ald_logrec *r, const char *identity_id,
                                 const char *source_name, uint64_t line_no, char **json_out)
{
    struct ald_observed_opts o = {identity_id, source_name, line_no, NULL};
    return ald_logrec_observed_data_ex(r, &o, json_out);
}
