/*
 * logparse.c - the log parser's front door (logparse.h): one parser per
 * input stream, format detection on the first line that is not empty,
 * dispatch of each line to its format (log_eve.c, log_zeek.c, log_text.c),
 * and what every format shares: the per-line scratch memory, adding fields,
 * checking addresses, host names, hashes and times, kind names and paths.
 */
#include "match/logpriv.h"

#include <arpa/inet.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- kinds ---- */

static const struct {
    const char *name, *path;
} kinds[ALD_OBS__COUNT] = {
    [ALD_OBS_IPV4] = {"ipv4", "ipv4-addr:value"},
    [ALD_OBS_IPV6] = {"ipv6", "ipv6-addr:value"},
    [ALD_OBS_DOMAIN] = {"domain", "domain-name:value"},
    [ALD_OBS_URL] = {"url", "url:value"},
    [ALD_OBS_EMAIL] = {"email", "email-addr:value"},
    [ALD_OBS_MD5] = {"md5", "file:hashes.MD5"},
    [ALD_OBS_SHA1] = {"sha1", "file:hashes.'SHA-1'"},
    [ALD_OBS_SHA256] = {"sha256", "file:hashes.'SHA-256'"},
    [ALD_OBS_SHA512] = {"sha512", "file:hashes.'SHA-512'"},
    [ALD_OBS_FILE_NAME] = {"file_name", "file:name"},
    [ALD_OBS_PORT] = {"port", "network-traffic:dst_port"},
    [ALD_OBS_X509_SHA1] = {"x509_sha1", "x509-certificate:hashes.'SHA-1'"},
    [ALD_OBS_X509_SERIAL] = {"x509_serial", "x509-certificate:serial_number"},
    [ALD_OBS_X509_SHA256] = {"x509_sha256", "x509-certificate:hashes.'SHA-256'"},
};

const char *ald_obs_kind_path(ald_obs_kind k, ald_obs_role role)
{
    if ((unsigned)k >= ALD_OBS__COUNT)
        return NULL;
    /* an address with a role is also network-traffic:src_ref.value or
     * dst_ref.value; the SCO's own path is the one every indicator of the
     * address uses, so it is the one given here */
    if (k == ALD_OBS_PORT && role == ALD_ROLE_SRC)
        return "network-traffic:src_port";
    return kinds[k].path;
}

const char *ald_obs_kind_name(ald_obs_kind k)
{
    return (unsigned)k < ALD_OBS__COUNT ? kinds[k].name : NULL;
}

/* ---- the parser ---- */

ald_logparser *ald_logparser_new(ald_log_format fmt)
{
    if ((unsigned)fmt > ALD_LOG_TEXT)
        return NULL;
    ald_logparser *p = calloc(1, sizeof *p);
    if (!p)
        return NULL;
    p->want = fmt;
    p->fmt = fmt;
    p->max_line = ALD_LOG_LINE_MAX;
    lp_zeek_tsv_reset(&p->tsv);
    return p;
}

void ald_logparser_free(ald_logparser *p)
{
    if (!p)
        return;
    lp_zeek_tsv_free(&p->tsv);
    free(p->zeek_path);
    free(p->buf);
    free(p->f);
    free(p);
}

ald_log_format ald_logparser_format(const ald_logparser *p)
{
    return p->fmt;
}

void ald_logparser_set_max_line(ald_logparser *p, size_t max)
{
    p->max_line = max ? max : ALD_LOG_LINE_MAX;
}

ald_err ald_logparser_set_zeek_path(ald_logparser *p, const char *path)
{
    free(p->zeek_path);
    p->zeek_path = NULL;
    if (!path)
        return ALD_E_OK;
    p->zeek_path = strdup(path);
    return p->zeek_path ? ALD_E_OK : ALD_E_NOMEM;
}

static bool starts(const char *s, size_t n, const char *lit)
{
    size_t k = strlen(lit);
    return n >= k && memcmp(s, lit, k) == 0;
}

