/*
 * log_zeek.c - Zeek logs as records of observables: the ASCII (TSV) writer
 * with its header, and the JSON writer (LogAscii::use_json), one record per
 * line.
 *
 * TSV: "#separator \x09" (the one header line written with a space), then,
 * split at that separator, #set_separator, #empty_field, #unset_field,
 * #path (the log type), #open, #fields, #types, and #close at the end; other
 * '#' lines are comments. Values escape bytes as \xHH and a backslash as
 * "\\"; set[...] and vector[...] columns are split at the set separator
 * before unescaping (a separator inside a value is written \x2c). A new
 * #separator starts a new header (logs concatenated with cat).
 *
 * What is taken is decided per column name and log type once per header
 * (table zmap below), the same for TSV and JSON: ts, proto, id.orig_h/
 * id.resp_h (src/dst addresses), id.orig_p/id.resp_p (ports), dns query and
 * answers, http host and uri (made an absolute URL), ssl server_name and
 * cert_chain_fps, files md5/sha1/sha256/filename, x509 certificate.serial
 * and fingerprint, smtp mailfrom/rcptto/from/to/cc, notice src/dst, and in
 * any log every other address column (TSV: type addr, set[addr],
 * vector[addr]; JSON: the known address names and names ending in "_h").
 * JSON without "_path" and no path from the caller takes every name of the
 * table whatever the log.
 */
#include "match/jscan.h"
#include "match/logpriv.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

enum zact {
    Z_NONE = 0,
    Z_TS,
    Z_PROTO,
    Z_IP_SRC,
    Z_IP_DST,
    Z_PORT_SRC,
    Z_PORT_DST,
    Z_IP,       /* any address column */
    Z_HOST,     /* address or host name (also http host with ":port") */
    Z_URI,      /* http uri: with the host, an absolute URL */
    Z_MD5,
    Z_SHA1,
    Z_SHA256,
    Z_FILE_NAME,
    Z_SERIAL,
    Z_CERT_FP,  /* certificate hash by length: SHA-1 or SHA-256 */
    Z_EMAIL,
};

static const struct zmap {
    const char *path;   /* NULL: every log */
    const char *name;
    uint8_t len;        /* of name */
    uint8_t act;
} zmap[] = {
    {NULL, "ts", sizeof("ts") - 1, Z_TS},
    {NULL, "proto", sizeof("proto") - 1, Z_PROTO},
    {NULL, "id.orig_h", sizeof("id.orig_h") - 1, Z_IP_SRC},
    {NULL, "id.resp_h", sizeof("id.resp_h") - 1, Z_IP_DST},
    {NULL, "id.orig_p", sizeof("id.orig_p") - 1, Z_PORT_SRC},
    {NULL, "id.resp_p", sizeof("id.resp_p") - 1, Z_PORT_DST},
    {"dns", "query", sizeof("query") - 1, Z_HOST},
    {"dns", "answers", sizeof("answers") - 1, Z_HOST},
    {"http", "host", sizeof("host") - 1, Z_HOST},
    {"http", "uri", sizeof("uri") - 1, Z_URI},
    {"ssl", "server_name", sizeof("server_name") - 1, Z_HOST},
    {"ssl", "cert_chain_fps", sizeof("cert_chain_fps") - 1, Z_CERT_FP},
    {"ssl", "client_cert_chain_fps", sizeof("client_cert_chain_fps") - 1, Z_CERT_FP},
    {"files", "md5", sizeof("md5") - 1, Z_MD5},
    {"files", "sha1", sizeof("sha1") - 1, Z_SHA1},
    {"files", "sha256", sizeof("sha256") - 1, Z_SHA256},
    {"files", "filename", sizeof("filename") - 1, Z_FILE_NAME},
    {"files", "tx_hosts", sizeof("tx_hosts") - 1, Z_IP},
    {"files", "rx_hosts", sizeof("rx_hosts") - 1, Z_IP},
    {"x509", "certificate.serial", sizeof("certificate.serial") - 1, Z_SERIAL},
    {"x509", "fingerprint", sizeof("fingerprint") - 1, Z_CERT_FP},
    {"x509", "san.ip", sizeof("san.ip") - 1, Z_IP},
    {"smtp", "mailfrom", sizeof("mailfrom") - 1, Z_EMAIL},
    {"smtp", "rcptto", sizeof("rcptto") - 1, Z_EMAIL},
    {"smtp", "from", sizeof("from") - 1, Z_EMAIL},
    {"smtp", "to", sizeof("to") - 1, Z_EMAIL},
    {"smtp", "cc", sizeof("cc") - 1, Z_EMAIL},
    {"smtp", "reply_to", sizeof("reply_to") - 1, Z_EMAIL},
    {"smtp", "x_originating_ip", sizeof("x_originating_ip") - 1, Z_IP},
    {"smtp", "path", sizeof("path") - 1, Z_IP},
    {"notice", "src", sizeof("src") - 1, Z_IP_SRC},
    {"notice", "dst", sizeof("dst") - 1, Z_IP_DST},
    {"known_hosts", "host", sizeof("host") - 1, Z_IP},
    {"known_services", "host", sizeof("host") - 1, Z_IP},
    {"software", "host", sizeof("host") - 1, Z_IP},
    {"dhcp", "assigned_addr", sizeof("assigned_addr") - 1, Z_IP},
    {"dhcp", "client_addr", sizeof("client_addr") - 1, Z_IP},
    {"dhcp", "server_addr", sizeof("server_addr") - 1, Z_IP},
    {"dhcp", "requested_addr", sizeof("requested_addr") - 1, Z_IP},
};

