/*
 * warninglist.c - MISP warninglists (github.com/MISP/misp-warninglists):
 * loading list.json documents into one set, and asking whether a value the
 * matcher found is a known-benign one (ald_wlset_match).
 *
 * Lookups happen once per hit and sets reach a million entries (top-1M
 * domain lists), so the exact-match types share one open-addressing hash
 * table of lower-cased keys, each key with the chain of lists that hold it:
 * a domain costs one probe per label. CIDR lists are sorted, merged range
 * arrays (binary search). Substring and regex lists are scanned entry by
 * entry: upstream has few and short ones (docs/misp.md).
 *
 * After loading the set is read-only, so lookups may run in parallel (regex
 * match data is per call).
 */
#include <arpa/inet.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PCRE2_CODE_UNIT_WIDTH 8
#include <jansson.h>

#include "core/jerr.h"
#include <pcre2.h>

#include "alidade/misp.h"

enum wl_type { WL_STRING, WL_SUBSTRING, WL_HOSTNAME, WL_CIDR, WL_REGEX };
static const char *const wl_type_names[] = {"string", "substring", "hostname", "cidr", "regex"};

struct r4 {
    uint32_t lo, hi;
};
struct u128 {
    uint64_t hi, lo;
};
struct r6 {
    struct u128 lo, hi;
};

struct wl_list {
    char *name, *origin;
    enum wl_type type;
    uint32_t kinds;          /* bit per ald_obs_kind the list applies to */
    size_t entries;          /* entries kept */
    struct r4 *v4;           /* cidr: merged ranges, sorted */
    size_t n4;
    struct r6 *v6;
    size_t n6;
    char **subs;             /* substring: lower-cased entries */
    size_t *sublen, nsubs;
    pcre2_code **re;         /* regex */
    size_t nre;
};

/* One key of the hash table: the first list holding it inline (one cache
 * miss less for a hit), the others in a chain (1-based index into owners,
 * 0: none), the latest first. */
struct slot {
    uint32_t h, off, len, list0, chain;
};
struct owner {
    uint32_t list, next;
};

struct ald_wlset {
    struct wl_list *lists;
    size_t nlists, caplists;
    struct slot *slots;      /* power-of-two capacity, len 0 = empty */
    uint8_t *fp;             /* per slot: 8 bits of its hash, 0 = empty; a
                                miss is decided in this small array without
                                touching the slots (1 MB per million) */
    size_t nslots, used;
    struct owner *owners;
    size_t nowners, capowners;
    char *keys;              /* key bytes, lower-cased */
    size_t nkeys, capkeys;
};

#define ALL_KINDS ((uint32_t)((1u << ALD_OBS__COUNT) - 1))
#define K(k) (1u << (k))

static unsigned char lc(unsigned char c)
{
    return c >= 'A' && c <= 'Z' ? (unsigned char)(c + 32) : c;
}

/* FNV-1a over lower-cased bytes, folded to 32 bits. */
static uint32_t hash_ci(const char *s, size_t n)
{
    uint64_t h = 1469598103934665603ULL;
    for (size_t i = 0; i < n; i++) {
        h ^= lc((unsigned char)s[i]);
        h *= 1099511628211ULL;
    }
    return (uint32_t)(h ^ (h >> 32));
}

static bool eq_ci(const char *stored, const char *q, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)stored[i] != lc((unsigned char)q[i]))
            return false;
    return true;
}

__attribute__((format(printf, 3, 4)))
static void fail(struct ald_errpos *err, ald_err code, const char *fmt, ...)
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

ald_wlset *ald_wlset_new(void)
{
    ald_wlset *s = calloc(1, sizeof *s);
    if (!s)
        return NULL;
    s->nslots = 1024;
    s->slots = calloc(s->nslots, sizeof *s->slots);
    s->fp = calloc(s->nslots, 1);
    if (!s->slots || !s->fp) {
        free(s->slots);
        free(s->fp);
        free(s);
        return NULL;
    }
    return s;
}