/* Decides the format from the first line that is not empty: a Zeek header
 * word, or a JSON object whose member names say EVE or Zeek; anything else
 * is text. Only names are looked for, so a corrupt first line still
 * decides (and is then reported by its format's parser). */
static ald_log_format detect(const char *s, size_t n)
{
    if (starts(s, n, "#separator") || starts(s, n, "#fields") || starts(s, n, "#path") ||
        starts(s, n, "#set_separator"))
        return ALD_LOG_ZEEK_TSV;
    if (n && s[0] == '{') {
        if (memmem(s, n, "\"event_type\"", 12))
            return ALD_LOG_EVE;
        if (memmem(s, n, "\"_path\"", 7) || memmem(s, n, "\"id.orig_h\"", 11) ||
            memmem(s, n, "\"uid\"", 5) || memmem(s, n, "\"ts\"", 4))
            return ALD_LOG_ZEEK_JSON;
        if (memmem(s, n, "\"timestamp\"", 11))
            return ALD_LOG_EVE;
    }
    return ALD_LOG_TEXT;
}

static bool blank(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (s[i] != ' ' && s[i] != '\t')
            return false;
    return true;
}

ald_err ald_logparser_line(ald_logparser *p, const char *line, size_t len, ald_logrec *rec,
                           struct ald_errpos *err)
{
    memset(rec, 0, sizeof *rec);
    if (err) {
        memset(err, 0, sizeof *err);
    }
    if (len && line[len - 1] == '\r')
        len--;
    p->used = 0;
    p->nf = 0;
    rec->format = p->fmt;
    rec->fields = p->f;
    if (len > p->max_line)
        return lp_fail(err, p->max_line, "line too long (%zu bytes, the limit is %zu)", len,
                       p->max_line);
    if (blank(line, len))
        return ALD_E_OK;
    /* a UTF-8 byte order mark opens some files */
    size_t skip = 0;
    if (len >= 3 && (unsigned char)line[0] == 0xEF && (unsigned char)line[1] == 0xBB &&
        (unsigned char)line[2] == 0xBF)
        skip = 3;
    /* a line that is only a byte order mark (and blanks) is empty too: the
     * format parsers may read their first byte (fuzz_zeek found one that
     * read past a 3-byte line) */
    if (skip && blank(line + skip, len - skip))
        return ALD_E_OK;
    if (p->fmt == ALD_LOG_AUTO) {
        p->fmt = detect(line + skip, len - skip);
        rec->format = p->fmt;
    }
    /* the scratch memory holds every value of the record, unescaped values
     * are never longer than their text, and what a format builds (a URL from
     * host and path, a fingerprint without colons) is bounded by the text
     * it is built from: three times the line is more than enough */
    size_t need = 3 * len + 1024;
    if (p->cap < need) {
        char *nb = realloc(p->buf, need);
        if (!nb)
            return ALD_E_NOMEM;
        p->buf = nb;
        p->cap = need;
    }
    ald_err e;
    switch (p->fmt) {
    case ALD_LOG_EVE:
        e = lp_eve_line(p, line + skip, len - skip, rec, err);
        break;
    case ALD_LOG_ZEEK_TSV:
        e = lp_zeek_tsv_line(p, line + skip, len - skip, rec, err);
        break;
    case ALD_LOG_ZEEK_JSON:
        e = lp_zeek_json_line(p, line + skip, len - skip, rec, err);
        break;
    default:
        e = lp_text_line(p, line + skip, len - skip, rec, err);
        break;
    }
    if (e == ALD_E_LOG_LINE && err && skip)
        err->offset += skip, err->col += (unsigned)skip;
    if (e != ALD_E_OK) {
        /* a failed line gives an empty record, never half of one */
        memset(rec, 0, sizeof *rec);
        rec->format = p->fmt;
        p->nf = 0;
        return e;
    }
    rec->fields = p->f;
    rec->nfields = p->nf;
    return ALD_E_OK;
}

