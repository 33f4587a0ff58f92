/*
 * log_text.c - observables in free text lines (syslog, application logs,
 * anything that is neither EVE nor Zeek).
 *
 * One pass over the line, bounded work per byte: the line is cut into
 * tokens of the bytes an observable can hold (letters, digits and
 * . - _ @ + : %); a token followed by "//" whose tail is a scheme starts a
 * URL, which runs to the next blank, quote, '<', '>', '`', '{', '}', '|',
 * '\\' or '^' (trailing . , ; : ! ? ) ] dropped), and whose host is also
 * reported. Every other token is, in this order:
 *   - an e-mail address when it has an '@' (local part of letters, digits
 *     and . _ % + -, the domain as below);
 *   - an IPv6 address when inet_pton takes it (it has a ':'); otherwise its
 *     pieces between ':' are looked at one by one ("1.2.3.4:80",
 *     "client:evil.example");
 *   - an MD5, SHA-1, SHA-256 or SHA-512 when it is 32, 40, 64 or 128 hex
 *     digits;
 *   - an IPv4 address when it is a dotted quad inet_pton takes;
 *   - a domain when it is a host name of two labels or more whose last
 *     label (the TLD) is 2-63 letters (or an IDN "xn--" label) and not a
 *     common file extension that is no TLD ("a.txt", "setup.exe",
 *     "index.html" are file names; "run.sh" and "x.zip" stay domains since
 *     .sh and .zip are TLDs).
 * Values are reported as written (case kept): lib/match compares domains,
 * e-mail domains and hashes without regard to case.
 *
 * A timestamp at the start of the line (RFC 3339, optionally after a
 * syslog "<PRI>" and version "1 ") is the record's time; otherwise the
 * record has none. At most TEXT_MAX_FIELDS fields per line.
 */
#include "match/logpriv.h"

#include <string.h>
#include <strings.h>

#define TEXT_MAX_FIELDS 1024
#define TOKEN_MAX 512       /* longer tokens hold no observable but a URL */

