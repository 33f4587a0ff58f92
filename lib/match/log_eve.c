/*
 * log_eve.c - Suricata EVE JSON lines (eve.json) as records of observables.
 *
 * One pass over the line with jscan: the top-level members that carry
 * observables are read, every other value is skipped (still checked).
 * Taken, whatever the event_type (an alert carries the dns/http/tls/... of
 * its flow as the protocol events do):
 *   timestamp (any UTC offset, e.g. -0600), event_type, src_ip/dest_ip,
 *   src_port/dest_port, proto;
 *   dns: rrname; v1 answers (type "answer": rrtype + rdata); v2 "answers"
 *     array and "grouped" map; v3 "queries"/"answers" (Suricata 7/8);
 *     A -> ipv4, AAAA -> ipv6, CNAME/NS/PTR/MX -> domain;
 *   http: hostname (domain, or address when it is one), url made absolute
 *     "http://hostname[:http_port]url" (a path without hostname is dropped:
 *     it is not a URL);
 *   tls: sni, fingerprint (SHA-1 of the certificate, colons removed, lower
 *     case), serial (as written);
 *   fileinfo and files[]: filename, md5/sha1/sha256/sha512;
 *   smtp: mail_from, rcpt_to[]; email: from, to[], cc[], attachment[].
 * The alert's signature, user agents and the flow's counters are not
 * observables. See docs/logs.md.
 */
#include "match/jscan.h"
#include "match/logpriv.h"

#include <string.h>

typedef struct {
    ald_logparser *p;
    jscan j;
    ald_err e;      /* first failure: LOG_LINE (scanner or scratch) or NOMEM */
    const char *why;
    size_t why_at;
} eve;

static bool ok(eve *x)
{
    return x->e == ALD_E_OK;
}

static void set_err(eve *x, ald_err e)
{
    if (x->e == ALD_E_OK)
        x->e = e;
}

static void add(eve *x, ald_err e)
{
    if (e != ALD_E_OK)
        set_err(x, e);
}

/* A string value's unescaped bytes (NUL-ended) in scratch memory. */
static const char *sdup(eve *x, const jsval *v, size_t *len)
{
    char *d = lp_alloc(x->p, v->n + 1);
    if (!d) {
        x->why = "line needs more scratch memory than its length allows";
        set_err(x, ALD_E_LOG_LINE);
        return NULL;
    }
    size_t m = v->n;
    if (v->esc)
        m = js_unescape(v->p, v->n, d);
    else
        memcpy(d, v->p, v->n);
    d[m] = '\0';
    *len = m;
    return d;
}

/* Reads the next value: a string gives its unescaped bytes (NUL-ended) in
 * scratch memory, anything else is skipped whole and gives NULL. */
static const char *sval(eve *x, size_t *len, size_t *at)
{
    jsval v;
    *len = 0;
    if (!js_value(&x->j, &v)) {
        set_err(x, ALD_E_LOG_LINE);
        return NULL;
    }
    if (at)
        *at = (size_t)(v.p - x->j.s);
    if (v.t == JS_OBJ || v.t == JS_ARR) {
        if (!js_close(&x->j, v.t))
            set_err(x, ALD_E_LOG_LINE);
        return NULL;
    }
    if (v.t != JS_STR)
        return NULL;
    return sdup(x, &v, len);
}

/* Reads a port number (0-65535 integer) as decimal text in scratch memory;
 * NULL for anything else. */
static const char *port(eve *x, size_t *len)
{
    jsval v;
    *len = 0;
    if (!js_value(&x->j, &v)) {
        set_err(x, ALD_E_LOG_LINE);
        return NULL;
    }
    if (v.t == JS_OBJ || v.t == JS_ARR) {
        if (!js_close(&x->j, v.t))
            set_err(x, ALD_E_LOG_LINE);
        return NULL;
    }
    const char *s = v.p;
    size_t n = v.n;
    if (v.t == JS_STR && v.esc)
        return NULL;
    if (n == 0 || n > 5)
        return NULL;
    unsigned val = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return NULL;
        val = val * 10 + (unsigned)(s[i] - '0');
    }
    if (val > 65535 || (n > 1 && s[0] == '0'))
        return NULL;
    const char *c = lp_copy(x->p, s, n);
    if (!c) {
        set_err(x, ALD_E_LOG_LINE);
        return NULL;
    }
    *len = n;
    return c;
}

/* Opens the next value when it is an object or array of type t; skips it
 * and returns false otherwise. */