/* The table's entry for a column; path "" (unknown) takes any log's. */
static const struct zmap *zfind(const char *path, const char *name, size_t n)
{
    if (n == 0)
        return NULL;
    for (size_t i = 0; i < sizeof zmap / sizeof zmap[0]; i++) {
        const struct zmap *m = &zmap[i];
        if (m->len != n || m->name[0] != name[0] || memcmp(m->name, name, n) != 0)
            continue;
        if (!m->path || !path[0] || strcmp(m->path, path) == 0)
            return m;
    }
    return NULL;
}

static bool ends_with(const char *s, size_t n, const char *suf)
{
    size_t k = strlen(suf);
    return n >= k && memcmp(s + n - k, suf, k) == 0;
}

/* ---- one record, either writer ---- */

typedef struct {
    ald_logparser *p;
    ald_logrec *rec;
    const char *host, *uri;     /* http, for the URL */
    size_t hn, un;
    size_t bad_at;              /* where a value was wrong */
    const char *bad;            /* why; NULL while fine */
} zrec;

static bool port_ok(const char *s, size_t n)
{
    if (n == 0 || n > 5 || (n > 1 && s[0] == '0'))
        return false;
    unsigned v = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return false;
        v = v * 10 + (unsigned)(s[i] - '0');
    }
    return v <= 65535;
}

/* One value (unescaped, in scratch memory or static) of a column. JSON
 * times may be ISO strings (iso). */
