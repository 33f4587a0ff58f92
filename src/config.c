/*
 * config.c - `alidade serve --config FILE`: an INI file read with libinih
 * into struct serve_settings. Every key is in one table (section, name,
 * kind, where it goes); anything else is an error naming the file and the
 * line, and so is a key given twice (which also catches an indented line
 * that libinih would take as a continuation of the key before). Lines are
 * read by our own reader so that the line number of a bad value is exact
 * and a line too long for libinih's buffer is an error, not two lines.
 */
#include <ctype.h>
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <ini.h>

#include "config.h"

enum kind { K_STR, K_BOOL, K_SIZE, K_THREADS, K_TLP, K_ROOT, K_IDENTITY, K_LOGFMT, K_LOGLEVEL };

struct key {
    const char *section, *name;
    enum kind kind;
    size_t off;                      /* offsetof the field in serve_settings */
    size_t lo, hi;                   /* K_SIZE bounds */
};

#define F(m) offsetof(struct serve_settings, m)
static const struct key keys[] = {
    {"server", "listen", K_STR, F(listen), 0, 0},
    {"server", "data", K_STR, F(data), 0, 0},
    {"server", "threads", K_THREADS, F(threads), 1, SERVE_MAX_THREADS},
    {"server", "tls_cert", K_STR, F(cert), 0, 0},
    {"server", "tls_key", K_STR, F(key), 0, 0},
    {"server", "tls_ca", K_STR, F(ca), 0, 0},
    {"server", "insecure_plain_http", K_BOOL, F(insecure), 0, 0},
    {"server", "access_log", K_BOOL, F(access_log), 0, 0},
    {"server", "max_body", K_SIZE, F(max_body), 1024, (size_t)1 << 30},
    {"server", "max_page", K_SIZE, F(max_page), 1, 100000},
    {"server", "upload_budget", K_SIZE, F(upload_budget), 65536, (size_t)1 << 34},
    {"server", "api_root", K_ROOT, F(api_root), 0, 0},
    {"policy", "default_tlp", K_TLP, F(default_tlp), 0, 0},
    {"node", "title", K_STR, F(title), 0, 0},
    {"node", "identity", K_IDENTITY, F(identity), 0, 0},
    {"log", "format", K_LOGFMT, F(log_format), 0, 0},
    {"log", "level", K_LOGLEVEL, F(log_level), 0, 0},
    {"federation", "sync_interval", K_THREADS, F(sync_interval), 1, 86400},
};
#undef F
#define NKEYS (sizeof keys / sizeof keys[0])

void config_defaults(struct serve_settings *s)
{
    *s = (struct serve_settings){
        .data = "alidade-data", .listen = "127.0.0.1:8700", .title = "alidade node",
        .api_root = "api", .threads = 4, .max_body = 16u << 20, .max_page = 1000,
        .upload_budget = 64u << 20, .default_tlp = STIX_TLP_AMBER,
        .log_format = NLOG_TEXT, .log_level = NLOG_INFO, .sync_interval = 30,
        .history_days = 7,
    };
}

void config_free(struct serve_settings *s)
{
    for (size_t i = 0; i < s->nowned; i++)
        free(s->owned[i]);
    s->nowned = 0;
}

static const char *const tlp_names[] = {"clear", "green", "amber", "amber+strict", "red"};

bool config_parse_tlp(const char *s, enum stix_tlp *t)
{
    for (int i = 0; i < 5; i++)
        if (strcasecmp(s, tlp_names[i]) == 0) {
            *t = (enum stix_tlp)i;
            return true;
        }
    return false;
}

const char *config_tlp_name(enum stix_tlp t)
{
    return (unsigned)t < 5 ? tlp_names[t] : "?";
}

bool config_parse_size(const char *s, size_t lo, size_t hi, size_t *out)
{
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (!*s || *s == '-' || *s == '+' || isspace((unsigned char)*s) || *end || errno ||
        v < lo || v > hi)
        return false;
    *out = (size_t)v;
    return true;
}

bool config_parse_bool(const char *s, bool *out)
{
    static const char *const yes[] = {"true", "yes", "on", "1"};
    static const char *const no[] = {"false", "no", "off", "0"};
    for (int i = 0; i < 4; i++) {
        if (strcasecmp(s, yes[i]) == 0) {
            *out = true;
            return true;
        }
        if (strcasecmp(s, no[i]) == 0) {
            *out = false;
            return true;
        }
    }
    return false;
}

bool config_api_root_valid(const char *s)
{
    return *s && strlen(s) < 64 && !strchr(s, '/') && strcmp(s, "taxii2") != 0;
}

/* "identity--" and a UUID in lower-case hex (STIX 2.1 identifiers). */
static bool identity_valid(const char *s)
{
    static const char prefix[] = "identity--";
    if (strncmp(s, prefix, sizeof prefix - 1) != 0)
        return false;
    s += sizeof prefix - 1;
    for (int i = 0; i < 36; i++) {
        bool dash = i == 8 || i == 13 || i == 18 || i == 23;
        if (dash ? s[i] != '-' : !(isdigit((unsigned char)s[i]) || (s[i] >= 'a' && s[i] <= 'f')))
            return false;
    }
    return s[36] == '\0';
}

/* Parsing state: the settings, which keys were seen, the line reader's
 * position and the first error. */
struct parse {
    struct serve_settings *s;
    FILE *f;
    const char *path;
    int line;                        /* lines read so far */
    int long_line;                   /* first line too long (0: none) */
    int max_line;                    /* libinih's buffer, NUL excluded */
    int fail_line;                   /* line of the first error */
    bool seen[NKEYS];
    char *err;
    size_t errlen;
    bool failed;
};