/* ---- scratch memory and fields ---- */

char *lp_alloc(ald_logparser *p, size_t n)
{
    if (p->cap - p->used < n)
        return NULL;
    char *r = p->buf + p->used;
    p->used += n;
    return r;
}

const char *lp_copy(ald_logparser *p, const char *s, size_t n)
{
    char *d = lp_alloc(p, n + 1);
    if (!d)
        return NULL;
    memcpy(d, s, n);
    d[n] = '\0';
    return d;
}

ald_err lp_add(ald_logparser *p, ald_obs_kind k, ald_obs_role role, const char *v, size_t n,
               const char *name)
{
    /* the same value twice (a DNS answer repeated, notice src and
     * id.orig_h) once; the look-back is bounded so a line of thousands of
     * answers stays linear */
    size_t from = p->nf > 64 ? p->nf - 64 : 0;
    for (size_t i = from; i < p->nf; i++)
        if (p->f[i].kind == k && p->f[i].role == role && p->f[i].len == n &&
            memcmp(p->f[i].v, v, n) == 0)
            return ALD_E_OK;
    if (p->nf == p->capf) {
        size_t nc = p->capf ? 2 * p->capf : 32;
        ald_logfield *nf = realloc(p->f, nc * sizeof *nf);
        if (!nf)
            return ALD_E_NOMEM;
        p->f = nf;
        p->capf = nc;
    }
    p->f[p->nf++] = (ald_logfield){k, role, v, n, name};
    return ALD_E_OK;
}

ald_err lp_addc(ald_logparser *p, ald_obs_kind k, ald_obs_role role, const char *v, size_t n,
                const char *name)
{
    /* values the format already copied into scratch memory stay there */
    if ((uintptr_t)v >= (uintptr_t)p->buf && (uintptr_t)(v + n) <= (uintptr_t)(p->buf + p->used))
        return lp_add(p, k, role, v, n, name);
    const char *c = lp_copy(p, v, n);
    if (!c)
        return ALD_E_LOG_LINE;
    return lp_add(p, k, role, c, n, name);
}

/* ---- values ---- */

ald_obs_kind lp_ip(const char *s, size_t n)
{
    char tmp[64];
    unsigned char bin[16];
    if (n < 2 || n >= sizeof tmp)
        return ALD_OBS__COUNT;
    memcpy(tmp, s, n);
    tmp[n] = '\0';
    if (memchr(s, ':', n))
        return inet_pton(AF_INET6, tmp, bin) == 1 ? ALD_OBS_IPV6 : ALD_OBS__COUNT;
    return inet_pton(AF_INET, tmp, bin) == 1 ? ALD_OBS_IPV4 : ALD_OBS__COUNT;
}

bool lp_hostname(const char *s, size_t n)
{
    if (n && s[n - 1] == '.')
        n--;
    if (n == 0 || n > 253)
        return false;
    size_t label = 0;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (c == '.') {
            if (label == 0)
                return false;
            label = 0;
            continue;
        }
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '-' || c == '_'))
            return false;
        if (++label > 63)
            return false;
    }
    return label > 0;
}

bool lp_hex(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')))
            return false;
    }
    return true;
}

ald_err lp_add_host(ald_logparser *p, ald_obs_role role, const char *s, size_t n,
                    const char *name)
{
    ald_obs_kind k = lp_ip(s, n);
    if (k != ALD_OBS__COUNT)
        return lp_addc(p, k, role, s, n, name);
    if (lp_hostname(s, n))
        return lp_addc(p, ALD_OBS_DOMAIN, ALD_ROLE_NONE, s, n, name);
    return ALD_E_OK;
}