static inline bool alnum(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

/* Byte classes: 1 a byte of a token, 2 one of '.', ':', '@' (a token
 * without them can only be a hash). */
#define C_WORD 1
#define C_PUNCT 2
#define R4(c) C_WORD, C_WORD, C_WORD, C_WORD
#define R16 R4(0), R4(0), R4(0), R4(0)
static const unsigned char cls[256] = {
    ['0'] = R4(0), R4(0), C_WORD, C_WORD,   /* '0'-'9' */
    ['A'] = R16, R4(0), R4(0), C_WORD, C_WORD,
    ['a'] = R16, R4(0), R4(0), C_WORD, C_WORD,
    ['.'] = C_WORD | C_PUNCT, [':'] = C_WORD | C_PUNCT, ['@'] = C_WORD | C_PUNCT,
    ['-'] = C_WORD, ['_'] = C_WORD, ['+'] = C_WORD, ['%'] = C_WORD,
};
#undef R4
#undef R16

static inline bool wordc(char c)
{
    return cls[(unsigned char)c] & C_WORD;
}

static inline bool url_end(unsigned char c)
{
    return c <= ' ' || c == 0x7f || c == '"' || c == '\'' || c == '<' || c == '>' || c == '`' ||
           c == '{' || c == '}' || c == '|' || c == '\\' || c == '^';
}

/* Extensions of file names that are not top-level domains. */
static bool file_ext(const char *s, size_t n)
{
    static const char *const ext[] = {
        "txt", "log", "exe", "dll", "sys", "bat", "cmd", "ps1", "vbs", "doc", "docx", "xls",
        "xlsx", "ppt", "pptx", "pdf", "rtf", "jpg", "jpeg", "png", "gif", "bmp", "ico", "svg",
        "htm", "html", "php", "asp", "aspx", "jsp", "cgi", "conf", "cfg", "ini", "xml", "json",
        "yml", "yaml", "csv", "tmp", "bak", "dat", "tar", "gz", "tgz", "rar", "jar", "war",
        "class", "rpm", "deb", "msi", "lnk", "eml", "db", "sqlite", "pcap", "pcapng", "avi",
        "wav", "js", "css", "lock", "pid", "sock", "old", "orig", "swp", "out", "err", "bin",
        "iso", "img", "dmg", "apk", "elf", "hta", "scr", "cpl", "ocx", "drv", "tmpl", "cache",
    };
    if (n > 6)
        return false;
    char low[8];
    for (size_t i = 0; i < n; i++)
        low[i] = (char)(s[i] | 0x20);   /* letters only here */
    for (size_t i = 0; i < sizeof ext / sizeof ext[0]; i++)
        if (ext[i][0] == low[0] && strncmp(ext[i], low, n) == 0 && ext[i][n] == '\0')
            return true;
    return false;
}

/* A domain as the text rules want it (see the top comment). */
static bool text_domain(const char *s, size_t n)
{
    if (!lp_hostname(s, n) || s[n - 1] == '.')
        return false;
    const char *dot = memrchr(s, '.', n);
    if (!dot)
        return false;
    const char *tld = dot + 1;
    size_t tn = (size_t)(s + n - tld);
    if (tn < 2 || tn > 63)
        return false;
    if (tn > 4 && strncasecmp(tld, "xn--", 4) == 0)
        return true;
    for (size_t i = 0; i < tn; i++)
        if (!((tld[i] >= 'a' && tld[i] <= 'z') || (tld[i] >= 'A' && tld[i] <= 'Z')))
            return false;
    /* a label may not start or end with '-' */
    for (size_t i = 0; i < n; i++)
        if (s[i] == '-' && (i == 0 || s[i - 1] == '.' || i + 1 == n || s[i + 1] == '.'))
            return false;
    return !file_ext(tld, tn);
}

static bool full(ald_logparser *p)
{
    return p->nf >= TEXT_MAX_FIELDS;
}

/* An IPv4 address, a hash or a domain (a token or piece without ':' and
 * '@'). */
static ald_err plain(ald_logparser *p, const char *s, size_t n)
{
    while (n && (s[n - 1] == '.' || s[n - 1] == '-' || s[n - 1] == '_' || s[n - 1] == '+' ||
                 s[n - 1] == '%'))
        n--;
    while (n && (*s == '.' || *s == '-' || *s == '_' || *s == '+' || *s == '%'))
        s++, n--;
    if (n < 4)
        return ALD_E_OK;
    if ((n == 32 || n == 40 || n == 64 || n == 128) && lp_hex(s, n))
        return lp_add_hash(p, s, n, "text");
    bool dq = true;
    for (size_t i = 0; i < n && dq; i++)
        dq = (s[i] >= '0' && s[i] <= '9') || s[i] == '.';
    if (dq)
        return lp_ip(s, n) == ALD_OBS_IPV4 ? lp_addc(p, ALD_OBS_IPV4, ALD_ROLE_NONE, s, n, "text")
                                           : ALD_E_OK;
    if (text_domain(s, n))
        return lp_addc(p, ALD_OBS_DOMAIN, ALD_ROLE_NONE, s, n, "text");
    return ALD_E_OK;
}

static inline bool local_c(char c)
{
    return alnum(c) || c == '.' || c == '_' || c == '%' || c == '+' || c == '-';
}

static ald_err token(ald_logparser *p, const char *s, size_t n)
{
    if (n > TOKEN_MAX || full(p))
        return ALD_E_OK;
    const char *at = memchr(s, '@', n);
    if (at) {
        /* the address around the last '@': the longest local part before
         * it, the domain after it (up to a ':') */
        at = memrchr(s, '@', n);
        const char *l = at;
        while (l > s && local_c(l[-1]))
            l--;
        while (l < at && *l == '.')
            l++;
        const char *d = at + 1, *e = d;
        while (e < s + n && *e != ':')
            e++;
        size_t dn = (size_t)(e - d);
        while (dn && (d[dn - 1] == '.' || d[dn - 1] == '-'))
            dn--;
        if (l < at && at[-1] != '.' && dn && text_domain(d, dn))
            return lp_addc(p, ALD_OBS_EMAIL, ALD_ROLE_NONE, l, (size_t)(d + dn - l), "text");
        /* not an address: what is after the '@' may still be something */
        return token(p, at + 1, (size_t)(s + n - at - 1));
    }
    if (memchr(s, ':', n)) {
        /* "[::1]" lost its brackets already; "fe80::1%eth0" keeps the zone
         * out */
        size_t m = n;
        while (m && (s[m - 1] == '.'))
            m--;
        const char *pct = memchr(s, '%', m);
        size_t vn = pct ? (size_t)(pct - s) : m;
        bool hexish = false;
        for (size_t i = 0; i < vn; i++)
            hexish |= alnum(s[i]);
        if (hexish && vn <= 45 && lp_ip(s, vn) == ALD_OBS_IPV6)
            return lp_addc(p, ALD_OBS_IPV6, ALD_ROLE_NONE, s, vn, "text");
        ald_err e = ALD_E_OK;
        for (size_t i = 0; i < n && e == ALD_E_OK;) {
            const char *c = memchr(s + i, ':', n - i);
            size_t end = c ? (size_t)(c - s) : n;
            if (end > i)
                e = plain(p, s + i, end - i);
            i = end + 1;
        }
        return e;
    }
    return plain(p, s, n);
}

/* A URL from `start` (its scheme) to its end; returns the index after it. */
static size_t url(ald_logparser *p, const char *s, size_t n, size_t start, size_t slashes,
                  ald_err *e)
{
    size_t i = slashes + 2;
    while (i < n && !url_end((unsigned char)s[i]))
        i++;
    size_t end = i;
    while (end > slashes + 2 && memchr(".,;:!?)]", s[end - 1], 8))
        end--;
    if (end == slashes + 2)
        return i;   /* "http://" alone */
    *e = lp_addc(p, ALD_OBS_URL, ALD_ROLE_NONE, s + start, end - start, "text");
    if (*e != ALD_E_OK || full(p))
        return i;
    /* the host: after user info, up to a port, path, query or fragment */
    size_t h = slashes + 2, he = h;
    while (he < end && s[he] != '/' && s[he] != '?' && s[he] != '#')
        he++;
    const char *atp = memrchr(s + h, '@', he - h);
    if (atp)
        h = (size_t)(atp - s) + 1;
    if (h < he && s[h] == '[') {
        const char *rb = memchr(s + h, ']', he - h);
        if (rb && lp_ip(s + h + 1, (size_t)(rb - s - h - 1)) == ALD_OBS_IPV6)
            *e = lp_addc(p, ALD_OBS_IPV6, ALD_ROLE_NONE, s + h + 1, (size_t)(rb - s - h - 1),
                         "url.host");
        return i;
    }
    const char *colon = memchr(s + h, ':', he - h);
    if (colon)
        he = (size_t)(colon - s);
    if (he > h) {
        ald_obs_kind k = lp_ip(s + h, he - h);
        if (k == ALD_OBS_IPV4)
            *e = lp_addc(p, k, ALD_ROLE_NONE, s + h, he - h, "url.host");
        else if (lp_hostname(s + h, he - h))
            *e = lp_addc(p, ALD_OBS_DOMAIN, ALD_ROLE_NONE, s + h, he - h, "url.host");
    }
    return i;
}

/* "<PRI>", "1 " (RFC 5424), then an RFC 3339 time up to the next blank. */
static void leading_time(const char *s, size_t n, ald_logrec *rec)
{
    size_t i = 0;
    if (i < n && s[i] == '<') {
        const char *gt = memchr(s, '>', n < 6 ? n : 6);
        if (!gt)
            return;
        i = (size_t)(gt - s) + 1;
        if (i + 1 < n && s[i] >= '1' && s[i] <= '9' && s[i + 1] == ' ')
            i += 2;
    }
    size_t e = i;
    while (e < n && s[e] != ' ' && s[e] != '\t' && e - i < 40)
        e++;
    if (e - i >= 19 && lp_iso_time(s + i, e - i, &rec->ts_sec, &rec->ts_nsec))
        rec->has_ts = 1;
}

ald_err lp_text_line(ald_logparser *p, const char *s, size_t n, ald_logrec *rec,
                     struct ald_errpos *err)
{
    rec->type = "text";
    leading_time(s, n, rec);
    ald_err e = ALD_E_OK;
    size_t i = 0;
    while (i < n && e == ALD_E_OK && !full(p)) {
        if (!wordc(s[i])) {
            i++;
            continue;
        }
        size_t start = i;
        /* what the token holds decides what it may be: without '.', ':'
         * or '@' only a hash, so most words cost nothing more */
        unsigned char seen = 0;
        while (i < n && (cls[(unsigned char)s[i]] & C_WORD))
            seen |= cls[(unsigned char)s[i++]];
        bool punct = seen & C_PUNCT;
        size_t tl = i - start;
        if (!punct && tl != 32 && tl != 40 && tl != 64 && tl != 128)
            continue;
        /* "scheme://": the scheme is the tail of the token before ':' */
        if (s[i - 1] == ':' && i + 1 < n && s[i] == '/' && s[i + 1] == '/' && i - start >= 2) {
            size_t sc = i - 1;
            while (sc > start && (alnum(s[sc - 1]) || s[sc - 1] == '+' || s[sc - 1] == '.' ||
                                  s[sc - 1] == '-'))
                sc--;
            while (sc < i - 1 && !((s[sc] >= 'a' && s[sc] <= 'z') || (s[sc] >= 'A' && s[sc] <= 'Z')))
                sc++;
            if (sc < i - 1 && i - 1 - sc <= 32) {
                if (sc > start)
                    e = token(p, s + start, sc - start);
                if (e == ALD_E_OK)
                    i = url(p, s, n, sc, i, &e);
                continue;
            }
        }
        e = token(p, s + start, i - start);
    }
    if (e == ALD_E_LOG_LINE)
        return lp_fail(err, i, "line needs more scratch memory than expected");
    return e;
}