static void fail(struct parse *p, const char *fmt, const char *a, const char *b)
{
    if (p->failed)
        return;
    p->failed = true;
    p->fail_line = p->line;
    char msg[256];
    snprintf(msg, sizeof msg, fmt, a, b);
    snprintf(p->err, p->errlen, "%s:%d: %s", p->path, p->line, msg);
}

/* fgets for libinih, counting lines; a line that does not fit is read to
 * its end and remembered as an error. */
static char *reader(char *str, int num, void *stream)
{
    struct parse *p = stream;
    p->max_line = num - 1;
    if (!fgets(str, num, p->f))
        return NULL;
    p->line++;
    size_t n = strlen(str);
    if (n && str[n - 1] != '\n' && !feof(p->f)) {
        int c;
        while ((c = fgetc(p->f)) != EOF && c != '\n')
            ;
        if (!p->long_line)
            p->long_line = p->line;
        str[0] = '\0';               /* the line is dropped, the error reported */
    }
    return str;
}

static int handler(void *user, const char *section, const char *name, const char *value)
{
    struct parse *p = user;
    size_t i = 0;
    while (i < NKEYS && !(strcmp(keys[i].section, section) == 0 &&
                          strcmp(keys[i].name, name) == 0))
        i++;
    if (i == NKEYS) {
        bool known_section = false;
        for (size_t j = 0; j < NKEYS; j++)
            known_section |= strcmp(keys[j].section, section) == 0;
        if (!*section)
            fail(p, "key '%s' outside a section ([server], [policy], [node], [log] or "
                    "[federation])%s", name, "");
        else if (!known_section)
            fail(p, "unknown section [%s] (key '%s')", section, name);
        else
            fail(p, "unknown key '%s' in [%s]", name, section);
        return 0;
    }
    const struct key *k = &keys[i];
    if (p->seen[i]) {
        fail(p, "'%s' given twice in [%s] (or an indented line continues it)", name, section);
        return 0;
    }
    p->seen[i] = true;
    char *field = (char *)p->s + k->off;
    bool ok = true;
    size_t v = 0;
    switch (k->kind) {
    case K_STR:
    case K_ROOT:
    case K_IDENTITY:
        if (k->kind == K_ROOT)
            ok = config_api_root_valid(value);
        else if (k->kind == K_IDENTITY)
            ok = identity_valid(value);
        else
            ok = *value != '\0';
        if (ok) {
            if (p->s->nowned == CONFIG_MAX_STRINGS) {
                fail(p, "too many strings%s%s", "", "");
                return 0;
            }
            char *copy = strdup(value);
            if (!copy) {
                fail(p, "out of memory%s%s", "", "");
                return 0;
            }
            p->s->owned[p->s->nowned++] = copy;
            memcpy(field, &copy, sizeof copy);
        }
        break;
    case K_BOOL: {
        bool b;
        ok = config_parse_bool(value, &b);
        if (ok)
            memcpy(field, &b, sizeof b);
        break;
    }
    case K_SIZE:
        ok = config_parse_size(value, k->lo, k->hi, &v);
        if (ok)
            memcpy(field, &v, sizeof v);
        break;
    case K_THREADS:
        ok = config_parse_size(value, k->lo, k->hi, &v);
        if (ok) {
            unsigned u = (unsigned)v;
            memcpy(field, &u, sizeof u);
        }
        break;
    case K_LOGFMT: {
        enum nlog_format f;
        ok = nlog_parse_format(value, &f);
        if (ok)
            memcpy(field, &f, sizeof f);
        break;
    }
    case K_LOGLEVEL: {
        enum nlog_level l;
        ok = nlog_parse_level(value, &l);
        if (ok)
            memcpy(field, &l, sizeof l);
        break;
    }
    case K_TLP: {
        enum stix_tlp t;
        ok = config_parse_tlp(value, &t);
        if (ok)
            memcpy(field, &t, sizeof t);
        break;
    }
    }
    if (!ok) {
        fail(p, "bad value '%s' for %s (see docs/taxii.md)", value, name);
        return 0;
    }
    return 1;
}

bool config_load(const char *path, struct serve_settings *s, char *err, size_t errlen)
{
    struct parse p = {.s = s, .path = path, .err = err, .errlen = errlen};
    p.f = fopen(path, "r");
    if (!p.f) {
        snprintf(err, errlen, "%s: %s", path, strerror(errno));
        return false;
    }
    int rc = ini_parse_stream(reader, &p, handler, &p);
    bool io_error = ferror(p.f);
    fclose(p.f);
    if (io_error) {
        snprintf(err, errlen, "%s: read error", path);
        return false;
    }
    /* the first of: a handler's error, a long line (libinih saw it as
     * empty), libinih's own syntax error (no '=' or no ']') */
    if (p.long_line && (!p.failed || p.long_line < p.fail_line)) {
        char max[16];
        snprintf(max, sizeof max, "%d", p.max_line);
        p.failed = false;
        p.line = p.long_line;
        fail(&p, "line longer than %s bytes%s", max, "");
    }
    if (rc > 0 && (!p.failed || rc < p.fail_line)) {
        p.failed = false;
        p.line = rc;
        fail(&p, "syntax error (want [section] or key = value)%s%s", "", "");
    }
    if (rc < 0 && !p.failed) {
        p.line = 0;
        fail(&p, "out of memory%s%s", "", "");
    }
    return !p.failed;
}