static bool open(eve *x, js_type t)
{
    jsval v;
    if (!js_value(&x->j, &v)) {
        set_err(x, ALD_E_LOG_LINE);
        return false;
    }
    if (v.t == t)
        return true;
    if ((v.t == JS_OBJ || v.t == JS_ARR) && !js_close(&x->j, v.t))
        set_err(x, ALD_E_LOG_LINE);
    return false;
}

static void skip(eve *x)
{
    if (!js_skip(&x->j))
        set_err(x, ALD_E_LOG_LINE);
}

/* Member loop: true with the key while the object goes on; records a
 * scanner error. */
static bool member(eve *x, jsval *k, unsigned *cnt)
{
    if (!ok(x))
        return false;
    if (js_member(&x->j, k, cnt))
        return true;
    if (x->j.err)
        set_err(x, ALD_E_LOG_LINE);
    return false;
}

static bool elem(eve *x, unsigned *cnt)
{
    if (!ok(x))
        return false;
    if (js_elem(&x->j, cnt))
        return true;
    if (x->j.err)
        set_err(x, ALD_E_LOG_LINE);
    return false;
}

/* ---- dns ---- */

static bool is_type(const char *t, size_t n, const char *lit)
{
    size_t k = strlen(lit);
    return t && n == k && memcmp(t, lit, k) == 0;
}

/* One rdata by its record type. */
static void rdata(eve *x, const char *type, size_t tn, const char *v, size_t n, const char *name)
{
    if (!v || !n)
        return;
    if (is_type(type, tn, "A") || is_type(type, tn, "AAAA")) {
        ald_obs_kind k = lp_ip(v, n);
        if (k == (is_type(type, tn, "A") ? ALD_OBS_IPV4 : ALD_OBS_IPV6))
            add(x, lp_add(x->p, k, ALD_ROLE_NONE, v, n, name));
    } else if (is_type(type, tn, "CNAME") || is_type(type, tn, "NS") ||
               is_type(type, tn, "PTR") || is_type(type, tn, "MX")) {
        if (lp_hostname(v, n))
            add(x, lp_add(x->p, ALD_OBS_DOMAIN, ALD_ROLE_NONE, v, n, name));
    } else if (!type) {
        add(x, lp_add_host(x->p, ALD_ROLE_NONE, v, n, name));
    }
}

static void domain(eve *x, const char *v, size_t n, const char *name)
{
    if (v && lp_hostname(v, n))
        add(x, lp_add(x->p, ALD_OBS_DOMAIN, ALD_ROLE_NONE, v, n, name));
}

/* {"rrname":..., "rrtype":..., "rdata":...}: an answer (v2/v3) or a query. */
static void dns_rr(eve *x, const char *rrname_name, const char *rdata_name)
{
    const char *type = NULL, *data = NULL, *v;
    size_t tn = 0, dn = 0, n;
    jsval k;
    unsigned cnt = 0;
    while (member(x, &k, &cnt)) {
        if (JS_IS(&k, "rrname")) {
            v = sval(x, &n, NULL);
            domain(x, v, n, rrname_name);
        } else if (JS_IS(&k, "rrtype")) {
            type = sval(x, &tn, NULL);
        } else if (JS_IS(&k, "rdata") && rdata_name) {
            data = sval(x, &dn, NULL);
        } else {
            skip(x);
        }
    }
    if (ok(x))
        rdata(x, type, tn, data, dn, rdata_name);
}

/* An array of rr objects. */
static void dns_rrs(eve *x, const char *rrname_name, const char *rdata_name)
{
    if (!open(x, JS_ARR))
        return;
    unsigned cnt = 0;
    while (elem(x, &cnt)) {
        if (open(x, JS_OBJ))
            dns_rr(x, rrname_name, rdata_name);
    }
}

/* "grouped": {"A": ["1.2.3.4"], "CNAME": ["x.example"], "MX": [...]} */
static void dns_grouped(eve *x)
{
    if (!open(x, JS_OBJ))
        return;
    jsval k;
    unsigned cnt = 0;
    while (member(x, &k, &cnt)) {
        char type[16];
        size_t tn = k.n < sizeof type && !k.esc ? k.n : 0;
        memcpy(type, k.p, tn);
        if (!tn) {
            skip(x);
            continue;
        }
        if (!open(x, JS_ARR))
            continue;
        unsigned c2 = 0;
        while (elem(x, &c2)) {
            size_t n;
            const char *v = sval(x, &n, NULL);
            rdata(x, type, tn, v, n, "dns.grouped");
        }
    }
}