static ald_err zvalue(zrec *z, uint8_t act, const char *name, const char *v, size_t n, size_t at,
                      bool iso)
{
    ald_logparser *p = z->p;
    switch (act) {
    case Z_TS:
        if (iso ? !lp_iso_time(v, n, &z->rec->ts_sec, &z->rec->ts_nsec)
                : !lp_epoch(v, n, &z->rec->ts_sec, &z->rec->ts_nsec)) {
            z->bad = "ts is not a time";
            z->bad_at = at;
            return ALD_E_LOG_LINE;
        }
        z->rec->has_ts = 1;
        return ALD_E_OK;
    case Z_PROTO:
        z->rec->proto = lp_proto(p, v, n);
        return ALD_E_OK;
    case Z_IP_SRC:
    case Z_IP_DST:
    case Z_IP: {
        ald_obs_kind k = lp_ip(v, n);
        if (k == ALD_OBS__COUNT)
            return ALD_E_OK;
        ald_obs_role r = act == Z_IP_SRC ? ALD_ROLE_SRC : act == Z_IP_DST ? ALD_ROLE_DST
                                                                          : ALD_ROLE_NONE;
        return lp_addc(p, k, r, v, n, name);
    }
    case Z_PORT_SRC:
    case Z_PORT_DST:
        if (!port_ok(v, n))
            return ALD_E_OK;
        return lp_addc(p, ALD_OBS_PORT, act == Z_PORT_SRC ? ALD_ROLE_SRC : ALD_ROLE_DST, v, n,
                       name);
    case Z_HOST: {
        if (strcmp(name, "host") == 0 && !z->host) {
            z->host = v;
            z->hn = n;
        }
        /* "example.com:8080" and "[2001:db8::1]:80": the host alone */
        size_t hn = n;
        const char *h = v;
        if (n > 2 && v[0] == '[') {
            const char *rb = memchr(v, ']', n);
            if (rb) {
                h = v + 1;
                hn = (size_t)(rb - v - 1);
            }
        } else {
            const char *c = memchr(v, ':', n);
            if (c && !memchr(c + 1, ':', (size_t)(v + n - c - 1)))
                hn = (size_t)(c - v);
        }
        return lp_add_host(p, ALD_ROLE_NONE, h, hn, name);
    }
    case Z_URI:
        if (!z->uri) {
            z->uri = v;
            z->un = n;
        }
        return ALD_E_OK;
    case Z_MD5:
        return n == 32 && lp_hex(v, n) ? lp_addc(p, ALD_OBS_MD5, ALD_ROLE_NONE, v, n, name)
                                       : ALD_E_OK;
    case Z_SHA1:
        return n == 40 && lp_hex(v, n) ? lp_addc(p, ALD_OBS_SHA1, ALD_ROLE_NONE, v, n, name)
                                       : ALD_E_OK;
    case Z_SHA256:
        return n == 64 && lp_hex(v, n) ? lp_addc(p, ALD_OBS_SHA256, ALD_ROLE_NONE, v, n, name)
                                       : ALD_E_OK;
    case Z_FILE_NAME:
        return n ? lp_addc(p, ALD_OBS_FILE_NAME, ALD_ROLE_NONE, v, n, name) : ALD_E_OK;
    case Z_SERIAL:
        return n ? lp_addc(p, ALD_OBS_X509_SERIAL, ALD_ROLE_NONE, v, n, name) : ALD_E_OK;
    case Z_CERT_FP:
        if (!lp_hex(v, n))
            return ALD_E_OK;
        if (n == 40)
            return lp_addc(p, ALD_OBS_X509_SHA1, ALD_ROLE_NONE, v, n, name);
        if (n == 64)
            return lp_addc(p, ALD_OBS_X509_SHA256, ALD_ROLE_NONE, v, n, name);
        return ALD_E_OK;
    case Z_EMAIL:
        return lp_add_email(p, v, n, name);
    default:
        return ALD_E_OK;
    }
}

/* The http URL once the record is read: "http://" host uri, or the uri when
 * it is absolute (a proxy request). */
static ald_err zfinish(zrec *z)
{
    if (!z->uri || !z->un)
        return ALD_E_OK;
    const char *u = z->uri;
    size_t un = z->un;
    if (memmem(u, un < 16 ? un : 16, "://", 3))
        return lp_absolute_url(u, un) ? lp_addc(z->p, ALD_OBS_URL, ALD_ROLE_NONE, u, un, "uri")
                                      : ALD_E_OK;
    if (u[0] != '/' || !z->host || !z->hn)
        return ALD_E_OK;
    bool v6 = z->host[0] != '[' && lp_ip(z->host, z->hn) == ALD_OBS_IPV6;
    size_t total = 7 + z->hn + 2 * v6 + un;
    char *d = lp_alloc(z->p, total + 1);
    if (!d)
        return ALD_E_LOG_LINE;
    char *o = d;
    memcpy(o, "http://", 7), o += 7;
    if (v6)
        *o++ = '[';
    memcpy(o, z->host, z->hn), o += z->hn;
    if (v6)
        *o++ = ']';
    memcpy(o, u, un), o += un;
    *o = '\0';
    return lp_add(z->p, ALD_OBS_URL, ALD_ROLE_NONE, d, total, "uri");
}

/* ---- TSV ---- */

void lp_zeek_tsv_reset(struct zeek_tsv *t)
{
    free(t->names);
    free(t->types);
    free(t->cols);
    memset(t, 0, sizeof *t);
    t->sep = '\t';
    t->set_sep = ',';
    strcpy(t->empty, "(empty)");
    strcpy(t->unset, "-");
}