static void list_free(struct wl_list *l)
{
    free(l->name);
    free(l->origin);
    free(l->v4);
    free(l->v6);
    for (size_t i = 0; i < l->nsubs; i++)
        free(l->subs[i]);
    free(l->subs);
    free(l->sublen);
    for (size_t i = 0; i < l->nre; i++)
        pcre2_code_free(l->re[i]);
    free(l->re);
}

void ald_wlset_free(ald_wlset *s)
{
    if (!s)
        return;
    for (size_t i = 0; i < s->nlists; i++)
        list_free(&s->lists[i]);
    free(s->lists);
    free(s->slots);
    free(s->fp);
    free(s->owners);
    free(s->keys);
    free(s);
}

/* ---- the hash table ---- */

/* The slot index comes from the low bits of the hash, the fingerprint
 * from the high ones. */
static uint8_t fp_of(uint32_t h)
{
    return (uint8_t)((h >> 24) | 1);
}

/* The slot holding key k, or the empty one where it would go. */
static size_t find_slot(const ald_wlset *s, const char *k, size_t n, uint32_t h)
{
    size_t mask = s->nslots - 1;
    uint8_t f = fp_of(h);
    for (size_t i = h & mask;; i = (i + 1) & mask) {
        uint8_t g = s->fp[i];
        if (g == 0)
            return i;
        if (g == f) {
            const struct slot *sl = &s->slots[i];
            if (sl->h == h && sl->len == n && eq_ci(s->keys + sl->off, k, n))
                return i;
        }
    }
}

static bool grow_table(ald_wlset *s)
{
    size_t n = s->nslots * 2;
    struct slot *ns = calloc(n, sizeof *ns);
    uint8_t *nf = calloc(n, 1);
    if (!ns || !nf) {
        free(ns);
        free(nf);
        return false;
    }
    for (size_t i = 0; i < s->nslots; i++) {
        struct slot *o = &s->slots[i];
        if (!o->len)
            continue;
        size_t j = o->h & (n - 1);
        while (nf[j])
            j = (j + 1) & (n - 1);
        ns[j] = *o;
        nf[j] = fp_of(o->h);
    }
    free(s->slots);
    free(s->fp);
    s->slots = ns;
    s->fp = nf;
    s->nslots = n;
    return true;
}

/* Adds key (lower-cased here) as held by list l. Keys are at most 4 GB in
 * all: far beyond any list (the JSON of a list is read whole). */
static bool table_add(ald_wlset *s, const char *k, size_t n, uint32_t l)
{
    if (n == 0 || n > UINT32_MAX / 2)
        return true;
    if ((s->used + 1) * 4 >= s->nslots * 3 && !grow_table(s))
        return false;
    uint32_t h = hash_ci(k, n);
    size_t at = find_slot(s, k, n, h);
    struct slot *sl = &s->slots[at];
    if (sl->len && (sl->chain ? s->owners[sl->chain - 1].list : sl->list0) == l)
        return true;             /* the same entry twice in one list */
    if (!sl->len) {
        if (s->nkeys + n > UINT32_MAX)
            return false;
        if (s->nkeys + n > s->capkeys) {
            size_t cap = s->capkeys ? s->capkeys * 2 : 65536;
            while (cap < s->nkeys + n)
                cap *= 2;
            char *nk = realloc(s->keys, cap);
            if (!nk)
                return false;
            s->keys = nk;
            s->capkeys = cap;
        }
        for (size_t i = 0; i < n; i++)
            s->keys[s->nkeys + i] = (char)lc((unsigned char)k[i]);
        sl->h = h;
        sl->off = (uint32_t)s->nkeys;
        sl->len = (uint32_t)n;
        sl->list0 = l;
        sl->chain = 0;
        s->fp[at] = fp_of(h);
        s->nkeys += n;
        s->used++;
        return true;
    }
    if (s->nowners == s->capowners) {
        size_t cap = s->capowners ? s->capowners * 2 : 4096;
        struct owner *no = realloc(s->owners, cap * sizeof *no);
        if (!no)
            return false;
        s->owners = no;
        s->capowners = cap;
    }
    s->owners[s->nowners] = (struct owner){l, sl->chain};
    sl->chain = (uint32_t)++s->nowners;
    return true;
}

/* ---- addresses ---- */