static void dns(eve *x)
{
    if (!open(x, JS_OBJ))
        return;
    const char *type = NULL, *data = NULL, *v;
    size_t tn = 0, dn = 0, n;
    jsval k;
    unsigned cnt = 0;
    while (member(x, &k, &cnt)) {
        if (JS_IS(&k, "rrname")) {
            v = sval(x, &n, NULL);
            domain(x, v, n, "dns.rrname");
        } else if (JS_IS(&k, "rrtype")) {
            type = sval(x, &tn, NULL);
        } else if (JS_IS(&k, "rdata")) {
            data = sval(x, &dn, NULL);
        } else if (JS_IS(&k, "answers")) {
            dns_rrs(x, "dns.answers.rrname", "dns.answers.rdata");
        } else if (JS_IS(&k, "grouped")) {
            dns_grouped(x);
        } else if (JS_IS(&k, "queries") || JS_IS(&k, "query")) {
            dns_rrs(x, "dns.queries.rrname", NULL);
        } else {
            skip(x);
        }
    }
    if (ok(x))
        rdata(x, type, tn, data, dn, "dns.rdata");  /* v1 answer */
}

/* ---- http ---- */

static void http(eve *x)
{
    if (!open(x, JS_OBJ))
        return;
    const char *host = NULL, *url = NULL, *prt = NULL;
    size_t hn = 0, un = 0, pn = 0;
    jsval k;
    unsigned cnt = 0;
    while (member(x, &k, &cnt)) {
        if (JS_IS(&k, "hostname"))
            host = sval(x, &hn, NULL);
        else if (JS_IS(&k, "url"))
            url = sval(x, &un, NULL);
        else if (JS_IS(&k, "http_port"))
            prt = port(x, &pn);
        else
            skip(x);
    }
    if (!ok(x))
        return;
    ald_obs_kind hk = host ? lp_ip(host, hn) : ALD_OBS__COUNT;
    if (host && hn) {
        if (hk != ALD_OBS__COUNT)
            add(x, lp_add(x->p, hk, ALD_ROLE_NONE, host, hn, "http.hostname"));
        else if (lp_hostname(host, hn))
            add(x, lp_add(x->p, ALD_OBS_DOMAIN, ALD_ROLE_NONE, host, hn, "http.hostname"));
    }
    if (!url || !un)
        return;
    if (memmem(url, un < 16 ? un : 16, "://", 3)) {
        if (lp_absolute_url(url, un))
            add(x, lp_add(x->p, ALD_OBS_URL, ALD_ROLE_NONE, url, un, "http.url"));
        return;
    }
    if (url[0] != '/' || !host || !hn)
        return;
    bool v6 = hk == ALD_OBS_IPV6;
    bool with_port = prt && !(pn == 2 && memcmp(prt, "80", 2) == 0);
    size_t total = 7 + hn + 2 * v6 + (with_port ? 1 + pn : 0) + un;
    char *u = lp_alloc(x->p, total + 1);
    if (!u) {
        x->why = "line needs more scratch memory than its length allows";
        set_err(x, ALD_E_LOG_LINE);
        return;
    }
    char *o = u;
    memcpy(o, "http://", 7), o += 7;
    if (v6)
        *o++ = '[';
    memcpy(o, host, hn), o += hn;
    if (v6)
        *o++ = ']';
    if (with_port) {
        *o++ = ':';
        memcpy(o, prt, pn), o += pn;
    }
    memcpy(o, url, un), o += un;
    *o = '\0';
    add(x, lp_add(x->p, ALD_OBS_URL, ALD_ROLE_NONE, u, total, "http.url"));
}

/* ---- tls ---- */

static void tls(eve *x)
{
    if (!open(x, JS_OBJ))
        return;
    jsval k;
    unsigned cnt = 0;
    size_t n;
    const char *v;
    while (member(x, &k, &cnt)) {
        if (JS_IS(&k, "sni")) {
            v = sval(x, &n, NULL);
            domain(x, v, n, "tls.sni");
        } else if (JS_IS(&k, "fingerprint")) {
            v = sval(x, &n, NULL);
            if (!v)
                continue;
            /* "5a:93:b4:...": the hex digits alone, lower case, in place */
            char *d = (char *)v;
            size_t m = 0;
            bool good = true;
            for (size_t i = 0; i < n; i++) {
                char c = v[i];
                if (c == ':')
                    continue;
                if (c >= 'A' && c <= 'F')
                    c = (char)(c + 32);
                if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')))
                    good = false;
                d[m++] = c;
            }
            d[m] = '\0';
            if (good && m == 40)
                add(x, lp_add(x->p, ALD_OBS_X509_SHA1, ALD_ROLE_NONE, d, m, "tls.fingerprint"));
            else if (good && m == 64)
                add(x, lp_add(x->p, ALD_OBS_X509_SHA256, ALD_ROLE_NONE, d, m, "tls.fingerprint"));
        } else if (JS_IS(&k, "serial")) {
            v = sval(x, &n, NULL);
            if (v && n)
                add(x, lp_add(x->p, ALD_OBS_X509_SERIAL, ALD_ROLE_NONE, v, n, "tls.serial"));
        } else {
            skip(x);
        }
    }
}