void lp_zeek_tsv_free(struct zeek_tsv *t)
{
    free(t->names);
    free(t->types);
    free(t->cols);
    t->names = NULL;
    t->types = NULL;
    t->cols = NULL;
}

static int hexv(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* Zeek's escapes: \xHH is the byte, "\\" a backslash; any other backslash
 * stays as it is. out needs n bytes. */
static size_t zunescape(const char *s, size_t n, char *out)
{
    size_t o = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '\\' && i + 3 < n && s[i + 1] == 'x' && hexv(s[i + 2]) >= 0 &&
            hexv(s[i + 3]) >= 0) {
            out[o++] = (char)(hexv(s[i + 2]) << 4 | hexv(s[i + 3]));
            i += 3;
        } else if (s[i] == '\\' && i + 1 < n && s[i + 1] == '\\') {
            out[o++] = '\\';
            i++;
        } else {
            out[o++] = s[i];
        }
    }
    return o;
}

/* A header value into a fixed buffer, unescaped; false when too long. */
static bool hval(char *dst, size_t cap, const char *s, size_t n)
{
    if (n >= cap)
        return false;
    size_t m = zunescape(s, n, dst);
    dst[m] = '\0';
    return true;
}

/* Column actions from names, types and path (after #fields, #types or
 * #path). */
static void zcols(struct zeek_tsv *t)
{
    for (size_t i = 0; i < t->ncols; i++) {
        struct zeek_col *c = &t->cols[i];
        const struct zmap *m = zfind(t->path, c->name, strlen(c->name));
        c->act = m ? m->act : Z_NONE;
        if (c->act == Z_NONE && c->type &&
            (strcmp(c->type, "addr") == 0 || strcmp(c->type, "set[addr]") == 0 ||
             strcmp(c->type, "vector[addr]") == 0))
            c->act = Z_IP;
        if (!c->name[0])
            c->act = Z_NONE;    /* a column without a name names no field */
        c->set = c->type && (strncmp(c->type, "set[", 4) == 0 || strncmp(c->type, "vector[", 7) == 0);
        /* without #types: the columns Zeek writes as sets */
        if (!c->type)
            c->set = strcmp(c->name, "answers") == 0 || strcmp(c->name, "rcptto") == 0 ||
                     strcmp(c->name, "to") == 0 || strcmp(c->name, "cc") == 0 ||
                     strcmp(c->name, "cert_chain_fps") == 0 || strcmp(c->name, "path") == 0 ||
                     strcmp(c->name, "tx_hosts") == 0 || strcmp(c->name, "rx_hosts") == 0;
    }
}

/* Splits a header line's value part into NUL-separated words (for #fields
 * and #types); returns a malloc'd copy and the number of words. */
static char *words(const char *s, size_t n, char sep, size_t *count)
{
    char *w = malloc(n + 1);
    if (!w)
        return NULL;
    size_t k = 1;
    for (size_t i = 0; i < n; i++) {
        if (s[i] == sep) {
            w[i] = '\0';
            k++;
        } else {
            w[i] = s[i];
        }
    }
    w[n] = '\0';
    *count = k;
    return w;
}