ald_err lp_add_hash(ald_logparser *p, const char *s, size_t n, const char *name)
{
    ald_obs_kind k;
    switch (n) {
    case 32: k = ALD_OBS_MD5; break;
    case 40: k = ALD_OBS_SHA1; break;
    case 64: k = ALD_OBS_SHA256; break;
    case 128: k = ALD_OBS_SHA512; break;
    default: return ALD_E_OK;
    }
    if (!lp_hex(s, n))
        return ALD_E_OK;
    return lp_addc(p, k, ALD_ROLE_NONE, s, n, name);
}

bool lp_absolute_url(const char *s, size_t n)
{
    /* a scheme (RFC 3986: a letter, then letters, digits, '+', '-', '.')
     * in the first 16 bytes, "://" and something after it; "://" alone
     * (found by fuzz_zeek) is no URL */
    const char *sep = memmem(s, n < 16 ? n : 16, "://", 3);
    if (!sep || sep == s || sep + 3 >= s + n || !(((*s | 0x20) >= 'a' && (*s | 0x20) <= 'z')))
        return false;
    for (const char *c = s; c < sep; c++)
        if (!(((*c | 0x20) >= 'a' && (*c | 0x20) <= 'z') || (*c >= '0' && *c <= '9') ||
              *c == '+' || *c == '-' || *c == '.'))
            return false;
    return true;
}

ald_err lp_add_email(ald_logparser *p, const char *s, size_t n, const char *name)
{
    /* "Name <a@b>": the part between the last '<' and its '>' */
    const char *lt = NULL;
    for (size_t i = n; i-- > 0;)
        if (s[i] == '<') {
            lt = s + i;
            break;
        }
    if (lt) {
        const char *gt = memchr(lt, '>', (size_t)(s + n - lt));
        if (!gt)
            return ALD_E_OK;
        n = (size_t)(gt - lt - 1);
        s = lt + 1;
    }
    while (n && (*s == ' ' || *s == '\t'))
        s++, n--;
    while (n && (s[n - 1] == ' ' || s[n - 1] == '\t'))
        n--;
    /* exactly one '@' with something on both sides ("@@@a" is no address;
     * quoted local parts holding '@' are left out on purpose) */
    const char *at = n ? memrchr(s, '@', n) : NULL;
    if (!at || at == s || at == s + n - 1 || memchr(s, '@', n) != at)
        return ALD_E_OK;
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)s[i] <= ' ' || s[i] == '<' || s[i] == '>' || s[i] == '"' ||
            s[i] == ',')
            return ALD_E_OK;
    return lp_addc(p, ALD_OBS_EMAIL, ALD_ROLE_NONE, s, n, name);
}

/* ---- time ---- */

/* Days from 1970-01-01 to y-m-d (proleptic Gregorian); the usual shift of
 * the year to start in March so the leap day comes last. */
static int64_t days_from_civil(int64_t y, unsigned m, unsigned d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    unsigned yoe = (unsigned)(y - era * 400);
    unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
    unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + (int64_t)doe - 719468;
}

static bool num(const char *s, size_t n, size_t at, size_t k, unsigned *v)
{
    if (at + k > n)
        return false;
    unsigned r = 0;
    for (size_t i = at; i < at + k; i++) {
        if (s[i] < '0' || s[i] > '9')
            return false;
        r = r * 10 + (unsigned)(s[i] - '0');
    }
    *v = r;
    return true;
}