/* ---- files ---- */

static void hash(eve *x, ald_obs_kind kind, size_t want, const char *name)
{
    size_t n;
    const char *v = sval(x, &n, NULL);
    if (v && n == want && lp_hex(v, n))
        add(x, lp_add(x->p, kind, ALD_ROLE_NONE, v, n, name));
}

static void fileinfo(eve *x, bool opened)
{
    if (!opened && !open(x, JS_OBJ))
        return;
    jsval k;
    unsigned cnt = 0;
    while (member(x, &k, &cnt)) {
        if (JS_IS(&k, "filename")) {
            size_t n;
            const char *v = sval(x, &n, NULL);
            if (v && n)
                add(x, lp_add(x->p, ALD_OBS_FILE_NAME, ALD_ROLE_NONE, v, n, "fileinfo.filename"));
        } else if (JS_IS(&k, "md5")) {
            hash(x, ALD_OBS_MD5, 32, "fileinfo.md5");
        } else if (JS_IS(&k, "sha1")) {
            hash(x, ALD_OBS_SHA1, 40, "fileinfo.sha1");
        } else if (JS_IS(&k, "sha256")) {
            hash(x, ALD_OBS_SHA256, 64, "fileinfo.sha256");
        } else if (JS_IS(&k, "sha512")) {
            hash(x, ALD_OBS_SHA512, 128, "fileinfo.sha512");
        } else {
            skip(x);
        }
    }
}

static void files(eve *x)
{
    if (!open(x, JS_ARR))
        return;
    unsigned cnt = 0;
    while (elem(x, &cnt))
        if (open(x, JS_OBJ))
            fileinfo(x, true);
}

/* ---- mail ---- */

/* A string or an array of strings, each an address. */
static void emails(eve *x, const char *name)
{
    jsval v;
    size_t n;
    const char *s;
    if (!js_value(&x->j, &v)) {
        set_err(x, ALD_E_LOG_LINE);
        return;
    }
    if (v.t == JS_STR) {
        s = sdup(x, &v, &n);
        if (s)
            add(x, lp_add_email(x->p, s, n, name));
        return;
    }
    if (v.t == JS_OBJ) {
        if (!js_close(&x->j, v.t))
            set_err(x, ALD_E_LOG_LINE);
        return;
    }
    if (v.t != JS_ARR)
        return;
    unsigned cnt = 0;
    while (elem(x, &cnt)) {
        s = sval(x, &n, NULL);
        if (s)
            add(x, lp_add_email(x->p, s, n, name));
    }
}

static void smtp(eve *x)
{
    if (!open(x, JS_OBJ))
        return;
    jsval k;
    unsigned cnt = 0;
    while (member(x, &k, &cnt)) {
        if (JS_IS(&k, "mail_from"))
            emails(x, "smtp.mail_from");
        else if (JS_IS(&k, "rcpt_to"))
            emails(x, "smtp.rcpt_to");
        else
            skip(x);
    }
}

static void email(eve *x)
{
    if (!open(x, JS_OBJ))
        return;
    jsval k;
    unsigned cnt = 0;
    while (member(x, &k, &cnt)) {
        if (JS_IS(&k, "from")) {
            emails(x, "email.from");
        } else if (JS_IS(&k, "to")) {
            emails(x, "email.to");
        } else if (JS_IS(&k, "cc")) {
            emails(x, "email.cc");
        } else if (JS_IS(&k, "attachment")) {
            if (!open(x, JS_ARR))
                continue;
            unsigned c2 = 0;
            while (elem(x, &c2)) {
                size_t n;
                const char *v = sval(x, &n, NULL);
                if (v && n)
                    add(x, lp_add(x->p, ALD_OBS_FILE_NAME, ALD_ROLE_NONE, v, n,
                                  "email.attachment"));
            }
        } else {
            skip(x);
        }
    }
}

/* ---- the line ---- */