static ald_err header(ald_logparser *p, const char *s, size_t n, struct ald_errpos *err)
{
    struct zeek_tsv *t = &p->tsv;
    if (n >= 11 && memcmp(s, "#separator", 10) == 0 && (s[10] == ' ' || s[10] == '\t')) {
        char sep[8];
        if (!hval(sep, sizeof sep, s + 11, n - 11) || strlen(sep) != 1)
            return lp_fail(err, 11, "#separator must be one character (\\x09)");
        lp_zeek_tsv_reset(t);
        t->sep = sep[0];
        return ALD_E_OK;
    }
    const char *sp = memchr(s, t->sep, n);
    if (!sp)
        return ALD_E_OK;    /* a comment */
    size_t kn = (size_t)(sp - s), vo = kn + 1, vn = n - vo;
    const char *v = s + vo;
#define KEY(lit) (kn == sizeof(lit) - 1 && memcmp(s, lit, kn) == 0)
    if (KEY("#set_separator")) {
        char c[8];
        if (!hval(c, sizeof c, v, vn) || strlen(c) != 1)
            return lp_fail(err, vo, "#set_separator must be one character");
        t->set_sep = c[0];
    } else if (KEY("#empty_field")) {
        if (!hval(t->empty, sizeof t->empty, v, vn))
            return lp_fail(err, vo, "#empty_field is too long");
    } else if (KEY("#unset_field")) {
        if (!hval(t->unset, sizeof t->unset, v, vn))
            return lp_fail(err, vo, "#unset_field is too long");
    } else if (KEY("#path")) {
        if (!hval(t->path, sizeof t->path, v, vn))
            return lp_fail(err, vo, "#path is too long");
        if (t->have_fields)
            zcols(t);
    } else if (KEY("#fields")) {
        size_t k = 0;
        char *names = words(v, vn, t->sep, &k);
        struct zeek_col *cols = calloc(k, sizeof *cols);
        if (!names || !cols) {
            free(names);
            free(cols);
            return ALD_E_NOMEM;
        }
        free(t->names);
        free(t->cols);
        free(t->types);
        t->types = NULL;
        t->names = names;
        t->cols = cols;
        t->ncols = k;
        const char *w = names;
        for (size_t i = 0; i < k; i++) {
            cols[i].name = w;
            w += strlen(w) + 1;
        }
        t->have_fields = true;
        zcols(t);
    } else if (KEY("#types")) {
        if (!t->have_fields)
            return lp_fail(err, 0, "#types before #fields");
        size_t k = 0;
        char *types = words(v, vn, t->sep, &k);
        if (!types)
            return ALD_E_NOMEM;
        if (k != t->ncols) {
            free(types);
            return lp_fail(err, vo, "#types has %zu columns, #fields %zu", k, t->ncols);
        }
        free(t->types);
        t->types = types;
        const char *w = types;
        for (size_t i = 0; i < k; i++) {
            t->cols[i].type = w;
            w += strlen(w) + 1;
        }
        zcols(t);
    }
    /* #open, #close and other '#' lines: nothing to take */
#undef KEY
    return ALD_E_OK;
}

ald_err lp_zeek_tsv_line(ald_logparser *p, const char *s, size_t n, ald_logrec *rec,
                         struct ald_errpos *err)
{
    struct zeek_tsv *t = &p->tsv;
    if (s[0] == '#')
        return header(p, s, n, err);
    if (!t->have_fields)
        return lp_fail(err, 0, "data row before the #fields header");
    rec->type = t->path[0] ? t->path : (p->zeek_path ? p->zeek_path : "zeek");
    zrec z = {.p = p, .rec = rec};
    size_t ul = strlen(t->unset), el = strlen(t->empty);
    size_t col = 0, i = 0;
    for (;;) {
        /* columns are short: a plain loop beats a memchr call */
        size_t end = i;
        while (end < n && s[end] != t->sep)
            end++;
        const char *e = end < n ? s + end : NULL;
        if (col >= t->ncols)
            return lp_fail(err, i, "more than the %zu columns of #fields", t->ncols);
        const struct zeek_col *c = &t->cols[col];
        const char *v = s + i;
        size_t vn = end - i;
        if (c->act != Z_NONE && !(vn == ul && memcmp(v, t->unset, ul) == 0) &&
            !(vn == el && memcmp(v, t->empty, el) == 0)) {
            /* each element of a set on its own */
            size_t a = 0;
            while (a <= vn) {
                const char *se = c->set ? memchr(v + a, t->set_sep, vn - a) : NULL;
                size_t b = se ? (size_t)(se - v) : vn;
                char *d = lp_alloc(p, b - a + 1);
                if (!d)
                    return lp_fail(err, i + a, "line needs more scratch memory than expected");
                size_t m = memchr(v + a, '\\', b - a) ? zunescape(v + a, b - a, d)
                                                       : (memcpy(d, v + a, b - a), b - a);
                d[m] = '\0';
                ald_err r = zvalue(&z, c->act, c->name, d, m, i + a, false);
                if (r == ALD_E_LOG_LINE)
                    return lp_fail(err, z.bad ? z.bad_at : i + a, "%s: %s", c->name,
                                   z.bad ? z.bad : "corrupt value");
                if (r != ALD_E_OK)
                    return r;
                a = b + 1;
            }
        }
        col++;
        if (!e)
            break;
        i = end + 1;
    }
    if (col != t->ncols)
        return lp_fail(err, n, "%zu columns, #fields has %zu", col, t->ncols);
    ald_err r = zfinish(&z);
    if (r == ALD_E_LOG_LINE)
        return lp_fail(err, 0, "line needs more scratch memory than expected");
    return r;
}