bool lp_iso_time(const char *s, size_t n, int64_t *sec, int32_t *nsec)
{
    unsigned y, mo, d, h, mi, se;
    if (!num(s, n, 0, 4, &y) || n < 19 || s[4] != '-' || !num(s, n, 5, 2, &mo) ||
        s[7] != '-' || !num(s, n, 8, 2, &d) || (s[10] != 'T' && s[10] != 't' && s[10] != ' ') ||
        !num(s, n, 11, 2, &h) || s[13] != ':' || !num(s, n, 14, 2, &mi) || s[16] != ':' ||
        !num(s, n, 17, 2, &se))
        return false;
    static const unsigned char mdays[12] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (mo < 1 || mo > 12 || d < 1 || d > mdays[mo - 1] || h > 23 || mi > 59 || se > 60)
        return false;
    bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    if (mo == 2 && d == 29 && !leap)
        return false;
    size_t i = 19;
    uint32_t ns = 0;
    if (i < n && (s[i] == '.' || s[i] == ',')) {
        i++;
        size_t k = 0;
        while (i < n && s[i] >= '0' && s[i] <= '9') {
            if (k < 9)
                ns = ns * 10 + (uint32_t)(s[i] - '0');
            k++;
            i++;
        }
        if (k == 0)
            return false;
        for (; k < 9; k++)
            ns *= 10;
    }
    int64_t off = 0;
    if (i < n && (s[i] == 'Z' || s[i] == 'z')) {
        i++;
    } else if (i < n && (s[i] == '+' || s[i] == '-')) {
        int sign = s[i] == '-' ? -1 : 1;
        unsigned oh, om = 0;
        i++;
        if (!num(s, n, i, 2, &oh))
            return false;
        i += 2;
        if (i < n && s[i] == ':')
            i++;
        if (i < n) {
            if (!num(s, n, i, 2, &om))
                return false;
            i += 2;
        }
        if (oh > 23 || om > 59)
            return false;
        off = sign * (int64_t)(oh * 3600 + om * 60);
    }
    if (i != n)
        return false;
    *sec = days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + se - off;
    *nsec = (int32_t)ns;
    return true;
}

bool lp_epoch(const char *s, size_t n, int64_t *sec, int32_t *nsec)
{
    size_t i = 0;
    bool neg = false;
    if (i < n && s[i] == '-')
        neg = true, i++;
    size_t start = i;
    int64_t v = 0;
    while (i < n && s[i] >= '0' && s[i] <= '9') {
        if (i - start >= 15)
            return false;
        v = v * 10 + (s[i] - '0');
        i++;
    }
    if (i == start)
        return false;
    uint32_t ns = 0;
    if (i < n && s[i] == '.') {
        i++;
        size_t k = 0;
        while (i < n && s[i] >= '0' && s[i] <= '9') {
            if (k < 9)
                ns = ns * 10 + (uint32_t)(s[i] - '0');
            k++;
            i++;
        }
        for (; k < 9; k++)
            ns *= 10;
    }
    if (i != n)
        return false;
    if (neg && ns) {
        v = -v - 1;
        ns = 1000000000u - ns;
    } else if (neg) {
        v = -v;
    }
    *sec = v;
    *nsec = (int32_t)ns;
    return true;
}

const char *lp_proto(ald_logparser *p, const char *s, size_t n)
{
    static const struct {
        const char *in, *out;
    } names[] = {
        {"tcp", "tcp"}, {"udp", "udp"}, {"icmp", "icmp"}, {"ipv6-icmp", "ipv6-icmp"},
        {"icmpv6", "ipv6-icmp"}, {"sctp", "sctp"}, {"6", "tcp"}, {"17", "udp"},
        {"1", "icmp"}, {"58", "ipv6-icmp"}, {"132", "sctp"},
    };
    if (n == 0 || n > 32)
        return NULL;
    char low[33];
    for (size_t i = 0; i < n; i++)
        low[i] = (s[i] >= 'A' && s[i] <= 'Z') ? (char)(s[i] + 32) : s[i];
    low[n] = '\0';
    if (strcmp(low, "unknown_transport") == 0)
        return NULL;
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (strcmp(low, names[i].in) == 0)
            return names[i].out;
    return lp_copy(p, low, n);
}

ald_err lp_fail(struct ald_errpos *err, size_t offset, const char *fmt, ...)
{
    if (err) {
        err->code = ALD_E_LOG_LINE;
        err->offset = offset;
        err->line = 0;
        err->col = (unsigned)(offset + 1);
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err->msg, sizeof err->msg, fmt, ap);
        va_end(ap);
    }
    return ALD_E_LOG_LINE;
}