static bool parse_ip(const char *v, size_t n, int *fam, uint8_t out[16])
{
    char buf[64];
    if (n == 0 || n >= sizeof buf)
        return false;
    if (v[0] == '[' && v[n - 1] == ']') {   /* URL host form of IPv6 */
        v++;
        n -= 2;
    }
    memcpy(buf, v, n);
    buf[n] = 0;
    if (inet_pton(AF_INET, buf, out) == 1) {
        *fam = 4;
        return true;
    }
    if (inet_pton(AF_INET6, buf, out) == 1) {
        *fam = 6;
        return true;
    }
    return false;
}

static struct u128 u128_of(const uint8_t b[16])
{
    struct u128 r = {0, 0};
    for (int i = 0; i < 8; i++) {
        r.hi = r.hi << 8 | b[i];
        r.lo = r.lo << 8 | b[8 + i];
    }
    return r;
}

static int u128_cmp(struct u128 a, struct u128 b)
{
    if (a.hi != b.hi)
        return a.hi < b.hi ? -1 : 1;
    return a.lo < b.lo ? -1 : a.lo > b.lo;
}

/* "a.b.c.d", "a.b.c.d/n", IPv6 the same; host bits set in the address are
 * ignored (the prefix decides). */
static bool parse_cidr(const char *v, size_t n, int *fam, struct r4 *r4, struct r6 *r6)
{
    const char *slash = memchr(v, '/', n);
    size_t alen = slash ? (size_t)(slash - v) : n;
    uint8_t b[16];
    if (!parse_ip(v, alen, fam, b))
        return false;
    unsigned max = *fam == 4 ? 32 : 128, bits = max;
    if (slash) {
        const char *p = slash + 1, *e = v + n;
        if (p == e || e - p > 3)
            return false;
        bits = 0;
        for (; p < e; p++) {
            if (*p < '0' || *p > '9')
                return false;
            bits = bits * 10 + (unsigned)(*p - '0');
        }
        if (bits > max)
            return false;
    }
    if (*fam == 4) {
        uint32_t a = (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3];
        uint32_t m = bits == 0 ? 0 : 0xffffffffu << (32 - bits);
        r4->lo = a & m;
        r4->hi = r4->lo | ~m;
    } else {
        struct u128 a = u128_of(b), m;
        m.hi = bits == 0 ? 0 : bits >= 64 ? UINT64_MAX : UINT64_MAX << (64 - bits);
        m.lo = bits <= 64 ? 0 : bits == 128 ? UINT64_MAX : UINT64_MAX << (128 - bits);
        r6->lo = (struct u128){a.hi & m.hi, a.lo & m.lo};
        r6->hi = (struct u128){r6->lo.hi | ~m.hi, r6->lo.lo | ~m.lo};
    }
    return true;
}

static int cmp_r4(const void *a, const void *b)
{
    const struct r4 *x = a, *y = b;
    return x->lo < y->lo ? -1 : x->lo > y->lo;
}

static int cmp_r6(const void *a, const void *b)
{
    const struct r6 *x = a, *y = b;
    return u128_cmp(x->lo, y->lo);
}

/* Sorts and merges overlapping or adjacent ranges in place. */
static size_t merge_r4(struct r4 *r, size_t n)
{
    if (n == 0)
        return 0;
    qsort(r, n, sizeof *r, cmp_r4);
    size_t k = 0;
    for (size_t i = 1; i < n; i++) {
        if (r[k].hi == UINT32_MAX || r[i].lo <= r[k].hi + 1) {
            if (r[i].hi > r[k].hi)
                r[k].hi = r[i].hi;
        } else {
            r[++k] = r[i];
        }
    }
    return k + 1;
}

static size_t merge_r6(struct r6 *r, size_t n)
{
    if (n == 0)
        return 0;
    qsort(r, n, sizeof *r, cmp_r6);
    size_t k = 0;
    for (size_t i = 1; i < n; i++) {
        if (u128_cmp(r[i].lo, r[k].hi) <= 0) {
            if (u128_cmp(r[i].hi, r[k].hi) > 0)
                r[k].hi = r[i].hi;
        } else {
            r[++k] = r[i];
        }
    }
    return k + 1;
}