/* ---- JSON ---- */

/* The name of a member in scratch memory: the table's own string when it
 * is there (no copy), else a copy. */
static const char *jname(ald_logparser *p, const struct zmap *m, const jsval *k)
{
    if (m)
        return m->name;
    return lp_copy(p, k->p, k->n);
}

ald_err lp_zeek_json_line(ald_logparser *p, const char *s, size_t n, ald_logrec *rec,
                          struct ald_errpos *err)
{
    jscan j;
    js_init(&j, s, n);
    jsval top, k, v;
    if (!js_value(&j, &top))
        return lp_fail(err, j.err_at, "not JSON: %s", j.err);
    if (top.t != JS_OBJ)
        return lp_fail(err, 0, "a Zeek JSON line is a JSON object");
    const char *path = p->zeek_path ? p->zeek_path : "";
    rec->type = p->zeek_path ? p->zeek_path : "zeek";
    zrec z = {.p = p, .rec = rec};
    unsigned cnt = 0;
    while (js_member(&j, &k, &cnt)) {
        if (JS_IS(&k, "_path")) {
            if (!js_value(&j, &v))
                break;
            if (v.t == JS_STR && !v.esc && v.n) {
                const char *c = lp_copy(p, v.p, v.n);
                if (!c)
                    return lp_fail(err, j.i, "line needs more scratch memory than expected");
                rec->type = path = c;
            } else if ((v.t == JS_OBJ || v.t == JS_ARR) && !js_close(&j, v.t)) {
                break;
            }
            continue;
        }
        const struct zmap *m = k.esc ? NULL : zfind(path, k.p, k.n);
        uint8_t act = m ? m->act : Z_NONE;
        if (act == Z_NONE && !k.esc && ends_with(k.p, k.n, "_h"))
            act = Z_IP;
        if (act == Z_NONE) {
            if (!js_skip(&j))
                break;
            continue;
        }
        if (!js_value(&j, &v))
            break;
        const char *name = jname(p, m, &k);
        if (!name)
            return lp_fail(err, j.i, "line needs more scratch memory than expected");
        bool arr = v.t == JS_ARR;
        unsigned ac = 0;
        if (arr && !js_elem(&j, &ac)) {
            if (j.err)
                break;
            continue;   /* [] */
        }
        for (;;) {
            if (arr && !js_value(&j, &v))
                goto bad;
            size_t at = (size_t)(v.p - s);
            if (v.t == JS_STR || v.t == JS_NUM) {
                const char *d = v.p;
                size_t dn = v.n;
                if (v.t == JS_STR) {
                    char *u = lp_alloc(p, v.n + 1);
                    if (!u)
                        return lp_fail(err, at, "line needs more scratch memory than expected");
                    dn = v.esc ? js_unescape(v.p, v.n, u) : (memcpy(u, v.p, v.n), v.n);
                    u[dn] = '\0';
                    d = u;
                } else if (act != Z_TS && act != Z_PORT_SRC && act != Z_PORT_DST) {
                    d = NULL;   /* a number is only a time or a port */
                }
                if (d) {
                    ald_err r = zvalue(&z, act, name, d, dn, at, v.t == JS_STR && act == Z_TS);
                    if (r == ALD_E_LOG_LINE)
                        return lp_fail(err, z.bad ? z.bad_at : at, "%s: %s", name,
                                       z.bad ? z.bad : "corrupt value");
                    if (r != ALD_E_OK)
                        return r;
                }
            } else if ((v.t == JS_OBJ || v.t == JS_ARR) && !js_close(&j, v.t)) {
                goto bad;
            }
            if (!arr || !js_elem(&j, &ac))
                break;
        }
        if (j.err)
            break;
    }
bad:
    if (j.err || !js_end(&j))
        return lp_fail(err, j.err_at, "not JSON: %s", j.err);
    ald_err r = zfinish(&z);
    if (r == ALD_E_LOG_LINE)
        return lp_fail(err, 0, "line needs more scratch memory than expected");
    return r;
}
