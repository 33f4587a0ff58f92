/*
 * nlog.c - structured log lines (nlog.h). A line is built in a local buffer
 * and written with one fwrite under the lock, so lines of several threads
 * never interleave.
 */
#include "nlog.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>

struct nlog {
    pthread_mutex_t mu;
    FILE *out;
    enum nlog_format format;
    enum nlog_level min;
};

static const char *const level_names[] = {"debug", "info", "warn", "error", "off"};

nlog *nlog_new(FILE *out, enum nlog_format format, enum nlog_level min)
{
    nlog *l = calloc(1, sizeof *l);
    if (!l)
        return NULL;
    pthread_mutex_init(&l->mu, NULL);
    l->out = out;
    l->format = format;
    l->min = min;
    return l;
}

void nlog_free(nlog *l)
{
    if (!l)
        return;
    pthread_mutex_destroy(&l->mu);
    free(l);
}

bool nlog_on(const nlog *l, enum nlog_level level)
{
    return l && level >= l->min && level < NLOG_OFF;
}

bool nlog_parse_level(const char *s, enum nlog_level *out)
{
    for (int i = 0; i <= NLOG_OFF; i++)
        if (strcmp(s, level_names[i]) == 0) {
            *out = (enum nlog_level)i;
            return true;
        }
    return false;
}

bool nlog_parse_format(const char *s, enum nlog_format *out)
{
    static const char *const names[] = {"text", "logfmt", "json"};
    for (int i = 0; i < 3; i++)
        if (strcmp(s, names[i]) == 0) {
            *out = (enum nlog_format)i;
            return true;
        }
    return false;
}

/* A line buffer. Each value is cut at VALUE_MAX bytes (marked "...") so
 * that a line fits; text past the buffer's end is cut too (a log line is
 * not worth a malloc failure), which only very many pairs can cause. */
#define VALUE_MAX 1024
struct line {
    char b[16384];
    size_t n;
    bool cut;
};

static void add(struct line *ln, const char *s, size_t k)
{
    size_t room = sizeof ln->b - 5 - ln->n;   /* "...\n" and NUL stay possible */
    if (k > room) {
        k = room;
        ln->cut = true;
    }
    memcpy(ln->b + ln->n, s, k);
    ln->n += k;
}

static void adds(struct line *ln, const char *s)
{
    add(ln, s, strlen(s));
}

/* A value in JSON string syntax (without the quotes). */
static void add_json(struct line *ln, const char *s)
{
    const char *start = s;
    for (; *s; s++) {
        if (s - start == VALUE_MAX) {
            adds(ln, "...");
            return;
        }
        unsigned char c = (unsigned char)*s;
        char esc[8];
        if (c == '"' || c == '\\') {
            esc[0] = '\\';
            esc[1] = (char)c;
            add(ln, esc, 2);
        } else if (c < 0x20) {
            snprintf(esc, sizeof esc, "\\u%04x", c);
            add(ln, esc, 6);
        } else {
            add(ln, s, 1);
        }
    }
}

/* A logfmt/text value: bare when it has no space, quote, '=' or control
 * character, else quoted with JSON-style escapes. */
static void add_value(struct line *ln, const char *s)
{
    bool bare = *s != '\0';
    for (const char *p = s; *p && bare; p++)
        bare = (unsigned char)*p > 0x20 && *p != '"' && *p != '=' && *p != '\\';
    if (bare && strlen(s) <= VALUE_MAX) {
        adds(ln, s);
        return;
    }
    adds(ln, "\"");
    add_json(ln, s);
    adds(ln, "\"");
}

void nlog_kv(nlog *l, enum nlog_level level, const char *component, const char *msg, ...)
{
    if (!nlog_on(l, level))
        return;
    struct timeval tv;
    gettimeofday(&tv, NULL);
    struct tm tm;
    gmtime_r(&tv.tv_sec, &tm);
    char ts[64];
    snprintf(ts, sizeof ts, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900,
             tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
             (int)(tv.tv_usec / 1000));
    struct line ln = {.n = 0};
    const char *lv = level_names[level];
    if (l->format == NLOG_JSON) {
        adds(&ln, "{\"ts\":\"");
        adds(&ln, ts);
        adds(&ln, "\",\"level\":\"");
        adds(&ln, lv);
        adds(&ln, "\",\"component\":\"");
        add_json(&ln, component);
        adds(&ln, "\",\"msg\":\"");
        add_json(&ln, msg);
        adds(&ln, "\"");
    } else if (l->format == NLOG_LOGFMT) {
        adds(&ln, "ts=");
        adds(&ln, ts);
        adds(&ln, " level=");
        adds(&ln, lv);
        adds(&ln, " component=");
        add_value(&ln, component);
        adds(&ln, " msg=");
        add_value(&ln, msg);
    } else {
        adds(&ln, ts);
        adds(&ln, " ");
        adds(&ln, lv);
        adds(&ln, " ");
        adds(&ln, component);
        adds(&ln, ": ");
        adds(&ln, msg);
    }
    va_list ap;
    va_start(ap, msg);
    for (;;) {
        const char *k = va_arg(ap, const char *);
        if (!k)
            break;
        const char *v = va_arg(ap, const char *);
        if (!v)
            v = "";
        if (l->format == NLOG_JSON) {
            adds(&ln, ",\"");
            add_json(&ln, k);
            adds(&ln, "\":\"");
            add_json(&ln, v);
            adds(&ln, "\"");
        } else {
            adds(&ln, " ");
            adds(&ln, k);
            adds(&ln, "=");
            add_value(&ln, v);
        }
    }
    va_end(ap);
    if (l->format == NLOG_JSON)
        adds(&ln, "}");
    if (ln.cut) {
        memcpy(ln.b + ln.n, "...", 3);
        ln.n += 3;
    }
    ln.b[ln.n++] = '\n';
    pthread_mutex_lock(&l->mu);
    fwrite(ln.b, 1, ln.n, l->out);
    fflush(l->out);
    pthread_mutex_unlock(&l->mu);
}