static bool in_v4(const struct wl_list *l, uint32_t a)
{
    size_t lo = 0, hi = l->n4;          /* first range with lo > a */
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (l->v4[mid].lo <= a)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo > 0 && a <= l->v4[lo - 1].hi;
}

static bool in_v6(const struct wl_list *l, struct u128 a)
{
    size_t lo = 0, hi = l->n6;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (u128_cmp(l->v6[mid].lo, a) <= 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo > 0 && u128_cmp(a, l->v6[lo - 1].hi) <= 0;
}

/* ---- loading ---- */

/* MISP attribute types (matching_attributes) -> the observable kinds they
 * hold. Types not listed here hold nothing the matcher reports. A
 * "domain|ip" attribute is looked up by its address in CIDR lists and by
 * its domain in the others: a list of top domains that names domain|ip does
 * not apply to addresses, nor a list of ranges to domains. */
static uint32_t attr_kinds(const char *t, bool cidr)
{
    if (strcmp(t, "domain|ip") == 0)
        return cidr ? K(ALD_OBS_IPV4) | K(ALD_OBS_IPV6) : K(ALD_OBS_DOMAIN);
    static const struct {
        const char *type;
        uint32_t kinds;
    } map[] = {
        {"ip-src", K(ALD_OBS_IPV4) | K(ALD_OBS_IPV6)},
        {"ip-dst", K(ALD_OBS_IPV4) | K(ALD_OBS_IPV6)},
        {"ip-src|port", K(ALD_OBS_IPV4) | K(ALD_OBS_IPV6)},
        {"ip-dst|port", K(ALD_OBS_IPV4) | K(ALD_OBS_IPV6)},

        {"domain", K(ALD_OBS_DOMAIN)},
        {"hostname", K(ALD_OBS_DOMAIN)},
        {"hostname|port", K(ALD_OBS_DOMAIN)},
        {"url", K(ALD_OBS_URL)},
        {"uri", K(ALD_OBS_URL)},
        {"link", K(ALD_OBS_URL)},
        {"email", K(ALD_OBS_EMAIL)},
        {"email-src", K(ALD_OBS_EMAIL)},
        {"email-dst", K(ALD_OBS_EMAIL)},
        {"email-reply-to", K(ALD_OBS_EMAIL)},
        {"target-email", K(ALD_OBS_EMAIL)},
        {"whois-registrant-email", K(ALD_OBS_EMAIL)},
        {"md5", K(ALD_OBS_MD5)},
        {"sha1", K(ALD_OBS_SHA1)},
        {"sha256", K(ALD_OBS_SHA256)},
        {"sha512", K(ALD_OBS_SHA512)},
        {"filename", K(ALD_OBS_FILE_NAME)},
        {"filename|md5", K(ALD_OBS_FILE_NAME) | K(ALD_OBS_MD5)},
        {"filename|sha1", K(ALD_OBS_FILE_NAME) | K(ALD_OBS_SHA1)},
        {"filename|sha256", K(ALD_OBS_FILE_NAME) | K(ALD_OBS_SHA256)},
        {"filename|sha512", K(ALD_OBS_FILE_NAME) | K(ALD_OBS_SHA512)},
        {"port", K(ALD_OBS_PORT)},
        {"x509-fingerprint-sha1", K(ALD_OBS_X509_SHA1)},
    };
    for (size_t i = 0; i < sizeof map / sizeof map[0]; i++)
        if (strcmp(map[i].type, t) == 0)
            return map[i].kinds;
    return 0;
}

/* PHP-style "/re/flags" (how MISP writes them, for preg_match) or a bare
 * pattern. */
static pcre2_code *compile_re(const char *v, size_t n)
{
    uint32_t opts = 0;
    const char *p = v;
    size_t plen = n;
    if (n >= 2 && (v[0] == '/' || v[0] == '#' || v[0] == '~' || v[0] == '!' || v[0] == '|')) {
        size_t end = n - 1;
        while (end > 0 && v[end] != v[0])
            end--;
        bool flags_ok = end > 0;
        for (size_t i = end + 1; flags_ok && i < n; i++) {
            switch (v[i]) {
            case 'i': opts |= PCRE2_CASELESS; break;
            case 'm': opts |= PCRE2_MULTILINE; break;
            case 's': opts |= PCRE2_DOTALL; break;
            case 'x': opts |= PCRE2_EXTENDED; break;
            case 'u': opts |= PCRE2_UTF; break;
            default: flags_ok = false;
            }
        }
        if (flags_ok) {
            p = v + 1;
            plen = end - 1;
        } else {
            opts = 0;
        }
    }
    int ec;
    PCRE2_SIZE eo;
    pcre2_code *re = pcre2_compile((PCRE2_SPTR)p, plen, opts, &ec, &eo, NULL);
    if (re)
        (void)pcre2_jit_compile(re, PCRE2_JIT_COMPLETE);
    return re;
}

/* Entries of a hostname list: "*.example.com" and ".example.com" mean the
 * domain and its subdomains, as "example.com" does; a final dot is not
 * part of the name. */
static void host_trim(const char **v, size_t *n)
{
    if (*n >= 2 && (*v)[0] == '*' && (*v)[1] == '.') {
        *v += 2;
        *n -= 2;
    } else if (*n >= 1 && (*v)[0] == '.') {
        *v += 1;
        *n -= 1;
    }
    while (*n > 0 && (*v)[*n - 1] == '.')
        (*n)--;
}

static bool grow_lists(ald_wlset *s)
{
    if (s->nlists < s->caplists)
        return true;
    size_t cap = s->caplists ? s->caplists * 2 : 32;
    struct wl_list *nl = realloc(s->lists, cap * sizeof *nl);
    if (!nl)
        return false;
    s->lists = nl;
    s->caplists = cap;
    return true;
}

/* Fills the per-list arrays of cidr, substring and regex lists. Entries
 * that do not parse are skipped (upstream lists carry a stray one now and
 * then); ALD_E_MISP only when none of a non-empty list parses. */
static ald_err load_scanned(struct wl_list *l, json_t *arr, struct ald_errpos *err)
{
    size_t n = json_array_size(arr), bad = 0, i;
    json_t *e;
    if (l->type == WL_CIDR) {
        l->v4 = malloc((n ? n : 1) * sizeof *l->v4);
        l->v6 = malloc((n ? n : 1) * sizeof *l->v6);
        if (!l->v4 || !l->v6)
            return ALD_E_NOMEM;
    } else if (l->type == WL_SUBSTRING) {
        l->subs = calloc(n ? n : 1, sizeof *l->subs);
        l->sublen = calloc(n ? n : 1, sizeof *l->sublen);
        if (!l->subs || !l->sublen)
            return ALD_E_NOMEM;
    } else {
        l->re = calloc(n ? n : 1, sizeof *l->re);
        if (!l->re)
            return ALD_E_NOMEM;
    }
    json_array_foreach(arr, i, e) {
        const char *v = json_string_value(e);
        size_t vn = json_string_length(e);
        if (vn == 0)
            continue;
        if (l->type == WL_CIDR) {
            int fam;
            struct r4 r4;
            struct r6 r6;
            /* entries may carry spaces around them */
            while (vn && (*v == ' ' || *v == '\t')) {
                v++;
                vn--;
            }
            while (vn && (v[vn - 1] == ' ' || v[vn - 1] == '\t'))
                vn--;
            if (!parse_cidr(v, vn, &fam, &r4, &r6)) {
                bad++;
                continue;
            }
            if (fam == 4)
                l->v4[l->n4++] = r4;
            else
                l->v6[l->n6++] = r6;
        } else if (l->type == WL_SUBSTRING) {
            char *c = malloc(vn + 1);
            if (!c)
                return ALD_E_NOMEM;
            for (size_t j = 0; j < vn; j++)
                c[j] = (char)lc((unsigned char)v[j]);
            c[vn] = 0;
            l->subs[l->nsubs] = c;
            l->sublen[l->nsubs++] = vn;
        } else {
            pcre2_code *re = compile_re(v, vn);
            if (!re) {
                bad++;
                continue;
            }
            l->re[l->nre++] = re;
        }
        l->entries++;
    }
    if (bad && l->entries == 0) {
        fail(err, ALD_E_MISP, "%s list: none of its %zu entries parses", wl_type_names[l->type],
             bad);
        return ALD_E_MISP;
    }
    l->n4 = merge_r4(l->v4, l->n4);
    l->n6 = merge_r6(l->v6, l->n6);
    return ALD_E_OK;
}

ald_err ald_wlset_load_json(ald_wlset *s, const char *json, size_t len, const char *origin,
                            struct ald_errpos *err)
{
    if (err)
        memset(err, 0, sizeof *err);
    if (!s || !json)
        return ALD_E_ARG;
    json_t *root = ald_json_loadb(json, len, err);
    if (!root)
        return ALD_E_JSON;
    ald_err rc = ALD_E_MISP;
    const char *name = json_string_value(json_object_get(root, "name"));
    const char *type = json_string_value(json_object_get(root, "type"));
    json_t *arr = json_object_get(root, "list");
    json_t *ma = json_object_get(root, "matching_attributes");
    struct wl_list l = {0};
    size_t i;
    json_t *e;
    if (!json_is_object(root)) {
        fail(err, ALD_E_MISP, "not a warninglist: not a JSON object");
        goto out;
    }
    if (!name || !type || !json_is_array(arr)) {
        fail(err, ALD_E_MISP, "not a warninglist: member '%s' missing or of the wrong type",
             !name ? "name" : !type ? "type" : "list");
        goto out;
    }
    int t = 0;
    while (t <= WL_REGEX && strcmp(type, wl_type_names[t]) != 0)
        t++;
    l.type = (enum wl_type)t;
    if (t > WL_REGEX) {
        fail(err, ALD_E_MISP, "unknown list type '%.60s' (string, substring, hostname, cidr, "
             "regex)", type);
        goto out;
    }
    json_array_foreach(arr, i, e) {
        if (!json_is_string(e)) {
            fail(err, ALD_E_MISP, "list[%zu] is not a string", i);
            goto out;
        }
    }
    if (ma && !json_is_array(ma)) {
        fail(err, ALD_E_MISP, "matching_attributes is not an array");
        goto out;
    }
    l.kinds = json_array_size(ma) ? 0 : ALL_KINDS;
    json_array_foreach(ma, i, e) {
        if (json_is_string(e))
            l.kinds |= attr_kinds(json_string_value(e), l.type == WL_CIDR);
    }
    rc = ALD_E_NOMEM;
    l.name = strdup(name);
    l.origin = strdup(origin ? origin : name);
    if (!l.name || !l.origin || !grow_lists(s))
        goto out;
    if (l.type == WL_STRING || l.type == WL_HOSTNAME) {
        /* the list's index is taken now: the table refers to it */
        uint32_t idx = (uint32_t)s->nlists;
        json_array_foreach(arr, i, e) {
            const char *v = json_string_value(e);
            size_t vn = json_string_length(e);
            if (l.type == WL_HOSTNAME)
                host_trim(&v, &vn);
            if (vn == 0)
                continue;
            if (!table_add(s, v, vn, idx)) {
                /* keep the index taken, disabled, so that no later list
                 * inherits these keys */
                l.kinds = 0;
                s->lists[s->nlists++] = l;
                json_decref(root);
                return ALD_E_NOMEM;
            }
            l.entries++;
        }
    } else {
        rc = load_scanned(&l, arr, err);
        if (rc != ALD_E_OK)
            goto out;
    }
    s->lists[s->nlists++] = l;
    json_decref(root);
    return ALD_E_OK;
out:
    if (err && rc == ALD_E_NOMEM) {
        err->code = rc;
        snprintf(err->msg, sizeof err->msg, "out of memory");
    }
    list_free(&l);
    json_decref(root);
    return rc;
}

/* ---- lookup ---- */

struct acc {
    size_t best;             /* lowest list index found, SIZE_MAX none */
    unsigned char *seen;     /* match_all: one byte per list */
};

static void hit(struct acc *a, size_t l)
{
    if (l < a->best)
        a->best = l;
    if (a->seen)
        a->seen[l] = 1;
}

/* Lists holding key k (exact, case ignored) with a type in `types` (bit
 * per enum wl_type) that apply to kind. */
static void probe(const ald_wlset *s, const char *k, size_t n, unsigned types, uint32_t kbit,
                  struct acc *a)
{
    if (n == 0 || s->used == 0)
        return;
    size_t at = find_slot(s, k, n, hash_ci(k, n));
    if (!s->fp[at])
        return;
    const struct slot *sl = &s->slots[at];
    const struct wl_list *l0 = &s->lists[sl->list0];
    if ((l0->kinds & kbit) && (types & (1u << l0->type)))
        hit(a, sl->list0);
    for (uint32_t c = sl->chain; c; c = s->owners[c - 1].next) {
        const struct wl_list *l = &s->lists[s->owners[c - 1].list];
        if ((l->kinds & kbit) && (types & (1u << l->type)))
            hit(a, s->owners[c - 1].list);
    }
}

/* The host of a URL: after "scheme://" and any "user@", up to the port,
 * path, query or fragment; URLs without a scheme (MISP has many) start
 * with the host. */
static void url_host(const char *v, size_t n, const char **h, size_t *hn)
{
    const char *p = v, *e = v + n;
    for (const char *q = v; q + 2 < e; q++) {
        if (q[0] == ':' && q[1] == '/' && q[2] == '/') {
            p = q + 3;
            break;
        }
        if (*q == '/' || *q == '?' || *q == '#')
            break;
    }
    const char *end = p;
    while (end < e && *end != '/' && *end != '?' && *end != '#')
        end++;
    const char *at = NULL;
    for (const char *q = p; q < end; q++)
        if (*q == '@')
            at = q;
    if (at)
        p = at + 1;
    const char *hend = p;
    if (p < end && *p == '[') {
        while (hend < end && *hend != ']')
            hend++;
        if (hend < end)
            hend++;
    } else {
        while (hend < end && *hend != ':')
            hend++;
    }
    *h = p;
    *hn = (size_t)(hend - p);
}

static bool contains_ci(const char *v, size_t n, const char *sub, size_t sn)
{
    if (sn > n)
        return false;
    for (size_t i = 0; i + sn <= n; i++) {
        size_t j = 0;
        while (j < sn && lc((unsigned char)v[i + j]) == (unsigned char)sub[j])
            j++;
        if (j == sn)
            return true;
    }
    return false;
}

static bool regex_any(const struct wl_list *l, const char *v, size_t n)
{
    for (size_t i = 0; i < l->nre; i++) {
        pcre2_match_data *md = pcre2_match_data_create_from_pattern(l->re[i], NULL);
        if (!md)
            return false;
        int rc = pcre2_match(l->re[i], (PCRE2_SPTR)v, n, 0, 0, md, NULL);
        pcre2_match_data_free(md);
        if (rc >= 0)
            return true;
    }
    return false;
}

static void lookup(const ald_wlset *s, ald_obs_kind kind, const char *v, size_t n, struct acc *a)
{
    if (!s || !v || (unsigned)kind >= ALD_OBS__COUNT)
        return;
    uint32_t kbit = K(kind);
    const unsigned exact = 1u << WL_STRING | 1u << WL_HOSTNAME, host = 1u << WL_HOSTNAME;
    /* the value itself, and the host inside it (URL, e-mail address) */
    const char *full = v, *h = NULL;
    size_t fn = n, hn = 0;
    if (kind == ALD_OBS_DOMAIN)
        while (fn > 0 && full[fn - 1] == '.')
            fn--;
    if (kind == ALD_OBS_URL) {
        url_host(v, n, &h, &hn);
    } else if (kind == ALD_OBS_EMAIL) {
        const char *at = NULL;
        for (size_t i = 0; i < n; i++)
            if (v[i] == '@')
                at = v + i;
        if (at) {
            h = at + 1;
            hn = (size_t)(v + n - h);
        }
    } else if (kind == ALD_OBS_DOMAIN) {
        h = full;
        hn = fn;
    }
    while (h && hn > 0 && h[hn - 1] == '.')
        hn--;
    probe(s, full, fn, exact, kbit, a);
    int fam;
    uint8_t ip[16];
    const char *ipv = kind == ALD_OBS_IPV4 || kind == ALD_OBS_IPV6 ? full : h;
    size_t ipn = ipv == full ? fn : hn;
    bool is_ip = ipv && parse_ip(ipv, ipn, &fam, ip);
    if (h && hn && h != full) {
        probe(s, h, hn, exact, kbit, a);
    }
    /* parent domains: hostname lists only */
    if (h && hn && !is_ip) {
        for (size_t i = 0; i < hn; i++)
            if (h[i] == '.')
                probe(s, h + i + 1, hn - i - 1, host, kbit, a);
    }
    for (size_t li = 0; li < s->nlists; li++) {
        const struct wl_list *l = &s->lists[li];
        if (!(l->kinds & kbit) || l->type == WL_STRING || l->type == WL_HOSTNAME)
            continue;
        if (!a->seen && li >= a->best)
            break;
        bool m = false;
        if (l->type == WL_CIDR && is_ip) {
            m = fam == 4 ? in_v4(l, (uint32_t)ip[0] << 24 | (uint32_t)ip[1] << 16 |
                                        (uint32_t)ip[2] << 8 | ip[3])
                         : in_v6(l, u128_of(ip));
        } else if (l->type == WL_SUBSTRING) {
            for (size_t j = 0; j < l->nsubs && !m; j++)
                m = contains_ci(v, n, l->subs[j], l->sublen[j]);
        } else if (l->type == WL_REGEX) {
            m = regex_any(l, v, n);
        }
        if (m)
            hit(a, li);
    }
}

const char *ald_wlset_match(const ald_wlset *s, ald_obs_kind kind, const char *value, size_t len)
{
    struct acc a = {SIZE_MAX, NULL};
    lookup(s, kind, value, len, &a);
    return a.best == SIZE_MAX ? NULL : s->lists[a.best].name;
}

size_t ald_wlset_match_all(const ald_wlset *s, ald_obs_kind kind, const char *value, size_t len,
                           size_t *idx, size_t max)
{
    if (!s || s->nlists == 0)
        return 0;
    struct acc a = {SIZE_MAX, calloc(s->nlists, 1)};
    if (!a.seen)
        return 0;
    lookup(s, kind, value, len, &a);
    size_t n = 0;
    for (size_t i = 0; i < s->nlists; i++)
        if (a.seen[i]) {
            if (n < max)
                idx[n] = i;
            n++;
        }
    free(a.seen);
    return n;
}

size_t ald_wlset_count(const ald_wlset *s)
{
    return s ? s->nlists : 0;
}

const char *ald_wlset_name(const ald_wlset *s, size_t i)
{
    return s && i < s->nlists ? s->lists[i].name : NULL;
}

const char *ald_wlset_origin(const ald_wlset *s, size_t i)
{
    return s && i < s->nlists ? s->lists[i].origin : NULL;
}

const char *ald_wlset_type(const ald_wlset *s, size_t i)
{
    return s && i < s->nlists ? wl_type_names[s->lists[i].type] : NULL;
}

size_t ald_wlset_entries(const ald_wlset *s, size_t i)
{
    return s && i < s->nlists ? s->lists[i].entries : 0;
}

/* ---- kind of a bare value ---- */

ald_obs_kind ald_wl_guess_kind(const char *v, size_t n)
{
    int fam;
    uint8_t ip[16];
    if (parse_ip(v, n, &fam, ip))
        return fam == 4 ? ALD_OBS_IPV4 : ALD_OBS_IPV6;
    for (size_t i = 0; i + 2 < n; i++)
        if (v[i] == ':' && v[i + 1] == '/' && v[i + 2] == '/')
            return ALD_OBS_URL;
    if (memchr(v, '@', n))
        return ALD_OBS_EMAIL;
    bool hex = n > 0;
    for (size_t i = 0; i < n && hex; i++)
        hex = (v[i] >= '0' && v[i] <= '9') || (lc((unsigned char)v[i]) >= 'a' &&
                                               lc((unsigned char)v[i]) <= 'f');
    if (hex && n == 32)
        return ALD_OBS_MD5;
    if (hex && n == 40)
        return ALD_OBS_SHA1;
    if (hex && n == 64)
        return ALD_OBS_SHA256;
    if (hex && n == 128)
        return ALD_OBS_SHA512;
    return ALD_OBS_DOMAIN;
}