/* event_type values Suricata writes, as static strings (no scratch). */
static const char *known_type(const char *s, size_t n)
{
    static const char *const types[] = {
        "alert", "anomaly", "dhcp", "dnp3", "dns", "drop", "fileinfo", "flow", "ftp",
        "ftp_data", "http", "http2", "ike", "krb5", "mqtt", "netflow", "nfs", "pgsql",
        "quic", "rdp", "rfb", "sip", "smb", "smtp", "snmp", "ssh", "stats", "tftp", "tls",
        "modbus", "bittorrent-dht", "frame", "websocket", "ldap", "mdns", "pop3",
    };
    for (size_t i = 0; i < sizeof types / sizeof types[0]; i++)
        if (strlen(types[i]) == n && memcmp(types[i], s, n) == 0)
            return types[i];
    return NULL;
}

ald_err lp_eve_line(ald_logparser *p, const char *s, size_t n, ald_logrec *rec,
                    struct ald_errpos *err)
{
    eve x = {.p = p, .e = ALD_E_OK};
    js_init(&x.j, s, n);
    jsval top;
    if (!js_value(&x.j, &top))
        return lp_fail(err, x.j.err_at, "not JSON: %s", x.j.err);
    if (top.t != JS_OBJ)
        return lp_fail(err, 0, "an EVE line is a JSON object");
    jsval k;
    unsigned cnt = 0;
    while (member(&x, &k, &cnt)) {
        const char *v;
        size_t vn, at;
        if (JS_IS(&k, "timestamp")) {
            v = sval(&x, &vn, &at);
            if (!ok(&x))
                break;
            if (!v || !lp_iso_time(v, vn, &rec->ts_sec, &rec->ts_nsec))
                return lp_fail(err, at, "timestamp is not an ISO 8601 date and time");
            rec->has_ts = 1;
        } else if (JS_IS(&k, "event_type")) {
            v = sval(&x, &vn, NULL);
            if (v) {
                const char *t = known_type(v, vn);
                rec->type = t ? t : v;
            }
        } else if (JS_IS(&k, "src_ip") || JS_IS(&k, "dest_ip")) {
            bool src = k.p[0] == 's';
            v = sval(&x, &vn, NULL);
            ald_obs_kind ik = v ? lp_ip(v, vn) : ALD_OBS__COUNT;
            if (ik != ALD_OBS__COUNT)
                add(&x, lp_add(p, ik, src ? ALD_ROLE_SRC : ALD_ROLE_DST, v, vn,
                               src ? "src_ip" : "dest_ip"));
        } else if (JS_IS(&k, "src_port") || JS_IS(&k, "dest_port")) {
            bool src = k.p[0] == 's';
            v = port(&x, &vn);
            if (v)
                add(&x, lp_add(p, ALD_OBS_PORT, src ? ALD_ROLE_SRC : ALD_ROLE_DST, v, vn,
                               src ? "src_port" : "dest_port"));
        } else if (JS_IS(&k, "proto")) {
            jsval pv;
            if (!js_value(&x.j, &pv)) {
                set_err(&x, ALD_E_LOG_LINE);
            } else if (pv.t == JS_STR || pv.t == JS_NUM) {
                if (!pv.esc)
                    rec->proto = lp_proto(p, pv.p, pv.n);
            } else if ((pv.t == JS_OBJ || pv.t == JS_ARR) && !js_close(&x.j, pv.t)) {
                set_err(&x, ALD_E_LOG_LINE);
            }
        } else if (JS_IS(&k, "dns")) {
            dns(&x);
        } else if (JS_IS(&k, "http")) {
            http(&x);
        } else if (JS_IS(&k, "tls")) {
            tls(&x);
        } else if (JS_IS(&k, "fileinfo")) {
            fileinfo(&x, false);
        } else if (JS_IS(&k, "files")) {
            files(&x);
        } else if (JS_IS(&k, "smtp")) {
            smtp(&x);
        } else if (JS_IS(&k, "email")) {
            email(&x);
        } else {
            skip(&x);
        }
    }
    if (x.e == ALD_E_OK && !js_end(&x.j))
        x.e = ALD_E_LOG_LINE;
    if (x.e == ALD_E_NOMEM)
        return ALD_E_NOMEM;
    if (x.e != ALD_E_OK) {
        if (x.j.err)
            return lp_fail(err, x.j.err_at, "not JSON: %s", x.j.err);
        return lp_fail(err, x.j.i, "%s", x.why ? x.why : "corrupt line");
    }
    if (!rec->type)
        rec->type = "unknown";
    return ALD_E_OK;
}
